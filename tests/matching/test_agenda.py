"""A participant's agenda: the page, the .ics download, the secret feed and its reset (specs/calendar.md).

`build_fair` (also used by test_checkin and test_participation) makes an event with a
matchmaking session, approved buyers and producers, and `add_meeting` publishes meetings
directly, as the organiser's run would.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import vobject

from app.catalog.models import DemandLine
from app.events.models import Registration, RegistrationDemand, RegistrationProduct
from app.matching.agenda import services as agenda
from app.matching.agenda.ical import agenda_calendar, meeting_invitation
from app.matching.models import AgendaToken, MatchingSession, Meeting
from tests.conftest import text_of

ZONE = "Asia/Ho_Chi_Minh"
TABLES = "Nhà B · bàn 12\nNhà B · bàn 13\nNhà C · bàn 1"
_codes = itertools.count(1)

WHY = {
    "score": 0.82,
    "categories": ["tea"],
    "terms": [
        {
            "term": "category",
            "weight": 0.25,
            "value": 1.0,
            "notes": [{"msgid": "Both sides deal in %(categories)s.", "params": {"categories": ["tea"]}}],
        },
        {
            "term": "capacity",
            "weight": 0.25,
            "value": 0.5,
            "notes": [{"msgid": "Supplies half the monthly volume.", "params": {}}],
        },
        {"term": "price", "weight": 0.05, "value": 0.0, "notes": [{"msgid": "Too dear.", "params": {}}]},
    ],
    "outside_filters": [],
}


@dataclass
class Fair:
    event: object
    session: MatchingSession
    organiser: object
    day: date  # the session's first day, in the event's zone
    buyers: list[tuple[object, Registration]] = field(default_factory=list)  # (user, registration)
    producers: list[tuple[object, Registration]] = field(default_factory=list)

    def slot_start(self, slot: int) -> datetime:
        from app.matching.engine.slots import session_slots

        return session_slots(self.session, ZONE)[slot].start_utc


def build_fair(
    db,
    make_event,
    make_user,
    make_buyer,
    make_producer,
    make_product,
    *,
    days_ahead: int = 30,
    buyers: int = 2,
    producers: int = 2,
    state: str = "scheduled",
) -> Fair:
    """An event `days_ahead` days from today (negative: it started already) with a 2-day session.

    Each day has 7 slots of 20 minutes from 08:30 (08:30, 08:55, ... 11:00) and 3 named tables.
    """
    zone = ZoneInfo(ZONE)
    day = (datetime.now(zone) + timedelta(days=days_ahead)).date()
    starts = datetime.combine(day, time(8, 0), zone).astimezone(UTC)
    ends = datetime.combine(day + timedelta(days=2), time(18, 0), zone).astimezone(UTC)
    organiser = make_user(role="organiser")
    event = make_event(
        organiser=organiser,
        starts_at=starts,
        ends_at=ends,
        exhibitor_registration_opens_at=starts - timedelta(days=60),
        exhibitor_registration_closes_at=starts - timedelta(days=10),
        buyer_registration_opens_at=starts - timedelta(days=60),
        buyer_registration_closes_at=starts - timedelta(days=5),
    )
    event.state = state
    session = MatchingSession(
        event_id=event.id,
        name="Kết nối cung cầu",
        first_day=day,
        last_day=day + timedelta(days=1),
        day_start=time(8, 30),
        day_end=time(11, 30),
        meeting_minutes=20,
        gap_minutes=5,
        breaks="",
        tables=3,
        table_names=TABLES,
    )
    db.session.add(session)
    fair = Fair(event=event, session=session, organiser=organiser, day=day)
    for _ in range(buyers):
        organisation = make_buyer()
        line = DemandLine(
            organisation=organisation, category="tea", monthly_volume=200, unit="kg", min_stars=3
        )
        db.session.add(line)
        db.session.flush()
        registration = Registration(
            event_id=event.id, organisation_id=organisation.id, role="buyer", status="approved"
        )
        registration.demand_rows.append(RegistrationDemand(demand_line_id=line.id))
        db.session.add(registration)
        fair.buyers.append((make_user(role="buyer", organisation=organisation), registration))
    for _ in range(producers):
        organisation = make_producer()
        product = make_product(organisation=organisation, category="tea")
        registration = Registration(
            event_id=event.id, organisation_id=organisation.id, role="exhibitor", status="approved"
        )
        registration.product_rows.append(RegistrationProduct(product_id=product.id))
        db.session.add(registration)
        fair.producers.append((make_user(role="exhibitor", organisation=organisation), registration))
    db.session.commit()
    return fair


def add_meeting(db, fair: Fair, buyer: Registration, producer: Registration, slot: int, table: int, **values):
    """A published meeting, as the organiser's run and publish would leave it."""
    meeting = Meeting(
        session_id=fair.session.id,
        buyer_registration_id=buyer.id,
        producer_registration_id=producer.id,
        slot=slot,
        table=table,
        score=0.82,
        why_json=json.dumps(WHY, ensure_ascii=False),
        status="scheduled",
        published=True,
        sequence=0,
        checkin_code=f"K{next(_codes):05d}X",
    )
    for key, value in values.items():
        setattr(meeting, key, value)
    db.session.add(meeting)
    db.session.commit()
    return meeting


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


