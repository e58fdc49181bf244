"""Matchmaking's time-driven work: agenda reminders.

One standing interval job, "matching-tick" (every `TICK_MINUTES`, added by `register_jobs`),
has a worker call `matching_tick` (the clock only enqueues it), which runs
`send_agenda_reminders(now)`: each participant's users get a reminder the evening before a
day with meetings (from 18:00 local the day before until midnight) and one 30 minutes
before their first meeting of each day. (No-shows are on-site work: app/onsite/jobs.py.)

A worker starting (`signals.worker_starting`, before it forks) loads the forum scheduler's
compiled annealing loop (or compiles it, once after an install), so that no forum's solve job
spends its time limit on the compiler.

Every step is idempotent: a reminder carries an outbox dedupe
key (participant, day, and for the 30-minute one the first meeting's time), so however
often or late the job runs each person gets each reminder once. A reminder whose moment
has passed (the meeting started, or the evening is over) is not sent late. Each job
function is one transaction (app.transaction); tests call them inside an app context with
their own `now`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask_babel import force_locale, format_decimal, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.accounts.models import User
from app.database import utcnow
from app.events.models import Event, Registration
from app.extensions import db
from app.i18n import zone_label
from app.matching.engine.slots import Slot, session_slots
from app.matching.models import MatchingSession, Meeting
from app.names import table_label
from app.notifications.services import queue_mail
from app.signals import worker_starting
from app.tasks.queue import ENQUEUE_CALL
from app.tasks.runner import Outcome, background_job
from app.transaction import transaction
from app.urls import external_url, site_path

log = logging.getLogger("ocopfair.jobs")

TICK_MINUTES = 5
EVENING_AT = time(18, 0)  # local time, the day before
SOON = timedelta(minutes=30)
LOOK_AHEAD = timedelta(hours=36)
LOCALES = ("vi", "en", "fr")


# ---------------------------------------------------------------- the worker starting


@worker_starting.connect
def _compile_the_forum_scheduler(_app, **_kwargs) -> None:
    try:
        from app.matching.engine.forum import compile_annealing  # numba: not at the app's start-up

        log.info("forum scheduler's annealing loop ready in %.2f s", compile_annealing())
    except Exception:  # the worker runs mail and every other job too: it must start anyway
        log.exception("the forum scheduler's annealing loop could not be compiled before the fork")


# ---------------------------------------------------------------- reminders


@dataclass
class DayPlan:
    """A participant's meetings of one local day (for reminders)."""

    registration_id: int
    day: date
    event: Event
    meetings: list[tuple[Slot, Meeting]] = field(default_factory=list)

    @property
    def first(self) -> tuple[Slot, Meeting]:
        return min(self.meetings, key=lambda pair: (pair[0].start_utc, pair[1].table))


def _day_plans(now: datetime) -> list[DayPlan]:
    """Per participant and local day, its published meetings (from a day ago to LOOK_AHEAD ahead)."""
    rows = db.session.execute(
        select(Meeting, MatchingSession, Event)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(Event, Event.id == MatchingSession.event_id)
        .where(
            Meeting.published.is_(True),
            Meeting.status != "cancelled",
            Event.state != "cancelled",
            MatchingSession.first_day <= (now + LOOK_AHEAD + timedelta(days=1)).date(),
            MatchingSession.last_day >= (now - timedelta(days=1)).date(),
        )
    ).all()
    slots: dict[int, dict[int, Slot]] = {}
    plans: dict[tuple[int, date], DayPlan] = {}
    for meeting, session, event in rows:
        if session.id not in slots:
            slots[session.id] = {s.index: s for s in session_slots(session, event.timezone)}
        slot = slots[session.id].get(meeting.slot)
        # Meetings of the day that already began are kept: they decide which one was the first.
        if slot is None or not (now - timedelta(days=1) < slot.start_utc <= now + LOOK_AHEAD):
            continue
        for registration_id in (meeting.buyer_registration_id, meeting.producer_registration_id):
            key = (registration_id, slot.start.date())
            plan = plans.setdefault(key, DayPlan(registration_id, slot.start.date(), event))
            plan.meetings.append((slot, meeting))
    return sorted(plans.values(), key=lambda p: (p.day, p.registration_id))


def _agenda_url(event: Event) -> str:
    return external_url("matching.agenda", slug=event.slug)


def _counterpart_name(meeting: Meeting, registration_id: int) -> str:
    other = meeting.producer if meeting.buyer_registration_id == registration_id else meeting.buyer
    return other.organisation.name


