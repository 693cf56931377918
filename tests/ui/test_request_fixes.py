"""Defects found in a clerk's trial of the new-request and request screens, each pinned by the
key presses that showed it."""

from __future__ import annotations

from typing import Any

from db.models import Request
from tests.ui.conftest import drive, settle, type_text
from tests.ui.test_request_flow import (
    F01_DOCUMENTS,
    adult_with_valid_permit,
    flat,
    open_new_request,
    screen_text,
)


async def terminal_key(pilot: Any, key: str, character: str | None) -> None:
    """A key as a real terminal delivers it: alt+a comes as ESC a, a Key("alt+a", "a") whose
    character an Input would type (Pilot's press("alt+a") carries no character)."""
    from textual import events

    event = events.Key(key, character)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)
    await settle(pilot)


def test_a_filter_that_matches_nothing_shows_no_service_and_enter_writes_nothing(
    make_app: Any,
) -> None:
    person = adult_with_valid_permit("F01")
    app = make_app()
    before = Request.select().count()

    async def steps(pilot: Any) -> None:
        from textual.widgets import Input, SelectionList

        screen = await open_new_request(pilot, person.id_number)
        box = screen.query_one("#nr-filter", Input)
        # Typed fast: "zz" matches a service, "zzzz" nothing, before the list's own
        # highlight message for "zz" is handled.
        box.value = "zz"
        box.value = "zzzz"
        await settle(pilot)
        assert screen.service is None and screen.decision is None
        assert "没有匹配的事项" in screen_text(app)
        assert screen.query_one("#nr-docs", SelectionList).option_count == 0
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is screen
        assert screen.ticket is None
        # And typed key by key, letting the screen settle in between.
        box.value = ""
        await type_text(pilot, "zz")
        await settle(pilot)
        assert screen.service is not None
        await type_text(pilot, "zz")
        await settle(pilot)
        assert screen.service is None
        assert "没有匹配的事项" in screen_text(app)

    drive(app, steps)
    assert Request.select().count() == before


def test_alt_a_ticks_everything_with_the_filter_focused(make_app: Any) -> None:
    person = adult_with_valid_permit("F01")
    app = make_app()

    async def steps(pilot: Any) -> None:
        from textual.widgets import Input, SelectionList

        screen = await open_new_request(pilot, person.id_number)
        await type_text(pilot, "dib")
        await settle(pilot)
        box = screen.query_one("#nr-filter", Input)
        assert box.has_focus
        await terminal_key(pilot, "alt+a", "a")
        assert box.value == "dib"
        assert screen.service.code == "F01"
        docs = screen.query_one("#nr-docs", SelectionList)
        assert sorted(docs.selected) == sorted(F01_DOCUMENTS)
        assert "缺少材料（一次性告知）：无" in flat(screen_text(app))

    drive(app, steps)


def open_request_of_this_counter() -> Request:
    """An open request waiting for documents, at this counter's community."""
    from tests.ui.test_request_flow import HOME

    return next(
        r
        for r in Request.select()
        .where((Request.status == "pending_materials") & (Request.community == HOME))
        .order_by(Request.id)
        if r.documents_missing
    )


def test_an_over_long_reason_stays_in_the_dialog_and_a_failed_step_asks_again(
    make_app: Any,
) -> None:
    from forms.text import FIELDS

    limit = FIELDS["reason"].limit
    ticket = open_request_of_this_counter().ticket
    app = make_app()

    async def steps(pilot: Any) -> None:
        from textual.widgets import Input

        from tui.screens.dialogs import ConfirmDialog, ReasonDialog
        from tui.screens.request_detail import RequestScreen

        app.push_screen(RequestScreen(ticket))
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("y")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ReasonDialog) and dialog.max_chars == limit
        box = dialog.query_one("#reason", Input)
        box.value = "不符合条件" * 101  # 505 characters
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen is dialog  # refused in the dialog, the text kept
        assert box.value == "不符合条件" * 101
        assert f"最多{limit}字" in str(dialog.query_one("#error").render())
        assert Request.get(Request.ticket == ticket).status == "pending_materials"

        # Text the dialog lets through but the operation refuses: asked again, text kept.
        box.value = "理由\x1b[2J"
        await pilot.press("enter")
        await settle(pilot)
        again = app.screen
        assert isinstance(again, ReasonDialog) and again is not dialog
        assert again.query_one("#reason", Input).value == "理由\x1b[2J"
        assert "控制字符" in str(again.query_one("#error").render())
        assert Request.get(Request.ticket == ticket).status == "pending_materials"

    drive(app, steps)


