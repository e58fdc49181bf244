"""The mails that carry a participant's agenda when the organiser publishes or changes it.

The sessions service sends app.signals when meetings are published, a published meeting
moves or is cancelled; the receivers below (connected when this module is imported, which
app.matching.agenda.routes does when the app is built) queue one mail per person of each
participant concerned, in their language, with their whole agenda. They run inside the
sender's transaction and only flush: the mail leaves with the organiser's change, or not at all.
"""

from __future__ import annotations

import hashlib

from flask_babel import force_locale, gettext
from sqlalchemy import select

from app import signals
from app.accounts.models import User
from app.events.models import Registration
from app.extensions import db
from app.matching.engine.slots import Slot, table_label
from app.matching.models import MatchingSession, Meeting
from app.matching.sessions import services as sessions
from app.notifications.services import queue_mail
from app.tasks import progress
from app.urls import external_url

PUBLISHED = "matching_published"
UPDATED = "matching_update"


def _recipients(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id, User.is_active_account.is_(True))
            .order_by(User.id)
        )
    )


def agenda_link(session: MatchingSession, registration: Registration) -> str:
    """The participant's agenda page (absolute: the mail is read outside the site)."""
    return external_url("matching.agenda", slug=session.event.slug)


def _agenda_lines(session: MatchingSession, registration_id: int, slots: list[Slot]) -> tuple[list, list]:
    mine = [
        m
        for m in sessions.published_meetings(session)
        if registration_id in (m.buyer_registration_id, m.producer_registration_id)
    ]
    active = [m for m in mine if m.status != "cancelled"]
    cancelled = [m for m in mine if m.status == "cancelled"]

    def line(m: Meeting) -> str:
        other = m.producer if m.buyer_registration_id == registration_id else m.buyer
        when = sessions.slot_text(slots[m.slot]) if m.slot < len(slots) else f"#{m.slot + 1}"
        return f"• {when} · {table_label(session.table_names, m.table)} · {other.organisation.name}"

    return [line(m) for m in active], [line(m) for m in cancelled]


def _mail(
    kind: str, session: MatchingSession, registration: Registration, locale: str, slots
) -> tuple[str, str]:
    """Subject and body, in `locale` (called inside force_locale)."""
    event_name = session.event.name_in(locale)
    active, cancelled = _agenda_lines(session, registration.id, slots)
    if kind == PUBLISHED:
        subject = gettext("Your B2B meetings at %(event)s", event=event_name)
        intro = gettext(
            "The B2B matchmaking schedule of %(event)s (%(session)s) is out. "
            "%(organisation)s has these meetings:",
            event=event_name,
            session=session.name,
            organisation=registration.organisation.name,
        )
    else:
        subject = gettext("Your B2B meetings at %(event)s have changed", event=event_name)
        intro = gettext(
            "The B2B matchmaking schedule of %(event)s (%(session)s) has changed. "
            "%(organisation)s now has these meetings:",
            event=event_name,
            session=session.name,
            organisation=registration.organisation.name,
        )
    parts = [intro, ""]
    parts += active or [gettext("No meeting at the moment.")]
    if cancelled and kind != PUBLISHED:
        parts += ["", gettext("Cancelled:"), *cancelled]
    parts += [
        "",
        gettext(
            "Times are in %(zone)s. Your agenda: %(link)s",
            zone=session.event.timezone,
            link=agenda_link(session, registration),
        ),
    ]
    return subject, "\n".join(parts)


def notify_participants(session: MatchingSession, registration_ids, kind: str) -> int:
    """Queue one mail per person of each registration, in their language, with their agenda.

    The dedupe key holds a digest of the agenda, so the same agenda is never mailed twice.
    """
    slots = sessions.slots_of(session)
    snapshots = sessions.agenda_snapshot(session)
    queued = 0
    ordered = sorted(registration_ids)
    progress.phase("mails", len(ordered))
    for registration_id in ordered:
        progress.advance()
        registration = db.session.get(Registration, registration_id)
        if registration is None:
            continue
        snapshot = sorted(snapshots.get(registration_id, set()))
        digest = hashlib.sha1(repr(snapshot).encode(), usedforsecurity=False).hexdigest()[:16]
        for user in _recipients(registration.organisation_id):
            locale = user.locale or "vi"
            with force_locale(locale):
                subject, body = _mail(kind, session, registration, locale, slots)
            message = queue_mail(
                to_address=user.email,
                subject=subject,
                body=body,
                kind=kind,
                user_id=user.id,
                dedupe_key=f"{kind}:{session.id}:{registration_id}:{user.id}:{digest}",
            )
            queued += message is not None
    return queued


# ---------------------------------------------------------------- receivers


@signals.meetings_published.connect
def _meetings_published(session: MatchingSession, *, people, update: bool = False, **_extra) -> None:
    notify_participants(session, people, UPDATED if update else PUBLISHED)


@signals.meeting_moved.connect
def _meeting_moved(meeting: Meeting, **_extra) -> None:
    notify_participants(
        meeting.session, {meeting.buyer_registration_id, meeting.producer_registration_id}, UPDATED
    )


@signals.meeting_cancelled.connect
def _meeting_cancelled(meeting: Meeting, **_extra) -> None:
    notify_participants(
        meeting.session, {meeting.buyer_registration_id, meeting.producer_registration_id}, UPDATED
    )
