"""Each download from an event's dashboard (a table as CSV or XLSX, the workbook) is in the
event's log: who, which table, which format, which filters; a refused one leaves nothing, and
a download keeps the event's cached figures (it changes none)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.eventlog.models import EventLogEntry
from app.extensions import db as _db
from app.reports import cache
from tests.conftest import text_of


def entries() -> list[EventLogEntry]:
    _db.session.expire_all()
    query = select(EventLogEntry).where(EventLogEntry.action == "dashboard_downloaded")
    return list(_db.session.scalars(query.order_by(EventLogEntry.id)))


@pytest.fixture()
def event(db, organiser, make_open_event):
    built = make_open_event(organiser)
    db.session.execute(delete(EventLogEntry))
    db.session.commit()
    return built


def test_tables_and_the_workbook_are_recorded_with_format_and_filters(client, login, html, organiser, event):
    login(organiser)
    client.get("/?lang=en")
    base = f"/manage/events/{event.id}/dashboard"
    assert client.get(base + "/booths.csv?province=24&role=exhibitor").status_code == 200
    assert client.get(base + "/booths.xlsx?buyer_type=hotel&date_from=2027-01-01").status_code == 200
    assert client.get(base + ".xlsx").status_code == 200
    csv_entry, xlsx_entry, workbook = entries()
    assert (csv_entry.event_id, csv_entry.actor_id) == (event.id, organiser.id)
    assert csv_entry.subject == "Booths and booth revenue"
    assert csv_entry.details_json == {"format": "CSV", "role": "exhibitor", "province": "Bắc Ninh"}
    assert xlsx_entry.details_json == {"format": "XLSX", "buyer type": "hotel", "from": "2027-01-01"}
    assert (workbook.subject, workbook.details_json) == (
        "The dashboard's workbook (every table)",
        {"format": "XLSX"},
    )
    log = html(client.get(f"/manage/events/{event.id}/log?lang=en&action=dashboard_downloaded"))
    first = [text_of(cell) for cell in log.select("#log tbody tr")[-1].select("td")]
    assert first[2] == "Dashboard downloaded Booths and booth revenue"
    assert first[3] == "Format: CSV Role: Exhibitor Province: Bắc Ninh"
    second = text_of(log.select("#log tbody tr")[1].select("td")[3])
    assert second == "Format: XLSX Buyer type: Hotel From: 2027-01-01"


def test_refused_downloads_record_nothing(client, login, organiser, event, make_user):
    base = f"/manage/events/{event.id}/dashboard"
    login(organiser)
    assert client.get(base + "/booths.csv?province=99").status_code == 302  # a bad filter: the page
    assert client.get(base + "/nothing.csv").status_code == 404
    client.post("/logout")
    login(make_user(role="organiser"))  # not this event's
    assert client.get(base + ".xlsx").status_code == 403
    assert entries() == []


def test_a_download_keeps_the_cached_figures_an_action_drops_them(app, organiser, event, monkeypatch):
    from app import signals

    monkeypatch.setitem(app.config, "REPORTS_CACHE_SECONDS", 60)
    cache.clear()
    with app.test_request_context():
        cache.cached(("event", event.id, "dashboard"), lambda: 1)
        signals.organiser_action.send(organiser, event_id=event.id, action="dashboard_downloaded")
        assert cache.cached(("event", event.id, "dashboard"), lambda: 2)[0] == 1
        signals.organiser_action.send(organiser, event_id=event.id, action="payment_confirmed")
        assert cache.cached(("event", event.id, "dashboard"), lambda: 3)[0] == 3
    cache.clear()
