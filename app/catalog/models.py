from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    DDL,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import names
from app.data.vocab import CERTIFIED_MIN_STARS
from app.database import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User


def trigram_index(name: str, column: str) -> Index:
    """A trigram GIN index on a folded search column, on PostgreSQL only (SQLite keeps LIKE).

    It serves `search_text LIKE '%word%'` (services.text_condition); the migration
    1f3c7a9e5b21 creates the same index and the pg_trgm extension.
    """
    index = Index(name, column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
    return index.ddl_if(dialect="postgresql")


# The trigram indexes need pg_trgm; create_all (the tests) installs it as the migration does.
event.listen(
    db.metadata,
    "before_create",
    DDL("CREATE EXTENSION IF NOT EXISTS pg_trgm").execute_if(dialect="postgresql"),
)


class Organisation(db.Model):
    """A producer (cooperative, household business, enterprise) or a buyer organisation."""

    __tablename__ = "organisations"
    __table_args__ = (
        CheckConstraint("role IN ('producer', 'buyer')", name="role"),
        Index("ix_organisations_role_province", "role", "province_code"),
        Index("ix_organisations_name", "name", "id"),  # lists in the order of names, a page at a time
        trigram_index("ix_organisations_search_text_trgm", "search_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(200))
    producer_kind: Mapped[str | None] = mapped_column(String(20))
    buyer_type: Mapped[str | None] = mapped_column(String(30))
    province_code: Mapped[str] = mapped_column(String(2))
    commune: Mapped[str | None] = mapped_column(String(120))
    address: Mapped[str | None] = mapped_column(String(300))
    contact_name: Mapped[str | None] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(254))
    website: Mapped[str | None] = mapped_column(String(300))
    tax_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="organisation")
    products: Mapped[list[Product]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Product.id"
    )
    demand_lines: Mapped[list[DemandLine]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="DemandLine.id"
    )

    @property
    def is_producer(self) -> bool:
        return self.role == "producer"

    @property
    def is_buyer(self) -> bool:
        return self.role == "buyer"

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.role} {self.name!r}>"


