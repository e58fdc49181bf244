"""The organisers' summary mail: weekly (Mondays) while registration is open, daily while the
event runs, queued once a day per organiser through the outbox, with the event's figures in
the organiser's language; an organiser turns it off on the event's page or by the mail's
signed link (no login)."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app import clock
from app.booths.models import Booth, BoothAssignment, BoothType, BoothVisit, ElectronicBooth
from app.events.models import EventOrganiser, Hall, Registration
from app.extensions import db as _db
from app.matching.models import MatchingSession, Meeting, MeetingOutcome
from app.notifications.models import OutboxMessage
from app.reports import services as summary
from tests.conftest import NOW

_codes = itertools.count(1)


def vietnam_morning(day: date) -> datetime:
    """07:00 in Vietnam on `day`, when the clock's job runs."""
    return datetime.combine(day, time(7, 0), clock.VIETNAM).astimezone(UTC)


# NOW is Friday 2027-01-15 (Vietnam); the next Mondays are the 18th and the 25th.
FRIDAY = NOW.astimezone(clock.VIETNAM).date()
MONDAY = FRIDAY + timedelta(days=(7 - FRIDAY.weekday()) % 7)
assert MONDAY.weekday() == 0 and MONDAY > FRIDAY


def summaries(user=None) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.kind == "event_summary").order_by(OutboxMessage.id)
    if user is not None:
        query = query.where(OutboxMessage.user_id == user.id)
    return list(_db.session.scalars(query))


def run_at(pinned_clock, day: date) -> int:
    pinned_clock.move_to(vietnam_morning(day))
    return summary.send_summaries()


@pytest.fixture()
def fair(db, make_open_event, make_user, make_producer, make_buyer):
    """An event open for registration with two organisers (English, Vietnamese), five
    registrations, booths, e-booth visits, meetings and contracts."""
    english = make_user(role="organiser", locale="en")
    vietnamese = make_user(role="organiser", locale="vi")
    event = make_open_event(english)
    db.session.add(EventOrganiser(event_id=event.id, user_id=vietnamese.id))
    regs = {}
    for key, role, status, maker in (
        ("e1", "exhibitor", "approved", make_producer),
        ("e2", "exhibitor", "approved", make_producer),
        ("e3", "exhibitor", "pending", make_producer),
        ("b1", "buyer", "approved", make_buyer),
        ("b2", "buyer", "waitlisted", make_buyer),
    ):
        regs[key] = Registration(event_id=event.id, organisation_id=maker().id, role=role, status=status)
        db.session.add(regs[key])
    db.session.flush()
    regs["e1"].created_at = NOW - timedelta(days=20)  # before the week the first summary covers
    hall = Hall(event_id=event.id, name="Nhà A", width_m=40, depth_m=30)
    booth_type = BoothType(event_id=event.id, name="Tiêu chuẩn", width_m=3, depth_m=3, price_vnd=5_000_000)
    db.session.add_all([hall, booth_type])
    db.session.flush()
    booths = [
        Booth(
            event_id=event.id,
            hall_id=hall.id,
            booth_type_id=booth_type.id,
            code=f"A{i}",
            x_m=3 * i,
            y_m=0,
            width_m=3,
            depth_m=3,
        )
        for i in range(3)
    ]
    db.session.add_all(booths)
    db.session.flush()
    db.session.add_all(
        [
            BoothAssignment(
                event_id=event.id, booth_id=booths[0].id, registration_id=regs["e1"].id, payment="paid"
            ),
            BoothAssignment(event_id=event.id, booth_id=booths[1].id, registration_id=regs["e2"].id),
            BoothAssignment(
                event_id=event.id,
                booth_id=booths[2].id,
                registration_id=regs["e3"].id,
                status="cancelled",
                payment="paid",
            ),
        ]
    )
    ebooth = ElectronicBooth(event_id=event.id, registration_id=regs["e1"].id, published=True)
    db.session.add(ebooth)
    db.session.flush()
    db.session.add_all(
        [
            BoothVisit(electronic_booth_id=ebooth.id, day=MONDAY - timedelta(days=6), count=5),
            BoothVisit(electronic_booth_id=ebooth.id, day=MONDAY - timedelta(days=1), count=7),
            BoothVisit(electronic_booth_id=ebooth.id, day=MONDAY - timedelta(days=20), count=100),
        ]
    )
    session = MatchingSession(
        event_id=event.id,
        name="Kết nối cung cầu",
        first_day=MONDAY,
        last_day=MONDAY,
        day_start=time(8, 30),
        day_end=time(11, 30),
        tables=3,
    )
    db.session.add(session)
    db.session.flush()
    meetings = {}
    for key, buyer, producer, status in (
        ("m1", "b1", "e1", "held"),
        ("m2", "b1", "e2", "held"),
        ("m3", "b1", "e3", "no_show"),
        ("m4", "b2", "e1", "scheduled"),
        ("m5", "b2", "e2", "cancelled"),
    ):
        meetings[key] = Meeting(
            session_id=session.id,
            buyer_registration_id=regs[buyer].id,
            producer_registration_id=regs[producer].id,
            slot=len(meetings),
            table=1,
            score=0.8,
            status=status,
            published=True,
            checkin_code=f"S{next(_codes):05d}Y",
        )
        db.session.add(meetings[key])
    db.session.flush()
    db.session.add_all(
        [
            # Both sides recorded the same contract: counted once, at the larger figure.
            MeetingOutcome(
                meeting_id=meetings["m1"].id, side="buyer", kind="contract", value_vnd=500_000_000
            ),
            MeetingOutcome(
                meeting_id=meetings["m1"].id, side="producer", kind="contract", value_vnd=450_000_000
            ),
            MeetingOutcome(
                meeting_id=meetings["m2"].id, side="producer", kind="contract", value_vnd=1_250_000
            ),
            MeetingOutcome(meeting_id=meetings["m4"].id, side="buyer", kind="follow_up"),
        ]
    )
    db.session.commit()
    return {"event": event, "english": english, "vietnamese": vietnamese}


