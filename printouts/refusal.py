"""The refusal block shared by the receipt and the notice: 不予办理须说明理由和救济途径 —
every reason with its basis, what would make the request possible, and how to appeal."""

from __future__ import annotations

from reportlab.platypus import Flowable

from forms.papers import Refusal
from printouts.layout import Sheet


def appeal_text(county: str) -> str:
    """救济途径: administrative reconsideration within 60 days (行政复议法 Art. 20) or a
    lawsuit within six months (行政诉讼法 Art. 46)."""
    return (
        f"如对本不予办理决定不服，可以自收到本决定之日起六十日内向{county}人民政府申请行政复议，"
        "或者自知道该决定之日起六个月内依法向人民法院提起行政诉讼。"
    )


def refusal_flow(
    sheet: Sheet, refusal: Refusal, county: str, *, head: str = "body", style: str = "cell"
) -> list[Flowable]:
    when = f"（{refusal.on.isoformat()}）" if refusal.on else ""
    flow: list[Flowable] = [sheet.p(f"不予办理理由及依据{when}：", head)]
    lines = [r.text + (f"（依据：{r.basis}）" if r.basis else "") for r in refusal.reasons]
    flow += sheet.lines(lines, style, empty="（未记录理由，请向窗口负责人询问）")
    if refusal.remedy:
        flow += [sheet.p("办理途径：", head), sheet.p(refusal.remedy, style)]
    flow += [sheet.p("救济途径：", head), sheet.p(appeal_text(county), style)]
    return flow
