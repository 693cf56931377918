"""Lists (F6) on the demo database: every list with its count, switching lists, keyset pages,
Enter opens the row, and the screen fits 80x24 and 120x36."""

from __future__ import annotations

import importlib
import sys
import types
from pathlib import Path
from typing import Any, ClassVar

import pytest
from rich.cells import cell_len
from textual.app import ComposeResult
from textual.widgets import Static

from db.models import Permit, Request
from forms.status import OPEN_STATUSES
from tests.conftest import TODAY
from tests.ui.conftest import drive, settle, text_of
from tui.screens.base import DeskScreen

COUNTER = "SXSQ01"  # officer 101 signs in at counter 1 of the demo's home community


def label_of(widget: Any) -> str:
    return str(widget.render())


class _Shown(DeskScreen):
    """What Enter opens, until the request and person screens are merged in."""

    BINDINGS: ClassVar = [("escape", "app.pop_screen", "返回")]

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def compose(self) -> ComposeResult:
        yield Static(self.key)


class RequestScreen(_Shown):
    def ticket_on_screen(self) -> str | None:
        return self.key


class PersonScreen(_Shown):
    def person_on_screen(self) -> str | None:
        return self.key


@pytest.fixture
def openable(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real request and person screens when they exist, else a stand-in of each under the
    names the lists screen imports (never our own code under test)."""
    for name, screen in (
        ("tui.screens.request_detail", RequestScreen),
        ("tui.screens.person", PersonScreen),
    ):
        try:
            importlib.import_module(name)
        except ImportError:
            module = types.ModuleType(name)
            setattr(module, screen.__name__, screen)
            monkeypatch.setitem(sys.modules, name, module)


def open_tickets() -> list[str]:
    """This counter's open requests, straight from the table (not through db/desk_lists)."""
    query = Request.select(Request.ticket).where(
        (Request.counter_code == COUNTER) & Request.status.in_(OPEN_STATUSES)
    )
    return [r.ticket for r in query]


def test_f6_shows_every_list_with_its_count(make_app: Any) -> None:
    app = make_app()
    opened_today = (
        Request.select()
        .where((Request.counter_code == COUNTER) & (Request.opened_on == TODAY))
        .count()
    )
    assert opened_today > 0

    async def steps(pilot: Any) -> None:
        from tui.screens.lists import ListsScreen
        from tui.widgets.paged_table import PagedTable

        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        # From home, F6 opens the list its table shows (全部待办); 1 switches to 今日.
        assert isinstance(screen, ListsScreen) and screen.kind == "open"
        await pilot.press("1")
        await settle(pilot)
        assert screen.kind == "today"
        strip = label_of(screen.query_one("#kinds"))
        for text in (
            "1 今日",
            "2 待补正",
            "3 转办待回",
            "7 本周签注到期",
            f"8 全部待办 {len(open_tickets())}",
        ):
            assert text in strip
        table = screen.query_one("#rows", PagedTable)
        assert len(table.rows) == opened_today
        assert label_of(table.query_one(".count")) == f"第1页/共{opened_today}条"
        assert screen.query_one("#list").border_title == "今日"
        # F1 lists the screen's own keys, the number keys among them
        await pilot.press("f1")
        await settle(pilot)
        keys = text_of(app.screen.query_one("#screen-keys"))
        assert "PgDn" in keys and "本周签注到期" in keys
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("escape")  # back home
        await settle(pilot)
        assert type(app.screen).__name__ == "HomeScreen"

    drive(app, steps)


def test_switching_lists_with_numbers_and_arrows(make_app: Any) -> None:
    app = make_app()
    overdue = sum(
        1
        for r in Request.select().where(
            (Request.counter_code == COUNTER) & Request.status.in_(OPEN_STATUSES)
        )
        if r.promised_by is not None and r.promised_by < TODAY
    )

    async def steps(pilot: Any) -> None:
        from tui.widgets.paged_table import PagedTable

        await pilot.press("f6")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#rows", PagedTable)
        await pilot.press("5")
        await settle(pilot)
        assert screen.kind == "overdue" and screen.query_one("#list").border_title == "已超期"
        assert table.total == overdue and all(r["overdue"] for r in table.rows)
        await pilot.press("right")
        await settle(pilot)
        assert screen.kind == "due_week"
        await pilot.press("left", "left")
        await settle(pilot)
        assert screen.kind == "due"
        await pilot.press("1", "left")  # from the first list round to the last
        await settle(pilot)
        assert screen.kind == "open" and table.total == len(open_tickets())
        await pilot.press("7")
        await settle(pilot)
        assert screen.kind == "permits_due"
        assert table.rows and all(
            "签注期开始" in r["what"] or "失效" in r["what"] for r in table.rows
        )
        shown = label_of(screen.query_one("#kinds"))
        assert f"7 本周签注到期 {table.total}" in shown
        # a screen may open the lists on a given kind
        from tui.screens.lists import ListsScreen

        await app.push_screen(ListsScreen("pending"))
        await settle(pilot)
        assert app.screen is not screen and app.screen.kind == "pending"
        rows = app.screen.query_one("#rows", PagedTable).rows
        assert rows and {r["status"] for r in rows} == {"pending_materials"}

    drive(app, steps)


def test_pages_of_the_open_list(make_app: Any) -> None:
    app = make_app()
    expected = set(open_tickets())

    async def steps(pilot: Any) -> None:
        from tui.widgets.paged_table import PagedTable

        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        table = app.screen.query_one("#rows", PagedTable)
        first = [r["ticket"] for r in table.rows]
        assert 0 < len(first) < len(expected)  # a screenful, not the whole list
        assert table.table.row_count == len(first)
        assert label_of(table.query_one(".count")).startswith(f"第1页/共{len(expected)}条")
        seen = list(first)
        pages = 1
        while table.has_next:
            await pilot.press("pagedown")
            await settle(pilot)
            pages += 1
            assert table.number == pages
            assert label_of(table.query_one(".count")).startswith(
                f"第{pages}页/共{len(expected)}条"
            )
            seen += [r["ticket"] for r in table.rows]
        assert len(seen) == len(set(seen)) and set(seen) == expected
        # PageUp back to the first page, the same rows in the same order
        for _ in range(pages - 1):
            await pilot.press("pageup")
            await settle(pilot)
        assert table.number == 1 and [r["ticket"] for r in table.rows] == first
        # ↓ past the last row goes on to the next page, ↑ on its first row comes back
        table.table.move_cursor(row=len(first) - 1)
        await pilot.press("down")
        await settle(pilot)
        assert table.number == 2 and table.table.cursor_row == 0
        assert table.rows[0]["ticket"] == seen[len(first)]
        await pilot.press("up")
        await settle(pilot)
        assert table.number == 1 and table.table.cursor_row == len(first) - 1

    drive(app, steps)


def test_enter_opens_the_request_or_the_person(make_app: Any, openable: None) -> None:
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.widgets.paged_table import PagedTable

        await pilot.press("f6")
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        table = app.screen.query_one("#rows", PagedTable)
        await pilot.press("down")
        ticket = table.rows[1]["ticket"]
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "RequestScreen"
        assert app.screen.ticket_on_screen() == ticket
        await pilot.press("escape")
        await settle(pilot)
        assert type(app.screen).__name__ == "ListsScreen"
        assert table.rows[1]["ticket"] == ticket and table.table.cursor_row == 1  # reloaded
        await pilot.press("7")
        await settle(pilot)
        table = app.screen.query_one("#rows", PagedTable)
        holder = table.rows[0]["id_number"]
        assert (
            Permit.select()
            .join(Permit.person.rel_model)
            .where(Permit.person.rel_model.id_number == holder)
            .exists()
        )
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "PersonScreen"
        assert app.screen.person_on_screen() == holder

    drive(app, steps)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_lists_fit_the_terminal(make_app: Any, size: tuple[int, int], tmp_path: Path) -> None:
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.widgets.paged_table import PagedTable

        await pilot.press("f6")
        await settle(pilot)
        for key in ("8", "7", "2"):
            await pilot.press(key)
            await settle(pilot)
            screen = app.screen
            table = screen.query_one("#rows", PagedTable)
            inner = table.table
            # nothing scrolls sideways: the columns fit the table, and every row is a page row
            assert inner.max_scroll_x == 0, (size, key, inner.virtual_size, inner.size)
            assert inner.virtual_size.width <= inner.size.width
            assert inner.max_scroll_y == 0  # a page is what the table shows, no more
            strip = screen.query_one("#kinds")
            lines = label_of(strip).split("\n")
            assert all(cell_len(line) <= strip.size.width for line in lines)
            assert strip.size.height == len(lines)
            assert screen.query_one(".count").region.bottom <= size[1] - 1  # above the footer
        path = app.save_screenshot(str(tmp_path / f"lists-{size[0]}x{size[1]}.svg"))
        svg = Path(path).read_text(encoding="utf-8")
        assert "待补正" in svg and "受理日期" in svg

    drive(app, steps, size=size)
