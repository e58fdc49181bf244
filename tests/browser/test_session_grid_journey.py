"""In Chromium: an organiser reads a large session's schedule (990 meetings, 145 participants) a
page at a time, filters it by day and by a buyer, pages through, and moves one meeting in the
dialog that offers only the slots both sides can take and the tables free in one; the new slot
and table are saved. On a desktop and on a phone (390×844), with screenshots to look at."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.matching.models import Meeting
from app.matching.sessions import services as sessions
from tests.matching.test_session_grid import bulk_schedule

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
BUYER = "Siêu thị Hạ Long Xanh"


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _row_keys(page) -> list[tuple[int, int]]:
    return [
        (int(slot), int(table))
        for slot, table in page.locator("#meetings tbody tr").evaluate_all(
            "rows => rows.map(r => [r.dataset.slot, r.dataset.table])"
        )
    ]


def test_an_organiser_filters_pages_through_and_moves_a_meeting_in_its_dialog(
    page, browser, live_server, organiser, make_event, db
):
    ARTIFACTS.mkdir(exist_ok=True)
    event = make_event(organiser=organiser)
    first, _last = sessions.event_days(event)
    session = sessions.create_session(
        organiser,
        event,
        name="Kết nối giao thương toàn quốc",
        first_day=first,
        last_day=first,
        day_start=time(8, 0),
        day_end=time(16, 30),
        meeting_minutes=20,
        gap_minutes=5,
        tables=60,
    )
    buyer_ids, _producer_ids = bulk_schedule(session, 55, 90, 18, names=[BUYER])
    db.session.commit()
    slots = sessions.slots_of(session)
    url = f"/manage/events/{event.id}/matching/{session.id}"

    _log_in(page, organiser.email)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url + "?lang=en")
    rows = page.locator("#meetings tbody tr")
    assert rows.count() == 25
    assert page.locator("[data-figure=meetings]").inner_text() == "990"
    keys = _row_keys(page)
    assert keys == sorted(keys), "by slot, then table"
    page.locator("#capacity [data-fits]").wait_for()  # the capacity check loads into its card
    page.locator("#people [data-people-list] tbody tr").first.wait_for()  # so do the participants
    assert page.locator("#people [data-people-list] tbody tr").count() == 50
    page.locator("#settings [data-settings-form] #settings-form").wait_for()  # and the settings
    page.locator("#grid").screenshot(path=str(ARTIFACTS / "session-grid.png"))
    page.screenshot(path=str(ARTIFACTS / "session-grid-page.png"), full_page=False)

    # -- filter by a slot of the afternoon, then page through
    afternoon = next(s for s in slots if s.start.hour >= 13)
    page.select_option("#filter-slot", str(afternoon.index))
    page.click("#grid-filters button[type=submit]")
    page.wait_for_load_state()
    assert {slot for slot, _table in _row_keys(page)} == {afternoon.index}
    assert page.locator("#meetings .pagination").count() == 1
    page.locator("#meetings .pagination a.page-link", has_text="3").first.click()
    page.wait_for_load_state()
    assert f"slot={afternoon.index}" in page.url and "page=3" in page.url
    assert rows.count() == 5 and {s for s, _t in _row_keys(page)} == {afternoon.index}  # 55 in the slot

    # -- find one buyer's meetings by its name typed without accents
    page.fill("#filter-person", "ha long xanh")
    page.select_option("#filter-slot", "")
    page.click("#grid-filters button[type=submit]")
    page.wait_for_load_state()
    assert rows.count() == 18 and all(BUYER in text for text in rows.all_inner_texts())

    # -- move its first meeting in the dialog
    meeting = db.session.scalar(
        select(Meeting).where(Meeting.buyer_registration_id == buyer_ids[0], Meeting.slot == 0)
    )
    row = page.locator(f"#meeting-{meeting.id}")
    row.locator("a[data-move-dialog]").click()
    dialog = page.locator("#move-dialog")
    dialog.locator("#move-slot").wait_for()
    assert dialog.evaluate("d => d.open")
    offered = dialog.locator("#move-slot option").evaluate_all("options => options.map(o => Number(o.value))")
    assert offered == [0, 18, 19], "its own slot, and the two slots where neither side has a meeting"
    dialog.screenshot(path=str(ARTIFACTS / "session-move-dialog.png"))
    dialog.locator("#move-slot").select_option("19")
    page.wait_for_function(
        "() => document.querySelector('#move-dialog #move-form input[name=slot]')?.value === '19'"
    )
    assert dialog.locator("#move-table option").count() == 60, "nobody meets in slot 19"
    dialog.locator("#move-table").select_option("5")
    page.screenshot(path=str(ARTIFACTS / "session-move-dialog-page.png"))
    dialog.locator("#move-form button[type=submit]").click()
    page.wait_for_url(lambda address: address.endswith(f"#meeting-{meeting.id}"))
    assert "person=ha" in page.url, "back to the filtered list"

    db.session.expire_all()
    moved = db.session.get(Meeting, meeting.id)
    assert (moved.slot, moved.table, moved.fixed) == (19, 4, True)
    assert page.locator(f"#meeting-{meeting.id}").get_attribute("data-slot") == "19"
    assert page.locator(f"#meeting-{meeting.id}").get_attribute("data-table") == "4"
    assert page.locator(".alert-success").count() >= 1

    # -- the same on a phone: the page and the dialog fit its width
    phone = browser.new_context(
        base_url=live_server,
        locale="vi-VN",
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    phone.set_default_timeout(15_000)
    try:
        tab = phone.new_page()
        _log_in(tab, organiser.email)
        tab.goto(url + "?person=ha+long+xanh")
        tab.locator("#meetings").scroll_into_view_if_needed()
        tab.screenshot(path=str(ARTIFACTS / "session-grid-phone.png"))
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
        tab.locator("#meetings tbody tr a[data-move-dialog]").first.click()
        tab.locator("#move-dialog #move-slot").wait_for()
        box = tab.locator("#move-dialog").bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390
        tab.screenshot(path=str(ARTIFACTS / "session-move-dialog-phone.png"))
        tab.locator("#move-dialog [data-move-close]").click()
        assert not tab.locator("#move-dialog").evaluate("d => d.open")
    finally:
        phone.close()
