"""Lists (F6): this counter's work by kind, each with its count, a page at a time.

The kinds, their counts and their rows come from db/desk_lists.py (keyset pages: nothing loads a
whole table). A strip at the top shows every list with its count; the current one is in reverse
video. Enter on a request opens it; on a permit row it opens the person's card.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from db.desk_lists import LIST_KINDS, LIST_LABELS, PERMIT_KINDS
from tui.screens.base import DeskScreen, plain_error
from tui.widgets.keybar import KeyBar
from tui.widgets.paged_table import Column, PagedTable

WEEKDAYS = "一二三四五六日"


def _status(row: dict[str, Any]) -> Text:
    from tui.widgets.status import status_text

    return status_text(row["status"], row["status_label"], overdue=row.get("overdue", False))


def _month_day(key: str) -> Any:
    def cell(row: dict[str, Any]) -> str:
        value = row.get(key)
        return value[5:] if value else "—"

    return cell


def request_columns(kind: str) -> list[Column]:
    """受理编号 事项 申请人 状态 and the day that matters for the list: the promised day, or the
    opening day for 待补正 (its promise starts only when the papers are complete)."""
    last = Column("受理日期", _month_day("opened_on"), 8) if kind == "pending" else None
    return [
        Column("受理编号", "ticket", 18),
        Column("事项", "service_name", None, min_width=8),
        Column("申请人", "name", 8),
        Column("状态", _status, 15),
        last or Column("承诺日期", _month_day("promised_by"), 8),
    ]


PERMIT_COLUMNS = [
    Column("姓名", "name", 8),
    Column("身份证号", "masked_id", 18),
    Column("居住证号", "permit_number", 18),
    Column("提醒", "what", None, min_width=10),
]


class ListsScreen(DeskScreen):
    CSS_PATH = "lists.tcss"
    BINDING_GROUP_TITLE = "列表"
    HELP = (
        "列表：本窗口的工作按类分页查看，每类都显示条数。今日＝今天本窗口受理的全部办件；"
        "待补正＝等群众补交材料的；转办待回＝已转县级部门或迁出村、等待回复的；今日到期、已超期"
        "按承诺办结日期；本周到期＝今天起7日内到期的未办结办件；本周签注到期＝本社区居住证"
        "7日内进入签注期或7日内失效的；全部待办＝本窗口所有未办结办件，最急的在前。"
        "数字键1至8或←→切换列表，↑↓选择，PgDn/PgUp翻页（在末行按↓也到下一页），"
        "Enter 打开办件或居住证持有人，Ctrl+R 刷新，Esc 返回。"
    )
    BINDINGS: ClassVar = [
        Binding("escape", "back", "返回", id="lists.back"),
        Binding("left", "step(-1)", "上一列表", priority=True, id="lists.previous"),
        Binding("right", "step(1)", "下一列表", priority=True, id="lists.next"),
        Binding("pagedown", "next_page", "下一页", id="lists.page_down"),
        Binding("pageup", "previous_page", "上一页", id="lists.page_up"),
        Binding("ctrl+r", "refresh", "刷新", id="lists.refresh"),
        # 1-8: straight to a list (listed by F1, not in the footer)
        *(
            Binding(str(n), f"pick({n})", label, show=False, id=f"lists.kind{n}")
            for n, label in enumerate(LIST_LABELS.values(), start=1)
        ),
    ]

    def __init__(self, kind: str | None = None) -> None:
        super().__init__()
        self.kinds: tuple[str, ...] = LIST_KINDS
        self.labels = LIST_LABELS
        self.kind = kind if kind in LIST_KINDS else LIST_KINDS[0]
        self.counts: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", classes="topbar")
        yield Static("", id="kinds")
        with Vertical(id="list", classes="box"):
            yield PagedTable(id="rows", empty="本列表暂无记录")
        yield Static("", id="error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        desk = self.ctx.desk
        if desk is not None:
            today = self.ctx.today()
            self.query_one("#topbar", Static).update(
                f"列表 · {desk.counter_label} · {desk.staff_name}"
                f"    {today:%m-%d} 周{WEEKDAYS[today.weekday()]}"
            )
        self.refresh_counts()
        self.show_kind(self.kind)
        self.query_one("#rows", PagedTable).table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_counts()
        self.query_one("#rows", PagedTable).reload()

    # ───────────────────────── the lists ─────────────────────────
    def refresh_counts(self) -> None:
        from db.desk_lists import day_counts

        desk = self.ctx.desk
        if desk is None:
            return
        counts = self.call(day_counts, desk, self.ctx.today(), self.kinds)
        if counts is not None:
            self.counts = counts
        self.draw_kinds()

    def draw_kinds(self) -> None:
        """Every list with its count, packed into as many lines as the width needs."""
        strip = self.query_one("#kinds", Static)
        width = max(strip.size.width or self.app.size.width, 20)
        parts = []
        for number, kind in enumerate(self.kinds, start=1):
            count = self.counts.get(kind)
            label = f" {number} {self.labels[kind]} {'' if count is None else count} "
            style = "reverse bold" if kind == self.kind else ""
            parts.append(Text(label, style=style))
        lines: list[Text] = [Text()]
        for part in parts:
            if lines[-1].cell_len and lines[-1].cell_len + 1 + part.cell_len > width:
                lines.append(Text())
            if lines[-1].cell_len:
                lines[-1].append(" ")
            lines[-1].append_text(part)
        strip.update(Text("\n").join(lines))

    def on_resize(self) -> None:
        self.draw_kinds()

    def show_kind(self, kind: str) -> None:
        self.kind = kind
        self.clear_error()
        self.draw_kinds()
        self.query_one("#list").border_title = self.labels[kind]
        columns = PERMIT_COLUMNS if kind in PERMIT_KINDS else request_columns(kind)
        self.query_one("#rows", PagedTable).show(columns, self.loader(kind))

    def loader(self, kind: str) -> Any:
        """Pages of one list, read in the table's thread worker on that thread's own
        connection (closed again after each page)."""
        from db.desk_lists import page

        desk = self.ctx.require_desk()
        today = self.ctx.today()

        def load(after: Any, limit: int) -> Any:
            with self.ctx.connected().connection_context():
                return self.ctx.call(page, kind, desk, today, after=after, limit=limit)

        return load

    @on(PagedTable.Loaded, "#rows")
    def loaded(self, event: PagedTable.Loaded) -> None:
        if self.counts.get(self.kind) != event.total:
            self.counts[self.kind] = event.total  # the page's count is the freshest
            self.draw_kinds()

    @on(PagedTable.LoadFailed, "#rows")
    def failed(self, event: PagedTable.LoadFailed) -> None:
        self.show_error(plain_error(event.error))

    # ───────────────────────── keys ─────────────────────────
    def action_back(self) -> None:
        self.app.pop_screen()

    def action_step(self, by: int) -> None:
        index = (self.kinds.index(self.kind) + by) % len(self.kinds)
        self.show_kind(self.kinds[index])

    def action_pick(self, number: int) -> None:
        if 1 <= number <= len(self.kinds):
            self.show_kind(self.kinds[number - 1])

    def action_next_page(self) -> None:
        self.query_one("#rows", PagedTable).table.action_page_down()

    def action_previous_page(self) -> None:
        self.query_one("#rows", PagedTable).table.action_page_up()

    def action_refresh(self) -> None:
        self.refresh_counts()
        self.query_one("#rows", PagedTable).reload()

    # ───────────────────────── opening a row ─────────────────────────
    @on(PagedTable.RowChosen, "#rows")
    def chosen(self, event: PagedTable.RowChosen) -> None:
        row = event.row
        if "ticket" in row:
            from tui.screens.request_detail import RequestScreen

            self.app.push_screen(RequestScreen(row["ticket"]))
        else:
            from tui.screens.person import PersonScreen

            self.app.push_screen(PersonScreen(row["id_number"]))

    def ticket_on_screen(self) -> str | None:
        row = self.query_one("#rows", PagedTable).current_row()
        return row.get("ticket") if row else None

    def person_on_screen(self) -> str | None:
        row = self.query_one("#rows", PagedTable).current_row()
        return row.get("id_number") if row else None
