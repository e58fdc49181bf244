"""The mails that carry a participant's agenda when the organiser publishes or changes it.

The sessions service sends app.signals when meetings are published, a published meeting
moves or is cancelled; the receivers below (connected when this module is imported, which
app.matching.agenda.routes does when the app is built) queue one mail per person of each
participant concerned, in their language, with their whole agenda. They run inside the
sender's transaction and only flush: the mail leaves with the organiser's change, or not at all.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass

from flask_babel import force_locale, gettext
from sqlalchemy import Row, or_, select

from app import signals
from app.accounts.models import User
from app.catalog.models import Organisation
from app.events.models import Registration
from app.extensions import db
from app.i18n import zone_label
from app.matching.engine.slots import Slot
from app.matching.models import MatchingSession, Meeting
from app.matching.sessions import services as sessions
from app.names import name_in, table_labels
from app.notifications.services import queue_mails
from app.tasks import progress
from app.urls import external_url

PUBLISHED = "matching_published"
UPDATED = "matching_update"


# Up to this many people, a notification reads only their rows (a moved meeting: two people);
# beyond, it reads the whole session's (a publication: everyone), still in one query each.
FEW = 500


def agenda_link(session: MatchingSession) -> str:
    """The participant's agenda page (absolute: the mail is read outside the site)."""
    return external_url("matching.agenda", slug=session.event.slug)


def _meetings_by_person(session: MatchingSession, people: set[int]) -> dict[int, list[Row]]:
    """Each person's published meetings (cancelled too), in slot, table order: one query, of
    the columns a mail needs (plain rows: no 24,000 objects to build at a publication)."""
    query = select(
        Meeting.id,
        Meeting.buyer_registration_id,
        Meeting.producer_registration_id,
        Meeting.slot,
        Meeting.table,
        Meeting.status,
        Meeting.sequence,
    ).where(Meeting.session_id == session.id, Meeting.published.is_(True))
    if len(people) <= FEW:
        query = query.where(
            or_(Meeting.buyer_registration_id.in_(people), Meeting.producer_registration_id.in_(people))
        )
    mine: dict[int, list[Row]] = defaultdict(list)
    for meeting in db.session.execute(query.order_by(Meeting.slot, Meeting.table, Meeting.id)):
        for registration_id in (meeting.buyer_registration_id, meeting.producer_registration_id):
            if registration_id in people:
                mine[registration_id].append(meeting)
    return mine


def _organisation_names(session: MatchingSession, ids: set[int]) -> dict[int, tuple[int, str]]:
    """Registration id → (organisation id, organisation name): one query."""
    query = select(Registration.id, Registration.organisation_id, Organisation.name).join(
        Organisation, Organisation.id == Registration.organisation_id
    )
    if len(ids) <= FEW:
        query = query.where(Registration.id.in_(ids))
    else:
        query = query.where(Registration.event_id == session.event_id)
    return {rid: (organisation_id, name) for rid, organisation_id, name in db.session.execute(query)}


def _recipients(organisation_ids: set[int]) -> dict[int, list[User]]:
    """Per organisation, its active accounts in id order: one query."""
    users: dict[int, list[User]] = defaultdict(list)
    if not organisation_ids:
        return users
    for user in db.session.scalars(
        select(User)
        .where(User.organisation_id.in_(organisation_ids), User.is_active_account.is_(True))
        .order_by(User.id)
    ):
        users[user.organisation_id].append(user)
    return users


def _other(meeting: Row | Meeting, registration_id: int) -> int:
    """The registration on the other side of the meeting."""
    if meeting.buyer_registration_id == registration_id:
        return meeting.producer_registration_id
    return meeting.buyer_registration_id


def _line(meeting: Row | Meeting, counterpart: str) -> tuple[int, int, str]:
    """(slot index, table index, counterpart): the slot and the table are written in each
    reader's language by _compose."""
    return meeting.slot, meeting.table, counterpart


@dataclass
class Agenda:
    """What one participant's mail says, whatever the reader's language."""

    registration_id: int
    organisation_id: int
    organisation: str
    active: list[tuple[int, int, str]]  # (slot index, table index, counterpart)
    cancelled: list[tuple[int, int, str]]
    digest: str  # of the agenda as calendars see it: the same agenda is never mailed twice


