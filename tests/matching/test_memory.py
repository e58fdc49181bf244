"""Memory across events: the matcher knows who met whom at earlier events of the programme
and what came of it (issue 16, item 5), scores and explains it, and each participant reads
its own history line on its cards and agenda."""

from __future__ import annotations

import json
import secrets
from contextlib import contextmanager
from datetime import date, time, timedelta
from itertools import count

import pytest
from sqlalchemy import event as sa_event

from app.errors import PermissionDenied
from app.events.models import Event, EventOrganiser, Registration
from app.extensions import db as _db
from app.matching.engine.candidates import candidate_scores_reference, score_candidates
from app.matching.engine.scoring import (
    BuyerProfile,
    Demand,
    Offer,
    PastMeeting,
    ProducerProfile,
    score_pair,
)
from app.matching.memory import services as memory
from app.matching.models import ForumRequest, MatchingSession, Meeting, MeetingOutcome
from app.matching.sessions import services
from app.matching.sessions.scoring import explain
from tests.conftest import text_of

LAST_DAY = date(2025, 10, 16)
QUANG_NINH_2026 = (("vi", "Hội chợ OCOP Quảng Ninh 2026"), ("en", "Quang Ninh OCOP fair 2026"))
_numbers = count(1)


# ---------------------------------------------------------------- the pure engine


def _buyer(bid="b1") -> BuyerProfile:
    return BuyerProfile(bid, (Demand("tea", 500, "kg", min_stars=3),), "01")


def _producer(pid="p1", capacity=300) -> ProducerProfile:
    offer = Offer("tea", 4, date(2027, 1, 1), frozenset({"vietgap"}), capacity, "kg", 250_000, 400_000, "kg")
    return ProducerProfile(pid, (offer,), "22")


def test_talks_ongoing_raise_a_pairs_score_and_say_where_they_met(app):
    plain = score_pair(_buyer(), _producer(), on=LAST_DAY)
    ongoing = score_pair(
        _buyer(), _producer(), on=LAST_DAY, history=PastMeeting(QUANG_NINH_2026, "follow_up")
    )
    assert ongoing.score > plain.score
    assert ongoing.terms["history"].value == 1.0
    with app.test_request_context("/?lang=en"):
        lines = explain(ongoing.breakdown())
    assert lines[-1] == "Earlier meetings: You met at Quang Ninh OCOP fair 2026: talks ongoing."
    with app.test_request_context("/?lang=vi"):
        assert "Hội chợ OCOP Quảng Ninh 2026" in explain(ongoing.breakdown())[-1]


@pytest.mark.parametrize("outcome", ["no_interest", "no_show"])
def test_no_interest_or_a_no_show_lowers_a_pairs_score(outcome):
    plain = score_pair(_buyer(), _producer(), on=LAST_DAY)
    cold = score_pair(_buyer(), _producer(), on=LAST_DAY, history=PastMeeting(QUANG_NINH_2026, outcome))
    assert cold.score < plain.score
    assert cold.terms["history"].value == 0.0


def test_weight_zero_or_no_history_changes_nothing():
    plain = score_pair(_buyer(), _producer(), on=LAST_DAY)
    for history in (PastMeeting(QUANG_NINH_2026, "contract"), PastMeeting(QUANG_NINH_2026, "no_interest")):
        off = score_pair(_buyer(), _producer(), on=LAST_DAY, history=history, history_weight=0)
        assert off.breakdown() == plain.breakdown()
    # Held with nothing recorded is no evidence either way: the score stays.
    met = score_pair(_buyer(), _producer(), on=LAST_DAY, history=PastMeeting(QUANG_NINH_2026, "met"))
    assert met.breakdown() == plain.breakdown()


