"""In Chromium, on the demo data: the demo organiser opens the programme dashboard from the menu,
where the demo fair (three weeks ahead) is planned, not held; narrows it to the planned events of
the fair's year and province, and downloads the yearly report workbook, whose figures (opened
with openpyxl) match the database."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.clock import VIETNAM
from app.demo import services as demo
from app.events.models import Event, Registration

pytestmark = pytest.mark.browser

ARTIFACTS = Path("test-artifacts")
SEED = 2025


def test_organiser_filters_the_programme_and_downloads_the_workbook(page, db, tmp_path):
    demo.load_demo(SEED)
    db.session.commit()
    event = db.session.scalar(select(Event))
    year = event.starts_at.astimezone(VIETNAM).year
    exhibitors = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == event.id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
        )
    )

    page.goto("/login?lang=en")
    page.fill("input[name=email]", f"organiser@{demo.DEMO_DOMAIN}")
    page.fill("input[name=password]", demo.DEMO_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.click("#mainnav a[href='/manage/programme']")
    page.wait_for_url("**/manage/programme")
    assert page.locator("#no-events").is_visible()  # held by default: the fair has not begun
    assert page.locator("#planned").is_visible()

    page.select_option("#year", str(year))
    page.select_option("#province", "22")  # Quảng Ninh
    page.select_option("#when", "planned")
    page.click("#programme-filters button[type=submit]")
    page.wait_for_url(f"**/manage/programme?year={year}&province=22&kind=&when=planned")
    assert page.locator("#table-events tbody tr").count() == 1
    row = page.locator("#table-by_kind tr[data-key=physical_fair]")
    assert row.locator("[data-measure=exhibitors]").inner_text() == str(exhibitors)
    assert page.locator("svg[role=img]").count() == 2  # the trend, the events per province (no contract yet)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "programme-dashboard.png"), full_page=True)

    with page.expect_download() as info:
        page.click("#workbook")
    path = tmp_path / "workbook.xlsx"
    info.value.save_as(path)
    assert info.value.suggested_filename == f"programme-report-22-{year}-planned.xlsx"
    book = load_workbook(path)
    cover = {row[0]: row[1] for row in book[book.sheetnames[0]].iter_rows(min_row=2, values_only=True)}
    assert str(year) in cover.values() and "Quảng Ninh" in cover.values()
    kinds = list(book.worksheets[1].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[2]) for r in kinds] == [(1, exhibitors)]  # one fair, its approved exhibitors
    events = list(book.worksheets[4].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in events] == [event.id]

    page.select_option("#kind", "goods_week")
    page.click("#programme-filters button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#no-events").is_visible()
