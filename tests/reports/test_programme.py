"""The programme dashboard across events (/manage/programme): the figures a province reports,
per kind, per province and per quarter, checked against events built by hand over two years,
three provinces (one recorded under an earlier province's code) and four kinds; who may see
what; bad filters; a query count that does not grow with the data; the CSV/XLSX files and the
yearly report workbook."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, datetime, time, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.booths.models import Booth, BoothAssignment, BoothType
from app.events.models import Event, Hall, Registration, RegistrationProduct
from app.matching.models import MatchingSession, Meeting, MeetingOutcome
from app.reports.programme import services
from app.reports.programme.services import ProgrammeFilters
from tests.conftest import queries_of, text_of

VN = timedelta(hours=7)
_codes = itertools.count(1)


def vn(y, m, d, h=8) -> datetime:
    """A Vietnam wall-clock time as UTC."""
    return datetime(y, m, d, h, tzinfo=UTC) - VN


class Builder:
    """Events, registrations, booths, meetings and outcomes written straight to the tables."""

    def __init__(self, db, make_event, make_producer, make_buyer, make_product):
        self.db, self.make_event = db, make_event
        self.make_producer, self.make_buyer, self.make_product = make_producer, make_buyer, make_product

    def event(self, organiser, kind, province, starts, state="finished", name=None):
        event = self.make_event(
            organiser=organiser,
            kind=kind,
            province_code=province,
            starts_at=starts,
            ends_at=starts + timedelta(days=2),
            venue_name=None if kind == "online_week" else "Trung tâm Hội chợ",
            exhibitor_registration_opens_at=None,
            exhibitor_registration_closes_at=None,
            buyer_registration_opens_at=None,
            buyer_registration_closes_at=None,
            **({"name_vi": name} if name else {}),
        )
        event.state = state
        self.db.session.flush()
        return event

    def register(self, event, organisation, role, status="approved", products=()):
        registration = Registration(
            event_id=event.id, organisation_id=organisation.id, role=role, status=status
        )
        self.db.session.add(registration)
        self.db.session.flush()
        for product in products:
            self.db.session.add(RegistrationProduct(registration_id=registration.id, product_id=product.id))
        self.db.session.flush()
        return registration

    def booth(self, event, registration, status="allocated"):
        hall = Hall(event_id=event.id, name=f"Nhà {next(_codes)}", width_m=40, depth_m=30)
        kind = BoothType(event_id=event.id, name=f"Tiêu chuẩn {next(_codes)}", price_vnd=1_000_000)
        self.db.session.add_all([hall, kind])
        self.db.session.flush()
        booth = Booth(
            event_id=event.id,
            hall_id=hall.id,
            booth_type_id=kind.id,
            code=f"A{next(_codes)}",
            x_m=0,
            y_m=0,
            width_m=3,
            depth_m=3,
        )
        self.db.session.add(booth)
        self.db.session.flush()
        self.db.session.add(
            BoothAssignment(
                event_id=event.id, booth_id=booth.id, registration_id=registration.id, status=status
            )
        )
        self.db.session.flush()

    def session(self, event):
        day = event.starts_at.date()
        session = MatchingSession(
            event_id=event.id,
            name="Kết nối giao thương",
            first_day=day,
            last_day=day,
            day_start=time(8),
            day_end=time(17),
        )
        self.db.session.add(session)
        self.db.session.flush()
        return session

    def meeting(self, session, buyer, producer, status="held", outcomes=()):
        meeting = Meeting(
            session_id=session.id,
            buyer_registration_id=buyer.id,
            producer_registration_id=producer.id,
            slot=next(_codes) % 50,
            table=1,
            score=0.8,
            status=status,
            published=True,
            checkin_code=f"C{next(_codes):08d}",
        )
        self.db.session.add(meeting)
        self.db.session.flush()
        for side, kind, value in outcomes:
            self.db.session.add(MeetingOutcome(meeting_id=meeting.id, side=side, kind=kind, value_vnd=value))
        self.db.session.flush()
        return meeting


@pytest.fixture()
def build(db, make_event, make_producer, make_buyer, make_product):
    return Builder(db, make_event, make_producer, make_buyer, make_product)


@pytest.fixture()
def world(db, build, make_user, make_producer, make_buyer, make_product):
    """Two organisers' events over 2026 and 2027 (Vietnam calendar):

    - fair 1, Quảng Ninh ("22"), 10 March 2026, organiser A: 2 exhibitors (3 products), 1 buyer
      (1 pending left out), 1 booth (1 cancelled left out), 2 meetings held (1 contract worth
      100 M on one side, 120 M on the other: 120 M);
    - goods week, recorded as Bắc Ninh ("27", now part of Bắc Ninh "24"), 1 August 2026, A:
      1 exhibitor (1 product), 2 buyers, 1 meeting held with a 50 M contract and a no-show;
    - conference in Bắc Giang ("24", now Bắc Ninh), 00:30 on 1 January 2027 in Vietnam
      (still 2026 in UTC), A: 1 exhibitor, 1 buyer, no meeting;
    - a draft fair of A (never counted);
    - an online week without a province, 20 September 2026, organiser B: 1 exhibitor, 1 buyer,
      1 meeting held with a 30 M contract.
    """
    a, b = make_user(role="organiser"), make_user(role="organiser")
    p1 = make_producer(name="HTX Chè Hải Hà", province_code="22")
    p2 = make_producer(name="HTX Mỳ Chũ", province_code="24")  # Bắc Giang, now Bắc Ninh
    b1 = make_buyer(name="Siêu thị Hạ Long", province_code="22")
    b2 = make_buyer(name="Bếp ăn Trường Tiểu học", province_code="01")
    products1 = [make_product(p1) for _ in range(2)]
    product2 = make_product(p2)

    fair = build.event(a, "physical_fair", "22", vn(2026, 3, 10), name="Hội chợ OCOP Quảng Ninh 2026")
    e_p1 = build.register(fair, p1, "exhibitor", products=products1)
    e_p2 = build.register(fair, p2, "exhibitor", products=[product2])
    f_b1 = build.register(fair, b1, "buyer")
    build.register(fair, b2, "buyer", status="pending")
    build.booth(fair, e_p1)
    build.booth(fair, e_p2, status="cancelled")
    s = build.session(fair)
    build.meeting(
        s, f_b1, e_p1, outcomes=[("buyer", "contract", 100_000_000), ("producer", "contract", 120_000_000)]
    )
    build.meeting(s, f_b1, e_p2, outcomes=[("buyer", "follow_up", None)])

    week = build.event(a, "goods_week", "27", vn(2026, 8, 1), name="Tuần hàng Việt Bắc Ninh 2026")
    w_p1 = build.register(week, p1, "exhibitor", products=products1[:1])
    w_b1 = build.register(week, b1, "buyer")
    w_b2 = build.register(week, b2, "buyer")
    sw = build.session(week)
    build.meeting(sw, w_b2, w_p1, outcomes=[("producer", "contract", 50_000_000)])
    build.meeting(sw, w_b1, w_p1, status="no_show")  # not a meeting held

    conference = build.event(
        a, "conference", "24", vn(2027, 1, 1, 0) + timedelta(minutes=30), state="running"
    )
    build.register(conference, p1, "exhibitor")
    build.register(conference, b2, "buyer")

    build.event(a, "physical_fair", "22", vn(2026, 5, 5), state="draft")

    online = build.event(b, "online_week", None, vn(2026, 9, 20), name="Tuần trực tuyến")
    o_p2 = build.register(online, p2, "exhibitor")
    o_b1 = build.register(online, b1, "buyer")
    build.meeting(build.session(online), o_b1, o_p2, outcomes=[("buyer", "contract", 30_000_000)])
    db.session.commit()
    return {
        "a": a,
        "b": b,
        "p1": p1,
        "p2": p2,
        "b1": b1,
        "b2": b2,
        "fair": fair,
        "week": week,
        "conference": conference,
        "online": online,
    }


def figures(line):
    return {"events": line.events, **line.figures}


# ---------------------------------------------------------------- the figures


def test_an_admin_s_2026_figures_per_kind_province_and_quarter_match_the_events_built(db, world, make_user):
    admin = make_user(role="admin")
    result = services.programme(admin, ProgrammeFilters(year=2026))
    assert result.events == 3  # fair, goods week, online week; the conference is 2027 in Vietnam
    assert result.totals == {
        "exhibitors": 4,
        "buyers": 4,
        "products": 4,
        "booths": 1,
        "meetings_held": 4,
        "contracts": 3,
        "contract_vnd": 200_000_000,
    }
    assert {line.key: line.events for line in result.by_kind} == {
        "physical_fair": 1,
        "goods_week": 1,
        "online_week": 1,
    }
    fair = next(line for line in result.by_kind if line.key == "physical_fair")
    assert figures(fair) == {
        "events": 1,
        "exhibitors": 2,
        "buyers": 1,
        "products": 3,
        "booths": 1,
        "meetings_held": 2,
        "contracts": 1,
        "contract_vnd": 120_000_000,  # the larger side's figure, counted once
    }
    provinces = {line.key: line for line in result.by_province}
    assert set(provinces) == {"22", "24", ""}
    assert (
        provinces["24"].label == "Bắc Ninh" and provinces["24"].kinds["goods_week"] == 1
    )  # recorded as "27"
    assert provinces[""].figures["contract_vnd"] == 30_000_000
    assert [(line.key, line.events) for line in result.by_quarter] == [(20261, 1), (20263, 2)]
    assert result.by_quarter[1].figures["contracts"] == 2


def test_an_organiser_counts_only_the_events_he_organises_and_never_a_draft(db, world):
    result = services.programme(world["a"], ProgrammeFilters())
    assert result.events == 3  # fair, goods week, conference: not B's online week, not the draft
    assert [line.key for line in result.by_quarter] == [20261, 20263, 20271]
    assert [(o.name, o.events) for o in result.top_producers_attended] == [
        ("HTX Chè Hải Hà", 3),
        ("HTX Mỳ Chũ", 1),
    ]
    assert [(o.name, o.contracts, o.contract_vnd) for o in result.top_producers_signed] == [
        ("HTX Chè Hải Hà", 2, 170_000_000)
    ]
    assert [(o.name, o.events) for o in result.top_buyers_attended] == [
        ("Siêu thị Hạ Long", 2),  # among equals, the one in the directory first
        ("Bếp ăn Trường Tiểu học", 2),
    ]
    b = services.programme(world["b"], ProgrammeFilters())
    assert b.events == 1 and b.by_kind[0].key == "online_week"


def test_two_producers_signing_at_a_forum_count_as_producers_not_as_a_buyer(db, world, build):
    """A networking forum's meeting holds its two sides in registration order, whatever the
    roles: each side of a contract counts under its own role."""
    fair = world["fair"]
    e_p1, e_p2 = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == fair.id, Registration.role == "exhibitor")
        .order_by(Registration.id)
    ).all()
    forum = build.session(fair)
    forum.kind = "forum"
    build.meeting(forum, e_p1, e_p2, outcomes=[("producer", "contract", 10_000_000)])
    db.session.commit()
    result = services.programme(world["a"], ProgrammeFilters())
    assert [(o.name, o.contracts, o.contract_vnd) for o in result.top_producers_signed] == [
        ("HTX Chè Hải Hà", 3, 180_000_000),
        ("HTX Mỳ Chũ", 1, 10_000_000),
    ]
    assert [o.name for o in result.top_buyers_signed] == ["Siêu thị Hạ Long", "Bếp ăn Trường Tiểu học"]


def test_a_current_province_counts_the_events_recorded_under_its_earlier_codes(db, world):
    result = services.programme(world["a"], ProgrammeFilters(province="24"))
    assert result.events == 2  # the goods week ("27") and the conference ("24")
    assert [line.key for line in result.by_province] == ["24"]
    signed = services.programme(world["a"], ProgrammeFilters(province="24", year=2026))
    assert [(o.name, o.contract_vnd) for o in signed.top_buyers_signed] == [
        ("Bếp ăn Trường Tiểu học", 50_000_000)
    ]


def test_the_page_shows_the_figures_with_links_and_charts(client, login, html, world):
    login(world["a"])
    response = client.get("/manage/programme?year=2026&lang=en")
    assert response.status_code == 200
    page = html(response)
    assert "events you organise" in text_of(page.select_one("#scope"))
    row = page.select_one("#table-by_kind tr[data-key=goods_week]")
    assert text_of(row.select_one("[data-measure=events]")) == "1"
    assert row.select_one("a")["href"] == "/manage/programme?year=2026&kind=goods_week"
    province = page.select_one("#table-by_province tr[data-key='24']")
    assert "Bắc Ninh" in text_of(province) and province.select_one("a")["href"].endswith("province=24")
    assert (
        text_of(page.select_one("[data-total=contract_vnd]")).replace("\xa0", " ").startswith("₫170,000,000")
    )
    assert len(page.select("svg[role=img]")) == 3  # the trend and two bars, each beside its table
    events = page.select("#table-events tbody tr")
    assert [row["data-key"] for row in events] == [str(world["week"].id), str(world["fair"].id)]
    links = [a["href"] for a in events[0].select("a")]
    assert links == [f"/manage/events/{world['week'].id}", f"/manage/events/{world['week'].id}/dashboard"]
    assert page.select_one("#workbook")["href"] == "/manage/programme/workbook.xlsx?year=2026"


def test_no_event_matching_shows_an_empty_state(client, login, html, world):
    login(world["a"])
    page = html(client.get("/manage/programme?kind=hybrid&lang=en"))
    assert "No event matches these filters." in text_of(page.select_one("#no-events"))
    assert page.select_one("#table-by_kind") is None


# ---------------------------------------------------------------- who may see it


@pytest.mark.parametrize("role", ["exhibitor", "buyer"])
def test_exhibitors_and_buyers_are_refused_every_programme_page(
    client, login, make_user, make_producer, role, db
):
    login(make_user(role=role, organisation=make_producer() if role == "exhibitor" else None))
    for url in ("/manage/programme", "/manage/programme/by_kind.csv", "/manage/programme/workbook.xlsx"):
        assert client.get(url).status_code == 403, url


def test_visitors_are_sent_to_log_in(client, db):
    for url in ("/manage/programme", "/manage/programme/events.xlsx", "/manage/programme/workbook.xlsx"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_an_organiser_s_files_hold_only_his_events(client, login, world):
    login(world["b"])
    text = client.get("/manage/programme/events.csv").get_data(as_text=True)
    assert "Tuần trực tuyến" in text and "Quảng Ninh 2026" not in text


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("province=99", "province", "Unknown province: choose one from the list."),
        ("kind=fair_of_fairs", "kind", "Unknown kind of event: choose one from the list."),
        ("year=3025", "year", "Choose a year from 1900 to 2999."),
        ("when=zz", "when", "Choose held, planned or all events."),
        ("year=twenty", "year", "Choose a year from 1900 to 2999."),
        ("year=²", "year", "Choose a year from 1900 to 2999."),  # a digit to str.isdigit, not to int()
    ],
)
def test_a_bad_filter_is_named_beside_its_field_not_a_500(client, login, html, world, query, field, message):
    login(world["a"])
    response = client.get(f"/manage/programme?{query}&lang=en")
    assert response.status_code == 400
    page = html(response)
    assert page.select_one(f"#{field}")["aria-invalid"] == "true"
    assert message in text_of(page.select_one(f"#{field}-error-1"))
    assert page.select_one("#table-by_kind") is not None  # the other filters still apply
    export = client.get(f"/manage/programme/by_kind.csv?{query}")
    assert export.status_code == 302 and "/manage/programme?" in export.headers["Location"]


def test_query_keys_of_url_for_s_own_are_ignored(client, login, world):
    login(world["a"])
    assert client.get("/manage/programme?endpoint=x&_external=1&lang=en").status_code == 200
    export = client.get("/manage/programme/by_kind.csv?endpoint=x&year=3025")
    assert export.status_code == 302 and "endpoint" not in export.headers["Location"]


def test_an_earlier_province_code_in_the_address_stands_for_its_current_province(client, login, html, world):
    login(world["a"])
    page = html(client.get("/manage/programme?province=27&lang=en"))  # Bắc Ninh before 2025
    assert page.select_one("#province option[selected]")["value"] == "24"
    assert len(page.select("#table-events tbody tr")) == 2


def test_a_page_past_the_end_says_so_and_shows_the_last(client, login, html, world):
    login(world["a"])
    page = html(client.get("/manage/programme?page=9&lang=en"))
    assert "only 1 pages" in text_of(page.select_one("#page-past-end"))
    assert len(page.select("#table-events tbody tr")) == 3


def test_an_unknown_table_is_not_found(client, login, world):
    login(world["a"])
    assert client.get("/manage/programme/passwords.csv").status_code == 404


# ---------------------------------------------------------------- cost


def test_the_page_costs_the_same_statements_at_two_sizes(
    client, login, build, make_user, make_producer, make_buyer, db
):
    organiser = make_user(role="organiser")
    login(organiser)

    def grow(n):
        for i in range(n):
            event = build.event(
                organiser,
                ("physical_fair", "goods_week", "conference")[i % 3],
                ("22", "27", "20")[i % 3],
                vn(2026, 1 + i % 12, 5),
            )
            producers = [build.register(event, make_producer(), "exhibitor") for _ in range(2)]
            buyer = build.register(event, make_buyer(), "buyer")
            build.booth(event, producers[0])
            s = build.session(event)
            for producer in producers:
                build.meeting(s, buyer, producer, outcomes=[("buyer", "contract", 10_000_000)])
        db.session.commit()

    grow(1)
    small = queries_of(client, "/manage/programme")
    grow(12)
    large = queries_of(client, "/manage/programme")
    assert small == large
    assert large == 6  # the login, the years, the breakdowns, a page of events, the two top-10 queries
    assert queries_of(client, "/manage/programme?year=2026&province=24&kind=goods_week") == large


# ---------------------------------------------------------------- files


def test_each_table_downloads_as_csv_and_xlsx_with_the_filters(client, login, world):
    login(world["a"])
    csv_text = client.get("/manage/programme/by_province.csv?year=2026&lang=en").get_data(as_text=True)
    lines = csv_text.lstrip("\ufeff").splitlines()
    assert lines[0].startswith("Province,Events,Physical fair,Vietnamese-goods week")
    assert sorted(lines[1:]) == sorted(
        ["Quảng Ninh,1,1,0,0,0,0,2,1,3,1,2,1,120000000", "Bắc Ninh,1,0,1,0,0,0,1,2,1,0,1,1,50000000"]
    )
    for key in services.TABLE_KEYS:
        response = client.get(f"/manage/programme/{key}.xlsx?year=2026")
        assert response.status_code == 200, key
        assert response.headers["Content-Disposition"].endswith(f'programme-{key}-2026.xlsx"')
        load_workbook(io.BytesIO(response.data), read_only=True)


def test_the_yearly_workbook_holds_a_cover_and_every_table_matching_the_database(client, login, world, db):
    login(world["a"])
    response = client.get("/manage/programme/workbook.xlsx?year=2026&province=24&lang=en")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    assert book.sheetnames[0] == "Report" and len(book.sheetnames) == 1 + len(services.TABLE_KEYS)
    cover = {row[0]: row[1] for row in book["Report"].iter_rows(min_row=2, values_only=True)}
    assert cover["Province"] == "Bắc Ninh" and cover["Year"] == "2026"
    assert cover["Made by"] == world["a"].full_name
    assert cover["Made at (Vietnam time)"].startswith(
        datetime.now(UTC).astimezone(services.VIETNAM).strftime("%Y-%m-%d")
    )
    # The goods week recorded as "27": its figures against the tables themselves.
    week = world["week"]
    exhibitors = db.session.scalar(
        select(func.count()).where(
            Registration.event_id == week.id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
        )
    )
    value = db.session.scalar(
        select(func.max(MeetingOutcome.value_vnd))
        .join(Meeting)
        .join(MatchingSession)
        .where(MatchingSession.event_id == week.id, MeetingOutcome.kind == "contract")
    )
    rows = list(book["Per kind of event"].iter_rows(values_only=True))
    assert rows[0][:3] == ("Kind of event", "Events", "Exhibitors")
    assert rows[1:] == [("Vietnamese-goods week", 1, exhibitors, 2, 1, 0, 1, 1, value)]
    events = list(book["Events"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[3]) for row in events] == [(week.id, week.name_en, datetime(2026, 8, 1))]
    assert isinstance(rows[1][-1], int)  # VND as an integer


# ---------------------------------------------------------------- the new kind of event


def test_an_organiser_creates_a_vietnamese_goods_week(client, login, html, organiser, db):
    login(organiser)
    page = html(client.get("/manage/events/new?lang=en"))
    assert page.select_one("#kind option[value=goods_week]").get_text() == "Vietnamese-goods week"
    response = client.post(
        "/manage/events/new",
        data={
            "kind": "goods_week",
            "name_vi": "Tuần hàng Việt Quảng Ninh",
            "timezone": "Asia/Ho_Chi_Minh",
            "starts_at": "2027-05-04T08:00",
            "ends_at": "2027-05-10T20:00",
            "exhibitor_capacity": 10,
            "buyer_capacity": 5,
        },
    )
    assert response.status_code == 200  # a goods week is held at a venue: the form asks for it
    assert "A physical event needs a venue." in response.get_data(as_text=True)
    client.post(
        "/manage/events/new",
        data={
            "kind": "goods_week",
            "name_vi": "Tuần hàng Việt Quảng Ninh",
            "timezone": "Asia/Ho_Chi_Minh",
            "starts_at": "2027-05-04T08:00",
            "ends_at": "2027-05-10T20:00",
            "exhibitor_capacity": 10,
            "buyer_capacity": 5,
            "venue_name": "Quảng trường 30/10",
            "province_code": "22",
        },
    )
    event = db.session.scalar(select(Event).where(Event.name_vi == "Tuần hàng Việt Quảng Ninh"))
    assert event is not None and event.kind == "goods_week" and event.has_venue


def test_the_organiser_s_menu_and_events_list_lead_to_the_programme(client, login, html, organiser):
    login(organiser)
    page = html(client.get("/manage/events/?lang=en"))
    assert page.select_one("#mainnav a[href='/manage/programme']") is not None
    assert page.select_one("#programme-link")["href"] == "/manage/programme"


def test_the_statement_count_of_the_service_is_fixed(db, world, make_user):
    """The service alone, as the lead's benchmark calls it: 5 statements."""
    from sqlalchemy import event as sa_event

    admin = make_user(role="admin")
    db.session.commit()
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    assert admin.role == "admin"  # loaded before counting
    sa_event.listen(db.engine, "before_cursor_execute", counted)
    try:
        services.programme(admin, ProgrammeFilters(year=2026, province="24", kind="goods_week"))
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", counted)
    assert count == 5


