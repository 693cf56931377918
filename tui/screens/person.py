"""The person card: who, their household, their permit and what to do about it, their requests.

Everything is read through db/person_card (masked IDs, the permit's state words from
forms/permits, statuses from forms/status). F9 / Alt+I shows the full ID number: the view is
recorded by db/people.show_person and the number stays on screen until the card is closed.
F3 / F4 of the app act on this person; Enter on a request opens it.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from forms.permits import PermitStatus
from forms.text import token
from tui.printing import PrintJob
from tui.screens.base import DeskScreen
from tui.screens.home import clip
from tui.widgets.keybar import KeyBar

NARROW = 110  # below this width the boxes stack in one column
TICKET_CELLS = 18  # SXSQ01-2026-000001
DATE_CELLS = 10  # 2026-11-27
SERVICE_CELLS = 32  # the longest service name in the catalogue takes 30
# Colours go with the words (never alone), from the theme (so the high-contrast theme applies).
PERMIT_STYLES = {
    PermitStatus.VALID: "$success",
    PermitStatus.LAPSED: "bold $error",
    PermitStatus.REVOKED: "$error",
    PermitStatus.REPLACED: "$warning",
}
ADVICE_STYLES = {
    "ok": "",
    "soon": "$warning",
    "due": "bold $warning",
    "lapsed": "bold $error",
    "closed": "$error",
}
Parts = list[str | tuple[str, str]]
FULL_ID_WHAT = "窗口查看完整身份证号"  # AccessLog.what for F9 on the card


def promised_text(row: dict[str, Any]) -> str:
    """The promised day, as MM-DD when in the year the request was opened."""
    promised = row["promised_by"]
    if not promised:
        return "—"
    return promised[5:] if promised[:4] == row["opened_on"][:4] else promised


class PersonScreen(DeskScreen):
    CSS_PATH = "person.tcss"
    BINDING_GROUP_TITLE = "人员信息"
    HELP = (
        "人员信息：本人（身份证号只显示前6位和后4位）、所在搬迁户及家庭成员、居住证及其状态"
        "（签注期、是否中止，以及下一步该办什么）、历次办件（最新在前）。"
        "F9 或 Alt+I 显示完整身份证号，查看会留痕记录，关闭本页后恢复遮盖。"
        "F3 为此人新办一件，F4 办理其居住证，F7 打印居住证或最近一件未办结办件的回执；"
        "↑↓ 选择办件，Enter 打开；Alt+A 为本户登记新成员；Esc 返回。"
    )
    BINDINGS: ClassVar = [
        Binding("f9", "show_full_id", "看全号", id="person.full_id"),
        Binding(
            "alt+i", "show_full_id", "看全号", show=False, id="person.full_id.alt", priority=True
        ),
        Binding("alt+a", "add_member", "本户加人", id="person.add_member", priority=True),
        Binding("alt+m", "more_history", "更多办件", show=False, id="person.more", priority=True),
        Binding("enter", "open_request", "打开办件", show=False, id="person.open"),
        Binding("escape", "back", "返回", show=False, id="person.back"),
    ]

    page_size: int = 30  # requests read at a time (db/person_card.HISTORY_PAGE)

    def __init__(self, id_number: str) -> None:
        super().__init__()
        self.id_number = token(id_number).upper()
        self.card: dict[str, Any] | None = None
        self.full_id: str | None = None  # set by F9, kept until the screen closes
        self._after: tuple[str, int] | None = None
        self._tickets: list[str] = []
        self._service_cells = SERVICE_CELLS  # the history's service column, set when drawn

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", classes="topbar")
        with Horizontal(id="top"):
            with Vertical(id="who", classes="box"):
                yield Static("", id="person")
                yield Static("", id="permit")
            with Vertical(id="home", classes="box"):
                yield Static("", id="household")
        with Vertical(id="history-box", classes="box"):
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Static("", id="error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#who").border_title = "本人 · 居住证"
        self.query_one("#home").border_title = "搬迁户"
        self.query_one("#history-box").border_title = "办件记录"
        self.set_class(self.app.size.width < NARROW, "-narrow")
        self.query_one("#history", DataTable).focus()

    def on_resize(self, event: events.Resize) -> None:
        narrow = event.size.width < NARROW
        if narrow != self.has_class("-narrow"):
            self.set_class(narrow, "-narrow")
            if self.card is not None:
                self.show_history(self.card["requests"], self.card["requests_total"])

    def on_screen_resume(self) -> None:
        self.load()  # first shown, and back from a request, a permit or a registration

    # ───────────────────────── reading ─────────────────────────
    def load(self) -> None:
        from db.person_card import person_card

        card = self.call(person_card, self.id_number, self.ctx.today(), limit=self.page_size)
        if card is None:
            self.card = None
            self.query_one("#topbar", Static).update("人员信息 · 未找到")
            self.query_one("#person", Static).update("未登记的搬迁群众请按 F5 登记。")
            return
        self.clear_error()
        self.card = card
        self._after = card["requests_after"]
        self.query_one("#topbar", Static).update(
            f"人员信息 · {card['name']} {card['id_number']} · {card['household']['community']}"
        )
        self.show_person()
        self.show_permit()
        self.show_household()
        self.show_history(card["requests"], card["requests_total"])

    def show_person(self) -> None:
        card = self.card
        assert card is not None
        hh = card["household"]
        parts: Parts = [
            (card["name"], "bold"),
            f"  {card['sex']}  {card['ethnicity']}  ",
            f"{card['birth_date']}生（{card['age']}岁）  与户主关系：{card['relation']}",
            "\n身份证 ",
        ]
        if self.full_id:
            parts += [(self.full_id, "bold"), ("（已留痕）", "$warning")]
        else:
            parts += [card["id_number"], ("（F9 看全号）", "dim")]
        phone = card["phone"] or hh["phone"]
        parts.append(f"  电话 {phone or '—'}")
        self.query_one("#person", Static).update(Content.assemble(*parts))

    def show_permit(self) -> None:
        card = self.card
        assert card is not None
        permit = card["permit"]
        parts: Parts = ["居住证 "]
        if permit is None:
            parts += [("未办理", "bold $warning"), "：迁入社区事项须凭居住证办理，按 F4 申领"]
            self.query_one("#permit", Static).update(Content.assemble(*parts))
            return
        parts += [
            f"{permit['number']}  ",
            (permit["status_label"], PERMIT_STYLES.get(permit["status"], "")),
            f"  有效期至 {permit['valid_until']}",
            f"\n签注期 {permit['endorse_from']} 至 {permit['valid_until']}",
            f"  居住起算 {permit['residence_since']}",
        ]
        advice = permit.get("advice")
        if advice:
            parts += ["\n", (advice["text"], ADVICE_STYLES.get(advice["level"], ""))]
            if advice["level"] in ("due", "lapsed", "closed"):
                parts.append(("（F4 办理）", "bold"))
        self.query_one("#permit", Static).update(Content.assemble(*parts))

    def show_household(self) -> None:
        card = self.card
        assert card is not None
        hh = card["household"]
        self.query_one("#home").border_title = f"搬迁户 {hh['number']}"
        parts: Parts = [f"迁出村 {hh['origin_village']}  入住 {hh['moved_in']}"]
        if hh["monitored"]:
            parts.append(("  防返贫监测户", "$warning"))
        parts.append(
            f"\n社区 {hh['community']}  安置点 {hh['site'] or '—'}  网格 {hh['grid'] or '—'}"
        )
        parts.append(f"\n住址 {hh['address']}")
        if hh["phone"]:
            parts.append(f"  户电话 {hh['phone']}")
        members = hh["members"]
        parts.append(f"\n家庭成员 {len(members)}人：")
        for index, m in enumerate(members):
            if index:
                parts.append(" · ")
            member = f"{m['relation']} {m['name']} {m['sex']}{m['age']}岁"
            parts.append((member, "bold") if m["is_self"] else member)
        if not hh["has_head"]:
            parts.append(("\n本户尚未登记户主（Alt+A 登记）", "bold $warning"))
        self.query_one("#household", Static).update(Content.assemble(*parts))

    def show_history(self, rows: list[dict[str, Any]], total: int) -> None:
        from rich.cells import cell_len

        from forms.status import STATUS_LABELS
        from tui.widgets.status import status_text

        table = self.query_one("#history", DataTable)
        table.clear(columns=True)
        # Fixed widths: later pages (Alt+M) add rows, and an auto-width column drawn before
        # Textual measures the new rows stays cut (see tui/widgets/tables.py).
        # As wide as this page's widest status, and never narrower than the longest label
        # (a later page's 超期 may be cut at the edge; the colour and the list F6 still say it).
        status_cells = max(
            [
                *(cell_len(label) for label in STATUS_LABELS.values()),
                *(cell_len(r["status_label"] + (" 超期" if r["overdue"] else "")) for r in rows),
            ]
        )
        ticket_cells = max([TICKET_CELLS, *(cell_len(r["ticket"]) for r in rows)])
        service_cells = self.service_width([ticket_cells, status_cells, DATE_CELLS, DATE_CELLS])
        table.add_column("受理编号", key="ticket", width=ticket_cells)
        table.add_column("事项", key="service", width=service_cells)
        self._service_cells = service_cells
        table.add_column("状态", key="status", width=status_cells)
        table.add_column("受理日期", key="opened", width=DATE_CELLS)
        table.add_column("承诺日期", key="promised", width=DATE_CELLS)
        self._tickets = []
        for row in rows:
            self.add_history_row(table, row, status_text)
        self.title_history(total)
        if not rows:
            table.add_row("", "尚无办件（F3 新办一件）", "", "", "")

    def service_width(self, other_columns: list[int]) -> int:
        """The service column gets what the other columns leave (names are cut, never the
        ticket, status or dates), up to SERVICE_CELLS."""
        inner = self.size.width - 4 - 2  # box border and padding, the table's scrollbar
        others = sum(width + 2 for width in other_columns)  # 2: each column's cell padding
        return max(10, min(SERVICE_CELLS, inner - others - 2))

    def add_history_row(self, table: DataTable[Any], row: dict[str, Any], status_text: Any) -> None:
        table.add_row(
            row["ticket"],
            clip(row["service_name"], self._service_cells),
            status_text(row["status"], row["status_label"], overdue=row["overdue"]),
            row["opened_on"],
            promised_text(row),
            key=row["ticket"],
        )
        self._tickets.append(row["ticket"])

    def title_history(self, total: int) -> None:
        shown = len(self._tickets)
        title = f"办件记录 共{total}件"
        if shown < total:
            title += f"（显示最近{shown}件，Alt+M 更多）"
        self.query_one("#history-box").border_title = title

    def action_more_history(self) -> None:
        if self._after is None:
            self.notify("已显示全部办件", title="办件记录", timeout=3)
            return
        from db.person_card import more_history
        from tui.widgets.status import status_text

        page = self.call(
            more_history, self.id_number, self.ctx.today(), self._after, limit=self.page_size
        )
        if page is None:
            return
        table = self.query_one("#history", DataTable)
        for row in page.rows:
            self.add_history_row(table, row, status_text)
        self._after = page.after
        self.title_history(page.total)

    # ───────────────────────── acting ─────────────────────────
    @on(DataTable.RowSelected, "#history")
    def picked(self, event: DataTable.RowSelected) -> None:
        ticket = event.row_key.value
        if ticket:
            self.open_request(str(ticket))

    def action_open_request(self) -> None:
        table = self.query_one("#history", DataTable)
        if self._tickets and 0 <= table.cursor_row < len(self._tickets):
            self.open_request(self._tickets[table.cursor_row])

    def open_request(self, ticket: str) -> None:
        from tui.screens.request_detail import RequestScreen

        self.app.push_screen(RequestScreen(ticket))

    def action_show_full_id(self) -> None:
        """Show the whole number, and record that this staff member looked (AccessLog)."""
        if self.card is None:
            return
        if self.full_id:
            self.notify("完整号码已显示", timeout=2)
            return
        from db.people import show_person
        from db.views import person_view

        desk = self.ctx.desk
        if desk is None:
            self.show_error("请先登录")
            return
        today = self.ctx.today()
        person = self.call(show_person, self.id_number, desk, today, FULL_ID_WHAT)
        if person is None:
            return
        view = self.call(person_view, person, today, masked=False)
        if view is None:
            return
        self.full_id = str(view["id_number_full"])
        self.show_person()
        self.notify("已显示完整身份证号，本次查看已记录", title="查看留痕", timeout=4)

    def action_add_member(self) -> None:
        if self.card is None:
            return
        from tui.screens.register import RegisterScreen

        self.app.push_screen(RegisterScreen(household_number=self.card["household"]["number"]))

    def action_back(self) -> None:
        self.app.pop_screen()

    # ───────────────────────── what the app's keys act on ─────────────────────────
    def person_on_screen(self) -> str | None:
        return self.id_number if self.card is not None else None

    def print_jobs(self) -> list[PrintJob]:
        """The permit card while the permit is valid; the receipt of the newest open request."""
        if self.card is None:
            return []
        jobs = []
        permit = self.card["permit"]
        if permit is not None and permit["status"] == PermitStatus.VALID:
            jobs.append(PrintJob("permit", self.id_number))
        if self.card["latest_open_ticket"]:
            jobs.append(PrintJob("receipt", self.card["latest_open_ticket"]))
        return jobs
