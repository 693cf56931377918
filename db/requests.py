"""Service requests: the scope check, opening a request, and every handling step after it.

Each operation is one transaction; every step appends a RequestEvent, and the request row is
updated with an optimistic version check so two counters cannot overwrite each other's step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

import peewee

from db.audit import append, lock_chain
from db.connection import db, is_postgres
from db.models import Household, Permit, Person, Request, RequestEvent, Staff
from db.people import find_person, household_facts, lock_person, person_facts
from db.receipts import issue_receipt, verify_receipt
from db.setup import Desk, ensure_ready, next_serial, stamp
from db.views import current_permit
from forms import dates, text
from forms.catalogue import Catalogue, Document, Service
from forms.errors import CounterError
from forms.scope import Decision, PermitFacts, check_scope, resolve_documents
from forms.status import (
    DECISION_LABELS,
    OPEN_STATUSES,
    STATUS_LABELS,
    Action,
    EventKind,
    Status,
    ensure_allowed,
    status_after_open,
    step_applies,
)
from forms.workdays import add_working_days


class OpenRequestExists(CounterError):
    """The person already has this service open: carry that ticket so the desk can show it."""

    def __init__(self, request: Request) -> None:
        label = STATUS_LABELS[request.status]
        super().__init__(
            f"{request.person.name}已有未办结的“{request.service_name}”：{request.ticket}"
            f"（{label}，{request.opened_on.isoformat()}受理），请在该办件上继续办理"
            "（request show）；确需再次申请的，用 --again 写明原因",
            f"{request.service_code} is already open for this person as {request.ticket} "
            f"({request.status}); continue with that ticket, or use --again REASON",
        )
        self.request = request
        self.ticket: str = request.ticket
        self.status: str = request.status

    def as_dict(self) -> dict[str, str]:
        return {**super().as_dict(), "ticket": self.ticket, "status": self.status}


def open_requests_for(person: Person, service_code: str) -> list[Request]:
    """The person's requests of one service that are still open, oldest first."""
    return list(
        person.requests.where(
            (Request.service_code == service_code) & Request.status.in_(OPEN_STATUSES)
        ).order_by(Request.opened_at, Request.id)
    )


def permit_facts(person: Person) -> PermitFacts | None:
    permit = current_permit(person)
    if permit is None:
        return None
    return PermitFacts(
        number=permit.number,
        status=permit.status,
        valid_until=permit.valid_until,
        residence_since=permit.residence_since,
        community=permit.community,
    )


def decide(
    person: Person, service: Service, community: str, today: dt.date, provided: Sequence[str]
) -> Decision:
    return check_scope(
        person=person_facts(person),
        household=household_facts(person.household),
        permit=permit_facts(person),
        service=service,
        counter_community=community,
        today=today,
        provided=provided,
    )


def check(
    *,
    id_number: str,
    service: str,
    catalogue: Catalogue,
    community: str,
    today: dt.date,
    provided: Sequence[str] = (),
) -> Decision:
    """What the counter would decide, without writing anything."""
    ensure_ready()
    found = catalogue.find(service)
    person = find_person(id_number, today)
    return decide(person, found, community, today, provided)


def _doc_dicts(docs: Sequence[Document]) -> list[dict[str, object]]:
    return [{"name": d.name, "copies": d.copies, "issuer": d.issuer, "note": d.note} for d in docs]


def _record(
    request: Request, kind: str, desk: Desk, today: dt.date, note: str = "", data: object = None
) -> RequestEvent:
    text.refuse_unsafe(note, "办理说明", "note")  # the last guard before any note is stored
    return append(
        RequestEvent,
        request=request,
        kind=kind,
        on=today,
        at=stamp(),
        staff=desk.staff_id,
        counter_code=desk.counter_code,
        status_after=request.status,
        note=note,
        data=data,
    )


