"""New request and request detail, driven by key presses on the demo database: from the service
picked by its pinyin to the rows, events and PDFs the counter keeps."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from db.models import Permit, Request, RequestEvent
from db.views import current_permit
from forms.citizen_id import age_on
from forms.status import OPEN_STATUSES
from tests.conftest import TODAY
from tests.ui.conftest import drive, pdf_text, settle, type_text

HOME = "蒿坪镇双星社区"
F01_DOCUMENTS = [
    "居民身份证",
    "居住证",
    "户口簿",
    "家庭收入及财产状况申报表",
    "家庭经济状况核对授权书",
]


def adult_with_valid_permit(free_of: str, *, max_age: int = 59) -> Any:
    """A person of this community with a valid permit of it, aged 18..max_age, with no open
    request of the service `free_of`."""
    for permit in (
        Permit.select()
        .where(
            (Permit.status == "valid")
            & (Permit.community == HOME)
            & (Permit.valid_until >= TODAY + dt.timedelta(days=40))
        )
        .order_by(Permit.id)
    ):
        person = permit.person
        current = current_permit(person)
        if current is None or current.id != permit.id or person.household.community != HOME:
            continue
        if not 18 <= age_on(person.birth_date, TODAY) <= max_age:
            continue
        if person.requests.where(
            (Request.service_code == free_of) & Request.status.in_(OPEN_STATUSES)
        ).exists():
            continue
        return person
    raise AssertionError("the demo has no such person")


def screen_text(app: Any) -> str:
    """What the terminal shows now, as text, one line per row (the top screen only)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def flat(text: str) -> str:
    """Screen text without borders, spaces and line ends, so a wrapped sentence reads whole."""
    return "".join(ch for ch in text if ch not in " \n│╭╮╰╯─▊▎▔▁▐▌▆▅▄▃▂█")


def events_of(ticket: str) -> list[tuple[str, str]]:
    request = Request.get(Request.ticket == ticket)
    return [
        (e.kind, e.status_after) for e in request.events.order_by(RequestEvent.at, RequestEvent.id)
    ]


async def open_new_request(pilot: Any, id_number: str) -> Any:
    from tui.screens.new_request import NewRequestScreen

    pilot.app.push_screen(NewRequestScreen(id_number))
    await settle(pilot)
    assert isinstance(pilot.app.screen, NewRequestScreen)
    return pilot.app.screen


