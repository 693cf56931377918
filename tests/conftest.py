"""Shared fixtures: a real database per test (SQLite file and PostgreSQL server), the packaged
catalogue, a desk, and helpers that make valid citizen IDs.

PostgreSQL tests are required: they fail, not skip, when the server is unreachable, unless
ZIYANG_SKIP_PG=1 is set on purpose (say, on a laptop without a server).
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import peewee
import pytest

from db import db, open_database
from db.models import MODELS
from db.setup import Desk, init_counter, load_desk
from forms.catalogue import Catalogue, load_catalogue
from forms.citizen_id import make_citizen_id

TODAY = dt.date(2026, 11, 27)  # a Friday
HOME = "蒿坪镇双星社区"
PG_ADMIN_URL = os.environ.get("ZIYANG_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


def pg_required() -> bool:
    return os.environ.get("ZIYANG_SKIP_PG") != "1"


@pytest.fixture(scope="session", autouse=True)
def receipt_key_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The hall's receipt key file for this test session, never the user's real one."""
    path = str(tmp_path_factory.mktemp("keys") / "receipt-keys.json")
    before = os.environ.get("ZIYANG_RECEIPT_KEYS")
    os.environ["ZIYANG_RECEIPT_KEYS"] = path
    yield path
    if before is None:
        os.environ.pop("ZIYANG_RECEIPT_KEYS", None)
    else:
        os.environ["ZIYANG_RECEIPT_KEYS"] = before


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped at the end."""
    import psycopg2

    name = f"ziyang_test_{uuid.uuid4().hex[:10]}"
    try:
        admin = psycopg2.connect(PG_ADMIN_URL, connect_timeout=5)
    except psycopg2.OperationalError as exc:
        if not pg_required():
            pytest.skip(f"PostgreSQL unreachable and ZIYANG_SKIP_PG=1: {exc}")
        pytest.fail(f"PostgreSQL server required for these tests ({PG_ADMIN_URL}): {exc}")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0")
    parts = urlparse(PG_ADMIN_URL)
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
    yield database
    if request.param == "postgresql":
        _reset_postgres(database)
    database.close()


@pytest.fixture
def db_url(database: peewee.Database, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The URL of the `database` fixture, for tests that go through the CLI."""
    if isinstance(database, peewee.SqliteDatabase):
        return f"sqlite:///{database.database}"
    return (
        f"postgresql://{database.connect_params.get('user', 'postgres')}@"
        f"{database.connect_params.get('host', '127.0.0.1')}:{database.connect_params.get('port', 5432)}/{database.database}"
    )


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture
def desk(database: peewee.Database) -> Desk:
    return load_desk()


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
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run the CLI on the test database, each command as a fresh process would: the database
    proxy starts unbound, so a command that forgets to open the database fails here too.

    The CLI's clock reads `clock` if given, else the command's --date, else TODAY."""
    from typer.testing import CliRunner

    import ziyang_counter
    from ziyang_counter import app

    runner = CliRunner()

    def run(*args: str, ok: bool = True, clock: dt.date | None = None):  # type: ignore[no-untyped-def]
        db.initialize(None)
        day = clock or clock_for(args)
        monkeypatch.setattr(ziyang_counter, "CLOCK", lambda: day)
        result = runner.invoke(app, ["--db", db_url, *args])
        if ok:
            assert result.exit_code == 0, (args, result.output)
        return result

    return run
