"""Provincial spreadsheets may carry each product's GS1 barcode: a GTIN column is read,
its check digit verified, and a GTIN is one product's only."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import select

from app.catalog.imports import services as imports
from app.catalog.models import Product
from tests.catalog.test_import import DUCK, HEADERS, TEA, csv_bytes, errors_of

GTIN_HEADERS = [*HEADERS, "Mã vạch GTIN"]


@pytest.fixture()
def english(app, db):
    with app.test_request_context("/?lang=en"):
        yield


def test_a_gtin_column_is_read_and_a_wrong_check_digit_reported_at_its_cell(english):
    content = csv_bytes(
        [TEA | {"Mã vạch GTIN": "893 4588 012112"}, DUCK | {"Mã vạch GTIN": "8934588012113"}],
        headers=GTIN_HEADERS,
    )
    report = imports.parse("x.csv", content)
    assert [(row, column) for row, column, _m in errors_of(report)] == [(3, "Mã vạch GTIN")]
    assert "check digit" in errors_of(report)[0][2]
    assert report.rows[0].product["gtin"] == "8934588012112"


def test_a_gtin_typed_in_a_number_cell_is_read_as_its_13_digits(english):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(GTIN_HEADERS)
    sheet.append([TEA.get(header, "") for header in HEADERS] + [8934588012112])
    buffer = io.BytesIO()
    book.save(buffer)
    report = imports.parse("x.xlsx", buffer.getvalue())
    assert errors_of(report) == []
    assert report.rows[0].product["gtin"] == "8934588012112"


def test_a_gtin_another_product_holds_is_refused(english, make_product):
    make_product(gtin="8934588012112")
    report = imports.parse(
        "x.csv", csv_bytes([TEA | {"Mã vạch GTIN": "8934588012112"}], headers=GTIN_HEADERS)
    )
    assert [(row, column) for row, column, _m in errors_of(report)] == [(2, "Mã vạch GTIN")]
    assert "already has this GTIN" in errors_of(report)[0][2]


def test_the_same_gtin_on_two_rows_is_reported_on_the_second(english, db):
    report = imports.parse(
        "x.csv",
        csv_bytes(
            [TEA | {"Mã vạch GTIN": "8934588012112"}, DUCK | {"Mã vạch GTIN": "8934588012112"}],
            headers=GTIN_HEADERS,
        ),
    )
    assert [(row, column) for row, column, _m in errors_of(report)] == [(3, "Mã vạch GTIN")]
    assert db.session.scalar(select(Product.id)) is None
