"""A small migration runner over `playhouse.migrate`.

Each step is a module `mNNNN_name.py` in this package with `up(migrator, database)` and
`down(migrator, database)`. A new database gets the current models in one go and every step
stamped as applied (and a step's `on_new_database(database)` run, for what tables cannot say,
such as triggers); an existing one gets the steps it has not seen, in order, each in a
transaction with the append-only triggers lifted (db/chain.py) and put back.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from types import ModuleType
from typing import TYPE_CHECKING

import peewee

from db.chain import guards_lifted
from db.models import MODELS, SchemaVersion

if TYPE_CHECKING:
    from playhouse.migrate import SchemaMigrator


@lru_cache(maxsize=1)
def step_names() -> list[str]:
    """The steps in order, by file name: what `pending` compares, without importing them."""
    return sorted(
        m.name
        for m in pkgutil.iter_modules(__path__)
        if m.name[:1] == "m" and m.name[1:5].isdigit()
    )


@lru_cache(maxsize=1)
def steps() -> list[tuple[str, ModuleType]]:
    return [(name, importlib.import_module(f"{__name__}.{name}")) for name in step_names()]


def migrator_for(database: peewee.Database) -> SchemaMigrator:
    from playhouse.migrate import PostgresqlMigrator, SqliteMigrator

    if isinstance(database, peewee.PostgresqlDatabase):
        return PostgresqlMigrator(database)
    return SqliteMigrator(database)


def upgrade(database: peewee.Database) -> list[str]:
    """Bring the schema up to date; return the names of the steps applied now."""
    with database.atomic():
        if not SchemaVersion.table_exists():
            database.create_tables(MODELS)
            for name, module in steps():
                SchemaVersion.create(name=name)
                fresh = getattr(module, "on_new_database", None)  # what tables cannot say
                if fresh is not None:
                    fresh(database)  # e.g. m0004's append-only triggers
            return ["(new database)"]
    applied = {row.name for row in SchemaVersion.select()}
    done: list[str] = []
    migrator = migrator_for(database)
    for name, module in steps():
        if name in applied:
            continue
        with database.atomic(), guards_lifted(database):  # the owner's step may rewrite rows
            module.up(migrator, database)
            SchemaVersion.create(name=name)
        done.append(name)
    return done


def pending(database: peewee.Database) -> list[str]:
    """The steps this database has not had. Every command asks, so it reads the step names
    only; the steps themselves (and playhouse.migrate) are imported by `upgrade`."""
    if not SchemaVersion.table_exists():
        return list(step_names())  # a copy: the cached list stays as it is
    applied = {row.name for row in SchemaVersion.select()}
    return [name for name in step_names() if name not in applied]
