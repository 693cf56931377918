"""每日台账 daily log for supervisors (A4 landscape): every request of a day or range, totals
by service, decision and officer, and the open, pending-materials and overdue items.

Page numbers read "第 x 页 共 y 页" and the table header repeats on every page, so a busy day
of 500 requests stays readable when printed.
"""

from __future__ import annotations

import dataclasses
import io
from collections import Counter

from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from forms.papers import DailyLogData, LogRow, ranked, totals
from forms.status import Status
from printouts.fonts import FontSet
from printouts.layout import PrintResult, Sheet, Target, render_flow, write

PAGE = landscape(A4)
PENDING = Status.PENDING_MATERIALS  # the request status of the pending section
TAIL_ROWS = 3  # rows of the last table kept with the signatures when they would stand alone


def _period(data: DailyLogData) -> str:
    if data.first_day == data.last_day:
        return data.first_day.isoformat()
    return f"{data.first_day.isoformat()} 至 {data.last_day.isoformat()}"


def _tally(sheet: Sheet, title: str, counter: Counter[str], width: float) -> list[Flowable]:
    rows: list[list[object]] = [[title, "件数"]]
    rows += [[key, str(n)] for key, n in ranked(counter)]
    rows.append(["合计", str(sum(counter.values()))])
    return [sheet.grid(rows, [width - 20 * mm, 20 * mm])]


def _items(sheet: Sheet, rows: list[LogRow], width: float, headed: bool = True) -> Flowable:
    table: list[list[object]] = []
    if headed:
        table.append(["受理编号", "事项", "当事人", "状态", "承诺办结", "经办人"])
    for r in rows:
        promised = r.promised_by.isoformat() if r.promised_by else "—"
        table.append(
            [
                r.ticket,
                r.service,
                f"{r.person} {r.masked_id}",
                r.status + ("（超期）" if r.overdue else ""),
                promised,
                r.officer,
            ]
        )
    widths = [40 * mm, 60 * mm, 62 * mm, 34 * mm, 26 * mm, width - 222 * mm]
    return sheet.grid(table, widths, header_rows=1 if headed else 0)


class _Continued(Flowable):
    """A table's last rows, split off to go with the signatures: headed when they start a page,
    else straight on under the rows above them, so the page shows one table, not a second
    header row in its middle."""

    def __init__(self, headed: Flowable, bare: Flowable) -> None:
        super().__init__()
        self.headed = headed
        self.bare = bare
        self.chosen = headed

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        frame = getattr(self, "_frame", None)  # set by the frame placing it; none when measured
        self.chosen = self.bare if frame is not None and not frame._atTop else self.headed
        self.hAlign = self.chosen.hAlign
        return self.chosen.wrap(availWidth, availHeight)  # type: ignore[no-any-return]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        return []  # a few rows: whole on the next page, where they are headed

    def draw(self) -> None:
        self.chosen.drawOn(self.canv, 0, 0)


class _PageMark(Flowable):
    """Takes no room; records the page it lands on, so the log can see where its end fell."""

    def __init__(self, pages: list[int]) -> None:
        super().__init__()
        self.pages = pages

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.pages.append(int(self.canv._doctemplate.page))  # type: ignore[attr-defined]


def _flow(
    sheet: Sheet, data: DailyLogData, width: float, marks: dict[str, list[int]], tail_rows: int
) -> list[Flowable]:
    """The log's flowables. The last section travels with the signature block; with
    `tail_rows`, its last rows are split off to go with the signatures to the next page."""
    flow: list[Flowable] = [
        sheet.p(f"{data.office.community}服务大厅　办件台账", "title"),
        sheet.p(
            f"期间：{_period(data)}　　共 {len(data.rows)} 件　　打印：{data.printed_at:%Y-%m-%d %H:%M}",
            "subtitle",
        ),
        Spacer(1, 3 * mm),
    ]
    table: list[list[object]] = [
        [
            "序号",
            "受理时间",
            "受理编号",
            "办理事项",
            "当事人",
            "身份证号",
            "办理结论",
            "状态",
            "经办人",
        ]
    ]
    for i, r in enumerate(data.rows, 1):
        at = (
            r.at.strftime("%m-%d %H:%M")
            if data.first_day != data.last_day
            else r.at.strftime("%H:%M")
        )
        table.append(
            [
                str(i),
                at,
                r.ticket,
                r.service,
                r.person,
                r.masked_id,
                r.decision,
                r.status + ("（超期）" if r.overdue else ""),
                r.officer,
            ]
        )
    widths = [12 * mm, 22 * mm, 40 * mm, 58 * mm, 22 * mm, 36 * mm, 26 * mm, 28 * mm]
    widths.append(width - sum(widths))
    flow.append(sheet.grid(table, widths) if data.rows else sheet.p("本期间无办件。", "body"))

    counts = totals(data.rows)
    half = width / 2 - 4 * mm
    flow += [sheet.p("按办理事项统计", "h"), *_tally(sheet, "办理事项", counts["service"], half)]
    flow += [
        sheet.p("按办理结论统计（按办理结果计：受理后又不予办理的，计入不予办理）", "h"),
        *_tally(sheet, "办理结论（结果）", counts["decision"], half),
    ]
    flow += [sheet.p("按经办人统计", "h"), *_tally(sheet, "经办人", counts["officer"], half)]

    overdue = [r for r in data.open_items if r.overdue]
    pending = [r for r in data.open_items if r.status_code == PENDING]
    others = [r for r in data.open_items if not r.overdue and r.status_code != PENDING]
    sections = [
        (f"已超期未办结（{len(overdue)}件）", overdue),
        (f"待补正材料（{len(pending)}件）", pending),
        (f"其他在办（{len(others)}件）", others),
    ]
    for title, rows in sections[:-1]:
        flow.append(sheet.p(title, "h"))
        flow.append(_items(sheet, rows, width) if rows else sheet.p("无", "body"))
    title, rows = sections[-1]
    tail: list[Flowable] = [sheet.p(title, "h")]
    if not rows:
        tail.append(sheet.p("无", "body"))
    elif tail_rows and len(rows) > tail_rows:
        flow += [*tail, _items(sheet, rows[:-tail_rows], width)]
        last = rows[-tail_rows:]
        tail = [_Continued(_items(sheet, last, width), _items(sheet, last, width, headed=False))]
    else:
        tail.append(_items(sheet, rows, width))
    tail += [
        _PageMark(marks["content"]),
        Spacer(1, 6 * mm),
        sheet.signatures(["制表人", "负责人审核"], width),
        _PageMark(marks["signed"]),
    ]
    flow.append(KeepTogether(tail))
    return flow


def render_daily_log(
    data: DailyLogData, target: Target, *, fonts: FontSet | None = None
) -> PrintResult:
    """Laid out once; if the signature block still ended up alone on the last page (a long
    last table split just before it), laid out again with that table's last rows kept with
    the signatures."""
    for tail_rows in (0, TAIL_ROWS):
        sheet = Sheet(fonts, base=9)
        marks: dict[str, list[int]] = {"content": [], "signed": []}
        flow = _flow(sheet, data, PAGE[0] - 24 * mm, marks, tail_rows)
        buffer = io.BytesIO()
        result = render_flow(
            sheet, flow, buffer, title=f"办件台账 {_period(data)}", pagesize=PAGE,
            side=12 * mm, top=12 * mm, bottom=16 * mm, footer=data.office.counter_label,
        )  # fmt: skip
        if marks["content"] == marks["signed"]:
            break
    path, _ = write(target, lambda stream: stream.write(buffer.getvalue()))
    return dataclasses.replace(result, path=path)
