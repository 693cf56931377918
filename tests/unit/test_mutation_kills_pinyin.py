"""forms/pinyin.py from scratch: each name's keys computed with the character and phrase caches
emptied first, so the readings come from pypinyin through every step (the caches would otherwise
answer from earlier tests). Written against the surviving mutants of a mutmut run over
forms/pinyin.py (README, 变异测试): each test here fails under at least one of them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from forms import pinyin
from forms.pinyin import NameKeys, name_keys, syllables


@pytest.fixture(autouse=True)
def empty_caches() -> Iterator[None]:
    pinyin._char.cache_clear()
    pinyin._phrase.cache_clear()
    yield
    pinyin._char.cache_clear()
    pinyin._phrase.cache_clear()


@pytest.mark.parametrize(
    ("name", "initials", "full"),
    [
        ("张三丰", "zsf", "zhangsanfeng"),
        ("王明", "wm", "wangming"),  # a one-character given name
        ("吕小明", "lxm", "lvxiaoming"),  # ü written v, lower case throughout
        ("王重庆", "wcq", "wangchongqing"),  # a two-character phrase: pypinyin's reading
        ("王重庆生", "wcqs", "wangchongqingsheng"),  # three characters: read as a whole
        ("曾长春花", "zcch", "zengchangchunhua"),
        ("\U00020bb7祥", "jx", "jixiang"),  # 𠮷, which pypinyin cannot read
        ("王\U00020bb7", "wj", "wangji"),
        ("王\U0002a6d6", "w", "wang"),  # a character without any reading is left out
        ("阿依古丽·买买提", "aygl" + "mmt", "ayiguli" + "maimaiti"),
        ("阿\U00020bb7·买买提", "ajmmt", "ajimaimaiti"),
        ("", "", ""),
    ],
)
def test_keys_from_scratch(name: str, initials: str, full: str) -> None:
    assert name_keys(name) == NameKeys(initials, full)


def test_syllables_from_scratch() -> None:
    assert syllables("王重庆生") == ["wang", "chong", "qing", "sheng"]
    assert syllables("吕\U00020bb7") == ["lv", "ji"]
    assert syllables(" ") == []
