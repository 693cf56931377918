"""The request state machine as one table: every (status, action) pair, allowed or refused.

The expected table is written out here, not derived from forms.status.ALLOWED_FROM, so a change
to the rule (or a slip in it) fails a named row. It is checked twice: on the pure rule, and
through the real operations of db/requests.py on SQLite and PostgreSQL, where a refusal must
write nothing (no event, same version, same status).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import peewee
import pytest

from db import permits as permit_ops
from db import requests as ops
from db.models import Request, RequestEvent
from db.people import add_household, add_person
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.errors import CounterError
from forms.status import STATUS_LABELS, ensure_allowed, status_after_open
from tests.conftest import HOME, IdMaker

D = dt.date
OPENED = D(2026, 11, 23)  # a Monday
TODAY = D(2026, 11, 27)

STATUSES = ("pending_materials", "accepted", "forwarded", "referred", "completed", "refused")
ACTIONS = ("supplement", "forward", "return", "complete", "refuse")

# status -> action -> the status it leads to, or None when the action is refused.
TABLE: dict[str, dict[str, str | None]] = {
    "pending_materials": {
        "supplement": "accepted",  # every missing document handed in
        "forward": None,
        "return": None,
        "complete": None,
        "refuse": "refused",
    },
    "accepted": {
        "supplement": None,
        "forward": "forwarded",
        "return": None,
        "complete": "completed",
        "refuse": "refused",
    },
    "forwarded": {
        "supplement": None,
        "forward": None,
        "return": "accepted",
        "complete": "completed",
        "refuse": "refused",
    },
    "referred": {
        "supplement": None,
        "forward": None,
        "return": None,
        "complete": "completed",
        "refuse": None,
    },
    "completed": dict.fromkeys(ACTIONS),
    "refused": dict.fromkeys(ACTIONS),
}
EVENT_OF = {
    "supplement": "supplemented",
    "forward": "forwarded",
    "return": "returned",
    "complete": "completed",
    "refuse": "refused",
}
PAIRS = [
    pytest.param(status, action, TABLE[status][action], id=f"{status}-{action}")
    for status in STATUSES
    for action in ACTIONS
]


def test_the_table_covers_every_status_and_action() -> None:
    assert set(TABLE) == set(STATUS_LABELS) == set(STATUSES)
    assert all(set(row) == set(ACTIONS) for row in TABLE.values())


@pytest.mark.parametrize(("status", "action", "after"), PAIRS)
def test_ensure_allowed(status: str, action: str, after: str | None) -> None:
    if after is not None:
        ensure_allowed(action, status, "T-1")
        return
    with pytest.raises(CounterError) as info:
        ensure_allowed(action, status, "T-1")
    assert "T-1" in info.value.zh and STATUS_LABELS[status] in info.value.zh
    assert f"'{action}'" in info.value.en and status in info.value.en
    allowed = [s for s in STATUSES if TABLE[s][action] is not None]
    assert info.value.en.endswith(", ".join(allowed))
    assert info.value.zh.endswith("（仅限：" + "、".join(STATUS_LABELS[s] for s in allowed) + "）")


@pytest.mark.parametrize(
    ("decision", "missing", "status"),
    [
        ("handle", False, "accepted"),
        ("handle", True, "pending_materials"),
        ("forward_department", False, "accepted"),
        ("forward_department", True, "pending_materials"),
        ("refer_origin", False, "referred"),
        ("refer_origin", True, "referred"),  # the village collects what is missing
        ("refuse", False, "refused"),
        ("refuse", True, "refused"),  # missing documents never hide a refusal
    ],
)
def test_status_after_open(decision: str, missing: bool, status: str) -> None:
    assert status_after_open(decision, missing) == status


# ── through the operations, on both engines ──


@pytest.fixture
def resident(database: peewee.Database, make_id: IdMaker, catalogue: Catalogue, desk: Desk) -> str:
    """A resident of the home community with a valid permit."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=OPENED
    )
    number = make_id(D(1970, 6, 1), "男")
    add_person(
        household_number=household.number,
        id_number=number,
        name="王德明",
        relation="户主",
        today=OPENED,
    )
    permit_ops.issue_permit(id_number=number, catalogue=catalogue, desk=desk, today=D(2026, 5, 6))
    return number


