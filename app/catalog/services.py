"""Catalogue operations: organisations, OCOP products, buyer demand, search.

Functions change objects and flush; the request, command or job commits once.
"""

from __future__ import annotations

import calendar
import io
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session, contains_eager, load_only, noload, selectinload

from app import clock
from app.accounts import services as accounts
from app.accounts.models import User
from app.catalog import gtin as gtin_codes
from app.catalog.models import (
    DemandLine,
    DemandProvince,
    DemandStandard,
    Organisation,
    Product,
    ProductStandard,
)
from app.data.provinces import PROVINCES, current_code, current_province_name, equivalent_codes, fold
from app.data.vocab import (
    BUYER_TYPES,
    CATEGORIES,
    CERTIFICATE_VALID_MONTHS,
    CERTIFIED_MIN_STARS,
    OCOP_GROUPS,
    PRODUCER_KINDS,
    STANDARDS,
    UNITS,
)
from app.database import unlink_after_commit, unlink_after_rollback
from app.errors import PermissionDenied, ServiceError
from app.extensions import db
from app.names import fallback_order
from app.paging import counted_page, rows_and_total

ORGANISATION_FIELDS = (
    "name",
    "producer_kind",
    "buyer_type",
    "province_code",
    "commune",
    "address",
    "contact_name",
    "phone",
    "email",
    "website",
    "tax_code",
    "description",
)
PRODUCT_FIELDS = (
    "name_vi",
    "name_en",
    "name_fr",
    "description_vi",
    "description_en",
    "description_fr",
    "ocop_group",
    "category",
    "stars",
    "certificate_date",
    "certificate_expiry",
    "capacity_per_month",
    "capacity_unit",
    "price_min",
    "price_max",
    "price_unit",
    "traceability_code",
    "gtin",
    "certificate_number",
    "certificate_level",
)
# What the certificate says: changing any of these after an organiser verified it sends it
# back to the verification queue.
CERTIFICATE_FACTS = (
    "stars",
    "certificate_date",
    "certificate_expiry",
    "certificate_number",
    "certificate_level",
)
CERTIFICATE_LEVELS = {"province": _l("Province"), "national": _l("National")}
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
PHOTO_MAX_SIDE = 1600
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def today() -> date:
    """Today in Vietnam, where certificates are issued and expire (not the server's own clock)."""
    return clock.today()


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def default_expiry(certificate_date: date) -> date:
    """An OCOP certificate is valid 36 months from its date."""
    return add_months(certificate_date, CERTIFICATE_VALID_MONTHS)


# ---------------------------------------------------------------- permissions


def can_edit_organisation(actor, organisation: Organisation) -> bool:
    if actor is None or not actor.is_authenticated:
        return False
    if actor.role == "admin":
        return True
    return actor.organisation_id is not None and actor.organisation_id == organisation.id


def ensure_can_edit_organisation(actor, organisation: Organisation) -> None:
    if not can_edit_organisation(actor, organisation):
        raise PermissionDenied


def can_see_contacts(actor, organisation: Organisation) -> bool:
    """Contact details are for organisers and the organisation's own users; exhibitors publish
    theirs on their electronic booths when they choose to."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.role in ("organiser", "admin") or actor.organisation_id == organisation.id


def can_see_organisation(actor, organisation: Organisation) -> bool:
    """Producer pages are public; a buyer's page is for logged-in professionals only."""
    if organisation.is_producer:
        return True
    return actor is not None and actor.is_authenticated


# ---------------------------------------------------------------- organisations


def _clean(value):
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


def validate_organisation(role: str, values: dict) -> list[ServiceError]:
    errors = []
    if not values.get("name"):
        errors.append(ServiceError(_l("The name is required."), "name"))
    if values.get("province_code") not in PROVINCES:
        errors.append(ServiceError(_l("Unknown province."), "province_code"))
    if role == "producer" and values.get("producer_kind") not in PRODUCER_KINDS:
        errors.append(
            ServiceError(_l("Choose cooperative, household business or enterprise."), "producer_kind")
        )
    if role == "buyer" and values.get("buyer_type") not in BUYER_TYPES:
        errors.append(ServiceError(_l("Unknown type of buyer."), "buyer_type"))
    website = values.get("website")
    if website:
        parts = urlsplit(website)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            errors.append(ServiceError(_l("Give the full address, starting with https://."), "website"))
    tax_code = values.get("tax_code")
    if tax_code and not (tax_code.replace("-", "").isdigit() and 10 <= len(tax_code) <= 14):
        errors.append(
            ServiceError(_l("A tax code has 10 digits (or 10 digits, a dash and 3 more)."), "tax_code")
        )
    return errors


