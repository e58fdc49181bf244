"""A small valid instance to start from, as a builder: `make_instance(**changes)`; and `fair`,
an open event with builders for approved exhibitors, buyers and sessions."""

from __future__ import annotations

import copy
from datetime import time
from types import SimpleNamespace

import pytest

from app.catalog import services as catalog
from app.events.registrations import services as reg
from app.matching.sessions import services
from tests.conftest import NOW

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


@pytest.fixture()
def fair(db, organiser, make_producer, make_buyer, make_user, make_product, make_open_event):
    """An event with open registration and builders for approved exhibitors and buyers."""
    event = make_open_event(organiser)

    def producer(capacity=500, category="tea", locale=None, **product):
        organisation = make_producer()
        user = make_user(role="exhibitor", organisation=organisation, locale=locale)
        group = "food" if category == "honey" else "beverages"
        item = make_product(
            organisation, category=category, ocop_group=group, capacity_per_month=capacity, **product
        )
        registration = reg.apply_as_exhibitor(user, event, [item.id], now=NOW)
        reg.approve(organiser, registration, now=NOW)
        return registration

    def buyer(volume=200, unit="kg", category="tea", locale=None, **line):
        organisation = make_buyer()
        user = make_user(role="buyer", organisation=organisation, locale=locale)
        demand = catalog.save_demand_line(
            user, organisation, category=category, monthly_volume=volume, unit=unit, min_stars=3, **line
        )
        registration = reg.register_as_buyer(user, event, [demand.id], now=NOW)
        reg.approve(organiser, registration, now=NOW)
        return registration

    def session(**fields):
        values = {"day_start": time(8, 30), "day_end": time(10, 0), "tables": 4} | fields
        return services.create_session(organiser, event, **values)

    return SimpleNamespace(event=event, organiser=organiser, producer=producer, buyer=buyer, session=session)


def small_fair(fair, buyers=3, producers=3):
    return [fair.buyer() for _ in range(buyers)], [fair.producer() for _ in range(producers)]
