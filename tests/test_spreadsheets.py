"""Every CSV or XLSX the app writes is safe to open in a spreadsheet program: no cell is
read as a formula (app/data/spreadsheets.py)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from app.data.spreadsheets import csv_bytes, safe_cell

APP = Path(__file__).resolve().parent.parent / "app"
WRITES_A_SPREADSHEET = re.compile(r"csv\.writer|csv\.DictWriter|\bWorkbook\(|write_only\s*=\s*True")


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(1+1)*cmd|' /C calc'!A0", "'@SUM(1+1)*cmd|' /C calc'!A0"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("+84 912 345 678", "'+84 912 345 678"),
        ("Chè xanh Hải Hà", "Chè xanh Hải Hà"),
        ("a=b", "a=b"),
        ("", ""),
        ("-5", "-5"),  # a negative amount already written as text is a number
        ("-1.500.000", "-1.500.000"),
        (-5, -5),
        (-2.5, -2.5),
        (Decimal("-3"), Decimal("-3")),
        (date(2024, 3, 20), date(2024, 3, 20)),
        (None, None),
        (True, True),
    ],
)
def test_text_that_would_be_a_formula_gets_a_leading_quote_and_values_stay(typed, written):
    assert safe_cell(typed) == written


def test_csv_bytes_writes_excels_csv_with_safe_cells():
    data = csv_bytes([["Tên", "Giá"], ['=HYPERLINK("http://evil","x")', -5], [None, "@x"]])
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows == [["Tên", "Giá"], ['\'=HYPERLINK("http://evil","x")', "-5"], ["", "'@x"]]


def test_every_module_that_writes_a_spreadsheet_uses_the_safe_cells():
    writers = []
    for path in sorted(APP.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        if path.name == "spreadsheets.py" and path.parent.name == "data":
            continue
        if WRITES_A_SPREADSHEET.search(source):
            writers.append(path.relative_to(APP).as_posix())
            assert "app.data.spreadsheets" in source, f"{path}: write cells through safe_cell or csv_bytes"
    assert "catalog/imports/services.py" in writers  # the check sees the writers there are


def test_a_control_character_in_a_name_does_not_break_an_xlsx_export():
    """A vertical tab pasted from a word processor into a comment or a name: the XLSX is still
    written (openpyxl refuses such characters), the rest of the text intact."""
    from openpyxl import load_workbook

    from app.reports.tables import Column, Table, xlsx_bytes

    table = Table("t", "Kết quả", [Column("note", "Ghi chú")], [("Hợp đồng\x0bký ngày 5\x01",)])
    book = load_workbook(io.BytesIO(xlsx_bytes([table])))
    assert book.active["A2"].value == "Hợp đồngký ngày 5"
