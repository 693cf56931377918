"""The permit screen (F4) and the supervisor's page (F8), driven by key presses on the demo
database: the rows written, the PDFs made, and what the screen says when the rules refuse."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from db.accounts import sign_in
from db.demo import HOME
from db.models import Household, Permit, PermitEvent, Person, Request, Staff
from db.views import current_permit
from forms.catalogue import DEFAULT_PATH
from forms.permits import endorsement_opens
from forms.status import DECISION_LABELS
from tests.ui.conftest import NOW, TODAY, drive, pdf_text, settle, type_text


# ───────────────────────── finding demo people ─────────────────────────
def home_person(kind: str) -> Person:
    """A person of the demo's home community: `none` (no permit yet), `window` (a valid permit
    in its endorsement window), `valid` (a valid permit, not yet in the window)."""
    for person in (
        Person.select().join(Household).where(Household.community == HOME).order_by(Person.id)
    ):
        permit = current_permit(person)
        if person.requests.where(Request.status == "pending_materials").exists():
            continue
        if kind == "none" and permit is None:
            return person
        if permit is None or permit.status != "valid" or permit.valid_until < TODAY:
            continue
        in_window = endorsement_opens(permit.valid_until) <= TODAY
        if (kind == "window") == in_window:
            return person
    raise AssertionError(f"the demo has no {kind} person in {HOME}")


def permit_of(person: Person) -> Permit:
    permit = current_permit(person)
    assert permit is not None
    return permit


def screen_text(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def table_rows(app: Any, selector: str) -> list[list[str]]:
    from textual.widgets import DataTable

    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def open_permit(pilot: Any, id_number: str) -> None:
    from tui.screens.permit import PermitScreen

    pilot.app.push_screen(PermitScreen(id_number))
    await settle(pilot)


async def wait_for(pilot: Any, kind: type) -> None:
    for _ in range(20):
        if isinstance(pilot.app.screen, kind):
            return
        await pilot.pause(0.05)
    raise AssertionError(f"{kind.__name__} did not open; on {type(pilot.app.screen).__name__}")


# ───────────────────────── the permit screen ─────────────────────────
def test_issue_a_permit_prints_the_card_and_receipt(make_app: Any) -> None:
    person = home_person("none")
    app = make_app("101")

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.print_dialog import PrintDialog

        await open_permit(pilot, person.id_number)
        assert "尚未办理居住证" in screen_text(app, "#facts")
        assert "可办理" in screen_text(app, "#act-issue")
        assert "不可" in screen_text(app, "#act-endorse")
        assert person.id_number not in screen_text(app, "#topbar")  # masked
        await pilot.press("s")
        await wait_for(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, PrintDialog)
        await pilot.press("enter")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert "有效" in screen_text(app, "#facts")

    drive(app, steps)
    permit = current_permit(person)
    assert permit is not None and permit.status == "valid" and permit.issued_on == TODAY
    request = Request.get(Request.permit == permit.id)
    assert request.status == "completed" and request.service_code == "P01"
    kinds = {p.job.kind: p.path for p in app.printed_files}
    assert set(kinds) == {"permit", "receipt"}
    assert permit.number in pdf_text(kinds["permit"])
    assert request.ticket in pdf_text(kinds["receipt"])


def test_endorse_in_the_window(make_app: Any) -> None:
    person = home_person("window")
    before = permit_of(person)
    app = make_app("101")

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.print_dialog import PrintDialog

        await open_permit(pilot, person.id_number)
        assert "可办理" in screen_text(app, "#act-endorse")
        assert "签注期已开始" in screen_text(app, "#facts")  # forms/permits.permit_advice
        await pilot.press("q")
        await wait_for(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, PrintDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert "签注" in " ".join(r[1] for r in table_rows(app, "#history"))

    drive(app, steps)
    after = Permit.get_by_id(before.id)
    assert after.valid_until == before.valid_until.replace(year=before.valid_until.year + 1)
    assert after.residence_since == before.residence_since  # on time: residence continues
    event = after.events.order_by(PermitEvent.id.desc()).first()
    assert event.kind == "endorsed" and event.on == TODAY and not event.late


def test_endorse_too_early_is_refused_on_screen(make_app: Any) -> None:
    person = home_person("valid")
    before = permit_of(person)
    app = make_app("101")

    async def steps(pilot: Any) -> None:
        from tui.screens.permit import PermitScreen

        await open_permit(pilot, person.id_number)
        await pilot.press("q")
        await settle(pilot)
        assert isinstance(app.screen, PermitScreen)  # no dialog: the rules say no
        opens = endorsement_opens(before.valid_until).isoformat()
        assert f"请于{opens}起办理签注" in screen_text(app, "#error")

    drive(app, steps)
    assert Permit.get_by_id(before.id).valid_until == before.valid_until


def test_replace_as_lost_shows_the_catalogue_fee_and_records_it(
    make_app: Any, tmp_path: Path
) -> None:
    # A fee other than the packaged one proves the screen shows the catalogue's, not its own.
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("fee_yuan = 20", "fee_yuan = 35")
    assert "fee_yuan = 35" in text
    catalogue = tmp_path / "catalogue.toml"
    catalogue.write_text(text, encoding="utf-8")
    person = home_person("valid")
    old = permit_of(person)
    app = make_app("101", catalogue_path=str(catalogue))

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.print_dialog import PrintDialog
        from tui.screens.replace_dialog import ReplaceDialog

        await open_permit(pilot, person.id_number)
        assert "工本费 35 元" in screen_text(app, "#act-replace")
        await pilot.press("b")
        await wait_for(pilot, ReplaceDialog)
        assert "工本费 35 元" in screen_text(app, "#fee")
        await pilot.press("enter")  # the first reason: 遗失补领
        await wait_for(pilot, ConfirmDialog)
        question = screen_text(app, "#question")
        assert "遗失补领" in question and "35" in question and old.number in question
        await pilot.press("y")
        await wait_for(pilot, PrintDialog)
        await pilot.press("escape")
        await settle(pilot)

    drive(app, steps)
    new = permit_of(person)
    assert new.id != old.id and new.replaces_id == old.id and float(new.fee_yuan) == 35
    gone = Permit.get_by_id(old.id)
    assert gone.status == "replaced" and gone.closed_reason == "遗失补领"


def test_officer_revoke_is_refused_and_nothing_changes(make_app: Any) -> None:
    person = home_person("valid")
    before = permit_of(person)
    events = PermitEvent.select().count()
    app = make_app("101")

    async def steps(pilot: Any) -> None:
        from tui.screens.permit import PermitScreen

        await open_permit(pilot, person.id_number)
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, PermitScreen)  # no confirmation offered
        error = screen_text(app, "#error")
        assert "只有负责人" in error and "101" in error

    drive(app, steps)
    assert Permit.get_by_id(before.id).status == "valid"
    assert PermitEvent.select().count() == events


def test_supervisor_revokes_with_confirmation_and_reason_then_undoes_it(make_app: Any) -> None:
    person = home_person("valid")
    before = permit_of(person)
    app = make_app("201")

    async def steps(pilot: Any) -> None:
        from textual.widgets import Button

        from tui.screens.dialogs import ConfirmDialog, ReasonDialog
        from tui.screens.permit import PermitScreen
        from tui.screens.print_dialog import PrintDialog

        await open_permit(pilot, person.id_number)
        assert not app.screen.query_one("#act-unrevoke").display  # no revocation today
        await pilot.press("z")
        await wait_for(pilot, ConfirmDialog)
        assert before.number in screen_text(app, "#question")
        assert app.screen.focused is app.screen.query_one("#no", Button)  # Enter alone: no
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PermitScreen)
        assert Permit.get_by_id(before.id).status == "valid"
        await pilot.press("z")
        await wait_for(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, ReasonDialog)
        await pilot.press("enter")  # a reason is required
        assert "请填写注销原因" in screen_text(app, "#error")
        await type_text(pilot, "户籍迁回原籍")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PermitScreen)
        assert "已注销" in screen_text(app, "#facts")
        assert app.screen.query_one("#act-unrevoke").display
        revoked = Permit.get_by_id(before.id)
        assert revoked.status == "revoked" and revoked.closed_reason == "户籍迁回原籍"
        assert app.screen.print_jobs() == []  # no card for a revoked permit
        # The same day, a mistaken revocation can be undone.
        await pilot.press("c")
        await wait_for(pilot, ConfirmDialog)
        await pilot.press("y")
        await wait_for(pilot, ReasonDialog)
        await type_text(pilot, "误注销")
        await pilot.press("enter")
        await wait_for(pilot, PrintDialog)  # the card is good again: offered for reprinting
        await pilot.press("escape")
        await settle(pilot)
        history = " ".join(r[1] for r in table_rows(app, "#history"))
        assert "撤销注销" in history and "注销" in history

    drive(app, steps)
    restored = Permit.get_by_id(before.id)
    assert restored.status == "valid" and restored.residence_since == before.residence_since
    notes = [(e.kind, e.note) for e in restored.events.order_by(PermitEvent.id)][-2:]
    assert notes == [("revoked", "户籍迁回原籍"), ("unrevoked", "误注销")]


# ───────────────────────── the supervisor's page ─────────────────────────
def direct_counts(first: dt.date, last: dt.date) -> dict[str, Counter[str]]:
    """The day's tallies counted straight from the Request table."""
    rows = list(
        Request.select()
        .join(Staff)
        .where((Request.community == HOME) & Request.opened_on.between(first, last))
    )
    return {
        "service": Counter(r.service_name for r in rows),
        "decision": Counter(
            DECISION_LABELS["refuse" if r.status == "refused" else r.decision] for r in rows
        ),
        "officer": Counter(r.staff.name for r in rows),
    }


