"""The follow-up survey's tables.

- `FollowupSettings`: an event's two delays (days after its last day), when the organiser
  changed them; without a row the app's FOLLOWUP_WAVES_DAYS apply.
- `FollowupInvitation`: one per participant (registration) and wave: the survey lists every
  meeting the participant held. Unique per (registration, wave), so the job can't invite twice.
- `FollowupAnswer`: one per invitation and meeting (answering again updates it); the matcher's
  explanation (Meeting.why_json) is copied beside the answer as it stood when answered.
- `MeetingReason`: the explanation's terms, one row per held meeting and term (category,
  capacity, stars, province, ...) with the term's value and weight, written when the
  invitations are created (and when an answer finds none), so the organiser's table
  "reasons that led to contracts" is a GROUP BY, not JSON read in Python.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime, utcnow
from app.extensions import db

RESULTS = ("contract", "order", "talks", "nothing")
# A survey answer recorded as the meeting's outcome (app.matching.models.OUTCOME_KINDS).
OUTCOME_OF_RESULT = {
    "contract": "contract",
    "order": "sample_order",
    "talks": "follow_up",
    "nothing": "no_interest",
}
WAVES = (1, 2)


class FollowupSettings(db.Model):
    __tablename__ = "followup_settings"
    __table_args__ = (
        CheckConstraint("first_wave_days >= 1 AND second_wave_days > first_wave_days", name="waves_order"),
    )

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), primary_key=True)
    first_wave_days: Mapped[int]
    second_wave_days: Mapped[int]
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class FollowupInvitation(db.Model):
    __tablename__ = "followup_invitations"
    __table_args__ = (
        UniqueConstraint("registration_id", "wave", name="uq_followup_invitations_wave"),
        CheckConstraint("wave IN (1, 2)", name="wave"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    wave: Mapped[int]
    due_on: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class FollowupAnswer(db.Model):
    __tablename__ = "followup_answers"
    __table_args__ = (
        UniqueConstraint("invitation_id", "meeting_id", name="uq_followup_answers_meeting"),
        CheckConstraint("result IN ('contract', 'order', 'talks', 'nothing')", name="result"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
        CheckConstraint("value_vnd IS NULL OR value_vnd >= 0", name="value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("followup_invitations.id", ondelete="CASCADE"), index=True
    )
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    side: Mapped[str] = mapped_column(String(9))  # "buyer" or "producer"
    result: Mapped[str] = mapped_column(String(8))
    value_vnd: Mapped[int | None] = mapped_column(BigInteger)
    rating: Mapped[int]
    comment: Mapped[str | None] = mapped_column(Text)
    why_json: Mapped[str | None] = mapped_column(Text)  # the matcher's explanation, as answered
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeetingReason(db.Model):
    __tablename__ = "followup_meeting_reasons"

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    term: Mapped[str] = mapped_column(String(20), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    weight: Mapped[float] = mapped_column(Float)
