"""Check-in staff: organisers add and remove accounts (with a confirmation); staff download the
event's check-in data and check meetings and badges in for that event only, and see nothing else
of the organisers'."""

from __future__ import annotations

import uuid
from datetime import UTC

import pytest
from sqlalchemy import func, select

from app.onsite.badges.services import badge_token
from app.onsite.models import CheckinStaff
from app.onsite.staff import services as staff
from tests.conftest import NOW, queries_of
from tests.matching.test_agenda import add_meeting, build_fair
from tests.onsite.desk_support import client_as, refused

SCANNED_AT = NOW.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture()
def fair(db, make_event, make_user, make_buyer, make_producer, make_product):
    return build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=0)


def _entry(code, **extra):
    return {"nonce": uuid.uuid4().hex, "code": code, "scanned_at": SCANNED_AT} | extra


def _count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(CheckinStaff))


def test_organisers_add_and_remove_check_in_staff_with_a_confirmation(app, db, fair, make_user):
    volunteer = make_user(role="buyer", full_name="Lê Văn Cường")
    organiser = client_as(app, fair.organiser)
    page = f"/manage/events/{fair.event.id}/checkin-staff"
    assert "data-no-staff" in organiser.get(page + "?lang=en").get_data(as_text=True)
    response = organiser.post(page, data={"email": volunteer.email.upper()})
    assert response.status_code == 302
    assert _count(db) == 1
    body = organiser.get(page + "?lang=en").get_data(as_text=True)
    assert "Lê Văn Cường" in body
    # Bad input: a clear message next to the field, nothing written.
    for email, message in [
        ("nobody@example.vn", "No account has this email"),
        (volunteer.email, "check-in staff of the event already"),
        (fair.organiser.email, "organises the event"),
        ("not an email", "email"),
    ]:
        response = organiser.post(page + "?lang=en", data={"email": email})
        assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert _count(db) == 1
    member = db.session.scalar(select(CheckinStaff))
    confirm = f"{page}/{member.id}/remove"
    response = organiser.get(confirm + "?lang=en")
    assert response.status_code == 200 and "will no longer" in response.get_data(as_text=True)
    assert _count(db) == 1, "the confirmation page changes nothing"
    assert organiser.post(confirm).status_code == 302
    assert _count(db) == 0


def test_only_the_event_s_organisers_manage_its_staff(app, db, fair, make_user, make_event):
    volunteer = make_user(role="buyer")
    member = CheckinStaff(event_id=fair.event.id, user_id=volunteer.id)
    db.session.add(member)
    db.session.commit()
    page = f"/manage/events/{fair.event.id}/checkin-staff"
    remove = f"{page}/{member.id}/remove"
    for user in (None, volunteer, make_user(role="exhibitor"), make_user(role="buyer")):
        client = client_as(app, user)
        assert refused(client.get(page)) and refused(client.post(page, data={"email": "x@example.vn"}))
        assert refused(client.post(remove))
    stranger = client_as(app, make_user(role="organiser"))  # organises another event
    assert stranger.get(page).status_code in (403, 404) and stranger.post(remove).status_code in (403, 404)
    admin = client_as(app, make_user(role="admin"))
    assert admin.get(page).status_code == 200
    other_event = make_event()
    assert client_as(app, fair.organiser).post(
        f"/manage/events/{other_event.id}/checkin-staff/{member.id}/remove"
    )
    assert _count(db) == 1


