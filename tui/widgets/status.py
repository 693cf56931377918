"""A request's status as words with their colour (never colour alone: old monitors, colour-blind
staff). The words come from forms/status.py, the one place the CLI reads them too."""

from __future__ import annotations

from rich.text import Text

from forms.status import Status

STYLES: dict[str, str] = {
    Status.PENDING_MATERIALS: "bold yellow",  # 待补正 amber
    Status.COMPLETED: "green",  # 已办结
    Status.REFUSED: "red",  # 不予办理
    Status.FORWARDED: "cyan",
    Status.REFERRED: "cyan",
}
OVERDUE_STYLE = "bold red"


def status_text(status: str, label: str, *, overdue: bool = False) -> Text:
    """'待补正', or '转办待回 超期' in red when overdue (the word says it, the colour helps)."""
    if overdue:
        return Text(f"{label} 超期", style=OVERDUE_STYLE)
    return Text(label, style=STYLES.get(status, ""))
