"""peewee models: households, persons, permits, requests, their append-only histories, staff.

JSON lists (reasons, documents) are kept as text so the schema is the same on SQLite and
PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee

from db.clock import now
from db.connection import db


class JSONField(peewee.TextField):
    def db_value(self, value: Any) -> str | None:
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def python_value(self, value: str | None) -> Any:
        return None if value is None else json.loads(value)


def _now() -> dt.datetime:
    return now()  # the one clock (db/clock.py), so tests and the demo can set it


class BaseModel(peewee.Model):
    class Meta:
        database = db
        legacy_table_names = False


class SchemaVersion(BaseModel):
    name = peewee.CharField(primary_key=True, max_length=64)
    applied_at = peewee.DateTimeField(default=_now)


class Setting(BaseModel):
    """The counter's own settings: community, counter number, office code, secrets."""

    key = peewee.CharField(primary_key=True, max_length=64)
    value = peewee.TextField()


class Sequence(BaseModel):
    """Gap-free serial numbers, incremented inside the transaction that uses them."""

    name = peewee.CharField(max_length=64)
    year = peewee.IntegerField()
    value = peewee.IntegerField(default=0)

    class Meta:
        primary_key = peewee.CompositeKey("name", "year")


class Staff(BaseModel):
    id = peewee.AutoField()
    code = peewee.CharField(unique=True, max_length=32)
    name = peewee.CharField(max_length=40)
    role = peewee.CharField(max_length=16, default="officer")  # officer / supervisor
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=_now)
    # Sign-in (m0003): an argon2id hash ("" = no password yet, an account from before
    # accounts); failures and the lock live here so they hold across processes and counters.
    password_hash = peewee.CharField(max_length=255, default="")
    password_changed_at = peewee.DateTimeField(null=True)
    failed_count = peewee.IntegerField(default=0)
    locked_until = peewee.DateTimeField(null=True)


class StaffSession(BaseModel):
    """A signed-in session: only the SHA-256 of its random token is kept, never the token."""

    id = peewee.AutoField()
    staff_id: int
    token_hash = peewee.CharField(unique=True, max_length=64)
    staff = peewee.ForeignKeyField(Staff, backref="sessions", on_delete="RESTRICT")
    client = peewee.CharField(max_length=16, default="cli")  # cli / desk
    counter_code = peewee.CharField(max_length=16, default="")
    created_at = peewee.DateTimeField()
    last_seen = peewee.DateTimeField()
    expires_at = peewee.DateTimeField()  # last_seen + the idle limit, moved on each use
    ended_at = peewee.DateTimeField(null=True)


class StaffEvent(BaseModel):
    """Append-only: accounts added, disabled, enabled, passwords and roles changed, sign-ins."""

    id = peewee.AutoField()
    staff_id: int
    by_staff_id: int | None
    staff = peewee.ForeignKeyField(Staff, backref="events", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=24)
    at = peewee.DateTimeField()
    by_staff = peewee.ForeignKeyField(Staff, null=True, backref="events_made")
    counter_code = peewee.CharField(max_length=16, default="")
    note = peewee.TextField(default="")


class Household(BaseModel):
    id = peewee.AutoField()
    members: peewee.ModelSelect[Person]  # backref of Person.household
    number = peewee.CharField(unique=True, max_length=20)
    origin_village = peewee.CharField(max_length=60, index=True)
    community = peewee.CharField(max_length=60, index=True)
    site = peewee.CharField(max_length=60, default="")
    grid = peewee.CharField(max_length=30, default="")
    building = peewee.CharField(max_length=20, default="")
    unit = peewee.CharField(max_length=10, default="")
    room = peewee.CharField(max_length=10, default="")
    moved_in = peewee.DateField()
    phone = peewee.CharField(max_length=20, default="")
    monitored = peewee.BooleanField(default=False)
    created_at = peewee.DateTimeField(default=_now)


class Place(BaseModel):
    """The county's list of towns, communities and sites (m0009): a community is a row with
    site "", each of its sites a row of its own. Filled by `init` and by roster imports."""

    id = peewee.AutoField()
    town = peewee.CharField(max_length=60, default="")
    community = peewee.CharField(max_length=60)
    site = peewee.CharField(max_length=60, default="")
    created_at = peewee.DateTimeField(default=_now)

    class Meta:
        indexes = ((("community", "site"), True),)


