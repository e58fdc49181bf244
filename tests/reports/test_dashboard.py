"""The event dashboard (app/reports/dashboard): its figures against hand-built data, its filters
(and the messages bad ones get), who may see it, its exports (CSV, XLSX, the workbook), the
printable report, and a number of SQL statements that does not grow with the event."""

from __future__ import annotations

import csv
import io
import itertools
import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.booths.models import Booth, BoothAssignment, BoothType, BoothVisit, ElectronicBooth
from app.errors import PermissionDenied
from app.events.models import EventOrganiser, Hall, Registration, RegistrationProduct
from app.matching.models import MatchingSession, MatchRequest, Meeting, MeetingOutcome
from app.onsite.gate.models import GateCheckin
from app.reports.dashboard import services
from app.reports.dashboard.services import Filters
from tests.conftest import queries_of, text_of

_codes = itertools.count(1)
DAY1, DAY2 = date(2027, 1, 20), date(2027, 1, 21)
ENGLISH_STATUSES = {
    "pending": "Pending",
    "approved": "Approved",
    "rejected": "Rejected",
    "waitlisted": "Waiting list",
    "withdrawn": "Withdrawn",
}


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Fair:
    """An event built row by row, so every figure is known by hand."""

    def __init__(self, db, event, make_producer, make_buyer, make_product):
        self.db, self.event = db, event
        self.make_producer, self.make_buyer, self.make_product = make_producer, make_buyer, make_product
        self.hall = Hall(event_id=event.id, name="Nhà A", width_m=200, depth_m=30)
        self.standard = BoothType(event_id=event.id, name="Tiêu chuẩn", price_vnd=5_000_000)
        self.corner = BoothType(event_id=event.id, name="Góc", price_vnd=3_000_000)
        self.session = MatchingSession(
            event_id=event.id,
            name="Kết nối cung cầu",
            first_day=DAY1,
            last_day=DAY1,
            day_start=time(8, 30),
            day_end=time(11, 30),
            tables=3,
            last_run_json=json.dumps({"pairs": 12}),
        )
        db.session.add_all([self.hall, self.standard, self.corner, self.session])
        db.session.flush()
        self.booths = 0

    def exhibitor(self, status, province, products, created):
        organisation = self.make_producer(province_code=province)
        registration = Registration(
            event_id=self.event.id,
            organisation_id=organisation.id,
            role="exhibitor",
            status=status,
            created_at=utc(created),
        )
        self.db.session.add(registration)
        self.db.session.flush()
        for group, category, stars in products:
            product = self.make_product(organisation, ocop_group=group, category=category, stars=stars)
            self.db.session.add(RegistrationProduct(registration_id=registration.id, product_id=product.id))
        self.db.session.flush()
        return registration

    def buyer(self, status, buyer_type, created, province="01"):
        organisation = self.make_buyer(buyer_type=buyer_type, province_code=province)
        registration = Registration(
            event_id=self.event.id,
            organisation_id=organisation.id,
            role="buyer",
            status=status,
            created_at=utc(created),
        )
        self.db.session.add(registration)
        self.db.session.flush()
        return registration

    def booth(self, registration, booth_type, payment, status="allocated"):
        booth = Booth(
            event_id=self.event.id,
            hall_id=self.hall.id,
            booth_type_id=booth_type.id,
            code=f"A{self.booths}",
            x_m=3 * self.booths,
            y_m=0,
            width_m=3,
            depth_m=3,
        )
        self.booths += 1
        self.db.session.add(booth)
        self.db.session.flush()
        self.db.session.add(
            BoothAssignment(
                event_id=self.event.id,
                booth_id=booth.id,
                registration_id=registration.id,
                payment=payment,
                status=status,
            )
        )

    def visits(self, registration, counts):
        ebooth = ElectronicBooth(event_id=self.event.id, registration_id=registration.id, published=True)
        self.db.session.add(ebooth)
        self.db.session.flush()
        for day, count in counts.items():
            self.db.session.add(BoothVisit(electronic_booth_id=ebooth.id, day=day, count=count))

    def meeting(self, buyer, producer, status, published=True, outcomes=()):
        meeting = Meeting(
            session_id=self.session.id,
            buyer_registration_id=buyer.id,
            producer_registration_id=producer.id,
            slot=next(_codes) % 6,
            table=1,
            score=0.8,
            status=status,
            published=published,
            checkin_code=f"D{next(_codes):06d}Z",
        )
        self.db.session.add(meeting)
        self.db.session.flush()
        for side, kind, value in outcomes:
            self.db.session.add(MeetingOutcome(meeting_id=meeting.id, side=side, kind=kind, value_vnd=value))
        return meeting

    def gate(self, registration, day, at: str, gate="Cổng chính"):
        """A participant let in at the gate on `day` (the event's calendar) at `at` (UTC)."""
        self.db.session.add(
            GateCheckin(
                event_id=self.event.id,
                registration_id=registration.id,
                gate=gate,
                day=day,
                checked_in_at=utc(at),
            )
        )

    def request(self, buyer, producer, kind, status, by="buyer"):
        self.db.session.add(
            MatchRequest(
                session_id=self.session.id,
                buyer_registration_id=buyer.id,
                producer_registration_id=producer.id,
                kind=kind,
                status=status,
                requested_by=by,
            )
        )


