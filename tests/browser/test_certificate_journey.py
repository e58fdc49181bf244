"""In Chromium: an exhibitor uploads its OCOP certificate, an organiser checks it in the queue,
and only then does the product show as certified, with who verified it and when."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _log_in(page, user) -> None:
    page.goto("/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")


def _log_out(page) -> None:
    page.click("#usermenu")
    page.click("form[action='/logout'] button")


def test_a_certificate_is_uploaded_verified_in_the_queue_and_the_product_shows_certified(
    page, exhibitor, organiser, make_product, db
):
    product = make_product(
        exhibitor.organisation,
        name_vi="Trà hoa vàng Ba Chẽ",
        name_en="Ba Che golden camellia tea",
        gtin="8934588012112",
        traceability_code="QN-BC-0001",
        certificate_status="missing",
    )
    db.session.commit()
    page.goto("/lang/en")

    # The exhibitor sends the certificate from its products page.
    _log_in(page, exhibitor)
    page.wait_for_url("**/my/products")
    page.click(f"a[href='/my/products/{product.id}/certificate']")
    page.fill("#certificate_number", "123/QĐ-UBND")
    page.select_option("#stars", "4")
    page.check("input[name=certificate_level][value=province]")
    page.fill("#certificate_date", "2026-06-15")
    page.set_input_files(
        "input[name=file]", files=[{"name": "chung-nhan.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "certificate-form.png"), full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/products")
    assert page.locator("[data-certificate=pending]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "certificate-my-products.png"), full_page=True)

    # Not certified yet: the product page says it is being checked, the catalogue leaves it out.
    page.goto(f"/products/{product.id}")
    assert page.locator("[data-certificate=certified]").count() == 0
    assert page.locator("[data-certificate=pending]").is_visible()
    _log_out(page)
    page.goto("/catalogue?q=camellia")
    assert page.locator(".product-card", has_text="Ba Che golden camellia tea").count() == 0

    # The organiser checks it in the queue.
    _log_in(page, organiser)
    page.goto("/certificates")
    row = page.locator(f"tr[data-product-id='{product.id}']")
    assert "123/QĐ-UBND" in row.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "certificate-queue.png"), full_page=True)
    row.locator("button[type=submit]").click()
    page.wait_for_url("**/certificates")
    assert page.locator(f"tr[data-product-id='{product.id}']").count() == 0
    _log_out(page)

    # Now anyone sees it certified, by whom and when, with its GS1 barcode, and finds it by GTIN.
    page.goto(f"/products/{product.id}")
    assert page.locator("[data-certificate=certified]").is_visible()
    check = page.locator("[data-certificate-check=verified]").inner_text()
    assert organiser.full_name in check and "Verified by" in check
    barcode = page.locator(".gtin-barcode img")
    assert barcode.evaluate("img => img.complete && img.naturalWidth > 0")
    page.screenshot(path=str(ARTIFACTS / "certificate-product.png"), full_page=True)
    page.goto("/catalogue?q=8934588012112")
    assert page.locator(".product-card", has_text="Ba Che golden camellia tea").count() == 1
    page.goto("/trace/QN-BC-0001")
    assert page.locator(".gtin-barcode img").evaluate("img => img.complete && img.naturalWidth > 0")
