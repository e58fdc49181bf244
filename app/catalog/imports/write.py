"""Stage 4 of an import: the confirmed write of every valid row, through the catalogue services.

Runs in the caller's transaction and only flushes. A row the services or the database
refuse raises `ImportWriteError`, which rolls the whole file back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from app.catalog import services
from app.catalog.imports.check import ImportReport, RowPlan
from app.catalog.imports.plan import ProducerGroup
from app.catalog.models import Organisation, Product
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


def write_rows(report: ImportReport, actor) -> ApplyResult:
    """Write the valid rows of a checked and planned report; rows with errors are skipped and listed."""
    writer = _ImportActor(actor)
    result = ApplyResult(skipped_rows=[row.row for row in report.error_rows])
    result.skipped = len(result.skipped_rows)
    progress.phase("rows", sum(1 for group in report.groups for row in group.rows if row.valid))
    for group in report.groups:
        rows = [row for row in group.rows if row.valid]
        if not rows:
            continue
        organisation = _write_producer(group, writer, result)
        for row in rows:
            _write_product(row, organisation, writer, result)
            progress.advance()
    return result


def _write_producer(group: ProducerGroup, writer, result: ApplyResult) -> Organisation:
    try:
        if group.existing_id is None:
            organisation = services.create_organisation(role="producer", **group.values)
            result.producers_created += 1
        else:
            organisation = db.session.get(Organisation, group.existing_id)
            if group.changes:
                services.update_organisation(writer, organisation, **group.changes)
                result.producers_updated += 1
    except ServiceError as error:
        raise ImportWriteError(group.first_row, error.message) from error
    except IntegrityError as error:
        raise ImportWriteError(group.first_row, _l("the database refused a duplicate")) from error
    return organisation


def _write_product(row: RowPlan, organisation: Organisation, writer, result: ApplyResult) -> None:
    try:
        if row.existing_product_id is None:
            services.create_product(writer, organisation, **row.product_values)
            result.created += 1
        elif row.product_values:
            product = db.session.get(Product, row.existing_product_id)
            services.update_product(writer, product, **row.product_values)
            result.updated += 1
        else:
            result.unchanged += 1
    except ServiceError as error:
        raise ImportWriteError(row.row, error.message) from error
    except IntegrityError as error:
        raise ImportWriteError(row.row, _l("the database refused a duplicate")) from error
