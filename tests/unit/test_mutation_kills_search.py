"""Tests written to kill mutants that survived mutmut over the desk's search and lists
(db/search.py, db/views.py, db/desk_lists.py; issue 6).

Each test names the behaviour a surviving mutant broke. Tests that touch the database run on
SQLite and PostgreSQL through the `database` fixture.

db/search.py keeps the SQL of each query per engine in a module-level dict (`_COMPILED`): a test
that starts with it full never runs the query builders again. Every test here starts and ends
with it empty, so the builders run (mutmut forks after the other tests have filled it).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import peewee
import pytest

from db import permits as permit_ops
from db import requests as ops
from db import search as search_module
from db.clock import clock
from db.connection import db
from db.desk_lists import HOME_KINDS, LIST_KINDS, PermitSpans, _span, day_counts, page
from db.models import Household, Permit, Person, Request
from db.people import add_household, add_person
from db.search import Hit, Kind, Query, bind, classify, is_chinese, plan, search, successor
from db.setup import Desk
from db.views import address_from, overdue, permit_view, person_view, request_rows, request_view
from forms.catalogue import Catalogue
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.status import STATUS_LABELS, Status
from tests.conftest import HOME, TODAY, IdMaker
from tests.unit.test_desk_lists import People, with_permit
from tests.unit.test_search import sharing_tail

D = dt.date
MORNING = dt.datetime(2026, 11, 27, 9, 30)


@pytest.fixture(autouse=True)
def cold_query_cache() -> Iterator[None]:
    search_module._COMPILED.clear()
    yield
    search_module._COMPILED.clear()


def found(text: str, limit: int | None = None) -> list[str]:
    with clock(MORNING):
        hits = search(text) if limit is None else search(text, limit=limit)
    return [hit.name for hit in hits]


def household_with(names: dict[str, str]) -> Household:
    """One household of HOME holding `names` (name -> citizen ID), the first its head."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    for index, (name, id_number) in enumerate(names.items()):
        add_person(
            household_number=household.number, id_number=id_number, name=name,
            relation="户主" if index == 0 else "其他", today=TODAY,
        )  # fmt: skip
    return household


# ── db/search.py: what counts as a Chinese character (each end of each range) ──


@pytest.mark.parametrize(
    ("code", "chinese"),
    [
        (0x33FF, False), (0x3400, True), (0x9FFF, True), (0xA000, False),
        (0xF8FF, False), (0xF900, True), (0xFAFF, True), (0xFB00, False),
        (0x1FFFF, False), (0x20000, True), (0x323AF, True), (0x323B0, False),
    ],
)  # fmt: skip
def test_each_range_of_chinese_characters_is_closed_at_both_ends(code: int, chinese: bool) -> None:
    assert is_chinese(chr(code)) is chinese


# ── db/search.py: the upper end of a prefix range ──


def test_the_successor_at_the_top_of_unicode() -> None:
    assert successor("a\U0010fffe") == "a\U0010ffff"  # the last character still has a successor
    assert successor("ab\U0010ffff") == "ac"  # carried into the character before, not the first
    assert successor("\U0010ffff\U0010ffff") is None
    assert successor("a\udffe") == "a\ue000"  # never a surrogate, even after one


# ── db/search.py: the queries each kind of text runs ──


