from __future__ import annotations

import tomllib

import pytest

from forms.catalogue import DEFAULT_PATH, Catalogue, load_catalogue, parse_catalogue
from forms.errors import CounterError

HERE = [
    "医疗保险参保",
    "两病及慢性病申报",
    "医疗救助申请",
    "医保报销及咨询",
    "城乡居民养老保险参保缴费",
    "城乡居民养老保险待遇领取",
    "养老保险资格认证",
    "养老保险权益查询",
    "人口与计划生育服务",
    "治安及矛盾纠纷调处",
    "文体活动报名",
    "防返贫监测自主申报",
    "选民登记",
    "身份证申办",
    "不动产证申办",
    "搬迁优惠政策申办",
    "子女入学",
    "创业指导",
    "职业介绍",
    "就业培训",
    "产业脱贫",
    "跨省就业一次性交通补助",
    "一次性创业补贴",
    "公益性岗位申请",
    "供水供电广电通讯报装",
    "排污及垃圾清运",
    "留守儿童关爱服务",
    "空巢老人关爱服务",
    "物业及维修资金缴纳",
    "居住证申领",
    "居住证签注",
    "居住证补换领",
]
FORWARD = [
    "城乡低保申请",
    "特困供养申请",
    "临时救助申请",
    "残疾人两项补贴申请",
    "孤儿及事实无人抚养儿童保障申请",
]
ORIGIN = [
    "土地承包经营",
    "林地管理",
    "集体收益分配及分红",
    "森林生态效益补偿",
    "耕地地力保护补贴",
    "林木采伐许可申请",
    "土地林地荒山确权办证",
    "土地流转",
]


@pytest.mark.parametrize(
    ("name", "side"),
    [(n, "here") for n in HERE]
    + [(n, "forward") for n in FORWARD]
    + [(n, "origin") for n in ORIGIN],
)
def test_every_canonical_service_resolves_by_name_on_its_side(
    catalogue: Catalogue, name: str, side: str
) -> None:
    service = catalogue.find(name)
    assert service.name == name
    assert service.side == side
    assert catalogue.find(service.code) is service
    assert catalogue.find(service.code.lower()) is service


def test_catalogue_holds_exactly_the_canonical_services(catalogue: Catalogue) -> None:
    assert sorted(s.name for s in catalogue.services) == sorted(HERE + FORWARD + ORIGIN)


def test_every_entry_is_complete(catalogue: Catalogue) -> None:
    for service in catalogue.services:
        assert service.basis and service.category, service.name
        assert service.documents, service.name
        for doc in service.documents:
            assert doc.name and doc.issuer and doc.copies >= 1, (service.name, doc)
        if service.side == "forward":
            assert service.department.startswith("紫阳县"), service.name
        if service.side == "origin" or service.permit_action:
            assert not service.needs_permit, service.name
        else:
            assert service.needs_permit, service.name
            assert any(d.name == "居住证" for d in service.documents), service.name


def test_the_rules_named_in_the_brief_are_in_the_catalogue(catalogue: Catalogue) -> None:
    assert catalogue.find("城乡居民养老保险待遇领取").conditions.min_age == 60
    assert catalogue.find("选民登记").conditions.min_residence_years == 1
    assert catalogue.find("居住证补换领").fee_yuan > 0
    assert catalogue.find("居住证申领").fee_yuan == 0
    assert catalogue.find("居住证签注").fee_yuan == 0
    assert catalogue.find("居住证申领").time_limit == 15


def test_unknown_service_suggests_near_names(catalogue: Catalogue) -> None:
    with pytest.raises(CounterError) as info:
        catalogue.find("养老")
    assert "城乡居民养老保险待遇领取" in info.value.zh


def _raw() -> dict:
    return tomllib.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def test_a_broken_edit_reports_every_problem_with_its_place() -> None:
    data = _raw()
    data["service"][5]["side"] = "elsewhere"
    data["service"][6]["documents"] = []
    del data["service"][7]["time_limit"]
    data["service"][8]["name"] = data["service"][9]["name"]
    with pytest.raises(CounterError) as info:
        parse_catalogue(data, "test.toml")
    message = info.value.zh
    assert "4处错误" in message
    for fragment in (".side", ".documents", ".time_limit", "重复"):
        assert fragment in message


def test_forward_without_department_is_rejected() -> None:
    data = _raw()
    forward = next(s for s in data["service"] if s["side"] == "forward")
    del forward["department"]
    with pytest.raises(CounterError, match="department"):
        parse_catalogue(data)


def test_unreadable_or_invalid_files_say_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CounterError, match="无法读取"):
        load_catalogue(tmp_path / "missing.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[service]\nname = ", encoding="utf-8")
    with pytest.raises(CounterError, match="格式错误"):
        load_catalogue(bad)


def test_a_supervisor_edited_copy_loads(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = DEFAULT_PATH.read_text(encoding="utf-8").replace("time_limit = 40", "time_limit = 30")
    copy = tmp_path / "catalogue.toml"
    copy.write_text(text, encoding="utf-8")
    assert load_catalogue(copy).find("身份证申办").time_limit == 30
