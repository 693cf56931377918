"""Tests written from the mutation run over db/audit.py: every way `verify` can find the chain
broken, said in full; an empty chain; the kept head; and the log of views of full data at its
edges. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

import peewee
import pytest

from db import audit, chain
from db.models import CHAINED, AccessLog, Person
from db.setup import load_desk
from forms.errors import CounterError
from tests.conftest import TODAY
from tests.unit.test_audit import history, people, raw, ticking

__all__ = ["history", "people", "ticking"]  # fixtures, used by name below


def chained_rows() -> list[tuple[int, str, int, Any]]:
    """(place, table, id, row) of every chained row, in chain order."""
    return sorted(
        (getattr(r, "chain_seq"), chain.table_of(m), r.get_id(), r)  # noqa: B009
        for m in CHAINED
        for r in m.select()
    )


def shown(table: str, rid: int) -> tuple[str, str]:
    return f"{table} 第{rid}行", f"{table} row {rid}"


def test_a_chain_with_no_rows_and_no_recorded_end_has_no_head(
    database: peewee.Database,
) -> None:
    """Before anything is chained there is no head and no recorded end (the end is 0)."""
    from db.models import Sequence

    chain.remove_guards(database)
    for model in CHAINED:
        model.delete().execute()
    Sequence.delete().where(Sequence.name == chain.SERIES).execute()
    result = audit.verify()
    assert result["ok"] and result["problem"] is None and result["head"] is None
    assert result["checked"] == 0


def test_two_rows_on_one_place_are_named(database: peewee.Database, history: Any) -> None:
    """A row of a later table moved onto the place of a row of an earlier table: the walk
    meets the earlier table's row first and names the moved one as taking its place."""
    chain.remove_guards(database)
    tables = [chain.table_of(m) for m in CHAINED]
    rows = chained_rows()
    seq_a, table_a, id_a, _ = next(r for r in rows if tables.index(r[1]) < len(tables) - 1)
    _, table_b, id_b, _ = next(
        r for r in rows if r[0] > seq_a and tables.index(r[1]) > tables.index(table_a)
    )
    raw(database, f"UPDATE {table_b} SET chain_seq = ? WHERE id = ?", seq_a, id_b)
    problem = audit.verify()["problem"]
    assert (problem["kind"], problem["table"], problem["id"], problem["seq"]) == (
        "duplicate", table_b, id_b, seq_a,
    )  # fmt: skip
    assert problem["zh"] == (
        f"{table_b} 第{id_b}行与 {table_a} 第{id_a}行占用同一链位 {seq_a}（疑为插入或改动）"
    )
    assert problem["en"] == (
        f"{table_b} row {id_b} takes chain place {seq_a} of {table_a} row {id_a} "
        "(inserted or moved?)"
    )


def test_a_row_moved_onto_another_tables_place_is_caught(
    database: peewee.Database, history: Any
) -> None:
    chain.remove_guards(database)
    rows = chained_rows()
    seq_a = rows[3][0]
    _, table_b, id_b, _ = next(r for r in rows[4:] if r[1] != rows[3][1])
    raw(database, f"UPDATE {table_b} SET chain_seq = ? WHERE id = ?", seq_a, id_b)
    problem = audit.verify()["problem"]
    assert problem["kind"] in ("edited", "duplicate") and problem["seq"] == seq_a


def test_a_row_rehashed_on_its_own_breaks_the_link_after_it(
    database: peewee.Database, history: Any
) -> None:
    """An edited row given a fresh hash of its own passes itself; the next row no longer
    follows it."""
    chain.remove_guards(database)
    rows = chained_rows()
    seq, table, rid, row = rows[2]
    model = type(row)
    raw(database, f'UPDATE {table} SET "at" = ? WHERE id = ?', dt.datetime(2020, 1, 1, 8), rid)
    changed = model.get_by_id(rid)
    digest = chain.row_hash(model, seq, str(changed.prev_hash), changed.__data__)
    raw(database, f"UPDATE {table} SET row_hash = ? WHERE id = ?", digest, rid)
    problem = audit.verify()["problem"]
    next_seq, next_table, next_id, _ = rows[3]
    zh, en = shown(next_table, next_id)
    before_zh, before_en = shown(table, rid)
    assert (problem["kind"], problem["table"], problem["id"], problem["seq"]) == (
        "relinked", next_table, next_id, next_seq,
    )  # fmt: skip
    assert problem["zh"] == (
        f"{zh}（链位 {next_seq}）接不上 {before_zh}：前一条记录被改动、替换或调换了顺序"
    )
    assert problem["en"] == (
        f"{en} (chain place {next_seq}) does not follow {before_en}: the row before it was "
        "changed, replaced or reordered"
    )


