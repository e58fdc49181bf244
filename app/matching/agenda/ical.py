"""A participant's agenda as iCalendar (specs/calendar.md), the way app.events.ical does the programme.

- `agenda_calendar`: the download and the subscription feed (METHOD:PUBLISH), one VEVENT per
  published meeting, UID `meeting-<id>@<CALENDAR_UID_DOMAIN>`, SEQUENCE the meeting's own (raised by
  whoever moves or cancels it), STATUS:CONFIRMED, or STATUS:CANCELLED for a removed meeting,
  which stays in the feed until the event ends so subscribed clients drop it.
- `meeting_invitation`: one meeting mailed as METHOD:REQUEST (new or moved) or
  METHOD:CANCEL (removed), with ORGANIZER and ATTENDEE as iTIP requires.

Plain functions on plain objects: no request, no database session; the caller gives the
UID domain as `host` (CALENDAR_UID_DOMAIN, not the server's host and port) and the URLs.
Call them where gettext works (a request, or force_locale).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from flask_babel import gettext

from app.database import utcnow
from app.events.ical import PRODID, REFRESH_INTERVAL, add_text
from app.events.models import Event, Registration
from app.matching.agenda.services import AgendaItem, products_text

if TYPE_CHECKING:
    import icalendar  # imported where a calendar is made: it is slow to import

INVITATION_METHODS = ("REQUEST", "CANCEL")


def meeting_uid(meeting_id: int, host: str) -> str:
    """Stable for the life of the meeting and unique across events and installations."""
    return f"meeting-{meeting_id}@{host}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)


def _status_and_sequence(event: Event, item: AgendaItem) -> tuple[str, int]:
    meeting = item.meeting
    if meeting.status == "cancelled":
        return "CANCELLED", meeting.sequence
    if event.state == "cancelled":
        # The whole event was called off: clients apply a cancellation only above the SEQUENCE they hold.
        return "CANCELLED", meeting.sequence + 1
    return "CONFIRMED", meeting.sequence


def _in_feed(event: Event, item: AgendaItem, now: datetime) -> bool:
    if item.slot is None or not item.meeting.published:
        return False
    return item.meeting.status != "cancelled" or now < event.ends_at


def summary(item: AgendaItem) -> str:
    return gettext("B2B meeting: %(name)s", name=item.counterpart.organisation.name)


def description(item: AgendaItem, *, locale: str, agenda_url: str, profile_url: str | None = None) -> str:
    """Counterpart, products or demand, why matched, check-in code and the agenda URL."""
    organisation = item.counterpart.organisation
    lines = [gettext("With: %(name)s", name=organisation.name)]
    if profile_url:
        lines.append(profile_url)
    what = products_text(item, locale)
    if what:
        if item.products:
            lines.append(gettext("Products: %(list)s", list=what))
        else:
            lines.append(gettext("Looking for: %(list)s", list=what))
    if item.why:
        lines.append(gettext("Why matched: %(reasons)s", reasons=" ".join(item.why)))
    lines.append(gettext("Check-in code: %(code)s", code=item.meeting.checkin_code))
    lines.append(gettext("Your agenda: %(url)s", url=agenda_url))
    return "\n".join(lines)


def _vevent(
    item: AgendaItem,
    *,
    host: str,
    status: str,
    sequence: int,
    stamp: datetime,
    locale: str,
    agenda_url: str,
    profile_url: str | None,
    now: datetime,
    **extra,
) -> icalendar.Event:
    import icalendar

    meeting = item.meeting
    return icalendar.Event.new(
        uid=meeting_uid(meeting.id, host),
        stamp=stamp,
        last_modified=_utc(meeting.updated_at or meeting.created_at or now),
        sequence=sequence,
        start=item.slot.start,
        end=item.slot.end,
        summary=summary(item),
        location=item.location,
        description=description(item, locale=locale, agenda_url=agenda_url, profile_url=profile_url),
        url=agenda_url,
        status=status,
        **extra,
    )


def _add_timezone(calendar: icalendar.Calendar, event: Event) -> None:
    """The VTIMEZONE of the event's zone, a year either side of the event (as app.events.ical).

    As calendar.add_missing_timezones does, but each VTIMEZONE is computed once per process
    (working out a zone's transitions over three years was half the cost of a feed).
    """
    zone = ZoneInfo(event.timezone)
    first = date(event.starts_at.astimezone(zone).year - 1, 1, 1)
    last = date(event.ends_at.astimezone(zone).year + 2, 1, 1)
    at = len(calendar.timezones)
    for tzid in sorted(calendar.get_missing_tzids()):
        timezone = _timezone(tzid, first, last, from_tzid=True)
        if timezone is not None:
            calendar.subcomponents.insert(at, timezone)
            at += 1
    if not calendar.timezones:  # no meeting uses the zone yet: still say which zone the event keeps
        calendar.add_component(_timezone(event.timezone, first, last, from_tzid=False))


@functools.lru_cache(maxsize=64)
def _timezone(tzid: str, first: date, last: date, *, from_tzid: bool) -> icalendar.Timezone | None:
    """A VTIMEZONE component, shared by the calendars that use it (they only serialise it)."""
    import icalendar

    if not from_tzid:
        return icalendar.Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=first, last_date=last)
    try:
        return icalendar.Timezone.from_tzid(tzid, first_date=first, last_date=last)
    except ValueError:  # a zone icalendar does not know: left out, as add_missing_timezones does
        return None


# RFC 5545 folding as icalendar's Contentline.to_ical does it (lines of at most 74 octets, never
# cut inside a UTF-8 character nor after a backslash or caret that starts an escape), on the
# line's UTF-8 bytes at once: icalendar encodes each character on its own, the largest single
# cost of an agenda's .ics under cProfile. tests/matching/test_agenda_ical_fold.py checks both agree.
FOLD_OCTETS = 74


def fold(line: str) -> bytes:
    """One content line, folded, as UTF-8 bytes (the same bytes as icalendar's)."""
    data = line.encode("utf-8")
    if len(data) <= FOLD_OCTETS:
        return data
    parts = []
    start = 0
    while len(data) - start > FOLD_OCTETS:
        end = start + FOLD_OCTETS
        while data[end] & 0xC0 == 0x80:  # a continuation byte: the character goes to the next line
            end -= 1
        if data[end - 1] in b"\\^":  # an escape's first character goes with what it escapes
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def to_ical(calendar: icalendar.Calendar) -> bytes:
    """`calendar.to_ical()`, folded by `fold`: CRLF after each line."""
    return b"\r\n".join(fold(line) for line in calendar.content_lines() if line) + b"\r\n"


def calendar_name(registration: Registration, event: Event, locale: str) -> str:
    return gettext(
        "Agenda — %(organisation)s, %(event)s",
        organisation=registration.organisation.name,
        event=event.name_in(locale),
    )


def agenda_calendar(
    event: Event,
    registration: Registration,
    items: Iterable[AgendaItem],
    *,
    host: str,
    agenda_url: str,
    profile_url: Callable[[Registration], str] | None = None,
    locale: str = "vi",
    now: datetime | None = None,
) -> bytes:
    """The agenda as one VCALENDAR (METHOD:PUBLISH): UTF-8 bytes, CRLF, lines folded at 75 octets."""
    import icalendar

    now = now or utcnow()
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        method="PUBLISH",
        uid=f"agenda-{registration.id}@{host}",
        url=agenda_url,
        refresh_interval=REFRESH_INTERVAL,
    )
    # Added as vText, not Calendar.new(name=...), which writes the name's commas unescaped
    # (and vobject then reads "Agenda — X, Y" as the list ["Agenda — X", "Y"]).
    name = calendar_name(registration, event, locale)
    add_text(calendar, "NAME", name)
    add_text(calendar, "X-WR-CALNAME", name)
    calendar.add("X-WR-TIMEZONE", event.timezone)
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH_INTERVAL).to_ical().decode())
    stamp = _utc(now)
    for item in items:
        if not _in_feed(event, item, now):
            continue
        status, sequence = _status_and_sequence(event, item)
        calendar.add_component(
            _vevent(
                item,
                host=host,
                status=status,
                sequence=sequence,
                stamp=stamp,
                locale=locale,
                agenda_url=agenda_url,
                profile_url=profile_url(item.counterpart) if profile_url else None,
                now=now,
            )
        )
    _add_timezone(calendar, event)
    return to_ical(calendar)


