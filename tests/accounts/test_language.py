"""The language switch changes this visit's language; the account page changes the stored one,
which mail follows."""

from __future__ import annotations

from sqlalchemy import select

from app.accounts.models import User
from app.notifications.models import OutboxMessage
from tests.accounts.test_password_reset import expiry_in
from tests.conftest import text_of
from tests.pages import field_error


def test_the_language_switch_leaves_the_stored_preference_alone(client, db, html, buyer_user, login):
    buyer_user.locale = "vi"
    login(buyer_user)
    response = client.get("/lang/fr?next=/my/demand")
    assert response.status_code == 302 and response.headers["Location"] == "/my/demand"
    assert html(client.get("/my/demand")).html["lang"] == "fr"  # this visit is in French
    assert db.session.get(User, buyer_user.id).locale == "vi"  # the account still says Vietnamese


def test_the_account_page_stores_the_language_by_post(client, db, html, buyer_user, login):
    login(buyer_user)
    page = html(client.get("/account?lang=en"))
    select = page.find("select", attrs={"name": "locale"})
    assert select.find_parent("form")["method"] == "post"
    assert [o["value"] for o in select.find_all("option")] == ["vi", "en", "fr"]
    assert buyer_user.email in text_of(page.select_one("main"))

    response = client.post("/account", data={"locale": "fr"})
    assert response.status_code == 302
    assert db.session.get(User, buyer_user.id).locale == "fr"
    assert html(client.get("/account")).html["lang"] == "fr"  # and this visit follows

    refused = client.post("/account?lang=en", data={"locale": "de"})
    assert refused.status_code == 200
    assert field_error(html(refused), "locale") == "Not a valid choice."
    assert db.session.get(User, buyer_user.id).locale == "fr"


def test_the_account_page_needs_a_login(client):
    assert client.get("/account").status_code == 302
    assert client.post("/account", data={"locale": "fr"}).status_code == 302


def test_mail_follows_the_stored_preference_after_a_switch(app, client, db, buyer_user, login):
    buyer_user.locale = "en"
    login(buyer_user)
    client.get("/lang/fr")  # a French visit
    client.post("/logout")
    client.post("/password/forgot", data={"email": buyer_user.email})  # a mail to the account
    message = db.session.scalars(select(OutboxMessage)).one()
    assert db.session.get(User, buyer_user.id).locale == "en"
    assert expiry_in(app, "en") in message.body and expiry_in(app, "fr") not in message.body


LOGIN_MESSAGE = "Please log in to open this page."


def test_the_please_log_in_message_is_in_the_catalogs_source_strings():
    """It is marked for translation, so `pybabel extract` puts it in every language's catalog."""
    from babel.messages.extract import extract_from_file

    from app import __file__ as app_init
    from tests.test_translations import KEYWORDS

    found = {
        message for _line, message, _comments, _context in extract_from_file("python", app_init, KEYWORDS)
    }
    assert LOGIN_MESSAGE in found


def test_the_please_log_in_message_follows_the_visitors_language(app, client, html, monkeypatch):
    from flask_babel import get_translations

    with app.test_request_context("/?lang=fr"):
        app.preprocess_request()
        french = get_translations()  # the catalog every French request shares
    monkeypatch.setitem(french._catalog, LOGIN_MESSAGE, "Connectez-vous pour ouvrir cette page.")

    assert client.get("/account?lang=fr").status_code == 302
    alerts = html(client.get("/login")).select(".alert")
    assert [text_of(alert) for alert in alerts] == ["Connectez-vous pour ouvrir cette page."]
    assert "alert-warning" in alerts[0]["class"]  # the category is kept

    client.get("/lang/en")
    assert client.get("/account").status_code == 302
    alerts = html(client.get("/login")).select(".alert")
    assert [text_of(alert) for alert in alerts] == [LOGIN_MESSAGE]
