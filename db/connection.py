"""Opening the database: an embedded SQLite file by default, PostgreSQL for a whole hall.

Nothing is opened at import time; the CLI (or a test) opens the URL it was given and binds the
proxy, so every layer above works the same on either engine.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import peewee
import platformdirs
from playhouse.db_url import connect

from forms.errors import CounterError

db = peewee.DatabaseProxy()

SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 10_000,
    "synchronous": "normal",
}


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir("ziyang-counter", appauthor=False))


def default_url(name: str = "counter.db") -> str:
    return f"sqlite:///{data_dir() / name}"


def open_database(url: str) -> peewee.Database:
    """Open `sqlite:///path` or `postgresql://user@host:port/name` and bind the proxy to it."""
    parsed = urlparse(url or "")
    scheme = parsed.scheme.lower()
    if scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            path = "/" + path.lstrip("/")
        elif url.startswith("sqlite:///"):
            path = path[1:] if path.startswith("/") else path
        if not path:
            raise CounterError("SQLite 地址缺少文件路径", "the SQLite URL has no file path")
        if path != ":memory:":
            try:
                Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise CounterError(
                    f"无法创建数据目录：{exc}", f"cannot create the data folder: {exc}"
                ) from None
            path = str(Path(path).expanduser())
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so two counters on one file
        # queue on busy_timeout instead of failing when a read would upgrade to a write.
        database: peewee.Database = peewee.SqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE"
        )
    elif scheme in ("postgres", "postgresql"):
        try:
            database = connect(url)
        except Exception as exc:  # a malformed URL surfaces in many shapes
            raise CounterError(
                f"数据库地址无效：{url}（{exc}）", f"invalid database URL {url}: {exc}"
            ) from None
    else:
        raise CounterError(
            f"不支持的数据库地址：{url}（请用 sqlite:///文件路径 或 postgresql://用户@主机:端口/库名）",
            f"unsupported database URL {url!r}: use sqlite:///path or postgresql://user@host/name",
        )
    try:
        database.connect(reuse_if_open=True)
    except peewee.OperationalError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CounterError(
            f"无法连接数据库 {safe_url(url)}：{first}",
            f"cannot connect to database {safe_url(url)}: {first}",
        ) from None
    db.initialize(database)
    return database


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parsed = urlparse(url)
    if parsed.password:
        netloc = parsed.netloc.replace(f":{parsed.password}@", ":***@")
        return parsed._replace(netloc=netloc).geturl()
    return url


def is_postgres() -> bool:
    return isinstance(db.obj, peewee.PostgresqlDatabase)
