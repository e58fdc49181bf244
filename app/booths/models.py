from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.data.provinces import current_code
from app.database import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.catalog.models import Product
    from app.events.models import Event, Hall, Registration

BOOTH_STATUSES = ("free", "requested", "allocated", "confirmed", "blocked")
REQUEST_STATUSES = ("pending", "allocated", "unplaced", "cancelled")
ASSIGNMENT_STATUSES = ("allocated", "confirmed", "cancelled")
PAYMENT_STATUSES = ("due", "paid", "waived")


class BoothPlanSettings(db.Model):
    """Per-event booth settings: whether exhibitors may pick a free booth themselves."""

    __tablename__ = "booth_plan_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    first_come_booking: Mapped[bool] = mapped_column(default=False)
    # Weights of the allocation's soft goals (JSON text; defaults in allocation code).
    weights_json: Mapped[str | None] = mapped_column(Text)


class BoothType(db.Model):
    """A kind of booth of an event: standard 3×3, double 3×6, corner, island, pavilion, electronic."""

    __tablename__ = "booth_types"
    __table_args__ = (
        UniqueConstraint("event_id", "name", name="uq_booth_types_event_name"),
        CheckConstraint("price_vnd >= 0", name="price"),
        CheckConstraint("is_electronic OR (width_m > 0 AND depth_m > 0)", name="size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str | None] = mapped_column(String(80))
    name_fr: Mapped[str | None] = mapped_column(String(80))
    width_m: Mapped[float | None] = mapped_column(Numeric(6, 2))
    depth_m: Mapped[float | None] = mapped_column(Numeric(6, 2))
    price_vnd: Mapped[int] = mapped_column(BigInteger, default=0)
    is_electronic: Mapped[bool] = mapped_column(default=False)
    description: Mapped[str | None] = mapped_column(Text)

    event: Mapped[Event] = relationship()


class Booth(db.Model):
    """A place on a hall's floor plan; position and size in metres from the hall's top-left corner."""

    __tablename__ = "booths"
    __table_args__ = (
        UniqueConstraint("hall_id", "code", name="uq_booths_hall_code"),
        CheckConstraint("width_m > 0 AND depth_m > 0", name="size_positive"),
        CheckConstraint("x_m >= 0 AND y_m >= 0", name="position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    hall_id: Mapped[int] = mapped_column(ForeignKey("halls.id", ondelete="CASCADE"), index=True)
    booth_type_id: Mapped[int] = mapped_column(ForeignKey("booth_types.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    x_m: Mapped[float] = mapped_column(Numeric(8, 2))
    y_m: Mapped[float] = mapped_column(Numeric(8, 2))
    width_m: Mapped[float] = mapped_column(Numeric(6, 2))
    depth_m: Mapped[float] = mapped_column(Numeric(6, 2))
    # Zone tags, lower-case, comma-separated: "food,premium,province:20,accessible".
    zone_tags: Mapped[str] = mapped_column(String(300), default="")
    blocked: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hall: Mapped[Hall] = relationship()
    booth_type: Mapped[BoothType] = relationship()

    @property
    def tags(self) -> list[str]:
        return [current_zone_tag(t) for t in (self.zone_tags or "").split(",") if t]


def current_zone_tag(tag: str) -> str:
    """A province pavilion's tag by its current province: "province:27" (Bắc Ninh as recorded
    before July 2025) and "province:24" are both Bắc Ninh's pavilion now."""
    if tag.startswith("province:"):
        code = current_code(tag.split(":", 1)[1])
        if code:
            return f"province:{code}"
    return tag


class ZoneRule(db.Model):
    """A hard allocation rule: exhibitors matching (group or province) must get a booth tagged `zone`."""

    __tablename__ = "zone_rules"
    __table_args__ = (CheckConstraint("match_kind IN ('group', 'province', 'category')", name="match_kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    match_kind: Mapped[str] = mapped_column(String(10))
    match_value: Mapped[str] = mapped_column(String(40))
    zone: Mapped[str] = mapped_column(String(60))


class BoothRequest(db.Model):
    """An approved exhibitor's request for a booth of a type, with ranked preferences."""

    __tablename__ = "booth_requests"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'allocated', 'unplaced', 'cancelled')", name="status"),
        Index("ix_booth_requests_event_status", "event_id", "status"),
        Index(
            "uq_booth_requests_open_registration",
            "registration_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    booth_type_id: Mapped[int] = mapped_column(ForeignKey("booth_types.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(10), default="pending")
    unplaced_reason: Mapped[str | None] = mapped_column(Text)
    got_preference: Mapped[int | None] = mapped_column()  # 1..3, or None when placed elsewhere
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    booth_type: Mapped[BoothType] = relationship()
    preferences: Mapped[list[BoothPreference]] = relationship(
        cascade="all, delete-orphan", order_by="BoothPreference.rank", lazy="selectin"
    )
    proximities: Mapped[list[BoothProximity]] = relationship(cascade="all, delete-orphan", lazy="selectin")


class BoothPreference(db.Model):
    """Rank 1–3: a named booth or a zone tag."""

    __tablename__ = "booth_preferences"
    __table_args__ = (
        CheckConstraint("rank BETWEEN 1 AND 3", name="rank"),
        CheckConstraint("(booth_id IS NULL) <> (zone IS NULL)", name="booth_or_zone"),
    )

    request_id: Mapped[int] = mapped_column(
        ForeignKey("booth_requests.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(primary_key=True)
    booth_id: Mapped[int | None] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"))
    zone: Mapped[str | None] = mapped_column(String(60))

    booth: Mapped[Booth | None] = relationship()


class BoothProximity(db.Model):
    """Ask to be near (or away from) another exhibitor organisation."""

    __tablename__ = "booth_proximities"
    __table_args__ = (CheckConstraint("kind IN ('near', 'away')", name="kind"),)

    request_id: Mapped[int] = mapped_column(
        ForeignKey("booth_requests.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(5))


class BoothAssignment(db.Model):
    """Who has a booth. At most one active assignment per booth, enforced by a partial unique index."""

    __tablename__ = "booth_assignments"
    __table_args__ = (
        CheckConstraint("status IN ('allocated', 'confirmed', 'cancelled')", name="status"),
        CheckConstraint("payment IN ('due', 'paid', 'waived')", name="payment"),
        Index(
            "uq_booth_assignments_active_booth",
            "booth_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index(
            "uq_booth_assignments_active_registration",
            "registration_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    booth_id: Mapped[int] = mapped_column(ForeignKey("booths.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(ForeignKey("booth_requests.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(10), default="allocated")
    payment: Mapped[str] = mapped_column(String(6), default="due")
    # When and by whom the payment was confirmed or waived (None: still due, or waived because
    # the booth's type is free).
    payment_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    payment_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    booth: Mapped[Booth] = relationship()
    registration: Mapped[Registration] = relationship()


class ElectronicBooth(db.Model):
    """Every approved exhibitor's page at an event, reached from QR codes."""

    __tablename__ = "electronic_booths"
    __table_args__ = (UniqueConstraint("event_id", "registration_id", name="uq_electronic_booths_event_reg"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    headline_vi: Mapped[str | None] = mapped_column(String(200))
    headline_en: Mapped[str | None] = mapped_column(String(200))
    headline_fr: Mapped[str | None] = mapped_column(String(200))
    # Contacts stay private until the exhibitor chooses to show them.
    show_phone: Mapped[bool] = mapped_column(default=False)
    show_email: Mapped[bool] = mapped_column(default=False)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    product_rows: Mapped[list[ElectronicBoothProduct]] = relationship(
        cascade="all, delete-orphan", order_by="ElectronicBoothProduct.position", lazy="selectin"
    )


class ElectronicBoothProduct(db.Model):
    __tablename__ = "electronic_booth_products"

    electronic_booth_id: Mapped[int] = mapped_column(
        ForeignKey("electronic_booths.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship()


class BoothVisit(db.Model):
    """Visits of an electronic booth per day: a counter, no personal data."""

    __tablename__ = "booth_visits"

    electronic_booth_id: Mapped[int] = mapped_column(
        ForeignKey("electronic_booths.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
