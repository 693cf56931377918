"""Tests written to kill mutants that survived mutmut over db/backup.py (run of 2026-11-29).

Each test names the behaviour a surviving mutant broke: where a backup lands and under which
name, the checks it reports, which files `--keep` deletes, every refusal in full (with the path
it names), and what `restore` answers and leaves behind. The operations are called directly
(not through the CLI) on the real database, SQLite and PostgreSQL through `database`.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from db import db, open_database
from db.accounts import add_staff
from db.backup import (
    PREFIX,
    ROTATED,
    _stamped,
    backup,
    backup_dir,
    check_file,
    check_sqlite_file,
    file_engine,
    restore,
    rotate,
    target_rows,
)
from db.chain import remove_guards
from db.people import add_household
from db.setup import Desk, init_counter, load_desk
from forms.catalogue import Catalogue
from tests.conftest import HOME, TODAY, hold_write_lock, let_go, refused
from tests.unit.test_receipts_and_backup import (
    counts_of,
    open_permit_request,
    resident,
    second_url,
)

__all__ = ["resident", "second_url"]  # the fixtures, used by name below

OFFICER_PW = "zhangmin-pw"


def is_sqlite(database: peewee.Database) -> bool:
    return isinstance(database, peewee.SqliteDatabase)


def suffix_of(database: peewee.Database) -> str:
    return ".db" if is_sqlite(database) else ".pgdump"


def a_household() -> None:
    add_household(origin_village="洞河镇麻园村", community=HOME, moved_in=TODAY, today=TODAY)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The backup folder of this test (ZIYANG_BACKUP_DIR), not made yet."""
    path = tmp_path / "backups"
    monkeypatch.setenv("ZIYANG_BACKUP_DIR", str(path))
    return path


@pytest.fixture
def bound(database: peewee.Database) -> Iterator[peewee.Database]:
    """The test database, bound again after a test that bound another one."""
    yield database
    db.initialize(database)


# ── where a backup goes and what it says ──


def test_the_backup_folder_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIYANG_BACKUP_DIR", f"  {tmp_path / 'usb'}  ")
    assert backup_dir() == tmp_path / "usb"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZIYANG_BACKUP_DIR", "~/copies")
    assert backup_dir() == tmp_path / "home" / "copies"
    monkeypatch.setenv("ZIYANG_BACKUP_DIR", "   ")
    monkeypatch.setenv("ZIYANG_DATA", str(tmp_path / "data"))
    assert backup_dir() == tmp_path / "data" / "backups"
    monkeypatch.delenv("ZIYANG_BACKUP_DIR")
    assert backup_dir() == tmp_path / "data" / "backups"


def test_a_backup_without_out_is_dated_in_the_backup_folder(
    database: peewee.Database, folder: Path
) -> None:
    made = backup()
    assert made.path.parent == folder
    assert ROTATED.match(made.path.name) and made.path.name.startswith(PREFIX)
    assert made.path.suffix == suffix_of(database)
    assert sorted(p.name for p in folder.iterdir()) == [made.path.name]  # no partial file left
    assert made.engine == ("sqlite" if is_sqlite(database) else "postgresql")
    assert made.counts == counts_of(database)
    assert made.removed == [] and made.chain_problem == ""
    if is_sqlite(database):
        assert made.checks == ["integrity_check", "row counts", "audit chain"]
    else:
        assert made.checks == [
            "pg_restore --list",
            "row counts",
            "audit chain (live database, after the dump)",
        ]


def test_a_backup_to_a_folder_is_dated_there_and_to_a_file_keeps_its_name(
    database: peewee.Database, folder: Path, tmp_path: Path
) -> None:
    usb = tmp_path / "usb"
    usb.mkdir()
    dated = backup(usb)
    assert dated.path.parent == usb and ROTATED.match(dated.path.name)
    named = backup(tmp_path / "new" / "deep" / "mine.bak")  # its folders are made
    assert named.path == tmp_path / "new" / "deep" / "mine.bak" and named.path.is_file()
    assert sorted(p.name for p in named.path.parent.iterdir()) == ["mine.bak"]
    assert not folder.exists()  # the default folder is not touched


