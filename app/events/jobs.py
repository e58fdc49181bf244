"""An event's time-driven steps as scheduled jobs.

Each event has up to five date jobs with stable ids `event-<id>-<step>`:

| step   | when                                   | does (only from these states)                     |
| ------ | -------------------------------------- | ------------------------------------------------- |
| open   | the earlier of the two windows' opens   | `open_registration` (draft)                       |
| close  | the later of the two windows' closes    | `close_registration` (registration_open)          |
| remind | one day before the event starts         | a reminder to the users of every approved         |
|        |                                        | registration (registration_open/closed, scheduled) |
| start  | the event's start                      | `start_event` (scheduled)                          |
| finish | the event's end                        | `finish_event` (running)                           |

A job calls the same service as the organiser's button, with actor None, and commits
once. When the event is gone, in another state, or the service's guard says no, the job
does nothing and says why in the log. Decisions:

- "open" acts on a draft only: if the organiser closed registration early, a job doesn't
  reopen it behind their back (they can reopen it with the button).
- "start" needs the organiser to have moved the event to "scheduled" (allocation and
  matching done). An event still in a registration state at its start is not started:
  the job logs a warning and the organiser starts it with the button (or moves it to
  "scheduled", after which `schedule_event_jobs` starts it at once, as its time has come).
- The reminder is queued once per person and event (outbox dedupe key), however often
  the job runs.

`schedule_event_jobs(event)` is idempotent: call it after creating, editing or moving an
event, after the commit (on SQLite the job store writes through its own connection).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from babel.dates import format_date
from flask import current_app
from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.accounts.models import User
from app.database import utcnow
from app.errors import ServiceError
from app.events import services
from app.events.models import FINAL_EVENT_STATES, Event, Registration
from app.extensions import db
from app.i18n import zone_label
from app.notifications.services import queue_mail
from app.signals import scheduler_started
from app.tasks.queue import ENQUEUE_CALL
from app.transaction import rollback, transaction

log = logging.getLogger("ocopfair.jobs")

REMINDER_LEAD = timedelta(days=1)
RUN_STEP = "app.events.jobs:run_step"
SYNC_ALL = "app.events.jobs:sync_all_event_jobs"
# A step's job only puts "run_step(event_id, step)" on the default queue. A date job is gone
# from the store once it has run, so if the queue can't be reached at that moment the clock
# runs the sync a minute later, which plans again every step that is due and still has work
# to do (as it does at the scheduler's start and every hour).
ENQUEUE_STEP = {"queue": "default", "retry_with": SYNC_ALL}


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]  # the states in which the step still has work to do
    when: Callable[[Event], datetime | None]
    action: Callable[[Event, datetime], str]


def _opens(event: Event) -> datetime | None:
    times = [t for t in (event.exhibitor_registration_opens_at, event.buyer_registration_opens_at) if t]
    return min(times) if times else None


def _closes(event: Event) -> datetime | None:
    times = [t for t in (event.exhibitor_registration_closes_at, event.buyer_registration_closes_at) if t]
    return max(times) if times else None


def _open(event: Event, now: datetime) -> str:
    services.open_registration(None, event, now)
    return "registration opened"


def _close(event: Event, now: datetime) -> str:
    services.close_registration(None, event, now)
    return "registration closed"


def _start(event: Event, now: datetime) -> str:
    services.start_event(None, event, now)
    return "event running"


def _finish(event: Event, now: datetime) -> str:
    services.finish_event(None, event, now)
    return "event finished"


def _remind(event: Event, now: datetime) -> str:
    if now >= event.starts_at:
        raise ServiceError("the event has already started; no reminder")
    return f"{queue_reminders(event)} reminder(s) queued"


STEPS: dict[str, Step] = {
    "open": Step(("draft",), _opens, _open),
    "close": Step(("registration_open",), _closes, _close),
    "remind": Step(
        ("registration_open", "registration_closed", "scheduled"),
        lambda event: event.starts_at - REMINDER_LEAD,
        _remind,
    ),
    "start": Step(("scheduled",), lambda event: event.starts_at, _start),
    "finish": Step(("running",), lambda event: event.ends_at, _finish),
}


def job_id(event_id: int, step: str) -> str:
    return f"event-{event_id}-{step}"


# ---------------------------------------------------------------- running a step


def run_step(event_id: int, step: str, now: datetime | None = None) -> str:
    """Do one step of one event now, as the scheduler does; commits once.

    Returns what happened in words (also logged). Needs an app context: the scheduler's
    executor provides one; tests call it inside theirs.
    """
    # No request here, so no request locale: messages (e.g. a guard's reason) in the default.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
        return _run_step(event_id, step, now or utcnow())


def _run_step(event_id: int, step: str, now: datetime) -> str:
    definition = STEPS[step]
    try:
        with transaction():  # one transaction: commits the step, or rolls it back on any error
            event = db.session.get(Event, event_id, with_for_update=True, populate_existing=True)
            if event is None:
                log.info("event %s %s: the event no longer exists; nothing to do", event_id, step)
                return "event gone"  # (the transaction wrote nothing; ending it frees the lock)
            if event.state not in definition.sources:
                level = (
                    logging.WARNING if step == "start" and event.state in _BEFORE_SCHEDULED else logging.INFO
                )
                log.log(level, "event %s %s: skipped, the event is %s", event_id, step, event.state)
                return f"skipped ({event.state})"
            outcome = definition.action(event, now)
    except ServiceError as error:
        log.info("event %s %s: not done: %s", event_id, step, error.message)
        return f"refused: {error.message}"
    log.info("event %s %s: %s", event_id, step, outcome)
    return outcome


_BEFORE_SCHEDULED = ("draft", "registration_open", "registration_closed")


# ---------------------------------------------------------------- reminders


def queue_reminders(event: Event) -> int:
    """Queue the reminder to every active user of every approved registration (once each)."""
    rows = db.session.execute(
        select(Registration, User)
        .join(User, User.organisation_id == Registration.organisation_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == "approved",
            User.is_active_account.is_(True),
        )
        .order_by(Registration.id, User.id)
    ).all()
    queued = 0
    for registration, user in rows:
        locale = user.locale if user.locale in ("vi", "en", "fr") else "vi"
        with force_locale(locale):
            subject, body = reminder_text(event, registration, locale)
        message = queue_mail(
            to_address=user.email,
            subject=subject,
            body=body,
            kind="event_reminder",
            user_id=user.id,
            dedupe_key=f"event_reminder:{event.id}:{user.id}",
        )
        queued += message is not None
    return queued


def reminder_text(event: Event, registration: Registration, locale: str) -> tuple[str, str]:
    """Subject and body of the reminder, in `locale` (call inside force_locale)."""
    starts = services.to_local(event, event.starts_at)
    values = {
        "event": event.name_in(locale),
        "organisation": registration.organisation.name,
        "date": format_date(starts.date(), "full", locale=locale),
        "time": starts.strftime("%H:%M"),
        "timezone": zone_label(event.timezone, event.starts_at),
    }
    subject = gettext("Reminder: %(event)s starts on %(date)s", **values)
    if event.venue_name:
        body = gettext(
            "%(event)s starts on %(date)s at %(time)s, %(timezone)s, at %(venue)s. "
            "%(organisation)s is registered and approved. We look forward to seeing you.",
            venue=", ".join(part for part in (event.venue_name, event.venue_address) if part),
            **values,
        )
    else:
        body = gettext(
            "%(event)s starts online on %(date)s at %(time)s, %(timezone)s. "
            "%(organisation)s is registered and approved. We look forward to seeing you.",
            **values,
        )
    return subject, body


# ---------------------------------------------------------------- scheduling


def _scheduler(scheduler):
    if scheduler is not None:
        return scheduler
    from app.scheduler import job_scheduler

    return job_scheduler()


def schedule_event_jobs(event: Event, now: datetime | None = None, scheduler=None) -> dict[str, datetime]:
    """Add, move or remove the event's jobs to match its dates and state. Idempotent.

    A step whose time is in the future is (re)scheduled at that time. A step whose time
    has passed is scheduled to run at once if the event is still in a state where the step
    has work to do (e.g. created with its window already open), and removed otherwise.
    Returns {step: run time} for the jobs now scheduled. Never raises: a job store error
    is logged and repaired by the scheduler's hourly sync (the caller has committed).
    """
    now = now or utcnow()
    planned: dict[str, datetime] = {}
    try:
        _schedule(event, now, _scheduler(scheduler), planned)
    except Exception:
        # The event's change is committed; its jobs are re-derived by the scheduler at its
        # start and every hour, so a failed write here is repaired, not lost.
        log.exception("could not write the jobs of event %s; the next sync will", event.id)
    return planned


def _schedule(event: Event, now: datetime, scheduler, planned: dict[str, datetime]) -> None:
    from app.scheduler import remove_job_if_present

    for step, definition in STEPS.items():
        identifier = job_id(event.id, step)
        when = definition.when(event) if event.state not in FINAL_EVENT_STATES else None
        if when is not None and when <= now:
            when = now if event.state in definition.sources else None
        if when is None:
            remove_job_if_present(scheduler, identifier)
            continue
        # The clock only enqueues the step; a worker runs `run_step` (see ENQUEUE_STEP).
        scheduler.add_job(
            ENQUEUE_CALL,
            trigger="date",
            run_date=when,
            args=(RUN_STEP, event.id, step),
            kwargs=ENQUEUE_STEP,
            id=identifier,
            name=f"{step} {event.slug}",
            replace_existing=True,
        )
        planned[step] = when


def unschedule_event_jobs(event_id: int, scheduler=None) -> None:
    """Remove every job of an event (e.g. before deleting it)."""
    from app.scheduler import remove_job_if_present

    scheduler = _scheduler(scheduler)
    for step in STEPS:
        remove_job_if_present(scheduler, job_id(event_id, step))


def sync_all_event_jobs(now: datetime | None = None, scheduler=None) -> int:
    """`schedule_event_jobs` for every event not finished or cancelled; returns how many."""
    scheduler = _scheduler(scheduler)
    events = list(db.session.scalars(select(Event).where(Event.state.not_in(FINAL_EVENT_STATES))))
    for event in events:
        schedule_event_jobs(event, now=now, scheduler=scheduler)
    rollback()  # read only; end the transaction so it holds no snapshot or lock
    return len(events)


EVENTS_SYNC_JOB_ID = "events-sync"


def register_jobs(scheduler) -> None:
    # Re-derives every open event's jobs, so a job write that failed (say the database was
    # briefly unreachable when an organiser saved), or a step the queue couldn't take, is
    # repaired within the hour. This one runs in the clock itself, not on the queue: it only
    # plans jobs in the clock's own store, and it must work while the queue is unreachable.
    scheduler.add_job(
        SYNC_ALL,
        trigger="interval",
        hours=1,
        id=EVENTS_SYNC_JOB_ID,
        name="re-derive the events' jobs",
        replace_existing=True,
    )


@scheduler_started.connect
def _sync_when_the_scheduler_starts(_app, **_extra) -> None:
    """Re-derive every open event's jobs at start: repairs a store that missed a write."""
    try:
        count = sync_all_event_jobs()
    except Exception:
        log.exception("could not re-sync the events' jobs at start")
    else:
        log.info("scheduler started; jobs checked for %d event(s)", count)
