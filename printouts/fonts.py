"""Chinese fonts for the PDFs: embed a CJK font subset, fall back per run of text.

Search order: the paths in ZIYANG_FONTS (os.pathsep-separated, `path` or `path#index` for a
.ttc), then the usual system fonts (Windows SimSun/SimHei/Microsoft YaHei and SimSun-ExtB,
Linux WenQuanYi Zen Hei/Micro Hei, AR PL UMing and Hanazono for rare characters, macOS STHeiti
and Arial Unicode, then the Noto / Source Han CJK fonts of Linux desktops such as UOS and
Kylin), then Noto Sans CJK from the `noto-cjk-sans-otc` package, which is installed with us.
ZIYANG_SYSTEM_FONTS=0 skips the system fonts (ZIYANG_FONTS still counts).

reportlab embeds TrueType outlines only. Fonts with PostScript (CFF) outlines, as every Noto /
Source Han CJK font has, are measured with their own metrics and, when a PDF is written, each
subset reportlab embeds (the document's characters, at most 256 per subset) is converted to
TrueType outlines with fontTools' cu2qu; converted glyphs are kept for the process, so only the
first document pays for loading the font.

When no CJK font exists at all, reportlab's built-in STSong-Light CID font is used with a
loud warning: it is not embedded and shows boxes on a viewer without Chinese fonts.

Characters no loaded font has are drawn as a visible `[U+XXXXX]` tag and reported, so an
officer is warned before printing and a name never comes out silently wrong.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import marshal
import mmap
import os
import struct
import sys
import warnings
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, NamedTuple
from weakref import WeakKeyDictionary

import reportlab
from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)

_reportlab_to_unicode = ttfonts.makeToUnicodeCMap


def escape(text: str) -> str:
    """Paragraph markup for plain text: &, < and > as entities (what xml.sax.saxutils.escape
    does, without the urllib and http modules it imports, about 10 ms at every print)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


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
# PostScript (CFF) outlines, converted on use. A collection without `#index` opens its Simplified
# Chinese face (family name ending in SC or CN), whatever its place in the file.
LINUX_CFF = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",  # Debian, Ubuntu, UOS, Kylin
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",  # Arch
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",  # Fedora
    "/usr/share/fonts/google-noto-sans-cjk-fonts/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf",
    "/usr/share/fonts/adobe-source-han-sans/SourceHanSansCN-Regular.otf",
    "/usr/share/fonts/opentype/source-han-sans/SourceHanSans-Regular.ttc",
]
MACOS = [
    "/System/Library/Fonts/STHeiti Light.ttc#0",
    "/System/Library/Fonts/STHeiti Medium.ttc#0",
    "/Library/Fonts/Arial Unicode.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
]


def system_fonts_enabled() -> bool:
    """ZIYANG_SYSTEM_FONTS=0 ignores the system's fonts, to prove the packaged font alone works."""
    return os.environ.get("ZIYANG_SYSTEM_FONTS", "1").strip() != "0"


def packaged_fonts() -> list[str]:
    """Noto Sans CJK from the `noto-cjk-sans-otc` package: a Chinese font on every machine."""
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return []
    return [str(noto_cjk_sans_otc.FONT_PATH)]


def candidates() -> list[str]:
    """Font specs to try, configured first, then this system's usual places, then the package's."""
    configured = [p for p in os.environ.get("ZIYANG_FONTS", "").split(os.pathsep) if p.strip()]
    if not system_fonts_enabled():
        system: list[str] = []
    elif sys.platform.startswith("win"):
        system = WINDOWS
    elif sys.platform == "darwin":
        system = MACOS
    else:
        system = LINUX + LINUX_CFF
    return configured + system + packaged_fonts()


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
    sub = int(index) if index.isdigit() else None
    try:
        if _has_cff_outlines(file, sub or 0):
            sub = _simplified_face(file) if sub is None else sub
            name = f"ZY-{file.stem}-{sub}".replace(" ", "")
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(ConvertedFont(name, file, sub))
        else:
            sub = sub or 0
            name = f"ZY-{file.stem}-{sub}".replace(" ", "")
            if name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(CachedTTFont(name, file, sub))
        font = pdfmetrics.getFont(name)
        codepoints = frozenset(font.face.charToGlyph)  # type: ignore[attr-defined]
    except Exception as exc:  # reportlab raises plain TTFError/Exception for unusable fonts
        log.info("font %s unusable: %s", spec, exc)
        return None
    return LoadedFont(name=name, path=str(file), embedded=True, codepoints=codepoints)


