"""Staff accounts: passwords, sign-in with a growing lock, sessions, roles, staff events.

Every interface (the CLI, the desk) signs staff in here and gets a `Desk` back; operations
only a supervisor may do call `require_supervisor(desk)`, which reads the role from the
database each time, so no interface can skip the check nor act on a stale role.

Times come from `clock()` (or the `now` an operation is given), so tests move time without
sleeping. Passwords are hashed with argon2id, its parameters fixed in `HASHER` alone.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import hashlib
import json
import os
import secrets
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

import peewee
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from db import migrations
from db.audit import append, lock_chain
from db.clock import now
from db.connection import data_dir, db, shown_location
from db.models import Setting, Staff, StaffEvent, StaffSession
from db.setup import (
    Desk,
    check_staff_code,
    counter_place,
    desk_for,
    ensure_ready,
    get_setting,
    set_setting,
)
from db.views import iso_local
from forms.errors import CounterError

# OWASP's argon2id baseline (m=19 MiB, t=2, p=1): about 35-60 ms on an old office PC and
# one core; raising it makes every sign-in slower on the PCs counters actually have. A hash
# made with other parameters is redone at the next successful sign-in.
HASHER = PasswordHasher(
    time_cost=2, memory_cost=19 * 1024, parallelism=1, hash_len=32, salt_len=16, type=Type.ID
)

PASSWORD_MIN = 8
PASSWORD_MAX = 128
COMMON_PASSWORDS = frozenset(
    {
        "12345678", "123456789", "1234567890", "87654321", "12341234", "12344321",
        "password", "password1", "passw0rd", "qwertyui", "qwerty123", "abc12345",
        "abcd1234", "a1234567", "admin123", "iloveyou", "woaini1314", "woaini520",
        "1qaz2wsx", "asdfghjk", "zxcvbnm1", "11223344", "00000000", "147258369",
    }
)  # fmt: skip

LOCK_AFTER = 3  # failures in a row before the account locks
LOCK_FIRST = dt.timedelta(seconds=30)  # doubled for each further failure...
LOCK_MAX = dt.timedelta(minutes=15)  # ...up to this
SESSION_IDLE_DEFAULT = 30  # minutes; settings key `session_idle_minutes`
SESSION_IDLE_RANGE = (1, 480)
SESSION_MAX = dt.timedelta(hours=12)  # a session ends after a working day however used

ROLES = {"officer": "窗口人员", "supervisor": "负责人"}


def wrong() -> CounterError:
    """The one answer for an unknown code and a wrong password."""
    return CounterError("工号或密码不正确", "wrong staff code or password")


@functools.cache
def _dummy_hash() -> str:
    """A real hash to verify against when the code is unknown, so both answers take as long.
    Made at the first password check of the process, not at import: most commands import this
    module and never check a password, and an argon2 hash costs 35-60 ms and 19 MiB."""
    return HASHER.hash(secrets.token_hex(8))


CLOCK: Callable[[], dt.datetime] = now  # the one clock of db/clock.py


def clock(now: dt.datetime | None = None) -> dt.datetime:
    """The one place account operations read the time (tests replace CLOCK or pass now)."""
    return (now or CLOCK()).replace(microsecond=0)


# ─────────────────────────────── passwords ───────────────────────────────


def normalise_password(raw: str) -> str:
    """NFKC, so a full-width digit typed with a Chinese IME matches the half-width one."""
    return unicodedata.normalize("NFKC", raw or "")


def check_password(raw: str, code: str = "", name: str = "") -> str:
    """The password rule: 8-128 characters, no control characters, not one character
    repeated, not the staff code or name, not one of the commonest passwords."""
    password = normalise_password(raw)
    if len(password) < PASSWORD_MIN:
        raise CounterError(
            f"密码至少{PASSWORD_MIN}个字符", f"a password needs at least {PASSWORD_MIN} characters"
        )
    if len(password) > PASSWORD_MAX:
        raise CounterError(
            f"密码最多{PASSWORD_MAX}个字符", f"a password has at most {PASSWORD_MAX} characters"
        )
    if any(unicodedata.category(ch)[0] == "C" for ch in password):
        raise CounterError("密码不能含控制字符", "a password cannot contain control characters")
    lowered = password.lower()
    if (
        len(set(password)) == 1
        or lowered in COMMON_PASSWORDS
        or lowered in {code.lower(), name.lower()}
    ):
        raise CounterError(
            "密码太容易猜到（重复字符、常见密码或与工号、姓名相同），请换一个",
            "this password is too easy to guess (one repeated character, a common password, "
            "or the staff code or name)",
        )
    return password


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _matches(stored: str, password: str) -> bool:
    dummy = _dummy_hash()  # made on either answer, so the first check costs the same too
    try:
        return HASHER.verify(stored or dummy, normalise_password(password)) and bool(stored)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# ─────────────────────────────── events and roles ───────────────────────────────


def record(
    staff: Staff | int,
    kind: str,
    now: dt.datetime,
    by: Desk | None = None,
    note: str = "",
    counter_code: str | None = None,
) -> None:
    """Append one staff event to the tamper-evident chain (never updated or deleted)."""
    with db.atomic():
        append(
            StaffEvent,
            staff=staff,
            kind=kind,
            at=now,
            by_staff=by.staff_id if by else None,
            counter_code=(
                counter_code if counter_code is not None else (by.counter_code if by else "")
            ),
            note=note,
        )


def require_supervisor(
    desk: Desk | None, what_zh: str = "此操作", what_en: str = "do this"
) -> Staff:
    """The one role check: the desk's staff member, read fresh, active and a supervisor."""
    staff = Staff.get_or_none(Staff.id == desk.staff_id) if desk is not None else None
    if staff is None or not staff.active or staff.role != "supervisor":
        who = f"工作人员 {desk.staff_code} " if desk is not None else ""
        raise CounterError(
            f"只有负责人（主管，supervisor）可以{what_zh}，{who}不是负责人",
            f"only a supervisor may {what_en}"
            + (f"; staff {desk.staff_code} is not one" if desk is not None else ""),
        )
    return staff


