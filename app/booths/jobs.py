"""Booths' background jobs: the organiser's one-click allocation.

The button enqueues `booths.allocate` (booking/services.py:start_allocation); a worker runs
`allocate_all` here in one transaction, reporting its phases (loading, allocating, writing).
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.booths.booking import services as booking
from app.errors import ServiceError
from app.events.models import Event
from app.extensions import db
from app.tasks.errors import job_gone
from app.tasks.runner import Outcome, background_job
from app.urls import site_path


@background_job("booths.allocate", queue="heavy")
def allocate_job(actor, progress, *, event_id: int) -> Outcome:
    """Allocate every open request of the event; an event cancelled meanwhile writes nothing."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise job_gone(_l("The event was deleted while the job waited."))
    if event.state == "cancelled":
        raise job_gone(_l("The event was cancelled while the job waited."))
    if actor is None or not actor.is_active:
        raise ServiceError(_l("The account that started this job is no longer active; nothing was changed."))
    report = booking.allocate_all(actor, event)
    return Outcome(
        gettext(
            "Allocation done: %(placed)d placed, %(unplaced)d not placed.",
            placed=len(report.placed),
            unplaced=len(report.unplaced),
        ),
        level="warning" if report.unplaced else "success",
        url=site_path("booths.allocation_result", event_id=event.id),
    )
