"""Tests written to kill mutants that survived mutmut over db/accounts.py (run of 2026-11-29).

Each test names the behaviour a surviving mutant broke: refusals in full in both languages,
every staff event as recorded (who, when, at which counter, with what note), and the settings
at their edges. All run on the real database (SQLite and PostgreSQL through `database`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import peewee
import pytest

from db import accounts
from db.accounts import (
    add_staff,
    change_password,
    disable_staff,
    enable_staff,
    list_staff,
    set_role,
    sign_in,
    staff_view,
)
from db.models import Setting, Staff, StaffEvent, StaffSession
from db.setup import Desk, load_desk, set_setting
from db.views import iso_local
from forms.errors import CounterError
from tests.conftest import PASSWORD, refused

T0 = dt.datetime(2026, 11, 27, 9, 0, 0)
MINUTE = dt.timedelta(minutes=1)
OFFICER_PW = "zhangmin-pw"


def staff_events(code: str) -> list[tuple[str, dt.datetime, str | None, str, str]]:
    """(kind, at, by whom, counter, note) of each event of one staff member, in order."""
    staff = Staff.get(Staff.code == code)
    codes = {s.id: s.code for s in Staff.select()}
    return [
        (e.kind, e.at, codes[e.by_staff_id] if e.by_staff_id else None, e.counter_code, e.note)
        for e in StaffEvent.select().where(StaffEvent.staff == staff).order_by(StaffEvent.id)
    ]


def sessions(code: str) -> list[dt.datetime | None]:
    staff = Staff.get(Staff.code == code)
    query = StaffSession.select().where(StaffSession.staff == staff).order_by(StaffSession.id)
    return [s.ended_at for s in query]


@pytest.fixture
def clerk(desk: Desk) -> Desk:
    """Officer 101, added at T0 by supervisor 001."""
    add_staff(desk, "101", "张敏", password=OFFICER_PW, now=T0)
    return load_desk("101")


# ── who may: every supervisor-only operation refused in full ──


def _supervisor_only(clerk: Desk) -> dict[str, tuple[Callable[[], object], str, str]]:
    return {
        "add": (
            lambda: add_staff(clerk, "102", "刘洋", password="liuyang-pw", now=T0),
            "添加工作人员", "add staff",
        ),
        "disable": (lambda: disable_staff(clerk, "001", now=T0), "停用账号", "disable an account"),
        "enable": (lambda: enable_staff(clerk, "101", now=T0), "启用账号", "enable an account"),
        "role": (lambda: set_role(clerk, "101", "supervisor", now=T0), "更改角色", "change a role"),
        "password": (
            lambda: change_password(clerk, "001", "taken-over-pw", now=T0),
            "重设他人密码", "set another person's password",
        ),
        "idle": (
            lambda: accounts.set_session_idle(clerk, 60),
            "修改空闲登出时间", "change the idle limit",
        ),
        "desk_lock": (
            lambda: accounts.set_desk_lock_minutes(clerk, 10),
            "修改锁屏时间", "change the desk lock time",
        ),
    }  # fmt: skip


@pytest.mark.parametrize(
    "operation", ["add", "disable", "enable", "role", "password", "idle", "desk_lock"]
)
def test_an_officer_is_refused_naming_the_operation(clerk: Desk, operation: str) -> None:
    call, zh, en = _supervisor_only(clerk)[operation]
    before = (staff_events("001"), staff_events("101"), list(Setting.select().tuples()))
    error = refused(call)
    assert (error.zh, error.en) == (
        f"只有负责人（主管，supervisor）可以{zh}，工作人员 101 不是负责人",
        f"only a supervisor may {en}; staff 101 is not one",
    )
    after = (staff_events("001"), staff_events("101"), list(Setting.select().tuples()))
    assert after == before
    assert Staff.get(Staff.code == "101").role == "officer"


# ── adding, disabling, enabling, roles: refusals in full and the events recorded ──


def test_adding_staff_records_who_added_whom_and_refuses_in_full(desk: Desk) -> None:
    officer = add_staff(desk, "101", "张敏", password=OFFICER_PW, now=T0)
    boss = add_staff(desk, "201", "陈静", "supervisor", password="chenjing-pw", now=T0 + MINUTE)
    assert (officer.role, boss.role) == ("officer", "supervisor")
    assert Staff.get(Staff.code == "101").password_changed_at == T0
    assert staff_events("101") == [("added", T0, "001", "SXSQ01", "窗口人员（officer）")]
    assert staff_events("201") == [("added", T0 + MINUTE, "001", "SXSQ01", "负责人（supervisor）")]
    error = refused(add_staff, desk, "101", "张敏敏", password="another-pw", now=T0)
    assert (error.zh, error.en) == ("工作人员编号 101 已存在", "staff code 101 already exists")
    error = refused(add_staff, desk, "102", "刘洋", "admin", password="liuyang-pw", now=T0)
    assert (error.zh, error.en) == (
        "角色应为 officer 或 supervisor",
        "role must be officer or supervisor",
    )
    for guessable in ("CLERK2026", "阿卜杜热合曼·买买提"):  # the code and the name
        error = refused(add_staff, desk, "clerk2026", "阿卜杜热合曼·买买提", password=guessable)
        assert error.en.startswith("this password is too easy to guess"), guessable
    assert not Staff.select().where(Staff.code.in_(["102", "clerk2026"])).exists()


def test_disabling_ends_only_that_persons_sessions_and_is_recorded(desk: Desk, clerk: Desk) -> None:
    sign_in("101", OFFICER_PW, now=T0)
    sign_in("101", OFFICER_PW, now=T0 + MINUTE)
    sign_in("001", PASSWORD, now=T0)
    later = T0 + 5 * MINUTE
    disabled = disable_staff(desk, "101", "调离本社区", now=later)
    assert disabled.active is False and Staff.get(Staff.code == "101").active is False
    assert sessions("101") == [later, later]
    assert sessions("001") == [None]
    assert staff_events("101")[-1] == ("disabled", later, "001", "SXSQ01", "调离本社区")
    error = refused(disable_staff, desk, "101", now=later)
    assert (error.zh, error.en) == ("工作人员 101 已是停用状态", "101 is already disabled")
    error = refused(disable_staff, desk, "999", now=later)
    assert (error.zh, error.en) == ("工作人员 999 不存在", "staff code 999 does not exist")
    assert accounts.disable_refusal(desk, "101") is not None
    assert accounts.disable_refusal(desk, "001") is not None  # the only supervisor


def test_the_only_supervisor_who_can_sign_in_is_kept_in_full(desk: Desk, clerk: Desk) -> None:
    expected = (
        "001 是唯一可登录的负责人，不能停用或改为窗口人员；请先添加另一名负责人",
        "001 is the only supervisor who can sign in; add another one first",
    )
    for call in (
        lambda: disable_staff(desk, "001", now=T0),
        lambda: set_role(desk, "001", "officer", now=T0),
    ):
        error = refused(call)
        assert (error.zh, error.en) == expected
    # A second supervisor without a password, or disabled, does not count.
    add_staff(desk, "201", "陈静", "supervisor", password="chenjing-pw", now=T0)
    Staff.update(password_hash="").where(Staff.code == "201").execute()
    assert refused(disable_staff, desk, "001", now=T0).en == expected[1]
    change_password(desk, "201", "chenjing-pw2", now=T0)
    disable_staff(desk, "201", now=T0)
    assert refused(set_role, desk, "001", "officer", now=T0).en == expected[1]
    # A disabled supervisor may be made an officer; an officer does not count either.
    assert set_role(desk, "201", "officer", now=T0).role == "officer"
    enable_staff(desk, "201", now=T0)
    assert refused(set_role, desk, "001", "officer", now=T0).en == expected[1]
    assert Staff.get(Staff.code == "001").role == "supervisor"


def test_enabling_lifts_the_lock_and_is_recorded(desk: Desk, clerk: Desk) -> None:
    for _ in range(3):
        refused(sign_in, "101", "wrong-password", now=T0)
    disable_staff(desk, "101", now=T0)
    later = T0 + MINUTE
    enabled = enable_staff(desk, "101", "返岗", now=later)
    row = Staff.get(Staff.code == "101")
    assert (enabled.active, row.active, row.failed_count, row.locked_until) == (
        True, True, 0, None,
    )  # fmt: skip
    assert staff_events("101")[-1] == ("enabled", later, "001", "SXSQ01", "返岗")
    assert enable_staff(desk, "101", now=later).active is True  # enabling again is harmless
    assert staff_events("101")[-1] == ("enabled", later, "001", "SXSQ01", "")
    sign_in("101", OFFICER_PW, now=later)
    error = refused(enable_staff, desk, "999", now=later)
    assert (error.zh, error.en) == ("工作人员 999 不存在", "staff code 999 does not exist")


def test_a_role_change_is_recorded_and_the_same_role_changes_nothing(
    desk: Desk, clerk: Desk
) -> None:
    later = T0 + MINUTE
    same = set_role(desk, "101", "officer", now=later)
    assert same.role == "officer" and len(staff_events("101")) == 1
    promoted = set_role(desk, "101", "supervisor", now=later)
    assert promoted.role == "supervisor" == Staff.get(Staff.code == "101").role
    assert staff_events("101")[-1] == (
        "role_changed", later, "001", "SXSQ01", "officer→supervisor",
    )  # fmt: skip
    demoted = set_role(desk, "001", "officer", now=later + MINUTE)  # 101 is a supervisor now
    assert demoted.role == "officer"
    assert staff_events("001")[-1] == (
        "role_changed", later + MINUTE, "001", "SXSQ01", "supervisor→officer",
    )  # fmt: skip
    error = refused(set_role, desk, "101", "boss", now=later)
    assert (error.zh, error.en) == (
        "角色应为 officer 或 supervisor",
        "role must be officer or supervisor",
    )
    error = refused(set_role, load_desk("101"), "999", "officer", now=later)
    assert (error.zh, error.en) == ("工作人员 999 不存在", "staff code 999 does not exist")


# ── passwords: set by a supervisor, changed by oneself ──


def test_a_supervisor_sets_another_persons_password(desk: Desk, clerk: Desk) -> None:
    sign_in("101", OFFICER_PW, now=T0)
    sign_in("001", PASSWORD, now=T0)
    for _ in range(3):
        refused(sign_in, "101", "wrong-password", now=T0)
    later = T0 + MINUTE
    changed = change_password(desk, "101", "a-new-password", now=later)
    row = Staff.get(Staff.code == "101")
    assert (changed.failed_count, row.failed_count, row.locked_until) == (0, 0, None)
    assert row.password_changed_at == later
    assert sessions("101") == [later] and sessions("001") == [None]
    assert staff_events("101")[-1] == ("password_changed", later, "001", "SXSQ01", "负责人重设")
    sign_in("101", "a-new-password", now=later)
    sign_in("001", PASSWORD, now=later)  # only 101's password was changed
    assert staff_events("001")[-1][0] == "signed_in"
    error = refused(change_password, desk, "101", "zzzzzzzz", now=later)
    assert error.en.startswith("this password is too easy to guess")
    error = refused(change_password, desk, "101", "short", now=later)
    assert error.en == "a password needs at least 8 characters"
    error = refused(change_password, desk, "999", "a-new-password", now=later)
    assert (error.zh, error.en) == ("工作人员 999 不存在", "staff code 999 does not exist")


def test_changing_ones_own_password(desk: Desk, clerk: Desk) -> None:
    sign_in("101", OFFICER_PW, now=T0)
    later = T0 + MINUTE
    for current in (None, "not-the-password", ""):
        error = refused(change_password, clerk, None, "brand-new-pw", current_password=current,
                        now=later)  # fmt: skip
        assert (error.zh, error.en) == ("当前密码不正确", "the current password is wrong")
    assert len(staff_events("101")) == 2  # added, signed_in: a wrong current one writes nothing
    error = refused(change_password, clerk, "101", "101", current_password=OFFICER_PW, now=later)
    assert error.en == "a password needs at least 8 characters"
    change_password(clerk, "101", "brand-new-pw", current_password=OFFICER_PW, now=later)
    assert Staff.get(Staff.code == "101").password_changed_at == later
    assert sessions("101") == [None]  # one's own sessions go on
    assert staff_events("101")[-1] == ("password_changed", later, "101", "SXSQ01", "本人修改")
    sign_in("101", "brand-new-pw", now=later)


@pytest.mark.parametrize("own", [True, False])
def test_a_new_password_is_checked_against_that_persons_code_and_name(
    desk: Desk, own: bool
) -> None:
    name = "阿卜杜热合曼·买买提"  # ten characters: long enough to be tried as a password
    add_staff(desk, "clerk2026", name, password="first-pass", now=T0)
    by = load_desk("clerk2026") if own else desk
    current = "first-pass" if own else None
    for guessable in ("CLERK2026", name):
        error = refused(change_password, by, "clerk2026", guessable, current_password=current,
                        now=T0)  # fmt: skip
        assert error.en.startswith("this password is too easy to guess"), guessable
    assert len(staff_events("clerk2026")) == 1  # added


# ── the desk's locked screen and whoami ──


def test_unlocking_the_desk_takes_that_persons_password_with_the_lock(
    desk: Desk, clerk: Desk
) -> None:
    accounts.confirm_password(clerk, OFFICER_PW, now=T0)
    for wrong_one in (PASSWORD, "wrong-password"):  # the supervisor's is not the clerk's
        error = refused(accounts.confirm_password, clerk, wrong_one, now=T0)
        assert (error.zh, error.en) == ("工号或密码不正确", "wrong staff code or password")
    locked = "too many wrong passwords: the account is locked until 09:00:30 (or a supervisor "
    assert refused(accounts.confirm_password, clerk, "wrong-again", now=T0).en.startswith(locked)
    assert refused(accounts.confirm_password, clerk, OFFICER_PW, now=T0).en.startswith(locked)
    assert staff_events("101")[1:] == [
        ("sign_in_failed", T0, None, "SXSQ01", "第1次"),
        ("sign_in_failed", T0, None, "SXSQ01", "第2次"),
        ("sign_in_failed", T0, None, "SXSQ01", "第3次"),
        ("locked", T0, None, "SXSQ01", "至 09:00:30"),
    ]
    accounts.confirm_password(clerk, OFFICER_PW, now=T0 + dt.timedelta(seconds=30))
    assert len(staff_events("001")) == 1  # nothing was counted against the supervisor


def test_session_info_at_a_given_moment(database: peewee.Database) -> None:
    _, token = sign_in("001", PASSWORD, now=T0)
    info = accounts.session_info(token, now=T0 + 10 * MINUTE)
    assert info == {
        "code": "001",
        "name": "值班窗口人员",
        "role": "supervisor",
        "signed_in_at": "2026-11-27 09:00:00",
        "expires_at": "2026-11-27 09:40:00",
        "idle_minutes": 30,
    }


# ── what the desk and the CLI show of each account ──


def test_staff_view_and_list(desk: Desk, clerk: Desk) -> None:
    for _ in range(3):
        refused(sign_in, "101", "wrong-password", now=T0)
    until = T0 + dt.timedelta(seconds=30)
    add_staff(desk, "050", "李华", password="lihua-pass", now=T0)
    Staff.update(password_hash="").where(Staff.code == "050").execute()
    rows = list_staff(now=T0)
    assert [r["code"] for r in rows] == ["001", "050", "101"]
    assert rows[2] == {
        "code": "101",
        "name": "张敏",
        "role": "officer",
        "active": True,
        "password_set": True,
        "locked_until": iso_local(until),
    }
    assert rows[1]["password_set"] is False and rows[0]["role"] == "supervisor"
    row = Staff.get(Staff.code == "101")
    assert staff_view(row, until - dt.timedelta(seconds=1))["locked_until"] == iso_local(until)
    assert staff_view(row, until)["locked_until"] is None  # the lock has ended
    assert list_staff(now=until)[2]["locked_until"] is None
    disable_staff(desk, "101", now=T0)
    assert list_staff(now=T0)[2]["active"] is False
    assert staff_events("101")[-1] == ("disabled", T0, "001", "SXSQ01", "")


# ── settings at their edges ──


@pytest.mark.parametrize(("minutes", "allowed"), [(0, False), (1, True), (480, True), (481, False)])
def test_the_idle_limit_at_its_edges(desk: Desk, minutes: int, allowed: bool) -> None:
    if allowed:
        assert accounts.set_session_idle(desk, minutes) == minutes
        assert accounts.session_idle() == minutes
        return
    error = refused(accounts.set_session_idle, desk, minutes)
    assert (error.zh, error.en) == (
        "空闲登出时间应在1至480分钟之间",
        "the idle limit must be 1 to 480 minutes",
    )
    assert accounts.session_idle() == 30


@pytest.mark.parametrize(("minutes", "allowed"), [(0, False), (1, True), (60, True), (61, False)])
def test_the_desk_lock_at_its_edges(desk: Desk, minutes: int, allowed: bool) -> None:
    if allowed:
        assert accounts.set_desk_lock_minutes(desk, minutes) == minutes
        assert accounts.desk_lock_minutes() == minutes
        return
    error = refused(accounts.set_desk_lock_minutes, desk, minutes)
    assert (error.zh, error.en) == (
        "锁屏时间应在1至60分钟之间",
        "the lock time must be 1 to 60 minutes",
    )
    assert accounts.desk_lock_minutes() == 5


@pytest.mark.parametrize(
    ("stored", "idle", "lock"),
    [(None, 30, 5), ("", 30, 5), ("abc", 30, 5), ("0", 1, 1), ("-5", 1, 1), ("7", 7, 7),
     ("61", 61, 60), ("999", 480, 60)],
)  # fmt: skip
def test_stored_limits_are_read_within_their_range(
    database: peewee.Database, stored: str | None, idle: int, lock: int
) -> None:
    """A value written by hand (or by an older version) is read with the defaults and bounds."""
    if stored is not None:
        for key in ("session_idle_minutes", "desk_lock_minutes"):
            set_setting(key, stored)
    assert (accounts.session_idle(), accounts.desk_lock_minutes()) == (idle, lock)


# ── the CLI's session file ──


def test_forgetting_a_token_keeps_the_others(database: peewee.Database) -> None:
    path = accounts.save_token("token-a", "sqlite:///a.db")
    accounts.save_token("token-b", "sqlite:///b.db")
    accounts.forget_token("sqlite:///a.db")
    assert json.loads(path.read_text(encoding="utf-8")) == {
        "sessions": {"sqlite:///b.db": "token-b"}
    }
    assert accounts.saved_token("sqlite:///a.db") is None
    assert accounts.saved_token("sqlite:///b.db") == "token-b"
    # Nothing to forget: the file is not rewritten (a rewrite would indent this compact JSON).
    written = json.dumps({"sessions": {"sqlite:///b.db": "token-b"}})
    path.write_text(written, encoding="utf-8")
    accounts.forget_token("sqlite:///nobody.db")
    assert path.read_text(encoding="utf-8") == written
    accounts.save_token("token-here")  # the key defaults to this database's
    accounts.forget_token()
    assert accounts.saved_token() is None
    assert accounts.saved_token("sqlite:///b.db") == "token-b"


# ── the row lock an account change holds (PostgreSQL; SQLite's write lock does the same) ──


def _while_held(change: Callable[[], None], act: Callable[[], object]) -> str:
    """Counter A has made `change` to account 101 (row locked, not committed) when counter B
    runs `act`; B's outcome ("done" or its refusal) once A has committed."""
    import threading

    from db.connection import db

    holding, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def counter_a() -> None:
        with db.connection_context(), db.atomic():
            accounts._staff("101", lock=True)
            change()
            holding.set()
            release.wait(10)

    def counter_b() -> None:
        with db.connection_context():
            try:
                act()
                outcome.append("done")
            except CounterError as exc:
                outcome.append(exc.en)

    first = threading.Thread(target=counter_a)
    first.start()
    assert holding.wait(10)
    second = threading.Thread(target=counter_b)
    second.start()
    second.join(1.0)
    assert second.is_alive()  # B waits for A
    release.set()
    first.join(10)
    second.join(10)
    return outcome[0]


