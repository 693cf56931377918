"""Printing and verifying through the CLI, on SQLite and PostgreSQL, PDFs read back."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import HOME, TODAY, IdMaker

DAY = TODAY.isoformat()


def js(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


def text_of(path: str) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def desk_day(cli, make_id: IdMaker) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A counter with a phone, one resident with a permit and three requests on three sides."""
    import datetime as dt

    cli("init", "--community", HOME, "--phone", "0915-4321234")
    hh = js(
        cli(
            "household",
            "add",
            "--origin-village",
            "洞河镇麻园村",
            "--community",
            HOME,
            "--moved-in",
            "2019-05-01",
            "--building",
            "3",
            "--json",
        )
    )
    head = make_id(dt.date(1958, 3, 12), "男")
    cli(
        "person",
        "add",
        "--household",
        hh["household"]["number"],
        "--id-number",
        head,
        "--name",
        "王𠮷祥",
        "--relation",
        "户主",
        "--date",
        DAY,
    )
    cli("permit", "issue", "--id-number", head, "--date", "2026-05-06")
    here = js(
        cli(
            "request",
            "open",
            "--id-number",
            head,
            "--service",
            "H06",
            "--provided",
            "1,2",
            "--date",
            DAY,
            "--json",
        )
    )
    village = js(
        cli(
            "request",
            "open",
            "--id-number",
            head,
            "--service",
            "V01",
            "--provided",
            "居民身份证",
            "--date",
            DAY,
            "--json",
        )
    )
    return {"id": head, "here": here["request"]["ticket"], "village": village["request"]["ticket"]}


