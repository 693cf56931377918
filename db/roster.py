"""Roster import: a town's Excel or CSV roster of households and persons, read, checked row by
row with the counter's own rules (forms/roster.py), then written in batches.

- Reading: .xlsx and .xls with python-calamine; .csv as UTF-8 (with or without a BOM), else
  GB18030 (which covers GBK), the encodings township sheets come in.
- Checking: everything before anything is written. An ID already registered in another
  household, a second head against the database, a community or site the county list does not
  know (unless `add_communities`) are row problems like a bad check digit. Without `skip_bad`
  one bad row means nothing is written.
- Writing: batches of about BATCH rows, each one transaction: one audit entry (a staff event of
  the importing supervisor, with the changes it made), one reservation of household numbers
  for the batch, bulk inserts of households and persons (search keys set as db.people sets
  them), updates of persons and households that changed. A person is matched by citizen ID, so
  importing the same roster again changes nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import difflib
import functools
import gc
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db.accounts import require_supervisor
from db.audit import append, lock_chain
from db.connection import db, is_postgres
from db.models import Household, Person, Place, StaffEvent
from db.people import search_keys
from db.setup import (
    Desk,
    add_places,
    ensure_ready,
    get_setting,
    known_communities,
    reserve_serials,
    stamp,
)
from forms import roster as rules
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.roster import HouseholdRecord, PersonRecord, Problem, Roster

BATCH = (
    5000  # rows per transaction (1,000 rewrote the indexes' pages five times as often: +1 s at 64k)
)
LOOKUP_CHUNK = 900  # IDs per IN (...) look-up
SUFFIXES = (".xlsx", ".xls", ".xlsm", ".csv")
IMPORT_EVENT = "roster_import"

Progress = Callable[[str, int, int], None]  # (stage, done, total)


# ─────────────────────────────── reading ───────────────────────────────


@dataclass(frozen=True)
class Sheet:
    name: str
    rows: list[list[Any]]
    merged: list[rules.Merged]


def read_file(path: Path, sheet: str | None = None) -> Sheet:
    """The cells of the roster's sheet (`sheet`, or the first one with a header)."""
    if not path.exists():
        raise CounterError(f"找不到文件：{path}", f"no such file: {path}")
    if not path.is_file():
        raise CounterError(f"不是文件：{path}", f"not a file: {path}")
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise CounterError(
            f"名册应为 .xlsx、.xls 或 .csv 文件：{path.name}",
            f"a roster must be an .xlsx, .xls or .csv file: {path.name}",
        )
    if suffix == ".csv":
        if sheet is not None:
            raise CounterError(
                "CSV 文件只有一张表，不能用 --sheet", "a CSV file has one sheet: drop --sheet"
            )
        return Sheet(path.stem, read_csv(path.read_bytes()), [])
    return _read_workbook(path, sheet)


def _read_workbook(path: Path, wanted: str | None) -> Sheet:
    from python_calamine import CalamineWorkbook  # only an import pays for it

    try:
        book = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for a broken file
        raise CounterError(
            f"无法读取 {path.name}：不是有效的 Excel 文件（{type(exc).__name__}）",
            f"cannot read {path.name}: not a valid Excel file ({exc})",
        ) from None
    names = list(book.sheet_names)
    if wanted is not None:
        if wanted not in names:
            raise CounterError(
                f"工作表“{wanted}”不存在（本文件有：{'、'.join(names)}）",
                f"no sheet named '{wanted}' (the file has: {', '.join(names)})",
            )
        candidates = [wanted]
    else:
        candidates = names
    first_error: CounterError | None = None
    for name in candidates:
        found = book.get_sheet_by_name(name)
        rows = found.to_python(skip_empty_area=False)  # a list of lists
        merged = [tuple(map(tuple, r)) for r in (found.merged_cell_ranges or [])]
        sheet = Sheet(name, rows, merged)  # type: ignore[arg-type]
        if len(candidates) == 1:
            return sheet
        try:
            rules.find_header(rules.fill_merged([list(r) for r in rows[:12]], sheet.merged))
        except CounterError as exc:
            first_error = first_error or exc
            continue
        return sheet
    raise first_error or CounterError(f"{path.name} 中没有工作表", f"{path.name} has no sheet")


