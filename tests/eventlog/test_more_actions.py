"""More organiser actions in the event log: a booking cancelled by an organiser, the event's
status moved, a matchmaking session's settings, and the floor plan (halls, booths, zone rules)
added, changed or removed; each with what changed, read on the log page in the reader's language."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import delete, select

from app.booths.booking import services as booking
from app.booths.plan import services as plan
from app.eventlog.models import EventLogEntry
from app.events import services as events
from app.matching.sessions import services as sessions
from tests.booths.conftest import Fair
from tests.conftest import NOW, text_of


def entries(db, action: str) -> list[EventLogEntry]:
    query = select(EventLogEntry).where(EventLogEntry.action == action).order_by(EventLogEntry.id)
    return list(db.session.scalars(query))


@pytest.fixture()
def fair(db, organiser, make_producer, make_user, make_product, make_open_event):
    return Fair(db, organiser, make_producer, make_user, make_product, make_open_event)


def _allocated(db, fair):
    (booth,) = fair.add_booths(1)
    fair.first_come()
    user, registration = fair.exhibitor()
    return user, booking.pick_booth(user, registration, booth)


def test_an_organiser_cancelling_a_booking_is_recorded_an_exhibitor_giving_it_back_is_not(db, fair):
    user, assignment = _allocated(db, fair)
    booking.cancel_assignment(user, assignment)  # the exhibitor's own: not an organiser action
    assert entries(db, "booking_cancelled") == []
    user, assignment = _allocated(db, fair)
    booking.confirm_payment(fair.organiser, assignment)
    booking.cancel_assignment(fair.organiser, assignment)
    (cancelled,) = entries(db, "booking_cancelled")
    assert (cancelled.event_id, cancelled.actor_id) == (fair.event.id, fair.organiser.id)
    assert cancelled.subject == f"{assignment.registration.organisation.name} · {assignment.booth.code}"
    assert cancelled.details_json == {"status": ["confirmed", "cancelled"], "payment": "paid"}


def test_the_events_status_changes_are_recorded_the_schedulers_as_the_systems(db, organiser, make_open_event):
    event = make_open_event(organiser)  # created as a draft, then opened
    (opened,) = entries(db, "event_state_changed")
    assert (opened.actor_id, opened.subject) == (organiser.id, event.name_vi)
    assert opened.details_json == {"event status": ["draft", "registration_open"]}
    events.move_event(None, event, "cancelled", now=NOW)
    _opened, cancelled = entries(db, "event_state_changed")
    assert cancelled.actor_id is None and cancelled.details_json == {
        "event status": ["registration_open", "cancelled"]
    }
    refused = len(entries(db, "event_state_changed"))
    with pytest.raises(Exception):  # noqa: B017 - a cancelled event moves no further
        events.move_event(organiser, event, "running", now=NOW)
    assert len(entries(db, "event_state_changed")) == refused


def test_matchmaking_settings_are_recorded_when_set_and_when_they_change(db, fair):
    session = sessions.create_session(
        fair.organiser,
        fair.event,
        name="Kết nối giao thương",
        day_start=time(8, 30),
        day_end=time(10, 0),
        tables=4,
    )
    (created,) = entries(db, "matching_settings_changed")
    assert created.subject == "Kết nối giao thương"
    assert created.details_json["tables"] == 4 and created.details_json["day_start"] == "08:30:00"
    sessions.update_session(fair.organiser, session, tables=6, day_end=time(11, 0))
    sessions.update_session(fair.organiser, session, tables=6)  # nothing changed: nothing recorded
    _created, changed = entries(db, "matching_settings_changed")
    assert changed.details_json == {"day_end": ["10:00:00", "11:00:00"], "tables": [4, 6]}


def test_the_floor_plan_edits_are_recorded(db, fair):
    db.session.execute(delete(EventLogEntry))
    hall = events.save_hall(fair.organiser, fair.event, name="Nhà B", width_m=30, depth_m=20)
    events.save_hall(fair.organiser, fair.event, name="Nhà B", width_m=35, depth_m=20, hall=hall)
    booth = plan.save_booth(fair.organiser, hall, code="B-1", booth_type=fair.standard, x_m=0, y_m=0)
    plan.move_booth(fair.organiser, booth, x_m=5, y_m=2)
    plan.block_booth(fair.organiser, booth)
    block = plan.generate_block(
        fair.organiser, hall, rows=1, columns=3, booth_type=fair.standard, origin_y=10, start_code="C-01"
    )
    plan.delete_booth(fair.organiser, block[0])
    rule = plan.save_zone_rule(
        fair.organiser, fair.event, match_kind="group", value="beverages", zone="do-uong"
    )
    plan.delete_zone_rule(fair.organiser, rule)
    plan.delete_booth(fair.organiser, booth)
    events.delete_hall(fair.organiser, db.session.get(type(hall), hall.id))
    logged = list(db.session.scalars(select(EventLogEntry).order_by(EventLogEntry.id)))
    assert [(e.action, e.subject) for e in logged] == [
        ("hall_added", "Nhà B"),
        ("hall_changed", "Nhà B"),
        ("booth_added", "B-1"),
        ("booth_changed", "B-1"),
        ("booth_changed", "B-1"),
        ("booth_added", "C-01 … C-03"),
        ("booth_removed", "C-01"),
        ("zone_added", "Beverages"),
        ("zone_removed", "Beverages"),
        ("booth_removed", "B-1"),
        ("hall_removed", "Nhà B"),
    ]
    assert {e.event_id for e in logged} == {fair.event.id} and {e.actor_id for e in logged} == {
        fair.organiser.id
    }
    assert logged[1].details_json == {"size": ["30 × 20 m", "35 × 20 m"]}
    assert logged[2].details_json == {
        "code": "B-1",
        "hall": "Nhà B",
        "type": "Standard 3×3",
        "position": "0, 0 m",
        "size": "3 × 3 m",
        "zones": "",
    }
    assert logged[3].details_json == {"position": ["0, 0 m", "5, 2 m"]}
    assert logged[4].details_json == {"blocked": [False, True]}
    assert logged[5].details_json == {"booths": 3, "hall": "Nhà B", "type": "Standard 3×3", "zones": ""}
    assert logged[7].details_json == {"rule": "Beverages", "zone": "do-uong"}


def test_the_log_page_reads_them_in_the_readers_language(db, client, login, fair, html):
    events.save_hall(fair.organiser, fair.event, name="Nhà C", width_m=10, depth_m=10)
    db.session.commit()
    login(fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/log?lang=en&action=event_state_changed"))
    (row,) = page.select("#log tbody tr")
    assert text_of(row.select("td")[3]) == "Event status: Draft → Registration open"
    page = html(client.get(f"/manage/events/{fair.event.id}/log?lang=vi&action=hall_added"))
    rows = page.select("#log tbody tr")
    assert len(rows) == 2  # Hall A (the fixture's) and Nhà C
    assert "Nhà C" in text_of(rows[0].select("td")[2])
    assert text_of(rows[0].select("td")[3]).startswith("Tên: Nhà C")
