"""Residence permits: issue, endorse, replace and revoke, each one transaction.

Issue, endorse and replace are services of the catalogue as well: each finishes the request
that accepted it (or registers a walk-in one on the spot), so the day's log shows them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.accounts import require_supervisor
from db.audit import append
from db.connection import db
from db.models import Permit, PermitEvent, Person, Request
from db.people import find_person, lock_person
from db.requests import (
    attach_permit_request,
    decide,
    finish_permit_request,
    open_requests_for,
    pending_permit_refusal,
)
from db.setup import Desk, ensure_ready, next_serial, stamp
from db.views import current_permit, permit_view, person_view
from forms import permits as rules
from forms.catalogue import PERMIT_ACTIONS, Catalogue
from forms.errors import CounterError
from forms.permits import PermitEventKind, PermitStatus
from forms.scope import Decision
from forms.status import Outcome
from forms.workdays import add_working_days

REPLACE_REASONS = {"lost": "遗失补领", "damaged": "损坏换领（原证已交回）"}


def _event(
    permit: Permit, kind: str, desk: Desk, today: dt.date, note: str = "", *, late: bool = False
) -> None:
    append(
        PermitEvent,
        permit=permit,
        kind=kind,
        on=today,
        at=stamp(),
        staff=desk.staff_id,
        valid_until=permit.valid_until,
        residence_since=permit.residence_since,
        note=note,
        late=late,
    )


def _decided(
    person: Person, action: str, catalogue: Catalogue, desk: Desk, today: dt.date
) -> Decision:
    service = catalogue.permit_service(action)
    decision = decide(person, service, desk.community, today, ["all"])
    if decision.decision == Outcome.REFUSE:
        raise CounterError(
            f"不能办理{service.name}：{decision.refusal_message()}",
            f"cannot {action} the permit: {decision.refusal_english()}",
        )
    return decision


def _new_number(catalogue: Catalogue, today: dt.date) -> str:
    return rules.permit_number(catalogue.county_code, today.year, next_serial("permit", today.year))


def issue_permit(*, id_number: str, catalogue: Catalogue, desk: Desk, today: dt.date) -> Permit:
    person = find_person(id_number, today)
    with db.atomic():
        lock_person(person)
        decision = _decided(person, "issue", catalogue, desk, today)
        request = attach_permit_request(person, decision, desk, today)
        previous = current_permit(person)
        household = person.household
        # A first permit counts residence from the move-in; a new one after a revocation
        # starts the count again on its issue date.
        since = household.moved_in if previous is None else today
        permit = Permit.create(
            number=_new_number(catalogue, today),
            person=person,
            community=desk.community,
            status=PermitStatus.VALID,
            accepted_on=request.opened_on,
            # The catalogue's time limit of the issue service is the one source (Article 9).
            issue_due_by=add_working_days(request.opened_on, decision.service.time_limit),
            issued_on=today,
            valid_until=rules.valid_until_for(today),
            residence_since=max(since, household.moved_in),
        )
        late = today > permit.issue_due_by
        limit = decision.service.time_limit
        _event(
            permit, PermitEventKind.ISSUED, desk, today, f"超过{limit}个工作日发证" if late else ""
        )
        finish_permit_request(request, permit.id, desk, today, f"已发放居住证{permit.number}")
        return permit


def endorse_permit(*, id_number: str, catalogue: Catalogue, desk: Desk, today: dt.date) -> Permit:
    person = find_person(id_number, today)
    with db.atomic():
        lock_person(person)
        decision = _decided(person, "endorse", catalogue, desk, today)
        permit = current_permit(person)
        assert permit is not None  # the scope check refuses endorsement without a permit
        result = rules.endorse(permit.status, permit.valid_until, permit.residence_since, today)
        request = attach_permit_request(person, decision, desk, today)
        Permit.update(valid_until=result.valid_until, residence_since=result.residence_since).where(
            Permit.id == permit.id
        ).execute()
        permit.valid_until = result.valid_until
        permit.residence_since = result.residence_since
        note = "逾期签注，使用功能恢复，居住年限自签注之日起连续计算" if result.late else "按期签注"
        _event(permit, PermitEventKind.ENDORSED, desk, today, note, late=result.late)
        finish_permit_request(
            request, permit.id, desk, today, f"已签注，有效期至{result.valid_until.isoformat()}"
        )
        return permit


def replacement_fee(catalogue: Catalogue) -> float:
    """The card fee a replacement charges: the catalogue's fee for the replace service, the one
    source (Article 21: a first permit and its endorsements are free, a replacement is not)."""
    return catalogue.permit_service("replace").fee_yuan


def replace_permit(
    *, id_number: str, reason: str, catalogue: Catalogue, desk: Desk, today: dt.date
) -> Permit:
    if reason not in REPLACE_REASONS:
        raise CounterError(
            f"补换领原因应为 lost（遗失）或 damaged（损坏）：{reason}",
            f"replacement reason must be lost or damaged, got '{reason}'",
        )
    person = find_person(id_number, today)
    with db.atomic():
        lock_person(person)
        decision = _decided(person, "replace", catalogue, desk, today)
        old = current_permit(person)
        assert old is not None  # the scope check refuses replacement without a permit
        request = attach_permit_request(person, decision, desk, today)
        label = REPLACE_REASONS[reason]
        fee = replacement_fee(catalogue)
        Permit.update(status=PermitStatus.REPLACED, closed_on=today, closed_reason=label).where(
            Permit.id == old.id
        ).execute()
        old.status = PermitStatus.REPLACED
        new = Permit.create(
            number=_new_number(catalogue, today),
            person=person,
            community=old.community,
            status=PermitStatus.VALID,
            accepted_on=request.opened_on,
            issue_due_by=add_working_days(request.opened_on, decision.service.time_limit),
            issued_on=today,
            valid_until=old.valid_until,
            residence_since=old.residence_since,
            replaces=old,
            fee_yuan=fee,
        )
        _event(
            old, PermitEventKind.REPLACED, desk, today, f"{label}，由{new.number}替代，原证号作废"
        )
        _event(
            new,
            PermitEventKind.ISSUED,
            desk,
            today,
            f"{label}，替代{old.number}，收取工本费{fee:g}元",
        )
        finish_permit_request(request, new.id, desk, today, f"已补换发居住证{new.number}")
        return new


def other_community_refusal(
    permit: Permit, community: str, what: str, en: str
) -> CounterError | None:
    """A permit is revoked (or restored) only by the community that issued it."""
    if permit.community == community:
        return None
    return CounterError(
        f"居住证{permit.number}由{permit.community}签发，只能由该社区{what}",
        f"permit {permit.number} was issued by {permit.community}; only that community may {en}",
    )


def revoke_refusal(permit: Permit | None, community: str) -> CounterError | None:
    """Why the person's current permit cannot be revoked here (None: it can; a lapsed one can)."""
    if permit is None or permit.status != PermitStatus.VALID:
        state = "未持有居住证" if permit is None else f"居住证{rules.STATUS_LABELS[permit.status]}"
        return CounterError(f"当事人{state}，无可注销的居住证", "there is no permit to revoke")
    return other_community_refusal(permit, community, "注销", "revoke it")


