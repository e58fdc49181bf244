"""The event log: each organiser action leaves one entry saying who, when and what changed, in
the action's own transaction; the event's organisers (and admins) read and filter it by page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import delete, select

from app import clock
from app.booths.booking import services as booking
from app.errors import ServiceError
from app.eventlog import services as eventlog
from app.eventlog.models import EventLogEntry
from app.events import services as events
from app.events.registrations import services as reg
from tests.booths.conftest import Fair
from tests.catalog.test_import import TEA, csv_bytes, upload_and_confirm
from tests.conftest import NOW, queries_of, text_of


def entries(db, action: str | None = None) -> list[EventLogEntry]:
    query = select(EventLogEntry).order_by(EventLogEntry.id)
    if action:
        query = query.where(EventLogEntry.action == action)
    return list(db.session.scalars(query))


@pytest.fixture()
def fair(db, organiser, make_producer, make_user, make_product, make_open_event):
    built = Fair(db, organiser, make_producer, make_user, make_product, make_open_event)
    # Setting the fair up (opening it, laying out its plan) is logged; these tests read what follows.
    db.session.execute(delete(EventLogEntry))
    return built


def applicant(fair):
    """A pending exhibitor registration of the fair's event."""
    organisation = fair._make_producer()
    user = fair._make_user(role="exhibitor", organisation=organisation)
    product = fair._make_product(organisation, ocop_group="beverages", category="tea", stars=4)
    return reg.apply_as_exhibitor(user, fair.event, [product.id], now=NOW)


# ---------------------------------------------------------------- what is recorded


def test_approving_and_rejecting_record_who_what_and_the_status_change(db, fair):
    first, second = applicant(fair), applicant(fair)
    assert entries(db) == []  # applying is not an organiser action
    reg.approve(fair.organiser, first, now=NOW)
    reg.reject(fair.organiser, second, "Hồ sơ thiếu giấy chứng nhận", now=NOW)
    approved, rejected = entries(db)
    assert (approved.action, approved.event_id, approved.actor_id) == (
        "registration_approved",
        fair.event.id,
        fair.organiser.id,
    )
    assert approved.actor_name == fair.organiser.full_name
    assert approved.subject == first.organisation.name
    assert approved.details_json == {"role": "exhibitor", "status": ["pending", "approved"]}
    assert abs(approved.at - clock.now()) < timedelta(minutes=1)  # the app's (pinned) clock
    assert rejected.action == "registration_rejected"
    assert rejected.details_json == {
        "role": "exhibitor",
        "status": ["pending", "rejected"],
        "reason": "Hồ sơ thiếu giấy chứng nhận",
    }


def test_bulk_decisions_record_one_entry_per_registration_decided_and_none_for_refusals(db, fair):
    fair.event.exhibitor_capacity = 2
    regs = [applicant(fair) for _ in range(3)]
    result = reg.approve_many(fair.organiser, regs, now=NOW)
    assert len(result.succeeded) == 2 and len(result.failed) == 1  # the capacity stopped the third
    assert [e.subject for e in entries(db, "registration_approved")] == [
        r.organisation.name for r in regs[:2]
    ]
    reg.reject_many(fair.organiser, regs, "Gian hàng đã đủ", now=NOW)
    assert len(entries(db, "registration_rejected")) == 3


def test_a_refused_action_leaves_no_entry_and_a_rolled_back_one_neither(db, fair):
    registration = applicant(fair)
    with pytest.raises(ServiceError):
        reg.reject(fair.organiser, registration, "  ", now=NOW)  # no reason
    assert entries(db) == []
    db.session.commit()
    reg.approve(fair.organiser, registration, now=NOW)
    assert len(entries(db)) == 1  # written in the action's transaction...
    db.session.rollback()
    assert entries(db) == []  # ...and gone with it
    assert db.session.get(type(registration), registration.id).status == "pending"


