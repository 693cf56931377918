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


def report_path(roster: Path) -> Path:
    """名册.xlsx -> 名册.errors.xlsx (a .csv roster gets an .xlsx report too)."""
    return roster.with_name(f"{roster.stem}.errors.xlsx")


def write_report(target: Path, problems: Iterable[Mapping[str, Any]]) -> int:
    """`problems` as forms.roster.Problem.as_dict() gives them; returns the row count."""
    rows = (
        (p["row"], p["column"], p["value"], p["reason"]["zh"], p["reason"]["en"]) for p in problems
    )
    return write_sheet(target, COLUMNS, rows, title="导入问题")