def _has_cff_outlines(file: Path, index: int) -> bool:
    """Whether the font (face `index` of a collection) has PostScript outlines ('OTTO')."""
    with file.open("rb") as stream:
        head = stream.read(12)
        if head[:4] == b"ttcf":
            (count,) = struct.unpack(">I", head[8:12])
            if not 0 <= index < count:
                return False
            stream.seek(12 + 4 * index)
            (offset,) = struct.unpack(">I", stream.read(4))
            stream.seek(offset)
            head = stream.read(4)
    return head[:4] == b"OTTO"


def _simplified_face(file: Path) -> int:
    """The Simplified Chinese face of a CJK collection (Noto's order is JP, KR, SC, TC, HK)."""
    from fontTools.ttLib import TTCollection

    with file.open("rb") as stream:
        if stream.read(4) != b"ttcf":
            return 0
    with TTCollection(str(file), lazy=True) as collection:
        for index, face in enumerate(collection.fonts):
            family = str(face["name"].getDebugName(1) or "")
            if family.endswith((" SC", " CN")):
                return index
    return 0


FACE_CACHE_FORMAT = 2
_NAME_FIELDS = ("name", "familyName", "styleName", "fullName", "uniqueFontID")
_MAPS = ("charToGlyph", "charWidths")  # character -> glyph id / width
_COLUMNS = ("glyphPos",)  # glyph offsets
_UNCACHED = {"_ttf_data", "_pdfScale", "glyphToChar", "hmetrics", *_NAME_FIELDS, *_MAPS, *_COLUMNS}


def font_cache_dir() -> Path:
    """Where parsed fonts are kept between runs: ZIYANG_FONT_CACHE, else the user's cache."""
    override = os.environ.get("ZIYANG_FONT_CACHE", "").strip()
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_cache_dir("ziyang-counter", appauthor=False)) / "fonts"


def _face_cache_file(file: Path, index: int) -> Path:
    """The cache file of face `index` of `file`, named for everything its parse depends on: the
    file (path, size, modification time), the face, reportlab's version, Python's (marshal's
    format is its own) and this format."""
    stat = file.stat()
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    key = f"{file.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{index}|{reportlab.Version}|{python}"
    digest = hashlib.sha256(f"{key}|{FACE_CACHE_FORMAT}".encode()).hexdigest()[:24]
    return font_cache_dir() / f"{digest}.face"


def _pack(values: Iterable[float]) -> tuple[str, bytes]:
    """A column of numbers as array bytes: 64-bit integers, or doubles if any is a float."""
    column = list(values)
    code = "q" if all(type(value) is int for value in column) else "d"
    return code, array(code, column).tobytes()


def _unpack(packed: tuple[str, bytes]) -> list[Any]:
    code, data = packed
    column = array(code)
    column.frombytes(data)
    return column.tolist()


def _store_face(face: Any, target: Path) -> None:
    """Keep a parsed face's tables (character map, widths, metrics) for the next run as array
    bytes (a dict of 40,000 numbers unmarshals three times slower), written to a temporary file
    and renamed into place. A cache that cannot be written costs only time."""
    state = {key: value for key, value in face.__dict__.items() if key not in _UNCACHED}
    state["names"] = {attr: getattr(face, attr).ustr for attr in _NAME_FIELDS}
    for attr in _MAPS:
        table = getattr(face, attr)
        state[attr] = (_pack(table.keys()), _pack(table.values()))
    state["glyphPos"] = _pack(face.glyphPos)
    state["hmetrics"] = tuple(_pack(column) for column in zip(*face.hmetrics, strict=True))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        partial.write_bytes(marshal.dumps(state))
        os.replace(partial, target)
    except (OSError, ValueError) as exc:
        log.info("font cache %s not written: %s", target, exc)


def _map_file(file: Path) -> mmap.mmap:
    """The font's bytes, mapped rather than read: a subset touches a few glyphs of a 17 MB
    collection. Fonts are replaced by renaming (package upgrades), which leaves a mapping
    intact."""
    with file.open("rb") as stream:
        return mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ)


class _CachedFace(ttfonts.TTFontFace):
    """A face rebuilt from the cache. Glyph-to-character lists serve only text shaping
    (uharfbuzz), so they are derived when first asked for, from the character map."""

    @functools.cached_property
    def glyphToChar(self) -> dict[int, list[int]]:  # reportlab's name
        lists: dict[int, list[int]] = {}
        for char, glyph in self.charToGlyph.items():
            lists.setdefault(glyph, []).append(char)
        return lists


