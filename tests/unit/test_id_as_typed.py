"""check_typed_id: the live check under the desk's ID field says the first real problem of a
partly typed number, never a false one, and agrees with parse_citizen_id once it is complete."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.citizen_id import check_digit, check_typed_id, make_citizen_id, parse_citizen_id
from forms.errors import CounterError

TODAY = dt.date(2026, 11, 27)
VALID = make_citizen_id("610924", dt.date(1958, 3, 12), 31)  # 610924195803120310-ish
regions = st.sampled_from(["610924", "610921", "110101", "510104", "440305", "810000"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


@given(regions, births, serials, st.integers(min_value=0, max_value=18))
def test_a_prefix_of_a_valid_number_is_never_flagged(
    region: str, birth: dt.date, serial: int, cut: int
) -> None:
    number = make_citizen_id(region, birth, serial)
    progress = check_typed_id(number[:cut], TODAY)
    assert progress.problem == ""
    assert progress.typed == cut
    assert progress.ok == (cut == 18)
    if cut >= 14:
        assert progress.birth_date == birth
    else:
        assert progress.birth_date is None
    if cut >= 17:
        assert progress.sex == ("男" if serial % 2 else "女")
    else:
        assert progress.sex is None


@given(
    st.text(alphabet="0123456789Xx１２ ", max_size=20),
    st.text(alphabet="0123456789X", min_size=18, max_size=18),
)
def test_a_flagged_prefix_has_no_valid_completion(typed: str, filler: str) -> None:
    """Whatever the field flags is really wrong: no way of finishing the number makes it
    valid; and a complete number is flagged exactly when parse_citizen_id refuses it."""
    progress = check_typed_id(typed, TODAY)
    completed = progress.number + filler[progress.typed :]
    try:
        parse_citizen_id(completed, TODAY)
    except CounterError:
        valid = False
    else:
        valid = True
    if progress.problem:
        assert not valid
    if progress.typed == 18:
        assert bool(progress.problem) != valid
        assert (progress.cid is not None) == valid


@given(st.text(max_size=30))
def test_garbage_never_raises(text: str) -> None:
    progress = check_typed_id(text, TODAY)
    assert isinstance(progress.problem, str)


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("6a", "第2位应为数字"),
        ("61092419580312031Y", "第18位应为数字或X"),
        ("99", "地区码无效：99"),
        ("6199", "地区码无效：6199"),
        ("610924185", ""),  # 185x: the year is not known yet
        ("6109241858", "出生年份不合理：1858"),
        ("6109242027", "出生年份不合理：2027"),
        ("610924195813", "出生月份不存在：13月"),
        ("610924195800", "出生月份不存在：00月"),
        ("61092419580230", "出生日期不存在：19580230"),
        ("61092420261128", "出生日期不合理：2026-11-28"),
        ("61092420261127", ""),  # born today: possible
        ("6109241958031203101", "应为18位，当前为19位"),
    ],
)
def test_each_problem_is_named_as_soon_as_it_is_typed(typed: str, fragment: str) -> None:
    progress = check_typed_id(typed, TODAY)
    if fragment:
        assert fragment in progress.problem
    else:
        assert progress.problem == ""
    assert progress.cid is None


def test_wrong_check_digit_names_the_expected_one() -> None:
    first17 = VALID[:17]
    right = check_digit(first17)
    wrong = "0" if right != "0" else "1"
    progress = check_typed_id(first17 + wrong, TODAY)
    assert f"末位应为{right}" in progress.problem
    assert progress.cid is None
    # the facts the digits hold are still read, so the clerk sees the date matches the card
    assert progress.birth_date == dt.date(1958, 3, 12)


def test_full_width_spaces_and_lower_x_are_typed_forms_of_the_same_number() -> None:
    x_number = next(
        n
        for n in (make_citizen_id("610924", dt.date(1980, 1, 2), s) for s in range(1000))
        if n.endswith("X")
    )
    typed = " ".join(x_number[i : i + 6] for i in range(0, 18, 6)).lower()
    typed = typed.replace("1", "１")  # full-width digit one
    progress = check_typed_id(typed, TODAY)
    assert progress.ok and progress.cid is not None
    assert progress.cid.number == x_number
    assert progress.number == x_number


def test_empty_is_not_a_problem() -> None:
    progress = check_typed_id("", TODAY)
    assert progress.problem == "" and progress.typed == 0 and not progress.ok
