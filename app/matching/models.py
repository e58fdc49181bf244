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
# "bipartite": buyers meet producers; "forum": any approved participant meets any other
# (a networking forum: producers with producers, distributors with distributors...).
SESSION_KINDS = ("bipartite", "forum")
FORUM_REQUEST_STATUSES = ("open", "accepted", "declined", "blocked")
PARTS_OF_DAY = ("morning", "afternoon")
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
        CheckConstraint("kind IN ('bipartite', 'forum')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="bipartite", server_default="bipartite")
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


class ForumRequest(db.Model):
    """A requested meeting between two participants of a networking forum, in either direction.

    The pair is stored once, lower registration id first (`a`), whoever asked; the one asked
    accepts or declines it, or blocks the asker (no request either way afterwards). The
    organiser may add a pair (requested_by is then None, and it starts accepted), remove one,
    and keep it to the morning or the afternoon. Accepted requests are what the forum schedules.
    """

    __tablename__ = "forum_requests"
    __table_args__ = (
        UniqueConstraint("session_id", "a_registration_id", "b_registration_id", name="uq_forum_pair"),
        CheckConstraint("a_registration_id < b_registration_id", name="pair_order"),
        CheckConstraint("status IN ('open', 'accepted', 'declined', 'blocked')", name="status"),
        CheckConstraint("part_of_day IS NULL OR part_of_day IN ('morning', 'afternoon')", name="part_of_day"),
        Index("ix_forum_requests_b", "session_id", "b_registration_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("matching_sessions.id", ondelete="CASCADE"))
    a_registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    b_registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    # Who asked (one of a and b); None when the organiser added the pair.
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    # Who accepted, declined or blocked (the other one, or the organiser's None).
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(9), default="open")
    part_of_day: Mapped[str | None] = mapped_column(String(9))  # None: any slot
    note: Mapped[str | None] = mapped_column(Text)  # what the asker wants to talk about
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped[MatchingSession] = relationship()
    a: Mapped[Registration] = relationship(foreign_keys=[a_registration_id])
    b: Mapped[Registration] = relationship(foreign_keys=[b_registration_id])


class Meeting(db.Model):
    """A scheduled one-to-one meeting; kept (cancelled) when removed, so calendars can drop it.

    In a networking forum (session kind "forum") the two columns are the meeting's two sides in
    registration id order: buyer_registration_id holds side a (the lower id), and
    producer_registration_id side b, whatever their roles; an outcome's side "buyer" or
    "producer" then names the column, not the role. Use `sides` and `side_for` rather than
    the role to tell which column a participant is in.
    """

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
    # Placed by hand: kept by re-solving. On a cancelled meeting: removed by hand (not by a repair).
    fixed: Mapped[bool] = mapped_column(default=False)
    sequence: Mapped[int] = mapped_column(default=0)
    checkin_code: Mapped[str] = mapped_column(String(16), unique=True)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    session: Mapped[MatchingSession] = relationship()
    buyer: Mapped[Registration] = relationship(foreign_keys=[buyer_registration_id])
    producer: Mapped[Registration] = relationship(foreign_keys=[producer_registration_id])

    @property
    def sides(self) -> tuple[int, int]:
        """The two registrations' ids, in column order."""
        return self.buyer_registration_id, self.producer_registration_id

    def side_for(self, registration_id: int) -> str | None:
        """ "buyer" or "producer": the column the registration is in; None if in neither."""
        if registration_id == self.buyer_registration_id:
            return "buyer"
        if registration_id == self.producer_registration_id:
            return "producer"
        return None

    def counterpart_id(self, registration_id: int) -> int:
        """The other side's registration id."""
        if registration_id == self.buyer_registration_id:
            return self.producer_registration_id
        return self.buyer_registration_id


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
