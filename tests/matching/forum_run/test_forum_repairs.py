"""A forum's run after changes: a meeting cancelled by a repair is placed again, one removed by
hand is not and says so; the figures count from the meetings as they are now; a session's kind
changes only with its run state cleared; the "one more slot" hint keeps each pair to its part of
the day; the capacity check counts each pair's allowed slots."""

from __future__ import annotations

import json
from datetime import time

from sqlalchemy import select

from app.extensions import db as _db
from app.matching.forum import scheduling
from app.matching.models import Availability, ForumRequest, Meeting
from app.matching.sessions import services


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


def _active(session) -> list[Meeting]:
    return list(
        _db.session.scalars(
            select(Meeting)
            .where(Meeting.session_id == session.id, Meeting.status != "cancelled")
            .order_by(Meeting.id)
        )
    )


def _published_forum(fair):
    """Three producers, two accepted pairs, five slots; run and published."""
    p0, p1, p2 = (fair.producer() for _ in range(3))
    session = fair.session(day_start=time(8, 30), day_end=time(11, 0), tables=4)
    session.kind = "forum"
    _pair(session, p0, p1)
    _pair(session, p1, p2)
    services.run_matching(fair.organiser, session, time_limit=2)
    services.publish(fair.organiser, session)
    return session, (p0, p1, p2)


def test_a_meeting_a_repair_cancels_is_placed_again_elsewhere(fair):
    session, (p0, p1, _p2) = _published_forum(fair)
    meeting = next(m for m in _active(session) if m.sides == tuple(sorted((p0.id, p1.id))))
    lost_slot = meeting.slot
    n_slots = len(services.slots_of(session))
    others = [s for s in range(n_slots) if s != lost_slot]
    _db.session.add(Availability(session_id=session.id, registration_id=p0.id, slots_json=json.dumps(others)))
    _db.session.flush()
    result = services.repair(fair.organiser, session, time_limit=2)
    assert [m.id for m, _problem in result.cancelled] == [meeting.id]
    again = [m for m in _active(session) if m.sides == meeting.sides]
    assert len(again) == 1 and again[0].slot != lost_slot and again[0].published
    view = services.overview(session)
    assert (view.figures["placed"], view.figures["requested"]) == (2, 2)
    assert view.unmet_total == 0


def test_a_meeting_removed_by_hand_stays_removed_and_the_figures_say_so(fair):
    session, (p0, p1, _p2) = _published_forum(fair)
    meeting = next(m for m in _active(session) if m.sides == tuple(sorted((p0.id, p1.id))))
    assert services.overview(session).figures["placed"] == 2
    services.remove_meeting(fair.organiser, meeting)
    view = services.overview(session)
    assert (view.figures["placed"], view.figures["requested"]) == (1, 2)
    assert not view.figures["optimal"]  # the run's proof no longer describes this schedule
    (unmet,) = view.unmet
    assert unmet["code"] == "removed" and "removed" in str(unmet["reason"])
    services.repair(fair.organiser, session, time_limit=2)
    assert [m.sides for m in _active(session)] == [tuple(sorted((p1.id, _p2.id)))]
    view = services.overview(session)
    assert (view.figures["placed"], view.figures["requested"]) == (1, 2) and view.unmet_total == 1


def test_the_kind_changes_with_the_run_state_cleared_and_the_page_still_opens(fair, client):
    p0, p1 = fair.producer(), fair.producer()
    session = fair.session()
    session.state = "solved"
    session.last_run_json = json.dumps(
        {"stats": {}, "unscheduled": [{"buyer": f"b{p0.id}", "producer": f"p{p1.id}", "reason": "x"}]}
    )
    services.refresh_summary(session)
    services.update_session(fair.organiser, session, kind="forum")
    assert session.kind == "forum" and session.last_run_json is None and session.state == "draft"
    _db.session.commit()
    client.post("/login", data={"email": fair.organiser.email, "password": "correct horse 42"})
    assert client.get(f"/manage/events/{fair.event.id}/matching/{session.id}").status_code == 200


def test_the_one_more_slot_hint_keeps_morning_pairs_in_the_morning(fair):
    session = fair.session(day_start=time(8, 30), day_end=time(12, 10), tables=4)  # ends past noon
    session.kind = "forum"
    p0, p1, p2 = (fair.producer() for _ in range(3))
    _pair(session, p0, p1, part_of_day="morning")
    _pair(session, p1, p2, part_of_day="afternoon")
    instance = scheduling.prepare(session).instance
    last = instance["session"]["slots"][-1]
    variant = scheduling._variant(instance, "slot")
    new = variant["session"]["slots"][-1]["id"]
    assert new == last["id"] + 1
    by_pair = {(p["a"], p["b"]): p for p in variant["pairs"]}
    morning = by_pair[(f"r{min(p0.id, p1.id)}", f"r{max(p0.id, p1.id)}")]
    afternoon = by_pair[(f"r{min(p1.id, p2.id)}", f"r{max(p1.id, p2.id)}")]
    assert new not in morning["slots"] and new in afternoon["slots"]
    # A morning session: the new slot (still before noon) is a morning one.
    early = fair.session(day_start=time(8, 30), day_end=time(10, 0), tables=4)
    early.kind = "forum"
    _pair(early, p0, p1, part_of_day="morning")
    _pair(early, p1, p2, part_of_day="afternoon")
    variant = scheduling._variant(scheduling.prepare(early).instance, "slot")
    new = variant["session"]["slots"][-1]["id"]
    by_pair = {(p["a"], p["b"]): p for p in variant["pairs"]}
    assert new in by_pair[(f"r{min(p0.id, p1.id)}", f"r{max(p0.id, p1.id)}")]["slots"]
    assert new not in by_pair[(f"r{min(p1.id, p2.id)}", f"r{max(p1.id, p2.id)}")]["slots"]


def test_the_capacity_check_counts_each_pairs_allowed_slots(fair):
    session = fair.session(day_start=time(8, 30), day_end=time(10, 0), tables=4)  # morning only
    session.kind = "forum"
    p0, p1 = fair.producer(), fair.producer()
    _pair(session, p0, p1, part_of_day="afternoon")
    report = services.capacity_check(session)
    assert not report.fits
    assert report.with_availability == 0
    assert any("part of the day" in str(line) for line in report.advice)
    session.day_end = time(16, 0)
    assert services.capacity_check(session).fits
