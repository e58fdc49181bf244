"""The log of actions outside any event (/manage/log): catalogue imports, read by every organiser
and admin, and downloads of the programme's figures, read by their author and admins. Each
event's own entries stay on its event log."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from app.eventlog import services as eventlog
from app.eventlog.models import EventLogEntry
from app.extensions import db as _db
from tests.catalog.test_import import TEA, csv_bytes, upload_and_confirm
from tests.conftest import queries_of, text_of

LOG = "/manage/log?lang=en"


def entries(action: str) -> list[EventLogEntry]:
    _db.session.expire_all()
    query = select(EventLogEntry).where(EventLogEntry.action == action).order_by(EventLogEntry.id)
    return list(_db.session.scalars(query))


@pytest.fixture()
def people(db, make_user, make_open_event, make_producer, make_buyer):
    a, b = make_user(role="organiser"), make_user(role="organiser")
    event = make_open_event(a)  # A's programme counts it
    db.session.execute(delete(EventLogEntry))  # opening it is on its event log; not read here
    db.session.commit()
    return {
        "a": a,
        "b": b,
        "admin": make_user(role="admin"),
        "exhibitor": make_user(role="exhibitor", organisation=make_producer()),
        "buyer": make_user(role="buyer", organisation=make_buyer()),
        "event": event,
    }


def rows(client, html, url=LOG) -> list[tuple[str, str]]:
    page = html(client.get(url))
    return [(row["data-action"], text_of(row.select("td")[2])) for row in page.select("#log tbody tr")]


def test_every_organiser_and_admin_reads_the_catalogue_imports(client, login, html, worker, people):
    login(people["a"])
    client.get("/?lang=en")
    upload_and_confirm(client, worker, csv_bytes([TEA]))
    (imported,) = entries("catalogue_imported")
    assert imported.event_id is None
    for reader in (people["a"], people["b"], people["admin"]):
        client.post("/logout")
        login(reader)
        page = html(client.get(LOG))
        (row,) = page.select("#log tbody tr")
        cells = [text_of(cell) for cell in row.select("td")]
        assert cells[1] == people["a"].full_name
        assert cells[2] == "Catalogue import confirmed ocop-quang-ninh.csv"
        assert cells[3] == "Created: 1 Updated: 0 Rows: 1"
    # The imports page leads there.
    upload_page = html(client.get("/import/?lang=en"))
    assert upload_page.select_one("#imports-log")["href"] == "/manage/log?action=catalogue_imported"


def test_other_roles_are_refused_and_visitors_sent_to_log_in(client, login, people):
    assert client.get(LOG).status_code == 302 and "/login" in client.get(LOG).headers["Location"]
    for intruder in (people["exhibitor"], people["buyer"]):
        login(intruder)
        assert client.get(LOG).status_code == 403
        client.post("/logout")


def test_programme_downloads_are_recorded_with_their_filters_for_their_author_and_admins(
    client, login, html, people
):
    login(people["a"])
    client.get("/?lang=en")
    table = client.get("/manage/programme/by_province.csv?year=2027&province=22&kind=physical_fair")
    assert table.status_code == 200
    assert client.get("/manage/programme/workbook.xlsx").status_code == 200
    by_province, workbook = entries("programme_downloaded")
    assert (by_province.event_id, by_province.actor_id) == (None, people["a"].id)
    assert by_province.subject == "Per province"
    assert by_province.details_json == {
        "format": "CSV",
        "year": 2027,
        "province": "Quảng Ninh",
        "event kind": "physical_fair",
    }
    assert (workbook.subject, workbook.details_json) == ("The yearly report workbook", {"format": "XLSX"})
    mine = rows(client, html)
    assert mine == [
        ("programme_downloaded", "Programme figures downloaded The yearly report workbook"),
        ("programme_downloaded", "Programme figures downloaded Per province"),
    ]
    changes = text_of(html(client.get(LOG)).select("#log tbody tr")[1].select("td")[3])
    assert changes == "Format: CSV Year: 2027 Province: Quảng Ninh Kind of event: Physical fair"
    client.post("/logout")
    login(people["b"])  # another organiser: A's downloads are A's
    assert rows(client, html) == []
    client.post("/logout")
    login(people["admin"])
    assert len(rows(client, html)) == 2


def test_a_refused_programme_download_records_nothing(client, login, people):
    login(people["a"])
    assert client.get("/manage/programme/events.csv?province=99").status_code == 302  # back to the page
    client.post("/logout")
    login(people["exhibitor"])
    assert client.get("/manage/programme/workbook.xlsx").status_code == 403
    assert entries("programme_downloaded") == []


def test_an_events_entries_stay_on_its_own_log(client, login, html, people):
    event = people["event"]
    eventlog.record(people["a"], event_id=event.id, action="booth_moved", subject="A-1")
    eventlog.record(people["a"], event_id=None, action="catalogue_imported", subject="x.csv")
    _db.session.commit()
    login(people["a"])
    assert rows(client, html) == [("catalogue_imported", "Catalogue import confirmed x.csv")]
    # The filter offers the actions that happen outside events, and refuses the others.
    offered = [o["value"] for o in html(client.get(LOG)).select("#action option")]
    assert offered == ["", "catalogue_imported", "programme_downloaded"]
    refused = client.get(LOG + "&action=booth_moved")
    assert refused.status_code == 400
    assert text_of(html(refused).select_one("#action-error-1")) == "Choose an action from the list."


def test_filters_paging_and_a_constant_number_of_queries(client, login, html, people):
    a = people["a"]
    for n in range(3):
        eventlog.record(a, event_id=None, action="catalogue_imported", subject=f"f{n}.csv")
    _db.session.commit()
    login(a)
    few = queries_of(client, LOG)
    for n in range(3, 70):
        eventlog.record(a, event_id=None, action="catalogue_imported", subject=f"f{n}.csv")
    eventlog.record(people["b"], event_id=None, action="programme_downloaded", subject="Per kind")
    _db.session.commit()
    assert queries_of(client, LOG) == few
    assert len(rows(client, html)) == 50
    past = client.get(LOG + "&page=3")
    assert past.status_code == 404
    assert html(past).select_one("#last-page")["href"].endswith("page=2")
    assert len(rows(client, html, LOG + f"&actor={a.id}&page=2")) == 20
    # B's download is not A's to read, nor is B a person A may filter by.
    assert client.get(LOG + f"&actor={people['b'].id}").status_code == 400
