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
from typing import Any

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


def test_the_desk_draws_its_first_screen_before_loading_the_database_layer() -> None:
    """The CLI, the app and the sign-in screen import no peewee, driver or db module: the
    desk loads them when it opens the database, after the sign-in form is drawn (and on
    SQLite with psycopg2 hidden). Running a guarded command does not import peewee either."""
    modules = "ziyang_counter, tui.app, tui.screens.signin"
    assert _loaded_after_import(modules, ("peewee", "psycopg2", "db", "playhouse")) == []
    code = (
        "import sys, ziyang_counter\n"
        "assert ziyang_counter.guarded(lambda: 7)() == 7\n"
        "print(sorted(m for m in ('peewee', 'db') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "[]"


# ───────────────────────── what a database command loads ─────────────────────────
# A command pays at every start for what it imports. These run the real entry point (as
# `python -m ziyang_counter` does: `main()`, through runpy) on a fresh SQLite demo database and
# then read `sys.modules`: no timing is asserted, only which packages were loaded. Speed itself
# is measured on demand by tests/bench/bench_startup.py.

HEAVY_FOR_DATABASE_COMMANDS = (
    "pypinyin",  # search keys and office codes only
    "holidays",  # working days, loaded on the first count
    "dateutil",  # pulled in by holidays
    "psycopg2",  # the PostgreSQL driver, never on SQLite
    "textual",  # the desk
    "xlsxwriter",  # exports
    "python_calamine",  # roster imports
    "openpyxl",
    "pydantic",  # typer 0.29 parses options with it (about 80 ms a start): pyproject pins <0.29
)


def _imported_by_command(args: list[str], env: dict[str, str], tmp_path: Path) -> set[str]:
    """Top-level packages in `sys.modules` once a CLI run has finished."""
    report = tmp_path / "modules.json"
    code = (
        "import json, runpy, sys\n"
        f"sys.argv = ['ziyang-counter', *{args!r}]\n"
        "try:\n"
        "    runpy.run_module('ziyang_counter', run_name='__main__', alter_sys=True)\n"
        "except SystemExit as exc:\n"
        "    assert not exc.code, exc.code\n"
        "names = sorted({m.split('.')[0] for m, v in sys.modules.items() if v is not None})\n"
        f"open({str(report)!r}, 'w').write(json.dumps(names))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return set(json.loads(report.read_text()))


@pytest.fixture(scope="module")
def demo_cli(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], str, str]:
    """A fresh SQLite demo database, signed in: (environment, --db URL, a ticket of its
    latest day)."""
    import os

    home = tmp_path_factory.mktemp("startup")
    env = {**os.environ, "ZIYANG_DATA": str(home / "data"), "XDG_DATA_HOME": str(home / "xdg")}
    env.pop("ZIYANG_DB", None)
    url = f"sqlite:///{home / 'demo.db'}"
    cli = [sys.executable, "-m", "ziyang_counter", "--db", url]

    def run(*args: str) -> dict[str, Any]:
        done = subprocess.run(
            [*cli, *args, "--json"], capture_output=True, text=True, cwd=ROOT, env=env,
            timeout=300, check=True,
        )  # fmt: skip
        return dict(json.loads(done.stdout))

    day = run("demo", "--no-tui", "--households", "10")["latest_day"]
    ticket = run("request", "list", "--date", day)["requests"][0]["ticket"]
    return env, url, ticket


@pytest.mark.parametrize(
    "command",
    [
        ["check", "--id-number", "610924194601304977", "--service", "选民登记"],
        ["request", "list"],
        ["request", "list", "--overdue"],
        ["request", "show", "{ticket}"],
        ["whoami"],
    ],
    ids=lambda c: " ".join(c[:2]),
)
def test_a_database_command_loads_only_what_it_uses(
    demo_cli: tuple[dict[str, str], str, str], command: list[str], tmp_path: Path
) -> None:
    env, url, ticket = demo_cli
    args = ["--db", url, *(part.format(ticket=ticket) for part in command)]
    loaded = _imported_by_command(args, env, tmp_path)
    assert {"peewee", "typer", "db", "forms"} <= loaded  # it did run a database command
    assert loaded & {*HEAVY_FOR_DATABASE_COMMANDS, "reportlab", "fontTools", "PIL"} == set()
    assert "playhouse" not in loaded  # URL parsing and migrations serve PostgreSQL and init


def test_checking_the_schema_imports_no_migration_step(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from db import open_database\n"
        "from db import migrations\n"
        f"database = open_database('sqlite:///{tmp_path / 'm.db'}')\n"
        "names = migrations.pending(database)\n"
        "assert names == migrations.step_names() and names[0] == 'm0001_initial', names\n"
        "assert not [m for m in sys.modules if m.startswith(('db.migrations.m', 'playhouse'))]\n"
        "migrations.upgrade(database)\n"
        "assert migrations.pending(database) == []\n"
        "assert [n for n, _ in migrations.steps()] == names\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr


def test_print_receipt_loads_the_pdf_engine_but_nothing_else_heavy(
    demo_cli: tuple[dict[str, str], str, str], tmp_path: Path
) -> None:
    env, url, ticket = demo_cli
    out = tmp_path / "r.pdf"
    args = ["--db", url, "print", "receipt", ticket, "--out", str(out)]
    loaded = _imported_by_command(args, env, tmp_path)
    assert out.read_bytes().startswith(b"%PDF")
    assert "reportlab" in loaded
    assert loaded & set(HEAVY_FOR_DATABASE_COMMANDS) == set()


@pytest.mark.parametrize(
    ("argv", "db_env", "postgres"),
    [
        ([], "", False),
        (["check", "--id-number", "X"], "sqlite:////tmp/c.db", False),
        (["--db", "sqlite:///c.db", "whoami"], "", False),
        (["--db", "postgresql://u@h/n", "whoami"], "", True),
        (["--db=postgres://u@h/n", "whoami"], "", True),
        (["whoami"], "postgresql://u@h/n", True),
        (["whoami"], "POSTGRESQL://u@h/n", True),
        (["backup", "--out", "x"], "sqlite:///postgres.db", True),  # in doubt: keep the driver
    ],
)
def test_only_a_run_that_cannot_reach_postgres_skips_its_driver(
    argv: list[str], db_env: str, postgres: bool
) -> None:
    from ziyang_counter import wants_postgres

    assert wants_postgres(argv, {"ZIYANG_DB": db_env} if db_env else {}) is postgres


def test_peewee_without_psycopg2_still_lets_a_later_import_find_it() -> None:
    """The driver is hidden only while peewee looks for it: nothing stays blocked."""
    code = (
        "import sys, ziyang_counter; ziyang_counter.import_peewee_without_psycopg2(); "
        "import peewee; assert peewee.psycopg2 is None and 'psycopg2' not in sys.modules; "
        "import psycopg2; print(psycopg2.__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "psycopg2"


def test_without_the_cli_peewee_keeps_its_postgres_driver() -> None:
    """Tests, the desk on PostgreSQL and any other importer get peewee as it always was."""
    code = "import peewee, db.connection; print(peewee.psycopg2 is not None)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.strip() == "True"


def test_holidays_load_on_the_first_working_day_count() -> None:
    code = (
        "import sys, datetime as dt, forms.workdays as w; before = 'holidays' in sys.modules; "
        "sat = w.is_working_day(dt.date(2026, 2, 28)); "  # a make-up Saturday (调休)
        "print(before, 'holidays' in sys.modules, sat, w.is_working_day(dt.date(2026, 2, 17)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["False", "True", "True", "False"]


def test_no_password_is_hashed_at_import_but_every_check_has_its_dummy() -> None:
    """db.accounts is imported by most commands; its stand-in hash for unknown staff codes
    (35-60 ms of argon2) is made at the first password check, on either answer."""
    code = (
        "import db.accounts as a; before = a._dummy_hash.cache_info().currsize; "
        "unknown = a._matches('', 'any-password'); "
        "print(before, a._dummy_hash.cache_info().currsize, unknown)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert out.stdout.split() == ["0", "1", "False"]


@pytest.mark.parametrize(
    ("argv", "named"),
    [
        ([], ""),  # the desk
        (["--ascii", "--high-contrast"], ""),
        (["--db", "print"], ""),  # "print" is the database URL here
        (["print", "receipt", "T"], "print"),
        (["--db", "sqlite:///x.db", "--desk-counter", "2", "check", "--json"], "check"),
        (["--db=sqlite:///x.db", "--desk-community=城关镇东城社区", "request", "list"], "request"),
        (["--ascii", "whoami"], "whoami"),
        (["--help"], None),
        (["-h"], None),
        (["--db", "x", "--no-such-option", "check"], None),
        (["prnt", "receipt"], "prnt"),
    ],
)
def test_the_command_is_found_after_the_global_options(argv: list[str], named: str | None) -> None:
    from ziyang_counter import named_command

    assert named_command(argv) == named


def test_the_global_option_lists_are_the_callbacks_options() -> None:
    import typer.main

    from ziyang_counter import GLOBAL_FLAGS, GLOBAL_VALUE_OPTIONS, app

    params = typer.main.get_command(app).params
    options: list[Any] = [p for p in params if p.param_type_name == "option"]
    assert len(options) >= 6
    flags = {name for p in options if p.is_flag for name in p.opts if name != "--help"}
    valued = {name for p in options if not p.is_flag for name in p.opts}
    assert (flags, valued) == (set(GLOBAL_FLAGS), set(GLOBAL_VALUE_OPTIONS))


def _described(command: Any) -> Any:
    """A click command as its help and options see it, its subcommands included."""
    params = [(p.name, tuple(p.opts), p.required, repr(p.type), p.help) for p in command.params]
    subcommands = getattr(command, "commands", {})
    return command.help, params, {n: _described(c) for n, c in sorted(subcommands.items())}


def test_a_narrowed_cli_runs_the_same_command_with_the_same_options() -> None:
    import typer.main

    from ziyang_counter import app, narrowed

    whole = typer.main.get_command(app)
    names = sorted(whole.commands)  # type: ignore[attr-defined]
    assert {"print", "request", "check", "init", "import", "export"} <= set(names)
    for name in names:
        slim = typer.main.get_command(narrowed(app, ["--db", "x", name]))
        assert sorted(slim.commands) == [name]  # type: ignore[attr-defined]
        assert _described(slim.commands[name]) == _described(whole.commands[name])  # type: ignore[attr-defined]
        assert [p.opts for p in slim.params] == [p.opts for p in whole.params]
    # The desk: the global options and no command; help and unknown names: everything.
    assert typer.main.get_command(narrowed(app, [])).commands == {}  # type: ignore[attr-defined]
    for argv in (["--help"], ["prnt"]):
        assert sorted(typer.main.get_command(narrowed(app, argv)).commands) == names  # type: ignore[attr-defined]


def test_help_and_a_mistyped_command_still_list_every_command(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "ZIYANG_DATA": str(tmp_path / "data")}
    cli = [sys.executable, "-m", "ziyang_counter"]
    shown = subprocess.run(
        [*cli, "--help"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert shown.returncode == 0
    assert all(f"  {name} " in shown.stdout for name in ("print", "request", "import", "check"))
    wrong = subprocess.run(
        [*cli, "prnt", "receipt"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert wrong.returncode == 2 and "Did you mean 'print'" in wrong.stderr
    group = subprocess.run(
        [*cli, "print", "--help"], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )
    assert group.returncode == 0 and "receipt" in group.stdout and "daily-log" in group.stdout
