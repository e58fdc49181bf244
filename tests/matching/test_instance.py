"""Bad input: an invalid instance is refused with one line naming the field."""

from __future__ import annotations

import json

import pytest

from app.matching.engine import InstanceError, read_instance, solve
from app.matching.engine.instance import schema_errors
from app.matching.engine.validate import check_schedule


def mutate(instance: dict, change) -> dict:
    change(instance)
    return instance


BAD_INPUTS = {
    "unknown buyer in a pair": (
        lambda d: d["pairs"][2].update(buyer="b99"),
        'pairs[2].buyer: unknown id "b99"',
    ),
    "unknown producer in a pair": (
        lambda d: d["pairs"][0].update(producer="p9"),
        'pairs[0].producer: unknown id "p9"',
    ),
    "a producer named as buyer": (
        lambda d: d["pairs"][0].update(buyer="p1"),
        'pairs[0].buyer: "p1" is a producer',
    ),
    "unknown id in a request": (
        lambda d: d["requests"][1].update(producer="p77"),
        'requests[1].producer: unknown id "p77"',
    ),
    "unknown id in a fixed meeting": (
        lambda d: d["fixed"][0].update(buyer="bx"),
        'fixed[0].buyer: unknown id "bx"',
    ),
    "duplicate id across buyers and producers": (
        lambda d: d["producers"][1].update(id="b2"),
        'producers[1].id: duplicate id "b2"',
    ),
    "duplicate buyer id": (lambda d: d["buyers"][1].update(id="b1"), 'buyers[1].id: duplicate id "b1"'),
    "duplicate slot id": (
        lambda d: d["session"]["slots"][2].update(id=0),
        "session.slots[2].id: duplicate slot id 0",
    ),
    "availability names an unknown slot": (
        lambda d: d["buyers"][0].update(available_slots=[0, 7]),
        "buyers[0].available_slots[1]: unknown slot id 7",
    ),
    "fixed meeting in an unknown slot": (
        lambda d: d["fixed"][0].update(slot=5),
        "fixed[0].slot: unknown slot id 5",
    ),
    "score above 1": (lambda d: d["pairs"][1].update(score=1.2), "pairs[1].score: must be at most 1"),
    "score of 0": (lambda d: d["pairs"][1].update(score=0), "pairs[1].score: must be greater than 0"),
    "negative score": (lambda d: d["pairs"][3].update(score=-0.5), "pairs[3].score: must be greater than 0"),
    "score as text": (lambda d: d["pairs"][3].update(score="0.5"), "pairs[3].score: must be a number"),
    "negative capacity": (
        lambda d: d["producers"][2].update(max_meetings=-1),
        "producers[2].max_meetings: must be at least 0",
    ),
    "negative tables": (lambda d: d["session"].update(tables=-3), "session.tables: must be at least 0"),
    "missing max_meetings": (
        lambda d: d["buyers"][1].pop("max_meetings"),
        "buyers[1].max_meetings: is required",
    ),
    "wrong format": (lambda d: d.update(format="ocopfair.matching/2"), "format: must be"),
    "unknown request kind": (
        lambda d: d["requests"][0].update(kind="maybe"),
        "requests[0].kind: must be one of",
    ),
    "pair listed twice": (lambda d: d["pairs"].append(dict(d["pairs"][0])), "pairs[4]: the pair"),
    "fixed table beyond the tables": (
        lambda d: d["fixed"][0].update(table=2),
        "fixed[0].table: table 2 does not exist",
    ),
    "fixed meeting outside availability": (
        lambda d: (
            d["buyers"][1].update(available_slots=[1, 2]),
            d["fixed"].append({"buyer": "b2", "producer": "p3", "slot": 0, "table": 0}),
        ),
        'fixed[1].slot: "b2" is not available in slot 0',
    ),
    "person double-booked by fixed meetings": (
        lambda d: d["fixed"].append({"buyer": "b2", "producer": "p1", "slot": 0, "table": 0}),
        'fixed[1].producer: "p1" already meets someone in slot 0',
    ),
    "table double-booked by fixed meetings": (
        lambda d: d["fixed"].append({"buyer": "b2", "producer": "p3", "slot": 0, "table": 1}),
        "fixed[1].table: table 1 is already used in slot 0",
    ),
    "fixed meeting of a blocked pair": (
        lambda d: d["requests"].append({"buyer": "b1", "producer": "p1", "kind": "block"}),
        "fixed[0]: the pair",
    ),
    "fixed meeting of an unlisted pair": (
        lambda d: d["fixed"].append({"buyer": "b2", "producer": "p2", "slot": 1, "table": 0}),
        "not among the candidate pairs",
    ),
    "more fixed meetings than max_meetings": (
        lambda d: d["buyers"][0].update(max_meetings=0),
        'fixed[0].buyer: "b1" has more fixed meetings than its max_meetings',
    ),
    "slot end before start": (
        lambda d: d["session"]["slots"][0].update(end="2025-10-15T08:00:00+07:00"),
        "session.slots[0].end: must be after start",
    ),
    "slot time without offset": (
        lambda d: d["session"]["slots"][0].update(start="2025-10-15T08:30:00"),
        "session.slots[0].start: needs a UTC offset",
    ),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS), ids=list(BAD_INPUTS))
