"""Recording organiser actions (a receiver of signals.organiser_action) and reading them back."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, or_, select

from app import clock, i18n, signals
from app.data.vocab import BUYER_TYPES
from app.database import utcnow
from app.eventlog.models import EventLogEntry
from app.events.forms import EVENT_KIND_LABELS, STATE_LABELS
from app.extensions import db
from app.paging import counted_page, rows_and_total

PER_PAGE = 50

#: Every action the log knows, with its label for the filter and the rows.
ACTIONS = {
    "registration_approved": _l("Registration approved"),
    "registration_rejected": _l("Registration rejected"),
    "booths_allocated": _l("Booths allocated"),
    "booth_moved": _l("Booth moved"),
    "booths_swapped": _l("Booths swapped"),
    "payment_confirmed": _l("Payment confirmed"),
    "payment_waived": _l("Payment waived"),
    "matching_run": _l("Matching run"),
    "matching_repaired": _l("Matching repaired"),
    "matching_published": _l("Meetings published"),
    "meeting_moved": _l("Meeting moved"),
    "meeting_removed": _l("Meeting removed"),
    "meeting_checked_in": _l("Meeting checked in"),
    "forum_pair_added": _l("Forum pair added"),
    "forum_pair_removed": _l("Forum pair removed"),
    "forum_pair_changed": _l("Forum pair changed"),
    "catalogue_imported": _l("Catalogue import confirmed"),
    "event_cloned": _l("Event cloned"),
    "export": _l("Export"),
    "dashboard_downloaded": _l("Dashboard downloaded"),
    "programme_downloaded": _l("Programme figures downloaded"),
    "walk_in_registered": _l("Walk-in registered"),
    "gate_checked_in": _l("Checked in at the gate"),
    "booking_cancelled": _l("Booking cancelled"),
    "event_state_changed": _l("Event status changed"),
    "matching_settings_changed": _l("Matchmaking settings changed"),
    "hall_added": _l("Hall added"),
    "hall_changed": _l("Hall changed"),
    "hall_removed": _l("Hall removed"),
    "zone_added": _l("Zone rule added"),
    "zone_changed": _l("Zone rule changed"),
    "zone_removed": _l("Zone rule removed"),
    "booth_added": _l("Booth added"),
    "booth_changed": _l("Booth changed"),
    "booth_removed": _l("Booth removed"),
}
#: Actions recorded outside any event (event_id None), offered by the filter of that log.
OUTSIDE_EVENT_ACTIONS = ("catalogue_imported", "programme_downloaded")
#: Entries outside any event every organiser reads (the catalogue is shared, and its imports page
#: already lists everyone's files); any other (a programme download) only its author and admins.
SHARED_OUTSIDE_EVENT_ACTIONS = ("catalogue_imported",)


def record(
    actor,
    *,
    event_id: int | None,
    action: str,
    subject: str = "",
    changes: dict | None = None,
    now: datetime | None = None,
) -> EventLogEntry:
    """Write one entry in the current transaction (flushes, never commits)."""
    if action not in ACTIONS:
        raise ValueError(f"unknown event log action {action!r}")
    entry = EventLogEntry(
        event_id=event_id,
        actor_id=getattr(actor, "id", None),
        actor_name=(getattr(actor, "full_name", None) or getattr(actor, "email", None) or "")[:120],
        at=now or utcnow(),
        action=action,
        subject=(subject or "")[:500],
        details_json=_plain(changes or {}),
    )
    db.session.add(entry)
    db.session.flush()
    return entry


def _plain(value):
    """JSON-safe copy: dates and other objects become text."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@signals.organiser_action.connect
def _on_organiser_action(actor, **kw) -> None:
    record(
        actor,
        event_id=kw.get("event_id"),
        action=kw["action"],
        subject=kw.get("subject", ""),
        changes=kw.get("changes"),
    )


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC moments a Vietnam calendar day starts and ends."""
    start = datetime.combine(day, time(0), tzinfo=clock.VIETNAM)
    return start, start + timedelta(days=1)


def event_scope(event):
    """The condition of an event's entries."""
    return EventLogEntry.event_id == event.id


def _scope(event_or_scope):
    return event_or_scope if isinstance(event_or_scope, ColumnElement) else event_scope(event_or_scope)


def outside_events_scope(viewer):
    """The condition of the entries outside any event that `viewer` may read: an admin every one;
    an organiser the shared ones (catalogue imports) and their own (programme downloads)."""
    outside = EventLogEntry.event_id.is_(None)
    if getattr(viewer, "role", None) == "admin":
        return outside
    return and_(
        outside,
        or_(
            EventLogEntry.action.in_(SHARED_OUTSIDE_EVENT_ACTIONS),
            EventLogEntry.actor_id == getattr(viewer, "id", None),
        ),
    )


def _filtered(scope, action: str | None, actor_id: int | None, day: date | None):
    query = select(EventLogEntry).where(scope)
    if action:
        query = query.where(EventLogEntry.action == action)
    if actor_id:
        query = query.where(EventLogEntry.actor_id == actor_id)
    if day is not None:
        start, end = _day_bounds(day)
        query = query.where(EventLogEntry.at >= start, EventLogEntry.at < end)
    return query


def entries_page(
    event_or_scope,
    *,
    action: str | None = None,
    actor_id: int | None = None,
    day: date | None = None,
    page: int = 1,
):
    """A page (newest first, PER_PAGE a page) of the event's entries (or of a scope's: an
    `outside_events_scope`), filtered; one query (two for a page past the end: its total)."""
    scope = _scope(event_or_scope)
    query = _filtered(scope, action, actor_id, day).order_by(EventLogEntry.at.desc(), EventLogEntry.id.desc())
    rows, total = rows_and_total(query, page=page, per_page=PER_PAGE)
    return counted_page([row[0] for row in rows], total, page=page, per_page=PER_PAGE)