def read_csv(data: bytes) -> list[list[Any]]:
    """UTF-8 (a BOM is dropped), else GB18030/GBK; both decoded strictly, so a file in neither
    is refused instead of read as mojibake."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            content = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        break
    else:
        raise CounterError(
            "CSV 文件的编码无法识别（应为 UTF-8 或 GBK/GB18030）",
            "the CSV file's encoding is neither UTF-8 nor GBK/GB18030",
        )
    sample = content[:4096]
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    return [list(row) for row in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)]


# ─────────────────────────────── checking against the database ───────────────────────────────


@dataclass(frozen=True)
class Stored:
    """A person already registered, as compared with a roster row."""

    id: int
    household_id: int
    name: str
    relation: str
    relation_code: str
    ethnicity: str
    phone: str
    hukou_address: str


@dataclass
class Plan:
    """What one roster household does to the database."""

    record: HouseholdRecord
    household_id: int | None  # None: a new household
    household_number: str = ""
    household_changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    new_people: list[PersonRecord] = field(default_factory=list)
    changed: list[tuple[PersonRecord, Stored, dict[str, tuple[Any, Any]]]] = field(
        default_factory=list
    )
    unchanged: int = 0

    @property
    def rows(self) -> int:
        return len(self.record.people)


@dataclass
class ImportResult:
    sheet: str
    rows: int = 0  # rows holding a person
    imported: int = 0  # persons added
    updated: int = 0  # rows whose person (or, on the head's row, household) changed
    unchanged: int = 0
    skipped: int = 0  # rows not imported because of a problem
    households_added: int = 0
    households_updated: int = 0
    places_added: list[str] = field(default_factory=list)
    ignored_columns: tuple[str, ...] = ()
    problems: list[Problem] = field(default_factory=list)
    dry_run: bool = False
    written: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "imported": self.imported,
            "updated": self.updated,
            "skipped": self.skipped,
            "errors": [p.as_dict() for p in sorted_problems(self.problems)],
            "unchanged": self.unchanged,
            "households": {"added": self.households_added, "updated": self.households_updated},
            "places_added": self.places_added,
            "ignored_columns": list(self.ignored_columns),
            "sheet": self.sheet,
            "dry_run": self.dry_run,
        }


def _tuples(query: Any) -> list[tuple[Any, ...]]:
    """A query's rows as plain tuples (peewee's stubs type .tuples() as model rows)."""
    return [tuple(row) for row in query.tuples()]


def sorted_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(dict.fromkeys(problems), key=lambda p: (p.row, p.column == "", p.column))


def _select_in(sql: str, values: Sequence[Any]) -> Iterable[tuple[Any, ...]]:
    """Rows of `sql` (whose IN list is written `({in})`) for every value, LOOKUP_CHUNK at a
    time, straight through the driver: peewee's query building for 64,000 parameters costs
    more than the look-ups themselves."""
    mark = "%s" if is_postgres() else "?"
    for start in range(0, len(values), LOOKUP_CHUNK):
        chunk = list(values[start : start + LOOKUP_CHUNK])
        marks = ", ".join([mark] * len(chunk))
        yield from db.execute_sql(sql.format(mark=mark, marks=marks), chunk).fetchall()


def _stored_people(ids: Sequence[str]) -> dict[str, Stored]:
    found: dict[str, Stored] = {}
    sql = (
        'SELECT "id", "id_number", "household_id", "name", "relation", "relation_code", '
        '"ethnicity", "phone", "hukou_address" FROM "person" WHERE "id_number" IN ({marks})'
    )
    for pid, number, household_id, *rest in _select_in(sql, ids):
        found[str(number)] = Stored(int(pid), int(household_id), *map(str, rest))
    return found


@dataclass(frozen=True)
class StoredHousehold:
    """A household already registered, as compared with a roster household."""

    id: int
    number: str
    origin_village: str
    community: str
    site: str
    grid: str
    building: str
    unit: str
    room: str
    moved_in: dt.date
    phone: str


def _households(ids: Iterable[int]) -> dict[int, StoredHousehold]:
    sql = (
        'SELECT "id", "number", "origin_village", "community", "site", "grid", "building", '
        '"unit", "room", "moved_in", "phone" FROM "household" WHERE "id" IN ({marks})'
    )
    found: dict[int, StoredHousehold] = {}
    for row in _select_in(sql, sorted(set(ids))):
        hid, number, village, community, site, grid, building, unit, room, moved_in, phone = row
        day = moved_in if isinstance(moved_in, dt.date) else dt.date.fromisoformat(str(moved_in))
        found[int(hid)] = StoredHousehold(
            int(hid), str(number), str(village), str(community), str(site), str(grid),
            str(building), str(unit), str(room), day, str(phone),
        )  # fmt: skip
    return found


def _heads(household_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """household id -> (head's ID number, name) of the stored heads."""
    sql = (
        'SELECT "household_id", "id_number", "name" FROM "person" '
        "WHERE \"relation_code\" IN ('01', '02') AND \"household_id\" IN ({marks})"
    )
    return {
        int(hid): (str(number), str(name))
        for hid, number, name in _select_in(sql, sorted(set(household_ids)))
    }


def _check_places(roster: Roster, add_communities: bool) -> list[tuple[str, str]]:
    """Communities and sites the county list lacks: row problems, or (with add_communities)
    the pairs to add."""
    header = roster.header
    communities = set(known_communities())
    sites = {(str(c), str(s)) for c, s in _tuples(Place.select(Place.community, Place.site))}
    stored_sites = Household.select(Household.community, Household.site).distinct()
    sites |= {(str(c), str(s)) for c, s in _tuples(stored_sites)}
    to_add: list[tuple[str, str]] = []
    for household in roster.households:
        community = household.values.get("community")
        if household.bad or not community or household.head_row is None:
            continue
        site = household.values.get("site") or ""
        new_community = community not in communities
        new_site = bool(site) and site != community and (community, site) not in sites
        if not (new_community or new_site):
            continue
        if add_communities:
            if new_community:
                to_add.append((community, ""))
                communities.add(community)
            if new_site:
                to_add.append((community, site))
                sites.add((community, site))
            continue
        if new_community:
            near = difflib.get_close_matches(community, sorted(communities), n=3, cutoff=0.4)
            hint_zh = f"，是否为：{'、'.join(near)}" if near else ""
            hint_en = f"; did you mean: {', '.join(near)}" if near else ""
            roster.add_problem(
                Problem(
                    household.head_row, header.column_label("community"), community,
                    f"迁入社区“{community}”不在本县社区名单中{hint_zh}；确为新社区请加 --add-communities",
                    f"community '{community}' is not on the county list{hint_en}; add "
                    "--add-communities if it is new",
                )
            )  # fmt: skip
        elif new_site:
            roster.add_problem(
                Problem(
                    household.head_row, header.column_label("site"), site,
                    f"安置点“{site}”不在{community}的安置点名单中；确为新安置点请加 --add-communities",
                    f"site '{site}' is not on the list of {community}; add --add-communities "
                    "if it is new",
                )
            )  # fmt: skip
    return to_add


PERSON_FIELDS = ("name", "relation", "ethnicity", "phone", "hukou_address")
FIELD_ZH = {
    "name": "姓名", "relation": "与户主关系", "ethnicity": "民族", "phone": "联系电话",
    "hukou_address": "户籍地址", "origin_village": "迁出村", "community": "迁入社区",
    "site": "安置点", "grid": "网格", "building": "楼栋", "unit": "单元", "room": "房号",
    "moved_in": "搬迁时间",
}  # fmt: skip


def _person_changes(person: PersonRecord, stored: Stored) -> dict[str, tuple[Any, Any]]:
    """What the row changes; a blank optional cell keeps what is stored."""
    changes: dict[str, tuple[Any, Any]] = {}
    wanted = {
        "name": person.name,
        "relation": person.relation,
        "ethnicity": person.ethnicity,
        "phone": person.phone or None,
        "hukou_address": person.hukou_address or None,
    }
    for key in PERSON_FIELDS:
        value = wanted[key]
        old = getattr(stored, key)
        if value is not None and value != old:
            changes[key] = (old, value)
    if "relation" in changes or person.relation_code != stored.relation_code:
        changes["relation"] = (stored.relation, person.relation)
    return changes


def _household_changes(
    record: HouseholdRecord, household: StoredHousehold
) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for key in (*rules.HOUSEHOLD_FIELDS, "phone"):
        value = record.values.get(key)
        if value is None or value == "":
            continue
        old = getattr(household, key)
        if value != old:
            changes[key] = (old, value)
    return changes


def _plan(roster: Roster) -> list[Plan]:
    """Match every good household with the database; add the problems it shows."""
    ids = [p.id_number for h in roster.households if not h.bad for p in h.people]
    stored = _stored_people(ids)
    header = roster.header
    targets: dict[int, int] = {}  # roster household index -> stored household id
    for index, household in enumerate(roster.households):
        if household.bad:
            continue
        head = household.head
        found = stored.get(head.id_number) if head is not None else None
        if found is not None:
            # the head's stored household; a roster household with a new head is a new one
            targets[index] = found.household_id
    households = _households([*targets.values(), *(s.household_id for s in stored.values())])
    heads = _heads(targets.values())
    for index, household in enumerate(roster.households):
        if household.bad:
            continue
        target = targets.get(index)
        for person in household.people:
            found = stored.get(person.id_number)
            if found is not None and found.household_id != target:
                other = households[found.household_id]
                roster.add_problem(
                    Problem(
                        person.row, header.column_label("id_number"), mask_id(person.id_number),
                        f"身份证号已登记在另一搬迁户 {other.number}（{found.name}），与本户不符",
                        f"the citizen ID is registered in another household {other.number}",
                    )
                )  # fmt: skip
        stored_head = heads.get(target) if target is not None else None
        head = household.head
        roster_ids = {p.id_number for p in household.people}
        if (
            target is not None
            and stored_head is not None
            and head is not None
            and stored_head[0] != head.id_number
            and stored_head[0] not in roster_ids
        ):
            number = households[target].number
            roster.add_problem(
                Problem(
                    head.row, header.column_label("relation"), head.relation,
                    f"搬迁户 {number} 已有户主（{stored_head[1]}），名册中未列出该户主，不能另设户主",
                    f"household {number} already has a head who is not in the roster",
                )
            )  # fmt: skip
    rules.mark_bad_households(roster)
    plans: list[Plan] = []
    for index, household in enumerate(roster.households):
        if household.bad or not household.people:
            continue
        target = targets.get(index)
        plan = Plan(household, target)
        if target is not None:
            plan.household_number = households[target].number
            plan.household_changes = _household_changes(household, households[target])
        for person in household.people:
            found = stored.get(person.id_number)
            if found is None:
                plan.new_people.append(person)
                continue
            changes = _person_changes(person, found)
            if changes:
                plan.changed.append((person, found, changes))
            else:
                plan.unchanged += 1
        plans.append(plan)
    return plans


# ─────────────────────────────── the import ───────────────────────────────


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while a roster is read, checked and written.

    An import makes millions of small objects (cells, rows, verdicts, records) that live until
    it ends and form no cycles; the collector would walk all of them again and again as they
    pile up (about a third of the checking time at 64,000 rows). Reference counting still frees
    everything at once; the collector runs again when the import ends, also on an error.
    Used as a decorator, it is entered anew at each call."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


@_collector_paused()
def import_roster(
    desk: Desk,
    path: Path,
    *,
    today: dt.date,
    sheet: str | None = None,
    mapping: Sequence[str] = (),
    dry_run: bool = False,
    skip_bad: bool = False,
    add_communities: bool = False,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> ImportResult:
    """Check a roster and (unless `dry_run`, and unless a row is bad without `skip_bad`)
    write it. A supervisor's job: the desk's staff member must be one."""
    ensure_ready()
    require_supervisor(desk, "导入名册", "import a roster")
    columns = rules.parse_mapping(mapping)
    found = read_file(path, sheet)
    total = len(found.rows)

    def checking(done: int) -> None:
        if progress is not None:
            progress("check", done, total)

    roster = rules.read_roster(
        found.rows, today, merged=found.merged, mapping=columns, progress=checking
    )
    to_add = _check_places(roster, add_communities)
    plans = _plan(roster)
    result = ImportResult(
        sheet=found.name,
        rows=roster.data_rows,
        ignored_columns=roster.header.ignored,
        problems=sorted_problems(roster.problems),
        dry_run=dry_run,
    )
    result.skipped = len(roster.bad_rows)
    if progress is not None:
        progress("check", total, total)
    if roster.bad_rows and not skip_bad:
        return result  # one bad row: nothing is written
    for plan in plans:
        head_changed = bool(plan.household_changes)
        result.imported += len(plan.new_people)
        result.unchanged += plan.unchanged
        result.updated += len(plan.changed)
        if plan.household_id is None:
            result.households_added += 1
        elif head_changed:
            result.households_updated += 1
            head = plan.record.head
            changed_rows = {person.row for person, _, _ in plan.changed}
            if head is not None and head.row not in changed_rows:
                result.updated += 1
                result.unchanged -= 1
    result.places_added = [f"{c}{'·' + s if s else ''}" for c, s in dict.fromkeys(to_add)]
    if dry_run:
        return result
    if to_add:
        with db.atomic():
            add_places(list(dict.fromkeys(to_add)))
    county = get_setting("county_name", "陕西省安康市紫阳县") or ""
    chunks = list(_batches(plans, batch))
    to_write = sum(plan.rows for chunk in chunks for plan in chunk)
    done = 0
    for chunk in chunks:
        _write_batch(desk, chunk, county, path.name)
        done += sum(plan.rows for plan in chunk)
        if progress is not None:
            progress("write", done, to_write)
    result.written = True
    return result


def _batches(plans: list[Plan], size: int) -> Iterable[list[Plan]]:
    """Whole households, about `size` rows each; households with nothing to write are left
    out."""
    chunk: list[Plan] = []
    rows = 0
    for plan in plans:
        if not (plan.new_people or plan.changed or plan.household_changes):
            continue
        chunk.append(plan)
        rows += plan.rows
        if rows >= size:
            yield chunk
            chunk, rows = [], 0
    if chunk:
        yield chunk


@functools.lru_cache(maxsize=65536)
def _keys(name: str) -> tuple[str, str]:
    keys = search_keys(name, "")
    return keys["initials"], keys["pinyin"]


def _shown(value: Any) -> str:
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _change_note(what: str, changes: dict[str, tuple[Any, Any]]) -> str:
    parts = "；".join(
        f"{FIELD_ZH.get(k, k)} {_shown(old) or '（空）'}→{_shown(new)}"
        for k, (old, new) in changes.items()
    )
    return f"{what}：{parts}"


def _write_batch(desk: Desk, plans: list[Plan], county: str, file_name: str) -> None:
    moment = stamp()
    new_households = [plan for plan in plans if plan.household_id is None]
    notes: list[str] = []
    for plan in plans:
        if plan.household_id is not None and plan.household_changes:
            notes.append(_change_note(f"户 {plan.household_number}", plan.household_changes))
        for person, _, changes in plan.changed:
            notes.append(_change_note(mask_id(person.id_number), changes))
    added = sum(len(plan.new_people) for plan in plans)
    summary = f"导入名册 {file_name}：新增{len(new_households)}户{added}人，更新{len(notes)}项"
    with db.atomic():
        lock_chain()  # the chain before the household series (PostgreSQL)
        append(
            StaffEvent,
            staff=desk.staff_id,
            kind=IMPORT_EVENT,
            at=moment,
            by_staff=desk.staff_id,
            counter_code=desk.counter_code,
            note="\n".join([summary, *notes]),
        )
        if new_households:
            first = reserve_serials("household", 0, len(new_households))
            numbers = [f"H{first + i:06d}" for i in range(len(new_households))]
            rows = []
            for number, plan in zip(numbers, new_households, strict=True):
                values = plan.record.values
                community = values["community"]
                rows.append(
                    (
                        number, values["origin_village"], community,
                        values.get("site") or community, values.get("grid") or "",
                        values.get("building") or "", values.get("unit") or "",
                        values.get("room") or "", values["moved_in"], values.get("phone") or "",
                        False, moment,
                    )
                )  # fmt: skip
            by_number = _insert_households(rows, numbers)
            for number, plan in zip(numbers, new_households, strict=True):
                plan.household_id = by_number[number]
        for plan in plans:
            if plan.household_changes and plan.household_id is not None:
                Household.update(
                    **{key: new for key, (_, new) in plan.household_changes.items()}
                ).where(Household.id == plan.household_id).execute()
        # Persons who stop being the head first, so the one-head index never sees two.
        updates = [item for plan in plans for item in plan.changed]
        updates.sort(key=lambda item: item[0].is_head)
        for person, stored, changes in updates:
            update: dict[str, Any] = {}
            if "name" in changes:
                initials, pinyin = _keys(person.name)
                update.update(name=person.name, initials=initials, pinyin=pinyin)
            if "relation" in changes:
                update.update(relation=person.relation, relation_code=person.relation_code)
            for key in ("ethnicity", "phone", "hukou_address"):
                if key in changes:
                    update[key] = changes[key][1]
            Person.update(**update).where(Person.id == stored.id).execute()
        people = []
        for plan in plans:
            origin = plan.record.values.get("origin_village") or ""
            if plan.household_id is not None and not origin:
                origin = Household.get_by_id(plan.household_id).origin_village
            for person in plan.new_people:
                initials, pinyin = _keys(person.name)
                people.append(
                    (
                        plan.household_id, person.id_number, person.name, initials, pinyin,
                        person.id_number[::-1].lower(), person.sex, person.birth_date,
                        person.ethnicity or "汉族", person.relation, person.relation_code,
                        person.phone, person.hukou_address or f"{county}{origin}", moment,
                    )
                )  # fmt: skip
        _insert("person", PERSON_COLUMNS, people)


HOUSEHOLD_COLUMNS = (
    "number", "origin_village", "community", "site", "grid", "building", "unit", "room",
    "moved_in", "phone", "monitored", "created_at",
)  # fmt: skip
PERSON_COLUMNS = (
    "household_id", "id_number", "name", "initials", "pinyin", "id_reversed", "sex",
    "birth_date", "ethnicity", "relation", "relation_code", "phone", "hukou_address",
    "created_at",
)  # fmt: skip


def _insert(
    table: str, columns: Sequence[str], values: list[tuple[Any, ...]], returning: str = ""
) -> list[tuple[Any, ...]]:
    """Bulk insert of plain rows through the driver: SQLite's executemany, psycopg2's
    execute_values (its executemany is a round trip per row). The values are what peewee
    would hand the driver (str, int, bool, date, datetime); building peewee's query for
    64,000 rows costs more than writing them."""
    if not values:
        return []
    listed = ", ".join(f'"{column}"' for column in columns)
    cursor = db.cursor()
    if is_postgres():
        from psycopg2.extras import execute_values

        sql = f'INSERT INTO "{table}" ({listed}) VALUES %s'
        if returning:
            sql += f" RETURNING {returning}"
        found = execute_values(cursor, sql, values, page_size=1000, fetch=bool(returning))
        return [tuple(row) for row in found or []]
    marks = ", ".join("?" * len(columns))
    cursor.executemany(f'INSERT INTO "{table}" ({listed}) VALUES ({marks})', values)
    return []


def _insert_households(rows: list[tuple[Any, ...]], numbers: list[str]) -> dict[str, int]:
    """Insert new households; their ids by number (RETURNING on PostgreSQL; on SQLite one
    range read: the numbers of a reservation are consecutive, zero-padded to one width)."""
    found = _insert("household", HOUSEHOLD_COLUMNS, rows, returning='"number", "id"')
    if not found:
        if len(numbers[0]) == len(numbers[-1]):
            found = _tuples(
                Household.select(Household.number, Household.id).where(
                    Household.number.between(numbers[0], numbers[-1])
                )
            )
        else:
            found = _tuples(
                Household.select(Household.number, Household.id).where(
                    Household.number.in_(numbers)
                )
            )
    wanted = set(numbers)
    return {str(number): int(hid) for number, hid in found if number in wanted}
