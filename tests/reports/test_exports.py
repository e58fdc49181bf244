"""Exports of an event's records: each file's columns and values against the database (CSV with
the csv module, XLSX with openpyxl), Vietnamese intact, formula cells neutralised, times in the
event's time zone, VND as integers; only the event's organisers and admins; large exports as
background jobs with progress and a download link for a day; each export in the event log."""

from __future__ import annotations

import csv
import io
import os
import time as wall
from datetime import UTC, date, datetime, time

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import select

from app.booths.models import Booth, BoothAssignment, BoothType
from app.catalog.gtin import check_digit
from app.eventlog.models import EventLogEntry
from app.events.models import EventOrganiser, Hall, Registration, RegistrationProduct
from app.extensions import db as _db
from app.matching.models import MatchingSession, Meeting, MeetingOutcome
from app.onsite.gate.models import GateCheckin
from app.reports.exports import services as exports
from app.tasks import progress
from app.tasks.models import Task
from tests.pages import flashes

HYPERLINK = '=HYPERLINK("http://evil.example","Bấm vào đây")'
DAY = date(2027, 3, 8)  # the session's day, in Vietnam
GTIN = "893123456789" + str(check_digit("893123456789"))


@pytest.fixture()
def fair(db, make_event, make_user, make_producer, make_buyer, make_product):
    """An event with an exhibitor whose name is a formula, a Vietnamese buyer, a product, a paid
    booth, two meetings (one checked in), a contract, and two gate check-ins (the buyer's just
    after midnight in Vietnam, still the evening before in UTC)."""
    owner = make_user(role="organiser", locale="en")
    event = make_event(owner)
    producer = make_producer(name=HYPERLINK, province_code="24")  # Bắc Giang, now Bắc Ninh
    buyer = make_buyer(name="Siêu thị Hạ Long Đông Á", contact_name="Nguyễn Thị Ánh", phone="0912345678")
    product = make_product(organisation=producer, name_vi="Chè Thái Nguyên đặc biệt", stars=5)
    product.gtin = GTIN
    exhibitor = Registration(
        event_id=event.id, organisation_id=producer.id, role="exhibitor", status="approved"
    )
    buyer_reg = Registration(event_id=event.id, organisation_id=buyer.id, role="buyer", status="pending")
    mushrooms = Registration(
        event_id=event.id,
        organisation_id=make_producer(name="Hợp tác xã Nấm Linh Chi").id,
        role="exhibitor",
        status="approved",
    )
    db.session.add_all([exhibitor, buyer_reg])
    db.session.flush()
    db.session.add(mushrooms)
    db.session.flush()
    exhibitor.created_at = datetime(2027, 1, 10, 18, 0, tzinfo=UTC)  # 01:00 on the 11th in Vietnam
    db.session.add(RegistrationProduct(registration_id=exhibitor.id, product_id=product.id))
    hall = Hall(event_id=event.id, name="Nhà triển lãm A", width_m=40, depth_m=30)
    booth_type = BoothType(event_id=event.id, name="Tiêu chuẩn", width_m=3, depth_m=3, price_vnd=5_500_000)
    db.session.add_all([hall, booth_type])
    db.session.flush()
    booth = Booth(
        event_id=event.id,
        hall_id=hall.id,
        booth_type_id=booth_type.id,
        code="A01",
        x_m=0,
        y_m=0,
        width_m=3,
        depth_m=3,
    )
    db.session.add(booth)
    db.session.flush()
    db.session.add(
        BoothAssignment(
            event_id=event.id,
            booth_id=booth.id,
            registration_id=exhibitor.id,
            status="confirmed",
            payment="paid",
        )
    )
    session = MatchingSession(
        event_id=event.id,
        name="Kết nối cung cầu",
        first_day=DAY,
        last_day=DAY,
        day_start=time(8, 30),
        day_end=time(11, 30),
        meeting_minutes=20,
        gap_minutes=10,
        tables=3,
    )
    db.session.add(session)
    db.session.flush()
    held = Meeting(
        session_id=session.id,
        buyer_registration_id=buyer_reg.id,
        producer_registration_id=exhibitor.id,
        slot=1,
        table=2,
        score=0.9,
        status="held",
        published=True,
        checkin_code="EXP0001",
        checked_in_at=datetime(2027, 3, 8, 2, 5, tzinfo=UTC),  # 09:05 in Vietnam
        checked_in_by_id=owner.id,
    )
    later = Meeting(
        session_id=session.id,
        buyer_registration_id=buyer_reg.id,
        producer_registration_id=mushrooms.id,
        slot=3,
        table=0,
        score=0.7,
        status="scheduled",
        published=True,
        checkin_code="EXP0002",
    )
    db.session.add_all([held, later])
    db.session.flush()
    db.session.add(MeetingOutcome(meeting_id=held.id, side="buyer", kind="contract", value_vnd=750_000_000))
    db.session.add_all(
        [
            GateCheckin(
                event_id=event.id,
                registration_id=exhibitor.id,
                gate="Cổng chính",
                day=DAY,
                checked_in_at=datetime(2027, 3, 8, 1, 15, tzinfo=UTC),  # 08:15 in Vietnam
                checked_in_by_id=owner.id,
            ),
            GateCheckin(
                event_id=event.id,
                registration_id=buyer_reg.id,
                gate="=1+1",
                day=date(2027, 3, 9),
                checked_in_at=datetime(2027, 3, 8, 17, 30, tzinfo=UTC),  # 00:30 on the 9th in Vietnam
            ),
        ]
    )
    db.session.commit()
    return {
        "event": event,
        "owner": owner,
        "exhibitor": exhibitor,
        "buyer": buyer_reg,
        "mushrooms": mushrooms,
        "held": held,
        "later": later,
        "product": product,
    }


