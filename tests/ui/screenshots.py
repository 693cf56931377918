"""Pictures of the desk for the README: `python -m tests.ui.screenshots [FOLDER]`.

Builds the demo in a temporary folder (the tests' fixed day and clock), drives the real desk with
Pilot and saves an SVG of each main screen at 120x36 (and the home screen at 80x24 too) into
FOLDER (default docs/screens). Not a test: the snapshot tests guard the layout.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from db import clock as db_clock
from db import open_database
from db.accounts import sign_in
from db.demo import DEMO_PASSWORDS, build_demo
from forms.catalogue import load_catalogue
from tests.conftest import TODAY
from tests.ui.conftest import NOW, fixed_clock, settle, type_text

Steps = Callable[[Any], Awaitable[None]]


async def wait_for_hits(pilot: Any) -> None:
    for _ in range(100):
        await pilot.pause(0.05)
        if pilot.app.screen.query_one("#hits").option_count:
            break
    await settle(pilot)


async def shoot(
    database: Any, folder: Path, name: str, steps: Steps, size: tuple[int, int], code: str = "101"
) -> None:
    from textual.widgets import Input

    from tui.app import build_app

    with db_clock.clock(NOW):
        session = sign_in(code, DEMO_PASSWORDS[code], client="desk", now=NOW)
    app = build_app(database, session=session, clock=fixed_clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await steps(pilot)
        await settle(pilot)
        for box in app.screen.query(Input):
            box.cursor_blink = False
        app.save_screenshot(str(folder / f"{name}.svg"))
    print(folder / f"{name}.svg")


async def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ziyang-shots-"))
    os.environ["ZIYANG_DATA"] = str(work / "data")
    os.environ["ZIYANG_OUTPUT"] = str(work / "out")
    os.environ["ZIYANG_RECEIPT_KEYS"] = str(work / "keys.json")
    database = open_database(f"sqlite:///{work / 'demo.db'}")
    with db_clock.clock(NOW):
        summary = build_demo(households=60, catalogue=load_catalogue(), today=TODAY)
    sample = str(summary["sample_id"])

    async def nothing(pilot: Any) -> None:
        return None

    async def search(pilot: Any) -> None:
        await type_text(pilot, "zhang")
        await wait_for_hits(pilot)

    async def person(pilot: Any) -> None:
        await type_text(pilot, sample[-6:])
        await wait_for_hits(pilot)
        await pilot.press("enter")

    async def new_request(pilot: Any) -> None:
        await person(pilot)
        await settle(pilot)
        await pilot.press("f3")
        await settle(pilot)
        await type_text(pilot, "xmdj")  # 选民登记
        await settle(pilot)

    async def lists(pilot: Any) -> None:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("5")

    async def supervisor(pilot: Any) -> None:
        await pilot.press("f8")

    await shoot(database, folder, "home-80x24", nothing, (80, 24))
    await shoot(database, folder, "home", nothing, (120, 36))
    await shoot(database, folder, "search", search, (120, 36))
    await shoot(database, folder, "person", person, (120, 36))
    await shoot(database, folder, "new-request", new_request, (120, 36))
    await shoot(database, folder, "new-request-80x24", new_request, (80, 24))
    await shoot(database, folder, "lists", lists, (120, 36))
    await shoot(database, folder, "supervisor", supervisor, (120, 36), code="201")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screens")))
