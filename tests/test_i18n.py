"""Dates, times, time zones and colons follow the reader's language (app/i18n.py), and the pages
that printed them as day/month/year, in UTC or as a bare zone name now use them."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from app import i18n
from tests.conftest import text_of
from tests.events.test_event_pages import EVENT_FORM

NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM/PM
OPENING = datetime(2027, 4, 10, 1, 0, tzinfo=UTC)  # 08:00 in Vietnam


def _in(app, lang: str):
    context = app.test_request_context(f"/?lang={lang}")
    context.push()
    app.preprocess_request()  # the locale is chosen as for a page
    return context


@pytest.mark.parametrize(
    ("lang", "moment", "no_year", "slot"),
    [
        ("vi", "08:00 10 thg 4, 2027", "08:00 10 thg 4", "08:00–08:20 10 thg 4, 2027"),
        (
            "en",
            f"Apr 10, 2027, 8:00{NNBSP}AM",
            f"Apr 10, 8:00{NNBSP}AM",
            f"Apr 10, 2027, 8:00{NNBSP}AM–8:20{NNBSP}AM",
        ),
        ("fr", "10 avr. 2027, 08:00", "10 avr., 08:00", "10 avr. 2027, 08:00–08:20"),
    ],
)
def test_a_moment_reads_in_the_readers_language_on_vietnams_clock(app, lang, moment, no_year, slot):
    context = _in(app, lang)
    try:
        assert i18n.when(OPENING) == moment  # Vietnam's time by default, never UTC's 01:00
        assert i18n.when(OPENING, "Asia/Ho_Chi_Minh", year=False) == no_year
        end = OPENING.replace(minute=20)
        assert i18n.time_range(OPENING, end, "Asia/Ho_Chi_Minh") == slot
        assert i18n.when(None) == ""
    finally:
        context.pop()


def test_another_event_zone_shows_its_own_wall_clock_and_name(app):
    context = _in(app, "en")
    try:
        assert i18n.when(OPENING, "Europe/Paris") == f"Apr 10, 2027, 3:00{NNBSP}AM"
        assert i18n.zone_label("Europe/Paris", OPENING) == "Central European Time (UTC+2)"
        assert i18n.zone_label("Asia/Kolkata", OPENING).endswith("(UTC+5:30)")
        assert i18n.zone_label("Asia/Ho_Chi_Minh") == "Vietnam time (UTC+7)"
    finally:
        context.pop()


def test_the_colon_takes_a_non_breaking_space_in_french_only(app):
    for lang, colon in (("fr", "\u00a0: "), ("en", ": "), ("vi", ": ")):
        context = _in(app, lang)
        try:
            assert i18n.colon() == colon
        finally:
            context.pop()


# ---------------------------------------------------------------- the pages


def test_the_organisers_event_page_writes_dates_in_the_readers_language(client, organiser, login, db, html):
    from app.events.models import Event

    login(organiser)  # text_of() turns the no-break spaces before AM and PM into spaces
    assert client.post("/manage/events/new", data=EVENT_FORM).status_code == 302
    event = db.session.scalar(db.select(Event))
    english = text_of(html(client.get(f"/manage/events/{event.id}?lang=en")).select_one("main"))
    assert "Apr 10, 2027, 8:00 AM – Apr 14, 2027, 9:00 PM" in english
    assert "Jan 5, 8:00 AM – Mar 20, 5:00 PM" in english  # the exhibitors' window
    assert "Vietnam time (UTC+7)" in english and "Asia/Ho_Chi_Minh" not in english
    french = text_of(html(client.get(f"/manage/events/{event.id}?lang=fr")).select_one("main"))
    assert "10 avr. 2027, 08:00 – 14 avr. 2027, 21:00" in french
    for page in (english, french):
        assert not re.search(r"\d\d/\d\d/\d{4}", page), "no day/month/year whatever the language"


@pytest.fixture()
def published(db, make_event, make_user, make_buyer, make_producer, make_product):
    from tests.matching.test_agenda import add_meeting, build_fair

    fair = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    (_user, buyer), (_p, producer) = fair.buyers[0], fair.producers[0]
    meeting = add_meeting(db, fair, buyer, producer, slot=0, table=0)
    fair.session.state = "published"
    fair.session.published_at = datetime(2027, 1, 15, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam
    db.session.commit()
    return fair, meeting


def test_the_session_page_shows_the_publish_time_in_vietnam_time(client, login, html, published):
    fair, _meeting = published
    login(fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/matching/{fair.session.id}?lang=en"))
    notice = " ".join(
        text_of(alert) for alert in page.select("main .alert-success") if "Published" in text_of(alert)
    )
    assert "Published on Jan 15, 2027, 10:00 AM." in notice, notice
    assert "UTC" not in notice
    header = text_of(page.select_one("main"))
    assert "Vietnam time (UTC+7)" in header and "Asia/Ho_Chi_Minh" not in header
    assert not re.search(r"\d\d/\d\d/\d{4}", header)  # the session's days and its slots


def test_the_agenda_names_its_time_zone_in_words(client, login, html, published):
    fair, _meeting = published
    login(fair.buyers[0][0])
    english = text_of(html(client.get(f"/my/events/{fair.event.slug}/agenda?lang=en")).select_one("main"))
    assert "Vietnam time (UTC+7)" in english
    assert "Asia/Ho_Chi_Minh" not in english


def test_the_availability_page_names_its_time_zone_in_words(client, login, html, published):
    fair, _meeting = published
    login(fair.buyers[0][0])
    english = text_of(html(client.get(f"/my/events/{fair.event.slug}/matching?lang=en")).select_one("main"))
    assert "Time zone: Vietnam time (UTC+7)." in english
    assert "Asia/Ho_Chi_Minh" not in english


def test_the_programme_form_names_the_events_time_zone_in_words(client, login, html, published):
    fair, _meeting = published
    login(fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/programme/new?lang=en"))
    english = text_of(page.select_one("main"))
    assert "Times are in the event's time zone: Vietnam time (UTC+7)." in english
    assert "Asia/Ho_Chi_Minh" not in english


def test_service_messages_write_their_dates_in_the_readers_language(app, db, published):
    """The check-in's "this meeting is on ..." and the "you have a meeting at ..." of availability."""
    from datetime import time, timedelta
    from zoneinfo import ZoneInfo

    from app.errors import ServiceError
    from app.matching.participation import services as participation
    from app.onsite import services as checkin

    fair, meeting = published
    day = fair.day
    the_day_before = datetime.combine(day - timedelta(days=1), time(17, 0), ZoneInfo("Asia/Ho_Chi_Minh"))
    context = _in(app, "en")
    try:
        with pytest.raises(ServiceError) as early:
            checkin.check_in(fair.organiser, fair.event, meeting.checkin_code, now=the_day_before)
        assert f"This meeting is on {day:%b} {day.day}, {day.year};" in str(early.value.message)
        user, buyer = fair.buyers[0]
        with pytest.raises(ServiceError) as booked:  # slot 0 (08:30) holds the published meeting
            participation.set_availability(user, fair.session, buyer, [1, 2])
        assert f"You have a meeting at {day:%b} {day.day}, 8:30{NNBSP}AM;" in str(booked.value.message)
    finally:
        context.pop()


@pytest.mark.parametrize("lang", ["vi", "en", "fr"])
def test_fast_number_and_money_read_as_babel_writes_them(app, lang):
    """The dashboards' thousand figures go through i18n.number and i18n.money, which group whole
    numbers themselves: what they write is exactly Babel's, in every language."""
    from flask_babel import format_currency, format_decimal

    from app.i18n import money, number

    with app.test_request_context(f"/?lang={lang}"):
        for value in (0, 7, 999, 1_000, 1_234_567, 501_250_000, 12_345_678_901):
            assert number(value) == format_decimal(value)
            assert money(value) == format_currency(value, "VND")
        for value in (-5, 33.3, 0.5, -1_250_000):
            assert number(value) == format_decimal(value)
            assert money(value) == format_currency(value, "VND")
        assert number(None) == money(None) == ""
