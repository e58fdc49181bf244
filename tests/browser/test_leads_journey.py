"""In Chromium: lead capture offline. An exhibitor opens the lead app on a phone, the network
goes, the app reopens from its service worker's cache, the exhibitor types a visitor's badge
code, rates it and adds a note, and a forged code is kept too; the network returns, the lead
syncs once (the forged one is refused) and appears in the exhibitor's list."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.onsite.badges.services import badge_token
from app.onsite.leads.models import Lead
from tests.conftest import NOW
from tests.onsite.desk_support import running_fair

pytestmark = pytest.mark.browser

# The service worker's install and the first caching of the app's files: seconds on a quiet
# machine, more while the suite's other process loads both cores.
OFFLINE_READY_MS = 60_000

ARTIFACTS = Path("test-artifacts")
PHONE = {"width": 390, "height": 844}
DEVICE_TIME = NOW.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # the pinned server clock's start


def test_a_lead_captured_offline_syncs_once_and_is_listed(
    monkeypatch, app, browser, live_server, db, make_event, make_user, make_buyer, make_producer, make_product
):
    fair = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    exhibitor = fair.producers[0][0]
    visitor = fair.buyers[0][1]
    visitor.lead_sharing = "contact"
    visitor.organisation.email = "mua.hang@example.vn"
    db.session.commit()
    token = badge_token(visitor)
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # the sync carries the token the app fetches
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.clock.set_fixed_time(DEVICE_TIME)
        page.goto("/login")
        page.fill("input[name=email]", exhibitor.email)
        page.fill("input[name=password]", "correct horse 42")
        page.click("main form button[type=submit]")
        page.wait_for_load_state()
        page.goto(f"/onsite/leads/{fair.event.id}/?lang=en")
        page.wait_for_selector("[data-leads-app][data-offline-ready]", timeout=OFFLINE_READY_MS)

        context.set_offline(True)
        page.reload()
        page.wait_for_selector("[data-leads-app][data-started]")
        assert page.locator("[data-network]").inner_text() == "Offline"

        page.fill("[data-code]", token.lower())
        page.click("label[for=rating-5]")
        page.fill("[data-note]", "Wants 200 kg of tea each month")
        page.click("[data-lead-form] button[type=submit]")
        page.wait_for_selector("[data-leads-app][data-waiting='1']")
        assert page.locator("[data-result]").get_attribute("data-kind") == "success"
        page.fill("[data-code]", forged)
        page.click("[data-lead-form] button[type=submit]")
        page.wait_for_selector("[data-leads-app][data-waiting='2']")
        page.fill("[data-code]", "hello")
        page.click("[data-lead-form] button[type=submit]")
        assert page.locator("[data-result]").get_attribute("data-kind") == "danger"
        assert page.locator("[data-leads-app]").get_attribute("data-waiting") == "2"
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "leads-app-offline.png"), full_page=True)
        assert db.session.scalar(select(func.count()).select_from(Lead)) == 0

        context.set_offline(False)
        page.wait_for_selector("[data-leads-app][data-waiting='0']:not([data-syncing])")
        answers = page.locator("[data-answers] li")
        statuses = answers.evaluate_all("(items) => items.map(i => i.dataset.status)")
        assert sorted(statuses) == ["refused", "saved"]
        assert "not genuine" in page.locator("[data-answers] li[data-status=refused]").inner_text()
        page.click("[data-sync-now]")  # nothing waits: nothing is sent twice
        page.wait_for_selector("[data-leads-app]:not([data-syncing])")
        db.session.expire_all()
        stored = db.session.scalars(select(Lead)).all()
        assert [(lead.rating, lead.note, lead.visitor_registration_id) for lead in stored] == [
            (5, "Wants 200 kg of tea each month", visitor.id)
        ]

        page.goto(f"/onsite/leads/{fair.event.id}/list?lang=en")
        row = page.locator("[data-leads] [data-lead]")
        assert row.count() == 1
        text = row.inner_text()
        assert visitor.organisation.name in text and "5/5" in text and "mua.hang@example.vn" in text
        page.screenshot(path=str(ARTIFACTS / "leads-list.png"), full_page=True)
        page.goto(f"/onsite/leads/{fair.event.id}/sharing?lang=en")
        page.screenshot(path=str(ARTIFACTS / "leads-sharing.png"), full_page=True)
    finally:
        context.close()
        app.config["WTF_CSRF_ENABLED"] = False