def _staff(code: str, *, lock: bool = False) -> Staff:
    """The account by code; `lock` holds its row until commit (PostgreSQL), after the chain:
    every change appends an event naming two accounts (whose, and by whom), so two supervisors
    changing each other's accounts at once would otherwise each hold one row and wait for the
    other's (a deadlock). Request steps queue for the chain first the same way."""
    code = check_staff_code(code)
    query = Staff.select().where(Staff.code == code)
    if lock and isinstance(db.obj, peewee.PostgresqlDatabase):
        lock_chain()
        query = query.for_update()
    staff = query.first()
    if staff is None:
        raise CounterError(f"工作人员 {code} 不存在", f"staff code {code} does not exist")
    return staff


def _keep_a_supervisor(staff: Staff) -> None:
    """Never leave the database without an active supervisor who can sign in."""
    others = Staff.select().where(
        (Staff.role == "supervisor")
        & (Staff.active == True)  # noqa: E712
        & (Staff.password_hash != "")
        & (Staff.id != staff.id)
    )
    if not others.exists():
        raise CounterError(
            f"{staff.code} 是唯一可登录的负责人，不能停用或改为窗口人员；请先添加另一名负责人",
            f"{staff.code} is the only supervisor who can sign in; add another one first",
        )


# ─────────────────────────────── accounts ───────────────────────────────


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise CounterError("角色应为 officer 或 supervisor", "role must be officer or supervisor")
    return role


def _check_name(name: str) -> str:
    from forms.people import check_name

    return check_name(name)


def add_staff(
    desk: Desk,
    code: str,
    name: str,
    role: str = "officer",
    *,
    password: str,
    now: dt.datetime | None = None,
) -> Staff:
    """A supervisor adds an account with its first password."""
    ensure_ready()
    code, name, role = check_staff_code(code), _check_name(name), _check_role(role)
    password = check_password(password, code, name)
    moment = clock(now)
    with db.atomic():
        require_supervisor(desk, "添加工作人员", "add staff")
        if Staff.get_or_none(Staff.code == code):
            raise CounterError(f"工作人员编号 {code} 已存在", f"staff code {code} already exists")
        staff = Staff.create(
            code=code,
            name=name,
            role=role,
            password_hash=hash_password(password),
            password_changed_at=moment,
            created_at=moment,
        )
        record(staff, "added", moment, desk, f"{ROLES[role]}（{role}）")
    return staff


