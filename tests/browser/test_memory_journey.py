"""Memory across events in the browser: a buyer reads "You met at …" on its producer card and
its agenda; the organiser reads it in "why this match" on the session page."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.extensions import db as _db
from app.matching.sessions import services
from tests.matching.conftest import fair  # noqa: F401 - the fixture, shared with the matching tests
from tests.matching.test_memory import _earlier_event, _met

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_a_buyer_and_the_organiser_read_what_came_of_an_earlier_meeting(page, fair, make_user):  # noqa: F811
    buyer = fair.buyer()
    warm, cold = fair.producer(), fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    _met(earlier, buyer, warm, ("producer", "follow_up"))
    _met(earlier, buyer, cold, ("buyer", "no_interest"))
    session = fair.session()
    services.run_matching(fair.organiser, session)
    user = make_user(role="buyer", organisation=buyer.organisation)
    _db.session.commit()

    _log_in(page, user.email)
    page.goto(f"/my/events/{fair.event.slug}/producers?lang=en")
    warm_line = page.locator(f"[data-producer='{warm.id}'] [data-history]")
    assert warm_line.inner_text() == f"You met at {earlier.name_en}: talks ongoing."
    assert page.locator(f"[data-producer='{cold.id}'] [data-history]").inner_text().endswith("no interest.")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "memory-producer-cards.png"), full_page=True)

    page.context.clear_cookies()
    _log_in(page, fair.organiser.email)
    page.goto(f"/manage/events/{fair.event.id}/matching/{session.id}?lang=en")
    row = page.locator("tr[id^=meeting-]", has_text=warm.organisation.name)
    row.locator("summary").click()
    assert f"Earlier meetings: You met at {earlier.name_en}: talks ongoing." in row.inner_text()
    page.screenshot(path=str(ARTIFACTS / "memory-why-this-match.png"), full_page=True)
