"""Staff accounts and signing in (issue 8, requirements 1 and 2), on SQLite and PostgreSQL.

Time is passed to each operation (`now=`) or set through db.accounts.CLOCK: nothing sleeps.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat

import peewee
from argon2 import PasswordHasher, Type

from db import accounts, db
from db.accounts import (
    add_staff,
    change_password,
    create_first_supervisor,
    disable_refusal,
    disable_staff,
    enable_staff,
    list_staff,
    require_supervisor,
    resume,
    set_role,
    sign_in,
    sign_out,
)
from db.chain import guards_lifted
from db.models import Staff, StaffEvent, StaffSession
from db.permits import issue_permit, revoke_permit, unrevoke_permit
from db.requests import list_requests
from db.setup import Desk, load_desk, set_backdate_window
from forms.catalogue import Catalogue
from tests.conftest import HOME, PASSWORD, TODAY, IdMaker, refused

T0 = dt.datetime(2026, 11, 27, 9, 0, 0)
OFFICER_PW = "zhangmin-pw"


def officer(desk: Desk, code: str = "101", name: str = "张敏") -> Desk:
    add_staff(desk, code, name, "officer", password=OFFICER_PW, now=T0)
    return load_desk(code)


def events(code: str) -> list[str]:
    staff = Staff.get(Staff.code == code)
    return [
        e.kind for e in StaffEvent.select().where(StaffEvent.staff == staff).order_by(StaffEvent.id)
    ]


# ── passwords ──


def test_passwords_are_argon2id_with_the_fixed_parameters(database: peewee.Database) -> None:
    stored = Staff.get(Staff.code == "001").password_hash
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$") and PASSWORD not in stored
    assert accounts.HASHER.verify(stored, PASSWORD)
    sign_in("001", PASSWORD, now=T0)  # the real hasher, the real password


def test_a_hash_with_other_parameters_is_redone_at_sign_in(database: peewee.Database) -> None:
    older = PasswordHasher(time_cost=3, memory_cost=19 * 1024, parallelism=1, type=Type.ID)
    Staff.update(password_hash=older.hash(PASSWORD)).where(Staff.code == "001").execute()
    sign_in("001", PASSWORD, now=T0)
    assert "$m=19456,t=2,p=1$" in Staff.get(Staff.code == "001").password_hash
    sign_in("001", PASSWORD, now=T0)  # and the new hash verifies


def test_the_password_rule(database: peewee.Database, desk: Desk) -> None:
    for code, bad, why in (
        ("105", "short7!", "至少8个"),
        ("105", "x" * 129, "最多128"),
        ("105", "11111111", "容易猜到"),
        ("105", "12345678", "容易猜到"),
        ("105", "Password", "容易猜到"),
        ("abc10101", "ABC10101", "容易猜到"),  # the staff code
        ("105", "ok-pass\x07word", "控制字符"),
    ):
        error = refused(add_staff, desk, code, "张敏", password=bad, now=T0)
        assert why in error.zh, (bad, error.zh)
    assert not Staff.select().where(Staff.code.in_(["105", "abc10101"])).exists()
    # full-width digits typed with an IME are the same password as half-width ones
    add_staff(desk, "106", "王芳", password="ｗａｎｇｆａｎｇ１２３", now=T0)
    sign_in("106", "wangfang123", now=T0)


# ── signing in: same answer, growing lock, reset, disabled ──


def test_an_unknown_code_and_a_wrong_password_get_the_same_answer(
    database: peewee.Database,
) -> None:
    unknown = refused(sign_in, "999", PASSWORD, now=T0)
    wrong = refused(sign_in, "001", "not-the-password", now=T0)
    malformed = refused(sign_in, "a b", PASSWORD, now=T0)
    assert (unknown.zh, unknown.en) == (wrong.zh, wrong.en) == (malformed.zh, malformed.en)
    assert "工号或密码不正确" in unknown.zh


def test_failures_lock_the_account_with_a_growing_delay_then_reset(
    database: peewee.Database, desk: Desk
) -> None:
    officer(desk)
    for _ in range(2):
        assert "工号或密码不正确" in refused(sign_in, "101", "wrong-password", now=T0).zh
    third = refused(sign_in, "101", "wrong-password", now=T0)
    assert "锁定" in third.zh and "09:00:30" in third.zh
    # Stored on the row: another process, another counter sees the same lock.
    row = Staff.get(Staff.code == "101")
    assert row.failed_count == 3 and row.locked_until == T0 + dt.timedelta(seconds=30)
    # While locked even the right password is refused, and nothing is counted.
    assert "锁定" in refused(sign_in, "101", OFFICER_PW, now=T0 + dt.timedelta(seconds=29)).zh
    assert Staff.get(Staff.code == "101").failed_count == 3
    # The next failure doubles the lock: 60 s, then 120 s...
    t1 = T0 + dt.timedelta(seconds=31)
    assert "09:01:31" in refused(sign_in, "101", "wrong-password", now=t1).zh
    assert Staff.get(Staff.code == "101").locked_until == t1 + dt.timedelta(seconds=60)
    # ...never more than 15 minutes.
    assert accounts.lock_for(2) is None
    assert accounts.lock_for(3) == dt.timedelta(seconds=30)
    assert accounts.lock_for(5) == dt.timedelta(seconds=120)
    assert accounts.lock_for(50) == dt.timedelta(minutes=15)
    # After the lock, the right password signs in and the count starts again.
    sign_in("101", OFFICER_PW, now=t1 + dt.timedelta(seconds=61))
    row = Staff.get(Staff.code == "101")
    assert row.failed_count == 0 and row.locked_until is None
    t2 = t1 + dt.timedelta(minutes=5)
    for _ in range(2):
        assert "锁定" not in refused(sign_in, "101", "wrong-password", now=t2).zh
    assert events("101") == [
        "added", "sign_in_failed", "sign_in_failed", "sign_in_failed", "locked",
        "sign_in_failed", "locked", "signed_in", "sign_in_failed", "sign_in_failed",
    ]  # fmt: skip


def test_a_supervisor_lifts_a_lock_by_setting_the_password(
    database: peewee.Database, desk: Desk
) -> None:
    officer(desk)
    for _ in range(3):
        refused(sign_in, "101", "wrong-password", now=T0)
    change_password(desk, "101", "a-new-password", now=T0)
    sign_in("101", "a-new-password", now=T0)
    assert "工号或密码不正确" in refused(sign_in, "101", OFFICER_PW, now=T0).zh


def test_a_disabled_account_cannot_sign_in_and_its_sessions_end(
    database: peewee.Database, desk: Desk
) -> None:
    officer(desk)
    _, token = sign_in("101", OFFICER_PW, now=T0)
    disable_staff(desk, "101", "调离", now=T0)
    assert "已停用" in refused(sign_in, "101", OFFICER_PW, now=T0).zh
    assert "工号或密码不正确" in refused(sign_in, "101", "wrong-password", now=T0).zh
    assert "未登录" in refused(resume, token, now=T0).zh
    enable_staff(desk, "101", now=T0)
    sign_in("101", OFFICER_PW, now=T0)
    assert events("101")[-4:] == ["disabled", "sign_in_failed", "enabled", "signed_in"]
    assert StaffEvent.get(StaffEvent.kind == "disabled").by_staff.code == "001"  # type: ignore[union-attr]


# ── roles, checked inside the operations ──


def test_an_officer_is_refused_supervisor_operations_in_the_operations_layer(
    database: peewee.Database,
    desk: Desk,
    catalogue: Catalogue,
    make_id: IdMaker,
) -> None:
    from db.people import add_household, add_person

    clerk = officer(desk)
    household = add_household(
        origin_village="金竹村", community=HOME, moved_in=dt.date(2018, 3, 1), today=TODAY
    )
    head = make_id(dt.date(1980, 5, 1))
    add_person(
        household_number=household.number, id_number=head, name="王强", relation="户主",
        today=TODAY,
    )  # fmt: skip
    issue_permit(id_number=head, catalogue=catalogue, desk=clerk, today=TODAY)
    supervisor_only = [
        (revoke_permit, {"id_number": head, "reason": "迁回原籍", "desk": clerk, "today": TODAY}),
        (add_staff, {"desk": clerk, "code": "102", "name": "刘洋", "password": "liuyang-pw"}),
        (disable_staff, {"desk": clerk, "code": "001"}),
        (set_role, {"desk": clerk, "code": "101", "role": "supervisor"}),
        (change_password, {"desk": clerk, "code": "001", "new_password": "taken-over-pw"}),
        (set_backdate_window, {"days": 60, "desk": clerk}),
        (list_requests, {"day": TODAY, "desk": clerk}),  # every community
        (list_requests, {"day": TODAY}),  # every community, no desk at all
        (accounts.set_session_idle, {"desk": clerk, "minutes": 480}),
    ]
    for operation, kwargs in supervisor_only:
        error = refused(operation, **kwargs)  # type: ignore[arg-type]
        assert "只有负责人" in error.zh, (operation.__name__, error.zh)
    assert Staff.get(Staff.code == "101").role == "officer"
    assert not Staff.select().where(Staff.code == "102").exists()
    # The officer's own community is open to them; the supervisor does it all.
    assert len(list_requests(day=TODAY, community=HOME, desk=clerk)) == 1
    assert len(list_requests(day=TODAY, desk=desk)) == 1
    revoke_permit(id_number=head, reason="迁回原籍", desk=desk, today=TODAY)
    assert (
        "只有负责人"
        in refused(unrevoke_permit, id_number=head, reason="误注销", desk=clerk, today=TODAY).zh
    )
    unrevoke_permit(id_number=head, reason="误注销", desk=desk, today=TODAY)


def test_the_role_is_read_fresh_each_time(database: peewee.Database, desk: Desk) -> None:
    clerk = officer(desk)
    set_role(desk, "101", "supervisor", now=T0)
    require_supervisor(clerk)  # the same Desk: promoted in the database, so allowed now
    set_role(desk, "101", "officer", now=T0)
    assert "只有负责人" in refused(require_supervisor, clerk).zh
    assert events("101")[-2:] == ["role_changed", "role_changed"]


def test_the_last_supervisor_who_can_sign_in_stays(database: peewee.Database, desk: Desk) -> None:
    assert "唯一" in refused(disable_staff, desk, "001", now=T0).zh
    assert "唯一" in refused(set_role, desk, "001", "officer", now=T0).zh
    add_staff(desk, "201", "陈静", "supervisor", password="chenjing-pw", now=T0)
    set_role(desk, "001", "officer", now=T0)
    assert Staff.get(Staff.code == "001").role == "officer"


def test_disable_refusal_gives_the_operations_answer_before_it_runs(
    database: peewee.Database, desk: Desk
) -> None:
    """The desk asks disable_refusal before its confirmation: the same refusal (or none)
    disable_staff gives, and nothing changes when asking."""
    clerk = officer(desk)
    asked = [
        (desk, "001", "唯一"),  # the last supervisor who can sign in
        (clerk, "001", "只有负责人"),  # an officer may not disable anyone
        (desk, "999", "不存在"),
    ]
    for who, code, why in asked:
        before = events("001")
        found = disable_refusal(who, code)
        assert found is not None and why in found.zh, (code, found)
        assert why in refused(disable_staff, who, code, now=T0).zh
        assert events("001") == before
    assert disable_refusal(desk, "101") is None
    assert Staff.get(Staff.code == "101").active  # asking disabled nothing
    disable_staff(desk, "101", now=T0)
    already = disable_refusal(desk, "101")
    assert already is not None and "已是停用" in already.zh
    add_staff(desk, "201", "陈静", "supervisor", password="chenjing-pw", now=T0)
    assert disable_refusal(desk, "001") is None  # another supervisor can sign in now


def test_an_officer_changes_their_own_password_with_the_current_one(
    database: peewee.Database, desk: Desk
) -> None:
    clerk = officer(desk)
    wrong = refused(change_password, clerk, None, "brand-new-pw", current_password="nope", now=T0)
    assert "当前密码" in wrong.zh
    change_password(clerk, None, "brand-new-pw", current_password=OFFICER_PW, now=T0)
    sign_in("101", "brand-new-pw", now=T0)
    assert StaffEvent.get(StaffEvent.kind == "password_changed").note == "本人修改"


# ── sessions ──


def test_a_session_expires_when_idle_and_lives_while_used(database: peewee.Database) -> None:
    desk, token = sign_in("001", PASSWORD, now=T0)
    assert desk.staff_code == "001" and desk.community == HOME
    session = StaffSession.get()
    assert session.token_hash == accounts.token_hash(token) and token not in session.token_hash
    minute = dt.timedelta(minutes=1)
    assert resume(token, now=T0 + 29 * minute).staff_code == "001"
    assert resume(token, now=T0 + 58 * minute).staff_code == "001"  # kept alive by use
    assert "未登录" in refused(resume, token, now=T0 + 89 * minute).zh
    # however used, a session ends after SESSION_MAX
    _, token = sign_in("001", PASSWORD, now=T0)
    moment = T0
    while moment + 20 * minute < T0 + accounts.SESSION_MAX:
        moment += 20 * minute
        resume(token, now=moment)
    assert "未登录" in refused(resume, token, now=T0 + accounts.SESSION_MAX).zh


def test_the_idle_limit_is_a_setting(database: peewee.Database, desk: Desk) -> None:
    accounts.set_session_idle(desk, 5)
    _, token = sign_in("001", PASSWORD, now=T0)
    assert "未登录" in refused(resume, token, now=T0 + dt.timedelta(minutes=5)).zh
    assert "1至480" in refused(accounts.set_session_idle, desk, 0).zh


def test_sign_out_ends_the_session(database: peewee.Database) -> None:
    _, token = sign_in("001", PASSWORD, now=T0)
    assert sign_out(token, now=T0) is True
    assert "未登录" in refused(resume, token, now=T0).zh
    assert sign_out(token, now=T0) is False
    assert "未登录" in refused(resume, "a-token-nobody-issued", now=T0).zh
    assert "未登录" in refused(resume, None, now=T0).zh
    assert events("001")[-2:] == ["signed_in", "signed_out"]


# ── the first supervisor ──


def _no_staff() -> None:
    """A database as it was before any account: the history's guards lifted, as an owner's
    migration would, to take the fixture's supervisor out again."""
    with guards_lifted(db.obj):
        StaffSession.delete().execute()
        StaffEvent.delete().execute()
        Staff.delete().execute()


