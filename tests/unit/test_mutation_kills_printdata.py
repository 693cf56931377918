"""db/printdata.py: what each paper is given, field by field. Written against the surviving
mutants of a mutmut run over db/printdata.py (README, 变异测试): the printout tests read the PDFs
back for their wording, so a field swapped, emptied or taken from the wrong row could pass them.
Here the plain data is compared whole, for a resident of one household with a permit endorsed
once on time and once late, and requests referred to the move-out village, forwarded to a county
department, waiting for documents, and refused after acceptance.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import peewee
import pytest

from db import clock as db_clock
from db import permits as permit_ops
from db import requests as ops
from db.models import Request
from db.people import add_household, add_person
from db.printdata import (
    daily_log_data,
    notice_for_request,
    notice_for_service,
    output_dir,
    permit_card_data,
    receipt_data,
    refusal_of,
    transfer_data,
)
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.citizen_id import mask_id
from forms.errors import CounterError
from forms.papers import Applicant, DocumentLine, EndorsementLine, Office, ReasonLine, Refusal
from tests.conftest import HOME, SUPERVISOR, TODAY, IdMaker

D = dt.date
DAY = D(2026, 11, 20)
OFFICE = Office(
    community=HOME, counter_label="蒿坪镇双星社区服务大厅1号窗口", phone="", county="紫阳县"
)


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


@pytest.fixture
def world(
    database: peewee.Database, desk: Desk, catalogue: Catalogue, make_id: IdMaker
) -> dict[str, Any]:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY,
        building="3", unit="2", room="501", phone="13912345678",
    )  # fmt: skip
    head = make_id(D(1970, 3, 12), "男")
    add_person(
        household_number=household.number, id_number=head, name="王德明", relation="户主",
        today=TODAY,
    )  # fmt: skip
    permit: dict[str, Any] = {"id_number": head, "catalogue": catalogue, "desk": desk}
    with db_clock.clock(at(D(2024, 10, 1), 9)):
        issued = permit_ops.issue_permit(**permit, today=D(2024, 10, 1))
    with db_clock.clock(at(D(2025, 9, 10), 9)):
        permit_ops.endorse_permit(**permit, today=D(2025, 9, 10))
    with db_clock.clock(at(D(2026, 11, 10), 9)):
        late = permit_ops.endorse_permit(**permit, today=D(2026, 11, 10))

    def request(service: str, moment: dt.datetime, provided: list[str]) -> str:
        with db_clock.clock(moment):
            return ops.open_request(
                id_number=head, service=service, catalogue=catalogue, desk=desk,
                today=moment.date(), provided=provided,
            ).ticket  # fmt: skip

    tickets = {
        "village": request("土地承包经营", at(DAY, 9), ["居民身份证"]),
        "department": request("城乡低保申请", at(DAY, 10), ["居民身份证", "居住证"]),
        "waiting": request("医疗保险参保", at(DAY, 11), ["居民身份证"]),
        "refused": request("职业介绍", at(DAY, 12), ["all"]),
        # entered last, recorded earliest: the log follows the recorded time, not the id
        "early": request("文体活动报名", at(DAY, 8), ["all"]),
    }
    with db_clock.clock(at(DAY, 15)):
        ops.refuse(tickets["refused"], desk, DAY, "经核实不符合条件")
    return {"head": head, "tickets": tickets, "permit": issued.number, "valid": late.valid_until}


APPLICANT = Applicant(
    name="王德明", masked_id="", address="蒿坪镇双星社区3栋2单元501室", phone="13912345678"
)


def applicant(world: dict[str, Any]) -> Applicant:
    return Applicant(**{**APPLICANT.__dict__, "masked_id": mask_id(world["head"])})


def test_a_slip_to_the_move_out_village(world: dict[str, Any], desk: Desk) -> None:
    slip = transfer_data(world["tickets"]["village"], desk, TODAY)
    assert slip.office == OFFICE
    assert (slip.ticket, slip.to, slip.kind) == (
        world["tickets"]["village"],
        "洞河镇麻园村",
        "village",
    )
    assert (slip.service_code, slip.service_name) == ("V01", "土地承包经营")
    assert slip.applicant == applicant(world)
    # the side rule's reason, not the one-time notice of the documents (those are listed)
    assert slip.reasons == [
        "“土地承包经营”属迁出村责任清单，由迁出村洞河镇麻园村办理；搬迁群众在迁出地的权益不变，"
        "不受居住证状态影响，本窗口开具转办单"
    ]
    assert slip.handed_over == ["居民身份证"]
    assert slip.to_bring == ["户口簿", "农村土地承包经营权证"]
    assert slip.deadline == D(2026, 12, 4)
    assert (slip.officer, slip.issued_on) == (SUPERVISOR[1], TODAY)


def test_a_slip_to_a_county_department(world: dict[str, Any], desk: Desk) -> None:
    slip = transfer_data(world["tickets"]["department"], desk, TODAY)
    assert (slip.to, slip.kind, slip.service_code) == ("紫阳县民政局", "department", "F01")
    assert slip.handed_over == ["居民身份证", "居住证"]
    assert slip.to_bring == ["户口簿", "家庭收入及财产状况申报表", "家庭经济状况核对授权书"]
    assert slip.deadline is None  # documents missing: the time limit starts when complete


@pytest.mark.parametrize("which", ["waiting", "refused", "early"])
def test_no_slip_for_what_this_counter_handles(
    world: dict[str, Any], desk: Desk, which: str
) -> None:
    ticket = world["tickets"][which]
    with pytest.raises(CounterError) as caught:
        transfer_data(ticket, desk, TODAY)
    assert (
        caught.value.zh.startswith(f"{ticket}（") and "不是转办事项，无需转办单" in caught.value.zh
    )


def test_the_notice_of_a_request_marks_each_document(
    world: dict[str, Any], desk: Desk, catalogue: Catalogue
) -> None:
    ticket = world["tickets"]["waiting"]
    notice = notice_for_request(ticket, catalogue, desk, TODAY)
    assert (notice.ticket, notice.service_code, notice.service_name) == (
        ticket,
        "H01",
        "医疗保险参保",
    )
    assert notice.documents == [
        DocumentLine("居民身份证", 1, "公安机关", "未满16周岁的可提供户口簿", "received"),
        DocumentLine("居住证", 1, "紫阳县公安局", "", "missing"),
        DocumentLine("户口簿", 1, "公安机关", "", "missing"),
    ]
    assert (notice.time_limit, notice.where) == (0, "蒿坪镇双星社区服务大厅1号窗口")
    assert notice.applicant == applicant(world) and notice.refusal is None
    village = notice_for_request(world["tickets"]["village"], catalogue, desk, TODAY)
    assert village.where == "迁出村洞河镇麻园村村民委员会（凭本窗口转办单办理）"
    assert village.time_limit == 10
    forwarded = notice_for_request(world["tickets"]["department"], catalogue, desk, TODAY)
    assert forwarded.where == "蒿坪镇双星社区服务大厅1号窗口（代收后转紫阳县民政局办理）"


def test_the_permit_card_whole(world: dict[str, Any], catalogue: Catalogue, desk: Desk) -> None:
    card = permit_card_data(world["head"], catalogue, TODAY)
    assert (card.number, card.name, card.sex, card.ethnicity) == (
        world["permit"], "王德明", "男", "汉族",
    )  # fmt: skip
    assert (card.birth_date, card.id_number) == (D(1970, 3, 12), world["head"])
    assert card.residence_address == "蒿坪镇双星社区3栋2单元501室"
    assert card.hukou_address == "陕西省安康市紫阳县洞河镇麻园村"
    assert (card.issued_on, card.valid_until) == (D(2024, 10, 1), world["valid"])
    assert card.authority == catalogue.permit_authority and card.status_label == "有效"
    assert card.endorsements == [
        EndorsementLine(D(2025, 9, 10), D(2026, 9, 30), ""),
        EndorsementLine(D(2026, 11, 10), world["valid"], "逾期签注"),
    ]
    assert card.replaces == ""
    new = permit_ops.replace_permit(
        id_number=world["head"], reason="lost", catalogue=catalogue, desk=desk, today=TODAY
    )
    replacement = permit_card_data(world["head"], catalogue, TODAY)
    assert (replacement.number, replacement.replaces) == (new.number, world["permit"])
    assert replacement.endorsements == []


def test_the_daily_log_rows_whole(world: dict[str, Any], desk: Desk) -> None:
    log = daily_log_data(DAY, DAY, desk, TODAY)
    tickets = world["tickets"]
    order = ["early", "village", "department", "waiting", "refused"]
    assert [row.ticket for row in log.rows] == [tickets[name] for name in order]
    rows = {row.ticket: row for row in log.rows}
    refused = rows[tickets["refused"]]
    assert (refused.at, refused.service, refused.person) == (at(DAY, 12), "职业介绍", "王德明")
    assert (refused.masked_id, refused.officer) == (mask_id(world["head"]), SUPERVISOR[1])
    # opened as this counter's work, refused later: it counts as 不予办理
    assert (refused.decision, refused.outcome) == ("本窗口办理", "不予办理")
    assert (refused.status, refused.status_code) == ("不予办理", "refused")
    village = rows[tickets["village"]]
    assert (village.decision, village.outcome) == ("转迁出村办理", "转迁出村办理")
    assert (village.status, village.status_code) == ("已转迁出村", "referred")
    assert village.promised_by == D(2026, 12, 4) and village.overdue is False
    assert not any(row.backdated for row in log.rows)
    later = daily_log_data(DAY, DAY, desk, D(2026, 12, 5))
    assert {row.ticket: row.overdue for row in later.rows}[tickets["village"]] is True
    # still open at the end of the day: all but the refusal, in the same order
    assert [row.ticket for row in log.open_items] == [
        tickets[name] for name in order if name != "refused"
    ]


def test_papers_go_to_the_data_folder_unless_told(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ZIYANG_OUTPUT", raising=False)
    monkeypatch.setenv("ZIYANG_DATA", str(tmp_path / "data"))
    assert output_dir() == str(tmp_path / "data" / "printouts")
    monkeypatch.setenv("ZIYANG_OUTPUT", str(tmp_path / "out"))
    assert output_dir() == str(tmp_path / "out")


def test_a_receipt_reprinted_at_another_counter_names_the_one_that_accepted(
    world: dict[str, Any], desk: Desk
) -> None:
    ticket = world["tickets"]["village"]
    elsewhere = dataclasses.replace(desk, counter_no=3)
    receipt = receipt_data(ticket, elsewhere)
    request = Request.get(Request.ticket == ticket)
    assert receipt.office == OFFICE  # counter 1 took it, whoever prints it again
    assert (receipt.ticket, receipt.service_code, receipt.service_name) == (
        ticket, "V01", "土地承包经营",
    )  # fmt: skip
    assert receipt.applicant == applicant(world) and receipt.officer == SUPERVISOR[1]
    assert (receipt.received_at, receipt.status_label) == (at(DAY, 9), "已转迁出村")
    assert (receipt.promised_by, receipt.time_limit) == (D(2026, 12, 4), 10)
    assert (receipt.received, receipt.missing) == (
        ["居民身份证"],
        ["户口簿", "农村土地承包经营权证"],
    )
    assert (receipt.handled_by, receipt.refusal, receipt.receipt_version) == (
        "洞河镇麻园村",
        None,
        1,
    )
    assert receipt.verify_code and request.promised_by == receipt.promised_by
    waiting = receipt_data(world["tickets"]["waiting"], desk)
    assert (waiting.handled_by, waiting.status_label) == ("蒿坪镇双星社区服务大厅", "待补正")


def test_a_refused_receipt_promises_no_date_and_gives_the_reasons(
    world: dict[str, Any], desk: Desk, catalogue: Catalogue
) -> None:
    refused = receipt_data(world["tickets"]["refused"], desk)
    assert refused.promised_by is None and refused.status_label == "不予办理"
    basis = catalogue.find("职业介绍").basis
    assert refused.refusal == Refusal([ReasonLine("经核实不符合条件", basis)], remedy="", on=DAY)


def test_refusal_reasons_from_rows_written_before_the_flag(world: dict[str, Any]) -> None:
    """Old rows have no `refusing` flag: a refusal at opening gives every reason but the
    documents notice; one after acceptance gives its step's note."""
    ticket = world["tickets"]["department"]
    request = Request.get(Request.ticket == ticket)
    reasons = [
        {"rule": "SIDE-FORWARD", "text": "代收转办", "basis": "清单"},
        {"rule": "PERMIT-LAPSED", "text": "居住证使用功能中止", "basis": "第十条"},
        {"rule": "MATERIALS-MISSING", "text": "须补正：户口簿", "basis": "一次性告知"},
    ]
    Request.update(
        status="refused", decision="refuse", reasons=reasons, remedy="请先签注", closed_on=DAY
    ).where(Request.id == request.id).execute()
    old = refusal_of(Request.get_by_id(request.id))
    assert old == Refusal(
        reasons=[ReasonLine("代收转办", "清单"), ReasonLine("居住证使用功能中止", "第十条")],
        remedy="请先签注",
        on=DAY,
    )
    flagged = [{**reasons[1], "refusing": True}, *reasons[::2]]
    Request.update(reasons=flagged).where(Request.id == request.id).execute()
    assert refusal_of(Request.get_by_id(request.id)).reasons == [  # type: ignore[union-attr]
        ReasonLine("居住证使用功能中止", "第十条")
    ]
    Request.update(reasons=reasons[2:], remedy="须补正：户口簿").where(
        Request.id == request.id
    ).execute()
    # only the documents notice, and the remedy repeats a reason: nothing to print twice
    assert refusal_of(Request.get_by_id(request.id)) == Refusal(
        reasons=[], remedy="须补正：户口簿", on=DAY
    )
    later = Request.get(Request.ticket == world["tickets"]["refused"])
    Request.update(reasons=[r for r in later.reasons if not r.get("refusing")]).where(
        Request.id == later.id
    ).execute()
    assert refusal_of(Request.get_by_id(later.id)).reasons == [  # type: ignore[union-attr]
        ReasonLine("经核实不符合条件")
    ]
    assert refusal_of(Request.get(Request.ticket == world["tickets"]["waiting"])) is None


