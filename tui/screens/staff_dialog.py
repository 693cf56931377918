"""A supervisor adds a staff account (code, name, role, first password typed twice), or sets a
new password for one. The database decides everything (code format, name, password rules, the
role check); the dialog only makes sure the password was typed the same way twice."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from tui.screens.base import DeskDialog


class StaffDialog(DeskDialog[str | None]):
    """Returns the staff code added (or whose password was set), or None when cancelled."""

    CSS_PATH = "staff_dialog.tcss"
    HELP = (
        "添加账号：工号、姓名、角色（↑↓ 选择，Tab 下一项）、初始密码输入两次；重设密码只填两次新密码。"
        "Enter 进入下一项，在最后一项按 Enter 保存；出错时写明原因，已填内容保留。Esc 取消。"
    )
    BINDINGS: ClassVar = [Binding("escape", "dismiss_none", "取消", id="staff.cancel")]

    def __init__(self, *, reset_code: str | None = None, reset_name: str = "") -> None:
        super().__init__()
        self.reset_code = reset_code  # None: add a new account
        self.reset_name = reset_name

    def compose(self) -> ComposeResult:
        from db.accounts import ROLES

        with Vertical(classes="dialog box", id="staff-form"):
            if self.reset_code is None:
                yield Label("工号")
                yield Input(id="code", max_length=16, placeholder="如 103")
                yield Label("姓名")
                yield Input(id="name", max_length=30)
                yield Label("角色")
                with RadioSet(id="role"):
                    for index, (role, label) in enumerate(ROLES.items()):
                        yield RadioButton(f"{label}（{role}）", value=index == 0, name=role)
            else:
                yield Label(f"为 {self.reset_name}（{self.reset_code}）设置新密码")
            yield Label("密码" if self.reset_code is None else "新密码")
            yield Input(id="password", password=True, max_length=128)
            yield Label("再输入一次")
            yield Input(id="again", password=True, max_length=128)
            yield Static("", id="error", classes="error")
            yield Static("Enter 下一项/保存  Tab 切换  Esc 取消", classes="hint")

    def on_mount(self) -> None:
        form = self.query_one("#staff-form")
        form.border_title = "添加工作人员账号" if self.reset_code is None else "重设密码"
        first = "#code" if self.reset_code is None else "#password"
        self.query_one(first, Input).focus()

    @on(Input.Submitted)
    def next_or_save(self, event: Input.Submitted) -> None:
        if event.input.id == "again":
            self.save()
        else:
            self.focus_next()

    def role(self) -> str:
        pressed = self.query_one("#role", RadioSet).pressed_button
        return pressed.name if pressed is not None and pressed.name else "officer"

    def save(self) -> None:
        from db.accounts import add_staff, change_password

        password = self.query_one("#password", Input).value
        if password != self.query_one("#again", Input).value:
            self.show_error("两次输入的密码不一致，请重新输入")
            self.query_one("#again", Input).value = ""
            self.query_one("#again", Input).focus()
            return
        desk = self.ctx.require_desk()
        if self.reset_code is None:
            code = self.query_one("#code", Input).value.strip()
            name = self.query_one("#name", Input).value.strip()
            staff = self.call(add_staff, desk, code, name, self.role(), password=password)
        else:
            staff = self.call(change_password, desk, self.reset_code, password)
        if staff is not None:
            self.dismiss(staff.code)
