"""Fixtures for driving the real desk with Pilot: a demo database (built once per test session
through the real operations, copied per test), a fixed clock, and apps signed in through the
real sign-in.

Tests are plain functions that run their Pilot coroutine with `drive(app, steps)` or
`asyncio.run(...)`: the project has no pytest-asyncio.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import shutil
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import peewee
import pytest

from db import clock as db_clock
from db import open_database
from db.accounts import sign_in
from db.demo import DEMO_PASSWORDS, build_demo
from forms.catalogue import load_catalogue
from tests.conftest import TODAY

# The desk's "now" in every UI test: the demo's last day, mid-afternoon (fixed: snapshots and
# dates on screen never depend on the real date).
NOW = dt.datetime.combine(TODAY, dt.time(15, 30))
DEMO_HOUSEHOLDS = 30
OFFICER = "101"  # 张敏, officer
SUPERVISOR = "201"  # 陈静, supervisor


def fixed_clock() -> dt.datetime:
    return NOW


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One demo database file for the whole session; each test works on its own copy."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    database = open_database(f"sqlite:///{path}")
    with db_clock.clock(NOW):
        build_demo(households=DEMO_HOUSEHOLDS, catalogue=load_catalogue(), today=TODAY)
    database.close()
    return path


@pytest.fixture
def demo_db(
    demo_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[peewee.Database]:
    """This test's copy of the demo database, open and bound; PDFs go to tmp_path/out."""
    path = tmp_path / "desk.db"
    shutil.copyfile(demo_template, path)
    monkeypatch.setenv("ZIYANG_OUTPUT", str(tmp_path / "out"))
    monkeypatch.delenv("ZIYANG_PRINTER", raising=False)
    monkeypatch.delenv("ZIYANG_COMMUNITY", raising=False)
    monkeypatch.delenv("ZIYANG_COUNTER", raising=False)
    database = open_database(f"sqlite:///{path}", create=False)
    yield database
    database.close()


@pytest.fixture
def make_app(demo_db: peewee.Database) -> Callable[..., Any]:
    """`make_app(code="101")`: the desk on the demo copy, signed in as `code` through the real
    sign-in (code=None: at the sign-in screen). Extra keywords go to build_app."""
    from tui.app import build_app

    def make(code: str | None = OFFICER, **options: Any) -> Any:
        session = None
        if code is not None:
            with db_clock.clock(NOW):
                session = sign_in(code, DEMO_PASSWORDS[code], client="desk", now=NOW)
        options.setdefault("clock", fixed_clock)
        return build_app(demo_db, session=session, **options)

    return make


def drive(
    app: Any,
    steps: Callable[[Any], Awaitable[None]],
    size: tuple[int, int] = (120, 36),
) -> None:
    """Run `steps(pilot)` against the app in a real (headless) Textual session."""

    async def main() -> None:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(pilot)

    asyncio.run(main())


async def settle(pilot: Any, app: Any | None = None) -> None:
    """Let timers, workers and screen switches finish."""
    target = app or pilot.app
    for _ in range(3):
        await pilot.pause(0.05)
        await target.workers.wait_for_complete()
    await pilot.pause()


async def type_text(pilot: Any, text: str) -> None:
    """Type text as a keyboard would (Chinese characters arrive as characters)."""
    for char in text:
        await pilot.press(char if char != " " else "space")


def pdf_text(path: str) -> str:
    """The text of a PDF the desk wrote, read back with pypdf."""
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(path).pages)


async def fill_in(pilot: Any, *values: str) -> None:
    """Type each value then Enter (to the next field); "" keeps the field's default."""
    for value in values:
        if value:
            pilot.app.focused.value = ""  # replace a default (community, relation, ethnicity)
            await type_text(pilot, value)
        await pilot.press("enter")


def text_of(widget: Any) -> str:
    """What a widget shows, as plain text, whatever it renders (text, or a Rich table)."""
    import io

    from rich.console import Console
    from rich.text import Text
    from textual.content import Content
    from textual.widgets import Static

    if not isinstance(widget, Static):  # a container: its texts, one row per line
        rows = widget.query(".row") or [widget]
        return "\n".join(" ".join(text_of(part) for part in row.query(Static)) for row in rows)
    shown = widget.render()
    if isinstance(shown, (str, Text, Content)):
        return str(shown)
    console = Console(width=200, file=io.StringIO(), record=True, color_system=None)
    console.print(shown)
    return console.export_text()