def test_a_forwarded_request_from_pinyin_to_completion(make_app: Any) -> None:
    person = adult_with_valid_permit("F01")
    app = make_app()
    before = Request.select().count()
    seen: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        from textual.widgets import SelectionList

        from tui.screens.dialogs import ReasonDialog
        from tui.screens.print_dialog import PrintDialog
        from tui.screens.request_detail import RequestScreen
        from tui.screens.supplement_dialog import SupplementDialog

        screen = await open_new_request(pilot, person.id_number)
        assert person.name in screen_text(app).splitlines()[0]
        assert person.id_number not in screen_text(app)  # masked in the header
        await type_text(pilot, "dib")
        await settle(pilot)
        assert screen.service.code == "F01"
        shown = flat(screen_text(app))
        assert "结论：代收转办（紫阳县民政局）" in shown
        assert "SIDE-FORWARD" in shown  # each reason with its rule and basis
        # Nothing is ticked at first: everything is missing, as with the CLI's empty --provided.
        assert "缺少材料（一次性告知）：" + "、".join(F01_DOCUMENTS) in shown
        await pilot.press("tab")
        assert isinstance(app.focused, SelectionList)
        await pilot.press("space", "down", "space")  # 居民身份证, 居住证
        await settle(pilot)
        assert sorted(app.focused.selected) == ["居住证", "居民身份证"]
        assert "缺少材料（一次性告知）：" + "、".join(F01_DOCUMENTS[2:]) in flat(screen_text(app))

        await pilot.press("enter")
        await settle(pilot)
        request = Request.select().order_by(Request.id.desc()).first()
        assert Request.select().count() == before + 1
        assert request.person.id == person.id and request.service_code == "F01"
        assert request.status == "pending_materials"
        assert request.documents_received == F01_DOCUMENTS[:2]
        assert request.documents_missing == F01_DOCUMENTS[2:]
        ticket = request.ticket
        seen["ticket"] = ticket
        assert isinstance(app.screen, PrintDialog)
        assert [(j.kind, j.key) for j in app.screen.jobs] == [
            ("receipt", ticket),
            ("notice", ticket),
        ]  # no transfer slip yet: it waits for the documents, and has no deadline to print
        await pilot.press("enter")  # print both
        await settle(pilot)
        await settle(pilot)
        assert app.screen is screen
        printed = {p.job.kind: p.path for p in app.printed_files}
        assert set(printed) == {"receipt", "notice"}
        assert all(Path(path).stat().st_size > 1000 for path in printed.values())
        assert ticket in pdf_text(printed["receipt"])
        assert ticket in flat(screen_text(app))  # the ticket stays on screen, big

        await pilot.press("enter")  # to the request's own screen
        await settle(pilot)
        detail = app.screen
        assert isinstance(detail, RequestScreen)
        assert detail.ticket_on_screen() == ticket
        assert detail.person_on_screen() == person.id_number
        assert "待补正" in screen_text(app)

        # 2 (forward) is not offered while documents are missing: nothing opens.
        await pilot.press("2")
        await settle(pilot)
        assert app.screen is detail

        await pilot.press("1")  # supplement: every missing document ticked, Enter
        await settle(pilot)
        assert isinstance(app.screen, SupplementDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert Request.get(Request.ticket == ticket).status == "accepted"
        assert Request.get(Request.ticket == ticket).documents_missing == []
        assert events_of(ticket) == [
            ("opened", "pending_materials"),
            ("supplemented", "accepted"),
        ]
        assert isinstance(app.screen, PrintDialog)  # a new receipt: the state changed
        assert [j.kind for j in app.screen.jobs] == ["receipt"]
        await pilot.press("escape")
        await settle(pilot)

        await pilot.press("2")  # forward, with the default note
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert Request.get(Request.ticket == ticket).status == "forwarded"
        assert events_of(ticket)[-1] == ("forwarded", "forwarded")
        assert isinstance(app.screen, PrintDialog)
        assert [j.kind for j in app.screen.jobs] == ["receipt", "transfer"]
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f7")  # and from now on with F7
        await settle(pilot)
        assert isinstance(app.screen, PrintDialog)
        assert [j.kind for j in app.screen.jobs] == ["receipt", "transfer"]
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        slip = next(p for p in app.printed_files if p.job.kind == "transfer")
        assert ticket in pdf_text(slip.path) and "请于 — 前" not in pdf_text(slip.path)

        await pilot.press("3")  # the department sends it back: a reason is required
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)  # still asking: empty is not a reason
        assert "请填写退回原因" in str(app.screen.query_one("#error").render())
        await type_text(pilot, "部门要求补充收入证明")
        await pilot.press("enter")
        await settle(pilot)
        returned = Request.get(Request.ticket == ticket)
        assert returned.status == "accepted"
        last = returned.events.order_by(RequestEvent.id.desc()).first()
        assert (last.kind, last.note) == ("returned", "部门要求补充收入证明")
        await pilot.press("escape")  # no printing this time
        await settle(pilot)

        await pilot.press("4")  # complete
        await settle(pilot)
        await type_text(pilot, "审批通过")
        await pilot.press("enter")
        await settle(pilot)
        done = Request.get(Request.ticket == ticket)
        assert (done.status, done.closed_on) == ("completed", TODAY)
        assert events_of(ticket) == [
            ("opened", "pending_materials"),
            ("supplemented", "accepted"),
            ("forwarded", "forwarded"),
            ("returned", "accepted"),
            ("completed", "completed"),
        ]
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is detail
        text = screen_text(app)
        assert "已办结" in text and "办理记录 5条" in text
        assert "无（本办件已结束）" in flat(text)
        for key in "12345":  # nothing is offered on a finished request
            await pilot.press(key)
            await settle(pilot)
            assert app.screen is detail

    drive(app, steps)
    assert Request.get(Request.ticket == seen["ticket"]).status == "completed"


