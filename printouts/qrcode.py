"""QR codes: reportlab's encoder, drawn straight onto the page as runs of filled squares.

reportlab's QR widget lives in its barcode package, whose import registers every barcode it
knows (Code 128, USPS, EAN, DataMatrix, ...: about 18 ms at every print), and the widget
encodes the text again for its bounds and for each drawing. Its encoder, qrencoder.py, is a
module of plain Python that imports nothing of reportlab's; it is loaded here on its own, and
through the package only if that file cannot be found.
"""

from __future__ import annotations

import functools
import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType

from reportlab.platypus import Flowable

QUIET_ZONE = 4  # modules of white around the code, as the QR standard asks


@functools.cache
def encoder() -> ModuleType:
    """reportlab's QR encoder module."""
    loaded = sys.modules.get("reportlab.graphics.barcode.qrencoder")
    if loaded is not None:
        return loaded
    reportlab = importlib.util.find_spec("reportlab")
    origin = reportlab.origin if reportlab else None
    file = Path(origin).parent / "graphics" / "barcode" / "qrencoder.py" if origin else None
    spec = importlib.util.spec_from_file_location("printouts._qrencoder", file) if file else None
    if file is None or not file.is_file() or spec is None or spec.loader is None:
        from reportlab.graphics.barcode import qrencoder

        return qrencoder
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def qr_modules(text: str, level: str = "M") -> list[list[bool]]:
    """The dark (True) and light modules of the smallest QR code of `text` at error
    correction `level` (L, M, Q, H), row by row from the top, without the quiet zone."""
    qr = encoder()
    code = qr.QRCode(None, getattr(qr.QRErrorCorrectLevel, level))
    code.addData(text)
    code.make()
    return [[bool(module) for module in row] for row in code.modules]


class QrCode(Flowable):  # type: ignore[misc]  # reportlab is untyped
    """A square QR code `size` points wide, quiet zone included, encoded once."""

    def __init__(self, text: str, size: float, level: str = "M") -> None:
        super().__init__()
        self.text = text
        self.size = size
        self.modules = qr_modules(text, level)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        box = self.size / (len(self.modules) + 2 * QUIET_ZONE)
        canvas = self.canv
        canvas.saveState()
        canvas.setFillColorRGB(0, 0, 0)
        for row_number, row in enumerate(self.modules):
            top = self.size - (row_number + QUIET_ZONE) * box
            column = 0
            for dark, run in itertools.groupby(row):
                count = len(list(run))
                if dark:
                    left = (column + QUIET_ZONE) * box
                    canvas.rect(left, top - box, count * box, box, stroke=0, fill=1)
                column += count
        canvas.restoreState()