def test_two_supervisors_disabling_one_account_at_once(desk: Desk, clerk: Desk) -> None:
    def change() -> None:
        Staff.update(active=False).where(Staff.code == "101").execute()

    outcome = _while_held(change, lambda: disable_staff(desk, "101", now=T0))
    assert outcome == "101 is already disabled"
    assert [kind for kind, *_ in staff_events("101")] == ["added"]


def test_two_supervisors_promoting_one_account_at_once(desk: Desk, clerk: Desk) -> None:
    def change() -> None:
        Staff.update(role="supervisor").where(Staff.code == "101").execute()

    assert _while_held(change, lambda: set_role(desk, "101", "supervisor", now=T0)) == "done"
    assert [kind for kind, *_ in staff_events("101")] == ["added"]  # nothing left to change


def test_a_reset_and_the_persons_own_change_at_once(desk: Desk, clerk: Desk) -> None:
    """A supervisor resets 101's password while 101 changes it with the old one: 101 waits,
    and is then told the old password is no longer the current one."""

    def change() -> None:
        Staff.update(password_hash=accounts.hash_password("reset-by-boss")).where(
            Staff.code == "101"
        ).execute()

    outcome = _while_held(
        change,
        lambda: change_password(clerk, None, "my-own-choice", current_password=OFFICER_PW, now=T0),
    )
    assert outcome == "the current password is wrong"
    sign_in("101", "reset-by-boss", now=T0)


