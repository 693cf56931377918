"""The words a decision is shown in, built once for the CLI and the desk.

Both read the same plain dicts: `Decision.as_dict()` before a request exists (the scope check)
and `db.views.request_view` after (the keys they share: decision, handled_by, reasons, remedy,
the documents). The CLI prints these lines; the desk shows the same strings with colour.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from forms.status import DECISION_LABELS

MISSING_TITLE = "缺少材料（一次性告知）："
RECEIVED_TITLE = "已收材料："


def decision_headline(data: Mapping[str, Any]) -> str:
    """The outcome and where it goes: 代收转办（紫阳县民政局）, 不予办理."""
    label = DECISION_LABELS[data["decision"]]
    return label + (f"（{data['handled_by']}）" if data.get("handled_by") else "")


def reason_tag(reason: Mapping[str, Any]) -> str:
    """The rule a reason comes from and the policy it rests on: 〔SIDE-FORWARD｜两项清单…〕."""
    return f"〔{reason['rule']}｜{reason['basis']}〕"


def reason_line(reason: Mapping[str, Any]) -> str:
    """One reason with its rule and basis: · 居住证…有效  〔PERMIT-VALID｜…〕."""
    return f"· {reason['text']}  {reason_tag(reason)}"


def remedy_line(remedy: str) -> str:
    """What would make a refused request possible."""
    return f"办理途径：{remedy}"


def documents_line(title: str, names: Sequence[str]) -> str:
    """A title and the documents, or 无: 缺少材料（一次性告知）：户口簿、…."""
    return title + ("、".join(names) if names else "无")


def local_time(iso: str) -> str:
    """An ISO 8601 timestamp of the JSON as a person reads it: 2026-11-27 10:05."""
    return iso[:16].replace("T", " ")


def backdated_mark(entry: Mapping[str, Any]) -> str:
    """（补录，业务日期 D）after the recorded time of an entry made for an earlier day."""
    if not entry.get("backdated"):
        return ""
    return f"（补录，业务日期{entry.get('on') or entry.get('opened_on')}）"


def event_line(event: Mapping[str, Any]) -> str:
    """One step of a request's timeline: when, what, who, and the note."""
    return (
        f"{local_time(event['at'])}{backdated_mark(event)} {event['label']} {event['officer']} "
        f"{event['note']}"
    )


def decision_lines(data: Mapping[str, Any]) -> list[str]:
    """The scope check as `ziyang-counter check` prints it."""
    service = data["service"]
    lines = [
        f"事项：{service['code']} {service['name']}",
        f"结论：{decision_headline(data)}",
        "理由：",
        *[f"  {reason_line(r)}" for r in data["reasons"]],
    ]
    if data.get("remedy"):
        lines.append(remedy_line(data["remedy"]))
    lines.append(documents_line(MISSING_TITLE, data.get("missing_documents") or []))
    return lines
