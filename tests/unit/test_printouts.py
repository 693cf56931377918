"""Printouts rendered for real, read back with pypdf, and checked field by field."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
from typing import Any

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from forms.papers import (
    Applicant,
    DailyLogData,
    DocumentLine,
    EndorsementLine,
    LogRow,
    NoticeData,
    Office,
    PermitCardData,
    ReceiptData,
    TransferData,
)
from printouts.daily_log import render_daily_log, totals
from printouts.fonts import load_fonts
from printouts.notice import render_notice
from printouts.permit_card import render_permit_card
from printouts.receipt import render_receipt
from printouts.transfer import render_transfer

OFFICE = Office("蒿坪镇双星社区", "蒿坪镇双星社区服务大厅1号窗口", "0915-4321234")
FULL_ID = "610924195803120310"
MASKED = "610924********0310"
APPLICANT = Applicant("王𠮷祥", MASKED, "蒿坪镇双星社区3栋2单元501室", "13912345678")
NOWHERE = "\U00031350"  # CJK Extension H: no installed font has it


def receipt(**changes: object) -> ReceiptData:
    base = ReceiptData(
        office=OFFICE, ticket="SXSQ01-2026-000123", service_code="H06",
        service_name="城乡居民养老保险待遇领取", applicant=APPLICANT, officer="张敏",
        received_at=dt.datetime(2026, 11, 27, 9, 30), status_label="待补正", promised_by=None,
        time_limit=10, received=["居民身份证", "居住证"], missing=["户口簿", "社会保障卡或本人银行卡"],
        verify_code="K7QF-2M9X-PA4D",
    )  # fmt: skip
    return ReceiptData(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def read(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def render(fn, data, **kwargs) -> tuple[PdfReader, str, object]:  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    result = fn(data, buffer, **kwargs)
    reader, text = read(buffer.getvalue())
    if "fonts" not in kwargs:  # with the system fonts, every font must be embedded
        fonts = font_files(reader)
        assert fonts and all(fonts.values()), fonts
    return reader, text, result


def font_files(reader: PdfReader) -> dict[str, bool]:
    """Every font on every page and whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"].get_object()
        fonts = resources.get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            embedded = descriptor is not None and any(
                k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3")
            )
            found[str(font["/BaseFont"])] = embedded
    return found


# ── receipts ──


def test_roll_receipt_is_80mm_wide_one_page_and_grows_with_content() -> None:
    short, _, _ = render(render_receipt, receipt())
    long_, _, _ = render(render_receipt, receipt(received=[f"材料{i}" for i in range(20)]))
    for reader in (short, long_):
        assert len(reader.pages) == 1
        assert float(reader.pages[0].mediabox.width) == pytest.approx(80 * mm, abs=0.1)
    assert float(long_.pages[0].mediabox.height) > float(short.pages[0].mediabox.height) + 40 * mm


@pytest.mark.parametrize("size", ["80mm", "a4"])
def test_receipt_carries_every_field(size: str) -> None:
    _reader, text, result = render(render_receipt, receipt(), size=size)
    for field in (
        "受 理 回 执", "SXSQ01-2026-000123", "H06 城乡居民养老保险待遇领取", "王𠮷祥", MASKED,
        "蒿坪镇双星社区3栋2单元501室", "13912345678", "蒿坪镇双星社区服务大厅1号窗口", "张敏",
        "2026-11-27 09:30", "材料补齐后起算", "居民身份证", "户口簿", "K7QF-2M9X-PA4D",
        "申请人签字", "经办人签字", "0915-4321234",
    ):  # fmt: skip
        assert field in text, field
    assert FULL_ID not in text
    assert result.warnings == [] and result.missing_glyphs == []  # type: ignore[attr-defined]


def test_receipt_embeds_a_cjk_font_subset() -> None:
    reader, _, _ = render(render_receipt, receipt())
    fonts = font_files(reader)
    assert fonts and all(fonts.values()), fonts
    primary = pdfmetrics.getFont(load_fonts().name).face.name.decode()  # type: ignore[attr-defined]
    assert any(primary in name for name in fonts), fonts


def test_rare_character_comes_from_the_next_font() -> None:
    truetype = ["/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0"] + [
        f"/usr/share/fonts/truetype/hanazono/HanaMin{part}.ttf" for part in "AB"
    ]
    reader, text, result = render(render_receipt, receipt(), fonts=load_fonts(specs=truetype))
    assert "王𠮷祥" in text  # drawn and readable back, via the fallback font
    assert all(font_files(reader).values())
    assert any("HanaMin" in name for name in font_files(reader))
    assert result.missing_glyphs == []  # type: ignore[attr-defined]


