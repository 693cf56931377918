"""The one search box (db/search.py) and `person find`, on SQLite and PostgreSQL: each kind of
text, the surname table through the database, the m0006 fill, and the query plans."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import peewee
import pytest

from db import migrations
from db import permits as permit_ops
from db import requests as ops
from db.clock import clock
from db.migrations import m0006_search_keys as m0006
from db.models import Household, Person, Request, SchemaVersion
from db.people import add_household, add_person, search_keys
from db.receipts import print_receipt_version
from db.search import Hit, Kind, Query, bind, classify, plan, search, successor
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.citizen_id import make_citizen_id, mask_id
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date
MORNING = dt.datetime(2026, 11, 27, 9, 30)


def with_x(birth: dt.date, region: str = "610924") -> str:
    """An ID whose check character is X."""
    return next(
        n for n in (make_citizen_id(region, birth, s) for s in range(1000)) if n.endswith("X")
    )


@pytest.fixture
def people(database: peewee.Database, make_id: IdMaker) -> dict[str, str]:
    """Name -> citizen ID of a few residents of one household of HOME."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    names = {
        "曾小明": make_id(D(1958, 3, 12)),
        "张三丰": make_id(D(1961, 8, 20)),
        "张三": make_id(D(1970, 1, 2)),
        "尉迟恭": make_id(D(1975, 6, 30)),
        "单田芳": make_id(D(1980, 2, 29)),
        "阿依古丽·买买提": make_id(D(1990, 12, 1), "女"),
        "王小雨": with_x(D(2001, 4, 5)),
    }
    for index, (name, id_number) in enumerate(names.items()):
        add_person(
            household_number=household.number,
            id_number=id_number.lower(),
            name=name,
            relation="户主" if index == 0 else "其他",
            today=TODAY,
        )
    return names


def found(text: str, limit: int = 20) -> list[str]:
    with clock(MORNING):
        return [hit.name for hit in search(text, limit=limit)]


# ── what a text is taken for (no database) ──


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("610924195803120310", Query(Kind.ID, "610924195803120310")),
        ("61092419580312031x", Query(Kind.ID, "61092419580312031X")),
        ("６１０９２４ １９５８ ０３１２ ０３１０", Query(Kind.ID, "610924195803120310")),
        ("610924580312031", Query(Kind.OLD_ID, "610924580312031")),
        ("4977", Query(Kind.ID_TAIL, "7794")),
        ("04977", Query(Kind.ID_TAIL, "77940")),
        ("204977", Query(Kind.ID_TAIL, "779402")),
        ("031x", Query(Kind.ID_TAIL, "x130")),
        ("12031X", Query(Kind.ID_TAIL, "x13021")),
        ("6109241", Query(Kind.ID_PREFIX, "6109241")),
        ("61092419580312031", Query(Kind.ID_PREFIX, "61092419580312031")),
        ("sxsq01-2026-000341", Query(Kind.TICKET, "SXSQ01-2026-000341")),
        ("ZY01-2026-000001", Query(Kind.TICKET, "ZY01-2026-000001")),
        ("H000302", Query(Kind.HOUSEHOLD, "H000302")),
        ("h 000302", Query(Kind.HOUSEHOLD, "H000302")),
        ("H1000000", Query(Kind.HOUSEHOLD, "H1000000")),
        ("abcd-efgh-jklm", Query(Kind.CODE, "ABCD-EFGH-JKLM")),
        ("ABCD EFGH JK2M", Query(Kind.CODE, "ABCD-EFGH-JK2M")),
        ("zsf", Query(Kind.LETTERS, "zsf")),
        ("ZSF", Query(Kind.LETTERS, "zsf")),
        ("zhang san", Query(Kind.LETTERS, "zhangsan")),
        ("lü", Query(Kind.LETTERS, "lv")),
        # Twelve letters may be pinyin or a verification code typed without dashes: both.
        ("zhangsanfeng", Query(Kind.LETTERS, "zhangsanfeng", "ZHAN-GSAN-FENG")),
        ("张三", Query(Kind.NAME, "张三")),
        (" 张 三 ", Query(Kind.NAME, "张三")),
        ("阿依古丽•买", Query(Kind.NAME, "阿依古丽·买")),
        ("𠮷", Query(Kind.NAME, "𠮷")),
    ],
)
def test_what_a_text_is_taken_for(text: str, expected: Query) -> None:
    assert classify(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "12",
        "123",
        "!!",
        "z-s",
        "61092419580312031x5",
        "\u0664\u0669\u0667\u0667",
        "H00030",
    ],
)
def test_texts_that_name_nothing(text: str) -> None:
    assert classify(text) is None


