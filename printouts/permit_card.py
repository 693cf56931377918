"""居住证 permit card: front and back at card size (85.6 × 54 mm) on A4, with cut marks,
a photo box, the endorsement record and the issuing authority."""

from __future__ import annotations

from typing import BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from forms.papers import PermitCardData
from printouts.fonts import FontSet
from printouts.layout import PDF_CREATOR, PrintResult, Sheet, Target, write

CARD_W, CARD_H = 85.6 * mm, 54 * mm
CORNER = 3 * mm
LABEL_W = 11 * mm  # four characters of the card style and a gap
ENDORSEMENT_ROWS = 4


def _cut_marks(c: Canvas, x: float, y: float) -> None:
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.3)
    gap, length = 1.5 * mm, 4 * mm
    for cx, dx in ((x, -1), (x + CARD_W, 1)):
        for cy, dy in ((y, -1), (y + CARD_H, 1)):
            c.line(cx + dx * gap, cy, cx + dx * (gap + length), cy)
            c.line(cx, cy + dy * gap, cx, cy + dy * (gap + length))


def _text(c: Canvas, para: Paragraph, x: float, top: float, width: float) -> float:
    """Draw a paragraph with its top at `top`; return the y below it."""
    _, height = para.wrap(width, 100 * mm)
    para.drawOn(c, x, top - height)
    return top - height


def _field(
    c: Canvas, sheet: Sheet, label: str, value: str, x: float, top: float, width: float
) -> float:
    """A label and its value in two columns, so a long value wraps under itself, never under
    the label; return the y below the taller of the two."""
    bottom = _text(c, sheet.p(label, "card"), x, top, LABEL_W)
    return min(bottom, _text(c, sheet.p(value, "card"), x + LABEL_W, top, width - LABEL_W))


def _border(c: Canvas, x: float, y: float) -> None:
    c.setStrokeColor(colors.HexColor("#1f4e79"))
    c.setLineWidth(0.8)
    c.roundRect(x, y, CARD_W, CARD_H, CORNER)


def _front(c: Canvas, sheet: Sheet, data: PermitCardData, x: float, y: float) -> None:
    # The header band is clipped to the card's rounded outline, and the outline drawn on top.
    c.saveState()
    outline = c.beginPath()
    outline.roundRect(x, y, CARD_W, CARD_H, CORNER)
    c.clipPath(outline, stroke=0, fill=0)
    c.setFillColor(colors.HexColor("#dbe8f5"))
    c.rect(x, y + CARD_H - 10 * mm, CARD_W, 10 * mm, stroke=0, fill=1)
    c.restoreState()
    _border(c, x, y)
    c.setFillColor(colors.black)
    _text(c, sheet.p("居　住　证", "card_title"), x, y + CARD_H - 1.5 * mm, CARD_W)
    _text(c, sheet.p("紫阳县易地扶贫搬迁群众", "card_small_center"), x, y + CARD_H - 7 * mm, CARD_W)
    photo_w, photo_h = 20 * mm, 26 * mm
    px, py = x + CARD_W - photo_w - 4 * mm, y + CARD_H - 12 * mm - photo_h
    c.setLineWidth(0.4)
    c.setDash(2, 2)
    c.rect(px, py, photo_w, photo_h)
    c.setDash()
    _text(c, sheet.p("照片", "card_small_center"), px, py + photo_h / 2 + 2 * mm, photo_w)
    fields = [
        ("姓名", data.name),
        ("性别", f"{data.sex}　　民族 {data.ethnicity}"),
        ("出生", f"{data.birth_date.year}年{data.birth_date.month}月{data.birth_date.day}日"),
        ("户籍地址", data.hukou_address),
        ("居住地址", data.residence_address),
    ]
    top = y + CARD_H - 12 * mm
    left = x + 4 * mm
    text_w = CARD_W - photo_w - 10 * mm
    for label, value in fields:
        top = _field(c, sheet, label, value, left, top, text_w) - 0.6 * mm
    _text(
        c,
        sheet.p(f"公民身份号码　{data.id_number}", "card_strong"),
        left,
        y + 10 * mm,
        CARD_W - 8 * mm,
    )
    _text(c, sheet.p(f"证号　{data.number}", "card"), left, y + 5 * mm, CARD_W - 8 * mm)