@pytest.fixture()
def booked(db, fair):
    """Buyer 0 meets producer 1 at slot 3 and producer 0 at slot 0; buyer 1 meets producer 0 at slot 1."""
    (_u0, b0), (_u1, b1) = fair.buyers
    (_p0, p0), (_p1, p1) = fair.producers
    later = add_meeting(db, fair, b0, p1, slot=3, table=2)
    first = add_meeting(db, fair, b0, p0, slot=0, table=0)
    other = add_meeting(db, fair, b1, p0, slot=1, table=1)
    return first, later, other


def _login(client, user):
    response = client.post("/login", data={"email": user.email, "password": "correct horse 42"})
    assert response.status_code == 302


def _vevents(body: bytes):
    """The VEVENTs as both parsers read them: (icalendar components, vobject components)."""
    parsed = vobject.readOne(body.decode("utf-8"))
    return icalendar.Calendar.from_ical(body).walk("VEVENT"), parsed.contents.get("vevent", [])


def _feed_path(client, fair, user) -> str:
    _login(client, user)
    page = client.get(f"/my/events/{fair.event.slug}/agenda").get_data(as_text=True)
    match = re.search(r"(/feeds/agenda/[A-Za-z0-9_\-]+\.ics)", page)
    assert match, "the agenda page shows its feed address"
    client.post("/logout")
    return match.group(1)


# ---------------------------------------------------------------- the page


def test_the_agenda_lists_own_meetings_in_time_order_with_place_counterpart_and_why(
    client, fair, booked, html
):
    first, later, other = booked
    user, _buyer = fair.buyers[0]
    _login(client, user)
    response = client.get(f"/my/events/{fair.event.slug}/agenda?lang=en")
    assert response.status_code == 200
    page = html(response)
    rows = page.select("table.agenda tr[data-meeting]")
    assert [int(row["data-meeting"]) for row in rows] == [first.id, later.id], (
        "08:30 before 09:45; not others'"
    )
    assert other.checkin_code not in page.get_text()  # another buyer's meeting
    cells = [[text_of(cell) for cell in row.find_all("td")] for row in rows]
    assert [row[0] for row in cells] == ["08:30–08:50", "09:45–10:05"]  # the event's zone, not UTC
    assert [row[1] for row in cells] == ["Nhà B bàn 12", "Nhà C bàn 1"]
    producer0, producer1 = (p.organisation for _user, p in fair.producers)
    links = [row.select_one("td:nth-of-type(3) a")["href"] for row in rows]
    assert links == [f"/organisations/{producer0.id}", f"/organisations/{producer1.id}"]
    assert producer0.name in cells[0][2] and producer1.name in cells[1][2]
    assert (
        "Hai Ha green tea" in cells[0][2]
    )  # the producer's product, as registered, in the reader's language
    why = text_of(rows[0].select_one(".why"))
    assert "Both sides deal in Tea." in why  # why matched, in plain words
    assert "Too dear." not in why  # a term that counts for nothing is no reason
    for row, meeting in zip(rows, (first, later), strict=True):
        qr = row.select_one("td svg.qr")
        assert qr is not None and qr["aria-label"] == f"Check-in code {meeting.checkin_code}"
        assert text_of(row.select_one(".code")) == meeting.checkin_code
    assert page.select_one("figure svg.qr")["aria-label"] == "This agenda online"
    subscribe = page.find("a", string="Subscribe in my calendar")
    assert subscribe["href"].startswith("webcal://")
    assert "@page" in page.find("style").get_text()  # prints on paper


