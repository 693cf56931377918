"""Backup and restore of the counter's database, safe while counters keep working.

SQLite: the online backup API copies the file from inside one read transaction, so the copy is
one moment of the database even while other counters write (WAL lets them go on). PostgreSQL:
`pg_dump` in custom format, taken from a snapshot this module exports, so the row counts it
compares are those of the same moment. Every backup is checked before it gets its final name:
SQLite `PRAGMA integrity_check` and row counts; PostgreSQL `pg_restore --list` and the row
counts of the dump's data. A backup never lands half-written under its name.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import peewee

from db.connection import (
    busy_error,
    busy_timeout_ms,
    db,
    is_postgres,
    setting_path,
    sqlite_file,
    write_budget_s,
)
from db.setup import Desk
from forms.errors import CounterError

PREFIX = "ziyang-backup-"
SQLITE_SUFFIX = ".db"
PG_SUFFIX = ".pgdump"
# Names `backup --keep` may delete: only backups this module named itself.
ROTATED = re.compile(rf"^{PREFIX}\d{{8}}-\d{{6}}-\d{{3}}({re.escape(SQLITE_SUFFIX)}|{PG_SUFFIX})$")
SQLITE_MAGIC = b"SQLite format 3\x00"
PG_MAGIC = b"PGDMP"
PG_TOOLS_ENV = "ZIYANG_PG_BIN"


@dataclass
class BackupResult:
    path: Path
    engine: str
    counts: dict[str, int]
    checks: list[str]
    removed: list[Path] = field(default_factory=list)
    # A backup whose history chain is broken is kept (it is evidence) and said loudly.
    chain_problem: str = ""


def backup_dir() -> Path:
    """Where backups go without --out: ZIYANG_BACKUP_DIR, else `backups/` in the data folder."""
    return setting_path("ZIYANG_BACKUP_DIR", "backups")


def _stamped(folder: Path, suffix: str, prefix: str = PREFIX) -> Path:
    """A new file name with the time to the millisecond (sortable), never an existing one."""
    while True:
        now = dt.datetime.now()
        path = folder / f"{prefix}{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}{suffix}"
        if not path.exists():
            return path
        time.sleep(0.002)


def _refuse_existing(path: Path) -> None:
    if path.exists() or path.is_symlink():
        raise CounterError(
            f"备份文件已存在，不会覆盖：{path}（请换一个文件名，或不加 --out 自动命名）",
            f"the backup file already exists and is not overwritten: {path}",
        )


def audit_chain_check(engine: str, location: str) -> list[str]:
    """The history chain of a backup, walked by `audit verify`'s own code (db/audit.py).

    An SQLite copy is opened read-only and its chain verified. A PostgreSQL dump cannot be
    read without restoring it, so the live database is verified right after the dump: the
    history is append-only (the triggers refuse UPDATE and DELETE), so the dump holds a
    prefix of what was verified. `restore` verifies a PostgreSQL file after restoring it.
    Raises CounterError naming the first broken row; returns the names of the checks done."""
    if engine == "sqlite":
        _file_chain_intact(location)
        return ["audit chain"]
    if location and is_postgres():
        _raise_if_broken(_verify_bound(), "数据库", "database")
        return ["audit chain (live database, after the dump)"]
    return []


def _chain_checks(engine: str, copy: Path, check_chain: bool) -> tuple[list[str], str]:
    """A new backup's chain check: (checks done, the problem in Chinese or "")."""
    if not check_chain:
        return [], ""
    try:
        return audit_chain_check(engine, str(copy)), ""
    except CounterError as exc:
        return ["audit chain: BROKEN"], exc.zh


def _verify_bound() -> dict[str, object]:
    from db import audit

    return audit.verify()


def _raise_if_broken(result: dict[str, object], where_zh: str, where_en: str) -> None:
    problem = result.get("problem")
    if isinstance(problem, dict):
        raise CounterError(
            f"{where_zh}的留痕链有问题：{problem['zh']}",
            f"the history chain of the {where_en} is broken: {problem['en']}",
        )


