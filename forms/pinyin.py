"""Pinyin search keys of a person's name: initials (张三丰 -> zsf) and full pinyin (zhangsanfeng).

pypinyin reads a character by its most common reading, and many surnames read differently
(曾 zeng, not ceng; 单 shan, not dan; 尉迟 yuchi, not weichi), so the surname comes from
`SURNAMES` when it is there: compound surnames first, then single ones. The surname is always
converted apart from the given name, so pypinyin's phrase dictionary cannot glue the two into a
word that reads otherwise (朝晖 as a name is chao + hui, not the word zhaohui).

Names written with a middle dot (transliterated minority names: 阿依古丽·买买提) have no Han
surname: the table is not applied and the dot is dropped.

Keys are lowercase ASCII (ü is written v, as keyboards type it: 吕 lv). pypinyin is imported on
first use only: the CLI and the desk must not pay for it at start-up.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Mapping
from typing import NamedTuple

from forms.text import MIDDLE_DOT, MIDDLE_DOTS

# Single surnames pypinyin reads wrong on their own (each checked against pypinyin 0.55; a test
# fails for an entry pypinyin comes to read right), and compound surnames, matched first, whose
# characters read otherwise alone (尉 wei, 俟 si, 澹 dan, 乐 le) or that must stay apart from the
# given name. Surnames pypinyin already reads right (黑 hei, 华 hua, 任 ren, 纪 ji, 冼 xian, 宿 su,
# 郇 huan, 过 guo, 曲 qu, 朝 chao) are not listed: converting the surname on its own is what
# keeps them right inside a name. One syllable per character.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "令狐": ("ling", "hu"),
    "澹台": ("tan", "tai"),
    "乐正": ("yue", "zheng"),
}

SINGLE_SURNAMES: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "区": "ou",
    "仇": "qiu",
    "查": "zha",
    "乐": "yue",
    "朴": "piao",
    "盖": "ge",
    "覃": "qin",
    "缪": "miao",
    "翟": "zhai",
    "员": "yun",
    "种": "chong",
    "秘": "bi",
    "繁": "po",
    "召": "shao",
    "折": "she",
    "能": "nai",
    "句": "gou",
    "隗": "wei",
    "阚": "kan",
    "洗": "xian",
    "祭": "zhai",
    "重": "chong",
    "都": "du",
    "粘": "nian",
    "卜": "bu",
    "薄": "bo",
    "炅": "gui",
    "乜": "nie",
    "长": "chang",  # 长孙 is matched first
}

# Characters pypinyin has no reading for (it returns them unchanged): 𠮷 (U+20BB7) is the
# variant of 吉 found in real registers.
RARE_READINGS: dict[str, str] = {"\U00020bb7": "ji"}

DOTS = MIDDLE_DOTS | {MIDDLE_DOT}


class NameKeys(NamedTuple):
    """What a name is found by: `initials` (zsf) and `full` pinyin (zhangsanfeng)."""

    initials: str
    full: str


def _clean(name: str) -> tuple[str, bool]:
    """NFKC (compatibility ideographs to the unified ones), no spaces; (text, had a dot)."""
    text = "".join(unicodedata.normalize("NFKC", name or "").split())
    if DOTS.isdisjoint(text):
        return text, False
    return "".join(c for c in text if c not in DOTS), True


def _ascii(word: str) -> str:
    """Lowercase ASCII letters and digits only (ü -> v; anything else is dropped)."""
    word = word.lower().replace("ü", "v")
    return "".join(c for c in word if c.isascii() and c.isalnum())


def _unread(chars: str) -> str:
    """pypinyin's `errors` hook: a run without a reading (other letters, rare characters) comes
    back as words, a rare character's reading a word of its own."""
    return "".join(f" {RARE_READINGS[c]} " if c in RARE_READINGS else c for c in chars)


def _syllables(text: str) -> list[str]:
    """pypinyin syllables of some text; a run of other letters gives one syllable per word."""
    if not text:
        return []
    from pypinyin import lazy_pinyin

    out: list[str] = []
    for piece in lazy_pinyin(text, errors=_unread):
        out.extend(_ascii(word) for word in piece.split())
    return [s for s in out if s]


@functools.cache  # a few thousand distinct characters in a county
def _char(char: str) -> tuple[str, ...]:
    return tuple(_syllables(char))


@functools.lru_cache(maxsize=1 << 16)
def _phrase(text: str) -> tuple[str, ...]:
    return tuple(_syllables(text))


def _given(text: str) -> list[str]:
    """A given name's syllables, as pypinyin reads them, at the speed of a dictionary look-up:
    one character, or two that are no phrase of pypinyin's (most given names), read character
    by character, which is what pypinyin does with them (a test compares the two); a phrase or
    a longer name goes through pypinyin, cached. A county roster has ~280,000 names: pypinyin
    costs ~45 µs a call."""
    if len(text) == 1:
        return list(_char(text))
    if len(text) == 2 and text not in _phrases():
        return [*_char(text[0]), *_char(text[1])]
    return list(_phrase(text))


@functools.cache
def _phrases() -> Mapping[str, object]:
    from pypinyin.phrases_dict import phrases_dict

    return phrases_dict


def surname_of(name: str) -> tuple[str, tuple[str, ...]] | None:
    """(surname, its syllables) if the name starts with a surname of the table: compound
    surnames first. None for a dotted (minority) name."""
    text, dotted = _clean(name)
    return None if dotted else _surname(text)


def _surname(text: str) -> tuple[str, tuple[str, ...]] | None:
    compound = COMPOUND_SURNAMES.get(text[:2])
    if compound is not None:
        return text[:2], compound
    single = SINGLE_SURNAMES.get(text[:1])
    if single is not None:
        return text[:1], (single,)
    return None


def syllables(name: str) -> list[str]:
    """The name as pinyin syllables, the surname from the table: 曾小明 -> zeng xiao ming."""
    text, dotted = _clean(name)
    if not text:
        return []
    if dotted:
        return list(_phrase(text))
    found = _surname(text)
    if found:
        surname, reading = found
        return [*reading, *_given(text[len(surname) :])]
    return [*_char(text[0]), *_given(text[1:])]


def name_keys(name: str) -> NameKeys:
    """张三丰 -> NameKeys("zsf", "zhangsanfeng"); 尉迟恭 -> ("ycg", "yuchigong")."""
    parts = syllables(name)
    return NameKeys("".join(part[0] for part in parts), "".join(parts))