# ---------------------------------------------------------------- cadence


def test_weekly_during_registration_on_mondays_only_once(fair, pinned_clock):
    english, vietnamese = fair["english"], fair["vietnamese"]
    assert run_at(pinned_clock, FRIDAY) == 0
    assert run_at(pinned_clock, MONDAY) == 2
    assert {m.user_id for m in summaries()} == {english.id, vietnamese.id}
    assert {m.to_address for m in summaries()} == {english.email, vietnamese.email}
    assert run_at(pinned_clock, MONDAY) == 0  # the job ran twice: nothing sent twice
    for later in range(1, 7):
        assert run_at(pinned_clock, MONDAY + timedelta(days=later)) == 0
    assert run_at(pinned_clock, MONDAY + timedelta(days=7)) == 2
    assert len(summaries(english)) == 2


def test_also_on_the_last_day_of_registration_so_a_window_without_a_monday_gets_one(fair, pinned_clock):
    """Registration closes on Thursday evening (buyers; exhibitors on Wednesday): Tuesday and
    Wednesday send nothing, Thursday morning sends the summary of the days since Monday."""
    thursday = MONDAY + timedelta(days=3)
    fair["event"].exhibitor_registration_closes_at = vietnam_morning(thursday) - timedelta(days=1)
    fair["event"].buyer_registration_closes_at = vietnam_morning(thursday) + timedelta(hours=10)
    _db.session.commit()
    assert run_at(pinned_clock, MONDAY + timedelta(days=1)) == 0
    assert run_at(pinned_clock, MONDAY + timedelta(days=2)) == 0
    assert run_at(pinned_clock, thursday) == 2
    assert run_at(pinned_clock, thursday) == 0
    (mail,) = summaries(fair["english"])
    assert "summary on the last day of registration" in mail.subject
    assert "(New since Monday: " in mail.body
    assert run_at(pinned_clock, thursday + timedelta(days=1)) == 0


def test_registration_closed_at_midnight_still_gets_its_last_day_summary(fair, pinned_clock):
    """Registration closes at 00:00 on Thursday: by the 07:00 run the event is closed, and the
    summary of the days since Monday still goes out, once."""
    thursday = MONDAY + timedelta(days=3)
    midnight = vietnam_morning(thursday) - timedelta(hours=7)
    fair["event"].exhibitor_registration_closes_at = midnight
    fair["event"].buyer_registration_closes_at = midnight
    fair["event"].state = "registration_closed"
    _db.session.commit()
    assert run_at(pinned_clock, thursday) == 2
    assert "summary on the last day of registration" in summaries(fair["english"])[0].subject
    assert run_at(pinned_clock, thursday + timedelta(days=4)) == 0  # a Monday, closed: nothing


