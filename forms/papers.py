"""What each printout needs, as plain data. IDs arrive already masked where the paper is one
that others may see; only the permit card carries the full number (it is the holder's own)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Office:
    """Who prints: the hall and counter, for headers and "where to go"."""

    community: str
    counter_label: str  # e.g. 蒿坪镇双星社区服务大厅1号窗口
    phone: str = ""
    county: str = "紫阳县"


@dataclass(frozen=True)
class DocumentLine:
    name: str
    copies: int
    issuer: str
    note: str = ""
    state: str = ""  # "received", "missing" or "" (blank checklist)


@dataclass(frozen=True)
class Applicant:
    name: str
    masked_id: str
    address: str
    phone: str = ""


@dataclass(frozen=True)
class ReasonLine:
    text: str
    basis: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why a request was refused: every reason with its basis, what would make it possible
    (办理途径), and when. Papers add the way to appeal (救济途径) from the office's county."""

    reasons: list[ReasonLine]
    remedy: str = ""
    on: dt.date | None = None


@dataclass(frozen=True)
class ReceiptData:
    office: Office
    ticket: str
    service_code: str
    service_name: str
    applicant: Applicant
    officer: str
    received_at: dt.datetime
    status_label: str
    promised_by: dt.date | None
    time_limit: int
    received: list[str]
    missing: list[str]
    verify_code: str
    handled_by: str = ""
    refusal: Refusal | None = None  # set when the request is refused; no date is promised
    receipt_version: int = 0  # which printing the code covers (0: not recorded)


@dataclass(frozen=True)
class NoticeData:
    office: Office
    service_code: str
    service_name: str
    side_label: str
    basis: str
    conditions: list[str]
    documents: list[DocumentLine]
    time_limit: int
    where: str
    fee_yuan: float = 0.0
    ticket: str = ""  # empty for a blank checklist asked before applying
    applicant: Applicant | None = None
    printed_on: dt.date = field(default_factory=dt.date.today)
    refusal: Refusal | None = None


@dataclass(frozen=True)
class TransferData:
    office: Office
    ticket: str
    to: str  # the move-out village or the county department
    kind: str  # "village" or "department"
    service_code: str
    service_name: str
    applicant: Applicant
    reasons: list[str]
    handed_over: list[str]
    to_bring: list[str]
    deadline: dt.date | None
    officer: str
    issued_on: dt.date


@dataclass(frozen=True)
class EndorsementLine:
    on: dt.date
    valid_until: dt.date
    note: str = ""


@dataclass(frozen=True)
class PermitCardData:
    number: str
    name: str
    sex: str
    ethnicity: str
    birth_date: dt.date
    id_number: str  # full: the card is the holder's own document
    hukou_address: str
    residence_address: str
    authority: str
    issued_on: dt.date
    valid_until: dt.date
    status_label: str
    endorsements: list[EndorsementLine]
    replaces: str = ""


@dataclass(frozen=True)
class LogRow:
    at: dt.datetime
    ticket: str
    service: str
    person: str
    masked_id: str
    decision: str  # label of the opening decision, for display
    status: str  # label, for display
    officer: str
    status_code: str  # the request status (forms.status), which the log decides on
    outcome: str  # label of the decision by outcome: a later refusal counts as 不予办理
    promised_by: dt.date | None = None
    overdue: bool = False
    backdated: bool = False  # 补录: opened for an earlier business day than it was entered


@dataclass(frozen=True)
class DailyLogData:
    office: Office
    first_day: dt.date
    last_day: dt.date
    rows: list[LogRow]
    open_items: list[LogRow]  # still open at printing, opened in the period or before
    printed_at: dt.datetime = field(
        default_factory=lambda: dt.datetime.now().replace(microsecond=0)
    )


def totals(rows: Sequence[LogRow]) -> dict[str, Counter[str]]:
    """The log's tallies, one rule for the printed log and the supervisor's desk: by service,
    by decision (by outcome: a request refused after it was accepted counts as refused), by
    officer, and by status."""
    return {
        "service": Counter(r.service for r in rows),
        "decision": Counter(r.outcome for r in rows),
        "officer": Counter(r.officer for r in rows),
        "status": Counter(r.status for r in rows),
    }


def ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    """A tally in the order the log shows it: most first, then by name."""
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
