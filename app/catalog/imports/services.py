"""Importing producers and OCOP products from the CSV/XLSX sheets provinces keep.

One row is one product together with its producer's columns. `parse` reads a file and
says, row by row, what is wrong and what would happen; nothing is written. An upload is
kept as a batch (`create_batch`) between its preview and its confirmation; `apply` writes
every valid row of a batch through the catalogue services, in the caller's transaction
(it flushes; the request commits once).

The stages: `read` (file to rows), `check` (cells to values, row errors), `plan` (what
each row creates or updates), `write` (the confirmed write). This module is what routes,
jobs and tests call.

Identity, so that importing the same file again updates instead of duplicating:
a producer is its tax code when one is given, else its name (without accents or
case) and province; a product is its traceability code when one is given, else
its producer and Vietnamese name. Empty cells never clear what is stored.
"""

from __future__ import annotations

import io
import secrets
from datetime import date, datetime

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import signals
from app.accounts.models import User
from app.catalog.imports import check, plan, read, write
from app.catalog.imports.check import (
    CATEGORY_NAMES_VI,
    GROUP_NAMES_VI,
    KIND_NAMES_VI,
    STANDARD_NAMES,
    UNIT_NAMES_VI,
    ImportReport,
)
from app.catalog.imports.read import COLUMNS, GROUP_OR_CATEGORY, cell_text, display_filename
from app.catalog.models import ImportBatch
from app.data.provinces import PROVINCES
from app.data.spreadsheets import csv_bytes, safe_cell
from app.data.vocab import CATEGORIES
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.extensions import db
from app.tasks import services as tasks

IMPORTER_ROLES = ("organiser", "admin")
NOTHING_TO_IMPORT = _l("No row of this file can be imported: correct the errors and upload it again.")

# ---------------------------------------------------------------- checking a file


def parse(filename: str, content: bytes, *, max_bytes: int | None = None) -> ImportReport:
    """Read a file and say what is wrong and what would be written. Writes nothing.

    Within the app's MAX_IMPORT_ROWS and MAX_IMPORT_UNCOMPRESSED_BYTES (config.py).
    """
    config = current_app.config
    sheet = read.read(
        filename,
        content,
        max_bytes=max_bytes,
        max_rows=config.get("MAX_IMPORT_ROWS", read.MAX_ROWS),
        max_uncompressed_bytes=config.get("MAX_IMPORT_UNCOMPRESSED_BYTES", read.MAX_UNCOMPRESSED_BYTES),
    )
    report = ImportReport.of(sheet)
    if report.file_errors:
        return report
    report.rows = [check.check_row(report, number, values) for number, values in sheet.rows]
    plan.plan_report(report)
    return report


# ---------------------------------------------------------------- batches and writing


class AlreadyConfirmed(ServiceError):
    """Confirming again (a double click, another tab): a warning, not an error."""

    category = "warning"

    def __init__(self):
        super().__init__(_l("This import was already confirmed; nothing was written again."))


def ensure_can_import(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role not in IMPORTER_ROLES:
        raise PermissionDenied


def create_batch(actor, filename: str, content: bytes, report: ImportReport) -> ImportBatch:
    """Keep an uploaded file between its preview and its confirmation."""
    ensure_can_import(actor)
    counts = report.counts
    batch = ImportBatch(
        token=secrets.token_urlsafe(24),
        filename=display_filename(filename),
        content=content,
        uploaded_by_id=getattr(actor, "id", None),
        status="previewed",
        rows_total=counts["rows"],
        rows_valid=counts["valid"],
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def batch_by_token(token: str) -> ImportBatch | None:
    return db.session.scalar(select(ImportBatch).where(ImportBatch.token == token))


def preview(batch: ImportBatch) -> ImportReport:
    """The report of a stored batch against the catalogue as it is now."""
    return parse(batch.filename, batch.content)


def recent_batches(limit: int = 10) -> list[ImportBatch]:
    return list(db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc()).limit(limit)))


