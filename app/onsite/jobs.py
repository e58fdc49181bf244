"""On-site time-driven work: meetings nobody checked in become no-shows.

The standing job "onsite-no-shows" has a worker run `mark_no_shows` every `TICK_MINUTES` (the
clock only enqueues it); a meeting still scheduled 15 minutes after its end is marked a
no-show once (app/onsite/services.py:record_no_shows).
"""

from __future__ import annotations

import logging
from datetime import datetime

from app.database import utcnow
from app.onsite.services import record_no_shows
from app.tasks.queue import ENQUEUE_CALL
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
    # The clock only enqueues; a worker runs `mark_no_shows` (a message older than a tick is
    # dropped: the next one does the same work).
    scheduler.add_job(
        ENQUEUE_CALL,
        args=("app.onsite.jobs:mark_no_shows",),
        kwargs={"queue": "default", "expires": TICK_MINUTES * 60},
        trigger="interval",
        minutes=TICK_MINUTES,
        id=NO_SHOWS_JOB_ID,
        name="meetings not checked in become no-shows",
        replace_existing=True,
    )
