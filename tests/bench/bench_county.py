"""On-demand benchmark of a whole county (never part of the test suite).

    python tests/bench/bench_county.py [--people 282000] [--households 85000]
                                       [--relocated 64168] [--requests 75000] [--runs 100]

Builds a county database the way a county would: the roster (282,000 people in about 85,000
households) written as .xlsx and brought in through `db.roster.import_roster`, the path of
`ziyang-counter import`; then 64,168 relocated people get permits and a year of about 75,000
requests with their events (raw batched inserts: these come one by one at the counters, and the
counters' own operations are timed by bench_counter.py). A second, small county of 1,000 people
is built the same way to show that searches stay flat.

Prints one table: each operation's median and p95, the floor measured in the same run on the
same schema, and the ratio. The floors: raw sqlite3 `executemany` of the same rows for the
import; the statements the search runs for the text, straight to the driver, for the searches;
one joined SELECT through the driver for the lists. The desk, start-up and daily-log benchmarks
are bench_desk.py, bench_startup.py and bench_daily_log.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.bench.bench_import import TODAY, floor, fresh, roster, write_xlsx

RESULTS: list[tuple[str, float, float, float]] = []  # label, median ms, p95 ms, floor ms


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Median and p95 in milliseconds of `runs` calls."""
    samples: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[max(0, round(0.95 * (len(samples) - 1)))]


def record(label: str, op: tuple[float, float], floor_ms: float) -> None:
    RESULTS.append((label, op[0], op[1], floor_ms))


def build_county(folder: Path, name: str, people: int, households: int) -> tuple[str, float]:
    """A database at folder/name.db filled from a roster through the import; returns its URL and
    the seconds the import took."""
    from db import db
    from db.roster import import_roster
    from db.setup import load_desk

    rows = roster(people, households)
    xlsx = folder / f"{name}.xlsx"
    write_xlsx(xlsx, rows)
    url = f"sqlite:///{folder / f'{name}.db'}"
    fresh(url)
    desk = load_desk("001")
    start = time.perf_counter()
    result = import_roster(desk, xlsx, today=TODAY, add_communities=True)
    took = time.perf_counter() - start
    assert result.imported == len(rows) and not result.problems, result.problems[:3]
    db.close()
    return url, took


