"""The county's list of places: towns, communities and their sites (table `place`).

A community is a row with site ""; each site of it is a row of its own. The list is filled
here from what the database already names (the counter's community, households' communities
and sites, permits' and requests' communities), then by `init` and by roster imports
(`import --add-communities`).
"""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

from forms.people import town_of


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    ts = "TIMESTAMP" if postgres else "DATETIME"
    key = "SERIAL PRIMARY KEY" if postgres else "INTEGER NOT NULL PRIMARY KEY"
    # Written out, not created from the models: a later step that changes the table must find
    # it as it was at this step.
    database.execute_sql(
        'CREATE TABLE IF NOT EXISTS "place" ('
        f'"id" {key}, "town" VARCHAR(60) NOT NULL DEFAULT \'\', '
        '"community" VARCHAR(60) NOT NULL, "site" VARCHAR(60) NOT NULL DEFAULT \'\', '
        f'"created_at" {ts} NOT NULL)'
    )
    database.execute_sql(
        'CREATE UNIQUE INDEX IF NOT EXISTS "place_community_site" ON "place" ("community", "site")'
    )
    fill(database)


def fill(database: peewee.Database) -> int:
    """Add every community and site the database names and the list lacks; return how many."""
    found: set[tuple[str, str]] = set()
    for sql in (
        "SELECT value, '' FROM \"setting\" WHERE \"key\" = 'community'",
        "SELECT DISTINCT community, '' FROM household",
        "SELECT DISTINCT community, site FROM household",
        "SELECT DISTINCT community, '' FROM permit",
        "SELECT DISTINCT community, '' FROM request",
    ):
        for community, site in database.execute_sql(sql).fetchall():
            if community:
                found.add((str(community), "" if site in (None, community) else str(site)))
    have = set(database.execute_sql('SELECT community, site FROM "place"').fetchall())
    param = "%s" if isinstance(database, peewee.PostgresqlDatabase) else "?"
    added = 0
    for community, site in sorted(found - {(str(c), str(s)) for c, s in have}):
        database.execute_sql(
            f'INSERT INTO "place" ("town", "community", "site", "created_at") '
            f"VALUES ({param}, {param}, {param}, CURRENT_TIMESTAMP)",
            (town_of(community), community, site),
        )
        added += 1
    return added


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    database.execute_sql('DROP TABLE IF EXISTS "place"')