@pytest.mark.parametrize(
    ("query", "steps"),
    [
        (Query(Kind.ID, "610924195803120310"), [("id", {"value": "610924195803120310"})]),
        (
            Query(Kind.OLD_ID, "610924580312031"),
            [
                ("id", {"value": "610924195803120310"}),
                ("id_prefix", {"lo": "610924580312031", "hi": "610924580312032"}),
            ],
        ),
        (Query(Kind.ID_PREFIX, "6109241"), [("id_prefix", {"lo": "6109241", "hi": "6109242"})]),
        (Query(Kind.ID_TAIL, "x130"), [("id_tail", {"lo": "x130", "hi": "x131"})]),
        (Query(Kind.TICKET, "ZY01-2026-000001"), [("ticket", {"value": "ZY01-2026-000001"})]),
        (Query(Kind.HOUSEHOLD, "H000302"), [("household", {"value": "H000302"})]),
        (Query(Kind.CODE, "ABCD-EFGH-JKLM"), [("code", {"value": "ABCD-EFGH-JKLM"})]),
        (
            Query(Kind.LETTERS, "zs"),
            [("initials", {"lo": "zs", "hi": "zt"}), ("pinyin", {"lo": "zs", "hi": "zt"})],
        ),
        # twelve letters: the request whose verification code they are comes before any person
        (
            Query(Kind.LETTERS, "zhangsanfeng", "ZHAN-GSAN-FENG"),
            [
                ("code", {"value": "ZHAN-GSAN-FENG"}),
                ("initials", {"lo": "zhangsanfeng", "hi": "zhangsanfenh"}),
                ("pinyin", {"lo": "zhangsanfeng", "hi": "zhangsanfenh"}),
            ],
        ),
        (Query(Kind.NAME, "张"), [("name", {"lo": "张", "hi": "弡"})]),
        # no string lies above every name that starts so: no query at all
        (Query(Kind.NAME, "\U0010ffff"), []),
    ],
)  # fmt: skip
def test_the_queries_each_kind_of_text_runs(query: Query, steps: list[tuple[str, dict]]) -> None:
    assert plan(query, 7) == [(name, {**values, "limit": 7}) for name, values in steps]


# ── db/search.py: the SQL is written once per engine ──


def test_the_sql_is_written_once_and_kept_per_engine(database: peewee.Database) -> None:
    values = {"lo": "张", "hi": "弡", "limit": 20}
    sql, params = bind("name", values)
    assert params == ["张", "弡", 20]  # every parameter is one of the values
    assert bind("name", values)[0] is sql  # kept: peewee is not asked twice
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    # The other engine (a database object only; SQL is written without connecting) gets its own.
    other = peewee.SqliteDatabase(":memory:") if postgres else peewee.PostgresqlDatabase("x")
    db.initialize(other)
    try:
        other_sql, other_params = bind("name", values)
    finally:
        db.initialize(database)
    assert other_params == params
    pg_sql, sqlite_sql = (sql, other_sql) if postgres else (other_sql, sql)
    # PostgreSQL compares the keys as the indexes hold them (COLLATE "C"); SQLite bytewise.
    name = '"t1"."name"'
    assert f'WHERE (({name} COLLATE "C" >= %s) AND ({name} COLLATE "C" < %s))' in pg_sql
    assert f'ORDER BY {name} COLLATE "C", "t1"."id" LIMIT %s' in pg_sql
    assert f"WHERE (({name} >= ?) AND ({name} < ?)) ORDER BY {name}, " in sqlite_sql
    assert bind("name", values)[0] is sql


# ── db/search.py: what each kind of hit says ──


def test_persons_with_and_without_a_permit_each_get_their_own(
    database: peewee.Database, make_id: IdMaker, catalogue: Catalogue, desk: Desk
) -> None:
    names = {"张大山": make_id(D(1958, 3, 12)), "张小河": make_id(D(1961, 8, 20))}
    household = household_with(names)
    permit_ops.issue_permit(id_number=names["张小河"], catalogue=catalogue, desk=desk, today=TODAY)
    with clock(MORNING):
        hits = search("张")
    assert hits == [
        Hit("person", names["张大山"], mask_id(names["张大山"]), "张大山",
            f"{HOME} {household.number} 未办居住证"),
        Hit("person", names["张小河"], mask_id(names["张小河"]), "张小河",
            f"{HOME} {household.number} 居住证有效"),
    ]  # fmt: skip
    with clock(MORNING):
        assert search(names["张小河"]) == hits[1:]
        assert search(names["张大山"]) == hits[:1]
        assert search(household.number) == [
            Hit("household", "", "", household.number, f"{HOME} 2人", household=household.number)
        ]


def test_a_person_with_a_replaced_permit_is_one_hit_with_the_new_permit(
    database: peewee.Database, make_id: IdMaker, catalogue: Catalogue, desk: Desk
) -> None:
    names = {"张大山": make_id(D(1958, 3, 12)), "张小河": make_id(D(1961, 8, 20))}
    household_with(names)
    permit_ops.issue_permit(id_number=names["张大山"], catalogue=catalogue, desk=desk, today=TODAY)
    permit_ops.replace_permit(
        id_number=names["张大山"], reason="lost", catalogue=catalogue, desk=desk, today=TODAY
    )
    # One row per person (the newest permit joined by its id), so the limit counts persons.
    with clock(MORNING):
        hits = search("张", limit=2)
    assert [(h.name, h.detail.split()[-1]) for h in hits] == [
        ("张大山", "居住证有效"),
        ("张小河", "未办居住证"),
    ]


