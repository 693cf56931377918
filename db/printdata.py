"""Rows turned into the plain data that `printouts/` renders. IDs are masked here for every
paper others may see; only the permit card gets the full number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable
from typing import Any, cast

import peewee

from db.clock import is_backdated
from db.connection import data_dir
from db.models import PermitEvent, Person, Request, RequestEvent, Staff
from db.permits import show_permit
from db.receipts import print_receipt_version
from db.requests import get_request
from db.setup import Desk, counter_label, ensure_ready, get_setting
from db.views import address_of, check_period, overdue
from forms import permits as rules
from forms.catalogue import Catalogue, Service
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.papers import (
    Applicant,
    DailyLogData,
    DocumentLine,
    EndorsementLine,
    LogRow,
    NoticeData,
    Office,
    PermitCardData,
    ReasonLine,
    ReceiptData,
    Refusal,
    TransferData,
)
from forms.status import DECISION_LABELS, OPEN_STATUSES, STATUS_LABELS


def office_for(desk: Desk) -> Office:
    return Office(
        community=desk.community,
        counter_label=desk.counter_label,
        phone=get_setting("phone") or "",
        county=get_setting("county_short", "紫阳县") or "紫阳县",
    )


def output_dir() -> str:
    """Where PDFs go without --out: ZIYANG_OUTPUT, else `printouts/` in the data folder.
    A machine setting, not a database one: each counter PC keeps its own files."""
    return os.environ.get("ZIYANG_OUTPUT") or str(data_dir() / "printouts")


def applicant_of(person: Person) -> Applicant:
    household = person.household
    return Applicant(
        name=person.name,
        masked_id=mask_id(person.id_number),
        address=address_of(household),
        phone=person.phone or household.phone,
    )


def refusal_of(request: Request) -> Refusal | None:
    """The refusal of a refused request, from its stored reasons (those flagged `refusing`),
    its remedy and the day it was closed; None for any other status."""
    if request.status != "refused":
        return None
    stored = [r for r in request.reasons if r.get("refusing")]
    if not stored and request.decision == "refuse":  # rows written before the flag existed
        stored = [r for r in request.reasons if r["rule"] != "MATERIALS-MISSING"]
    reasons = [ReasonLine(r["text"], r.get("basis", "")) for r in stored]
    if not reasons:  # refused after acceptance before reasons were stored: the step's note
        step = (
            request.events.where(RequestEvent.kind == "refused")
            .order_by(RequestEvent.at.desc(), RequestEvent.id.desc())
            .first()
        )
        reasons = [ReasonLine(step.note)] if step is not None and step.note else []
    texts = {r.text for r in reasons}
    return Refusal(
        reasons=reasons,
        remedy="" if request.remedy.strip() in texts else request.remedy,
        on=request.closed_on,
    )


def receipt_data(ticket: str, desk: Desk) -> ReceiptData:
    """The receipt as printed now: records the version this printing is (a new one, with its
    own code, when the request's state changed since the last printing)."""
    request = get_request(ticket)
    refusal = refusal_of(request)
    issue = print_receipt_version(request, desk)
    return ReceiptData(
        # The counter that accepted it, which need not be the one reprinting it.
        office=dataclasses.replace(
            office_for(desk),
            community=request.community,
            counter_label=counter_label(request.community, request.counter_no),
        ),
        ticket=request.ticket,
        service_code=request.service_code,
        service_name=request.service_name,
        applicant=applicant_of(request.person),
        officer=request.staff.name,
        received_at=request.opened_at,
        status_label=STATUS_LABELS[request.status],
        promised_by=None if refusal else request.promised_by,
        time_limit=request.time_limit,
        received=list(request.documents_received),
        missing=list(request.documents_missing),
        verify_code=issue.code,
        handled_by=request.handled_by or "",
        refusal=refusal,
        receipt_version=issue.version,
    )


def _where(service: Service, desk: Desk, village: str = "") -> str:
    if service.side == "origin":
        return (
            f"迁出村{village}村民委员会（凭本窗口转办单办理）"
            if village
            else "迁出村村民委员会（凭本窗口转办单办理）"
        )
    if service.side == "forward":
        return f"{desk.counter_label}（代收后转{service.department}办理）"
    return desk.counter_label


def notice_for_service(service: Service, desk: Desk, today: dt.date) -> NoticeData:
    """The blank checklist a resident may ask for before applying."""
    return NoticeData(
        office=office_for(desk),
        service_code=service.code,
        service_name=service.name,
        side_label=service.side_label,
        basis=service.basis,
        conditions=service.conditions.describe(),
        documents=[DocumentLine(d.name, d.copies, d.issuer, d.note) for d in service.documents],
        time_limit=service.time_limit,
        where=_where(service, desk),
        fee_yuan=service.fee_yuan,
        printed_on=today,
    )


def notice_for_request(ticket: str, catalogue: Catalogue, desk: Desk, today: dt.date) -> NoticeData:
    request = get_request(ticket)
    service = catalogue.find(request.service_code)
    received = set(request.documents_received)
    lines = [
        DocumentLine(
            d["name"],
            d["copies"],
            d["issuer"],
            d.get("note", ""),
            "received" if d["name"] in received else "missing",
        )
        for d in request.documents_required
    ]
    # The service's checklist, filled in with what this request recorded at the counter.
    return dataclasses.replace(
        notice_for_service(service, desk, today),
        service_name=request.service_name,
        documents=lines,
        time_limit=request.time_limit,
        where=_where(service, desk, request.person.household.origin_village),
        ticket=request.ticket,
        applicant=applicant_of(request.person),
        refusal=refusal_of(request),
    )


def transfer_data(ticket: str, desk: Desk, today: dt.date) -> TransferData:
    request = get_request(ticket)
    if request.decision not in ("refer_origin", "forward_department"):
        raise CounterError(
            f"{request.ticket}（{request.service_name}）不是转办事项，无需转办单",
            f"{request.ticket} is neither referred nor forwarded; no transfer slip",
        )
    return TransferData(
        office=office_for(desk),
        ticket=request.ticket,
        to=request.handled_by or "",
        kind="village" if request.decision == "refer_origin" else "department",
        service_code=request.service_code,
        service_name=request.service_name,
        applicant=applicant_of(request.person),
        reasons=[r["text"] for r in request.reasons if r["rule"] != "MATERIALS-MISSING"],
        handed_over=list(request.documents_received),
        to_bring=list(request.documents_missing),
        deadline=request.promised_by,
        officer=request.staff.name,
        issued_on=today,
    )


def permit_card_data(id_number: str, catalogue: Catalogue, today: dt.date) -> PermitCardData:
    permit, _ = show_permit(id_number, today)
    person = permit.person
    status = rules.effective_status(permit.status, permit.valid_until, today)
    events = permit.events.where(PermitEvent.kind == "endorsed").order_by(
        PermitEvent.on, PermitEvent.id
    )
    return PermitCardData(
        number=permit.number,
        name=person.name,
        sex=person.sex,
        ethnicity=person.ethnicity,
        birth_date=person.birth_date,
        id_number=person.id_number,
        hukou_address=person.hukou_address,
        residence_address=address_of(person.household),
        authority=catalogue.permit_authority,
        issued_on=permit.issued_on,
        valid_until=permit.valid_until,
        status_label=rules.STATUS_LABELS[status],
        endorsements=[
            EndorsementLine(e.on, e.valid_until, "逾期签注" if e.late else "") for e in events
        ],
        replaces=permit.replaces.number if permit.replaces is not None else "",
    )


LOG_COLUMNS = (
    Request.opened_at,
    Request.opened_on,
    Request.ticket,
    Request.service_name,
    Request.decision,
    Request.status,
    Request.promised_by,
    Person.name,
    Person.id_number,
    Staff.name,
)


def _log_row(row: tuple[Any, ...], today: dt.date) -> LogRow:
    """One row of the log from the LOG_COLUMNS of a request."""
    at, on, ticket, service, decision, status, promised_by, person, id_number, officer = row
    return LogRow(
        at=at,
        ticket=ticket,
        service=service,
        person=person,
        masked_id=mask_id(id_number),
        decision=DECISION_LABELS[decision],
        status=STATUS_LABELS[status],
        officer=officer,
        status_code=status,
        outcome=DECISION_LABELS["refuse" if status == "refused" else decision],
        promised_by=promised_by,
        overdue=overdue(status, promised_by, today),
        backdated=is_backdated(on, at),
    )


def daily_log_data(first: dt.date, last: dt.date, desk: Desk, today: dt.date) -> DailyLogData:
    """This hall's requests: one query for the period (persons and staff joined in), one for
    what is still open. Only the columns the log prints are read, as tuples: a busy range
    has thousands of rows, and a model object per table and row would cost most of the time
    (and parse every request's JSON columns) for nothing."""
    ensure_ready()
    check_period(first, last)

    def rows(where: peewee.Expression) -> list[LogRow]:
        query = (
            Request.select(*LOG_COLUMNS)
            .join(Person)
            .switch(Request)
            .join(Staff)
            .where(where)
            .order_by(Request.opened_at, Request.id)
            .tuples()
        )
        return [_log_row(row, today) for row in cast("Iterable[tuple[Any, ...]]", query)]

    hall = Request.community == desk.community
    return DailyLogData(
        office=office_for(desk),
        first_day=first,
        last_day=last,
        rows=rows(hall & Request.opened_on.between(first, last)),
        open_items=rows(hall & Request.status.in_(OPEN_STATUSES) & (Request.opened_on <= last)),
    )