def test_a_character_no_font_has_is_tagged_and_reported() -> None:
    applicant = Applicant(f"李{NOWHERE}", MASKED, "蒿坪镇双星社区", "")
    _, text, result = render(render_receipt, receipt(applicant=applicant))
    assert result.missing_glyphs == [NOWHERE]  # type: ignore[attr-defined]
    assert "[U+31350]" in text
    assert any("U+31350" in w for w in result.warnings)  # type: ignore[attr-defined]


def test_the_qr_code_is_drawn() -> None:
    buffer = io.BytesIO()
    render_receipt(receipt(), buffer)
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    contents = reader.pages[0].get_contents()
    assert contents is not None
    content = contents.get_data()
    # A QR code of 25+ modules a side is drawn as many filled rectangles.
    assert content.count(b" re") > 80


# ── notices ──


def notice(**changes: object) -> NoticeData:
    base = NoticeData(
        office=OFFICE, service_code="F01", service_name="城乡低保申请", side_label="代收转办",
        basis="两项清单·迁入社区责任清单：代收城乡低保申请相关材料", conditions=["家庭人均收入低于当地低保标准"],
        documents=[
            DocumentLine("居民身份证", 1, "公安机关", "", "received"),
            DocumentLine("户口簿", 1, "公安机关", "", "missing"),
            DocumentLine("家庭经济状况核对授权书", 1, "家庭成员签字", "", "missing"),
        ],
        time_limit=30, where="蒿坪镇双星社区服务大厅1号窗口（代收后转紫阳县民政局办理）",
        ticket="SXSQ01-2026-000124", applicant=APPLICANT, printed_on=dt.date(2026, 11, 27),
    )  # fmt: skip
    return NoticeData(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_notice_lists_every_document_marked() -> None:
    _, text, _ = render(render_notice, notice())
    assert "一 次 性 告 知 单" in text and "尚缺以下2项材料" in text
    assert text.count("缺少，请补交") == 2 and text.count("已收") == 1
    for field in (
        "城乡低保申请",
        "两项清单",
        "家庭人均收入低于当地低保标准",
        "家庭成员签字",
        "30个工作日",
        "紫阳县民政局",
        "0915-4321234",
        "第 1 页 共 1 页",
    ):
        assert field in text, field
    assert FULL_ID not in text


def test_blank_checklist_has_boxes_and_no_applicant() -> None:
    docs = [DocumentLine(f"材料{i}", 1, "出具单位") for i in range(3)]
    _, text, _ = render(render_notice, notice(ticket="", applicant=None, documents=docs))
    assert text.count("□") == 3 and "申请人" not in text and "尚缺" not in text


# ── transfer slips ──


def test_transfer_slip_to_the_village_with_return_stub() -> None:
    data = TransferData(
        office=OFFICE, ticket="SXSQ01-2026-000125", to="洞河镇麻园村", kind="village",
        service_code="V01", service_name="土地承包经营", applicant=APPLICANT,
        reasons=["“土地承包经营”属迁出村责任清单，由迁出村洞河镇麻园村办理"],
        handed_over=["居民身份证"], to_bring=["农村土地承包经营权证"],
        deadline=dt.date(2026, 12, 11), officer="张敏", issued_on=dt.date(2026, 11, 27),
    )  # fmt: skip
    _, text, _ = render(render_transfer, data)
    for field in (
        "转 办 单",
        "洞河镇麻园村",
        "V01 土地承包经营",
        "随单移交材料",
        "居民身份证",
        "农村土地承包经营权证",
        "2026-12-11",
        "沿此线剪下",
        "转办回执联",
        "接收人签字",
    ):
        assert field in text, field
    assert MASKED in text and FULL_ID not in text


# ── permit card ──


def test_permit_card_front_back_and_endorsements() -> None:
    data = PermitCardData(
        number="610924-2025-000003", name="王𠮷祥", sex="男", ethnicity="汉族", birth_date=dt.date(1958, 3, 12),
        id_number=FULL_ID, hukou_address="陕西省安康市紫阳县洞河镇麻园村", residence_address="蒿坪镇双星社区3栋2单元501室",
        authority="紫阳县公安局", issued_on=dt.date(2025, 7, 24), valid_until=dt.date(2027, 7, 23), status_label="有效",
        endorsements=[EndorsementLine(dt.date(2026, 7, 8), dt.date(2027, 7, 23))],
    )  # fmt: skip
    reader, text, _ = render(render_permit_card, data)
    assert len(reader.pages) == 1
    assert re.search(r"居\s*住\s*证", text)
    for field in (
        "王𠮷祥",
        "汉族",
        "1958年3月12日",
        FULL_ID,
        "洞河镇麻园村",
        "紫阳县公安局",
        "2027-07-23",
        "签注记录",
        "2026-07-08",
        "照片",
        "正面",
        "背面",
    ):
        assert field in text, field


# ── daily log ──


def busy_day(count: int) -> DailyLogData:
    services = ["医疗保险参保", "城乡低保申请", "土地流转", "选民登记", "居住证申领"]
    decisions = ["本窗口办理", "代收转办", "转迁出村办理", "不予办理"]
    statuses = ["已办结", "已受理", "待补正", "已转办"]
    codes = {
        "已办结": "completed",
        "已受理": "accepted",
        "待补正": "pending_materials",
        "已转办": "forwarded",
    }
    officers = ["张敏", "刘洋", "陈静"]
    start = dt.datetime(2026, 11, 27, 8, 30)
    rows = [
        LogRow(
            at=start + dt.timedelta(minutes=i),
            ticket=f"SXSQ01-2026-{i + 1:06d}",
            service=services[i % 5],
            person=f"王{'一二三四五六七八九十'[i % 10]}明",
            masked_id=f"610924********{i % 10000:04d}",
            decision=decisions[i % 4],
            status=statuses[i % 4],
            officer=officers[i % 3],
            status_code=codes[statuses[i % 4]],
            outcome=decisions[i % 4],
            promised_by=dt.date(2026, 11, 26) if i % 50 == 0 else None,
            overdue=i % 50 == 0,
        )
        for i in range(count)
    ]
    open_items = [r for r in rows if r.status != "已办结"]
    return DailyLogData(
        OFFICE,
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 27),
        rows,
        open_items,
        dt.datetime(2026, 11, 27, 18, 0),
    )


