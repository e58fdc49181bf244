"""The event form for a newcomer: the web address is made from the name when left empty, the
required fields say so, 0 places is explained, and after creating the event the message and
the state badge tell the same thing."""

from __future__ import annotations

from sqlalchemy import select

from app.events import services
from app.events.models import Event
from tests.events.test_event_pages import EVENT_FORM
from tests.pages import flashes

LATER_WINDOWS = {  # registration windows that start after the pinned clock (15 January 2027)
    "exhibitor_registration_opens_at": "2027-02-05T08:00",
    "buyer_registration_opens_at": "2027-02-05T08:00",
}


def _created(client, html, data):
    response = client.post("/manage/events/new?lang=en", data=data, follow_redirects=True)
    assert response.status_code == 200
    page = html(response)
    return page, page.select_one("#state [data-state]")["data-state"]


def test_an_event_created_within_its_registration_window_says_open_as_its_badge(
    client, organiser, login, html
):
    login(organiser)
    page, state = _created(client, html, EVENT_FORM)
    assert state == "registration_open"
    assert flashes(page)[-1] == "The event was created with its registration open: its window has begun."


def test_an_event_created_before_its_registration_window_is_a_draft_as_its_badge(
    client, organiser, login, html
):
    login(organiser)
    page, state = _created(client, html, EVENT_FORM | LATER_WINDOWS)
    assert state == "draft"
    assert flashes(page)[-1] == "The event was created as a draft."


def test_the_web_address_is_made_from_the_vietnamese_name_and_kept_unique(client, organiser, login, db, html):
    login(organiser)
    named = EVENT_FORM | {"slug": "", "name_vi": "Hội chợ Đặc sản Đà Nẵng – Ẩm thực 2027"}
    for _ in range(2):
        assert client.post("/manage/events/new", data=named).status_code == 302
    slugs = list(db.session.scalars(select(Event.slug).order_by(Event.id)))
    assert slugs == ["hoi-cho-dac-san-da-nang-am-thuc-2027", "hoi-cho-dac-san-da-nang-am-thuc-2027-2"]
    # An address typed by the organiser is still taken as it is.
    client.post("/manage/events/new", data=EVENT_FORM | {"slug": "ocop-2027"})
    assert db.session.scalar(select(Event.slug).order_by(Event.id.desc()).limit(1)) == "ocop-2027"


def test_an_address_left_empty_when_editing_keeps_the_event_s_address(
    client, organiser, login, make_event, db
):
    event = make_event(organiser=organiser)
    db.session.commit()
    slug = event.slug
    login(organiser)
    response = client.post(
        f"/manage/events/{event.id}/edit", data=EVENT_FORM | {"slug": "", "buyer_capacity": "7"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Event, event.id)
    assert changed.slug == slug and changed.buyer_capacity == 7


def test_slugs_lose_their_marks_and_never_come_out_empty():
    assert services.slug_from_name("Đường Hoa Hải Hà — Trà xanh") == "duong-hoa-hai-ha-tra-xanh"
    assert services.slug_from_name("???") == "event"
    assert len(services.slug_from_name("Hội chợ " * 40)) <= 72


def test_the_form_marks_required_fields_and_explains_zero_places(client, organiser, login, html):
    login(organiser)
    page = html(client.get("/manage/events/new?lang=en"))
    for name in ("kind", "name_vi", "starts_at", "ends_at", "exhibitor_capacity", "buyer_capacity"):
        field = page.find(attrs={"name": name})
        assert field.has_attr("required"), name
        assert "required" in field.find_parent("div", class_="mb-3")["class"], name
    slug = page.find(attrs={"name": "slug"})
    assert not slug.has_attr("required")
    assert "made from the Vietnamese name" in slug.find_parent("div", class_="mb-3").get_text()
    for name in ("exhibitor_capacity", "buyer_capacity"):
        block = page.find(attrs={"name": name}).find_parent("div", class_="mb-3")
        assert "0 = no places yet: every registration goes on the waiting list." in block.get_text()
