from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.catalog.models import DemandLine, Organisation, Product

# A Vietnamese-goods week ("Tuần hàng Việt") is held at a venue, like a fair; provinces report it apart.
EVENT_KINDS = ("physical_fair", "goods_week", "conference", "online_week", "hybrid")
EVENT_STATES = (
    "draft",
    "registration_open",
    "registration_closed",
    "scheduled",
    "running",
    "finished",
    "cancelled",
)
# The event is over: nothing about it changes any more (jobs, booths, matchmaking).
FINAL_EVENT_STATES = ("finished", "cancelled")
# Registrations can't be decided: not yet announced (draft), or over.
UNDECIDABLE_EVENT_STATES = ("draft", *FINAL_EVENT_STATES)
REGISTRATION_ROLES = ("exhibitor", "buyer")
REGISTRATION_STATUSES = ("pending", "approved", "rejected", "waitlisted", "withdrawn")
PROGRAMME_KINDS = ("opening", "seminar", "tasting", "matchmaking", "award", "other")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """The SQL of a CHECK that `column` holds one of `values`, e.g. "state IN ('draft', 'running')"."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


class Event(db.Model):
    """A fair, conference or online week. Times are UTC; `timezone` is how they are shown."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="dates_order"),
        CheckConstraint("exhibitor_capacity >= 0 AND buyer_capacity >= 0", name="capacity"),
        CheckConstraint(one_of("state", EVENT_STATES), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    state: Mapped[str] = mapped_column(String(24), default="draft", index=True)
    name_vi: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_fr: Mapped[str | None] = mapped_column(String(200))
    description_vi: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_fr: Mapped[str | None] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    venue_name: Mapped[str | None] = mapped_column(String(200))
    venue_address: Mapped[str | None] = mapped_column(String(300))
    province_code: Mapped[str | None] = mapped_column(String(2))
    exhibitor_capacity: Mapped[int] = mapped_column(default=0)
    buyer_capacity: Mapped[int] = mapped_column(default=0)
    exhibitor_registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    exhibitor_registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    buyer_registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    buyer_registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisers: Mapped[list[EventOrganiser]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )
    halls: Mapped[list[Hall]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Hall.name"
    )
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="ProgrammeItem.starts_at"
    )
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="Registration.id"
    )

    def name_in(self, locale: str) -> str:
        return getattr(self, f"name_{locale}", None) or self.name_vi

    def description_in(self, locale: str) -> str | None:
        return getattr(self, f"description_{locale}", None) or self.description_vi

    @property
    def has_venue(self) -> bool:
        return self.kind != "online_week"


class EventOrganiser(db.Model):
    """The organisers who manage an event (its creator first)."""

    __tablename__ = "event_organisers"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    # The summary mail (weekly in registration, daily while running); the organiser can turn it off.
    summary_mail: Mapped[bool] = mapped_column(default=True, server_default=sa_true())

    event: Mapped[Event] = relationship(back_populates="organisers")
    user: Mapped[User] = relationship()


class Hall(db.Model):
    __tablename__ = "halls"
    __table_args__ = (
        UniqueConstraint("event_id", "name", name="uq_halls_event_name"),
        CheckConstraint("width_m > 0 AND depth_m > 0", name="size_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))  # in Vietnamese
    name_en: Mapped[str | None] = mapped_column(String(80))
    name_fr: Mapped[str | None] = mapped_column(String(80))
    width_m: Mapped[float] = mapped_column(Numeric(8, 2))
    depth_m: Mapped[float] = mapped_column(Numeric(8, 2))

    event: Mapped[Event] = relationship(back_populates="halls")


class ProgrammeItem(db.Model):
    """One item of an event's programme; removed items stay as cancelled for calendar feeds."""

    __tablename__ = "programme_items"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="times_order"),
        Index("ix_programme_items_event_start", "event_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    title_vi: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_fr: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    location: Mapped[str] = mapped_column(String(120))
    sequence: Mapped[int] = mapped_column(default=0)
    cancelled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship(back_populates="programme")

    def title_in(self, locale: str) -> str:
        return getattr(self, f"title_{locale}", None) or self.title_vi


class Registration(db.Model):
    """An organisation's application to an event as exhibitor or buyer."""

    __tablename__ = "registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "organisation_id", "role", name="uq_registrations_event_org_role"),
        CheckConstraint("role IN ('exhibitor', 'buyer')", name="role"),
        CheckConstraint(one_of("status", REGISTRATION_STATUSES), name="status"),
        CheckConstraint("lead_sharing IN ('basic', 'contact')", name="lead_sharing"),
        Index("ix_registrations_event_role_status", "event_id", "role", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(12), default="pending")
    reason: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str | None] = mapped_column(Text)
    waitlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # What exhibitors that scan this participant's badge see (app/onsite/leads): "basic" the
    # name and organisation only, "contact" also the contact's email and phone.
    lead_sharing: Mapped[str] = mapped_column(String(10), default="basic", server_default="basic")

    event: Mapped[Event] = relationship(back_populates="registrations")
    organisation: Mapped[Organisation] = relationship()
    product_rows: Mapped[list[RegistrationProduct]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    demand_rows: Mapped[list[RegistrationDemand]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class RegistrationProduct(db.Model):
    __tablename__ = "registration_products"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), primary_key=True)

    product: Mapped[Product] = relationship()


class RegistrationDemand(db.Model):
    __tablename__ = "registration_demand"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    demand_line_id: Mapped[int] = mapped_column(
        ForeignKey("demand_lines.id", ondelete="CASCADE"), primary_key=True
    )

    demand_line: Mapped[DemandLine] = relationship()
