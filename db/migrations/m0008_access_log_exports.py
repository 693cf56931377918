"""access_log.person_id may be empty: a look at many people's full data at once (an export with
full citizen IDs) is recorded as one row with no single person, its `what` naming the kind and
the row count (db/exports.py).

Safe to run again (dropping NOT NULL from a nullable column changes nothing). On SQLite the
table is rebuilt (SQLite cannot alter a column): the rows, their chain columns and indexes are
kept, and the append-only triggers, which go with the old table, are put back
(db.chain.guards_lifted, here as well as in the runner, so `up` and `down` called on their own
leave the guards as they found them).
"""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator, migrate

from db.chain import guards_lifted


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    with guards_lifted(database):
        migrate(migrator.drop_not_null("access_log", "person_id"))


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    """Only while no bulk row exists (a NOT NULL cannot hold over one)."""
    with guards_lifted(database):
        migrate(migrator.add_not_null("access_log", "person_id"))