def _login(client, login, user):
    login(user)
    client.get("/?lang=en")


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    text = response.get_data().decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx(response):
    from openpyxl import load_workbook

    assert response.status_code == 200, response.status_code
    assert response.mimetype == exports.MIMETYPES["xlsx"]
    book = load_workbook(io.BytesIO(response.get_data()))
    return book.worksheets[0]


def _export(client, event, name, fmt, **form):
    return client.post(f"/manage/events/{event.id}/exports/{name}.{fmt}", data=form)


def _by_header(rows) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


# ---------------------------------------------------------------- each export's values


def test_registrations_csv_keeps_vietnamese_neutralises_formulas_and_shows_vietnam_time(client, login, fair):
    _login(client, login, fair["owner"])
    rows = _by_header(_csv(_export(client, fair["event"], "registrations", "csv")))
    assert [int(row["Registration number"]) for row in rows] == [
        fair["exhibitor"].id,
        fair["buyer"].id,
        fair["mushrooms"].id,
    ]
    exhibitor, buyer, _mushrooms = rows
    assert exhibitor["Organisation"] == "'" + HYPERLINK  # inert in a spreadsheet
    assert (exhibitor["Role"], exhibitor["Status"], exhibitor["Province"]) == (
        "Exhibitor",
        "Approved",
        "Bắc Ninh",
    )
    assert exhibitor["Registered at"] == "2027-01-11 01:00"
    assert (buyer["Organisation"], buyer["Contact"], buyer["Phone"], buyer["Status"]) == (
        "Siêu thị Hạ Long Đông Á",
        "Nguyễn Thị Ánh",
        "0912345678",
        "Pending",
    )


def test_registrations_xlsx_writes_the_formula_as_text(client, login, fair):
    _login(client, login, fair["owner"])
    sheet = _xlsx(_export(client, fair["event"], "registrations", "xlsx"))
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Registration number", "Organisation", "Role", "Status"]
    cell = sheet.cell(row=2, column=2)
    assert cell.value == HYPERLINK and cell.data_type == "s"  # a string, never a formula
    assert sheet.cell(row=2, column=1).value == fair["exhibitor"].id  # an integer
    assert sheet.cell(row=2, column=9).value == datetime(2027, 1, 11, 1, 0)
    assert sheet.cell(row=3, column=2).value == "Siêu thị Hạ Long Đông Á"


def test_exhibitors_one_row_per_product_with_group_stars_certificate_and_gtin(client, login, fair):
    _login(client, login, fair["owner"])
    rows = _by_header(_csv(_export(client, fair["event"], "exhibitors", "csv")))
    row, without_products = rows
    assert (without_products["Organisation"], without_products["Product"], without_products["Stars"]) == (
        "Hợp tác xã Nấm Linh Chi",
        "",
        "",
    )
    product = fair["product"]
    assert row["Product"] == "Chè Thái Nguyên đặc biệt"
    assert (row["OCOP group"], row["Stars"], row["Certificate"], row["GTIN"]) == (
        "Beverages",
        "5",
        "Certificate verified",
        GTIN,
    )
    assert row["Certificate expires"] == product.certificate_expiry.isoformat()
    sheet = _xlsx(_export(client, fair["event"], "exhibitors", "xlsx"))
    assert sheet.cell(row=2, column=7).value == 5
    assert sheet.cell(row=2, column=10).value == GTIN  # text: its leading digits kept