# ---------------------------------------------------------------- held, planned


@pytest.fixture()
def planned(db, build, world, make_producer, pinned_clock):
    """Besides the world's: organiser A's fair in Quảng Ninh on 20 March 2027, registration open,
    two exhibitors approved already; A's goods week at noon today (Vietnam), scheduled; and a
    fair of A cancelled before it started. The clock says 10:00 on 15 January 2027 in Vietnam."""
    pinned_clock.move_to(vn(2027, 1, 15, 10))
    fair = build.event(world["a"], "physical_fair", "22", vn(2027, 3, 20), state="registration_open")
    for _ in range(2):
        build.register(fair, make_producer(province_code="22"), "exhibitor")
    week = build.event(world["a"], "goods_week", "24", vn(2027, 1, 15, 12), state="scheduled")
    build.register(week, make_producer(), "exhibitor")
    build.event(world["a"], "physical_fair", "22", vn(2027, 1, 10), state="cancelled")
    db.session.commit()
    return {"fair": fair, "week": week}


def test_held_means_started_by_the_app_clock_and_planned_events_are_counted_apart(
    db, world, planned, pinned_clock
):
    a = world["a"]
    held = services.programme(a, ProgrammeFilters())
    assert held.events == 3  # the fair, the goods week and the conference of 2026-27: all begun
    assert held.totals["exhibitors"] == 4  # not the planned fair's two
    assert {line.key: line.events for line in held.by_kind} == {
        "physical_fair": 1,
        "goods_week": 1,
        "conference": 1,
    }
    assert held.planned == {"physical_fair": 1, "goods_week": 1}  # never the cancelled fair
    assert {line.id for line in held.event_page} == {
        world["fair"].id,
        world["week"].id,
        world["conference"].id,
    }

    coming = services.programme(a, ProgrammeFilters(when="planned"))
    assert coming.events == 2 and coming.totals["exhibitors"] == 3
    assert [line.id for line in coming.event_page] == [planned["fair"].id, planned["week"].id]
    assert [(line.key, line.events) for line in coming.by_quarter] == [(20271, 2)]
    assert services.programme(a, ProgrammeFilters(when="all")).events == 5

    # 2027 for Quảng Ninh: nothing held yet, the fair planned.
    quang_ninh = services.programme(a, ProgrammeFilters(year=2027, province="22"))
    assert (quang_ninh.events, quang_ninh.planned) == (0, {"physical_fair": 1})

    # At noon in Vietnam the goods week has begun: held from then on.
    pinned_clock.move_to(vn(2027, 1, 15, 12))
    later = services.programme(a, ProgrammeFilters())
    assert later.events == 4 and later.planned == {"physical_fair": 1}
    assert services.programme(a, ProgrammeFilters(), now=vn(2027, 1, 15, 11)).events == 3


