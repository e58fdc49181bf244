"""Accessibility that the server's HTML promises (WCAG 2.1 AA), whatever the browser:
a skip link first on every page, a declared icon that answers, and forms whose failed submit
names each invalid field, ties its message to it and sums the errors up.
Axe-core's checks in a browser: tests/browser/test_accessibility.py."""

from __future__ import annotations

import pytest

from tests.conftest import text_of


def _first_focusable(page):
    return page.select_one("body").find(["a", "button", "input", "select", "textarea"])


@pytest.mark.parametrize("url", ["/", "/catalogue", "/login", "/signup", "/events/"])
def test_every_page_opens_with_a_skip_link_to_its_main_content(client, db, html, url):
    page = html(client.get(url + "?lang=en"))
    link = _first_focusable(page)
    assert link.name == "a" and link["href"] == "#main"
    assert text_of(link) == "Skip to main content"
    assert page.select_one("main")["id"] == "main"


def test_pages_declare_an_icon_and_favicon_ico_answers(client, db, html):
    page = html(client.get("/catalogue"))
    icon = page.select_one('link[rel="icon"]')
    assert icon is not None
    assert client.get(icon["href"]).status_code == 200
    response = client.get("/favicon.ico")  # public: asked by every browser on its own
    assert response.status_code == 200
    assert response.mimetype in ("image/vnd.microsoft.icon", "image/x-icon")
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header


def _check_invalid_fields(page, names):
    summary = page.select_one("[data-error-summary]")
    assert summary is not None and summary["role"] == "alert"
    linked = [a["href"] for a in summary.select("a")]
    for name in names:
        field = page.select_one(f'[name="{name}"]')
        assert field["aria-invalid"] == "true", name
        described = field["aria-describedby"].split()
        assert described, name
        for element_id in described:
            message = page.find(id=element_id)
            assert message is not None and text_of(message), (name, element_id)
        assert f"#{field['id']}" in linked  # the summary leads to the field
    valid = [
        f
        for f in page.select("form input[aria-invalid], form select[aria-invalid]")
        if f["name"] not in names
    ]
    assert valid == []


def test_a_failed_login_marks_its_fields_and_sums_the_errors_up(client, db, html):
    page = html(client.post("/login?lang=en", data={"email": "not-an-email", "password": ""}))
    _check_invalid_fields(page, ["email", "password"])
    summary = page.select_one("[data-error-summary]")
    assert "Email" in text_of(summary) or "email" in text_of(summary).lower()


def test_a_page_without_errors_has_no_summary_and_no_invalid_field(client, db, html):
    page = html(client.get("/login"))
    assert page.select_one("[data-error-summary]") is None
    assert page.select("[aria-invalid]") == []


def test_a_hand_laid_form_marks_its_invalid_fields_too(client, organiser, login, db, html):
    """The event form places each field itself (render_field from macros.html)."""
    db.session.commit()
    login(organiser)
    page = html(client.post("/manage/events/new?lang=en", data={"name_vi": ""}))
    summary = page.select_one("[data-error-summary]")
    assert summary is not None
    invalid = page.select("form [aria-invalid=true]")
    assert invalid, "no field marked invalid"
    for field in invalid:
        for element_id in field["aria-describedby"].split():
            assert page.find(id=element_id) is not None


@pytest.mark.parametrize(("lang", "colon"), [("fr", "\u00a0: "), ("en", ": "), ("vi", ": ")])
def test_the_error_summary_joins_label_and_message_with_the_languages_colon(client, db, html, lang, colon):
    """French sets a non-breaking space before the colon: "Mot de passe : ..."."""
    page = html(client.post(f"/login?lang={lang}", data={"email": "not-an-email", "password": ""}))
    links = [a.get_text().strip() for a in page.select("[data-error-summary] a")]
    assert len(links) == 2
    for link in links:
        label, sep, message = link.partition(colon)
        assert sep and label and message, link
        assert not label.endswith((" ", "\u00a0")), "one space only, the right one"
