"""On-site time-driven work: meetings nobody checked in become no-shows.

The standing job "onsite-no-shows" runs every `TICK_MINUTES`; a meeting still scheduled 15
minutes after its end is marked a no-show once (app/onsite/services.py:record_no_shows).
"""

from __future__ import annotations

import logging
from datetime import datetime

from app.database import utcnow
from app.onsite.services import record_no_shows
from app.transaction import transaction

log = logging.getLogger("ocopfair.jobs")

TICK_MINUTES = 5
NO_SHOWS_JOB_ID = "onsite-no-shows"


def mark_no_shows(now: datetime | None = None) -> int:
    """The job: mark overdue meetings no-shows in one transaction; returns how many changed."""
    with transaction():
        changed = record_no_shows(now or utcnow())
    if changed:
        log.info("onsite: %d meeting(s) marked no-show", len(changed))
    return len(changed)


def register_jobs(scheduler) -> None:
    scheduler.add_job(
        "app.onsite.jobs:mark_no_shows",
        trigger="interval",
        minutes=TICK_MINUTES,
        id=NO_SHOWS_JOB_ID,
        name="meetings not checked in become no-shows",
        replace_existing=True,
    )
