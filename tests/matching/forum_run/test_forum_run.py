"""Running, publishing and using a networking forum: producers meet producers (and a buyer),
each accepted request placed, each participant's agenda, calendar, check-in and outcome by the
meeting's columns (sides a and b), not by the registration's role."""

from __future__ import annotations

import json
from datetime import time, timedelta

import icalendar
import pytest
from sqlalchemy import select

from app.accounts.models import User
from app.errors import PermissionDenied, ServiceError
from app.extensions import db as _db
from app.matching.forum import scheduling
from app.matching.models import ForumRequest, Meeting, MeetingOutcome
from app.matching.outcomes import services as outcomes
from app.matching.sessions import services
from app.onsite import services as checkin


def _user_of(registration) -> User:
    return _db.session.scalar(
        select(User).where(User.organisation_id == registration.organisation_id).order_by(User.id)
    )


def _pair(session, one, other, part_of_day=None, status="accepted") -> ForumRequest:
    a, b = sorted((one.id, other.id))
    row = ForumRequest(
        session_id=session.id,
        a_registration_id=a,
        b_registration_id=b,
        requested_by_id=a,
        answered_by_id=b,
        status=status,
        part_of_day=part_of_day,
    )
    _db.session.add(row)
    _db.session.flush()
    return row


def _meetings(session) -> list[Meeting]:
    return list(
        _db.session.scalars(
            select(Meeting)
            .where(Meeting.session_id == session.id, Meeting.status != "cancelled")
            .order_by(Meeting.id)
        )
    )


