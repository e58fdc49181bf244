"""Organisers create events, lay out halls and the programme, and move the event through its states."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.errors import ServiceError
from app.events import services
from app.events.models import Event, ProgrammeItem, Registration
from tests.pages import field_error

EVENT_FORM = {
    "kind": "physical_fair",
    "name_vi": "Hội chợ OCOP Quảng Ninh 2026",
    "name_en": "Quang Ninh OCOP Fair 2026",
    "slug": "hoi-cho-ocop-quang-ninh-2026",
    "timezone": "Asia/Ho_Chi_Minh",
    "starts_at": "2027-04-10T08:00",
    "ends_at": "2027-04-14T21:00",
    "venue_name": "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
    "province_code": "22",
    "exhibitor_capacity": "200",
    "buyer_capacity": "80",
    "exhibitor_registration_opens_at": "2027-01-05T08:00",
    "exhibitor_registration_closes_at": "2027-03-20T17:00",
    "buyer_registration_opens_at": "2027-01-05T08:00",
    "buyer_registration_closes_at": "2027-04-01T17:00",
}


def test_an_organiser_creates_an_event_in_its_time_zone(client, organiser, login, db):
    login(organiser)
    response = client.post("/manage/events/new", data=EVENT_FORM)
    assert response.status_code == 302
    event = db.session.scalar(select(Event))
    assert event.state == "registration_open"  # its windows opened on 5 January, before now
    # 08:00 in Hạ Long is 01:00 UTC
    assert event.starts_at == datetime(2027, 4, 10, 1, 0, tzinfo=UTC)
    assert client.get(f"/manage/events/{event.id}").status_code == 200


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"ends_at": "2027-04-09T08:00"}, "must end after it starts"),
        ({"exhibitor_registration_closes_at": "2027-04-20T08:00"}, "can't close after the event ends"),
        ({"timezone": "Asia/Hanoi_City"}, "Unknown time zone"),
        ({"slug": "Hội chợ"}, "lower-case letters"),
        ({"venue_name": ""}, "needs a venue"),
    ],
)
def test_a_wrong_event_setting_is_refused_next_to_its_field_and_nothing_saved(
    client, organiser, login, db, html, changes, message
):
    login(organiser)
    response = client.post("/manage/events/new?lang=en", data=EVENT_FORM | changes)
    assert response.status_code == 200
    page = html(response)
    (field,) = changes
    assert message in field_error(page, field)
    assert (
        page.find("input", attrs={"name": "name_en"})["value"] == "Quang Ninh OCOP Fair 2026"
    )  # typed stays
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0


def test_a_slug_already_taken_is_refused(client, organiser, login, make_event, db, html):
    make_event(slug="hoi-cho-ocop-quang-ninh-2026")
    db.session.commit()
    login(organiser)
    response = client.post("/manage/events/new?lang=en", data=EVENT_FORM)
    assert field_error(html(response), "slug") == "Another event already uses this address."


def test_capacity_cannot_drop_below_the_number_already_approved(
    client, organiser, login, make_event, make_producer, db, html
):
    event = make_event(organiser=organiser)
    for _ in range(3):
        db.session.add(
            Registration(event=event, organisation=make_producer(), role="exhibitor", status="approved")
        )
    db.session.commit()
    login(organiser)
    form = EVENT_FORM | {"slug": event.slug, "exhibitor_capacity": "2"}
    response = client.post(f"/manage/events/{event.id}/edit?lang=en", data=form)
    assert "3 are already approved" in field_error(html(response), "exhibitor_capacity")
    db.session.expire_all()
    assert db.session.get(Event, event.id).exhibitor_capacity == 10


def test_programme_items_in_the_same_place_cannot_overlap(client, organiser, login, make_event, db, html):
    event = make_event(organiser=organiser)
    db.session.commit()
    login(organiser)
    day = (services.to_local(event, event.starts_at).date() + timedelta(days=1)).isoformat()
    opening = {
        "kind": "opening",
        "title_vi": "Khai mạc",
        "location": "Hall A",
        "starts_at": f"{day}T09:00",
        "ends_at": f"{day}T10:00",
    }
    assert client.post(f"/manage/events/{event.id}/programme/new", data=opening).status_code == 302
    clash = opening | {
        "kind": "seminar",
        "title_vi": "Hội thảo",
        "starts_at": f"{day}T09:30",
        "ends_at": f"{day}T11:00",
    }
    response = client.post(f"/manage/events/{event.id}/programme/new?lang=en", data=clash)
    assert response.status_code == 200
    assert field_error(html(response), "starts_at") == "“Khai mạc” is already in Hall A from 09:00 to 10:00."
    elsewhere = clash | {"location": "Hall B"}
    assert client.post(f"/manage/events/{event.id}/programme/new", data=elsewhere).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(ProgrammeItem)) == 2


def test_moving_a_programme_item_raises_its_sequence_and_removing_keeps_it_cancelled(
    organiser, make_event, db
):
    event = make_event(organiser=organiser)
    start = event.starts_at + timedelta(hours=1)
    item = services.save_programme_item(
        organiser,
        event,
        kind="tasting",
        title_vi="Thử chè Hải Hà",
        starts_at=start,
        ends_at=start + timedelta(hours=1),
        location="Hall A",
    )
    assert item.sequence == 0
    services.save_programme_item(
        organiser,
        event,
        kind="tasting",
        title_vi="Thử chè Hải Hà",
        starts_at=start + timedelta(hours=2),
        ends_at=start + timedelta(hours=3),
        location="Hall A",
        item=item,
    )
    assert item.sequence == 1
    services.cancel_programme_item(organiser, item)
    assert item.cancelled and item.sequence == 2


def test_states_follow_their_guards(client, organiser, login, make_event, db):
    now = clock.now()
    event = make_event(
        organiser=organiser,
        exhibitor_registration_opens_at=now + timedelta(days=2),
        buyer_registration_opens_at=now + timedelta(days=2),
    )
    db.session.commit()
    login(organiser)
    client.post(f"/manage/events/{event.id}/move/registration_open")
    db.session.expire_all()
    assert db.session.get(Event, event.id).state == "draft"  # the window has not started
    with pytest.raises(ServiceError):
        services.move_event(organiser, event, "scheduled")
    later = now + timedelta(days=3)
    services.open_registration(organiser, event, now=later)
    assert [m.target for m in services.next_moves(event, later)] == ["registration_closed", "cancelled"]
    services.close_registration(organiser, event, now=later)
    services.schedule_event(organiser, event, now=later)
    with pytest.raises(ServiceError):
        services.start_event(None, event, now=later)
    assert event.state == "scheduled"
    services.start_event(None, event, now=event.starts_at)
    services.finish_event(None, event, now=event.ends_at)
    assert event.state == "finished"


def test_cancelling_an_event_asks_first(client, organiser, login, make_event, db, html):
    event = make_event(organiser=organiser)
    db.session.commit()
    login(organiser)
    confirm = client.get(f"/manage/events/{event.id}/move/cancelled")
    assert confirm.status_code == 200
    form = html(confirm).select_one("main form[method=post]")  # a form asking to confirm, posting back here
    assert form.get("action", "") in ("", f"/manage/events/{event.id}/move/cancelled")
    db.session.expire_all()
    assert db.session.get(Event, event.id).state == "draft"
    client.post(f"/manage/events/{event.id}/move/cancelled")
    db.session.expire_all()
    assert db.session.get(Event, event.id).state == "cancelled"


def test_halls_need_a_positive_size_and_a_unique_name(client, organiser, login, make_event, db, html):
    event = make_event(organiser=organiser)
    db.session.commit()
    login(organiser)
    assert (
        client.post(
            f"/manage/events/{event.id}/halls", data={"name": "Nhà A", "width_m": "60", "depth_m": "40"}
        ).status_code
        == 302
    )
    again = client.post(
        f"/manage/events/{event.id}/halls?lang=en", data={"name": "Nhà A", "width_m": "10", "depth_m": "10"}
    )
    assert field_error(html(again), "name") == "This event already has a hall with this name."
    bad = client.post(
        f"/manage/events/{event.id}/halls", data={"name": "Nhà B", "width_m": "0", "depth_m": "10"}
    )
    assert bad.status_code == 200
    assert field_error(html(bad), "width_m")  # the size is refused where it was typed
    db.session.expire_all()
    assert [h.name for h in db.session.get(Event, event.id).halls] == ["Nhà A"]


def test_only_the_events_own_organisers_manage_it(
    client, organiser, make_user, login, make_event, exhibitor, buyer_user, db
):
    event = make_event(organiser=organiser)
    stranger = make_user(role="organiser")
    db.session.commit()
    urls = [
        f"/manage/events/{event.id}",
        f"/manage/events/{event.id}/edit",
        f"/manage/events/{event.id}/programme/new",
        f"/manage/events/{event.id}/move/cancelled",
    ]
    for user in (stranger, exhibitor, buyer_user):
        login(user)
        for url in urls:
            assert client.get(url).status_code == 403, (user.role, url)
        assert client.post(f"/manage/events/{event.id}/move/cancelled").status_code == 403
        assert (
            client.post(
                f"/manage/events/{event.id}/halls", data={"name": "X", "width_m": "5", "depth_m": "5"}
            ).status_code
            == 403
        )
        client.post("/logout")
    db.session.expire_all()
    assert db.session.get(Event, event.id).state == "draft"
    assert client.get("/manage/events/").status_code == 302  # anonymous → login


def test_hall_names_are_kept_in_three_languages_and_shown_in_the_readers(
    client, organiser, login, make_event, db, html
):
    event = make_event(organiser=organiser)
    db.session.commit()
    login(organiser)
    data = {"name": "Nhà A", "name_en": "Hall A", "name_fr": "", "width_m": "60", "depth_m": "40"}
    assert client.post(f"/manage/events/{event.id}/halls", data=data).status_code == 302
    db.session.expire_all()
    (hall,) = db.session.get(Event, event.id).halls
    assert (hall.name, hall.name_en, hall.name_fr) == ("Nhà A", "Hall A", None)

    def listed(lang):
        page = html(client.get(f"/manage/events/{event.id}?lang={lang}"))
        return page.select_one(f"a[href='/manage/events/{event.id}/halls/{hall.id}']").find_parent("li")

    english = listed("en")
    assert "Hall A" in english.get_text() and english.select("span[lang]") == []
    assert listed("fr").select_one("span[lang=en]").get_text() == "Hall A"  # no French name: English
    assert "Nhà A" in listed("vi").get_text()
