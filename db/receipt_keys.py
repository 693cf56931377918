"""The hall's receipt keys: a small file on each counter PC, never in the shared database.

Anyone who can read the database (every counter of a shared PostgreSQL, any copy of the SQLite
file, any backup) could make up receipt codes if the key sat in it. So the key lives in a key
file: `ZIYANG_RECEIPT_KEYS` names it, else `receipt-keys.json` in the data folder. The counters
of one hall share the same file (copied by the supervisor, see the README), and it is backed up
separately from the database.

The file keeps every key the hall ever used: the current one signs, older ones (after a
rotation, and the legacy secret moved out of the settings table by m0005) only verify, so a
receipt printed years ago still checks. A key's id is derived from the key itself, so merging
two copies of the file never duplicates a key.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import os
import secrets
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from db.connection import setting_path
from forms.errors import CounterError

FORMAT = "ziyang-receipt-keys/1"
ENV = "ZIYANG_RECEIPT_KEYS"
SIGNING = "hmac2"  # HMAC-SHA256 over everything the receipt asserts (forms.verify.signed_code)
LEGACY = "legacy"  # the first scheme: ticket, ID, service and opened time only; verify only


@dataclass
class Key:
    id: str
    secret: str  # hex for hmac2; the old settings text for legacy
    scheme: str = SIGNING
    created: str = ""
    note: str = ""

    def material(self) -> bytes:
        return bytes.fromhex(self.secret) if self.scheme == SIGNING else self.secret.encode()


@dataclass
class KeyRing:
    path: Path
    current: str | None = None
    keys: dict[str, Key] = field(default_factory=dict)

    def signing_key(self) -> Key:
        if self.current is None or self.current not in self.keys:
            raise _missing(self.path)
        return self.keys[self.current]

    def get(self, key_id: str) -> Key | None:
        return self.keys.get(key_id)


def key_file() -> Path:
    """Where this machine keeps the hall's receipt keys."""
    return setting_path(ENV, "receipt-keys.json")


def key_id_for(secret: str, scheme: str = SIGNING) -> str:
    """A short id derived from the key (one-way): R… for signing keys, L… for the legacy one."""
    digest = hashlib.sha256(f"ziyang-receipt-key-id|{scheme}|{secret}".encode()).digest()
    return ("L" if scheme == LEGACY else "R") + base64.b32encode(digest).decode()[:7]


def _missing(path: Path) -> CounterError:
    return CounterError(
        f"本机没有回执签名密钥（{path}）：请从本大厅其他窗口机复制该文件，"
        "或运行 ziyang-counter init 新建（见 README“回执密钥”）",
        f"no receipt key on this machine ({path}): copy the hall's key file from another "
        "counter PC, or run 'ziyang-counter init' to make one (README: receipt keys)",
    )


def load(path: Path | None = None) -> KeyRing:
    """The key file as it is; a missing file is an empty ring, a damaged one is refused."""
    path = path or key_file()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return KeyRing(path)
    try:
        data = json.loads(raw)
        if data.get("format") != FORMAT:
            raise ValueError("format")
        keys = {k["id"]: Key(**k) for k in data["keys"]}
        for key in keys.values():
            key.material()  # a hex secret that does not parse is damage too
    except (ValueError, KeyError, TypeError, AttributeError):
        raise CounterError(
            f"回执密钥文件已损坏或不是本软件的密钥文件：{path}（请用备份恢复）",
            f"the receipt key file is damaged or not ours: {path} (restore it from its backup)",
        ) from None
    current = data.get("current")
    return KeyRing(path, current if current in keys else None, keys)


def save(ring: KeyRing) -> None:
    """Write the whole file atomically, readable by this OS user only."""
    ring.path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "format": FORMAT,
        "current": ring.current,
        "keys": [vars(key) for key in ring.keys.values()],
    }
    handle, temporary = tempfile.mkstemp(dir=ring.path.parent, prefix=".receipt-keys-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o600)
        os.replace(temporary, ring.path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def _now() -> str:
    return dt.datetime.now().replace(microsecond=0).isoformat(sep=" ")


def new_key(note: str = "") -> Key:
    secret = secrets.token_hex(32)
    return Key(id=key_id_for(secret), secret=secret, created=_now(), note=note)


def ensure() -> tuple[KeyRing, bool]:
    """This machine's ring with a signing key, made on first use (init); True if made now."""
    ring = load()
    if ring.current is not None:
        return ring, False
    key = new_key("init")
    ring.keys[key.id] = key
    ring.current = key.id
    save(ring)
    return ring, True


def signing_key() -> Key:
    return load().signing_key()


def rotate(note: str = "") -> tuple[Key, Key | None]:
    """A new signing key; the old one stays in the file to verify what it signed."""
    ring = load()
    old = ring.keys.get(ring.current) if ring.current else None
    key = new_key(note or "rotate")
    ring.keys[key.id] = key
    ring.current = key.id
    save(ring)
    return key, old


def add_legacy(secret: str) -> str:
    """Keep the old settings-table secret for verifying receipts printed before m0005."""
    ring = load()
    key_id = key_id_for(secret, LEGACY)
    if key_id not in ring.keys:
        ring.keys[key_id] = Key(key_id, secret, LEGACY, _now(), "m0005: moved out of the database")
        save(ring)
    return key_id


def import_from(other: Path, *, make_current: bool = False) -> list[str]:
    """Merge the keys of another copy of the hall's key file; return the ids added."""
    theirs = load(Path(other).expanduser().absolute())
    if not theirs.keys:
        raise CounterError(
            f"没有找到密钥文件或其中没有密钥：{other}", f"no key file or no keys in it: {other}"
        )
    ring = load()
    added = [key_id for key_id in theirs.keys if key_id not in ring.keys]
    for key_id in added:
        ring.keys[key_id] = theirs.keys[key_id]
    if (make_current or ring.current is None) and theirs.current:
        ring.current = theirs.current
    save(ring)
    return added
