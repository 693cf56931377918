"""The receipt code as properties: it depends on the key and on every field it covers, a row
changed behind the program's back fails `verify`, and `init` never changes the key. The pure
properties below are of the legacy code (receipts made before the key file); those of today's
code are in test_receipts_and_backup.py.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import peewee
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from db import permits as permit_ops
from db import receipt_keys
from db import requests as ops
from db.models import Person, Request, Setting
from db.people import add_household, add_person
from db.setup import Desk, init_counter
from forms.catalogue import Catalogue
from forms.citizen_id import make_citizen_id
from forms.errors import CounterError
from forms.verify import CODE_LENGTH, normalise_code, receipt_code
from tests.conftest import HOME, IdMaker

D = dt.date
TODAY = D(2026, 11, 27)
CODE = re.compile(r"^[A-Z2-7]{4}-[A-Z2-7]{4}-[A-Z2-7]{4}$")

secrets_ = st.text(min_size=1, max_size=64)
tickets = st.from_regex(r"SXSQ0[1-9]-20[2-3][0-9]-[0-9]{6}", fullmatch=True)
ids = st.builds(
    lambda birth, serial: make_citizen_id("610924", birth, serial),
    st.dates(min_value=D(1900, 1, 1), max_value=TODAY),
    st.integers(0, 999),
)
services = st.from_regex(r"[A-Z][0-9]{2}", fullmatch=True)
stamps = st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2035, 1, 1)).map(
    lambda t: t.replace(microsecond=0).isoformat(sep=" ")
)
FIELDS = ("secret", "ticket", "id_number", "service_code", "opened_at")


@st.composite
def receipts(draw: st.DrawFn) -> dict[str, str]:
    return {
        "secret": draw(secrets_),
        "ticket": draw(tickets),
        "id_number": draw(ids),
        "service_code": draw(services),
        "opened_at": draw(stamps),
    }


STRATEGY = {
    "secret": secrets_,
    "ticket": tickets,
    "id_number": ids,
    "service_code": services,
    "opened_at": stamps,
}


@given(receipts())
def test_the_code_is_well_formed_and_repeatable(fields: dict[str, str]) -> None:
    code = receipt_code(**fields)
    assert CODE.match(code), code
    assert len(code.replace("-", "")) == CODE_LENGTH
    assert receipt_code(**fields) == code
    assert normalise_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize("field", FIELDS)
@given(data=st.data(), fields=receipts())
def test_the_code_changes_with_each_covered_field(
    field: str, data: st.DataObject, fields: dict[str, str]
) -> None:
    other = data.draw(STRATEGY[field], label=field)
    assume(other != fields[field])
    changed = {**fields, field: other}
    assert receipt_code(**changed) != receipt_code(**fields)


@given(receipts())
def test_fields_cannot_be_shifted_across_the_separator(fields: dict[str, str]) -> None:
    # "A|B" + "C" must not equal "A" + "B|C": moving text between fields changes the code.
    moved = {
        **fields,
        "ticket": fields["ticket"] + fields["id_number"][:1],
        "id_number": fields["id_number"][1:],
    }
    assert receipt_code(**moved) != receipt_code(**fields)


def test_the_code_is_an_hmac_of_the_secret_not_a_plain_hash() -> None:
    # Known answer: HMAC-SHA256(key, "T|ID|S|AT"), base32, first 12 letters. Computed once from
    # the standard library, so a code made without the secret (or with another digest) fails.
    import base64
    import hashlib
    import hmac

    fields = ("SXSQ01-2026-000123", "610924195803120310", "H06", "2026-11-27 09:30:00")
    digest = hmac.new(b"k3y", "|".join(fields).encode(), hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode()[:12]
    expected = f"{letters[:4]}-{letters[4:8]}-{letters[8:]}"
    assert receipt_code("k3y", *fields) == expected
    plain = base64.b32encode(hashlib.sha256("|".join(fields).encode()).digest()).decode()[:12]
    assert expected.replace("-", "") != plain
    assert receipt_code("", *fields) != expected


# ── verify on a real database, both engines ──


@pytest.fixture
def issued(
    database: peewee.Database, make_id: IdMaker, catalogue: Catalogue, desk: Desk
) -> Request:
    """A receipt issued here: an accepted 医疗保险参保 request of a resident with a permit."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    number = make_id(D(1970, 6, 1), "男")
    add_person(
        household_number=household.number,
        id_number=number,
        name="王德明",
        relation="户主",
        today=TODAY,
    )
    permit_ops.issue_permit(id_number=number, catalogue=catalogue, desk=desk, today=D(2026, 5, 6))
    return ops.open_request(
        id_number=number,
        service="医疗保险参保",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )


