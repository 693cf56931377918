"""F1: what the screen under it is for, its own keys, and every key of the app (with alt twins)."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.keys import APP_KEYS, display_key
from tui.screens.base import DeskDialog


def screen_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, description) of a screen's own bindings, twins joined: 'F9 / Alt+I'."""
    merged: dict[str, list[str]] = {}
    for binding in getattr(screen, "BINDINGS", []):
        if isinstance(binding, tuple):
            key, _action, *rest = binding
            description = rest[0] if rest else ""
        elif isinstance(binding, Binding):
            key, description = binding.key, binding.description
        else:
            continue
        if not description:
            continue
        shown = " / ".join(display_key(k.strip()) for k in key.split(","))
        merged.setdefault(description, []).append(shown)
    return [(" / ".join(keys), description) for description, keys in merged.items()]


def key_rows(rows: list[tuple[str, str]], **options: Any) -> Vertical:
    """Keys in one column, what they do in the other: a long line wraps inside its own column
    (a padded string would wrap under the keys at 80 columns)."""
    return Vertical(
        *[
            Horizontal(Static(keys, classes="keys"), Static(what, classes="what"), classes="row")
            for keys, what in rows
        ],
        classes="key-rows",
        **options,
    )


class HelpScreen(DeskDialog[None]):
    CSS_PATH = "help.tcss"
    HELP = "帮助：Esc 或 F1 关闭。"
    BINDINGS: ClassVar = [
        Binding("escape", "dismiss_none", "关闭", id="help.close"),
        Binding("f1", "dismiss_none", "关闭", show=False, id="help.close.f1", priority=True),
    ]

    def __init__(self, under: Screen[Any]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="box"):
            about = getattr(self.under, "HELP", "") or "（本屏幕没有说明）"
            yield Static(about, id="about")
            own = screen_keys(self.under)
            if own:
                yield Static("本屏幕按键", classes="heading")
                yield key_rows(own, id="screen-keys")
            yield Static("全局按键（功能键丢失时用 Alt+字母）", classes="heading")
            yield key_rows(
                [(k.shown, f"{k.label}：{k.help}") for k in APP_KEYS]
                + [("Esc", "返回 / 关闭对话框"), ("Ctrl+Q", "退出窗口桌面（先确认；锁屏时不可）")],
                id="app-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "帮助 F1"