def reminder_text(plan: DayPlan, registration: Registration, kind: str, locale: str) -> tuple[str, str]:
    """Subject and body of an agenda reminder, in `locale` (call inside force_locale)."""
    event = plan.event
    first_slot, _first = plan.first
    values = {
        "event": event.name_in(locale),
        "organisation": registration.organisation.name,
        "date": format_date(plan.day, "full", locale=locale),
        "time": first_slot.start.strftime("%H:%M"),
        "count": len(plan.meetings),
    }
    if kind == "evening":
        subject = gettext("Tomorrow at %(event)s: %(count)d B2B meeting(s) from %(time)s", **values)
        intro = gettext(
            "%(organisation)s has %(count)d B2B meeting(s) at %(event)s on %(date)s, the first at %(time)s:",
            **values,
        )
    else:
        subject = gettext("Your first B2B meeting at %(event)s starts at %(time)s", **values)
        intro = gettext(
            "%(organisation)s's first B2B meeting of the day starts at %(time)s. Today's meetings:", **values
        )
    lines = [intro, ""]
    for slot, meeting in sorted(plan.meetings, key=lambda pair: pair[0].start_utc):
        lines.append(
            f"{slot.start:%H:%M}–{slot.end:%H:%M} · "
            f"{table_label(meeting.session, meeting.table)[0]} · "
            f"{_counterpart_name(meeting, plan.registration_id)} · "
            + gettext("check-in code %(code)s", code=meeting.checkin_code)
        )
    lines += ["", gettext("Your agenda: %(url)s", url=_agenda_url(event)), ""]
    lines.append(gettext("Time zone: %(zone)s.", zone=zone_label(event.timezone, event.starts_at)))
    return subject, "\n".join(lines)


def _due_kinds(plan: DayPlan, now: datetime) -> list[tuple[str, str]]:
    """(kind, dedupe suffix) of the reminders whose moment has come for this day."""
    zone = ZoneInfo(plan.event.timezone)
    first_slot, _meeting = plan.first
    kinds = []
    evening = datetime.combine(plan.day - timedelta(days=1), EVENING_AT, zone)
    midnight = datetime.combine(plan.day, time(0, 0), zone)
    if evening <= now < midnight and now < first_slot.start_utc:
        kinds.append(("evening", plan.day.isoformat()))
    if first_slot.start_utc - SOON <= now < first_slot.start_utc:
        kinds.append(("soon", f"{plan.day.isoformat()}:{first_slot.start:%H%M}"))
    return kinds


def queue_agenda_reminders(now: datetime | None = None) -> int:
    """Queue the reminders due at `now` (flush only); returns how many mails were queued."""
    now = now or utcnow()
    queued = 0
    for plan in _day_plans(now):
        kinds = _due_kinds(plan, now)
        if not kinds:
            continue
        registration = db.session.get(Registration, plan.registration_id)
        if registration is None or registration.status != "approved":
            continue
        users = db.session.scalars(
            select(User)
            .where(User.organisation_id == registration.organisation_id, User.is_active_account.is_(True))
            .order_by(User.id)
        ).all()
        for kind, suffix in kinds:
            for user in users:
                locale = user.locale if user.locale in LOCALES else "vi"
                with force_locale(locale):
                    subject, body = reminder_text(plan, registration, kind, locale)
                message = queue_mail(
                    to_address=user.email,
                    subject=subject,
                    body=body,
                    kind=f"agenda_reminder_{kind}",
                    user_id=user.id,
                    dedupe_key=f"agenda_{kind}:{registration.id}:{suffix}:{user.id}",
                )
                queued += message is not None
    return queued


def send_agenda_reminders(now: datetime | None = None) -> int:
    """The job: queue the due reminders in one transaction."""
    with transaction():
        queued = queue_agenda_reminders(now or utcnow())
    if queued:
        log.info("matching: %d agenda reminder(s) queued", queued)
    return queued


# ---------------------------------------------------------------- the standing job


def matching_tick(now: datetime | None = None) -> dict[str, int]:
    """The "matching-tick" standing job: agenda reminders, in one transaction.

    A failure is rolled back (by its transaction) and logged; the next tick tries again.
    """
    try:
        return {"reminders": send_agenda_reminders(now or utcnow())}
    except Exception:
        log.exception("matching: queueing agenda reminders failed; the next tick tries again")
        return {"reminders": 0}


def register_jobs(scheduler) -> None:
    # The clock only enqueues the tick; a worker runs `matching_tick`. A message older than
    # one tick is dropped: the next tick does the same work.
    scheduler.add_job(
        ENQUEUE_CALL,
        args=("app.matching.jobs:matching_tick",),
        kwargs={"queue": "default", "expires": TICK_MINUTES * 60},
        trigger="interval",
        minutes=TICK_MINUTES,
        id="matching-tick",
        name="matchmaking agenda reminders",
        replace_existing=True,
    )