def _raw(database: peewee.Database, sql: str, *params: object) -> None:
    """Change a row behind the program's back, as someone with database access could."""
    if isinstance(database, peewee.PostgresqlDatabase):
        sql = sql.replace("?", "%s")
    with database.atomic():
        database.execute_sql(sql, params)


def test_an_untouched_receipt_verifies(issued: Request) -> None:
    found = ops.verify(issued.verify_code)
    assert found is not None and found["ticket"] == issued.ticket and found["valid"] is True
    assert ops.verify(issued.verify_code.lower().replace("-", "")) == found


@pytest.mark.parametrize(
    ("column", "value"),
    [
        pytest.param("ticket", "SXSQ01-2026-999999", id="ticket"),
        pytest.param("service_code", "H99", id="service"),
        pytest.param("opened_at", dt.datetime(2026, 11, 27, 7, 0, 1), id="opened_at"),
    ],
)
def test_a_request_row_changed_with_raw_sql_fails_verify(
    database: peewee.Database, issued: Request, column: str, value: object
) -> None:
    code = issued.verify_code
    assert ops.verify(code) is not None
    _raw(database, f'UPDATE "request" SET "{column}" = ? WHERE "id" = ?', value, issued.id)
    assert Request.get_by_id(issued.id).verify_code == code  # the stored code is untouched
    assert ops.verify(code) is None


def test_the_persons_id_number_changed_with_raw_sql_fails_verify(
    database: peewee.Database, issued: Request
) -> None:
    code = issued.verify_code
    other = make_citizen_id("610924", D(1970, 6, 2), 31)
    _raw(database, 'UPDATE "person" SET "id_number" = ? WHERE "id" = ?', other, issued.person_id)  # type: ignore[attr-defined]
    assert Person.get_by_id(issued.person_id).id_number == other  # type: ignore[attr-defined]
    assert ops.verify(code) is None


