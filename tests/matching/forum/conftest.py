"""A fair with a networking forum session: `forum` (the `fair` builders, its forum session and
each participant's acting user)."""

from __future__ import annotations

from datetime import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.extensions import db as _db


def user_of(registration) -> User:
    """The account acting for a registration (its organisation's first user)."""
    return _db.session.scalar(
        select(User).where(User.organisation_id == registration.organisation_id).order_by(User.id).limit(1)
    )


@pytest.fixture()
def forum(fair):
    """Two producers and two buyers approved at an event whose session is a networking forum
    from 08:30 to 16:00 with a lunch break (morning and afternoon slots)."""
    producers = [fair.producer(), fair.producer(category="honey")]
    buyers = [fair.buyer(), fair.buyer(category="honey")]
    session = fair.session(kind="forum", day_end=time(16, 0), breaks="12:00-13:00 lunch", tables=6)
    return SimpleNamespace(
        fair=fair,
        event=fair.event,
        organiser=fair.organiser,
        session=session,
        producers=producers,
        buyers=buyers,
        user=user_of,
    )
