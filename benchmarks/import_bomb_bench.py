"""Import limits benchmark: how fast, and with how much memory, a hostile file is refused,
against a province's ordinary file (the baseline) read in the same run.

    .venv/bin/python benchmarks/import_bomb_bench.py [--province-rows 4250]

`read.read` (stage 1 of an import: what runs on upload before any row is checked) on:
- baseline: a province's XLSX of 4,250 products (all template columns, Excel-like shared
  strings), and the same as CSV;
- the issue's bomb: a 200,000-row sheet of ~230 MB of XML packed into ~1.5 MB;
- a bomb under the unpacked-size limit: 25,000 varied rows (~40 MB of XML), no declared size;
- a sheet declaring 200,000 rows (Excel's <dimension>);
- 19,000 rows whose header lacks required columns;
- a CSV of 10 MB (the upload limit) with 120,000 rows.
Wall time (best of 3) and peak memory (tracemalloc, in a separate run).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCHEDULER_ENABLED", "0")

from tests.catalog.workbooks import text_row, xlsx  # noqa: E402

GROUPS = [
    ("Thực phẩm", "Sản phẩm từ thịt"),
    ("Đồ uống", "Chè"),
    ("Thực phẩm", "Mật ong"),
    ("Đồ uống", "Cà phê"),
]
UNITS = ["kg", "hộp", "chai", "gói"]


def province_rows(count: int) -> list[list]:
    from app.catalog.imports.services import TEMPLATE_COLUMNS

    rows = []
    for n in range(count):
        group, category = GROUPS[n % len(GROUPS)]
        values = {
            "producer_name": f"HTX Nông sản số {n // 3}",
            "producer_kind": "HTX",
            "tax_code": f"57{n // 3:08d}",
            "province": "Quảng Ninh",
            "commune": f"Xã {n % 97}, huyện Hải Hà",
            "address": f"Thôn {n % 13}, xã {n % 97}, huyện Hải Hà, tỉnh Quảng Ninh",
            "phone": f"0203{n:06d}",
            "email": f"htx{n // 3}@example.vn",
            "product_name_vi": f"Sản phẩm OCOP số {n}",
            "product_name_en": f"OCOP product {n}",
            "product_name_fr": f"Produit OCOP {n}",
            "ocop_group": group,
            "category": category,
            "stars": 3 + n % 3,
            "certificate_date": date(2023, 1, 1) + timedelta(days=n % 700),
            "certificate_expiry": None,
            "standards": "VietGAP" if n % 2 else "HACCP",
            "capacity_per_month": 100 + n % 5000,
            "capacity_unit": UNITS[n % 4],
            "price_min": 50_000 + 1000 * (n % 300),
            "price_max": 400_000 + 1000 * (n % 300),
            "price_unit": UNITS[n % 4],
            "traceability_code": f"QN-{n:06d}",
            "description_vi": f"Sản phẩm số {n} của hợp tác xã, sản xuất theo quy trình truyền thống.",
        }
        rows.append([values.get(column.code) for column in TEMPLATE_COLUMNS])
    return rows


def province_xlsx(count: int) -> bytes:
    import openpyxl

    from app.catalog.imports.services import TEMPLATE_COLUMNS

    workbook = openpyxl.Workbook()  # shared strings and a declared size, as Excel writes them
    sheet = workbook.active
    sheet.append([column.header for column in TEMPLATE_COLUMNS])
    for values in province_rows(count):
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def province_csv(count: int) -> bytes:
    from app.catalog.imports.read import cell_text
    from app.catalog.imports.services import TEMPLATE_COLUMNS
    from app.data.spreadsheets import csv_bytes

    header = [column.header for column in TEMPLATE_COLUMNS]
    return csv_bytes([header, *([cell_text(v) for v in row] for row in province_rows(count))])


def headers() -> list[str]:
    from app.catalog.imports.services import TEMPLATE_COLUMNS

    return [column.header for column in TEMPLATE_COLUMNS]


def issue_bomb() -> bytes:
    one = text_row(*["HTX Chè Hải Hà"] * len(headers())).encode()
    return xlsx([text_row(*headers()).encode(), *(one * 1000 for _ in range(200))], level=9)


def varied_bomb(rows: int = 25_000) -> bytes:
    body = (text_row(*[f"{h} {n}" for h in headers()]) for n in range(rows))
    return xlsx([text_row(*headers()), *body])


def declared_bomb(rows: int = 200_000) -> bytes:
    body = [text_row(*[f"{h} {n}" for h in headers()]) for n in range(50)]
    return xlsx([text_row(*headers()), *body], dimension=f"A1:X{rows + 1}")


def headless_bomb(rows: int = 19_000) -> bytes:
    body = (text_row(*[f"{h} {n}" for h in headers()[:3]]) for n in range(rows))
    return xlsx([text_row(*headers()[:3]), *body], dimension=f"A1:C{rows + 1}")


def csv_bomb(target: int = 10 * 1024 * 1024) -> bytes:
    line = ",".join(["HTX Chè Hải Hà", "Quảng Ninh", "Chè xanh", "Chè", "4", "15/06/2023"]) + "\r\n"
    head = "Tên chủ thể,Tỉnh,Tên sản phẩm,Ngành hàng,Số sao,Ngày cấp\r\n"
    return (head + line * ((target - len(head)) // len(line.encode()))).encode()


def measure(name, filename, content, max_bytes) -> None:
    from app.catalog.imports import read

    times = []
    for _ in range(3):
        start = time.perf_counter()
        sheet = read.read(filename, content, max_bytes=max_bytes)
        times.append(time.perf_counter() - start)
    tracemalloc.start()
    read.read(filename, content, max_bytes=max_bytes)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    outcome = f"{len(sheet.rows)} rows read" if not sheet.file_errors else str(sheet.file_errors[0])[:70]
    size, best, memory = len(content) / 1024, min(times), peak / 1024 / 1024
    print(f"{name:<44} {size:>8.0f} KB {best:>7.3f} s {memory:>7.1f} MB  {outcome}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--province-rows", type=int, default=4250)
    args = parser.parse_args()

    from app import create_app

    app = create_app("testing")
    with app.test_request_context("/?lang=en"):
        max_bytes = app.config["MAX_IMPORT_BYTES"]
        print(f"{'file':<44} {'size':>11} {'time':>9} {'peak mem':>10}  outcome")
        measure(
            f"baseline: province XLSX, {args.province_rows} rows",
            "p.xlsx",
            province_xlsx(args.province_rows),
            max_bytes,
        )
        measure(
            f"baseline: province CSV, {args.province_rows} rows",
            "p.csv",
            province_csv(args.province_rows),
            max_bytes,
        )
        measure("bomb: 200,000 rows, ~230 MB unpacked", "b.xlsx", issue_bomb(), max_bytes)
        measure("bomb: 25,000 varied rows, no declared size", "b.xlsx", varied_bomb(), max_bytes)
        measure("bomb: a sheet declaring 200,000 rows", "b.xlsx", declared_bomb(), max_bytes)
        measure("19,000 rows, required columns missing", "b.xlsx", headless_bomb(), max_bytes)
        measure("bomb: CSV of 10 MB", "b.csv", csv_bomb(), max_bytes)


if __name__ == "__main__":
    main()
