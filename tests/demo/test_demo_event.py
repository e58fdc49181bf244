"""The demo event loaded by `load_demo`: registrations, booths, e-booths and matchmaking, and its pages."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from app.accounts import services as accounts
from app.booths.booking import services as booking
from app.booths.ebooths import services as ebooths
from app.booths.models import Booth, BoothAssignment, ElectronicBooth
from app.booths.plan import services as plan
from app.demo import services as demo
from app.events import services
from app.events.models import Event, Registration
from app.events.registrations import services as registrations
from app.matching.models import MatchingSession, Meeting
from app.notifications.models import OutboxMessage

SEED = 2025


def _registration(db, event, organisation_id, role):
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.organisation_id == organisation_id,
            Registration.role == role,
        )
    )


def test_the_demo_has_an_open_fair_with_booths_ebooths_and_a_published_matchmaking(db):
    summary = demo.load_demo(SEED)
    event = db.session.scalar(select(Event))
    assert event.state == "registration_open" and event.kind == "physical_fair"
    assert event.name_vi.startswith("Hội chợ OCOP Quảng Ninh") and event.name_en and event.name_fr
    assert services.registration_is_open(event, "exhibitor") and services.registration_is_open(event, "buyer")
    assert "1 event" in summary.describe() and event.slug in summary.describe()

    programme = [item for item in event.programme if not item.cancelled]
    assert {"opening", "seminar", "tasting", "matchmaking", "award"} <= {item.kind for item in programme}
    assert all(event.starts_at <= item.starts_at < item.ends_at <= event.ends_at for item in programme)
    assert {hall.name for hall in event.halls} == {"Nhà A", "Nhà B"}

    counts = registrations.counts(event)
    assert 40 <= counts["exhibitor"]["approved"] <= 60
    assert counts["exhibitor"]["approved"] == event.exhibitor_capacity
    assert counts["exhibitor"].get("pending", 0) >= 2 and counts["exhibitor"].get("waitlisted") == 1
    assert 15 <= counts["buyer"]["approved"] <= 25
    exhibitor = accounts.find_user_by_email("exhibitor@demo.ocopfair.vn")
    buyer = accounts.find_user_by_email("buyer@demo.ocopfair.vn")
    own_exhibit = _registration(db, event, exhibitor.organisation_id, "exhibitor")
    own_buy = _registration(db, event, buyer.organisation_id, "buyer")
    assert own_exhibit.status == "approved" and own_buy.status == "approved"
    assert len(own_exhibit.product_rows) >= 3
    assert all(registrations.product_problem(row.product, event) is None for row in own_exhibit.product_rows)

    # Booths: each active assignment meets the hard rules, no booth or exhibitor twice, no overlap.
    booths = list(db.session.scalars(select(Booth).where(Booth.event_id == event.id)))
    tags = {tag for booth in booths for tag in booth.tags}
    assert tags >= {"food", "beverages", "province:20", "province:24"}
    for hall in event.halls:
        rects = [(b.x_m, b.y_m, b.width_m, b.depth_m) for b in booths if b.hall_id == hall.id]
        assert all(plan.inside(r, hall) for r in rects)
        assert not any(plan.overlaps(a, b) for i, a in enumerate(rects) for b in rects[i + 1 :])
    assignments = list(
        db.session.scalars(
            select(BoothAssignment).where(
                BoothAssignment.event_id == event.id, BoothAssignment.status != "cancelled"
            )
        )
    )
    assert len(assignments) >= 0.75 * counts["exhibitor"]["approved"]
    assert len({a.booth_id for a in assignments}) == len(assignments)
    assert len({a.registration_id for a in assignments}) == len(assignments)
    for assignment in assignments:
        assert assignment.registration.status == "approved"
        registration, booth = assignment.registration, assignment.booth
        wanted = booking.open_request_of(registration).booth_type
        assert booking.hard_rule_problem(registration, booth, wanted) is None
        province = assignment.registration.organisation.province_code
        if province in ("20", "24"):
            assert f"province:{province}" in assignment.booth.tags
    assert sum(a.payment == "paid" for a in assignments) >= 3
    assert booking.active_assignment_of(own_exhibit) is not None

    # Electronic booths: most published, the demo exhibitor's among them.
    published = list(
        db.session.scalars(
            select(ElectronicBooth).where(ElectronicBooth.event_id == event.id, ElectronicBooth.published)
        )
    )
    assert len(published) >= 0.7 * counts["exhibitor"]["approved"]
    assert all(ebooths.is_public(e) and e.headline_vi and e.headline_en and e.product_rows for e in published)
    assert ebooths.ebooth_of_registration(own_exhibit) in published

    # Matchmaking: published, nobody and no table twice in a slot, the demo buyer meets the demo exhibitor.
    session = db.session.scalar(select(MatchingSession).where(MatchingSession.event_id == event.id))
    assert session.state == "published" and session.tables == 15 and session.meeting_minutes == 20
    first_day = services.to_local(event, event.starts_at).date()
    assert session.first_day == session.last_day and (session.first_day - first_day).days == 1
    meetings = list(db.session.scalars(select(Meeting).where(Meeting.session_id == session.id)))
    assert len(meetings) >= 40 and all(m.published and m.status == "scheduled" for m in meetings)
    people = Counter(
        (m.slot, who) for m in meetings for who in (m.buyer_registration_id, m.producer_registration_id)
    )
    assert max(people.values()) == 1
    assert max(Counter((m.slot, m.table) for m in meetings).values()) == 1
    mine = [m for m in meetings if m.buyer_registration_id == own_buy.id]
    assert mine and any(m.producer_registration_id == own_exhibit.id for m in mine)

    # Mail goes only to the demo logins' addresses.
    addresses = set(db.session.scalars(select(OutboxMessage.to_address)))
    assert addresses and all(a.endswith("@demo.ocopfair.vn") for a in addresses)


def test_the_demo_event_pages_answer_for_each_demo_login(client, db):
    demo.load_demo(SEED)
    db.session.commit()
    event = db.session.scalar(select(Event))
    session = db.session.scalar(select(MatchingSession))
    exhibitor = accounts.find_user_by_email("exhibitor@demo.ocopfair.vn").organisation.name

    page = client.get(f"/events/{event.slug}")
    assert page.status_code == 200 and event.name_vi in page.get_data(as_text=True)
    assert "Kết nối giao thương B2B" in page.get_data(as_text=True)
    floor = client.get(f"/events/{event.slug}/plan")
    assert floor.status_code == 200 and exhibitor in floor.get_data(as_text=True)
    assert client.get(f"/events/{event.slug}/booths").status_code == 200

    def login(who: str) -> None:
        client.post("/logout")
        response = client.post(
            "/login", data={"email": f"{who}@demo.ocopfair.vn", "password": demo.DEMO_PASSWORD}
        )
        assert response.status_code == 302

    login("organiser")
    assert client.get(f"/manage/events/{event.id}").status_code == 200
    assert client.get(f"/manage/events/{event.id}/booths").status_code == 200
    matching = client.get(f"/manage/events/{event.id}/matching/{session.id}")
    assert matching.status_code == 200 and "Nhà B · bàn 1" in matching.get_data(as_text=True)

    login("buyer")
    agenda = client.get(f"/my/events/{event.slug}/agenda")
    assert agenda.status_code == 200 and exhibitor in agenda.get_data(as_text=True)
    assert client.get(f"/manage/events/{event.id}/matching/{session.id}").status_code in (302, 403, 404)

    login("exhibitor")
    assert client.get(f"/my/events/{event.slug}/agenda").status_code == 200
