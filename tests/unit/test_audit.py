"""Issue 8, items 3-5: recorded times come from the clock, the history is a hash chain that
notices raw-SQL tampering, and the access log can be read. Every test runs on SQLite and on
PostgreSQL (the `database` fixture)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import peewee
import pytest

from db import audit, chain, migrations
from db import permits as permit_ops
from db import requests as ops
from db.accounts import add_staff
from db.clock import clock
from db.connection import db, open_database
from db.models import CHAINED, AccessLog, PermitEvent, Request, RequestEvent, SchemaVersion
from db.people import add_household, add_person, show_person
from db.printdata import daily_log_data
from db.setup import load_desk
from db.views import request_view
from forms.catalogue import Catalogue
from forms.citizen_id import mask_id
from forms.errors import CounterError
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date
START = dt.datetime.combine(TODAY, dt.time(9, 0))


@pytest.fixture
def ticking(database: peewee.Database) -> Iterator[None]:
    """The clock reads TODAY 09:00:01, 09:00:02, ... one second further at each reading."""
    readings = [0]

    def tick() -> dt.datetime:
        readings[0] += 1
        return START + dt.timedelta(seconds=readings[0])

    with clock(tick):
        yield


@pytest.fixture
def people(database: peewee.Database, make_id: IdMaker) -> dict[str, str]:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    ids = {"head": make_id(D(1958, 3, 12), "男"), "spouse": make_id(D(1961, 8, 20), "女")}
    add_person(
        household_number=household.number, id_number=ids["head"], name="王德明",
        relation="户主", today=TODAY,
    )  # fmt: skip
    add_person(
        household_number=household.number, id_number=ids["spouse"], name="李秀英",
        relation="配偶", today=TODAY,
    )  # fmt: skip
    return ids


@pytest.fixture
def history(ticking: None, people: dict[str, str], catalogue: Catalogue) -> dict[str, Any]:
    """A morning at the counter: a permit, a request missing a document then completed, and
    two looks at full data, by two staff members. Every kind of chained row is there."""
    desk = load_desk()
    other = add_staff(desk, "101", "张敏", password="zhangmin-pw")
    desk2 = dataclasses.replace(desk, staff_id=other.id, staff_code="101", staff_name="张敏")
    permit_ops.issue_permit(id_number=people["head"], catalogue=catalogue, desk=desk, today=TODAY)
    request = ops.open_request(
        id_number=people["head"], service="城乡居民养老保险待遇领取", catalogue=catalogue,
        desk=desk, today=TODAY, provided=["居民身份证", "居住证"],
    )  # fmt: skip
    assert request.status == "pending_materials"
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    show_person(people["head"], desk, TODAY)
    show_person(people["spouse"], desk2, TODAY)
    ops.complete(request.ticket, desk2, TODAY, "已办结")
    return {"desk": desk, "desk2": desk2, "ticket": request.ticket, **people}


def raw(database: peewee.Database, sql: str, *params: object) -> None:
    """SQL as someone with the database file or the owner's password would type it."""
    if isinstance(database, peewee.PostgresqlDatabase):
        sql = sql.replace("?", "%s")
    database.execute_sql(sql, params)


def rows_in_chain() -> int:
    return sum(model.select().count() for model in CHAINED)


# ── 3. time: the clock's, never --date ──


def test_a_back_dated_step_keeps_its_business_day_and_the_clock_time(
    database: peewee.Database, people: dict[str, str], catalogue: Catalogue
) -> None:
    desk = load_desk()
    moment = dt.datetime(2026, 11, 27, 15, 42, 7)
    day = TODAY - dt.timedelta(days=3)
    with clock(moment):
        request = ops.open_request(
            id_number=people["spouse"], service="医疗保险参保", catalogue=catalogue, desk=desk,
            today=day, provided=["all"],
        )  # fmt: skip
        on_time = ops.open_request(
            id_number=people["head"], service="医疗保险参保", catalogue=catalogue, desk=desk,
            today=TODAY, provided=["all"],
        )  # fmt: skip
    stored = Request.get_by_id(request.id)
    assert (stored.opened_on, stored.opened_at) == (day, moment)
    event = RequestEvent.get(RequestEvent.request == request.id)
    assert (event.on, event.at) == (day, moment)
    view = request_view(stored, TODAY, with_events=True)
    assert view["backdated"] is True and view["opened_on"] == day.isoformat()
    assert view["events"][0]["backdated"] is True and view["events"][0]["on"] == day.isoformat()
    assert request_view(on_time, TODAY, with_events=True)["backdated"] is False
    rows = daily_log_data(day, TODAY, desk, TODAY).rows
    assert {r.ticket: r.backdated for r in rows} == {request.ticket: True, on_time.ticket: False}


