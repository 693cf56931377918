"""Issue 6, items 1-4 and 10-13: one command must not lose data, and bad input, bad URLs and
constraint violations end in one clear line, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import peewee
import pytest
import typer
from pypdf import PdfReader
from typer.testing import CliRunner

from db import db
from db.accounts import add_staff
from db.connection import safe_url
from db.errors import translate
from db.models import MODELS, Household, Permit, PermitEvent, Person, Request, Setting, Staff
from db.setup import get_setting, load_desk
from forms.errors import CounterError
from tests.conftest import HOME, PASSWORD, TODAY, IdMaker
from ziyang_counter import app, guarded

DAY = TODAY.isoformat()
OTHER = "城关镇新城社区"


def js(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


def one_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    assert len(lines) == 1, text
    return lines[0]


def resident(cli, make_id: IdMaker, moved_in: str = "2018-03-01") -> str:  # type: ignore[no-untyped-def]
    """A household head of HOME, moved in on `moved_in`, with a permit issued a week ago."""
    number = js(
        cli(
            "household", "add", "--origin-village", "洄水镇双河村", "--community", HOME,
            "--moved-in", moved_in, "--date", DAY, "--json",
        )
    )["household"]["number"]  # fmt: skip
    head = make_id(dt.date(1970, 6, 1), "男")
    cli(
        "person", "add", "--household", number, "--id-number", head, "--name", "王建国",
        "--relation", "户主", "--date", DAY,
    )  # fmt: skip
    cli("permit", "issue", "--id-number", head, "--date", "2026-11-20")
    return head


# ── 1. --out never destroys a file ──


@pytest.fixture
def sqlite_counter(tmp_path: Path) -> tuple[str, Path]:
    """A counter on its own SQLite file, initialised through the CLI, supervisor signed in."""
    path = tmp_path / "counter.db"
    url = f"sqlite:///{path}"
    db.initialize(None)
    init = ["init", "--community", HOME, "--supervisor", "001", "--supervisor-name", "值班"]
    stdin = f"{PASSWORD}\n"
    assert (
        CliRunner().invoke(app, ["--db", url, *init, "--password-stdin"], input=stdin).exit_code
        == 0
    )
    db.initialize(None)
    login = ["--db", url, "login", "001", "--password-stdin"]
    assert CliRunner().invoke(app, login, input=stdin).exit_code == 0
    return url, path


def run(url: str, *args: str) -> Any:
    db.initialize(None)
    return CliRunner().invoke(app, ["--db", url, *args])


def test_out_never_overwrites_the_open_database(sqlite_counter: tuple[str, Path]) -> None:
    url, path = sqlite_counter
    before = path.read_bytes()
    for target in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        result = run(url, "print", "notice", "--service", "H01", "--out", str(target), "--force")
        assert result.exit_code == 1, result.output
        assert "数据库" in one_line(result.stderr)
    # the same file under another name (a relative path with ..) is still the database
    sneaky = path.parent / "x" / ".." / path.name
    (path.parent / "x").mkdir()
    result = run(url, "print", "notice", "--service", "H01", "--out", str(sneaky), "--force")
    assert result.exit_code == 1
    assert path.read_bytes()[:16] == before[:16] == b"SQLite format 3\x00"
    assert run(url, "request", "list").exit_code == 0


def test_out_refuses_a_file_it_did_not_write_unless_forced(
    sqlite_counter: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = sqlite_counter
    notes = tmp_path / "notes.txt"
    notes.write_text("一年的工作记录", encoding="utf-8")
    foreign_pdf = tmp_path / "scan.pdf"
    foreign_pdf.write_bytes(b"%PDF-1.4\n% someone else's scan\n%%EOF\n")
    for victim in (notes, foreign_pdf):
        result = run(url, "print", "notice", "--service", "H01", "--out", str(victim))
        assert result.exit_code == 1
        assert "--force" in one_line(result.stderr)
    assert notes.read_text(encoding="utf-8") == "一年的工作记录"
    assert foreign_pdf.read_bytes().startswith(b"%PDF-1.4\n% someone")
    # our own PDF is simply replaced: a clerk reprints to the same name all day
    ours = tmp_path / "notice.pdf"
    assert run(url, "print", "notice", "--service", "H01", "--out", str(ours)).exit_code == 0
    assert run(url, "print", "notice", "--service", "H02", "--out", str(ours)).exit_code == 0
    assert PdfReader(ours).metadata.get("/Creator") == "ziyang-counter"  # type: ignore[union-attr]
    forced = run(url, "print", "notice", "--service", "H01", "--out", str(notes), "--force")
    assert forced.exit_code == 0, forced.output
    assert notes.read_bytes().startswith(b"%PDF-")
    # written through a temporary file renamed into place: nothing is left beside it
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []


def test_a_failed_render_leaves_the_old_file_whole(tmp_path: Path) -> None:
    from ziyang_counter import write_replacing

    old = tmp_path / "receipt.pdf"
    old.write_bytes(b"%PDF-1.4 the receipt printed this morning")

    def half_then_fail(path: str) -> None:
        Path(path).write_bytes(b"%PDF-1.4 half")
        raise RuntimeError("printer driver crashed mid-page")

    with pytest.raises(RuntimeError):
        write_replacing(half_then_fail, old)
    assert old.read_bytes() == b"%PDF-1.4 the receipt printed this morning"
    assert [p.name for p in tmp_path.iterdir()] == ["receipt.pdf"]


def test_out_refuses_a_folder_and_names_a_missing_one(
    sqlite_counter: tuple[str, Path], tmp_path: Path
) -> None:
    url, _ = sqlite_counter
    folder = tmp_path / "printouts"
    folder.mkdir()
    result = run(url, "print", "notice", "--service", "H01", "--out", str(folder), "--force")
    assert result.exit_code == 1 and "文件夹" in one_line(result.stderr)
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    result = run(url, "print", "notice", "--service", "H01", "--out", str(pipe), "--force")
    assert result.exit_code == 1 and "普通文件" in one_line(result.stderr)
    assert pipe.is_fifo()
    missing = tmp_path / "no-such" / "n.pdf"
    result = run(url, "print", "notice", "--service", "H01", "--out", str(missing))
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "不存在" in line and str(tmp_path / "no-such") in line
    assert not (tmp_path / "no-such").exists()


def test_every_printout_carries_the_creator_mark(cli, make_id: IdMaker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id)
    card, notice = tmp_path / "card.pdf", tmp_path / "notice.pdf"
    cli("print", "permit", head, "--date", DAY, "--out", str(card))
    cli("print", "notice", "--service", "H01", "--out", str(notice))
    for pdf in (card, notice):
        meta = PdfReader(pdf).metadata
        assert (
            meta is not None and meta.get("/Creator") == meta.get("/Producer") == "ziyang-counter"
        )
    # ...so reprinting the card over the earlier card needs no --force
    cli("print", "permit", head, "--date", DAY, "--out", str(card))


# ── 2. demo writes only into a database it made ──


def test_demo_refuses_a_real_counter_database(cli) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--community", OTHER, "--counter", "3", "--reconfigure")
    staff_before = Staff.select().count()
    result = cli("demo", "--no-tui", "--households", "10", ok=False)
    assert result.exit_code == 1
    line = one_line(result.stderr)
    assert "demo.db" in line and "演示" in line
    db.initialize(None)
    shown = js(cli("init", "--json"))
    assert (shown["community"], shown["counter_no"], shown["counter"]) == (OTHER, 3, "XCSQ03")
    assert Household.select().count() == 0 and Staff.select().count() == staff_before
    assert get_setting("demo_built") is None


def test_demo_refuses_a_database_with_only_a_schema(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bare.db'}"
    from db import open_database

    database = open_database(url)
    database.create_tables(MODELS)
    database.close()
    result = run(url, "demo", "--no-tui", "--households", "10")
    assert result.exit_code == 1 and "demo.db" in one_line(result.stderr)
    database = open_database(url)
    assert Setting.select().count() == 0 and Household.select().count() == 0
    database.close()


# ── 3. init does not move every other machine ──


def test_init_refuses_a_new_default_without_reconfigure(cli) -> None:  # type: ignore[no-untyped-def]
    from db import receipt_keys

    secret = receipt_keys.load().current  # issue 8: the receipt key is in the key file
    for change in (
        ("--community", OTHER),
        ("--counter", "2"),
        ("--office-code", "ABC"),
        ("--community", OTHER, "--counter", "1"),
    ):
        result = cli("init", *change, ok=False)
        assert result.exit_code == 1, change
        line = one_line(result.stderr)
        assert "ZIYANG_COMMUNITY" in line and "--reconfigure" in line, line
    db.initialize(None)
    same = js(cli("init", "--community", HOME, "--counter", "1", "--json"))
    assert (same["community"], same["counter_no"], same["office_code"]) == (HOME, 1, "SXSQ")
    assert js(cli("init", "--json"))["community"] == HOME
    assert js(cli("init", "--phone", "0915-4321234", "--json"))["phone"] == "0915-4321234"
    moved = js(cli("init", "--community", OTHER, "--counter", "2", "--reconfigure", "--json"))
    assert (moved["community"], moved["counter_no"], moved["office_code"]) == (OTHER, 2, "XCSQ")
    assert receipt_keys.load().current == secret and secret is not None


# ── 4. a revocation is confirmed, and a mistaken one can be undone the same day ──


def decision(cli, head: str, service: str, day: str = DAY) -> str:  # type: ignore[no-untyped-def]
    return str(
        js(cli("check", "--id-number", head, "--service", service, "--date", day, "--json"))[
            "decision"
        ]
    )


def test_revoke_asks_for_confirmation(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id)
    result = cli("permit", "revoke", "--id-number", head, "--reason", "误操作", "--date", DAY, ok=False)  # fmt: skip
    assert result.exit_code == 1 and "--yes" in one_line(result.stderr)
    assert Permit.get().status == "valid" and PermitEvent.select().count() == 1


def test_a_supervisor_undoes_a_mistaken_revocation_the_same_day(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id)
    cli("staff", "add", "101", "张敏", "--password-stdin", input="zhangmin-pw\n")  # an officer
    assert decision(cli, head, "选民登记") == "handle"
    since = Permit.get().residence_since
    assert since == dt.date(2018, 3, 1)
    cli("permit", "revoke", "--id-number", head, "--reason", "点错了人", "--yes", "--date", DAY)
    assert decision(cli, head, "选民登记") == "refuse"

    cli.login("101", "zhangmin-pw")
    officer = cli(
        "permit", "unrevoke", "--id-number", head, "--reason", "误注销",
        "--yes", "--date", DAY, ok=False,
    )  # fmt: skip
    assert officer.exit_code == 1 and "主管" in one_line(officer.stderr)
    cli.login("001", PASSWORD, clock=dt.date(2026, 11, 30))  # a new day: signed in again
    next_day = cli(
        "permit", "unrevoke", "--id-number", head, "--reason", "误注销", "--yes",
        "--date", "2026-11-30", ok=False,
    )  # fmt: skip
    assert next_day.exit_code == 1 and "当天" in one_line(next_day.stderr)
    no_reason = cli(
        "permit", "unrevoke", "--id-number", head, "--reason", " ", "--yes", "--date", DAY, ok=False
    )
    assert no_reason.exit_code == 1
    undone = js(
        cli(
            "permit", "unrevoke", "--id-number", head, "--reason", "误注销，经主管核实",
            "--yes", "--date", DAY, "--json",
        )
    )  # fmt: skip
    assert undone["permit"]["status"] == "valid"
    permit = Permit.get()
    assert (permit.status, permit.closed_on, permit.closed_reason) == ("valid", None, "")
    assert permit.residence_since == since
    kinds = [(e.kind, e.note) for e in PermitEvent.select().order_by(PermitEvent.id)]
    assert kinds[-2:] == [("revoked", "点错了人"), ("unrevoked", "误注销，经主管核实")]
    assert decision(cli, head, "选民登记") == "handle"
    again = cli(
        "permit", "unrevoke", "--id-number", head, "--reason", "x", "--yes", "--date", DAY, ok=False
    )
    assert again.exit_code == 1


def test_no_undo_once_a_new_permit_was_issued(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id)
    cli("permit", "revoke", "--id-number", head, "--reason", "迁回原籍", "--yes", "--date", DAY)
    cli("permit", "issue", "--id-number", head, "--date", DAY)
    result = cli(
        "permit", "unrevoke", "--id-number", head, "--reason", "x", "--yes", "--date", DAY, ok=False
    )
    assert result.exit_code == 1
    assert [p.status for p in Permit.select().order_by(Permit.id)] == ["revoked", "valid"]


# ── 10. undecodable input, a broken URL, empty staff codes ──


def test_invalid_utf8_in_argv_and_environment_is_one_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ZIYANG_DB": f"sqlite:///{tmp_path / 'none.db'}",
        "PYTHONPATH": str(Path(__file__).resolve().parents[2]),
    }
    cases: list[tuple[list[Any], dict[Any, Any]]] = [
        ([b"--desk-community", b"\xe8\x92\xbf\xff", b"request", b"list"], env),
        ([b"staff", b"add", b"\xff", b"name"], env),
        ([b"request", b"list"], {**env, "ZIYANG_COMMUNITY": b"\xc0\xaf"}),
        ([b"request", b"list"], {**env, "ZIYANG_STAFF": b"\xfe"}),
    ]
    for args, environment in cases:
        result = subprocess.run(
            [sys.executable, "-m", "ziyang_counter", *args],
            capture_output=True, env=environment, cwd=tmp_path,
        )  # fmt: skip
        err = result.stderr.decode("utf-8")
        line = one_line(err)
        assert result.returncode == 2 and "UTF-8" in line and "程序内部错误" not in line, err
    assert not (tmp_path / "none.db").exists()


def test_invalid_utf8_through_the_runner_and_json(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("--desk-community", "双星\udcff", "request", "list", "--json", ok=False)
    assert result.exit_code == 2
    assert "UTF-8" in one_line(result.stderr)
    assert set(json.loads(result.stdout)["error"]) == {"zh", "en"}


def test_an_unparsable_database_url_is_a_clear_line() -> None:
    for url in ("postgresql://x@[::1/x", "postgresql://u:S3cret@[::1/x"):
        result = run(url, "request", "list", "--json")
        assert result.exit_code == 1
        line = one_line(result.stderr)
        assert "数据库地址无效" in line and "S3cret" not in result.output
        assert "S3cret" not in json.dumps(js(result), ensure_ascii=False)


def test_staff_no_longer_chooses_who_you_are(cli, monkeypatch, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id)
    result = cli(
        "--staff", "201", "request", "open", "--id-number", head, "--service", "V08", ok=False
    )
    assert result.exit_code == 2 and "--staff" in one_line(result.stderr)
    # A leftover ZIYANG_STAFF is a one-line notice, not an error: the signed-in staff acts.
    monkeypatch.setenv("ZIYANG_STAFF", "")
    result = cli("request", "open", "--id-number", head, "--service", "V08", "--date", DAY)
    assert "ZIYANG_STAFF" in one_line(result.stderr) and "login" in result.stderr
    assert Request.select().where(Request.service_code == "V08").count() == 1


def test_staff_codes_are_letters_and_digits(cli, database: peewee.Database) -> None:  # type: ignore[no-untyped-def]
    pw = "a-good-password\n"
    for bad in ("", "  ", "a b", "A-1", "x" * 17, "张三", "1\x1b[2J"):
        result = cli("staff", "add", bad, "名字", "--password-stdin", input=pw, ok=False)
        assert result.exit_code == 1, bad
        assert "工作人员编号" in one_line(result.stderr)
        with pytest.raises(CounterError, match="工作人员编号"):
            add_staff(load_desk("001"), bad, "名字", password=pw.strip())
    db.initialize(None)
    added = js(cli("staff", "add", "１０２", "刘洋", "--json", "--password-stdin", input=pw))
    assert added["staff"]["code"] == "102"
    assert cli("staff", "add", "102", "刘洋", "--password-stdin", input=pw, ok=False).exit_code == 1
    code = "Ab" + "1" * 14
    assert add_staff(load_desk("001"), code, "王五", password=pw.strip()).code == code


# ── 11. opening creates nothing; "run init" says where ──


def test_opening_creates_nothing_before_init(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    relative = run("sqlite:///rel/x.db", "request", "list")
    assert relative.exit_code == 1
    line = one_line(relative.stderr)
    assert str(tmp_path / "rel" / "x.db") in line and "init" in line
    missing = tmp_path / "missing" / "deeper" / "c.db"
    for args in (("request", "list"), ("staff", "list"), ("verify", "ABCD-EFGH")):
        result = run(f"sqlite:///{missing}", *args)
        assert result.exit_code == 1 and str(missing) in one_line(result.stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == []
    created = run("sqlite:///rel/x.db", "init")
    assert created.exit_code == 0 and str(tmp_path / "rel" / "x.db") in created.stdout
    assert (tmp_path / "rel" / "x.db").is_file()
    assert run("sqlite:///rel/x.db", "request", "list").exit_code == 0


def test_an_uninitialised_database_names_its_location(cli, database: peewee.Database) -> None:  # type: ignore[no-untyped-def]
    database.drop_tables(
        list(reversed(MODELS)), cascade=not isinstance(database, peewee.SqliteDatabase)
    )
    result = cli("request", "list", ok=False)
    line = one_line(result.stderr)
    assert "init" in line
    if isinstance(database, peewee.SqliteDatabase):
        assert str(Path(database.database).absolute()) in line
    else:
        assert f"/{database.database}" in line and "postgresql://" in line


# ── 12. a password is never shown ──


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:S3cret@db:5432/c", "postgresql://u:***@db:5432/c"),
        ("postgresql://u:S3@c/ret@db/c", "postgresql://u:***@db/c"),
        ("postgresql://u:S3#c?ret@db/c", "postgresql://u:***@db/c"),
        ("postgresql://u:S3%40cret@db/c", "postgresql://u:***@db/c"),
        ("postgresql://u:S3cret@[::1/c", "postgresql://u:***@[::1/c"),
        ("postgresql://u@db/c?password=S3cret&x=1", "postgresql://u@db/c?password=***&x=1"),
        ("postgresql://u@db/c", "postgresql://u@db/c"),
        ("sqlite:////srv/a@b.db", "sqlite:////srv/a@b.db"),
    ],
)
def test_safe_url_masks_any_password(url: str, shown: str) -> None:
    assert safe_url(url) == shown


def with_password(db_url: str) -> str:
    scheme, rest = db_url.split("://", 1)
    user, host = rest.split("@", 1)
    return f"{scheme}://{user}:S3cret@{host}"


def test_banner_and_connection_errors_hide_the_password() -> None:
    # No terminal here: the bare command prints its guide and says the desk needs one.
    banner = run("postgresql://u:S3cret@127.0.0.1:1/none")
    assert banner.exit_code == 1 and "S3cret" not in banner.output and "u:***@" in banner.output
    assert "窗口桌面需要在终端中运行" in banner.output
    failed = run("postgresql://u:S3cret@127.0.0.1:1/none", "request", "list", "--json")
    assert failed.exit_code == 1 and "S3cret" not in failed.output
    assert "无法连接数据库" in one_line(failed.stderr)


def test_demo_output_hides_the_password(cli, db_url: str) -> None:  # type: ignore[no-untyped-def]
    # SQLite has no password (the refusal still names the file); PostgreSQL's trust auth
    # ignores the one added here, so the connection works and the refusal must mask it.
    url = with_password(db_url) if db_url.startswith("postgresql") else db_url
    result = run(url, "demo", "--no-tui", "--households", "10", "--json")
    assert result.exit_code == 1 and "S3cret" not in result.output
    assert "S3cret" not in json.dumps(js(result), ensure_ascii=False)


# ── 13. a constraint violation is one line naming the field, never the value ──


def stored_head_row(make_id: IdMaker) -> dict[str, Any]:
    """A new household's head, as stored: her row (no id), for a test to insert again with
    changes, as a second counter that raced past the operation's checks would."""
    from db.people import add_household, add_person

    household = add_household(
        origin_village="洄水镇双河村", community=HOME, moved_in=dt.date(2018, 3, 1), today=TODAY
    )
    person = add_person(
        household_number=household.number, id_number=make_id(dt.date(1980, 1, 2), "女"),
        name="李秀英", relation="户主", today=TODAY,
    )  # fmt: skip
    row = {f.name: getattr(person, f.name) for f in Person._meta.sorted_fields if f.name != "id"}
    row["household"] = person.household_id  # type: ignore[attr-defined]
    return row


