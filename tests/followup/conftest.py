"""A fair that ended yesterday (Vietnam date), with held, no-show and cancelled meetings whose
explanations name their reasons, for the follow-up survey's tests."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, date, datetime, time, timedelta

import pytest

from app import clock
from app.events.models import Registration
from app.matching.models import MatchingSession, Meeting
from tests.conftest import NOW

_codes = itertools.count(1)
TODAY = NOW.astimezone(clock.VIETNAM).date()
LAST_DAY = TODAY - timedelta(days=1)  # the fair's last day


def vietnam(day: date, hour: int = 8, minute: int = 0) -> datetime:
    """`hour`:`minute` in Vietnam on `day`, as a UTC instant."""
    return datetime.combine(day, time(hour, minute), clock.VIETNAM).astimezone(UTC)


def why(**values: float) -> str:
    """A stored explanation (PairScore.breakdown()) with these terms' values."""
    terms = [
        {
            "term": term,
            "weight": 0.1,
            "value": value,
            "notes": [{"msgid": "The buyer set no price ceiling.", "params": {}}],
        }
        for term, value in values.items()
    ]
    return json.dumps({"score": 0.7, "categories": ["tea"], "terms": terms, "outside_filters": []})


def add_meeting(db, session, buyer, producer, status="held", why_json=None, slot=None) -> Meeting:
    meeting = Meeting(
        session_id=session.id,
        buyer_registration_id=buyer.id,
        producer_registration_id=producer.id,
        slot=slot if slot is not None else next(_codes) % 6,
        table=1,
        score=0.7,
        status=status,
        published=True,
        why_json=why_json,
        checkin_code=f"F{next(_codes):06d}X",
        checked_in_at=vietnam(LAST_DAY, 9) if status == "held" else None,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


@pytest.fixture()
def fair(db, make_event, make_user, make_producer, make_buyer):
    """A finished fair: buyer b1 (two people: English and Vietnamese) held meetings with
    producers e1 and e2; e3 was a no-show; b2's meeting with e1 was cancelled."""
    organiser = make_user(role="organiser", locale="en")
    event = make_event(
        organiser,
        starts_at=vietnam(LAST_DAY - timedelta(days=2), 8),
        ends_at=vietnam(LAST_DAY, 17),
        exhibitor_registration_opens_at=vietnam(LAST_DAY - timedelta(days=60)),
        exhibitor_registration_closes_at=vietnam(LAST_DAY - timedelta(days=20)),
        buyer_registration_opens_at=vietnam(LAST_DAY - timedelta(days=60)),
        buyer_registration_closes_at=vietnam(LAST_DAY - timedelta(days=20)),
    )
    event.state = "finished"
    orgs = {
        "b1": make_buyer(),
        "b2": make_buyer(),
        "e1": make_producer(),
        "e2": make_producer(),
        "e3": make_producer(),
    }
    regs = {}
    for key, organisation in orgs.items():
        role = "buyer" if key.startswith("b") else "exhibitor"
        regs[key] = Registration(
            event_id=event.id, organisation_id=organisation.id, role=role, status="approved"
        )
        db.session.add(regs[key])
    db.session.flush()
    people = {
        "b1_en": make_user(role="buyer", organisation=orgs["b1"], locale="en"),
        "b1_vi": make_user(role="buyer", organisation=orgs["b1"], locale="vi"),
        "b2": make_user(role="buyer", organisation=orgs["b2"], locale="vi"),
        "e1": make_user(role="exhibitor", organisation=orgs["e1"], locale="vi"),
        "e2": make_user(role="exhibitor", organisation=orgs["e2"], locale="fr"),
        "e3": make_user(role="exhibitor", organisation=orgs["e3"], locale="vi"),
    }
    session = MatchingSession(
        event_id=event.id,
        name="Kết nối cung cầu",
        first_day=LAST_DAY,
        last_day=LAST_DAY,
        day_start=time(8, 30),
        day_end=time(11, 30),
        tables=3,
        state="published",
    )
    db.session.add(session)
    db.session.flush()
    meetings = {
        "m1": add_meeting(
            db, session, regs["b1"], regs["e1"], why_json=why(category=1.0, province=1.0, stars=0.8), slot=0
        ),
        "m2": add_meeting(
            db, session, regs["b1"], regs["e2"], why_json=why(category=1.0, province=0.2, stars=0.6), slot=1
        ),
        "m3": add_meeting(
            db, session, regs["b1"], regs["e3"], status="no_show", why_json=why(category=1.0), slot=2
        ),
        "m4": add_meeting(
            db, session, regs["b2"], regs["e1"], status="cancelled", why_json=why(category=1.0), slot=3
        ),
    }
    db.session.commit()
    return {
        "event": event,
        "organiser": organiser,
        "regs": regs,
        "people": people,
        "meetings": meetings,
        "orgs": orgs,
    }
