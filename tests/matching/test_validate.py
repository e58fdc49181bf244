"""check_schedule catches every way a schedule can break the spec."""

from __future__ import annotations

import copy

import pytest

from app.matching.engine import solve
from app.matching.engine.generator import generate_instance
from app.matching.engine.validate import check_schedule


@pytest.fixture()
def solved(make_instance):
    instance = make_instance()
    schedule = solve(instance)
    assert check_schedule(instance, schedule) == []
    return instance, schedule


def meeting(schedule, buyer, producer):
    return next(m for m in schedule["meetings"] if (m["buyer"], m["producer"]) == (buyer, producer))


def test_the_small_example_schedule_is_what_an_organiser_expects(solved):
    _, schedule = solved
    met = {(m["buyer"], m["producer"]) for m in schedule["meetings"]}
    assert ("b1", "p2") in met  # the must-meet request
    assert ("b1", "p3") not in met  # blocked (and not a candidate)
    assert meeting(schedule, "b1", "p1") | {} == {
        "buyer": "b1",
        "producer": "p1",
        "slot": 0,
        "table": 1,
        "score": 0.83,
    }
    assert [u["producer"] for u in schedule["unscheduled"]] == ["p2"]


CORRUPTIONS = {
    "an unlisted pair": (lambda s: s["meetings"][0].update(producer="p3", buyer="b1"), "not a listed pair"),
    "a pair twice": (lambda s: s["meetings"].append(dict(s["meetings"][-1], slot=2, table=0)), "meets twice"),
    "a person twice in a slot": (
        lambda s: s["meetings"].append(
            {**s["meetings"][0], "producer": "p3", "score": 0.4, "buyer": "b2", "table": 0}
        ),
        "",
    ),
    "a table twice in a slot": (
        lambda s: [m.update(table=1) for m in s["meetings"] if m["slot"] == 0],
        "table 1 is used twice",
    ),
    "a table that doesn't exist": (lambda s: s["meetings"][-1].update(table=9), "does not exist"),
    "a slot outside availability": (
        lambda s: [m.update(slot=0) for m in s["meetings"] if m["producer"] == "p2"],
        "not available",
    ),
    "a moved fixed meeting": (lambda s: meeting(s, "b1", "p1").update(table=0), "fixed[0]"),
    "a missing unmet must": (lambda s: s["unscheduled"].clear(), "neither met nor listed"),
    "a wrong objective": (
        lambda s: s["stats"].update(objective=s["stats"]["objective"] + 1),
        "stats.objective",
    ),
    "a wrong idle_gaps": (
        lambda s: s["stats"].update(idle_gaps=s["stats"]["idle_gaps"] + 1),
        "stats.idle_gaps",
    ),
    "a wrong lower_bound_slots": (
        lambda s: s["stats"].update(lower_bound_slots=7),
        "stats.lower_bound_slots",
    ),
    "a bound below the objective": (lambda s: s["stats"].update(upper_bound=0.1), "stats.upper_bound"),
    "a wrong score": (lambda s: s["meetings"][0].update(score=0.99), ".score"),
    "a missing field": (lambda s: s["stats"].pop("runtime_s"), "stats.runtime_s: is required"),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS), ids=list(CORRUPTIONS))
def test_a_broken_schedule_is_reported(case, solved):
    instance, schedule = solved
    broken = copy.deepcopy(schedule)
    change, expected = CORRUPTIONS[case]
    change(broken)
    problems = check_schedule(instance, broken)
    assert problems
    assert any(expected in p for p in problems), problems


def test_a_blocked_pair_in_the_schedule_is_reported(solved):
    instance, schedule = solved
    met = schedule["meetings"][-1]
    instance["requests"].append({"buyer": met["buyer"], "producer": met["producer"], "kind": "block"})
    assert any("is blocked" in p for p in check_schedule(instance, schedule))


def test_too_many_meetings_for_a_person_is_reported(make_instance):
    instance = make_instance()
    instance["producers"][0]["max_meetings"] = 1
    schedule = {
        "format": "ocopfair.schedule/1",
        "meetings": [
            {"buyer": "b1", "producer": "p1", "slot": 0, "table": 1, "score": 0.83},
            {"buyer": "b2", "producer": "p1", "slot": 1, "table": 0, "score": 0.7},
        ],
        "unscheduled": [
            {"buyer": "b1", "producer": "p2", "reason": "left out on purpose for this test"},
            {"buyer": "b2", "producer": "p2", "reason": "not a candidate pair at all"},
        ],
        "stats": {
            "objective": 1.53,
            "upper_bound": 2,
            "meetings": 2,
            "slots_used": 2,
            "max_degree": 2,
            "lower_bound_slots": 2,
            "idle_gaps": 0,
            "breaks": 0,
            "max_breaks": 0,
            "min_breaks": 0,
            "runtime_s": 0,
        },
    }
    assert any("more than max_meetings" in p for p in check_schedule(instance, schedule))


def test_a_generated_conference_solves_to_a_valid_schedule():
    instance = generate_instance(n_buyers=40, n_producers=80, target_pairs=900, n_slots=10, tables=12, seed=3)
    schedule = solve(instance)
    assert check_schedule(instance, schedule) == []
    stats = schedule["stats"]
    assert stats["objective"] / stats["upper_bound"] > 0.95
    assert all(u["reason"] for u in schedule["unscheduled"])