def test_refusing_on_the_request_screen_offers_the_refusal_notice(make_app: Any) -> None:
    ticket = open_request_of_this_counter().ticket
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.screens.print_dialog import PrintDialog
        from tui.screens.request_detail import RequestScreen

        app.push_screen(RequestScreen(ticket))
        await settle(pilot)
        detail = app.screen
        await pilot.press("5")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        await type_text(pilot, "不属于本社区服务范围")
        await pilot.press("enter")
        await settle(pilot)
        assert Request.get(Request.ticket == ticket).status == "refused"
        assert isinstance(app.screen, PrintDialog)
        assert [(j.kind, j.label) for j in app.screen.jobs] == [
            ("receipt", "受理回执"),
            ("refusal", "不予办理告知书"),
        ]
        await pilot.press("escape")
        await settle(pilot)
        shown = flat(screen_text(app))
        assert "状态不予办理" in shown
        assert "承诺办结" not in shown  # a refusal promises no date
        assert "缺少材料（一次性告知）" not in shown
        await pilot.press("f7")  # F7 on the refused request: the same two
        await settle(pilot)
        assert [j.kind for j in app.screen.jobs] == ["receipt", "refusal"]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is detail

    drive(app, steps)


def test_a_refusal_at_intake_lists_no_missing_documents_and_promises_no_date(
    make_app: Any,
) -> None:
    person = adult_with_valid_permit("H06", max_age=55)  # pension benefits: 60 and over
    app = make_app()

    async def steps(pilot: Any) -> None:
        screen = await open_new_request(pilot, person.id_number)
        await type_text(pilot, "h06")
        await settle(pilot)
        shown = flat(screen_text(app))
        assert "结论：不予办理" in shown
        assert "缺少材料（一次性告知）" not in shown
        await pilot.press("enter", "y")
        await settle(pilot)
        await pilot.press("escape")  # the print dialog
        await settle(pilot)
        assert app.screen is screen and screen.ticket is not None
        shown = flat(screen_text(app))
        assert "不予办理，已登记在案" in shown
        assert "承诺办结" not in shown
        assert "缺少材料（一次性告知）" not in shown

    drive(app, steps)


def test_after_accepting_the_ticket_stays_clear_of_toasts(make_app: Any) -> None:
    person = adult_with_valid_permit("F01")
    app = make_app()

    async def steps(pilot: Any) -> None:
        screen = await open_new_request(pilot, person.id_number)
        await type_text(pilot, "dib")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("enter")  # print what is offered
        await settle(pilot)
        await settle(pilot)
        assert app.screen is screen
        assert len(app.printed_files) == 2
        assert "已受理，受理编号" in flat(screen_text(app))
        assert "已生成" in str(screen.query_one("#nr-printing").render())
        assert [n for n in app._notifications if n.title == "打印"] == []

    drive(app, steps)


def test_esc_asks_before_dropping_what_was_ticked_or_typed(make_app: Any) -> None:
    person = adult_with_valid_permit("F01")
    app = make_app()

    async def steps(pilot: Any) -> None:
        from textual.widgets import Input

        from tui.screens.dialogs import ConfirmDialog

        screen = await open_new_request(pilot, person.id_number)
        await type_text(pilot, "dib")
        await pilot.press("tab", "space")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is screen and screen.ticked["F01"] == {"居民身份证"}  # type: ignore[attr-defined]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is not screen and not isinstance(app.screen, ConfirmDialog)
        # Nothing typed or ticked: Esc leaves at once.
        screen = await open_new_request(pilot, person.id_number)
        assert screen.query_one("#nr-filter", Input).value == ""
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not screen and not isinstance(app.screen, ConfirmDialog)

    drive(app, steps)
