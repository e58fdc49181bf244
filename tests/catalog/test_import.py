"""Importing producers and products from the CSV/XLSX lists provinces keep.

An organiser uploads a file, reads a row-by-row report before anything is
written, then confirms; confirming writes every valid row in one transaction,
and importing the same file again updates instead of duplicating.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from app import clock
from app.catalog import services
from app.catalog.imports import check, plan
from app.catalog.imports import services as imports
from app.catalog.models import ImportBatch, Organisation, Product
from app.errors import PermissionDenied
from tests.conftest import text_of
from tests.pages import field_error, flashes

HEADERS = [
    "STT",
    "Tên chủ thể",
    "Loại hình",
    "Mã số thuế",
    "Tỉnh",
    "Xã/Huyện",
    "Email",
    "Tên sản phẩm",
    "Tên tiếng Anh",
    "Nhóm OCOP",
    "Ngành hàng",
    "Số sao",
    "Ngày cấp",
    "Ngày hết hạn",
    "Tiêu chuẩn",
    "Công suất/tháng",
    "Đơn vị",
    "Giá thấp nhất",
    "Giá cao nhất",
    "Mã truy xuất",
]
TEA = {
    "STT": "1",
    "Tên chủ thể": "HTX Chè Hải Hà",
    "Loại hình": "HTX",
    "Mã số thuế": "5701823456",
    "Tỉnh": "Quảng Ninh",
    "Xã/Huyện": "Quảng Long, Hải Hà",
    "Email": "htx.chehaiha@example.vn",
    "Tên sản phẩm": "Chè xanh Hải Hà",
    "Tên tiếng Anh": "Hai Ha green tea",
    "Nhóm OCOP": "Đồ uống",
    "Ngành hàng": "Chè",
    "Số sao": "4",
    "Ngày cấp": "15/06/2023",
    "Ngày hết hạn": "",
    "Tiêu chuẩn": "VietGAP, hữu cơ",
    "Công suất/tháng": "2.000",
    "Đơn vị": "kg",
    "Giá thấp nhất": "200.000",
    "Giá cao nhất": "450,000",
    "Mã truy xuất": "QN-HH-0001",
}
BLACK_TEA = TEA | {
    "STT": "2",
    "Tên sản phẩm": "Hồng trà Hải Hà",
    "Tên tiếng Anh": "Hai Ha black tea",
    "Số sao": "3",
    "Ngày cấp": "2024-01-10",
    "Ngày hết hạn": "10/01/2026",
    "Tiêu chuẩn": "ISO 22000:2018",
    "Công suất/tháng": "500",
    "Giá thấp nhất": "300000",
    "Giá cao nhất": "600000",
    "Mã truy xuất": "QN-HH-0002",
}
DUCK = {
    "STT": "3",
    "Tên chủ thể": "Hộ kinh doanh Vịt quay Kỳ Lừa",
    "Loại hình": "Hộ kinh doanh",
    "Mã số thuế": "",
    "Tỉnh": "Lang Son",
    "Xã/Huyện": "Thành phố Lạng Sơn",
    "Email": "",
    "Tên sản phẩm": "Vịt quay lá mắc mật",
    "Tên tiếng Anh": "Lang Son roast duck",
    "Nhóm OCOP": "Thực phẩm",
    "Ngành hàng": "Sản phẩm từ thịt",
    "Số sao": "3",
    "Ngày cấp": "20/03/2024",
    "Ngày hết hạn": "",
    "Tiêu chuẩn": "HACCP",
    "Công suất/tháng": "1500",
    "Đơn vị": "kg",
    "Giá thấp nhất": "350000",
    "Giá cao nhất": "420000",
    "Mã truy xuất": "",
}


def csv_bytes(rows, headers=HEADERS, *, delimiter=",", newline="\n", bom=False) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(header, "") for header in headers])
    data = out.getvalue().encode("utf-8")
    return codecs.BOM_UTF8 + data if bom else data


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def producers(db) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(Organisation.role == "producer")))


def product_named(db, name: str) -> Product:
    return db.session.scalar(select(Product).where(Product.name_vi == name))


@pytest.fixture()
def english(app, db):
    """A request in English, so lazy messages read as their msgids."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture()
def as_organiser(client, organiser, login):
    login(organiser)
    client.get("/?lang=en")
    return organiser


def upload(client, content: bytes, filename: str = "ocop-quang-ninh.csv"):
    return client.post(
        "/import/", data={"file": (io.BytesIO(content), filename)}, content_type="multipart/form-data"
    )


def confirm(client, worker, token: str):
    """Click "Confirm": the page comes back at once; the worker runs the job; then the preview."""
    response = client.post(f"/import/{token}/confirm")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    worker.drain()
    return client.get(response.headers["Location"])


def upload_and_confirm(client, worker, content: bytes, filename: str = "ocop-quang-ninh.csv"):
    response = upload(client, content, filename)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    token = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    return token, confirm(client, worker, token)


