"""Electronic booths: every approved exhibitor's page at an event, its products, visits, catalogue.

An electronic booth is created for each approved exhibitor registration, lazily
(`ensure_electronic_booths`, called by the pages) or at approval (`ensure_electronic_booth`,
on the `registration_approved` signal). The exhibitor's own users edit it; it is public
only once published. Visits are one counter per booth and day: no
address, no cookie, no user, nothing that tells one visitor from another.

QR codes (drawn by app.qrcodes) lead to absolute addresses, since they leave the site on paper:
- a physical booth: a stable address of the booth (`booths.booth_qr_target`) that sends the
  visitor on to the electronic booth of whoever holds the booth at scan time, so a sign
  printed before a late move or swap still leads to the right exhibitor;
- an electronic booth: its public page;
- a product: its traceability page (`/trace/<code>`), or its product page when it has no code.

Functions change objects and flush; the request, command or job commits once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.booths.models import (
    Booth,
    BoothAssignment,
    BoothVisit,
    ElectronicBooth,
    ElectronicBoothProduct,
)
from app.catalog.models import Organisation, Product, ProductStandard
from app.catalog.services import certified_condition
from app.catalog.services import today as catalog_today
from app.data.provinces import equivalent_codes, fold
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Hall, Registration, RegistrationProduct
from app.events.registrations.services import product_problem
from app.events.services import can_manage, to_local
from app.extensions import db
from app.inputs import parse_id
from app.signals import registration_approved

HEADLINE_LOCALES = ("vi", "en", "fr")
HEADLINE_MAX = 200
# How many days the exhibitor's visit chart shows.
STATS_DAYS = 14


@dataclass
class EboothFilters:
    """The online catalogue's filters; None means "any"."""

    text: str | None = None
    group: str | None = None
    province: str | None = None
    min_stars: int | None = None
    standard: str | None = None

    @property
    def active(self) -> bool:
        return any((self.text, self.group, self.province, self.min_stars, self.standard))


# ---------------------------------------------------------------- creating


def _default_product_ids(registration: Registration) -> list[int]:
    """The registration's products, best first (stars, then name)."""
    products = [row.product for row in registration.product_rows]
    products.sort(key=lambda p: (-p.stars, p.name_vi, p.id))
    return [p.id for p in products]


def _insert_if_missing(event_id: int, registration_id: int) -> int | None:
    """Insert the registration's booth unless it exists; the new id, or None when it existed.

    INSERT … ON CONFLICT DO NOTHING: two requests creating the same booth at the same
    moment can't both insert, and neither fails.
    """
    connection = db.session.connection()
    values = {"event_id": event_id, "registration_id": registration_id}
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        now = utcnow()
        statement = (
            insert(ElectronicBooth)
            # Phone and e-mail stay private until the exhibitor chooses to show them.
            .values(**values, show_phone=False, show_email=False, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["event_id", "registration_id"])
            .returning(ElectronicBooth.id)
        )
        return db.session.execute(statement).scalar()
    booth = ElectronicBooth(**values, show_phone=False, show_email=False)
    try:
        with db.session.begin_nested():
            db.session.add(booth)
    except IntegrityError:
        return None
    return booth.id


def _create_for(registration: Registration) -> ElectronicBooth | None:
    new_id = _insert_if_missing(registration.event_id, registration.id)
    if new_id is None:
        return None
    for position, product_id in enumerate(_default_product_ids(registration)):
        db.session.add(
            ElectronicBoothProduct(electronic_booth_id=new_id, product_id=product_id, position=position)
        )
    db.session.flush()
    return db.session.get(ElectronicBooth, new_id)


def ebooth_of_registration(registration: Registration) -> ElectronicBooth | None:
    return db.session.scalar(
        select(ElectronicBooth).where(
            ElectronicBooth.event_id == registration.event_id,
            ElectronicBooth.registration_id == registration.id,
        )
    )


def ensure_electronic_booth(registration: Registration) -> ElectronicBooth | None:
    """The approved exhibitor registration's electronic booth, created if missing; None otherwise.

    Call it when a registration is approved; the pages also call it, so nothing is lost
    if the caller forgets.
    """
    if registration.role != "exhibitor" or registration.status != "approved":
        return None
    existing = ebooth_of_registration(registration)
    if existing is not None:
        return existing
    return _create_for(registration) or ebooth_of_registration(registration)


