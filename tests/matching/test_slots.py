"""A session's slots follow its day, meeting length, gaps and breaks."""

from datetime import date, time

import pytest

from app.matching.engine.slots import BreakError, compute_slots, parse_breaks


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


def test_a_badly_written_break_is_refused_with_a_code_and_its_text():
    with pytest.raises(BreakError) as error:
        parse_breaks("noon-13h")
    assert (error.value.code, error.value.params) == ("format", {"item": "noon-13h"})
    with pytest.raises(BreakError) as error:
        parse_breaks("13:00-12:00")
    assert (error.value.code, error.value.params["item"]) == ("order", "13:00-12:00")
    with pytest.raises(BreakError) as error:
        parse_breaks("12:00-13:30, 24:00-25:00")
    assert (error.value.code, error.value.params) == ("time", {"item": "24:00-25:00", "time": "24:00"})
    for unreadable in ("lunch", "12:00", "12:00-13:30 14:00-15:00", "ca 2 12:00-13:00"):
        with pytest.raises(BreakError, match="HH:MM-HH:MM"):
            parse_breaks(unreadable)


def test_the_session_forms_hint_is_a_valid_break():
    """The hint reads "ví dụ 12:00-13:30 nghỉ trưa" in Vietnamese: what it shows is accepted."""
    assert parse_breaks("12:00-13:30 nghỉ trưa") == [(time(12, 0), time(13, 30))]


@pytest.mark.parametrize(
    "written",
    [
        "12:00 - 13:30",
        "12:00–13:30",
        "12h00-13h30",
        "12h – 13h30 lunch",
        "Nghỉ trưa: 12:00-13:30",
        "12.00-13.30",
        "12:00 đến 13:30",
    ],
)
def test_breaks_are_read_as_people_write_them(written):
    assert parse_breaks(written) == [(time(12, 0), time(13, 30))]


def test_several_breaks_are_separated_by_lines_commas_or_semicolons():
    expected = [(time(10, 0), time(10, 15)), (time(12, 0), time(13, 30)), (time(15, 0), time(15, 15))]
    assert parse_breaks("12:00-13:30 nghỉ trưa; 10:00-10:15, 15h00-15h15") == expected
    assert parse_breaks("10:00-10:15\n12:00-13:30\n\n15:00-15:15\n") == expected
