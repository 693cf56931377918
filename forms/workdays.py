"""Working days: weekends and Chinese public holidays are skipped, make-up Saturdays count.

The calendar comes from the maintained `holidays` package, which carries the State Council's
yearly schedule including adjusted working days (调休). For a year whose schedule is not yet
published it falls back to the statutory holidays, which is the best anyone can promise.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays


@lru_cache(maxsize=64)
def _china(year: int) -> holidays.HolidayBase:
    # Imported on first use: the package costs about 30 ms at start-up (it pulls in dateutil),
    # and most commands never count a working day.
    import holidays

    return holidays.country_holidays("CN", years=year)


def is_working_day(day: dt.date) -> bool:
    return bool(_china(day.year).is_working_day(day))


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (the day of acceptance itself not counted).

    Zero days means the matter is finished on the spot, the same day.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """How many working days lie after `start` up to and including `end`."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
