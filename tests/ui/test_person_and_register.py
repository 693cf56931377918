"""The person card and registration, driven by key presses on the demo database.

Person card: household, permit and history as the database has them; F9 / Alt+I shows the full
ID and writes an AccessLog row. Registration: a household and two people typed in, checked in
the database (sex and birth date read from the ID); a bad ID names its exact problem and writes
nothing; a duplicate ID shows the Chinese refusal under the field and keeps the form.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from peewee import fn

from db.models import AccessLog, Household, Permit, Person, Request
from forms.citizen_id import check_digit, make_citizen_id, mask_id
from forms.permits import STATUS_LABELS as PERMIT_LABELS
from forms.permits import effective_status
from forms.status import OPEN_STATUSES
from tests.ui.conftest import NOW, drive, fill_in, settle, text_of, type_text

TODAY = NOW.date()


# ───────────────────────── helpers ─────────────────────────
def screen_text(app: Any) -> str:
    """What the terminal shows now, as plain text lines (to check what fits at a size)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def rendered(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def busy_person() -> Person:
    """A demo person with a valid permit, an open request and the most requests."""
    with_open = (
        Request.select(Request.person)
        .where(Request.status.in_(OPEN_STATUSES))
        .join(Permit, on=(Permit.person == Request.person))
        .where((Permit.status == "valid") & (Permit.valid_until >= TODAY))
    )
    row = (
        Request.select(Request.person, fn.COUNT(Request.id).alias("n"))
        .where(Request.person.in_(with_open))
        .group_by(Request.person)
        .order_by(fn.COUNT(Request.id).desc(), Request.person)
        .first()
    )
    return Person.get_by_id(row.person_id)


def fresh_id(birth: dt.date, serial: int) -> str:
    """A valid ID no demo person has."""
    while True:
        number = make_citizen_id("610924", birth, serial)
        if not Person.select().where(Person.id_number == number).exists():
            return number
        serial += 2


async def open_card(pilot: Any, id_number: str) -> Any:
    from tui.screens.person import PersonScreen

    pilot.app.push_screen(PersonScreen(id_number))
    await settle(pilot)
    assert isinstance(pilot.app.screen, PersonScreen)
    return pilot.app.screen


# ───────────────────────── the person card ─────────────────────────
def test_person_card_shows_household_permit_and_history(make_app: Any) -> None:
    app = make_app()
    person = busy_person()
    household = person.household
    members = list(household.members)
    permit = person.permits.order_by(Permit.id.desc()).first()
    requests = list(person.requests.order_by(Request.opened_at.desc(), Request.id.desc()))
    newest_open = next(r for r in requests if r.status in OPEN_STATUSES)

    async def steps(pilot: Any) -> None:
        card = await open_card(pilot, person.id_number)
        who = rendered(app, "#person")
        assert person.name in who and mask_id(person.id_number) in who
        assert person.id_number not in screen_text(app)  # masked until F9
        home = rendered(app, "#household")
        assert household.origin_village in home and household.grid in home
        assert f"{len(members)}人" in home
        for member in members:
            assert member.name in home and member.relation in home
        assert household.number in str(app.screen.query_one("#home").border_title)
        state = effective_status(permit.status, permit.valid_until, TODAY)
        permit_text = rendered(app, "#permit")
        assert permit.number in permit_text and PERMIT_LABELS[state] in permit_text
        assert permit.valid_until.isoformat() in permit_text
        table = app.screen.query_one("#history")
        assert table.row_count == len(requests)
        assert str(table.get_row_at(0)[0]) == requests[0].ticket  # newest first
        assert str(table.get_row_at(len(requests) - 1)[0]) == requests[-1].ticket
        assert f"共{len(requests)}件" in str(app.screen.query_one("#history-box").border_title)
        # F3 / F4 of the app act on this person; F7 offers the card and the open receipt
        assert card.person_on_screen() == person.id_number
        jobs = [(job.kind, job.key) for job in card.print_jobs()]
        assert jobs == [("permit", person.id_number), ("receipt", newest_open.ticket)]

    drive(app, steps)


def test_a_lapsing_permit_says_what_to_do(make_app: Any) -> None:
    """A permit in its endorsement window says so, with the last day and F4."""
    app = make_app()
    from forms.permits import endorsement_opens

    permit = next(
        p
        for p in Permit.select().where(Permit.status == "valid").order_by(Permit.id)
        if endorsement_opens(p.valid_until) <= TODAY <= p.valid_until
        and p == p.person.permits.order_by(Permit.id.desc()).first()
    )

    async def steps(pilot: Any) -> None:
        await open_card(pilot, permit.person.id_number)
        text = rendered(app, "#permit")
        assert "签注期已开始" in text
        assert f"请于{permit.valid_until.isoformat()}前办理居住证签注" in text
        assert "F4" in text

    drive(app, steps)


def test_f9_shows_the_full_id_and_records_the_look(make_app: Any) -> None:
    app = make_app()
    person = busy_person()
    before = AccessLog.select().where(AccessLog.person == person).count()

    async def steps(pilot: Any) -> None:
        from tui.screens.person import FULL_ID_WHAT

        await open_card(pilot, person.id_number)
        await pilot.press("f9")
        await settle(pilot)
        assert person.id_number in rendered(app, "#person")
        assert "已留痕" in rendered(app, "#person")
        logs = list(AccessLog.select().where(AccessLog.person == person).order_by(AccessLog.id))
        assert len(logs) == before + 1
        assert logs[-1].what == FULL_ID_WHAT and logs[-1].staff.code == "101"
        assert logs[-1].on == TODAY
        await pilot.press("f9")  # already shown: no second record
        await settle(pilot)
        assert AccessLog.select().where(AccessLog.person == person).count() == before + 1
        # it stays while the card is open (back from another screen it is still there)
        await pilot.press("f1")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert person.id_number in rendered(app, "#person")
        # closed and opened again: masked; Alt+I (the twin) shows and records it again
        await pilot.press("escape")
        await settle(pilot)
        await open_card(pilot, person.id_number)
        assert person.id_number not in rendered(app, "#person")
        await pilot.press("alt+i")
        await settle(pilot)
        assert person.id_number in rendered(app, "#person")
        assert AccessLog.select().where(AccessLog.person == person).count() == before + 2

    drive(app, steps)


def test_f1_lists_the_card_keys(make_app: Any) -> None:
    app = make_app()
    person = busy_person()

    async def steps(pilot: Any) -> None:
        await open_card(pilot, person.id_number)
        await pilot.press("f1")
        await settle(pilot)
        keys = text_of(app.screen.query_one("#screen-keys"))
        assert "F9 / Alt+I" in keys and "看全号" in keys
        assert "Alt+A" in keys and "本户加人" in keys
        assert "人员信息" in rendered(app, "#about")

    drive(app, steps)


def test_a_long_history_is_paged(make_app: Any) -> None:
    """The card reads a page of requests; Alt+M reads the next, continuing where it stopped."""
    app = make_app()
    person = busy_person()
    total = person.requests.count()
    assert total >= 3

    async def steps(pilot: Any) -> None:
        from tui.screens.person import PersonScreen

        screen = PersonScreen(person.id_number)
        screen.page_size = 2
        app.push_screen(screen)
        await settle(pilot)
        table = screen.query_one("#history")
        assert table.row_count == 2
        title = str(screen.query_one("#history-box").border_title)
        assert f"共{total}件" in title and "显示最近2件" in title
        while table.row_count < total:
            await pilot.press("alt+m")
            await settle(pilot)
        seen = [str(table.get_row_at(i)[0]) for i in range(table.row_count)]
        expected = [
            r.ticket for r in person.requests.order_by(Request.opened_at.desc(), Request.id.desc())
        ]
        assert seen == expected
        assert "显示最近" not in str(screen.query_one("#history-box").border_title)
        await pilot.press("alt+m")  # nothing more: the table stays as it is
        await settle(pilot)
        assert table.row_count == total

    drive(app, steps)


def test_enter_on_a_request_opens_it(make_app: Any) -> None:
    pytest.importorskip("tui.screens.request_detail")
    app = make_app()
    person = busy_person()
    newest = person.requests.order_by(Request.opened_at.desc(), Request.id.desc()).first()

    async def steps(pilot: Any) -> None:
        from tui.screens.request_detail import RequestScreen

        await open_card(pilot, person.id_number)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RequestScreen)
        assert app.screen.ticket_on_screen() == newest.ticket

    drive(app, steps)