def shown_counts(app: Any, selector: str) -> tuple[Counter[str], int]:
    rows = table_rows(app, selector)
    assert rows[-1][0] == "合计"
    return Counter({name: int(n) for name, n in rows[:-1]}), int(rows[-1][1])


def test_supervisor_log_totals_match_the_database(make_app: Any) -> None:
    app = make_app("201")
    expected = direct_counts(TODAY, TODAY)
    total = sum(expected["service"].values())
    assert total > 5  # the demo has a day of work

    async def steps(pilot: Any) -> None:
        from tui.screens.supervisor import SupervisorScreen

        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, SupervisorScreen)
        for selector, key in (
            ("#by-service", "service"),
            ("#by-decision", "decision"),
            ("#by-officer", "officer"),
        ):
            shown, shown_total = shown_counts(app, selector)
            assert shown == expected[key] and shown_total == total
        assert f"共 {total} 件" in screen_text(app, "#log-count")
        assert len(table_rows(app, "#log-rows")) == total
        # A range: four days back to today.
        first = TODAY - dt.timedelta(days=4)
        app.screen.query_one("#from").focus()
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, first.isoformat())
        await pilot.press("enter")
        await settle(pilot)
        week = direct_counts(first, TODAY)
        shown, shown_total = shown_counts(app, "#by-service")
        assert shown == week["service"] and shown_total == sum(week["service"].values())
        assert f"{first.isoformat()} 至 {TODAY.isoformat()}" in screen_text(app, "#log-count")
        # A range that ends before it starts is refused in words, and nothing else changes.
        await pilot.press("ctrl+a", "ctrl+k")
        await type_text(pilot, "2026-12-01")
        await pilot.press("enter")
        await settle(pilot)
        assert "早于起始日期" in screen_text(app, "#error")

    drive(app, steps)


