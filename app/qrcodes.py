"""QR codes (the `qrcode` package) and the addresses they carry.

What each code leads to:
- a physical booth: a stable address of the booth (`booths.booth_qr_target`) that sends the
  visitor on to the electronic booth of whoever holds the booth at scan time, so a sign
  printed before a late move or swap still leads to the right exhibitor;
- an electronic booth: its public page;
- a product: its traceability page (`/trace/<code>`), or its product page when it has no code.

Addresses are absolute (`_external=True`): they leave the site on paper.
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import qrcode
import qrcode.constants
from flask import url_for
from markupsafe import Markup
from qrcode.image.pil import PilImage
from qrcode.image.svg import SvgPathImage

from app.booths.models import Booth, ElectronicBooth
from app.catalog.models import Product
from app.events.models import Event
from app.extensions import db

# M (15 % of the code can be lost): a printed sign may get a crease or a smudge.
ERROR_CORRECTION = qrcode.constants.ERROR_CORRECT_M
BORDER = 4  # the quiet zone the QR specification asks for, in modules


def _code(data: str, box_size: int = 10) -> qrcode.QRCode:
    code = qrcode.QRCode(error_correction=ERROR_CORRECTION, box_size=box_size, border=BORDER)
    code.add_data(data)
    code.make(fit=True)
    return code


def qr_png(data: str, box_size: int = 10) -> bytes:
    """A PNG of the QR code of `data` (black on white)."""
    image = _code(data, box_size).make_image(image_factory=PilImage)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(data: str) -> bytes:
    """A standalone SVG document of the QR code of `data` (one path, scalable for print)."""
    image = _code(data).make_image(image_factory=SvgPathImage)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue()


def qr_svg_inline(data: str, label: str | None = None, css_class: str = "qr-code") -> Markup:
    """The QR code as an <svg> element to put inside a page: it scales to its container."""
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


# ---------------------------------------------------------------- what each code carries


def _event(event_id: int) -> Event:
    return db.session.get(Event, event_id)


def ebooth_url(ebooth: ElectronicBooth) -> str:
    """The electronic booth's public page."""
    event = _event(ebooth.event_id)
    return url_for("booths.ebooth_page", slug=event.slug, ebooth_id=ebooth.id, _external=True)


def booth_url(booth: Booth) -> str:
    """The physical booth's stable address, which sends the visitor to its exhibitor's electronic booth."""
    event = _event(booth.event_id)
    return url_for("booths.booth_qr_target", slug=event.slug, booth_id=booth.id, _external=True)


def product_url(product: Product) -> str:
    """The product's traceability page (its product page when it has no traceability code)."""
    if product.traceability_code:
        return url_for("booths.trace", code=product.traceability_code, _external=True)
    return url_for("catalog.product", product_id=product.id, _external=True)