def test_f7_prints_the_permit_card_and_the_receipt(make_app: Any) -> None:
    app = make_app()
    person = busy_person()
    permit = person.permits.order_by(Permit.id.desc()).first()

    async def steps(pilot: Any) -> None:
        await open_card(pilot, person.id_number)
        await pilot.press("f7")
        await settle(pilot)
        await pilot.press("enter")
        for _ in range(40):
            await settle(pilot)
            if len(app.printed_files) >= 2:
                break
        kinds = sorted(p.job.kind for p in app.printed_files)
        assert kinds == ["permit", "receipt"]
        card = next(p for p in app.printed_files if p.job.kind == "permit")
        assert permit.number in Path(card.path).name and Path(card.path).stat().st_size > 1000

    drive(app, steps)


def test_an_unknown_id_says_so_and_offers_registration(make_app: Any) -> None:
    app = make_app()
    number = fresh_id(dt.date(1990, 5, 6), 11)

    async def steps(pilot: Any) -> None:
        from tui.screens.person import PersonScreen

        app.push_screen(PersonScreen(number))
        await settle(pilot)
        assert "未找到" in rendered(app, "#error")
        assert "F5" in rendered(app, "#person")
        assert app.screen.person_on_screen() is None
        assert app.screen.print_jobs() == []

    drive(app, steps)


