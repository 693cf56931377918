"""On-demand benchmark of the one search box (never part of the test suite).

    python tests/bench/bench_search.py [--people 282000] [--pg postgresql://…]

Builds a county-sized person table (raw batched inserts with the stored keys, as an import
would write them), then times `db.search.search` for each kind of text against the raw indexed
query on the same table (the floor), at the given size. Prints median and p95 per kind, and the
time the m0006 fill takes to recompute every person's keys.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import peewee

from db import open_database
from db.accounts import create_first_supervisor
from db.migrations import m0006_search_keys as m0006
from db.models import Household, Permit, Person
from db.people import search_keys
from db.search import bind, classify, plan, search
from db.setup import init_counter
from forms.citizen_id import make_citizen_id

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂文华建国德全海燕玉红梅志小家长德顺春生"


def build(people: int) -> list[tuple[str, str]]:
    rng = random.Random(1126)
    households = max(1, people * 85 // 282)
    with Household._meta.database.atomic():
        rows = [
            {
                "number": f"H{i:06d}",
                "origin_village": "联合村",
                "community": f"第{i % 139}安置社区",
                "moved_in": dt.date(2019, 5, 1),
            }
            for i in range(households)
        ]
        for start in range(0, len(rows), 1000):
            Household.insert_many(rows[start : start + 1000]).execute()
    first = Household.select(peewee.fn.MIN(Household.id)).scalar()
    made: list[tuple[str, str]] = []
    batch: list[dict[str, object]] = []
    for i in range(people):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=i // 900)
        number = make_citizen_id("610924", birth, i % 900)
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        made.append((number, name))
        batch.append(
            {
                "household": first + i % households,
                "id_number": number,
                "name": name,
                **search_keys(name, number),
                "sex": "男",
                "birth_date": birth,
                "relation": "其他",
                "relation_code": "80",
            }
        )
        if len(batch) == 1000 or i == people - 1:
            with Person._meta.database.atomic():
                Person.insert_many(batch).execute()
            batch = []
    ids = list(Person.select(Person.id).scalars())
    permits = [
        {
            "number": f"P{n:08d}",
            "person": person_id,
            "community": "第1安置社区",
            "accepted_on": dt.date(2026, 1, 5),
            "issue_due_by": dt.date(2026, 1, 20),
            "issued_on": dt.date(2026, 1, 10),
            "valid_until": dt.date(2027, 1, 9),
            "residence_since": dt.date(2019, 5, 1),
        }
        for n, person_id in enumerate(ids[:: max(1, people // (people * 64 // 282 or 1))])
    ]
    for start in range(0, len(permits), 1000):
        with Permit._meta.database.atomic():
            Permit.insert_many(permits[start : start + 1000]).execute()
    return made


def scratch_database(server_url: str, drop: str | None = None) -> str:
    """A database of its own on the server (never the tables of the one named), or drop it."""
    import uuid
    from urllib.parse import urlparse, urlunparse

    import psycopg2

    admin = psycopg2.connect(server_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        if drop:
            cur.execute(f'DROP DATABASE IF EXISTS "{urlparse(drop).path.lstrip("/")}"')
            admin.close()
            return drop
        name = f"ziyang_bench_{uuid.uuid4().hex[:8]}"
        cur.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    admin.close()
    return urlunparse(urlparse(server_url)._replace(path=f"/{name}"))


def cycle(fn, items: list):  # type: ignore[no-untyped-def,type-arg]
    """A call of `fn` on the next item, round and round."""
    position = iter(range(10**9))
    return lambda: fn(items[next(position) % len(items)])


def times(fn, runs: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def measure(database: peewee.Database, args: argparse.Namespace) -> None:
    init_counter("蒿坪镇双星社区", 1)
    create_first_supervisor("001", "值班", "bench-pass-001")
    start = time.perf_counter()
    made = build(args.people)
    print(f"built {args.people} people in {time.perf_counter() - start:.1f} s")
    if not args.pg:
        database.execute_sql("ANALYZE")
    else:
        database.execute_sql("ANALYZE person")
        database.execute_sql("ANALYZE permit")
        database.execute_sql("ANALYZE household")
    rng = random.Random(9)
    picks = [made[rng.randrange(len(made))] for _ in range(args.runs)]
    texts = {
        "full ID": lambda i: picks[i][0],
        "ID tail 4": lambda i: picks[i][0][-4:],
        "ID tail 6": lambda i: picks[i][0][-6:],
        "name prefix (surname)": lambda i: picks[i][1][:1],
        "full name": lambda i: picks[i][1],
        "initials": lambda i: search_keys(picks[i][1], "")["initials"],
        "initials, one letter": lambda i: search_keys(picks[i][1], "")["initials"][:1],
        "full pinyin": lambda i: search_keys(picks[i][1], "")["pinyin"],
    }
    cursor = database.cursor()
    for label, text_of in texts.items():
        inputs = [text_of(i) for i in range(len(picks))]
        search_ms = times(cycle(lambda text: search(text), inputs), args.runs)
        # The floor: the statements search runs for the text (the next only while fewer
        # than twenty rows came), straight to the driver.
        statements = [
            [bind(name, values) for name, values in plan(classify(text), 20)]  # type: ignore[arg-type]
            for text in inputs
        ]

        def floor(steps: list[tuple[str, list[object]]]) -> None:
            rows = 0
            for sql, params in steps:
                if rows >= 20:
                    break
                cursor.execute(sql, params)
                rows += len(cursor.fetchall())

        raw_ms = times(cycle(floor, statements), args.runs)
        print(
            f"{label:<24} search {search_ms[0]:7.3f} / {search_ms[1]:7.3f} ms   "
            f"raw SQL {raw_ms[0]:7.3f} / {raw_ms[1]:7.3f} ms   "
            f"ratio {search_ms[0] / raw_ms[0]:5.1f}x"
        )
    start = time.perf_counter()
    with database.atomic():
        m0006.fill_keys(database)
    print(f"m0006 fill of {args.people} people: {time.perf_counter() - start:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=282_000)
    parser.add_argument(
        "--pg", help="a PostgreSQL server URL: the bench makes and drops its own database there"
    )
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = scratch_database(args.pg) if args.pg else f"sqlite:///{tmp}/bench.db"
        database = open_database(url)
        try:
            measure(database, args)
        finally:
            database.close()
            if args.pg:
                scratch_database(args.pg, drop=url)


if __name__ == "__main__":
    main()