def test_an_invalid_instance_is_refused_with_one_line_naming_the_field(case, make_instance):
    change, expected = BAD_INPUTS[case]
    instance = mutate(make_instance(), change)
    with pytest.raises(InstanceError) as caught:
        read_instance(json.dumps(instance))
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    with pytest.raises(InstanceError):
        solve(instance)


@pytest.mark.parametrize("text", ["{", "", "[1, 2", '{"format": "ocopfair.matching/1",}', "\xff\xfe"])
def test_malformed_json_is_refused(text):
    with pytest.raises(InstanceError, match="malformed JSON"):
        read_instance(text.encode("latin-1"))


def test_a_document_that_is_not_an_object_is_refused():
    with pytest.raises(InstanceError, match=r"\(document\): must be an object"):
        read_instance("[]")


def test_the_example_of_the_spec_is_valid_and_solves():
    """The instance printed in specs/matching-format.md, as is."""
    instance = {
        "format": "ocopfair.matching/1",
        "session": {
            "timezone": "Asia/Ho_Chi_Minh",
            "slots": [{"id": 0, "start": "2025-10-15T08:30:00+07:00", "end": "2025-10-15T08:50:00+07:00"}],
            "tables": 40,
        },
        "buyers": [{"id": "b1", "max_meetings": 10, "available_slots": [0, 1, 2][:1]}],
        "producers": [{"id": "p1", "max_meetings": 8}],
        "pairs": [{"buyer": "b1", "producer": "p1", "score": 0.83}],
        "requests": [{"buyer": "b1", "producer": "p1", "kind": "must"}],
        "fixed": [{"buyer": "b1", "producer": "p1", "slot": 0, "table": 3}],
    }
    schedule = solve(instance)
    assert check_schedule(instance, schedule) == []
    assert schedule["meetings"] == [{"buyer": "b1", "producer": "p1", "slot": 0, "table": 3, "score": 0.83}]
    assert schedule["stats"]["objective"] == schedule["stats"]["upper_bound"] == 0.83
    assert schedule["unscheduled"] == []


def test_must_request_for_an_unknown_pair_or_a_blocked_pair_is_reported_not_refused(make_instance):
    instance = make_instance()
    instance["requests"].append({"buyer": "b2", "producer": "p3", "kind": "block"})
    instance["requests"].append({"buyer": "b2", "producer": "p3", "kind": "must"})
    schedule = solve(instance)
    assert check_schedule(instance, schedule) == []
    reasons = {(u["buyer"], u["producer"]): u["reason"] for u in schedule["unscheduled"]}
    assert "not a candidate pair" in reasons[("b2", "p2")]
    assert "asked not to be matched" in reasons[("b2", "p3")]


def test_the_quick_item_checks_agree_with_the_schema(make_instance):
    """The fast path for long lists must accept exactly what jsonschema accepts."""
    import jsonschema

    from app.matching.engine.instance import load_schema

    validator = jsonschema.Draft202012Validator(load_schema("instance"))
    odd_values = [None, True, 0, 1, 2.0, -1, 0.5, 1.5, "", "x", [], {}, float("nan")]
    for key, item in [
        ("pairs", {"buyer": "b1", "producer": "p1", "score": 0.5}),
        ("buyers", {"id": "b1", "max_meetings": 1, "available_slots": [0]}),
        ("requests", {"buyer": "b1", "producer": "p1", "kind": "must"}),
        ("fixed", {"buyer": "b1", "producer": "p1", "slot": 0, "table": 0}),
    ]:
        for field in item:
            for value in odd_values:
                document = make_instance(pairs=[], requests=[], fixed=[])
                document[key] = [{**item, field: value}]
                fast = schema_errors(document, "instance")
                slow = [e.message for e in validator.iter_errors(document)]
                assert bool(fast) == bool(slow), (key, field, value, fast, slow)