# ───────────────────────── registration ─────────────────────────


def test_register_a_household_and_two_people_by_keys(make_app: Any) -> None:
    app = make_app()
    head_id = fresh_id(dt.date(1976, 4, 9), 31)  # odd serial: male
    wife_id = fresh_id(dt.date(1979, 10, 2), 42)  # even: female
    households = Household.select().count()

    async def steps(pilot: Any) -> None:
        from tui.screens.person import PersonScreen
        from tui.screens.register import RegisterScreen

        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, RegisterScreen)
        community = app.ctx.desk.community
        assert screen.query_one("#hh-community").value == community  # this counter's default
        await fill_in(pilot, "洞河镇楸园村", "", "", "第2网格", "7", "1", "502", "20190618")
        await type_text(pilot, "13991550123")
        await pilot.press("enter")  # Enter on the last field saves
        await settle(pilot)
        assert Household.select().count() == households + 1
        assert screen.household is not None
        assert app.focused is screen.query_one("#p-name")
        assert screen.query_one("#p-relation").value == "户主"  # the head first
        await fill_in(pilot, "周德全")
        await type_text(pilot, head_id)
        await settle(pilot)
        assert "号码有效" in rendered(app, "#p-id_number .id-check")
        assert "男" in rendered(app, "#p-facts") and "1976-04-09" in rendered(app, "#p-facts")
        await pilot.press("enter")
        await fill_in(pilot, "", "", "")  # relation 户主, ethnicity 汉族, no phone: saves
        await settle(pilot)
        assert screen.query_one("#members").row_count == 1
        assert screen.query_one("#p-relation").value == ""  # the head is there now
        await fill_in(pilot, "胡秀英", wife_id, "妻", "土家", "13800001111")
        await settle(pilot)
        assert screen.query_one("#members").row_count == 2
        assert "本户成员 2人" in str(screen.query_one("#members-box").border_title)
        await pilot.press("alt+o")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_on_screen() == head_id
        assert "胡秀英" in rendered(app, "#household")

    drive(app, steps)
    household = Household.select().order_by(Household.id.desc()).first()
    assert household.origin_village == "洞河镇楸园村"
    assert household.site == household.community  # empty site: the community
    assert (household.grid, household.building, household.unit, household.room) == (
        "第2网格",
        "7",
        "1",
        "502",
    )
    assert household.moved_in == dt.date(2019, 6, 18) and household.phone == "13991550123"
    head, wife = list(household.members.order_by(Person.id))
    assert (head.name, head.id_number, head.sex, head.birth_date) == (
        "周德全",
        head_id,
        "男",
        dt.date(1976, 4, 9),
    )
    assert (head.relation, head.relation_code, head.ethnicity) == ("户主", "02", "汉族")
    assert (wife.name, wife.sex, wife.birth_date) == ("胡秀英", "女", dt.date(1979, 10, 2))
    assert (wife.relation_code, wife.ethnicity, wife.phone) == ("12", "土家族", "13800001111")
    assert household.community == head.household.community