class Person(BaseModel):
    id = peewee.AutoField()
    permits: peewee.ModelSelect[Permit]  # backref of Permit.person
    requests: peewee.ModelSelect[Request]  # backref of Request.person
    household = peewee.ForeignKeyField(Household, backref="members", on_delete="RESTRICT")
    id_number = peewee.CharField(unique=True, max_length=18)
    name = peewee.CharField(max_length=40, index=True)
    # Search keys (forms.pinyin, db.people.search_keys), written with the name and ID, never
    # computed at search time: pinyin initials and full pinyin in lowercase (曾小明: zxm,
    # zengxiaoming) and the ID reversed with a lowercase x, so an ID tail is a prefix. The
    # prefix indexes that serve them are m0006's (COLLATE "C" on PostgreSQL).
    initials = peewee.CharField(max_length=40, default="")
    pinyin = peewee.CharField(max_length=120, default="", constraints=[peewee.SQL("DEFAULT ''")])
    id_reversed = peewee.CharField(
        max_length=18, default="", constraints=[peewee.SQL("DEFAULT ''")]
    )
    sex = peewee.CharField(max_length=2)
    birth_date = peewee.DateField()
    ethnicity = peewee.CharField(max_length=10, default="汉族")
    relation = peewee.CharField(max_length=20)  # the GB/T 4761 term, as displayed
    relation_code = peewee.CharField(max_length=2, default="")  # its code; rules use this
    phone = peewee.CharField(max_length=20, default="")
    hukou_address = peewee.CharField(max_length=120, default="")
    created_at = peewee.DateTimeField(default=_now)


# One head (户主, or 本人) per household, enforced by the database on both engines so two
# counters adding a head at once cannot both succeed (m0002 adds it to existing databases).
HEAD_INDEX = "person_one_head"
Person.add_index(
    peewee.ModelIndex(
        Person,
        (Person.household,),
        unique=True,
        name=HEAD_INDEX,
        where=peewee.SQL("relation_code IN ('01', '02')"),
    )
)


class Permit(BaseModel):
    id = peewee.AutoField()
    replaces_id: int | None
    events: peewee.ModelSelect[PermitEvent]  # backref of PermitEvent.permit
    number = peewee.CharField(unique=True, max_length=24)
    person = peewee.ForeignKeyField(Person, backref="permits", on_delete="RESTRICT")
    community = peewee.CharField(max_length=60)
    status = peewee.CharField(max_length=12, default="valid")  # valid / revoked / replaced
    accepted_on = peewee.DateField()
    issue_due_by = peewee.DateField()
    issued_on = peewee.DateField()
    valid_until = peewee.DateField()
    residence_since = peewee.DateField()
    replaces = peewee.ForeignKeyField("self", null=True, backref="replaced_by")
    closed_on = peewee.DateField(null=True)
    closed_reason = peewee.CharField(max_length=120, default="")
    fee_yuan = peewee.DecimalField(max_digits=8, decimal_places=2, default=0)
    created_at = peewee.DateTimeField(default=_now)


class Request(BaseModel):
    id = peewee.AutoField()
    permit_id: int | None
    events: peewee.ModelSelect[RequestEvent]  # backref of RequestEvent.request
    ticket = peewee.CharField(unique=True, max_length=32)
    person = peewee.ForeignKeyField(Person, backref="requests", on_delete="RESTRICT")
    service_code = peewee.CharField(max_length=16, index=True)
    service_name = peewee.CharField(max_length=40)
    side = peewee.CharField(max_length=10)
    permit_action = peewee.CharField(max_length=10, default="")
    time_limit = peewee.IntegerField(default=0)
    decision = peewee.CharField(max_length=20)
    handled_by = peewee.CharField(max_length=60, null=True)
    reasons = JSONField(default=list)
    remedy = peewee.TextField(default="")
    documents_required = JSONField(default=list)
    documents_received = JSONField(default=list)
    documents_missing = JSONField(default=list)
    status = peewee.CharField(max_length=20, index=True)
    opened_on = peewee.DateField(index=True)
    opened_at = peewee.DateTimeField()
    promised_by = peewee.DateField(null=True)
    closed_on = peewee.DateField(null=True)
    community = peewee.CharField(max_length=60)
    counter_code = peewee.CharField(max_length=16)
    counter_no = peewee.IntegerField(default=0)  # the counter's number; never parse the code
    staff = peewee.ForeignKeyField(Staff, backref="requests")
    permit = peewee.ForeignKeyField(Permit, null=True, backref="requests")
    verify_code = peewee.CharField(max_length=16, index=True, default="")
    version = peewee.IntegerField(default=1)