# ── the second mutation pass: what the first tests still let through ──


def test_an_account_is_created_at_the_given_moment(desk: Desk) -> None:
    added = add_staff(desk, "101", "张敏", password=OFFICER_PW, now=T0)
    stored = Staff.get(Staff.code == "101")
    assert (added.created_at, stored.created_at, stored.password_changed_at) == (T0, T0, T0)


def test_enabling_one_account_leaves_the_others_as_they_are(desk: Desk, clerk: Desk) -> None:
    add_staff(desk, "102", "刘洋", password="liuyang-pw", now=T0)
    disable_staff(desk, "101", now=T0)
    disable_staff(desk, "102", now=T0)
    enable_staff(desk, "101", now=T0)
    assert [(s.code, s.active) for s in Staff.select().order_by(Staff.code)] == [
        ("001", True), ("101", True), ("102", False),
    ]  # fmt: skip


def test_session_info_is_of_that_session(desk: Desk, clerk: Desk) -> None:
    sign_in("001", PASSWORD, now=T0)
    _, token = sign_in("101", OFFICER_PW, now=T0 + MINUTE)
    info = accounts.session_info(token, now=T0 + 2 * MINUTE)
    assert (info["code"], info["signed_in_at"], info["expires_at"]) == (
        "101", "2026-11-27 09:01:00", "2026-11-27 09:32:00",
    )  # fmt: skip


