"""Stage 4 of an import: the confirmed write of every valid row, through the catalogue services.

Runs in the caller's transaction and only flushes, in chunks of rows. A row the services or
the database refuse raises `ImportWriteError`, which rolls the whole file back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.catalog import services
from app.catalog.imports.check import ImportReport, RowPlan
from app.catalog.imports.plan import ProducerGroup
from app.catalog.models import Organisation, Product
from app.database import savepoint
from app.errors import ServiceError
from app.extensions import db
from app.tasks import progress


class ImportWriteError(ServiceError):
    """A row the database refused while writing; the caller rolls everything back."""

    def __init__(self, row: int, message):
        super().__init__(
            _l(
                "Row %(row)s could not be written (%(reason)s). Nothing was imported.",
                row=row,
                reason=message,
            )
        )
        self.row = row


class _ImportActor:
    """Who the catalogue services see while an organiser's confirmed import writes.

    The organiser's right to import is checked before (`services.apply`); the services' own
    checks (an exhibitor edits only its organisation) stay as they are.
    """

    is_authenticated = True
    role = "admin"
    organisation_id = None

    def __init__(self, user):
        self.id = getattr(user, "id", None)


@dataclass
class ApplyResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    producers_created: int = 0
    producers_updated: int = 0
    skipped_rows: list = field(default_factory=list)


# Rows are written in chunks of whole producers, each chunk in one flush: on PostgreSQL a few
# statements a chunk (_number), not a few a row; the progress advances a chunk at a time.
CHUNK_ROWS = 500


def write_rows(report: ImportReport, actor) -> ApplyResult:
    """Write the valid rows of a checked and planned report; rows with errors are skipped and listed.

    The plan has already matched every row with the catalogue (existing producers and products,
    tax codes, names and traceability codes, all read at once), so the writes go through the
    catalogue services in bulk: no query per row. Each chunk is flushed inside a savepoint, so
    that a row the database refuses (a value another writer took since the check) can be
    named before everything is rolled back.
    """
    writer = _ImportActor(actor)
    result = ApplyResult(skipped_rows=[row.row for row in report.error_rows])
    result.skipped = len(result.skipped_rows)
    work = [(group, rows) for group in report.groups if (rows := [row for row in group.rows if row.valid])]
    progress.phase("rows", sum(len(rows) for _group, rows in work))
    organisations = _load(Organisation, {group.existing_id for group, _rows in work if group.existing_id})
    products = _load(
        Product, {row.existing_product_id for _group, rows in work for row in rows if row.existing_product_id}
    )
    chunk: list[tuple[ProducerGroup, list[RowPlan]]] = []
    size = 0
    for group, rows in work:
        chunk.append((group, rows))
        size += len(rows)
        if size >= CHUNK_ROWS:
            _write_chunk(chunk, writer, result, organisations, products)
            progress.advance(size)
            chunk, size = [], 0
    if chunk:
        _write_chunk(chunk, writer, result, organisations, products)
        progress.advance(size)
    return result


def _load(model, ids: set[int]) -> dict:
    """The rows of `model` with these ids, by id, read in a few queries (a product's standards too)."""
    found = {}
    ordered = sorted(ids)
    for start in range(0, len(ordered), 5000):
        batch = ordered[start : start + 5000]
        found.update((item.id, item) for item in db.session.scalars(select(model).where(model.id.in_(batch))))
    return found


def _write_chunk(chunk, writer, result: ApplyResult, organisations: dict, products: dict) -> None:
    counted = ApplyResult()
    try:
        with savepoint(db.session), db.session.no_autoflush:
            created = []
            for group, rows in chunk:
                organisation = _write_producer(group, writer, counted, organisations)
                if group.existing_id is None:
                    created.append(organisation)
                for row in rows:
                    product = _write_product(row, organisation, writer, counted, products)
                    if product is not None and row.existing_product_id is None:
                        created.append(product)
            _number(created)
            db.session.flush()
    except IntegrityError as error:
        raise ImportWriteError(_refused_row(chunk), _l("the database refused a duplicate")) from error
    for key in ("created", "updated", "unchanged", "producers_created", "producers_updated"):
        setattr(result, key, getattr(result, key) + getattr(counted, key))


def _number(created: list) -> None:
    """On PostgreSQL, give the new rows their ids from their sequences first (one query a
    table): the inserts then need no RETURNING, and the driver sends them as one prepared
    statement, pipelined, instead of building statements of a thousand rows of values."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    by_table: dict = {}
    for item in created:
        by_table.setdefault(type(item).__table__, []).append(item)
    for table, items in by_table.items():
        ids = db.session.scalars(
            text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {"table": table.name, "count": len(items)},
        ).all()
        for item, new_id in zip(items, ids, strict=True):
            item.id = new_id


def _write_producer(group: ProducerGroup, writer, result: ApplyResult, organisations: dict) -> Organisation:
    try:
        if group.existing_id is None:
            organisation = services.create_organisation(role="producer", bulk=True, **group.values)
            result.producers_created += 1
        else:
            organisation = organisations[group.existing_id]
            if group.changes:
                services.update_organisation(writer, organisation, bulk=True, **group.changes)
                result.producers_updated += 1
    except ServiceError as error:
        raise ImportWriteError(group.first_row, error.message) from error
    return organisation


def _write_product(
    row: RowPlan, organisation: Organisation, writer, result: ApplyResult, products: dict
) -> Product | None:
    try:
        if row.existing_product_id is None:
            result.created += 1
            return services.create_product(writer, organisation, bulk=True, **row.product_values)
        if row.product_values:
            result.updated += 1
            return services.update_product(
                writer, products[row.existing_product_id], bulk=True, **row.product_values
            )
        result.unchanged += 1
        return None
    except ServiceError as error:
        raise ImportWriteError(row.row, error.message) from error


def _refused_row(chunk) -> int:
    """The first row of a refused chunk whose unique value the catalogue already holds elsewhere
    (its savepoint rolled back, the catalogue reads as the database has it), else the chunk's first row."""
    clashes = []
    taxes = {group.values.get("tax_code"): group for group, _rows in chunk if group.values.get("tax_code")}
    if taxes:
        for org_id, tax_code in db.session.execute(
            select(Organisation.id, Organisation.tax_code).where(Organisation.tax_code.in_(taxes))
        ):
            if org_id != taxes[tax_code].existing_id:
                clashes.append(taxes[tax_code].first_row)
    rows = [row for _group, rows in chunk for row in rows]
    codes = {
        row.product_values["traceability_code"]: row
        for row in rows
        if row.product_values.get("traceability_code")
    }
    if codes:
        for product_id, code in db.session.execute(
            select(Product.id, Product.traceability_code).where(Product.traceability_code.in_(codes))
        ):
            if product_id != codes[code].existing_product_id:
                clashes.append(codes[code].row)
    names = {
        (row.group.existing_id, row.product_values["name_vi"]): row
        for row in rows
        if row.group.existing_id and row.product_values.get("name_vi")
    }
    if names:
        for product_id, org_id, name in db.session.execute(
            select(Product.id, Product.organisation_id, Product.name_vi).where(
                Product.organisation_id.in_({org_id for org_id, _name in names}),
                Product.name_vi.in_({name for _org_id, name in names}),
            )
        ):
            row = names.get((org_id, name))
            if row is not None and product_id != row.existing_product_id:
                clashes.append(row.row)
    return min(clashes, default=chunk[0][1][0].row)
