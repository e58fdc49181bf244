"""In Chromium: an exhibitor ranks its booth preferences by clicking booths on the hall plan
(and with the keyboard), sees them in a ranked list, and the saved request keeps that order.
On a desktop and on a phone (390×844), with screenshots to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.booths.booking import services as booking
from app.booths.models import Booth, BoothPlanSettings, BoothType
from app.events import services as events
from app.events.models import Registration
from app.events.registrations import services as registrations

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def _log_in(page, email):
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", "correct horse 42")
    page.click("main form button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)


def _exhibitor(app, event, organiser, make_producer, make_user, make_product, name):
    producer = make_producer(name=name, province_code="22")
    user = make_user(role="exhibitor", organisation=producer)
    product = make_product(organisation=producer)
    with app.test_request_context("/"):
        registration = registrations.apply_as_exhibitor(user, event, [product.id])
        registrations.approve(organiser, registration)
    return user, registration


def _fair(app, db, organiser, make_event, make_producer, make_user, make_product):
    """A hall with a row of ten standard booths (B-02 taken, B-07 blocked), four double booths,
    and a corner type without booths; an approved exhibitor to ask."""
    event = make_event(organiser=organiser)
    events.open_registration(organiser, event)
    hall = events.save_hall(organiser, event, name="Hall B", width_m=60, depth_m=24)
    types = {}
    for name, width, price in (
        ("Standard", 3, 2_000_000),
        ("Double", 6, 4_000_000),
        ("Corner", 4, 3_000_000),
    ):
        types[name] = BoothType(
            event_id=event.id, name=name, width_m=width, depth_m=3, price_vnd=price, is_electronic=False
        )
        db.session.add(types[name])
    db.session.flush()
    booths = {}
    for n in range(10):
        code = f"B-{n + 1:02d}"
        booths[code] = Booth(
            event_id=event.id, hall_id=hall.id, booth_type_id=types["Standard"].id, code=code,
            x_m=2 + n * 5, y_m=3, width_m=3, depth_m=3, blocked=code == "B-07",
        )  # fmt: skip
    for n in range(4):
        code = f"D-{n + 1}"
        booths[code] = Booth(
            event_id=event.id, hall_id=hall.id, booth_type_id=types["Double"].id, code=code,
            x_m=2 + n * 10, y_m=14, width_m=6, depth_m=3,
        )  # fmt: skip
    db.session.add_all(booths.values())
    db.session.add(BoothPlanSettings(event_id=event.id, first_come_booking=True))
    db.session.flush()
    holder, holder_registration = _exhibitor(
        app, event, organiser, make_producer, make_user, make_product, "HTX Nấm Hương"
    )
    booking.pick_booth(holder, holder_registration, booths["B-02"])
    user, registration = _exhibitor(
        app, event, organiser, make_producer, make_user, make_product, "HTX Chè Shan Tuyết"
    )
    db.session.commit()
    return (
        user,
        registration.id,
        {code: b.id for code, b in booths.items()},
        {k: t.id for k, t in types.items()},
    )


def _ranked(page) -> list[str]:
    return page.locator("[data-picked-list] li > span").all_inner_texts()


def test_an_exhibitor_ranks_booths_on_the_plan_and_the_request_keeps_the_order(
    page, browser, live_server, app, db, organiser, make_event, make_producer, make_user, make_product
):
    user, registration_id, booth_ids, type_ids = _fair(
        app, db, organiser, make_event, make_producer, make_user, make_product
    )

    def booth(code):
        return page.locator(f"svg.plan-svg g.booth[data-code='{code}']")

    _log_in(page, user.email)
    page.goto(f"/my/booths/{registration_id}/request?lang=en")
    # only the types with a free booth are offered: the corner type has none
    offered = page.locator("#booth_type option").evaluate_all(
        "(os) => os.map((o) => o.value).filter(Boolean)"
    )
    assert sorted(offered) == sorted([str(type_ids["Standard"]), str(type_ids["Double"])])
    assert page.locator("[data-picked-empty]").is_visible()

    # three clicks on the plan: the first also chooses the booth type
    for code in ("B-05", "B-01", "B-09"):
        booth(code).click()
    assert page.locator("#booth_type").input_value() == str(type_ids["Standard"])
    assert [text.split(" ·")[0] for text in _ranked(page)] == ["B-05", "B-01", "B-09"]
    assert booth("B-05").get_attribute("aria-pressed") == "true"
    assert booth("B-05").locator(".rank-badge").text_content() == "1"
    assert page.locator("#preference_1").input_value() == f"booth:{booth_ids['B-05']}"
    assert page.locator("#preference_3").input_value() == f"booth:{booth_ids['B-09']}"
    # the other type's booths can't be picked now; taken and blocked booths never can
    assert "other-type" in booth("D-1").get_attribute("class")
    assert booth("D-1").get_attribute("aria-disabled") == "true"
    assert booth("B-02").get_attribute("data-booth-id") is None
    assert booth("B-07").get_attribute("role") == "img"
    assert booth("B-02").get_attribute("aria-label") == "Booth B-02, Standard, taken"

    # a fourth is refused with a message; a click on a picked booth takes it back
    booth("B-10").click()
    assert "remove one first" in page.locator("[data-picker-status]").inner_text()
    assert len(_ranked(page)) == 3
    booth("B-01").click()
    assert [text.split(" ·")[0] for text in _ranked(page)] == ["B-05", "B-09"]
    assert booth("B-01").get_attribute("aria-pressed") == "false"

    # with the keyboard: a focused booth is picked with Enter; a remove button takes one out
    booth("B-03").focus()
    page.keyboard.press("Enter")
    booth("B-10").focus()
    page.keyboard.press(" ")
    assert "remove one first" in page.locator("[data-picker-status]").inner_text()
    page.locator("[data-picked-list] li").nth(1).locator("button").click()  # B-09 out
    booth("B-10").focus()
    page.keyboard.press(" ")
    assert [text.split(" ·")[0] for text in _ranked(page)] == ["B-05", "B-03", "B-10"]
    assert booth("B-03").locator(".rank-badge").text_content() == "2"

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "booth-request-plan.png"), full_page=True)
    page.click("main form button[type=submit]")
    page.wait_for_url("**/my/booths")

    db.session.expire_all()
    request = booking.open_request_of(db.session.get(Registration, registration_id))
    assert request.booth_type_id == type_ids["Standard"]
    assert [(p.rank, p.booth_id) for p in request.preferences] == [
        (1, booth_ids["B-05"]),
        (2, booth_ids["B-03"]),
        (3, booth_ids["B-10"]),
    ]
    db.session.rollback()

    # on a phone the plan fits the screen's width: no sideways scrolling, and picking still works
    phone = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        tab = phone.new_page()
        _log_in(tab, user.email)
        tab.goto(f"/my/booths/{registration_id}/request?lang=en")
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
        plan = tab.locator("svg.plan-svg").bounding_box()
        assert plan["x"] >= 0 and plan["x"] + plan["width"] <= 390
        # the saved request is shown on the plan and in the list; its type chosen
        assert [t.split(" ·")[0] for t in tab.locator("[data-picked-list] li > span").all_inner_texts()] == [
            "B-05",
            "B-03",
            "B-10",
        ]
        tab.locator("svg.plan-svg g.booth[data-code='B-10']").click()  # taken back
        assert len(tab.locator("[data-picked-list] li").all()) == 2
        tab.screenshot(path=str(ARTIFACTS / "booth-request-plan-phone.png"), full_page=True)
    finally:
        phone.close()
