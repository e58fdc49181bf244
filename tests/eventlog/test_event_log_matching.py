"""The event log of matchmaking: runs, publication and repairs (jobs: the actor is the organiser
who clicked), meetings moved or removed by hand, and check-ins at the table."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.eventlog.models import EventLogEntry
from app.extensions import db as _db
from app.matching.models import Meeting
from app.matching.sessions import services as sessions
from app.onsite import services as checkin
from tests.matching.conftest import fair, small_fair  # noqa: F401 - the fixture
from tests.matching.test_agenda import ZONE, add_meeting, build_fair


def entries(action: str) -> list[EventLogEntry]:
    return list(
        _db.session.scalars(
            select(EventLogEntry).where(EventLogEntry.action == action).order_by(EventLogEntry.id)
        )
    )


def test_run_publish_and_repair_jobs_are_recorded_as_the_organiser_who_clicked(fair, client, login, worker):  # noqa: F811
    small_fair(fair)
    session = fair.session()
    _db.session.commit()
    login(fair.organiser)
    url = f"/manage/events/{session.event_id}/matching/{session.id}"
    client.post(url + "/run")
    worker.drain()
    (run,) = entries("matching_run")
    assert (run.actor_id, run.event_id, run.subject) == (fair.organiser.id, fair.event.id, session.name)
    assert run.details_json["meetings added"] == 9
    client.post(url + "/publish")
    worker.drain()
    (published,) = entries("matching_published")
    assert published.actor_id == fair.organiser.id
    assert published.details_json == {"meetings": 9, "participants": 6}
    client.post(url + "/repair")
    worker.drain()
    (repaired,) = entries("matching_repaired")
    assert repaired.actor_id == fair.organiser.id
    assert set(repaired.details_json) == {"meetings added", "meetings cancelled"}


def test_moving_and_removing_a_meeting_by_hand_are_recorded(fair):  # noqa: F811
    small_fair(fair, buyers=1, producers=2)
    session = fair.session()
    sessions.run_matching(fair.organiser, session)
    first, second = _db.session.scalars(select(Meeting).order_by(Meeting.id)).all()
    free_table = next(t for t in range(session.tables) if t not in (first.table, second.table))
    before_slot = first.slot
    sessions.move_meeting(fair.organiser, first, first.slot, free_table)
    (moved,) = entries("meeting_moved")
    assert moved.subject == (
        f"{session.name}: {first.buyer.organisation.name} ↔ {first.producer.organisation.name}"
    )
    slot_before, slot_after = moved.details_json["slot"]
    assert slot_before == slot_after and slot_before.startswith(f"#{before_slot + 1} ")
    assert moved.details_json["table"][1] != moved.details_json["table"][0]
    sessions.remove_meeting(fair.organiser, second)
    (removed,) = entries("meeting_removed")
    assert removed.actor_id == fair.organiser.id and removed.details_json == {"published": False}


@pytest.fixture()
def checkin_fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def test_a_check_in_is_recorded_once(db, checkin_fair):
    (_u, buyer), _other = checkin_fair.buyers
    (_p, producer), _other_p = checkin_fair.producers
    meeting = add_meeting(db, checkin_fair, buyer, producer, slot=0, table=0)
    zone = ZoneInfo(ZONE)
    at = datetime.combine(checkin_fair.day, time(8, 31), zone).astimezone(UTC)
    checkin.check_in(checkin_fair.organiser, checkin_fair.event, meeting.checkin_code, now=at)
    checkin.check_in(
        checkin_fair.organiser, checkin_fair.event, meeting.checkin_code, now=at + timedelta(minutes=1)
    )
    (checked,) = entries("meeting_checked_in")  # the second scan changed nothing
    assert checked.actor_id == checkin_fair.organiser.id and checked.event_id == checkin_fair.event.id
    assert meeting.checkin_code in checked.subject
    assert checked.details_json == {"status": ["scheduled", "held"]}
