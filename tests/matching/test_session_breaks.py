"""The session form reads breaks as its hint writes them and says what it refuses in the page's language."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from app.matching.engine.slots import BreakError, parse_breaks
from app.matching.models import MatchingSession
from app.matching.sessions import services
from tests.pages import field_error


def _form(fair, breaks: str) -> dict:
    first, _last = services.event_days(fair.event)
    return {
        "name": "Buyer meetings",
        "first_day": first.isoformat(),
        "last_day": first.isoformat(),
        "day_start": "11:00",
        "day_end": "14:00",
        "meeting_minutes": "20",
        "gap_minutes": "5",
        "breaks": breaks,
        "tables": "2",
        "table_names": "",
        "max_meetings_per_buyer": "8",
        "max_meetings_per_producer": "8",
    }


def test_the_hints_own_example_creates_a_session_with_that_break(db, fair, client, login):
    login(fair.organiser)
    base = f"/manage/events/{fair.event.id}/matching"
    created = client.post(f"{base}?lang=vi", data=_form(fair, "12:00-13:30 nghỉ trưa"))
    assert created.status_code == 302, created.get_data(as_text=True)[:2000]
    session = db.session.scalar(select(MatchingSession).where(MatchingSession.event_id == fair.event.id))
    starts = [slot.start.strftime("%H:%M") for slot in services.slots_of(session)]
    assert starts == ["11:00", "11:25", "13:30"], "no meeting during the lunch break"


def test_a_bad_break_is_told_next_to_the_field_in_the_pages_language(db, fair, client, login, html):
    login(fair.organiser)
    base = f"/manage/events/{fair.event.id}/matching"
    raw = str(_raw_error("12:00-13:30, noon-14:00"))  # "'noon-14:00': write a break as HH:MM-HH:MM"
    english = html(client.post(f"{base}?lang=en", data=_form(fair, "12:00-13:30, noon-14:00")))
    assert field_error(english, "breaks") == (
        "“noon-14:00”: write a break as HH:MM-HH:MM, e.g. 12:00-13:30 lunch; separate breaks with commas."
    )
    reversed_break = html(client.post(f"{base}?lang=en", data=_form(fair, "13:30-12:00")))
    assert field_error(reversed_break, "breaks") == "“13:30-12:00”: a break must end after it starts."
    vietnamese = client.post(f"{base}?lang=vi", data=_form(fair, "12:00-13:30, noon-14:00"))
    assert vietnamese.status_code == 200
    message = field_error(html(vietnamese), "breaks")
    assert "noon-14:00" in message, "the message names what it could not read"
    assert raw not in vietnamese.get_data(as_text=True), "not the parser's raw English error"
    assert "ValueError" not in vietnamese.get_data(as_text=True)
    assert db.session.scalars(select(MatchingSession)).all() == []


def _raw_error(text: str) -> BreakError:
    try:
        parse_breaks(text)
    except BreakError as error:
        return error
    raise AssertionError(f"{text!r} was accepted")


def test_a_session_keeps_its_breaks_as_written(fair):
    session = fair.session(day_start=time(11, 0), day_end=time(14, 0), breaks="12h00 – 13h30 nghỉ trưa")
    assert session.breaks == "12h00 – 13h30 nghỉ trưa"
    assert [slot.start.strftime("%H:%M") for slot in services.slots_of(session)][-1] == "13:30"
