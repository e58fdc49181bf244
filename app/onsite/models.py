"""On-site records: what the check-in app's devices sent (one row per nonce)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

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
