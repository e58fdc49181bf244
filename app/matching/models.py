"""Matchmaking sessions, availability, requests, meetings, outcomes and agenda feed tokens."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.events.models import Event, Registration

SESSION_STATES = ("draft", "solved", "published")
REQUEST_KINDS = ("must", "block", "ask")
MEETING_STATUSES = ("scheduled", "held", "no_show", "cancelled")
OUTCOME_KINDS = ("no_interest", "follow_up", "sample_order", "contract")


class MatchingSession(db.Model):
    """A B2B matchmaking session of an event: its days, slots, tables, caps and score weights.

    Slots are derived from the settings (day start/end, meeting length, gap, breaks) in the
    event's time zone; a slot index is stable while the settings don't change.
    """

    __tablename__ = "matching_sessions"
    __table_args__ = (
        CheckConstraint("meeting_minutes > 0 AND gap_minutes >= 0", name="durations"),
        CheckConstraint("tables >= 1", name="tables"),
        CheckConstraint("last_day >= first_day", name="days_order"),
        CheckConstraint("day_end > day_start", name="hours_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))  # in Vietnamese
    name_en: Mapped[str | None] = mapped_column(String(200))
    name_fr: Mapped[str | None] = mapped_column(String(200))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    day_start: Mapped[time] = mapped_column(Time)
    day_end: Mapped[time] = mapped_column(Time)
    meeting_minutes: Mapped[int] = mapped_column(default=20)
    gap_minutes: Mapped[int] = mapped_column(default=5)
    # Breaks as "HH:MM-HH:MM" lines, e.g. "12:00-13:30".
    breaks: Mapped[str] = mapped_column(Text, default="")
    tables: Mapped[int] = mapped_column(default=20)
    # Optional table names, one a line ("Nhà B · bàn 12"), in Vietnamese, English and French;
    # a table without a name in any of them is numbered in the reader's language (app/names.py).
    table_names: Mapped[str] = mapped_column(Text, default="")
    table_names_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    table_names_fr: Mapped[str] = mapped_column(Text, default="", server_default="")
    max_meetings_per_buyer: Mapped[int] = mapped_column(default=8)
    max_meetings_per_producer: Mapped[int] = mapped_column(default=8)
    weights_json: Mapped[str | None] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="draft")
    last_run_json: Mapped[str | None] = mapped_column(Text)  # stats of the last solve
    solved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    event: Mapped[Event] = relationship()


class Availability(db.Model):
    """The slots a participant can attend; no row means every slot."""

    __tablename__ = "matching_availability"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("matching_sessions.id", ondelete="CASCADE"), primary_key=True
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    slots_json: Mapped[str] = mapped_column(Text)  # JSON list of slot indexes


class MatchRequest(db.Model):
    """must / block between a buyer and a producer, or a buyer's ask the producer answers."""

    __tablename__ = "matching_requests"
    __table_args__ = (
        UniqueConstraint(
            "session_id", "buyer_registration_id", "producer_registration_id", name="uq_match_pair"
        ),
        CheckConstraint("kind IN ('must', 'block', 'ask')", name="kind"),
        CheckConstraint("status IN ('open', 'accepted', 'declined')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("matching_sessions.id", ondelete="CASCADE"), index=True
    )
    buyer_registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    producer_registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(6))
    status: Mapped[str] = mapped_column(String(9), default="open")
    requested_by: Mapped[str] = mapped_column(String(9))  # "buyer" or "producer"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Meeting(db.Model):
    """A scheduled one-to-one meeting; kept (cancelled) when removed, so calendars can drop it."""

    __tablename__ = "meetings"
    __table_args__ = (
        Index(
            "uq_meetings_active_pair",
            "session_id",
            "buyer_registration_id",
            "producer_registration_id",
            unique=True,
            sqlite_where=text("status <> 'cancelled'"),
            postgresql_where=text("status <> 'cancelled'"),
        ),
        Index("ix_meetings_session_slot", "session_id", "slot"),
        CheckConstraint("status IN ('scheduled', 'held', 'no_show', 'cancelled')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("matching_sessions.id", ondelete="CASCADE"))
    # Indexed: a participant's agenda and feed read its meetings out of a national
    # conference's 24,000 (and a deleted registration cascades to its meetings).
    buyer_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    producer_registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    slot: Mapped[int]
    table: Mapped[int]
    score: Mapped[float]
    why_json: Mapped[str | None] = mapped_column(Text)  # score breakdown, for "why this match"
    status: Mapped[str] = mapped_column(String(10), default="scheduled")
    published: Mapped[bool] = mapped_column(default=False)
    fixed: Mapped[bool] = mapped_column(default=False)  # placed by hand: kept by re-solving
    sequence: Mapped[int] = mapped_column(default=0)
    checkin_code: Mapped[str] = mapped_column(String(16), unique=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped[MatchingSession] = relationship()
    buyer: Mapped[Registration] = relationship(foreign_keys=[buyer_registration_id])
    producer: Mapped[Registration] = relationship(foreign_keys=[producer_registration_id])


class MeetingOutcome(db.Model):
    """What came of a meeting, as each side records it."""

    __tablename__ = "meeting_outcomes"
    __table_args__ = (
        CheckConstraint("kind IN ('no_interest', 'follow_up', 'sample_order', 'contract')", name="kind"),
        CheckConstraint("value_vnd IS NULL OR value_vnd >= 0", name="value"),
    )

    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True)
    side: Mapped[str] = mapped_column(String(9), primary_key=True)  # "buyer" or "producer"
    kind: Mapped[str] = mapped_column(String(12))
    value_vnd: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AgendaToken(db.Model):
    """The secret of a participant's agenda feed URL; resetting it invalidates the old URL."""

    __tablename__ = "agenda_tokens"
    __table_args__ = (UniqueConstraint("session_id", "registration_id", name="uq_agenda_tokens_owner"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("matching_sessions.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
