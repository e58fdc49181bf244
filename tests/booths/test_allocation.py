"""The allocation engine alone (no database): hard rules, exact optimality, reasons, the baseline."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.booths.allocation.engine import (
    BoothSpec,
    RequestSpec,
    Weights,
    ZoneRuleSpec,
    adjacent,
    allocate,
    evaluate,
    greedy_first_preference,
    linear_value,
    meets_zones,
    requirements,
)

LINEAR_ONLY = Weights(competitor=0, near=0, away=0)


def row(n, type_id=1, hall=1, y=0.0, start_id=1, tags=frozenset(), width=3.0):
    """n booths side by side in one row."""
    return [
        BoothSpec(
            id=start_id + k,
            type_id=type_id,
            hall=hall,
            x=k * width,
            y=y,
            w=width,
            d=3.0,
            tags=frozenset(tags),
            code=f"A-{start_id + k}",
        )
        for k in range(n)
    ]


def hard_rules_hold(booths, requests, rules, result):
    by_id = {b.id: b for b in booths}
    used = list(result.assignment.values())
    assert len(used) == len(set(used)), "a booth was given twice"
    for request in requests:
        booth_id = result.assignment.get(request.id)
        if booth_id is None:
            assert request.id in result.unplaced
            continue
        booth = by_id[booth_id]
        assert booth.type_id == request.type_id
        assert meets_zones(booth.tags, requirements(request, rules))
        assert not booth.blocked and not booth.taken
        assert request.id not in result.unplaced


def brute_force_best(booths, requests, rules, weights):
    """The best linear value over every assignment that keeps the hard rules."""
    options = []
    for request in requests:
        clauses = requirements(request, rules)
        fitting = [
            b.id
            for b in booths
            if b.type_id == request.type_id and not b.blocked and not b.taken and meets_zones(b.tags, clauses)
        ]
        options.append([None, *fitting])
    best = None
    for combo in itertools.product(*options):
        chosen = [c for c in combo if c is not None]
        if len(chosen) != len(set(chosen)):
            continue
        assignment = {r.id: c for r, c in zip(requests, combo, strict=True) if c is not None}
        value = linear_value(booths, requests, weights, assignment)
        if best is None or value > best:
            best = value
    return best


# ---------------------------------------------------------------- random small instances

TAGS = ["food", "premium", "province:20"]


@st.composite
def instances(draw):
    n_booths = draw(st.integers(1, 6))
    booths = []
    for k in range(n_booths):
        booths.append(
            BoothSpec(
                id=k + 1,
                type_id=draw(st.integers(1, 2)),
                hall=draw(st.integers(1, 2)),
                x=3.0 * draw(st.integers(0, 3)) + 0.01 * k,
                y=4.0 * k,
                tags=frozenset(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
                blocked=draw(st.booleans()) and draw(st.booleans()),
                taken=draw(st.booleans()) and draw(st.booleans()),
            )
        )
    n_requests = draw(st.integers(1, 5))
    requests = []
    for k in range(n_requests):
        prefs = draw(
            st.lists(st.one_of(st.integers(1, n_booths), st.sampled_from(TAGS)), max_size=3, unique=True)
        )
        requests.append(
            RequestSpec(
                id=100 + k,
                org=1000 + k,
                type_id=draw(st.integers(1, 2)),
                order=draw(st.integers(0, 3)),
                stars=draw(st.integers(3, 5)),
                categories=frozenset([draw(st.sampled_from(["tea", "honey"]))]),
                groups=frozenset([draw(st.sampled_from(["food", "beverages"]))]),
                province=draw(st.sampled_from(["20", "22"])),
                preferences=tuple(prefs),
                near=frozenset(draw(st.lists(st.integers(1000, 1000 + n_requests - 1), max_size=1))),
            )
        )
    rules = draw(
        st.lists(
            st.sampled_from(
                [
                    ZoneRuleSpec("group", "food", "food"),
                    ZoneRuleSpec("province", "20", "province:20"),
                    ZoneRuleSpec("category", "honey", "premium"),
                ]
            ),
            max_size=2,
            unique=True,
        )
    )
    place = draw(st.sampled_from([None, 50, 1000]))
    return booths, requests, rules, place


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_the_allocation_is_the_exact_linear_optimum_found_by_brute_force(instance):
    booths, requests, rules, place = instance
    weights = Weights(place=place, competitor=0, near=0, away=0)
    result = allocate(booths, requests, rules, weights)
    hard_rules_hold(booths, requests, rules, result)
    assert result.stats.linear == brute_force_best(booths, requests, rules, weights)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_with_pairwise_goals_hard_rules_hold_and_the_total_only_improves(instance):
    booths, requests, rules, place = instance
    weights = Weights(place=place)
    result = allocate(booths, requests, rules, weights)
    hard_rules_hold(booths, requests, rules, result)
    linear_only = allocate(booths, requests, rules, replace_improve(weights))
    # The improvement pass never places fewer and never lowers the combined score.
    assert result.stats.placed == linear_only.stats.placed
    assert result.stats.total >= linear_only.stats.total


def replace_improve(weights):
    from dataclasses import replace

    return replace(weights, improve=False)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_greedy_never_beats_the_optimum_on_the_linear_objective(instance):
    booths, requests, rules, place = instance
    weights = Weights(place=place, competitor=0, near=0, away=0)
    optimal = allocate(booths, requests, rules, weights)
    greedy = greedy_first_preference(booths, requests, rules, weights)
    hard_rules_hold(booths, requests, rules, greedy)
    assert greedy.stats.linear <= optimal.stats.linear


# ---------------------------------------------------------------- stated behaviour


def test_rank_one_wishes_are_honoured_when_they_do_not_collide():
    booths = row(4)
    requests = [
        RequestSpec(id=1, org=11, type_id=1, preferences=(3, 1)),
        RequestSpec(id=2, org=12, type_id=1, preferences=(1,)),
    ]
    result = allocate(booths, requests, weights=LINEAR_ONLY)
    assert result.assignment == {1: 3, 2: 1}
    assert result.got_rank == {1: 1, 2: 1}


def test_two_wishes_for_one_booth_the_one_with_more_stars_wins_then_the_earlier():
    booths = row(3)
    more_stars_later = RequestSpec(id=1, org=11, type_id=1, order=2, stars=5, preferences=(2,))
    fewer_stars_earlier = RequestSpec(id=2, org=12, type_id=1, order=1, stars=4, preferences=(2,))
    result = allocate(booths, [more_stars_later, fewer_stars_earlier], weights=LINEAR_ONLY)
    assert result.assignment[1] == 2
    assert result.got_rank == {1: 1, 2: None}

    same_stars = [
        RequestSpec(id=1, org=11, type_id=1, order=5, stars=4, preferences=(2,)),
        RequestSpec(id=2, org=12, type_id=1, order=1, stars=4, preferences=(2,)),
    ]
    assert allocate(booths, same_stars, weights=LINEAR_ONLY).assignment[2] == 2
    time_first = Weights(competitor=0, near=0, away=0, tie_order="time")
    assert allocate(booths, [more_stars_later, fewer_stars_earlier], weights=time_first).assignment[2] == 2


def test_the_optimum_gives_rank_one_to_both_where_greedy_gives_it_to_one():
    # A (earlier) likes booth 1 then 2; B likes only booth 1, but 2 is as good for A's second choice.
    booths = row(2)
    requests = [
        RequestSpec(id=1, org=11, type_id=1, order=1, preferences=("premium", 1)),
        RequestSpec(id=2, org=12, type_id=1, order=2, preferences=(1,)),
    ]
    booths[1] = BoothSpec(**{**booths[1].__dict__, "tags": frozenset({"premium"})})
    optimal = allocate(booths, requests, weights=LINEAR_ONLY)
    greedy = greedy_first_preference(booths, requests, weights=LINEAR_ONLY)
    assert optimal.got_rank == {1: 1, 2: 1}
    assert optimal.stats.preference_score > greedy.stats.preference_score or greedy.got_rank == {1: 1, 2: 1}


def test_placing_everyone_comes_before_preferences():
    # Booth 1 is the only one in the food zone: the food producer must get it, the other goes elsewhere.
    booths = row(2)
    booths[0] = BoothSpec(**{**booths[0].__dict__, "tags": frozenset({"food"})})
    rules = [ZoneRuleSpec("group", "food", "food")]
    requests = [
        RequestSpec(
            id=1, org=11, type_id=1, order=1, stars=5, groups=frozenset({"beverages"}), preferences=(1,)
        ),
        RequestSpec(id=2, org=12, type_id=1, order=2, stars=3, groups=frozenset({"food"})),
    ]
    result = allocate(booths, requests, rules, LINEAR_ONLY)
    assert result.assignment == {1: 2, 2: 1}


def test_zone_rules_of_different_kinds_all_apply_and_of_one_kind_any_applies():
    rules = [
        ZoneRuleSpec("group", "food", "food"),
        ZoneRuleSpec("group", "beverages", "drinks"),
        ZoneRuleSpec("province", "20", "province:20"),
    ]
    both_groups = RequestSpec(id=1, org=1, type_id=1, groups=frozenset({"food", "beverages"}), province="20")
    clauses = requirements(both_groups, rules)
    assert meets_zones(frozenset({"drinks", "province:20"}), clauses)
    assert meets_zones(frozenset({"food", "province:20"}), clauses)
    assert not meets_zones(frozenset({"food"}), clauses)
    assert requirements(RequestSpec(id=2, org=2, type_id=1, province="22"), rules) == ()


def test_each_unplaced_request_says_why():
    booths = [
        *row(1, type_id=1, start_id=1, tags={"food"}),
        *row(1, type_id=2, start_id=2, y=10),
        BoothSpec(id=3, type_id=3, x=20, blocked=True),
        BoothSpec(id=4, type_id=4, x=30, taken=True),
        BoothSpec(id=5, type_id=5, x=40),
    ]
    rules = [ZoneRuleSpec("province", "20", "province:20")]
    requests = [
        RequestSpec(id=1, org=1, type_id=9),  # no such type
        RequestSpec(id=2, org=2, type_id=2, province="20"),  # no type-2 booth in the province zone
        RequestSpec(id=3, org=3, type_id=3),  # the only one is blocked
        RequestSpec(id=4, org=4, type_id=4),  # the only one is taken
        RequestSpec(id=5, org=5, type_id=5, stars=5),
        RequestSpec(id=6, org=6, type_id=5, stars=3),  # booth 5 went to request 5
    ]
    result = allocate(booths, requests, rules, LINEAR_ONLY)
    codes = {rid: reason.code for rid, reason in result.unplaced.items()}
    assert codes == {1: "no_type", 2: "no_zone", 3: "blocked", 4: "taken", 6: "outcompeted"}
    assert result.unplaced[2].text("Double 3×6") == "no booth of type Double 3×6 in zone 'province:20'"
    assert result.assignment == {5: 5}
    assert result.stats.placed == 1 and result.stats.unplaced == 5


def test_competitors_are_not_put_side_by_side_when_another_booth_is_as_good():
    booths = row(4)  # 1 2 3 4 in a row: 1 and 3 are not adjacent
    requests = [
        RequestSpec(id=1, org=11, type_id=1, categories=frozenset({"tea"})),
        RequestSpec(id=2, org=12, type_id=1, categories=frozenset({"tea"})),
    ]
    result = allocate(booths, requests)
    by_id = {b.id: b for b in booths}
    a, b = (by_id[result.assignment[r]] for r in (1, 2))
    assert not adjacent(a, b)
    assert result.stats.competitor_pairs == 0


def test_a_near_wish_is_honoured_when_it_costs_no_preference():
    booths = row(2) + row(2, start_id=3, y=30)  # two rows 27 m apart
    requests = [
        RequestSpec(id=1, org=11, type_id=1, stars=5, preferences=(1,)),
        RequestSpec(id=2, org=12, type_id=1, near=frozenset({11})),
    ]
    result = allocate(booths, requests)
    assert result.assignment[1] == 1
    assert result.assignment[2] == 2
    assert result.stats.near_met == 1 == result.stats.near_wished


def test_a_near_wish_does_not_take_a_first_choice_away():
    booths = row(2) + row(2, start_id=3, y=30)
    requests = [
        RequestSpec(id=1, org=11, type_id=1, stars=5, preferences=(1,)),
        RequestSpec(id=2, org=12, type_id=1, preferences=(4,), near=frozenset({11})),
    ]
    result = allocate(booths, requests)
    assert result.assignment == {1: 1, 2: 4}


def test_greedy_baseline_serves_requests_in_time_order():
    booths = row(1)
    requests = [
        RequestSpec(id=1, org=11, type_id=1, order=2, stars=5),
        RequestSpec(id=2, org=12, type_id=1, order=1, stars=3),
    ]
    greedy = greedy_first_preference(booths, requests)
    assert greedy.assignment == {2: 1}
    assert greedy.unplaced[1].code == "outcompeted"


def test_medium_random_instances_keep_hard_rules_and_beat_or_match_greedy():
    rng = random.Random(7)
    booths = [
        BoothSpec(
            id=i,
            type_id=rng.choice([1, 1, 2]),
            hall=i // 40,
            x=3.0 * (i % 10),
            y=6.0 * ((i // 10) % 4),
            tags=frozenset(rng.sample(TAGS, rng.randint(0, 2))),
            blocked=rng.random() < 0.05,
            taken=rng.random() < 0.1,
        )
        for i in range(120)
    ]
    rules = [ZoneRuleSpec("province", "20", "province:20")]
    requests = [
        RequestSpec(
            id=1000 + k,
            org=5000 + k,
            type_id=rng.choice([1, 2]),
            order=k,
            stars=rng.randint(3, 5),
            categories=frozenset({rng.choice(["tea", "honey", "rice", "coffee"])}),
            province=rng.choice(["20", "22", "24"]),
            preferences=tuple(rng.sample([*range(120), *TAGS], 3)),
            near=frozenset({5000 + rng.randrange(100)}) if rng.random() < 0.2 else frozenset(),
        )
        for k in range(100)
    ]
    result = allocate(booths, requests, rules)
    greedy = greedy_first_preference(booths, requests, rules)
    hard_rules_hold(booths, requests, rules, result)
    assert result.stats.placed >= greedy.stats.placed
    assert result.linear_optimum >= greedy.stats.linear
    again = evaluate(booths, requests, Weights(), result.assignment)
    assert again.total == result.stats.total


@pytest.mark.parametrize("n", [0, 1])
def test_empty_and_trivial_inputs(n):
    result = allocate(row(n), [])
    assert result.assignment == {} and result.unplaced == {}
