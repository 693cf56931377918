"""Tests written to kill mutants that survived mutmut over the operations in db/ (issue 6).

Each test names the behaviour the surviving mutant broke; all run on the real database (SQLite
and PostgreSQL through the `database` fixture).
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import peewee
import pytest

from db import permits as permit_ops
from db import requests as ops
from db.accounts import (
    SESSION_MAX,
    add_staff,
    check_password,
    disable_staff,
    lock_for,
    require_supervisor,
    resume,
    sign_in,
)
from db.clock import clock
from db.models import Permit, PermitEvent, Request, RequestEvent, Staff, StaffEvent, StaffSession
from db.people import add_household, add_person, find_person
from db.setup import (
    Desk,
    backdate_window,
    check_known_community,
    check_staff_code,
    get_setting,
    init_counter,
    known_communities,
    load_desk,
    set_backdate_window,
)
from db.views import check_period
from forms import dates
from forms import permits as rules
from forms.catalogue import Catalogue
from forms.citizen_id import make_citizen_id
from forms.errors import CounterError
from forms.workdays import add_working_days
from tests.conftest import HOME, PASSWORD, TODAY, IdMaker, refused

D = dt.date


@pytest.fixture
def head(database: peewee.Database, make_id: IdMaker) -> str:
    """A 68-year-old head of a household of the home community, moved in 2019."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    number = make_id(D(1958, 3, 12), "男")
    add_person(
        household_number=household.number, id_number=number, name="王德明", relation="户主",
        today=TODAY,
    )  # fmt: skip
    return number


def permit_events() -> list[tuple[str, str]]:
    return [(e.kind, e.note) for e in PermitEvent.select().order_by(PermitEvent.id)]


# ── db/requests.py: OpenRequestExists ──