def test_the_first_row_must_follow_the_start_of_the_chain(
    database: peewee.Database, history: Any
) -> None:
    chain.remove_guards(database)
    seq, table, rid, row = chained_rows()[0]
    model = type(row)
    other = "ab" * 32
    digest = chain.row_hash(model, seq, other, row.__data__)
    raw(database, f"UPDATE {table} SET prev_hash = ?, row_hash = ? WHERE id = ?", other, digest,
        rid)  # fmt: skip
    problem = audit.verify()["problem"]
    zh, en = shown(table, rid)
    assert problem["kind"] == "relinked" and problem["seq"] == seq == 1
    assert problem["zh"] == f"{zh}（链位 1）接不上链首：前一条记录被改动、替换或调换了顺序"
    assert problem["en"].startswith(f"{en} (chain place 1) does not follow the start of the chain")


def test_the_other_breaks_are_said_in_full(database: peewee.Database, history: Any) -> None:
    chain.remove_guards(database)
    rows = chained_rows()
    seq, table, rid, _ = rows[1]
    raw(database, f"UPDATE {table} SET counter_code = ? WHERE id = ?", "SXSQ09", rid)
    problem = audit.verify()["problem"]
    zh, en = shown(table, rid)
    assert problem == {
        "kind": "edited", "table": table, "id": rid, "seq": seq,
        "zh": f"{zh}（链位 {seq}）的内容或位置与记录时不符（已被改动）",
        "en": f"{en} (chain place {seq}) differs from what was recorded (edited)",
    }  # fmt: skip


def test_an_unchained_row_is_said_in_full(database: peewee.Database, history: Any) -> None:
    chain.remove_guards(database)
    looked = AccessLog.select().order_by(AccessLog.id).first()
    for _ in range(2):  # two strays: the first by id is named
        raw(database, 'INSERT INTO access_log (person_id, staff_id, counter_code, "on", at, what)'
            " VALUES (?, ?, ?, ?, ?, ?)", looked.person_id, looked.staff_id, "SXSQ01", TODAY,
            looked.at, "查看个人信息")  # fmt: skip
    stray = (
        AccessLog.select().where(AccessLog.chain_seq.is_null()).order_by(AccessLog.id).first()  # type: ignore[attr-defined]
    )
    problem = audit.verify()["problem"]
    assert (problem["kind"], problem["id"], problem["seq"]) == ("unchained", stray.id, None)
    assert problem["zh"] == (
        f"access_log 第{stray.id}行不在留痕链中：不是由本程序写入（疑为直接插入数据库）"
    )
    assert problem["en"] == (
        f"access_log row {stray.id} is not in the chain: it was not written by the counter "
        "(inserted into the database directly?)"
    )


@pytest.mark.parametrize("deleted", [1, 3])
def test_a_missing_end_is_named_by_its_places(
    database: peewee.Database, history: Any, deleted: int
) -> None:
    chain.remove_guards(database)
    rows = chained_rows()
    for _, table, rid, _ in rows[-deleted:]:
        raw(database, f"DELETE FROM {table} WHERE id = ?", rid)
    last_seq, last_table, last_id, _ = rows[-deleted - 1]
    end = rows[-1][0]
    gap = f"{last_seq + 1}" if deleted == 1 else f"{last_seq + 1}–{end}"
    problem = audit.verify()["problem"]
    zh, en = shown(last_table, last_id)
    assert problem == {
        "kind": "missing", "table": None, "id": None, "seq": last_seq + 1,
        "zh": f"链尾缺失：链位 {gap} 的记录已被删除（最后一条为 {zh}）",
        "en": f"the end of the chain is missing: place(s) {gap} deleted (last is {en})",
    }  # fmt: skip


def test_a_gap_of_several_places_is_named_as_a_range(
    database: peewee.Database, history: Any
) -> None:
    chain.remove_guards(database)
    rows = chained_rows()
    for _, table, rid, _ in rows[2:5]:
        raw(database, f"DELETE FROM {table} WHERE id = ?", rid)
    problem = audit.verify()["problem"]
    assert problem["kind"] == "missing" and problem["seq"] == rows[5][0]
    assert f"链位 {rows[2][0]}–{rows[4][0]} 的记录缺失" in problem["zh"]
    assert problem["en"].startswith(f"chain place(s) {rows[2][0]}–{rows[4][0]} missing")


