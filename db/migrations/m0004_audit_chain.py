"""The recorded time is the clock's, and the history is tamper-evident.

- request_event.on, access_log.on: the business day next to the clock's `at` (filled from the
  date of `at`: until now `at` was the business day with the time of entry);
- every chained table (db.models.CHAINED) gets chain_seq / prev_hash / row_hash, existing rows
  are linked oldest first (db.audit.fill_chain), and the append-only triggers are installed
  (db.chain.install_guards).

Safe to run again: columns are added only when missing and only unlinked rows are linked.
"""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

from db import chain
from db.models import CHAINED


def _columns(database: peewee.Database, table: str) -> set[str]:
    return {c.name for c in database.get_columns(table)}


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    from db.audit import fill_chain  # db.audit imports db.setup, which imports db.migrations

    postgres = isinstance(database, peewee.PostgresqlDatabase)
    for table in ("request_event", "access_log"):
        if "on" in _columns(database, table):
            continue
        if postgres:
            database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "on" DATE')
            database.execute_sql(f'UPDATE "{table}" SET "on" = CAST(at AS DATE)')
            database.execute_sql(f'ALTER TABLE "{table}" ALTER COLUMN "on" SET NOT NULL')
        else:
            database.execute_sql(
                f'ALTER TABLE "{table}" ADD COLUMN "on" DATE NOT NULL DEFAULT \'1970-01-01\''
            )
            database.execute_sql(f'UPDATE "{table}" SET "on" = date(at)')
    for model in CHAINED:
        table = chain.table_of(model)
        present = _columns(database, table)
        for column, kind in (
            ("chain_seq", "INTEGER"),
            ("prev_hash", "VARCHAR(64)"),
            ("row_hash", "VARCHAR(64)"),
        ):
            if column not in present:
                database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
        database.execute_sql(
            f'CREATE UNIQUE INDEX IF NOT EXISTS "{table}_chain_seq" ON "{table}" ("chain_seq")'
        )
    fill_chain()
    chain.install_guards(database)


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    """Drop the triggers, the chain columns and the business-day columns."""
    chain.remove_guards(database)
    for model in CHAINED:
        table = chain.table_of(model)
        database.execute_sql(f'DROP INDEX IF EXISTS "{table}_chain_seq"')
        for column in ("chain_seq", "prev_hash", "row_hash"):
            database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
    for table in ("request_event", "access_log"):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "on"')
    database.execute_sql("DELETE FROM sequence WHERE name = 'audit'")


def on_new_database(database: peewee.Database) -> None:
    """A new database has the columns from the models; it needs the triggers too."""
    chain.install_guards(database)