@pytest.mark.parametrize("weight", [0.0, 0.25, 1.0])
def test_the_fast_candidates_give_score_pairs_scores_with_history(weight):
    buyers = [_buyer(f"b{i}") for i in range(4)]
    producers = [_producer(f"p{j}", capacity=100 * (j + 1)) for j in range(5)]
    outcomes = ["follow_up", "no_interest", "contract", "no_show", "met", "sample_order"]
    history = {
        (f"b{i}", f"p{j}"): PastMeeting(QUANG_NINH_2026, outcomes[(i + j) % len(outcomes)])
        for i in range(4)
        for j in range(5)
        if (i * j) % 3 != 1
    }
    history[("b9", "p0")] = PastMeeting(QUANG_NINH_2026, "contract")  # not a participant: ignored
    fast = score_candidates(buyers, producers, on=LAST_DAY, history=history, history_weight=weight)
    reference = candidate_scores_reference(
        buyers, producers, on=LAST_DAY, history=history, history_weight=weight
    )
    plain = score_candidates(buyers, producers, on=LAST_DAY).scores()
    assert fast.scores() == reference.scores()
    for (b, p), score in fast.scores().items():
        pair = score_pair(
            buyers[int(b[1:])],
            producers[int(p[1:])],
            on=LAST_DAY,
            history=history.get((b, p)),
            history_weight=weight,
        )
        assert score == pair.score
        assert fast.explain(b, p).breakdown() == pair.breakdown()
        if weight == 0 or (b, p) not in history or history[(b, p)].outcome == "met":
            assert score == plain[(b, p)]


# ---------------------------------------------------------------- the app: earlier events


def _earlier_event(organiser=None, *, before: Event, days=200, province=None, state="finished") -> Event:
    n = next(_numbers)
    starts = before.starts_at - timedelta(days=days)
    event = Event(
        slug=f"earlier-{n}-{secrets.token_hex(3)}",
        kind="physical_fair",
        state=state,
        name_vi=f"Hội chợ OCOP Quảng Ninh 2026 ({n})",
        name_en=f"Quang Ninh OCOP fair 2026 ({n})",
        starts_at=starts,
        ends_at=starts + timedelta(days=3),
        province_code=province,
    )
    _db.session.add(event)
    _db.session.flush()
    if organiser is not None:
        _db.session.add(EventOrganiser(event_id=event.id, user_id=organiser.id))
    session = MatchingSession(
        event_id=event.id,
        name="B2B",
        first_day=starts.date(),
        last_day=starts.date(),
        day_start=time(8, 30),
        day_end=time(11, 30),
        tables=20,
    )
    _db.session.add(session)
    _db.session.flush()
    event.test_session = session
    return event


def _registration(event: Event, organisation_id: int, role: str) -> Registration:
    row = (
        _db.session.query(Registration)
        .filter_by(event_id=event.id, organisation_id=organisation_id, role=role)
        .one_or_none()
    )
    if row is None:
        row = Registration(event_id=event.id, organisation_id=organisation_id, role=role, status="approved")
        _db.session.add(row)
        _db.session.flush()
    return row


def _met(event: Event, buyer: Registration, producer: Registration, *outcomes, status="held") -> Meeting:
    """A published meeting at `event` between the organisations of two registrations of today's
    event, with the outcomes (side, kind) they recorded."""
    meeting = Meeting(
        session_id=event.test_session.id,
        buyer_registration_id=_registration(event, buyer.organisation_id, "buyer").id,
        producer_registration_id=_registration(event, producer.organisation_id, "exhibitor").id,
        slot=next(_numbers) % 7,
        table=0,
        score=0.5,
        status=status,
        published=True,
        checkin_code=secrets.token_hex(6).upper(),
    )
    _db.session.add(meeting)
    _db.session.flush()
    for side, kind in outcomes:
        _db.session.add(MeetingOutcome(meeting_id=meeting.id, side=side, kind=kind))
    _db.session.flush()
    return meeting


@contextmanager
def counted_statements():
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    engine = _db.engine
    sa_event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa_event.remove(engine, "before_cursor_execute", before)


def _one_meeting_each(fair, **fields):
    return fair.session(max_meetings_per_buyer=1, max_meetings_per_producer=1, **fields)


