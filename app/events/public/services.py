"""What the public event page reads: its approved exhibitors, a page at a time, searchable.

A national fair has 8,000 exhibitors and 16,000 products: the page never loads them all.
One page of exhibitors costs a fixed number of statements whatever the event's size: a
count, the page's registrations, and one batch each for their organisations and products.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import contains_eager, noload, selectinload

from app.catalog.models import Organisation, Product
from app.data.provinces import fold
from app.events.models import Event, Registration, RegistrationProduct
from app.extensions import db
from app.inputs import bounded_page

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


def exhibitors_query(event: Event, words: list[str]) -> Select:
    """The event's approved exhibitors whose name, place or one of whose products holds every word.

    The words are matched against the catalogue's folded search columns (no accents, lower
    case): Organisation.search_text (name, commune, address, province) and Product.search_text
    (names in three languages, traceability code) of the products the exhibitor brings.
    """
    query = (
        select(Registration)
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
        )
        query = query.where(or_(Organisation.search_text.contains(word, autoescape=True), brings))
    return query.order_by(Organisation.name, Registration.id)


def exhibitors_page(event: Event, asked: ExhibitorQuery):
    """One page of the event's approved exhibitors (a Flask-SQLAlchemy Pagination), each with
    its organisation and the products it brings loaded in one batch each."""
    query = exhibitors_query(event, asked.words).options(
        contains_eager(Registration.organisation),
        selectinload(Registration.product_rows).selectinload(RegistrationProduct.product),
        noload(Registration.demand_rows),  # an exhibitor brings products, not demand
    )
    return db.paginate(query, page=asked.page, per_page=asked.per_page, error_out=False, count=True)
