"""In Chromium: the check-in app's data on a phone is each account's own. An organiser downloads
the day and checks a meeting in while the sync fails; signing out removes the downloaded day
(the check-in stays queued for that account, and the page says so); a colleague signing in on
the same phone sees no data of the first and is told what waits for whom; the first signs in
again and the queued check-in syncs."""

from __future__ import annotations

import pytest

from app.events.models import EventOrganiser
from tests.browser.test_checkin_app_journey import (
    DEVICE_TIME,
    OFFLINE_READY_MS,
    PHONE,
    _download,
    _result,
    _type,
)
from tests.matching.test_agenda import add_meeting, build_fair

pytestmark = pytest.mark.browser

STORES = """async (name) => {
  const db = await new Promise((ok, fail) => {
    const request = indexedDB.open(name, 1);
    request.onsuccess = () => ok(request.result);
    request.onerror = () => fail(request.error);
  });
  const count = (store) => new Promise((ok) => {
    const request = db.transaction(store).objectStore(store).count();
    request.onsuccess = () => ok(request.result);
  });
  const counts = { days: await count("days"), queue: await count("queue") };
  db.close();
  return counts;
}"""


def _sign_in(page, user):
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto("/onsite/app/?lang=en")
    page.wait_for_selector("[data-checkin-app][data-started]", timeout=OFFLINE_READY_MS)


def test_each_account_has_its_own_data_and_signing_out_removes_the_downloaded_day(
    monkeypatch, app, browser, live_server, db, make_event, make_user, make_buyer, make_producer, make_product
):
    fair = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=0)
    meeting = add_meeting(db, fair, fair.buyers[0][1], fair.producers[0][1], slot=1, table=1)
    colleague = make_user(role="organiser", full_name="Trần Thị Bình")
    db.session.add(EventOrganiser(event_id=fair.event.id, user_id=colleague.id))
    db.session.commit()
    first_db, colleague_db = f"ocopfair-checkin-u{fair.organiser.id}", f"ocopfair-checkin-u{colleague.id}"
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        page.clock.set_fixed_time(DEVICE_TIME)
        _sign_in(page, fair.organiser)
        _download(page, fair.event.id, fair.day)
        page.route("**/sync", lambda route: route.abort())  # the check-in cannot reach the server
        _type(page, meeting.checkin_code)
        assert _result(page)[0] == "success"
        page.wait_for_selector("[data-checkin-app][data-waiting='1']:not([data-syncing])")
        assert page.evaluate(STORES, first_db) == {"days": 1, "queue": 1}

        # Signing out on the app's page: the day goes, the check-in waits for this account.
        page.eval_on_selector("form[action$='/logout']", "(form) => form.requestSubmit()")
        page.wait_for_url("**/")
        page.wait_for_load_state()
        assert page.evaluate(STORES, first_db) == {"days": 0, "queue": 1}

        # A colleague on the same phone: its own empty data, and told what waits for whom.
        page.unroute("**/sync")
        _sign_in(page, colleague)
        assert page.locator("[data-checkin-app]").get_attribute("data-waiting") == "0"
        assert page.locator("[data-meetings] li").count() == 0
        others = page.locator("[data-others-waiting]")
        assert others.is_visible()
        assert " ".join(others.inner_text().split()) == (
            f"1 entries of {fair.organiser.full_name} wait on this phone: "
            f"they are sent when {fair.organiser.full_name} signs in again here."
        )
        assert page.evaluate(STORES, colleague_db) == {"days": 0, "queue": 0}
        db.session.refresh(meeting)
        assert meeting.checked_in_at is None  # never sent under the colleague's account
        page.eval_on_selector("form[action$='/logout']", "(form) => form.requestSubmit()")
        page.wait_for_url("**/")

        # The first account again: its check-in syncs, and nothing waits any more.
        _sign_in(page, fair.organiser)
        page.wait_for_selector("[data-checkin-app][data-waiting='0']:not([data-syncing])")
        assert page.locator("[data-others-waiting]").is_hidden()
        db.session.expire_all()
        assert db.session.get(type(meeting), meeting.id).checked_in_at is not None

        # Signing out from another page also removes the app's cached page, so the next person
        # can't open this account's app offline.
        assert "ocopfair-checkin-v1" in page.evaluate("caches.keys()")
        page.goto("/my/registrations?lang=en")
        page.eval_on_selector("form[action$='/logout']", "(form) => form.requestSubmit()")
        page.wait_for_url("**/")
        page.wait_for_load_state()
        for _attempt in range(50):  # the page removes them just after it loads
            left = [key for key in page.evaluate("caches.keys()") if key.startswith("ocopfair-")]
            if not left:
                break
            page.wait_for_timeout(100)
        assert not left
    finally:
        context.close()