def test_booths_with_price_in_vnd_as_an_integer_and_payment(client, login, fair):
    _login(client, login, fair["owner"])
    (row,) = _by_header(_csv(_export(client, fair["event"], "booths", "csv")))
    assert (row["Booth"], row["Hall"], row["Booth type"], row["Price (VND)"]) == (
        "A01",
        "Nhà triển lãm A",
        "Tiêu chuẩn",
        "5500000",
    )
    assert (row["Status"], row["Payment"]) == ("Confirmed", "Paid")
    sheet = _xlsx(_export(client, fair["event"], "booths", "xlsx"))
    price = sheet.cell(row=2, column=4)
    assert price.value == 5_500_000 and isinstance(price.value, int)


def test_a_waived_booth_costs_nothing_and_says_when_and_by_whom(client, login, fair, pinned_clock):
    """The organiser waives the mushroom cooperative's booth at 00:30 on 15 January in Vietnam:
    the export shows the list price, an amount of 0, that moment in the event's zone and his name."""
    from app.booths.booking import services as booking

    event = fair["event"]
    first = _db.session.scalar(select(Booth).where(Booth.event_id == event.id))
    booth = Booth(
        event_id=event.id,
        hall_id=first.hall_id,
        booth_type_id=first.booth_type_id,
        code="A02",
        x_m=3,
        y_m=0,
        width_m=3,
        depth_m=3,
    )
    _db.session.add(booth)
    _db.session.flush()
    mushrooms = _db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.id != fair["exhibitor"].id,
            Registration.role == "exhibitor",
        )
    )
    assignment = BoothAssignment(event_id=event.id, booth_id=booth.id, registration_id=mushrooms.id)
    _db.session.add(assignment)
    _db.session.flush()
    pinned_clock.move_to(datetime(2027, 1, 14, 17, 30, tzinfo=UTC))
    booking.waive_payment(fair["owner"], assignment)
    _db.session.commit()
    _login(client, login, fair["owner"])
    paid, waived = _by_header(_csv(_export(client, event, "booths", "csv")))
    assert (paid["Payment"], paid["Amount (VND)"]) == ("Paid", "5500000")
    assert (waived["Booth"], waived["Payment"], waived["Price (VND)"], waived["Amount (VND)"]) == (
        "A02",
        "Waived",
        "5500000",
        "0",
    )
    assert waived["Payment recorded at"] == "2027-01-15 00:30"
    assert waived["Payment recorded by"] == fair["owner"].full_name


def test_meetings_schedule_in_the_events_time_zone(client, login, fair):
    _login(client, login, fair["owner"])
    rows = _by_header(_csv(_export(client, fair["event"], "meetings", "csv")))
    assert [int(row["Meeting number"]) for row in rows] == [fair["held"].id, fair["later"].id]
    held, later = rows
    # slots of 20 minutes with 10 between, from 08:30 in Vietnam: slot 1 is 09:00-09:20
    assert (held["Day"], held["Starts at"], held["Ends at"], held["Table"]) == (
        "2027-03-08",
        "2027-03-08 09:00",
        "2027-03-08 09:20",
        "Table 3",
    )
    assert (held["Buyer"], held["Producer"], held["Status"], held["Checked in"]) == (
        "Siêu thị Hạ Long Đông Á",
        "'" + HYPERLINK,
        "Held",
        "2027-03-08 09:05",
    )
    assert (later["Starts at"], later["Producer"], later["Status"], later["Checked in"]) == (
        "2027-03-08 10:00",
        "Hợp tác xã Nấm Linh Chi",
        "Scheduled",
        "",
    )
    sheet = _xlsx(_export(client, fair["event"], "meetings", "xlsx"))
    assert sheet.cell(row=2, column=4).value == datetime(2027, 3, 8, 9, 0)
    assert sheet.cell(row=2, column=8).data_type == "s"


def test_checkins_and_outcomes(client, login, fair):
    _login(client, login, fair["owner"])
    (checkin,) = _by_header(_csv(_export(client, fair["event"], "checkins", "csv")))
    assert (checkin["Checked in"], checkin["Check-in code"], checkin["Starts at"]) == (
        "2027-03-08 09:05",
        "EXP0001",
        "2027-03-08 09:00",
    )
    assert checkin["Checked in by"] == fair["owner"].full_name
    (outcome,) = _by_header(_csv(_export(client, fair["event"], "outcomes", "csv")))
    assert (outcome["Recorded by"], outcome["Outcome"], outcome["Value (VND)"]) == (
        "Buyer",
        "Contract",
        "750000000",
    )
    sheet = _xlsx(_export(client, fair["event"], "outcomes", "xlsx"))
    assert sheet.cell(row=2, column=8).value == 750_000_000