def _cached_face(file: Path, target: Path) -> Any | None:
    """A face rebuilt from its cache file without parsing the font, or None (no usable cache)."""
    try:
        state = marshal.loads(target.read_bytes())
        names = state.pop("names")
        maps = {attr: state.pop(attr) for attr in _MAPS}
        positions = state.pop("glyphPos")
        advances, bearings = state.pop("hmetrics")
        face = _CachedFace.__new__(_CachedFace)
        pdfmetrics.TypeFace.__init__(face, None)
        face.__dict__.update(state)
        for attr in _NAME_FIELDS:
            setattr(face, attr, ttfonts.TTFNameBytes(names[attr].encode("utf-8")))
        for attr, (keys, values) in maps.items():
            setattr(face, attr, dict(zip(_unpack(keys), _unpack(values), strict=True)))
        face.glyphPos = _unpack(positions)
        face.hmetrics = list(zip(_unpack(advances), _unpack(bearings), strict=True))
        units = face.unitsPerEm
        face._pdfScale = (lambda x: x) if units == 1000 else (lambda x: x * (1000 / units))
        face._ttf_data = _map_file(file)  # the glyphs of each subset are cut from it
    except FileNotFoundError:
        return None
    except (OSError, EOFError, ValueError, TypeError, KeyError, AttributeError) as exc:
        log.info("font cache %s unusable: %s", target, exc)
        return None
    return face


class CachedTTFont(TTFont):
    """A TrueType font whose parse is kept between runs.

    reportlab parses a whole CJK font on every load (character map, widths and glyph offsets
    of some 40,000 glyphs: about 60 ms for WenQuanYi Zen Hei, most of a receipt's font time).
    The parsed tables go to a small cache file the first time; later runs rebuild the face
    from it and read only the font's bytes, which the embedded subsets are cut from.
    """

    def __init__(self, name: str, file: Path, index: int) -> None:
        target = _face_cache_file(file, index)
        face = _cached_face(file, target)
        if face is None:
            super().__init__(name, str(file), subfontIndex=index)
            _store_face(self.face, target)  # type: ignore[has-type]  # reportlab is untyped
            return
        # What TTFont.__init__ sets besides the face (checked against it by a test).
        self.fontName = name
        self.face = face
        self.encoding = ttfonts.TTEncoding()
        self.state: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch(name, glob) for glob in rl_config.unShapedFontGlob)


class TrueTypeGlyph(NamedTuple):
    data: bytes  # the glyf record, padded to 4 bytes
    contours: int
    points: int
    x_min: int


