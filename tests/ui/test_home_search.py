"""The home screen's search box on db.search: ID tail and pinyin initials, typed as a clerk does."""

from __future__ import annotations

from typing import Any

from db.models import Person
from forms.citizen_id import mask_id
from forms.pinyin import name_keys
from tests.ui.conftest import drive, settle, type_text


def _hit_lines(app: Any) -> list[str]:
    from textual.widgets import OptionList

    options = app.screen.query_one("#hits", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def test_the_search_box_finds_by_id_tail_and_by_initials(make_app: Any) -> None:
    app = make_app()
    person = Person.select().order_by(Person.id).first()
    tail = person.id_number[-4:]
    initials = name_keys(person.name).initials

    async def steps(pilot: Any) -> None:
        await type_text(pilot, tail)
        await pilot.pause(0.4)  # past the debounce
        await settle(pilot)
        lines = _hit_lines(app)
        assert any(person.name in line and mask_id(person.id_number) in line for line in lines)
        assert all(person.id_number not in line for line in lines)  # masked, always
        await pilot.press("escape")
        await type_text(pilot, initials)
        await pilot.pause(0.4)
        await settle(pilot)
        lines = _hit_lines(app)
        assert any(person.name in line for line in lines), lines
        await pilot.press("escape")
        await type_text(pilot, "qqqqq")
        await pilot.pause(0.4)
        await settle(pilot)
        assert any("没有找到" in line for line in _hit_lines(app))

    drive(app, steps)
