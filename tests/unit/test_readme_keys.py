"""The README's key map is the desk's key map (tui/keys.py), so neither drifts from the other."""

from __future__ import annotations

import re
from pathlib import Path

from tui.keys import APP_KEYS, display_key

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_key_table_matches_the_app() -> None:
    text = README.read_text(encoding="utf-8")
    rows = re.findall(r"^\| (F\d+) \| (Alt\+[A-Z]) \| ([^/|]+?) /", text, flags=re.M)
    assert rows, "the README has no key table"
    documented = {(key, alt, label.strip()) for key, alt, label in rows}
    expected = {(k.key.upper(), display_key(k.alt), k.label) for k in APP_KEYS}
    assert documented == expected
