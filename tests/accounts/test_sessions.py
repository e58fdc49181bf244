"""Logins that can be taken back: logout, a new password and an administrator end sessions
server-side, so a copy of the cookies (session or remember-me) stops working."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta
from email.utils import parsedate_to_datetime

import pytest

from app import clock, create_app
from app.accounts import services
from app.signals import security_event
from tests.conftest import text_of

PASSWORD = "correct horse 42"
NEW = "moi-mat-khau-1"


def copy_of(app, client, names=("session", "remember_token")):
    """Another browser holding the cookies `client` has now (what a thief would have saved)."""
    other = app.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            other.set_cookie(name, cookie.value)
    return other


def opens_my_demand(client) -> bool:
    response = client.get("/my/demand")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def log_in(client, user, *, remember=False, password=PASSWORD):
    data = {"email": user.email, "password": password} | ({"remember": "y"} if remember else {})
    assert client.post("/login", data=data).status_code == 302


@contextmanager
def security_events():
    seen = []

    def record(user, *, kind, actor, detail, **_extra):
        seen.append((kind, user.id, actor.id if actor else None, detail))

    with security_event.connected_to(record):
        yield seen


def test_a_session_cookie_saved_before_logout_is_refused_after_it(app, client, buyer_user):
    log_in(client, buyer_user)
    saved = copy_of(app, client)
    assert opens_my_demand(saved)  # the copy works while the login lasts
    with security_events() as seen:
        assert client.post("/logout").status_code == 302
    assert not opens_my_demand(client)
    assert not opens_my_demand(saved)
    assert seen == [("logout", buyer_user.id, buyer_user.id, "")]


def test_a_remember_cookie_saved_before_logout_is_refused_after_it(app, client, buyer_user):
    log_in(client, buyer_user, remember=True)
    remember_only = copy_of(app, client, names=("remember_token",))
    assert opens_my_demand(remember_only)  # a new browser, logged in by the cookie alone
    saved = copy_of(app, client)
    client.post("/logout")
    assert not opens_my_demand(saved)
    assert not opens_my_demand(copy_of(app, saved, names=("remember_token",)))


def test_logging_out_ends_the_accounts_other_devices_too(app, client, buyer_user):
    phone = app.test_client()
    log_in(phone, buyer_user)
    log_in(client, buyer_user)
    client.post("/logout")
    assert not opens_my_demand(phone)


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, client, buyer_user, db):
    log_in(client, buyer_user, remember=True)
    phone = app.test_client()
    log_in(phone, buyer_user, remember=True)
    stolen = copy_of(app, phone)
    with security_events() as seen:
        response = client.post(
            "/account/password",
            data={
                "current_password": PASSWORD,
                "new_password": "moi-mat-khau-1",
                "confirm": "moi-mat-khau-1",
            },
        )
    assert response.status_code == 302
    assert opens_my_demand(client)  # this browser stays logged in
    assert opens_my_demand(
        copy_of(app, client, names=("remember_token",))
    )  # and its new remember cookie works
    assert not opens_my_demand(phone)
    assert not opens_my_demand(stolen)
    assert not opens_my_demand(copy_of(app, stolen, names=("remember_token",)))
    assert seen == [("password_changed", buyer_user.id, buyer_user.id, "")]


def test_a_refused_password_change_ends_no_session(app, client, buyer_user):
    log_in(client, buyer_user)
    phone = app.test_client()
    log_in(phone, buyer_user)
    response = client.post(
        "/account/password",
        data={"current_password": "wrong one", "new_password": "moi-mat-khau-1", "confirm": "moi-mat-khau-1"},
    )
    assert response.status_code == 200
    assert opens_my_demand(phone) and opens_my_demand(client)


def test_an_admin_ends_an_accounts_sessions_after_confirming(app, client, make_user, buyer_user, html, db):
    admin = make_user(role="admin")
    buyer_browser = app.test_client()
    log_in(buyer_browser, buyer_user, remember=True)
    log_in(client, admin)

    listing = html(client.get("/admin/users?lang=en"))
    link = listing.find("a", href=f"/admin/users/{buyer_user.id}/sessions")
    assert text_of(link) == "Log out everywhere…"
    confirm = html(client.get(f"/admin/users/{buyer_user.id}/sessions"))
    assert buyer_user.email in text_of(confirm.select_one("main"))
    assert opens_my_demand(buyer_browser)  # opening the confirmation page ends nothing

    with security_events() as seen:
        assert client.post(f"/admin/users/{buyer_user.id}/sessions").status_code == 302
    assert not opens_my_demand(buyer_browser)
    assert not opens_my_demand(copy_of(app, buyer_browser, names=("remember_token",)))
    assert seen == [("sessions_ended", buyer_user.id, admin.id, "")]
    log_in(buyer_browser, buyer_user)  # the password still works: they log in again
    assert opens_my_demand(buyer_browser)


def test_only_admins_end_sessions(app, client, organiser, buyer_user):
    buyer_browser = app.test_client()
    log_in(buyer_browser, buyer_user)
    log_in(client, organiser)
    assert client.get(f"/admin/users/{buyer_user.id}/sessions").status_code == 403
    assert client.post(f"/admin/users/{buyer_user.id}/sessions").status_code == 403
    assert opens_my_demand(buyer_browser)


def test_a_deactivated_account_is_logged_out_at_once(app, client, make_user, buyer_user, db):
    admin = make_user(role="admin")
    buyer_browser = app.test_client()
    log_in(buyer_browser, buyer_user)
    log_in(client, admin)
    client.post(f"/admin/users/{buyer_user.id}", data={"active": "0"})
    assert not opens_my_demand(buyer_browser)
    client.post(f"/admin/users/{buyer_user.id}", data={"active": "1"})
    assert not opens_my_demand(buyer_browser)  # reactivating doesn't bring the old login back


def test_a_login_id_without_the_right_session_version_is_refused(db, buyer_user):
    assert services.user_for_login(buyer_user.get_id()) == buyer_user
    assert services.user_for_login(str(buyer_user.id)) is None  # a login from before session versions
    assert services.user_for_login(f"{buyer_user.id}:{buyer_user.session_version + 1}") is None
    assert services.user_for_login("x:1") is None and services.user_for_login("") is None


def _cookie_attributes(response, name: str) -> dict[str, str]:
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))
    attributes = {}
    for part in header.split(";")[1:]:
        key, _, value = part.strip().partition("=")
        attributes[key.lower()] = value
    return attributes


@pytest.fixture()
def production_app(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "z" * 48)
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    application = create_app(
        "production",
        SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'production.sqlite'}",
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        TASKS_FOLDER=str(tmp_path / "tasks"),
        WTF_CSRF_ENABLED=False,  # the cookie is what this test reads, not the form
    )
    from app.extensions import db as database

    with application.app_context():
        database.create_all()
        services.create_user(email="lan@example.vn", password=PASSWORD, full_name="Lan", role="organiser")
        database.session.commit()
    yield application
    with application.app_context():
        database.session.remove()
        database.engine.dispose()


def test_the_remember_cookie_in_production_lasts_30_days_and_is_secure_httponly_and_lax(production_app):
    client = production_app.test_client()
    response = client.post(
        "/login",
        data={"email": "lan@example.vn", "password": PASSWORD, "remember": "y"},
        base_url="https://ocopfair.example.vn",
    )
    assert response.status_code == 302
    remember = _cookie_attributes(response, "remember_token")
    assert "secure" in remember and "httponly" in remember
    assert remember["samesite"] == "Lax"
    expires = parsedate_to_datetime(remember["expires"])
    assert abs(expires - (clock.now() + timedelta(days=30))) < timedelta(minutes=1)
    session = _cookie_attributes(response, "session")
    assert "secure" in session and "httponly" in session and session["samesite"] == "Lax"


def test_the_remember_cookie_works_over_plain_http_in_development(app):
    # Production is Secure (above); development and tests serve http://127.0.0.1 and must not be.
    assert not app.config.get("REMEMBER_COOKIE_SECURE")
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
