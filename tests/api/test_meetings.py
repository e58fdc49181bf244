"""A participant's agenda over the API: their own published meetings in time order; others'
meetings never; organisers, anonymous callers and other events' tokens refused."""

from __future__ import annotations

import pytest

from app.events.models import Registration
from tests.api.conftest import bearer
from tests.matching.test_agenda import add_meeting, build_fair


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def test_a_participant_reads_their_own_agenda(client, fair, make_token, make_user, make_event, db):
    (u0, b0), (_u1, b1) = fair.buyers
    (p0_user, p0), (_p1_user, p1) = fair.producers
    later = add_meeting(db, fair, b0, p1, slot=3, table=2)
    first = add_meeting(db, fair, b0, p0, slot=0, table=0)
    other = add_meeting(db, fair, b1, p0, slot=1, table=1)
    db.session.commit()
    url = f"/api/v1/events/{fair.event.id}/agenda"

    mine = client.get(url, headers=bearer(make_token(u0)))
    assert mine.status_code == 200
    items = mine.get_json()
    assert [i["id"] for i in items] == [first.id, later.id]
    assert items[0]["counterpart"]["registration_id"] == p0.id and items[0]["table"]
    producer_side = client.get(url, headers=bearer(make_token(p0_user))).get_json()
    assert [i["id"] for i in producer_side] == [first.id, other.id]

    assert client.get(url).status_code == 401
    assert client.get(url, headers=bearer(make_token(fair.organiser))).status_code == 403
    assert client.get(url, headers=bearer(make_token(make_user(role="buyer")))).status_code == 403
    # A buyer's token limited to another event it takes part in sees nothing of this one.
    elsewhere = make_event(organiser=fair.organiser)
    joined = Registration(organisation_id=b0.organisation_id, role="buyer", status="approved")
    elsewhere.registrations.append(joined)
    db.session.commit()
    assert client.get(url, headers=bearer(make_token(u0, event=elsewhere))).status_code == 403
    etag = mine.headers["ETag"]
    assert client.get(url, headers=bearer(make_token(u0), **{"If-None-Match": etag})).status_code == 304
