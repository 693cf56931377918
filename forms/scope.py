"""The scope check: for one person, service, counter and day, what the counter must do and why.

A pure function of plain facts. Every reason names the rule it comes from and the policy it
rests on; every missing document is listed at once (一次性告知). Missing documents never refuse
a request; they keep it open as pending materials.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from forms import permits
from forms.catalogue import Document, Service
from forms.citizen_id import age_on
from forms.errors import CounterError
from forms.people import relation_code_of, relation_group_text, relation_matches
from forms.permits import PermitStatus
from forms.status import Outcome, Side
from forms.text import free, token

PERMIT_GUIDE = (
    "“1126”机制·一本证定人：县乡村振兴局会同公安部门制定办事指南，明确“居住证”使用范围和权限"
)
TWO_LISTS = "“1126”机制·两项清单定责：防止办事多头跑和两头都不管"
ONE_TIME_NOTICE = "一次性告知：材料不全的，一次性告知需补正的全部材料"
# 《居住证暂行条例》（国务院令第663号）: Article 9 the application, its materials, the one-time
# notice and the 15-day issue; Article 10 the yearly endorsement and lapse (使用功能中止, restored
# by a late endorsement); Article 11 replacement; Article 21 the fees.
REGULATION_9 = (
    "《居住证暂行条例》第九条：申领居住证，应当提交本人居民身份证、本人相片以及居住地住址等证明"
    "材料；申请材料不全的，一次性告知需要补充的材料；公安机关自受理之日起15日内制作发放居住证"
)
REGULATION_10 = (
    "《居住证暂行条例》第十条：居住证每年签注1次，应当在居住每满1年之日前1个月内办理签注；"
    "逾期未办理签注的，居住证使用功能中止；补办签注手续的，使用功能恢复，"
    "居住年限自补办签注手续之日起连续计算"
)
REGULATION_11 = (
    "《居住证暂行条例》第十一条：居住证损坏难以辨认或者丢失的，办理换领、补领手续；"
    "换领新证时，应当交回原证"
)
REGULATION_21 = (
    "《居住证暂行条例》第二十一条：首次申领居住证免收证件工本费；换领、补领居住证，"
    "应当缴纳证件工本费；办理签注手续不得收取费用"
)


class Rule(StrEnum):
    """The rule a reason comes from; the values are stored with each request's reasons."""

    SIDE_HERE = "SIDE-HERE"
    SIDE_FORWARD = "SIDE-FORWARD"
    SIDE_ORIGIN = "SIDE-ORIGIN"
    MATERIALS_MISSING = "MATERIALS-MISSING"
    PERMIT_SCOPE = "PERMIT-SCOPE"
    PERMIT_NONE = "PERMIT-NONE"
    PERMIT_REVOKED = "PERMIT-REVOKED"
    PERMIT_LAPSED = "PERMIT-LAPSED"
    PERMIT_COMMUNITY = "PERMIT-COMMUNITY"
    PERMIT_VALID = "PERMIT-VALID"
    PERMIT_SERVICE = "PERMIT-SERVICE"
    PERMIT_HELD = "PERMIT-HELD"
    ENDORSE_EARLY = "ENDORSE-EARLY"
    ENDORSE_LATE = "ENDORSE-LATE"
    ENDORSE_ON_TIME = "ENDORSE-ON-TIME"
    REPLACE_LAPSED = "REPLACE-LAPSED"
    AGE_MIN = "AGE-MIN"
    AGE_MAX = "AGE-MAX"
    RESIDENCE = "RESIDENCE"
    RELATION = "RELATION"