# ---------------------------------------------------------------- jobs an organiser starts


def session_lock_key(session_id: int) -> str:
    """One matching job (run, repair or publish) per session at a time."""
    return f"matching-session:{session_id}"


def _session_for_job(actor, event_id: int, session_id: int) -> MatchingSession:
    """The session as it is now, or why the job can't go on (it changed while the job waited)."""
    from app.errors import ServiceError
    from app.tasks.errors import job_gone

    session = db.session.get(MatchingSession, session_id, with_for_update=True)
    if session is None or session.event_id != event_id:
        raise job_gone(_l("The matchmaking session was deleted while the job waited."))
    if session.event.state == "cancelled":
        raise job_gone(_l("The event was cancelled while the job waited."))
    if actor is None or not actor.is_active:
        raise ServiceError(_l("The account that started this job is no longer active; nothing was changed."))
    return session


def _session_url(session: MatchingSession) -> str:
    return site_path("matching.session", event_id=session.event_id, session_id=session.id)


@background_job("matching.run", queue="heavy")
def run_matching_job(actor, progress, *, event_id: int, session_id: int) -> Outcome:
    from app.matching.sessions import services as sessions
    from app.tasks.errors import job_gone

    session = _session_for_job(actor, event_id, session_id)
    buyers, producers = sessions.approved_counts(session.event)
    if session.kind == "forum":
        if buyers + producers < 2:
            raise job_gone(_l("Fewer than two approved participants are left to meet."))
    elif not buyers or not producers:
        raise job_gone(_l("No approved buyers or producers are left to match."))
    result = sessions.run_matching(actor, session)
    return run_outcome(result, session, buyers=buyers, producers=producers)


def run_outcome(result, session: MatchingSession, *, buyers: int, producers: int) -> Outcome:
    """What a matching run tells the organiser; plainly so when nothing could be scheduled."""
    if session.kind == "forum" and not result.stats["meetings"]:
        if not result.candidates:
            message = gettext(
                "No meeting was scheduled: no request between participants has been accepted yet. "
                "Participants request and accept meetings; you can also add pairs yourself."
            )
        else:
            message = gettext(
                "No meeting was scheduled among the %(pairs)d accepted requests: check the caps on "
                "meetings, the tables and the participants' availability, then run the matching again.",
                pairs=result.candidates,
            )
        return Outcome(message, level="warning", url=_session_url(session))
    if not result.candidates and not result.stats["meetings"]:
        message = gettext(
            "No meeting was scheduled: none of the %(buyers)d buyers and %(producers)d producers can be "
            "matched. No producer offers a product in a category a buyer is looking for with the stars, "
            "standards and valid certificate the buyer requires. Check the buyers' demand and the "
            "producers' products, then run the matching again.",
            buyers=buyers,
            producers=producers,
        )
        return Outcome(message, level="warning", url=_session_url(session))
    if not result.stats["meetings"]:
        message = gettext(
            "No meeting was scheduled among the %(pairs)d candidate pairs: check the caps on meetings, "
            "the tables and the participants' availability, then run the matching again.",
            pairs=result.candidates,
        )
        return Outcome(message, level="warning", url=_session_url(session))
    return Outcome(
        gettext(
            "Matching done: %(meetings)d meetings in %(seconds)s s.",
            meetings=result.stats["meetings"],
            seconds=format_decimal(result.stats["runtime_s"], format="0.###"),
        ),
        url=_session_url(session),
    )


@background_job("matching.repair", queue="heavy")
def repair_job(actor, progress, *, event_id: int, session_id: int) -> Outcome:
    from app.matching.sessions import services as sessions

    session = _session_for_job(actor, event_id, session_id)
    result = sessions.repair(actor, session)
    return Outcome(
        gettext(
            "Repaired: %(added)d meetings added, %(cancelled)d cancelled, "
            "%(notified)d participants notified.",
            added=len(result.added),
            cancelled=len(result.cancelled),
            notified=len(result.notified),
        ),
        url=_session_url(session),
    )


@background_job("matching.publish", queue="heavy")
def publish_job(actor, progress, *, event_id: int, session_id: int) -> Outcome:
    from app.matching.sessions import services as sessions

    session = _session_for_job(actor, event_id, session_id)
    notified = sessions.publish(actor, session)
    return Outcome(
        gettext("Published: %(count)d participants were notified.", count=notified), url=_session_url(session)
    )
