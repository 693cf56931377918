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
from db.person_card import household_members, more_history, person_card
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.citizen_id import mask_id
from forms.errors import CounterError
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
    while after is not None:
        page = more_history(family["head"], TODAY, after, limit=2)
        assert page.total == 6
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
