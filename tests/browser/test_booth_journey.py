"""In Chromium: an organiser lays out booths, an exhibitor asks for one, the organiser allocates,
the exhibitor finds its booth on the plan, and a visitor scans the booth's QR code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app import qrcodes
from app.booths.ebooths import services as ebooths
from app.booths.models import Booth, BoothAssignment
from app.booths.plan import services as plan
from app.events import services as events
from app.events.registrations import services as registrations

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
EXHIBITOR_NAME = "HTX Trà hoa vàng Ba Chẽ"
PRODUCT_NAME = "Trà hoa vàng Ba Chẽ túi lọc"


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _log_out(page):
    page.click("#usermenu")
    page.click("form[action='/logout'] button")
    page.wait_for_load_state()


def _flash(page) -> str:
    return page.locator(".alert[role=alert]").first.inner_text()


def test_organiser_lays_out_and_allocates_and_a_visitor_scans_the_booth(
    page, browser, live_server, app, organiser, make_event, make_producer, make_user, make_product, db, worker
):
    # ---- set up in Python: an open fair, a hall, a booth type, an approved exhibitor
    event = make_event(organiser=organiser)
    events.open_registration(organiser, event)
    hall = events.save_hall(organiser, event, name="Nhà A", width_m=40, depth_m=20)
    standard = plan.save_booth_type(
        organiser,
        event,
        name="Gian tiêu chuẩn",
        name_en="Standard booth",
        width_m=3,
        depth_m=3,
        price_vnd=2_000_000,
    )
    producer = make_producer(name=EXHIBITOR_NAME, province_code="22")
    exhibitor = make_user(role="exhibitor", organisation=producer)
    product = make_product(organisation=producer, name_vi=PRODUCT_NAME, name_en="Ba Che golden camellia tea")
    with app.test_request_context("/"):
        registration = registrations.apply_as_exhibitor(exhibitor, event, [product.id])
        registrations.approve(organiser, registration)
    db.session.commit()
    event_id, slug, registration_id = event.id, event.slug, registration.id
    hall_id, type_id = hall.id, standard.id

    # ---- the organiser lays out a block of six booths with the generator
    _log_in(page, organiser.email)
    page.goto(f"/manage/events/{event_id}")
    page.click(f"#halls a[href='/manage/events/{event_id}/booths']")
    assert page.locator("svg.plan-svg g.booth").count() == 0
    page.click(f"a[href*='/manage/events/{event_id}/booths/generate']")
    page.select_option("#hall_id", str(hall_id))
    page.select_option("#booth_type_id", str(type_id))
    page.fill("#rows", "1")
    page.fill("#columns", "6")
    page.fill("#start_code", "A-01")
    page.fill("#zone_tags", "beverages")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**/manage/events/{event_id}/booths?hall={hall_id}")
    assert "A-01" in _flash(page) and "A-06" in _flash(page)
    drawn = page.locator("svg.plan-svg g.booth")
    assert drawn.count() == 6
    assert [drawn.nth(i).get_attribute("data-code") for i in range(6)] == [f"A-0{n}" for n in range(1, 7)]
    assert {drawn.nth(i).get_attribute("data-status") for i in range(6)} == {"free"}
    _log_out(page)

    # ---- the exhibitor asks for a standard booth: A-04 first, then any booth of the drinks zone
    _log_in(page, exhibitor.email)
    page.click("#mainnav a[href='/my/booths']")
    card = page.locator(f"[data-registration='{registration_id}']")
    card.locator(f"a[href='/my/booths/{registration_id}/request']").click()
    page.select_option("#booth_type", str(type_id))
    wanted = page.locator("#preference_1 option", has_text="A-04").get_attribute("value")
    page.select_option("#preference_1", wanted)
    page.select_option("#preference_2", "zone:beverages")
    page.fill("#note", "Cần ổ điện cho máy pha trà")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/booths")
    card = page.locator(f"[data-registration='{registration_id}']")
    assert card.locator("[data-request-status]").get_attribute("data-request-status") == "pending"
    preferences = card.locator("ol li").all_inner_texts()
    assert len(preferences) == 2
    assert "A-04" in preferences[0] and "Đồ uống" in preferences[1]  # the zone by its label, in Vietnamese
    _log_out(page)

    # ---- the organiser sees the request and allocates all pending, after the confirmation page
    _log_in(page, organiser.email)
    page.goto(f"/manage/events/{event_id}")
    page.click(f"#halls a[href='/manage/events/{event_id}/booth-requests']")
    row = page.locator("#requests tbody tr", has_text=EXHIBITOR_NAME)
    assert row.count() == 1
    assert "1. A-04" in row.inner_text()
    page.click(f"a[href='/manage/events/{event_id}/booth-allocation']")
    page.click("main form button[type=submit]")
    # The button returns at once to the requests, where the job's panel follows its progress,
    # and the page reloads by itself once a worker has run it.
    page.wait_for_url(f"**/manage/events/{event_id}/booth-requests#job")
    assert page.locator("#job").get_attribute("data-state") == "queued"
    worker.drain()
    page.wait_for_selector("#job[data-state=succeeded]")
    assert page.locator("#job [data-field=message]").inner_text().startswith("Đã phân bổ xong: 1 ")
    page.goto(f"/manage/events/{event_id}/booth-allocation/result")
    assert page.locator("[data-figure=placed]").inner_text() == "1"
    assert page.locator("[data-figure=unplaced]").inner_text() == "0"
    result = page.locator("#result tbody tr", has_text=EXHIBITOR_NAME)
    assert result.get_attribute("data-status") == "allocated"
    cells = result.locator("td")
    assert cells.nth(1).inner_text() == "A-04"
    assert re.search(r"\b1$", cells.nth(2).inner_text())  # "Preference 1"
    _log_out(page)

    # ---- the exhibitor sees its booth and finds it on the public plan
    _log_in(page, exhibitor.email)
    page.click("#mainnav a[href='/my/booths']")
    card = page.locator(f"[data-registration='{registration_id}']")
    assert card.locator(".booth-code").inner_text() == "A-04"
    assert card.locator("[data-status]").get_attribute("data-status") == "allocated"
    card.locator(f"a[href^='/events/{slug}/plan']").click()
    page.wait_for_url(f"**/events/{slug}/plan?booth=*")
    mine = page.locator("svg.plan-svg g.booth[data-code='A-04']")
    assert mine.get_attribute("data-status") == "allocated"
    assert "highlight" in mine.get_attribute("class")  # the exhibitor's own booth is ringed
    assert EXHIBITOR_NAME in mine.locator("title").text_content()
    assert page.locator("svg.plan-svg g.booth[data-status=free]").count() == 5
    listed = page.locator(".plan-directory li", has_text=EXHIBITOR_NAME)
    assert listed.count() == 1 and "A-04" in listed.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "booth-plan.png"), full_page=True)

    # ---- the exhibitor shows its product on its electronic booth and publishes it
    page.click("#mainnav a[href='/my/registrations']")
    page.click(f"a[href='/my/events/{slug}/ebooth']")
    page.wait_for_url(re.compile(rf"/events/{slug}/booths/\d+/edit$"))
    page.fill("#headline_vi", "Trà hoa vàng hữu cơ từ rừng Ba Chẽ")
    page.check(f"#product-{product.id}")
    page.click("#ebooth-form button[type=submit]")
    page.wait_for_load_state()
    page.click("form[action$='/publish'] button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#publish-title + p .badge.text-bg-success").count() == 1
    assert page.locator("form[action$='/publish'] input[name=published]").get_attribute("value") == "0"
    _log_out(page)

    # ---- the organiser's printed sign for A-04 carries the booth's QR address
    booth = db.session.scalar(select(Booth).where(Booth.event_id == event_id, Booth.code == "A-04"))
    booth_id = booth.id
    with app.test_request_context("/", base_url=live_server):
        qr_url = ebooths.booth_url(booth)
        sign_qr = qrcodes.qr_svg_inline(qr_url)
    db.session.rollback()
    assert qr_url == f"{live_server}/events/{slug}/booths/at/{booth_id}"
    _log_in(page, organiser.email)
    page.goto(f"/manage/events/{event_id}/booths/{booth_id}/sign")
    sign = page.locator(".booth-sign")
    assert sign.locator(".booth-sign-code").inner_text() == "A-04"
    assert sign.locator(".booth-sign-exhibitor").inner_text() == EXHIBITOR_NAME
    assert sign.locator(".booth-sign-url").inner_text() == qr_url
    printed = sign.locator(".booth-sign-qr svg path").get_attribute("d")
    assert printed and printed in sign_qr  # the printed code is the code of that address
    _log_out(page)

    # ---- a visitor (no account) scans the code and lands on the electronic booth
    visitor = browser.new_context(locale="vi-VN")
    try:
        visitor.set_default_timeout(15_000)
        phone = visitor.new_page()
        phone.goto(qr_url)
        phone.wait_for_url(re.compile(rf"/events/{slug}/booths/\d+$"))
        assert phone.locator("#usermenu").count() == 0
        assert phone.locator("h1").inner_text() == EXHIBITOR_NAME
        assert phone.locator(".ebooth-product h3").all_inner_texts() == [PRODUCT_NAME]
        assert "A-04" in phone.locator("header.ebooth-header").inner_text()
        here = phone.locator(".ebooth-plan svg g.booth.highlight")
        assert here.count() == 1 and here.get_attribute("data-code") == "A-04"
        phone.screenshot(path=str(ARTIFACTS / "booth-ebooth.png"), full_page=True)
        ebooth_path = phone.url.removeprefix(live_server)
        # the public plan now links the booth to that electronic booth
        phone.goto(f"{live_server}/events/{slug}/plan")
        link = phone.locator("svg.plan-svg g.booth[data-code='A-04'] a")
        assert link.get_attribute("href") == ebooth_path
        assert (
            phone.locator(".plan-directory a", has_text=EXHIBITOR_NAME).get_attribute("href") == ebooth_path
        )
    finally:
        visitor.close()

    # ---- in the database: one active booking of A-04 for that registration
    db.session.expire_all()
    active = db.session.scalars(
        select(BoothAssignment).where(
            BoothAssignment.registration_id == registration_id, BoothAssignment.status != "cancelled"
        )
    ).all()
    assert len(active) == 1
    assert active[0].booth_id == booth_id and active[0].status == "allocated"
