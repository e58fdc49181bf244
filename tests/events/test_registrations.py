"""Registrations: who may apply with what, capacity and the waiting list, decisions and their mails."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.catalog import services as catalog
from app.errors import PermissionDenied, ServiceError
from app.events.models import Registration
from app.events.registrations import services as reg
from app.extensions import db as _db
from app.notifications.models import OutboxMessage
from tests.conftest import NOW


@pytest.fixture(autouse=True)
def request_context(app, db):
    """Rule messages are lazy strings shown in the requester's language; these tests read English."""
    with app.test_request_context("/?lang=en"):
        yield


@pytest.fixture()
def make_event(db, organiser, make_open_event):
    """Here an event is open for registration at NOW, by the test's organiser unless told."""

    def build(**overrides):
        return make_open_event(overrides.pop("organiser", organiser), **overrides)

    return build


@pytest.fixture()
def make_exhibitor(db, make_producer, make_user, make_product):
    """A producer organisation with one exhibitor account and one certified product."""

    def build(**user_fields):
        organisation = make_producer()
        user = make_user(role="exhibitor", organisation=organisation, **user_fields)
        product = make_product(organisation)
        return user, product

    return build


@pytest.fixture()
def make_buyer_user(db, make_buyer, make_user):
    """A buyer organisation with one buyer account and one demand line."""

    def build():
        organisation = make_buyer()
        user = make_user(role="buyer", organisation=organisation)
        line = catalog.save_demand_line(
            user, organisation, category="tea", monthly_volume=200, unit="kg", min_stars=3
        )
        return user, line

    return build


def mails(kind=None, to=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.kind == kind)
    if to:
        query = query.where(OutboxMessage.to_address == to)
    return list(_db.session.scalars(query))


def registration_count(db):
    return db.session.scalar(select(func.count()).select_from(Registration))


def apply(user, event, product, **kwargs):
    return reg.apply_as_exhibitor(user, event, [product.id], now=NOW, **kwargs)


# ---------------------------------------------------------------- applying


def test_an_exhibitor_applies_with_a_certified_product_and_is_told_it_was_received(
    db, make_event, make_exhibitor
):
    event = make_event()
    user, product = make_exhibitor()

    registration = reg.apply_as_exhibitor(user, event, [product.id], message="Gian hàng góc", now=NOW)

    assert registration.status == "pending"
    assert registration.role == "exhibitor"
    assert registration.message == "Gian hàng góc"
    assert [row.product_id for row in registration.product_rows] == [product.id]
    [mail] = mails("registration_received")
    assert mail.to_address == user.email
    assert mail.user_id == user.id
    assert event.name_vi in mail.subject


def test_a_product_with_an_expired_certificate_is_refused_with_its_name_and_expiry(
    db, make_event, make_exhibitor, make_product
):
    event = make_event()
    user, _ = make_exhibitor()
    expired = make_product(
        user.organisation,
        name_vi="Mật ong rừng Ba Chẽ",
        name_en="Ba Che wild honey",
        certificate_date=clock.today() - timedelta(days=1200),
        certificate_expiry=clock.today() - timedelta(days=5),
    )

    with pytest.raises(ServiceError) as refused:
        apply(user, event, expired)

    message = str(refused.value.message)
    assert "Ba Che wild honey" in message  # in the requester's language
    expiry = expired.certificate_expiry  # as an English reader writes dates, not day/month/year
    assert f"{expiry:%b} {expiry.day}, {expiry.year}" in message
    assert expiry.strftime("%d/%m/%Y") not in message
    assert refused.value.field == "products"
    assert registration_count(db) == 0
    assert mails() == []


def test_a_certificate_that_expires_before_the_events_last_day_is_refused(
    db, make_event, make_exhibitor, make_product
):
    event = make_event()
    user, _ = make_exhibitor()
    last_day = reg.event_last_day(event)
    short = make_product(user.organisation, certificate_expiry=last_day - timedelta(days=1))

    with pytest.raises(ServiceError, match="before the event's last day"):
        apply(user, event, short)


def test_the_events_last_day_is_counted_in_its_own_time_zone(db, make_event, make_exhibitor, make_product):
    """The fair ends at 01:00 in Hanoi on the 14th, which is still the 13th in UTC."""
    event = make_event(
        starts_at=datetime(2030, 5, 10, 1, 0, tzinfo=UTC),
        ends_at=datetime(2030, 5, 13, 18, 0, tzinfo=UTC),
    )
    assert reg.event_last_day(event) == date(2030, 5, 14)
    user, _ = make_exhibitor()
    on_13th = make_product(user.organisation, certificate_expiry=date(2030, 5, 13))
    on_14th = make_product(user.organisation, certificate_expiry=date(2030, 5, 14))

    with pytest.raises(ServiceError):
        reg.apply_as_exhibitor(user, event, [on_14th.id, on_13th.id], now=NOW)
    registration = reg.apply_as_exhibitor(user, event, [on_14th.id], now=NOW)
    assert registration.status == "pending"