def test_staff_download_and_check_in_for_their_event_only_and_nothing_else(
    app, db, fair, make_user, make_event, make_buyer, make_producer, make_product
):
    other = build_fair(db, make_event, make_user, make_buyer, make_producer, make_product, days_ahead=0)
    meeting = add_meeting(db, fair, fair.buyers[0][1], fair.producers[0][1], slot=1, table=1)
    foreign = add_meeting(db, other, other.buyers[0][1], other.producers[0][1], slot=1, table=1)
    volunteer = make_user(role="buyer", full_name="Lê Văn Cường")
    with app.test_request_context():
        staff.add_staff(fair.organiser, fair.event, volunteer.email)
    db.session.commit()
    client = client_as(app, volunteer)
    day = fair.day.isoformat()

    # The app's page lists this event only; its data downloads; meetings and badges check in.
    page = client.get("/onsite/app/?lang=en")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f'value="{fair.event.id}|' in body and f'value="{other.event.id}|' not in body
    data = client.get(f"/onsite/app/events/{fair.event.id}/days/{day}.json")
    assert data.status_code == 200 and [m["code"] for m in data.get_json()["meetings"]] == [
        meeting.checkin_code
    ]
    badge = badge_token(fair.buyers[1][1])
    answers = client.post(
        f"/onsite/app/events/{fair.event.id}/sync",
        json={"checkins": [_entry(meeting.checkin_code), _entry(badge, kind="gate", gate="Gate A")]},
    ).get_json()["results"]
    assert [a["status"] for a in answers] == ["held", "held"]

    # Another event's data and sync: refused.
    assert client.get(f"/onsite/app/events/{other.event.id}/days/{day}.json").status_code == 403
    sync = client.post(
        f"/onsite/app/events/{other.event.id}/sync", json={"checkins": [_entry(foreign.checkin_code)]}
    )
    assert sync.status_code == 403

    # Nothing else of the organisers': their pages refuse the staff account.
    event_id = fair.event.id
    for url in (
        f"/manage/events/{event_id}/checkin",
        f"/manage/events/{event_id}/gate",
        f"/manage/events/{event_id}/gate/counts",
        f"/manage/events/{event_id}/leads",
        f"/manage/events/{event_id}/checkin-staff",
        f"/manage/events/{event_id}/badges",
        f"/manage/events/{event_id}",
    ):
        assert client.get(url).status_code in (403, 404), url

    # Removed: the app and its data refuse the account.
    member = db.session.scalar(select(CheckinStaff))
    with app.test_request_context():
        staff.remove_staff(fair.organiser, fair.event, member)
    db.session.commit()
    assert client.get(f"/onsite/app/events/{fair.event.id}/days/{day}.json").status_code == 403
    assert client.get("/onsite/app/").status_code == 403


def test_accounts_that_are_no_staff_are_refused_the_app(app, db, fair, make_user):
    for role in ("buyer", "exhibitor"):
        assert client_as(app, make_user(role=role)).get("/onsite/app/").status_code == 403
    assert refused(client_as(app, None).get("/onsite/app/"))


def test_the_staff_page_s_statements_do_not_grow_with_the_staff(app, db, fair, make_user):
    client = client_as(app, fair.organiser)
    url = f"/manage/events/{fair.event.id}/checkin-staff"

    def add(n):
        for _ in range(n):
            db.session.add(CheckinStaff(event_id=fair.event.id, user_id=make_user(role="buyer").id))
        db.session.commit()

    add(2)
    few = queries_of(client, url)
    add(20)
    assert queries_of(client, url) == few


def test_a_participant_of_the_event_cannot_be_its_check_in_staff(app, db, fair, make_user):
    """The day's data carries every badge code, which lead capture reads: an exhibitor made staff
    could take every participant as a lead."""
    exhibitor = fair.producers[0][0]
    organiser = client_as(app, fair.organiser)
    page = f"/manage/events/{fair.event.id}/checkin-staff"
    response = organiser.post(page + "?lang=en", data={"email": exhibitor.email})
    assert response.status_code == 422
    assert "takes part in the event" in response.get_data(as_text=True)
    assert _count(db) == 0
    # Added before its organisation registered: no longer staff once it takes part.
    db.session.add(CheckinStaff(event_id=fair.event.id, user_id=exhibitor.id, added_by_id=fair.organiser.id))
    db.session.commit()
    assert not staff.is_staff(exhibitor, fair.event)
    day = fair.day.isoformat()
    assert (
        client_as(app, exhibitor).get(f"/onsite/app/events/{fair.event.id}/days/{day}.json").status_code
        == 403
    )