def organisation_search_text(name, commune, address, province_code) -> str:
    """What the directory's search looks in: the name and where it is, folded. The place
    holds the province the record names and, when it has another name, the current one it
    is now part of, so "Bắc Ninh" finds the producers recorded in Bắc Giang."""
    earlier = PROVINCES.get(province_code, "")
    current = current_province_name(province_code) if province_code in PROVINCES else ""
    places = [earlier] if fold(current) == fold(earlier) else [earlier, current]
    return fold(" ".join(filter(None, [name, commune, address, *places])))


def _refresh_organisation_search(organisation: Organisation) -> None:
    organisation.search_text = organisation_search_text(
        organisation.name, organisation.commune, organisation.address, organisation.province_code
    )


def _raise_first(errors: list[ServiceError]) -> None:
    if errors:
        raise errors[0]


def _check_tax_code_free(tax_code: str | None, own_id: int | None) -> None:
    if not tax_code:
        return
    other = db.session.scalar(select(Organisation.id).where(Organisation.tax_code == tax_code))
    if other is not None and other != own_id:
        raise ServiceError(_l("Another organisation already has this tax code."), "tax_code")


# `bulk=True`: one of many written together (an import). The caller has checked the unique
# values (tax code; a product's name and traceability code) against the catalogue for all of
# them at once, and flushes them together; the database's constraints still hold.


def create_organisation(*, role: str, bulk: bool = False, **fields) -> Organisation:
    values = {key: _clean(fields.get(key)) for key in ORGANISATION_FIELDS}
    _raise_first(validate_organisation(role, values))
    if not bulk:
        _check_tax_code_free(values.get("tax_code"), None)
    organisation = Organisation(role=role, **values)
    _refresh_organisation_search(organisation)
    db.session.add(organisation)
    if not bulk:
        db.session.flush()
    return organisation


def update_organisation(actor, organisation: Organisation, *, bulk: bool = False, **fields) -> Organisation:
    ensure_can_edit_organisation(actor, organisation)
    values = {key: _clean(fields[key]) for key in ORGANISATION_FIELDS if key in fields}
    merged = {key: getattr(organisation, key) for key in ORGANISATION_FIELDS} | values
    _raise_first(validate_organisation(organisation.role, merged))
    if not bulk:
        _check_tax_code_free(merged.get("tax_code"), organisation.id)
    for key, value in values.items():
        setattr(organisation, key, value)
    _refresh_organisation_search(organisation)
    if not bulk:
        db.session.flush()
    return organisation


# Trigrams (PostgreSQL's pg_trgm index on search_text) need three characters of a word.
TRIGRAM = 3


def _like_escaped(word: str) -> str:
    return word.replace("/", "//").replace("%", "/%").replace("_", "/_")


def text_conditions(column, text: str) -> list:
    """What `text` asks of a folded search column: every word of it, without accents or case.

    A word of three characters or more is found anywhere (`LIKE '%word%'`, which the trigram
    index answers); a shorter one has no trigram inside it, so it is looked for at the start
    of a word instead ('an' finds "An Giang" and "ăn liền", not "bánh"), which the index
    answers through the blank that precedes a word.
    """
    conditions = []
    for word in fold(text).split():
        escaped = _like_escaped(word)
        if len(word) >= TRIGRAM:
            conditions.append(column.like(f"%{escaped}%", escape="/"))
        else:
            conditions.append(
                or_(column.like(f"{escaped}%", escape="/"), column.like(f"% {escaped}%", escape="/"))
            )
    return conditions


def organisation_query(
    *, role: str | None = None, province: str | None = None, text: str | None = None, kind: str | None = None
) -> Select:
    query = select(Organisation)
    if role:
        query = query.where(Organisation.role == role)
    if province:  # either name of a province: every earlier code of its current province
        query = query.where(Organisation.province_code.in_(equivalent_codes(province)))
    if kind:
        query = query.where(or_(Organisation.producer_kind == kind, Organisation.buyer_type == kind))
    if text:
        query = query.where(*text_conditions(Organisation.search_text, text))
    # The directory shows how many products or demand lines each has.
    query = query.options(selectinload(Organisation.products), selectinload(Organisation.demand_lines))
    return query.order_by(Organisation.name, Organisation.id)