@pytest.fixture()
def fair(db, organiser, make_open_event, make_producer, make_buyer, make_product):
    """Three exhibitors (Quảng Ninh; Bắc Ninh recorded as earlier Bắc Ninh "27"; Bắc Giang "24",
    now Bắc Ninh, pending), two buyers (a supermarket, a waitlisted hotel), booths paid, due,
    waived and cancelled, e-booth visits on two days, meetings held, no-show, scheduled,
    cancelled and unpublished, contracts, asks."""
    event = make_open_event(organiser)
    f = Fair(db, event, make_producer, make_buyer, make_product)
    # Registration times in UTC; the dashboard counts them on Vietnam's calendar (UTC+7).
    e1 = f.exhibitor(
        "approved", "22", [("food", "rice_noodles", 4), ("beverages", "tea", 3)], "2027-01-05T20:00:00"
    )
    e2 = f.exhibitor("approved", "27", [("food", "rice_noodles", 5)], "2027-01-06T01:00:00")
    e3 = f.exhibitor("pending", "24", [("herbal", "herbal_medicine", 3)], "2027-01-06T18:00:00")
    b1 = f.buyer("approved", "supermarket", "2027-01-07T02:00:00")
    b2 = f.buyer("waitlisted", "hotel", "2027-01-09T10:00:00")
    f.booth(e1, f.standard, "paid")
    f.booth(e2, f.standard, "due")
    f.booth(e3, f.standard, "paid", status="cancelled")
    f.booth(e3, f.corner, "waived")
    f.visits(e1, {DAY1: 5, DAY2: 7})
    f.visits(e2, {DAY2: 3})
    f.meeting(
        b1, e1, "held", outcomes=[("buyer", "contract", 500_000_000), ("producer", "contract", 450_000_000)]
    )
    f.meeting(b1, e2, "held", outcomes=[("producer", "contract", 1_250_000)])
    f.meeting(b1, e3, "no_show")
    f.meeting(b2, e1, "scheduled", outcomes=[("buyer", "follow_up", None)])
    f.meeting(b2, e2, "cancelled", outcomes=[("buyer", "contract", 9_000_000)])
    f.meeting(b2, e3, "scheduled", published=False)
    f.request(b1, e1, "ask", "open")
    f.request(b1, e2, "must", "accepted")
    f.request(b2, e1, "ask", "declined")
    f.request(b2, e3, "block", "open", by="producer")
    db.session.commit()
    return f


def board_of(app, actor, event, **filters):
    with app.test_request_context("/?lang=en"):
        return services.event_dashboard(actor, event, Filters(**filters))


def rows(board, key):
    return [tuple(row) for row in board.tables[key].rows]


# ---------------------------------------------------------------- the figures


