"""转办单 transfer slip (A4): from this counter to the move-out village or a county department,
with a tear-off return stub to sign and bring back."""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, HRFlowable, Spacer

from forms.papers import TransferData
from printouts.fonts import FontSet
from printouts.layout import PrintResult, Sheet, Target, render_flow


def render_transfer(
    data: TransferData, target: Target, *, fonts: FontSet | None = None
) -> PrintResult:
    sheet = Sheet(fonts, base=10.5)
    width = A4[0] - 36 * mm
    a = data.applicant
    deadline = data.deadline.isoformat() if data.deadline else "—"
    receiver = "迁出村" if data.kind == "village" else "部门"
    flow: list[Flowable] = [
        sheet.p(f"{data.office.county}易地扶贫搬迁社区服务大厅", "subtitle"),
        sheet.p("转 办 单", "title"),
        sheet.p(f"编号：{data.ticket}", "right"),
        sheet.fields(
            [
                ("转出窗口", data.office.counter_label),
                (f"接收{receiver}", data.to),
                ("办理事项", f"{data.service_code} {data.service_name}"),
                ("当事人", f"{a.name}　{a.masked_id}"),
                ("现住址", a.address),
                ("联系电话", a.phone or "—"),
                ("转办日期", data.issued_on.isoformat()),
                ("办理时限", f"请于 {deadline} 前办结并退回回执联"),
            ],
            (32 * mm, width - 32 * mm),
        ),
        sheet.p("转办事由", "h"),
        *sheet.lines(data.reasons, "body"),
        sheet.p("随单移交材料", "h"),
        *sheet.lines(data.handed_over, "body", empty="无（当事人自带材料前往办理）"),
    ]
    if data.to_bring:
        flow += [
            sheet.p("尚需当事人提交的材料（已一次性告知）", "h"),
            *sheet.lines(data.to_bring, "body"),
        ]
    flow += [
        sheet.p(
            "依据“1126”机制“两项清单定责”，请接收单位按清单职责办理，不得要求群众往返迁入地、迁出地重复跑。",
            "small",
        ),
        Spacer(1, 3 * mm),
        sheet.signatures(["转出经办人", f"首问责任人 {data.officer}"], width),
        Spacer(1, 8 * mm),
        sheet.p(
            "- - - - - - - - - - - - - - - - 沿此线剪下 - - - - - - - - - - - - - - - -", "center"
        ),
        HRFlowable(width="100%", thickness=0.6, dash=[3, 3], spaceBefore=1 * mm, spaceAfter=3 * mm),
        sheet.p("转办回执联（由接收单位填写后交回）", "h"),
        sheet.fields(
            [
                ("转办编号", data.ticket),
                ("办理事项", data.service_name),
                ("当事人", f"{a.name}　{a.masked_id}"),
                ("接收单位", data.to),
                ("交回至", data.office.counter_label),
                ("交回期限", deadline),
                ("办理结果", "□ 已办结　□ 不予办理（原因：____________________）　□ 其他"),
            ],
            (32 * mm, width - 32 * mm),
        ),
        Spacer(1, 2 * mm),
        sheet.signatures(["接收人签字", "单位（盖章）", "日期"], width),
    ]

    return render_flow(
        sheet, flow, target, title=f"转办单 {data.ticket}", pagesize=A4,
        side=18 * mm, top=14 * mm, bottom=16 * mm,
    )  # fmt: skip
