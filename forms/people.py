"""Checks for what staff type about people and households: names, relations, phones, dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import NamedTuple

from forms import text
from forms.errors import CounterError

# GB/T 4761-2008 家庭关系代码: every two-digit code and its term, as household registers write
# relations to the head. The first digit is the group (see RELATION_GROUPS).
RELATION_CODES: dict[str, str] = {
    "01": "本人", "02": "户主",
    "10": "配偶", "11": "夫", "12": "妻",
    "20": "子", "21": "独生子", "22": "长子", "23": "次子", "24": "三子", "25": "四子",
    "26": "五子", "27": "养子或继子", "28": "女婿", "29": "其他儿子",
    "30": "女", "31": "独生女", "32": "长女", "33": "次女", "34": "三女", "35": "四女",
    "36": "五女", "37": "养女或继女", "38": "儿媳", "39": "其他女儿",
    "40": "孙子、孙女或外孙子、外孙女", "41": "孙子", "42": "孙女", "43": "外孙子",
    "44": "外孙女", "45": "孙媳妇或外孙媳妇", "46": "孙女婿或外孙女婿",
    "47": "曾孙子或外曾孙子", "48": "曾孙女或外曾孙女", "49": "其他孙子、孙女或外孙子、外孙女",
    "50": "父母", "51": "父亲", "52": "母亲", "53": "公公", "54": "婆婆", "55": "岳父",
    "56": "岳母", "57": "继父或养父", "58": "继母或养母", "59": "其他父母关系",
    "60": "祖父母或外祖父母", "61": "祖父", "62": "祖母", "63": "外祖父", "64": "外祖母",
    "65": "配偶的祖父母或外祖父母", "66": "曾祖父", "67": "曾祖母",
    "68": "配偶的曾祖父母或外曾祖父母", "69": "其他祖父母或外祖父母关系",
    "70": "兄弟姐妹", "71": "兄", "72": "嫂", "73": "弟", "74": "弟媳", "75": "姐姐",
    "76": "姐夫", "77": "妹妹", "78": "妹夫", "79": "其他兄弟姐妹",
    "80": "其他", "81": "伯父", "82": "伯母", "83": "叔父", "84": "婶母", "85": "舅父",
    "86": "舅母", "87": "姨父", "88": "姨母", "89": "姑父", "90": "姑母",
    "91": "堂兄弟、堂姐妹", "92": "表兄弟、表姐妹", "93": "侄子", "94": "侄女", "95": "外甥",
    "96": "外甥女", "97": "其他亲属", "99": "非亲属",
}  # fmt: skip

# Words registers and clerks commonly write for the same relations (the code's term is always
# accepted as well).
RELATION_ALIASES: dict[str, str] = {
    "儿子": "20", "女儿": "30", "养子": "27", "继子": "27", "养女": "37", "继女": "37",
    "二子": "23", "二女": "33", "儿媳妇": "38",
    "孙子女": "40", "外孙": "43", "孙媳妇": "45", "外孙媳妇": "45", "孙女婿": "46",
    "外孙女婿": "46", "曾孙子": "47", "曾孙": "47", "曾孙女": "48",
    "父": "51", "母": "52", "继父": "57", "养父": "57", "继母": "58", "养母": "58",
    "祖父母": "60", "外祖父母": "60", "爷爷": "61", "奶奶": "62", "外公": "63", "外婆": "64",
    "兄弟": "70", "姐妹": "70", "哥哥": "71", "嫂子": "72", "弟弟": "73", "弟妹": "74",
    "姐": "75", "妹": "77", "伯伯": "81", "叔叔": "83", "婶婶": "84", "婶": "84", "舅舅": "85",
    "姨夫": "87", "姨妈": "88", "姑妈": "90", "姑姑": "90",
    "堂兄弟": "91", "堂姐妹": "91", "表兄弟": "92", "表姐妹": "92",
}  # fmt: skip

_CODE_OF_TERM: dict[str, str] = {term: code for code, term in RELATION_CODES.items()}

# The one-digit groups of GB/T 4761 that rules use (a catalogue condition names a group or a code).
RELATION_GROUPS: dict[str, str] = {
    "0": "户主", "1": "配偶", "2": "子", "3": "女", "4": "孙子女", "5": "父母",
    "6": "祖父母", "7": "兄弟姐妹", "8": "其他", "9": "其他",
}  # fmt: skip
# The sex each GB/T 4761 term names, where it names one (夫, 长女, 岳父...); codes left out
# (户主, 配偶, 父母, 兄弟姐妹, 孙子女, 其他...) say nothing about sex.
MALE_CODES = frozenset({
    "11", "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "41", "43", "46", "47", "51", "53",
    "55", "57", "61", "63", "66", "71", "73", "76", "78", "81", "83", "85", "87", "89", "93", "95",
})  # fmt: skip
FEMALE_CODES = frozenset({
    "12", "30", "31", "32", "33", "34", "35", "36", "37", "38", "39", "42", "44", "45", "48", "52", "54",
    "56", "58", "62", "64", "67", "72", "74", "75", "77", "82", "84", "86", "88", "90", "94", "96",
})  # fmt: skip
RELATION_SEX: dict[str, str] = {
    **dict.fromkeys(MALE_CODES, "男"),
    **dict.fromkeys(FEMALE_CODES, "女"),
}
HEAD_CODES = ("01", "02")  # 本人 is the head themself: both count as the household's head


class Relation(NamedTuple):
    """A relation to the head: its GB/T 4761 code and the standard's term for it."""

    code: str
    term: str

    @property
    def group(self) -> str:
        return self.code[:1]

    @property
    def is_head(self) -> bool:
        return self.code in HEAD_CODES


