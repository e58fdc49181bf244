"""What the public event page reads: its approved exhibitors, a page at a time, searchable.

A national fair has 8,000 exhibitors and 16,000 products: the page never loads them all.
One page of exhibitors costs three statements whatever the event's size: the count of all
approved exhibitors, the page's exhibitors (with a search: with the total of those that
match, `count(*) OVER ()`, and no separate count), and the products they bring. Both read
only the columns the page shows (name, province; a product's names and stars), not whole
ORM objects: at 8,000 exhibitors, loading and counting twice was most of the page's time.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, exists, or_, select

from app.catalog.models import Organisation, Product
from app.catalog.services import certified_condition, today
from app.data.provinces import fold
from app.events.models import Event, Registration, RegistrationProduct
from app.events.services import approved_count
from app.extensions import db
from app.inputs import bounded_page
from app.names import pick as pick_name
from app.paging import counted_page, rows_and_total

EXHIBITORS_PER_PAGE = 30
MAX_EXHIBITORS_PER_PAGE = 60
MAX_SEARCH_WORDS = 8  # each word is one more condition: a pasted paragraph is cut, not run


@dataclass(frozen=True)
class ExhibitorQuery:
    """What the visitor asked: the search text (as typed), the page, and how many a page."""

    text: str = ""
    page: int = 1
    per_page: int = EXHIBITORS_PER_PAGE
    per_page_clamped: bool = False  # asked for more than MAX_EXHIBITORS_PER_PAGE

    @classmethod
    def of(cls, text: str | None, page: int | None, per_page: int | None) -> ExhibitorQuery:
        clamped = per_page is not None and per_page > MAX_EXHIBITORS_PER_PAGE
        if per_page is None or per_page < 1:
            per_page = EXHIBITORS_PER_PAGE
        return cls(
            text=(text or "").strip()[:200],
            page=bounded_page(page),
            per_page=min(per_page, MAX_EXHIBITORS_PER_PAGE),
            per_page_clamped=clamped,
        )

    @property
    def words(self) -> list[str]:
        return fold(self.text).split()[:MAX_SEARCH_WORDS]


@dataclass(frozen=True)
class ExhibitedProduct:
    id: int
    name: str  # in the visitor's language, else English, else Vietnamese
    stars: int
    lang: str = "vi"  # the language `name` is in


@dataclass(frozen=True)
class Exhibitor:
    """One line of the list: the organisation and the products it brings to the event."""

    registration_id: int
    organisation_id: int
    name: str
    province_code: str | None
    products: list[ExhibitedProduct]


def exhibitors_query(event: Event, words: list[str], *columns) -> Select:
    """The event's approved exhibitors whose name, place or one of whose products holds every word.

    The words are matched against the catalogue's folded search columns (no accents, lower
    case): Organisation.search_text (name, commune, address, province) and Product.search_text
    (names in three languages, traceability code) of the products the exhibitor brings.
    Selects `columns` (the Registration by default), in the order of the organisations' names.
    """
    query = (
        select(*(columns or (Registration,)))
        .select_from(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.event_id == event.id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
        )
    )
    for word in words:
        brings = exists().where(
            RegistrationProduct.registration_id == Registration.id,
            Product.id == RegistrationProduct.product_id,
            Product.search_text.contains(word, autoescape=True),
            certified_condition(today()),  # a hidden product doesn't find its exhibitor either
        )
        query = query.where(or_(Organisation.search_text.contains(word, autoescape=True), brings))
    return query.order_by(Organisation.name, Registration.id)


def _products_brought(registration_ids: list[int], locale: str) -> dict[int, list[ExhibitedProduct]]:
    """The certified products each registration brings (one statement), by registration, in id order."""
    if not registration_ids:
        return {}
    rows = db.session.execute(
        select(
            RegistrationProduct.registration_id,
            Product.id,
            Product.name_vi,
            Product.name_en,
            Product.name_fr,
            Product.stars,
        )
        .join(Product, Product.id == RegistrationProduct.product_id)
        .where(
            RegistrationProduct.registration_id.in_(registration_ids),
            # As in the catalogue: a product whose certificate is not verified and valid today
            # (pending, rejected, revoked, expired) is not shown to the public (issue 12).
            certified_condition(today()),
        )
        .order_by(RegistrationProduct.registration_id, Product.id)
    )
    brought: dict[int, list[ExhibitedProduct]] = {}
    for registration_id, product_id, name_vi, name_en, name_fr, stars in rows:
        name, lang = pick_name({"vi": name_vi, "en": name_en, "fr": name_fr}, locale)
        brought.setdefault(registration_id, []).append(ExhibitedProduct(product_id, name, stars, lang))
    return brought


def exhibitors_page(event: Event, asked: ExhibitorQuery, locale: str = "vi") -> Pagination:
    """One page of the event's approved exhibitors (a Flask-SQLAlchemy Pagination of
    `Exhibitor`s, with the total of all that match) in three statements whatever the fair's size."""
    query = exhibitors_query(
        event,
        asked.words,
        Registration.id,
        Organisation.id,
        Organisation.name,
        Organisation.province_code,
    )
    if asked.words:
        rows, total = rows_and_total(query, page=asked.page, per_page=asked.per_page)
    else:
        # Every approved exhibitor: counted from the registrations' index alone, while the page
        # walks the organisations' names index (ix_organisations_name) and stops after its rows
        # instead of sorting all 8,000 (a window count would make it read them all).
        total = approved_count(event, "exhibitor")
        offset = (bounded_page(asked.page) - 1) * asked.per_page
        rows = [tuple(row) for row in db.session.execute(query.limit(asked.per_page).offset(offset))]
    brought = _products_brought([row[0] for row in rows], locale)
    items = [
        Exhibitor(registration_id, organisation_id, name, province, brought.get(registration_id, []))
        for registration_id, organisation_id, name, province in rows
    ]
    return counted_page(items, total, page=asked.page, per_page=asked.per_page)
