"""Chinese fonts for the PDFs: embed a TrueType CJK font, fall back per run of text.

Search order: the paths in ZIYANG_FONTS (os.pathsep-separated, `path` or `path#index` for a
.ttc), then the usual system fonts (Windows SimSun/SimHei/Microsoft YaHei and SimSun-ExtB,
Linux WenQuanYi Zen Hei/Micro Hei, AR PL UMing and Hanazono for rare characters, macOS STHeiti
and Arial Unicode). reportlab embeds subsets of TrueType-outline fonts only; fonts with
PostScript outlines (Noto CJK .otf/.ttc) are skipped with the reason logged.

When no TrueType CJK font exists, reportlab's built-in STSong-Light CID font is used with a
loud warning: it is not embedded and shows boxes on a viewer without Chinese fonts.

Characters no loaded font has are drawn as a visible `[U+XXXXX]` tag and reported, so an
officer is warned before printing and a name never comes out silently wrong.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap, with characters beyond U+FFFF written as UTF-16 pairs.

    reportlab writes them as five hex digits (`<20BB7>`), which PDF readers reject, so a name
    like 王𠮷祥 would print right but copy, search and read back as 王祥.
    """
    text = _reportlab_to_unicode(fontname, subset)
    for index, code in enumerate(subset):
        if code > 0xFFFF:
            utf16 = chr(code).encode("utf-16-be").hex().upper()
            text = text.replace(f"<{index:02X}> <{code:04X}>", f"<{index:02X}> <{utf16}>")
    return text


ttfonts.makeToUnicodeCMap = _to_unicode_cmap

CID_FALLBACK = "STSong-Light"

WINDOWS = [
    "C:/Windows/Fonts/simsun.ttc#0",
    "C:/Windows/Fonts/msyh.ttc#0",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/simsunb.ttf",  # SimSun-ExtB: rare characters outside the BMP
]
LINUX = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc#0",
    "/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc#0",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc#0",
    "/usr/share/fonts/truetype/arphic/uming.ttc#0",
    "/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
    "/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
]
MACOS = [
    "/System/Library/Fonts/STHeiti Light.ttc#0",
    "/System/Library/Fonts/STHeiti Medium.ttc#0",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
]


def candidates() -> list[str]:
    """Font specs to try, configured first, then this system's usual places."""
    configured = [p for p in os.environ.get("ZIYANG_FONTS", "").split(os.pathsep) if p.strip()]
    if sys.platform.startswith("win"):
        system = WINDOWS
    elif sys.platform == "darwin":
        system = MACOS
    else:
        system = LINUX
    return configured + system


@dataclass
class LoadedFont:
    name: str  # registered reportlab font name
    path: str
    embedded: bool
    codepoints: frozenset[int] | None  # None: coverage unknown (CID fallback)

    def has(self, char: str) -> bool:
        if self.codepoints is None:
            code = ord(char)
            return code < 0x3400 or 0x4E00 <= code <= 0x9FFF or 0xFF00 <= code <= 0xFFEF
        return ord(char) in self.codepoints


@dataclass
class FontSet:
    """The fonts a document uses, in order: the first that has a character draws it."""

    primary: LoadedFont
    specs: list[str] = field(default_factory=list)  # further candidates, loaded on demand
    fallbacks: list[LoadedFont] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.primary.name

    @property
    def embedded(self) -> bool:
        return self.primary.embedded

    def _chain(self) -> Iterator[LoadedFont]:
        yield self.primary
        yield from self.fallbacks
        while self.specs:
            font = _load_spec(self.specs.pop(0))
            if font is not None:
                self.fallbacks.append(font)
                yield font

    def font_for(self, char: str) -> LoadedFont | None:
        if char in " \n\t" or self.primary.has(char):
            return self.primary
        for font in self._chain():
            if font.has(char):
                return font
        return None

    def runs(self, text: str) -> list[tuple[LoadedFont | None, str]]:
        """Split text into runs that one font can draw (None: no font has it)."""
        out: list[tuple[LoadedFont | None, str]] = []
        for char in text:
            font = self.font_for(char)
            if out and out[-1][0] is font and font is not None:
                out[-1] = (font, out[-1][1] + char)
            else:
                out.append((font, char))
        return out

    def missing(self, texts: Iterable[str]) -> list[str]:
        """Characters no available font can draw."""
        seen: dict[str, None] = {}
        for text in texts:
            for char in text:
                if self.font_for(char) is None:
                    seen[char] = None
        return list(seen)

    def markup(self, text: str) -> str:
        """Paragraph markup: fallback runs in their font, missing characters tagged in red."""
        parts: list[str] = []
        for font, run in self.runs(str(text)):
            if font is None:
                tags = "".join(f"[U+{ord(c):04X}]" for c in run)
                parts.append(f'<font color="#c00000">{tags}</font>')
            elif font is self.primary:
                parts.append(escape(run))
            else:
                parts.append(f'<font face="{font.name}">{escape(run)}</font>')
        return "".join(parts)


def _load_spec(spec: str) -> LoadedFont | None:
    path, _, index = spec.partition("#")
    file = Path(path)
    if not file.is_file():
        return None
    sub = int(index) if index.isdigit() else 0
    name = f"ZY-{file.stem}-{sub}".replace(" ", "")
    try:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(file), subfontIndex=sub))
        font = pdfmetrics.getFont(name)
        codepoints = frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]
    except Exception as exc:  # reportlab raises plain TTFError/Exception for unusable fonts
        log.info("font %s unusable: %s", spec, exc)
        return None
    return LoadedFont(name=name, path=str(file), embedded=True, codepoints=codepoints)


_CACHE: dict[tuple[str, ...], FontSet] = {}


def load_fonts(specs: list[str] | None = None) -> FontSet:
    """The first usable TrueType CJK font, the rest kept for fallback runs.

    Falls back to STSong-Light (not embedded) with a loud warning when none is found.
    """
    wanted = list(specs) if specs is not None else candidates()
    key = tuple(wanted)
    if key in _CACHE:
        return _CACHE[key]
    remaining = list(wanted)
    while remaining:
        font = _load_spec(remaining.pop(0))
        if font is not None and font.has("中") and font.has("证"):
            fontset = FontSet(primary=font, specs=remaining)
            _CACHE[key] = fontset
            return fontset
    message = (
        "未找到可嵌入的中文 TrueType 字体，改用内置 STSong-Light：PDF 不嵌入字体，"
        "在没有中文字体的电脑上可能显示为方框。请安装文泉驿正黑（fonts-wqy-zenhei）或设置 ZIYANG_FONTS。"
        " / No embeddable CJK TrueType font found; using STSong-Light, which is not embedded."
    )
    warnings.warn(message, RuntimeWarning, stacklevel=2)
    log.warning(message)
    if CID_FALLBACK not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    fontset = FontSet(
        primary=LoadedFont(CID_FALLBACK, "", embedded=False, codepoints=None),
        warnings=[message],
    )
    _CACHE[key] = fontset
    return fontset