def test_the_session_file_key_of_each_engine(database: peewee.Database, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The key names the database a token belongs to: a file's absolute path, or the server,
    port and database name with the user (never a password); no connection is made."""
    server = peewee.PostgresqlDatabase(
        "ziyang", user="counter", host="db.local", port=5433, password="secret"
    )
    assert accounts.database_key(server) == "postgresql://counter@db.local:5433/ziyang"
    bare = peewee.PostgresqlDatabase("ziyang")
    assert accounts.database_key(bare) == "postgresql://@:5432/ziyang"
    other = peewee.SqliteDatabase(str(tmp_path / "other.db"))
    assert accounts.database_key(other) == str((tmp_path / "other.db").absolute())
    assert accounts.database_key() != accounts.database_key(other)


@pytest.mark.parametrize(
    ("user", "file"),
    [("wangfang", "session-wangfang.json"), ("wang fang/../x_1-2", "session-wangfangx_1-2.json"),
     ("../", "session-user.json"), ("张敏", "session-张敏.json")],
)  # fmt: skip
def test_the_session_file_is_named_after_the_os_user(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch, user: str, file: str
) -> None:
    """Only letters, digits, - and _ of the OS user name go into the file name."""
    for variable in ("LOGNAME", "USER", "LNAME", "USERNAME"):
        monkeypatch.setenv(variable, user)
    assert accounts.session_file().name == file


def test_the_session_file_without_an_os_user_name(
    database: peewee.Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    import getpass
    import os

    def no_user() -> str:
        raise KeyError("no passwd entry")

    monkeypatch.setattr(getpass, "getuser", no_user)
    assert accounts.session_file().name == f"session-{os.getuid()}.json"


def test_a_session_file_that_is_not_an_object_holds_no_token(database: peewee.Database) -> None:
    path = accounts.save_token("token-a", "sqlite:///a.db")
    for content in ("[1, 2]", '"text"', '{"sessions": [1]}', "{not json"):
        path.write_text(content, encoding="utf-8")
        assert accounts.saved_token("sqlite:///a.db") is None, content


# ── sessions: resuming and signing out touch that session only ──


def test_resuming_keeps_that_session_alive_at_this_counter(desk: Desk, clerk: Desk) -> None:
    from db.setup import add_place

    add_place("城关镇新城社区")
    _, mine = sign_in("101", OFFICER_PW, now=T0)
    sign_in("001", PASSWORD, now=T0)
    later = T0 + 10 * MINUTE
    here = accounts.resume(mine, community="城关镇新城社区", counter_no=3, now=later)
    assert (here.staff_code, here.community, here.counter_no) == ("101", "城关镇新城社区", 3)
    rows = StaffSession.select().order_by(StaffSession.id)
    assert [(s.last_seen, s.expires_at) for s in rows] == [
        (later, later + 30 * MINUTE), (T0, T0 + 30 * MINUTE),
    ]  # fmt: skip


def test_signing_out_ends_that_session_and_is_recorded(desk: Desk, clerk: Desk) -> None:
    sign_in("001", PASSWORD, now=T0)
    _, mine = sign_in("101", OFFICER_PW, client="desk", counter_no=2, now=T0)
    later = T0 + 5 * MINUTE
    assert accounts.sign_out(mine, now=later) is True
    assert sessions("001") == [None] and sessions("101") == [later]
    assert staff_events("101")[-1] == ("signed_out", later, None, "SXSQ02", "desk")


def test_signing_in_at_a_counter_of_another_community(desk: Desk, clerk: Desk) -> None:
    from db.setup import add_place

    add_place("城关镇新城社区")
    here, token = sign_in(
        "101", OFFICER_PW, community="城关镇新城社区", counter_no=4, client="desk", now=T0
    )
    assert (here.community, here.counter_no) == ("城关镇新城社区", 4)
    assert here.counter_code.endswith("04") and here.counter_code != "SXSQ04"  # its own office
    assert len(token) == 43  # 32 random bytes, URL-safe base64
    row = StaffSession.get()
    assert (row.client, row.counter_code) == ("desk", here.counter_code)
    assert staff_events("101")[-1] == ("signed_in", T0, None, here.counter_code, "desk")


def test_an_account_without_a_password_is_told_how_to_get_one(desk: Desk, clerk: Desk) -> None:
    Staff.update(password_hash="").where(Staff.code == "101").execute()
    error = refused(sign_in, "101", OFFICER_PW, now=T0)
    assert (error.zh, error.en) == (
        "工作人员 101 尚未设置密码：请负责人运行 staff passwd 101"
        "（首位负责人用 init --supervisor 工号 --password-stdin）",
        "staff 101 has no password yet: a supervisor runs 'staff passwd 101' "
        "(the first supervisor: init --supervisor CODE --password-stdin)",
    )


def test_a_session_file_that_cannot_be_replaced_leaves_no_temporary_file(
    database: peewee.Database,
) -> None:
    path = accounts.session_file()
    path.mkdir(parents=True)  # a folder where the file should be: the replace fails
    with pytest.raises(IsADirectoryError):
        accounts.save_token("token-a", "sqlite:///a.db")
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


# ── signing in: failures and the lock concern that account only ──


def test_a_right_password_clears_earlier_failures_and_a_lock_is_that_accounts(
    desk: Desk, clerk: Desk
) -> None:
    for _ in range(2):
        refused(sign_in, "101", "wrong-password", now=T0)
    refused(sign_in, "001", "wrong-password", now=T0)
    assert Staff.get(Staff.code == "101").failed_count == 2
    sign_in("101", OFFICER_PW, now=T0)
    assert Staff.get(Staff.code == "101").failed_count == 0  # the next wrong one is the first
    for _ in range(3):
        refused(sign_in, "101", "wrong-password", now=T0)
    rows = {s.code: (s.failed_count, s.locked_until) for s in Staff.select()}
    assert rows == {"001": (1, None), "101": (3, T0 + dt.timedelta(seconds=30))}
    sign_in("001", PASSWORD, now=T0)


def test_the_first_supervisor_is_made_at_the_given_moment_with_no_counter(
    database: peewee.Database,
) -> None:
    from db.chain import guards_lifted
    from db.connection import db

    with guards_lifted(db.obj):  # a new database: the fixture's supervisor taken out again
        StaffSession.delete().execute()
        StaffEvent.delete().execute()
        Staff.delete().execute()
    staff, created = accounts.create_first_supervisor("009", "赵磊", "zhaolei-pw", now=T0)
    assert created and (staff.created_at, staff.password_changed_at) == (T0, T0)
    assert staff_events("009") == [("added", T0, None, "", "init：首位负责人")]


def _no_passwords(keep: bool) -> None:
    """A database from before accounts (keep=True: its staff stay, without passwords) or a new
    one (keep=False: no staff at all)."""
    from db.chain import guards_lifted
    from db.connection import db

    with guards_lifted(db.obj):
        StaffSession.delete().execute()
        if keep:
            Staff.update(password_hash="").execute()
        else:
            StaffEvent.delete().execute()
            Staff.delete().execute()


def test_the_first_supervisor_refusals_in_full(desk: Desk, clerk: Desk) -> None:
    error = refused(accounts.create_first_supervisor, "900", "冒名者", "impostor-pw", now=T0)
    assert (error.zh, error.en) == (
        "本数据库已有可登录的工作人员账号：请由负责人登录后用 staff add 添加账号、staff passwd 设置密码",
        "this database already has accounts with passwords: a supervisor signs in and uses "
        "'staff add' or 'staff passwd'",
    )
    _no_passwords(keep=True)
    error = refused(accounts.create_first_supervisor, "900", "冒名者", "impostor-pw", now=T0)
    assert (error.zh, error.en) == (
        "本数据库已有工作人员但都未设置密码：请用现有负责人的工号（不是 900）设置首个密码",
        "this database has staff without passwords: give the code of one of its supervisors "
        "(not 900) to set the first password",
    )
    error = refused(accounts.create_first_supervisor, "101", None, "zhangmin-new", now=T0)
    assert (error.zh, error.en) == (
        "工作人员 101 不是在岗的负责人，不能用 init 设置首个密码",
        "staff 101 is not an active supervisor",
    )
    staff, created = accounts.create_first_supervisor("001", None, "first-pass-1", now=T0)
    assert (created, staff.code, staff.password_changed_at) == (False, "001", T0)
    assert staff_events("001")[-1] == ("password_changed", T0, None, "", "init：首次设置密码")
    sign_in("001", "first-pass-1", now=T0)


def test_a_new_database_needs_the_first_supervisors_name(database: peewee.Database) -> None:
    _no_passwords(keep=False)
    for name in (None, ""):
        error = refused(accounts.create_first_supervisor, "009", name, "zhaolei-pw", now=T0)
        assert (error.zh, error.en) == (
            "首位负责人须写姓名（--supervisor-name）",
            "the first supervisor needs a name (--supervisor-name)",
        )
    assert not Staff.select().exists()


def test_two_supervisors_changing_each_other_at_once_never_deadlock(
    database: peewee.Database, desk: Desk
) -> None:
    """Each holds the other's account row, then records the change (an event naming both):
    on PostgreSQL the chain is taken before the row, so one waits for the other instead of a
    deadlock (SQLite's one write lock makes the second wait at its start)."""
    import threading

    from db.audit import append
    from db.connection import db

    add_staff(desk, "201", "陈静", password=OFFICER_PW, role="supervisor", now=T0)
    add_staff(desk, "202", "刘洋", password=OFFICER_PW, role="supervisor", now=T0)
    ids = {code: Staff.get(Staff.code == code).id for code in ("201", "202")}
    locked = {"201": threading.Event(), "202": threading.Event()}
    errors: list[BaseException] = []

    def supervisor(me: str, other: str) -> None:
        try:
            with db.connection_context(), db.atomic():
                accounts._staff(other, lock=True)
                locked[other].set()
                locked[me].wait(2)  # the other has (or, waiting for the chain, has not) its row
                append(
                    StaffEvent, staff=ids[other], kind="role_changed", at=T0,
                    by_staff=ids[me], counter_code="SXSQ01", note="",
                )  # fmt: skip
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [
        threading.Thread(target=supervisor, args=pair) for pair in (("201", "202"), ("202", "201"))
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors, errors
    assert StaffEvent.select().where(StaffEvent.kind == "role_changed").count() == 2


def test_the_first_password_on_an_old_database_is_not_its_owners_code_or_name(
    desk: Desk,
) -> None:
    add_staff(desk, "ZYSQ2026", "欧阳诸葛司马文轩", password=OFFICER_PW, role="supervisor", now=T0)
    _no_passwords(keep=True)
    for guessable in ("zysq2026", "欧阳诸葛司马文轩"):  # 8 characters each: long enough
        error = refused(accounts.create_first_supervisor, "ZYSQ2026", None, guessable, now=T0)
        assert "太容易猜到" in error.zh, guessable
    staff, created = accounts.create_first_supervisor("ZYSQ2026", None, "zhuge-first-1", now=T0)
    assert (created, staff.code) == (False, "ZYSQ2026")
