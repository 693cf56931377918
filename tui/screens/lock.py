"""The locked screen: hides everything; only the same staff member's password unlocks it."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from tui.screens.base import DeskScreen, plain_error


class LockScreen(DeskScreen):
    """Dismissed with False when unlocked, True when the staff member signed out."""

    CSS_PATH = "lock.tcss"
    HELP = (
        "屏幕已锁定：只有锁屏前登录的工作人员输入自己的密码才能解锁，界面上的内容不会丢失。"
        "换人办理请按 Ctrl+O 退出登录，再由下一位登录。"
    )
    BINDINGS: ClassVar = [
        Binding("ctrl+o", "sign_out", "退出登录", id="lock.sign_out"),
        Binding("escape", "nothing", show=False, id="lock.escape"),
    ]

    def compose(self) -> ComposeResult:
        desk = self.ctx.desk
        who = f"{desk.staff_name}（{desk.staff_code}）" if desk else ""
        with Vertical(id="lock", classes="box"):
            yield Static(f"已锁屏 · {who}", id="who")
            yield Input(placeholder="密码", password=True, id="password")
            yield Static("", id="error", classes="error")
            yield Static("Enter 解锁  Ctrl+O 退出登录", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#lock").border_title = "锁屏"
        self.query_one("#password", Input).focus()

    def action_nothing(self) -> None:
        """Esc never unlocks."""

    @on(Input.Submitted, "#password")
    def unlock(self, event: Input.Submitted) -> None:
        from db.accounts import confirm_password

        desk = self.ctx.desk
        password = event.value
        event.input.value = ""
        if desk is None or not password:
            self.show_error("请输入密码")
            return
        try:
            self.ctx.call(confirm_password, desk, password)
        except Exception as exc:
            # No staff code is asked here: "工号或密码不正确" would puzzle; say what it is.
            self.show_error(plain_error(exc).replace("工号或密码不正确", "密码不正确"))
            return
        try:
            self.ctx.resume()
        except Exception:
            # The session lapsed while locked (idle limit): the password was just checked,
            # so the same person gets a new session at the same counter.
            if self.call(self.ctx.sign_in, desk.staff_code, password, desk.counter_no) is None:
                return
        self.clear_error()
        self.dismiss(False)

    def action_sign_out(self) -> None:
        self.call(self.ctx.sign_out)
        self.dismiss(True)
