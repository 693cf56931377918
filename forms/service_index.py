"""Finding a service as the clerk types: by name, code or pinyin, grouped as the counter thinks.

The catalogue's 45 services fall into four groups: the three sides (本窗口办理 / 代收转办 /
转迁出村办理) and the residence permit's own services (居住证). Latin letters match the name's
pinyin: initials (cxdb), full syllables (dibao) or a mix starting at any syllable (dib finds
城乡低保申请). Each service's pinyin is worked out once per catalogue; pypinyin is imported only
on the first Latin letters typed, never at start-up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from forms.catalogue import Catalogue, Service
from forms.status import SIDE_LABELS, Side

PERMIT_GROUP = "permit"
GROUP_ORDER: tuple[str, ...] = (Side.HERE, Side.FORWARD, Side.ORIGIN, PERMIT_GROUP)
GROUP_LABELS: dict[str, str] = {**SIDE_LABELS, PERMIT_GROUP: "居住证"}


def group_of(service: Service) -> str:
    """The permit services (apply, endorse, replace) form their own group, whatever their side."""
    return PERMIT_GROUP if service.permit_action else str(service.side)


def syllables_of(name: str) -> tuple[str, ...]:
    """The name's pinyin, one lower-case syllable per character (ü written v, as typed)."""
    from pypinyin import lazy_pinyin

    return tuple(s.lower() for s in lazy_pinyin(name) if s)


def pinyin_matches(syllables: Sequence[str], typed: str) -> bool:
    """True if `typed` is a run of syllable prefixes of consecutive syllables, starting at any
    syllable: for 城乡低保申请, cxdb, dibao, dib, bsq and xiangdi all match; dxb does not."""

    def from_here(start: int, rest: str) -> bool:
        if not rest:
            return True
        if start >= len(syllables):
            return False
        syllable = syllables[start]
        return any(
            rest.startswith(syllable[:cut]) and from_here(start + 1, rest[cut:])
            for cut in range(min(len(syllable), len(rest)), 0, -1)
        )

    return any(from_here(i, typed) for i in range(len(syllables)))


@dataclass(frozen=True)
class Entry:
    service: Service
    group: str


def _matches(entry: Entry, text: str, latin: str, syllables: Sequence[str]) -> bool:
    if not text:
        return True
    if text in entry.service.name or text.upper() in entry.service.code.upper():
        return True
    return bool(syllables) and pinyin_matches(syllables, latin)


class ServiceIndex:
    """A catalogue's services, ready to filter as the clerk types. The pinyin is worked out on
    the first Latin letters (loading pypinyin takes about half a second; the desk warms it in a
    worker when the new-request screen opens), then kept."""

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self.entries = tuple(Entry(service, group_of(service)) for service in catalogue.services)
        self._syllables: tuple[tuple[str, ...], ...] | None = None

    def syllables(self) -> tuple[tuple[str, ...], ...]:
        """Each service's pinyin, in catalogue order."""
        if self._syllables is None:
            self._syllables = tuple(syllables_of(e.service.name) for e in self.entries)
        return self._syllables

    def find(self, typed: str) -> list[tuple[str, list[Service]]]:
        """(group, services) in the counter's group order, catalogue order inside each group;
        groups with nothing matching are left out."""
        text = typed.strip()
        latin = text.lower().replace(" ", "")
        pinyin: Sequence[tuple[str, ...]] = (
            self.syllables() if latin.isascii() and latin.isalpha() else ((),) * len(self.entries)
        )
        hits = [
            entry
            for entry, syllables in zip(self.entries, pinyin, strict=True)
            if _matches(entry, text, latin, syllables)
        ]
        return [
            (group, [e.service for e in hits if e.group == group])
            for group in GROUP_ORDER
            if any(e.group == group for e in hits)
        ]


_last: ServiceIndex | None = None


def service_index(catalogue: Catalogue) -> ServiceIndex:
    """The index of this catalogue, built once (again only after the catalogue is reloaded)."""
    global _last
    if _last is None or _last.catalogue is not catalogue:
        _last = ServiceIndex(catalogue)
    return _last
