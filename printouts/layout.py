"""What every printout shares: styles in the CJK font, paragraphs that flag missing glyphs,
signature lines, page numbers "第 x 页 共 y 页", and the result handed back to the caller."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib import textsplit as rl_textsplit
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus import paragraph as rl_paragraph

from forms.text import neutralise
from printouts.fonts import FontSet, load_fonts

PDF_CREATOR = "ziyang-counter"  # creator and producer of every PDF we write: --out checks it

Target = str | Path | BinaryIO
GRID_PADDING = 2  # points left and right of the text in a ruled table's cell
GRID_PADDING_V = 1.5  # and above and below it
PAGED_FROM = 60  # body rows from which a ruled table is laid out a page at a time

# Chinese closing punctuation that must never begin a line (避头点, GB/T 15834 and the W3C
# clreq kinsoku rules). reportlab's CJK wrapping knows the Japanese set, which lacks the
# full-width comma, semicolon, colon, question and exclamation marks and closing quotes:
# teach it ours, so "，" hangs at the end of the line instead of starting the next one.
CLOSING_PUNCTUATION = "，；：！？。、”’》〉」』】〕）｝．…"


def _teach_kinsoku() -> None:
    """Both splitters read the module-level set at each line break: textsplit's for a
    paragraph in one font, paragraph's cjkFragSplit for one mixing in a fallback font."""
    for module in (rl_textsplit, rl_paragraph):
        known = module.ALL_CANNOT_START
        module.ALL_CANNOT_START = known + "".join(c for c in CLOSING_PUNCTUATION if c not in known)


_teach_kinsoku()


@dataclass
class PrintResult:
    """A written PDF: where, how many pages, and anything the officer must know first."""

    path: str | None
    pages: int
    warnings: list[str] = field(default_factory=list)
    missing_glyphs: list[str] = field(default_factory=list)