def test_the_first_supervisor_only_while_no_account_has_a_password(
    database: peewee.Database,
) -> None:
    assert "已有可登录" in refused(create_first_supervisor, "900", "冒名者", "impostor-pw").zh
    _no_staff()
    assert "姓名" in refused(create_first_supervisor, "201", None, "chenjing-pw").zh
    staff, created = create_first_supervisor("201", "陈静", "chenjing-pw", now=T0)
    assert created and staff.role == "supervisor"
    assert "已有可登录" in refused(create_first_supervisor, "202", "二号", "second-pw").zh
    assert [s["code"] for s in list_staff()] == ["201"]


def test_a_database_from_before_accounts_gets_its_supervisor_password_once(
    database: peewee.Database,
) -> None:
    _no_staff()
    Staff.insert_many(
        [
            {"code": "001", "name": "值班窗口人员", "role": "supervisor"},
            {"code": "101", "name": "张敏", "role": "officer"},
        ]
    ).execute()
    assert "尚未设置密码" in refused(sign_in, "001", "anything-pw", now=T0).zh
    assert "不是 900" in refused(create_first_supervisor, "900", "新人", "newcomer-pw").zh
    assert "不是在岗的负责人" in refused(create_first_supervisor, "101", None, "zhangmin-pw").zh
    staff, created = create_first_supervisor("001", None, "supervisor-pw", now=T0)
    assert not created and staff.name == "值班窗口人员"
    desk, _ = sign_in("001", "supervisor-pw", now=T0)
    assert "已有可登录" in refused(create_first_supervisor, "001", None, "again-pw-1").zh
    change_password(desk, "101", "zhangmin-pw", now=T0)  # then the others, by a supervisor
    sign_in("101", "zhangmin-pw", now=T0)


