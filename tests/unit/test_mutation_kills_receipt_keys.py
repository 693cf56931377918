"""Tests for db/receipt_keys.py, written for its mutation run (2026-11-29).

mutmut was not run over this module (the run of db/backup.py took the time left); the tests
were checked instead against 24 mutants applied by hand, each of which fails one of them.

Each test names the behaviour such a mutant broke: where the key file is, the file as
written (format, fields, Chinese notes kept readable, owner-only), how a damaged file is
refused, the ids keys get, and what ensure, rotate, add_legacy and import_from change. Every
test works on a key file of its own (ZIYANG_RECEIPT_KEYS in a temporary folder); none needs a
database.
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from db import receipt_keys
from db.receipt_keys import (
    FORMAT,
    LEGACY,
    SIGNING,
    Key,
    KeyRing,
    add_legacy,
    ensure,
    import_from,
    key_file,
    key_id_for,
    load,
    new_key,
    rotate,
    save,
    signing_key,
)
from tests.conftest import refused

STAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own key file (not made yet)."""
    path = tmp_path / "hall" / "receipt-keys.json"
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", str(path))
    return path


def written(path: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    return data


def test_where_the_key_file_is(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", f"  {tmp_path / 'k.json'}  ")
    assert key_file() == tmp_path / "k.json"
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", "~/k.json")
    assert key_file() == tmp_path / "home" / "k.json"
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", " ")
    monkeypatch.setenv("ZIYANG_DATA", str(tmp_path / "data"))
    assert key_file() == tmp_path / "data" / "receipt-keys.json"


def test_key_ids_are_derived_from_the_key_and_its_scheme() -> None:
    signing = key_id_for("ab" * 32)
    legacy = key_id_for("ab" * 32, LEGACY)
    assert re.fullmatch(r"R[A-Z2-7]{7}", signing) and re.fullmatch(r"L[A-Z2-7]{7}", legacy)
    assert signing[1:] != legacy[1:]  # the scheme is part of what is hashed
    assert key_id_for("ab" * 32, SIGNING) == signing
    assert key_id_for("cd" * 32) != signing
    # Fixed values: an id printed on a receipt years ago must still name the same key.
    assert signing == "R" + _b32("ziyang-receipt-key-id|hmac2|" + "ab" * 32)
    assert legacy == "L" + _b32("ziyang-receipt-key-id|legacy|" + "ab" * 32)


def _b32(text: str) -> str:
    import base64
    import hashlib

    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:7]


def test_a_new_key_is_32_random_bytes_with_its_id_and_time() -> None:
    key = new_key("for a test")
    assert re.fullmatch(r"[0-9a-f]{64}", key.secret)
    assert key.id == key_id_for(key.secret) and key.scheme == SIGNING
    assert STAMP.match(key.created) and key.note == "for a test"
    assert new_key().note == "" and new_key().secret != key.secret
    assert key.material() == bytes.fromhex(key.secret)
    assert Key("L1", "old text", LEGACY).material() == b"old text"


def test_ensure_makes_the_file_once(keys: Path) -> None:
    ring, made = ensure()
    assert made and ring.path == keys and ring.current is not None
    data = written(keys)
    assert data["format"] == FORMAT and data["current"] == ring.current
    entries = data["keys"]
    assert isinstance(entries, list) and len(entries) == 1
    entry = entries[0]
    assert set(entry) == {"id", "secret", "scheme", "created", "note"}
    assert (entry["id"], entry["scheme"], entry["note"]) == (ring.current, SIGNING, "init")
    assert stat.S_IMODE(os.stat(keys).st_mode) == 0o600
    assert sorted(p.name for p in keys.parent.iterdir()) == ["receipt-keys.json"]
    again, made_again = ensure()
    assert not made_again and again.current == ring.current and again.keys == ring.keys
    assert signing_key() == ring.keys[ring.current]


def test_no_key_is_said_in_full(keys: Path) -> None:
    error = refused(signing_key)
    assert (error.zh, error.en) == (
        f"本机没有回执签名密钥（{keys}）：请从本大厅其他窗口机复制该文件，"
        "或运行 ziyang-counter init 新建（见 README“回执密钥”）",
        f"no receipt key on this machine ({keys}): copy the hall's key file from another "
        "counter PC, or run 'ziyang-counter init' to make one (README: receipt keys)",
    )
    ring = KeyRing(keys, "RNOSUCH1", {})
    assert refused(ring.signing_key).en == error.en


def test_the_file_keeps_chinese_notes_readable(keys: Path) -> None:
    ring = KeyRing(keys, None, {})
    key = new_key("大厅换钥")
    ring.keys[key.id] = key
    save(ring)
    text = keys.read_text(encoding="utf-8")
    assert "大厅换钥" in text and '\n  "format"' in text  # as written: readable, indented
    assert load().keys == {key.id: key} and load().current is None


@pytest.mark.parametrize(
    "content",
    [
        "not json",
        "[]",
        json.dumps({"format": "other/1", "keys": []}),
        json.dumps({"keys": []}),
        json.dumps({"format": FORMAT}),
        json.dumps({"format": FORMAT, "keys": [{"id": "R1"}]}),
        json.dumps({"format": FORMAT, "keys": [{"id": "R1", "secret": "zz"}]}),
        json.dumps({"format": FORMAT, "keys": [{"id": "R1", "secret": "ab", "x": 1}]}),
        json.dumps({"format": FORMAT, "keys": ["R1"]}),
    ],
)
def test_a_damaged_key_file_is_refused_in_full(keys: Path, content: str) -> None:
    keys.parent.mkdir(parents=True)
    keys.write_text(content, encoding="utf-8")
    error = refused(load)
    assert (error.zh, error.en) == (
        f"回执密钥文件已损坏或不是本软件的密钥文件：{keys}（请用备份恢复）",
        f"the receipt key file is damaged or not ours: {keys} (restore it from its backup)",
    )


def test_a_current_key_the_file_lacks_is_no_current_key(keys: Path) -> None:
    key = new_key()
    keys.parent.mkdir(parents=True)
    keys.write_text(
        json.dumps({"format": FORMAT, "current": "RNOSUCH1", "keys": [vars(key)]}),
        encoding="utf-8",
    )
    ring = load()
    assert ring.current is None and ring.keys == {key.id: key}
    assert ring.get(key.id) == key and ring.get("RNOSUCH1") is None


def test_rotate_keeps_the_old_key_and_signs_with_the_new(keys: Path) -> None:
    first, _ = ensure()
    old_id = first.current
    assert old_id is not None
    key, old = rotate()
    assert old == first.keys[old_id] and key.note == "rotate"
    ring = load()
    assert ring.current == key.id and set(ring.keys) == {old_id, key.id}
    named, _ = rotate("年度换钥")
    assert named.note == "年度换钥" and load().current == named.id


def test_rotate_without_a_key_makes_the_first(keys: Path) -> None:
    key, old = rotate()
    assert old is None and load().current == key.id


def test_add_legacy_keeps_the_old_secret_once(keys: Path) -> None:
    ring, _ = ensure()
    key_id = add_legacy("the old settings text")
    assert key_id == key_id_for("the old settings text", LEGACY)
    legacy = load().keys[key_id]
    assert (legacy.secret, legacy.scheme, legacy.note) == (
        "the old settings text",
        LEGACY,
        "m0005: moved out of the database",
    )
    assert STAMP.match(legacy.created)
    assert load().current == ring.current  # a legacy key never signs
    before = (keys.stat().st_ino, keys.read_bytes())
    assert add_legacy("the old settings text") == key_id
    # Already there: the file is not written again (a save replaces it by a new file).
    assert (keys.stat().st_ino, keys.read_bytes()) == before


def test_import_from_merges_the_other_files_keys(
    keys: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = tmp_path / "pc2" / "receipt-keys.json"
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", str(other))
    theirs, _ = ensure()
    their_old = theirs.current
    assert their_old is not None
    their_new, _ = rotate()
    monkeypatch.setenv("ZIYANG_RECEIPT_KEYS", str(keys))

    # A machine without keys takes the other file's current key.
    assert sorted(import_from(other)) == sorted([their_old, their_new.id])
    assert load().current == their_new.id
    assert import_from(other) == []  # nothing new the second time

    # A machine with its own key keeps signing with it unless told to switch.
    mine, _ = rotate()
    assert import_from(other) == [] and load().current == mine.id
    assert import_from(other, make_current=True) == [] and load().current == their_new.id


def test_import_from_a_file_without_keys_is_refused(keys: Path, tmp_path: Path) -> None:
    for other in (tmp_path / "missing.json", tmp_path / "empty.json"):
        if other.name == "empty.json":
            other.write_text(json.dumps({"format": FORMAT, "keys": []}), encoding="utf-8")
        error = refused(import_from, other)
        assert (error.zh, error.en) == (
            f"没有找到密钥文件或其中没有密钥：{other}",
            f"no key file or no keys in it: {other}",
        )
    assert not keys.exists()


def test_a_failed_save_leaves_the_file_as_it_was(keys: Path) -> None:
    ring, _ = ensure()
    before = keys.read_bytes()
    ring.keys["RBAD0000"] = Key("RBAD0000", "ab", note=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        save(ring)
    assert keys.read_bytes() == before
    assert sorted(p.name for p in keys.parent.iterdir()) == ["receipt-keys.json"]


def test_the_module_names_are_the_documented_ones() -> None:
    assert (receipt_keys.ENV, FORMAT) == ("ZIYANG_RECEIPT_KEYS", "ziyang-receipt-keys/1")
    assert (SIGNING, LEGACY) == ("hmac2", "legacy")
