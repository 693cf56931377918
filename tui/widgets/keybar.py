"""The desk's footer: the screen's own keys on one line, the app's F-keys on the next.

Textual's Footer puts every binding on one row; at 80 columns a screen's own keys push the
app's F6-F10 off the edge. Two rows keep both visible. Keys come from the screen's active
bindings, so a key a screen takes away disappears here too.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.screen import Screen
from textual.widgets import Static

from tui.keys import display_key


class KeyBar(Static):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: auto;
        max-height: 2;
        background: $footer-background;
        color: $footer-foreground;
        padding: 0 0;
    }
    """

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self.call_after_refresh(self.redraw)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        if self.is_attached and screen is self.screen:
            self.call_after_refresh(self.redraw)

    def redraw(self) -> None:
        if not self.is_attached or not self.is_mounted:
            return  # its screen closed before this refresh came round
        own, app = Text(), Text()
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            line = app if (binding.id or "").startswith("app.") else own
            key = binding.key_display or display_key(binding.key.split(",")[0])
            if line.plain:
                line.append(" ")
            line.append(key, style="bold reverse" if enabled else "dim")
            line.append(f" {binding.description}", style="" if enabled else "dim")
        self.update(Text("\n").join([part for part in (own, app) if part.plain]))
