"""Receipt versions and their codes: issuing one when a receipt is printed, and verifying one.

A receipt asserts the request's state at printing (status, promised date, documents). Printing
again after that state changed is a new version with its own code; the old paper keeps
verifying, and `verify` says it is superseded and what the request's state is now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from db import receipt_keys
from db.clock import now
from db.connection import db, is_postgres
from db.models import ReceiptIssue, Request
from db.setup import Desk, ensure_ready
from db.views import iso_local
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.status import STATUS_LABELS
from forms.verify import covered_content, normalise_code, receipt_code, signed_code

# What the paper says that may change from one printing to the next.
STATE_FIELDS = ("status", "promised_by", "documents_received", "documents_missing")


def state_of(request: Request) -> dict[str, object]:
    return {
        "status": str(request.status),
        "promised_by": request.promised_by.isoformat() if request.promised_by else "",
        "documents_received": list(request.documents_received),
        "documents_missing": list(request.documents_missing),
    }


def _content(request: Request, state: Mapping[str, object], version: int, key_id: str) -> dict:
    return covered_content(
        ticket=request.ticket,
        id_number=request.person.id_number,
        service_code=request.service_code,
        opened_at=request.opened_at.isoformat(sep=" "),
        status=str(state["status"]),
        promised_by=str(state["promised_by"]),
        documents_received=list(state["documents_received"]),  # type: ignore[call-overload]
        documents_missing=list(state["documents_missing"]),  # type: ignore[call-overload]
        version=version,
        key_id=key_id,
    )


def latest_issue(request: Request) -> ReceiptIssue | None:
    return (
        ReceiptIssue.select()
        .where(ReceiptIssue.request == request.id)
        .order_by(ReceiptIssue.version.desc())
        .first()
    )


def issue_receipt(request: Request, desk: Desk | None, at: dt.datetime) -> ReceiptIssue:
    """The version of the receipt that the request's current state is: the latest one if it
    asserts the same, else a new version signed with this hall's current key. Call inside the
    transaction that holds the request (two counters printing at once get one version)."""
    state = state_of(request)
    latest = latest_issue(request)
    if (
        latest is not None
        and latest.scheme != receipt_keys.LEGACY
        and {name: latest.covered.get(name) for name in STATE_FIELDS} == state
    ):
        return latest  # a reprint of the same paper: same version, same code
    key = receipt_keys.signing_key()
    version = (latest.version if latest else 0) + 1
    content = _content(request, state, version, key.id)
    code = signed_code(key.material(), content)
    stored = {name: value for name, value in content.items() if name != "id_number"}
    issue = ReceiptIssue.create(
        request=request.id,
        version=version,
        covered=stored,
        key_id=key.id,
        scheme=receipt_keys.SIGNING,
        code=code,
        printed_at=at,
        staff=desk.staff_id if desk else None,
        counter_code=desk.counter_code if desk else "",
    )
    Request.update(verify_code=code).where(Request.id == request.id).execute()
    request.verify_code = code
    return issue


def _genuine(issue: ReceiptIssue, request: Request, ring: receipt_keys.KeyRing) -> bool | None:
    """Recompute the code from the stored content with the key it names: None if this machine
    lacks that key. An edited row (content, key id or code) does not pass."""
    key = ring.get(issue.key_id)
    if key is None:
        return None
    if issue.scheme == receipt_keys.LEGACY:
        if key.scheme != receipt_keys.LEGACY:
            return False
        expected = receipt_code(
            key.secret,
            request.ticket,
            request.person.id_number,
            request.service_code,
            request.opened_at.isoformat(sep=" "),
        )
        return expected == issue.code
    if key.scheme != receipt_keys.SIGNING or issue.covered.get("key_id") != issue.key_id:
        return False
    try:
        content = _content(request, issue.covered, int(issue.covered["version"]), issue.key_id)
    except (KeyError, TypeError, ValueError):
        return False
    return content["version"] == issue.version and signed_code(key.material(), content) == (
        issue.code
    )


CLAIMS = {
    "ticket": ("受理编号", "ticket"),
    "promised_by": ("承诺办结日期", "promised date"),
    "status": ("办理状态", "status"),
}


def verify_receipt(
    raw_code: str, claimed: Mapping[str, str] | None = None
) -> dict[str, object] | None:
    """Which receipt version this code is, and whether it is still the request's state.

    `claimed` holds what the paper in hand says (ticket, promised date, status): a receipt
    whose printed line was altered has a code that covered something else, and is refused.
    Reads only.
    """
    ensure_ready()
    code = normalise_code(raw_code)
    if code is None:
        raise CounterError(
            f"验证码格式不正确（应为12位，如 ABCD-EFGH-JKLM）：{raw_code}",
            f"malformed verification code (12 characters, like ABCD-EFGH-JKLM): {raw_code}",
        )
    ring = receipt_keys.load()
    missing_key = ""
    for issue in ReceiptIssue.select().where(ReceiptIssue.code == code).order_by(ReceiptIssue.id):
        request = Request.get_by_id(issue.request_id)
        genuine = _genuine(issue, request, ring)
        if genuine is None:
            missing_key = issue.key_id
            continue
        if genuine:
            return _describe(code, issue, request, claimed or {})
    if missing_key:
        raise CounterError(
            f"该验证码由密钥 {missing_key} 签发，本机的回执密钥文件（{ring.path}）中没有该密钥，"
            "无法核验：请从签发大厅复制密钥文件（receipt-key import）或到签发窗口核验",
            f"this code was made with key {missing_key}, which is not in this machine's key file "
            f"({ring.path}); import the issuing hall's key file or verify there",
        )
    return None


def _describe(
    code: str, issue: ReceiptIssue, request: Request, claimed: Mapping[str, str]
) -> dict[str, object]:
    person = request.person
    latest = latest_issue(request)
    latest_version = latest.version if latest else issue.version
    current = state_of(request)
    legacy = issue.scheme == receipt_keys.LEGACY
    printed: dict[str, object] = {
        "version": issue.version,
        "printed_at": iso_local(issue.printed_at),
        "key_id": issue.key_id,
        "scheme": issue.scheme,
    }
    if not legacy:
        printed.update({name: issue.covered[name] for name in STATE_FIELDS})
        printed["status_label"] = STATUS_LABELS.get(str(issue.covered["status"]), "")
    asserted = {
        "ticket": request.ticket,
        "promised_by": "" if legacy else str(issue.covered["promised_by"]),
        "status": "" if legacy else str(issue.covered["status"]),
    }
    mismatch = []
    for name, value in claimed.items():
        if name not in CLAIMS or value is None:
            continue
        told = str(value).strip().upper() if name == "ticket" else str(value).strip()
        if name == "status" and told in STATUS_LABELS.values():
            told = next(k for k, v in STATUS_LABELS.items() if v == told)
        if legacy and name != "ticket":
            continue  # the first scheme never covered it: nothing to compare with
        if told != asserted[name]:
            mismatch.append(name)
    return {
        "valid": not mismatch,
        "code": code,
        "mismatch": mismatch,
        "ticket": request.ticket,
        "service": {"code": request.service_code, "name": request.service_name},
        "applicant": {"name": person.name, "id_number": mask_id(person.id_number)},
        "counter": request.counter_code,
        "community": request.community,
        "opened_at": iso_local(request.opened_at),
        "status": request.status,
        "status_label": STATUS_LABELS[request.status],
        "receipt": printed,
        "latest_version": latest_version,
        "superseded": issue.version < latest_version,
        "current": {**current, "status_label": STATUS_LABELS[request.status]},
        "changed_since_printing": legacy
        or any(issue.covered.get(name) != current[name] for name in STATE_FIELDS),
    }


def print_receipt_version(request: Request, desk: Desk) -> ReceiptIssue:
    """For `print receipt`: the version this printing is, recorded before the PDF is made."""
    with db.atomic():
        locked = Request.select().where(Request.id == request.id)
        if is_postgres():  # hold the row: two counters printing at once make one version
            locked = locked.for_update()
        fresh = locked.get()
        return issue_receipt(fresh, desk, now())  # the one clock (db/clock.py)
