"""Stage 3 of an import: what each checked row will create, update or leave unchanged.

Rows naming the same producer are grouped; each group and each product is matched with
what the catalogue already holds (a producer by tax code, else name and province; a
product by traceability code, else producer and Vietnamese name), the merged values are
validated by the catalogue services' own rules, and the changes are listed. Reads the
database, writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.catalog import services
from app.catalog.imports.check import (
    COLUMN_OF_FIELD,
    KIND_NAMES_VI,
    ImportReport,
    kind_from_name,
    report_error,
    report_field_error,
)
from app.catalog.models import Organisation, Product
from app.data.provinces import PROVINCES, current_code, equivalent_codes, fold
from app.extensions import db


@dataclass
class ProducerGroup:
    """The rows of one producer, with the producer's values merged from them."""

    first_row: int
    name_key: tuple[str, str]
    tax_code: str | None = None
    values: dict = field(default_factory=dict)
    source_row: dict = field(default_factory=dict)
    rows: list = field(default_factory=list)
    existing_id: int | None = None
    existing: Organisation | None = None  # the catalogue's row, as _match_producers read it
    changes: dict = field(default_factory=dict)
    has_errors: bool = False

    @property
    def name(self) -> str:
        return self.values.get("name", "")

    @property
    def action(self) -> str:
        if self.existing_id is None:
            return "create"
        return "update" if self.changes else "unchanged"


def plan_report(report: ImportReport) -> None:
    groups = _group_producers(report)
    _match_producers(report, groups)
    _merge_and_validate_producers(report, groups)
    _plan_products(report)
    report.groups = groups


def _group_producers(report: ImportReport) -> list[ProducerGroup]:
    """Rows naming the same producer (same tax code, or same name and province) share a group.

    A province is its current one: "Bắc Giang" and "Bắc Ninh" rows of one name are one producer."""
    groups: list[ProducerGroup] = []
    by_tax: dict[str, ProducerGroup] = {}
    by_name: dict[tuple[str, str], ProducerGroup] = {}
    for plan in report.rows:
        name = plan.producer.get("name")
        if not name:
            if "name" not in plan.producer and not plan.producer_error:
                report_field_error(report, plan, "name", _l("The name is required."))
            plan.producer_error = True
            continue
        tax = plan.producer.get("tax_code")
        province = str(plan.producer.get("province_code", ""))
        name_key = (fold(name), current_code(province) or fold(province))
        group = by_tax.get(tax) if tax else None
        if group is None:
            candidate = by_name.get(name_key)
            if candidate is not None and (not tax or candidate.tax_code in (None, tax)):
                group = candidate
        if group is None:
            group = ProducerGroup(first_row=plan.row, name_key=name_key)
            groups.append(group)
        if tax and group.tax_code is None:
            group.tax_code = tax
            by_tax[tax] = group
        by_name.setdefault(name_key, group)
        group.rows.append(plan)
        plan.group = group
    return groups


def _match_producers(report: ImportReport, groups: list[ProducerGroup]) -> None:
    """Find each group's organisation already in the catalogue, if any."""
    taxes = {group.tax_code for group in groups if group.tax_code}
    by_tax = {}
    if taxes:
        by_tax = {
            org.tax_code: org
            for org in db.session.scalars(
                select(Organisation)
                .where(Organisation.tax_code.in_(taxes))
                .execution_options(populate_existing=True)  # read fresh even if the session has it
            )
        }
    # Producers recorded under either name of a row's current province are candidates.
    named = {group.rows[0].producer.get("province_code") for group in groups} & set(PROVINCES)
    codes = {code for province in named for code in equivalent_codes(province)}
    by_name: dict[tuple[str, str | None], list[Organisation]] = {}
    if codes:
        producers = db.session.scalars(
            select(Organisation)
            .where(Organisation.role == "producer", Organisation.province_code.in_(codes))
            .order_by(Organisation.id)
            .execution_options(populate_existing=True)
        )
        for org in producers:
            by_name.setdefault((fold(org.name), current_code(org.province_code)), []).append(org)
    claimed: set[int] = set()
    for group in groups:
        first = group.rows[0]
        org = by_tax.get(group.tax_code) if group.tax_code else None
        if org is not None and not org.is_producer:
            report_field_error(
                report, first, "tax_code", _l("Another organisation already has this tax code.")
            )
            first.producer_error = True
            continue
        if org is None:
            key = (group.name_key[0], current_code(first.producer.get("province_code")))
            for candidate in by_name.get(key, []):
                # A namesake with another tax code, or one an earlier group took, is someone else.
                if candidate.id not in claimed and candidate.tax_code in (None, group.tax_code):
                    org = candidate
                    break
        if org is not None:
            claimed.add(org.id)
            group.existing_id = org.id
            group.existing = org


