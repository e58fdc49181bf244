from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.events.models import Registration
from app.extensions import db


class GateCheckin(db.Model):
    """A participant let in at a gate, once per day of the event (the day in the event's zone)."""

    __tablename__ = "gate_checkins"
    __table_args__ = (
        UniqueConstraint("registration_id", "day", name="uq_gate_checkins_registration_day"),
        Index("ix_gate_checkins_event_checked_in_at", "event_id", "checked_in_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    gate: Mapped[str] = mapped_column(String(60))
    day: Mapped[date] = mapped_column(Date)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    registration: Mapped[Registration] = relationship()


class GateSettings(db.Model):
    """An event's gate rules (no row: the defaults)."""

    __tablename__ = "gate_settings"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    # Meeting check-in refuses a participant not checked in at the gate that day.
    meetings_need_gate: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
