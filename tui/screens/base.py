"""What every desk screen shares: the context, errors shown in the screen, print jobs in workers.

A screen says what it is for (`HELP`), which person or ticket it shows (so the app's F3/F4/F7 act
on it) and which printouts it offers. Errors from `db/` operations (CounterError) appear in the
screen in Chinese; anything else is logged to errors.log and shown as one plain line, never a
traceback, and the form keeps what was typed.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual import work
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from forms.errors import CounterError

if TYPE_CHECKING:
    from tui.context import DeskContext
    from tui.printing import Printed, PrintJob

T = TypeVar("T")


def plain_error(exc: BaseException) -> str:
    """The Chinese line for an error: a CounterError's own words, else a logged internal one."""
    if isinstance(exc, CounterError):
        return exc.zh
    try:
        from db.connection import data_dir

        folder = data_dir()
        folder.mkdir(parents=True, exist_ok=True)
        with open(folder / "errors.log", "a", encoding="utf-8") as log:
            log.write("".join(traceback.format_exception(exc)) + "\n")
        where = f"，详情已记入 {folder / 'errors.log'}"
    except OSError:
        where = ""
    return f"程序内部错误（{type(exc).__name__}），本次操作未完成{where}"


class DeskMixin:
    """Helpers for screens and dialogs alike."""

    HELP: ClassVar[str | None] = None  # Textual's own attribute: what the screen is for

    app: Any
    query_one: Any
    notify: Any

    @property
    def ctx(self) -> DeskContext:
        return self.app.ctx  # type: ignore[no-any-return]

    def call(self, operation: Callable[..., T], /, *args: Any, **kwargs: Any) -> T | None:
        """Run a `db/` operation; on failure show why in the screen and return None."""
        try:
            return self.ctx.call(operation, *args, **kwargs)
        except Exception as exc:
            self.show_error(plain_error(exc))
            return None

    def show_error(self, text: str, where: str = "#error") -> None:
        """In the screen's error line if it has one (next to the form), else as a toast."""
        try:
            line = self.query_one(where, Static)
        except Exception:
            self.notify(text, title="未完成", severity="error", timeout=8)
            return
        line.update(text)
        line.set_class(bool(text), "shown")

    def clear_error(self, where: str = "#error") -> None:
        try:
            line = self.query_one(where, Static)
        except Exception:
            return
        line.update("")
        line.set_class(False, "shown")

    # ───────────────────────── printing ─────────────────────────
    def print_jobs(self) -> list[PrintJob]:
        """The printouts for what is on this screen (F7); none by default."""
        return []

    def print_progress(
        self, text: str, *, title: str = "打印", severity: str = "information", timeout: float = 6
    ) -> None:
        """Where a screen reports its printing: a toast, unless it shows it in the screen."""
        self.notify(text, title=title, severity=severity, timeout=timeout)

    def start_printing(self, jobs: list[PrintJob]) -> None:
        if not jobs:
            return
        self.print_progress("正在生成：" + "、".join(j.label for j in jobs), timeout=3)
        self._print_in_background(jobs)

    @work(thread=True, exclusive=False, group="print")
    def _print_in_background(self, jobs: list[PrintJob]) -> list[Printed]:
        from tui.printing import make

        done: list[Printed] = []
        for job in jobs:
            try:
                printed = make(self.ctx, job)
            except Exception as exc:
                self.app.call_from_thread(
                    self.print_progress,
                    f"{job.label}未生成：{plain_error(exc)}",
                    title="打印失败",
                    severity="error",
                    timeout=10,
                )
                continue
            done.append(printed)
            self.app.call_from_thread(
                self.print_progress,
                printed.summary(),
                title="打印",
                severity="warning" if printed.missing_glyphs else "information",
                timeout=6,
            )
        self.app.call_from_thread(self.app.printed, done)
        return done


class DeskScreen(DeskMixin, Screen[Any]):
    """A full screen of the desk."""

    def person_on_screen(self) -> str | None:
        """The full citizen ID of the person this screen is about, if any (F3, F4)."""
        return None

    def ticket_on_screen(self) -> str | None:
        return None


class DeskDialog(DeskMixin, ModalScreen[T]):
    """A dialog over a screen; Esc closes it with None."""

    BINDINGS: ClassVar = [("escape", "dismiss_none", "返回")]

    def action_dismiss_none(self) -> None:
        self.dismiss(None)

    def person_on_screen(self) -> str | None:
        return None

    def ticket_on_screen(self) -> str | None:
        return None
