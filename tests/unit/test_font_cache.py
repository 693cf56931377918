"""The parsed-font cache: a font read from it is the font reportlab parses, byte for byte in
the PDFs it makes; a damaged, stale or unwritable cache costs only time."""

from __future__ import annotations

import io
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from printouts import fonts
from printouts.fonts import CachedTTFont

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
HANAZONO_B = Path("/usr/share/fonts/truetype/hanazono/HanaMinB.ttf")  # 2048 units, not 1000
needs_fonts = pytest.mark.skipif(
    not (WQY.is_file() and HANAZONO_B.is_file()),
    reason="needs fonts-wqy-zenhei and fonts-hanazono (installed by .ci/run)",
)
TEXT = "受理回执 王𠮷祥 居住证 ABC 123，。"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("ZIYANG_FONT_CACHE", str(folder))
    return folder


def pdf_with(font: Any, name: str) -> bytes:
    """A page of TEXT in `font`, written reproducibly (no date, no random document id)."""
    if name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(font)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    page.setFont(name, 12)
    page.drawString(72, 720, TEXT)
    page.save()
    return buffer.getvalue()


def face_state(font: Any) -> dict[str, Any]:
    """Everything a face holds, the scale function by its results and the font file by its bytes."""
    state = dict(vars(font.face))
    state["_pdfScale"] = [font.face._pdfScale(value) for value in (0, 1, 512, 1000, 2048)]
    state["_ttf_data"] = bytes(font.face._ttf_data[:])
    state.pop("glyphToChar", None)
    return state


@needs_fonts
@pytest.mark.parametrize(("file", "index"), [(WQY, 0), (WQY, 1), (HANAZONO_B, 0)])
def test_a_font_from_the_cache_is_the_font_reportlab_parses(
    cache: Path, file: Path, index: int
) -> None:
    parsed = TTFont(f"parsed-{file.stem}-{index}", str(file), subfontIndex=index)
    first = CachedTTFont(f"first-{file.stem}-{index}", file, index)  # parses and writes the cache
    assert len(list(cache.glob("*.face"))) == 1
    second = CachedTTFont(f"second-{file.stem}-{index}", file, index)  # reads it
    assert type(first.face) is not type(second.face) is fonts._CachedFace
    assert face_state(second) == face_state(parsed)
    assert set(vars(second)) == set(vars(parsed))  # every attribute TTFont.__init__ sets
    for attribute in ("encoding", "state"):
        assert type(getattr(second, attribute)) is type(getattr(parsed, attribute))
    assert (second._asciiReadable, second.shapable) == (parsed._asciiReadable, parsed.shapable)
    # Glyph-to-character lists (text shaping only) are derived from the character map.
    for glyph, chars in second.face.glyphToChar.items():
        assert all(parsed.face.charToGlyph[char] == glyph for char in chars)
    assert {g for g, c in parsed.face.glyphToChar.items() if c} == set(second.face.glyphToChar)
    # The same PDF, embedded subset included.
    assert pdf_with(second, second.fontName).replace(b"second", b"parsed") == pdf_with(
        parsed, parsed.fontName
    )


@needs_fonts
def test_a_damaged_cache_file_is_parsed_again_and_replaced(cache: Path) -> None:
    CachedTTFont("damaged-a", HANAZONO_B, 0)
    (entry,) = cache.glob("*.face")
    good = entry.read_bytes()
    for damage in (b"", b"\x00garbage", good[: len(good) // 2]):
        entry.write_bytes(damage)
        font = CachedTTFont(f"damaged-{len(damage)}", HANAZONO_B, 0)
        assert type(font.face) is not fonts._CachedFace  # parsed, not read
        assert entry.read_bytes() == good  # and the cache written whole again
        assert font.face.charToGlyph[ord("𠮷")] > 0


@needs_fonts
def test_a_changed_font_file_is_not_read_from_the_old_cache(cache: Path, tmp_path: Path) -> None:
    copy = tmp_path / "font.ttf"
    shutil.copyfile(HANAZONO_B, copy)
    CachedTTFont("changed-a", copy, 0)
    os.utime(copy, ns=(0, 0))  # the same size, another modification time: another entry
    font = CachedTTFont("changed-b", copy, 0)
    assert type(font.face) is not fonts._CachedFace
    assert len(list(cache.glob("*.face"))) == 2


@needs_fonts
def test_an_unwritable_cache_only_costs_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ZIYANG_FONT_CACHE", str(blocker / "fonts"))
    font = CachedTTFont("unwritable", HANAZONO_B, 0)
    assert font.face.charToGlyph[ord("𠮷")] > 0
    assert blocker.read_text() == "not a folder"


def test_the_cache_lives_in_the_user_cache_folder_unless_told(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ZIYANG_FONT_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert fonts.font_cache_dir() == tmp_path / "xdg" / "ziyang-counter" / "fonts"
    monkeypatch.setenv("ZIYANG_FONT_CACHE", f" {tmp_path / 'mine'} ")
    assert fonts.font_cache_dir() == tmp_path / "mine"
