"""Opening the database: an embedded SQLite file by default, PostgreSQL for a whole hall.

Nothing is opened at import time; the CLI (or a test) opens the URL it was given and binds the
proxy, so every layer above works the same on either engine.
"""

from __future__ import annotations

import os
import random
import re
import time
import weakref
from pathlib import Path
from urllib.parse import quote, unquote, urlparse

import peewee
import platformdirs

from db.errors import driver_error
from forms.errors import CounterError

db = peewee.DatabaseProxy()

DEFAULT_BUSY_MS = 3_000  # one wait; the write budget below retries within ~12 s in all
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": DEFAULT_BUSY_MS,
    "synchronous": "normal",
}

# Waiting for another counter's write: each BEGIN IMMEDIATE waits up to busy_timeout, and is
# retried with backoff until the write budget is spent; PostgreSQL waits up to the budget for a
# lock (lock_timeout). What still fails is one line saying nothing was saved. Both are machine
# settings (environment), so a test or a slow network share can change them.
BUSY_ENV = "ZIYANG_SQLITE_BUSY_MS"
BUDGET_ENV = "ZIYANG_WRITE_BUDGET"
DEFAULT_BUDGET_S = 12.0


def busy_timeout_ms() -> int:
    raw = os.environ.get(BUSY_ENV, "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_BUSY_MS


def write_budget_s() -> float:
    try:
        value = float(os.environ.get(BUDGET_ENV, "") or DEFAULT_BUDGET_S)
    except ValueError:
        value = DEFAULT_BUDGET_S
    return max(0.1, min(value, 300.0))


def busy_error(waited: float) -> CounterError:
    return CounterError(
        f"数据库正忙（其他窗口正在写入），等待约{waited:.0f}秒仍未轮到；"
        "本次操作未保存任何内容，请稍后重试",
        f"the database is busy (another counter is writing); waited about {waited:.0f} s. "
        "Nothing was saved: please try again",
    )


def _is_locked(exc: BaseException) -> bool:
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


class CounterSqliteDatabase(peewee.SqliteDatabase):
    """SQLite that waits its turn: a write transaction's BEGIN IMMEDIATE (where the lock is
    taken, before anything is written) is retried with backoff inside the write budget."""

    def begin(self, lock_type: str | None = None) -> None:
        started = time.monotonic()
        delay = 0.05
        while True:
            try:
                super().begin(lock_type)
                return
            except peewee.OperationalError as exc:
                if not _is_locked(exc):
                    raise
                waited = time.monotonic() - started
                if waited + delay >= write_budget_s():
                    raise busy_error(waited) from None
                time.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, 1.0)

    def execute_sql(self, sql: str, params: object = None) -> object:
        """A statement on its own (no transaction) failed atomically: retry it likewise; inside
        a transaction the caller's rollback undoes everything, and the user is told so."""
        started = time.monotonic()
        delay = 0.05
        while True:
            try:
                return super().execute_sql(sql, params)
            except peewee.OperationalError as exc:
                if not _is_locked(exc):
                    raise
                waited = time.monotonic() - started
                if self.in_transaction() or waited + delay >= write_budget_s():
                    raise busy_error(waited) from None
                time.sleep(delay * random.uniform(0.5, 1.0))
                delay = min(delay * 2, 1.0)


class CounterPostgresqlDatabase(peewee.PostgresqlDatabase):
    """PostgreSQL whose lock waits end at the write budget (lock_timeout) with the same line."""

    def execute_sql(self, sql: str, params: object = None) -> object:
        started = time.monotonic()
        try:
            return super().execute_sql(sql, params)
        except peewee.OperationalError as exc:
            cause = driver_error(exc)
            if getattr(cause, "pgcode", None) == "55P03":  # lock_not_available
                raise busy_error(time.monotonic() - started) from None
            raise


def _connect_postgres(url: str, **options: object) -> peewee.Database:
    """playhouse.db_url (imported here: with the SQLite and APSW extensions it loads, about
    5 ms a command that SQLite runs do not need) parses the URL into our database class."""
    from playhouse.db_url import connect, register_database

    register_database(CounterPostgresqlDatabase, "postgres", "postgresql")
    database: peewee.Database = connect(url, **options)
    return database


def _sqlite_pragmas() -> dict[str, object]:
    return {**SQLITE_PRAGMAS, "busy_timeout": busy_timeout_ms()}


def data_dir() -> Path:
    """The data folder: ZIYANG_DATA if set (tests, a portable install on a USB stick), else
    this OS user's application data folder."""
    override = os.environ.get("ZIYANG_DATA", "").strip()
    if override:
        return Path(os.path.abspath(Path(override).expanduser()))
    return Path(platformdirs.user_data_dir("ziyang-counter", appauthor=False))


def setting_path(env: str, name: str) -> Path:
    """A file or folder this machine keeps: the environment variable `env` if set (~ expanded,
    made absolute), else `name` in the data folder."""
    raw = os.environ.get(env, "").strip()
    return Path(raw).expanduser().absolute() if raw else data_dir() / name


def default_url(name: str = "counter.db") -> str:
    return f"sqlite:///{data_dir() / name}"


