"""The agenda page, its .ics download and its feed cost a few SQL queries, the same for 2
meetings as for 12 (a national conference gives a participant a dozen): nothing is loaded
meeting by meeting."""

from __future__ import annotations

import re

import pytest

from app.matching.models import MeetingOutcome
from tests.conftest import queries_of
from tests.matching.test_agenda import add_meeting, build_fair

MAX_QUERIES = 12


def _login(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302


def _costs(db, client, fair, meetings: int) -> dict[str, int]:
    """Buyer 0 meets producers 0..n-1 and producer 0 meets buyers 0..n-1, one a slot; the last
    producer and buyer registered nothing (their whole range is shown); one meeting has an
    outcome and one was cancelled (it stays in the calendars)."""
    (buyer_user, buyer), *other_buyers = fair.buyers
    (producer_user, producer), *_other_producers = fair.producers
    for n in range(meetings):
        mine = add_meeting(db, fair, buyer, fair.producers[n][1], slot=n, table=n % 3)
        if n:
            add_meeting(db, fair, fair.buyers[n][1], producer, slot=n, table=(n + 1) % 3)
    db.session.add(MeetingOutcome(meeting_id=mine.id, side="buyer", kind="follow_up"))
    add_meeting(db, fair, other_buyers[0][1], fair.producers[1][1], slot=0, table=1, status="cancelled")
    fair.producers[-1][1].product_rows.clear()
    fair.buyers[-1][1].demand_rows.clear()
    db.session.commit()

    costs = {}
    slug = fair.event.slug
    for side, user in (("buyer", buyer_user), ("producer", producer_user)):
        _login(client, user)
        page = client.get(f"/my/events/{slug}/agenda").get_data(as_text=True)
        assert page.count("data-meeting=") == meetings, "every meeting is on the page"
        feed = re.search(r"(/feeds/agenda/[A-Za-z0-9_\-]+\.ics)", page).group(1)
        costs[f"{side} page"] = queries_of(client, f"/my/events/{slug}/agenda")
        costs[f"{side} .ics"] = queries_of(client, f"/my/events/{slug}/agenda.ics")
        client.post("/logout")
        costs[f"{side} feed"] = queries_of(client, feed)
        assert client.get(feed).get_data().count(b"BEGIN:VEVENT") == meetings
    return costs


@pytest.fixture()
def fair_of(db, make_event, make_user, make_buyer, make_producer, make_product):
    def build(people: int):
        return build_fair(
            db,
            make_event,
            make_user,
            make_buyer,
            make_producer,
            make_product,
            buyers=people,
            producers=people,
        )

    return build


def test_the_agenda_page_ics_and_feed_cost_the_same_few_queries_for_2_or_12_meetings(app, db, fair_of):
    few = _costs(db, app.test_client(), fair_of(2), 2)
    many = _costs(db, app.test_client(), fair_of(12), 12)

    assert many == few, "no query per meeting"
    assert max(many.values()) <= MAX_QUERIES, many


def test_the_event_session_and_registration_come_in_one_statement(app, db, fair_of):
    """The page and the .ics read the event, its session and the person's registration in one
    statement, the feed its token, registration and session in one (as counted by queries_of)."""
    costs = _costs(db, app.test_client(), fair_of(2), 2)

    # The page: 8, and one statement for the pairs' meetings at earlier events (memory across events).
    assert costs["buyer page"] <= 9 and costs["producer page"] <= 9, costs
    assert costs["buyer .ics"] <= 6 and costs["producer .ics"] <= 6, costs
    assert costs["buyer feed"] <= 5 and costs["producer feed"] <= 5, costs
