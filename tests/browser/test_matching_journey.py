"""In Chromium: an organiser configures a matchmaking session, runs it and publishes (each a
background job: the page comes back at once with a progress panel, then reloads by itself with
the result); a buyer opens its agenda and downloads the .ics (read by two iCalendar parsers);
the organiser checks a meeting in by its code on a phone. And the event's jobs list: who ran
what, how it ended, and the way back to the result."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject
from flask import current_app
from sqlalchemy import select

from app import clock
from app.catalog import services as catalog
from app.events import services as events
from app.events.registrations import services as registrations
from app.matching import jobs
from app.matching.models import MatchingSession, Meeting
from app.matching.sessions import services as sessions
from app.matching.sessions.services import slots_of
from app.notifications.models import OutboxMessage
from app.tasks.models import Task

pytestmark = pytest.mark.browser

ZONE = "Asia/Ho_Chi_Minh"
ARTIFACTS = Path("test-artifacts")
TABLE_NAMES = ("Nhà B · bàn 12", "Nhà B · bàn 13")


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


def _start_job_and_see_it_end(page, background_worker, submit, shot: str | None = None) -> str:
    """Click `submit` (which enqueues a job): the page answers at once with the job's progress
    panel, before any worker took the job; then it reloads by itself once the job has ended.
    With `shot`, screenshots of the panel in progress and of its outcome go to
    `{shot}-progress.png` and `{shot}-done.png`. Returns the outcome's message."""
    jobs_before = len(background_worker.started)
    page.click(submit)
    page.wait_for_url("**#job")
    panel = page.locator("#job")
    panel.wait_for()
    assert len(background_worker.started) == jobs_before, "the page answered only after the job ran"
    assert panel.get_attribute("data-state") in ("queued", "running")
    assert page.locator("#job .progress-bar").is_visible()
    assert page.locator("#job [role=status]").inner_text().strip(), "the panel says what the job is doing"
    if shot:
        panel.screenshot(path=str(ARTIFACTS / f"{shot}-progress.png"), animations="disabled")
        page.screenshot(path=str(ARTIFACTS / f"{shot}-progress-page.png"))

    page.evaluate("window.beforeTheJobEnded = true")
    page.wait_for_selector("#job[data-state=succeeded]", timeout=30_000)
    assert page.evaluate("window.beforeTheJobEnded === undefined"), "the page reloaded by itself"
    assert len(background_worker.finished) == jobs_before + 1
    assert page.locator("#job .progress-bar").count() == 0
    if shot:
        panel.screenshot(path=str(ARTIFACTS / f"{shot}-done.png"))
    return " ".join(page.locator("#job [data-field=message]").inner_text().split())


def _prepare_fair(db, organiser, make_event, make_producer, make_buyer, make_product, make_user):
    """An open fair with 3 approved producers (tea, tea, honey) and 2 approved buyers (tea + honey; tea)."""
    zone = ZoneInfo(ZONE)
    # The fair is on today, so the organiser can check a meeting in (not before its day).
    day = datetime.now(zone).date()
    starts = datetime.combine(day, time(0, 0), zone).astimezone(UTC)
    now = clock.now()
    event = make_event(
        organiser=organiser,
        name_vi="Hội chợ OCOP Quảng Ninh 2025",
        name_en="Quang Ninh OCOP fair 2025",
        starts_at=starts,
        ends_at=starts + timedelta(days=2, hours=10),
        exhibitor_registration_opens_at=now - timedelta(days=2),
        exhibitor_registration_closes_at=now + timedelta(hours=12),
        buyer_registration_opens_at=now - timedelta(days=2),
        buyer_registration_closes_at=now + timedelta(hours=12),
    )
    events.open_registration(organiser, event)

    producers = []
    for name, product, category, group in (
        ("HTX Chè Tân Cương", "Chè búp Tân Cương", "tea", "beverages"),
        ("HTX Chè Đường Hoa", "Chè xanh Đường Hoa", "tea", "beverages"),
        ("HTX Ong mật Ba Chẽ", "Mật ong rừng Ba Chẽ", "honey", "food"),
    ):
        organisation = make_producer(name=name)
        user = make_user(role="exhibitor", organisation=organisation)
        item = make_product(
            organisation=organisation, name_vi=product, name_en=product, category=category, ocop_group=group
        )
        producers.append(registrations.apply_as_exhibitor(user, event, [item.id]))

    buyers = []
    for name, kind, categories in (
        ("Siêu thị Hạ Long Xanh", "supermarket", ("tea", "honey")),
        ("Khách sạn Vịnh Ngọc", "hotel", ("tea",)),
    ):
        organisation = make_buyer(name=name, buyer_type=kind)
        user = make_user(role="buyer", organisation=organisation)
        lines = [
            catalog.save_demand_line(
                user, organisation, category=category, monthly_volume=200, unit="kg", min_stars=3
            )
            for category in categories
        ]
        buyers.append((user, registrations.register_as_buyer(user, event, [line.id for line in lines])))

    for registration in [*producers, *(r for _u, r in buyers)]:
        registrations.approve(organiser, registration)
    db.session.commit()
    return event, day, buyers[0]


