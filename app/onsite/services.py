"""Check-in at the table, and no-shows.

An organiser of the event (later also a table host) types or scans a meeting's code; the
meeting becomes "held" once, and a second scan says when it was checked in. Meetings
nobody checked in `NO_SHOW_GRACE` after their end become "no_show" (the scheduled job,
`app.onsite.jobs.mark_no_shows`). An organiser can still check in a meeting marked
no-show by the job (people who forgot to scan), which corrects it to "held".

Functions flush; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from app import i18n, signals
from app.accounts.models import User
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event
from app.events.services import can_manage, to_local
from app.extensions import db
from app.matching.engine.slots import session_slots
from app.matching.models import MatchingSession, Meeting
from app.matching.queries import with_session_and_sides
from app.names import table_label
from app.onsite.gate.services import ensure_gate_passed
from app.paging import rows_and_total

NO_SHOW_GRACE = timedelta(minutes=15)


@dataclass
class CheckinResult:
    meeting: Meeting
    already: bool  # it had been checked in before this scan
    checked_in_at: datetime  # in the event's zone
    table: tuple[str, str]  # (label, lang) for the reader

    @property
    def time_text(self) -> str:
        return self.checked_in_at.strftime("%H:%M")


def can_check_in(actor, event: Event) -> bool:
    """Who may check meetings in: the event's organisers (and admins) and its check-in staff."""
    from app.onsite.staff.services import is_staff

    return can_manage(actor, event) or is_staff(actor, event)


def normalise_code(code: str | None) -> str:
    """What was typed or scanned: spaces dropped, upper case; a scanned check-in URL gives its code."""
    text = (code or "").strip()
    if "code=" in text:  # the QR on an agenda holds the check-in page's URL with ?code=...
        text = text.rsplit("code=", 1)[1].split("&", 1)[0]
    return "".join(text.split()).upper()


def meeting_by_code(event: Event, code: str) -> Meeting | None:
    """The meeting of `event` with this check-in code (any case); None if there is none."""
    wanted = normalise_code(code)
    if not wanted:
        return None
    return db.session.scalar(
        select(Meeting)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(MatchingSession.event_id == event.id, func.upper(Meeting.checkin_code) == wanted)
    )


def check_in(actor, event: Event, code: str, now: datetime | None = None) -> CheckinResult:
    """Mark the meeting with this code held, once; ServiceError with a clear message otherwise."""
    if not can_check_in(actor, event):
        raise PermissionDenied
    wanted = normalise_code(code)
    if not wanted:
        raise ServiceError(_l("Type or scan a meeting's code."), "code")
    meeting = meeting_by_code(event, wanted)
    if meeting is None:
        raise ServiceError(_l("No meeting of this event has the code %(code)s.", code=wanted[:32]), "code")
    try:
        return check_in_meeting(actor, meeting, now)
    except ServiceError as error:  # on the page, the refusal belongs next to the code typed
        raise ServiceError(error.message, "code") from None


def check_in_meeting(actor, meeting: Meeting, now: datetime | None = None) -> CheckinResult:
    """Mark this meeting held, once (a second call says when it was); ServiceError when it is not
    published, cancelled or on a later day. The API checks in by meeting, the page by code."""
    event = meeting.session.event
    if not can_check_in(actor, event):
        raise PermissionDenied
    now = now or utcnow()
    if not meeting.published:
        raise ServiceError(_l("This meeting has not been published yet."))
    if meeting.status == "cancelled":
        raise ServiceError(_l("This meeting was cancelled."))
    slots = session_slots(meeting.session, event.timezone)
    if 0 <= meeting.slot < len(slots):
        day = slots[meeting.slot].start.date()
        if to_local(event, now).date() < day:
            # An early or mistaken scan must not mark a future meeting as held.
            raise ServiceError(
                _l(
                    "This meeting is on %(date)s; it can be checked in from that day.",
                    date=i18n.day_text(day),
                )
            )
    before = meeting.status  # "no_show" when the job ran before a phone's offline check-in synced
    if meeting.checked_in_at is None:  # the event may let in at meetings only who came in at the gate
        ensure_gate_passed(event, [meeting.buyer, meeting.producer], now)
    # A conditional update, so two hosts scanning at the same moment check it in once.
    done = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.checked_in_at.is_(None), Meeting.status != "cancelled")
        .values(status="held", checked_in_at=now, checked_in_by_id=getattr(actor, "id", None))
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(meeting)
    if done:
        code = normalise_code(meeting.checkin_code)
        signals.organiser_action.send(
            actor,
            event_id=event.id,
            action="meeting_checked_in",
            subject=f"{meeting.buyer.organisation.name} ↔ {meeting.producer.organisation.name} ({code})",
            changes={"status": [before, "held"]},
        )
        signals.meeting_checked_in.send(meeting)
    return CheckinResult(
        meeting=meeting,
        already=done == 0,
        checked_in_at=to_local(event, meeting.checked_in_at or now),
        table=table_label(meeting.session, meeting.table),
    )


