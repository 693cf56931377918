"""Roster rows as the towns keep them in Excel: headers recognised, rows checked, households
grouped. Pure rules: cells in (a grid of Python values), typed records and problems out.

Every row is checked with the rules of `person add` and `household add` (forms.citizen_id,
forms.people, forms.text field lengths, forms.dates.check_moved_in), so a roster can hold
nothing the counter would refuse to type. What needs the database (an ID already registered in
another household, a community the county list does not know) is checked by db/roster.py.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from forms import dates, text
from forms import people as checks
from forms.citizen_id import CitizenId, mask_id, parse_citizen_id
from forms.errors import CounterError

HEADER_SCAN_ROWS = 10  # title rows above the header are common: the header is looked for here

# field -> (Chinese label, English name, headers that name it, normalised, best first)
FIELD_NAMES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "household_key": ("户编号", "household key", ("户编号", "户号", "户序号", "户主编号")),
    "head_name": ("户主姓名", "head's name", ("户主姓名", "户主")),
    "name": ("姓名", "name", ("姓名", "成员姓名", "家庭成员姓名", "人员姓名")),
    "id_number": (
        "身份证号",
        "citizen ID",
        ("身份证号", "身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码"),
    ),
    "relation": (
        "与户主关系",
        "relation to head",
        ("与户主关系", "与户主的关系", "家庭关系", "关系"),
    ),
    "ethnicity": ("民族", "ethnicity", ("民族",)),
    "phone": ("联系电话", "phone", ("联系电话", "电话", "手机号", "手机号码", "联系方式")),
    "origin_village": (
        "迁出村",
        "origin village",
        ("迁出村", "迁出村组", "原住址", "原居住地", "迁出地", "户籍地址"),
    ),
    "community": ("迁入社区", "community", ("迁入社区", "安置社区", "社区")),
    "site": ("安置点", "site", ("安置点", "安置点名称", "安置小区")),
    "grid": ("网格", "grid", ("网格", "所属网格")),
    "building": ("楼栋", "building", ("楼栋", "楼栋号", "楼号", "栋号")),
    "unit": ("单元", "unit", ("单元", "单元号")),
    "room": ("房号", "room", ("房号", "房间号", "门牌号")),
    "moved_in": (
        "搬迁时间",
        "move-in date",
        ("搬迁时间", "入住时间", "搬迁入住时间", "入住日期", "搬迁日期", "搬迁入住日期"),
    ),
    "hukou_address": ("户籍地址", "hukou address", ()),
}
# 户籍地址 is the origin village when no 迁出村 column is there, else the person's hukou address.
SECOND_CHOICE = {"户籍地址": "hukou_address"}
REQUIRED = ("name", "id_number", "relation", "origin_village", "community", "moved_in")
HOUSEHOLD_FIELDS = (
    "origin_village", "community", "site", "grid", "building", "unit", "room", "moved_in",
)  # fmt: skip
IGNORE = "ignore"

_HEADER_JUNK = re.compile(r"[*＊:：]")
_HEADER_NOTE = re.compile(r"[（(][^）)]*[）)]$")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
# Excel serial 0: right from serial 61 (1900-03-01) on, as Excel counts a 1900-02-29.
EXCEL_EPOCH = dt.date(1899, 12, 30)


def header_key(raw: object) -> str:
    """A header as compared: NFKC, no spaces or line breaks, no *, colons or a trailing (note)."""
    value = "".join(unicodedata.normalize("NFKC", "" if raw is None else str(raw)).split())
    value = _HEADER_JUNK.sub("", value)
    stripped = _HEADER_NOTE.sub("", value)
    return stripped or value


_BY_HEADER: dict[str, str] = {
    header_key(alias): key for key, (_, _, aliases) in FIELD_NAMES.items() for alias in aliases
}
_FIELD_BY_NAME: dict[str, str] = {
    **{key: key for key in FIELD_NAMES},
    **{header_key(zh): key for key, (zh, _, _) in FIELD_NAMES.items()},
    **_BY_HEADER,
}


def field_of_header(raw: object) -> str | None:
    return _BY_HEADER.get(header_key(raw))


def label(key: str) -> str:
    return FIELD_NAMES[key][0]


# ─────────────────────────────── the header ───────────────────────────────

Merged = tuple[tuple[int, int], tuple[int, int]]  # ((first row, first col), (last row, last col))


@dataclass(frozen=True)
class Header:
    """Where the header is (0-based rows), which column holds which field, and what is left."""

    first_row: int
    last_row: int  # the same row, or the next one for a two-level header
    columns: dict[str, int]  # field -> 0-based column
    labels: dict[int, str]  # column -> the header as written in the file
    ignored: tuple[str, ...]  # headers not recognised (reported, not fatal)

    @functools.cached_property
    def household_keys(self) -> tuple[str, ...]:
        """The household's fields this roster has a column for."""
        return tuple(key for key in HOUSEHOLD_FIELDS if key in self.columns)

    def column_label(self, key: str) -> str:
        index = self.columns.get(key)
        return self.labels.get(index, label(key)) if index is not None else label(key)


