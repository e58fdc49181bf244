"""In Chromium: after the organiser removes a published forum meeting by hand, the session page
counts it out of "placed / requested", lists it as removed by hand and no longer claims proven
best; the participant blocked by another reads a neutral card. Screenshots to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.matching.forum import services as forum_services
from app.matching.models import Meeting
from app.matching.sessions import services
from tests.matching.forum.conftest import user_of
from tests.matching.forum_run.test_forum_repairs import _published_forum

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


def _log_in(page, user):
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def test_a_hand_removal_shows_in_the_figures_and_a_block_reads_neutral(page, fair):
    ARTIFACTS.mkdir(exist_ok=True)
    session, (p0, p1, p2) = _published_forum(fair)
    meeting = _db.session.scalars(select(Meeting).where(Meeting.session_id == session.id)).first()
    services.remove_meeting(fair.organiser, meeting)
    forum_services.block(user_of(p2), session, p2, p0.id)
    _db.session.commit()

    _log_in(page, fair.organiser)
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(f"/manage/events/{fair.event.id}/matching/{session.id}?lang=en")
    assert page.locator("[data-figure=placed]").inner_text().strip() == "1 / 2"
    unmet = page.locator("#unmet li[data-code=removed]")
    assert unmet.count() == 1 and "removed its meeting by hand" in unmet.inner_text()
    page.locator("#result").screenshot(path=str(ARTIFACTS / "forum-removed-by-hand.png"))

    page.context.clear_cookies()
    _log_in(page, user_of(p0))
    page.goto(f"/my/events/{fair.event.slug}/forum?lang=en")
    card = page.locator(f"[data-participant='{p2.id}']")
    assert card.locator("[data-pair-state]").get_attribute("data-pair-state") == "closed"
    assert "Not taking requests" in card.inner_text() and card.locator("form").count() == 0
    page.screenshot(path=str(ARTIFACTS / "forum-browse-closed.png"), full_page=True)
    _ = p1