def test_figures_of_the_whole_event(app, fair, organiser):
    board = board_of(app, organiser, fair.event)
    f = board.figures
    assert f["registrations"] == 5
    assert (f["approved_exhibitors"], f["pending_exhibitors"], f["approved_buyers"]) == (2, 1, 1)
    assert rows(board, "registrations")[:6] == [
        ("Exhibitors", "Pending", 1),
        ("Exhibitors", "Approved", 2),
        ("Exhibitors", "Rejected", 0),
        ("Exhibitors", "Waiting list", 0),
        ("Exhibitors", "Withdrawn", 0),
        ("Exhibitors", "All", 3),
    ]
    assert ("Buyers", "Waiting list", 1) in rows(board, "registrations")
    # Vietnam's days: 20:00 UTC on the 5th is the 6th in Hà Nội.
    assert rows(board, "registrations_per_day") == [
        (date(2027, 1, 6), 2, 0),
        (date(2027, 1, 7), 1, 1),
        (date(2027, 1, 8), 0, 0),
        (date(2027, 1, 9), 0, 1),
    ]
    # Approved exhibitors by current province: "27" (Bắc Ninh before 2025) counts as Bắc Ninh.
    assert rows(board, "exhibitors_by_province") == [("Bắc Ninh", 1), ("Quảng Ninh", 1)]
    assert rows(board, "exhibitors_by_group") == [
        ("Beverages", 3, 1, 1),
        ("Food", 5, 1, 1),
        ("Food", 4, 1, 1),
    ]
    assert rows(board, "booths") == [
        ("Paid", 1, 5_000_000),
        ("Payment due", 1, 5_000_000),
        ("Waived", 1, 3_000_000),
        ("Allocated", 3, 13_000_000),
    ]
    assert rows(board, "visits_per_day") == [(DAY1, 5), (DAY2, 10)]
    assert (f["meetings"], f["held"], f["no_shows"], f["no_show_rate"]) == (4, 2, 1, 33.3)
    assert (f["contracts"], f["contract_vnd"]) == (2, 501_250_000)
    assert (f["asks"], f["accepted"]) == (3, 1)
    assert rows(board, "meetings_by_buyer_type") == [
        ("Hotel", 1, 0, 0, 0.0, 1, 0, 0, 0),
        ("Supermarket", 3, 2, 1, 33.3, 2, 1, 2, 501_250_000),
        ("All", 4, 2, 1, 33.3, 3, 1, 2, 501_250_000),
    ]
    assert rows(board, "meetings_by_province") == [
        ("Bắc Ninh", 2, 1, 1, 50.0, 1, 1_250_000),
        ("Quảng Ninh", 2, 1, 0, 0.0, 1, 500_000_000),
    ]
    # A producer bringing food and beverages counts under both groups.
    assert rows(board, "meetings_by_group") == [
        ("Beverages", 2, 1, 0, 0.0, 1, 500_000_000),
        ("Food", 3, 2, 0, 0.0, 2, 501_250_000),
        ("Herbal products", 1, 0, 1, 100.0, 0, 0),
    ]
    assert rows(board, "meetings_by_stars") == [
        ("5 stars", 1, 1, 0, 0.0, 1, 1_250_000),
        ("4 stars", 2, 1, 0, 0.0, 1, 500_000_000),
        ("3 stars", 1, 0, 1, 100.0, 0, 0),
    ]
    assert board.funnel == [
        ("Candidate pairs", 12),
        ("Asks", 3),
        ("Meetings scheduled", 4),
        ("Meetings held", 2),
        ("Contracts", 2),
    ]


def test_filters_narrow_the_figures(app, fair, organiser):
    # Bắc Ninh today: Bắc Ninh's and Bắc Giang's records.
    board = board_of(app, organiser, fair.event, province="24")
    assert (board.figures["approved_exhibitors"], board.figures["pending_exhibitors"]) == (1, 1)
    assert board.figures["approved_buyers"] == 0  # the buyers are in Hà Nội
    assert rows(board, "exhibitors_by_province") == [("Bắc Ninh", 1)]
    assert rows(board, "booths")[-1] == ("Allocated", 2, 8_000_000)
    assert rows(board, "visits_per_day") == [(DAY2, 3)]
    assert (board.figures["meetings"], board.figures["contracts"]) == (2, 1)  # the producer's province

    hotels = board_of(app, organiser, fair.event, buyer_type="hotel")
    assert (hotels.figures["meetings"], hotels.figures["asks"], hotels.figures["contracts"]) == (1, 1, 0)
    assert hotels.figures["approved_exhibitors"] == 2  # buyer type narrows buyers only

    buyers = board_of(app, organiser, fair.event, role="buyer")
    assert [row[0] for row in rows(buyers, "registrations")] == ["Buyers"] * 6
    assert rows(buyers, "registrations_per_day")[0] == (date(2027, 1, 7), 1)

    window = board_of(app, organiser, fair.event, date_from=date(2027, 1, 7), date_to=DAY1)
    assert rows(window, "visits_per_day") == [(DAY1, 5)]
    days = rows(window, "registrations_per_day")
    assert days[0] == (date(2027, 1, 7), 1, 1) and days[-1][0] == DAY1 and len(days) == 14
    assert window.figures["registrations"] == 5  # the range narrows the timelines only


