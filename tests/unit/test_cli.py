"""The CLI end to end through typer's CliRunner, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import HOME, TODAY, IdMaker
from ziyang_counter import app

DAY = TODAY.isoformat()


def as_json(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


def register(cli, make_id: IdMaker) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    household = as_json(
        cli(
            "household",
            "add",
            "--origin-village",
            "洄水镇双河村",
            "--community",
            HOME,
            "--moved-in",
            "2018-09-01",
            "--building",
            "5",
            "--room",
            "302",
            "--json",
        )
    )
    number = household["household"]["number"]
    head = make_id(__import__("datetime").date(1962, 4, 9), "男")
    cli(
        "person",
        "add",
        "--household",
        number,
        "--id-number",
        head,
        "--name",
        "周建国",
        "--relation",
        "户主",
        "--phone",
        "13800001111",
        "--date",
        DAY,
    )
    return number, head


def test_a_whole_counter_day(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--community", HOME, "--counter", "2", "--reconfigure")
    number, head = register(cli, make_id)
    assert number == "H000001"
    person = as_json(cli("person", "show", "--id-number", head, "--date", DAY, "--json"))["person"]
    assert (
        person["sex"] == "男" and person["birth_date"] == "1962-04-09" and person["permit"] is None
    )

    refused = as_json(
        cli("check", "--id-number", head, "--service", "医疗保险参保", "--date", DAY, "--json")
    )
    assert refused["decision"] == "refuse" and refused["handled_by"] is None
    assert refused["reasons"][0]["rule"] == "PERMIT-NONE"

    permit = as_json(cli("permit", "issue", "--id-number", head, "--date", DAY, "--json"))["permit"]
    assert permit["number"] == "610924-2026-000001" and permit["status"] == "valid"
    assert permit["valid_until"] == "2027-11-26"

    check = as_json(
        cli(
            "check",
            "--id-number",
            head,
            "--service",
            "城乡低保申请",
            "--date",
            DAY,
            "--provided",
            "居民身份证",
            "--provided",
            "居住证,户口簿",
            "--json",
        )
    )
    assert check["decision"] == "forward_department" and check["handled_by"] == "紫阳县民政局"
    assert check["service"] == {"code": "F01", "name": "城乡低保申请", "side": "forward"}
    assert check["missing_documents"] == ["家庭收入及财产状况申报表", "家庭经济状况核对授权书"]

    opened = as_json(
        cli(
            "request",
            "open",
            "--id-number",
            head,
            "--service",
            "F01",
            "--provided",
            "1,2,3",
            "--date",
            DAY,
            "--json",
        )
    )["request"]
    assert opened["status"] == "pending_materials" and opened["promised_by"] is None
    assert opened["ticket"] == "SXSQ02-2026-000002"
    ticket = opened["ticket"]
    supplemented = as_json(
        cli("request", "supplement", ticket, "--provided", "all", "--date", DAY, "--json")
    )["request"]
    assert (
        supplemented["status"] == "accepted" and supplemented["promised_by"] == "2027-01-11"
    )  # 30 working days, 1 Jan off
    assert (
        as_json(cli("request", "forward", ticket, "--date", DAY, "--json"))["request"]["status"]
        == "forwarded"
    )
    done = as_json(
        cli("request", "complete", ticket, "--note", "已批准", "--date", "2026-12-10", "--json")
    )["request"]
    assert done["status"] == "completed" and [e["kind"] for e in done["events"]] == [
        "opened", "supplemented", "forwarded", "completed",
    ]  # fmt: skip

    village = as_json(
        cli(
            "request", "open", "--id-number", head, "--service", "土地流转", "--date", DAY, "--json"
        )
    )["request"]
    assert village["decision"] == "refer_origin" and village["status"] == "referred"
    assert village["handled_by"] == "洄水镇双河村"

    listing = as_json(cli("request", "list", "--date", DAY, "--json"))
    assert [r["ticket"] for r in listing["requests"]] == [
        "SXSQ02-2026-000001", "SXSQ02-2026-000002", "SXSQ02-2026-000003",
    ]  # fmt: skip
    assert (
        as_json(cli("request", "list", "--date", DAY, "--status", "referred", "--json"))["count"]
        == 1
    )
    shown = as_json(cli("request", "show", ticket, "--json"))["request"]
    assert shown["ticket"] == ticket and "*" in shown["person"]["id_number"]

    endorsed = cli("permit", "endorse", "--id-number", head, "--date", "2027-11-10", "--json")
    assert as_json(endorsed)["permit"]["valid_until"] == "2028-11-26"
    replaced = as_json(
        cli(
            "permit",
            "replace",
            "--id-number",
            head,
            "--reason",
            "damaged",
            "--date",
            "2027-12-01",
            "--json",
        )
    )["permit"]
    assert (
        replaced["number"] == "610924-2027-000001" and replaced["replaces"] == "610924-2026-000001"
    )
    revoked = as_json(
        cli(
            "permit",
            "revoke",
            "--id-number",
            head,
            "--reason",
            "迁回原籍",
            "--yes",
            "--date",
            "2027-12-02",
            "--json",
        )
    )
    assert revoked["permit"]["status"] == "revoked"
    shown = as_json(cli("permit", "show", "--id-number", head, "--date", "2027-12-02", "--json"))
    assert shown["permit"]["status"] == "revoked" and len(shown["permit"]["earlier"]) == 1


def test_human_output_is_chinese(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    _, head = register(cli, make_id)
    out = cli("check", "--id-number", head, "--service", "土地流转", "--date", DAY).stdout
    assert "结论：转迁出村办理（洄水镇双河村）" in out
    assert "缺少材料（一次性告知）：居民身份证、农村土地承包经营权证、土地流转合同" in out


@pytest.mark.parametrize(
    ("args", "zh"),
    [
        (["person", "show", "--id-number", "610924196204090311"], "校验位"),
        (["person", "show", "--id-number", "12345"], "18位"),
        (
            ["check", "--id-number", "11010519491231002X", "--service", "办护照"],
            "服务事项目录中没有",
        ),
        (
            [
                "household",
                "add",
                "--origin-village",
                "甲村",
                "--community",
                "乙社区",
                "--moved-in",
                "2020-13-01",
            ],
            "不是有效日期",
        ),
        (["permit", "replace", "--id-number", "11010519491231002X", "--reason", "stolen"], "lost"),
        (["request", "show", "NOPE-1"], "没有受理编号"),
        (["request", "list", "--status", "done"], "状态"),
        (["person", "show"], "缺少必填参数"),
        (["permit", "issue", "--id-numbr", "1"], "没有这个选项"),
    ],
)
def test_bad_input_is_one_line_in_both_languages(cli, args: list[str], zh: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args, ok=False)
    assert result.exit_code != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert zh in lines[0] and "Error:" in lines[0]
    assert "Traceback" not in result.output


def test_errors_with_json_are_json_too(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("person", "show", "--id-number", "12345", "--json", ok=False)
    assert result.exit_code == 1
    assert set(json.loads(result.stdout)["error"]) == {"zh", "en"}


def test_commands_refuse_an_uninitialised_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'new.db'}", "request", "list"]
    )
    assert result.exit_code == 1 and "ziyang-counter init" in result.stderr


def test_unreachable_postgres_is_a_clear_error() -> None:
    result = CliRunner().invoke(
        app, ["--db", "postgresql://nobody@127.0.0.1:1/none", "request", "list"]
    )
    assert result.exit_code == 1
    assert "无法连接数据库" in result.stderr and "Traceback" not in result.output


def test_catalog_list_and_show(cli) -> None:  # type: ignore[no-untyped-def]
    services = as_json(cli("catalog", "list", "--json"))["services"]
    assert len(services) == 45
    shown = as_json(cli("catalog", "show", "选民登记", "--json"))["service"]
    assert (
        shown["code"] == "H13"
        and "在本社区连续居住满1年（以居住证记载为准）" in shown["conditions"]
    )
    assert "1. 居民身份证 1份（公安机关）" in cli("catalog", "show", "h13").stdout


def test_demo_twice_neither_fails_nor_duplicates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    runner = CliRunner()
    first = runner.invoke(app, ["--db", url, "demo", "--no-tui", "--households", "30", "--json"])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, ["--db", url, "demo", "--no-tui", "--households", "30", "--json"])
    assert second.exit_code == 0, second.output
    a, b = json.loads(first.stdout), json.loads(second.stdout)
    assert not a["existing"] and b["existing"]
    for key in ("households", "persons", "permits", "requests"):
        assert a[key] == b[key] > 0, key
    assert a["households"] == 30
    listing = json.loads(
        runner.invoke(
            app, ["--db", url, "request", "list", "--date", a["latest_day"], "--json"]
        ).stdout
    )
    assert listing["count"] > 0


def test_the_installed_console_script_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ziyang_counter", "catalog", "show", "P03", "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(result.stdout)["service"]["fee_yuan"] == 20


def test_counters_sharing_a_database_name_themselves(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    """On one shared database, each machine says which counter it is; numbers never collide."""
    cli("init", "--community", HOME, "--counter", "1")
    _, head = register(cli, make_id)
    cli("permit", "issue", "--id-number", head, "--date", DAY)
    # A desk community must be one the database knows (issue 6, item 8): a household there.
    cli("household", "add", "--origin-village", "城关镇红椿村", "--community", "城关镇新城社区",
        "--moved-in", "2019-01-01", "--new-community")  # fmt: skip
    first = as_json(
        cli(
            "--desk-counter",
            "2",
            "request",
            "open",
            "--id-number",
            head,
            "--service",
            "H08",
            "--date",
            DAY,
            "--json",
        )
    )["request"]
    other = as_json(
        cli(
            "--desk-community",
            "城关镇新城社区",
            "request",
            "open",
            "--id-number",
            head,
            "--service",
            "H01",  # not H08: that one is already open for this person
            "--date",
            DAY,
            "--json",
        )
    )["request"]
    assert first["ticket"] == "SXSQ02-2026-000001" and first["decision"] == "handle"
    assert other["ticket"].startswith("XCSQ01-2026-") and other["decision"] == "refuse"
    assert "蒿坪镇双星社区服务大厅" in other["remedy"]
    stored = as_json(cli("init", "--json"))
    assert stored["community"] == HOME and stored["counter"] == "SXSQ01"
    # Each hall lists its own requests; a supervisor may ask for every hall.
    home = as_json(cli("request", "list", "--date", DAY, "--json"))["requests"]
    there = as_json(
        cli("--desk-community", "城关镇新城社区", "request", "list", "--date", DAY, "--json")
    )["requests"]
    every = as_json(cli("request", "list", "--date", DAY, "--all-communities", "--json"))[
        "requests"
    ]
    assert {r["community"] for r in home} == {HOME} and len(home) == 2
    assert [r["ticket"] for r in there] == [other["ticket"]]
    assert len(every) == 3


def test_an_unexpected_failure_is_one_line_and_logged(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import forms.catalogue

    def broken(path=None):  # type: ignore[no-untyped-def]
        raise KeyError("boom")

    monkeypatch.setattr(forms.catalogue, "load_catalogue", broken)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = CliRunner().invoke(app, ["catalog", "list"])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1 and "程序内部错误" in result.stderr
    log = tmp_path / "ziyang-counter" / "errors.log"
    assert "KeyError: 'boom'" in log.read_text(encoding="utf-8")


def test_an_unwritable_output_is_a_clear_error(cli, make_id: IdMaker, tmp_path) -> None:  # type: ignore[no-untyped-def]
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = cli(
        "print", "notice", "--service", "H01", "--out", str(blocker / "sub" / "n.pdf"), ok=False
    )
    assert result.exit_code == 1 and "文件读写失败" in result.stderr


def test_staff_are_added_listed_and_named_on_requests(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--community", HOME)
    cli("staff", "add", "101", "张敏", "--password-stdin", input="zhangmin-pw\n")
    assert (
        cli(
            "staff", "add", "101", "张敏", "--password-stdin", input="zhangmin-pw\n", ok=False
        ).exit_code
        == 1
    )
    codes = [s["code"] for s in as_json(cli("staff", "list", "--json"))["staff"]]
    assert codes == ["001", "101"]
    _, head = register(cli, make_id)
    cli.login("101", "zhangmin-pw")  # who opens the request is who signed in
    opened = as_json(
        cli("request", "open", "--id-number", head, "--service", "V08", "--date", DAY, "--json")
    )
    assert opened["request"]["officer"] == "张敏"
    assert cli.login("999", "whatever-pw", ok=False).exit_code == 1
