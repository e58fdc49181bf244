"""Formulas in and out: a name typed as `=HYPERLINK(...)` is kept as typed, every spreadsheet
the app hands out shows it as text, and a formula in an uploaded workbook is never evaluated
(the import takes the value the spreadsheet program saved with it, as text or a number)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from app.catalog.imports import services as imports
from app.catalog.models import Organisation, Product
from app.data.spreadsheets import FORMULA_STARTS
from tests.catalog.test_import import HEADERS, TEA, csv_bytes, result_of, upload_and_confirm
from tests.catalog.workbooks import formula_cell, number_cell, row, text_cell, text_row, xlsx

EVIL_NAME = '=HYPERLINK("http://evil","x")'
EVIL_PRODUCER = "+cmd|' /C calc'!A0"
EVIL_DESCRIPTION = "@SUM(1+1)*cmd|' /C calc'!A0"
EVIL_ENGLISH = "-2+3+cmd|' /C calc'!A0"


@pytest.fixture()
def as_organiser(client, organiser, login):
    login(organiser)
    client.get("/?lang=en")
    return organiser


def evil_csv() -> bytes:
    headers = [*HEADERS, "Mô tả"]
    evil = TEA | {
        "Tên chủ thể": EVIL_PRODUCER,
        "Tên sản phẩm": EVIL_NAME,
        "Tên tiếng Anh": EVIL_ENGLISH,
        "Mô tả": EVIL_DESCRIPTION,
        "Mã số thuế": "",
    }
    return csv_bytes([evil], headers)


def test_names_that_look_like_formulas_are_kept_as_typed(client, db, as_organiser, worker):
    _token, done = upload_and_confirm(client, worker, evil_csv(), "evil.csv")
    assert result_of(done).startswith("1 products created, ")
    product = db.session.scalar(select(Product))
    assert (product.name_vi, product.name_en, product.description_vi) == (
        EVIL_NAME,
        EVIL_ENGLISH,
        EVIL_DESCRIPTION,
    )
    assert (
        db.session.scalar(select(Organisation.name).where(Organisation.role == "producer")) == EVIL_PRODUCER
    )


def _is_formula_text(value) -> bool:
    if not isinstance(value, str) or not value.startswith(FORMULA_STARTS):
        return False
    try:
        float(value.replace(",", "."))
    except ValueError:
        return True
    return False  # a number written as text ("-5")


def _spreadsheets(client) -> tuple[list[list[str]], openpyxl.Workbook]:
    csv_response = client.get("/import/template.csv")
    xlsx_response = client.get("/import/template.xlsx")
    assert csv_response.status_code == xlsx_response.status_code == 200
    rows = list(csv.reader(io.StringIO(csv_response.data.decode("utf-8-sig"), newline="")))
    return rows, openpyxl.load_workbook(io.BytesIO(xlsx_response.data))  # formulas as formulas


def _formula_cells(workbook) -> list[str]:
    return [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in workbook.worksheets
        for line in sheet.iter_rows()
        for cell in line
        if cell.data_type == "f" or _is_formula_text(cell.value)
    ]


def test_no_spreadsheet_the_app_hands_out_holds_a_formula(client, db, as_organiser, worker, monkeypatch):
    """Today the app writes two: the import templates. Their example rows are fixed, so the
    stored product is put in them, as an export of the catalogue would write it."""
    upload_and_confirm(client, worker, evil_csv(), "evil.csv")
    product = db.session.scalar(select(Product))
    example = imports.TEMPLATE_ROWS[0] | {
        "producer_name": product.organisation.name,
        "product_name_vi": product.name_vi,
        "product_name_en": product.name_en,
        "description_vi": product.description_vi,
        "capacity_per_month": -5,  # a negative number is a number
    }
    monkeypatch.setattr(imports, "TEMPLATE_ROWS", (example, imports.TEMPLATE_ROWS[1]))

    rows, workbook = _spreadsheets(client)
    assert [cell for line in rows for cell in line if _is_formula_text(cell)] == []
    assert {'\'=HYPERLINK("http://evil","x")', "'+cmd|' /C calc'!A0", "-5"} <= {
        c for line in rows for c in line
    }
    assert _formula_cells(workbook) == []
    data = workbook["Sản phẩm OCOP"]
    letter = {column.code: get_column_letter(i) for i, column in enumerate(imports.TEMPLATE_COLUMNS, start=1)}
    name, capacity = data[f"{letter['product_name_vi']}2"], data[f"{letter['capacity_per_month']}2"]
    assert (name.value, name.data_type) == ('\'=HYPERLINK("http://evil","x")', "s")
    assert (capacity.value, capacity.data_type) == (-5, "n")


def test_the_templates_as_shipped_hold_no_formula(client, db, as_organiser):
    rows, workbook = _spreadsheets(client)
    assert [cell for line in rows for cell in line if _is_formula_text(cell)] == []
    assert _formula_cells(workbook) == []


def test_a_formula_in_an_uploaded_workbook_is_never_evaluated(client, db, as_organiser, worker):
    headers = ["Tên chủ thể", "Tỉnh", "Tên sản phẩm", "Tên tiếng Anh", "Ngành hàng", "Số sao", "Ngày cấp"]
    headers += ["Giá thấp nhất", "Mô tả"]
    cells = [
        text_cell("HTX Chè Hải Hà"),
        text_cell("Quảng Ninh"),
        formula_cell('HYPERLINK("http://evil","Chè xanh")', saved="Chè xanh"),  # what Excel showed
        formula_cell('"=1"&"+1"', saved="=1+1"),  # saved text that looks like a formula: text
        text_cell("Chè"),
        number_cell(4),
        text_cell("15/06/2023"),
        formula_cell("100000*2"),  # no saved value: an empty cell, not 200000
        text_cell(EVIL_DESCRIPTION),
    ]
    content = xlsx([text_row(*headers), row(*cells)])
    _token, done = upload_and_confirm(client, worker, content, "formulas.xlsx")
    assert result_of(done).startswith("1 products created, ")
    product = db.session.scalar(select(Product))
    assert (product.name_vi, product.name_en, product.price_min) == ("Chè xanh", "=1+1", None)
    assert product.description_vi == EVIL_DESCRIPTION


def test_a_formula_with_no_saved_value_is_an_empty_cell(english_request):
    workbook = openpyxl.Workbook()  # openpyxl saves formulas without a value
    sheet = workbook.active
    sheet.append(["Tên chủ thể", "Tỉnh", "Tên sản phẩm", "Ngành hàng", "Số sao", "Ngày cấp"])
    sheet.append(["HTX Chè Hải Hà", "Quảng Ninh", EVIL_NAME, "Chè", 4, "15/06/2023"])
    out = io.BytesIO()
    workbook.save(out)
    report = imports.parse("x.xlsx", out.getvalue())
    assert [(e.row, e.column, str(e.message)) for e in report.errors] == [
        (2, "Tên sản phẩm", "The Vietnamese name is required.")
    ]


@pytest.fixture()
def english_request(app, db):
    with app.test_request_context("/?lang=en"):
        yield
