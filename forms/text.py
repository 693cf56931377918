"""Typed-text hygiene, in one place: normalising what staff type, refusing characters that
must never be stored, the length of every stored field, and neutralising stored text before it
reaches a terminal.

Two kinds of typed value:
- tokens (citizen IDs, phone numbers, dates, tickets, verification codes, document numbers,
  counter numbers) are NFKC-normalised and lose every inner space, so a full-width
  ６１０９２４… or "610924 1958 0312 0310" reads as the number it is;
- free text (names, places, notes, reasons) is NFC-normalised and trimmed only: NFKC would
  turn Chinese punctuation such as "，" and "（" into ASCII.

Control characters (C0, DEL, C1), bidi controls and the Unicode line/paragraph separators are
refused in every stored free-text field: they rewrite a terminal (ANSI/OSC escapes), split a
log line, or reverse what a printed line appears to say (U+202E).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from forms.errors import CounterError

# Bidi embedding/override/isolate controls and marks, the Arabic letter mark, and the two
# Unicode line breaks (U+2028, U+2029). Every Cc character (C0, DEL, C1) is unsafe as well.
BIDI_AND_BREAKS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c\u2028\u2029"
)

# Look-alikes of the middle dot of minority names (U+00B7), as input methods type them.
MIDDLE_DOTS = frozenset("•・．‧･∙⋅ᐧ⸱ꞏ.")
MIDDLE_DOT = "·"
_TO_MIDDLE_DOT = str.maketrans(dict.fromkeys(MIDDLE_DOTS, MIDDLE_DOT))


@dataclass(frozen=True)
class Field:
    """A stored text field: its name for people, and its length limit.

    `columns` names the database columns the limit must equal (checked by a test), so the
    limit and the schema cannot drift apart; an empty tuple means a TEXT column, where the
    limit is ours.
    """

    zh: str
    en: str
    limit: int
    columns: tuple[str, ...] = ()


NOTE_LIMIT = 500  # notes and reasons are TEXT columns: a sane bound, same on both engines

FIELDS: dict[str, Field] = {
    "origin_village": Field("迁出村", "origin village", 60, ("Household.origin_village",)),
    "community": Field("迁入社区", "community", 60, ("Household.community", "Permit.community")),
    "desk_community": Field("本窗口社区", "counter community", 60, ("Request.community",)),
    "site": Field("安置点", "site", 60, ("Household.site",)),
    "grid": Field("网格", "grid", 30, ("Household.grid",)),
    "building": Field("楼栋", "building", 20, ("Household.building",)),
    "unit": Field("单元", "unit", 10, ("Household.unit",)),
    "room": Field("房号", "room", 10, ("Household.room",)),
    "phone": Field("联系电话", "phone", 20, ("Household.phone", "Person.phone")),
    "name": Field("姓名", "name", 40, ("Person.name", "Staff.name")),
    "hukou_address": Field("户籍地址", "hukou address", 120, ("Person.hukou_address",)),
    "revoke_reason": Field("注销原因", "revoke reason", 120, ("Permit.closed_reason",)),
    "staff_code": Field("工作人员编号", "staff code", 32, ("Staff.code",)),
    "note": Field("办理说明", "note", NOTE_LIMIT),
    "reason": Field("理由", "reason", NOTE_LIMIT),
}


# The same set as a pattern (Cc is exactly U+0000-001F and U+007F-009F), for a quick scan.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f" + "".join(sorted(BIDI_AND_BREAKS)) + "]")


def is_unsafe(char: str) -> bool:
    """A character never stored and never written raw to a terminal."""
    return unicodedata.category(char) == "Cc" or char in BIDI_AND_BREAKS


def escape(char: str) -> str:
    """A visible stand-in: ESC -> \\x1b, U+202E -> \\u202e."""
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def neutralise(text: object) -> str:
    """Stored text made safe for a terminal or a printout: unsafe characters become visible
    escapes instead of acting on the screen."""
    value = "" if text is None else str(text)
    if not any(is_unsafe(c) for c in value):
        return value
    return "".join(escape(c) if is_unsafe(c) else c for c in value)


def neutralise_json(dumped: str) -> str:
    """A json.dumps(..., ensure_ascii=False) text with the unsafe characters it leaves raw
    (DEL, C1, bidi controls, U+2028/2029) written as \\uXXXX escapes: still the same JSON.

    json.dumps escapes C0 characters inside strings itself, so a raw newline, tab or CR in
    its output is layout between tokens and is kept.
    """
    return "".join(f"\\u{ord(c):04x}" if is_unsafe(c) and c not in "\n\r\t" else c for c in dumped)


def refuse_unsafe(value: str, zh: str, en: str) -> str:
    """Raise naming the field if `value` holds a control, bidi or line-separator character."""
    found = _UNSAFE.search(value)
    if found is not None:
        bad = found.group()
        raise CounterError(
            f"{zh}含有不允许的控制字符（{escape(bad)}），请重新输入",
            f"{en} contains a forbidden control character ({escape(bad)})",
        )
    return value


def token(raw: object) -> str:
    """An identifier, number, date, code or ticket as typed: NFKC, no spaces anywhere."""
    value = unicodedata.normalize("NFKC", "" if raw is None else str(raw))
    return "".join(value.split())


def free(raw: object) -> str:
    """Free text as typed: NFC, trimmed; inner spaces and Chinese punctuation kept."""
    return unicodedata.normalize("NFC", "" if raw is None else str(raw)).strip()


def dotted(text: str) -> str:
    """Middle-dot look-alikes (•・． and the like, as input methods type them) as U+00B7."""
    return text.translate(_TO_MIDDLE_DOT)


def name_text(raw: object) -> str:
    """A person's name: free text whose middle-dot look-alikes become U+00B7."""
    return dotted(free(raw))


def clean(raw: object, zh: str, en: str, limit: int, *, required: bool = False) -> str:
    """Normalise free text and refuse it when unsafe, missing (if required) or too long."""
    value = free(raw)
    refuse_unsafe(value, zh, en)
    if required and not value:
        raise CounterError(f"缺少{zh}", f"{en} is required")
    if len(value) > limit:
        raise CounterError(
            f"{zh}过长（最多{limit}字，当前{len(value)}字）",
            f"{en} is too long ({limit} characters at most, got {len(value)})",
        )
    return value


def field(raw: object, key: str, *, required: bool = False) -> str:
    """Free text for the stored field `key` of FIELDS (its names and limit come from there).

    For example the permit revoke reason: field(reason, "revoke_reason", required=True).
    """
    spec = FIELDS[key]
    return clean(raw, spec.zh, spec.en, spec.limit, required=required)
