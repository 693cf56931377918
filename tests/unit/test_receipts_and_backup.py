"""Issue 8, items 6-8: receipt codes signed outside the database, backup and restore, and SQLite
under several processes. Every database test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import peewee
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db import db, migrations, receipt_keys
from db import requests as ops
from db.models import ReceiptIssue, Request, SchemaVersion, Setting
from db.people import add_household, add_person
from db.receipts import print_receipt_version
from db.setup import Desk
from forms.catalogue import Catalogue
from forms.verify import covered_content, receipt_code, signed_code
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date


def js(result: Any) -> dict[str, Any]:
    return json.loads(result.stdout)


@pytest.fixture
def resident(database: peewee.Database, make_id: IdMaker) -> str:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    id_number = make_id(D(1980, 3, 12), "男")
    add_person(
        household_number=household.number,
        id_number=id_number,
        name="王德明",
        relation="户主",
        today=TODAY,
    )
    return id_number


def open_permit_request(catalogue: Catalogue, desk: Desk, id_number: str, **kw: Any) -> Request:
    return ops.open_request(
        id_number=id_number, service="P01", catalogue=catalogue, desk=desk, today=TODAY, **kw
    )


# ── 6. receipt codes ──


def test_a_forged_code_is_refused(
    resident: str, catalogue: Catalogue, desk: Desk, tmp_path: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    real = print_receipt_version(request, desk)
    assert ops.verify(real.code)["valid"]  # type: ignore[index]
    # A made-up code, and a code made for the same content with a key that is not the hall's.
    assert ops.verify("AAAA-BBBB-CCCC") is None
    content = dict(real.covered, id_number=resident)
    other_key = bytes.fromhex(receipt_keys.new_key().secret)
    assert ops.verify(signed_code(other_key, content)) is None
    # The old scheme keyed by a secret an attacker read from an old copy of the database.
    forged = receipt_code("read-from-a-copy", request.ticket, resident, "P01", "x")
    assert ops.verify(forged) is None


def test_a_receipt_with_an_altered_promised_date_is_refused(
    resident: str, catalogue: Catalogue, desk: Desk, cli: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    issue = print_receipt_version(request, desk)
    promised = request.promised_by.isoformat()
    later = (request.promised_by + dt.timedelta(days=30)).isoformat()
    ok = ops.verify(issue.code, {"promised_by": promised, "ticket": request.ticket})
    assert ok is not None and ok["valid"] and ok["mismatch"] == []
    altered = ops.verify(issue.code, {"promised_by": later})
    assert altered is not None and altered["valid"] is False
    assert altered["mismatch"] == ["promised_by"]
    # The code is not the code of the altered paper: the key holder would have printed another.
    key = receipt_keys.load().get(issue.key_id)
    assert key is not None
    content = dict(issue.covered, id_number=resident)
    assert signed_code(key.material(), content) == issue.code
    assert signed_code(key.material(), dict(content, promised_by=later)) != issue.code
    # The CLI refuses it in one line with a non-zero exit.
    refused = cli("verify", issue.code, "--promised-by", later, ok=False)
    assert refused.exit_code == 1 and "不符" in refused.stdout and "承诺办结日期" in refused.stdout
    fine = cli("verify", issue.code, "--promised-by", promised, "--json")
    assert js(fine)["valid"] and js(fine)["receipt"]["version"] == 1


def test_each_printing_that_changes_the_state_is_a_version(
    resident: str, catalogue: Catalogue, desk: Desk, cli: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    first = print_receipt_version(request, desk)
    assert first.version == 1 and first.covered["status"] == "pending_materials"
    assert print_receipt_version(request, desk).code == first.code  # a reprint: same paper
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    second = print_receipt_version(Request.get_by_id(request.id), desk)
    assert second.version == 2 and second.code != first.code
    assert second.covered["status"] == "accepted" and second.covered["promised_by"]
    assert ReceiptIssue.select().where(ReceiptIssue.request == request.id).count() == 2

    old = ops.verify(first.code)
    assert old is not None and old["valid"] and old["superseded"] and old["latest_version"] == 2
    assert old["receipt"]["status"] == "pending_materials"
    assert old["current"]["status"] == "accepted" and old["current"]["promised_by"]
    new = ops.verify(second.code)
    assert new is not None and not new["superseded"] and not new["changed_since_printing"]
    shown = cli("verify", first.code).stdout
    assert "第1版" in shown and "已被第2版取代" in shown and "当前状态：已受理" in shown


def test_print_receipt_shows_the_version_it_records(
    resident: str, catalogue: Catalogue, desk: Desk, cli: Any, tmp_path: Any
) -> None:
    from pypdf import PdfReader

    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    out = tmp_path / "r.pdf"
    cli("print", "receipt", request.ticket, "--out", str(out))
    text = "".join(page.extract_text() for page in PdfReader(str(out)).pages)
    code = Request.get_by_id(request.id).verify_code
    assert "验证码（第2版）" in text and code in text
    assert js(cli("verify", code, "--json"))["receipt"]["version"] == 2


CONTENT = st.fixed_dictionaries(
    {
        "ticket": st.from_regex(r"[A-Z]{4}0[1-9]-20[0-9]{2}-[0-9]{6}", fullmatch=True),
        "id_number": st.from_regex(r"[0-9]{17}[0-9X]", fullmatch=True),
        "service_code": st.sampled_from(["P01", "P02", "H01", "W05"]),
        "opened_at": st.datetimes().map(lambda d: d.replace(microsecond=0).isoformat(sep=" ")),
        "status": st.sampled_from(["pending_materials", "accepted", "completed", "refused"]),
        "promised_by": st.one_of(st.just(""), st.dates().map(dt.date.isoformat)),
        "documents_received": st.lists(st.text(min_size=1, max_size=8), max_size=4),
        "documents_missing": st.lists(st.text(min_size=1, max_size=8), max_size=4),
        "version": st.integers(min_value=1, max_value=50),
        "key_id": st.from_regex(r"R[A-Z2-7]{7}", fullmatch=True),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    content=CONTENT,
    key=st.binary(min_size=32, max_size=32),
    other=st.binary(min_size=32, max_size=32),
    data=st.data(),
)
def test_the_code_changes_with_the_key_and_every_covered_field(
    content: dict[str, Any], key: bytes, other: bytes, data: st.DataObject
) -> None:
    code = signed_code(key, covered_content(**content))
    assert code == signed_code(key, dict(content))  # deterministic, canonical
    if other != key:
        assert signed_code(other, content) != code
    name = data.draw(st.sampled_from(sorted(content)))
    changed = data.draw(CONTENT.map(lambda c: c[name]).filter(lambda v: v != content[name]))
    assert signed_code(key, dict(content, **{name: changed})) != code


def test_rotation_keeps_old_codes_valid(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk, cli: Any
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    before = print_receipt_version(request, desk)
    rotated = js(cli("receipt-key", "rotate", "--json"))
    db.initialize(database)  # the CLI run left the proxy unbound, as a fresh process would
    assert rotated["previous"] == before.key_id and rotated["current"] != before.key_id
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    after = print_receipt_version(Request.get_by_id(request.id), desk)
    assert after.key_id == rotated["current"]
    old = ops.verify(before.code)
    assert old is not None and old["valid"] and old["receipt"]["key_id"] == before.key_id
    shown = js(cli("receipt-key", "show", "--json"))
    assert {k["id"] for k in shown["keys"]} >= {before.key_id, after.key_id}
    assert [k["id"] for k in shown["keys"] if k["signs"]] == [after.key_id]
    assert "secret" not in json.dumps(shown)


def test_a_row_edited_in_the_database_no_longer_verifies(
    resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    issue = print_receipt_version(request, desk)
    later = (request.promised_by + dt.timedelta(days=30)).isoformat()
    ReceiptIssue.update(covered=dict(issue.covered, promised_by=later)).where(
        ReceiptIssue.id == issue.id
    ).execute()
    assert ops.verify(issue.code) is None


def all_text(database: peewee.Database) -> list[str]:
    """Every value of every text column of every table, as stored."""
    values: list[str] = []
    for table in database.get_tables():
        for column in database.get_columns(table):
            kind = column.data_type.lower()
            if not any(word in kind for word in ("char", "text", "json")):
                continue
            query = f'SELECT "{column.name}" FROM "{table}"'
            values += [str(row[0]) for row in database.execute_sql(query) if row[0] is not None]
    return values


def test_the_key_is_not_in_the_database(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    request = open_permit_request(catalogue, desk, resident, provided=["居民身份证"])
    print_receipt_version(request, desk)
    ops.supplement(request.ticket, ["all"], desk, TODAY)
    print_receipt_version(Request.get_by_id(request.id), desk)
    secrets = [key.secret for key in receipt_keys.load().keys.values()]
    assert secrets
    stored = all_text(database)
    assert len(stored) > 50  # the search did read the tables
    for secret in secrets:
        assert not [value for value in stored if secret.lower() in value.lower()]
    assert Setting.get_or_none(Setting.key == "secret") is None


def test_m0005_moves_the_old_secret_out_and_old_codes_still_verify(
    database: peewee.Database, resident: str, catalogue: Catalogue, desk: Desk
) -> None:
    # A database as it was before m0005: the secret in settings, codes on the requests.
    request = open_permit_request(catalogue, desk, resident, provided=["all"])
    database.drop_tables([ReceiptIssue])
    SchemaVersion.delete().where(SchemaVersion.name == "m0005_receipt_keys").execute()
    old_secret = "9f" * 32
    Setting.create(key="secret", value=old_secret)
    old_code = receipt_code(
        old_secret, request.ticket, resident, "P01", request.opened_at.isoformat(sep=" ")
    )
    Request.update(verify_code=old_code).where(Request.id == request.id).execute()

    assert migrations.upgrade(database) == ["m0005_receipt_keys"]
    assert Setting.get_or_none(Setting.key == "secret") is None
    legacy = receipt_keys.load().get(receipt_keys.key_id_for(old_secret, receipt_keys.LEGACY))
    assert legacy is not None and legacy.scheme == receipt_keys.LEGACY
    found = ops.verify(old_code)
    assert found is not None and found["valid"] and found["receipt"]["scheme"] == "legacy"
    assert found["receipt"]["version"] == 1 and found["changed_since_printing"]
    # Reprinting makes version 2 under the current key; the legacy paper says it is superseded.
    again = print_receipt_version(Request.get_by_id(request.id), desk)
    assert again.version == 2 and again.scheme == receipt_keys.SIGNING
    old = ops.verify(old_code)
    assert old is not None and old["superseded"]
    assert not [v for v in all_text(database) if old_secret in v]
