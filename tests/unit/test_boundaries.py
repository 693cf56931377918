"""Every date, age and count rule at its edges: the day before, the first day, the last day, the
day after. Each table row is one edge, so turning a `<` into `<=` in a rule fails a named row.

Pure tests call the rules in forms/ directly; the database tests (both engines) check that the
operations in db/ keep the same edges.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import peewee
import pytest

from db import permits as permit_ops
from db import requests as ops
from db.models import Permit, PermitEvent, Request, RequestEvent
from db.people import add_household, add_person
from db.setup import Desk
from db.views import is_overdue
from forms import permits as rules
from forms.catalogue import Catalogue, Conditions, Service
from forms.citizen_id import age_on, check_digit, make_citizen_id, mask_id, parse_citizen_id
from forms.errors import CounterError
from forms.scope import Decision, HouseholdFacts, PermitFacts, PersonFacts, check_scope
from forms.status import OPEN_STATUSES, STATUS_LABELS
from forms.workdays import add_working_days, is_working_day, working_days_between
from tests.conftest import HOME, IdMaker

D = dt.date
TODAY = D(2026, 11, 27)  # a Friday


def case(*values: object, id: str) -> object:
    return pytest.param(*values, id=id)


# ── forms/permits.py: validity, the endorsement window, lapse ──


@pytest.mark.parametrize(
    ("start", "valid_until"),
    [
        case(D(2026, 11, 27), D(2027, 11, 26), id="ordinary-day"),
        case(D(2026, 1, 1), D(2026, 12, 31), id="new-year-ends-on-new-years-eve"),
        case(D(2026, 3, 1), D(2027, 2, 28), id="1-march-before-a-common-february"),
        case(D(2027, 3, 1), D(2028, 2, 29), id="1-march-before-a-leap-february"),
        case(D(2028, 2, 29), D(2029, 2, 28), id="29-february-start"),
        case(D(2028, 2, 28), D(2029, 2, 27), id="28-february-of-a-leap-year"),
        case(D(2027, 2, 28), D(2028, 2, 27), id="28-february-before-a-leap-year"),
    ],
)
def test_valid_until_is_the_day_before_the_anniversary(
    start: dt.date, valid_until: dt.date
) -> None:
    assert rules.valid_until_for(start) == valid_until


@pytest.mark.parametrize(
    ("valid_until", "opens"),
    [
        case(D(2027, 11, 26), D(2027, 10, 27), id="ordinary"),
        case(D(2027, 3, 30), D(2027, 2, 28), id="31-march-anniversary-clips-to-28-february"),
        case(D(2028, 3, 30), D(2028, 2, 29), id="31-march-anniversary-clips-to-29-february"),
        case(D(2027, 5, 30), D(2027, 4, 30), id="31-may-anniversary-clips-to-30-april"),
        case(D(2027, 1, 15), D(2026, 12, 16), id="window-opens-the-year-before"),
        case(D(2028, 2, 29), D(2028, 2, 1), id="valid-until-29-february"),
        case(D(2027, 12, 31), D(2027, 12, 1), id="anniversary-1-january"),
        case(D(2027, 7, 30), D(2027, 6, 30), id="31-july-anniversary-clips-to-30-june"),
        case(D(2027, 8, 30), D(2027, 7, 31), id="31-august-anniversary-keeps-31-july"),
    ],
)
def test_endorsement_opens_one_month_before_the_anniversary(
    valid_until: dt.date, opens: dt.date
) -> None:
    assert rules.endorsement_opens(valid_until) == opens


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        case(D(2027, 1, 31), 1, D(2027, 2, 28), id="forward-clips"),
        case(D(2026, 12, 15), 1, D(2027, 1, 15), id="forward-over-new-year"),
        case(D(2027, 3, 31), -13, D(2026, 2, 28), id="back-more-than-a-year"),
        case(D(2027, 3, 15), 0, D(2027, 3, 15), id="zero"),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert rules.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        case(D(2028, 2, 29), 1, D(2029, 3, 1), id="29-february-to-1-march"),
        case(D(2028, 2, 29), 4, D(2032, 2, 29), id="29-february-to-29-february"),
        case(D(2026, 2, 28), 60, D(2086, 2, 28), id="ordinary"),
    ],
)
def test_add_years(day: dt.date, years: int, expected: dt.date) -> None:
    assert rules.add_years(day, years) == expected


VALID_UNTIL = D(2027, 3, 30)  # issued 2026-03-31; the window opens 2027-02-28


@pytest.mark.parametrize(
    ("stored", "today", "expected"),
    [
        case("valid", D(2026, 3, 31), "valid", id="issue-day"),
        case("valid", VALID_UNTIL, "valid", id="last-valid-day"),
        case("valid", D(2027, 3, 31), "lapsed", id="the-day-after"),
        case("valid", D(2030, 1, 1), "lapsed", id="years-after"),
        case("revoked", D(2026, 4, 1), "revoked", id="revoked-stays-revoked"),
        case("replaced", D(2028, 1, 1), "replaced", id="replaced-never-lapses"),
    ],
)
def test_effective_status_on_each_side_of_valid_until(
    stored: str, today: dt.date, expected: str
) -> None:
    assert rules.effective_status(stored, VALID_UNTIL, today) == expected


RESIDENCE = D(2019, 5, 1)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        case(D(2027, 2, 28), rules.Endorsement(D(2028, 3, 30), RESIDENCE, late=False), id="first-day-of-window"),
        case(D(2027, 3, 1), rules.Endorsement(D(2028, 3, 30), RESIDENCE, late=False), id="second-day-of-window"),
        case(VALID_UNTIL, rules.Endorsement(D(2028, 3, 30), RESIDENCE, late=False), id="last-valid-day"),
        case(D(2027, 3, 31), rules.Endorsement(D(2028, 3, 30), D(2027, 3, 31), late=True), id="day-after-is-late-and-restarts-residence"),
        case(D(2027, 6, 2), rules.Endorsement(D(2028, 6, 1), D(2027, 6, 2), late=True), id="months-late"),
    ],
)  # fmt: skip
def test_endorse_inside_and_after_the_window(day: dt.date, expected: rules.Endorsement) -> None:
    assert rules.endorse("valid", VALID_UNTIL, RESIDENCE, day) == expected


def test_endorse_the_day_before_the_window_is_refused_with_the_first_day() -> None:
    with pytest.raises(CounterError) as info:
        rules.endorse("valid", VALID_UNTIL, RESIDENCE, D(2027, 2, 27))
    assert "2027-02-28" in info.value.zh and "2027-02-28" in info.value.en
    assert VALID_UNTIL.isoformat() in info.value.zh


def test_endorse_on_time_at_29_february() -> None:
    # Valid until 29 Feb 2028: the on-time endorsement runs to the day before 1 March 2029.
    result = rules.endorse("valid", D(2028, 2, 29), RESIDENCE, D(2028, 2, 1))
    assert result == rules.Endorsement(D(2029, 2, 28), RESIDENCE, late=False)
    with pytest.raises(CounterError):
        rules.endorse("valid", D(2028, 2, 29), RESIDENCE, D(2028, 1, 31))


@pytest.mark.parametrize("stored", ["revoked", "replaced"])
@pytest.mark.parametrize("day", [D(2027, 2, 28), VALID_UNTIL, D(2027, 3, 31)], ids=str)
def test_closed_permits_are_never_endorsed(stored: str, day: dt.date) -> None:
    with pytest.raises(CounterError) as info:
        rules.endorse(stored, VALID_UNTIL, RESIDENCE, day)
    assert rules.STATUS_LABELS[stored] in info.value.zh and stored in info.value.en


# ── forms/citizen_id.py: age, birth date, check digit ──


@pytest.mark.parametrize(
    ("birth", "day", "age"),
    [
        case(D(1966, 11, 27), D(2026, 11, 26), 59, id="day-before-60th-birthday"),
        case(D(1966, 11, 27), D(2026, 11, 27), 60, id="60th-birthday"),
        case(D(1966, 11, 27), D(2026, 11, 28), 60, id="day-after-60th-birthday"),
        case(D(1966, 12, 1), D(2026, 11, 30), 59, id="birthday-next-month"),
        case(D(1966, 10, 31), D(2026, 11, 1), 60, id="birthday-last-month"),
        case(D(2008, 2, 29), D(2026, 2, 28), 17, id="29-february-not-yet-on-28-february"),
        case(D(2008, 2, 29), D(2026, 3, 1), 18, id="29-february-counts-on-1-march"),
        case(D(2008, 2, 29), D(2028, 2, 28), 19, id="29-february-leap-year-day-before"),
        case(D(2008, 2, 29), D(2028, 2, 29), 20, id="29-february-in-a-leap-year"),
        case(D(2026, 11, 27), D(2026, 11, 27), 0, id="born-today"),
    ],
)
def test_age_on_each_side_of_a_birthday(birth: dt.date, day: dt.date, age: int) -> None:
    assert age_on(birth, day) == age
    number = make_citizen_id("610924", birth, 31)
    assert parse_citizen_id(number, max(day, birth)).age_on(day) == age


@pytest.mark.parametrize(
    ("birth", "accepted"),
    [
        case(TODAY, True, id="born-today"),
        case(TODAY + dt.timedelta(days=1), False, id="born-tomorrow"),
        case(D(1900, 1, 1), True, id="1-january-1900"),
        case(D(1899, 12, 31), False, id="31-december-1899"),
    ],
)
def test_birth_date_bounds(birth: dt.date, accepted: bool) -> None:
    number = make_citizen_id("610924", birth, 31)
    if accepted:
        assert parse_citizen_id(number, TODAY).birth_date == birth
    else:
        with pytest.raises(CounterError, match="不合理"):
            parse_citizen_id(number, TODAY)


def test_the_real_today_is_the_default_bound() -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    with pytest.raises(CounterError, match="不合理"):
        parse_citizen_id(make_citizen_id("610924", tomorrow, 31))
    assert parse_citizen_id(make_citizen_id("610924", D(2000, 1, 1), 31)).sex == "男"


def _iso7064_check(first17: str) -> str:
    """ISO 7064 MOD 11-2, written out from the standard (not from forms.citizen_id)."""
    total = sum(int(ch) * pow(2, 17 - i, 11) for i, ch in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


CHECK_EXAMPLES = {
    "0": "61092419580312103",
    "1": "61092419580312108",
    "2": "61092419580312102",
    "3": "61092419580312107",
    "4": "61092419580312101",
    "5": "61092419580312106",
    "6": "61092419580312100",
    "7": "61092419580312105",
    "8": "61092419580312118",
    "9": "61092419580312104",
    "X": "11010519491231002",  # the worked example of GB 11643-1999
}


@pytest.mark.parametrize(("expected", "first17"), CHECK_EXAMPLES.items(), ids=CHECK_EXAMPLES)
def test_every_check_character(expected: str, first17: str) -> None:
    assert _iso7064_check(first17) == expected  # the table itself is right
    assert check_digit(first17) == expected
    assert parse_citizen_id(first17 + expected, TODAY).number == first17 + expected


@pytest.mark.parametrize("length", [16, 18], ids=["16-digits", "18-digits"])
def test_check_digit_takes_exactly_17_digits(length: int) -> None:
    with pytest.raises(ValueError):
        check_digit("6" * length)


@pytest.mark.parametrize(
    ("first17", "sex"),
    [
        case("61092419580312030", "女", id="17th-digit-0"),
        case("61092419580312032", "女", id="17th-digit-2"),
        case("61092419580312011", "男", id="17th-digit-1"),
        case("61092419580312019", "男", id="17th-digit-9"),
    ],
)
def test_sex_is_the_parity_of_the_17th_digit(first17: str, sex: str) -> None:
    fixed = first17 + check_digit(first17)
    assert parse_citizen_id(fixed, TODAY).sex == sex


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        case("61092419580312031", "18位", id="17-characters"),
        case("6109241958031203100", "18位", id="19-characters"),
        case("", "（空）", id="empty"),
        case("6109241958031203X0", "前17位", id="x-not-last"),
        case("61092419580312031Y", "前17位", id="y-last"),
    ],
)
def test_length_and_characters(raw: str, fragment: str) -> None:
    with pytest.raises(CounterError) as info:
        parse_citizen_id(raw, TODAY)
    assert fragment in info.value.zh


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        case("610924195803120310", "610924********0310", id="eighteen"),
        case("61092419580312", "**************", id="short-all-hidden"),
        case("", "", id="empty"),
    ],
)
def test_mask_id(number: str, masked: str) -> None:
    assert mask_id(number) == masked


@pytest.mark.parametrize(
    ("raw", "zh", "en"),
    [
        case("", "身份证号码应为18位，当前为0位：（空）", "citizen ID must have 18 characters, got 0: (empty)", id="empty"),
        case("123", "身份证号码应为18位，当前为3位：123", "citizen ID must have 18 characters, got 3: 123", id="short"),
        case("6109241958031203A0", "身份证号码前17位须为数字，末位为数字或X：6109241958031203A0", "citizen ID must be 17 digits then a digit or X: 6109241958031203A0", id="letter"),
        case("990924195803120310", "身份证号码的地区码无效：990924", "citizen ID has an unknown region code: 990924", id="region"),
        case("610924195802300310", "身份证号码中的出生日期不存在：19580230", "citizen ID holds an impossible birth date: 19580230", id="no-such-date"),
        case("610924189912310310", "身份证号码中的出生日期不合理：1899-12-31", "citizen ID birth date is out of range: 1899-12-31", id="too-old"),
        case("610924195803120311", "身份证号码校验位错误（末位应为0），请核对证件：610924195803120311", "citizen ID check digit is wrong (expected 0): 610924195803120311", id="check-digit"),
    ],
)  # fmt: skip
def test_each_refusal_in_full(raw: str, zh: str, en: str) -> None:
    with pytest.raises(CounterError) as info:
        parse_citizen_id(raw, TODAY)
    assert (info.value.zh, info.value.en) == (zh, en)


def test_the_check_digit_is_compared_after_upper_casing() -> None:
    number = "11010519491231002X"
    assert parse_citizen_id(" " + number.lower() + " ", TODAY).number == number
    with pytest.raises(CounterError, match="末位应为X"):
        parse_citizen_id(number[:17] + "0", TODAY)


# ── forms/workdays.py: the 2026 State Council schedule ──
# 2026: 中秋节 25–27 Sept; 国庆节 1–7 Oct with 调休 on Sunday 20 Sept and Saturday 10 Oct
# (国办发明电〔2025〕7号), as carried by the holidays package.


@pytest.mark.parametrize(
    ("day", "working"),
    [
        case(D(2026, 9, 19), False, id="ordinary-saturday"),
        case(D(2026, 9, 20), True, id="make-up-sunday-20-sept"),
        case(D(2026, 9, 25), False, id="mid-autumn-friday"),
        case(D(2026, 9, 30), True, id="eve-of-national-day"),
        case(D(2026, 10, 1), False, id="national-day"),
        case(D(2026, 10, 7), False, id="last-day-of-the-break"),
        case(D(2026, 10, 8), True, id="first-day-back"),
        case(D(2026, 10, 10), True, id="make-up-saturday-10-oct"),
        case(D(2026, 10, 11), False, id="sunday-after"),
    ],
)
def test_is_working_day_in_autumn_2026(day: dt.date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        case(TODAY, 0, TODAY, id="zero-is-the-same-day"),
        case(D(2026, 10, 3), 0, D(2026, 10, 3), id="zero-even-on-a-holiday"),
        case(TODAY, 1, D(2026, 11, 30), id="friday-plus-one-is-monday"),
        case(D(2026, 11, 26), 1, TODAY, id="thursday-plus-one-is-friday"),
        case(TODAY, 5, D(2026, 12, 4), id="a-week"),
        case(D(2026, 9, 18), 1, D(2026, 9, 20), id="friday-plus-one-is-the-make-up-sunday"),
        case(D(2026, 9, 24), 1, D(2026, 9, 28), id="over-mid-autumn"),
        case(D(2026, 9, 30), 1, D(2026, 10, 8), id="over-national-day"),
        case(D(2026, 9, 30), 2, D(2026, 10, 9), id="national-day-plus-two"),
        case(D(2026, 9, 30), 3, D(2026, 10, 10), id="lands-on-the-make-up-saturday"),
        case(D(2026, 9, 30), 4, D(2026, 10, 12), id="skips-the-sunday-after"),
        case(D(2026, 10, 3), 1, D(2026, 10, 8), id="accepted-during-the-break"),
    ],
)
def test_add_working_days(start: dt.date, days: int, expected: dt.date) -> None:
    assert add_working_days(start, days) == expected


def test_a_negative_count_is_refused() -> None:
    with pytest.raises(ValueError, match=r"^days must not be negative$"):
        add_working_days(TODAY, -1)


@pytest.mark.parametrize(
    ("start", "end", "count"),
    [
        case(TODAY, TODAY, 0, id="same-day"),
        case(TODAY, D(2026, 11, 26), 0, id="end-before-start"),
        case(TODAY, D(2026, 11, 29), 0, id="friday-to-sunday"),
        case(TODAY, D(2026, 11, 30), 1, id="friday-to-monday"),
        case(D(2026, 11, 26), TODAY, 1, id="thursday-to-friday"),
        case(D(2026, 9, 19), D(2026, 9, 20), 1, id="the-make-up-sunday-counts"),
        case(D(2026, 9, 30), D(2026, 10, 7), 0, id="the-whole-break"),
        case(D(2026, 9, 30), D(2026, 10, 10), 3, id="break-then-make-up-saturday"),
        case(D(2026, 9, 30), D(2026, 10, 11), 3, id="the-sunday-after-does-not-count"),
    ],
)
def test_working_days_between(start: dt.date, end: dt.date, count: int) -> None:
    assert working_days_between(start, end) == count


# ── forms/scope.py conditions: ages and residence ──

ADULT = PersonFacts("610924196611270314", "王德明", D(1966, 11, 27), "男", "户主")
HOUSEHOLD = HouseholdFacts("H000001", "洞河镇麻园村", HOME, D(2019, 5, 1), "王德明")
PERMIT = PermitFacts("610924-2026-000001", "valid", D(2027, 3, 30), D(2019, 5, 1), HOME)


def _with(service: Service, **conditions: object) -> Service:
    return dataclasses.replace(service, conditions=Conditions(**conditions))  # type: ignore[arg-type]


def _decide(service: Service, today: dt.date, **facts: object) -> Decision:
    args: dict[str, object] = {
        "person": ADULT,
        "household": HOUSEHOLD,
        "permit": PERMIT,
        "service": service,
        "counter_community": HOME,
        "today": today,
        "provided": ["all"],
    }
    args.update(facts)
    return check_scope(**args)  # type: ignore[arg-type]


def _rule(decision: Decision, rule: str) -> tuple[bool, str]:
    """(blocked by the rule?, its text)"""
    for reason in decision.blocking:
        if reason.rule == rule:
            return True, reason.text
    for reason in decision.reasons:
        if reason.rule == rule:
            return False, reason.text
    raise AssertionError(f"{rule} not among the reasons of {decision}")


@pytest.mark.parametrize(
    ("today", "blocked", "age"),
    [
        case(D(2026, 11, 26), True, 59, id="day-before-60th-birthday"),
        case(D(2026, 11, 27), False, 60, id="60th-birthday"),
        case(D(2026, 11, 28), False, 60, id="day-after"),
    ],
)
def test_min_age_60(catalogue: Catalogue, today: dt.date, blocked: bool, age: int) -> None:
    service = catalogue.find("城乡居民养老保险待遇领取")
    assert service.conditions.min_age == 60
    d = _decide(service, today)
    assert _rule(d, "AGE-MIN")[0] is blocked
    assert d.decision == ("refuse" if blocked else "handle")
    assert d.age == age and f"{age}周岁" in _rule(d, "AGE-MIN")[1]
    if blocked:
        assert "可于2026-11-27（年满60周岁）起办理" in d.remedy


def test_min_age_remedy_for_a_29_february_birthday(catalogue: Catalogue) -> None:
    leapling = dataclasses.replace(ADULT, birth_date=D(1968, 2, 29))
    service = _with(catalogue.find("城乡居民养老保险待遇领取"), min_age=60)
    d = _decide(service, D(2028, 2, 28), person=leapling)
    assert _rule(d, "AGE-MIN")[0] is True and "2028-02-29" in d.remedy
    assert _rule(_decide(service, D(2028, 2, 29), person=leapling), "AGE-MIN")[0] is False


@pytest.mark.parametrize(
    ("today", "blocked", "age"),
    [
        case(D(2026, 11, 26), False, 59, id="day-before-60th-birthday"),
        case(D(2026, 11, 27), True, 60, id="60th-birthday-is-past-59"),
        case(D(2027, 11, 27), True, 61, id="a-year-later"),
    ],
)
def test_max_age_59(catalogue: Catalogue, today: dt.date, blocked: bool, age: int) -> None:
    service = catalogue.find("城乡居民养老保险参保缴费")
    assert (service.conditions.min_age, service.conditions.max_age) == (16, 59)
    d = _decide(service, today)
    assert _rule(d, "AGE-MAX")[0] is blocked
    assert _rule(d, "AGE-MIN")[0] is False
    assert d.decision == ("refuse" if blocked else "handle")
    assert f"{age}周岁" in _rule(d, "AGE-MAX")[1]


@pytest.mark.parametrize(
    ("birth", "blocked"),
    [
        case(D(2010, 11, 28), True, id="day-before-16th-birthday"),
        case(D(2010, 11, 27), False, id="16th-birthday"),
    ],
)
def test_min_age_16_of_the_same_service(
    catalogue: Catalogue, birth: dt.date, blocked: bool
) -> None:
    young = dataclasses.replace(ADULT, birth_date=birth, relation="子")
    d = _decide(catalogue.find("城乡居民养老保险参保缴费"), TODAY, person=young)
    assert _rule(d, "AGE-MIN")[0] is blocked


def test_min_age_zero_is_still_a_condition(catalogue: Catalogue) -> None:
    # 0 is a real limit (not "no limit"): the check runs and is listed as met.
    service = _with(catalogue.find("城乡居民养老保险待遇领取"), min_age=0, max_age=0)
    baby = dataclasses.replace(ADULT, birth_date=TODAY, relation="女")
    d = _decide(service, TODAY, person=baby)
    assert _rule(d, "AGE-MIN") == (False, "当事人0周岁，已满0周岁")
    assert _rule(d, "AGE-MAX") == (False, "当事人0周岁，未超过0周岁")


VOTER = "选民登记"  # min_age 18, one year of residence


@pytest.mark.parametrize(
    ("since", "today", "blocked"),
    [
        case(D(2026, 3, 1), D(2027, 2, 28), True, id="day-before-the-anniversary"),
        case(D(2026, 3, 1), D(2027, 3, 1), False, id="the-anniversary"),
        case(D(2026, 3, 1), D(2027, 3, 2), False, id="the-day-after"),
        case(D(2024, 2, 29), D(2025, 2, 28), True, id="29-february-day-before-1-march"),
        case(D(2024, 2, 29), D(2025, 3, 1), False, id="29-february-reached-1-march"),
    ],
)
def test_one_year_of_residence(
    catalogue: Catalogue, since: dt.date, today: dt.date, blocked: bool
) -> None:
    service = catalogue.find(VOTER)
    assert service.conditions.min_residence_years == 1
    household = dataclasses.replace(HOUSEHOLD, moved_in=since)
    permit = dataclasses.replace(PERMIT, residence_since=since, valid_until=D(2027, 12, 31))
    d = _decide(service, today, household=household, permit=permit)
    assert _rule(d, "RESIDENCE")[0] is blocked
    assert "重新起算" not in _rule(d, "RESIDENCE")[1]  # residence since moving in
    if blocked:
        reached = rules.add_years(since, 1)
        assert f"可于{reached.isoformat()}（居住满1年）起办理" in d.remedy


def test_residence_without_a_permit_counts_from_moving_in(catalogue: Catalogue) -> None:
    # The permit rule refuses too; the residence rule must still judge from moved_in.
    household = dataclasses.replace(HOUSEHOLD, moved_in=D(2026, 3, 1))
    before = _decide(catalogue.find(VOTER), D(2027, 2, 28), household=household, permit=None)
    on = _decide(catalogue.find(VOTER), D(2027, 3, 1), household=household, permit=None)
    assert _rule(before, "RESIDENCE")[0] is True and _rule(on, "RESIDENCE")[0] is False
    assert "自2026-03-01起算，已满1年" in _rule(on, "RESIDENCE")[1]


@pytest.mark.parametrize(
    ("today", "blocked"),
    [
        case(D(2028, 3, 30), True, id="day-before-a-year-after-the-late-endorsement"),
        case(D(2028, 3, 31), False, id="a-year-after-the-late-endorsement"),
    ],
)
def test_residence_restarts_at_a_late_endorsement(
    catalogue: Catalogue, today: dt.date, blocked: bool
) -> None:
    # Moved in 2019; the permit lapsed on 2027-03-30 and was endorsed the day after.
    late = rules.endorse("valid", VALID_UNTIL, D(2019, 5, 1), D(2027, 3, 31))
    assert late.late and late.residence_since == D(2027, 3, 31)
    permit = dataclasses.replace(
        PERMIT, valid_until=late.valid_until, residence_since=late.residence_since
    )
    # The renewed permit is valid until 2028-03-30; on the 31st it has lapsed again, so take
    # the next on-time endorsement into account for the last row.
    if today > permit.valid_until:
        again = rules.endorse("valid", permit.valid_until, permit.residence_since, D(2028, 3, 1))
        permit = dataclasses.replace(permit, valid_until=again.valid_until)
    d = _decide(catalogue.find(VOTER), today, permit=permit)
    assert _rule(d, "RESIDENCE")[0] is blocked
    assert "自2027-03-31起算（逾期签注后重新起算）" in _rule(d, "RESIDENCE")[1]


# ── db/views.py is_overdue and the overdue list ──

PROMISED = D(2026, 12, 1)


@pytest.mark.parametrize(
    ("today", "overdue"),
    [
        case(D(2026, 11, 30), False, id="day-before"),
        case(PROMISED, False, id="the-promised-day-itself"),
        case(D(2026, 12, 2), True, id="the-day-after"),
    ],
)
@pytest.mark.parametrize("status", OPEN_STATUSES)
def test_an_open_request_is_overdue_only_after_its_promised_day(
    status: str, today: dt.date, overdue: bool
) -> None:
    assert is_overdue(Request(status=status, promised_by=PROMISED), today) is overdue


@pytest.mark.parametrize("status", sorted(set(STATUS_LABELS) - set(OPEN_STATUSES)))
def test_a_closed_request_is_never_overdue(status: str) -> None:
    assert is_overdue(Request(status=status, promised_by=PROMISED), D(2027, 1, 1)) is False


def test_a_request_without_a_promised_day_is_never_overdue() -> None:
    assert is_overdue(Request(status="pending_materials", promised_by=None), D(2030, 1, 1)) is False


# ── the same edges through the database, on both engines ──


@pytest.fixture
def resident(database: peewee.Database, make_id: IdMaker) -> str:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    number = make_id(D(1958, 3, 12), "男")
    add_person(
        household_number=household.number,
        id_number=number,
        name="王德明",
        relation="户主",
        today=TODAY,
    )
    return number


def test_overdue_list_starts_the_day_after_the_promised_day(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    permit_ops.issue_permit(id_number=resident, catalogue=catalogue, desk=desk, today=D(2026, 5, 6))
    request = ops.open_request(
        id_number=resident,
        service="两病及慢性病申报",
        catalogue=catalogue,
        desk=desk,
        today=D(2026, 11, 16),
        provided=["all"],
    )
    assert request.status == "accepted"
    assert request.promised_by == D(2026, 11, 30)  # 10 working days after Monday 16 Nov
    for day, listed in ((D(2026, 11, 29), False), (D(2026, 11, 30), False), (D(2026, 12, 1), True)):
        found = [r.ticket for r in ops.list_requests(overdue_on=day, community=HOME)]
        assert found == ([request.ticket] if listed else []), day
        stored = Request.get(Request.ticket == request.ticket)
        assert is_overdue(stored, day) is listed


@pytest.mark.parametrize(
    ("day", "outcome"),
    [
        case(D(2027, 4, 5), "early", id="day-before-the-window"),
        case(D(2027, 4, 6), "on-time", id="first-day-of-the-window"),
        case(D(2027, 5, 5), "on-time", id="last-valid-day"),
        case(D(2027, 5, 6), "late", id="the-day-after"),
    ],
)
def test_endorse_permit_at_the_edges_of_the_window(
    resident: str, catalogue: Catalogue, desk: Desk, day: dt.date, outcome: str
) -> None:
    issued = permit_ops.issue_permit(
        id_number=resident, catalogue=catalogue, desk=desk, today=D(2026, 5, 6)
    )
    assert issued.valid_until == D(2027, 5, 5)
    if outcome == "early":
        events = (PermitEvent.select().count(), RequestEvent.select().count())
        with pytest.raises(CounterError, match="2027-04-06"):
            permit_ops.endorse_permit(id_number=resident, catalogue=catalogue, desk=desk, today=day)
        assert (PermitEvent.select().count(), RequestEvent.select().count()) == events
        assert Permit.get_by_id(issued.id).valid_until == D(2027, 5, 5)
        return
    permit = permit_ops.endorse_permit(
        id_number=resident, catalogue=catalogue, desk=desk, today=day
    )
    stored = Permit.get_by_id(permit.id)
    if outcome == "on-time":
        assert stored.valid_until == D(2028, 5, 5)
        assert stored.residence_since == D(2019, 5, 1)
    else:
        assert stored.valid_until == D(2028, 5, 5)
        assert stored.residence_since == D(2027, 5, 6)


# ── what each condition says: its basis, its remedy (found by mutation testing) ──


@pytest.mark.parametrize(
    ("conditions", "person", "today", "rule", "blocked"),
    [
        case({"min_age": 60}, ADULT, D(2026, 11, 26), "AGE-MIN", True, id="min-age-refused"),
        case({"min_age": 60}, ADULT, TODAY, "AGE-MIN", False, id="min-age-met"),
        case({"max_age": 59}, ADULT, TODAY, "AGE-MAX", True, id="max-age-refused"),
        case({"max_age": 59}, ADULT, D(2026, 11, 26), "AGE-MAX", False, id="max-age-met"),
        case({"min_residence_years": 8}, ADULT, D(2027, 4, 30), "RESIDENCE", True, id="residence-refused"),
        case({"min_residence_years": 8}, ADULT, D(2027, 5, 1), "RESIDENCE", False, id="residence-met"),
        case({"relations": ("02",)}, dataclasses.replace(ADULT, relation="配偶"), TODAY, "RELATION", True, id="relation-refused"),
        case({"relations": ("02",)}, ADULT, TODAY, "RELATION", False, id="relation-met"),
    ],
)  # fmt: skip
def test_every_condition_reason_cites_the_services_basis(
    catalogue: Catalogue,
    conditions: dict[str, object],
    person: PersonFacts,
    today: dt.date,
    rule: str,
    blocked: bool,
) -> None:
    service = _with(catalogue.find("城乡居民养老保险待遇领取"), **conditions)
    d = _decide(service, today, person=person)
    assert _rule(d, rule)[0] is blocked
    reasons = [r for r in (*d.blocking, *d.reasons) if r.rule == rule]
    assert reasons and all(r.basis == service.basis for r in reasons)


def test_max_age_remedy_names_the_limit(catalogue: Catalogue) -> None:
    d = _decide(catalogue.find("城乡居民养老保险参保缴费"), TODAY)
    assert d.remedy == "该事项仅限59周岁及以下人员；可咨询窗口其他适用事项"


@pytest.mark.parametrize(
    ("head_name", "remedy"),
    [
        case("王德明", "请由户主王德明办理，或凭户主签字的委托书代办", id="head-known"),
        case("", "请由户主办理，或凭户主签字的委托书代办", id="head-unknown"),
    ],
)
def test_relation_refusal_names_who_may_apply(
    catalogue: Catalogue, head_name: str, remedy: str
) -> None:
    service = _with(catalogue.find("城乡居民养老保险待遇领取"), relations=("02", "1"))
    household = dataclasses.replace(HOUSEHOLD, head_name=head_name)
    child = dataclasses.replace(ADULT, relation="子")
    d = _decide(service, TODAY, person=child, household=household)
    assert d.remedy == remedy
    assert _rule(d, "RELATION") == (True, "该事项以户为单位由户主或配偶办理，当事人为子")
    spouse = dataclasses.replace(ADULT, relation="配偶")
    assert _rule(_decide(service, TODAY, person=spouse), "RELATION") == (False, "当事人为配偶")


@pytest.mark.parametrize("first17", ["6109241958031211a", "61092419580312１1", "6109241958031211 "])
def test_check_digit_takes_only_ascii_digits(first17: str) -> None:
    with pytest.raises(ValueError):
        check_digit(first17)
