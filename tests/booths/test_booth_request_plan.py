"""The booth request form: only booth types with a free booth are offered, and the hall plan
is drawn with free booths as buttons to rank (taken and blocked ones shown, not pickable)."""

from __future__ import annotations

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app.booths.booking import services as booking
from app.booths.models import BoothRequest
from app.booths.plan.svg import PlanBooth, hall_plan_svg
from app.errors import ServiceError
from tests.conftest import text_of


def form_error(page) -> str:
    """The refusal shown above the page's form, under its title."""
    return " ".join(text_of(alert) for alert in page.select("main h1 ~ .alert-danger[role=alert]"))


def _taken(fair, booth):
    """Someone else holds `booth` (a first-come pick)."""
    fair.first_come()
    holder, holder_registration = fair.exhibitor()
    booking.pick_booth(holder, holder_registration, booth)


def _statements(db, work) -> int:
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa_event.listen(db.engine, "before_cursor_execute", counted)
    try:
        work()
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_only_booth_types_with_a_free_booth_are_offered(db, fair):
    (taken,) = fair.add_booths(1)
    fair.add_booths(1, blocked=True)  # the standard type: one taken, one blocked
    fair.add_booths(1, fair.double)
    fair.add_type("Corner 4×4", 3_000_000, width=4)  # no booth at all
    _taken(fair, taken)
    assert booking.requestable_types(fair.event) == [fair.double]
    assert booking.has_free_booth(fair.double) and not booking.has_free_booth(fair.standard)


def test_the_offered_types_cost_one_query_however_many_types_and_booths(db, fair):
    fair.add_booths(1)
    db.session.commit()
    assert fair.event.id  # loaded again after the commit, before counting
    few = _statements(db, lambda: booking.requestable_types(fair.event))
    for n in range(5):
        extra = fair.add_type(f"Extra {n}", 1_000_000)
        fair.add_booths(4, extra)
    fair.add_booths(10, fair.double)
    db.session.commit()
    assert fair.event.id
    many = _statements(db, lambda: booking.requestable_types(fair.event))
    assert few == many == 1
    assert len(booking.requestable_types(fair.event)) == 7


def test_a_type_without_a_free_booth_is_refused(db, fair):
    (taken,) = fair.add_booths(1)
    fair.add_booths(1, fair.double)
    _taken(fair, taken)
    user, registration = fair.exhibitor()
    with pytest.raises(ServiceError) as refused:
        booking.request_booth(user, registration, fair.standard)
    assert refused.value.field == "booth_type"
    assert booking.request_booth(user, registration, fair.double).booth_type_id == fair.double.id


def test_the_form_offers_free_types_only_and_refuses_a_posted_full_one(client, login, db, fair, html):
    (taken,) = fair.add_booths(1)
    fair.add_booths(2, fair.double)
    _taken(fair, taken)
    user, registration = fair.exhibitor()
    db.session.commit()
    login(user)
    page = html(client.get(f"/my/booths/{registration.id}/request?lang=en"))
    offered = [o["value"] for o in page.select("select#booth_type option") if o["value"]]
    assert offered == [str(fair.double.id)]
    response = client.post(
        f"/my/booths/{registration.id}/request?lang=en", data={"booth_type": fair.standard.id}
    )
    assert response.status_code == 200
    assert "Every “Standard 3×3” booth is taken; choose another type." in form_error(html(response))
    assert db.session.scalar(select(func.count()).select_from(BoothRequest)) == 0


def test_the_form_says_so_when_every_booth_is_taken(client, login, db, fair, html):
    (taken,) = fair.add_booths(1)
    _taken(fair, taken)
    user, registration = fair.exhibitor()
    db.session.commit()
    login(user)
    page = html(client.get(f"/my/booths/{registration.id}/request?lang=en"))
    assert page.select_one("form select#booth_type") is None
    assert "Every booth is taken at the moment" in page.select_one("main .alert-info").get_text()


