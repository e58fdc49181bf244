"""Accessibility that the server's HTML promises (WCAG 2.1 AA), whatever the browser:
a skip link first on every page, a declared icon that answers, and forms whose failed submit
names each invalid field, ties its message to it and sums the errors up.
Axe-core's checks in a browser: tests/browser/test_accessibility.py."""

from __future__ import annotations

import pytest

from tests.conftest import text_of
from tests.pages import check_invalid_fields


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


def test_a_failed_login_marks_its_fields_and_sums_the_errors_up(client, db, html):
    page = html(client.post("/login?lang=en", data={"email": "not-an-email", "password": ""}))
    check_invalid_fields(page, ["email", "password"])
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


def test_a_refused_demand_line_marks_its_province_and_standard_boxes(client, buyer_user, login, db, html):
    """The province checklist is laid out by hand; the standards' list through render_field:
    each box of both is marked, tied to its message, and the summary leads to the first box."""
    db.session.commit()
    login(buyer_user)
    data = {"category": "tea", "monthly_volume": "2000", "unit": "kg", "min_stars": "4"}
    page = html(
        client.post("/my/demand/new?lang=en", data=data | {"provinces": ["99"], "standards": ["zzz"]})
    )
    check_invalid_fields(page, ["provinces", "standards"])
    for name in ("provinces", "standards"):
        boxes = page.select(f"input[name={name}]")
        assert len(boxes) > 1 and all(box["aria-invalid"] == "true" for box in boxes)


def test_a_refused_choice_of_radio_buttons_marks_each_button(client, db, html):
    """render_field's radio buttons (signup's "I am"): each button, not the group around them."""
    page = html(client.post("/signup?lang=en", data={"role": "nobody", "email": "x@example.vn"}))
    check_invalid_fields(
        page, ["role", "full_name", "password", "confirm", "organisation_name", "province_code"]
    )
    radios = page.select("input[name=role]")
    assert len(radios) == 2 and all(radio["aria-invalid"] == "true" for radio in radios)
