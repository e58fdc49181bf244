"""In Chromium: a form's required fields show a star beside their label, the optional ones none."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

STAR = "(name) => getComputedStyle(document.querySelector(`label[for=${name}]`), '::after').content"


def test_required_fields_are_marked_beside_their_label(page, organiser, db):
    db.session.commit()
    page.goto("/login")
    page.fill("input[name=email]", organiser.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto("/manage/events/new")
    for name in ("name_vi", "starts_at", "exhibitor_capacity"):
        assert page.evaluate(STAR, name) == '" *"', name
    for name in ("name_en", "slug", "venue_address"):
        assert page.evaluate(STAR, name) in ("none", "normal"), name
