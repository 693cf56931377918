"""The residence permit's calendar: validity, the endorsement window, lapse and residence.

Rules (domain brief, from 《居住证暂行条例》 and the county's permit guide):
- a permit issued on day D is valid until the day before D + 1 year;
- it can be endorsed from one month before the anniversary, which extends it by a year
  (Article 10);
- past its valid-until day its use is suspended (使用功能中止, Article 10: not cancelled); a late
  endorsement restores it for a year from the endorsement date, and residence then counts again
  from that date.
The issue time limit (Article 9: within 15 days of acceptance) is the catalogue's `time_limit`
of the issue service, so a supervisor changes it in one place.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from forms.errors import CounterError


class PermitStatus(StrEnum):
    """A permit's state; `lapsed` is never stored, it is computed from the valid-until day."""

    VALID = "valid"
    LAPSED = "lapsed"
    REVOKED = "revoked"
    REPLACED = "replaced"


class PermitEventKind(StrEnum):
    """The kind of a permit history entry (PermitEvent.kind)."""

    ISSUED = "issued"
    ENDORSED = "endorsed"
    REPLACED = "replaced"
    REVOKED = "revoked"
    UNREVOKED = "unrevoked"  # a same-day revocation undone by a supervisor


STATUS_LABELS: dict[str, str] = {
    PermitStatus.VALID: "有效",
    PermitStatus.LAPSED: "未签注，使用功能中止",
    PermitStatus.REVOKED: "已注销",
    PermitStatus.REPLACED: "已补换（旧证作废）",
}

EVENT_LABELS: dict[str, str] = {  # permit history, as the Chinese views show it
    PermitEventKind.ISSUED: "签发",
    PermitEventKind.ENDORSED: "签注",
    PermitEventKind.REPLACED: "补换领",
    PermitEventKind.REVOKED: "注销",
    PermitEventKind.UNREVOKED: "撤销注销",
}


def add_years(day: dt.date, years: int) -> dt.date:
    """Same month and day `years` later; 29 February becomes 1 March."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return dt.date(day.year + years, 3, 1)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of month `months` later (or earlier), clipped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    for candidate in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def valid_until_for(start: dt.date) -> dt.date:
    """A year of validity starting on `start`: until the day before the anniversary."""
    return add_years(start, 1) - dt.timedelta(days=1)


def endorsement_opens(valid_until: dt.date) -> dt.date:
    """First day the yearly endorsement may be made: one month before the anniversary."""
    return add_months(valid_until + dt.timedelta(days=1), -1)


def effective_status(stored: str, valid_until: dt.date, today: dt.date) -> PermitStatus:
    """valid / lapsed / revoked / replaced: a valid permit past its day has lapsed."""
    if stored == PermitStatus.VALID and today > valid_until:
        return PermitStatus.LAPSED
    return PermitStatus(stored)


@dataclass(frozen=True)
class Endorsement:
    """What an endorsement made on `day` does to a permit."""

    valid_until: dt.date
    residence_since: dt.date
    late: bool


def endorse(
    stored: str, valid_until: dt.date, residence_since: dt.date, day: dt.date
) -> Endorsement:
    """Endorse a permit on `day`, or say why not and when it becomes possible."""
    if stored in (PermitStatus.REVOKED, PermitStatus.REPLACED):
        raise CounterError(
            f"该居住证{STATUS_LABELS[stored]}，不能签注",
            f"the permit is {stored} and cannot be endorsed",
        )
    opens = endorsement_opens(valid_until)
    if day < opens:
        raise CounterError(
            f"未到签注时间：有效期至{valid_until.isoformat()}，请于{opens.isoformat()}起办理签注",
            f"too early to endorse: valid until {valid_until.isoformat()}, "
            f"endorse from {opens.isoformat()}",
        )
    if day > valid_until:
        return Endorsement(valid_until=valid_until_for(day), residence_since=day, late=True)
    return Endorsement(
        valid_until=valid_until_for(valid_until + dt.timedelta(days=1)),
        residence_since=residence_since,
        late=False,
    )


def permit_number(county_code: str, year: int, serial: int) -> str:
    return f"{county_code}-{year}-{serial:06d}"


ENDORSE_SOON_DAYS = 7  # the home screen's "this week" and the person card's early warning


@dataclass(frozen=True)
class PermitAdvice:
    """What the holder of a permit should do next, for the person card.

    `level` lets a screen pick a colour to go with the words: "ok", "soon" (the endorsement
    window opens within a week), "due" (it is open), "lapsed", "closed" (revoked or replaced).
    """

    level: str
    text: str


def permit_advice(stored: str, valid_until: dt.date, today: dt.date) -> PermitAdvice:
    """The next step for a permit on `today` (Article 10: endorse in the month before each
    full year; a lapsed permit is restored by a late endorsement)."""
    status = effective_status(stored, valid_until, today)
    if status == PermitStatus.REVOKED:
        return PermitAdvice("closed", "已注销，不能凭此证办理；如需居住证，请重新办理居住证申领")
    if status == PermitStatus.REPLACED:
        return PermitAdvice("closed", "已补换，旧证作废，以新证为准")
    if status == PermitStatus.LAPSED:
        return PermitAdvice(
            "lapsed",
            f"{valid_until.isoformat()}到期未签注：请办理居住证签注，签注当日即恢复使用，"
            "居住年限自签注之日起重新计算",
        )
    opens = endorsement_opens(valid_until)
    if today >= opens:
        left = (valid_until - today).days
        when = "今天是有效期最后一天" if left == 0 else f"距有效期届满还有{left}天"
        return PermitAdvice(
            "due",
            f"签注期已开始：请于{valid_until.isoformat()}前办理居住证签注（{when}），"
            "逾期使用功能中止",
        )
    wait = (opens - today).days
    if wait <= ENDORSE_SOON_DAYS:
        return PermitAdvice("soon", f"{opens.isoformat()}起可办理签注（还有{wait}天）")
    return PermitAdvice("ok", f"{opens.isoformat()}起可办理签注")