def test_a_code_copied_onto_another_row_fails_verify(
    database: peewee.Database, issued: Request, catalogue: Catalogue, desk: Desk
) -> None:
    second = ops.open_request(
        id_number=issued.person.id_number,
        service="养老保险权益查询",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    stolen = issued.verify_code
    assert ops.verify(stolen) is not None
    # Hang the first receipt's recorded issue on the second request: its code covered the
    # first request's content, so recomputed over the second it does not match.
    _raw(database, 'DELETE FROM "receipt_issue" WHERE "request_id" = ?', second.id)
    _raw(
        database, 'UPDATE "receipt_issue" SET "request_id" = ? WHERE "code" = ?', second.id, stolen
    )
    assert ops.verify(stolen) is None


def test_a_code_made_with_another_secret_is_not_accepted(
    database: peewee.Database, issued: Request
) -> None:
    forged = receipt_code(
        "another installation",
        issued.ticket,
        issued.person.id_number,
        issued.service_code,
        issued.opened_at.isoformat(sep=" "),
    )
    _raw(database, 'UPDATE "request" SET "verify_code" = ? WHERE "id" = ?', forged, issued.id)
    assert ops.verify(forged) is None


def test_the_key_is_what_the_code_depends_on(
    database: peewee.Database, issued: Request, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    """The same database checked with another hall's key file: the code no longer verifies
    (the key never was in the database, so nobody with only the database can make codes)."""
    import os

    code = issued.verify_code
    assert ops.verify(code) is not None
    own = os.environ["ZIYANG_RECEIPT_KEYS"]
    os.environ["ZIYANG_RECEIPT_KEYS"] = str(tmp_path / "other-hall.json")
    try:
        assert receipt_keys.ensure()[1]  # a key file of its own, with a different key
        with pytest.raises(CounterError, match="本机的回执密钥文件"):
            ops.verify(code)
    finally:
        os.environ["ZIYANG_RECEIPT_KEYS"] = own
    assert ops.verify(code) is not None


def test_init_again_keeps_the_key_and_old_receipts_verify(issued: Request) -> None:
    key = receipt_keys.load().current
    assert key
    init_counter()
    init_counter(HOME, 1)
    assert receipt_keys.load().current == key
    assert Setting.select().where(Setting.key == "secret").count() == 0  # not in the database
    assert ops.verify(issued.verify_code) is not None


def test_init_again_through_the_cli_keeps_the_key(cli, db_url: str, issued: Request) -> None:  # type: ignore[no-untyped-def]
    key = receipt_keys.load().current
    result = cli("init", "--json")
    assert json.loads(result.stdout)["community"] == HOME
    found = cli("verify", issued.verify_code, "--json")
    assert json.loads(found.stdout)["ticket"] == issued.ticket
    assert receipt_keys.load().current == key


def test_two_halls_have_different_keys(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    own = os.environ["ZIYANG_RECEIPT_KEYS"]
    seen = set()
    try:
        for name in ("a.json", "b.json"):
            os.environ["ZIYANG_RECEIPT_KEYS"] = str(tmp_path / name)
            ring, created = receipt_keys.ensure()
            assert created
            seen.add(ring.keys[ring.current].secret)  # type: ignore[index]
    finally:
        os.environ["ZIYANG_RECEIPT_KEYS"] = own
    assert len(seen) == 2


# ── a recorded issue edited behind the program's back (mutation run of 2026-11-29) ──


def _issue_row(issued: Request) -> tuple[int, dict[str, object]]:
    from db.models import ReceiptIssue

    row = ReceiptIssue.select().where(ReceiptIssue.request == issued.id).get()
    return row.id, dict(row.covered)


def test_an_issue_whose_covered_key_id_was_edited_fails_verify(
    database: peewee.Database, issued: Request
) -> None:
    import json

    row_id, covered = _issue_row(issued)
    assert ops.verify(issued.verify_code) is not None
    covered["key_id"] = "k-forged"
    _raw(
        database,
        'UPDATE "receipt_issue" SET "covered" = ? WHERE "id" = ?',
        json.dumps(covered),
        row_id,
    )
    assert ops.verify(issued.verify_code) is None


def test_an_issue_whose_covered_content_lost_its_version_fails_verify(
    database: peewee.Database, issued: Request
) -> None:
    import json

    row_id, covered = _issue_row(issued)
    del covered["version"]
    _raw(
        database,
        'UPDATE "receipt_issue" SET "covered" = ? WHERE "id" = ?',
        json.dumps(covered),
        row_id,
    )
    assert ops.verify(issued.verify_code) is None


def test_a_signed_issue_relabelled_as_the_old_scheme_fails_verify(
    database: peewee.Database, issued: Request
) -> None:
    row_id, _ = _issue_row(issued)
    _raw(database, 'UPDATE "receipt_issue" SET "scheme" = ? WHERE "id" = ?', "legacy", row_id)
    assert ops.verify(issued.verify_code) is None


@pytest.mark.parametrize(
    ("claimed", "mismatch"),
    [
        pytest.param({}, [], id="nothing-claimed"),
        pytest.param({"ticket": "{ticket_lower} "}, [], id="ticket-any-case-spaces"),
        pytest.param({"ticket": "SXSQ01-2026-999999"}, ["ticket"], id="other-ticket"),
        pytest.param({"status": "已受理"}, [], id="status-label"),
        pytest.param({"status": "accepted"}, [], id="status-code"),
        pytest.param({"status": " 待补正 "}, ["status"], id="other-status-label"),
        pytest.param({"status": "已 受理"}, ["status"], id="not-a-label"),
        pytest.param({"promised_by": "{promised}"}, [], id="promised"),
        pytest.param({"promised_by": "2030-01-01"}, ["promised_by"], id="other-promised"),
        pytest.param(
            {"ticket": "X", "promised_by": "2030-01-01", "status": "不予办理"},
            ["ticket", "promised_by", "status"],
            id="all-three-in-order",
        ),
        pytest.param({"colour": "red", "status": None}, [], id="unknown-and-empty-ignored"),
    ],
)
def test_what_a_paper_claims_is_checked_against_what_its_code_covered(
    issued: Request, claimed: dict[str, str | None], mismatch: list[str]
) -> None:
    from db.receipts import verify_receipt

    assert issued.promised_by is not None
    filled = {
        name: None
        if value is None
        else value.format(
            ticket_lower=issued.ticket.lower(), promised=issued.promised_by.isoformat()
        )
        for name, value in claimed.items()
    }
    found = verify_receipt(issued.verify_code, filled)  # type: ignore[arg-type]
    assert found is not None
    assert found["mismatch"] == mismatch and found["valid"] is (not mismatch)
    printed = found["receipt"]
    assert printed["status"] == "accepted" and printed["status_label"] == "已受理"  # type: ignore[index]
    assert printed["promised_by"] == issued.promised_by.isoformat()  # type: ignore[index]
