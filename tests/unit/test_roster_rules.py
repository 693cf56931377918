"""forms/roster.py: headers, cells and households of a roster, without a database or a file."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from forms.citizen_id import make_citizen_id
from forms.errors import CounterError
from forms.people import town_of
from forms.roster import (
    cell_date,
    cell_text,
    find_header,
    header_key,
    mask_text,
    parse_mapping,
    read_roster,
)

TODAY = dt.date(2026, 11, 27)
HOME = "蒿坪镇双星社区"
HEADER = ["户编号", "姓名", "身份证号码", "与户主关系", "民族", "迁出村", "迁入社区", "搬迁时间"]


def pid(year: int, serial: int, sex: str = "男") -> str:
    serial = serial * 2 + (1 if sex == "男" else 0)
    return make_citizen_id("610924", dt.date(year, 3, 4), serial)


def row(key: str, name: str, number: str, relation: str, **extra: Any) -> list[Any]:
    cells = [key, name, number, relation, "汉", "洄水镇双河村", HOME, "2018-10-18"]
    for index, label in enumerate(HEADER):
        if label in extra:
            cells[index] = extra[label]
    return cells


def problems_of(rows: list[list[Any]], **kwargs: Any) -> list[tuple[int, str, str]]:
    roster = read_roster(rows, TODAY, **kwargs)
    return [(p.row, p.column, p.zh) for p in roster.problems]


# ── headers ──


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("身份证号", "身份证号"),
        (" 身份证\n号码 ", "身份证号码"),
        ("公民身份号码（18位）", "公民身份号码"),
        ("*姓名", "姓名"),
        ("与户主关系：", "与户主关系"),
        ("ＩＤ", "ID"),  # NFKC
    ],
)
def test_header_key_normalises(raw: str, key: str) -> None:
    assert header_key(raw) == key


def test_header_found_below_title_rows_with_unknown_columns_reported() -> None:
    rows = [
        ["紫阳县易地扶贫搬迁户花名册", "", ""],
        ["填报单位：蒿坪镇", "", ""],
        [],
        ["序号", *HEADER, "备注"],
        ["1", *row("1", "周建国", pid(1962, 1), "户主")],
    ]
    header = find_header(rows)
    assert header.first_row == 3
    assert header.columns["id_number"] == 3 and header.columns["moved_in"] == 8
    assert header.ignored == ("序号", "备注")


def test_header_beyond_ten_rows_is_not_found() -> None:
    rows = [["标题"]] * 10 + [HEADER]
    with pytest.raises(CounterError, match="找不到表头"):
        find_header(rows)
    assert find_header([["标题"]] * 9 + [HEADER]).first_row == 9


def test_missing_required_column_is_fatal_and_names_it() -> None:
    with pytest.raises(CounterError, match="缺少必需的列：与户主关系") as caught:
        find_header([[h for h in HEADER if h != "与户主关系"]])
    assert "relation to head" in caught.value.en


def test_two_level_header_with_merged_cells() -> None:
    # 住址 merged over 楼栋/单元/房号 in the row below; the other labels merged down two rows.
    top = ["姓名", "身份证号", "与户主关系", "迁出村", "迁入社区", "搬迁时间", "住址", "", ""]
    below = ["", "", "", "", "", "", "楼栋", "单元", "房号"]
    merged = [((0, c), (1, c)) for c in range(6)] + [((0, 6), (0, 8))]
    rows = [
        top,
        below,
        ["周建国", pid(1962, 1), "户主", "双河村", HOME, "2018-10-18", "5", "2", "302"],
    ]
    roster = read_roster(rows, TODAY, merged=merged)
    assert roster.problems == []
    assert roster.header.columns["room"] == 8 and roster.header.last_row == 1
    assert roster.households[0].values["building"] == "5"


def test_label_merged_across_columns_is_not_an_unknown_column() -> None:
    rows = [["姓名", "身份证号", "与户主关系", "迁出村", "迁入社区", "搬迁时间", ""]]
    header = find_header(rows, merged=[((0, 5), (0, 6))])
    assert header.columns["moved_in"] == 5 and header.ignored == ()


def test_hukou_address_is_the_village_unless_a_village_column_exists() -> None:
    alone = find_header([["姓名", "身份证号", "与户主关系", "户籍地址", "迁入社区", "搬迁时间"]])
    assert alone.columns["origin_village"] == 3
    both = find_header(
        [["姓名", "身份证号", "与户主关系", "迁出村", "户籍地址", "迁入社区", "搬迁时间"]]
    )
    assert both.columns["origin_village"] == 3 and both.columns["hukou_address"] == 4


def test_map_overrides_and_bad_maps_are_one_line_errors() -> None:
    rows = [["姓名", "证件", "家庭角色", "迁出村", "迁入社区", "搬迁时间", "备注"]]
    mapping = parse_mapping(["证件=身份证号", "家庭角色=relation", "备注=ignore"])
    header = find_header(rows, mapping=mapping)
    assert header.columns["id_number"] == 1 and header.columns["relation"] == 2
    assert header.ignored == ()
    assert (
        find_header(rows, mapping=parse_mapping(["B=id_number", "C=relation"])).columns["id_number"]
        == 1
    )
    with pytest.raises(CounterError, match="列名=字段"):
        parse_mapping(["证件"])
    with pytest.raises(CounterError, match="字段“生日”无效"):
        parse_mapping(["证件=生日"])
    with pytest.raises(CounterError, match="不在表头中"):
        find_header(rows, mapping=parse_mapping(["证件号=身份证号", "家庭角色=relation"]))


# ── cells ──


@pytest.mark.parametrize(
    ("value", "day"),
    [
        (dt.date(2018, 10, 18), dt.date(2018, 10, 18)),
        (dt.datetime(2018, 10, 18, 0, 0), dt.date(2018, 10, 18)),
        (43391.0, dt.date(2018, 10, 18)),  # Excel serial
        (43391, dt.date(2018, 10, 18)),
        ("43391", dt.date(2018, 10, 18)),
        ("2018.10.18", dt.date(2018, 10, 18)),
        ("2018/10/18", dt.date(2018, 10, 18)),
        ("2018年10月18日", dt.date(2018, 10, 18)),
        ("2018.1.8", dt.date(2018, 1, 8)),
        ("２０１８-10-18", dt.date(2018, 10, 18)),
        ("20181018", dt.date(2018, 10, 18)),
    ],
)
def test_dates_in_cells(value: object, day: dt.date) -> None:
    assert cell_date(value) == day


@pytest.mark.parametrize("value", ["2018.13.01", "2018年2月30日", "去年", "2018.10", 0, -5.0])
def test_bad_dates_in_cells(value: object) -> None:
    with pytest.raises(CounterError):
        cell_date(value)


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, ""), (13800001111.0, "13800001111"), (5.0, "5"), (2.5, "2.5"), (" 302 ", "302")],
)
def test_cell_text(value: object, shown: str) -> None:
    assert cell_text(value) == shown


def test_mask_text_keeps_region_and_tail_only() -> None:
    assert mask_text("610924196204090013") == "610924********0013"
    assert mask_text("61092419620409001") == "610924*******9001"
    assert mask_text("12345") == "*****"


@pytest.mark.parametrize(
    ("community", "town"),
    [
        (HOME, "蒿坪镇"),
        ("城关镇新城社区", "城关镇"),
        ("新城街道办事处一社区", "新城街道办事处"),
        ("双星社区", ""),
    ],
)
def test_town_of(community: str, town: str) -> None:
    assert town_of(community) == town


# ── rows and households ──


def test_a_good_roster_groups_households_by_key() -> None:
    rows = [
        HEADER,
        row("A1", "周建国", pid(1962, 1), "户主"),
        row("A1", "李秀英", pid(1964, 2, "女"), "妻", 迁出村="", 迁入社区="", 搬迁时间=""),
        row("A2", "陈立", pid(1970, 3), "02"),
        row("A1", "周明", pid(1990, 4), "长子"),
        [None] * len(HEADER),  # empty rows are skipped
        ["", "", "", "", "", "", "", ""],
    ]
    roster = read_roster(rows, TODAY)
    assert roster.problems == [] and roster.data_rows == 4
    first, second = roster.households
    assert [p.name for p in first.people] == ["周建国", "李秀英", "周明"]
    assert first.values["moved_in"] == dt.date(2018, 10, 18)
    assert [p.relation for p in first.people] == ["户主", "妻", "长子"]
    assert second.head is not None and second.head.relation_code == "02"


def test_without_key_a_household_starts_at_each_head() -> None:
    header = [h for h in HEADER if h != "户编号"]
    rows = [
        header,
        row("", "周建国", pid(1962, 1), "户主")[1:],
        row("", "周明", pid(1990, 4), "长子")[1:],
        row("", "陈立", pid(1970, 3), "户主")[1:],
        row("", "陈小", pid(1995, 5, "女"), "长女")[1:],
    ]
    roster = read_roster(rows, TODAY)
    assert roster.problems == []
    assert [[p.name for p in h.people] for h in roster.households] == [
        ["周建国", "周明"],
        ["陈立", "陈小"],
    ]


def test_head_name_column_groups_and_is_checked() -> None:
    header = ["户主姓名", *[h for h in HEADER if h != "户编号"]]
    rows = [
        header,
        ["周建国", *row("", "周建国", pid(1962, 1), "户主")[1:]],
        ["周建国", *row("", "周明", pid(1990, 4), "长子")[1:]],
        ["陈立", *row("", "陈小", pid(1995, 5, "女"), "长女")[1:]],  # no head row for 陈立
        ["王五", *row("", "王伍", pid(1971, 6), "户主")[1:]],
    ]
    found = problems_of(rows)
    assert (4, "与户主关系", "本户没有户主（与户主关系为“户主”的一行），本户各行均未导入") in found
    assert any(r == 5 and "户主姓名“王五”与户主本人的姓名“王伍”不一致" in zh for r, _, zh in found)
    assert not any(r in (2, 3) for r, _, _ in found)


def test_each_rule_of_person_add_applies_with_masked_values() -> None:
    good = pid(1962, 1)
    bad_digit = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        HEADER,
        row("A", "周建国", bad_digit, "户主"),
        row("B", "周", pid(1963, 2), "户主"),
        row("C", "周明", pid(1964, 3), "表哥哥"),
        row("D", "周亮", pid(1965, 4), "户主", 民族="火星"),
        row("E", "周强", pid(1966, 5), "长女"),  # a man cannot be 长女
        row("F", "周刚", pid(1967, 6), "户主", 搬迁时间="1999-12-31"),
        row("G", "周勇", pid(1968, 7), "户主", 搬迁时间="2026-11-28"),
        row("H", "周伟", 6.10924196204090e17, "户主"),  # type: ignore[arg-type]  # a number cell
    ]
    found = read_roster(rows, TODAY).problems
    by_row: dict[int, Any] = {}
    for problem in found:
        by_row.setdefault(problem.row, problem)  # the row's own first problem
    assert by_row[2].value == bad_digit[:6] + "********" + bad_digit[14:]
    assert "校验位错误" in by_row[2].zh and bad_digit not in by_row[2].zh + by_row[2].en
    assert "姓名应为2至20个汉字" in by_row[3].zh
    assert "与户主关系“表哥哥”无效" in by_row[4].zh
    assert "不在56个民族名称中" in by_row[5].zh
    assert "应为女性" in by_row[6].zh and by_row[6].column == "与户主关系"
    assert "早于2000-01-01" in by_row[7].zh
    assert "晚于今天" in by_row[8].zh
    assert "存成了数字" in by_row[9].zh
    # the day before the first allowed and today itself are fine
    ok = [HEADER, row("A", "周建国", pid(1962, 1), "户主", 搬迁时间="2000-01-01")]
    ok.append(row("B", "周明", pid(1963, 2), "户主", 搬迁时间=TODAY.isoformat()))
    assert problems_of(ok) == []


def test_duplicate_ids_in_the_file_mark_every_occurrence() -> None:
    same = pid(1962, 1)
    rows = [HEADER, row("A", "周建国", same, "户主"), row("B", "周建国", same, "户主")]
    found = problems_of(rows)
    assert (2, "身份证号码", "身份证号在名册中重复（另见第3行）") in found
    assert (3, "身份证号码", "身份证号在名册中重复（另见第2行）") in found


def test_two_heads_and_a_differing_member_row() -> None:
    rows = [
        HEADER,
        row("A", "周建国", pid(1962, 1), "户主"),
        row("A", "周明", pid(1990, 4), "户主"),
        row("A", "周亮", pid(1991, 5), "次子", 迁入社区="城关镇新城社区"),
    ]
    found = problems_of(rows)
    assert (3, "与户主关系", "同一户有两个户主（第2行已是户主）") in found
    assert any(
        r == 4 and zh.startswith("迁入社区与同户户主行（第2行）不一致") for r, _, zh in found
    )


def test_a_bad_head_row_takes_its_household_with_it() -> None:
    rows = [
        HEADER,
        row("A", "周建国", pid(1962, 1), "户主", 搬迁时间="不详"),
        row("A", "周明", pid(1990, 4), "长子"),
        row("B", "陈立", pid(1970, 3), "户主"),
        row("B", "陈伟", pid(1991, 6), "弟弟", 民族="不详"),  # a bad member: only that row
    ]
    roster = read_roster(rows, TODAY)
    assert roster.bad_rows == {2, 3, 5}
    assert roster.households[0].bad and roster.households[0].people == []
    assert not roster.households[1].bad
    assert [p.name for p in roster.households[1].people] == ["陈立"]
    third = [p for p in roster.problems if p.row == 3]
    assert third[0].zh == "同户户主行（第2行）有误，本行未导入"


def test_a_head_without_village_is_reported_on_the_head_row() -> None:
    rows = [HEADER, row("A", "周建国", pid(1962, 1), "户主", 迁出村="")]
    assert problems_of(rows) == [(2, "迁出村", "缺少迁出村（应填在户主行）")]