def test_gate_checkins_in_vietnam_time_with_formulas_neutralised(client, login, fair):
    _login(client, login, fair["owner"])
    rows = _csv(_export(client, fair["event"], "gate_checkins", "csv"))
    assert rows[0] == [
        "Checked in",
        "Day",
        "Gate",
        "Registration number",
        "Organisation",
        "Role",
        "Province",
        "Checked in by",
    ]
    exhibitor, buyer = _by_header(rows)
    assert exhibitor == {
        "Checked in": "2027-03-08 08:15",
        "Day": "2027-03-08",
        "Gate": "Cổng chính",
        "Registration number": str(fair["exhibitor"].id),
        "Organisation": "'" + HYPERLINK,
        "Role": "Exhibitor",
        "Province": "Bắc Ninh",
        "Checked in by": fair["owner"].full_name,
    }
    # Just after midnight in Vietnam: the 9th, though still the 8th in UTC.
    assert (buyer["Checked in"], buyer["Day"], buyer["Gate"]) == ("2027-03-09 00:30", "2027-03-09", "'=1+1")
    assert (buyer["Organisation"], buyer["Role"], buyer["Checked in by"]) == (
        "Siêu thị Hạ Long Đông Á",
        "Buyer",
        "",
    )
    sheet = _xlsx(_export(client, fair["event"], "gate_checkins", "xlsx"))
    assert sheet.cell(row=2, column=1).value == datetime(2027, 3, 8, 8, 15)
    # In XLSX the text is kept as it is, in a cell typed as a string: never a formula.
    assert (sheet.cell(row=3, column=3).value, sheet.cell(row=3, column=3).data_type) == ("=1+1", "s")
    assert (sheet.cell(row=2, column=5).value, sheet.cell(row=2, column=5).data_type) == (HYPERLINK, "s")
    assert sheet.cell(row=3, column=5).value == "Siêu thị Hạ Long Đông Á"
    assert sheet.cell(row=2, column=4).value == fair["exhibitor"].id


def test_all_agendas_one_participant_after_another_and_one_participants_agenda(client, login, fair):
    _login(client, login, fair["owner"])
    rows = _by_header(_csv(_export(client, fair["event"], "agendas", "csv")))
    # each meeting once per side: the producer (its name starts with "=") sorts first
    assert [(int(r["Registration number"]), r["Role"]) for r in rows] == [
        (fair["exhibitor"].id, "Producer"),
        (fair["mushrooms"].id, "Producer"),
        (fair["buyer"].id, "Buyer"),
        (fair["buyer"].id, "Buyer"),
    ]
    mine = _by_header(
        _csv(_export(client, fair["event"], "agendas", "csv", participant=str(fair["buyer"].id)))
    )
    assert [(r["Starts at"], r["Meets"], r["Table"]) for r in mine] == [
        ("2027-03-08 09:00", "'" + HYPERLINK, "Table 3"),
        ("2027-03-08 10:00", "Hợp tác xã Nấm Linh Chi", "Table 1"),
    ]
    assert _csv(_export(client, fair["event"], "agendas", "csv", participant=str(fair["buyer"].id)))[0][
        1
    ] == ("Participant")


def test_the_participant_search_lists_the_events_participants_only(
    client, login, fair, make_event, make_buyer
):
    other_event = make_event(fair["owner"])
    stranger = Registration(
        event_id=other_event.id, organisation_id=make_buyer(name="Siêu thị Hạ Long Khác").id, role="buyer"
    )
    _db.session.add(stranger)
    _db.session.commit()
    _login(client, login, fair["owner"])
    from bs4 import BeautifulSoup

    page = BeautifulSoup(
        client.get(f"/manage/events/{fair['event'].id}/exports?participant=ha long").data, "html.parser"
    )
    assert [li["data-participant"] for li in page.select("#participants li")] == [str(fair["buyer"].id)]
    page = BeautifulSoup(
        client.get(f"/manage/events/{fair['event'].id}/exports?participant=zzz").data, "html.parser"
    )
    assert page.select_one("#no-participant") is not None
    # "²" is a digit to str.isdigit but not to int(): no participant, not a 500.
    response = client.get(f"/manage/events/{fair['event'].id}/exports?participant=²")
    assert response.status_code == 200
    assert BeautifulSoup(response.data, "html.parser").select_one("#no-participant") is not None