def create_first_supervisor(
    code: str, name: str | None, password: str, *, now: dt.datetime | None = None
) -> tuple[Staff, bool]:
    """The first supervisor, made by `init` while no account has a password.

    On a new database (no staff) it is created; on a database from before accounts (staff,
    none with a password) `code` must be one of its active supervisors, whose password is set
    once. Returns the staff member and whether it was created.
    """
    if migrations.pending(db.obj):  # init's own step: no ensure_ready, whose answer is cached
        ensure_ready()
    code = check_staff_code(code)
    moment = clock(now)
    with db.atomic():
        if isinstance(db.obj, peewee.PostgresqlDatabase):  # two inits at once: one at a time
            Setting.select().where(Setting.key == "community").for_update().execute()
        if Staff.select().where(Staff.password_hash != "").exists():
            raise CounterError(
                "本数据库已有可登录的工作人员账号：请由负责人登录后用 staff add 添加账号、"
                "staff passwd 设置密码",
                "this database already has accounts with passwords: a supervisor signs in and "
                "uses 'staff add' or 'staff passwd'",
            )
        existing = Staff.get_or_none(Staff.code == code)
        if existing is None and Staff.select().exists():
            raise CounterError(
                f"本数据库已有工作人员但都未设置密码：请用现有负责人的工号（不是 {code}）设置首个密码",
                f"this database has staff without passwords: give the code of one of its "
                f"supervisors (not {code}) to set the first password",
            )
        if existing is not None:
            if existing.role != "supervisor" or not existing.active:
                raise CounterError(
                    f"工作人员 {code} 不是在岗的负责人，不能用 init 设置首个密码",
                    f"staff {code} is not an active supervisor",
                )
            password = check_password(password, existing.code, existing.name)
            Staff.update(
                password_hash=hash_password(password),
                password_changed_at=moment,
                failed_count=0,
                locked_until=None,
            ).where(Staff.id == existing.id).execute()
            record(existing, "password_changed", moment, None, "init：首次设置密码")
            return Staff.get_by_id(existing.id), False
        if not name:
            raise CounterError(
                "首位负责人须写姓名（--supervisor-name）",
                "the first supervisor needs a name (--supervisor-name)",
            )
        name = _check_name(name)
        password = check_password(password, code, name)
        staff = Staff.create(
            code=code,
            name=name,
            role="supervisor",
            password_hash=hash_password(password),
            password_changed_at=moment,
            created_at=moment,
        )
        record(staff, "added", moment, None, "init：首位负责人")
        return staff, True


def staff_view(staff: Staff, now: dt.datetime | None = None) -> dict[str, object]:
    """One staff member as plain data: the one shape the CLI and the desk show."""
    moment = clock(now)
    locked = staff.locked_until if staff.locked_until and staff.locked_until > moment else None
    return {
        "code": staff.code,
        "name": staff.name,
        "role": staff.role,
        "active": staff.active,
        "password_set": bool(staff.password_hash),
        "locked_until": iso_local(locked) if locked else None,
    }


def list_staff(now: dt.datetime | None = None) -> list[dict[str, object]]:
    ensure_ready()
    return [staff_view(s, now) for s in Staff.select().order_by(Staff.code)]


def _end_sessions(staff: Staff, moment: dt.datetime) -> None:
    StaffSession.update(ended_at=moment).where(
        (StaffSession.staff == staff.id) & StaffSession.ended_at.is_null()
    ).execute()


def _may_disable(desk: Desk | None, code: str, *, lock: bool = False) -> Staff:
    """The checks disable_staff makes: the desk's role, the account, and a supervisor left."""
    require_supervisor(desk, "停用账号", "disable an account")
    staff = _staff(code, lock=lock)
    if not staff.active:
        raise CounterError(
            f"工作人员 {staff.code} 已是停用状态", f"{staff.code} is already disabled"
        )
    if staff.role == "supervisor":
        _keep_a_supervisor(staff)
    return staff


def disable_refusal(desk: Desk | None, code: str) -> CounterError | None:
    """Why disable_staff would refuse `code` now, or None: the desk asks before its
    confirmation, so a clerk is not asked to confirm what is then refused. Changes nothing."""
    ensure_ready()
    try:
        _may_disable(desk, code)
    except CounterError as exc:
        return exc
    return None


def disable_staff(
    desk: Desk, code: str, note: str = "", *, now: dt.datetime | None = None
) -> Staff:
    """A supervisor disables an account: it cannot sign in and its sessions end now."""
    ensure_ready()
    moment = clock(now)
    with db.atomic():
        staff = _may_disable(desk, code, lock=True)
        Staff.update(active=False).where(Staff.id == staff.id).execute()
        _end_sessions(staff, moment)
        record(staff, "disabled", moment, desk, note)
    return Staff.get_by_id(staff.id)


