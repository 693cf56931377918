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