def fill_merged(rows: list[list[Any]], merged: Sequence[Merged]) -> list[list[Any]]:
    """Each cell of a merged range gets the value of its top-left cell (the file keeps it there
    only): merged header labels and 户编号 merged down a household's rows read like the rest."""
    for (top, left), (bottom, right) in merged:
        if top >= len(rows):
            continue
        row = rows[top]
        value = row[left] if left < len(row) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            cells = rows[r]
            if len(cells) <= right:
                cells.extend([""] * (right + 1 - len(cells)))
            for c in range(left, right + 1):
                if (r, c) != (top, left) and _blank(cells[c]):
                    cells[c] = value
    return rows


def _blank(value: object) -> bool:
    if value is None or value == "":
        return True
    return value.__class__ is str and not value.strip()  # type: ignore[attr-defined]


def _known(cells: Sequence[Any]) -> int:
    return len({f for f in (field_of_header(c) for c in cells) if f})


def find_header(
    rows: Sequence[Sequence[Any]],
    merged: Sequence[Merged] = (),
    mapping: dict[str, str] | None = None,
) -> Header:
    """The row among the first ten that names the most known fields (a two-level header when
    its cells are merged down into the next row), with --map's COLUMN=FIELD applied."""
    mapping = mapping or {}
    best, best_score = -1, 0
    for index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _known(cells) + sum(1 for c in cells if header_key(c) in mapping)
        if score > best_score:
            best, best_score = index, score
    if best < 0 or best_score < 2:
        raise CounterError(
            f"前{HEADER_SCAN_ROWS}行中找不到表头（应有 姓名、身份证号、与户主关系 等列），"
            "可用 --map 列名=字段 指定",
            f"no header row in the first {HEADER_SCAN_ROWS} rows (columns such as 姓名, "
            "身份证号, 与户主关系 expected); name columns with --map COLUMN=FIELD",
        )
    last = best
    two_level = any(top == best and bottom > best for (top, _), (bottom, _) in merged)
    if two_level and best + 1 < len(rows):
        last = best + 1
    width = max(len(rows[r]) for r in range(best, last + 1))
    labels: dict[int, str] = {}
    for col in range(width):
        upper = _cell(rows[best], col)
        lower = _cell(rows[last], col) if last != best else ""
        chosen = lower if lower and lower != upper and field_of_header(lower) else upper
        if lower and not field_of_header(chosen) and lower != upper:
            chosen = lower
        shown = " ".join(str(chosen).split())
        if shown:
            labels[col] = shown
    columns: dict[str, int] = {}
    ignored: list[str] = []
    used_by_map: set[int] = set()
    keyed = {header_key(v): c for c, v in labels.items()}
    for column_name, wanted in mapping.items():
        found = keyed.get(column_name)
        target = found if found is not None else _column_letter(column_name, width)
        if target is None:
            known = "、".join(labels.values())
            raise CounterError(
                f"--map 中的列“{column_name}”不在表头中（表头有：{known}）",
                f"--map names a column '{column_name}' the header does not have",
            )
        used_by_map.add(target)
        if wanted != IGNORE:
            columns[wanted] = target
    merged_spans = {
        c for (top, left), (_, right) in merged if top == best for c in range(left + 1, right + 1)
    }
    seen_labels: dict[str, int] = {}
    for col, shown in labels.items():
        if col in used_by_map:
            continue
        key = field_of_header(shown)
        if key is not None and key in columns and header_key(shown) in SECOND_CHOICE:
            key = SECOND_CHOICE[header_key(shown)]
        if key is None or key in columns:
            if col in merged_spans and seen_labels.get(shown) is not None:
                continue  # the rest of a label merged across columns
            ignored.append(shown)
        else:
            columns[key] = col
        seen_labels.setdefault(shown, col)
    missing = [key for key in REQUIRED if key not in columns]
    if missing:
        names = "、".join(label(k) for k in missing)
        raise CounterError(
            f"名册缺少必需的列：{names}（可用 --map 列名=字段 指定，如 --map 户主关系=与户主关系）",
            f"the roster lacks required columns: {', '.join(FIELD_NAMES[k][1] for k in missing)} "
            "(name them with --map COLUMN=FIELD)",
        )
    return Header(best, last, columns, labels, tuple(ignored))


