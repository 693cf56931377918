"""The desk's lists (db/desk_lists.py) on both engines: who is on which list at its boundaries,
keyset pages that give every row exactly once, and a page that costs the same few queries
whatever its size. Requests and permits are made through the real operations."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import peewee
import pytest

from db import clock as db_clock
from db import permits as permit_ops
from db import requests as ops
from db.desk_lists import HOME_KINDS, LIST_KINDS, day_counts, lapses_on, page
from db.models import Request
from db.people import add_household, add_person
from db.setup import Desk
from forms import permits as permit_rules
from forms.catalogue import Catalogue
from forms.errors import CounterError
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date
DAY = dt.timedelta(days=1)
OTHER = "蒿坪镇红旗社区"
MOMENT = dt.datetime.combine(TODAY, dt.time(9, 30))  # one clock time: opened_at ties on purpose
NAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"


class People:
    """Heads of one-person households, each registered through the real operations."""

    def __init__(self, make_id: IdMaker) -> None:
        self.make_id = make_id
        self.count = 0

    def __call__(self, community: str = HOME, birth: D = D(1975, 6, 1)) -> str:
        household = add_household(
            origin_village="洞河镇麻园村", community=community, moved_in=D(2019, 5, 1),
            today=D(2019, 5, 1), new_community=community != HOME,
        )  # fmt: skip
        id_number = self.make_id(birth)
        add_person(
            household_number=household.number,
            id_number=id_number,
            name=NAMES[self.count % len(NAMES)] + "德明",
            relation="户主",
            today=D(2019, 5, 1),
        )
        self.count += 1
        return id_number


@pytest.fixture
def people(database: peewee.Database, make_id: IdMaker) -> People:
    return People(make_id)


def with_permit(people: People, catalogue: Catalogue, desk: Desk, issued: D = D(2026, 5, 6)) -> str:
    id_number = people(desk.community)
    permit_ops.issue_permit(id_number=id_number, catalogue=catalogue, desk=desk, today=issued)
    return id_number


def open_one(
    catalogue: Catalogue, desk: Desk, id_number: str, service: str, provided: list[str], day: D
) -> Request:
    with db_clock.clock(MOMENT):
        return ops.open_request(
            id_number=id_number,
            service=service,
            catalogue=catalogue,
            desk=desk,
            today=day,
            provided=provided,
        )


def every_row(kind: str, desk: Desk, today: D, limit: int) -> list[dict[str, Any]]:
    """Walk a list page by page, as the desk does."""
    rows: list[dict[str, Any]] = []
    after = None
    for _ in range(500):
        got = page(kind, desk, today, after=after, limit=limit)
        assert len(got.rows) <= limit
        rows.extend(got.rows)
        if got.next_after is None:
            return rows
        assert len(got.rows) == limit  # a page before the last is full
        after = got.next_after
    raise AssertionError("paging never ended")


def tickets(kind: str, desk: Desk, today: D) -> list[str]:
    return [r["ticket"] for r in every_row(kind, desk, today, 200)]


# ── one counter's day ──


@pytest.fixture
def day(people: People, catalogue: Catalogue, desk: Desk) -> dict[str, Any]:
    """This counter's requests of TODAY in every status, and one at the next counter."""
    made: dict[str, Any] = {}
    holders = [with_permit(people, catalogue, desk) for _ in range(8)]
    made["accepted"] = [
        open_one(catalogue, desk, who, "产业脱贫", ["all"], TODAY) for who in holders[:5]
    ]
    made["pending"] = [
        open_one(catalogue, desk, who, "两病及慢性病申报", [], TODAY) for who in holders[:3]
    ]
    forwarded = open_one(catalogue, desk, holders[5], "临时救助申请", ["all"], TODAY)
    made["forwarded"] = ops.forward(forwarded.ticket, desk, TODAY)
    made["referred"] = open_one(catalogue, desk, holders[6], "耕地地力保护补贴", ["all"], TODAY)
    done = open_one(catalogue, desk, holders[7], "产业脱贫", ["all"], TODAY)
    made["completed"] = ops.complete(done.ticket, desk, TODAY, "已办结")
    made["refused"] = open_one(catalogue, desk, people(), "产业脱贫", ["all"], TODAY)
    neighbour = replace(desk, counter_no=2)
    made["elsewhere"] = open_one(catalogue, neighbour, holders[0], "医疗救助申请", ["all"], TODAY)
    statuses = {k: [r.status for r in (v if isinstance(v, list) else [v])] for k, v in made.items()}
    assert statuses == {
        "accepted": ["accepted"] * 5,
        "pending": ["pending_materials"] * 3,
        "forwarded": ["forwarded"],
        "referred": ["referred"],
        "completed": ["completed"],
        "refused": ["refused"],
        "elsewhere": ["accepted"],
    }
    return made