# One English sentence per rule, for the English half of an error that would otherwise be a
# bare rule code. It says what the rule found when it blocks (or notes) a request.
RULE_SENTENCES: dict[str, str] = {
    Rule.SIDE_HERE: "the service is handled at this counter",
    Rule.SIDE_FORWARD: "the counter collects the materials and forwards them to a county department",
    Rule.SIDE_ORIGIN: "the service stays with the move-out village; the counter issues a transfer slip",
    Rule.MATERIALS_MISSING: "documents are missing and were all listed in one notice",
    Rule.PERMIT_SCOPE: "the service is outside the residence permit's scope of use",
    Rule.PERMIT_NONE: "the person holds no usable residence permit",
    Rule.PERMIT_REVOKED: "the residence permit was revoked or replaced",
    Rule.PERMIT_LAPSED: "the residence permit was not endorsed in time and its use is suspended",
    Rule.PERMIT_COMMUNITY: "the person belongs to another community's service hall",
    Rule.PERMIT_VALID: "the residence permit is valid",
    Rule.PERMIT_SERVICE: "residence-permit services need no valid permit",
    Rule.PERMIT_HELD: "the person already holds a residence permit",
    Rule.ENDORSE_EARLY: "it is too early to endorse the residence permit",
    Rule.ENDORSE_LATE: "the endorsement is late; residence years count again from today",
    Rule.ENDORSE_ON_TIME: "the endorsement is within its window",
    Rule.REPLACE_LAPSED: "the old permit was not endorsed in time; endorse the new one too",
    Rule.AGE_MIN: "the person is under the service's minimum age",
    Rule.AGE_MAX: "the person is over the service's maximum age",
    Rule.RESIDENCE: "the person has not yet lived here for the required years",
    Rule.RELATION: "the service is applied for by another member of the household",
}


def rule_sentence(rule: str) -> str:
    """The English sentence for a rule code (the code itself if a stored one is unknown)."""
    return RULE_SENTENCES.get(rule, rule)


@dataclass(frozen=True)
class PersonFacts:
    id_number: str
    name: str
    birth_date: dt.date
    sex: str
    relation: str  # the GB/T 4761 term, as displayed
    relation_code: str = ""  # its two-digit code; rules decide by this (derived if empty)


@dataclass(frozen=True)
class HouseholdFacts:
    number: str
    origin_village: str
    community: str
    moved_in: dt.date
    head_name: str = ""


@dataclass(frozen=True)
class PermitFacts:
    """The person's current permit: the newest one, whatever its state."""

    number: str
    status: str  # stored: valid / revoked / replaced
    valid_until: dt.date
    residence_since: dt.date
    community: str

    def status_on(self, day: dt.date) -> str:
        return permits.effective_status(self.status, self.valid_until, day)


@dataclass(frozen=True)
class Reason:
    rule: str
    text: str
    basis: str


@dataclass(frozen=True)
class Decision:
    decision: str  # handle / forward_department / refer_origin / refuse
    service: Service
    handled_by: str | None
    reasons: tuple[Reason, ...]
    required: tuple[Document, ...]
    received: tuple[Document, ...]
    missing: tuple[Document, ...]
    remedy: str = ""
    age: int = 0
    blocking: tuple[Reason, ...] = field(default=())

    def refusal_message(self) -> str:
        """The refusal in one line: every blocking reason, then what would make it possible."""
        text = "；".join(r.text for r in self.blocking)
        return f"{text}。{self.remedy}" if self.remedy else text

    def refusal_english(self) -> str:
        """The blocking reasons as English sentences, for the English half of an error."""
        return "; ".join(dict.fromkeys(rule_sentence(r.rule) for r in self.blocking))

    def as_dict(self) -> dict[str, object]:
        return {
            "decision": self.decision,
            "service": {
                "code": self.service.code,
                "name": self.service.name,
                "side": self.service.side,
            },
            "handled_by": self.handled_by,
            "reasons": [asdict(r) for r in self.reasons],
            "missing_documents": [d.name for d in self.missing],
            "received_documents": [d.name for d in self.received],
            "required_documents": [
                {"name": d.name, "copies": d.copies, "issuer": d.issuer} for d in self.required
            ],
            "remedy": self.remedy,
        }


def hall_name(community: str) -> str:
    return f"{community}服务大厅"


def resolve_provided(
    service: Service, age: int | None, provided: Sequence[str]
) -> tuple[Document, ...]:
    """Turn what the officer typed into the service's documents (see `resolve_documents`)."""
    return resolve_documents(
        service.documents, service.required_documents(age), provided, service.name
    )


DOCUMENT_SEPARATORS = str.maketrans({"，": ",", "、": ",", ";": ",", "；": ","})


def split_documents(raw: object) -> list[str]:
    """One --provided value into its items: "," "，" "、" ";" "；" all separate documents."""
    return str(raw).translate(DOCUMENT_SEPARATORS).split(",")


