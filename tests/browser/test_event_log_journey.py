"""In Chromium: an organiser approves a registration, then opens the event log from the event's
page and finds the approval, who made it and the status change."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.events.registrations import services as reg
from tests.conftest import NOW

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


def test_organiser_approves_then_reads_it_in_the_event_log(
    page, db, organiser, make_open_event, make_producer, make_user, make_product
):
    event = make_open_event(organiser)
    organisation = make_producer()
    user = make_user(role="exhibitor", organisation=organisation)
    product = make_product(organisation, ocop_group="beverages", category="tea", stars=4)
    reg.apply_as_exhibitor(user, event, [product.id], now=NOW)
    db.session.commit()

    page.goto("/login?lang=en")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/manage/events/{event.id}/registrations?lang=en")
    page.check("input[name=ids]")
    page.click("button[value=approve]")
    page.wait_for_load_state()
    assert page.locator("td [data-status]").get_attribute("data-status") == "approved"

    page.goto(f"/manage/events/{event.id}?lang=en")
    page.click(f"a[href='/manage/events/{event.id}/log']")
    page.wait_for_url(f"**/manage/events/{event.id}/log")
    rows = page.locator("#log tbody tr")
    # Newest first: the approval, then the organiser opening registration (set up above).
    actions = [rows.nth(i).get_attribute("data-action") for i in range(rows.count())]
    assert actions == ["registration_approved", "event_state_changed"]
    text = " ".join(rows.first.inner_text().split())
    assert organiser.full_name in text and organisation.name in text
    assert "Registration approved" in text and "Status: Pending → Approved" in text
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "event-log.png"), full_page=True)
