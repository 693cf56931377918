"""The desk's shell: it starts, signs in, locks and unlocks, and F1 answers on every screen."""

from __future__ import annotations

from typing import Any

from db.demo import DEMO_PASSWORDS
from db.models import StaffEvent, StaffSession
from tests.ui.conftest import drive, settle, text_of, type_text


def test_sign_in_through_the_screen(make_app: Any) -> None:
    app = make_app(code=None)

    async def steps(pilot: Any) -> None:
        from tui.screens.signin import SignInScreen

        assert isinstance(app.screen, SignInScreen)
        # The first screen is built alone: home (its tables) only once someone signs in.
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["SignInScreen"]
        await type_text(pilot, "101")
        await pilot.press("enter")
        await type_text(pilot, "wrong-password")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        assert "工号或密码不正确" in str(app.screen.query_one("#error").render())
        await type_text(pilot, DEMO_PASSWORDS["101"])
        await pilot.press("enter")
        await settle(pilot)
        assert app.ctx.desk is not None and app.ctx.desk.staff_code == "101"
        assert [type(s).__name__ for s in app.screen_stack[1:]] == ["HomeScreen"]
        # Signing out and in again comes back to the same home, not a second one.
        home = app.screen
        app.ctx.sign_out()
        app.ask_sign_in()
        await settle(pilot)
        await type_text(pilot, "101")
        await pilot.press("enter")
        await type_text(pilot, DEMO_PASSWORDS["101"])
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is home and len(app.screen_stack) == 2

    drive(app, steps)
    session = StaffSession.select().order_by(StaffSession.id.desc()).first()
    assert session.client == "desk" and session.staff.code == "101"
    kinds = [e.kind for e in StaffEvent.select().where(StaffEvent.staff == session.staff)]
    assert "sign_in_failed" in kinds or any("fail" in k for k in kinds)


def test_lock_needs_the_same_password(make_app: Any) -> None:
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.screens.lock import LockScreen

        await pilot.press("f10")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        await pilot.press("escape")  # Esc never unlocks
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, DEMO_PASSWORDS["102"])  # someone else's password
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        await type_text(pilot, DEMO_PASSWORDS["101"])
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, LockScreen)

    drive(app, steps)


def test_idle_lock(make_app: Any) -> None:
    app = make_app(lock_minutes=0.001)

    async def steps(pilot: Any) -> None:
        from tui.screens.lock import LockScreen

        await pilot.pause(0.2)
        app.check_idle_lock()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)

    drive(app, steps)


def test_f1_and_alt_h_show_help(make_app: Any) -> None:
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.screens.help import HelpScreen

        for key in ("f1", "alt+h"):
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, HelpScreen)
            text = text_of(app.screen.query_one("#app-keys"))
            assert "F3 / Alt+N" in text and "新办件" in text
            assert "首页" in str(app.screen.query_one("#about").render())
            await pilot.press("escape")
            await settle(pilot)
            assert not isinstance(app.screen, HelpScreen)

    drive(app, steps)


def test_a_disabled_account_is_sent_back_to_sign_in(make_app: Any) -> None:
    """A supervisor disables the officer's account while the desk is open: at its next session
    check the desk drops to the sign-in screen and writes nothing more as that officer."""
    from db.accounts import disable_staff
    from db.clock import clock
    from db.setup import load_desk
    from tests.ui.conftest import NOW

    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.screens.signin import SignInScreen

        assert app.check_session() is True  # alive, and renewed
        with clock(NOW):
            disable_staff(load_desk("201"), "101", "调岗")
        assert app.check_session() is False
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen) and app.ctx.desk is None

    drive(app, steps)


def test_f_keys_do_nothing_behind_a_dialog_and_f2_starts_a_new_search(make_app: Any) -> None:
    app = make_app()

    async def steps(pilot: Any) -> None:
        from textual.widgets import Input

        from tui.screens.dialogs import ConfirmDialog

        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        for key in ("f5", "f6", "ctrl+q"):  # nothing opens behind (or on top of) the question
            await pilot.press(key)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmDialog) and len(app.screen_stack) == 3
        await pilot.press("n")
        await settle(pilot)
        search = app.screen.query_one("#search", Input)
        await type_text(pilot, "6296")
        await pilot.press("f2")
        await settle(pilot)
        assert search.value == "" and search.has_focus

    drive(app, steps)


def test_a_broken_catalogue_is_said_not_crashed(make_app: Any, tmp_path: Any) -> None:
    """A supervisor saved a catalogue with an error; a desk that starts afterwards says so at
    F3 and stays up."""
    from forms.catalogue import DEFAULT_PATH

    broken = tmp_path / "catalogue.toml"
    text = DEFAULT_PATH.read_text(encoding="utf-8")
    broken.write_text(text.replace("time_limit = ", "time_limit = -", 1), encoding="utf-8")
    app = make_app(catalogue_path=str(broken))

    async def steps(pilot: Any) -> None:
        from tui.screens.home import HomeScreen

        await type_text(pilot, "王")
        hits = app.screen.query_one("#hits")
        for _ in range(100):
            await pilot.pause(0.05)
            if hits.option_count:
                break
        await pilot.press("f3")  # the highlighted hit is the person F3 acts on
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen) and app.is_running
        assert any("服务事项目录" in n.message for n in app._notifications)

    drive(app, steps)


def test_the_idle_lock_covers_an_open_dialog(make_app: Any) -> None:
    app = make_app(lock_minutes=0.001)

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.lock import LockScreen

        await pilot.press("ctrl+q")  # a question left open on screen
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.pause(0.2)
        app.check_idle_lock()
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)

    drive(app, steps)


def test_the_database_opens_after_the_sign_in_form_is_drawn(demo_db: Any) -> None:
    """Started from the command line, the desk draws its sign-in form first and opens the
    database just after: the counter's community then appears in the form."""
    from tests.ui.conftest import fixed_clock
    from tui.app import build_app

    opened: list[bool] = []

    def opener() -> Any:
        opened.append(True)
        return demo_db

    app = build_app(None, opener=opener, clock=fixed_clock)
    drawn_before_open: list[str] = []

    async def steps(pilot: Any) -> None:
        from tui.screens.signin import SignInScreen

        await settle(pilot)
        assert opened == [True] and app.ctx.database is demo_db
        assert isinstance(app.screen, SignInScreen)
        assert "蒿坪镇双星社区" in text_of(app.screen.query_one("#place"))
        assert app.screen.query_one("#counter").value == "1"

    original = app.open_database

    def watched() -> None:  # what the form showed at the moment the database was opened
        drawn_before_open.append(text_of(app.screen.query_one("#place")))
        original()

    app.open_database = watched  # type: ignore[method-assign]
    drive(app, steps)
    assert drawn_before_open == [""]  # the form was up, not yet showing the community
    assert app.startup_error is None


def test_a_database_that_cannot_open_ends_the_desk_with_its_reason() -> None:
    from forms.errors import CounterError
    from tests.ui.conftest import fixed_clock
    from tui.app import build_app

    def opener() -> Any:
        raise CounterError("数据库尚未初始化（测试）", "not initialised (test)")

    app = build_app(None, opener=opener, clock=fixed_clock)

    async def steps(pilot: Any) -> None:
        await settle(pilot)

    drive(app, steps)
    assert isinstance(app.startup_error, CounterError)
    assert app.startup_error.zh == "数据库尚未初始化（测试）"
    assert app.return_code == 1
