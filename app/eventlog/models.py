from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db


class EventLogEntry(db.Model):
    """One organiser action. Kept after the event: nothing deletes it with registrations or
    bookings (it holds their numbers and names as text), and a deleted account leaves its name."""

    __tablename__ = "event_log_entries"
    __table_args__ = (Index("ix_event_log_entries_event_at", "event_id", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for actions outside any event (a catalogue import).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    actor_name: Mapped[str] = mapped_column(String(120), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(Text, default="")
    details_json: Mapped[dict] = mapped_column(JSON, default=dict)
