"""Stage 1 of an import: a CSV or XLSX file to rows of cells keyed by column code.

Finds the sheet and the header row (a title or notes may sit above it), maps the headers
the provinces write to the columns below, and reports what makes the whole file
unusable (unreadable, columns missing or doubled, too many rows). No cell is interpreted
here: that is `check`. Plain functions on bytes; no request, no database.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import PurePath

from flask_babel import lazy_gettext as _l

from app.data.provinces import fold

MAX_ROWS = 5000  # data rows in one file; a province's list is a few hundred
HEADER_SCAN_ROWS = 10  # a title or a note may sit above the header row
MAX_COLUMNS = 80
MAX_SCANNED_ROWS = 100_000  # a sheet of formatted but empty rows must not run forever

# ---------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    code: str  # the English code, also accepted as a header
    header: str  # the Vietnamese header of the template
    aliases: tuple[str, ...] = ()
    required: bool = False
    in_template: bool = True


COLUMNS: tuple[Column, ...] = (
    Column(
        "producer_name",
        "Tên chủ thể",
        ("chu the", "ten chu the ocop", "chu the ocop", "ten co so", "ten don vi", "producer"),
        required=True,
    ),
    Column("producer_kind", "Loại hình", ("loai hinh chu the", "loai hinh to chuc", "kind")),
    Column("tax_code", "Mã số thuế", ("mst", "ma so doanh nghiep")),
    Column("province", "Tỉnh", ("tinh thanh pho", "tinh thanh", "tinh tp"), required=True),
    Column("commune", "Xã/Huyện", ("xa", "huyen", "xa phuong", "huyen thi xa", "dia ban", "district")),
    Column("address", "Địa chỉ"),
    Column("contact_name", "Người liên hệ", ("nguoi dai dien", "contact"), in_template=False),
    Column("phone", "Điện thoại", ("so dien thoai", "sdt", "dt", "telephone")),
    Column("email", "Email", ("e mail", "thu dien tu")),
    Column("website", "Website", ("trang web",), in_template=False),
    Column(
        "product_name_vi",
        "Tên sản phẩm",
        ("san pham", "ten san pham ocop", "ten san pham tieng viet", "product name", "product"),
        required=True,
    ),
    Column("product_name_en", "Tên tiếng Anh", ("ten san pham tieng anh", "english name")),
    Column("product_name_fr", "Tên tiếng Pháp", ("ten san pham tieng phap", "french name")),
    Column("ocop_group", "Nhóm OCOP", ("nhom", "nhom san pham", "bo san pham", "group")),
    Column("category", "Ngành hàng", ("phan nhom", "loai san pham")),
    Column("stars", "Số sao", ("hang sao", "sao", "so sao ocop", "star", "ocop stars"), required=True),
    Column(
        "certificate_date",
        "Ngày cấp",
        ("ngay cap giay chung nhan", "ngay chung nhan", "ngay cap chung nhan", "ngay quyet dinh"),
        required=True,
    ),
    Column("certificate_expiry", "Ngày hết hạn", ("het han", "han chung nhan", "expiry")),
    Column("standards", "Tiêu chuẩn", ("chung nhan khac", "tieu chuan chung nhan")),
    Column("capacity_per_month", "Công suất/tháng", ("cong suat", "san luong thang", "capacity")),
    Column("capacity_unit", "Đơn vị", ("don vi tinh", "dvt", "unit")),
    Column("price_min", "Giá thấp nhất", ("gia tu", "gia ban thap nhat")),
    Column("price_max", "Giá cao nhất", ("gia den", "gia ban cao nhat")),
    Column("price_unit", "Đơn vị giá", ("gia tinh theo", "don vi tinh gia")),
    Column("traceability_code", "Mã truy xuất", ("ma truy xuat nguon goc", "ma qr")),
    Column("description_vi", "Mô tả", ("mo ta san pham", "mo ta tieng viet", "description")),
    Column("description_en", "Mô tả tiếng Anh", (), in_template=False),
    Column("description_fr", "Mô tả tiếng Pháp", (), in_template=False),
)
COLUMN_BY_CODE = {column.code: column for column in COLUMNS}
REQUIRED = tuple(column.code for column in COLUMNS if column.required)
# Either of these two is enough: the group follows from the category.
GROUP_OR_CATEGORY = ("ocop_group", "category")
# Serial-number and note columns provinces add; ignored without a remark.
QUIET_HEADERS = {"stt", "tt", "so tt", "so thu tu", "no", "ghi chu", "note"}


def header_key(text) -> str:
    """A header or a listed value as compared: no accents, case, brackets or punctuation."""
    text = re.sub(r"\([^)]*\)", " ", str(text or ""))
    folded = fold(text)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", folded).split())


def _build_header_index() -> dict[str, str]:
    index: dict[str, str] = {}
    for column in COLUMNS:
        for name in (column.code, column.header, *column.aliases):
            key = header_key(name)
            if index.get(key, column.code) != column.code:
                raise RuntimeError(f"import header {name!r} is ambiguous")
            index[key] = column.code
    return index


HEADER_INDEX = _build_header_index()

# ---------------------------------------------------------------- cells


def cell_text(raw) -> str:
    """A cell as the person sees it."""
    if raw is None:
        return ""
    if isinstance(raw, datetime):
        if (raw.hour, raw.minute, raw.second) == (0, 0, 0):
            return raw.strftime("%d/%m/%Y")
        return raw.strftime("%d/%m/%Y %H:%M")
    if isinstance(raw, date):
        return raw.strftime("%d/%m/%Y")
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return unicodedata.normalize("NFC", str(raw)).strip()


# ---------------------------------------------------------------- reading files


@dataclass
class _Table:
    file_type: str
    sheet: str | None
    header_row: int
    header_cells: list
    rows: list  # (row number, cells)


def _missing_columns_message(codes: Iterable[str]):
    names = []
    for code in codes:
        if code == "ocop_group|category":
            names.append(
                f"{COLUMN_BY_CODE['ocop_group'].header} / {COLUMN_BY_CODE['category'].header}"
                " (ocop_group / category)"
            )
        else:
            names.append(f"{COLUMN_BY_CODE[code].header} ({code})")
    return _l("Required columns are missing: %(columns)s.", columns="; ".join(names))


def _header_score(cells) -> int:
    return len({HEADER_INDEX[k] for k in (header_key(cell_text(c)) for c in cells) if k in HEADER_INDEX})


def _best_header(rows: list) -> tuple[int, int]:
    """(score, position) of the likeliest header row among the first rows."""
    best = (0, 0)
    for position, (_number, cells) in enumerate(rows[:HEADER_SCAN_ROWS]):
        score = _header_score(cells)
        if score > best[0]:
            best = (score, position)
    return best


def _is_blank(cells) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _has_data(cells, known: list[int]) -> bool:
    """A row counts when a column we read has something (a lone serial number doesn't)."""
    return not _is_blank([cells[i] for i in known if i < len(cells)])


def _known_positions(header_cells) -> list[int]:
    return [i for i, cell in enumerate(header_cells) if header_key(cell_text(cell)) in HEADER_INDEX]


def _decode(content: bytes) -> str:
    if content.startswith(codecs.BOM_UTF8):
        try:
            return content[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError:
            content = content[len(codecs.BOM_UTF8) :]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return content.decode("utf-16")
    for encoding in ("utf-8", "cp1258"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def _read_csv(content: bytes) -> _Table | object:
    text = unicodedata.normalize("NFC", _decode(content))
    if "\x00" in text:
        return _l("This file is not a text (CSV) file.")
    forced = None
    first_line, _, rest = text.partition("\n")
    if re.fullmatch(r"\s*sep=(.)\s*", first_line):
        forced, text = first_line.strip()[4], rest
    best = None
    for delimiter in [forced] if forced else [",", ";", "\t"]:
        try:
            records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
        except csv.Error:
            continue
        rows = [(number, cells) for number, cells in enumerate(records, start=1)]
        score, position = _best_header(rows)
        width = len(rows[position][1]) if rows else 0
        if best is None or (score, width) > (best[0], best[1]):
            best = (score, width, position, rows)
    if best is None:
        return _l("This file is not a CSV file we can read.")
    _score, _width, position, rows = best
    if all(_is_blank(cells) for _n, cells in rows):
        return _l("The file is empty.")
    header_row, header_cells = rows[position]
    known = _known_positions(header_cells)
    data = [(n, cells) for n, cells in rows[position + 1 :] if _has_data(cells, known)]
    return _Table("csv", None, header_row, header_cells, data)


def _read_xlsx(content: bytes) -> _Table | object:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        return _l("This file is not an XLSX workbook we can read.")
    try:
        best = None
        for sheet in workbook.worksheets:
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some programs write a wrong sheet size
            head = list(
                enumerate(
                    islice(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), HEADER_SCAN_ROWS), start=1
                )
            )
            score, position = _best_header(head)
            if head and (best is None or score > best[0]):
                best = (score, sheet, head[position])
        if best is None:
            return _l("The file is empty.")
        _score, sheet, (header_row, header_cells) = best
        known = _known_positions(header_cells)
        data = []
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
            if number > MAX_SCANNED_ROWS or len(data) > MAX_ROWS:
                break
            if number > header_row and _has_data(cells, known):
                data.append((number, cells))
        return _Table("xlsx", sheet.title, header_row, list(header_cells), data)
    finally:
        workbook.close()


def read_table(filename: str, content: bytes, max_bytes: int | None = None) -> _Table | object:
    """The sheet (or CSV) holding the data, or a file-level error message."""
    if not content:
        return _l("The file is empty.")
    if max_bytes is not None and len(content) > max_bytes:
        return _l("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1))
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        return _l("This is an old Excel (.xls) file: save it as .xlsx or CSV and upload it again.")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(content)
    if suffix in (".csv", ".txt", ".tsv"):
        if content.startswith(b"PK\x03\x04"):
            return _l("This file is not a CSV file we can read.")
        return _read_csv(content)
    return _l("Upload a CSV or XLSX file.")


@dataclass
class Sheet:
    """What `read` found: the rows as {column code: cell}, or the errors of the whole file."""

    filename: str
    file_type: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    headers: dict = field(default_factory=dict)  # column code -> header as written
    ignored_columns: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # (row number, {column code: cell})


def read(filename: str, content: bytes, *, max_bytes: int | None = None) -> Sheet:
    """The file's data rows keyed by column code, or the reasons it can't be imported as a whole."""
    result = Sheet(filename=display_filename(filename))
    table = read_table(filename, content, max_bytes)
    if not isinstance(table, _Table):
        result.file_errors.append(table)
        return result
    result.file_type, result.sheet, result.header_row = table.file_type, table.sheet, table.header_row

    positions: dict[str, int] = {}
    for index, cell in enumerate(table.header_cells):
        text = cell_text(cell)
        key = header_key(text)
        code = HEADER_INDEX.get(key)
        if code is None:
            if text and key not in QUIET_HEADERS:
                result.ignored_columns.append(text)
            continue
        if code in positions:
            result.file_errors.append(
                _l(
                    "The columns “%(first)s” and “%(second)s” mean the same thing; keep one.",
                    first=result.headers[code],
                    second=text,
                )
            )
            continue
        positions[code] = index
        result.headers[code] = text
    missing = [code for code in REQUIRED if code not in positions]
    if not any(code in positions for code in GROUP_OR_CATEGORY):
        missing.append("ocop_group|category")
    if missing:
        result.file_errors.append(_missing_columns_message(missing))
    data = [
        (number, {code: cells[i] if i < len(cells) else None for code, i in positions.items()})
        for number, cells in table.rows
    ]
    data = [(number, values) for number, values in data if not _is_blank(values.values())]
    if len(data) > MAX_ROWS:
        result.file_errors.append(
            _l("The file has more than %(max)s rows: split it into smaller files.", max=MAX_ROWS)
        )
    if result.file_errors:
        return result
    if not data:
        result.file_errors.append(_l("The file has column headers but no rows."))
        return result

    result.rows = data
    return result


def display_filename(filename: str) -> str:
    # Some browsers send the whole Windows path.
    return re.split(r"[\\/]", filename or "")[-1][:255] or "upload"
