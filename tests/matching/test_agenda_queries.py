"""The agenda page, its .ics download and its feed cost a constant number of SQL queries,
whatever the number of meetings (a national conference gives a producer a dozen)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import queries_of
from tests.matching.test_agenda import add_meeting, build_fair

MAX_QUERIES = 12


def _login(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302


def _counts(client, fair, meetings: int) -> dict[str, int]:
    """Buyer 0 with `meetings` meetings (slots 0..n-1, each with its own producer)."""
    user, buyer = fair.buyers[0]
    for n in range(meetings):
        _producer_user, producer = fair.producers[n]
        add_meeting(fair.db, fair, buyer, producer, slot=n, table=n % 3)
    _login(client, user)
    slug = fair.event.slug
    page = client.get(f"/my/events/{slug}/agenda").get_data(as_text=True)
    feed = re.search(r"(/feeds/agenda/[A-Za-z0-9_\-]+\.ics)", page).group(1)
    counts = {
        "page": queries_of(client, f"/my/events/{slug}/agenda"),
        "ics": queries_of(client, f"/my/events/{slug}/agenda.ics"),
    }
    client.post("/logout")
    counts["feed"] = queries_of(client, feed)
    return counts


@pytest.fixture()
def fair_builder(db, make_event, make_user, make_buyer, make_producer, make_product):
    def build(producers: int):
        fair = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, producers=producers)
        fair.db = db
        return fair

    return build


def test_the_agenda_page_ics_and_feed_cost_the_same_few_queries_for_2_or_12_meetings(
    app, client, fair_builder
):
    small = _counts(client, fair_builder(2), 2)
    large = _counts(app.test_client(), fair_builder(12), 12)
    print(small, large)
    assert large == small, "no query per meeting"
    assert max(large.values()) <= MAX_QUERIES, large
