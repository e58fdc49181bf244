"""The forum's requests: who may ask whom, mutual requests, blocks, answers, the organiser's edits,
and what scheduling reads (accepted pairs, morning and afternoon slots)."""

from __future__ import annotations

from datetime import time

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, ServiceError
from app.eventlog.models import EventLogEntry
from app.events.registrations import services as reg
from app.extensions import db as _db
from app.matching.forum import services
from app.matching.models import ForumRequest
from app.matching.sessions import services as sessions
from tests.conftest import NOW


def _ask(forum, me, other, note=None):
    return services.request_meeting(forum.user(me), forum.session, me, other.id, note)


def test_a_request_is_stored_once_lower_id_first_whoever_asks(forum):
    p1, p2 = forum.producers
    high, low = (p1, p2) if p1.id > p2.id else (p2, p1)
    done = _ask(forum, high, low, "  Bao bì   chung? ")
    row = done.row
    assert done.outcome == "asked"
    assert (row.a_registration_id, row.b_registration_id) == (low.id, high.id)
    assert row.requested_by_id == high.id and row.status == "open" and row.note == "Bao bì chung?"
    assert services.state_of(row, high.id) == "asked"
    assert services.state_of(row, low.id) == "asked_you"


def test_producers_buyers_any_pair_may_meet(forum):
    (p1, p2), (b1, b2) = forum.producers, forum.buyers
    assert _ask(forum, b1, b2).outcome == "asked"  # buyer with buyer
    assert _ask(forum, p1, p2).outcome == "asked"  # producer with producer
    assert _ask(forum, p1, b1).outcome == "asked"  # and across


def test_asking_someone_who_asked_you_accepts_theirs(forum):
    p1, p2 = forum.producers
    first = _ask(forum, p1, p2).row
    done = _ask(forum, p2, p1, "Yes")
    assert done.outcome == "mutual" and done.row.id == first.id
    assert first.status == "accepted" and first.answered_by_id == p2.id
    assert _db.session.scalar(select(ForumRequest.id).where(ForumRequest.id != first.id)) is None


@pytest.mark.parametrize("again", ["same", "reverse"])
def test_a_listed_pair_cannot_be_requested_twice(forum, again):
    p1, p2 = forum.producers
    row = _ask(forum, p1, p2).row
    if again == "same":
        with pytest.raises(ServiceError, match="already asked"):
            _ask(forum, p1, p2)
    else:
        services.answer_request(forum.user(p2), forum.session, p2, row.id, accept=False)
        with pytest.raises(ServiceError, match="declined"):
            _ask(forum, p1, p2)
        with pytest.raises(ServiceError, match="declined this meeting"):
            _ask(forum, p2, p1)
        services.answer_request(forum.user(p2), forum.session, p2, row.id, accept=True)  # changed its mind
        with pytest.raises(ServiceError, match="already accepted"):
            _ask(forum, p2, p1)


def test_refusals_oneself_unapproved_other_event_unknown(
    forum, make_open_event, make_producer, make_user, make_product
):
    p1 = forum.producers[0]
    with pytest.raises(ServiceError, match="yourself"):
        _ask(forum, p1, p1)
    # Waiting for the organiser's decision: not a participant yet.
    organisation = make_producer()
    user = make_user(role="exhibitor", organisation=organisation)
    pending = reg.apply_as_exhibitor(user, forum.event, [make_product(organisation).id], now=NOW)
    with pytest.raises(ServiceError, match="approved participant"):
        _ask(forum, p1, pending)
    # Approved, but at another event.
    other_event = make_open_event(forum.organiser)
    elsewhere = reg.apply_as_exhibitor(user, other_event, [make_product(organisation).id], now=NOW)
    reg.approve(forum.organiser, elsewhere, now=NOW)
    with pytest.raises(ServiceError, match="approved participant"):
        _ask(forum, p1, elsewhere)
    with pytest.raises(ServiceError, match="approved participant"):
        services.request_meeting(forum.user(p1), forum.session, p1, 999_999)
    # And one can't act for another's registration, nor for one of another event.
    with pytest.raises(PermissionDenied):
        services.request_meeting(forum.user(p1), forum.session, forum.producers[1], forum.buyers[0].id)
    with pytest.raises(PermissionDenied):
        services.request_meeting(user, forum.session, elsewhere, p1.id)
    assert _db.session.scalar(select(ForumRequest.id)) is None


