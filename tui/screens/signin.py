"""Sign-in: staff code, password and counter number; nothing else of the desk shows before it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, Static

from tui.screens.base import DeskScreen


class SignInScreen(DeskScreen):
    """Dismissed with the signed-in Desk."""

    CSS_PATH = "signin.tcss"
    HELP = (
        "登录：输入工号、密码和本机窗口号，按 Enter。连续输错密码，账号会暂时锁定"
        "（第3次起30秒，逐次加倍，最长15分钟）。账号由负责人在“主管 → 账号”或命令行"
        " ziyang-counter staff add 中开设。"
    )
    BINDINGS: ClassVar = [Binding("escape", "nothing", show=False, id="signin.escape")]

    def compose(self) -> ComposeResult:
        with Vertical(id="signin", classes="box"):
            yield Static("紫阳县搬迁群众社区服务窗口", id="brand")
            yield Static("", id="place")
            yield Label("工号")
            yield Input(placeholder="工作人员编号", id="code", max_length=16)
            yield Label("密码")
            yield Input(placeholder="密码", password=True, id="password")
            yield Label("窗口号")
            yield Input(placeholder="1", id="counter", max_length=2, type="integer")
            yield Static("", id="error", classes="error")
            yield Static("Enter 登录  F1 帮助", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#signin").border_title = "登录"
        self.query_one("#code", Input).focus()
        if self.ctx.database is not None:  # else the app shows it once the database is open
            self.show_place()

    def show_place(self) -> None:
        """This counter's community, and its number unless the clerk has typed one."""
        from db.setup import counter_place

        place = self.call(counter_place, self.ctx.community, self.ctx.counter_no)
        if place is not None:
            community, number, _ = place
            self.query_one("#place", Static).update(community)
            counter = self.query_one("#counter", Input)
            if not counter.value:
                counter.value = str(number)

    def action_nothing(self) -> None:
        """Esc does not leave the sign-in screen: there is nothing behind it to go back to."""

    @on(Input.Submitted, "#code")
    def code_done(self) -> None:
        self.query_one("#password", Input).focus()

    @on(Input.Submitted, "#password")
    @on(Input.Submitted, "#counter")
    def submit(self) -> None:
        code = self.query_one("#code", Input).value.strip()
        password = self.query_one("#password", Input)
        counter_raw = self.query_one("#counter", Input).value.strip()
        if not code:
            self.show_error("请输入工号")
            self.query_one("#code", Input).focus()
            return
        if not password.value:
            self.show_error("请输入密码")
            password.focus()
            return
        try:
            counter = int(counter_raw) if counter_raw else None
        except ValueError:
            counter = None
        if counter is not None and not 1 <= counter <= 99:
            self.show_error("窗口号应在1至99之间")
            self.query_one("#counter", Input).focus()
            return
        desk = self.call(self.ctx.sign_in, code, password.value, counter)
        password.value = ""  # never kept, right or wrong
        if desk is None:
            password.focus()
            return
        self.clear_error()
        self.dismiss(desk)