def _same(a, b, key: str = "") -> bool:
    if key == "province_code" and current_code(a) and current_code(a) == current_code(b):
        return True  # either name of one province (Bắc Giang, now Bắc Ninh): the record keeps its own
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, int | float | Decimal) and isinstance(b, int | float | Decimal):
        return float(a) == float(b)
    return a == b


def _merge_and_validate_producers(report: ImportReport, groups: list[ProducerGroup]) -> None:
    for group in groups:
        for plan in group.rows:
            for key, value in plan.producer.items():
                if key not in group.values:
                    group.values[key] = value
                    group.source_row[key] = plan
                    continue
                earlier = group.values[key]
                equal = fold(earlier) == fold(value) if key == "name" else _same(earlier, value, key)
                if not equal:
                    report_field_error(
                        report,
                        plan,
                        key,
                        _l(
                            "Row %(row)s gives this producer another value: “%(value)s”.",
                            row=group.source_row[key].row,
                            value=_shown(key, earlier),
                        ),
                    )
                    plan.producer_error = True
        existing = group.existing
        current = {key: getattr(existing, key) for key in services.ORGANISATION_FIELDS} if existing else {}
        if not group.values.get("producer_kind") and not current.get("producer_kind"):
            inferred = kind_from_name(group.name)
            if inferred:
                group.values["producer_kind"] = inferred
                group.source_row["producer_kind"] = group.source_row.get("name", group.rows[0])
        merged = {key: value for key, value in current.items() if value is not None} | group.values
        for error in services.validate_organisation("producer", merged):
            plan = group.source_row.get(error.field, group.rows[0])
            report_field_error(report, plan, error.field or "name", error.message)
            plan.producer_error = True
        if existing is not None:
            group.changes = {
                key: value
                for key, value in group.values.items()
                if not _same(getattr(existing, key), value, key)
            }
        bad = [plan for plan in group.rows if plan.producer_error]
        group.has_errors = bool(bad)
        for plan in group.rows:
            if bad and not plan.producer_error:
                report_error(
                    report,
                    plan,
                    "producer_name",
                    _l("The producer's details in row %(row)s have errors.", row=bad[0].row),
                )


def _shown(key: str, value) -> str:
    if key == "province_code":
        return PROVINCES.get(value, value)
    if key == "producer_kind":
        return KIND_NAMES_VI.get(value, value)
    return str(value)


def _existing_products(report: ImportReport) -> tuple[dict, dict]:
    org_ids = {plan.group.existing_id for plan in report.rows if plan.group and plan.group.existing_id}
    codes = {
        plan.product["traceability_code"] for plan in report.rows if plan.product.get("traceability_code")
    }
    by_name: dict[tuple[int, str], Product] = {}
    if org_ids:
        for product in db.session.scalars(
            select(Product).where(Product.organisation_id.in_(org_ids)).order_by(Product.id)
        ):
            by_name.setdefault((product.organisation_id, fold(product.name_vi)), product)
    by_code = {}
    if codes:
        by_code = {
            product.traceability_code: product
            for product in db.session.scalars(select(Product).where(Product.traceability_code.in_(codes)))
        }
    return by_name, by_code


def _product_snapshot(product: Product) -> dict:
    return {key: getattr(product, key) for key in services.PRODUCT_FIELDS} | {"standards": product.standards}


