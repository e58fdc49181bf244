"""A small valid instance to start from, as a builder: `make_instance(**changes)`."""

from __future__ import annotations

import copy

import pytest

BASE = {
    "format": "ocopfair.matching/1",
    "session": {
        "timezone": "Asia/Ho_Chi_Minh",
        "slots": [
            {"id": 0, "start": "2025-10-15T08:30:00+07:00", "end": "2025-10-15T08:50:00+07:00"},
            {"id": 1, "start": "2025-10-15T08:55:00+07:00", "end": "2025-10-15T09:15:00+07:00"},
            {"id": 2, "start": "2025-10-15T09:20:00+07:00", "end": "2025-10-15T09:40:00+07:00"},
        ],
        "tables": 2,
    },
    "buyers": [
        {"id": "b1", "max_meetings": 3, "available_slots": [0, 1, 2]},
        {"id": "b2", "max_meetings": 2},
    ],
    "producers": [
        {"id": "p1", "max_meetings": 2},
        {"id": "p2", "max_meetings": 2, "available_slots": [1, 2]},
        {"id": "p3", "max_meetings": 1},
    ],
    "pairs": [
        {"buyer": "b1", "producer": "p1", "score": 0.83},
        {"buyer": "b1", "producer": "p2", "score": 0.6},
        {"buyer": "b2", "producer": "p1", "score": 0.7},
        {"buyer": "b2", "producer": "p3", "score": 0.4},
    ],
    "requests": [
        {"buyer": "b1", "producer": "p2", "kind": "must"},
        {"buyer": "b2", "producer": "p2", "kind": "must"},
        {"buyer": "b1", "producer": "p3", "kind": "block"},
    ],
    "fixed": [{"buyer": "b1", "producer": "p1", "slot": 0, "table": 1}],
}


@pytest.fixture()
def make_instance():
    def build(**changes) -> dict:
        instance = copy.deepcopy(BASE)
        instance.update(copy.deepcopy(changes))
        return instance

    return build