def test_a_refused_request_is_recorded_with_its_reasons_and_remedy(make_app: Any) -> None:
    person = adult_with_valid_permit("H06", max_age=55)  # pension benefits: 60 and over
    app = make_app()
    before = Request.select().count()

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.print_dialog import PrintDialog
        from tui.screens.request_detail import RequestScreen

        screen = await open_new_request(pilot, person.id_number)
        await type_text(pilot, "h06")
        await settle(pilot)
        assert screen.service.name == "城乡居民养老保险待遇领取"
        shown = flat(screen_text(app))
        age = age_on(person.birth_date, TODAY)
        assert "结论：不予办理" in shown
        assert f"当事人{age}周岁，未满60周岁" in shown  # the reason
        assert "AGE-MIN" in shown  # its rule
        assert "办理途径：可于" in shown and "（年满60周岁）起办理" in shown  # the remedy

        await pilot.press("enter")  # a refusal is recorded too, after a confirmation
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert Request.select().count() == before
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PrintDialog)
        # The receipt and the refusal notice both carry the refusal with its reasons and remedy.
        assert [j.kind for j in app.screen.jobs] == ["receipt", "refusal"]
        assert app.screen.jobs[1].label == "不予办理告知书"
        assert "不予办理告知书" in screen_text(app) and "一次性告知单" not in screen_text(app)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        refusal = next(p for p in app.printed_files if p.job.kind == "refusal")
        assert "不予办理告知书" in pdf_text(refusal.path).replace(" ", "")
        request = Request.select().order_by(Request.id.desc()).first()
        assert Request.select().count() == before + 1
        assert (request.status, request.decision) == ("refused", "refuse")
        assert "年满60周岁" in request.remedy
        assert [k for k, _ in events_of(request.ticket)] == ["opened", "refused"]
        shown = flat(screen_text(app))
        assert request.ticket in shown and "不予办理" in shown
        assert "办理途径：可于" in shown

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RequestScreen)
        shown = flat(screen_text(app))
        assert "状态不予办理" in shown
        assert "办理途径：可于" in shown and "未满60周岁" in shown

    drive(app, steps)


def open_referral() -> Request:
    """An open referral to the move-out village of a person of this community (a decision that
    does not depend on the permit, so opening it again would be referred again)."""
    request = (
        Request.select()
        .where((Request.status == "referred") & (Request.community == HOME))
        .order_by(Request.id)
        .first()
    )
    assert request is not None, "the demo has no open referral"
    return request


def test_an_open_request_for_the_same_service_is_shown_instead(make_app: Any) -> None:
    existing = open_referral()
    id_number, ticket, code = existing.person.id_number, existing.ticket, existing.service_code
    app = make_app()
    before = Request.select().count()

    async def steps(pilot: Any) -> None:
        from tui.screens.existing_request import ExistingRequestDialog
        from tui.screens.request_detail import RequestScreen

        await open_new_request(pilot, id_number)
        await type_text(pilot, code)
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExistingRequestDialog)
        text = screen_text(app)
        assert ticket in text and "已转迁出村" in text
        assert Request.select().count() == before  # nothing opened
        await pilot.press("o")
        await settle(pilot)
        assert isinstance(app.screen, RequestScreen)
        assert app.screen.ticket_on_screen() == ticket

    drive(app, steps)
    assert Request.select().count() == before


def test_a_second_request_anyway_needs_a_reason(make_app: Any) -> None:
    existing = open_referral()
    id_number, ticket, code = existing.person.id_number, existing.ticket, existing.service_code
    app = make_app()
    before = Request.select().count()

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ReasonDialog

        await open_new_request(pilot, id_number)
        await type_text(pilot, code)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ReasonDialog)
        await type_text(pilot, "原转办单遗失")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")  # the print dialog
        await settle(pilot)

    drive(app, steps)
    assert Request.select().count() == before + 1
    second = Request.select().order_by(Request.id.desc()).first()
    assert second.ticket != ticket and second.service_code == code
    opened = second.events.where(RequestEvent.kind == "opened").get()
    assert ticket in opened.note and "原转办单遗失" in opened.note