def test_a_kept_head_past_the_chain_is_named(database: peewee.Database, history: Any) -> None:
    head = audit.verify()["head"]
    beyond = head["seq"] + 5
    result = audit.verify(f"{beyond}:{'a' * 64}")
    assert not result["ok"]
    assert result["problem"] == {
        "kind": "anchor", "table": None, "id": None, "seq": beyond,
        "zh": f"留存的链头（链位 {beyond}）已不在链中：此前的记录被删除",
        "en": f"the kept head (chain place {beyond}) is no longer in the chain",
    }  # fmt: skip
    kept = audit.verify(f"{head['seq']}:{head['hash']}")
    assert kept["ok"] and kept["head"] == head


def test_a_kept_head_must_be_hexadecimal(database: peewee.Database, history: Any) -> None:
    for bad in (f"3:{'X' * 64}", f"3:{'g' * 64}", f"3:{'a' * 63}", f"x:{'a' * 64}"):
        with pytest.raises(CounterError, match="链位:哈希"):
            audit.verify(bad)


def test_only_chained_tables_can_be_appended_to(database: peewee.Database) -> None:
    with pytest.raises(TypeError, match=r"^Person is not a chained table$"):
        audit.append(Person, name="王德明")


def test_views_of_full_data_at_their_edges(database: peewee.Database, history: Any) -> None:
    desk = history["desk"]
    chain.remove_guards(database)
    looked = AccessLog.select().order_by(AccessLog.id).first()
    midnight = dt.datetime.combine(TODAY, dt.time())
    raw(database, "UPDATE access_log SET at = ? WHERE id = ?", midnight, looked.id)
    next_midnight = midnight + dt.timedelta(days=1)
    second = AccessLog.select().order_by(AccessLog.id.desc()).first()
    raw(database, "UPDATE access_log SET at = ? WHERE id = ?", next_midnight, second.id)
    today = audit.list_views(desk, first=TODAY, last=TODAY)
    assert [v["at"][:19] for v in today["views"]] == [midnight.isoformat(sep=" ")]
    assert today["views"][0]["on"] == TODAY.isoformat()
    tomorrow = audit.list_views(desk, first=TODAY + dt.timedelta(days=1))
    assert tomorrow["count"] == 1
    assert audit.list_views(desk, limit=audit.VIEWS_LIMIT_MAX)["shown"] == 2


def test_views_at_one_moment_are_newest_entry_first(
    database: peewee.Database, history: Any
) -> None:
    chain.remove_guards(database)
    moment = dt.datetime.combine(TODAY, dt.time(10, 0))
    raw(database, "UPDATE access_log SET at = ?", moment)
    ids = [v.id for v in AccessLog.select().order_by(AccessLog.id.desc())]
    listed = audit.list_views(history["desk"])["views"]
    assert [v["person"]["name"] for v in listed] == ["李秀英", "王德明"]
    assert len(ids) == 2


def test_a_look_at_no_one_person_is_listed_too(database: peewee.Database, history: Any) -> None:
    """A full-ID export is a view of many people: its log row names no person."""
    desk = history["desk"]
    audit.append(
        AccessLog, person=None, staff=desk.staff_id, counter_code=desk.counter_code,
        on=TODAY, at=dt.datetime.combine(TODAY, dt.time(11, 0)), what="导出完整身份证号",
    )  # fmt: skip
    views = audit.list_views(desk)["views"]
    assert views[0]["person"] is None and views[0]["what"] == "导出完整身份证号"
    assert views[0]["staff"] == {"code": desk.staff_code, "name": desk.staff_name}


def test_only_a_supervisor_reads_the_log_of_views(database: peewee.Database, history: Any) -> None:
    officer = load_desk("101")
    with pytest.raises(CounterError) as raised:
        audit.list_views(officer)
    assert raised.value.zh == (
        "只有负责人（主管，supervisor）可以查看全量信息查看记录，工作人员 101 不是负责人"
    )
    assert (
        raised.value.en
        == "only a supervisor may read the log of full-data views; staff 101 is not one"
    )


def test_a_range_that_ends_before_it_starts_says_so(
    database: peewee.Database, history: Any
) -> None:
    with pytest.raises(CounterError) as raised:
        audit.list_views(history["desk"], first=TODAY, last=TODAY - dt.timedelta(days=1))
    assert (raised.value.zh, raised.value.en) == (
        "截止日期早于起始日期", "the range ends before it starts",
    )  # fmt: skip


