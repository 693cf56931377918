"""On-demand benchmarks (never part of the test suite): how fast the counter's hot paths are.

    python tests/bench/bench_counter.py [--households 300]

Prints one line per measurement. Targets, for a low-spec office PC: a scope check well under
10 ms, opening a request under 50 ms on SQLite, a 500-request daily log under 10 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from db import open_database
from db import requests as ops
from db.demo import build_demo
from db.models import Permit
from db.printdata import daily_log_data
from db.setup import load_desk
from forms.catalogue import load_catalogue
from forms.papers import DailyLogData
from printouts.daily_log import render_daily_log
from tests.unit.test_printouts import busy_day


def timed(label: str, count: int, fn) -> None:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    for _ in range(count):
        fn()
    elapsed = time.perf_counter() - start
    print(f"{label:<44} {elapsed / count * 1000:9.2f} ms each  ({count} runs, {elapsed:.2f} s)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=300)
    args = parser.parse_args()
    catalogue = load_catalogue()
    with tempfile.TemporaryDirectory() as tmp:
        open_database(f"sqlite:///{tmp}/bench.db")
        start = time.perf_counter()
        summary = build_demo(households=args.households, catalogue=catalogue)
        print(
            f"{'demo build (' + str(summary['persons']) + ' persons)':<44} {time.perf_counter() - start:9.2f} s"
        )
        today = dt.date.fromisoformat(str(summary["latest_day"]))
        holder = Permit.select().where(Permit.status == "valid").first().person.id_number
        desk = load_desk()
        timed(
            "scope check (db facts + pure rules)",
            300,
            lambda: ops.check(
                id_number=holder,
                service="选民登记",
                catalogue=catalogue,
                community=desk.community,
                today=today,
            ),
        )
        timed(
            "open request (SQLite, one transaction)",
            200,
            lambda: ops.open_request(
                id_number=holder,
                service="H08",
                catalogue=catalogue,
                desk=desk,
                today=today,
                provided=["all"],
            ),
        )
        timed("daily log data (joined query)", 5, lambda: daily_log_data(today, today, desk, today))
    data: DailyLogData = busy_day(500)
    timed("daily log PDF, 500 requests", 3, lambda: render_daily_log(data, io.BytesIO()))


if __name__ == "__main__":
    main()