def test_the_page_shows_held_events_by_default_and_the_planned_ones_apart(
    client, login, html, world, planned
):
    login(world["a"])
    page = html(client.get("/manage/programme?lang=en"))
    assert page.select_one("#when option[selected]")["value"] == "held"
    assert len(page.select("#table-events tbody tr")) == 3
    note = page.select_one("#planned")
    assert "Not yet held, so not counted here: Physical fair: 1; Vietnamese-goods week: 1." in text_of(note)
    assert note.select_one("a")["href"] == "/manage/programme?when=planned"

    coming = html(client.get("/manage/programme?when=planned&lang=en"))
    assert coming.select_one("#planned") is None
    assert {int(tr["data-key"]) for tr in coming.select("#table-events tbody tr")} == {
        planned["fair"].id,
        planned["week"].id,
    }
    assert coming.select_one("#workbook")["href"] == "/manage/programme/workbook.xlsx?when=planned"

    nothing_yet = html(client.get("/manage/programme?year=2027&province=22&lang=en"))
    assert nothing_yet.select_one("#no-events") is not None
    assert "Physical fair: 1" in text_of(nothing_yet.select_one("#planned"))

    response = client.get("/manage/programme?when=someday&lang=en")
    assert response.status_code == 400
    refused = html(response)
    assert "Choose held, planned or all events." in text_of(refused.select_one("#when-error-1"))
    assert len(refused.select("#table-events tbody tr")) == 3  # the held ones
    export = client.get("/manage/programme/events.csv?when=someday")
    assert export.status_code == 302 and "/manage/programme?" in export.headers["Location"]


