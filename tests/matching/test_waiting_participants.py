"""A participant whose registration still waits for the organiser's decision is told so on the
matchmaking pages, instead of a bare "You may not open this page"; others are still refused."""

from __future__ import annotations

import pytest

from app.events.models import Registration
from app.events.registrations import services as reg
from tests.conftest import NOW

PAGES = ("matching", "agenda", "producers")


@pytest.fixture()
def open_fair(db, make_open_event, organiser):
    return make_open_event(organiser)


@pytest.mark.parametrize("page", PAGES)
def test_a_pending_buyer_reads_that_its_registration_awaits_approval(
    client, login, db, open_fair, buyer_user, html, page
):
    db.session.add(
        Registration(event=open_fair, organisation=buyer_user.organisation, role="buyer", status="pending")
    )
    db.session.commit()
    login(buyer_user)
    response = client.get(f"/my/events/{open_fair.slug}/{page}?lang=en")
    assert response.status_code == 403
    body = html(response)
    assert body.select_one("[data-waiting]")["data-waiting"] == "pending"
    assert body.h1.get_text(strip=True) == "Your registration is waiting for approval"
    assert body.select_one("a[href='/my/registrations']") is not None


def test_a_waitlisted_exhibitor_reads_that_it_is_on_the_waiting_list(
    client, login, db, make_open_event, organiser, exhibitor, make_product, html
):
    event = make_open_event(organiser, exhibitor_capacity=0)
    product = make_product(exhibitor.organisation)
    registration = reg.apply_as_exhibitor(exhibitor, event, [product.id], now=NOW)
    db.session.commit()
    assert registration.status == "waitlisted"
    login(exhibitor)
    response = client.get(f"/my/events/{event.slug}/matching?lang=en")
    assert response.status_code == 403
    assert html(response).select_one("[data-waiting]")["data-waiting"] == "waitlisted"
    assert "on the waiting list" in response.get_data(as_text=True)


def test_someone_not_registered_still_gets_the_plain_refusal(client, login, db, open_fair, buyer_user, html):
    db.session.commit()
    login(buyer_user)
    response = client.get(f"/my/events/{open_fair.slug}/matching?lang=en")
    assert response.status_code == 403
    assert html(response).select_one("[data-waiting]") is None