def discard_stale_batches(before: datetime) -> int:
    """Forget previews nobody confirmed (the uploaded files they keep), e.g. from a nightly job."""
    stale = list(
        db.session.scalars(
            select(ImportBatch).where(ImportBatch.status == "previewed", ImportBatch.created_at < before)
        )
    )
    for batch in stale:
        db.session.delete(batch)
    db.session.flush()
    return len(stale)


def uploader_names(batches: list[ImportBatch]) -> dict[int, str]:
    """The full names of the people who uploaded `batches`, by user id."""
    ids = {batch.uploaded_by_id for batch in batches if batch.uploaded_by_id}
    if not ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(ids))).all())


def confirm_lock_key(batch: ImportBatch) -> str:
    """One confirmation job per uploaded file: a double click enqueues one."""
    return f"import-batch:{batch.id}"


def start_confirmation(actor, batch: ImportBatch):
    """Enqueue the confirmed write of `batch` (the job `imports.confirm`, app/catalog/jobs.py).

    Refused at once when the file was already confirmed, and with `AlreadyRunning` while its
    job waits or runs; the job itself checks again (`apply`), since a lot can change meanwhile.
    Returns the job's row, which the caller's transaction commits.
    """
    ensure_can_import(actor)
    if batch.status == "confirmed":
        raise AlreadyConfirmed
    if not batch.rows_valid:
        raise ServiceError(NOTHING_TO_IMPORT)
    return tasks.start(
        actor, "imports.confirm", lock_key=confirm_lock_key(batch), params={"batch_id": batch.id}
    )


def latest_confirmation(batch: ImportBatch):
    """The batch's confirmation job, running or ended, or None."""
    return tasks.latest_task(confirm_lock_key(batch))


