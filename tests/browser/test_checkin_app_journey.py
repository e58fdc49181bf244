"""In Chromium: the offline check-in app. Two phones of the event's check-in staff download
today's meetings; the first goes offline, reloads the app from its service worker's cache,
checks three meetings and one badge (at the gate named on the phone, remembered across the
reload) in and is refused a forged code, another event's and an unknown one, and a forged badge;
the network returns and everything syncs once. The second phone checked one of the same
meetings in offline: when it syncs it is told who checked it in first, and when."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from app.events.models import EventOrganiser
from app.matching.models import Meeting
from app.onsite.badges.services import badge_token
from app.onsite.checkin_app.services import signature
from app.onsite.gate.models import GateCheckin
from app.onsite.models import CheckinScan
from tests.conftest import NOW
from tests.matching.test_agenda import add_meeting, build_fair

pytestmark = pytest.mark.browser

# The service worker's install and the first caching of the app's files: seconds on a quiet
# machine, more while the suite's other process loads both cores.
OFFLINE_READY_MS = 60_000

ARTIFACTS = Path("test-artifacts")
PHONE = {"width": 390, "height": 844}
# The phone's clock: where the pinned server clock starts (TEST_NOW), and that time in Vietnam.
DEVICE_TIME = NOW.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
HERE_TIME = NOW.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%H:%M")


def _phone(browser, live_server, user):
    context = browser.new_context(base_url=live_server, viewport=PHONE, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.clock.set_fixed_time(DEVICE_TIME)
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto("/onsite/app/?lang=en")
    page.wait_for_selector("[data-checkin-app][data-offline-ready]", timeout=OFFLINE_READY_MS)
    return context, page


def _download(page, event_id, day):
    page.select_option("[data-pick]", f"{event_id}|{day.isoformat()}")
    page.click("[data-download]")
    page.wait_for_selector("[data-checkin-app][data-downloaded]")


def _type(page, text):
    # The previous answer is forgotten first: `_result` then waits for this code's (the app
    # decides after reading IndexedDB, so reading the box at once could see the last one).
    page.eval_on_selector("[data-result]", "(box) => { delete box.dataset.kind; }")
    page.fill("[data-code]", text)
    page.click("[data-scan-form] button[type=submit]")


def _result(page) -> tuple[str, str]:
    box = page.locator("[data-result][data-kind]")
    box.wait_for(state="attached")
    return box.get_attribute("data-kind"), " ".join(box.inner_text().split())


def _wait_pending(page, count):
    page.wait_for_selector(f"[data-checkin-app][data-waiting='{count}']")


def test_check_ins_made_offline_sync_once_and_a_second_phone_is_told(
    monkeypatch, app, browser, live_server, db, make_event, make_user, make_buyer, make_producer, make_product
):
    fair = build_fair(
        db,
        make_event,
        make_user,
        make_buyer,
        make_producer,
        make_product,
        days_ahead=0,
        buyers=3,
        producers=3,
    )
    other = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=0)
    buyers = [r for _u, r in fair.buyers]
    producers = [r for _u, r in fair.producers]
    meetings = [add_meeting(db, fair, buyers[i], producers[i], slot=1, table=i) for i in range(3)]
    foreign = add_meeting(db, other, other.buyers[0][1], other.producers[0][1], slot=1, table=0)
    helper = make_user(role="organiser", full_name="Trần Thị Bình")
    db.session.add(EventOrganiser(event_id=fair.event.id, user_id=helper.id))
    db.session.commit()
    codes = [m.checkin_code for m in meetings]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # the sync carries the token the app fetches
    try:
        first, page = _phone(browser, live_server, fair.organiser)
        second, other_page = _phone(browser, live_server, helper)
        for tab in (page, other_page):
            _download(tab, fair.event.id, fair.day)
            assert tab.locator("[data-meetings] li").count() == 3

        page.fill("[data-gate-name]", "Gate A")

        # The first phone loses the network and the app still opens, from the cache.
        first.set_offline(True)
        page.reload()
        page.wait_for_selector("[data-checkin-app][data-started]")
        assert page.input_value("[data-gate-name]") == "Gate A", "the gate's name is remembered"
        assert page.locator("[data-network]").inner_text() == "Offline"
        # Typed (in lower case), typed, and scanned from a participant's agenda (the signed URL).
        signed = f"{live_server}/manage/events/{fair.event.id}/checkin?code={codes[2]}&sig=" + signature(
            fair.event.id, codes[2]
        )
        for n, text in enumerate([codes[0].lower(), codes[1], signed]):
            _type(page, text)
            kind, text = _result(page)
            assert kind == "success" and text.startswith(f"Checked in at {HERE_TIME}"), text
            assert "synced when the network returns" in text
            _wait_pending(page, n + 1)
        assert page.locator("[data-pending]").inner_text() == "3"
        # A participant's badge, at the gate.
        visitor = buyers[0]
        _type(page, badge_token(visitor))
        kind, text = _result(page)
        assert kind == "success", text
        assert text.startswith(
            f"In at Gate A at {HERE_TIME}: {visitor.organisation.contact_name or visitor.organisation.name}"
        )
        _wait_pending(page, 4)
        _type(page, badge_token(visitor).lower())
        assert _result(page) == ("warning", f"Already in at {HERE_TIME} at Gate A on this phone.")
        _type(page, badge_token(buyers[1])[:-4] + "AAAA")
        kind, text = _result(page)
        assert kind == "danger" and "forged" in text
        _type(page, badge_token(other.buyers[0][1]))
        assert _result(page) == ("danger", "This badge belongs to another event: not let in.")
        _type(page, codes[0])
        assert _result(page) == ("warning", f"Already checked in at {HERE_TIME} on this phone.")
        _type(page, f"{live_server}/manage/events/{fair.event.id}/checkin?code={codes[1]}&sig=000000000000")
        kind, text = _result(page)
        assert kind == "danger" and "forged" in text
        _type(page, f"{live_server}/manage/events/{other.event.id}/checkin?code={foreign.checkin_code}")
        assert _result(page) == ("danger", "This code belongs to another event: not checked in.")
        _type(page, foreign.checkin_code)
        assert (
            _result(page)[1]
            == f"No meeting with the code {foreign.checkin_code} on this day: not checked in."
        )
        _wait_pending(page, 4)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "checkin-app-offline.png"), full_page=True)
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(CheckinScan)) == 0, "nothing left the phone"

        # The second phone, offline too, checks in one of the same meetings.
        second.set_offline(True)
        _type(other_page, codes[1])
        assert _result(other_page)[0] == "success"
        _wait_pending(other_page, 1)

        # The network returns to the first phone: its three check-ins sync, once.
        first.set_offline(False)
        _wait_pending(page, 0)
        page.wait_for_selector("[data-answers] li[data-status]")
        statuses = [li.get_attribute("data-status") for li in page.locator("[data-answers] li").all()]
        assert sorted(statuses) == ["held", "held", "held", "held"]
        db.session.expire_all()
        held = db.session.scalars(select(Meeting).where(Meeting.id.in_([m.id for m in meetings]))).all()
        assert {(m.status, m.checked_in_by_id) for m in held} == {("held", fair.organiser.id)}
        assert db.session.scalar(select(func.count()).select_from(CheckinScan)) == 4
        (gate_row,) = db.session.scalars(select(GateCheckin)).all()
        assert (gate_row.registration_id, gate_row.gate) == (visitor.id, "Gate A")
        assert f"Checked in at Gate A at {HERE_TIME}." in page.locator("[data-answers]").inner_text()
        page.click("[data-sync-now]")  # nothing waits: nothing is sent again
        _wait_pending(page, 0)
        page.screenshot(path=str(ARTIFACTS / "checkin-app-synced.png"), full_page=True)

        # Then to the second phone: it is told the meeting was checked in first elsewhere.
        second.set_offline(False)
        _wait_pending(other_page, 0)
        told = other_page.locator("[data-answers] li[data-status=already]")
        told.wait_for()
        assert f"Already checked in at {HERE_TIME} by {fair.organiser.full_name}." in told.inner_text()
        assert _result(other_page) == (
            "warning",
            f"{codes[1]}: Already checked in at {HERE_TIME} by {fair.organiser.full_name}.",
        )
        row = other_page.locator(f"[data-meetings] li[data-code={codes[1]}]")
        assert f"✓ {HERE_TIME}" in row.inner_text()
        other_page.screenshot(path=str(ARTIFACTS / "checkin-app-already.png"), full_page=True)
        db.session.expire_all()
        assert db.session.scalar(select(func.count()).select_from(CheckinScan)) == 5
        assert db.session.scalar(select(func.count()).select_from(GateCheckin)) == 1
        assert db.session.get(Meeting, meetings[1].id).checked_in_by_id == fair.organiser.id
        assert (
            db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.status == "held")) == 3
        )
        first.close()
        second.close()
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