def actors_of(event_or_scope) -> list[tuple[int, str]]:
    """The people who acted on the event (or within a scope): (id, latest name), for the filter; one query."""
    scope = _scope(event_or_scope)
    rows = db.session.execute(
        select(EventLogEntry.actor_id, EventLogEntry.actor_name)
        .where(scope, EventLogEntry.actor_id.is_not(None))
        .group_by(EventLogEntry.actor_id, EventLogEntry.actor_name)
        .order_by(EventLogEntry.actor_name)
    ).all()
    seen: dict[int, str] = {}
    for actor_id, name in rows:
        seen.setdefault(actor_id, name)
    return sorted(seen.items(), key=lambda item: item[1].lower())


#: The changes' fields and the values of statuses, payments and roles, in the reader's language;
#: anything else (a booth code, an organisation's name, a number) is shown as recorded.
FIELD_LABELS = {
    "status": _l("Status"),
    "reason": _l("Reason"),
    "role": _l("Role"),
    "gate": _l("Gate"),
    "booth": _l("Booth"),
    "payment": _l("Payment"),
    "slot": _l("Slot"),
    "table": _l("Table"),
    "published": _l("Published"),
    "placed": _l("Placed"),
    "unplaced": _l("Not placed"),
    "meetings": _l("Meetings"),
    "meetings added": _l("Meetings added"),
    "meetings cancelled": _l("Meetings cancelled"),
    "infeasible": _l("Meetings no longer possible"),
    "participants": _l("Participants"),
    "created": _l("Created"),
    "updated": _l("Updated"),
    "rows": _l("Rows"),
    "copy": _l("Copy"),
    "days moved": _l("Days moved"),
    "export": _l("Export"),
    "format": _l("Format"),
    "participant": _l("Participant"),
    "part of day": _l("Part of the day"),
    # Downloads and their filters.
    "download": _l("Download"),
    "buyer type": _l("Buyer type"),
    "province": _l("Province"),
    "from": _l("From"),
    "to": _l("To"),
    "year": _l("Year"),
    "event kind": _l("Kind of event"),
    # The event and its floor plan.
    "event status": _l("Event status"),
    "name": _l("Name"),
    "name (English)": _l("Name in English"),
    "name (French)": _l("Name in French"),
    "size": _l("Size"),
    "code": _l("Code"),
    "hall": _l("Hall"),
    "type": _l("Booth type"),
    "position": _l("Position"),
    "zones": _l("Zones"),
    "blocked": _l("Blocked"),
    "booths": _l("Booths"),
    "rule": _l("Rule"),
    "zone": _l("Zone"),
    # A matchmaking session's settings (the labels of its form).
    "kind": _l("Kind"),
    "name_en": _l("Name in English"),
    "name_fr": _l("Name in French"),
    "first_day": _l("First day"),
    "last_day": _l("Last day"),
    "day_start": _l("Meetings start at"),
    "day_end": _l("Meetings end by"),
    "meeting_minutes": _l("Meeting length (minutes)"),
    "gap_minutes": _l("Gap between meetings (minutes)"),
    "breaks": _l("Breaks"),
    "tables": _l("Tables"),
    "table_names": _l("Table names in Vietnamese"),
    "table_names_en": _l("Table names in English"),
    "table_names_fr": _l("Table names in French"),
    "max_meetings_per_buyer": _l("Most meetings per buyer"),
    "max_meetings_per_producer": _l("Most meetings per producer"),
    "weights": _l("Weights of the score terms"),
}
VALUE_LABELS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "waitlisted": _l("Waiting list"),
    "withdrawn": _l("Withdrawn"),
    "allocated": _l("Allocated"),
    "confirmed": _l("Confirmed"),
    "cancelled": _l("Cancelled"),
    "due": _l("Payment due"),
    "paid": _l("Paid"),
    "waived": _l("Waived"),
    "scheduled": _l("Scheduled"),
    "held": _l("Held"),
    "exhibitor": _l("Exhibitor"),
    "buyer": _l("Buyer"),
}
SESSION_KIND_LABELS = {  # app/matching/sessions/forms.py's KIND_LABELS (the same messages)
    "bipartite": _l("Buyers meet producers"),
    "forum": _l("Networking forum (anyone meets anyone)"),
}
#: The fields recorded as codes, and the labels of their values.
CODED_FIELDS = {
    "status": VALUE_LABELS,
    "payment": VALUE_LABELS,
    "role": VALUE_LABELS,
    "event status": STATE_LABELS,
    "event kind": EVENT_KIND_LABELS,
    "buyer type": BUYER_TYPES,
    "kind": SESSION_KIND_LABELS,
}


def _value_text(field: str, value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return str(_l("yes") if value else _l("no"))
    labels = CODED_FIELDS.get(field)
    if labels is not None and isinstance(value, str) and value in labels:
        return str(labels[value])
    return str(value)


def details_lines(entry: EventLogEntry) -> list[str]:
    """The changes as readable lines in the reader's language: "Status: Pending → Approved", "Placed: 12"."""
    lines, sep = [], i18n.colon()
    for field, value in (entry.details_json or {}).items():
        label = FIELD_LABELS.get(field, field)
        if isinstance(value, list) and len(value) == 2:
            lines.append(f"{label}{sep}{_value_text(field, value[0])} → {_value_text(field, value[1])}")
        else:
            lines.append(f"{label}{sep}{_value_text(field, value)}")
    return lines
