"""The desk in a real terminal: tmux runs it on a demo database, the test types into it with
`send-keys` and reads the screen with `capture-pane`, as a clerk would see it.

Pilot tests drive Textual's headless driver; this one goes through a pseudo-terminal, Textual's
Linux driver, its escape-sequence parser and tmux's own idea of character widths: F-keys and
Alt+letters as a terminal sends them, Chinese as UTF-8, the terminal cursor (which an IME's
candidate window follows) and the screen restored on quitting.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from db.demo import DEMO_OFFICER, DEMO_PASSWORDS

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

ROOT = Path(__file__).resolve().parents[2]
BOX_DRAWING = {chr(c) for c in range(0x2500, 0x2580)}


@dataclass(frozen=True)
class Demo:
    url: str
    env: dict[str, str]
    name: str  # a person of the demo, and the tail of their ID
    id_tail: str


def _env(tmp: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ZIYANG_", "TMUX", "TEXTUAL_")) and k != "PYTHONPATH"
    }
    env.update(
        ZIYANG_DATA=str(tmp / "data"),
        ZIYANG_OUTPUT=str(tmp / "out"),
        PYTHONPATH=str(ROOT),
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
    )
    return env


def _cli(demo_env: dict[str, str], *args: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, str(ROOT / "ziyang_counter.py"), *args, "--json"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=demo_env,
        timeout=120,
    )
    data = json.loads(out.stdout)
    assert isinstance(data, dict)
    return data


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    """`ziyang-counter demo --no-tui --households 10` into a temporary data folder."""
    tmp = tmp_path_factory.mktemp("tmux-demo")
    env = _env(tmp)
    url = f"sqlite:///{tmp / 'demo.db'}"
    summary = _cli(env, "--db", url, "demo", "--no-tui", "--households", "10")
    sample = str(summary["sample_id"])
    shown = _cli(env, "--db", url, "person", "show", "--id-number", sample)
    person = shown["person"]
    assert isinstance(person, dict)
    return Demo(url=url, env=env, name=str(person["name"]), id_tail=sample[-4:])


class Tmux:
    """One private tmux server (its own socket, no user config) holding the desk's session."""

    def __init__(self, socket: Path, env: dict[str, str]) -> None:
        self.socket = socket
        self.env = env

    def __call__(self, *args: str) -> str:
        out = subprocess.run(
            ["tmux", "-u", "-f", "/dev/null", "-S", str(self.socket), *args],
            capture_output=True,
            text=True,
            check=True,
            env=self.env,
            timeout=30,
        )
        return out.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "desk")

    def keys(self, *keys: str) -> None:
        self("send-keys", "-t", "desk", *keys)

    def type(self, text: str) -> None:
        self("send-keys", "-t", "desk", "-l", text)

    def cursor(self) -> tuple[int, int]:
        x, y = self("display-message", "-p", "-t", "desk", "#{cursor_x} #{cursor_y}").split()
        return int(x), int(y)

    def alternate_screen(self) -> bool:
        return self("display-message", "-p", "-t", "desk", "#{alternate_on}").strip() == "1"

    def wait_for(self, check: Callable[[str], bool], what: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if check(screen):
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} within {timeout}s; the terminal shows:\n{screen}")
            time.sleep(0.1)


@pytest.fixture
def desk_in_tmux(demo: Demo, tmp_path: Path) -> Iterator[Callable[..., Tmux]]:
    """`start(width, height, *options)`: the desk running in a detached tmux session of that
    size; the shell prints EXIT:<code> when it ends and the pane stays for reading."""
    tmux = Tmux(tmp_path / "tmux.sock", demo.env)

    def start(width: int, height: int, *options: str) -> Tmux:
        # The real command: `demo` finds its database built and opens the desk signed in.
        cli = [sys.executable, str(ROOT / "ziyang_counter.py"), "--db", demo.url, *options]
        desk = shlex.join([*cli, "demo"])
        script = f'cd {shlex.quote(str(ROOT))} && {desk}; echo "EXIT:$?"; exec sleep 600'
        tmux("new-session", "-d", "-s", "desk", "-x", str(width), "-y", str(height))
        tmux("respawn-pane", "-k", "-t", "desk", "sh", "-c", script)
        return tmux

    yield start
    subprocess.run(
        ["tmux", "-S", str(tmux.socket), "kill-server"], env=demo.env, capture_output=True
    )


def _home(screen: str) -> bool:
    return "本窗口待办" in screen and "张敏" in screen


