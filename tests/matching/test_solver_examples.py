"""Small worked examples of what the solver promises, one rule each."""

from __future__ import annotations

import pytest

from app.matching.engine import solve
from app.matching.engine.validate import check_schedule


def instance(pairs, buyers, producers, slots=3, tables=None, requests=(), fixed=()):
    doc = {
        "format": "ocopfair.matching/1",
        "session": {"slots": [{"id": s} for s in range(slots)]},
        "buyers": [{"id": b, "max_meetings": cap, **extra} for b, cap, extra in _people(buyers)],
        "producers": [{"id": p, "max_meetings": cap, **extra} for p, cap, extra in _people(producers)],
        "pairs": [{"buyer": b, "producer": p, "score": s} for b, p, s in pairs],
        "requests": [{"buyer": b, "producer": p, "kind": k} for b, p, k in requests],
        "fixed": [{"buyer": b, "producer": p, "slot": s, "table": t} for b, p, s, t in fixed],
    }
    if tables is not None:
        doc["session"]["tables"] = tables
    return doc


def _people(spec):
    for item in spec:
        if len(item) == 2:
            yield item[0], item[1], {}
        else:
            yield item[0], item[1], {"available_slots": item[2]}


def met(schedule):
    return {(m["buyer"], m["producer"]) for m in schedule["meetings"]}


def solved(doc, **options):
    schedule = solve(doc, **options)
    assert check_schedule(doc, schedule) == []
    return schedule


FAIRNESS_CASE = dict(
    pairs=[("b1", "p1", 0.90), ("b2", "p1", 0.90), ("b2", "p2", 0.89)],
    buyers=[("b1", 1), ("b2", 1)],
    producers=[("p1", 2), ("p2", 1)],
)


def test_a_producer_is_not_left_out_when_a_small_loss_of_score_includes_it():
    schedule = solved(instance(**FAIRNESS_CASE))
    assert met(schedule) == {("b1", "p1"), ("b2", "p2")}
    assert schedule["stats"]["objective"] == pytest.approx(1.79)
    assert schedule["stats"]["upper_bound"] == pytest.approx(1.80)


def test_without_the_fairness_bonus_the_plain_best_score_is_taken():
    schedule = solved(instance(**FAIRNESS_CASE), fairness_bonus=0.0)
    assert met(schedule) == {("b1", "p1"), ("b2", "p1")}
    assert schedule["stats"]["objective"] == schedule["stats"]["upper_bound"] == pytest.approx(1.80)


def test_a_large_loss_of_score_is_not_taken_for_fairness():
    case = dict(FAIRNESS_CASE, pairs=[("b1", "p1", 0.90), ("b2", "p1", 0.90), ("b2", "p2", 0.30)])
    assert met(solved(instance(**case))) == {("b1", "p1"), ("b2", "p1")}


def test_a_must_request_outranks_any_score():
    doc = instance(
        pairs=[("b1", "p1", 1.0), ("b1", "p2", 0.05)],
        buyers=[("b1", 1)],
        producers=[("p1", 1), ("p2", 1)],
        requests=[("b1", "p2", "must")],
    )
    schedule = solved(doc)
    assert met(schedule) == {("b1", "p2")}
    assert schedule["unscheduled"] == []
    assert schedule["stats"]["upper_bound"] == pytest.approx(1.0)


def test_a_blocked_pair_never_meets_even_when_it_is_the_only_candidate():
    doc = instance(
        pairs=[("b1", "p1", 1.0)],
        buyers=[("b1", 3)],
        producers=[("p1", 3)],
        requests=[("b1", "p1", "block"), ("b1", "p1", "must")],
    )
    schedule = solved(doc)
    assert schedule["meetings"] == []
    assert "asked not to be matched" in schedule["unscheduled"][0]["reason"]


def test_fixed_meetings_stay_and_count_against_capacity():
    doc = instance(
        pairs=[("b1", "p1", 0.2), ("b1", "p2", 0.9), ("b2", "p2", 0.8)],
        buyers=[("b1", 1), ("b2", 1)],
        producers=[("p1", 1), ("p2", 1)],
        fixed=[("b1", "p1", 2, 7)],
    )
    schedule = solved(doc)
    assert {"buyer": "b1", "producer": "p1", "slot": 2, "table": 7, "score": 0.2} in schedule["meetings"]
    assert met(schedule) == {("b1", "p1"), ("b2", "p2")}


def test_complete_bipartite_meetings_fit_in_delta_slots():
    """K(4,4), everyone meets everyone: 16 meetings in exactly 4 slots (König), 4 tables."""
    buyers = [(f"b{i}", 4) for i in range(4)]
    producers = [(f"p{j}", 4) for j in range(4)]
    pairs = [(f"b{i}", f"p{j}", 0.5) for i in range(4) for j in range(4)]
    schedule = solved(instance(pairs, buyers, producers, slots=8, tables=4))
    stats = schedule["stats"]
    assert stats["meetings"] == 16
    assert stats["slots_used"] == stats["max_degree"] == stats["lower_bound_slots"] == 4
    assert stats["idle_gaps"] == 0


def test_when_tables_bind_the_meetings_spread_over_ceil_meetings_over_tables_slots():
    buyers = [(f"b{i}", 1) for i in range(6)]
    producers = [(f"p{i}", 1) for i in range(6)]
    pairs = [(f"b{i}", f"p{i}", 0.5) for i in range(6)]
    stats = solved(instance(pairs, buyers, producers, slots=5, tables=2))["stats"]
    assert stats["meetings"] == 6
    assert stats["slots_used"] == stats["lower_bound_slots"] == 3


def test_a_meeting_that_finds_no_slot_goes_back_to_selection_for_another_partner():
    """b1 and p1 both want slot 0, already taken by a fixed meeting: b1 meets p2 instead."""
    doc = instance(
        pairs=[("b1", "p1", 0.9), ("b1", "p2", 0.5), ("b2", "p1", 0.4)],
        buyers=[("b1", 1, [0]), ("b2", 1, [0])],
        producers=[("p1", 1, [0]), ("p2", 1, [0])],
        slots=2,
        fixed=[("b2", "p1", 0, 0)],
    )
    schedule = solved(doc)
    assert met(schedule) == {("b2", "p1"), ("b1", "p2")}


def test_unmet_must_requests_say_why():
    doc = instance(
        pairs=[("b1", "p1", 0.5), ("b2", "p2", 0.5), ("b3", "p3", 0.5)],
        buyers=[("b1", 1, [0]), ("b2", 0), ("b3", 1)],
        producers=[("p1", 1, [1]), ("p2", 1), ("p3", 1)],
        slots=2,
        tables=1,
        requests=[("b1", "p1", "must"), ("b2", "p2", "must"), ("b3", "p9", "must")],
        fixed=[],
    )
    doc["producers"].append({"id": "p9", "max_meetings": 1})
    reasons = {(u["buyer"], u["producer"]): u["reason"] for u in solved(doc)["unscheduled"]}
    assert "never available at the same time" in reasons[("b1", "p1")]
    assert "takes no meetings" in reasons[("b2", "p2")]
    assert "not a candidate pair" in reasons[("b3", "p9")]


def test_a_tiny_time_limit_still_gives_a_valid_schedule():
    from app.matching.engine.generator import generate_instance

    doc = generate_instance(n_buyers=60, n_producers=120, target_pairs=3_000, n_slots=10, tables=20, seed=5)
    schedule = solve(doc, time_limit=0.001)
    assert check_schedule(doc, schedule) == []  # caps, slots, tables and availability all hold
    assert schedule["stats"]["meetings"] == len(schedule["meetings"]) > 0