def test_a_pair_that_showed_no_interest_is_scored_lower_and_not_paired_again(fair):
    buyer = fair.buyer()
    cold, fresh = fair.producer(), fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    _met(earlier, buyer, cold, ("buyer", "no_interest"))
    session = _one_meeting_each(fair)
    scores = services.prepare(session).candidates.scores()
    b, c, f = f"b{buyer.id}", f"p{cold.id}", f"p{fresh.id}"
    assert scores[(b, c)] < scores[(b, f)], "the same profiles; the earlier 'no interest' counts against"
    services.run_matching(fair.organiser, session)
    meetings = _db.session.query(Meeting).filter_by(session_id=session.id).all()
    assert [(m.buyer_registration_id, m.producer_registration_id) for m in meetings] == [(buyer.id, fresh.id)]


def test_a_pair_whose_talks_are_ongoing_is_favoured_and_the_why_says_where_they_met(app, fair):
    buyer = fair.buyer()
    warm, other = fair.producer(), fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    # The producer says talks go on, the buyer said no interest: the stronger counts, as in the report.
    _met(earlier, buyer, warm, ("producer", "follow_up"), ("buyer", "no_interest"))
    session = _one_meeting_each(fair)
    services.run_matching(fair.organiser, session)
    (meeting,) = _db.session.query(Meeting).filter_by(session_id=session.id).all()
    assert (meeting.buyer_registration_id, meeting.producer_registration_id) == (buyer.id, warm.id)
    why = json.loads(meeting.why_json)
    assert [t["value"] for t in why["terms"] if t["term"] == "history"] == [1.0]
    assert meeting.score > services.prepare(session).candidates.scores()[(f"b{buyer.id}", f"p{other.id}")]
    with app.test_request_context("/?lang=en"):
        assert f"You met at {earlier.name_en}: talks ongoing." in " ".join(explain(why))


def test_weight_zero_on_the_settings_changes_no_score_and_no_explanation(fair):
    buyer = fair.buyer()
    cold, fresh = fair.producer(), fair.producer()
    session = _one_meeting_each(fair)
    before = services.prepare(session).candidates.scores()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    _met(earlier, buyer, cold, ("buyer", "no_interest"))
    _met(earlier, buyer, fresh, ("producer", "contract"))
    assert services.prepare(session).candidates.scores() != before
    services.update_session(fair.organiser, session, weights=services.weights_of(session) | {"history": 0})
    assert services.history_weight_of(session) == 0
    prepared = services.prepare(session)
    assert prepared.candidates.scores() == before
    assert "history" not in json.dumps(prepared.breakdown(f"b{buyer.id}", f"p{cold.id}"))
    # Changing another weight later keeps the organiser's history weight.
    services.update_session(fair.organiser, session, weights=services.weights_of(session) | {"stars": 0.2})
    assert services.history_weight_of(session) == 0


def test_only_earlier_events_of_the_programme_count(fair, make_user):
    """Earlier events sharing an organiser or the province count; another organiser's event
    elsewhere, a later event, a cancelled one and the event itself do not."""
    buyer = fair.buyer()
    producers = [fair.producer() for _ in range(6)]
    fair.event.province_code = "22"
    stranger = make_user(role="organiser")
    shared = _earlier_event(fair.organiser, before=fair.event)
    same_province = _earlier_event(stranger, before=fair.event, province="22")
    elsewhere = _earlier_event(stranger, before=fair.event, province="01")
    later = _earlier_event(fair.organiser, before=fair.event, days=-30)
    cancelled = _earlier_event(fair.organiser, before=fair.event, state="cancelled")
    for event, producer in zip((shared, same_province, elsewhere, later, cancelled), producers, strict=False):
        _met(event, buyer, producer, ("buyer", "contract"))
    history = memory.pair_history(fair.event)
    assert {p for _b, p in history} == {producers[0].id, producers[1].id}
    assert history[(buyer.id, producers[1].id)].event_id == same_province.id