def gate_checkins(fair: Fair) -> dict[str, Registration]:
    """Quảng Ninh's exhibitor on both days, Bắc Ninh's (recorded as "27") on the second, the
    supermarket buyer at 00:30 on the first day in Vietnam (still the day before in UTC), the hotel
    on the second."""
    people = {r.organisation.name: r for r in fair.event.registrations}
    by_kind = {}
    for registration in people.values():
        organisation = registration.organisation
        key = organisation.buyer_type if registration.role == "buyer" else organisation.province_code
        by_kind.setdefault(key, registration)
    fair.gate(by_kind["22"], DAY1, "2027-01-20T01:00:00")
    fair.gate(by_kind["22"], DAY2, "2027-01-21T02:00:00", gate="Cổng phụ")
    fair.gate(by_kind["27"], DAY2, "2027-01-21T01:30:00")
    fair.gate(by_kind["supermarket"], DAY1, "2027-01-19T17:30:00")
    fair.gate(by_kind["hotel"], DAY2, "2027-01-21T03:00:00")
    fair.db.session.commit()
    return by_kind


def test_people_checked_in_at_the_gate_per_day_and_in_all(app, fair, organiser):
    gate_checkins(fair)
    board = board_of(app, organiser, fair.event)
    # Per day, those let in that day; in all, each participant once (Quảng Ninh's came twice).
    assert rows(board, "gate_per_day") == [(DAY1, 2), (DAY2, 3)]
    assert (board.figures["gate_people"], board.figures["gate_checkins"]) == (4, 5)
    assert [str(c.label) for c in board.tables["gate_per_day"].columns] == ["Day", "People checked in"]

    bac_ninh = board_of(app, organiser, fair.event, province="24")  # "27" is Bắc Ninh today
    assert (rows(bac_ninh, "gate_per_day"), bac_ninh.figures["gate_people"]) == ([(DAY2, 1)], 1)
    buyers = board_of(app, organiser, fair.event, role="buyer")
    assert (rows(buyers, "gate_per_day"), buyers.figures["gate_people"]) == ([(DAY1, 1), (DAY2, 1)], 2)
    hotels = board_of(app, organiser, fair.event, buyer_type="hotel")  # narrows the buyers only
    assert (rows(hotels, "gate_per_day"), hotels.figures["gate_people"]) == ([(DAY1, 1), (DAY2, 3)], 3)
    second_day = board_of(app, organiser, fair.event, date_from=DAY2, date_to=DAY2)
    assert (rows(second_day, "gate_per_day"), second_day.figures["gate_people"]) == ([(DAY2, 3)], 3)


def test_the_page_the_workbook_and_the_report_show_the_gate(client, login, fair, organiser, html):
    gate_checkins(fair)
    login(organiser)
    page = html(client.get(f"/manage/events/{fair.event.id}/dashboard?lang=en"))
    figure = page.select_one('[data-figure="gate_people"]')
    assert (
        "People checked in at the gate" in text_of(figure)
        and text_of(figure.select_one("[data-value]")) == "4"
    )
    table = page.select_one('table[data-table="gate_per_day"]')
    assert [text_of(td) for td in table.select('td[data-column="people"]')] == ["2", "3"]
    assert table.select_one("tbody a") is None  # the gate page counts per gate and hour: not these rows
    book = load_workbook(
        io.BytesIO(client.get(f"/manage/events/{fair.event.id}/dashboard.xlsx?lang=en").data)
    )
    sheet = list(book["Gate check-ins per day"].iter_rows(values_only=True))
    assert sheet[0] == ("Day", "People checked in")
    assert [(d.date(), n) for d, n in sheet[1:]] == [(DAY1, 2), (DAY2, 3)]
    report = html(client.get(f"/manage/events/{fair.event.id}/report?lang=en"))
    assert text_of(report.select_one('[data-figure="gate_people"] [data-value]')) == "4"
    assert len(report.select('table[data-table="gate_per_day"] tbody tr')) == 2