def test_a_backup_never_overwrites_a_file(database: peewee.Database, tmp_path: Path) -> None:
    mine = tmp_path / "mine.bak"
    mine.write_bytes(b"a person's own file")
    error = refused(backup, mine)
    assert (error.zh, error.en) == (
        f"备份文件已存在，不会覆盖：{mine}（请换一个文件名，或不加 --out 自动命名）",
        f"the backup file already exists and is not overwritten: {mine}",
    )
    dangling = tmp_path / "link.bak"
    dangling.symlink_to(tmp_path / "nowhere")
    assert refused(backup, dangling).en.endswith(str(dangling))
    assert mine.read_bytes() == b"a person's own file" and not (tmp_path / "nowhere").exists()


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # an SQLite file
def test_an_sqlite_backup_is_a_lone_file_not_in_wal_mode(
    database: peewee.Database, tmp_path: Path
) -> None:
    made = backup(tmp_path / "one.db")
    # Bytes 18 and 19 of the header: 1 for a rollback journal, 2 for WAL.
    assert made.path.read_bytes()[18:20] == b"\x01\x01"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("one")) == ["one.db"]


def test_keep_must_be_at_least_one(database: peewee.Database, folder: Path) -> None:
    error = refused(backup, keep=0)
    assert (error.zh, error.en) == ("--keep 至少为 1", "--keep must be at least 1")
    assert not folder.exists()
    made = backup(keep=1)
    assert made.removed == [] and [p.name for p in folder.iterdir()] == [made.path.name]