def test_the_filter_finds_by_code_name_and_initials_and_keeps_the_keyboard(
    make_app: Any,
) -> None:
    person = adult_with_valid_permit("F01")
    app = make_app()

    async def steps(pilot: Any) -> None:
        from textual.widgets import Input, OptionList

        screen = await open_new_request(pilot, person.id_number)
        services = screen.query_one("#nr-services", OptionList)
        names = [str(services.get_option_at_index(i).prompt) for i in range(services.option_count)]
        assert [n for n in names if " " not in n] == [
            "本窗口办理",
            "代收转办",
            "转迁出村办理",
            "居住证",
        ]
        assert services.option_count == 45 + 4
        await type_text(pilot, "jzz")  # the three permit services
        await settle(pilot)
        assert screen.service.code == "P01"
        await pilot.press("down")  # arrows move the list while the filter keeps the focus
        await settle(pilot)
        assert screen.service.code == "P02"
        assert isinstance(app.focused, Input)
        for _ in range(3):
            await pilot.press("backspace")
        await type_text(pilot, "低保")
        await settle(pilot)
        assert screen.service.code == "F01"
        await pilot.press("f7")  # before accepting: the service's blank checklist
        await settle(pilot)
        from tui.screens.print_dialog import PrintDialog

        assert isinstance(app.screen, PrintDialog)
        assert [(j.kind, j.key) for j in app.screen.jobs] == [("blank_notice", "F01")]
        await pilot.press("escape")
        await settle(pilot)
        await type_text(pilot, "xyz")
        await settle(pilot)
        assert screen.service is None
        assert "没有匹配的事项" in screen_text(app)
        await pilot.press("enter")  # nothing to accept
        await settle(pilot)
        assert "请先选择" in str(screen.query_one("#error").render())

    drive(app, steps)


def test_a_partial_supplement_keeps_it_pending_and_offers_the_notice(make_app: Any) -> None:
    pending = next(
        r
        for r in Request.select()
        .where((Request.status == "pending_materials") & (Request.community == HOME))
        .order_by(Request.id)
        if len(r.documents_missing) >= 2
    )
    ticket, missing = pending.ticket, list(pending.documents_missing)
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.screens.print_dialog import PrintDialog
        from tui.screens.request_detail import RequestScreen

        app.push_screen(RequestScreen(ticket))
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("space")  # the first missing document did not come
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PrintDialog)
        assert [j.kind for j in app.screen.jobs] == ["receipt", "notice"]
        await pilot.press("escape")
        await settle(pilot)
        assert f"仍缺：{missing[0]}" in flat(screen_text(app))

    drive(app, steps)
    after = Request.get(Request.ticket == ticket)
    assert after.status == "pending_materials"
    assert after.documents_missing == missing[:1]
    last = after.events.order_by(RequestEvent.id.desc()).first()
    assert last.kind == "supplemented" and last.note.endswith(f"仍缺：{missing[0]}")


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_both_screens_fit_the_terminal(
    make_app: Any, size: tuple[int, int], tmp_path: Path
) -> None:
    person = adult_with_valid_permit("F01")
    app = make_app()
    width, height = size

    async def steps(pilot: Any) -> None:
        from textual.widgets import SelectionList

        from tui.widgets.keybar import KeyBar

        screen = await open_new_request(pilot, person.id_number)
        await type_text(pilot, "dib")
        await settle(pilot)
        app.save_screenshot(str(tmp_path / f"new-request-{width}x{height}.svg"))
        lines = screen_text(app).splitlines()
        assert len(lines) == height
        assert all(len(line) <= width for line in lines)
        assert "居住证有效至" in lines[0]  # the header's permit state is not cut off
        docs = screen.query_one("#nr-docs", SelectionList)
        assert docs.option_count == 5
        assert docs.region.height == 5  # every document visible, no scrolling needed
        keybar = screen.query_one(KeyBar)  # the screen's keys, then the app's F-keys
        assert keybar.region.bottom == height and keybar.region.height == 2
        assert docs.region.bottom <= keybar.region.y
        for option in range(docs.option_count):
            assert str(docs.get_option_at_index(option).prompt) in screen_text(app)
        await pilot.press("tab", "space")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        app.save_screenshot(str(tmp_path / f"request-{width}x{height}.svg"))
        lines = screen_text(app).splitlines()
        assert len(lines) == height
        text = "\n".join(lines)
        assert "状态 待补正" in text and "承诺办结" in text
        assert "可办理：1 补正材料  5 不予办理" in text

    drive(app, steps, size=size)
    assert (tmp_path / f"new-request-{width}x{height}.svg").stat().st_size > 10_000
