"""The organisers' summary mail: weekly while registration is open, daily while the event runs.

A standing clock job ("event-summaries") runs every day at 07:00 Vietnam time and enqueues
`send_summaries`. That queues, through the outbox, one mail per organiser of each event
that is due and who has not turned the mail off (`EventOrganiser.summary_mail`):

- an event in `registration_open` is due on Mondays (Vietnam date); the figures "since the
  last summary" cover the 7 days before. It is also due on the day its registration closes
  (the later of the exhibitors' and the buyers' closing dates), covering the days since
  Monday, so a registration window without a Monday still gets its summary, on its last day
  (also when registration closed before 07:00 that day and the event is already
  `registration_closed`);
- a `running` event is due every day; "since" covers the day before.

Each mail's outbox dedupe key is `event_summary:<event>:<user>:<Vietnam date>`, so a job
that runs twice the same day queues nothing more. The figures are SQL aggregations: a
fixed number of queries per event, whatever its size. Every mail carries a link to the
event's page and a signed link that turns the mail off for that event without logging in.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from babel.numbers import format_decimal
from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, func, select

from app import clock
from app.accounts.models import User
from app.booths.models import BoothAssignment, BoothVisit, ElectronicBooth
from app.events.models import Event, EventOrganiser, Registration
from app.extensions import db
from app.matching.models import MatchingSession, Meeting, MeetingOutcome
from app.notifications.services import queue_mails
from app.transaction import transaction
from app.urls import external_url

log = logging.getLogger("ocopfair.jobs")

SUMMARY_JOB_ID = "event-summaries"
SEND_SUMMARIES = "app.reports.services:send_summaries"
WEEKLY_ON = 0  # Monday
SEND_AT = time(7, 0)  # Vietnam time
LOCALES = ("vi", "en", "fr")
_SALT = "event-summary-off"


@dataclass
class Figures:
    registrations: dict[tuple[str, str], int] = field(default_factory=dict)  # (role, status) -> n
    new_registrations: dict[str, int] = field(default_factory=dict)  # role -> n since
    booths_allocated: int = 0
    booths_paid: int = 0
    visits: int = 0
    meetings: dict[str, int] = field(default_factory=dict)  # status -> n
    contracts: int = 0
    contracts_value: int = 0


def closing_day(event: Event) -> date | None:
    """The Vietnam date registration closes: the later of the two roles' closing dates."""
    closes = [at for at in (event.exhibitor_registration_closes_at, event.buyer_registration_closes_at) if at]
    return max(closes).astimezone(clock.VIETNAM).date() if closes else None


def cadence(event: Event, today: date) -> int | None:
    """How many days the summary due today covers (7 on Mondays, 1 while the event runs, the days
    since Monday on registration's last day), or None if none is due."""
    if event.state in ("registration_open", "registration_closed") and closing_day(event) == today:
        # Registration's last day, whether it closes later today or closed before 07:00.
        return (today.weekday() - WEEKLY_ON) % 7 or 7
    if event.state == "registration_open":
        return 7 if today.weekday() == WEEKLY_ON else None
    if event.state == "running":
        return 1
    return None


def figures(event: Event, since: datetime, since_day: date) -> Figures:
    """The event's figures: five aggregate queries, none loading rows."""
    result = Figures()
    rows = db.session.execute(
        select(
            Registration.role,
            Registration.status,
            func.count(),
            func.sum(case((Registration.created_at >= since, 1), else_=0)),
        )
        .where(Registration.event_id == event.id)
        .group_by(Registration.role, Registration.status)
    ).all()
    for role, status, count, new in rows:
        result.registrations[(role, status)] = count
        result.new_registrations[role] = result.new_registrations.get(role, 0) + int(new or 0)
    allocated, paid = db.session.execute(
        select(
            func.count(),
            func.sum(case((BoothAssignment.payment == "paid", 1), else_=0)),
        ).where(BoothAssignment.event_id == event.id, BoothAssignment.status != "cancelled")
    ).one()
    result.booths_allocated, result.booths_paid = allocated, int(paid or 0)
    result.visits = int(
        db.session.scalar(
            select(func.coalesce(func.sum(BoothVisit.count), 0))
            .join(ElectronicBooth, ElectronicBooth.id == BoothVisit.electronic_booth_id)
            .where(ElectronicBooth.event_id == event.id, BoothVisit.day >= since_day)
        )
    )
    result.meetings = dict(
        db.session.execute(
            select(Meeting.status, func.count())
            .join(MatchingSession, MatchingSession.id == Meeting.session_id)
            .where(MatchingSession.event_id == event.id, Meeting.status != "cancelled")
            .group_by(Meeting.status)
        ).all()
    )
    # A contract is a meeting either side recorded as one; its value the larger side's figure.
    per_meeting = (
        select(MeetingOutcome.meeting_id, func.max(MeetingOutcome.value_vnd).label("value"))
        .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(MatchingSession.event_id == event.id, MeetingOutcome.kind == "contract")
        .group_by(MeetingOutcome.meeting_id)
        .subquery()
    )
    count, value = db.session.execute(
        select(func.count(), func.coalesce(func.sum(per_meeting.c.value), 0))
    ).one()
    result.contracts, result.contracts_value = count, int(value)
    return result


# ---------------------------------------------------------------- the unsubscribe token


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def unsubscribe_token(event_id: int, user_id: int) -> str:
    return _serializer().dumps([event_id, user_id])


