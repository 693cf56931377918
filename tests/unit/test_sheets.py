"""printouts/sheets.py: exports and error reports written as real .xlsx and .csv files, read back."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from forms.errors import CounterError
from printouts.sheets import Column, write_sheet

COLUMNS = [Column("身份证号"), Column("受理日期", "date"), Column("件数", "number"), Column("备注")]
ROWS = [
    ("61092419900101123X", dt.date(2026, 11, 27), 3, "正常"),
    ("610924199001011234", dt.date(2026, 1, 2), 0, '=HYPERLINK("http://x")'),
    ("610924199001011250", None, 12, ""),
]


def test_xlsx_read_back_keeps_ids_as_text_dates_as_dates_and_numbers(tmp_path: Path) -> None:
    target = tmp_path / "导出.xlsx"
    assert write_sheet(target, COLUMNS, iter(ROWS), title="办件") == 3
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_name("办件").to_python()
    assert sheet[0] == ["身份证号", "受理日期", "件数", "备注"]
    assert sheet[1] == ["61092419900101123X", dt.date(2026, 11, 27), 3.0, "正常"]
    # An ID of digits only stays text (Excel would show 6.10924E+17 and lose the last digits).
    assert sheet[2][0] == "610924199001011234"
    assert sheet[2][3] == '=HYPERLINK("http://x")'  # a string cell, never a formula
    assert sheet[3][1] == ""


def test_xlsx_header_frozen_bold_and_widths_fit_the_chinese(tmp_path: Path) -> None:
    target = tmp_path / "x.xlsx"
    write_sheet(target, COLUMNS, ROWS)
    book = openpyxl.load_workbook(target)
    sheet = book.active
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    assert sheet["B2"].number_format == "yyyy-mm-dd"
    assert sheet["D3"].data_type == "s"  # the =HYPERLINK note is a string, not a formula
    # 18 characters of ID: at least 18 wide; a 4-character Chinese header: at least 8.
    assert sheet.column_dimensions["A"].width >= 18
    assert sheet.column_dimensions["D"].width >= 8


def test_csv_is_utf8_with_bom_and_formulas_stay_text(tmp_path: Path) -> None:
    target = tmp_path / "x.csv"
    assert write_sheet(target, COLUMNS, ROWS) == 3
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(target, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["身份证号", "受理日期", "件数", "备注"]
    assert rows[1] == ["61092419900101123X", "2026-11-27", "3", "正常"]
    assert rows[2][3] == '\'=HYPERLINK("http://x")'
    assert rows[3][1] == ""


@pytest.mark.parametrize("name", ["x.pdf", "x.xls", "x", "x.xlsx.bak"])
def test_other_suffixes_are_refused_in_words(tmp_path: Path, name: str) -> None:
    with pytest.raises(CounterError) as caught:
        write_sheet(tmp_path / name, COLUMNS, ROWS)
    assert ".xlsx 或 .csv" in caught.value.zh
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("name", ["x.xlsx", "x.csv"])
def test_a_failure_half_way_leaves_the_old_file_whole_and_no_part_file(
    tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    target.write_bytes(b"old")

    def rows() -> Iterator[tuple[object, ...]]:
        yield ROWS[0]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_sheet(target, COLUMNS, rows())
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [name]


def test_many_rows_stream_through(tmp_path: Path) -> None:
    target = tmp_path / "big.xlsx"
    count = write_sheet(
        target,
        [Column("序号", "number"), Column("姓名")],
        ((i, f"张{i}") for i in range(5_000)),
    )
    assert count == 5_000
    sheet = CalamineWorkbook.from_path(str(target)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 5_001 and sheet[-1] == [4999.0, "张4999"]
