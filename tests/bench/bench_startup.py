"""On-demand benchmark of CLI start-up (never part of the test suite).

    python tests/bench/bench_startup.py [--runs 21] [--root CHECKOUT]

Builds a small demo database, then runs `check`, `request list` and `print receipt` as fresh
processes, the way a clerk or a script does, each `--runs` times, against the floor measured in
the same run: `python -c "import peewee, typer"` (issue 9's targets: `check` and `request list`
within 2x of it, `print receipt` within 3x). A second reference, a one-option typer command,
shows what typer itself adds once a command runs (it builds its option parsers with pydantic).

Wall time per process, median and 95th percentile, CPU time (user + system, the steadier
figure on a machine shared with other work) and peak resident memory. Byte-code is
compiled first (`compileall`), as `pip install` does; without it every run would compile our
modules again (PYTHONDONTWRITEBYTECODE). `--root` times another checkout of the project (a
`git worktree` of main, say) against this machine's floor: before and after.
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

TYPER_ONE_OPTION = """
import typer
app = typer.Typer()
@app.command()
def main(name: str = typer.Option("x", "--name")) -> None:
    pass
app()
"""


def measure(argv: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """One fresh process: wall seconds, CPU seconds (user + system) and peak resident memory
    in MB, from wait4. On a machine shared with other work the CPU time is the steadier."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"failed ({child.returncode}): {' '.join(argv)}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def series(argv: list[str], runs: int, *, cwd: Path, env: dict[str, str]) -> dict[str, float]:
    measure(argv, cwd=cwd, env=env)  # warm the page cache
    times, cpus, peaks = [], [], []
    for _ in range(runs):
        elapsed, cpu, peak = measure(argv, cwd=cwd, env=env)
        times.append(elapsed)
        cpus.append(cpu)
        peaks.append(peak)
    times.sort()
    return {
        "median": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "cpu": statistics.median(cpus),
        "rss": statistics.median(peaks),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to time")
    args = parser.parse_args()
    root = args.root.resolve()
    packages = ["forms", "db", "printouts", "tui", "ziyang_counter.py"]
    compile_all = [sys.executable, "-m", "compileall", "-q", *packages]
    subprocess.run(compile_all, cwd=root, check=True, stdout=subprocess.DEVNULL)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ZIYANG_DATA": f"{tmp}/data", "XDG_DATA_HOME": f"{tmp}/xdg"}
        env.pop("ZIYANG_DB", None)
        cli = [sys.executable, "-m", "ziyang_counter", "--db", f"sqlite:///{tmp}/bench.db"]

        def run_json(*more: str) -> dict[str, object]:
            done = subprocess.run(
                [*cli, *more, "--json"], cwd=root, env=env, check=True, capture_output=True
            )
            return dict(json.loads(done.stdout))

        demo = run_json("demo", "--no-tui", "--households", "30")
        day = str(demo["latest_day"])
        listed = run_json("request", "list", "--date", day)
        ticket = listed["requests"][0]["ticket"]  # type: ignore[index]
        person = str(demo["sample_id"])

        floor = series([sys.executable, "-c", "import peewee, typer"], args.runs, cwd=root, env=env)
        typer_one = series([sys.executable, "-c", TYPER_ONE_OPTION], args.runs, cwd=root, env=env)
        rows: list[tuple[str, dict[str, float], float | None]] = [
            ("floor: python -c 'import peewee, typer'", floor, None)
        ]
        rows.append(("ref: a one-option typer command", typer_one, None))
        commands = [
            ("check", ["check", "--id-number", person, "--service", "选民登记"], 2.0),
            ("request list", ["request", "list", "--date", day], 2.0),
            ("print receipt", ["print", "receipt", str(ticket), "--out", f"{tmp}/r.pdf"], 3.0),
        ]
        for label, more, aim_at in commands:
            rows.append((label, series([*cli, *more], args.runs, cwd=root, env=env), aim_at))

    print(f"checkout: {root}   runs: {args.runs}   cores: {os.cpu_count()}   "
          f"load: {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(
        f"{'operation':<40} {'median':>8} {'p95':>8} {'floor':>8} {'ratio':>6} {'target':>6}"
        f" {'CPU':>7} {'ratio':>6} {'RSS':>6}"
    )
    for label, stats, target in rows:
        ratio = stats["median"] / floor["median"]
        cpu_ratio = stats["cpu"] / floor["cpu"]
        aim = f"{target:.0f}x" if target else ""
        print(
            f"{label:<40} {stats['median'] * 1000:6.0f}ms {stats['p95'] * 1000:6.0f}ms "
            f"{floor['median'] * 1000:6.0f}ms {ratio:5.2f}x {aim:>6} "
            f"{stats['cpu'] * 1000:5.0f}ms {cpu_ratio:5.2f}x {stats['rss']:4.0f}MB"
        )
    print("ratio: median wall time over the floor's; CPU: median user + system time, its ratio")


if __name__ == "__main__":
    main()
