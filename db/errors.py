"""Database constraint violations said as one line that names the field, never the value.

The operations check for duplicates before they write, but two counters can race between the
check and the insert, and then the database refuses. SQLite and PostgreSQL word that refusal
differently (PostgreSQL's spans lines and repeats the value, a full citizen ID included), so
both are translated here into the same CounterError.
"""

from __future__ import annotations

import re

import peewee

from forms.errors import CounterError

# (table, column) or column alone -> (Chinese, English) name of the field.
FIELD_NAMES: dict[str, tuple[str, str]] = {
    "person.id_number": ("公民身份号码", "citizen ID number"),
    "household.number": ("户号", "household number"),
    "permit.number": ("居住证号", "permit number"),
    "request.ticket": ("受理编号", "ticket"),
    "staff.code": ("工作人员编号", "staff code"),
    "setting.key": ("设置项", "setting"),
    "sequence.name": ("流水号", "serial number"),
    "schemaversion.name": ("数据库版本", "schema version"),
    "schema_version.name": ("数据库版本", "schema version"),
    "id_number": ("公民身份号码", "citizen ID number"),
    "ticket": ("受理编号", "ticket"),
    "person_one_head": ("户主（每户只能有一位）", "head of household (one per household)"),
    "household_id": ("所属户", "household"),
    "person_id": ("当事人", "person"),
}

# Duplicates only: SQLite names the partial unique index person_one_head (one head, 户主, per
# household) by its column, which otherwise just says which household a person belongs to.
UNIQUE_NAMES: dict[str, tuple[str, str]] = {
    "person.household_id": FIELD_NAMES["person_one_head"],
}

_SQLITE = re.compile(r"(UNIQUE|NOT NULL|CHECK|FOREIGN KEY) constraint failed(?::\s*(.*))?", re.I)
_PG_KEY = re.compile(r"Key \(([^)]*)\)")
_PG_CONSTRAINT = re.compile(r'constraint "([^"]+)"')
_PG_NULL = re.compile(r'null value in column "([^"]+)"(?: of relation "([^"]+)")?')


def _field(table: str, columns: list[str], kind: str) -> tuple[str, str]:
    """The field's name for people: the known label, else the bare column name(s)."""
    names = {**FIELD_NAMES, **UNIQUE_NAMES} if kind == "unique" else FIELD_NAMES
    for column in columns:
        for key in (f"{table}.{column}", column):
            if key in names:
                return names[key]
    plain = "、".join(columns) or table or "?"
    return plain, ", ".join(columns) or table or "?"


def driver_error(exc: BaseException) -> BaseException:
    """The driver's own exception behind peewee's: peewee raises its wrapper while handling
    the driver's, so that one is the wrapper's context (some versions also keep it as
    `orig`). The driver's carries what peewee's text does not: PostgreSQL's SQLSTATE (pgcode)
    and the table, column and constraint at fault (diag)."""
    return getattr(exc, "orig", None) or exc.__cause__ or exc.__context__ or exc


def _parse(exc: BaseException) -> tuple[str, str, list[str]]:
    """(kind, table, columns) of a violation: kind is unique, not_null, foreign_key or check."""
    cause = driver_error(exc)
    diag = getattr(cause, "diag", None)
    text = str(exc)
    sqlite = _SQLITE.search(text)
    if sqlite:
        kind = sqlite.group(1).lower().replace(" ", "_")
        targets = [t.strip() for t in (sqlite.group(2) or "").split(",") if t.strip()]
        table = targets[0].split(".")[0] if targets and "." in targets[0] else ""
        columns = [t.split(".")[-1] for t in targets]
        return kind, table, columns
    named = _PG_CONSTRAINT.search(text)
    if named and named.group(1) in FIELD_NAMES:  # a named index says more than its columns
        return "unique", "", [named.group(1)]
    code = getattr(cause, "pgcode", None) or ""
    kind = {"23505": "unique", "23502": "not_null", "23503": "foreign_key", "23514": "check"}.get(
        code, ""
    )
    if not kind:
        lowered = text.lower()
        kind = (
            "unique"
            if "duplicate key" in lowered or "unique" in lowered
            else "not_null"
            if "null value" in lowered
            else "foreign_key"
            if "foreign key" in lowered
            else "check"
            if "check constraint" in lowered
            else ""
        )
    table = (getattr(diag, "table_name", None) or "") if diag else ""
    column = (getattr(diag, "column_name", None) or "") if diag else ""
    columns = [column] if column else []
    key = _PG_KEY.search(text)
    if key and not columns:
        columns = [c.strip().strip('"') for c in key.group(1).split(",")]
    null = _PG_NULL.search(text)
    if null and not columns:
        columns = [null.group(1)]
        table = table or (null.group(2) or "")
    if not table:
        constraint = (getattr(diag, "constraint_name", None) if diag else None) or ""
        named = _PG_CONSTRAINT.search(text)
        constraint = constraint or (named.group(1) if named else "")
        for column in columns:
            if constraint.endswith(f"_{column}"):
                table = constraint[: -len(column) - 1]
                break
    return kind, table, columns


def translate(exc: peewee.IntegrityError) -> CounterError:
    """One line naming the field at fault, identical on SQLite and PostgreSQL, no values."""
    kind, table, columns = _parse(exc)
    zh_field, en_field = _field(table.lower(), [c.lower() for c in columns], kind)
    if kind == "unique":
        return CounterError(
            f"{zh_field}与已有记录重复（可能另一窗口刚刚登记），未保存任何更改",
            f"duplicate {en_field}: another record (perhaps just saved at another counter) "
            "already has it; nothing was saved",
        )
    if kind == "not_null":
        return CounterError(
            f"{zh_field}不能为空，未保存任何更改",
            f"{en_field} must not be empty; nothing was saved",
        )
    if kind == "foreign_key":
        return CounterError(
            "关联的记录不存在或仍被引用，未保存任何更改",
            "a linked record is missing or still in use; nothing was saved",
        )
    return CounterError(
        f"数据不符合约束（{zh_field}），未保存任何更改",
        f"the data break a rule of the database ({en_field}); nothing was saved",
    )
