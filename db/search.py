"""The desk's one search box and `person find`: whatever was typed or scanned, what it names.

What the text is decides the search (after NFKC and with every space removed):
- an 18-character citizen ID -> that person; a 15-digit old ID -> the person whose 18-digit
  number it became (and the IDs that start so, while an 18-digit number is still being typed);
- 4-6 digits, the last one possibly X (or more digits ending in X) -> people whose ID ends so;
- 7-17 digits -> people whose ID starts so (the clerk is typing a full number);
- a ticket number (SXSQ01-2026-000341, any case) -> that request;
- a household number (H000302, any case) -> that household, with its community and how many
  people it has (a household registered without members is found too);
- a receipt verification code (ABCD-EFGH-JKLM; what the receipt's QR code holds) -> its request;
- Latin letters -> pinyin initials (zsf finds 张三丰) or full pinyin (zhangsanf), initials first;
  twelve letters may also be a verification code, and that request comes first;
- Chinese -> the name or a name prefix, the exact name first.

Every search reads stored keys (m0006) through an index, as a range (`key >= p AND key < p'`):
never LIKE, which SQLite does not serve from an index. On PostgreSQL the keys are compared with
COLLATE "C", as the indexes are built, so a range is a prefix whatever the database's collation.
One query per kind of hit, joined: the household and the newest permit come with the person.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import peewee

from db.clock import now
from db.connection import db, is_postgres
from db.models import Household, Permit, Person, ReceiptIssue, Request
from db.setup import ensure_ready
from db.views import is_overdue
from forms import permits as permit_rules
from forms.citizen_id import check_digit, mask_id
from forms.status import STATUS_LABELS
from forms.text import dotted, token
from forms.verify import normalise_code


@dataclass(frozen=True)
class Hit:
    kind: str  # "person" | "request" | "household"
    id_number: str  # full: kept in memory to open the card, never shown ("" for a household)
    masked_id: str
    name: str
    detail: str
    ticket: str | None = None
    household: str | None = None  # the household's number, on a household hit


class Kind(StrEnum):
    """What a typed text is taken for."""

    ID = "id"
    OLD_ID = "old_id"
    ID_PREFIX = "id_prefix"
    ID_TAIL = "id_tail"
    TICKET = "ticket"
    HOUSEHOLD = "household"
    CODE = "code"
    LETTERS = "letters"
    NAME = "name"


@dataclass(frozen=True)
class Query:
    kind: Kind
    value: str  # normalised: the ID upper-case, a tail reversed and lower-case, letters lower
    code: str | None = None  # twelve letters read as a receipt verification code


_ID = re.compile(r"\d{17}[\dX]", re.ASCII)
_OLD_ID = re.compile(r"\d{15}", re.ASCII)
_TAIL = re.compile(r"\d{4,6}|\d{3,16}X", re.ASCII)
_ID_PREFIX = re.compile(r"\d{7,17}", re.ASCII)
_TICKET = re.compile(r"[A-Z0-9]{1,8}\d{2}-\d{4}-\d{6}", re.ASCII)
# db/people.add_household numbers households H + a six-digit serial (more digits past 999999);
# at most 11 characters, so never a 12-letter verification code.
_HOUSEHOLD = re.compile(r"H\d{6,10}", re.ASCII)
_LETTERS = re.compile(r"[a-z]+")


def is_chinese(char: str) -> bool:
    code = ord(char)
    return (
        0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x323AF
    )  # the ranges forms.people accepts in a name


def classify(raw: str) -> Query | None:
    """What the text names; None when it can name nothing (too short, stray characters)."""
    text = token(raw)
    upper = text.upper()
    if not text:
        return None
    if _ID.fullmatch(upper):
        return Query(Kind.ID, upper)
    if _OLD_ID.fullmatch(upper):
        return Query(Kind.OLD_ID, upper)
    if _TAIL.fullmatch(upper):
        return Query(Kind.ID_TAIL, upper[::-1].lower())
    if _ID_PREFIX.fullmatch(upper):
        return Query(Kind.ID_PREFIX, upper)
    if _TICKET.fullmatch(upper):
        return Query(Kind.TICKET, upper)
    if _HOUSEHOLD.fullmatch(upper):
        return Query(Kind.HOUSEHOLD, upper)
    letters = text.lower().replace("ü", "v")
    if _LETTERS.fullmatch(letters):
        return Query(Kind.LETTERS, letters, normalise_code(text))
    if any(is_chinese(c) for c in text):
        return Query(Kind.NAME, dotted(text))
    code = normalise_code(text)
    return Query(Kind.CODE, code) if code else None


def new_id(old: str) -> str:
    """The 18-digit number a 15-digit one became: century 19 added, check digit computed."""
    first17 = old[:6] + "19" + old[6:]
    return first17 + check_digit(first17)


def successor(prefix: str) -> str | None:
    """The least string above every string that starts with `prefix` (code point order, which
    is SQLite's and COLLATE "C"'s); None if there is none."""
    last = ord(prefix[-1]) + 1
    if 0xD800 <= last <= 0xDFFF:  # surrogates are no characters: skip them
        last = 0xE000
    if last > 0x10FFFF:
        return successor(prefix[:-1]) if len(prefix) > 1 else None
    return prefix[:-1] + chr(last)


def key(field: peewee.Field) -> peewee.ColumnBase:
    """A key as the prefix indexes hold it: COLLATE "C" on PostgreSQL, bytewise on SQLite."""
    if is_postgres():
        return peewee.NodeList((field, peewee.SQL('COLLATE "C"')))
    return field


# ───────────────────────────── compiled queries ─────────────────────────────


class Slot(str):
    """A named place for a value in a query compiled once per engine (peewee takes about a
    millisecond to write this SQL, the index look-up a few hundredths of one)."""


VALUE, LO, HI, LIMIT = Slot("value"), Slot("lo"), Slot("hi"), Slot("limit")


def person_query(where: peewee.Expression, order: tuple[Any, ...]) -> peewee.Select:
    """Persons with their household and newest permit, in one query."""
    newest = Permit.alias("newest")
    latest = newest.select(peewee.fn.MAX(newest.id)).where(newest.person == Person.id)
    return (
        Person.select(
            Person.id,
            Person.id_number,
            Person.name,
            Household.community,
            Household.number,
            Permit.status,
            Permit.valid_until,
        )
        .join(Household)
        .switch(Person)
        .join(Permit, peewee.JOIN.LEFT_OUTER, on=(Permit.id == latest))  # by primary key
        .where(where)
        .order_by(*order)
        .limit(LIMIT)
    )


def _starting(field: peewee.Field, *order: Any) -> peewee.Select:
    """`field` starts with a prefix, as the range `LO <= key < HI` an index serves (LIKE and
    peewee's `startswith` are served by none on SQLite)."""
    column = key(field)
    return person_query((column >= LO) & (column < HI), order or (column,))


def request_query(where: peewee.Expression) -> peewee.Select:
    return (
        Request.select(
            Request.ticket,
            Request.service_name,
            Request.status,
            Request.promised_by,
            Person.id_number,
            Person.name,
        )
        .join(Person)
        .where(where)
        .order_by(Request.id)
        .limit(LIMIT)
    )


def household_query() -> peewee.Select:
    """A household by its number (unique, so indexed), with how many people it has."""
    members = Person.select(peewee.fn.COUNT(Person.id)).where(
        Person.household == Household.id
    )  # by the person.household_id index
    return (
        Household.select(Household.number, Household.community, members.alias("members"))
        .where(Household.number == VALUE)
        .limit(LIMIT)
    )


QUERIES: dict[str, Callable[[], peewee.Select]] = {
    "id": lambda: person_query(Person.id_number == VALUE, (Person.id,)),
    "id_prefix": lambda: _starting(Person.id_number),
    "id_tail": lambda: _starting(Person.id_reversed, key(Person.name), Person.id),
    "initials": lambda: _starting(
        Person.initials, key(Person.initials), key(Person.name), Person.id
    ),
    "pinyin": lambda: _starting(Person.pinyin, key(Person.pinyin), key(Person.name), Person.id),
    "name": lambda: _starting(Person.name, key(Person.name), Person.id),
    "ticket": lambda: request_query(Request.ticket == VALUE),
    "household": household_query,
    # Every printed version of a receipt keeps its code: an old paper still finds its request.
    "code": lambda: request_query(
        Request.id.in_(ReceiptIssue.select(ReceiptIssue.request).where(ReceiptIssue.code == VALUE))
    ),
}

_COMPILED: dict[tuple[type, str], tuple[str, list[Any]]] = {}


def bind(name: str, values: dict[str, Any]) -> tuple[str, list[Any]]:
    """The SQL of query `name` for the bound database, and its parameters for `values`."""
    engine = type(db.obj)
    compiled = _COMPILED.get((engine, name))
    if compiled is None:
        compiled = _COMPILED[(engine, name)] = QUERIES[name]().sql()
    sql, slots = compiled
    return sql, [values[slot] if isinstance(slot, Slot) else slot for slot in slots]


def run(name: str, values: dict[str, Any]) -> list[tuple[Any, ...]]:
    sql, params = bind(name, values)
    return list(db.execute_sql(sql, params).fetchall())


# ───────────────────────────── what a text runs ─────────────────────────────


def plan(query: Query, limit: int) -> list[tuple[str, dict[str, Any]]]:
    """The queries a text runs and their values, best hits first (requests, then persons)."""

    def exact(name: str, value: str) -> tuple[str, dict[str, Any]]:
        return name, {"value": value, "limit": limit}

    def starting(name: str, value: str) -> list[tuple[str, dict[str, Any]]]:
        upper = successor(value)
        return [] if upper is None else [(name, {"lo": value, "hi": upper, "limit": limit})]

    kind, value = query.kind, query.value
    code = query.code or (value if kind == Kind.CODE else None)
    steps = [exact("code", code)] if code else []
    if kind == Kind.ID:
        steps.append(exact("id", value))
    elif kind == Kind.OLD_ID:
        steps += [exact("id", new_id(value)), *starting("id_prefix", value)]
    elif kind == Kind.ID_PREFIX:
        steps += starting("id_prefix", value)
    elif kind == Kind.ID_TAIL:
        steps += starting("id_tail", value)
    elif kind == Kind.TICKET:
        steps.append(exact("ticket", value))
    elif kind == Kind.HOUSEHOLD:
        steps.append(exact("household", value))
    elif kind == Kind.LETTERS:
        steps += [*starting("initials", value), *starting("pinyin", value)]
    elif kind == Kind.NAME:
        steps += starting("name", value)
    return steps


def _person_hit(row: tuple[Any, ...], today: dt.date) -> Hit:
    _, id_number, name, community, household, permit_status, valid_until = row
    if permit_status is None:
        permit = "未办居住证"
    else:
        until = Permit.valid_until.python_value(valid_until)  # SQLite hands back text
        state = permit_rules.effective_status(permit_status, until, today)
        permit = f"居住证{permit_rules.STATUS_LABELS[state]}"
    return Hit("person", id_number, mask_id(id_number), name, f"{community} {household} {permit}")


def _request_hit(row: tuple[Any, ...], today: dt.date) -> Hit:
    ticket, service_name, status, promised_by, id_number, name = row
    promised = Request.promised_by.python_value(promised_by)
    detail = f"{service_name} {STATUS_LABELS[status]}"
    if is_overdue(Request(status=status, promised_by=promised), today):
        detail += " 已超期"
    return Hit("request", id_number, mask_id(id_number), name, detail, ticket)


def _household_hit(row: tuple[Any, ...], today: dt.date) -> Hit:
    number, community, members = row
    return Hit("household", "", "", number, f"{community} {members}人", household=number)


def search(text: str, *, limit: int = 20) -> list[Hit]:
    """Whatever was typed or scanned into the search box: at most `limit` hits, best first (the
    request a ticket or code names, the exact person, then prefixes in key order, then name)."""
    limit = max(0, int(limit))
    query = classify(text)
    if query is None or limit == 0:
        return []
    ensure_ready()
    today = now().date()
    hits: list[Hit] = []
    seen: set[object] = set()
    for name, values in plan(query, limit):
        if len(hits) >= limit:
            break  # e.g. the initials filled the list: the pinyin query is not needed
        make = (
            _request_hit
            if name in ("ticket", "code")
            else _household_hit
            if name == "household"
            else _person_hit
        )
        for row in run(name, values):
            if row[0] in seen or len(hits) >= limit:
                continue  # a person both initials and pinyin find is listed once
            seen.add(row[0])  # a ticket or household number (text) or a person's id (a number)
            hits.append(make(row, today))
    return hits
