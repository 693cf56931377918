"""One pattern of reportlab's compiled when it is first used, not at every print.

reportlab.platypus.paragraph compiles, when imported, a case-insensitive URL pattern with
ranges up to U+FFFF (`uri_pat`), which takes Python's regular-expression compiler about 20 ms:
a tenth of a printed receipt's whole run. It serves only the splitting of long links
(`uriWasteReduce`, off by default), which no printout of ours uses. An import hook, installed
when `printouts` is imported, loads that one module with its patterns compiled on first use;
every other module, and every pattern compiled in any other module at the same moment (another
thread), is untouched.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import re
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

MODULE = "reportlab.platypus.paragraph"


class DeferredPattern:
    """A pattern compiled at its first use (`.match`, `.split`, ...)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = re.compile(*self._source)
        return getattr(self._compiled, name)


class _DeferringLoader(importlib.abc.Loader):
    """The module's own loader, run with re.compile deferring the patterns it compiles."""

    def __init__(self, inner: importlib.abc.Loader) -> None:
        self.inner = inner

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self.inner.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        compile_now = re.compile

        def compile_at_first_use(pattern: Any, flags: Any = 0) -> Any:
            caller = sys._getframe(1).f_globals
            if caller is module.__dict__ and isinstance(pattern, str):
                return DeferredPattern(pattern, int(flags))
            return compile_now(pattern, flags)

        re.compile = compile_at_first_use  # type: ignore[assignment]
        try:
            self.inner.exec_module(module)
        finally:
            re.compile = compile_now

    def __getattr__(self, name: str) -> Any:  # get_source, get_code, ... for tracebacks
        return getattr(self.inner, name)


class _Finder(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != MODULE:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
        if spec is not None and spec.loader is not None:
            spec.loader = _DeferringLoader(spec.loader)
        return spec


def install() -> None:
    """Add the hook once, unless reportlab's paragraph module is already loaded."""
    if MODULE not in sys.modules and not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder())