def _login(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302


@pytest.fixture()
def forum(fair):
    """Four producers and one buyer (registered last: the highest id); six accepted requests,
    three of them between producers forming a triangle (three slots needed), one declined."""
    producers = [fair.producer() for _ in range(4)]
    buyer = fair.buyer()
    session = fair.session(day_start=time(8, 30), day_end=time(10, 0), tables=4)
    session.kind = "forum"
    p0, p1, p2, p3 = producers
    for one, other in ((p0, p1), (p0, p2), (p1, p2), (p2, p3), (p3, buyer), (p0, buyer)):
        _pair(session, one, other)
    _pair(session, p1, p3, status="declined")
    _db.session.flush()
    return session, producers, buyer


def _check_valid(session, meetings, slots):
    seen_people, seen_tables = set(), set()
    for m in meetings:
        assert m.buyer_registration_id < m.producer_registration_id  # side a is the lower id
        assert 0 <= m.slot < len(slots) and 0 <= m.table < session.tables
        for rid in m.sides:
            assert (rid, m.slot) not in seen_people, "nobody twice in a slot"
            seen_people.add((rid, m.slot))
        assert (m.slot, m.table) not in seen_tables, "one meeting a table and slot"
        seen_tables.add((m.slot, m.table))


def test_a_run_places_every_accepted_pair_validly_and_stores_the_figures(fair, forum):
    session, (p0, p1, p2, p3), buyer = forum
    result = services.run_matching(fair.organiser, session, time_limit=5)
    meetings = _meetings(session)
    wanted = {
        tuple(sorted(pair))
        for pair in (
            (p0.id, p1.id),
            (p0.id, p2.id),
            (p1.id, p2.id),
            (p2.id, p3.id),
            (p3.id, buyer.id),
            (p0.id, buyer.id),
        )
    }
    assert {m.sides for m in meetings} == wanted  # the declined p1–p3 is not placed
    assert len(result.added) == 6 and result.unscheduled == []
    _check_valid(session, meetings, services.slots_of(session))
    # The buyer registered last: it sits in the producer column (side b), a producer in the buyer column.
    with_buyer = next(m for m in meetings if buyer.id in m.sides)
    assert with_buyer.producer_registration_id == buyer.id and with_buyer.side_for(buyer.id) == "producer"
    assert session.state == "solved"
    last_run = json.loads(session.last_run_json)
    stats = last_run["stats"]
    assert last_run["kind"] == "forum" and last_run["requested"] == 6
    for key in (
        "breaks",
        "breaks_lower_bound",
        "max_breaks",
        "min_breaks",
        "idle_gaps",
        "slots_used",
        "lower_bound_slots",
    ):
        assert key in stats
    assert stats["meetings"] == 6 and stats["slots_used"] == 3 and stats["lower_bound_slots"] == 3
    assert stats["breaks_lower_bound"] <= stats["breaks"]
    view = services.overview(session)
    assert view.figures["forum"] and view.figures["placed"] == 6 and view.figures["requested"] == 6
    assert view.unmet_total == 0


def test_publish_gives_each_participant_its_agenda_and_calendar_with_the_right_counterpart(
    fair, forum, client, html
):
    session, producers, buyer = forum
    services.run_matching(fair.organiser, session, time_limit=5)
    notified = services.publish(fair.organiser, session)
    assert notified == 5
    _db.session.commit()
    meetings = _meetings(session)
    names = {r.id: r.organisation.name for r in (*producers, buyer)}
    for registration in (*producers, buyer):
        mine = [m for m in meetings if registration.id in m.sides]
        expected = sorted(names[m.counterpart_id(registration.id)] for m in mine)
        _login(client, _user_of(registration))
        page = html(client.get(f"/my/events/{fair.event.slug}/agenda?lang=en"))
        rows = page.select("table.agenda tr[data-meeting]")
        assert sorted(int(row["data-meeting"]) for row in rows) == sorted(m.id for m in mine)
        for row in rows:
            meeting = next(m for m in mine if m.id == int(row["data-meeting"]))
            counterpart = names[meeting.counterpart_id(registration.id)]
            assert counterpart in row.get_text(), (registration.id, meeting.sides)
            assert names[registration.id] not in row.select_one("td:nth-of-type(3)").get_text()
        body = client.get(f"/my/events/{fair.event.slug}/agenda.ics?lang=en").data
        events = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert sorted(str(e["SUMMARY"]).removeprefix("B2B meeting: ") for e in events) == expected
        client.post("/logout")


def test_either_producer_checks_in_and_records_the_outcome_of_a_producer_producer_meeting(
    fair, forum, client, html
):
    session, (p0, p1, _p2, _p3), _buyer = forum
    services.run_matching(fair.organiser, session, time_limit=5)
    services.publish(fair.organiser, session)
    meeting = next(m for m in _meetings(session) if m.sides == tuple(sorted((p0.id, p1.id))))
    slot = services.slots_of(session)[meeting.slot]
    at = slot.start_utc + timedelta(minutes=1)
    result = checkin.check_in(fair.organiser, fair.event, meeting.checkin_code, now=at)
    assert not result.already and meeting.status == "held"
    later = slot.end_utc + timedelta(minutes=5)
    first = outcomes.record_outcome(_user_of(p0), meeting, "follow_up", now=later)
    second = outcomes.record_outcome(_user_of(p1), meeting, "contract", 50_000_000, now=later)
    assert (first.side, second.side) == ("buyer", "producer")  # the columns, both producers
    assert outcomes.meeting_side(_user_of(p1), meeting) == "producer"
    stored = _db.session.scalars(select(MeetingOutcome).where(MeetingOutcome.meeting_id == meeting.id)).all()
    assert {o.side: o.kind for o in stored} == {"buyer": "follow_up", "producer": "contract"}
    with pytest.raises(PermissionDenied):  # a participant of the forum who is not in this meeting
        outcomes.record_outcome(_user_of(_p2), meeting, "follow_up", now=later)
    from app.matching.agenda import services as agenda

    (item,) = [i for i in agenda.agenda_items(p1, with_outcomes=True) if i.meeting.id == meeting.id]
    assert item.counterpart.id == p0.id and item.side == "producer" and item.outcome.kind == "contract"

    # The organiser's outcomes page names the two columns participants A and B, not buyer and producer.
    _db.session.commit()
    _login(client, fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/outcomes?lang=en"))
    headers = [th.get_text(strip=True) for th in page.select("table thead th")]
    assert headers[2:] == [
        "Participant A",
        "Participant B",
        "Status",
        "Participant A says",
        "Participant B says",
    ]
    row = page.select_one(f"tr[data-meeting='{meeting.id}']")
    assert row.has_attr("data-forum")
    cells = [td.get_text(" ", strip=True) for td in row.select("td")]
    assert cells[2:4] == [p0.organisation.name, p1.organisation.name]
    assert cells[5] == "Follow-up" and cells[6].startswith("Contract")
    assert page.select_one("#forum-columns-note") is None

    # Beside a buyer–producer session, each column is named by both.
    other = fair.session(name="Kết nối cung cầu")
    _db.session.add(
        Meeting(
            session_id=other.id,
            buyer_registration_id=_buyer.id,
            producer_registration_id=p0.id,
            slot=0,
            table=0,
            score=0.5,
            published=True,
            checkin_code="MIXED001",
        )
    )
    _db.session.commit()
    page = html(client.get(f"/manage/events/{fair.event.id}/outcomes?lang=en"))
    headers = [th.get_text(strip=True) for th in page.select("table thead th")]
    assert headers[2:4] == ["Buyer or participant A", "Producer or participant B"]
    assert page.select_one("#forum-columns-note") is not None
    assert len(page.select("tr[data-forum]")) == len(_meetings(session))


def test_an_unplaceable_request_says_who_why_and_what_would_place_it(fair, client, html):
    producers = [fair.producer() for _ in range(3)]
    session = fair.session(day_start=time(8, 30), day_end=time(10, 0), tables=4)  # mornings only
    session.kind = "forum"
    p0, p1, p2 = producers
    _pair(session, p0, p1)
    _pair(session, p1, p2, part_of_day="afternoon")  # the session has no afternoon
    result = services.run_matching(fair.organiser, session, time_limit=5)
    assert len(result.added) == 1
    (left,) = result.unscheduled
    assert left["code"] == "outside_allowed_slots"
    last_run = json.loads(session.last_run_json)
    assert [h["change"] for h in last_run["hints"]] == ["part_of_day"]
    assert last_run["hints"][0]["places"] == [[f"r{p1.id}", f"r{p2.id}"]]
    _db.session.commit()
    _login(client, fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/matching/{session.id}?lang=en"))
    assert page.select_one('[data-figure="placed"]').get_text(strip=True) == "1 / 2"
    (item,) = page.select("#unmet li[data-code]")
    text = " ".join(item.get_text().split())
    assert p1.organisation.name in text and p2.organisation.name in text
    assert "only outside the part of the day set for this meeting" in text
    assert "What would place it: no morning or afternoon limit on the requests" in text
    assert page.select_one("[data-proof]") is not None
    headers = [th.get_text(strip=True) for th in page.select("#meetings thead th")]
    assert headers[2:4] == ["Participant", "Participant"]


def test_too_few_tables_hint_two_more_tables(fair):
    producers = [fair.producer() for _ in range(6)]
    session = fair.session(day_start=time(8, 30), day_end=time(9, 20), tables=1)  # two slots, one table
    session.kind = "forum"
    pairs = [(0, 1), (2, 3), (4, 5)]
    for i, j in pairs:
        _pair(session, producers[i], producers[j])
    result = services.run_matching(fair.organiser, session, time_limit=5)
    assert len(result.added) == 2 and [u["code"] for u in result.unscheduled] == ["tables_full"]
    hints = json.loads(session.last_run_json)["hints"]
    assert {h["change"] for h in hints} == {"slot", "tables"}


def test_only_the_sessions_organisers_run_and_publish(fair, forum, client, make_user, worker):
    session, producers, _buyer = forum
    _db.session.commit()
    url = f"/manage/events/{fair.event.id}/matching/{session.id}"
    assert client.post(url + "/run").status_code == 302  # anonymous: to the login page
    for user in (make_user(role="organiser"), _user_of(producers[0])):
        _db.session.commit()
        _login(client, user)
        assert client.post(url + "/run").status_code in (403, 404)
        assert client.post(url + "/publish").status_code in (403, 404)
        assert client.get(url).status_code in (403, 404)
        client.post("/logout")
    assert worker.pending() == []
    with pytest.raises(PermissionDenied):
        services.run_matching(make_user(role="organiser"), session)
    _login(client, fair.organiser)
    assert client.post(url + "/run").status_code == 302
    worker.drain()
    _db.session.expire_all()
    assert len(_meetings(session)) == 6
    assert client.post(url + "/publish").status_code == 302
    worker.drain()
    _db.session.expire_all()
    assert session.state == "published" and all(m.published for m in _meetings(session))


def test_repair_keeps_published_forum_meetings_and_adds_a_late_request(fair, forum):
    session, (p0, p1, _p2, _p3), _buyer = forum
    services.run_matching(fair.organiser, session, time_limit=5)
    services.publish(fair.organiser, session)
    before = {m.id: (m.slot, m.table) for m in _meetings(session)}
    late = fair.producer()  # a late registration asks p1, who accepts
    _pair(session, p1, late)
    result = services.repair(fair.organiser, session, time_limit=5)
    after = _meetings(session)
    assert {m.id: (m.slot, m.table) for m in after if m.id in before} == before
    assert tuple(sorted((p1.id, late.id))) in {m.sides for m in after}
    assert late.id in result.notified and p1.id in result.notified and p0.id not in result.notified
    assert all(m.published for m in after) and result.cancelled == []
    assert scheduling.max_meetings_of(session) == 8


def test_the_forum_session_pages_statements_do_not_grow_with_its_meetings(fair, client):
    from tests.conftest import queries_of

    counts = []
    for size in (3, 6):  # the event takes 10 exhibitors
        people = [fair.producer() for _ in range(size)]
        session = fair.session(day_start=time(8, 30), day_end=time(11, 30), tables=10)
        session.kind = "forum"
        for i in range(size):
            _pair(session, people[i], people[(i + 1) % size])
        services.run_matching(fair.organiser, session, time_limit=3)
        services.publish(fair.organiser, session)
        _db.session.commit()
        _login(client, fair.organiser)
        url = f"/manage/events/{fair.event.id}/matching/{session.id}"
        counts.append((queries_of(client, url), queries_of(client, url + "/capacity")))
        client.post("/logout")
    assert counts[0] == counts[1]


def test_a_hand_move_keeps_a_pair_to_its_part_of_day_and_to_both_sides_availability(fair, client, html):
    from app.matching.forum.services import part_of_day_slots
    from app.matching.models import Availability

    p0, p1, p2 = (fair.producer() for _ in range(3))
    session = fair.session(day_start=time(11, 0), day_end=time(14, 0), tables=2)
    session.kind = "forum"
    _pair(session, p0, p1, part_of_day="afternoon")
    _pair(session, p0, p2, part_of_day="morning")
    services.run_matching(fair.organiser, session, time_limit=5)
    afternoon_meeting, morning_meeting = sorted(_meetings(session), key=lambda m: m.counterpart_id(p0.id))
    morning = part_of_day_slots(session, "morning")
    afternoon = part_of_day_slots(session, "afternoon")
    assert len(morning) >= 2 and len(afternoon) >= 2
    assert afternoon_meeting.slot in afternoon and morning_meeting.slot in morning

    with pytest.raises(ServiceError, match="kept to the afternoon"):
        services.move_meeting(fair.organiser, afternoon_meeting, morning[-1], 1)
    with pytest.raises(ServiceError, match="kept to the morning"):
        services.move_meeting(fair.organiser, morning_meeting, afternoon[-1], 1)
    assert (afternoon_meeting.slot in afternoon, afternoon_meeting.fixed) == (True, False)

    # Within its half-day it moves, unless one side is not available then.
    target = next(s for s in afternoon if s != afternoon_meeting.slot)
    _db.session.add(
        Availability(
            session_id=session.id, registration_id=p1.id, slots_json=json.dumps([afternoon_meeting.slot])
        )
    )
    _db.session.flush()
    with pytest.raises(ServiceError, match="not available"):
        services.move_meeting(fair.organiser, afternoon_meeting, target, 1)
    _db.session.execute(Availability.__table__.delete().where(Availability.registration_id == p1.id))
    services.move_meeting(fair.organiser, afternoon_meeting, target, 1)
    assert (afternoon_meeting.slot, afternoon_meeting.fixed) == (target, True)
    _db.session.commit()

    # The move dialog offers only the pair's half-day; the page says why a move was refused.
    _login(client, fair.organiser)
    base = f"/manage/events/{fair.event.id}/matching/{session.id}/meetings/{morning_meeting.id}/move"
    offered = {
        int(o.get("value")) for o in html(client.get(base + "?lang=en")).select("select[name=slot] option")
    }
    assert offered and offered <= set(morning)
    response = client.post(base, data={"slot": afternoon[0], "table": 2}, follow_redirects=True)
    assert "kept to the morning" in response.get_data(as_text=True)
    _db.session.refresh(morning_meeting)
    assert morning_meeting.slot in morning