def relation_code_of(term: str) -> str:
    """The code of a stored or typed term; empty if it is not a known relation."""
    text = (term or "").strip()
    if text in RELATION_CODES:
        return text
    return _CODE_OF_TERM.get(text) or RELATION_ALIASES.get(text, "")


def relation_sex_problem(relation_code: str, sex: str) -> str | None:
    """Why a relation cannot be a person of this sex (长女 for a man), or None when it can or
    when the term does not say (户主, 配偶, 兄弟姐妹)."""
    expected = RELATION_SEX.get(relation_code)
    if expected is None or expected == sex:
        return None
    return (
        f"与户主关系“{RELATION_CODES[relation_code]}”应为{expected}性，"
        f"而号码读出的性别为{sex}：请核对关系或号码"
    )


def relation_matches(code: str, wanted: Sequence[str]) -> bool:
    """Does a relation code satisfy a condition naming codes ("02") or groups ("2")?"""
    for item in wanted:
        if item in HEAD_CODES or item == "0":
            if code in HEAD_CODES:
                return True
        elif len(item) == 1:
            if code[:1] == item:
                return True
        elif code == item:
            return True
    return False


def relation_group_text(wanted: Sequence[str]) -> str:
    """Readable Chinese for a condition's codes and groups, e.g. "户主或配偶"."""
    words = []
    for item in wanted:
        if item in HEAD_CODES or item == "0":
            words.append("户主")
        elif len(item) == 1:
            words.append(RELATION_GROUPS.get(item, item))
        else:
            words.append(RELATION_CODES.get(item, item))
    return "或".join(dict.fromkeys(words))


ETHNICITIES = (
    "汉", "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白",
    "土家", "哈尼", "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西",
    "景颇", "柯尔克孜", "土", "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯",
    "阿昌", "普米", "塔吉克", "怒", "乌孜别克", "俄罗斯", "鄂温克", "德昂", "保安", "裕固",
    "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
)  # fmt: skip

_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")
_NAME = re.compile(r"^[\u3400-\u9fff\uf900-\ufaff\U00020000-\U000323af·]{2,20}$")