class RequestEvent(BaseModel):
    """Append-only: every handling step of a request, never updated or deleted."""

    id = peewee.AutoField()

    request = peewee.ForeignKeyField(Request, backref="events", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=16)
    on = peewee.DateField()  # the business day (--date of a back-dated entry)
    at = peewee.DateTimeField()  # when it was recorded: the clock's time
    staff = peewee.ForeignKeyField(Staff)
    counter_code = peewee.CharField(max_length=16)
    status_after = peewee.CharField(max_length=20)
    note = peewee.TextField(default="")
    data = JSONField(null=True)


class PermitEvent(BaseModel):
    """Append-only permit history: issued, endorsed, replaced, revoked."""

    id = peewee.AutoField()

    permit = peewee.ForeignKeyField(Permit, backref="events", on_delete="RESTRICT")
    kind = peewee.CharField(max_length=16)
    on = peewee.DateField()
    at = peewee.DateTimeField()
    staff = peewee.ForeignKeyField(Staff)
    valid_until = peewee.DateField()
    residence_since = peewee.DateField()
    note = peewee.TextField(default="")
    late = peewee.BooleanField(default=False)  # an endorsement made after the permit lapsed


class AccessLog(BaseModel):
    """Who looked at a person's full, unmasked data, and when (confidentiality rule). A look at
    many people at once (an export with full IDs) is one row with no person (m0008), its `what`
    saying what and how many rows."""

    id = peewee.AutoField()
    person_id: int | None
    staff_id: int
    person = peewee.ForeignKeyField(Person, null=True, backref="accesses", on_delete="RESTRICT")
    staff = peewee.ForeignKeyField(Staff)
    counter_code = peewee.CharField(max_length=16)
    on = peewee.DateField()  # the business day the view was made for
    at = peewee.DateTimeField()  # when it was made: the clock's time
    what = peewee.CharField(max_length=40)


class ReceiptIssue(BaseModel):
    """Append-only: each printing of a receipt that asserts something new is a version.

    `covered` is what the code covers (the citizen ID is taken from the person, not stored
    twice); `key_id` names the key in the hall's key file that made `code` (the key itself
    never enters the database).
    """

    id = peewee.AutoField()
    request_id: int
    request = peewee.ForeignKeyField(Request, backref="receipts", on_delete="RESTRICT")
    version = peewee.IntegerField()
    covered = JSONField()
    key_id = peewee.CharField(max_length=16)
    scheme = peewee.CharField(max_length=8, default="hmac2")  # hmac2, or legacy (before m0005)
    code = peewee.CharField(max_length=16, index=True)
    printed_at = peewee.DateTimeField()
    staff = peewee.ForeignKeyField(Staff, null=True)
    counter_code = peewee.CharField(max_length=16, default="")

    class Meta:
        indexes = ((("request", "version"), True),)


# ── the tamper-evident history (db/chain.py) ──

CHAINED: dict[type[BaseModel], tuple[str, ...]] = {}


def chain(model: type[BaseModel], *fields: str) -> None:
    """Put a table in the audit chain: `fields` are what each row's hash covers, in this fixed
    order (add a field only with a migration that says so: old rows keep their old hash).

    Gives the model the chain's columns: `chain_seq` (the row's place in the one chain over all
    chained tables), `prev_hash` (the row before it) and `row_hash` (this row).
    """
    columns = {
        "chain_seq": peewee.IntegerField(null=True, unique=True),
        "prev_hash": peewee.CharField(max_length=64, null=True),
        "row_hash": peewee.CharField(max_length=64, null=True),
    }
    for name, field in columns.items():
        if name not in model._meta.fields:
            model._meta.add_field(name, field)
    unknown = [name for name in fields if name not in model._meta.fields]
    if unknown:
        raise ValueError(f"{model.__name__} has no field(s) {unknown}")
    CHAINED[model] = tuple(fields)


chain(
    RequestEvent,
    "request", "kind", "on", "at", "staff", "counter_code", "status_after", "note", "data",
)  # fmt: skip
chain(
    PermitEvent,
    "permit", "kind", "on", "at", "staff", "valid_until", "residence_since", "note", "late",
)  # fmt: skip
chain(AccessLog, "person", "staff", "counter_code", "on", "at", "what")
chain(StaffEvent, "staff", "kind", "at", "by_staff", "counter_code", "note")


MODELS: list[type[BaseModel]] = [
    SchemaVersion,
    Setting,
    Sequence,
    Staff,
    StaffSession,
    StaffEvent,
    Household,
    Person,
    Permit,
    Request,
    RequestEvent,
    PermitEvent,
    AccessLog,
    ReceiptIssue,
    Place,
]
