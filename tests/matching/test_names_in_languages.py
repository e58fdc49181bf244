"""Session and table names in the reader's language: the chosen one, then English, then
Vietnamese, marked with `lang` when not the page's; unnamed tables numbered in the reader's
language on the agenda, the .ics, the grid, check-in, outcomes and the agenda mails."""

from __future__ import annotations

from datetime import time, timedelta

import icalendar
import pytest
from flask_babel import force_locale

from app.matching.models import MatchingSession
from app.matching.sessions import services
from app.names import lang_text, table_label
from app.onsite import services as checkin
from tests.conftest import text_of
from tests.matching.test_agenda import add_meeting, build_fair


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    built = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    built.session.table_names = ""  # numbered tables only
    db.session.commit()
    return built


@pytest.fixture()
def booked(db, fair):
    (_u0, b0), _other = fair.buyers
    (_p0, p0), _other_p = fair.producers
    return add_meeting(db, fair, b0, p0, slot=0, table=0)


def _login(client, user):
    assert (
        client.post("/login", data={"email": user.email, "password": "correct horse 42"}).status_code == 302
    )


def _agenda_table_cell(client, html, fair, lang):
    page = html(client.get(f"/my/events/{fair.event.slug}/agenda?lang={lang}"))
    row = page.select_one("table.agenda tr[data-meeting]")
    return row.find_all("td")[1]


def test_unnamed_tables_are_numbered_in_the_readers_language_on_the_agenda(client, fair, booked, html):
    user, _registration = fair.buyers[0]
    _login(client, user)
    assert text_of(_agenda_table_cell(client, html, fair, "vi")) == "Bàn 1"
    english = _agenda_table_cell(client, html, fair, "en")
    assert text_of(english) == "Table 1" and english.select("[lang]") == []


def test_the_ics_names_the_table_in_the_participants_language(client, fair, booked):
    user, _registration = fair.buyers[0]
    _login(client, user)
    for lang, expected in (("vi", "Bàn 1"), ("en", "Table 1")):
        body = client.get(f"/my/events/{fair.event.slug}/agenda.ics?lang={lang}").data
        (vevent,) = icalendar.Calendar.from_ical(body).walk("VEVENT")
        assert str(vevent["LOCATION"]) == expected


def test_english_table_names_reach_english_and_french_readers_marked_and_vietnamese_ones_stay(
    db, client, fair, booked, html
):
    fair.session.table_names = "Nhà B · bàn 12"
    fair.session.table_names_en = "Hall B · table 12"
    db.session.commit()
    user, _registration = fair.buyers[0]
    _login(client, user)
    english = _agenda_table_cell(client, html, fair, "en")
    assert text_of(english) == "Hall B table 12" and english.select("[lang]") == []
    french = _agenda_table_cell(client, html, fair, "fr")
    assert text_of(french) == "Hall B table 12"
    assert {span["lang"] for span in french.select("[lang]")} == {"en"}
    vietnamese = _agenda_table_cell(client, html, fair, "vi")
    assert text_of(vietnamese) == "Nhà B bàn 12" and vietnamese.select("[lang]") == []


def test_a_table_named_only_in_vietnamese_is_marked_vi_on_an_english_page(db, client, fair, booked, html):
    fair.session.table_names = "Nhà B · bàn 12"
    db.session.commit()
    user, _registration = fair.buyers[0]
    _login(client, user)
    cell = _agenda_table_cell(client, html, fair, "en")
    assert text_of(cell) == "Nhà B bàn 12"
    assert {span["lang"] for span in cell.select("[lang]")} == {"vi"}


def test_check_in_names_the_table_in_the_organisers_language(app, db, fair, booked):
    at = fair.slot_start(0) + timedelta(minutes=1)
    with app.test_request_context("/?lang=vi"):
        result = checkin.check_in(fair.organiser, fair.event, booked.checkin_code, now=at)
        assert result.table == ("Bàn 1", "vi")
        assert str(lang_text(result.table)) == "Bàn 1"
    with app.test_request_context("/?lang=en"), force_locale("en"):
        result = checkin.check_in(fair.organiser, fair.event, booked.checkin_code, now=at)
        assert result.already and result.table == ("Table 1", "en")


