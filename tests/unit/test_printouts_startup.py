"""reportlab's URL pattern is compiled at its first use, and nothing else changes."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from printouts._startup import DeferredPattern

ROOT = Path(__file__).resolve().parents[2]

FRESH_PROCESS = """
import inspect, re, sys
import printouts.receipt
import reportlab.lib.textsplit
from reportlab.platypus import paragraph
assert re.compile.__module__ == "re" and re.compile.__name__ == "compile", re.compile
assert type(paragraph.uri_pat).__name__ == "DeferredPattern"
assert paragraph.uri_pat._compiled is None  # printing a receipt did not need it
assert all(
    isinstance(v, re.Pattern)
    for module in (printouts.receipt, reportlab.lib.textsplit)
    for v in vars(module).values() if type(v).__name__.endswith("Pattern")
)
assert "def _uri_split_pairs" in inspect.getsource(paragraph)  # tracebacks still show source
print(paragraph._uri_split_pairs("https://example.com/a/b"))
print(isinstance(paragraph.uri_pat._compiled, re.Pattern))
"""


def test_printing_compiles_reportlabs_url_pattern_only_when_used() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    pairs, compiled = done.stdout.splitlines()
    assert pairs == str(
        [
            ("https://example.com/a/", "b"),
            ("https://example.com/", "a/b"),
            ("https://", "example.com/a/b"),
        ]
    )
    assert compiled == "True"


def test_a_deferred_pattern_matches_as_the_compiled_one() -> None:
    source = r"(^(?:[a-z0-9\.\-\+]*)://)?([a-z\xa1-\uffff0-9.-]+)(?:/\S*)?\Z"
    deferred = DeferredPattern(source, re.I)
    now = re.compile(source, re.I)
    for text in ("HTTPS://Example.COM/x", "例子.中国/路径", "no spaces allowed", ""):
        assert bool(deferred.match(text)) == bool(now.match(text))
        assert deferred.split(text) == now.split(text)
    assert deferred.pattern == source and deferred.flags == now.flags
