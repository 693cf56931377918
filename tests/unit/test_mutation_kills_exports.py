"""Tests written to kill mutants that survived mutmut over the exports (db/exports.py,
2026-11-29 run on branch mut-roster; test selection: test_exports.py and this file).

Each test names the behaviour a surviving mutant broke: every kind is read in keyset chunks by
id, persons and permits honour both ends of their date filter, a person with an older permit
is one row with the newest, a household without a head is still exported, and the request
rows carry the person's ID and an empty 办理方 when the counter handles it. They read the rows
`prepare_export` yields, on SQLite and PostgreSQL through the `database` fixture.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from db import permits as permit_ops
from db import requests as ops
from db.exports import COLUMNS, keyset, prepare_export
from db.models import Household, Permit, Person, Request
from db.people import add_household
from db.setup import Desk, load_desk
from forms.catalogue import Catalogue
from forms.citizen_id import mask_id
from forms.errors import CounterError
from tests.conftest import HOME, TODAY, refusal
from tests.unit.test_exports import KINDS, OTHER, county  # noqa: F401  (the fixture)

D = dt.date


def rows_of(kind: str, desk: Desk, **kwargs: Any) -> list[dict[str, Any]]:
    export = prepare_export(kind, desk, TODAY, **kwargs)
    labels = [label for label, _ in COLUMNS[kind]]
    return [dict(zip(labels, row, strict=True)) for row in export.rows]


class Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def statements_while(rows: Iterator[Any]) -> tuple[list[Any], int]:
    logger = logging.getLogger("peewee")
    handler = Statements()
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        got = list(rows)
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
    return got, handler.count


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_read_in_chunks_in_the_order_of_its_ids(
    kind: str,
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
) -> None:
    """Two rows per query: n rows take n // 2 + 1 queries, in id order."""
    model = {"requests": Request, "persons": Person, "permits": Permit, "households": Household}
    count = model[kind].select().count()
    rows, statements = statements_while(prepare_export(kind, desk, TODAY, chunk=2).rows)
    assert len(rows) == count and statements == count // 2 + 1
    whole = list(prepare_export(kind, desk, TODAY).rows)
    assert rows == whole


def test_requests_show_the_persons_id_and_no_office_for_a_refusal(
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
    catalogue: Catalogue,
) -> None:
    refused = ops.open_request(
        id_number=county["child"], service="医疗保险参保", catalogue=catalogue, desk=desk,
        today=TODAY,
    )  # fmt: skip
    assert refused.decision == "refuse" and refused.handled_by is None  # no permit
    rows = {r["受理编号"]: r for r in rows_of("requests", desk)}
    row = rows[refused.ticket]
    assert (row["身份证号"], row["办理方"], row["结论"]) == (
        mask_id(county["child"]),
        "",
        "不予办理",
    )
    full = rows_of("requests", desk, full_ids=True)
    assert {r["身份证号"] for r in full} == {
        county["head"],
        county["single"],
        county["spouse"],
        county["far"],
        county["child"],
    }


@pytest.mark.parametrize(
    ("first", "last", "names"),
    [
        (D(2019, 5, 1), D(2019, 5, 1), {"王德明", "李秀英", "王𠮷雨"}),
        (D(2019, 5, 2), None, {"赵一", "孙二"}),
        (None, D(2021, 2, 28), {"王德明", "李秀英", "王𠮷雨", "孙二"}),
        (D(2020, 6, 1), D(2020, 6, 1), {"孙二"}),
    ],
)
def test_persons_filter_on_their_households_move_in_day(
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
    first: dt.date | None,
    last: dt.date | None,
    names: set[str],
) -> None:
    rows = rows_of("persons", desk, first=first, last=last)
    assert {r["姓名"] for r in rows} == names and len(rows) == len(names)


