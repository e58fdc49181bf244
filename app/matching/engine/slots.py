"""A matchmaking session's slots, from its settings, in the event's time zone.

Pure: takes plain values (and a session-like object), imports neither Flask nor the database.
"""

from __future__ import annotations

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


def parse_breaks(text: str) -> list[tuple[time, time]]:
    """'12:00-13:30' lines (or comma-separated) → [(12:00, 13:30)]; raises ValueError naming the bad one."""
    breaks = []
    for raw in (text or "").replace(",", "\n").splitlines():
        item = raw.strip()
        if not item:
            continue
        try:
            start_text, end_text = (part.strip() for part in item.split("-"))
            start, end = time.fromisoformat(start_text), time.fromisoformat(end_text)
        except ValueError as error:
            raise ValueError(f"{item!r}: write a break as HH:MM-HH:MM") from error
        if end <= start:
            raise ValueError(f"{item!r}: the break must end after it starts")
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
