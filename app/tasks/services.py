"""Starting jobs and reading them back: what the pages and the clock call."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.database import savepoint, utcnow
from app.extensions import db
from app.tasks import progress as live
from app.tasks import queue
from app.tasks.errors import AlreadyRunning
from app.tasks.models import ACTIVE_STATES, Task
from app.tasks.runner import job_kind

# What each job is called, and the phases it reports, in the person's language.
KIND_LABELS = {
    "matching.run": _l("Run matching"),
    "matching.repair": _l("Repair the schedule"),
    "matching.publish": _l("Publish the schedule"),
    "imports.confirm": _l("Import a file"),
    "booths.allocate": _l("Allocate booths"),
    "demo.load": _l("Load the demo data"),
    "reports.export": _l("Export"),
}
PHASES = {
    "queued": _l("Waiting for a worker"),
    "starting": _l("Starting"),
    "loading": _l("Loading profiles"),
    "scoring": _l("Scoring"),
    "selecting": _l("Selecting"),
    "scheduling": _l("Scheduling"),
    "writing": _l("Writing"),
    "mails": _l("Mails queued"),
    "rows": _l("Rows written"),
    "checking": _l("Checking"),
    "allocating": _l("Allocating booths"),
    "logins": _l("Demo logins"),
    "producers": _l("Producers and their products"),
    "buyers": _l("Buyers and their demand"),
    "fair": _l("The demo fair"),
}
STATE_LABELS = {
    "queued": _l("Queued"),
    "running": _l("Running"),
    "succeeded": _l("Done"),
    "failed": _l("Failed"),
}


def start(
    actor, kind: str, *, lock_key: str, params: dict | None = None, event_id: int | None = None
) -> Task:
    """Enqueue the job `kind`; the caller's transaction commits its row.

    Refused with AlreadyRunning when a job on the same `lock_key` is queued or running (one
    matching job per session, one import per file...), and with QueueUnavailable when the
    queue can't be reached, in which case nothing is written.
    """
    definition = job_kind(kind)
    existing = active_task(lock_key)
    if existing is not None:
        if not _interrupted(existing):
            raise AlreadyRunning(existing)
        existing.state, existing.finished_at = "failed", utcnow()
        existing.error = str(_l("The worker stopped in the middle of this job; nothing was changed."))
        db.session.flush()
    task = Task(
        message_id=str(uuid.uuid4()),
        kind=kind,
        queue=definition.queue,
        params=params or {},
        lock_key=lock_key,
        event_id=event_id,
        started_by_id=getattr(actor, "id", None),
        locale=str(get_locale() or "vi"),
        state="queued",
    )
    try:
        with savepoint(db.session):
            db.session.add(task)
    except IntegrityError:  # another click got there between our look and our write
        raise AlreadyRunning(active_task(lock_key)) from None
    queue.publish(queue.RUN_TASK, [task.id], queue=task.queue, message_id=task.message_id)
    return task


def active_task(lock_key: str) -> Task | None:
    return db.session.scalar(select(Task).where(Task.lock_key == lock_key, Task.state.in_(ACTIVE_STATES)))


def latest_task(lock_key: str) -> Task | None:
    """The most recent job on `lock_key`, whatever its state (to show its outcome)."""
    return db.session.scalar(
        select(Task)
        .where(Task.lock_key == lock_key)
        .order_by(Task.created_at.desc(), Task.id.desc())
        .limit(1)
    )


def latest_tasks(lock_keys: list[str]) -> dict[str, Task]:
    """The most recent job on each of `lock_keys` (those that had one), in one query."""
    if not lock_keys:
        return {}
    rows = db.session.scalars(
        select(Task).where(Task.lock_key.in_(lock_keys)).order_by(Task.created_at.desc(), Task.id.desc())
    )
    latest: dict[str, Task] = {}
    for task in rows:
        latest.setdefault(task.lock_key, task)
    return latest


def _interrupted(task: Task) -> bool:
    return task.state == "running" and live.is_stale(live.read(task.message_id))


def event_tasks(event_id: int, *, page: int = 1, per_page: int = 20):
    """The event's jobs, newest first, with their starters loaded (one query per page)."""
    from sqlalchemy.orm import joinedload

    query = (
        select(Task)
        .where(Task.event_id == event_id)
        .options(joinedload(Task.started_by))
        .order_by(Task.created_at.desc(), Task.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def count_active(event_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Task).where(Task.event_id == event_id, Task.state.in_(ACTIVE_STATES))
    )


@dataclass(frozen=True)
class TaskView:
    """What a page (or its poll) shows of a job."""

    id: int
    kind: str
    label: str
    state: str
    state_label: str
    phase: str | None
    phase_label: str
    done: int
    total: int | None
    percent: int | None
    interrupted: bool
    message: str | None
    level: str
    url: str | None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "state": self.state,
            "state_label": self.state_label,
            "phase_label": self.phase_label,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "interrupted": self.interrupted,
            "final": self.state not in ACTIVE_STATES or self.interrupted,
            "message": self.message,
            "level": self.level,
            "url": self.url,
        }


def view(task: Task) -> TaskView:
    entry = live.read(task.message_id) if task.state in ACTIVE_STATES else None
    interrupted = task.state == "running" and live.is_stale(entry)
    phase = (entry or {}).get("phase") or ("queued" if task.state == "queued" else "starting")
    done, total = int((entry or {}).get("done") or 0), (entry or {}).get("total")
    if task.state == "succeeded":
        percent = 100
    elif total:
        percent = max(0, min(100, int(100 * done / total)))
    else:
        percent = None
    if task.state == "failed":
        message, level = task.error, "danger"
    elif task.state == "succeeded":
        message, level = (task.result or {}).get("message"), (task.result or {}).get("level", "success")
    elif interrupted:
        message, level = (
            str(_l("The worker stopped in the middle of this job; nothing was changed.")),
            "danger",
        )
    else:
        message, level = None, "info"
    return TaskView(
        id=task.id,
        kind=task.kind,
        label=str(KIND_LABELS.get(task.kind, task.kind)),
        state=task.state,
        state_label=str(STATE_LABELS[task.state]),
        phase=phase if task.state in ACTIVE_STATES else None,
        phase_label=str(PHASES.get(phase, phase)) if task.state in ACTIVE_STATES else "",
        done=done,
        total=total,
        percent=percent,
        interrupted=interrupted,
        message=message,
        level=level,
        url=(task.result or {}).get("url") if task.state == "succeeded" else None,
    )


def may_see(actor, task: Task) -> bool:
    """A job that belongs to no event is its starter's and the administrators'."""
    return actor is not None and (actor.role == "admin" or task.started_by_id == actor.id)


def own_task(actor, task_id: int) -> Task:
    """A job that belongs to no event, if `actor` started it or is an administrator."""
    from flask import abort

    from app.accounts.permissions import require

    task = db.session.get(Task, task_id)
    if task is None or task.event_id is not None:
        abort(404)
    require(may_see(actor, task))
    return task


def event_task(event_id: int, task_id: int) -> Task:
    """One of the event's jobs (the caller has checked the actor manages the event)."""
    from flask import abort

    task = db.session.get(Task, task_id)
    if task is None or task.event_id != event_id:
        abort(404)
    return task
