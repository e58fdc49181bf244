"""Check-in at the table, no-shows, agenda reminders and outcomes."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, ServiceError
from app.matching import jobs
from app.matching.models import Meeting, MeetingOutcome
from app.matching.outcomes import services as outcomes
from app.notifications.models import OutboxMessage
from app.onsite import jobs as onsite_jobs
from app.onsite import services as checkin
from app.tasks.queue import ENQUEUE_CALL
from tests.conftest import text_of
from tests.matching.test_agenda import ZONE, add_meeting, build_fair
from tests.pages import check_invalid_fields


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


@pytest.fixture()
def past_fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    """A fair whose matchmaking took place yesterday and today (the event still runs)."""
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=-1)


@pytest.fixture()
def booked(db, fair):
    (_u0, b0), (_u1, b1) = fair.buyers
    (_p0, p0), (_p1, p1) = fair.producers
    return add_meeting(db, fair, b0, p0, slot=0, table=0), add_meeting(db, fair, b1, p1, slot=0, table=1)


def _login(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": "correct horse 42"}).status_code == 302
    )


def _local(fair, day_offset: int, hour: int, minute: int) -> datetime:
    zone = ZoneInfo(ZONE)
    return datetime.combine(fair.day + timedelta(days=day_offset), time(hour, minute), zone).astimezone(UTC)


# ---------------------------------------------------------------- check-in


def test_a_meeting_is_checked_in_once_and_a_second_scan_says_when(db, fair, booked):
    meeting, _other = booked
    at = _local(fair, 0, 8, 31) + timedelta(seconds=42)
    result = checkin.check_in(fair.organiser, fair.event, meeting.checkin_code.lower(), now=at)
    db.session.commit()
    assert not result.already and result.time_text == "08:31"
    assert (
        meeting.status == "held"
        and meeting.checked_in_at == at
        and meeting.checked_in_by_id == fair.organiser.id
    )
    again = checkin.check_in(
        fair.organiser, fair.event, f"  {meeting.checkin_code} ", now=at + timedelta(minutes=9)
    )
    assert again.already and again.time_text == "08:31"
    assert meeting.checked_in_at == at, "the first check-in time stays"


def test_unknown_cancelled_and_foreign_codes_are_refused_clearly(
    db, fair, booked, make_event, make_user, make_buyer, make_producer, make_product
):
    meeting, other = booked
    with pytest.raises(ServiceError, match="No meeting of this event has the code NOPE42"):
        checkin.check_in(fair.organiser, fair.event, "nope42")
    with pytest.raises(ServiceError, match="Type or scan"):
        checkin.check_in(fair.organiser, fair.event, "   ")
    other.status, other.sequence = "cancelled", other.sequence + 1
    db.session.commit()
    with pytest.raises(ServiceError, match="cancelled"):
        checkin.check_in(fair.organiser, fair.event, other.checkin_code)
    elsewhere = build_fair(
        db, make_event, make_user, make_buyer, make_producer, make_product, buyers=1, producers=1
    )
    with pytest.raises(ServiceError, match="No meeting of this event"):
        checkin.check_in(elsewhere.organiser, elsewhere.event, meeting.checkin_code)
    with pytest.raises(PermissionDenied):
        checkin.check_in(elsewhere.organiser, fair.event, meeting.checkin_code)
    assert meeting.status == "scheduled"


def test_a_scanned_checkin_url_gives_its_code():
    assert checkin.normalise_code("https://ocop.vn/manage/events/3/checkin?code=k00001x") == "K00001X"
    assert checkin.normalise_code(" k0 0001x ") == "K00001X"


def test_a_meeting_cannot_be_checked_in_before_its_day(db, fair, booked):
    meeting, _other = booked
    the_day_before = _local(fair, -1, 17, 0)
    with pytest.raises(ServiceError, match="it can be checked in from that day"):
        checkin.check_in(fair.organiser, fair.event, meeting.checkin_code, now=the_day_before)
    assert meeting.status == "scheduled" and meeting.checked_in_at is None


def test_the_checkin_page_checks_in_on_a_phone(db, client, fair, booked):
    meeting, _other = booked
    # the page uses the real clock: hold the session today, so its meetings can be checked in
    meeting.session.first_day = meeting.session.last_day = datetime.now(ZoneInfo(ZONE)).date()
    db.session.commit()
    _login(client, fair.organiser)
    page = client.get(f"/manage/events/{fair.event.id}/checkin?code={meeting.checkin_code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "autofocus" in html and f'value="{meeting.checkin_code}"' in html
    assert meeting.status == "scheduled", "opening the page (or the QR's link) changes nothing"
    done = client.post(f"/manage/events/{fair.event.id}/checkin", data={"code": meeting.checkin_code})
    assert done.status_code == 200 and 'data-checkin="done"' in done.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == "held"
    local = db.session.get(Meeting, meeting.id).checked_in_at.astimezone(ZoneInfo(ZONE)).strftime("%H:%M")
    again = client.post(
        f"/manage/events/{fair.event.id}/checkin?lang=en", data={"code": meeting.checkin_code}
    )
    assert f"Already checked in at {local}" in again.get_data(as_text=True)
    unknown = client.post(f"/manage/events/{fair.event.id}/checkin?lang=en", data={"code": "ZZZ999"})
    assert unknown.status_code == 422 and "No meeting of this event has the code ZZZ999" in unknown.get_data(
        as_text=True
    )


def test_a_refused_code_marks_the_code_field_and_sums_it_up(db, client, fair, html):
    db.session.commit()
    _login(client, fair.organiser)
    page = html(client.post(f"/manage/events/{fair.event.id}/checkin?lang=en", data={"code": "ZZZ999"}))
    check_invalid_fields(page, ["code"])
    assert "ZZZ999" in text_of(page.find(id=page.find(id="code")["aria-describedby"]))


def test_only_the_events_organisers_open_checkin_and_outcomes(client, fair, booked, make_user):
    pages = (f"/manage/events/{fair.event.id}/checkin", f"/manage/events/{fair.event.id}/outcomes")
    for page in pages:
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    another_organiser = make_user(role="organiser")
    for user in (fair.buyers[0][0], fair.producers[0][0], another_organiser):
        _login(client, user)
        for page in pages:
            assert client.get(page).status_code == 403, (user.role, page)
        assert client.post(pages[0], data={"code": booked[0].checkin_code}).status_code == 403
        client.post("/logout")
    assert booked[0].status == "scheduled"
    _login(client, fair.organiser)
    assert all(client.get(page).status_code == 200 for page in pages)
    assert client.get("/manage/events/999999/checkin").status_code == 404


# ---------------------------------------------------------------- no-shows


def test_meetings_not_checked_in_15_minutes_after_their_end_become_no_shows(db, fair):
    (_u0, b0), (_u1, b1) = fair.buyers
    (_p0, p0), (_p1, p1) = fair.producers
    missed = add_meeting(db, fair, b0, p0, slot=0, table=0)  # 08:30–08:50
    held = add_meeting(db, fair, b1, p1, slot=0, table=1)
    later = add_meeting(db, fair, b0, p1, slot=1, table=0)  # 08:55–09:15
    draft = add_meeting(db, fair, b1, p0, slot=1, table=1, published=False)
    checkin.check_in(fair.organiser, fair.event, held.checkin_code, now=_local(fair, 0, 8, 35))
    db.session.commit()

    assert onsite_jobs.mark_no_shows(_local(fair, 0, 9, 4)) == 0, "not before 15 minutes have passed"
    assert onsite_jobs.mark_no_shows(_local(fair, 0, 9, 5)) == 1
    assert onsite_jobs.mark_no_shows(_local(fair, 0, 9, 6)) == 0, "idempotent"
    db.session.expire_all()
    assert [m.status for m in (missed, held, later, draft)] == ["no_show", "held", "scheduled", "scheduled"]
    assert onsite_jobs.mark_no_shows(_local(fair, 1, 8, 0)) == 1
    assert db.session.get(Meeting, later.id).status == "no_show"
    # A participant who forgot to scan can still be checked in: the organiser corrects it.
    result = checkin.check_in(fair.organiser, fair.event, missed.checkin_code, now=_local(fair, 0, 9, 30))
    assert not result.already and missed.status == "held"


def test_each_module_adds_its_standing_jobs_and_they_run(app, db, fair, booked):
    from app.scheduler import add_standing_jobs, build_scheduler

    scheduler = build_scheduler(app)
    add_standing_jobs(scheduler)
    standing = {job.id: (job.func_ref, job.args, job.kwargs.get("queue")) for job in scheduler.get_jobs()}
    # The clock only enqueues the work, each on its queue; a worker runs it.
    assert standing["onsite-no-shows"] == (ENQUEUE_CALL, ("app.onsite.jobs:mark_no_shows",), "default")
    assert standing["matching-tick"] == (ENQUEUE_CALL, ("app.matching.jobs:matching_tick",), "default")
    assert standing["outbox-send"] == (ENQUEUE_CALL, ("app.notifications.services:send_outbox",), "mail")
    # Re-planning the clock's own jobs stays in the clock.
    assert standing["events-sync"] == ("app.events.jobs:sync_all_event_jobs", (), None)
    assert onsite_jobs.mark_no_shows(_local(fair, 0, 9, 10)) == 2
    assert jobs.matching_tick(_local(fair, 0, 9, 10)) == {"reminders": 0}, "the day's meetings have begun"


# ---------------------------------------------------------------- reminders


def test_reminders_go_the_evening_before_and_30_minutes_before_the_first_meeting_once(db, fair):
    (u0, b0), (u1, b1) = fair.buyers
    (v0, p0), (v1, p1) = fair.producers
    add_meeting(db, fair, b0, p1, slot=3, table=2)  # 09:45
    add_meeting(db, fair, b0, p0, slot=0, table=0)  # 08:30
    add_meeting(db, fair, b1, p0, slot=1, table=1)  # 08:55

    assert jobs.send_agenda_reminders(_local(fair, -1, 17, 59)) == 0, "not before 18:00 the day before"
    assert jobs.send_agenda_reminders(_local(fair, -1, 18, 0)) == 4  # one per participant's user
    assert jobs.send_agenda_reminders(_local(fair, -1, 21, 0)) == 0, "queued once"
    evening = db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == "agenda_reminder_evening", OutboxMessage.user_id == u0.id
        )
    ).one()
    assert "08:30" in evening.body and "09:45" in evening.body and "Nhà B · bàn 12" in evening.body
    assert "Giờ Việt Nam (UTC+7)" in evening.body and "Asia/Ho_Chi_Minh" not in evening.body
    assert fair.producers[0][
        1
    ].organisation.name in evening.body and f"/my/events/{fair.event.slug}/agenda" in (evening.body)

    assert jobs.send_agenda_reminders(_local(fair, 0, 7, 59)) == 0, "too early, and the evening is over"
    assert jobs.send_agenda_reminders(_local(fair, 0, 8, 0)) == 2  # buyer 0 and producer 0 meet at 08:30
    assert jobs.send_agenda_reminders(_local(fair, 0, 8, 10)) == 0
    assert jobs.send_agenda_reminders(_local(fair, 0, 8, 25)) == 1  # buyer 1's first is at 08:55
    # At 09:20 producer 1's only meeting (09:45) is its first of the day; buyer 0's 09:45 is not.
    assert jobs.send_agenda_reminders(_local(fair, 0, 9, 20)) == 1
    soon = [
        m.user_id
        for m in db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "agenda_reminder_soon"))
    ]
    assert sorted(soon) == sorted([u0.id, v0.id, u1.id, v1.id])
    total = db.session.scalar(select(db.func.count(OutboxMessage.id)))
    jobs.send_agenda_reminders(_local(fair, 0, 9, 30))
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == total


def test_a_reminder_whose_moment_passed_is_not_sent_late(db, fair):
    (_u0, b0), _ = fair.buyers
    (_v0, p0), _ = fair.producers
    add_meeting(db, fair, b0, p0, slot=0, table=0)
    assert jobs.send_agenda_reminders(_local(fair, 0, 8, 31)) == 0
    fair.event.state = "cancelled"
    db.session.commit()
    assert jobs.send_agenda_reminders(_local(fair, -1, 19, 0)) == 0, "a cancelled event reminds nobody"


# ---------------------------------------------------------------- outcomes


def test_both_sides_record_outcomes_and_the_organiser_sees_the_totals(db, client, past_fair, html):
    fair = past_fair
    (u0, b0), (u1, b1) = fair.buyers
    (v0, p0), (v1, p1) = fair.producers
    contract = add_meeting(db, fair, b0, p0, slot=0, table=0, status="held")
    sample = add_meeting(db, fair, b1, p1, slot=0, table=1, status="held")
    add_meeting(db, fair, b0, p1, slot=1, table=0, status="no_show")
    add_meeting(db, fair, b1, p0, slot=2, table=1, status="cancelled", sequence=1)

    _login(client, u0)
    form = client.get(f"/my/meetings/{contract.id}/outcome")
    assert form.status_code == 200 and 'name="value_vnd"' in form.get_data(as_text=True)
    refused = client.post(
        f"/my/meetings/{contract.id}/outcome?lang=en", data={"kind": "contract", "value_vnd": ""}
    )
    assert refused.status_code == 422 and "A contract needs its value in VND" in refused.get_data(
        as_text=True
    )
    saved = client.post(
        f"/my/meetings/{contract.id}/outcome",
        data={"kind": "contract", "value_vnd": "150.000.000", "note": "Chè"},
    )
    assert saved.status_code == 302
    client.post("/logout")
    outcomes.record_outcome(v0, contract, "contract", 120_000_000)
    outcomes.record_outcome(u1, sample, "sample_order", 2_500_000)
    outcomes.record_outcome(v1, sample, "follow_up")
    db.session.commit()
    assert db.session.get(MeetingOutcome, (contract.id, "buyer")).value_vnd == 150_000_000

    _login(client, fair.organiser)
    response = client.get(f"/manage/events/{fair.event.id}/outcomes?lang=en")
    assert response.status_code == 200
    page = html(response)

    def total(key):
        return re.sub(r"\D", "", text_of(page.select_one(f'[data-total="{key}"] .fs-5')))

    assert total("meetings") == "3", "a cancelled meeting doesn't count"
    assert (total("held"), total("no_shows"), total("contracts"), total("sample_orders")) == (
        "2",
        "1",
        "1",
        "1",
    )
    assert total("contract_vnd") == "150000000", "the larger of the two sides' values, not their sum"
    chart = page.select_one('figure svg[role="img"]')
    assert chart["aria-label"] == "Outcomes of the meetings"
    bars = {text["data-bar"]: text_of(text) for text in chart.select("text[data-bar]")}
    assert bars["contract"] == "1" and bars["sample_order"] == "1"
    rows = [[text_of(cell) for cell in row.find_all("td")] for row in page.select("table tbody tr")]
    assert any("Follow-up" in cell for row in rows for cell in row)
    assert any("Chè" in row[3] for row in rows), "the producer's name in its column"


def test_a_refused_outcome_marks_the_field_at_fault(db, client, past_fair, html):
    (u0, b0), _ = past_fair.buyers
    (_v0, p0), _ = past_fair.producers
    meeting = add_meeting(db, past_fair, b0, p0, slot=0, table=0, status="held")
    _login(client, u0)
    url = f"/my/meetings/{meeting.id}/outcome?lang=en"
    page = html(client.post(url, data={"kind": "contract", "value_vnd": ""}))
    check_invalid_fields(page, ["value_vnd"])
    page = html(client.post(url, data={"kind": "", "value_vnd": ""}))
    check_invalid_fields(page, ["kind"])  # the radio buttons, the summary leading to the first
    assert all(radio["aria-invalid"] == "true" for radio in page.select("input[name=kind]"))


def test_outcomes_are_refused_before_the_meeting_for_strangers_and_for_no_shows(db, fair, past_fair, client):
    (u0, b0), (u1, _b1) = fair.buyers
    (_v0, p0), _ = fair.producers
    upcoming = add_meeting(db, fair, b0, p0, slot=0, table=0)
    with pytest.raises(ServiceError, match="once the meeting has taken place"):
        outcomes.record_outcome(u0, upcoming, "follow_up")
    with pytest.raises(PermissionDenied):
        outcomes.record_outcome(u1, upcoming, "follow_up")
    with pytest.raises(PermissionDenied):
        outcomes.record_outcome(fair.organiser, upcoming, "follow_up")
    (pu0, pb0), _ = past_fair.buyers
    (_pv0, pp0), (_pv1, pp1) = past_fair.producers
    missed = add_meeting(db, past_fair, pb0, pp0, slot=0, table=0, status="no_show")
    with pytest.raises(ServiceError, match="no-show"):
        outcomes.record_outcome(pu0, missed, "follow_up")
    held = add_meeting(db, past_fair, pb0, pp1, slot=1, table=0, status="held")
    for value in (0, None):
        with pytest.raises(ServiceError, match="contract needs its value"):
            outcomes.record_outcome(pu0, held, "contract", value)
    with pytest.raises(ServiceError):
        outcomes.record_outcome(pu0, held, "deal")
    assert outcomes.record_outcome(pu0, held, "follow_up", 5_000_000).value_vnd is None

    _login(client, u1)
    assert client.get(f"/my/meetings/{upcoming.id}/outcome").status_code == 403
    assert client.post(f"/my/meetings/{upcoming.id}/outcome", data={"kind": "follow_up"}).status_code == 403
    client.post("/logout")
    _login(client, fair.organiser)
    assert client.get(f"/my/meetings/{upcoming.id}/outcome").status_code == 403
    client.post("/logout")
    assert client.get(f"/my/meetings/{upcoming.id}/outcome").status_code == 302


@pytest.mark.parametrize(
    ("text", "value"),
    [("150.000.000", 150_000_000), ("150,000,000 đ", 150_000_000), ("2 500 000", 2_500_000), ("", None)],
)
def test_values_are_read_the_way_people_write_them(text, value):
    assert outcomes.parse_value(text) == value


def test_a_value_that_is_not_a_number_is_refused():
    with pytest.raises(ValueError):
        outcomes.parse_value("một trăm triệu")
