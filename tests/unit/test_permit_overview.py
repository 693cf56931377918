"""What the desk's permit screen reads (db/permits.permit_overview) says exactly what the permit
operations then do; the log's tallies and the catalogue's errors have one definition each."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import peewee
import pytest

from db import permits as permit_ops
from db.people import add_household, add_person
from db.setup import Desk
from forms.catalogue import CatalogueError, load_catalogue, parse_catalogue
from forms.papers import LogRow, ranked, totals
from forms.permits import EVENT_LABELS, PermitEventKind, endorsement_opens
from tests.conftest import HOME, TODAY, IdMaker, refused

D = dt.date


@pytest.fixture
def head(database: peewee.Database, make_id: IdMaker) -> str:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    number = make_id(D(1970, 3, 12), "男")
    add_person(
        household_number=household.number, id_number=number, name="王德明", relation="户主",
        today=TODAY,
    )  # fmt: skip
    return number


def test_overview_matches_what_each_operation_does(head: str, desk: Desk) -> None:
    catalogue = load_catalogue()
    ops: dict[str, Any] = {"id_number": head, "catalogue": catalogue, "desk": desk}

    def overview(day: dt.date = TODAY) -> dict[str, Any]:
        return permit_ops.permit_overview(head, catalogue, HOME, day)

    first = overview()
    assert first["permit"] is None and first["earlier"] == [] and first["request"] is None
    actions = first["actions"]
    assert isinstance(actions, dict)
    assert actions["issue"]["refused"] is None
    for action, operation in (
        ("endorse", permit_ops.endorse_permit),
        ("replace", permit_ops.replace_permit),
    ):
        kwargs = {**ops, "today": TODAY} | ({"reason": "lost"} if action == "replace" else {})
        assert actions[action]["refused"] in refused(operation, **kwargs).zh
    assert (
        actions["revoke"]["refused"]
        == refused(permit_ops.revoke_permit, id_number=head, reason="x", desk=desk, today=TODAY).zh
    )
    assert first["person"]["id_number"].count("*") == 8

    issued = permit_ops.issue_permit(**ops, today=TODAY)
    after = overview()
    permit = after["permit"]
    assert isinstance(permit, dict) and permit["number"] == issued.number
    assert after["request"]["service_name"] == "居住证申领"
    assert after["replacement_fee"] == catalogue.permit_service("replace").fee_yuan == 20
    actions = after["actions"]
    assert "请办理“居住证补换领”" in actions["issue"]["refused"]
    early = actions["endorse"]["refused"]
    assert f"请于{endorsement_opens(issued.valid_until).isoformat()}起办理签注" in early
    assert early in refused(permit_ops.endorse_permit, **ops, today=TODAY).zh
    assert actions["replace"]["refused"] is None and actions["revoke"]["refused"] is None
    assert actions["unrevoke"]["refused"] == "当事人居住证有效，没有可撤销的注销"

    permit_ops.revoke_permit(id_number=head, reason="迁回原籍", desk=desk, today=TODAY)
    assert overview()["actions"]["unrevoke"]["refused"] is None
    tomorrow = TODAY + dt.timedelta(days=1)
    late = overview(tomorrow)["actions"]["unrevoke"]["refused"]
    assert (
        late
        == refused(
            permit_ops.unrevoke_permit, id_number=head, reason="x", desk=desk, today=tomorrow
        ).zh
    )

    again = permit_ops.issue_permit(**ops, today=TODAY)  # a new permit after a revocation
    latest = overview()
    assert latest["permit"]["number"] == again.number
    assert [p["number"] for p in latest["earlier"]] == [issued.number]


def test_replacement_records_the_catalogue_fee(head: str, desk: Desk) -> None:
    source = Path(load_catalogue().source).read_text(encoding="utf-8")
    raw = source.replace("fee_yuan = 20", "fee_yuan = 12.5")
    catalogue = parse_catalogue(tomllib.loads(raw))
    assert permit_ops.replacement_fee(catalogue) == 12.5
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    new = permit_ops.replace_permit(
        id_number=head, reason="damaged", catalogue=catalogue, desk=desk, today=TODAY
    )
    assert float(new.fee_yuan) == 12.5
    assert "收取工本费12.5元" in new.events.first().note


def test_every_permit_event_kind_has_a_chinese_label() -> None:
    assert set(EVENT_LABELS) == set(PermitEventKind)
    assert EVENT_LABELS["unrevoked"] == "撤销注销"


def test_catalogue_error_keeps_every_problem_past_the_message() -> None:
    services = [{"name": f"事项{i}", "code": f"X{i}"} for i in range(6)]  # each misses fields
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue({"service": services})
    problems = caught.value.problems
    assert len(problems) > 8 and f"有{len(problems)}处错误" in caught.value.zh
    assert f"另有{len(problems) - 8}处" in caught.value.zh
    assert problems[-1] not in caught.value.zh  # only the list holds them all
    assert any(p.startswith("service[5]（事项5）.side") for p in problems)


def test_catalogue_syntax_error_is_one_problem_with_its_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "catalogue.toml"
    broken.write_text('[meta]\ntitle = "x\n', encoding="utf-8")
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(broken)
    (problem,) = caught.value.problems
    assert "line 2" in problem and str(broken) in problem


def row(service: str, outcome: str, officer: str) -> LogRow:
    return LogRow(
        at=dt.datetime(2026, 11, 27, 9), ticket="T", service=service, person="甲",
        masked_id="x", decision=outcome, status="已受理", officer=officer,
        status_code="accepted", outcome=outcome,
    )  # fmt: skip


def test_totals_and_their_order() -> None:
    rows = [
        row("乙", "本窗口办理", "张敏"),
        row("甲", "不予办理", "张敏"),
        row("乙", "代收转办", "刘洋"),
    ]
    counts = totals(rows)
    assert counts["service"] == Counter({"乙": 2, "甲": 1})
    assert counts["officer"] == Counter({"张敏": 2, "刘洋": 1})
    assert ranked(counts["service"]) == [("乙", 2), ("甲", 1)]
    assert ranked(Counter({"b": 1, "a": 1, "c": 2})) == [("c", 2), ("a", 1), ("b", 1)]


def test_overview_request_is_the_newest_that_finished_the_permit(head: str, desk: Desk) -> None:
    """Issued, then endorsed: both requests finished the same permit; the screen's receipt is
    the endorsement's (killed the mutant that dropped the newest-first order)."""
    catalogue = load_catalogue()
    issued_on = D(2025, 12, 1)
    issued = permit_ops.issue_permit(
        id_number=head, catalogue=catalogue, desk=desk, today=issued_on
    )
    day = endorsement_opens(issued.valid_until)
    permit_ops.endorse_permit(id_number=head, catalogue=catalogue, desk=desk, today=day)
    overview = permit_ops.permit_overview(head, catalogue, HOME, day)
    assert overview["permit"]["number"] == issued.number
    assert overview["request"]["service_name"] == "居住证签注"
    assert overview["request"]["opened_on"] == day.isoformat()
