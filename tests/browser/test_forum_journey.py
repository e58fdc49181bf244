"""In Chromium: an organiser creates a networking forum session; two producers and a buyer browse
each other, request meetings with a note, and accept the requests they receive; the organiser's
list shows the three accepted pairs the forum must schedule. The organiser then runs the matching
and publishes it from the session page (each a background job), and each of the three reads its
agenda, with the two others as its counterparts, and downloads its .ics."""

from __future__ import annotations

from pathlib import Path

import icalendar
import pytest
from flask import current_app
from sqlalchemy import select

from app.accounts.models import User
from app.catalog.models import Organisation
from app.matching.forum import services as forum
from app.matching.models import MatchingSession, Meeting
from app.matching.sessions.services import slots_of
from tests.browser.test_matching_journey import _log_in as _log_in_vi
from tests.browser.test_matching_journey import _log_out, _prepare_fair, _start_job_and_see_it_end

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")


def _log_in(page, email: str) -> None:
    """Log in, then read the pages in English (the texts this journey checks)."""
    _log_in_vi(page, email)
    page.goto("/?lang=en")


def _user_named(db, name: str) -> User:
    return db.session.scalar(select(User).join(Organisation).where(Organisation.name == name))


def _request(page, card, note: str | None = None) -> None:
    if note:
        card.locator("input[name=note]").fill(note)
    card.locator("[data-request-form] button[type=submit]").click()
    page.wait_for_load_state()


def test_two_producers_and_a_buyer_request_meetings_accept_and_read_their_published_agendas(
    page,
    live_server,
    background_worker,
    organiser,
    make_event,
    make_producer,
    make_buyer,
    make_product,
    make_user,
    db,
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

    # -- the organiser runs the forum from the session page (a job), then publishes it (another)
    session_url = f"/manage/events/{event.id}/matching/{session.id}"
    page.goto(session_url)
    message = _start_job_and_see_it_end(page, background_worker, "#run-form button[type=submit]")
    assert "3" in message.split(), message
    assert page.locator("h1 [data-state]").get_attribute("data-state") == "solved"
    assert page.locator("[data-figure=placed]").inner_text().split() == ["3", "/", "3"]
    assert page.locator("[data-figure=unmet]").inner_text() == "0"
    assert page.locator("#grid td[data-meeting]").count() == 3
    page.locator("#result").screenshot(path=str(ARTIFACTS / "forum-journey-quality.png"))
    page.click(f"a[href='{session_url}/publish']")
    page.wait_for_url("**/publish")
    _start_job_and_see_it_end(page, background_worker, "form[action$='/publish'] button[type=submit]")
    assert page.locator("h1 [data-state]").get_attribute("data-state") == "published"
    page.screenshot(path=str(ARTIFACTS / "forum-journey-published.png"), full_page=True)
    _log_out(page)

    db.session.expire_all()
    meetings = db.session.scalars(select(Meeting).where(Meeting.session_id == session.id)).all()
    assert len(meetings) == 3 and all(m.published and m.status == "scheduled" for m in meetings)
    # Three people, three meetings pairwise: no two of them can share a slot.
    assert len({m.slot for m in meetings}) == 3
    slots = slots_of(session)
    host = current_app.config["CALENDAR_UID_DOMAIN"]

    # -- each of the three reads its agenda: its two meetings, with the two others, in time order
    people = (
        (tan_cuong, "HTX Chè Tân Cương"),
        (duong_hoa, "HTX Chè Đường Hoa"),
        (buyer, "Siêu thị Hạ Long Xanh"),
    )
    for user, name in people:
        me = registration_of[name]
        mine = sorted(
            (m for m in meetings if me in (m.buyer_registration_id, m.producer_registration_id)),
            key=lambda m: m.slot,
        )
        others = {n for _u, n in people if n != name}
        _log_in(page, user.email)
        page.goto("/my/registrations")
        page.click(f"a[href='/my/events/{slug}/agenda']")
        page.wait_for_url(f"**/my/events/{slug}/agenda")
        rows = page.locator("table.agenda tr[data-meeting]")
        assert [int(r) for r in rows.evaluate_all("rows => rows.map(r => r.dataset.meeting)")] == [
            m.id for m in mine
        ]
        seen = set()
        for meeting in mine:
            row = page.locator(f"tr[data-meeting='{meeting.id}']")
            text = row.inner_text()
            assert (
                row.locator("td").first.inner_text().startswith(slots[meeting.slot].start.strftime("%H:%M"))
            )
            assert name not in text, "the agenda names the counterpart, not oneself"
            seen |= {other for other in others if other in text}
            assert row.locator(".code").inner_text() == meeting.checkin_code
        assert seen == others
        if user is buyer:
            page.screenshot(path=str(ARTIFACTS / "forum-journey-agenda.png"), full_page=True)

        with page.expect_download() as info:
            page.click(f"a[href='/my/events/{slug}/agenda.ics']")
        calendar = icalendar.Calendar.from_ical(Path(info.value.path()).read_bytes())
        entries = calendar.walk("VEVENT")
        assert [str(e["UID"]) for e in entries] == [f"meeting-{m.id}@{host}" for m in mine]
        summaries = " ".join(str(e["SUMMARY"]) for e in entries)
        assert all(other in summaries for other in others) and name not in summaries
        for meeting, entry in zip(mine, entries, strict=True):
            assert entry.decoded("DTSTART") == slots[meeting.slot].start
            assert meeting.checkin_code in str(entry["DESCRIPTION"])
        _log_out(page)
