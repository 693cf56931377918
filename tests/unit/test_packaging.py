"""`pip install .` ships everything the desk needs: every package folder and every .tcss file.

A package missing from pyproject's list installs nothing and the installed desk fails on its
first screen, while the tests (run from the source tree) still pass: this test is the guard.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOP = ("forms", "db", "tui", "printouts")


def setuptools_config() -> dict:  # type: ignore[type-arg]
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return dict(data["tool"]["setuptools"])


def test_every_package_folder_is_listed() -> None:
    on_disk = {
        str(init.parent.relative_to(ROOT)).replace("/", ".")
        for top in TOP
        for init in (ROOT / top).rglob("__init__.py")
    }
    assert on_disk == set(setuptools_config()["packages"])


def test_every_stylesheet_and_data_file_is_shipped() -> None:
    shipped = setuptools_config()["package-data"]
    for sheet in ROOT.glob("tui/**/*.tcss"):
        package = str(sheet.parent.relative_to(ROOT)).replace("/", ".")
        assert sheet.suffix == ".tcss" and "*.tcss" in shipped.get(package, []), sheet
    assert "catalogue.toml" in shipped["forms"]