def _file_chain_intact(path: str) -> None:
    """Verify an SQLite copy's chain in a child process: the database proxy is one for the
    whole process, and other threads (a desk's workers, counters) keep using it meanwhile."""
    root = str(Path(__file__).resolve().parents[1])
    paths = [root, os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}
    code = "import sys; from db.backup import verify_file_chain; verify_file_chain(sys.argv[1])"
    done = subprocess.run(
        [sys.executable, "-c", code, path], capture_output=True, text=True, env=env, timeout=900
    )
    try:
        result = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise CounterError(
            f"无法核验备份中的留痕链：{(done.stderr or done.stdout).strip()[-200:]}",
            "could not check the backup's history chain",
        ) from None
    _raise_if_broken(result, "备份中", "backup")


def verify_file_chain(path: str) -> None:
    """The child process of `_file_chain_intact`: print the chain walk of a read-only copy."""
    copy = peewee.SqliteDatabase(f"file:{quote(path)}?mode=ro&immutable=1", uri=True)
    db.initialize(copy)
    try:
        result = _verify_bound()
    except CounterError as exc:
        result = {"problem": {"zh": exc.zh, "en": exc.en}}
    print(json.dumps({"problem": result.get("problem")}, ensure_ascii=False))


# ───────────────────────────── SQLite ─────────────────────────────


def _sqlite_tables(conn: sqlite3.Connection) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def _sqlite_counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in _sqlite_tables(conn)
    }


def _read_only(path: Path) -> sqlite3.Connection:
    """Open a backup file without ever writing to it (no -wal or -shm made next to it)."""
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro&immutable=1", uri=True)


def check_sqlite_file(path: Path) -> dict[str, int]:
    """A readable SQLite file of this program that passes integrity_check: its row counts."""
    with path.open("rb") as handle:
        if handle.read(16) != SQLITE_MAGIC:
            raise _not_a_backup(path)
    conn = _read_only(path)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check")]
        if result != ["ok"]:
            raise CounterError(
                f"备份文件未通过完整性检查：{path}（{'; '.join(result[:3])}）",
                f"the backup fails the integrity check: {path} ({'; '.join(result[:3])})",
            )
        counts = _sqlite_counts(conn)
    except sqlite3.DatabaseError as exc:
        raise CounterError(
            f"备份文件无法读取：{path}（{exc}）", f"cannot read the backup {path}: {exc}"
        ) from None
    finally:
        conn.close()
    if "schema_version" not in counts:
        raise _not_a_backup(path)
    return counts


def _not_a_backup(path: Path) -> CounterError:
    return CounterError(
        f"不是本软件的数据库备份文件：{path}", f"not a backup made by ziyang-counter: {path}"
    )


def _backup_sqlite(source: Path, target: Path, check_chain: bool = True) -> BackupResult:
    temporary = target.with_name(f".{target.name}.partial")
    temporary.unlink(missing_ok=True)
    src = sqlite3.connect(str(source), isolation_level=None)
    try:
        src.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        src.execute("BEGIN")  # one read transaction: the counts and the copy are one moment
        counts = _sqlite_counts(src)
        dst = sqlite3.connect(str(temporary), isolation_level=None)
        try:
            src.backup(dst)  # all pages in one step, from the same snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # a lone file, no -wal beside it
        finally:
            dst.close()
        src.execute("COMMIT")
    except sqlite3.Error as exc:
        temporary.unlink(missing_ok=True)
        raise CounterError(
            f"备份失败，未生成备份文件：{exc}", f"backup failed, no file written: {exc}"
        ) from None
    finally:
        src.close()
    try:
        copied = check_sqlite_file(temporary)
        if copied != counts:
            raise CounterError(
                "备份核对失败：备份中的记录数与备份时刻的数据库不一致，已删除该备份",
                "backup check failed: the copy's row counts differ from the database's; removed",
            )
        chained, problem = _chain_checks("sqlite", temporary, check_chain)
        checks = ["integrity_check", "row counts", *chained]
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(target, "sqlite", counts, checks, chain_problem=problem)


# ───────────────────────────── PostgreSQL ─────────────────────────────


