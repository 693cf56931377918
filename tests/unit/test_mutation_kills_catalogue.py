"""forms/catalogue.py, rule by rule: each way a supervisor's edit can break the catalogue gives
exactly its own problem, with its place, in Chinese and English; the parsed values, defaults and
look-ups are what the counter relies on. Written against the surviving mutants of a mutmut run
over forms/catalogue.py (README, 变异测试): each test here fails under at least one of them.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from forms.catalogue import (
    CatalogueError,
    Conditions,
    Document,
    load_catalogue,
    parse_catalogue,
)
from forms.errors import CounterError

W = "service[3]（就业培训）"  # where the fourth service's problems are reported


def doc(name: str = "居民身份证", **more: Any) -> dict[str, Any]:
    return {"name": name, "copies": 1, "issuer": "公安机关", **more}


def svc(code: str, name: str, **more: Any) -> dict[str, Any]:
    return {
        "code": code,
        "name": name,
        "category": "类",
        "side": "here",
        "time_limit": 5,
        "basis": "依据",
        "documents": [doc()],
        **more,
    }


def base() -> dict[str, Any]:
    """The smallest valid catalogue: the three permit services and one ordinary service."""
    return {
        "meta": {
            "title": "目录",
            "version": "1",
            "guide": "指南",
            "county_code": "610924",
            "permit_authority": "紫阳县公安局",
        },
        "service": [
            svc("P01", "居住证申领", permit_action="issue"),
            svc("P02", "居住证签注", permit_action="endorse"),
            svc("P03", "居住证补换领", permit_action="replace", fee_yuan=20),
            svc("A01", "就业培训"),
        ],
    }


def problems_of(edit: Callable[[dict[str, Any]], Any]) -> list[str]:
    data = base()
    edit(data)
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data, source="x.toml")
    return list(caught.value.problems)


def test_the_base_catalogue_is_valid() -> None:
    catalogue = parse_catalogue(base(), source="x.toml")
    assert [s.code for s in catalogue.services] == ["P01", "P02", "P03", "A01"]
    assert catalogue.source == "x.toml"
    assert (catalogue.title, catalogue.version, catalogue.guide) == ("目录", "1", "指南")
    assert (catalogue.county_code, catalogue.permit_authority) == ("610924", "紫阳县公安局")


BROKEN = [
    pytest.param(
        lambda d: d["service"].append("oops"),
        ["service[4]: 事项应写成 [[service]] 表 / a service must be a table"],
        id="service_not_table",
    ),
    pytest.param(
        lambda d: d["service"][3].update(zz=1, aa=2),
        [f"{W}: 未知字段 / unknown fields: aa, zz"],
        id="service_unknown_fields",
    ),
    pytest.param(
        lambda d: d["service"][3].update(side="there"),
        [f"{W}.side: 应为 here/forward/origin / must be one of here, forward, origin"],
        id="bad_side",
    ),
    pytest.param(
        lambda d: d["service"][3].update(side="forward"),
        [f"{W}.department: 代收转办事项须写明承办部门 / forward needs a department"],
        id="forward_no_department",
    ),
    pytest.param(
        lambda d: d["service"][3].update(side="forward", department="  "),
        [
            f"{W}.department: 缺少文字内容 / text missing",
            f"{W}.department: 代收转办事项须写明承办部门 / forward needs a department",
        ],
        id="forward_blank_department",
    ),
    pytest.param(
        lambda d: d["service"][3].update(permit_action="renew"),
        [f"{W}.permit_action: 应为 issue/endorse/replace / must be one of issue, endorse, replace"],
        id="bad_permit_action",
    ),
    pytest.param(
        lambda d: d["service"][3].pop("time_limit"),
        [f"{W}.time_limit: 缺少承诺时限 / time_limit missing"],
        id="time_limit_missing",
    ),
    pytest.param(
        lambda d: d["service"][3].update(time_limit=-1),
        [f"{W}.time_limit: 应为不小于0的整数 / must be an integer >= 0"],
        id="time_limit_negative",
    ),
    pytest.param(
        lambda d: d["service"][3].update(time_limit=True),
        [f"{W}.time_limit: 应为不小于0的整数 / must be an integer >= 0"],
        id="time_limit_bool",
    ),
    pytest.param(
        lambda d: d["service"][3].update(time_limit="5"),
        [f"{W}.time_limit: 应为不小于0的整数 / must be an integer >= 0"],
        id="time_limit_text",
    ),
    pytest.param(
        lambda d: d["service"][3].pop("documents"),
        [f"{W}.documents: 至少列出一项材料 / at least one document"],
        id="documents_missing",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[]),
        [f"{W}.documents: 至少列出一项材料 / at least one document"],
        id="documents_empty",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents={"name": "x"}),
        [f"{W}.documents: 至少列出一项材料 / at least one document"],
        id="documents_not_list",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=["居民身份证"]),
        [f"{W}.documents[0]: 材料应写成表 {{name, copies, issuer}} / a document must be a table"],
        id="document_not_table",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[doc(pages=2, color=1)]),
        [f"{W}.documents[0]: 未知字段 / unknown fields: color, pages"],
        id="document_unknown",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[{"name": "户口簿", "issuer": "公安"}]),
        [f"{W}.documents[0].copies: 缺少份数 / copies missing"],
        id="document_copies_missing",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[doc(copies=0)]),
        [f"{W}.documents[0].copies: 应为不小于1的整数 / must be an integer >= 1"],
        id="document_copies_zero",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[doc(name=" ")]),
        [f"{W}.documents[0].name: 缺少文字内容 / text missing"],
        id="document_name_blank",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[{"name": "户口簿", "copies": 1}]),
        [f"{W}.documents[0].issuer: 缺少文字内容 / text missing"],
        id="document_issuer_missing",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[doc(note=3)]),
        [f"{W}.documents[0].note: 缺少文字内容 / text missing"],
        id="document_note_number",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[doc(min_age=-1, max_age=-2)]),
        [
            f"{W}.documents[0].min_age: 应为不小于0的整数 / must be an integer >= 0",
            f"{W}.documents[0].max_age: 应为不小于0的整数 / must be an integer >= 0",
        ],
        id="document_ages_negative",
    ),
    pytest.param(
        lambda d: d["service"][3].update(documents=[doc(), doc()]),
        [f"{W}.documents: 材料名称重复 / duplicate document names"],
        id="duplicate_documents",
    ),
    pytest.param(
        lambda d: d["service"][3].update(needs_permit="yes", in_permit_scope=1),
        [
            f"{W}.needs_permit: 应为 true 或 false / must be true or false",
            f"{W}.in_permit_scope: 应为 true 或 false / must be true or false",
        ],
        id="needs_permit_text",
    ),
    pytest.param(
        lambda d: d["service"][3].update(fee_yuan=-1),
        [f"{W}.fee_yuan: 应为非负数 / must be a non-negative number"],
        id="fee_negative",
    ),
    pytest.param(
        lambda d: d["service"][3].update(fee_yuan=True),
        [f"{W}.fee_yuan: 应为非负数 / must be a non-negative number"],
        id="fee_bool",
    ),
    pytest.param(
        lambda d: d["service"][3].update(fee_yuan="20"),
        [f"{W}.fee_yuan: 应为非负数 / must be a non-negative number"],
        id="fee_text",
    ),
    pytest.param(
        lambda d: d["service"][3].pop("code"),
        [f"{W}.code: 缺少文字内容 / text missing"],
        id="code_missing",
    ),
    pytest.param(
        lambda d: d["service"][3].pop("name"),
        ["service[3].name: 缺少文字内容 / text missing"],
        id="name_missing",
    ),
    pytest.param(
        lambda d: d["service"][3].update(name=7),
        ["service[3].name: 缺少文字内容 / text missing"],
        id="name_number",
    ),
    pytest.param(
        lambda d: d["service"][3].update(category=""),
        [f"{W}.category: 缺少文字内容 / text missing"],
        id="category_blank",
    ),
    pytest.param(
        lambda d: d["service"][3].pop("basis"),
        [f"{W}.basis: 缺少文字内容 / text missing"],
        id="basis_missing",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions=["x"]),
        [f"{W}.conditions: 条件应写成表 / conditions must be a table"],
        id="conditions_not_table",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"sex": "女", "area": 1}),
        [f"{W}.conditions: 未知条件 / unknown conditions: area, sex"],
        id="conditions_unknown",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"relations": "02"}),
        [f"{W}.conditions.relations: 应为文字列表 / must be a list of strings"],
        id="conditions_relations_not_list",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"relations": ["02", ""]}),
        [f"{W}.conditions.relations: 应为文字列表 / must be a list of strings"],
        id="conditions_relations_empty_string",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"relations": ["妻", "02"]}),
        [
            f'{W}.conditions.relations: “妻”应为家庭关系代码（GB/T 4761，如 "02" 户主）或一位分组码（如 "2" 子、"7" 兄弟姐妹） / must be a GB/T 4761 code or group digit'
        ],
        id="conditions_relations_word",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"text": [1]}),
        [f"{W}.conditions.text: 应为文字列表 / must be a list of strings"],
        id="conditions_text_not_strings",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"min_age": 60, "max_age": 18}),
        [f"{W}.conditions: min_age 大于 max_age / min_age exceeds max_age"],
        id="conditions_ages_reversed",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"min_age": -1, "max_age": "x"}),
        [
            f"{W}.conditions.min_age: 应为不小于0的整数 / must be an integer >= 0",
            f"{W}.conditions.max_age: 应为不小于0的整数 / must be an integer >= 0",
        ],
        id="conditions_ages_bad",
    ),
    pytest.param(
        lambda d: d["service"][3].update(conditions={"min_residence_years": 0}),
        [f"{W}.conditions.min_residence_years: 应为不小于1的整数 / must be an integer >= 1"],
        id="conditions_residence_zero",
    ),
    pytest.param(
        lambda d: d["service"].append(svc("a01", "另一个")),
        ["另一个: 代码或名称“A01”重复 / duplicate code or name"],
        id="duplicate_code",
    ),
    pytest.param(
        lambda d: d["service"].append(svc("A02", "就业培训")),
        ["就业培训: 代码或名称“就业培训”重复 / duplicate code or name"],
        id="duplicate_name",
    ),
    pytest.param(
        lambda d: d["service"][0].pop("permit_action"),
        ['service: 缺少居住证事项 permit_action = "issue" / no service with this permit_action'],
        id="no_issue_service",
    ),
    pytest.param(
        lambda d: d.pop("service"),
        [
            "service: 没有任何 [[service]] 事项 / no [[service]] entries",
            'service: 缺少居住证事项 permit_action = "issue" / no service with this permit_action',
            'service: 缺少居住证事项 permit_action = "endorse" / no service with this permit_action',
            'service: 缺少居住证事项 permit_action = "replace" / no service with this permit_action',
        ],
        id="no_services",
    ),
    pytest.param(
        lambda d: d.update(service=[]),
        [
            "service: 没有任何 [[service]] 事项 / no [[service]] entries",
            'service: 缺少居住证事项 permit_action = "issue" / no service with this permit_action',
            'service: 缺少居住证事项 permit_action = "endorse" / no service with this permit_action',
            'service: 缺少居住证事项 permit_action = "replace" / no service with this permit_action',
        ],
        id="services_empty",
    ),
    pytest.param(
        lambda d: d.update(service={"code": "x"}),
        [
            "service: 没有任何 [[service]] 事项 / no [[service]] entries",
            'service: 缺少居住证事项 permit_action = "issue" / no service with this permit_action',
            'service: 缺少居住证事项 permit_action = "endorse" / no service with this permit_action',
            'service: 缺少居住证事项 permit_action = "replace" / no service with this permit_action',
        ],
        id="services_not_list",
    ),
    pytest.param(
        lambda d: d.update(meta="目录"),
        [
            "meta: 应为表 / must be a table",
            "meta.title: 缺少文字内容 / text missing",
            "meta.version: 缺少文字内容 / text missing",
            "meta.guide: 缺少文字内容 / text missing",
            "meta.county_code: 缺少文字内容 / text missing",
            "meta.permit_authority: 缺少文字内容 / text missing",
        ],
        id="meta_not_table",
    ),
    pytest.param(
        lambda d: d["meta"].pop("guide") and d["meta"].update(version=""),
        ["meta.version: 缺少文字内容 / text missing", "meta.guide: 缺少文字内容 / text missing"],
        id="meta_missing_keys",
    ),
]


@pytest.mark.parametrize(("edit", "expected"), BROKEN)
def test_each_broken_edit_gives_exactly_its_problems(
    edit: Callable[[dict[str, Any]], Any], expected: list[str]
) -> None:
    assert problems_of(edit) == expected


def test_values_and_defaults_as_the_counter_reads_them() -> None:
    data = base()
    data["service"][3].update(
        code=" a01 ",
        name=" 就业培训 ",
        side="forward",
        department=" 紫阳县人社局 ",
        documents=[doc(" 户口簿 ", copies=2, note=" 原件 ", min_age=16, max_age=60)],
        conditions={
            "min_age": 16,
            "max_age": 60,
            "min_residence_years": 1,
            "relations": ["02", "2"],
            "text": ["家庭人均收入低于标准"],
        },
    )
    data["service"].append(svc("O01", "土地流转", side="origin"))
    data["service"].append(svc("A02", "选民登记", needs_permit=False, in_permit_scope=False))
    catalogue = parse_catalogue(data)
    p01, _, p03, a01, o01, a02 = catalogue.services
    assert (a01.code, a01.name, a01.department) == ("a01", "就业培训", "紫阳县人社局")
    assert a01.side == "forward" and a01.side_label == "代收转办"
    assert a01.documents == (
        Document(name="户口簿", copies=2, issuer="公安机关", note="原件", min_age=16, max_age=60),
    )
    assert a01.conditions == Conditions(
        min_age=16,
        max_age=60,
        min_residence_years=1,
        relations=("02", "2"),
        text=("家庭人均收入低于标准",),
    )
    assert a01.time_limit == 5 and a01.basis == "依据" and a01.category == "类"
    # needs_permit: yes on this side unless said otherwise; never for the move-out village's
    # services or for the permit services themselves; in_permit_scope: yes unless said.
    assert (a01.needs_permit, o01.needs_permit, p01.needs_permit, a02.needs_permit) == (
        True,
        False,
        False,
        False,
    )
    assert (a01.in_permit_scope, o01.in_permit_scope, a02.in_permit_scope) == (True, True, False)
    assert (p01.permit_action, a01.permit_action) == ("issue", "")
    assert p03.fee_yuan == 20.0 and isinstance(p03.fee_yuan, float) and a01.fee_yuan == 0.0
    assert o01.conditions == Conditions() and o01.department == ""
    assert parse_catalogue(base()).source == ""


def test_an_explicit_needs_permit_wins_over_the_side_default() -> None:
    data = base()
    data["service"].append(svc("O01", "土地流转", side="origin", needs_permit=True))
    data["service"].append(svc("A02", "选民登记", needs_permit=True, in_permit_scope=True))
    services = parse_catalogue(data).services
    assert (services[4].needs_permit, services[5].needs_permit) == (True, True)
    assert services[5].in_permit_scope is True


def test_a_zero_time_limit_is_kept() -> None:
    data = base()
    data["service"][3]["time_limit"] = 0
    assert parse_catalogue(data).services[3].time_limit == 0


@pytest.mark.parametrize(
    ("min_age", "max_age", "age", "applies"),
    [
        (None, None, None, True),
        (None, None, 30, True),
        (16, None, None, False),
        (None, 15, None, False),
        (16, None, 15, False),
        (16, None, 16, True),
        (16, None, 17, True),
        (None, 15, 14, True),
        (None, 15, 15, True),
        (None, 15, 16, False),
        (6, 15, 5, False),
        (6, 15, 6, True),
        (6, 15, 15, True),
        (6, 15, 16, False),
    ],
)
def test_a_document_applies_to_an_age(
    min_age: int | None, max_age: int | None, age: int | None, applies: bool
) -> None:
    document = Document(name="出生证明", copies=1, issuer="医院", min_age=min_age, max_age=max_age)
    assert document.applies_to_age(age) is applies


def test_required_documents_follow_the_age() -> None:
    data = base()
    data["service"][3]["documents"] = [
        doc("居民身份证", min_age=16),
        doc("出生证明", max_age=15),
        doc("户口簿"),
    ]
    service = parse_catalogue(data).services[3]
    assert [d.name for d in service.required_documents(16)] == ["居民身份证", "户口簿"]
    assert [d.name for d in service.required_documents(15)] == ["出生证明", "户口簿"]
    assert [d.name for d in service.required_documents(None)] == ["户口簿"]


@pytest.mark.parametrize(
    ("conditions", "lines"),
    [
        (Conditions(), []),
        (Conditions(min_age=18, max_age=59), ["当事人年龄在18至59周岁之间"]),
        (Conditions(min_age=60), ["当事人年满60周岁"]),
        (Conditions(max_age=15), ["当事人未满16周岁"]),
        (Conditions(min_residence_years=1), ["在本社区连续居住满1年（以居住证记载为准）"]),
        (Conditions(min_residence_years=0), []),
        (Conditions(text=("甲", "乙")), ["甲", "乙"]),
        (
            Conditions(min_age=18, min_residence_years=2, relations=("02",), text=("丙",)),
            ["当事人年满18周岁", "在本社区连续居住满2年（以居住证记载为准）", "由户主办理", "丙"],
        ),
    ],
)
def test_conditions_in_words(conditions: Conditions, lines: list[str]) -> None:
    assert conditions.describe() == lines


def test_find_by_code_in_any_case_with_spaces_or_by_exact_name() -> None:
    catalogue = parse_catalogue(base())
    assert catalogue.find("A01").name == "就业培训"
    assert catalogue.find(" a01 ").name == "就业培训"
    assert catalogue.find("就业培训").code == "A01"
    assert catalogue.find(" 居住证签注 ").code == "P02"


def test_find_says_what_is_missing_and_suggests_up_to_five_names() -> None:
    data = base()
    data["service"].extend(svc(f"B0{i}", f"培训{i}") for i in range(1, 8))
    catalogue = parse_catalogue(data)
    with pytest.raises(CounterError) as caught:
        catalogue.find("培训")
    assert caught.value.zh == (
        "服务事项目录中没有“培训”；可能是：A01 就业培训、B01 培训1、B02 培训2、B03 培训3、"
        "B04 培训4（可用 catalog list 查看全部事项）"
    )
    assert caught.value.en == "no service '培训' in the catalogue (see 'catalog list')"
    with pytest.raises(CounterError) as nothing_near:
        catalogue.find("低保")
    assert nothing_near.value.zh == "服务事项目录中没有“低保”（可用 catalog list 查看全部事项）"
    for blank in ("", "  ", None):
        with pytest.raises(CounterError) as empty:
            catalogue.find(blank)  # type: ignore[arg-type]
        assert empty.value.zh == "服务事项目录中没有“”（可用 catalog list 查看全部事项）"


def test_permit_service_by_action_and_a_missing_one() -> None:
    catalogue = parse_catalogue(base())
    assert [catalogue.permit_service(a).code for a in ("issue", "endorse", "replace")] == [
        "P01",
        "P02",
        "P03",
    ]
    with pytest.raises(CounterError) as caught:
        catalogue.permit_service("revoke")
    assert caught.value.zh == "服务事项目录缺少居住证事项（revoke）"
    assert caught.value.en == "the catalogue has no residence-permit service for 'revoke'"


def test_the_message_shows_eight_problems_and_counts_the_rest() -> None:
    data = base()
    data["service"][3]["documents"] = [doc(f"材料{i}", copies=0) for i in range(10)]
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data, source="x.toml")
    problems = caught.value.problems
    assert len(problems) == 10
    assert caught.value.zh == (
        f"服务事项目录 x.toml 有10处错误：{'；'.join(problems[:8])}（另有2处）"
    )
    assert (
        caught.value.en == f"service catalogue x.toml has 10 problem(s): {'；'.join(problems[:8])}"
    )
    data["service"][3]["documents"] = [doc(f"材料{i}", copies=0) for i in range(8)]
    with pytest.raises(CatalogueError) as eight:
        parse_catalogue(data, source="x.toml")
    assert eight.value.zh.endswith(eight.value.problems[-1])  # no "另有" line for exactly 8


def test_unreadable_files_say_why_with_their_problems(tmp_path: Path) -> None:
    missing = tmp_path / "none.toml"
    with pytest.raises(CatalogueError) as caught:
        load_catalogue(missing)
    assert caught.value.zh == f"无法读取服务事项目录 {missing}：No such file or directory"
    assert caught.value.en == f"cannot read service catalogue {missing}: No such file or directory"
    assert caught.value.problems == (f"{missing}: No such file or directory",)

    gbk = tmp_path / "gbk.toml"
    gbk.write_bytes('title = "紫阳县"'.encode("gbk"))  # 紫 is D7 CF, then 阳 D1 F4: F4 breaks
    with pytest.raises(CatalogueError) as wrong:
        load_catalogue(gbk)
    assert wrong.value.zh == f"服务事项目录 {gbk} 不是 UTF-8 编码"
    assert wrong.value.en == f"service catalogue {gbk} is not UTF-8"
    assert wrong.value.problems == (f"{gbk}: 第10个字节起不是 UTF-8 / not UTF-8 from byte 10",)

    broken = tmp_path / "broken.toml"
    broken.write_text("[meta\n", encoding="utf-8")
    with pytest.raises(CatalogueError) as bad:
        load_catalogue(broken)
    assert bad.value.zh.startswith(f"服务事项目录 {broken} 格式错误：")
    assert bad.value.en.startswith(f"service catalogue {broken} is not valid TOML: ")
    assert len(bad.value.problems) == 1 and bad.value.problems[0].startswith(f"{broken}: ")


def test_a_file_loads_with_its_path_as_source(tmp_path: Path) -> None:
    import tomllib

    from forms.catalogue import DEFAULT_PATH

    assert load_catalogue().source == str(DEFAULT_PATH)
    assert load_catalogue("").source == str(DEFAULT_PATH)
    copy = tmp_path / "mine.toml"
    copy.write_text(DEFAULT_PATH.read_text(encoding="utf-8"), encoding="utf-8")
    loaded = load_catalogue(str(copy))
    assert loaded.source == str(copy)
    assert len(loaded.services) == len(tomllib.loads(copy.read_text("utf-8"))["service"])


def test_catalogue_error_keeps_every_problem_as_a_tuple() -> None:
    error = CatalogueError("中", "en", ["a: 1", "b: 2"])
    assert error.problems == ("a: 1", "b: 2") and (error.zh, error.en) == ("中", "en")
    assert isinstance(error, CounterError)
