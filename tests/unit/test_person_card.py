"""db/person_card: the desk's person card as plain data, on SQLite and PostgreSQL.

The request history pages newest first with a keyset that holds when several requests share
one recorded time (the tie is broken by id); members and the permit's next step come along.
"""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from db import clock as db_clock
from db import permits as permit_ops
from db import requests as ops
from db.models import Request
from db.people import add_household, add_person
from db.person_card import household_members, more_history, person_card, request_history
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.permits import permit_advice
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date
SERVICES = ["医疗保险参保", "文体活动报名", "职业介绍", "创业指导", "土地流转"]


@pytest.fixture
def family(database: peewee.Database, make_id: IdMaker) -> dict[str, str]:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY,
        grid="第2网格", building="3", unit="2", room="501", phone="13912345678",
    )  # fmt: skip
    ids = {"head": make_id(D(1958, 3, 12), "男"), "spouse": make_id(D(1961, 8, 20), "女")}
    add_person(
        household_number=household.number, id_number=ids["head"], name="王德明",
        relation="户主", today=TODAY,
    )  # fmt: skip
    add_person(
        household_number=household.number, id_number=ids["spouse"], name="李秀英",
        relation="配偶", today=TODAY,
    )  # fmt: skip
    ids["household"] = household.number
    return ids


def test_history_pages_newest_first_through_ties(
    family: dict[str, str], desk: Desk, catalogue: Catalogue
) -> None:
    """Five requests, three recorded at the same second: pages of two give each once, in
    order, and the card counts them all."""
    moments = [dt.datetime(2026, 11, 20, 9), *[dt.datetime(2026, 11, 24, 10)] * 3]
    moments.append(dt.datetime(2026, 11, 26, 11))
    with db_clock.clock(dt.datetime(2026, 11, 20, 9)):
        permit_ops.issue_permit(
            id_number=family["head"], catalogue=catalogue, desk=desk, today=D(2026, 11, 20)
        )
    for service, at in zip(SERVICES, moments, strict=True):
        with db_clock.clock(at):
            ops.open_request(
                id_number=family["head"], service=service, catalogue=catalogue, desk=desk,
                today=at.date(),
            )  # fmt: skip
    expected = [
        r.ticket for r in Request.select().order_by(Request.opened_at.desc(), Request.id.desc())
    ]
    assert len(expected) == 6  # the five and the permit's own request
    card = person_card(family["head"], TODAY, limit=2)
    assert card["requests_total"] == 6
    seen = [r["ticket"] for r in card["requests"]]
    after = card["requests_after"]
    assert len(card["requests"]) == 2  # the card's page is the limit it was given
    for _ in range(6):  # bounded: a keyset that repeats a row must fail, not hang
        if after is None:
            break
        page = more_history(family["head"], TODAY, after, limit=2)
        assert page.total == 6 and len(page.rows) <= 2
        seen += [r["ticket"] for r in page.rows]
        after = page.after
    assert seen == expected
    assert len(set(seen)) == 6
    newest_open = next(
        r.ticket
        for r in Request.select().order_by(Request.opened_at.desc(), Request.id.desc())
        if r.status in ("accepted", "pending_materials", "forwarded", "referred")
    )
    assert card["latest_open_ticket"] == newest_open
    assert card["permit"]["advice"]["level"] == "ok"


def test_card_is_masked_and_lists_the_household(family: dict[str, str]) -> None:
    card = person_card(family["spouse"], TODAY)
    assert card["id_number"] == mask_id(family["spouse"])
    assert family["spouse"] not in repr(card) and family["head"] not in repr(card)
    assert card["age"] == 65 and card["relation"] == "配偶"
    members = card["household"]["members"]
    assert [(m["relation"], m["name"], m["is_self"]) for m in members] == [
        ("户主", "王德明", False),
        ("配偶", "李秀英", True),
    ]
    assert card["household"]["has_head"] is True
    assert card["permit"] is None and card["requests"] == [] and card["requests_total"] == 0
    assert card["latest_open_ticket"] is None


def test_household_members_for_registration(family: dict[str, str], make_id: IdMaker) -> None:
    view = household_members(family["household"].lower(), TODAY)
    assert view["number"] == family["household"] and view["grid"] == "第2网格"
    assert view["has_head"] is True and view["head_id"] == family["head"]
    assert [m["id_number"] for m in view["members"]] == [
        mask_id(family["head"]),
        mask_id(family["spouse"]),
    ]
    empty = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2020, 1, 1), today=TODAY
    )
    headless = household_members(empty.number, TODAY)
    assert headless["members"] == [] and headless["has_head"] is False
    assert headless["head_id"] is None
    with pytest.raises(CounterError, match="没有编号为"):
        household_members("H999999", TODAY)