def test_a_busy_day_of_500_requests() -> None:
    data = busy_day(500)
    reader, text, result = render(render_daily_log, data)
    pages = len(reader.pages)
    assert pages > 10
    width, height = (float(v) for v in reader.pages[0].mediabox[2:])
    assert width > height  # landscape
    for number, page in enumerate(reader.pages, 1):
        assert f"第 {number} 页 共 {pages} 页" in page.extract_text()
    assert "受理编号" in reader.pages[0].extract_text()
    table_pages = [p.extract_text() for p in reader.pages if "SXSQ01-2026-" in p.extract_text()]
    assert len(table_pages) > 1  # the header must repeat on every page of the table
    assert all("受理编号" in t and "经办人" in t for t in table_pages)
    for i in (1, 250, 500):
        assert f"SXSQ01-2026-{i:06d}" in text
    counts = totals(data.rows)
    assert counts["service"]["医疗保险参保"] == 100 and counts["officer"]["张敏"] == 167
    tallies = re.findall(r"合计\s*(\d+)", text)
    assert tallies[:3] == ["500", "500", "500"]
    for officer, n in (("张敏", 167), ("刘洋", 167), ("陈静", 166)):
        assert re.search(rf"{officer}\s+{n}\b", text), officer
    overdue = sum(r.overdue for r in data.open_items)
    pending = sum(r.status_code == "pending_materials" for r in data.open_items)
    assert overdue == 5 and pending == 125
    assert f"已超期未办结（{overdue}件）" in text and f"待补正材料（{pending}件）" in text
    assert not re.search(r"610924\d{8}", text)  # no full ID anywhere
    assert result.pages == pages  # type: ignore[attr-defined]


def test_an_empty_day_still_prints() -> None:
    _, text, _ = render(render_daily_log, busy_day(0))
    assert "本期间无办件" in text and "第 1 页 共 1 页" in text


LONG_SERVICE = "城乡居民基本养老保险待遇领取资格认证及补发申请（代办）"  # wraps in its column