def test_the_upgrade_adds_accounts_to_an_old_database(database: peewee.Database) -> None:
    from db import migrations
    from db.migrations import m0003_staff_accounts, m0004_audit_chain
    from db.models import SchemaVersion

    _no_staff()
    Staff.insert(code="001", name="值班窗口人员", role="supervisor").execute()
    with db.atomic():  # back to a database from before accounts (and the audit chain after it)
        for step in (m0004_audit_chain, m0003_staff_accounts):
            step.down(migrations.migrator_for(database), database)
            SchemaVersion.delete().where(
                SchemaVersion.name == step.__name__.rsplit(".")[-1]
            ).execute()
    assert "password_hash" not in {c.name for c in database.get_columns("staff")}
    assert migrations.upgrade(database) == ["m0003_staff_accounts", "m0004_audit_chain"]
    row = Staff.get(Staff.code == "001")
    assert row.password_hash == "" and row.failed_count == 0 and row.active
    create_first_supervisor("001", None, "supervisor-pw", now=T0)
    sign_in("001", "supervisor-pw", now=T0)


# ── the CLI ──


def test_cli_login_whoami_logout(cli, tmp_path) -> None:  # type: ignore[no-untyped-def]
    who = json.loads(cli("whoami", "--json").stdout)["staff"]
    assert who["code"] == "001" and who["role"] == "supervisor" and who["idle_minutes"] == 30
    cli("staff", "add", "101", "张敏", "--password-stdin", input=f"{OFFICER_PW}\n")
    bad = cli.login("101", "wrong-password", ok=False)
    unknown = cli.login("777", "wrong-password", ok=False)
    assert bad.exit_code == unknown.exit_code == 1 and bad.stderr == unknown.stderr
    assert "001" in cli("whoami").stdout  # a failed login leaves the session as it was
    cli.login("101", OFFICER_PW)
    assert "101 张敏" in cli("whoami").stdout
    # the session file: this OS user's, readable by no one else, no password in it
    path = accounts.session_file()
    assert path.parent == tmp_path / "data"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert OFFICER_PW not in path.read_text()
    cli("logout")
    assert "未登录" in cli("whoami", ok=False).stderr
    assert "本机未登录" in cli("logout").stdout