def pg_tool(name: str) -> str:
    """pg_dump / pg_restore: from ZIYANG_PG_BIN, else the PATH; missing is said clearly."""
    folder = os.environ.get(PG_TOOLS_ENV, "").strip()
    found = shutil.which(name, path=folder) if folder else shutil.which(name)
    if not found:
        raise CounterError(
            f"找不到 {name}：请安装 PostgreSQL 客户端工具（主版本不低于服务器），并加入 PATH "
            f"或用环境变量 {PG_TOOLS_ENV} 指定其所在文件夹",
            f"{name} not found: install the PostgreSQL client tools (same major version as the "
            f"server or newer) and put them on PATH, or set {PG_TOOLS_ENV} to their folder",
        )
    return found


def _pg_args(database: peewee.Database) -> tuple[list[str], dict[str, str]]:
    """Connection options for the pg tools, the password in the environment (never argv)."""
    params = dict(getattr(database, "connect_params", {}))
    args = []
    for option, key in (("--host", "host"), ("--port", "port"), ("--username", "user")):
        if params.get(key):
            args.append(f"{option}={params[key]}")
    env = dict(os.environ)
    if params.get("password"):
        env["PGPASSWORD"] = str(params["password"])
    return args, env


def _run(cmd: list[str], env: dict[str, str], what: str) -> subprocess.CompletedProcess[bytes]:
    """Run a pg tool; `what` is "中文 / English". Its first error line is said, nothing else."""
    done = subprocess.run(cmd, env=env, capture_output=True, check=False)
    if done.returncode != 0:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["?"])[0]
        zh, _, en = what.partition(" / ")
        raise CounterError(f"{zh}失败：{first}", f"{en or zh} failed: {first}")
    return done