def _cell(row: Sequence[Any], col: int) -> str:
    value = row[col] if col < len(row) else ""
    return "" if _blank(value) else str(value).strip()


def _column_letter(name: str, width: int) -> int | None:
    """A column named by its letter(s) (A, B, AA), when no header has that text."""
    if not name.isascii() or not name.isalpha() or len(name) > 3:
        return None
    index = 0
    for char in name.upper():
        index = index * 26 + ord(char) - 64
    return index - 1 if index - 1 < width else None


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """--map COLUMN=FIELD items: COLUMN a header (or column letter), FIELD a field's English
    key or Chinese label (姓名, id_number...), or `ignore` to leave a column out."""
    mapping: dict[str, str] = {}
    choices = "、".join(
        f"{key}（{zh}）" for key, (zh, _, _) in FIELD_NAMES.items() if key != "household_key"
    )
    for item in items:
        column, sep, wanted = item.partition("=")
        column, wanted = header_key(column), header_key(wanted)
        if not sep or not column or not wanted:
            raise CounterError(
                f"--map 应写成 列名=字段（如 --map 户主关系=与户主关系）：{item}",
                f"--map must be COLUMN=FIELD (e.g. --map 户主关系=relation): {item}",
            )
        key = IGNORE if wanted.lower() == IGNORE else _FIELD_BY_NAME.get(wanted)
        if key is None:
            raise CounterError(
                f"--map 中的字段“{wanted}”无效，可用：{choices}、household_key（户编号）、ignore",
                f"--map names an unknown field '{wanted}'; use one of "
                f"{', '.join(FIELD_NAMES)} or ignore",
            )
        mapping[column] = key
    return mapping


# ─────────────────────────────── cells ───────────────────────────────


def cell_text(value: object) -> str:
    """A cell as text: whole numbers without ".0" (Excel keeps 13800001111 as a float)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else ""
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else str(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def cell_date(value: object, what: str = "搬迁时间") -> dt.date:
    """A real date, an Excel serial number, or text: 2018-10-18, 2018.10.18, 2018/10/18,
    2018年10月18日, 20181018."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), what)
    raw = text.token(value)
    found = _DATE_TEXT.match(raw)
    if found:
        try:
            day = dt.date(*(int(part) for part in found.groups()))
        except ValueError:
            raise _bad_date(what, raw) from None
        return _in_range(day, what, raw)
    if raw.isdigit() and len(raw) == 5:
        return _serial(float(raw), what)
    return checks.parse_date(raw, what)


