"""Stage 1 of an import: a CSV or XLSX file to rows of cells keyed by column code.

Finds the sheet and the header row (a title or notes may sit above it), maps the headers
the provinces write to the columns below, and reports what makes the whole file
unusable (unreadable, columns missing or doubled, too many rows). No cell is interpreted
here: that is `check`. Plain functions on bytes; no request, no database.

A file is refused as early as it can be, so that a hostile or mistaken one costs little:
an XLSX's zip is inspected before any XML is parsed (its unpacked size and compression
ratio), the header row is checked before any data row is read, a sheet that declares more
rows than allowed is refused before its rows are read, and rows are streamed, stopping at
the limit. Formulas are never evaluated: an XLSX cell gives the value the spreadsheet
program saved with it (or nothing), as text or a number.
"""

from __future__ import annotations

import codecs
import csv
import functools
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import islice
from pathlib import PurePath

from flask_babel import lazy_gettext as _l

from app.data.provinces import fold

# Defaults of MAX_IMPORT_ROWS and MAX_IMPORT_UNCOMPRESSED_BYTES (config.py), which callers pass.
# A province keeps some 500 to 5,000 products; the national catalogue is about 17,000 rows,
# and must still fit in one file.
MAX_ROWS = 20_000  # data rows in one file
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024  # an XLSX unpacked: 20,000 rows of Excel's are ~30 MB
# A sheet's XML packs 5 to 120 times smaller (inline text, columns alike); a bomb hundreds of
# times. Small parts (a theme, styles) may pack better: only larger ones are held to it.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_ABOVE = 1024 * 1024
HEADER_SCAN_ROWS = 10  # a title or a note may sit above the header row
MAX_COLUMNS = 80
MAX_SCANNED_ROWS = 100_000  # rows (blank ones too) read below the header at most

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
    Column("gtin", "Mã vạch GTIN", ("ma vach", "gtin", "gtin 13", "ean", "ean 13", "ma gtin", "barcode")),
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


@functools.lru_cache(maxsize=8192, typed=True)  # a file repeats its groups, categories, units and kinds
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


