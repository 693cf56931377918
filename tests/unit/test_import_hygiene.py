"""Layers go one way: forms, db and printouts never pull in Textual, and the CLI only does so
inside the command that starts the desk."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    "module",
    [
        "forms.scope",
        "forms.catalogue",
        "db.requests",
        "db.permits",
        "db.demo",
        "printouts",
        "ziyang_counter",
    ],
)
def test_no_textual_below_the_desk(module: str) -> None:
    code = f"import sys, {module}; print(any(m == 'textual' or m.startswith('textual.') for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    "module",
    [
        "forms.scope", "forms.catalogue", "forms.citizen_id", "printouts.receipt",
        "printouts.notice", "printouts.transfer", "printouts.permit_card", "printouts.daily_log",
    ],
)  # fmt: skip
def test_forms_and_printouts_know_no_database(module: str) -> None:
    code = f"import sys, {module}; print('peewee' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
