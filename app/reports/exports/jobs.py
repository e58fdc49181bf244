"""The exports' background job and the clock's cleanup of their files.

A large export's button enqueues `reports.export` (services.start_export); a worker runs it
here, in one transaction with its event log entry, writing the file under EXPORTS_FOLDER and
reporting "rows written n of N". Every hour the clock enqueues `remove_old_exports`, which
deletes the files written more than a day before.
"""

from __future__ import annotations

import logging

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.errors import ServiceError
from app.events.models import Event
from app.extensions import db
from app.reports.exports import services as exports
from app.tasks.errors import job_gone
from app.tasks.models import Task
from app.tasks.queue import ENQUEUE_CALL
from app.tasks.runner import Outcome, background_job
from app.urls import site_path

log = logging.getLogger("ocopfair.reports")

CLEANUP_JOB_ID = "reports-exports-cleanup"


@background_job(exports.JOB_KIND, queue="heavy")
def export_job(
    actor, progress, *, event_id: int, name: str, fmt: str, participant_id: int | None = None
) -> Outcome:
    """Write the export's file; an event deleted meanwhile, or an organiser no longer one, writes nothing."""
    event = db.session.get(Event, event_id)
    if event is None:
        raise job_gone(_l("The event was deleted while the job waited."))
    if actor is None or not actor.is_active:
        raise ServiceError(_l("The account that started this job is no longer active; nothing was changed."))
    task = db.session.scalar(db.select(Task).where(Task.message_id == progress.key))
    rows = exports.run_export(actor, task, event, name, fmt, participant_id)
    return Outcome(
        gettext("%(rows)s rows exported. The file can be downloaded for a day.", rows=rows),
        url=site_path("reports_exports.download", event_id=event.id, task_id=task.id),
    )


def remove_old_exports() -> int:
    """The clock's step (run by a worker): delete export files older than a day."""
    removed = exports.remove_old_exports()
    if removed:
        log.info("reports: %d old export file(s) removed", removed)
    return removed


def register_jobs(scheduler) -> None:
    scheduler.add_job(
        ENQUEUE_CALL,
        args=("app.reports.exports.jobs:remove_old_exports",),
        kwargs={"queue": "default", "expires": 3600},
        trigger="interval",
        hours=1,
        id=CLEANUP_JOB_ID,
        name="export files older than a day removed",
        replace_existing=True,
    )
