"""Small dialogs every screen uses: a yes/no confirmation and a reason to type."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from tui.screens.base import DeskDialog


class ConfirmDialog(DeskDialog[bool]):
    """A question answered with Enter on the focused button, y/n, or Esc (no)."""

    HELP = "确认一个不容易撤回的操作：Y 或“确定”执行，N、Esc 或“取消”返回。"
    BINDINGS: ClassVar = [
        Binding("escape", "answer(False)", "取消", id="confirm.no"),
        Binding("n", "answer(False)", "否", show=False, id="confirm.n"),
        Binding("y", "answer(True)", "是", show=False, id="confirm.y"),
    ]

    def __init__(self, question: str, yes_label: str = "确定", *, danger: bool = False) -> None:
        super().__init__()
        self.question = question
        self.yes_label = yes_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog box"):
            yield Static(self.question, id="question")
            with Horizontal(classes="buttons"):
                yield Button(
                    f"{self.yes_label}(Y)", id="yes", variant="error" if self.danger else "primary"
                )
                yield Button("取消(N)", id="no")

    def on_mount(self) -> None:
        # A dangerous action starts on "取消": Enter alone never does it.
        self.query_one("#no" if self.danger else "#yes", Button).focus()

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)

    @on(Button.Pressed)
    def pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class ReasonDialog(DeskDialog[str | None]):
    """One line of text (a reason, a note); Enter confirms, Esc cancels with None.

    `max_chars` is the stored field's limit (forms.text.FIELDS[...].limit): longer text is
    refused here, under the field, and stays in it to be shortened. `value` starts the field
    with text already typed (a step that failed reopens the dialog with it)."""

    HELP = "填写原因或说明后按 Enter 确认；Esc 取消，不做任何修改。"

    def __init__(
        self,
        title: str,
        prompt: str = "原因",
        *,
        required: bool = True,
        value: str = "",
        max_chars: int | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.prompt = prompt
        self.required = required
        self.value = value
        self.max_chars = max_chars

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog box"):
            yield Label(self.title_text, id="title")
            yield Input(value=self.value, placeholder=self.prompt, id="reason")
            yield Static("", id="error", classes="error")
            yield Static("Enter 确认  Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#reason", Input).focus()

    @on(Input.Submitted, "#reason")
    def submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        if self.required and not text:
            self.show_error(f"请填写{self.prompt}")
            return
        if self.max_chars is not None and len(text) > self.max_chars:
            self.show_error(
                f"{self.prompt}过长：最多{self.max_chars}字，现有{len(text)}字，请删减后再按 Enter"
            )
            return
        self.dismiss(text)