def test_a_participant_of_another_event_is_refused_with_a_message(
    client, login, fair, make_event, make_buyer
):
    other_event = make_event(fair["owner"])
    stranger = Registration(event_id=other_event.id, organisation_id=make_buyer().id, role="buyer")
    _db.session.add(stranger)
    _db.session.commit()
    _login(client, login, fair["owner"])
    for value in (str(stranger.id), "999999"):
        response = _export(client, fair["event"], "agendas", "xlsx", participant=value)
        assert response.status_code == 302
        page = client.get(response.headers["Location"])
        from bs4 import BeautifulSoup

        assert flashes(BeautifulSoup(page.data, "html.parser")) == [
            f"Registration {value} is not a participant of this event."
        ]
    response = _export(client, fair["event"], "agendas", "csv", participant="abc")
    assert response.status_code == 302
    assert _db.session.scalar(select(EventLogEntry).where(EventLogEntry.action == "export")) is None


@pytest.mark.parametrize("path", ["payslips.csv", "meetings.pdf", "meetings.CSV", "x.xlsx"])
def test_an_unknown_export_or_format_is_a_404_that_says_so(client, login, fair, path):
    _login(client, login, fair["owner"])
    response = client.post(f"/manage/events/{fair['event'].id}/exports/{path}")
    assert response.status_code == 404
    from bs4 import BeautifulSoup

    page = BeautifulSoup(response.data, "html.parser")
    assert "There is no such export" in page.select_one("#export-problem").get_text()


def test_an_empty_event_gives_files_with_their_headers_only(client, login, make_event, organiser):
    event = make_event(organiser)
    _db.session.commit()
    _login(client, login, organiser)
    for kind in exports.kinds():
        rows = _csv(_export(client, event, kind.name, "csv"))
        assert rows == [[str(column.label) for column in kind.columns()]], kind.name
        sheet = _xlsx(_export(client, event, kind.name, "xlsx"))
        assert [[cell.value for cell in row] for row in sheet.iter_rows()] == rows, kind.name


def test_the_page_lists_each_export_with_its_row_count_and_is_linked_from_the_event(
    client, login, fair, html
):
    _login(client, login, fair["owner"])
    event = fair["event"]
    page = html(client.get(f"/manage/events/{event.id}/exports"))
    counts = {
        row["data-export-row"]: int(row.select_one("[data-rows]")["data-rows"])
        for row in page.select("#exports tbody tr")
    }
    assert counts == {
        "registrations": 3,
        "exhibitors": 2,
        "booths": 1,
        "meetings": 2,
        "agendas": 4,
        "checkins": 1,
        "gate_checkins": 2,
        "outcomes": 1,
    }
    assert len(page.select("#exports button[data-format]")) == 16
    show = html(client.get(f"/manage/events/{event.id}"))
    assert show.select_one(f"a[href='/manage/events/{event.id}/exports']") is not None


def test_the_pages_statements_do_not_grow_with_the_data(client, login, fair, make_buyer):
    _login(client, login, fair["owner"])
    url = f"/manage/events/{fair['event'].id}/exports"

    def statements() -> int:
        count = 0

        def counted(*_args):
            nonlocal count
            count += 1

        sa_event.listen(_db.engine, "before_cursor_execute", counted)
        try:
            assert client.get(url).status_code == 200
        finally:
            sa_event.remove(_db.engine, "before_cursor_execute", counted)
        return count

    before = statements()
    for _ in range(6):
        _db.session.add(
            Registration(event_id=fair["event"].id, organisation_id=make_buyer().id, role="buyer")
        )
    _db.session.commit()
    assert statements() == before