class Sheet:
    """Builds flowables in the document's fonts and remembers every character none can draw."""

    def __init__(self, fonts: FontSet | None = None, base: float = 10.5) -> None:
        self.fonts = fonts or load_fonts()
        self.missing: dict[str, None] = {}
        name = self.fonts.name
        self.styles = {
            "title": ParagraphStyle("title", fontName=name, fontSize=base + 6, leading=(base + 6) * 1.35, alignment=1, spaceAfter=2 * mm),
            "subtitle": ParagraphStyle("subtitle", fontName=name, fontSize=base, leading=base * 1.4, alignment=1, textColor=colors.HexColor("#333333")),
            "h": ParagraphStyle("h", fontName=name, fontSize=base + 1.5, leading=(base + 1.5) * 1.4, spaceBefore=2.5 * mm, spaceAfter=1 * mm),
            "body": ParagraphStyle("body", fontName=name, fontSize=base, leading=base * 1.45, wordWrap="CJK"),
            "small": ParagraphStyle("small", fontName=name, fontSize=base - 2, leading=(base - 2) * 1.4, wordWrap="CJK"),
            "cell": ParagraphStyle("cell", fontName=name, fontSize=base - 1, leading=(base - 1) * 1.3, wordWrap="CJK"),
            "center": ParagraphStyle("center", fontName=name, fontSize=base, leading=base * 1.4, alignment=1),
            "right": ParagraphStyle("right", fontName=name, fontSize=base, leading=base * 1.4, alignment=2),
        }  # fmt: skip

    def p(self, text: object, style: str = "body") -> Paragraph:
        value = neutralise(text)  # stored text: control and bidi characters made visible
        for char in self.fonts.missing([value]):
            self.missing[char] = None
        return Paragraph(self.fonts.markup(value), self.styles[style])

    def lines(self, items: list[str], style: str = "body", empty: str = "无") -> list[Paragraph]:
        if not items:
            return [self.p(empty, style)]
        return [self.p(f"{i}. {item}", style) for i, item in enumerate(items, 1)]

    def table(
        self,
        rows: list[list[Any]],
        widths: list[float],
        commands: list[tuple[Any, ...]],
        **kwargs: Any,
    ) -> Table:
        """A table in our font: reportlab would otherwise reference an unembedded Helvetica."""
        table = Table(rows, colWidths=widths, **kwargs)
        table.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), self.fonts.name), *commands]))
        return table

    def fields(self, rows: list[tuple[str, object]], widths: tuple[float, float]) -> Table:
        """Label / value pairs in two columns."""
        return self.table(
            [[self.p(label, "cell"), self.p(value, "cell")] for label, value in rows],
            list(widths),
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 1),
                ("RIGHTPADDING", (0, 0), (-1, -1), 1),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ],
        )

    def cell(self, text: object, width: float, style: str = "cell") -> str | Paragraph:
        """A table cell: the plain text itself when a paragraph would draw it the same way (one
        line that fits, every character in the main font, nothing a paragraph would collapse),
        else a paragraph that wraps and falls back. A plain cell costs a string; a paragraph
        is parsed, wrapped and measured again at every page split (5,000 rows: 45,000 cells)."""
        value = neutralise(text)
        look = self.styles[style]
        primary = self.fonts.primary
        if (
            value
            and value == " ".join(value.split())
            and all(c == " " or primary.has(c) for c in value)
            and stringWidth(value, look.fontName, look.fontSize) <= width
        ):
            return value
        return self.p(text, style)

    def grid(
        self,
        rows: list[list[object]],
        widths: list[float],
        header_rows: int = 1,
        style: str = "cell",
    ) -> Flowable:
        """A ruled table whose header repeats on every page. Plain-text cells are drawn in the
        style's font, size and leading, exactly where its one-line paragraph would be. A long
        table is laid out a page at a time (`PagedGrid`), the way reportlab would split it."""
        room = [w - 2 * GRID_PADDING for w in widths]
        data = [
            [
                c if isinstance(c, Flowable) else self.cell(c, w, style)
                for c, w in zip(row, room, strict=True)
            ]
            for row in rows
        ]
        look = self.styles[style]
        commands: list[tuple[Any, ...]] = [
            ("FONTSIZE", (0, 0), (-1, -1), look.fontSize),
            ("LEADING", (0, 0), (-1, -1), look.leading),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), GRID_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), GRID_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), GRID_PADDING_V),
            ("BOTTOMPADDING", (0, 0), (-1, -1), GRID_PADDING_V),
        ]
        if header_rows:  # rows continuing a table above them have none
            commands.append(
                ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#e8e8e8"))
            )

        def make(body: list[list[Any]]) -> Table:
            return self.table(data[:header_rows] + body, widths, commands, repeatRows=header_rows)

        if len(data) - header_rows <= PAGED_FROM:
            return make(data[header_rows:])
        heights = [_row_height(row, room, look.leading) for row in data]
        return PagedGrid(
            make, data[header_rows:], sum(heights[:header_rows]), heights[header_rows:]
        )

    def signatures(self, labels: list[str], width: float) -> Table:
        cells = [self.p(f"{label}：____________", "body") for label in labels]
        return self.table(
            [cells], [width / len(labels)] * len(labels), [("TOPPADDING", (0, 0), (-1, -1), 4 * mm)]
        )

    def result(self, path: str | None, pages: int) -> PrintResult:
        warnings = list(self.fonts.warnings)
        missing = list(self.missing)
        if missing:
            codes = "、".join(f"{c}(U+{ord(c):04X})" for c in missing)
            warnings.append(
                f"以下生僻字没有可用字体，已在纸面标为 [U+编码]，请手写补正或安装含该字的字体（ZIYANG_FONTS）：{codes}"
                " / characters without a font are tagged [U+code] on paper"
            )
        return PrintResult(path=path, pages=pages, warnings=warnings, missing_glyphs=missing)


def _row_height(row: list[Any], room: list[float], leading: float) -> float:
    """A row's height as reportlab's Table works it out: its tallest cell, paddings included."""
    tallest = 0.0
    for value, width in zip(row, room, strict=True):
        if isinstance(value, Flowable):
            height = value.wrap(width, 1e9)[1] + value.getSpaceBefore() + value.getSpaceAfter()
        else:
            height = leading * (str(value).count("\n") + 1)
        tallest = max(tallest, height)
    return tallest + 2 * GRID_PADDING_V