def test_a_gap_and_a_rewritten_head_are_said_in_full(
    database: peewee.Database, history: Any
) -> None:
    head = audit.verify()["head"]
    kept = f"{head['seq']}:{head['hash']}"
    chain.remove_guards(database)
    rows = chained_rows()
    seq_h, table_h, id_h, _ = rows[-1]
    raw(database, f"UPDATE {table_h} SET row_hash = ? WHERE id = ?", "cd" * 32, id_h)
    # The head's row now fails its own hash first; put it back and rewrite what it asserts.
    problem = audit.verify(kept)["problem"]
    assert problem["kind"] == "edited" and problem["id"] == id_h
    raw(database, f"UPDATE {table_h} SET row_hash = ? WHERE id = ?", head["hash"], id_h)
    wrong = f"{seq_h}:{'ef' * 32}"
    zh, en = shown(table_h, id_h)
    assert audit.verify(wrong)["problem"] == {
        "kind": "anchor", "table": table_h, "id": id_h, "seq": seq_h,
        "zh": f"{zh}（链位 {seq_h}）的哈希与留存的链头不符：此前的记录被重写过",
        "en": f"{en} (chain place {seq_h}) does not match the kept head: the history up to it "
        "was rewritten",
    }  # fmt: skip
    # A hole in the middle names the rows on both sides.
    (_, table_a, id_a, _), (seq_c, table_c, id_c, _) = rows[1], rows[3]
    raw(database, f"DELETE FROM {rows[2][1]} WHERE id = ?", rows[2][2])
    gap = audit.verify()["problem"]
    before_zh, before_en = shown(table_a, id_a)
    after_zh, after_en = shown(table_c, id_c)
    assert (
        gap["zh"] == f"链位 {rows[2][0]} 的记录缺失（已被删除）：位于 {before_zh}与 {after_zh}之间"
    )
    assert gap["en"] == (
        f"chain place(s) {rows[2][0]} missing (deleted): between {before_en} and {after_en}"
    )
    assert gap["seq"] == seq_c


def test_a_row_past_the_recorded_end_is_said_in_full(
    database: peewee.Database, history: Any
) -> None:
    chain.remove_guards(database)
    head = audit.verify()["head"]
    looked = AccessLog.select().order_by(AccessLog.id).first()
    values = {"person": looked.person_id, "staff": looked.staff_id, "counter_code": "SXSQ01",
              "on": TODAY, "at": looked.at, "what": "查看个人信息"}  # fmt: skip
    seq = head["seq"] + 1
    digest = chain.row_hash(AccessLog, seq, head["hash"], values)
    raw(database, 'INSERT INTO access_log (person_id, staff_id, counter_code, "on", at, what,'
        " chain_seq, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", looked.person_id,
        looked.staff_id, "SXSQ01", TODAY, looked.at, "查看个人信息", seq, head["hash"],
        digest)  # fmt: skip
    inserted = AccessLog.select().order_by(AccessLog.id.desc()).first()
    assert audit.verify()["problem"] == {
        "kind": "beyond", "table": "access_log", "id": inserted.id, "seq": seq,
        "zh": f"access_log 第{inserted.id}行（链位 {seq}）在已记录的链尾 {seq - 1} 之后（疑为直接插入）",
        "en": f"access_log row {inserted.id} (chain place {seq}) is past the recorded end "
        f"{seq - 1} (inserted directly?)",
    }  # fmt: skip


def test_views_are_newest_by_time_not_by_entry(database: peewee.Database, history: Any) -> None:
    chain.remove_guards(database)
    first, second = AccessLog.select().order_by(AccessLog.id)
    raw(database, "UPDATE access_log SET at = ? WHERE id = ?",
        dt.datetime.combine(TODAY, dt.time(23, 0)), first.id)  # fmt: skip
    raw(database, "UPDATE access_log SET at = ? WHERE id = ?",
        dt.datetime.combine(TODAY, dt.time(10, 0)), second.id)  # fmt: skip
    listed = audit.list_views(history["desk"])["views"]
    assert [v["at"][11:16] for v in listed] == ["23:00", "10:00"]


def test_linking_old_rows_again_touches_nothing(database: peewee.Database, history: Any) -> None:
    """The upgrade's linking of rows written before the chain, run on a linked chain."""
    head = audit.verify()["head"]
    with database.atomic():
        assert audit.fill_chain() == 0
    after = audit.verify()
    assert after["ok"] and after["head"] == head