def page_of(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def result_of_page(page) -> str:
    """How the import's job ended, as the preview's job panel says: "N products created, ...\""""
    return text_of(page.select_one("#job [data-field=message]"))


def result_of(response) -> str:
    return result_of_page(page_of(response))


def counts_of(page) -> dict[str, str]:
    """The preview's figures, by their data-count name."""
    return {figure["data-count"]: text_of(figure) for figure in page.select("[data-count]")}


def errors_of(report) -> list[tuple[int, str, str]]:
    return [(error.row, error.column, str(error.message)) for error in report.errors]


# ---------------------------------------------------------------- a good file


def test_a_good_csv_is_previewed_without_writing_then_written_in_one_confirmation(
    client, db, as_organiser, worker
):
    response = upload(client, csv_bytes([TEA, BLACK_TEA, DUCK]))
    assert response.status_code == 302
    preview = client.get(response.headers["Location"])
    assert preview.status_code == 200
    page = page_of(preview)
    counts = counts_of(page)
    assert (counts["valid"], counts["producers_create"], counts["products_create"]) == ("3", "2", "3")
    token = response.headers["Location"].rsplit("/", 1)[-1]
    button = page.select_one(f"form[action='/import/{token}/confirm'] button[type=submit]")
    assert text_of(button) == "Confirm import of 3 rows"
    assert page.select_one("#job") is None  # nothing started yet
    assert count(db, Product) == 0 and producers(db) == []  # the preview wrote nothing

    confirmed = client.post(f"/import/{token}/confirm")
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == f"/import/{token}#job"
    waiting = page_of(client.get(f"/import/{token}"))  # the button came back at once
    panel = waiting.select_one("#job")
    assert (
        panel["data-state"] == "queued"
        and panel["data-poll"] == f"/jobs/{panel['data-job-id']}/progress.json"
    )
    assert panel.select_one(".progress-bar") is not None
    assert waiting.select_one("form[action$='/confirm']") is None  # no second click while it runs
    assert count(db, Product) == 0

    worker.drain()
    done = page_of(client.get(f"/import/{token}"))
    assert done.select_one("#job")["data-state"] == "succeeded"
    assert result_of_page(done) == "3 products created, 0 updated, 0 unchanged."
    assert done.select_one("#job [data-field=result]")["href"].endswith("/organisations")
    assert done.select_one("form[action$='/confirm']") is None

    assert count(db, Product) == 3
    tea_coop, duck_house = sorted(producers(db), key=lambda org: org.name)
    assert (tea_coop.name, tea_coop.producer_kind, tea_coop.tax_code, tea_coop.province_code) == (
        "HTX Chè Hải Hà",
        "cooperative",
        "5701823456",
        "22",
    )
    assert (duck_house.producer_kind, duck_house.province_code) == ("household", "20")  # "Lang Son"
    tea = product_named(db, "Chè xanh Hải Hà")
    assert tea.organisation_id == tea_coop.id
    assert (tea.ocop_group, tea.category, tea.stars) == ("beverages", "tea", 4)
    assert tea.standards == ["organic", "vietgap"]
    assert (float(tea.capacity_per_month), tea.price_min, tea.price_max) == (2000, 200_000, 450_000)
    assert tea.certificate_expiry == date(2026, 6, 15)  # empty expiry: 36 months
    black = product_named(db, "Hồng trà Hải Hà")
    assert (black.certificate_date, black.certificate_expiry) == (date(2024, 1, 10), date(2026, 1, 10))
    assert black.standards == ["iso22000"]
    duck = product_named(db, "Vịt quay lá mắc mật")
    assert (duck.ocop_group, duck.category, duck.traceability_code) == ("food", "meat_products", None)

    batch = db.session.scalar(select(ImportBatch))
    assert (batch.status, batch.created_count, batch.updated_count) == ("confirmed", 3, 0)


def test_english_codes_and_unaccented_headers_are_read_like_the_vietnamese_ones(english):
    headers = ["producer_name", "TINH", "ten san pham", "Nganh Hang", "stars", "NGÀY CẤP (dd/mm/yyyy)"]
    content = csv_bytes(
        [
            {
                "producer_name": "Công ty TNHH Mật ong Bắc Giang",
                "TINH": "bac giang",
                "ten san pham": "Mật ong hoa vải",
                "Nganh Hang": "honey",
                "stars": "★★★★",
                "NGÀY CẤP (dd/mm/yyyy)": "01/02/2024",
            }
        ],
        headers,
    )
    report = imports.parse("honey.csv", content)
    assert report.ok and errors_of(report) == []
    (row,) = report.rows
    assert row.producer == {"name": "Công ty TNHH Mật ong Bắc Giang", "province_code": "24"}
    assert row.group.values["producer_kind"] == "enterprise"  # told by "Công ty" in the name
    assert row.product["stars"] == 4 and row.product["ocop_group"] == "food"


# ---------------------------------------------------------------- bad input


def test_missing_required_columns_are_listed_by_name_and_nothing_is_stored(client, db, as_organiser):
    headers = [h for h in HEADERS if h not in ("Số sao", "Ngày cấp")]
    response = upload(client, csv_bytes([TEA], headers))
    assert response.status_code == 200
    error = field_error(page_of(response), "file")  # next to the file field
    assert "Required columns are missing" in error
    assert "Số sao (stars)" in error and "Ngày cấp (certificate_date)" in error
    assert "Tên sản phẩm (product_name_vi)" not in error
    assert count(db, ImportBatch) == 0 and count(db, Product) == 0 and producers(db) == []


def test_a_group_or_a_category_column_is_enough_but_one_is_needed(english):
    without_both = [h for h in HEADERS if h not in ("Nhóm OCOP", "Ngành hàng")]
    report = imports.parse("x.csv", csv_bytes([TEA], without_both))
    assert "Nhóm OCOP / Ngành hàng" in str(report.file_errors[0])
    only_category = [h for h in HEADERS if h != "Nhóm OCOP"]
    report = imports.parse("x.csv", csv_bytes([TEA], only_category))
    assert report.ok and errors_of(report) == []
    assert report.rows[0].product["ocop_group"] == "beverages"


# (column, value written there, message[, column the error is reported in])
BAD_CELLS = [
    ("Số sao", "6", "Stars are a whole number from 1 to 5."),
    ("Số sao", "bốn", "Stars are a whole number from 1 to 5."),
    ("Số sao", "3.5", "Stars are a whole number from 1 to 5."),
    ("Tỉnh", "Hà Tây", "Unknown province."),
    ("Ngày cấp", "06-15-2023", "write it as dd/mm/yyyy"),
    ("Ngày cấp", "15/6/23", "write it as dd/mm/yyyy"),
    ("Ngày cấp", "June 15, 2023", "write it as dd/mm/yyyy"),
    ("Ngày cấp", "31/02/2023", "write it as dd/mm/yyyy"),
    ("Ngày hết hạn", "01/01/2020", "The expiry date is before the certificate date."),
    ("Giá thấp nhất", "hai trăm nghìn", "is not a number"),
    ("Giá thấp nhất", "12,5", "is not a whole number of đồng"),
    ("Giá thấp nhất", "900.000", "The lowest price is above the highest.", "Giá cao nhất"),
    ("Nhóm OCOP", "Đồ ăn", "Choose one of the six OCOP groups."),
    ("Ngành hàng", "Cà phê rang", "Unknown category."),
    ("Loại hình", "Tập đoàn", "Choose cooperative, household business or enterprise."),
    ("Mã số thuế", "12345", "A tax code has 10 digits"),
    ("Email", "htx-at-example.vn", "is not an e-mail address."),
    ("Đơn vị", "bao tải", "Unknown unit"),
    ("Tiêu chuẩn", "VietGAP, FairTrade", "Unknown standard: FairTrade."),
]


@pytest.mark.parametrize("case", BAD_CELLS, ids=lambda case: f"{case[0]}={case[1]}")
def test_a_wrong_value_is_reported_at_its_row_and_column_and_nothing_is_written(
    client, db, as_organiser, case, worker
):
    column, value, message = case[:3]
    reported_in = case[3] if len(case) > 3 else column  # a broken price range shows on the highest price
    content = csv_bytes([TEA | {column: value}])
    with client.application.test_request_context("/?lang=en"):
        report = imports.parse("x.csv", content)
        found = errors_of(report)
    assert [(row, col) for row, col, _m in found] == [(2, reported_in)], found
    assert message in found[0][2]
    shown = TEA[reported_in] if reported_in != column else value
    assert report.errors[0].value == shown  # the cell as the file has it

    token, confirmed = upload_and_confirm(client, worker, content)
    page = page_of(client.get(f"/import/{token}"))
    (row,) = page.select("table#import-errors tbody tr")
    cells = [text_of(cell) for cell in row.find_all("td")]
    assert cells[:2] == ["2", reported_in]
    assert row.select_one("td code").get_text() == shown  # the cell is shown beside the message
    assert message in cells[3]
    assert text_of(page.select_one("main span.text-danger")).startswith("No row can be imported yet")
    assert page.select_one("form[action$='/confirm']") is None  # nothing to confirm
    assert flashes(page_of(confirmed)) == [
        "No row of this file can be imported: correct the errors and upload it again."
    ]
    assert count(db, Product) == 0 and producers(db) == []
    assert db.session.scalar(select(ImportBatch.status)) == "previewed"


# 16:30 UTC is 23:30 in Vietnam, still the same date; 23:30 UTC is already tomorrow there.
AROUND_MIDNIGHT_IN_VIETNAM = [
    pytest.param(marks=pytest.mark.clock("2027-01-15T16:30:00+00:00"), id="16:30 UTC"),
    pytest.param(marks=pytest.mark.clock("2027-01-15T23:30:00+00:00"), id="23:30 UTC"),
]


@pytest.mark.parametrize((), AROUND_MIDNIGHT_IN_VIETNAM)
def test_a_certificate_dated_in_the_future_is_refused(english):
    tomorrow = (clock.today() + timedelta(days=1)).strftime("%d/%m/%Y")
    report = imports.parse("x.csv", csv_bytes([TEA | {"Ngày cấp": tomorrow}]))
    assert errors_of(report) == [(2, "Ngày cấp", "The certificate date is in the future.")]


@pytest.mark.parametrize((), AROUND_MIDNIGHT_IN_VIETNAM)
def test_a_certificate_dated_today_in_vietnam_is_accepted(english):
    today = clock.today().strftime("%d/%m/%Y")
    report = imports.parse("x.csv", csv_bytes([TEA | {"Ngày cấp": today}]))
    assert errors_of(report) == []


@pytest.mark.clock("2027-01-15T23:30:00+00:00")
def test_today_is_vietnams_date_not_the_servers(english):
    assert clock.today() == date(2027, 1, 16)


def test_a_row_repeated_in_the_file_is_an_error_on_the_later_row_and_the_first_is_written(
    client, db, as_organiser, worker
):
    same_code_other_name = DUCK | {"Tên sản phẩm": "Vịt quay Thất Khê", "Mã truy xuất": "QN-HH-0001"}
    content = csv_bytes([TEA, DUCK, TEA, same_code_other_name])
    with client.application.test_request_context("/?lang=en"):
        report = imports.parse("x.csv", content)
        assert errors_of(report) == [
            (4, "Tên sản phẩm", "Repeats row 2."),
            (5, "Mã truy xuất", "Repeats row 2."),
        ]
    _token, confirmed = upload_and_confirm(client, worker, content)
    assert result_of(confirmed).startswith("2 products created, ")
    assert result_of(confirmed).endswith(" Rows with errors were skipped: 4, 5.")
    assert page_of(confirmed).select_one("#job .alert-warning") is not None
    assert count(db, Product) == 2


def test_the_same_product_written_differently_is_still_a_repeat(english):
    shouting = TEA | {"Tên chủ thể": "htx che hai ha", "Tên sản phẩm": "CHÈ XANH HẢI HÀ", "Mã truy xuất": ""}
    report = imports.parse("x.csv", csv_bytes([TEA, shouting]))
    assert errors_of(report) == [(3, "Tên sản phẩm", "Repeats row 2.")]


def test_two_rows_giving_one_producer_different_details_hold_back_that_producer(english):
    other_kind = BLACK_TEA | {"Loại hình": "Doanh nghiệp"}
    report = imports.parse("x.csv", csv_bytes([TEA, other_kind, DUCK]))
    assert errors_of(report) == [
        (2, "Tên chủ thể", "The producer's details in row 3 have errors."),
        (3, "Loại hình", "Row 2 gives this producer another value: “HTX”."),
    ]
    assert [row.row for row in report.valid_rows] == [4]


def test_wrong_files_are_refused_next_to_the_file_field(client, db, as_organiser, monkeypatch):
    cases = [
        (b"%PDF-1.7 ...", "catalogue.pdf", "Upload a CSV or XLSX file."),
        (b"", "empty.csv", "The file is empty."),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.xls", "old Excel (.xls)"),
        (b"not a zip at all", "fake.xlsx", "not an XLSX workbook we can read"),
        (csv_bytes([]), "headers-only.csv", "has column headers but no rows"),
    ]
    for content, filename, message in cases:
        response = upload(client, content, filename)
        assert response.status_code == 200, filename
        assert message in field_error(page_of(response), "file"), filename
    nothing = page_of(client.post("/import/", data={}))
    assert "Choose a CSV or XLSX file to upload." in field_error(nothing, "file")
    monkeypatch.setitem(client.application.config, "MAX_IMPORT_BYTES", 200)
    too_big = upload(client, csv_bytes([TEA, DUCK]))
    assert "The file is larger than" in field_error(page_of(too_big), "file")
    assert count(db, ImportBatch) == 0


# ---------------------------------------------------------------- file formats


def test_a_csv_with_a_bom_semicolons_and_windows_line_ends_imports(client, db, as_organiser, worker):
    multi_line = DUCK | {"Xã/Huyện": "Phường Hoàng Văn Thụ,\r\nthành phố Lạng Sơn"}
    content = csv_bytes(
        [TEA, multi_line, BLACK_TEA | {"Số sao": "9"}],
        HEADERS[1:],  # the BOM sits on the first header: make it one that must be read
        delimiter=";",
        newline="\r\n",
        bom=True,
    )
    assert content.startswith(codecs.BOM_UTF8) and b"\r\n" in content
    with client.application.test_request_context("/?lang=en"):
        report = imports.parse("export-excel.csv", content)
        assert report.headers["producer_name"] == "Tên chủ thể"  # the BOM is not part of the header
        # the quoted line break keeps the third record on spreadsheet row 4
        assert errors_of(report) == [(4, "Số sao", "Stars are a whole number from 1 to 5.")]
    _token, confirmed = upload_and_confirm(client, worker, content, "export-excel.csv")
    assert result_of(confirmed).startswith("2 products created, ")
    assert product_named(db, "Chè xanh Hải Hà").price_max == 450_000
    assert db.session.scalar(select(Organisation.commune).where(Organisation.province_code == "20")) == (
        "Phường Hoàng Văn Thụ, thành phố Lạng Sơn"
    )


def test_a_csv_that_is_not_utf8_is_still_read(english):
    """Old exports in a Windows code page: Vietnamese needs cp1258's combining tone marks."""
    content = "Tên chủ thể;Tỉnh;Tên sản phẩm;Ngành hàng;Số sao;Ngày cấp\r\n"
    content += "Hộ kinh doanh Bảy Bò;Hà Nội;Bò khô;thịt;3;01/02/2024\r\n"
    encoded = _cp1258(content)
    with pytest.raises(UnicodeDecodeError):
        encoded.decode("utf-8")
    report = imports.parse("old.csv", encoded)
    assert report.ok and errors_of(report) == []
    assert report.rows[0].producer["name"] == "Hộ kinh doanh Bảy Bò"  # normalised back to composed form
    assert report.rows[0].product["name_vi"] == "Bò khô"


def _cp1258(text: str) -> bytes:
    """Encode as Windows-1258 does: base letters it has, plus combining tone marks."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        try:
            out.append(char.encode("cp1258"))
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", char)
            head = unicodedata.normalize("NFC", base + "".join(m for m in marks if m in "\u0302\u0306\u031b"))
            tones = "".join(m for m in marks if m not in "\u0302\u0306\u031b")
            out.append(head.encode("cp1258") + tones.encode("cp1258"))
    return b"".join(out)


def xlsx_with_extra_sheets() -> bytes:
    workbook = openpyxl.Workbook()
    notes = workbook.active
    notes.title = "Hướng dẫn"
    notes["A1"] = "Danh sách sản phẩm OCOP tỉnh Quảng Ninh năm 2024"
    notes["A3"] = "Tên chủ thể"
    notes["B3"] = "Ghi tên đầy đủ của HTX, doanh nghiệp hoặc hộ kinh doanh"
    data = workbook.create_sheet("Danh sách")
    data["A1"] = "DANH SÁCH SẢN PHẨM OCOP ĐỀ NGHỊ ĐƯA VÀO HỆ THỐNG"
    columns = ["STT", "Tên chủ thể", "Mã số thuế", "Tỉnh", "Điện thoại", "Tên sản phẩm", "Nhóm OCOP"]
    columns += ["Ngành hàng", "Số sao", "Ngày cấp", "Giá thấp nhất", "Giá cao nhất"]
    data.append([])
    data.append(columns)  # headers on row 3
    data.append([1, "HTX Chè Hải Hà", 5701823456, "Quảng Ninh", 912345678, "Chè xanh Hải Hà", "Đồ uống"])
    for cell, value in zip("HIJKL", ["Chè", 4.0, datetime(2023, 6, 15), 200000.0, 450000], strict=True):
        data[f"{cell}4"] = value
    data.append([2, "HTX Chè Hải Hà", 5701823456, "Quảng Ninh", None, "Hồng trà", "Đồ uống", "Chè", 7])
    data.append([])
    data.append([3])  # a serial number alone is not a row
    lists = workbook.create_sheet("Danh mục")
    lists.append(["Nhóm", "Thực phẩm", "Đồ uống"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_xlsx_with_extra_sheets_is_read_from_its_data_sheet(client, db, as_organiser, worker):
    content = xlsx_with_extra_sheets()
    with client.application.test_request_context("/?lang=en"):
        report = imports.parse("quang-ninh.xlsx", content)
        assert (report.sheet, report.header_row) == ("Danh sách", 3)
        assert [row.row for row in report.rows] == [4, 5]
        assert errors_of(report) == [
            (5, "Số sao", "Stars are a whole number from 1 to 5."),
            (5, "Ngày cấp", "The certificate date is required."),
        ]
    _token, confirmed = upload_and_confirm(client, worker, content, "quang-ninh.xlsx")
    assert result_of(confirmed).startswith("1 products created, ")
    (coop,) = producers(db)
    assert coop.tax_code == "5701823456" and coop.phone == "0912345678"  # Excel's lost leading zero
    tea = product_named(db, "Chè xanh Hải Hà")
    assert (tea.stars, tea.certificate_date, tea.price_min) == (4, date(2023, 6, 15), 200_000)


# ---------------------------------------------------------------- importing again


def test_importing_the_same_file_again_updates_instead_of_duplicating(client, db, as_organiser, worker):
    upload_and_confirm(client, worker, csv_bytes([TEA, BLACK_TEA, DUCK]))
    assert (len(producers(db)), count(db, Product)) == (2, 3)

    cheaper = TEA | {"Giá thấp nhất": "180.000", "Tiêu chuẩn": "VietGAP"}
    response = upload(client, csv_bytes([cheaper, BLACK_TEA, DUCK]))
    counts = counts_of(page_of(client.get(response.headers["Location"])))
    assert (counts["products_create"], counts["products_update"], counts["producers_create"]) == (
        "0",
        "1",
        "0",
    )
    token = response.headers["Location"].rsplit("/", 1)[-1]
    done = confirm(client, worker, token)
    assert result_of(done) == "0 products created, 1 updated, 2 unchanged."
    assert (len(producers(db)), count(db, Product)) == (2, 3)
    tea = product_named(db, "Chè xanh Hải Hà")
    assert tea.price_min == 180_000 and tea.standards == ["vietgap"]

    _token, again = upload_and_confirm(client, worker, csv_bytes([cheaper, BLACK_TEA, DUCK]))
    assert result_of(again) == "0 products created, 0 updated, 3 unchanged."
    assert (len(producers(db)), count(db, Product)) == (2, 3)


def test_producers_are_recognised_by_tax_code_else_by_name_and_province(client, db, as_organiser, worker):
    upload_and_confirm(client, worker, csv_bytes([TEA, DUCK]))
    renamed = TEA | {"Tên chủ thể": "Hợp tác xã Chè Hải Hà"}  # same tax code: same producer
    unaccented = DUCK | {"Tên chủ thể": "ho kinh doanh vit quay ky lua", "Tỉnh": "Lạng Sơn"}
    upload_and_confirm(client, worker, csv_bytes([renamed, unaccented]))
    names = sorted(org.name for org in producers(db))
    assert names == ["Hợp tác xã Chè Hải Hà", "ho kinh doanh vit quay ky lua"]
    assert count(db, Product) == 2


def test_products_are_recognised_by_traceability_code_and_can_be_renamed(client, db, as_organiser, worker):
    upload_and_confirm(client, worker, csv_bytes([TEA]))
    renamed = TEA | {"Tên sản phẩm": "Chè xanh đặc biệt Hải Hà"}
    _token, done = upload_and_confirm(client, worker, csv_bytes([renamed]))
    assert result_of(done) == "0 products created, 1 updated, 0 unchanged."
    assert [p.name_vi for p in db.session.scalars(select(Product))] == ["Chè xanh đặc biệt Hải Hà"]


def test_empty_cells_leave_stored_values_alone(client, db, as_organiser, worker):
    upload_and_confirm(client, worker, csv_bytes([TEA | {"Ngày hết hạn": "30/12/2025"}]))
    sparse = TEA | {"Tên tiếng Anh": "", "Email": "", "Giá cao nhất": "", "Ngày hết hạn": ""}
    _token, done = upload_and_confirm(client, worker, csv_bytes([sparse]))
    assert result_of(done) == "0 products created, 0 updated, 1 unchanged."
    tea = product_named(db, "Chè xanh Hải Hà")
    assert (tea.name_en, tea.price_max, tea.certificate_expiry) == (
        "Hai Ha green tea",
        450_000,
        date(2025, 12, 30),
    )
    assert tea.organisation.email == "htx.chehaiha@example.vn"


def test_an_import_updates_a_producer_an_exhibitor_keeps(
    client, db, as_organiser, make_producer, make_user, worker
):
    own = make_producer(name="HTX Chè Hải Hà", tax_code="5701823456", phone="0203 000 000")
    make_user(role="exhibitor", organisation=own)
    db.session.commit()
    upload_and_confirm(client, worker, csv_bytes([TEA]))
    assert [org.id for org in producers(db)] == [own.id]
    assert own.email == "htx.chehaiha@example.vn" and own.phone == "0203 000 000"


def test_codes_owned_by_others_are_errors_not_takeovers(english, make_buyer, make_product, make_producer):
    make_buyer(name="Siêu thị Hạ Long", tax_code="5701823456")
    make_product(organisation=make_producer(name="HTX Khác"), traceability_code="LS-VQ-0001")
    report = imports.parse("x.csv", csv_bytes([TEA, DUCK | {"Mã truy xuất": "LS-VQ-0001"}]))
    assert errors_of(report) == [
        (2, "Mã số thuế", "Another organisation already has this tax code."),
        (3, "Mã truy xuất", "Another product already uses this traceability code."),
    ]


# ---------------------------------------------------------------- confirming


def test_confirming_twice_writes_once(client, db, as_organiser, worker):
    token, first = upload_and_confirm(client, worker, csv_bytes([TEA, DUCK]))
    assert result_of(first) == "2 products created, 0 updated, 0 unchanged."
    second = page_of(client.post(f"/import/{token}/confirm", follow_redirects=True))
    assert flashes(second) == ["This import was already confirmed; nothing was written again."]
    assert count(db, Product) == 2 and len(producers(db)) == 2
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.status, batch.created_count) == ("confirmed", 2)


def test_a_batch_is_confirmed_once_even_when_apply_is_called_again(english, organiser):
    batch = imports.create_batch(
        organiser, "x.csv", csv_bytes([TEA]), imports.parse("x.csv", csv_bytes([TEA]))
    )
    imports.apply(batch, organiser)
    with pytest.raises(imports.AlreadyConfirmed):
        imports.apply(batch, organiser)


def test_a_row_the_database_refuses_at_write_time_rolls_back_the_whole_file(
    client, db, as_organiser, make_product, make_producer, monkeypatch, worker
):
    """Another writer took a traceability code after the file was checked: nothing is kept."""
    other = make_product(organisation=make_producer(name="HTX Khác"), traceability_code="LS-VQ-0001")
    db.session.commit()
    response = upload(client, csv_bytes([TEA, BLACK_TEA, DUCK | {"Mã truy xuất": "LS-VQ-0001"}]))
    token = response.headers["Location"].rsplit("/", 1)[-1]
    # The checks ran before the clash existed: neither the importer nor the service sees it.
    real_lookup = plan._existing_products
    monkeypatch.setattr(plan, "_existing_products", lambda report: (real_lookup(report)[0], {}))
    monkeypatch.setattr(services, "_check_traceability_free", lambda code, own_id: None)

    page = page_of(confirm(client, worker, token))
    assert page.select_one("#job")["data-state"] == "failed"
    assert result_of_page(page) == (
        "Row 4 could not be written (the database refused a duplicate). Nothing was imported."
    )
    assert text_of(page.select_one("form[action$='/confirm'] button")) == "Confirm import of 3 rows"  # again
    assert [org.name for org in producers(db)] == ["HTX Khác"]  # rows 2 and 3 were rolled back too
    assert [p.id for p in db.session.scalars(select(Product))] == [other.id]
    assert db.session.scalar(select(ImportBatch.status)) == "previewed"


def test_only_organisers_and_admins_may_import(english, make_user):
    with pytest.raises(PermissionDenied):
        imports.ensure_can_import(make_user(role="exhibitor"))
    imports.ensure_can_import(make_user(role="admin"))


# ---------------------------------------------------------------- templates and access


def test_both_templates_parse_back_without_errors_and_import(client, db, as_organiser, worker):
    csv_response = client.get("/import/template.csv")
    xlsx_response = client.get("/import/template.xlsx")
    assert csv_response.status_code == 200 and "attachment" in csv_response.headers["Content-Disposition"]
    assert csv_response.data.startswith(codecs.BOM_UTF8) and b"\r\n" in csv_response.data
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_response.data))
    assert workbook.sheetnames == ["Sản phẩm OCOP", "Hướng dẫn"]
    guide = [cell for row in workbook["Hướng dẫn"].iter_rows(values_only=True) for cell in row if cell]
    for expected in ("Thực phẩm", "Đồ uống", "Chè", "VietGAP", "Hữu cơ", "tấn", "Lạng Sơn", "Cà Mau"):
        assert expected in guide
    for name, data in (("t.csv", csv_response.data), ("t.xlsx", xlsx_response.data)):
        with client.application.test_request_context("/?lang=en"):
            report = imports.parse(name, data)
            assert report.ok and errors_of(report) == [], name
            assert len(report.valid_rows) == 2
    _token, done = upload_and_confirm(client, worker, xlsx_response.data, "mau.xlsx")
    assert result_of(done) == "2 products created, 0 updated, 0 unchanged."
    duck = product_named(db, "Vịt quay lá mắc mật Lạng Sơn")
    assert duck.organisation.province_code == "20" and duck.category == "meat_products"


def _routes(token: str) -> list[tuple[str, str]]:
    return [
        ("get", "/import/"),
        ("post", "/import/"),
        ("get", "/import/template.csv"),
        ("get", "/import/template.xlsx"),
        ("get", f"/import/{token}"),
        ("post", f"/import/{token}/confirm"),
    ]


@pytest.fixture()
def stored_batch(app, db, organiser):
    with app.test_request_context("/?lang=en"):
        content = csv_bytes([TEA])
        batch = imports.create_batch(organiser, "x.csv", content, imports.parse("x.csv", content))
        db.session.commit()
        return batch.token


@pytest.mark.parametrize("role", ["exhibitor", "buyer"])
def test_exhibitors_and_buyers_are_refused_every_import_route(
    client, db, login, make_user, make_producer, make_buyer, stored_batch, role
):
    organisation = make_producer() if role == "exhibitor" else make_buyer()
    login(make_user(role=role, organisation=organisation))
    for method, url in _routes(stored_batch):
        assert getattr(client, method)(url).status_code == 403, url
    assert count(db, Product) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, db, stored_batch):
    for method, url in _routes(stored_batch):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_an_admin_may_import(client, db, login, make_user, worker):
    login(make_user(role="admin"))
    _token, done = upload_and_confirm(client, worker, csv_bytes([TEA]))
    assert done.status_code == 200 and count(db, Product) == 1


def test_the_upload_page_lists_recent_imports(client, db, as_organiser, html, worker):
    upload_and_confirm(client, worker, csv_bytes([TEA]), "quang-ninh-2024.csv")
    upload(client, csv_bytes([TEA]), "lang-son-2025.csv")  # checked, not confirmed
    page = html(client.get("/import/?lang=en"))
    rows = [[text_of(cell) for cell in row.find_all("td")] for row in page.select("table tbody tr")]
    by_file = {row[1]: row for row in rows}
    assert by_file["quang-ninh-2024.csv"][3] == "Imported"
    assert by_file["quang-ninh-2024.csv"][4:] == ["1", "1", "1", "0"]  # rows, valid, created, updated
    assert by_file["lang-son-2025.csv"][3] == "Checked, not imported"


# ---------------------------------------------------------------- reading values


@pytest.mark.parametrize(
    ("text", "whole", "expected"),
    [
        ("1.000.000", True, 1_000_000),
        ("1,000,000", True, 1_000_000),
        ("250.000 đ", True, 250_000),
        ("250 000 VNĐ", True, 250_000),
        ("1.234.567,5", False, 1_234_567.5),
        ("1,234,567.5", False, 1_234_567.5),
        ("2,5", False, 2.5),
        ("2.5", False, 2.5),
        ("1.500", False, 1500),
        ("0,500", False, 0.5),
        (1500.0, True, 1500),
        ("-5", False, -5),
    ],
)
def test_numbers_are_read_with_vietnamese_or_english_separators(text, whole, expected):
    assert check.parse_number(text, whole=whole) == expected


@pytest.mark.parametrize("text", ["1.2.3", "1,00,000", "12a", "1.000,000.5"])
def test_ambiguous_or_broken_numbers_are_refused(text):
    with pytest.raises(check.CellError):
        check.parse_number(text)


def test_dates_are_read_day_first_or_iso_and_nothing_else():
    assert check.parse_date("05/03/2024") == date(2024, 3, 5)  # 5 March, the Vietnamese way
    assert check.parse_date("2024-03-05") == date(2024, 3, 5)
    assert check.parse_date(datetime(2024, 3, 5, 0, 0)) == date(2024, 3, 5)
    for wrong in ("03/05/24", "2024/03/05", "5 tháng 3 2024", "45356", "15/06/2023 và 20/06/2023"):
        with pytest.raises(check.CellError):
            check.parse_date(wrong)


def test_listed_values_are_read_in_vietnamese_with_or_without_accents():
    assert check.lookup(check.GROUP_INDEX, "Lưu niệm - nội thất - trang trí") == "souvenirs"
    assert check.lookup(check.GROUP_INDEX, "dich vu du lich cong dong") == "tourism"
    assert check.lookup(check.GROUP_INDEX, "Thảo dược") == "herbal"
    assert check.lookup(check.GROUP_INDEX, "Vải và may mặc") == "textiles"
    assert check.producer_kind_of("Hợp tác xã") == "cooperative"
    assert check.producer_kind_of("Công ty cổ phần") == "enterprise"
    assert check.producer_kind_of("Hộ kinh doanh") == "household"
    assert check.standard_codes("VietGAP; HACCP, ISO 22000:2018, hữu cơ, ISO 9001") == [
        "vietgap",
        "haccp",
        "iso22000",
        "organic",
        "iso9001",
    ]


def test_unconfirmed_previews_can_be_discarded_after_a_while(english, organiser):
    content = csv_bytes([TEA])
    report = imports.parse("x.csv", content)
    old = imports.create_batch(organiser, "old.csv", content, report)
    confirmed = imports.create_batch(organiser, "done.csv", content, report)
    imports.apply(confirmed, organiser)
    fresh = imports.create_batch(organiser, "fresh.csv", content, report)
    week_ago = clock.now() - timedelta(days=7)
    old.created_at = confirmed.created_at = week_ago - timedelta(days=1)
    assert imports.discard_stale_batches(before=week_ago) == 1
    assert imports.batch_by_token(old.token) is None
    assert imports.batch_by_token(confirmed.token) and imports.batch_by_token(fresh.token)
