"""Checks for what staff type about people and households: names, relations, phones, dates."""

from __future__ import annotations

import datetime as dt
import re

from forms import text
from forms.errors import CounterError

RELATIONS = (
    "户主", "配偶", "子", "女", "儿媳", "女婿", "孙子", "孙女", "外孙子", "外孙女",
    "父亲", "母亲", "公公", "婆婆", "岳父", "岳母", "祖父", "祖母",
    "兄弟", "姐妹", "其他",
)  # fmt: skip

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


def check_relation(raw: str) -> str:
    relation = (raw or "").strip()
    if relation not in RELATIONS:
        raise CounterError(
            f"与户主关系“{relation}”无效，可填：{'、'.join(RELATIONS)}",
            f"unknown relation to head '{relation}'; use one of the listed Chinese terms",
        )
    return relation


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