def test_the_latest_earlier_meeting_tells_and_a_no_show_or_a_check_in_alone_is_remembered(fair):
    buyer = fair.buyer()
    a, b, c = fair.producer(), fair.producer(), fair.producer()
    old = _earlier_event(fair.organiser, before=fair.event, days=400)
    recent = _earlier_event(fair.organiser, before=fair.event, days=100)
    _met(old, buyer, a, ("buyer", "contract"))
    _met(recent, buyer, a, ("buyer", "no_interest"))
    _met(recent, buyer, b, status="no_show")
    _met(recent, buyer, c)  # checked in, nothing recorded
    _met(recent, buyer, fair.producer(), status="scheduled")  # nothing known: forgotten
    history = memory.pair_history(fair.event)
    assert {p: m.outcome for (_b, p), m in history.items()} == {
        a.id: "no_interest",
        b.id: "no_show",
        c.id: "met",
    }
    assert history[(buyer.id, a.id)].event_id == recent.id


def test_the_history_costs_the_same_statements_however_long_it_is(fair):
    buyers = [fair.buyer() for _ in range(3)]
    producers = [fair.producer() for _ in range(3)]
    session = fair.session()

    def cost() -> tuple[int, int]:
        with counted_statements() as statements:
            found = memory.pair_history(fair.event)
        with counted_statements() as whole:
            services.prepare(session)
        return len(statements), len(whole), len(found)

    first = _earlier_event(fair.organiser, before=fair.event)
    _met(first, buyers[0], producers[0], ("buyer", "follow_up"))
    small = cost()
    for days in (300, 400, 500):
        event = _earlier_event(fair.organiser, before=fair.event, days=days)
        for b in buyers:
            for p in producers:
                _met(event, b, p, ("buyer", "no_interest"), ("producer", "sample_order"))
    large = cost()
    assert small[2] == 1 and large[2] == 9
    assert small[0] == large[0] == 1, "one statement for the history"
    assert small[1] == large[1], "preparing the instance costs the same"


# ---------------------------------------------------------------- what participants see


