"""In Chromium: an organiser opens last year's fair, clones it for next year, and lands on the new
draft event with its halls and its programme on the new dates."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.events.models import Event
from tests.events.test_clone_event import _source, utc

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


def test_organiser_clones_a_fair_for_next_year(page, db, make_event, organiser):
    source = _source(make_event, organiser)
    db.session.commit()

    page.goto("/login")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto("/manage/events/?lang=en")
    page.click("text=Quang Ninh OCOP fair 2027")
    page.click(f"a[href='/manage/events/{source.id}/clone']")
    page.wait_for_url(f"**/manage/events/{source.id}/clone")
    assert page.input_value("#starts_on") == "2028-03-10"
    assert page.input_value("#name_en") == "Quang Ninh OCOP fair 2028"  # suggested
    page.fill("#name_vi", "Hội chợ OCOP Quảng Ninh lần thứ 10")
    page.fill("#starts_on", "2028-03-15")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "clone-event-form.png"), full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/manage/events/*")

    clone = db.session.scalar(select(Event).where(Event.name_vi == "Hội chợ OCOP Quảng Ninh lần thứ 10"))
    assert page.url.endswith(f"/manage/events/{clone.id}")
    assert clone.starts_at == utc(2028, 3, 15, 1)
    assert page.locator(".alert-success").count() == 1
    assert page.locator("[data-state]").get_attribute("data-state") == "draft"
    assert page.locator("h1").inner_text() == "Quang Ninh OCOP fair 2028"
    halls = page.locator("#halls .list-group-item").all_inner_texts()
    assert [text.split()[:2] for text in halls] == [["Hall", "A"], ["Nhà", "B"]]
    programme = [" ".join(row.split()) for row in page.locator("#programme tbody tr").all_inner_texts()]
    assert len(programme) == 2  # the cancelled seminar stayed behind
    assert programme[0].startswith("Mar 15, 8:30 AM–9:30 AM Opening")
    assert programme[1].startswith("Mar 16, 6:30 AM–7:30 AM Thử món sớm")
    page.screenshot(path=str(ARTIFACTS / "clone-event-result.png"), full_page=True)