def test_a_block_refuses_requests_both_ways_until_lifted(forum):
    (p1, p2), (b1, _b2) = forum.producers, forum.buyers
    _ask(forum, p1, b1)
    row = services.block(forum.user(b1), forum.session, b1, p1.id)
    assert row.status == "blocked" and row.answered_by_id == b1.id
    with pytest.raises(ServiceError, match="doesn't take meeting requests in this forum"):
        _ask(forum, p1, b1)
    with pytest.raises(ServiceError, match="unblock it first"):
        _ask(forum, b1, p1)
    # Only the one who blocked lifts it.
    with pytest.raises(ServiceError, match="not blocked"):
        services.unblock(forum.user(p1), forum.session, p1, b1.id)
    services.unblock(forum.user(b1), forum.session, b1, p1.id)
    assert _ask(forum, p1, b1).outcome == "asked"
    # A block with no request before it; and a block takes an accepted pair too.
    services.block(forum.user(p2), forum.session, p2, b1.id)
    with pytest.raises(ServiceError, match="doesn't take"):
        _ask(forum, b1, p2)
    again = services.pair_row(forum.session, p1.id, b1.id)
    services.answer_request(forum.user(b1), forum.session, b1, again.id, True)
    services.block(forum.user(p1), forum.session, p1, b1.id)
    assert services.accepted_pairs(forum.session) == []


def test_answers_and_cancelling_belong_to_the_right_side(forum):
    p1, p2 = forum.producers
    b1 = forum.buyers[0]
    row = _ask(forum, p1, p2).row
    with pytest.raises(ServiceError, match="not waiting for your answer"):
        services.answer_request(forum.user(p1), forum.session, p1, row.id, accept=True)  # its own request
    with pytest.raises(PermissionDenied):  # not its pair
        services.answer_request(forum.user(b1), forum.session, b1, row.id, accept=True)
    with pytest.raises(ServiceError, match="Only your own open requests"):
        services.cancel_request(forum.user(p2), forum.session, p2, row.id)
    services.cancel_request(forum.user(p1), forum.session, p1, row.id)
    assert _db.session.get(ForumRequest, row.id) is None
    row = _ask(forum, p1, p2).row
    services.answer_request(forum.user(p2), forum.session, p2, row.id, accept=True)
    with pytest.raises(ServiceError, match="Only your own open requests"):
        services.cancel_request(forum.user(p1), forum.session, p1, row.id)  # accepted: no longer open
    assert [r.id for r in services.accepted_pairs(forum.session)] == [row.id]


def test_my_requests_show_only_ones_own_pairs_and_hide_the_others_block(forum):
    (p1, p2), (b1, b2) = forum.producers, forum.buyers
    _ask(forum, p1, p2)
    _ask(forum, b1, p1)
    _ask(forum, b1, b2)  # not p1's
    services.block(forum.user(b2), forum.session, b2, p1.id)  # b2's block of p1 is private
    mine = services.my_requests(forum.user(p1), forum.session, p1)
    assert [other.id for _row, other in mine.outgoing] == [p2.id]
    assert [other.id for _row, other in mine.incoming] == [b1.id]
    assert mine.blocked == [] and mine.accepted == [] and mine.declined == []
    theirs = services.my_requests(forum.user(b2), forum.session, b2)
    assert [other.id for _row, other in theirs.blocked] == [p1.id]
    assert [other.id for _row, other in theirs.incoming] == [b1.id]
    with pytest.raises(PermissionDenied):
        services.my_requests(forum.user(p1), forum.session, p2)


