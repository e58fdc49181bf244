"""What the badge, gate and walk-in tests share: a fair running today, and every role's user."""

from __future__ import annotations

from typing import Any

from tests.matching.test_agenda import build_fair


def running_fair(db, make_event, make_user, make_buyer, make_producer, make_product, **kwargs):
    """A fair whose matchmaking is today (the event runs) with two approved buyers and producers."""
    return build_fair(
        db,
        make_event,
        make_user,
        make_buyer,
        make_producer,
        make_product,
        days_ahead=0,
        state="running",
        **kwargs,
    )


def every_role(fair, make_user) -> list[tuple[str, Any, bool]]:
    (buyer, _b), _other = fair.buyers
    (exhibitor, _p), _other_p = fair.producers
    return [
        ("anonymous", None, False),
        ("the event's organiser", fair.organiser, True),
        ("another organiser", make_user(role="organiser"), False),
        ("admin", make_user(role="admin"), True),
        ("exhibitor", exhibitor, False),
        ("buyer", buyer, False),
    ]


def client_as(app, user):
    """A test client of its own, logged in as `user` (None: anonymous)."""
    client = app.test_client()
    if user is not None:
        response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
        assert response.status_code == 302
    return client


def refused(response) -> bool:
    """Anonymous people are sent to the login page; logged-in people without the right get 403."""
    return response.status_code == 403 or (
        response.status_code == 302 and "/login" in response.headers.get("Location", "")
    )
