"""The receipt's QR code: reportlab's own encoding, drawn without its barcode package."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from printouts.qrcode import QUIET_ZONE, QrCode, qr_modules

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text", ["K7QF-2M9X-PA4D", "U3JO-KRSC-ERJ2", "A" * 60, "受理"])
@pytest.mark.parametrize("level", ["L", "M", "H"])
def test_the_modules_are_those_of_reportlabs_qr_widget(text: str, level: str) -> None:
    from reportlab.graphics.barcode.qr import QrCodeWidget

    widget = QrCodeWidget(text, barLevel=level)
    widget.draw()  # encodes
    assert qr_modules(text, level) == [[bool(m) for m in row] for row in widget.qr.modules]


def test_the_encoder_is_loaded_without_reportlabs_barcode_package() -> None:
    code = (
        "import sys\n"
        "from printouts.qrcode import encoder, qr_modules\n"
        "assert len(qr_modules('K7QF-2M9X-PA4D')) == 21\n"
        "assert encoder().__name__ == 'printouts._qrencoder'\n"
        "print(sorted(m for m in sys.modules if m.startswith('reportlab.graphics')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_code_is_drawn_as_dark_runs_in_its_square() -> None:
    flowable = QrCode("K7QF-2M9X-PA4D", 29 * mm)
    modules = flowable.modules
    assert flowable.wrap(100, 100) == (29 * mm, 29 * mm)
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, invariant=True)
    flowable.drawOn(page, 0, 0)
    page.save()
    contents = PdfReader(buffer).pages[0].get_contents()
    assert contents is not None
    ops = [line.split() for line in contents.get_data().decode().splitlines()]
    rects = [  # "n x y w h re f*"
        tuple(float(v) for v in op[op.index("re") - 4 : op.index("re")]) for op in ops if "re" in op
    ]
    # one rectangle per run of dark modules, row by row from the top
    runs = sum(
        1 for row in modules for i, dark in enumerate(row) if dark and (i == 0 or not row[i - 1])
    )
    assert len(rects) == runs
    box = 29 * mm / (len(modules) + 2 * QUIET_ZONE)
    x, y, width, height = rects[0]
    first = modules[0].index(True)  # the top-left finder pattern: 7 dark modules
    assert (round(x / box), round(width / box), round(height / box)) == (QUIET_ZONE + first, 7, 1)
    assert round((29 * mm - y) / box) == QUIET_ZONE + 1
    assert all(r[0] >= 0 and r[0] + r[2] <= 29 * mm + 1e-6 for r in rects)
