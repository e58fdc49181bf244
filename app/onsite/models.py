"""On-site records: what the check-in app's devices sent (one row per nonce), and each event's
check-in staff."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.accounts.models import User
from app.database import UTCDateTime, utcnow
from app.extensions import db


class CheckinScan(db.Model):
    """One check-in decided on a device and synced: the nonce is accepted once, so a batch sent
    twice (a lost answer, a retry) changes nothing the second time and gets the same answer."""

    __tablename__ = "onsite_checkin_scans"
    __table_args__ = (CheckConstraint("outcome IN ('held', 'already', 'refused')", name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    code: Mapped[str] = mapped_column(String(64))  # a meeting code or a badge code (B-...)
    outcome: Mapped[str] = mapped_column(String(10))
    message: Mapped[str | None] = mapped_column(String(300))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime())  # on the device (kept within bounds)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CheckinStaff(db.Model):
    """An account the event's organisers made check-in staff of the event: it may download the
    event's check-in data and check meetings and badges in there (the check-in app), and nothing
    else of the organisers'. One row per (event, account)."""

    __tablename__ = "onsite_checkin_staff"
    __table_args__ = (UniqueConstraint("event_id", "user_id", name="uq_onsite_checkin_staff_event_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id])
