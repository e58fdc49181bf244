"""Cloning an event: next year's fair starts as a draft copy of this one, without its people."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select

from app import clock
from app.booths.models import (
    Booth,
    BoothAssignment,
    BoothPlanSettings,
    BoothType,
    ElectronicBooth,
    ZoneRule,
)
from app.errors import PermissionDenied, ServiceError
from app.events import services
from app.events.models import Event, EventOrganiser, Registration
from app.matching.models import MatchingSession, Meeting, MeetingOutcome


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def _source(
    make_event, organiser, *, booths: int = 3, timezone: str = "Asia/Ho_Chi_Minh", slug="hoi-cho-ocop-2027"
):
    """A fair of 10–12 March 2027 (08:00 to 17:00 in Vietnam) with a floor plan, a programme and
    a published matchmaking session."""
    db = services.db
    source = make_event(
        organiser=organiser,
        slug=slug,
        name_vi="Hội chợ OCOP Quảng Ninh 2027",
        name_en="Quang Ninh OCOP fair 2027",
        name_fr="Foire OCOP de Quang Ninh 2027",
        description_vi="Mô tả",
        description_en="About",
        description_fr="À propos",
        timezone=timezone,
        starts_at=utc(2027, 3, 10, 1),
        ends_at=utc(2027, 3, 12, 10),
        venue_name="Cung Triển lãm Quảng Ninh",
        venue_address="Hạ Long",
        province_code="22",
        exhibitor_capacity=120,
        buyer_capacity=80,
        exhibitor_registration_opens_at=utc(2027, 1, 10, 2),
        exhibitor_registration_closes_at=utc(2027, 2, 28, 10),
        buyer_registration_opens_at=utc(2027, 1, 12, 2),
        buyer_registration_closes_at=utc(2027, 3, 5, 10, 30),
    )
    hall_a = services.save_hall(
        organiser, source, name="Nhà A", name_en="Hall A", name_fr="Halle A", width_m=60, depth_m=40
    )
    hall_b = services.save_hall(organiser, source, name="Nhà B", width_m=30.5, depth_m=20)
    standard = BoothType(
        event_id=source.id, name="Tiêu chuẩn", name_en="Standard", name_fr="Standard",
        width_m=3, depth_m=3, price_vnd=4_500_000, description="3 × 3",
    )  # fmt: skip
    online = BoothType(event_id=source.id, name="Gian điện tử", price_vnd=0, is_electronic=True)
    db.session.add_all([standard, online])
    db.session.flush()
    for n in range(booths):
        db.session.add(
            Booth(
                event_id=source.id, hall_id=(hall_a if n % 2 == 0 else hall_b).id,
                booth_type_id=standard.id, code=f"A{n + 1}", x_m=3 * n, y_m=1.5, width_m=3, depth_m=3,
                zone_tags="food,province:22" if n == 0 else "", blocked=n == 1,
            )
        )  # fmt: skip
    db.session.add_all(
        [
            ZoneRule(event_id=source.id, match_kind="province", match_value="22", zone="province:22"),
            ZoneRule(event_id=source.id, match_kind="group", match_value="1", zone="food"),
            BoothPlanSettings(event_id=source.id, first_come_booking=True, weights_json='{"near": 2}'),
        ]
    )
    # 08:30–09:30 on the first day; 06:30 on the second day is 23:30 UTC the day before.
    services.save_programme_item(
        organiser, source, kind="opening", title_vi="Khai mạc", title_en="Opening", title_fr="Ouverture",
        description="Lễ khai mạc", location="Nhà A",
        starts_at=utc(2027, 3, 10, 1, 30), ends_at=utc(2027, 3, 10, 2, 30),
    )  # fmt: skip
    services.save_programme_item(
        organiser, source, kind="tasting", title_vi="Thử món sớm", location="Nhà B",
        starts_at=utc(2027, 3, 10, 23, 30), ends_at=utc(2027, 3, 11, 0, 30),
    )  # fmt: skip
    gone = services.save_programme_item(
        organiser, source, kind="seminar", title_vi="Hội thảo bỏ", location="Nhà A",
        starts_at=utc(2027, 3, 11, 3), ends_at=utc(2027, 3, 11, 4),
    )  # fmt: skip
    services.cancel_programme_item(organiser, gone)
    db.session.add(
        MatchingSession(
            event_id=source.id, name="Kết nối giao thương", name_en="B2B meetings", name_fr="Rendez-vous",
            first_day=date(2027, 3, 11), last_day=date(2027, 3, 12), day_start=time(8, 30), day_end=time(16),
            meeting_minutes=25, gap_minutes=10, breaks="12:00-13:30", tables=14,
            table_names="Bàn 1\nBàn 2", table_names_en="Table 1", table_names_fr="Table 1",
            max_meetings_per_buyer=6, max_meetings_per_producer=9, weights_json='{"province": 3}',
            state="published", last_run_json='{"placed": 2}',
            solved_at=utc(2027, 3, 1), published_at=utc(2027, 3, 2),
        )
    )  # fmt: skip
    db.session.flush()
    return source


def _people(db, source, make_producer, make_buyer):
    """A producer and a buyer registered, a booth held, an e-booth, a meeting and its outcome."""
    producer = Registration(
        event_id=source.id, organisation_id=make_producer().id, role="exhibitor", status="approved"
    )
    buyer = Registration(event_id=source.id, organisation_id=make_buyer().id, role="buyer", status="approved")
    db.session.add_all([producer, buyer])
    db.session.flush()
    booth = db.session.scalars(select(Booth).where(Booth.event_id == source.id)).first()
    session = db.session.scalar(select(MatchingSession).where(MatchingSession.event_id == source.id))
    meeting = Meeting(
        session_id=session.id, buyer_registration_id=buyer.id, producer_registration_id=producer.id,
        slot=0, table=1, score=0.5, checkin_code="CLONE1",
    )  # fmt: skip
    db.session.add_all(
        [
            BoothAssignment(
                event_id=source.id, booth_id=booth.id, registration_id=producer.id, payment="paid"
            ),
            ElectronicBooth(
                event_id=source.id, registration_id=producer.id, headline_vi="Chè", published=True
            ),
            meeting,
        ]
    )
    db.session.flush()
    db.session.add(MeetingOutcome(meeting_id=meeting.id, side="buyer", kind="contract", value_vnd=10**8))
    db.session.flush()


def _count(db, model, event_id) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.event_id == event_id))


def test_a_clone_copies_the_fair_on_new_dates_at_the_same_local_times(
    db, make_event, organiser, make_user, make_producer, make_buyer
):
    co_organiser = make_user(role="organiser")
    source = _source(make_event, organiser)
    source.organisers.append(EventOrganiser(user_id=co_organiser.id))
    _people(db, source, make_producer, make_buyer)

    clone = services.clone_event(
        organiser, source, name_vi="Hội chợ OCOP Quảng Ninh 2028", name_en="Quang Ninh OCOP fair 2028",
        starts_on=date(2028, 3, 15),
    )  # fmt: skip
    db.session.commit()
    db.session.expire_all()

    # 10 March 2027 → 15 March 2028: 371 days later, the same hours in Vietnam (UTC+7, no summer time).
    assert clone.state == "draft"
    assert clone.slug == "hoi-cho-ocop-quang-ninh-2028"
    assert (clone.name_vi, clone.name_en, clone.name_fr) == (
        "Hội chợ OCOP Quảng Ninh 2028",
        "Quang Ninh OCOP fair 2028",
        None,
    )
    assert (clone.starts_at, clone.ends_at) == (utc(2028, 3, 15, 1), utc(2028, 3, 17, 10))
    assert clone.exhibitor_registration_opens_at == utc(2028, 1, 16, 2)
    assert clone.exhibitor_registration_closes_at == utc(2028, 3, 5, 10)
    assert clone.buyer_registration_opens_at == utc(2028, 1, 18, 2)
    assert clone.buyer_registration_closes_at == utc(2028, 3, 10, 10, 30)
    copied = ("kind", "timezone", "venue_name", "venue_address", "province_code", "exhibitor_capacity")
    assert [getattr(clone, k) for k in copied] == [getattr(source, k) for k in copied]
    assert (clone.buyer_capacity, clone.description_vi, clone.description_en, clone.description_fr) == (
        80,
        "Mô tả",
        "About",
        "À propos",
    )
    assert clone.created_by_id == organiser.id
    assert [o.user_id for o in clone.organisers] == [organiser.id, co_organiser.id]

    assert [(h.name, h.name_en, h.name_fr, h.width_m, h.depth_m) for h in clone.halls] == [
        ("Nhà A", "Hall A", "Halle A", Decimal("60.00"), Decimal("40.00")),
        ("Nhà B", None, None, Decimal("30.50"), Decimal("20.00")),
    ]
    types = db.session.scalars(
        select(BoothType).where(BoothType.event_id == clone.id).order_by(BoothType.name)
    )
    assert [(t.name, t.name_en, t.price_vnd, t.is_electronic, t.width_m, t.description) for t in types] == [
        ("Gian điện tử", None, 0, True, None, None),
        ("Tiêu chuẩn", "Standard", 4_500_000, False, Decimal("3.00"), "3 × 3"),
    ]
    booths = db.session.scalars(select(Booth).where(Booth.event_id == clone.id).order_by(Booth.code)).all()
    assert [
        (b.code, b.hall.name, b.booth_type.name, b.x_m, b.y_m, b.zone_tags, b.blocked) for b in booths
    ] == [
        ("A1", "Nhà A", "Tiêu chuẩn", Decimal("0.00"), Decimal("1.50"), "food,province:22", False),
        ("A2", "Nhà B", "Tiêu chuẩn", Decimal("3.00"), Decimal("1.50"), "", True),
        ("A3", "Nhà A", "Tiêu chuẩn", Decimal("6.00"), Decimal("1.50"), "", False),
    ]
    assert {b.hall.event_id for b in booths} == {clone.id}
    assert {b.booth_type.event_id for b in booths} == {clone.id}
    rules = db.session.scalars(select(ZoneRule).where(ZoneRule.event_id == clone.id).order_by(ZoneRule.id))
    assert [(r.match_kind, r.match_value, r.zone) for r in rules] == [
        ("province", "22", "province:22"),
        ("group", "1", "food"),
    ]
    settings = db.session.get(BoothPlanSettings, clone.id)
    assert (settings.first_come_booking, settings.weights_json) == (True, '{"near": 2}')

    # The cancelled seminar stays behind; the others keep their local hours on the new days.
    assert [
        (p.kind, p.title_vi, p.title_en, p.title_fr, p.location, p.starts_at, p.ends_at, p.sequence)
        for p in clone.programme
    ] == [
        ("opening", "Khai mạc", "Opening", "Ouverture", "Nhà A",
         utc(2028, 3, 15, 1, 30), utc(2028, 3, 15, 2, 30), 0),
        ("tasting", "Thử món sớm", None, None, "Nhà B", utc(2028, 3, 15, 23, 30), utc(2028, 3, 16, 0, 30), 0),
    ]  # fmt: skip
    assert clone.programme[0].description == "Lễ khai mạc"

    (session,) = db.session.scalars(select(MatchingSession).where(MatchingSession.event_id == clone.id))
    assert (session.name, session.name_en, session.name_fr) == (
        "Kết nối giao thương",
        "B2B meetings",
        "Rendez-vous",
    )
    assert (session.first_day, session.last_day) == (date(2028, 3, 16), date(2028, 3, 17))
    assert (session.day_start, session.day_end, session.meeting_minutes, session.gap_minutes) == (
        time(8, 30),
        time(16),
        25,
        10,
    )
    assert (
        session.breaks,
        session.tables,
        session.table_names,
        session.table_names_en,
        session.table_names_fr,
    ) == (
        "12:00-13:30",
        14,
        "Bàn 1\nBàn 2",
        "Table 1",
        "Table 1",
    )
    assert (session.max_meetings_per_buyer, session.max_meetings_per_producer, session.weights_json) == (
        6,
        9,
        '{"province": 3}',
    )
    assert (session.state, session.last_run_json, session.solved_at, session.published_at) == (
        "draft",
        None,
        None,
        None,
    )

    # Nobody came along: no registration, booth holder, e-booth, meeting or outcome.
    for model in (Registration, BoothAssignment, ElectronicBooth):
        assert _count(db, model, clone.id) == 0, model
    assert (
        db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.session_id == session.id))
        == 0
    )
    assert db.session.scalar(select(func.count()).select_from(MeetingOutcome)) == 1  # the source's, untouched
    # The source is as it was.
    assert source.state == "draft" and source.starts_at == utc(2027, 3, 10, 1)
    assert _count(db, Booth, source.id) == 3 and _count(db, Registration, source.id) == 2


def test_a_clone_keeps_wall_clock_times_across_summer_time(db, make_event, organiser):
    """In Paris, 02:00 in March (UTC+1) is still 02:00 in June (UTC+2): the UTC hour moves."""
    source = _source(make_event, organiser, timezone="Europe/Paris")  # opens 02:00 local on 10 March
    clone = services.clone_event(organiser, source, name_vi="Hội chợ mùa hè", starts_on=date(2027, 6, 9))
    assert services.first_local_day(clone) == date(2027, 6, 9)
    assert clone.starts_at == utc(2027, 6, 9, 0)  # 02:00 in Paris in June
    assert services.to_local(clone, clone.programme[0].starts_at).time() == time(2, 30)


def test_a_given_address_is_used_and_a_taken_name_gets_a_suffix(db, make_event, organiser):
    source = _source(make_event, organiser)
    first = services.clone_event(organiser, source, name_vi="Hội chợ OCOP 2027", starts_on=date(2028, 3, 1))
    second = services.clone_event(
        organiser, source, name_vi="Hội chợ OCOP 2028", starts_on=date(2028, 3, 1), slug="ocop-2028"
    )
    assert (first.slug, second.slug) == ("hoi-cho-ocop-2027-2", "ocop-2028")  # the source has the first


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name_vi": "  "}, "name_vi"),
        ({"starts_on": date(2027, 1, 14)}, "starts_on"),  # yesterday (the clock is pinned at 15 January 2027)
        ({"slug": "hoi-cho-ocop-2027"}, "slug"),  # the source's own address
        ({"slug": "Not A Slug"}, "slug"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(db, make_event, organiser, values, field):
    source = _source(make_event, organiser)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Event))
    with pytest.raises(ServiceError) as refused:
        services.clone_event(
            organiser, source, **({"name_vi": "Mới", "starts_on": date(2028, 3, 1)} | values)
        )
    assert refused.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Event)) == before


def test_today_is_a_valid_first_day(db, make_event, organiser):
    source = _source(make_event, organiser)
    today = clock.today()  # Vietnam's date, whatever the hour in UTC
    clone = services.clone_event(organiser, source, name_vi="Hôm nay", starts_on=today)
    assert services.first_local_day(clone) == today


def test_a_suggested_name_moves_only_the_year():
    assert services.next_year_name("Hội chợ OCOP 2027 lần 12027", 2027, 2028) == "Hội chợ OCOP 2028 lần 12027"
    assert services.next_year_name("Tuần hàng Việt", 2027, 2028) == "Tuần hàng Việt"
    assert services.next_year_name(None, 2027, 2028) is None


def test_only_the_events_organisers_and_admins_may_clone_it(db, make_event, organiser, make_user):
    source = _source(make_event, organiser)
    for stranger in (make_user(role="organiser"), make_user(role="exhibitor")):
        with pytest.raises(PermissionDenied):
            services.clone_event(stranger, source, name_vi="Không", starts_on=date(2028, 3, 1))
    admin = make_user(role="admin")
    clone = services.clone_event(admin, source, name_vi="Của quản trị", starts_on=date(2028, 3, 1))
    assert [o.user_id for o in clone.organisers] == [admin.id, organiser.id]


def _statements_of_cloning(db, source, organiser, name) -> int:
    db.session.commit()
    db.session.expire_all()
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    sa_event.listen(db.engine, "before_cursor_execute", counted)
    try:
        services.clone_event(
            organiser, db.session.get(Event, source.id), name_vi=name, starts_on=date(2028, 3, 1)
        )
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", counted)
    return count


def test_cloning_a_national_fair_takes_as_many_statements_as_a_small_one(db, make_event, organiser):
    """Booths are copied in bulk: 1,000 booths cost no more statements than 4."""
    small = _source(make_event, organiser, booths=4, slug="nho")
    large = _source(make_event, organiser, booths=1000, slug="lon")
    small_count = _statements_of_cloning(db, small, organiser, "Nhỏ")
    large_count = _statements_of_cloning(db, large, organiser, "Lớn")
    assert large_count == small_count
    assert small_count < 40
    assert _count(db, Booth, db.session.scalar(select(Event.id).where(Event.slug == "lon"))) == 1000
    copies = db.session.scalar(
        select(func.count()).select_from(Booth).join(Event).where(Event.name_vi == "Lớn")
    )
    assert copies == 1000


# ---------------------------------------------------------------- the page


def test_the_organiser_clones_from_the_event_page_and_lands_on_the_new_draft(
    db, client, login, make_event, organiser, html
):
    source = _source(make_event, organiser)
    login(organiser)
    page = html(client.get(f"/manage/events/{source.id}"))
    assert page.select_one(f"a[href='/manage/events/{source.id}/clone']") is not None
    form = html(client.get(f"/manage/events/{source.id}/clone?lang=en"))
    assert form.select_one("#starts_on")["value"] == "2028-03-10"  # the same date next year
    # Suggested: the same names with next year's number, which the organiser may change.
    assert form.select_one("#name_vi")["value"] == "Hội chợ OCOP Quảng Ninh 2028"
    assert form.select_one("#name_fr")["value"] == "Foire OCOP de Quang Ninh 2028"
    assert "Not copied" in form.select_one("#clone-explained").get_text()

    response = client.post(
        f"/manage/events/{source.id}/clone",
        data={"name_vi": "Hội chợ OCOP Quảng Ninh 2028", "starts_on": "2028-03-15", "slug": "ocop-qn-2028"},
    )
    clone = db.session.scalar(select(Event).where(Event.slug == "ocop-qn-2028"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/manage/events/{clone.id}")
    assert clone.state == "draft" and clone.starts_at == utc(2028, 3, 15, 1)
    assert [h.name for h in clone.halls] == ["Nhà A", "Nhà B"]
    assert _count(db, Booth, clone.id) == 3


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name_vi": ""}, "name_vi"),
        ({"starts_on": "2027-01-14"}, "starts_on"),
        ({"slug": "hoi-cho-ocop-2027"}, "slug"),
    ],
)
def test_bad_input_on_the_page_is_shown_next_to_its_field_and_writes_nothing(
    db, client, login, make_event, organiser, html, data, field
):
    source = _source(make_event, organiser)
    login(organiser)
    response = client.post(
        f"/manage/events/{source.id}/clone", data={"name_vi": "Mới", "starts_on": "2028-03-15"} | data
    )
    assert response.status_code == 200
    assert html(response).select_one(f"#{field}-error-1") is not None
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1


def test_other_organisers_and_other_roles_are_refused_and_admins_may_clone(
    db, client, login, make_event, organiser, make_user, exhibitor
):
    source = _source(make_event, organiser)
    url = f"/manage/events/{source.id}/clone"
    data = {"name_vi": "Mới", "starts_on": "2028-03-15"}
    assert client.get(url).status_code == 302  # to the login page
    assert client.post(url, data=data).status_code == 302
    for user in (make_user(role="organiser"), exhibitor, make_user(role="buyer", organisation=None)):
        login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, data=data).status_code == 403
        client.post("/logout")
    assert db.session.scalar(select(func.count()).select_from(Event)) == 1
    login(make_user(role="admin"))
    assert client.get(url).status_code == 200
    assert client.post(url, data=data).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Event)) == 2
