"""Writing a PDF where a person asked, safely: the CLI's --out and the desk's print jobs share it.

A PDF never replaces the open database (or its -wal/-shm/-journal files), a folder, a device or
someone's file; it is rendered into a temporary file beside the target and renamed into place,
so a failed render leaves the old file whole.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from forms.errors import CounterError
from printouts.layout import PDF_CREATOR

R = TypeVar("R")


def checked_target(
    target: Path | str, force: bool, database_file: str | None = None, *, sheet: bool = False
) -> Path:
    """Where a PDF (or, with `sheet`, an exported .xlsx/.csv) may go: never the open database,
    never a folder, never someone's file.

    An existing file is replaced only if it is a PDF this program wrote (its creator mark), or
    with `force`; the database file and its -wal/-shm/-journal companions never. An existing
    spreadsheet always needs `force`: a supervisor may have added notes to last month's export
    and saved it again, and Excel keeps our creator mark when it does, so no mark can tell an
    untouched export from an edited one (and a .csv has no place for a mark at all).
    """
    noun_zh, noun_en = (
        ("表格文件（.xlsx 或 .csv）", "a .xlsx or .csv file")
        if sheet
        else ("PDF 文件", "a PDF file")
    )
    target = Path(os.path.abspath(target))
    if target.is_dir():
        raise CounterError(
            f"--out 应为 {noun_zh}路径，{target} 是文件夹",
            f"--out must be {noun_en} path; {target} is a folder",
        )
    if target.exists() and not target.is_file():  # /dev/null, a pipe: even --force won't
        raise CounterError(
            f"--out 应为普通文件路径，{target} 不是普通文件",
            f"--out must be a regular file path; {target} is not one",
        )
    if not target.parent.is_dir():
        raise CounterError(
            f"文件读写失败 {target.parent}：文件夹不存在（请先建好文件夹）",
            f"file error {target.parent}: the folder does not exist (create it first)",
        )
    if database_file is not None:
        real = os.path.realpath(target)
        for suffix in ("", "-wal", "-shm", "-journal"):
            guarded_path = f"{database_file}{suffix}"
            if real == os.path.realpath(guarded_path) or (
                target.exists()
                and os.path.exists(guarded_path)
                and os.path.samefile(target, guarded_path)
            ):
                raise CounterError(
                    f"--out 指向正在使用的数据库文件 {guarded_path}，拒绝覆盖",
                    f"--out names the open database file {guarded_path}; refusing to overwrite it",
                )
    if sheet and target.exists() and not force:
        raise CounterError(
            f"{target} 已存在，未覆盖；换一个文件名，或确认后加 --force",
            f"{target} exists; not overwritten (choose another name, or add --force)",
        )
    if not sheet and target.exists() and not force and not is_our_pdf(target):
        raise CounterError(
            f"{target} 已存在且不是本程序生成的 PDF，未覆盖；换一个文件名，或确认后加 --force",
            f"{target} exists and is not a PDF written by this program; not overwritten "
            "(choose another name, or add --force)",
        )
    return target


def is_our_pdf(path: Path | str) -> bool:
    """A PDF this program wrote: it starts with %PDF- and carries our creator mark."""
    try:
        with open(path, "rb") as handle:
            if handle.read(5) != b"%PDF-":
                return False
            handle.seek(0)
            data = handle.read(64 * 1024 * 1024)
    except OSError:
        return False
    mark = PDF_CREATOR.encode("ascii")
    return b"/Creator (" + mark + b")" in data or b"/Producer (" + mark + b")" in data


def write_replacing(render: Callable[[str], R], target: Path) -> R:
    """Render into a temporary file beside `target`, then rename it into place: a failure
    leaves no half file and the old one untouched."""
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".part"
    )
    os.close(handle)
    try:
        result = render(temporary)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; a printout is not
        os.replace(temporary, target)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise
    return result