def test_the_organiser_adds_restricts_changes_and_removes_pairs_and_the_log_says_so(forum, make_user):
    (p1, p2), (b1, _b2) = forum.producers, forum.buyers
    organiser = forum.organiser
    row = services.add_pair(organiser, forum.session, p2.id, p1.id, "morning")
    assert row.status == "accepted" and row.requested_by_id is None and row.part_of_day == "morning"
    assert row.a_registration_id == min(p1.id, p2.id)
    with pytest.raises(ServiceError, match="already listed"):
        services.add_pair(organiser, forum.session, p1.id, p2.id)
    with pytest.raises(ServiceError, match="two different"):
        services.add_pair(organiser, forum.session, p1.id, p1.id)
    with pytest.raises(ServiceError, match="approved participant"):
        services.add_pair(organiser, forum.session, p1.id, 999_999)
    services.set_part_of_day(organiser, forum.session, row, "afternoon")
    services.set_status(organiser, forum.session, row, "declined")
    with pytest.raises(ServiceError):
        services.set_status(organiser, forum.session, row, "maybe")
    with pytest.raises(ServiceError):
        services.set_part_of_day(organiser, forum.session, row, "evening")
    asked = _ask(forum, b1, p1).row
    services.remove_pair(organiser, forum.session, asked)
    actions = _db.session.scalars(select(EventLogEntry.action).order_by(EventLogEntry.id)).all()
    expected = ["forum_pair_added", "forum_pair_changed", "forum_pair_changed", "forum_pair_removed"]
    assert actions[-4:] == expected
    # Another event's organiser is refused.
    stranger = make_user(role="organiser")
    for attempt in (
        lambda: services.add_pair(stranger, forum.session, p1.id, b1.id),
        lambda: services.set_status(stranger, forum.session, row, "accepted"),
        lambda: services.set_part_of_day(stranger, forum.session, row, None),
        lambda: services.remove_pair(stranger, forum.session, row),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_morning_and_afternoon_slots_split_at_noon_local_time(forum):
    slots = sessions.slots_of(forum.session)
    morning = services.part_of_day_slots(forum.session, "morning")
    afternoon = services.part_of_day_slots(forum.session, "afternoon")
    assert morning and afternoon
    assert sorted(morning + afternoon) == [slot.index for slot in slots]
    assert all(slots[i].start.time() < time(12) for i in morning)
    assert all(slots[i].start.time() >= time(12) for i in afternoon)
    assert services.part_of_day_slots(forum.session, None) == [slot.index for slot in slots]


def test_accepted_pairs_is_one_query(forum):
    from sqlalchemy import event as sa_event

    (p1, p2), (b1, b2) = forum.producers, forum.buyers
    for x, y in ((p1, p2), (b1, b2), (p1, b1)):
        row = _ask(forum, x, y).row
        services.answer_request(forum.user(y), forum.session, y, row.id, True)
    _ask(forum, p2, b2)  # open: not scheduled
    _db.session.expire_all()
    assert forum.session.id  # the session itself read again, before counting
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa_event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        pairs = services.accepted_pairs(forum.session)
    finally:
        sa_event.remove(_db.engine, "before_cursor_execute", counted)
    assert len(pairs) == 3 and count == 1


def test_the_kind_is_fixed_once_the_session_has_forum_requests(forum, fair):
    p1, p2 = forum.producers
    bipartite = fair.session()
    assert bipartite.kind == "bipartite"
    sessions.update_session(fair.organiser, bipartite, kind="forum")
    assert bipartite.kind == "forum"
    sessions.update_session(fair.organiser, bipartite, kind="bipartite")
    _ask(forum, p1, p2)
    with pytest.raises(ServiceError, match="kind can't be changed") as caught:
        sessions.update_session(fair.organiser, forum.session, kind="bipartite")
    assert caught.value.field == "kind"
    with pytest.raises(ServiceError, match="kind of session"):
        sessions.create_session(fair.organiser, fair.event, kind="trade")