def _login(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302


def test_a_participant_sees_only_its_own_history_line_on_the_cards(client, fair, make_user, html):
    warm_buyer, cold_buyer = fair.buyer(), fair.buyer()
    producer = fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    _met(earlier, warm_buyer, producer, ("producer", "follow_up"))
    _met(earlier, cold_buyer, producer, ("buyer", "no_interest"))
    fair.session()
    slug = fair.event.slug

    _login(client, make_user(role="buyer", organisation=warm_buyer.organisation))
    page = html(client.get(f"/my/events/{slug}/producers?lang=en"))
    lines = [text_of(p) for p in page.select("[data-history]")]
    assert lines == [f"You met at {earlier.name_en}: talks ongoing."]
    assert page.select_one(f"[data-producer='{producer.id}'] [data-history]") is not None
    client.post("/logout")

    _login(client, make_user(role="buyer", organisation=cold_buyer.organisation))
    lines = [
        text_of(p) for p in html(client.get(f"/my/events/{slug}/producers?lang=en")).select("[data-history]")
    ]
    assert lines == [f"You met at {earlier.name_en}: no interest."], "not the other buyer's line"
    client.post("/logout")

    # The producer sees both pairs it is part of, each on its buyer's card.
    _login(client, make_user(role="exhibitor", organisation=producer.organisation))
    page = html(client.get(f"/my/events/{slug}/matching?lang=en"))
    assert text_of(page.select_one(f"[data-buyer='{warm_buyer.id}'] [data-history]")).endswith(
        "talks ongoing."
    )
    assert text_of(page.select_one(f"[data-buyer='{cold_buyer.id}'] [data-history]")).endswith("no interest.")
    client.post("/logout")

    # A participant without history sees none.
    _login(client, make_user(role="buyer", organisation=fair.buyer().organisation))
    assert not html(client.get(f"/my/events/{slug}/producers?lang=en")).select("[data-history]")


def test_history_for_is_refused_to_anyone_not_acting_for_the_registration(fair, make_user):
    buyer = fair.buyer()
    stranger = make_user(role="buyer", organisation=fair.buyer().organisation)
    for actor in (None, stranger, fair.organiser):
        with pytest.raises(PermissionDenied):
            memory.history_for(actor, buyer)
    assert memory.history_for(make_user(role="buyer", organisation=buyer.organisation), buyer) == {}


def test_the_agenda_shows_the_history_line_of_each_meeting(client, fair, make_user, html):
    buyer = fair.buyer()
    warm, fresh = fair.producer(), fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    _met(earlier, buyer, warm, ("producer", "contract"))
    session = fair.session()
    services.run_matching(fair.organiser, session)
    services.publish(fair.organiser, session)
    _login(client, make_user(role="buyer", organisation=buyer.organisation))
    page = html(client.get(f"/my/events/{fair.event.slug}/agenda?lang=fr"))
    rows = {int(row["data-meeting"]): row for row in page.select("tr[data-meeting]")}
    by_producer = {
        m.producer_registration_id: m.id for m in _db.session.query(Meeting).filter_by(session_id=session.id)
    }
    line = rows[by_producer[warm.id]].select_one("[data-history]")
    assert line is not None and earlier.name_en in text_of(line), "no French name: the English one"
    assert rows[by_producer[fresh.id]].select_one("[data-history]") is None


def test_the_organiser_sets_the_weight_of_history_on_the_settings_form(fair, client, login, html):
    _db.session.commit()
    login(fair.organiser)
    base = f"/manage/events/{fair.event.id}/matching?lang=en"
    new = html(client.get(base))
    assert new.select_one("#weight_history")["value"] == "0.25", "the default, on a new session's form"
    first, _ = services.event_days(fair.event)
    form = {
        "name": "Buyer meetings",
        "first_day": first.isoformat(),
        "last_day": first.isoformat(),
        "day_start": "08:30",
        "day_end": "10:00",
        "meeting_minutes": "20",
        "gap_minutes": "5",
        "tables": "2",
        "max_meetings_per_buyer": "8",
        "max_meetings_per_producer": "8",
        "weight_history": "0.6",
    }
    created = client.post(base, data=form)
    assert created.status_code == 302
    session = _db.session.query(MatchingSession).filter_by(event_id=fair.event.id).one()
    assert services.history_weight_of(session) == 0.6
    assert (
        html(client.get(created.headers["Location"] + "/settings")).select_one("#weight_history")["value"]
        == "0.60"
    )
    refused = html(client.post(created.headers["Location"], data=form | {"weight_history": "2"}))
    assert refused.select_one("#weight_history")["aria-invalid"] == "true"
    _db.session.refresh(session)
    assert services.history_weight_of(session) == 0.6, "a weight above 1 is refused"
    client.post(created.headers["Location"], data=form | {"weight_history": "0"})
    _db.session.refresh(session)
    assert services.history_weight_of(session) == 0


# ---------------------------------------------------------------- forums remembered


def _met_at_forum(event: Event, one: Registration, other: Registration, *outcomes) -> Meeting:
    """A published, held meeting at a networking forum of `event` between the organisations of
    two registrations of today's event, each in its role; the columns in registration-id order
    (side a the lower id), whatever the roles. `outcomes`: (column, kind)."""
    forum = getattr(event, "test_forum", None)
    if forum is None:
        forum = event.test_forum = MatchingSession(
            event_id=event.id,
            kind="forum",
            name="Diễn đàn",
            first_day=event.starts_at.date(),
            last_day=event.starts_at.date(),
            day_start=time(13, 30),
            day_end=time(16, 30),
            tables=20,
        )
        _db.session.add(forum)
        _db.session.flush()
    a, b = sorted(
        (
            _registration(event, one.organisation_id, one.role),
            _registration(event, other.organisation_id, other.role),
        ),
        key=lambda r: r.id,
    )
    meeting = Meeting(
        session_id=forum.id,
        buyer_registration_id=a.id,
        producer_registration_id=b.id,
        slot=next(_numbers) % 7,
        table=0,
        score=0,
        status="held",
        published=True,
        checkin_code=secrets.token_hex(6).upper(),
    )
    _db.session.add(meeting)
    _db.session.flush()
    for side, kind in outcomes:
        _db.session.add(MeetingOutcome(meeting_id=meeting.id, side=side, kind=kind))
    _db.session.flush()
    return meeting


def test_two_producers_who_met_at_an_earlier_forum_are_remembered_as_a_pair(fair):
    first, second, third = fair.producer(), fair.producer(), fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    # At last year's forum the third producer registered first: the pair's columns are reversed.
    _registration(earlier, third.organisation_id, "exhibitor")
    _met_at_forum(earlier, third, first, ("producer", "follow_up"))
    _met_at_forum(earlier, second, third, ("buyer", "no_interest"))
    history = memory.pair_history(fair.event)
    assert {key: m.outcome for key, m in history.items()} == {
        (first.id, third.id): "follow_up",
        (second.id, third.id): "no_interest",
    }
    assert not any(m.buyer_and_producer for m in history.values())
    assert memory.engine_history(fair.event) == {}, "the buyer–producer engine scores no producer pair"
    assert {other: m.outcome for other, m in memory.own_history(third).items()} == {
        first.id: "follow_up",
        second.id: "no_interest",
    }
    assert set(memory.own_history(first)) == {third.id}


def test_a_buyer_and_a_producer_who_met_at_a_forum_count_for_a_buyer_producer_session(app, fair):
    """At the earlier forum the producer held column a (it registered first): the pair is still
    (buyer, producer) for today's buyer–producer session, which favours it and says where."""
    buyer = fair.buyer()
    warm, other = fair.producer(), fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    _registration(earlier, warm.organisation_id, "exhibitor")
    met = _met_at_forum(earlier, buyer, warm, ("buyer", "follow_up"))
    assert _db.session.get(Registration, met.buyer_registration_id).role == "exhibitor"
    assert set(memory.pair_history(fair.event)) == {(buyer.id, warm.id)}
    assert memory.engine_history(fair.event)[(f"b{buyer.id}", f"p{warm.id}")].outcome == "follow_up"
    session = _one_meeting_each(fair)
    scores = services.prepare(session).candidates.scores()
    assert scores[(f"b{buyer.id}", f"p{warm.id}")] > scores[(f"b{buyer.id}", f"p{other.id}")]
    services.run_matching(fair.organiser, session)
    (meeting,) = _db.session.query(Meeting).filter_by(session_id=session.id).all()
    assert (meeting.buyer_registration_id, meeting.producer_registration_id) == (buyer.id, warm.id)
    with app.test_request_context("/?lang=en"):
        assert f"You met at {earlier.name_en}: talks ongoing." in " ".join(
            explain(json.loads(meeting.why_json))
        )


def test_a_forum_agenda_shows_where_two_producers_met_before(client, fair, make_user, html):
    first, second = fair.producer(), fair.producer()
    earlier = _earlier_event(fair.organiser, before=fair.event)
    _met_at_forum(earlier, first, second, ("producer", "sample_order"))
    session = fair.session()
    session.kind = "forum"
    _db.session.add(
        ForumRequest(
            session_id=session.id,
            a_registration_id=first.id,
            b_registration_id=second.id,
            requested_by_id=first.id,
            answered_by_id=second.id,
            status="accepted",
        )
    )
    services.run_matching(fair.organiser, session, time_limit=5)
    services.publish(fair.organiser, session)
    _login(client, make_user(role="exhibitor", organisation=second.organisation))
    page = html(client.get(f"/my/events/{fair.event.slug}/agenda?lang=en"))
    (row,) = page.select("tr[data-meeting]")
    line = row.select_one("[data-history]")
    assert line is not None and earlier.name_en in text_of(line) and "sample order" in text_of(line)
