"""Request statuses and the handling steps allowed from each, in one table.

Code decides by the enum values (stored in the database and JSON unchanged); the Chinese labels
are looked up from them here, in one place, so renaming a label never changes a decision.
"""

from __future__ import annotations

from enum import StrEnum

from forms.errors import CounterError


class Status(StrEnum):
    """A request's status; the values are what the database and JSON hold."""

    PENDING_MATERIALS = "pending_materials"
    ACCEPTED = "accepted"
    FORWARDED = "forwarded"
    REFERRED = "referred"
    COMPLETED = "completed"
    REFUSED = "refused"


class Outcome(StrEnum):
    """The scope check's decision for a request (`Decision.decision`)."""

    HANDLE = "handle"
    FORWARD_DEPARTMENT = "forward_department"
    REFER_ORIGIN = "refer_origin"
    REFUSE = "refuse"


class EventKind(StrEnum):
    """The kind of a request's handling step (RequestEvent.kind)."""

    OPENED = "opened"
    SUPPLEMENTED = "supplemented"
    FORWARDED = "forwarded"
    RETURNED = "returned"
    COMPLETED = "completed"
    REFUSED = "refused"


class Side(StrEnum):
    """Who is responsible for a service (the catalogue's `side`)."""

    HERE = "here"
    FORWARD = "forward"
    ORIGIN = "origin"


class Action(StrEnum):
    """A handling step after a request was opened."""

    SUPPLEMENT = "supplement"
    FORWARD = "forward"
    RETURN = "return"
    COMPLETE = "complete"
    REFUSE = "refuse"


STATUS_LABELS: dict[str, str] = {
    Status.PENDING_MATERIALS: "待补正",
    Status.ACCEPTED: "已受理",
    Status.FORWARDED: "已转办",
    Status.REFERRED: "已转迁出村",
    Status.COMPLETED: "已办结",
    Status.REFUSED: "不予办理",
}
OPEN_STATUSES = (Status.PENDING_MATERIALS, Status.ACCEPTED, Status.FORWARDED, Status.REFERRED)

DECISION_LABELS: dict[str, str] = {
    Outcome.HANDLE: "本窗口办理",
    Outcome.FORWARD_DEPARTMENT: "代收转办",
    Outcome.REFER_ORIGIN: "转迁出村办理",
    Outcome.REFUSE: "不予办理",
}

EVENT_LABELS: dict[str, str] = {
    EventKind.OPENED: "受理登记",
    EventKind.SUPPLEMENTED: "补正材料",
    EventKind.FORWARDED: "转办",
    EventKind.RETURNED: "退回",
    EventKind.COMPLETED: "办结",
    EventKind.REFUSED: "不予办理",
}

SIDE_LABELS: dict[str, str] = {
    Side.HERE: "本窗口办理",
    Side.FORWARD: "代收转办",
    Side.ORIGIN: "转迁出村办理",
}

# action -> statuses it may start from
ALLOWED_FROM: dict[str, tuple[Status, ...]] = {
    Action.SUPPLEMENT: (Status.PENDING_MATERIALS,),
    Action.FORWARD: (Status.ACCEPTED,),
    Action.RETURN: (Status.FORWARDED,),
    Action.COMPLETE: (Status.ACCEPTED, Status.FORWARDED, Status.REFERRED),
    Action.REFUSE: (Status.PENDING_MATERIALS, Status.ACCEPTED, Status.FORWARDED),
}
ACTION_LABELS: dict[str, str] = {
    Action.SUPPLEMENT: "补正材料",
    Action.FORWARD: "转办",
    Action.RETURN: "退回",
    Action.COMPLETE: "办结",
    Action.REFUSE: "不予办理",
}


def status_after_open(decision: str, missing: bool) -> Status:
    """Missing documents keep a request open as pending materials; they never refuse it."""
    if decision == Outcome.REFUSE:
        return Status.REFUSED
    if decision == Outcome.REFER_ORIGIN:
        return Status.REFERRED
    return Status.PENDING_MATERIALS if missing else Status.ACCEPTED


def step_applies(action: str, decision: str, permit_action: str) -> bool:
    """Whether a step fits the request at all, whatever its status: only a collect-and-forward
    request is forwarded, and a permit request is finished by the permit operations (issue,
    endorse, replace), not by `complete`."""
    if action == Action.FORWARD:
        return decision == Outcome.FORWARD_DEPARTMENT
    if action == Action.COMPLETE:
        return not permit_action
    return True


def available_actions(status: str, decision: str, permit_action: str) -> tuple[Action, ...]:
    """The steps a request can take now, in table order: what the desk offers."""
    return tuple(
        action
        for action in Action
        if status in ALLOWED_FROM[action] and step_applies(action, decision, permit_action)
    )


def ensure_allowed(action: str, status: str, ticket: str) -> None:
    if status not in ALLOWED_FROM[action]:
        allowed = "、".join(STATUS_LABELS[s] for s in ALLOWED_FROM[action])
        raise CounterError(
            f"{ticket} 当前状态为“{STATUS_LABELS.get(status, status)}”，不能{ACTION_LABELS[action]}"
            f"（仅限：{allowed}）",
            f"{ticket} is {status}; '{action}' is allowed only from: "
            + ", ".join(ALLOWED_FROM[action]),
        )