def create_request(
    person: Person, decision: Decision, desk: Desk, today: dt.date, note: str = ""
) -> Request:
    """Register a decided request with its ticket; call inside a transaction."""
    service = decision.service
    status = status_after_open(decision.decision, bool(decision.missing))
    promised = (
        add_working_days(today, service.time_limit)
        if status in (Status.ACCEPTED, Status.REFERRED)
        else None
    )
    serial = next_serial(f"ticket:{desk.counter_code}", today.year)
    ticket = f"{desk.counter_code}-{today.year}-{serial:06d}"
    opened_at = stamp()  # the clock's time; opened_on is the business day
    request = Request.create(
        ticket=ticket,
        person=person,
        service_code=service.code,
        service_name=service.name,
        side=service.side,
        permit_action=service.permit_action,
        time_limit=service.time_limit,
        decision=decision.decision,
        handled_by=decision.handled_by,
        reasons=[
            {"rule": r.rule, "text": r.text, "basis": r.basis, "refusing": r in decision.blocking}
            for r in decision.reasons
        ],
        remedy=decision.remedy,
        documents_required=_doc_dicts(decision.required),
        documents_received=[d.name for d in decision.received],
        documents_missing=[d.name for d in decision.missing],
        status=status,
        opened_on=today,
        opened_at=opened_at,
        promised_by=promised,
        closed_on=today if status == Status.REFUSED else None,
        community=desk.community,
        counter_code=desk.counter_code,
        counter_no=desk.counter_no,
        staff=desk.staff_id,
    )
    _record(request, EventKind.OPENED, desk, today, note or DECISION_LABELS[decision.decision])
    issue_receipt(request, desk, opened_at)  # version 1: the receipt handed over at opening
    if status == Status.REFUSED:
        _record(request, EventKind.REFUSED, desk, today, decision.refusal_message())
    elif status == Status.REFERRED:
        _record(
            request, EventKind.FORWARDED, desk, today, f"开具转办单，转{decision.handled_by}办理"
        )
    return request


def verify(raw_code: str, claimed: Mapping[str, str] | None = None) -> dict[str, object] | None:
    """Was a receipt with this code issued here, which version, and does it still hold? Reads
    only (see db.receipts.verify_receipt)."""
    return verify_receipt(raw_code, claimed)


def open_request(
    *,
    id_number: str,
    service: str,
    catalogue: Catalogue,
    desk: Desk,
    today: dt.date,
    provided: Sequence[str] = (),
    note: str = "",
    again_reason: str = "",
) -> Request:
    """Check and register a request. A refusal is registered too, with its reasons.

    A service the person already has open is not opened twice: OpenRequestExists points to
    the open ticket. `again_reason` opens a genuine second request, the reason on record.
    """
    ensure_ready()
    found = catalogue.find(service)
    person = find_person(id_number, today)
    dates.check_open_day(today, person.household.moved_in)
    note = text.field(note, "note")
    again = text.field(again_reason, "reason")
    with db.atomic():
        lock_person(person)  # two counters opening the same service for one person queue here
        already = open_requests_for(person, found.code)
        if already and not again:
            raise OpenRequestExists(already[0])
        decision = decide(person, found, desk.community, today, provided)
        if already:
            tickets = "、".join(r.ticket for r in already)
            opened = note or DECISION_LABELS[decision.decision]
            note = f"{opened}；再次申请（已有未办结的{tickets}），原因：{again}"
        return create_request(person, decision, desk, today, note)


def get_request(ticket: str, *, lock: bool = False) -> Request:
    """A request by ticket; `lock` (for a handling step) holds the row until commit on
    PostgreSQL."""
    ensure_ready()
    query = Request.select().where(Request.ticket == text.token(ticket).upper())
    if lock and is_postgres():
        lock_chain()  # the chain before the row: a step appends, then may take other locks
        query = query.for_update()
    request = query.first()
    if request is None:
        raise CounterError(f"没有受理编号为 {ticket} 的事项", f"no request with ticket {ticket}")
    return request


def _save(request: Request, **changes: object) -> None:
    """Write a step only if nobody else wrote one since we read the row."""
    seen = request.version
    changes["version"] = seen + 1
    updated = (
        Request.update(**changes)
        .where((Request.id == request.id) & (Request.version == seen))
        .execute()
    )
    if updated != 1:
        raise CounterError(
            f"{request.ticket} 刚被其他窗口更新，请重新查看后再办理",
            f"{request.ticket} was just changed at another counter; reload and try again",
        )
    for key, value in changes.items():
        setattr(request, key, value)