def test_print_the_daily_log(make_app: Any) -> None:
    app = make_app("201")

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+p")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)

    drive(app, steps)
    logs = [p for p in app.printed_files if p.job.kind == "daily_log"]
    assert len(logs) == 1
    assert logs[0].job.key == f"{TODAY.isoformat()}:{TODAY.isoformat()}"
    assert TODAY.isoformat() in pdf_text(logs[0].path)


def test_overdue_list_of_the_community(make_app: Any) -> None:
    app = make_app("201")
    overdue = (
        Request.select()
        .where(
            (Request.community == HOME)
            & Request.status.in_(["pending_materials", "accepted", "forwarded", "referred"])
            & (Request.promised_by < TODAY)
        )
        .count()
    )
    assert overdue > 0

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+c")
        await settle(pilot)
        assert f"已超期未办结 {overdue} 件" in screen_text(app, "#overdue-count")
        rows = table_rows(app, "#overdue-rows")
        assert len(rows) == overdue and all("超期" in r[3] for r in rows)

    drive(app, steps)


def test_add_a_staff_account_through_the_dialog(make_app: Any) -> None:
    app = make_app("201")
    password = "Counter-2026-new"

    async def steps(pilot: Any) -> None:
        from tui.screens.staff_dialog import StaffDialog

        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+z")
        await settle(pilot)
        assert [r[0] for r in table_rows(app, "#staff-rows")] == ["101", "102", "201"]
        await pilot.press("a")
        await wait_for(pilot, StaffDialog)
        await type_text(pilot, "103")
        await pilot.press("enter")
        await type_text(pilot, "王芳")
        await pilot.press("enter", "tab")  # the role stays 窗口人员
        await type_text(pilot, password)
        await pilot.press("enter")
        await type_text(pilot, password + "x")  # typed differently the second time
        await pilot.press("enter")
        await pilot.pause(0.1)  # (settle would wait for the worker that waits on the dialog)
        assert isinstance(app.screen, StaffDialog)
        assert "两次输入的密码不一致" in screen_text(app, "#error")
        assert app.screen.query_one("#code").value == "103"  # what was typed stays
        await type_text(pilot, password)
        await pilot.press("enter")
        await settle(pilot)
        assert not isinstance(app.screen, StaffDialog)
        assert "103" in [r[0] for r in table_rows(app, "#staff-rows")]

    drive(app, steps)
    staff = Staff.get(Staff.code == "103")
    assert staff.name == "王芳" and staff.role == "officer" and staff.active
    desk, token = sign_in("103", password, client="desk", now=NOW)
    assert desk.staff_code == "103" and token