def _serial(number: float, what: str) -> dt.date:
    if not 1 <= number < 2958466:  # Excel's last day is 9999-12-31
        raise _bad_date(what, cell_text(number))
    day = EXCEL_EPOCH + dt.timedelta(days=int(number))
    return _in_range(day, what, cell_text(number))


def _in_range(day: dt.date, what: str, raw: str) -> dt.date:
    if not checks.DATE_MIN <= day <= checks.DATE_MAX:
        raise CounterError(
            f"{what}“{raw}”超出可办理的日期范围",
            f"date '{raw}' is out of range ({checks.DATE_MIN.year} to {checks.DATE_MAX.year})",
        )
    return day


def _bad_date(what: str, raw: str) -> CounterError:
    return CounterError(
        f"{what}“{raw}”不是有效日期（如 2018-10-18、2018.10.18、2018年10月18日）",
        f"'{raw}' is not a valid date (e.g. 2018-10-18)",
    )


def mask_text(value: str) -> str:
    """An ID-like value as shown in reports: 18 characters as mask_id, other lengths keep at
    most the region code and the last four."""
    if len(value) == 18:
        return mask_id(value)
    if len(value) >= 12:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    return "*" * len(value)


# ─────────────────────────────── rows and households ───────────────────────────────


@dataclass(frozen=True)
class Problem:
    """A bad cell (or row): spreadsheet row number (1-based), the column as headed in the file,
    the value (IDs masked) and the reason in Chinese and English."""

    row: int
    column: str
    value: str
    zh: str
    en: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "reason": {"zh": self.zh, "en": self.en},
        }


@dataclass(frozen=True)
class PersonRecord:
    row: int
    id_number: str
    name: str
    sex: str
    birth_date: dt.date
    relation: str  # the GB/T 4761 term
    relation_code: str
    ethnicity: str | None  # None: blank in the file (汉族 for a new person, kept on update)
    phone: str
    hukou_address: str

    @property
    def is_head(self) -> bool:
        return self.relation_code in checks.HEAD_CODES


@dataclass
class HouseholdRecord:
    """One household of the roster: its rows, its head and the household's own fields."""

    key: str
    first_row: int
    rows: list[int] = field(default_factory=list)
    people: list[PersonRecord] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)  # HOUSEHOLD_FIELDS + phone
    head_row: int | None = None  # the row whose relation is 户主 (even if the row is bad)
    bad: bool = False

    @property
    def head(self) -> PersonRecord | None:
        return next((p for p in self.people if p.is_head), None)