def test_an_export_is_one_streamed_statement_whatever_its_rows(app, fair, make_buyer):
    """The rows come from one statement with its joins (no statement per row)."""
    for _ in range(5):
        _db.session.add(
            Registration(event_id=fair["event"].id, organisation_id=make_buyer().id, role="buyer")
        )
    _db.session.commit()
    seen = []

    def counted(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa_event.listen(_db.engine, "before_cursor_execute", counted)
    try:
        with app.test_request_context("/?lang=en"):
            for kind in exports.kinds():
                table = exports.table_of(fair["event"], kind)  # the sessions' slots, read once
                seen.clear()
                assert list(table.rows), kind.name
                assert len(seen) == 1, (kind.name, seen)
    finally:
        sa_event.remove(_db.engine, "before_cursor_execute", counted)


# ---------------------------------------------------------------- who may export


def test_only_the_events_organisers_and_admins_may_export(
    client, login, fair, make_user, exhibitor, buyer_user
):
    event = fair["event"]
    other_organiser = make_user(role="organiser")
    admin = make_user(role="admin")
    co_organiser = make_user(role="organiser")
    _db.session.add(EventOrganiser(event_id=event.id, user_id=co_organiser.id))
    _db.session.commit()
    page = f"/manage/events/{event.id}/exports"

    def statuses():
        return (
            client.get(page).status_code,
            _export(client, event, "meetings", "csv").status_code,
            _export(client, event, "registrations", "xlsx").status_code,
        )

    anonymous = statuses()
    assert all(code == 302 for code in anonymous)
    assert "/login" in client.get(page).headers["Location"]
    for user, expected in (
        (exhibitor, (403, 403, 403)),
        (buyer_user, (403, 403, 403)),
        (other_organiser, (403, 403, 403)),
        (co_organiser, (200, 200, 200)),
        (admin, (200, 200, 200)),
        (fair["owner"], (200, 200, 200)),
    ):
        _login(client, login, user)
        assert statuses() == expected, user.role
        client.post("/logout")
    assert client.get("/manage/events/999999/exports").status_code == 302  # login first


def test_each_export_is_recorded_in_the_event_log(client, login, fair, html):
    _login(client, login, fair["owner"])
    _export(client, fair["event"], "meetings", "xlsx")
    _export(client, fair["event"], "agendas", "csv", participant=str(fair["buyer"].id))
    entries = list(
        _db.session.scalars(
            select(EventLogEntry).where(EventLogEntry.action == "export").order_by(EventLogEntry.id)
        )
    )
    assert [(e.event_id, e.actor_id, e.details_json) for e in entries] == [
        (fair["event"].id, fair["owner"].id, {"export": "meetings", "format": "XLSX", "rows": 2}),
        (
            fair["event"].id,
            fair["owner"].id,
            {"export": "agendas", "format": "CSV", "rows": 2, "participant": fair["buyer"].id},
        ),
    ]
    assert entries[1].subject == "Participants' agendas · Siêu thị Hạ Long Đông Á"
    log = html(client.get(f"/manage/events/{fair['event'].id}/log?action=export"))
    assert len(log.select("#log tbody tr[data-action=export]")) == 2


# ---------------------------------------------------------------- large exports: a background job


@pytest.fixture()
def small_limit(app, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 1)
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_XLSX_ROWS", 1)
    monkeypatch.setitem(app.config, "EXPORTS_FOLDER", str(tmp_path / "exports"))
    return tmp_path / "exports"


def test_a_large_export_runs_as_a_job_with_progress_then_a_download_link(
    client, login, fair, small_limit, worker, html, make_user
):
    event = fair["event"]
    _login(client, login, fair["owner"])
    response = _export(client, event, "meetings", "xlsx")
    task = _db.session.scalar(select(Task))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/events/{event.id}/jobs/{task.id}")
    assert (task.kind, task.queue, task.event_id, task.state) == (
        "reports.export",
        "heavy",
        event.id,
        "queued",
    )
    again = _export(client, event, "meetings", "xlsx")  # a second click shows the same job
    assert again.headers["Location"].endswith(f"/jobs/{task.id}")
    assert _db.session.scalars(select(Task)).all() == [task]
    waiting = client.get(f"/manage/events/{event.id}/jobs/{task.id}/progress.json").get_json()
    assert (waiting["state"], waiting["final"]) == ("queued", False)
    assert _db.session.scalar(select(EventLogEntry).where(EventLogEntry.action == "export")) is None

    worker.drain()
    last = progress.read(task.message_id)
    assert (last["phase"], last["done"], last["total"]) == ("rows", 2, 2)
    done = client.get(f"/manage/events/{event.id}/jobs/{task.id}/progress.json").get_json()
    assert (done["state"], done["percent"], done["final"]) == ("succeeded", 100, True)
    assert done["message"] == "2 rows exported. The file can be downloaded for a day."
    assert done["url"] == f"/manage/events/{event.id}/exports/files/{task.id}"
    page = html(client.get(f"/manage/events/{event.id}/jobs/{task.id}"))
    assert page.select_one("#open-result")["href"] == done["url"]
    listed = html(client.get(f"/manage/events/{event.id}/exports"))
    assert listed.select_one(f"[data-job-id='{task.id}']")["data-state"] == "succeeded"

    download = client.get(done["url"])
    assert download.headers["Content-Disposition"].startswith("attachment")
    sheet = _xlsx(download)
    assert [cell.value for cell in sheet[2]][:6] == [
        fair["held"].id,
        "Kết nối cung cầu",
        datetime(2027, 3, 8, 0, 0),
        datetime(2027, 3, 8, 9, 0),
        datetime(2027, 3, 8, 9, 20),
        "Table 3",
    ]
    entry = _db.session.scalar(select(EventLogEntry).where(EventLogEntry.action == "export"))
    assert entry.details_json == {"export": "meetings", "format": "XLSX", "rows": 2}

    client.post("/logout")
    _login(client, login, make_user(role="organiser"))
    assert client.get(done["url"]).status_code == 403
    client.post("/logout")
    _login(client, login, make_user(role="admin"))
    assert client.get(done["url"]).status_code == 200


def test_an_export_file_is_refused_to_every_other_role(
    client, login, fair, small_limit, worker, make_user, make_event, exhibitor, buyer_user
):
    """The file of an export job: its event's organisers and admins only (the owner's download
    is shown above); a visitor is sent to log in; an exhibitor and a buyer of the event, an
    organiser of no event and the organiser of another event are refused."""
    event = fair["event"]
    _login(client, login, fair["owner"])
    _export(client, event, "registrations", "csv")
    worker.drain()
    task = _db.session.scalar(select(Task))
    url = f"/manage/events/{event.id}/exports/files/{task.id}"
    assert client.get(url).status_code == 200
    client.post("/logout")

    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # The event's own exhibitor and buyer: their organisations are registered for it.
    event_exhibitor = fair["exhibitor"].organisation
    own_exhibitor = make_user(role="exhibitor", organisation=event_exhibitor)
    own_buyer = make_user(role="buyer", organisation=fair["buyer"].organisation)
    other_organiser = make_user(role="organiser")
    elsewhere = make_user(role="organiser")
    other_event = make_event(elsewhere)
    _db.session.commit()
    for intruder in (exhibitor, buyer_user, own_exhibitor, own_buyer, other_organiser, elsewhere):
        _login(client, login, intruder)
        assert client.get(url).status_code == 403, intruder.role
        client.post("/logout")
    # Another event's organiser asking for the file through his own event: no such file there.
    _login(client, login, elsewhere)
    assert client.get(f"/manage/events/{other_event.id}/exports/files/{task.id}").status_code == 404


def test_a_large_gate_check_in_export_runs_as_a_job_too(client, login, fair, small_limit, worker):
    event = fair["event"]
    _login(client, login, fair["owner"])
    response = _export(client, event, "gate_checkins", "csv")
    task = _db.session.scalar(select(Task))
    assert response.headers["Location"].endswith(f"/manage/events/{event.id}/jobs/{task.id}")
    worker.drain()
    done = client.get(f"/manage/events/{event.id}/jobs/{task.id}/progress.json").get_json()
    assert (done["state"], done["message"]) == (
        "succeeded",
        "2 rows exported. The file can be downloaded for a day.",
    )
    rows = _by_header(_csv(client.get(done["url"])))
    assert [(r["Checked in"], r["Gate"]) for r in rows] == [
        ("2027-03-08 08:15", "Cổng chính"),
        ("2027-03-09 00:30", "'=1+1"),
    ]
    entry = _db.session.scalar(select(EventLogEntry).where(EventLogEntry.action == "export"))
    assert entry.details_json == {"export": "gate_checkins", "format": "CSV", "rows": 2}


def test_export_files_older_than_a_day_are_removed_and_the_link_says_so(
    client, login, fair, small_limit, worker, html
):
    event = fair["event"]
    _login(client, login, fair["owner"])
    _export(client, event, "registrations", "csv")
    worker.drain()
    task = _db.session.scalar(select(Task))
    path = exports.stored_file(task)
    assert path.is_file()
    url = f"/manage/events/{event.id}/exports/files/{task.id}"
    assert len(_csv(client.get(url))) == 4

    from app.reports.exports.jobs import remove_old_exports

    recent = wall.time() - exports.KEEP_SECONDS + 60  # the (pinned) clock's time, not the disk's
    os.utime(path, (recent, recent))
    assert remove_old_exports() == 0  # written less than a day ago: kept
    old = wall.time() - exports.KEEP_SECONDS - 60
    os.utime(path, (old, old))
    assert remove_old_exports() == 1
    assert not path.exists()
    response = client.get(url)
    assert response.status_code == 404
    assert "removed a day after" in html(response).select_one("#export-problem").get_text()


def test_the_cleanup_is_a_standing_clock_step_run_by_the_worker(app, db, worker, small_limit):
    from app.scheduler import add_standing_jobs, build_scheduler

    scheduler = build_scheduler(app)
    add_standing_jobs(scheduler)
    job = {j.id: j for j in scheduler.get_jobs()}["reports-exports-cleanup"]
    assert job.func(*job.args, **job.kwargs) is True
    assert worker.pending() == [("default", "ocopfair.call", ["app.reports.exports.jobs:remove_old_exports"])]
    assert worker.drain() == [0]


def test_an_organiser_removed_while_the_job_waited_gets_no_file_and_no_log_entry(
    client, login, fair, small_limit, worker
):
    event = fair["event"]
    co_organiser = make_co_organiser(event)
    _login(client, login, co_organiser)
    _export(client, event, "registrations", "xlsx")
    task = _db.session.scalar(select(Task))
    _db.session.execute(
        EventOrganiser.__table__.delete().where(
            EventOrganiser.event_id == event.id, EventOrganiser.user_id == co_organiser.id
        )
    )
    _db.session.commit()

    worker.drain()
    task = _db.session.get(Task, task.id)
    assert (task.state, task.error) == (
        "failed",
        "You are no longer allowed to do this, so nothing was changed.",
    )
    assert not small_limit.exists() or list(small_limit.iterdir()) == []
    assert _db.session.scalar(select(EventLogEntry).where(EventLogEntry.action == "export")) is None
    client.post("/logout")
    _login(client, login, fair["owner"])
    assert client.get(f"/manage/events/{event.id}/exports/files/{task.id}").status_code == 404


def test_a_small_csv_streams_in_the_response(client, login, fair):
    _login(client, login, fair["owner"])
    response = _export(client, fair["event"], "meetings", "csv")
    assert response.is_streamed
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="{fair["event"].slug}-meetings.csv"'
    )
    assert response.mimetype == "text/csv"