@pytest.mark.parametrize(
    ("service", "side", "where"),
    [
        ("医疗保险参保", "本窗口办理", "蒿坪镇双星社区服务大厅1号窗口"),
        ("城乡低保申请", "代收转办", "蒿坪镇双星社区服务大厅1号窗口（代收后转紫阳县民政局办理）"),
        ("土地承包经营", "转迁出村办理", "迁出村村民委员会（凭本窗口转办单办理）"),
    ],
)
def test_a_blank_checklist_says_the_whole_service(
    database: peewee.Database, desk: Desk, catalogue: Catalogue, service: str, side: str, where: str
) -> None:
    found = catalogue.find(service)
    notice = notice_for_service(found, desk, TODAY)
    assert notice.office == OFFICE
    assert (notice.service_code, notice.service_name, notice.side_label) == (
        found.code, service, side,
    )  # fmt: skip
    assert notice.basis == found.basis and notice.basis.startswith("两项清单")
    assert notice.conditions == found.conditions.describe()
    assert notice.documents == [
        DocumentLine(d.name, d.copies, d.issuer, d.note) for d in found.documents
    ]
    assert notice.documents[0].copies == 1 and notice.documents[0].issuer == "公安机关"
    assert (notice.time_limit, notice.where, notice.fee_yuan) == (found.time_limit, where, 0.0)
    assert (notice.ticket, notice.applicant, notice.refusal) == ("", None, None)
    assert notice.printed_on == TODAY


def test_the_office_names_its_county_and_a_back_dated_entry_is_marked(
    world: dict[str, Any], desk: Desk, catalogue: Catalogue
) -> None:
    from db.setup import set_setting

    set_setting("county_short", "汉阴县")
    slip = transfer_data(world["tickets"]["village"], desk, TODAY)
    assert slip.office.county == "汉阴县"
    with db_clock.clock(at(DAY, 16)):  # entered on the 20th for the 19th
        late = ops.open_request(
            id_number=world["head"], service="创业指导", catalogue=catalogue, desk=desk,
            today=DAY - dt.timedelta(days=1), provided=["all"],
        ).ticket  # fmt: skip
    rows = {
        row.ticket: row for row in daily_log_data(DAY - dt.timedelta(days=1), DAY, desk, TODAY).rows
    }
    assert rows[late].backdated is True
    assert rows[world["tickets"]["village"]].backdated is False
