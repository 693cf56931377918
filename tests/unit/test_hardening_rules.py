"""Issue 6, items 14-19, 22, 23: rules the counter got wrong, each pinned by a test.

Database tests run on SQLite and PostgreSQL (the `database` fixture); pure rules are tables.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
import threading
import tomllib
from typing import Any

import peewee
import pytest

from db import migrations
from db import permits as permit_ops
from db import requests as ops
from db.connection import db
from db.models import HEAD_INDEX, Household, Permit, PermitEvent, Person, Request, SchemaVersion
from db.people import add_household, add_person
from db.setup import Desk, init_counter, load_desk
from forms import people as relations
from forms.catalogue import DEFAULT_PATH, Catalogue, load_catalogue, parse_catalogue
from forms.errors import CounterError
from forms.permits import STATUS_LABELS as PERMIT_LABELS
from forms.permits import PermitStatus
from forms.scope import (
    REGULATION_9,
    REGULATION_10,
    REGULATION_11,
    REGULATION_21,
    RULE_SENTENCES,
    HouseholdFacts,
    PermitFacts,
    PersonFacts,
    Rule,
    check_scope,
)
from forms.status import (
    DECISION_LABELS,
    EVENT_LABELS,
    STATUS_LABELS,
    EventKind,
    Outcome,
    Side,
    Status,
)
from forms.workdays import add_working_days
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date
ELSEWHERE = "城关镇东城社区"


def new_household(community: str = HOME, moved_in: dt.date = D(2019, 5, 1)) -> Household:
    return add_household(
        origin_village="洞河镇麻园村", community=community, moved_in=moved_in, today=TODAY,
        new_community=community != HOME,
    )  # fmt: skip


def new_person(
    household: Household,
    make_id: IdMaker,
    relation: str = "户主",
    name: str = "王德明",
    sex: str = "男",
) -> str:
    id_number = make_id(D(1970, 3, 12), sex)
    add_person(
        household_number=household.number,
        id_number=id_number,
        name=name,
        relation=relation,
        today=TODAY,
    )
    return id_number


def open_(catalogue: Catalogue, desk: Desk, id_number: str, service: str, **kw: Any) -> Request:
    kw.setdefault("provided", ["all"])
    return ops.open_request(
        id_number=id_number, service=service, catalogue=catalogue, desk=desk, today=TODAY, **kw
    )


# ── 14. one open request per person and service ──


@pytest.mark.parametrize(
    ("service", "provided", "then", "status"),
    [
        ("H01", [], None, "pending_materials"),
        ("H01", ["all"], None, "accepted"),
        ("F01", ["all"], "forward", "forwarded"),
        ("V04", ["all"], None, "referred"),
    ],
)
def test_a_service_already_open_points_to_its_ticket(
    database: peewee.Database,
    catalogue: Catalogue,
    desk: Desk,
    make_id: IdMaker,
    service: str,
    provided: list[str],
    then: str | None,
    status: str,
) -> None:
    head = new_person(new_household(), make_id)
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=D(2026, 5, 6))
    first = open_(catalogue, desk, head, service, provided=provided)
    if then == "forward":
        ops.forward(first.ticket, desk, TODAY)
    before = Request.select().count()
    with pytest.raises(ops.OpenRequestExists) as raised:
        open_(catalogue, desk, head, service)
    assert raised.value.ticket == first.ticket and raised.value.status == status
    assert raised.value.request.id == first.id and raised.value.as_dict()["ticket"] == first.ticket
    assert first.ticket in raised.value.zh and first.ticket in raised.value.en
    assert "--again" in raised.value.zh
    assert Request.select().count() == before  # nothing written

    second = open_(catalogue, desk, head, service, again_reason="原件遗失，重新申请")
    assert second.ticket != first.ticket
    opened = second.events.where(ops.RequestEvent.kind == "opened").get()
    assert "原件遗失，重新申请" in opened.note and first.ticket in opened.note


def test_a_closed_request_does_not_block_a_new_one(
    database: peewee.Database, catalogue: Catalogue, desk: Desk, make_id: IdMaker
) -> None:
    head = new_person(new_household(), make_id)
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=D(2026, 5, 6))
    first = open_(catalogue, desk, head, "H01")
    ops.complete(first.ticket, desk, TODAY)
    again = open_(catalogue, desk, head, "H01")
    assert again.ticket != first.ticket
    assert "再次申请" not in again.events.get().note


def test_an_open_permit_request_is_finished_not_duplicated(
    database: peewee.Database, catalogue: Catalogue, desk: Desk, make_id: IdMaker
) -> None:
    head = new_person(new_household(), make_id)
    accepted = open_(catalogue, desk, head, "P01")
    assert accepted.status == "accepted"
    with pytest.raises(ops.OpenRequestExists, match=accepted.ticket):
        open_(catalogue, desk, head, "P01")
    permit = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    assert Request.select().count() == 1
    assert Request.get_by_id(accepted.id).status == "completed"
    assert Request.get_by_id(accepted.id).permit_id == permit.id


def test_cli_open_again_needs_a_reason(cli, make_id: IdMaker) -> None:  # type: ignore[no-untyped-def]
    head = new_person(new_household(), make_id)
    args = ("request", "open", "--id-number", head, "--service", "P01", "--provided", "all",
            "--date", TODAY.isoformat())  # fmt: skip
    cli(*args)
    first = Request.get()
    refused = cli(*args, ok=False)
    assert refused.exit_code == 1 and first.ticket in refused.output
    assert Request.select().count() == 1
    cli(*args, "--again", "证件照片不合格，重新受理")
    again = Request.select().order_by(Request.id.desc()).get()
    assert again.ticket != first.ticket
    assert "证件照片不合格，重新受理" in again.events.get().note


# ── 15. one head per household, enforced by the database ──


def test_the_database_refuses_a_second_head(database: peewee.Database, make_id: IdMaker) -> None:
    household = new_household()
    head = new_person(household, make_id)
    with pytest.raises(CounterError, match="已有户主"):
        new_person(household, make_id, relation="本人", name="王德亮")
    first = Person.get(Person.id_number == head)
    fields = {
        f.name: getattr(first, f.name)
        for f in Person._meta.sorted_fields
        if f.name not in ("id", "id_number", "household")
    }
    with pytest.raises(peewee.IntegrityError), db.atomic():  # the check bypassed: still refused
        Person.create(household=household, id_number=make_id(D(1980, 1, 1)), **fields)
    # Other relations are not limited, and another household gets its own head.
    new_person(household, make_id, relation="配偶", name="李秀英")
    new_person(new_household(), make_id, name="张国强")
    assert Person.select().where(Person.relation_code == "02").count() == 2


def test_two_counters_adding_a_head_at_once_give_one_head(
    database: peewee.Database, make_id: IdMaker
) -> None:
    """Two threads, two connections, one household each round: exactly one head."""
    households = [new_household() for _ in range(6)]
    results: dict[str, list[object]] = {h.number: [] for h in households}
    ids = {h.number: (make_id(D(1960, 1, 1)), make_id(D(1961, 1, 1))) for h in households}

    def counter(n: int, start: threading.Barrier) -> None:
        for household in households:
            start.wait()
            try:
                with db.connection_context():
                    person = add_person(
                        household_number=household.number,
                        id_number=ids[household.number][n],
                        name="王德明" if n == 0 else "王德亮",
                        relation="户主",
                        today=TODAY,
                    )
                results[household.number].append(person.id)
            except CounterError as exc:
                results[household.number].append(exc)
            except Exception as exc:  # anything else is a failure reported below
                results[household.number].append(exc)

    start = threading.Barrier(2)
    threads = [threading.Thread(target=counter, args=(n, start)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for household in households:
        outcome = results[household.number]
        errors = [e for e in outcome if isinstance(e, Exception)]
        assert len(outcome) == 2 and len(errors) == 1, outcome
        error = errors[0]
        assert isinstance(error, CounterError), repr(error)
        assert error.zh == f"搬迁户 {household.number} 已有户主" and "\n" not in str(error)
        heads = Person.select().where(
            (Person.household == household) & Person.relation_code.in_(relations.HEAD_CODES)
        )
        assert heads.count() == 1


def _to_schema_m0001(database: peewee.Database) -> None:
    """Make an up-to-date database look like one made before m0002."""
    step = dict(migrations.steps())["m0002_codes_and_one_head"]
    step.down(migrations.migrator_for(database), database)
    SchemaVersion.delete().where(SchemaVersion.name == "m0002_codes_and_one_head").execute()


def _insert_old_person(database: peewee.Database, household: Household, id_number: str, rel: str):  # type: ignore[no-untyped-def]
    param = "%s" if isinstance(database, peewee.PostgresqlDatabase) else "?"
    database.execute_sql(
        "INSERT INTO person (household_id, id_number, name, initials, sex, birth_date, "
        "ethnicity, relation, phone, hukou_address, created_at) VALUES "
        f"({', '.join([param] * 11)})",
        (household.id, id_number, "王德亮", "WDL", "男", D(1965, 1, 1), "汉族", rel, "", "",
         dt.datetime(2026, 1, 1)),
    )  # fmt: skip


def test_upgrade_refuses_two_heads_naming_the_household_then_fills_the_new_values(
    database: peewee.Database, catalogue: Catalogue, make_id: IdMaker
) -> None:
    init_counter(counter_no=3, reconfigure=True)
    desk = load_desk()
    household = new_household()
    head = new_person(household, make_id)
    new_person(household, make_id, relation="女", name="王小雨", sex="女")
    permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=D(2025, 6, 2))
    permit_ops.endorse_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)  # late
    _to_schema_m0001(database)
    _insert_old_person(database, household, make_id(D(1965, 1, 1)), "户主")

    with pytest.raises(CounterError, match=household.number) as refused:
        migrations.upgrade(database)
    assert "户主" in refused.value.zh and household.number in refused.value.en
    assert migrations.pending(database) == ["m0002_codes_and_one_head"]  # nothing half-done

    database.execute_sql(
        "UPDATE person SET relation = '兄弟' WHERE name = '王德亮'"
    )  # a person corrects it
    assert migrations.upgrade(database) == ["m0002_codes_and_one_head"]
    codes = {p.name: (p.relation, p.relation_code) for p in Person.select()}
    assert codes == {"王德明": ("户主", "02"), "王小雨": ("女", "30"), "王德亮": ("兄弟", "70")}
    assert {r.counter_no for r in Request.select()} == {3}
    endorsed = PermitEvent.get(PermitEvent.kind == "endorsed")
    assert endorsed.late is True
    assert PermitEvent.get(PermitEvent.kind == "issued").late is False
    with pytest.raises(peewee.IntegrityError), db.atomic():
        _insert_old_person(database, household, make_id(D(1966, 1, 1)), "户主")
        database.execute_sql("UPDATE person SET relation_code = '02' WHERE relation_code = ''")
    assert migrations.pending(database) == []


def test_a_new_database_has_the_head_index(database: peewee.Database) -> None:
    names = {index.name for index in database.get_indexes("person")}
    assert HEAD_INDEX in names


# ── 16. the first refusal already names the right community ──


PERSON = PersonFacts(
    id_number="610924197003120013", name="王德明", birth_date=D(1970, 3, 12), sex="男",
    relation="户主", relation_code="02",
)  # fmt: skip


@pytest.mark.parametrize(
    ("home", "counter", "expected"),
    [
        (ELSEWHERE, HOME, "请到城关镇东城社区服务大厅办理“居住证申领”（P01）"),
        (HOME, HOME, "请先办理“居住证申领”（P01）"),
    ],
)
def test_no_permit_remedy_names_the_community_that_issues_it(
    catalogue: Catalogue, home: str, counter: str, expected: str
) -> None:
    household = HouseholdFacts("H000001", "洞河镇麻园村", home, D(2019, 5, 1), "王德明")
    asked = check_scope(
        person=PERSON, household=household, permit=None, service=catalogue.find("医疗保险参保"),
        counter_community=counter, today=TODAY, provided=["all"],
    )  # fmt: skip
    assert asked.decision == "refuse" and expected in asked.remedy
    # ... and P01 at that hall is then possible: the two answers agree.
    p01 = check_scope(
        person=PERSON, household=household, permit=None, service=catalogue.find("P01"),
        counter_community=home, today=TODAY, provided=["all"],
    )  # fmt: skip
    assert p01.decision == "handle"


# ── 17. relations by GB/T 4761-2008 ──


@pytest.mark.parametrize(
    ("typed", "code", "term"),
    [
        ("弟", "73", "弟"),
        ("长子", "22", "长子"),
        ("次女", "33", "次女"),
        ("孙子", "41", "孙子"),
        ("儿媳", "38", "儿媳"),
        ("侄子", "93", "侄子"),
        ("养子", "27", "养子或继子"),
        ("73", "73", "弟"),
        ("02", "02", "户主"),
        ("户主", "02", "户主"),
        ("子", "20", "子"),
        ("女", "30", "女"),
        ("兄弟", "70", "兄弟姐妹"),
        ("姐妹", "70", "兄弟姐妹"),
        ("兄", "71", "兄"),
        ("姐", "75", "姐姐"),
        ("妹", "77", "妹妹"),
        ("父亲", "51", "父亲"),
        ("母亲", "52", "母亲"),
        ("配偶", "10", "配偶"),
        ("外孙女", "44", "外孙女"),
        ("其他", "80", "其他"),
        (" 99 ", "99", "非亲属"),
    ],
)
def test_register_relations_are_accepted_with_their_code(typed: str, code: str, term: str) -> None:
    assert relations.check_relation(typed) == (code, term)


@pytest.mark.parametrize("code", sorted(relations.RELATION_CODES))
def test_every_gbt4761_code_and_term_is_accepted(code: str) -> None:
    term = relations.RELATION_CODES[code]
    assert relations.check_relation(code) == (code, term)
    assert relations.check_relation(term) == (code, term)
    assert relations.check_relation(code).group == code[0]


def test_the_gbt4761_table_is_complete() -> None:
    codes = relations.RELATION_CODES
    assert set(codes) == {"01", "02", "97", "99"} | {
        f"{n:02d}" for n in range(10, 97) if n not in range(13, 20)
    }
    assert len(set(codes.values())) == len(codes)  # one code per term


@pytest.mark.parametrize("typed", ["邻居", "朋友", "", "100", "18"])
def test_unknown_relations_list_valid_terms(typed: str) -> None:
    with pytest.raises(CounterError) as refused:
        relations.check_relation(typed)
    assert (
        "长子" in refused.value.zh and "弟" in refused.value.zh and "GB/T 4761" in refused.value.en
    )


@pytest.mark.parametrize(
    ("typed", "code", "term"),
    [("弟", "73", "弟"), ("长子", "22", "长子"), ("次女", "33", "次女"), ("孙子", "41", "孙子"),
     ("儿媳", "38", "儿媳"), ("侄子", "93", "侄子"), ("养子", "27", "养子或继子"),
     ("73", "73", "弟"), ("其他孙子、孙女或外孙子、外孙女", "49", "其他孙子、孙女或外孙子、外孙女")],
)  # fmt: skip
def test_relations_are_stored_with_their_code(
    database: peewee.Database, make_id: IdMaker, typed: str, code: str, term: str
) -> None:
    household = new_household()
    new_person(household, make_id)
    sex = "女" if code in ("33", "38") else "男"  # 次女 and 儿媳 are women (add_person checks)
    id_number = new_person(household, make_id, relation=typed, name="王小明", sex=sex)
    stored = Person.get(Person.id_number == id_number)
    assert (stored.relation, stored.relation_code) == (term, code)


@pytest.mark.parametrize(
    ("code", "wanted", "matches"),
    [
        ("02", ("02",), True),
        ("01", ("02",), True),  # 本人 is the head themself
        ("10", ("02",), False),
        ("22", ("2",), True),
        ("28", ("2",), True),  # 女婿 is in the son group of GB/T 4761
        ("30", ("2",), False),
        ("33", ("2", "3"), True),
        ("73", ("7",), True),
        ("73", ("71",), False),
        ("93", ("8", "9"), True),
    ],
)
def test_conditions_match_codes_and_groups(
    code: str, wanted: tuple[str, ...], matches: bool
) -> None:
    assert relations.relation_matches(code, wanted) is matches


@pytest.mark.parametrize(
    ("relation", "code", "refused"),
    [("户主", "02", False), ("本人", "01", False), ("长子", "22", True), ("配偶", "10", True)],
)
def test_household_services_decide_by_the_relation_code(
    catalogue: Catalogue, relation: str, code: str, refused: bool
) -> None:
    person = dataclasses.replace(PERSON, relation=relation, relation_code=code)
    household = HouseholdFacts("H000001", "洞河镇麻园村", HOME, D(2019, 5, 1), "王德明")
    permit = PermitFacts("610924-2026-000001", "valid", D(2027, 5, 5), D(2019, 5, 1), HOME)
    decided = check_scope(
        person=person, household=household, permit=permit, service=catalogue.find("不动产证申办"),
        counter_community=HOME, today=TODAY, provided=["all"],
    )  # fmt: skip
    assert (decided.decision == "refuse") is refused
    if refused:
        assert f"由户主办理，当事人为{relation}" in decided.blocking[0].text


def test_catalogue_conditions_name_codes_and_print_readable_chinese(catalogue: Catalogue) -> None:
    service = catalogue.find("不动产证申办")
    assert service.conditions.relations == ("02",)
    assert "由户主办理" in service.conditions.describe()
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["service"][3]["conditions"] = {"relations": ["户主"]}
    with pytest.raises(CounterError, match="GB/T 4761"):
        parse_catalogue(data, "edited.toml")
    data["service"][3]["conditions"] = {"relations": ["1", "02"]}
    edited = parse_catalogue(data, "edited.toml").services[3]
    assert edited.conditions.describe() == ["由配偶或户主办理"]


# ── 18. citations of 《居住证暂行条例》 ──

ARTICLE_TOPICS = {  # article -> words its text must carry
    "九": ("15日", "一次性告知", "提交"),
    "十": ("签注", "使用功能中止"),
    "十一": ("换领", "补领"),
    "二十一": ("工本费", "费用"),
}
CITATION = re.compile(r"第([一二三四五六七八九十]+)条")


def regulation_citations(text: str) -> list[tuple[str, str]]:
    """(article, what the text says it covers) for every article of the regulation cited."""
    if "居住证暂行条例" not in text:
        return []
    cited = text.split("《居住证暂行条例》", 1)[1]
    parts = CITATION.split(cited)
    return [(parts[i], parts[i + 1]) for i in range(1, len(parts) - 1, 2)]


def scope_texts(catalogue: Catalogue) -> list[str]:
    """Every basis the scope check writes in permit-related situations."""
    household = HouseholdFacts("H000001", "洞河镇麻园村", HOME, D(2019, 5, 1), "王德明")
    lapsed = PermitFacts("610924-2025-000001", "valid", D(2026, 6, 1), D(2019, 5, 1), HOME)
    texts: list[str] = []
    for service in ("医疗保险参保", "P01", "P02", "P03"):
        decided = check_scope(
            person=PERSON, household=household, permit=lapsed, service=catalogue.find(service),
            counter_community=HOME, today=TODAY, provided=["all"],
        )  # fmt: skip
        texts += [r.basis for r in decided.reasons]
    return texts


def test_every_citation_names_the_right_article(catalogue: Catalogue) -> None:
    texts = [s.basis for s in catalogue.services] + scope_texts(catalogue)
    texts += [REGULATION_9, REGULATION_10, REGULATION_11, REGULATION_21]
    seen: set[str] = set()
    for text in texts:
        for article, says in regulation_citations(text):
            assert article in ARTICLE_TOPICS, (article, text)
            assert any(word in says for word in ARTICLE_TOPICS[article]), (article, says)
            assert "不再有效" not in says and "失效" not in says
            seen.add(article)
    assert seen == set(ARTICLE_TOPICS)
    cited = {s.code: {a for a, _ in regulation_citations(s.basis)} for s in catalogue.services}
    assert cited["P01"] == {"九", "二十一"}
    assert cited["P02"] == {"十", "二十一"}
    assert cited["P03"] == {"十一", "二十一"}


def test_a_lapsed_permit_is_suspended_not_invalid(catalogue: Catalogue) -> None:
    assert "使用功能中止" in PERMIT_LABELS[PermitStatus.LAPSED]
    for text in scope_texts(catalogue):
        assert "不再有效" not in text
    lapsed = regulation_citations(REGULATION_10)
    assert lapsed and "恢复" in lapsed[0][1]


# ── 19. one source for the issue time limit ──


@pytest.mark.parametrize("limit", [15, 5, 30])
def test_the_catalogue_time_limit_sets_the_issue_due_date(
    database: peewee.Database, desk: Desk, make_id: IdMaker, limit: int
) -> None:
    data = tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    p01 = next(s for s in data["service"] if s["code"] == "P01")
    p01["time_limit"] = limit
    catalogue = parse_catalogue(data, "edited.toml")
    head = new_person(new_household(), make_id)
    accepted = open_(catalogue, desk, head, "P01", provided=["all"])
    permit = permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=TODAY)
    assert permit.issue_due_by == add_working_days(accepted.opened_on, limit)
    assert accepted.promised_by == permit.issue_due_by


def test_the_permit_rules_hold_no_time_limit_of_their_own() -> None:
    import forms.permits

    assert not hasattr(forms.permits, "ISSUE_LIMIT_WORKING_DAYS")
    assert load_catalogue().permit_service("issue").time_limit == 15


# ── 22. values, not labels ──


@pytest.mark.parametrize(
    ("enum", "labels"),
    [(Status, STATUS_LABELS), (Outcome, DECISION_LABELS), (EventKind, EVENT_LABELS),
     (PermitStatus, PERMIT_LABELS)],
)  # fmt: skip
def test_every_value_has_one_label_found_by_value_or_string(enum: Any, labels: Any) -> None:
    assert set(labels) == set(enum)
    for member in enum:
        assert labels[member] == labels[str(member.value)]
        assert json.dumps(member) == json.dumps(member.value)


def test_sides_are_values_with_labels(catalogue: Catalogue) -> None:
    assert {s.side for s in catalogue.services} == set(Side)
    assert catalogue.find("F01").side is Side.FORWARD and catalogue.find("F01").side == "forward"
    assert catalogue.find("F01").side_label == "代收转办"


def test_stored_values_are_unchanged_and_carry_the_counter_and_lateness(
    database: peewee.Database, catalogue: Catalogue, make_id: IdMaker
) -> None:
    init_counter(counter_no=7, reconfigure=True)
    desk = load_desk()
    late_one = new_person(new_household(), make_id)  # valid until 2026-06-01: lapsed today
    on_time = new_person(new_household(), make_id, name="张国强")  # valid until 2026-11-30
    permit_ops.issue_permit(id_number=late_one, catalogue=catalogue, desk=desk, today=D(2025, 6, 2))
    permit_ops.issue_permit(id_number=on_time, catalogue=catalogue, desk=desk, today=D(2025, 12, 1))
    for id_number in (late_one, on_time):
        permit_ops.endorse_permit(id_number=id_number, catalogue=catalogue, desk=desk, today=TODAY)
    request = open_(catalogue, desk, late_one, "H01")
    raw = database.execute_sql(
        f"SELECT status, decision, side, counter_no FROM request WHERE id = {request.id}"
    ).fetchone()
    assert tuple(raw) == ("accepted", "handle", "here", 7)
    assert Request.get_by_id(request.id).counter_no == desk.counter_no == 7
    events = {
        (e.permit.person.id_number, e.kind): e.late
        for e in PermitEvent.select().join(Permit).order_by(PermitEvent.id)
    }
    assert events == {
        (late_one, "issued"): False,
        (on_time, "issued"): False,
        (late_one, "endorsed"): True,
        (on_time, "endorsed"): False,
    }


# ── 23. English halves are sentences, not rule codes ──


def test_every_rule_has_an_english_sentence() -> None:
    assert set(RULE_SENTENCES) == set(Rule)
    for rule, sentence in RULE_SENTENCES.items():
        assert not re.search(r"[A-Z]+-[A-Z]+", sentence), rule
        assert " " in sentence and sentence.isascii()


@pytest.mark.parametrize(
    ("action", "today", "sentence"),
    [
        ("issue", TODAY, RULE_SENTENCES[Rule.PERMIT_COMMUNITY]),
        ("endorse", TODAY, RULE_SENTENCES[Rule.ENDORSE_EARLY]),
    ],
)
def test_a_refused_permit_operation_says_why_in_english(
    database: peewee.Database, catalogue: Catalogue, make_id: IdMaker,
    action: str, today: dt.date, sentence: str,
) -> None:  # fmt: skip
    desk = load_desk()
    community = ELSEWHERE if action == "issue" else HOME
    head = new_person(new_household(community), make_id)
    if action == "endorse":
        permit_ops.issue_permit(id_number=head, catalogue=catalogue, desk=desk, today=D(2026, 5, 6))
    operation = permit_ops.issue_permit if action == "issue" else permit_ops.endorse_permit
    with pytest.raises(CounterError) as refused:
        operation(id_number=head, catalogue=catalogue, desk=desk, today=today)
    assert sentence in refused.value.en
    assert not re.search(r"[A-Z]+-[A-Z]+", refused.value.en)
