"""New request (F3 from a person): pick the service, see the decision live, tick the documents,
Enter to accept, print at once.

The decision is `db.requests.check` (the CLI's `check`), run again on every highlight and every
tick: it reads a few rows and is fast enough for the main thread. Enter is `open_request` (the
CLI's `request open`), so a refusal is recorded too, with its reasons and remedy, exactly as the
CLI records it. The documents start unticked, as the CLI's `--provided` starts empty: the desk
records only what the clerk saw handed over (F9 ticks them all at once when everything is there).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, OptionList, SelectionList, Static
from textual.widgets.option_list import Option
from textual.widgets.selection_list import Selection

from forms.catalogue import Service
from forms.service_index import GROUP_LABELS, service_index
from forms.status import Outcome, Status
from forms.text import FIELDS
from tui.screens.base import DeskScreen, plain_error
from tui.widgets.decision import headline_text, missing_text, reasons_text
from tui.widgets.keybar import KeyBar
from tui.widgets.status import status_text

MOVE_KEYS = {
    "up": "cursor_up",
    "down": "cursor_down",
    "pageup": "page_up",
    "pagedown": "page_down",
}


def person_header(view: dict[str, Any]) -> str:
    """张德全 610924********0310 · 居住证有效至 2027-11-28 (the permit's state in its words)."""
    permit = view.get("permit")
    if permit is None:
        state = "未办理居住证"
    elif permit["status"] == "valid":
        state = f"居住证有效至 {permit['valid_until']}"
    else:
        state = f"居住证{permit['status_label']}（有效期至 {permit['valid_until']}）"
    return f"{view['name']} {view['id_number']} · {state}"


def load_person(id_number: str, today: Any) -> dict[str, Any]:
    """The person as the header shows them (masked ID); run through ctx.call."""
    from db.people import find_person
    from db.views import person_view

    return person_view(find_person(id_number, today), today)


class NewRequestScreen(DeskScreen):
    CSS_PATH = "new_request.tcss"
    HELP = (
        "新办件：在左边输入事项名称、代码或拼音（如 dib 找城乡低保申请，F01），↑↓ 选择；右边随即"
        "显示核验结论（本窗口办理、代收转办、转迁出村办理或不予办理）及其理由、依据和办理途径。"
        "Tab 到材料清单，空格勾选收到的材料（F9 全部勾选），缺少的材料随勾随算。Enter 受理：给出"
        "受理编号并立即打印回执、一次性告知单、转办单；不予办理的也登记在案。同一事项已有未办结的"
        "办件时显示该办件。"
    )
    BINDINGS: ClassVar = [
        Binding("enter", "accept", "受理", id="new_request.accept", priority=True),
        Binding("enter", "open_ticket", "查看办件", id="new_request.open", priority=True),
        Binding("f9", "tick_all", "全部勾选", id="new_request.tick_all"),
        # priority: with the filter focused, alt+a would otherwise type an "a" into it.
        Binding(
            "alt+a",
            "tick_all",
            "全部勾选",
            show=False,
            id="new_request.tick_all.alt",
            priority=True,
        ),
        Binding("escape", "back", "返回", id="new_request.back"),
    ]

    def __init__(self, id_number: str) -> None:
        super().__init__()
        self.id_number = id_number
        self.person: dict[str, Any] | None = None
        self.service: Service | None = None
        self.decision: Any = None  # forms.scope.Decision of the highlighted service
        self.ticked: dict[str, set[str]] = {}  # service code -> documents ticked
        self.docs_for: str | None = None  # the service the checklist shows
        self.ticket: str | None = None  # once accepted
        self.view: dict[str, Any] | None = None  # the accepted request's request_view

    # ───────────────────────── layout ─────────────────────────
    def compose(self) -> ComposeResult:
        yield Static("新办件", id="topbar", classes="topbar")
        with Horizontal(id="nr-body"):
            with Vertical(id="nr-pick", classes="box"):
                yield Input(placeholder="名称/代码/拼音", id="nr-filter")
                yield OptionList(id="nr-services")
            with Vertical(id="nr-right", classes="box"):
                yield Static("", id="nr-banner")
                yield Static("", id="nr-printing")
                yield Static("", id="nr-headline")
                yield Static("材料（空格勾选，F9 全部）", id="nr-docs-title")
                yield SelectionList[str](id="nr-docs")
                yield Static("", id="nr-missing")
                with VerticalScroll(id="nr-why"):
                    yield Static("", id="nr-reasons")
        yield Static("", id="error", classes="error")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#nr-pick").border_title = "事项（名称/代码/拼音）"
        self.query_one("#nr-right").border_title = "核验结论"
        self.query_one("#nr-services", OptionList).can_focus = False
        person = self.call(load_person, self.id_number, self.ctx.today())
        if person is not None:
            self.person = person
            self.query_one("#topbar", Static).update(f"新办件 · {person_header(person)}")
        self.fill_services("")
        self.query_one("#nr-filter", Input).focus()
        self.warm_pinyin()

    @work(thread=True, group="pinyin")
    def warm_pinyin(self) -> None:
        """Load pypinyin and the services' pinyin before the first letter is typed."""
        service_index(self.ctx.catalogue()).syllables()

    # ───────────────────────── what F3/F4/F7 act on ─────────────────────────
    def person_on_screen(self) -> str | None:
        return self.id_number

    def ticket_on_screen(self) -> str | None:
        return self.ticket

    def print_jobs(self) -> list[Any]:
        """Once accepted, the request's printouts; before, the highlighted service's blank
        checklist (what a resident may take home before applying)."""
        from tui.printing import PrintJob, jobs_for_request

        if self.view is not None:
            return jobs_for_request(self.view)
        return [PrintJob("blank_notice", self.service.code)] if self.service is not None else []

    # ───────────────────────── the service list ─────────────────────────
    def fill_services(self, typed: str) -> None:
        services = self.query_one("#nr-services", OptionList)
        keep = self.service.code if self.service is not None else None
        groups = service_index(self.ctx.catalogue()).find(typed)
        services.clear_options()
        first: int | None = None
        kept: int | None = None
        index = 0
        for group, members in groups:
            services.add_option(Option(Text(GROUP_LABELS[group], "bold"), disabled=True))
            index += 1
            for service in members:
                services.add_option(
                    Option(Text.assemble((service.code, "dim"), " ", service.name), id=service.code)
                )
                first = index if first is None else first
                kept = index if service.code == keep else kept
                index += 1
        target = kept if kept is not None else first
        if target is None:
            self.show_service(None)
            return
        # No OptionHighlighted for this: the service is shown here and now, and a message still
        # queued when the next letter empties the list would bring this service back.
        with services.prevent(OptionList.OptionHighlighted):
            services.highlighted = target
        self.show_service(self.ctx.catalogue().find(str(services.get_option_at_index(target).id)))

    @on(Input.Changed, "#nr-filter")
    def typed(self, event: Input.Changed) -> None:
        if self.ticket is None:
            self.fill_services(event.value)

    @on(OptionList.OptionHighlighted, "#nr-services")
    def highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_list.highlighted_option is not event.option:
            return  # stale: the list was refilled since (a letter typed after an arrow)
        code = event.option.id
        if code and (self.service is None or code != self.service.code):
            self.show_service(self.ctx.catalogue().find(code))

    def on_key(self, event: events.Key) -> None:
        """The filter keeps the keyboard: arrows move the service list under it; typing in the
        checklist goes back to the filter."""
        if self.ticket is not None:
            return
        box = self.query_one("#nr-filter", Input)
        if box.has_focus and event.key in MOVE_KEYS:
            getattr(self.query_one("#nr-services", OptionList), f"action_{MOVE_KEYS[event.key]}")()
            event.stop()
            event.prevent_default()
        elif (
            self.query_one("#nr-docs", SelectionList).has_focus
            and event.is_printable
            and event.character not in (None, " ")
        ):
            box.focus()
            box.insert_text_at_cursor(event.character or "")
            event.stop()
            event.prevent_default()

    # ───────────────────────── the live decision ─────────────────────────
    def show_service(self, service: Service | None) -> None:
        self.service = service
        if service is None:
            self.decision = None
            self.docs_for = None
            self.fill_documents(None, [])
            self.query_one("#nr-headline", Static).update(Text("没有匹配的事项", "bold yellow"))
            self.query_one("#nr-missing", Static).update("")
            self.query_one("#nr-reasons", Static).update("")
            self.refresh_bindings()
            return
        self.recheck()

    def provided(self) -> list[str]:
        """The ticked documents, in the catalogue's order."""
        if self.service is None:
            return []
        ticked = self.ticked.get(self.service.code, set())
        return [d.name for d in self.service.documents if d.name in ticked]

    def recheck(self) -> None:
        from db.requests import check

        service = self.service
        if service is None:
            return
        self.clear_error()
        try:
            decision = self.ctx.call(
                check,
                id_number=self.id_number,
                service=service.code,
                catalogue=self.ctx.catalogue(),
                community=self.ctx.require_desk().community,
                today=self.ctx.today(),
                provided=self.provided(),
            )
        except Exception as exc:
            self.decision = None
            self.query_one("#nr-headline", Static).update(Text("无法核验", "bold red"))
            self.query_one("#nr-reasons", Static).update(plain_error(exc))
            self.refresh_bindings()
            return
        self.decision = decision
        if self.docs_for != service.code:
            self.fill_documents(service.code, [d.name for d in decision.required])
        missing = [] if decision.decision == Outcome.REFUSE else [d.name for d in decision.missing]
        self.show_decision(decision_data(decision), missing)
        self.refresh_bindings()

    def fill_documents(self, code: str | None, names: list[str]) -> None:
        docs = self.query_one("#nr-docs", SelectionList)
        ticked = self.ticked.get(code, set()) if code else set()
        self.docs_for = code
        # Without prevent, the highlight message of index 0 may arrive after the list was
        # emptied by the next letter typed, and SelectionList fails on it.
        with docs.prevent(OptionList.OptionHighlighted):
            docs.clear_options()
            docs.add_options([Selection(name, name, name in ticked) for name in names])
            if names:
                docs.highlighted = 0

    def show_decision(self, data: dict[str, Any], missing: list[str]) -> None:
        self.query_one("#nr-headline", Static).update(headline_text(data))
        # A refusal asks for no documents: no one-time notice of missing ones.
        refusing = data["decision"] == Outcome.REFUSE
        self.query_one("#nr-missing", Static).update("" if refusing else missing_text(missing))
        self.query_one("#nr-reasons", Static).update(reasons_text(data))

    @on(SelectionList.SelectedChanged, "#nr-docs")
    def ticks_changed(self, event: SelectionList.SelectedChanged[str]) -> None:
        if self.service is None or self.docs_for != self.service.code or self.ticket is not None:
            return
        now = set(event.selection_list.selected)
        if now != self.ticked.get(self.service.code, set()):
            self.ticked[self.service.code] = now
            self.recheck()

    def action_tick_all(self) -> None:
        docs = self.query_one("#nr-docs", SelectionList)
        if len(docs.selected) == docs.option_count:
            docs.deselect_all()
        else:
            docs.select_all()

    # ───────────────────────── accept ─────────────────────────
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "accept":
            return self.ticket is None
        if action == "open_ticket":
            return self.ticket is not None
        if action == "tick_all":
            return self.ticket is None
        return True

    def action_accept(self) -> None:
        if self.service is None or self.decision is None:
            self.show_error("请先选择一个能核验的事项")
            return
        if self.decision.decision == Outcome.REFUSE:
            from tui.screens.dialogs import ConfirmDialog

            question = (
                f"“{self.service.name}”不予办理：{self.decision.refusal_message()}\n"
                "登记在案并打印回执（写明理由和办理途径）？"
            )

            def confirmed(yes: bool | None) -> None:
                if yes:
                    self.open_it()

            self.app.push_screen(ConfirmDialog(question, "登记"), callback=confirmed)
            return
        self.open_it()

    def open_it(self, again_reason: str = "") -> bool:
        """Open the request; False (and why, in the screen) if it was not opened."""
        from db.requests import OpenRequestExists, open_request

        assert self.service is not None
        self.clear_error()
        try:
            request = self.ctx.call(
                open_request,
                id_number=self.id_number,
                service=self.service.code,
                catalogue=self.ctx.catalogue(),
                desk=self.ctx.require_desk(),
                today=self.ctx.today(),
                provided=self.provided(),
                again_reason=again_reason,
            )
        except OpenRequestExists as exc:
            self.show_existing(exc.ticket)
            return False
        except Exception as exc:
            self.show_error(plain_error(exc))
            return False
        self.accepted(request.ticket)
        return True

    def show_existing(self, ticket: str) -> None:
        from tui.screens.existing_request import ExistingRequestDialog
        from tui.screens.request_detail import load_request

        view = self.call(load_request, ticket, self.ctx.today())
        if view is None:
            return

        def answered(answer: str | None) -> None:
            if answer == "open":
                from tui.screens.request_detail import RequestScreen

                self.app.push_screen(RequestScreen(ticket))
            elif answer == "again":
                self.ask_again_reason(ticket)

        self.app.push_screen(ExistingRequestDialog(view), callback=answered)

    def ask_again_reason(self, ticket: str, value: str = "") -> None:
        """The reason for a second request; if opening still fails, asked again as typed."""
        from tui.screens.dialogs import ReasonDialog

        def reason_given(reason: str | None) -> None:
            if reason and not self.open_it(again_reason=reason) and self.ticket is None:
                self.ask_again_reason(ticket, reason)

        dialog = ReasonDialog(
            f"再次申请（已有 {ticket}）",
            "确需再次申请的原因",
            value=value,
            max_chars=FIELDS["reason"].limit,
        )
        self.app.push_screen(dialog, callback=reason_given)
        if value:
            error = str(self.query_one("#error", Static).render())
            self.call_after_refresh(dialog.show_error, error)

    def accepted(self, ticket: str) -> None:
        """The request exists: show its ticket big, its decision as recorded, and offer the
        printouts it calls for at once."""
        from tui.printing import jobs_for_request
        from tui.screens.print_dialog import PrintDialog

        self.ticket = ticket
        self.query_one("#nr-filter", Input).disabled = True
        self.query_one("#nr-docs", SelectionList).disabled = True
        self.query_one("#nr-docs-title", Static).update("材料（已登记）")
        self.refresh_bindings()
        self.show_done()
        if self.view is None:
            return
        jobs = jobs_for_request(self.view)

        def chosen(picked: list[Any] | None) -> None:
            if picked:
                self.start_printing(picked)

        self.app.push_screen(PrintDialog(jobs, title=f"打印 {ticket}"), callback=chosen)

    def show_done(self) -> None:
        """The recorded request: its ticket big, its state now, its decision as recorded."""
        from tui.screens.request_detail import load_request

        assert self.ticket is not None
        banner = self.query_one("#nr-banner", Static)
        banner.add_class("shown")
        view = self.call(load_request, self.ticket, self.ctx.today())
        if view is None:
            banner.update(Text(f"受理编号 {self.ticket}", "bold"))
            return
        self.view = view
        refused = view["status"] == Status.REFUSED
        self.query_one("#nr-right").border_title = "不予办理" if refused else "已受理"
        banner.update(
            Text.assemble(
                ("不予办理，已登记在案，受理编号\n" if refused else "已受理，受理编号\n", "bold"),
                (f"  {self.ticket}  ", "bold reverse"),
                "\n",
                status_text(view["status"], view["status_label"], overdue=view["overdue"]),
                # A refusal promises no date.
                f"  承诺办结 {view['promised_by']}" if view["promised_by"] and not refused else "",
                "\n",
                ("Enter 查看办件  F7 重新打印  Esc 返回", "dim"),
            )
        )
        self.show_decision(view, view["missing_documents"])

    def print_progress(
        self, text: str, *, title: str = "打印", severity: str = "information", timeout: float = 6
    ) -> None:
        """Printing after acceptance is reported under the ticket, not in toasts over it; only
        a failure is also a toast."""
        line = self.query_one("#nr-printing", Static)
        line.display = True
        line.update(Text(text, "bold red" if severity == "error" else "dim"))
        if severity == "error":
            super().print_progress(text, title=title, severity=severity, timeout=timeout)

    def on_screen_resume(self) -> None:
        if self.ticket is not None:  # back from the request's screen: it may have moved on
            self.show_done()

    def action_open_ticket(self) -> None:
        if self.ticket is not None:
            from tui.screens.request_detail import RequestScreen

            self.app.push_screen(RequestScreen(self.ticket))

    def action_back(self) -> None:
        """Back; if something was ticked or typed and not accepted, only after asking."""
        if self.ticket is not None or not self.unsaved():
            self.app.pop_screen()
            return
        from tui.screens.dialogs import ConfirmDialog

        def answered(leave: bool | None) -> None:
            if leave:
                self.app.pop_screen()

        self.app.push_screen(
            ConfirmDialog("已输入或勾选的内容尚未受理，确定放弃并返回？", "放弃", danger=True),
            callback=answered,
        )

    def unsaved(self) -> bool:
        typed = self.query_one("#nr-filter", Input).value.strip()
        return bool(typed) or any(self.ticked.values())


def decision_data(decision: Any) -> dict[str, Any]:
    """The decision as the shared text functions read it, each reason flagged `refusing` as a
    recorded request's reasons are (db.requests.create_request)."""
    data = decision.as_dict()
    for shown, reason in zip(data["reasons"], decision.reasons, strict=True):
        shown["refusing"] = reason in decision.blocking
    return data
