"""schemathesis (property-based, from PyPI) against the served OpenAPI document, in-process
(WSGI): every operation, with generated parameters and bodies, called anonymously and with a
token of each role (the event's organiser with write scope, another organiser, an admin, an
exhibitor with meetings, a booth holder, a buyer, a token limited to one event); no 5xx, every
status documented, every body and content type as documented."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.api import services
from app.booths.booking import services as booking
from app.catalog.models import Product
from app.events.models import Registration
from app.matching.models import Meeting
from app.matching.outcomes import services as outcomes
from app.onsite import services as onsite
from tests.booths.conftest import Fair
from tests.matching.test_agenda import add_meeting, build_fair

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 6  # 38 operations x 6 cases x 8 callers: about a minute


@pytest.fixture()
def api_schema(app, db):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture()
def role_tokens(db, make_event, make_open_event, make_user, make_producer, make_buyer, make_product):
    """Data for the operations to find (ids 1, 2...: events, halls, booths, bookings, electronic
    booths, registrations, a matchmaking session with published meetings, a check-in and an
    outcome) and a token for each role."""
    met = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=-1)
    organiser = met.organiser
    (buyer_user, b0), (_u1, b1) = met.buyers
    (producer_user, p0), (_v1, p1) = met.producers
    first = add_meeting(db, met, b0, p0, slot=0, table=0)
    add_meeting(db, met, b1, p1, slot=1, table=1)
    add_meeting(db, met, b1, p0, slot=2, table=2, published=False)
    onsite.check_in_meeting(organiser, first)
    outcomes.record_outcome(buyer_user, first, kind="follow_up", value_vnd=None, note="Gửi mẫu chè")
    booths = Fair(db, organiser, make_producer, make_user, make_product, make_open_event)
    a1, _a2 = booths.add_booths(2)
    booths.first_come()
    holder, holder_registration = booths.exhibitor()
    booking.pick_booth(holder, holder_registration, a1)
    other_event, other_buyer = make_open_event(organiser=organiser), make_buyer()
    db.session.add_all(
        [
            Registration(event=other_event, organisation=producer_user.organisation, role="exhibitor"),
            Registration(event=other_event, organisation=other_buyer, role="buyer", status="pending"),
        ]
    )
    users = {
        "organiser": (organiser, "write", None),
        "other organiser": (make_user(role="organiser"), "write", None),
        "admin": (make_user(role="admin"), "read", None),
        "exhibitor": (producer_user, "write", None),
        "booth holder": (holder, "write", None),
        "buyer": (buyer_user, "read", None),
        "one event": (organiser, "write", other_event.id),
    }
    tokens = {"anonymous": None}
    for role, (user, scope, event_id) in users.items():
        tokens[role] = services.create_token(user, name=role, scope=scope, event_id=event_id).secret
    db.session.commit()
    assert db.session.get(Product, 1) is not None and db.session.get(Meeting, 1) is not None
    return tokens


def test_no_operation_fails_for_any_role(app, api_schema, role_tokens):
    calls = {"operations": 0, "cases": 0, "requests": 0}

    def exercise(case):
        calls["cases"] += 1
        for role, secret in role_tokens.items():
            headers = {"Authorization": f"Bearer {secret}"} if secret else {}
            with app.app_context():  # a request's own database session, as in production
                response = case.call(headers=headers)
            calls["requests"] += 1
            assert response.status_code < 500, (role, case.method, case.formatted_path, response.text[:500])
            case.validate_response(response, checks=CHECKS, headers=headers)

    for result in api_schema.get_all_operations():
        operation = result.ok()
        calls["operations"] += 1
        run = settings(
            max_examples=MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )(given(case=operation.as_strategy())(exercise))
        run()
    print(f"schemathesis: {calls}")
    documented = sum(
        1 for item in api_schema.raw_schema["paths"].values() for method in item if method != "parameters"
    )
    assert calls["operations"] == documented >= 38
    assert calls["requests"] == calls["cases"] * len(role_tokens)