@registration_approved.connect
def _open_electronic_booth(registration: Registration, **_extra) -> None:
    """Every approved exhibitor gets its electronic booth (unpublished until it publishes it).

    Idempotent (an existing booth is kept), so a second call for the same approval is harmless.
    """
    if registration.role == "exhibitor":
        ensure_electronic_booth(registration)


def ensure_electronic_booths(event: Event) -> int:
    """Give every approved exhibitor of `event` its electronic booth; how many were created.

    Idempotent: running it again (or at the same time in another process) creates nothing more.
    """
    missing = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
            ~select(ElectronicBooth.id)
            .where(ElectronicBooth.registration_id == Registration.id)
            .correlate(Registration)
            .exists(),
        )
        .options(selectinload(Registration.product_rows).selectinload(RegistrationProduct.product))
        .order_by(Registration.id)
    ).all()
    return sum(1 for registration in missing if _create_for(registration) is not None)


# ---------------------------------------------------------------- permissions and visibility


def can_edit(actor, ebooth: ElectronicBooth) -> bool:
    """The exhibitor organisation's own users edit its electronic booth; nobody else."""
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.organisation_id is not None
        and actor.organisation_id == ebooth.registration.organisation_id
    )


def ensure_can_edit(actor, ebooth: ElectronicBooth) -> None:
    if not can_edit(actor, ebooth):
        raise PermissionDenied


def can_preview(actor, ebooth: ElectronicBooth) -> bool:
    """Its exhibitor and the event's organisers see the page before it is published."""
    return can_edit(actor, ebooth) or can_manage(actor, ebooth.registration.event)


def is_public(ebooth: ElectronicBooth) -> bool:
    """Shown to everyone: published, its exhibitor still approved, the event not a draft."""
    registration = ebooth.registration
    return (
        ebooth.published
        and registration.status == "approved"
        and registration.role == "exhibitor"
        and registration.event.state != "draft"
    )


def can_view(actor, ebooth: ElectronicBooth) -> bool:
    return is_public(ebooth) or can_preview(actor, ebooth)