def test_each_list_holds_its_own_requests_of_this_counter(day: dict[str, Any], desk: Desk) -> None:
    t = {k: [r.ticket for r in v] if isinstance(v, list) else [v.ticket] for k, v in day.items()}
    open_ = t["accepted"] + t["pending"] + t["forwarded"] + t["referred"]
    assert set(tickets("today", desk, TODAY)) == set(open_ + t["completed"] + t["refused"])
    assert set(tickets("pending", desk, TODAY)) == set(t["pending"])
    assert set(tickets("awaiting", desk, TODAY)) == set(t["forwarded"] + t["referred"])
    assert set(tickets("open", desk, TODAY)) == set(open_)
    assert t["elsewhere"][0] not in tickets("today", desk, TODAY)  # the next counter's
    # ... and at the next counter only its own
    neighbour = replace(desk, counter_no=2)
    assert tickets("open", neighbour, TODAY) == t["elsewhere"]
    # the counts say the same as the lists, in the home line's order
    counts = day_counts(desk, TODAY)
    assert list(counts) == list(HOME_KINDS)
    everything = day_counts(desk, TODAY, LIST_KINDS)
    assert list(everything) == list(LIST_KINDS)
    for kind in LIST_KINDS:
        assert everything[kind] == len(every_row(kind, desk, TODAY, 200)), kind
        assert everything[kind] == page(kind, desk, TODAY, limit=1).total, kind
    assert everything["today"] == 12 and everything["open"] == 10
    assert everything["pending"] == 3 and everything["awaiting"] == 2


def test_request_rows_carry_what_the_screen_shows(day: dict[str, Any], desk: Desk) -> None:
    referred = day["referred"]
    row = next(r for r in every_row("awaiting", desk, TODAY, 5) if r["ticket"] == referred.ticket)
    person = referred.person
    assert row == {
        "ticket": referred.ticket,
        "service_name": "耕地地力保护补贴",
        "name": person.name,
        "masked_id": person.id_number[:6] + "********" + person.id_number[14:],
        "status": "referred",
        "status_label": "已转迁出村",
        "promised_by": referred.promised_by.isoformat(),
        "overdue": False,
        "opened_on": TODAY.isoformat(),
    }
    late = referred.promised_by + DAY
    overdue_row = next(
        r for r in every_row("overdue", desk, late, 5) if r["ticket"] == row["ticket"]
    )
    assert overdue_row["overdue"] is True
    # every overdue row is flagged so, and the open list flags exactly those
    flagged = {r["ticket"] for r in every_row("open", desk, late, 3) if r["overdue"]}
    assert flagged == set(tickets("overdue", desk, late))


@pytest.mark.parametrize(
    ("offset", "due", "overdue", "due_week"),
    [
        (-8, False, False, False),  # the 8th day before the promise: not yet this week
        (-7, False, False, True),  # the 7th day: this week
        (-1, False, False, True),  # tomorrow
        (0, True, False, True),  # promised today
        (1, False, True, False),  # promised yesterday
        (30, False, True, False),
    ],
)
def test_promised_day_boundaries(
    day: dict[str, Any], desk: Desk, offset: int, due: bool, overdue: bool, due_week: bool
) -> None:
    request = day["accepted"][0]
    today = request.promised_by + dt.timedelta(days=offset)
    on = {kind: request.ticket in tickets(kind, desk, today) for kind in LIST_KINDS[3:6]}
    assert on == {"due": due, "overdue": overdue, "due_week": due_week}
    # a closed request promised the same day is on none of them
    closed = day["completed"]
    assert closed.promised_by == request.promised_by
    assert not any(closed.ticket in tickets(k, desk, today) for k in ("due", "overdue", "due_week"))


def test_the_open_list_is_most_urgent_first_and_undated_last(
    day: dict[str, Any], desk: Desk
) -> None:
    rows = every_row("open", desk, TODAY, 200)
    dated = [r for r in rows if r["promised_by"] is not None]
    assert [r["promised_by"] for r in dated] == sorted(r["promised_by"] for r in dated)
    assert rows[len(dated) :] == [r for r in rows if r["promised_by"] is None]
    assert len(rows) - len(dated) == 3  # the three 待补正 wait for papers, no promise yet
    by_id = {r.ticket: r.id for r in Request.select()}
    for a, b in itertools.pairwise(rows):
        if a["promised_by"] == b["promised_by"]:
            assert by_id[a["ticket"]] < by_id[b["ticket"]]  # the tiebreaker


