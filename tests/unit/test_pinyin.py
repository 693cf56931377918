"""Pinyin search keys: the surname table, compound surnames, minority names, rare characters."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pypinyin import lazy_pinyin

from forms.pinyin import (
    COMPOUND_SURNAMES,
    SINGLE_SURNAMES,
    NameKeys,
    name_keys,
    surname_of,
    syllables,
)

# Every surname of the table, with 小明 after it: (name, initials, full pinyin).
SURNAME_CASES = [
    *(
        (f"{surname}小明", f"{reading[0]}xm", f"{reading}xiaoming")
        for surname, reading in SINGLE_SURNAMES.items()
    ),
    *(
        (f"{surname}小明", f"{a[0]}{b[0]}xm", f"{a}{b}xiaoming")
        for surname, (a, b) in COMPOUND_SURNAMES.items()
    ),
]


def test_the_table_holds_the_surnames_the_issue_names() -> None:
    named = {
        "曾": "zeng", "单": "shan", "解": "xie", "区": "ou", "仇": "qiu", "查": "zha",
        "乐": "yue", "朴": "piao", "盖": "ge", "覃": "qin", "缪": "miao", "翟": "zhai",
        "员": "yun", "种": "chong", "秘": "bi", "繁": "po", "召": "shao", "折": "she",
        "能": "nai", "句": "gou", "隗": "wei", "阚": "kan", "洗": "xian", "祭": "zhai",
        "重": "chong",
    }  # fmt: skip
    assert {k: SINGLE_SURNAMES[k] for k in named} == named
    assert {k: "".join(v) for k, v in COMPOUND_SURNAMES.items()}.items() >= {
        "尉迟": "yuchi", "万俟": "moqi", "长孙": "zhangsun", "令狐": "linghu", "澹台": "tantai",
    }.items()  # fmt: skip


@pytest.mark.parametrize("surname", sorted(SINGLE_SURNAMES))
def test_every_single_surname_is_one_pypinyin_reads_wrong(surname: str) -> None:
    # If pypinyin comes to read one right, the entry is dead weight: this says which.
    assert lazy_pinyin(surname)[0] != SINGLE_SURNAMES[surname]


@pytest.mark.parametrize(("name", "initials", "full"), SURNAME_CASES)
def test_every_surname_of_the_table_reads_as_a_surname(name: str, initials: str, full: str) -> None:
    assert name_keys(name) == NameKeys(initials, full)


@pytest.mark.parametrize(
    ("name", "initials", "full"),
    [
        ("张三丰", "zsf", "zhangsanfeng"),
        ("曾小明", "zxm", "zengxiaoming"),
        ("尉迟恭", "ycg", "yuchigong"),
        ("单田芳", "stf", "shantianfang"),
        ("王德明", "wdm", "wangdeming"),
        ("李四", "ls", "lisi"),
        ("吕丽", "ll", "lvli"),  # ü as keyboards type it
        ("欧阳修", "oyx", "ouyangxiu"),
        ("万俟卨", "mqx", "moqixie"),
        # Surnames pypinyin reads right alone but a phrase would glue to the given name:
        ("朝晖", "ch", "chaohui"),  # not the word zhaohui
        ("曾经", "zj", "zengjing"),  # not the word cengjing
        ("解放", "xf", "xiefang"),
        ("长江", "cj", "changjiang"),  # 长 is no compound here: 长孙 needs 孙
        ("长孙无忌", "zswj", "zhangsunwuji"),
        # Minority names: the dot dropped, no surname table (查干 is chagan, not zhagan).
        ("阿依古丽·买买提", "ayglmmt", "ayigulimaimaiti"),
        ("查干·巴特尔", "cgbte", "chaganbateer"),
        ("阿依古丽•买买提", "ayglmmt", "ayigulimaimaiti"),  # a look-alike dot
        # Rare characters: outside the BMP (𠮷 has no pypinyin reading) and Extension A.
        ("𠮷祥", "jx", "jixiang"),
        ("王䶮", "wy", "wangyan"),
        # Compatibility ideograph (U+F900 block) folds to its unified form by NFKC.
        ("\uf9a8明", "lm", "lingming"),
        # Other letters kept, lowercased; spaces dropped.
        ("李John", "lj", "lijohn"),
        (" 张 三 ", "zs", "zhangsan"),
        ("", "", ""),
    ],
)
def test_name_keys(name: str, initials: str, full: str) -> None:
    assert name_keys(name) == NameKeys(initials, full)


def test_compound_surnames_are_matched_before_single_ones() -> None:
    assert surname_of("乐正明") == ("乐正", ("yue", "zheng"))
    assert surname_of("乐明") == ("乐", ("yue",))
    assert surname_of("张三") is None
    assert surname_of("查干·巴特尔") is None
    assert syllables("尉迟恭") == ["yu", "chi", "gong"]


def test_keys_are_lowercase_ascii() -> None:
    for name in ("曾小明", "吕布", "𠮷祥", "阿依古丽·买买提", "李JOHN"):
        keys = name_keys(name)
        for key in keys:
            assert key.isascii() and key == key.lower() and key.isalnum()


def test_importing_the_module_does_not_load_pypinyin() -> None:
    # Nor the modules that write or search the keys: a CLI command pays for pypinyin (~0.3 s)
    # only when it writes a name.
    code = (
        "import sys, forms.pinyin, db.people, db.search, db.setup, ziyang_counter; "
        "print('pypinyin' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "False"


def test_the_fast_reading_of_given_names_is_pypinyins_own() -> None:
    # Two-character given names that are no phrase are read character by character, without a
    # pypinyin call per name: the same syllables pypinyin gives them, phrases or not.
    import random

    from pypinyin.pinyin_dict import pinyin_dict

    chars = [chr(c) for c in range(0x4E00, 0x9FA6) if c in pinyin_dict]
    rng = random.Random(7)
    pairs = [rng.choice(chars) + rng.choice(chars) for _ in range(3000)]
    pairs += ["长江", "朝阳", "重庆", "乐乐", "行长", "曾经", "单于", "小明", "建国", "三丰"]
    for given in pairs:
        assert syllables("王" + given)[1:] == lazy_pinyin(given), given