def dump_counts(path: Path, env: dict[str, str] | None = None) -> dict[str, int]:
    """The row counts of a custom-format dump: pg_restore writes its data as COPY blocks, one
    line per row (newlines inside values are escaped), so counting needs no scratch database."""
    env = env or dict(os.environ)
    with path.open("rb") as handle:
        if handle.read(5) != PG_MAGIC:
            raise _not_a_backup(path)
    listing = _run(
        [pg_tool("pg_restore"), "--list", str(path)],
        env,
        "备份文件检查（pg_restore --list）/ checking the dump (pg_restore --list)",
    )
    tables = re.findall(rb"TABLE DATA public (\S+) ", listing.stdout)
    counts = {name.decode(): 0 for name in tables}
    if "schema_version" not in counts:
        raise _not_a_backup(path)
    proc = subprocess.Popen(
        [pg_tool("pg_restore"), "--data-only", "--file=-", str(path)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    table = None
    copy = re.compile(rb'^COPY public\.("?)([^ ("]+)\1 .*FROM stdin;$')
    for line in proc.stdout:
        line = line.rstrip(b"\n")
        if table is None:
            match = copy.match(line)
            if match:
                table = match.group(2).decode()
        elif line == b"\\.":
            table = None
        else:
            counts[table] = counts.get(table, 0) + 1
    _, err = proc.communicate()
    if proc.returncode != 0:
        first = (err.decode("utf-8", "replace").strip().splitlines() or ["?"])[0]
        raise CounterError(f"备份文件读取失败：{first}", f"cannot read the dump: {first}")
    return counts


@contextmanager
def _pg_snapshot(database: peewee.Database) -> Iterator[tuple[str, dict[str, int]]]:
    """An exported snapshot and the row counts of every table at it, held open while used."""
    import psycopg2

    params = dict(getattr(database, "connect_params", {}))
    conn = psycopg2.connect(dbname=database.database, **params)
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with conn.cursor() as cur:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            cur.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
            names = [row[0] for row in cur.fetchall()]
            counts = {}
            for name in names:
                cur.execute(f'SELECT COUNT(*) FROM "{name}"')
                counts[name] = cur.fetchone()[0]
        yield snapshot, counts
    finally:
        conn.rollback()
        conn.close()


def _backup_postgres(
    database: peewee.Database, target: Path, check_chain: bool = True
) -> BackupResult:
    pg_dump = pg_tool("pg_dump")
    args, env = _pg_args(database)
    temporary = target.with_name(f".{target.name}.partial")
    temporary.unlink(missing_ok=True)
    try:
        with _pg_snapshot(database) as (snapshot, counts):
            _run(
                [pg_dump, *args, "--format=custom", f"--snapshot={snapshot}",
                 f"--file={temporary}", f"--dbname={database.database}"],
                env, "备份（pg_dump）/ backup (pg_dump)",
            )  # fmt: skip
        copied = dump_counts(temporary, env)
        if {k: copied.get(k, 0) for k in counts} != counts:
            raise CounterError(
                "备份核对失败：备份中的记录数与备份时刻的数据库不一致，已删除该备份",
                "backup check failed: the dump's row counts differ from the database's; removed",
            )
        chained, problem = _chain_checks("postgresql", temporary, check_chain)
        checks = ["pg_restore --list", "row counts", *chained]
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    return BackupResult(target, "postgresql", counts, checks, chain_problem=problem)


# ───────────────────────────── backup, rotation, restore ─────────────────────────────


def backup(
    out: Path | None = None, keep: int | None = None, *, check_chain: bool = True
) -> BackupResult:
    """Back up the bound database to `out` (a file, or a folder to put a dated file in; by
    default the backup folder), check it, then keep only the newest `keep` dated backups in
    that folder. `check_chain=False` is for the copy `restore` takes of what it replaces,
    which must be kept even when its history is what went wrong."""
    if keep is not None and keep < 1:
        raise CounterError("--keep 至少为 1", "--keep must be at least 1")
    database = db.obj
    postgres = is_postgres()
    suffix = PG_SUFFIX if postgres else SQLITE_SUFFIX
    if out is not None and Path(out).expanduser().is_dir():  # --out D:\ (a USB stick): dated
        target = _stamped(Path(out).expanduser().absolute(), suffix)
    elif out is not None:
        target = Path(out).expanduser().absolute()
        _refuse_existing(target)
        target.parent.mkdir(parents=True, exist_ok=True)
    else:
        folder = backup_dir()
        folder.mkdir(parents=True, exist_ok=True)
        target = _stamped(folder, suffix)
    if postgres:
        result = _backup_postgres(database, target, check_chain)
    else:
        source = sqlite_file(database)
        if source is None:
            raise CounterError("内存数据库无法备份", "an in-memory database cannot be backed up")
        result = _backup_sqlite(Path(source), target, check_chain)
    if keep is not None:
        result.removed = rotate(target.parent, keep)
    return result


def rotate(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` dated backups (names made by `backup`) in `folder`."""
    dated = sorted(p for p in folder.iterdir() if ROTATED.match(p.name) and p.is_file())
    old = dated[:-keep] if keep else dated
    for path in old:
        path.unlink()
    return old


def file_engine(path: Path) -> str:
    """sqlite or postgresql, from the file's first bytes; anything else is refused."""
    try:
        with path.open("rb") as handle:
            head = handle.read(16)
    except FileNotFoundError:
        raise CounterError(f"备份文件不存在：{path}", f"no such backup file: {path}") from None
    if head == SQLITE_MAGIC:
        return "sqlite"
    if head.startswith(PG_MAGIC):
        return "postgresql"
    raise _not_a_backup(path)


def check_file(path: Path) -> tuple[str, dict[str, int]]:
    """What `restore` checks before touching anything: the engine and the file's row counts."""
    engine = file_engine(path)
    counts = check_sqlite_file(path) if engine == "sqlite" else dump_counts(path)
    if engine == "sqlite":  # a dump is checked once restored (see restore)
        audit_chain_check(engine, str(path))
    return engine, counts


def target_rows() -> int:
    """How many rows the bound database holds in all its tables (0: empty or no tables)."""
    database = db.obj
    return sum(
        database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
        for t in database.get_tables()
    )


def restore(path: Path, *, force: bool = False, desk: Desk | None = None) -> dict[str, object]:
    """Replace the bound database with a backup: the file is checked first, a database that
    holds data is replaced only with `force`, by a signed-in supervisor (`desk`), and is first
    backed up itself. An empty database (a new PC) needs no account: it has none yet."""
    path = Path(path).expanduser().absolute()
    engine, counts = check_file(path)
    postgres = is_postgres()
    if (engine == "postgresql") != postgres:
        raise CounterError(
            f"备份文件是{'PostgreSQL' if engine == 'postgresql' else 'SQLite'}的，"
            f"而目标数据库是{'PostgreSQL' if postgres else 'SQLite'}：不能跨数据库类型恢复",
            f"the backup is {engine} but the target is "
            f"{'postgresql' if postgres else 'sqlite'}: restore into the same kind of database",
        )
    rows = target_rows()
    safety: Path | None = None
    if rows:
        if not force:
            raise CounterError(
                f"目标数据库已有数据（{rows}条记录），未恢复；确需用备份覆盖请加 --force"
                "（覆盖前会先自动备份当前数据库）",
                f"the target database holds data ({rows} rows); nothing restored. Add --force "
                "to replace it (it is backed up first)",
            )
        from db.accounts import require_supervisor

        require_supervisor(desk, "用备份覆盖已有数据的数据库", "replace a database holding data")
        folder = backup_dir()
        folder.mkdir(parents=True, exist_ok=True)
        safety = backup(_stamped(folder, PG_SUFFIX if postgres else SQLITE_SUFFIX,
                                 "ziyang-before-restore-"), check_chain=False).path  # fmt: skip
    if postgres:
        _restore_postgres(path)
    else:
        _restore_sqlite(path)
    if postgres:  # the dump could not be read before; its history is checked once restored
        try:
            _raise_if_broken(_verify_bound(), "恢复后数据库", "restored database")
        except CounterError as exc:
            saved = f"；恢复前的数据在 {safety}" if safety else ""
            raise CounterError(exc.zh + saved, exc.en) from None
    now = _current_counts()
    if {k: now.get(k, -1) for k in counts} != counts:
        raise CounterError(
            "恢复后核对失败：记录数与备份文件不一致"
            + (f"，恢复前的数据在 {safety}" if safety else ""),
            "restore check failed: row counts differ from the backup"
            + (f"; the previous data is in {safety}" if safety else ""),
        )
    return {"path": str(path), "engine": engine, "counts": counts,
            "replaced_rows": rows, "previous_saved_to": str(safety) if safety else None}  # fmt: skip


def _current_counts() -> dict[str, int]:
    database = db.obj
    return {
        t: database.execute_sql(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]
        for t in database.get_tables()
    }


def _restore_sqlite(path: Path) -> None:
    database = db.obj
    target = sqlite_file(database)
    if target is None:
        raise CounterError("内存数据库无法恢复", "cannot restore into an in-memory database")
    database.close()  # our own connection must not hold the file during the copy
    src = _read_only(path)
    dst = sqlite3.connect(target, isolation_level=None)
    try:
        dst.execute(f"PRAGMA busy_timeout = {busy_timeout_ms()}")
        # one step under the destination's write lock: all or nothing
        src.backup(dst, progress=_give_up_when_busy(), sleep=0.05)
        dst.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as exc:
        raise CounterError(
            f"恢复失败，数据库未改动：{exc}", f"restore failed, the database is unchanged: {exc}"
        ) from None
    finally:
        dst.close()
        src.close()
        database.connect(reuse_if_open=True)


def _give_up_when_busy() -> Callable[[int, int, int], None]:
    """The copy's progress check. Python's sqlite3 retries a busy destination for ever (the
    busy timeout does not apply to a backup step): while another counter holds the write lock,
    wait as a write would, then stop with the busy line; nothing was copied."""
    started = time.monotonic()

    def check(status: int, remaining: int, total: int) -> None:
        waited = time.monotonic() - started
        if status in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and waited >= write_budget_s():
            raise busy_error(waited)

    return check


def _restore_postgres(path: Path) -> None:
    """pg_restore --clean in one transaction: all or nothing. Privileges (GRANT/REVOKE, e.g. the
    application role's) are restored with the tables, so those roles must exist on the server;
    --no-owner makes the restoring account (the owner, see the README) own what it creates."""
    database = db.obj
    args, env = _pg_args(database)
    database.close()
    _run(
        [pg_tool("pg_restore"), *args, "--clean", "--if-exists", "--single-transaction",
         "--no-owner", f"--dbname={database.database}", str(path)],
        env, "恢复（pg_restore）/ restore (pg_restore)",
    )  # fmt: skip
    database.connect(reuse_if_open=True)