def record_no_shows(now: datetime | None = None) -> list[int]:
    """Mark published meetings nobody checked in 15 minutes after their end as no-shows.

    Idempotent: only meetings still "scheduled" and not checked in change. Returns their ids.
    """
    now = now or utcnow()
    rows = db.session.execute(
        select(Meeting.id, Meeting.slot, MatchingSession, Event.timezone)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(Event, Event.id == MatchingSession.event_id)
        .where(
            Meeting.published.is_(True),
            Meeting.status == "scheduled",
            Meeting.checked_in_at.is_(None),
            Event.state != "cancelled",
            MatchingSession.first_day <= (now + timedelta(days=1)).date(),
        )
    ).all()
    by_session: dict[int, list[tuple[int, int]]] = defaultdict(list)
    sessions: dict[int, tuple[MatchingSession, str]] = {}
    for meeting_id, slot, session, timezone in rows:
        by_session[session.id].append((meeting_id, slot))
        sessions[session.id] = (session, timezone)
    due: list[int] = []
    for session_id, meetings in by_session.items():
        session, timezone = sessions[session_id]
        ends = {slot.index: slot.end_utc for slot in session_slots(session, timezone)}
        due.extend(
            meeting_id for meeting_id, slot in meetings if slot in ends and ends[slot] + NO_SHOW_GRACE <= now
        )
    if not due:
        return []
    db.session.execute(
        update(Meeting)
        .where(Meeting.id.in_(due), Meeting.status == "scheduled", Meeting.checked_in_at.is_(None))
        .values(status="no_show", updated_at=now)
        .execution_options(synchronize_session=False)
    )
    db.session.flush()
    for meeting_id in due:  # objects already loaded in this session see the change
        meeting = db.session.get(Meeting, meeting_id)
        if meeting is not None:
            db.session.refresh(meeting)
    return sorted(due)


def recent_checkins(actor, event: Event, limit: int = 10) -> list[Meeting]:
    """The event's latest check-ins, newest first, for the check-in page."""
    if not can_check_in(actor, event):
        raise PermissionDenied
    return list(
        db.session.scalars(
            select(Meeting)
            .join(MatchingSession, MatchingSession.id == Meeting.session_id)
            .where(MatchingSession.event_id == event.id, Meeting.checked_in_at.is_not(None))
            .order_by(Meeting.checked_in_at.desc())
            .limit(limit)
        )
    )


def checkins_page(actor, event: Event, *, page: int = 1, per_page: int = 25) -> tuple[list[tuple], int]:
    """For the API: the event's checked-in meetings, newest first, each with who checked it in
    (None once that account is gone), and how many there are. One statement whatever the page's
    size: the sides' registrations and organisations and the session come with the rows."""
    if not can_check_in(actor, event):
        raise PermissionDenied
    query = (
        select(Meeting, User)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .outerjoin(User, User.id == Meeting.checked_in_by_id)
        .where(MatchingSession.event_id == event.id, Meeting.checked_in_at.is_not(None))
        .options(
            *with_session_and_sides(),
        )
        .order_by(Meeting.checked_in_at.desc(), Meeting.id.desc())
    )
    rows, total = rows_and_total(query, page=page, per_page=per_page)
    return [(meeting, user) for meeting, user in rows], total


# ---------------------------------------------------------------- entries synced by the phone apps

OLDEST_SCAN = timedelta(days=3)  # a phone's scan older than this is not taken


class BadEntry(ValueError):
    """An entry a phone app synced that the server cannot read (its message says why, for the device)."""


def scan_time(scanned, now: datetime, too_old) -> datetime:
    """A device's `scanned_at` (ISO 8601 with its offset; absent: now), never later than now;
    BadEntry when it is not a time or older than OLDEST_SCAN (`too_old` says so)."""
    if scanned is None:
        return now
    if not isinstance(scanned, str) or len(scanned) > 40:
        raise BadEntry(_("The scan time is not valid."))
    try:
        at = datetime.fromisoformat(scanned.replace("Z", "+00:00"))
    except ValueError:
        raise BadEntry(_("The scan time is not valid.")) from None
    if at.tzinfo is None:
        raise BadEntry(_("The scan time is not valid."))
    if at < now - OLDEST_SCAN:
        raise BadEntry(too_old)
    return min(at, now)
