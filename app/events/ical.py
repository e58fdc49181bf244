"""An event's programme as one iCalendar feed (specs/calendar.md).

Plain function on plain objects: no request, no database session. The route passes
the event, its items, the configured UID domain (CALENDAR_UID_DOMAIN, never the server's
host and port: a UID must outlive a move of the site) and the public page URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.database import utcnow
from app.events.models import Event, ProgrammeItem

if TYPE_CHECKING:
    import icalendar

PRODID = "-//ocopfair//OCOP fairs//VI"
# How often subscribed clients should fetch the feed again (RFC 7986 and Outlook's X- name).
REFRESH_INTERVAL = timedelta(hours=1)


def programme_uid(item: ProgrammeItem, host: str) -> str:
    """Stable for the life of the item and unique across events; `host` is the UID domain."""
    return f"programme-{item.id}@{host}"


def add_text(calendar: icalendar.Calendar, name: str, value: str) -> None:
    """A calendar-level text property (NAME, X-WR-CALNAME, X-WR-CALDESC), escaped and VALUE=TEXT.

    A property a reader doesn't know (an X- one, or RFC 7986's NAME) has no type, so ical.js,
    ts-ics and icalendar keep its value raw ("OCOP\\, Hạ Long") unless the line says
    VALUE=TEXT; vobject unescapes either way.
    """
    import icalendar

    calendar.add(name, icalendar.vText(value), parameters={"VALUE": "TEXT"})


def _location(event: Event, item: ProgrammeItem) -> str:
    parts = [item.location]
    if event.has_venue and event.venue_name:
        parts.append(event.venue_name)
    return " · ".join(part for part in parts if part)


def _description(item: ProgrammeItem, event_url: str) -> str:
    return "\n\n".join(part for part in (item.description, event_url) if part)


def _status_and_sequence(event: Event, item: ProgrammeItem) -> tuple[str, int]:
    if item.cancelled:
        return "CANCELLED", item.sequence
    if event.state == "cancelled":
        # The whole event was called off: every item goes, and clients only apply
        # a cancellation whose SEQUENCE is above the one they hold.
        return "CANCELLED", item.sequence + 1
    return "CONFIRMED", item.sequence


def _in_feed(event: Event, item: ProgrammeItem, now: datetime) -> bool:
    """Cancelled items stay until the event has ended, so subscribed clients see them go."""
    return not item.cancelled or now < event.ends_at


def programme_calendar(
    event: Event,
    items: Iterable[ProgrammeItem],
    *,
    host: str,
    event_url: str,
    locale: str = "vi",
    now: datetime | None = None,
) -> bytes:
    """The programme as one VCALENDAR (METHOD:PUBLISH), UTF-8 bytes with CRLF and folded lines."""
    import icalendar  # here, not at the top: only the feed needs it, and it is slow to import

    now = now or utcnow()
    zone = ZoneInfo(event.timezone)
    calendar = icalendar.Calendar.new(
        prodid=PRODID,
        calscale="GREGORIAN",
        method="PUBLISH",
        uid=f"event-{event.id}@{host}",  # fixed: Calendar.new would make a random one
        url=event_url,
        refresh_interval=REFRESH_INTERVAL,
    )
    # As vText (escaped), not Calendar.new(name=...), which leaves commas unescaped and makes
    # other readers split "Hội chợ OCOP, Hạ Long" into a list.
    add_text(calendar, "NAME", event.name_in(locale))
    add_text(calendar, "X-WR-CALNAME", event.name_in(locale))
    calendar.add("X-WR-TIMEZONE", event.timezone)
    calendar.add("X-PUBLISHED-TTL", icalendar.vDuration(REFRESH_INTERVAL).to_ical().decode())
    description = event.description_in(locale)
    if description:
        add_text(calendar, "X-WR-CALDESC", description)

    stamp = now.astimezone(ZoneInfo("UTC")).replace(microsecond=0)
    for item in sorted(items, key=lambda i: (i.starts_at, i.id)):
        if not _in_feed(event, item, now):
            continue
        status, sequence = _status_and_sequence(event, item)
        calendar.add_component(
            icalendar.Event.new(
                uid=programme_uid(item, host),
                stamp=stamp,
                last_modified=(item.updated_at or item.created_at or now)
                .astimezone(ZoneInfo("UTC"))
                .replace(microsecond=0),
                sequence=sequence,
                start=item.starts_at.astimezone(zone),
                end=item.ends_at.astimezone(zone),
                summary=item.title_in(locale),
                location=_location(event, item),
                description=_description(item, event_url),
                url=event_url,
                status=status,
            )
        )

    # The VTIMEZONE is built from the zoneinfo rules; one year either side of the
    # event keeps it short while covering every item and any client's look-around.
    calendar.add_missing_timezones(
        first_date=date(event.starts_at.astimezone(zone).year - 1, 1, 1),
        last_date=date(event.ends_at.astimezone(zone).year + 2, 1, 1),
    )
    if not calendar.timezones:
        # No item uses the zone yet (empty programme): still say which zone the event keeps.
        calendar.add_component(
            icalendar.Timezone.from_tzinfo(
                zone,
                tzid=event.timezone,
                first_date=date(event.starts_at.year - 1, 1, 1),
                last_date=date(event.ends_at.year + 2, 1, 1),
            )
        )
    return calendar.to_ical()