def test_an_event_ending_at_midnight_ends_the_day_before(db, make_event):
    event = make_event(
        starts_at=datetime(2030, 5, 10, 1, 0, tzinfo=UTC),
        ends_at=datetime(2030, 5, 13, 17, 0, tzinfo=UTC),  # 00:00 on the 14th in Hanoi
    )
    assert reg.event_last_day(event) == date(2030, 5, 13)


def test_a_product_below_three_stars_is_refused(db, make_event, make_exhibitor, make_product):
    event = make_event()
    user, _ = make_exhibitor()
    two_stars = make_product(user.organisation, stars=2)

    with pytest.raises(ServiceError, match="2 stars"):
        apply(user, event, two_stars)


def test_an_exhibitor_must_choose_at_least_one_of_its_own_products(db, make_event, make_exhibitor):
    event = make_event()
    user, _ = make_exhibitor()
    _, someone_elses = make_exhibitor()

    with pytest.raises(ServiceError) as none_chosen:
        reg.apply_as_exhibitor(user, event, [], now=NOW)
    assert none_chosen.value.field == "products"
    with pytest.raises(ServiceError, match="own products"):
        apply(user, event, someone_elses)
    with pytest.raises(ServiceError, match="own products"):
        reg.apply_as_exhibitor(user, event, [987654], now=NOW)
    assert registration_count(db) == 0


def test_the_product_choices_say_why_a_product_cannot_be_chosen(db, make_event, make_exhibitor, make_product):
    event = make_event()
    user, good = make_exhibitor()
    bad = make_product(user.organisation, stars=2)

    choices = dict(reg.product_choices(user.organisation, event))

    assert choices[good] is None
    assert "2 stars" in str(choices[bad])


@pytest.mark.parametrize(
    "moment",
    [NOW - timedelta(days=2), NOW + timedelta(days=30), NOW + timedelta(days=31)],
    ids=["before-the-window", "when-it-closes", "after-the-window"],
)
def test_nobody_applies_outside_the_registration_window(db, make_event, make_exhibitor, moment):
    event = make_event()
    user, product = make_exhibitor()

    with pytest.raises(ServiceError, match="not open"):
        reg.apply_as_exhibitor(user, event, [product.id], now=moment)
    assert registration_count(db) == 0


def test_nobody_applies_to_an_event_whose_registration_is_not_open(db, make_event, make_exhibitor):
    draft = make_event(open_now=False)
    user, product = make_exhibitor()

    with pytest.raises(ServiceError, match="not open"):
        apply(user, draft, product)


def test_each_role_has_its_own_window(db, make_event, make_exhibitor, make_buyer_user):
    event = make_event(
        buyer_registration_opens_at=NOW + timedelta(days=10),
        buyer_registration_closes_at=NOW + timedelta(days=20),
    )
    exhibitor, product = make_exhibitor()
    buyer, line = make_buyer_user()

    apply(exhibitor, event, product)
    with pytest.raises(ServiceError, match="buyers is not open"):
        reg.register_as_buyer(buyer, event, [line.id], now=NOW)
    assert reg.register_as_buyer(buyer, event, [line.id], now=NOW + timedelta(days=11)).status == "pending"


def test_only_an_exhibitor_of_a_producer_applies_as_exhibitor(
    db, make_event, make_user, make_buyer_user, organiser
):
    event = make_event()
    buyer, _ = make_buyer_user()
    lone = make_user(role="exhibitor")  # no organisation yet

    for actor in (buyer, lone, organiser):
        with pytest.raises(PermissionDenied):
            reg.apply_as_exhibitor(actor, event, [1], now=NOW)


# ---------------------------------------------------------------- twice


def test_nobody_registers_twice_for_the_same_event_and_role(db, make_event, make_exhibitor, make_user):
    event = make_event()
    user, product = make_exhibitor()
    colleague = make_user(role="exhibitor", organisation=user.organisation)
    apply(user, event, product)

    with pytest.raises(ServiceError, match="already applied"):
        apply(colleague, event, product)
    assert registration_count(db) == 1