def add_forum(db, fair: Fair) -> None:
    """A networking forum's meetings in the fair: two producers (held, a contract), a producer in
    side a beside a buyer (scheduled), two buyers (no-show)."""
    e1, e2, e3, b1, b2 = db.session.scalars(
        select(Registration).where(Registration.event_id == fair.event.id).order_by(Registration.id)
    ).all()
    assert [r.role for r in (e1, e2, e3, b1, b2)] == ["exhibitor"] * 3 + ["buyer"] * 2
    forum = MatchingSession(
        event_id=fair.event.id,
        kind="forum",
        name="Diễn đàn kết nối",
        first_day=DAY1,
        last_day=DAY1,
        day_start=time(13, 30),
        day_end=time(16, 30),
        tables=3,
    )
    db.session.add(forum)
    db.session.flush()
    fair.session = forum
    fair.meeting(e1, e2, "held", outcomes=[("producer", "contract", 2_000_000)])  # producers only
    fair.meeting(e3, b1, "scheduled")  # side a a producer (Bắc Giang, now Bắc Ninh), side b the supermarket
    fair.meeting(b1, b2, "no_show")  # two buyers: under side a's type, no producer
    db.session.commit()


def test_a_forums_meetings_count_under_their_buyer_and_producer_by_role_not_by_column(
    app, db, fair, organiser
):
    """A networking forum stores a pair in registration order, whatever the roles: a producer in
    the buyer column is no buyer. Two producers meeting count under "no buyer" (the rows still
    add up), a buyer in the producer column under its type, two buyers under side a's type."""
    add_forum(db, fair)

    board = board_of(app, organiser, fair.event)
    assert (board.figures["meetings"], board.figures["contracts"]) == (7, 3)
    assert rows(board, "meetings_by_buyer_type") == [
        ("Hotel", 1, 0, 0, 0.0, 1, 0, 0, 0),
        ("No buyer (producers meeting in a forum)", 1, 1, 0, 0.0, 0, 0, 1, 2_000_000),
        ("Supermarket", 5, 2, 2, 50.0, 2, 1, 2, 501_250_000),
        ("All", 7, 3, 2, 40.0, 3, 1, 3, 503_250_000),
    ]
    # The producer's province: side b's of two producers (e2, Bắc Ninh), e3's beside the
    # supermarket (Bắc Giang, now Bắc Ninh), none for two buyers.
    assert rows(board, "meetings_by_province") == [
        ("Bắc Ninh", 4, 2, 1, 33.3, 2, 3_250_000),
        ("Quảng Ninh", 2, 1, 0, 0.0, 1, 500_000_000),
        ("Not given", 1, 0, 1, 100.0, 0, 0),
    ]
    assert ("Herbal products", 2, 0, 1, 100.0, 0, 0) in rows(board, "meetings_by_group")
    assert ("5 stars", 2, 2, 0, 0.0, 2, 3_250_000) in rows(board, "meetings_by_stars")
    supermarkets = board_of(app, organiser, fair.event, buyer_type="supermarket")
    assert supermarkets.figures["meetings"] == 5
    bac_ninh = board_of(app, organiser, fair.event, province="24")
    assert bac_ninh.figures["meetings"] == 4


def test_an_event_with_nothing_yet(app, db, organiser, make_open_event):
    event = make_open_event(organiser)
    board = board_of(app, organiser, event)
    assert board.empty
    assert board.figures["meetings"] == 0 and board.figures["contract_vnd"] == 0
    assert rows(board, "registrations_per_day") == [] and rows(board, "meetings_by_buyer_type") == []
    assert rows(board, "gate_per_day") == [] and board.figures["gate_people"] == 0
    assert not board.candidates_known


def test_the_service_refuses_other_organisers(app, fair, make_user):
    with pytest.raises(PermissionDenied):
        board_of(app, make_user(role="organiser"), fair.event)
    assert board_of(app, make_user(role="admin"), fair.event).figures["meetings"] == 4


# ---------------------------------------------------------------- the page


