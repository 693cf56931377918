"""Tests written to kill mutants that survived mutmut over the roster import (db/roster.py,
2026-11-29 run on branch mut-roster; test selection: test_roster_import.py and this file).

Each test names the behaviour a surviving mutant broke: the refusals of a file in both
languages, the CSV delimiter and line ends, the county list's sites, the problems the
database shows (with their column, value and English), what a second import changes and the
audit note it leaves, the batches, and households numbered past H999999. Tests that touch the
database run on SQLite and PostgreSQL through the `database` fixture.

db/roster.py keeps the search keys of each name in an `lru_cache` (`_keys`): mutmut forks after
the other tests have filled it, so a mutant of `_keys` never ran. Every test here starts and
ends with it empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import peewee
import pytest

from db import roster as roster_module
from db.accounts import add_staff
from db.models import Household, Person, Place, Sequence, StaffEvent
from db.people import add_household, search_keys
from db.roster import ImportResult, import_roster, read_csv, read_file, sorted_problems
from db.setup import Desk, add_places, load_desk, set_setting
from forms.citizen_id import make_citizen_id, mask_id
from forms.roster import Problem
from tests.conftest import HOME, TODAY, refusal
from tests.unit.test_roster_import import HEADER, SITE, people, pid, run, write_xlsx


@pytest.fixture(autouse=True)
def cold_name_keys() -> Iterator[None]:
    roster_module._keys.cache_clear()
    yield
    roster_module._keys.cache_clear()


def bad_digit(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


# ── reading: every refusal in both languages ──


def test_a_folder_is_not_a_roster_file(tmp_path: Path) -> None:
    assert refusal(lambda: read_file(tmp_path)) == (
        f"不是文件：{tmp_path}",
        f"not a file: {tmp_path}",
    )


def test_a_csv_file_has_no_sheet_to_choose(tmp_path: Path) -> None:
    path = tmp_path / "名册.csv"
    path.write_text("姓名,身份证号\n", encoding="utf-8")
    assert refusal(lambda: read_file(path, "名册")) == (
        "CSV 文件只有一张表，不能用 --sheet",
        "a CSV file has one sheet: drop --sheet",
    )


def test_a_broken_workbook_is_refused_with_the_readers_reason(tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    path.write_bytes(b"not a zip archive")
    zh, en = refusal(lambda: read_file(path))
    assert zh == "无法读取 坏.xlsx：不是有效的 Excel 文件（ZipError）"
    assert en.startswith("cannot read 坏.xlsx: not a valid Excel file (") and en.endswith(")")
    assert "Zip" in en


def test_a_csv_in_neither_encoding_is_refused_in_both_languages() -> None:
    assert refusal(lambda: read_csv("姓名".encode("utf-16"))) == (
        "CSV 文件的编码无法识别（应为 UTF-8 或 GBK/GB18030）",
        "the CSV file's encoding is neither UTF-8 nor GBK/GB18030",
    )


def two_sheets(path: Path, first: list[list[Any]], second: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    book.active.title = "说明"
    for cells in first:
        book.active.append(cells)
    sheet = book.create_sheet("花名册")
    for cells in second:
        sheet.append(cells)
    book.save(path)
    return path


def test_a_sheet_asked_for_by_name_is_read_and_a_missing_one_is_named_in_english(
    tmp_path: Path,
) -> None:
    path = two_sheets(tmp_path / "名册.xlsx", [["说明"]], [HEADER, people()[0]])
    found = read_file(path, "花名册")
    assert found.name == "花名册" and found.rows[0][:3] == ["户编号", "户主姓名", "姓名"]
    assert len(found.rows) == 2
    assert refusal(lambda: read_file(path, "名单")) == (
        "工作表“名单”不存在（本文件有：说明、花名册）",
        "no sheet named '名单' (the file has: 说明, 花名册)",
    )


def test_with_no_header_on_any_sheet_the_first_sheets_reason_is_given(tmp_path: Path) -> None:
    path = two_sheets(tmp_path / "名册.xlsx", [["说明"]], [["备注", "其他"], ["x", "y"]])
    zh, en = refusal(lambda: read_file(path))
    assert zh.startswith("前10行中找不到表头") and en.startswith("no header row in the first 10")


def test_empty_rows_and_columns_before_the_header_keep_the_sheets_row_numbers(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """A problem names the row as Excel numbers it, also when the sheet starts lower down."""
    book = openpyxl.Workbook()
    ws = book.active
    rows = [HEADER, *people()[:3]]
    rows[2] = [*rows[2]]
    rows[2][3] = bad_digit(rows[2][3])  # 李秀英, on the sheet's row 5
    for r, cells in enumerate(rows, start=3):
        for c, value in enumerate(cells, start=2):
            ws.cell(row=r, column=c, value=value)
    path = tmp_path / "名册.xlsx"
    book.save(path)
    found = read_file(path)
    assert found.rows[2][1] == "户编号" and found.rows[0] == [""] * len(found.rows[0])
    result = run(desk, path)
    assert [(p.row, p.column) for p in result.problems] == [(5, "身份证号码")]


@pytest.mark.parametrize(
    ("text", "cells"),
    [
        ("姓名\t电话\n周明\t138", [["姓名", "电话"], ["周明", "138"]]),
        ("a,b\tc\n", [["a", "b\tc"]]),  # as many tabs as commas: commas
        ('a,"x\r\ny"\r\nb,c\r\n', [["a", "x\r\ny"], ["b", "c"]]),  # a line break inside a cell
        # only the first 4096 characters decide: a tab after them does not tip the balance
        ("a,b\tc" + "y" * 4091 + "\t", [["a", "b\tc" + "y" * 4091 + "\t"]]),
    ],
)
def test_the_csv_delimiter_is_the_commoner_of_tab_and_comma(
    text: str, cells: list[list[str]]
) -> None:
    assert read_csv(text.encode("utf-8")) == cells


def test_problems_of_a_row_list_its_cells_before_the_row_itself() -> None:
    whole = Problem(5, "", "", "本行", "row")
    cell = Problem(5, "姓名", "x", "姓名", "name")
    earlier = Problem(4, "", "", "上一行", "row before")
    assert sorted_problems([whole, cell, earlier, cell]) == [earlier, cell, whole]


def test_the_json_summary_names_every_count(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    result = run(desk, write_xlsx(tmp_path / "名册.xlsx", people()), dry_run=True)
    assert isinstance(result, ImportResult)
    assert result.as_dict() == {
        "imported": 7, "updated": 0, "skipped": 0, "errors": [], "unchanged": 0,
        "households": {"added": 3, "updated": 0}, "places_added": [f"{HOME}·{SITE}"],
        "ignored_columns": [], "sheet": "名册", "dry_run": True,
    }  # fmt: skip
    assert (result.rows, result.written) == (7, False) and Person.select().count() == 0
    done = run(desk, write_xlsx(tmp_path / "名册.xlsx", people()))
    assert (done.rows, done.written) == (7, True)


# ── the county list: communities and sites ──


def test_a_site_on_the_county_list_needs_no_add_communities(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """Known sites are the list's and the stored households' (a site a household named before
    the list had it), each pair read as (community, site)."""
    with database.atomic():
        add_places([(HOME, SITE)])
    add_household(
        origin_village="洄水镇双河村", community=HOME, site="二期", moved_in=dt.date(2017, 1, 1),
        today=TODAY,
    )  # fmt: skip
    assert not Place.select().where(Place.site == "二期").exists()
    rows = people()
    for cells in rows[5:]:
        cells[9] = "二期"
    result = run(desk, write_xlsx(tmp_path / "名册.xlsx", rows), add_communities=False)
    assert (result.problems, result.places_added, result.imported) == ([], [], 7)


def test_unknown_places_are_row_problems_with_a_hint_in_both_languages(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """Three near names at most; none when nothing is near; a bad household is left out of the
    check and the households after it are still checked."""
    with database.atomic():
        add_places([("洄水镇洄水社区", ""), ("瓦庙镇瓦庙社区", ""), ("双桥镇双桥社区", "")])
    rows = people()
    rows[0][3] = bad_digit(rows[0][3])  # 周建国's household is bad ...
    rows[0][8] = "高滩镇高滩社区"  # ... so its unknown community is not reported
    for cells in rows[3:5]:
        cells[8] = "红椿镇红椿社区"  # near four known names: the three nearest are offered
    rows[5][8] = rows[6][8] = "岚皋县民主镇"  # near none
    rows[5][9] = rows[6][9] = "新区"
    result = run(desk, write_xlsx(tmp_path / "名册.xlsx", rows), add_communities=False)
    places = [p for p in result.problems if p.column in ("迁入社区", "安置点")]
    assert places == [
        Problem(
            7, "迁入社区", "红椿镇红椿社区",
            "迁入社区“红椿镇红椿社区”不在本县社区名单中，是否为：蒿坪镇双星社区、瓦庙镇瓦庙社区、"
            "洄水镇洄水社区；确为新社区请加 --add-communities",
            "community '红椿镇红椿社区' is not on the county list; did you mean: 蒿坪镇双星社区, "
            "瓦庙镇瓦庙社区, 洄水镇洄水社区; add --add-communities if it is new",
        ),
        Problem(
            9, "迁入社区", "岚皋县民主镇",
            "迁入社区“岚皋县民主镇”不在本县社区名单中；确为新社区请加 --add-communities",
            "community '岚皋县民主镇' is not on the county list; add --add-communities if it "
            "is new",
        ),
    ]  # fmt: skip
    rows[5][8] = rows[6][8] = HOME
    result = run(desk, write_xlsx(tmp_path / "名册2.xlsx", rows), add_communities=False)
    [site] = [p for p in result.problems if p.column == "安置点"]
    assert site == Problem(
        9, "安置点", "新区",
        f"安置点“新区”不在{HOME}的安置点名单中；确为新安置点请加 --add-communities",
        f"site '新区' is not on the list of {HOME}; add --add-communities if it is new",
    )  # fmt: skip


def test_every_new_community_and_site_is_added_and_nothing_of_a_bad_household(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()
    rows.insert(3, [*rows[0]])  # 周建国's household again under a new head, at HOME: nothing new
    rows[3][0:5] = ["1b", "周刚", "周刚", pid(1985, 12), "户主"]
    rows[3][9] = ""
    rows[0][3] = bad_digit(rows[0][3])
    rows[0][8] = "高滩镇高滩社区"  # a bad household: its community is not added
    for cells in rows[4:6]:
        cells[8] = "红椿镇红椿社区"
    rows[6][8] = rows[7][8] = "洄水镇洄水社区"
    rows[6][9] = rows[7][9] = "新区"
    result = run(desk, write_xlsx(tmp_path / "名册.xlsx", rows), skip_bad=True)
    assert result.places_added == [
        "红椿镇红椿社区", f"红椿镇红椿社区·{SITE}", "洄水镇洄水社区", "洄水镇洄水社区·新区",
    ]  # fmt: skip
    listed = set(Place.select(Place.community, Place.site).tuples())
    assert listed == {
        (HOME, ""), ("红椿镇红椿社区", ""), ("红椿镇红椿社区", SITE),
        ("洄水镇洄水社区", ""), ("洄水镇洄水社区", "新区"),
    }  # fmt: skip
    assert result.imported == 5


# ── what the database shows: problems after a bad household, and their columns ──


def test_a_bad_household_does_not_stop_the_households_after_it_being_matched(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    run(desk, write_xlsx(tmp_path / "v1.xlsx", people()))
    rows = people()
    rows[0][3] = bad_digit(rows[0][3])  # the first household is bad
    chen_xiaohong = rows.pop(4)  # 陈小红 now listed with 王德's household
    chen_xiaohong[0:2] = ["3", "王德"]
    chen_xiaohong[7:14] = [""] * 7
    rows.append(chen_xiaohong)
    result = run(desk, write_xlsx(tmp_path / "v2.xlsx", rows), skip_bad=True)
    moved = [p for p in result.problems if p.row == 10]
    assert moved == [
        Problem(
            10, "身份证号码", mask_id(pid(1996, 5, "女")),
            "身份证号已登记在另一搬迁户 H000002（陈小红），与本户不符",
            "the citizen ID is registered in another household H000002",
        )
    ]  # fmt: skip
    assert {p.row for p in result.problems} == {4, 5, 6, 10}
    assert (result.imported, result.updated, result.unchanged, result.skipped) == (0, 0, 3, 4)


def test_look_ups_in_small_chunks_find_every_stored_person(
    database: peewee.Database, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """IDs are looked up LOOKUP_CHUNK at a time: with chunks of two, seven people take four
    look-ups, and a second import still finds all seven."""
    monkeypatch.setattr(roster_module, "LOOKUP_CHUNK", 2)
    path = write_xlsx(tmp_path / "名册.xlsx", people())
    assert run(desk, path).imported == 7
    again = run(desk, path)
    assert (again.imported, again.unchanged, again.problems) == (0, 7, [])


# ── a second import: what it changes and the note it leaves ──

WITH_HUKOU = [*HEADER, "网格", "户籍地址"]


def rows_with_grid() -> list[list[Any]]:
    rows = people()
    for index, cells in enumerate(rows):
        cells.extend(["3网格" if index == 0 else "", ""])
    return rows


def write_with_grid(path: Path, rows: list[list[Any]]) -> Path:
    book = openpyxl.Workbook()
    book.active.append(WITH_HUKOU)
    for cells in rows:
        book.active.append(cells)
    book.save(path)
    return path


def test_a_new_household_stores_each_field_and_blanks_as_empty(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = rows_with_grid()
    for cells in rows[5:]:
        cells[10] = cells[12] = ""  # 王德's household: no 楼栋, no 房号
    path = write_with_grid(tmp_path / "v1.xlsx", rows)
    assert run(desk, path).imported == 7
    stored = [
        (h.number, h.grid, h.building, h.unit, h.room, h.phone, h.site, h.monitored)
        for h in Household.select().order_by(Household.id)
    ]
    assert stored == [
        ("H000001", "3网格", "5", "2", "302", "13800001111", SITE, False),
        ("H000002", "", "6", "1", "101", "", SITE, False),
        ("H000003", "", "", "", "", "", HOME, False),
    ]
    again = run(desk, path)  # the grid read back compares equal: nothing to change
    assert (again.updated, again.unchanged, again.households_updated) == (0, 7, 0)


def test_a_second_import_updates_what_changed_and_notes_each_change(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    run(desk, write_with_grid(tmp_path / "v1.xlsx", rows_with_grid()))
    rows = rows_with_grid()
    rows[0][6] = "13900002222"  # the head's phone: the person's and the household's
    rows[0][10] = ""  # a blank 楼栋 keeps the stored one
    rows[1][5] = "回"  # 李秀英's ethnicity
    rows[2][2] = "周明亮"  # renamed
    rows[2][6] = "13700003333"  # a phone where there was none
    rows[2][15] = "陕西省安康市紫阳县城关镇新桥村"  # his own hukou address
    rows[6][5] = "土家"  # 王小弟: his household itself does not change
    path = write_with_grid(tmp_path / "v2.xlsx", rows)
    result = run(desk, path)
    assert (result.imported, result.updated, result.unchanged) == (0, 4, 3)
    assert result.households_updated == 1
    zhou = Household.get(Household.number == "H000001")
    assert (zhou.phone, zhou.building, zhou.room) == ("13900002222", "5", "302")
    others = [(h.phone, h.room) for h in Household.select().where(Household.id != zhou.id)]
    assert sorted(others) == [("", "101"), ("", "501")]
    head = Person.get(Person.id_number == pid(1962, 1))
    assert head.phone == "13900002222"
    assert Person.get(Person.id_number == pid(1964, 2, "女")).ethnicity == "回族"
    ming = Person.get(Person.id_number == pid(1990, 3))
    keys = search_keys("周明亮", ming.id_number)
    assert (ming.name, ming.initials, ming.pinyin) == ("周明亮", keys["initials"], keys["pinyin"])
    assert (ming.phone, ming.hukou_address) == ("13700003333", "陕西省安康市紫阳县城关镇新桥村")
    assert Person.get(Person.id_number == pid(1975, 7)).ethnicity == "土家族"
    events = list(
        StaffEvent.select().where(StaffEvent.kind == "roster_import").order_by(StaffEvent.id)
    )
    assert len(events) == 2
    event = events[-1]
    assert (event.staff_id, event.by_staff_id, event.counter_code) == (
        desk.staff_id, desk.staff_id, desk.counter_code,
    )  # fmt: skip
    assert event.note.split("\n") == [
        "导入名册 v2.xlsx：新增0户0人，更新5项",
        "户 H000001：联系电话 13800001111→13900002222",
        f"{mask_id(pid(1962, 1))}：联系电话 13800001111→13900002222",
        f"{mask_id(pid(1964, 2, '女'))}：民族 汉族→回族",
        f"{mask_id(pid(1990, 3))}：姓名 周明→周明亮；联系电话 （空）→13700003333；"
        "户籍地址 陕西省安康市紫阳县洄水镇双河村→陕西省安康市紫阳县城关镇新桥村",
        f"{mask_id(pid(1975, 7))}：民族 汉族→土家族",
    ]


def test_a_stored_relation_code_that_does_not_match_its_term_is_put_right(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """A row as an older database may hold it (term 弟, code 71 of 兄): the same term in the
    roster still writes the term's own code."""
    path = write_xlsx(tmp_path / "名册.xlsx", people())
    run(desk, path)
    Person.update(relation_code="71").where(Person.id_number == pid(1975, 7)).execute()
    result = run(desk, path)
    assert (result.updated, result.unchanged) == (1, 6)
    brother = Person.get(Person.id_number == pid(1975, 7))
    assert (brother.relation, brother.relation_code) == ("弟", "73")
    note = StaffEvent.select().order_by(StaffEvent.id.desc()).get().note
    assert note.split("\n")[1:] == [f"{mask_id(pid(1975, 7))}：与户主关系 弟→弟"]