def _duplicate_person(make_id: IdMaker) -> str:
    # a second counter that passed the duplicate check a moment earlier inserts the same ID
    row = stored_head_row(make_id)
    row["relation"], row["relation_code"] = "配偶", "10"  # only the ID collides, not the head
    with db.atomic():
        Person.insert(**row).execute()
    return str(row["id_number"])


def test_a_duplicate_id_is_one_line_on_both_engines(
    database: peewee.Database, make_id: IdMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(peewee.IntegrityError) as caught:
        _duplicate_person(make_id)
    id_number = Person.get().id_number
    error = translate(caught.value)
    assert "公民身份号码" in error.zh and "citizen ID" in error.en
    assert id_number not in str(error) and "\n" not in str(error)

    @guarded
    def racing_insert(as_json: bool = False) -> None:
        _duplicate_person(make_id)

    for as_json in (False, True):
        with pytest.raises(typer.Exit) as exited:
            racing_insert(as_json=as_json)
        assert exited.value.exit_code == 1
        out = capsys.readouterr()
        line = one_line(out.err)
        assert "公民身份号码" in line and "DETAIL" not in line
        assert not any(p.id_number in out.err + out.out for p in Person.select())
        if as_json:
            assert "公民身份号码" in json.loads(out.out)["error"]["zh"]


def test_a_duplicate_staff_code_names_the_staff_code(database: peewee.Database) -> None:
    with pytest.raises(peewee.IntegrityError) as caught, db.atomic():
        Staff.insert(code="001", name="重复", role="officer").execute()
    error = translate(caught.value)
    assert "工作人员编号" in error.zh and "staff code" in error.en and "\n" not in str(error)


def test_revoke_at_a_terminal_asks_and_respects_no(
    sqlite_counter: tuple[str, Path], make_id: IdMaker
) -> None:
    import pty

    url, _ = sqlite_counter

    def cli(*args: str, ok: bool = True) -> Any:
        result = run(url, *args)
        assert result.exit_code == 0 or not ok, result.output
        return result

    head = resident(cli, make_id)
    env = {**os.environ, "ZIYANG_DB": url, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for answer, status in (("n", "valid"), ("y", "revoked")):
        controller, terminal = pty.openpty()
        os.write(controller, f"{answer}\n".encode())
        done = subprocess.run(
            [sys.executable, "-m", "ziyang_counter", "permit", "revoke", "--id-number", head,
             "--reason", "迁回原籍", "--date", DAY],
            stdin=terminal, capture_output=True, env=env, timeout=60,
        )  # fmt: skip
        os.close(terminal)
        os.close(controller)
        assert "确认注销" in done.stdout.decode("utf-8"), done
        assert (done.returncode == 0) == (answer == "y"), done
        db.initialize(None)
        shown = js(run(url, "permit", "show", "--id-number", head, "--date", DAY, "--json"))
        assert shown["permit"]["status"] == status


def test_a_second_head_from_a_race_names_the_head_rule(
    database: peewee.Database, make_id: IdMaker
) -> None:
    """The one-head index refuses a racing second 户主; the line says so on both engines."""
    # a second counter that passed the one-head check a moment earlier inserts another head
    row = stored_head_row(make_id)
    row["id_number"] = make_id(dt.date(1990, 5, 6), "男")
    with pytest.raises(peewee.IntegrityError) as caught, db.atomic():
        Person.insert(**row).execute()
    error = translate(caught.value)
    assert "户主" in error.zh and "head of household" in error.en
    assert row["id_number"] not in str(error)
