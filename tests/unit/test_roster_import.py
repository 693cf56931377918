"""Roster import end to end: real .xlsx, .xls and .csv files written here, imported into real
databases (SQLite and PostgreSQL) through db/roster.py and through the CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import peewee
import pytest

from db.accounts import add_staff
from db.audit import verify
from db.models import Household, Person, Place, Sequence, StaffEvent
from db.people import add_household, add_person, search_keys
from db.roster import import_roster, read_csv
from db.setup import Desk, check_known_community, known_communities, load_desk
from forms.citizen_id import make_citizen_id, mask_id
from forms.errors import CounterError
from forms.roster import Problem
from tests.conftest import HOME, TODAY

HEADER = [
    "户编号", "户主姓名", "姓名", "身份证号码", "与户主关系", "民族", "联系电话",
    "迁出村", "迁入社区", "安置点", "楼栋", "单元", "房号", "搬迁时间",
]  # fmt: skip
SITE = "双星安置小区"


def pid(year: int, serial: int, sex: str = "男") -> str:
    serial = serial * 2 + (1 if sex == "男" else 0)
    return make_citizen_id("610924", dt.date(year, 5, 6), serial)


def people() -> list[list[Any]]:
    """Three households, seven people: dates as a real date, an Excel serial and text."""
    return [
        ["1", "周建国", "周建国", pid(1962, 1), "户主", "汉", 13800001111, "洄水镇双河村", HOME, SITE, "5", "2", "302", dt.date(2018, 10, 18)],
        ["1", "周建国", "李秀英", pid(1964, 2, "女"), "妻", "", "", "", "", "", "", "", "", None],
        ["1", "周建国", "周明", pid(1990, 3), "长子", "汉族", "", "", "", "", "", "", "", None],
        ["2", "陈立", "陈立", pid(1970, 4), "户主", "土家", "", "洄水镇油坊村", HOME, SITE, "6", "1", "101", 43391],
        ["2", "陈立", "陈小红", pid(1996, 5, "女"), "长女", "土家", "", "洄水镇油坊村", HOME, SITE, "6", "1", "101", 43391],
        ["3", "王德", "王德", pid(1955, 6), "02", "", "", "汉王镇汉城村", HOME, "", "7", "", "501", "2019.3.2"],
        ["3", "王德", "王小弟", pid(1975, 7), "弟", "", "", "汉王镇汉城村", HOME, "", "7", "", "501", "2019年3月2日"],
    ]  # fmt: skip


def write_xlsx(
    path: Path, rows: list[list[Any]], *, title: bool = True, sheet: str = "名册"
) -> Path:
    """As a township sheet looks: a merged title row and a note above the header."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append(["紫阳县易地扶贫搬迁户花名册"])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
        ws.append(["填报单位：蒿坪镇人民政府"])
    ws.append(HEADER)
    for cells in rows:
        ws.append(cells)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], encoding: str) -> Path:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for cells in rows:
        writer.writerow(
            ["" if c is None else (c.isoformat() if isinstance(c, dt.date) else c) for c in cells]
        )
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def run(desk: Desk, path: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("add_communities", True)
    return import_roster(desk, path, today=TODAY, **kwargs)


def test_an_xlsx_roster_imports_and_again_changes_nothing(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    path = write_xlsx(tmp_path / "蒿坪镇.xlsx", people())
    result = run(desk, path)
    assert (result.imported, result.updated, result.skipped) == (7, 0, 0)
    assert result.households_added == 3 and result.problems == []
    assert result.places_added == [f"{HOME}·{SITE}"]
    assert [h.number for h in Household.select().order_by(Household.id)] == [
        "H000001", "H000002", "H000003",
    ]  # fmt: skip
    zhou = Person.get(Person.id_number == pid(1962, 1))
    assert zhou.household.moved_in == dt.date(2018, 10, 18) and zhou.household.room == "302"
    assert zhou.household.site == SITE and zhou.household.phone == "13800001111"
    assert zhou.hukou_address == "陕西省安康市紫阳县洄水镇双河村"  # as person add defaults it
    assert isinstance(zhou.created_at, dt.datetime) and zhou.birth_date == dt.date(1962, 5, 6)
    assert isinstance(zhou.household.created_at, dt.datetime) and zhou.sex == "男"
    assert (zhou.initials, zhou.pinyin, zhou.id_reversed) == tuple(
        search_keys("周建国", zhou.id_number).values()
    )
    chen = Person.get(Person.id_number == pid(1970, 4))
    assert chen.household.moved_in == dt.date(2018, 10, 18) and chen.ethnicity == "土家族"
    wang = Person.get(Person.id_number == pid(1975, 7))
    assert (wang.relation, wang.relation_code, wang.household.site) == ("弟", "73", HOME)
    assert wang.household.moved_in == dt.date(2019, 3, 2)
    assert Person.get(Person.id_number == pid(1964, 2, "女")).ethnicity == "汉族"
    # the series moved on by the batch: the next household typed at the counter follows
    assert Sequence.get(Sequence.name == "household").value == 3
    nxt = add_household(
        origin_village="洄水镇双河村", community=HOME, moved_in=dt.date(2020, 1, 1), today=TODAY
    )
    assert nxt.number == "H000004"
    events = list(StaffEvent.select().where(StaffEvent.kind == "roster_import"))
    assert len(events) == 1 and "新增3户7人" in events[0].note

    again = run(desk, path)
    assert (again.imported, again.updated, again.unchanged, again.skipped) == (0, 0, 7, 0)
    assert Person.select().count() == 7 and Household.select().count() == 4
    assert StaffEvent.select().where(StaffEvent.kind == "roster_import").count() == 1
    assert verify()["ok"]


def test_a_changed_row_updates_the_person_and_records_it(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()
    run(desk, write_xlsx(tmp_path / "v1.xlsx", rows))
    rows[2][2] = "周明亮"  # renamed
    rows[0][12] = "303"  # the household moved a door on
    rows[6][4] = "兄"  # 王小弟 was written 弟 by mistake
    rows[6][2] = "王小兄"
    result = run(desk, write_xlsx(tmp_path / "v2.xlsx", rows), batch=2)
    assert (result.imported, result.updated, result.unchanged) == (0, 3, 4)
    assert result.households_updated == 1
    ming = Person.get(Person.id_number == pid(1990, 3))
    assert ming.name == "周明亮" and ming.pinyin == search_keys("周明亮", "")["pinyin"]
    assert ming.household.room == "303"
    brother = Person.get(Person.id_number == pid(1975, 7))
    assert (brother.relation, brother.relation_code) == ("兄", "71")
    notes = "\n".join(e.note for e in StaffEvent.select().where(StaffEvent.kind == "roster_import"))
    assert f"{mask_id(pid(1990, 3))}：姓名 周明→周明亮" in notes
    assert "房号 302→303" in notes and pid(1990, 3) not in notes
    assert verify()["ok"]


def test_the_head_can_change_within_a_household(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()[:3]
    run(desk, write_xlsx(tmp_path / "v1.xlsx", rows))
    rows[0][4], rows[1][4] = "夫", "户主"  # the wife is the head now
    rows[1][7:14] = rows[0][7:14]
    rows[0][7:14] = [""] * 7
    for cells in rows:
        cells[1] = "李秀英"
    result = run(desk, write_xlsx(tmp_path / "v2.xlsx", [rows[1], rows[0], rows[2]]))
    assert result.problems == [] and result.updated == 2
    head = Person.get(Person.relation_code == "02")
    assert head.name == "李秀英"


def test_bad_rows_import_nothing_unless_skip_bad(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()
    good = rows[3][3]
    rows[3][3] = good[:17] + ("0" if good[17] != "0" else "1")  # 陈立's check digit
    rows.append([None] * len(HEADER))  # an empty row
    rows.append(
        ["4", "", "孤儿", pid(2010, 8), "长子", "", "", "x村", HOME, "", "", "", "", "2020-01-01"]
    )
    path = write_xlsx(tmp_path / "bad.xlsx", rows)
    result = run(desk, path)
    assert (result.imported, result.skipped) == (0, 3)
    assert Person.select().count() == 0 and Household.select().count() == 0
    assert not Place.select().where(Place.site == SITE).exists()  # nothing, not even places
    masked = next(p for p in result.problems if p.row == 7 and p.column == "身份证号码")
    assert masked.value == mask_id(rows[3][3]) and "校验位" in masked.zh
    assert {p.row for p in result.problems} == {7, 8, 12}  # 陈小红 with her head; the orphan
    assert not any(p.row == 11 for p in result.problems)  # the empty row is no problem

    partial = run(desk, path, skip_bad=True)
    assert (partial.imported, partial.skipped) == (5, 3)
    assert Person.select().count() == 5
    assert not Person.select().where(Person.name == "陈小红").exists()


def test_an_id_of_another_household_in_the_database_is_a_bad_row(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    other = add_household(
        origin_village="洄水镇双河村", community=HOME, moved_in=dt.date(2017, 1, 1), today=TODAY
    )
    add_person(
        household_number=other.number, id_number=pid(1962, 9), name="赵一", relation="户主",
        today=TODAY,
    )  # fmt: skip
    add_person(
        household_number=other.number, id_number=pid(1990, 3), name="周明", relation="长子",
        today=TODAY,
    )  # fmt: skip
    path = write_xlsx(tmp_path / "dup.xlsx", people())
    result = run(desk, path)
    assert result.imported == 0
    [problem] = [p for p in result.problems if p.row == 6]
    assert problem.zh.startswith(f"身份证号已登记在另一搬迁户 {other.number}（周明）")
    assert problem.value == mask_id(pid(1990, 3))
    result = run(desk, path, skip_bad=True)
    assert (result.imported, result.skipped) == (6, 1)
    assert Person.get(Person.id_number == pid(1990, 3)).household_id == other.id  # type: ignore[attr-defined]


def test_a_new_head_makes_a_new_household_and_stored_members_stay(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()[:3]
    run(desk, write_xlsx(tmp_path / "v1.xlsx", rows))
    rows[0] = [*rows[0][:3], pid(1963, 11), *rows[0][4:]]  # a new head for the stored household
    rows[0][2] = "周新"
    rows[0][1] = "周新"
    rows[1][1] = rows[2][1] = "周新"
    result = run(desk, write_xlsx(tmp_path / "v2.xlsx", rows))
    assert {p.row for p in result.problems} == {5, 6}
    assert all(p.zh.startswith("身份证号已登记在另一搬迁户 H000001") for p in result.problems)
    assert Person.select().count() == 3


def test_unknown_communities_need_add_communities(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()
    for cells in rows[3:5]:
        cells[8] = "红椿镇红椿社区"
    path = write_xlsx(tmp_path / "new.xlsx", rows)
    result = run(desk, path, add_communities=False)
    bad = {(p.row, p.column) for p in result.problems}
    assert (4, "安置点") in bad and (7, "迁入社区") in bad  # the first household's site too
    with pytest.raises(CounterError):
        check_known_community("红椿镇红椿社区")
    dry = run(desk, path, dry_run=True)
    assert (
        dry.imported == 7
        and Person.select().count() == 0
        and "红椿镇红椿社区" not in known_communities()
    )
    result = run(desk, path)
    assert result.imported == 7
    assert check_known_community("红椿镇红椿社区") == "红椿镇红椿社区"
    town = Place.get((Place.community == "红椿镇红椿社区") & (Place.site == SITE)).town
    assert town == "红椿镇"


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8"])
def test_csv_in_the_encodings_towns_use(
    database: peewee.Database, desk: Desk, tmp_path: Path, encoding: str
) -> None:
    rows = [r for r in people() if r[0] != "2"]
    rows[0][2] = rows[0][1] = "周建国"
    path = write_csv(tmp_path / "名册.csv", rows, encoding)
    result = run(desk, path)
    assert result.problems == [] and result.imported == 5
    assert Person.get(Person.id_number == pid(1975, 7)).name == "王小弟"


def test_csv_in_neither_encoding_is_refused_in_words() -> None:
    with pytest.raises(CounterError, match="编码无法识别"):
        read_csv("姓名".encode("utf-16"))


def test_an_xls_roster(database: peewee.Database, desk: Desk, tmp_path: Path) -> None:
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("名册")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    for c, label in enumerate(HEADER):
        sheet.write(0, c, label)
    for r, cells in enumerate(people(), start=1):
        for c, value in enumerate(cells):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            elif value is not None:
                sheet.write(r, c, value)
    path = tmp_path / "名册.xls"
    book.save(str(path))
    result = run(desk, path)
    assert result.problems == [] and result.imported == 7
    assert Household.get(Household.number == "H000001").moved_in == dt.date(2018, 10, 18)


def test_merged_cells_down_a_household_and_a_second_sheet(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    path = tmp_path / "merged.xlsx"
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["本表为填报说明"])
    ws = book.create_sheet("花名册")
    ws.append(HEADER)
    for cells in people()[:3]:
        ws.append(cells)
    for col in (1, 2, 8, 9, 10, 11, 12, 13, 14):  # 户编号, 户主姓名 and the address merged down
        ws.merge_cells(start_row=2, start_column=col, end_row=4, end_column=col)
    book.save(path)
    result = run(desk, path)  # no --sheet: the first sheet with a header
    assert result.sheet == "花名册" and result.problems == [] and result.imported == 3
    with pytest.raises(CounterError, match="工作表“名单”不存在（本文件有：说明、花名册）"):
        run(desk, path, sheet="名单")


def test_an_officer_may_not_import(database: peewee.Database, desk: Desk, tmp_path: Path) -> None:
    add_staff(desk, "101", "张敏", password="zhangmin-pw-1")
    officer = load_desk("101")
    with pytest.raises(CounterError, match="只有负责人"):
        run(officer, write_xlsx(tmp_path / "a.xlsx", people()))


# ── through the CLI ──


def test_cli_json_report_file_and_reimport(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = people()
    path = write_xlsx(tmp_path / "名册.xlsx", rows)
    dry = json.loads(cli("import", str(path), "--dry-run", "--add-communities", "--json").stdout)
    assert (dry["imported"], dry["updated"], dry["skipped"], dry["errors"]) == (7, 0, 0, [])
    done = json.loads(cli("import", str(path), "--add-communities", "--json").stdout)
    assert done["imported"] == 7 and done["households"]["added"] == 3
    again = json.loads(cli("import", str(path), "--json").stdout)
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 7)
    shown = cli("household", "show", "H000001", "--json")
    assert [m["name"] for m in json.loads(shown.stdout)["household"]["members"]] == [
        "周建国", "李秀英", "周明",
    ]  # fmt: skip

    good = rows[5][3]
    rows[5][3] = good[:17] + ("0" if good[17] != "0" else "1")
    bad_path = write_xlsx(tmp_path / "坏.xlsx", rows)
    failed = cli("import", str(bad_path), "--json", ok=False)
    assert failed.exit_code == 1
    data = json.loads(failed.stdout)
    assert data["imported"] == 0 and data["skipped"] == 2
    first = data["errors"][0]
    assert (first["row"], first["column"], first["value"]) == (9, "身份证号码", mask_id(rows[5][3]))
    assert set(first) == {"row", "column", "value", "reason"}
    report = tmp_path / "坏.errors.xlsx"
    assert data["report"] == str(report)
    sheet = openpyxl.load_workbook(report).active
    lines = list(sheet.iter_rows(values_only=True))
    assert lines[0] == ("行号", "列", "值", "原因", "Reason")
    assert lines[1][:3] == (9, "身份证号码", mask_id(rows[5][3])) and "校验位" in lines[1][3]
    assert all(rows[5][3] not in str(cell) for line in lines for cell in line)

    text = cli("import", str(bad_path), ok=False)
    assert "校验位错误" in text.stdout and mask_id(rows[5][3]) in text.stdout
    assert "未导入任何数据" in text.stderr and rows[5][3] not in text.output


@pytest.mark.parametrize(
    ("args", "zh", "en"),
    [
        (("import", "{dir}/没有.xlsx"), "找不到文件", "no such file"),
        (("import", "{xlsx}", "--map", "证件"), "--map 应写成 列名=字段", "--map must be"),
        (("import", "{xlsx}", "--map", "证件号=身份证号"), "不在表头中", "the header does not"),
        (("import", "{xlsx}", "--sheet", "名单"), "工作表“名单”不存在", "no sheet named"),
        (("import", "{dir}/名册.txt"), "名册应为 .xlsx", "a roster must be"),
    ],
)
def test_cli_file_errors_are_one_line(
    cli, tmp_path: Path, args: tuple[str, ...], zh: str, en: str
) -> None:  # type: ignore[no-untyped-def]
    xlsx = write_xlsx(tmp_path / "名册.xlsx", people())
    (tmp_path / "名册.txt").write_text("x")
    filled = tuple(a.format(dir=tmp_path, xlsx=xlsx) for a in args)
    result = cli(*filled, ok=False)
    assert result.exit_code == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("错误：") and zh in line and en in line
    as_json = cli(*filled, "--json", ok=False)
    error = json.loads(as_json.stdout)["error"]
    assert zh in error["zh"] and en in error["en"]
    assert Person.select().count() == 0


def test_cli_import_needs_a_supervisor(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cli("staff", "add", "101", "张敏", "--password-stdin", input="zhangmin-pw\n")
    cli.login("101", "zhangmin-pw")
    result = cli("import", str(write_xlsx(tmp_path / "a.xlsx", people())), ok=False)
    assert result.exit_code == 1 and "只有负责人" in result.stderr


def test_a_member_made_head_while_the_stored_head_is_left_out_is_refused(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    rows = people()[:3]
    run(desk, write_xlsx(tmp_path / "v1.xlsx", rows))
    wife = [*rows[1]]
    wife[1], wife[4], wife[7:14] = "李秀英", "户主", rows[0][7:14]
    son = [*rows[2]]
    son[1] = "李秀英"
    result = run(desk, write_xlsx(tmp_path / "v2.xlsx", [wife, son]))
    [problem] = [p for p in result.problems if p.row == 4]
    # named on the new head's relation cell, in both languages
    assert problem == Problem(
        4, "与户主关系", "户主",
        "搬迁户 H000001 已有户主（周建国），名册中未列出该户主，不能另设户主",
        "household H000001 already has a head who is not in the roster",
    )  # fmt: skip
    assert Person.get(Person.relation_code == "02").name == "周建国"


def test_the_places_migration_lists_what_the_database_names(
    database: peewee.Database, desk: Desk
) -> None:
    """A database from before m0009: the step makes the table from the counter's community and
    the households' communities and sites; running it again adds nothing."""
    from db import migrations
    from db.migrations import m0009_places as m0009
    from db.models import SchemaVersion

    add_household(
        origin_village="洄水镇双河村", community="红椿镇红椿社区", site="红椿一区",
        moved_in=dt.date(2017, 1, 1), today=TODAY, new_community=True,
    )  # fmt: skip
    migrator = migrations.migrator_for(database)
    with database.atomic():
        m0009.down(migrator, database)
        SchemaVersion.delete().where(SchemaVersion.name == "m0009_places").execute()
    assert "place" not in database.get_tables()
    assert migrations.upgrade(database) == ["m0009_places"]
    listed = set(Place.select(Place.town, Place.community, Place.site).tuples())
    assert listed == {
        ("蒿坪镇", HOME, ""),
        ("红椿镇", "红椿镇红椿社区", ""),
        ("红椿镇", "红椿镇红椿社区", "红椿一区"),
    }
    with database.atomic():
        assert m0009.fill(database) == 0
    assert known_communities() == sorted({HOME, "红椿镇红椿社区"})


def test_cli_place_list_and_add(cli) -> None:  # type: ignore[no-untyped-def]
    listed = json.loads(cli("place", "list", "--json").stdout)["places"]
    assert listed == [{"town": "蒿坪镇", "community": HOME, "site": ""}]
    added = json.loads(cli("place", "add", "红椿镇红椿社区", "--site", "红椿一区", "--json").stdout)
    assert added["place"] == {
        "town": "红椿镇", "community": "红椿镇红椿社区", "site": "红椿一区", "added": True,
    }  # fmt: skip
    again = cli("place", "add", "红椿镇红椿社区", "--site", "红椿一区")
    assert "名单中已有" in again.stdout
    assert len(json.loads(cli("place", "list", "--json").stdout)["places"]) == 3
    bad = cli("place", "add", "坏\x1b[31m社区", ok=False)
    assert bad.exit_code == 1 and "控制字符" in bad.stderr
    cli("staff", "add", "101", "张敏", "--password-stdin", input="zhangmin-pw\n")
    cli.login("101", "zhangmin-pw")
    refused = cli("place", "add", "双桥镇双桥社区", ok=False)
    assert refused.exit_code == 1 and "只有负责人" in refused.stderr
    assert len(json.loads(cli("place", "list", "--json").stdout)["places"]) == 3


def test_a_report_that_cannot_be_written_keeps_what_was_imported(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rows = people()
    rows[6][5] = "火星"  # 王小弟's ethnicity: one bad member row
    path = write_xlsx(tmp_path / "名册.xlsx", rows)
    (tmp_path / "名册.errors.xlsx").mkdir()  # the report's place is taken by a folder
    result = cli("import", str(path), "--skip-bad", "--add-communities", "--json")
    data = json.loads(result.stdout)
    assert (data["imported"], data["skipped"], data["report"]) == (6, 1, None)
    assert "问题清单未能写入" in result.stderr
    assert Person.select().count() == 6


def test_progress_reports_checking_then_writing_to_the_end(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    seen: list[tuple[str, int, int]] = []
    path = write_xlsx(tmp_path / "名册.xlsx", people())
    run(desk, path, batch=2, progress=lambda *step: seen.append(step))
    stages = [stage for stage, _, _ in seen]
    assert (
        stages.index("write") > stages.index("check")
        and "check" not in stages[stages.index("write") :]
    )
    writes = [(done, total) for stage, done, total in seen if stage == "write"]
    assert writes[-1] == (7, 7) and len(writes) == 3  # households of 3, 2 and 2 rows, 2 per batch
    assert [done for done, _ in writes] == sorted(done for done, _ in writes)


def test_a_two_level_merged_header_in_a_real_workbook(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    """住址 merged over 楼栋/单元/房号 below it; every other label merged down two rows."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(["紫阳县搬迁户名册（2026年）"])
    top = ["户编号", "姓名", "身份证\n号码", "与户主关系", "迁出村", "迁入社区", "住址", None, None, "搬迁时间", "备注"]  # fmt: skip
    ws.append(top)
    ws.append([None] * 6 + ["楼栋", "单元", "房号", None, None])
    for col in (*range(1, 7), 10, 11):
        ws.merge_cells(start_row=2, start_column=col, end_row=3, end_column=col)
    ws.merge_cells(start_row=2, start_column=7, end_row=2, end_column=9)
    ws.append(["1", "周建国", pid(1962, 1), "户主", "洄水镇双河村", HOME, "5", "2", "302", "2018.10.18", ""])  # fmt: skip
    ws.append(["1", "周明", pid(1990, 3), "长子", "", "", "", "", "", "", "在外务工"])
    path = tmp_path / "两级表头.xlsx"
    book.save(path)
    result = run(desk, path)
    assert result.problems == [] and result.imported == 2
    assert result.ignored_columns == ("备注",)
    household = Person.get(Person.id_number == pid(1990, 3)).household
    assert (household.building, household.unit, household.room) == ("5", "2", "302")


def test_the_cycle_collector_pauses_for_an_import_and_comes_back(
    database: peewee.Database, desk: Desk, tmp_path: Path
) -> None:
    import gc

    during: list[bool] = []
    path = write_xlsx(tmp_path / "名册.xlsx", people())
    assert gc.isenabled()
    run(desk, path, progress=lambda *step: during.append(gc.isenabled()))
    assert during and not any(during)  # off from reading to the last batch
    assert gc.isenabled()
    add_staff(desk, "102", "李华", password="lihua-pw-2")
    with pytest.raises(CounterError):  # an error on the way out brings it back too
        run(load_desk("102"), path)
    assert gc.isenabled()
    gc.disable()  # a caller that turned it off keeps it off
    try:
        run(desk, path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_household_add_with_new_community_puts_it_on_the_place_list(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A community founded by `household add --new-community` is on the county list, with the
    household's site, as `place add` would put it; a roster naming them needs no
    --add-communities."""
    cli(
        "household", "add", "--origin-village", "洄水镇双河村", "--community", "红椿镇红椿社区",
        "--site", "红椿一区", "--moved-in", "2019-05-01", "--new-community",
    )  # fmt: skip
    listed = json.loads(cli("place", "list", "--json").stdout)["places"]
    assert {"town": "红椿镇", "community": "红椿镇红椿社区", "site": ""} in listed
    assert {"town": "红椿镇", "community": "红椿镇红椿社区", "site": "红椿一区"} in listed
    assert len(listed) == 3
    again = cli("place", "add", "红椿镇红椿社区", "--site", "红椿一区")
    assert "名单中已有" in again.stdout
    rows = people()
    for row in rows:
        if row[8]:
            row[8], row[9] = "红椿镇红椿社区", "红椿一区" if row[9] else ""
    path = write_xlsx(tmp_path / "名册.xlsx", rows)
    data = json.loads(cli("import", str(path), "--json").stdout)
    assert (data["imported"], data["errors"], data["places_added"]) == (7, [], [])


def test_a_clean_import_removes_the_stale_report_it_wrote(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """名册.errors.xlsx from a failed run goes once the fixed file imports cleanly; a clean
    --dry-run only mentions it."""
    rows = people()
    good = rows[5][3]
    rows[5][3] = good[:17] + ("0" if good[17] != "0" else "1")
    folder = tmp_path / "rosters"
    folder.mkdir()
    path = write_xlsx(folder / "名册.xlsx", rows)
    report = folder / "名册.errors.xlsx"
    failed = json.loads(cli("import", str(path), "--add-communities", "--json", ok=False).stdout)
    assert failed["report"] == str(report) and report.is_file()
    assert failed["errors_file_removed"] is None

    rows[5][3] = good
    write_xlsx(path, rows)
    dry = json.loads(cli("import", str(path), "--dry-run", "--add-communities", "--json").stdout)
    assert (dry["errors"], dry["errors_file_removed"], dry["errors_file_stale"]) == (
        [], None, str(report),
    )  # fmt: skip
    text = cli("import", str(path), "--dry-run", "--add-communities")
    assert f"旧的问题清单 {report}" in text.stdout and "未删除" in text.stdout
    assert report.is_file()

    done = cli("import", str(path), "--add-communities")
    assert f"已删除旧的问题清单 {report}" in done.stdout and "removed" in done.stdout
    assert not report.exists() and Person.select().count() == 7
    again = json.loads(cli("import", str(path), "--json").stdout)
    assert (again["errors_file_removed"], again["errors_file_stale"]) == (None, None)
    assert [p.name for p in folder.iterdir()] == ["名册.xlsx"]


REPORT_HEADER = ["行号", "列", "值", "原因", "Reason"]


@pytest.mark.parametrize(
    ("sheet", "cells"),
    [
        (
            "导入问题",
            [[*REPORT_HEADER, "处理情况"], [9, "身份证号码", "x", "校验位错误", "bad", "已改"]],
        ),
        ("导入问题", [["姓名", "身份证号码"], ["周建国", "x"]]),  # the officer's own list
        ("Sheet1", [REPORT_HEADER, [9, "身份证号码", "x", "校验位错误", "bad"]]),
    ],
)
def test_a_file_named_like_the_report_that_this_program_did_not_write_stays(
    cli, tmp_path: Path, sheet: str, cells: list[list[Any]]
) -> None:  # type: ignore[no-untyped-def]
    from printouts.roster_report import write_report

    folder = tmp_path / "rosters"
    folder.mkdir()
    path = write_xlsx(folder / "名册.xlsx", people())
    other = folder / "名册.errors.xlsx"
    book = openpyxl.Workbook()
    book.active.title = sheet
    for line in cells:
        book.active.append(line)
    book.save(other)
    before = other.read_bytes()
    problem = {"row": 9, "column": "身份证号码", "value": "x", "reason": {"zh": "错", "en": "bad"}}
    write_report(folder / "名册2.errors.xlsx", [problem])  # ours, but another roster's
    data = json.loads(cli("import", str(path), "--add-communities", "--json").stdout)
    removed, stale = data["errors_file_removed"], data["errors_file_stale"]
    assert (data["imported"], removed, stale) == (7, None, None)
    assert "问题清单" not in cli("import", str(path)).stdout
    assert other.read_bytes() == before
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["名册.errors.xlsx", "名册.xlsx", "名册2.errors.xlsx"]


def test_only_a_report_file_this_program_wrote_is_recognised(tmp_path: Path) -> None:
    from printouts.roster_report import is_our_report, write_report

    problem = {"row": 9, "column": "身份证号码", "value": "x", "reason": {"zh": "错", "en": "bad"}}
    ours = tmp_path / "a.errors.xlsx"
    write_report(ours, [problem])
    write_report(tmp_path / "empty.errors.xlsx", [])
    (tmp_path / "text.errors.xlsx").write_text("行号,列,值,原因,Reason\n")
    (tmp_path / "folder.errors.xlsx").mkdir()
    (tmp_path / "link.errors.xlsx").symlink_to(ours)
    found = {p.name: is_our_report(p) for p in tmp_path.iterdir()}
    assert found == {
        "a.errors.xlsx": True,
        "empty.errors.xlsx": True,
        "text.errors.xlsx": False,
        "folder.errors.xlsx": False,
        "link.errors.xlsx": False,
    }
    assert not is_our_report(tmp_path / "none.errors.xlsx")