def test_a_prefix_range_stops_below_the_next_prefix(
    database: peewee.Database, make_id: IdMaker
) -> None:
    # zs's range ends just below zt: 张涛's initials are zt exactly, outside it.
    household_with({"张三": make_id(D(1970, 1, 2)), "张涛": make_id(D(1971, 1, 2))})
    assert found("zs") == ["张三"]
    assert found("zt") == ["张涛"]


def test_an_id_tail_lists_its_people_by_name_not_by_id(
    database: peewee.Database, make_id: IdMaker
) -> None:
    first = make_id(D(1970, 1, 2))
    other = sharing_tail(first, 4)
    # The one whose reversed ID (the key the range reads) is larger gets the smaller name.
    low, high = sorted((first, other), key=lambda number: number[::-1])
    household_with({"王二": low, "丁一": high})
    assert found(first[-4:]) == ["丁一", "王二"]  # 丁 U+4E01 before 王 U+738B


def test_an_overdue_request_keeps_its_service_and_status(
    database: peewee.Database, make_id: IdMaker, catalogue: Catalogue, desk: Desk
) -> None:
    number = make_id(D(1970, 1, 2))
    household_with({"张三": number})
    request = ops.open_request(
        id_number=number, service="P01", catalogue=catalogue, desk=desk, today=TODAY,
        provided=["all"],
    )  # fmt: skip
    assert request.promised_by is not None
    label = STATUS_LABELS[request.status]
    expected = Hit("request", number, mask_id(number), "张三",
                   f"{request.service_name} {label}", request.ticket)  # fmt: skip
    with clock(MORNING):
        assert search(request.ticket) == [expected]
        assert search(request.verify_code) == [expected]
    with clock(dt.datetime.combine(request.promised_by + dt.timedelta(days=1), dt.time(9))):
        [hit] = search(request.ticket)
    assert hit.detail == f"{request.service_name} {label} 已超期"


def test_twelve_letters_that_are_a_code_find_the_request_before_the_people(
    database: peewee.Database, make_id: IdMaker, catalogue: Catalogue, desk: Desk
) -> None:
    household = household_with({"张三": make_id(D(1970, 1, 2))})
    # About one code in twelve is letters only (base32 also has 2-7): open requests until one is.
    for n in range(300):
        number = make_id(D(1960, 1, 1) + dt.timedelta(days=n))
        add_person(
            household_number=household.number, id_number=number, name="张三", relation="其他",
            today=TODAY,
        )  # fmt: skip
        request = ops.open_request(
            id_number=number, service="P01", catalogue=catalogue, desk=desk, today=TODAY
        )
        code = request.verify_code
        if code.replace("-", "").isalpha():
            break
    else:
        raise AssertionError("no code of letters only in 300 requests")
    letters = code.replace("-", "").lower()
    assert classify(letters) == Query(Kind.LETTERS, letters, code)
    with clock(MORNING):
        hits = search(letters)
    assert [(h.kind, h.ticket) for h in hits] == [("request", request.ticket)]


# ── db/search.py: the limit and persons found twice ──


def test_twenty_hits_when_no_limit_is_given(database: peewee.Database, make_id: IdMaker) -> None:
    names = [f"王{given}" for given in "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌"]
    household_with(
        {name: make_id(D(1990, 1, 1) + dt.timedelta(days=n)) for n, name in enumerate(names)}
    )
    assert found("王") == sorted(names)[:20]
    assert len(found("王", limit=21)) == 21


