"""Issue 6, items 5-9 and the region code of item 10: what staff type is normalised, bounded
and refused at the edge, and stored text never reaches a terminal or a PDF raw.

Pure rules are tested directly and table-driven; anything that touches a database runs on
SQLite and PostgreSQL through the `database` and `cli` fixtures.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import peewee
import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from db import db, models
from db import permits as permit_ops
from db import requests as ops
from db.chain import remove_guards
from db.clock import clock
from db.models import Household, Person, Request, RequestEvent, Staff
from db.people import add_household, add_person
from db.setup import (
    Desk,
    backdate_window,
    known_communities,
    load_desk,
)
from forms import dates, text
from forms.catalogue import Catalogue, load_catalogue
from forms.citizen_id import make_citizen_id, parse_citizen_id
from forms.errors import CounterError
from forms.people import check_name, check_phone, parse_date
from forms.scope import resolve_documents
from forms.verify import normalise_code
from tests.conftest import HOME, PASSWORD, TODAY, IdMaker
from ziyang_counter import app

D = dt.date
DAY = TODAY.isoformat()
HEAD_ID = make_citizen_id("610924", D(1958, 3, 12), 31)
HOSTILE = "5\x1b[2J\x1b]0;pwned\x07\u202egnp.exe\x9b31m\u2028"
RAW = ("\x1b", "\u202e", "\x9b", "\x07", "\u2028")

FULL_WIDTH = str.maketrans("0123456789X-", "０１２３４５６７８９Ｘ－")


# ───────────────────────────── item 9: normalisation ─────────────────────────────


@pytest.mark.parametrize(
    "typed",
    [
        HEAD_ID.translate(FULL_WIDTH),
        f"{HEAD_ID[:6]} {HEAD_ID[6:14]} {HEAD_ID[14:]}",
        f" {HEAD_ID[:6]}\u3000{HEAD_ID[6:]} ",  # ideographic space
        HEAD_ID.translate(FULL_WIDTH).replace("１９５８", "１９５８ "),
    ],
)
def test_citizen_ids_typed_full_width_or_spaced_read_as_the_number(typed: str) -> None:
    assert parse_citizen_id(typed, TODAY).number == HEAD_ID


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("２０２６－１１－２７", D(2026, 11, 27)),
        ("２０２６１１２７", D(2026, 11, 27)),
        ("2026 11 27", D(2026, 11, 27)),
        (" 2026-11-27 ", D(2026, 11, 27)),
        ("２０２６／１１／２７", D(2026, 11, 27)),
    ],
)
def test_dates_typed_full_width_or_spaced(typed: str, day: dt.date) -> None:
    assert parse_date(typed) == day


@pytest.mark.parametrize(
    ("typed", "phone"),
    [
        ("１３８００００１１１１", "13800001111"),
        ("138 0000 1111", "13800001111"),
        ("０９１５－４３２１２３４", "0915-4321234"),
    ],
)
def test_phones_typed_full_width_or_spaced(typed: str, phone: str) -> None:
    assert check_phone(typed) == phone


def test_verification_codes_typed_full_width() -> None:
    assert normalise_code("ＡＢＣＤ－ＥＦＧＨ－ＪＫＬＭ") == "ABCD-EFGH-JKLM"
    assert normalise_code("abcd efgh jklm") == "ABCD-EFGH-JKLM"


@pytest.mark.parametrize("dot", ["•", "・", "．", "‧", "･", "∙", "⋅", ".", "·"])
def test_middle_dot_look_alikes_in_names_become_u00b7(dot: str) -> None:
    assert check_name(f"阿依古丽{dot}买买提") == "阿依古丽·买买提"


def test_free_text_keeps_chinese_punctuation_and_inner_spaces() -> None:
    # NFKC would turn "，" and "（）" into ASCII; free text is NFC and trimmed only.
    assert text.field("  已核实，待复核（张）  ", "note") == "已核实，待复核（张）"
    assert text.field("3 号楼", "building") == "3 号楼"


DOCS = load_catalogue().find("城乡居民养老保险待遇领取").documents


@pytest.mark.parametrize(
    "typed",
    [
        ["1、2"],
        ["１，２"],
        ["1；2"],
        ["1;2"],
        ["１ , ２"],
        [f"{DOCS[0].name}、2"],
        [f" {DOCS[0].name} ", "２"],
    ],
)
def test_provided_documents_split_on_chinese_separators(typed: list[str]) -> None:
    chosen = resolve_documents(DOCS, DOCS, typed, "test")
    assert [d.name for d in chosen] == [DOCS[0].name, DOCS[1].name]


def test_a_ticket_typed_full_width_or_spaced_is_found(
    accepted: tuple[Desk, Catalogue, Request],
) -> None:
    _, _, request = accepted
    typed = request.ticket.lower().translate(FULL_WIDTH)
    assert ops.get_request(f" {typed[:6]} {typed[6:]}").id == request.id


def test_cli_takes_a_full_width_id(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    number = register(cli, make_id)[1]
    shown = cli("person", "show", "--id-number", number.translate(FULL_WIDTH), "--json")
    assert json.loads(shown.stdout)["person"]["name"] == "周建国"
    household = cli("household", "show", "ｈ０００ ００１", "--json").stdout
    assert json.loads(household)["household"]["number"] == "H000001"


# ─────────────────────────── item 10: the region code ───────────────────────────


@pytest.mark.parametrize(
    ("prefecture", "ok"),
    [("00", False), ("01", True), ("09", True), ("70", True), ("71", False), ("89", False),
     ("90", True), ("91", False), ("99", False)],
)  # fmt: skip
def test_prefecture_digits_must_be_01_to_70_or_90(prefecture: str, ok: bool) -> None:
    number = make_citizen_id(f"61{prefecture}24", D(1970, 1, 1), 11)
    if ok:
        assert parse_citizen_id(number, TODAY).region == f"61{prefecture}24"
    else:
        with pytest.raises(CounterError, match="地区码无效") as err:
            parse_citizen_id(number, TODAY)
        assert f"61{prefecture}24" in err.value.en


@pytest.mark.parametrize(
    ("region", "born"),
    [
        ("610924", D(1958, 3, 12)),  # Ziyang's code since 2000, a holder born long before
        ("612424", D(1960, 6, 1)),  # the former Ankang prefecture's old code
        ("810000", D(1990, 1, 1)),  # Hong Kong residents' residence permit numbers
    ],
)
def test_region_codes_are_not_checked_against_the_birth_year(region: str, born: dt.date) -> None:
    assert parse_citizen_id(make_citizen_id(region, born, 11), TODAY).birth_date == born


def test_619999_is_refused_with_a_clear_line(cli) -> None:  # type: ignore[no-untyped-def]
    number = make_citizen_id("619999", D(1970, 1, 1), 11)
    result = cli("person", "show", "--id-number", number, ok=False)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "错误：身份证号码的地区码无效：619999 / Error: citizen ID has an unknown region code: 619999"
    ]


# ─────────────────────── item 5: unsafe characters in stored text ───────────────────────

UNSAFE = [
    "\x00", "\x07", "\x1b", "\t", "\n", "\r", "\x7f", "\x80", "\x85", "\x9b", "\x9f",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",
    "\u200e", "\u200f", "\u061c", "\u2028", "\u2029",
]  # fmt: skip


@pytest.mark.parametrize("char", UNSAFE)
@pytest.mark.parametrize("key", sorted(text.FIELDS))
def test_every_stored_field_refuses_every_unsafe_character(key: str, char: str) -> None:
    with pytest.raises(CounterError) as err:
        text.field(f"甲{char}乙", key)
    assert err.value.zh.startswith(text.FIELDS[key].zh) and "控制字符" in err.value.zh
    assert text.escape(char) in err.value.en and char not in err.value.en


@pytest.mark.parametrize("char", ["·", "，", "（", "—", " ", "\u200d", "𠮷", "䶮", "é"])
def test_ordinary_characters_are_not_unsafe(char: str) -> None:
    assert not text.is_unsafe(char)


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b[31m红", "\\x1b[31m红"),
        ("a\u202eb", "a\\u202eb"),
        ("x\x9by", "x\\x9by"),
        ("行1\r\n行2", "行1\\x0d\\x0a行2"),
        ("普通文字 · 5号楼", "普通文字 · 5号楼"),
        (None, ""),
    ],
)
def test_neutralise_makes_control_characters_visible(raw: Any, shown: str) -> None:
    assert text.neutralise(raw) == shown


def test_neutralised_json_is_the_same_json_with_nothing_raw() -> None:
    data = {"building": HOSTILE, "n": [1, "\u2029"]}
    dumped = text.neutralise_json(json.dumps(data, ensure_ascii=False, indent=2))
    assert json.loads(dumped) == data
    assert not any(text.is_unsafe(c) for c in dumped.replace("\n", ""))


@pytest.mark.parametrize(
    "field", ["origin_village", "community", "site", "grid", "building", "unit", "room"]
)
def test_household_fields_refuse_control_characters(database: peewee.Database, field: str) -> None:
    values: dict[str, Any] = {
        "origin_village": "洄水镇双河村",
        "community": HOME,
        field: "5\x1b[2J",
    }
    with pytest.raises(CounterError) as err:
        add_household(moved_in=D(2019, 5, 1), today=TODAY, **values)
    assert err.value.zh.startswith(text.FIELDS[field].zh)
    assert Household.select().count() == 0


@pytest.mark.parametrize(
    ("field", "value"), [("name", "王\u202e德明"), ("hukou_address", "紫阳县\r\n洞河镇")]
)
def test_person_fields_refuse_control_characters(
    database: peewee.Database, field: str, value: str
) -> None:
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    values = {"name": "王德明", "hukou_address": "", field: value}
    with pytest.raises(CounterError) as err:
        add_person(
            household_number=household.number, id_number=HEAD_ID, relation="户主",
            today=TODAY, **values,
        )  # fmt: skip
    assert err.value.zh.startswith(text.FIELDS[field].zh)
    assert Person.select().count() == 0


@pytest.fixture
def accepted(database: peewee.Database, catalogue: Catalogue) -> tuple[Desk, Catalogue, Request]:
    """A head of household with a permit and an accepted pension request opened on TODAY."""
    desk = load_desk()
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    add_person(
        household_number=household.number, id_number=HEAD_ID, name="王德明", relation="户主",
        today=TODAY,
    )  # fmt: skip
    permit_ops.issue_permit(id_number=HEAD_ID, catalogue=catalogue, desk=desk, today=TODAY)
    request = ops.open_request(
        id_number=HEAD_ID,
        service="城乡居民养老保险待遇领取",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    assert request.status == "accepted"
    return desk, catalogue, request


STEPS = {
    "complete": lambda t, desk, day, note: ops.complete(t, desk, day, note),
    "refuse": lambda t, desk, day, note: ops.refuse(t, desk, day, note),
    "return": lambda t, desk, day, note: ops.return_request(t, desk, day, note),
    "forward": lambda t, desk, day, note: ops.forward(t, desk, day, note),
    "supplement": lambda t, desk, day, note: ops.supplement(t, ["1"], desk, day, note),
}


@pytest.mark.parametrize("step", sorted(STEPS))
def test_handling_step_notes_refuse_control_characters(
    accepted: tuple[Desk, Catalogue, Request], step: str
) -> None:
    desk, _, request = accepted
    events = RequestEvent.select().count()
    with pytest.raises(CounterError) as err:
        STEPS[step](request.ticket, desk, TODAY, "已核实\x1b]0;x\x07")
    assert "控制字符" in err.value.zh
    assert RequestEvent.select().count() == events
    assert Request.get_by_id(request.id).version == request.version


def test_an_open_note_with_control_characters_writes_nothing(
    accepted: tuple[Desk, Catalogue, Request],
) -> None:
    desk, catalogue, _ = accepted
    requests = Request.select().count()
    with pytest.raises(CounterError, match="办理说明含有不允许的控制字符"):
        ops.open_request(
            id_number=HEAD_ID, service="医疗保险参保", catalogue=catalogue, desk=desk,
            today=TODAY, provided=["all"], note="窗口\u202e受理",
        )  # fmt: skip
    assert Request.select().count() == requests


def test_desk_community_refuses_control_characters(database: peewee.Database) -> None:
    with pytest.raises(CounterError, match="本窗口社区含有不允许的控制字符"):
        load_desk(community=HOME + "\u202e")


def hostile_rows(cli, make_id: IdMaker) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    """A household, person, permit, request and staff member whose stored text holds escape
    sequences and a bidi override, as legacy data or a direct database edit would leave."""
    number, head = register(cli, make_id)
    cli("permit", "issue", "--id-number", head, "--date", DAY)
    ticket = json.loads(
        cli("request", "open", "--id-number", head, "--service", "医疗保险参保",
            "--provided", "all", "--date", DAY, "--json").stdout
    )["request"]["ticket"]  # fmt: skip
    remove_guards(db.obj)  # a direct edit of the history drops the append-only triggers first
    Household.update(building="5\x1b[2J\u202e3", room="\x1b[1m", grid="\u202e格").execute()
    Person.update(name="周\x1b[8m建国", hukou_address=HOSTILE).execute()
    models.Permit.update(community=HOME + "\u202e").execute()
    models.PermitEvent.update(note=HOSTILE).execute()
    RequestEvent.update(note=HOSTILE).execute()
    Request.update(remedy=HOSTILE).execute()
    Staff.update(name="值班\x1b[5m", code="001\u202e").execute()
    return number, head, ticket


def test_stored_hostile_text_never_reaches_the_terminal_raw(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    number, head, ticket = hostile_rows(cli, make_id)
    commands = [
        ("household", "show", number),
        ("person", "show", "--id-number", head, "--date", DAY),
        ("request", "show", ticket, "--date", DAY),
        ("permit", "show", "--id-number", head, "--date", DAY),
        ("staff", "list"),
    ]
    for command in commands:
        for extra in ((), ("--json",)):
            out = cli(*command, *extra).output  # signed in as 001 (code since altered)
            assert not [c for c in RAW if c in out], (command, extra, out)
            assert "\\u202e" in out or "\\x1b" in out, (command, extra)
            if extra:
                json.loads(out)  # still valid JSON


def test_error_lines_echo_input_neutralised(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("request", "show", "X\x1b[2J\u202eY", ok=False)
    assert result.exit_code == 1
    assert not [c for c in RAW if c in result.output]
    assert "\\x1b[2J\\u202eY" in result.stderr
    as_json = cli("request", "show", "X\x9bY", "--json", ok=False)
    assert "\x9b" not in as_json.stdout and json.loads(as_json.stdout)["error"]


def test_usage_errors_echo_options_neutralised() -> None:
    result = CliRunner().invoke(app, ["request", "show", "--bogus\u202e\x9b"])
    assert result.exit_code == 2
    assert "--bogus\\u202e\\x9b" in result.stderr
    assert not [c for c in RAW if c in result.output]


def test_pdf_paragraphs_show_control_characters_as_escapes(  # type: ignore[no-untyped-def]
    cli, make_id: IdMaker, tmp_path: Path
) -> None:
    _, _, ticket = hostile_rows(cli, make_id)
    out = tmp_path / "r.pdf"
    cli("print", "receipt", ticket, "--size", "a4", "--out", str(out))
    pdf = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "\\x1b[2J" in pdf and "\\u202e" in pdf
    assert not [c for c in RAW if c in pdf]


# ───────────────────────────── item 6: length limits ─────────────────────────────


@pytest.mark.parametrize("key", sorted(k for k, f in text.FIELDS.items() if f.columns))
def test_field_limits_equal_the_column_sizes(key: str) -> None:
    spec = text.FIELDS[key]
    for column in spec.columns:
        model, attr = column.split(".")
        assert getattr(getattr(models, model), attr).max_length == spec.limit, column


@pytest.mark.parametrize("key", sorted(k for k, f in text.FIELDS.items() if not f.columns))
def test_text_fields_have_a_sane_limit(key: str) -> None:
    assert text.FIELDS[key].limit == text.NOTE_LIMIT == 500


@pytest.mark.parametrize("key", sorted(text.FIELDS))
def test_each_limit_is_its_edge(key: str) -> None:
    limit = text.FIELDS[key].limit
    assert text.field("号" * limit, key) == "号" * limit
    with pytest.raises(CounterError) as err:
        text.field("号" * (limit + 1), key)
    assert f"最多{limit}字" in err.value.zh and text.FIELDS[key].zh in err.value.zh
    assert f"{limit} characters at most" in err.value.en


def test_a_10000_character_building_is_refused_alike_on_both_engines(
    database: peewee.Database,
) -> None:
    with pytest.raises(CounterError) as err:
        add_household(
            origin_village="洄水镇双河村", community=HOME, moved_in=D(2019, 5, 1),
            today=TODAY, building="5" * 10_000,
        )  # fmt: skip
    assert err.value.zh == "楼栋过长（最多20字，当前10000字）"
    assert Household.select().count() == 0
    # The limit is the column's: 20 characters are stored on both engines.
    stored = add_household(
        origin_village="洄水镇双河村", community=HOME, moved_in=D(2019, 5, 1),
        today=TODAY, building="楼" * 20,
    )  # fmt: skip
    assert Household.get_by_id(stored.id).building == "楼" * 20


def test_cli_names_the_field_and_its_limit(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "household", "add", "--origin-village", "洄水镇双河村", "--community", HOME,
        "--moved-in", "2019-05-01", "--building", "5" * 10_000, ok=False,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        "错误：楼栋过长（最多20字，当前10000字） / "
        "Error: building is too long (20 characters at most, got 10000)"
    ]


def test_long_notes_are_refused_before_the_database(
    accepted: tuple[Desk, Catalogue, Request],
) -> None:
    desk, _, request = accepted
    with pytest.raises(CounterError, match="最多500字"):
        ops.complete(request.ticket, desk, TODAY, "好" * 501)
    assert ops.complete(request.ticket, desk, TODAY, "好" * 500).status == "completed"


# ───────────────────────────────── item 7: dates ─────────────────────────────────


@pytest.mark.parametrize(
    ("day", "window", "ok"),
    [
        (TODAY, 30, True),
        (TODAY + dt.timedelta(days=1), 30, False),
        (TODAY - dt.timedelta(days=30), 30, True),
        (TODAY - dt.timedelta(days=31), 30, False),
        (TODAY, 0, True),
        (TODAY - dt.timedelta(days=1), 0, False),
        (TODAY - dt.timedelta(days=60), 60, True),
        (TODAY - dt.timedelta(days=61), 60, False),
    ],
)
def test_business_day_window(day: dt.date, window: int, ok: bool) -> None:
    if ok:
        assert dates.check_business_day(day, TODAY, window) == day
    else:
        with pytest.raises(CounterError, match=r"晚于今天|补录期限"):
            dates.check_business_day(day, TODAY, window)


@pytest.mark.parametrize(
    ("stored", "days"),
    [(None, 30), ("", 30), ("0", 0), ("7", 7), (" 45 ", 45), ("366", 366),
     ("367", None), ("-1", None), ("三十", None)],
)  # fmt: skip
def test_backdate_setting_is_read_and_bounded(stored: str | None, days: int | None) -> None:
    if days is None:
        with pytest.raises(CounterError, match="backdate_days"):
            dates.backdate_days(stored)
    else:
        assert dates.backdate_days(stored) == days


@pytest.mark.parametrize(
    ("day", "ok"),
    [(TODAY - dt.timedelta(days=1), False), (TODAY, True), (TODAY + dt.timedelta(days=1), True)],
)
def test_a_step_is_not_dated_before_the_opening(day: dt.date, ok: bool) -> None:
    if ok:
        assert dates.check_step_day(day, TODAY, "T") == day
    else:
        with pytest.raises(CounterError, match="早于T的受理日期"):
            dates.check_step_day(day, TODAY, "T")


@pytest.mark.parametrize(
    ("moved_in", "ok"),
    [(D(1999, 12, 31), False), (D(2000, 1, 1), True), (TODAY, True),
     (TODAY + dt.timedelta(days=1), False)],
)  # fmt: skip
def test_move_in_bounds(moved_in: dt.date, ok: bool) -> None:
    if ok:
        assert dates.check_moved_in(moved_in, TODAY) == moved_in
    else:
        with pytest.raises(CounterError, match="搬迁入住日期"):
            dates.check_moved_in(moved_in, TODAY)


@pytest.mark.parametrize(
    ("typed", "ok"),
    [("1899-12-31", False), ("1900-01-01", True), ("2099-12-31", True), ("2100-01-01", False),
     ("9999-12-31", False), ("0001-01-01", False)],
)  # fmt: skip
def test_typed_dates_stay_within_what_date_arithmetic_can_handle(typed: str, ok: bool) -> None:
    if ok:
        assert parse_date(typed).isoformat() == typed
    else:
        with pytest.raises(CounterError, match="超出可办理的日期范围"):
            parse_date(typed)


@pytest.mark.parametrize("step", ["complete", "refuse", "return", "supplement"])
def test_handling_steps_dated_before_the_opening_are_refused(
    accepted: tuple[Desk, Catalogue, Request], step: str
) -> None:
    desk, _, request = accepted
    with pytest.raises(CounterError, match=r"早于.*受理日期"):
        STEPS[step](request.ticket, desk, TODAY - dt.timedelta(days=1), "已核实")
    assert Request.get_by_id(request.id).status == request.status


def test_forwarding_before_the_opening_is_refused(
    database: peewee.Database, catalogue: Catalogue
) -> None:
    desk = load_desk()
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY
    )
    add_person(
        household_number=household.number, id_number=HEAD_ID, name="王德明", relation="户主",
        today=TODAY,
    )  # fmt: skip
    permit_ops.issue_permit(id_number=HEAD_ID, catalogue=catalogue, desk=desk, today=TODAY)
    request = ops.open_request(
        id_number=HEAD_ID, service="城乡低保申请", catalogue=catalogue, desk=desk, today=TODAY,
        provided=["all"],
    )  # fmt: skip
    assert request.decision == "forward_department"
    with pytest.raises(CounterError, match=r"早于.*受理日期"):
        ops.forward(request.ticket, desk, TODAY - dt.timedelta(days=1))
    assert ops.forward(request.ticket, desk, TODAY).status == "forwarded"


@pytest.mark.parametrize(
    ("args", "zh"),
    [
        (("request", "list", "--date", "9999-12-31"), "超出可办理的日期范围"),
        (
            ("person", "show", "--id-number", HEAD_ID, "--date", "9999-12-31"),
            "超出可办理的日期范围",
        ),
        (
            ("person", "show", "--id-number", HEAD_ID, "--date", "0001-01-01"),
            "超出可办理的日期范围",
        ),
        (("print", "daily-log", "--date", "9999-12-31"), "超出可办理的日期范围"),
        (("person", "show", "--id-number", HEAD_ID, "--date", "2036-01-01"), "晚于今天"),
        (("person", "show", "--id-number", HEAD_ID, "--date", "1990-01-01"), "补录期限"),
        (("request", "show", "NOPE", "--date", "2026-11-28"), "晚于今天"),
    ],
)
def test_cli_dates_out_of_bounds_are_one_clear_line(cli, args: tuple[str, ...], zh: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args, ok=False, clock=TODAY)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and zh in lines[0] and "Error:" in lines[0], result.stderr
    assert "OverflowError" not in result.output and "内部错误" not in result.output


def open_on(cli, head: str, day: str, clock: dt.date | None = None, ok: bool = True):  # type: ignore[no-untyped-def]
    return cli(
        "request", "open", "--id-number", head, "--service", "医疗保险参保", "--date", day,
        "--json", ok=ok, clock=clock or TODAY,
    )  # fmt: skip


def test_back_dating_window_is_a_supervisor_setting(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    _, head = register(cli, make_id)
    day = TODAY - dt.timedelta(days=30)
    assert open_on(cli, head, day.isoformat()).exit_code == 0
    late = open_on(cli, head, (day - dt.timedelta(days=1)).isoformat(), ok=False)
    assert late.exit_code == 1 and "最多补录30天" in late.stderr
    future = open_on(cli, head, (TODAY + dt.timedelta(days=1)).isoformat(), ok=False)
    assert future.exit_code == 1 and "晚于今天" in future.stderr
    # An officer cannot widen the window; a supervisor can.
    cli("staff", "add", "101", "张敏", "--password-stdin", input="zhangmin-pw\n")
    cli.login("101", "zhangmin-pw")
    officer = cli("staff", "backdate-days", "60", ok=False)
    assert officer.exit_code == 1 and "只有负责人" in officer.stderr
    assert json.loads(cli("staff", "backdate-days", "--json").stdout) == {"backdate_days": 30}
    cli.login("001", PASSWORD)
    cli("staff", "backdate-days", "60")
    assert backdate_window() == 60
    assert open_on(cli, head, (day - dt.timedelta(days=1)).isoformat()).exit_code == 0


def test_cli_backdating_reaches_the_database(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    _, head = register(cli, make_id)
    with clock(dt.datetime(2026, 11, 27, 10, 5)):
        opened = json.loads(open_on(cli, head, "2026-11-20").stdout)["request"]
    # The business day is --date's; the recorded time is the clock's, and the entry is 补录.
    assert opened["opened_on"] == "2026-11-20" and opened["backdated"] is True
    assert dt.datetime.fromisoformat(opened["opened_at"]).replace(tzinfo=None) == dt.datetime(
        2026, 11, 27, 10, 5
    )
    early = cli("request", "complete", opened["ticket"], "--date", "2026-11-19", ok=False,
                clock=TODAY)  # fmt: skip
    assert early.exit_code == 1 and "早于" in early.stderr and "受理日期2026-11-20" in early.stderr


def test_a_person_cannot_be_added_on_a_future_day(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    number, _ = register(cli, make_id)
    baby = make_id(D(2030, 1, 1), "女")
    result = cli(
        "person", "add", "--household", number, "--id-number", baby, "--name", "周小雨",
        "--relation", "女", "--date", "2030-06-01", ok=False, clock=TODAY,
    )  # fmt: skip
    assert result.exit_code == 1 and "晚于今天" in result.stderr
    unborn = cli(
        "person", "add", "--household", number, "--id-number", baby, "--name", "周小雨",
        "--relation", "女", ok=False, clock=TODAY,
    )  # fmt: skip
    assert unborn.exit_code == 1 and "出生日期不合理" in unborn.stderr
    assert Person.select().count() == 1


@pytest.mark.parametrize(
    ("moved_in", "zh"),
    [
        ("0001-01-01", "超出可办理的日期范围"),
        ("1999-12-31", "早于2000-01-01"),
        ("2026-11-28", "晚于今天"),
    ],
)
def test_cli_move_in_bounds(cli, moved_in: str, zh: str) -> None:  # type: ignore[no-untyped-def]
    result = cli(
        "household", "add", "--origin-village", "洄水镇双河村", "--community", HOME,
        "--moved-in", moved_in, ok=False, clock=TODAY,
    )  # fmt: skip
    assert result.exit_code == 1 and zh in result.stderr
    assert Household.select().count() == 0


# ─────────────────────────── item 8: unknown communities ───────────────────────────


def test_known_communities_come_from_the_setting_and_the_records(
    database: peewee.Database,
) -> None:
    assert known_communities() == [HOME]
    add_household(
        origin_village="城关镇红椿村", community="城关镇新城社区", moved_in=D(2019, 1, 1),
        today=TODAY, new_community=True,
    )  # fmt: skip
    assert known_communities() == sorted([HOME, "城关镇新城社区"])
    assert load_desk(community="城关镇新城社区").community == "城关镇新城社区"


def test_a_mistyped_desk_community_suggests_the_nearest(database: peewee.Database) -> None:
    with pytest.raises(CounterError) as err:
        load_desk(community="蒿坪镇双星社")
    assert (
        "是否为：蒿坪镇双星社区" in err.value.zh and "did you mean: 蒿坪镇双星社区" in err.value.en
    )


def test_a_new_household_community_needs_to_be_said_so(database: peewee.Database) -> None:
    with pytest.raises(CounterError, match="迁入社区“蒿坪镇双星社”不在本数据库已知社区中"):
        add_household(
            origin_village="洄水镇双河村", community="蒿坪镇双星社", moved_in=D(2019, 5, 1),
            today=TODAY,
        )  # fmt: skip
    assert Household.select().count() == 0


@pytest.mark.parametrize(
    "args",
    [
        ("--desk-community", "蒿坪镇双星社", "request", "list"),
        ("check", "--id-number", HEAD_ID, "--service", "医疗保险参保", "--at", "蒿坪镇双星社"),
        ("household", "add", "--origin-village", "洄水镇双河村", "--community", "蒿坪镇双星社",
         "--moved-in", "2019-05-01"),
    ],
)  # fmt: skip
def test_cli_refuses_unknown_communities(cli, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    result = cli(*args, ok=False)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "不在本数据库已知社区中，是否为：蒿坪镇双星社区" in lines[0]
    assert Household.select().count() == 0 and Request.select().count() == 0


def test_ziyang_community_env_is_checked(cli, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ZIYANG_COMMUNITY", "不存在社区")
    result = cli("request", "list", ok=False)
    assert result.exit_code == 1 and "本窗口社区“不存在社区”不在本数据库已知社区中" in result.stderr


def test_new_community_option_founds_a_community(cli) -> None:  # type: ignore[no-untyped-def]
    added = cli(
        "household", "add", "--origin-village", "洄水镇双河村", "--community", "汉王镇汉城社区",
        "--moved-in", "2019-05-01", "--new-community", "--json",
    )  # fmt: skip
    assert json.loads(added.stdout)["household"]["community"] == "汉王镇汉城社区"
    assert cli("--desk-community", "汉王镇汉城社区", "request", "list").exit_code == 0


# ──────────────────────────────────── helpers ────────────────────────────────────


def register(cli, make_id: IdMaker) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    household = json.loads(
        cli(
            "household", "add", "--origin-village", "洄水镇双河村", "--community", HOME,
            "--moved-in", "2018-09-01", "--building", "5", "--room", "302", "--json",
        ).stdout
    )["household"]["number"]  # fmt: skip
    head = make_id(D(1962, 4, 9), "男")
    cli(
        "person", "add", "--household", household, "--id-number", head, "--name", "周建国",
        "--relation", "户主", "--phone", "13800001111", "--date", DAY,
    )  # fmt: skip
    return household, head


def test_open_notes_and_second_request_reasons_have_the_note_limit(
    accepted: tuple[Desk, Catalogue, Request],
) -> None:
    desk, catalogue, request = accepted
    count = Request.select().count()
    for kwargs in ({"note": "好" * 501}, {"again_reason": "好" * 501}):
        with pytest.raises(CounterError, match="最多500字"):
            ops.open_request(
                id_number=HEAD_ID, service=request.service_name, catalogue=catalogue, desk=desk,
                today=TODAY, provided=["all"], **kwargs,
            )  # fmt: skip
    assert Request.select().count() == count
    again = ops.open_request(
        id_number=HEAD_ID, service=request.service_name, catalogue=catalogue, desk=desk,
        today=TODAY, provided=["all"], again_reason="好" * 500,
    )  # fmt: skip
    assert Request.select().count() == count + 1 and again.ticket != request.ticket


@pytest.mark.parametrize(
    ("day", "ok"),
    [(D(2026, 11, 1), False), (D(2026, 11, 2), True), (D(2026, 11, 3), True)],
    ids=["day-before-move-in", "move-in-day", "day-after"],
)
def test_a_request_is_not_opened_before_the_household_moved_in(
    database: peewee.Database, catalogue: Catalogue, day: dt.date, ok: bool
) -> None:
    desk = load_desk()
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2026, 11, 2), today=TODAY
    )
    add_person(
        household_number=household.number, id_number=HEAD_ID, name="王德明", relation="户主",
        today=TODAY,
    )  # fmt: skip
    open_it = lambda: ops.open_request(  # noqa: E731
        id_number=HEAD_ID, service="土地承包经营", catalogue=catalogue, desk=desk, today=day
    )
    if ok:
        assert open_it().opened_on == day
    else:
        with pytest.raises(CounterError, match="早于该户搬迁入住日期2026-11-02"):
            open_it()
        assert Request.select().count() == 0
