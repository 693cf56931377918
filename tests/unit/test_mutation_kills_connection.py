"""db/connection.py and db/chain.py's guard check, written against the surviving mutants of a
mutmut run over them (README, 变异测试): the machine settings for waiting on another counter and
their bounds, the wait itself (in this process, so the run sees it: the older tests use a second
process), the masking of a URL's password in every message, and the guards counted whole.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest

from db import chain
from db.connection import (
    BUDGET_ENV,
    BUSY_ENV,
    _invalid_url,
    _is_locked,
    _mask_in,
    busy_error,
    busy_timeout_ms,
    db,
    default_url,
    open_database,
    safe_url,
    write_budget_s,
)
from db.models import Setting
from forms.errors import CounterError
from tests.conftest import hold_write_lock, let_go


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        (None, 12.0),
        ("", 12.0),
        ("  ", 12.0),
        ("abc", 12.0),
        ("2.5", 2.5),
        ("0", 0.1),
        ("0.05", 0.1),
        ("0.1", 0.1),
        ("300", 300.0),
        ("300.5", 300.0),
        ("5000", 300.0),
    ],
)
def test_write_budget_and_its_bounds(
    raw: str | None, seconds: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    if raw is None:
        monkeypatch.delenv(BUDGET_ENV, raising=False)
    else:
        monkeypatch.setenv(BUDGET_ENV, raw)
    assert write_budget_s() == seconds


@pytest.mark.parametrize(
    ("raw", "ms"), [(None, 3000), ("", 3000), (" 250 ", 250), ("-5", 3000), ("1.5", 3000)]
)
def test_busy_timeout_setting(raw: str | None, ms: int, monkeypatch: pytest.MonkeyPatch) -> None:
    if raw is None:
        monkeypatch.delenv(BUSY_ENV, raising=False)
    else:
        monkeypatch.setenv(BUSY_ENV, raw)
    assert busy_timeout_ms() == ms


def test_busy_says_how_long_and_that_nothing_was_saved() -> None:
    error = busy_error(3.4)
    assert error.zh == (
        "数据库正忙（其他窗口正在写入），等待约3秒仍未轮到；本次操作未保存任何内容，请稍后重试"
    )
    assert error.en == (
        "the database is busy (another counter is writing); waited about 3 s. "
        "Nothing was saved: please try again"
    )


@pytest.mark.parametrize(
    ("text", "locked"),
    [
        ("database is locked", True),
        ("Database Is Locked", True),
        ("database table is locked: setting", True),
        ("disk I/O error", False),
        ("database is busy", False),
    ],
)
def test_which_errors_mean_wait_your_turn(text: str, locked: bool) -> None:
    assert _is_locked(peewee.OperationalError(text)) is locked


@pytest.fixture
def held_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[peewee.Database, str]]:
    """A counter database on a file, short waits, and the file's path for a second counter."""
    monkeypatch.setenv(BUSY_ENV, "50")
    monkeypatch.setenv(BUDGET_ENV, "0.4")
    path = tmp_path / "hall.db"
    database = open_database(f"sqlite:///{path}")
    database.create_tables([Setting])
    yield database, str(path)
    database.close()
    db.initialize(None)


def test_a_write_transaction_gives_up_within_the_budget(
    held_file: tuple[peewee.Database, str],
) -> None:
    database, path = held_file
    other = hold_write_lock(path)
    try:
        with pytest.raises(CounterError) as caught, database.atomic():
            Setting.create(key="k", value="v")
        assert caught.value.zh.startswith("数据库正忙") and "等待约0秒" in caught.value.zh
    finally:
        let_go(other)
    assert Setting.get_or_none(Setting.key == "k") is None


@pytest.mark.parametrize("in_transaction", [True, False])
def test_a_write_waits_for_a_lock_released_within_the_budget(
    held_file: tuple[peewee.Database, str], in_transaction: bool
) -> None:
    """Held longer than one busy wait (50 ms) but shorter than the budget: retried, saved.
    Outside a transaction it is the statement that is retried."""
    database, path = held_file
    other = hold_write_lock(path)
    release = threading.Timer(0.15, let_go, [other])
    release.start()
    try:
        if in_transaction:
            with database.atomic():
                Setting.create(key="k", value="v")
        else:
            Setting.create(key="k", value="v")
    finally:
        release.join()
    assert Setting.get(Setting.key == "k").value == "v"