def test_a_person_both_key_queries_find_is_listed_once_and_the_rest_still_follow(
    database: peewee.Database, make_id: IdMaker
) -> None:
    # zh: 张昊's initials; the pinyin query finds zhanghao (him again) and then zhangsan.
    household_with({"张昊": make_id(D(1970, 1, 2)), "张三": make_id(D(1971, 1, 2))})
    assert found("zh") == ["张昊", "张三"]
    # The limit holds across the two queries: the initials give one hit, the pinyin two new.
    household_with({"张爱": make_id(D(1972, 1, 2)), "张安": make_id(D(1973, 1, 2))})
    assert found("zh") == ["张昊", "张爱", "张安", "张三"]  # zhangai, zhangan, zhangsan
    assert found("zh", limit=2) == ["张昊", "张爱"]


# ── db/views.py: what `request show`, `person show` and `permit show` print ──


def local(at: dt.datetime) -> str:
    """A recorded time as the views write it (ISO 8601 with this machine's offset)."""
    return at.astimezone().isoformat()


@pytest.fixture
def resident(database: peewee.Database, make_id: IdMaker) -> str:
    """王德明, with his own phone, in a household whose address has every part."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY,
        site="双星安置点", grid="第三网格", building="5", unit="2单元", room="301",
        phone="09155551234", monitored=True,
    )  # fmt: skip
    number = make_id(D(1958, 3, 12))
    add_person(
        household_number=household.number, id_number=number, name="王德明", relation="户主",
        today=TODAY, phone="13900001111",
    )  # fmt: skip
    return number


ADDRESS = f"{HOME}双星安置点5栋2单元301室"


def test_a_request_view_carries_every_field(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    opened = dt.datetime(2026, 11, 27, 10, 0)
    with clock(opened):
        request = ops.open_request(
            id_number=resident, service="P01", catalogue=catalogue, desk=desk, today=TODAY,
            provided=["all"],
        )  # fmt: skip
    assert request.promised_by is not None
    view = request_view(Request.get_by_id(request.id), TODAY, with_events=True)
    documents = ["居民身份证", "近期一寸免冠彩色照片", "居住证明"]
    assert [d["name"] for d in view.pop("required_documents")] == documents
    assert [r["rule"] for r in view.pop("reasons")] == ["SIDE-HERE", "PERMIT-SERVICE"]
    assert view == {
        "ticket": request.ticket,
        "service": {"code": "P01", "name": "居住证申领"},
        "side": "here",
        "decision": "handle",
        "decision_label": "本窗口办理",
        "handled_by": f"{HOME}服务大厅",
        "status": "accepted",
        "status_label": "已受理",
        "person": {
            "name": "王德明",
            "id_number": mask_id(resident),
            "phone": "13900001111",  # the person's own, before the household's
            "address": ADDRESS,
        },
        "remedy": "",
        "received_documents": documents,
        "missing_documents": [],
        "opened_at": local(opened),
        "opened_on": "2026-11-27",
        "backdated": False,
        "promised_by": request.promised_by.isoformat(),
        "closed_on": None,
        "overdue": False,
        "community": HOME,
        "counter": "SXSQ01",
        "counter_no": 1,
        "officer": "值班窗口人员",
        "permit": None,
        "events": [
            {
                "kind": "opened", "label": "受理登记", "at": local(opened), "on": "2026-11-27",
                "backdated": False, "status_after": "accepted", "officer": "值班窗口人员",
                "counter": "SXSQ01", "note": "本窗口办理",
            }
        ],
    }  # fmt: skip
    # A listed row reads the same columns from the joined query.
    [row] = request_rows(ops.request_query(day=TODAY, community=HOME), TODAY)
    assert row == request_view(Request.get_by_id(request.id), TODAY)


def test_a_history_is_in_recorded_time_order(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    """Two counters' clocks differ a little: the history follows the recorded times, then the
    order of entry (here the later entries were recorded at earlier times)."""
    with clock(dt.datetime(2026, 11, 27, 10, 0)):
        request = ops.open_request(
            id_number=resident, service="P01", catalogue=catalogue, desk=desk, today=TODAY
        )
    with clock(dt.datetime(2026, 11, 27, 9, 59)):
        ops.supplement(request.ticket, ["all"], desk, TODAY)
        permit_ops.issue_permit(id_number=resident, catalogue=catalogue, desk=desk, today=TODAY)
    with clock(dt.datetime(2026, 11, 27, 9, 58)):
        permit_ops.revoke_permit(id_number=resident, reason="点错了人", desk=desk, today=TODAY)
        events = request_view(Request.get_by_id(request.id), TODAY, with_events=True)["events"]
        [permit] = Permit.select()
        history = permit_view(permit, TODAY)["history"]
    assert [e["kind"] for e in events] == ["supplemented", "completed", "opened"]
    assert [e["kind"] for e in history] == ["revoked", "issued"]


def test_person_and_permit_views_carry_every_field(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    at = dt.datetime(2026, 11, 27, 10, 5)
    with clock(at):
        permit_ops.issue_permit(id_number=resident, catalogue=catalogue, desk=desk, today=TODAY)
        new = permit_ops.replace_permit(
            id_number=resident, reason="lost", catalogue=catalogue, desk=desk, today=TODAY
        )
    old = Permit.get_by_id(new.replaces_id)
    person = Person.get(Person.id_number == resident)
    view = person_view(person, TODAY, masked=False)
    assert view.pop("permit") == permit_view(new, TODAY)
    assert view == {
        "id_number": mask_id(resident),
        "name": "王德明",
        "sex": "男",
        "birth_date": "1958-03-12",
        "ethnicity": "汉族",
        "relation": "户主",
        "phone": "13900001111",
        "hukou_address": person.hukou_address,
        "household": {
            "number": person.household.number,
            "origin_village": "洞河镇麻园村",
            "community": HOME,
            "site": "双星安置点",
            "grid": "第三网格",
            "building": "5",
            "unit": "2单元",
            "room": "301",
            "address": ADDRESS,
            "moved_in": "2019-05-01",
            "phone": "09155551234",
            "monitored": True,
        },
        "id_number_full": resident,
    }
    assert "id_number_full" not in person_view(person, TODAY)
    history = {
        "on": "2026-11-27", "at": local(at), "backdated": False, "valid_until": "2027-11-26",
        "residence_since": "2019-05-01", "staff": "值班窗口人员",
    }  # fmt: skip
    common = {
        "holder": "王德明", "id_number": mask_id(resident), "community": HOME,
        "accepted_on": "2026-11-27", "issue_due_by": "2026-12-18", "issued_on": "2026-11-27",
        "valid_until": "2027-11-26", "residence_since": "2019-05-01", "endorse_from": "2027-10-27",
    }  # fmt: skip
    assert permit_view(old, TODAY) == {
        **common,
        "number": old.number,
        "status": "replaced",
        "status_label": "已补换（旧证作废）",
        "replaces": None,
        "closed_on": "2026-11-27",
        "closed_reason": "遗失补领",
        "fee_yuan": 0.0,
        "history": [
            {**history, "kind": "issued", "kind_label": "签发", "note": ""},
            {**history, "kind": "replaced", "kind_label": "补换领",
             "note": f"遗失补领，由{new.number}替代，原证号作废"},
        ],
    }  # fmt: skip
    assert permit_view(new, TODAY) == {
        **common,
        "number": new.number,
        "status": "valid",
        "status_label": "有效",
        "replaces": old.number,
        "closed_on": None,
        "closed_reason": "",
        "fee_yuan": 20.0,
        "history": [
            {**history, "kind": "issued", "kind_label": "签发",
             "note": f"遗失补领，替代{old.number}，收取工本费20元"},
        ],
    }  # fmt: skip
    assert permit_view(new, TODAY, masked=False)["id_number"] == resident


@pytest.mark.parametrize(
    ("status", "promised", "today", "late"),
    [
        (Status.ACCEPTED, D(2026, 12, 1), D(2026, 11, 30), False),
        (Status.ACCEPTED, D(2026, 12, 1), D(2026, 12, 1), False),  # the promised day itself
        (Status.ACCEPTED, D(2026, 12, 1), D(2026, 12, 2), True),
        (Status.FORWARDED, D(2026, 12, 1), D(2026, 12, 2), True),
        (Status.PENDING_MATERIALS, None, D(2026, 12, 2), False),
        (Status.COMPLETED, D(2026, 12, 1), D(2026, 12, 2), False),
        (Status.REFUSED, D(2026, 12, 1), D(2026, 12, 2), False),
    ],
)
def test_overdue_only_after_the_promised_day(
    status: Status, promised: dt.date | None, today: dt.date, late: bool
) -> None:
    assert overdue(status, promised, today) is late


def test_an_address_names_the_site_only_when_it_is_not_the_community() -> None:
    assert address_from(HOME, HOME, "5", "2", "301") == f"{HOME}5栋2单元301室"
    assert address_from(HOME, "", "5栋", "2单元", "301室") == f"{HOME}5栋2单元301室"
    assert address_from(HOME, "双星安置点", "", "", "") == f"{HOME}双星安置点"


# ── db/desk_lists.py ──


@pytest.fixture
def heads(database: peewee.Database, make_id: IdMaker) -> People:
    return People(make_id)


def test_an_unknown_list_names_the_lists_there_are(database: peewee.Database, desk: Desk) -> None:
    with pytest.raises(CounterError) as caught:
        page("later", desk, TODAY)
    assert caught.value.zh == (
        "没有“later”这个列表（可选：今日、待补正、转办待回、今日到期、已超期、本周到期、"
        "本周签注到期、全部待办）"
    )
    assert caught.value.en == (
        "unknown list 'later'; use one of: "
        "today, pending, awaiting, due, overdue, due_week, permits_due, open"
    )
    with pytest.raises(CounterError) as caught:
        day_counts(desk, TODAY, ["today", "later"])
    assert caught.value.en.startswith("unknown list 'later';")


def test_a_counter_without_requests_counts_zero_everywhere(
    database: peewee.Database, desk: Desk
) -> None:
    assert day_counts(desk, TODAY, LIST_KINDS) == dict.fromkeys(LIST_KINDS, 0)


def test_a_request_on_the_second_list_only_is_counted(
    heads: People, catalogue: Catalogue, desk: Desk
) -> None:
    """Opened yesterday and still waiting for papers: on 待补正 only, the home line's second."""
    with clock(dt.datetime.combine(TODAY - dt.timedelta(days=1), dt.time(9))):
        ops.open_request(
            id_number=heads(), service="P01", catalogue=catalogue, desk=desk,
            today=TODAY - dt.timedelta(days=1),
        )  # fmt: skip
    assert day_counts(desk, TODAY) == {**dict.fromkeys(HOME_KINDS, 0), "pending": 1}


