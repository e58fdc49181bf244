"""Leads: a visitor's badge scanned at an exhibitor's booth, rated 1-5 with a note (one row per nonce)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.events.models import Registration
from app.extensions import db

# What a participant lets exhibitors that scan its badge see (Registration.lead_sharing).
SHARING = ("basic", "contact")


class Lead(db.Model):
    """One lead captured on an exhibitor's phone and synced: the nonce is accepted once, so a
    batch sent again changes nothing. What it shows of the visitor follows the visitor's
    registration's `lead_sharing` at the time it is read (a consent withdrawn hides the contact)."""

    __tablename__ = "onsite_leads"
    __table_args__ = (
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        Index("ix_onsite_leads_exhibitor_scanned", "exhibitor_registration_id", "scanned_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    exhibitor_registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    visitor_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    rating: Mapped[int]
    note: Mapped[str | None] = mapped_column(String(1000))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())  # on the device (kept within bounds)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    visitor: Mapped[Registration] = relationship(foreign_keys=[visitor_registration_id])
