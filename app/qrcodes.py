"""QR codes (the `qrcode` package): text in, a PNG, an SVG document or inline SVG markup out.

Generic: what a code carries (a booth's address, a product's traceability page) is its
caller's business. Error correction M, so a printed code survives a crease or a smudge.
"""

from __future__ import annotations

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
    """The QR code as an <svg> element to put inside a page: it scales to its container."""
    from qrcode.image.svg import SvgPathImage

    image = _code(data).make_image(image_factory=SvgPathImage)
    element = image.get_image()
    element.attrib.pop("width", None)
    element.attrib.pop("height", None)
    element.set("class", css_class)
    element.set("role", "img")
    if label:
        element.set("aria-label", label)
    # The white background, so the quiet zone prints even on a coloured sign.
    size = element.get("viewBox").split()[2]
    background = ET.Element("rect", {"width": size, "height": size, "fill": "#fff"})
    element.insert(0, background)
    for path in element.iter("path"):
        path.attrib.pop("id", None)  # "qr-path": several codes on one page must not share an id
    # ElementTree escapes every attribute (the label too): the markup is safe to embed.
    return Markup(ET.tostring(element, encoding="unicode"))  # noqa: S704