def test_the_database_refuses_a_second_registration_for_the_same_event_and_role(
    db, make_event, make_exhibitor
):
    event = make_event()
    user, product = make_exhibitor()
    first = apply(user, event, product)

    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Registration(event_id=event.id, organisation_id=first.organisation_id, role="exhibitor")
        )
        db.session.flush()

    # The same organisation may still be the other role of the same event.
    db.session.add(Registration(event_id=event.id, organisation_id=first.organisation_id, role="buyer"))
    db.session.flush()


def test_a_registration_racing_past_the_check_is_refused_and_the_transaction_survives(
    db, make_event, make_exhibitor, make_user, monkeypatch
):
    """Two requests both pass the 'already registered?' check; the constraint stops the second."""
    event = make_event()
    user, product = make_exhibitor()
    colleague = make_user(role="exhibitor", organisation=user.organisation)
    first = apply(user, event, product)
    monkeypatch.setattr(reg, "_existing", lambda *args: None)

    with pytest.raises(ServiceError, match="already applied"):
        apply(colleague, event, product)

    # The savepoint was rolled back, not the outer transaction: the first application is there.
    assert db.session.scalars(select(Registration)).all() == [first]
    assert first.status == "pending"
    # One "received" mail to each of the two users, from the first application only.
    assert len(mails("registration_received")) == 2


def test_applying_never_commits_the_callers_rollback_undoes_it(db, make_event, make_exhibitor):
    """Even on SQLite, where a SAVEPOINT opened before any write would commit on release."""
    event = make_event()
    user, product = make_exhibitor()
    db.session.commit()

    apply(user, event, product)
    db.session.rollback()

    assert registration_count(db) == 0
    assert mails() == []


def test_a_withdrawn_organisation_may_apply_again(db, make_event, make_exhibitor, make_product):
    event = make_event()
    user, product = make_exhibitor()
    other_product = make_product(user.organisation)
    first = apply(user, event, product)
    reg.withdraw(user, first, now=NOW)

    again = reg.apply_as_exhibitor(user, event, [product.id, other_product.id], now=NOW)

    assert again.id == first.id
    assert again.status == "pending"
    assert again.decided_at is None
    assert sorted(row.product_id for row in again.product_rows) == sorted([product.id, other_product.id])


# ---------------------------------------------------------------- capacity and waiting list


def test_once_capacity_is_reached_new_applications_go_to_the_waiting_list(
    db, make_event, make_exhibitor, organiser
):
    event = make_event(exhibitor_capacity=1)
    (first_user, first_product), (late_user, late_product) = make_exhibitor(), make_exhibitor()
    first = apply(first_user, event, first_product)
    reg.approve(organiser, first, now=NOW)

    late = apply(late_user, event, late_product)

    assert late.status == "waitlisted"
    assert late.waitlisted_at == NOW
    [mail] = mails("registration_waitlisted")
    assert mail.to_address == late_user.email


def test_approving_beyond_capacity_is_refused(db, make_event, make_exhibitor, organiser):
    event = make_event(exhibitor_capacity=1)
    a, b = (apply(u, event, p) for u, p in (make_exhibitor(), make_exhibitor()))
    reg.approve(organiser, a, now=NOW)

    with pytest.raises(ServiceError, match=r"Capacity reached: 1 approved of 1\."):
        reg.approve(organiser, b, now=NOW)
    assert b.status == "pending"


def test_an_approval_is_mailed_to_every_user_of_the_organisation(
    db, make_event, make_exhibitor, make_user, organiser
):
    event = make_event()
    user, product = make_exhibitor()
    colleague = make_user(role="exhibitor", organisation=user.organisation)
    registration = apply(user, event, product)

    reg.approve(organiser, registration, now=NOW)

    assert registration.status == "approved"
    assert registration.decided_by_id == organiser.id
    assert {m.to_address for m in mails("registration_approved")} == {user.email, colleague.email}


def test_withdrawing_an_approved_place_moves_the_oldest_waitlisted_up_and_tells_it(
    db, make_event, make_exhibitor, organiser
):
    event = make_event(exhibitor_capacity=1)
    users = [make_exhibitor() for _ in range(3)]
    approved = apply(users[0][0], event, users[0][1])
    reg.approve(organiser, approved, now=NOW)
    oldest = reg.apply_as_exhibitor(users[1][0], event, [users[1][1].id], now=NOW)
    newer = reg.apply_as_exhibitor(users[2][0], event, [users[2][1].id], now=NOW + timedelta(hours=1))
    assert (oldest.status, newer.status) == ("waitlisted", "waitlisted")

    reg.withdraw(users[0][0], approved, now=NOW + timedelta(hours=2))

    assert approved.status == "withdrawn"
    assert oldest.status == "approved"
    assert oldest.decided_by_id is None
    assert newer.status == "waitlisted"
    [mail] = mails("registration_promoted")
    assert mail.to_address == users[1][0].email
    assert event.name_vi in mail.body