def _agendas(session: MatchingSession, people: set[int]) -> list[Agenda]:
    """The agendas of `people` (registration ids), in id order, from one pass over the meetings."""
    mine = _meetings_by_person(session, people)
    counterparts = {_other(m, rid) for rid, meetings in mine.items() for m in meetings}
    names = _organisation_names(session, people | counterparts)
    agendas = []
    for registration_id in sorted(people):
        progress.advance()
        if registration_id not in names:
            continue  # withdrawn and deleted meanwhile
        meetings = mine.get(registration_id, [])
        lines: dict[str, list[tuple[int, int, str]]] = {"active": [], "cancelled": []}
        for m in meetings:
            line = _line(m, names[_other(m, registration_id)][1])
            lines["cancelled" if m.status == "cancelled" else "active"].append(line)
        # The same rows sessions.agenda_snapshot compares before and after a repair.
        snapshot = sorted({(m.id, m.slot, m.table, m.status, m.sequence) for m in meetings})
        digest = hashlib.sha1(repr(snapshot).encode(), usedforsecurity=False).hexdigest()[:16]
        agendas.append(
            Agenda(registration_id, *names[registration_id], lines["active"], lines["cancelled"], digest)
        )
    return agendas


@dataclass
class MailTexts:
    """The parts of a mail that are the same for every reader of one language."""

    subject: str
    intro: str  # the translated template, filled per mail as gettext would
    values: dict[str, str]  # its event and session
    nothing: str
    cancelled: str
    footer: str
    tables: list[str]  # each table's name (or number) in this language
    slots: list[str]  # each slot's day and times in this language


def _lines(texts: MailTexts, lines: list[tuple[int, int, str]]) -> list[str]:
    return [
        f"• {texts.slots[slot] if slot < len(texts.slots) else f'#{slot + 1}'} · "
        f"{texts.tables[table] if table < len(texts.tables) else table + 1} · {counterpart}"
        for slot, table, counterpart in lines
    ]


def _texts(kind: str, session: MatchingSession, locale: str, slots: list[Slot]) -> MailTexts:
    """The mail's fixed parts in `locale` (called inside force_locale), made once per language:
    the session's slots are written here, a few dozen, not once per meeting."""
    event_name = session.event.name_in(locale)
    if kind == PUBLISHED:
        subject = gettext("Your B2B meetings at %(event)s", event=event_name)
        intro = gettext(
            "The B2B matchmaking schedule of %(event)s (%(session)s) is out. "
            "%(organisation)s has these meetings:"
        )
    else:
        subject = gettext("Your B2B meetings at %(event)s have changed", event=event_name)
        intro = gettext(
            "The B2B matchmaking schedule of %(event)s (%(session)s) has changed. "
            "%(organisation)s now has these meetings:"
        )
    return MailTexts(
        subject=subject,
        intro=intro,
        values={"event": event_name, "session": name_in(session, locale)},
        nothing=gettext("No meeting at the moment."),
        cancelled=gettext("Cancelled:"),
        footer=gettext(
            "Time zone: %(zone)s. Your agenda: %(link)s",
            zone=zone_label(session.event.timezone, session.event.starts_at),
            link=agenda_link(session),
        ),
        tables=[label for label, _lang in table_labels(session, locale)],
        slots=[sessions.slot_label(slot) for slot in slots],
    )


def _compose(kind: str, texts: MailTexts, agenda: Agenda) -> tuple[str, str]:
    """Subject and body of one participant's mail."""
    parts = [texts.intro % (texts.values | {"organisation": agenda.organisation}), ""]
    parts += _lines(texts, agenda.active) or [texts.nothing]
    if agenda.cancelled and kind != PUBLISHED:
        parts += ["", texts.cancelled, *_lines(texts, agenda.cancelled)]
    parts += ["", texts.footer]
    return texts.subject, "\n".join(parts)


def notify_participants(session: MatchingSession, registration_ids, kind: str) -> int:
    """Queue one mail per person of each registration, in their language, with their agenda.

    A constant number of queries whatever the number of people: the meetings, the names,
    the recipients and the outbox rows are each read or written in bulk (one pass over the
    meetings grouped by person). The dedupe key holds a digest of the agenda, so the same
    agenda is never mailed twice. Returns how many mails were queued.
    """
    people = set(registration_ids)
    progress.phase("mails", len(people))
    if not people:
        return 0
    agendas = _agendas(session, people)
    recipients = _recipients({a.organisation_id for a in agendas})
    # Rendered language by language (one locale switch each), queued in people's order.
    by_locale: dict[str, list[tuple[int, Agenda, User]]] = defaultdict(list)
    position = 0
    for agenda in agendas:
        for user in recipients[agenda.organisation_id]:
            by_locale[user.locale or "vi"].append((position, agenda, user))
            position += 1
    messages: list[dict | None] = [None] * position
    slots = sessions.slots_of(session)
    for locale, batch in by_locale.items():
        with force_locale(locale):
            texts = _texts(kind, session, locale, slots)
        for at, agenda, user in batch:
            subject, body = _compose(kind, texts, agenda)
            messages[at] = {
                "to_address": user.email,
                "subject": subject,
                "body": body,
                "kind": kind,
                "user_id": user.id,
                "dedupe_key": f"{kind}:{session.id}:{agenda.registration_id}:{user.id}:{agenda.digest}",
            }
    return queue_mails(messages)


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
