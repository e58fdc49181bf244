"""Participants say when they can meet, whom they must or won't meet, and buyers ask producers."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.errors import PermissionDenied, ServiceError
from app.events.models import Registration
from app.matching.models import Availability, MatchRequest
from app.matching.participation import services as participation
from tests.conftest import text_of
from tests.matching.test_agenda import add_meeting, build_fair


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def _login(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": "correct horse 42"}).status_code == 302
    )


def _row(db, fair, buyer, producer):
    return db.session.scalar(
        select(MatchRequest).where(
            MatchRequest.session_id == fair.session.id,
            MatchRequest.buyer_registration_id == buyer.id,
            MatchRequest.producer_registration_id == producer.id,
        )
    )


# ---------------------------------------------------------------- availability


def test_a_participant_keeps_a_subset_of_the_slots_and_all_slots_means_no_row(db, fair):
    user, buyer = fair.buyers[0]
    assert participation.available_slots(fair.session, buyer) is None  # said nothing: every slot
    participation.set_availability(user, fair.session, buyer, ["0", "1", "7", 8])
    db.session.commit()
    row = db.session.get(Availability, (fair.session.id, buyer.id))
    assert json.loads(row.slots_json) == [0, 1, 7, 8]
    assert participation.available_slots(fair.session, buyer) == {0, 1, 7, 8}
    participation.set_availability(user, fair.session, buyer, range(14))
    db.session.commit()
    assert db.session.get(Availability, (fair.session.id, buyer.id)) is None
    participation.set_availability(user, fair.session, buyer, [])
    assert participation.available_slots(fair.session, buyer) == set(), "not available at all"


def test_unknown_slots_and_slots_holding_a_published_meeting_are_refused(db, fair):
    user, buyer = fair.buyers[0]
    for bad in (["14"], ["-1"], ["sáng"]):
        with pytest.raises(ServiceError):
            participation.set_availability(user, fair.session, buyer, bad)
    add_meeting(db, fair, buyer, fair.producers[0][1], slot=2, table=0)
    with pytest.raises(ServiceError, match="ask the organiser"):
        participation.set_availability(user, fair.session, buyer, [0, 1])
    participation.set_availability(user, fair.session, buyer, [2, 3])


def test_nobody_sets_another_participants_availability(db, fair, make_user):
    _user, buyer = fair.buyers[0]
    for actor in (fair.buyers[1][0], fair.producers[0][0], fair.organiser, make_user(role="buyer")):
        with pytest.raises(PermissionDenied):
            participation.set_availability(actor, fair.session, buyer, [0])
    buyer.status = "withdrawn"
    db.session.commit()
    with pytest.raises(PermissionDenied):
        participation.set_availability(fair.buyers[0][0], fair.session, buyer, [0])


# ---------------------------------------------------------------- must / block


def test_must_and_block_marks_are_set_changed_and_cleared_by_their_author(db, fair):
    user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    participation.set_preference(user, fair.session, buyer, producer.id, "must")
    row = _row(db, fair, buyer, producer)
    assert (row.kind, row.status, row.requested_by) == ("must", "open", "buyer")
    participation.set_preference(user, fair.session, buyer, producer.id, "block")
    assert (row.kind, row.requested_by) == ("block", "buyer")
    participation.set_preference(producer_user, fair.session, producer, buyer.id, None)
    assert _row(db, fair, buyer, producer) is not None, "only its author lifts a block"
    with pytest.raises(ServiceError):
        participation.set_preference(producer_user, fair.session, producer, buyer.id, "must")
    participation.set_preference(user, fair.session, buyer, producer.id, None)
    assert _row(db, fair, buyer, producer) is None


def test_a_block_wins_over_the_other_sides_must(db, fair):
    user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    participation.set_preference(user, fair.session, buyer, producer.id, "must")
    participation.set_preference(producer_user, fair.session, producer, buyer.id, "block")
    row = _row(db, fair, buyer, producer)
    assert (row.kind, row.requested_by) == ("block", "producer")
    prefs = participation.preferences(fair.session, buyer)
    assert prefs.must == [] and prefs.block == [], "the other side's block is not shown to the buyer"
    assert [other.id for _row, other in participation.preferences(fair.session, producer).block] == [buyer.id]


def test_marks_name_an_approved_participant_of_the_other_side(db, fair):
    user, buyer = fair.buyers[0]
    with pytest.raises(ServiceError):
        participation.set_preference(user, fair.session, buyer, fair.buyers[1][1].id, "must")
    producer = fair.producers[0][1]
    producer.status = "rejected"
    db.session.commit()
    with pytest.raises(ServiceError):
        participation.set_preference(user, fair.session, buyer, producer.id, "must")
    with pytest.raises(ServiceError):
        participation.set_preference(user, fair.session, buyer, fair.producers[1][1].id, "maybe")


# ---------------------------------------------------------------- asks


def test_a_buyer_asks_and_the_producer_accepts_which_makes_it_a_must(db, fair):
    user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    ask = participation.ask_for_meeting(user, fair.session, buyer, producer.id)
    assert (ask.kind, ask.status, ask.requested_by) == ("ask", "open", "buyer")
    assert participation.ask_for_meeting(user, fair.session, buyer, producer.id) is ask, (
        "asking twice is once"
    )
    received = participation.preferences(fair.session, producer).asks_received
    assert [(row.id, other.id) for row, other in received] == [(ask.id, buyer.id)]
    with pytest.raises(PermissionDenied):
        participation.answer_ask(user, ask, accept=True)  # the buyer can't answer its own ask
    participation.answer_ask(producer_user, ask, accept=True)
    assert (ask.kind, ask.status) == ("must", "accepted")
    with pytest.raises(ServiceError, match="already been answered"):
        participation.answer_ask(producer_user, ask, accept=False)
    for side in (buyer, producer):
        prefs = participation.preferences(fair.session, side)
        assert [row.id for row, _other in prefs.must] == [ask.id]
    again = participation.ask_for_meeting(user, fair.session, buyer, producer.id)
    assert (again.id, again.kind, again.status) == (ask.id, "must", "accepted"), "asking again is no error"


def test_a_declined_ask_stays_declined(db, fair):
    user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    ask = participation.ask_for_meeting(user, fair.session, buyer, producer.id)
    participation.answer_ask(producer_user, ask, accept=False)
    assert (ask.kind, ask.status) == ("ask", "declined")
    with pytest.raises(ServiceError, match="declined"):
        participation.ask_for_meeting(user, fair.session, buyer, producer.id)
    with pytest.raises(ServiceError, match="declined"):
        participation.set_preference(user, fair.session, buyer, producer.id, "must")
    sent = participation.preferences(fair.session, buyer).asks_sent
    assert [row.status for row, _other in sent] == ["declined"]


def test_only_buyers_ask_and_never_someone_who_blocked_them(db, fair):
    user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    with pytest.raises(PermissionDenied):
        participation.ask_for_meeting(producer_user, fair.session, producer, buyer.id)
    participation.set_preference(producer_user, fair.session, producer, buyer.id, "block")
    with pytest.raises(ServiceError, match="can't be requested"):
        participation.ask_for_meeting(user, fair.session, buyer, producer.id)
    with pytest.raises(PermissionDenied):
        participation.ask_for_meeting(fair.buyers[1][0], fair.session, buyer, fair.producers[1][1].id)


# ---------------------------------------------------------------- browsing


def test_a_buyer_browses_the_events_producers_by_category(db, fair, make_product):
    user, _buyer = fair.buyers[0]
    coffee_maker = fair.producers[1][1]
    make_product(organisation=coffee_maker.organisation, category="coffee", name_vi="Cà phê Sơn La")
    all_producers = participation.producers_of_event(user, fair.event)
    assert [item.registration.id for item in all_producers] == sorted(
        (p.id for _u, p in fair.producers),
        key=lambda rid: db.session.get(Registration, rid).organisation.name,
    )
    assert all(item.products for item in all_producers)
    coffee = participation.producers_of_event(user, fair.event, "coffee")
    # Producer 1 makes coffee too, but brings only its tea to this event.
    assert [item.registration.id for item in coffee] == []
    tea = participation.producers_of_event(user, fair.event, "tea")
    assert len(tea) == 2
    with pytest.raises(PermissionDenied):
        participation.producers_of_event(fair.producers[0][0], fair.event)
    with pytest.raises(PermissionDenied):
        participation.producers_of_event(fair.organiser, fair.event)


# ---------------------------------------------------------------- pages


def test_the_participation_page_saves_availability_and_marks(db, client, fair, html):
    user, buyer = fair.buyers[0]
    producer = fair.producers[0][1]
    _login(client, user)

    def ticked(page):
        boxes = page.select("form input[type=checkbox][name=slots]")
        assert len(boxes) == 14
        return [int(box["value"]) for box in boxes if box.has_attr("checked")]

    response = client.get(f"/my/events/{fair.event.slug}/matching")
    assert response.status_code == 200
    page = html(response)
    assert ticked(page) == list(range(14))  # all slots until the participant says otherwise
    assert text_of(page.find("label", attrs={"for": "slot-0"})) == "08:30–08:50"
    counterparts = [text_of(option) for option in page.select("select#counterpart option") if option["value"]]
    assert producer.organisation.name in counterparts
    response = client.post(f"/my/events/{fair.event.slug}/matching/availability", data={"slots": ["0", "2"]})
    assert response.status_code == 302
    assert participation.available_slots(fair.session, buyer) == {0, 2}
    client.post(
        f"/my/events/{fair.event.slug}/matching/preference",
        data={"counterpart": producer.id, "kind": "block"},
    )
    assert _row(db, fair, buyer, producer).kind == "block"
    assert ticked(html(client.get(f"/my/events/{fair.event.slug}/matching"))) == [0, 2]


def test_asks_go_through_the_pages(db, client, fair, html):
    user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    _login(client, user)
    listing = client.get(f"/my/events/{fair.event.slug}/producers?category=tea")
    assert listing.status_code == 200
    card = html(listing).select_one(f"[data-producer='{producer.id}']")
    assert text_of(card.find("h2")) == producer.organisation.name
    assert (
        client.post(f"/my/events/{fair.event.slug}/matching/ask", data={"producer": producer.id}).status_code
        == 302
    )
    ask = _row(db, fair, buyer, producer)
    assert ask.kind == "ask"
    assert client.post(f"/my/matching/asks/{ask.id}", data={"answer": "accept"}).status_code == 403
    client.post("/logout")
    _login(client, fair.producers[1][0])
    assert client.post(f"/my/matching/asks/{ask.id}", data={"answer": "accept"}).status_code == 403
    client.post("/logout")
    _login(client, producer_user)
    asked = html(client.get(f"/my/events/{fair.event.slug}/matching")).select_one(
        f"li[data-request='{ask.id}']"
    )
    assert text_of(asked.find("a")) == buyer.organisation.name  # who asked
    accept = asked.select_one("form button[name=answer][value=accept]")
    assert accept.find_parent("form")["action"] == f"/my/matching/asks/{ask.id}"
    assert client.post(f"/my/matching/asks/{ask.id}", data={"answer": "accept"}).status_code == 302
    db.session.expire_all()
    assert (_row(db, fair, buyer, producer).kind, _row(db, fair, buyer, producer).status) == (
        "must",
        "accepted",
    )
    assert client.get(f"/my/events/{fair.event.slug}/producers").status_code == 403, "producers don't browse"


def test_participation_pages_are_for_approved_participants_only(db, client, fair, make_user, make_buyer):
    slug = fair.event.slug
    gets = (f"/my/events/{slug}/matching", f"/my/events/{slug}/producers")
    posts = (
        (f"/my/events/{slug}/matching/availability", {"slots": ["0"]}),
        (f"/my/events/{slug}/matching/preference", {"counterpart": fair.producers[0][1].id, "kind": "must"}),
        (f"/my/events/{slug}/matching/ask", {"producer": fair.producers[0][1].id}),
    )
    for url in gets:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for url, data in posts:
        assert client.post(url, data=data).status_code == 302
    outsider = make_user(role="buyer", organisation=make_buyer())
    pending = make_user(role="buyer", organisation=make_buyer())
    db.session.add(
        Registration(
            event_id=fair.event.id, organisation_id=pending.organisation_id, role="buyer", status="pending"
        )
    )
    db.session.commit()
    for user in (fair.organiser, outsider, pending):
        _login(client, user)
        for url in gets:
            assert client.get(url).status_code == 403, (user.email, url)
        for url, data in posts:
            assert client.post(url, data=data).status_code == 403, (user.email, url)
        client.post("/logout")
    assert db.session.scalars(select(MatchRequest)).all() == []
    assert db.session.scalars(select(Availability)).all() == []


def test_approved_registrations_link_to_matchmaking_and_the_agenda(client, fair, html):
    user, _buyer = fair.buyers[0]
    _login(client, user)
    (row,) = html(client.get("/my/registrations")).select("main table tbody tr")
    links = {a["href"] for a in row.find_all("a")}
    assert {f"/my/events/{fair.event.slug}/matching", f"/my/events/{fair.event.slug}/agenda"} <= links


def test_a_session_less_event_says_matchmaking_is_not_set_up(
    db, client, make_event, make_user, make_buyer, make_producer, make_product, html
):
    fair = build_fair(
        db, make_event, make_user, make_buyer, make_producer, make_product, buyers=1, producers=1
    )
    db.session.delete(fair.session)
    db.session.commit()
    _login(client, fair.buyers[0][0])
    page = client.get(f"/my/events/{fair.event.slug}/matching?lang=en")
    assert page.status_code == 200
    notice = text_of(html(page).select_one("main > .alert:not(.alert-dismissible)"))  # not a flash
    assert notice == "The organiser has not set up matchmaking for this event yet."
    assert client.get(f"/my/events/{fair.event.slug}/agenda").status_code == 200
    assert client.post(f"/my/events/{fair.event.slug}/matching/availability").status_code == 404
