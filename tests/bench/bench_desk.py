"""On-demand benchmark of the desk (never part of the test suite).

    python tests/bench/bench_desk.py [--runs 7] [--requests 1000] [--households 400]

1. First screen, as a clerk starts it: `ziyang-counter --db …` in a real terminal (tmux,
   120x36) until its sign-in screen is drawn; against the floor, a minimal Textual app (one
   Static) in the same terminal until its text is drawn. Median and p95 of wall time, and the
   peak resident memory of each (the issue's targets: within 1.5x the floor's time and 60 MB
   above its memory).
2. A long session: in one desk session, `--requests` requests opened through the new-request
   screen as a clerk would (service typed, Enter, the print dialog closed), the resident memory
   read every 100 requests. Memory should stay flat: what grows with each request is a leak.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

MINIMAL = """
from textual.app import App
from textual.widgets import Static

class Minimal(App):
    def compose(self):
        yield Static("最小应用 minimal app")

Minimal().run()
"""
MARKERS = {"minimal": "最小应用", "desk": "工作人员编号"}  # on screen once the first screen drew


def first_screen(command: list[str], marker: str) -> tuple[float, float]:
    """Seconds from starting `command` in a real terminal (tmux, 120x36) until `marker` is on
    the screen, and the process's peak resident memory (MB, VmHWM) at that moment."""
    import shlex

    session = f"bench-{os.getpid()}-{time.perf_counter_ns()}"
    start = time.perf_counter()
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "36",
         "exec " + shlex.join(command)],
        check=True,
    )  # fmt: skip
    try:
        pid = subprocess.run(
            ["tmux", "display-message", "-p", "-t", session, "#{pane_pid}"],
            capture_output=True, text=True, check=True,
        ).stdout.strip()  # fmt: skip
        while True:
            shown = subprocess.run(
                ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
            ).stdout
            if marker in shown.replace(" ", ""):
                took = time.perf_counter() - start
                break
            if time.perf_counter() - start > 30:
                raise RuntimeError(f"no {marker!r} on the screen after 30 s:\n{shown}")
            time.sleep(0.005)
        with open(f"/proc/{pid}/status") as status:
            peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    return took, peak / 1024


def rss_mb() -> float:
    """This process's resident memory now, from /proc (Linux)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def time_first_screens(
    command: list[str], marker: str, runs: int
) -> tuple[list[float], list[float]]:
    # A session kept open throughout: killing the last session stops the tmux server, and a
    # new session started while it stops fails ("server exited unexpectedly").
    keep = f"bench-keep-{os.getpid()}"
    subprocess.run(["tmux", "new-session", "-d", "-s", keep, "sleep 600"], check=True)
    seconds: list[float] = []
    peaks: list[float] = []
    try:
        for _ in range(runs):
            took, peak = first_screen(command, marker)
            seconds.append(took)
            peaks.append(peak)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", keep], capture_output=True)
    return seconds, peaks


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def build_demo_db(folder: Path, households: int) -> str:
    from db import open_database
    from db.demo import build_demo
    from forms.catalogue import load_catalogue

    url = f"sqlite:///{folder / 'desk.db'}"
    database = open_database(url)
    build_demo(households=households, catalogue=load_catalogue(), today=dt.date.today())
    database.close()
    return url


async def long_session(url: str, requests: int) -> list[tuple[int, float, float]]:
    """(requests opened, RSS MB, seconds per request over the last stretch) every 100."""
    from db import open_database
    from db.accounts import sign_in
    from db.demo import DEMO_PASSWORDS
    from db.models import Person, Request
    from tui.app import build_app
    from tui.screens.dialogs import ConfirmDialog
    from tui.screens.home import HomeScreen
    from tui.screens.new_request import NewRequestScreen
    from tui.screens.print_dialog import PrintDialog

    database = open_database(url, create=False)
    session = sign_in("101", DEMO_PASSWORDS["101"], client="desk")
    app = build_app(database, session=session)
    people = [p.id_number for p in Person.select(Person.id_number).order_by(Person.id)]
    marks: list[tuple[int, float, float]] = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause(0.2)
        assert isinstance(app.screen, HomeScreen)
        before = Request.select().count()
        stretch = time.perf_counter()
        for index in range(requests):
            person = people[index % len(people)]
            app.push_screen(NewRequestScreen(person))
            await pilot.pause()
            # 就业培训 (local), then 城乡居民养老保险 on the second round: never the same open one
            for key in "jypx" if index < len(people) else "cxjm":
                await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.press("enter")
            for _ in range(200):
                await pilot.pause(0.005)
                if isinstance(app.screen, ConfirmDialog):  # a refusal is confirmed first
                    await pilot.press("y")
                elif isinstance(app.screen, PrintDialog):
                    await pilot.press("escape")
                    await pilot.pause()
                    break
            while not isinstance(app.screen, HomeScreen):
                app.pop_screen()
                await pilot.pause()
            if (index + 1) % 100 == 0:
                now = time.perf_counter()
                marks.append((index + 1, rss_mb(), (now - stretch) / 100))
                stretch = now
        opened = Request.select().count() - before
    database.close()
    print(f"requests recorded in the session: {opened} of {requests} attempts")
    return marks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--households", type=int, default=400)
    args = parser.parse_args()
    # As an installed copy runs: compiled once (this machine sets PYTHONDONTWRITEBYTECODE, which
    # would make every start compile the project again, about 40 ms).
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "ziyang_counter.py", "db", "forms", "tui",
         "printouts"],
        cwd=ROOT, check=True, capture_output=True,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        os.environ["ZIYANG_OUTPUT"] = str(Path(folder) / "out")
        url = build_demo_db(Path(folder), args.households)
        minimal = Path(folder) / "minimal.py"
        minimal.write_text(textwrap.dedent(MINIMAL), encoding="utf-8")
        desk = [str(Path(sys.executable).with_name("ziyang-counter")), "--db", url]
        floor_s, floor_mb = time_first_screens(
            [sys.executable, str(minimal)], MARKERS["minimal"], args.runs
        )
        desk_s, desk_mb = time_first_screens(desk, MARKERS["desk"], args.runs)
        print(f"first screen in a terminal (tmux 120x36), {args.runs} runs each")
        print(f"{'':28}{'median s':>10}{'p95 s':>10}{'peak MB':>10}")
        for label, secs, mbs in (
            ("minimal Textual app", floor_s, floor_mb),
            ("desk (ziyang-counter), sign-in", desk_s, desk_mb),
        ):
            print(f"{label:28}{statistics.median(secs):>10.3f}{p95(secs):>10.3f}"
                  f"{statistics.median(mbs):>10.1f}")  # fmt: skip
        print(
            f"ratio {statistics.median(desk_s) / statistics.median(floor_s):.2f}x (target 1.5x); "
            f"memory +{statistics.median(desk_mb) - statistics.median(floor_mb):.1f} MB "
            "(target 60 MB)"
        )
        marks = asyncio.run(long_session(url, args.requests))
        print(f"\none desk session, {args.requests} requests opened")
        print(f"{'requests':>10}{'RSS MB':>10}{'s/request':>11}")
        for count, mb, each in marks:
            print(f"{count:>10}{mb:>10.1f}{each:>11.3f}")
        if len(marks) >= 2:
            growth = marks[-1][1] - marks[0][1]
            print(f"growth from {marks[0][0]} to {marks[-1][0]}: {growth:+.1f} MB")


if __name__ == "__main__":
    main()
