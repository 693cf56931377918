"""forms/summary.py and forms/papers.py: the words of a back-dated entry and the daily log's
tallies. Written against the surviving mutants of a mutmut run over those files (README,
变异测试): each test here fails under at least one of them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from forms.papers import LogRow, totals
from forms.summary import backdated_mark


def test_a_request_back_dated_shows_the_day_it_was_opened_for() -> None:
    # a request's entry carries opened_on; an event carries on, which wins when both are there
    assert backdated_mark({"backdated": True, "opened_on": "2026-11-20"}) == (
        "（补录，业务日期2026-11-20）"
    )
    assert backdated_mark({"backdated": True, "on": "2026-11-21", "opened_on": "2026-11-20"}) == (
        "（补录，业务日期2026-11-21）"
    )
    assert backdated_mark({"backdated": False, "opened_on": "2026-11-20"}) == ""


def log_row(service: str, outcome: str, officer: str, status: str) -> LogRow:
    return LogRow(
        at=dt.datetime(2026, 11, 27, 9, 0),
        ticket="T",
        service=service,
        person="周某",
        masked_id="610924********0013",
        decision="受理",
        status=status,
        officer=officer,
        status_code="accepted",
        outcome=outcome,
    )


def test_totals_count_each_tally() -> None:
    rows = [
        log_row("居住证申领", "受理", "王", "已受理"),
        log_row("居住证申领", "不予办理", "王", "不予办理"),
        log_row("就业培训", "受理", "李", "已受理"),
    ]
    assert totals(rows) == {
        "service": Counter({"居住证申领": 2, "就业培训": 1}),
        "decision": Counter({"受理": 2, "不予办理": 1}),
        "officer": Counter({"王": 2, "李": 1}),
        "status": Counter({"已受理": 2, "不予办理": 1}),
    }