def awkward_day(count: int) -> DailyLogData:
    """A busy day with the cells that need a paragraph: a service name that wraps, a name in
    the fallback font, a character no font has, doubled spaces, an empty decision."""
    data = busy_day(count)
    rows = []
    for i, r in enumerate(data.rows):
        changes: dict[str, object] = {}
        if i % 7 == 0:
            changes["service"] = LONG_SERVICE
        if i % 11 == 0:
            changes["person"] = "王𠮷祥"
        if i % 13 == 0:
            changes["person"] = f"李{NOWHERE}"
        if i % 17 == 0:
            changes["officer"] = "欧阳  明 "
        if i % 19 == 0:
            changes["decision"] = ""
        rows.append(dataclasses.replace(r, **changes))  # type: ignore[arg-type]
    open_items = [r for r in rows if r.status != "已办结"]
    return dataclasses.replace(data, rows=rows, open_items=open_items)


def placed(pdf: bytes) -> list[list[tuple[float, float, str]]]:
    """Every text run of every page with its position, in drawing order."""
    pages: list[list[tuple[float, float, str]]] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[tuple[float, float, str]] = []

        def visit(text: str, cm: Any, tm: Any, _fd: Any, _fs: Any, runs: Any = runs) -> None:
            if text.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                runs.append((round(x, 2), round(y, 2), text))

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


@pytest.mark.parametrize(
    ("text", "room", "plain"),
    [
        ("选民登记", 100.0, True),
        ("SXSQ01-2026-000001", 100.0, True),
        ("王 明", 100.0, True),  # one inner space is drawn the same either way
        (LONG_SERVICE, 58 * mm - 4, False),  # wraps: a paragraph
        ("王𠮷祥", 100.0, False),  # 𠮷 comes from the fallback font
        (f"李{NOWHERE}", 100.0, False),  # no font: tagged [U+...] in red
        ("欧阳  明", 100.0, False),  # a paragraph would collapse the doubled space
        (" 张敏", 100.0, False),  # and drop the leading one
        ("", 100.0, False),  # an empty paragraph has no height; a plain cell would
        ("甲\n乙", 100.0, True),  # the line break is made visible (\x0a): one line
    ],
)
def test_a_cell_is_plain_text_only_where_a_paragraph_would_draw_it_the_same(
    text: str, room: float, plain: bool
) -> None:
    from printouts.layout import Sheet

    cell = Sheet(base=9).cell(text, room)
    assert isinstance(cell, str) is plain, cell


def test_a_cell_that_fits_exactly_is_plain_and_a_hair_wider_is_a_paragraph() -> None:
    from printouts.layout import Sheet

    sheet = Sheet(base=9)
    look = sheet.styles["cell"]
    width = pdfmetrics.stringWidth("转迁出村办理", look.fontName, look.fontSize)
    assert sheet.cell("转迁出村办理", width) == "转迁出村办理"
    assert not isinstance(sheet.cell("转迁出村办理", width - 0.01), str)


@pytest.mark.parametrize("count", [70, 180])
def test_a_long_table_laid_out_page_by_page_looks_as_one_table_split_by_reportlab(
    count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PagedGrid against reportlab's own splitting of one Table: the same text at the same
    place on every page, wrapped service names, fallback fonts and the signatures included."""
    import printouts.layout

    data = awkward_day(count)
    paged = io.BytesIO()
    render_daily_log(data, paged)
    monkeypatch.setattr(printouts.layout, "PAGED_FROM", 10**9)  # every grid one Table
    whole = io.BytesIO()
    render_daily_log(data, whole)
    pages = placed(paged.getvalue())
    assert len(pages) > 3
    assert pages == placed(whole.getvalue())
    text = " ".join(run[2] for page in pages for run in page)
    assert "城乡居民基本养老保险待遇领取资格认证及补\n 发申请（代办）" in text  # wrapped
    assert "𠮷" in text
    assert "[U+31350]" in text and "制表人" in text


# ── fonts ──


def test_without_a_truetype_font_it_warns_loudly_and_uses_stsong() -> None:
    with pytest.warns(RuntimeWarning, match="STSong-Light"):
        fonts = load_fonts(specs=["/nonexistent/font.ttf"])
    assert not fonts.embedded
    reader, _text, result = render(
        render_receipt, receipt(applicant=Applicant("王德明", MASKED, "蒿坪镇", "")), fonts=fonts
    )
    assert "STSong-Light" in " ".join(font_files(reader))
    assert any("STSong-Light" in w for w in result.warnings)  # type: ignore[attr-defined]


def test_fonts_with_postscript_outlines_are_skipped(tmp_path) -> None:  # type: ignore[no-untyped-def]
    fake = tmp_path / "NotoSansCJK.otf"
    fake.write_bytes(b"OTTO" + b"\0" * 64)
    fonts = load_fonts(specs=[str(fake), "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0"])
    assert fonts.embedded and "wqy" in fonts.primary.path
