"""Tick the missing documents the resident has brought back; Enter records them.

Every missing document starts ticked: the resident came back with the paper the one-time notice
asked for, so the usual supplement is two keys (the step's key, then Enter); untick what is still
not there. Returns the ticked names, or None (Esc).
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import SelectionList, Static

from tui.screens.base import DeskDialog


class SupplementDialog(DeskDialog[list[str] | None]):
    HELP = (
        "补正材料：列出该办件仍缺的全部材料，默认都已勾选；空格取消未带来的，Enter 登记补交，"
        "Esc 取消。材料齐全后办件转为已受理并计算承诺办结日期。"
    )
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_none", "取消", id="supplement.cancel"),
        Binding("enter", "confirm", "登记补交", id="supplement.go", priority=True),
    ]

    def __init__(self, ticket: str, missing: list[str]) -> None:
        super().__init__()
        self.ticket = ticket
        self.missing = missing

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog box", id="supplement-dialog"):
            yield Static("勾选本次补交的材料：", classes="hint")
            yield SelectionList[str](
                *[(name, name, True) for name in self.missing], id="supplement-brought"
            )
            yield Static("", id="error", classes="error")
            yield Static("空格 勾选/取消  Enter 登记补交  Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#supplement-dialog").border_title = f"补正材料 {self.ticket}"
        self.query_one("#supplement-brought", SelectionList).focus()

    def action_confirm(self) -> None:
        chosen = self.query_one("#supplement-brought", SelectionList).selected
        if not chosen:
            self.show_error("没有勾选补交的材料")
            return
        self.dismiss([name for name in self.missing if name in chosen])

    @on(SelectionList.SelectedChanged)
    def changed(self) -> None:
        self.clear_error()
