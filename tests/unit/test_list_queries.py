"""Lists fetch their rows with joins: the number of queries a list issues does not grow with its
rows (issue 9 measured 1,501 queries for a 500-request day before). Counted on the `peewee`
logger, which logs every statement a database runs, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import peewee
import pytest

from db import permits as permit_ops
from db import requests as ops
from db.models import Request
from db.people import add_household, add_person
from db.printdata import daily_log_data
from db.setup import Desk
from db.views import request_view
from forms.catalogue import Catalogue
from forms.status import OPEN_STATUSES
from tests.conftest import HOME, TODAY, IdMaker

D = dt.date
SMALL, LARGE = 5, 50


class Statements(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.sql: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.sql.append(str(record.msg))


@contextmanager
def counted() -> Iterator[list[str]]:
    """Every statement the databases run inside the block (peewee logs each one at DEBUG)."""
    logger = logging.getLogger("peewee")
    handler, level = Statements(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield handler.sql
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def add_requests(
    count: int, start: int, catalogue: Catalogue, desk: Desk, make_id: IdMaker
) -> None:
    """`count` requests of `count` people, each of their own household: every fifth one a permit
    issued (a request that carries its permit: the left join), the others referred to the
    move-out village or refused (voter registration without a permit)."""
    for n in range(start, start + count):
        household = add_household(
            origin_village="洞河镇麻园村", community=HOME, moved_in=D(2019, 5, 1), today=TODAY,
            building=str(1 + n % 9), room=f"{n:03d}", phone=f"139{n:08d}",
        )  # fmt: skip
        id_number = make_id(D(1970, 1, 1) + dt.timedelta(days=n), "男" if n % 2 else "女")
        add_person(
            household_number=household.number,
            id_number=id_number,
            name=f"王{'一二三四五六七八九十'[n % 10]}明",
            relation="户主",
            today=TODAY,
        )
        if n % 5 == 0:
            permit_ops.issue_permit(
                id_number=id_number, catalogue=catalogue, desk=desk, today=TODAY
            )
        else:
            ops.open_request(
                id_number=id_number,
                service="土地流转" if n % 2 else "选民登记",
                catalogue=catalogue,
                desk=desk,
                today=TODAY,
                provided=["all"] if n % 3 else [],
            )
    # Some of them overdue, for the overdue list: promised before today and still open.
    Request.update(promised_by=TODAY - dt.timedelta(days=1)).where(
        Request.status.in_(OPEN_STATUSES)
    ).execute()


def request_list(desk: Desk) -> int:
    views = [request_view(r, TODAY) for r in ops.list_requests(day=TODAY, community=HOME)]
    assert all(v["officer"] and v["person"]["address"] for v in views)
    return len(views)


def overdue_list(desk: Desk) -> int:
    from tui.screens.supervisor import overdue_rows

    rows, total = overdue_rows(HOME, TODAY + dt.timedelta(days=1), 200)
    assert len(rows) == total
    return total


def daily_log(desk: Desk) -> int:
    data = daily_log_data(TODAY, TODAY, desk, TODAY)
    return len(data.rows)


LISTS: dict[str, Callable[[Desk], int]] = {
    "request list": request_list,
    "overdue list": overdue_list,
    "daily log": daily_log,
}


@pytest.mark.parametrize("name", list(LISTS))
def test_a_list_issues_as_many_queries_for_50_rows_as_for_5(
    name: str,
    database: peewee.Database,
    catalogue: Catalogue,
    desk: Desk,
    make_id: IdMaker,
) -> None:
    listing = LISTS[name]
    add_requests(SMALL, 0, catalogue, desk, make_id)
    with counted() as small:
        few = listing(desk)
    add_requests(LARGE - SMALL, SMALL, catalogue, desk, make_id)
    with counted() as large:
        many = listing(desk)
    assert 0 < few < many  # the second list really has more rows
    assert len(large) == len(small), (few, many, large)
    assert len(small) <= 4  # readiness check, the rows (and a count): no query per row


def test_request_list_command_issues_as_many_queries_for_50_requests_as_for_5(
    database: peewee.Database,
    catalogue: Catalogue,
    desk: Desk,
    make_id: IdMaker,
    cli: Any,
) -> None:
    import json

    def listed() -> tuple[int, int, str]:
        with counted() as sql:
            result = cli("request", "list", "--json")
        return len(json.loads(result.output)["requests"]), len(sql), result.output

    add_requests(SMALL, 0, catalogue, desk, make_id)
    few, small, _ = listed()
    add_requests(LARGE - SMALL, SMALL, catalogue, desk, make_id)
    many, large, _ = listed()
    assert (few, many) == (SMALL, LARGE)
    assert large == small


def test_a_listed_row_reads_as_the_request_view_of_its_model(
    database: peewee.Database,
    catalogue: Catalogue,
    desk: Desk,
    make_id: IdMaker,
) -> None:
    """Lists read flat rows (db.views.request_rows) instead of five models per row; every field
    of every view must come out the same as the model's view: permits (the left join), phones
    of the person or of the household, addresses, overdue flags, documents and reasons."""
    from db.views import request_rows

    add_requests(20, 0, catalogue, desk, make_id)
    every_third = [r.id for r in Request.select(Request.id).order_by(Request.id)][::3]
    Request.update(handled_by="紫阳县民政局").where(Request.id.in_(every_third)).execute()
    as_of = TODAY + dt.timedelta(days=1)
    query = ops.request_query(day=TODAY, community=HOME)
    rows = request_rows(query, as_of)
    models = [request_view(r, as_of) for r in ops.list_requests(day=TODAY, community=HOME)]
    assert len(rows) == 20 and rows == models
    assert {v["overdue"] for v in rows} == {True, False}
    assert any(v["permit"] for v in rows) and any(v["permit"] is None for v in rows)
    assert any(v["missing_documents"] for v in rows) and any(v["reasons"] for v in rows)
