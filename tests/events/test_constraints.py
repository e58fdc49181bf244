"""The database itself refuses an event state or a registration status outside the allowed sets."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from app.events.models import EVENT_STATES, REGISTRATION_STATUSES, Event, Registration


@pytest.fixture()
def registration(db, make_event, make_producer):
    event = make_event()
    registration = Registration(event_id=event.id, organisation_id=make_producer().id, role="exhibitor")
    db.session.add(registration)
    db.session.flush()
    return registration


def _set(db, model, row_id, **values):
    with db.session.begin_nested():
        db.session.execute(update(model).where(model.id == row_id).values(**values))


def test_an_unknown_event_state_is_refused_by_the_database(db, registration):
    with pytest.raises(IntegrityError, match="ck_events_state"):
        _set(db, Event, registration.event_id, state="postponed")


def test_an_unknown_registration_status_is_refused_by_the_database(db, registration):
    with pytest.raises(IntegrityError, match="ck_registrations_status"):
        _set(db, Registration, registration.id, status="on_hold")


def test_every_known_state_and_status_is_accepted(db, registration):
    for state in EVENT_STATES:
        _set(db, Event, registration.event_id, state=state)
    for status in REGISTRATION_STATUSES:
        _set(db, Registration, registration.id, status=status)
