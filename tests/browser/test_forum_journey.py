"""In Chromium: an organiser creates a networking forum session; two producers and a buyer browse
each other, request meetings with a note, and accept the requests they receive; the organiser's
list shows the three accepted pairs the forum must schedule."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.catalog.models import Organisation
from app.matching.forum import services as forum
from app.matching.models import MatchingSession
from tests.browser.test_matching_journey import _log_in, _log_out, _prepare_fair

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


def _user_named(db, name: str) -> User:
    return db.session.scalar(select(User).join(Organisation).where(Organisation.name == name))


def _request(page, card, note: str | None = None) -> None:
    if note:
        card.locator("input[name=note]").fill(note)
    card.locator("[data-request-form] button[type=submit]").click()
    page.wait_for_load_state()


def test_two_producers_and_a_buyer_request_meetings_with_each_other_and_accept(
    page, live_server, organiser, make_event, make_producer, make_buyer, make_product, make_user, db
):
    ARTIFACTS.mkdir(exist_ok=True)
    event, day, (buyer, buyer_registration) = _prepare_fair(
        db, organiser, make_event, make_producer, make_buyer, make_product, make_user
    )
    tan_cuong = _user_named(db, "HTX Chè Tân Cương")
    duong_hoa = _user_named(db, "HTX Chè Đường Hoa")
    registration_of = {r.organisation.name: r.id for r in event.registrations if r.status == "approved"}

    # -- the organiser creates a networking forum
    _log_in(page, organiser.email)
    page.goto(f"/manage/events/{event.id}/matching")
    form = page.locator("#settings-form")
    form.locator("#kind").select_option("forum")
    form.locator("#name").fill("Diễn đàn kết nối")
    form.locator("#first_day").fill(day.isoformat())
    form.locator("#last_day").fill(day.isoformat())
    form.locator("#day_start").fill("09:00")
    form.locator("#day_end").fill("16:00")
    form.locator("#breaks").fill("12:00-13:00")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/matching/*")
    assert page.locator("h1 ~ div [data-kind], [data-kind]").first.get_attribute("data-kind") == "forum"
    page.click("#forum-requests-link")
    page.wait_for_url("**/forum")
    assert page.locator("#no-requests").is_visible()
    _log_out(page)

    # -- producer 1 browses the others and asks producer 2 and the buyer
    slug = event.slug
    _log_in(page, tan_cuong.email)
    page.goto(f"/my/events/{slug}/matching")
    page.click("#forum-links a[href$='/forum']")
    page.wait_for_url(f"**/my/events/{slug}/forum")
    assert page.locator("[data-participant]").count() == 4
    producer_card = page.locator(f"[data-participant='{registration_of['HTX Chè Đường Hoa']}']")
    _request(page, producer_card, "Cùng làm bao bì chung?")
    assert "Your request was sent." in page.locator("main").inner_text()
    buyer_card = page.locator(f"[data-participant='{buyer_registration.id}']")
    _request(page, buyer_card)
    assert buyer_card.locator("[data-pair-state]").get_attribute("data-pair-state") == "asked"
    page.screenshot(path=str(ARTIFACTS / "forum-browse.png"), full_page=True)
    _log_out(page)

    # -- producer 2 accepts producer 1's request, then asks the buyer
    _log_in(page, duong_hoa.email)
    page.goto(f"/my/events/{slug}/forum/requests")
    incoming = page.locator("#incoming [data-request]")
    assert incoming.count() == 1 and "Cùng làm bao bì chung?" in incoming.inner_text()
    incoming.locator("button[value=accept]").click()
    page.wait_for_load_state()
    assert page.locator("#accepted [data-request]").count() == 1
    page.goto(f"/my/events/{slug}/forum?role=buyer")
    _request(page, page.locator(f"[data-participant='{buyer_registration.id}']"), "Chè cho khách sạn")
    _log_out(page)

    # -- the buyer accepts both requests
    _log_in(page, buyer.email)
    page.goto(f"/my/events/{slug}/forum/requests")
    assert page.locator("#incoming [data-request]").count() == 2
    for _ in range(2):
        page.locator("#incoming [data-request] button[value=accept]").first.click()
        page.wait_for_load_state()
    assert page.locator("#incoming [data-request]").count() == 0
    assert page.locator("#accepted [data-request]").count() == 2
    page.screenshot(path=str(ARTIFACTS / "forum-requests.png"), full_page=True)
    _log_out(page)

    # -- the organiser sees the three accepted pairs
    _log_in(page, organiser.email)
    session = db.session.scalar(select(MatchingSession).where(MatchingSession.event_id == event.id))
    page.goto(f"/manage/events/{event.id}/matching/{session.id}/forum?status=accepted")
    assert page.locator("#forum-requests [data-request]").count() == 3
    page.screenshot(path=str(ARTIFACTS / "forum-manage.png"), full_page=True)
    db.session.expire_all()
    assert len(forum.accepted_pairs(session)) == 3
