"""Stored, indexed search keys for the one search box (db/search.py).

- person.pinyin: the full pinyin of the name, lowercase (曾小明: zengxiaoming);
- person.id_reversed: the citizen ID reversed with a lowercase x, so the last digits of an ID are
  a prefix (…0310 -> 0130…);
- person.initials is rewritten in lowercase from the surname table (forms/pinyin.py): until now
  it was pypinyin's upper-case reading (曾小明 CXM, now zxm);
- every person's keys are filled in batches (safe to run again: the keys are recomputed);
- prefix indexes (see INDEXES). A prefix is searched as a range (`key >= p AND key < p'`, p' the prefix with
  its last character moved on by one), which an ordinary B-tree serves; SQLite's LIKE and
  peewee's `startswith` never use an index. SQLite compares text bytewise (code point order),
  so plain indexes serve; PostgreSQL compares by the database's collation, where a range is not
  a prefix (zh_CN, en_US), so the indexes and the queries say COLLATE "C".
"""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

BATCH = 1000

COLUMNS = (
    ("pinyin", "VARCHAR(120) NOT NULL DEFAULT ''"),
    ("id_reversed", "VARCHAR(18) NOT NULL DEFAULT ''"),
)

# What each search reads, by the column it starts with: (SQLite index, PostgreSQL index, the
# index's columns). The initials and the pinyin are listed with the name after them (the hits'
# order: key, then name, then id), so the first twenty of a common prefix ("z", "zs") are read
# straight off the index instead of sorting every match; SQLite ends every index with the row
# id, PostgreSQL is told. On SQLite the name is served by the models' person_name and the ID
# by its unique index; the models' single-column person_initials gives way to the pair.
INDEXES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "name": ("person_name", "person_name_c", ("name", "id")),
    "initials": ("person_initials_name", "person_initials_c", ("initials", "name", "id")),
    "pinyin": ("person_pinyin_name", "person_pinyin_c", ("pinyin", "name", "id")),
    "id_reversed": ("person_id_reversed", "person_id_reversed_c", ("id_reversed",)),
    "id_number": ("person_id_number", "person_id_number_c", ("id_number",)),
}
SQLITE_MADE_HERE = ("initials", "pinyin", "id_reversed")
OLD_INITIALS_INDEX = "person_initials"


def index_name(column: str, postgres: bool) -> str:
    sqlite_name, pg_name, _ = INDEXES[column]
    return pg_name if postgres else sqlite_name


def create_indexes(database: peewee.Database) -> None:
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    database.execute_sql(f'DROP INDEX IF EXISTS "{OLD_INITIALS_INDEX}"')
    for column, (sqlite_name, pg_name, columns) in INDEXES.items():
        if postgres:
            listed = ", ".join(f'"{c}"' if c == "id" else f'"{c}" COLLATE "C"' for c in columns)
            name = pg_name
        elif column in SQLITE_MADE_HERE:
            listed = ", ".join(f'"{c}"' for c in columns if c != "id")  # the row id is implied
            name = sqlite_name
        else:
            continue
        database.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "person" ({listed})')


def fill_keys(database: peewee.Database, batch: int = BATCH) -> int:
    """Compute every person's keys, `batch` rows per statement; return how many rows."""
    from db.people import search_keys  # db.people imports db.setup, which imports db.migrations

    postgres = isinstance(database, peewee.PostgresqlDatabase)
    param = "%s" if postgres else "?"
    after, done = 0, 0
    while True:
        rows = database.execute_sql(
            f"SELECT id, name, id_number FROM person WHERE id > {param} ORDER BY id LIMIT {param}",
            (after, batch),
        ).fetchall()
        if not rows:
            return done
        values = []
        for row_id, name, id_number in rows:
            keys = search_keys(name, id_number)
            values.append((keys["initials"], keys["pinyin"], keys["id_reversed"], row_id))
        if postgres:
            # One statement per batch: psycopg2's executemany is a round trip per row.
            placeholders = ", ".join(["(%s, %s, %s, %s)"] * len(values))
            database.execute_sql(
                "UPDATE person AS p SET initials = v.i, pinyin = v.f, id_reversed = v.r "
                f"FROM (VALUES {placeholders}) AS v (i, f, r, id) WHERE p.id = v.id",
                [item for value in values for item in value],
            )
        else:
            database.cursor().executemany(
                "UPDATE person SET initials = ?, pinyin = ?, id_reversed = ? WHERE id = ?", values
            )
        after = rows[-1][0]
        done += len(rows)


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    present = {c.name for c in database.get_columns("person")}
    for name, kind in COLUMNS:
        if name not in present:  # safe to run again
            database.execute_sql(f'ALTER TABLE "person" ADD COLUMN "{name}" {kind}')
    database.execute_sql(
        f'DROP INDEX IF EXISTS "{OLD_INITIALS_INDEX}"'
    )  # not kept up while filling
    fill_keys(database)
    create_indexes(database)


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    """Drop the indexes and columns this step added; the initials stay lowercase (nothing
    before this step searched by them)."""
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    for column in INDEXES if postgres else SQLITE_MADE_HERE:
        database.execute_sql(f'DROP INDEX IF EXISTS "{index_name(column, postgres)}"')
    database.execute_sql(
        f'CREATE INDEX IF NOT EXISTS "{OLD_INITIALS_INDEX}" ON "person" ("initials")'
    )
    for name, _ in COLUMNS:
        database.execute_sql(f'ALTER TABLE "person" DROP COLUMN "{name}"')


def on_new_database(database: peewee.Database) -> None:
    """A new database has the columns from the models; the prefix indexes are made here, since
    the models cannot say COLLATE "C" for PostgreSQL only."""
    create_indexes(database)