class Product(db.Model):
    """An OCOP product with its star rating and certificate."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint("stars BETWEEN 1 AND 5", name="stars_range"),
        CheckConstraint("certificate_expiry >= certificate_date", name="certificate_order"),
        CheckConstraint(
            "price_min IS NULL OR price_max IS NULL OR price_min <= price_max", name="price_order"
        ),
        CheckConstraint("capacity_per_month IS NULL OR capacity_per_month >= 0", name="capacity"),
        UniqueConstraint("organisation_id", "name_vi", name="uq_products_organisation_name"),
        CheckConstraint(
            "certificate_status IN ('missing', 'pending', 'verified', 'rejected')", name="certificate_status"
        ),
        CheckConstraint(
            "certificate_level IS NULL OR certificate_level IN ('province', 'national')",
            name="certificate_level",
        ),
        Index("ix_products_group_stars", "ocop_group", "stars"),
        # The verification queue: pending certificates, oldest first. Partial, so it stays as small
        # as the queue and the catalogue's planner never mistakes it for a way to find products.
        Index(
            "ix_products_certificate_queue",
            "certificate_submitted_at",
            "id",
            postgresql_where=text("certificate_status = 'pending'"),
            sqlite_where=text("certificate_status = 'pending'"),
        ),
        trigram_index("ix_products_search_text_trgm", "search_text"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_fr: Mapped[str | None] = mapped_column(String(200))
    description_vi: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_fr: Mapped[str | None] = mapped_column(Text)
    ocop_group: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(30), index=True)
    stars: Mapped[int]
    certificate_date: Mapped[date] = mapped_column(Date)
    certificate_expiry: Mapped[date] = mapped_column(Date, index=True)
    capacity_per_month: Mapped[float | None] = mapped_column(Numeric(14, 2))
    capacity_unit: Mapped[str | None] = mapped_column(String(10))
    price_min: Mapped[int | None] = mapped_column(BigInteger)
    price_max: Mapped[int | None] = mapped_column(BigInteger)
    price_unit: Mapped[str | None] = mapped_column(String(10))
    traceability_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    gtin: Mapped[str | None] = mapped_column(String(13), unique=True)  # GS1 GTIN-13 (EAN-13)
    # The OCOP certificate as the producer declares it; an organiser or admin checks it.
    # Only a "verified" one makes the product certified (catalogue, event applications);
    # changing its facts (number, stars, level, dates) afterwards sends it back to "pending".
    certificate_number: Mapped[str | None] = mapped_column(String(40))
    certificate_level: Mapped[str | None] = mapped_column(String(10))  # province | national
    certificate_file: Mapped[str | None] = mapped_column(String(80))
    certificate_status: Mapped[str] = mapped_column(String(10), default="missing", server_default="missing")
    certificate_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certificate_reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    certificate_reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    certificate_rejection_reason: Mapped[str | None] = mapped_column(Text)
    photo_filename: Mapped[str | None] = mapped_column(String(80))
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="products")
    standard_rows: Mapped[list[ProductStandard]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    certificate_reviewed_by: Mapped[User | None] = relationship(foreign_keys=[certificate_reviewed_by_id])

    @property
    def standards(self) -> list[str]:
        return sorted(row.standard for row in self.standard_rows)

    def is_expired(self, today: date) -> bool:
        return self.certificate_expiry < today

    @property
    def certificate_verified(self) -> bool:
        return self.certificate_status == "verified"

    def is_certified(self, today: date) -> bool:
        return self.stars >= CERTIFIED_MIN_STARS and not self.is_expired(today) and self.certificate_verified

    def name_in(self, locale: str) -> str:
        return names.name_in(self, locale)

    def description_in(self, locale: str) -> str | None:
        return names.name_in(self, locale, "description") or None

    def __repr__(self) -> str:
        return f"<Product {self.id} {self.name_vi!r} {self.stars}*>"


class ProductStandard(db.Model):
    __tablename__ = "product_standards"

    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    standard: Mapped[str] = mapped_column(String(20), primary_key=True, index=True)


class DemandLine(db.Model):
    """What a buyer wants to source: a category, a monthly volume and its conditions."""

    __tablename__ = "demand_lines"
    __table_args__ = (
        CheckConstraint("monthly_volume > 0", name="volume_positive"),
        CheckConstraint("min_stars BETWEEN 1 AND 5", name="min_stars_range"),
        CheckConstraint("price_ceiling IS NULL OR price_ceiling > 0", name="price_ceiling"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(30), index=True)
    monthly_volume: Mapped[float] = mapped_column(Numeric(14, 2))
    unit: Mapped[str] = mapped_column(String(10))
    min_stars: Mapped[int] = mapped_column(default=3)
    price_ceiling: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="demand_lines")
    standard_rows: Mapped[list[DemandStandard]] = relationship(cascade="all, delete-orphan", lazy="selectin")
    province_rows: Mapped[list[DemandProvince]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def required_standards(self) -> list[str]:
        return sorted(row.standard for row in self.standard_rows)

    @property
    def preferred_provinces(self) -> list[str]:
        return sorted(row.province_code for row in self.province_rows)


class DemandStandard(db.Model):
    __tablename__ = "demand_standards"

    demand_line_id: Mapped[int] = mapped_column(
        ForeignKey("demand_lines.id", ondelete="CASCADE"), primary_key=True
    )
    standard: Mapped[str] = mapped_column(String(20), primary_key=True)


class DemandProvince(db.Model):
    __tablename__ = "demand_provinces"

    demand_line_id: Mapped[int] = mapped_column(
        ForeignKey("demand_lines.id", ondelete="CASCADE"), primary_key=True
    )
    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)


class ImportBatch(db.Model):
    """An uploaded producer/product spreadsheet, kept between preview and confirmation."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(40), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(db.LargeBinary)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default="previewed")
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_valid: Mapped[int] = mapped_column(default=0)
    created_count: Mapped[int] = mapped_column(default=0)
    updated_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
