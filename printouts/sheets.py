"""Spreadsheets out: exports and import error reports as .xlsx or .csv, streamed row by row.

Plain data in (column definitions and an iterable of tuples), a file out; nothing here knows the
database. An .xlsx is written by XlsxWriter in constant-memory mode, so 282,000 rows never sit in
memory at once: header row bold and frozen, widths set from the headers and the first rows,
dates as real dates (yyyy-mm-dd), numbers as numbers. A .csv is UTF-8 with a BOM, which Excel on
a Chinese Windows opens without mojibake. Both are written beside the target and renamed into
place (printouts.output.write_replacing), so a failure leaves no half file.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rich.cells import cell_len

from forms.errors import CounterError
from printouts.output import write_replacing

Kind = Literal["text", "date", "datetime", "number"]
SUFFIXES = (".xlsx", ".csv")
WIDTH_SAMPLE = 200  # rows looked at to size the columns (the rest stream straight through)
MAX_WIDTH = 60  # characters; longer cells wrap in Excel's own way
XLSX_ROWS = 1_048_576  # Excel's limit, header included
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # a CSV cell Excel would run as a formula


@dataclass(frozen=True)
class Column:
    label: str  # the Chinese header
    kind: Kind = "text"
    width: int | None = None  # in Excel character units; None: measured from the data


def sheet_format(path: Path | str) -> str:
    """'xlsx' or 'csv' from the file name; anything else is refused in words."""
    suffix = Path(path).suffix.lower()
    if suffix not in SUFFIXES:
        raise CounterError(
            f"导出文件应以 .xlsx 或 .csv 结尾：{Path(path).name}",
            f"the export file must end in .xlsx or .csv: {Path(path).name}",
        )
    return suffix[1:]


def write_sheet(
    target: Path,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    title: str = "Sheet1",
) -> int:
    """Write the rows under a header row to `target` (.xlsx or .csv); returns the row count.
    `target` should already have been checked (printouts.output.checked_target)."""
    kind = sheet_format(target)
    if kind == "csv":
        return write_replacing(lambda path: _write_csv(path, columns, rows), target)
    return write_replacing(lambda path: _write_xlsx(path, columns, rows, title), target)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value  # a note typed as =HYPERLINK(…) stays text when Excel opens the file
    return value


def _write_csv(path: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([column.label for column in columns])
        for row in rows:
            writer.writerow([_csv_value(value) for value in row])
            count += 1
    return count


def _cell_width(value: Any) -> int:
    """Excel's column width is about one unit per Latin character, two per Chinese one."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 19
    if isinstance(value, dt.date):
        return 10
    return cell_len(str(value))


def _write_xlsx(
    path: str, columns: Sequence[Column], rows: Iterable[Sequence[Any]], title: str
) -> int:
    import xlsxwriter  # only an export pays for it

    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
    try:
        sheet = book.add_worksheet(title[:31])
        header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
        formats: dict[Kind, Any] = {
            "date": book.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        iterator = iter(rows)
        first: list[Sequence[Any]] = []
        for row in iterator:
            first.append(row)
            if len(first) >= WIDTH_SAMPLE:
                break
        for index, column in enumerate(columns):
            width = column.width
            if width is None:
                widest = max([cell_len(column.label), *(_cell_width(row[index]) for row in first)])
                width = min(widest + 2, MAX_WIDTH)
            sheet.set_column(index, index, width)
        # Constant-memory mode writes rows in order: the header first, then every data row.
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.label, header)
        sheet.freeze_panes(1, 0)
        count = 0
        for row in _chain(first, iterator):
            count += 1
            if count >= XLSX_ROWS:
                raise CounterError(
                    f"行数超过 Excel 的上限（{XLSX_ROWS - 1} 行），请缩小范围或导出为 .csv",
                    f"more rows than Excel allows ({XLSX_ROWS - 1}); narrow the range or "
                    "export to .csv",
                )
            for index, (column, value) in enumerate(zip(columns, row, strict=True)):
                _write_cell(sheet, count, index, column.kind, value, formats)
    finally:
        book.close()
    return count


def _chain(first: list[Sequence[Any]], rest: Iterable[Sequence[Any]]) -> Iterable[Sequence[Any]]:
    yield from first
    yield from rest


def _write_cell(sheet: Any, row: int, col: int, kind: Kind, value: Any, formats: Any) -> None:
    if value is None or value == "":
        return
    if kind == "date" and isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, dt.datetime.combine(value, dt.time()), formats["date"])
    elif kind == "datetime" and isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value.replace(tzinfo=None), formats["datetime"])
    elif kind == "number" and isinstance(value, int | float) and not isinstance(value, bool):
        sheet.write_number(row, col, value)
    else:
        # IDs, phone numbers, tickets stay text: Excel would turn 610924… into 6.10924E+17.
        sheet.write_string(row, col, str(value))
