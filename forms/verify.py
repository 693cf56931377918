"""Receipt verification codes: an HMAC of what the receipt covers, keyed by a secret that each
installation makes for itself, so a code cannot be made up without that database."""

from __future__ import annotations

import base64
import hashlib
import hmac

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


def normalise_code(raw: str) -> str | None:
    """Accept lower case, spaces, full-width letters, missing dashes and 0/1/8 typed for O/I/B;
    None if malformed."""
    letters = token(raw).upper().translate(_TYPOS)
    if len(letters) != CODE_LENGTH or any(
        c not in "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567" for c in letters
    ):
        return None
    return "-".join(letters[i : i + 4] for i in range(0, CODE_LENGTH, 4))