# ---------------------------------------------------------------- products


def validate_product(values: dict) -> list[ServiceError]:
    """Every rule a product must meet, as (field, message) errors; empty when valid."""
    errors: list[ServiceError] = []
    if not values.get("name_vi"):
        errors.append(ServiceError(_l("The Vietnamese name is required."), "name_vi"))
    group = values.get("ocop_group")
    if group not in OCOP_GROUPS:
        errors.append(ServiceError(_l("Choose one of the six OCOP groups."), "ocop_group"))
    category = values.get("category")
    if category not in CATEGORIES:
        errors.append(ServiceError(_l("Unknown category."), "category"))
    elif group in OCOP_GROUPS and CATEGORIES[category][0] != group:
        errors.append(
            ServiceError(
                _l(
                    "This category belongs to the group “%(group)s”.",
                    group=OCOP_GROUPS[CATEGORIES[category][0]],
                ),
                "category",
            )
        )
    stars = values.get("stars")
    if not isinstance(stars, int) or isinstance(stars, bool) or not 1 <= stars <= 5:
        errors.append(ServiceError(_l("Stars are a whole number from 1 to 5."), "stars"))
    issued, expiry = values.get("certificate_date"), values.get("certificate_expiry")
    if not isinstance(issued, date):
        errors.append(ServiceError(_l("The certificate date is required."), "certificate_date"))
    elif issued > today():
        errors.append(ServiceError(_l("The certificate date is in the future."), "certificate_date"))
    if isinstance(issued, date) and isinstance(expiry, date) and expiry < issued:
        errors.append(
            ServiceError(_l("The expiry date is before the certificate date."), "certificate_expiry")
        )
    capacity = values.get("capacity_per_month")
    if capacity is not None and capacity < 0:
        errors.append(ServiceError(_l("The capacity can't be negative."), "capacity_per_month"))
    if capacity is not None and values.get("capacity_unit") not in UNITS:
        errors.append(ServiceError(_l("Choose the unit of the capacity."), "capacity_unit"))
    low, high = values.get("price_min"), values.get("price_max")
    for key, price in (("price_min", low), ("price_max", high)):
        if price is not None and price < 0:
            errors.append(ServiceError(_l("A price can't be negative."), key))
    if low is not None and high is not None and low > high:
        errors.append(ServiceError(_l("The lowest price is above the highest."), "price_max"))
    unknown = [code for code in values.get("standards") or [] if code not in STANDARDS]
    if unknown:
        errors.append(ServiceError(_l("Unknown standard: %(code)s.", code=", ".join(unknown)), "standards"))
    errors.extend(validate_gtin(values.get("gtin")))
    level = values.get("certificate_level")
    if level is not None and level not in CERTIFICATE_LEVELS:
        errors.append(ServiceError(_l("Choose province or national."), "certificate_level"))
    number = values.get("certificate_number")
    if number is not None and len(number) > 40:
        errors.append(
            ServiceError(_l("The certificate number is at most 40 characters."), "certificate_number")
        )
    return errors


GTIN_MESSAGES = {
    "digits": _l("A GTIN-13 barcode number has digits only."),
    "length": _l("A GTIN-13 barcode number has exactly 13 digits."),
    "check": _l("The last digit (check digit) does not match: check the number on the barcode."),
}


def validate_gtin(code: str | None) -> list[ServiceError]:
    if not code:
        return []
    problem = gtin_codes.problem(code)
    return [ServiceError(GTIN_MESSAGES[problem], "gtin")] if problem else []


def _normalise_product_values(fields: dict) -> dict:
    values = {key: _clean(fields.get(key)) for key in PRODUCT_FIELDS if key in fields}
    if "standards" in fields:
        values["standards"] = sorted(set(fields.get("standards") or []))
    if values.get("certificate_date") and not values.get("certificate_expiry"):
        values["certificate_expiry"] = default_expiry(values["certificate_date"])
    if values.get("category") in CATEGORIES and not values.get("ocop_group"):
        values["ocop_group"] = CATEGORIES[values["category"]][0]
    if "gtin" in values:
        values["gtin"] = gtin_codes.normalise(values["gtin"])
    return values


def _check_gtin_free(code: str | None, own_id: int | None) -> None:
    if not code:
        return
    other = db.session.scalar(select(Product.id).where(Product.gtin == code))
    if other is not None and other != own_id:
        raise ServiceError(_l("Another product already has this GTIN barcode."), "gtin")