def test_allocation_moves_swaps_and_payments_are_recorded(db, fair):
    booths = fair.add_booths(4)
    (u1, r1), (u2, r2) = fair.exhibitor(), fair.exhibitor()
    booking.request_booth(u1, r1, fair.standard, preferences=[booths[0].id])
    booking.request_booth(u2, r2, fair.standard, preferences=[booths[1].id])
    report = booking.allocate_all(fair.organiser, fair.event)
    (allocated,) = entries(db, "booths_allocated")
    assert allocated.actor_id == fair.organiser.id
    assert allocated.details_json == {"placed": len(report.placed), "unplaced": 0} and len(report.placed) == 2
    a1, a2 = (next(a for a in _assignments(db) if a.registration_id == r.id) for r in (r1, r2))
    booking.move_assignment(fair.organiser, a1, booths[2])
    (moved,) = entries(db, "booth_moved")
    assert moved.details_json == {"booth": ["A-1", "A-3"]}
    assert moved.subject == f"{r1.organisation.name} · A-3"
    booking.swap(fair.organiser, a1, a2)
    (swapped,) = entries(db, "booths_swapped")
    assert swapped.details_json == {
        r1.organisation.name: ["A-3", "A-2"],
        r2.organisation.name: ["A-2", "A-3"],
    }
    booking.confirm_payment(fair.organiser, a1)
    booking.waive_payment(fair.organiser, a2)
    (paid,) = entries(db, "payment_confirmed")
    (waived,) = entries(db, "payment_waived")
    assert paid.details_json == {"payment": ["due", "paid"], "status": ["allocated", "confirmed"]}
    assert waived.details_json["payment"] == ["due", "waived"]
    # A refused move (the booth is taken) writes nothing.
    with pytest.raises(ServiceError):
        booking.move_assignment(fair.organiser, a1, a2.booth)
    assert len(entries(db, "booth_moved")) == 1


def _assignments(db):
    from app.booths.models import BoothAssignment

    return list(db.session.scalars(select(BoothAssignment)))


def test_cloning_is_recorded_on_both_events(db, fair):
    copy = events.clone_event(
        fair.organiser, fair.event, name_vi="Hội chợ OCOP 2028", starts_on=date(2028, 3, 1), today=NOW.date()
    )
    (on_source, on_copy) = entries(db, "event_cloned")
    assert {on_source.event_id, on_copy.event_id} == {fair.event.id, copy.id}
    assert on_copy.details_json["copy"] == [fair.event.name_vi, "Hội chợ OCOP 2028"]


def test_a_confirmed_catalogue_import_is_recorded_outside_any_event(db, client, organiser, login, worker):
    login(organiser)
    client.get("/?lang=en")
    upload_and_confirm(client, worker, csv_bytes([TEA]))
    db.session.expire_all()
    (imported,) = entries(db, "catalogue_imported")
    assert imported.event_id is None and imported.actor_id == organiser.id  # the one who enqueued
    assert (
        imported.details_json == {"created": 1, "updated": 0, "rows": 1}
        and imported.subject == "ocop-quang-ninh.csv"
    )


# ---------------------------------------------------------------- the page


def _url(event, **args) -> str:
    query = "&".join(f"{k}={v}" for k, v in ({"lang": "en"} | args).items())
    return f"/manage/events/{event.id}/log?{query}"


def test_the_page_is_for_the_events_organisers_and_admins_only(
    db, client, login, fair, make_user, make_buyer, make_event
):
    other_organiser = make_user(role="organiser")
    organiser_elsewhere = make_user(role="organiser")  # organises another event, not this one
    make_event(organiser_elsewhere)
    exhibitor_user, _registration = fair.exhibitor()  # an approved exhibitor of this very event
    buyer = make_user(role="buyer", organisation=make_buyer())
    db.session.commit()
    for intruder in (other_organiser, organiser_elsewhere, exhibitor_user, buyer):
        login(intruder)
        assert client.get(_url(fair.event)).status_code == 403
        client.post("/logout")
    assert client.get(_url(fair.event)).status_code == 302  # anonymous: to the login page
    login(make_user(role="admin"))
    assert client.get(_url(fair.event)).status_code == 200
    client.post("/logout")
    login(fair.organiser)
    assert client.get(_url(fair.event)).status_code == 200
    assert client.get(f"/manage/events/{fair.event.id + 999}/log").status_code == 404


@pytest.mark.clock("2027-01-15T03:00:00+00:00")  # whatever TEST_NOW says: 10:00 in Hà Nội
def test_the_page_lists_newest_first_with_who_what_and_changes_and_an_empty_state(
    db, client, login, fair, html
):
    login(fair.organiser)
    empty = html(client.get(_url(fair.event)))
    assert "will appear here" in text_of(empty.select_one("#no-entries"))
    first, second = applicant(fair), applicant(fair)
    reg.approve(fair.organiser, first, now=NOW)
    reg.reject(fair.organiser, second, "Thiếu hồ sơ", now=NOW)
    page = html(client.get(_url(fair.event)))
    rows = page.select("#log tbody tr")
    assert [row["data-action"] for row in rows] == ["registration_rejected", "registration_approved"]
    cells = [text_of(cell) for cell in rows[1].select("td")]
    assert cells[1] == fair.organiser.full_name
    assert cells[2] == f"Registration approved {first.organisation.name}"
    assert cells[3] == "Role: Exhibitor Status: Pending → Approved"
    # Vietnam time: the pinned 03:00 UTC is 10:00 in Hà Nội.
    assert "10:00" in cells[0] and "03:00" not in cells[0]
    # The organiser's event page links here.
    show = html(client.get(f"/manage/events/{fair.event.id}?lang=en"))
    assert show.select_one(f"a[href='/manage/events/{fair.event.id}/log']") is not None


