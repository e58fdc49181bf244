"""Both sides of a buyer–producer pair see where it stands, and wanting what the other side
already wants joins it (mutual interest) instead of failing."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.extensions import db as _db
from app.matching.models import MatchRequest
from app.matching.participation import services as participation
from tests.conftest import text_of
from tests.matching.test_agenda import build_fair
from tests.pages import flashes


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(
        db, make_event, make_user, make_buyer, make_producer, make_product, buyers=3, producers=3
    )


def _login(client, user):
    client.post("/logout")
    assert (
        client.post("/login", data={"email": user.email, "password": "correct horse 42"}).status_code == 302
    )


def _row(fair, buyer, producer):
    return _db.session.scalar(
        select(MatchRequest).where(
            MatchRequest.session_id == fair.session.id,
            MatchRequest.buyer_registration_id == buyer.id,
            MatchRequest.producer_registration_id == producer.id,
        )
    )


def _statements(work) -> tuple[object, int]:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa_event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        result = work()
    finally:
        sa_event.remove(_db.engine, "before_cursor_execute", counted)
    return result, count


def _badge(card):
    """(state, whose, text) of the pair badge on a card; None when the card shows none."""
    badge = card.select_one("[data-pair-state]")
    return None if badge is None else (badge["data-pair-state"], badge["data-pair-by"], text_of(badge))


def _producer_card(client, html, fair, producer):
    page = html(client.get(f"/my/events/{fair.event.slug}/producers?lang=en"))
    return page.select_one(f"[data-producer='{producer.id}']")


def _buyer_card(client, html, fair, buyer):
    page = html(client.get(f"/my/events/{fair.event.slug}/matching?lang=en"))
    return page.select_one(f"[data-buyer='{buyer.id}']")


# ---------------------------------------------------------------- the defect: an ask on a must


def test_asking_a_producer_that_marked_you_must_meet_makes_it_mutual_not_an_error(db, client, fair, html):
    buyer_user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    participation.set_preference(producer_user, fair.session, producer, buyer.id, "must")
    db.session.commit()

    _login(client, buyer_user)
    card = _producer_card(client, html, fair, producer)
    assert _badge(card) == ("must", "them", "Wants to meet you (must meet)"), (
        "the buyer sees the producer's wish"
    )
    ask_button = card.select_one("form[action$='/matching/ask'] button")
    assert not ask_button.has_attr("disabled"), "asking stays possible, and joins the producer's wish"
    response = client.post(
        f"/my/events/{fair.event.slug}/matching/ask?lang=en", data={"producer": producer.id}
    )
    assert response.status_code == 302
    page = html(client.get(response.headers["Location"]))
    assert flashes(page) == [
        "The producer had already marked you as must meet: you both want this meeting, "
        "and it will be scheduled if at all possible."
    ]
    assert not page.select("main > .alert-danger")
    assert _badge(page.select_one(f"[data-producer='{producer.id}']"))[0] == "mutual"
    db.session.expire_all()
    row = _row(fair, buyer, producer)
    assert (row.kind, row.status, row.requested_by) == ("must", "accepted", "producer")

    buyer_page = html(client.get(f"/my/events/{fair.event.slug}/matching?lang=en"))
    must_list = buyer_page.select_one(f"li[data-pair='{producer.id}']")
    assert must_list is not None and _badge(must_list)[:2] == ("mutual", "me"), "in the buyer's list"

    _login(client, producer_user)
    producer_page = html(client.get(f"/my/events/{fair.event.slug}/matching?lang=en"))
    assert _badge(producer_page.select_one(f"[data-buyer='{buyer.id}']"))[:2] == ("mutual", "them")
    assert _badge(producer_page.select_one(f"li[data-pair='{buyer.id}']"))[0] == "mutual", "in its list"


# ---------------------------------------------------------------- each state on both sides


def _ask(fair, buyer_user, buyer, producer_user, producer):
    participation.ask_for_meeting(buyer_user, fair.session, buyer, producer.id)


def _accepted(fair, buyer_user, buyer, producer_user, producer):
    row = participation.ask_for_meeting(buyer_user, fair.session, buyer, producer.id)
    participation.answer_ask(producer_user, row, accept=True)


def _declined(fair, buyer_user, buyer, producer_user, producer):
    row = participation.ask_for_meeting(buyer_user, fair.session, buyer, producer.id)
    participation.answer_ask(producer_user, row, accept=False)


def _buyer_must(fair, buyer_user, buyer, producer_user, producer):
    participation.set_preference(buyer_user, fair.session, buyer, producer.id, "must")


def _producer_must(fair, buyer_user, buyer, producer_user, producer):
    participation.set_preference(producer_user, fair.session, producer, buyer.id, "must")


def _both_must(fair, buyer_user, buyer, producer_user, producer):
    _buyer_must(fair, buyer_user, buyer, producer_user, producer)
    _producer_must(fair, buyer_user, buyer, producer_user, producer)


def _buyer_block(fair, buyer_user, buyer, producer_user, producer):
    participation.set_preference(buyer_user, fair.session, buyer, producer.id, "block")


def _producer_block(fair, buyer_user, buyer, producer_user, producer):
    participation.set_preference(producer_user, fair.session, producer, buyer.id, "block")


@pytest.mark.parametrize(
    ("setup", "buyer_sees", "producer_sees"),
    [
        (_ask, ("asked", "me", "You asked for a meeting"), ("asked", "them", "Asked you for a meeting")),
        (
            _accepted,
            ("accepted", "me", "Accepted by the producer"),
            ("accepted", "them", "You accepted"),
        ),
        (
            _declined,
            ("declined", "me", "Declined by the producer"),
            ("declined", "them", "You declined"),
        ),
        (
            _buyer_must,
            ("must", "me", "You: must meet"),
            ("must", "them", "Wants to meet you (must meet)"),
        ),
        (
            _producer_must,
            ("must", "them", "Wants to meet you (must meet)"),
            ("must", "me", "You: must meet"),
        ),
        (_both_must, ("mutual", "me", "Mutual interest"), ("mutual", "them", "Mutual interest")),
        (_buyer_block, ("block", "me", "You: don't match"), None),
        (_producer_block, None, ("block", "me", "You: don't match")),
    ],
    ids=[
        "asked",
        "accepted",
        "declined",
        "buyer-must",
        "producer-must",
        "mutual",
        "buyer-block",
        "producer-block",
    ],
)
def test_each_pair_state_shows_on_the_producer_card_and_the_buyer_card(
    db, client, fair, html, setup, buyer_sees, producer_sees
):
    buyer_user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    setup(fair, buyer_user, buyer, producer_user, producer)
    db.session.commit()

    _login(client, buyer_user)
    assert _badge(_producer_card(client, html, fair, producer)) == buyer_sees
    assert _badge(_producer_card(client, html, fair, fair.producers[1][1])) is None, "other pairs untouched"

    _login(client, producer_user)
    card = _buyer_card(client, html, fair, buyer)
    assert _badge(card) == producer_sees
    assert _badge(_buyer_card(client, html, fair, fair.buyers[1][1])) is None
    answer = card.select_one("button[name=answer][value=accept]")
    if buyer_sees and buyer_sees[0] == "asked":
        assert answer.find_parent("form")["action"] == f"/my/matching/asks/{_row(fair, buyer, producer).id}"
    else:
        assert answer is None, "only an open ask is answered"


def test_the_producers_answer_from_a_buyer_card_reaches_the_buyers_card(db, client, fair, html):
    buyer_user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    _ask(fair, buyer_user, buyer, producer_user, producer)
    db.session.commit()
    _login(client, producer_user)
    action = (
        _buyer_card(client, html, fair, buyer).select_one("button[name=answer]").find_parent("form")["action"]
    )
    assert client.post(action, data={"answer": "accept"}).status_code == 302
    assert _badge(_buyer_card(client, html, fair, buyer))[0] == "accepted"
    _login(client, buyer_user)
    card = _producer_card(client, html, fair, producer)
    assert _badge(card)[0] == "accepted"
    assert card.select_one("form[action$='/matching/ask'] button").has_attr("disabled"), "nothing left to ask"


# ---------------------------------------------------------------- merges


def test_a_must_on_what_the_other_side_wants_joins_it(db, fair):
    (b0_user, b0), (b1_user, b1), (b2_user, b2) = fair.buyers
    (p0_user, p0), (p1_user, p1), _ = fair.producers

    participation.set_preference(b0_user, fair.session, b0, p0.id, "must")
    participation.set_preference(p0_user, fair.session, p0, b0.id, "must")
    assert participation.pair_states(fair.session, b0)[p0.id].code == "mutual"
    assert participation.pair_states(fair.session, p0)[b0.id].code == "mutual"

    participation.ask_for_meeting(b1_user, fair.session, b1, p0.id)
    participation.set_preference(p0_user, fair.session, p0, b1.id, "must")  # accepts the ask
    assert (_row(fair, b1, p0).kind, _row(fair, b1, p0).status) == ("must", "accepted")
    assert participation.pair_states(fair.session, b1)[p0.id].code == "accepted"

    declined = participation.ask_for_meeting(b2_user, fair.session, b2, p1.id)
    participation.answer_ask(p1_user, declined, accept=False)
    participation.set_preference(p1_user, fair.session, p1, b2.id, "must")  # the producer changes its mind
    assert participation.pair_states(fair.session, b2)[p1.id].code == "accepted"


@pytest.mark.parametrize("leaving", ["buyer", "producer"])
def test_leaving_a_mutual_pair_keeps_the_other_sides_must(db, fair, leaving):
    buyer_user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    _producer_must(fair, buyer_user, buyer, producer_user, producer)
    participation.ask_for_meeting(buyer_user, fair.session, buyer, producer.id)
    if leaving == "buyer":
        participation.set_preference(buyer_user, fair.session, buyer, producer.id, None)
    else:
        participation.set_preference(producer_user, fair.session, producer, buyer.id, None)
    row = _row(fair, buyer, producer)
    staying = "producer" if leaving == "buyer" else "buyer"
    assert (row.kind, row.status, row.requested_by) == ("must", "open", staying)


def test_the_organisers_instance_reads_a_mutual_pair_as_wanted_by_both(db, fair):
    from app.matching.engine.scoring import interest_of

    buyer_user, buyer = fair.buyers[0]
    producer_user, producer = fair.producers[0]
    _producer_must(fair, buyer_user, buyer, producer_user, producer)
    row = participation.ask_for_meeting(buyer_user, fair.session, buyer, producer.id)
    interest, blocked = interest_of(
        [
            {
                "buyer": "b",
                "producer": "p",
                "kind": row.kind,
                "status": row.status,
                "requested_by": row.requested_by,
            }
        ]
    )
    assert interest == {("b", "p"): "both"} and blocked == set()


# ---------------------------------------------------------------- constant queries


def test_pair_states_load_in_one_statement_however_many_pairs(db, fair):
    buyer_user, buyer = fair.buyers[0]
    (_p0_user, p0), (p1_user, p1), (_p2_user, p2) = fair.producers
    participation.ask_for_meeting(buyer_user, fair.session, buyer, p0.id)
    db.session.commit()
    db.session.expire_all()
    assert (fair.session.id, buyer.role) == (fair.session.id, "buyer")  # the arguments loaded, not counted
    one, statements_one = _statements(lambda: participation.pair_states(fair.session, buyer))
    assert list(one) == [p0.id]
    participation.set_preference(p1_user, fair.session, p1, buyer.id, "must")
    participation.set_preference(buyer_user, fair.session, buyer, p2.id, "block")
    db.session.commit()
    db.session.expire_all()
    assert (fair.session.id, buyer.role) == (fair.session.id, "buyer")
    three, statements_three = _statements(lambda: participation.pair_states(fair.session, buyer))
    assert sorted(three) == sorted([p0.id, p1.id, p2.id])
    assert statements_three == statements_one == 1
    _, reading = _statements(
        lambda: [(state.other.organisation.name, state.row.kind) for state in three.values()]
    )
    assert reading == 0, "the counterpart and its organisation come with the states"


@pytest.mark.parametrize("side", ["buyer", "producer"])
def test_a_page_of_cards_costs_the_same_statements_with_no_pair_or_every_pair(db, client, fair, side):
    buyers, producers = fair.buyers, fair.producers
    viewer_user, viewer = (buyers if side == "buyer" else producers)[0]
    url = f"/my/events/{fair.event.slug}/{'producers' if side == 'buyer' else 'matching'}"
    _login(client, viewer_user)
    client.get(url)  # warm: templates compiled, caches filled

    response, before = _statements(lambda: client.get(url))
    assert response.status_code == 200
    setups = (_ask, _producer_must, _buyer_must) if side == "buyer" else (_ask, _buyer_must, _both_must)
    for (other_user, other), setup in zip(producers if side == "buyer" else buyers, setups, strict=True):
        if side == "buyer":
            setup(fair, viewer_user, viewer, other_user, other)
        else:
            setup(fair, other_user, other, viewer_user, viewer)
    db.session.commit()
    response, after = _statements(lambda: client.get(url))
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("data-pair-state=") >= 3
    assert after == before