def check_name(raw: str) -> str:
    """Chinese names, including rare characters outside the BMP and the middle dot.

    Typed look-alikes of the dot (•・． and the like) become U+00B7; control characters are
    refused with their own message before the pattern is tried.
    """
    name = text.name_text(raw)
    text.refuse_unsafe(name, "姓名", "name")
    if not _NAME.match(name):
        raise CounterError(
            f"姓名应为2至20个汉字（少数民族姓名可含“·”）：{name or '（空）'}",
            f"name must be 2 to 20 Chinese characters: {name or '(empty)'}",
        )
    return name


def check_relation(raw: str) -> Relation:
    """A relation as the register writes it (term, common word or two-digit GB/T 4761 code)."""
    relation = (raw or "").strip()
    code = relation_code_of(relation)
    if not code:
        examples = "、".join(("户主", "配偶", "长子", "次女", "儿媳", "孙子", "父亲", "弟", "侄子"))
        raise CounterError(
            f"与户主关系“{relation or '（空）'}”无效：请按户口簿填写（GB/T 4761 家庭关系），"
            f"如{examples}，或两位代码（如 02 户主、73 弟）",
            f"unknown relation to head '{relation}': use a GB/T 4761 term as in the household "
            "register (e.g. 户主, 配偶, 长子, 弟) or its two-digit code (e.g. 02, 73)",
        )
    return Relation(code, RELATION_CODES[code])


def check_ethnicity(raw: str | None) -> str:
    """Accepts 汉 or 汉族; stored with 族 as it is printed on cards."""
    value = (raw or "汉").strip()
    base = value[:-1] if value.endswith("族") else value
    if base not in ETHNICITIES:
        raise CounterError(
            f"民族“{value}”不在56个民族名称中",
            f"ethnicity '{value}' is not one of the 56 recognised ethnic groups",
        )
    return base + "族"


def check_phone(raw: str | None) -> str:
    """Full-width digits and spaces as typed are normalised away (NFKC, no spaces)."""
    phone = text.token(raw)
    if phone and not _PHONE.match(phone):
        raise CounterError(
            f"联系电话格式不正确（11位手机号或带区号的固定电话）：{phone}",
            f"phone must be an 11-digit mobile or a landline with area code: {phone}",
        )
    return phone


# Any date a counter handles lies well inside these; outside them a typo such as 9999-12-31
# would only overflow later date arithmetic (OverflowError) instead of being named here.
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2099, 12, 31)


def parse_date(raw: str | None, what: str = "日期", default: dt.date | None = None) -> dt.date:
    """YYYY-MM-DD (or YYYYMMDD, YYYY/MM/DD); `what` names the field in the message.

    Full-width digits and stray spaces are normalised first (NFKC, no spaces).
    """
    value = text.token(raw)
    if not value:
        if default is None:
            raise CounterError(f"缺少{what}", f"{what}: date missing")
        return default
    for fmt in ("%Y-%m-%d", "%Y%m%d", "%Y/%m/%d"):
        try:
            day = dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
        if not DATE_MIN <= day <= DATE_MAX:
            raise CounterError(
                f"{what}“{value}”超出可办理的日期范围（{DATE_MIN.year}至{DATE_MAX.year}年）",
                f"date '{value}' is out of range ({DATE_MIN.year} to {DATE_MAX.year})",
            )
        return day
    raise CounterError(
        f"{what}“{value}”不是有效日期，请按 YYYY-MM-DD 填写",
        f"'{value}' is not a valid date; use YYYY-MM-DD",
    )


def check_place(raw: str | None, zh: str, en: str, limit: int = 60) -> str:
    """A required place name (village, community): NFC, trimmed, no control characters,
    at most `limit` characters (the column size, see forms.text.FIELDS)."""
    return text.clean(raw, zh, en, limit, required=True)


def town_of(community: str) -> str:
    """蒿坪镇双星社区 -> 蒿坪镇; 城关镇 of 城关镇新城社区; "" when the name names no town."""
    for marker in ("街道办事处", "街道", "镇", "乡"):
        before, found, rest = community.partition(marker)
        if found and rest:
            return before + found
    return ""
