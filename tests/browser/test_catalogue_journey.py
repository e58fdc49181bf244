"""A real journey through the pages in Chromium: an exhibitor adds a product, a visitor finds it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.catalog.certificates import services as certificates
from app.catalog.models import Product

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def test_exhibitor_adds_a_product_and_a_visitor_finds_it_in_english(
    page, exhibitor, organiser, make_product, db, app
):
    make_product(name_vi="Chả mực Hạ Long", category="seafood", ocop_group="food")
    db.session.commit()

    page.goto("/login")
    page.fill("input[name=email]", exhibitor.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/products")

    page.click("a[href='/my/products/new']")
    page.fill("#name_vi", "Trà hoa vàng Ba Chẽ")
    page.fill("#name_en", "Ba Che golden camellia tea")
    page.fill("#name_fr", "Thé au camélia doré de Ba Che")
    page.select_option("#ocop_group", "beverages")
    page.select_option("#category", "tea")
    page.select_option("#stars", "5")
    page.fill("#certificate_date", "2025-06-15")
    page.check("input[name=standards][value=organic]")
    page.fill("#capacity_per_month", "300")
    page.select_option("#capacity_unit", "kg")
    page.fill("#price_min", "1200000")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/products/*")
    assert page.locator("h1").inner_text() == "Trà hoa vàng Ba Chẽ"

    # An organiser checks its certificate (tests/browser/test_certificate_journey.py does it in
    # the queue's page); until then the catalogue leaves the product out.
    added = db.session.scalar(select(Product).where(Product.name_vi == "Trà hoa vàng Ba Chẽ"))
    added.certificate_status = "pending"  # its producer sent the certificate (uploaded in that journey)
    with app.test_request_context():
        certificates.verify_certificate(organiser, added)
    db.session.commit()

    # log out, switch to English, search the catalogue as a visitor
    page.click("#usermenu")
    page.click("form[action='/logout'] button")
    page.click("#langmenu")
    page.click("a[lang=en]")
    page.goto("/catalogue")
    page.fill("#q", "golden camellia")
    page.click("#filters button[type=submit]")
    card = page.locator(".product-card", has_text="Ba Che golden camellia tea")
    assert card.count() == 1
    assert page.locator(".product-card", has_text="Chả mực").count() == 0
    assert "₫1,200,000" in card.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "catalogue-en.png"), full_page=True)

    card.locator("a").click()
    assert page.locator("h1").inner_text() == "Ba Che golden camellia tea"
    assert page.locator("html").get_attribute("lang") == "en"


def test_the_catalogue_works_on_a_phone(browser, live_server, make_product, db):
    make_product(name_vi="Vải thiều Lục Ngạn", category="fresh_fruit", ocop_group="food")
    db.session.commit()
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    phone = context.new_page()
    phone.goto("/catalogue")
    # the menu collapses behind its toggler, and no element is wider than the screen
    assert phone.locator(".navbar-toggler").is_visible()
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    phone.click(".navbar-toggler")
    assert phone.locator("#mainnav a[href='/catalogue']").is_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "catalogue-phone.png"), full_page=True)
    context.close()
