"""Scoring: the hard filters keep only pairs that can do business, and the score says how well."""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from app.matching.engine.scoring import (
    DEFAULT_WEIGHTS,
    MIN_SCORE,
    BuyerProfile,
    Demand,
    Excluded,
    Offer,
    PairScore,
    ProducerProfile,
    candidate_graph,
    score_pair,
)
from app.matching.sessions.scoring import explain

LAST_DAY = date(2025, 10, 16)


def tea(**changes) -> Offer:
    values = {
        "category": "tea",
        "stars": 4,
        "certificate_expiry": date(2027, 1, 1),
        "standards": frozenset({"vietgap"}),
        "capacity": 1000,
        "capacity_unit": "kg",
        "price_min": 250_000,
        "price_max": 400_000,
        "price_unit": "kg",
    } | changes
    return Offer(**values)


def wants_tea(**changes) -> Demand:
    values = {"category": "tea", "monthly_volume": 500, "unit": "kg", "min_stars": 3} | changes
    return Demand(**values)


def buyer(*lines, bid="b1", province="01") -> BuyerProfile:
    return BuyerProfile(bid, tuple(lines or [wants_tea()]), province)


def producer(*offers, pid="p1", province="22") -> ProducerProfile:
    return ProducerProfile(pid, tuple(offers or [tea()]), province)


def test_a_matching_pair_scores_between_zero_and_one_with_every_term():
    result = score_pair(buyer(), producer(), on=LAST_DAY)
    assert isinstance(result, PairScore)
    assert 0 < result.score <= 1
    assert set(result.terms) == set(DEFAULT_WEIGHTS)
    assert all(0 <= term.value <= 1 for term in result.terms.values())
    assert result.categories == ["tea"]


@pytest.mark.parametrize(
    ("line", "offer", "reason"),
    [
        (wants_tea(), Offer(category="coffee", stars=5), "category"),
        (wants_tea(required_standards=frozenset({"organic"})), tea(), "standards"),
        (wants_tea(min_stars=5), tea(stars=4), "stars"),
        (wants_tea(), tea(certificate_expiry=date(2025, 10, 15)), "certificate"),
    ],
)
def test_a_pair_failing_a_hard_filter_is_no_candidate(line, offer, reason):
    result = score_pair(buyer(line), producer(offer), on=LAST_DAY)
    assert isinstance(result, Excluded)
    assert reason in result.reasons


def test_a_certificate_valid_on_the_last_day_passes():
    result = score_pair(buyer(), producer(tea(certificate_expiry=LAST_DAY)), on=LAST_DAY)
    assert isinstance(result, PairScore)


def test_a_blocked_pair_is_no_candidate_even_when_everything_fits():
    result = score_pair(buyer(), producer(), on=LAST_DAY, blocked=True)
    assert isinstance(result, Excluded) and result.reasons == ["blocked"]


def test_one_good_product_is_enough_when_another_fails():
    result = score_pair(buyer(), producer(tea(stars=2), tea(stars=5)), on=LAST_DAY)
    assert isinstance(result, PairScore)
    assert result.terms["stars"].value == 1.0


def test_a_household_that_cant_deliver_a_supermarkets_volume_scores_low():
    """200 kg a month: low for a supermarket's 5 tonnes, full for a restaurant's 50 kg."""
    household = producer(tea(capacity=200, capacity_unit="kg"))
    supermarket = buyer(wants_tea(monthly_volume=5, unit="tonne"), bid="b-super")
    restaurant = buyer(wants_tea(monthly_volume=50, unit="kg"), bid="b-resto")
    for_supermarket = score_pair(supermarket, household, on=LAST_DAY)
    for_restaurant = score_pair(restaurant, household, on=LAST_DAY)
    assert for_supermarket.terms["capacity"].value == pytest.approx(0.04)
    assert for_restaurant.terms["capacity"].value == 1.0
    assert for_supermarket.score < for_restaurant.score
    assert for_restaurant.score - for_supermarket.score == pytest.approx(
        0.96 * DEFAULT_WEIGHTS["capacity"], abs=1e-3
    )


def test_capacity_in_units_that_dont_compare_counts_as_average():
    result = score_pair(buyer(wants_tea(unit="box")), producer(tea(capacity_unit="kg")), on=LAST_DAY)
    assert result.terms["capacity"].value == 0.5


def test_province_preference_and_mutual_interest_raise_the_score():
    line = wants_tea(preferred_provinces=frozenset({"22"}))
    near = score_pair(buyer(line), producer(province="22"), on=LAST_DAY)
    far = score_pair(buyer(line), producer(province="79"), on=LAST_DAY)
    asked = score_pair(buyer(line), producer(province="22"), on=LAST_DAY, interest="both")
    assert far.score < near.score < asked.score
    assert asked.terms["mutual"].value == 1.0


