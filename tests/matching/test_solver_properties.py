"""Properties of the solver on random small instances (hypothesis).

What an organiser relies on: every schedule obeys every rule of the spec; the
reported bound really bounds; without availability limits the selection is
the exact optimum and fits in Δ slots (König); must-meet requests are met
whenever they can be.
"""

from __future__ import annotations

import math

import networkx as nx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.matching.engine import read_instance, solve
from app.matching.engine.validate import check_schedule
from tests.matching.brute import best_bmatching, best_schedule_score
from tests.matching.strategies import instances

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TINY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(instances())
def test_every_schedule_obeys_every_rule_of_the_spec(instance):
    schedule = solve(instance)
    assert check_schedule(instance, schedule) == []


@FAST
@given(instances(), st.sampled_from([0.0, 0.05, 0.3]))
def test_the_objective_never_exceeds_the_upper_bound(instance, bonus):
    stats = solve(instance, fairness_bonus=bonus)["stats"]
    assert stats["objective"] <= stats["upper_bound"] + 1e-6


@TINY
@given(instances(max_buyers=3, max_producers=3, max_slots=3, max_pairs=6, caps=(0, 3)))
def test_the_upper_bound_is_at_least_the_best_valid_schedule(instance):
    """Checked against brute force over every subset and every slot assignment."""
    inst = read_instance(instance)
    stats = solve(instance)["stats"]
    assert stats["upper_bound"] >= best_schedule_score(inst) - 1e-6


@FAST
@given(instances(availability=False, requests=False, fixed=False, max_pairs=9))
def test_without_availability_limits_the_selection_is_exact_and_uses_delta_slots(instance):
    inst = read_instance(instance)
    schedule = solve(instance, fairness_bonus=0.0)
    stats = schedule["stats"]
    best = best_bmatching(inst, lambda pairs: sum(inst.pair_score[k] for k in pairs))
    assert math.isclose(stats["objective"], best, abs_tol=1e-6)
    assert math.isclose(stats["objective"], stats["upper_bound"], abs_tol=1e-6)
    assert stats["slots_used"] == stats["lower_bound_slots"]
    if inst.tables is None or stats["meetings"] <= stats["max_degree"] * inst.tables:
        assert stats["slots_used"] == stats["max_degree"]


@FAST
@given(
    instances(availability=False, requests=False, fixed=False, max_pairs=9), st.sampled_from([0.05, 0.2, 0.6])
)
def test_the_fairness_bonus_is_optimised_exactly(instance, bonus):
    """Score + bonus per person with a meeting is the brute-force optimum of that objective."""
    inst = read_instance(instance)
    schedule = solve(instance, fairness_bonus=bonus)

    def value(pairs):
        people = {inst.pair_buyer[k] for k in pairs} | {inst.pair_producer[k] for k in pairs}
        return sum(inst.pair_score[k] for k in pairs) + bonus * len(people)

    met = {(m["buyer"], m["producer"]) for m in schedule["meetings"]}
    people = {x for pair in met for x in pair}
    assert math.isclose(
        schedule["stats"]["objective"] + bonus * len(people), best_bmatching(inst, value), abs_tol=1e-6
    )


@FAST
@given(instances(availability=False, requests=False, fixed=False, tables=False, caps=(1, 1)))
def test_with_one_meeting_each_the_selection_equals_networkx_max_weight_matching(instance):
    inst = read_instance(instance)
    graph = nx.Graph()
    for pair in instance["pairs"]:
        graph.add_edge(pair["buyer"], pair["producer"], weight=pair["score"])
    matching = nx.max_weight_matching(graph)
    expected = sum(graph.edges[u, v]["weight"] for u, v in matching)
    objective = solve(instance, fairness_bonus=0.0)["stats"]["objective"]
    assert inst.n_slots >= 1
    assert math.isclose(objective, expected, abs_tol=1e-6)


@FAST
@given(instances(availability=False, fixed=False, max_pairs=9))
def test_as_many_must_requests_are_met_as_can_be_met_together(instance):
    inst = read_instance(instance)
    schedule = solve(instance)
    ids = inst.person_ids
    index = {(ids[b], ids[p]): k for (b, p), k in inst.pair_index.items()}
    must_pairs = [index[key] for key in inst.must if key in index and key not in inst.blocked]
    must_pairs = [
        k for k in must_pairs if inst.capacity(inst.pair_buyer[k]) and inst.capacity(inst.pair_producer[k])
    ]
    most = best_bmatching(inst, len, candidates=must_pairs)
    met = {(m["buyer"], m["producer"]) for m in schedule["meetings"]}
    assert sum(1 for key in inst.must if key in met) == most


@FAST
@given(instances(fixed=False))
def test_a_lone_feasible_must_request_is_always_met(instance):
    inst = read_instance(instance)
    musts = [key for key in inst.must if key not in inst.blocked]
    if len(musts) != 1:
        return
    schedule = solve(instance)
    number = {pid: v for v, pid in enumerate(inst.person_ids)}
    b, p = (number[x] for x in musts[0])
    feasible = (
        (b, p) in inst.pair_index
        and inst.capacity(b) > 0
        and inst.capacity(p) > 0
        and inst.available[b] & inst.available[p]
        and inst.tables != 0
    )
    met = {(m["buyer"], m["producer"]) for m in schedule["meetings"]}
    assert (musts[0] in met) == bool(feasible)
    if not feasible:
        assert [u["reason"] for u in schedule["unscheduled"] if (u["buyer"], u["producer"]) == musts[0]]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from([None, 3, 8]), st.floats(0.0, 1.0))
def test_generated_conferences_get_valid_schedules_close_to_the_bound(seed, tables, partial):
    from app.matching.engine.generator import generate_instance

    instance = generate_instance(
        n_buyers=12,
        n_producers=25,
        target_pairs=120,
        n_slots=6,
        tables=tables,
        seed=seed,
        partial_share=partial,
    )
    schedule = solve(instance)
    assert check_schedule(instance, schedule) == []
    stats = schedule["stats"]
    assert stats["objective"] <= stats["upper_bound"] + 1e-6


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from([None, 4, 10, 30]))
def test_koenig_without_availability_limits_every_chosen_meeting_fits_in_the_fewest_slots(seed, tables):
    """Δ ≤ slots and meetings ≤ slots × tables: all placed, in max(Δ, ceil(meetings / tables)) slots."""
    from app.matching.engine.generator import generate_instance

    instance = generate_instance(
        n_buyers=30,
        n_producers=50,
        target_pairs=400,
        n_slots=12,
        tables=tables,
        seed=seed,
        partial_share=0.0,
        fixed_share=0.0,
        must_share=0.0,
        buyer_max=(4, 12),
        producer_max=(2, 9),
    )
    instance["requests"] = [r for r in instance["requests"] if r["kind"] == "block"]
    schedule = solve(instance, fairness_bonus=0.0)
    stats = schedule["stats"]
    assert check_schedule(instance, schedule) == []
    assert math.isclose(stats["objective"], stats["upper_bound"], rel_tol=1e-9, abs_tol=1e-6)
    assert stats["slots_used"] == stats["lower_bound_slots"]
