"""schemathesis (property-based, from PyPI) against the served OpenAPI document, in-process
(WSGI): every operation, with generated parameters and bodies, called anonymously and with a
token of each role (the event's organiser with write scope, another organiser, an admin, an
exhibitor, a buyer, a token limited to one event); no 5xx, every status documented, every
body and content type as documented."""

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
from app.catalog.models import Product
from app.events.models import Hall, Registration

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
MAX_EXAMPLES = 8  # 12 operations x 8 cases x 7 callers: about half a minute


@pytest.fixture()
def api_schema(app, db):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


@pytest.fixture()
def role_tokens(db, make_open_event, make_user, make_producer, make_buyer, make_product, organiser):
    """Data for the operations to find (ids 1, 2...) and a token for each role."""
    event = make_open_event(organiser=organiser)
    other_event = make_open_event(organiser=organiser)
    producer, buyer = make_producer(), make_buyer()
    make_product(organisation=producer)
    db.session.add_all(
        [
            Registration(event=event, organisation=producer, role="exhibitor", status="pending"),
            Registration(event=event, organisation=buyer, role="buyer", status="pending"),
            Registration(event=other_event, organisation=producer, role="exhibitor", status="approved"),
            Hall(event=event, name="Nhà A", width_m=40, depth_m=20),
        ]
    )
    users = {
        "organiser": (organiser, "write", None),
        "other organiser": (make_user(role="organiser"), "write", None),
        "admin": (make_user(role="admin"), "read", None),
        "exhibitor": (make_user(role="exhibitor", organisation=producer), "write", None),
        "buyer": (make_user(role="buyer", organisation=buyer), "read", None),
        "one event": (organiser, "write", other_event.id),
    }
    tokens = {"anonymous": None}
    for role, (user, scope, event_id) in users.items():
        tokens[role] = services.create_token(user, name=role, scope=scope, event_id=event_id).secret
    db.session.commit()
    assert db.session.get(Product, 1) is not None
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
    assert calls["operations"] == documented >= 12
    assert calls["requests"] == calls["cases"] * len(role_tokens)