@pytest.mark.parametrize(
    ("width", "height", "options"),
    [(100, 30, ()), (80, 24, ("--ascii",))],
    ids=["100x30", "80x24-ascii"],
)
def test_the_desk_answers_in_a_real_terminal(
    desk_in_tmux: Callable[..., Tmux], demo: Demo, width: int, height: int, options: tuple[str]
) -> None:
    tmux = desk_in_tmux(width, height, *options)
    home = tmux.wait_for(_home, "home screen")
    assert tmux.alternate_screen()
    lines = home.splitlines()
    assert len(lines) <= height and "蒿坪镇双星社区" in lines[0]
    if options:  # ASCII borders: no box-drawing character anywhere on the screen
        assert not BOX_DRAWING & set(home), sorted(BOX_DRAWING & set(home))
    else:
        assert "╭" in home

    # Chinese typed into the search box: the terminal cursor follows the caret, two cells a
    # character (where an IME puts its candidate window), and the person is found.
    first, rest = demo.name[0], demo.name[1:]
    tmux.type(first)
    tmux.wait_for(lambda s: first in s.splitlines()[2], "first character in the search box")
    x1, y1 = tmux.cursor()
    tmux.type(rest)
    found = tmux.wait_for(
        lambda s: f"********{demo.id_tail}" in s, f"search result for {demo.name}"
    )
    x2, y2 = tmux.cursor()
    assert demo.name in found.splitlines()[2]
    assert y1 == y2 == 2 and x2 - x1 == 2 * len(rest)
    tmux.keys("Escape")  # clears the search
    tmux.wait_for(lambda s: demo.name not in s.splitlines()[2], "search box cleared")

    # F1: the help for the home screen and the app's keys; Esc closes it.
    tmux.keys("F1")
    shown = tmux.wait_for(lambda s: "全局按键" in s, "help after F1")
    assert "首页" in shown and "F1 / Alt+H" in shown
    tmux.keys("Escape")
    tmux.wait_for(lambda s: "全局按键" not in s and _home(s), "home screen after Esc")

    # Alt+X locks; the officer's password unlocks; F10 locks again.
    tmux.keys("M-x")
    locked = tmux.wait_for(lambda s: "已锁屏" in s, "lock screen after Alt+X")
    assert "本窗口待办" not in locked  # nothing of the day shows while locked
    tmux.type(DEMO_PASSWORDS[DEMO_OFFICER])
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "已锁屏" not in s and _home(s), "home screen after unlocking")
    tmux.keys("F10")
    tmux.wait_for(lambda s: "已锁屏" in s, "lock screen after F10")

    # Ctrl+Q does nothing while locked; unlocked, it asks first, then ends the desk cleanly
    # and gives the terminal back.
    tmux.keys("C-q")
    tmux.wait_for(lambda s: "锁屏时不能退出" in s, "quit refused while locked")
    tmux.type(DEMO_PASSWORDS[DEMO_OFFICER])
    tmux.keys("Enter")
    tmux.wait_for(lambda s: "已锁屏" not in s and _home(s), "home screen after unlocking")
    tmux.keys("C-q")
    tmux.wait_for(lambda s: "退出窗口桌面" in s, "quit asks first")
    tmux.keys("y")
    tmux.wait_for(lambda s: "EXIT:" in s, "the desk to exit")
    assert "EXIT:0" in tmux.screen()
    assert not tmux.alternate_screen()


def _run_in_tmux(tmux: Tmux, argv: list[str]) -> Tmux:
    cli = shlex.join([sys.executable, str(ROOT / "ziyang_counter.py"), *argv])
    script = f'cd {shlex.quote(str(ROOT))} && {cli}; echo "EXIT:$?"; exec sleep 600'
    tmux("new-session", "-d", "-s", "desk", "-x", "100", "-y", "30")
    tmux("respawn-pane", "-k", "-t", "desk", "sh", "-c", script)
    return tmux


@pytest.fixture
def plain_tmux(demo: Demo, tmp_path: Path) -> Iterator[Tmux]:
    tmux = Tmux(tmp_path / "tmux.sock", demo.env)
    yield tmux
    subprocess.run(
        ["tmux", "-S", str(tmux.socket), "kill-server"], env=demo.env, capture_output=True
    )


def test_the_desk_from_the_command_line_signs_in_on_its_first_screen(
    plain_tmux: Tmux, demo: Demo
) -> None:
    """`ziyang-counter` alone: the sign-in form first, the database opened just after it is
    drawn (the counter's community appears in it), then home once signed in."""
    tmux = _run_in_tmux(plain_tmux, ["--db", demo.url])
    tmux.wait_for(lambda s: "工作人员编号" in s.replace(" ", ""), "the sign-in form")
    tmux.wait_for(lambda s: "蒿坪镇双星社区" in s, "the counter's community in the form")
    tmux.type(DEMO_OFFICER)
    tmux.wait_for(lambda s: DEMO_OFFICER in s, "the staff code typed")
    _, code_row = tmux.cursor()
    tmux.keys("Enter")
    # Keys typed ahead of a focus change go to the field that had focus (Textual delivers
    # them in order), so the password waits until the caret is in its field.
    deadline = time.monotonic() + 30
    while tmux.cursor()[1] == code_row and time.monotonic() < deadline:
        time.sleep(0.05)
    tmux.type(DEMO_PASSWORDS[DEMO_OFFICER])
    tmux.keys("Enter")
    tmux.wait_for(_home, "home screen after signing in")


def test_the_desk_on_a_database_never_initialised_says_so_and_exits(
    plain_tmux: Tmux, tmp_path: Path
) -> None:
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    tmux = _run_in_tmux(plain_tmux, ["--db", f"sqlite:///{empty}"])
    shown = tmux.wait_for(lambda s: "EXIT:" in s, "the desk to exit")
    assert "EXIT:1" in shown
    assert "数据库尚未初始化" in shown and "ziyang-counter init" in shown.replace("\n", "")
    assert not tmux.alternate_screen()
