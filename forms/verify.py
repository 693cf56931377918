"""Receipt verification codes: an HMAC of what the printed receipt asserts, keyed by a hall's key
that lives in a key file outside the database, so reading (or copying) the database is not enough
to make up a code, and an altered line on the paper no longer matches its code.

`receipt_code` is the first scheme (ticket, ID, service and opened time only, keyed by a secret
that used to sit in the settings table); it is kept only to verify receipts printed before m0005.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Mapping, Sequence

from forms.text import token

CODE_LENGTH = 12  # base32 characters: 60 bits
_TYPOS = str.maketrans({"0": "O", "1": "I", "8": "B", "-": None, " ": None})


def receipt_code(
    secret: str, ticket: str, id_number: str, service_code: str, opened_at: str
) -> str:
    """XXXX-XXXX-XXXX from the receipt's fixed content (never from its changing status)."""
    message = "|".join((ticket, id_number, service_code, opened_at)).encode("utf-8")
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))


# What a receipt asserts, in the order the code covers it (see `covered_content`).
COVERED_FIELDS = (
    "ticket",
    "id_number",
    "service_code",
    "opened_at",
    "status",
    "promised_by",
    "documents_received",
    "documents_missing",
    "version",
    "key_id",
)


def covered_content(
    *,
    ticket: str,
    id_number: str,
    service_code: str,
    opened_at: str,
    status: str,
    promised_by: str,
    documents_received: Sequence[str],
    documents_missing: Sequence[str],
    version: int,
    key_id: str,
) -> dict[str, object]:
    """Everything one printing of a receipt asserts, as plain values (dates as ISO text)."""
    return {
        "ticket": ticket,
        "id_number": id_number,
        "service_code": service_code,
        "opened_at": opened_at,
        "status": status,
        "promised_by": promised_by,
        "documents_received": list(documents_received),
        "documents_missing": list(documents_missing),
        "version": int(version),
        "key_id": key_id,
    }


def signed_code(key: bytes, content: Mapping[str, object]) -> str:
    """XXXX-XXXX-XXXX: 60 bits of HMAC-SHA256 over the canonical JSON of what is printed.

    Sixty bits are enough against guessing (every attempt needs the counter's `verify`, and a
    random code matches with odds of one in 10^18) and short enough to type off paper.
    """
    missing = [name for name in COVERED_FIELDS if name not in content]
    if missing:
        raise ValueError(f"receipt content lacks {missing}")
    message = "ziyang-receipt/2|" + json.dumps(
        {name: content[name] for name in COVERED_FIELDS},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    )
    digest = hmac.new(key, message.encode("utf-8"), hashlib.sha256).digest()
    letters = base64.b32encode(digest).decode("ascii")[:CODE_LENGTH]
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalise_code(raw: str) -> str | None:
    """Accept lower case, spaces, full-width letters, missing dashes and 0/1/8 typed for O/I/B;
    None if malformed."""
    letters = token(raw).upper().translate(_TYPOS)
    if len(letters) != CODE_LENGTH or any(
        c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in letters
    ):
        return None
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))
