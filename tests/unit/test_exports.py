"""`ziyang-counter export`: requests, persons, permits and households to .xlsx and .csv, on SQLite
and PostgreSQL, read back with python-calamine and openpyxl and checked against the database."""

from __future__ import annotations

import csv
import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import peewee
import pytest
from python_calamine import CalamineWorkbook

from db import accounts, audit
from db import permits as permit_ops
from db import requests as ops
from db.exports import COLUMNS, keyset, prepare_export
from db.models import AccessLog, Household, Permit, Person, Request
from db.people import add_household, add_person
from db.setup import Desk, load_desk
from forms.catalogue import Catalogue
from forms.citizen_id import mask_id
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date
OTHER = "蒿坪镇红旗社区"
OFFICER_PW = "officer-pass-101"
KINDS = ("requests", "persons", "permits", "households")


@pytest.fixture
def county(
    database: peewee.Database, catalogue: Catalogue, desk: Desk, make_id: IdMaker
) -> dict[str, Any]:
    """Two households at HOME and one at OTHER; permits valid, lapsed, revoked; requests
    accepted, pending (two documents missing), referred; an officer 101 at HOME."""
    accounts.add_staff(desk, "101", "张敏", "officer", password=OFFICER_PW)
    one = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY,
        site="双星安置点", grid="第1网格", building="3", unit="2", room="501", phone="13912345678",
    )  # fmt: skip
    two = add_household(
        origin_village="洄水镇双河村", community=HOME, moved_in=D(2021, 3, 1), today=TODAY,
        building="7", phone="0915-5212345",
    )  # fmt: skip
    far = add_household(
        origin_village="汉王镇金竹村", community=OTHER, moved_in=D(2020, 6, 1), today=TODAY,
        new_community=True,
    )  # fmt: skip
    ids = {
        "head": make_id(D(1958, 3, 12), "男"),
        "spouse": make_id(D(1961, 8, 20), "女"),
        "child": make_id(D(2018, 5, 1), "女"),
        "single": make_id(D(1980, 1, 2), "男"),
        "far": make_id(D(1975, 6, 7), "女"),
    }
    for key, number, name, relation in (
        ("head", one.number, "王德明", "户主"),
        ("spouse", one.number, "李秀英", "配偶"),
        ("child", one.number, "王𠮷雨", "女"),
        ("single", two.number, "赵一", "户主"),
        ("far", far.number, "孙二", "户主"),
    ):
        add_person(
            household_number=number, id_number=ids[key], name=name, relation=relation, today=TODAY
        )
    issue = permit_ops.issue_permit
    issue(id_number=ids["head"], catalogue=catalogue, desk=desk, today=D(2026, 11, 2))
    issue(id_number=ids["spouse"], catalogue=catalogue, desk=desk, today=D(2026, 11, 2))
    permit_ops.revoke_permit(
        id_number=ids["spouse"], reason="户籍迁回原籍", desk=desk, today=D(2026, 11, 3)
    )
    issue(id_number=ids["single"], catalogue=catalogue, desk=desk, today=D(2026, 11, 4))
    Permit.update(valid_until=D(2026, 11, 20)).where(  # lapsed by TODAY: effective status
        Permit.person == Person.get(Person.id_number == ids["single"]).id
    ).execute()
    issue(id_number=ids["far"], catalogue=catalogue, desk=load_desk("001", OTHER, 1), today=TODAY)
    ops.open_request(
        id_number=ids["head"], service="医疗保险参保", catalogue=catalogue, desk=desk,
        today=TODAY, provided=[],
    )  # fmt: skip
    ops.open_request(
        id_number=ids["single"], service="土地流转", catalogue=catalogue, desk=desk, today=TODAY,
        provided=["all"],
    )  # fmt: skip
    return ids