def _in_status(status: str, number: str, catalogue: Catalogue, desk: Desk) -> str:
    """A request brought into `status` by the real operations; its ticket."""

    def open_(service: str, provided: list[str]) -> Request:
        return ops.open_request(
            id_number=number,
            service=service,
            catalogue=catalogue,
            desk=desk,
            today=OPENED,
            provided=provided,
        )

    if status == "referred":
        request = open_("土地流转", ["all"])  # an origin-village matter
    else:
        # Collected here and forwarded to 民政局: the one kind that can reach every status.
        request = open_("临时救助申请", [] if status == "pending_materials" else ["all"])
    ticket = request.ticket
    if status == "forwarded":
        ops.forward(ticket, desk, OPENED)
    elif status == "completed":
        ops.complete(ticket, desk, OPENED)
    elif status == "refused":
        ops.refuse(ticket, desk, OPENED, "困难情况证明材料与实际不符；补充真实材料后可重新申请")
    stored = Request.get(Request.ticket == ticket)
    assert stored.status == status
    return ticket


ACTS: dict[str, Callable[[str, Desk], Request]] = {
    "supplement": lambda t, desk: ops.supplement(t, ["all"], desk, TODAY),
    "forward": lambda t, desk: ops.forward(t, desk, TODAY),
    "return": lambda t, desk: ops.return_request(t, desk, TODAY, "材料需重新核对"),
    "complete": lambda t, desk: ops.complete(t, desk, TODAY),
    "refuse": lambda t, desk: ops.refuse(t, desk, TODAY, "不符合条件；可于情况变化后重新申请"),
}


@pytest.mark.parametrize(("status", "action", "after"), PAIRS)
def test_operations_follow_the_table(
    resident: str,
    catalogue: Catalogue,
    desk: Desk,
    status: str,
    action: str,
    after: str | None,
) -> None:
    ticket = _in_status(status, resident, catalogue, desk)
    before = Request.get(Request.ticket == ticket)
    events_before = [e.kind for e in before.events.order_by(RequestEvent.id)]
    all_events = RequestEvent.select().count()

    if after is None:
        with pytest.raises(CounterError):
            ACTS[action](ticket, desk)
        row = Request.get(Request.ticket == ticket)
        assert row.status == status
        assert row.version == before.version
        assert row.closed_on == before.closed_on and row.promised_by == before.promised_by
        assert RequestEvent.select().count() == all_events
        return

    returned = ACTS[action](ticket, desk)
    row = Request.get(Request.ticket == ticket)
    assert returned.status == row.status == after
    assert row.version == before.version + 1
    events = [e.kind for e in row.events.order_by(RequestEvent.id)]
    assert events == [*events_before, EVENT_OF[action]]
    last = row.events.order_by(RequestEvent.id.desc()).first()
    assert last.status_after == after and last.on == TODAY  # the business day; `at` is the clock
    assert RequestEvent.select().count() == all_events + 1
    if after in ("completed", "refused"):
        assert row.closed_on == TODAY
    else:
        assert row.closed_on is None
    if action == "supplement":  # accepted now: the time limit runs from today
        assert row.promised_by == D(2026, 12, 11)  # 10 working days after Friday 27 Nov


def test_an_unknown_status_is_named_as_stored() -> None:
    # A status written by a newer version (or by hand) is shown as it is, not as "None".
    with pytest.raises(CounterError) as info:
        ensure_allowed("complete", "archived", "T-1")
    assert "当前状态为“archived”" in info.value.zh
