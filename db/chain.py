"""The tamper-evident history: one hash chain over every chained table, and its guards.

Every row of a chained table (`db.models.CHAINED`: request events, permit events, access-log
rows, and any table added with `chain()`) stores its place in the chain (`chain_seq`, gap-free,
from the `audit` series of `next_serial`), the hash of the row before it (`prev_hash`) and its
own hash (`row_hash`) over its canonical content. One chain over all tables, not one per table:
deleting a table's newest rows still leaves a hole before the next row of any other table, and
one order says what was recorded before what.

A hash anyone can recompute only proves something together with a copy kept elsewhere: the
head (`chain_seq`, `row_hash`) printed by `audit verify` and written on the signed daily log is
that copy (`audit verify --anchor`).

The guards are triggers refusing UPDATE, DELETE (and TRUNCATE on PostgreSQL) of chained rows.
Anyone owning the tables (or holding the SQLite file) can drop them; the chain is what notices.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import peewee

from db.models import CHAINED, BaseModel

GENESIS = "0" * 64  # the "previous hash" of the first row
SERIES = "audit"  # the next_serial series that numbers the chain
PG_FUNCTION = "ziyang_append_only"


def canonical(value: Any) -> Any:
    """A value as the hash sees it: the same on both engines, whatever the driver returns."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | float):
        return str(value)
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [canonical(v) for v in value]
    if isinstance(value, BaseModel):
        return value.get_id()
    raise TypeError(f"no canonical form for {type(value).__name__}")


def table_of(model: type[BaseModel]) -> str:
    return str(model._meta.table_name)


def content_of(model: type[BaseModel], data: Mapping[str, Any]) -> dict[str, Any]:
    """The covered fields of a row (`row.__data__`: foreign keys as ids) in canonical form."""
    return {name: canonical(data.get(name)) for name in CHAINED[model]}


def row_hash(model: type[BaseModel], seq: int, prev: str, data: Mapping[str, Any]) -> str:
    """SHA-256 of the row's table, place, previous hash and content as canonical JSON (sorted
    keys, no spaces, UTF-8)."""
    text = json.dumps(
        {"table": table_of(model), "seq": seq, "prev": prev, "row": content_of(model, data)},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def field(model: type[BaseModel], name: str) -> peewee.Field:
    """A chain column of a model (added by `chain()`, so not a declared attribute)."""
    return model._meta.fields[name]


# ── guards: triggers refusing UPDATE and DELETE of chained rows ──


def _trigger_names(table: str) -> list[str]:
    return [f"{table}_no_update", f"{table}_no_delete", f"{table}_no_truncate"]


def install_guards(database: peewee.Database) -> None:
    """Create (or re-create) the append-only triggers on every chained table."""
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    if postgres:  # %% is a literal % for the driver
        database.execute_sql(
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '%% 为只增表（留痕），不能修改或删除 / %% is append-only: %% refused',"
            " TG_TABLE_NAME, TG_TABLE_NAME, TG_OP; END $$"
        )
    for model in CHAINED:
        table = table_of(model)
        update, delete, truncate = _trigger_names(table)
        message = f"{table} 为只增表（留痕），不能修改或删除 / {table} is append-only"
        if postgres:
            for name, when, scope in (
                (update, "UPDATE", "ROW"),
                (delete, "DELETE", "ROW"),
                (truncate, "TRUNCATE", "STATEMENT"),
            ):
                database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
                database.execute_sql(
                    f'CREATE TRIGGER "{name}" BEFORE {when} ON "{table}" '
                    f"FOR EACH {scope} EXECUTE FUNCTION {PG_FUNCTION}()"
                )
        else:
            for name, when in ((update, "UPDATE"), (delete, "DELETE")):
                database.execute_sql(
                    f'CREATE TRIGGER IF NOT EXISTS "{name}" BEFORE {when} ON "{table}" '
                    f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
                )


def remove_guards(database: peewee.Database) -> None:
    """Drop the triggers (what a migration that must rewrite chained rows does, as owner)."""
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    tables = set(database.get_tables())
    for model in CHAINED:
        table = table_of(model)
        if table not in tables:
            continue
        for name in _trigger_names(table):
            on = f' ON "{table}"' if postgres else ""
            database.execute_sql(f'DROP TRIGGER IF EXISTS "{name}"{on}')


def _guards_present(database: peewee.Database) -> tuple[set[str], set[str]]:
    """(the guard triggers there should be, those that are there) on this engine."""
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    wanted = {
        name
        for model in CHAINED
        for name in _trigger_names(table_of(model))[: 3 if postgres else 2]
    }
    if postgres:
        query = "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger'"
    present = {row[0] for row in database.execute_sql(query)}
    return wanted, wanted & present


def guards_installed(database: peewee.Database) -> bool:
    """Does every chained table carry all its guards (UPDATE and DELETE; TRUNCATE too on
    PostgreSQL)? One dropped by hand is enough for False."""
    wanted, present = _guards_present(database)
    return present == wanted


@contextmanager
def guards_lifted(database: peewee.Database) -> Iterator[None]:
    """Run a schema step with the triggers off (inside its transaction), then put them back,
    all of them, if any were there (a database from before the guards gets none)."""
    present = bool(_guards_present(database)[1])
    if present:
        remove_guards(database)
    yield
    if present:
        install_guards(database)
