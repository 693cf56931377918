"""Tests written from the mutation run over db/receipts.py: what a receipt version records, which
request it belongs to, and every part of what `verify` answers. SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import peewee
import pytest

from db import migrations, receipt_keys
from db import requests as ops
from db.models import ReceiptIssue, Request, SchemaVersion, Setting
from db.receipts import issue_receipt, latest_issue, print_receipt_version, state_of
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.errors import CounterError
from forms.verify import receipt_code
from tests.conftest import TODAY, IdMaker
from tests.unit.test_receipts_and_backup import open_permit_request, resident

__all__ = ["resident"]  # the fixture, used by name below


@pytest.fixture
def second(database: peewee.Database, make_id: IdMaker) -> str:
    import datetime as dt

    from db.people import add_household, add_person
    from tests.conftest import HOME

    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=dt.date(2019, 5, 1), today=TODAY
    )
    id_number = make_id(dt.date(1985, 6, 2), "女")
    add_person(
        household_number=household.number, id_number=id_number, name="李秀兰",
        relation="户主", today=TODAY,
    )  # fmt: skip
    return id_number


def fresh(request: Request) -> Request:
    return Request.get_by_id(request.id)


def test_a_version_records_its_issuer_and_never_the_full_id(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    request = open_permit_request(catalogue, desk, resident)  # documents missing: no date yet
    issue = print_receipt_version(request, desk)
    assert issue.staff_id == desk.staff_id and issue.counter_code == desk.counter_code  # type: ignore[attr-defined]
    assert issue.scheme == receipt_keys.SIGNING
    assert "id_number" not in issue.covered and resident not in str(issue.covered)
    assert issue.covered["promised_by"] == "" and state_of(request)["promised_by"] == ""
    # Without a desk (a tool, a migration): no one recorded, no counter.
    nobody = issue_receipt(fresh(request), None, issue.printed_at)
    assert nobody.id == issue.id  # the same state: the same version
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    anonymous = issue_receipt(fresh(request), None, issue.printed_at)
    assert anonymous.version == 2
    assert (anonymous.staff_id, anonymous.counter_code) == (None, "")  # type: ignore[attr-defined]
    ops.refuse(request.ticket, desk, TODAY, "材料与事实不符")
    printed = print_receipt_version(fresh(request), desk)  # a new state printed at the desk
    assert printed.version == 3 and printed.staff_id == desk.staff_id  # type: ignore[attr-defined]


def test_each_request_keeps_its_own_versions_and_code(
    resident: str, second: str, catalogue: Catalogue, desk: Desk
) -> None:
    first = open_permit_request(catalogue, desk, resident, provided=["all"])
    other = open_permit_request(catalogue, desk, second, provided=["all"])
    mine = print_receipt_version(first, desk)
    theirs = print_receipt_version(other, desk)
    assert latest_issue(fresh(first)).id == mine.id  # type: ignore[union-attr]
    assert latest_issue(fresh(other)).id == theirs.id  # type: ignore[union-attr]
    assert theirs.request_id == other.id and theirs.version == 1
    assert fresh(first).verify_code == mine.code and fresh(other).verify_code == theirs.code
    assert mine.code != theirs.code
    again = print_receipt_version(fresh(first), desk)  # state unchanged: the same paper
    assert again.id == mine.id
    ops.refuse(first.ticket, desk, TODAY, "材料与事实不符")
    held = fresh(first)
    changed = issue_receipt(held, desk, mine.printed_at)
    assert changed.version == mine.version + 1
    assert held.verify_code == changed.code == fresh(first).verify_code  # the object in hand too
    assert fresh(other).verify_code == theirs.code


def test_verify_answers_every_part(resident: str, catalogue: Catalogue, desk: Desk) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    code = print_receipt_version(request, desk).code
    found: Any = ops.verify(code.lower().replace("-", " "))
    assert found["code"] == code and found["valid"]
    assert found["counter"] == request.counter_code and found["counter"]
    assert found["status"] == request.status and found["status_label"] == "已受理"
    assert found["receipt"]["status_label"] == "已受理"
    assert not found["changed_since_printing"] and not found["superseded"]
    ops.refuse(request.ticket, desk, TODAY, "材料与事实不符")
    later: Any = ops.verify(code)
    assert later["changed_since_printing"] and later["status"] == "refused"
    assert later["current"]["status_label"] == "不予办理"


def test_claims_are_each_checked_past_one_not_known(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    code = print_receipt_version(request, desk).code
    claimed = {"officer": "张敏", "ticket": request.ticket + "9"}  # an unknown claim first
    found: Any = ops.verify(code, claimed)
    assert found["mismatch"] == ["ticket"] and not found["valid"]


def test_a_malformed_code_is_refused_in_both_languages(database: peewee.Database) -> None:
    with pytest.raises(CounterError) as raised:
        ops.verify("ABC-12")
    assert raised.value.zh == "验证码格式不正确（应为12位，如 ABCD-EFGH-JKLM）：ABC-12"
    assert raised.value.en.startswith("malformed verification code") and "ABC-12" in raised.value.en


def test_a_code_under_a_missing_key_says_where_the_key_is(
    resident: str, catalogue: Catalogue, desk: Desk, tmp_path: Any, monkeypatch: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    code = print_receipt_version(request, desk).code
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", str(tmp_path / "other" / "keys.json"))
    receipt_keys.load()  # a machine with its own, other key
    with pytest.raises(CounterError) as raised:
        ops.verify(code)
    assert raised.value.zh.endswith(
        "无法核验：请从签发大厅复制密钥文件（receipt-key import）或到签发窗口核验"
    )


def test_a_row_under_an_unknown_key_does_not_hide_the_genuine_one(
    resident: str, second: str, catalogue: Catalogue, desk: Desk
) -> None:
    """A row copied in with a key this machine lacks, placed before the genuine issue of the
    same code: verify passes over it to the genuine one."""
    from db.receipts import _content
    from forms.verify import signed_code

    request = open_permit_request(catalogue, desk, resident)  # version 1: documents missing
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    changed = fresh(request)
    key = receipt_keys.signing_key()
    code = signed_code(key.material(), _content(changed, state_of(changed), 2, key.id))
    other = open_permit_request(catalogue, desk, second, provided=["all"])
    forged = ReceiptIssue.create(
        request=other.id, version=99, covered={"version": 99, "key_id": "ZZZZ"}, key_id="ZZZZ",
        scheme=receipt_keys.SIGNING, code=code, printed_at=request.opened_at, staff=None,
        counter_code="",
    )  # fmt: skip
    genuine = print_receipt_version(changed, desk)  # version 2, after the forged row
    assert genuine.code == code and genuine.version == 2 and genuine.id > forged.id
    found: Any = ops.verify(code)
    assert found is not None and found["ticket"] == request.ticket and found["valid"]


@pytest.fixture
def legacy_code(database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk) -> Any:
    """A receipt of the first scheme (before m0005): its code covers ticket, ID, service and
    opening time only."""
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    database.drop_tables([ReceiptIssue])
    SchemaVersion.delete().where(SchemaVersion.name == "m0005_receipt_keys").execute()
    secret = "7c" * 32
    Setting.create(key="secret", value=secret)
    code = receipt_code(
        secret, request.ticket, resident, "P01", request.opened_at.isoformat(sep=" ")
    )
    Request.update(verify_code=code).where(Request.id == request.id).execute()
    assert migrations.upgrade(database) == ["m0005_receipt_keys"]
    return code, request


def test_a_legacy_receipt_checks_only_its_ticket(legacy_code: Any) -> None:
    code, request = legacy_code
    # Date and status were never covered: nothing to hold them against, in any order.
    found: Any = ops.verify(code, {"status": "已办结", "promised_by": "2030-01-01"})
    assert found["valid"] and found["mismatch"] == []
    wrong: Any = ops.verify(code, {"promised_by": "2030-01-01", "ticket": "SXSQ01-2026-999999"})
    assert wrong["mismatch"] == ["ticket"] and not wrong["valid"]
    right: Any = ops.verify(code, {"ticket": request.ticket.lower()})
    assert right["valid"]