def test_unpublished_and_cancelled_meetings_are_not_on_the_agenda_page(db, client, fair, booked):
    first, later, _other = booked
    first.status, first.sequence = "cancelled", first.sequence + 1
    later.published = False
    db.session.commit()
    user, _buyer = fair.buyers[0]
    _login(client, user)
    html = client.get(f"/my/events/{fair.event.slug}/agenda").get_data(as_text=True)
    assert first.checkin_code not in html and later.checkin_code not in html


def test_only_participants_open_their_own_agenda(db, client, fair, booked, make_user, make_buyer):
    slug = fair.event.slug
    pages = (
        f"/my/events/{slug}/agenda",
        f"/my/events/{slug}/agenda.ics",
        f"/my/events/{slug}/agenda/reset-feed",
    )
    for page in pages:  # anonymous: to the login page
        response = client.get(page)
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    outsider = make_user(role="buyer", organisation=make_buyer())  # a buyer not registered for the event
    for user in (fair.organiser, outsider):
        _login(client, user)
        for page in pages:
            assert client.get(page).status_code == 403, (user.role, page)
        assert client.post(f"/my/events/{slug}/agenda/reset-feed").status_code == 403
        client.post("/logout")
    pending = make_user(role="buyer", organisation=make_buyer())
    db.session.add(
        Registration(
            event_id=fair.event.id, organisation_id=pending.organisation_id, role="buyer", status="pending"
        )
    )
    db.session.commit()
    _login(client, pending)
    assert client.get(pages[0]).status_code == 403
    assert client.get("/my/events/no-such-event/agenda").status_code == 404


def test_agenda_for_refuses_anyone_but_the_owner(fair, booked):
    from app.errors import PermissionDenied

    _user, buyer = fair.buyers[0]
    other_user, _other = fair.buyers[1]
    with pytest.raises(PermissionDenied):
        agenda.agenda_for(other_user, buyer)
    assert len(agenda.agenda_for(fair.buyers[0][0], buyer)) == 2


# ---------------------------------------------------------------- .ics


def test_the_ics_download_is_read_alike_by_two_parsers(client, fair, booked):
    first, later, _other = booked
    user, buyer = fair.buyers[0]
    _login(client, user)
    response = client.get(f"/my/events/{fair.event.slug}/agenda.ics?lang=en")
    assert response.status_code == 200
    assert response.content_type == "text/calendar; charset=utf-8"
    assert (
        "attachment" in response.headers["Content-Disposition"]
        and ".ics" in response.headers["Content-Disposition"]
    )
    body = response.data
    text = body.decode("utf-8")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n")), "folded at 75 octets"
    assert "METHOD:PUBLISH" in text and "BEGIN:VTIMEZONE" in text and f"TZID:{ZONE}" in text
    assert f"X-WR-TIMEZONE:{ZONE}" in text

    # Both parsers read the escaped name back whole (typed VALUE=TEXT, so icalendar unescapes it too).
    name = f"Agenda — {buyer.organisation.name}, {fair.event.name_en}"  # Vietnamese intact
    assert vobject.readOne(text).x_wr_calname.value == name
    assert str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"]) == name
    host = client.application.config["CALENDAR_UID_DOMAIN"]
    by_icalendar, by_vobject = _vevents(body)
    assert len(by_icalendar) == len(by_vobject) == 2
    uids = [str(e["UID"]) for e in by_icalendar]
    assert (
        uids
        == [e.uid.value for e in by_vobject]
        == [f"meeting-{first.id}@{host}", f"meeting-{later.id}@{host}"]
    )
    assert [int(e["SEQUENCE"]) for e in by_icalendar] == [int(e.sequence.value) for e in by_vobject] == [0, 0]
    event = by_icalendar[0]
    assert str(event["LOCATION"]) == "Nhà B · bàn 12" == by_vobject[0].location.value
    assert str(by_icalendar[1]["LOCATION"]) == "Nhà C · bàn 1"
    assert str(event["STATUS"]) == "CONFIRMED"
    start = event.decoded("DTSTART")
    assert start.tzinfo is not None and start.astimezone(UTC) == fair.slot_start(0)
    assert event["DTSTART"].params["TZID"] == ZONE
    assert by_vobject[0].dtstart.value.astimezone(UTC) == fair.slot_start(0)
    producer = fair.producers[0][1].organisation.name
    assert producer in str(event["SUMMARY"])
    description = by_vobject[0].description.value
    assert producer in description and "Hai Ha green tea" in description and first.checkin_code in description
    assert f"/my/events/{fair.event.slug}/agenda" in description and str(event["URL"]).endswith("/agenda")
    assert "DTSTAMP" in event and "LAST-MODIFIED" in event


