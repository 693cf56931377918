"""What the desk's person card shows, read in one place as plain data (masked IDs).

The person and household come from db/views.person_view (the same object `person show`
prints), the permit's state words from forms/permits, the request statuses from forms/status.
The request history is read newest first a page at a time (keyset on the recorded opening
time), never the whole table.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from db.models import Household, Person, Request
from db.people import find_person, get_household, head_of, members_of
from db.views import current_permit, household_view, is_overdue, person_view
from forms.citizen_id import age_on, mask_id
from forms.people import HEAD_CODES
from forms.permits import permit_advice
from forms.status import OPEN_STATUSES, STATUS_LABELS

HISTORY_PAGE = 30


@dataclass
class HistoryPage:
    """Up to `limit` requests, newest first; `after` continues after the last of them."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    after: tuple[str, int] | None = None  # (opened_at ISO, id) of the last row, if more follow


def history_row(request: Request, today: dt.date) -> dict[str, Any]:
    return {
        "ticket": request.ticket,
        "service_code": request.service_code,
        "service_name": request.service_name,
        "status": request.status,
        "status_label": STATUS_LABELS[request.status],
        "open": request.status in OPEN_STATUSES,
        "overdue": is_overdue(request, today),
        "opened_on": request.opened_on.isoformat(),
        "promised_by": request.promised_by.isoformat() if request.promised_by else None,
        "closed_on": request.closed_on.isoformat() if request.closed_on else None,
    }


def request_history(
    person: Person,
    today: dt.date,
    *,
    limit: int = HISTORY_PAGE,
    after: tuple[str, int] | None = None,
) -> HistoryPage:
    """A person's requests, newest recorded first, one page (`after` from the previous)."""
    query = person.requests
    total = query.count()
    if after is not None:
        at, last_id = dt.datetime.fromisoformat(after[0]), after[1]
        query = query.where(
            (Request.opened_at < at) | ((Request.opened_at == at) & (Request.id < last_id))
        )
    found = list(query.order_by(Request.opened_at.desc(), Request.id.desc()).limit(limit + 1))
    more = len(found) > limit
    found = found[:limit]
    last = found[-1] if found and more else None
    return HistoryPage(
        rows=[history_row(r, today) for r in found],
        total=total,
        after=(last.opened_at.isoformat(), last.id) if last is not None else None,
    )


def _members(
    household: Household, today: dt.date, self_id: int | None = None
) -> list[dict[str, Any]]:
    return [
        {
            "name": m.name,
            "relation": m.relation,
            "relation_code": m.relation_code,
            "is_head": m.relation_code in HEAD_CODES,
            "sex": m.sex,
            "birth_date": m.birth_date.isoformat(),
            "age": age_on(m.birth_date, today),
            "id_number": mask_id(m.id_number),
            "is_self": m.id == self_id,
        }
        for m in members_of(household)
    ]


def household_members(number: str, today: dt.date) -> dict[str, Any]:
    """A household (household_view) with its members, masked, for the registration screen.

    `head_id` is the head's full number, kept by the desk only to open the head's card (never
    shown), or None while the household has no head."""
    household = get_household(number)
    view = household_view(household)
    view["members"] = _members(household, today)
    view["has_head"] = any(m["is_head"] for m in view["members"])
    head = head_of(household)
    view["head_id"] = head.id_number if head is not None else None
    return view


def person_card(id_number: str, today: dt.date, *, limit: int = HISTORY_PAGE) -> dict[str, Any]:
    """The person (masked), age, household with its members, permit with its next step, the
    newest requests with their count, and the newest open request's ticket."""
    person = find_person(id_number, today)
    view = person_view(person, today)
    view["age"] = age_on(person.birth_date, today)
    members = _members(person.household, today, person.id)
    view["household"]["members"] = members
    view["household"]["has_head"] = any(m["is_head"] for m in members)
    permit = current_permit(person)
    if permit is not None:
        advice = permit_advice(permit.status, permit.valid_until, today)
        view["permit"]["advice"] = {"level": advice.level, "text": advice.text}
    page = request_history(person, today, limit=limit)
    view["requests"] = page.rows
    view["requests_total"] = page.total
    view["requests_after"] = page.after
    newest_open = (
        person.requests.where(Request.status.in_(OPEN_STATUSES))
        .order_by(Request.opened_at.desc(), Request.id.desc())
        .first()
    )
    view["latest_open_ticket"] = newest_open.ticket if newest_open is not None else None
    return view


def more_history(
    id_number: str, today: dt.date, after: tuple[str, int], *, limit: int = HISTORY_PAGE
) -> HistoryPage:
    """The next page of a person's requests after the one the card shows."""
    return request_history(find_person(id_number, today), today, limit=limit, after=after)