def test_daily_while_the_event_runs(fair, pinned_clock):
    fair["event"].state = "running"
    _db.session.commit()
    for offset in range(3):
        assert run_at(pinned_clock, FRIDAY + timedelta(days=offset)) == 2
        assert run_at(pinned_clock, FRIDAY + timedelta(days=offset)) == 0
    assert len(summaries(fair["english"])) == 3
    assert all("daily summary" in m.subject for m in summaries(fair["english"]))


@pytest.mark.parametrize("state", ["draft", "registration_closed", "scheduled", "finished", "cancelled"])
def test_no_summary_in_other_states(fair, pinned_clock, state):
    fair["event"].state = state
    _db.session.commit()
    assert run_at(pinned_clock, MONDAY) == 0
    assert run_at(pinned_clock, MONDAY + timedelta(days=1)) == 0
    assert summaries() == []


def test_an_organiser_who_turned_it_off_gets_none(fair, pinned_clock):
    summary.set_summary_mail(fair["event"].id, fair["vietnamese"].id, False)
    _db.session.commit()
    assert run_at(pinned_clock, MONDAY) == 1
    assert [m.user_id for m in summaries()] == [fair["english"].id]


def test_the_clock_enqueues_it_every_morning_at_7_in_vietnam_and_a_worker_sends(
    app, fair, pinned_clock, worker
):
    from app.scheduler import add_standing_jobs, build_scheduler

    scheduler = build_scheduler(app)  # not started: its job is run by hand, as it would
    add_standing_jobs(scheduler)
    job = {job.id: job for job in scheduler.get_jobs()}[summary.SUMMARY_JOB_ID]
    fire = job.trigger.get_next_fire_time(None, vietnam_morning(FRIDAY) + timedelta(minutes=1))
    assert fire.astimezone(clock.VIETNAM).replace(tzinfo=None) == datetime.combine(
        FRIDAY + timedelta(days=1), time(7, 0)
    )
    pinned_clock.move_to(vietnam_morning(MONDAY))
    assert job.func(*job.args, **job.kwargs) is True
    assert worker.pending() == [("default", "ocopfair.call", ["app.reports.services:send_summaries"])]
    assert summaries() == []  # the clock queued no mail itself
    assert worker.drain() == [2]
    assert len(summaries()) == 2


# ---------------------------------------------------------------- content


def test_figures_in_the_mail_match_the_data(fair, pinned_clock):
    run_at(pinned_clock, MONDAY)
    (mail,) = summaries(fair["english"])
    body = mail.body
    assert "weekly summary" in mail.subject
    # e1 was created 20 days ago: 1 new exhibitor of 3, 2 new buyers.
    assert "Exhibitors: 2 approved, 1 pending, 0 waitlisted (New in the last 7 days: 2)" in body
    assert "Buyers: 1 approved, 0 pending, 1 waitlisted (New in the last 7 days: 2)" in body
    assert "Booths: 2 allocated, 1 paid" in body  # the cancelled assignment is not counted
    assert "E-booth visits (New in the last 7 days): 12" in body  # not the 100 of 20 days ago
    assert "Contracts signed: 2, worth 501,250,000 VND" in body
    assert "Meetings:" not in body  # only while the event runs
    assert f"/manage/events/{fair['event'].id}" in body


def test_meetings_in_the_daily_mail(fair, pinned_clock):
    fair["event"].state = "running"
    _db.session.commit()
    run_at(pinned_clock, MONDAY)
    (mail,) = summaries(fair["english"])
    assert "Meetings: 1 scheduled, 2 held, 1 no-shows" in mail.body
    # Since yesterday: none of the registrations (made on Friday) and Sunday's 7 visits.
    assert "(New since yesterday: 0)" in mail.body
    assert "E-booth visits (New since yesterday): 7" in mail.body


def test_the_mail_is_in_the_organisers_language(fair, pinned_clock):
    run_at(pinned_clock, MONDAY)
    (english,) = summaries(fair["english"])
    (vietnamese,) = summaries(fair["vietnamese"])
    assert "501,250,000" in english.body
    assert "501.250.000" in vietnamese.body  # Vietnamese groups digits with dots
    assert fair["event"].name_en in english.subject
    assert fair["event"].name_vi in vietnamese.subject