def test_the_yearly_workbook_counts_the_events_held_by_the_time_it_is_made(client, login, world, planned):
    login(world["a"])
    book = load_workbook(io.BytesIO(client.get("/manage/programme/workbook.xlsx?year=2027&lang=en").data))
    cover = {row[0]: row[1] for row in book["Report"].iter_rows(min_row=2, values_only=True)}
    assert cover["Events counted"] == "Held (started)"
    events = list(book["Events"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in events] == [world["conference"].id]
    response = client.get("/manage/programme/workbook.xlsx?year=2027&when=all&lang=en")
    assert response.headers["Content-Disposition"].endswith('programme-report-2027-all.xlsx"')
    book = load_workbook(io.BytesIO(response.data))
    cover = {row[0]: row[1] for row in book["Report"].iter_rows(min_row=2, values_only=True)}
    assert cover["Events counted"] == "Held and planned"
    assert len(list(book["Events"].iter_rows(min_row=2))) == 3
    csv_text = client.get("/manage/programme/by_kind.csv?year=2027&when=planned&lang=en").get_data(
        as_text=True
    )
    assert sorted(csv_text.lstrip("\ufeff").splitlines()[1:]) == [
        "Physical fair,1,2,0,0,0,0,0,0",
        "Vietnamese-goods week,1,1,0,0,0,0,0,0",
    ]
