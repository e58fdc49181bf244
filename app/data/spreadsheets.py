"""Cells of the CSV and XLSX files the app writes, made safe to open in a spreadsheet.

Names and descriptions are stored as typed, and someone may type `=HYPERLINK(...)`,
`+cmd|' /C calc'!A0` or `@SUM(...)`. A spreadsheet program opening a file the app wrote
must show such a value as text, never run it as a formula. Every writer of CSV or XLSX
(the import templates, any export) passes each cell through `safe_cell`, or writes its rows
with `csv_bytes`; tests/test_spreadsheets.py checks that every module writing one does.

OWASP's advice (CSV injection): a text starting with =, +, -, @, a tab or a carriage
return gets a leading single quote, which spreadsheet programs show as text. Numbers,
dates and booleans are values, not text, and stay as they are: -5 is a number, and so is
the text "-5" (a negative amount a writer already turned into text).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)*")


def safe_cell(value):
    """`value`, or a text that no spreadsheet program reads as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_bytes(rows: Iterable[Iterable], *, bom: bool = True) -> bytes:
    """Rows of cells as CSV for Excel: UTF-8 with a BOM (so it shows the accents), Windows
    line ends, every cell passed through `safe_cell`; None is an empty cell."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else safe_cell(cell) for cell in row])
    data = out.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data