@dataclass
class Roster:
    header: Header
    households: list[HouseholdRecord]
    problems: list[Problem]
    data_rows: int  # rows holding a person (empty rows are not counted)
    bad_rows: set[int]

    def add_problem(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.bad_rows.add(problem.row)


_MISS = object()
Memo = dict[tuple[str, type, Any], Any]


class _RowChecker:
    """Checks one row's cells with the counter's own rules, collecting every problem.

    Rules are pure, so a verdict on a value (a relation, an ethnicity, a village, a name) is
    kept in `memo` for the rows after it: a county roster repeats them thousands of times.
    Citizen IDs are unique and checked every time.
    """

    def __init__(
        self, header: Header, row_no: int, cells: Sequence[Any], memo: Memo | None = None
    ) -> None:
        self.header, self.row_no, self.memo = header, row_no, memo
        width = len(cells)
        self.values = {
            key: ("" if col >= width or cells[col] is None else cells[col])
            for key, col in header.columns.items()
        }
        self.problems: list[Problem] = []

    def raw(self, key: str) -> Any:
        return self.values.get(key, "")

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def check(self, key: str, rule: Callable[[Any], Any]) -> Any:
        raw = self.values.get(key, "")
        memo = self.memo if key != "id_number" else None
        slot = (key, raw.__class__, raw)  # 1, 1.0 and True are equal keys but not one cell
        verdict = _MISS if memo is None else memo.get(slot, _MISS)
        if verdict is _MISS:
            try:
                verdict = rule(raw)
            except CounterError as exc:
                verdict = exc
            if memo is not None:
                memo[slot] = verdict
        if isinstance(verdict, CounterError):
            return self._report(key, verdict)
        return verdict

    def _report(self, key: str, exc: CounterError) -> None:
        value = self.text(key)
        zh, en = exc.zh, exc.en
        if key == "id_number":
            number = text.token(value).upper()
            value = mask_text(number)
            if number:
                hidden = mask_text(number)
                zh, en = zh.replace(number, hidden), en.replace(number, hidden)
        self.problems.append(Problem(self.row_no, self.header.column_label(key), value, zh, en))


@functools.lru_cache(maxsize=8)
def _id_rule(today: dt.date) -> Callable[[Any], CitizenId]:
    def rule(value: Any) -> CitizenId:
        if isinstance(value, float) and value >= 1e15:
            raise CounterError(
                "身份证号被存成了数字（Excel 只保留15位有效数字，后几位已丢失）：请将该列设为文本后重新录入",
                "the citizen ID was stored as a number (Excel keeps 15 digits; the rest are "
                "lost): make the column text and enter it again",
            )
        return parse_citizen_id(cell_text(value), today)

    return rule


def _relation_rule(value: Any) -> checks.Relation:
    raw = cell_text(value)
    if raw.isdigit() and len(raw) == 1:  # a code typed as a number: 2 for 02
        raw = "0" + raw
    return checks.check_relation(raw)


def _phone_rule(value: Any) -> str:
    phone = checks.check_phone(cell_text(value))
    return text.clean(phone, "联系电话", "phone", text.FIELDS["phone"].limit)


def _ethnicity_rule(value: Any) -> str:
    return checks.check_ethnicity(cell_text(value))


@functools.lru_cache(maxsize=64)
def _field_rule(key: str, required: bool = False) -> Callable[[Any], str]:
    return lambda value: text.field(cell_text(value), key, required=required)


@functools.lru_cache(maxsize=8)
def _moved_in_rule(today: dt.date) -> Callable[[Any], dt.date]:
    def rule(value: Any) -> dt.date:
        if _blank(value):
            raise CounterError("缺少搬迁时间", "move-in date is required")
        return dates.check_moved_in(cell_date(value), today)

    return rule


def check_row(
    header: Header, row_no: int, cells: Sequence[Any], today: dt.date, memo: Memo | None = None
) -> tuple[PersonRecord | None, dict[str, Any], list[Problem]]:
    """One row: the person it names and the household values it carries, or its problems.
    `memo` carries verdicts on repeated values from row to row (read_roster gives one)."""
    rc = _RowChecker(header, row_no, cells, memo)
    cid = rc.check("id_number", _id_rule(today))
    name = rc.check("name", checks.check_name)
    kin = rc.check("relation", _relation_rule)
    ethnic = None
    if not _blank(rc.raw("ethnicity")):
        ethnic = rc.check("ethnicity", _ethnicity_rule)
    phone = "" if _blank(rc.raw("phone")) else rc.check("phone", _phone_rule)
    hukou = ""
    if not _blank(rc.raw("hukou_address")):
        hukou = rc.check("hukou_address", _field_rule("hukou_address"))
    if cid is not None and kin is not None:
        mismatch = checks.relation_sex_problem(kin.code, cid.sex)
        if mismatch:
            rc.problems.append(
                Problem(
                    row_no, header.column_label("relation"), rc.text("relation"), mismatch,
                    f"relation to head '{kin.term}' does not match the sex in the citizen ID "
                    f"({'male' if cid.sex == '男' else 'female'})",
                )
            )  # fmt: skip
    values: dict[str, Any] = {}
    for key in header.household_keys:
        if _blank(rc.values[key]):
            continue  # a member's row may leave the household's cells to the head's row
        if key == "moved_in":
            values[key] = rc.check(key, _moved_in_rule(today))
        else:
            values[key] = rc.check(key, _field_rule(key, required=True))
    if rc.problems or cid is None or name is None or kin is None or phone is None:
        return None, values, rc.problems
    person = PersonRecord(
        row=row_no,
        id_number=cid.number,
        name=name,
        sex=cid.sex,
        birth_date=cid.birth_date,
        relation=kin.term,
        relation_code=kin.code,
        ethnicity=ethnic,
        phone=phone or "",
        hukou_address=hukou or "",
    )
    return person, values, []


def _empty(header: Header, cells: Sequence[Any]) -> bool:
    """A row without name, ID and relation holds no person (blank, a subtotal, a footnote)."""
    for key in ("name", "id_number", "relation"):
        col = header.columns[key]
        if col < len(cells) and not _blank(cells[col]):
            return False
    return True


def read_roster(
    rows: Sequence[Sequence[Any]],
    today: dt.date,
    *,
    merged: Sequence[Merged] = (),
    mapping: dict[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> Roster:
    """Check every row of a sheet (a grid of cell values, 0-based) and group the people into
    households: by 户编号 when the roster has it, else a household starts at each head's row
    (or where 户主姓名 changes)."""
    # Merged cells are filled in on a copy; without them the rows are only read.
    grid: Sequence[Sequence[Any]] = fill_merged([list(r) for r in rows], merged) if merged else rows
    header = find_header(grid, merged, mapping)
    roster = Roster(header, [], [], 0, set())
    by_key: dict[str, HouseholdRecord] = {}
    current: HouseholdRecord | None = None
    seen_ids: dict[str, list[int]] = {}
    pending: list[tuple[int, HouseholdRecord, dict[str, Any]]] = []
    keyed = "household_key" in header.columns
    head_named = "head_name" in header.columns
    last_head_name: str | None = None
    memo: Memo = {}
    for index in range(header.last_row + 1, len(grid)):
        cells = grid[index]
        row_no = index + 1
        if progress is not None and index % 1000 == 0:
            progress(index)
        if _empty(header, cells):
            continue
        roster.data_rows += 1
        person, values, problems = check_row(header, row_no, cells, today, memo)
        for problem in problems:
            roster.add_problem(problem)
        relation_raw = cell_text(_at(cells, header.columns["relation"]))
        is_head = person.is_head if person else _looks_like_head(relation_raw)
        head_name = cell_text(_at(cells, header.columns["head_name"])) if head_named else ""
        if keyed:
            key = cell_text(_at(cells, header.columns["household_key"]))
            if not key:
                roster.add_problem(
                    Problem(
                        row_no, header.column_label("household_key"), "",
                        "缺少户编号", "household key is missing",
                    )
                )  # fmt: skip
                continue
            household = by_key.get(key)
            if household is None:
                household = by_key[key] = HouseholdRecord(key, row_no)
                roster.households.append(household)
        else:
            if head_named:
                starts = (
                    current is None
                    or head_name != last_head_name
                    or (is_head and current.head_row is not None)
                )
            else:
                starts = current is None or is_head
            if starts or current is None:
                current = HouseholdRecord(f"#{row_no}", row_no)
                roster.households.append(current)
            household = current
            last_head_name = head_name
        household.rows.append(row_no)
        if is_head and household.head_row is not None:
            roster.add_problem(
                Problem(
                    row_no, header.column_label("relation"), relation_raw,
                    f"同一户有两个户主（第{household.head_row}行已是户主）",
                    f"a second head in one household (row {household.head_row} is the head)",
                )
            )  # fmt: skip
        else:
            if is_head:
                household.head_row = row_no
            if person is not None:
                household.people.append(person)
            if is_head and head_named and head_name and person and head_name != person.name:
                roster.add_problem(
                    Problem(
                        row_no, header.column_label("head_name"), head_name,
                        f"户主姓名“{head_name}”与户主本人的姓名“{person.name}”不一致",
                        f"the head's name '{head_name}' differs from the head's row "
                        f"'{person.name}'",
                    )
                )  # fmt: skip
        if person is not None:
            seen_ids.setdefault(person.id_number, []).append(row_no)
        pending.append((row_no, household, values))
    # Household values: the head's row gives them; another row may fill a cell the head's row
    # left blank, or repeat a value, but not differ from it.
    values_of: dict[int, dict[str, Any]] = {row_no: values for row_no, _, values in pending}
    for household in roster.households:
        head_row = household.head_row
        if head_row is None:
            for row_no in household.rows:
                roster.add_problem(
                    Problem(
                        row_no, header.column_label("relation"), "",
                        "本户没有户主（与户主关系为“户主”的一行），本户各行均未导入",
                        "this household has no head (a row with relation 户主); none of its "
                        "rows can be imported",
                    )
                )  # fmt: skip
            continue
        household.values.update(values_of.get(head_row, {}))
        head = household.head
        household.values["phone"] = head.phone if head is not None else ""
        for row_no in household.rows:
            if row_no == head_row:
                continue
            for key, value in values_of.get(row_no, {}).items():
                if value is None:
                    continue  # its problem is reported already
                if key not in household.values:
                    household.values[key] = value
                    continue
                have = household.values[key]
                if have is not None and value != have:
                    shown = have.isoformat() if isinstance(have, dt.date) else have
                    mine = value.isoformat() if isinstance(value, dt.date) else value
                    roster.add_problem(
                        Problem(
                            row_no, header.column_label(key), str(mine),
                            f"{label(key)}与同户户主行（第{head_row}行）不一致：{shown}",
                            f"{FIELD_NAMES[key][1]} differs from the head's row ({head_row}): "
                            f"{shown}",
                        )
                    )  # fmt: skip
        if head_row not in roster.bad_rows:
            for key in ("origin_village", "community", "moved_in"):
                if household.values.get(key) is None:
                    roster.add_problem(
                        Problem(
                            head_row, header.column_label(key), "",
                            f"缺少{label(key)}（应填在户主行）",
                            f"{FIELD_NAMES[key][1]} is required (on the head's row)",
                        )
                    )  # fmt: skip
    for number, where in seen_ids.items():
        if len(where) > 1:
            for row_no in where:
                others = "、".join(str(r) for r in where if r != row_no)
                roster.add_problem(
                    Problem(
                        row_no, header.column_label("id_number"), mask_id(number),
                        f"身份证号在名册中重复（另见第{others}行）",
                        f"the citizen ID appears more than once in the roster (also row {others})",
                    )
                )  # fmt: skip
    mark_bad_households(roster)
    return roster


def _at(cells: Sequence[Any], col: int) -> Any:
    return cells[col] if col < len(cells) else ""


def _looks_like_head(raw: str) -> bool:
    return checks.relation_code_of(raw) in checks.HEAD_CODES


def mark_bad_households(roster: Roster) -> None:
    """A household whose head row is bad (or that has none) cannot be imported: each of its
    other rows says why. A bad member row leaves out that member only. Safe to call again
    after more problems were found (db/roster.py adds those the database shows)."""
    for household in roster.households:
        head_row = household.head_row
        if head_row is None or head_row in roster.bad_rows:
            household.bad = True
            for row_no in household.rows:
                if row_no not in roster.bad_rows:
                    roster.add_problem(
                        Problem(
                            row_no, "", "",
                            f"同户户主行（第{head_row}行）有误，本行未导入",
                            f"the head's row ({head_row}) of this household is bad; this row "
                            "was not imported",
                        )
                    )  # fmt: skip
        household.people = [p for p in household.people if p.row not in roster.bad_rows]