def test_open_request_exists_carries_the_open_ticket_and_its_status(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    first = ops.open_request(
        id_number=head, service="城乡居民养老保险待遇领取", catalogue=catalogue, desk=desk,
        today=TODAY, provided=["居民身份证"],
    )  # fmt: skip
    assert first.status == "pending_materials"
    with pytest.raises(ops.OpenRequestExists) as caught:
        ops.open_request(
            id_number=head, service="城乡居民养老保险待遇领取", catalogue=catalogue, desk=desk,
            today=TODAY,
        )  # fmt: skip
    error = caught.value
    assert error.as_dict() == {
        "zh": error.zh,
        "en": error.en,
        "ticket": first.ticket,
        "status": "pending_materials",
    }
    assert Request.select().where(Request.service_code == first.service_code).count() == 1


# ── db/permits.py: revoke and unrevoke ──


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_unrevoke_without_a_reason_is_refused_and_writes_nothing(
    head: str, desk: Desk, catalogue: Catalogue, reason: str | None
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    permit_ops.revoke_permit(id_number=head, reason="点错了人", desk=desk, today=TODAY)
    before = permit_events()
    error = refused(
        permit_ops.unrevoke_permit, id_number=head, reason=reason, desk=desk, today=TODAY
    )
    assert (error.zh, error.en) == (
        "撤销注销须写明原因（--reason）",
        "undoing a revocation needs a reason (--reason)",
    )
    assert Permit.get().status == "revoked" and permit_events() == before


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_revoke_without_a_reason_is_refused_and_writes_nothing(
    head: str, desk: Desk, catalogue: Catalogue, reason: str | None
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    before = permit_events()
    error = refused(permit_ops.revoke_permit, id_number=head, reason=reason, desk=desk, today=TODAY)
    assert (error.zh, error.en) == (
        "注销居住证须写明原因（--reason）",
        "revoking a permit needs a reason",
    )
    assert Permit.get().status == "valid" and permit_events() == before
    assert RequestEvent.select().count() >= 1  # the issue's request is untouched


@pytest.fixture
def clerk(desk: Desk) -> Desk:
    """Officer 101 at the same counter."""
    add_staff(desk, "101", "张敏", "officer", password="zhangmin-pw")
    return load_desk("101")


def test_an_officer_is_refused_revoke_and_unrevoke_naming_the_operation(
    head: str, desk: Desk, clerk: Desk, catalogue: Catalogue
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    error = refused(permit_ops.revoke_permit, id_number=head, reason="迁回原籍", desk=clerk,
                    today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        "只有负责人（主管，supervisor）可以注销居住证，工作人员 101 不是负责人",
        "only a supervisor may revoke a permit; staff 101 is not one",
    )
    assert Permit.get().status == "valid"
    permit_ops.revoke_permit(id_number=head, reason="点错了人", desk=desk, today=TODAY)
    before = permit_events()
    error = refused(permit_ops.unrevoke_permit, id_number=head, reason="误注销", desk=clerk,
                    today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        "只有负责人（主管，supervisor）可以撤销注销，工作人员 101 不是负责人",
        "only a supervisor may undo a revocation; staff 101 is not one",
    )
    assert Permit.get().status == "revoked" and permit_events() == before


def test_require_supervisor_without_a_desk(database: peewee.Database) -> None:
    error = refused(require_supervisor, None, "查看", "look")
    assert (error.zh, error.en) == (
        "只有负责人（主管，supervisor）可以查看，不是负责人",
        "only a supervisor may look",
    )
    assert refused(require_supervisor, None).en == "only a supervisor may do this"
    assert "可以此操作，" in refused(require_supervisor, None).zh


def test_a_disabled_supervisor_is_no_longer_one(database: peewee.Database, desk: Desk) -> None:
    add_staff(desk, "002", "刘洋", "supervisor", password="liuyang-pw")
    second = load_desk("002")
    assert require_supervisor(second).code == "002"
    disable_staff(desk, "002")
    assert "不是负责人" in refused(require_supervisor, second).zh


def test_unrevoke_refusals_in_full_and_nothing_written(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    error = refused(permit_ops.unrevoke_permit, id_number=head, reason="误注销", desk=desk,
                    today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        "当事人未持有居住证，没有可撤销的注销",
        "there is no revoked permit to restore",
    )
    permit = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    error = refused(permit_ops.unrevoke_permit, id_number=head, reason="误注销", desk=desk,
                    today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        "当事人居住证有效，没有可撤销的注销",
        "there is no revoked permit to restore",
    )
    permit_ops.revoke_permit(id_number=head, reason="点错了人", desk=desk, today=TODAY)
    before = permit_events()
    next_day = TODAY + dt.timedelta(days=3)  # the Monday after
    error = refused(permit_ops.unrevoke_permit, id_number=head, reason="误注销", desk=desk,
                    today=next_day)  # fmt: skip
    assert (error.zh, error.en) == (
        f"居住证{permit.number}注销于{TODAY}，只能在注销当天撤销",
        f"permit {permit.number} was revoked on {TODAY}; "
        "a revocation can be undone only on the same day",
    )
    assert permit_events() == before
    stored = Permit.get()
    assert (stored.status, stored.closed_on, stored.closed_reason) == ("revoked", TODAY, "点错了人")
    undone = permit_ops.unrevoke_permit(id_number=head, reason=" 误注销 ", desk=desk, today=TODAY)
    assert (undone.status, undone.closed_on, undone.closed_reason) == ("valid", None, "")
    stored = Permit.get()
    assert (stored.status, stored.closed_on, stored.closed_reason) == ("valid", None, "")
    assert permit_events()[-2:] == [("revoked", "点错了人"), ("unrevoked", "误注销")]
    event = PermitEvent.select().order_by(PermitEvent.id.desc()).first()
    assert (event.on, event.staff_id, event.valid_until, event.late) == (
        TODAY, desk.staff_id, permit.valid_until, False,
    )  # fmt: skip


def test_revoke_refusals_in_full_and_what_a_revocation_writes(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    error = refused(permit_ops.revoke_permit, id_number=head, reason="迁回原籍", desk=desk,
                    today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        "当事人未持有居住证，无可注销的居住证",
        "there is no permit to revoke",
    )
    permit = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    revoked = permit_ops.revoke_permit(id_number=head, reason=" 迁回原籍 ", desk=desk, today=TODAY)
    assert revoked.status == "revoked"
    stored = Permit.get()
    assert (stored.status, stored.closed_on, stored.closed_reason) == ("revoked", TODAY, "迁回原籍")
    event = PermitEvent.select().order_by(PermitEvent.id.desc()).first()
    assert (event.kind, event.note, event.on, event.staff_id, event.valid_until) == (
        "revoked", "迁回原籍", TODAY, desk.staff_id, permit.valid_until,
    )  # fmt: skip
    before = permit_events()
    error = refused(permit_ops.revoke_permit, id_number=head, reason="再次", desk=desk,
                    today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        "当事人居住证已注销，无可注销的居住证",
        "there is no permit to revoke",
    )
    assert permit_events() == before


def _operations(catalogue: Catalogue, desk: Desk, number: str) -> dict[str, object]:
    return {
        "issue": lambda: permit_ops.issue_permit(
            id_number=number, catalogue=catalogue, desk=desk, today=TODAY
        ),
        "endorse": lambda: permit_ops.endorse_permit(
            id_number=number, catalogue=catalogue, desk=desk, today=TODAY
        ),
        "replace": lambda: permit_ops.replace_permit(
            id_number=number, reason="lost", catalogue=catalogue, desk=desk, today=TODAY
        ),
        "revoke": lambda: permit_ops.revoke_permit(
            id_number=number, reason="迁回原籍", desk=desk, today=TODAY
        ),
        "unrevoke": lambda: permit_ops.unrevoke_permit(
            id_number=number, reason="误注销", desk=desk, today=TODAY
        ),
        "open": lambda: ops.open_request(
            id_number=number, service="医疗保险参保", catalogue=catalogue, desk=desk, today=TODAY
        ),
    }


@pytest.mark.parametrize("operation", ["issue", "endorse", "replace", "revoke", "unrevoke", "open"])
def test_an_id_born_after_the_business_day_is_refused_against_that_day(
    database: peewee.Database, desk: Desk, catalogue: Catalogue, operation: str
) -> None:
    """The ID is checked against the day the entry is for, not the machine's date: a birth the
    day after TODAY is out of range (the real date is later than TODAY)."""
    number = make_citizen_id("610924", TODAY + dt.timedelta(days=1), 101)
    error = refused(_operations(catalogue, desk, number)[operation])  # type: ignore[arg-type]
    assert error.en == f"citizen ID birth date is out of range: {TODAY + dt.timedelta(days=1)}"


# ── db/views.py: check_period ──


@pytest.mark.parametrize(
    ("first", "last", "allowed"),
    [
        (D(2026, 1, 1), D(2026, 1, 1), True),  # one day
        (D(2026, 1, 2), D(2026, 1, 1), False),  # ends the day before it starts
        (D(2025, 1, 1), D(2026, 1, 2), True),  # 366 days apart: the most
        (D(2025, 1, 1), D(2026, 1, 3), False),  # 367
    ],
    ids=str,
)
def test_check_period_edges(first: dt.date, last: dt.date, allowed: bool) -> None:
    if allowed:
        check_period(first, last)  # returns, raising nothing
    else:
        refused(check_period, first, last)


def test_check_period_messages_and_its_own_limit() -> None:
    error = refused(check_period, D(2026, 1, 2), D(2026, 1, 1))
    assert (error.zh, error.en) == (
        "截止日期 2026-01-01 早于起始日期 2026-01-02",
        "the range ends (2026-01-01) before it starts (2026-01-02)",
    )
    error = refused(check_period, D(2025, 1, 1), D(2026, 1, 3))
    assert (error.zh, error.en) == (
        "查询期间最长一年（2025-01-01 至 2026-01-03）",
        "a range covers at most one year (2025-01-01 to 2026-01-03)",
    )
    check_period(D(2026, 1, 1), D(2026, 1, 8), max_days=7)  # raises nothing
    refused(check_period, D(2026, 1, 1), D(2026, 1, 9), max_days=7)


# ── db/setup.py: staff codes, the reconfigure refusal, the back-dating window ──


@pytest.mark.parametrize(
    ("raw", "code"),
    [("a1", "a1"), (" 007 ", "007"), ("０１２", "012"), ("x" * 16, "x" * 16)],
)
def test_check_staff_code_accepts(raw: str, code: str) -> None:
    assert check_staff_code(raw) == code


@pytest.mark.parametrize(
    ("raw", "shown"),
    [("", ""), (None, ""), ("x" * 17, "x" * 17), ("a b", "a b"), ("张三", "张三"),
     ("a\tb", "a\\tb"), ("a-b", "a-b")],
)  # fmt: skip
def test_check_staff_code_refuses_in_full(raw: str | None, shown: str) -> None:
    error = refused(check_staff_code, raw)
    assert (error.zh, error.en) == (
        f"工作人员编号应为1至16位字母或数字：“{shown}”",
        f"a staff code is 1 to 16 letters or digits, got '{shown}'",
    )


def test_reconfigure_refusal_names_every_change_and_changes_nothing(
    database: peewee.Database,
) -> None:
    stored = {k: get_setting(k) for k in ("community", "counter_no", "office_code")}
    assert stored == {"community": HOME, "counter_no": "1", "office_code": "SXSQ"}
    error = refused(init_counter, "城关镇新城社区", 2)
    assert error.zh == (
        f"本数据库已初始化为{HOME}服务大厅1号窗口，未更改（社区 {HOME}→城关镇新城社区，"
        "窗口号 1→2，受理编号前缀 SXSQ→XCSQ）：这是所有未设置 ZIYANG_COMMUNITY/ZIYANG_COUNTER "
        "的窗口机共用的默认值，改动会让它们的受理编号换系列、列表里看不到原办件。本机请改设 "
        "ZIYANG_COMMUNITY/ZIYANG_COUNTER（或 --desk-community/--desk-counter）；确需更改共用默认值"
        "请加 --reconfigure"
    )
    assert error.en == (
        f"this database is already set up (community {HOME} -> 城关镇新城社区; counter 1 -> 2; "
        "office code SXSQ -> XCSQ refused): the stored community and counter are the default of "
        "every counter machine without its own ZIYANG_COMMUNITY/ZIYANG_COUNTER; set those on "
        "this machine instead, or add --reconfigure to change the shared default"
    )
    only_counter = refused(init_counter, None, 3)
    assert "（窗口号 1→3）" in only_counter.zh
    assert "(counter 1 -> 3 refused)" in only_counter.en
    only_office = refused(init_counter, None, None, "ab12")
    assert "（受理编号前缀 SXSQ→AB12）" in only_office.zh
    assert "(office code SXSQ -> AB12 refused)" in only_office.en
    assert {k: get_setting(k) for k in stored} == stored
    # The same values again are no change; reconfigure takes the new ones.
    assert init_counter(HOME, 1)["office_code"] == "SXSQ"
    changed = init_counter(None, 3, reconfigure=True)
    assert (changed["community"], changed["counter_no"], changed["office_code"]) == (
        HOME,
        3,
        "SXSQ",
    )
    assert get_setting("counter_no") == "3"


def test_backdate_window_reads_the_setting(database: peewee.Database, desk: Desk) -> None:
    assert backdate_window() == dates.DEFAULT_BACKDATE_DAYS
    assert set_backdate_window(0, desk) == 0
    assert backdate_window() == 0
    assert set_backdate_window(dates.MAX_BACKDATE_DAYS, desk) == dates.MAX_BACKDATE_DAYS
    assert get_setting("backdate_days") == str(dates.MAX_BACKDATE_DAYS)
    assert backdate_window() == dates.MAX_BACKDATE_DAYS
    refused(set_backdate_window, dates.MAX_BACKDATE_DAYS + 1, desk)
    assert backdate_window() == dates.MAX_BACKDATE_DAYS


def _another(make_id: IdMaker, name: str = "李秀英") -> str:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2020, 6, 1), today=TODAY
    )
    number = make_id(D(1961, 8, 20), "女")
    add_person(
        household_number=household.number, id_number=number, name=name, relation="户主",
        today=TODAY,
    )  # fmt: skip
    return number


def test_revoke_and_unrevoke_touch_only_that_permit(
    head: str, desk: Desk, catalogue: Catalogue, make_id: IdMaker
) -> None:
    other = _another(make_id)
    mine = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    theirs = permit_ops.issue_permit(id_number=other, catalogue=catalogue, desk=desk, today=TODAY)
    permit_ops.revoke_permit(id_number=other, reason="迁回原籍", desk=desk, today=TODAY)
    assert Permit.get_by_id(mine.id).status == "valid"
    permit_ops.revoke_permit(id_number=head, reason="点错了人", desk=desk, today=TODAY)
    permit_ops.unrevoke_permit(id_number=head, reason="误注销", desk=desk, today=TODAY)
    kept = Permit.get_by_id(theirs.id)
    assert (kept.status, kept.closed_on, kept.closed_reason) == ("revoked", TODAY, "迁回原籍")
    restored = Permit.get_by_id(mine.id)
    assert (restored.status, restored.closed_on, restored.closed_reason) == ("valid", None, "")


# ── db/requests.py: opening, again, and the permit request a permit operation finishes ──


def _open(catalogue: Catalogue, desk: Desk, number: str, service: str, **kw) -> Request:  # type: ignore[no-untyped-def]
    return ops.open_request(
        id_number=number, service=service, catalogue=catalogue, desk=desk, today=TODAY, **kw
    )


def _notes(request: Request) -> list[tuple[str, str, str]]:
    return [
        (e.kind, e.status_after, e.note)
        for e in RequestEvent.select()
        .where(RequestEvent.request == request.id)
        .order_by(RequestEvent.id)
    ]


def test_the_open_request_message_in_full(head: str, desk: Desk, catalogue: Catalogue) -> None:
    first = _open(catalogue, desk, head, "居住证申领", provided=["居民身份证"])
    assert first.status == "pending_materials"
    with pytest.raises(ops.OpenRequestExists) as caught:
        _open(catalogue, desk, head, "P01", provided=["all"])
    error = caught.value
    assert (error.zh, error.en) == (
        f"王德明已有未办结的“居住证申领”：{first.ticket}（待补正，{TODAY}受理），"
        "请在该办件上继续办理（request show）；确需再次申请的，用 --again 写明原因",
        f"P01 is already open for this person as {first.ticket} (pending_materials); "
        "continue with that ticket, or use --again REASON",
    )
    assert (error.ticket, error.status, error.request.id) == (
        first.ticket, "pending_materials", first.id,
    )  # fmt: skip
    assert Request.select().count() == 1


def test_again_opens_a_second_request_with_the_reason_on_record(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    first = _open(catalogue, desk, head, "P01", provided=["居民身份证"])
    second = _open(catalogue, desk, head, "P01", provided=["居民身份证"], again_reason="原件遗失")
    third = _open(catalogue, desk, head, "P01", provided=["all"], note="本人到场",
                  again_reason=" 再次核对 ")  # fmt: skip
    assert len({first.ticket, second.ticket, third.ticket}) == 3
    assert _notes(second)[0] == (
        "opened", "pending_materials",
        f"本窗口办理；再次申请（已有未办结的{first.ticket}），原因：原件遗失",
    )  # fmt: skip
    assert _notes(third)[0] == (
        "opened", "accepted",
        f"本人到场；再次申请（已有未办结的{first.ticket}、{second.ticket}），原因：再次核对",
    )  # fmt: skip
    assert [r.ticket for r in ops.open_requests_for(find_person(head), "P01")] == [
        first.ticket, second.ticket, third.ticket,
    ]  # fmt: skip


def test_a_closed_request_does_not_block_a_new_one(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    first = _open(catalogue, desk, head, "医疗保险参保", provided=["all"])
    ops.complete(first.ticket, desk, TODAY)
    second = _open(catalogue, desk, head, "医疗保险参保", provided=["all"])
    assert second.ticket != first.ticket
    assert _notes(second)[0] == ("opened", "accepted", "本窗口办理")
    assert ops.open_requests_for(find_person(head), "H01") == [second]


def test_no_request_before_the_household_moved_in(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    refused(ops.open_request, id_number=head, service="P01", catalogue=catalogue, desk=desk,
            today=D(2019, 4, 30))  # fmt: skip
    assert Request.select().count() == 0 and RequestEvent.select().count() == 0


def test_a_permit_operation_waits_for_missing_documents(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    pending = _open(catalogue, desk, head, "P01", provided=["居民身份证"])
    error = refused(permit_ops.issue_permit, id_number=head, catalogue=catalogue, desk=desk,
                    today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        f"{pending.ticket} 仍缺材料：近期一寸免冠彩色照片、居住证明；请先补正（request supplement）",
        f"{pending.ticket} still misses documents; supplement them first",
    )
    assert Permit.select().count() == 0 and len(_notes(pending)) == 1


def test_a_permit_finishes_the_accepted_request(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    accepted = _open(catalogue, desk, head, "P01", provided=["all"])
    assert accepted.status == "accepted"
    permit = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    assert Request.select().count() == 1
    done = Request.get_by_id(accepted.id)
    assert (done.status, done.closed_on, done.permit_id, done.version) == (
        "completed", TODAY, permit.id, accepted.version + 1,
    )  # fmt: skip
    assert _notes(done)[-1] == ("completed", "completed", f"已发放居住证{permit.number}")
    event = RequestEvent.select().order_by(RequestEvent.id.desc()).first()
    assert (event.on, event.staff_id, event.counter_code) == (TODAY, desk.staff_id, "SXSQ01")


def test_a_walk_in_permit_registers_and_finishes_its_own_request(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    permit = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    request = Request.get()
    assert (request.service_code, request.status, request.permit_id) == (
        "P01", "completed", permit.id,
    )  # fmt: skip
    assert [(k, n) for k, _, n in _notes(request)] == [
        ("opened", "窗口当场受理"), ("completed", f"已发放居住证{permit.number}"),
    ]  # fmt: skip


def test_a_stale_row_cannot_overwrite_a_newer_step(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    request = _open(catalogue, desk, head, "医疗保险参保", provided=["all"])
    stale = Request.get_by_id(request.id)
    ops.complete(request.ticket, desk, TODAY, "已办结")
    error = refused(ops._save, stale, status="refused")
    assert (error.zh, error.en) == (
        f"{request.ticket} 刚被其他窗口更新，请重新查看后再办理",
        f"{request.ticket} was just changed at another counter; reload and try again",
    )
    stored = Request.get_by_id(request.id)
    assert (stored.status, stored.version) == ("completed", request.version + 1)
    assert stale.status == "accepted"  # the stale copy is not changed either
    fresh = Request.get_by_id(request.id)
    ops._save(fresh, remedy="x")
    assert (fresh.version, fresh.remedy) == (request.version + 2, "x")
    assert Request.get_by_id(request.id).version == request.version + 2


# ── db/requests.py: list_requests ──


def test_list_requests_filters_at_their_edges(
    head: str, desk: Desk, clerk: Desk, catalogue: Catalogue, make_id: IdMaker
) -> None:
    other = _another(make_id)
    days = [D(2026, 11, 23), D(2026, 11, 24), D(2026, 11, 25)]
    opened = [
        ops.open_request(id_number=number, service="居住证申领", catalogue=catalogue, desk=desk,
                         today=day, provided=provided)
        for number, day, provided in [
            (head, days[0], ["all"]), (other, days[1], ["居民身份证"]), (other, days[2], ["all"]),
        ]
        if not (number == other and day == days[2])
    ]  # fmt: skip
    first, second = opened
    third = _open(catalogue, desk, head, "居住证申领", provided=["all"], again_reason="补登")
    Request.update(community="城关镇新城社区").where(Request.id == third.id).execute()

    def tickets(**kw) -> list[str]:  # type: ignore[no-untyped-def]
        return [r.ticket for r in ops.list_requests(desk=desk, **kw)]

    assert tickets() == [first.ticket, second.ticket, third.ticket]
    assert tickets(day=days[0]) == [first.ticket]
    assert tickets(day=days[0], until=days[1]) == [first.ticket, second.ticket]
    assert tickets(day=days[1], until=TODAY) == [second.ticket, third.ticket]
    assert tickets(status="pending_materials") == [second.ticket]
    assert tickets(status="accepted", community=HOME) == [first.ticket]
    assert tickets(community="城关镇新城社区") == [third.ticket]
    # Overdue: strictly after the promised day, open requests only, not those without one.
    promised = first.promised_by
    assert promised is not None and second.promised_by is None
    assert tickets(overdue_on=promised) == []
    assert tickets(overdue_on=promised + dt.timedelta(days=1)) == [first.ticket]
    assert third.promised_by is not None
    later = third.promised_by + dt.timedelta(days=1)
    assert tickets(overdue_on=later) == [first.ticket, third.ticket]
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    assert tickets(overdue_on=later) == [third.ticket]  # the first is finished
    # One community is anyone's; all of them only a supervisor's.
    assert [r.ticket for r in ops.list_requests(community=HOME, desk=clerk)] == [
        first.ticket, second.ticket,
    ]  # fmt: skip
    error = refused(ops.list_requests, desk=clerk)
    assert (error.zh, error.en) == (
        "只有负责人（主管，supervisor）可以查看所有社区的办件，工作人员 101 不是负责人",
        "only a supervisor may list every community's requests; staff 101 is not one",
    )
    error = refused(ops.list_requests, status="lost", desk=desk)
    assert (error.zh, error.en) == (
        "状态“lost”无效，可选：pending_materials（待补正）、accepted（已受理）、forwarded（已转办）、"
        "referred（已转迁出村）、completed（已办结）、refused（不予办理）",
        "unknown status 'lost'; use one of: pending_materials, accepted, forwarded, referred, "
        "completed, refused",
    )


# ── db/accounts.py: the lock at its edges, the password rule at its limits, sessions ──

T0 = dt.datetime(2026, 11, 27, 9, 0, 0)
SECOND = dt.timedelta(seconds=1)


def _staff_events(code: str) -> list[tuple[str, str, str]]:
    staff = Staff.get(Staff.code == code)
    return [
        (e.kind, e.note, e.counter_code)
        for e in StaffEvent.select().where(StaffEvent.staff == staff).order_by(StaffEvent.id)
    ]


def test_the_lock_starts_at_the_third_failure_and_ends_on_its_second(
    database: peewee.Database, desk: Desk
) -> None:
    add_staff(desk, "101", "张敏", "officer", password="zhangmin-pw", now=T0)
    for n in (1, 2):
        error = refused(sign_in, "101", "wrong-password", now=T0)
        assert (error.zh, error.en) == ("工号或密码不正确", "wrong staff code or password")
        row = Staff.get(Staff.code == "101")
        assert (row.failed_count, row.locked_until) == (n, None)
    error = refused(sign_in, "101", "wrong-password", now=T0)
    assert (error.zh, error.en) == (
        "密码多次错误，账号已暂时锁定，请于 09:00:30 后再试（或请负责人重设密码）",
        "too many wrong passwords: the account is locked until 09:00:30 "
        "(or a supervisor resets the password)",
    )
    assert Staff.get(Staff.code == "101").locked_until == T0 + 30 * SECOND
    # One second before the end the right password is refused and nothing is counted...
    assert "锁定" in refused(sign_in, "101", "zhangmin-pw", now=T0 + 29 * SECOND).zh
    assert Staff.get(Staff.code == "101").failed_count == 3
    # ...at the end it signs in, and the count and the lock are cleared.
    sign_in("101", "zhangmin-pw", now=T0 + 30 * SECOND)
    row = Staff.get(Staff.code == "101")
    assert (row.failed_count, row.locked_until) == (0, None)
    assert _staff_events("101") == [
        ("added", "窗口人员（officer）", "SXSQ01"),
        ("sign_in_failed", "第1次", "SXSQ01"),
        ("sign_in_failed", "第2次", "SXSQ01"),
        ("sign_in_failed", "第3次", "SXSQ01"),
        ("locked", "至 09:00:30", "SXSQ01"),
        ("signed_in", "cli", "SXSQ01"),
    ]


@pytest.mark.parametrize(
    ("failures", "lock"),
    [(0, None), (2, None), (3, 30), (4, 60), (6, 240), (7, 480), (8, 900), (9, 900), (19, 900),
     (20, 900), (10_000, 900)],
)  # fmt: skip
def test_lock_for_each_step(failures: int, lock: int | None) -> None:
    assert lock_for(failures) == (None if lock is None else lock * SECOND)


@pytest.mark.parametrize(
    ("password", "zh", "en"),
    [
        ("abcdefg", "密码至少8个字符", "a password needs at least 8 characters"),
        ("ab" * 64 + "c", "密码最多128个字符", "a password has at most 128 characters"),
        ("abcd\x00efgh", "密码不能含控制字符", "a password cannot contain control characters"),
    ],
)
def test_password_rule_messages(password: str, zh: str, en: str) -> None:
    error = refused(check_password, password, "101", "张敏")
    assert (error.zh, error.en) == (zh, en)


@pytest.mark.parametrize(
    "password",
    ["zzzzzzzz", "PassWord1", "WOAINI1314", "abcd1234", "ZHANGMIN",
     "zhangmin"],
)  # fmt: skip
def test_password_too_easy(password: str) -> None:
    error = refused(check_password, password, "zhangmin", "张敏敏敏敏")
    assert error.en.startswith("this password is too easy to guess")
    assert "张敏敏敏敏" not in error.zh


def test_password_equal_to_the_name_is_too_easy() -> None:
    assert "容易猜到" in refused(check_password, "WangFang", "101", "wangfang").zh
    assert "容易猜到" in refused(check_password, "wang-fang-101", "WANG-FANG-101", "王芳").zh


@pytest.mark.parametrize("password", ["abcdefg8", "ab" * 64, "ｗａｎｇｆａｎｇ１２３"])
def test_passwords_at_the_limits_are_taken(password: str) -> None:
    assert check_password(password, "101", "张敏") == unicodedata.normalize("NFKC", password)


def test_a_session_at_its_idle_end_and_at_twelve_hours(database: peewee.Database) -> None:
    _, token = sign_in("001", PASSWORD, now=T0)
    session = StaffSession.get()
    assert (session.created_at, session.last_seen, session.expires_at) == (
        T0, T0, T0 + dt.timedelta(minutes=30),
    )  # fmt: skip
    end = T0 + dt.timedelta(minutes=30)
    assert resume(token, now=end - SECOND).staff_code == "001"
    assert StaffSession.get().expires_at == end - SECOND + dt.timedelta(minutes=30)
    error = refused(resume, token, now=end - SECOND + dt.timedelta(minutes=30))
    assert (error.zh, error.en) == (
        "未登录或登录已过期，请先运行：ziyang-counter login",
        "not signed in (or the session expired): run 'ziyang-counter login'",
    )
    _, token = sign_in("001", PASSWORD, now=T0)
    moment = T0
    while moment + dt.timedelta(minutes=29) < T0 + SESSION_MAX:
        moment += dt.timedelta(minutes=29)
        resume(token, now=moment)
    assert resume(token, now=T0 + SESSION_MAX - SECOND).staff_code == "001"
    refused(resume, token, now=T0 + SESSION_MAX)


# ── db/permits.py: issue, endorse, replace ──


def _last_permit_event() -> PermitEvent:
    return PermitEvent.select().order_by(PermitEvent.id.desc()).first()


def test_issue_on_the_due_day_is_on_time_and_the_day_after_is_late(
    head: str, desk: Desk, catalogue: Catalogue, make_id: IdMaker
) -> None:
    other = _another(make_id)
    opened_on = D(2026, 10, 9)
    due = add_working_days(opened_on, 15)
    for number in (head, other):
        ops.open_request(id_number=number, service="P01", catalogue=catalogue, desk=desk,
                         today=opened_on, provided=["all"])  # fmt: skip
    on_time = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=due)
    assert (on_time.accepted_on, on_time.issue_due_by, on_time.issued_on) == (opened_on, due, due)
    event = _last_permit_event()
    assert (event.kind, event.note, event.on, event.valid_until) == (
        "issued", "", due, rules.valid_until_for(due),
    )  # fmt: skip
    late_day = due + dt.timedelta(days=1)
    late = permit_ops.issue_permit(id_number=other, catalogue=catalogue, desk=desk, today=late_day)
    assert late.issue_due_by == due
    assert (_last_permit_event().note, _last_permit_event().late) == ("超过15个工作日发证", False)
    stored = Permit.get_by_id(on_time.id)
    assert (stored.status, stored.community, stored.valid_until, stored.residence_since) == (
        "valid", HOME, rules.valid_until_for(due), D(2019, 5, 1),
    )  # fmt: skip
    assert stored.number == f"{catalogue.county_code}-2026-000001"
    assert Permit.get_by_id(late.id).number == f"{catalogue.county_code}-2026-000002"


def test_a_permit_after_a_revocation_counts_residence_from_its_issue(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    permit_ops.revoke_permit(id_number=head, reason="迁回原籍", desk=desk, today=TODAY)
    later = D(2026, 12, 1)
    again = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=later)
    assert (again.residence_since, again.issued_on) == (later, later)
    assert Permit.get_by_id(again.id).residence_since == later


def test_endorse_on_time_and_late_writes_the_permit_the_event_and_the_request(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    first = permit_ops.issue_permit(
        id_number=head, catalogue=catalogue, desk=desk, today=D(2025, 11, 3)
    )
    assert first.valid_until == D(2026, 11, 2)
    on_time_day = rules.endorsement_opens(first.valid_until)
    endorsed = permit_ops.endorse_permit(
        id_number=head, catalogue=catalogue, desk=desk, today=on_time_day
    )
    assert (endorsed.valid_until, endorsed.residence_since) == (D(2027, 11, 2), D(2019, 5, 1))
    stored = Permit.get_by_id(first.id)
    assert (stored.valid_until, stored.residence_since) == (D(2027, 11, 2), D(2019, 5, 1))
    event = _last_permit_event()
    assert (event.kind, event.note, event.late, event.on, event.valid_until) == (
        "endorsed", "按期签注", False, on_time_day, D(2027, 11, 2),
    )  # fmt: skip
    request = Request.select().order_by(Request.id.desc()).first()
    assert (request.service_code, request.status, request.permit_id) == (
        "P02",
        "completed",
        first.id,
    )
    assert _notes(request)[-1] == ("completed", "completed", "已签注，有效期至2027-11-02")
    late_day = D(2027, 11, 3)
    late = permit_ops.endorse_permit(id_number=head, catalogue=catalogue, desk=desk, today=late_day)
    assert (late.valid_until, late.residence_since) == (rules.valid_until_for(late_day), late_day)
    stored = Permit.get_by_id(first.id)
    assert (stored.valid_until, stored.residence_since) == (D(2028, 11, 2), late_day)
    event = _last_permit_event()
    assert (event.note, event.late, event.residence_since) == (
        "逾期签注，使用功能恢复，居住年限自签注之日起连续计算", True, late_day,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("reason", "label"), [("lost", "遗失补领"), ("damaged", "损坏换领（原证已交回）")]
)
def test_replace_closes_the_old_permit_and_carries_its_dates(
    head: str, desk: Desk, catalogue: Catalogue, reason: str, label: str
) -> None:
    old = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    day = D(2026, 12, 1)
    new = permit_ops.replace_permit(
        id_number=head, reason=reason, catalogue=catalogue, desk=desk, today=day
    )
    closed = Permit.get_by_id(old.id)
    assert (closed.status, closed.closed_on, closed.closed_reason) == ("replaced", day, label)
    stored = Permit.get_by_id(new.id)
    assert (stored.status, stored.valid_until, stored.residence_since, stored.replaces_id) == (
        "valid", old.valid_until, old.residence_since, old.id,
    )  # fmt: skip
    assert (stored.fee_yuan, stored.issued_on, stored.accepted_on, stored.community) == (
        20, day, day, HOME,
    )  # fmt: skip
    assert stored.issue_due_by == add_working_days(day, 15)
    assert permit_events()[-2:] == [
        ("replaced", f"{label}，由{new.number}替代，原证号作废"),
        ("issued", f"{label}，替代{old.number}，收取工本费20元"),
    ]
    request = Request.select().order_by(Request.id.desc()).first()
    assert (request.service_code, request.status, request.permit_id) == ("P03", "completed", new.id)
    assert _notes(request)[-1] == ("completed", "completed", f"已补换发居住证{new.number}")


def test_replace_with_an_unknown_reason_is_refused_before_anything(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    error = refused(permit_ops.replace_permit, id_number=head, reason="stolen",
                    catalogue=catalogue, desk=desk, today=TODAY)  # fmt: skip
    assert (error.zh, error.en) == (
        "补换领原因应为 lost（遗失）或 damaged（损坏）：stolen",
        "replacement reason must be lost or damaged, got 'stolen'",
    )
    assert Permit.get().status == "valid" and Request.select().count() == 1


def test_a_refused_permit_operation_says_why_in_full(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    error = refused(permit_ops.endorse_permit, id_number=head, catalogue=catalogue, desk=desk,
                    today=TODAY)  # fmt: skip
    assert error.zh.startswith("不能办理居住证签注：")
    assert error.en.startswith("cannot endorse the permit: ")
    assert Request.select().count() == 0 and Permit.select().count() == 0


def test_no_undo_once_a_new_permit_was_issued_the_same_day(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    """The newest permit is the one issued last: on the same day, the higher id."""
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    permit_ops.revoke_permit(id_number=head, reason="迁回原籍", desk=desk, today=TODAY)
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    error = refused(permit_ops.unrevoke_permit, id_number=head, reason="误注销", desk=desk,
                    today=TODAY)  # fmt: skip
    assert error.zh == "当事人居住证有效，没有可撤销的注销"
    assert [p.status for p in Permit.select().order_by(Permit.id)] == ["revoked", "valid"]


# ── db/requests.py: the handling steps ──


@pytest.fixture
def holder(head: str, desk: Desk, catalogue: Catalogue) -> str:
    """The head, with a permit (most services ask for it)."""
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    return head


def test_supplement_step_by_step(holder: str, desk: Desk, catalogue: Catalogue) -> None:
    request = _open(catalogue, desk, holder, "P03", provided=["居民身份证"], again_reason="")
    assert request.status == "pending_materials" and request.promised_by is None
    for nothing in ([], ["  "]):
        error = refused(ops.supplement, request.ticket, nothing, desk, TODAY)
        assert (error.zh, error.en) == (
            "请用 --provided 写明补交的材料",
            "name the documents with --provided",
        )
    day = D(2026, 11, 30)
    partly = ops.supplement(request.ticket, ["近期一寸免冠彩色照片"], desk, day, "本人送来")
    assert (partly.status, partly.promised_by) == ("pending_materials", None)
    assert partly.documents_missing == ["原居住证或遗失声明"]
    assert partly.documents_received == ["居民身份证", "近期一寸免冠彩色照片"]
    stored = Request.get_by_id(request.id)
    assert (stored.status, stored.documents_missing, stored.version) == (
        "pending_materials", ["原居住证或遗失声明"], request.version + 1,
    )  # fmt: skip
    assert _notes(stored)[-1] == (
        "supplemented", "pending_materials", "补交：近期一寸免冠彩色照片；仍缺：原居住证或遗失声明；本人送来",
    )  # fmt: skip
    done = ops.supplement(request.ticket, ["all"], desk, day)
    assert (done.status, done.promised_by, done.documents_missing) == (
        "accepted", add_working_days(day, 15), [],
    )  # fmt: skip
    stored = Request.get_by_id(request.id)
    assert (stored.status, stored.promised_by) == ("accepted", add_working_days(day, 15))
    assert _notes(stored)[-1] == (
        "supplemented", "accepted", "补交：原居住证或遗失声明；材料齐全，正式受理",
    )  # fmt: skip
    event = RequestEvent.select().order_by(RequestEvent.id.desc()).first()
    assert (event.on, event.staff_id, event.counter_code) == (day, desk.staff_id, "SXSQ01")
    error = refused(ops.supplement, request.ticket, ["all"], desk, day)
    assert "accepted" in error.en


def test_forward_and_return(holder: str, desk: Desk, catalogue: Catalogue) -> None:
    here = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    error = refused(ops.forward, here.ticket, desk, TODAY)
    assert (error.zh, error.en) == (
        f"{here.ticket}（医疗保险参保）由本窗口办理或已转迁出村，不需转办",
        f"{here.ticket} is not a collect-and-forward request",
    )
    assert Request.get_by_id(here.id).status == "accepted"
    request = _open(catalogue, desk, holder, "城乡低保申请", provided=["all"])
    assert (request.decision, request.status) == ("forward_department", "accepted")
    forwarded = ops.forward(request.ticket, desk, TODAY)
    assert forwarded.status == "forwarded" == Request.get_by_id(request.id).status
    assert _notes(forwarded)[-1] == ("forwarded", "forwarded", "材料移交紫阳县民政局")
    for no_reason in ("", "  "):
        error = refused(ops.return_request, request.ticket, desk, TODAY, no_reason)
        assert (error.zh, error.en) == (
            "退回须说明原因（--note）",
            "a return needs a reason (--note)",
        )
    returned = ops.return_request(request.ticket, desk, TODAY, "缺少收入证明")
    assert returned.status == "accepted" == Request.get_by_id(request.id).status
    assert _notes(returned)[-1] == ("returned", "accepted", "缺少收入证明")
    again = ops.forward(request.ticket, desk, TODAY, "补齐后再次移交")
    assert _notes(again)[-1] == ("forwarded", "forwarded", "补齐后再次移交")
    assert Request.get_by_id(request.id).version == request.version + 3


def test_complete_and_refuse(holder: str, desk: Desk, catalogue: Catalogue) -> None:
    permit_request = _open(catalogue, desk, holder, "P03", provided=["all"])
    error = refused(ops.complete, permit_request.ticket, desk, TODAY)
    assert (error.zh, error.en) == (
        f"{permit_request.ticket} 是居住证事项，请用 permit issue/endorse/replace 办结",
        f"{permit_request.ticket} is a permit request: finish it with permit issue/endorse/replace",
    )
    assert Request.get_by_id(permit_request.id).status == "accepted"
    request = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    day = D(2026, 11, 30)
    done = ops.complete(request.ticket, desk, day, "已参保")
    stored = Request.get_by_id(request.id)
    assert (done.status, stored.status, stored.closed_on) == ("completed", "completed", day)
    assert _notes(stored)[-1] == ("completed", "completed", "已参保")
    other = _open(catalogue, desk, holder, "城乡低保申请", provided=["all"])
    for no_reason in ("", "  "):
        error = refused(ops.refuse, other.ticket, desk, day, no_reason)
        assert (error.zh, error.en) == (
            "不予办理须写明理由及办理途径（--note）",
            "a refusal needs its reason and what would make it possible (--note)",
        )
    refusal = ops.refuse(other.ticket, desk, day, " 收入高于低保标准，可申请临时救助 ")
    stored = Request.get_by_id(other.id)
    assert (stored.status, stored.closed_on, stored.remedy) == (
        "refused", day, "收入高于低保标准，可申请临时救助",
    )  # fmt: skip
    side = next(r for r in other.reasons if r["rule"].startswith("SIDE-"))
    assert stored.reasons == [
        *other.reasons,
        {"rule": "REFUSED-AFTER-ACCEPTANCE", "text": "收入高于低保标准，可申请临时救助",
         "basis": side["basis"], "refusing": True},
    ]  # fmt: skip
    assert refusal.reasons == stored.reasons
    assert _notes(stored)[-1] == ("refused", "refused", "收入高于低保标准，可申请临时救助")


# ── db/setup.py: init_counter's limits, known communities ──


@pytest.mark.parametrize("number", [0, 100, -1])
def test_init_refuses_a_counter_number_out_of_range(database: peewee.Database, number: int) -> None:
    error = refused(init_counter, None, number, reconfigure=True)
    assert (error.zh, error.en) == (
        "窗口号应在1至99之间",
        "counter number must be between 1 and 99",
    )
    assert get_setting("counter_no") == "1"


@pytest.mark.parametrize("number", [1, 99])
def test_init_takes_the_first_and_last_counter_number(
    database: peewee.Database, number: int
) -> None:
    assert init_counter(None, number, reconfigure=True)["counter_no"] == number
    assert get_setting("counter_no") == str(number)


@pytest.mark.parametrize("code", ["ABCDEFGHI", "A-B", "张", " "])
def test_init_refuses_a_bad_office_code(database: peewee.Database, code: str) -> None:
    error = refused(init_counter, None, None, code, reconfigure=True)
    assert (error.zh, error.en) == (
        "机构代码应为1至8位字母或数字",
        "office code must be 1 to 8 letters or digits",
    )
    assert get_setting("office_code") == "SXSQ"


def test_init_office_code_edges_and_phone(database: peewee.Database) -> None:
    assert init_counter(None, None, " ab1 ", reconfigure=True)["office_code"] == "AB1"
    assert init_counter(None, None, "Z", reconfigure=True)["office_code"] == "Z"
    assert init_counter(None, None, "ABCDEFGH", reconfigure=True)["office_code"] == "ABCDEFGH"
    assert get_setting("office_code") == "ABCDEFGH"
    # A new community without a code gets its own initials; the same community keeps the code.
    moved = init_counter("城关镇新城社区", None, reconfigure=True)
    assert (moved["community"], moved["office_code"]) == ("城关镇新城社区", "XCSQ")
    assert init_counter("城关镇新城社区", None)["office_code"] == "XCSQ"
    result = init_counter(None, None, None, "13912345678")
    assert (result["phone"], get_setting("phone")) == ("13912345678", "13912345678")
    assert init_counter()["phone"] == "13912345678"


def test_known_communities_and_the_refusal_with_suggestions(
    database: peewee.Database, make_id: IdMaker
) -> None:
    assert known_communities() == [HOME]
    assert check_known_community(HOME) == HOME
    init_counter("城关镇新城社区", reconfigure=True)  # a household there, then back home
    add_household(
        origin_village="洞河镇麻园村",
        community="城关镇新城社区",
        moved_in=D(2020, 1, 1),
        today=TODAY,
    )
    init_counter(HOME, reconfigure=True)
    assert known_communities() == sorted([HOME, "城关镇新城社区"])
    assert check_known_community("城关镇新城社区") == "城关镇新城社区"
    error = refused(check_known_community, "城关镇新城小区", "本窗口社区", "counter community")
    assert (error.zh, error.en) == (
        "本窗口社区“城关镇新城小区”不在本数据库已知社区中，是否为：城关镇新城社区",
        "counter community '城关镇新城小区' is not a community this database knows; "
        "did you mean: 城关镇新城社区",
    )
    error = refused(check_known_community, "ABC")
    assert (error.zh, error.en) == (
        "社区“ABC”不在本数据库已知社区中",
        "community 'ABC' is not a community this database knows",
    )


def test_list_requests_is_in_the_order_they_were_opened_at(
    holder: str, desk: Desk, catalogue: Catalogue
) -> None:
    """By the recorded time, not by row id: a counter whose clock is behind (or a request
    entered later for an earlier moment) sorts by when it says it was opened."""
    with clock(dt.datetime(2026, 11, 27, 11, 0)):
        late = _open(catalogue, desk, holder, "医疗保险参保", provided=["all"])
    with clock(dt.datetime(2026, 11, 27, 9, 30)):
        early = _open(catalogue, desk, holder, "城乡低保申请", provided=["all"])
    listed = [r.ticket for r in ops.list_requests(day=TODAY, community=HOME)]
    assert [t for t in listed if t in (early.ticket, late.ticket)] == [early.ticket, late.ticket]


# ── the current permit is the one issued last, whatever business day it carries ──


def test_a_permit_back_dated_before_a_revoked_one_is_the_current_one(
    head: str, catalogue: Catalogue, desk: Desk
) -> None:
    """Issued on the 25th, revoked on the 26th, a new permit entered on the 27th for the 20th
    (within the back-dating window): the new one is current, valid, and its history shown first."""
    from db.views import current_permit

    first = permit_ops.issue_permit(
        id_number=head, catalogue=catalogue, desk=desk, today=D(2026, 11, 25)
    )  # type: ignore[arg-type]
    permit_ops.revoke_permit(id_number=head, reason="误登记", desk=desk, today=D(2026, 11, 26))  # type: ignore[arg-type]
    second = permit_ops.issue_permit(
        id_number=head, catalogue=catalogue, desk=desk, today=D(2026, 11, 20)
    )  # type: ignore[arg-type]
    assert second.issued_on < first.issued_on
    person = find_person(head, TODAY)
    assert current_permit(person).number == second.number  # type: ignore[union-attr]
    shown, earlier = permit_ops.show_permit(head, TODAY)
    assert shown.number == second.number and [p.number for p in earlier] == [first.number]
    decision = ops.check(
        id_number=head, service="医疗保险参保", catalogue=catalogue, community=HOME, today=TODAY
    )
    assert decision.decision == "handle"
    with pytest.raises(CounterError, match="没有可撤销的注销"):  # the newest permit is valid
        permit_ops.unrevoke_permit(
            id_number=head, reason="误注销", desk=desk, today=D(2026, 11, 26)
        )  # type: ignore[arg-type]


def test_only_the_issuing_community_revokes_or_restores_a_permit(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    """A supervisor of another community (a county-wide database) can neither revoke a permit
    this community issued nor undo its revocation; nothing is written by the attempt."""
    import dataclasses

    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    elsewhere = dataclasses.replace(desk, community="蒿坪镇红旗社区")
    before = permit_events()
    error = refused(
        permit_ops.revoke_permit, id_number=head, reason="迁走", desk=elsewhere, today=TODAY
    )
    assert "只能由该社区注销" in error.zh and "only that community may revoke" in error.en
    assert permit_events() == before
    permit_ops.revoke_permit(id_number=head, reason="迁走", desk=desk, today=TODAY)
    before = permit_events()
    error = refused(
        permit_ops.unrevoke_permit, id_number=head, reason="误注销", desk=elsewhere, today=TODAY
    )
    assert "只能由该社区撤销注销" in error.zh
    assert permit_events() == before
    permit_ops.unrevoke_permit(id_number=head, reason="误注销", desk=desk, today=TODAY)


# ── db/people.py (mutation run of 2026-11-29) ──


def test_a_household_with_only_the_required_fields_gets_the_right_defaults(
    database: peewee.Database, desk: Desk
) -> None:
    from db.models import Household, Sequence

    first = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    second = add_household(
        origin_village="洞河镇麻园村",
        community=HOME,
        moved_in=D(2019, 5, 1),
        today=TODAY,
        phone="１３９ １２３４ ５６７８",
        monitored=True,
    )
    stored = Household.get_by_id(first.id)
    assert stored.site == HOME  # no site given: the community is the site
    assert (stored.grid, stored.building, stored.unit, stored.room) == ("", "", "", "")
    assert stored.monitored is False and stored.phone == ""
    again = Household.get_by_id(second.id)
    assert again.monitored is True and again.phone == "13912345678"  # checked and normalised
    # Household numbers come from the one "household" series, which the roster import reserves
    # blocks of too: a second series would hand out numbers already taken.
    assert Sequence.get((Sequence.name == "household") & (Sequence.year == 0)).value == 2
    assert (first.number, second.number) == ("H000001", "H000002")


@pytest.mark.parametrize(
    ("field", "label"), [("origin_village", "迁出村"), ("community", "迁入社区")]
)
def test_a_household_needs_its_village_and_community(
    database: peewee.Database, desk: Desk, field: str, label: str
) -> None:
    values = {"origin_village": "洞河镇麻园村", "community": HOME, field: "  "}
    with pytest.raises(CounterError) as caught:
        add_household(**values, moved_in=D(2019, 5, 1), today=TODAY)  # type: ignore[arg-type]
    assert caught.value.zh == f"缺少{label}"  # required: not "“” is not a known community"


def test_an_unknown_community_is_refused_in_english_too(
    database: peewee.Database, desk: Desk
) -> None:
    with pytest.raises(CounterError) as caught:
        add_household(
            origin_village="洞河镇麻园村",
            community="蒿坪镇双星社",
            moved_in=D(2019, 5, 1),
            today=TODAY,
        )
    assert "迁入社区" in caught.value.zh
    assert caught.value.en.startswith("community '蒿坪镇双星社' is not a community")


def test_missing_households_people_and_second_heads_say_so_in_english(
    database: peewee.Database, desk: Desk, make_id: IdMaker
) -> None:
    with pytest.raises(CounterError) as no_household:
        add_person(
            household_number="H999999", id_number=make_id(D(1980, 1, 1), "男"), name="王一",
            relation="户主", today=TODAY,
        )  # fmt: skip
    assert no_household.value.en == "no household numbered H999999"
    stranger = make_id(D(1981, 2, 3), "女")
    with pytest.raises(CounterError) as nobody:
        find_person(stranger, TODAY)
    masked = stranger[:6] + "********" + stranger[-4:]
    assert nobody.value.zh == f"未找到身份证号为 {masked} 的搬迁群众，请先登记（person add）"
    assert (
        nobody.value.en == f"no person with citizen ID {masked}; register them first (person add)"
    )
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    add_person(
        household_number=household.number, id_number=make_id(D(1970, 1, 1), "男"), name="王一",
        relation="户主", today=TODAY,
    )  # fmt: skip
    with pytest.raises(CounterError) as second:
        add_person(
            household_number=household.number, id_number=make_id(D(1972, 1, 1), "女"),
            name="李二", relation="户主", today=TODAY,
        )  # fmt: skip
    assert second.value.en == f"household {household.number} already has a head"


def test_the_facts_the_scope_check_reads_are_the_stored_ones(
    database: peewee.Database, desk: Desk, make_id: IdMaker
) -> None:
    from db.people import household_facts, members_of, person_facts
    from forms.scope import HouseholdFacts, PersonFacts

    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    assert household_facts(household) == HouseholdFacts(
        number=household.number,
        origin_village="洞河镇麻园村",
        community=HOME,
        moved_in=D(2019, 5, 1),
        head_name="",
    )
    wife = add_person(
        household_number=household.number, id_number=make_id(D(1972, 3, 4), "女"), name="李二",
        relation="妻", today=TODAY,
    )  # fmt: skip
    head = add_person(
        household_number=household.number, id_number=make_id(D(1970, 1, 2), "男"), name="王一",
        relation="户主", today=TODAY,
    )  # fmt: skip
    assert household_facts(household).head_name == "王一"
    assert person_facts(wife) == PersonFacts(
        id_number=wife.id_number,
        name="李二",
        birth_date=D(1972, 3, 4),
        sex="女",
        relation="妻",
        relation_code="12",
    )
    assert [p.name for p in members_of(household)] == ["李二", "王一"]  # in the order registered
    assert head.relation_code == "02"


def test_every_address_field_of_a_household_is_stored(
    database: peewee.Database, desk: Desk
) -> None:
    from db.models import Household

    made = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY,
        site="双星安置点", grid="第3网格", building="3", unit="2", room="301",
    )  # fmt: skip
    stored = Household.get_by_id(made.id)
    assert (stored.site, stored.grid, stored.building, stored.unit, stored.room) == (
        "双星安置点", "第3网格", "3", "2", "301",
    )  # fmt: skip


def test_a_full_view_of_a_person_is_recorded_as_such(
    database: peewee.Database, desk: Desk, make_id: IdMaker
) -> None:
    from db.models import AccessLog
    from db.people import show_person

    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    person = add_person(
        household_number=household.number, id_number=make_id(D(1970, 1, 2), "男"), name="王一",
        relation="户主", today=TODAY,
    )  # fmt: skip
    show_person(person.id_number, desk, TODAY)
    logged = AccessLog.select().where(AccessLog.person == person.id).get()
    assert (logged.what, logged.on, logged.counter_code) == (
        "查看个人信息",
        TODAY,
        desk.counter_code,
    )


# ── db/permits.py (mutation run of 2026-11-29) ──


def test_a_replacement_closes_only_the_replaced_permit(
    head: str, desk: Desk, catalogue: Catalogue, make_id: IdMaker
) -> None:
    from db.models import Sequence

    other = _another(make_id)
    mine = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    theirs = permit_ops.issue_permit(id_number=other, catalogue=catalogue, desk=desk, today=TODAY)
    new = permit_ops.replace_permit(
        id_number=head, reason="lost", catalogue=catalogue, desk=desk, today=TODAY
    )
    assert new.replaces.status == "replaced"  # the returned permit's own view of the old one
    old = Permit.get_by_id(mine.id)
    assert (old.status, old.closed_on, old.closed_reason) == ("replaced", TODAY, "遗失补领")
    kept = Permit.get_by_id(theirs.id)
    assert (kept.status, kept.closed_on, kept.closed_reason) == ("valid", None, "")
    # Permit numbers come from the year's "permit" series: three permits, three numbers.
    assert Sequence.get((Sequence.name == "permit") & (Sequence.year == TODAY.year)).value == 3
    issued = PermitEvent.select().where(
        (PermitEvent.permit == theirs.id) & (PermitEvent.kind == "issued")
    )
    assert [e.note for e in issued] == [""]  # a first issue says nothing more than its kind


def test_restoring_elsewhere_is_refused_in_english_too(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    from db.views import current_permit

    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    permit_ops.revoke_permit(id_number=head, reason="迁走", desk=desk, today=TODAY)
    newest = current_permit(find_person(head, TODAY))
    error = permit_ops.unrevoke_refusal(newest, TODAY, "蒿坪镇红旗社区")
    assert error is not None
    assert error.en.endswith("only that community may undo its revocation")


def test_show_permit_of_someone_without_one(head: str) -> None:
    with pytest.raises(CounterError) as caught:
        permit_ops.show_permit(head, TODAY)
    name = find_person(head, TODAY).name
    assert caught.value.zh == f"{name} 尚未办理居住证（可办理：居住证申领 P01）"
    assert caught.value.en == f"{name} holds no residence permit yet"


def test_the_permit_screen_data_names_each_action_and_the_request_just_finished(
    head: str, desk: Desk, catalogue: Catalogue, make_id: IdMaker
) -> None:
    first = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    second = permit_ops.replace_permit(
        id_number=head, reason="damaged", catalogue=catalogue, desk=desk, today=TODAY
    )
    seen = permit_ops.permit_overview(head, catalogue, HOME, TODAY)
    actions = seen["actions"]
    for action in ("issue", "endorse", "replace"):
        service = catalogue.permit_service(action)
        assert (
            actions[action]["service"] == service.name and actions[action]["code"] == service.code
        )
    assert actions["issue"]["refused"]  # a valid permit is held: no second issue
    assert actions["replace"]["refused"] is None
    assert {k: actions["revoke"][k] for k in ("service", "code")} == {"service": "", "code": ""}
    assert actions["revoke"]["refused"] is None  # a supervisor of the issuing community may
    assert actions["unrevoke"] == {
        "service": "",
        "code": "",
        "refused": "当事人居住证有效，没有可撤销的注销",
    }
    finished = Request.select().where(Request.permit == second.id).get()
    assert seen["request"] == {
        "ticket": finished.ticket,
        "service_name": "居住证补换领",
        "opened_on": finished.opened_on.isoformat(),
    }
    assert seen["permit"]["number"] == second.number
    assert [p["number"] for p in seen["earlier"]] == [first.number]
    # A later request of someone else is not this permit's.
    _open(catalogue, desk, _another(make_id), "选民登记")
    assert permit_ops.permit_overview(head, catalogue, HOME, TODAY)["request"] == seen["request"]


def test_the_permit_screen_says_a_pending_request_blocks_and_gives_advice(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    from forms.permits import permit_advice

    request = _open(catalogue, desk, head, "居住证申领")  # nothing provided: materials missing
    assert request.status == "pending_materials"
    seen = permit_ops.permit_overview(head, catalogue, HOME, TODAY)
    assert seen["actions"]["issue"]["refused"] == (
        f"{request.ticket} 仍缺材料：{'、'.join(request.documents_missing)}；"
        "请先补正（request supplement）"
    )
    assert seen["advice"] is None and seen["request"] is None
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    permit = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    advice = permit_advice(permit.status, permit.valid_until, TODAY)
    seen = permit_ops.permit_overview(head, catalogue, HOME, TODAY)
    assert seen["advice"] == {"level": advice.level, "text": advice.text}
    assert seen["actions"]["issue"]["refused"]


def test_earlier_permits_are_listed_newest_first(
    head: str, desk: Desk, catalogue: Catalogue
) -> None:
    first = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    second = permit_ops.replace_permit(
        id_number=head, reason="lost", catalogue=catalogue, desk=desk, today=TODAY
    )
    third = permit_ops.replace_permit(
        id_number=head, reason="damaged", catalogue=catalogue, desk=desk, today=TODAY
    )
    seen = permit_ops.permit_overview(head, catalogue, HOME, TODAY)
    assert seen["permit"]["number"] == third.number
    assert [p["number"] for p in seen["earlier"]] == [second.number, first.number]
