"""In Chromium: an organiser reads a networking forum's quality page (placed of requested, breaks
against the proven bound, the requests left out with why and what would place them), with a
screenshot to look at."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from app.extensions import db as _db
from app.matching.sessions import services
from tests.matching.forum_run.test_forum_run import _pair

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


def test_the_forum_quality_page_shows_proof_reasons_and_hints(page, fair):
    ARTIFACTS.mkdir(exist_ok=True)
    people = [fair.producer() for _ in range(7)] + [fair.buyer() for _ in range(2)]
    session = fair.session(day_start=time(8, 30), day_end=time(10, 30), tables=2)  # 4 slots, 2 tables
    session.kind = "forum"
    for i in range(len(people)):
        for j in (i + 1, i + 2):
            if j < len(people):
                _pair(session, people[i], people[j])
    _pair(session, people[0], people[8], part_of_day="afternoon")
    services.run_matching(fair.organiser, session, time_limit=5)
    _db.session.commit()

    page.goto("/login")
    page.fill("input[name=email]", fair.organiser.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(f"/manage/events/{fair.event.id}/matching/{session.id}?lang=en")
    quality = page.locator("#forum-quality")
    assert quality.is_visible()
    placed, requested = page.locator("[data-figure=placed]").inner_text().split(" / ")
    assert int(requested) == 16 and int(placed) < 16
    assert page.locator("#unmet li[data-code]").count() == 16 - int(placed)
    assert "afternoon" in page.locator("#unmet").inner_text() or page.locator("#forum-hints").count()
    page.locator("#capacity [data-fits]").wait_for()
    page.locator("#result").screenshot(path=str(ARTIFACTS / "forum-quality.png"))
    page.screenshot(path=str(ARTIFACTS / "forum-quality-page.png"), full_page=True)
