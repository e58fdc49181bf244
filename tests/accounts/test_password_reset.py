"""A forgotten password: a link by mail, valid one hour and once; the page tells nobody which
addresses have an account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask_babel import force_locale, format_datetime
from sqlalchemy import select

from app import clock
from app.accounts import services
from app.accounts.models import User
from app.errors import ServiceError
from app.notifications.models import OutboxMessage
from app.signals import security_event
from tests.conftest import text_of
from tests.pages import field_error, flashes

PASSWORD = "correct horse 42"
NEW = "mat-khau-moi-2027"


def mails(db) -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def reset_path(message: OutboxMessage) -> str:
    found = re.search(r"https?://[^/\s]+(/password/reset/\S+)", message.body)
    assert found, message.body
    return found.group(1)


def ask_for_link(client, email: str, lang: str = "en"):
    return client.post(f"/password/forgot?lang={lang}", data={"email": email}, follow_redirects=True)


def opens_my_demand(client) -> bool:
    return client.get("/my/demand").status_code == 200


def test_the_login_page_links_to_forgot_password(client, html):
    page = html(client.get("/login?lang=en"))
    link = page.find("a", href="/password/forgot")
    assert text_of(link) == "Forgot your password?"


def test_the_answer_is_the_same_for_an_address_with_or_without_an_account(
    client, db, html, buyer_user, make_user
):
    gone = make_user(role="buyer", email="gone@example.vn")
    gone.is_active_account = False
    known = html(ask_for_link(client, buyer_user.email.upper()))
    unknown = html(ask_for_link(client, "nobody@example.vn"))
    inactive = html(ask_for_link(client, gone.email))
    assert flashes(known) == flashes(unknown) == flashes(inactive)
    assert flashes(known) == [
        "If an account uses this address, a link to choose a new password is on its way to it. "
        "The link works for one hour."
    ]
    assert text_of(known.select_one("main")) == text_of(unknown.select_one("main"))
    queued = mails(db)
    assert [(m.to_address, m.kind, m.user_id) for m in queued] == [
        (buyer_user.email, "password_reset", buyer_user.id)
    ]


def expiry_in(app, locale: str) -> str:
    """The link's expiry as the mail writes it in `locale` (dates differ by language)."""
    with app.test_request_context(), force_locale(locale):
        return format_datetime(clock.now() + timedelta(hours=1), "short")


def test_the_mail_is_in_the_accounts_stored_language_not_the_browsers(client, db, app, buyer_user):
    buyer_user.locale = "en"
    ask_for_link(client, buyer_user.email, lang="fr")  # a French browser asks
    (message,) = mails(db)
    english_time, french_time = expiry_in(app, "en"), expiry_in(app, "fr")
    assert english_time != french_time
    assert english_time in message.body and french_time not in message.body
    assert message.subject == "Choose a new ocopfair password"
    assert message.body.startswith(f"Hello {buyer_user.full_name},")


def test_the_link_sets_a_new_password_ends_every_session_and_logs_in(app, client, db, html, buyer_user):
    phone = app.test_client()
    phone.post("/login", data={"email": buyer_user.email, "password": PASSWORD, "remember": "y"})
    assert opens_my_demand(phone)
    ask_for_link(client, buyer_user.email)
    path = reset_path(mails(db)[0])

    form = client.get(path + "?lang=en")
    assert form.status_code == 200
    assert form.headers["Referrer-Policy"] == "no-referrer"
    assert html(form).find(attrs={"name": "new_password"}) is not None

    seen = []
    with security_event.connected_to(lambda user, **kw: seen.append((kw["kind"], user.id, kw["actor"].id))):
        done = client.post(path, data={"new_password": NEW, "confirm": NEW})
    assert done.status_code == 302
    assert seen == [("password_reset", buyer_user.id, buyer_user.id)]
    assert opens_my_demand(client)  # logged in with the new password
    assert not opens_my_demand(phone)  # every other session ended
    user = db.session.get(User, buyer_user.id)
    assert user.check_password(NEW) and not user.check_password(PASSWORD)

    again = client.get(path + "?lang=en")  # the link works once
    assert again.status_code == 400
    assert text_of(html(again).select_one("#reset-link-problem")) == (
        "This link has been used already, or the password has changed since it was sent."
    )
    assert (
        client.post(path, data={"new_password": "another-one-9", "confirm": "another-one-9"}).status_code
        == 400
    )
    assert db.session.get(User, buyer_user.id).check_password(NEW)


def test_the_link_expires_after_one_hour(client, db, html, buyer_user, pinned_clock):
    ask_for_link(client, buyer_user.email)
    path = reset_path(mails(db)[0])
    pinned_clock.shift(timedelta(minutes=59))
    assert client.get(path).status_code == 200
    pinned_clock.shift(timedelta(minutes=2))
    expired = client.get(path + "?lang=en")
    assert expired.status_code == 400
    assert text_of(html(expired).select_one("#reset-link-problem")) == (
        "This link has expired: links to reset a password work for one hour."
    )
    assert client.post(path, data={"new_password": NEW, "confirm": NEW}).status_code == 400
    assert db.session.get(User, buyer_user.id).check_password(PASSWORD)


def test_a_tampered_link_is_refused(client, db, html, buyer_user):
    ask_for_link(client, buyer_user.email)
    path = reset_path(mails(db)[0])
    token = path.rsplit("/", 1)[1]
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (f"/password/reset/{tampered}", "/password/reset/not-a-token"):
        response = client.get(bad + "?lang=en")
        assert response.status_code == 400
        assert text_of(html(response).select_one("#reset-link-problem")) == (
            "This link is not valid. Copy the whole link from the mail."
        )
        assert html(response).find("a", href="/password/forgot") is not None


def test_a_link_stops_working_once_the_password_changed_another_way(client, db, buyer_user, login):
    ask_for_link(client, buyer_user.email)
    path = reset_path(mails(db)[0])
    login(buyer_user)
    client.post("/account/password", data={"current_password": PASSWORD, "new_password": NEW, "confirm": NEW})
    client.post("/logout")
    assert client.get(path).status_code == 400


def test_the_new_password_follows_the_same_rules(client, db, html, buyer_user):
    ask_for_link(client, buyer_user.email)
    path = reset_path(mails(db)[0])
    short = client.post(path + "?lang=en", data={"new_password": "short", "confirm": "short"})
    assert short.status_code == 200
    assert field_error(html(short), "new_password") != ""
    differ = client.post(path + "?lang=en", data={"new_password": NEW, "confirm": NEW + "x"})
    assert field_error(html(differ), "confirm") == "The passwords differ."
    assert db.session.get(User, buyer_user.id).check_password(PASSWORD)
    assert client.get(path).status_code == 200  # a refused attempt doesn't use the link up


def test_the_reset_service_checks_the_password_like_everywhere_else(db, buyer_user):
    token = services.password_reset_token(buyer_user)
    with pytest.raises(ServiceError) as refused:
        services.reset_password(token, "1234567")
    assert refused.value.field == "new_password"
    assert str(refused.value.message) == "Use at least 10 characters."
    with pytest.raises(ServiceError) as common:
        services.reset_password(token, "qwertyuiop")
    assert str(common.value.message) == "This password is one of the most common ones; choose another."
