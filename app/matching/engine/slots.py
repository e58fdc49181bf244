"""A matchmaking session's slots, from its settings, in the event's time zone.

Pure: takes plain values (and a session-like object), imports neither Flask nor the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Slot:
    index: int
    start: datetime  # aware, in the event's zone
    end: datetime

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)


class BreakError(ValueError):
    """A break the parser can't read; `code` and `params` let the caller say it in any language.

    Codes: "format" (not two times of day), "time" (a time that doesn't exist, as 25:00),
    "order" (ends before it starts). `params["item"]` is the text as written. str() stays
    English for logs and the command line.
    """

    MESSAGES = {
        "format": "{item!r}: write a break as HH:MM-HH:MM",
        "time": "{item!r}: {time!r} is not a time of day",
        "order": "{item!r}: the break must end after it starts",
    }

    def __init__(self, code: str, **params: str):
        super().__init__(self.MESSAGES[code].format(**params))
        self.code = code
        self.params = params


# A time of day as people write it: 12:00, 12.00, 12h00, 12h, 12g30 (Vietnamese "giờ"), 12.
_TIME = r"(\d{1,2})(?:\s*[:.hHgG]\s*(\d{2})?)?"
# Two times joined by a hyphen, an en or em dash, a tilde, "to" or "đến".
_RANGE = re.compile(_TIME + r"\s*(?:-|\u2013|\u2014|~|\bto\b|đến)\s*" + _TIME)
# Breaks are separated by new lines, commas or semicolons.
_SEPARATORS = re.compile(r"[\n\r,;]+")


def _time_of_day(hours: str, minutes: str | None, item: str) -> time:
    hour, minute = int(hours), int(minutes or 0)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise BreakError("time", item=item, time=f"{hours}:{minutes or '00'}")
    return time(hour, minute)


def parse_breaks(text: str) -> list[tuple[time, time]]:
    """The breaks of a day, as organisers write them → [(start, end)], sorted.

    "12:00-13:30", "12h00 – 13h30 nghỉ trưa", "10:00-10:15; 15:00-15:15": one break per
    line, comma or semicolon, each two times of day, with any label before or after
    (a label holds no digits). Raises BreakError naming the item it can't read.
    """
    breaks = []
    for raw in _SEPARATORS.split(text or ""):
        item = raw.strip()
        if not item:
            continue
        found = _RANGE.search(item)
        if found is None or any(ch.isdigit() for ch in item[: found.start()] + item[found.end() :]):
            raise BreakError("format", item=item)
        start = _time_of_day(found.group(1), found.group(2), item)
        end = _time_of_day(found.group(3), found.group(4), item)
        if end <= start:
            raise BreakError("order", item=item)
        breaks.append((start, end))
    return sorted(breaks)


def compute_slots(
    *,
    timezone: str,
    first_day: date,
    last_day: date,
    day_start: time,
    day_end: time,
    meeting_minutes: int,
    gap_minutes: int,
    breaks: str = "",
) -> list[Slot]:
    """Every meeting slot of the session in order; a slot never overlaps a break or the day's end."""
    zone = ZoneInfo(timezone)
    pauses = parse_breaks(breaks)
    length, gap = timedelta(minutes=meeting_minutes), timedelta(minutes=gap_minutes)
    slots: list[Slot] = []
    day = first_day
    while day <= last_day:
        cursor = datetime.combine(day, day_start, zone)
        close = datetime.combine(day, day_end, zone)
        while cursor + length <= close:
            end = cursor + length
            clash = next(
                (
                    datetime.combine(day, b_end, zone)
                    for b_start, b_end in pauses
                    if cursor < datetime.combine(day, b_end, zone)
                    and datetime.combine(day, b_start, zone) < end
                ),
                None,
            )
            if clash is not None:
                cursor = clash
                continue
            slots.append(Slot(len(slots), cursor, end))
            cursor = end + gap
        day += timedelta(days=1)
    return slots


def session_slots(session, timezone: str) -> list[Slot]:
    """The slots of a MatchingSession-like object (attributes as in app.matching.models)."""
    return compute_slots(
        timezone=timezone,
        first_day=session.first_day,
        last_day=session.last_day,
        day_start=session.day_start,
        day_end=session.day_end,
        meeting_minutes=session.meeting_minutes,
        gap_minutes=session.gap_minutes,
        breaks=session.breaks,
    )