def unrevoke_refusal(newest: Permit | None, today: dt.date, community: str) -> CounterError | None:
    """Why a revocation cannot be undone (None: it can: the newest permit, revoked today)."""
    if newest is None or newest.status != PermitStatus.REVOKED:
        state = "未持有居住证" if newest is None else f"居住证{rules.STATUS_LABELS[newest.status]}"
        return CounterError(
            f"当事人{state}，没有可撤销的注销", "there is no revoked permit to restore"
        )
    if newest.closed_on != today:
        return CounterError(
            f"居住证{newest.number}注销于{newest.closed_on}，只能在注销当天撤销",
            f"permit {newest.number} was revoked on {newest.closed_on}; "
            "a revocation can be undone only on the same day",
        )
    return other_community_refusal(newest, community, "撤销注销", "undo its revocation")


def revoke_permit(*, id_number: str, reason: str, desk: Desk, today: dt.date) -> Permit:
    """A supervisor revokes a permit (it ends the holder's residence count)."""
    reason = (reason or "").strip()
    if not reason:
        raise CounterError("注销居住证须写明原因（--reason）", "revoking a permit needs a reason")
    require_supervisor(desk, "注销居住证", "revoke a permit")
    person = find_person(id_number, today)
    with db.atomic():
        lock_person(person)
        permit = current_permit(person)
        refused = revoke_refusal(permit, desk.community)
        if refused is not None:
            raise refused
        assert permit is not None
        Permit.update(status="revoked", closed_on=today, closed_reason=reason).where(
            Permit.id == permit.id
        ).execute()
        permit.status = "revoked"
        _event(permit, "revoked", desk, today, reason)
        return permit


