"""The person already has this service open: show that request instead of opening a second one.

Returns "open" (go to that request), "again" (open a second one anyway; the caller asks why) or
None (Esc: back to the new-request screen, nothing written).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Static

from tui.screens.base import DeskDialog
from tui.widgets.status import status_text


class ExistingRequestDialog(DeskDialog[str | None]):
    CSS_PATH = "existing_request.tcss"
    HELP = (
        "同一事项已有未办结的办件：O 打开该办件继续办理（补正、转办、办结）；确需再次申请的按 A，"
        "并写明原因（记入办理记录）；Esc 返回，不登记。"
    )
    BINDINGS: ClassVar = [
        Binding("escape", "answer('')", "返回", id="existing.back"),
        Binding("o", "answer('open')", "打开该办件", id="existing.open"),
        Binding("a", "answer('again')", "再次申请", id="existing.again"),
    ]

    def __init__(self, view: dict[str, Any]) -> None:
        super().__init__()
        self.view = view

    def compose(self) -> ComposeResult:
        view = self.view
        with Vertical(classes="dialog box", id="existing-dialog"):
            yield Static(
                f"{view['person']['name']}已有未办结的“{view['service']['name']}”，"
                "请在该办件上继续办理：",
                id="existing-what",
            )
            yield Static(view["ticket"], id="existing-ticket")
            yield Static(
                Text.assemble(
                    "状态 ",
                    status_text(view["status"], view["status_label"], overdue=view["overdue"]),
                    f"   {view['opened_on']} 受理   承诺办结 {view['promised_by'] or '—'}",
                ),
                id="existing-state",
            )
            with Horizontal(classes="buttons"):
                yield Button("打开该办件(O)", id="existing-open", variant="primary")
                yield Button("仍要再次申请(A)", id="existing-again")
                yield Button("返回(Esc)", id="existing-back")

    def on_mount(self) -> None:
        self.query_one("#existing-dialog").border_title = "已有未办结的办件"
        self.query_one("#existing-open", Button).focus()

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer or None)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        answers = {"existing-open": "open", "existing-again": "again"}
        self.dismiss(answers.get(event.button.id or ""))
