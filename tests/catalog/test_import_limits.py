"""An import refuses a hostile or oversized file early, with a message that says what to do:
a zip bomb before any XML is parsed, missing columns before any data row is read, a sheet
that declares too many rows before its rows are read, and a long file at the first row past
the limit. How fast, against a province's file: benchmarks/import_bomb_bench.py."""

from __future__ import annotations

import io

import openpyxl
import pytest
from sqlalchemy import func, select

from app.catalog.imports import read
from app.catalog.imports import services as imports
from app.catalog.models import ImportBatch
from tests.catalog.test_import import DUCK, HEADERS, TEA, csv_bytes, page_of, upload
from tests.catalog.workbooks import text_row, xlsx
from tests.pages import field_error

TOO_MANY = "The file has more than {} rows: split it into smaller files."
TEA_ROW = text_row(*[TEA[h] for h in HEADERS])
# The header is looked for in the first 10 rows; after them, XML that breaks off: reading
# one more row says "not an XLSX workbook we can read". (Such a sheet must declare a size:
# without one, openpyxl reads the whole sheet when it opens the file, looking for it.)
BROKEN_AFTER_HEAD = [TEA_ROW] * 9 + ["<row><c><v>1</v></c>" + "<row>" * 50]
UNPACKED = "Unpacked, this workbook is larger than 50.0 MB"
PACKED = "This workbook is packed unlike any spreadsheet program's"
MISSING = "Required columns are missing: "


@pytest.fixture()
def english(app, db):
    with app.test_request_context("/?lang=en"):
        yield


def messages(report) -> list[str]:
    return [str(message) for message in report.file_errors]