def resolve_documents(
    documents: Sequence[Document],
    required: Sequence[Document],
    provided: Sequence[str],
    label: str,
) -> tuple[Document, ...]:
    """Match typed document names against a list.

    Accepts exact names, 1-based numbers from the list, and `all` (every required document);
    commas may separate several. Anything else is an error that lists the accepted names, so a
    typo is never silently dropped.
    """
    chosen: list[Document] = []
    for raw in provided:
        for item in split_documents(raw):
            key = free(item)
            number = token(item)
            if not key:
                continue
            if number.lower() == "all" or key == "全部":
                chosen.extend(required)
                continue
            if number.isdigit() and 1 <= int(number) <= len(documents):
                match: Document | None = documents[int(number) - 1]
            else:
                match = next((d for d in documents if d.name == key), None)
            if match is None:
                names = "、".join(f"{i}.{d.name}" for i, d in enumerate(documents, 1))
                raise CounterError(
                    f"“{label}”的材料清单中没有“{key}”；可填：{names}，或 all",
                    f"'{key}' is not a document of {label}; use a listed name, its number, or 'all'",
                )
            chosen.append(match)
    return tuple(dict.fromkeys(chosen))


def check_scope(
    *,
    person: PersonFacts,
    household: HouseholdFacts,
    permit: PermitFacts | None,
    service: Service,
    counter_community: str,
    today: dt.date,
    provided: Sequence[str] = (),
) -> Decision:
    """Decide one request. Pure: the same facts always give the same decision."""
    age = age_on(person.birth_date, today)
    required = tuple(service.required_documents(age))
    received = resolve_provided(service, age, provided)
    missing = tuple(d for d in required if d not in received)
    reasons: list[Reason] = []
    refusals: list[tuple[Reason, str]] = []

    def refuse(rule: str, text: str, basis: str, remedy: str) -> None:
        refusals.append((Reason(rule, text, basis), remedy))

    if service.side == Side.ORIGIN:
        reasons.append(
            Reason(
                Rule.SIDE_ORIGIN,
                f"“{service.name}”属迁出村责任清单，由迁出村{household.origin_village}办理；"
                "搬迁群众在迁出地的权益不变，不受居住证状态影响，本窗口开具转办单",
                service.basis,
            )
        )
        _add_missing_reason(reasons, missing, to_village=True)
        return Decision(
            decision=Outcome.REFER_ORIGIN,
            service=service,
            handled_by=household.origin_village,
            reasons=tuple(reasons),
            required=required,
            received=received,
            missing=missing,
            age=age,
        )

    if service.permit_action:
        _check_permit_service(service, household, permit, counter_community, today, reasons, refuse)
    else:
        _check_permit(service, household, permit, counter_community, today, reasons, refuse)

    _check_conditions(service, person, household, permit, today, age, reasons, refuse)

    if refusals:
        return Decision(
            decision=Outcome.REFUSE,
            service=service,
            handled_by=None,
            reasons=tuple(r for r, _ in refusals) + tuple(reasons),
            required=required,
            received=received,
            missing=missing,
            remedy="；".join(dict.fromkeys(remedy for _, remedy in refusals if remedy)),
            age=age,
            blocking=tuple(r for r, _ in refusals),
        )

    if service.side == Side.FORWARD:
        decision, handled_by = Outcome.FORWARD_DEPARTMENT, service.department
        reasons.insert(
            0,
            Reason(
                Rule.SIDE_FORWARD,
                f"“{service.name}”由本窗口代收材料，转{service.department}办理",
                service.basis,
            ),
        )
    else:
        decision, handled_by = Outcome.HANDLE, hall_name(counter_community)
        reasons.insert(
            0,
            Reason(Rule.SIDE_HERE, f"“{service.name}”属迁入社区事项，本窗口办理", service.basis),
        )
    _add_missing_reason(reasons, missing, to_village=False)
    return Decision(
        decision=decision,
        service=service,
        handled_by=handled_by,
        reasons=tuple(reasons),
        required=required,
        received=received,
        missing=missing,
        age=age,
    )


def _add_missing_reason(
    reasons: list[Reason], missing: Sequence[Document], *, to_village: bool
) -> None:
    if not missing:
        return
    names = "、".join(d.name for d in missing)
    if to_village:
        text = f"办理时须向迁出村提交：{names}（已一次性告知）"
    else:
        text = f"材料不全，缺少{len(missing)}项：{names}；已一次性告知，补齐后办理（待补正，不作不予办理）"
    reasons.append(Reason(Rule.MATERIALS_MISSING, text, ONE_TIME_NOTICE))


