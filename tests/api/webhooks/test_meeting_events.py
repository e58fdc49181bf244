"""The meetings' webhooks: a check-in, an outcome and a removal each write their delivery, with the
meeting's facts, from the services that act (app/onsite, app/matching), which never import webhooks."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.api.webhooks import services as hooks
from app.api.webhooks.models import EVENT_TYPES, WebhookDelivery
from app.matching.outcomes import services as outcomes
from app.matching.sessions import services as sessions
from app.onsite import services as checkin
from tests.matching.test_agenda import add_meeting, build_fair


@pytest.fixture()
def past_fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=-1)


def sent(db) -> list[dict]:
    return [
        json.loads(d.body) for d in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))
    ]


def test_check_in_outcome_and_cancellation_are_sent(db, past_fair):
    fair = past_fair
    hooks.create_subscription(fair.organiser, fair.event, "http://127.0.0.1:9/in", list(EVENT_TYPES))
    (u0, b0), (_u1, b1) = fair.buyers
    (_v0, p0), (_v1, p1) = fair.producers
    held = add_meeting(db, fair, b0, p0, slot=0, table=0)
    other = add_meeting(db, fair, b1, p1, slot=0, table=1)
    checkin.check_in(fair.organiser, fair.event, held.checkin_code)
    checkin.check_in(fair.organiser, fair.event, held.checkin_code)  # a second scan: nothing new
    outcomes.record_outcome(u0, held, "contract", 150_000_000)
    sessions.remove_meeting(fair.organiser, other)
    checked, outcome, cancelled = sent(db)
    assert checked["type"] == "checkin.recorded" and checked["event_id"] == fair.event.id
    assert checked["data"]["meeting"]["id"] == held.id and checked["data"]["meeting"]["status"] == "held"
    assert checked["data"]["meeting"]["checked_in_at"] is not None
    assert outcome["type"] == "outcome.recorded"
    assert outcome["data"]["outcome"] | {"recorded_at": None} == {
        "meeting_id": held.id,
        "side": "buyer",
        "kind": "contract",
        "value_vnd": 150_000_000,
        "recorded_at": None,
    }
    assert cancelled["type"] == "meeting.cancelled" and cancelled["data"]["meeting"]["id"] == other.id
    assert cancelled["data"]["meeting"]["status"] == "cancelled"


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def test_publication_and_a_moved_meeting_are_sent(db, fair):
    hooks.create_subscription(
        fair.organiser, fair.event, "http://127.0.0.1:9/in", ["meeting.published", "meeting.changed"]
    )
    (_u0, b0), (_u1, b1) = fair.buyers
    (_v0, p0), (_v1, p1) = fair.producers
    meeting = add_meeting(db, fair, b0, p0, slot=0, table=0, published=False)
    add_meeting(db, fair, b1, p1, slot=0, table=1, published=False)
    fair.session.state = "solved"
    sessions.publish(fair.organiser, fair.session)
    sessions.move_meeting(fair.organiser, meeting, 1, 0)
    published, changed = sent(db)
    assert published["type"] == "meeting.published"
    assert published["data"] == {"session": {"id": fair.session.id, "update": False, "participants": 4}}
    assert changed["type"] == "meeting.changed"
    assert (changed["data"]["meeting"]["id"], changed["data"]["meeting"]["slot"]) == (meeting.id, 1)