def supplement(
    ticket: str, provided: Sequence[str], desk: Desk, today: dt.date, note: str = ""
) -> Request:
    """Record materials handed in later; once nothing is missing the request is accepted."""
    if not [p for p in provided if str(p).strip()]:
        raise CounterError("请用 --provided 写明补交的材料", "name the documents with --provided")
    note = text.field(note, "note")
    with db.atomic():
        request = get_request(ticket, lock=True)
        dates.check_step_day(today, request.opened_on, request.ticket)
        ensure_allowed("supplement", request.status, request.ticket)
        required = [
            Document(name=d["name"], copies=d["copies"], issuer=d["issuer"], note=d.get("note", ""))
            for d in request.documents_required
        ]
        still_missing = [d for d in required if d.name in request.documents_missing]
        given = resolve_documents(required, still_missing, provided, request.service_name)
        received = list(dict.fromkeys([*request.documents_received, *(d.name for d in given)]))
        missing = [name for name in request.documents_missing if name not in received]
        changes: dict[str, object] = {"documents_received": received, "documents_missing": missing}
        if not missing:
            changes["status"] = "accepted"
            changes["promised_by"] = add_working_days(today, request.time_limit)
        _save(request, **changes)
        summary = "补交：" + "、".join(d.name for d in given)
        summary += "；仍缺：" + "、".join(missing) if missing else "；材料齐全，正式受理"
        _record(request, "supplemented", desk, today, f"{summary}{'；' + note if note else ''}")
        return request


def forward(ticket: str, desk: Desk, today: dt.date, note: str = "") -> Request:
    """Hand the collected materials over to the county department (代收转办)."""
    note = text.field(note, "note")
    with db.atomic():
        request = get_request(ticket, lock=True)
        dates.check_step_day(today, request.opened_on, request.ticket)
        if not step_applies(Action.FORWARD, request.decision, request.permit_action):
            raise CounterError(
                f"{request.ticket}（{request.service_name}）由本窗口办理或已转迁出村，不需转办",
                f"{request.ticket} is not a collect-and-forward request",
            )
        ensure_allowed("forward", request.status, request.ticket)
        _save(request, status="forwarded")
        _record(request, "forwarded", desk, today, note or f"材料移交{request.handled_by}")
        return request


def return_request(ticket: str, desk: Desk, today: dt.date, note: str) -> Request:
    """The department sent it back to the counter (to complete, ask again, or refuse)."""
    note = text.field(note, "reason")
    if not note:
        raise CounterError("退回须说明原因（--note）", "a return needs a reason (--note)")
    with db.atomic():
        request = get_request(ticket, lock=True)
        dates.check_step_day(today, request.opened_on, request.ticket)
        ensure_allowed("return", request.status, request.ticket)
        _save(request, status="accepted")
        _record(request, "returned", desk, today, note)
        return request


def complete(ticket: str, desk: Desk, today: dt.date, note: str = "") -> Request:
    note = text.field(note, "note")
    with db.atomic():
        request = get_request(ticket, lock=True)
        dates.check_step_day(today, request.opened_on, request.ticket)
        if not step_applies(Action.COMPLETE, request.decision, request.permit_action):
            raise CounterError(
                f"{request.ticket} 是居住证事项，请用 permit issue/endorse/replace 办结",
                f"{request.ticket} is a permit request: finish it with permit issue/endorse/replace",
            )
        ensure_allowed("complete", request.status, request.ticket)
        _save(request, status="completed", closed_on=today)
        _record(request, "completed", desk, today, note)
        return request


def refuse(ticket: str, desk: Desk, today: dt.date, note: str) -> Request:
    """Refuse after acceptance; the reason (and what would make it possible) is required."""
    note = text.field(note, "reason")
    if not note:
        raise CounterError(
            "不予办理须写明理由及办理途径（--note）",
            "a refusal needs its reason and what would make it possible (--note)",
        )
    with db.atomic():
        request = get_request(ticket, lock=True)
        dates.check_step_day(today, request.opened_on, request.ticket)
        ensure_allowed("refuse", request.status, request.ticket)
        # The officer's reason joins the stored reasons, on the service's own basis, so every
        # paper printed for this request from now on states it.
        basis = next((r["basis"] for r in request.reasons if r["rule"].startswith("SIDE-")), "")
        reason = {"rule": "REFUSED-AFTER-ACCEPTANCE", "text": note.strip(), "basis": basis}
        _save(
            request,
            status="refused",
            closed_on=today,
            remedy=note,
            reasons=[*request.reasons, {**reason, "refusing": True}],
        )
        _record(request, "refused", desk, today, note)
        return request


