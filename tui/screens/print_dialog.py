"""F7: choose which printouts of what is on screen to make (all ticked to start with)."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import SelectionList, Static

from tui.printing import PrintJob
from tui.screens.base import DeskDialog


class PrintDialog(DeskDialog[list[PrintJob] | None]):
    HELP = "打印：空格勾选或取消，Enter 打印勾选的各项（后台生成，完成后提示文件位置），Esc 取消。"
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_none", "取消", id="print.cancel"),
        Binding("enter", "print", "打印", id="print.go", priority=True),
    ]

    def __init__(self, jobs: list[PrintJob], title: str = "打印") -> None:
        super().__init__()
        self.jobs = jobs
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog box", id="print"):
            yield SelectionList[int](
                *[(job.label, index, True) for index, job in enumerate(self.jobs)], id="jobs"
            )
            yield Static("", id="error", classes="error")
            yield Static("空格 勾选  Enter 打印  Esc 取消", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#print").border_title = self.title_text
        self.query_one("#jobs", SelectionList).focus()

    def action_print(self) -> None:
        chosen = self.query_one("#jobs", SelectionList).selected
        if not chosen:
            self.show_error("没有勾选任何一项")
            return
        self.dismiss([self.jobs[i] for i in sorted(chosen)])

    @on(SelectionList.SelectionToggled)
    def toggled(self) -> None:
        self.clear_error()
