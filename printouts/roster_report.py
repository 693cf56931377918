"""The error report of a roster import, `<name>.errors.xlsx` beside the roster: one line per
problem (row, column, value with IDs masked, reason in Chinese and English)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from printouts.sheets import Column, write_sheet

COLUMNS = (
    Column("行号", "number", 8),
    Column("列"),
    Column("值"),
    Column("原因"),
    Column("Reason"),
)
SHEET = "导入问题"  # the report's one sheet: with the header row, how a report is recognised


def report_path(roster: Path) -> Path:
    """名册.xlsx -> 名册.errors.xlsx (a .csv roster gets an .xlsx report too)."""
    return roster.with_name(f"{roster.stem}.errors.xlsx")


def write_report(target: Path, problems: Iterable[Mapping[str, Any]]) -> int:
    """`problems` as forms.roster.Problem.as_dict() gives them; returns the row count."""
    rows = (
        (p["row"], p["column"], p["value"], p["reason"]["zh"], p["reason"]["en"]) for p in problems
    )
    return write_sheet(target, COLUMNS, rows, title=SHEET)


def is_our_report(path: Path) -> bool:
    """A report `write_report` wrote: an .xlsx whose only sheet is 导入问题 under exactly our
    header row. Anything else of that name (the officer's own list, a report with a column of
    notes added) is not ours to delete."""
    if path.is_symlink() or not path.is_file():
        return False
    from python_calamine import CalamineWorkbook  # only a clean import pays for it

    try:
        book = CalamineWorkbook.from_path(str(path))
        if list(book.sheet_names) != [SHEET]:
            return False
        rows = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False, nrows=1)
    except Exception:  # calamine raises its own error types for a file that is not a workbook
        return False
    return bool(rows) and list(rows[0]) == [column.label for column in COLUMNS]