def test_officer_cannot_add_staff_even_if_the_page_were_open(make_app: Any) -> None:
    """The db refuses: a role taken away after the page opened applies at once."""
    app = make_app("201")

    async def steps(pilot: Any) -> None:
        from tui.screens.staff_dialog import StaffDialog

        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+z")
        await settle(pilot)
        Staff.update(role="officer").where(Staff.code == "201").execute()
        Staff.update(role="supervisor").where(Staff.code == "102").execute()
        await pilot.press("a")
        await wait_for(pilot, StaffDialog)
        for text in ("104", "enter", "李华", "enter", "tab", "Counter-2026-x", "enter"):
            await (pilot.press(text) if text in ("enter", "tab") else type_text(pilot, text))
        await type_text(pilot, "Counter-2026-x")
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, StaffDialog)  # refused: the dialog stays, with why
        assert "只有负责人" in screen_text(app, "#error")

    drive(app, steps)
    assert not Staff.select().where(Staff.code == "104").exists()


def test_desk_lock_minutes_are_set_from_the_page(make_app: Any) -> None:
    from db.accounts import desk_lock_minutes

    app = make_app("201")

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ReasonDialog

        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+z")
        await settle(pilot)
        assert "无操作锁屏 5 分钟" in screen_text(app, "#timeouts")
        await pilot.press("k")
        await wait_for(pilot, ReasonDialog)
        await pilot.press("backspace")
        await type_text(pilot, "90")  # out of range: the db says so
        await pilot.press("enter")
        await settle(pilot)
        assert "锁屏时间应在1至60分钟之间" in screen_text(app, "#error")
        await pilot.press("k")
        await wait_for(pilot, ReasonDialog)
        await pilot.press("backspace")
        await type_text(pilot, "12")
        await pilot.press("enter")
        await settle(pilot)
        assert "无操作锁屏 12 分钟" in screen_text(app, "#timeouts")
        assert app.idle_limit_seconds() == 12 * 60  # the running desk follows at once

    drive(app, steps)
    assert desk_lock_minutes() == 12