def _check_traceability_free(code: str | None, own_id: int | None) -> None:
    if not code:
        return
    other = db.session.scalar(select(Product.id).where(Product.traceability_code == code))
    if other is not None and other != own_id:
        raise ServiceError(_l("Another product already uses this traceability code."), "traceability_code")


def _check_name_free(organisation_id: int, name_vi: str, own_id: int | None) -> None:
    other = db.session.scalar(
        select(Product.id).where(Product.organisation_id == organisation_id, Product.name_vi == name_vi)
    )
    if other is not None and other != own_id:
        raise ServiceError(_l("Your organisation already has a product with this name."), "name_vi")


def _apply_product_values(product: Product, values: dict) -> None:
    if product.certificate_status in ("verified", "rejected") and any(
        key in values and values[key] != getattr(product, key) for key in CERTIFICATE_FACTS
    ):
        product.certificate_status = "pending"
        product.certificate_submitted_at = clock.now()
        product.certificate_reviewed_at = None
        product.certificate_reviewed_by_id = None
        product.certificate_rejection_reason = None
    for key, value in values.items():
        if key != "standards":
            setattr(product, key, value)
    if "standards" in values:
        wanted = set(values["standards"])
        product.standard_rows = [row for row in product.standard_rows if row.standard in wanted]
        have = {row.standard for row in product.standard_rows}
        product.standard_rows.extend(ProductStandard(standard=code) for code in sorted(wanted - have))
    product.search_text = product_search_text(
        product.name_vi,
        product.name_en,
        product.name_fr,
        product.traceability_code,
        product.organisation.name if product.organisation else None,
        product.gtin,
    )


def product_search_text(name_vi, name_en, name_fr, traceability_code, producer_name, gtin=None) -> str:
    """What the catalogue's search looks in: the three names, the codes and the producer, folded."""
    return fold(" ".join(filter(None, [name_vi, name_en, name_fr, traceability_code, producer_name, gtin])))


def create_product(actor, organisation: Organisation, *, bulk: bool = False, **fields) -> Product:
    ensure_can_edit_organisation(actor, organisation)
    if not organisation.is_producer:
        raise ServiceError(_l("Only producers keep products."))
    values = _normalise_product_values(fields)
    _raise_first(validate_product(values))
    if not bulk:
        _check_name_free(organisation.id, values["name_vi"], None)
        _check_traceability_free(values.get("traceability_code"), None)
        _check_gtin_free(values.get("gtin"), None)
    product = Product(organisation=organisation)
    _apply_product_values(product, values)
    db.session.add(product)
    if not bulk:
        db.session.flush()
    return product


def update_product(actor, product: Product, *, bulk: bool = False, **fields) -> Product:
    ensure_can_edit_organisation(actor, product.organisation)
    values = _normalise_product_values(fields)
    merged = {key: getattr(product, key) for key in PRODUCT_FIELDS} | {"standards": product.standards}
    merged |= values
    if "certificate_date" in fields and not fields.get("certificate_expiry"):
        merged["certificate_expiry"] = default_expiry(merged["certificate_date"])
        values["certificate_expiry"] = merged["certificate_expiry"]
    _raise_first(validate_product(merged))
    if not bulk:
        _check_name_free(product.organisation_id, merged["name_vi"], product.id)
        _check_traceability_free(merged.get("traceability_code"), product.id)
        _check_gtin_free(merged.get("gtin"), product.id)
    _apply_product_values(product, values)
    if not bulk:
        db.session.flush()
    return product


def delete_product(actor, product: Product, upload_folder: str | None = None) -> None:
    ensure_can_edit_organisation(actor, product.organisation)
    photo, certificate = product.photo_filename, product.certificate_file
    db.session.delete(product)
    db.session.flush()
    if photo and upload_folder:
        unlink_after_commit(db.session(), Path(upload_folder) / "products" / photo)
    if certificate and upload_folder:
        unlink_after_commit(db.session(), Path(upload_folder) / "certificates" / certificate)


