"""Two organisers approving the last place at the same moment: exactly one succeeds.

Runs on PostgreSQL only, with two real connections: each thread has its own app
context, hence its own session and connection. What the test commits is emptied by
the `db` fixture afterwards.
"""

from __future__ import annotations

import os
import threading
import time

import pytest
from sqlalchemy import func, select

from app.accounts.models import User
from app.errors import ServiceError
from app.events.models import Event, EventOrganiser, Registration
from app.events.registrations import services as reg
from app.extensions import db as _db
from tests.conftest import NOW

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="needs TEST_DATABASE_URL pointing at PostgreSQL",
    ),
]


@pytest.fixture()
def last_place(db, organiser, make_user, make_producer, make_product, make_open_event):
    """An event with 2 exhibitor places, 1 approved, 2 pending; two organisers. Committed."""
    second_organiser = make_user(role="organiser")
    event = make_open_event(organiser, exhibitor_capacity=2)
    event.organisers.append(EventOrganiser(user_id=second_organiser.id))
    registrations = []
    for _ in range(3):
        organisation = make_producer()
        user = make_user(role="exhibitor", organisation=organisation)
        product = make_product(organisation)
        registrations.append(reg.apply_as_exhibitor(user, event, [product.id], now=NOW))
    reg.approve(organiser, registrations[0], now=NOW)
    db.session.commit()
    return {
        "event_id": event.id,
        "organiser_ids": [organiser.id, second_organiser.id],
        "pending_ids": [registrations[1].id, registrations[2].id],
    }


def _approve_in_own_transaction(app, barrier, user_id, registration_id, outcomes):
    # A request context of its own: its own app context, session, connection and transaction.
    with app.test_request_context("/?lang=en"):
        try:
            actor = _db.session.get(User, user_id)
            registration = _db.session.get(Registration, registration_id)
            registration.event.organisers  # noqa: B018 - load before the race, not during it
            barrier.wait(timeout=10)
            reg.approve(actor, registration, now=NOW)
            _db.session.commit()
            outcomes[registration_id] = "approved"
        except ServiceError as error:
            _db.session.rollback()
            outcomes[registration_id] = str(error.message)
        except Exception as error:  # pragma: no cover - reported by the assertion below
            _db.session.rollback()
            outcomes[registration_id] = repr(error)
        finally:
            _db.session.remove()


def test_two_organisers_approving_the_last_place_at_once_only_one_succeeds(app, db, last_place, monkeypatch):
    # Widen the window between counting the approved and approving: without the row lock
    # on the event both transactions would count "1 of 2" here and both would approve.
    counted = reg.approved_count

    def slow_count(event, role):
        number = counted(event, role)
        time.sleep(0.3)
        return number

    monkeypatch.setattr(reg, "approved_count", slow_count)
    barrier = threading.Barrier(2)
    outcomes: dict[int, str] = {}
    threads = [
        threading.Thread(
            target=_approve_in_own_transaction,
            args=(app, barrier, user_id, registration_id, outcomes),
        )
        for user_id, registration_id in zip(
            last_place["organiser_ids"], last_place["pending_ids"], strict=True
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) == ["Capacity reached: 2 approved of 2.", "approved"], outcomes
    db.session.expire_all()
    approved = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.event_id == last_place["event_id"], Registration.status == "approved")
    )
    capacity = db.session.get(Event, last_place["event_id"]).exhibitor_capacity
    assert approved == capacity == 2