def pending_at(heads: People, catalogue: Catalogue, desk: Desk, at: dt.datetime) -> Request:
    with clock(at):
        return ops.open_request(
            id_number=heads(), service="P01", catalogue=catalogue, desk=desk,
            today=at.date(),
        )  # fmt: skip


def test_a_page_holds_fifty_rows_unless_told(
    heads: People, catalogue: Catalogue, desk: Desk
) -> None:
    for minute in range(51):
        pending_at(heads, catalogue, desk, dt.datetime.combine(TODAY, dt.time(9, minute)))
    first = page("pending", desk, TODAY)
    assert (len(first.rows), first.total) == (50, 51)
    assert first.next_after is not None


def test_today_and_pending_are_in_the_order_they_came_in(
    heads: People, catalogue: Catalogue, desk: Desk
) -> None:
    """The second request was entered with an earlier time (another counter's clock): the lists
    follow the opening times, not the order of entry, and so do their cursors, also given back
    as ISO text."""
    late = pending_at(heads, catalogue, desk, dt.datetime.combine(TODAY, dt.time(10)))
    early_at = dt.datetime.combine(TODAY, dt.time(9))
    early = pending_at(heads, catalogue, desk, early_at)
    for kind in ("today", "pending"):
        assert [r["ticket"] for r in page(kind, desk, TODAY).rows] == [early.ticket, late.ticket]
        first = page(kind, desk, TODAY, limit=1)
        assert first.next_after == (early_at, early.id)
        as_text = (early_at.isoformat(), early.id)
        rest = page(kind, desk, TODAY, after=as_text, limit=1)
        assert [r["ticket"] for r in rest.rows] == [late.ticket] and rest.next_after is None