def store_product_photo(actor, product: Product, data: bytes, upload_folder: str, max_bytes: int) -> str:
    """Verify an uploaded image, re-encode it (dropping metadata and any payload) and keep it."""
    ensure_can_edit_organisation(actor, product.organisation)
    if len(data) > max_bytes:
        raise ServiceError(
            _l("The photo is larger than %(mb)s MB.", mb=round(max_bytes / 1024 / 1024, 1)), "photo"
        )
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.format not in PHOTO_FORMATS:
            raise ServiceError(_l("Upload a JPEG, PNG, WebP or GIF image."), "photo")
        if image.width * image.height > 40_000_000:
            raise ServiceError(_l("The image has too many pixels."), "photo")
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ServiceError(_l("This file is not an image we can read."), "photo") from error
    image = image.convert("RGB")
    image.thumbnail((PHOTO_MAX_SIDE, PHOTO_MAX_SIDE))
    folder = Path(upload_folder) / "products"
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{uuid.uuid4().hex}.jpg"
    image.save(folder / filename, "JPEG", quality=85, optimize=True)
    unlink_after_rollback(db.session(), folder / filename)
    old = product.photo_filename
    product.photo_filename = filename
    db.session.flush()
    if old:
        unlink_after_commit(db.session(), folder / old)
    return filename


@dataclass
class ProductFilters:
    text: str | None = None
    group: str | None = None
    category: str | None = None
    province: str | None = None
    min_stars: int | None = None
    standard: str | None = None
    sort: str = "stars"


SORTS = ("stars", "name", "newest", "price")


def certified_condition(on: date):
    """In the catalogue: 3+ stars, a certificate valid on `on` that an organiser verified."""
    return and_(
        Product.certificate_status == "verified",
        Product.stars >= CERTIFIED_MIN_STARS,
        Product.certificate_expiry >= on,
    )


def catalogue_query(filters: ProductFilters, *, on: date | None = None, locale: str = "vi") -> Select:
    """Certified products (3+ stars, verified certificate valid on `on`) matching the filters."""
    on = on or today()
    query = select(Product).where(certified_condition(on))
    if filters.province:
        query = query.join(Product.organisation).options(contains_eager(Product.organisation))
    else:
        # Every product has its producer: joining all 11,000 organisations only to name the
        # page's two dozen producers cost more than reading those by their ids afterwards.
        query = query.options(selectinload(Product.organisation))
    if filters.group:
        query = query.where(Product.ocop_group == filters.group)
    if filters.category:
        query = query.where(Product.category == filters.category)
    if filters.province:  # an earlier or current code: every earlier code of the current province
        query = query.where(Organisation.province_code.in_(equivalent_codes(filters.province)))
    if filters.min_stars:
        query = query.where(Product.stars >= filters.min_stars)
    if filters.standard:
        query = query.where(
            exists().where(
                ProductStandard.product_id == Product.id, ProductStandard.standard == filters.standard
            )
        )
    if filters.text:
        query = query.where(*text_conditions(Product.search_text, filters.text))
    columns = {"vi": Product.name_vi, "en": Product.name_en, "fr": Product.name_fr}
    order_columns = [columns[lang] for lang in fallback_order(locale if locale in columns else "vi")]
    display_name = func.coalesce(*order_columns) if len(order_columns) > 1 else order_columns[0]
    order = {
        "stars": (Product.stars.desc(), display_name),
        "name": (display_name,),
        "newest": (Product.created_at.desc(),),
        "price": (Product.price_min.is_(None), Product.price_min),
    }.get(filters.sort, (Product.stars.desc(), display_name))
    return query.order_by(*order, Product.id)


# What a product card shows (app/templates/macros.html: product_card): nothing else is read.
CARD_COLUMNS = (
    Product.id,
    Product.organisation_id,
    Product.name_vi,
    Product.name_en,
    Product.name_fr,
    Product.ocop_group,
    Product.stars,
    Product.price_min,
    Product.price_max,
    Product.photo_filename,
)
CARD_ORGANISATION_COLUMNS = (Organisation.id, Organisation.name, Organisation.province_code)


def catalogue_page(filters: ProductFilters, *, page: int, per_page: int, locale: str = "vi") -> Pagination:
    """One page of the catalogue as product cards, with the total of all that match.

    The page and its total come from one statement (`count(*) OVER ()`, app/paging.py), the
    producers of its cards from one more; only the columns a card shows are loaded.
    """
    query = catalogue_query(filters, locale=locale)
    if filters.province:
        organisation_option = contains_eager(Product.organisation)
    else:
        organisation_option = selectinload(Product.organisation)
    query = query.options(
        load_only(*CARD_COLUMNS),
        organisation_option.load_only(*CARD_ORGANISATION_COLUMNS),
        noload(Product.standard_rows),  # a card shows no standards
    )
    rows, total = rows_and_total(query, page=page, per_page=per_page)
    return counted_page([row[0] for row in rows], total, page=page, per_page=per_page)


