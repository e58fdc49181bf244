"""Fifty exhibitors pick the last free booth at the same moment: exactly one gets it.

Runs on PostgreSQL only, with real concurrent connections: each thread has its own
app context, session, connection and transaction (a second app on the same database
with NullPool, so fifty connections don't queue for a pool of five). A barrier
releases them together. What the test commits is emptied by the `db` fixture.
"""

from __future__ import annotations

import os
import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.pool import NullPool

from app import create_app
from app.accounts.models import User
from app.booths.booking import services as booking
from app.booths.models import Booth, BoothAssignment
from app.errors import ServiceError
from app.events.models import Registration
from app.extensions import db as _db

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql"),
        reason="needs TEST_DATABASE_URL pointing at PostgreSQL",
    ),
]

ATTEMPTS = 50


@pytest.fixture()
def last_free_booth(db, organiser, make_booth_fair):
    """An event whose only free booth is A-2 (A-1 is booked), and 50 approved exhibitors. Committed."""
    fair = make_booth_fair(organiser)
    booked, last = fair.add_booths(2)
    fair.first_come()
    holder_user, holder = fair.exhibitor()
    booking.pick_booth(holder_user, holder, booked)
    contenders = [fair.exhibitor() for _ in range(ATTEMPTS)]
    db.session.commit()
    return last.id, [(user.id, registration.id) for user, registration in contenders]


@pytest.fixture()
def racing_app(app):
    """The same app and database, but every session opens its own connection."""
    other = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool},
        UPLOAD_FOLDER=app.config["UPLOAD_FOLDER"],
    )
    yield other
    with other.app_context():
        _db.engine.dispose()


def _pick_in_own_transaction(app, barrier, user_id, registration_id, booth_id, outcomes):
    with app.test_request_context("/?lang=en"):
        try:
            actor = _db.session.get(User, user_id)
            registration = _db.session.get(Registration, registration_id)
            booth = _db.session.get(Booth, booth_id)
            registration.event.organisers  # noqa: B018 - load before the race, not during it
            barrier.wait(timeout=60)
            booking.pick_booth(actor, registration, booth)
            _db.session.commit()
            outcomes[registration_id] = "booked"
        except ServiceError as error:
            _db.session.rollback()
            outcomes[registration_id] = str(error.message)
        except Exception as error:  # pragma: no cover - reported by the assertion below
            _db.session.rollback()
            outcomes[registration_id] = repr(error)
        finally:
            _db.session.remove()


@pytest.mark.parametrize("precheck", [True, False], ids=["with-precheck", "index-alone"])
def test_fifty_exhibitors_picking_the_last_booth_at_once_give_one_booking(
    app, db, racing_app, last_free_booth, monkeypatch, precheck
):
    booth_id, contenders = last_free_booth
    if not precheck:
        # Everyone believes the booth is free: only the partial unique index stands between them.
        monkeypatch.setattr(booking, "holder_of", lambda booth: None)
    barrier = threading.Barrier(ATTEMPTS)
    outcomes: dict[int, str] = {}
    threads = [
        threading.Thread(
            target=_pick_in_own_transaction,
            args=(racing_app, barrier, user_id, registration_id, booth_id, outcomes),
        )
        for user_id, registration_id in contenders
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(outcomes) == ATTEMPTS
    refusals = [text for text in outcomes.values() if text != "booked"]
    assert list(outcomes.values()).count("booked") == 1, outcomes
    assert len(refusals) == ATTEMPTS - 1
    assert set(refusals) == {"This booth was just taken by another exhibitor; please choose another."}
    db.session.expire_all()
    active = db.session.scalar(
        select(func.count())
        .select_from(BoothAssignment)
        .where(BoothAssignment.booth_id == booth_id, BoothAssignment.status != "cancelled")
    )
    assert active == 1