def enable_staff(desk: Desk, code: str, note: str = "", *, now: dt.datetime | None = None) -> Staff:
    """A supervisor enables an account again; a sign-in lock on it is lifted too."""
    ensure_ready()
    moment = clock(now)
    with db.atomic():
        require_supervisor(desk, "启用账号", "enable an account")
        staff = _staff(code, lock=True)
        Staff.update(active=True, failed_count=0, locked_until=None).where(
            Staff.id == staff.id
        ).execute()
        record(staff, "enabled", moment, desk, note)
    return Staff.get_by_id(staff.id)


def set_role(desk: Desk, code: str, role: str, *, now: dt.datetime | None = None) -> Staff:
    ensure_ready()
    role = _check_role(role)
    moment = clock(now)
    with db.atomic():
        require_supervisor(desk, "更改角色", "change a role")
        staff = _staff(code, lock=True)
        if staff.role == role:
            return staff
        if staff.role == "supervisor" and staff.active:
            _keep_a_supervisor(staff)
        Staff.update(role=role).where(Staff.id == staff.id).execute()
        record(staff, "role_changed", moment, desk, f"{staff.role}→{role}")
    return Staff.get_by_id(staff.id)


def change_password(
    desk: Desk,
    code: str | None,
    new_password: str,
    *,
    current_password: str | None = None,
    now: dt.datetime | None = None,
) -> Staff:
    """Anyone changes their own password (giving the current one); a supervisor sets another's,
    which also lifts a lock and ends that person's sessions."""
    ensure_ready()
    moment = clock(now)
    with db.atomic():
        staff = _staff(code or desk.staff_code, lock=True)
        own = staff.id == desk.staff_id
        if own:
            if current_password is None or not _matches(staff.password_hash, current_password):
                raise CounterError("当前密码不正确", "the current password is wrong")
        else:
            require_supervisor(desk, "重设他人密码", "set another person's password")
        password = check_password(new_password, staff.code, staff.name)
        Staff.update(
            password_hash=hash_password(password),
            password_changed_at=moment,
            failed_count=0,
            locked_until=None,
        ).where(Staff.id == staff.id).execute()
        if not own:
            _end_sessions(staff, moment)
        record(staff, "password_changed", moment, desk, "本人修改" if own else "负责人重设")
    return Staff.get_by_id(staff.id)


# ─────────────────────────────── signing in ───────────────────────────────


def lock_for(failures: int) -> dt.timedelta | None:
    """How long the account locks after this many failures in a row (None: not yet)."""
    if failures < LOCK_AFTER:
        return None
    doublings = min(failures - LOCK_AFTER, 16)  # past LOCK_MAX long before; no overflow
    return min(LOCK_FIRST * (2**doublings), LOCK_MAX)


def _locked_error(until: dt.datetime) -> CounterError:
    return CounterError(
        f"密码多次错误，账号已暂时锁定，请于 {until:%H:%M:%S} 后再试（或请负责人重设密码）",
        f"too many wrong passwords: the account is locked until {until:%H:%M:%S} "
        "(or a supervisor resets the password)",
    )