def test_a_prefix_range_holds_exactly_the_strings_that_start_so() -> None:
    assert successor("zs") == "zt"
    assert successor("张") == "弡"  # U+5F20 -> U+5F21
    assert successor("\ud7ff"[:0] + "a\ud7ff") == "a\ue000"  # surrogates skipped
    assert successor("a\U0010ffff") == "b"
    assert successor("\U0010ffff") is None
    words = ["zs", "zsf", "zs\U00020bb7", "zt", "zr", "z", "张", "张三", "张\U00020bb7", "弡"]
    for prefix in ("zs", "张", "z"):
        upper = successor(prefix)
        assert upper is not None
        assert sorted(w for w in words if prefix <= w < upper) == sorted(
            w for w in words if w.startswith(prefix)
        )


# ── each kind of search ──


def test_a_full_id_finds_that_person_with_household_and_permit(
    people: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    id_number = people["曾小明"]
    household = Household.get()
    with clock(MORNING):
        [hit] = search(id_number)
        assert hit == Hit(
            "person",
            id_number,
            mask_id(id_number),
            "曾小明",
            f"{HOME} {household.number} 未办居住证",
        )
        permit_ops.issue_permit(id_number=id_number, catalogue=catalogue, desk=desk, today=TODAY)
        assert search(id_number.replace("0", "０"))[0].detail.endswith("居住证有效")
    # The permit's state on the day of the search: a year and a day later it has lapsed.
    with clock(MORNING + dt.timedelta(days=366)):
        assert search(id_number)[0].detail.endswith("居住证未签注，使用功能中止")


def test_an_id_ending_in_x_is_found_typed_in_lower_case(people: dict[str, str]) -> None:
    assert found(people["王小雨"].lower()) == ["王小雨"]


def sharing_tail(target: str, digits: int) -> str:
    """Another valid ID whose last `digits` characters are `target`'s, and not one more."""
    serial = int(target[14:17])
    for offset in range(20000):
        number = make_citizen_id("610921", D(1950, 1, 1) + dt.timedelta(days=offset), serial)
        if number[-digits:] == target[-digits:] and number[-digits - 1] != target[-digits - 1]:
            return number
    raise AssertionError("no such number")


@pytest.mark.parametrize("digits", [4, 5, 6])
def test_an_id_tail_finds_everyone_whose_id_ends_so(people: dict[str, str], digits: int) -> None:
    target = people["张三"]
    household = add_household(
        origin_village="双安镇", community=HOME, moved_in=D(2020, 1, 1), today=TODAY
    )
    other = sharing_tail(target, digits)
    add_person(
        household_number=household.number, id_number=other, name="李四", relation="户主",
        today=TODAY,
    )  # fmt: skip
    assert found(target[-digits:]) == ["张三", "李四"]  # by name: 张 U+5F20 before 李 U+674E
    assert found(target[-digits - 1 :]) == ["张三"]
    everyone = {p.name: p.id_number for p in Person.select()}
    assert found(other[-digits:]) == sorted(
        name for name, number in everyone.items() if number.endswith(other[-digits:])
    )


def test_an_id_tail_ending_in_x(people: dict[str, str]) -> None:
    tail = people["王小雨"][-5:]
    assert tail.endswith("X")
    assert found(tail.lower()) == ["王小雨"]
    assert found(people["王小雨"][-4:-1]) == []  # three digits: too short to search


def test_an_id_being_typed_lists_the_ids_that_start_so(people: dict[str, str]) -> None:
    first = people["曾小明"]
    assert found(first[:14]) == ["曾小明"]  # region and birth date: only he was born that day
    born_1900s = sorted(people[name] for name in people if people[name].startswith("6109241"))
    assert len(born_1900s) == len(people) - 1  # 王小雨 was born in 2001
    with clock(MORNING):
        assert [hit.id_number for hit in search(first[:7])] == born_1900s  # in ID order


def test_an_old_15_digit_id_finds_the_person_its_number_became(people: dict[str, str]) -> None:
    new = people["张三丰"]
    old = new[:6] + new[8:17]
    assert found(old) == ["张三丰"]


@pytest.mark.parametrize("text", ["zxm", "ZXM", "zengxiaoming", "zeng", "zengx", "zeng xiao", "zx"])
def test_a_surname_pypinyin_reads_wrong_is_found_by_its_own_reading(
    people: dict[str, str], text: str
) -> None:
    assert found(text) == ["曾小明"]


def test_the_common_reading_of_such_a_surname_finds_nothing(people: dict[str, str]) -> None:
    assert found("cxm") == []  # pypinyin's 曾 ceng
    assert found("ceng") == []
    assert found("dan") == []  # 单 shan
    assert found("stf") == ["单田芳"]
    assert found("yuchi") == found("ycg") == ["尉迟恭"]
    assert found("weichi") == []


def test_letters_find_initials_first_then_full_pinyin(people: dict[str, str]) -> None:
    # zs: 张三 has exactly these initials, 张三丰 starts with them; no pinyin starts with zs.
    assert found("zs") == ["张三", "张三丰"]
    assert found("zhangsan") == ["张三", "张三丰"]
    # z: every z initial (曾 zeng, 张 zhang), each listed once although pinyin matches too.
    assert found("z") == ["张三", "张三丰", "曾小明"]
    assert found("a") == ["阿依古丽·买买提"]
    assert found("ayigulimaimaiti") == ["阿依古丽·买买提"]


def test_chinese_finds_the_name_and_name_prefixes_exact_first(people: dict[str, str]) -> None:
    assert found("张三") == ["张三", "张三丰"]
    assert found("张") == ["张三", "张三丰"]
    assert found("张三丰") == ["张三丰"]
    assert found("阿依古丽・买") == ["阿依古丽·买买提"]  # a look-alike dot typed
    assert found("李") == []


def test_a_ticket_finds_its_request(
    people: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    request = ops.open_request(
        id_number=people["曾小明"], service="P01", catalogue=catalogue, desk=desk, today=TODAY
    )
    with clock(MORNING):
        [hit] = search(request.ticket.lower())
    assert hit.kind == "request" and hit.ticket == request.ticket
    assert (hit.name, hit.id_number, hit.masked_id) == (
        "曾小明", people["曾小明"], mask_id(people["曾小明"]),
    )  # fmt: skip
    assert hit.detail == f"{request.service_name} 待补正"


def test_a_verification_code_finds_its_request_even_from_an_older_receipt(
    people: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    request = ops.open_request(
        id_number=people["张三"], service="P01", catalogue=catalogue, desk=desk, today=TODAY
    )
    first_code = request.verify_code
    assert first_code
    with clock(MORNING):
        for text in (first_code, first_code.lower().replace("-", ""), first_code.replace("-", " ")):
            hits = search(text)
            assert [(h.kind, h.ticket, h.name) for h in hits] == [
                ("request", request.ticket, "张三")
            ]
    # Materials handed in later: a new receipt with a new code; the old paper still finds it.
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    newer = print_receipt_version(Request.get_by_id(request.id), desk)
    assert newer.code != first_code
    with clock(MORNING):
        assert [h.ticket for h in search(first_code)] == [request.ticket]
        assert [h.ticket for h in search(newer.code)] == [request.ticket]


def test_a_household_number_finds_the_household_even_without_members(
    database: peewee.Database, people: dict[str, str]
) -> None:
    """A household saved and left without members is found by its number, any case."""
    full = Household.get(Household.number != "")  # the one the `people` fixture filled
    empty = add_household(
        origin_village="洞河镇楸园村", community=HOME, moved_in=D(2020, 1, 1), today=TODAY
    )
    with clock(MORNING):
        hits = search(empty.number.lower())
        assert hits == [
            Hit("household", "", "", empty.number, f"{HOME} 0人", household=empty.number)
        ]
        (hit,) = search(f" {full.number} ")
    assert (hit.kind, hit.household, hit.detail) == ("household", full.number, f"{HOME} 7人")
    with clock(MORNING):
        assert search("H999999") == []
    # one look-up by the unique index on household.number
    (name, lines), *rest = _plan_lines(database, empty.number)
    assert name == "household" and not rest
    if isinstance(database, peewee.PostgresqlDatabase):
        assert "Seq Scan on household" not in lines, lines
    else:
        assert re.search(r"SEARCH t1 USING INDEX household_number", lines), lines


def test_an_overdue_request_says_so(
    people: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    request = ops.open_request(
        id_number=people["张三"], service="P01", catalogue=catalogue, desk=desk, today=TODAY,
        provided=["all"],
    )  # fmt: skip
    assert request.promised_by is not None
    with clock(dt.datetime.combine(request.promised_by + dt.timedelta(days=1), dt.time(9))):
        assert search(request.ticket)[0].detail.endswith("已超期")


def test_the_limit_is_respected_and_no_match_is_empty(
    people: dict[str, str], make_id: IdMaker
) -> None:
    household = add_household(
        origin_village="双安镇", community=HOME, moved_in=D(2020, 1, 1), today=TODAY
    )
    for n in range(12):
        add_person(
            household_number=household.number, id_number=make_id(D(1990, 1, 1 + n)),
            name=f"王{'甲乙丙丁戊己庚辛壬癸子丑'[n]}", relation="户主" if n == 0 else "其他",
            today=TODAY,
        )  # fmt: skip
    assert len(found("王")) == 13  # 王小雨 and the twelve
    assert found("王", limit=5) == sorted(found("王"))[:5]
    assert found("w", limit=3) == found("w")[:3]
    assert found("王", limit=0) == []
    assert found("张三", limit=1) == ["张三"]
    for nothing in ("xyz", "赵", "9999", "zz01-2026-999999", "ABCD-EFGH-JKLM", "!!"):
        assert found(nothing) == []


# ── the keys are stored: written with the person, filled by the migration ──


def test_the_keys_are_stored_with_the_person(people: dict[str, str]) -> None:
    stored = {p.name: (p.initials, p.pinyin, p.id_reversed) for p in Person.select()}
    for name, id_number in people.items():
        keys = search_keys(name, id_number)
        assert stored[name] == (keys["initials"], keys["pinyin"], keys["id_reversed"])
    assert stored["曾小明"][:2] == ("zxm", "zengxiaoming")
    assert stored["王小雨"][2].startswith("x")


def test_the_migration_fills_the_keys_of_rows_written_before_it(
    database: peewee.Database, people: dict[str, str]
) -> None:
    # Rows as an older version wrote them: upper-case pypinyin initials, no other keys.
    database.execute_sql("UPDATE person SET initials = 'CXM', pinyin = '', id_reversed = ''")
    assert found("zxm") == [] and found(people["张三"][-4:]) == []
    with database.atomic():
        m0006.up(migrations.migrator_for(database), database)
    assert found("zxm") == ["曾小明"]
    assert found(people["张三"][-4:]) == ["张三"]
    assert Person.get(Person.name == "尉迟恭").pinyin == "yuchigong"
    # In batches: every row, whatever the batch size.
    database.execute_sql("UPDATE person SET pinyin = ''")
    assert m0006.fill_keys(database, batch=3) == len(people)
    assert Person.select().where(Person.pinyin == "").count() == 0


def test_an_older_database_is_upgraded_through_the_runner_and_again_safely(
    database: peewee.Database, people: dict[str, str]
) -> None:
    """A database from before m0006 (no key columns, the old initials index): `init`'s upgrade
    adds the columns, fills them and makes the indexes; running the step again changes nothing."""
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    migrator = migrations.migrator_for(database)
    with database.atomic():
        m0006.down(migrator, database)
        SchemaVersion.delete().where(SchemaVersion.name == "m0006_search_keys").execute()
    database.execute_sql("UPDATE person SET initials = 'CXM'")
    assert not {"pinyin", "id_reversed"} & {c.name for c in database.get_columns("person")}
    assert m0006.OLD_INITIALS_INDEX in {i.name for i in database.get_indexes("person")}
    assert migrations.upgrade(database) == ["m0006_search_keys"]
    with database.atomic():  # a step re-applied after its stamp was lost finds its work done
        m0006.up(migrator, database)
    assert {"pinyin", "id_reversed"} <= {c.name for c in database.get_columns("person")}
    indexes = {index.name for index in database.get_indexes("person")}
    assert {m0006.index_name(column, postgres) for column in m0006.INDEXES} <= indexes
    assert m0006.OLD_INITIALS_INDEX not in indexes
    assert found("zengxiaoming") == found("zxm") == ["曾小明"]
    assert found(people["尉迟恭"][-6:]) == ["尉迟恭"]


def test_a_new_database_has_the_search_indexes(database: peewee.Database) -> None:
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    indexes = {index.name for index in database.get_indexes("person")}
    assert {m0006.index_name(column, postgres) for column in m0006.INDEXES} <= indexes
    assert migrations.pending(database) == []


# ── the prefix queries use the indexes, on both engines ──

PREFIX_TEXTS = {
    "name": "张三",
    "initials": "zs",
    "pinyin": "zhang",
    "id_reversed": "4977",
    "id_number": "6109241958",
}


def _plan_lines(database: peewee.Database, text: str) -> list[tuple[str, str]]:
    """(query name, plan text) of each query a text runs."""
    query = classify(text)
    assert query is not None
    out = []
    for name, values in plan(query, 20):
        sql, params = bind(name, values)
        if isinstance(database, peewee.PostgresqlDatabase):
            rows = database.execute_sql("EXPLAIN " + sql, params).fetchall()
            out.append((name, "\n".join(r[0] for r in rows)))
        else:
            rows = database.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            out.append((name, "\n".join(r[-1] for r in rows)))
    return out


def _fill(database: peewee.Database, count: int) -> None:
    """`count` people in bulk, keys and all, as an import writes them, then statistics."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    surnames, given = "王李张刘陈杨黄赵吴周曾单", "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰"
    rows: list[dict[str, Any]] = []
    for n in range(count):
        number = make_citizen_id("610924", D(1950, 1, 1) + dt.timedelta(days=n // 500), n % 500)
        name = surnames[n % 12] + given[n % 20] + given[(n // 20) % 20]
        rows.append({
            "household": household.id, "id_number": number, "name": name,
            **search_keys(name, number), "sex": "男", "birth_date": D(1950, 1, 1),
            "relation": "其他", "relation_code": "80",
        })  # fmt: skip
    with database.atomic():
        for start in range(0, count, 500):
            Person.insert_many(rows[start : start + 500]).execute()
    database.execute_sql("ANALYZE")


COLUMN_OF = {
    "name": "name", "initials": "initials", "pinyin": "pinyin", "id_tail": "id_reversed",
    "id_prefix": "id_number",
}  # fmt: skip
# The hits' order is the index's own: the first twenty are read off it, nothing sorted (an ID
# tail has a few matches at most, sorted by name).
IN_INDEX_ORDER = {"name", "initials", "pinyin", "id_prefix"}


def test_prefix_queries_read_their_index_in_order(database: peewee.Database) -> None:
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    _fill(database, 3000 if postgres else 300)  # PostgreSQL: enough that the planner picks it
    seen = set()
    for text in PREFIX_TEXTS.values():
        for name, lines in _plan_lines(database, text):
            seen.add(name)
            index = m0006.index_name(COLUMN_OF[name], postgres)
            if postgres:
                assert re.search(rf"(Index Scan using|Bitmap Index Scan on) {index}\b", lines), (
                    name, lines,
                )  # fmt: skip
                assert "Seq Scan on person" not in lines, (name, lines)
                if name in IN_INDEX_ORDER:
                    assert "Sort" not in lines, (name, lines)
            else:
                assert re.search(rf"SEARCH t1 USING (COVERING )?INDEX {index} \(", lines), (
                    name, lines,
                )  # fmt: skip
                if name in IN_INDEX_ORDER:
                    assert "TEMP B-TREE" not in lines, (name, lines)
    assert seen == set(COLUMN_OF)


@pytest.mark.postgres
def test_postgres_a_database_in_chinese_collation_still_finds_prefixes_by_index(
    pg_admin_url: str,
) -> None:
    """In a database whose collation is Chinese (ICU zh: pinyin order) a plain range is no
    prefix: 张 <= name < 弡 holds no name at all. The queries say COLLATE "C", as the indexes
    do, so they find the right people, through those indexes."""
    import uuid
    from urllib.parse import urlparse, urlunparse

    import psycopg2

    from db import open_database
    from db.setup import init_counter

    name = f"ziyang_zh_{uuid.uuid4().hex[:8]}"
    admin = psycopg2.connect(pg_admin_url, connect_timeout=5)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            try:
                cur.execute(
                    f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                    "LOCALE_PROVIDER icu ICU_LOCALE 'zh-Hans' LOCALE 'C.UTF-8'"
                )
            except psycopg2.Error as exc:  # a server without ICU (or before PostgreSQL 15)
                pytest.skip(f"no ICU collation on this server: {exc}")
        url = urlunparse(urlparse(pg_admin_url)._replace(path=f"/{name}"))
        database = open_database(url)
        try:
            init_counter(HOME, 1)
            household = add_household(
                origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
            )
            for n, person in enumerate(("张三丰", "赵四", "章五", "张三", "王五", "曾小明")):
                add_person(
                    household_number=household.number,
                    id_number=make_citizen_id("610924", D(1970, 1, 1 + n), 101),
                    name=person, relation="户主" if n == 0 else "其他", today=TODAY,
                )  # fmt: skip
            plain = database.execute_sql(
                "SELECT name FROM person WHERE name >= %s AND name < %s", ("张", successor("张"))
            ).fetchall()
            assert plain == []  # the database's own order: the range is no prefix
            assert found("张") == ["张三", "张三丰"]
            # By initials (zs, zs, zsf, zw, zxm), then by name in code point order.
            assert found("zs") == ["张三", "赵四", "张三丰"]
            assert found("z") == ["张三", "赵四", "张三丰", "章五", "曾小明"]
            assert found("zhang") == ["张三", "张三丰", "章五"]
            with database.atomic():
                database.execute_sql("SET LOCAL enable_seqscan = off")
                for text in PREFIX_TEXTS.values():
                    for query, lines in _plan_lines(database, text):
                        assert "Seq Scan on person" not in lines, (query, lines)
                        assert "_c on person" in lines or "_c\n" in lines + "\n", (query, lines)
        finally:
            database.close()
    finally:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


# ── the CLI ──


def test_person_find_prints_masked_ids_only(cli: Any, people: dict[str, str]) -> None:
    result = cli("person", "find", "zxm", "--json")
    data = json.loads(result.stdout)
    assert [h["name"] for h in data["hits"]] == ["曾小明"]
    assert data["hits"][0]["id_number"] == mask_id(people["曾小明"])
    assert data["count"] == 1
    assert people["曾小明"] not in result.stdout
    plain = cli("person", "find", "张").stdout
    assert "张三" in plain and "张三丰" in plain and mask_id(people["张三"]) in plain
    assert people["张三"] not in plain
    assert "没有找到" in cli("person", "find", "赵").stdout


def test_person_find_needs_no_sign_in(cli: Any, people: dict[str, str]) -> None:
    cli("logout")
    data = json.loads(cli("person", "find", people["张三"][-4:], "--json").stdout)
    assert [h["name"] for h in data["hits"]] == ["张三"]


def test_person_find_prints_a_household_by_its_number(cli: Any, people: dict[str, str]) -> None:
    number = Household.get(Household.number != "").number
    data = json.loads(cli("person", "find", number.lower(), "--json").stdout)
    assert [(h["kind"], h["household"]) for h in data["hits"]] == [("household", number)]
    plain = cli("person", "find", number).stdout
    assert f"搬迁户 {number}" in plain and "7人" in plain
