"""Print jobs of the desk: data from `db/printdata.py`, drawn by `printouts/`, written safely.

A job is plain data (what to print, for which ticket, person or day), so a screen can offer a
list of them and run the chosen ones in a thread worker. The PDF goes to the output folder
(ZIYANG_OUTPUT, else the data folder's printouts/); with ZIYANG_PRINTER set it is also sent to
that printer. Nothing here imports Textual: the screens run these functions in workers.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forms.errors import CounterError
from forms.status import Status

if TYPE_CHECKING:
    from tui.context import DeskContext

PRINTER_ENV = "ZIYANG_PRINTER"

KIND_LABELS = {
    "receipt": "受理回执",
    "notice": "一次性告知单",
    "refusal": "不予办理告知书",
    "transfer": "转办单",
    "permit": "居住证",
    "daily_log": "办件台账",
    "blank_notice": "空白告知单",
}


@dataclass(frozen=True)
class PrintJob:
    """One printout. `key` is a ticket (receipt, notice, refusal, transfer), a full citizen ID (permit),
    a service code (blank_notice) or 'YYYY-MM-DD:YYYY-MM-DD' (daily_log)."""

    kind: str
    key: str

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class Printed:
    job: PrintJob
    path: str
    pages: int
    warnings: tuple[str, ...]
    missing_glyphs: tuple[str, ...]
    printer: str | None

    def summary(self) -> str:
        text = f"{self.job.label}已生成（{self.pages}页）：{self.path}"
        if self.printer:
            text += f"，已发送到打印机 {self.printer}"
        if self.missing_glyphs:
            text += f"。注意：有生僻字无法显示（{''.join(self.missing_glyphs)}），未送打印机"
        return text


def jobs_for_request(view: dict[str, Any]) -> list[PrintJob]:
    """The printouts a request calls for, from its request_view: always the receipt; for a
    refused request the refusal notice; else the one-time notice when documents are missing;
    the transfer slip once it has gone elsewhere (forwarded or referred: before, the slip has
    no deadline to print)."""
    ticket = view["ticket"]
    jobs = [PrintJob("receipt", ticket)]
    status = view.get("status")
    if status == Status.REFUSED:
        jobs.append(PrintJob("refusal", ticket))
    elif view.get("missing_documents"):
        jobs.append(PrintJob("notice", ticket))
    if status in (Status.FORWARDED, Status.REFERRED):
        jobs.append(PrintJob("transfer", ticket))
    return jobs


def daily_log_job(first: dt.date, last: dt.date) -> PrintJob:
    return PrintJob("daily_log", f"{first.isoformat()}:{last.isoformat()}")


def _render(ctx: DeskContext, job: PrintJob) -> tuple[Any, str]:
    """(a function that writes the PDF to a path, the file name) for `job`."""
    desk = ctx.require_desk()
    today = ctx.today()
    if job.kind == "receipt":
        from db.printdata import receipt_data
        from printouts.receipt import render_receipt

        receipt = ctx.call(receipt_data, job.key, desk)
        return (lambda path: render_receipt(receipt, path, size="80mm")), (
            f"receipt-{receipt.ticket}-80mm.pdf"
        )
    if job.kind in ("notice", "refusal"):  # one drawing: a refused request's is the refusal
        from db.printdata import notice_for_request
        from printouts.notice import render_notice

        notice = ctx.call(notice_for_request, job.key, ctx.catalogue(), desk, today)
        return (lambda path: render_notice(notice, path)), f"{job.kind}-{notice.ticket}.pdf"
    if job.kind == "blank_notice":
        from db.printdata import notice_for_service
        from printouts.notice import render_notice

        blank = ctx.call(notice_for_service, ctx.catalogue().find(job.key), desk, today)
        return (lambda path: render_notice(blank, path)), f"notice-{blank.service_code}.pdf"
    if job.kind == "transfer":
        from db.printdata import transfer_data
        from printouts.transfer import render_transfer

        slip = ctx.call(transfer_data, job.key, desk, today)
        return (lambda path: render_transfer(slip, path)), f"transfer-{slip.ticket}.pdf"
    if job.kind == "permit":
        from db.people import show_person
        from db.printdata import permit_card_data
        from printouts.permit_card import render_permit_card

        card = ctx.call(permit_card_data, job.key, ctx.catalogue(), today)
        ctx.call(show_person, job.key, desk, today, "打印居住证")  # the card shows the full ID
        return (lambda path: render_permit_card(card, path)), f"permit-{card.number}.pdf"
    if job.kind == "daily_log":
        from db.printdata import daily_log_data
        from printouts.daily_log import render_daily_log

        first_raw, _, last_raw = job.key.partition(":")
        first, last = dt.date.fromisoformat(first_raw), dt.date.fromisoformat(last_raw)
        log = ctx.call(daily_log_data, first, last, desk, last)
        name = f"daily-log-{first.isoformat()}" + (f"_{last.isoformat()}" if last != first else "")
        return (lambda path: render_daily_log(log, path)), f"{name}.pdf"
    raise CounterError(f"未知的打印类型：{job.kind}", f"unknown printout kind {job.kind!r}")


def make(ctx: DeskContext, job: PrintJob) -> Printed:
    """Write the PDF for `job` (and send it to ZIYANG_PRINTER if set). Runs in a worker."""
    from db.connection import sqlite_file
    from db.printdata import output_dir
    from printouts.output import checked_target, write_replacing

    render, filename = _render(ctx, job)
    folder = Path(ctx.call(output_dir))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CounterError(
            f"无法创建打印文件夹 {folder}：{exc.strerror or exc}",
            f"cannot create the output folder {folder}: {exc.strerror or exc}",
        ) from None
    target = checked_target(folder / filename, False, ctx.call(sqlite_file))
    result = write_replacing(render, target)
    printer = os.environ.get(PRINTER_ENV) or None
    sent = None
    if printer and not result.missing_glyphs:
        from printouts.printer import send_to_printer

        send_to_printer(str(target), printer)
        sent = printer
    return Printed(
        job=job,
        path=str(target),
        pages=result.pages,
        warnings=tuple(result.warnings),
        missing_glyphs=tuple(result.missing_glyphs),
        printer=sent,
    )
