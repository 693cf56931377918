"""Request statuses and the handling steps allowed from each, in one table."""

from __future__ import annotations

from forms.errors import CounterError

STATUS_LABELS = {
    "pending_materials": "待补正",
    "accepted": "已受理",
    "forwarded": "已转办",
    "referred": "已转迁出村",
    "completed": "已办结",
    "refused": "不予办理",
}
OPEN_STATUSES = ("pending_materials", "accepted", "forwarded", "referred")

DECISION_LABELS = {
    "handle": "本窗口办理",
    "forward_department": "代收转办",
    "refer_origin": "转迁出村办理",
    "refuse": "不予办理",
}

EVENT_LABELS = {
    "opened": "受理登记",
    "supplemented": "补正材料",
    "forwarded": "转办",
    "returned": "退回",
    "completed": "办结",
    "refused": "不予办理",
}

# action -> statuses it may start from
ALLOWED_FROM = {
    "supplement": ("pending_materials",),
    "forward": ("accepted",),
    "return": ("forwarded",),
    "complete": ("accepted", "forwarded", "referred"),
    "refuse": ("pending_materials", "accepted", "forwarded"),
}
ACTION_LABELS = {
    "supplement": "补正材料",
    "forward": "转办",
    "return": "退回",
    "complete": "办结",
    "refuse": "不予办理",
}


def status_after_open(decision: str, missing: bool) -> str:
    """Missing documents keep a request open as pending materials; they never refuse it."""
    if decision == "refuse":
        return "refused"
    if decision == "refer_origin":
        return "referred"
    return "pending_materials" if missing else "accepted"


def ensure_allowed(action: str, status: str, ticket: str) -> None:
    if status not in ALLOWED_FROM[action]:
        allowed = "、".join(STATUS_LABELS[s] for s in ALLOWED_FROM[action])
        raise CounterError(
            f"{ticket} 当前状态为“{STATUS_LABELS.get(status, status)}”，不能{ACTION_LABELS[action]}"
            f"（仅限：{allowed}）",
            f"{ticket} is {status}; '{action}' is allowed only from: "
            + ", ".join(ALLOWED_FROM[action]),
        )
