"""In Chromium, on the demo fair: the organiser opens the event dashboard from the event's page,
follows its meetings figure to the meetings (50 a page, the next page the next 50), narrows the
dashboard to one province and sees the figures change, downloads the workbook (opened with
openpyxl, its figures checked against the database), opens the printable report, whose print
layout is A4, and clones the fair for next year."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.catalog.models import Organisation
from app.data.provinces import EARLIER_OF
from app.demo import services as demo
from app.events.models import Event, Registration
from app.matching.models import MatchingSession, Meeting

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
SEED = 2025
QUANG_NINH = "22"


def approved_exhibitors(db, event_id: int, province: str | None = None) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.event_id == event_id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
        )
    )
    if province:
        query = query.where(Organisation.province_code.in_(EARLIER_OF[province]))
    return db.session.scalar(query)


def test_organiser_filters_the_dashboard_downloads_the_workbook_and_clones_the_fair(page, db, tmp_path):
    demo.load_demo(SEED)
    db.session.commit()
    event = db.session.scalar(select(Event))
    everyone = approved_exhibitors(db, event.id)
    in_quang_ninh = approved_exhibitors(db, event.id, QUANG_NINH)
    assert 0 < in_quang_ninh < everyone
    meetings = db.session.scalar(
        select(func.count())
        .select_from(Meeting)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(
            MatchingSession.event_id == event.id, Meeting.published.is_(True), Meeting.status != "cancelled"
        )
    )

    page.goto("/login?lang=en")
    page.fill("input[name=email]", "organiser@demo.ocopfair.vn")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    page.goto(f"/manage/events/{event.id}?lang=en")
    page.click(f"a[href='/manage/events/{event.id}/dashboard']")
    page.wait_for_url(f"**/manage/events/{event.id}/dashboard")

    figure = page.locator('[data-figure="approved_exhibitors"] [data-value]')
    assert figure.inner_text().strip() == str(everyone)
    assert page.locator('[data-figure="meetings"] [data-value]').inner_text().strip() == str(meetings)
    assert page.locator(".dashboard-chart svg[role=img]").count() >= 2

    # -- the meetings figure leads to the meetings, 50 a page, every one counted on each page
    assert meetings > 50
    page.click('[data-figure="meetings"] [data-value] a')
    page.wait_for_url(f"**/manage/events/{event.id}/outcomes**")
    rows = page.locator("table tbody tr[data-meeting]")
    total = page.locator('[data-total="meetings"] .fs-5')
    assert rows.count() == 50 and total.inner_text().strip() == str(meetings)
    seen = set(rows.evaluate_all("rows => rows.map(row => row.dataset.meeting)"))
    page.click(".pagination a:text-is('Next')")
    page.wait_for_url("**page=2**")
    assert rows.count() == min(50, meetings - 50) and total.inner_text().strip() == str(meetings)
    assert not seen & set(rows.evaluate_all("rows => rows.map(row => row.dataset.meeting)"))
    page.go_back()
    page.go_back()
    page.wait_for_url(f"**/manage/events/{event.id}/dashboard")

    # -- narrowed to Quảng Ninh
    page.select_option("#province", QUANG_NINH)
    page.click("button[data-apply-filters]")
    page.wait_for_url("**province=22**")
    assert figure.inner_text().strip() == str(in_quang_ninh)
    provinces = page.locator('table[data-table="exhibitors_by_province"] tbody tr')
    assert provinces.count() == 1 and "Quảng Ninh" in provinces.first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

    # -- the workbook, with the same filter
    with page.expect_download() as info:
        page.click("a[data-download=workbook]")
    download = info.value
    assert download.suggested_filename == f"{event.slug}-dashboard.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    book = load_workbook(path)
    sheet = book["Exhibitors by province"]
    assert list(sheet.iter_rows(min_row=2, values_only=True)) == [("Quảng Ninh", in_quang_ninh)]
    registrations = {
        (r[0], r[1]): r[2] for r in book["Registrations by status"].iter_rows(min_row=2, values_only=True)
    }
    assert registrations[("Exhibitors", "Approved")] == in_quang_ninh

    # -- the printable report, on A4
    page.click("a:has-text('Printable report')")
    page.wait_for_url(f"**/manage/events/{event.id}/report**")
    assert page.locator("button[data-print]").is_visible()
    page.screenshot(path=str(ARTIFACTS / "report.png"), full_page=True)
    page.emulate_media(media="print")
    assert not page.locator("button[data-print]").is_visible()
    assert not page.locator("nav.navbar").is_visible()
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi, as printed
    page.screenshot(path=str(ARTIFACTS / "report-print.png"), full_page=True)
    pdf = page.pdf(path=str(ARTIFACTS / "report.pdf"), prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    # A4 portrait is 595 × 842 points.
    assert b"/MediaBox [0 0 594.95996 841.91998]" in pdf or b"/MediaBox [0 0 595" in pdf
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6, pages  # a few A4 pages, not one endless sheet

    # -- next year's fair starts as a copy of this one (registrations never copied)
    page.emulate_media(media="screen")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/manage/events/{event.id}?lang=en")
    page.click(f"a[href='/manage/events/{event.id}/clone']")
    page.wait_for_url(f"**/manage/events/{event.id}/clone")
    page.fill("#name_vi", "Hội chợ OCOP Quảng Ninh năm sau")
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/manage/events/\d+$"))
    clone = db.session.scalar(select(Event).where(Event.name_vi == "Hội chợ OCOP Quảng Ninh năm sau"))
    assert clone is not None and clone.id != event.id and clone.state == "draft"
    assert page.url.endswith(f"/manage/events/{clone.id}")
    copied = select(func.count()).select_from(Registration).where(Registration.event_id == clone.id)
    assert db.session.scalar(copied) == 0