@pytest.mark.parametrize(
    ("first", "last", "issued"),
    [
        (D(2026, 11, 3), None, [D(2026, 11, 4), TODAY]),
        (None, D(2026, 11, 3), [D(2026, 11, 2), D(2026, 11, 2)]),
        (D(2026, 11, 4), D(2026, 11, 4), [D(2026, 11, 4)]),
    ],
)
def test_permits_filter_on_both_ends_of_the_issue_day(
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
    first: dt.date | None,
    last: dt.date | None,
    issued: list[dt.date],
) -> None:
    rows = rows_of("permits", desk, first=first, last=last)
    assert [r["签发日期"] for r in rows] == issued


def test_a_person_whose_permit_was_replaced_is_one_row_with_the_new_permit(
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
    catalogue: Catalogue,
) -> None:
    new = permit_ops.replace_permit(
        id_number=county["head"], reason="lost", catalogue=catalogue, desk=desk, today=TODAY
    )
    rows = [r for r in rows_of("persons", desk) if r["姓名"] == "王德明"]
    assert [(r["居住证号"], r["居住证状态"]) for r in rows] == [(new.number, "有效")]
    child = next(r for r in rows_of("persons", desk) if r["姓名"] == "王𠮷雨")
    assert (child["居住证号"], child["居住证状态"]) == ("", "")


def test_a_household_without_a_head_is_exported_with_no_one_named(
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
) -> None:
    empty = add_household(
        origin_village="洞河镇麻园村", community=HOME, moved_in=D(2022, 1, 1), today=TODAY
    )
    rows = {r["户编号"]: r for r in rows_of("households", desk)}
    assert len(rows) == 4
    row = rows[empty.number]
    assert (row["户主"], row["户主身份证号"], row["人数"]) == ("", "", 0)


def test_a_chunk_of_one_row_is_allowed_and_none_is_refused(
    county: dict[str, Any],  # noqa: F811
) -> None:
    query = Household.select(Household.id, Household.number)
    rows, statements = statements_while(keyset(query, Household.id, chunk=1))
    assert [row[1] for row in rows] == ["H000001", "H000002", "H000003"] and statements == 4
    with pytest.raises(ValueError) as caught:
        next(keyset(query, Household.id, chunk=0))
    assert str(caught.value) == "chunk must be positive"


def test_a_blank_community_means_every_one_and_an_unknown_one_is_named_as_the_option(
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
) -> None:
    assert prepare_export("households", desk, TODAY, community="  ").community is None
    with pytest.raises(CounterError) as caught:
        prepare_export("households", desk, TODAY, community="岚皋县民主镇")
    assert (caught.value.zh, caught.value.en) == (
        "社区（--community）“岚皋县民主镇”不在本数据库已知社区中",
        "community (--community) '岚皋县民主镇' is not a community this database knows",
    )


def test_refusals_name_what_was_asked_in_both_languages(
    county: dict[str, Any],  # noqa: F811
    desk: Desk,
) -> None:
    assert refusal(lambda: prepare_export("people", desk, TODAY)) == (
        "导出类别应为：requests（办件）、persons（人员）、permits（居住证）、households（搬迁户）；"
        "不是“people”",
        "export what: one of requests, persons, permits, households, not 'people'",
    )
    officer = load_desk("101")
    assert refusal(lambda: prepare_export("persons", officer, TODAY, full_ids=True)) == (
        "只有负责人（主管，supervisor）可以导出完整身份证号，工作人员 101 不是负责人",
        "only a supervisor may export full citizen IDs; staff 101 is not one",
    )
    assert refusal(lambda: prepare_export("persons", officer, TODAY, community=OTHER)) == (
        "只有负责人（主管，supervisor）可以导出其他社区的数据，工作人员 101 不是负责人",
        "only a supervisor may export another community's data; staff 101 is not one",
    )
    masked = prepare_export("persons", officer, TODAY)  # masked unless asked
    assert not masked.full_ids and all("********" in row[0] for row in masked.rows)
