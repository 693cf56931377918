"""permit_advice: the person card's next step for a permit, at every edge of the calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from forms.permits import ENDORSE_SOON_DAYS, endorsement_opens, permit_advice

VALID_UNTIL = dt.date(2026, 12, 10)
OPENS = endorsement_opens(VALID_UNTIL)  # 2026-11-11
DAY = dt.timedelta(days=1)


def test_the_window_is_the_month_before_the_anniversary() -> None:
    assert dt.date(2026, 11, 11) == OPENS


@pytest.mark.parametrize(
    ("today", "level", "fragment"),
    [
        (OPENS - (ENDORSE_SOON_DAYS + 1) * DAY, "ok", "2026-11-11起可办理签注"),
        (OPENS - ENDORSE_SOON_DAYS * DAY, "soon", "还有7天"),
        (OPENS - DAY, "soon", "还有1天"),
        (OPENS, "due", "距有效期届满还有29天"),
        (VALID_UNTIL - DAY, "due", "还有1天"),
        (VALID_UNTIL, "due", "今天是有效期最后一天"),
        (VALID_UNTIL + DAY, "lapsed", "2026-12-10到期未签注"),
    ],
)
def test_a_valid_permit_through_its_year(today: dt.date, level: str, fragment: str) -> None:
    advice = permit_advice("valid", VALID_UNTIL, today)
    assert advice.level == level
    assert fragment in advice.text


def test_due_names_the_last_day() -> None:
    assert "请于2026-12-10前办理居住证签注" in permit_advice("valid", VALID_UNTIL, OPENS).text


def test_lapsed_says_how_to_restore_and_what_it_costs() -> None:
    text = permit_advice("valid", VALID_UNTIL, VALID_UNTIL + 40 * DAY).text
    assert "签注当日即恢复使用" in text and "重新计算" in text


@pytest.mark.parametrize("today", [OPENS - 30 * DAY, OPENS, VALID_UNTIL + DAY])
def test_closed_permits_whatever_the_day(today: dt.date) -> None:
    revoked = permit_advice("revoked", VALID_UNTIL, today)
    assert revoked.level == "closed" and "重新办理居住证申领" in revoked.text
    replaced = permit_advice("replaced", VALID_UNTIL, today)
    assert replaced.level == "closed" and "以新证为准" in replaced.text