def test_a_refused_household_field_is_named_under_it(make_app: Any) -> None:
    app = make_app()
    households = Household.select().count()

    async def steps(pilot: Any) -> None:
        await pilot.press("f5")
        await settle(pilot)
        await fill_in(pilot, "洞河镇楸园村", "", "", "", "", "", "", "2019-13-40")
        await type_text(pilot, "12345")
        await pilot.press("f9")
        await settle(pilot)
        assert "入住日期" in rendered(app, "#hh-moved_in-error")
        assert app.focused is app.screen.query_one("#hh-moved_in")
        app.screen.query_one("#hh-moved_in").value = "２０１９／０６／１８"  # full-width form
        await pilot.press("f9")
        await settle(pilot)
        assert "联系电话" in rendered(app, "#hh-phone-error")
        assert not app.screen.query_one("#hh-moved_in-error").has_class("shown")
        assert app.screen.query_one("#hh-origin_village").value == "洞河镇楸园村"  # kept
        assert app.screen.query_one("#hh-phone").value == "12345"
        assert Household.select().count() == households
        app.screen.query_one("#hh-phone").value = ""
        await pilot.press("f9")
        await settle(pilot)
        assert Household.select().count() == households + 1

    drive(app, steps)
    assert Household.select().order_by(Household.id.desc()).first().moved_in == dt.date(2019, 6, 18)


def existing_household() -> Household:
    return Household.select().order_by(Household.id).first()


def test_a_bad_id_names_its_exact_problem_and_writes_nothing(make_app: Any) -> None:
    app = make_app()
    household = existing_household()
    people = Person.select().count()
    good = fresh_id(dt.date(2001, 2, 3), 55)
    right = check_digit(good[:17])
    wrong = "0" if right != "0" else "1"

    async def steps(pilot: Any) -> None:
        from tui.screens.register import RegisterScreen

        app.push_screen(RegisterScreen(household_number=household.number))
        await settle(pilot)
        check = "#p-id_number .id-check"
        await fill_in(pilot, "周小龙")
        await type_text(pilot, "6109")
        assert "已输入4/18位" in rendered(app, check)
        await type_text(pilot, "24200113")
        assert "出生月份不存在：13月" in rendered(app, check)
        for _ in range(2):
            await pilot.press("backspace")
        await type_text(pilot, good[10:17])
        assert "已输入17/18位" in rendered(app, check) and "2001-02-03生" in rendered(app, check)
        await type_text(pilot, wrong)
        assert f"校验位错误（末位应为{right}）" in rendered(app, check)
        assert "自动读出" in rendered(app, "#p-facts")  # nothing filled from a bad number
        await pilot.press("enter")
        await fill_in(pilot, "次子")  # through ethnicity and phone: Enter on the last saves
        await pilot.press("enter", "enter")
        await settle(pilot)
        await pilot.press("f9")
        await settle(pilot)
        assert f"末位应为{right}" in rendered(app, check)
        assert Person.select().count() == people  # nothing written
        assert app.screen.query_one("#p-name").value == "周小龙"  # nothing lost
        assert app.screen.query_one("#p-relation").value == "次子"
        # a region no province has, as soon as its two digits are typed
        app.screen.query_one("#p-id_number").value = "99"
        await settle(pilot)
        assert "地区码无效：99" in rendered(app, check)

    drive(app, steps)


