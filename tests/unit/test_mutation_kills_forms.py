"""Tests for the mutants mutmut found alive in forms/ (scope, dates, text, people, verify).

Each test asserts what a clerk or a caller relies on: the exact rule code, the remedy and basis
a refusal names, the English sentence of an error, the JSON shape of `check --json`, the edge of
a date rule. Pure: no database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

import pytest

from forms import dates
from forms.catalogue import Catalogue, Conditions, Document, Service
from forms.errors import CounterError
from forms.scope import (
    ONE_TIME_NOTICE,
    PERMIT_GUIDE,
    REGULATION_10,
    RULE_SENTENCES,
    Decision,
    HouseholdFacts,
    PermitFacts,
    PersonFacts,
    Reason,
    Rule,
    check_scope,
    resolve_documents,
    rule_sentence,
    split_documents,
)

D = dt.date


# ── forms/scope.py: Decision and the rule sentences ──


def _decision(catalogue: Catalogue, blocking: tuple[Reason, ...], remedy: str) -> Decision:
    service = catalogue.find("P03")
    id_card, photo, old = service.documents
    return Decision(
        decision="refuse",
        service=service,
        handled_by=None,
        reasons=blocking,
        required=service.documents,
        received=(id_card,),
        missing=(photo, old),
        remedy=remedy,
        age=40,
        blocking=blocking,
    )


NONE = Reason(Rule.PERMIT_NONE, "当事人未持有居住证", "依据一")
COMMUNITY = Reason(Rule.PERMIT_COMMUNITY, "不属本社区", "依据二")


def test_refusal_message_joins_every_blocking_reason_then_the_remedy(catalogue: Catalogue) -> None:
    d = _decision(catalogue, (NONE, COMMUNITY), "请办理“居住证申领”（P01）")
    assert d.refusal_message() == "当事人未持有居住证；不属本社区。请办理“居住证申领”（P01）"


def test_refusal_message_without_a_remedy_is_the_reasons_alone(catalogue: Catalogue) -> None:
    d = _decision(catalogue, (NONE, COMMUNITY), "")
    assert d.refusal_message() == "当事人未持有居住证；不属本社区"


def test_refusal_english_gives_each_rule_once_in_order(catalogue: Catalogue) -> None:
    again = Reason(Rule.PERMIT_NONE, "另一条同规则理由", "依据三")
    d = _decision(catalogue, (NONE, COMMUNITY, again), "")
    assert d.refusal_english() == (
        "the person holds no usable residence permit; "
        "the person belongs to another community's service hall"
    )


def test_rule_sentence_of_a_known_and_an_unknown_code() -> None:
    assert rule_sentence("AGE-MIN") == "the person is under the service's minimum age"
    # a code stored by an older version, no longer a rule: shown as it is, never as None
    assert rule_sentence("PERMIT-EXPIRED") == "PERMIT-EXPIRED"
    assert set(RULE_SENTENCES) == set(Rule)


def test_decision_as_dict_is_the_check_json_shape(catalogue: Catalogue) -> None:
    d = _decision(catalogue, (NONE,), "请办理“居住证申领”（P01）")
    assert d.as_dict() == {
        "decision": "refuse",
        "service": {"code": "P03", "name": "居住证补换领", "side": "here"},
        "handled_by": None,
        "reasons": [{"rule": "PERMIT-NONE", "text": "当事人未持有居住证", "basis": "依据一"}],
        "missing_documents": ["近期一寸免冠彩色照片", "原居住证或遗失声明"],
        "received_documents": ["居民身份证"],
        "required_documents": [
            {"name": "居民身份证", "copies": 1, "issuer": "公安机关"},
            {"name": "近期一寸免冠彩色照片", "copies": 2, "issuer": "申请人自备"},
            {"name": "原居住证或遗失声明", "copies": 1, "issuer": "申请人"},
        ],
        "remedy": "请办理“居住证申领”（P01）",
    }


# ── forms/dates.py: every refusal in full, both languages, at its edge ──


def _refusal(call: Callable[[], object]) -> tuple[str, str]:
    with pytest.raises(CounterError) as caught:
        call()
    return caught.value.zh, caught.value.en


TODAY = D(2026, 11, 27)


@pytest.mark.parametrize(
    ("stored", "zh", "en"),
    [
        (
            "三十",
            "补录期限设置（backdate_days）应为0至366的整数：三十",
            "setting backdate_days must be a whole number 0 to 366: 三十",
        ),
        (
            " 367 ",
            "补录期限设置（backdate_days）应为0至366天：367",
            "setting backdate_days must be 0 to 366 days: 367",
        ),
        (
            "-1",
            "补录期限设置（backdate_days）应为0至366天：-1",
            "setting backdate_days must be 0 to 366 days: -1",
        ),
    ],
)
def test_backdate_setting_refusals_in_full(stored: str, zh: str, en: str) -> None:
    assert _refusal(lambda: dates.backdate_days(stored)) == (zh, en)


@pytest.mark.parametrize(("stored", "days"), [("   ", 30), (" 0", 0), ("366 ", 366)])
def test_backdate_setting_edges(stored: str, days: int) -> None:
    assert dates.backdate_days(stored) == days


def test_a_future_business_day_is_refused_in_full() -> None:
    assert _refusal(lambda: dates.check_business_day(D(2026, 11, 28), TODAY, 30)) == (
        "办理日期2026-11-28晚于今天（2026-11-27），不能预先登记",
        "date 2026-11-28 is after today (2026-11-27)",
    )


def test_a_business_day_beyond_the_window_is_refused_in_full() -> None:
    assert dates.check_business_day(D(2026, 11, 20), TODAY, 7) == D(2026, 11, 20)
    assert _refusal(lambda: dates.check_business_day(D(2026, 11, 19), TODAY, 7)) == (
        "办理日期2026-11-19早于补录期限（最多补录7天，即不早于2026-11-20）；"
        "如需放宽，请负责人修改补录期限设置",
        "date 2026-11-19 is more than 7 days back (earliest 2026-11-20); "
        "a supervisor can change the window",
    )


def test_a_step_before_the_opening_is_refused_in_full() -> None:
    assert _refusal(lambda: dates.check_step_day(D(2026, 11, 26), TODAY, "SXSQ01-2026-000002")) == (
        "办理日期2026-11-26早于SXSQ01-2026-000002的受理日期2026-11-27",
        "date 2026-11-26 is before SXSQ01-2026-000002 was opened (2026-11-27)",
    )


@pytest.mark.parametrize(
    ("day", "ok"), [(D(2019, 4, 30), False), (D(2019, 5, 1), True), (D(2019, 5, 2), True)]
)
def test_a_request_is_not_opened_before_moving_in(day: dt.date, ok: bool) -> None:
    if ok:
        assert dates.check_open_day(day, D(2019, 5, 1)) == day
    else:
        assert _refusal(lambda: dates.check_open_day(day, D(2019, 5, 1))) == (
            "受理日期2019-04-30早于该户搬迁入住日期2019-05-01",
            "date 2019-04-30 is before the household moved in (2019-05-01)",
        )


def test_move_in_refusals_in_full() -> None:
    assert _refusal(lambda: dates.check_moved_in(D(2026, 11, 28), TODAY)) == (
        "搬迁入住日期2026-11-28晚于今天",
        "move-in date 2026-11-28 is in the future",
    )
    assert _refusal(lambda: dates.check_moved_in(D(1999, 12, 31), TODAY)) == (
        "搬迁入住日期1999-12-31早于2000-01-01，请核对",
        "move-in date 1999-12-31 is before 2000-01-01",
    )


# ── forms/scope.py: check_scope, each side's reasons in full ──

HOME = "蒿坪镇双星社区"
HEAD = PersonFacts("610924195803120310", "王德明", D(1958, 3, 12), "男", "户主")
HOUSEHOLD = HouseholdFacts("H000001", "洞河镇麻园村", HOME, D(2019, 5, 1), "王德明")
PERMIT = PermitFacts("610924-2026-000001", "valid", D(2027, 3, 30), D(2019, 5, 1), HOME)


def _check(service: Service, provided: tuple[str, ...] = (), **facts: object) -> Decision:
    args: dict[str, object] = {
        "person": HEAD,
        "household": HOUSEHOLD,
        "permit": PERMIT,
        "service": service,
        "counter_community": HOME,
        "today": TODAY,
        "provided": provided,
    }
    args.update(facts)
    return check_scope(**args)  # type: ignore[arg-type]


def _texts(decision: Decision) -> list[tuple[str, str]]:
    return [(r.rule, r.text) for r in decision.reasons]


def test_a_move_out_village_matter_is_referred_with_the_village_notice(
    catalogue: Catalogue,
) -> None:
    service = catalogue.find("V01")
    d = _check(service, ("居民身份证",))
    assert (d.decision, d.handled_by, d.age) == ("refer_origin", "洞河镇麻园村", 68)
    assert _texts(d) == [
        (
            "SIDE-ORIGIN",
            "“土地承包经营”属迁出村责任清单，由迁出村洞河镇麻园村办理；"
            "搬迁群众在迁出地的权益不变，不受居住证状态影响，本窗口开具转办单",
        ),
        ("MATERIALS-MISSING", "办理时须向迁出村提交：户口簿、农村土地承包经营权证（已一次性告知）"),
    ]
    assert [r.basis for r in d.reasons] == [service.basis, ONE_TIME_NOTICE]
    assert [doc.name for doc in d.received] == ["居民身份证"]
    assert not d.blocking and d.remedy == ""


def test_a_forward_matter_names_the_department_first_and_the_missing_last(
    catalogue: Catalogue,
) -> None:
    service = catalogue.find("F01")
    d = _check(service, ("居民身份证、居住证",))
    assert (d.decision, d.handled_by, d.age) == ("forward_department", "紫阳县民政局", 68)
    assert d.reasons[0] == Reason(
        "SIDE-FORWARD", "“城乡低保申请”由本窗口代收材料，转紫阳县民政局办理", service.basis
    )
    assert d.reasons[-1] == Reason(
        "MATERIALS-MISSING",
        "材料不全，缺少3项：户口簿、家庭收入及财产状况申报表、家庭经济状况核对授权书；"
        "已一次性告知，补齐后办理（待补正，不作不予办理）",
        ONE_TIME_NOTICE,
    )
    assert [r.rule for r in d.reasons] == ["SIDE-FORWARD", "PERMIT-VALID", "MATERIALS-MISSING"]


def test_a_matter_of_this_counter_names_the_hall_first(catalogue: Catalogue) -> None:
    service = catalogue.find("H06")
    d = _check(service, ("all",))
    assert (d.decision, d.handled_by, d.age) == ("handle", "蒿坪镇双星社区服务大厅", 68)
    assert d.reasons[0] == Reason(
        "SIDE-HERE", "“城乡居民养老保险待遇领取”属迁入社区事项，本窗口办理", service.basis
    )
    assert [r.rule for r in d.reasons] == ["SIDE-HERE", "PERMIT-VALID", "AGE-MIN"]
    assert d.missing == ()


def test_every_refusal_and_every_remedy_at_once(catalogue: Catalogue) -> None:
    service = dataclasses.replace(catalogue.find("H06"), in_permit_scope=False)
    young = dataclasses.replace(HEAD, id_number="610924197001010011", birth_date=D(1970, 1, 1))
    d = _check(service, ("all",), person=young, permit=None)
    assert (d.decision, d.handled_by, d.age) == ("refuse", None, 56)
    assert [r.rule for r in d.blocking] == ["PERMIT-SCOPE", "PERMIT-NONE", "AGE-MIN"]
    assert d.reasons == d.blocking  # nothing else was found
    assert [r.basis for r in d.blocking] == [PERMIT_GUIDE, PERMIT_GUIDE, service.basis]
    assert d.remedy == (
        "请按办事指南到主管部门办理；请先办理“居住证申领”（P01），发证后即可办理；"
        "可于2030-01-01（年满60周岁）起办理"
    )


def test_refusals_come_before_the_reasons_that_hold(catalogue: Catalogue) -> None:
    young = dataclasses.replace(HEAD, id_number="610924197001010011", birth_date=D(1970, 1, 1))
    d = _check(catalogue.find("H06"), ("all",), person=young)
    assert [r.rule for r in d.reasons] == ["AGE-MIN", "PERMIT-VALID"]
    assert d.remedy == "可于2030-01-01（年满60周岁）起办理"


def test_two_refusals_with_the_same_remedy_name_it_once(catalogue: Catalogue) -> None:
    old = dataclasses.replace(catalogue.find("H06"), in_permit_scope=False)
    twice = dataclasses.replace(old, conditions=Conditions(min_age=60, max_age=59))
    d = _check(twice, ("all",))
    assert [r.rule for r in d.blocking] == ["PERMIT-SCOPE", "AGE-MAX"]
    assert d.remedy == (
        "请按办事指南到主管部门办理；该事项仅限59周岁及以下人员；可咨询窗口其他适用事项"
    )


def test_a_child_is_asked_for_the_guardians_id_and_all_includes_it(catalogue: Catalogue) -> None:
    child = PersonFacts("610924201501010013", "王小明", D(2015, 1, 1), "男", "孙子")
    service = catalogue.find("P01")
    asked = _check(service, (), person=child, permit=None)
    assert asked.age == 11
    assert [doc.name for doc in asked.required][-1] == "监护人或近亲属居民身份证"
    assert asked.missing == asked.required
    given = _check(service, ("all",), person=child, permit=None)
    assert given.received == given.required and given.missing == ()
    adult = _check(service, ("all",), permit=None)
    assert "监护人或近亲属居民身份证" not in [doc.name for doc in adult.required]
    # numbers count in the service's whole list, whatever the age
    assert [doc.name for doc in _check(service, ("4",), person=child, permit=None).received] == [
        "监护人或近亲属居民身份证"
    ]


# ── forms/scope.py: resolve_documents, what the officer typed ──

DOCS = (
    Document("居民身份证", 1, "公安机关"),
    Document("户口簿", 1, "公安机关"),
    Document("居住证", 1, "紫阳县公安局"),
)


@pytest.mark.parametrize(
    ("typed", "names"),
    [
        (["1"], ["居民身份证"]),
        (["3"], ["居住证"]),  # the last number of the list
        (["３"], ["居住证"]),  # full-width digit
        (["户口簿"], ["户口簿"]),
        ([" 户口簿 "], ["户口簿"]),
        (["3,1"], ["居住证", "居民身份证"]),  # in the order typed
        (["3，1、2"], ["居住证", "居民身份证", "户口簿"]),
        (["2;3；1"], ["户口簿", "居住证", "居民身份证"]),
        (["1", "居民身份证", "1"], ["居民身份证"]),  # each once
        (["", " ", ",,"], []),
        (["all"], ["居民身份证", "户口簿"]),  # every *required* one
        (["ALL"], ["居民身份证", "户口簿"]),
        (["全部"], ["居民身份证", "户口簿"]),
        (["3", "all"], ["居住证", "居民身份证", "户口簿"]),
    ],
)
def test_resolve_documents(typed: list[str], names: list[str]) -> None:
    chosen = resolve_documents(DOCS, DOCS[:2], typed, "城乡低保申请")
    assert [d.name for d in chosen] == names


@pytest.mark.parametrize("typed", ["0", "4", "身份证", "-1"])
def test_an_unknown_document_is_refused_with_the_accepted_names(typed: str) -> None:
    assert _refusal(lambda: resolve_documents(DOCS, DOCS, [typed], "城乡低保申请")) == (
        f"“城乡低保申请”的材料清单中没有“{typed}”；可填：1.居民身份证、2.户口簿、3.居住证，或 all",
        f"'{typed}' is not a document of 城乡低保申请; use a listed name, its number, or 'all'",
    )


def test_split_documents_on_every_separator() -> None:
    assert split_documents("a,b，c、d;e；f") == ["a", "b", "c", "d", "e", "f"]
    assert split_documents(3) == ["3"]


# ── forms/scope.py: the permit rules, every branch in full ──

OTHER = "城关镇新城社区"
GUIDE_HERE = PERMIT_GUIDE + "；迁入地管理为主"
NUMBER = PERMIT.number


def _outcome(d: Decision, *rules: str) -> tuple[str, list[tuple[str, str, str]], str]:
    """(decision, the reasons of the given rules as (rule, text, basis), remedy)."""
    found = [(r.rule, r.text, r.basis) for r in d.reasons if r.rule in rules]
    return d.decision, found, d.remedy


PERMIT_RULES = ("PERMIT-SCOPE", "PERMIT-NONE", "PERMIT-REVOKED", "PERMIT-LAPSED",
                "PERMIT-COMMUNITY", "PERMIT-VALID")  # fmt: skip


@pytest.mark.parametrize(
    ("permit", "household_community", "decision", "reasons", "remedy"),
    [
        (PERMIT, HOME, "handle",
         [("PERMIT-VALID", f"居住证{NUMBER}有效，有效期至2027-03-30", PERMIT_GUIDE)], ""),
        (dataclasses.replace(PERMIT, valid_until=TODAY), HOME, "handle",
         [("PERMIT-VALID", f"居住证{NUMBER}有效，有效期至2026-11-27", PERMIT_GUIDE)], ""),
        (None, HOME, "refuse",
         [("PERMIT-NONE", "当事人未持有居住证，迁入社区事项须凭居住证办理", PERMIT_GUIDE)],
         "请先办理“居住证申领”（P01），发证后即可办理"),
        (None, OTHER, "refuse",
         [("PERMIT-NONE", "当事人未持有居住证，迁入社区事项须凭居住证办理", PERMIT_GUIDE)],
         "请到城关镇新城社区服务大厅办理“居住证申领”（P01），发证后即可办理"),
        (dataclasses.replace(PERMIT, status="revoked"), HOME, "refuse",
         [("PERMIT-REVOKED", f"居住证{NUMBER}已注销，不能凭此证办理", PERMIT_GUIDE)],
         "请重新办理“居住证申领”（P01）"),
        (dataclasses.replace(PERMIT, status="replaced", community=OTHER), OTHER, "refuse",
         [("PERMIT-REVOKED", f"居住证{NUMBER}已补换（旧证作废），不能凭此证办理", PERMIT_GUIDE)],
         "请到城关镇新城社区服务大厅重新办理“居住证申领”（P01）"),
        (dataclasses.replace(PERMIT, valid_until=D(2026, 11, 26)), HOME, "refuse",
         [("PERMIT-LAPSED", f"居住证{NUMBER}有效期至2026-11-26，未按期签注，使用功能中止",
           REGULATION_10)],
         "请先办理“居住证签注”（P02），签注当日即恢复使用"),
        (dataclasses.replace(PERMIT, community=OTHER), OTHER, "refuse",
         [("PERMIT-COMMUNITY", f"居住证{NUMBER}由城关镇新城社区登记，不属本社区（蒿坪镇双星社区）",
           GUIDE_HERE)],
         "请到城关镇新城社区服务大厅办理"),
        (dataclasses.replace(PERMIT, community=OTHER, valid_until=D(2026, 11, 26)), OTHER, "refuse",
         [("PERMIT-LAPSED", f"居住证{NUMBER}有效期至2026-11-26，未按期签注，使用功能中止",
           REGULATION_10),
          ("PERMIT-COMMUNITY", f"居住证{NUMBER}由城关镇新城社区登记，不属本社区（蒿坪镇双星社区）",
           GUIDE_HERE)],
         "请先办理“居住证签注”（P02），签注当日即恢复使用；请到城关镇新城社区服务大厅办理"),
    ],
    ids=["valid", "last-valid-day", "none", "none-elsewhere", "revoked", "replaced-elsewhere",
         "lapsed", "other-community", "lapsed-and-other-community"],
)  # fmt: skip
def test_a_service_of_the_hall_and_the_permit(
    catalogue: Catalogue,
    permit: PermitFacts | None,
    household_community: str,
    decision: str,
    reasons: list[tuple[str, str, str]],
    remedy: str,
) -> None:
    household = dataclasses.replace(HOUSEHOLD, community=household_community)
    d = _check(catalogue.find("H06"), ("all",), permit=permit, household=household)
    assert _outcome(d, *PERMIT_RULES) == (decision, reasons, remedy)


def test_a_service_outside_the_permit_scope_is_refused_in_full(catalogue: Catalogue) -> None:
    service = dataclasses.replace(catalogue.find("H06"), in_permit_scope=False)
    d = _check(service, ("all",))
    assert _outcome(d, *PERMIT_RULES) == (
        "refuse",
        [
            (
                "PERMIT-SCOPE",
                "“城乡居民养老保险待遇领取”不在居住证使用范围和权限之内",
                PERMIT_GUIDE,
            ),
            ("PERMIT-VALID", f"居住证{NUMBER}有效，有效期至2027-03-30", PERMIT_GUIDE),
        ],
        "请按办事指南到主管部门办理",
    )


def test_a_service_that_needs_no_permit_ignores_it(catalogue: Catalogue) -> None:
    service = dataclasses.replace(catalogue.find("H06"), needs_permit=False)
    d = _check(service, ("all",), permit=None)
    assert d.decision == "handle"
    assert [r.rule for r in d.reasons] == ["SIDE-HERE", "AGE-MIN"]


PERMIT_SERVICE = "居住证本身的事项不以持有有效居住证为前提"
LAPSED = dataclasses.replace(PERMIT, valid_until=D(2026, 11, 26))
SERVICE_RULES = ("PERMIT-SERVICE", "PERMIT-COMMUNITY", "PERMIT-NONE", "PERMIT-HELD",
                 "ENDORSE-EARLY", "ENDORSE-LATE", "ENDORSE-ON-TIME", "REPLACE-LAPSED")  # fmt: skip


@pytest.mark.parametrize(
    ("code", "permit", "decision", "reasons", "remedy"),
    [
        ("P01", None, "handle", [], ""),
        ("P01", dataclasses.replace(PERMIT, status="revoked"), "handle", [], ""),
        ("P01", PERMIT, "refuse",
         [("PERMIT-HELD", f"当事人已持有有效居住证{NUMBER}（有效期至2027-03-30）", "P01")],
         "如遗失或损坏，请办理“居住证补换领”（P03）"),
        ("P01", LAPSED, "refuse",
         [("PERMIT-HELD", f"当事人已持有居住证{NUMBER}，因未签注使用功能中止，补办签注即恢复，"
           "无须重新申领", REGULATION_10)],
         "请办理“居住证签注”（P02）"),
        ("P02", None, "refuse",
         [("PERMIT-NONE", "当事人未持有居住证，不能居住证签注", "P02")],
         "请办理“居住证申领”（P01）"),
        ("P03", None, "refuse",
         [("PERMIT-NONE", "当事人未持有居住证，不能居住证补换领", "P03")],
         "请办理“居住证申领”（P01）"),
        ("P02", dataclasses.replace(PERMIT, status="revoked"), "refuse",
         [("PERMIT-NONE", f"当事人居住证{NUMBER}已注销，不能居住证签注", "P02")],
         "请办理“居住证申领”（P01）"),
        ("P03", dataclasses.replace(PERMIT, status="replaced"), "refuse",
         [("PERMIT-NONE", f"当事人居住证{NUMBER}已补换（旧证作废），不能居住证补换领", "P03")],
         "请办理“居住证申领”（P01）"),
        ("P02", dataclasses.replace(PERMIT, valid_until=D(2026, 12, 27)), "refuse",
         [("ENDORSE-EARLY", f"居住证{NUMBER}有效期至2026-12-27，未到签注时间", "P02")],
         "请于2026-11-28起办理签注"),
        ("P02", dataclasses.replace(PERMIT, valid_until=D(2026, 12, 26)), "handle",
         [("ENDORSE-ON-TIME", "在签注期内（2026-11-27起），有效期延长一年，居住年限连续计算",
           "P02")], ""),
        ("P02", dataclasses.replace(PERMIT, valid_until=TODAY), "handle",
         [("ENDORSE-ON-TIME", "在签注期内（2026-10-28起），有效期延长一年，居住年限连续计算",
           "P02")], ""),
        ("P02", LAPSED, "handle",
         [("ENDORSE-LATE", "逾期签注：补办签注后使用功能恢复，有效期一年，"
           "居住年限自2026-11-27起连续计算", REGULATION_10)], ""),
        ("P03", PERMIT, "handle", [], ""),
        ("P03", LAPSED, "handle",
         [("REPLACE-LAPSED", "原证因未签注使用功能中止，补换领后仍须办理签注", REGULATION_10)], ""),
    ],
    ids=["issue-none", "issue-revoked", "issue-held", "issue-lapsed", "endorse-none",
         "replace-none", "endorse-revoked", "replace-replaced", "endorse-a-day-early",
         "endorse-first-day", "endorse-last-day", "endorse-late", "replace-valid",
         "replace-lapsed"],
)  # fmt: skip
def test_the_permit_services(
    catalogue: Catalogue,
    code: str,
    permit: PermitFacts | None,
    decision: str,
    reasons: list[tuple[str, str, str]],
    remedy: str,
) -> None:
    service = catalogue.find(code)
    d = _check(service, ("all",), permit=permit)
    # "P0x" in the table stands for the service's own basis
    expected = [(rule, text, service.basis if b == code else b) for rule, text, b in reasons]
    always = ("PERMIT-SERVICE", PERMIT_SERVICE, service.basis)
    # a refusal is listed before the reasons that hold
    listed = [*expected, always] if decision == "refuse" else [always, *expected]
    assert _outcome(d, *SERVICE_RULES) == (decision, listed, remedy)


def test_a_permit_service_of_another_community(catalogue: Catalogue) -> None:
    household = dataclasses.replace(HOUSEHOLD, community=OTHER)
    d = _check(catalogue.find("P02"), ("all",), household=household, permit=None)
    assert [(r.rule, r.text, r.basis) for r in d.blocking] == [
        ("PERMIT-COMMUNITY",
         "当事人安置在城关镇新城社区，居住证由迁入社区受理，不属本社区（蒿坪镇双星社区）",
         GUIDE_HERE),
        ("PERMIT-NONE", "当事人未持有居住证，不能居住证签注", catalogue.find("P02").basis),
    ]  # fmt: skip
    assert d.remedy == "请到城关镇新城社区服务大厅办理；请办理“居住证申领”（P01）"


# ── forms/people.py: a catalogue condition on the relation to the head ──


def _relation_service(catalogue: Catalogue, *relations: str) -> Service:
    """H15 (以户为单位) with its relation condition as a supervisor might write it."""
    service = catalogue.find("H15")
    return dataclasses.replace(service, conditions=Conditions(relations=relations))


def _member(relation: str, code: str) -> PersonFacts:
    return dataclasses.replace(HEAD, relation=relation, relation_code=code)


@pytest.mark.parametrize(
    ("relation", "code", "met"),
    [("配偶", "10", True), ("长子", "22", True), ("次子", "23", False), ("孙子", "41", False)],
)
def test_a_relation_condition_naming_two_digit_codes_admits_exactly_those(
    catalogue: Catalogue, relation: str, code: str, met: bool
) -> None:
    service = _relation_service(catalogue, "10", "22")
    assert service.conditions.describe() == ["由配偶或长子办理"]  # the notification slip
    d = _check(service, ("all",), person=_member(relation, code))
    found = [(r.rule, r.text) for r in d.reasons if r.rule == "RELATION"]
    if met:
        assert (d.decision, found) == ("handle", [("RELATION", f"当事人为{relation}")])
    else:
        text = f"该事项以户为单位由配偶或长子办理，当事人为{relation}"
        assert (d.decision, found) == ("refuse", [("RELATION", text)])
        assert d.remedy == "请由户主王德明办理，或凭户主签字的委托书代办"


def test_a_relation_condition_naming_code_01_reads_as_the_head(catalogue: Catalogue) -> None:
    # 01 本人 is the head themself (HEAD_CODES): a condition written with it must not tell the
    # clerk or the slip "由本人办理" (by the person themself), which would admit anyone.
    service = _relation_service(catalogue, "01")
    assert service.conditions.describe() == ["由户主办理"]
    d = _check(service, ("all",), person=_member("长子", "22"))
    assert [(r.rule, r.text) for r in d.blocking] == [
        ("RELATION", "该事项以户为单位由户主办理，当事人为长子")
    ]
    assert _check(service, ("all",), person=_member("户主", "02")).decision == "handle"
    both = _relation_service(catalogue, "01", "02", "0", "1")
    assert both.conditions.describe() == ["由户主或配偶办理"]


# ── forms/people.py and forms/text.py: names, phones and stored text, refusals in full ──


@pytest.mark.parametrize(
    ("typed", "shown_zh", "shown_en"),
    [("", "（空）", "(empty)"), ("   ", "（空）", "(empty)"), ("王", "王", "王"),
     ("王" * 21, "王" * 21, "王" * 21), ("Wang Ming", "Wang Ming", "Wang Ming")],
)  # fmt: skip
def test_a_bad_name_is_refused_in_full(typed: str, shown_zh: str, shown_en: str) -> None:
    from forms.people import check_name

    assert _refusal(lambda: check_name(typed)) == (
        f"姓名应为2至20个汉字（少数民族姓名可含“·”）：{shown_zh}",
        f"name must be 2 to 20 Chinese characters: {shown_en}",
    )


@pytest.mark.parametrize("typed", ["王明", "王" * 20, " 阿依古丽・买买提 "])
def test_names_of_two_to_twenty_characters_are_kept(typed: str) -> None:
    from forms.people import check_name

    assert check_name(typed) == typed.strip().replace("・", "·")


def test_a_name_with_a_control_character_names_it_in_both_languages() -> None:
    from forms.people import check_name

    assert _refusal(lambda: check_name("王\x1b[2J明")) == (
        "姓名含有不允许的控制字符（\\x1b），请重新输入",
        "name contains a forbidden control character (\\x1b)",
    )


@pytest.mark.parametrize("typed", ["1381234567", "23812345678", "029-123456", "电话"])
def test_a_bad_phone_is_refused_in_full(typed: str) -> None:
    from forms.people import check_phone

    assert _refusal(lambda: check_phone(typed)) == (
        f"联系电话格式不正确（11位手机号或带区号的固定电话）：{typed}",
        f"phone must be an 11-digit mobile or a landline with area code: {typed}",
    )


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        (None, ""),
        ("", ""),
        ("１３８ １２３４ ５６７８", "13812345678"),
        ("0915-1234567", "0915-1234567"),
    ],
)
def test_a_phone_may_be_left_blank_and_is_stored_as_digits(typed: str | None, stored: str) -> None:
    from forms.people import check_phone

    assert check_phone(typed) == stored


def test_stored_text_names_the_first_forbidden_character_in_both_languages() -> None:
    from forms.text import field

    assert _refusal(lambda: field("窗口\u202e受理\x07", "note")) == (
        "办理说明含有不允许的控制字符（\\u202e），请重新输入",
        "note contains a forbidden control character (\\u202e)",
    )


@pytest.mark.parametrize("typed", [None, "", "  \u3000 "])
def test_a_required_field_left_blank_is_refused_in_full(typed: str | None) -> None:
    from forms.text import field

    assert _refusal(lambda: field(typed, "revoke_reason", required=True)) == (
        "缺少注销原因",
        "revoke reason is required",
    )
    assert field(typed, "revoke_reason") == ""  # optional: blank is kept as empty


def test_a_place_name_is_required_and_limited_to_sixty_characters() -> None:
    from forms.people import check_place

    assert check_place(" 蒿坪镇双星社区 ", "社区名称", "community") == "蒿坪镇双星社区"
    assert check_place("村" * 60, "社区名称", "community") == "村" * 60
    assert _refusal(lambda: check_place("村" * 61, "社区名称", "community")) == (
        "社区名称过长（最多60字，当前61字）",
        "community is too long (60 characters at most, got 61)",
    )
    assert _refusal(lambda: check_place(" ", "社区名称", "community")) == (
        "缺少社区名称",
        "community is required",
    )


# ── forms/people.py: a relation left blank ──


@pytest.mark.parametrize("typed", ["", None, "  "])
def test_a_blank_relation_is_refused_as_empty_with_examples(typed: str | None) -> None:
    from forms.people import check_relation

    assert _refusal(lambda: check_relation(typed)) == (  # type: ignore[arg-type]
        "与户主关系“（空）”无效：请按户口簿填写（GB/T 4761 家庭关系），"
        "如户主、配偶、长子、次女、儿媳、孙子、父亲、弟、侄子，或两位代码（如 02 户主、73 弟）",
        "unknown relation to head '': use a GB/T 4761 term as in the household register "
        "(e.g. 户主, 配偶, 长子, 弟) or its two-digit code (e.g. 02, 73)",
    )


# ── forms/people.py: the ethnicity as typed ──


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("汉", "汉族"), ("汉族", "汉族"), (None, "汉族"), (" 土家族 ", "土家族"), ("土族", "土族"),
     ("蒙古族", "蒙古族"), ("维吾尔", "维吾尔族")],
)  # fmt: skip
def test_an_ethnicity_is_stored_as_the_card_prints_it(typed: str | None, stored: str) -> None:
    # 土家族 and 土族 are two peoples: the 族 typed at the end is the only thing dropped
    from forms.people import check_ethnicity

    assert check_ethnicity(typed) == stored


@pytest.mark.parametrize("typed", ["族", "汉汉族", "苗家族"])
def test_an_unknown_ethnicity_is_refused_in_full(typed: str) -> None:
    from forms.people import check_ethnicity

    assert _refusal(lambda: check_ethnicity(typed)) == (
        f"民族“{typed}”不在56个民族名称中",
        f"ethnicity '{typed}' is not one of the 56 recognised ethnic groups",
    )


# ── forms/people.py: a date left blank ──


@pytest.mark.parametrize("typed", ["", "   ", "\u3000", None])
def test_a_blank_date_without_a_default_is_refused_naming_the_field(typed: str | None) -> None:
    from forms.people import parse_date

    zh, en = _refusal(lambda: parse_date(typed, "入住日期"))
    assert zh == "缺少入住日期"
    assert en.endswith(": date missing")
    assert parse_date(typed, "入住日期", default=TODAY) == TODAY


# ── forms/verify.py: the signed receipt code is a fixed scheme ──


def test_a_receipt_code_is_the_documented_hmac_of_the_canonical_content() -> None:
    """Codes are printed on paper and checked later, maybe by the next version of this program:
    the canonical text they are computed over (domain prefix, sorted keys, no spaces, Chinese
    kept as UTF-8) must never change, or every receipt in people's hands fails `verify`."""
    import base64
    import hashlib
    import hmac

    from forms.verify import covered_content, signed_code

    key = bytes(range(32))
    content = covered_content(
        ticket="SXSQ01-2026-000123",
        id_number="610924195803120310",
        service_code="H15",
        opened_at="2026-11-27 09:30:00",
        status="pending_materials",
        promised_by="2026-12-25",
        documents_received=["居民身份证", "户口簿"],
        documents_missing=["安置房分配确认书"],
        version=2,
        key_id="k2026a",
    )
    canonical = (
        'ziyang-receipt/2|{"documents_missing":["安置房分配确认书"],'
        '"documents_received":["居民身份证","户口簿"],"id_number":"610924195803120310",'
        '"key_id":"k2026a","opened_at":"2026-11-27 09:30:00","promised_by":"2026-12-25",'
        '"service_code":"H15","status":"pending_materials","ticket":"SXSQ01-2026-000123",'
        '"version":2}'
    )
    digest = hmac.new(key, canonical.encode("utf-8"), hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode()[:12]
    expected = f"{letters[:4]}-{letters[4:8]}-{letters[8:]}"
    assert signed_code(key, content) == expected == "EZ3R-6EDL-SDDT"
