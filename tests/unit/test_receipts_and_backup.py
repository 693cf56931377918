"""Issue 8, items 6-8: receipt codes signed outside the database, backup and restore, and SQLite
under several processes. Every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse, urlunparse

import peewee
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import db, migrations, open_database, receipt_keys
from db import requests as ops
from db.backup import backup, restore
from db.models import ReceiptIssue, Request, SchemaVersion, Setting
from db.people import add_household, add_person
from db.receipts import print_receipt_version
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.verify import covered_content, receipt_code, signed_code
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date


def js(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


@pytest.fixture
def resident(database: peewee.Database, make_id: IdMaker) -> str:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    id_number = make_id(D(1980, 3, 12), "男")
    add_person(
        household_number=household.number,
        id_number=id_number,
        name="王德明",
        relation="户主",
        today=TODAY,
    )
    return id_number


def open_permit_request(catalogue: Catalogue, desk: Desk, id_number: str, **kw: Any) -> Request:
    return ops.open_request(
        id_number=id_number, service="P01", catalogue=catalogue, desk=desk, today=TODAY, **kw
    )


def verified(code: str, claimed: dict[str, str] | None = None) -> Any:
    """db.requests.verify, its nested answer typed loosely for the assertions."""
    return ops.verify(code, claimed)


# ── 6. receipt codes ──


def test_a_forged_code_is_refused(
    resident: str, catalogue: Catalogue, desk: Desk, tmp_path: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    real = print_receipt_version(request, desk)
    assert verified(real.code)["valid"]  # type: ignore[index]
    # A made-up code, and a code made for the same content with a key that is not the hall's.
    assert verified("AAAA-BBBB-CCCC") is None
    content = dict(real.covered, id_number=resident)
    other_key = bytes.fromhex(receipt_keys.new_key().secret)
    assert verified(signed_code(other_key, content)) is None
    # The old scheme keyed by a secret an attacker read from an old copy of the database.
    forged = receipt_code("read-from-a-copy", request.ticket, resident, "P01", "x")
    assert verified(forged) is None


def test_a_receipt_with_an_altered_promised_date_is_refused(
    resident: str, catalogue: Catalogue, desk: Desk, cli: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    issue = print_receipt_version(request, desk)
    assert request.promised_by is not None
    promised = request.promised_by.isoformat()
    later = (request.promised_by + dt.timedelta(days=30)).isoformat()
    ok = verified(issue.code, {"promised_by": promised, "ticket": request.ticket})
    assert ok is not None and ok["valid"] and ok["mismatch"] == []
    altered = verified(issue.code, {"promised_by": later})
    assert altered is not None and altered["valid"] is False
    assert altered["mismatch"] == ["promised_by"]
    # The code is not the code of the altered paper: the key holder would have printed another.
    key = receipt_keys.load().get(issue.key_id)
    assert key is not None
    content = dict(issue.covered, id_number=resident)
    assert signed_code(key.material(), content) == issue.code
    assert signed_code(key.material(), dict(content, promised_by=later)) != issue.code
    # The CLI refuses it in one line with a non-zero exit.
    refused = cli("verify", issue.code, "--promised-by", later, ok=False)
    assert refused.exit_code == 1 and "不符" in refused.stdout and "承诺办结日期" in refused.stdout
    fine = cli("verify", issue.code, "--promised-by", promised, "--json")
    assert js(fine)["valid"] and js(fine)["receipt"]["version"] == 1


def test_each_printing_that_changes_the_state_is_a_version(
    resident: str, catalogue: Catalogue, desk: Desk, cli: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    first = print_receipt_version(request, desk)
    assert first.version == 1 and first.covered["status"] == "pending_materials"
    assert print_receipt_version(request, desk).code == first.code  # a reprint: same paper
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    second = print_receipt_version(Request.get_by_id(request.id), desk)
    assert second.version == 2 and second.code != first.code
    assert second.covered["status"] == "accepted" and second.covered["promised_by"]
    assert ReceiptIssue.select().where(ReceiptIssue.request == request.id).count() == 2

    old = verified(first.code)
    assert old is not None and old["valid"] and old["superseded"] and old["latest_version"] == 2
    assert old["receipt"]["status"] == "pending_materials"
    assert old["current"]["status"] == "accepted" and old["current"]["promised_by"]
    new = verified(second.code)
    assert new is not None and not new["superseded"] and not new["changed_since_printing"]
    shown = cli("verify", first.code).stdout
    assert "第1版" in shown and "已被第2版取代" in shown and "当前状态：已受理" in shown


def test_print_receipt_shows_the_version_it_records(
    resident: str, catalogue: Catalogue, desk: Desk, cli: Any, tmp_path: Any
) -> None:
    from pypdf import PdfReader

    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    out = tmp_path / "r.pdf"
    cli("print", "receipt", request.ticket, "--out", str(out))
    text = "".join(page.extract_text() for page in PdfReader(str(out)).pages)
    code = Request.get_by_id(request.id).verify_code
    assert "验证码（第2版）" in text and code in text
    assert js(cli("verify", code, "--json"))["receipt"]["version"] == 2


CONTENT = st.fixed_dictionaries(
    {
        "ticket": st.from_regex(r"[A-Z]{4}0[1-9]-20[0-9]{2}-[0-9]{6}", fullmatch=True),
        "id_number": st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True),
        "service_code": st.sampled_from(["P01", "P02", "H01", "W05"]),
        "opened_at": st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat(sep=" ")),
        "status": st.sampled_from(["pending_materials", "accepted", "completed", "refused"]),
        "promised_by": st.one_of(st.just(""), st.dates().map(dt.date.isoformat)),
        "documents_received": st.lists(st.text(min_size=1, max_size=8), max_size=4),
        "documents_missing": st.lists(st.text(min_size=1, max_size=8), max_size=4),
        "version": st.integers(min_value=1, max_value=50),
        "key_id": st.from_regex(r"R[A-Z2-7]{7}", fullmatch=True),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    content=CONTENT,
    key=st.binary(min_size=32, max_size=32),
    other=st.binary(min_size=32, max_size=32),
    data=st.data(),
)
def test_the_code_changes_with_the_key_and_every_covered_field(
    content: dict[str, Any], key: bytes, other: bytes, data: st.DataObject
) -> None:
    code = signed_code(key, covered_content(**content))
    assert code == signed_code(key, dict(content))  # deterministic, canonical
    if other != key:
        assert signed_code(other, content) != code
    name = data.draw(st.sampled_from(sorted(content)))
    changed = data.draw(CONTENT.map(lambda c: c[name]).filter(lambda v: v != content[name]))
    assert signed_code(key, dict(content, **{name: changed})) != code


def test_rotation_keeps_old_codes_valid(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk, cli: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    before = print_receipt_version(request, desk)
    rotated = js(cli("receipt-key", "rotate", "--json"))
    db.initialize(database)  # the CLI run left the proxy unbound, as a fresh process would
    assert rotated["previous"] == before.key_id and rotated["current"] != before.key_id
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    after = print_receipt_version(Request.get_by_id(request.id), desk)
    assert after.key_id == rotated["current"]
    old = verified(before.code)
    assert old is not None and old["valid"] and old["receipt"]["key_id"] == before.key_id
    shown = js(cli("receipt-key", "show", "--json"))
    assert {k["id"] for k in shown["keys"]} >= {before.key_id, after.key_id}
    assert [k["id"] for k in shown["keys"] if k["signs"]] == [after.key_id]
    assert "secret" not in json.dumps(shown)


def test_a_row_edited_in_the_database_no_longer_verifies(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    issue = print_receipt_version(request, desk)
    assert request.promised_by is not None
    later = (request.promised_by + dt.timedelta(days=30)).isoformat()
    ReceiptIssue.update(covered=dict(issue.covered, promised_by=later)).where(
        ReceiptIssue.id == issue.id
    ).execute()
    assert verified(issue.code) is None


def all_text(database: peewee.Database) -> list[str]:
    """Every value of every text column of every table, as stored."""
    values: list[str] = []
    for table in database.get_tables():
        for column in database.get_columns(table):
            kind = column.data_type.lower()
            if not any(word in kind for word in ("char", "text", "json")):
                continue
            query = f'SELECT "{column.name}" FROM "{table}"'
            values += [str(row[0]) for row in database.execute_sql(query) if row[0] is not None]
    return values


def test_the_key_is_not_in_the_database(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    print_receipt_version(request, desk)
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    print_receipt_version(Request.get_by_id(request.id), desk)
    secrets = [key.secret for key in receipt_keys.load().keys.values()]
    assert secrets
    stored = all_text(database)
    assert len(stored) > 50  # the search did read the tables
    for secret in secrets:
        assert not [value for value in stored if secret.lower() in value.lower()]
    assert Setting.get_or_none(Setting.key == "secret") is None


def test_m0005_moves_the_old_secret_out_and_old_codes_still_verify(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    # A database as it was before m0005: the secret in settings, codes on the requests.
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    database.drop_tables([ReceiptIssue])
    SchemaVersion.delete().where(SchemaVersion.name == "m0005_receipt_keys").execute()
    old_secret = "9f" * 32
    Setting.create(key="secret", value=old_secret)
    old_code = receipt_code(
        old_secret, request.ticket, resident, "P01", request.opened_at.isoformat(sep=" ")
    )
    Request.update(verify_code=old_code).where(Request.id == request.id).execute()

    assert migrations.upgrade(database) == ["m0005_receipt_keys"]
    assert Setting.get_or_none(Setting.key == "secret") is None
    legacy = receipt_keys.load().get(receipt_keys.key_id_for(old_secret, receipt_keys.LEGACY))
    assert legacy is not None and legacy.scheme == receipt_keys.LEGACY
    found = verified(old_code)
    assert found is not None and found["valid"] and found["receipt"]["scheme"] == "legacy"
    assert found["receipt"]["version"] == 1 and found["changed_since_printing"]
    # Reprinting makes version 2 under the current key; the legacy paper says it is superseded.
    again = print_receipt_version(Request.get_by_id(request.id), desk)
    assert again.version == 2 and again.scheme == receipt_keys.SIGNING
    old = verified(old_code)
    assert old is not None and old["superseded"]
    assert not [v for v in all_text(database) if old_secret in v]


# ── 7. backup and restore ──


@pytest.fixture
def second_url(
    database: peewee.Database, tmp_path: Any, request: pytest.FixtureRequest
) -> Iterator[str]:
    """An empty database of the same engine to restore into (PostgreSQL: a scratch one on the
    test session's server, local or embedded)."""
    if isinstance(database, peewee.SqliteDatabase):
        yield f"sqlite:///{tmp_path / 'restored.db'}"
        return
    import psycopg2

    admin_url = request.getfixturevalue("pg_admin_url")
    name = f"ziyang_restore_{uuid.uuid4().hex[:10]}"
    admin = psycopg2.connect(admin_url)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    try:
        yield urlunparse(urlparse(admin_url)._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


KEY_TABLES = ("request", "request_event", "receipt_issue", "person", "household", "sequence")


def rows_of(database: peewee.Database, table: str, where: str = "") -> list[tuple[Any, ...]]:
    order = "name, year" if table == "sequence" else "id"
    return list(database.execute_sql(f'SELECT * FROM "{table}" {where} ORDER BY {order}'))


def counts_of(database: peewee.Database) -> dict[str, int]:
    return {
        t: database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
        for t in database.get_tables()
    }


def residents(make_id: IdMaker, count: int) -> list[str]:
    ids = []
    for n in range(count):
        household = add_household(
            origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
        )
        ids.append(make_id(D(1970 + n % 30, 1 + n % 12, 3), "男"))
        add_person(
            household_number=household.number,
            id_number=ids[-1],
            name="张明",
            relation="户主",
            today=TODAY,
        )
    return ids


def test_backup_and_restore_round_trip(
    database: peewee.Database,
    second_url: str,
    make_id: IdMaker,
    catalogue: Catalogue,
    desk: Desk,
    tmp_path: Any,
) -> None:
    for id_number in residents(make_id, 3):
        request = open_permit_request(catalogue, desk, id_number, provided=["居民身份证"])
        print_receipt_version(request, desk)
    made = backup(tmp_path / "one.bak")
    assert made.checks[:2] in (
        ["integrity_check", "row counts"],
        ["pg_restore --list", "row counts"],
    )
    assert made.counts == counts_of(database) and made.counts["request"] == 3

    target = open_database(second_url, create=True)
    result = restore(made.path)
    assert result["counts"] == made.counts == counts_of(target)
    for table in KEY_TABLES:
        assert rows_of(target, table) == rows_of(database, table), table
    # The restored database works: its receipts verify with the hall's key file.
    issue = ReceiptIssue.select().first()
    assert verified(issue.code)["valid"]  # type: ignore[index]
    target.close()
    db.initialize(database)


def test_a_backup_taken_while_another_counter_writes_is_one_moment(
    database: peewee.Database,
    second_url: str,
    make_id: IdMaker,
    catalogue: Catalogue,
    desk: Desk,
    tmp_path: Any,
) -> None:
    people = residents(make_id, 40)
    written: list[str] = []
    errors: list[BaseException] = []
    backed_up = threading.Event()

    def counter() -> None:  # another counter, on its own connection, opening request after request
        try:
            after = 0
            for id_number in people:
                written.append(open_permit_request(catalogue, desk, id_number).ticket)
                if backed_up.is_set():
                    after += 1
                    if after == 3:
                        break
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            database.close()

    writer = threading.Thread(target=counter)
    writer.start()
    while len(written) < 5 and writer.is_alive():
        time.sleep(0.01)
    made = backup(tmp_path / "busy.bak")
    backed_up.set()
    writer.join(60)
    assert not errors and not writer.is_alive()
    source_counts = counts_of(database)
    assert made.counts["request"] >= 5 and made.counts["request"] < source_counts["request"]

    target = open_database(second_url, create=True)
    restore(made.path)
    assert counts_of(target) == made.counts  # the backup's moment, table by table
    ids = [row[0] for row in target.execute_sql("SELECT id FROM request ORDER BY id")]
    assert len(ids) == made.counts["request"]
    inside = f"IN ({', '.join(str(i) for i in ids)})"
    # Every restored request is whole (its events and receipt), and equals the source's row.
    assert rows_of(target, "request") == rows_of(database, "request", f"WHERE id {inside}")
    for table in ("request_event", "receipt_issue"):
        assert rows_of(target, table) == rows_of(database, table, f"WHERE request_id {inside}")
    for table in ("person", "household"):
        assert rows_of(target, table) == rows_of(database, table)
    target.close()
    db.initialize(database)


def test_restore_checks_the_file_and_refuses_a_database_with_data(
    database: peewee.Database, resident: str, cli: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ZIYANG_BACKUP_DIR", str(tmp_path / "backups"))
    made = js(cli("backup", "--out", str(tmp_path / "ok.bak"), "--json"))
    damaged = tmp_path / "damaged.bak"
    damaged.write_bytes(Path(made["path"]).read_bytes()[:2000])
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a backup at all")
    db.initialize(database)
    before = counts_of(database)
    for bad in (damaged, junk, tmp_path / "missing.bak"):
        refused = cli("restore", str(bad), "--force", ok=False)
        assert refused.exit_code == 1 and refused.stderr.count("\n") == 1, refused.stderr
        assert "Traceback" not in refused.output
    db.initialize(database)
    assert counts_of(database) == before
    refused = cli("restore", made["path"], ok=False)
    assert "--force" in refused.stderr and "已有数据" in refused.stderr
    # With --force: the current database is kept first, then replaced by the backup.
    db.initialize(database)
    add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2020, 1, 1), today=TODAY
    )
    restored = js(cli("restore", made["path"], "--force", "--json"))
    assert restored["previous_saved_to"] and Path(restored["previous_saved_to"]).is_file()
    db.initialize(database)
    database.close()
    database.connect()
    assert counts_of(database) == before


def test_backup_keep_rotates_only_its_own_files(cli: Any, tmp_path: Any, monkeypatch: Any) -> None:
    folder = tmp_path / "backups"
    monkeypatch.setenv("ZIYANG_BACKUP_DIR", str(folder))
    folder.mkdir()
    mine = folder / "before-the-move.bak"
    mine.write_bytes(b"a person's own file")
    made = [js(cli("backup", "--json"))["path"] for _ in range(3)]
    last = js(cli("backup", "--keep", "2", "--json"))
    assert sorted(last["removed"]) == sorted(made[:2])
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([Path(made[2]).name, Path(last["path"]).name, mine.name])
    assert cli("backup", "--keep", "0", ok=False).exit_code == 1
    exists = cli("backup", "--out", str(mine), ok=False)
    assert exists.exit_code == 1 and mine.read_bytes() == b"a person's own file"
    usb = tmp_path / "usb"
    usb.mkdir()
    to_folder = js(cli("backup", "--out", str(usb), "--keep", "1", "--json"))
    assert Path(to_folder["path"]).parent == usb and to_folder["removed"] == []


def test_backup_says_when_pg_dump_is_missing(
    database: peewee.Database, cli: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ZIYANG_PG_BIN", str(tmp_path))  # an empty folder: no client tools
    result = cli("backup", "--out", str(tmp_path / "x.bak"), ok=False)
    if isinstance(database, peewee.SqliteDatabase):
        assert result.exit_code == 0  # SQLite needs no outside tool
    else:
        assert result.exit_code == 1 and "pg_dump" in result.stderr and "PATH" in result.stderr
        assert not (tmp_path / "x.bak").exists()


# ── 8. several processes on one database ──

HOLDER = r"""
import select, sys, time
url, seconds = sys.argv[1], float(sys.argv[2])
if url.startswith("sqlite"):
    import sqlite3
    conn = sqlite3.connect(url.split("sqlite:///", 1)[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
else:
    import psycopg2
    conn = psycopg2.connect(url)
    conn.cursor().execute("LOCK TABLE setting IN EXCLUSIVE MODE")
print("locked", flush=True)
select.select([sys.stdin], [], [], seconds)  # until told, or for `seconds`
conn.commit() if not url.startswith("sqlite") else conn.execute("COMMIT")
print("released", flush=True)
"""

CONTENDER = r"""
import sys
from db import open_database
from db.connection import db
from db.models import Sequence
from db.setup import set_setting
from forms.errors import CounterError
open_database(sys.argv[1])
print("writing", flush=True)
try:
    with db.atomic():
        Sequence.create(name="half-write-probe", year=2026, value=1)  # a first write...
        set_setting("busy-probe", "saved")  # ...and one that waits for the other process
except CounterError as exc:
    print(exc.zh, "/", exc.en, file=sys.stderr)
    sys.exit(1)
print("saved")
"""


def run_pair(url: str, budget: float, release_after: float | None) -> tuple[int, str, str, float]:
    """One process holds the write lock; the other writes with the given budget (short busy
    waits, from the environment). The lock is released `release_after` seconds after the
    writer starts writing, or only once it has given up. Returns (exit code, stdout, stderr,
    seconds the write took)."""
    env = {**os.environ, "ZIYANG_SQLITE_BUSY_MS": "200", "ZIYANG_WRITE_BUDGET": str(budget)}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2])
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url, "120"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        writer = subprocess.Popen(
            [sys.executable, "-c", CONTENDER, url],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        assert writer.stdout is not None and writer.stdout.readline().strip() == "writing"
        started = time.monotonic()
        if release_after is not None:
            time.sleep(release_after)
            assert holder.stdin is not None
            holder.stdin.write("release\n")
            holder.stdin.flush()
        out, err = writer.communicate(timeout=120)
        took = time.monotonic() - started
    finally:
        holder.communicate("release\n", timeout=60)
    return writer.returncode, out, err, took


def test_a_write_waits_for_another_process_then_says_nothing_was_saved(
    database: peewee.Database, db_url: str
) -> None:
    code, _, err, took = run_pair(db_url, budget=1.5, release_after=None)
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "请稍后重试" in lines[0] and "nothing was saved" in lines[0].lower()
    assert "未保存任何内容" in lines[0] and "Traceback" not in err
    # It waited (not a refusal at once), then gave up. `took` starts only once the writer said
    # "writing", part way into its 1.5 s budget, so on a loaded machine it reads short: half
    # the budget is the bound that still tells waiting from not waiting.
    assert 0.75 <= took < 30.0
    # Nothing of the transaction is there: neither the write that waited nor the one before it.
    assert Setting.get_or_none(Setting.key == "busy-probe") is None
    assert not [r for r in rows_of(database, "sequence") if r[0] == "half-write-probe"]

    # Held longer than one busy wait (0.2 s) but within the budget: retried, then saved.
    code, out, err, took = run_pair(db_url, budget=20.0, release_after=1.0)
    assert code == 0 and out.strip().splitlines()[-1] == "saved", err
    assert took >= 1.0
    database.close()
    database.connect()
    assert Setting.get(Setting.key == "busy-probe").value == "saved"


def test_a_second_counter_pc_without_the_hall_key_is_told_and_can_import_it(
    resident: str,
    catalogue: Catalogue,
    desk: Desk,
    cli: Any,
    tmp_path: Any,
    monkeypatch: Any,
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    code = print_receipt_version(request, desk).code
    hall_file = receipt_keys.key_file()
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", str(tmp_path / "pc2" / "receipt-keys.json"))
    first = cli("init")
    assert "已新建回执密钥文件" in first.stdout and "本机缺少签发过回执的密钥" in first.stdout
    unknown = cli("verify", code, ok=False)
    assert unknown.exit_code == 1 and "receipt-key import" in unknown.stderr
    cli("receipt-key", "import", str(hall_file))
    assert js(cli("verify", code, "--json"))["valid"]
    again = cli("init")
    assert "已新建" not in again.stdout and "缺少" not in again.stdout


# ── the history chain travels with backups (issue 8, items 4 and 7 together) ──


def _edit_a_note(database: Any) -> None:
    """What an attacker with the database does: lift the guards and rewrite a step's note."""
    from db.chain import remove_guards

    remove_guards(database)
    database.execute_sql("UPDATE request_event SET note = '材料齐全，群众满意'")


def test_a_backup_of_a_tampered_history_is_kept_and_fails_loudly(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk, cli: Any,
    tmp_path: Any,
) -> None:  # fmt: skip
    open_permit_request(catalogue, desk, resident)
    clean = js(cli("backup", "--out", str(tmp_path / "clean.bak"), "--json"))
    assert "audit chain" in " ".join(clean["checks"])
    db.initialize(database)
    _edit_a_note(database)
    broken = cli("backup", "--out", str(tmp_path / "broken.bak"), ok=False)
    assert broken.exit_code == 1 and "留痕链" in broken.stderr
    assert (tmp_path / "broken.bak").is_file()  # evidence is kept


def test_restore_refuses_a_backup_whose_history_was_edited(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk, cli: Any,
    tmp_path: Any,
) -> None:  # fmt: skip
    """SQLite: the file's chain is walked before anything is replaced. PostgreSQL: a dump can
    only be read by restoring it, so the restored chain is walked and the failure names where
    the replaced data was saved."""
    open_permit_request(catalogue, desk, resident)
    db.initialize(database)
    _edit_a_note(database)
    cli("backup", "--out", str(tmp_path / "tampered.bak"), ok=False)  # kept, said loudly
    refused = cli("restore", str(tmp_path / "tampered.bak"), "--force", ok=False)
    assert refused.exit_code == 1 and "留痕链有问题" in refused.stderr
    if isinstance(database, peewee.SqliteDatabase):
        assert "备份中的留痕链有问题" in refused.stderr
    else:
        assert "恢复后数据库的留痕链有问题" in refused.stderr and "恢复前的数据在" in refused.stderr


def test_an_officer_cannot_replace_a_database_from_a_backup(
    database: peewee.Database, resident: str, desk: Desk, cli: Any, tmp_path: Any
) -> None:
    made = js(cli("backup", "--out", str(tmp_path / "ok.bak"), "--json"))
    cli("staff", "add", "101", "张敏", "--password-stdin", input="zhangmin-pw\n")
    cli.login("101", "zhangmin-pw")
    db.initialize(database)
    before = counts_of(database)
    refused = cli("restore", made["path"], "--force", ok=False)
    assert refused.exit_code == 1 and "负责人" in refused.stderr
    db.initialize(database)
    assert counts_of(database) == before