def test_query_count_does_not_grow_with_registrations(fair, pinned_clock, make_producer):
    def queries() -> int:
        count = 0

        def counted(*_args):
            nonlocal count
            count += 1

        sa_event.listen(_db.engine, "before_cursor_execute", counted)
        try:
            summary.queue_summaries(vietnam_morning(MONDAY))
        finally:
            sa_event.remove(_db.engine, "before_cursor_execute", counted)
        _db.session.rollback()
        return count

    before = queries()
    assert before > 5
    for _ in range(15):
        organisation = make_producer()
        _db.session.add(
            Registration(event_id=fair["event"].id, organisation_id=organisation.id, role="exhibitor")
        )
    _db.session.commit()
    assert queries() == before


# ---------------------------------------------------------------- turning it off


def unsubscribe_path(mail: OutboxMessage) -> str:
    url = re.search(r"https?://\S+/summary-mail/off/\S+", mail.body).group(0)
    return urlsplit(url).path


def test_the_unsubscribe_link_works_without_login(fair, pinned_clock, client):
    run_at(pinned_clock, MONDAY)
    (mail,) = summaries(fair["vietnamese"])
    path = unsubscribe_path(mail)
    page = client.get(path)
    assert page.status_code == 200
    assert _db.session.get(EventOrganiser, (fair["event"].id, fair["vietnamese"].id)).summary_mail
    assert client.post(path).status_code == 200
    _db.session.expire_all()
    assert not _db.session.get(EventOrganiser, (fair["event"].id, fair["vietnamese"].id)).summary_mail
    assert _db.session.get(EventOrganiser, (fair["event"].id, fair["english"].id)).summary_mail
    assert run_at(pinned_clock, MONDAY + timedelta(days=7)) == 1


def test_a_forged_or_foreign_token_is_refused(fair, client, app, organiser):
    event_id, user_id = fair["event"].id, fair["vietnamese"].id
    forged = URLSafeSerializer("not the secret", salt="event-summary-off").dumps([event_id, user_id])
    good = summary.unsubscribe_token(event_id, user_id)
    other_salt = URLSafeSerializer(app.config["SECRET_KEY"], salt="password-reset").dumps([event_id, user_id])
    not_an_organiser = summary.unsubscribe_token(event_id, organiser.id)
    for token in (forged, good[:-2] + ("AA" if not good.endswith("AA") else "BB"), other_salt, "x"):
        assert client.post(f"/summary-mail/off/{token}").status_code == 404
        assert client.get(f"/summary-mail/off/{token}").status_code == 404
    assert client.post(f"/summary-mail/off/{not_an_organiser}").status_code == 404
    _db.session.expire_all()
    assert _db.session.get(EventOrganiser, (event_id, user_id)).summary_mail


def test_an_organiser_toggles_it_on_the_event_page(fair, client, login):
    event_id, english = fair["event"].id, fair["english"]
    login(english)
    page = client.get(f"/manage/events/{event_id}")
    assert 'id="summary-mail"' in page.get_data(as_text=True)
    assert client.post(f"/manage/events/{event_id}/summary-mail", data={"on": "0"}).status_code == 302
    _db.session.expire_all()
    assert not _db.session.get(EventOrganiser, (event_id, english.id)).summary_mail
    assert _db.session.get(EventOrganiser, (event_id, fair["vietnamese"].id)).summary_mail
    assert "Turn on the summary mail" in client.get(f"/manage/events/{event_id}?lang=en").get_data(
        as_text=True
    )
    assert client.post(f"/manage/events/{event_id}/summary-mail", data={"on": "1"}).status_code == 302
    _db.session.expire_all()
    assert _db.session.get(EventOrganiser, (event_id, english.id)).summary_mail


@pytest.mark.parametrize("role", ["organiser", "admin", "exhibitor", "buyer"])
def test_only_the_events_organisers_can_toggle(
    fair, client, login, make_user, make_producer, make_buyer, role
):
    organisation = {"exhibitor": make_producer, "buyer": make_buyer}.get(role, lambda: None)()
    outsider = make_user(role=role, organisation=organisation)
    _db.session.commit()
    login(outsider)
    response = client.post(f"/manage/events/{fair['event'].id}/summary-mail", data={"on": "0"})
    assert response.status_code == 403
    _db.session.expire_all()
    rows = _db.session.scalars(select(EventOrganiser).where(EventOrganiser.event_id == fair["event"].id))
    assert all(row.summary_mail for row in rows)


def test_anonymous_visitors_are_sent_to_log_in(fair, client):
    response = client.post(f"/manage/events/{fair['event'].id}/summary-mail", data={"on": "0"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    _db.session.expire_all()
    assert _db.session.get(EventOrganiser, (fair["event"].id, fair["english"].id)).summary_mail
