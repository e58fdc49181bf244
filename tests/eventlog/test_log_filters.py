"""The log page's filters refuse what is not one of their choices (400, the message beside the
filter) and a page past the end says so with a link to the last page (404)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete

from app.eventlog import services as eventlog
from app.eventlog.models import EventLogEntry
from tests.booths.conftest import Fair
from tests.conftest import text_of


@pytest.fixture()
def fair(db, organiser, make_producer, make_user, make_product, make_open_event):
    built = Fair(db, organiser, make_producer, make_user, make_product, make_open_event)
    db.session.execute(delete(EventLogEntry))  # opening the fair and laying it out are logged
    for n in range(3):
        eventlog.record(organiser, event_id=built.event.id, action="booth_moved", subject=f"B{n}")
    db.session.commit()
    return built


def _url(event, query: str) -> str:
    return f"/manage/events/{event.id}/log?lang=en&{query}"


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("action=bogus", "action", "Choose an action from the list."),
        ("day=2026-13-45", "day", "Give a day as YYYY-MM-DD, from 1900 to 2999."),
        ("day=yesterday", "day", "Give a day as YYYY-MM-DD, from 1900 to 2999."),
        ("actor=abc", "actor", "Choose a person from the list."),
        ("actor=999999", "actor", "Choose a person from the list."),  # nobody who acted here
    ],
)
def test_a_bad_filter_is_a_400_with_its_message_beside_it(client, login, fair, html, query, field, message):
    login(fair.organiser)
    response = client.get(_url(fair.event, query))
    assert response.status_code == 400
    page = html(response)
    feedback = page.select_one(f"#{field}-error-1")
    assert feedback is not None and text_of(feedback) == message
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert "could not be used" in text_of(page.select_one("#filter-errors"))
    # The log is shown without the refused filter, never "Nothing has been recorded yet".
    assert len(page.select("#log tbody tr")) == 3


def test_a_good_filter_beside_a_bad_one_still_applies(client, login, fair, html):
    eventlog.record(fair.organiser, event_id=fair.event.id, action="payment_confirmed", subject="P")
    login(fair.organiser)
    response = client.get(_url(fair.event, "action=payment_confirmed&day=2026-02-30"))
    assert response.status_code == 400
    assert [row["data-action"] for row in html(response).select("#log tbody tr")] == ["payment_confirmed"]


def test_a_page_past_the_end_says_so_and_links_to_the_last_page(client, login, fair, html):
    for n in range(3, 60):  # 60 entries: two pages of 50
        eventlog.record(fair.organiser, event_id=fair.event.id, action="booth_moved", subject=f"B{n}")
    login(fair.organiser)
    response = client.get(_url(fair.event, "action=booth_moved&page=999"))
    assert response.status_code == 404
    page = html(response)
    assert text_of(page.select_one("#past-end")).startswith(
        "Page 999 is past the end of this log, which ends at page 2."
    )
    assert "Nothing has been recorded" not in response.get_data(as_text=True)
    last = page.select_one("#last-page")["href"]
    assert "page=2" in last and "action=booth_moved" in last
    landed = client.get(last)
    assert landed.status_code == 200 and len(html(landed).select("#log tbody tr")) == 10


def test_a_page_past_the_end_of_nothing_is_the_empty_state(client, login, fair, html, db):
    db.session.execute(delete(EventLogEntry))
    db.session.commit()
    login(fair.organiser)
    response = client.get(_url(fair.event, "page=5"))
    assert response.status_code == 200
    assert "Nothing has been recorded yet" in text_of(html(response).select_one("#no-entries"))


def test_the_action_filter_offers_every_action_the_log_records(client, login, fair, html):
    login(fair.organiser)
    offered = [o["value"] for o in html(client.get(_url(fair.event, ""))).select("#action option")]
    assert offered == ["", *eventlog.ACTIONS]
    for code in ("booking_cancelled", "event_state_changed", "matching_settings_changed", "booth_added"):
        assert code in offered
