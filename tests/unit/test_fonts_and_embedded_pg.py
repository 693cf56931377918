"""A fresh machine: the packaged Noto CJK font embeds on its own (CFF outlines converted to
TrueType), and the PostgreSQL tests bring their own embedded server."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import peewee
import pytest
from fontTools.ttLib import TTFont as OpenTypeFont
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from forms.papers import Applicant
from printouts.fonts import ConvertedFont, candidates, load_fonts, packaged_fonts
from printouts.receipt import render_receipt
from tests.unit.test_printouts import MASKED, NOWHERE, font_files, read, receipt

ROOT = Path(__file__).resolve().parents[2]
WQY = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc#0"


@pytest.fixture
def pip_font_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with no Chinese font of its own: only the `noto-cjk-sans-otc` package."""
    monkeypatch.setenv("ZIYANG_SYSTEM_FONTS", "0")
    monkeypatch.delenv("ZIYANG_FONTS", raising=False)


def embedded_programs(pdf: bytes) -> list[OpenTypeFont]:
    """The font program of every font in the PDF, opened with fontTools."""
    programs = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        resources: Any = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            descriptor = ref.get_object()["/FontDescriptor"].get_object()
            data = descriptor["/FontFile2"].get_object().get_data()
            programs.append(OpenTypeFont(io.BytesIO(data)))
    return programs


def test_the_packaged_noto_font_alone_embeds_every_name(pip_font_only: None) -> None:
    fonts = load_fonts()
    assert packaged_fonts() and fonts.primary.path == packaged_fonts()[0]
    assert fonts.embedded and fonts.warnings == []
    face = pdfmetrics.getFont(fonts.name).face  # type: ignore[attr-defined]
    assert face.name == b"NotoSansCJKsc-Regular"  # the Simplified Chinese face of the collection
    for name in ("王𠮷祥", "李䶮", "张敏"):
        buffer = io.BytesIO()
        result = render_receipt(receipt(applicant=Applicant(name, MASKED, "蒿坪镇", "")), buffer)
        reader, text = read(buffer.getvalue())
        assert name in text and "受 理 回 执" in text and "K7QF-2M9X-PA4D" in text
        assert result.warnings == [] and result.missing_glyphs == []
        embedded = font_files(reader)
        assert embedded and all(embedded.values()), embedded
        assert all("NotoSansCJKsc" in font for font in embedded), embedded


def test_the_embedded_program_is_truetype_with_only_the_documents_glyphs(
    pip_font_only: None,
) -> None:
    buffer = io.BytesIO()
    render_receipt(receipt(applicant=Applicant("王𠮷祥", MASKED, "蒿坪镇", "")), buffer)
    programs = embedded_programs(buffer.getvalue())
    assert programs
    for program in programs:
        assert "glyf" in program and "loca" in program and "CFF " not in program
        assert program["maxp"].numGlyphs <= 257  # one reportlab subset, not the 65,535 glyphs
        contours = [program["glyf"][g].numberOfContours for g in program.getGlyphOrder()]
        assert sum(1 for c in contours if c > 0) > 50  # real outlines, not empty boxes


def test_later_documents_reuse_the_converted_glyphs(pip_font_only: None) -> None:
    font = pdfmetrics.getFont(load_fonts().name)
    assert isinstance(font, ConvertedFont)
    face: Any = font.face
    render_receipt(receipt(), io.BytesIO())
    converted = len(font._glyphs)
    render_receipt(receipt(), io.BytesIO())
    assert len(font._glyphs) == converted  # the same receipt converts nothing new
    name = "欧阳娜娜鑫"
    new = {face.charToGlyph[ord(c)] for c in name} - set(font._glyphs)
    render_receipt(receipt(applicant=Applicant(name, MASKED, "蒿坪镇", "")), io.BytesIO())
    assert new <= set(font._glyphs)
    assert len(font._glyphs) == converted + len(new)  # only the new name's characters