def test_filters_by_action_person_and_day(db, client, login, fair, make_user, html, pinned_clock):
    colleague = make_user(role="organiser")
    _add_organiser(db, fair.event, colleague)
    regs = [applicant(fair) for _ in range(3)]
    reg.approve(fair.organiser, regs[0], now=NOW)
    pinned_clock.shift(timedelta(days=1))
    reg.approve(colleague, regs[1], now=NOW)
    reg.reject(colleague, regs[2], "Không đạt", now=NOW)
    login(fair.organiser)

    def actions(**args):
        return [
            row["data-action"] for row in html(client.get(_url(fair.event, **args))).select("#log tbody tr")
        ]

    assert actions(action="registration_rejected") == ["registration_rejected"]
    assert actions(actor=colleague.id) == ["registration_rejected", "registration_approved"]
    assert actions(actor=fair.organiser.id) == ["registration_approved"]
    today = NOW.astimezone(clock.VIETNAM).date()  # days are Vietnam's: 23:30 UTC is tomorrow there
    assert actions(day=today.isoformat()) == ["registration_approved"]
    assert actions(day=(today + timedelta(days=1)).isoformat(), action="registration_approved") == [
        "registration_approved"
    ]
    refused = client.get(_url(fair.event, action="nonsense", day="not-a-day"))
    assert refused.status_code == 400  # said beside each filter (test_log_filters.py)...
    assert len(html(refused).select("#log tbody tr")) == 3  # ...and the log shown without them
    none = html(client.get(_url(fair.event, day="2020-01-01")))
    assert "No action matches" in text_of(none.select_one("#no-entries"))
    people = [text_of(o) for o in html(client.get(_url(fair.event))).select("#actor option")]
    assert people[1:] == sorted([fair.organiser.full_name, colleague.full_name], key=str.lower)


def _add_organiser(db, event, user):
    from app.events.models import EventOrganiser

    event.organisers.append(EventOrganiser(user_id=user.id))
    db.session.flush()


def test_fifty_a_page_and_a_constant_number_of_queries(db, client, login, fair, html):
    for n in range(3):
        eventlog.record(fair.organiser, event_id=fair.event.id, action="booth_moved", subject=f"B{n}")
    login(fair.organiser)
    few = queries_of(client, _url(fair.event))
    for n in range(3, 120):
        eventlog.record(fair.organiser, event_id=fair.event.id, action="booth_moved", subject=f"B{n}")
    eventlog.record(fair.organiser, event_id=None, action="catalogue_imported", subject="other.csv")
    assert queries_of(client, _url(fair.event)) == few
    first = html(client.get(_url(fair.event)))
    subjects = [text_of(row.select("td")[2]) for row in first.select("#log tbody tr")]
    assert len(subjects) == 50 and subjects[0] == "Booth moved B119"
    last = html(client.get(_url(fair.event, page=3)))
    assert [text_of(row.select("td")[2]) for row in last.select("#log tbody tr")][-1] == "Booth moved B0"
    assert len(last.select("#log tbody tr")) == 20  # 120 of this event; the import is elsewhere


def test_changes_read_as_labels_and_values_not_codes(app, db, fair):
    entry = eventlog.record(
        fair.organiser,
        event_id=fair.event.id,
        action="payment_waived",
        subject="HTX · A-1",
        changes={"payment": ["due", "waived"], "published": False, "reason": None, "A-1": ["x", "y"]},
    )
    with app.test_request_context("/?lang=en"):
        assert eventlog.details_lines(entry) == [
            "Payment: Payment due → Waived",
            "Published: no",
            "Reason: —",
            "A-1: x → y",  # not a known field: as recorded
        ]
    with pytest.raises(ValueError):
        eventlog.record(fair.organiser, event_id=fair.event.id, action="made_up")
