"""Personal API tokens on the account page: created (shown once, stored hashed), used, listed,
revoked after a confirmation, then refused; sessions don't open the API, tokens don't open pages."""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from app.api.models import ApiToken
from tests.api.conftest import bearer
from tests.conftest import text_of


def _csrf(html, response) -> str:
    field = html(response).select_one("input[name=csrf_token]")
    return field["value"] if field else ""


def test_create_use_list_revoke(client, login, exhibitor, db, html):
    login(exhibitor)
    page = client.get("/account")
    assert html(page).select_one("a[href='/account/tokens']") is not None

    form = client.get("/account/tokens?lang=en")
    assert "You have no API token yet." in text_of(html(form).main)
    created = client.post(
        "/account/tokens",
        data={"csrf_token": _csrf(html, form), "name": "Kho hàng", "scope": "read", "event_id": ""},
    )
    assert created.status_code == 201
    assert created.headers["Cache-Control"] == "no-store"
    secret = html(created).select_one("input[data-new-token]")["value"]
    assert secret.startswith("ocf_")

    token = db.session.scalar(select(ApiToken))
    assert token.name == "Kho hàng" and token.scope == "read" and token.user_id == exhibitor.id
    # Stored hashed: the secret is nowhere in the row.
    assert secret not in (token.prefix, token.secret_hash)
    assert token.secret_hash == hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()

    # Shown once: the list names it by its prefix only.
    listing = client.get("/account/tokens")
    assert secret not in listing.get_data(as_text=True)
    assert "Kho hàng" in text_of(html(listing).select_one("table"))

    used = client.get("/api/v1/registrations/mine", headers=bearer(secret))
    assert used.status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).last_used_at is not None

    confirm = client.get(f"/account/tokens/{token.id}/revoke")
    assert confirm.status_code == 200
    assert "Kho hàng" in text_of(html(confirm).h1)
    assert client.get("/api/v1/registrations/mine", headers=bearer(secret)).status_code == 200  # not yet
    revoked = client.post(f"/account/tokens/{token.id}/revoke", data={"csrf_token": _csrf(html, confirm)})
    assert revoked.status_code == 302

    refused = client.get("/api/v1/registrations/mine", headers=bearer(secret))
    assert refused.status_code == 401
    assert refused.mimetype == "application/problem+json"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert "You have no API token yet." in text_of(html(client.get("/account/tokens?lang=en")).main)


def test_a_token_needs_a_name_and_a_known_scope(client, login, exhibitor, db, html):
    login(exhibitor)
    form = client.get("/account/tokens")
    response = client.post(
        "/account/tokens",
        data={"csrf_token": _csrf(html, form), "name": "", "scope": "admin", "event_id": ""},
    )
    assert response.status_code == 200
    assert html(response).select(".invalid-feedback, .is-invalid")
    assert db.session.scalar(select(ApiToken)) is None


def test_a_token_limited_to_an_event_not_ones_own_is_refused(client, login, organiser, make_event, db, html):
    other = make_event()  # another organiser's
    login(organiser)
    form = client.get("/account/tokens")
    assert str(other.id) not in [o["value"] for o in html(form).select("select[name=event_id] option")]
    response = client.post(
        "/account/tokens",
        data={"csrf_token": _csrf(html, form), "name": "x", "scope": "read", "event_id": str(other.id)},
    )
    assert response.status_code == 200
    assert db.session.scalar(select(ApiToken)) is None


def test_nobody_revokes_another_users_token(client, login, exhibitor, buyer_user, make_token, db):
    make_token(exhibitor)
    token = db.session.scalar(select(ApiToken))
    login(buyer_user)
    assert client.get(f"/account/tokens/{token.id}/revoke").status_code == 403
    assert client.post(f"/account/tokens/{token.id}/revoke").status_code in (400, 403)
    assert client.get("/account/tokens/999999/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_the_token_pages_need_a_login(client, db):
    assert client.get("/account/tokens").status_code == 302


def test_the_session_cookie_does_not_open_the_api(client, login, organiser, make_event, db):
    event = make_event(organiser=organiser)
    login(organiser)
    # Logged in, but no token: the API sees an anonymous caller.
    assert client.get(f"/api/v1/events/{event.id}/registrations").status_code == 401
    # And a draft is hidden from anonymous callers though the session's user manages it.
    assert client.get(f"/api/v1/events/{event.id}").status_code == 404


def test_a_token_does_not_open_pages(client, organiser, make_token, db):
    secret = make_token(organiser)
    assert client.get("/account", headers=bearer(secret)).status_code == 302  # to the login


def test_malformed_and_unknown_tokens_are_401(client, db):
    for header in (
        "Bearer",
        "Bearer ",
        "Basic abc",
        "Bearer ocf_",
        "Bearer ocf_0123456789ab_x",
        "Bearer \u00e9",
    ):
        response = client.get("/api/v1/events", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert response.mimetype == "application/problem+json"


def test_a_deactivated_account_s_token_stops_working(client, exhibitor, make_token, db):
    secret = make_token(exhibitor)
    exhibitor.is_active_account = False
    db.session.commit()
    assert client.get("/api/v1/registrations/mine", headers=bearer(secret)).status_code == 401


def test_each_token_is_rate_limited(app, client, exhibitor, make_token, db):
    first, second = make_token(exhibitor, name="a"), make_token(exhibitor, name="b")
    app.config["API_RATE_LIMIT"] = "3 per minute"
    try:
        for _ in range(3):
            assert client.get("/api/v1/events", headers=bearer(first)).status_code == 200
        limited = client.get("/api/v1/events", headers=bearer(first, **{"Accept-Language": "en"}))
        assert limited.status_code == 429
        assert limited.mimetype == "application/problem+json"
        assert limited.get_json()["status"] == 429
        # Another token has its own counter.
        assert client.get("/api/v1/events", headers=bearer(second)).status_code == 200
    finally:
        app.config["API_RATE_LIMIT"] = "600 per minute"