def test_keyset_pages_give_every_row_exactly_once(day: dict[str, Any], desk: Desk) -> None:
    """Five requests share a promised day and all share one opening moment: the id breaks
    the ties, and the NULL promises of 待补正 follow the dated ones on both engines."""
    for kind in ("open", "today", "pending", "awaiting", "due_week"):
        whole = page(kind, desk, TODAY, limit=200)
        assert whole.next_after is None and len(whole.rows) == whole.total, kind
        for limit in (1, 2, 3, 4):
            paged = every_row(kind, desk, TODAY, limit)
            assert [r["ticket"] for r in paged] == [r["ticket"] for r in whole.rows], (kind, limit)
            assert len({r["ticket"] for r in paged}) == whole.total


def test_the_last_page_has_no_cursor_and_a_full_one_does(day: dict[str, Any], desk: Desk) -> None:
    total = page("open", desk, TODAY).total
    exact = page("open", desk, TODAY, limit=total)
    assert len(exact.rows) == total and exact.next_after is None
    short = page("open", desk, TODAY, limit=total - 1)
    assert short.next_after is not None
    rest = page("open", desk, TODAY, after=short.next_after, limit=total)
    assert len(rest.rows) == 1 and rest.next_after is None and rest.total == total


def test_an_unknown_list_is_refused(database: peewee.Database, desk: Desk) -> None:
    with pytest.raises(CounterError, match="没有“later”这个列表"):
        page("later", desk, TODAY)
    with pytest.raises(CounterError):
        day_counts(desk, TODAY, ["today", "later"])


# ── query counts: a page is a fixed number of queries ──


