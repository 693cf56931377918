"""The one clock every recorded time comes from.

A row's time (`at`, `opened_at`, `created_at`) is the clock's, never what a user typed: `--date`
only sets the business day of a back-dated entry. Tests and the demo replace the clock through
a ContextVar (no mocks), the way the CLI's `ziyang_counter.CLOCK` pins the business day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

CLOCK: ContextVar[Callable[[], dt.datetime] | None] = ContextVar("ziyang_clock", default=None)


def now() -> dt.datetime:
    """The clock's time to the second (local time, as every stored time is)."""
    source = CLOCK.get()
    moment = source() if source is not None else dt.datetime.now()
    return moment.replace(microsecond=0)


@contextmanager
def clock(source: Callable[[], dt.datetime] | dt.datetime) -> Iterator[None]:
    """Within the block, `now()` reads `source` (a fixed moment or a function)."""
    fixed = source
    token = CLOCK.set((lambda: fixed) if isinstance(fixed, dt.datetime) else fixed)
    try:
        yield
    finally:
        CLOCK.reset(token)


def is_backdated(on: dt.date, at: dt.datetime) -> bool:
    """An entry whose business day is before the day it was recorded (补录)."""
    return on < at.date()