def read_unsubscribe_token(token: str) -> tuple[int, int] | None:
    """(event id, user id) from a token this app signed, or None for anything else."""
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(type(v) is int for v in value)):
        return None
    return value[0], value[1]


def set_summary_mail(event_id: int, user_id: int, on: bool) -> bool:
    """Turn the summary mail on or off for one organiser of one event; flushes.

    Returns False when the user is not one of the event's organisers (nothing changes).
    """
    row = db.session.get(EventOrganiser, (event_id, user_id))
    if row is None:
        return False
    row.summary_mail = on
    db.session.flush()
    return True


# ---------------------------------------------------------------- the mail


def _number(value: int, locale: str) -> str:
    return format_decimal(value, locale=locale)


def mail_text(event: Event, data: Figures, days: int, locale: str, user_id: int) -> tuple[str, str]:
    """Subject and plain-text body in `locale` (call inside force_locale)."""
    n = lambda value: _number(value, locale)  # noqa: E731
    name = event.name_in(locale)
    if days == 7:
        subject = gettext("%(event)s: weekly summary", event=name)
        since = gettext("New in the last 7 days")
    elif event.state != "running":  # registration's last day, not a Monday
        subject = gettext("%(event)s: summary on the last day of registration", event=name)
        since = gettext("New since Monday")
    else:
        subject = gettext("%(event)s: daily summary", event=name)
        since = gettext("New since yesterday")
    lines = [subject, ""]
    for role, label in (("exhibitor", gettext("Exhibitors")), ("buyer", gettext("Buyers"))):
        counts = {s: data.registrations.get((role, s), 0) for s in ("pending", "approved", "waitlisted")}
        lines.append(
            gettext(
                "%(role)s: %(approved)s approved, %(pending)s pending, %(waitlisted)s waitlisted "
                "(%(since)s: %(new)s)",
                role=label,
                approved=n(counts["approved"]),
                pending=n(counts["pending"]),
                waitlisted=n(counts["waitlisted"]),
                since=since,
                new=n(data.new_registrations.get(role, 0)),
            )
        )
    lines.append(
        gettext(
            "Booths: %(allocated)s allocated, %(paid)s paid",
            allocated=n(data.booths_allocated),
            paid=n(data.booths_paid),
        )
    )
    lines.append(gettext("E-booth visits (%(since)s): %(visits)s", since=since, visits=n(data.visits)))
    if event.state == "running":
        lines.append(
            gettext(
                "Meetings: %(scheduled)s scheduled, %(held)s held, %(no_show)s no-shows",
                scheduled=n(data.meetings.get("scheduled", 0)),
                held=n(data.meetings.get("held", 0)),
                no_show=n(data.meetings.get("no_show", 0)),
            )
        )
    lines.append(
        gettext(
            "Contracts signed: %(count)s, worth %(value)s VND",
            count=n(data.contracts),
            value=n(data.contracts_value),
        )
    )
    lines += [
        "",
        gettext("The event's page: %(url)s", url=external_url("events.show", event_id=event.id)),
        "",
        gettext(
            "To stop receiving this summary for this event: %(url)s",
            url=external_url("reports.summary_unsubscribe", token=unsubscribe_token(event.id, user_id)),
        ),
    ]
    return subject, "\n".join(lines)


# ---------------------------------------------------------------- the job


def queue_summaries(now: datetime) -> int:
    """Queue the summaries due at `now` (flushed, not committed); returns how many were queued."""
    today = now.astimezone(clock.VIETNAM).date()
    start_of_today = datetime.combine(today, time(0), clock.VIETNAM)
    events = db.session.scalars(
        select(Event)
        .where(Event.state.in_(("registration_open", "registration_closed", "running")))
        .order_by(Event.id)
    ).all()
    messages = []
    for event in events:
        days = cadence(event, today)
        if days is None:
            continue
        recipients = db.session.execute(
            select(User.id, User.email, User.locale)
            .join(EventOrganiser, EventOrganiser.user_id == User.id)
            .where(
                EventOrganiser.event_id == event.id,
                EventOrganiser.summary_mail.is_(True),
                User.is_active_account.is_(True),
            )
            .order_by(User.id)
        ).all()
        if not recipients:
            continue
        since = start_of_today - timedelta(days=days)
        data = figures(event, since, today - timedelta(days=days))
        for user_id, email, user_locale in recipients:
            locale = user_locale if user_locale in LOCALES else "vi"
            with force_locale(locale):
                subject, body = mail_text(event, data, days, locale, user_id)
            messages.append(
                {
                    "to_address": email,
                    "subject": subject,
                    "body": body,
                    "kind": "event_summary",
                    "user_id": user_id,
                    "dedupe_key": f"event_summary:{event.id}:{user_id}:{today.isoformat()}",
                }
            )
    return queue_mails(messages)


def send_summaries(now: datetime | None = None) -> int:
    """The job: queue today's summaries in one transaction; returns how many were queued."""
    with transaction():
        queued = queue_summaries(now or clock.now())
    log.info("event summaries: %d queued", queued)
    return queued


def register_jobs(scheduler) -> None:
    from app.tasks.queue import ENQUEUE_CALL

    scheduler.add_job(
        ENQUEUE_CALL,
        args=(SEND_SUMMARIES,),
        kwargs={"queue": "default", "expires": 6 * 3600},
        trigger="cron",
        hour=SEND_AT.hour,
        minute=SEND_AT.minute,
        timezone=clock.VIETNAM,
        id=SUMMARY_JOB_ID,
        name="organisers' event summaries",
        replace_existing=True,
    )
