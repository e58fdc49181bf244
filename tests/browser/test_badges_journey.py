"""In Chromium: at the desk an organiser registers a walk-in buyer, opens its badge (A6, printed to
a PDF of A6 size), checks it in at the gate by typing the badge's code, and sees the gate's counts;
the A4 sheet of four badges is screenshot and printed too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.events.models import Registration

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
MM = 72 / 25.4  # PDF points per millimetre


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _pdf_page_size(pdf: bytes) -> tuple[float, float]:
    """The first page's MediaBox width and height in points."""
    box = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert box is not None
    x0, y0, x1, y1 = (float(v) for v in box.groups())
    return x1 - x0, y1 - y0


def test_walk_in_badge_gate_and_counts(page, db, make_event, make_user, make_buyer, make_producer):
    ARTIFACTS.mkdir(exist_ok=True)
    organiser = make_user(role="organiser")
    event = make_event(organiser=organiser)
    event.state = "running"
    for organisation in (make_buyer(contact_name="Anh Minh"), make_producer(), make_producer()):
        role = "buyer" if organisation.role == "buyer" else "exhibitor"
        db.session.add(
            Registration(event_id=event.id, organisation_id=organisation.id, role=role, status="approved")
        )
    db.session.commit()
    manage = f"/manage/events/{event.id}"
    _log_in(page, organiser.email)

    # the desk: a buyer who turned up
    page.goto(f"{manage}/walk-ins")
    page.check("input[name=role][value=buyer]")
    page.fill("input[name=name]", "Bếp ăn Trường Tiểu học Kim Đồng")
    page.select_option("select[name=province_code]", "22")
    page.fill("input[name=contact_name]", "Cô Nguyễn Thị Hoa")
    page.fill("input[name=phone]", "0203 3825 111")
    page.select_option("select[name=buyer_type]", "school_kitchen")
    page.select_option("select[name=looking_for]", "rice_noodles")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    done = page.locator("[data-walk-in]")
    assert "Bếp ăn Trường Tiểu học Kim Đồng" in done.inner_text()
    page.screenshot(path=str(ARTIFACTS / "walk-in-registered.png"), full_page=True)

    # its badge opens in a new tab, ready to print on an A6 card
    with page.context.expect_page() as opened:
        page.click("a[data-print-badge]")
    badge_tab = opened.value
    badge_tab.wait_for_load_state()
    card = badge_tab.locator("section.badge-card")
    assert card.count() == 1
    assert "Cô Nguyễn Thị Hoa" in card.inner_text() and "Quảng Ninh" in card.inner_text()
    assert card.locator("svg.badge-qr").is_visible()
    box = card.bounding_box()
    assert 380 < box["width"] < 420 and 540 < box["height"] < 580, box  # 105 x 148 mm at 96 dpi
    token = card.locator("[data-token]").inner_text().strip()
    card.screenshot(path=str(ARTIFACTS / "badge-a6.png"))
    width, height = _pdf_page_size(badge_tab.pdf(prefer_css_page_size=True, print_background=True))
    assert abs(width - 105 * MM) < 2 and abs(height - 148 * MM) < 2, (width, height)
    badge_tab.close()

    # at the gate: the code typed (a scanner types it the same way)
    page.goto(f"{manage}/gate")
    page.fill("input[name=gate]", "Cổng chính")
    page.fill("input[name=token]", token.lower())
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-gate-checkin]").get_attribute("data-gate-checkin") == "done"
    assert page.locator("input[name=gate]").input_value() == "Cổng chính"
    page.fill("input[name=token]", token)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("[data-gate-checkin]").get_attribute("data-gate-checkin") == "already"
    page.fill("input[name=token]", token[:-2] + ("AA" if not token.endswith("AA") else "BB"))
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("input[name=token][aria-invalid=true]").count() == 1
    page.screenshot(path=str(ARTIFACTS / "gate-refused.png"), full_page=True)

    # the counts
    page.click("main a[href$='/gate/counts']")
    page.wait_for_load_state()
    rows = page.locator("[data-gate-counts] tbody tr")
    assert rows.count() == 1 and rows.first.inner_text().split() == ["Cổng", "chính", "1"]
    assert page.locator(".dashboard-chart svg[role=img]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "gate-counts.png"), full_page=True)

    # every badge on A4 sheets: four to a sheet, one PDF page per sheet
    page.goto(f"{manage}/badges")
    assert page.locator("tr[data-registration]").count() == 4
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "badges-list-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 720})
    with page.context.expect_page() as opened:
        page.click("button[data-print-all]")
    sheet = opened.value
    sheet.wait_for_load_state()
    assert sheet.locator(".badge-paper-a4 .badge-sheet").count() == 1
    assert sheet.locator(".badge-sheet section.badge-card").count() == 4
    sheet.locator(".badge-sheet").first.screenshot(path=str(ARTIFACTS / "badges-a4-sheet.png"))
    width, height = _pdf_page_size(sheet.pdf(prefer_css_page_size=True, print_background=True))
    assert abs(width - 210 * MM) < 2 and abs(height - 297 * MM) < 2, (width, height)