def test_page_shows_figures_linked_to_their_lists(client, login, fair, organiser, html):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/dashboard?lang=en")
    assert response.status_code == 200
    page = html(response)
    assert text_of(page.select_one('[data-figure="contract_vnd"] [data-value]')) == "₫501,250,000"
    assert text_of(page.select_one('[data-figure="no_show_rate"] [data-value]')) == "33.3 %"
    link = page.select_one('table[data-table="registrations"] tbody tr:nth-of-type(2) a')
    assert link["href"] == f"/manage/events/{fair.event.id}/registrations?role=exhibitor&status=approved"
    province_link = page.select_one('table[data-table="exhibitors_by_province"] tbody tr a')
    assert province_link["href"].endswith("role=exhibitor&status=approved&province=24")
    booth_link = page.select_one('table[data-table="booths"] tbody a')
    assert booth_link["href"] == f"/manage/events/{fair.event.id}/booth-requests?payment=paid#bookings"
    meeting_link = page.select_one('table[data-table="meetings_by_buyer_type"] tbody a')
    assert meeting_link["href"] == f"/manage/events/{fair.event.id}/outcomes?buyer_type=hotel"
    # Each chart is an image named by its title, its numbers in a table beside it.
    charts = page.select('.dashboard-chart svg[role="img"]')
    assert {c["aria-label"] for c in charts} >= {"Exhibitors by province", "From candidates to contracts"}
    assert page.select_one('table[data-table="funnel"]') is not None
    assert page.select_one("script:not([nonce])") is None and page.select_one("[style]") is None


def test_the_province_link_leads_to_the_province_s_registrations(client, login, fair, organiser, html):
    login(organiser)
    url = f"/manage/events/{fair.event.id}/registrations?role=exhibitor&province=24&lang=en"
    page = html(client.get(url))
    names = [text_of(a) for a in page.select("table tbody td a[href^='/organisations/']")]
    assert len(names) == 2  # Bắc Ninh ("27") and Bắc Giang ("24", now Bắc Ninh)
    assert "Bắc Ninh" in text_of(page.select_one("[data-province-filter]"))
    # Deciding from the filtered list comes back to it, still filtered.
    form = page.select_one("form[action$='/registrations/decide']")
    assert form.select_one("input[name=province]")["value"] == "24"
    pending = [r for r in fair.event.registrations if r.status == "pending"]
    response = client.post(
        f"/manage/events/{fair.event.id}/registrations/decide",
        data={"ids": [pending[0].id], "action": "approve", "role": "exhibitor", "province": "24"},
    )
    assert response.status_code == 302 and "province=24" in response.headers["Location"]
    unknown = html(
        client.get(f"/manage/events/{fair.event.id}/registrations?role=exhibitor&province=99&lang=en")
    )
    assert unknown.select_one("[data-unknown-province]") is not None
    assert len(unknown.select("table tbody td a[href^='/organisations/']")) == 3


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("province=99", "province", "Choose one of the 34 current provinces."),
        ("role=visitor", "role", "Choose exhibitors, buyers or all."),
        ("buyer_type=spaceport", "buyer_type", "Choose a buyer type from the list."),
        ("date_from=2027-13-01", "date_from", "Give a date as YYYY-MM-DD, from 1900 to 2999."),
        (
            "date_from=0001-01-01&date_to=0001-01-02",
            "date_from",
            "Give a date as YYYY-MM-DD, from 1900 to 2999.",
        ),
        (
            "date_from=2027-02-01&date_to=2027-01-01",
            "date_to",
            "The end of the range comes before its start.",
        ),
    ],
)
def test_bad_filters_get_a_message_beside_the_field(
    client, login, fair, organiser, html, query, field, message
):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/dashboard?{query}&lang=en")
    assert response.status_code == 400
    page = html(response)
    assert text_of(page.select_one(f"#{field}-error-1")) == message
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    # The dashboard still shows, without the refused filter.
    assert text_of(page.select_one('[data-figure="meetings"] [data-value]')) == "4"
    exported = client.get(f"/manage/events/{fair.event.id}/dashboard.xlsx?{query}")
    assert exported.status_code == 302 and "/dashboard?" in exported.headers["Location"]