def _authenticate(staff: Staff | None, password: str, moment: dt.datetime, counter: str) -> Staff:
    """Check a password with the lock; a failure is committed even though it raises."""
    if staff is not None and staff.locked_until and staff.locked_until > moment:
        raise _locked_error(staff.locked_until)
    if staff is not None and not staff.password_hash:
        _matches("", password)  # the same time as any other answer
        raise CounterError(
            f"工作人员 {staff.code} 尚未设置密码：请负责人运行 staff passwd {staff.code}"
            "（首位负责人用 init --supervisor 工号 --password-stdin）",
            f"staff {staff.code} has no password yet: a supervisor runs 'staff passwd "
            f"{staff.code}' (the first supervisor: init --supervisor CODE --password-stdin)",
        )
    if staff is None:
        _matches("", password)  # as long as checking a real password
        raise wrong()
    if not _matches(staff.password_hash, password):
        with db.atomic():
            query = (
                Staff.update(failed_count=Staff.failed_count + 1)
                .where(Staff.id == staff.id)
                .returning(Staff.failed_count)
            )
            failures = int(next(iter(query.execute())).failed_count)
            record(staff, "sign_in_failed", moment, None, f"第{failures}次", counter)
            lock = lock_for(failures)
            if lock is not None:
                until = moment + lock
                Staff.update(locked_until=until).where(Staff.id == staff.id).execute()
                record(staff, "locked", moment, None, f"至 {until:%H:%M:%S}", counter)
        if lock is not None:
            raise _locked_error(until)
        raise wrong()
    if not staff.active:
        raise CounterError(
            f"账号 {staff.code} 已停用，请联系负责人", f"account {staff.code} is disabled"
        )
    changes: dict[peewee.Field, object] = {}
    if staff.failed_count or staff.locked_until:
        changes.update({Staff.failed_count: 0, Staff.locked_until: None})
    if HASHER.check_needs_rehash(staff.password_hash):
        changes[Staff.password_hash] = hash_password(normalise_password(password))
    if changes:
        Staff.update(changes).where(Staff.id == staff.id).execute()
    return staff


def session_idle() -> int:
    """Minutes a session may stay unused (settings key `session_idle_minutes`)."""
    raw = get_setting("session_idle_minutes")
    try:
        value = int(raw) if raw else SESSION_IDLE_DEFAULT
    except ValueError:
        value = SESSION_IDLE_DEFAULT
    low, high = SESSION_IDLE_RANGE
    return min(max(value, low), high)


def set_session_idle(desk: Desk, minutes: int) -> int:
    ensure_ready()
    low, high = SESSION_IDLE_RANGE
    if not low <= minutes <= high:
        raise CounterError(
            f"空闲登出时间应在{low}至{high}分钟之间",
            f"the idle limit must be {low} to {high} minutes",
        )
    require_supervisor(desk, "修改空闲登出时间", "change the idle limit")
    set_setting("session_idle_minutes", str(minutes))
    return minutes


DESK_LOCK_DEFAULT = 5  # minutes without a key press before the desk locks its screen
DESK_LOCK_RANGE = (1, 60)


def desk_lock_minutes() -> int:
    """Minutes of no input before the desk locks (settings key `desk_lock_minutes`)."""
    raw = get_setting("desk_lock_minutes")
    try:
        value = int(raw) if raw else DESK_LOCK_DEFAULT
    except ValueError:
        value = DESK_LOCK_DEFAULT
    low, high = DESK_LOCK_RANGE
    return min(max(value, low), high)


def set_desk_lock_minutes(desk: Desk, minutes: int) -> int:
    ensure_ready()
    low, high = DESK_LOCK_RANGE
    if not low <= minutes <= high:
        raise CounterError(
            f"锁屏时间应在{low}至{high}分钟之间", f"the lock time must be {low} to {high} minutes"
        )
    require_supervisor(desk, "修改锁屏时间", "change the desk lock time")
    set_setting("desk_lock_minutes", str(minutes))
    return minutes


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def sign_in(
    code: str,
    password: str,
    *,
    community: str | None = None,
    counter_no: int | None = None,
    client: str = "cli",
    now: dt.datetime | None = None,
) -> tuple[Desk, str]:
    """Check the code and password; return this counter's Desk and a new session token.

    An unknown code and a wrong password give the same answer; from the LOCK_AFTER-th failure
    in a row the account locks for LOCK_FIRST, doubling to LOCK_MAX.
    """
    ensure_ready()
    place = counter_place(community, counter_no)
    counter = f"{place[2]}{place[1]:02d}"
    moment = clock(now)
    try:
        clean = check_staff_code(code)
    except CounterError:
        _matches("", password)
        raise wrong() from None
    staff = Staff.get_or_none(Staff.code == clean)
    staff = _authenticate(staff, password, moment, counter)
    token = secrets.token_urlsafe(32)
    with db.atomic():
        StaffSession.create(
            token_hash=token_hash(token),
            staff=staff,
            client=client,
            counter_code=counter,
            created_at=moment,
            last_seen=moment,
            expires_at=moment + dt.timedelta(minutes=session_idle()),
        )
        record(staff, "signed_in", moment, None, client, counter)
    return desk_for(staff, place), token


def confirm_password(desk: Desk, password: str, *, now: dt.datetime | None = None) -> None:
    """Unlocking a locked screen: the same staff member's password, with the same lock."""
    ensure_ready()
    staff = Staff.get_or_none(Staff.id == desk.staff_id)
    _authenticate(staff, password, clock(now), desk.counter_code)


