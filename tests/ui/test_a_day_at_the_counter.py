"""One officer's day through the desk, by key presses only, from sign-in to the supervisor's
printed log: the rows in the database and the PDFs written are checked after each step.

The other files test each screen at its edges; this one proves the screens join up the way a
visit goes (desk.md, "A visit, as the desk should carry it").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.demo import DEMO_PASSWORDS
from db.models import Household, Permit, Person, Request, RequestEvent
from forms.citizen_id import make_citizen_id
from tests.conftest import TODAY
from tests.ui.conftest import drive, fill_in, pdf_text, settle, type_text


async def until(pilot: Any, check: Any, what: str) -> None:
    for _ in range(100):
        if check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}; on {type(pilot.app.screen).__name__}")


def test_a_day_at_the_counter(make_app: Any) -> None:
    app = make_app(code=None)
    head_id = make_citizen_id("610924", dt.date(1981, 3, 14), 517)  # odd serial: male
    state: dict[str, Any] = {}

    async def steps(pilot: Any) -> None:
        from tui.screens.home import HomeScreen
        from tui.screens.new_request import NewRequestScreen
        from tui.screens.permit import PermitScreen
        from tui.screens.person import PersonScreen
        from tui.screens.print_dialog import PrintDialog
        from tui.screens.request_detail import RequestScreen
        from tui.screens.signin import SignInScreen

        # 08:30 the officer signs in.
        await type_text(pilot, "101")
        await pilot.press("enter")
        await type_text(pilot, DEMO_PASSWORDS["101"])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)

        # A new family: the household and its head (F5), then the head's card.
        await pilot.press("f5")
        await settle(pilot)
        await fill_in(pilot, "双桥镇中坝村", "", "", "第3网格", "12", "2", "301", "20200510")
        await type_text(pilot, "13909150011")
        await pilot.press("enter")
        await settle(pilot)
        await fill_in(pilot, "曾德明")
        await type_text(pilot, head_id)
        await pilot.press("enter")
        await fill_in(pilot, "", "", "")
        await settle(pilot)
        await pilot.press("alt+o")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.screen.person_on_screen() == head_id

        # His residence permit (F4 from the card): issued, card and receipt printed.
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, PermitScreen)
        await pilot.press("s")
        await pilot.pause(0.2)
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, PrintDialog), "the print dialog")
        await pilot.press("enter")
        await settle(pilot)
        await until(pilot, lambda: len(app.printed_files) >= 2, "the permit printouts")
        await pilot.press("escape")  # back to the card
        await settle(pilot)

        # Searching him again from home: by the ID's tail, and by pinyin initials (曾 is zeng).
        for text in (head_id[-4:], "zdm"):
            await pilot.press("f2")
            await settle(pilot)
            await pilot.press("escape")  # clear the box
            await type_text(pilot, text)
            hits = app.screen.query_one("#hits")
            await until(pilot, lambda h=hits: h.option_count > 0, f"hits for {text}")
            assert any(hit.id_number == head_id for hit in app.screen._hits), text
        await pilot.press("enter")  # opens the first hit: his card
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen) and app.screen.person_on_screen() == head_id

        # A request with a missing document (F3, 城乡低保 by its pinyin): receipt and notice
        # offered at once (the transfer slip once it is forwarded).
        await pilot.press("f3")
        await settle(pilot)
        assert isinstance(app.screen, NewRequestScreen)
        await type_text(pilot, "dib")
        await settle(pilot)
        await pilot.press("tab", "space", "down", "space")  # 居民身份证, 居住证
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PrintDialog), "the print dialog")
        state["ticket"] = ticket = app.screen.jobs[0].key
        assert [j.kind for j in app.screen.jobs] == ["receipt", "notice"]
        await pilot.press("enter")
        await until(pilot, lambda: len(app.printed_files) >= 4, "the request's printouts")
        await pilot.press("enter")  # the request's own screen
        await settle(pilot)
        assert isinstance(app.screen, RequestScreen) and app.screen.ticket_on_screen() == ticket

        # The papers come in (supplement), it goes to the department (forward), comes back
        # with a question (return), and is done (complete).
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")  # no new receipt now
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, PrintDialog), "the forward's printouts")
        assert [j.kind for j in app.screen.jobs] == ["receipt", "transfer"]
        await pilot.press("enter")  # the new receipt and the transfer slip
        await until(
            pilot, lambda: any(p.job.kind == "transfer" for p in app.printed_files), "the slip"
        )
        await settle(pilot)
        await pilot.press("3")
        await settle(pilot)
        await type_text(pilot, "民政局要求补充收入证明")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await type_text(pilot, "审批通过")
        await pilot.press("enter")
        await settle(pilot)
        assert Request.get(Request.ticket == ticket).status == "completed"
        assert isinstance(app.screen, PrintDialog)  # the final receipt is offered
        await pilot.press("escape")
        await settle(pilot)

        # 17:00 the officer locks and signs out; the supervisor signs in and prints the log.
        await pilot.press("f10")
        await settle(pilot)
        await pilot.press("ctrl+o")
        await settle(pilot)
        assert isinstance(app.screen, SignInScreen)
        await type_text(pilot, "201")
        await pilot.press("enter")
        await type_text(pilot, DEMO_PASSWORDS["201"])
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+p")
        await until(
            pilot, lambda: any(p.job.kind == "daily_log" for p in app.printed_files), "the log"
        )

    drive(app, steps)
    head = Person.get(Person.id_number == head_id)
    household = head.household
    assert (household.origin_village, household.room, household.moved_in) == (
        "双桥镇中坝村",
        "301",
        dt.date(2020, 5, 10),
    )
    assert (head.name, head.sex, head.birth_date) == ("曾德明", "男", dt.date(1981, 3, 14))
    assert Household.select().where(Household.id == household.id).count() == 1
    permit = Permit.get(Permit.person == head)
    assert permit.status == "valid" and permit.issued_on == TODAY
    request = Request.get(Request.ticket == state["ticket"])
    assert request.person.id == head.id and request.service_code == "F01"
    kinds = [e.kind for e in request.events.order_by(RequestEvent.id)]
    assert kinds == ["opened", "supplemented", "forwarded", "returned", "completed"]
    printed = {p.job.kind: p.path for p in app.printed_files}
    assert {"permit", "receipt", "notice", "transfer", "daily_log"} <= set(printed)
    assert permit.number in pdf_text(printed["permit"])
    log = pdf_text(printed["daily_log"])
    assert TODAY.isoformat() in log and state["ticket"] in log
