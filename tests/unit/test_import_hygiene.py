"""Layers go one way: forms, db and printouts never pull in Textual, and the CLI only does so
inside the command that starts the desk.

Two guards: the import-linter contracts in pyproject.toml (static, `lint-imports`), and a
runtime check that imports every module of forms, db and printouts in a fresh interpreter and
looks at `sys.modules` (catches an import hidden behind importlib or a plugin).
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _modules(package: str) -> list[str]:
    """Every module of a package, found on disk, so a new module is checked without editing
    this file."""
    pkg = importlib.import_module(package)
    found = [package]
    found += [m.name for m in pkgutil.walk_packages(pkg.__path__, prefix=f"{package}.")]
    return sorted(found)


FORMS = _modules("forms")
DB = _modules("db")
PRINTOUTS = _modules("printouts")


def _loaded_after_import(module: str, prefixes: tuple[str, ...]) -> list[str]:
    code = (
        f"import json, sys, {module}; "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & {set(prefixes)!r})))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return list(json.loads(out.stdout))


def test_the_module_lists_are_discovered_not_typed() -> None:
    # pkgutil found the modules that exist today (the lists cannot be silently empty).
    assert {"forms.scope", "forms.permits", "forms.verify", "forms.workdays"} <= set(FORMS)
    assert {"db.requests", "db.views", "db.permits", "db.migrations.m0001_initial"} <= set(DB)
    assert {"printouts.receipt", "printouts.daily_log", "printouts.layout"} <= set(PRINTOUTS)


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


@pytest.mark.parametrize("module", FORMS)
def test_every_forms_module_is_pure(module: str) -> None:
    """forms/ holds the rules: no database, no PDF engine, no terminal UI."""
    assert _loaded_after_import(module, ("textual", "peewee", "playhouse", "reportlab")) == []


@pytest.mark.parametrize("module", DB)
def test_every_db_module_is_free_of_textual(module: str) -> None:
    assert _loaded_after_import(module, ("textual", "tui", "ziyang_counter")) == []


@pytest.mark.parametrize("module", PRINTOUTS)
def test_every_printouts_module_takes_plain_data(module: str) -> None:
    assert _loaded_after_import(module, ("textual", "peewee", "playhouse", "db")) == []


def test_import_linter_contracts_hold() -> None:
    """The [tool.importlinter] contracts in pyproject.toml, as CI runs them."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    assert lint, "lint-imports not installed (pip install -e '.[test]')"
    result = subprocess.run(
        [lint, "--no-cache"], capture_output=True, text=True, cwd=ROOT, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_the_desk_starts_light() -> None:
    """Opening the desk imports every screen it can show first (sign-in, lock, home with its
    lists and search, help) but not reportlab, pypinyin or holidays: those load on first use
    (a printout, a pinyin search key, a working-day count)."""
    screens = [m for m in _modules("tui") if m.startswith("tui.screens.")]
    assert {"tui.screens.home", "tui.screens.signin", "tui.screens.lock"} <= set(screens)
    modules = "tui.app, tui.screens.home, tui.screens.signin, tui.screens.lock, tui.screens.help"
    loaded = _loaded_after_import(modules, ("reportlab", "pypinyin", "holidays", "textual"))
    assert loaded == ["textual"]
