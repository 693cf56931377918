"""Tests written to kill mutants that survived mutmut over db/requests.py (run of 2026-11-29).

Each test names the behaviour a surviving mutant broke; all run on the real database (SQLite
and PostgreSQL through the `database` fixture). The lock tests matter on PostgreSQL, where a
handling step holds the request's row; on SQLite the write lock taken at BEGIN IMMEDIATE gives
the same outcome.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

import peewee
import pytest

from db import permits as permit_ops
from db import requests as ops
from db.clock import clock
from db.connection import db
from db.models import Permit, ReceiptIssue, Request, RequestEvent
from db.people import add_household, add_person, find_person
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.citizen_id import make_citizen_id
from forms.errors import CounterError
from forms.workdays import add_working_days
from tests.conftest import HOME, TODAY, IdMaker, refused

D = dt.date
BASIS_HOME = (
    "两项清单·迁入社区责任清单：迁入社区负责组织搬迁户参加医疗保险，确保搬迁户就地就近享受医保服务"
)
BASIS_PERMIT = (
    "“1126”机制·一本证定人：县乡村振兴局会同公安部门制定办事指南，明确“居住证”使用范围和权限"
)


@pytest.fixture
def household(database: peewee.Database) -> str:
    return add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    ).number


@pytest.fixture
def head(household: str, make_id: IdMaker) -> str:
    """A 68-year-old head of a household of the home community, moved in 2019."""
    number = make_id(D(1958, 3, 12), "男")
    add_person(
        household_number=household, id_number=number, name="王德明", relation="户主", today=TODAY
    )
    return number


@pytest.fixture
def holder(head: str, desk: Desk, catalogue: Catalogue) -> str:
    """The head, with a permit issued TODAY (most services ask for it)."""
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    return head


def _open(catalogue: Catalogue, desk: Desk, number: str, service: str, **kw) -> Request:  # type: ignore[no-untyped-def]
    kw.setdefault("today", TODAY)
    return ops.open_request(id_number=number, service=service, catalogue=catalogue, desk=desk, **kw)


def _events(request: Request) -> list[tuple[str, object, str]]:
    return [
        (e.kind, e.on, e.note)
        for e in RequestEvent.select()
        .where(RequestEvent.request == request.id)
        .order_by(RequestEvent.id)
    ]


def _at(hour: int) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hour))


# ── the order of a person's open requests and of a list: opening time, then row id ──


def test_open_requests_and_lists_follow_the_opening_time_then_the_row(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    """A request entered later can carry an earlier recorded time (the clock is the hall's, the
    row id is the database's), and two requests can share a second. The order is the opening
    time, then the row id. On PostgreSQL a step that changes the first request's status writes
    a new version of its row at the end of the table (and of the status and person indexes), so
    an order without the row id would put it after its namesake of the same second."""
    with clock(_at(10)):
        first = _open(catalogue, desk, head, "P01", provided=["居民身份证"])
    with clock(_at(9)):
        earlier = _open(catalogue, desk, head, "P01", provided=["居民身份证"], again_reason="补登")
    with clock(_at(10)):
        same_second = _open(
            catalogue, desk, head, "P01", provided=["居民身份证"], again_reason="再次申请"
        )
    with clock(_at(11)):
        ops.supplement(first.ticket, ["all"], desk, TODAY)  # a new status: a new row version
    assert first.id < earlier.id < same_second.id
    expected = [earlier.ticket, first.ticket, same_second.ticket]
    assert [r.ticket for r in ops.open_requests_for(find_person(head), "P01")] == expected
    assert [r.ticket for r in ops.list_requests(community=HOME, desk=desk)] == expected
    with pytest.raises(ops.OpenRequestExists) as caught:
        _open(catalogue, desk, head, "P01")
    assert caught.value.ticket == earlier.ticket  # the oldest open one


# ── check: the ID is read against the business day ──


def test_check_reads_the_id_against_the_business_day(
    database: peewee.Database, desk: Desk, catalogue: Catalogue
) -> None:
    """A birth the day after TODAY is out of range for TODAY's entry, even though the machine's
    date is later (checked before the person is looked up)."""
    born = TODAY + dt.timedelta(days=1)
    number = make_citizen_id("610924", born, 101)
    error = refused(
        ops.check, id_number=number, service="医疗保险参保", catalogue=catalogue,
        community=HOME, today=TODAY,
    )  # fmt: skip
    assert error.en == f"citizen ID birth date is out of range: {born}"


# ── create_request: what is stored for each outcome ──


def test_an_accepted_request_stores_its_reasons_documents_and_receipt_in_full(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    permit = Permit.get()
    request = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    stored = Request.get_by_id(request.id)
    assert (stored.status, stored.closed_on) == ("accepted", None)
    assert stored.reasons == [
        {"rule": "SIDE-HERE", "text": "“医疗保险参保”属迁入社区事项，本窗口办理",
         "basis": BASIS_HOME, "refusing": False},
        {"rule": "PERMIT-VALID", "text": f"居住证{permit.number}有效，有效期至2027-11-26",
         "basis": BASIS_PERMIT, "refusing": False},
    ]  # fmt: skip
    assert stored.documents_required == [
        {
            "name": "居民身份证",
            "copies": 1,
            "issuer": "公安机关",
            "note": "未满16周岁的可提供户口簿",
        },
        {"name": "居住证", "copies": 1, "issuer": "紫阳县公安局", "note": ""},
        {"name": "户口簿", "copies": 1, "issuer": "公安机关", "note": ""},
    ]
    issues = ReceiptIssue.select(
        ReceiptIssue.version, ReceiptIssue.staff, ReceiptIssue.counter_code
    ).where(ReceiptIssue.request == request.id)
    assert list(issues.tuples()) == [(1, desk.staff_id, "SXSQ01")]


def test_a_refusal_at_opening_is_closed_that_day_with_every_reason(
    household: str, desk: Desk, catalogue: Catalogue
) -> None:
    """A 36-year-old asking for a pension: the age rule refuses, the valid permit is on record
    as a reason that does not refuse; the refusal event carries the whole refusal."""
    son = make_citizen_id("610924", D(1990, 3, 12), 103)
    add_person(
        household_number=household, id_number=son, name="王小明", relation="户主", today=TODAY
    )
    permit = permit_ops.issue_permit(id_number=son, catalogue=catalogue, desk=desk, today=TODAY)
    request = _open(catalogue, desk, son, "城乡居民养老保险待遇领取", provided=["all"])
    stored = Request.get_by_id(request.id)
    assert (stored.status, stored.closed_on, stored.promised_by, stored.remedy) == (
        "refused", TODAY, None, "可于2050-03-12（年满60周岁）起办理",
    )  # fmt: skip
    assert [(r["rule"], r["refusing"]) for r in stored.reasons] == [
        ("AGE-MIN", True), ("PERMIT-VALID", False),
    ]  # fmt: skip
    assert [r["text"] for r in stored.reasons] == [
        "当事人36周岁，未满60周岁（按身份证号计算）",
        f"居住证{permit.number}有效，有效期至2027-11-26",
    ]
    assert _events(stored) == [
        ("opened", TODAY, "不予办理"),
        (
            "refused",
            TODAY,
            "当事人36周岁，未满60周岁（按身份证号计算）。可于2050-03-12（年满60周岁）起办理",
        ),
    ]


def test_a_revoked_permit_is_named_in_the_refusal(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    number = Permit.get().number
    permit_ops.revoke_permit(id_number=holder, reason="迁回原籍", desk=desk, today=TODAY)
    request = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    assert request.status == "refused"
    assert [(r["rule"], r["text"]) for r in Request.get_by_id(request.id).reasons] == [
        ("PERMIT-REVOKED", f"居住证{number}已注销，不能凭此证办理"),
    ]


def test_a_move_out_village_matter_is_referred_with_a_transfer_slip(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    request = _open(catalogue, desk, head, "土地承包经营", provided=["all"])
    stored = Request.get_by_id(request.id)
    assert (stored.status, stored.handled_by, stored.closed_on) == (
        "referred", "洞河镇麻园村", None,
    )  # fmt: skip
    assert stored.promised_by == add_working_days(TODAY, stored.time_limit)
    assert _events(stored) == [
        ("opened", TODAY, "转迁出村办理"),
        ("forwarded", TODAY, "开具转办单，转洞河镇麻园村办理"),
    ]


# ── verify: what the paper claims is compared ──


def test_verify_compares_what_the_paper_claims(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    request = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    code = Request.get_by_id(request.id).verify_code
    plain = ops.verify(code)
    assert plain is not None and (plain["valid"], plain["mismatch"]) == (True, [])
    told = ops.verify(code, {"ticket": request.ticket.lower(), "status": "已受理"})
    assert told is not None and (told["valid"], told["mismatch"]) == (True, [])
    altered = ops.verify(code, {"ticket": "SXSQ01-2026-000999", "status": "completed"})
    assert altered is not None and (altered["valid"], altered["mismatch"]) == (
        False, ["ticket", "status"],
    )  # fmt: skip


# ── _record: the last guard before a note is stored ──


def test_the_last_guard_refuses_an_unsafe_note_naming_the_field(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    """Every caller cleans its note first; the guard in _record is there for the one that
    forgets, and says which field is wrong."""
    request = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    before = _events(request)
    with db.atomic():
        error = refused(ops._record, request, "completed", desk, TODAY, "已办\u202e结")
    assert (error.zh, error.en) == (
        "办理说明含有不允许的控制字符（\\u202e），请重新输入",
        "note contains a forbidden control character (\\u202e)",
    )
    assert _events(request) == before


# ── the handling steps: refusals name the ticket, notes are as given ──


def _steps(ticket: str, desk: Desk, day: dt.date) -> dict[str, Callable[[], Request]]:
    return {
        "supplement": lambda: ops.supplement(ticket, ["居民身份证"], desk, day),
        "forward": lambda: ops.forward(ticket, desk, day),
        "return": lambda: ops.return_request(ticket, desk, day, "缺少收入证明"),
        "complete": lambda: ops.complete(ticket, desk, day),
        "refuse": lambda: ops.refuse(ticket, desk, day, "收入高于低保标准"),
    }


ALLOWED = {
    "supplement": ("补正材料", "待补正", "pending_materials"),
    "forward": ("转办", "已受理", "accepted"),
    "return": ("退回", "已转办", "forwarded"),
    "complete": ("办结", "已受理、已转办、已转迁出村", "accepted, forwarded, referred"),
    "refuse": (
        "不予办理", "待补正、已受理、已转办", "pending_materials, accepted, forwarded",
    ),
}  # fmt: skip


@pytest.mark.parametrize("step", list(ALLOWED))
def test_each_step_refused_names_the_ticket(
    holder: str, desk: Desk, catalogue: Catalogue, step: str
) -> None:
    request = _open(catalogue, desk, holder, "城乡低保申请", provided=["all"])
    ticket = request.ticket
    before = _events(request)
    error = refused(_steps(ticket, desk, TODAY - dt.timedelta(days=1))[step])
    assert (error.zh, error.en) == (
        f"办理日期2026-11-26早于{ticket}的受理日期2026-11-27",
        f"date 2026-11-26 is before {ticket} was opened (2026-11-27)",
    )
    ops.forward(ticket, desk, TODAY)
    ops.complete(ticket, desk, TODAY)
    done = _events(request)
    assert len(done) == len(before) + 2
    label, allowed_zh, allowed_en = ALLOWED[step]
    error = refused(_steps(ticket, desk, TODAY)[step])
    assert (error.zh, error.en) == (
        f"{ticket} 当前状态为“已办结”，不能{label}（仅限：{allowed_zh}）",
        f"{ticket} is completed; '{step}' is allowed only from: {allowed_en}",
    )
    assert _events(request) == done


def test_supplement_lists_every_document_given_and_still_missing(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    request = _open(catalogue, desk, holder, "居住证补换领")
    assert request.documents_missing == ["居民身份证", "近期一寸免冠彩色照片", "原居住证或遗失声明"]
    error = refused(ops.supplement, request.ticket, ["户口本"], desk, TODAY)
    assert (error.zh, error.en) == (
        "“居住证补换领”的材料清单中没有“户口本”；"
        "可填：1.居民身份证、2.近期一寸免冠彩色照片、3.原居住证或遗失声明，或 all",
        "'户口本' is not a document of 居住证补换领; use a listed name, its number, or 'all'",
    )
    ops.supplement(request.ticket, ["2"], desk, TODAY)
    ops.supplement(request.ticket, ["居民身份证", "原居住证或遗失声明"], desk, TODAY)
    assert [note for kind, _, note in _events(request) if kind == "supplemented"] == [
        "补交：近期一寸免冠彩色照片；仍缺：居民身份证、原居住证或遗失声明",
        "补交：居民身份证、原居住证或遗失声明；材料齐全，正式受理",
    ]


def test_complete_without_a_note_records_none(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    request = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    ops.complete(request.ticket, desk, TODAY)
    assert _events(request)[-1] == ("completed", TODAY, "")


# ── the row lock a handling step holds (PostgreSQL; SQLite's write lock does the same) ──


def _prepare(step: str, holder: str, desk: Desk, catalogue: Catalogue) -> Request:
    """A request in a status the step is allowed from."""
    if step == "supplement":
        return _open(catalogue, desk, holder, "城乡低保申请", provided=["居民身份证"])
    request = _open(catalogue, desk, holder, "城乡低保申请", provided=["all"])
    if step == "return":
        ops.forward(request.ticket, desk, TODAY)
    return request


@pytest.mark.parametrize("step", list(ALLOWED))
def test_a_step_waits_for_another_counters_step_then_sees_its_outcome(
    holder: str, desk: Desk, catalogue: Catalogue, step: str
) -> None:
    """Counter A is finishing the request (its row written, not committed) when counter B
    starts a step on it. B waits for A, then reads the finished request and is told it is
    already completed; it never works from the row as it was before A's step (that would end
    in "just changed at another counter" or worse)."""
    request = _prepare(step, holder, desk, catalogue)
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def counter_a() -> None:
        with db.connection_context(), db.atomic():
            mine = ops.get_request(request.ticket, lock=True)
            ops._save(mine, status="completed", closed_on=TODAY)
            ops._record(mine, "completed", desk, TODAY, "甲窗口办结")
            holding.set()
            release.wait(10)

    def counter_b() -> None:
        with db.connection_context():
            try:
                _steps(request.ticket, desk, TODAY)[step]()
                outcome["b"] = "done"
            except CounterError as exc:
                outcome["b"] = exc.en

    first = threading.Thread(target=counter_a)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=counter_b)
    second.start()
    second.join(1.0)  # B is queued behind A (or, unlocked, has read the old row by now)
    assert second.is_alive()
    release.set()
    first.join(10)
    second.join(10)
    assert outcome["b"] == (
        f"{request.ticket} is completed; '{step}' is allowed only from: {ALLOWED[step][2]}"
    )
    stored = Request.get_by_id(request.id)
    writes = 2 if step == "return" else 1  # the forward that prepared it, then A's step
    assert (stored.status, stored.version) == ("completed", request.version + writes)
    assert _events(stored)[-1] == ("completed", TODAY, "甲窗口办结")


def test_reading_a_request_does_not_wait_for_a_step_in_progress(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    """`request show` while another counter is in the middle of a step on the same request
    answers at once, with the committed row: only a handling step takes the lock."""
    request = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    holding, release = threading.Event(), threading.Event()
    seen: dict[str, object] = {}

    def counter_a() -> None:
        with db.connection_context(), db.atomic():
            mine = ops.get_request(request.ticket, lock=True)
            ops._save(mine, status="completed", closed_on=TODAY)
            holding.set()
            release.wait(10)

    def reader() -> None:
        with db.connection_context():
            seen["status"] = ops.get_request(request.ticket.lower()).status
            seen["while_held"] = not release.is_set()

    first = threading.Thread(target=counter_a)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=reader)
    second.start()
    second.join(5)
    release.set()
    first.join(10)
    second.join(10)
    assert seen == {"status": "accepted", "while_held": True}
    assert Request.get_by_id(request.id).status == "completed"