class UnreadableFile(Exception):
    """Raised while rows are streamed: the file broke off or is not what it said it was."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass
class _Table:
    file_type: str
    sheet: str | None
    header_row: int
    header_cells: list
    rows: Iterator  # (row number, cells) of the rows below the header, read as they are asked for
    declared_rows: int | None = None  # the last row the sheet says it has (an XLSX's dimension)


def _too_many_rows(max_rows: int):
    return _l("The file has more than %(max)s rows: split it into smaller files.", max=max_rows)


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


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, list]]:
    """(record number, cells); a quoted line break keeps a record on one spreadsheet row."""
    try:
        yield from enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1)
    except csv.Error as error:
        raise UnreadableFile(_l("This file is not a CSV file we can read.")) from error


def _read_csv(content: bytes) -> _Table | object:
    text = unicodedata.normalize("NFC", _decode(content))
    if "\x00" in text:
        return _l("This file is not a text (CSV) file.")
    forced = None
    first_line, _, rest = text.partition("\n")
    if re.fullmatch(r"\s*sep=(.)\s*", first_line):
        forced, text = first_line.strip()[4], rest
    if not text.strip(" \t\r\n,;"):
        return _l("The file is empty.")
    # The delimiter and the header row are found on the first rows only.
    best = None
    for delimiter in [forced] if forced else [",", ";", "\t"]:
        try:
            head = list(islice(_csv_records(text, delimiter), HEADER_SCAN_ROWS))
        except UnreadableFile:
            continue
        if not head:
            continue
        score, position = _best_header(head)
        width = len(head[position][1])
        if best is None or (score, width) > (best[0], best[1]):
            best = (score, width, position, delimiter, head)
    if best is None:
        return _l("This file is not a CSV file we can read.")
    _score, _width, position, delimiter, head = best
    header_row, header_cells = head[position]
    rows = islice(_csv_records(text, delimiter), header_row, None)
    return _Table("csv", None, header_row, header_cells, rows)


# A sheet's rows and cells, counted in its XML as it is unpacked (openpyxl is some 50 times
# slower): a row counts when one of its cells holds a value (<v>, or <is> for inline text).
# Elements may carry a namespace prefix (<x:row>), as some generators write them; text inside
# cells is escaped, so these tags are tags.
_ROW_TAG = re.compile(rb"<(\w+:)?row\b")
MAX_ROW_XML = 4 * 1024 * 1024  # no spreadsheet program writes one row this long
CELLS_PER_ROW = 40  # cells (filled or only formatted) allowed per allowed row, on average


def _count_sheet(archive, part, max_rows: int, max_cells: int) -> tuple[int, int] | None:
    """(rows holding a value, cells) of a worksheet part, or None if it can't be counted;
    the counting stops once either is past its maximum."""
    rows = cells = 0
    prefix = None
    carry = b""
    with archive.open(part) as stream:
        while chunk := stream.read(1024 * 1024):
            buffer = carry + chunk
            if prefix is None:
                found = _ROW_TAG.search(buffer)
                if found is None:
                    carry = buffer[-64:]  # the sheet's head: no row yet
                    continue
                prefix = found.group(1) or b""
                values = (b"<" + prefix + b"v>", b"<" + prefix + b"is>")
                cell_tags = (b"<" + prefix + b"c ", b"<" + prefix + b"c>", b"<" + prefix + b"c/>")
            # each piece ends with a row's end tag; blank rows (<row/>) may sit before it
            *pieces, carry = buffer.split(b"</" + prefix + b"row>")
            for piece in pieces:
                if values[0] in piece or values[1] in piece:
                    rows += 1
                cells += sum(piece.count(tag) for tag in cell_tags)
            if rows > max_rows or cells > max_cells:
                break
            if len(carry) > MAX_ROW_XML:
                return None
    return rows, cells


def _zip_problem(content: bytes, max_uncompressed_bytes: int, max_rows: int):
    """Why an XLSX must be refused before openpyxl parses it (a zip bomb, too many rows), or None.

    The sizes come from the zip's directory; `zipfile` never unpacks a part beyond the size
    its directory gives (it stops there and the part fails its checksum), so they bind. Then
    each sheet's rows are counted as it is unpacked, before openpyxl reads a cell of it.
    """
    import zipfile

    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        return _l("This file is not an XLSX workbook we can read.")
    with archive:
        parts = archive.infolist()
        unpacked = sum(part.file_size for part in parts)
        if unpacked > max_uncompressed_bytes:
            return _l(
                "Unpacked, this workbook is larger than %(mb)s MB: delete what the import does not need"
                " (other sheets, pictures, formatted empty rows) or split it into smaller files.",
                mb=round(max_uncompressed_bytes / 1024 / 1024, 1),
            )
        for part in parts:
            if part.file_size > RATIO_CHECKED_ABOVE and part.file_size > MAX_COMPRESSION_RATIO * max(
                part.compress_size, 1
            ):
                return _l(
                    "This workbook is packed unlike any spreadsheet program's: save it again from"
                    " Excel or LibreOffice, or as CSV, and upload it again."
                )
        allowed_rows = max_rows + HEADER_SCAN_ROWS  # a title and the header sit above the data
        allowed_cells = CELLS_PER_ROW * allowed_rows
        for part in parts:
            if not (part.filename.startswith("xl/worksheets/") and part.filename.endswith(".xml")):
                continue
            try:
                counted = _count_sheet(archive, part, allowed_rows, allowed_cells)
            except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
                counted = None
            if counted is None:
                return _l("This file is not an XLSX workbook we can read.")
            rows, cells = counted
            if rows > allowed_rows:
                return _too_many_rows(max_rows)
            if cells > allowed_cells:
                return _l(
                    "This workbook has more than %(cells)s filled or formatted cells: delete the rows"
                    " and columns the import does not need, or split it into smaller files.",
                    cells=allowed_cells,
                )
    return None


def _xlsx_rows(sheet, header_row: int) -> Iterator[tuple[int, tuple]]:
    try:
        rows = sheet.iter_rows(min_row=header_row + 1, max_col=MAX_COLUMNS, values_only=True)
        yield from enumerate(rows, start=header_row + 1)
    except Exception as error:  # a part broke off, bad XML, a checksum: the file, not us
        raise UnreadableFile(_l("This file is not an XLSX workbook we can read.")) from error


@contextmanager
def _open_xlsx(content: bytes, max_uncompressed_bytes: int, max_rows: int) -> Iterator[_Table | object]:
    problem = _zip_problem(content, max_uncompressed_bytes, max_rows)
    if problem is not None:
        yield problem
        return
    import openpyxl

    try:
        # data_only: a formula cell gives the value saved with it, never the formula, and
        # nothing is evaluated; without a saved value the cell is empty.
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:
        yield _l("This file is not an XLSX workbook we can read.")
        return
    try:
        best = None
        for sheet in workbook.worksheets:
            declared = getattr(sheet, "max_row", None)  # from the sheet's <dimension>, if any
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # some programs write a wrong sheet size
            try:
                head = list(
                    enumerate(
                        islice(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True), HEADER_SCAN_ROWS),
                        start=1,
                    )
                )
            except Exception:
                yield _l("This file is not an XLSX workbook we can read.")
                return
            score, position = _best_header(head)
            if head and (best is None or score > best[0]):
                best = (score, sheet, head[position], declared)
        if best is None:
            yield _l("The file is empty.")
            return
        _score, sheet, (header_row, header_cells), declared = best
        yield _Table(
            "xlsx", sheet.title, header_row, list(header_cells), _xlsx_rows(sheet, header_row), declared
        )
    finally:
        workbook.close()


@contextmanager
def open_table(
    filename: str,
    content: bytes,
    max_bytes: int | None = None,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
    max_rows: int = MAX_ROWS,
) -> Iterator[_Table | object]:
    """The sheet (or CSV) holding the data, its rows still to read, or a file-level error message."""
    if not content:
        yield _l("The file is empty.")
        return
    if max_bytes is not None and len(content) > max_bytes:
        yield _l("The file is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1))
        return
    suffix = PurePath(filename or "").suffix.lower()
    if suffix == ".xls" or content.startswith(b"\xd0\xcf\x11\xe0"):
        yield _l("This is an old Excel (.xls) file: save it as .xlsx or CSV and upload it again.")
    elif suffix in (".xlsx", ".xlsm"):
        with _open_xlsx(content, max_uncompressed_bytes, max_rows) as table:
            yield table
    elif suffix in (".csv", ".txt", ".tsv"):
        if content.startswith(b"PK\x03\x04"):
            yield _l("This file is not a CSV file we can read.")
        else:
            yield _read_csv(content)
    else:
        yield _l("Upload a CSV or XLSX file.")


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


def read(
    filename: str,
    content: bytes,
    *,
    max_bytes: int | None = None,
    max_rows: int = MAX_ROWS,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
) -> Sheet:
    """The file's data rows keyed by column code, or the reasons it can't be imported as a whole.

    The header row is checked before any data row is read, and reading stops at the first
    row past `max_rows`: a file refused for its columns or its length costs a few rows.
    """
    result = Sheet(filename=display_filename(filename))
    with open_table(filename, content, max_bytes, max_uncompressed_bytes, max_rows) as table:
        if not isinstance(table, _Table):
            result.file_errors.append(table)
            return result
        result.file_type, result.sheet, result.header_row = table.file_type, table.sheet, table.header_row
        positions = _read_header(result, table.header_cells)
        if result.file_errors:
            return result
        if table.declared_rows is not None and table.declared_rows - table.header_row > max_rows:
            result.file_errors.append(_too_many_rows(max_rows))
            return result
        try:
            data = _data_rows(table, positions, max_rows)
        except UnreadableFile as error:
            result.file_errors.append(error.message)
            return result
    if data is None:
        result.file_errors.append(_too_many_rows(max_rows))
        return result
    if not data:
        result.file_errors.append(_l("The file has column headers but no rows."))
        return result
    result.rows = data
    return result


def _read_header(result: Sheet, header_cells) -> dict[str, int]:
    """Each known column's position; doubled or missing columns go to `result.file_errors`."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
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
    return positions


def _data_rows(table: _Table, positions: dict[str, int], max_rows: int) -> list | None:
    """The rows with something in a column we read (a lone serial number isn't one), or None
    when there are more than `max_rows` of them, or more than MAX_SCANNED_ROWS rows at all."""
    scanned = max(MAX_SCANNED_ROWS, 2 * max_rows)
    data = []
    for number, cells in table.rows:
        if number - table.header_row > scanned:
            return None
        values = {code: cells[i] if i < len(cells) else None for code, i in positions.items()}
        if _is_blank(values.values()):
            continue
        if len(data) == max_rows:
            return None
        data.append((number, values))
    return data


def display_filename(filename: str) -> str:
    # Some browsers send the whole Windows path.
    return re.split(r"[\\/]", filename or "")[-1][:255] or "upload"