def unrevoke_permit(*, id_number: str, reason: str, desk: Desk, today: dt.date) -> Permit:
    """Undo a revocation made by mistake: a supervisor, on the day itself, before any new permit.

    A new permit would restart residence on its issue date, so a mistaken revocation would cost
    the holder years of residence; restoring the same permit keeps `residence_since`. The undo
    is its own event, and the revocation stays in the history.
    """
    reason = (reason or "").strip()
    if not reason:
        raise CounterError(
            "撤销注销须写明原因（--reason）", "undoing a revocation needs a reason (--reason)"
        )
    require_supervisor(desk, "撤销注销", "undo a revocation")
    person = find_person(id_number, today)
    with db.atomic():
        lock_person(person)
        newest = current_permit(person)
        refused = unrevoke_refusal(newest, today, desk.community)
        if refused is not None:
            raise refused
        assert newest is not None
        Permit.update(status="valid", closed_on=None, closed_reason="").where(
            (Permit.id == newest.id) & (Permit.status == "revoked")
        ).execute()
        newest.status = "valid"
        newest.closed_on = None
        newest.closed_reason = ""
        _event(newest, "unrevoked", desk, today, reason)
        return newest


def show_permit(id_number: str, today: dt.date) -> tuple[Permit, list[Permit]]:
    """The current permit and all earlier ones, newest first."""
    person = find_person(id_number, today)
    all_permits = list(person.permits.order_by(Permit.id.desc()))
    if not all_permits:
        raise CounterError(
            f"{person.name} 尚未办理居住证（可办理：居住证申领 P01）",
            f"{person.name} holds no residence permit yet",
        )
    return all_permits[0], all_permits[1:]


def permit_overview(
    id_number: str, catalogue: Catalogue, community: str, today: dt.date
) -> dict[str, Any]:
    """Everything the desk's permit screen shows, as plain data: the person (masked), the
    current permit with its history, the earlier ones, and for each permit operation whether
    the rules allow it now and, if not, why (the same checks the operations make).

    `request` is the newest request a permit operation finished with the current permit (the
    one whose receipt goes with what was just done)."""
    ensure_ready()
    person = find_person(id_number, today)
    permit = current_permit(person)
    earlier = (
        list(person.permits.where(Permit.id != permit.id).order_by(Permit.id.desc()))
        if permit is not None
        else []
    )
    actions: dict[str, dict[str, Any]] = {}
    for action in PERMIT_ACTIONS:
        service = catalogue.permit_service(action)
        decision = decide(person, service, community, today, ["all"])
        refused = None
        if decision.decision == Outcome.REFUSE:
            refused = decision.refusal_message()
        else:
            waiting = pending_permit_refusal(open_requests_for(person, service.code))
            refused = waiting.zh if waiting is not None else None
        actions[action] = {"service": service.name, "code": service.code, "refused": refused}
    for action, check in (
        ("revoke", revoke_refusal(permit, community)),
        ("unrevoke", unrevoke_refusal(permit, today, community)),
    ):
        actions[action] = {"service": "", "code": "", "refused": check.zh if check else None}
    request = None
    if permit is not None:
        finished = (
            Request.select().where(Request.permit == permit.id).order_by(Request.id.desc()).first()
        )
        if finished is not None:
            request = {
                "ticket": finished.ticket,
                "service_name": finished.service_name,
                "opened_on": finished.opened_on.isoformat(),
            }
    advice = (
        rules.permit_advice(permit.status, permit.valid_until, today)
        if permit is not None
        else None
    )
    return {
        "person": person_view(person, today),
        "permit": permit_view(permit, today) if permit is not None else None,
        "advice": {"level": advice.level, "text": advice.text} if advice else None,
        "earlier": [permit_view(p, today) for p in earlier],
        "actions": actions,
        "replacement_fee": replacement_fee(catalogue),
        "request": request,
    }