def read_xlsx(path: Path) -> list[list[Any]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()


def read_csv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def exported(cli: Any, *args: str, ok: bool = True) -> Any:
    return cli("export", *args, "--json", ok=ok)


def rows_of(path: Path) -> list[dict[str, Any]]:
    table = read_xlsx(path) if path.suffix == ".xlsx" else read_csv(path)
    header, *body = table
    return [dict(zip(header, row, strict=True)) for row in body]


# ── each kind, both formats ──


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_reads_back_with_chinese_headers_and_the_databases_values(
    kind: str, county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    import openpyxl

    out = tmp_path / f"{kind}.xlsx"
    result = json.loads(exported(cli, kind, "--out", str(out)).stdout)
    table = read_xlsx(out)
    assert table[0] == [label for label, _ in COLUMNS[kind]]
    expected = {
        "requests": Request.select().count(),
        "persons": Person.select().count(),
        "permits": Permit.select().count(),
        "households": Household.select().count(),
    }[kind]
    assert result == {
        "exported": expected, "out": str(out), "kind": kind, "community": None, "full_ids": False,
    }  # fmt: skip
    assert len(table) == expected + 1
    book = openpyxl.load_workbook(out, read_only=False)
    sheet = book.worksheets[0]
    assert sheet.freeze_panes == "A2"  # the header row stays in view
    for index, (_, cell_kind) in enumerate(COLUMNS[kind], start=1):
        cells = [sheet.cell(row, index) for row in range(2, expected + 2)]
        filled = [c for c in cells if c.value not in (None, "")]
        if cell_kind == "date":
            assert all(isinstance(c.value, dt.datetime) and c.is_date for c in filled)
        elif cell_kind == "text":  # IDs, tickets, phones: text, never numbers
            assert all(c.data_type == "s" for c in filled)
    csv_out = tmp_path / f"{kind}.csv"
    exported(cli, kind, "--out", str(csv_out))
    assert read_csv(csv_out)[0] == table[0] and len(read_csv(csv_out)) == len(table)


def test_persons_carry_household_address_and_the_current_permits_label(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "persons.xlsx"
    exported(cli, "persons", "--out", str(out))
    by_id = {row["身份证号"]: row for row in rows_of(out)}
    assert set(by_id) == {mask_id(number) for number in county.values()}
    head = by_id[mask_id(county["head"])]
    assert head["姓名"] == "王德明" and head["性别"] == "男" and head["与户主关系"] == "户主"
    assert head["出生日期"] == D(1958, 3, 12) and head["入住时间"] == D(2019, 5, 1)
    assert head["住址"] == "蒿坪镇双星社区双星安置点3栋2单元501室"
    assert head["联系电话"] == "13912345678"  # the household's, as every paper shows it
    assert head["居住证状态"] == "有效" and head["居住证号"].startswith("610924-2026-")
    assert by_id[mask_id(county["spouse"])]["居住证状态"] == "已注销"
    assert by_id[mask_id(county["single"])]["居住证状态"] == "未签注，使用功能中止"
    child = by_id[mask_id(county["child"])]
    assert child["姓名"] == "王𠮷雨" and child["居住证号"] == "" and child["居住证状态"] == ""


def test_requests_show_labels_not_codes(county: dict[str, Any], cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "requests.csv"
    exported(cli, "requests", "--out", str(out))
    rows = rows_of(out)
    pending = next(r for r in rows if r["事项"] == "医疗保险参保")
    assert pending["状态"] == "待补正" and pending["结论"] == "本窗口办理"
    stored = Request.get(Request.service_name == "医疗保险参保")
    assert pending["缺少材料"] == "、".join(stored.documents_missing) and stored.documents_missing
    assert pending["受理编号"] == stored.ticket and pending["受理日期"] == TODAY.isoformat()
    referred = next(r for r in rows if r["事项"] == "土地流转")
    assert referred["状态"] == "已转迁出村" and referred["办理方"] == "洄水镇双河村"
    assert referred["经办人"] == "值班窗口人员" and referred["窗口"] == "SXSQ01"
    codes = {"pending_materials", "accepted", "referred", "completed", "handle", "refer_origin"}
    assert not codes & {value for row in rows for value in row.values()}


def test_households_count_members_and_name_the_head(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "households.xlsx"
    exported(cli, "households", "--out", str(out))
    rows = {row["户主"]: row for row in rows_of(out)}
    assert rows["王德明"]["人数"] == 3 and rows["赵一"]["人数"] == 1
    assert rows["王德明"]["户主身份证号"] == mask_id(county["head"])
    assert rows["赵一"]["联系电话"] == "0915-5212345" and rows["孙二"]["迁入社区"] == OTHER


def test_permits_show_revocation_day_and_reason(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "permits.xlsx"
    exported(cli, "permits", "--out", str(out))
    rows = {row["身份证号"]: row for row in rows_of(out)}
    revoked = rows[mask_id(county["spouse"])]
    assert revoked["状态"] == "已注销" and revoked["注销或补换日期"] == D(2026, 11, 3)
    assert revoked["注销或补换原因"] == "户籍迁回原籍"
    assert rows[mask_id(county["head"])]["签发日期"] == D(2026, 11, 2)
    assert rows[mask_id(county["far"])]["社区"] == OTHER


# ── full IDs and who may export what ──


def test_full_ids_are_a_supervisors_and_recorded_once_per_export(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    masked = tmp_path / "masked.xlsx"
    exported(cli, "persons", "--out", str(masked))
    assert all("********" in row["身份证号"] for row in rows_of(masked))
    before = AccessLog.select().count()
    full = tmp_path / "full.xlsx"
    exported(cli, "persons", "--out", str(full), "--full-ids")
    assert {row["身份证号"] for row in rows_of(full)} == set(county.values())
    logged = list(AccessLog.select().where(AccessLog.id > 0).order_by(AccessLog.id))
    assert len(logged) == before + 1
    entry = logged[-1]
    assert entry.person_id is None and entry.what == "导出完整身份证号（人员5行）"
    assert audit.verify()["ok"]  # the entry is in the chain
    views = json.loads(cli("audit", "views", "--json").stdout)["views"]
    assert views[0]["what"] == entry.what and views[0]["person"] is None
    assert "（批量导出）" in cli("audit", "views").output
    households = tmp_path / "households.csv"
    exported(cli, "households", "--out", str(households), "--full-ids")
    assert {row["户主身份证号"] for row in rows_of(households)} == {
        county["head"], county["single"], county["far"],
    }  # fmt: skip
    assert AccessLog.select().count() == before + 2


def test_an_officer_exports_their_own_community_masked_only(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    cli.login("101", OFFICER_PW)
    own = tmp_path / "own.xlsx"
    result = json.loads(exported(cli, "households", "--out", str(own)).stdout)
    assert result["community"] == HOME
    assert {row["迁入社区"] for row in rows_of(own)} == {HOME} and len(rows_of(own)) == 2
    named = tmp_path / "named.xlsx"
    exported(cli, "persons", "--out", str(named), "--community", HOME)
    assert len(rows_of(named)) == 4
    before = AccessLog.select().count()
    for args, words in (
        (("--full-ids",), "完整身份证号"),
        (("--community", OTHER), "其他社区"),
    ):
        refused = exported(cli, "persons", "--out", str(tmp_path / "no.xlsx"), *args, ok=False)
        assert refused.exit_code == 1 and words in json.loads(refused.stdout)["error"]["zh"]
        assert not (tmp_path / "no.xlsx").exists()
    assert AccessLog.select().count() == before


def test_a_supervisor_exports_one_other_community_or_all(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "other.csv"
    result = json.loads(exported(cli, "permits", "--out", str(out), "--community", OTHER).stdout)
    assert result["community"] == OTHER and result["exported"] == 1
    assert [row["社区"] for row in rows_of(out)] == [OTHER]
    requests = tmp_path / "req.csv"
    exported(cli, "requests", "--out", str(requests), "--community", OTHER)
    # the walk-in request the permit issued there finished, and nothing of HOME
    assert [(r["社区"], r["事项"]) for r in rows_of(requests)] == [(OTHER, "居住证申领")]
    empty = tmp_path / "empty.csv"
    exported(cli, "requests", "--out", str(empty), "--community", OTHER, "--from", "2027-01-01")
    assert read_csv(empty) == [[label for label, _ in COLUMNS["requests"]]]  # the header only


def test_export_needs_a_signed_in_staff_member(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    cli("logout")
    refused = exported(cli, "persons", "--out", str(tmp_path / "p.xlsx"), ok=False)
    assert refused.exit_code == 1 and "登录" in json.loads(refused.stdout)["error"]["zh"]
    assert not (tmp_path / "p.xlsx").exists()


# ── the date filters, at their edges ──


@pytest.mark.parametrize(
    ("first", "last", "numbers"),
    [
        ("2019-05-01", "2019-05-01", 1),  # the first and last day are both included
        ("2019-05-02", "2021-02-28", 1),  # 2020-06-01 only
        ("2019-05-02", "2021-03-01", 2),
        ("2019-04-30", None, 3),
        (None, "2019-04-30", 0),
        ("2021-03-02", None, 0),
    ],
)
def test_households_and_persons_filter_on_the_move_in_day(
    first: str | None, last: str | None, numbers: int, county: Any, cli: Any, tmp_path: Path
) -> None:
    args = [*(("--from", first) if first else ()), *(("--to", last) if last else ())]
    out = tmp_path / "h.csv"
    assert json.loads(exported(cli, "households", "--out", str(out), *args).stdout)["exported"] == (
        numbers
    )
    moved = {row["入住时间"] for row in rows_of(out)}
    assert all((first or "0") <= day <= (last or "9") for day in moved)


def test_requests_filter_on_the_day_opened_and_permits_on_the_issue_day(
    county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    out = tmp_path / "x.csv"
    day = TODAY.isoformat()
    count = json.loads(exported(cli, "requests", "--out", str(out), "--from", day).stdout)
    # two opened today plus the walk-in requests the permits issued on earlier days finished
    assert count["exported"] == Request.select().where(Request.opened_on == TODAY).count() == 3
    before = (TODAY - dt.timedelta(days=1)).isoformat()
    out.unlink()
    assert (
        json.loads(exported(cli, "requests", "--out", str(out), "--to", before).stdout)["exported"]
        == Request.select().where(Request.opened_on < TODAY).count()
    )
    out.unlink()
    permits = exported(
        cli, "permits", "--out", str(out), "--from", "2026-11-02", "--to", "2026-11-03"
    )
    assert json.loads(permits.stdout)["exported"] == 2
    assert {row["签发日期"] for row in rows_of(out)} == {"2026-11-02"}


# ── refusals: nothing read, nothing written ──


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("persons", "--out", "{dir}/p.xlsx", "--from", "2026-13-01"), "不是有效日期"),
        (("persons", "--out", "{dir}/p.xlsx", "--to", "yesterday"), "不是有效日期"),
        (
            ("persons", "--out", "{dir}/p.xlsx", "--from", "2026-11-02", "--to", "2026-11-01"),
            "早于起始日期",
        ),
        (("persons", "--out", "{dir}/p.txt"), ".xlsx 或 .csv"),
        (("persons", "--out", "{dir}/p"), ".xlsx 或 .csv"),
        (("people", "--out", "{dir}/p.xlsx"), "导出类别"),
        (("persons", "--out", "{dir}/p.xlsx", "--community", "蒿坪镇双心社区"), "已知社区"),
        (("persons", "--out", "{dir}/nowhere/p.xlsx"), "文件夹不存在"),
        (("persons", "--out", "{dir}/folder.xlsx"), "是文件夹"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    args: tuple[str, ...], words: str, county: dict[str, Any], cli: Any, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    (folder / "folder.xlsx").mkdir(parents=True)  # a folder with a spreadsheet's name
    real = [a.replace("{dir}", str(folder)) for a in args]
    refused = cli("export", *real, "--json", ok=False)
    assert refused.exit_code == 1
    assert words in json.loads(refused.stdout)["error"]["zh"]
    assert [p.name for p in folder.iterdir()] == ["folder.xlsx"]
    plain = cli("export", *real, ok=False)
    assert plain.exit_code == 1 and "Traceback" not in plain.output


def test_an_existing_file_needs_force_and_the_database_never_is_one(
    county: dict[str, Any], cli: Any, tmp_path: Path, database: peewee.Database
) -> None:
    out = tmp_path / "persons.csv"
    out.write_text("someone's notes\n", encoding="utf-8")
    refused = exported(cli, "persons", "--out", str(out), ok=False)
    assert "--force" in json.loads(refused.stdout)["error"]["zh"]
    assert out.read_text(encoding="utf-8") == "someone's notes\n"
    exported(cli, "persons", "--out", str(out), "--force")
    assert read_csv(out)[0][0] == "身份证号"
    again = exported(cli, "persons", "--out", str(out), ok=False)  # even our own export
    assert again.exit_code == 1
    if isinstance(database, peewee.SqliteDatabase):
        link = tmp_path / "db.csv"
        link.symlink_to(database.database)
        before = Path(database.database).read_bytes()[:100]
        guarded = exported(cli, "persons", "--out", str(link), "--force", ok=False)
        assert "数据库" in json.loads(guarded.stdout)["error"]["zh"]
        assert Path(database.database).read_bytes()[:100] == before


# ── streaming ──


class Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.sql.append(str(record.msg))


@pytest.mark.parametrize(("rows", "queries"), [(10, 4), (9, 4), (8, 3), (1, 1), (0, 1)])
def test_keyset_walks_in_chunks_in_order_without_duplicates(
    rows: int, queries: int, database: peewee.Database
) -> None:
    for _ in range(rows):
        add_household(
            origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
        )
    ids = [h.id for h in Household.select(Household.id).order_by(Household.id)]
    logger = logging.getLogger("peewee")
    handler = Statements()
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.DEBUG)
    try:
        walk = keyset(Household.select(Household.id, Household.number), Household.id, chunk=3)
        first = next(walk, None)
        assert len(handler.sql) == 1  # lazy: one chunk read for the first row
        got = ([first] if first is not None else []) + list(walk)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    assert [row[0] for row in got] == ids and len(set(ids)) == rows
    assert len(handler.sql) == queries
    assert all("LIMIT" in sql and "OFFSET" not in sql for sql in handler.sql)


def test_a_small_chunk_exports_the_same_rows_as_the_default(
    county: dict[str, Any], desk: Desk
) -> None:
    for kind in KINDS:
        small = list(prepare_export(kind, desk, TODAY, chunk=2).rows)
        whole = list(prepare_export(kind, desk, TODAY).rows)
        assert small == whole and len(whole) >= 2


# ── m0008: an access-log row with no person ──


def test_the_upgrade_lets_the_access_log_hold_an_export_and_keeps_the_chain(
    county: dict[str, Any], desk: Desk, database: peewee.Database
) -> None:
    from db import chain, migrations
    from db.exports import record_full_ids
    from db.models import SchemaVersion
    from db.people import show_person

    show_person(county["head"], desk, TODAY)
    step = dict(migrations.steps())["m0008_access_log_exports"]
    step.down(migrations.migrator_for(database), database)
    SchemaVersion.delete().where(SchemaVersion.name == "m0008_access_log_exports").execute()
    assert chain.guards_installed(database)
    export = prepare_export("persons", desk, TODAY, full_ids=True)
    with pytest.raises(peewee.IntegrityError), database.atomic():
        record_full_ids(export, 5, desk, TODAY)  # the old schema: a person is required
    assert migrations.upgrade(database) == ["m0008_access_log_exports"]
    assert chain.guards_installed(database)
    record_full_ids(export, 5, desk, TODAY)
    looks = list(AccessLog.select().order_by(AccessLog.id))
    assert [a.person_id is None for a in looks] == [False, True]
    assert audit.verify()["ok"]
    with pytest.raises(peewee.DatabaseError), database.atomic():  # still append-only
        AccessLog.update(what="x").where(AccessLog.id == looks[-1].id).execute()