def not_signed_in() -> CounterError:
    return CounterError(
        "未登录或登录已过期，请先运行：ziyang-counter login",
        "not signed in (or the session expired): run 'ziyang-counter login'",
    )


def resume(
    token: str | None,
    *,
    community: str | None = None,
    counter_no: int | None = None,
    now: dt.datetime | None = None,
) -> Desk:
    """The Desk of a live session, which is kept alive by this use; refused once it has been
    idle too long, is older than SESSION_MAX, was ended, or its account is disabled."""
    ensure_ready()
    moment = clock(now)
    if not token:
        raise not_signed_in()
    session = StaffSession.get_or_none(StaffSession.token_hash == token_hash(token))
    if (
        session is None
        or session.ended_at is not None
        or moment >= session.expires_at
        or moment >= session.created_at + SESSION_MAX
    ):
        raise not_signed_in()
    staff = Staff.get_by_id(session.staff_id)
    if not staff.active:
        raise not_signed_in()
    place = counter_place(community, counter_no)
    StaffSession.update(
        last_seen=moment, expires_at=moment + dt.timedelta(minutes=session_idle())
    ).where(StaffSession.id == session.id).execute()
    return desk_for(staff, place)


def session_info(token: str | None, *, now: dt.datetime | None = None) -> dict[str, object]:
    """whoami: who the session is, since when, and when it lapses if unused."""
    desk = resume(token, now=now)
    session = StaffSession.get(StaffSession.token_hash == token_hash(token or ""))
    staff = Staff.get_by_id(desk.staff_id)
    return {
        "code": staff.code,
        "name": staff.name,
        "role": staff.role,
        "signed_in_at": session.created_at.isoformat(sep=" "),
        "expires_at": min(session.expires_at, session.created_at + SESSION_MAX).isoformat(sep=" "),
        "idle_minutes": session_idle(),
    }


def sign_out(token: str | None, *, now: dt.datetime | None = None) -> bool:
    """End the session (its file can no longer sign anyone in); False if it was not live."""
    if not token:
        return False
    moment = clock(now)
    session = StaffSession.get_or_none(StaffSession.token_hash == token_hash(token))
    if session is None or session.ended_at is not None:
        return False
    with db.atomic():
        StaffSession.update(ended_at=moment).where(StaffSession.id == session.id).execute()
        record(session.staff_id, "signed_out", moment, None, session.client, session.counter_code)
    return True


# ─────────────────────────────── the CLI's session file ───────────────────────────────


def database_key(database: peewee.Database | None = None) -> str:
    """Which database a saved session belongs to: the SQLite file's absolute path, or
    postgresql://user@host:port/name (never a password)."""
    database = database if database is not None else db.obj
    if isinstance(database, peewee.PostgresqlDatabase):
        params = getattr(database, "connect_params", {})
        return (
            f"postgresql://{params.get('user', '')}@{params.get('host', '')}:"
            f"{params.get('port', 5432)}/{database.database}"
        )
    return shown_location(database)


def session_file() -> Path:
    """This OS user's session file in the data folder (one token per database)."""
    try:
        user = getpass.getuser()
    except Exception:  # no user name (a container without passwd entry)
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    user = "".join(ch for ch in user if ch.isalnum() or ch in "-_") or "user"
    return data_dir() / f"session-{user}.json"


def _read_file() -> dict[str, str]:
    try:
        data = json.loads(session_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    sessions = data.get("sessions") if isinstance(data, dict) else None
    return {str(k): str(v) for k, v in sessions.items()} if isinstance(sessions, dict) else {}


def _write_file(sessions: dict[str, str]) -> None:
    path = session_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps({"sessions": sessions}, ensure_ascii=False, indent=1)
    handle, temp = tempfile.mkstemp(prefix=".session-", dir=path.parent)  # made 0600
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def saved_token(key: str | None = None) -> str | None:
    return _read_file().get(key or database_key())


def save_token(token: str, key: str | None = None) -> Path:
    sessions = _read_file()
    sessions[key or database_key()] = token
    _write_file(sessions)
    return session_file()


def forget_token(key: str | None = None) -> None:
    sessions = _read_file()
    if sessions.pop(key or database_key(), None) is not None:
        _write_file(sessions)
