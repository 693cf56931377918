"""Replacing a residence permit: lost or damaged, with the card fee shown before anything is done."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.base import DeskDialog


class ReplaceDialog(DeskDialog[str | None]):
    """Returns the reason key of db.permits.REPLACE_REASONS ("lost" / "damaged"), or None."""

    CSS_PATH = "replace_dialog.tcss"

    HELP = (
        "补换领居住证：↑↓ 选择遗失补领或损坏换领（换领须交回原证），Enter 下一步确认；"
        "工本费按服务事项目录收取，显示在上方。Esc 取消。"
    )
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_none", "取消", id="replace.cancel"),
        Binding("1", "pick('lost')", "遗失补领", show=False, id="replace.lost"),
        Binding("2", "pick('damaged')", "损坏换领", show=False, id="replace.damaged"),
    ]

    def __init__(self, permit_number: str, fee_yuan: float) -> None:
        super().__init__()
        self.permit_number = permit_number
        self.fee_yuan = fee_yuan

    def compose(self) -> ComposeResult:
        from db.permits import REPLACE_REASONS

        with Vertical(classes="dialog box", id="replace"):
            yield Label(f"原证 {self.permit_number} 补换领后作废，当场发新证", id="what")
            yield Static(f"工本费 {self.fee_yuan:g} 元", id="fee")
            yield OptionList(
                *[
                    Option(f"{n}. {label}", id=key)
                    for n, (key, label) in enumerate(REPLACE_REASONS.items(), 1)
                ],
                id="reasons",
            )
            yield Static("", id="error", classes="error")
            yield Static("↑↓ 选择  Enter 下一步  Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#replace").border_title = "补换领居住证"
        reasons = self.query_one("#reasons", OptionList)
        reasons.highlighted = 0
        reasons.focus()

    def action_pick(self, reason: str) -> None:
        self.dismiss(reason)

    @on(OptionList.OptionSelected, "#reasons")
    def picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
