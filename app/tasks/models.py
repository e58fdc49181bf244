"""A job: what was asked, by whom, for which event, and how it ended."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db

TASK_STATES = ("queued", "running", "succeeded", "failed")
ACTIVE_STATES = ("queued", "running")
FINAL_STATES = ("succeeded", "failed")


class Task(db.Model):
    """One run of a background job. Its live progress is kept beside it (progress.py).

    `lock_key` names what the job works on (e.g. a matching session): at most one queued or
    running job per key, which a partial unique index enforces, so a double click or two
    organisers at once enqueue one job.
    """

    __tablename__ = "tasks"
    __table_args__ = (
        CheckConstraint(f"state IN {TASK_STATES!r}", name="state"),
        Index(
            "uq_tasks_active_lock_key",
            "lock_key",
            unique=True,
            sqlite_where=text("state IN ('queued', 'running')"),
            postgresql_where=text("state IN ('queued', 'running')"),
        ),
        Index("ix_tasks_event_created", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The queue message's id (Celery's task id), also the key of the live progress.
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    queue: Mapped[str] = mapped_column(String(20), default="default")
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    lock_key: Mapped[str] = mapped_column(String(120))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The language the job's messages are written in: its starter's, at the time.
    locale: Mapped[str] = mapped_column(String(5), default="vi")
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    # What came of it, in the starter's language: {"message": ..., "level": ..., "url": ...}.
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    started_by = relationship("User", lazy="joined")

    @property
    def active(self) -> bool:
        return self.state in ACTIVE_STATES

    @property
    def seconds(self) -> float | None:
        """How long it ran (from start to end), or None before it ends."""
        if self.started_at is None or self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