def make_co_organiser(event):
    from app.accounts import services as accounts

    user = accounts.create_user(
        role="organiser",
        password="correct horse 42",
        email="co-organiser@example.vn",
        full_name="Trần Văn Bình",
    )
    _db.session.add(EventOrganiser(event_id=event.id, user_id=user.id))
    _db.session.commit()
    return user


def test_an_xlsx_goes_to_the_background_sooner_than_a_csv(app, client, login, fair, monkeypatch, tmp_path):
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_ROWS", 2)
    monkeypatch.setitem(app.config, "EXPORT_INLINE_MAX_XLSX_ROWS", 1)
    monkeypatch.setitem(app.config, "EXPORTS_FOLDER", str(tmp_path))
    _login(client, login, fair["owner"])
    assert len(_csv(_export(client, fair["event"], "meetings", "csv"))) == 3  # 2 rows: in the response
    response = _export(client, fair["event"], "meetings", "xlsx")
    task = _db.session.scalar(select(Task))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/jobs/{task.id}")


def test_a_forums_meetings_are_exported_with_participants_a_and_b(client, login, fair):
    """A producer–producer meeting of a networking forum beside the buyer–producer session: the
    meeting columns are named by both, an outcome is recorded by participant A or B, and each
    side of the agendas by its role."""
    forum = MatchingSession(
        event_id=fair["event"].id,
        kind="forum",
        name="Diễn đàn kết nối",
        first_day=DAY,
        last_day=DAY,
        day_start=time(8, 30),
        day_end=time(11, 30),
        meeting_minutes=20,
        gap_minutes=10,
        tables=3,
    )
    _db.session.add(forum)
    _db.session.flush()
    a, b = sorted((fair["exhibitor"], fair["mushrooms"]), key=lambda r: r.id)
    meeting = Meeting(
        session_id=forum.id,
        buyer_registration_id=a.id,
        producer_registration_id=b.id,
        slot=0,
        table=0,
        score=0,
        published=True,
        checkin_code="FORUM001",
    )
    _db.session.add(meeting)
    _db.session.flush()
    _db.session.add(MeetingOutcome(meeting_id=meeting.id, side="producer", kind="follow_up"))
    _db.session.commit()
    _login(client, login, fair["owner"])

    rows = _csv(_export(client, fair["event"], "meetings", "csv"))
    assert rows[0][6:8] == ["Buyer or participant A", "Producer or participant B"]
    (forum_row,) = [r for r in _by_header(rows) if int(r["Meeting number"]) == meeting.id]
    assert forum_row["Session"] == "Diễn đàn kết nối"
    outcomes = _csv(_export(client, fair["event"], "outcomes", "csv"))
    assert outcomes[0][3:5] == ["Buyer or participant A", "Producer or participant B"]
    assert {(int(r["Meeting number"]), r["Recorded by"]) for r in _by_header(outcomes)} == {
        (fair["held"].id, "Buyer"),
        (meeting.id, "Participant B"),
    }
    agendas = _by_header(_csv(_export(client, fair["event"], "agendas", "csv")))
    mine = [(int(r["Registration number"]), r["Role"]) for r in agendas if r["Session"] == "Diễn đàn kết nối"]
    assert sorted(mine) == sorted([(a.id, "Producer"), (b.id, "Producer")])

    # A fair whose only session is a forum names them participants A and B.
    _db.session.delete(_db.session.get(MatchingSession, fair["held"].session_id))
    _db.session.commit()
    assert _csv(_export(client, fair["event"], "checkins", "csv"))[0][7:9] == [
        "Participant A",
        "Participant B",
    ]
    assert _csv(_export(client, fair["event"], "meetings", "csv"))[0][6:8] == [
        "Participant A",
        "Participant B",
    ]
