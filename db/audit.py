"""The audit operations: appending to the hash chain, verifying it, and who looked at whom.

`append` is the only way a chained row is written: inside the writing transaction it takes the
next place in the chain (`next_serial`, so a rolled-back step gives its place back and two
counters never fork the chain) and links the row to the one before it.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator
from typing import Any, TypeVar

import peewee

from db import chain
from db.clock import is_backdated
from db.connection import db, is_postgres
from db.models import CHAINED, AccessLog, BaseModel, Person, Sequence, Staff
from db.setup import Desk, check_staff_code, ensure_ready, next_serial
from forms.citizen_id import mask_id, parse_citizen_id
from forms.errors import CounterError

M = TypeVar("M", bound=BaseModel)

VIEWS_LIMIT = 200
VIEWS_LIMIT_MAX = 10_000


def lock_chain() -> None:
    """Queue for the chain before taking any other lock (PostgreSQL).

    A step that appends, then takes another lock (a permit number, a request row), could
    deadlock with a step holding that lock and waiting for the chain; operations that append
    more than once take the chain first (`lock_person`, `get_request(lock=True)`). SQLite's
    write lock already serialises writers.
    """
    if not is_postgres():
        return
    key = (Sequence.name == chain.SERIES) & (Sequence.year == 0)
    if not Sequence.select().where(key).for_update().exists():
        Sequence.insert(name=chain.SERIES, year=0, value=0).on_conflict_ignore().execute()
        Sequence.select().where(key).for_update().execute()


def _hash_at(seq: int) -> str:
    """The stored hash of the row at place `seq` (GENESIS before the first)."""
    if seq <= 0:
        return chain.GENESIS
    for model in CHAINED:
        found = (
            model.select(chain.field(model, "row_hash"))
            .where(chain.field(model, "chain_seq") == seq)
            .scalar()
        )
        if found:
            return str(found)
    return chain.GENESIS  # the row is gone: verify names the hole


def append(model: type[M], **values: Any) -> M:
    """Insert a chained row, linked to the chain; call inside the writing transaction."""
    if model not in CHAINED:
        raise TypeError(f"{model.__name__} is not a chained table")
    row = model(**values)
    seq = next_serial(chain.SERIES, 0)
    prev = _hash_at(seq - 1)
    setattr(row, "chain_seq", seq)  # noqa: B010 - chain columns are added by chain()
    setattr(row, "prev_hash", prev)  # noqa: B010
    setattr(row, "row_hash", chain.row_hash(model, seq, prev, row.__data__))  # noqa: B010
    row.save(force_insert=True)
    return row


def fill_chain() -> int:
    """Link rows written before the chain existed (the migration), oldest first; return how
    many. Only rows without a place are touched, so running it again adds nothing."""
    rows: list[tuple[str, int, int, type[BaseModel], BaseModel]] = []
    for order, model in enumerate(CHAINED):
        at = model._meta.fields.get("at")
        query = model.select().where(chain.field(model, "chain_seq").is_null())
        for row in query:
            when = str(getattr(row, "at", "") or "") if at is not None else ""
            rows.append((when, order, int(row.get_id()), model, row))
    rows.sort(key=lambda item: item[:3])
    for _, _, _, model, row in rows:
        seq = next_serial(chain.SERIES, 0)
        prev = _hash_at(seq - 1)
        digest = chain.row_hash(model, seq, prev, row.__data__)
        model.update(
            {
                chain.field(model, "chain_seq"): seq,
                chain.field(model, "prev_hash"): prev,
                chain.field(model, "row_hash"): digest,
            }
        ).where(model._meta.primary_key == row.get_id()).execute()
    return len(rows)


# ── verifying ──


def _problem(
    kind: str, model: type[BaseModel] | None, row: Any, seq: int | None, zh: str, en: str
) -> dict[str, Any]:
    return {
        "kind": kind,
        "table": chain.table_of(model) if model is not None else None,
        "id": int(row.get_id()) if row is not None else None,
        "seq": seq,
        "zh": zh,
        "en": en,
    }


def _walk() -> Iterator[tuple[int, int, type[BaseModel], Any]]:
    """Every chained row in chain order: one ordered query per table, merged."""

    def rows(order: int, model: type[BaseModel]) -> Iterator[tuple[int, int, type[BaseModel], Any]]:
        seq = chain.field(model, "chain_seq")
        for row in model.select().where(seq.is_null(False)).order_by(seq).iterator():
            yield int(getattr(row, "chain_seq")), order, model, row  # noqa: B009

    return heapq.merge(*(rows(order, model) for order, model in enumerate(CHAINED)))


def _recorded_end() -> int:
    row = Sequence.get_or_none((Sequence.name == chain.SERIES) & (Sequence.year == 0))
    return int(row.value) if row is not None else 0


def _snapshot() -> Any:
    """A read transaction that sees one moment of every table while counters keep writing
    (PostgreSQL REPEATABLE READ; an SQLite read transaction, which does not block writers)."""
    if is_postgres():
        return db.atomic(isolation_level="REPEATABLE READ")
    return db.atomic(lock_type="DEFERRED")


def verify(anchor: str | None = None) -> dict[str, Any]:
    """Walk the chain; report the first row that is edited, missing, out of place or outside
    it. `anchor` ("SEQ:HASH", a head printed earlier and kept on paper) must still match."""
    ensure_ready()
    expected_anchor = _parse_anchor(anchor) if anchor else None
    with _snapshot():
        return _verify(expected_anchor)


def _verify(expected_anchor: tuple[int, str] | None) -> dict[str, Any]:
    problem: dict[str, Any] | None = None
    for model in CHAINED:
        stray = (
            model.select()
            .where(chain.field(model, "chain_seq").is_null())
            .order_by(model._meta.primary_key)
            .first()
        )
        if stray is not None:
            table = chain.table_of(model)
            problem = _problem(
                "unchained", model, stray, None,
                f"{table} 第{stray.get_id()}行不在留痕链中：不是由本程序写入（疑为直接插入数据库）",
                f"{table} row {stray.get_id()} is not in the chain: it was not written by the "
                "counter (inserted into the database directly?)",
            )  # fmt: skip
            break
    checked = 0
    prev = chain.GENESIS
    last_seq = 0
    last: tuple[type[BaseModel], Any] | None = None
    anchor_seen = False
    end = _recorded_end()
    if problem is None:
        for seq, _, model, row in _walk():
            table, rid = chain.table_of(model), row.get_id()
            after = _after(last)
            if seq == last_seq:
                problem = _problem(
                    "duplicate", model, row, seq,
                    f"{table} 第{rid}行与{after[0]}占用同一链位 {seq}（疑为插入或改动）",
                    f"{table} row {rid} takes chain place {seq} of {after[1]} (inserted or moved?)",
                )  # fmt: skip
                break
            if seq > last_seq + 1:
                gap = f"{last_seq + 1}" if seq == last_seq + 2 else f"{last_seq + 1}–{seq - 1}"
                problem = _problem(
                    "missing", model, row, seq,
                    f"链位 {gap} 的记录缺失（已被删除）：位于{after[0]}与 {table} 第{rid}行之间",
                    f"chain place(s) {gap} missing (deleted): between {after[1]} and {table} "
                    f"row {rid}",
                )  # fmt: skip
                break
            if chain.row_hash(model, seq, str(row.prev_hash), row.__data__) != row.row_hash:
                problem = _problem(
                    "edited", model, row, seq,
                    f"{table} 第{rid}行（链位 {seq}）的内容或位置与记录时不符（已被改动）",
                    f"{table} row {rid} (chain place {seq}) differs from what was recorded "
                    "(edited)",
                )  # fmt: skip
                break
            if row.prev_hash != prev:
                problem = _problem(
                    "relinked", model, row, seq,
                    f"{table} 第{rid}行（链位 {seq}）接不上{after[0]}：前一条记录被改动、替换或调换了顺序",
                    f"{table} row {rid} (chain place {seq}) does not follow {after[1]}: the row "
                    "before it was changed, replaced or reordered",
                )  # fmt: skip
                break
            if seq > end:
                problem = _problem(
                    "beyond", model, row, seq,
                    f"{table} 第{rid}行（链位 {seq}）在已记录的链尾 {end} 之后（疑为直接插入）",
                    f"{table} row {rid} (chain place {seq}) is past the recorded end {end} "
                    "(inserted directly?)",
                )  # fmt: skip
                break
            if expected_anchor and seq == expected_anchor[0]:
                anchor_seen = True
                if row.row_hash != expected_anchor[1]:
                    problem = _problem(
                        "anchor", model, row, seq,
                        f"{table} 第{rid}行（链位 {seq}）的哈希与留存的链头不符：此前的记录被重写过",
                        f"{table} row {rid} (chain place {seq}) does not match the kept head: "
                        "the history up to it was rewritten",
                    )  # fmt: skip
                    break
            prev, last_seq, last = str(row.row_hash), seq, (model, row)
            checked += 1
    if problem is None and last_seq < end:
        after = _after(last)
        gap = f"{last_seq + 1}" if end == last_seq + 1 else f"{last_seq + 1}–{end}"
        problem = _problem(
            "missing", None, None, last_seq + 1,
            f"链尾缺失：链位 {gap} 的记录已被删除（最后一条为{after[0]}）",
            f"the end of the chain is missing: place(s) {gap} deleted (last is {after[1]})",
        )  # fmt: skip
    if problem is None and expected_anchor and not anchor_seen:
        problem = _problem(
            "anchor", None, None, expected_anchor[0],
            f"留存的链头（链位 {expected_anchor[0]}）已不在链中：此前的记录被删除",
            f"the kept head (chain place {expected_anchor[0]}) is no longer in the chain",
        )  # fmt: skip
    return {
        "ok": problem is None,
        "checked": checked,
        "head": {"seq": last_seq, "hash": prev} if last is not None else None,
        "problem": problem,
    }


def _after(last: tuple[type[BaseModel], Any] | None) -> tuple[str, str]:
    if last is None:
        return "链首", "the start of the chain"
    model, row = last
    table = chain.table_of(model)
    return f" {table} 第{row.get_id()}行", f"{table} row {row.get_id()}"


def _parse_anchor(raw: str) -> tuple[int, str]:
    seq, _, digest = raw.strip().partition(":")
    digest = digest.strip().lower()
    if not (
        seq.strip().isdigit() and len(digest) == 64 and all(c in "0123456789abcdef" for c in digest)
    ):
        raise CounterError(
            f"链头格式应为 链位:哈希（如 1024:3fa9…，64位十六进制）：{raw}",
            f"an anchor is SEQ:HASH (64 hex digits): {raw}",
        )
    return int(seq), digest


# ── who looked ──


def list_views(
    desk: Desk,
    *,
    id_number: str | None = None,
    staff_code: str | None = None,
    first: dt.date | None = None,
    last: dt.date | None = None,
    limit: int = VIEWS_LIMIT,
) -> dict[str, Any]:
    """Views of full data (the access log), newest first: who, when, at which counter, what,
    whose (ID masked; none for an export of many people, which `id_number` does not select). Days filter on when the view was made (the clock's time), not on the
    business day it was made for; at most `limit` rows, with the total count."""
    ensure_ready()
    from db.accounts import require_supervisor  # db.accounts appends to this module's chain

    require_supervisor(desk, "查看全量信息查看记录", "read the log of full-data views")
    if not 1 <= limit <= VIEWS_LIMIT_MAX:
        raise CounterError(
            f"条数（--limit）应在1至{VIEWS_LIMIT_MAX}之间",
            f"--limit must be 1 to {VIEWS_LIMIT_MAX}",
        )
    if first is not None and last is not None and last < first:
        raise CounterError("截止日期早于起始日期", "the range ends before it starts")
    # An export's row has no person (m0008): it is listed too, with "person": null.
    query = (
        AccessLog.select(AccessLog, Person, Staff)
        .join(Person, peewee.JOIN.LEFT_OUTER)
        .switch(AccessLog)
        .join(Staff)
    )
    if id_number:
        cid = parse_citizen_id(id_number)
        query = query.where(Person.id_number == cid.number)
    if staff_code:
        query = query.where(Staff.code == check_staff_code(staff_code))
    if first is not None:
        query = query.where(AccessLog.at >= dt.datetime.combine(first, dt.time()))
    if last is not None:
        query = query.where(
            AccessLog.at < dt.datetime.combine(last + dt.timedelta(days=1), dt.time())
        )
    total = query.count()
    rows = query.order_by(AccessLog.at.desc(), AccessLog.id.desc()).limit(limit)
    views = [
        {
            "at": row.at.isoformat(sep=" "),
            "on": row.on.isoformat(),
            "backdated": is_backdated(row.on, row.at),
            "staff": {"code": row.staff.code, "name": row.staff.name},
            "counter": row.counter_code,
            "what": row.what,
            "person": _whose(row.person),
        }
        for row in rows
    ]
    return {"count": total, "shown": len(views), "limit": limit, "views": views}


def _whose(person: Person | None) -> dict[str, str] | None:
    return None if person is None else {"name": person.name, "id_number": mask_id(person.id_number)}
