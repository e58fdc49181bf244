"""In Chromium: an organiser creates and opens a fair, a producer applies, the organiser approves."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.notifications.models import OutboxMessage

pytestmark = pytest.mark.browser


def _local(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _log_out(page):
    page.click("#usermenu")
    page.click("form[action='/logout'] button")
    page.wait_for_load_state()


def test_organiser_opens_a_fair_a_producer_applies_and_is_approved(
    page, organiser, exhibitor, make_product, db
):
    make_product(
        organisation=exhibitor.organisation, name_vi="Chè xanh Đường Hoa", name_en="Duong Hoa green tea"
    )
    db.session.commit()
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).replace(second=0, microsecond=0)

    _log_in(page, organiser.email)
    page.goto("/manage/events/new")
    page.select_option("#kind", "physical_fair")
    page.fill("#slug", "hoi-cho-ocop-ha-long")
    page.fill("#name_vi", "Hội chợ OCOP Hạ Long")
    page.fill("#name_en", "Ha Long OCOP fair")
    page.fill("#starts_at", _local(now + timedelta(days=20)))
    page.fill("#ends_at", _local(now + timedelta(days=23)))
    page.fill("#venue_name", "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh")
    page.fill("#exhibitor_capacity", "50")
    page.fill("#buyer_capacity", "30")
    for role in ("exhibitor", "buyer"):
        page.fill(f"#{role}_registration_opens_at", _local(now - timedelta(hours=1)))
        page.fill(f"#{role}_registration_closes_at", _local(now + timedelta(days=10)))
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/events/*")
    # Its registration windows began an hour ago: the event opens at once.
    assert page.locator("[data-state]").get_attribute("data-state") == "registration_open"
    _log_out(page)

    _log_in(page, exhibitor.email)
    page.goto("/events/hoi-cho-ocop-ha-long")
    page.click("a[href*='/apply']")
    page.check("input[name=items]")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/registrations")
    assert page.locator("[data-status]").get_attribute("data-status") == "pending"
    _log_out(page)

    _log_in(page, organiser.email)
    page.goto("/manage/events/")
    page.click("text=Hội chợ OCOP Hạ Long")
    page.click("a[href*='/registrations']")
    page.check("input[name=ids]")
    page.click("button[value=approve]")
    page.wait_for_load_state()
    assert page.locator("td [data-status]").get_attribute("data-status") == "approved"
    _log_out(page)

    _log_in(page, exhibitor.email)
    page.goto("/my/registrations?lang=en")
    status = page.locator("[data-status]")
    assert status.get_attribute("data-status") == "approved"
    assert status.inner_text() == "Approved"
    page.screenshot(path="test-artifacts/my-registrations.png", full_page=True)

    db.session.expire_all()
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == exhibitor.email)).all()
    assert {"registration_received", "registration_approved"} <= {m.kind for m in mail}
