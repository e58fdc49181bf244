"""Personal API tokens: a named secret of one user, scoped to reading or writing, to all
events or one, stored as the SHA-256 of the secret with a short public prefix to find it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.database import UTCDateTime, utcnow
from app.extensions import db

if TYPE_CHECKING:
    from app.accounts.models import User
    from app.events.models import Event

TOKEN_SCOPES = ("read", "write")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    scope: Mapped[str] = mapped_column(String(5))
    #: None: every event the user may see; else only this event's private data.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    #: The public part of the token (after "ocf_"), to find the row; the secret is only hashed.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()
    event: Mapped[Event | None] = relationship()

    @property
    def can_write(self) -> bool:
        return self.scope == "write"

    def covers(self, event_id: int) -> bool:
        """May this token see the private data of event `event_id`?"""
        return self.event_id is None or self.event_id == event_id

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix} {self.scope}>"
