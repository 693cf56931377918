"""Values instead of labels, and one head per household enforced by the database.

- person.relation_code: the GB/T 4761 code of the stored relation term (rules decide by it);
  person.relation widened to hold the standard's longer terms;
- a partial unique index: at most one head (户主 02, or 本人 01) per household. A database
  that already has two heads in a household is refused with the households named, so nothing
  is changed before a person has corrected them;
- request.counter_no: the counter's number, filled from the counter code;
- permit_event.late: a late endorsement as a flag, filled from the note it was written in.
"""

from __future__ import annotations

import re

import peewee
from playhouse.migrate import SchemaMigrator

from db.models import HEAD_INDEX
from forms.errors import CounterError
from forms.people import HEAD_CODES, relation_code_of

_HEADS = "(" + ", ".join(f"'{code}'" for code in HEAD_CODES) + ")"


def up(migrator: SchemaMigrator, database: peewee.Database) -> None:
    postgres = isinstance(database, peewee.PostgresqlDatabase)
    # Plain ADD COLUMN with a constant default on both engines (no SQLite table rebuild).
    for table, column in (
        ("person", "relation_code VARCHAR(2) NOT NULL DEFAULT ''"),
        ("request", "counter_no INTEGER NOT NULL DEFAULT 0"),
        ("permit_event", f"late {'BOOLEAN' if postgres else 'INTEGER'} NOT NULL DEFAULT "
         f"{'FALSE' if postgres else '0'}"),
    ):  # fmt: skip
        # Safe to run again (a step re-applied after its stamp was lost finds its columns).
        if column.split()[0] not in {c.name for c in database.get_columns(table)}:
            database.execute_sql(f'ALTER TABLE "{table}" ADD COLUMN {column}')
    if postgres:
        database.execute_sql("ALTER TABLE person ALTER COLUMN relation TYPE VARCHAR(20)")

    param = "%s" if postgres else "?"
    terms = [row[0] for row in database.execute_sql("SELECT DISTINCT relation FROM person")]
    for term in terms:
        code = relation_code_of(term) or "80"  # 其他: every term stored so far has a code
        database.execute_sql(
            f"UPDATE person SET relation_code = {param} WHERE relation = {param}", (code, term)
        )

    doubled = [
        row[0]
        for row in database.execute_sql(
            "SELECT h.number FROM person p JOIN household h ON h.id = p.household_id "
            f"WHERE p.relation_code IN {_HEADS} GROUP BY h.number HAVING COUNT(*) > 1 "
            "ORDER BY h.number"
        )
    ]
    if doubled:
        shown = "、".join(doubled[:20]) + (f"等{len(doubled)}户" if len(doubled) > 20 else "")
        raise CounterError(
            f"数据库升级中止：搬迁户 {shown} 登记了两名以上户主；请先更正这些户成员的与户主关系，"
            "再运行 init 升级（未作任何修改）",
            f"upgrade stopped: household(s) {', '.join(doubled[:20])} have more than one head; "
            "correct their relations first, then run init again (nothing was changed)",
        )
    database.execute_sql(
        f'CREATE UNIQUE INDEX IF NOT EXISTS "{HEAD_INDEX}" ON "person" ("household_id") '
        f"WHERE relation_code IN {_HEADS}"
    )

    codes = [row[0] for row in database.execute_sql("SELECT DISTINCT counter_code FROM request")]
    for code in codes:
        digits = re.search(r"(\d+)$", code or "")
        if digits:
            database.execute_sql(
                f"UPDATE request SET counter_no = {param} WHERE counter_code = {param}",
                (int(digits.group(1)), code),
            )
    database.execute_sql(
        f"UPDATE permit_event SET late = {param} WHERE kind = 'endorsed' AND note LIKE {param}",
        (True, "%逾期%"),
    )


def down(migrator: SchemaMigrator, database: peewee.Database) -> None:
    """Drop what `up` added; person.relation stays VARCHAR(20) (longer terms may be stored)."""
    database.execute_sql(f'DROP INDEX IF EXISTS "{HEAD_INDEX}"')
    for table, column in (
        ("person", "relation_code"),
        ("request", "counter_no"),
        ("permit_event", "late"),
    ):
        database.execute_sql(f'ALTER TABLE "{table}" DROP COLUMN "{column}"')
