"""Citizen identity numbers (公民身份号码, GB 11643-1999).

Sex and birth date are read from the number and never typed a second time.
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass

from forms.errors import CounterError
from forms.text import token

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_MAP = "10X98765432"

# First two digits: provinces, autonomous regions and municipalities (GB/T 2260).
PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36",
        "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62",
        "63", "64", "65", "71", "81", "82", "83",
    }
)  # fmt: skip

# Digits 3-4: a prefecture-level unit of the province (GB/T 2260: 01-70 for prefectures,
# prefecture-level cities, leagues and autonomous prefectures) or 90 (county-level units
# administered by the province directly). Checked without the birth year, like the province.
# Taiwan, Hong Kong and Macao numbers (71, 81-83: 港澳台居民居住证 810000…) carry 00 here.
PREFECTURE_CODES = frozenset({f"{n:02d}" for n in range(1, 71)} | {"90"})
WHOLE_REGION_PROVINCES = frozenset({"71", "81", "82", "83"})


def region_known(region: str) -> bool:
    """Province valid, and digits 3-4 a prefecture level that can exist (01-70, 90)."""
    province, prefecture = region[:2], region[2:4]
    if province not in PROVINCE_CODES:
        return False
    if province in WHOLE_REGION_PROVINCES and prefecture == "00":
        return True
    return prefecture in PREFECTURE_CODES


@dataclass(frozen=True)
class CitizenId:
    """A checked citizen ID number and what it says about its holder."""

    number: str
    birth_date: dt.date
    sex: str  # "男" or "女"

    @property
    def region(self) -> str:
        return self.number[:6]

    def age_on(self, day: dt.date) -> int:
        return age_on(self.birth_date, day)


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 digits."""
    if len(first17) != len(WEIGHTS) or not (first17.isascii() and first17.isdigit()):
        raise ValueError(f"check_digit needs 17 digits, got {first17!r}")
    # ASCII digits as bytes are their codes: each weighs 48 ("0") too much (one pass in C).
    weighted = sum(map(operator.mul, first17.encode("ascii"), WEIGHTS)) - _ZERO_WEIGHT
    return CHECK_MAP[weighted % 11]


_ZERO_WEIGHT = ord("0") * sum(WEIGHTS)


def parse_citizen_id(raw: str, today: dt.date | None = None) -> CitizenId:
    """Check a number and return it upper-cased with the holder's birth date and sex.

    Raises CounterError naming exactly what is wrong, so the officer can re-read the card.
    Full-width digits and spaces typed inside the number are normalised away first.

    The region code (digits 1-6) is checked for its province and prefecture level only, never
    for existence in the birth year: 610924 numbers of people born before 2000 are valid, and
    so are old codes such as 612424 of the former Ankang prefecture. A prefecture level
    outside 01-70 and 90 (say 619999) exists in no year and is refused.
    """
    number = token(raw).upper()
    if len(number) != 18:
        raise CounterError(
            f"身份证号码应为18位，当前为{len(number)}位：{number or '（空）'}",
            f"citizen ID must have 18 characters, got {len(number)}: {number or '(empty)'}",
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise CounterError(
            f"身份证号码前17位须为数字，末位为数字或X：{number}",
            f"citizen ID must be 17 digits then a digit or X: {number}",
        )
    if not region_known(number[:6]):
        raise CounterError(
            f"身份证号码的地区码无效：{number[:6]}",
            f"citizen ID has an unknown region code: {number[:6]}",
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise CounterError(
            f"身份证号码中的出生日期不存在：{number[6:14]}",
            f"citizen ID holds an impossible birth date: {number[6:14]}",
        ) from None
    today = today or dt.date.today()
    if birth > today or birth.year < 1900:
        raise CounterError(
            f"身份证号码中的出生日期不合理：{birth.isoformat()}",
            f"citizen ID birth date is out of range: {birth.isoformat()}",
        )
    expected = check_digit(number[:17])
    if number[17] != expected:
        raise CounterError(
            f"身份证号码校验位错误（末位应为{expected}），请核对证件：{number}",
            f"citizen ID check digit is wrong (expected {expected}): {number}",
        )
    sex = "男" if int(number[16]) % 2 == 1 else "女"
    return CitizenId(number=number, birth_date=birth, sex=sex)


def mask_id(number: str) -> str:
    """Mask an ID for lists, logs and printouts others may see: region kept, last four kept."""
    if len(number) != 18:
        return "*" * len(number)
    return number[:6] + "*" * 8 + number[14:]


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of age on a day (a 29 February birthday counts on 1 March)."""
    years = day.year - birth.year
    if (day.month, day.day) < (birth.month, birth.day):
        years -= 1
    return years


def make_citizen_id(region: str, birth: dt.date, serial: int) -> str:
    """Build a valid number: six-digit region, birth date, three-digit serial (odd = male)."""
    first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17)


@dataclass(frozen=True)
class IdProgress:
    """What a partly typed number already says: the first problem in it, or what it reveals.

    `problem` is "" while nothing typed so far is wrong (a short number is not a problem yet:
    `typed` says how far it got). `cid` is set only for a complete, valid number; `birth_date`
    and `sex` as soon as the digits that hold them are typed and valid.
    """

    number: str
    problem: str = ""
    birth_date: dt.date | None = None
    sex: str | None = None
    cid: CitizenId | None = None

    @property
    def typed(self) -> int:
        return len(self.number)

    @property
    def ok(self) -> bool:
        return self.cid is not None


def check_typed_id(raw: str, today: dt.date) -> IdProgress:
    """Check a citizen ID while it is typed, without raising: for a field that says the exact
    problem under itself at each key press.

    A complete number gets `parse_citizen_id`'s own verdict (the same words the operations
    raise); a shorter one is checked as far as it goes: a non-digit, the province and
    prefecture of the region code, the birth year, month and day.
    """
    number = token(raw).upper()
    n = len(number)
    if n > 18:
        return IdProgress(number, f"身份证号码应为18位，当前为{n}位")
    for index, char in enumerate(number[:17]):
        if char not in "0123456789":
            return IdProgress(number, f"第{index + 1}位应为数字，输入的是“{char}”")
    if n == 18 and number[17] not in "0123456789X":
        return IdProgress(number, f"第18位应为数字或X，输入的是“{number[17]}”")
    if n >= 2 and not region_known(number[:4] if n >= 4 else number[:2] + "01"):
        return IdProgress(number, f"身份证号码的地区码无效：{number[: min(n, 6)]}")
    if n >= 10:
        year = int(number[6:10])
        if not 1900 <= year <= today.year:
            return IdProgress(number, f"身份证号码中的出生年份不合理：{year}")
    if n >= 12 and not 1 <= int(number[10:12]) <= 12:
        return IdProgress(number, f"身份证号码中的出生月份不存在：{number[10:12]}月")
    birth: dt.date | None = None
    if n >= 14:
        try:
            birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
        except ValueError:
            return IdProgress(number, f"身份证号码中的出生日期不存在：{number[6:14]}")
        if birth > today:
            return IdProgress(number, f"身份证号码中的出生日期不合理：{birth.isoformat()}")
    sex = ("男" if int(number[16]) % 2 == 1 else "女") if n >= 17 else None
    if n < 18:
        return IdProgress(number, birth_date=birth, sex=sex)
    try:
        cid = parse_citizen_id(number, today)
    except CounterError as exc:
        return IdProgress(number, exc.zh, birth_date=birth, sex=sex)
    return IdProgress(number, birth_date=cid.birth_date, sex=cid.sex, cid=cid)
