"""Households and persons: registering them and reading them back as plain data."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import peewee

from db.audit import append, lock_chain
from db.connection import db, is_postgres
from db.models import HEAD_INDEX, AccessLog, Household, Person
from db.setup import (
    Desk,
    add_place,
    check_known_community,
    ensure_ready,
    get_setting,
    next_serial,
    stamp,
)
from forms import dates, text
from forms import people as checks
from forms.citizen_id import mask_id, parse_citizen_id
from forms.errors import CounterError
from forms.people import HEAD_CODES
from forms.pinyin import name_keys
from forms.scope import HouseholdFacts, PersonFacts


def add_household(
    *,
    origin_village: str,
    community: str,
    moved_in: dt.date,
    today: dt.date,
    site: str = "",
    grid: str = "",
    building: str = "",
    unit: str = "",
    room: str = "",
    phone: str = "",
    monitored: bool = False,
    new_community: bool = False,
) -> Household:
    """Register a household; every text field is checked (no control characters, at most its
    column's length) before the database sees it, the same on both engines.

    A community no record names yet is refused as a probable typo unless `new_community`;
    with it, the community (and the household's site) go on the county list as `place add`
    puts them there, so a roster naming them later is not refused.
    """
    ensure_ready()
    origin = text.field(origin_village, "origin_village", required=True)
    target = text.field(community, "community", required=True)
    if not new_community:
        check_known_community(target, "迁入社区", "community")
    dates.check_moved_in(moved_in, today)
    fields = {key: text.field(value, key) for key, value in (
        ("site", site), ("grid", grid), ("building", building), ("unit", unit), ("room", room)
    )}  # fmt: skip
    phone = checks.check_phone(phone)
    with db.atomic():
        if new_community:
            add_place(target)
            if fields["site"]:
                add_place(target, fields["site"])
        serial = next_serial("household", 0)
        return Household.create(
            number=f"H{serial:06d}",
            origin_village=origin,
            community=target,
            site=fields["site"] or target,
            grid=fields["grid"],
            building=fields["building"],
            unit=fields["unit"],
            room=fields["room"],
            moved_in=moved_in,
            phone=phone,
            monitored=monitored,
        )


def get_household(number: str) -> Household:
    ensure_ready()
    household = Household.get_or_none(Household.number == text.token(number).upper())
    if household is None:
        raise CounterError(f"没有编号为 {number} 的搬迁户", f"no household numbered {number}")
    return household


def _second_head(number: str) -> CounterError:
    return CounterError(f"搬迁户 {number} 已有户主", f"household {number} already has a head")


def _one_head(add: Callable[..., Person]) -> Callable[..., Person]:
    """Two counters adding a head at once both pass the check; the partial unique index lets
    only one through, and the other gets the same one-line error as a sequential second head."""

    @functools.wraps(add)
    def guarded(**kwargs: object) -> Person:
        try:
            return add(**kwargs)
        except peewee.IntegrityError as exc:
            if HEAD_INDEX in str(exc) or "person.household_id" in str(exc):
                raise _second_head(
                    str(kwargs.get("household_number", "")).strip().upper()
                ) from None
            raise

    return guarded


@_one_head
def add_person(
    *,
    household_number: str,
    id_number: str,
    name: str,
    relation: str,
    today: dt.date,
    ethnicity: str | None = None,
    phone: str = "",
    hukou_address: str = "",
) -> Person:
    household = get_household(household_number)
    cid = parse_citizen_id(id_number, today)
    name = checks.check_name(name)
    kin = checks.check_relation(relation)
    ethnic = checks.check_ethnicity(ethnicity)
    phone = checks.check_phone(phone)
    hukou = text.field(hukou_address, "hukou_address")
    with db.atomic():
        existing = Person.get_or_none(Person.id_number == cid.number)
        if existing is not None:
            raise CounterError(
                f"身份证号 {mask_id(cid.number)} 已登记（{existing.name}，户号 {existing.household.number}）",
                f"citizen ID {mask_id(cid.number)} is already registered "
                f"(household {existing.household.number})",
            )
        mismatch = checks.relation_sex_problem(kin.code, cid.sex)  # after "already registered"
        if mismatch:
            raise CounterError(
                mismatch,
                f"relation to head '{kin.term}' does not match the sex in the citizen ID "
                f"({'male' if cid.sex == '男' else 'female'})",
            )
        if kin.is_head and household.members.where(Person.relation_code.in_(HEAD_CODES)).exists():
            raise _second_head(household.number)
        county = get_setting("county_name", "陕西省安康市紫阳县")
        return Person.create(
            household=household,
            id_number=cid.number,
            name=name,
            **search_keys(name, cid.number),
            sex=cid.sex,
            birth_date=cid.birth_date,
            ethnicity=ethnic,
            relation=kin.term,
            relation_code=kin.code,
            phone=phone,
            hukou_address=hukou or f"{county}{household.origin_village}",
        )


def search_keys(name: str, id_number: str) -> dict[str, str]:
    """The stored search keys of a person (db/search.py), for every write of a name or an ID:
    lowercase pinyin initials and full pinyin (surname table of forms/pinyin.py) and the ID
    reversed, so its last digits are a prefix. A bulk writer (an import) sets them the same way.
    """
    keys = name_keys(name)
    return {
        "initials": keys.initials,
        "pinyin": keys.full,
        "id_reversed": id_number[::-1].lower(),
    }


def find_person(id_number: str, today: dt.date | None = None) -> Person:
    """By full citizen ID; the number is checked first so a typo says what is wrong."""
    ensure_ready()
    cid = parse_citizen_id(id_number, today)
    person = Person.get_or_none(Person.id_number == cid.number)
    if person is None:
        raise CounterError(
            f"未找到身份证号为 {mask_id(cid.number)} 的搬迁群众，请先登记（person add）",
            f"no person with citizen ID {mask_id(cid.number)}; register them first (person add)",
        )
    return person


def lock_person(person: Person) -> None:
    """Hold the person's row until commit (PostgreSQL), so two counters changing the same
    person's permit queue instead of both writing. SQLite's write lock already serialises."""
    if is_postgres():
        lock_chain()  # the chain before the person: a step appends, then may take other locks
        Person.select(Person.id).where(Person.id == person.id).for_update().execute()


def show_person(id_number: str, desk: Desk, today: dt.date, what: str = "查看个人信息") -> Person:
    """Find a person for a full, unmasked view, and record who looked."""
    person = find_person(id_number, today)
    record_look(person, desk, today, what)
    return person


def record_look(person: Person | None, desk: Desk, today: dt.date, what: str) -> None:
    """Who looked at full data, where, when and at what (AccessLog, in the audit chain);
    `person` None for a look at many people at once (an export with full IDs)."""
    with db.atomic():
        append(
            AccessLog,
            person=person,
            staff=desk.staff_id,
            counter_code=desk.counter_code,
            on=today,
            at=stamp(),
            what=what,
        )


def head_of(household: Household) -> Person | None:
    return household.members.where(Person.relation_code.in_(HEAD_CODES)).first()


def person_facts(person: Person) -> PersonFacts:
    return PersonFacts(
        id_number=person.id_number,
        name=person.name,
        birth_date=person.birth_date,
        sex=person.sex,
        relation=person.relation,
        relation_code=person.relation_code,
    )


def household_facts(household: Household) -> HouseholdFacts:
    head = head_of(household)
    return HouseholdFacts(
        number=household.number,
        origin_village=household.origin_village,
        community=household.community,
        moved_in=household.moved_in,
        head_name=head.name if head else "",
    )


def members_of(household: Household) -> list[Person]:
    return list(household.members.order_by(Person.id))