def test_the_plan_marks_free_booths_as_buttons_to_pick(client, login, db, fair, html):
    free, taken, blocked = fair.add_booths(3)
    blocked.blocked = True
    (double,) = fair.add_booths(1, fair.double)
    _taken(fair, taken)
    user, registration = fair.exhibitor()
    db.session.commit()
    login(user)
    page = html(client.get(f"/my/booths/{registration.id}/request?lang=en"))
    plan = page.select_one("[data-booth-picker] svg.plan-svg")
    assert plan["role"] == "group"  # not an image: its buttons must reach assistive technology
    pickable = {g["data-booth-id"]: g for g in plan.select("g.booth[data-booth-id]")}
    assert set(pickable) == {str(free.id), str(double.id)}
    button = pickable[str(free.id)]
    assert (button["role"], button["tabindex"], button["aria-pressed"]) == ("button", "0", "false")
    assert button["aria-label"] == "Booth A-1, Standard 3×3, free"
    assert button["data-booth-type"] == str(fair.standard.id)
    shown = {g["data-code"]: g for g in plan.select("g.booth:not([data-booth-id])")}
    assert (
        shown["A-2"]["aria-label"] == "Booth A-2, Standard 3×3, taken"
        and "tabindex" not in shown["A-2"].attrs
    )
    assert (
        shown["A-3"]["aria-label"] == "Booth A-3, Standard 3×3, blocked"
        and shown["A-3"]["data-status"] == "blocked"
    )
    # the select lists stay for a browser without the script, each booth option saying its type
    option = page.select_one(f"select#preference_1 option[value='booth:{double.id}']")
    assert option["data-booth-type"] == str(fair.double.id)
    assert page.select_one("script[src$='js/booth-request.js']") is not None


def test_other_plans_draw_booths_as_before():
    """Without labels, a booth is no button: the plan is a labelled list of booths (the plan pages'
    drawing), while the request form's picker is a group of booth buttons."""
    booth = PlanBooth(id=7, code="B1", x=0, y=0, width=3, depth=3, status="free")
    svg = hall_plan_svg(hall_name="H", width=10, depth=10, booths=[booth], status_labels={"free": "Free"})
    assert 'role="list"' in svg and 'role="listitem"' in svg
    assert "data-booth-id" not in svg and "tabindex" not in svg and 'role="button"' not in svg
    picker = PlanBooth(
        id=7,
        code="B1",
        x=0,
        y=0,
        width=3,
        depth=3,
        status="free",
        label="Booth B1, free",
        type_id=1,
        pickable=True,
    )
    svg = hall_plan_svg(hall_name="H", width=10, depth=10, booths=[picker], status_labels={"free": "Free"})
    assert 'role="button"' in svg and 'role="list"' not in svg and 'role="listitem"' not in svg


def test_a_request_whose_type_filled_up_is_told_to_choose_another(client, login, db, fair, html):
    (last,) = fair.add_booths(1)
    fair.add_booths(1, fair.double)
    user, registration = fair.exhibitor()
    booking.request_booth(user, registration, fair.standard, note="near the door")
    _taken(fair, last)  # someone else took the last standard booth since
    db.session.commit()
    login(user)
    page = html(client.get(f"/my/booths/{registration.id}/request?lang=en"))
    assert (
        "Every “Standard 3×3” booth is taken; choose another type."
        in page.select_one("main .alert-warning").get_text()
    )
    assert page.select_one("select#booth_type option[selected]") is None  # nothing full is preselected
    assert page.select_one("textarea#note").get_text() == "near the door"


def test_the_request_forms_plan_names_the_hall_in_the_readers_language(client, login, db, fair, html):
    fair.add_booths(1)
    fair.hall.name = "Nhà A"
    fair.hall.name_en = "Hall A"
    user, registration = fair.exhibitor()
    db.session.commit()
    login(user)
    english = html(client.get(f"/my/booths/{registration.id}/request?lang=en"))
    plan = english.select_one("[data-booth-picker] svg.plan-svg")
    assert "Hall A" in text_of(plan.select_one("title")) and "Nhà A" not in str(plan)
    assert plan.select_one("g.booths")["aria-label"] == "Booths of Hall A"
    vietnamese = html(client.get(f"/my/booths/{registration.id}/request?lang=vi"))
    assert "Nhà A" in str(vietnamese.select_one("[data-booth-picker] svg.plan-svg"))
