"""Accounts against attack: failed logins throttled per e-mail and per address, the same answer
for unknown e-mails, strong passwords, and the audit trail of security events."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.accounts import passwords
from app.accounts.models import SecurityEvent, User
from app.demo.services import DEMO_LOGINS, DEMO_PASSWORD
from app.signals import security_event
from tests.conftest import queries_of, text_of
from tests.pages import field_error

PASSWORD = "correct horse 42"
HERE, THERE = "198.51.100.7", "203.0.113.9"
LOCKED = "Too many failed attempts for this account: try again in 5 minutes."


@pytest.fixture()
def attempt(client, html):
    """Log in as `email` from `address`; the parsed page, or the response when it is not a page."""

    def post(email, password, address=HERE):
        response = client.post(
            "/login?lang=en",
            data={"email": email, "password": password},
            environ_base={"REMOTE_ADDR": address},
        )
        return response, html(response)

    return post


def fail_until_locked(attempt, pinned_clock, email, address=HERE):
    """Six wrong passwords, waiting out the growing delays between them; the sixth page."""
    for wait in (0, 0, 0, 2, 4, 8):  # the defaults: a wait after the 3rd failure, doubled each time
        pinned_clock.shift(timedelta(seconds=wait))
        response, page = attempt(email, "wrong password 1", address)
        assert response.status_code == 200
    return page


def logged_in(client) -> bool:
    return client.get("/my/products").status_code != 302


# ---------------------------------------------------------------- throttling per e-mail


def test_the_sixth_failed_attempt_locks_the_account_for_five_minutes_even_from_another_address(
    client, make_user, attempt, pinned_clock
):
    admin = make_user(role="admin")
    page = fail_until_locked(attempt, pinned_clock, admin.email)
    assert LOCKED in field_error(page, "password")

    response, page = attempt(admin.email, PASSWORD, address=THERE)  # the right password, elsewhere
    assert response.status_code == 200
    assert field_error(page, "password") == LOCKED
    pinned_clock.shift(timedelta(minutes=4))
    _response, page = attempt(admin.email, PASSWORD, address=THERE)
    assert field_error(page, "password") == (
        "Too many failed attempts for this account: try again in 1 minute."
    )
    assert client.get("/admin/users").status_code == 302  # still not logged in

    pinned_clock.shift(timedelta(minutes=1, seconds=1))
    response, _page = attempt(admin.email, PASSWORD, address=THERE)
    assert response.status_code == 302
    assert client.get("/admin/users").status_code == 200


def test_after_three_failures_each_attempt_waits_twice_as_long(client, organiser, attempt, pinned_clock):
    for _ in range(2):
        _response, page = attempt(organiser.email, "wrong password 1")
        assert field_error(page, "password") == "Wrong e-mail or password."
    _response, page = attempt(organiser.email, "wrong password 1")
    assert field_error(page, "password") == (
        "Wrong e-mail or password. "
        "Too many failed attempts for this account: wait 2 seconds before trying again."
    )
    _response, page = attempt(organiser.email, PASSWORD)  # even the right password waits
    assert field_error(page, "password") == (
        "Too many failed attempts for this account: wait 2 seconds before trying again."
    )
    pinned_clock.shift(timedelta(seconds=2))
    _response, page = attempt(organiser.email, "wrong password 1")
    assert "wait 4 seconds" in field_error(page, "password")
    pinned_clock.shift(timedelta(seconds=4))
    response, _page = attempt(organiser.email, PASSWORD)
    assert response.status_code == 302


def test_a_successful_login_forgets_the_failures(client, exhibitor, attempt):
    for _ in range(2):
        attempt(exhibitor.email, "wrong password 1")
    assert attempt(exhibitor.email, PASSWORD)[0].status_code == 302
    client.post("/logout")
    for _ in range(2):
        _response, page = attempt(exhibitor.email, "wrong password 1")
        assert field_error(page, "password") == "Wrong e-mail or password."  # no wait yet


def test_an_unknown_email_is_locked_alike_so_the_lock_tells_nothing(client, make_user, attempt, pinned_clock):
    known = make_user(email="ke-toan@htx-haiha.vn")
    known_page = fail_until_locked(attempt, pinned_clock, known.email)
    unknown_page = fail_until_locked(attempt, pinned_clock, "khong-co@htx-haiha.vn")
    assert field_error(known_page, "password") == field_error(unknown_page, "password")
    assert LOCKED in field_error(unknown_page, "password")
    _response, page = attempt("KHONG-CO@htx-haiha.vn", "anything at all")  # the same e-mail, typed otherwise
    assert field_error(page, "password") == LOCKED


def test_the_lock_follows_the_settings(app, client, organiser, attempt, pinned_clock, monkeypatch):
    monkeypatch.setitem(app.config, "LOGIN_DELAY_AFTER", 10)
    monkeypatch.setitem(app.config, "LOGIN_LOCK_AFTER", 2)
    monkeypatch.setitem(app.config, "LOGIN_LOCK_SECONDS", 120)
    attempt(organiser.email, "wrong password 1")
    _response, page = attempt(organiser.email, "wrong password 1")
    assert "try again in 2 minutes." in field_error(page, "password")
    pinned_clock.shift(timedelta(seconds=121))
    assert attempt(organiser.email, PASSWORD)[0].status_code == 302


# ---------------------------------------------------------------- throttling per address


def test_failed_logins_from_one_address_are_limited_whatever_the_accounts(
    app, client, make_user, attempt, html, monkeypatch, pinned_clock
):
    monkeypatch.setitem(app.config, "LOGIN_ADDRESS_LIMIT", "3 per 10 minutes")
    user = make_user()
    assert attempt(user.email, PASSWORD)[0].status_code == 302  # a success doesn't count
    client.post("/logout")
    for n in range(3):
        assert attempt(f"guess{n}@example.vn", "wrong password 1")[0].status_code == 200
    refused, page = attempt(user.email, PASSWORD)
    assert refused.status_code == 429
    assert text_of(page.select_one("main .lead")) == (
        "Too many attempts from your address: try again in 10 minutes."
    )
    assert not logged_in(client)
    assert attempt(user.email, PASSWORD, address=THERE)[0].status_code == 302  # another address
    client.post("/logout")
    pinned_clock.shift(timedelta(minutes=10, seconds=1))
    assert attempt(user.email, PASSWORD)[0].status_code == 302


def test_signups_from_one_address_are_limited(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "SIGNUP_ADDRESS_LIMIT", "2 per hour")
    for n in range(2):
        response = client.post("/signup", data={"email": f"x{n}@"}, environ_base={"REMOTE_ADDR": HERE})
        assert response.status_code == 200  # a form with errors still counts
    assert client.post("/signup", data={}, environ_base={"REMOTE_ADDR": HERE}).status_code == 429
    assert client.get("/signup", environ_base={"REMOTE_ADDR": HERE}).status_code == 200  # reading is free
    assert client.post("/signup", data={}, environ_base={"REMOTE_ADDR": THERE}).status_code == 200


def test_password_reset_requests_from_one_address_are_limited(app, client, db, monkeypatch, make_user):
    from app.notifications.models import OutboxMessage

    user = make_user(role="buyer")
    monkeypatch.setitem(app.config, "PASSWORD_RESET_ADDRESS_LIMIT", "2 per hour")

    def ask(address):
        return client.post(
            "/password/forgot", data={"email": user.email}, environ_base={"REMOTE_ADDR": address}
        )

    def mails() -> int:
        return len(
            db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_address == user.email)).all()
        )

    assert [ask(HERE).status_code for _ in range(2)] == [302, 302]
    sent = mails()
    assert ask(HERE).status_code == 429
    assert mails() == sent  # the refused request mailed nothing
    assert ask(THERE).status_code == 302  # another address is not held up


# ---------------------------------------------------------------- the same cost whoever


@pytest.fixture()
def hash_checks(monkeypatch):
    """The password hashes checked, by their scheme ("scrypt:32768:8:1")."""
    checked = []
    real = passwords.check_password_hash

    def spy(password_hash, password):
        checked.append(password_hash.split("$", 1)[0])
        return real(password_hash, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    return checked


def test_an_unknown_email_checks_a_password_hash_of_the_same_scheme_as_a_wrong_password(
    client, make_user, attempt, hash_checks, db
):
    user = make_user()
    asleep = make_user()
    asleep.is_active_account = False
    scheme = user.password_hash.split("$", 1)[0]

    attempt(user.email, "wrong password 1")
    assert hash_checks == [scheme]
    attempt("nobody@example.vn", "wrong password 1")
    assert hash_checks == [scheme, scheme]
    attempt(asleep.email, PASSWORD)  # a deactivated account: its hash is checked too
    assert hash_checks == [scheme, scheme, scheme]


# ---------------------------------------------------------------- passwords


SIGNUP = {
    "role": "exhibitor",
    "full_name": "Nguyễn Thị Lan",
    "email": "lan.nguyen@htx-haiha.vn",
    "organisation_name": "HTX Chè Đường Hoa",
    "producer_kind": "cooperative",
    "province_code": "22",
}


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("12345678", "Use at least 10 characters."),
        ("1234567890", "This password is one of the most common ones; choose another."),
        ("Password123", "This password is one of the most common ones; choose another."),
        ("tra-LAN.NGUYEN-2025", "The password must not contain your e-mail address."),
        ("HTX-Chè-Đường-Hoa-1", "The password must not contain your organisation's name."),
        ("htxcheduonghoa!!", "The password must not contain your organisation's name."),
    ],
)
def test_signup_refuses_a_weak_password_with_the_reason_next_to_the_field(client, db, html, password, reason):
    response = client.post("/signup?lang=en", data=SIGNUP | {"password": password, "confirm": password})
    assert response.status_code == 200
    assert field_error(html(response), "password") == reason
    assert db.session.scalar(select(User)) is None


def test_signup_takes_a_good_password(client, db):
    response = client.post("/signup", data=SIGNUP | {"password": "tra-xanh-2025", "confirm": "tra-xanh-2025"})
    assert response.status_code == 302


def test_a_new_password_must_be_strong_too(client, exhibitor, login, html, db):
    login(exhibitor)
    response = client.post(
        "/account/password?lang=en",
        data={"current_password": PASSWORD, "new_password": "qwertyuiop", "confirm": "qwertyuiop"},
    )
    assert field_error(html(response), "new_password") == (
        "This password is one of the most common ones; choose another."
    )
    db.session.expire_all()
    assert db.session.get(User, exhibitor.id).check_password(PASSWORD)


def test_accounts_made_on_the_command_line_need_a_strong_password(runner, db):
    args = [
        "accounts",
        "create",
        "--email",
        "to-chuc@province.gov.vn",
        "--name",
        "Tổ chức",
        "--role",
        "organiser",
    ]
    refused = runner.invoke(args=[*args, "--password", "12345678"])
    assert refused.exit_code != 0
    assert "Use at least 10 characters." in refused.output
    assert runner.invoke(args=[*args, "--password", "so-cong-thuong-88"]).exit_code == 0


def test_the_demo_password_is_accepted_for_every_demo_login():
    for demo in DEMO_LOGINS:
        assert passwords.problem(DEMO_PASSWORD, email=demo.email, organisation_name=demo.organisation) is None


# ---------------------------------------------------------------- the audit trail


def events(db) -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.id))
    return [(e.kind, e.email, e.user_id, e.actor_id, e.address) for e in rows]


def test_logins_failures_locks_and_logouts_are_recorded(client, exhibitor, attempt, pinned_clock, db):
    attempt(exhibitor.email, "wrong password 1")
    attempt("Nobody@Example.vn", "wrong password 1", address=THERE)
    attempt(exhibitor.email, PASSWORD)
    client.post("/logout", environ_base={"REMOTE_ADDR": HERE})
    assert events(db) == [
        ("login_failed", exhibitor.email, exhibitor.id, None, HERE),
        ("login_failed", "nobody@example.vn", None, None, THERE),
        ("login", exhibitor.email, exhibitor.id, None, HERE),
        ("logout", exhibitor.email, exhibitor.id, None, HERE),
    ]
    fail_until_locked(attempt, pinned_clock, exhibitor.email)
    kinds = [row[0] for row in events(db)]
    assert kinds[4:] == ["login_failed"] * 6 + ["locked"]


def test_password_role_and_activation_changes_are_recorded_with_who_did_them(client, make_user, login, db):
    admin = make_user(role="admin")
    other = make_user(role="buyer")
    login(admin)
    client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": "mat-khau-moi-9", "confirm": "mat-khau-moi-9"},
    )
    client.post(f"/admin/users/{other.id}", data={"role": "organiser"})
    client.post(f"/admin/users/{other.id}", data={"active": "0"})
    client.post(f"/admin/users/{other.id}", data={"active": "1"})
    recorded = [(kind, user_id, actor_id) for kind, _email, user_id, actor_id, _address in events(db)]
    assert recorded[1:] == [
        ("password_changed", admin.id, None),
        ("role_changed", other.id, admin.id),
        ("deactivated", other.id, admin.id),
        ("sessions_ended", other.id, admin.id),  # a deactivated account is logged out everywhere
        ("reactivated", other.id, admin.id),
    ]
    role_change = db.session.scalar(select(SecurityEvent).where(SecurityEvent.kind == "role_changed"))
    assert role_change.detail == "buyer → organiser"


def test_an_event_is_undone_with_the_action_it_records(client, make_user, login, db):
    admin = make_user(role="admin")
    login(admin)
    client.post(f"/admin/users/{admin.id}", data={"active": "0"})  # refused: one's own account
    assert [row[0] for row in events(db)] == ["login"]


def test_an_unknown_kind_of_event_is_refused(db, make_user):
    with pytest.raises(ValueError, match="unknown security event kind"):
        security_event.send(make_user(), kind="hacked")


# ---------------------------------------------------------------- the admins' page


def test_only_admins_read_the_security_events(client, organiser, exhibitor, login):
    assert client.get("/admin/security").status_code == 302  # to the login page
    for user in (organiser, exhibitor):
        login(user)
        assert client.get("/admin/security").status_code == 403
        client.post("/logout")


def test_admins_read_the_events_newest_first_filtered_by_kind_and_email(
    client, make_user, login, html, db, pinned_clock
):
    admin = make_user(role="admin", email="quan-tri@so-cong-thuong.vn")
    lan = make_user(email="lan@htx-haiha.vn")
    security_event.send(lan, kind="login_failed")
    pinned_clock.shift(timedelta(seconds=5))
    security_event.send(None, kind="login_failed", email="ghost@example.vn")
    pinned_clock.shift(timedelta(seconds=5))
    security_event.send(lan, kind="role_changed", actor=admin, detail="exhibitor → organiser")
    login(admin)  # the newest: the admin's own login

    page = html(client.get("/admin/security?lang=en"))
    rows = page.select("#security-events tbody tr")
    assert [row["data-kind"] for row in rows] == ["login", "role_changed", "login_failed", "login_failed"]
    cells = [text_of(cell) for cell in rows[1].select("td")]
    assert cells[1:4] == ["Role changed", f"lan@htx-haiha.vn ({lan.full_name})", admin.email]
    assert "no such account" in text_of(rows[2])

    failed = html(client.get("/admin/security?kind=login_failed"))
    assert len(failed.select("#security-events tbody tr")) == 2
    lans = html(client.get("/admin/security?email=HTX-HAIHA"))
    assert [row["data-kind"] for row in lans.select("#security-events tbody tr")] == [
        "role_changed",
        "login_failed",
    ]


def test_the_events_page_is_paginated_and_its_queries_do_not_grow_with_the_events(
    app, client, make_user, login, html, db
):
    admin = make_user(role="admin")
    login(admin)

    def queries_for_page() -> int:
        return queries_of(client, "/admin/security")

    few = queries_for_page()
    for n in range(59):
        user = make_user()
        security_event.send(user, kind="role_changed", actor=admin, detail=str(n))
    db.session.commit()
    assert queries_for_page() == few
    first = html(client.get("/admin/security"))
    assert len(first.select("#security-events tbody tr")) == 50
    second = html(client.get("/admin/security?page=2"))
    assert len(second.select("#security-events tbody tr")) == 10  # 59 + the admin's login


# ---------------------------------------------------------------- where the counters live


def test_production_counts_in_its_redis_and_each_app_in_its_own_storage(app, db, monkeypatch):
    from limits.storage import MemoryStorage, RedisStorage

    from app import create_app
    from app.extensions import limiter

    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    redis = f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '13')}"  # never written to here
    monkeypatch.setenv("CELERY_BROKER_URL", redis)
    production = create_app("production")
    assert production.config["RATELIMIT_STORAGE_URI"] == redis
    with production.app_context():
        assert isinstance(limiter.storage, RedisStorage)
    assert isinstance(limiter.storage, MemoryStorage)  # the tests' app, still pushed, kept its own
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", redis + "?ratelimits")
    assert create_app("production").config["RATELIMIT_STORAGE_URI"] == redis + "?ratelimits"


def test_the_lock_is_kept_in_redis_for_every_web_process(app, db, tmp_path):
    """Two web processes on one Redis: failures counted by one lock the e-mail out in the other."""
    import redis

    from app import create_app
    from app.accounts import throttling
    from app.extensions import limiter

    url = f"redis://127.0.0.1:6379/{os.environ.get('TEST_REDIS_DB', '13')}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    one, other = (
        create_app(
            "testing",
            RATELIMIT_STORAGE_URI=url,
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        )
        for _ in range(2)
    )
    email = "redis-lock@example.vn"
    try:
        with one.test_request_context():
            for _ in range(5):
                assert not (throttling.record_failure(email) or throttling.Refusal(False, 0)).locked
            assert throttling.record_failure(email).locked
        with other.test_request_context():
            refusal = throttling.refusal(email)
            assert refusal.locked and 290 <= refusal.seconds <= 300
            assert throttling.refusal("someone-else@example.vn") is None
    finally:
        with one.app_context():
            limiter.reset()


def test_behind_a_trusted_proxy_each_client_is_limited_by_its_own_address(app, db, make_user):
    from app import create_app

    proxied = create_app(
        "testing",
        TRUSTED_PROXIES=1,
        LOGIN_ADDRESS_LIMIT="1 per hour",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
    )
    client = proxied.test_client()
    data = {"email": "someone@example.vn", "password": "wrong password 1"}
    behind = {"REMOTE_ADDR": "127.0.0.1"}  # every request comes through the proxy
    assert (
        client.post("/login", data=data, environ_base=behind, headers={"X-Forwarded-For": HERE}).status_code
        == 200
    )
    assert (
        client.post("/login", data=data, environ_base=behind, headers={"X-Forwarded-For": HERE}).status_code
        == 429
    )
    assert (
        client.post("/login", data=data, environ_base=behind, headers={"X-Forwarded-For": THERE}).status_code
        == 200
    )