def test_keep_deletes_only_the_oldest_dated_backups(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    names = [
        f"{PREFIX}20261127-090000-000.db",
        f"{PREFIX}20261127-090000-001.pgdump",
        f"{PREFIX}20261128-080000-000.db",
        f"{PREFIX}20261129-070000-000.db",
    ]
    for name in names:
        (folder / name).write_bytes(b"x")
    others = ["mine.db", f"{PREFIX}20261126-000000-000.db.partial", f"{PREFIX}2026.db"]
    for name in others:
        (folder / name).write_bytes(b"x")
    (folder / f"{PREFIX}20261101-000000-000.db").mkdir()  # a folder named like one: kept
    assert rotate(folder, 2) == [folder / names[0], folder / names[1]]
    left = {p.name for p in folder.iterdir()}
    assert left == {*names[2:], *others, f"{PREFIX}20261101-000000-000.db"}
    assert rotate(folder, 2) == []
    assert rotate(folder, 1) == [folder / names[2]]
    assert rotate(folder, 0) == [folder / names[3]]  # none kept
    assert {p.name for p in folder.iterdir()} == {*others, f"{PREFIX}20261101-000000-000.db"}


# ── a history chain broken in the copy ──


def test_a_backup_of_a_broken_chain_is_kept_and_says_where(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk, tmp_path: Path
) -> None:
    open_permit_request(catalogue, desk, resident)
    remove_guards(database)
    database.execute_sql("UPDATE request_event SET note = '材料齐全，群众满意'")
    made = backup(tmp_path / "broken.bak")
    assert made.path.is_file() and made.checks[-1] == "audit chain: BROKEN"
    where = "备份中" if is_sqlite(database) else "数据库"
    assert made.chain_problem.startswith(f"{where}的留痕链有问题：")
    unchecked = backup(tmp_path / "unchecked.bak", check_chain=False)
    assert len(unchecked.checks) == 2 and unchecked.chain_problem == ""


# ── what restore checks first ──


def test_a_file_that_is_not_a_backup_is_named_in_full(tmp_path: Path) -> None:
    missing = tmp_path / "missing.bak"
    error = refused(file_engine, missing)
    assert (error.zh, error.en) == (
        f"备份文件不存在：{missing}",
        f"no such backup file: {missing}",
    )
    junk = tmp_path / "junk.bak"
    junk.write_bytes(b"not a backup at all, but long enough")
    error = refused(check_file, junk)
    assert (error.zh, error.en) == (
        f"不是本软件的数据库备份文件：{junk}",
        f"not a backup made by ziyang-counter: {junk}",
    )
    assert refused(check_sqlite_file, junk).en == f"not a backup made by ziyang-counter: {junk}"
    (tmp_path / "head.db").write_bytes(b"SQLite format 3\x00")
    assert file_engine(tmp_path / "head.db") == "sqlite"
    (tmp_path / "head.pgdump").write_bytes(b"PGDMP\x01\x0e")
    assert file_engine(tmp_path / "head.pgdump") == "postgresql"
    (tmp_path / "short.bak").write_bytes(b"PGDM")
    assert "not a backup" in refused(file_engine, tmp_path / "short.bak").en


def test_an_sqlite_file_of_another_program_is_not_a_backup(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.commit()
    conn.close()
    error = refused(check_sqlite_file, other)
    assert (error.zh, error.en) == (
        f"不是本软件的数据库备份文件：{other}",
        f"not a backup made by ziyang-counter: {other}",
    )


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # an SQLite file
def test_a_damaged_sqlite_backup_is_refused_naming_the_file(
    database: peewee.Database, tmp_path: Path
) -> None:
    made = backup(tmp_path / "ok.db")
    assert check_sqlite_file(made.path) == made.counts
    cut = tmp_path / "cut.db"
    cut.write_bytes(made.path.read_bytes()[:2000])
    error = refused(check_sqlite_file, cut)
    assert error.zh.startswith(f"备份文件无法读取：{cut}（") or error.zh.startswith(
        f"备份文件未通过完整性检查：{cut}（"
    )
    assert str(cut) in error.en


def test_target_rows_counts_every_table(database: peewee.Database) -> None:
    before = target_rows()
    assert before == sum(counts_of(database).values()) and before > 0
    a_household()
    assert target_rows() == before + 1 + 1  # the household and its history row


# ── restore ──


def test_restore_into_an_empty_database_answers_what_it_did(
    bound: peewee.Database, second_url: str, tmp_path: Path
) -> None:
    a_household()
    made = backup(tmp_path / "one.bak")
    target = open_database(second_url, create=True)
    assert target_rows() == 0
    result = restore(tmp_path / "one.bak")
    assert result == {
        "path": str(made.path),
        "engine": made.engine,
        "counts": made.counts,
        "replaced_rows": 0,
        "previous_saved_to": None,
    }
    assert counts_of(target) == made.counts
    if is_sqlite(target):
        assert target.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    target.close()


def test_restore_over_data_needs_force_then_keeps_the_data_first(
    bound: peewee.Database, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "usb" / "counter" / "backups"  # its folders are made
    monkeypatch.setenv("ZIYANG_BACKUP_DIR", str(folder))
    made = backup(tmp_path / "one.bak")
    a_household()
    rows = target_rows()
    error = refused(restore, made.path, desk=desk)
    assert (error.zh, error.en) == (
        f"目标数据库已有数据（{rows}条记录），未恢复；确需用备份覆盖请加 --force"
        "（覆盖前会先自动备份当前数据库）",
        f"the target database holds data ({rows} rows); nothing restored. Add --force "
        "to replace it (it is backed up first)",
    )
    assert not folder.exists()
    result = restore(made.path, force=True, desk=desk)
    saved = Path(str(result["previous_saved_to"]))
    assert saved.parent == folder and saved.name.startswith("ziyang-before-restore-")
    assert saved.suffix == suffix_of(bound) and not ROTATED.match(saved.name)
    assert result["replaced_rows"] == rows and result["counts"] == made.counts
    bound.close()
    bound.connect()
    assert counts_of(bound) == made.counts
    # Again over data, the folder there now: a second copy beside the first.
    again = restore(made.path, force=True, desk=load_desk("001"))
    assert Path(str(again["previous_saved_to"])).parent == folder
    assert len(list(folder.iterdir())) == 2


def test_an_officer_may_not_restore_over_data(
    bound: peewee.Database, desk: Desk, tmp_path: Path, folder: Path
) -> None:
    made = backup(tmp_path / "one.bak")
    add_staff(desk, "101", "张敏", password=OFFICER_PW)
    before = counts_of(bound)
    for who in (load_desk("101"), None):
        error = refused(restore, made.path, force=True, desk=who)
        assert error.zh.startswith("只有负责人（主管，supervisor）可以用备份覆盖已有数据的数据库，")
        assert error.en.startswith("only a supervisor may replace a database holding data")
    assert not folder.exists() and counts_of(bound) == before


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # an SQLite file
def test_restore_into_an_in_memory_database_is_refused(
    bound: peewee.Database, tmp_path: Path
) -> None:
    made = backup(tmp_path / "one.db")
    open_database("sqlite:///:memory:")
    error = refused(restore, made.path)
    assert (error.zh, error.en) == (
        "内存数据库无法恢复",
        "cannot restore into an in-memory database",
    )
    in_memory = refused(backup, tmp_path / "two.db")
    assert (in_memory.zh, in_memory.en) == (
        "内存数据库无法备份",
        "an in-memory database cannot be backed up",
    )


def test_a_dated_name_already_taken_waits_for_a_free_one(tmp_path: Path) -> None:
    """Two backups in the same millisecond never share a name: the second waits for the next."""
    start = dt.datetime.now()
    taken = set()
    for ms in range(1000):  # every name of the coming second is taken
        moment = start + dt.timedelta(milliseconds=ms)
        name = f"{PREFIX}{moment:%Y%m%d-%H%M%S}-{moment.microsecond // 1000:03d}.db"
        (tmp_path / name).write_bytes(b"x")
        taken.add(name)
    path = _stamped(tmp_path, ".db")
    assert path.parent == tmp_path and ROTATED.match(path.name)
    assert path.name not in taken and not path.exists()
    assert path.name > min(taken)


@pytest.mark.parametrize(
    "database", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)  # a PostgreSQL dump restored into an SQLite file
def test_restore_refuses_a_backup_of_the_other_engine(
    bound: peewee.Database, tmp_path: Path
) -> None:
    dump = backup(tmp_path / "pg.pgdump").path
    sqlite_target = open_database(f"sqlite:///{tmp_path / 'local.db'}", create=True)
    init_counter()
    lite = backup(tmp_path / "lite.db").path
    error = refused(restore, dump)
    assert (error.zh, error.en) == (
        "备份文件是PostgreSQL的，而目标数据库是SQLite：不能跨数据库类型恢复",
        "the backup is postgresql but the target is sqlite: restore into the same kind of database",
    )
    sqlite_target.close()
    db.initialize(bound)
    error = refused(restore, lite, force=True)
    assert (error.zh, error.en) == (
        "备份文件是SQLite的，而目标数据库是PostgreSQL：不能跨数据库类型恢复",
        "the backup is sqlite but the target is postgresql: restore into the same kind of database",
    )


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # an SQLite file
def test_a_restore_waits_for_another_counters_write_then_gives_up(
    bound: peewee.Database, second_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another counter holds the write lock on the file: the restore waits as a write would
    (within the write budget) and then says the database is busy, having copied nothing.
    Before, Python's backup retried a busy destination for ever and the restore hung."""
    import threading

    from db.connection import BUDGET_ENV, sqlite_file

    a_household()
    made = backup(tmp_path / "one.bak")
    target = open_database(second_url, create=True)
    path = sqlite_file(target)
    assert path is not None

    monkeypatch.setenv(BUDGET_ENV, "0.5")
    other = hold_write_lock(path)
    try:
        caught = refused(restore, tmp_path / "one.bak")
    finally:
        let_go(other)
    assert caught.zh.startswith("数据库正忙（其他窗口正在写入）") and "未保存任何内容" in caught.zh
    assert target_rows() == 0  # nothing copied, and the database is open again
    monkeypatch.setenv(BUDGET_ENV, "10")
    other = hold_write_lock(path)
    release = threading.Timer(0.3, let_go, [other])
    release.start()
    try:
        assert restore(tmp_path / "one.bak")["counts"] == made.counts
    finally:
        release.join()
    assert counts_of(target) == made.counts
    target.close()
