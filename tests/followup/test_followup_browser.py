"""In Chromium: a producer opens the survey link from his mail (no login), answers that the
meeting led to a contract, and the organiser reads it on the event's follow-up page."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db as _db
from app.followup import services
from app.notifications.models import OutboxMessage
from tests.followup.conftest import LAST_DAY, vietnam

pytestmark = pytest.mark.browser


def test_answer_from_the_mail_then_the_organiser_sees_it(page, fair, pinned_clock):
    pinned_clock.move_to(vietnam(LAST_DAY + timedelta(days=14)))
    services.send_followups()
    e1 = fair["people"]["e1"]
    mail = _db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.user_id == e1.id, OutboxMessage.kind == "followup_survey")
    )
    path = urlsplit(re.search(r"https?://\S+/survey/\S+", mail.body).group(0)).path
    m1 = fair["meetings"]["m1"]

    page.goto(f"{path}?lang=en")
    page.click(f"[data-meeting='{m1.id}'] a")
    page.check("input[name=result][value=contract]")
    page.fill("input[name=value_vnd]", "350.000.000")
    page.check("input[name=rating][value='5']")
    page.fill("textarea[name=comment]", "Hợp đồng chè 6 tháng")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{path}")
    assert page.locator(f"[data-meeting='{m1.id}'] [data-answered]").count() == 1

    page.goto("/logout")
    page.goto("/login?lang=en")
    page.fill("input[name=email]", fair["organiser"].email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/manage/events/{fair['event'].id}?lang=en")
    page.click(f"a[href='/manage/events/{fair['event'].id}/followup']")
    page.wait_for_url(f"**/manage/events/{fair['event'].id}/followup")
    row = page.locator("#answers tbody tr").first
    text = " ".join(row.inner_text().split())
    assert "Contract" in text or "A contract" in text
    assert "350,000,000" in text and "Hợp đồng chè 6 tháng" in text
    assert page.locator("#waves [data-wave='1'] [data-figure='answered']").inner_text() == "1"
    contracts = page.locator("#reasons [data-reason='province'] [data-figure='contracts']").inner_text()
    assert contracts == "1"