@pytest.mark.parametrize("broken", ["rules", "syntax"])
def test_catalogue_with_errors_is_listed_and_the_old_one_stays(
    make_app: Any, tmp_path: Path, broken: str
) -> None:
    catalogue = tmp_path / "catalogue.toml"
    good = DEFAULT_PATH.read_text(encoding="utf-8")
    catalogue.write_text(good, encoding="utf-8")
    app = make_app("201", catalogue_path=str(catalogue))

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+m")
        await settle(pilot)
        old = app.ctx.catalogue()
        assert f"共 {len(old.services)} 项" in screen_text(app, "#catalogue-info")
        if broken == "rules":
            bad = good.replace("time_limit = 15", "time_limit = -1", 1).replace(
                'side = "here"', 'side = "nowhere"', 1
            )
        else:
            bad = good.replace('name = "居住证申领"', 'name = "居住证申领', 1)
        assert bad != good
        catalogue.write_text(bad, encoding="utf-8")
        await pilot.press("r")
        await settle(pilot)
        errors = screen_text(app, "#catalogue-errors")
        if broken == "rules":
            assert "2 处错误" in errors
            assert "1. service[0]（居住证申领）.side" in errors
            assert "2. service[0]（居住证申领）.time_limit" in errors
        else:
            assert "1 处错误" in errors and "line" in errors
        assert "仍使用原目录" in errors
        assert app.ctx.catalogue() is old  # the counter keeps working on the old one
        catalogue.write_text(good, encoding="utf-8")
        await pilot.press("r")
        await settle(pilot)
        assert "没有错误" in screen_text(app, "#catalogue-errors")
        assert app.ctx.catalogue() is not old

    drive(app, steps)


# ───────────────────────── how they look ─────────────────────────
@pytest.mark.parametrize(
    ("size", "ascii_borders"), [((80, 24), False), ((120, 36), False), ((80, 24), True)]
)
def test_both_screens_fit(
    make_app: Any, tmp_path: Path, size: tuple[int, int], ascii_borders: bool
) -> None:
    person = home_person("window")
    app = make_app("201", ascii_borders=ascii_borders)

    async def steps(pilot: Any) -> None:
        width, height = size
        await open_permit(pilot, person.id_number)
        app.save_screenshot(str(tmp_path / f"permit-{width}.svg"))
        screen = app.screen
        for selector in ("#card", "#actions-box", "#history-box"):
            region = screen.query_one(selector).region
            assert region.right <= width and region.bottom <= height - 1, selector
        assert screen.query_one("#history-box").region.height >= 5
        for action in ("issue", "endorse", "replace", "revoke"):
            assert screen.query_one(f"#act-{action}").region.height == 1  # one line each
        await pilot.press("escape", "f8")
        await settle(pilot)
        app.save_screenshot(str(tmp_path / f"supervisor-{width}.svg"))
        screen = app.screen
        assert screen.query_one("#log-rows").region.height >= 6
        assert screen.query_one("#by-decision").region.right <= width
        decision = table_rows(app, "#by-decision")
        assert all(len(r) == 2 for r in decision)
        for field in ("#from", "#to"):
            assert screen.query_one(field).region.height == 1  # one line, ASCII mode too
        await pilot.press("alt+z", "a")
        await pilot.pause(0.2)
        dialog = app.screen.query_one("#staff-form").region
        assert dialog.bottom <= height and dialog.right <= width
        assert all(i.region.height == 1 for i in app.screen.query("Input"))
        app.save_screenshot(str(tmp_path / f"staff-dialog-{width}.svg"))
        await pilot.press("escape")

    drive(app, steps, size=size)
    assert (tmp_path / f"supervisor-{size[0]}.svg").stat().st_size > 1000