def test_a_moved_meeting_keeps_its_uid_with_a_higher_sequence(db, client, fair, booked):
    first, _later, _other = booked
    user, _buyer = fair.buyers[0]
    _login(client, user)
    before = _vevents(client.get(f"/my/events/{fair.event.slug}/agenda.ics").data)[0]
    first.slot, first.table, first.sequence = 5, 1, first.sequence + 1  # moved by the organiser
    db.session.commit()
    after_ical, after_vobject = _vevents(client.get(f"/my/events/{fair.event.slug}/agenda.ics").data)
    moved = next(e for e in after_ical if str(e["UID"]) == str(before[0]["UID"]))
    assert int(moved["SEQUENCE"]) > int(before[0]["SEQUENCE"])
    assert moved.decoded("DTSTART").astimezone(UTC) == fair.slot_start(5)
    assert str(moved["LOCATION"]) == "Nhà B · bàn 13"
    assert {e.uid.value for e in after_vobject} == {str(e["UID"]) for e in before[0:2]}


def test_a_cancelled_meeting_stays_cancelled_in_the_feed_until_the_event_ends(db, fair, booked):
    first, _later, _other = booked
    _user, buyer = fair.buyers[0]
    first.status, first.sequence = "cancelled", first.sequence + 1
    db.session.commit()
    items = agenda.agenda_items(buyer, agenda.meetings_of(buyer, include_cancelled=True))

    def calendar(now):
        return agenda_calendar(
            fair.event, buyer, items, host="ocop.test", agenda_url="https://x/agenda", now=now
        )

    during = _vevents(calendar(fair.event.starts_at))
    cancelled = [e for e in during[0] if str(e["UID"]) == f"meeting-{first.id}@ocop.test"]
    assert [str(e["STATUS"]) for e in cancelled] == ["CANCELLED"] and int(cancelled[0]["SEQUENCE"]) == 1
    assert {e.status.value for e in during[1]} == {"CANCELLED", "CONFIRMED"}
    after = _vevents(calendar(fair.event.ends_at + timedelta(minutes=1)))
    assert [str(e["UID"]) for e in after[0]] == [f"meeting-{booked[1].id}@ocop.test"]


def test_a_cancelled_event_cancels_every_meeting_with_a_raised_sequence(db, fair, booked):
    _user, buyer = fair.buyers[0]
    fair.event.state = "cancelled"
    db.session.commit()
    body = agenda_calendar(
        fair.event,
        buyer,
        agenda.agenda_items(buyer),
        host="h",
        agenda_url="https://x",
        now=fair.event.starts_at,
    )
    events = _vevents(body)[0]
    assert {str(e["STATUS"]) for e in events} == {"CANCELLED"} and {int(e["SEQUENCE"]) for e in events} == {1}


def test_an_empty_agenda_still_names_its_zone(fair):
    _user, buyer = fair.buyers[0]
    body = agenda_calendar(fair.event, buyer, [], host="h", agenda_url="https://x")
    assert b"BEGIN:VTIMEZONE" in body and b"BEGIN:VEVENT" not in body
    assert len(_vevents(body)[1]) == 0


