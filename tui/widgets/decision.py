"""A decision (the scope check's, or a request's as recorded) as coloured text on the desk.

The words come from forms/summary.py, which the CLI prints too; here they only get colour, and
never colour alone: the outcome is always written out (不予办理 in red, the remedy in amber).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.text import Text

from forms.status import Outcome
from forms.summary import MISSING_TITLE, decision_headline, documents_line, reason_tag, remedy_line

OUTCOME_STYLES = {
    Outcome.HANDLE: "bold green",
    Outcome.FORWARD_DEPARTMENT: "bold cyan",
    Outcome.REFER_ORIGIN: "bold cyan",
    Outcome.REFUSE: "bold red",
}


def headline_text(data: Mapping[str, Any]) -> Text:
    """结论：代收转办（紫阳县民政局）, the outcome in its colour."""
    return Text.assemble(
        ("结论：", "bold"),
        (decision_headline(data), OUTCOME_STYLES.get(data["decision"], "bold")),
    )


def remedy_text(remedy: str) -> Text:
    return Text(remedy_line(remedy), "bold yellow")


def reasons_text(data: Mapping[str, Any], *, with_remedy: bool = True) -> Text:
    """The remedy first when there is one (what the resident can do), then every reason with
    its rule and basis; the reasons that refuse in red."""
    parts: list[Text] = []
    if with_remedy and data.get("remedy"):
        parts.append(remedy_text(data["remedy"]))
    for reason in data["reasons"]:
        parts.append(
            Text.assemble(
                # No space after the bullet: rich wraps at spaces, and would leave the bullet
                # alone on its line before a long run of Chinese.
                (f"·{reason['text']}", "red" if reason.get("refusing") else ""),
                (f"\n  {reason_tag(reason)}", "dim"),
            )
        )
    return Text("\n").join(parts)


def missing_text(missing: Sequence[str]) -> Text:
    """缺少材料（一次性告知）：… in amber, or 无 in green."""
    return Text(documents_line(MISSING_TITLE, missing), "bold yellow" if missing else "green")
