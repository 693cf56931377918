"""Snapshots of the main screens at 80x24 and 120x36 (pytest-textual-snapshot).

The SVGs under __snapshots__/ were looked at by a person when accepted; a change in layout fails
here until it is looked at again (`pytest tests/ui/test_snapshots.py --snapshot-update`).
Fixed clock, fixed demo data (seeded), so the pictures do not depend on the day they run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.ui.conftest import settle

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 36), id="120x36")]


def settled(more: Callable[[Any], Any] | None = None) -> Callable[[Any], Any]:
    async def run_before(pilot: Any) -> None:
        from textual.widgets import Input

        for box in pilot.app.screen.query(Input):
            box.cursor_blink = False  # a blinking caret would differ from picture to picture
        await settle(pilot)
        if more is not None:
            await more(pilot)
            await settle(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_home(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(), terminal_size=size, run_before=settled())


@pytest.mark.parametrize("size", SIZES)
def test_home_with_search_results(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    async def search(pilot: Any) -> None:
        from textual.widgets import OptionList

        await pilot.press("王")
        hits = pilot.app.screen.query_one("#hits", OptionList)
        for _ in range(100):  # the debounce timer, then the worker: wait for the results
            await pilot.pause(0.05)
            if hits.option_count:
                break
        await settle(pilot)

    assert snap_compare(make_app(), terminal_size=size, run_before=settled(search))


def test_sign_in(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(code=None), terminal_size=(80, 24), run_before=settled())


def test_help(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["f1"], terminal_size=(120, 36), run_before=settled())


def demo_person() -> str:
    """The README's sample resident (an adult of the home community with a valid permit)."""
    from db.demo import _sample_person
    from tests.conftest import TODAY

    return _sample_person(TODAY)


def open_screen(make: Callable[[], Any]) -> Callable[[Any], Any]:
    async def push(pilot: Any) -> None:
        pilot.app.push_screen(make())

    return push


@pytest.mark.parametrize("size", SIZES)
def test_person_card(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    from tui.screens.person import PersonScreen

    person = demo_person()
    run = settled(open_screen(lambda: PersonScreen(person)))
    assert snap_compare(make_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_new_request_with_its_decision(
    snap_compare: Any, make_app: Any, size: tuple[int, int]
) -> None:
    from tui.screens.new_request import NewRequestScreen

    person = demo_person()

    async def pick(pilot: Any) -> None:
        pilot.app.push_screen(NewRequestScreen(person))
        await settle(pilot)
        for key in "xmdj":  # 选民登记 by its pinyin initials
            await pilot.press(key)

    assert snap_compare(make_app(), terminal_size=size, run_before=settled(pick))


@pytest.mark.parametrize("size", SIZES)
def test_request_detail(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    from db.models import Request
    from tui.screens.request_detail import RequestScreen

    ticket = (
        Request.select(Request.ticket)
        .where(Request.status == "forwarded")
        .order_by(Request.id)
        .scalar()
    )
    run = settled(open_screen(lambda: RequestScreen(ticket)))
    assert snap_compare(make_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_lists(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    async def overdue(pilot: Any) -> None:
        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("5")

    assert snap_compare(make_app(), terminal_size=size, run_before=settled(overdue))


@pytest.mark.parametrize("size", SIZES)
def test_permit(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    from tui.screens.permit import PermitScreen

    person = demo_person()
    run = settled(open_screen(lambda: PermitScreen(person)))
    assert snap_compare(make_app(), terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_supervisor_log(snap_compare: Any, make_app: Any, size: tuple[int, int]) -> None:
    async def log(pilot: Any) -> None:
        await pilot.press("f8")

    assert snap_compare(make_app("201"), terminal_size=size, run_before=settled(log))


def test_register(snap_compare: Any, make_app: Any) -> None:
    assert snap_compare(make_app(), press=["f5"], terminal_size=(80, 24), run_before=settled())


def test_high_contrast_and_ascii(snap_compare: Any, make_app: Any) -> None:
    app = make_app(high_contrast=True, ascii_borders=True)
    assert snap_compare(app, terminal_size=(80, 24), run_before=settled())