def test_a_duplicate_id_shows_the_refusal_and_keeps_the_form(make_app: Any) -> None:
    app = make_app()
    household = existing_household()
    taken = Person.select().where(Person.household != household).order_by(Person.id).first()
    people = Person.select().count()

    async def steps(pilot: Any) -> None:
        from tui.screens.register import RegisterScreen

        app.push_screen(RegisterScreen(household_number=household.number))
        await settle(pilot)
        await fill_in(pilot, "周小虎", taken.id_number.lower(), "弟", "", "13812345678")
        await settle(pilot)
        problem = rendered(app, "#p-id_number .id-check")
        assert "已登记" in problem and mask_id(taken.id_number) in problem
        assert taken.household.number in problem
        assert app.focused is app.screen.query_one("#p-id_number").input
        assert Person.select().count() == people
        values = app.screen.person_values()
        assert values["name"] == "周小虎" and values["relation"] == "弟"
        assert values["id_number"] == taken.id_number.lower()
        assert values["phone"] == "13812345678" and values["ethnicity"] == "汉族"
        # a second head is refused under the relation field
        app.screen.query_one("#p-id_number").value = fresh_id(dt.date(1999, 9, 9), 13)
        app.screen.query_one("#p-relation").value = "户主"
        await pilot.press("f9")
        await settle(pilot)
        assert "已有户主" in rendered(app, "#p-relation-error")
        assert Person.select().count() == people

    drive(app, steps)


def test_alt_a_adds_a_member_from_the_card_and_comes_back(make_app: Any) -> None:
    app = make_app()
    head = Person.select().where(Person.relation_code == "02").order_by(Person.id).first()
    newborn = fresh_id(dt.date(2025, 12, 1), 22)

    async def steps(pilot: Any) -> None:
        from tui.screens.register import RegisterScreen

        card = await open_card(pilot, head.id_number)
        await pilot.press("alt+a")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        members = head.household.members.count()
        assert app.screen.query_one("#members").row_count == members
        await fill_in(pilot, "周安安", newborn, "孙女", "", "")
        await settle(pilot)
        assert app.screen.query_one("#members").row_count == members + 1
        await pilot.press("alt+o")
        await settle(pilot)
        assert app.screen is card  # back to the head's own card, reloaded
        assert "周安安" in rendered(app, "#household") and "孙女" in rendered(app, "#household")

    drive(app, steps)
    added = Person.get(Person.id_number == newborn)
    assert (added.household.id, added.sex, added.relation_code) == (head.household.id, "女", "42")


def test_finish_needs_a_head_and_esc_asks_before_dropping_typing(make_app: Any) -> None:
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.register import RegisterScreen

        await pilot.press("f5")
        await settle(pilot)
        await fill_in(pilot, "洞河镇楸园村", "", "", "", "", "", "", "2020-01-01")
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.household is not None
        await pilot.press("alt+o")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        assert "请先登记户主" in rendered(app, "#error")
        await type_text(pilot, "周")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.query_one("#p-name").value == "周"

    drive(app, steps)


# ───────────────────────── what fits ─────────────────────────
@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
def test_both_screens_fit(make_app: Any, size: tuple[int, int], tmp_path: Path) -> None:
    """At 80x24 and 120x36 every box closes on screen, the key facts are visible, and the
    screenshots are kept for a look (tmp_path)."""
    app = make_app()
    person = busy_person()
    permit = person.permits.order_by(Permit.id.desc()).first()

    async def steps(pilot: Any) -> None:
        await open_card(pilot, person.id_number)
        await pilot.press("f9")
        await settle(pilot)
        app.save_screenshot(filename=f"person-{size[0]}x{size[1]}.svg", path=str(tmp_path))
        text = screen_text(app)
        lines = text.splitlines()
        assert len(lines) == size[1]
        assert text.count("╭") == text.count("╰") == 3  # three boxes, each closed on screen
        for fact in (person.name, person.id_number, permit.number, "办件记录", "看全号"):
            assert fact in text
        history_rows = sum(1 for line in lines if "-20" in line and "│  " in line)
        assert history_rows >= 4  # the table keeps room for requests at 80x24
        await pilot.press("f5")
        await settle(pilot)
        await fill_in(pilot, "洞河镇楸园村", "", "", "", "", "", "", "2020-01-01")
        await pilot.press("enter")
        await settle(pilot)
        await fill_in(pilot, "周德全")
        first17 = "61092419760409031"
        await type_text(pilot, first17 + ("0" if check_digit(first17) != "0" else "1"))
        await settle(pilot)
        app.save_screenshot(filename=f"register-{size[0]}x{size[1]}.svg", path=str(tmp_path))
        text = screen_text(app)
        assert text.count("╭") == text.count("╰") == 2
        for fact in ("姓名", "身份证号", "末位应为", "与户主关系", "民族", "联系电话", "本户成员"):
            assert fact in text
        check_line = next(line for line in text.splitlines() if "末位应为" in line)
        assert check_line.rstrip().endswith("│")  # the problem is not cut by the border

    drive(app, steps, size=size)
    assert (tmp_path / f"person-{size[0]}x{size[1]}.svg").stat().st_size > 1000


