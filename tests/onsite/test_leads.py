"""Lead capture: the sync (each nonce once, badges checked), consent, the exports and who may do what."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.onsite.badges.services import badge_token
from app.onsite.leads import services as leads
from app.onsite.leads.models import Lead
from tests.conftest import NOW
from tests.onsite.desk_support import client_as, running_fair


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    fair = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    for _user, registration in fair.buyers:
        registration.organisation.email = f"buyer{registration.id}@example.vn"
        registration.organisation.phone = "0901234567"
    db.session.commit()
    return fair


def _nonce() -> str:
    return uuid.uuid4().hex


def _entry(registration, rating=4, note="Wants 200 kg", **extra):
    return {"nonce": _nonce(), "code": badge_token(registration), "rating": rating, "note": note, **extra}


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Lead))


# ---------------------------------------------------------------- sync


def test_a_lead_is_stored_once_and_a_replay_changes_nothing(db, fair):
    exhibitor = fair.producers[0][0]
    buyer = fair.buyers[0][1]
    entry = _entry(buyer)
    answers = leads.sync(exhibitor, fair.event, [entry])
    db.session.commit()
    assert answers[0]["status"] == "saved" and answers[0]["organisation"] == buyer.organisation.name
    lead = db.session.scalar(select(Lead))
    assert (lead.rating, lead.note, lead.visitor_registration_id) == (4, "Wants 200 kg", buyer.id)
    assert lead.exhibitor_registration_id == fair.producers[0][1].id
    replay = dict(entry, rating=1, note="changed")
    again = leads.sync(exhibitor, fair.event, [replay])
    db.session.commit()
    assert again[0]["status"] == "replayed"
    assert _count(db) == 1
    db.session.refresh(lead)
    assert (lead.rating, lead.note) == (4, "Wants 200 kg")


def test_forged_and_other_event_badges_are_refused_and_malformed_entries_reported(
    db, fair, make_event, make_user, make_buyer, make_producer, make_product
):
    exhibitor = fair.producers[0][0]
    elsewhere = running_fair(db, make_event, make_user, make_buyer, make_producer, make_product)
    good = _entry(fair.buyers[1][1])
    token = badge_token(fair.buyers[0][1])
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    entries = [
        {"nonce": _nonce(), "code": forged, "rating": 3},
        {"nonce": _nonce(), "code": badge_token(elsewhere.buyers[0][1]), "rating": 3},
        {"nonce": _nonce(), "code": "hello", "rating": 3},
        {"nonce": _nonce(), "code": token, "rating": 6},
        {"nonce": _nonce(), "code": token, "rating": True},
        {"nonce": "short", "code": token, "rating": 3},
        {"nonce": _nonce(), "code": token, "rating": 3, "extra": 1},
        {"nonce": _nonce(), "code": token, "rating": 3, "note": "x" * 1001},
        {"nonce": _nonce(), "code": token, "rating": 3, "note": "chè \ud800"},  # no database stores it
        {"nonce": _nonce(), "code": token + "\x00", "rating": 3},
        {"nonce": _nonce(), "code": token, "rating": 3, "scanned_at": "yesterday"},
        {
            "nonce": _nonce(),
            "code": token,
            "rating": 3,
            "scanned_at": (utcnow() - timedelta(days=9)).isoformat(),
        },
        "not an object",
        good,
    ]
    answers = leads.sync(exhibitor, fair.event, entries)
    db.session.commit()
    statuses = [answer["status"] for answer in answers]
    assert statuses == ["refused"] * 3 + ["invalid"] * 10 + ["saved"]
    assert "not genuine" in answers[0]["message"]
    assert "another event" in answers[1]["message"]
    assert "not a badge code" in answers[2]["message"]
    assert _count(db) == 1


def test_a_batch_that_is_not_a_list_or_too_long_is_refused(db, fair):
    exhibitor = fair.producers[0][0]
    with pytest.raises(ServiceError):
        leads.sync(exhibitor, fair.event, {"nonce": "x"})
    with pytest.raises(ServiceError):
        leads.sync(exhibitor, fair.event, [{}] * (leads.MAX_BATCH + 1))
    assert _count(db) == 0


def test_a_nonce_of_another_exhibitor_is_not_taken_over(db, fair):
    entry = _entry(fair.buyers[0][1])
    leads.sync(fair.producers[0][0], fair.event, [entry])
    answers = leads.sync(fair.producers[1][0], fair.event, [entry])
    db.session.commit()
    assert answers[0]["status"] == "invalid"
    assert leads.leads_page(fair.producers[1][0], fair.event)[1] == 0


# ---------------------------------------------------------------- consent, list and export


def test_the_list_and_exports_show_contact_details_only_with_consent(db, fair):
    exhibitor = fair.producers[0][0]
    (_u0, sharing), (_u1, private) = fair.buyers
    sharing.lead_sharing = "contact"
    db.session.commit()
    leads.sync(
        exhibitor,
        fair.event,
        [_entry(sharing, rating=2), _entry(private, rating=5, note='=HYPERLINK("http://x")')],
    )
    db.session.commit()
    rows, total = leads.leads_page(exhibitor, fair.event, sort="rating")
    assert total == 2
    assert [row.lead.rating for row in rows] == [5, 2]
    best, other = rows
    assert (best.email, best.phone) == (None, None)
    assert other.email == sharing.organisation.email and other.phone == "0901234567"

    from openpyxl import load_workbook

    from app.reports.tables import csv_bytes, xlsx_bytes

    table = leads.leads_table(exhibitor, fair.event, sort="rating")
    text = csv_bytes(table, fair.event.timezone).decode("utf-8-sig")
    assert sharing.organisation.email in text and private.organisation.email not in text
    assert "'=HYPERLINK" in text
    table = leads.leads_table(exhibitor, fair.event, sort="rating")
    sheet = load_workbook(io.BytesIO(xlsx_bytes([table], fair.event.timezone))).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    flat = [str(v) for row in values for v in row if v is not None]
    assert sharing.organisation.email in flat and private.organisation.email not in flat
    # Consent withdrawn later: the contact disappears from the list.
    sharing.lead_sharing = "basic"
    db.session.commit()
    rows, _total = leads.leads_page(exhibitor, fair.event)
    assert all(row.email is None and row.phone is None for row in rows)


def test_only_the_participant_sets_its_own_consent(db, fair, make_user):
    buyer, registration = fair.buyers[0]
    leads.set_lead_sharing(buyer, registration, "contact")
    assert registration.lead_sharing == "contact"
    with pytest.raises(ServiceError):
        leads.set_lead_sharing(buyer, registration, "everything")
    for stranger in (None, fair.buyers[1][0], fair.producers[0][0], fair.organiser, make_user(role="admin")):
        with pytest.raises(PermissionDenied):
            leads.set_lead_sharing(stranger, registration, "basic")
    assert registration.lead_sharing == "contact"


def test_organisers_see_counts_per_exhibitor_only(db, fair, make_user):
    leads.sync(fair.producers[0][0], fair.event, [_entry(fair.buyers[0][1]), _entry(fair.buyers[1][1])])
    db.session.commit()
    counts = dict(leads.lead_counts(fair.organiser, fair.event))
    assert counts == {fair.producers[0][1].organisation.name: 2, fair.producers[1][1].organisation.name: 0}
    assert dict(leads.lead_counts(make_user(role="admin"), fair.event)) == counts
    for stranger in (fair.producers[0][0], fair.buyers[0][0], make_user(role="organiser")):
        with pytest.raises(PermissionDenied):
            leads.lead_counts(stranger, fair.event)


# ---------------------------------------------------------------- pages and permissions


def _login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers.get("Location", "")


def test_every_role_on_the_exhibitors_pages(app, db, fair, make_user, make_producer):
    exhibitor = fair.producers[0][0]
    leads.sync(exhibitor, fair.event, [_entry(fair.buyers[0][1], note="secret note")])
    db.session.commit()
    base = f"/onsite/leads/{fair.event.id}"
    pages = [f"{base}/", f"{base}/list", f"{base}/leads.csv", f"{base}/leads.xlsx"]
    own = client_as(app, exhibitor)
    for url in pages:
        assert own.get(url).status_code == 200, url
    assert "secret note" in own.get(f"{base}/list").get_data(as_text=True)
    assert "secret note" in own.get(f"{base}/leads.csv").get_data(as_text=True)
    expected = {
        "anonymous": (None, "login"),
        "exhibitor not at this event": (make_user(role="exhibitor", organisation=make_producer()), 404),
        "buyer": (fair.buyers[0][0], 403),
        "organiser": (fair.organiser, 403),
        "admin": (make_user(role="admin"), 404),
    }
    for role, (user, status) in expected.items():
        client = client_as(app, user)
        for url in pages:
            response = client.get(url)
            if status == "login":
                assert _login_redirect(response), (role, url)
            else:
                assert response.status_code == status, (role, url)
            assert b"secret note" not in response.get_data()
    # The event's other exhibitor has pages of its own, without the first one's leads.
    other = client_as(app, fair.producers[1][0])
    for url in pages:
        response = other.get(url)
        assert response.status_code == 200 and b"secret note" not in response.get_data()
    assert own.get("/onsite/leads/999999/").status_code == 404


def test_the_sync_route_refuses_others_and_bad_bodies(app, db, fair, make_user):
    url = f"/onsite/leads/{fair.event.id}/sync"
    body = {"leads": [_entry(fair.buyers[0][1])]}
    assert client_as(app, None).post(url, json=body).status_code == 401
    producer = fair.producers[0][0].organisation
    moved = make_user(role="organiser", organisation=producer)  # an account made organiser keeps it
    for user in (fair.buyers[0][0], fair.organiser, make_user(role="admin"), moved):
        assert client_as(app, user).post(url, json=body).status_code == 404
    own = client_as(app, fair.producers[0][0])
    for bad in (None, [], {"leads": [], "x": 1}, {"checkins": []}):
        assert own.post(url, json=bad).status_code == 400
    assert own.post(url, json={"leads": "x"}).status_code == 400
    assert _count(db) == 0
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert own.post(url, json=body).status_code == 400 and _count(db) == 0
        token = own.get("/onsite/app/token").get_json()["csrf_token"]
        first = own.post(url, json=body, headers={"X-CSRFToken": token})
        assert first.status_code == 200 and first.get_json()["results"][0]["status"] == "saved"
        again = own.post(url, json=body, headers={"X-CSRFToken": token})
        assert again.get_json()["results"][0]["status"] == "replayed"
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert _count(db) == 1


def test_the_organisers_counts_page(app, db, fair, make_user):
    leads.sync(fair.producers[0][0], fair.event, [_entry(fair.buyers[0][1], note="secret note")])
    db.session.commit()
    url = f"/manage/events/{fair.event.id}/leads"
    for user in (fair.organiser, make_user(role="admin")):
        page = client_as(app, user).get(url)
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert fair.producers[0][1].organisation.name in text and "secret note" not in text
        assert fair.buyers[0][1].organisation.name not in text
    assert _login_redirect(client_as(app, None).get(url))
    for user in (make_user(role="organiser"), fair.producers[0][0], fair.buyers[0][0]):
        assert client_as(app, user).get(url).status_code == 403


def test_a_participant_chooses_what_its_badge_shares(app, db, fair, make_user):
    buyer, registration = fair.buyers[0]
    url = f"/onsite/leads/{fair.event.id}/sharing"
    client = client_as(app, buyer)
    assert client.get(url).status_code == 200
    assert client.post(url, data={"lead_sharing": "contact"}).status_code == 302
    db.session.refresh(registration)
    assert registration.lead_sharing == "contact"
    assert client.post(url, data={"lead_sharing": "all"}).status_code == 200
    db.session.refresh(registration)
    assert registration.lead_sharing == "contact"
    assert client_as(app, fair.producers[0][0]).get(url).status_code == 200
    assert _login_redirect(client_as(app, None).get(url))
    assert client_as(app, fair.organiser).get(url).status_code == 403
    assert client_as(app, make_user(role="buyer")).get(url).status_code == 404


def test_the_agenda_and_the_event_page_lead_to_the_lead_pages(app, db, fair):
    slug, event_id = fair.event.slug, fair.event.id
    buyer_agenda = client_as(app, fair.buyers[0][0]).get(f"/my/events/{slug}/agenda").get_data(as_text=True)
    assert (
        f"/onsite/leads/{event_id}/sharing" in buyer_agenda
        and f'/onsite/leads/{event_id}/"' not in buyer_agenda
    )
    agenda = client_as(app, fair.producers[0][0]).get(f"/my/events/{slug}/agenda").get_data(as_text=True)
    assert f"/onsite/leads/{event_id}/sharing" in agenda and f'/onsite/leads/{event_id}/"' in agenda
    event_page = client_as(app, fair.organiser).get(f"/manage/events/{event_id}").get_data(as_text=True)
    assert f"/manage/events/{event_id}/leads" in event_page
    mine = client_as(app, fair.producers[0][0]).get("/my/registrations").get_data(as_text=True)
    assert f"/onsite/leads/{event_id}/sharing" in mine and f'/onsite/leads/{event_id}/"' in mine
    mine = client_as(app, fair.buyers[0][0]).get("/my/registrations").get_data(as_text=True)
    assert f"/onsite/leads/{event_id}/sharing" in mine and f'/onsite/leads/{event_id}/"' not in mine


# ---------------------------------------------------------------- a buyer's agenda QR


def _agenda_entry(meeting, event, **extra):
    from app.urls import checkin_signature

    sig = checkin_signature(event.id, meeting.checkin_code)
    return {"nonce": _nonce(), "code": meeting.checkin_code, "sig": sig, "rating": 5, **extra}


def test_an_agenda_qr_names_the_other_participant_of_the_exhibitors_own_meeting(app, db, fair):
    from tests.matching.test_agenda import add_meeting

    exhibitor, exhibitor_registration = fair.producers[0]
    buyer = fair.buyers[0][1]
    mine = add_meeting(
        db, fair, buyer, exhibitor_registration, slot=0, table=1, status="held", checked_in_at=NOW
    )
    with app.test_request_context():
        answers = leads.sync(exhibitor, fair.event, [_agenda_entry(mine, fair.event)])
    db.session.commit()
    assert answers[0]["status"] == "saved" and answers[0]["organisation"] == buyer.organisation.name
    lead = db.session.scalar(select(Lead))
    assert (lead.visitor_registration_id, lead.exhibitor_registration_id) == (
        buyer.id,
        exhibitor_registration.id,
    )
    # The row follows the buyer's consent, as for its badge.
    rows, _total = leads.leads_page(exhibitor, fair.event)
    assert rows[0].email is None and buyer.lead_sharing != "contact"


def test_an_agenda_qr_that_cannot_name_one_person_safely_is_refused(app, db, fair):
    from tests.matching.test_agenda import add_meeting

    exhibitor, exhibitor_registration = fair.producers[0]
    (_b0, buyer), (_b1, other_buyer) = fair.buyers
    other_producer = fair.producers[1][1]
    strangers = add_meeting(db, fair, other_buyer, other_producer, slot=1, table=2)
    mine = add_meeting(db, fair, buyer, exhibitor_registration, slot=2, table=3)
    cancelled = add_meeting(
        db, fair, other_buyer, exhibitor_registration, slot=3, table=4, status="cancelled"
    )
    with app.test_request_context("/?lang=en"):
        entries = [
            _agenda_entry(strangers, fair.event),  # two other participants: who is at the booth?
            dict(_agenda_entry(mine, fair.event), sig="0" * 12),  # forged check
            _agenda_entry(cancelled, fair.event),
            dict(_agenda_entry(mine, fair.event), code="NOSUCH"),
            dict(_agenda_entry(mine, fair.event), sig="not-hex"),
        ]
        answers = leads.sync(exhibitor, fair.event, entries)
    db.session.commit()
    assert [a["status"] for a in answers] == ["refused", "refused", "refused", "refused", "invalid"]
    assert "not one of yours" in answers[0]["message"]
    assert "forged" in answers[1]["message"]
    assert "not on the schedule" in answers[2]["message"]
    assert _count(db) == 0


def test_an_agenda_qr_of_a_meeting_not_checked_in_is_refused(app, db, fair):
    """The exhibitor's own agenda prints the same QR: scanning it must not take a buyer who never
    came (a no-show, or a meeting of a later day) as a lead."""
    from tests.matching.test_agenda import add_meeting

    exhibitor, exhibitor_registration = fair.producers[0]
    buyer = fair.buyers[0][1]
    later = add_meeting(db, fair, buyer, exhibitor_registration, slot=5, table=1)
    with app.test_request_context("/?lang=en"):
        answers = leads.sync(exhibitor, fair.event, [_agenda_entry(later, fair.event)])
    db.session.commit()
    assert answers[0]["status"] == "refused" and "not checked in yet" in answers[0]["message"]
    assert _count(db) == 0