def joined_requests() -> peewee.ModelSelect[Request]:
    """Requests with what a list shows of each (person, household, officer, permit) selected in
    one query, so `request.person.household`, `request.staff` and `request.permit` cost nothing
    more per row (db.views.request_view reads them all)."""
    return (
        Request.select(Request, Person, Household, Staff, Permit)
        .join(Person)
        .join(Household)
        .switch(Request)
        .join(Staff)
        .switch(Request)
        .join(Permit, peewee.JOIN.LEFT_OUTER, on=(Request.permit == Permit.id))
    )


def request_query(
    *,
    day: dt.date | None = None,
    until: dt.date | None = None,
    status: str | None = None,
    overdue_on: dt.date | None = None,
    community: str | None = None,
    desk: Desk | None = None,
) -> peewee.ModelSelect[Request]:
    """Requests opened on a day (or a range), optionally by status, or only overdue, of one
    community; every community (`community=None`) only for a supervisor's `desk`. One joined
    query, in the order they came in: list it, count it or take a page of it."""
    ensure_ready()
    if community is None:
        from db.accounts import require_supervisor

        require_supervisor(desk, "查看所有社区的办件", "list every community's requests")
    if status is not None and status not in STATUS_LABELS:
        raise CounterError(
            f"状态“{status}”无效，可选：{'、'.join(f'{k}（{v}）' for k, v in STATUS_LABELS.items())}",
            f"unknown status '{status}'; use one of: {', '.join(STATUS_LABELS)}",
        )
    query = joined_requests().order_by(Request.opened_at, Request.id)
    if day is not None:
        query = query.where(Request.opened_on.between(day, until or day))
    if status is not None:
        query = query.where(Request.status == status)
    if community is not None:
        query = query.where(Request.community == community)
    if overdue_on is not None:
        query = query.where(
            Request.status.in_(OPEN_STATUSES)
            & Request.promised_by.is_null(False)
            & (Request.promised_by < overdue_on)
        )
    return query


def list_requests(
    *,
    day: dt.date | None = None,
    until: dt.date | None = None,
    status: str | None = None,
    overdue_on: dt.date | None = None,
    community: str | None = None,
    desk: Desk | None = None,
) -> list[Request]:
    """The rows of `request_query`, fetched in one query."""
    return list(
        request_query(
            day=day,
            until=until,
            status=status,
            overdue_on=overdue_on,
            community=community,
            desk=desk,
        )
    )


def pending_permit_refusal(open_ones: Sequence[Request]) -> CounterError | None:
    """Why a permit operation must wait: its request is still missing documents."""
    pending = [r for r in open_ones if r.status == Status.PENDING_MATERIALS]
    if not pending:
        return None
    return CounterError(
        f"{pending[0].ticket} 仍缺材料：{'、'.join(pending[0].documents_missing)}；"
        "请先补正（request supplement）",
        f"{pending[0].ticket} still misses documents; supplement them first",
    )


def attach_permit_request(
    person: Person, decision: Decision, desk: Desk, today: dt.date
) -> Request:
    """The open request a permit operation finishes: the accepted one, or a new walk-in one."""
    open_ones = open_requests_for(person, decision.service.code)
    blocked = pending_permit_refusal(open_ones)
    if blocked is not None:
        raise blocked
    accepted = [r for r in open_ones if r.status == Status.ACCEPTED]
    if accepted:
        return accepted[0]
    return create_request(person, decision, desk, today, "窗口当场受理")


def finish_permit_request(
    request: Request, permit_id: int, desk: Desk, today: dt.date, note: str
) -> None:
    _save(request, status="completed", closed_on=today, permit=permit_id)
    _record(request, "completed", desk, today, note)
