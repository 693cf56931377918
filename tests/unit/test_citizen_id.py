from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forms.citizen_id import WEIGHTS, check_digit, make_citizen_id, mask_id, parse_citizen_id
from forms.errors import CounterError

TODAY = dt.date(2026, 11, 27)
regions = st.sampled_from(["610924", "610921", "110101", "510104", "440305"])
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
serials = st.integers(min_value=0, max_value=999)


def test_known_number_from_the_standard() -> None:
    # The worked example of GB 11643-1999 appendix: 11010519491231002X.
    cid = parse_citizen_id("11010519491231002x", TODAY)
    assert cid.number == "11010519491231002X"
    assert cid.birth_date == dt.date(1949, 12, 31)
    assert cid.sex == "女"


@given(regions, births, serials)
def test_every_built_number_parses_back(region: str, birth: dt.date, serial: int) -> None:
    number = make_citizen_id(region, birth, serial)
    cid = parse_citizen_id(number, TODAY)
    assert cid.birth_date == birth
    assert cid.sex == ("男" if serial % 2 else "女")
    assert cid.region == region


@given(regions, births)
def test_lower_case_x_is_accepted_and_stored_upper(region: str, birth: dt.date) -> None:
    # About one serial in eleven ends in X; take the first one for this region and date.
    number = next(
        n for n in (make_citizen_id(region, birth, s) for s in range(1000)) if n.endswith("X")
    )
    assert parse_citizen_id(number.lower(), TODAY).number == number


@given(regions, births, serials, st.integers(min_value=0, max_value=16), st.integers(1, 9))
def test_any_single_digit_change_is_caught(
    region: str, birth: dt.date, serial: int, position: int, delta: int
) -> None:
    number = make_citizen_id(region, birth, serial)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    # Weights are all non-zero modulo 11, so one changed digit always breaks the check digit
    # (if the region or the date does not fail first).
    with pytest.raises(CounterError):
        parse_citizen_id(changed, TODAY)


def test_weights_are_those_of_the_standard() -> None:
    # GB 11643-1999: W_i = 2^(i-1) mod 11, i counted from the right (check digit i = 1).
    assert tuple(pow(2, 17 - i, 11) for i in range(17)) == WEIGHTS
    assert all(w % 11 for w in WEIGHTS)


@given(st.text(max_size=30))
def test_garbage_never_crashes(text: str) -> None:
    try:
        parse_citizen_id(text, TODAY)
    except CounterError as exc:
        assert exc.zh and exc.en


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("61092419580312031", "18位"),
        ("6109241958031203A0", "前17位"),
        ("990924195803120310", "地区码"),
        ("610924195802300310", "出生日期不存在"),
        ("610924189912310310", "不合理"),
    ],
)
def test_each_kind_of_mistake_is_named(number: str, fragment: str) -> None:
    with pytest.raises(CounterError) as info:
        parse_citizen_id(number, TODAY)
    assert fragment in info.value.zh


def test_future_birth_date_is_refused() -> None:
    number = make_citizen_id("610924", dt.date(2026, 12, 25), 11)
    with pytest.raises(CounterError, match="不合理"):
        parse_citizen_id(number, TODAY)


def test_wrong_check_digit_says_the_expected_one() -> None:
    first17 = "61092419580312031"
    right = check_digit(first17)
    wrong = "0" if right != "0" else "1"
    with pytest.raises(CounterError) as info:
        parse_citizen_id(first17 + wrong, TODAY)
    assert f"末位应为{right}" in info.value.zh


@given(regions, births, serials)
def test_mask_hides_the_birth_date_and_keeps_the_tail(
    region: str, birth: dt.date, serial: int
) -> None:
    number = make_citizen_id(region, birth, serial)
    masked = mask_id(number)
    assert masked[:6] == region and masked[-4:] == number[-4:]
    assert f"{birth:%Y%m%d}" not in masked and len(masked) == 18
