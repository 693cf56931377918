"""Staff accounts: password hashes, sign-in failures and locks, sessions, staff events.

- staff.password_hash / password_changed_at / failed_count / locked_until: added with
  constant defaults, so existing staff keep working but have no password until one is set
  (`init --supervisor CODE --password-stdin` for a password-less supervisor, then
  `staff passwd` for the others);
- staff_session: signed-in sessions (the token's hash, idle expiry, end);
- staff_event: the append-only record of staff changes and sign-ins.
"""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

COLUMNS = (
    ("password_hash", "VARCHAR(255) NOT NULL DEFAULT ''"),
    ("password_changed_at", "{ts} NULL"),
    ("failed_count", "INTEGER NOT NULL DEFAULT 0"),
    ("locked_until", "{ts} NULL"),
)


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    ts = "TIMESTAMP" if postgres else "DATETIME"
    present = {c.name for c in database.get_columns("staff")}
    for name, kind in COLUMNS:
        if name not in present:  # safe to run again
            database.execute_sql(f'ALTER TABLE "staff" ADD COLUMN {name} {kind.format(ts=ts)}')
    # Written out, not created from the models: a later step that adds a column to these
    # tables must find them as they were at this step.
    key = "SERIAL PRIMARY KEY" if postgres else "INTEGER NOT NULL PRIMARY KEY"
    database.execute_sql(
        'CREATE TABLE IF NOT EXISTS "staff_session" ('
        f'"id" {key}, "token_hash" VARCHAR(64) NOT NULL, '
        '"staff_id" INTEGER NOT NULL REFERENCES "staff" ("id") ON DELETE RESTRICT, '
        "\"client\" VARCHAR(16) NOT NULL DEFAULT 'cli', "
        "\"counter_code\" VARCHAR(16) NOT NULL DEFAULT '', "
        f'"created_at" {ts} NOT NULL, "last_seen" {ts} NOT NULL, '
        f'"expires_at" {ts} NOT NULL, "ended_at" {ts})'
    )
    database.execute_sql(
        'CREATE UNIQUE INDEX IF NOT EXISTS "staff_session_token_hash" '
        'ON "staff_session" ("token_hash")'
    )
    database.execute_sql(
        'CREATE INDEX IF NOT EXISTS "staff_session_staff_id" ON "staff_session" ("staff_id")'
    )
    database.execute_sql(
        'CREATE TABLE IF NOT EXISTS "staff_event" ('
        f'"id" {key}, '
        '"staff_id" INTEGER NOT NULL REFERENCES "staff" ("id") ON DELETE RESTRICT, '
        f'"kind" VARCHAR(24) NOT NULL, "at" {ts} NOT NULL, '
        '"by_staff_id" INTEGER REFERENCES "staff" ("id"), '
        "\"counter_code\" VARCHAR(16) NOT NULL DEFAULT '', "
        "\"note\" TEXT NOT NULL DEFAULT '')"
    )
    for column in ("staff_id", "by_staff_id"):
        database.execute_sql(
            f'CREATE INDEX IF NOT EXISTS "staff_event_{column}" ON "staff_event" ("{column}")'
        )


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    for table in ("staff_event", "staff_session"):
        database.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
    for name, _ in COLUMNS:
        database.execute_sql(f'ALTER TABLE "staff" DROP COLUMN "{name}"')
