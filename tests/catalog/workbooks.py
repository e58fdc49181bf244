"""XLSX files built part by part, for what openpyxl's writer won't make: a zip bomb, a sheet
that declares its size, formula cells with the value a spreadsheet program saved."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{OFFICE_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PACKAGE_REL}">'
    f'<Relationship Id="rId1" Type="{OFFICE_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def text_cell(value: str) -> str:
    return f'<c t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'


def number_cell(value) -> str:
    return f"<c><v>{value}</v></c>"


def formula_cell(formula: str, saved: str | None = None) -> str:
    """A formula cell, with the text a spreadsheet program saved as its value (or none)."""
    value = f"<v>{escape(saved)}</v>" if saved is not None else ""
    return f'<c t="str"><f>{escape(formula)}</f>{value}</c>'


def row(*cells: str) -> str:
    return "<row>" + "".join(cells) + "</row>"


def text_row(*values: str) -> str:
    return row(*(text_cell(value) for value in values))


def _prefixed(xml: bytes, prefix: str) -> bytes:
    if not prefix:
        return xml
    return (
        xml.replace(b"</", b"\0")
        .replace(b"<", f"<{prefix}:".encode())
        .replace(b"\0", f"</{prefix}:".encode())
    )


def xlsx(
    rows: Iterable[str | bytes], *, dimension: str | None = None, level: int = 6, prefix: str = ""
) -> bytes:
    """A workbook of one sheet, "Danh sách", whose sheetData holds `rows` (XML, streamed into
    the zip as they come, so a sheet of hundreds of MB never sits in memory); with `prefix`,
    the sheet's elements carry it (<x:row>), as some generators write them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE_REL}"><sheets>'
            '<sheet name="Danh sách" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            namespace = f"xmlns:{prefix}" if prefix else "xmlns"
            sheet.write(_prefixed(b"<worksheet", prefix) + f' {namespace}="{MAIN}">'.encode())
            if dimension:
                sheet.write(_prefixed(f'<dimension ref="{dimension}"/>'.encode(), prefix))
            sheet.write(_prefixed(b"<sheetData>", prefix))
            for chunk in rows:
                sheet.write(_prefixed(chunk.encode() if isinstance(chunk, str) else chunk, prefix))
            sheet.write(_prefixed(b"</sheetData></worksheet>", prefix))
    return out.getvalue()
