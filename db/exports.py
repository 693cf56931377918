"""Exports: requests, persons, permits and households as rows of plain values for a spreadsheet.

Streamed: each kind is one joined query read in keyset chunks by id (`CHUNK` rows per query,
`WHERE id > last ORDER BY id LIMIT CHUNK`), so a county table of 282,000 people never sits in
memory and no row is read twice or skipped when rows are added meanwhile. The values are what a
person reads: Chinese labels for statuses and decisions (forms/status.py, forms/permits.py),
never codes; dates as dates; IDs masked unless full IDs were asked for, which only a supervisor
may do and which is recorded as a view of full data (AccessLog, in the audit chain).

Who may export what: an officer exports their own community; another community, or every
community at once, is a supervisor's. The filters:
- requests by the business day they were opened (`opened_on`);
- persons and households by the household's move-in date (`moved_in`): who arrived when, what a
  supervisor counts in a relocation programme;
- permits by their issue date (`issued_on`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import peewee

from db.models import Household, Permit, Person, Request, Staff
from db.people import record_look
from db.setup import Desk, check_known_community, ensure_ready
from db.views import address_from
from forms import permits as permit_rules
from forms import text
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.people import HEAD_CODES
from forms.status import DECISION_LABELS, STATUS_LABELS

CHUNK = 2000  # rows per query

KIND_LABELS: dict[str, str] = {
    "requests": "办件",
    "persons": "人员",
    "permits": "居住证",
    "households": "搬迁户",
}
FULL_IDS_WHAT = "导出完整身份证号"  # AccessLog.what starts with this; the kind and count follow

# (header, cell kind) per kind, in column order; the cell kinds are printouts.sheets.Kind's.
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "requests": (
        ("受理编号", "text"),
        ("受理日期", "date"),  # the business day (a back-dated entry's day)
        ("受理时间", "datetime"),  # when it was recorded, by the clock
        ("事项编码", "text"),
        ("事项", "text"),
        ("办理方", "text"),
        ("结论", "text"),
        ("状态", "text"),
        ("当事人", "text"),
        ("身份证号", "text"),
        ("社区", "text"),
        ("窗口", "text"),
        ("经办人", "text"),
        ("承诺日期", "date"),
        ("办结日期", "date"),
        ("缺少材料", "text"),
    ),
    "persons": (
        ("身份证号", "text"),
        ("姓名", "text"),
        ("性别", "text"),
        ("出生日期", "date"),
        ("民族", "text"),
        ("与户主关系", "text"),
        ("户编号", "text"),
        ("联系电话", "text"),
        ("迁出村", "text"),
        ("迁入社区", "text"),
        ("安置点", "text"),
        ("网格", "text"),
        ("住址", "text"),
        ("入住时间", "date"),
        ("居住证号", "text"),
        ("居住证状态", "text"),
    ),
    "permits": (
        ("居住证号", "text"),
        ("身份证号", "text"),
        ("姓名", "text"),
        ("社区", "text"),
        ("状态", "text"),
        ("签发日期", "date"),
        ("有效期至", "date"),
        ("居住起算", "date"),
        # A permit is closed when it is revoked (注销) or replaced (补换领): the day and why.
        ("注销或补换日期", "date"),
        ("注销或补换原因", "text"),
    ),
    "households": (
        ("户编号", "text"),
        ("户主", "text"),
        ("户主身份证号", "text"),
        ("人数", "number"),
        ("迁出村", "text"),
        ("迁入社区", "text"),
        ("安置点", "text"),
        ("网格", "text"),
        ("楼栋", "text"),
        ("单元", "text"),
        ("房号", "text"),
        ("入住时间", "date"),
        ("联系电话", "text"),
    ),
}


@dataclass(frozen=True)
class Export:
    """What an export will write: its columns and its rows, read lazily (a generator)."""

    kind: str
    columns: tuple[tuple[str, str], ...]
    rows: Iterator[tuple[Any, ...]]
    community: str | None  # None: every community
    full_ids: bool


def keyset(query: peewee.ModelSelect[Any], key: peewee.Field, chunk: int = CHUNK) -> Iterator[Any]:
    """The rows of `query` (as tuples, `key` selected first) in order of `key`, `chunk` rows
    per query: a keyset walk, never OFFSET, never the whole table at once."""
    if chunk < 1:
        raise ValueError("chunk must be positive")
    last: Any = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = list(page.order_by(key).limit(chunk).tuples())
        yield from rows
        if len(rows) < chunk:
            return
        last = rows[-1][0]


def _is_supervisor(desk: Desk) -> bool:
    staff = Staff.get_or_none(Staff.id == desk.staff_id)
    return staff is not None and staff.active and staff.role == "supervisor"


def scope_of(desk: Desk, community: str | None) -> str | None:
    """The community an export covers (None: all). An officer's own by default; another one,
    or all of them, only for a supervisor."""
    from db.accounts import require_supervisor  # db.accounts imports db.audit, as we do

    if community is None or not str(community).strip():
        if _is_supervisor(desk):
            return None
        return desk.community
    target = text.field(community, "community", required=True)
    check_known_community(target, "社区（--community）", "community (--community)")
    if target != desk.community:
        require_supervisor(desk, "导出其他社区的数据", "export another community's data")
    return target


def prepare_export(
    kind: str,
    desk: Desk,
    today: dt.date,
    *,
    first: dt.date | None = None,
    last: dt.date | None = None,
    community: str | None = None,
    full_ids: bool = False,
    chunk: int = CHUNK,
) -> Export:
    """Check who may export what, and return the columns and the (lazy) rows."""
    from db.accounts import require_supervisor

    ensure_ready()
    if kind not in COLUMNS:
        raise CounterError(
            f"导出类别应为：{'、'.join(f'{k}（{v}）' for k, v in KIND_LABELS.items())}；不是“{kind}”",
            f"export what: one of {', '.join(COLUMNS)}, not '{kind}'",
        )
    if first is not None and last is not None and last < first:
        raise CounterError(
            f"截止日期 {last.isoformat()} 早于起始日期 {first.isoformat()}",
            f"the range ends ({last.isoformat()}) before it starts ({first.isoformat()})",
        )
    if full_ids:
        require_supervisor(desk, "导出完整身份证号", "export full citizen IDs")
    scope = scope_of(desk, community)
    show_id: Callable[[str | None], str] = (
        (lambda number: number or "") if full_ids else (lambda number: mask_id(number or ""))
    )
    rows = ROWS[kind](Filter(scope, first, last, today, show_id, chunk))
    return Export(kind, COLUMNS[kind], rows, scope, full_ids)


def record_full_ids(export: Export, count: int, desk: Desk, today: dt.date) -> None:
    """One access-log entry for an export with full IDs: who, when, which kind, how many rows
    (there is no single person: m0008)."""
    record_look(None, desk, today, f"{FULL_IDS_WHAT}（{KIND_LABELS[export.kind]}{count}行）")


def _between(
    query: peewee.ModelSelect[Any], field: peewee.Field, first: dt.date | None, last: dt.date | None
) -> peewee.ModelSelect[Any]:
    if first is not None:
        query = query.where(field >= first)
    if last is not None:
        query = query.where(field <= last)
    return query


@dataclass(frozen=True)
class Filter:
    scope: str | None  # one community, or None: every one
    first: dt.date | None
    last: dt.date | None
    today: dt.date  # for the permits' effective status (lapsed)
    shown: Callable[[str | None], str]  # the ID as the file shows it: masked or full
    chunk: int


def _requests(f: Filter) -> Iterator[tuple[Any, ...]]:
    query = (
        Request.select(
            Request.id,
            Request.ticket,
            Request.opened_on,
            Request.opened_at,
            Request.service_code,
            Request.service_name,
            Request.handled_by,
            Request.decision,
            Request.status,
            Person.name,
            Person.id_number,
            Request.community,
            Request.counter_code,
            Staff.name,
            Request.promised_by,
            Request.closed_on,
            Request.documents_missing,
        )
        .join(Person)
        .switch(Request)
        .join(Staff)
    )
    query = _between(query, Request.opened_on, f.first, f.last)
    if f.scope is not None:
        query = query.where(Request.community == f.scope)
    for row in keyset(query, Request.id, f.chunk):
        (_, ticket, opened_on, opened_at, code, service, handled_by, decision, status, name,
         id_number, community, counter, officer, promised, closed, missing) = row  # fmt: skip
        yield (
            ticket, opened_on, opened_at, code, service, handled_by or "",
            DECISION_LABELS[decision], STATUS_LABELS[status], name, f.shown(id_number), community,
            counter, officer, promised, closed, "、".join(missing or []),
        )  # fmt: skip


def _newest_permit() -> Any:
    """The person's newest permit (db.views.current_permit: the one inserted last), as a
    correlated subquery a join can use."""
    newer = Permit.alias("newest")
    return newer.select(peewee.fn.MAX(newer.id)).where(newer.person == Person.id)


def _persons(f: Filter) -> Iterator[tuple[Any, ...]]:
    query = (
        Person.select(
            Person.id,
            Person.id_number,
            Person.name,
            Person.sex,
            Person.birth_date,
            Person.ethnicity,
            Person.relation,
            Household.number,
            Person.phone,
            Household.phone,
            Household.origin_village,
            Household.community,
            Household.site,
            Household.grid,
            Household.building,
            Household.unit,
            Household.room,
            Household.moved_in,
            Permit.number,
            Permit.status,
            Permit.valid_until,
        )
        .join(Household)
        .switch(Person)
        .join(
            Permit,
            peewee.JOIN.LEFT_OUTER,
            on=(Permit.person == Person.id) & (Permit.id == _newest_permit()),
        )
    )
    query = _between(query, Household.moved_in, f.first, f.last)
    if f.scope is not None:
        query = query.where(Household.community == f.scope)
    for row in keyset(query, Person.id, f.chunk):
        (_, id_number, name, sex, birth, ethnicity, relation, number, phone, home_phone,
         village, community, site, grid, building, unit, room, moved_in, permit, status,
         valid_until) = row  # fmt: skip
        label = ""
        if permit is not None:
            label = permit_rules.STATUS_LABELS[
                permit_rules.effective_status(status, valid_until, f.today)
            ]
        yield (
            f.shown(id_number), name, sex, birth, ethnicity, relation, number, phone or home_phone,
            village, community, site, grid, address_from(community, site, building, unit, room),
            moved_in, permit or "", label,
        )  # fmt: skip


def _permits(f: Filter) -> Iterator[tuple[Any, ...]]:
    query = Permit.select(
        Permit.id,
        Permit.number,
        Person.id_number,
        Person.name,
        Permit.community,
        Permit.status,
        Permit.issued_on,
        Permit.valid_until,
        Permit.residence_since,
        Permit.closed_on,
        Permit.closed_reason,
    ).join(Person)
    query = _between(query, Permit.issued_on, f.first, f.last)
    if f.scope is not None:
        query = query.where(Permit.community == f.scope)
    for row in keyset(query, Permit.id, f.chunk):
        (_, number, id_number, name, community, status, issued, valid_until, since, closed,
         reason) = row  # fmt: skip
        label = permit_rules.STATUS_LABELS[
            permit_rules.effective_status(status, valid_until, f.today)
        ]
        yield (
            number, f.shown(id_number), name, community, label, issued, valid_until, since, closed,
            reason,
        )  # fmt: skip


def _households(f: Filter) -> Iterator[tuple[Any, ...]]:
    head = Person.alias("head")
    member = Person.alias("member")
    size = member.select(peewee.fn.COUNT(member.id)).where(member.household == Household.id)
    query = Household.select(
        Household.id,
        Household.number,
        head.name,
        head.id_number,
        size,
        Household.origin_village,
        Household.community,
        Household.site,
        Household.grid,
        Household.building,
        Household.unit,
        Household.room,
        Household.moved_in,
        Household.phone,
    ).join(
        head,
        peewee.JOIN.LEFT_OUTER,
        on=(head.household == Household.id) & head.relation_code.in_(HEAD_CODES),
    )
    query = _between(query, Household.moved_in, f.first, f.last)
    if f.scope is not None:
        query = query.where(Household.community == f.scope)
    for row in keyset(query, Household.id, f.chunk):
        (_, number, head_name, head_id, people, village, community, site, grid, building, unit,
         room, moved_in, phone) = row  # fmt: skip
        yield (
            number, head_name or "", f.shown(head_id) if head_id else "", int(people), village,
            community, site, grid, building, unit, room, moved_in, phone,
        )  # fmt: skip


ROWS: dict[str, Callable[[Filter], Iterator[tuple[Any, ...]]]] = {
    "requests": _requests,
    "persons": _persons,
    "permits": _permits,
    "households": _households,
}
