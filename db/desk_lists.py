"""The desk's lists of one counter's work, a page at a time (keyset paging, never a whole table).

Every kind is defined once, as a WHERE clause and a sort key, and both the page and its count use
that one definition. Request lists are this counter's own (`desk.counter_code`); the permit list
is for the people of this counter's community (the permit's move-in community).

The kinds, in the order the desk shows them (keys 1-8 on the lists screen):
- today: opened today at this counter, whatever became of them;
- pending: 待补正, waiting for the person's missing papers (oldest first);
- awaiting: forwarded to a county department or referred to the move-out village, awaiting the
  return;
- due: open and promised for today;
- overdue: open and promised before today (the rule of `db.views.is_overdue`);
- due_week: open and promised from today to 7 days ahead, both ends included;
- permits_due: valid permits whose endorsement window opens from today to 7 days ahead, or that
  lapse within the next 7 days (still valid today, lapsed on the 7th day); the window and the lapse
  come from forms/permits.py, which this module only asks, never restates;
- open: every open request of this counter, most urgent first (the home's 本窗口待办).

The home line (`HOME_KINDS`) follows desk.md: 今日 待补正 转办待回 今日到期 已超期 本周签注到期;
`due_week` and `open` are on the lists screen only (the home's own table is the open list).

Order and keyset cursors (`Page.next_after`, passed back as `after`):
- promised lists: (promised_by, id), a request with no promised day (still 待补正) after every
  dated one; the NULL ordering is spelled out so SQLite and PostgreSQL agree. Cursor:
  (promised_by or None, id).
- today and pending: (opened_at, id), the order they came in. Cursor: (opened_at, id).
- permits_due: (valid_until, id): permits about to lapse come before windows about to open (a
  lapse is always sooner in valid_until than a window opening a month ahead of it), each by date.
  Cursor: (valid_until, id).
A page is two queries whatever its size: the rows (Request joined to Person, or Permit joined to
Person) and the COUNT.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee

from db.models import Permit, Person, Request
from db.setup import Desk
from db.views import is_overdue
from forms import permits as permit_rules
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.status import OPEN_STATUSES, STATUS_LABELS, Status

LIST_LABELS: dict[str, str] = {
    "today": "今日",
    "pending": "待补正",
    "awaiting": "转办待回",
    "due": "今日到期",
    "overdue": "已超期",
    "due_week": "本周到期",
    "permits_due": "本周签注到期",
    "open": "全部待办",
}
LIST_KINDS: tuple[str, ...] = tuple(LIST_LABELS)
HOME_KINDS: tuple[str, ...] = ("today", "pending", "awaiting", "due", "overdue", "permits_due")
PERMIT_KINDS = frozenset({"permits_due"})

HORIZON = dt.timedelta(days=7)  # "this week": from today to 7 days ahead
MAX_LIMIT = 200  # a page is a screenful, never a table


@dataclass
class Page:
    rows: list[dict[str, Any]] = field(default_factory=list)
    next_after: Any = None  # the cursor of the last row when more rows follow, else None
    total: int = 0  # every row of the list (a COUNT), not only this page's


# ───────────────────────── which rows ─────────────────────────


def _mine(desk: Desk) -> Any:
    return Request.counter_code == desk.counter_code


def _request_where(kind: str, today: dt.date) -> Any:
    """The one definition of each request list (beyond "this counter")."""
    open_ = Request.status.in_(OPEN_STATUSES)
    if kind == "today":
        return Request.opened_on == today
    if kind == "pending":
        return Request.status == Status.PENDING_MATERIALS
    if kind == "awaiting":
        return Request.status.in_([Status.FORWARDED, Status.REFERRED])
    if kind == "due":
        return open_ & (Request.promised_by == today)
    if kind == "overdue":  # db.views.is_overdue: open, promised, and today past the promise
        return open_ & Request.promised_by.is_null(False) & (Request.promised_by < today)
    if kind == "due_week":
        return open_ & Request.promised_by.between(today, today + HORIZON)
    if kind == "open":
        return open_
    raise _unknown(kind)


def _unknown(kind: str) -> CounterError:
    return CounterError(
        f"没有“{kind}”这个列表（可选：{'、'.join(LIST_LABELS.values())}）",
        f"unknown list '{kind}'; use one of: {', '.join(LIST_KINDS)}",
    )


def _span(
    event_day: Callable[[dt.date], dt.date], first: dt.date, last: dt.date
) -> tuple[dt.date, dt.date] | None:
    """The valid-until days v with first <= event_day(v) <= last, or None.

    `event_day` is a rule of forms/permits.py (when the endorsement window opens, when the permit
    lapses) and never decreases as v grows, so the days form one run, found here by asking the
    rule day by day instead of inverting it by hand."""
    one = dt.timedelta(days=1)
    v = first
    for _ in range(800):  # walk down below the run (bounded: a rule is at most months away)
        if event_day(v) < first:
            break
        v -= one
    for _ in range(800):  # then up to its first day
        if event_day(v) >= first:
            break
        v += one
    low = v
    if event_day(low) > last:
        return None
    for _ in range(800):
        if event_day(v + one) > last:
            break
        v += one
    return low, v


def lapses_on(valid_until: dt.date) -> dt.date:
    """The first day a valid permit with this valid-until day has lapsed (asked of the rule)."""
    day = valid_until
    for _ in range(800):
        status = permit_rules.effective_status(permit_rules.PermitStatus.VALID, valid_until, day)
        if status == permit_rules.PermitStatus.LAPSED:
            return day
        day += dt.timedelta(days=1)
    raise AssertionError("a valid permit lapses within two years of its valid-until day")


@dataclass(frozen=True)
class PermitSpans:
    """The valid-until days of permits due this week: lapsing soon, window opening soon."""

    lapsing: tuple[dt.date, dt.date] | None
    opening: tuple[dt.date, dt.date] | None

    @classmethod
    def on(cls, today: dt.date) -> PermitSpans:
        return cls(
            # still valid today, lapsed by the 7th day
            lapsing=_span(lapses_on, today + dt.timedelta(days=1), today + HORIZON),
            opening=_span(permit_rules.endorsement_opens, today, today + HORIZON),
        )

    def where(self) -> Any:
        parts = [
            Permit.valid_until.between(*span)
            for span in (self.lapsing, self.opening)
            if span is not None
        ]
        if not parts:
            return peewee.SQL("1 = 0")
        clause = parts[0]
        for part in parts[1:]:
            clause = clause | part
        return clause


def _permit_where(desk: Desk, today: dt.date) -> Any:
    return (
        (Permit.community == desk.community)
        & (Permit.status == permit_rules.PermitStatus.VALID)
        & PermitSpans.on(today).where()
    )


# ───────────────────────── counts ─────────────────────────


def day_counts(desk: Desk, today: dt.date, kinds: Sequence[str] = HOME_KINDS) -> dict[str, int]:
    """How many rows each list holds, in the order of `kinds` (by default the home line).

    Two queries whatever the kinds: one over this counter's requests (a conditional sum per
    list), one COUNT of the permits due."""
    for kind in kinds:
        if kind not in LIST_LABELS:
            raise _unknown(kind)
    counts: dict[str, int] = {}
    request_kinds = [k for k in kinds if k not in PERMIT_KINDS]
    if request_kinds:
        sums = [
            peewee.fn.COALESCE(
                peewee.fn.SUM(peewee.Case(None, [(_request_where(k, today), 1)], 0)), 0
            ).alias(k)
            for k in request_kinds
        ]
        # only rows on some list are read: indexes on status and opened_on serve this
        anywhere = _request_where(request_kinds[0], today)
        for kind in request_kinds[1:]:
            anywhere = anywhere | _request_where(kind, today)
        query = Request.select(*sums).where(_mine(desk) & anywhere)
        row: dict[str, Any] = query.dicts().get()  # type: ignore[assignment]
        counts.update({k: int(row[k]) for k in request_kinds})
    if "permits_due" in kinds:
        counts["permits_due"] = Permit.select().where(_permit_where(desk, today)).count()
    return {k: counts[k] for k in kinds}


# ───────────────────────── pages ─────────────────────────


def page(kind: str, desk: Desk, today: dt.date, *, after: Any = None, limit: int = 50) -> Page:
    """One page of a list: the `limit` rows after the cursor `after` (None: the first page)."""
    if kind not in LIST_LABELS:
        raise _unknown(kind)
    limit = max(1, min(int(limit), MAX_LIMIT))
    if kind in PERMIT_KINDS:
        return _permit_page(desk, today, after, limit)
    return _request_page(kind, desk, today, after, limit)


def _by_promise(after: Any) -> tuple[list[Any], Any]:
    """Order (promised_by, id) with undated rows last, and the keyset condition after a cursor.

    NULLs are placed by an explicit CASE: SQLite sorts them first, PostgreSQL last."""
    undated = peewee.Case(None, [(Request.promised_by.is_null(), 1)], 0)
    order = [undated, Request.promised_by, Request.id]
    if after is None:
        return order, None
    promised, last_id = after
    if promised is None:
        return order, Request.promised_by.is_null() & (Request.id > last_id)
    if isinstance(promised, str):
        promised = dt.date.fromisoformat(promised)
    later = Request.promised_by.is_null(False) & (
        (Request.promised_by > promised)
        | ((Request.promised_by == promised) & (Request.id > last_id))
    )
    return order, later | Request.promised_by.is_null()


def _by_opening(after: Any) -> tuple[list[Any], Any]:
    order = [Request.opened_at, Request.id]
    if after is None:
        return order, None
    opened_at, last_id = after
    if isinstance(opened_at, str):
        opened_at = dt.datetime.fromisoformat(opened_at)
    return order, (Request.opened_at > opened_at) | (
        (Request.opened_at == opened_at) & (Request.id > last_id)
    )


def _request_page(kind: str, desk: Desk, today: dt.date, after: Any, limit: int) -> Page:
    where = _mine(desk) & _request_where(kind, today)
    by_opening = kind in ("today", "pending")
    order, keyset = _by_opening(after) if by_opening else _by_promise(after)
    query = (
        Request.select(
            Request.id,
            Request.ticket,
            Request.service_name,
            Request.status,
            Request.promised_by,
            Request.opened_on,
            Request.opened_at,
            Person.id,
            Person.name,
            Person.id_number,
        )
        .join(Person)
        .where(where if keyset is None else where & keyset)
        .order_by(*order)
        .limit(limit + 1)  # one more than shown says whether a next page exists
    )
    found = list(query)
    more = len(found) > limit
    found = found[:limit]
    rows = [
        {
            "ticket": r.ticket,
            "service_name": r.service_name,
            "name": r.person.name,
            "masked_id": mask_id(r.person.id_number),
            "status": r.status,
            "status_label": STATUS_LABELS[r.status],
            "promised_by": r.promised_by.isoformat() if r.promised_by else None,
            "overdue": is_overdue(r, today),
            "opened_on": r.opened_on.isoformat(),
        }
        for r in found
    ]
    next_after = None
    if more:
        last = found[-1]
        next_after = (last.opened_at, last.id) if by_opening else (last.promised_by, last.id)
    total = Request.select().where(where).count()
    return Page(rows=rows, next_after=next_after, total=total)


def _permit_page(desk: Desk, today: dt.date, after: Any, limit: int) -> Page:
    where = _permit_where(desk, today)
    keyset = None
    if after is not None:
        valid_until, last_id = after
        if isinstance(valid_until, str):
            valid_until = dt.date.fromisoformat(valid_until)
        keyset = (Permit.valid_until > valid_until) | (
            (Permit.valid_until == valid_until) & (Permit.id > last_id)
        )
    query = (
        Permit.select(
            Permit.id,
            Permit.number,
            Permit.valid_until,
            Person.id,
            Person.name,
            Person.id_number,
        )
        .join(Person)
        .where(where if keyset is None else where & keyset)
        .order_by(Permit.valid_until, Permit.id)
        .limit(limit + 1)
    )
    found = list(query)
    more = len(found) > limit
    found = found[:limit]
    spans = PermitSpans.on(today)
    rows = [_permit_row(p, spans) for p in found]
    next_after = (found[-1].valid_until, found[-1].id) if more else None
    total = Permit.select().where(where).count()
    return Page(rows=rows, next_after=next_after, total=total)


def _permit_row(permit: Permit, spans: PermitSpans) -> dict[str, Any]:
    lapsing = (
        spans.lapsing is not None and spans.lapsing[0] <= permit.valid_until <= (spans.lapsing[1])
    )
    if lapsing:
        on = lapses_on(permit.valid_until)
        what, reason = f"{on:%m-%d} 失效", "lapses"
    else:
        on = permit_rules.endorsement_opens(permit.valid_until)
        what, reason = f"签注期开始 {on:%m-%d}", "window_opens"
    return {
        "id_number": permit.person.id_number,  # to open the person card; never displayed
        "name": permit.person.name,
        "masked_id": mask_id(permit.person.id_number),
        "permit_number": permit.number,
        "valid_until": permit.valid_until.isoformat(),
        "what": what,
        "reason": reason,  # lapses / window_opens
        "on": on.isoformat(),  # the day `what` names
    }
