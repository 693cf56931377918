"""Baseline schema: the tables as first released."""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

from db.models import MODELS


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    database.create_tables(MODELS, safe=True)


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    database.drop_tables(list(reversed(MODELS)), safe=True)
