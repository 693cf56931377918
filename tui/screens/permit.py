"""The residence permit of one person (F4): the permit, its history, and what can be done now.

What the screen shows comes from db/permits.permit_overview, which asks the same checks the
operations make (scope check, pending materials, revocation rules), so an action offered as
possible here is the one the database accepts. Every write is a db/ operation the CLI uses
too; after each one the screen reloads and offers its printouts at once.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.widgets import DataTable, Static

from forms.errors import CounterError
from tui.printing import PrintJob
from tui.screens.base import DeskScreen
from tui.screens.person import ADVICE_STYLES, PERMIT_STYLES
from tui.widgets.keybar import KeyBar
from tui.widgets.tables import fill_table

Parts = list[str | tuple[str, str]]

# (action, key, label) in the order the screen lists them
ACTIONS = (
    ("issue", "s", "申领发证"),
    ("endorse", "q", "签注"),
    ("replace", "b", "补换领"),
    ("revoke", "z", "注销（负责人）"),
    ("unrevoke", "c", "撤销注销（负责人，当天）"),
)


class PermitScreen(DeskScreen):
    CSS_PATH = "permit.tcss"
    HELP = (
        "居住证：当事人（身份证号隐去中间位）、当前居住证及签注、补换领、注销记录。"
        "“可办理”一栏按规则列出现在能办的事项，不能办的写明原因和办法（一行放不下时，按该事项的键，"
        "下方显示全文）。"
        "S 申领发证，Q 签注，B 补换领（先显示工本费再确认），Z 注销（负责人，须确认并写明原因），"
        "C 撤销当天的误注销（负责人）。办完即可打印居住证卡和回执；F7 重印居住证卡。Esc 返回。"
    )
    BINDINGS: ClassVar = [
        Binding("escape", "back", "返回", id="permit.back"),
        Binding("s", "issue", "申领", id="permit.issue"),
        Binding("q", "endorse", "签注", id="permit.endorse"),
        Binding("b", "replace", "补换领", id="permit.replace"),
        Binding("z", "revoke", "注销", id="permit.revoke"),
        Binding("c", "unrevoke", "撤销注销", id="permit.unrevoke"),
        Binding("ctrl+r", "reload", "刷新", show=False, id="permit.reload"),
    ]

    def __init__(self, id_number: str) -> None:
        super().__init__()
        self.id_number = id_number
        self.overview: dict[str, Any] | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="topbar", classes="topbar")
        with Vertical(id="card", classes="box"):
            yield Static("", id="facts")
        with Vertical(id="actions-box", classes="box"):
            for action, _, _ in ACTIONS:
                yield Static("", id=f"act-{action}", classes="action")
        with Vertical(id="history-box", classes="box"):
            yield DataTable(id="history", cursor_type="row", zebra_stripes=True)
        yield Static("", id="error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#actions-box").border_title = "可办理"
        self.query_one("#history-box").border_title = "签发、签注、补换领、注销记录"
        self.reload()
        self.query_one("#history", DataTable).focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """C (undo a revocation) appears only on the day of a revocation, like its line."""
        if action == "unrevoke":
            if self.overview is None:
                return False
            return not self.overview["actions"]["unrevoke"]["refused"]
        return True

    # ───────────────────────── what is on screen ─────────────────────────
    def person_on_screen(self) -> str | None:
        return self.id_number

    def permit(self) -> dict[str, Any] | None:
        return self.overview["permit"] if self.overview else None

    def print_jobs(self) -> list[PrintJob]:
        permit = self.permit()
        if permit is not None and permit["status"] == "valid":
            return [PrintJob("permit", self.id_number)]
        return []

    # ───────────────────────── loading ─────────────────────────
    def reload(self) -> None:
        """Read the person's permit again (after every action) and redraw."""
        from db.permits import permit_overview

        desk = self.ctx.desk
        if desk is None:
            return
        try:
            catalogue = self.ctx.catalogue()
        except CounterError as exc:
            self.show_error(exc.zh)
            return
        overview = self.call(
            permit_overview, self.id_number, catalogue, desk.community, self.ctx.today()
        )
        if overview is None:
            return
        self.overview = overview
        self.draw()

    def action_reload(self) -> None:
        self.clear_error()
        self.reload()

    def draw(self) -> None:
        assert self.overview is not None
        person = self.overview["person"]
        household = person["household"]
        self.query_one("#topbar", Static).update(
            f"居住证 · {person['name']} {person['id_number']} · {household['address']}"
        )
        self.query_one("#facts", Static).update(self.facts_text())
        card = self.query_one("#card")
        permit = self.permit()
        card.border_title = f"居住证 {permit['number']}" if permit else "居住证"
        self.draw_actions()
        self.draw_history()
        self.refresh_bindings()

    def facts_text(self) -> Content:
        assert self.overview is not None
        permit = self.permit()
        moved_in = self.overview["person"]["household"]["moved_in"]
        if permit is None:
            return Content.assemble(
                ("尚未办理居住证", "bold $warning"), f"    入住 {moved_in}    按 S 申领发证"
            )
        parts: Parts = [
            "状态 ",
            (permit["status_label"], PERMIT_STYLES.get(permit["status"], "")),
            f"    签发 {permit['issued_on']}    有效期至 {permit['valid_until']}\n",
            f"签注期 {permit['endorse_from']} 至 {permit['valid_until']}",
            f"    居住起算 {permit['residence_since']}    入住 {moved_in}",
        ]
        advice = self.overview["advice"]
        if advice:
            parts += ["\n", (advice["text"], ADVICE_STYLES.get(advice["level"], ""))]
        extra: list[str] = []
        if permit["replaces"]:
            extra.append(f"补换领自 {permit['replaces']}，工本费 {permit['fee_yuan']:g} 元")
        if permit["closed_on"]:
            extra.append(f"{permit['closed_on']} {permit['closed_reason']}")
        if extra:
            parts.append("\n" + "    ".join(extra))
        return Content.assemble(*parts)

    def draw_actions(self) -> None:
        assert self.overview is not None
        actions = self.overview["actions"]
        fee = self.overview["replacement_fee"]
        supervisor = self.ctx.is_supervisor()
        for action, key, label in ACTIONS:
            refused = actions[action]["refused"]
            parts: Parts = [(f"{key.upper()} {label}  ", "bold")]
            if refused:
                parts.append(("不可：" + refused, "dim"))
            else:
                parts.append(("可办理", "$success"))
                if action == "replace":
                    parts.append(f"，工本费 {fee:g} 元")
                if action in ("revoke", "unrevoke") and not supervisor:
                    parts.append(("（须负责人操作）", "$warning"))
            widget = self.query_one(f"#act-{action}", Static)
            widget.update(Content.assemble(*parts))
            # Undoing a revocation only matters on the day of one: hide the line otherwise.
            widget.display = action != "unrevoke" or not refused

    def draw_history(self) -> None:
        assert self.overview is not None
        permits = [p for p in [self.permit(), *self.overview["earlier"]] if p]
        events = [(e, p["number"]) for p in permits for e in p["history"]]
        events.sort(key=lambda pair: (pair[0]["at"], pair[0]["on"]), reverse=True)
        fill_table(
            self.query_one("#history", DataTable),
            ("日期", "事项", "居住证号", "有效期至", "经办人", "说明"),
            [
                (
                    event["on"] + ("补录" if event["backdated"] else ""),
                    event["kind_label"],
                    number,
                    event["valid_until"],
                    event["staff"],
                    event["note"] or "—",
                )
                for event, number in events
            ],
        )
        box = self.query_one("#history-box")
        box.border_title = f"签发、签注、补换领、注销记录 共{len(events)}条"

    # ───────────────────────── actions ─────────────────────────
    def action_back(self) -> None:
        self.app.pop_screen()

    def refusal(self, action: str) -> str | None:
        """The reason the rules give for not doing `action` now, shown in the screen."""
        if self.overview is None:
            return "居住证信息未能读取"
        refused: str | None = self.overview["actions"][action]["refused"]
        return refused

    def who(self) -> str:
        assert self.overview is not None
        person = self.overview["person"]
        return f"{person['name']}（{person['id_number']}）"

    def action_issue(self) -> None:
        self.clear_error()
        self.issue_flow()

    def action_endorse(self) -> None:
        self.clear_error()
        self.endorse_flow()

    def action_replace(self) -> None:
        self.clear_error()
        self.replace_flow()

    def action_revoke(self) -> None:
        self.clear_error()
        self.revoke_flow()

    def action_unrevoke(self) -> None:
        self.clear_error()
        self.unrevoke_flow()

    def _refused(self, action: str, what: str) -> bool:
        why = self.refusal(action)
        if why:
            self.show_error(f"不能{what}：{why}")
            return True
        return False

    async def _confirm(self, question: str, yes: str = "确定", *, danger: bool = False) -> bool:
        from tui.screens.dialogs import ConfirmDialog

        answer = await self.app.push_screen_wait(ConfirmDialog(question, yes, danger=danger))
        return bool(answer)

    @work(exclusive=True, group="permit-action")
    async def issue_flow(self) -> None:
        from db.permits import issue_permit

        if self._refused("issue", "申领发证"):
            return
        if not await self._confirm(f"为 {self.who()} 签发居住证？", "签发"):
            return
        permit = self.call(
            issue_permit,
            id_number=self.id_number,
            catalogue=self.ctx.catalogue(),
            desk=self.ctx.require_desk(),
            today=self.ctx.today(),
        )
        self.done(permit, f"已签发居住证 {permit.number}" if permit else "", receipt=True)

    @work(exclusive=True, group="permit-action")
    async def endorse_flow(self) -> None:
        from db.permits import endorse_permit

        if self._refused("endorse", "签注"):
            return
        permit = self.permit()
        assert permit is not None  # endorsement is refused without a permit
        if not await self._confirm(f"为 {self.who()} 签注居住证 {permit['number']}？", "签注"):
            return
        done = self.call(
            endorse_permit,
            id_number=self.id_number,
            catalogue=self.ctx.catalogue(),
            desk=self.ctx.require_desk(),
            today=self.ctx.today(),
        )
        self.done(
            done,
            f"已签注，有效期至 {done.valid_until.isoformat()}" if done else "",
            receipt=True,
        )

    @work(exclusive=True, group="permit-action")
    async def replace_flow(self) -> None:
        from db.permits import REPLACE_REASONS, replace_permit
        from tui.screens.replace_dialog import ReplaceDialog

        if self._refused("replace", "补换领"):
            return
        assert self.overview is not None
        permit = self.permit()
        assert permit is not None  # replacement is refused without a permit
        fee = self.overview["replacement_fee"]
        reason = await self.app.push_screen_wait(ReplaceDialog(permit["number"], fee))
        if not reason:
            return
        question = (
            f"为 {self.who()} {REPLACE_REASONS[reason]}：原证 {permit['number']} 作废，"
            f"收取工本费 {fee:g} 元。确定？"
        )
        if not await self._confirm(question, "补换领"):
            return
        new = self.call(
            replace_permit,
            id_number=self.id_number,
            reason=reason,
            catalogue=self.ctx.catalogue(),
            desk=self.ctx.require_desk(),
            today=self.ctx.today(),
        )
        self.done(
            new, f"已补换发居住证 {new.number}，收取工本费 {fee:g} 元" if new else "", receipt=True
        )

    @work(exclusive=True, group="permit-action")
    async def revoke_flow(self) -> None:
        from db.accounts import require_supervisor
        from db.permits import revoke_permit
        from tui.screens.dialogs import ReasonDialog

        # The role is the database's to decide (read fresh); its refusal is shown as it is.
        if self.call(require_supervisor, self.ctx.desk, "注销居住证", "revoke a permit") is None:
            return
        if self._refused("revoke", "注销"):
            return
        permit = self.permit()
        assert permit is not None
        question = (
            f"注销 {self.who()} 的居住证 {permit['number']}？\n"
            "注销后居住证不能再使用，居住年限中断；误注销只能由负责人当天撤销。"
        )
        if not await self._confirm(question, "注销", danger=True):
            return
        reason = await self.app.push_screen_wait(ReasonDialog("注销居住证的原因", "注销原因"))
        if not reason:
            return
        done = self.call(
            revoke_permit,
            id_number=self.id_number,
            reason=reason,
            desk=self.ctx.require_desk(),
            today=self.ctx.today(),
        )
        self.done(done, f"已注销居住证 {done.number}" if done else "", receipt=False)

    @work(exclusive=True, group="permit-action")
    async def unrevoke_flow(self) -> None:
        from db.accounts import require_supervisor
        from db.permits import unrevoke_permit
        from tui.screens.dialogs import ReasonDialog

        if self.call(require_supervisor, self.ctx.desk, "撤销注销", "undo a revocation") is None:
            return
        if self._refused("unrevoke", "撤销注销"):
            return
        permit = self.permit()
        assert permit is not None
        question = f"撤销今天对居住证 {permit['number']} 的注销，恢复有效？"
        if not await self._confirm(question, "撤销注销"):
            return
        reason = await self.app.push_screen_wait(ReasonDialog("撤销注销的原因", "撤销原因"))
        if not reason:
            return
        done = self.call(
            unrevoke_permit,
            id_number=self.id_number,
            reason=reason,
            desk=self.ctx.require_desk(),
            today=self.ctx.today(),
        )
        self.done(done, f"已撤销注销，居住证 {done.number} 恢复有效" if done else "", receipt=False)

    def done(self, result: Any, message: str, *, receipt: bool) -> None:
        """After an operation: reload (whether or not it went through), then offer printouts."""
        failed = result is None
        self.reload()
        if failed:
            return  # the error is already in the screen, and stays there
        self.notify(message, title="居住证", timeout=5)
        jobs = self.print_jobs()
        request = self.overview["request"] if self.overview else None
        if receipt and request is not None:
            jobs.append(PrintJob("receipt", request["ticket"]))
        if jobs:
            from tui.screens.print_dialog import PrintDialog

            def chosen(picked: list[PrintJob] | None) -> None:
                if picked:
                    self.start_printing(picked)

            self.app.push_screen(PrintDialog(jobs, title=f"打印：{message}"), callback=chosen)
