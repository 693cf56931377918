"""The supervisor's page (F8): the log of a day or range with its totals, the overdue list,
staff accounts and desk timeouts, and reloading the service catalogue.

The app checks the role before opening it and every db/ operation checks it again (a role taken
away applies at once). The log's rows and totals come from db/printdata.daily_log_data and
forms/papers.totals, the same data and the same tallies the printed log uses. Lists show
their count and at most LIST_CAP rows; the printed log has them all.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.widgets import (
    DataTable,
    Input,
    Label,
    Static,
    TabbedContent,
    TabPane,
)

from forms.errors import CounterError
from tui.printing import PrintJob, daily_log_job
from tui.screens.base import DeskScreen, plain_error
from tui.widgets.keybar import KeyBar
from tui.widgets.tables import fill_table

if TYPE_CHECKING:
    from forms.papers import DailyLogData

LIST_CAP = 200  # rows drawn in a list; the count above it says how many there are
WIDE_LOG = 120  # screen width from which the log shows all eight columns
# The log's columns below WIDE_LOG: ticket, service, person, status, officer. Cells of all but
# the service (which takes what is left) are clipped to these widths.
NARROW_CELLS = {"person": 8, "status": 13, "officer": 8}
TABS = ("log", "overdue", "staff", "catalogue")
# The three tallies above the log: table, title, key of forms.papers.totals
TALLIES = (
    ("#by-service", "办理事项", "service"),
    ("#by-decision", "结论（按结果）", "decision"),
    ("#by-officer", "经办人", "officer"),
)
WIDE_COLUMNS = ("受理时间", "受理编号", "事项", "当事人", "状态", "结论", "经办人", "身份证号")
NARROW_COLUMNS = ("受理编号", "事项", "当事人", "状态", "经办人")
STAFF_ACTIONS = {"add_staff", "disable", "enable", "role", "password", "lock_minutes", "idle"}


def overdue_rows(community: str, today: dt.date, limit: int) -> tuple[list[dict[str, Any]], int]:
    """The community's overdue requests as request views (the first `limit`) and their count:
    two queries (the joined page and its COUNT) whatever the count. Runs inside
    DeskContext.call: it only puts two db/ functions together."""
    from db.requests import request_query
    from db.views import request_rows

    found = request_query(overdue_on=today, community=community)  # one joined query
    return request_rows(found.limit(limit), today), found.count()


class SupervisorScreen(DeskScreen):
    CSS_PATH = "supervisor.tcss"
    # The log's table has the focus from the start. Textual's default focuses the first
    # focusable widget (the tab bar) when the screen is composed, and our focus in on_mount
    # raced with the tab bar's own: a snapshot showed either one.
    AUTO_FOCUS = "#log-rows"
    HELP = (
        "主管页面（负责人）。Alt+T 台账：输入起止日期（默认今天）后 Enter，显示本社区办件按事项、"
        "按结论（按办理结果）、按经办人的统计和办件明细（超过200件时列出前200件，"
        "Alt+P 或 F7 打印的台账列出全部）。"
        "Alt+C 超期：本社区已超过承诺日期仍未办结的办件，Enter 打开。Alt+Z 账号：↑↓ 选中账号，"
        "A 添加，T 停用，O 启用，J 改角色，M 重设密码，K 锁屏时间，I 登录空闲登出时间。"
        "Alt+M 目录：R 从文件重新载入服务事项目录，有错误时逐条列出，仍用原目录。Esc 返回。"
    )
    BINDINGS: ClassVar = [
        Binding("escape", "back", "返回", id="supervisor.back"),
        # Alt+letters, not Alt+digits (terminals send ESC+digit, which Textual does not read as
        # alt+digit); priority, so a focused date field does not type them as letters.
        Binding("alt+t", "tab('log')", "台账", show=False, priority=True, id="supervisor.tab.log"),
        Binding(
            "alt+c",
            "tab('overdue')",
            "超期",
            show=False,
            priority=True,
            id="supervisor.tab.overdue",
        ),
        Binding(
            "alt+z", "tab('staff')", "账号", show=False, priority=True, id="supervisor.tab.staff"
        ),
        Binding(
            "alt+m",
            "tab('catalogue')",
            "目录",
            show=False,
            priority=True,
            id="supervisor.tab.catalogue",
        ),
        Binding("alt+p", "print_log", "打印台账", priority=True, id="supervisor.print_log"),
        Binding("ctrl+r", "reload", "刷新", show=False, id="supervisor.reload"),
        Binding("a", "add_staff", "添加", id="supervisor.staff.add"),
        Binding("t", "disable", "停用", id="supervisor.staff.disable"),
        Binding("o", "enable", "启用", id="supervisor.staff.enable"),
        Binding("j", "role", "改角色", id="supervisor.staff.role"),
        Binding("m", "password", "重设密码", id="supervisor.staff.password"),
        Binding("k", "lock_minutes", "锁屏时间", show=False, id="supervisor.staff.lock"),
        Binding("i", "idle", "空闲登出", show=False, id="supervisor.staff.idle"),
        Binding("r", "reload_catalogue", "重新载入", id="supervisor.catalogue.reload"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.shown_range: tuple[dt.date, dt.date] | None = None
        self.asked: tuple[dt.date, dt.date] | None = None  # the range being fetched
        self.staff: list[dict[str, Any]] = []
        self.log_data: DailyLogData | None = None
        self.log_wide: bool | None = None  # the columns the log is drawn with

    def compose(self) -> ComposeResult:
        today = self.ctx.today().isoformat()
        yield Static("", id="topbar", classes="topbar")
        with TabbedContent(id="tabs", initial="log"):
            with TabPane("台账 Alt+T", id="log"):
                with Horizontal(id="range"):
                    yield Label("起")
                    yield Input(today, id="from", max_length=10)
                    yield Label("至")
                    yield Input(today, id="to", max_length=10)
                    yield Static("", id="log-count")
                with Horizontal(id="totals"):
                    yield DataTable(id="by-service", cursor_type="row", classes="tally")
                    yield DataTable(id="by-decision", cursor_type="row", classes="tally")
                    yield DataTable(id="by-officer", cursor_type="row", classes="tally")
                yield DataTable(id="log-rows", cursor_type="row", zebra_stripes=True)
            with TabPane("超期 Alt+C", id="overdue"):
                yield Static("", id="overdue-count", classes="count")
                yield DataTable(id="overdue-rows", cursor_type="row", zebra_stripes=True)
            with TabPane("账号 Alt+Z", id="staff"):
                yield DataTable(id="staff-rows", cursor_type="row", zebra_stripes=True)
                yield Static("", id="timeouts", classes="count")
            with TabPane("目录 Alt+M", id="catalogue"):
                yield Static("", id="catalogue-info")
                with VerticalScroll(id="catalogue-scroll"):
                    yield Static("", id="catalogue-errors")
        yield Static("", id="error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        desk = self.ctx.require_desk()
        self.query_one("#topbar", Static).update(
            f"主管 · {desk.counter_label} · {desk.staff_name}    {self.ctx.today().isoformat()}"
        )
        self.load_log()
        self.query_one("#log-rows", DataTable).focus()

    # ───────────────────────── tabs and keys ─────────────────────────
    def active_tab(self) -> str:
        return self.query_one("#tabs", TabbedContent).active or "log"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        tab = self.active_tab() if self.is_mounted else "log"
        if action in STAFF_ACTIONS:
            return tab == "staff"
        if action == "reload_catalogue":
            return tab == "catalogue"
        if action == "print_log":
            return tab == "log"
        return True

    def action_tab(self, tab: str) -> None:
        tabs = self.query_one("#tabs", TabbedContent)
        if tabs.active == tab:
            self.focus_tab(tab)  # no TabActivated comes: take the focus to the tab all the same
        tabs.active = tab

    def focus_tab(self, tab: str) -> None:
        """Focus the tab's main widget, so ↑↓ and Enter work there at once."""
        self.query_one(
            {
                "log": "#log-rows",
                "overdue": "#overdue-rows",
                "staff": "#staff-rows",
                "catalogue": "#catalogue-scroll",
            }[tab]
        ).focus()

    @on(TabbedContent.TabActivated, "#tabs")
    def tab_shown(self, event: TabbedContent.TabActivated) -> None:
        self.clear_error()
        self.refresh_bindings()
        tab = self.active_tab()
        if tab == "overdue":
            self.load_overdue()
        elif tab == "staff":
            self.load_staff()
        elif tab == "catalogue":
            self.show_catalogue()
        self.focus_tab(tab)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.clear_error()
        {
            "log": self.load_log,
            "overdue": self.load_overdue,
            "staff": self.load_staff,
            "catalogue": self.show_catalogue,
        }[self.active_tab()]()

    # ───────────────────────── 台账 ─────────────────────────
    def asked_range(self) -> tuple[dt.date, dt.date] | None:
        days: list[dt.date] = []
        for field, what in (("#from", "起始日期"), ("#to", "截止日期")):
            raw = self.query_one(field, Input).value.strip()
            try:
                days.append(dt.date.fromisoformat(raw))
            except ValueError:
                self.show_error(
                    f"{what}应写成 {self.ctx.today().isoformat()} 的样式：{raw or '（空）'}"
                )
                self.query_one(field, Input).focus()
                return None
        return days[0], days[1]

    @on(Input.Submitted, "#from, #to")
    def range_entered(self, event: Input.Submitted) -> None:
        self.clear_error()
        self.load_log()

    def load_log(self) -> None:
        asked = self.asked_range()
        if asked is None:
            return
        self.asked = asked
        self.query_one("#log-rows", DataTable).loading = True
        self.fetch_log(*asked)

    @work(thread=True, exclusive=True, group="supervisor-log")
    def fetch_log(self, first: dt.date, last: dt.date) -> None:
        from db.printdata import daily_log_data

        try:
            desk = self.ctx.require_desk()
            data = self.ctx.call(daily_log_data, first, last, desk, self.ctx.today())
        except Exception as exc:
            self.app.call_from_thread(self.log_failed, plain_error(exc))
            return
        self.app.call_from_thread(self.show_log, data)

    def log_failed(self, text: str) -> None:
        self.query_one("#log-rows", DataTable).loading = False
        self.show_error(text)

    def show_log(self, data: DailyLogData) -> None:
        from forms.papers import ranked, totals

        if (data.first_day, data.last_day) != self.asked:
            return  # a newer range was asked for while this one loaded: its answer is coming
        self.shown_range = (data.first_day, data.last_day)
        counts = totals(data.rows)
        total = [Content.styled("合计", "bold"), Content.styled(str(len(data.rows)), "bold")]
        for table_id, title, key in TALLIES:
            fill_table(
                self.query_one(table_id, DataTable),
                (title, "件数"),
                [*((name, str(n)) for name, n in ranked(counts[key])), total],
            )
        one_day = data.first_day == data.last_day
        period = (
            data.first_day.isoformat()
            if one_day
            else f"{data.first_day.isoformat()} 至 {data.last_day.isoformat()}"
        )
        line: list[str | tuple[str, str]] = [f"{period} 共 {len(data.rows)} 件"]
        if len(data.rows) > LIST_CAP:
            # Said first and in colour: a narrow screen cuts the end of this line.
            line = [
                (f"只列出前{LIST_CAP}件，全部见 Alt+P 打印的台账", "bold $warning"),
                "  ",
                *line,
            ]
        self.query_one("#log-count", Static).update(Content.assemble(*line))
        self.log_data = data
        self.log_wide = None
        self.draw_log_rows()

    def on_resize(self) -> None:
        if self.log_data is not None and self.log_wide != (self.size.width >= WIDE_LOG):
            self.draw_log_rows()

    def draw_log_rows(self) -> None:
        """The log's rows: all columns from WIDE_LOG cells, five below it, each cell clipped
        with … to its column (never cut mid-word without a mark)."""
        from tui.screens.home import clip
        from tui.widgets.status import status_text

        data = self.log_data
        assert data is not None
        one_day = data.first_day == data.last_day
        wide = self.size.width >= WIDE_LOG
        self.log_wide = wide
        table = self.query_one("#log-rows", DataTable)
        keep = table.cursor_row
        rows: list[tuple[Any, ...]] = []
        # ticket 18 cells, 2 of padding per column, 2 for the scrollbar: the service gets the rest
        service_cells = max(8, self.size.width - 18 - sum(NARROW_CELLS.values()) - 5 * 2 - 2)
        for row in data.rows[:LIST_CAP]:
            status = status_text(row.status_code, row.status, overdue=row.overdue)
            if wide:
                at = row.at.strftime("%H:%M" if one_day else "%m-%d %H:%M")
                if row.backdated:
                    at += " 补录"
                cells: tuple[Any, ...] = (
                    at,
                    row.ticket,
                    row.service,
                    row.person,
                    status,
                    row.outcome,
                    row.officer,
                    row.masked_id,
                )
            else:
                cells = (
                    row.ticket,
                    clip(row.service, service_cells),
                    clip(row.person, NARROW_CELLS["person"]),
                    status,
                    clip(row.officer, NARROW_CELLS["officer"]),
                )
            rows.append(cells)
        fill_table(
            table,
            WIDE_COLUMNS if wide else NARROW_COLUMNS,
            rows,
            keys=[row.ticket for row in data.rows[:LIST_CAP]],
            cursor_row=keep,
        )
        table.loading = False

    def print_jobs(self) -> list[PrintJob]:
        if self.active_tab() == "log" and self.shown_range is not None:
            return [daily_log_job(*self.shown_range)]
        return []

    def action_print_log(self) -> None:
        if self.shown_range is None:
            self.show_error("请先按 Enter 查出台账再打印")
            return
        self.start_printing([daily_log_job(*self.shown_range)])

    @on(DataTable.RowSelected, "#log-rows, #overdue-rows")
    def open_request(self, event: DataTable.RowSelected) -> None:
        from tui.screens.request_detail import RequestScreen

        self.app.push_screen(RequestScreen(str(event.row_key.value)))

    # ───────────────────────── 超期 ─────────────────────────
    def load_overdue(self) -> None:
        from tui.widgets.status import status_text

        desk = self.ctx.require_desk()
        found = self.call(overdue_rows, desk.community, self.ctx.today(), LIST_CAP)
        if found is None:
            return
        rows, total = found
        more = f"，列出前{len(rows)}件" if total > len(rows) else ""
        self.query_one("#overdue-count", Static).update(
            Content.assemble(
                (f"已超期未办结 {total} 件", "bold $error" if total else "$success"),
                f"{more}（截至 {self.ctx.today().isoformat()}，Enter 打开办件）",
            )
        )
        fill_table(
            self.query_one("#overdue-rows", DataTable),
            ("受理编号", "事项", "当事人", "状态", "承诺日期", "经办人", "身份证号"),
            [
                (
                    view["ticket"],
                    view["service"]["name"],
                    view["person"]["name"],
                    status_text(view["status"], view["status_label"], overdue=view["overdue"]),
                    view["promised_by"] or "—",
                    view["officer"],
                    view["person"]["id_number"],
                )
                for view in rows
            ],
            keys=[view["ticket"] for view in rows],
        )

    # ───────────────────────── 账号 ─────────────────────────
    def load_staff(self, select: str | None = None) -> None:
        """Draw the accounts again; the cursor goes to `select` (a staff code) if given, or
        stays on the row it was on."""
        from db.accounts import ROLES, desk_lock_minutes, list_staff, session_idle

        staff = self.call(list_staff)
        if staff is None:
            return
        self.staff = staff
        table = self.query_one("#staff-rows", DataTable)
        rows: list[tuple[Any, ...]] = []
        for member in staff:
            if not member["active"]:
                state = Content.styled("停用", "bold $error")
            elif member["locked_until"]:
                state = Content.styled(f"锁定至 {str(member['locked_until'])[11:19]}", "$warning")
            else:
                state = Content.styled("在岗", "$success")
            rows.append(
                (
                    member["code"],
                    member["name"],
                    ROLES.get(str(member["role"]), str(member["role"])),
                    state,
                    "已设" if member["password_set"] else Content.styled("未设", "$warning"),
                )
            )
        codes = [str(member["code"]) for member in staff]
        keep = codes.index(str(select)) if select in codes else table.cursor_row
        fill_table(
            table, ("工号", "姓名", "角色", "状态", "密码"), rows, keys=codes, cursor_row=keep
        )
        lock = self.call(desk_lock_minutes)
        idle = self.call(session_idle)
        self.query_one("#timeouts", Static).update(
            f"共 {len(staff)} 个账号    无操作锁屏 {lock} 分钟（K 修改）    "
            f"登录空闲登出 {idle} 分钟（I 修改）"
        )

    def chosen_staff(self) -> dict[str, Any] | None:
        table = self.query_one("#staff-rows", DataTable)
        if not self.staff or table.cursor_row < 0 or table.cursor_row >= len(self.staff):
            self.show_error("请先用 ↑↓ 选中一个账号")
            return None
        return self.staff[table.cursor_row]

    def staff_dialog_closed(self, code: str | None = None) -> None:
        """After every dialog of the 账号 tab: the accounts read again, the cursor on the one
        acted upon and the focus on the table, so ↓ and the next key act on the row shown."""
        self.load_staff(select=code)
        self.query_one("#staff-rows", DataTable).focus()

    async def _confirm(self, question: str, yes: str, *, danger: bool = False) -> bool:
        from tui.screens.dialogs import ConfirmDialog

        return bool(await self.app.push_screen_wait(ConfirmDialog(question, yes, danger=danger)))

    def action_add_staff(self) -> None:
        self.clear_error()
        self.add_staff_flow()

    @work(exclusive=True, group="supervisor-staff")
    async def add_staff_flow(self) -> None:
        from tui.screens.staff_dialog import StaffDialog

        code = await self.app.push_screen_wait(StaffDialog())
        self.staff_dialog_closed(code or None)
        if code:
            self.notify(f"已添加账号 {code}", title="账号")

    def action_password(self) -> None:
        self.clear_error()
        member = self.chosen_staff()
        if member is not None:
            self.password_flow(member)

    @work(exclusive=True, group="supervisor-staff")
    async def password_flow(self, member: dict[str, Any]) -> None:
        from tui.screens.staff_dialog import StaffDialog

        dialog = StaffDialog(reset_code=str(member["code"]), reset_name=str(member["name"]))
        code = await self.app.push_screen_wait(dialog)
        self.staff_dialog_closed(str(member["code"]))
        if code:
            self.notify(f"已重设 {member['name']}（{code}）的密码，其登录已结束", title="账号")

    def action_disable(self) -> None:
        self.clear_error()
        member = self.chosen_staff()
        if member is not None:
            self.disable_flow(member)

    @work(exclusive=True, group="supervisor-staff")
    async def disable_flow(self, member: dict[str, Any]) -> None:
        from db.accounts import disable_refusal, disable_staff

        # The operation's own checks, asked first: never "停用(Y)?" and then a refusal.
        refusal = self.call(disable_refusal, self.ctx.require_desk(), member["code"])
        if refusal is not None:
            self.show_error(refusal.zh)
            return
        question = (
            f"停用 {member['name']}（{member['code']}）的账号？停用后不能登录，其登录立即结束。"
        )
        confirmed = await self._confirm(question, "停用", danger=True)
        done = None
        if confirmed:
            done = self.call(disable_staff, self.ctx.require_desk(), member["code"], "主管页面停用")
        self.staff_dialog_closed(str(member["code"]))
        if done is not None:
            self.notify(f"已停用 {member['name']}（{member['code']}）", title="账号")

    def action_enable(self) -> None:
        self.clear_error()
        member = self.chosen_staff()
        if member is not None:
            self.enable_flow(member)

    @work(exclusive=True, group="supervisor-staff")
    async def enable_flow(self, member: dict[str, Any]) -> None:
        from db.accounts import enable_staff

        question = f"启用 {member['name']}（{member['code']}）的账号？登录锁定也一并解除。"
        done = None
        if await self._confirm(question, "启用"):
            done = self.call(enable_staff, self.ctx.require_desk(), member["code"], "主管页面启用")
        self.staff_dialog_closed(str(member["code"]))
        if done is not None:
            self.notify(f"已启用 {member['name']}（{member['code']}）", title="账号")

    def action_role(self) -> None:
        self.clear_error()
        member = self.chosen_staff()
        if member is not None:
            self.role_flow(member)

    @work(exclusive=True, group="supervisor-staff")
    async def role_flow(self, member: dict[str, Any]) -> None:
        from db.accounts import ROLES, set_role

        new = "officer" if member["role"] == "supervisor" else "supervisor"
        question = (
            f"将 {member['name']}（{member['code']}）由{ROLES[str(member['role'])]}"
            f"改为{ROLES[new]}？"
        )
        done = None
        if await self._confirm(question, "更改", danger=new == "officer"):
            done = self.call(set_role, self.ctx.require_desk(), member["code"], new)
        self.staff_dialog_closed(str(member["code"]))
        if done is not None:
            self.notify(f"{member['name']} 现为{ROLES[new]}", title="账号")

    def action_lock_minutes(self) -> None:
        self.clear_error()
        self.minutes_flow("lock")

    def action_idle(self) -> None:
        self.clear_error()
        self.minutes_flow("idle")

    @work(exclusive=True, group="supervisor-staff")
    async def minutes_flow(self, which: str) -> None:
        from db.accounts import (
            desk_lock_minutes,
            session_idle,
            set_desk_lock_minutes,
            set_session_idle,
        )
        from tui.screens.dialogs import ReasonDialog

        if which == "lock":
            title, read, write = "无操作多少分钟后锁屏", desk_lock_minutes, set_desk_lock_minutes
        else:
            title, read, write = "登录空闲多少分钟后登出", session_idle, set_session_idle
        current = self.call(read)
        raw = await self.app.push_screen_wait(
            ReasonDialog(title, "分钟数", value=str(current or ""))
        )
        if raw is None:
            self.staff_dialog_closed()
            return
        try:
            minutes = int(raw)
        except ValueError:
            self.staff_dialog_closed()
            self.show_error(f"分钟数应为整数：{raw}")
            return
        done = self.call(write, self.ctx.require_desk(), minutes)
        self.staff_dialog_closed()
        if done is not None:
            self.notify(f"{title}：{done} 分钟", title="设置")

    # ───────────────────────── 目录 ─────────────────────────
    def catalogue_summary(self) -> str:
        try:
            current = self.ctx.catalogue()
        except CounterError as exc:
            return f"当前没有可用的服务事项目录：{exc.zh}"
        source = current.source or "内置目录"
        return (
            f"正在使用：{current.title}　版本 {current.version}　共 {len(current.services)} 项\n"
            f"文件：{source}\n按 R 从文件重新载入（修改目录文件后）"
        )

    def show_catalogue(self) -> None:
        self.query_one("#catalogue-info", Static).update(self.catalogue_summary())

    def action_reload_catalogue(self) -> None:
        from forms.catalogue import CatalogueError

        self.clear_error()
        errors = self.query_one("#catalogue-errors", Static)
        try:
            fresh = self.ctx.reload_catalogue()
        except CatalogueError as exc:
            problems = exc.problems or (exc.zh,)
            heading = f"目录文件有 {len(problems)} 处错误，未载入，仍使用原目录：\n"
            listed = "".join(f"{n}. {problem}\n" for n, problem in enumerate(problems, 1))
            errors.update(Content.assemble((heading, "bold $error"), listed))
            self.show_error(f"服务事项目录未重新载入：{len(problems)} 处错误（见下方列表）")
        except CounterError as exc:
            errors.update(Content.styled(exc.zh, "bold $error"))
            self.show_error("服务事项目录未重新载入")
        else:
            errors.update(
                Content.styled(f"已重新载入，共 {len(fresh.services)} 项，没有错误。", "$success")
            )
            self.notify(f"服务事项目录已重新载入：版本 {fresh.version}", title="目录")
        self.show_catalogue()
