"""Filling a DataTable whose rows are all known at once, with columns sized to them.

Textual's DataTable sizes an auto-width column to new rows only on its next Idle, and a row
drawn before that stays cached at the old width (seen as service names cut to the width of the
header, at random, on a loaded machine). Tables the desk fills in one go therefore get columns
of a fixed width measured here, before any row is drawn.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.cells import cell_len
from rich.text import Text
from textual.content import Content
from textual.widgets import DataTable


def cell_width(value: Any) -> int:
    """Terminal cells the value takes on one line (a Chinese character takes two)."""
    if isinstance(value, Content):
        return value.cell_length
    if isinstance(value, Text):
        return value.cell_len
    return cell_len(str(value))


def fill_table(
    table: DataTable[Any],
    labels: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    keys: Sequence[str] | None = None,
    cursor_row: int | None = None,
) -> None:
    """Replace the table's columns and rows; each column as wide as its widest cell or label.
    The cursor goes to `cursor_row` (kept inside the rows) when given."""
    widths = [cell_width(label) for label in labels]
    for row in rows:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], cell_width(value))
    table.clear(columns=True)
    for label, width in zip(labels, widths, strict=True):
        table.add_column(label, width=width)
    for index, row in enumerate(rows):
        table.add_row(*row, key=None if keys is None else keys[index])
    if cursor_row is not None and rows:
        table.move_cursor(row=min(max(cursor_row, 0), len(rows) - 1))
