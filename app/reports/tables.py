"""Tables of figures, and their files: CSV and XLSX.

Every dashboard table and every export is a `Table`: a key (the file's name), a title (in
the reader's language), typed columns and rows of plain values. The writers here are the
only place that turns a table into a file, so the rules hold for every export:

- dates and times are shown in the event's time zone (`tz`), never in UTC; a datetime
  without a zone is taken to be UTC, as the database stores it;
- money is VND as integers (column kind "vnd"), never a float or a formatted string;
- Vietnamese text is kept intact: CSV is UTF-8 with a byte-order mark (so a spreadsheet
  opened by double-click reads the accents), XLSX stores Unicode;
- a text cell that a spreadsheet would run as a formula (starting with =, +, -, @, a tab or
  a carriage return) is neutralised: in CSV it gets a leading apostrophe (OWASP's advice),
  in XLSX it is written as a string cell, which no spreadsheet evaluates.

Rows may be any iterable (a generator over a streamed query), so a large export is written
row by row without holding it in memory: `csv_chunks` yields text, `write_xlsx` uses
openpyxl's write-only mode.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, BinaryIO
from zoneinfo import ZoneInfo

from app.data.spreadsheets import safe_cell

# How each kind of column is written. "text" and "int" are what they say; "vnd" is an integer
# amount of đồng; "percent" a number from 0 to 100 with one decimal; "date" and "datetime" are
# shown in the table's time zone.
KINDS = ("text", "int", "vnd", "percent", "date", "datetime")

_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}")


@dataclass
class Table:
    """A titled grid of values. `rows` holds tuples in the order of `columns`."""

    key: str
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [column.label for column in self.columns]


def neutralise(text: str) -> str:
    """Text a spreadsheet would run as a formula, made inert with a leading apostrophe
    (app.data.spreadsheets.safe_cell, the rule of every file the app writes)."""
    return safe_cell(text)


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(tz)


def cell_text(value: Any, kind: str, tz: ZoneInfo) -> str:
    """One value as CSV text."""
    if value is None:
        return ""
    if kind == "datetime" and isinstance(value, datetime):
        return _local(value, tz).strftime("%Y-%m-%d %H:%M")
    if kind == "date" and isinstance(value, datetime):
        return _local(value, tz).date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if kind in ("int", "vnd") and not isinstance(value, bool):
        return str(int(value))
    if kind == "percent":
        return f"{float(value):.1f}"
    if isinstance(value, bool):
        return "1" if value else "0"
    return neutralise(str(value))


def csv_chunks(table: Table, tz: ZoneInfo | str = "Asia/Ho_Chi_Minh") -> Iterator[str]:
    """The table as CSV text, in chunks of a few hundred rows (for a streamed response)."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    kinds = [column.kind for column in table.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([neutralise(label) for label in table.labels])
    for count, row in enumerate(table.rows, start=1):
        writer.writerow([cell_text(value, kind, zone) for value, kind in zip(row, kinds, strict=True)])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_bytes(table: Table, tz: ZoneInfo | str = "Asia/Ho_Chi_Minh") -> bytes:
    return "".join(csv_chunks(table, tz)).encode("utf-8")


def sheet_title(title: str, taken: set[str]) -> str:
    """A worksheet name Excel accepts (≤ 31 characters, none of []:*?/\\), unique in the book."""
    base = re.sub(r"\s+", " ", _SHEET_FORBIDDEN.sub(" ", title)).strip().strip("'") or "Sheet"
    base = base[:31]
    name, n = base, 2
    while name.lower() in taken:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name.lower())
    return name


_NUMBER_FORMATS = {
    "vnd": "#,##0",
    "int": "0",
    "percent": "0.0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


def write_xlsx(
    tables: Iterable[Table],
    out: BinaryIO,
    tz: ZoneInfo | str = "Asia/Ho_Chi_Minh",
    *,
    on_row=None,
) -> None:
    """An XLSX workbook with one sheet per table, written to `out`.

    `on_row`, when given, is called after each data row (a background job reports its
    progress through it)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    book = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(sheet_title(table.title, taken))
        header = []
        for label in table.labels:
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(label)))
            cell.data_type = "s"
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        kinds = [column.kind for column in table.columns]
        for row in table.rows:
            cells = []
            for value, kind in zip(row, kinds, strict=True):
                cells.append(_xlsx_cell(sheet, value, kind, zone, WriteOnlyCell))
            sheet.append(cells)
            if on_row is not None:
                on_row()
    if not taken:  # a workbook needs one sheet
        book.create_sheet("Sheet")
    book.save(out)


def _xlsx_cell(sheet, value: Any, kind: str, zone: ZoneInfo, WriteOnlyCell):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # imported once; openpyxl loads only to write

    if value is None:
        return None
    if kind in ("datetime", "date") and isinstance(value, datetime):
        local = _local(value, zone).replace(tzinfo=None)
        cell = WriteOnlyCell(sheet, value=local if kind == "datetime" else local.date())
    elif kind in ("int", "vnd") and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=int(value))
    elif kind == "percent":
        cell = WriteOnlyCell(sheet, value=round(float(value), 1))
    elif isinstance(value, int | float | date) and not isinstance(value, bool):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        text = ("1" if value else "0") if isinstance(value, bool) else str(value)
        # Control characters (a vertical tab pasted from a word processor...) have no place in
        # XLSX's XML: openpyxl refuses them, so they are dropped.
        cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
        cell.data_type = "s"  # never a formula, whatever the text starts with
        return cell
    if kind in _NUMBER_FORMATS:
        cell.number_format = _NUMBER_FORMATS[kind]
    return cell


def xlsx_bytes(tables: Iterable[Table], tz: ZoneInfo | str = "Asia/Ho_Chi_Minh") -> bytes:
    out = io.BytesIO()
    write_xlsx(tables, out, tz)
    return out.getvalue()
