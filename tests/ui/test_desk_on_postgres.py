"""The desk on PostgreSQL, as a hall's counters run it: the same visit as on SQLite, from the
search box to a ticket and its receipt, with searches and printing in worker threads (each with
its own connection to the server)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import peewee
import pytest
from pypdf import PdfReader

from db import clock as db_clock
from db import open_database
from db.accounts import sign_in
from db.demo import DEMO_PASSWORDS, build_demo
from db.models import Request
from forms.catalogue import load_catalogue
from tests.conftest import TODAY, _reset_postgres
from tests.ui.conftest import NOW, fixed_clock, settle, type_text
from tests.ui.test_request_flow import adult_with_valid_permit

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_demo(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[peewee.Database]:
    monkeypatch.setenv("ZIYANG_OUTPUT", str(tmp_path / "out"))
    monkeypatch.delenv("ZIYANG_PRINTER", raising=False)
    database = open_database(pg_url)
    _reset_postgres(database)
    with db_clock.clock(NOW):
        build_demo(households=12, catalogue=load_catalogue(), today=TODAY)
    yield database
    _reset_postgres(database)
    database.close()


def test_a_visit_on_postgresql(pg_demo: peewee.Database) -> None:
    from tui.app import build_app

    person = adult_with_valid_permit("F01")
    with db_clock.clock(NOW):
        session = sign_in("101", DEMO_PASSWORDS["101"], client="desk", now=NOW)
    app = build_app(pg_demo, session=session, clock=fixed_clock)

    async def main() -> None:
        from tui.screens.new_request import NewRequestScreen
        from tui.screens.person import PersonScreen
        from tui.screens.print_dialog import PrintDialog

        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await type_text(pilot, person.id_number[-6:])  # the ID's tail, searched in a worker
            for _ in range(100):
                await pilot.pause(0.05)
                if app.screen.query_one("#hits").option_count:  # type: ignore[attr-defined]
                    break
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PersonScreen)
            await pilot.press("f3")
            await settle(pilot)
            assert isinstance(app.screen, NewRequestScreen)
            await type_text(pilot, "F01")
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, PrintDialog)
            await pilot.press("enter")  # print what is offered, in a worker
            await settle(pilot)
            for _ in range(200):
                if len(app.printed_files) >= 2:
                    break
                await pilot.pause(0.1)

    asyncio.run(main())
    request = Request.select().order_by(Request.id.desc()).first()
    assert request.person.id_number == person.id_number and request.service_code == "F01"
    assert request.status == "pending_materials" and request.documents_received == []
    kinds = sorted(p.job.kind for p in app.printed_files)
    assert kinds == ["notice", "receipt"]  # the transfer slip once it is forwarded
    receipt = next(p for p in app.printed_files if p.job.kind == "receipt")
    text = "".join(page.extract_text() or "" for page in PdfReader(receipt.path).pages)
    assert request.ticket in text