def products_of(organisation: Organisation) -> list[Product]:
    return list(
        db.session.scalars(
            select(Product).where(Product.organisation_id == organisation.id).order_by(Product.name_vi)
        )
    )


def catalogue_facets(on: date | None = None) -> dict:
    """How many certified products each group, category, province and star rating has, for the
    filter menus: one grouped query, summed here."""
    on = on or today()
    rows = db.session.execute(
        select(Product.ocop_group, Product.category, Organisation.province_code, Product.stars, func.count())
        .join(Product.organisation)
        .where(certified_condition(on))
        .group_by(Product.ocop_group, Product.category, Organisation.province_code, Product.stars)
    ).all()
    facets: dict[str, dict] = {"groups": {}, "categories": {}, "provinces": {}, "stars": {}}
    for group, category, province, stars, count in rows:
        for facet, key in (
            ("groups", group),
            ("categories", category),
            ("provinces", current_code(province) or province),  # the menu offers current provinces
            ("stars", stars),
        ):
            facets[facet][key] = facets[facet].get(key, 0) + count
    return facets


# The filter menus' figures are the same for every visitor (public, certified products only)
# and change only when the catalogue does, yet grouping 15,000 products with their producers
# was most of a catalogue page's time. Each process keeps them for FACETS_TTL_SECONDS (the
# setting CATALOGUE_FACETS_TTL overrides it; 0 turns the cache off), per day (certificates
# expire by date), and forgets them as soon as a transaction of its own that changed
# products, their standards or organisations commits: an edit shows at once in the process
# that made it, and within the TTL in the others (another web worker, the job worker's
# imports, a change made by SQL by hand).
FACETS_TTL_SECONDS = 60.0
_CATALOGUE_TABLES = frozenset({"products", "product_standards", "organisations"})


