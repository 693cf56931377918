"""Home: the one search box, this counter's day in numbers, and its open work.

The search box takes a full ID, its last 4-6 digits, a name or name prefix, pinyin initials or
full pinyin, a ticket number or a receipt's verification code (a scanner types like a keyboard).
Results update while typing (debounced, in a thread worker); Enter opens the first, arrows move.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.timer import Timer
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.base import DeskScreen, plain_error
from tui.widgets.keybar import KeyBar


def clip(text: str, cells: int) -> str:
    """Cut text to `cells` terminal cells (a Chinese character takes two), marking the cut."""
    from rich.cells import cell_len

    if cell_len(text) <= cells:
        return text
    while cell_len(text) > cells - 1:
        text = text[:-1]
    return text + "…"


def pad(text: str, cells: int) -> str:
    """Left-align text in `cells` terminal cells (Chinese characters take two)."""
    from rich.cells import cell_len

    text = clip(text, cells - 1)
    return text + " " * (cells - cell_len(text))


SEARCH_DELAY = 0.25  # seconds after the last key before searching
WEEKDAYS = "一二三四五六日"


class HomeScreen(DeskScreen):
    CSS_PATH = "home.tcss"
    LIST_KIND = "open"  # F6 from here opens this list: the table below, in full
    HELP = (
        "首页：顶部查找框随时可用（F2）。输入身份证号、尾号4至6位、姓名或姓名开头、拼音首字母"
        "（如 zsf 找张三丰）或全拼、受理编号，或扫描回执二维码；边输入边出结果，Enter 打开第一个，"
        "↓ 进入结果列表。下方是本窗口今天的数字和待办，↑↓ 选择，Enter 打开办件。"
    )
    BINDINGS: ClassVar = [
        # Hidden in the footer (it holds the app's F-keys at 80 columns); F1 lists them.
        Binding("escape", "clear", "清空查找", show=False, id="home.clear"),
        Binding("ctrl+r", "refresh_day", "刷新", show=False, id="home.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._search_timer: Timer | None = None
        self._hits: list[Any] = []
        self._tickets: list[str] = []

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", classes="topbar")
        with Vertical(id="find", classes="box"):
            yield Input(placeholder="身份证号/尾号/姓名/拼音首字母/受理编号/扫码", id="search")
            yield OptionList(id="hits")
        yield Static("", id="counts")
        with Vertical(id="work", classes="box"):
            yield DataTable(id="open", cursor_type="row", zebra_stripes=True)
        yield Static("", id="error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#find").border_title = "查找：身份证号/尾号/姓名/拼音首字母/受理编号/扫码"
        self.query_one("#work").border_title = "本窗口待办"
        table = self.query_one("#open", DataTable)
        # Fixed widths so the promised date fits at 80 columns (Chinese takes two cells).
        for label, width in (
            ("受理编号", 18),
            ("事项", 16),
            ("申请人", 6),
            ("状态", 15),
            ("承诺", 5),
        ):
            table.add_column(label, width=width)
        self.query_one("#hits", OptionList).display = False
        self.refresh_day()
        self.focus_search()

    def on_screen_resume(self) -> None:
        self.refresh_day()
        text = self.query_one("#search", Input).value.strip()
        if text:  # the hits may have changed (a request completed, a person added)
            self.start_search(text)

    def person_on_screen(self) -> str | None:
        """The highlighted person among the hits, so F3/F4 work straight from the search."""
        options = self.query_one("#hits", OptionList)
        index = options.highlighted
        if not options.display or index is None or index >= len(self._hits):
            return None
        hit = self._hits[index]
        return hit.id_number if hit.kind == "person" else None

    # ───────────────────────── the day ─────────────────────────
    def refresh_day(self) -> None:
        desk = self.ctx.desk
        if desk is None:
            self.query_one("#topbar", Static).update("未登录")
            return
        today = self.ctx.today()
        now = self.ctx.now()
        self.query_one("#topbar", Static).update(
            f"{desk.counter_label} · {desk.staff_name}"
            f"    {today:%m-%d} 周{WEEKDAYS[today.weekday()]} {now:%H:%M}"
        )
        from db.desk_lists import LIST_LABELS, day_counts, page

        counts = self.call(day_counts, desk, today)
        if counts is not None:
            self.query_one("#counts", Static).update(
                "  ".join(f"{LIST_LABELS[kind]} {n}" for kind, n in counts.items())
            )
        first = self.call(page, "open", desk, today, limit=50)
        table = self.query_one("#open", DataTable)
        table.clear()
        self._tickets = []
        if first is None:
            return
        for row in first.rows:
            table.add_row(*self.open_row(row), key=row["ticket"])
            self._tickets.append(row["ticket"])
        self.query_one("#work").border_title = f"本窗口待办 共{first.total}件" + (
            "（F6 列表查看全部）" if first.total > len(first.rows) else ""
        )

    @staticmethod
    def open_row(row: dict[str, Any]) -> tuple[Any, ...]:
        from tui.widgets.status import status_text

        promised = (row.get("promised_by") or "—")[5:] if row.get("promised_by") else "—"
        return (
            row["ticket"],
            clip(row["service_name"], 16),
            row["name"],
            status_text(row["status"], row["status_label"], overdue=row.get("overdue", False)),
            promised,
        )

    def action_refresh_day(self) -> None:
        self.refresh_day()

    @on(DataTable.RowSelected, "#open")
    def open_request(self, event: DataTable.RowSelected) -> None:
        from tui.screens.request_detail import RequestScreen

        self.app.push_screen(RequestScreen(str(event.row_key.value)))

    # ───────────────────────── search ─────────────────────────
    def focus_search(self) -> None:
        self.query_one("#search", Input).focus()

    def action_clear(self) -> None:
        box = self.query_one("#search", Input)
        box.value = ""
        self.show_hits([])
        box.focus()

    @on(Input.Changed, "#search")
    def typed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value.strip()
        if not text:
            self.show_hits([])
            return
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self.start_search(text))

    def start_search(self, text: str) -> None:
        self.query_one("#find").border_subtitle = "查找中…"  # shown until the results come
        self.run_search(text)

    @work(thread=True, exclusive=True, group="search")
    def run_search(self, text: str) -> None:
        from db.search import search

        try:
            hits = self.ctx.call(search, text, limit=20)
        except Exception as exc:
            self.app.call_from_thread(self.show_error, plain_error(exc))
            return
        self.app.call_from_thread(self.show_hits, hits, text)

    def show_hits(self, hits: list[Any], text: str | None = None) -> None:
        if text is not None and text != self.query_one("#search", Input).value.strip():
            return  # typed on since: a newer search is coming
        self.clear_error()
        self.query_one("#find").border_subtitle = ""
        self._hits = hits
        options = self.query_one("#hits", OptionList)
        options.clear_options()
        for index, hit in enumerate(hits):
            options.add_option(Option(self.hit_line(hit), id=str(index)))
        if text and not hits:
            compact = "".join(text.split())
            if compact.isdigit() and len(compact) < 4:  # still typing an ID's tail
                note = "身份证尾号请至少输入4位"
            else:
                note = "没有找到。未登记的搬迁群众请按 F5 登记"
            options.add_option(Option(note, disabled=True))
        options.display = bool(hits) or bool(text)
        if hits:
            options.highlighted = 0

    @staticmethod
    def hit_line(hit: Any) -> str:
        if hit.kind == "household":
            return f"搬迁户 {hit.household}  {hit.detail}"
        name = pad(hit.name, 8)
        if hit.kind == "request":
            return f"办件 {hit.ticket}  {name}{hit.masked_id}  {hit.detail}"
        return f"{name}{hit.masked_id}  {hit.detail}"

    @on(Input.Submitted, "#search")
    def submitted(self, event: Input.Submitted) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        text = event.value.strip()
        if not text:
            return
        if self._hits and self._hits_for == text:
            self.open_hit(self._hits[0])
            return
        # Enter before the debounce fired (a scanner ends with Enter): search now, here.
        from db.search import search

        hits = self.call(search, text, limit=20)
        if hits is None:
            return
        self.show_hits(hits, text)
        if hits:
            self.open_hit(hits[0])

    @property
    def _hits_for(self) -> str:
        return self.query_one("#search", Input).value.strip() if self._hits else ""

    def on_key(self, event: Any) -> None:
        search = self.query_one("#search", Input)
        options = self.query_one("#hits", OptionList)
        if event.key == "down" and search.has_focus and options.display and self._hits:
            options.focus()
            event.stop()

    @on(OptionList.OptionSelected, "#hits")
    def picked(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.open_hit(self._hits[int(event.option.id)])

    def open_hit(self, hit: Any) -> None:
        if hit.kind == "request":
            from tui.screens.request_detail import RequestScreen

            self.app.push_screen(RequestScreen(hit.ticket))
        elif hit.kind == "household":
            from tui.screens.register import RegisterScreen

            self.app.push_screen(RegisterScreen(household_number=hit.household))
        else:
            from tui.screens.person import PersonScreen

            self.app.push_screen(PersonScreen(hit.id_number))