def _back(c: Canvas, sheet: Sheet, data: PermitCardData, x: float, y: float) -> None:
    _border(c, x, y)
    left, width = x + 4 * mm, CARD_W - 8 * mm
    top = y + CARD_H - 3 * mm
    top = _field(c, sheet, "签发机关", data.authority, left, top, width) - 0.5 * mm
    top = _text(
        c,
        sheet.p(
            f"签发日期　{data.issued_on.isoformat()}　　有效期至　{data.valid_until.isoformat()}",
            "card",
        ),
        left,
        top,
        width,
    )
    if data.replaces:
        top = _text(
            c, sheet.p(f"补换发，原证 {data.replaces} 作废", "card_small"), left, top, width
        )
    top -= 1 * mm
    top = _text(c, sheet.p("签注记录", "card_strong"), left, top, width) - 0.5 * mm
    row_h = 4.6 * mm
    cols = (0, 24 * mm, 50 * mm, width)
    c.setStrokeColor(colors.black)
    c.setLineWidth(0.3)
    rows = ENDORSEMENT_ROWS + 1
    for r in range(rows + 1):
        c.line(left, top - r * row_h, left + width, top - r * row_h)
    for cx in cols:
        c.line(left + cx, top, left + cx, top - rows * row_h)
    header = ("签注日期", "有效期至", "签注机关（盖章）")
    entries = [
        (e.on.isoformat(), e.valid_until.isoformat(), e.note)
        for e in data.endorsements[-ENDORSEMENT_ROWS:]
    ]
    for r, cells in enumerate([header, *entries]):
        for i, value in enumerate(cells):
            _text(
                c,
                sheet.p(value, "card_small"),
                left + cols[i] + 1 * mm,
                top - r * row_h - 0.6 * mm,
                cols[i + 1] - cols[i] - 2 * mm,
            )
    _text(
        c,
        sheet.p(
            "本证每满一年签注一次，请于期满前一个月内到居住地社区服务大厅办理；"
            "逾期未签注的，本证使用功能中止，补办签注后恢复。",
            "card_small",
        ),
        left,
        y + 7.5 * mm,
        width,
    )


def render_permit_card(
    data: PermitCardData, target: Target, *, fonts: FontSet | None = None
) -> PrintResult:
    sheet = Sheet(fonts, base=10)
    name = sheet.fonts.name

    sheet.styles.update(
        card=ParagraphStyle("card", fontName=name, fontSize=6.8, leading=8.4, wordWrap="CJK"),
        card_small=ParagraphStyle(
            "card_small", fontName=name, fontSize=5.6, leading=6.8, wordWrap="CJK"
        ),
        card_small_center=ParagraphStyle(
            "card_small_center", fontName=name, fontSize=5.6, leading=6.8, alignment=1
        ),
        card_strong=ParagraphStyle("card_strong", fontName=name, fontSize=7.6, leading=9.2),
        card_title=ParagraphStyle(
            "card_title", fontName=name, fontSize=12, leading=14, alignment=1
        ),
    )
    page_w, page_h = A4

    def build(stream: BinaryIO) -> int:
        c = Canvas(stream, pagesize=A4, initialFontName=name)
        c.setTitle(f"居住证 {data.number}")
        c.setCreator(PDF_CREATOR)
        c.setProducer(PDF_CREATOR)
        x = (page_w - CARD_W) / 2
        front_y = page_h - 40 * mm - CARD_H
        back_y = front_y - 25 * mm - CARD_H
        heading = sheet.p(
            f"居住证制证页　{data.number}　{data.name}　状态：{data.status_label}", "center"
        )
        _text(c, heading, 20 * mm, page_h - 18 * mm, page_w - 40 * mm)
        c.setFont(name, 8)
        c.drawString(x, front_y + CARD_H + 6 * mm, "正面")
        c.drawString(x, back_y + CARD_H + 6 * mm, "背面")
        _front(c, sheet, data, x, front_y)
        _cut_marks(c, x, front_y)
        _back(c, sheet, data, x, back_y)
        _cut_marks(c, x, back_y)
        c.setFont(name, 8)
        c.drawCentredString(
            page_w / 2, back_y - 14 * mm, "沿裁切线裁下正、背两面，对贴后塑封；照片贴于虚线框内。"
        )
        c.showPage()
        c.save()
        return 1

    path, pages = write(target, build)
    return sheet.result(path, pages)
