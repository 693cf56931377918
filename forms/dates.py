"""Bounds on the dates staff type: the business day of an entry, handling steps, move-in.

Pure rules: the caller gives the clock's today and the back-dating window (a setting a
supervisor can change), so the same rules serve the CLI, the desk and the tests.
"""

from __future__ import annotations

import datetime as dt

from forms.errors import CounterError

DEFAULT_BACKDATE_DAYS = 30
MAX_BACKDATE_DAYS = 366  # a supervisor may widen the window, but not beyond a year

# Ziyang's code 610924 dates from 2000 and the county's relocation programmes (陕南移民搬迁
# from 2011, 易地扶贫搬迁 2016-2020) all came later, so a household that moved in before
# 2000 is a typing mistake (0001-01-01, 1020-…), not a real resettlement.
EARLIEST_MOVE_IN = dt.date(2000, 1, 1)


def backdate_days(raw: str | None) -> int:
    """The stored window (settings key `backdate_days`), or the default if unset."""
    if raw is None or not str(raw).strip():
        return DEFAULT_BACKDATE_DAYS
    try:
        days = int(str(raw).strip())
    except ValueError:
        raise CounterError(
            f"补录期限设置（backdate_days）应为0至{MAX_BACKDATE_DAYS}的整数：{raw}",
            f"setting backdate_days must be a whole number 0 to {MAX_BACKDATE_DAYS}: {raw}",
        ) from None
    if not 0 <= days <= MAX_BACKDATE_DAYS:
        raise CounterError(
            f"补录期限设置（backdate_days）应为0至{MAX_BACKDATE_DAYS}天：{days}",
            f"setting backdate_days must be 0 to {MAX_BACKDATE_DAYS} days: {days}",
        )
    return days


def check_business_day(day: dt.date, clock_today: dt.date, window: int) -> dt.date:
    """The day an entry is recorded for (--date): never after today, at most `window` days
    back (back-dating is for entering paper records of recent days, not for rewriting
    history)."""
    if day > clock_today:
        raise CounterError(
            f"办理日期{day.isoformat()}晚于今天（{clock_today.isoformat()}），不能预先登记",
            f"date {day.isoformat()} is after today ({clock_today.isoformat()})",
        )
    earliest = clock_today - dt.timedelta(days=window)
    if day < earliest:
        raise CounterError(
            f"办理日期{day.isoformat()}早于补录期限（最多补录{window}天，即不早于"
            f"{earliest.isoformat()}）；如需放宽，请负责人修改补录期限设置",
            f"date {day.isoformat()} is more than {window} days back "
            f"(earliest {earliest.isoformat()}); a supervisor can change the window",
        )
    return day


def check_step_day(day: dt.date, opened_on: dt.date, ticket: str) -> dt.date:
    """A handling step (supplement, forward, return, complete, refuse) cannot come before the
    request was opened."""
    if day < opened_on:
        raise CounterError(
            f"办理日期{day.isoformat()}早于{ticket}的受理日期{opened_on.isoformat()}",
            f"date {day.isoformat()} is before {ticket} was opened ({opened_on.isoformat()})",
        )
    return day


def check_open_day(day: dt.date, moved_in: dt.date) -> dt.date:
    """A request cannot be opened (or back-dated) before the household moved in: the counter
    serves the residents of its community, and it had none of this household before that."""
    if day < moved_in:
        raise CounterError(
            f"受理日期{day.isoformat()}早于该户搬迁入住日期{moved_in.isoformat()}",
            f"date {day.isoformat()} is before the household moved in ({moved_in.isoformat()})",
        )
    return day


def check_moved_in(moved_in: dt.date, today: dt.date) -> dt.date:
    """Move-in: not after the day of entry, not before EARLIEST_MOVE_IN."""
    if moved_in > today:
        raise CounterError(
            f"搬迁入住日期{moved_in.isoformat()}晚于今天",
            f"move-in date {moved_in} is in the future",
        )
    if moved_in < EARLIEST_MOVE_IN:
        raise CounterError(
            f"搬迁入住日期{moved_in.isoformat()}早于{EARLIEST_MOVE_IN.isoformat()}，请核对",
            f"move-in date {moved_in} is before {EARLIEST_MOVE_IN.isoformat()}",
        )
    return moved_in