# ───────────────────────── keys and focus on the supervisor's page ─────────────────────────
def test_tab_keys_are_alt_letters_a_terminal_sends(make_app: Any) -> None:
    """Terminals send Alt+key as ESC+key: Textual reads ESC+letter as alt+letter (ESC+digit is
    not alt+digit), and a focused date field neither swallows the keys nor gets the letters."""
    from textual._xterm_parser import XTermParser

    def read(sent: str) -> list[Any]:
        parser = XTermParser()
        return [*parser.feed(sent), *parser.feed("")]

    async def terminal_press(pilot: Any, sent: str) -> None:
        """The key as a terminal delivers it: ESC+letter parsed by Textual's own parser, which
        gives alt+t *with* the character "t" (Pilot's press has no character, so an Input
        would not type it and the test would miss the bug)."""
        for event in read(sent):
            app.post_message(event)
        await pilot.pause()

    for letter in "tczmp":
        assert [(e.key, e.character) for e in read(f"\x1b{letter}")] == [(f"alt+{letter}", letter)]
    assert [e.key for e in read("\x1b2")] != ["alt+2"]  # why the tabs left Alt+1…Alt+4
    app = make_app("201")

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        screen = app.screen
        tabs = screen.query_one("#tabs")
        for key, tab, focused in (
            ("alt+c", "overdue", "overdue-rows"),
            ("alt+z", "staff", "staff-rows"),
            ("alt+m", "catalogue", "catalogue-scroll"),
            ("alt+t", "log", "log-rows"),
        ):
            screen.query_one("#from").focus()  # the date field stays on screen: alt+t's tab
            await pilot.pause()
            await terminal_press(pilot, "\x1b" + key[-1])
            await settle(pilot)
            assert tabs.active == tab, key
            assert app.focused is not None and app.focused.id == focused, key
            assert screen.query_one("#from").value == TODAY.isoformat(), key  # nothing typed
        # Alt+P with the date field focused prints the log (priority: not typed as "p").
        screen.query_one("#to").focus()
        await pilot.pause()
        await terminal_press(pilot, "\x1bp")
        await settle(pilot)
        await app.workers.wait_for_complete()
        assert screen.query_one("#to").value == TODAY.isoformat()

    drive(app, steps)
    assert [p.job.kind for p in app.printed_files] == ["daily_log"]


def test_staff_actions_follow_the_row_the_cursor_is_on(make_app: Any) -> None:
    """After each dialog the staff table has the focus and the cursor stays on the account
    acted upon: ↓ moves on, and the next question names the row now selected."""
    from tui.screens.dialogs import ConfirmDialog

    app = make_app("201")
    questions: list[str] = []

    async def ask(pilot: Any, key: str) -> None:
        await pilot.press(key)
        await wait_for(pilot, ConfirmDialog)
        questions.append(str(app.screen.query_one("#question").render()))

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+z")
        await settle(pilot)
        table = app.screen.query_one("#staff-rows")
        assert [r[0] for r in table_rows(app, "#staff-rows")] == ["101", "102", "201"]
        # The focus elsewhere, as after clicking the tab: the keys still act on the cursor row.
        app.screen.query_one("Tabs").focus()
        await pilot.pause()
        await ask(pilot, "t")  # 101, then "no"
        await pilot.press("n")
        await settle(pilot)
        assert app.focused is table and table.cursor_row == 0
        await pilot.press("down")
        await ask(pilot, "t")  # 102, then "yes"
        await pilot.press("y")
        await settle(pilot)
        assert app.focused is table and table.cursor_row == 1  # still on 102
        assert "停用" in table_rows(app, "#staff-rows")[1][3]
        await ask(pilot, "o")  # 102 again: enable it back, "no"
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("up")
        await ask(pilot, "j")  # 101
        await pilot.press("escape")
        await settle(pilot)
        assert app.focused is table and table.cursor_row == 0

    drive(app, steps)
    assert "张敏（101）" in questions[0] and "停用" in questions[0]
    assert "（102）" in questions[1] and "101" not in questions[1]
    assert "启用" in questions[2] and "（102）" in questions[2]
    assert "张敏（101）" in questions[3]
    assert Staff.get(Staff.code == "102").active is False
    assert Staff.get(Staff.code == "101").active is True


