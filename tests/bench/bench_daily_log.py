"""On-demand benchmark of the daily log at county scale (never part of the test suite).

    python tests/bench/bench_daily_log.py [--requests 5000] [--runs 5] [--root CHECKOUT]

Builds a demo database, then adds `--requests` requests on one day straight into the request
table (copies of the demo's own rows with new tickets and times: what the log reads, written
fast). Then, each in a fresh process, `--runs` times:

- `print daily-log --date D --out FILE` as a clerk runs it (issue 9: under 3 s, under 150 MB);
- the same work split into its two steps, fetching the rows (`db.printdata.daily_log_data`)
  and drawing the PDF (`printouts.daily_log.render_daily_log`);
- the floor: a one-line page through the same fonts and `render_flow`.

Prints median and p95 wall time, the floor, the ratio and the peak resident memory (wait4).
`--root` runs another checkout's code (a `git worktree` of main, say) on the same database.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
CPU_TIMES: dict[tuple[str, ...], list[float]] = {}

STEPS = """
import json, resource, sys, time, datetime as dt
sys.path.insert(0, {root!r})
from db import open_database
from db.printdata import daily_log_data
from db.setup import load_desk
from printouts.daily_log import render_daily_log
from printouts.fonts import load_fonts
open_database({url!r}, create=False)
day = dt.date.fromisoformat({day!r})
fonts = load_fonts()
start = time.perf_counter()
data = daily_log_data(day, day, load_desk(), day)
fetched = time.perf_counter()
result = render_daily_log(data, {out!r}, fonts=fonts)
drawn = time.perf_counter()
print(json.dumps({{"fetch": fetched - start, "render": drawn - fetched, "pages": result.pages,
                  "rows": len(data.rows)}}))
"""

FLOOR = """
import sys
sys.path.insert(0, {root!r})
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from printouts.layout import Sheet, render_flow
sheet = Sheet()
render_flow(sheet, [sheet.p("一行")], {out!r}, title="floor", pagesize=A4, side=12 * mm,
            top=12 * mm, bottom=16 * mm)
"""


def measure(argv: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """One fresh process: wall seconds, peak resident MB (wait4) and what it printed. CPU
    seconds (user + system) are kept in CPU_TIMES, keyed by the argv."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    printed = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    CPU_TIMES.setdefault(tuple(argv), []).append(usage.ru_utime + usage.ru_stime)
    code = os.waitstatus_to_exitcode(status)
    child.returncode = code
    if code != 0:
        raise SystemExit(f"failed ({code}): {' '.join(argv)}")
    return elapsed, usage.ru_maxrss / 1024, printed


def stats(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[
        min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))
    ]


def add_requests(url: str, day: dt.date, count: int) -> int:
    """`count` requests on `day`, copied from the demo's rows of this hall, in batches."""
    from db import open_database
    from db.models import Request
    from db.setup import load_desk

    database = open_database(url, create=False)
    community = load_desk().community
    templates: list[dict[str, Any]] = list(
        Request.select().where(Request.community == community).dicts()  # type: ignore[arg-type]
    )
    opening = dt.datetime.combine(day, dt.time(8, 30))
    rows = []
    for i in range(count):
        row = dict(templates[i % len(templates)])
        del row["id"]
        row.update(
            ticket=f"BENCH-{day:%Y%m%d}-{i:06d}",
            opened_on=day,
            opened_at=opening + dt.timedelta(seconds=6 * i),
            verify_code="",
        )
        rows.append(row)
    with database.atomic():
        for start in range(0, len(rows), 500):
            Request.insert_many(rows[start : start + 500]).execute()
    total = Request.select().where(Request.opened_on == day).count()
    database.close()
    return int(total)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    parser.add_argument("--keep", type=Path, help="copy the last log PDF here, to look at")
    args = parser.parse_args()
    root = args.root.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ZIYANG_DATA": f"{tmp}/data", "XDG_DATA_HOME": f"{tmp}/xdg"}
        env.pop("ZIYANG_DB", None)
        os.environ.update(ZIYANG_DATA=env["ZIYANG_DATA"], XDG_DATA_HOME=env["XDG_DATA_HOME"])
        url = f"sqlite:///{tmp}/bench.db"
        cli = [sys.executable, "-m", "ziyang_counter", "--db", url]
        built = subprocess.run(
            [*cli, "demo", "--no-tui", "--households", "30", "--json"],
            cwd=ROOT, env=env, check=True, capture_output=True,
        )  # fmt: skip
        day = dt.date.fromisoformat(json.loads(built.stdout)["latest_day"]) - dt.timedelta(14)
        start = time.perf_counter()
        total = add_requests(url, day, args.requests)
        print(f"{total} requests on {day} written in {time.perf_counter() - start:.1f} s")

        out = f"{tmp}/log.pdf"
        command = [*cli, "print", "daily-log", "--date", day.isoformat(), "--out", out]
        steps = STEPS.format(root=str(root), url=url, day=day.isoformat(), out=out)
        floor_code = FLOOR.format(root=str(root), out=f"{tmp}/floor.pdf")
        found: dict[str, list[tuple[float, float]]] = {"floor": [], "command": [], "steps": []}
        parts: dict[str, list[float]] = {"fetch": [], "render": []}
        pages = 0
        for _ in range(args.runs):
            wall, peak, _ = measure([sys.executable, "-c", floor_code], cwd=root, env=env)
            found["floor"].append((wall, peak))
            wall, peak, _ = measure(command, cwd=root, env=env)
            found["command"].append((wall, peak))
            wall, peak, printed = measure([sys.executable, "-c", steps], cwd=root, env=env)
            found["steps"].append((wall, peak))
            report = json.loads(printed)
            parts["fetch"].append(report["fetch"])
            parts["render"].append(report["render"])
            pages = report["pages"]
        if args.keep:
            shutil.copyfile(out, args.keep)

    floor, _ = stats([w for w, _ in found["floor"]])
    print(f"checkout: {root}   runs: {args.runs}   cores: {os.cpu_count()}   "
          f"load: {os.getloadavg()[0]:.1f}   pages: {pages}")  # fmt: skip
    print(f"{'operation':<44} {'median':>8} {'p95':>8} {'floor':>7} {'ratio':>6} {'peak RSS':>9}")
    argvs = {
        "floor": (sys.executable, "-c", floor_code),
        "command": tuple(command),
        "steps": (sys.executable, "-c", steps),
    }
    floor_cpu = statistics.median(CPU_TIMES[argvs["floor"]])
    lines = [
        ("floor: a one-line page, same fonts", "floor"),
        ("print daily-log (the whole command)", "command"),
        ("fetch + render in one process", "steps"),
    ]
    for label, key in lines:
        runs = found[key]
        median, p95 = stats([w for w, _ in runs])
        peak = max(p for _, p in runs)
        cpu = statistics.median(CPU_TIMES[argvs[key]])
        print(
            f"{label:<44} {median:7.2f}s {p95:7.2f}s {floor:6.2f}s {median / floor:5.1f}x "
            f"{peak:7.0f}MB   CPU {cpu:5.2f}s {cpu / floor_cpu:4.1f}x"
        )
    for name, values in parts.items():
        median, p95 = stats(values)
        print(f"{'  of which ' + name:<44} {median:7.2f}s {p95:7.2f}s")
    print("targets (issue 9): the command under 3 s and under 150 MB")


if __name__ == "__main__":
    main()
