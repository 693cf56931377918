"""Sending a finished PDF to a system printer: lp on Linux and macOS, the shell's print verb
on Windows. Failures come back as one clear message; the PDF stays on disk either way."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from forms.errors import CounterError


def send_to_printer(path: str | Path, printer: str, *, copies: int = 1) -> str:
    """Print `path` on `printer`; return what the spooler said (e.g. the job id)."""
    file = Path(path)
    if not file.is_file():
        raise CounterError(f"找不到要打印的文件：{file}", f"nothing to print at {file}")
    if sys.platform.startswith("win"):
        try:
            os.startfile(str(file), "printto", f'"{printer}"')  # type: ignore[attr-defined]
        except OSError as exc:
            raise CounterError(
                f"无法发送到打印机“{printer}”：{exc.strerror or exc}（文件已保存在 {file}）",
                f"could not print on '{printer}': {exc.strerror or exc} (PDF kept at {file})",
            ) from None
        return f"sent to {printer}"
    command = shutil.which("lp")
    if command:
        args = [command, "-d", printer, "-n", str(copies), str(file)]
    elif shutil.which("lpr"):
        args = [str(shutil.which("lpr")), "-P", printer, "-#", str(copies), str(file)]
    else:
        raise CounterError(
            f"本机没有打印命令（lp/lpr），请安装 CUPS 或手动打印：{file}",
            f"no lp or lpr on this machine; install CUPS or print {file} by hand",
        )
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=30, check=False)
    except subprocess.TimeoutExpired:
        raise CounterError(
            f"打印机“{printer}”30秒无响应（文件已保存在 {file}）",
            f"printer '{printer}' did not answer in 30 s (PDF kept at {file})",
        ) from None
    if done.returncode != 0:
        reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["unknown error"]
        raise CounterError(
            f"打印机“{printer}”拒绝打印：{reason[0]}（文件已保存在 {file}）",
            f"printer '{printer}' refused the job: {reason[0]} (PDF kept at {file})",
        )
    return done.stdout.strip()