def test_a_character_noto_lacks_is_still_tagged(pip_font_only: None) -> None:
    buffer = io.BytesIO()
    result = render_receipt(
        receipt(applicant=Applicant(f"李{NOWHERE}", MASKED, "蒿坪镇", "")), buffer
    )
    assert result.missing_glyphs == [NOWHERE]
    assert "[U+31350]" in read(buffer.getvalue())[1]


def test_converted_noto_is_the_per_glyph_fallback_after_a_truetype_font() -> None:
    fonts = load_fonts(specs=[WQY, *packaged_fonts()])
    assert "wqy" in fonts.primary.path and not fonts.primary.has("𠮷")
    buffer = io.BytesIO()
    result = render_receipt(receipt(), buffer, fonts=fonts)
    reader, text = read(buffer.getvalue())
    assert "王𠮷祥" in text and result.missing_glyphs == []
    embedded = font_files(reader)
    assert all(embedded.values()), embedded
    assert any("WenQuanYi" in f for f in embedded) and any("NotoSansCJKsc" in f for f in embedded)


def test_a_cff_font_named_in_ziyang_fonts_with_its_face(
    pip_font_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZIYANG_FONTS", f"{packaged_fonts()[0]}#3")  # the Traditional face
    fonts = load_fonts()
    assert pdfmetrics.getFont(fonts.name).face.name == b"NotoSansCJKtc-Regular"  # type: ignore[attr-defined]


def test_system_truetype_fonts_come_before_the_packaged_font(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ZIYANG_SYSTEM_FONTS", raising=False)
    monkeypatch.delenv("ZIYANG_FONTS", raising=False)
    found = candidates()
    if sys.platform.startswith("linux"):
        assert found.index(WQY) < found.index(
            "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        )
    assert found[-1] == packaged_fonts()[0]
    monkeypatch.setenv("ZIYANG_SYSTEM_FONTS", "0")
    assert candidates() == packaged_fonts()


def test_with_no_font_at_all_it_warns_loudly_and_uses_stsong(
    pip_font_only: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "noto_cjk_sans_otc", None)  # the package is not installed
    assert packaged_fonts() == []
    with pytest.warns(RuntimeWarning, match="STSong-Light"):
        fonts = load_fonts()
    assert not fonts.embedded
    with pytest.warns(RuntimeWarning, match="STSong-Light"):  # every time, not only the first
        result = render_receipt(
            receipt(applicant=Applicant("王德明", MASKED, "蒿坪镇", "")), io.BytesIO()
        )
    assert any("STSong-Light" in w for w in result.warnings)


# ── the embedded PostgreSQL server ──


@pytest.mark.parametrize("turn", [1, 2])
def test_the_database_server_answers(database: peewee.Database, turn: int) -> None:
    """Run on both engines by the suite; run alone by the next test with ZIYANG_TEST_PG=embedded."""
    if not isinstance(database, peewee.PostgresqlDatabase):
        return
    (folder,) = database.execute_sql("SHOW data_directory").fetchone()
    report = os.environ.get("ZIYANG_PG_PROBE_FILE")
    if report:
        with open(report, "a", encoding="utf-8") as out:
            out.write(f"{folder}\n")
    if os.environ.get("ZIYANG_TEST_PG") == "embedded":
        assert "ziyang-pg-" in folder


def test_embedded_postgres_under_xdist_runs_the_tests_and_stops(tmp_path: Path) -> None:
    probe = tmp_path / "data-directories.txt"
    env = {**os.environ, "ZIYANG_TEST_PG": "embedded", "ZIYANG_PG_PROBE_FILE": str(probe)}
    env.pop("ZIYANG_SKIP_PG", None)
    run = subprocess.run(
        [
            sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
            f"{Path(__file__).relative_to(ROOT)}::test_the_database_server_answers",
        ],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "4 passed" in run.stdout and "skipped" not in run.stdout, run.stdout
    folders = probe.read_text(encoding="utf-8").split()
    assert len(folders) == 2 and all("ziyang-pg-" in f for f in folders), folders
    assert not any(Path(f).exists() for f in folders)  # stopped and deleted at the end
