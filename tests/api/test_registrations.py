"""Registrations over the API with the pages' permissions: the event's organisers (and admins)
list, approve and reject; other organisers, exhibitors, buyers and anonymous callers are
refused; registrants read their own; read tokens can't write; one-event tokens stay in their event."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.eventlog.models import EventLogEntry
from app.events.models import Registration, RegistrationProduct
from tests.api.conftest import bearer

# The registration decisions in the event log (opening the event is logged too).
DECISIONS = EventLogEntry.action.in_(("registration_approved", "registration_rejected"))


@pytest.fixture()
def fair(make_open_event, make_producer, make_buyer, make_user, organiser, db):
    """An open fair of `organiser` with a pending exhibitor and a pending buyer registration."""
    event = make_open_event(organiser=organiser)
    producer, buyer = make_producer(), make_buyer()
    exhibitor = make_user(role="exhibitor", organisation=producer)
    buyer_user = make_user(role="buyer", organisation=buyer)
    by_exhibitor = Registration(event=event, organisation=producer, role="exhibitor", status="pending")
    by_buyer = Registration(event=event, organisation=buyer, role="buyer", status="pending")
    db.session.add_all([by_exhibitor, by_buyer])
    db.session.commit()
    return {
        "event": event,
        "exhibitor": exhibitor,
        "buyer": buyer_user,
        "exhibitor_registration": by_exhibitor,
        "buyer_registration": by_buyer,
    }


def _status(db, registration_id) -> str:
    db.session.expire_all()
    return db.session.get(Registration, registration_id).status


def test_every_role_on_the_event_s_list(client, fair, organiser, make_user, make_token, db):
    url = f"/api/v1/events/{fair['event'].id}/registrations"
    assert client.get(url).status_code == 401
    for user, expected in (
        (organiser, 200),
        (make_user(role="admin"), 200),
        (make_user(role="organiser"), 403),  # another event's organiser
        (fair["exhibitor"], 403),
        (fair["buyer"], 403),
    ):
        response = client.get(url, headers=bearer(make_token(user)))
        assert response.status_code == expected, user.role
        assert response.status_code == 200 or response.mimetype == "application/problem+json"
    body = client.get(url + "?role=buyer", headers=bearer(make_token(organiser))).get_json()
    assert [r["id"] for r in body["items"]] == [fair["buyer_registration"].id]
    assert (
        client.get(
            "/api/v1/events/2147483647/registrations", headers=bearer(make_token(organiser))
        ).status_code
        == 404
    )


def test_list_sorting_and_pages(client, fair, organiser, make_token, db):
    url = f"/api/v1/events/{fair['event'].id}/registrations"
    token = make_token(organiser)
    by_role = client.get(url + "?sort=-role&per_page=1", headers=bearer(token)).get_json()
    assert by_role["total"] == 2 and by_role["items"][0]["role"] == "exhibitor" and by_role["links"]["next"]
    second = client.get(by_role["links"]["next"], headers=bearer(token)).get_json()
    assert second["items"][0]["role"] == "buyer"


def test_registrants_read_their_own_only(client, fair, make_token, db):
    mine = client.get("/api/v1/registrations/mine", headers=bearer(make_token(fair["exhibitor"]))).get_json()
    assert [r["id"] for r in mine] == [fair["exhibitor_registration"].id]
    own = fair["exhibitor_registration"].id
    other = fair["buyer_registration"].id
    token = make_token(fair["exhibitor"])
    assert client.get(f"/api/v1/registrations/{own}", headers=bearer(token)).status_code == 200
    assert client.get(f"/api/v1/registrations/{other}", headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/registrations/{own}").status_code == 401


def test_organisers_approve_and_reject_through_the_services(client, fair, organiser, make_token, db):
    token = make_token(organiser, scope="write")
    approved = client.post(
        f"/api/v1/registrations/{fair['exhibitor_registration'].id}/approve", headers=bearer(token), json={}
    )
    assert approved.status_code == 200 and approved.get_json()["status"] == "approved"
    rejected = client.post(
        f"/api/v1/registrations/{fair['buyer_registration'].id}/reject",
        headers=bearer(token),
        json={"reason": "Không đúng đối tượng"},
    )
    assert rejected.status_code == 200
    assert (
        rejected.get_json()["status"] == "rejected"
        and rejected.get_json()["reason"] == "Không đúng đối tượng"
    )
    # The same services as the page: the event log has both decisions.
    assert db.session.scalar(select(func.count()).select_from(EventLogEntry).where(DECISIONS)) == 2
    # A rule a service enforces: a 422 naming no field, nothing written.
    again = client.post(
        f"/api/v1/registrations/{fair['buyer_registration'].id}/approve", headers=bearer(token)
    )
    assert again.status_code == 422 and again.mimetype == "application/problem+json"
    assert _status(db, fair["buyer_registration"].id) == "rejected"


def test_who_may_not_decide(client, fair, organiser, make_user, make_token, db):
    registration_id = fair["exhibitor_registration"].id
    url = f"/api/v1/registrations/{registration_id}/approve"
    assert client.post(url).status_code == 401
    assert (
        client.post(url, headers=bearer(make_token(organiser, scope="read"))).status_code == 403
    )  # read token
    assert (
        client.post(url, headers=bearer(make_token(make_user(role="organiser"), scope="write"))).status_code
        == 404
    )
    assert client.post(url, headers=bearer(make_token(fair["exhibitor"], scope="write"))).status_code == 403
    assert client.post(url, headers=bearer(make_token(fair["buyer"], scope="write"))).status_code == 404
    assert _status(db, registration_id) == "pending"


def test_a_one_event_token_stays_in_its_event(client, fair, organiser, make_open_event, make_token, db):
    other_event = make_open_event(organiser=organiser)
    token = make_token(organiser, scope="write", event=other_event)
    event_id = fair["event"].id
    assert client.get(f"/api/v1/events/{event_id}/registrations", headers=bearer(token)).status_code == 403
    assert (
        client.get(f"/api/v1/events/{other_event.id}/registrations", headers=bearer(token)).status_code == 200
    )
    url = f"/api/v1/registrations/{fair['exhibitor_registration'].id}"
    assert client.get(url, headers=bearer(token)).status_code == 403
    assert client.post(url + "/approve", headers=bearer(token)).status_code == 403
    assert _status(db, fair["exhibitor_registration"].id) == "pending"
    # Public data of other events stays readable.
    assert client.get(f"/api/v1/events/{event_id}", headers=bearer(token)).status_code == 200


def test_bad_bodies_write_nothing(client, fair, organiser, make_token, db):
    token = make_token(organiser, scope="write")
    url = f"/api/v1/registrations/{fair['buyer_registration'].id}/reject"
    for body, field in (
        ({}, "reason"),
        ({"reason": ""}, "reason"),
        ({"reason": 5}, "reason"),
        ({"reason": "ok", "status": "approved"}, "status"),
        ({"reason": "chè\x00"}, "reason"),  # JSON carries what no database stores
        ({"reason": "\ud800"}, "reason"),
        ([1, 2], None),
    ):
        response = client.post(url, headers=bearer(token, **{"Accept-Language": "en"}), json=body)
        assert response.status_code == 422, body
        problem = response.get_json()
        assert problem["status"] == 422 and response.mimetype == "application/problem+json"
        if field:
            assert field in [p["name"] for p in problem["invalid_params"]]
    malformed = client.post(url, headers=bearer(token), data="{not json", content_type="application/json")
    assert malformed.status_code == 400 and malformed.mimetype == "application/problem+json"
    assert client.post(url + "x", headers=bearer(token), json={"reason": "x"}).status_code == 404
    assert _status(db, fair["buyer_registration"].id) == "pending"
    assert db.session.scalar(select(func.count()).select_from(EventLogEntry).where(DECISIONS)) == 0


def test_the_list_s_queries_do_not_grow_with_the_registrations(
    client, fair, organiser, make_producer, make_product, make_token, db
):
    token = make_token(organiser)
    url = f"/api/v1/events/{fair['event'].id}/registrations"

    def add_exhibitor():
        producer = make_producer()
        registration = Registration(organisation=producer, role="exhibitor", status="pending")
        registration.product_rows.append(RegistrationProduct(product=make_product(organisation=producer)))
        fair["event"].registrations.append(registration)
        db.session.commit()

    def count() -> int:
        statements = 0

        def counted(*_args):
            nonlocal statements
            statements += 1

        sa_event.listen(db.engine, "before_cursor_execute", counted)
        try:
            assert client.get(url, headers=bearer(token)).status_code == 200
        finally:
            sa_event.remove(db.engine, "before_cursor_execute", counted)
        return statements

    add_exhibitor()
    few = count()
    for _ in range(6):
        add_exhibitor()
    assert count() == few