def test_an_empty_event_shows_an_empty_state_and_exports_headers(
    client, login, organiser, make_open_event, html
):
    event = make_open_event(organiser)
    login(organiser)
    page = html(client.get(f"/manage/events/{event.id}/dashboard?lang=en"))
    assert page.select_one("[data-empty-dashboard]") is not None
    response = client.get(f"/manage/events/{event.id}/dashboard/meetings_by_buyer_type.csv?lang=en")
    assert response.status_code == 200
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines == [
        "Buyer type,Meetings,Held,No-shows,No-show rate (per cent),"
        "Asks,Accepted,Contracts,Contract value (VND)"
    ]
    book = load_workbook(io.BytesIO(client.get(f"/manage/events/{event.id}/dashboard.xlsx?lang=en").data))
    assert len(book.sheetnames) == len(services.TABLE_KEYS)


ROUTES = (
    "/manage/events/{id}/dashboard",
    "/manage/events/{id}/report",
    "/manage/events/{id}/dashboard.xlsx",
    "/manage/events/{id}/dashboard/booths.csv",
    "/manage/events/{id}/dashboard/meetings_by_province.xlsx",
)


@pytest.mark.parametrize("route", ROUTES)
def test_only_the_event_s_organisers_and_admins_see_it(
    client, login, fair, organiser, make_user, exhibitor, buyer_user, route
):
    url = route.format(id=fair.event.id)
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    for refused in (exhibitor, buyer_user, make_user(role="organiser")):
        login(refused)
        assert client.get(url).status_code == 403, refused.role
        client.post("/logout")
    for allowed in (organiser, make_user(role="admin")):
        login(allowed)
        assert client.get(url).status_code == 200, allowed.role
        client.post("/logout")
    login(organiser)
    assert client.get(route.format(id=fair.event.id + 1000)).status_code == 404


def test_a_co_organiser_sees_it_too(client, login, db, fair, make_user):
    colleague = make_user(role="organiser")
    db.session.add(EventOrganiser(event_id=fair.event.id, user_id=colleague.id))
    login(colleague)
    assert client.get(f"/manage/events/{fair.event.id}/dashboard").status_code == 200


def test_bad_filters_with_url_for_s_own_keys_come_back_to_the_dashboard(client, login, fair, organiser):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/report?event_id=2&endpoint=x&role=bad")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/manage/events/{fair.event.id}/dashboard?role=bad"


def test_an_unknown_table_is_not_found(client, login, fair, organiser):
    login(organiser)
    assert client.get(f"/manage/events/{fair.event.id}/dashboard/users.csv").status_code == 404


# ---------------------------------------------------------------- exports


def test_the_workbook_holds_every_table_with_the_database_s_figures(client, login, db, fair, organiser):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/dashboard.xlsx?lang=en")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('-dashboard.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    assert len(book.sheetnames) == len(services.TABLE_KEYS)
    sheet = book["Registrations by status"]
    figures = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=2, values_only=True)}
    in_database = dict(
        ((("Exhibitors" if role == "exhibitor" else "Buyers"), ENGLISH_STATUSES[status]), n)
        for role, status, n in db.session.execute(
            select(Registration.role, Registration.status, func.count())
            .where(Registration.event_id == fair.event.id)
            .group_by(Registration.role, Registration.status)
        )
    )
    assert all(figures[key] == n for key, n in in_database.items())
    meetings = db.session.scalar(
        select(func.count())
        .select_from(Meeting)
        .where(
            Meeting.session_id == fair.session.id, Meeting.published.is_(True), Meeting.status != "cancelled"
        )
    )
    by_type = list(book["Meetings by buyer type"].iter_rows(values_only=True))
    assert by_type[0][:2] == ("Buyer type", "Meetings")
    assert by_type[-1][0] == "All" and by_type[-1][1] == meetings == 4
    assert by_type[-1][-1] == 501_250_000 and isinstance(by_type[-1][-1], int)
    visits = list(book["E-booth visits per day"].iter_rows(min_row=2, values_only=True))
    assert [(v[0].date(), v[1]) for v in visits] == [(DAY1, 5), (DAY2, 10)]
    assert sum(v[1] for v in visits) == db.session.scalar(select(func.sum(BoothVisit.count)))
    # The filters hold for the workbook too.
    filtered = load_workbook(
        io.BytesIO(client.get(f"/manage/events/{fair.event.id}/dashboard.xlsx?province=24&lang=en").data)
    )
    booths = list(filtered["Booths and booth revenue"].iter_rows(min_row=2, values_only=True))
    assert booths[-1] == ("Allocated", 2, 8_000_000)


