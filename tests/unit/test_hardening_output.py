"""Issue 6, printouts and output: refusals on paper, the daily log's tallies and page breaks,
CJK line breaking, the permit card, one JSON shape per entity, usage errors in JSON, and a CLI
whose "today" never depends on the real date. PDFs are real and read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from tests.conftest import HOME, TODAY, IdMaker

DAY = TODAY.isoformat()


def js(result: Any) -> Any:
    return json.loads(result.stdout)


def text_of(path: str | Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


# ── layering: plain printout data lives below both db and printouts ──


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("db.printdata", "printouts"),
        ("printouts.receipt", "db"),
        ("printouts.notice", "db"),
        ("printouts.transfer", "db"),
        ("printouts.permit_card", "db"),
        ("printouts.daily_log", "db"),
        ("forms.papers", "reportlab"),
        ("forms.papers", "peewee"),
    ],
)
def test_printouts_and_db_do_not_import_each_other(module: str, forbidden: str) -> None:
    code = (
        f"import sys, {module}; "
        f"print(any(m == {forbidden!r} or m.startswith({forbidden!r} + '.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ── a counter with one resident, through the CLI ──


def resident(cli, make_id: IdMaker, *, permit: bool) -> str:  # type: ignore[no-untyped-def]
    """A counter with a phone and one head of household, with or without a permit."""
    cli("init", "--community", HOME, "--phone", "0915-4321234")
    hh = js(
        cli(
            "household", "add", "--origin-village", "洞河镇麻园村", "--community", HOME,
            "--moved-in", "2019-05-01", "--building", "3", "--json",
        )
    )  # fmt: skip
    head = make_id(dt.date(1958, 3, 12), "男")
    cli(
        "person", "add", "--household", hh["household"]["number"], "--id-number", head,
        "--name", "王德明", "--relation", "户主", "--date", DAY,
    )  # fmt: skip
    if permit:
        cli("permit", "issue", "--id-number", head, "--date", "2026-05-06")
    return head


def flat(text: str) -> str:
    """PDF text without line breaks: a long reason may wrap anywhere."""
    return re.sub(r"\s+", "", text)


# ── 20. a refusal's papers carry every reason, its basis, the remedy and the appeal ──


def test_receipt_and_notice_of_a_refusal_give_reasons_basis_remedy_and_appeal(
    cli, make_id: IdMaker, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id, permit=False)
    opened = js(
        cli(
            "request",
            "open",
            "--id-number",
            head,
            "--service",
            "医疗保险参保",
            "--date",
            DAY,
            "--json",
        )
    )["request"]
    assert opened["status"] == "refused"
    refusing = [r for r in opened["reasons"] if r["refusing"]]
    assert refusing and opened["remedy"]
    cli("print", "receipt", opened["ticket"], "--out", str(tmp_path / "r.pdf"))
    cli("print", "notice", opened["ticket"], "--date", DAY, "--out", str(tmp_path / "n.pdf"))
    for paper in ("r.pdf", "n.pdf"):
        text = flat(text_of(tmp_path / paper))
        for r in refusing:
            assert flat(r["text"]) in text and flat(r["basis"]) in text, (paper, r)
        assert flat(opened["remedy"]) in text, paper
        assert "不予办理理由及依据" in text and "救济途径" in text and "行政复议" in text, paper
        assert "行政诉讼" in text and "紫阳县人民政府" in text, paper
        assert "材料补齐后起算" not in text and "当场办结" not in text, paper
        assert "材料已齐全" not in text and "尚缺以下" not in text, paper
    notice = text_of(tmp_path / "n.pdf")
    assert "经审查不予办理" in notice and "不 予 办 理 告 知 书" in notice


def test_a_request_refused_after_acceptance_no_longer_promises_a_date(
    cli, make_id: IdMaker, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id, permit=True)
    opened = js(
        cli(
            "request", "open", "--id-number", head, "--service", "H06", "--provided", "all",
            "--date", DAY, "--json",
        )
    )["request"]  # fmt: skip
    promised = opened["promised_by"]
    assert opened["status"] == "accepted" and promised
    cli("print", "receipt", opened["ticket"], "--out", str(tmp_path / "before.pdf"))
    assert promised in text_of(tmp_path / "before.pdf")
    note = "经核查已在户籍地领取养老保险待遇，不得重复领取；可到户籍地查询"
    cli("request", "refuse", opened["ticket"], "--note", note, "--date", DAY)
    cli("print", "receipt", opened["ticket"], "--out", str(tmp_path / "after.pdf"))
    cli("print", "notice", opened["ticket"], "--date", DAY, "--out", str(tmp_path / "n.pdf"))
    for paper in ("after.pdf", "n.pdf"):
        text = flat(text_of(tmp_path / paper))
        assert promised not in text and "个工作日）" not in text, paper
        assert flat(note) in text and "行政复议" in text, paper
        assert "不予办理" in text and "材料已齐全" not in text, paper
    assert "不予办理，无承诺办结日期" in text_of(tmp_path / "after.pdf")
    shown = js(cli("request", "show", opened["ticket"], "--json"))["request"]
    assert [r["text"] for r in shown["reasons"] if r["refusing"]] == [note]


# ── 21 and 22. the daily log: tallies by outcome, sections by status code, signatures ──


def test_daily_log_counts_a_later_refusal_as_refused(cli, make_id: IdMaker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id, permit=True)
    ticket = js(
        cli(
            "request", "open", "--id-number", head, "--service", "H06", "--provided", "all",
            "--date", DAY, "--json",
        )
    )["request"]["ticket"]  # fmt: skip
    cli("request", "refuse", ticket, "--note", "不符合领取条件", "--date", DAY)
    cli("print", "daily-log", "--date", DAY, "--out", str(tmp_path / "d.pdf"))
    text = text_of(tmp_path / "d.pdf")
    tally = text[text.index("按办理结论统计") : text.index("按经办人统计")]
    assert "受理后又不予办理的，计入不予办理" in flat(tally)
    assert re.search(r"不予办理\s+1\b", tally) and "本窗口办理" not in tally


def log_rows(count: int, status: str = "已受理", code: str = "accepted") -> list[Any]:
    from forms.papers import LogRow

    start = dt.datetime(2026, 11, 27, 8, 30)
    return [
        LogRow(
            at=start + dt.timedelta(minutes=i),
            ticket=f"SXSQ01-2026-{i + 1:06d}",
            service="医疗保险参保",
            person="王明",
            masked_id="610924********0001",
            decision="本窗口办理",
            status=status,
            officer="张敏",
            status_code=code,
            outcome="本窗口办理",
        )
        for i in range(count)
    ]


def render_log(rows: list[Any], open_items: list[Any]) -> PdfReader:
    from forms.papers import DailyLogData, Office
    from printouts.daily_log import render_daily_log

    office = Office("蒿坪镇双星社区", "蒿坪镇双星社区服务大厅1号窗口")
    data = DailyLogData(office, TODAY, TODAY, rows, open_items, dt.datetime(2026, 11, 27, 18))
    buffer = io.BytesIO()
    render_daily_log(data, buffer)
    return PdfReader(io.BytesIO(buffer.getvalue()))


def test_pending_section_is_found_by_status_code_not_by_label() -> None:
    rows = log_rows(2, status="等待补交材料", code="pending_materials")  # a renamed label
    text = "\n".join(p.extract_text() for p in render_log(rows, rows).pages)
    assert "待补正材料（2件）" in text and "其他在办（0件）" in text


@pytest.mark.parametrize("count", [4, 23, 70])
def test_the_last_page_never_holds_only_the_signatures(count: int) -> None:
    # 4 and 23 rows put the signatures alone on the last page before; 70 splits the last
    # table just before them.
    rows = log_rows(count)
    pages = render_log(rows, rows).pages
    last = pages[-1].extract_text()
    assert "制表人" in last and "SXSQ01-2026-" in last, (len(pages), last)


@pytest.mark.parametrize("count", [*range(30, 39), *range(67, 74)])
def test_the_rows_kept_with_the_signatures_carry_no_second_header(count: int) -> None:
    # Around 32-35 and 69-71 rows the last rows are split off to go with the signatures and
    # land on the page that holds the rest of the table: they continue it, with no header row
    # of their own in the middle of the page; on a page of their own they are headed.
    rows = log_rows(count)
    pages = render_log(rows, rows).pages
    last = pages[-1].extract_text()
    assert "制表人" in last and "SXSQ01-2026-" in last, (len(pages), last)
    assert last.count("承诺办结") == 1, (len(pages), last)
    assert last.index("承诺办结") < last.index("SXSQ01-2026-")
    listed = [t for p in pages for t in re.findall(r"SXSQ01-2026-\d{6}", p.extract_text())]
    assert listed[-count:] == [f"SXSQ01-2026-{i:06d}" for i in range(1, count + 1)]


# ── 21. line breaking, the card's corners and its address column ──

CLOSING = "，；：！？。、”’》）"


def placed_text(pdf: bytes) -> list[tuple[float, float, str]]:
    """Every text run with its page position (x, y), in drawing order."""
    runs: list[tuple[float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, _fd: Any, _fs: Any) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            runs.append((round(x, 1), round(y, 1), text))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return runs


def lines_of(pdf: bytes) -> list[str]:
    return [ln for ln in PdfReader(io.BytesIO(pdf)).pages[0].extract_text().splitlines() if ln]


def card(**changes: Any) -> Any:
    from forms.papers import EndorsementLine, PermitCardData

    base = dict(
        number="610924-2025-000003", name="王德明", sex="男", ethnicity="汉族",
        birth_date=dt.date(1958, 3, 12), id_number="610924195803120310",
        hukou_address="陕西省安康市紫阳县洞河镇麻园村三组",
        residence_address="蒿坪镇双星社区双星安置点3栋2单元501室", authority="紫阳县公安局",
        issued_on=dt.date(2025, 7, 24), valid_until=dt.date(2027, 7, 23), status_label="有效",
        endorsements=[EndorsementLine(dt.date(2026, 7, 8), dt.date(2027, 7, 23))],
    )  # fmt: skip
    return PermitCardData(**{**base, **changes})  # type: ignore[arg-type]


def render_bytes(fn: Any, data: Any) -> bytes:
    buffer = io.BytesIO()
    fn(data, buffer)
    return buffer.getvalue()


def test_no_line_of_the_transfer_slip_or_card_back_begins_with_closing_punctuation() -> None:
    from forms.papers import Applicant, Office, TransferData
    from printouts.permit_card import render_permit_card
    from printouts.transfer import render_transfer

    office = Office("蒿坪镇双星社区", "蒿坪镇双星社区服务大厅1号窗口")
    applicant = Applicant("王德明", "610924********0310", "蒿坪镇双星社区3栋2单元501室")
    for k in range(0, 60, 3):  # the comma lands on every position of a line in turn
        reason = "甲" * k + "，乙丙；丁戊：己”庚。" + "辛" * 30
        slip = TransferData(
            office=office, ticket="SXSQ01-2026-000125", to="洞河镇麻园村", kind="village",
            service_code="V01", service_name="土地承包经营", applicant=applicant,
            reasons=[reason, "“土地承包经营”属迁出村责任清单，由迁出村洞河镇麻园村办理"],
            handed_over=[], to_bring=[], deadline=None, officer="张敏",
            issued_on=dt.date(2026, 11, 27),
        )  # fmt: skip
        back = card(authority="紫阳县公安局" + "甲" * (k // 3) + "，乙丙丁" + "戊" * 20)
        for pdf in (render_bytes(render_transfer, slip), render_bytes(render_permit_card, back)):
            starts = [ln for ln in lines_of(pdf) if ln.lstrip()[:1] in CLOSING]
            assert starts == [], (k, starts)


def test_card_address_wraps_under_itself_not_under_its_label() -> None:
    from printouts.permit_card import render_permit_card

    address = "蒿坪镇双星社区双星安置点三期移民搬迁小区3栋2单元501室"
    runs = placed_text(render_bytes(render_permit_card, card(residence_address=address)))
    label = next(r for r in runs if r[2].startswith("居住地址"))
    after = runs[runs.index(label) + 1 :]
    value = [r for r in after if r[0] > label[0] and r[1] <= label[1]][:2]
    assert len(value) == 2 and value[1][1] < value[0][1], value  # the value wraps...
    assert value[0][0] == value[1][0] > label[0]  # ...and its second line starts in its column
    assert flat("".join(r[2] for r in value)) == address
    labels = [r for r in runs if r[2].strip() in ("姓名", "户籍地址", "居住地址")]
    values = [runs[runs.index(r) + 1][0] for r in labels]
    assert len(set(values)) == 1  # one value column for every field


def test_card_header_band_is_clipped_to_the_rounded_corners() -> None:
    from printouts.permit_card import render_permit_card

    page = PdfReader(io.BytesIO(render_bytes(render_permit_card, card()))).pages[0]
    contents = page.get_contents()
    assert contents is not None
    stream = contents.get_data()
    band = stream.index(b".858824 .909804 .960784 rg")  # the band's fill colour
    clip = stream.rfind(b" c h W", 0, band)  # a clip path of curves: the rounded outline
    assert clip != -1 and stream.rfind(b"Q", clip, band) == -1  # still inside the clip


# ── 24. usage errors, verify, ranges and status labels ──


def test_usage_errors_with_json_print_a_json_error(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("person", "show", "--json", ok=False)  # --id-number missing
    assert result.exit_code == 2
    error = js(result)["error"]
    assert "缺少必填参数" in error["zh"] and "--id-number" in error["en"]
    assert len(result.stderr.strip().splitlines()) == 1 and "Error:" in result.stderr
    plain = cli("person", "show", ok=False)
    assert plain.exit_code == 2 and plain.stdout == "" and "缺少必填参数" in plain.stderr


def test_verify_not_found_is_a_failure_on_stderr(cli) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--community", HOME)
    plain = cli("verify", "AAAA-BBBB-CCCC", ok=False)
    assert plain.exit_code == 1 and plain.stdout == ""
    assert "未找到" in plain.stderr and "Error:" in plain.stderr
    as_json = cli("verify", "AAAA-BBBB-CCCC", "--json", ok=False)
    body = js(as_json)
    assert as_json.exit_code == 1 and body["valid"] is False and set(body["error"]) == {"zh", "en"}


def test_request_list_rejects_a_backward_range_like_the_daily_log(cli) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--community", HOME)
    listed = cli("request", "list", "--date", "2026-11-29", "--to", "2026-11-01", ok=False)
    logged = cli("print", "daily-log", "--from", "2026-11-29", "--to", "2026-11-01", ok=False)
    assert listed.exit_code == logged.exit_code == 1
    assert listed.stderr == logged.stderr and "早于起始日期" in listed.stderr


def test_status_accepts_the_chinese_labels(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    from forms.status import STATUS_LABELS

    head = resident(cli, make_id, permit=True)
    cli("request", "open", "--id-number", head, "--service", "H06", "--date", DAY)  # pending
    cli("request", "open", "--id-number", head, "--service", "V01", "--date", DAY)  # referred
    for code, label in STATUS_LABELS.items():
        by_code = js(cli("request", "list", "--date", DAY, "--status", code, "--json"))
        by_label = js(cli("request", "list", "--date", DAY, "--status", label, "--json"))
        assert by_label == by_code, label
    pending = js(cli("request", "list", "--date", DAY, "--status", "待补正", "--json"))
    assert pending["count"] == 1 and pending["requests"][0]["status"] == "pending_materials"
    assert cli("request", "list", "--status", "办完了", ok=False).exit_code == 1


# ── 25. one JSON shape per entity ──

ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


def test_each_entity_has_one_json_shape(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    cli("init", "--community", HOME)
    added = js(
        cli(
            "household", "add", "--origin-village", "洞河镇麻园村", "--community", HOME,
            "--moved-in", "2019-05-01", "--json",
        )
    )  # fmt: skip
    number = added["household"]["number"]
    shown = js(cli("household", "show", number, "--json"))
    assert set(added) == set(shown) == {"household"}
    assert set(shown["household"]) == set(added["household"]) | {"members"}
    assert added["household"]["moved_in"] == "2019-05-01"

    head = make_id(dt.date(1958, 3, 12), "男")
    person_args = ("--household", number, "--id-number", head, "--name", "王德明")
    person = js(cli("person", "add", *person_args, "--relation", "户主", "--date", DAY, "--json"))
    assert person["person"]["id_number"] != head and "*" in person["person"]["id_number"]
    assert "id_number_full" not in person["person"]

    issued = js(cli("permit", "issue", "--id-number", head, "--date", DAY, "--json"))
    permit_shown = js(cli("permit", "show", "--id-number", head, "--date", DAY, "--json"))
    looked = js(cli("person", "show", "--id-number", head, "--date", DAY, "--json"))["person"]
    assert set(issued) == set(permit_shown) == {"permit"}
    assert set(issued["permit"]) == set(looked["permit"])
    assert set(permit_shown["permit"]) == set(issued["permit"]) | {"earlier"}
    assert issued["permit"]["number"] == looked["permit"]["number"]
    assert "*" in looked["permit"]["id_number"] and "*" in issued["permit"]["id_number"]
    assert looked["id_number"] == person["person"]["id_number"]  # masked, like person add
    assert looked["id_number_full"] == head  # the logged full view says so by its name

    opened = js(
        cli("request", "open", "--id-number", head, "--service", "V01", "--date", DAY, "--json")
    )
    request = opened["request"]
    listed = js(cli("request", "list", "--date", DAY, "--json"))
    assert set(listed) >= {"requests", "count"} and listed["count"] == 2  # with the P01
    assert request["counter"] == "SXSQ01"
    assert {r["counter"] for r in listed["requests"]} == {"SXSQ01"}
    assert ISO_WITH_OFFSET.match(request["opened_at"]), request["opened_at"]
    assert request["opened_at"].startswith(DAY + "T")
    assert all(ISO_WITH_OFFSET.match(e["at"]) for e in request["events"])
    assert dt.datetime.fromisoformat(request["opened_at"]).utcoffset() is not None

    staff = js(
        cli("staff", "add", "101", "张敏", "--password-stdin", "--json", input="zhangmin-pw\n")
    )
    staff_list = js(cli("staff", "list", "--json"))
    assert set(staff["staff"]) == set(staff_list["staff"][0])
    assert staff_list["count"] == len(staff_list["staff"]) == 2
    services = js(cli("catalog", "list", "--json"))
    assert services["count"] == len(services["services"]) > 0


# ── 26. Chinese views: permit history labels, list headers and dates ──


def test_permit_history_is_in_chinese(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id, permit=True)
    cli("permit", "endorse", "--id-number", head, "--date", "2027-04-20")
    out = cli("permit", "show", "--id-number", head, "--date", "2027-04-20").stdout
    history = out[out.index("记录：") :]
    assert "签发" in history and "签注" in history
    assert not re.search(r"issued|endorsed|replaced|revoked", history)
    shown = js(cli("permit", "show", "--id-number", head, "--date", "2027-04-20", "--json"))
    assert [h["kind_label"] for h in shown["permit"]["history"]] == ["签发", "签注"]


def test_request_lists_have_a_header_and_dates_across_days(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id, permit=True)
    cli("request", "open", "--id-number", head, "--service", "V01", "--date", DAY)
    one_day = cli("request", "list", "--date", DAY).stdout.splitlines()
    assert one_day[0].startswith("受理时间") and "受理编号" in one_day[0] and "状态" in one_day[0]
    assert re.match(r"\d\d:\d\d +SXSQ01-2026-", one_day[1]), one_day[1]
    days = cli("request", "list", "--date", "2026-05-01", "--to", DAY).stdout.splitlines()
    assert days[0].startswith("受理时间") and "受理编号" in days[0]
    rows = [line for line in days[1:] if "SXSQ01-2026-" in line]
    assert len(rows) == 2  # the permit application of 2026-05-06 and today's request
    assert rows[0].startswith("2026-05-06 ") and rows[1].startswith(f"{DAY} ")
    # the permit was typed in on DAY for 2026-05-06: its business day, marked back-dated
    assert rows[0].startswith("2026-05-06 补录 ")
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d ", rows[1])


# ── tests do not depend on the real date: "today" follows --date ──


def test_overdue_in_request_list_is_as_of_the_day_listed(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id, permit=True)
    opened = js(
        cli(
            "request", "open", "--id-number", head, "--service", "V01", "--date", "2026-05-06",
            "--json",
        )
    )["request"]  # fmt: skip
    promised = dt.date.fromisoformat(opened["promised_by"])
    on_the_day = js(cli("request", "list", "--date", "2026-05-06", "--json"))
    assert on_the_day["as_of"] == "2026-05-06"
    assert [r["overdue"] for r in on_the_day["requests"] if r["ticket"] == opened["ticket"]] == [
        False
    ]
    due = promised.isoformat()
    late = (promised + dt.timedelta(days=1)).isoformat()
    on_due = js(cli("request", "list", "--date", "2026-05-06", "--to", due, "--json"))
    after = js(cli("request", "list", "--date", "2026-05-06", "--to", late, "--json"))
    mine = [r for r in on_due["requests"] if r["ticket"] == opened["ticket"]]
    assert [r["overdue"] for r in mine] == [False]  # due day is not overdue
    assert [r["overdue"] for r in after["requests"] if r["ticket"] == opened["ticket"]] == [True]
    assert after["as_of"] == late
    overdue = js(cli("request", "list", "--overdue", "--date", "2026-05-06", "--json"))
    assert overdue["count"] == 0  # nothing was overdue on the day it was opened


def test_daily_log_judges_overdue_as_of_its_last_day(cli, make_id: IdMaker, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    head = resident(cli, make_id, permit=True)
    opened = js(
        cli(
            "request", "open", "--id-number", head, "--service", "V01", "--date", "2026-05-06",
            "--json",
        )
    )["request"]  # fmt: skip
    late = (dt.date.fromisoformat(opened["promised_by"]) + dt.timedelta(days=1)).isoformat()
    cli("print", "daily-log", "--date", "2026-05-06", "--out", str(tmp_path / "day.pdf"))
    cli(
        "print", "daily-log", "--from", "2026-05-06", "--to", late, "--out", str(tmp_path / "s.pdf")
    )
    assert "已超期未办结（0件）" in text_of(tmp_path / "day.pdf")
    span = text_of(tmp_path / "s.pdf")
    assert "已超期未办结（1件）" in span and opened["ticket"] in span


def test_refusals_stored_before_the_refusing_flag_still_print_their_reasons(
    cli, make_id: IdMaker, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    from db.models import Request

    head = resident(cli, make_id, permit=False)
    opened = js(
        cli("request", "open", "--id-number", head, "--service", "H01", "--date", DAY, "--json")
    )["request"]
    assert opened["status"] == "refused"
    legacy = [{k: v for k, v in r.items() if k != "refusing"} for r in opened["reasons"]]
    Request.update(reasons=legacy).where(Request.ticket == opened["ticket"]).execute()
    cli("print", "receipt", opened["ticket"], "--out", str(tmp_path / "r.pdf"))
    text = flat(text_of(tmp_path / "r.pdf"))
    assert all(flat(r["text"]) in text for r in legacy if r["rule"] != "MATERIALS-MISSING")
    assert "行政复议" in text and "材料补齐后起算" not in text


# ── 22: the printouts read the counter number and a late endorsement from values ──


def test_receipt_names_the_accepting_counter_from_its_number_not_its_code(
    database: Any, catalogue: Any, make_id: IdMaker
) -> None:
    """The counter number is a stored value: a legacy or odd code does not change the paper."""
    from db import permits as permit_ops
    from db import requests as ops
    from db.models import Request
    from db.people import add_household, add_person
    from db.printdata import receipt_data
    from db.setup import load_desk

    at_three = load_desk(counter_no=3)
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=dt.date(2019, 5, 1), today=TODAY
    )
    head = make_id(dt.date(1958, 3, 12), "男")
    add_person(
        household_number=household.number, id_number=head, name="王德明", relation="户主",
        today=TODAY,
    )  # fmt: skip
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=at_three, today=TODAY)
    request = ops.open_request(
        id_number=head, service="医疗保险参保", catalogue=catalogue, desk=at_three, today=TODAY,
        provided=["all"],
    )  # fmt: skip
    Request.update(counter_code="SXSQ").where(Request.id == request.id).execute()
    office = receipt_data(request.ticket, load_desk(counter_no=1)).office
    assert office.counter_label.endswith("3号窗口")


def test_permit_card_marks_late_endorsements_by_the_flag(
    database: Any, catalogue: Any, make_id: IdMaker
) -> None:
    from db import permits as permit_ops
    from db.people import add_household, add_person
    from db.printdata import permit_card_data
    from db.setup import load_desk

    desk = load_desk()
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=dt.date(2019, 5, 1), today=TODAY
    )
    late, on_time = make_id(dt.date(1958, 3, 12), "男"), make_id(dt.date(1960, 1, 2), "女")
    for id_number, relation in ((late, "户主"), (on_time, "配偶")):
        add_person(
            household_number=household.number, id_number=id_number, name="王德明",
            relation=relation, today=TODAY,
        )  # fmt: skip
    permit_ops.issue_permit(
        id_number=late, catalogue=catalogue, desk=desk, today=dt.date(2025, 11, 3)
    )
    permit_ops.issue_permit(
        id_number=on_time, catalogue=catalogue, desk=desk, today=dt.date(2025, 12, 1)
    )
    for id_number in (late, on_time):
        permit_ops.endorse_permit(id_number=id_number, catalogue=catalogue, desk=desk, today=TODAY)
    assert [e.note for e in permit_card_data(late, catalogue, TODAY).endorsements] == ["逾期签注"]
    assert [e.note for e in permit_card_data(on_time, catalogue, TODAY).endorsements] == [""]
