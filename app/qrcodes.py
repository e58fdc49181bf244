"""QR codes (the `qrcode` package): text in, a PNG, an SVG document or inline SVG markup out.

Generic: what a code carries (a booth's address, a product's traceability page) is its
caller's business. Error correction M, so a printed code survives a crease or a smudge.
"""

from __future__ import annotations

import functools
import io
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    import qrcode

# qrcode (and PIL, for PNGs) are imported where a code is drawn: most commands never draw one.
BORDER = 4  # the quiet zone the QR specification asks for, in modules


def _code(data: str, box_size: int = 10) -> qrcode.QRCode:
    import qrcode
    import qrcode.constants

    # M (15 % of the code can be lost): a printed sign may get a crease or a smudge.
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=box_size, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG of the QR code of `data` (black on white)."""
    from qrcode.image.pil import PilImage

    image = _code(data, box_size).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A standalone SVG document of the QR code of `data` (one path, scalable for print)."""
    from qrcode.image.svg import SvgPathImage

    image = _code(data).make_image(image_factory=SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg_inline(data: str, label: str | None = None, css_class: str = "qr-code") -> Markup:
    """The QR code as an <svg> element to put inside a page: it scales to its container.

    One path of horizontal runs (a third of the size of a square per module). The path is
    cached per process: a page that shows the same codes again (an agenda, a booth sign, in
    any language) draws none; drawing one costs a few milliseconds (the mask search).
    """
    size, path = _svg_path(data)
    attributes = {
        "viewBox": f"0 0 {size} {size}",
        "xmlns": "http://www.w3.org/2000/svg",
        "class": css_class,
        "role": "img",
    }
    if label:
        attributes["aria-label"] = label
    element = ET.Element("svg", attributes)
    # The white background, so the quiet zone prints even on a coloured sign.
    ET.SubElement(element, "rect", {"width": str(size), "height": str(size), "fill": "#fff"})
    ET.SubElement(element, "path", {"d": path, "fill": "#000"})
    # ElementTree escapes every attribute (the label too): the markup is safe to embed.
    return Markup(ET.tostring(element, encoding="unicode"))  # noqa: S704


@functools.lru_cache(maxsize=4096)  # ~3 KB each: at most ~12 MB per process
def _svg_path(data: str) -> tuple[int, str]:
    """(size in modules with the quiet zone, SVG path of the dark modules) of `data`'s code."""
    matrix = _code(data).get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        x, size = 0, len(row)
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            runs.append(f"M{start} {y}h{x - start}v1h-{x - start}z")
    return len(matrix), "".join(runs)