def test_one_table_as_csv_and_xlsx(client, login, fair, organiser):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/dashboard/booths.csv?lang=vi")
    assert response.mimetype == "text/csv"
    rows_ = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows_[0]) == 3 and len(rows_) == 5  # the header, paid, due, waived, allocated
    assert rows_[-1][1:] == ["3", "13000000"]
    xlsx = load_workbook(io.BytesIO(client.get(f"/manage/events/{fair.event.id}/dashboard/booths.xlsx").data))
    assert list(xlsx.worksheets[0].iter_rows(values_only=True))[-1][1:] == (3, 13_000_000)


# ---------------------------------------------------------------- the report and the links


def test_the_printable_report(client, login, fair, organiser, html):
    login(organiser)
    response = client.get(f"/manage/events/{fair.event.id}/report?lang=en")
    assert response.status_code == 200
    page = html(response)
    assert page.select_one(".a4-report button[data-print]") is not None
    assert page.select_one("script[src$='js/print.js']")["nonce"]
    assert len(page.select(".a4-report svg[role='img']")) >= 2
    assert text_of(page.select_one('[data-figure="contracts"] [data-value]')) == "2"
    filtered = html(client.get(f"/manage/events/{fair.event.id}/report?province=24&buyer_type=hotel&lang=en"))
    assert text_of(filtered.select_one("[data-report-filters]")) == "Filtered: Hotel; Bắc Ninh"
    assert text_of(filtered.select_one('[data-figure="meetings"] [data-value]')) == "0"
    vi = html(client.get(f"/manage/events/{fair.event.id}/report?lang=vi"))
    assert vi.select_one("html")["lang"] == "vi"


def test_the_event_page_and_the_outcomes_page_link_to_the_dashboard(client, login, fair, organiser, html):
    login(organiser)
    for url in (f"/manage/events/{fair.event.id}", f"/manage/events/{fair.event.id}/outcomes"):
        page = html(client.get(url))
        assert page.select_one(f"a[href='/manage/events/{fair.event.id}/dashboard']") is not None, url
        assert page.select_one(f"a[href='/manage/events/{fair.event.id}/report']") is not None, url


# ---------------------------------------------------------------- statements


def grow(fair: Fair, n: int) -> None:
    """n more exhibitors and buyers, with booths, visits, meetings, outcomes and asks."""
    for i in range(n):
        province = ("22", "24", "20", "01")[i % 4]
        exhibitor = fair.exhibitor(
            "approved", province, [("food", "rice_noodles", 3 + i % 3)], f"2027-01-{1 + i % 9:02d}T03:00:00"
        )
        buyer = fair.buyer(
            "approved", ("hotel", "supermarket", "restaurant")[i % 3], f"2027-01-{2 + i % 9:02d}T03:00:00"
        )
        fair.booth(exhibitor, fair.standard, ("paid", "due", "waived")[i % 3])
        fair.visits(exhibitor, {DAY1 + timedelta(days=i % 3): i + 1})
        fair.meeting(
            buyer,
            exhibitor,
            ("held", "no_show", "scheduled")[i % 3],
            outcomes=[("buyer", "contract", 1_000_000 * (i + 1))],
        )
        fair.request(buyer, exhibitor, "ask", "open")
        fair.gate(exhibitor, DAY1 + timedelta(days=i % 3), "2027-01-20T02:00:00")
        fair.gate(buyer, DAY1, "2027-01-20T02:00:00")
    fair.db.session.commit()


def test_the_number_of_statements_does_not_grow_with_the_event(client, login, fair, organiser):
    login(organiser)
    url = f"/manage/events/{fair.event.id}/dashboard?lang=en"
    small = queries_of(client, url)
    grow(fair, 24)
    assert queries_of(client, url) == small <= 15
    filters = "province=22&buyer_type=hotel&date_from=2027-01-01&date_to=2027-01-31"
    filtered = f"/manage/events/{fair.event.id}/dashboard?{filters}"
    assert queries_of(client, filtered) == small
    # The workbook: the page's statements, and the event log's entry of the download.
    assert queries_of(client, f"/manage/events/{fair.event.id}/dashboard.xlsx") <= small + 1
    assert queries_of(client, f"/manage/events/{fair.event.id}/report") == small