def test_mailed_invitations_say_request_or_cancel(fair, booked):
    first, _later, _other = booked
    _user, buyer = fair.buyers[0]
    item = agenda.agenda_items(buyer, [first])[0]
    common = {
        "host": "ocop.test",
        "organiser_email": "btc@ocop.test",
        "attendee_email": "mua@sieuthi.vn",
        "agenda_url": "https://x",
    }
    request = meeting_invitation(fair.event, buyer, item, method="REQUEST", **common)
    parsed = icalendar.Calendar.from_ical(request)
    assert str(parsed["METHOD"]) == "REQUEST"
    (vevent,) = parsed.walk("VEVENT")
    assert str(vevent["ORGANIZER"]) == "mailto:btc@ocop.test" and str(vevent["STATUS"]) == "CONFIRMED"
    assert vobject.readOne(request.decode()).vevent.attendee.value == "mailto:mua@sieuthi.vn"
    cancel = icalendar.Calendar.from_ical(
        meeting_invitation(fair.event, buyer, item, method="CANCEL", **common)
    )
    (gone,) = cancel.walk("VEVENT")
    assert str(cancel["METHOD"]) == "CANCEL" and str(gone["STATUS"]) == "CANCELLED"
    assert str(gone["UID"]) == str(vevent["UID"]) and int(gone["SEQUENCE"]) > int(vevent["SEQUENCE"])
    with pytest.raises(ValueError):
        meeting_invitation(fair.event, buyer, item, method="PUBLISH", **common)


# ---------------------------------------------------------------- the feed


def test_the_feed_needs_no_login_and_shows_only_its_owners_meetings(client, fair, booked):
    first, later, other = booked
    path = _feed_path(client, fair, fair.buyers[0][0])
    response = client.get(path)
    assert response.status_code == 200 and response.content_type.startswith("text/calendar")
    text = response.get_data(as_text=True)
    assert f"meeting-{first.id}@" in text and f"meeting-{later.id}@" in text
    assert f"meeting-{other.id}@" not in text
    assert fair.buyers[1][1].organisation.name not in text
    producer_path = _feed_path(client, fair, fair.producers[0][0])
    assert producer_path != path
    producer_text = client.get(producer_path).get_data(as_text=True)
    assert f"meeting-{first.id}@" in producer_text and f"meeting-{other.id}@" in producer_text
    assert f"meeting-{later.id}@" not in producer_text
    assert client.get("/feeds/agenda/not-a-token.ics").status_code == 404


def test_the_token_is_long_random_and_stable_until_reset(db, client, fair, booked):
    path = _feed_path(client, fair, fair.buyers[0][0])
    assert path == _feed_path(client, fair, fair.buyers[0][0])
    token = db.session.scalars(db.select(AgendaToken)).one()
    assert len(token.token) >= 43 and token.token in path


def test_resetting_the_feed_invalidates_the_old_url(client, fair, booked):
    user = fair.buyers[0][0]
    old = _feed_path(client, fair, user)
    _login(client, user)
    confirm = client.get(f"/my/events/{fair.event.slug}/agenda/reset-feed")
    assert confirm.status_code == 200 and '<form method="post"' in confirm.get_data(as_text=True)
    assert client.get(old).status_code == 200, "asking to confirm changes nothing"
    done = client.post(f"/my/events/{fair.event.slug}/agenda/reset-feed")
    assert done.status_code == 302
    client.post("/logout")
    new = _feed_path(client, fair, user)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_the_feed_speaks_the_language_in_its_url(client, fair, booked):
    path = _feed_path(client, fair, fair.buyers[0][0])
    english = client.get(path + "?lang=en").get_data(as_text=True)
    assert "X-WR-CALNAME;VALUE=TEXT:Agenda —" in english


# ---------------------------------------------------------------- why matched