@contextmanager
def counted(database: peewee.Database) -> Iterator[list[str]]:
    """Every statement the database runs inside the block (the real execute_sql, wrapped)."""
    seen: list[str] = []
    real = database.execute_sql

    def execute_sql(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        seen.append(sql)
        return real(sql, params, *args, **kwargs)

    database.execute_sql = execute_sql  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del database.execute_sql


def test_a_page_costs_two_queries_whatever_its_size(
    day: dict[str, Any], database: peewee.Database, desk: Desk
) -> None:
    for kind in LIST_KINDS:
        with counted(database) as small:
            page(kind, desk, TODAY, limit=1)
        with counted(database) as large:
            got = page(kind, desk, TODAY, limit=100)
        assert len(small) == len(large) == 2, (kind, small, large)
        assert "COUNT" in large[1].upper()
        if got.rows and kind != "permits_due":
            assert "JOIN" in large[0].upper()  # the person comes with the row, not after it
    with counted(database) as counts:
        day_counts(desk, TODAY, LIST_KINDS)
    assert len(counts) == 2


# ── permits due this week ──


@pytest.fixture
def permit_holders(people: People, catalogue: Catalogue, desk: Desk) -> dict[str, str]:
    """Permits of this community issued on chosen days, and one of the next community."""
    issued = {
        "dec01": D(2025, 12, 1),  # valid until 2026-11-30; window opens 2026-11-01
        "mar28": D(2026, 3, 28),  # these four: valid until 2027-03-27 ... 03-30, and the window
        "mar29": D(2026, 3, 29),  # of each opens on 2027-02-28 (a month before the anniversary,
        "mar30": D(2026, 3, 30),  # clipped to February's last day)
        "mar31": D(2026, 3, 31),
    }
    holders = {key: with_permit(people, catalogue, desk, day) for key, day in issued.items()}
    other_desk = replace(desk, community=OTHER, office_code="HQSQ")
    holders["other"] = with_permit(people, catalogue, other_desk, D(2025, 12, 1))
    return holders


def permit_rows(desk: Desk, today: D) -> dict[str, dict[str, Any]]:
    return {r["id_number"]: r for r in every_row("permits_due", desk, today, 200)}


@pytest.mark.parametrize(
    ("today", "what"),
    [
        (D(2026, 10, 24), None),  # the window opens on the 8th day: not yet
        (D(2026, 10, 25), "签注期开始 11-01"),  # ... on the 7th day: the list's last day
        (D(2026, 11, 1), "签注期开始 11-01"),  # the window opens today: the list's first day
        (D(2026, 11, 2), None),  # opened yesterday: off the list until it is about to lapse
        (D(2026, 11, 23), None),  # lapses on the 8th day (2026-12-01)
        (D(2026, 11, 24), "12-01 失效"),  # lapses on the 7th day
        (D(2026, 11, 30), "12-01 失效"),  # its last valid day: lapses tomorrow
        (D(2026, 12, 1), None),  # lapsed: no longer a valid permit
    ],
)
def test_permit_window_and_lapse_boundaries(
    permit_holders: dict[str, str], desk: Desk, today: D, what: str | None
) -> None:
    rows = permit_rows(desk, today)
    row = rows.get(permit_holders["dec01"])
    assert (row["what"] if row else None) == what
    assert permit_holders["other"] not in rows  # the same dates, another community
    if row is not None:
        assert row["valid_until"] == "2026-11-30"
        assert row["masked_id"] == row["id_number"][:6] + "********" + row["id_number"][14:]
        assert row["permit_number"].startswith("610924-2025-")


def test_the_window_is_the_rules_own_even_when_february_clips_it(
    permit_holders: dict[str, str], desk: Desk
) -> None:
    four = [permit_holders[k] for k in ("mar28", "mar29", "mar30", "mar31")]
    # all four windows open on 2027-02-28, as forms/permits.py says
    for valid_until in (D(2027, 3, 27), D(2027, 3, 28), D(2027, 3, 29), D(2027, 3, 30)):
        assert permit_rules.endorsement_opens(valid_until) == D(2027, 2, 28)
    on_the_day = permit_rows(desk, D(2027, 2, 28))
    assert [on_the_day[i]["what"] for i in four] == ["签注期开始 02-28"] * 4
    week_before = permit_rows(desk, D(2027, 2, 21))
    assert all(i in week_before for i in four)
    assert not any(i in permit_rows(desk, D(2027, 3, 1)) for i in four)
    assert not any(i in permit_rows(desk, D(2027, 2, 20)) for i in four)
    # ordered by valid-until day, then id: the issue order here
    listed = [r["id_number"] for r in every_row("permits_due", desk, D(2027, 2, 28), 1)]
    assert listed == four


def test_lapsing_comes_before_a_window_opening(
    people: People, catalogue: Catalogue, desk: Desk
) -> None:
    soon_lapsing = with_permit(people, catalogue, desk, D(2025, 12, 3))  # until 2026-12-02
    window = with_permit(people, catalogue, desk, D(2026, 1, 1))  # window opens 2026-12-01
    rows = every_row("permits_due", desk, D(2026, 11, 27), 1)
    assert [r["id_number"] for r in rows] == [soon_lapsing, window]
    assert [r["what"] for r in rows] == ["12-03 失效", "签注期开始 12-01"]
    assert [r["on"] for r in rows] == ["2026-12-03", "2026-12-01"]
    assert day_counts(desk, D(2026, 11, 27))["permits_due"] == 2


def test_revoked_and_replaced_permits_are_not_due(
    people: People, catalogue: Catalogue, desk: Desk
) -> None:
    revoked = with_permit(people, catalogue, desk, D(2025, 12, 1))
    replaced = with_permit(people, catalogue, desk, D(2025, 12, 1))
    kept = with_permit(people, catalogue, desk, D(2025, 12, 1))
    permit_ops.revoke_permit(id_number=revoked, reason="户籍迁出", desk=desk, today=D(2026, 5, 6))
    permit_ops.replace_permit(
        id_number=replaced, reason="lost", catalogue=catalogue, desk=desk, today=D(2026, 5, 6)
    )
    rows = permit_rows(desk, D(2026, 11, 30))
    # the replacement keeps the old valid-until day, so it is due; the old card is not
    assert set(rows) == {replaced, kept}
    assert day_counts(desk, D(2026, 11, 30))["permits_due"] == 2


def test_lapses_on_asks_the_rule() -> None:
    for valid_until in (D(2026, 11, 30), D(2028, 2, 28), D(2028, 2, 29)):
        first = lapses_on(valid_until)
        assert permit_rules.effective_status("valid", valid_until, first) == "lapsed"
        assert permit_rules.effective_status("valid", valid_until, first - DAY) == "valid"


def test_permit_pages_break_ties_by_id(people: People, catalogue: Catalogue, desk: Desk) -> None:
    """Five permits issued the same day share their valid-until day: each page goes on after the
    last id shown, never skipping or repeating one."""
    same_day = [with_permit(people, catalogue, desk, D(2025, 12, 1)) for _ in range(5)]
    today = D(2026, 11, 1)  # their window opens today
    whole = page("permits_due", desk, today, limit=200)
    assert [r["id_number"] for r in whole.rows] == same_day  # by id: the issue order
    for limit in (1, 2, 3, 4):
        assert [r["id_number"] for r in every_row("permits_due", desk, today, limit)] == same_day


def test_the_lists_have_their_indexes(database: peewee.Database) -> None:
    """m0007: a new database has the counter's list indexes (an upgraded one gets them in up)."""
    from db.migrations.m0007_desk_list_indexes import INDEXES

    names = {index.name for index in database.get_indexes("request")}
    assert set(INDEXES) <= names
