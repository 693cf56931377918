"""db/errors.py: a constraint the database enforces is said as the same one line on SQLite and
PostgreSQL, naming the field and never the value. Written against the surviving mutants of a
mutmut run over db/errors.py (README, 变异测试): the run used SQLite only, so PostgreSQL's side
is pinned here twice, by real violations on both engines and by the wording PostgreSQL uses when
a driver gives the text alone (no SQLSTATE, no diagnostics).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import peewee
import pytest

from db.connection import db
from db.errors import driver_error, translate
from db.models import Household, Person, Sequence, Setting, Staff
from tests.conftest import HOME, IdMaker
from tests.unit.test_hardening_safety import stored_head_row

UNIQUE = "{}与已有记录重复（可能另一窗口刚刚登记），未保存任何更改"
UNIQUE_EN = "duplicate {}: another record (perhaps just saved at another counter) already has it; nothing was saved"
NOT_NULL = "{}不能为空，未保存任何更改"
NOT_NULL_EN = "{} must not be empty; nothing was saved"
LINKED = "关联的记录不存在或仍被引用，未保存任何更改"
LINKED_EN = "a linked record is missing or still in use; nothing was saved"
RULE = "数据不符合约束（{}），未保存任何更改"
RULE_EN = "the data break a rule of the database ({}); nothing was saved"


def _person_row(make_id: IdMaker) -> dict[str, Any]:
    row = stored_head_row(make_id)
    row["relation"], row["relation_code"] = "配偶", "10"
    return row


def _violations(make_id: IdMaker) -> dict[str, Callable[[], object]]:
    row = _person_row(make_id)
    number = Household.get().number
    return {
        "household number": lambda: Household.insert(
            number=number, origin_village="x", community=HOME, moved_in=dt.date(2018, 3, 1)
        ).execute(),
        "setting key": lambda: Setting.insert(key="community", value="x").execute(),
        "staff code": lambda: Staff.insert(code="001", name="重复", role="officer").execute(),
        "serial": lambda: (
            Sequence.insert(name="ticket-test", year=2026).execute(),
            Sequence.insert(name="ticket-test", year=2026).execute(),
        ),
        "citizen ID": lambda: Person.insert(**row).execute(),
        "empty household number": lambda: Household.insert(
            number=None, origin_village="x", community=HOME, moved_in=dt.date(2018, 3, 1)
        ).execute(),
        "missing household": lambda: Person.insert(
            **{**row, "household": 999_999, "id_number": make_id(dt.date(1990, 5, 6), "男")}
        ).execute(),
    }


EXPECTED = {
    "household number": (UNIQUE.format("户号"), UNIQUE_EN.format("household number")),
    "setting key": (UNIQUE.format("设置项"), UNIQUE_EN.format("setting")),
    "staff code": (UNIQUE.format("工作人员编号"), UNIQUE_EN.format("staff code")),
    "serial": (UNIQUE.format("流水号"), UNIQUE_EN.format("serial number")),
    "citizen ID": (UNIQUE.format("公民身份号码"), UNIQUE_EN.format("citizen ID number")),
    "empty household number": (NOT_NULL.format("户号"), NOT_NULL_EN.format("household number")),
    "missing household": (LINKED, LINKED_EN),
}


def test_each_violation_is_the_same_line_on_both_engines(
    database: peewee.Database, make_id: IdMaker
) -> None:
    """Real refusals by the database. Before db/errors read the driver's exception as peewee
    keeps it (the wrapper's context), PostgreSQL's duplicate setting said "key" where SQLite
    said 设置项: the table of a primary key's violation is only in the diagnostics."""
    violations = _violations(make_id)
    assert violations.keys() == EXPECTED.keys()
    for name, violate in violations.items():
        with pytest.raises(peewee.IntegrityError) as caught, db.atomic():
            violate()
        error = translate(caught.value)
        assert (error.zh, error.en) == EXPECTED[name], name
        assert "\n" not in error.zh + error.en


def test_the_driver_error_is_the_one_peewee_wrapped(database: peewee.Database) -> None:
    with pytest.raises(peewee.IntegrityError) as caught, db.atomic():
        Setting.insert(key="community", value="x").execute()
    cause = driver_error(caught.value)
    assert cause is not caught.value and not isinstance(cause, peewee.PeeweeException)
    if isinstance(database, peewee.PostgresqlDatabase):
        assert cause.pgcode == "23505"  # type: ignore[attr-defined]
        assert cause.diag.table_name == "setting"  # type: ignore[attr-defined]
    plain = ValueError("not wrapped")
    assert driver_error(plain) is plain


# The text alone, as PostgreSQL words it (and SQLite's, which never carries more), with no
# SQLSTATE or diagnostics: the kind, table and columns are read from the words.
TEXT_ONLY = [
    (
        'duplicate key value violates unique constraint "household_number"\n'
        "DETAIL:  Key (number)=(H000001) already exists.",
        UNIQUE.format("户号"),
    ),
    (
        'duplicate key value violates unique constraint "sequence_pkey"\n'
        'DETAIL:  Key (name, "year")=(ticket, 2026) already exists.',
        UNIQUE.format("name、year"),  # the table is not in the text: the bare columns
    ),
    (
        'duplicate key value violates unique constraint "request_ticket"\n'
        "DETAIL:  Key (ticket)=(T0001) already exists.",
        UNIQUE.format("受理编号"),
    ),
    (
        'duplicate key value violates unique constraint "person_one_head"\n'
        "DETAIL:  Key (household_id)=(7) already exists.",
        UNIQUE.format("户主（每户只能有一位）"),
    ),
    ("UNIQUE violated", UNIQUE.format("?")),
    (
        'null value in column "number" of relation "household" violates not-null constraint\n'
        "DETAIL:  Failing row contains (3, null, x).",
        NOT_NULL.format("户号"),
    ),
    (
        'null value in column "number" violates not-null constraint',
        NOT_NULL.format("number"),
    ),
    (
        'insert or update on table "person" violates foreign key constraint '
        '"person_household_id_fkey"\nDETAIL:  Key (household_id)=(999999) is not present.',
        LINKED,
    ),
    (
        'new row for relation "staff" violates check constraint "staff_role_check"',
        RULE.format("?"),
    ),
    ("something else entirely", RULE.format("?")),
    ("UNIQUE constraint failed: request.ticket", UNIQUE.format("受理编号")),
    ("unique constraint failed: permit.number", UNIQUE.format("居住证号")),
    ("UNIQUE constraint failed: sequence.name, sequence.year", UNIQUE.format("流水号")),
    ("UNIQUE constraint failed: index 'person_one_head'", UNIQUE.format("index 'person_one_head'")),
    ("UNIQUE constraint failed: person.household_id", UNIQUE.format("户主（每户只能有一位）")),
    ("NOT NULL constraint failed: person.household_id", NOT_NULL.format("所属户")),
    ("NOT NULL constraint failed: staff.name", NOT_NULL.format("name")),
    ("FOREIGN KEY constraint failed", LINKED),
    ("CHECK constraint failed: role_ok", RULE.format("role_ok")),
    ("CHECK constraint failed", RULE.format("?")),
]


@pytest.mark.parametrize(("text", "zh"), TEXT_ONLY)
def test_the_words_alone_name_the_field(text: str, zh: str) -> None:
    assert translate(peewee.IntegrityError(text)).zh == zh


def test_a_constraint_name_gives_the_table_of_its_column() -> None:
    """No relation in the text: the table is what the constraint's name has before _column
    (household_number -> household), so the label is the table's own."""
    for text, zh_field, en_field in (
        (
            'duplicate key value violates unique constraint "permit_number"\n'
            "DETAIL:  Key (number)=(Z1) already exists.",
            "居住证号",
            "permit number",
        ),
        (
            'duplicate key value violates unique constraint "staff_code"\n'
            "DETAIL:  Key (code)=(001) already exists.",
            "工作人员编号",
            "staff code",
        ),
        (
            'duplicate key value violates unique constraint "mystery"\n'
            "DETAIL:  Key (code)=(001) already exists.",
            "code",
            "code",
        ),
    ):
        error = translate(peewee.IntegrityError(text))
        assert (error.zh, error.en) == (UNIQUE.format(zh_field), UNIQUE_EN.format(en_field))