def test_withdrawing_a_pending_application_frees_no_approved_place(db, make_event, make_exhibitor, organiser):
    event = make_event(exhibitor_capacity=1)
    (u1, p1), (u2, p2), (u3, p3) = make_exhibitor(), make_exhibitor(), make_exhibitor()
    first, pending = apply(u1, event, p1), apply(u2, event, p2)
    reg.approve(organiser, first, now=NOW)
    waiting = apply(u3, event, p3)

    reg.withdraw(u2, pending, now=NOW)

    assert pending.status == "withdrawn"
    assert waiting.status == "waitlisted"
    assert mails("registration_promoted") == []


def test_only_the_registrant_withdraws_and_only_an_active_registration(
    db, make_event, make_exhibitor, organiser
):
    event = make_event()
    (user, product), (stranger, _) = make_exhibitor(), make_exhibitor()
    registration = apply(user, event, product)

    with pytest.raises(PermissionDenied):
        reg.withdraw(stranger, registration)
    with pytest.raises(PermissionDenied):
        reg.withdraw(organiser, registration)
    reg.withdraw(user, registration)
    with pytest.raises(ServiceError, match="not active"):
        reg.withdraw(user, registration)


# ---------------------------------------------------------------- rejecting


def test_a_rejection_needs_a_reason_and_the_mail_carries_it(db, make_event, make_exhibitor, organiser):
    event = make_event()
    user, product = make_exhibitor()
    registration = apply(user, event, product)

    for blank in ("", "   ", None):
        with pytest.raises(ServiceError) as refused:
            reg.reject(organiser, registration, blank)
        assert refused.value.field == "reason"
    assert registration.status == "pending"

    reg.reject(organiser, registration, "Sản phẩm trùng với gian hàng khác")

    assert registration.status == "rejected"
    assert registration.reason == "Sản phẩm trùng với gian hàng khác"
    [mail] = mails("registration_rejected")
    assert mail.to_address == user.email
    assert "Sản phẩm trùng với gian hàng khác" in mail.body


def test_rejecting_an_approved_registration_moves_the_waiting_list_up(
    db, make_event, make_exhibitor, organiser
):
    event = make_event(exhibitor_capacity=1)
    (u1, p1), (u2, p2) = make_exhibitor(), make_exhibitor()
    first = apply(u1, event, p1)
    reg.approve(organiser, first, now=NOW)
    waiting = apply(u2, event, p2)

    reg.reject(organiser, first, "Hồ sơ không đầy đủ", now=NOW)

    assert waiting.status == "approved"


def test_a_decided_registration_cannot_be_approved_again(db, make_event, make_exhibitor, organiser):
    event = make_event()
    user, product = make_exhibitor()
    registration = apply(user, event, product)
    reg.reject(organiser, registration, "Không phù hợp")

    with pytest.raises(ServiceError, match="pending or waitlisted"):
        reg.approve(organiser, registration)


# ---------------------------------------------------------------- who may decide


def test_an_exhibitor_cannot_approve(db, make_event, make_exhibitor):
    event = make_event()
    user, product = make_exhibitor()
    registration = apply(user, event, product)

    with pytest.raises(PermissionDenied):
        reg.approve(user, registration)
    with pytest.raises(PermissionDenied):
        reg.reject(user, registration, "tự từ chối")
    assert registration.status == "pending"


def test_an_organiser_of_another_event_cannot_approve(db, make_event, make_exhibitor, make_user):
    event = make_event()
    other_organiser = make_user(role="organiser")
    make_event(organiser=other_organiser)
    user, product = make_exhibitor()
    registration = apply(user, event, product)

    with pytest.raises(PermissionDenied):
        reg.approve(other_organiser, registration)
    with pytest.raises(PermissionDenied):
        reg.approve_many(other_organiser, [registration])
    with pytest.raises(PermissionDenied):
        reg.registrations_for(other_organiser, event)
    assert registration.status == "pending"
    assert mails("registration_approved") == []


def test_an_admin_may_decide(db, make_event, make_exhibitor, make_user):
    event = make_event()
    user, product = make_exhibitor()
    registration = apply(user, event, product)

    reg.approve(make_user(role="admin"), registration)

    assert registration.status == "approved"


# ---------------------------------------------------------------- bulk