def test_organiser_matches_and_publishes_a_buyer_gets_its_calendar_and_a_meeting_is_checked_in(
    page,
    browser,
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

    # -- the organiser configures a session from the event's page
    _log_in(page, organiser.email)
    page.goto(f"/manage/events/{event.id}")
    page.click(f"a[href='/manage/events/{event.id}/matching']")
    page.wait_for_url(f"**/manage/events/{event.id}/matching")
    form = page.locator("#settings-form")
    form.locator("#name").fill("Kết nối cung cầu chè và mật ong")
    form.locator("#first_day").fill(day.isoformat())
    form.locator("#last_day").fill(day.isoformat())
    form.locator("#day_start").fill("10:00")
    form.locator("#day_end").fill("15:00")
    form.locator("#meeting_minutes").fill("30")
    form.locator("#gap_minutes").fill("10")
    form.locator("#breaks").fill("12:00-13:30")
    form.locator("#tables").fill("2")
    form.locator("#table_names").fill("\n".join(TABLE_NAMES))
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/matching/*")

    session = db.session.scalar(select(MatchingSession).where(MatchingSession.event_id == event.id))
    assert (session.day_start, session.day_end, session.breaks) == (time(10), time(15), "12:00-13:30")
    assert (session.meeting_minutes, session.gap_minutes, session.tables) == (30, 10, 2)
    slots = slots_of(session)
    assert [s.start.strftime("%H:%M") for s in slots] == ["10:00", "10:40", "11:20", "13:30", "14:10"]
    assert page.locator("h1 [data-state]").get_attribute("data-state") == "draft"

    # -- the capacity check says the 5 candidate meetings fit
    assert page.locator("#capacity [data-fits]").get_attribute("data-fits") == "yes"

    # -- run the matching: a job; the page shows its progress, then reloads with the grid
    message = _start_job_and_see_it_end(
        page, background_worker, "#run-form button[type=submit]", "matching-run"
    )
    assert "5" in message.split(), message  # "Matching done: 5 meetings in 0.1 s."
    assert page.locator("h1 [data-state]").get_attribute("data-state") == "solved"
    assert page.locator("[data-figure=meetings]").inner_text() == "5"
    assert page.locator("#grid td[data-meeting]").count() == 5
    page.locator("#grid").screenshot(path=str(ARTIFACTS / "matching-session-grid.png"))
    page.screenshot(path=str(ARTIFACTS / "matching-session.png"), full_page=True)

    # -- publish, after the confirmation page: another job, and each participant gets a mail
    page.click(f"a[href='/manage/events/{event.id}/matching/{session.id}/publish']")
    page.wait_for_url("**/publish")
    message = _start_job_and_see_it_end(
        page, background_worker, "form[action$='/publish'] button[type=submit]", "matching-publish"
    )
    assert "5" in message.split(), message  # "Published: 5 participants were notified."
    assert page.url.startswith(f"{live_server}/manage/events/{event.id}/matching/{session.id}")
    assert page.locator("h1 [data-state]").get_attribute("data-state") == "published"
    assert page.locator("#grid td.table-success[data-meeting]").count() == 5
    page.screenshot(path=str(ARTIFACTS / "matching-published.png"), full_page=True)
    _log_out(page)

    db.session.expire_all()
    mine = db.session.scalars(
        select(Meeting)
        .where(Meeting.session_id == session.id, Meeting.buyer_registration_id == buyer_registration.id)
        .order_by(Meeting.slot)
    ).all()
    assert len(mine) == 3 and all(m.published and m.status == "scheduled" for m in mine)
    notified = db.session.scalars(select(OutboxMessage.to_address)).all()
    assert buyer.email in notified

    # -- the buyer opens its agenda from "My registrations"
    _log_in(page, buyer.email)
    page.goto("/my/registrations")
    page.click(f"a[href='/my/events/{event.slug}/agenda']")
    page.wait_for_url(f"**/my/events/{event.slug}/agenda")
    rows = page.locator("table.agenda tr[data-meeting]")
    assert [int(r) for r in rows.evaluate_all("rows => rows.map(r => r.dataset.meeting)")] == [
        m.id for m in mine
    ]
    for meeting in mine:
        row = page.locator(f"tr[data-meeting='{meeting.id}']")
        start = slots[meeting.slot].start
        assert row.locator("td").first.inner_text().startswith(start.strftime("%H:%M"))
        assert meeting.producer.organisation.name in row.inner_text()
        assert row.locator(".code").inner_text() == meeting.checkin_code
        assert row.locator("svg.qr").count() == 1
    page.screenshot(path=str(ARTIFACTS / "matching-agenda.png"), full_page=True)

    # -- ... and downloads its .ics
    with page.expect_download() as info:
        page.click(f"a[href='/my/events/{event.slug}/agenda.ics']")
    download = info.value
    assert download.suggested_filename == f"agenda-{event.slug}.ics"
    body = Path(download.path()).read_bytes()
    _log_out(page)

    # Two independent parsers read the same meetings.
    host = current_app.config["CALENDAR_UID_DOMAIN"]
    by_icalendar = icalendar.Calendar.from_ical(body).walk("VEVENT")
    by_vobject = vobject.readOne(body.decode("utf-8")).contents.get("vevent", [])
    expected_uids = [f"meeting-{m.id}@{host}" for m in mine]
    assert [str(e["UID"]) for e in by_icalendar] == expected_uids
    assert [e.uid.value for e in by_vobject] == expected_uids
    for meeting, ours, theirs in zip(mine, by_icalendar, by_vobject, strict=True):
        producer = meeting.producer.organisation.name
        location = TABLE_NAMES[meeting.table]
        slot = slots[meeting.slot]
        assert producer in str(ours["SUMMARY"]) and str(ours["SUMMARY"]) == theirs.summary.value
        assert str(ours["LOCATION"]) == location == theirs.location.value
        assert meeting.checkin_code in str(ours["DESCRIPTION"])
        # vobject turns TZID into a tzinfo built from the VTIMEZONE and keeps the original name.
        assert ours["DTSTART"].params["TZID"] == ZONE == theirs.dtstart.params["X-VOBJ-ORIGINAL-TZID"][0]
        assert ours.decoded("DTSTART") == slot.start == theirs.dtstart.value
        assert ours.decoded("DTEND") == slot.end == theirs.dtend.value
    assert [str(tz["TZID"]) for tz in icalendar.Calendar.from_ical(body).walk("VTIMEZONE")] == [ZONE]
    assert [tz.tzid.value for tz in vobject.readOne(body.decode("utf-8")).vtimezone_list] == [ZONE]

    # -- the organiser checks the first meeting in on a phone
    meeting = mine[0]
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
        tab.goto(f"/manage/events/{event.id}")
        tab.click(f"a[href='/manage/events/{event.id}/checkin']")
        tab.wait_for_url("**/checkin")
        tab.fill("#code", meeting.checkin_code.lower())
        tab.click("form:has(#code) button[type=submit]")
        done = tab.locator("[data-checkin]")
        assert done.get_attribute("data-checkin") == "done"
        assert meeting.checkin_code in done.inner_text()
        assert meeting.producer.organisation.name in done.inner_text()
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
        tab.screenshot(path=str(ARTIFACTS / "matching-checkin-phone.png"), full_page=True)
    finally:
        phone.close()

    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "held"
    assert db.session.get(Meeting, meeting.id).checked_in_by_id == organiser.id
    assert {m.status for m in mine[1:]} == {"scheduled"}


def test_the_event_jobs_list_shows_who_ran_what_and_how_it_ended_and_leads_back_to_the_result(
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
    event, day, _buyer = _prepare_fair(
        db, organiser, make_event, make_producer, make_buyer, make_product, make_user
    )
    session = sessions.create_session(
        organiser, event, name="Kết nối giao thương", first_day=day, last_day=day
    )
    db.session.commit()
    session_url = f"/manage/events/{event.id}/matching/{session.id}"

    # -- the organiser runs the matching, then publishes: two jobs
    _log_in(page, organiser.email)
    page.goto(session_url)
    _start_job_and_see_it_end(page, background_worker, "#run-form button[type=submit]")
    page.click(f"a[href='{session_url}/publish']")
    page.wait_for_url("**/publish")
    _start_job_and_see_it_end(page, background_worker, "form[action$='/publish'] button[type=submit]")

    db.session.expire_all()
    run, publish = db.session.scalars(select(Task).where(Task.event_id == event.id).order_by(Task.id)).all()
    assert (run.kind, publish.kind) == ("matching.run", "matching.publish")
    assert run.lock_key == publish.lock_key == jobs.session_lock_key(session.id)

    # -- from the event's page, its jobs: newest first, with their state, starter and duration
    page.goto(f"/manage/events/{event.id}")
    page.click(f"a[href='/manage/events/{event.id}/jobs']")
    page.wait_for_url(f"**/manage/events/{event.id}/jobs")
    rows = page.locator("#jobs tbody tr[data-job-id]")
    assert [int(i) for i in rows.evaluate_all("rows => rows.map(r => r.dataset.jobId)")] == [
        publish.id,
        run.id,
    ]
    labels = set()
    for task in (publish, run):
        cells = page.locator(f"#jobs tr[data-job-id='{task.id}'] td")
        assert page.locator(f"#jobs tr[data-job-id='{task.id}']").get_attribute("data-state") == "succeeded"
        labels.add(cells.nth(0).inner_text().strip())
        assert cells.nth(1).locator(".badge.text-bg-success").count() == 1
        assert cells.nth(2).inner_text().strip() == organiser.full_name, "who started the job"
        assert re.fullmatch(r"\d+[.,]\d s|\d+:\d\d", cells.nth(4).inner_text().strip()), "how long it took"
        assert " ".join(cells.nth(5).inner_text().split()) == task.result["message"]
    assert len(labels) == 2 and "" not in labels, "each job is named by what it did"
    page.screenshot(path=str(ARTIFACTS / "matching-jobs-list.png"), full_page=True)

    # -- the run's own page: its outcome, who ran it, and the way back to the session
    page.click(f"#jobs tr[data-job-id='{run.id}'] td a")
    page.wait_for_url(f"**/manage/events/{event.id}/jobs/{run.id}")
    assert page.locator("#job").get_attribute("data-state") == "succeeded"
    assert page.locator("#job .progress-bar").count() == 0
    message = " ".join(page.locator("#job [data-field=message]").inner_text().split())
    assert message.startswith(run.result["message"])
    assert organiser.full_name in page.locator("main dl").inner_text()
    assert (
        page.locator("#open-result").get_attribute("href") == session_url
    )  # a path: right on whatever host the site is reached by
    page.screenshot(path=str(ARTIFACTS / "matching-job-page.png"), full_page=True)
    page.click("#open-result")
    page.wait_for_url(f"{live_server}{session_url}")
    assert page.locator("h1 [data-state]").get_attribute("data-state") == "published"
    assert page.locator("#job").get_attribute("data-job-id") == str(publish.id), (
        "the session shows its last job"
    )
