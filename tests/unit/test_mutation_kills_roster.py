"""forms/roster.py, rule by rule: merged cells, column letters, cell values, dates and their
messages, masking, and each problem a roster row can give (its row, column, value and the reason
in Chinese and English). Written against the surviving mutants of a mutmut run over
forms/roster.py (README, 变异测试): each test here fails under at least one of them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from forms.citizen_id import make_citizen_id
from forms.errors import CounterError
from forms.people import town_of
from forms.roster import (
    Problem,
    _column_letter,
    cell_date,
    cell_text,
    fill_merged,
    find_header,
    mask_text,
    parse_mapping,
    read_roster,
)

TODAY = dt.date(2026, 11, 27)
HOME = "蒿坪镇双星社区"
HEADER = ["户编号", "姓名", "身份证号码", "与户主关系", "民族", "迁出村", "迁入社区", "搬迁时间"]


def pid(year: int, serial: int, sex: str = "男", month: int = 3, day: int = 4) -> str:
    serial = serial * 2 + (1 if sex == "男" else 0)
    return make_citizen_id("610924", dt.date(year, month, day), serial)


def row(key: str, name: str, number: str, relation: str, **extra: Any) -> list[Any]:
    cells = [key, name, number, relation, "汉", "洄水镇双河村", HOME, "2018-10-18"]
    for index, label in enumerate(HEADER):
        if label in extra:
            cells[index] = extra[label]
    return cells


# ── merged cells ──


@pytest.mark.parametrize(
    ("rows", "merged", "filled"),
    [
        # a range down and across: blanks take the top-left value, a written cell keeps its own
        (
            [["a", "", ""], ["", "b", ""], ["", "", ""]],
            [((0, 0), (1, 2))],
            [["a", "a", "a"], ["a", "b", "a"], ["", "", ""]],
        ),
        # rows above the range are left alone
        ([["", ""], ["x", ""], ["", ""]], [((1, 0), (2, 1))], [["", ""], ["x", "x"], ["x", "x"]]),
        # a short row is widened with blanks up to the range's last column, exactly
        ([["x"], [], ["y"]], [((1, 0), (1, 2))], [["x"], ["", "", ""], ["y"]]),
        ([["x", "", ""], ["y", ""]], [((0, 0), (1, 2))], [["x", "x", "x"], ["y", "x", "x"]]),
        # a range past the last row stops there; one that starts past it is skipped
        ([["x", ""]], [((0, 0), (5, 1))], [["x", "x"]]),
        ([["x", ""]], [((1, 0), (2, 1)), ((0, 0), (0, 1))], [["x", "x"]]),
        ([["x", ""]], [((7, 0), (8, 1)), ((0, 0), (0, 1))], [["x", "x"]]),
        # a range whose top-left cell is past the end of its row holds a blank
        ([["x"], ["", "", "y"]], [((0, 1), (1, 2))], [["x", "", ""], ["", "", "y"]]),
        ([["x"], ["", "", "y"]], [((0, 2), (1, 3))], [["x", "", "", ""], ["", "", "y", ""]]),
    ],
)
def test_fill_merged(rows: list[list[Any]], merged: list[Any], filled: list[list[Any]]) -> None:
    # a copy: the table's rows are shared by every run of the test in one process
    assert fill_merged([list(r) for r in rows], merged) == filled


# ── columns named by letter in --map ──


@pytest.mark.parametrize(
    ("name", "width", "index"),
    [
        ("A", 5, 0),
        ("e", 5, 4),
        ("F", 5, None),  # one past the last column
        ("G", 5, None),
        ("AA", 30, 26),
        ("AA", 26, None),
        ("AB", 28, 27),
        ("ABC", 1000, 730),
        ("ABCD", 10**6, None),  # four letters is a header, not a column
        ("A1", 10**6, None),
        ("甲", 10**6, None),
        ("", 5, None),
    ],
)
def test_column_letter(name: str, width: int, index: int | None) -> None:
    assert _column_letter(name, width) == index


# ── cells ──


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (True, "是"),
        (False, ""),
        (dt.datetime(2018, 10, 18), "2018-10-18"),
        (dt.datetime(2018, 10, 18, 8, 30), "2018-10-18 08:30:00"),
        (dt.date(2018, 10, 18), "2018-10-18"),
    ],
)
def test_cell_text_of_booleans_and_times(value: object, shown: str) -> None:
    assert cell_text(value) == shown


def date_error(value: object, *what: str) -> tuple[str, str]:
    with pytest.raises(CounterError) as caught:
        cell_date(value, *what)
    return caught.value.zh, caught.value.en


def bad(raw: str, what: str = "搬迁时间") -> tuple[str, str]:
    return (
        f"{what}“{raw}”不是有效日期（如 2018-10-18、2018.10.18、2018年10月18日）",
        f"'{raw}' is not a valid date (e.g. 2018-10-18)",
    )


def out(raw: str, what: str = "搬迁时间") -> tuple[str, str]:
    return (f"{what}“{raw}”超出可办理的日期范围", f"date '{raw}' is out of range (1900 to 2099)")


@pytest.mark.parametrize(
    ("value", "what", "error"),
    [
        ("2018.13.01", (), bad("2018.13.01")),
        ("2018年2月30日", ("出生日期",), bad("2018年2月30日", "出生日期")),
        ("1899.12.31", (), out("1899.12.31")),
        ("1899.12.31", ("出生日期",), out("1899.12.31", "出生日期")),
        ("2100-01-01", (), out("2100-01-01")),
        (0.99, (), bad("0.99")),
        (0, ("出生日期",), bad("0", "出生日期")),
        (1, (), out("1")),  # serial 1 is a day, before 1900-01-01
        (1.0, ("出生日期",), out("1", "出生日期")),
        (2958465, (), out("2958465")),  # Excel's last day, 9999-12-31
        (2958466, (), bad("2958466")),  # past it: not a day at all
        (2958466.0, ("出生日期",), bad("2958466", "出生日期")),
        ("00001", (), out("1")),
        ("00001", ("出生日期",), out("1", "出生日期")),
    ],
)
def test_date_messages_name_the_field_and_the_value(
    value: object, what: tuple[str, ...], error: tuple[str, str]
) -> None:
    assert date_error(value, *what) == error


def test_date_text_the_counter_reads_names_the_field() -> None:
    zh, _ = date_error("去年", "出生日期")
    assert zh.startswith("出生日期")
    zh, _ = date_error("去年")
    assert zh.startswith("搬迁时间")


@pytest.mark.parametrize(
    "value", ["1900-01-01", "2099.12.31", 2, 73050, "73050"]
)  # serial 2 reads as 1900-01-01 (epoch 1899-12-30: right from serial 61 on), 73050 = 2099-12-31
def test_the_first_and_last_days_in_range(value: object) -> None:
    assert dt.date(1900, 1, 1) <= cell_date(value) <= dt.date(2099, 12, 31)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("610924196204090013", "610924********0013"),
        ("6109241962040900131", "610924*********0131"),  # 19: region, 9 hidden, last four
        ("61092419620409001", "610924*******9001"),
        ("610924196204", "610924**6204"),  # 12: the shortest that keeps region and tail
        ("61092419620", "***********"),
        ("12345", "*****"),
    ],
)
def test_mask_text_lengths(value: str, shown: str) -> None:
    assert mask_text(value) == shown


# ── rows ──


def test_a_bad_value_repeated_is_reported_on_every_row_with_its_column() -> None:
    # the second 火星 is answered from the verdicts kept for repeated values
    rows = [
        HEADER,
        row("A", "周建国", pid(1962, 1), "户主", 民族="火星"),
        row("B", "陈立", pid(1970, 3), "户主", 民族="火星"),
    ]
    zh, en = (
        "民族“火星”不在56个民族名称中",
        "ethnicity '火星' is not one of the 56 recognised ethnic groups",
    )
    assert read_roster(rows, TODAY).problems == [
        Problem(2, "民族", "火星", zh, en),
        Problem(3, "民族", "火星", zh, en),
    ]


@pytest.mark.parametrize(
    ("number", "relation", "zh", "en"),
    [
        (
            pid(1990, 4),
            "长女",
            "与户主关系“长女”应为女性，而号码读出的性别为男：请核对关系或号码",
            "relation to head '长女' does not match the sex in the citizen ID (male)",
        ),
        (
            pid(1991, 5, "女"),
            "长子",
            "与户主关系“长子”应为男性，而号码读出的性别为女：请核对关系或号码",
            "relation to head '长子' does not match the sex in the citizen ID (female)",
        ),
    ],
)
def test_relation_and_sex_mismatch_is_one_exact_problem(
    number: str, relation: str, zh: str, en: str
) -> None:
    rows = [HEADER, row("A", "周建国", pid(1962, 1), "户主"), row("A", "周某", number, relation)]
    assert read_roster(rows, TODAY).problems == [Problem(3, "与户主关系", relation, zh, en)]


def test_the_citizen_id_is_judged_on_the_import_day() -> None:
    day = dt.date(2020, 6, 1)
    rows = [
        HEADER,
        row("A", "周建国", pid(1962, 1), "户主", 搬迁时间="2019-01-01"),
        row("A", "周小", pid(2020, 2, month=6, day=1), "长子", 搬迁时间=""),  # born that day: fine
        row(
            "A", "周二", pid(2020, 3, month=6, day=2), "次子", 搬迁时间=""
        ),  # born the day after: refused
    ]
    problems = read_roster(rows, day).problems
    assert [(p.row, p.column) for p in problems] == [(4, "身份证号码")]


def test_a_lowercase_x_is_masked_in_upper_case_and_never_shown_whole() -> None:
    good = next(n for n in (pid(1962, s) for s in range(1, 400)) if n.endswith("X"))
    typed = good[:16] + str((int(good[16]) + 2) % 10) + "x"  # wrong check digit, typed x
    rows = [HEADER, row("A", "周建国", typed, "户主")]
    (problem,) = read_roster(rows, TODAY).problems
    upper = typed.upper()
    assert problem.value == upper[:6] + "********" + upper[14:]
    assert upper not in problem.zh + problem.en and typed not in problem.zh + problem.en
    assert upper[14:] in problem.zh


@pytest.mark.parametrize("code", [2, 2.0, "2"])
def test_a_relation_typed_as_a_one_digit_number_is_its_code(code: object) -> None:
    rows = [HEADER, row("A", "周建国", pid(1962, 1), code)]  # type: ignore[arg-type]
    roster = read_roster(rows, TODAY)
    assert roster.problems == []
    head = roster.households[0].head
    assert head is not None and (head.relation_code, head.relation) == ("02", "户主")


def test_hukou_address_is_kept_checked_and_blank_when_absent() -> None:
    header = ["姓名", "身份证号", "与户主关系", "迁出村", "户籍地址", "迁入社区", "搬迁时间"]
    where = "陕西省紫阳县洄水镇双河村三组"
    rows = [
        header,
        ["周建国", pid(1962, 1), "户主", "双河村", where, HOME, "2018-10-18"],
        ["周明", pid(1990, 4), "长子", "", "", "", ""],
        ["周亮", pid(1991, 5), "次子", "", "村" * 121, "", ""],
    ]
    roster = read_roster(rows, TODAY)
    assert [(p.name, p.hukou_address) for p in roster.households[0].people] == [
        ("周建国", where),
        ("周明", ""),
    ]
    assert roster.problems == [
        Problem(
            4, "户籍地址", "村" * 121,
            "户籍地址过长（最多120字，当前121字）",
            "hukou address is too long (120 characters at most, got 121)",
        )
    ]  # fmt: skip
    without = read_roster([HEADER, row("A", "周建国", pid(1962, 1), "户主")], TODAY)
    (person,) = without.households[0].people
    assert (person.hukou_address, person.phone, person.ethnicity) == ("", "", "汉族")
    assert without.households[0].values["phone"] == ""


def test_a_household_cell_that_reads_as_nothing_is_missing() -> None:
    # an Excel FALSE reads as blank text: the village is missing, not an empty village
    rows = [HEADER, row("A", "周建国", pid(1962, 1), "户主", 迁出村=False)]
    assert read_roster(rows, TODAY).problems == [
        Problem(2, "迁出村", "", "缺少迁出村", "origin village is required")
    ]


def test_short_rows_read_their_missing_cells_as_blank() -> None:
    header = [
        "姓名",
        "身份证号码",
        "与户主关系",
        "迁出村",
        "迁入社区",
        "搬迁时间",
        "民族",
        "户编号",
    ]
    rows = [
        header,
        ["周建国", pid(1962, 1), "户主", "双河村", HOME, "2018-10-18", "汉", "A"],
        ["周明", pid(1990, 4), "长子", "", "", "", "", "A"],
        ["", ""],  # ends just before the relation column: not a person
        ["周亮", pid(1991, 5), "次子"],  # ends after the relation: no household key
        ["周强", pid(1993, 7), "孙子", "", "", "", ""],  # ends just before the key
        ["周丽", pid(1992, 6, "女"), "长女", "", "", "", "", "A"],  # read on after them
    ]
    roster = read_roster(rows, TODAY)
    assert roster.data_rows == 5
    assert roster.problems == [
        Problem(5, "户编号", "", "缺少户编号", "household key is missing"),
        Problem(6, "户编号", "", "缺少户编号", "household key is missing"),
    ]
    assert [p.name for p in roster.households[0].people] == ["周建国", "周明", "周丽"]
    assert roster.households[0].people[1].ethnicity is None


def test_rows_of_a_household_with_a_bad_head_say_so_exactly() -> None:
    rows = [
        HEADER,
        row("A", "周建国", pid(1962, 1), "户主", 民族="火星"),
        row("A", "周明", pid(1990, 4), "长子"),
    ]
    assert read_roster(rows, TODAY).problems[-1] == Problem(
        3, "", "",
        "同户户主行（第2行）有误，本行未导入",
        "the head's row (2) of this household is bad; this row was not imported",
    )  # fmt: skip


# ── households ──


def test_households_keep_their_key_and_first_row() -> None:
    keyed = read_roster(
        [
            HEADER,
            row("A7", "周建国", pid(1962, 1), "户主"),
            row("B2", "陈立", pid(1970, 3), "户主"),
        ],
        TODAY,
    )
    assert [(h.key, h.first_row, h.rows) for h in keyed.households] == [
        ("A7", 2, [2]),
        ("B2", 3, [3]),
    ]
    unkeyed = read_roster(
        [
            HEADER[1:],
            row("", "周建国", pid(1962, 1), "户主")[1:],
            row("", "周明", pid(1990, 4), "长子")[1:],
            row("", "陈立", pid(1970, 3), "户主")[1:],
        ],
        TODAY,
    )
    assert [(h.key, h.first_row, h.rows) for h in unkeyed.households] == [
        ("#2", 2, [2, 3]),
        ("#4", 4, [4]),
    ]


NO_HEAD = (
    "本户没有户主（与户主关系为“户主”的一行），本户各行均未导入",
    "this household has no head (a row with relation 户主); none of its rows can be imported",
)


def test_rows_before_the_first_head_make_a_household_without_one() -> None:
    rows = [
        HEADER[1:],
        row("", "周明", pid(1990, 4), "长子")[1:],
        row("", "周亮", pid(1991, 5), "次子")[1:],
        row("", "陈立", pid(1970, 3), "户主")[1:],
        row("", "陈伟", pid(1991, 6), "长子", 迁入社区="")[1:],
    ]
    roster = read_roster(rows, TODAY)
    assert roster.problems == [
        Problem(2, "与户主关系", "", *NO_HEAD),
        Problem(3, "与户主关系", "", *NO_HEAD),
    ]
    # the household after a headless one still gets its head's values
    assert roster.households[1].values["community"] == HOME
    assert [p.name for p in roster.households[1].people] == ["陈立", "陈伟"]


def test_head_name_groups_a_member_before_the_head_and_parts_two_heads() -> None:
    header = ["户主姓名", *HEADER[1:]]
    rows = [
        header,
        ["周建国", *row("", "周明", pid(1990, 4), "长子")[1:]],  # the head's row comes later
        ["周建国", *row("", "周建国", pid(1962, 1), "户主")[1:]],
        ["王伟", *row("", "王伟", pid(1971, 6), "户主")[1:]],
        ["王伟", *row("", "王伟", pid(1985, 7), "户主")[1:]],  # another 王伟's household
    ]
    roster = read_roster(rows, TODAY)
    assert roster.problems == []
    assert [h.rows for h in roster.households] == [[2, 3], [4], [5]]


def test_two_heads_and_a_head_name_that_differs_are_exact_problems() -> None:
    rows = [
        HEADER,
        row("A", "周建国", pid(1962, 1), "户主"),
        row("A", "周明", pid(1990, 4), "02"),
    ]
    assert read_roster(rows, TODAY).problems == [
        Problem(
            3, "与户主关系", "02",
            "同一户有两个户主（第2行已是户主）",
            "a second head in one household (row 2 is the head)",
        )
    ]  # fmt: skip
    named = [
        ["户主姓名", *HEADER[1:]],
        ["王五", *row("", "王伍", pid(1971, 6), "户主")[1:]],
    ]
    assert read_roster(named, TODAY).problems == [
        Problem(
            2, "户主姓名", "王五",
            "户主姓名“王五”与户主本人的姓名“王伍”不一致",
            "the head's name '王五' differs from the head's row '王伍'",
        )
    ]  # fmt: skip


def test_progress_is_told_every_thousand_rows() -> None:
    told: list[int] = []
    roster = read_roster([HEADER, *[[] for _ in range(2500)]], TODAY, progress=told.append)
    assert told == [1000, 2000] and roster.data_rows == 0


# ── the header ──

REQUIRED_ROW = ["姓名", "身份证号", "与户主关系", "迁出村", "迁入社区", "搬迁时间"]


def header_error(rows: list[list[Any]], **kwargs: Any) -> tuple[str, str]:
    with pytest.raises(CounterError) as caught:
        find_header(rows, **kwargs)
    return caught.value.zh, caught.value.en


NO_HEADER = (
    "前10行中找不到表头（应有 姓名、身份证号、与户主关系 等列），可用 --map 列名=字段 指定",
    "no header row in the first 10 rows (columns such as 姓名, 身份证号, 与户主关系 expected); "
    "name columns with --map COLUMN=FIELD",
)


def lacks(zh: str, en: str) -> tuple[str, str]:
    return (
        f"名册缺少必需的列：{zh}（可用 --map 列名=字段 指定，如 --map 户主关系=与户主关系）",
        f"the roster lacks required columns: {en} (name them with --map COLUMN=FIELD)",
    )


@pytest.mark.parametrize(
    ("rows", "error"),
    [
        ([["标题"], ["姓名", "备注"]], NO_HEADER),  # one known column is no header
        ([], NO_HEADER),
        (
            [["姓名", "身份证号"]],  # two are: then the missing ones are named
            lacks(
                "与户主关系、迁出村、迁入社区、搬迁时间",
                "relation to head, origin village, community, move-in date",
            ),
        ),
        # a title row naming two fields comes first and wins a tie with the real header
        (
            [["户主", "社区"], ["姓名", "号码"]],
            lacks(
                "姓名、身份证号、与户主关系、迁出村、搬迁时间",
                "name, citizen ID, relation to head, origin village, move-in date",
            ),
        ),
    ],
)
def test_header_errors_are_exact(rows: list[list[Any]], error: tuple[str, str]) -> None:
    assert header_error(rows) == error


def test_mapped_columns_count_towards_the_header_once_each() -> None:
    mapping = parse_mapping(["名=姓名", "号=身份证号", "系=与户主关系", "村=迁出村", "区=迁入社区"])
    mapping.update(parse_mapping(["时=搬迁时间"]))
    header = find_header([["名", "号", "系", "村", "区", "时"]], mapping=mapping)
    assert header.columns["moved_in"] == 5
    # a tie between a row of two known fields and one of a known field and a mapped one: the
    # first row is the header
    tie = [["户主", "社区"], ["姓名", "备注"]]
    assert header_error(tie, mapping=parse_mapping(["备注=ignore"])) == (
        "--map 中的列“备注”不在表头中（表头有：户主、社区）",
        "--map names a column '备注' the header does not have",
    )


def test_the_first_of_two_equal_header_rows_is_the_header() -> None:
    assert find_header([REQUIRED_ROW, REQUIRED_ROW]).first_row == 0


def test_two_level_header_whose_upper_row_names_more() -> None:
    # only 姓名 is merged down; 住址 spans 楼栋/单元/房号 written in the row below
    rows = [
        ["紫阳县搬迁户花名册"] * 14,  # a title merged across, wider than the header
        [*REQUIRED_ROW, "住址", "住址", "住址", "联系方式", "户籍地址", "其他", "备注"],
        # the row below names the parts; it is shorter than the row above
        ["姓名", "", "", "", "", "", "楼栋", "单元", "房号", "联系电话", "仅填到村", "备用"],
        [
            "周建国", pid(1962, 1), "户主", "双河村", HOME, "2018-10-18", "5", "2", "302",
            "13800001111", "双河村三组", "",
        ],
    ]  # fmt: skip
    merged = [((1, 0), (2, 0)), ((1, 6), (1, 8)), ((0, 0), (0, 13))]
    roster = read_roster(rows, TODAY, merged=merged)
    header = roster.header
    assert (header.first_row, header.last_row) == (1, 2)
    # a known label below wins; an unknown one below a known one does not; below an unknown
    # one it does
    labels = [*REQUIRED_ROW, "楼栋", "单元", "房号", "联系电话", "户籍地址", "备用", "备注"]
    assert header.labels == dict(enumerate(labels))
    assert header.ignored == ("备用", "备注")
    assert (header.columns["phone"], header.columns["hukou_address"]) == (9, 10)
    assert roster.problems == [] and roster.data_rows == 1
    assert roster.households[0].values["room"] == "302"
    # the width is the header's, not the title's: column N is past its end
    with pytest.raises(CounterError, match="不在表头中"):
        find_header(rows, merged, parse_mapping(["N=phone"]))


def test_a_label_merged_across_is_not_a_second_header_row() -> None:
    rows = [
        [*REQUIRED_ROW, ""],
        ["周建国", pid(1962, 1), "户主", "双河村", HOME, "2018-10-18", "备注"],
    ]
    header = find_header(rows, merged=[((0, 5), (0, 6))])
    assert (header.first_row, header.last_row) == (0, 0)


@pytest.mark.parametrize(("below", "last"), [(0, 0), (1, 1), (2, 1)])
def test_a_header_merged_down_reaches_only_rows_that_exist(below: int, last: int) -> None:
    rows = [REQUIRED_ROW, *[[""] * 6 for _ in range(below)]]
    header = find_header(rows, merged=[((0, 0), (1, 0))])
    assert header.last_row == last


def test_empty_header_cells_are_no_labels() -> None:
    header = find_header([[*REQUIRED_ROW, None, "", "备注"]])  # openpyxl reads blanks as None
    assert header.labels == {**dict(enumerate(REQUIRED_ROW)), 8: "备注"}
    assert header.ignored == ("备注",)


def test_a_label_merged_across_columns_is_ignored_once() -> None:
    # 备注 alone, 备注 merged over two columns, 备注 alone again: three columns ignored
    rows = [
        [*REQUIRED_ROW, "备注", "备注", "", "备注", "联系电话"],
        [
            "周建国",
            pid(1962, 1),
            "户主",
            "双河村",
            HOME,
            "2018-10-18",
            "",
            "",
            "",
            "",
            "13800001111",
        ],
    ]
    roster = read_roster(rows, TODAY, merged=[((0, 7), (0, 8))])
    assert roster.header.ignored == ("备注", "备注", "备注")
    assert roster.header.columns["phone"] == 10
    assert roster.households[0].values["phone"] == "13800001111"
    # two 备注 side by side, then 说明 merged over two columns
    two = find_header(
        fill_merged([[*REQUIRED_ROW, "备注", "备注", "说明", ""]], [((0, 8), (0, 9))]),
        merged=[((0, 8), (0, 9))],
    )
    assert two.ignored == ("备注", "备注", "说明")


@pytest.mark.parametrize(
    ("community", "town"),
    [
        ("新城街道一社区", "新城街道"),
        ("双河乡中心社区", "双河乡"),
        ("城关镇新城镇社区", "城关镇"),  # the first marker, not the last
        ("蒿坪镇", ""),  # a town alone names no community in it
    ],
)
def test_town_of_more(community: str, town: str) -> None:
    assert town_of(community) == town


FIELD_CHOICES = (
    "head_name（户主姓名）、name（姓名）、id_number（身份证号）、relation（与户主关系）、"
    "ethnicity（民族）、phone（联系电话）、origin_village（迁出村）、community（迁入社区）、"
    "site（安置点）、grid（网格）、building（楼栋）、unit（单元）、room（房号）、"
    "moved_in（搬迁时间）、hukou_address（户籍地址）"
)


@pytest.mark.parametrize(
    ("item", "zh", "en"),
    [
        (
            "证件=生日",
            f"--map 中的字段“生日”无效，可用：{FIELD_CHOICES}、household_key（户编号）、ignore",
            "--map names an unknown field '生日'; use one of household_key, head_name, name, "
            "id_number, relation, ethnicity, phone, origin_village, community, site, grid, "
            "building, unit, room, moved_in, hukou_address or ignore",
        ),
        (
            "备注=说明=ignore",  # the first = parts column from field
            f"--map 中的字段“说明=ignore”无效，可用：{FIELD_CHOICES}、household_key（户编号）、ignore",
            "--map names an unknown field '说明=ignore'; use one of household_key, head_name, "
            "name, id_number, relation, ethnicity, phone, origin_village, community, site, grid, "
            "building, unit, room, moved_in, hukou_address or ignore",
        ),
        *[
            (
                item,
                f"--map 应写成 列名=字段（如 --map 户主关系=与户主关系）：{item}",
                f"--map must be COLUMN=FIELD (e.g. --map 户主关系=relation): {item}",
            )
            for item in ["=姓名", "证件=", "证件", " = "]
        ],
    ],
)
def test_bad_map_items_are_exact(item: str, zh: str, en: str) -> None:
    with pytest.raises(CounterError) as caught:
        parse_mapping([item])
    assert (caught.value.zh, caught.value.en) == (zh, en)


SITE_HEADER = [*HEADER, "安置点"]


def srow(key: str, name: str, number: str, relation: str, site: str, **extra: Any) -> list[Any]:
    return [*row(key, name, number, relation, **extra), site]


def test_member_rows_fill_blank_household_cells_and_must_agree_with_the_rest() -> None:
    rows = [
        SITE_HEADER,
        srow("A", "周建国", pid(1962, 1), "户主", ""),  # the head's row leaves the site blank
        srow("A", "周明", pid(1990, 4), "长子", "双星安置点", 搬迁时间="2019-01-01"),
        srow("A", "周亮", pid(1991, 5), "次子", "", 迁出村="村" * 61, 迁入社区="城关镇新城社区"),
    ]
    roster = read_roster(rows, TODAY)
    assert roster.households[0].values["site"] == "双星安置点"
    assert roster.problems == [
        Problem(
            4, "迁出村", "村" * 61,
            "迁出村过长（最多60字，当前61字）",
            "origin village is too long (60 characters at most, got 61)",
        ),
        Problem(
            3, "搬迁时间", "2019-01-01",
            "搬迁时间与同户户主行（第2行）不一致：2018-10-18",
            "move-in date differs from the head's row (2): 2018-10-18",
        ),
        # a bad cell does not stop the row's other cells from being compared
        Problem(
            4, "迁入社区", "城关镇新城社区",
            f"迁入社区与同户户主行（第2行）不一致：{HOME}",
            f"community differs from the head's row (2): {HOME}",
        ),
    ]  # fmt: skip


def test_a_head_row_without_its_household_cells_is_exact() -> None:
    rows = [HEADER, row("A", "周建国", pid(1962, 1), "户主", 迁入社区="", 搬迁时间="")]
    assert read_roster(rows, TODAY).problems == [
        Problem(
            2,
            "迁入社区",
            "",
            "缺少迁入社区（应填在户主行）",
            "community is required (on the head's row)",
        ),
        Problem(
            2,
            "搬迁时间",
            "",
            "缺少搬迁时间（应填在户主行）",
            "move-in date is required (on the head's row)",
        ),
    ]


def test_an_id_three_times_names_the_other_two_rows_on_each() -> None:
    same = pid(1962, 1)
    rows = [HEADER, *[row(key, "周建国", same, "户主") for key in "ABC"]]
    masked = same[:6] + "********" + same[14:]
    dup = [p for p in read_roster(rows, TODAY).problems if p.zh.startswith("身份证号在名册中重复")]
    assert dup == [
        Problem(
            r, "身份证号码", masked,
            f"身份证号在名册中重复（另见第{others}行）",
            f"the citizen ID appears more than once in the roster (also row {others})",
        )
        for r, others in [(2, "3、4"), (3, "2、4"), (4, "2、3")]
    ]  # fmt: skip


def test_a_column_mapped_by_letter_under_a_blank_header_is_named_by_its_field() -> None:
    rows = [
        [*REQUIRED_ROW, ""],
        ["周建国", pid(1962, 1), "户主", "双河村", HOME, "2018-10-18", "12345"],
    ]
    roster = read_roster(rows, TODAY, mapping=parse_mapping(["G=phone"]))
    assert roster.problems == [
        Problem(
            2, "联系电话", "12345",
            "联系电话格式不正确（11位手机号或带区号的固定电话）：12345",
            "phone must be an 11-digit mobile or a landline with area code: 12345",
        )
    ]  # fmt: skip