@pytest.mark.parametrize(
    ("why", "expected"),
    [
        (None, []),
        ("", []),
        (json.dumps("Cùng ngành chè."), ["Cùng ngành chè."]),
        (json.dumps(["Cùng ngành chè.", "Đủ sản lượng."]), ["Cùng ngành chè.", "Đủ sản lượng."]),
        (json.dumps({"category": 0.9, "province": 0}), ["What they make fits the categories you buy."]),
        (
            json.dumps({"terms": {"stars": {"text": "Sản phẩm 5 sao.", "contribution": 0.2}}}),
            ["Sản phẩm 5 sao."],
        ),
        ("not json at all", ["not json at all"]),
    ],
)
def test_why_matched_reads_every_shape_without_failing(app, why, expected):
    with app.test_request_context("/?lang=en"):
        assert agenda.why_words(why) == expected


def test_why_matched_puts_the_strongest_reason_first(app):
    with app.test_request_context("/?lang=en"):
        assert agenda.why_words(json.dumps(WHY)) == [
            "Category fit: Both sides deal in Tea.",
            "Supply capacity: Supplies half the monthly volume.",
        ]


# ---------------------------------------------------------------- calendar text, UIDs, language


def test_the_agenda_calendar_name_reads_back_exact_in_icalendar_and_vobject(app, db, fair, booked):
    from flask_babel import force_locale

    from app.matching.agenda.ical import calendar_name

    _user, buyer = fair.buyers[0]
    buyer.organisation.name = "HTX Chè; Trà, Hải Hà \\ Quảng Ninh"
    db.session.commit()
    items = agenda.agenda_items(buyer, agenda.meetings_of(buyer))
    with app.test_request_context("/"), force_locale("en"):
        body = agenda_calendar(
            fair.event, buyer, items, host="ocopfair.local", agenda_url="https://x", locale="en"
        )
        name = calendar_name(buyer, fair.event, "en")
    assert "HTX Chè; Trà, Hải Hà \\ Quảng Ninh" in name
    assert b"X-WR-CALNAME;VALUE=TEXT:Agenda" in body
    assert str(icalendar.Calendar.from_ical(body)["X-WR-CALNAME"]) == name
    assert vobject.readOne(body.decode("utf-8")).x_wr_calname.value == name
    from tests.ical_js import read_with_ical_js

    read = read_with_ical_js(body)
    assert read["name"] == name
    by_icalendar = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}
    assert sorted(e["uid"] for e in read["events"]) == sorted(by_icalendar)
    for event in read["events"]:
        assert event["summary"] == str(by_icalendar[event["uid"]]["SUMMARY"])
        assert event["location"] == str(by_icalendar[event["uid"]]["LOCATION"])
        assert event["description"] == str(by_icalendar[event["uid"]]["DESCRIPTION"])


def test_meeting_uids_stay_the_same_when_the_server_host_or_port_changes(
    client, app, fair, booked, monkeypatch
):
    first, later, _other = booked
    path = _feed_path(client, fair, fair.buyers[0][0])
    uids = [str(e["UID"]) for e in _vevents(client.get(path).data)[0]]
    assert sorted(uids) == sorted(f"meeting-{m.id}@ocopfair.local" for m in (first, later))
    monkeypatch.setitem(app.config, "SERVER_HOST", "hoicho.ocop.gov.vn:8443")
    assert [str(e["UID"]) for e in _vevents(client.get(path).data)[0]] == uids


def test_the_agenda_ics_and_feed_in_english_leave_the_browsing_language_alone(client, fair, booked):
    path = _feed_path(client, fair, fair.buyers[0][0])
    _login(client, fair.buyers[0][0])
    agenda_page = f"/my/events/{fair.event.slug}/agenda"
    assert '<html lang="vi"' in client.get(agenda_page + "?lang=vi").get_data(as_text=True)
    download = client.get(f"/my/events/{fair.event.slug}/agenda.ics?lang=en").get_data(as_text=True)
    assert "X-WR-CALNAME;VALUE=TEXT:Agenda —" in download  # English, for this response
    feed = client.get(path + "?lang=en").get_data(as_text=True)
    assert "X-WR-CALNAME;VALUE=TEXT:Agenda —" in feed
    assert '<html lang="vi"' in client.get(agenda_page).get_data(as_text=True)