def test_disabling_the_last_supervisor_is_refused_before_asking(make_app: Any) -> None:
    from tui.screens.dialogs import ConfirmDialog
    from tui.screens.supervisor import SupervisorScreen

    app = make_app("201")

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        await pilot.press("alt+z")
        await settle(pilot)
        await pilot.press("down", "down")  # 201, the only supervisor
        await pilot.press("t")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, ConfirmDialog)  # nothing to confirm
        assert isinstance(app.screen, SupervisorScreen)
        assert "唯一可登录的负责人" in screen_text(app, "#error")

    drive(app, steps)
    assert Staff.get(Staff.code == "201").active


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_the_log_fits_the_width_with_names_clipped_not_cut(
    make_app: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    from rich.cells import cell_len

    app = make_app("201")
    expected = {
        r.ticket: r
        for r in Request.select().where((Request.community == HOME) & (Request.opened_on == TODAY))
    }

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        app.save_screenshot(str(tmp_path / f"log-{size[0]}.svg"))
        table = app.screen.query_one("#log-rows")
        labels = [str(c.label) for c in table.ordered_columns]
        if size[0] < 120:
            assert labels == ["受理编号", "事项", "当事人", "状态", "经办人"]
        else:
            assert labels[:3] == ["受理时间", "受理编号", "事项"] and "身份证号" in labels
        assert table.virtual_size.width <= table.scrollable_content_region.width  # no h-scroll
        rows = table_rows(app, "#log-rows")
        assert len(rows) == len(expected)
        at = labels.index("事项")
        for row in rows:
            ticket = row[labels.index("受理编号")]
            service, shown = expected[ticket].service_name, row[at]
            assert shown == service or (shown.endswith("…") and service.startswith(shown[:-1]))
            assert row[labels.index("经办人")] == expected[ticket].staff.name
        if size[0] < 120:
            assert max(cell_len(r[at]) for r in rows) > 8  # names are not cut to 4 characters

    drive(app, steps, size=size)


def test_a_long_log_says_the_printed_one_has_them_all(make_app: Any) -> None:
    from tui.screens.supervisor import LIST_CAP

    app = make_app("201")
    first = TODAY - dt.timedelta(days=360)
    total = (
        Request.select()
        .where((Request.community == HOME) & Request.opened_on.between(first, TODAY))
        .count()
    )
    if total <= LIST_CAP:
        pytest.skip(f"the demo has {total} requests in a year, not more than {LIST_CAP}")

    async def steps(pilot: Any) -> None:
        await pilot.press("f8")
        await settle(pilot)
        app.screen.query_one("#from").value = first.isoformat()
        app.screen.query_one("#from").focus()
        await pilot.press("enter")
        await settle(pilot)
        count = screen_text(app, "#log-count")
        assert not screen_text(app, "#error"), screen_text(app, "#error")
        assert count.startswith(f"只列出前{LIST_CAP}件，全部见 Alt+P 打印的台账")
        assert f"共 {total} 件" in count
        assert len(table_rows(app, "#log-rows")) == LIST_CAP

    drive(app, steps, size=(80, 24))


def test_tallies_are_drawn_with_whole_names_even_before_the_table_idles(make_app: Any) -> None:
    """A DataTable draws a row before it has measured it, and keeps that drawing; the tallies
    must come out whole all the same (CI once caught service names cut to the width of the
    办理事项 header). The day is shown again with every service name longer than before and
    drawn at once, before the table's next Idle."""
    from dataclasses import replace

    app = make_app("201")

    async def steps(pilot: Any) -> None:
        from textual.widgets import DataTable

        await pilot.press("f8")
        await settle(pilot)
        screen = app.screen
        table = screen.query_one("#by-service", DataTable)
        data = screen.log_data
        longer = [replace(row, service=row.service + "（含代办）") for row in data.rows]
        screen.show_log(replace(data, rows=longer))
        first = [table.render_line(y).text for y in range(1, 5)]  # below the header
        await settle(pilot)
        later = [table.render_line(y).text for y in range(1, 5)]
        names = [str(table.get_row_at(row)[0]) for row in range(4)]
        assert all(name.endswith("（含代办）") for name in names)
        for drawn in (first, later):
            assert [name in line for name, line in zip(names, drawn, strict=True)] == [True] * 4

    drive(app, steps)
