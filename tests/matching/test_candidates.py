"""The fast candidate scoring finds the same pairs, excludes the same ones and gives the same scores as
score_pair one pair at a time (the reference), on random profiles."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.matching.engine import candidates as fast
from app.matching.engine.scoring import (
    DEFAULT_WEIGHTS,
    BuyerProfile,
    Demand,
    Offer,
    ProducerProfile,
    score_pair,
)

LAST_DAY = date(2025, 10, 16)
CATEGORIES = ["tea", "honey", "coffee", "rice"]
UNITS = ["kg", "tonne", "box", "litre", None]
STANDARDS = ["vietgap", "organic", "haccp", "iso22000"]
PROVINCES = ["01", "22", "79", "24"]
UNIT_BASE = {"kg": ("kg", 1.0), "tonne": ("kg", 1000.0)}

amounts = st.one_of(
    st.none(),
    st.sampled_from([0, 1, 50, 200, 500, 1000, 3000, 12.35, 0.5]),
    st.floats(min_value=0.01, max_value=1e6, allow_nan=False, allow_infinity=False),
)
prices = st.one_of(st.none(), st.sampled_from([0, 50_000, 100_000, 250_000]), st.integers(1, 2_000_000))

demand_lines = st.builds(
    Demand,
    category=st.sampled_from(CATEGORIES),
    monthly_volume=amounts,
    unit=st.sampled_from(UNITS),
    required_standards=st.frozensets(st.sampled_from(STANDARDS), max_size=2),
    min_stars=st.integers(1, 5),
    preferred_provinces=st.frozensets(st.sampled_from(PROVINCES), max_size=2),
    price_ceiling=prices,
)
offers = st.builds(
    Offer,
    category=st.sampled_from(CATEGORIES),
    stars=st.integers(1, 5),
    certificate_expiry=st.one_of(st.none(), st.integers(-3, 3).map(lambda d: LAST_DAY + timedelta(days=d))),
    standards=st.frozensets(st.sampled_from(STANDARDS), max_size=3),
    capacity=amounts,
    capacity_unit=st.sampled_from(UNITS),
    price_min=prices,
    price_max=st.none(),
    price_unit=st.sampled_from(UNITS),
)


@st.composite
def events(draw):
    n_buyers = draw(st.integers(1, 5))
    n_producers = draw(st.integers(1, 6))
    buyers = []
    for i in range(n_buyers):
        lines = draw(st.lists(demand_lines, min_size=0, max_size=3))
        if lines and draw(st.booleans()):
            lines.append(lines[0])  # the same line twice: score_pair counts its matches twice
        buyers.append(BuyerProfile(f"b{i}", tuple(lines), draw(st.sampled_from(PROVINCES))))
    producers = [
        ProducerProfile(
            f"p{j}",
            tuple(draw(st.lists(offers, min_size=0, max_size=3))),
            draw(st.one_of(st.none(), st.sampled_from(PROVINCES))),
        )
        for j in range(n_producers)
    ]
    requests = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "buyer": st.sampled_from([b.id for b in buyers] + ["b-gone"]),
                    "producer": st.sampled_from([p.id for p in producers] + ["p-gone"]),
                    "kind": st.sampled_from(["ask", "must", "block"]),
                    "status": st.sampled_from(["open", "accepted", "declined"]),
                    "requested_by": st.sampled_from(["buyer", "producer"]),
                }
            ),
            max_size=6,
        )
    )
    weights = draw(
        st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {name: st.sampled_from([0.0, 0.05, 0.1, 0.25, 0.3, 1.0]) for name in DEFAULT_WEIGHTS}
            ),
        )
    )
    on = draw(st.sampled_from([LAST_DAY, None]))
    return buyers, producers, requests, weights, on


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events(), st.booleans())
def test_the_fast_path_finds_and_scores_the_pairs_as_score_pair_does(event, tiny_chunks):
    buyers, producers, requests, weights, on = event
    arguments = {"on": on, "requests": requests, "weights": weights, "unit_base": UNIT_BASE}
    reference = fast.candidate_scores_reference(buyers, producers, **arguments)
    # Tiny chunks and blocks walk the chunking paths a national event takes.
    cells = {"CHUNK_CELLS": 2, "BLOCK_CELLS": 3} if tiny_chunks else {}
    with mock.patch.multiple(fast, **cells) if cells else contextlib.nullcontext():
        found = fast.score_candidates(buyers, producers, **arguments)
    assert found.scores() == reference.scores()  # the same pairs, the same scores to the 4th decimal
    assert found.excluded == reference.excluded
    assert sum(found.excluded.values()) + len(found) == len(buyers) * len(producers)
    assert list(found.pairs()) == list(reference.pairs())  # sorted by buyer, then producer
    for buyer, producer, score in found.pairs():
        why = found.explain(buyer, producer)
        assert why.score == score
        # A pair kept only because someone asked for it says which filters it fails.
        alone = score_pair(found.profiles[buyer], found.profiles[producer], on=on, unit_base=UNIT_BASE)
        assert bool(why.outside_filters) == (not hasattr(alone, "score"))


def test_an_asked_pair_failing_the_filters_is_kept_and_a_blocked_one_counted():
    tea = Offer(category="tea", stars=3, standards=frozenset({"vietgap"}))
    buyer = BuyerProfile("b1", (Demand(category="tea", min_stars=5),))
    other = BuyerProfile("b2", (Demand(category="tea"),))
    producers = [ProducerProfile("p1", (tea,)), ProducerProfile("p2", (Offer(category="rice", stars=4),))]
    requests = [
        {"buyer": "b1", "producer": "p1", "kind": "must", "requested_by": "buyer"},
        {"buyer": "b1", "producer": "p2", "kind": "ask", "status": "open", "requested_by": "producer"},
        {"buyer": "b2", "producer": "p1", "kind": "block", "requested_by": "producer"},
    ]
    found = fast.score_candidates([buyer, other], producers, on=LAST_DAY, requests=requests)
    assert set(found.scores()) == {("b1", "p1"), ("b1", "p2")}
    assert found.explain("b1", "p1").outside_filters == ["stars"]
    assert found.explain("b1", "p2").outside_filters == ["category"]
    assert found.excluded == {"blocked": 1, "category": 1}
    assert found.degrees() == {"b1": 2, "b2": 0, "p1": 1, "p2": 1}


def test_more_standards_than_a_bit_mask_holds_fall_back_to_score_pair():
    many = frozenset(f"std{n}" for n in range(70))
    buyer = BuyerProfile("b1", (Demand(category="tea", required_standards=frozenset({"std3"})),))
    producers = [ProducerProfile("p1", (Offer(category="tea", stars=4, standards=many),))]
    found = fast.score_candidates([buyer], producers, on=LAST_DAY)
    assert found.scores() == {("b1", "p1"): score_pair(buyer, producers[0], on=LAST_DAY).score}