def test_weights_change_the_score_and_it_stays_in_range():
    pair = (buyer(wants_tea(preferred_provinces=frozenset({"79"}))), producer(tea(capacity=300)))
    even = score_pair(*pair, on=LAST_DAY)
    raw = sum(DEFAULT_WEIGHTS[name] * term.value for name, term in even.terms.items())
    assert even.score == pytest.approx(raw / sum(DEFAULT_WEIGHTS.values()), abs=1e-4)
    # With all the weight on one term the score is that term's value: weights decide the score.
    for name in ("category", "capacity", "province"):
        only = {term: 0.0 for term in DEFAULT_WEIGHTS} | {name: 1.0}
        alone = score_pair(*pair, on=LAST_DAY, weights=only)
        assert alone.score == pytest.approx(max(MIN_SCORE, even.terms[name].value), abs=1e-4)
    scores = {
        name: score_pair(*pair, on=LAST_DAY, weights={t: 0.0 for t in DEFAULT_WEIGHTS} | {name: 1.0}).score
        for name in ("category", "province")
    }
    assert scores["category"] > scores["province"], "the buyer prefers another province"
    # ...and it stays in (0, 1]: a tiny producer for a huge demand is floored, never 0.
    only_capacity = {name: 0.0 for name in DEFAULT_WEIGHTS} | {"capacity": 1.0}
    tiny = producer(tea(capacity=1))
    result = score_pair(
        buyer(wants_tea(monthly_volume=100, unit="tonne")), tiny, on=LAST_DAY, weights=only_capacity
    )
    assert result.score == MIN_SCORE


def test_the_explanation_names_every_term_in_plain_words(app):
    household = producer(tea(capacity=200))
    result = score_pair(buyer(wants_tea(monthly_volume=5, unit="tonne")), household, on=LAST_DAY)
    with app.test_request_context("/?lang=en"):
        lines = explain(result.breakdown())
    text = "\n".join(lines)
    for name in (
        "Category fit",
        "Supply capacity",
        "Standards",
        "OCOP stars",
        "Province",
        "Mutual interest",
        "Price",
    ):
        assert name in text
    assert "4% of the buyer's monthly volume of Tea (200 kg a month for 5,000 kg)" in text


def test_the_candidate_graph_is_bipartite_and_its_edges_hold_only_the_score():
    buyers = [buyer(bid="b1"), buyer(wants_tea(min_stars=5), bid="b2")]
    producers = [producer(pid="p1"), producer(Offer(category="honey", stars=5), pid="p2")]
    graph = candidate_graph(
        buyers,
        producers,
        on=LAST_DAY,
        requests=[{"buyer": "b2", "producer": "p2", "kind": "block", "requested_by": "buyer"}],
    )
    assert nx.is_bipartite(graph)
    assert {n for n, d in graph.nodes(data=True) if d["bipartite"] == 0} == {"b1", "b2"}
    assert list(graph.edges) == [("b1", "p1")]
    assert graph.edges["b1", "p1"] == {"score": score_pair(buyers[0], producers[0], on=LAST_DAY).score}
    assert graph.graph["excluded"] == {"category": 2, "stars": 1}  # 4 pairs, 1 candidate
    # The explanation is score_pair again, asked for one pair; none for a pair that is no candidate.
    explained = graph.graph["candidates"].explain("b1", "p1")
    assert explained.breakdown() == score_pair(buyers[0], producers[0], on=LAST_DAY).breakdown()
    assert graph.graph["candidates"].explain("b2", "p1") is None


def test_a_pair_someone_asked_for_is_kept_despite_the_filters_but_not_a_block():
    requests = [{"buyer": "b1", "producer": "p1", "kind": "must", "requested_by": "buyer"}]
    graph = candidate_graph([buyer(wants_tea(min_stars=5))], [producer()], on=LAST_DAY, requests=requests)
    result = graph.graph["candidates"].explain("b1", "p1")
    assert graph.edges["b1", "p1"]["score"] == result.score
    assert result.outside_filters == ["stars"]
    assert result.terms["mutual"].value == 0.5
    accepted = [
        {"buyer": "b1", "producer": "p1", "kind": "ask", "status": "accepted", "requested_by": "buyer"}
    ]
    graph = candidate_graph([buyer()], [producer()], on=LAST_DAY, requests=accepted)
    assert graph.graph["candidates"].explain("b1", "p1").terms["mutual"].value == 1.0
    # the participants' pages store an accepted ask as an accepted "must": still both sides
    stored = [{**accepted[0], "kind": "must"}]
    graph = candidate_graph([buyer()], [producer()], on=LAST_DAY, requests=stored)
    assert graph.graph["candidates"].explain("b1", "p1").terms["mutual"].value == 1.0
    declined = [
        {"buyer": "b1", "producer": "p1", "kind": "ask", "status": "declined", "requested_by": "buyer"}
    ]
    assert candidate_graph([buyer()], [producer()], on=LAST_DAY, requests=declined).number_of_edges() == 0


def test_french_explanations_put_a_non_breaking_space_before_the_colon(app):
    result = score_pair(buyer(wants_tea(monthly_volume=5, unit="tonne")), producer(tea()), on=LAST_DAY)
    with app.test_request_context("/?lang=fr"):
        french = explain(result.breakdown())
    with app.test_request_context("/?lang=en"):
        english = explain(result.breakdown())
    # The colon after the term's name: "Affinité de catégorie : ...", not "Affinité de catégorie: ...".
    assert french and all(line[line.index(":") - 1] == "\u00a0" for line in french), french
    assert all(": " in line and "\u00a0" not in line for line in english)
