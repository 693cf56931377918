"""The scope check, one rule at a time, as a pure function of facts."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from forms.catalogue import Catalogue
from forms.errors import CounterError
from forms.scope import Decision, HouseholdFacts, PermitFacts, PersonFacts, check_scope

D = dt.date
TODAY = D(2026, 11, 27)
HOME = "蒿坪镇双星社区"
OTHER = "城关镇新城社区"

ADULT = PersonFacts("610924195803120310", "王德明", D(1958, 3, 12), "男", "户主")
HOUSEHOLD = HouseholdFacts("H000001", "洞河镇麻园村", HOME, D(2019, 5, 1), "王德明")
VALID = PermitFacts("610924-2026-000001", "valid", D(2027, 3, 30), D(2019, 5, 1), HOME)


def decide(catalogue: Catalogue, name: str, **changes: object) -> Decision:
    facts: dict[str, object] = {
        "person": ADULT,
        "household": HOUSEHOLD,
        "permit": VALID,
        "service": catalogue.find(name),
        "counter_community": HOME,
        "today": TODAY,
        "provided": ["all"],
    }
    facts.update(changes)
    return check_scope(**facts)  # type: ignore[arg-type]


def rules_of(decision: Decision) -> set[str]:
    return {r.rule for r in decision.reasons}


def blocking(decision: Decision) -> set[str]:
    return {r.rule for r in decision.blocking}


# ── the three sides ──


def test_here_service_with_valid_permit_is_handled_here(catalogue: Catalogue) -> None:
    d = decide(catalogue, "城乡居民养老保险待遇领取")
    assert d.decision == "handle"
    assert d.handled_by == f"{HOME}服务大厅"
    assert {"SIDE-HERE", "PERMIT-VALID", "AGE-MIN"} <= rules_of(d)
    assert not d.missing
    assert all(r.basis for r in d.reasons)


def test_forward_service_names_the_department(catalogue: Catalogue) -> None:
    d = decide(catalogue, "城乡低保申请")
    assert d.decision == "forward_department"
    assert d.handled_by == "紫阳县民政局"


@pytest.mark.parametrize(
    "permit",
    [
        None,
        dataclasses.replace(VALID, status="revoked"),
        dataclasses.replace(VALID, valid_until=D(2026, 1, 1)),
        dataclasses.replace(VALID, community=OTHER),
    ],
    ids=["no-permit", "revoked", "lapsed", "other-community"],
)
def test_move_out_village_matters_are_referred_whatever_the_permit(
    catalogue: Catalogue, permit: PermitFacts | None
) -> None:
    d = decide(catalogue, "土地承包经营", permit=permit, counter_community=OTHER)
    assert d.decision == "refer_origin"
    assert d.handled_by == "洞河镇麻园村"
    assert "迁出村责任清单" in d.reasons[0].basis


def test_referral_lists_what_to_bring_to_the_village(catalogue: Catalogue) -> None:
    d = decide(catalogue, "林木采伐许可申请", provided=["居民身份证"])
    assert d.decision == "refer_origin"
    assert [doc.name for doc in d.missing] == ["林权证", "林木采伐申请书"]


# ── missing documents: told at once, never a refusal ──


def test_every_missing_document_is_listed_at_once(catalogue: Catalogue) -> None:
    d = decide(catalogue, "城乡低保申请", provided=["居住证"])
    assert d.decision == "forward_department"
    assert [doc.name for doc in d.missing] == [
        "居民身份证", "户口簿", "家庭收入及财产状况申报表", "家庭经济状况核对授权书",
    ]  # fmt: skip
    assert "MATERIALS-MISSING" in rules_of(d)


def test_documents_by_number_and_by_comma_list(catalogue: Catalogue) -> None:
    d = decide(catalogue, "医疗救助申请", provided=["1,2", "医疗救助申请表"])
    assert [doc.name for doc in d.missing] == ["医疗费用发票及结算单"]


def test_an_unknown_document_is_an_error_listing_the_right_names(catalogue: Catalogue) -> None:
    with pytest.raises(CounterError) as info:
        decide(catalogue, "医疗救助申请", provided=["身份证"])
    assert "居民身份证" in info.value.zh


def test_child_needs_a_guardian_id_for_the_permit_adult_does_not(catalogue: Catalogue) -> None:
    child = PersonFacts("610924201805010021", "王小雨", D(2018, 5, 1), "女", "女")
    names = [
        doc.name
        for doc in decide(catalogue, "居住证申领", person=child, permit=None, provided=[]).missing
    ]
    assert "监护人或近亲属居民身份证" in names
    names = [doc.name for doc in decide(catalogue, "居住证申领", permit=None, provided=[]).missing]
    assert "监护人或近亲属居民身份证" not in names


# ── refusals, each with its remedy ──


def test_no_permit_refuses_and_points_to_the_application(catalogue: Catalogue) -> None:
    d = decide(catalogue, "医疗保险参保", permit=None)
    assert d.decision == "refuse" and blocking(d) == {"PERMIT-NONE"}
    assert "居住证申领" in d.remedy
    assert d.handled_by is None


def test_revoked_permit_refuses(catalogue: Catalogue) -> None:
    d = decide(catalogue, "医疗保险参保", permit=dataclasses.replace(VALID, status="revoked"))
    assert blocking(d) == {"PERMIT-REVOKED"}
    assert "重新办理" in d.remedy


def test_lapsed_permit_refuses_until_endorsed(catalogue: Catalogue) -> None:
    lapsed = dataclasses.replace(VALID, valid_until=D(2026, 11, 26))
    d = decide(catalogue, "医疗保险参保", permit=lapsed)
    assert blocking(d) == {"PERMIT-LAPSED"}
    assert "居住证签注" in d.remedy
    assert "第十条" in d.blocking[0].basis and "使用功能中止" in d.blocking[0].basis
    # On its last valid day the same permit still works.
    assert (
        decide(catalogue, "医疗保险参保", permit=lapsed, today=D(2026, 11, 26)).decision == "handle"
    )


def test_permit_of_another_community_names_the_right_hall(catalogue: Catalogue) -> None:
    d = decide(catalogue, "医疗保险参保", permit=dataclasses.replace(VALID, community=OTHER))
    assert blocking(d) == {"PERMIT-COMMUNITY"}
    assert f"{OTHER}服务大厅" in d.remedy


def test_service_outside_the_permit_scope_refuses(catalogue: Catalogue) -> None:
    service = dataclasses.replace(catalogue.find("医疗保险参保"), in_permit_scope=False)
    d = decide(catalogue, "医疗保险参保", service=service)
    assert blocking(d) == {"PERMIT-SCOPE"}


def test_too_young_for_a_pension_says_from_which_day(catalogue: Catalogue) -> None:
    young = dataclasses.replace(ADULT, birth_date=D(1967, 2, 10))
    d = decide(catalogue, "城乡居民养老保险待遇领取", person=young)
    assert blocking(d) == {"AGE-MIN"}
    assert "2027-02-10" in d.remedy


def test_turning_sixty_today_is_enough(catalogue: Catalogue) -> None:
    birthday = dataclasses.replace(ADULT, birth_date=D(1966, 11, 27))
    assert decide(catalogue, "城乡居民养老保险待遇领取", person=birthday).decision == "handle"


def test_too_old_for_contributions(catalogue: Catalogue) -> None:
    d = decide(catalogue, "城乡居民养老保险参保缴费")
    assert blocking(d) == {"AGE-MAX"}


def test_voter_registration_needs_a_year_of_residence(catalogue: Catalogue) -> None:
    newcomer = dataclasses.replace(HOUSEHOLD, moved_in=D(2026, 3, 1))
    permit = dataclasses.replace(VALID, residence_since=D(2026, 3, 1))
    d = decide(catalogue, "选民登记", household=newcomer, permit=permit)
    assert blocking(d) == {"RESIDENCE"}
    assert "2027-03-01" in d.remedy
    ok = decide(catalogue, "选民登记", household=newcomer, permit=permit, today=D(2027, 3, 1))
    assert ok.decision == "handle"


def test_a_late_endorsement_restarts_the_residence_year(catalogue: Catalogue) -> None:
    # Moved in 2019, but the permit lapsed and was endorsed late on 2026-06-02.
    restarted = dataclasses.replace(VALID, residence_since=D(2026, 6, 2), valid_until=D(2027, 6, 1))
    d = decide(catalogue, "选民登记", permit=restarted)
    assert blocking(d) == {"RESIDENCE"}
    assert "重新起算" in d.blocking[0].text
    assert "2027-06-02" in d.remedy


def test_voting_age_is_eighteen(catalogue: Catalogue) -> None:
    teen = dataclasses.replace(ADULT, birth_date=D(2009, 1, 5), relation="子")
    assert blocking(decide(catalogue, "选民登记", person=teen)) == {"AGE-MIN"}


def test_household_services_go_to_the_head(catalogue: Catalogue) -> None:
    spouse = dataclasses.replace(ADULT, relation="配偶")
    d = decide(catalogue, "不动产证申办", person=spouse)
    assert blocking(d) == {"RELATION"}
    assert "户主王德明" in d.remedy


def test_every_refusal_reason_is_reported_together(catalogue: Catalogue) -> None:
    young = dataclasses.replace(ADULT, birth_date=D(1990, 1, 1))
    d = decide(catalogue, "城乡居民养老保险待遇领取", person=young, permit=None, provided=[])
    assert blocking(d) == {"PERMIT-NONE", "AGE-MIN"}
    assert len(d.missing) == 4  # and every missing document still listed


# ── the permit services need no valid permit ──


def test_application_needs_no_permit(catalogue: Catalogue) -> None:
    assert decide(catalogue, "居住证申领", permit=None).decision == "handle"


def test_application_refused_while_a_valid_permit_is_held(catalogue: Catalogue) -> None:
    d = decide(catalogue, "居住证申领")
    assert blocking(d) == {"PERMIT-HELD"} and "补换领" in d.remedy


def test_application_at_the_wrong_community_names_the_right_one(catalogue: Catalogue) -> None:
    d = decide(catalogue, "居住证申领", permit=None, counter_community=OTHER)
    assert blocking(d) == {"PERMIT-COMMUNITY"} and HOME in d.remedy


def test_endorsement_of_a_lapsed_permit_is_handled_and_restarts_residence(
    catalogue: Catalogue,
) -> None:
    lapsed = dataclasses.replace(VALID, valid_until=D(2026, 10, 1))
    d = decide(catalogue, "居住证签注", permit=lapsed)
    assert d.decision == "handle" and "ENDORSE-LATE" in rules_of(d)


def test_endorsement_too_early_says_from_when(catalogue: Catalogue) -> None:
    d = decide(catalogue, "居住证签注")
    assert blocking(d) == {"ENDORSE-EARLY"} and "2027-02-28" in d.remedy


def test_replacement_of_a_revoked_permit_is_refused(catalogue: Catalogue) -> None:
    d = decide(catalogue, "居住证补换领", permit=dataclasses.replace(VALID, status="revoked"))
    assert blocking(d) == {"PERMIT-NONE"} and "居住证申领" in d.remedy


def test_the_decision_is_plain_json(catalogue: Catalogue) -> None:
    import json

    data = decide(catalogue, "城乡低保申请", provided=[]).as_dict()
    text = json.dumps(data, ensure_ascii=False)
    assert data["decision"] == "forward_department"
    assert data["service"] == {"code": "F01", "name": "城乡低保申请", "side": "forward"}
    assert data["missing_documents"] == [doc.name for doc in catalogue.find("F01").documents]
    assert "紫阳县民政局" in text