def _gtin_owners(report: ImportReport) -> dict[str, int]:
    """The products already holding the file's GTINs, by GTIN."""
    gtins = {plan.product["gtin"] for plan in report.rows if plan.product.get("gtin")}
    if not gtins:
        return {}
    return dict(db.session.execute(select(Product.gtin, Product.id).where(Product.gtin.in_(gtins))).all())


def _plan_products(report: ImportReport) -> None:
    by_name, by_code = _existing_products(report)
    gtin_owners = _gtin_owners(report)
    seen_gtin: dict[str, int] = {}
    seen_name: dict[tuple[int, str], int] = {}
    seen_code: dict[str, int] = {}
    seen_product: dict[int, int] = {}
    for plan in report.rows:
        given = dict(plan.product)
        name = given.get("name_vi")
        code = given.get("traceability_code")
        org_id = plan.group.existing_id if plan.group else None

        # The same product twice in the file: only the first row counts.
        group_key = id(plan.group) if plan.group else -plan.row
        repeat = None
        if name and (group_key, fold(name)) in seen_name:
            repeat = ("product_name_vi", seen_name[(group_key, fold(name))])
        elif code and code in seen_code:
            repeat = ("traceability_code", seen_code[code])
        if name:
            seen_name.setdefault((group_key, fold(name)), plan.row)
        if code:
            seen_code.setdefault(code, plan.row)

        existing = None
        if code and code in by_code:
            existing = by_code[code]
            if existing.organisation_id != org_id:
                report_field_error(
                    report,
                    plan,
                    "traceability_code",
                    _l("Another product already uses this traceability code."),
                )
                existing = None
        if existing is None and org_id is not None and name:
            existing = by_name.get((org_id, fold(name)))
        if existing is not None and repeat is None and existing.id in seen_product:
            repeat = ("product_name_vi", seen_product[existing.id])
        if repeat:
            report_error(report, plan, repeat[0], _l("Repeats row %(row)s.", row=repeat[1]))
        if existing is not None:
            seen_product.setdefault(existing.id, plan.row)
            if name and fold(name) != fold(existing.name_vi):
                clash = by_name.get((org_id, fold(name)))
                if clash is not None and clash.id != existing.id:
                    report_field_error(
                        report,
                        plan,
                        "name_vi",
                        _l("This producer already has another product with this name."),
                    )

        # A GTIN belongs to one product: not another one in the catalogue, nor another row.
        gtin = given.get("gtin")
        if gtin:
            owner = gtin_owners.get(gtin)
            if owner is not None and (existing is None or owner != existing.id):
                report_field_error(report, plan, "gtin", _l("Another product already has this GTIN barcode."))
            elif gtin in seen_gtin and repeat is None:
                report_error(report, plan, "gtin", _l("Repeats row %(row)s.", row=seen_gtin[gtin]))
            seen_gtin.setdefault(gtin, plan.row)

        # The expiry: as given; else kept when the certificate date is unchanged; else 36 months.
        issued = given.get("certificate_date")
        if isinstance(issued, date) and not given.get("certificate_expiry"):
            if existing is not None and existing.certificate_date == issued:
                given["certificate_expiry"] = existing.certificate_expiry
            else:
                given["certificate_expiry"] = services.default_expiry(issued)

        current = _product_snapshot(existing) if existing is not None else {}
        merged = {key: value for key, value in current.items() if value is not None} | given
        values = services._normalise_product_values(merged)
        for error in services.validate_product(values):
            if error.field not in plan.unreadable:
                report_field_error(report, plan, error.field or "name_vi", error.message)

        if existing is None:
            plan.product_values = given
            plan.product_action = "create"
        else:
            plan.existing_product_id = existing.id
            changes = {}
            for key, value in given.items():
                before = current.get(key)
                same = sorted(before or []) == sorted(value) if key == "standards" else _same(before, value)
                if not same:
                    changes[key] = value
            plan.product_values = changes
            plan.product_action = "update" if changes else "unchanged"
            plan.changed_columns = [report.header(COLUMN_OF_FIELD[key]) for key in changes]