def meeting_invitation(
    event: Event,
    registration: Registration,
    item: AgendaItem,
    *,
    method: str,
    host: str,
    organiser_email: str,
    attendee_email: str,
    agenda_url: str,
    profile_url: str | None = None,
    locale: str = "vi",
    now: datetime | None = None,
) -> bytes:
    """One meeting for a mail attachment: METHOD:REQUEST (new or moved) or METHOD:CANCEL (removed).

    The SEQUENCE is the meeting's own: the service that moves or cancels a meeting raises it
    before the invitation is made, so the client replaces the copy it holds.
    """
    import icalendar

    if method not in INVITATION_METHODS:
        raise ValueError(f"method must be one of {INVITATION_METHODS}")
    if item.slot is None:
        raise ValueError("the meeting's slot is not in the session any more")
    now = now or utcnow()
    calendar = icalendar.Calendar.new(prodid=PRODID, calscale="GREGORIAN", method=method)
    status = "CANCELLED" if method == "CANCEL" else "CONFIRMED"
    sequence = item.meeting.sequence
    if method == "CANCEL" and item.meeting.status != "cancelled":
        sequence += 1  # cancelling a meeting still stored as scheduled (the event was called off)
    organizer = icalendar.vCalAddress(f"mailto:{organiser_email}")
    organizer.params["CN"] = event.name_in(locale)
    attendee = icalendar.vCalAddress(f"mailto:{attendee_email}")
    attendee.params.update(
        {
            "CN": registration.organisation.name,
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "FALSE",
        }
    )
    calendar.add_component(
        _vevent(
            item,
            host=host,
            status=status,
            sequence=sequence,
            stamp=_utc(now),
            locale=locale,
            agenda_url=agenda_url,
            profile_url=profile_url,
            now=now,
            organizer=organizer,
            attendees=[attendee],
        )
    )
    _add_timezone(calendar, event)
    return to_ical(calendar)