def xlsx_bomb(rows: int = 200_000) -> bytes:
    """The issue's file: a 200,000-row sheet of some 228 MB of XML, packed into under 1 MB."""
    one = text_row(*[TEA[h] or "x" for h in HEADERS]).encode()
    chunk = one * 1000
    return xlsx([text_row(*HEADERS).encode(), *(chunk for _ in range(rows // 1000))], level=9)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return xlsx_bomb()


def test_the_bomb_is_what_the_issue_describes(bomb):
    import zipfile

    (sheet,) = [p for p in zipfile.ZipFile(io.BytesIO(bomb)).infolist() if p.filename.endswith("sheet1.xml")]
    assert len(bomb) < 2 * 1024 * 1024 and sheet.file_size > 200 * 1024 * 1024


def test_a_zip_bomb_is_refused_at_upload_before_any_of_it_is_parsed(
    client, db, login, organiser, bomb, monkeypatch
):
    login(organiser)
    client.get("/?lang=en")

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    response = upload(client, bomb, "danh-sach.xlsx")
    assert response.status_code == 200
    assert UNPACKED in field_error(page_of(response), "file")
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_the_unpacked_size_limit_is_a_setting(app, english, monkeypatch):
    content = xlsx([text_row(*HEADERS), text_row(*[TEA[h] for h in HEADERS])])
    assert imports.parse("x.xlsx", content).ok
    monkeypatch.setitem(app.config, "MAX_IMPORT_UNCOMPRESSED_BYTES", 1000)
    (message,) = messages(imports.parse("x.xlsx", content))
    assert message.startswith("Unpacked, this workbook is larger than ") and "split it" in message


def test_a_part_packed_absurdly_tight_is_refused_even_under_the_size_limit(english):
    blank_rows = b"<row/>" * (2 * 1024 * 1024 // 6)  # 2 MB of XML packing ~1,000 times
    content = xlsx([text_row(*HEADERS), blank_rows, text_row(*[TEA[h] for h in HEADERS])], level=9)
    assert len(content) < 20_000
    (message,) = messages(imports.parse("x.xlsx", content))
    assert message.startswith(PACKED) and "as CSV" in message


def test_a_sheet_declaring_more_rows_than_allowed_is_refused_before_its_rows_are_read(english):
    header = text_row(*HEADERS)
    refused = xlsx([header, *BROKEN_AFTER_HEAD], dimension=f"A1:T{read.MAX_ROWS + 2}")
    assert messages(imports.parse("x.xlsx", refused)) == [TOO_MANY.format("20000")]
    within = xlsx([header, *BROKEN_AFTER_HEAD], dimension=f"A1:T{read.MAX_ROWS + 1}")
    assert messages(imports.parse("x.xlsx", within)) == ["This file is not an XLSX workbook we can read."]


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_missing_columns_are_refused_before_any_data_row_is_read(english, kind):
    headers = [h for h in HEADERS if h not in ("Số sao", "Ngày cấp")]
    if kind == "csv":
        # a field past csv's limit after the first rows: reading it says "not a CSV we can read"
        content = csv_bytes([TEA] * 10 + [DUCK | {"Tên sản phẩm": "x" * 200_000}], headers)
    else:
        content = xlsx([text_row(*headers), *BROKEN_AFTER_HEAD], dimension="A1:T11")
    (message,) = messages(imports.parse(f"x.{kind}", content))
    assert message == ("Required columns are missing: Số sao (stars); Ngày cấp (certificate_date).")


def _rows(count: int) -> list[dict]:
    return [TEA | {"Tên sản phẩm": f"Chè số {n}", "Mã truy xuất": f"QN-{n:05}"} for n in range(count)]


def test_a_csv_stops_at_the_row_limit(app, english, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_ROWS", 30)
    assert imports.parse("x.csv", csv_bytes(_rows(30))).ok
    # blank rows and lone serial numbers are not rows
    assert imports.parse("x.csv", csv_bytes([*_rows(15), {"STT": "16"}, {}, *_rows(15)])).ok
    too_long = csv_bytes([*_rows(31), DUCK | {"Tên sản phẩm": "x" * 200_000}])
    assert messages(imports.parse("x.csv", too_long)) == [TOO_MANY.format(30)]  # row 33 was never read


def test_an_xlsx_stops_at_the_row_limit_without_trusting_its_size(app, english, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_ROWS", 30)
    data = [text_row(*[row[h] for h in HEADERS]) for row in _rows(31)]
    broken = BROKEN_AFTER_HEAD[-1]
    # a sheet that says it is small: the rows are counted as they are read
    assert imports.parse("x.xlsx", xlsx([text_row(*HEADERS), *data[:30]], dimension="A1:A1")).ok
    too_long = xlsx([text_row(*HEADERS), *data, broken], dimension="A1:A1")
    assert messages(imports.parse("x.xlsx", too_long)) == [TOO_MANY.format(30)]


def test_rows_are_counted_in_the_unpacked_xml_before_openpyxl_opens_the_file(app, english, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_ROWS", 100)
    workbook = openpyxl.Workbook(write_only=True)  # no dimension
    sheet = workbook.create_sheet("Danh sách")
    sheet.append(HEADERS)
    for row in _rows(500):
        sheet.append([row[h] for h in HEADERS])
    out = io.BytesIO()
    workbook.save(out)

    def never(*args, **kwargs):
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    assert messages(imports.parse("x.xlsx", out.getvalue())) == [TOO_MANY.format(100)]
    # the same with a namespace prefix on every element, as some generators write them
    prefixed = xlsx([text_row(*HEADERS), *[TEA_ROW] * 111], prefix="x")
    assert messages(imports.parse("x.xlsx", prefixed)) == [TOO_MANY.format(100)]
    # a cell count far past what rows of the allowed width hold is refused too
    wide = xlsx([text_row(*HEADERS), "<row>" + "<c/>" * 40 * 111 + "<c><v>1</v></c></row>"])
    (message,) = messages(imports.parse("x.xlsx", wide))
    assert message.startswith("This workbook has more than 4400 filled or formatted cells")


def test_a_sheet_of_mostly_blank_rows_is_refused_rather_than_cut_short(app, english, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_IMPORT_ROWS", 30)
    monkeypatch.setattr(read, "MAX_SCANNED_ROWS", 1000)  # rows read below the header at most
    blank = "<row/>" * 999
    assert imports.parse("x.xlsx", xlsx([text_row(*HEADERS), TEA_ROW, blank])).ok
    refused = xlsx([text_row(*HEADERS), TEA_ROW, blank, "<row/>", TEA_ROW])
    assert messages(imports.parse("x.xlsx", refused)) == [TOO_MANY.format(30)]


def test_a_sheet_with_a_namespace_prefix_is_read(english):
    content = xlsx([text_row(*HEADERS), TEA_ROW], prefix="x")
    report = imports.parse("x.xlsx", content)
    assert report.ok and [row.product["name_vi"] for row in report.rows] == ["Chè xanh Hải Hà"]


def test_a_file_that_breaks_off_is_refused_not_an_error_page(english):
    broken = xlsx([text_row(*HEADERS), *BROKEN_AFTER_HEAD], dimension="A1:T12")
    assert messages(imports.parse("x.xlsx", broken)) == ["This file is not an XLSX workbook we can read."]
