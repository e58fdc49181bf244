"""Walk-ins: an organiser registers a buyer or producer at the desk, approved at once like any other."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app import signals
from app.catalog.models import Organisation
from app.errors import PermissionDenied, ServiceError
from app.eventlog.models import EventLogEntry
from app.events.models import Registration
from app.matching.sessions import services as matching
from app.onsite.walkins import services as walkins
from tests.conftest import text_of
from tests.onsite.desk_support import client_as, every_role, refused, running_fair


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)


def _count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_walk_in_buyer_is_created_approved_announced_and_logged(db, fair):
    heard = []

    def receiver(registration, **_kw):
        heard.append(registration.id)

    signals.registration_approved.connect(receiver)
    try:
        registration = walkins.register_walk_in(
            fair.organiser,
            fair.event,
            role="buyer",
            name="  Nhà hàng Hương Sen ",
            province_code="01",
            contact_name="Chị Lan",
            phone="0912 345 678",
        )
        db.session.commit()
    finally:
        signals.registration_approved.disconnect(receiver)
    assert registration.status == "approved" and registration.role == "buyer"
    assert registration.decided_by_id == fair.organiser.id
    organisation = registration.organisation
    assert (organisation.name, organisation.role, organisation.buyer_type) == (
        "Nhà hàng Hương Sen",
        "buyer",
        "other",
    )
    assert organisation.contact_name == "Chị Lan" and organisation.email is None
    assert heard == [registration.id], "the approval signal (booths, webhooks) fired once"
    actions = set(
        db.session.scalars(select(EventLogEntry.action).where(EventLogEntry.event_id == fair.event.id))
    )
    assert {"walk_in_registered", "registration_approved"} <= actions
    # the matching's repair run reads the approved participants: the newcomer is among them
    buyers, _producers = matching.approved_registrations(fair.event)
    assert registration in buyers


def test_a_walk_in_producer_is_an_exhibitor_whatever_the_registration_windows(db, fair):
    registration = walkins.register_walk_in(
        fair.organiser, fair.event, role="exhibitor", name="HTX Mây tre Phú Vinh", province_code="01"
    )
    assert registration.status == "approved" and registration.organisation.role == "producer"
    assert registration.organisation.producer_kind == "household"
    _buyers, producers = matching.approved_registrations(fair.event)
    assert registration in producers


def test_a_full_event_or_a_bad_form_refuses_the_walk_in(db, fair):
    fair.event.buyer_capacity = 2  # the fair's two buyers fill it
    db.session.commit()
    with pytest.raises(ServiceError, match="Capacity reached"):
        walkins.register_walk_in(
            fair.organiser, fair.event, role="buyer", name="Late buyer", province_code="01"
        )
    assert _count(db, Registration) == 4, "no waiting-list registration is left behind"
    db.session.rollback()
    with pytest.raises(ServiceError, match="Unknown province"):
        walkins.register_walk_in(fair.organiser, fair.event, role="exhibitor", name="X", province_code="99")
    with pytest.raises(ServiceError, match="Choose buyer or producer"):
        walkins.register_walk_in(fair.organiser, fair.event, role="admin", name="X", province_code="01")
    with pytest.raises(ServiceError, match="Unknown type of buyer"):
        walkins.register_walk_in(
            fair.organiser, fair.event, role="buyer", name="X", province_code="01", buyer_type="spaceship"
        )
    db.session.rollback()
    fair.event.state = "finished"
    db.session.commit()
    with pytest.raises(ServiceError, match="current state"):
        walkins.register_walk_in(fair.organiser, fair.event, role="exhibitor", name="X", province_code="01")


def test_another_organiser_cannot_register_walk_ins(db, fair, make_user):
    with pytest.raises(PermissionDenied):
        walkins.register_walk_in(
            make_user(role="organiser"), fair.event, role="buyer", name="X", province_code="01"
        )
    assert _count(db, Organisation) == 4


# ---------------------------------------------------------------- the desk page


def test_the_desk_registers_and_links_to_the_badge(app, db, fair, html):
    client = client_as(app, fair.organiser)
    url = f"/manage/events/{fair.event.id}/walk-ins"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        data={
            "role": "buyer",
            "name": "Khách sạn Mường Thanh",
            "province_code": "22",
            "email": "ks@example.vn",
        },
    )
    assert response.status_code == 302
    page = html(client.get(response.headers["Location"]))
    done = page.select_one("[data-walk-in]")
    registration = db.session.get(Registration, int(done["data-walk-in"]))
    assert registration.organisation.name == "Khách sạn Mường Thanh" and registration.status == "approved"
    badge = done.select_one("a[data-print-badge]")["href"]
    assert badge.startswith(f"/manage/events/{fair.event.id}/badges/{registration.id}")
    sheet = html(client.get(badge))
    assert [int(card["data-badge"]) for card in sheet.select("section.badge-card")] == [registration.id]


def test_the_desk_shows_what_is_wrong_and_writes_nothing(app, db, fair, html):
    client = client_as(app, fair.organiser)
    url = f"/manage/events/{fair.event.id}/walk-ins"
    before = _count(db, Organisation), _count(db, Registration)
    response = client.post(url, data={"role": "buyer", "name": "", "province_code": "", "email": "not-mail"})
    assert response.status_code == 422
    page = html(response)
    for name in ("name", "province_code", "email"):
        assert page.select_one(f'[name="{name}"]')["aria-invalid"] == "true", name
    fair.event.buyer_capacity = 2
    db.session.commit()
    full = client.post(url, data={"role": "buyer", "name": "Late", "province_code": "22"})
    assert full.status_code == 422 and "2/2" in text_of(html(full).select_one("[data-error-summary]"))
    assert (_count(db, Organisation), _count(db, Registration)) == before, "the refused walk-in left nothing"


def test_only_the_events_organisers_and_admins_register_walk_ins(app, db, fair, make_user):
    """Anonymous → login; another organiser, an exhibitor, a buyer → 403, and nothing written."""
    url = f"/manage/events/{fair.event.id}/walk-ins"
    for label, user, allowed in every_role(fair, make_user):
        client = client_as(app, user)
        page = client.get(url)
        before = _count(db, Registration)
        write = client.post(
            url, data={"role": "exhibitor", "name": f"Walk-in {label}", "province_code": "22"}
        )
        if allowed:
            assert page.status_code == 200 and write.status_code == 302, label
            assert _count(db, Registration) == before + 1, label
        else:
            assert refused(page) and refused(write), label
            assert _count(db, Registration) == before, label


def test_a_walk_in_buyer_looking_for_a_category_gets_meetings_from_the_repair_run(db, fair):
    fair.session.state = "published"  # the matching was published before the fair opened
    db.session.commit()
    registration = walkins.register_walk_in(
        fair.organiser,
        fair.event,
        role="buyer",
        name="Khách sạn Hạ Long Plaza",
        province_code="22",
        buyer_type="hotel",
        looking_for="tea",
    )
    db.session.commit()
    [line] = [row.demand_line for row in registration.demand_rows]
    assert (line.category, line.organisation_id) == ("tea", registration.organisation_id)
    result = matching.repair(fair.organiser, fair.session, time_limit=10)
    db.session.commit()
    placed = [m for m in result.added if m.buyer_registration_id == registration.id]
    assert placed, "the newcomer is given meetings with the fair's tea producers"
    producers = {r.id for _u, r in fair.producers}
    assert {m.producer_registration_id for m in placed} <= producers


def test_a_walk_in_buyer_looking_for_an_unknown_category_is_refused(db, fair):
    with pytest.raises(ServiceError, match="Unknown category"):
        walkins.register_walk_in(
            fair.organiser, fair.event, role="buyer", name="X", province_code="22", looking_for="spaceships"
        )