class PagedGrid(Flowable):
    """A long ruled table, laid out a page at a time: each page gets a Table of the header and
    the rows that fit, and the rest waits for the next page.

    reportlab splits one long Table by building a new Table of all the remaining rows at every
    page (styles and heights again, so 5,000 rows over 170 pages cost minutes of work in all);
    here every Table holds one page. The pages look the same: the same header, rules, cells and
    row breaks. Row heights are measured once; each page's Table is checked against the room
    it is given, so a page never overflows."""

    def __init__(
        self,
        make: Any,
        body: list[list[Any]],
        header_height: float,
        heights: list[float],
    ) -> None:
        super().__init__()
        self._make = make
        self._body = body
        self._header_height = header_height
        self._heights = heights
        self._whole: Table | None = None

    def _fitting(self, avail: float) -> int:
        """How many rows fit under the header in `avail` points (by the measured heights)."""
        used = self._header_height
        for count, height in enumerate(self._heights):
            used += height
            if used > avail:
                return count
        return len(self._heights)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if self._fitting(availHeight) == len(self._body):
            self._whole = self._make(self._body)
            self.hAlign = self._whole.hAlign  # placed by the frame as the Table would be
            return self._whole.wrap(availWidth, availHeight)  # type: ignore[no-any-return]
        self._whole = None
        self.width = availWidth
        self.height = self._header_height + sum(self._heights)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        count = self._fitting(availHeight)
        while count > 0:
            page = self._make(self._body[:count])
            if page.wrap(availWidth, availHeight)[1] <= availHeight:
                rest = PagedGrid(
                    self._make, self._body[count:], self._header_height, self._heights[count:]
                )
                return [page, rest]
            count -= 1  # measured a little short: one row fewer
        return []  # not even one row here: the frame moves on to the next page

    def draw(self) -> None:
        assert self._whole is not None, "drawn without fitting"
        self._whole.drawOn(self.canv, 0, 0)


def font_canvas(font: str) -> type[pdfcanvas.Canvas]:
    """A canvas whose initial font is ours, so no unembedded Helvetica is ever referenced."""

    class FontCanvas(pdfcanvas.Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            if not kwargs.get("initialFontName"):  # doc templates pass None explicitly
                kwargs["initialFontName"] = font
            super().__init__(*args, **kwargs)

    return FontCanvas


def numbered_canvas(font: str, size: float = 8, *, footer: str = "") -> type[pdfcanvas.Canvas]:
    """A canvas that writes "第 x 页 共 y 页" once the page count is known."""

    class NumberedCanvas(font_canvas(font)):  # type: ignore[misc]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for number, state in enumerate(self._pages, 1):
                self.__dict__.update(state)
                width, _ = self._pagesize
                self.setFont(font, size)
                self.drawCentredString(width / 2, 8 * mm, f"第 {number} 页 共 {total} 页")
                if footer:
                    self.drawRightString(width - 12 * mm, 8 * mm, footer)
                super().showPage()
            super().save()

    return NumberedCanvas


def open_target(target: Target) -> tuple[BinaryIO, str | None, bool]:
    """A binary stream for the PDF, its path if it is a file, and whether we must close it."""
    if isinstance(target, str | Path):
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        return open(path, "wb"), str(path), True
    return target, None, False


def write(target: Target, build: Any) -> tuple[str | None, int]:
    """Run `build(stream)` into a buffer, then write it out whole (never half a file)."""
    buffer = io.BytesIO()
    pages = build(buffer)
    stream, path, close = open_target(target)
    try:
        stream.write(buffer.getvalue())
    finally:
        if close:
            stream.close()
    return path, pages


def render_flow(
    sheet: Sheet,
    flow: list[Flowable],
    target: Target,
    *,
    title: str,
    pagesize: tuple[float, float],
    side: float,
    top: float,
    bottom: float,
    numbered: bool = True,
    footer: str = "",
    author: str = "",
) -> PrintResult:
    """Lay `flow` out on pages, write the PDF whole, and report what the officer must know."""

    def build(stream: BinaryIO) -> int:
        doc = SimpleDocTemplate(
            stream, pagesize=pagesize, leftMargin=side, rightMargin=side, topMargin=top,
            bottomMargin=bottom, title=title, author=author, creator=PDF_CREATOR,
            producer=PDF_CREATOR,
        )  # fmt: skip
        if numbered:
            maker = numbered_canvas(sheet.fonts.name, footer=footer)
        else:
            maker = font_canvas(sheet.fonts.name)
        doc.build(flow, canvasmaker=maker)
        return int(doc.page)

    path, pages = write(target, build)
    return sheet.result(path, pages)