def test_a_promise_cursor_given_back_as_iso_text(
    heads: People, catalogue: Catalogue, desk: Desk
) -> None:
    with clock(dt.datetime.combine(TODAY, dt.time(9))):
        made = [
            ops.open_request(
                id_number=heads(), service="P01", catalogue=catalogue, desk=desk,
                today=TODAY, provided=["all"],
            )
            for _ in range(2)
        ]  # fmt: skip
    first = page("open", desk, TODAY, limit=1)
    promised, last_id = first.next_after
    assert (promised, last_id) == (made[0].promised_by, made[0].id)
    rest = page("open", desk, TODAY, after=(promised.isoformat(), last_id), limit=1)
    assert [r["ticket"] for r in rest.rows] == [made[1].ticket]


def test_permits_due_rows_order_total_and_cursor(
    heads: People, catalogue: Catalogue, desk: Desk
) -> None:
    """The window's permit is issued first, the lapsing one second: the list still puts the
    lapse first (by valid-until day, not by entry)."""
    window = with_permit(heads, catalogue, desk, D(2026, 1, 1))  # window opens 2026-12-01
    lapsing = with_permit(heads, catalogue, desk, D(2025, 12, 3))  # valid until 2026-12-02
    today = D(2026, 11, 27)
    whole = page("permits_due", desk, today)
    permits = {p.person.id_number: p for p in Permit.select()}
    names = {p.id_number: p.name for p in Person.select()}
    assert whole.rows == [
        {
            "id_number": lapsing, "name": names[lapsing], "masked_id": mask_id(lapsing),
            "permit_number": permits[lapsing].number, "valid_until": "2026-12-02",
            "what": "12-03 失效", "reason": "lapses", "on": "2026-12-03",
        },
        {
            "id_number": window, "name": names[window], "masked_id": mask_id(window),
            "permit_number": permits[window].number, "valid_until": "2026-12-31",
            "what": "签注期开始 12-01", "reason": "window_opens", "on": "2026-12-01",
        },
    ]  # fmt: skip
    assert (whole.total, whole.next_after) == (2, None)
    exact = page("permits_due", desk, today, limit=2)  # exactly a page: no next one
    assert (len(exact.rows), exact.next_after) == (2, None)
    first = page("permits_due", desk, today, limit=1)
    assert first.total == 2
    assert first.next_after == (D(2026, 12, 2), permits[lapsing].id)
    as_text = ("2026-12-02", permits[lapsing].id)
    rest = page("permits_due", desk, today, after=as_text, limit=1)
    assert [r["id_number"] for r in rest.rows] == [window]