def test_bulk_approval_stops_at_capacity_and_reports_the_rest(db, make_event, make_exhibitor, organiser):
    event = make_event(exhibitor_capacity=2)
    registrations = [apply(u, event, p) for u, p in (make_exhibitor() for _ in range(4))]

    result = reg.approve_many(organiser, registrations, now=NOW)

    assert result.succeeded == registrations[:2]
    assert [r for r, _ in result.failed] == registrations[2:]
    assert all(str(why) == "Capacity reached: 2 approved of 2." for _, why in result.failed)
    assert [r.status for r in registrations] == ["approved", "approved", "pending", "pending"]
    assert len(mails("registration_approved")) == 2


def test_bulk_approval_reports_a_registration_already_decided(db, make_event, make_exhibitor, organiser):
    event = make_event()
    (u1, p1), (u2, p2) = make_exhibitor(), make_exhibitor()
    rejected, fine = apply(u1, event, p1), apply(u2, event, p2)
    reg.reject(organiser, rejected, "Thiếu giấy tờ")

    result = reg.approve_many(organiser, [rejected, fine])

    assert result.succeeded == [fine]
    assert [(r, str(why)) for r, why in result.failed] == [
        (rejected, "Only a pending or waitlisted registration can be approved.")
    ]


def test_bulk_rejection_needs_a_reason_and_rejects_each(db, make_event, make_exhibitor, organiser):
    event = make_event()
    registrations = [apply(u, event, p) for u, p in (make_exhibitor() for _ in range(3))]

    with pytest.raises(ServiceError):
        reg.reject_many(organiser, registrations, " ")
    result = reg.reject_many(organiser, registrations, "Hết chỗ trong khu trưng bày")

    assert result.succeeded == registrations
    assert result.failed == []
    assert len(mails("registration_rejected")) == 3


# ---------------------------------------------------------------- buyers and who sees what


def test_a_buyer_registers_with_its_own_demand_lines(db, make_event, make_buyer_user):
    event = make_event()
    (buyer, line), (_, other_line) = make_buyer_user(), make_buyer_user()

    with pytest.raises(ServiceError) as none_chosen:
        reg.register_as_buyer(buyer, event, [], now=NOW)
    assert none_chosen.value.field == "demand_lines"
    with pytest.raises(ServiceError, match="own demand lines"):
        reg.register_as_buyer(buyer, event, [other_line.id], now=NOW)

    registration = reg.register_as_buyer(buyer, event, [line.id], now=NOW)

    assert (registration.role, registration.status) == ("buyer", "pending")
    assert [row.demand_line_id for row in registration.demand_rows] == [line.id]
    with pytest.raises(ServiceError, match="already registered as a buyer"):
        reg.register_as_buyer(buyer, event, [line.id], now=NOW)


def test_buyer_capacity_is_separate_from_exhibitor_capacity(
    db, make_event, make_exhibitor, make_buyer_user, organiser
):
    event = make_event(exhibitor_capacity=1, buyer_capacity=1)
    user, product = make_exhibitor()
    reg.approve(organiser, apply(user, event, product))
    buyer, line = make_buyer_user()

    assert reg.register_as_buyer(buyer, event, [line.id], now=NOW).status == "pending"


def test_a_buyer_sees_only_its_own_registrations(db, make_event, make_exhibitor, make_buyer_user, organiser):
    first, second = make_event(), make_event()
    (buyer, line), (other_buyer, other_line) = make_buyer_user(), make_buyer_user()
    user, product = make_exhibitor()
    mine = [reg.register_as_buyer(buyer, event, [line.id], now=NOW) for event in (first, second)]
    reg.register_as_buyer(other_buyer, first, [other_line.id], now=NOW)
    apply(user, first, product)

    assert set(reg.my_registrations(buyer)) == set(mine)
    assert all(reg.can_see(buyer, r) for r in mine)
    theirs = reg.own_registration(other_buyer, first, "buyer")
    assert not reg.can_see(buyer, theirs)
    with pytest.raises(PermissionDenied):
        reg.registrations_for(buyer, first)
    assert len(reg.registrations_for(organiser, first)) == 3
    assert [r.role for r in reg.registrations_for(organiser, first, role="exhibitor")] == ["exhibitor"]


# ---------------------------------------------------------------- language of the mails


def test_each_recipient_gets_the_mail_in_their_language(db, make_event, make_exhibitor, make_user):
    event = make_event()
    user, product = make_exhibitor(locale="en")
    vietnamese = make_user(role="exhibitor", organisation=user.organisation)  # no locale: Vietnamese

    apply(user, event, product)

    by_address = {m.to_address: m for m in mails("registration_received")}
    assert by_address[user.email].subject == f"Registration received: {event.name_en}"
    assert event.name_vi in by_address[vietnamese.email].subject
    assert event.name_en not in by_address[vietnamese.email].subject