def test_ascii_borders_keep_one_line_per_field(make_app: Any) -> None:
    """Consoles whose CJK fonts draw box characters wide use ASCII borders: the forms still
    take one line per field at 80x24 (the app's bordered-Input rule does not reach them)."""
    app = make_app(ascii_borders=True, high_contrast=True)

    async def steps(pilot: Any) -> None:
        await pilot.press("f5")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        top = next(i for i, line in enumerate(lines) if "登记搬迁户 --" in line)
        bottom = next(i for i in range(top + 1, len(lines)) if lines[i].startswith("+---"))
        assert bottom - top - 1 == 9  # nine fields, nine lines
        inside = lines[top + 1 : bottom]
        assert not any("+--" in line for line in inside)  # no field drawn as a clipped box
        assert app.ctx.desk.community in inside[1] and "迁入社区" in inside[1]
        assert "联系电话" in inside[-1]

    drive(app, steps, size=(80, 24))


# ───────────────────────── fixes from the clerk's trial ─────────────────────────
async def alt(pilot: Any, letter: str) -> None:
    """Alt+letter as a terminal sends it: ESC then the letter, which Textual's parser turns into
    Key("alt+o", "o") (a printable character, which an Input types). Pilot's press sends no
    character, so it would not show the fault."""
    from textual import events

    pilot.app.post_message(events.Key(f"alt+{letter}", letter))
    await pilot.pause()


def test_alt_keys_act_with_a_text_field_focused_and_type_nothing(make_app: Any) -> None:
    """Alt+W saves and Alt+O finishes while 姓名 or 迁出村 has the focus; no letter is typed."""
    app = make_app()
    head_id = fresh_id(dt.date(1980, 3, 3), 33)
    households = Household.select().count()

    async def steps(pilot: Any) -> None:
        from tui.screens.person import PersonScreen

        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        village = screen.query_one("#hh-origin_village")
        await type_text(pilot, "洞河镇楸园村")
        assert app.focused is village
        await alt(pilot, "o")  # before the household is saved: says what to do first
        await settle(pilot)
        assert village.value == "洞河镇楸园村"
        assert "请先保存搬迁户" in rendered(app, "#error")
        app.screen.query_one("#hh-moved_in").value = "2020-01-01"
        await alt(pilot, "w")
        await settle(pilot)
        assert village.value == "洞河镇楸园村"
        assert Household.select().count() == households + 1  # saved by Alt+W
        name = screen.query_one("#p-name")
        assert app.focused is name
        await type_text(pilot, "周德")
        await alt(pilot, "w")  # saves the member: refused (no ID), nothing typed
        await settle(pilot)
        assert name.value == "周德"
        assert "身份证" in rendered(app, "#p-id_number .id-check")
        await type_text(pilot, "全")
        screen.query_one("#p-id_number").value = head_id
        name.focus()
        await alt(pilot, "w")
        await settle(pilot)
        assert screen.query_one("#members").row_count == 1
        assert app.focused is name and name.value == ""
        await alt(pilot, "o")
        await settle(pilot)
        assert isinstance(app.screen, PersonScreen)
        assert app.screen.person_on_screen() == head_id

    drive(app, steps)