# ── writing: batches, numbers, search keys ──


@pytest.mark.parametrize(
    ("batch", "writes"),
    [
        (1, [(3, 7), (5, 7), (7, 7)]),
        (3, [(3, 7), (7, 7)]),  # 3 rows fill a batch; the next starts from none
        (4, [(5, 7), (7, 7)]),  # 3 + 2 rows reach 4; the last household alone
        (8, [(7, 7)]),
    ],
)
def test_batches_hold_whole_households_of_about_batch_rows(
    database: peewee.Database, desk: Desk, tmp_path: Path, batch: int, writes: list[tuple[int, int]]
) -> None:
    """people(): households of 3, 2 and 2 rows."""
    seen: list[tuple[str, int, int]] = []
    path = write_xlsx(tmp_path / "名册.xlsx", people())
    run(desk, path, batch=batch, progress=lambda *step: seen.append(step))
    assert [(done, total) for stage, done, total in seen if stage == "write"] == writes
    assert StaffEvent.select().where(StaffEvent.kind == "roster_import").count() == len(writes)
    assert Person.select().count() == 7


def test_household_numbers_past_h999999_grow_a_digit_and_find_their_households(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """A batch numbered H999999, H1000000, H1000001: numbers of two widths, whose text order
    is not their number order."""
    named = (Sequence.name == "household") & (Sequence.year == 0)
    if not Sequence.update(value=999998).where(named).execute():
        Sequence.create(name="household", year=0, value=999998)
    result = run(desk, write_xlsx(tmp_path / "名册.xlsx", people()))
    assert result.imported == 7
    numbers = {p.name: p.household.number for p in Person.select(Person, Household).join(Household)}
    assert numbers == {
        "周建国": "H999999", "李秀英": "H999999", "周明": "H999999",
        "陈立": "H1000000", "陈小红": "H1000000", "王德": "H1000001", "王小弟": "H1000001",
    }  # fmt: skip


def test_an_id_ending_in_x_is_stored_reversed_in_lower_case(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """The search reads a typed tail in lower case: the reversed ID is kept that way."""
    number = next(
        n
        for n in (make_citizen_id("610924", dt.date(1990, 5, 6), s) for s in range(3, 999, 2))
        if n.endswith("X")
    )
    rows = people()[:3]
    rows[2][3] = number
    run(desk, write_xlsx(tmp_path / "名册.xlsx", rows))
    stored = Person.get(Person.id_number == number)
    assert stored.id_reversed == number[::-1].lower() and stored.id_reversed.startswith("x")
    assert stored.id_reversed == search_keys(stored.name, number)["id_reversed"]


# ── import_roster itself ──


def test_an_officer_is_told_in_both_languages_that_importing_is_a_supervisors(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    add_staff(desk, "101", "张敏", password="zhangmin-pw-1")
    path = write_xlsx(tmp_path / "名册.xlsx", people())
    assert refusal(lambda: run(load_desk("101"), path)) == (
        "只有负责人（主管，supervisor）可以导入名册，工作人员 101 不是负责人",
        "only a supervisor may import a roster; staff 101 is not one",
    )


def test_new_communities_are_refused_unless_asked_for(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()
    for cells in rows[3:5]:
        cells[8] = "红椿镇红椿社区"
    result = import_roster(desk, write_xlsx(tmp_path / "名册.xlsx", rows), today=TODAY)
    reported = {(p.row, p.column) for p in result.problems if p.column}
    assert reported == {(4, "安置点"), (7, "迁入社区")}
    assert not result.written and Person.select().count() == 0


def test_checking_a_long_roster_reports_every_thousand_rows(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """1,201 one-person households: the check tells its progress at rows 1,000 and at the end,
    against the sheet's row count; without a callback nothing is told and nothing fails."""
    lines = [",".join(HEADER)]
    for n in range(1201):
        number = make_citizen_id("610924", dt.date(1950, 1, 1) + dt.timedelta(days=n), 11)
        lines.append(f"{n + 1},周建国,周建国,{number},户主,,,洄水镇双河村,{HOME},,,,,2018-10-18")
    path = tmp_path / "名册.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen: list[tuple[str, int, int]] = []
    result = run(desk, path, dry_run=True, progress=lambda *step: seen.append(step))
    assert (result.problems, result.imported, result.sheet) == ([], 1201, "名册")
    assert seen == [("check", 1000, 1202), ("check", 1202, 1202)]
    assert run(desk, path, dry_run=True).imported == 1201


def test_a_blank_phone_on_the_heads_row_keeps_the_stored_ones(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    run(desk, write_xlsx(tmp_path / "v1.xlsx", people()))
    rows = people()
    rows[0][6] = ""
    result = run(desk, write_xlsx(tmp_path / "v2.xlsx", rows))
    assert (result.updated, result.unchanged, result.households_updated) == (0, 7, 0)
    assert Household.get(Household.number == "H000001").phone == "13800001111"
    assert Person.get(Person.id_number == pid(1962, 1)).phone == "13800001111"


def test_a_household_change_counts_its_heads_row_as_updated(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """Two households move a door on, their people unchanged: each head's row is an updated
    row (the household's fields are on it), the others unchanged."""
    run(desk, write_xlsx(tmp_path / "v1.xlsx", people()))
    rows = people()
    rows[0][12] = "303"
    rows[3][12] = rows[4][12] = "102"
    result = run(desk, write_xlsx(tmp_path / "v2.xlsx", rows))
    assert (result.updated, result.unchanged, result.households_updated) == (2, 5, 2)
    rooms = [h.room for h in Household.select().order_by(Household.id)]
    assert rooms == ["303", "102", "501"]


@pytest.mark.parametrize(
    ("county", "hukou"),
    [
        (None, "陕西省安康市紫阳县洄水镇双河村"),  # no setting: the county's own name
        ("陕西省安康市岚皋县", "陕西省安康市岚皋县洄水镇双河村"),
        ("", "洄水镇双河村"),
    ],
)
def test_a_new_persons_hukou_address_is_the_set_county_and_the_origin_village(
    database: peewee.Database, desk: Desk, tmp_path: Path, county: str | None, hukou: str
) -> None:
    if county is not None:
        set_setting("county_name", county)
    run(desk, write_xlsx(tmp_path / "名册.xlsx", people()[:3]))
    assert {p.hukou_address for p in Person.select()} == {hukou}
