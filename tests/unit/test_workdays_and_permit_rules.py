from __future__ import annotations

import datetime as dt

import pytest

from forms import permits as rules
from forms.errors import CounterError
from forms.workdays import add_working_days, is_working_day, working_days_between

D = dt.date


def test_spring_festival_2026_and_its_make_up_saturday() -> None:
    assert not is_working_day(D(2026, 2, 17))  # 春节
    assert is_working_day(D(2026, 2, 14))  # Saturday worked in exchange (调休)
    assert not is_working_day(D(2026, 2, 21))  # an ordinary Saturday inside the break


def test_promised_date_skips_national_day_week() -> None:
    # Accepted Wednesday 30 Sept 2026; 1–7 Oct are off; Saturday 10 Oct is worked.
    assert add_working_days(D(2026, 9, 30), 1) == D(2026, 10, 8)
    assert add_working_days(D(2026, 9, 30), 3) == D(2026, 10, 10)


def test_zero_days_means_on_the_spot() -> None:
    assert add_working_days(D(2026, 11, 27), 0) == D(2026, 11, 27)


def test_counting_back_agrees_with_adding() -> None:
    start = D(2026, 1, 20)
    for days in (1, 5, 15, 30):
        assert working_days_between(start, add_working_days(start, days)) == days


def test_valid_until_is_the_day_before_the_anniversary() -> None:
    assert rules.valid_until_for(D(2026, 3, 1)) == D(2027, 2, 28)
    assert rules.valid_until_for(D(2028, 2, 29)) == D(2029, 2, 28)


def test_endorsement_window_opens_a_month_before_the_anniversary() -> None:
    valid_until = rules.valid_until_for(D(2026, 3, 31))  # 2027-03-30
    assert rules.endorsement_opens(valid_until) == D(2027, 2, 28)


def test_on_time_endorsement_extends_by_a_year_and_keeps_residence() -> None:
    result = rules.endorse("valid", D(2027, 3, 30), D(2019, 5, 1), D(2027, 3, 10))
    assert result == rules.Endorsement(D(2028, 3, 30), D(2019, 5, 1), late=False)


def test_late_endorsement_restarts_from_its_own_date() -> None:
    result = rules.endorse("valid", D(2027, 3, 30), D(2019, 5, 1), D(2027, 6, 2))
    assert result == rules.Endorsement(D(2028, 6, 1), D(2027, 6, 2), late=True)


def test_early_endorsement_says_when_it_becomes_possible() -> None:
    with pytest.raises(CounterError, match="2027-02-28"):
        rules.endorse("valid", D(2027, 3, 30), D(2019, 5, 1), D(2027, 2, 27))


@pytest.mark.parametrize("status", ["revoked", "replaced"])
def test_closed_permits_are_not_endorsed(status: str) -> None:
    with pytest.raises(CounterError):
        rules.endorse(status, D(2027, 3, 30), D(2019, 5, 1), D(2027, 3, 20))


def test_effective_status_turns_lapsed_the_day_after_valid_until() -> None:
    assert rules.effective_status("valid", D(2027, 3, 30), D(2027, 3, 30)) == "valid"
    assert rules.effective_status("valid", D(2027, 3, 30), D(2027, 3, 31)) == "lapsed"
    assert rules.effective_status("revoked", D(2027, 3, 30), D(2026, 1, 1)) == "revoked"
