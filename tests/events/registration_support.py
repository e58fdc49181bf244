"""Builders shared by the registration tests: an event with open registration, and its clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from app.events import services as events

_counter = itertools.count(1)

# The tests' clock: registration is open at NOW, the event takes place two months later.
NOW = datetime.now(UTC).replace(microsecond=0)


def build_event(organiser, *, open_now: bool = True, **overrides):
    """A physical fair whose two registration windows are open at NOW (unless open_now=False)."""
    n = next(_counter)
    starts = NOW + timedelta(days=60)
    fields = {
        "slug": f"hoi-cho-ocop-{n}",
        "kind": "physical_fair",
        "name_vi": f"Hội chợ OCOP Quảng Ninh {n}",
        "name_en": f"Quang Ninh OCOP fair {n}",
        "timezone": "Asia/Ho_Chi_Minh",
        "starts_at": starts,
        "ends_at": starts + timedelta(days=3),
        "venue_name": "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
        "exhibitor_capacity": 10,
        "buyer_capacity": 10,
        "exhibitor_registration_opens_at": NOW - timedelta(days=1),
        "exhibitor_registration_closes_at": NOW + timedelta(days=30),
        "buyer_registration_opens_at": NOW - timedelta(days=1),
        "buyer_registration_closes_at": NOW + timedelta(days=30),
    } | overrides
    event = events.create_event(organiser, **fields)
    if open_now:
        events.open_registration(organiser, event, now=NOW)
    return event