def test_the_day_before_the_clock_is_back_dated_the_same_day_is_not(
    database: peewee.Database, people: dict[str, str]
) -> None:
    desk = load_desk()
    with clock(dt.datetime.combine(TODAY, dt.time(0, 0, 1))):
        show_person(people["head"], desk, TODAY)
        show_person(people["head"], desk, TODAY - dt.timedelta(days=1))
    flags = [v["backdated"] for v in audit.list_views(desk)["views"]]
    assert sorted(flags) == [False, True]


def test_a_view_of_full_data_is_logged_at_the_clock_time_not_the_typed_date(
    cli, database: peewee.Database, people: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    moment = dt.datetime(2026, 11, 27, 11, 30, 0)
    with clock(moment):
        cli("person", "show", "--id-number", people["head"], "--date", "2026-11-25", clock=TODAY)
    log = AccessLog.get()
    assert (log.on, log.at) == (D(2026, 11, 25), moment)
    far_back = cli("person", "show", "--id-number", people["head"], "--date", "2020-01-01",
                   ok=False, clock=TODAY)  # fmt: skip
    assert far_back.exit_code == 1 and AccessLog.select().count() == 1


def test_history_shows_back_dated_entries_as_such(
    cli, database: peewee.Database, people: dict[str, str]
) -> None:  # type: ignore[no-untyped-def]
    with clock(dt.datetime(2026, 11, 27, 10, 0, 0)):
        cli("permit", "issue", "--id-number", people["head"], "--date", "2026-11-24", clock=TODAY)
        opened = json.loads(
            cli("request", "open", "--id-number", people["spouse"], "--service", "医疗保险参保",
                "--provided", "all", "--date", "2026-11-26", "--json", clock=TODAY).stdout
        )  # fmt: skip
        shown = cli("request", "show", opened["request"]["ticket"], clock=TODAY).stdout
        permit = cli("permit", "show", "--id-number", people["head"], clock=TODAY).stdout
        permit_json = json.loads(
            cli("permit", "show", "--id-number", people["head"], "--json", clock=TODAY).stdout
        )
    assert "受理 2026-11-27 10:00（补录，业务日期2026-11-26）" in shown
    assert "2026-11-27 10:00（补录，业务日期2026-11-26） 受理登记" in shown
    assert "2026-11-24 签发" in permit and "（补录，记录于2026-11-27 10:00）" in permit
    history = permit_json["permit"]["history"]
    assert [
        (h["on"], dt.datetime.fromisoformat(h["at"]).replace(tzinfo=None), h["backdated"])
        for h in history
    ] == [("2026-11-24", dt.datetime(2026, 11, 27, 10, 0), True)]


# ── 4. the hash chain ──


def test_every_chained_row_is_linked_in_writing_order(
    database: peewee.Database, history: dict[str, Any]
) -> None:
    places = sorted(
        (getattr(row, "chain_seq"), chain.table_of(model))  # noqa: B009
        for model in CHAINED
        for row in model.select()
    )
    assert [seq for seq, _ in places] == list(range(1, rows_in_chain() + 1))
    assert {table for _, table in places} == {
        "request_event", "permit_event", "access_log", "staff_event"
    }  # fmt: skip
    result = audit.verify()
    assert result["ok"] and result["problem"] is None
    assert result["checked"] == rows_in_chain()
    assert result["head"]["seq"] == rows_in_chain()


def test_audit_verify_on_the_cli(cli, history: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    text = cli("audit", "verify").stdout
    assert f"留痕链完整：已核验{rows_in_chain()}条记录" in text and "链头 / head:" in text
    data = json.loads(cli("audit", "verify", "--json").stdout)
    assert data["ok"] is True and data["head"]["seq"] == rows_in_chain()
    kept = f"{data['head']['seq']}:{data['head']['hash']}"
    assert kept in text
    assert cli("audit", "verify", "--anchor", kept).exit_code == 0
    wrong = cli("audit", "verify", "--anchor", f"{data['head']['seq']}:{'0' * 64}", ok=False)
    assert wrong.exit_code == 1 and "留存的链头不符" in wrong.stdout
    bad = cli("audit", "verify", "--anchor", "12", ok=False)
    assert bad.exit_code == 1 and "链位:哈希" in bad.stderr


def _an(model: type[peewee.Model], **where: Any) -> Any:
    return model.select().where(*[getattr(model, k) == v for k, v in where.items()]).first()


TAMPERING = ["note", "officer", "business_day", "delete", "delete_last", "reorder", "insert",
             "insert_linked"]  # fmt: skip


@pytest.fixture
def before_start() -> Iterator[None]:
    """The clock at 08:59, before `ticking`: the `cli` fixture signs in then, not at the real
    time of day (which, after 09:00, made it sign in again and add a staff event to the chain
    in the middle of a tampering test)."""
    with clock(START - dt.timedelta(minutes=1)):
        yield


@pytest.mark.parametrize("how", TAMPERING)
def test_raw_sql_tampering_is_caught_naming_the_row(
    before_start: None, cli, database: peewee.Database, history: dict[str, Any], how: str
) -> None:  # type: ignore[no-untyped-def]
    chain.remove_guards(database)  # what someone with the file or the owner's role can do
    completed = RequestEvent.select().order_by(RequestEvent.id.desc()).first()  # by 张敏, last
    assert completed.kind == "completed" and completed.staff_id == history["desk2"].staff_id
    issued = _an(PermitEvent, kind="issued")
    looked = AccessLog.select().order_by(AccessLog.id).first()
    seq_of = lambda row: getattr(row, "chain_seq")  # noqa: B009, E731
    expected: tuple[str, str | None, int | None]
    if how == "note":
        raw(database, "UPDATE request_event SET note = ? WHERE id = ?", "材料齐全，群众满意",
            completed.id)  # fmt: skip
        expected = ("edited", "request_event", completed.id)
    elif how == "officer":
        raw(database, "UPDATE request_event SET staff_id = ? WHERE id = ?",
            history["desk"].staff_id, completed.id)  # fmt: skip
        expected = ("edited", "request_event", completed.id)
    elif how == "business_day":
        raw(database, 'UPDATE permit_event SET "on" = ? WHERE id = ?', D(2026, 1, 5), issued.id)
        expected = ("edited", "permit_event", issued.id)
    elif how == "delete":
        raw(database, "DELETE FROM access_log WHERE id = ?", looked.id)
        after = min(
            (seq_of(r), chain.table_of(m), r.get_id())
            for m in CHAINED
            for r in m.select()
            if seq_of(r) > seq_of(looked)
        )
        expected = ("missing", after[1], after[2])
    elif how == "delete_last":
        raw(database, "DELETE FROM request_event WHERE id = ?", completed.id)
        expected = ("missing", None, None)
    elif how == "reorder":  # the permit's issue moved after the first look, the look before it
        a, b = seq_of(issued), seq_of(looked)
        raw(database, "UPDATE permit_event SET chain_seq = ? WHERE id = ?", b, issued.id)
        raw(database, "UPDATE access_log SET chain_seq = ? WHERE id = ?", a, looked.id)
        expected = ("edited", "access_log", looked.id)
    elif how == "insert":
        raw(database, 'INSERT INTO access_log (person_id, staff_id, counter_code, "on", at, what)'
            " VALUES (?, ?, ?, ?, ?, ?)", looked.person_id, looked.staff_id, "SXSQ01", TODAY,
            START, "查看个人信息")  # fmt: skip
        inserted = AccessLog.select().order_by(AccessLog.id.desc()).first()
        expected = ("unchained", "access_log", inserted.id)
    else:  # a row with a well-formed link after the head: the recorded end notices it
        head = audit.verify()["head"]
        values = {"person": looked.person_id, "staff": looked.staff_id, "counter_code": "SXSQ01",
                  "on": TODAY, "at": START, "what": "查看个人信息"}  # fmt: skip
        seq = head["seq"] + 1
        digest = chain.row_hash(AccessLog, seq, head["hash"], values)
        raw(database, 'INSERT INTO access_log (person_id, staff_id, counter_code, "on", at, what,'
            " chain_seq, prev_hash, row_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            looked.person_id, looked.staff_id, "SXSQ01", TODAY, START, "查看个人信息", seq,
            head["hash"], digest)  # fmt: skip
        inserted = AccessLog.select().order_by(AccessLog.id.desc()).first()
        expected = ("beyond", "access_log", inserted.id)

    result = audit.verify()
    problem = result["problem"]
    assert not result["ok"]
    assert (problem["kind"], problem["table"], problem["id"]) == expected, problem
    if expected[1] is not None:
        assert f"{expected[1]} 第{expected[2]}行" in problem["zh"]
        assert f"{expected[1]} row {expected[2]}" in problem["en"]
    shown = cli("audit", "verify", ok=False)
    assert shown.exit_code == 1 and "留痕链已被破坏" in shown.stdout
    assert problem["zh"] in shown.stdout
    as_json = json.loads(cli("audit", "verify", "--json", ok=False).stdout)
    assert as_json["problem"]["kind"] == expected[0]


def test_a_deleted_row_is_named_by_its_place(
    database: peewee.Database, history: dict[str, Any]
) -> None:
    chain.remove_guards(database)
    looked = AccessLog.select().order_by(AccessLog.id).first()
    place = getattr(looked, "chain_seq")  # noqa: B009
    raw(database, "DELETE FROM access_log WHERE id = ?", looked.id)
    problem = audit.verify()["problem"]
    assert problem["seq"] == place + 1 and f"链位 {place} 的记录缺失" in problem["zh"]


def test_a_rewritten_chain_is_caught_by_the_head_kept_on_paper(
    database: peewee.Database, history: dict[str, Any]
) -> None:
    """Recomputing every hash after an edit passes the chain itself: the head copied onto the
    signed daily log before the edit does not."""
    head = audit.verify()["head"]
    anchor = f"{head['seq']}:{head['hash']}"
    assert audit.verify(anchor)["ok"]
    chain.remove_guards(database)
    completed = _an(RequestEvent, kind="completed")
    raw(database, "UPDATE request_event SET note = ? WHERE id = ?", "材料齐全，群众满意",
        completed.id)  # fmt: skip
    _rehash_everything(database)
    assert audit.verify()["ok"]  # the chain alone cannot tell
    problem = audit.verify(anchor)["problem"]
    assert problem["kind"] == "anchor" and problem["seq"] == head["seq"]
    with pytest.raises(CounterError, match="链位:哈希"):
        audit.verify("12:abc")


def _rehash_everything(database: peewee.Database) -> None:
    rows = sorted(
        (getattr(r, "chain_seq"), model, r)  # noqa: B009
        for model in CHAINED
        for r in model.select()
    )
    prev = chain.GENESIS
    for seq, model, row in rows:
        digest = chain.row_hash(model, seq, prev, row.__data__)
        raw(database, f"UPDATE {chain.table_of(model)} SET prev_hash = ?, row_hash = ? "
            "WHERE id = ?", prev, digest, row.get_id())  # fmt: skip
        prev = digest


@pytest.mark.parametrize("table", ["request_event", "permit_event", "access_log"])
def test_the_database_refuses_update_and_delete_of_the_history(
    database: peewee.Database, history: dict[str, Any], table: str
) -> None:
    assert chain.guards_installed(database)
    for sql in (f"UPDATE {table} SET at = at", f"DELETE FROM {table}"):
        with pytest.raises(peewee.DatabaseError, match="append-only"), db.atomic():
            database.execute_sql(sql)
    if isinstance(database, peewee.PostgresqlDatabase):
        with pytest.raises(peewee.DatabaseError, match="append-only"), db.atomic():
            database.execute_sql(f"TRUNCATE {table} CASCADE")
    assert audit.verify()["ok"] and audit.verify()["checked"] == rows_in_chain()


def test_counters_appending_at_once_never_fork_the_chain(
    database: peewee.Database, people: dict[str, str], catalogue: Catalogue
) -> None:
    """Four counters writing history at once (looks and permit work): one unbroken chain."""
    desk = load_desk()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def counter(n: int) -> None:
        try:
            with db.connection_context():
                start.wait()
                for _ in range(6):
                    show_person(people["head" if n % 2 else "spouse"], desk, TODAY)
                if n == 0:
                    permit_ops.issue_permit(
                        id_number=people["head"], catalogue=catalogue, desk=desk, today=TODAY
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=counter, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    result = audit.verify()
    assert result["ok"], result["problem"]
    # 24 looks; opened, completed, issued; and the fixture supervisor's "added" staff event
    assert result["checked"] == rows_in_chain() == 24 + 3 + 1


def test_a_rolled_back_step_gives_its_place_back(
    database: peewee.Database, history: dict[str, Any]
) -> None:
    before = rows_in_chain()
    with pytest.raises(CounterError):
        ops.refuse(history["ticket"], history["desk"], TODAY, "")
    with pytest.raises(RuntimeError), db.atomic():
        show_person(history["head"], history["desk"], TODAY)
        raise RuntimeError("power cut")
    show_person(history["head"], history["desk"], TODAY)
    assert rows_in_chain() == before + 1
    assert audit.verify()["ok"]


def test_the_upgrade_links_existing_rows_oldest_first_and_installs_the_guards(
    database: peewee.Database, history: dict[str, Any]
) -> None:
    newest_look = AccessLog.select().order_by(AccessLog.id.desc()).first().id
    step = dict(migrations.steps())["m0004_audit_chain"]
    step.down(migrations.migrator_for(database), database)
    SchemaVersion.delete().where(SchemaVersion.name == "m0004_audit_chain").execute()
    assert not chain.guards_installed(database)
    # Rows as the old code wrote them; the newest look is made the oldest row of all.
    raw(database, "UPDATE access_log SET at = ? WHERE id = ?", START - dt.timedelta(hours=1),
        newest_look)  # fmt: skip
    assert migrations.upgrade(database) == ["m0004_audit_chain"]
    assert chain.guards_installed(database)
    result = audit.verify()
    assert result["ok"] and result["checked"] == rows_in_chain()
    first = min((getattr(r, "chain_seq"), r) for r in AccessLog.select())  # noqa: B009
    assert first[0] == 1 and first[1].at == START - dt.timedelta(hours=1)
    assert all(e.on == e.at.date() for e in RequestEvent.select())  # filled from the old `at`
    assert migrations.upgrade(database) == []
    show_person(history["head"], history["desk"], TODAY)  # the chain goes on after the fill
    assert audit.verify()["ok"]


def test_a_new_database_comes_with_the_guards(database: peewee.Database) -> None:
    assert chain.guards_installed(database)


def test_the_hash_covers_every_listed_field_and_the_place(database: peewee.Database) -> None:
    values = {"person": 1, "staff": 2, "counter_code": "SXSQ01", "on": TODAY, "at": START,
              "what": "查看个人信息"}  # fmt: skip
    base = chain.row_hash(AccessLog, 5, chain.GENESIS, values)
    assert chain.row_hash(AccessLog, 5, chain.GENESIS, dict(values)) == base
    changed = {
        "person": 3, "staff": 3, "counter_code": "SXSQ02", "on": TODAY - dt.timedelta(days=1),
        "at": START + dt.timedelta(seconds=1), "what": "打印居住证",
    }  # fmt: skip
    assert set(changed) == set(CHAINED[AccessLog])
    for name, value in changed.items():
        assert chain.row_hash(AccessLog, 5, chain.GENESIS, {**values, name: value}) != base, name
    assert chain.row_hash(AccessLog, 6, chain.GENESIS, values) != base
    assert chain.row_hash(AccessLog, 5, "1" * 64, values) != base
    assert chain.row_hash(PermitEvent, 5, chain.GENESIS, values) != base


# ── 5. who looked ──


def test_views_are_listed_newest_first_with_masked_ids_and_filters(
    database: peewee.Database, history: dict[str, Any]
) -> None:
    desk = history["desk"]
    everything = audit.list_views(desk)
    assert everything["count"] == everything["shown"] == 2
    newest, oldest = everything["views"]
    assert newest["person"] == {"name": "李秀英", "id_number": mask_id(history["spouse"])}
    assert newest["staff"] == {"code": "101", "name": "张敏"} and newest["counter"] == "SXSQ01"
    assert oldest["person"]["name"] == "王德明" and newest["at"] > oldest["at"]
    assert history["head"] not in json.dumps(everything, ensure_ascii=False)
    by_person = audit.list_views(desk, id_number=history["head"])["views"]
    assert [v["person"]["name"] for v in by_person] == ["王德明"]
    by_staff = audit.list_views(desk, staff_code="101")["views"]
    assert [v["staff"]["code"] for v in by_staff] == ["101"]
    assert audit.list_views(desk, first=TODAY, last=TODAY)["count"] == 2
    assert audit.list_views(desk, first=TODAY + dt.timedelta(days=1))["count"] == 0
    assert audit.list_views(desk, last=TODAY - dt.timedelta(days=1))["count"] == 0
    limited = audit.list_views(desk, limit=1)
    assert (limited["count"], limited["shown"], limited["views"][0]) == (2, 1, newest)
    for bad in (0, audit.VIEWS_LIMIT_MAX + 1):
        with pytest.raises(CounterError, match="--limit"):
            audit.list_views(desk, limit=bad)
    with pytest.raises(CounterError, match="截止日期早于起始日期"):
        audit.list_views(desk, first=TODAY, last=TODAY - dt.timedelta(days=1))


def test_audit_views_on_the_cli(cli, history: dict[str, Any]) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(cli("audit", "views", "--json").stdout)
    assert data["count"] == 2 and data["limit"] == 200
    text = cli("audit", "views", "--person", history["spouse"], "--from", TODAY.isoformat(),
               "--to", TODAY.isoformat()).stdout  # fmt: skip
    assert "101 张敏" in text and mask_id(history["spouse"]) in text
    assert history["spouse"] not in text and "共1条查看记录" in text
    limited = cli("audit", "views", "--limit", "1").stdout
    assert "共2条查看记录，显示最新1条" in limited
    bad = cli("audit", "views", "--limit", "0", ok=False)
    assert bad.exit_code == 1 and "--limit" in bad.stderr


def test_permit_work_at_two_counters_at_once_does_not_deadlock(
    database: peewee.Database, catalogue: Catalogue, make_id: IdMaker
) -> None:
    """One counter issues to a walk-in (a request, then a permit number), the other finishes an
    accepted request (a permit number, then the request's steps): both take the chain and a
    permit number, so both must take them in the same order (PostgreSQL)."""
    desk = load_desk()
    pairs = []
    for n in range(6):
        household = add_household(
            origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
        )
        walk_in, accepted = make_id(D(1970, 1, 1 + n), "男"), make_id(D(1972, 2, 1 + n), "女")
        add_person(household_number=household.number, id_number=walk_in, name="王德明",
                   relation="户主", today=TODAY)  # fmt: skip
        add_person(household_number=household.number, id_number=accepted, name="李秀英",
                   relation="配偶", today=TODAY)  # fmt: skip
        ops.open_request(id_number=accepted, service="P01", catalogue=catalogue, desk=desk,
                         today=TODAY, provided=["all"])  # fmt: skip
        pairs.append((walk_in, accepted))
    errors: list[BaseException] = []

    def counter(ids: list[str]) -> None:
        try:
            with db.connection_context():
                for id_number in ids:
                    start.wait()
                    permit_ops.issue_permit(
                        id_number=id_number, catalogue=catalogue, desk=desk, today=TODAY
                    )
        except BaseException as exc:  # reported below
            errors.append(exc)
            start.abort()

    start = threading.Barrier(2)
    threads = [
        threading.Thread(target=counter, args=([p[0] for p in pairs],)),
        threading.Thread(target=counter, args=([p[1] for p in pairs],)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert audit.verify()["ok"]


def readme_grants() -> str:
    """The README's SQL that gives the counters' role its rights."""
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sql\n(.*?)```", readme, re.S)
    return next(b for b in blocks if "GRANT SELECT, INSERT, UPDATE ON ALL TABLES" in b)


def test_the_readme_roles_keep_the_counters_from_rewriting_history(
    database: peewee.Database, db_url: str, history: dict[str, Any], catalogue: Catalogue
) -> None:
    """PostgreSQL: the application role set up as the README says works the counter but cannot
    change, delete or unguard the history. SQLite: the file's triggers refuse the same."""
    statements = [
        "UPDATE access_log SET what = 'x'",
        "DELETE FROM request_event",
        "UPDATE permit_event SET note = 'x'",
        "DELETE FROM staff_event",
    ]
    if not isinstance(database, peewee.PostgresqlDatabase):
        for sql in statements:
            with pytest.raises(peewee.IntegrityError, match="append-only"), db.atomic():
                database.execute_sql(sql)
        return
    role = f"ziyang_app_{uuid.uuid4().hex[:8]}"
    database.execute_sql(f"CREATE ROLE {role} LOGIN")
    try:
        sql = readme_grants().replace("ziyang_app", role)
        code = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
        for statement in code.split(";"):
            if statement.strip():
                database.execute_sql(statement)
        parts = urlparse(db_url)  # the local server or the embedded one (its socket in ?host=)
        where = f"{parts.hostname}:{parts.port or 5432}" if parts.hostname else ""
        app = open_database(urlunparse(parts._replace(netloc=f"{role}@{where}")))
        try:
            desk = load_desk()
            show_person(history["spouse"], desk, TODAY)
            ops.open_request(
                id_number=history["head"], service="医疗保险参保", catalogue=catalogue,
                desk=desk, today=TODAY, provided=["all"],
            )  # fmt: skip
            assert audit.verify()["ok"]
            for sql in [
                *statements,
                "TRUNCATE access_log",
                "DROP TRIGGER request_event_no_update ON request_event",
                "ALTER TABLE request_event DISABLE TRIGGER USER",
            ]:
                refused = pytest.raises(
                    peewee.DatabaseError, match=r"permission denied|must be owner"
                )
                with refused, db.atomic():
                    app.execute_sql(sql)
            assert audit.verify()["ok"] and audit.verify()["checked"] == rows_in_chain()
        finally:
            app.close()
            db.initialize(database)
    finally:
        database.execute_sql(f"DROP OWNED BY {role}")
        database.execute_sql(f"DROP ROLE {role}")


def test_verify_while_counters_write_sees_one_consistent_chain(
    database: peewee.Database, people: dict[str, str]
) -> None:
    """A check run during opening hours (or by a backup) reads one snapshot: rows appended
    while it reads are neither half-seen nor taken for forgeries."""
    desk = load_desk()
    show_person(people["head"], desk, TODAY)
    done = threading.Event()
    errors: list[BaseException] = []

    def counter() -> None:
        try:
            with db.connection_context():
                while not done.is_set():
                    show_person(people["spouse"], desk, TODAY)
        except BaseException as exc:  # reported below
            errors.append(exc)

    writer = threading.Thread(target=counter)
    writer.start()
    try:
        results = [audit.verify() for _ in range(25)]
    finally:
        done.set()
        writer.join()
    assert not errors, errors
    assert [r["problem"] for r in results if not r["ok"]] == []
    assert audit.verify()["checked"] == rows_in_chain()


def test_the_row_hash_is_sha256_of_this_exact_canonical_json() -> None:
    """Hashes stored by one version must verify in the next: the canonical form (sorted keys,
    no spaces, UTF-8 not escaped, dates and times as ISO text, decimals as text, nested data
    canonical too) is written out here by hand, so any change to it fails."""
    import decimal
    import hashlib

    from db.chain import row_hash
    from db.models import RequestEvent

    data = {
        "request": 7,
        "kind": "opened",
        "on": dt.date(2026, 11, 27),
        "at": dt.datetime(2026, 11, 27, 9, 30, 5),
        "staff": 1,
        "counter_code": "SXSQ01",
        "status_after": "accepted",
        "note": "窗口当场受理",
        "data": {
            "provided": ["居民身份证", "户口簿"],
            "fee": decimal.Decimal("20.00"),
            "n": None,
            "late": False,
        },
        "not_covered": "ignored",
    }
    text = (
        '{"prev":"' + "ab" * 32 + '","row":{"at":"2026-11-27 09:30:05","counter_code":"SXSQ01",'
        '"data":{"fee":"20.00","late":false,"n":null,"provided":["居民身份证","户口簿"]},'
        '"kind":"opened","note":"窗口当场受理","on":"2026-11-27","request":7,"staff":1,'
        '"status_after":"accepted"},"seq":12,"table":"request_event"}'
    )
    expected = hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert row_hash(RequestEvent, 12, "ab" * 32, data) == expected
    assert expected == "1176bfa7d8220b527f11b4d94027f6b4eddffb8f45a0d40da5be2239029e2a4d"


def test_a_value_with_no_canonical_form_is_named() -> None:
    from db.chain import canonical

    with pytest.raises(TypeError) as caught:
        canonical(object())
    assert str(caught.value) == "no canonical form for object"