Refuse = Callable[[str, str, str, str], None]  # rule, text, basis, remedy


def _check_permit(
    service: Service,
    household: HouseholdFacts,
    permit: PermitFacts | None,
    counter_community: str,
    today: dt.date,
    reasons: list[Reason],
    refuse: Refuse,
) -> None:
    """Services of the move-in community need a valid permit of this community, in scope.

    When the person has no usable permit and lives in another community, the remedy already
    names that community's hall: P01 is only issued there (see `_check_permit_service`).
    """
    if not service.needs_permit:
        return
    elsewhere = household.community != counter_community
    apply_at = f"请到{hall_name(household.community)}办理" if elsewhere else "请先办理"
    if not service.in_permit_scope:
        refuse(
            Rule.PERMIT_SCOPE,
            f"“{service.name}”不在居住证使用范围和权限之内",
            PERMIT_GUIDE,
            "请按办事指南到主管部门办理",
        )
    if permit is None:
        refuse(
            Rule.PERMIT_NONE,
            "当事人未持有居住证，迁入社区事项须凭居住证办理",
            PERMIT_GUIDE,
            f"{apply_at}“居住证申领”（P01），发证后即可办理",
        )
        return
    status = permit.status_on(today)
    if status in (PermitStatus.REVOKED, PermitStatus.REPLACED):
        refuse(
            Rule.PERMIT_REVOKED,
            f"居住证{permit.number}{permits.STATUS_LABELS[status]}，不能凭此证办理",
            PERMIT_GUIDE,
            f"{'请到' + hall_name(household.community) if elsewhere else '请'}"
            "重新办理“居住证申领”（P01）",
        )
        return
    if status == PermitStatus.LAPSED:
        refuse(
            Rule.PERMIT_LAPSED,
            f"居住证{permit.number}有效期至{permit.valid_until.isoformat()}，"
            "未按期签注，使用功能中止",
            REGULATION_10,
            "请先办理“居住证签注”（P02），签注当日即恢复使用",
        )
    if permit.community != counter_community:
        refuse(
            Rule.PERMIT_COMMUNITY,
            f"居住证{permit.number}由{permit.community}登记，不属本社区（{counter_community}）",
            PERMIT_GUIDE + "；迁入地管理为主",
            f"请到{hall_name(permit.community)}办理",
        )
        return
    if status == PermitStatus.VALID:
        reasons.append(
            Reason(
                Rule.PERMIT_VALID,
                f"居住证{permit.number}有效，有效期至{permit.valid_until.isoformat()}",
                PERMIT_GUIDE,
            )
        )