def test_esc_on_a_household_without_members_says_it_is_saved_and_how_to_find_it(
    make_app: Any,
) -> None:
    app = make_app()

    async def steps(pilot: Any) -> None:
        from tui.screens.dialogs import ConfirmDialog
        from tui.screens.home import HomeScreen

        await pilot.press("f5")
        await settle(pilot)
        await fill_in(pilot, "洞河镇楸园村", "", "", "", "", "", "", "2020-01-01")
        await pilot.press("f9")
        await settle(pilot)
        number = app.screen.household["number"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog)
        question = rendered(app, "#question")
        assert f"搬迁户 {number} 已保存" in question and "还没有登记任何成员" in question
        assert f"首页查找框输入 {number}" in question
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)

    drive(app, steps)


def test_the_home_box_finds_a_household_by_number_and_opens_it(make_app: Any) -> None:
    """A household left without members is found from the home box and opened to add them."""
    from db.people import add_household

    app = make_app()
    community = Household.select().order_by(Household.id).first().community
    empty = add_household(
        origin_village="洞河镇楸园村", community=community, moved_in=TODAY, today=TODAY
    )

    async def steps(pilot: Any) -> None:
        from tui.screens.register import RegisterScreen

        await type_text(pilot, empty.number.lower())
        await pilot.pause(0.4)
        await settle(pilot)
        hits = app.screen.query_one("#hits")
        assert hits.option_count == 1
        line = str(hits.get_option_at_index(0).prompt)
        assert line.startswith(f"搬迁户 {empty.number}") and f"{community} 0人" in line
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RegisterScreen)
        assert app.screen.household["number"] == empty.number  # type: ignore[index]
        assert app.focused is app.screen.query_one("#p-name")
        assert app.screen.query_one("#p-relation").value == "户主"

    drive(app, steps)


def test_every_household_field_problem_shows_at_once(make_app: Any) -> None:
    app = make_app()
    households = Household.select().count()

    async def steps(pilot: Any) -> None:
        await pilot.press("f5")
        await settle(pilot)
        screen = app.screen
        screen.query_one("#hh-community").value = ""
        screen.query_one("#hh-moved_in").value = "2019-13-40"
        screen.query_one("#hh-phone").value = "12345"
        screen.query_one("#hh-grid").value = "网" * 31
        await pilot.press("f9")
        await settle(pilot)
        for key, words in (
            ("origin_village", "迁出村"),
            ("community", "迁入社区"),
            ("grid", "网格"),
            ("moved_in", "入住日期"),
            ("phone", "联系电话"),
        ):
            assert words in rendered(app, f"#hh-{key}-error"), key
            assert screen.query_one(f"#hh-{key}-error").has_class("shown")
        for key in ("site", "building", "unit", "room"):
            assert not screen.query_one(f"#hh-{key}-error").has_class("shown")
        assert app.focused is screen.query_one("#hh-origin_village")  # the first at fault
        assert Household.select().count() == households
        # a date after today is named too, before the database is asked
        screen.query_one("#hh-moved_in").value = (TODAY + dt.timedelta(days=1)).isoformat()
        await pilot.press("f9")
        await settle(pilot)
        assert "晚于今天" in rendered(app, "#hh-moved_in-error")
        assert "迁出村" in rendered(app, "#hh-origin_village-error")

    drive(app, steps)


def test_a_relation_of_the_other_sex_is_refused_under_the_relation(make_app: Any) -> None:
    app = make_app()
    household = existing_household()
    son = fresh_id(dt.date(2000, 1, 1), 57)  # odd: male
    people = Person.select().count()

    async def steps(pilot: Any) -> None:
        from tui.screens.register import RegisterScreen

        app.push_screen(RegisterScreen(household_number=household.number))
        await settle(pilot)
        await fill_in(pilot, "周小军", son, "长女", "", "")
        await settle(pilot)
        assert "与户主关系“长女”应为女性" in rendered(app, "#p-relation-error")
        assert app.focused is app.screen.query_one("#p-relation")
        assert Person.select().count() == people
        assert app.screen.query_one("#p-name").value == "周小军"

    drive(app, steps)
