"""The pure pieces the new-request and request screens stand on: finding a service as typed,
the decision's words (shared with the CLI), and which handling steps a request can take."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path

import pytest

from forms.catalogue import Catalogue, load_catalogue
from forms.service_index import (
    GROUP_LABELS,
    PERMIT_GROUP,
    ServiceIndex,
    pinyin_matches,
    service_index,
    syllables_of,
)
from forms.status import ALLOWED_FROM, Action, Outcome, Status, available_actions, step_applies
from forms.summary import (
    decision_headline,
    decision_lines,
    documents_line,
    event_line,
    reason_line,
)

ROOT = Path(__file__).resolve().parents[2]
DIBAO = syllables_of("城乡低保申请")


def names(index: ServiceIndex, typed: str) -> list[str]:
    return [s.name for _, services in index.find(typed) for s in services]


# ── finding a service ──


def test_pinyin_of_a_service_name() -> None:
    assert DIBAO == ("cheng", "xiang", "di", "bao", "shen", "qing")


@pytest.mark.parametrize(
    "typed", ["cxdbsq", "cxdb", "dib", "dibao", "xiangdi", "bsq", "d", "chengxiangdibaoshenqing"]
)
def test_syllable_prefixes_from_any_syllable_match(typed: str) -> None:
    assert pinyin_matches(DIBAO, typed)


@pytest.mark.parametrize("typed", ["dxb", "cxdbsqx", "dibx", "qc", "dc", "bao1"])
def test_letters_out_of_order_or_beyond_the_name_do_not(typed: str) -> None:
    assert not pinyin_matches(DIBAO, typed)


def test_every_group_in_the_counters_order(catalogue: Catalogue) -> None:
    groups = service_index(catalogue).find("")
    assert [g for g, _ in groups] == ["here", "forward", "origin", PERMIT_GROUP]
    assert [GROUP_LABELS[g] for g, _ in groups] == [
        "本窗口办理",
        "代收转办",
        "转迁出村办理",
        "居住证",
    ]
    assert sum(len(s) for _, s in groups) == len(catalogue.services) == 45
    permit = dict(groups)[PERMIT_GROUP]
    assert [s.code for s in permit] == ["P01", "P02", "P03"]
    assert all(s.permit_action for s in permit)
    assert not any(s.permit_action for g, ss in groups if g != PERMIT_GROUP for s in ss)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("dib", ["城乡低保申请"]),
        ("DIB", ["城乡低保申请"]),
        ("F01", ["城乡低保申请"]),
        ("f01", ["城乡低保申请"]),
        ("低保", ["城乡低保申请"]),
        ("jzz", ["居住证申领", "居住证签注", "居住证补换领"]),
        ("tdlz", ["土地流转"]),
        ("xyz", []),
    ],
)
def test_filter_by_name_code_or_pinyin(catalogue: Catalogue, typed: str, expected: list) -> None:
    assert names(service_index(catalogue), typed) == expected


def test_the_pinyin_is_worked_out_once_per_catalogue(catalogue: Catalogue) -> None:
    first = service_index(catalogue)
    assert service_index(catalogue) is first
    reloaded = load_catalogue()  # a reload is a new catalogue: a new index
    assert service_index(reloaded) is not first
    assert service_index(reloaded).catalogue is reloaded


# ── the decision's words, as the CLI prints them ──

FORWARD = {
    "decision": "forward_department",
    "service": {"code": "F01", "name": "城乡低保申请"},
    "handled_by": "紫阳县民政局",
    "reasons": [{"rule": "SIDE-FORWARD", "text": "由本窗口代收", "basis": "两项清单"}],
    "remedy": "",
    "missing_documents": ["户口簿", "授权书"],
}


def test_decision_lines_as_the_cli_printed_them() -> None:
    assert decision_lines(FORWARD) == [
        "事项：F01 城乡低保申请",
        "结论：代收转办（紫阳县民政局）",
        "理由：",
        "  · 由本窗口代收  〔SIDE-FORWARD｜两项清单〕",
        "缺少材料（一次性告知）：户口簿、授权书",
    ]
    refused = {**FORWARD, "decision": "refuse", "handled_by": None, "remedy": "请先签注"}
    refused["missing_documents"] = []
    lines = decision_lines(refused)
    assert lines[1] == "结论：不予办理"
    assert lines[-2:] == ["办理途径：请先签注", "缺少材料（一次性告知）：无"]


def test_the_pieces() -> None:
    assert decision_headline({"decision": "handle", "handled_by": "某社区服务大厅"}) == (
        "本窗口办理（某社区服务大厅）"
    )
    assert reason_line({"rule": "R", "text": "T", "basis": "B"}) == "· T  〔R｜B〕"
    assert documents_line("已收材料：", []) == "已收材料：无"
    event = {
        "at": "2026-11-27T10:05:00+08:00",
        "on": "2026-11-26",
        "backdated": True,
        "label": "补正材料",
        "officer": "张敏",
        "note": "补交：户口簿",
    }
    assert (
        event_line(event)
        == "2026-11-27 10:05（补录，业务日期2026-11-26） 补正材料 张敏 补交：户口簿"
    )
    assert (
        event_line({**event, "backdated": False}) == "2026-11-27 10:05 补正材料 张敏 补交：户口簿"
    )


# ── which steps a request can take: the whole table ──


@pytest.mark.parametrize(
    ("status", "decision", "permit_action"),
    list(itertools.product(Status, Outcome, ["", "issue"])),
)
def test_available_actions_is_the_status_table_and_the_two_preconditions(
    status: Status, decision: Outcome, permit_action: str
) -> None:
    offered = set(available_actions(status, decision, permit_action))
    for action in Action:
        expected = status in ALLOWED_FROM[action]
        if action == Action.FORWARD:
            expected = expected and decision == Outcome.FORWARD_DEPARTMENT
        if action == Action.COMPLETE:
            expected = expected and not permit_action
        assert (action in offered) == expected, (status, decision, permit_action, action)


def test_preconditions_by_themselves() -> None:
    assert step_applies(Action.FORWARD, Outcome.FORWARD_DEPARTMENT, "")
    assert not step_applies(Action.FORWARD, Outcome.HANDLE, "")
    assert not step_applies(Action.FORWARD, Outcome.REFER_ORIGIN, "")
    assert step_applies(Action.COMPLETE, Outcome.HANDLE, "")
    assert not step_applies(Action.COMPLETE, Outcome.HANDLE, "endorse")
    assert all(step_applies(a, Outcome.HANDLE, "issue") for a in (Action.SUPPLEMENT, Action.REFUSE))
    # Typical requests, in words:
    assert available_actions("pending_materials", "forward_department", "") == (
        Action.SUPPLEMENT,
        Action.REFUSE,
    )
    assert available_actions("accepted", "forward_department", "") == (
        Action.FORWARD,
        Action.COMPLETE,
        Action.REFUSE,
    )
    assert available_actions("referred", "refer_origin", "") == (Action.COMPLETE,)
    assert available_actions("completed", "handle", "") == ()
    assert available_actions("accepted", "handle", "issue") == (Action.REFUSE,)


def test_pypinyin_is_loaded_only_for_latin_letters() -> None:
    code = (
        "import sys; from forms.catalogue import load_catalogue; "
        "from forms.service_index import service_index; "
        "index = service_index(load_catalogue()); "
        "assert [s.code for _, ss in index.find('F01') for s in ss] == ['F01']; "
        "assert len([s for _, ss in index.find('低保') for s in ss]) == 1; "
        "assert sum(len(ss) for _, ss in index.find('')) == 45; "
        "print('pypinyin' in sys.modules, end=' '); "
        "assert [s.code for _, ss in index.find('dib') for s in ss] == ['F01']; "
        "print('pypinyin' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "True"]