def test_cli_writes_and_full_reads_need_a_session_masked_reads_do_not(
    cli, make_id: IdMaker
) -> None:  # type: ignore[no-untyped-def]
    cli("logout")
    for command in (
        ("household", "add", "--origin-village", "金竹村", "--community", HOME,
         "--moved-in", "2018-03-01"),
        ("person", "show", "--id-number", make_id(dt.date(1980, 1, 1))),
        ("print", "notice", "--service", "H01"),
        ("staff", "list"),
        ("staff", "add", "102", "刘洋", "--password-stdin"),
        ("request", "list", "--all-communities"),
    ):  # fmt: skip
        result = cli(*command, ok=False, input="liuyang-pw\n")
        assert result.exit_code == 1 and "login" in result.stderr, command
    for command in (("request", "list"), ("catalog", "list"), ("staff", "backdate-days")):
        cli(*command)


def test_cli_a_stolen_session_file_is_refused_after_logout_or_expiry(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = accounts.session_file()
    stolen = path.read_bytes()
    cli("logout")
    path.write_bytes(stolen)  # the copy comes back after the owner signed out
    assert "未登录" in cli("whoami", ok=False).stderr
    cli.login("001", PASSWORD)
    stolen = path.read_bytes()
    later = dt.datetime.now() + dt.timedelta(minutes=31)
    monkeypatch.setattr(accounts, "CLOCK", lambda: later)
    path.write_bytes(stolen)
    assert "未登录" in cli("whoami", ok=False).stderr


def test_cli_staff_commands(cli) -> None:  # type: ignore[no-untyped-def]
    cli("staff", "add", "101", "张敏", "--password-stdin", input=f"{OFFICER_PW}\n")
    short = cli("staff", "add", "102", "刘洋", "--password-stdin", input="short\n", ok=False)
    assert "至少8个" in short.stderr
    cli("staff", "role", "101", "supervisor")
    cli("staff", "role", "101", "officer")
    cli("staff", "disable", "101", "--note", "调离")
    rows = {r["code"]: r for r in json.loads(cli("staff", "list", "--json").stdout)["staff"]}
    assert rows["101"]["active"] is False and rows["001"]["password_set"] is True
    assert "已停用" in cli.login("101", OFFICER_PW, ok=False).stderr
    cli("staff", "enable", "101")
    cli("staff", "passwd", "101", "--password-stdin", input="reset-by-boss\n")
    cli.login("101", "reset-by-boss")
    refused_add = cli("staff", "add", "900", "冒名者", "--role", "supervisor",
                      "--password-stdin", input="impostor-pw\n", ok=False)  # fmt: skip
    assert "只有负责人" in refused_add.stderr
    assert "只有负责人" in cli("staff", "disable", "001", ok=False).stderr
    cli("staff", "passwd", "--password-stdin", input="reset-by-boss\nmy-own-choice\n")
    cli.login("101", "my-own-choice")
    assert "只有负责人" in cli("staff", "idle-minutes", "5", ok=False).stderr
    kinds = [e.kind for e in StaffEvent.select().order_by(StaffEvent.id)]
    for kind in ("added", "role_changed", "disabled", "enabled", "password_changed"):
        assert kind in kinds


def test_cli_init_makes_the_first_supervisor_from_stdin(cli) -> None:  # type: ignore[no-untyped-def]
    cli("logout")
    _no_staff()
    db.initialize(None)
    plain = json.loads(cli("init", "--json").stdout)
    assert plain["supervisor"] is None
    made = cli(
        "init", "--supervisor", "201", "--supervisor-name", "陈静", "--password-stdin",
        "--json", input="chenjing-pw\n",
    )  # fmt: skip
    assert json.loads(made.stdout)["supervisor"] == {
        "code": "201",
        "name": "陈静",
        "created": True,
    }
    again = cli(
        "init", "--supervisor", "900", "--supervisor-name", "冒名者", "--password-stdin",
        input="impostor-pw\n", ok=False,
    )  # fmt: skip
    assert again.exit_code == 1 and "已有可登录" in again.stderr
    cli.login("201", "chenjing-pw")
    assert "201 陈静" in cli("whoami").stdout
    assert "--supervisor" in cli("init", "--password-stdin", ok=False).stderr


def test_cli_a_leftover_staff_variable_is_a_notice(cli, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ZIYANG_STAFF", "201")
    result = cli("whoami")
    assert "001" in result.stdout and "ZIYANG_STAFF" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_demo_prints_its_accounts_and_signs_in_as_the_officer(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from ziyang_counter import app

    monkeypatch.setenv("ZIYANG_DATA", str(tmp_path / "data"))
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    db.initialize(None)
    built = CliRunner().invoke(app, ["--db", url, "demo", "--no-tui", "--households", "10"])
    assert built.exit_code == 0, built.output
    for code, name, role in (("101", "张敏", "officer"), ("201", "陈静", "supervisor")):
        password = next(line for line in built.stdout.splitlines() if f"{code} {name}" in line)
        assert role in password
        db.initialize(None)
        who = CliRunner().invoke(app, ["--db", url, "whoami"])
        assert who.exit_code == 0 and "101 张敏" in who.stdout  # demo signed in as 101
        db.initialize(None)
        login = ["--db", url, "login", code, "--password-stdin"]
        signed = CliRunner().invoke(app, login, input=password.split()[-1] + "\n")
        assert signed.exit_code == 0, signed.output
        db.initialize(None)
        back = CliRunner().invoke(app, ["--db", url, "demo", "--no-tui", "--json"])
        assert json.loads(back.stdout)["signed_in"] == "101"


def test_desk_lock_minutes_default_bounds_and_role(cli) -> None:  # type: ignore[no-untyped-def]
    """`staff lock-minutes`: 5 by default; 1 and 60 are accepted, 0 and 61 refused; only a
    supervisor changes it (the desk reads it for its idle lock)."""
    import json

    from db.accounts import desk_lock_minutes

    shown = cli("staff", "lock-minutes", "--json")
    assert json.loads(shown.stdout) == {"lock_minutes": 5}
    for minutes in ("0", "61"):
        refused = cli("staff", "lock-minutes", minutes, ok=False)
        assert "锁屏时间应在1至60分钟之间" in refused.stderr
    for minutes in (1, 60):  # type: ignore[assignment]
        cli("staff", "lock-minutes", str(minutes))
        assert desk_lock_minutes() == minutes
    cli("staff", "add", "301", "周洁", "--password-stdin", input="officer-pass-301\n")
    cli.login("301", "officer-pass-301")
    refused = cli("staff", "lock-minutes", "9", ok=False)
    assert "只有负责人" in refused.stderr
    assert desk_lock_minutes() == 60
