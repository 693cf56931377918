"""受理回执 acceptance receipt: 80 mm roll (the page grows with its content) or A4."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer

from forms.papers import ReceiptData
from printouts.fonts import FontSet
from printouts.layout import PrintResult, Sheet, Target, render_flow
from printouts.qrcode import QrCode
from printouts.refusal import refusal_flow

ROLL_WIDTH = 80 * mm
ROLL_MARGIN = 4 * mm
SIZES = ("80mm", "a4")


def promised_text(data: ReceiptData) -> str:
    if data.refusal is not None:
        return "不予办理，无承诺办结日期"
    if data.promised_by is None:
        return (
            "材料补齐后起算（"
            + (f"{data.time_limit}个工作日" if data.time_limit else "当场办结")
            + "）"
        )
    if data.time_limit == 0:
        return f"{data.promised_by.isoformat()}（当场办结）"
    return f"{data.promised_by.isoformat()}（{data.time_limit}个工作日）"


def _flowables(sheet: Sheet, data: ReceiptData, width: float, qr_size: float) -> list[Flowable]:
    a = data.applicant
    label_w = 22 * mm if width < 100 * mm else 32 * mm
    rows: list[tuple[str, object]] = [
        ("受理编号", data.ticket),
        ("办理事项", f"{data.service_code} {data.service_name}"),
        ("申请人", a.name),
        ("身份证号", a.masked_id),
        ("住址", a.address),
        ("联系电话", a.phone or "—"),
        ("受理窗口", data.office.counter_label),
        ("经办人", data.officer),
        ("受理时间", data.received_at.strftime("%Y-%m-%d %H:%M")),
        ("办理状态", data.status_label),
        *([("承办单位", data.handled_by)] if data.handled_by else []),
        ("承诺办结", promised_text(data)),
    ]
    flow: list[Flowable] = [
        sheet.p(f"{data.office.county}易地扶贫搬迁社区服务大厅", "subtitle"),
        sheet.p("受 理 回 执", "title"),
        sheet.fields(rows, (label_w, width - label_w)),
        HRFlowable(width="100%", thickness=0.5, spaceBefore=1.5 * mm, spaceAfter=1 * mm),
    ]
    if data.refusal is not None:
        flow += refusal_flow(sheet, data.refusal, data.office.county)
        flow.append(
            HRFlowable(width="100%", thickness=0.5, spaceBefore=1.5 * mm, spaceAfter=1 * mm)
        )
    flow += [sheet.p("已收材料：", "body"), *sheet.lines(data.received, "cell")]
    if data.missing and data.refusal is None:
        flow += [
            sheet.p("待补正材料（已一次性告知）：", "body"),
            *sheet.lines(data.missing, "cell"),
        ]
    flow += [
        HRFlowable(width="100%", thickness=0.5, spaceBefore=1.5 * mm, spaceAfter=1 * mm),
        sheet.p(
            f"查询进度：凭受理编号到{data.office.counter_label}查询"
            + (f"，或致电 {data.office.phone}" if data.office.phone else "")
            + "。",
            "cell",
        ),
    ]
    code_label = f"验证码（第{data.receipt_version}版）" if data.receipt_version else "验证码"
    code_table = sheet.table(
        [
            [
                QrCode(data.verify_code, qr_size),
                [sheet.p(code_label, "cell"), sheet.p(data.verify_code, "body")],
            ]
        ],
        [qr_size + 2 * mm, width - qr_size - 2 * mm],
        [("VALIGN", (0, 0), (-1, -1), "MIDDLE")],
    )
    flow += [
        code_table,
        sheet.p("工作人员可用 ziyang-counter verify 验证码 核验本回执。", "small"),
        Spacer(1, 2 * mm),
        sheet.p("申请人签字：______________", "body"),
        Spacer(1, 3 * mm),
        sheet.p("经办人签字：______________", "body"),
    ]
    return flow


def render_receipt(
    data: ReceiptData, target: Target, *, size: str = "80mm", fonts: FontSet | None = None
) -> PrintResult:
    if size not in SIZES:
        raise ValueError(f"size must be one of {SIZES}")
    if size == "a4":
        sheet = Sheet(fonts, base=11)
        width = A4[0] - 40 * mm
        flow = _flowables(sheet, data, width, 30 * mm)
        pagesize, margin = A4, 20 * mm
    else:
        sheet = Sheet(fonts, base=8.5)
        width = ROLL_WIDTH - 2 * ROLL_MARGIN
        flow = _flowables(sheet, data, width, 22 * mm)
        # The roll page is as long as its content: measure every flowable first.
        height = sum(
            f.wrap(width, 10_000)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in flow
        )
        pagesize, margin = (ROLL_WIDTH, height + 2 * ROLL_MARGIN + 6 * mm), ROLL_MARGIN
        flow = _flowables(sheet, data, width, 22 * mm)  # fresh flowables for the real build

    return render_flow(
        sheet, flow, target, title=f"受理回执 {data.ticket}", pagesize=pagesize, side=margin,
        top=margin, bottom=margin, numbered=False, author=data.office.counter_label,
    )  # fmt: skip