def add_permits_and_requests(relocated: int, requests: int) -> None:
    """Permits for the first `relocated` people, and `requests` requests over the year before
    TODAY with an opening event each (and a closing one for those closed)."""
    import peewee

    from db import db
    from db.models import Household, Permit, Person, Request, RequestEvent, Staff
    from forms.catalogue import load_catalogue
    from forms.status import Outcome, Status

    rng = random.Random(1126)
    staff = Staff.get(Staff.code == "001")
    people = list(
        Person.select(Person.id, Household.community)
        .join(Household)
        .order_by(Person.id)
        .limit(relocated)
        .tuples()
    )
    with db.atomic():
        rows = []
        for index, (person_id, community) in enumerate(people):  # type: ignore[misc]
            issued = TODAY - dt.timedelta(days=rng.randrange(30, 700))
            rows.append(
                {
                    "number": f"610924-{issued.year}-{index:06d}",
                    "person": person_id,  # type: ignore[has-type]
                    "community": community,  # type: ignore[has-type]
                    "accepted_on": issued,
                    "issue_due_by": issued,
                    "issued_on": issued,
                    "valid_until": issued.replace(year=issued.year + 1),
                    "residence_since": issued,
                }
            )
        for start in range(0, len(rows), 2000):
            Permit.insert_many(rows[start : start + 2000]).execute()
    services = [s for s in load_catalogue().services if not s.permit_action]
    outcomes = [
        (Status.COMPLETED, Outcome.HANDLE, 80),
        (Status.REFUSED, Outcome.REFUSE, 8),
        (Status.PENDING_MATERIALS, Outcome.HANDLE, 5),
        (Status.FORWARDED, Outcome.FORWARD_DEPARTMENT, 4),
        (Status.REFERRED, Outcome.REFER_ORIGIN, 3),
    ]
    weighted = [(s, o) for s, o, weight in outcomes for _ in range(weight)]
    first_request = (Request.select(peewee.fn.MAX(Request.id)).scalar() or 0) + 1
    with db.atomic():
        batch: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for index in range(requests):
            person_id, community = people[rng.randrange(len(people))]  # type: ignore[misc]
            service = rng.choice(services)
            status, outcome = rng.choice(weighted)
            opened = TODAY - dt.timedelta(days=rng.randrange(365))
            at = dt.datetime.combine(opened, dt.time(8, 30)) + dt.timedelta(
                minutes=rng.randrange(480)
            )
            promised = opened + dt.timedelta(days=max(service.time_limit, 1) * 7 // 5)
            closed = status in (Status.COMPLETED, Status.REFUSED)
            batch.append(
                {
                    "ticket": f"SX{index % 139:03d}-{opened.year}-{index:06d}",
                    "person": person_id,  # type: ignore[has-type]
                    "service_code": service.code,
                    "service_name": service.name,
                    "side": service.side,
                    "time_limit": service.time_limit,
                    "decision": outcome,
                    "status": status,
                    "opened_on": opened,
                    "opened_at": at,
                    "promised_by": None if status == Status.REFUSED else promised,
                    "closed_on": min(promised, TODAY) if closed else None,
                    "community": community,  # type: ignore[has-type]
                    "counter_code": f"SX{index % 139:03d}-1",
                    "counter_no": 1,
                    "staff": staff.id,
                }
            )
            events.append(
                {
                    "request": first_request + index,
                    "kind": "opened",
                    "on": opened,
                    "at": at,
                    "staff": staff.id,
                    "counter_code": f"SX{index % 139:03d}-1",
                    "status_after": status,
                }
            )
            if len(batch) == 2000:
                Request.insert_many(batch).execute()
                RequestEvent.insert_many(events).execute()
                batch, events = [], []
        if batch:
            Request.insert_many(batch).execute()
            RequestEvent.insert_many(events).execute()
    db.execute_sql("ANALYZE")


def rotate(calls: list[Callable[[], Any]]) -> Callable[[], Any]:
    """One call of the next in `calls` each time, round and round."""
    position = iter(range(10**9))
    return lambda: calls[next(position) % len(calls)]()


def search_floor(database: Any, text: str) -> Callable[[], None]:
    """The statements db.search runs for the text (the next only while fewer than 20 rows came),
    straight to the driver."""
    from db.search import bind, classify, plan

    steps = [bind(name, values) for name, values in plan(classify(text), 20)]  # type: ignore[arg-type]
    cursor = database.cursor()

    def run() -> None:
        rows = 0
        for sql, params in steps:
            if rows >= 20:
                break
            cursor.execute(sql, params)
            rows += len(cursor.fetchall())

    return run


def measure_searches(url: str, size: str, runs: int) -> None:
    from db import db, open_database
    from db.models import Person
    from db.search import search

    database = open_database(url, create=False)
    rng = random.Random(7)
    picked = list(
        Person.select(Person.id_number, Person.name, Person.initials, Person.pinyin)
        .order_by(Person.id)
        .tuples()
    )
    picks = [picked[rng.randrange(len(picked))] for _ in range(20)]
    kinds: dict[str, Callable[[tuple[str, str, str, str]], str]] = {
        "full ID": lambda p: p[0],
        "ID tail 4": lambda p: p[0][-4:],
        "ID tail 6": lambda p: p[0][-6:],
        "name prefix": lambda p: p[1][:2],
        "initials": lambda p: p[2],
        "full pinyin": lambda p: p[3],
    }
    for label, text_of in kinds.items():
        texts = [text_of(p) for p in picks]  # type: ignore[arg-type]
        op = timed(rotate([lambda text=text: search(text) for text in texts]), runs)  # type: ignore[misc]
        raw = timed(rotate([search_floor(database, text) for text in texts]), runs)
        record(f"search {label} ({size})", op, raw[0])
    db.close()


LIST_SQL = (
    "SELECT r.*, p.*, h.*, s.*, pm.* FROM request r JOIN person p ON r.person_id = p.id "
    "JOIN household h ON p.household_id = h.id JOIN staff s ON r.staff_id = s.id "
    "LEFT JOIN permit pm ON r.permit_id = pm.id WHERE {where} ORDER BY r.opened_at, r.id"
)


def measure_lists(url: str, runs: int) -> None:
    from db import db, open_database
    from db.requests import list_requests, request_query
    from db.setup import load_desk
    from db.views import request_rows

    database = open_database(url, create=False)
    desk = load_desk("001")
    day = TODAY - dt.timedelta(days=3)
    cursor = database.cursor()

    def raw(where: str, params: list[Any]) -> Callable[[], None]:
        sql = LIST_SQL.format(where=where)
        return lambda: cursor.execute(sql, params).fetchall()

    day_rows = len(list_requests(day=day, desk=desk))
    record(
        f"request list, one day ({day_rows} rows, views built)",
        timed(lambda: request_rows(request_query(day=day, desk=desk), TODAY), runs),
        timed(raw("r.opened_on = ?", [day.isoformat()]), runs)[0],
    )
    open_codes = ("pending_materials", "accepted", "forwarded", "referred")
    overdue = len(list_requests(overdue_on=TODAY, desk=desk))
    record(
        f"overdue list, county ({overdue} rows, views built)",
        timed(
            lambda: request_rows(request_query(overdue_on=TODAY, desk=desk), TODAY),
            max(5, runs // 10),
        ),
        timed(
            raw(
                "r.status IN (?,?,?,?) AND r.promised_by IS NOT NULL AND r.promised_by < ?",
                [*open_codes, TODAY.isoformat()],
            ),
            max(5, runs // 10),
        )[0],
    )
    db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=282_000)
    parser.add_argument("--households", type=int, default=85_000)
    parser.add_argument("--relocated", type=int, default=64_168)
    parser.add_argument("--requests", type=int, default=75_000)
    parser.add_argument("--small", type=int, default=1_000, help="people in the small county")
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ziyang-bench-county-") as tmp:
        folder = Path(tmp)
        small_url, _ = build_county(folder, "small", args.small, max(1, args.small * 85 // 282))
        measure_searches(small_url, f"{args.small:,}", args.runs)

        started = time.perf_counter()
        url, took = build_county(folder, "county", args.people, args.households)
        print(f"county built by import in {time.perf_counter() - started:.0f} s", flush=True)
        from db import db

        rows = roster(args.people, args.households)
        fresh(f"sqlite:///{folder / 'floor.db'}")
        db.close()
        raw_s = floor(str(folder / "floor.db"), rows)
        RESULTS.insert(
            0, (f"import {args.people:,} people", took * 1000, took * 1000, raw_s * 1000)
        )
        from db import open_database

        open_database(url, create=False)
        add_permits_and_requests(args.relocated, args.requests)
        db.close()
        measure_searches(url, f"{args.people:,}", args.runs)
        measure_lists(url, args.runs)

    print(f"\n{'operation':<48}{'median ms':>11}{'p95 ms':>10}{'floor ms':>10}{'ratio':>8}")
    for label, median, p95, floor_ms in RESULTS:
        print(f"{label:<48}{median:>11.2f}{p95:>10.2f}{floor_ms:>10.2f}{median / floor_ms:>7.1f}x")


if __name__ == "__main__":
    main()
