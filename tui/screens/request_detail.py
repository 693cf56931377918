"""Request detail: where a request stands, why, what happened to it, and the next step.

Each step is the CLI's own operation (db.requests.supplement / forward / return_request /
complete / refuse) and is offered only when forms.status says it applies to this request now;
after a step the screen reloads and offers the printouts the new state calls for.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from forms.status import (
    ACTION_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    Action,
    Status,
    available_actions,
)
from forms.summary import (
    RECEIVED_TITLE,
    backdated_mark,
    documents_line,
    event_line,
    local_time,
)
from forms.text import FIELDS
from tui.screens.base import DeskScreen
from tui.widgets.decision import headline_text, missing_text, reasons_text, remedy_text
from tui.widgets.keybar import KeyBar
from tui.widgets.status import status_text

# The step keys, in the order of forms.status.Action (also the order the summary lists them).
STEP_KEYS: dict[str, str] = {
    Action.SUPPLEMENT: "1",
    Action.FORWARD: "2",
    Action.RETURN: "3",
    Action.COMPLETE: "4",
    Action.REFUSE: "5",
}

# What the toast says once a step is recorded, as the counter says it.
STEP_DONE: dict[str, str] = {
    Action.SUPPLEMENT: "已补正材料",
    Action.FORWARD: "已转办",
    Action.RETURN: "已记录部门退回",
    Action.COMPLETE: "已办结",
    Action.REFUSE: "已作出不予办理",
}


def load_request(ticket: str, today: dt.date, *, with_events: bool = False) -> dict[str, Any]:
    """A request as the desk shows it (request_view, IDs masked); run through ctx.call."""
    from db.requests import get_request
    from db.views import request_view

    return request_view(get_request(ticket), today, with_events=with_events)


def load_detail(ticket: str, today: dt.date) -> tuple[dict[str, Any], str, str]:
    """(the request with its events, the person's full ID for F3/F4, its permit action)."""
    from db.requests import get_request
    from db.views import request_view

    request = get_request(ticket)
    view = request_view(request, today, with_events=True)
    return view, request.person.id_number, request.permit_action


class RequestScreen(DeskScreen):
    CSS_PATH = "request_detail.tcss"
    HELP = (
        "办件详情：状态、承诺办结日期、已收和缺少的材料、核验理由及依据、全部办理记录。数字键办理"
        "下一步：1 补正材料（勾选补交的材料）、2 转办（代收转办事项）、3 记录部门退回（须写原因）、"
        "4 办结、5 不予办理（先确认，须写理由及办理途径）；当前状态不能办理的步骤不可用。每一步"
        "之后提示打印新的回执（及告知单、转办单）；F7 随时重新打印。"
    )
    BINDINGS: ClassVar = [
        Binding(STEP_KEYS[Action.SUPPLEMENT], "supplement", "补正材料", id="request.supplement"),
        Binding(STEP_KEYS[Action.FORWARD], "forward", "转办", id="request.forward"),
        Binding(STEP_KEYS[Action.RETURN], "return", "退回", id="request.return"),
        Binding(STEP_KEYS[Action.COMPLETE], "complete", "办结", id="request.complete"),
        Binding(STEP_KEYS[Action.REFUSE], "refuse", "不予办理", id="request.refuse"),
        Binding("escape", "back", "返回", id="request.back"),
    ]

    def __init__(self, ticket: str) -> None:
        super().__init__()
        self.ticket = ticket.strip().upper()
        self.view: dict[str, Any] | None = None
        self.id_number: str | None = None
        self.permit_action = ""

    def compose(self) -> ComposeResult:
        yield Static(f"办件 {self.ticket}", id="topbar", classes="topbar")
        with VerticalScroll(id="rq-page"):
            with Vertical(id="rq-summary", classes="box"):
                yield Static("", id="rq-state")
                yield Static("", id="rq-applicant")
                yield Static("", id="rq-headline")
                yield Static("", id="rq-received")
                yield Static("", id="rq-missing")
                yield Static("", id="rq-remedy")
                yield Static("", id="rq-next")
            with Vertical(id="rq-timeline", classes="box"):
                yield Static("", id="rq-events")
            with Vertical(id="rq-why", classes="box"):
                yield Static("", id="rq-reasons")
        yield Static("", id="error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#rq-summary").border_title = "办件"
        self.query_one("#rq-why").border_title = "核验理由及依据"
        self.reload()
        self.query_one("#rq-page").focus()

    def on_screen_resume(self) -> None:
        self.reload()

    # ───────────────────────── what F3/F4/F7 act on ─────────────────────────
    def person_on_screen(self) -> str | None:
        return self.id_number

    def ticket_on_screen(self) -> str | None:
        return self.ticket if self.view is not None else None

    def print_jobs(self) -> list[Any]:
        from tui.printing import jobs_for_request

        return jobs_for_request(self.view) if self.view is not None else []

    # ───────────────────────── showing it ─────────────────────────
    def reload(self) -> None:
        loaded = self.call(load_detail, self.ticket, self.ctx.today())
        if loaded is None:
            self.view = None
            self.refresh_bindings()
            return
        self.view, self.id_number, self.permit_action = loaded
        self.show(self.view)
        self.refresh_bindings()

    def available(self) -> tuple[Action, ...]:
        if self.view is None:
            return ()
        return available_actions(self.view["status"], self.view["decision"], self.permit_action)

    def show(self, view: dict[str, Any]) -> None:
        person = view["person"]
        self.query_one("#topbar", Static).update(
            f"办件 {view['ticket']} · {view['service']['code']} {view['service']['name']}"
        )
        self.query_one("#rq-state", Static).update(
            Text.assemble(
                ("状态 ", "bold"),
                status_text(view["status"], view["status_label"], overdue=view["overdue"]),
                # A refusal promises nothing.
                ""
                if view["status"] == Status.REFUSED
                else f"   承诺办结 {view['promised_by'] or '—'}",
                f"   受理 {local_time(view['opened_at'])}{backdated_mark(view)} {view['officer']}",
            )
        )
        self.query_one("#rq-applicant", Static).update(
            f"申请人 {person['name']} {person['id_number']}  电话 {person['phone'] or '—'}  "
            f"{person['address']}"
        )
        self.query_one("#rq-headline", Static).update(headline_text(view))
        self.query_one("#rq-received", Static).update(
            documents_line(RECEIVED_TITLE, view["received_documents"])
        )
        missing = self.query_one("#rq-missing", Static)
        # A refused request asks for nothing: no one-time notice of missing documents.
        missing.update(missing_text(view["missing_documents"]))
        missing.display = view["status"] != Status.REFUSED
        remedy = self.query_one("#rq-remedy", Static)
        remedy.update(remedy_text(view["remedy"]) if view["remedy"] else "")
        remedy.display = bool(view["remedy"])
        steps = self.available()
        self.query_one("#rq-next", Static).update(
            Text.assemble(
                ("可办理：", "bold"),
                "  ".join(f"{STEP_KEYS[a]} {ACTION_LABELS[a]}" for a in steps)
                if steps
                else "无（本办件已结束）",
                "   F7 打印",
                (
                    "\n居住证事项在 F4 居住证屏幕发证、签注或补换后自动办结"
                    if self.permit_action and view["status"] in OPEN_STATUSES
                    else ""
                ),
            )
        )
        events = view.get("events", [])
        self.query_one("#rq-timeline").border_title = f"办理记录 {len(events)}条"
        self.query_one("#rq-events", Static).update(
            Text("\n").join(
                Text.assemble(
                    event_line(e),
                    " → ",
                    status_text(e["status_after"], STATUS_LABELS.get(e["status_after"], "")),
                )
                for e in events
            )
        )
        self.query_one("#rq-reasons", Static).update(reasons_text(view, with_remedy=False))

    # ───────────────────────── the steps ─────────────────────────
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A step the request cannot take now is left out of the footer (the summary's 可办理
        line lists those it can); forms.status decides which."""
        if action in STEP_KEYS:
            return action in self.available()
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_supplement(self) -> None:
        from tui.screens.supplement_dialog import SupplementDialog

        if self.view is None:
            return

        def brought(names: list[str] | None) -> None:
            if names:
                from db.requests import supplement

                self.step(
                    Action.SUPPLEMENT,
                    supplement,
                    self.ticket,
                    names,
                    self.ctx.require_desk(),
                    self.ctx.today(),
                )

        missing = list(self.view["missing_documents"])
        self.app.push_screen(SupplementDialog(self.ticket, missing), callback=brought)

    def action_forward(self) -> None:
        from db.requests import forward

        to = self.view["handled_by"] if self.view else ""
        self.ask_note(
            Action.FORWARD, forward, f"转办 {self.ticket} → {to}", "转办说明（可不填）", "note"
        )

    def action_return(self) -> None:
        from db.requests import return_request

        self.ask_note(
            Action.RETURN,
            return_request,
            f"记录部门退回 {self.ticket}",
            "退回原因",
            "reason",
            required=True,
        )

    def action_complete(self) -> None:
        from db.requests import complete

        self.ask_note(
            Action.COMPLETE, complete, f"办结 {self.ticket}", "办结说明（可不填）", "note"
        )

    def action_refuse(self) -> None:
        from db.requests import refuse
        from tui.screens.dialogs import ConfirmDialog

        if self.view is None:
            return
        question = (
            f"作出不予办理：{self.ticket}\n"
            f"{self.view['service']['name']} · {self.view['person']['name']}\n"
            "不予办理后本办件即结束；下一步写明理由及办理途径。"
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.ask_note(
                    Action.REFUSE,
                    refuse,
                    f"不予办理 {self.ticket}",
                    "理由及办理途径",
                    "reason",
                    required=True,
                )

        self.app.push_screen(ConfirmDialog(question, "不予办理", danger=True), callback=confirmed)

    def ask_note(
        self,
        action: Action,
        operation: Any,
        title: str,
        prompt: str,
        field: str,
        *,
        required: bool = False,
        value: str = "",
    ) -> None:
        """Ask for the step's note (`field`: its stored field in forms.text.FIELDS, whose limit
        the dialog enforces); if the step then fails, ask again with the text as typed."""
        from tui.screens.dialogs import ReasonDialog

        def written(note: str | None) -> None:
            if note is None:
                return
            done = self.step(
                action, operation, self.ticket, self.ctx.require_desk(), self.ctx.today(), note
            )
            if not done:
                self.ask_note(
                    action, operation, title, prompt, field, required=required, value=note
                )

        dialog = ReasonDialog(
            title, prompt, required=required, value=value, max_chars=FIELDS[field].limit
        )
        self.app.push_screen(dialog, callback=written)
        if value:  # why it failed, under the field of the reopened dialog
            error = str(self.query_one("#error", Static).render())
            self.call_after_refresh(dialog.show_error, error)

    def step(self, action: Action, operation: Any, *args: Any) -> bool:
        """Run one handling step; then reload and offer the printouts the new state needs: the
        receipt (a new version: the state it asserts changed), the notice while documents are
        still missing after a supplement, the transfer slip after forwarding."""
        from tui.printing import PrintJob
        from tui.screens.print_dialog import PrintDialog

        self.clear_error()
        if self.call(operation, *args) is None:
            return False
        self.reload()
        if self.view is None:
            return True
        self.notify(
            f"{self.ticket}：{STEP_DONE[action]}，现为{self.view['status_label']}",
            title=STEP_DONE[action],
            timeout=4,
        )
        jobs = [PrintJob("receipt", self.ticket)]
        if action == Action.SUPPLEMENT and self.view["missing_documents"]:
            jobs.append(PrintJob("notice", self.ticket))
        if action == Action.FORWARD:
            jobs.append(PrintJob("transfer", self.ticket))
        if action == Action.REFUSE:
            jobs.append(PrintJob("refusal", self.ticket))

        def chosen(picked: list[Any] | None) -> None:
            if picked:
                self.start_printing(picked)

        self.app.push_screen(
            PrintDialog(jobs, title=f"{ACTION_LABELS[action]}后打印 {self.ticket}"),
            callback=chosen,
        )
        return True