def test_the_outcomes_page_numbers_tables_in_the_readers_language(db, client, fair, booked, html):
    booked.published = True
    db.session.commit()
    _login(client, fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/outcomes?lang=vi"))
    cells = [text_of(row.find_all("td")[1]) for row in page.select("table tbody tr")]
    assert cells == ["Bàn 1"]


def test_the_table_label_helper_follows_the_fallback_order(app, fair):
    session = fair.session
    session.table_names, session.table_names_en, session.table_names_fr = "Bàn A\nBàn B", "Table A", ""
    with app.test_request_context("/"):
        with force_locale("fr"):
            assert table_label(session, 0) == ("Table A", "en")  # no French: English
            assert table_label(session, 1) == ("Bàn B", "vi")  # nor English: Vietnamese
            assert table_label(session, 2) == ("Table 3", "fr")  # nobody named it: numbered in French
        with force_locale("vi"):
            assert table_label(session, 2) == ("Bàn 3", "vi")


# ---------------------------------------------------------------- the organiser's pages


@pytest.fixture()
def organiser_fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def _session_heading(client, html, fair, lang):
    page = html(client.get(f"/manage/events/{fair.event.id}/matching/{fair.session.id}?lang={lang}"))
    return page.select_one("h1")


def test_the_session_name_is_shown_in_the_readers_language_then_english_then_vietnamese(
    db, client, organiser_fair, html
):
    fair = organiser_fair
    fair.session.name_en = "Supply and demand meetings"
    db.session.commit()
    _login(client, fair.organiser)
    english = _session_heading(client, html, fair, "en")
    assert "Supply and demand meetings" in text_of(english) and english.select("span[lang]") == []
    french = _session_heading(client, html, fair, "fr")
    assert french.select_one("span[lang=en]").get_text() == "Supply and demand meetings"
    vietnamese = _session_heading(client, html, fair, "vi")
    assert "Kết nối cung cầu" in text_of(vietnamese) and vietnamese.select("span[lang]") == []
    fair.session.name_en = None
    db.session.commit()
    english = _session_heading(client, html, fair, "en")
    assert english.select_one("span[lang=vi]").get_text() == "Kết nối cung cầu"


def test_the_grid_numbers_unnamed_tables_in_the_organisers_language(db, client, organiser_fair, html):
    fair = organiser_fair
    fair.session.table_names = ""
    (_u0, b0), _other = fair.buyers
    (_p0, p0), _other_p = fair.producers
    meeting = add_meeting(db, fair, b0, p0, slot=0, table=1)
    _login(client, fair.organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/matching/{fair.session.id}?lang=vi"))
    row = page.select_one(f"#meeting-{meeting.id}")
    assert text_of(row.find_all("td")[1]) == "Bàn 2"
    headers = [text_of(th) for th in page.select("thead.sticky-top th")][1:]
    assert headers[:2] == ["Bàn 1", "Bàn 2"]


def test_the_settings_form_saves_the_names_in_three_languages(client, organiser_fair, login):
    fair = organiser_fair
    session = fair.session
    values = {key: getattr(session, key) for key in services.SESSION_FIELDS}
    data = {
        key: (value.isoformat() if hasattr(value, "isoformat") else ("" if value is None else value))
        for key, value in values.items()
    }
    data |= {
        "day_start": session.day_start.strftime("%H:%M"),
        "day_end": session.day_end.strftime("%H:%M"),
        "name_en": "Business meetings",
        "name_fr": "Rencontres d'affaires",
        "table_names_en": "Hall B · table 12",
        "table_names_fr": "Hall B · table 12 (fr)",
    }
    login(fair.organiser)
    response = client.post(f"/manage/events/{fair.event.id}/matching/{session.id}?lang=en", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    saved = client.application.extensions["sqlalchemy"].session.get(MatchingSession, session.id)
    assert (saved.name_en, saved.name_fr) == ("Business meetings", "Rencontres d'affaires")
    assert (saved.table_names_en, saved.table_names_fr) == ("Hall B · table 12", "Hall B · table 12 (fr)")


def test_a_new_session_gets_its_default_name_in_each_language(app, db, make_user, make_open_event):
    organiser = make_user(role="organiser")
    event = make_open_event(organiser)
    with app.test_request_context("/?lang=en"):
        session = services.create_session(organiser, event, day_start=time(8, 30), day_end=time(10, 0))
    assert session.name_en == "B2B matchmaking"
    assert session.name != "" and session.name_fr != ""