def test_a_statement_inside_a_transaction_is_not_retried(
    held_file: tuple[peewee.Database, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside a transaction the caller's rollback undoes everything: one busy failure is the
    end, said at once (a read-only transaction upgraded to a write meets the lock)."""
    database, path = held_file
    monkeypatch.setenv(BUDGET_ENV, "2")
    with database.atomic("DEFERRED"):
        Setting.select().count()
        other = hold_write_lock(path)
        try:
            started = dt.datetime.now()
            with pytest.raises(CounterError, match="数据库正忙"):
                Setting.create(key="k", value="v")
            # one busy wait (50 ms), not the budget of retries (2 s); the margin is wide
            assert dt.datetime.now() - started < dt.timedelta(seconds=1)
        finally:
            let_go(other)


@pytest.mark.parametrize(
    ("url", "message", "masked"),
    [
        ("postgresql://clerk:S3cret@db/x", "auth failed for S3cret", "auth failed for ***"),
        ("postgresql://clerk:p%40ss@db/x", "bad p@ss and p%40ss", "bad *** and ***"),
        ("postgresql://clerk:abc@db/x", "abc rejected", "*** rejected"),
        ("postgresql://clerk:ab@db/x", "ab rejected", "ab rejected"),  # too short to mask
        ("postgresql://clerk@db/x", "clerk rejected", "clerk rejected"),  # no password
        ("postgresql://clerk:@db/x", "clerk rejected", "clerk rejected"),  # an empty one
        ("", "nothing", "nothing"),
    ],
)
def test_a_password_is_masked_in_driver_messages(url: str, message: str, masked: str) -> None:
    assert _mask_in(message, url) == masked


def test_an_invalid_url_names_it_masked_with_the_reason_on_one_line() -> None:
    url = "postgresql://clerk:S3cret@[::1/x"
    error = _invalid_url(url, ValueError("Invalid IPv6 URL\nnear S3cret"))
    assert error.zh == "数据库地址无效：postgresql://clerk:***@[::1/x（Invalid IPv6 URL near ***）"
    assert (
        error.en == "invalid database URL postgresql://clerk:***@[::1/x: Invalid IPv6 URL near ***"
    )
    empty = _invalid_url("postgresql://x", KeyError())
    assert empty.zh == "数据库地址无效：postgresql://x（KeyError）"


def test_safe_url_of_nothing_is_empty() -> None:
    assert safe_url("") == ""
    assert safe_url(None) == ""  # type: ignore[arg-type]


def test_the_default_database_is_in_the_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZIYANG_DATA", str(tmp_path / "data"))
    assert default_url() == f"sqlite:///{tmp_path / 'data' / 'counter.db'}"
    assert default_url("hall.db") == f"sqlite:///{tmp_path / 'data' / 'hall.db'}"


@pytest.mark.postgres
@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "PostgreSQL"])
def test_both_postgres_schemes_open_the_counter_class(pg_url: str, scheme: str) -> None:
    url = scheme + pg_url[pg_url.index(":") :]
    try:
        database = open_database(url)
        assert type(database).__name__ == "CounterPostgresqlDatabase"
        assert database.execute_sql("SHOW lock_timeout").fetchone()[0] == "12s"
    finally:
        db.obj.close()
        db.initialize(None)


def test_every_guard_counts(database: peewee.Database) -> None:
    """Each chained table's UPDATE and DELETE guard (and TRUNCATE on PostgreSQL): one dropped by
    hand and the guards are not installed; lifting them for a schema step puts all back."""
    assert chain.guards_installed(database)
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    table = chain.table_of(list(chain.CHAINED)[-1])
    for name in chain._trigger_names(table)[: 3 if postgres else 2]:
        on = f' ON "{table}"' if postgres else ""
        database.execute_sql(f'DROP TRIGGER "{name}"{on}')
        assert not chain.guards_installed(database), name
        with chain.guards_lifted(database):
            assert not chain.guards_installed(database)
        assert chain.guards_installed(database), name
    chain.remove_guards(database)
    with chain.guards_lifted(database):  # none there: none put back
        pass
    assert not chain.guards_installed(database)
    chain.install_guards(database)
    assert chain.guards_installed(database)


# ── open_database, called directly (the CLI tests above it run in other processes) ──


@pytest.fixture
def unbound() -> Iterator[None]:
    """The proxy starts unbound (another test may have left it bound) and is left unbound."""
    db.initialize(None)
    yield
    if db.obj is not None:
        db.obj.close()
    db.initialize(None)


def test_sqlite_urls_and_the_file_they_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unbound: None
) -> None:
    from db.connection import shown_location, sqlite_file

    monkeypatch.chdir(tmp_path)
    for url, where in (
        ("sqlite:///rel/a.db", tmp_path / "rel" / "a.db"),  # three slashes: relative
        ("SQLite:///rel/c.db", tmp_path / "rel" / "c.db"),  # the scheme in any case
        (f"sqlite:///{tmp_path}/abs/deeper/b.db", tmp_path / "abs" / "deeper" / "b.db"),
        (f"sqlite:///{tmp_path}/sp%20ace.db", tmp_path / "sp ace.db"),
        (f"SQLite:////{str(tmp_path).lstrip('/')}/four.db", tmp_path / "four.db"),
    ):
        database = open_database(url)
        assert isinstance(database, peewee.SqliteDatabase) and db.obj is database
        assert shown_location() == str(where) == sqlite_file(database), url
        assert where.is_file()
        pragmas = {
            name: database.execute_sql(f"PRAGMA {name}").fetchone()[0]
            for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
        }
        assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 3000,
                           "synchronous": 1}  # fmt: skip
        database.close()
    memory = open_database("sqlite:///:memory:")
    assert shown_location(memory) == ":memory:" and sqlite_file(memory) is None


@pytest.mark.parametrize(
    ("url", "zh"),
    [
        ("sqlite:///", "SQLite 地址缺少文件路径"),
        ("mysql://u@h/x", "不支持的数据库地址：mysql://u@h/x（请用 sqlite:///文件路径 或 "
                          "postgresql://用户@主机:端口/库名）"),
        ("mysql://u:S3cret@h/x", "不支持的数据库地址：mysql://u:***@h/x（请用 sqlite:///文件路径 或 "
                                 "postgresql://用户@主机:端口/库名）"),
        ("", "不支持的数据库地址：（请用 sqlite:///文件路径 或 postgresql://用户@主机:端口/库名）"),
        ("http://[::1/x", "数据库地址无效：http://[::1/x（Invalid IPv6 URL）"),
    ],
)  # fmt: skip
def test_urls_refused_before_anything_is_made(
    url: str, zh: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unbound: None
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CounterError) as caught:
        open_database(url)
    assert caught.value.zh == zh
    english = {
        "sqlite:///": "the SQLite URL has no file path",
        "mysql://u@h/x": "unsupported database URL 'mysql://u@h/x': use sqlite:///path or "
        "postgresql://user@host/name",
    }
    if url in english:
        assert caught.value.en == english[url]
    assert list(tmp_path.iterdir()) == [] and db.obj is None


def test_without_create_a_missing_file_is_named_and_nothing_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unbound: None
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(CounterError) as relative:
        open_database("sqlite:///rel/x.db", create=False)
    assert relative.value.zh == (
        f"数据库尚未初始化：{tmp_path / 'rel' / 'x.db'} 不存在"
        "（sqlite:/// 后是相对路径，绝对路径请写 sqlite:////路径），请先运行：ziyang-counter init"
    )
    assert relative.value.en == (
        f"the database is not initialised: {tmp_path / 'rel' / 'x.db'} does not exist; "
        "run 'ziyang-counter init'"
    )
    with pytest.raises(CounterError) as absolute:
        open_database(f"sqlite:///{tmp_path}/gone.db", create=False)
    assert absolute.value.zh == (
        f"数据库尚未初始化：{tmp_path / 'gone.db'} 不存在，请先运行：ziyang-counter init"
    )
    with pytest.raises(CounterError) as folder:
        open_database(f"sqlite:///{tmp_path}", create=False)
    assert folder.value.zh == f"数据库地址指向的是文件夹，不是数据库文件：{tmp_path}"
    assert folder.value.en == f"the database path is a folder, not a file: {tmp_path}"
    assert list(tmp_path.iterdir()) == []
    made = open_database(f"sqlite:///{tmp_path}/made.db")
    made.execute_sql("CREATE TABLE kept (x)")
    made.close()
    again = open_database(f"sqlite:///{tmp_path}/made.db", create=False)
    # the file itself, opened read-write (not a new one named after the URI)
    assert again.execute_sql("SELECT count(*) FROM kept").fetchone() == (0,)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("made.db-")) == [
        "made.db"
    ]


def test_a_folder_that_cannot_be_made_is_one_line(tmp_path: Path, unbound: None) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(CounterError) as caught:
        open_database(f"sqlite:///{tmp_path}/file/sub/x.db")
    assert caught.value.zh.startswith("无法创建数据目录：")
    assert caught.value.en.startswith("cannot create the data folder: ")


def test_a_server_that_does_not_answer_is_named_masked(unbound: None) -> None:
    with pytest.raises(CounterError) as caught:
        open_database("postgresql://u:S3cret@127.0.0.1:1/none")
    zh = caught.value.zh
    assert zh.startswith("无法连接数据库 postgresql://u:***@127.0.0.1:1/none：")
    assert "port 1 failed" in zh  # the driver's first line, not its hint below
    assert "S3cret" not in zh + caught.value.en and "\n" not in zh
    assert caught.value.en.startswith(
        "cannot connect to database postgresql://u:***@127.0.0.1:1/none: "
    )


def test_where_a_database_is_said_for_one_not_opened_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unbound: None
) -> None:
    """A database made by hand (a test, a tool) has no remembered place: the SQLite file made
    absolute, or PostgreSQL's user, host, port and name (never a password)."""
    from db.connection import shown_location, sqlite_file

    assert shown_location() == "（未打开）"
    monkeypatch.chdir(tmp_path)
    plain = peewee.SqliteDatabase("by-hand.db")
    assert shown_location(plain) == str(tmp_path / "by-hand.db") == sqlite_file(plain)
    server = peewee.PostgresqlDatabase(
        "hall", user="clerk", password="S3cret", host="10.0.0.5", port=5433
    )
    assert shown_location(server) == "postgresql://clerk@10.0.0.5:5433/hall"
    assert sqlite_file(server) is None
    bare = peewee.PostgresqlDatabase("hall")
    assert shown_location(bare) == "postgresql://@:5432/hall"
    db.initialize(plain)
    assert shown_location() == str(tmp_path / "by-hand.db") == sqlite_file()


def test_the_data_folder_follows_the_os_convention_unless_set(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from db.connection import data_dir

    monkeypatch.delenv("ZIYANG_DATA", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert data_dir() == tmp_path / "share" / "ziyang-counter"
    monkeypatch.setenv("ZIYANG_DATA", "  ")  # blank is unset
    assert data_dir() == tmp_path / "share" / "ziyang-counter"
    monkeypatch.setenv("ZIYANG_DATA", "~/portable")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home" / "portable"


def test_a_write_transaction_holds_the_write_lock_from_its_start(
    held_file: tuple[peewee.Database, str],
) -> None:
    """BEGIN IMMEDIATE: two counters queue at the start of a transaction, not when a read
    would become a write half-way through."""
    database, path = held_file
    with database.atomic():
        other = sqlite3.connect(path, isolation_level=None, timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_an_in_memory_database_gets_the_same_settings(unbound: None) -> None:
    memory = open_database("sqlite:///:memory:")
    assert memory.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert memory.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 3000


@pytest.mark.postgres
def test_postgres_gives_up_a_lock_wait_at_the_budget_with_the_busy_line(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, unbound: None
) -> None:
    import psycopg2

    monkeypatch.setenv(BUDGET_ENV, "0.3")  # lock_timeout = 300 ms, set when the URL is opened
    database = open_database(pg_url)
    database.execute_sql("CREATE TABLE IF NOT EXISTS lock_probe (x int)")
    other = psycopg2.connect(pg_url)
    try:
        with other.cursor() as cur:
            cur.execute("LOCK TABLE lock_probe IN ACCESS EXCLUSIVE MODE")
        started = dt.datetime.now()
        with pytest.raises(CounterError) as caught:
            database.execute_sql("SELECT count(*) FROM lock_probe")
        assert caught.value.zh == busy_error(0.3).zh  # "等待约0秒"
        assert dt.datetime.now() - started >= dt.timedelta(seconds=0.25)
    finally:
        other.rollback()
        other.close()
    with pytest.raises(peewee.ProgrammingError):  # any other error is left as it was
        database.execute_sql("SELECT * FROM no_such_table")
    database.rollback()
    database.execute_sql("DROP TABLE lock_probe")


def test_a_postgres_url_the_driver_refuses_is_one_masked_line(unbound: None) -> None:
    with pytest.raises(CounterError) as caught:
        open_database("postgresql://u:S3cret@db:notaport/x")
    assert caught.value.zh.startswith("数据库地址无效：postgresql://u:***@db:notaport/x（")
    assert "S3cret" not in caught.value.zh + caught.value.en and "\n" not in caught.value.zh


def test_canonical_forms_of_what_a_chained_row_holds() -> None:
    import decimal

    from db.models import Staff

    moment = dt.datetime(2026, 11, 20, 9, 5, 7, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert chain.canonical(None) is None and chain.canonical(True) is True
    assert chain.canonical(7) == 7 and chain.canonical("乙") == "乙"
    assert chain.canonical(moment) == "2026-11-20 09:05:07"
    assert chain.canonical(dt.date(2026, 11, 20)) == "2026-11-20"
    assert chain.canonical(decimal.Decimal("12.50")) == "12.50" and chain.canonical(2.5) == "2.5"
    assert chain.canonical({1: dt.date(2026, 1, 2), "k": [moment, (1, "a")]}) == {
        "1": "2026-01-02",
        "k": ["2026-11-20 09:05:07", [1, "a"]],
    }
    assert chain.canonical(Staff(id=42, code="042")) == 42
    with pytest.raises(TypeError, match=r"^no canonical form for set$"):
        chain.canonical({1})