def apply(batch: ImportBatch, actor) -> write.ApplyResult:
    """Write every valid row of a batch; rows with errors are skipped and listed.

    Runs in the caller's transaction and only flushes: if any row fails while
    writing, `write.ImportWriteError` is raised and the caller rolls back, so nothing
    of the file is kept. A batch is confirmed once: a second call (even a
    concurrent one) raises `AlreadyConfirmed`.
    """
    ensure_can_import(actor)
    claimed = db.session.execute(
        update(ImportBatch)
        .where(ImportBatch.id == batch.id, ImportBatch.status == "previewed")
        .values(status="confirmed", confirmed_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise AlreadyConfirmed
    db.session.refresh(batch)
    report = preview(batch)
    if report.file_errors:
        raise ServiceError(report.file_errors[0])
    if not report.valid_rows:
        raise ServiceError(NOTHING_TO_IMPORT)

    result = write.write_rows(report, actor)

    counts = report.counts
    batch.rows_total = counts["rows"]
    batch.rows_valid = counts["valid"]
    batch.created_count = result.created
    batch.updated_count = result.updated
    db.session.flush()
    signals.organiser_action.send(
        actor,
        event_id=None,
        action="catalogue_imported",
        subject=batch.filename,
        changes={"created": result.created, "updated": result.updated, "rows": counts["rows"]},
    )
    return result


# ---------------------------------------------------------------- templates

TEMPLATE_COLUMNS = tuple(column for column in COLUMNS if column.in_template)
TEMPLATE_ROWS = (
    {
        "producer_name": "HTX Chè Hải Hà",
        "producer_kind": "HTX",
        "tax_code": "5701823456",
        "province": "Quảng Ninh",
        "commune": "Xã Quảng Long, huyện Hải Hà",
        "address": "Thôn 7, xã Quảng Long, huyện Hải Hà, tỉnh Quảng Ninh",
        "phone": "0203 3879 168",
        "email": "htx.chehaiha@example.vn",
        "product_name_vi": "Chè xanh Hải Hà",
        "product_name_en": "Hai Ha green tea",
        "product_name_fr": "Thé vert de Hai Ha",
        "ocop_group": "Đồ uống",
        "category": "Chè",
        "stars": 4,
        "certificate_date": date(2023, 6, 15),
        "certificate_expiry": None,
        "standards": "VietGAP, hữu cơ",
        "capacity_per_month": 2000,
        "capacity_unit": "kg",
        "price_min": 200000,
        "price_max": 450000,
        "price_unit": "kg",
        "traceability_code": "QN-HH-CHE-0001",
        "gtin": "8934588012112",
        "description_vi": "Chè búp hái tay trên đồi chè Quảng Long, sao khô theo cách truyền thống.",
    },
    {
        "producer_name": "Hộ kinh doanh Vịt quay Kỳ Lừa",
        "producer_kind": "Hộ kinh doanh",
        "tax_code": None,
        "province": "Lạng Sơn",
        "commune": "Thành phố Lạng Sơn",
        "address": "Phố Kỳ Lừa, phường Hoàng Văn Thụ, thành phố Lạng Sơn",
        "phone": "0205 3812 345",
        "email": None,
        "product_name_vi": "Vịt quay lá mắc mật Lạng Sơn",
        "product_name_en": "Lang Son roast duck with mac mat leaves",
        "product_name_fr": "Canard rôti de Lang Son aux feuilles de mac mat",
        "ocop_group": "Thực phẩm",
        "category": "Sản phẩm từ thịt",
        "stars": 3,
        "certificate_date": date(2024, 3, 20),
        "certificate_expiry": date(2027, 3, 20),
        "standards": "HACCP",
        "capacity_per_month": 1500,
        "capacity_unit": "kg",
        "price_min": 350000,
        "price_max": 420000,
        "price_unit": "kg",
        "traceability_code": "LS-VQ-0001",
        "description_vi": "Vịt cỏ thả đồi, ướp lá mắc mật, quay trên than hoa.",
    },
)


def template_csv() -> bytes:
    """The CSV template: UTF-8 with a BOM (so Excel shows the accents), Windows line ends."""
    header = [column.header for column in TEMPLATE_COLUMNS]
    examples = [
        [cell_text(example.get(column.code)) for column in TEMPLATE_COLUMNS] for example in TEMPLATE_ROWS
    ]
    return csv_bytes([header, *examples])


def template_xlsx() -> bytes:
    """The XLSX template: the data sheet, then 'Hướng dẫn' with the rules and allowed values."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sản phẩm OCOP"
    required_fill = PatternFill("solid", fgColor="F4C542")
    optional_fill = PatternFill("solid", fgColor="D9EAD3")
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=safe_cell(column.header))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        is_required = column.required or column.code in GROUP_OR_CATEGORY
        cell.fill = required_fill if is_required else optional_fill
        width = 40 if column.code in ("address", "description_vi") else max(14, len(column.header) + 4)
        sheet.column_dimensions[get_column_letter(index)].width = width
    for row_number, example in enumerate(TEMPLATE_ROWS, start=2):
        for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
            value = example.get(column.code)
            cell = sheet.cell(row=row_number, column=index, value=safe_cell(value))
            if isinstance(value, date):
                cell.number_format = "DD/MM/YYYY"
            elif column.code in ("price_min", "price_max", "capacity_per_month"):
                cell.number_format = "#,##0"
            elif column.code in ("tax_code", "phone"):
                cell.number_format = "@"
    sheet.freeze_panes = "B2"

    guide = workbook.create_sheet("Hướng dẫn")
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["C"].width = 70
    lines = [
        ("Hướng dẫn nhập chủ thể và sản phẩm OCOP",),
        ("Mỗi dòng của trang “Sản phẩm OCOP” là một sản phẩm kèm thông tin chủ thể của nó.",),
        ("Cột tô vàng là bắt buộc (Nhóm OCOP hoặc Ngành hàng: ít nhất một trong hai).",),
        ("Ngày ghi theo dạng dd/mm/yyyy, ví dụ 15/06/2023. Ngày hết hạn để trống = ngày cấp + 36 tháng.",),
        ("Giá ghi bằng số, đơn vị đồng (VNĐ), ví dụ 250000 hoặc 250.000.",),
        ("Tiêu chuẩn: nhiều tiêu chuẩn cách nhau bằng dấu phẩy, ví dụ “VietGAP, HACCP”.",),
        (
            "Nhập lại cùng tệp sẽ cập nhật, không tạo bản trùng: chủ thể nhận theo mã số thuế "
            "(hoặc tên + tỉnh), sản phẩm theo mã truy xuất (hoặc tên sản phẩm của chủ thể).",
        ),
        ("Ô để trống giữ nguyên giá trị đã có.",),
        (),
        ("Cột", "Mã (tiếng Anh)", "Ghi chú"),
    ]
    notes = {
        "producer_kind": "HTX, Hộ kinh doanh, Doanh nghiệp (Công ty)",
        "province": "Tên tỉnh/thành, có dấu hoặc không dấu",
        "ocop_group": "Một trong sáu nhóm (xem danh sách bên dưới)",
        "category": "Xem danh sách bên dưới",
        "stars": "1 đến 5",
        "certificate_date": "dd/mm/yyyy",
        "certificate_expiry": "dd/mm/yyyy; để trống = ngày cấp + 36 tháng",
        "standards": "VietGAP, GlobalGAP, Hữu cơ, HACCP, ISO 22000, ISO 9001",
        "capacity_unit": "Xem danh sách đơn vị bên dưới",
    }
    for column in COLUMNS:
        mark = "bắt buộc" if column.required else ""
        note = "; ".join(filter(None, [mark, notes.get(column.code, "")]))
        lines.append((column.header, column.code, note))
    ranges: dict[str, str] = {}

    def block(title: str, key: str, entries: list[tuple]) -> None:
        lines.append(())
        lines.append((title,))
        start = len(lines) + 1
        lines.extend(entries)
        ranges[key] = f"'Hướng dẫn'!$A${start}:$A${len(lines)}"

    block("Nhóm OCOP", "group", [(name, code) for code, name in GROUP_NAMES_VI.items()])
    block(
        "Ngành hàng",
        "category",
        [(name, code, GROUP_NAMES_VI[CATEGORIES[code][0]]) for code, name in CATEGORY_NAMES_VI.items()],
    )
    block("Loại hình", "kind", [(name, code) for code, name in KIND_NAMES_VI.items()])
    block("Tiêu chuẩn", "standard", [(name, code) for code, name in STANDARD_NAMES.items()])
    block("Đơn vị", "unit", [(name, code) for code, name in UNIT_NAMES_VI.items()])
    block("Tỉnh / thành phố", "province", [(name, code) for code, name in PROVINCES.items()])
    for row_number, line in enumerate(lines, start=1):
        for column_number, value in enumerate(line, start=1):
            guide.cell(row=row_number, column=column_number, value=safe_cell(value))
        if len(line) == 1:
            guide.cell(row=row_number, column=1).font = Font(bold=True)
    guide["A1"].font = Font(bold=True, size=14)

    # Drop-down lists on the data sheet; other spellings stay allowed (a warning, not a refusal).
    letters = {column.code: get_column_letter(i) for i, column in enumerate(TEMPLATE_COLUMNS, start=1)}
    for code, key in (
        ("ocop_group", "group"),
        ("category", "category"),
        ("producer_kind", "kind"),
        ("capacity_unit", "unit"),
        ("price_unit", "unit"),
        ("province", "province"),
    ):
        validation = DataValidation(type="list", formula1=ranges[key], allow_blank=True, errorStyle="warning")
        validation.add(f"{letters[code]}2:{letters[code]}2000")
        sheet.add_data_validation(validation)
    stars = DataValidation(type="whole", operator="between", formula1="1", formula2="5", allow_blank=True)
    stars.add(f"{letters['stars']}2:{letters['stars']}2000")
    sheet.add_data_validation(stars)

    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
