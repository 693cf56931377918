"""Rows turned into plain data (dicts of str, int, bool, lists) for the CLI, desk and printouts.

Full citizen IDs appear only where `masked=False` is asked for explicitly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.clock import is_backdated
from db.models import Household, Permit, PermitEvent, Person, Request, RequestEvent
from forms import permits as rules
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.status import DECISION_LABELS, EVENT_LABELS, OPEN_STATUSES, STATUS_LABELS


def iso_local(value: dt.datetime) -> str:
    """A stored datetime (naive, the counter's local time) in ISO 8601 with the local offset,
    e.g. 2026-11-27T10:05:00+08:00."""
    return value.replace(microsecond=0).astimezone().isoformat()


def check_period(first: dt.date, last: dt.date, *, max_days: int = 366) -> None:
    """One range check for every command that takes --from/--date and --to."""
    if last < first:
        raise CounterError(
            f"截止日期 {last.isoformat()} 早于起始日期 {first.isoformat()}",
            f"the range ends ({last.isoformat()}) before it starts ({first.isoformat()})",
        )
    if (last - first).days > max_days:
        raise CounterError(
            f"查询期间最长一年（{first.isoformat()} 至 {last.isoformat()}）",
            f"a range covers at most one year ({first.isoformat()} to {last.isoformat()})",
        )


def current_permit(person: Person) -> Permit | None:
    """The person's newest permit, whatever its state (older ones were replaced or revoked).

    Newest is the one issued last, by insertion order: a permit issued after a revocation may
    carry an earlier, back-dated issue day than the one it follows."""
    return person.permits.order_by(Permit.id.desc()).first()


def address_of(household: Household) -> str:
    return address_from(
        household.community, household.site, household.building, household.unit, household.room
    )


def address_from(community: str, site: str, building: str, unit: str, room: str) -> str:
    """The address as written everywhere: community, site, 栋, 单元, 室 (exports pass the
    columns of a row without building a Household)."""
    parts = [community]
    if site and site != community:
        parts.append(site)
    for value, unit_name in (
        (building, "栋"),
        (unit, "单元"),
        (room, "室"),
    ):
        if value:
            parts.append(value if value.endswith(unit_name) else value + unit_name)
    return "".join(parts)


def household_view(household: Household) -> dict[str, Any]:
    return {
        "number": household.number,
        "origin_village": household.origin_village,
        "community": household.community,
        "site": household.site,
        "grid": household.grid,
        "building": household.building,
        "unit": household.unit,
        "room": household.room,
        "address": address_of(household),
        "moved_in": household.moved_in.isoformat(),
        "phone": household.phone,
        "monitored": household.monitored,
    }


def permit_view(permit: Permit, today: dt.date, *, masked: bool = True) -> dict[str, Any]:
    status = rules.effective_status(permit.status, permit.valid_until, today)
    person = permit.person
    events = list(permit.events.order_by(PermitEvent.at, PermitEvent.id))
    return {
        "number": permit.number,
        "status": status,
        "status_label": rules.STATUS_LABELS[status],
        "holder": person.name,
        "id_number": mask_id(person.id_number) if masked else person.id_number,
        "community": permit.community,
        "accepted_on": permit.accepted_on.isoformat(),
        "issue_due_by": permit.issue_due_by.isoformat(),
        "issued_on": permit.issued_on.isoformat(),
        "valid_until": permit.valid_until.isoformat(),
        "residence_since": permit.residence_since.isoformat(),
        "endorse_from": rules.endorsement_opens(permit.valid_until).isoformat(),
        "replaces": permit.replaces.number if permit.replaces_id else None,
        "closed_on": permit.closed_on.isoformat() if permit.closed_on else None,
        "closed_reason": permit.closed_reason,
        "fee_yuan": float(permit.fee_yuan),
        "history": [
            {
                "kind": e.kind,
                "kind_label": rules.EVENT_LABELS.get(e.kind, e.kind),
                "on": e.on.isoformat(),
                "at": iso_local(e.at),
                "backdated": is_backdated(e.on, e.at),
                "valid_until": e.valid_until.isoformat(),
                "residence_since": e.residence_since.isoformat(),
                "note": e.note,
                "staff": e.staff.name,
            }
            for e in events
        ],
    }


def person_view(person: Person, today: dt.date, *, masked: bool = True) -> dict[str, Any]:
    """`id_number` is always masked; `masked=False` (a look that is logged) adds the full
    number as `id_number_full`. The permit is the same object the permit commands print."""
    permit = current_permit(person)
    view = {
        "id_number": mask_id(person.id_number),
        "name": person.name,
        "sex": person.sex,
        "birth_date": person.birth_date.isoformat(),
        "ethnicity": person.ethnicity,
        "relation": person.relation,
        "phone": person.phone,
        "hukou_address": person.hukou_address,
        "household": household_view(person.household),
        "permit": permit_view(permit, today) if permit else None,
    }
    if not masked:
        view["id_number_full"] = person.id_number
    return view


def is_overdue(request: Request, today: dt.date) -> bool:
    return overdue(request.status, request.promised_by, today)


def overdue(status: str, promised_by: dt.date | None, today: dt.date) -> bool:
    """Still open after the promised day (for rows read as plain columns)."""
    return status in OPEN_STATUSES and promised_by is not None and today > promised_by


def request_view(request: Request, today: dt.date, *, with_events: bool = False) -> dict[str, Any]:
    person = request.person
    household = person.household
    view: dict[str, Any] = {
        "ticket": request.ticket,
        "service": {"code": request.service_code, "name": request.service_name},
        "side": request.side,
        "decision": request.decision,
        "decision_label": DECISION_LABELS[request.decision],
        "handled_by": request.handled_by,
        "status": request.status,
        "status_label": STATUS_LABELS[request.status],
        "person": {
            "name": person.name,
            "id_number": mask_id(person.id_number),
            "phone": person.phone or household.phone,
            "address": address_of(household),
        },
        "reasons": request.reasons,
        "remedy": request.remedy,
        "required_documents": request.documents_required,
        "received_documents": request.documents_received,
        "missing_documents": request.documents_missing,
        "opened_at": iso_local(request.opened_at),
        "opened_on": request.opened_on.isoformat(),
        "backdated": is_backdated(request.opened_on, request.opened_at),
        "promised_by": request.promised_by.isoformat() if request.promised_by else None,
        "closed_on": request.closed_on.isoformat() if request.closed_on else None,
        "overdue": is_overdue(request, today),
        "community": request.community,
        "counter": request.counter_code,
        "counter_no": request.counter_no,
        "officer": request.staff.name,
        "permit": request.permit.number if request.permit is not None else None,
    }
    if with_events:
        view["events"] = [
            {
                "kind": e.kind,
                "label": EVENT_LABELS[e.kind],
                "at": iso_local(e.at),
                "on": e.on.isoformat(),
                "backdated": is_backdated(e.on, e.at),
                "status_after": e.status_after,
                "officer": e.staff.name,
                "counter": e.counter_code,
                "note": e.note,
            }
            for e in request.events.order_by(RequestEvent.at, RequestEvent.id)
        ]
    return view
