"""A table that shows one page of a list at a time, never the whole list.

The screen gives the columns and a loader `(after, limit) -> page` (a page has `rows`, a list of
dicts; `next_after`, the keyset cursor after its last row or None; `total`, the list's COUNT).
The table keeps a stack of the cursors of the pages before the one shown, so PageUp goes back
without counting offsets. Pages load in a thread worker: the keyboard never waits on the database.

Keys (on the table): PageDown the next page, PageUp the previous one; ↓ on the last row goes on
to the next page and ↑ on the first row back to the previous one; Enter posts `RowChosen` with
the row's dict. Under the table: "第x页/共N条".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import DataTable, Static

SLOW = 0.3  # seconds before the loading indicator shows


class PageLike(Protocol):
    rows: list[dict[str, Any]]
    next_after: Any
    total: int


Loader = Callable[[Any, int], PageLike]


@dataclass(frozen=True)
class Column:
    """A column: its heading, the row's key or a function of the row, its width in cells
    (None: the width the other columns leave, at least `min_width`)."""

    label: str
    value: str | Callable[[dict[str, Any]], str | Text]
    width: int | None = None
    min_width: int = 6

    def cell(self, row: dict[str, Any]) -> str | Text:
        if callable(self.value):
            return self.value(row)
        shown = row.get(self.value)
        return "—" if shown is None else str(shown)


class _PageTable(DataTable[Any]):
    """The DataTable inside: its paging keys ask the PagedTable for the neighbouring page."""

    @property
    def owner(self) -> PagedTable:
        parent = self.parent
        assert isinstance(parent, PagedTable)
        return parent

    def action_page_down(self) -> None:
        if not self.owner.next_page():
            self.move_cursor(row=max(self.row_count - 1, 0))

    def action_page_up(self) -> None:
        if not self.owner.previous_page():
            self.move_cursor(row=0)

    def action_cursor_down(self) -> None:
        if self.cursor_row >= self.row_count - 1 and self.owner.next_page():
            return
        super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.cursor_row <= 0 and self.owner.previous_page(cursor_on_last=True):
            return
        super().action_cursor_up()


class PagedTable(Vertical):
    """A keyset-paged DataTable with its count line. Post `RowChosen` on Enter."""

    DEFAULT_CSS: ClassVar[str] = """
    PagedTable {
        height: 1fr;
    }
    PagedTable > _PageTable {
        height: 1fr;
    }
    PagedTable > .count {
        height: 1;
        color: $text-muted;
    }
    """
    MIN_PAGE = 5
    MAX_PAGE = 100

    @dataclass
    class RowChosen(Message):
        """Enter on a row: the row's dict as the loader gave it."""

        paged_table: PagedTable
        row: dict[str, Any]

        @property
        def control(self) -> PagedTable:
            return self.paged_table

    @dataclass
    class Loaded(Message):
        """A page is on screen: its number (from 1) and the list's total."""

        paged_table: PagedTable
        number: int
        total: int

        @property
        def control(self) -> PagedTable:
            return self.paged_table

    @dataclass
    class LoadFailed(Message):
        """The loader raised; the screen says why (the table keeps the page it had)."""

        paged_table: PagedTable
        error: BaseException

        @property
        def control(self) -> PagedTable:
            return self.paged_table

    def __init__(
        self,
        columns: Sequence[Column] = (),
        loader: Loader | None = None,
        *,
        page_size: int | None = None,
        empty: str = "没有记录",
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(id=id, classes=classes)
        self.columns: tuple[Column, ...] = tuple(columns)
        self.loader = loader
        self.page_size = page_size  # None: as many rows as the table shows
        self.empty = empty
        self.rows: list[dict[str, Any]] = []
        self.total = 0
        self.loading_page = False
        self._before: list[Any] = []  # cursors of the pages before the one shown
        self._after: Any = None  # the cursor this page was loaded after
        self._next: Any = None  # the cursor of the next page, None on the last
        self._generation = 0
        self._width_used = -1
        self._started = False
        self._slow: Timer | None = None

    def compose(self) -> ComposeResult:
        yield _PageTable(cursor_type="row", zebra_stripes=True)
        yield Static("", classes="count")

    @property
    def table(self) -> _PageTable:
        return self.query_one(_PageTable)

    @property
    def number(self) -> int:
        """The page shown, from 1."""
        return len(self._before) + 1

    @property
    def has_next(self) -> bool:
        return self._next is not None

    # ───────────────────────── what to show ─────────────────────────
    def show(self, columns: Sequence[Column], loader: Loader) -> None:
        """Show another list from its first page."""
        self.columns = tuple(columns)
        self.loader = loader
        self._before, self._after, self._next = [], None, None
        self.rows, self.total = [], 0
        self._width_used = -1
        if self.size.width:
            self._layout_columns()
            self._load(None)
        else:
            self._started = False  # on_resize starts it once the table has a size

    def reload(self) -> None:
        """Load the page shown again (after work was done elsewhere)."""
        if self.loader is not None:
            self._load(self._after, cursor_row=self.table.cursor_row)

    def next_page(self) -> bool:
        """Go to the next page; False when this is the last (or a page is on its way)."""
        if self.loading_page or self._next is None:
            return False
        self._before.append(self._after)
        self._load(self._next)
        return True

    def previous_page(self, *, cursor_on_last: bool = False) -> bool:
        if self.loading_page or not self._before:
            return False
        after = self._before.pop()
        self._load(after, cursor_row=-1 if cursor_on_last else 0)
        return True

    # ───────────────────────── layout ─────────────────────────
    def on_resize(self) -> None:
        if self.loader is None:
            return
        self._layout_columns()
        if not self._started:
            self._started = True
            self._load(None)

    def _rows_that_fit(self) -> int:
        if self.page_size is not None:
            return self.page_size
        height = self.table.size.height or self.size.height - 1
        return max(self.MIN_PAGE, min(self.MAX_PAGE, height - 1))  # less the header

    def _layout_columns(self) -> None:
        """Fixed columns as given; the flexible one takes what is left, so nothing scrolls
        sideways at 80 columns."""
        table = self.table
        width = self.size.width
        if width == self._width_used and table.columns:
            return
        self._width_used = width
        pad = 2 * table.cell_padding
        fixed = sum((c.width or 0) + pad for c in self.columns if c.width is not None)
        flexible = [c for c in self.columns if c.width is None]
        room = width - 2 - fixed  # 2: the vertical scrollbar
        share = max(room // len(flexible) - pad, 1) if flexible else 0
        row = table.cursor_row
        table.clear(columns=True)
        for column in self.columns:
            shown = column.width if column.width is not None else max(share, column.min_width)
            table.add_column(column.label, width=shown)
        self._fill(row)

    def _fill(self, cursor_row: int) -> None:
        table = self.table
        table.clear()
        for index, row in enumerate(self.rows):
            table.add_row(*(c.cell(row) for c in self.columns), key=str(index))
        if self.rows:
            target = len(self.rows) - 1 if cursor_row < 0 else min(cursor_row, len(self.rows) - 1)
            table.move_cursor(row=target)

    # ───────────────────────── loading ─────────────────────────
    def _load(self, after: Any, *, cursor_row: int = 0) -> None:
        if self.loader is None:
            return
        self._generation += 1
        self.loading_page = True
        if self._slow is not None:
            self._slow.stop()
        self._slow = self.set_timer(SLOW, self._show_slow)
        self._fetch(self.loader, after, self._rows_that_fit(), self._generation, cursor_row)

    def _show_slow(self) -> None:
        if self.loading_page:
            self.table.loading = True

    @work(thread=True, exclusive=True, group="paged-table")
    def _fetch(
        self, loader: Loader, after: Any, limit: int, generation: int, cursor_row: int
    ) -> None:
        try:
            result = loader(after, limit)
        except Exception as exc:
            self.app.call_from_thread(self._failed, generation, exc)
            return
        self.app.call_from_thread(self._arrived, generation, after, result, cursor_row)

    def _arrived(self, generation: int, after: Any, result: PageLike, cursor_row: int) -> None:
        if generation != self._generation:
            return  # another list or page was asked for since
        self._done_loading()
        if not result.rows and self._before:
            # the page emptied since (its work was done): show the one before it
            self._load(self._before.pop(), cursor_row=-1)
            return
        self._after = after
        self._next = result.next_after
        self.rows = list(result.rows)
        self.total = result.total
        self._fill(cursor_row)
        self._show_count()
        self.post_message(self.Loaded(self, self.number, self.total))

    def _failed(self, generation: int, error: BaseException) -> None:
        if generation != self._generation:
            return
        self._done_loading()
        self.query_one(".count", Static).update(Text("读取失败", style="bold"))
        self.post_message(self.LoadFailed(self, error))

    def _done_loading(self) -> None:
        self.loading_page = False
        if self._slow is not None:
            self._slow.stop()
            self._slow = None
        self.table.loading = False

    def _show_count(self) -> None:
        text = f"第{self.number}页/共{self.total}条"
        if not self.total:
            text += f"　{self.empty}"
        elif self.has_next or self._before:
            text += "　PgDn下一页 PgUp上一页"
        self.query_one(".count", Static).update(text)

    # ───────────────────────── choosing ─────────────────────────
    @on(DataTable.RowSelected)
    def _chosen(self, event: DataTable.RowSelected) -> None:
        event.stop()
        index = int(str(event.row_key.value))
        if 0 <= index < len(self.rows):
            self.post_message(self.RowChosen(self, self.rows[index]))

    def current_row(self) -> dict[str, Any] | None:
        index = self.table.cursor_row
        return self.rows[index] if self.rows and 0 <= index < len(self.rows) else None