class ConvertedFont(TTFont):
    """A PostScript-outline (CFF) font reportlab can embed.

    reportlab measures and places text with the font's own metrics (its name, OS/2, hhea, hmtx
    and cmap tables, put into a TrueType shell with empty outlines). When a PDF is written,
    reportlab asks the face for each subset it embeds; that subset's glyphs are drawn from the
    CFF outlines through fontTools' cu2qu pen into TrueType glyphs (kept for the process) and
    built into a small TrueType font. So the document's characters are known exactly (including
    text drawn straight on the canvas), and later documents reuse every glyph already converted.
    """

    MAX_ERR = 1.0  # cu2qu tolerance in font units (1/1000 em for Noto): invisible in print

    def __init__(self, name: str, file: Path, index: int) -> None:
        from fontTools.ttLib import TTFont as OpenTypeFont

        self.source = OpenTypeFont(str(file), fontNumber=index, lazy=True)
        if "CFF " not in self.source:
            raise ValueError(f"{file}#{index} has no CFF outlines")
        # The tables as stored (asking fontTools for a loaded one would recompile it).
        self.tables = {tag: self.source.reader[tag] for tag in SHELL_TABLES}
        super().__init__(name, io.BytesIO(_metrics_shell(self.tables)))
        self.face.filename = f"{file}#{index}"
        self.face.makeSubset = self.make_subset  # type: ignore[method-assign]
        self._glyph_set: Any = None
        self._glyphs: dict[int, TrueTypeGlyph] = {}  # converted, by source glyph id

    def _glyph(self, gid: int) -> TrueTypeGlyph:
        """Source glyph `gid` converted to TrueType outlines, once per process."""
        glyph = self._glyphs.get(gid)
        if glyph is None:
            from fontTools.pens.cu2quPen import Cu2QuPen
            from fontTools.pens.ttGlyphPen import TTGlyphPen
            from fontTools.ttLib import newTable

            if self._glyph_set is None:
                self._glyph_set = self.source.getGlyphSet()
            pen = TTGlyphPen(None)
            outline = self._glyph_set[self.source.getGlyphName(gid)]
            outline.draw(Cu2QuPen(pen, self.MAX_ERR, reverse_direction=True))
            tt = pen.glyph()
            if tt.numberOfContours == 0:
                glyph = TrueTypeGlyph(b"", 0, 0, 0)
            else:
                data = tt.compile(newTable("glyf"))  # also computes the bounds
                data += bytes(-len(data) % 4)
                glyph = TrueTypeGlyph(data, tt.numberOfContours, len(tt.coordinates), tt.xMin)
            self._glyphs[gid] = glyph
        return glyph

    def make_subset(self, subset: list[int]) -> bytes:
        """A TrueType font whose code i draws character subset[i], laid out as reportlab's own
        subsets are (a symbolic font with a (1, 0) cmap), from the converted glyphs."""
        face: Any = self.face
        gids: dict[int, int] = {0: 0}  # source glyph id -> glyph id in the subset
        codes = [gids.setdefault(face.charToGlyph.get(char, 0), len(gids)) for char in subset]
        glyphs = [self._glyph(gid) for gid in gids]
        glyf = b"".join(glyph.data for glyph in glyphs)
        offsets = [0]
        for glyph in glyphs:
            offsets.append(offsets[-1] + len(glyph.data))
        long_loca = offsets[-1] > 0x1FFFE
        loca = (
            struct.pack(f">{len(offsets)}I", *offsets)
            if long_loca
            else struct.pack(f">{len(offsets)}H", *(o // 2 for o in offsets))
        )
        hmtx = b"".join(
            struct.pack(">Hh", face.hmetrics[gid][0], glyph.x_min)
            for gid, glyph in zip(gids, glyphs, strict=True)
        )
        count = len(glyphs)
        maxp = struct.pack(
            ">IHHHHHHHHHHHHHH", 0x00010000, count,
            max(g.points for g in glyphs), max(g.contours for g in glyphs),
            0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,  # no composites, one zone, no instructions
        )  # fmt: skip
        cmap = struct.pack(
            f">HHHHIHHHHH{len(codes)}H", 0, 1, 1, 0, 12, 6, 10 + 2 * len(codes), 0, 0,
            len(codes), *codes,
        )  # fmt: skip
        head = bytearray(self.tables["head"])
        head[50:52] = struct.pack(">H", 1 if long_loca else 0)
        hhea = bytearray(self.tables["hhea"])
        hhea[34:36] = struct.pack(">H", count)
        post = b"\x00\x03\x00\x00" + self.tables["post"][4:16] + bytes(16)
        maker = ttfonts.TTFontMaker()
        for tag, data in (
            ("head", bytes(head)), ("hhea", bytes(hhea)), ("maxp", maxp), ("OS/2", self.tables["OS/2"]),
            ("hmtx", hmtx), ("cmap", cmap), ("loca", loca), ("glyf", glyf), ("post", post),
        ):  # fmt: skip
            maker.add(tag, data)
        return maker.makeStream()


SHELL_TABLES = ("name", "OS/2", "hhea", "hmtx", "cmap", "post", "head", "maxp")


def _metrics_shell(tables: dict[str, bytes]) -> bytes:
    """The source font's metric tables in a TrueType shell with empty outlines, for reportlab's
    parser: the glyph ids, widths and names are the source's, so text measures the same."""
    maker = ttfonts.TTFontMaker()
    for tag in ("name", "OS/2", "hhea", "hmtx", "cmap", "post"):
        maker.add(tag, tables[tag])
    (count,) = struct.unpack(">H", tables["maxp"][4:6])
    maker.add("maxp", struct.pack(">IH", 0x00010000, count) + bytes(26))  # version 1.0
    head = bytearray(tables["head"])
    head[50:52] = b"\0\0"  # short loca offsets
    maker.add("head", bytes(head))
    maker.add("loca", bytes(2 * (count + 1)))
    maker.add("glyf", b"")
    return maker.makeStream()


_CACHE: dict[tuple[str, ...], FontSet] = {}


def load_fonts(specs: list[str] | None = None) -> FontSet:
    """The first usable CJK font, the rest kept for fallback runs.

    Falls back to STSong-Light (not embedded) with a loud warning, on every call, when none is
    found.
    """
    wanted = list(specs) if specs is not None else candidates()
    key = tuple(wanted)
    if key in _CACHE:
        fontset = _CACHE[key]
        for message in fontset.warnings:
            warnings.warn(message, RuntimeWarning, stacklevel=2)
        return fontset
    remaining = list(wanted)
    while remaining:
        font = _load_spec(remaining.pop(0))
        if font is not None and font.has("中") and font.has("证"):
            fontset = FontSet(primary=font, specs=remaining)
            _CACHE[key] = fontset
            return fontset
    message = (
        "未找到可嵌入的中文字体，改用内置 STSong-Light：PDF 不嵌入字体，"
        "在没有中文字体的电脑上可能显示为方框。请安装 noto-cjk-sans-otc（pip）或文泉驿正黑"
        "（fonts-wqy-zenhei），或设置 ZIYANG_FONTS。"
        " / No embeddable CJK font found; using STSong-Light, which is not embedded."
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
