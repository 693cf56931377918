"""On-demand benchmark of the roster import (never part of the test suite).

    python tests/bench/bench_import.py [--people 64168] [--households 19291] [--pg URL] [--runs 3]

Writes a county roster as .xlsx (valid IDs with correct check digits, realistic names and
relations, 139 sites), then times `db.roster.import_roster` on a fresh database (reading,
checking and writing: everything `ziyang-counter import` does but print) against the floor:
raw sqlite3 `executemany` of the same households and persons, values already computed, into
the same schema. Prints both and the ratio (target: import within 3x of the floor).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from db import db, open_database
from db.accounts import create_first_supervisor
from db.models import MODELS
from db.people import search_keys
from db.roster import import_roster
from db.setup import init_counter, load_desk
from forms.citizen_id import make_citizen_id

TODAY = dt.date(2026, 11, 27)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂文华建国德全海燕玉红梅志小家长顺春生"
TOWNS = ("城关镇", "蒿坪镇", "洄水镇", "汉王镇", "焕古镇", "向阳镇", "红椿镇", "高桥镇", "双桥镇")
HEADER = (
    "户编号", "户主姓名", "姓名", "身份证号码", "与户主关系", "民族", "联系电话",
    "迁出村", "迁入社区", "安置点", "楼栋", "单元", "房号", "搬迁时间",
)  # fmt: skip
# (relation, sex, age offset from the head) for members after the head
MEMBERS = (("妻", "女", -2), ("长子", "男", 25), ("长女", "女", 27), ("次子", "男", 30),
           ("母亲", "女", -25), ("孙子", "男", 50), ("儿媳", "女", 24))  # fmt: skip


def roster(people: int, households: int) -> list[tuple[object, ...]]:
    rng = random.Random(1126)
    sizes = [1] * households
    for _ in range(people - households):
        sizes[rng.randrange(households)] += 1
    serials: dict[dt.date, int] = {}
    rows: list[tuple[object, ...]] = []

    def new_id(birth: dt.date, sex: str) -> str:
        serial = serials.get(birth, 0) + 1
        serials[birth] = serial + 1
        serial = serial * 2 + (1 if sex == "男" else 0)
        return make_citizen_id("610924", birth, serial % 1000)

    def name(surname: str) -> str:
        return surname + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    for number, size in enumerate(sizes, start=1):
        town = TOWNS[number % len(TOWNS)]
        community = f"{town}第{number % 15 + 1}社区"
        site = f"{community[len(town) : -2]}安置点{number % 139 % 9 + 1}区"
        surname = rng.choice(SURNAMES)
        head_birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(365 * 25))
        head = name(surname)
        moved = dt.date(2016, 3, 1) + dt.timedelta(days=rng.randrange(365 * 4))
        common = (
            f"{town}联合村",
            community,
            site,
            str(number % 40 + 1),
            "1",
            f"{number % 30 + 1}01",
        )
        rows.append(
            (str(number), head, head, new_id(head_birth, "男"), "户主", "汉",
             f"138{number:08d}", *common, moved)
        )  # fmt: skip
        for relation, sex, offset in MEMBERS[: size - 1]:
            year = min(max(head_birth.year + offset, 1925), 2024)
            birth = dt.date(year, rng.randrange(1, 13), rng.randrange(1, 29))
            who = name(surname if sex == "男" or relation != "妻" else rng.choice(SURNAMES))
            rows.append(
                (str(number), head, who, new_id(birth, sex), relation, "汉", "", "", "", "", "",
                 "", "", None)
            )  # fmt: skip
        for _ in range(max(0, size - 1 - len(MEMBERS))):
            birth = dt.date(1960 + rng.randrange(40), rng.randrange(1, 13), rng.randrange(1, 29))
            rows.append(
                (str(number), head, name(surname), new_id(birth, "男"), "侄子", "汉", "", "", "",
                 "", "", "", "", None)
            )  # fmt: skip
    return rows


def write_xlsx(path: Path, rows: list[tuple[object, ...]]) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("名册")
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ("紫阳县易地扶贫搬迁户花名册",))
    sheet.write_row(1, 0, HEADER)
    for r, cells in enumerate(rows, start=2):
        for c, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
            elif value not in (None, ""):
                sheet.write_string(r, c, str(value))
    book.close()


def fresh(url: str) -> None:
    database = open_database(url, create=True)
    if not url.startswith("sqlite"):
        database.drop_tables(list(reversed(MODELS)), safe=True, cascade=True)
    init_counter("城关镇第1社区", 1)
    create_first_supervisor("001", "负责人", "bench-pass-001")


def raw_rows(
    rows: list[tuple[object, ...]],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The households and persons the floor writes (search keys computed before the clock)."""
    households: list[tuple[object, ...]] = []
    persons: list[tuple[object, ...]] = []
    index: dict[str, int] = {}
    now = dt.datetime(2026, 11, 27, 9, 0)
    for cells in rows:
        key = str(cells[0])
        if key not in index:
            index[key] = len(households) + 1
            households.append((index[key], f"H{index[key]:06d}", cells[7], cells[8], cells[9],
                               "", cells[10], cells[11], cells[12], cells[13], cells[6], False, now))  # fmt: skip
        number, name = str(cells[3]), str(cells[2])
        keys = search_keys(name, number)
        persons.append((index[key], number, name, keys["initials"], keys["pinyin"],
                        keys["id_reversed"], "男", dt.date(int(number[6:10]), int(number[10:12]),
                        int(number[12:14])), "汉族", cells[4], "02", "", "陕西省安康市紫阳县", now))  # fmt: skip
    return households, persons