class FacetsCache:
    """Facets by day, each with the monotonic time it stops being served."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: dict[date, tuple[float, dict]] = {}
        self.clock = time.monotonic

    def get(self, on: date, ttl: float) -> dict:
        entry = self._entries.get(on)
        now = self.clock()
        if ttl > 0 and entry is not None and entry[0] > now:
            return entry[1]
        facets = catalogue_facets(on)
        if ttl > 0:
            with self._lock:
                # Only today's (or the asked day's) entry is kept: no unbounded growth.
                self._entries = {on: (now + ttl, facets)}
        return facets

    def clear(self) -> None:
        with self._lock:
            self._entries = {}


facets_cache = FacetsCache()


def cached_catalogue_facets(on: date | None = None) -> dict:
    """`catalogue_facets`, kept per process for a short time (see FacetsCache above).

    The dict is shared between requests: read it, never change it."""
    ttl = float(current_app.config.get("CATALOGUE_FACETS_TTL", FACETS_TTL_SECONDS))
    return facets_cache.get(on or today(), ttl)


def _mark_catalogue_changed(session) -> None:
    session.info["catalogue_changed"] = True


@sa_event.listens_for(Session, "after_flush")
def _catalogue_flushed(session, _flush_context) -> None:
    for instance in (*session.new, *session.dirty, *session.deleted):
        if isinstance(instance, (Product, ProductStandard, Organisation)):
            _mark_catalogue_changed(session)
            return


@sa_event.listens_for(Session, "do_orm_execute")
def _catalogue_bulk_written(state) -> None:
    """An INSERT, UPDATE or DELETE statement run through the session (bulk writes, imports)."""
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if table is None or getattr(table, "name", None) in _CATALOGUE_TABLES:
        _mark_catalogue_changed(state.session)


@sa_event.listens_for(Session, "after_commit")
def _catalogue_committed(session) -> None:
    if session.info.pop("catalogue_changed", False):
        facets_cache.clear()


@sa_event.listens_for(Session, "after_rollback")
def _catalogue_rolled_back(session) -> None:
    session.info.pop("catalogue_changed", None)


# ---------------------------------------------------------------- demand


def validate_demand(values: dict) -> list[ServiceError]:
    errors = []
    if values.get("category") not in CATEGORIES:
        errors.append(ServiceError(_l("Unknown category."), "category"))
    volume = values.get("monthly_volume")
    if volume is None or volume <= 0:
        errors.append(ServiceError(_l("The monthly volume must be above zero."), "monthly_volume"))
    if values.get("unit") not in UNITS:
        errors.append(ServiceError(_l("Choose a unit."), "unit"))
    stars = values.get("min_stars")
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        errors.append(ServiceError(_l("Stars are a whole number from 1 to 5."), "min_stars"))
    ceiling = values.get("price_ceiling")
    if ceiling is not None and ceiling <= 0:
        errors.append(ServiceError(_l("The price ceiling must be above zero."), "price_ceiling"))
    bad = [code for code in values.get("standards") or [] if code not in STANDARDS]
    if bad:
        errors.append(ServiceError(_l("Unknown standard: %(code)s.", code=", ".join(bad)), "standards"))
    bad = [code for code in values.get("provinces") or [] if code not in PROVINCES]
    if bad:
        errors.append(ServiceError(_l("Unknown province."), "provinces"))
    return errors


def _apply_demand(line: DemandLine, values: dict) -> None:
    for key in ("category", "monthly_volume", "unit", "min_stars", "price_ceiling", "note"):
        if key in values:
            setattr(line, key, values[key])
    if "standards" in values:
        line.standard_rows = [DemandStandard(standard=c) for c in sorted(set(values["standards"]))]
    if "provinces" in values:
        line.province_rows = [DemandProvince(province_code=c) for c in sorted(set(values["provinces"]))]


def save_demand_line(
    actor, organisation: Organisation, line: DemandLine | None = None, **fields
) -> DemandLine:
    ensure_can_edit_organisation(actor, organisation)
    if not organisation.is_buyer:
        raise ServiceError(_l("Only buyers keep demand lines."))
    if line is not None and line.organisation_id != organisation.id:
        raise PermissionDenied
    values = {key: _clean(value) for key, value in fields.items()}
    current = (
        {}
        if line is None
        else {
            "category": line.category,
            "monthly_volume": line.monthly_volume,
            "unit": line.unit,
            "min_stars": line.min_stars,
            "price_ceiling": line.price_ceiling,
            "standards": line.required_standards,
            "provinces": line.preferred_provinces,
        }
    )
    _raise_first(validate_demand(current | values))
    if line is None:
        line = DemandLine(organisation=organisation)
        db.session.add(line)
    _apply_demand(line, values)
    db.session.flush()
    return line


def record_desk_demand(organisation: Organisation, category: str) -> DemandLine:
    """What a buyer registered at an event's walk-in desk says it looks for: a category only.

    The organiser who registers it has no say over the buyer's catalogue otherwise, so this is
    the one line it can write; the volume (not asked at the desk) is a token 1 kg, noted as such,
    so the matching can place the buyer by category and stars."""
    if not organisation.is_buyer:
        raise ServiceError(_l("Only buyers keep demand lines."))
    values = {"category": category, "monthly_volume": 1, "unit": "kg", "min_stars": 3}
    _raise_first(validate_demand(values))
    line = DemandLine(organisation=organisation, note="Walk-in desk: volume to be confirmed")
    db.session.add(line)
    _apply_demand(line, values)
    db.session.flush()
    return line


def delete_demand_line(actor, line: DemandLine) -> None:
    ensure_can_edit_organisation(actor, line.organisation)
    db.session.delete(line)
    db.session.flush()


def sign_up(
    *,
    email: str,
    password: str,
    full_name: str,
    role: str,
    organisation_name: str,
    province_code: str,
    producer_kind: str | None = None,
    buyer_type: str | None = None,
    locale: str | None = None,
) -> User:
    """A producer or buyer opens an account together with its organisation."""
    if role not in ("exhibitor", "buyer"):
        raise ServiceError(_l("Choose producer or buyer."), field="role")
    if accounts.find_user_by_email(email) is not None:
        raise ServiceError(_l("An account with this e-mail already exists."), field="email")
    organisation = create_organisation(
        role="producer" if role == "exhibitor" else "buyer",
        name=organisation_name,
        province_code=province_code,
        producer_kind=producer_kind if role == "exhibitor" else None,
        buyer_type=buyer_type if role == "buyer" else None,
        email=accounts.normalise_email(email),
        contact_name=full_name,
    )
    return accounts.create_user(
        email=email,
        password=password,
        full_name=full_name,
        role=role,
        locale=locale,
        organisation=organisation,
    )
