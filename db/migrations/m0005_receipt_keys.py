"""Receipt codes leave the database and cover what the receipt asserts.

- receipt_issue: one row per printed version of a receipt (what its code covers, the id of the
  key that made it, the code);
- the old signing secret (settings key `secret`, readable by anyone with the database) is moved
  into this machine's receipt key file as a legacy key that only verifies, and deleted from the
  database. Every request that has a code gets a version-1 row of the legacy scheme, so receipts
  printed before the upgrade still verify (and say they cover only ticket, ID, service and
  opened time). Copy the key file to the hall's other counter PCs after the upgrade (README).
"""

from __future__ import annotations

import peewee
from playhouse.migrate import SchemaMigrator

from db import receipt_keys

BATCH = 500


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    from db.models import ReceiptIssue

    database.create_tables([ReceiptIssue], safe=True)  # safe: a re-applied step finds it
    param = "%s" if isinstance(database, peewee.PostgresqlDatabase) else "?"
    row = database.execute_sql(f"SELECT value FROM setting WHERE key = {param}", ("secret",))
    found = row.fetchone()
    if found is None or not found[0]:
        return
    # The key file first: if the transaction fails after this, the file holds one more
    # verify-only key, which is harmless; the other order could lose the secret.
    key_id = receipt_keys.add_legacy(str(found[0]))
    done = {
        r[0] for r in database.execute_sql("SELECT request_id FROM receipt_issue WHERE version = 1")
    }
    rows = [
        {
            "request": request_id,
            "version": 1,
            "covered": {"ticket": ticket, "service_code": service, "opened_at": str(opened)},
            "key_id": key_id,
            "scheme": receipt_keys.LEGACY,
            "code": code,
            "printed_at": opened,
            "staff": staff_id,
            "counter_code": counter_code,
        }
        for request_id, ticket, service, opened, code, staff_id, counter_code in database.execute_sql(
            "SELECT id, ticket, service_code, opened_at, verify_code, staff_id, counter_code "
            "FROM request WHERE verify_code <> '' ORDER BY id"
        )
        if request_id not in done
    ]
    for start in range(0, len(rows), BATCH):
        ReceiptIssue.insert_many(rows[start : start + BATCH]).execute()
    database.execute_sql(f"DELETE FROM setting WHERE key = {param}", ("secret",))


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    """Put the legacy secret back into settings (from this machine's key file) and drop the
    table: receipts printed since the upgrade no longer verify after a downgrade."""
    ring = receipt_keys.load()
    legacy = [key for key in ring.keys.values() if key.scheme == receipt_keys.LEGACY]
    if legacy:
        param = "%s" if isinstance(database, peewee.PostgresqlDatabase) else "?"
        database.execute_sql(f"DELETE FROM setting WHERE key = {param}", ("secret",))
        database.execute_sql(
            f"INSERT INTO setting (key, value) VALUES ({param}, {param})",
            ("secret", legacy[0].secret),
        )
    database.execute_sql('DROP TABLE IF EXISTS "receipt_issue"')