def test_receipt_in_both_sizes_with_a_code_that_verifies(
    cli, desk_day: dict[str, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    roll = js(cli("print", "receipt", desk_day["here"], "--out", str(tmp_path / "r.pdf"), "--json"))
    a4 = js(
        cli(
            "print",
            "receipt",
            desk_day["here"],
            "--size",
            "A4",
            "--out",
            str(tmp_path / "a.pdf"),
            "--json",
        )
    )
    assert roll["path"] == str(tmp_path / "r.pdf") and roll["pages"] == a4["pages"] == 1
    text = text_of(roll["path"])
    assert desk_day["here"] in text and "王𠮷祥" in text and desk_day["id"] not in text
    assert "0915-4321234" in text and "户口簿" in text
    code = next(
        line for line in text.splitlines() if line.count("-") == 2 and len(line.strip()) == 14
    ).strip()
    found = js(cli("verify", code.lower().replace("-", ""), "--json"))
    assert found["valid"] and found["ticket"] == desk_day["here"]
    assert found["applicant"]["id_number"].count("*") == 8


def test_verify_unknown_and_malformed_codes(cli, desk_day: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    unknown = cli("verify", "AAAA-BBBB-CCCC", "--json", ok=False)
    assert unknown.exit_code == 1 and js(unknown)["valid"] is False
    bad = cli("verify", "12", ok=False)
    assert bad.exit_code == 1 and "验证码格式不正确" in bad.stderr


def test_verify_writes_nothing(cli, desk_day: dict[str, str], database) -> None:  # type: ignore[no-untyped-def]
    from db.models import MODELS

    before = {m.__name__: m.select().count() for m in MODELS}
    cli("verify", "AAAA-BBBB-CCCC", ok=False)
    assert {m.__name__: m.select().count() for m in MODELS} == before


def test_notice_for_a_request_and_blank_for_a_service(
    cli, desk_day: dict[str, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    filled = js(
        cli("print", "notice", desk_day["here"], "--out", str(tmp_path / "n.pdf"), "--json")
    )
    text = text_of(filled["path"])
    assert "户口簿" in text and text.count("缺少，请补交") == 2 and "0915-4321234" in text
    blank = js(
        cli(
            "print", "notice", "--service", "居住证申领", "--out", str(tmp_path / "b.pdf"), "--json"
        )
    )
    blank_text = text_of(blank["path"])
    assert (
        "居住证申领" in blank_text
        and "近期一寸免冠彩色照片" in blank_text
        and "缺少" not in blank_text
    )
    both = cli("print", "notice", desk_day["here"], "--service", "P01", ok=False)
    assert both.exit_code == 1 and "二选一" in both.stderr


def test_transfer_slip_only_for_referred_or_forwarded(
    cli, desk_day: dict[str, str], tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    slip = js(
        cli("print", "transfer", desk_day["village"], "--out", str(tmp_path / "t.pdf"), "--json")
    )
    text = text_of(slip["path"])
    assert "洞河镇麻园村" in text and "农村土地承包经营权证" in text and "转办回执联" in text
    refused = cli("print", "transfer", desk_day["here"], ok=False)
    assert refused.exit_code == 1 and "不是转办事项" in refused.stderr


def test_permit_card_shows_the_full_id_and_logs_the_look(
    cli, desk_day: dict[str, str], tmp_path: Path, database
) -> None:  # type: ignore[no-untyped-def]
    from db.models import AccessLog

    card = js(
        cli(
            "print",
            "permit",
            desk_day["id"],
            "--date",
            DAY,
            "--out",
            str(tmp_path / "p.pdf"),
            "--json",
        )
    )
    text = text_of(card["path"])
    assert desk_day["id"] in text and "610924-2026-000001" in text and "紫阳县公安局" in text
    assert [a.what for a in AccessLog.select()] == ["打印居住证"]


def test_daily_log_for_a_day_and_a_range(cli, desk_day: dict[str, str], tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    day = js(cli("print", "daily-log", "--date", DAY, "--out", str(tmp_path / "d.pdf"), "--json"))
    text = text_of(day["path"])
    assert desk_day["here"] in text and desk_day["village"] in text and "共 2 件" in text
    assert desk_day["id"] not in text and "第 1 页 共" in text
    span = js(
        cli(
            "print",
            "daily-log",
            "--from",
            "2026-05-01",
            "--to",
            DAY,
            "--out",
            str(tmp_path / "s.pdf"),
            "--json",
        )
    )
    assert "共 3 件" in text_of(span["path"])  # the permit's own request of 2026-05-06 too
    # Another hall's log on the same database shows none of this hall's requests.
    cli(
        "household",
        "add",
        "--origin-village",
        "城关镇红椿村",
        "--community",
        "城关镇新城社区",
        "--moved-in",
        "2019-01-01",
        "--new-community",
    )  # a desk community must be known
    other = js(
        cli(
            "--desk-community",
            "城关镇新城社区",
            "print",
            "daily-log",
            "--date",
            DAY,
            "--out",
            str(tmp_path / "o.pdf"),
            "--json",
        )
    )
    assert desk_day["here"] not in text_of(other["path"]) and "共 0 件" in text_of(other["path"])
    mixed = cli("print", "daily-log", "--date", DAY, "--from", "2026-05-01", ok=False)
    assert mixed.exit_code == 1


def test_default_output_folder_when_no_out(
    cli, desk_day: dict[str, str], tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    result = js(cli("print", "receipt", desk_day["here"], "--json"))
    assert Path(result["path"]).is_file() and result["path"].startswith(str(tmp_path / "data"))
    monkeypatch.setenv("ZIYANG_OUTPUT", str(tmp_path / "counter-pdfs"))
    result = js(cli("print", "notice", "--service", "H01", "--json"))
    assert result["path"] == str(tmp_path / "counter-pdfs" / "notice-H01.pdf")
    assert Path(result["path"]).is_file()


def _fake_lp(tmp_path: Path, monkeypatch, body: str) -> Path:  # type: ignore[no-untyped-def]
    """A stand-in for the system's lp command (the spooler is not ours to test)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    lp = bindir / "lp"
    lp.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    lp.chmod(lp.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    return tmp_path / "lp-args"


def test_printer_gets_the_pdf(cli, desk_day: dict[str, str], tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    log = _fake_lp(
        tmp_path,
        monkeypatch,
        f'echo "$@" > {tmp_path / "lp-args"}\necho "request id is Counter-7"\n',
    )
    result = js(
        cli(
            "print",
            "receipt",
            desk_day["here"],
            "--out",
            str(tmp_path / "r.pdf"),
            "--printer",
            "Counter",
            "--json",
        )
    )
    assert result["printer"] == "Counter"
    assert log.read_text().split() == ["-d", "Counter", "-n", "1", str(tmp_path / "r.pdf")]


def test_printer_errors_are_reported_and_the_pdf_kept(
    cli, desk_day: dict[str, str], tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    _fake_lp(tmp_path, monkeypatch, 'echo "lp: The printer or class does not exist." >&2\nexit 1\n')
    result = cli(
        "print",
        "receipt",
        desk_day["here"],
        "--out",
        str(tmp_path / "r.pdf"),
        "--printer",
        "Nope",
        ok=False,
    )
    assert (
        result.exit_code == 1 and "does not exist" in result.stderr and "拒绝打印" in result.stderr
    )
    assert (tmp_path / "r.pdf").is_file()


def test_missing_glyphs_stop_the_printer_unless_forced(
    cli, make_id: IdMaker, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    log = _fake_lp(tmp_path, monkeypatch, f'echo "$@" > {tmp_path / "lp-args"}\n')
    cli("init", "--community", HOME)
    hh = js(
        cli(
            "household",
            "add",
            "--origin-village",
            "洞河镇麻园村",
            "--community",
            HOME,
            "--moved-in",
            "2019-05-01",
            "--json",
        )
    )
    person = make_id(dt.date(1970, 1, 1), "女")
    cli(
        "person",
        "add",
        "--household",
        hh["household"]["number"],
        "--id-number",
        person,
        "--name",
        "李\U00031350",
        "--relation",
        "户主",
        "--date",
        DAY,
    )
    ticket = js(
        cli("request", "open", "--id-number", person, "--service", "V01", "--date", DAY, "--json")
    )["request"]["ticket"]
    out = str(tmp_path / "r.pdf")
    stopped = cli("print", "receipt", ticket, "--out", out, "--printer", "Counter", ok=False)
    assert stopped.exit_code == 1 and "U+31350" in stopped.stderr and "--force" in stopped.stderr
    assert not log.exists() and Path(out).is_file()
    forced = js(
        cli("print", "receipt", ticket, "--out", out, "--printer", "Counter", "--force", "--json")
    )
    assert forced["missing_glyphs"] == ["\U00031350"] and log.exists()
