"""Every error under /api/v1 is an RFC 9457 problem (application/problem+json) in the caller's
language (Accept-Language), naming the invalid fields; no input yields a 500; pages keep their HTML errors."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, gettext

from tests.api.conftest import bearer


def _is_problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/nothing-here", 404),
        ("/api/v1/events/0", 404),
        ("/api/v1/events/2147483648", 404),  # beyond the database's integers
        ("/api/v1/events/99999999999999999999", 404),
        ("/api/v1/events/-1", 404),
        ("/api/v1/products/abc", 404),
        ("/api/v1/events?page=0", 422),
        ("/api/v1/events?page=abc", 422),
        ("/api/v1/events?per_page=1000", 422),
        ("/api/v1/events?sort=drop%20table", 422),
        ("/api/v1/events?state=draft", 422),
        ("/api/v1/products?min_stars=2", 422),
        ("/api/v1/products?q=" + "x" * 300, 422),
        ("/api/v1/events?sortt=name", 422),  # a misspelt parameter is refused, not ignored
        ("/api/v1/products?provnce=Qu%E1%BA%A3ng%20Ninh", 422),
        ("/api/v1/registrations/mine", 401),
    ],
)
def test_bad_requests_are_problems(client, db, url, status):
    body = _is_problem(client.get(url), status)
    if status == 422:
        assert body["invalid_params"][0]["location"] == "query"
        assert body["invalid_params"][0]["name"] in url


def test_a_nul_byte_is_a_problem_not_a_page(client, db):
    response = client.get("/api/v1/events?sort=%00")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"


def test_the_language_comes_from_accept_language(app, client, db):
    for header, locale in (("fr-FR,fr;q=0.9", "fr"), ("en", "en"), ("vi", "vi"), ("de", "vi"), ("", "vi")):
        response = client.get("/api/v1/events/1", headers={"Accept-Language": header})
        body = _is_problem(response, 404)
        assert response.headers["Content-Language"] == locale
        with app.test_request_context(), force_locale(locale):
            assert body["title"] == gettext("Not found.")


def test_the_session_s_language_does_not_speak_for_the_api(client, db):
    client.get("/lang/fr")
    response = client.get("/api/v1/events/1", headers={"Accept-Language": "en"})
    assert response.headers["Content-Language"] == "en"


def test_pages_keep_their_html_errors(client, db):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_methods_not_allowed(client, make_token, organiser, db):
    token = make_token(organiser, scope="write")
    _is_problem(client.put("/api/v1/products", headers=bearer(token)), 405)
    _is_problem(client.get("/api/v1/registrations/1/approve", headers=bearer(token)), 405)


def test_the_document_and_its_page(client, db, html):
    document = client.get("/api/v1/openapi.json")
    assert document.status_code == 200
    spec = document.get_json()
    assert spec["openapi"] == "3.1.0"
    assert "/api/v1/events/{event_id}/registrations" in spec["paths"]
    assert spec["components"]["responses"]["DEFAULT_ERROR"]["content"]["application/problem+json"]
    page = client.get("/api/v1/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert "/api/v1/registrations/{registration_id}/reject" in text and "RejectBody" in text
    assert "cdn" not in text.lower()