HOUSEHOLD_SQL = (
    "INSERT INTO household (id, number, origin_village, community, site, grid, building, unit,"
    " room, moved_in, phone, monitored, created_at) VALUES "
)
PERSON_SQL = (
    "INSERT INTO person (household_id, id_number, name, initials, pinyin, id_reversed, sex,"
    " birth_date, ethnicity, relation, relation_code, phone, hukou_address, created_at) VALUES "
)


def floor(path: str, rows: list[tuple[object, ...]]) -> float:
    """Raw sqlite3 executemany of the same data into the same schema, one transaction."""
    households, persons = raw_rows(rows)
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=wal")
    connection.execute("PRAGMA synchronous=normal")
    started = time.perf_counter()
    with connection:
        connection.executemany(HOUSEHOLD_SQL + "(?,?,?,?,?,?,?,?,?,?,?,?,?)", households)
        connection.execute("DROP INDEX IF EXISTS person_one_head")  # the floor's relations are fake
        connection.executemany(PERSON_SQL + "(?,?,?,?,?,?,?,?,?,?,?,?,?,?)", persons)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def floor_pg(url: str, rows: list[tuple[object, ...]]) -> float:
    """The PostgreSQL floor: psycopg2 execute_values (its executemany is a round trip per row)
    of the same data into the same schema, one transaction."""
    import psycopg2
    from psycopg2.extras import execute_values

    households, persons = raw_rows(rows)
    connection = psycopg2.connect(url)
    started = time.perf_counter()
    with connection, connection.cursor() as cursor:
        execute_values(cursor, HOUSEHOLD_SQL + "%s", households, page_size=1000)
        cursor.execute("DROP INDEX IF EXISTS person_one_head")  # the floor's relations are fake
        execute_values(cursor, PERSON_SQL + "%s", persons, page_size=1000)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=64_168)
    parser.add_argument("--households", type=int, default=19_291)
    parser.add_argument("--pg", help="also import into this PostgreSQL database (it is emptied)")
    parser.add_argument("--profile", action="store_true", help="cProfile the SQLite import")
    parser.add_argument("--runs", type=int, default=3, help="best of N (default 3)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="ziyang-bench-import-"))
    rows = roster(args.people, args.households)
    xlsx = folder / "county.xlsx"
    started = time.perf_counter()
    write_xlsx(xlsx, rows)
    print(f"roster: {len(rows):,} people, {args.households:,} households, "
          f"written in {time.perf_counter() - started:.1f} s ({xlsx.stat().st_size / 1e6:.1f} MB)")  # fmt: skip

    # Each measurement is the best of --runs, each on a fresh database: on a shared machine the
    # other load only ever adds time.
    floors: dict[str, float] = {}
    for run in range(args.runs):
        fresh(f"sqlite:///{folder / f'floor{run}.db'}")
        db.close()
        floors["SQLite"] = min(
            floors.get("SQLite", 1e9), floor(str(folder / f"floor{run}.db"), rows)
        )
    print(f"floor: raw sqlite3 executemany     {floors['SQLite']:7.2f} s")
    targets = [("SQLite", "sqlite:///{folder}/import{run}.db")]
    if args.pg:
        for _ in range(args.runs):
            fresh(args.pg)
            db.close()
            floors["PostgreSQL"] = min(floors.get("PostgreSQL", 1e9), floor_pg(args.pg, rows))
        print(f"floor: raw psycopg2 execute_values {floors['PostgreSQL']:7.2f} s")
        targets.append(("PostgreSQL", args.pg))
    for label, pattern in targets:
        raw = floors[label]
        took = again_took = 1e9
        for run in range(args.runs):
            fresh(pattern.format(folder=folder, run=run))
            desk = load_desk("001")
            started = time.perf_counter()
            if args.profile and label == "SQLite" and run == 0:
                import cProfile
                import pstats

                profiler = cProfile.Profile()
                result = profiler.runcall(
                    import_roster, desk, xlsx, today=TODAY, add_communities=True
                )
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
                db.close()
                continue  # a profiled run is not timed
            result = import_roster(desk, xlsx, today=TODAY, add_communities=True)
            took = min(took, time.perf_counter() - started)
            assert result.imported == len(rows) and not result.problems, result.problems[:5]
            started = time.perf_counter()
            again = import_roster(desk, xlsx, today=TODAY)
            again_took = min(again_took, time.perf_counter() - started)
            assert again.unchanged == len(rows)
            db.close()
        print(f"{label}: import {len(rows):,} people      {took:7.2f} s  "
              f"({len(rows) / took:,.0f} rows/s)  ratio to the floor {took / raw:.1f}x")  # fmt: skip
        print(f"{label}: the same roster again      {again_took:7.2f} s  (all unchanged)")


if __name__ == "__main__":
    main()