def open_database(url: str, *, create: bool = True) -> peewee.Database:
    """Open `sqlite:///path` or `postgresql://user@host:port/name` and bind the proxy to it.

    With `create=False` (every CLI command but init and demo) nothing is made on disk: a
    missing SQLite file or folder is refused with its absolute path instead of being created
    empty where the user did not mean.
    """
    try:
        parsed = urlparse(url or "")
        scheme = parsed.scheme.lower()
    except ValueError as exc:  # e.g. an unclosed [IPv6] host
        raise _invalid_url(url, exc) from None
    if scheme == "sqlite":
        path = unquote(parsed.path)
        prefix = url[: len("sqlite:////")].lower()  # the scheme in any case, as urlparse reads it
        if prefix == "sqlite:////":
            path = "/" + path.lstrip("/")
        elif prefix.startswith("sqlite:///"):
            path = path[1:] if path.startswith("/") else path
        if not path:
            raise CounterError("SQLite 地址缺少文件路径", "the SQLite URL has no file path")
        if path == ":memory:":
            database: peewee.Database = CounterSqliteDatabase(
                path, pragmas=_sqlite_pragmas(), lock_type="IMMEDIATE"
            )
            shown = path
        else:
            database, shown = _open_sqlite_file(path, create)
    elif scheme in ("postgres", "postgresql"):
        shown = safe_url(url)
        try:
            budget_ms = int(write_budget_s() * 1000)
            database = _connect_postgres(url, options=f"-c lock_timeout={budget_ms}")
        except Exception as exc:  # a malformed URL surfaces in many shapes
            raise _invalid_url(url, exc) from None
    else:
        raise CounterError(
            f"不支持的数据库地址：{safe_url(url)}（请用 sqlite:///文件路径 或 postgresql://用户@主机:端口/库名）",
            f"unsupported database URL {safe_url(url)!r}: use sqlite:///path or "
            "postgresql://user@host/name",
        )
    try:
        database.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        first = _mask_in(first, url)
        raise CounterError(
            f"无法连接数据库 {shown}：{first}",
            f"cannot connect to database {shown}: {first}",
        ) from None
    _SHOWN[database] = shown
    db.initialize(database)
    return database


def _open_sqlite_file(raw: str, create: bool) -> tuple[peewee.Database, str]:
    """An SQLite file: created (with its folder) only when asked, else opened read-write."""
    target = Path(os.path.abspath(Path(raw).expanduser()))
    shown = str(target)
    if target.is_dir():
        raise CounterError(
            f"数据库地址指向的是文件夹，不是数据库文件：{shown}",
            f"the database path is a folder, not a file: {shown}",
        )
    if create:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CounterError(
                f"无法创建数据目录：{exc}", f"cannot create the data folder: {exc}"
            ) from None
        opened = str(target)
        uri = False
    else:
        if not target.is_file():
            hint = ""
            if not Path(raw).expanduser().is_absolute():
                hint = "（sqlite:/// 后是相对路径，绝对路径请写 sqlite:////路径）"
            raise CounterError(
                f"数据库尚未初始化：{shown} 不存在{hint}，请先运行：ziyang-counter init",
                f"the database is not initialised: {shown} does not exist; "
                "run 'ziyang-counter init'",
            )
        # mode=rw: SQLite opens the existing file and never creates one, even in a race.
        opened = f"file:{quote(str(target))}?mode=rw"
        uri = True
    # IMMEDIATE: a write transaction takes the lock at BEGIN, so two counters on one file
    # queue on busy_timeout instead of failing when a read would upgrade to a write.
    database = CounterSqliteDatabase(
        opened, pragmas=_sqlite_pragmas(), lock_type="IMMEDIATE", uri=uri
    )
    return database, shown


_SHOWN: weakref.WeakKeyDictionary[peewee.Database, str] = weakref.WeakKeyDictionary()


def shown_location(database: peewee.Database | None = None) -> str:
    """Where a database is, for messages: an SQLite file's absolute path, or the masked URL."""
    database = database if database is not None else db.obj
    if database is None:
        return "（未打开）"
    if database in _SHOWN:
        return _SHOWN[database]
    if isinstance(database, peewee.SqliteDatabase):
        return str(Path(database.database).absolute())
    params = getattr(database, "connect_params", {})
    return (
        f"postgresql://{params.get('user', '')}@{params.get('host', '')}:"
        f"{params.get('port', 5432)}/{database.database}"
    )


def sqlite_file(database: peewee.Database | None = None) -> str | None:
    """The absolute path of the bound SQLite file (None for PostgreSQL or in memory)."""
    database = database if database is not None else db.obj
    if not isinstance(database, peewee.SqliteDatabase):
        return None
    shown = shown_location(database)
    return shown if shown.startswith("/") or Path(shown).is_absolute() else None


def _invalid_url(url: str, exc: Exception) -> CounterError:
    reason = _mask_in(" ".join(str(exc).split()) or type(exc).__name__, url)
    return CounterError(
        f"数据库地址无效：{safe_url(url)}（{reason}）",
        f"invalid database URL {safe_url(url)}: {reason}",
    )


_USERINFO = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*?:)?(.*)@(?=[^@]*$)", re.DOTALL)
_QUERY_PASSWORD = re.compile(r"(?i)([?&]password=)[^&#]*")


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs.

    Done on the raw text, not by parsing: a password with '@', '/', '#' or '?' in it, or a URL
    urlparse refuses, must be masked just the same.
    """
    text = url or ""
    match = _USERINFO.match(text)
    if match and match.group(2) is not None:
        text = f"{match.group(1)}{match.group(2)}***@{text[match.end() :]}"
    return _QUERY_PASSWORD.sub(r"\1***", text)


def _mask_in(text: str, url: str) -> str:
    """`text` with the URL's password (raw and decoded) replaced, for driver messages."""
    match = _USERINFO.match(url or "")
    if match and match.group(2) is not None and match.group(3):
        for secret in {match.group(3), unquote(match.group(3))}:
            if len(secret) >= 3:  # a one-letter password would mask half the message
                text = text.replace(secret, "***")
    return text


def is_postgres() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)
