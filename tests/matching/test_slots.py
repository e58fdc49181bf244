"""A session's slots follow its day, meeting length, gaps and breaks."""

from datetime import date, time

import pytest

from app.matching.engine.slots import compute_slots, parse_breaks


def test_slots_fill_the_day_around_the_lunch_break():
    slots = compute_slots(
        timezone="Asia/Ho_Chi_Minh",
        first_day=date(2026, 12, 3),
        last_day=date(2026, 12, 4),
        day_start=time(8, 30),
        day_end=time(12, 30),
        meeting_minutes=20,
        gap_minutes=5,
        breaks="10:00-10:30",
    )
    starts = [s.start.strftime("%d %H:%M") for s in slots]
    assert starts[:5] == ["03 08:30", "03 08:55", "03 09:20", "03 10:30", "03 10:55"]
    assert all(not (s.start.hour == 10 and s.start.minute < 30) for s in slots)
    assert slots[-1].end.strftime("%d %H:%M") <= "04 12:30"
    assert [s.index for s in slots] == list(range(len(slots)))
    assert slots[0].start_utc.hour == 1  # 08:30 in Hạ Long is 01:30 UTC


def test_a_badly_written_break_is_refused_with_its_text():
    with pytest.raises(ValueError, match="12h-13h"):
        parse_breaks("12h-13h")
    with pytest.raises(ValueError, match="end after"):
        parse_breaks("13:00-12:00")
