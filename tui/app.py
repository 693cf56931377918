"""The counter desk: a keyboard-first Textual app over the same `db/` operations as the CLI.

`build_app` takes an open database (tests pass a temporary one) and returns the App; nothing is
opened at import time. Screens live one per file under tui/screens/, widgets under tui/widgets/.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding
from textual.theme import Theme

from tui.context import DeskContext
from tui.keys import app_bindings

if TYPE_CHECKING:
    import peewee

    from db.setup import Desk
    from tui.printing import Printed

HIGH_CONTRAST = Theme(
    name="ziyang-high-contrast",
    primary="#ffff00",
    secondary="#00ffff",
    accent="#ffffff",
    foreground="#ffffff",
    background="#000000",
    surface="#000000",
    panel="#000000",
    success="#00ff00",
    warning="#ffff00",
    error="#ff5555",
    dark=True,
)


SESSION_CHECK_SECONDS = 60  # how often a desk in use renews (and re-checks) its session


class CounterApp(App[None]):
    """One counter. `ctx` carries the database, who is signed in and the clock."""

    TITLE = "紫阳县搬迁群众社区服务窗口"
    CSS_PATH: ClassVar = [Path(__file__).parent / "app.tcss"]
    BINDINGS: ClassVar = [
        *app_bindings(),
        # Textual's own quit key, made safe: never from a locked screen, asked first elsewhere.
        Binding("ctrl+q", "quit_desk", "退出", show=False, id="app.quit", priority=True),
    ]
    ENABLE_COMMAND_PALETTE = False

    def __init__(
        self,
        ctx: DeskContext,
        *,
        high_contrast: bool = False,
        ascii_borders: bool = False,
        lock_minutes: float | None = None,
    ) -> None:
        # On Windows, Textual's driver with the console input fix (tui/win32_input.py, which
        # builds its ctypes structures at import: loaded only there).
        driver = None
        if sys.platform == "win32":
            from tui.win32_input import desk_driver_class

            driver = desk_driver_class()
        super().__init__(driver_class=driver)
        self.ctx = ctx
        self.ascii_borders = ascii_borders
        self.lock_minutes = lock_minutes  # None = the database's desk_lock_minutes
        self.last_input = time.monotonic()
        self.last_session_check = time.monotonic()
        self.printed_files: list[Printed] = []
        self.startup_error: Exception | None = None
        self.register_theme(HIGH_CONTRAST)
        if high_contrast:
            self.theme = HIGH_CONTRAST.name

    # ───────────────────────── start ─────────────────────────
    def on_mount(self) -> None:
        """Home when signed in (the demo); else the sign-in screen alone, and home is built
        behind it at the first sign-in: a clerk's first screen draws without home's tables."""
        if self.ascii_borders:
            self.add_class("-ascii")
        if self.ctx.signed_in:
            self.push_home()
        else:
            self.ask_sign_in()
        if self.ctx.database is None:
            self.call_after_refresh(self.open_database)
        self.set_interval(10, self.check_idle_lock)

    def open_database(self) -> None:
        """Open the database once the first screen is drawn (a clerk sees the sign-in form
        at once and types while it opens). A database that cannot be used ends the desk; the
        command line then prints why (`startup_error`)."""
        try:
            self.ctx.connected()
        except Exception as exc:
            self.startup_error = exc
            self.exit(return_code=1)
            return
        from tui.screens.signin import SignInScreen

        if isinstance(self.screen, SignInScreen):
            self.screen.show_place()

    def push_home(self) -> None:
        from tui.screens.home import HomeScreen

        self.push_screen(HomeScreen())

    def ask_sign_in(self) -> None:
        from tui.screens.signin import SignInScreen

        self.push_screen(SignInScreen(), callback=self.after_sign_in)

    def after_sign_in(self, desk: Desk | None) -> None:
        from tui.screens.home import HomeScreen

        self.last_input = time.monotonic()
        if not any(isinstance(screen, HomeScreen) for screen in self.screen_stack):
            self.push_home()  # the first sign-in of this desk
            return
        self.go_home()

    # ───────────────────────── idle lock ─────────────────────────
    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseDown, events.Paste)):
            self.last_input = time.monotonic()
        await super().on_event(event)

    def idle_limit_seconds(self) -> float:
        if self.lock_minutes is not None:
            return self.lock_minutes * 60
        from db.accounts import desk_lock_minutes

        try:
            return float(self.ctx.call(desk_lock_minutes)) * 60
        except Exception:
            return 5 * 60.0

    def check_idle_lock(self) -> None:
        from tui.screens.lock import LockScreen
        from tui.screens.signin import SignInScreen

        if not self.ctx.signed_in or isinstance(self.screen, (LockScreen, SignInScreen)):
            return
        if time.monotonic() - self.last_input >= self.idle_limit_seconds():
            self.action_lock()
            return
        if time.monotonic() - self.last_session_check >= SESSION_CHECK_SECONDS:
            self.check_session()

    def check_session(self) -> bool:
        """Keep the desk's session alive while it is used, and notice one that ended behind
        its back (the account disabled, the session ended by a supervisor, the 12-hour limit):
        then the desk returns to the sign-in screen. False when it ended."""
        from forms.errors import CounterError

        self.last_session_check = time.monotonic()
        if not self.ctx.signed_in:
            return False
        try:
            self.ctx.resume()
        except CounterError:
            self.ctx.desk, self.ctx.token = None, None
            self.go_home()
            self.notify(
                "登录已失效（账号停用、在别处结束或超过12小时），请重新登录",
                title="请重新登录",
                severity="warning",
                timeout=15,
            )
            self.ask_sign_in()
            return False
        return True

    # ───────────────────────── navigation ─────────────────────────
    def go_home(self) -> Any:
        """Back to the home screen (closing whatever is above it) and refresh it."""
        from tui.screens.home import HomeScreen

        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            self.pop_screen()
        if isinstance(self.screen, HomeScreen):
            self.screen.refresh_day()
        return self.screen

    def _on_screen(self, what: str) -> str | None:
        getter = getattr(self.screen, what, None)
        return getter() if callable(getter) else None

    def _need_person(self) -> str | None:
        person = self._on_screen("person_on_screen")
        if person is None:
            self.notify("请先查找并打开一个人（F2 查找）", title="没有选中的人", severity="warning")
        return person

    def _busy(self) -> bool:
        """True (and nothing happens) while locked, signed out, or a dialog is open: an F-key
        pressed in a dialog must not open a screen behind it."""
        from textual.screen import ModalScreen

        from tui.screens.lock import LockScreen
        from tui.screens.signin import SignInScreen

        return not self.ctx.signed_in or isinstance(
            self.screen, (LockScreen, SignInScreen, ModalScreen)
        )

    def _catalogue_ready(self) -> bool:
        """The service catalogue loads (a file with errors is said, never a crash)."""
        from forms.errors import CounterError

        try:
            self.ctx.catalogue()
        except CounterError as exc:
            self.notify(exc.zh, title="服务事项目录有错误", severity="error", timeout=15)
            return False
        return True

    # ───────────────────────── the app's keys (tui/keys.py) ─────────────────────────
    def action_help(self) -> None:
        from tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_find(self) -> None:
        if self._busy():
            return
        home = self.go_home()
        clear = getattr(home, "action_clear", None)
        if callable(clear):
            clear()  # a fresh box: what is typed (or scanned) next is a new search

    def action_new_request(self) -> None:
        if self._busy():
            return
        person = self._need_person()
        if person is not None and self._catalogue_ready():
            from tui.screens.new_request import NewRequestScreen

            if not isinstance(self.screen, NewRequestScreen):
                self.push_screen(NewRequestScreen(person))

    def action_permit(self) -> None:
        if self._busy():
            return
        person = self._need_person()
        if person is not None and self._catalogue_ready():
            from tui.screens.permit import PermitScreen

            if not isinstance(self.screen, PermitScreen):
                self.push_screen(PermitScreen(person))

    def action_register(self) -> None:
        if self._busy():
            return
        from tui.screens.register import RegisterScreen

        if not isinstance(self.screen, RegisterScreen):
            self.push_screen(RegisterScreen())

    def action_lists(self) -> None:
        if self._busy():
            return
        from tui.screens.lists import ListsScreen

        if not isinstance(self.screen, ListsScreen):
            # From home, the list its table shows in full (全部待办); else the first list.
            self.push_screen(ListsScreen(getattr(self.screen, "LIST_KIND", None)))

    def action_print(self) -> None:
        if self._busy():
            return
        jobs_of = getattr(self.screen, "print_jobs", None)
        jobs = jobs_of() if callable(jobs_of) else []
        if not jobs:
            self.notify("本屏幕没有可打印的内容", title="打印", severity="warning")
            return
        from tui.screens.print_dialog import PrintDialog

        screen = self.screen

        def chosen(picked: list[Any] | None) -> None:
            if picked:
                screen.start_printing(picked)  # type: ignore[attr-defined]

        self.push_screen(PrintDialog(jobs), callback=chosen)

    def action_supervisor(self) -> None:
        if self._busy():
            return
        if not self.ctx.is_supervisor():
            self.notify("只有负责人（主管）可以进入主管页面", title="无权限", severity="error")
            return
        from tui.screens.supervisor import SupervisorScreen

        if not isinstance(self.screen, SupervisorScreen):
            self.push_screen(SupervisorScreen())

    def action_lock(self) -> None:
        """Lock over whatever is open, dialogs included: a clerk may walk away mid-question."""
        from tui.screens.lock import LockScreen
        from tui.screens.signin import SignInScreen

        if not self.ctx.signed_in or isinstance(self.screen, (LockScreen, SignInScreen)):
            return
        self.push_screen(LockScreen(), callback=self.after_unlock)

    def after_unlock(self, signed_out: bool | None) -> None:
        self.last_input = time.monotonic()
        if signed_out:
            self.go_home()
            self.ask_sign_in()

    # ───────────────────────── leaving ─────────────────────────
    def action_quit_desk(self) -> None:
        from textual.screen import ModalScreen

        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.lock import LockScreen
        from tui.screens.signin import SignInScreen

        if isinstance(self.screen, LockScreen):
            self.notify("锁屏时不能退出：请先解锁，或按 Ctrl+O 退出登录", severity="warning")
            return
        if isinstance(self.screen, ModalScreen):
            return  # a dialog is open (this question, perhaps): answer it first
        if isinstance(self.screen, SignInScreen):
            self.exit()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.exit()

        self.push_screen(
            ConfirmDialog("退出窗口桌面？屏幕上未保存的输入将丢失。", "退出"), callback=answered
        )

    def on_unmount(self) -> None:
        """Leaving the desk ends its session: the next person signs in anew."""
        # The database may be gone (a test tearing down): then there is nothing to end.
        with contextlib.suppress(Exception):
            self.ctx.sign_out()

    # ───────────────────────── printing ─────────────────────────
    def printed(self, done: list[Printed]) -> None:
        """Called (on the app's thread) when a print worker finishes."""
        self.printed_files.extend(done)


def build_app(
    database: peewee.Database | None,
    *,
    opener: Callable[[], peewee.Database] | None = None,
    catalogue_path: str | None = None,
    community: str | None = None,
    counter_no: int | None = None,
    clock: Callable[[], dt.datetime] | None = None,
    session: tuple[Desk, str] | None = None,
    high_contrast: bool = False,
    ascii_borders: bool = False,
    lock_minutes: float | None = None,
) -> CounterApp:
    """The desk on an open database, or on one `opener` opens once the sign-in screen is
    drawn; signed in already when given a session (the demo's)."""
    ctx = DeskContext(
        database=database,
        opener=opener,
        catalogue_path=catalogue_path,
        community=community,
        counter_no=counter_no,
        clock=clock,
    )
    if session is not None:
        ctx.desk, ctx.token = session
    return CounterApp(
        ctx, high_contrast=high_contrast, ascii_borders=ascii_borders, lock_minutes=lock_minutes
    )