def _check_permit_service(
    service: Service,
    household: HouseholdFacts,
    permit: PermitFacts | None,
    counter_community: str,
    today: dt.date,
    reasons: list[Reason],
    refuse: Refuse,
) -> None:
    """Apply, endorse, replace: no valid permit needed, but each has its own preconditions."""
    reasons.append(
        Reason(Rule.PERMIT_SERVICE, "居住证本身的事项不以持有有效居住证为前提", service.basis)
    )
    if household.community != counter_community:
        refuse(
            Rule.PERMIT_COMMUNITY,
            f"当事人安置在{household.community}，居住证由迁入社区受理，不属本社区（{counter_community}）",
            PERMIT_GUIDE + "；迁入地管理为主",
            f"请到{hall_name(household.community)}办理",
        )
    action = service.permit_action
    if permit is None:
        if action != "issue":
            refuse(
                Rule.PERMIT_NONE,
                f"当事人未持有居住证，不能{service.name}",
                service.basis,
                "请办理“居住证申领”（P01）",
            )
        return
    status = permit.status_on(today)
    if action == "issue":
        if status == PermitStatus.VALID:
            refuse(
                Rule.PERMIT_HELD,
                f"当事人已持有有效居住证{permit.number}（有效期至{permit.valid_until.isoformat()}）",
                service.basis,
                "如遗失或损坏，请办理“居住证补换领”（P03）",
            )
        elif status == PermitStatus.LAPSED:
            refuse(
                Rule.PERMIT_HELD,
                f"当事人已持有居住证{permit.number}，因未签注使用功能中止，补办签注即恢复，无须重新申领",
                REGULATION_10,
                "请办理“居住证签注”（P02）",
            )
        return
    if status in (PermitStatus.REVOKED, PermitStatus.REPLACED):
        refuse(
            Rule.PERMIT_NONE,
            f"当事人居住证{permit.number}{permits.STATUS_LABELS[status]}，不能{service.name}",
            service.basis,
            "请办理“居住证申领”（P01）",
        )
        return
    if action == "endorse":
        opens = permits.endorsement_opens(permit.valid_until)
        if today < opens:
            refuse(
                Rule.ENDORSE_EARLY,
                f"居住证{permit.number}有效期至{permit.valid_until.isoformat()}，未到签注时间",
                service.basis,
                f"请于{opens.isoformat()}起办理签注",
            )
        elif status == PermitStatus.LAPSED:
            reasons.append(
                Reason(
                    Rule.ENDORSE_LATE,
                    f"逾期签注：补办签注后使用功能恢复，有效期一年，居住年限自{today.isoformat()}起连续计算",
                    REGULATION_10,
                )
            )
        else:
            reasons.append(
                Reason(
                    Rule.ENDORSE_ON_TIME,
                    f"在签注期内（{opens.isoformat()}起），有效期延长一年，居住年限连续计算",
                    service.basis,
                )
            )
    elif action == "replace" and status == PermitStatus.LAPSED:
        reasons.append(
            Reason(
                Rule.REPLACE_LAPSED,
                "原证因未签注使用功能中止，补换领后仍须办理签注",
                REGULATION_10,
            )
        )


def _check_conditions(
    service: Service,
    person: PersonFacts,
    household: HouseholdFacts,
    permit: PermitFacts | None,
    today: dt.date,
    age: int,
    reasons: list[Reason],
    refuse: Refuse,
) -> None:
    cond = service.conditions
    if cond.min_age is not None:
        if age < cond.min_age:
            from_day = permits.add_years(person.birth_date, cond.min_age)
            refuse(
                Rule.AGE_MIN,
                f"当事人{age}周岁，未满{cond.min_age}周岁（按身份证号计算）",
                service.basis,
                f"可于{from_day.isoformat()}（年满{cond.min_age}周岁）起办理",
            )
        else:
            reasons.append(
                Reason(Rule.AGE_MIN, f"当事人{age}周岁，已满{cond.min_age}周岁", service.basis)
            )
    if cond.max_age is not None:
        if age > cond.max_age:
            refuse(
                Rule.AGE_MAX,
                f"当事人{age}周岁，超过{cond.max_age}周岁，不符合该事项条件",
                service.basis,
                "该事项仅限" + f"{cond.max_age}周岁及以下人员；可咨询窗口其他适用事项",
            )
        else:
            reasons.append(
                Reason(Rule.AGE_MAX, f"当事人{age}周岁，未超过{cond.max_age}周岁", service.basis)
            )
    if cond.min_residence_years:
        since = permit.residence_since if permit else household.moved_in
        reached = permits.add_years(since, cond.min_residence_years)
        note = "（逾期签注后重新起算）" if permit and since > household.moved_in else ""
        if today < reached:
            refuse(
                Rule.RESIDENCE,
                f"居住年限自{since.isoformat()}起算{note}，至今不满{cond.min_residence_years}年",
                service.basis,
                f"可于{reached.isoformat()}（居住满{cond.min_residence_years}年）起办理",
            )
        else:
            reasons.append(
                Reason(
                    Rule.RESIDENCE,
                    f"居住年限自{since.isoformat()}起算{note}，已满{cond.min_residence_years}年",
                    service.basis,
                )
            )
    if cond.relations:
        code = person.relation_code or relation_code_of(person.relation)
        if not relation_matches(code, cond.relations):
            head = f"户主{household.head_name}" if household.head_name else "户主"
            refuse(
                Rule.RELATION,
                f"该事项以户为单位由{relation_group_text(cond.relations)}办理，"
                f"当事人为{person.relation}",
                service.basis,
                f"请由{head}办理，或凭户主签字的委托书代办",
            )
        else:
            reasons.append(Reason(Rule.RELATION, f"当事人为{person.relation}", service.basis))
