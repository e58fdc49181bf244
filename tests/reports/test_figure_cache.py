"""The figure cache of the dashboards (app/reports/cache.py): a second reading within the minute
costs no aggregation and says when its figures were computed; `?fresh=1` computes them now; an
organiser's action on the event drops its figures at once; permission is checked before the
cache is read."""

from __future__ import annotations

import pytest
from sqlalchemy import event, select, update

from app.events.models import Registration
from app.matching.models import MeetingOutcome
from app.reports import cache
from tests.conftest import text_of
from tests.reports import test_dashboard

fair = test_dashboard.fair  # the hand-built fair of the dashboard tests, a fixture


@pytest.fixture()
def cached(app):
    app.config["REPORTS_CACHE_SECONDS"] = 60
    cache.clear()
    yield
    cache.clear()
    app.config["REPORTS_CACHE_SECONDS"] = 0


def contract_value(client, html, url):
    page = html(client.get(url))
    return text_of(page.select_one('[data-figure="contract_vnd"] [data-value]')), page


def test_a_second_reading_comes_from_the_cache_until_asked_fresh(
    app,
    client,
    login,
    db,
    fair,
    organiser,
    html,
    cached,
):
    login(organiser)
    url = f"/manage/events/{fair.event.id}/dashboard?lang=en"
    value, page = contract_value(client, html, url)
    assert value == "₫501,250,000"
    assert "Figures as of" in text_of(page.select_one("[data-computed-at]"))
    # A buyer records a bigger contract: the cached figures stand for the minute...
    db.session.execute(
        update(MeetingOutcome).where(MeetingOutcome.value_vnd == 500_000_000).values(value_vnd=700_000_000)
    )
    db.session.commit()
    statements = []

    def seen(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        value, page = contract_value(client, html, url)
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert value == "₫501,250,000"
    assert not [s for s in statements if "meeting_outcomes" in s]  # no aggregation ran
    # ...and "compute them now" reads the database again.
    fresh = page.select_one("[data-computed-at] a")["href"]
    assert "fresh=1" in fresh
    value, _page = contract_value(client, html, fresh)
    assert value == "₫701,250,000"


def test_an_organiser_action_drops_the_event_s_figures(
    app,
    client,
    login,
    db,
    fair,
    organiser,
    html,
    cached,
):
    login(organiser)
    url = f"/manage/events/{fair.event.id}/dashboard?lang=en"

    def approved_exhibitors():
        page = html(client.get(url))
        return text_of(page.select_one('[data-figure="approved_exhibitors"] [data-value]'))

    assert approved_exhibitors() == "2"
    waiting = db.session.scalar(
        select(Registration).where(Registration.event_id == fair.event.id, Registration.status == "pending")
    )
    # The organiser approves the pending exhibitor: an organiser action, logged and signalled.
    response = client.post(
        f"/manage/events/{fair.event.id}/registrations/decide",
        data={"ids": [waiting.id], "action": "approve", "role": "exhibitor"},
    )
    assert response.status_code == 302
    assert approved_exhibitors() == "3"


def test_permission_is_checked_before_the_cache(
    app,
    client,
    login,
    fair,
    organiser,
    make_user,
    cached,
):
    url = f"/manage/events/{fair.event.id}/dashboard"
    login(organiser)
    assert client.get(url).status_code == 200
    client.post("/logout")
    login(make_user(role="organiser"))
    assert client.get(url).status_code == 403