def test_no_span_lists_no_permit(heads: People, catalogue: Catalogue, desk: Desk) -> None:
    with_permit(heads, catalogue, desk, D(2025, 12, 1))
    assert Permit.select().where(PermitSpans(None, None).where()).count() == 0
    assert Permit.select().where(PermitSpans((D(2026, 11, 30),) * 2, None).where()).count() == 1


def test_a_span_is_the_whole_run_of_days_a_rule_maps_into_the_range() -> None:
    """A rule that maps many days onto one (as February clips the endorsement window) and a
    range of a single day: every valid-until day of the run, from its first."""

    def first_of_next_month(day: dt.date) -> dt.date:
        return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)

    december = D(2026, 12, 1)
    assert _span(first_of_next_month, december, december) == (D(2026, 11, 1), D(2026, 11, 30))
    assert _span(first_of_next_month, D(2026, 12, 2), D(2026, 12, 31)) is None
    assert _span(lambda day: day, december, december) == (december, december)


def test_a_page_asks_for_one_row_more_than_it_shows(
    heads: People, catalogue: Catalogue, desk: Desk, database: peewee.Database
) -> None:
    with_permit(heads, catalogue, desk, D(2025, 12, 1))
    pending_at(heads, catalogue, desk, dt.datetime.combine(TODAY, dt.time(9)))
    asked: list[list[Any]] = []
    real = database.execute_sql

    def execute_sql(sql: str, params: Any = None, *args: Any, **kwargs: Any) -> Any:
        asked.append(list(params or ()))
        return real(sql, params, *args, **kwargs)

    database.execute_sql = execute_sql  # type: ignore[method-assign]
    try:
        page("pending", desk, TODAY, limit=3)
        page("permits_due", desk, D(2026, 11, 27), limit=3)
    finally:
        del database.execute_sql
    rows_of_pending, _, rows_of_permits, _ = asked
    assert rows_of_pending[-1] == 4 and rows_of_permits[-1] == 4  # the LIMIT: 3 shown + 1
