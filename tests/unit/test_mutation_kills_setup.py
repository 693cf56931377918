"""Tests written to kill mutants that survived mutmut over db/setup.py (run of 2026-11-29).

Each test names the behaviour a surviving mutant broke: the county list of places (what
`add_places` stores and counts, the order `list_places` gives, what `add_place_by` answers),
the refusals of supervisor-only settings in full, the desk a named counter gets, and the
serial numbers a batch reserves. All run on the real database (SQLite and PostgreSQL through
`database`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from db import db, migrations, open_database, receipt_keys
from db.accounts import add_staff
from db.connection import shown_location
from db.models import Place, Setting, Staff
from db.receipts import print_receipt_version
from db.setup import (
    DEFAULT_COMMUNITY,
    Desk,
    add_place,
    add_place_by,
    add_places,
    backdate_window,
    check_known_community,
    check_staff_code,
    counter_place,
    ensure_ready,
    get_setting,
    init_counter,
    list_places,
    load_desk,
    next_serial,
    office_code_for,
    reserve_serials,
    set_backdate_window,
    set_setting,
)
from forms import dates
from forms.catalogue import Catalogue
from tests.conftest import HOME, SUPERVISOR, refused
from tests.unit.test_receipts_and_backup import open_permit_request, resident, second_url

__all__ = ["resident", "second_url"]  # the fixtures, used by name below

OFFICER_PW = "zhangmin-pw"


def stored_places() -> set[tuple[str, str, str]]:
    return {(p.town, p.community, p.site) for p in Place.select()}


@pytest.fixture
def empty(database: peewee.Database, second_url: str) -> Iterator[peewee.Database]:
    """A second database of the same engine, bound and empty; the test database is bound
    again afterwards."""
    other = open_database(second_url, create=True)
    yield other
    other.close()
    db.initialize(database)


@pytest.fixture
def clerk(desk: Desk) -> Desk:
    """Officer 101, added by supervisor 001."""
    add_staff(desk, "101", "张敏", password=OFFICER_PW)
    return load_desk("101")


# ── init on a new database, and again ──


def test_init_on_a_new_database_answers_every_setting(
    empty: peewee.Database, receipt_key_file: str
) -> None:
    first = init_counter()
    assert first == {
        "community": DEFAULT_COMMUNITY,
        "counter": "XCSQ01",
        "counter_no": 1,
        "office_code": "XCSQ",
        "phone": "",
        "schema": ["(new database)"],
        "receipt_key_file": receipt_key_file,
        "receipt_key_created": False,  # the session's key file is there already
        "receipt_keys_missing": [],
    }
    stored = {s.key: s.value for s in Setting.select()}
    assert {k: stored[k] for k in ("community", "counter_no", "office_code")} == {
        "community": DEFAULT_COMMUNITY,
        "counter_no": "1",
        "office_code": "XCSQ",
    }
    assert "phone" not in stored
    assert [(p["town"], p["community"], p["site"]) for p in list_places()] == [
        ("城关镇", DEFAULT_COMMUNITY, "")
    ]
    again = init_counter()
    assert again["schema"] == ["(up to date)"]
    assert {k: again[k] for k in ("community", "counter", "phone")} == {
        "community": DEFAULT_COMMUNITY,
        "counter": "XCSQ01",
        "phone": "",
    }


def test_init_on_a_new_database_takes_the_values_given(empty: peewee.Database) -> None:
    result = init_counter(" 红椿镇红椿社区 ", 7, None, "13912345678")
    assert (result["community"], result["counter"], result["office_code"]) == (
        "红椿镇红椿社区",
        "HCSQ07",
        "HCSQ",
    )
    assert (result["counter_no"], result["phone"]) == (7, "13912345678")
    assert (get_setting("community"), get_setting("counter_no")) == ("红椿镇红椿社区", "7")
    assert (get_setting("office_code"), get_setting("phone")) == ("HCSQ", "13912345678")
    assert [p["community"] for p in list_places()] == ["红椿镇红椿社区"]


def test_init_again_keeps_every_stored_value(database: peewee.Database) -> None:
    init_counter(None, 5, "AB12", reconfigure=True)
    # No value given, or the stored ones given again: no change, nothing refused.
    for args in ((), (HOME,), (HOME, 5), (None, None, "ab12")):
        result = init_counter(*args)
        assert (result["community"], result["counter"]) == (HOME, "AB1205"), args
    assert (get_setting("counter_no"), get_setting("office_code")) == ("5", "AB12")


def test_init_refuses_a_blank_community_or_a_bad_phone(database: peewee.Database) -> None:
    blank = refused(init_counter, "  ", reconfigure=True)
    assert (blank.zh, blank.en) == ("缺少社区名称", "community is required")
    assert "电话" in refused(init_counter, None, None, None, "12ab").zh
    assert get_setting("community") == HOME and get_setting("phone") is None


def test_init_names_the_keys_of_receipts_this_machine_lacks(
    resident: str,
    catalogue: Catalogue,
    desk: Desk,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    print_receipt_version(request, desk)
    hall_key = receipt_keys.load().current
    assert init_counter()["receipt_keys_missing"] == []
    other = tmp_path / "pc2" / "receipt-keys.json"
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", str(other))
    result = init_counter()
    assert result["receipt_key_created"] is True and result["receipt_key_file"] == str(other)
    assert result["receipt_keys_missing"] == [hall_key]
    again = init_counter()
    assert again["receipt_key_created"] is False and again["receipt_keys_missing"] == [hall_key]


def test_a_database_without_staff_says_how_to_add_the_first(empty: peewee.Database) -> None:
    init_counter()
    error = refused(load_desk)
    assert (error.zh, error.en) == (
        "本数据库还没有工作人员账号，请先运行：ziyang-counter init --supervisor 工号 "
        "--supervisor-name 姓名",
        "this database has no staff accounts yet: run "
        "'ziyang-counter init --supervisor CODE --supervisor-name NAME'",
    )


def test_without_a_code_the_desk_is_the_first_active_account_by_id(
    database: peewee.Database, desk: Desk
) -> None:
    """Not the row the table happens to return first: on PostgreSQL an edited row (here 001's)
    moves behind the others in the table."""
    add_staff(desk, "101", "张敏", password=OFFICER_PW)
    Staff.update(name="值班窗口人员甲").where(Staff.code == "001").execute()
    assert (load_desk().staff_code, load_desk().staff_name) == ("001", "值班窗口人员甲")


# ── ensure_ready ──


def test_a_database_never_initialised_is_refused_in_full(empty: peewee.Database) -> None:
    where = shown_location(empty)
    message = (
        f"数据库尚未初始化或需要升级（{where}），请先运行：ziyang-counter init",
        f"the database {where} is not initialised or needs an upgrade: run 'ziyang-counter init'",
    )
    error = refused(ensure_ready)
    assert (error.zh, error.en) == message
    migrations.upgrade(empty)  # the schema alone, without the counter's settings
    error = refused(ensure_ready)
    assert (error.zh, error.en) == message
    init_counter()
    ensure_ready()


def test_ensure_ready_checks_an_open_database_once(database: peewee.Database) -> None:
    """Every operation calls it: once a database passed, it is not asked again."""
    ensure_ready()
    Setting.delete().where(Setting.key == "community").execute()
    ensure_ready()


# ── office codes and the county list ──


@pytest.mark.parametrize(
    ("community", "code"),
    [
        (HOME, "SXSQ"),
        ("城关街道新城社区", "XCSQ"),
        ("红椿乡红椿村", "HCC"),
        ("新城社区", "XCSQ"),
        ("蒿坪镇新镇社区", "SQ"),  # the last 镇 ends the town's name
        ("双星镇", "SXZ"),  # a marker that ends the name is part of it
        ("1号社区", "HSQ"),  # letters only
        ("123", "ZY"),
        ("蒿坪镇双星社区第一第二第三居委会", "SXSQDYDE"),  # at most 8
    ],
)
def test_office_code_for(community: str, code: str) -> None:
    assert office_code_for(community) == code


def test_add_place_says_whether_it_added(database: peewee.Database) -> None:
    assert add_place(HOME) is False
    assert add_place(HOME, HOME) is False  # the community's own row
    assert add_place(HOME, "一区") is True
    assert add_place(HOME, "一区") is False
    assert add_place("红椿镇红椿社区", "一区") is True  # a site, not yet its community
    assert add_place("红椿镇红椿社区") is True
    assert stored_places() == {
        ("蒿坪镇", HOME, ""),
        ("蒿坪镇", HOME, "一区"),
        ("红椿镇", "红椿镇红椿社区", "一区"),
        ("红椿镇", "红椿镇红椿社区", ""),
    }


def test_settings_read_write_and_default(database: peewee.Database) -> None:
    assert get_setting("nothing-here") is None
    assert get_setting("nothing-here", "fallback") == "fallback"
    set_setting("probe", "one")
    set_setting("probe", "two")
    assert get_setting("probe", "fallback") == "two"
    assert get_setting("community") == HOME
    assert Setting.select().where(Setting.key == "probe").count() == 1


# ── the county list: add_places, list_places, add_place_by ──


def test_add_places_stores_a_community_named_as_its_own_site_as_the_community(
    database: peewee.Database,
) -> None:
    """A (community, community) pair is the community's own row (site ""), and one already on
    the list is neither counted nor stored again, whichever way it is written."""
    assert add_places([("红椿镇红椿社区", "红椿镇红椿社区")]) == 1
    assert ("红椿镇", "红椿镇红椿社区", "") in stored_places()
    assert ("红椿镇", "红椿镇红椿社区", "红椿镇红椿社区") not in stored_places()
    before = stored_places()
    assert add_places([(HOME, HOME), (HOME, ""), ("红椿镇红椿社区", "")]) == 0
    assert stored_places() == before


def test_add_places_counts_only_the_new_pairs_and_stores_each_once(
    database: peewee.Database,
) -> None:
    assert add_places([(HOME, "一区")]) == 1
    new = [(HOME, "一区"), (HOME, "二区"), ("洞河镇洞河社区", "一区"), (HOME, "二区")]
    assert add_places(new) == 2  # 一区 of HOME was there; 二区 is named twice
    assert stored_places() == {
        ("蒿坪镇", HOME, ""),
        ("蒿坪镇", HOME, "一区"),
        ("蒿坪镇", HOME, "二区"),
        ("洞河镇", "洞河镇洞河社区", "一区"),
    }


def test_add_places_stores_every_row_of_a_list_longer_than_one_statement(
    database: peewee.Database,
) -> None:
    """Rows go in statements of 500: the first row, the 501st and the 1,001st all land."""
    sites = [f"{n:04d}区" for n in range(1001)]
    assert add_places([("洞河镇洞河社区", s) for s in sites]) == 1001
    stored = {site for _, community, site in stored_places() if community == "洞河镇洞河社区"}
    assert stored == set(sites)


def test_list_places_by_town_then_community_then_site(database: peewee.Database) -> None:
    # Added out of order; a community whose name names no town has town "" and comes first.
    add_places([("A镇C社区", ""), ("A镇B社区", "y"), ("A镇B社区", "x"), ("Z社区", "")])
    assert list_places() == [
        {"town": "", "community": "Z社区", "site": ""},
        {"town": "A镇", "community": "A镇B社区", "site": "x"},
        {"town": "A镇", "community": "A镇B社区", "site": "y"},
        {"town": "A镇", "community": "A镇C社区", "site": ""},
        {"town": "蒿坪镇", "community": HOME, "site": ""},
    ]


def test_add_place_by_answers_what_it_added(database: peewee.Database, desk: Desk) -> None:
    new = add_place_by(desk, "红椿镇红椿社区")
    assert new == {"town": "红椿镇", "community": "红椿镇红椿社区", "site": "", "added": True}
    again = add_place_by(desk, "红椿镇红椿社区")
    assert again == {"town": "红椿镇", "community": "红椿镇红椿社区", "site": "", "added": False}
    # A new site of a community already listed is an addition; the same site again is not.
    site = add_place_by(desk, HOME, "安置一区")
    assert site == {"town": "蒿坪镇", "community": HOME, "site": "安置一区", "added": True}
    assert add_place_by(desk, HOME, "安置一区")["added"] is False
    assert [(p["community"], p["site"]) for p in list_places()] == [
        ("红椿镇红椿社区", ""),
        (HOME, ""),
        (HOME, "安置一区"),
    ]


def test_add_place_by_refusals_in_full(database: peewee.Database, desk: Desk, clerk: Desk) -> None:
    officer = refused(add_place_by, clerk, "红椿镇红椿社区")
    assert (officer.zh, officer.en) == (
        "只有负责人（主管，supervisor）可以修改社区与安置点名单，工作人员 101 不是负责人",
        "only a supervisor may change the list of communities and sites; staff 101 is not one",
    )
    blank = refused(add_place_by, desk, "  ")
    assert (blank.zh, blank.en) == ("缺少社区名称", "community is required")
    long = refused(add_place_by, desk, "社" * 61)
    assert (long.zh, long.en) == (
        "社区名称过长（最多60字，当前61字）",
        "community is too long (60 characters at most, got 61)",
    )
    assert [p["community"] for p in list_places()] == [HOME]


def test_a_name_about_half_like_a_known_one_is_still_suggested(database: peewee.Database) -> None:
    """The suggestions take names from 0.4 alike (difflib's own default is 0.6): 双星小区 is
    0.55 like the home community."""
    error = refused(check_known_community, "双星小区")
    assert (error.zh, error.en) == (
        f"社区“双星小区”不在本数据库已知社区中，是否为：{HOME}",
        f"community '双星小区' is not a community this database knows; did you mean: {HOME}",
    )


def test_at_most_three_names_are_suggested_best_first(database: peewee.Database) -> None:
    add_places([(f"蒿坪镇双星{n}社区", "") for n in ("一", "二", "三", "五")])
    error = refused(check_known_community, "蒿坪镇双星四社区")
    assert (error.zh, error.en) == (
        "社区“蒿坪镇双星四社区”不在本数据库已知社区中，"
        "是否为：蒿坪镇双星社区、蒿坪镇双星五社区、蒿坪镇双星二社区",
        "community '蒿坪镇双星四社区' is not a community this database knows; "
        "did you mean: 蒿坪镇双星社区, 蒿坪镇双星五社区, 蒿坪镇双星二社区",
    )


@pytest.mark.parametrize("raw", ["7", "a", "Ｂ"])
def test_a_one_character_staff_code_is_taken(raw: str) -> None:
    assert check_staff_code(raw) == unicodedata.normalize("NFKC", raw)


# ── supervisor-only settings and the desk ──


def test_an_officer_may_not_change_the_backdating_window(
    database: peewee.Database, clerk: Desk
) -> None:
    error = refused(set_backdate_window, 60, clerk)
    assert (error.zh, error.en) == (
        "只有负责人（主管，supervisor）可以修改补录期限，工作人员 101 不是负责人",
        "only a supervisor may change the back-dating window; staff 101 is not one",
    )
    assert backdate_window() == dates.DEFAULT_BACKDATE_DAYS


def test_load_desk_takes_the_counter_number_it_is_given(database: peewee.Database) -> None:
    desk = load_desk("001", None, 7)
    assert (desk.counter_no, desk.counter_code) == (7, "SXSQ07")
    assert desk.counter_label == f"{HOME}服务大厅7号窗口"
    assert (desk.staff_code, desk.staff_name) == SUPERVISOR
    assert load_desk("001").counter_no == 1


@pytest.mark.parametrize("number", [1, 2, 98, 99])
def test_a_machine_may_name_any_counter_from_1_to_99(
    database: peewee.Database, number: int
) -> None:
    assert counter_place(None, number) == (HOME, number, "SXSQ")


def test_a_machine_without_its_own_settings_is_the_stored_counter(
    database: peewee.Database,
) -> None:
    assert counter_place() == (HOME, 1, "SXSQ")
    init_counter(None, 5, "AB12", reconfigure=True)
    assert counter_place() == (HOME, 5, "AB12")
    # Naming the stored community is no change: the stored office code, not its initials.
    assert counter_place(HOME) == (HOME, 5, "AB12")
    assert counter_place(HOME, 2) == (HOME, 2, "AB12")


def test_a_machine_naming_another_known_community_gets_its_initials(
    database: peewee.Database,
) -> None:
    add_places([("红椿镇红椿社区", "")])
    assert counter_place(" 红椿镇红椿社区 ", 3) == ("红椿镇红椿社区", 3, "HCSQ")
    assert counter_place("红椿镇红椿社区") == ("红椿镇红椿社区", 1, "HCSQ")


def test_a_machine_naming_a_blank_or_unknown_community_is_refused(
    database: peewee.Database,
) -> None:
    blank = refused(counter_place, "  ")
    assert (blank.zh, blank.en) == ("缺少本窗口社区", "counter community is required")
    unknown = refused(counter_place, "双星小区")
    assert (unknown.zh, unknown.en) == (
        f"本窗口社区“双星小区”不在本数据库已知社区中，是否为：{HOME}",
        f"counter community '双星小区' is not a community this database knows; "
        f"did you mean: {HOME}",
    )


@pytest.mark.parametrize("number", [0, 100, -1])
def test_a_machine_naming_a_counter_outside_1_to_99_is_refused(
    database: peewee.Database, number: int
) -> None:
    error = refused(counter_place, None, number)
    assert (error.zh, error.en) == (
        "窗口号应在1至99之间",
        "counter number must be between 1 and 99",
    )


def test_load_desk_refuses_an_unknown_or_disabled_code_in_full(
    database: peewee.Database,
) -> None:
    error = refused(load_desk, "999")
    assert (error.zh, error.en) == (
        "工作人员编号“999”不存在或已停用",
        "staff code '999' does not exist or is inactive",
    )


# ── serial numbers reserved in a block ──


def test_reserve_serials_gives_the_first_number_of_each_block(database: peewee.Database) -> None:
    assert reserve_serials("probe", 2026, 3) == 1  # 1-3, the series made now
    assert reserve_serials("probe", 2026, 2) == 4  # 4-5
    assert reserve_serials("probe", 2026, 1) == 6
    assert next_serial("probe", 2026) == 7
    assert reserve_serials("probe", 2027, 4) == 1  # each year its own series


@pytest.mark.parametrize("count", [0, -1])
def test_reserve_serials_refuses_an_empty_block(database: peewee.Database, count: int) -> None:
    with pytest.raises(ValueError, match=r"^count must be positive$"):
        reserve_serials("probe", 2026, count)
    assert next_serial("probe", 2026) == 1  # nothing was reserved