def own_ebooth(actor, event: Event) -> ElectronicBooth | None:
    """The actor's organisation's electronic booth at `event`, if it is an approved exhibitor there."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.organisation_id is None:
        return None
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.organisation_id == actor.organisation_id,
            Registration.role == "exhibitor",
        )
    )
    return ensure_electronic_booth(registration) if registration is not None else None


# ---------------------------------------------------------------- editing


def headline_in(ebooth: ElectronicBooth, locale: str) -> str | None:
    """The headline in `locale`, else in Vietnamese, else in any language written."""
    candidates = [getattr(ebooth, f"headline_{locale}", None), ebooth.headline_vi]
    candidates += [getattr(ebooth, f"headline_{code}") for code in HEADLINE_LOCALES]
    return next((text for text in candidates if text), None)


def _clean(value: str | None) -> str | None:
    value = " ".join((value or "").split())
    return value or None


def _ids(values: Iterable) -> list[int]:
    ids: list[int] = []
    for value in values or ():
        number = parse_id(value)
        if number is None:
            raise ServiceError(_l("Choose only your organisation's own products."), "products")
        if number not in ids:
            ids.append(number)
    return ids


def choosable_products(ebooth: ElectronicBooth) -> list[tuple[Product, object, int | None]]:
    """The exhibitor's products for the edit form: (product, why it can't be shown or None, position)."""
    registration = ebooth.registration
    positions = {row.product_id: row.position for row in ebooth.product_rows}
    products = db.session.scalars(
        select(Product)
        .where(Product.organisation_id == registration.organisation_id)
        .order_by(Product.name_vi)
    ).all()
    chosen = sorted((p for p in products if p.id in positions), key=lambda p: (positions[p.id], p.id))
    others = [p for p in products if p.id not in positions]
    return [
        (product, product_problem(product, registration.event), positions.get(product.id))
        for product in chosen + others
    ]


def update_electronic_booth(
    actor,
    ebooth: ElectronicBooth,
    *,
    headlines: dict[str, str | None],
    product_ids: Sequence,
    show_phone: bool,
    show_email: bool,
) -> ElectronicBooth:
    """The exhibitor sets its headline (vi/en/fr), its products in order, and which contacts are public.

    Only the organisation's own products with an OCOP certificate valid through the event.
    """
    ensure_can_edit(actor, ebooth)
    registration = ebooth.registration
    if registration.status != "approved":
        raise ServiceError(_l("Only an approved exhibitor has an electronic booth."))
    cleaned = {code: _clean(headlines.get(code)) for code in HEADLINE_LOCALES}
    for code, text in cleaned.items():
        if text and len(text) > HEADLINE_MAX:
            raise ServiceError(
                _l("A headline has at most %(max)d characters.", max=HEADLINE_MAX), f"headline_{code}"
            )
    ids = _ids(product_ids)
    products = (
        {p.id: p for p in db.session.scalars(select(Product).where(Product.id.in_(ids)))} if ids else {}
    )
    if len(products) != len(ids) or any(
        p.organisation_id != registration.organisation_id for p in products.values()
    ):
        raise ServiceError(_l("Choose only your organisation's own products."), "products")
    for product_id in ids:
        problem = product_problem(products[product_id], registration.event)
        if problem:
            raise ServiceError(problem, "products")
    for code, text in cleaned.items():
        setattr(ebooth, f"headline_{code}", text)
    ebooth.show_phone = bool(show_phone)
    ebooth.show_email = bool(show_email)
    # Keep the rows that stay (their primary key is the product), drop the others, add the new.
    existing = {row.product_id: row for row in ebooth.product_rows}
    rows = []
    for position, product_id in enumerate(ids):
        row = existing.get(product_id) or ElectronicBoothProduct(product_id=product_id)
        row.position = position
        rows.append(row)
    ebooth.product_rows = rows
    ebooth.updated_at = utcnow()
    db.session.flush()
    db.session.refresh(ebooth, ["product_rows"])
    return ebooth


def set_published(actor, ebooth: ElectronicBooth, published: bool) -> ElectronicBooth:
    """The exhibitor publishes its electronic booth, or takes it off line again."""
    ensure_can_edit(actor, ebooth)
    if published and ebooth.registration.status != "approved":
        raise ServiceError(_l("Only an approved exhibitor has an electronic booth."))
    ebooth.published = bool(published)
    ebooth.updated_at = utcnow()
    db.session.flush()
    return ebooth


# ---------------------------------------------------------------- what the page shows


def shown_products(ebooth: ElectronicBooth) -> list[Product]:
    return [row.product for row in ebooth.product_rows]


def public_contact(ebooth: ElectronicBooth) -> dict[str, str]:
    """Only the contacts the exhibitor made public (the address and website are the business's own)."""
    organisation = ebooth.registration.organisation
    contact: dict[str, str] = {}
    if organisation.address:
        contact["address"] = organisation.address
    if organisation.website:
        contact["website"] = organisation.website
    if ebooth.show_phone and organisation.phone:
        contact["phone"] = organisation.phone
    if ebooth.show_email and organisation.email:
        contact["email"] = organisation.email
    if ("phone" in contact or "email" in contact) and organisation.contact_name:
        contact["contact_name"] = organisation.contact_name
    return contact


def _active_assignments(registration_ids: Iterable[int]) -> Select:
    return (
        select(BoothAssignment)
        .where(
            BoothAssignment.registration_id.in_(list(registration_ids)), BoothAssignment.status != "cancelled"
        )
        .options(selectinload(BoothAssignment.booth).selectinload(Booth.hall))
    )


def published_by_registration(event: Event) -> dict[int, ElectronicBooth]:
    """registration id -> its published electronic booth at `event` (links from the public plan)."""
    return {
        e.registration_id: e
        for e in db.session.scalars(
            select(ElectronicBooth).where(ElectronicBooth.event_id == event.id, ElectronicBooth.published)
        )
    }


def physical_booths(registration_ids: Iterable[int]) -> dict[int, Booth]:
    """registration id -> the physical booth it holds (an active assignment), for those that hold one."""
    ids = list(registration_ids)
    if not ids:
        return {}
    return {a.registration_id: a.booth for a in db.session.scalars(_active_assignments(ids))}


def physical_booth(ebooth: ElectronicBooth) -> Booth | None:
    return physical_booths([ebooth.registration_id]).get(ebooth.registration_id)


def holder_of(booth: Booth) -> Registration | None:
    """The registration holding `booth` now (its active assignment), if any."""
    return db.session.scalar(
        select(Registration)
        .join(BoothAssignment, BoothAssignment.registration_id == Registration.id)
        .where(BoothAssignment.booth_id == booth.id, BoothAssignment.status != "cancelled")
    )


def ebooth_of_booth(booth: Booth) -> ElectronicBooth | None:
    """The electronic booth of whoever holds the physical `booth` now."""
    registration = holder_of(booth)
    return ensure_electronic_booth(registration) if registration is not None else None


def _natural_key(code: str) -> list:
    """ "A-2" before "A-10"."""
    return [int(part) if part.isdigit() else part.lower() for part in re.split(r"(\d+)", code)]


def hall_signs(hall: Hall) -> list[tuple[Booth, Registration | None]]:
    """Every booth of the hall that is not blocked, in code order, with whoever holds it."""
    booths = db.session.scalars(select(Booth).where(Booth.hall_id == hall.id, Booth.blocked.is_(False))).all()
    holders = dict(
        db.session.execute(
            select(BoothAssignment.booth_id, Registration)
            .join(Registration, Registration.id == BoothAssignment.registration_id)
            .where(BoothAssignment.event_id == hall.event_id, BoothAssignment.status != "cancelled")
            .options(selectinload(Registration.organisation))
        )
        .tuples()
        .all()
    )
    return [(booth, holders.get(booth.id)) for booth in sorted(booths, key=lambda b: _natural_key(b.code))]


def product_by_traceability_code(code: str) -> Product | None:
    return db.session.scalar(select(Product).where(Product.traceability_code == code))


# ---------------------------------------------------------------- visits


def record_visit(ebooth: ElectronicBooth | int, day: date) -> None:
    """Count one visit of the booth on `day`: one atomic UPDATE … count + 1, the row inserted if missing.

    INSERT … ON CONFLICT DO UPDATE SET count = booth_visits.count + 1 is one statement on
    SQLite and PostgreSQL, so concurrent visits never lose a count nor fail on the first
    visit of a day. Nothing about the visitor is stored.
    """
    ebooth_id = ebooth if isinstance(ebooth, int) else ebooth.id
    connection = db.session.connection()
    dialect = connection.dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = (
            insert(BoothVisit)
            .values(electronic_booth_id=ebooth_id, day=day, count=1)
            .on_conflict_do_update(
                index_elements=["electronic_booth_id", "day"], set_={"count": BoothVisit.count + 1}
            )
        )
        db.session.execute(statement)
        return
    increment = (
        update(BoothVisit)
        .where(BoothVisit.electronic_booth_id == ebooth_id, BoothVisit.day == day)
        .values(count=BoothVisit.count + 1)
    )
    if db.session.execute(increment).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(BoothVisit(electronic_booth_id=ebooth_id, day=day, count=1))
    except IntegrityError:  # another visit inserted the day's row first
        db.session.execute(increment)


def visit_day(event: Event) -> date:
    """Today in the event's time zone: the day a visit now is counted on."""
    return to_local(event, utcnow()).date()


def visits_by_day(ebooth: ElectronicBooth, last: date, days: int = STATS_DAYS) -> list[tuple[date, int]]:
    """The visits of each of the `days` days ending with `last`, days without a visit as 0."""
    first = last - timedelta(days=days - 1)
    counts = dict(
        db.session.execute(
            select(BoothVisit.day, BoothVisit.count).where(
                BoothVisit.electronic_booth_id == ebooth.id, BoothVisit.day.between(first, last)
            )
        )
        .tuples()
        .all()
    )
    return [(first + timedelta(days=n), counts.get(first + timedelta(days=n), 0)) for n in range(days)]


def total_visits(ebooth: ElectronicBooth) -> int:
    return db.session.scalar(
        select(func.coalesce(func.sum(BoothVisit.count), 0)).where(
            BoothVisit.electronic_booth_id == ebooth.id
        )
    )


# ---------------------------------------------------------------- the online catalogue


def _shown_product_exists(*conditions) -> object:
    """There is a product shown in the (outer) booth meeting all `conditions`."""
    return (
        select(literal(1))
        .select_from(ElectronicBoothProduct)
        .join(Product, Product.id == ElectronicBoothProduct.product_id)
        .where(ElectronicBoothProduct.electronic_booth_id == ElectronicBooth.id, *conditions)
        .correlate(ElectronicBooth)
        .exists()
    )


def public_ebooths_condition(event: Event):
    return and_(
        ElectronicBooth.event_id == event.id,
        ElectronicBooth.published.is_(True),
        Registration.status == "approved",
        Registration.role == "exhibitor",
    )


def catalogue_query(event: Event, filters: EboothFilters) -> Select:
    """The published electronic booths of `event` matching the filters, by exhibitor name.

    Group, stars and standard are asked of one and the same shown product ("a 4-star
    tea with VietGAP"); each word of the text must appear, without accents, in the
    exhibitor's name or in the name of one of its shown products.
    """
    query = (
        select(ElectronicBooth)
        .join(Registration, Registration.id == ElectronicBooth.registration_id)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(public_ebooths_condition(event))
        .options(
            selectinload(ElectronicBooth.registration).selectinload(Registration.organisation),
            selectinload(ElectronicBooth.product_rows).selectinload(ElectronicBoothProduct.product),
        )
    )
    if filters.province:  # every earlier code of the (current) province asked for
        query = query.where(Organisation.province_code.in_(equivalent_codes(filters.province)))
    product_conditions = []
    if filters.group:
        product_conditions.append(Product.ocop_group == filters.group)
    if filters.min_stars:
        # Stars count only where an organiser verified a certificate still valid today: a
        # declared, pending, rejected or expired rating is not a star rating (issue 12).
        product_conditions.append(Product.stars >= filters.min_stars)
        product_conditions.append(certified_condition(catalog_today()))
    if filters.standard:
        product_conditions.append(
            select(literal(1))
            .where(ProductStandard.product_id == Product.id, ProductStandard.standard == filters.standard)
            .correlate(Product)
            .exists()
        )
    if product_conditions:
        query = query.where(_shown_product_exists(*product_conditions))
    for word in fold(filters.text or "").split():
        query = query.where(
            or_(
                Organisation.search_text.contains(word, autoescape=True),
                _shown_product_exists(Product.search_text.contains(word, autoescape=True)),
            )
        )
    return query.order_by(Organisation.name, ElectronicBooth.id)


def catalogue_provinces(event: Event) -> list[str]:
    """The provinces the event's published booths come from, for the filter menu."""
    return list(
        db.session.scalars(
            select(Organisation.province_code)
            .join(Registration, Registration.organisation_id == Organisation.id)
            .join(ElectronicBooth, ElectronicBooth.registration_id == Registration.id)
            .where(public_ebooths_condition(event))
            .distinct()
        )
    )


# ---------------------------------------------------------------- what each QR code carries


def ebooth_url(ebooth: ElectronicBooth) -> str:
    """The electronic booth's public page."""
    event = db.session.get(Event, ebooth.event_id)
    return url_for("booths.ebooth_page", slug=event.slug, ebooth_id=ebooth.id, _external=True)


def booth_url(booth: Booth) -> str:
    """The physical booth's stable address, which sends the visitor to its exhibitor's electronic booth."""
    event = db.session.get(Event, booth.event_id)
    return url_for("booths.booth_qr_target", slug=event.slug, booth_id=booth.id, _external=True)


def product_url(product: Product) -> str:
    """The product's traceability page (its product page when it has no traceability code)."""
    if product.traceability_code:
        return url_for("booths.trace", code=product.traceability_code, _external=True)
    return url_for("catalog.product", product_id=product.id, _external=True)
