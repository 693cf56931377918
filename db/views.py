"""Rows turned into plain data (dicts of str, int, bool, lists) for the CLI, desk and printouts.

Full citizen IDs appear only where `masked=False` is asked for explicitly.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.clock import is_backdated
from db.models import Household, Permit, PermitEvent, Person, Request, RequestEvent, Staff
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


def view_of_row(row: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """A request as shown and printed as JSON, from its flat row (ROW_COLUMNS)."""
    promised = row["promised_by"]
    return {
        "ticket": row["ticket"],
        "service": {"code": row["service_code"], "name": row["service_name"]},
        "side": row["side"],
        "decision": row["decision"],
        "decision_label": DECISION_LABELS[row["decision"]],
        "handled_by": row["handled_by"],
        "status": row["status"],
        "status_label": STATUS_LABELS[row["status"]],
        "person": {
            "name": row["person_name"],
            "id_number": mask_id(row["person_id_number"]),
            "phone": row["person_phone"] or row["household_phone"],
            "address": address_from(
                row["household_community"],
                row["household_site"],
                row["household_building"],
                row["household_unit"],
                row["household_room"],
            ),
        },
        "reasons": row["reasons"],
        "remedy": row["remedy"],
        "required_documents": row["documents_required"],
        "received_documents": row["documents_received"],
        "missing_documents": row["documents_missing"],
        "opened_at": iso_local(row["opened_at"]),
        "opened_on": row["opened_on"].isoformat(),
        "backdated": is_backdated(row["opened_on"], row["opened_at"]),
        "promised_by": promised.isoformat() if promised else None,
        "closed_on": row["closed_on"].isoformat() if row["closed_on"] else None,
        "overdue": overdue(row["status"], promised, today),
        "community": row["community"],
        "counter": row["counter_code"],
        "counter_no": row["counter_no"],
        "officer": row["officer"],
        "permit": row["permit_number"],
    }


# The columns of a listed request, flat: what view_of_row reads. A list asks for these and no
# more (`request_rows`), never a model of every column of five tables per row, which was most of
# a list's time (tests/bench/bench_county.py).
REQUEST_FIELDS = (
    "ticket", "service_code", "service_name", "side", "decision", "handled_by", "status",
    "reasons", "remedy", "documents_required", "documents_received", "documents_missing",
    "opened_at", "opened_on", "promised_by", "closed_on", "community", "counter_code",
    "counter_no",
)  # fmt: skip
ROW_COLUMNS = (
    *(getattr(Request, name) for name in REQUEST_FIELDS),
    Person.name.alias("person_name"),
    Person.id_number.alias("person_id_number"),
    Person.phone.alias("person_phone"),
    Household.phone.alias("household_phone"),
    Household.community.alias("household_community"),
    Household.site.alias("household_site"),
    Household.building.alias("household_building"),
    Household.unit.alias("household_unit"),
    Household.room.alias("household_room"),
    Staff.name.alias("officer"),
    Permit.number.alias("permit_number"),
)


def row_of(request: Request) -> dict[str, Any]:
    """A request model as the flat row a list reads (ROW_COLUMNS)."""
    person = request.person
    household = person.household
    row = {name: getattr(request, name) for name in REQUEST_FIELDS}
    row.update(
        person_name=person.name,
        person_id_number=person.id_number,
        person_phone=person.phone,
        household_phone=household.phone,
        household_community=household.community,
        household_site=household.site,
        household_building=household.building,
        household_unit=household.unit,
        household_room=household.room,
        officer=request.staff.name,
        permit_number=request.permit.number if request.permit is not None else None,
    )
    return row


def request_rows(query: Any, today: dt.date) -> list[dict[str, Any]]:
    """The views of a joined request query (db.requests.request_query), read as flat rows."""
    return [view_of_row(row, today) for row in query.select(*ROW_COLUMNS).dicts()]


def request_view(request: Request, today: dt.date, *, with_events: bool = False) -> dict[str, Any]:
    view = view_of_row(row_of(request), today)
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
