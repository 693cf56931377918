"""一次性告知单 one-time notification slip (A4): everything needed, marked received or missing.

Printed whenever something is missing, and on demand as a blank checklist for any service.
"""

from __future__ import annotations

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from forms.papers import NoticeData
from printouts.fonts import FontSet
from printouts.layout import PrintResult, Sheet, Target, render_flow
from printouts.refusal import refusal_flow

STATE_LABELS = {"received": "已收 ✓", "missing": "缺少，请补交", "": "□"}
REFUSED_STATE_LABELS = {**STATE_LABELS, "missing": "未提交"}  # nothing is asked of a refusal


def render_notice(data: NoticeData, target: Target, *, fonts: FontSet | None = None) -> PrintResult:
    sheet = Sheet(fonts, base=10.5)
    width = A4[0] - 36 * mm
    missing = [d for d in data.documents if d.state == "missing"]
    kind = "一次性告知单" if data.refusal is None else "不予办理告知书"
    flow: list[Flowable] = [
        sheet.p(f"{data.office.county}易地扶贫搬迁社区服务大厅", "subtitle"),
        sheet.p(" ".join(kind), "title"),
    ]
    head: list[tuple[str, object]] = [
        ("办理事项", f"{data.service_code} {data.service_name}（{data.side_label}）")
    ]
    if data.ticket:
        head.append(("受理编号", data.ticket))
    if data.applicant is not None:
        a = data.applicant
        head += [("申请人", f"{a.name}　{a.masked_id}"), ("住址", a.address)]
    flow.append(sheet.fields(head, (28 * mm, width - 28 * mm)))
    if data.applicant is not None and data.refusal is not None:
        flow.append(
            sheet.p(
                f"您申请办理的“{data.service_name}”，经审查不予办理。现将理由、依据、"
                "办理途径和救济途径一次性告知如下：",
                "body",
            )
        )
        flow += refusal_flow(sheet, data.refusal, data.office.county, head="h", style="body")
    elif data.applicant is not None:
        flow.append(
            sheet.p(
                f"您申请办理的“{data.service_name}”，"
                + (
                    f"尚缺以下{len(missing)}项材料。现一次性告知，请补齐后到{data.where}办理，无须重复排队。"
                    if missing
                    else "材料已齐全。"
                ),
                "body",
            )
        )
    flow += [
        sheet.p("一、办理依据", "h"),
        sheet.p(data.basis, "body"),
        sheet.p("二、办理条件", "h"),
    ]
    flow += sheet.lines(data.conditions, "body", empty="无特别条件（须为本社区安置的搬迁群众）")
    flow.append(sheet.p("三、所需材料", "h"))
    rows: list[list[object]] = [["序号", "材料名称", "份数", "出具单位", "备注", "核对"]]
    states = STATE_LABELS if data.refusal is None else REFUSED_STATE_LABELS
    for i, doc in enumerate(data.documents, 1):
        rows.append(
            [
                str(i),
                doc.name,
                str(doc.copies),
                doc.issuer,
                doc.note,
                states.get(doc.state, doc.state),
            ]
        )
    flow.append(sheet.grid(rows, [10 * mm, 48 * mm, 11 * mm, 34 * mm, width - 131 * mm, 28 * mm]))
    limit = (
        f"{data.time_limit}个工作日（材料齐全之日起算，不含法定节假日）"
        if data.time_limit
        else "材料齐全的，当场办结"
    )
    # A refusal promises no time and sends nobody here: its remedy says where to go instead.
    more: list[tuple[str, str]] = []
    if data.refusal is None:
        more += [("承诺时限", limit), ("办理地点", data.where)]
    if data.fee_yuan:
        more.append(("收费", f"工本费{data.fee_yuan:g}元"))
    for number, (title, text) in zip("四五六", more, strict=False):
        flow += [sheet.p(f"{number}、{title}", "h"), sheet.p(text, "body")]
    flow += [
        sheet.p("咨询电话：" + (data.office.phone or "请向窗口工作人员咨询"), "h"),
        Spacer(1, 4 * mm),
        sheet.signatures(["告知人（经办人）", "被告知人"], width),
        Spacer(1, 3 * mm),
        sheet.p(f"{data.office.counter_label}　{data.printed_on.isoformat()}", "right"),
    ]

    return render_flow(
        sheet, flow, target, title=f"{kind} {data.service_name}", pagesize=A4,
        side=18 * mm, top=16 * mm, bottom=16 * mm,
    )  # fmt: skip