def _permit(family: dict[str, str], desk: Desk, catalogue: Catalogue) -> str:
    """The head's permit, issued first (services here need it); its request's ticket."""
    with db_clock.clock(dt.datetime(2026, 11, 1, 8)):
        permit_ops.issue_permit(
            id_number=family["head"], catalogue=catalogue, desk=desk, today=D(2026, 11, 1)
        )
    return str(Request.get().ticket)


def _open(
    family: dict[str, str], desk: Desk, catalogue: Catalogue, service: str, at: dt.datetime
) -> str:
    with db_clock.clock(at):
        return ops.open_request(
            id_number=family["head"], service=service, catalogue=catalogue, desk=desk,
            today=at.date(), provided=["all"],
        ).ticket  # fmt: skip


def test_history_rows_say_everything_the_card_shows(
    family: dict[str, str], desk: Desk, catalogue: Catalogue
) -> None:
    """Each row of the history, whole: an open request past its promised day, and one done."""
    _permit(family, desk, catalogue)
    opened = dt.datetime(2026, 11, 2, 9)
    waiting = _open(family, desk, catalogue, "医疗保险参保", opened)
    done = _open(family, desk, catalogue, "职业介绍", opened + dt.timedelta(hours=1))
    with db_clock.clock(dt.datetime(2026, 11, 3, 9)):
        ops.complete(done, desk, D(2026, 11, 3))
    rows = {r["ticket"]: r for r in person_card(family["head"], TODAY)["requests"]}
    first = Request.get(Request.ticket == waiting)
    assert first.promised_by is not None and first.promised_by < TODAY  # overdue on TODAY
    assert rows[waiting] == {
        "ticket": waiting,
        "service_code": first.service_code,
        "service_name": "医疗保险参保",
        "status": first.status,
        "status_label": "已受理",
        "open": True,
        "overdue": True,
        "opened_on": "2026-11-02",
        "promised_by": first.promised_by.isoformat(),
        "closed_on": None,
    }
    second = Request.get(Request.ticket == done)
    assert rows[done] == {
        "ticket": done,
        "service_code": second.service_code,
        "service_name": "职业介绍",
        "status": "completed",
        "status_label": "已办结",
        "open": False,
        "overdue": False,
        "opened_on": "2026-11-02",
        "promised_by": second.promised_by.isoformat() if second.promised_by else None,
        "closed_on": "2026-11-03",
    }


def test_pages_end_exactly_at_the_last_row(
    family: dict[str, str], desk: Desk, catalogue: Catalogue
) -> None:
    """Recorded out of id order (a back-dated entry keyed later): the history and the newest
    open ticket follow the recorded time, ties by id; a page of exactly the rows left says no
    more follow."""
    issued = _permit(family, desk, catalogue)
    late = _open(family, desk, catalogue, "医疗保险参保", dt.datetime(2026, 11, 26, 11))
    early = _open(family, desk, catalogue, "职业介绍", dt.datetime(2026, 11, 20, 9))
    tie_a = _open(family, desk, catalogue, "创业指导", dt.datetime(2026, 11, 24, 10))
    tie_b = _open(family, desk, catalogue, "土地流转", dt.datetime(2026, 11, 24, 10))
    person = Request.get(Request.ticket == late).person
    newest_first = [late, tie_b, tie_a, early, issued]
    whole = request_history(person, TODAY, limit=5)
    assert [r["ticket"] for r in whole.rows] == newest_first
    assert whole.total == 5 and whole.after is None
    first = request_history(person, TODAY, limit=3)
    assert [r["ticket"] for r in first.rows] == newest_first[:3]
    assert first.after == ("2026-11-24T10:00:00", Request.get(Request.ticket == tie_a).id)
    rest = request_history(person, TODAY, limit=3, after=first.after)
    assert [r["ticket"] for r in rest.rows] == [early, issued] and rest.after is None
    assert rest.total == 5
    assert person_card(family["head"], TODAY)["latest_open_ticket"] == late
    ops.complete(late, desk, TODAY)
    assert person_card(family["head"], TODAY)["latest_open_ticket"] == tie_b


def test_members_and_the_permit_advice_whole(
    family: dict[str, str], desk: Desk, catalogue: Catalogue
) -> None:
    _permit(family, desk, catalogue)
    card = person_card(family["head"], TODAY)
    assert card["household"]["members"][0] == {
        "name": "王德明",
        "relation": "户主",
        "relation_code": "02",
        "is_head": True,
        "sex": "男",
        "birth_date": "1958-03-12",
        "age": 68,
        "id_number": mask_id(family["head"]),
        "is_self": True,
    }
    spouse = card["household"]["members"][1]
    assert (spouse["relation_code"], spouse["is_head"], spouse["sex"]) == ("10", False, "女")
    assert (spouse["birth_date"], spouse["age"], spouse["is_self"]) == ("1961-08-20", 65, False)
    permit = card["permit"]
    advice = permit_advice("valid", D.fromisoformat(permit["valid_until"]), TODAY)
    assert permit["advice"] == {"level": advice.level, "text": advice.text}
    assert advice.text
