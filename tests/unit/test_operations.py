"""Counter operations against a real database: every test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import peewee
import pytest

from db import migrations, receipt_keys
from db import permits as permit_ops
from db import requests as ops
from db.models import Permit, PermitEvent, Request, RequestEvent, Setting
from db.people import add_household, add_person, find_person
from db.setup import Desk, init_counter, load_desk
from db.views import current_permit, permit_view, request_view
from forms.catalogue import Catalogue
from forms.errors import CounterError
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date


@pytest.fixture
def family(database: peewee.Database, make_id: IdMaker) -> dict[str, str]:
    """A household of the home community: a 68-year-old head, spouse, a child of 8."""
    household = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY,
        building="3", unit="2", room="501", phone="13912345678",
    )  # fmt: skip
    ids = {
        "head": make_id(D(1958, 3, 12), "男"),
        "spouse": make_id(D(1961, 8, 20), "女"),
        "child": make_id(D(2018, 5, 1), "女"),
    }
    add_person(
        household_number=household.number,
        id_number=ids["head"],
        name="王德明",
        relation="户主",
        today=TODAY,
    )
    add_person(
        household_number=household.number,
        id_number=ids["spouse"],
        name="李秀英",
        relation="配偶",
        today=TODAY,
    )
    add_person(
        household_number=household.number,
        id_number=ids["child"].lower(),
        name="王小雨",
        relation="女",
        today=TODAY,
    )
    ids["household"] = household.number
    return ids


def issue(catalogue: Catalogue, desk: Desk, id_number: str, day: dt.date = TODAY) -> Permit:
    return permit_ops.issue_permit(id_number=id_number, catalogue=catalogue, desk=desk, today=day)


# ── setup ──


def test_init_is_idempotent_and_keeps_settings(database: peewee.Database) -> None:
    first = init_counter(HOME, 2, reconfigure=True)
    key = receipt_keys.load().current
    again = init_counter()
    assert again["community"] == HOME and again["counter_no"] == 2 and again["counter"] == "SXSQ02"
    assert again["office_code"] == first["office_code"] == "SXSQ"
    # issue 8: the receipt key lives in the key file, not in the settings table, and init
    # run again keeps the signing key
    assert Setting.select().where(Setting.key == "secret").count() == 0
    assert again["receipt_key_file"] == first["receipt_key_file"]
    assert key is not None and receipt_keys.load().current == key
    assert migrations.pending(database) == []


def test_operations_refuse_an_uninitialised_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from db import open_database

    open_database(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(CounterError, match="init"):
        load_desk()


# ── households and people ──


def test_sex_and_birth_come_from_the_id(family: dict[str, str]) -> None:
    child = find_person(family["child"], TODAY)
    assert child.sex == "女" and child.birth_date == D(2018, 5, 1)
    assert child.id_number == family["child"].upper()
    assert child.hukou_address.endswith("洞河镇麻园村")
    head = find_person(family["head"], TODAY)
    # the search keys are written with the person (db/search.py reads them, never pypinyin)
    assert (head.initials, head.pinyin) == ("wdm", "wangdeming")
    assert head.id_reversed == family["head"][::-1].lower()


def test_duplicate_id_and_second_head_are_refused_without_writing(
    family: dict[str, str], make_id: IdMaker
) -> None:
    with pytest.raises(CounterError, match="已登记"):
        add_person(
            household_number=family["household"],
            id_number=family["spouse"],
            name="李秀英",
            relation="配偶",
            today=TODAY,
        )
    with pytest.raises(CounterError, match="已有户主"):
        add_person(
            household_number=family["household"],
            id_number=make_id(D(1980, 1, 1)),
            name="王二",
            relation="户主",
            today=TODAY,
        )


def test_household_numbers_are_sequential(database: peewee.Database) -> None:
    numbers = [
        add_household(
            origin_village="向阳镇金竹村", community=HOME, moved_in=D(2018, 1, 1), today=TODAY
        ).number
        for _ in range(3)
    ]
    assert numbers == ["H000001", "H000002", "H000003"]


# ── permits ──


def test_issue_records_the_limit_and_finishes_a_walk_in_request(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    permit = issue(catalogue, desk, family["head"])
    assert permit.number == "610924-2026-000001"
    assert permit.valid_until == D(2027, 11, 26)
    assert permit.residence_since == D(2019, 5, 1)
    assert permit.issue_due_by == D(2026, 12, 18)  # 15 working days after Friday 27 Nov
    request = Request.get(Request.permit == permit)
    assert request.service_name == "居住证申领" and request.status == "completed"
    assert [e.kind for e in request.events.order_by(RequestEvent.id)] == ["opened", "completed"]


def test_issue_completes_the_request_accepted_earlier(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    accepted = ops.open_request(
        id_number=family["spouse"],
        service="居住证申领",
        catalogue=catalogue,
        desk=desk,
        today=D(2026, 11, 2),
        provided=["all"],
    )
    permit = issue(catalogue, desk, family["spouse"], D(2026, 11, 20))
    accepted = Request.get_by_id(accepted.id)
    assert accepted.status == "completed" and accepted.permit_id == permit.id
    assert permit.accepted_on == D(2026, 11, 2)
    assert Request.select().count() == 1


def test_issue_waits_for_missing_materials(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    pending = ops.open_request(
        id_number=family["spouse"],
        service="P01",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["居民身份证"],
    )
    with pytest.raises(CounterError, match="补正"):
        issue(catalogue, desk, family["spouse"])
    assert Permit.select().count() == 0
    assert Request.get_by_id(pending.id).status == "pending_materials"


def test_second_issue_is_refused_and_writes_nothing(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"])
    with pytest.raises(CounterError, match="补换领"):
        issue(catalogue, desk, family["head"])
    assert Permit.select().count() == 1 and Request.select().count() == 1


def test_permit_numbers_run_per_year(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    a = issue(catalogue, desk, family["head"], D(2025, 12, 30))
    b = issue(catalogue, desk, family["spouse"], D(2026, 1, 5))
    c = issue(catalogue, desk, family["child"], D(2026, 1, 6))
    assert [a.number, b.number, c.number] == [
        "610924-2025-000001", "610924-2026-000001", "610924-2026-000002",
    ]  # fmt: skip


def test_on_time_and_late_endorsement(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2025, 3, 2))  # valid until 2026-03-01
    with pytest.raises(CounterError, match="2026-02-02"):
        permit_ops.endorse_permit(
            id_number=family["head"], catalogue=catalogue, desk=desk, today=D(2026, 1, 20)
        )
    on_time = permit_ops.endorse_permit(
        id_number=family["head"], catalogue=catalogue, desk=desk, today=D(2026, 2, 10)
    )
    assert on_time.valid_until == D(2027, 3, 1) and on_time.residence_since == D(2019, 5, 1)
    # Next year it is forgotten: lapsed on 2027-03-02, endorsed late on 2027-04-15.
    late = permit_ops.endorse_permit(
        id_number=family["head"], catalogue=catalogue, desk=desk, today=D(2027, 4, 15)
    )
    assert late.valid_until == D(2028, 4, 14) and late.residence_since == D(2027, 4, 15)
    kinds = [e.kind for e in PermitEvent.select().order_by(PermitEvent.id)]
    assert kinds == ["issued", "endorsed", "endorsed"]
    # The voter-registration year now counts from the late endorsement.
    early = ops.check(
        id_number=family["head"],
        service="选民登记",
        catalogue=catalogue,
        community=HOME,
        today=D(2028, 1, 10),
    )
    assert early.decision == "refuse" and "2028-04-15" in early.remedy


def test_replacement_retires_the_old_number_and_charges_the_fee(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    old = issue(catalogue, desk, family["head"], D(2026, 5, 6))
    new = permit_ops.replace_permit(
        id_number=family["head"], reason="lost", catalogue=catalogue, desk=desk, today=TODAY
    )
    old = Permit.get_by_id(old.id)
    assert old.status == "replaced" and old.closed_reason == "遗失补领"
    assert new.number != old.number and new.replaces_id == old.id
    assert new.valid_until == old.valid_until and float(new.fee_yuan) == 20.0
    current = current_permit(find_person(family["head"], TODAY))
    assert current is not None and current.id == new.id
    view = permit_view(new, TODAY)
    assert view["replaces"] == old.number and view["status"] == "valid"
    with pytest.raises(CounterError, match="lost"):
        permit_ops.replace_permit(
            id_number=family["head"], reason="stolen", catalogue=catalogue, desk=desk, today=TODAY
        )


def test_revocation_closes_the_permit_and_blocks_services(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    permit = permit_ops.revoke_permit(
        id_number=family["head"], reason="迁回原籍", desk=desk, today=TODAY
    )
    assert permit.status == "revoked"
    decision = ops.check(
        id_number=family["head"],
        service="医疗保险参保",
        catalogue=catalogue,
        community=HOME,
        today=TODAY,
    )
    assert decision.decision == "refuse" and {r.rule for r in decision.blocking} == {
        "PERMIT-REVOKED"
    }
    with pytest.raises(CounterError):
        permit_ops.revoke_permit(id_number=family["head"], reason="再次", desk=desk, today=TODAY)
    # A new application is possible, and residence counts from the new permit.
    again = issue(catalogue, desk, family["head"], D(2026, 11, 30))
    assert again.residence_since == D(2026, 11, 30)


# ── requests ──


def test_pending_materials_then_supplement_then_complete(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    request = ops.open_request(
        id_number=family["head"],
        service="城乡居民养老保险待遇领取",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["居民身份证", "居住证"],
    )
    assert request.status == "pending_materials" and request.promised_by is None
    assert request.documents_missing == ["户口簿", "社会保障卡或本人银行卡"]
    assert request.ticket == "SXSQ01-2026-000002"  # the permit's walk-in request was 000001
    request = ops.supplement(request.ticket, ["户口簿"], desk, TODAY)
    assert request.status == "pending_materials" and request.documents_missing == [
        "社会保障卡或本人银行卡"
    ]
    request = ops.supplement(request.ticket, ["社会保障卡或本人银行卡"], desk, D(2026, 11, 30))
    assert request.status == "accepted" and request.promised_by == D(
        2026, 12, 14
    )  # 10 working days
    request = ops.complete(request.ticket, desk, D(2026, 12, 3), "已核定待遇")
    view = request_view(Request.get_by_id(request.id), D(2026, 12, 3), with_events=True)
    assert [e["kind"] for e in view["events"]] == [
        "opened",
        "supplemented",
        "supplemented",
        "completed",
    ]
    assert view["status"] == "completed" and view["closed_on"] == "2026-12-03"
    assert view["person"]["id_number"].count("*") == 8


def test_forward_return_and_complete(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    request = ops.open_request(
        id_number=family["head"],
        service="临时救助申请",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    assert request.decision == "forward_department" and request.status == "accepted"
    with pytest.raises(CounterError, match="不能退回"):
        ops.return_request(request.ticket, desk, TODAY, "缺少说明")
    ops.forward(request.ticket, desk, TODAY)
    ops.return_request(request.ticket, desk, D(2026, 12, 1), "请补充困难情况说明")
    ops.forward(request.ticket, desk, D(2026, 12, 2))
    done = ops.complete(request.ticket, desk, D(2026, 12, 8), "县民政局批准")
    kinds = [e.kind for e in done.events.order_by(RequestEvent.id)]
    assert kinds == ["opened", "forwarded", "returned", "forwarded", "completed"]


def test_handled_here_cannot_be_forwarded(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    request = ops.open_request(
        id_number=family["head"],
        service="医疗保险参保",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    with pytest.raises(CounterError, match="不需转办"):
        ops.forward(request.ticket, desk, TODAY)


def test_a_refusal_is_recorded_with_its_reasons(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    request = ops.open_request(
        id_number=family["spouse"],
        service="医疗保险参保",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
    )
    assert request.status == "refused" and request.decision == "refuse"
    assert request.reasons[0]["rule"] == "PERMIT-NONE"
    assert "居住证申领" in request.remedy
    with pytest.raises(CounterError, match="不能办结"):
        ops.complete(request.ticket, desk, TODAY)


def test_referral_to_the_village_does_not_need_a_permit(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    request = ops.open_request(
        id_number=family["spouse"],
        service="耕地地力保护补贴",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    assert request.status == "referred" and request.handled_by == "洞河镇麻园村"
    assert request.promised_by == D(2026, 12, 11)
    assert [e.kind for e in request.events.order_by(RequestEvent.id)] == ["opened", "forwarded"]


def test_refuse_after_acceptance_needs_a_reason(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    request = ops.open_request(
        id_number=family["head"],
        service="公益性岗位申请",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    assert request.decision == "refuse"  # 68 is past the age for a public-welfare job
    request = ops.open_request(
        id_number=family["head"],
        service="产业脱贫",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    with pytest.raises(CounterError, match="理由"):
        ops.refuse(request.ticket, desk, TODAY, "  ")
    refused = ops.refuse(request.ticket, desk, TODAY, "产业项目不在扶持范围；可申请就业培训")
    assert refused.status == "refused" and refused.remedy.startswith("产业项目")


def test_permit_requests_are_finished_by_permit_operations(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    request = ops.open_request(
        id_number=family["spouse"],
        service="居住证申领",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    with pytest.raises(CounterError, match="permit"):
        ops.complete(request.ticket, desk, TODAY)


def test_a_stale_step_from_another_counter_is_rejected(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    request = ops.open_request(
        id_number=family["head"],
        service="医疗保险参保",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=["all"],
    )
    stale = Request.get_by_id(request.id)
    ops.complete(request.ticket, desk, TODAY)
    with pytest.raises(CounterError, match="其他窗口"):
        ops._save(stale, status="refused")
    assert Request.get_by_id(request.id).status == "completed"


def test_lists_by_day_status_and_overdue(
    family: dict[str, str], catalogue: Catalogue, desk: Desk
) -> None:
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    a = ops.open_request(
        id_number=family["head"],
        service="医疗保险参保",
        catalogue=catalogue,
        desk=desk,
        today=D(2026, 11, 20),
        provided=["all"],
    )
    ops.open_request(
        id_number=family["head"],
        service="两病及慢性病申报",
        catalogue=catalogue,
        desk=desk,
        today=TODAY,
        provided=[],
    )
    assert [r.ticket for r in ops.list_requests(day=D(2026, 11, 20), desk=desk)] == [a.ticket]
    assert len(ops.list_requests(day=D(2026, 11, 20), until=TODAY, desk=desk)) == 2
    assert len(ops.list_requests(day=TODAY, status="pending_materials", desk=desk)) == 1
    overdue = ops.list_requests(overdue_on=TODAY, desk=desk)
    assert [r.ticket for r in overdue] == [a.ticket]
    assert request_view(overdue[0], TODAY)["overdue"] is True
    with pytest.raises(CounterError, match="状态"):
        ops.list_requests(status="lost", desk=desk)


def test_tickets_carry_the_counter_and_restart_each_year(
    family: dict[str, str], catalogue: Catalogue, database: peewee.Database
) -> None:
    init_counter(counter_no=3, reconfigure=True)
    desk = load_desk()
    issue(catalogue, desk, family["head"], D(2026, 5, 6))
    r1 = ops.open_request(
        id_number=family["head"],
        service="H01",
        catalogue=catalogue,
        desk=desk,
        today=D(2026, 12, 31),
    )
    r2 = ops.open_request(  # another service: H01 is still open from 2026
        id_number=family["head"], service="H08", catalogue=catalogue, desk=desk, today=D(2027, 1, 4)
    )
    assert r1.ticket == "SXSQ03-2026-000002" and r2.ticket == "SXSQ03-2027-000001"


def test_counters_opening_at_the_same_moment_get_unique_gap_free_tickets(
    family: dict[str, str], catalogue: Catalogue, database: peewee.Database
) -> None:
    """Four counters, one database, ten requests each at once: no duplicate, no gap."""
    import threading

    from db.connection import db

    issue(catalogue, load_desk(), family["head"], D(2026, 5, 6))
    desk = load_desk()
    tickets: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def counter() -> None:
        try:
            with db.connection_context():
                start.wait()
                for _ in range(10):
                    r = ops.open_request(
                        id_number=family["head"],
                        service="H08",
                        catalogue=catalogue,
                        desk=desk,
                        today=TODAY,
                        again_reason="负载测试：同一事项再次申请",
                    )
                    tickets.append(r.ticket)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=counter) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    serials = sorted(int(t.rsplit("-", 1)[1]) for t in tickets)
    assert serials == list(range(2, 42))  # 000001 was the permit's own request
    assert Request.select().count() == 41


def test_add_person_refuses_a_relation_of_the_other_sex(
    family: dict[str, str], make_id: IdMaker
) -> None:
    """长女 for a man's ID is refused naming 与户主关系 (the CLI and the desk both get it); a
    relation that names no sex accepts either."""
    son = make_id(D(1990, 1, 1), "男")
    with pytest.raises(CounterError) as refused:
        add_person(
            household_number=family["household"], id_number=son, name="王小军",
            relation="长女", today=TODAY,
        )  # fmt: skip
    assert "与户主关系“长女”应为女性" in refused.value.zh and "男" in refused.value.zh
    assert "relation to head" in refused.value.en
    with pytest.raises(CounterError):
        find_person(son)  # nothing written
    person = add_person(
        household_number=family["household"], id_number=son, name="王小军",
        relation="长子", today=TODAY,
    )  # fmt: skip
    assert (person.relation_code, person.sex) == ("22", "男")
    other = add_person(
        household_number=family["household"], id_number=make_id(D(1992, 2, 2), "女"),
        name="王小红", relation="其他", today=TODAY,
    )  # fmt: skip
    assert other.relation_code == "80"


def test_looking_at_full_personal_data_is_recorded(family: dict[str, str], desk: Desk) -> None:
    from db.models import AccessLog
    from db.people import show_person

    person = show_person(family["spouse"], desk, TODAY)
    log = list(AccessLog.select())
    assert [(a.person_id, a.staff_id, a.counter_code) for a in log] == [
        (person.id, desk.staff_id, "SXSQ01")
    ]


def test_two_counters_issuing_to_one_person_at_once_make_one_permit(
    family: dict[str, str], catalogue: Catalogue, database: peewee.Database
) -> None:
    import threading

    from db.connection import db

    desk = load_desk()
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def counter() -> None:
        with db.connection_context():
            start.wait()
            try:
                issue(catalogue, desk, family["spouse"])
                outcomes.append("issued")
            except CounterError:
                outcomes.append("refused")

    threads = [threading.Thread(target=counter) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["issued", "refused"]
    assert Permit.select().count() == 1


def test_a_database_missing_a_step_is_refused_until_init_applies_it(
    database: peewee.Database,
) -> None:
    from db.models import SchemaVersion

    names = [name for name, _ in migrations.steps()]
    assert names and names[0] == "m0001_initial"
    SchemaVersion.delete().where(SchemaVersion.name == names[-1]).execute()
    assert migrations.pending(database) == [names[-1]]
    with pytest.raises(CounterError, match="升级"):
        load_desk()
    assert init_counter()["schema"] == [names[-1]]
    assert migrations.pending(database) == [] and load_desk().community == HOME
