"""The public event page and the programme's iCalendar feed (specs/calendar.md)."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
import vobject

from app import clock
from app.events import services
from app.events.models import Registration, RegistrationProduct

ZONE = "Asia/Ho_Chi_Minh"
OPENING = "Lễ khai mạc Hội chợ OCOP Quảng Ninh — chè Hải Hà, nước mắm Cái Rồng"
TASTING = "Thưởng thức đặc sản: chả mực Hạ Long; rượu ba kích"
SEMINAR = "Hội thảo: đưa sản phẩm OCOP vào siêu thị"


@pytest.fixture()
def fair(db, organiser):
    """A public fair (registration open) with three programme items on its first two days."""
    now = clock.now().replace(microsecond=0)
    # 08:00 Hạ Long time is 01:00 UTC
    first_day = (now + timedelta(days=30)).replace(hour=1, minute=0, second=0)
    event = services.create_event(
        organiser,
        slug="hoi-cho-ocop-quang-ninh",
        kind="physical_fair",
        name_vi="Hội chợ OCOP Quảng Ninh",
        name_en="Quang Ninh OCOP Fair",
        description_vi="Hội chợ các sản phẩm OCOP của tỉnh Quảng Ninh.",
        description_en="The OCOP products of Quang Ninh province.",
        timezone=ZONE,
        starts_at=first_day,
        ends_at=first_day + timedelta(days=3, hours=12),
        venue_name="Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
        exhibitor_capacity=50,
        buyer_capacity=20,
        exhibitor_registration_opens_at=now - timedelta(days=1),
        exhibitor_registration_closes_at=now + timedelta(days=20),
        buyer_registration_opens_at=now - timedelta(days=1),
        buyer_registration_closes_at=now + timedelta(days=25),
    )
    services.save_hall(organiser, event, name="Nhà A", width_m=60, depth_m=40)

    def item(title, title_en, kind, hours, length, location="Sân khấu chính"):
        return services.save_programme_item(
            organiser,
            event,
            kind=kind,
            title_vi=title,
            title_en=title_en,
            starts_at=first_day + timedelta(hours=hours),
            ends_at=first_day + timedelta(hours=hours + length),
            location=location,
            description="Mời toàn thể khách tham quan.",
        )

    item(OPENING, "Opening ceremony", "opening", 0, 1.5)
    item(TASTING, "Tasting of Ha Long specialities", "tasting", 3, 2, location="Nhà A, gian 12")
    item(SEMINAR, "Seminar: OCOP products into supermarkets", "seminar", 24 + 1, 2)
    services.open_registration(None, event, now=now)
    db.session.commit()
    return event


def _feed(client, event, lang="vi"):
    response = client.get(f"/events/{event.slug}/programme.ics?lang={lang}")
    assert response.status_code == 200
    return response


def _vevents_icalendar(body: bytes):
    return icalendar.Calendar.from_ical(body).walk("VEVENT")


def _vevents_vobject(body: bytes):
    return vobject.readOne(body.decode("utf-8")).vevent_list


def _by_uid(vevents) -> dict:
    return {str(v["UID"]): v for v in vevents}


def test_the_feed_parses_with_two_independent_parsers_that_agree(client, fair):
    body = _feed(client, fair).data
    calendar = icalendar.Calendar.from_ical(body)
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert "ocopfair" in str(calendar["PRODID"])
    assert str(calendar["X-WR-CALNAME"]) == "Hội chợ OCOP Quảng Ninh"
    assert str(calendar["X-WR-TIMEZONE"]) == ZONE
    assert str(calendar["X-PUBLISHED-TTL"]) == "PT1H"  # how often subscribers fetch again
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]

    by_icalendar = _vevents_icalendar(body)
    by_vobject = _vevents_vobject(body)
    assert len(by_icalendar) == len(by_vobject) == 3
    uids = {str(v["UID"]) for v in by_icalendar}
    assert uids == {v.uid.value for v in by_vobject}
    assert all(re.fullmatch(r"programme-\d+@ocopfair\.local", uid) for uid in uids)
    assert {str(v["SUMMARY"]) for v in by_icalendar} == {OPENING, TASTING, SEMINAR}
    assert {v.summary.value for v in by_vobject} == {OPENING, TASTING, SEMINAR}

    vcal = vobject.readOne(body.decode("utf-8"))
    assert [tz.tzid.value for tz in vcal.vtimezone_list] == [ZONE]
    for ical_event, vobj_event in zip(
        sorted(by_icalendar, key=lambda v: str(v["UID"])),
        sorted(by_vobject, key=lambda v: v.uid.value),
        strict=True,
    ):
        start = ical_event["DTSTART"]
        assert start.params["TZID"] == ZONE
        assert start.dt.utcoffset() == timedelta(hours=7)
        # vobject turns TZID into a tzinfo built from the feed's own VTIMEZONE
        assert vobj_event.dtstart.params["X-VOBJ-ORIGINAL-TZID"] == [ZONE]
        assert vobject.icalendar.TimezoneComponent.pickTzid(vobj_event.dtstart.value.tzinfo) == ZONE
        assert vobj_event.dtstart.value.utcoffset() == timedelta(hours=7)
        assert vobj_event.dtstart.value == start.dt  # same instant for both parsers
        assert ical_event["STATUS"] == "CONFIRMED"
        assert vobj_event.status.value == "CONFIRMED"
        assert "DTSTAMP" in ical_event and "LAST-MODIFIED" in ical_event
        assert "http://localhost/events/hoi-cho-ocop-quang-ninh" in vobj_event.description.value
        assert vobj_event.url.value == "http://localhost/events/hoi-cho-ocop-quang-ninh"

    tasting = next(v for v in by_vobject if v.summary.value == TASTING)
    # the commas and semicolons were escaped on the way out and come back intact
    assert tasting.location.value == "Nhà A, gian 12 · Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh"
    opening = next(v for v in by_icalendar if str(v["SUMMARY"]) == OPENING)
    assert opening["DTSTART"].dt.hour == 8  # 08:00 local, as the organiser typed it


def test_the_feed_is_a_calendar_download_with_a_file_name(client, fair):
    response = _feed(client, fair)
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert 'filename="hoi-cho-ocop-quang-ninh.ics"' in disposition


def test_feed_lines_are_folded_at_75_octets_and_end_in_crlf(client, fair):
    body = _feed(client, fair).data
    assert body.endswith(b"\r\n")
    lines = body.split(b"\r\n")
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)  # the long Vietnamese titles were folded
    body.decode("utf-8")  # folding never split a multi-byte character


def test_the_feed_speaks_the_visitors_language(client, fair):
    body = _feed(client, fair, lang="en").data
    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == "Quang Ninh OCOP Fair"
    assert "Opening ceremony" in {str(v["SUMMARY"]) for v in calendar.walk("VEVENT")}


def test_moving_an_item_raises_its_sequence_and_keeps_its_uid(client, fair, organiser, db):
    before = _by_uid(_vevents_icalendar(_feed(client, fair).data))
    item = next(i for i in fair.programme if i.title_vi == TASTING)
    uid = f"programme-{item.id}@ocopfair.local"
    assert int(before[uid]["SEQUENCE"]) == 0

    services.save_programme_item(
        organiser,
        fair,
        item=item,
        kind=item.kind,
        title_vi=item.title_vi,
        title_en=item.title_en,
        starts_at=item.starts_at + timedelta(hours=1),
        ends_at=item.ends_at + timedelta(hours=1),
        location=item.location,
    )
    db.session.commit()

    after = _by_uid(_vevents_icalendar(_feed(client, fair).data))
    assert set(after) == set(before)
    assert int(after[uid]["SEQUENCE"]) == 1
    assert after[uid]["DTSTART"].dt == before[uid]["DTSTART"].dt + timedelta(hours=1)
    untouched = set(after) - {uid}
    assert all(int(after[u]["SEQUENCE"]) == int(before[u]["SEQUENCE"]) for u in untouched)


def test_a_cancelled_item_stays_in_the_feed_as_cancelled_with_a_higher_sequence(client, fair, organiser, db):
    item = next(i for i in fair.programme if i.title_vi == SEMINAR)
    uid = f"programme-{item.id}@ocopfair.local"
    before = _by_uid(_vevents_icalendar(_feed(client, fair).data))[uid]

    services.cancel_programme_item(organiser, item)
    db.session.commit()

    body = _feed(client, fair).data
    after = _by_uid(_vevents_icalendar(body))
    assert len(after) == 3
    assert after[uid]["STATUS"] == "CANCELLED"
    assert int(after[uid]["SEQUENCE"]) > int(before["SEQUENCE"])
    by_vobject = {v.uid.value: v for v in _vevents_vobject(body)}
    assert by_vobject[uid].status.value == "CANCELLED"


def test_cancelled_items_leave_the_feed_once_the_event_has_ended(fair, organiser):
    from app.events.ical import programme_calendar

    item = next(i for i in fair.programme if i.title_vi == SEMINAR)
    services.cancel_programme_item(organiser, item)
    during = programme_calendar(fair, fair.programme, host="h", event_url="http://x/e", now=fair.starts_at)
    after = programme_calendar(
        fair, fair.programme, host="h", event_url="http://x/e", now=fair.ends_at + timedelta(days=1)
    )
    assert len(_vevents_icalendar(during)) == 3
    assert len(_vevents_icalendar(after)) == 2


def test_a_draft_event_is_hidden_from_the_public_but_previewed_by_its_organiser(client, organiser, login, db):
    now = clock.now().replace(microsecond=0)
    draft = services.create_event(
        organiser,
        slug="tuan-hang-viet-2027",
        kind="online_week",
        name_vi="Tuần hàng Việt trực tuyến",
        timezone=ZONE,
        starts_at=now + timedelta(days=40),
        ends_at=now + timedelta(days=47),
    )
    db.session.commit()
    assert draft.state == "draft"
    assert client.get("/events/tuan-hang-viet-2027").status_code == 404
    assert client.get("/events/tuan-hang-viet-2027/programme.ics").status_code == 404
    assert "Tuần hàng Việt trực tuyến" not in client.get("/events/").get_data(as_text=True)

    login(organiser)
    page = client.get("/events/tuan-hang-viet-2027")
    assert page.status_code == 200
    assert "Tuần hàng Việt trực tuyến" in page.get_data(as_text=True)
    feed = client.get("/events/tuan-hang-viet-2027/programme.ics")
    assert feed.status_code == 200
    calendar = icalendar.Calendar.from_ical(feed.data)
    assert calendar.walk("VEVENT") == []
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == [ZONE]


def test_an_unknown_event_is_not_found(client, db):
    assert client.get("/events/khong-co").status_code == 404
    assert client.get("/events/khong-co/programme.ics").status_code == 404


def test_the_public_page_shows_the_programme_and_only_approved_exhibitors(
    client, fair, make_producer, make_product, db
):
    approved_org = make_producer(name="HTX Chè Hải Hà Tân Hương")
    approved_product = make_product(
        organisation=approved_org, name_vi="Chè Tân Hương", name_en="Tan Huong tea"
    )
    pending_org = make_producer(name="Cơ sở Nước mắm Cái Rồng")
    registration = Registration(event=fair, organisation=approved_org, role="exhibitor", status="approved")
    registration.product_rows.append(RegistrationProduct(product_id=approved_product.id))
    db.session.add(registration)
    db.session.add(Registration(event=fair, organisation=pending_org, role="exhibitor", status="pending"))
    db.session.commit()

    vi = client.get("/events/hoi-cho-ocop-quang-ninh?lang=vi")
    assert vi.status_code == 200
    page = vi.get_data(as_text=True)
    assert "Hội chợ OCOP Quảng Ninh" in page
    assert "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh" in page
    assert "Nhà A" in page
    assert "Asia/Ho_Chi_Minh" not in page
    for title in (OPENING, TASTING, SEMINAR):
        assert title in page
    assert "HTX Chè Hải Hà Tân Hương" in page
    assert f'href="/organisations/{approved_org.id}"' in page
    assert "Chè Tân Hương" in page
    assert "Cơ sở Nước mắm Cái Rồng" not in page
    assert 'href="/events/hoi-cho-ocop-quang-ninh/programme.ics"' in page
    assert "webcal://localhost/events/hoi-cho-ocop-quang-ninh/programme.ics" in page

    en = client.get("/events/hoi-cho-ocop-quang-ninh?lang=en")
    page = en.get_data(as_text=True)
    assert "Quang Ninh OCOP Fair" in page
    assert "The OCOP products of Quang Ninh province." in page
    assert "Opening ceremony" in page
    assert "Tan Huong tea" in page
    assert "Times in Vietnam time (UTC+7)" in page and "Asia/Ho_Chi_Minh" not in page
    assert "Add to calendar" in page
    # an English visitor downloads and subscribes to the English feed
    assert 'href="/events/hoi-cho-ocop-quang-ninh/programme.ics?lang=en"' in page
    assert "webcal://localhost/events/hoi-cho-ocop-quang-ninh/programme.ics?lang=en" in page
    assert "Subscribe" in page
    assert "registration open until" in page
    assert "Cơ sở Nước mắm Cái Rồng" not in page


def test_the_public_page_has_no_exhibitor_list_before_any_is_approved(client, fair, make_producer, db):
    db.session.add(Registration(event=fair, organisation=make_producer(), role="exhibitor", status="pending"))
    db.session.commit()
    page = client.get("/events/hoi-cho-ocop-quang-ninh?lang=en").get_data(as_text=True)
    assert 'id="exhibitors"' not in page


def test_a_cancelled_programme_item_is_struck_through_on_the_page(client, fair, organiser, db):
    item = next(i for i in fair.programme if i.title_vi == SEMINAR)
    services.cancel_programme_item(organiser, item)
    db.session.commit()
    page = client.get("/events/hoi-cho-ocop-quang-ninh?lang=vi").get_data(as_text=True)
    assert f"<s>{SEMINAR}</s>" in page
    assert f"<s>{OPENING}</s>" not in page


def test_the_events_list_shows_upcoming_before_past_and_an_empty_state(client, organiser, db):
    assert "No events have been announced yet." in client.get("/events/?lang=en").get_data(as_text=True)

    now = clock.now().replace(microsecond=0)
    for slug, name, offset in (
        ("hoi-cho-cu", "Hội chợ năm ngoái", -400),
        ("hoi-cho-moi", "Hội chợ sắp tới", 60),
    ):
        event = services.create_event(
            organiser,
            slug=slug,
            kind="conference",
            name_vi=name,
            timezone=ZONE,
            starts_at=now + timedelta(days=offset),
            ends_at=now + timedelta(days=offset + 2),
            venue_name="Khách sạn Mường Thanh",
        )
        event.state = "finished" if offset < 0 else "scheduled"  # past states, set directly for the list
    services.create_event(
        organiser,
        slug="nhap",
        kind="online_week",
        name_vi="Bản nháp",
        timezone=ZONE,
        starts_at=now + timedelta(days=10),
        ends_at=now + timedelta(days=12),
    )
    db.session.commit()

    page = client.get("/events/?lang=en").get_data(as_text=True)
    assert page.index("Hội chợ sắp tới") < page.index("Hội chợ năm ngoái")
    assert "Bản nháp" not in page
    assert "No events have been announced yet." not in page


def test_the_apply_buttons_appear_only_when_the_registration_pages_exist(client, fair, app):
    page = client.get("/events/hoi-cho-ocop-quang-ninh?lang=en").get_data(as_text=True)
    has_apply = "events.apply" in app.view_functions
    assert ("Apply as exhibitor" in page) is has_apply
    assert ("Register as buyer" in page) is has_apply


def test_an_event_name_with_a_comma_reaches_both_parsers_whole(client, organiser, make_event, db):
    import icalendar
    import vobject

    from app.events import services as event_services

    event = make_event(organiser=organiser, name_vi="Hội chợ OCOP, Hạ Long")
    event_services.open_registration(None, event)
    db.session.commit()
    body = client.get(f"/events/{event.slug}/programme.ics").get_data(as_text=True)
    # RFC 5545 TEXT: the comma is escaped, and the line says VALUE=TEXT so every reader unescapes it
    assert "X-WR-CALNAME;VALUE=TEXT:Hội chợ OCOP\\, Hạ Long" in body.replace("\r\n ", "")
    assert str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"]) == "Hội chợ OCOP, Hạ Long"
    assert icalendar.Calendar.from_ical(body)["X-WR-TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert vobject.readOne(body).contents["x-wr-calname"][0].value == "Hội chợ OCOP, Hạ Long"


# ---------------------------------------------------------------- calendar text, UIDs, language


TRICKY_NAME = "Hội chợ OCOP, Hạ Long; lần 2 \\ đặc sản"
TRICKY_DESCRIPTION = "Chè, nước mắm; rượu ba kích.\nMở cửa 8:00–17:00, vào cửa tự do; có chỗ gửi xe."


def test_the_calendar_name_and_description_read_back_exact_in_icalendar_and_vobject(
    client, organiser, make_event, db
):
    event = make_event(organiser=organiser, name_vi=TRICKY_NAME, description_vi=TRICKY_DESCRIPTION)
    services.open_registration(None, event)
    db.session.commit()
    body = client.get(f"/events/{event.slug}/programme.ics").data
    unfolded = body.decode("utf-8").replace("\r\n ", "")
    # Escaped (no raw comma or semicolon in the value) and typed, so no reader keeps a backslash.
    assert "X-WR-CALDESC;VALUE=TEXT:Chè\\, nước mắm\\; rượu ba kích.\\nMở cửa" in unfolded
    assert "X-WR-CALNAME;VALUE=TEXT:Hội chợ OCOP\\, Hạ Long\\; lần 2 \\\\ đặc sản" in unfolded

    calendar = icalendar.Calendar.from_ical(body)
    assert str(calendar["X-WR-CALNAME"]) == TRICKY_NAME
    assert str(calendar["NAME"]) == TRICKY_NAME
    assert str(calendar["X-WR-CALDESC"]) == TRICKY_DESCRIPTION
    parsed = vobject.readOne(body.decode("utf-8"))
    assert parsed.x_wr_calname.value == TRICKY_NAME
    assert parsed.x_wr_caldesc.value == TRICKY_DESCRIPTION


def test_thunderbirds_ical_js_reads_the_programme_without_a_stray_backslash(
    client, organiser, make_event, fair, db
):
    from tests.ical_js import read_with_ical_js

    event = make_event(organiser=organiser, name_vi=TRICKY_NAME, description_vi=TRICKY_DESCRIPTION)
    services.open_registration(None, event)
    db.session.commit()
    read = read_with_ical_js(client.get(f"/events/{event.slug}/programme.ics").data)
    assert read["name"] == TRICKY_NAME
    assert read["description"] == TRICKY_DESCRIPTION

    body = _feed(client, fair).data
    read = read_with_ical_js(body)
    by_icalendar = {str(e["UID"]): e for e in _vevents_icalendar(body)}
    assert sorted(e["uid"] for e in read["events"]) == sorted(by_icalendar)
    for event in read["events"]:
        assert event["summary"] == str(by_icalendar[event["uid"]]["SUMMARY"])
        assert event["location"] == str(by_icalendar[event["uid"]]["LOCATION"])
    assert {e["summary"] for e in read["events"]} >= {OPENING, TASTING, SEMINAR}
    assert not any("\\" in (e["summary"] + e["location"]) for e in read["events"])


def test_uids_stay_the_same_when_the_server_host_or_port_changes(client, fair, app, monkeypatch):
    uids = set(_by_uid(_vevents_icalendar(_feed(client, fair).data)))
    assert uids and all(uid.endswith("@ocopfair.local") for uid in uids), "no host, no port"
    monkeypatch.setitem(app.config, "SERVER_HOST", "hoicho.ocop.gov.vn:8443")
    assert set(_by_uid(_vevents_icalendar(_feed(client, fair).data))) == uids
    # The configured domain is what names them.
    monkeypatch.setitem(app.config, "CALENDAR_UID_DOMAIN", "ocop.example.vn")
    moved = set(_by_uid(_vevents_icalendar(_feed(client, fair).data)))
    assert moved == {uid.replace("@ocopfair.local", "@ocop.example.vn") for uid in uids}


def _page_language(client, path="/events/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'<html lang="([a-z]+)"', page).group(1)


def test_fetching_the_feed_in_english_leaves_the_browsing_language_alone(client, fair):
    assert _page_language(client, "/events/?lang=fr") == "fr"
    feed = icalendar.Calendar.from_ical(_feed(client, fair, lang="en").data)
    assert str(feed["X-WR-CALNAME"]) == "Quang Ninh OCOP Fair"  # the feed itself speaks English
    assert _page_language(client) == "fr", "the session keeps the language the person chose"
    assert _page_language(client, "/events/?lang=en") == "en"  # a page's ?lang= still switches
    assert _page_language(client) == "en"
