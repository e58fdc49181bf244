"""Registrations: exhibitors apply with products, buyers with demand; organisers decide.

Capacity counts approved registrations only. While approved < capacity a new
application waits as "pending" for the organiser; once approved == capacity it goes
to the waiting list ("waitlisted", ordered by `waitlisted_at`). When an approved
registration is withdrawn (or rejected) the oldest waitlisted one of the same role
moves up to "approved" by itself.

Every decision that counts approved registrations first takes a row lock on the
event (SELECT ... FOR NO KEY UPDATE on PostgreSQL; SQLite serialises writers), so two
organisers approving the last place at the same moment can't both succeed.

Functions change objects, queue mails in the outbox and flush; the caller commits once.

Other modules react through signals (app/signals.py), sent with the Registration as sender
and whatever its role: `registration_approved` when a registration becomes approved (by an
organiser or moved up from the waiting list), `registration_withdrawn` and
`registration_rejected` when it leaves. Booths, for one, opens and frees booths on them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask import has_request_context
from flask_babel import force_locale, format_date, get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, selectinload

from app import i18n, signals
from app.accounts.models import User
from app.catalog.models import DemandLine, Organisation, Product
from app.data.provinces import equivalent_codes
from app.data.vocab import CERTIFIED_MIN_STARS
from app.database import savepoint, utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import (
    UNDECIDABLE_EVENT_STATES,
    Event,
    Registration,
    RegistrationDemand,
    RegistrationProduct,
)
from app.events.services import approved_count, can_manage, ensure_can_manage, registration_is_open, to_local
from app.extensions import db
from app.inputs import parse_id
from app.notifications.services import queue_mail
from app.paging import counted_page, rows_and_total

ACTIVE_STATUSES = ("pending", "approved", "waitlisted")
DECIDABLE_STATUSES = ("pending", "waitlisted")
# Which organisation role and which user role may register in each event role.
REGISTRANTS = {"exhibitor": ("producer", "exhibitor"), "buyer": ("buyer", "buyer")}


@dataclass
class BulkResult:
    """What a bulk decision did: the registrations changed, and the others with why."""

    succeeded: list[Registration] = field(default_factory=list)
    # (registration, why): `why` is the ServiceError's message, a lazy string shown in the reader's language
    failed: list[tuple[Registration, object]] = field(default_factory=list)


# ---------------------------------------------------------------- helpers


def event_last_day(event: Event) -> date:
    """The event's last calendar day in its own time zone (an end at midnight belongs to the day before)."""
    return to_local(event, event.ends_at - timedelta(microseconds=1)).date()


def _current_locale() -> str:
    # Outside a request (a scheduled job, a command) there is no visitor whose language to use.
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else "vi"


def _day(value: date) -> str:
    """A date in the reader's language ("23 thg 12, 2026", "Dec 23, 2026", "23 déc. 2026")."""
    return i18n.day_text(value)


def _lock_event(event: Event, role: str) -> int:
    """Serialise capacity decisions on one event until the transaction ends; return the capacity.

    FOR NO KEY UPDATE (key_share=True) rather than FOR UPDATE: it still excludes a second decision on the
    same event, but doesn't block inserting registrations, whose foreign key check takes
    a KEY SHARE lock on the event row. The capacity is read under the lock, so a change
    committed meanwhile is seen. SQLite has no row locks; it serialises writers instead.
    """
    column = getattr(Event, f"{role}_capacity")
    capacity = db.session.scalar(select(column).where(Event.id == event.id).with_for_update(key_share=True))
    return capacity or 0


def _existing(event: Event, organisation_id: int, role: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.organisation_id == organisation_id,
            Registration.role == role,
        )
    )


def _registrant_organisation(actor, role: str) -> Organisation:
    """The actor's organisation, if the actor may register it in `role`; otherwise PermissionDenied."""
    organisation_role, user_role = REGISTRANTS[role]
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.role != user_role:
        raise PermissionDenied
    organisation = db.session.get(Organisation, actor.organisation_id) if actor.organisation_id else None
    if organisation is None or organisation.role != organisation_role:
        raise PermissionDenied
    return organisation


def _ids(values: Iterable) -> list[int]:
    ids: list[int] = []
    for value in values or ():
        number = parse_id(value)
        if number is None:
            continue
        if number not in ids:
            ids.append(number)
    return ids


def _already_registered(role: str) -> ServiceError:
    if role == "exhibitor":
        return ServiceError(_l("Your organisation has already applied to exhibit at this event."))
    return ServiceError(_l("Your organisation is already registered as a buyer for this event."))


def _not_open(role: str) -> ServiceError:
    if role == "exhibitor":
        return ServiceError(_l("Registration for exhibitors is not open."))
    return ServiceError(_l("Registration for buyers is not open."))


def _clean_text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


# ---------------------------------------------------------------- mail


def _recipients(organisation_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation_id, User.is_active_account.is_(True))
            .order_by(User.id)
        )
    )


def _mail_text(kind: str, registration: Registration, locale: str) -> tuple[str, str]:
    """Subject and body of a registration mail, in `locale` (call inside force_locale)."""
    event = registration.event
    name = event.name_in(locale)
    values = {
        "event": name,
        "organisation": registration.organisation.name,
        "start": format_date(to_local(event, event.starts_at).date(), "long"),
        "end": format_date(event_last_day(event), "long"),
    }
    if kind == "registration_received":
        subject = gettext("Registration received: %(event)s", event=name)
        if registration.role == "exhibitor":
            body = gettext(
                "We have received the application of %(organisation)s to exhibit at %(event)s "
                "(%(start)s – %(end)s). The organiser will review it and you will hear from us.",
                **values,
            )
        else:
            body = gettext(
                "We have received the registration of %(organisation)s as a buyer at %(event)s "
                "(%(start)s – %(end)s). The organiser will review it and you will hear from us.",
                **values,
            )
    elif kind == "registration_waitlisted":
        subject = gettext("Waiting list: %(event)s", event=name)
        body = gettext(
            "%(event)s is full for now, so the registration of %(organisation)s is on the waiting "
            "list. If a place becomes free it moves up by itself and we will tell you.",
            **values,
        )
    elif kind == "registration_approved":
        subject = gettext("Registration approved: %(event)s", event=name)
        body = gettext(
            "The registration of %(organisation)s for %(event)s (%(start)s – %(end)s) is approved.",
            **values,
        )
    elif kind == "registration_promoted":
        subject = gettext("A place is free: %(event)s", event=name)
        body = gettext(
            "A place has become free at %(event)s (%(start)s – %(end)s): the registration of "
            "%(organisation)s has moved up from the waiting list and is approved.",
            **values,
        )
    elif kind == "registration_rejected":
        subject = gettext("Registration not accepted: %(event)s", event=name)
        body = gettext(
            "The registration of %(organisation)s for %(event)s was not accepted. "
            "The organiser's reason: %(reason)s",
            reason=registration.reason or "",
            **values,
        )
    else:  # pragma: no cover - a programming error
        raise ValueError(kind)
    return subject, body


def _notify(registration: Registration, kind: str) -> None:
    """Queue `kind` to every active user of the registrant organisation, each in their language."""
    for user in _recipients(registration.organisation_id):
        locale = user.locale or "vi"
        with force_locale(locale):
            subject, body = _mail_text(kind, registration, locale)
        queue_mail(to_address=user.email, subject=subject, body=body, kind=kind, user_id=user.id)


# ---------------------------------------------------------------- applying


def product_problem(product: Product, event: Event, locale: str | None = None):
    """Why `product` can't be shown at `event` (certificate not valid through its last day), or None."""
    locale = locale or _current_locale()
    if product.stars < CERTIFIED_MIN_STARS:
        return _l(
            "“%(product)s” has %(stars)d stars; only products with %(min)d stars or more can be shown.",
            product=product.name_in(locale),
            stars=product.stars,
            min=CERTIFIED_MIN_STARS,
        )
    if product.certificate_status == "rejected":
        return _l(
            "The OCOP certificate of “%(product)s” was rejected: %(reason)s",
            product=product.name_in(locale),
            reason=product.certificate_rejection_reason or "",
        )
    if product.certificate_status != "verified":
        return _l(
            "The OCOP certificate of “%(product)s” has not been verified by an organiser yet.",
            product=product.name_in(locale),
        )
    last_day = event_last_day(event)
    if product.certificate_expiry < last_day:
        return _l(
            "The OCOP certificate of “%(product)s” expires on %(expiry)s, "
            "before the event's last day (%(last_day)s).",
            product=product.name_in(locale),
            expiry=_day(product.certificate_expiry),
            last_day=_day(last_day),
        )
    return None


def product_choices(organisation: Organisation, event: Event) -> list[tuple[Product, str | None]]:
    """The organisation's products, each with why it can't be chosen for `event` (None when it can)."""
    products = db.session.scalars(
        select(Product).where(Product.organisation_id == organisation.id).order_by(Product.name_vi)
    )
    return [(product, product_problem(product, event)) for product in products]


def _place(registration: Registration, event: Event, role: str, now: datetime) -> None:
    """Pending while there is room among the approved, otherwise on the waiting list."""
    if approved_count(event, role) >= (getattr(event, f"{role}_capacity") or 0):
        registration.status = "waitlisted"
        registration.waitlisted_at = now
    else:
        registration.status = "pending"
        registration.waitlisted_at = None


def _register(
    actor,
    event: Event,
    role: str,
    organisation: Organisation,
    *,
    products: Sequence[Product] = (),
    demand_lines: Sequence[DemandLine] = (),
    message: str | None,
    now: datetime,
) -> Registration:
    existing = _existing(event, organisation.id, role)
    if existing is not None and existing.status != "withdrawn":
        raise _already_registered(role)
    if existing is not None:
        # A withdrawn registration may apply again: the row (unique per event, organisation
        # and role) is reused with the new choices.
        registration = existing
        registration.reason = None
        registration.decided_at = None
        registration.decided_by_id = None
        registration.created_at = now
    else:
        registration = Registration(event_id=event.id, organisation_id=organisation.id, role=role)
    registration.message = _clean_text(message)
    registration.product_rows = [RegistrationProduct(product_id=p.id) for p in products]
    registration.demand_rows = [RegistrationDemand(demand_line_id=d.id) for d in demand_lines]
    _place(registration, event, role, now)
    # A SAVEPOINT: if a concurrent request inserted the same registration after the check
    # above, the unique constraint refuses this one and only the savepoint is rolled back,
    # not the caller's transaction.
    try:
        with savepoint(db.session):
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:
        raise _already_registered(role) from None
    signals.registration_created.send(registration)
    waitlisted = registration.status == "waitlisted"
    _notify(registration, "registration_waitlisted" if waitlisted else "registration_received")
    db.session.flush()
    return registration


def apply_as_exhibitor(
    actor, event: Event, product_ids: Iterable, message: str | None = None, now: datetime | None = None
) -> Registration:
    """An exhibitor applies with its products; each certificate must be valid through the event."""
    now = now or utcnow()
    organisation = _registrant_organisation(actor, "exhibitor")
    if not registration_is_open(event, "exhibitor", now):
        raise _not_open("exhibitor")
    existing = _existing(event, organisation.id, "exhibitor")
    if existing is not None and existing.status != "withdrawn":
        raise _already_registered("exhibitor")
    ids = _ids(product_ids)
    if not ids:
        raise ServiceError(_l("Choose at least one product."), "products")
    products = list(db.session.scalars(select(Product).where(Product.id.in_(ids))))
    if len(products) != len(ids) or any(p.organisation_id != organisation.id for p in products):
        raise ServiceError(_l("Choose only your organisation's own products."), "products")
    products.sort(key=lambda p: ids.index(p.id))
    for product in products:
        problem = product_problem(product, event)
        if problem:
            raise ServiceError(problem, "products")
    return _register(actor, event, "exhibitor", organisation, products=products, message=message, now=now)


def register_as_buyer(
    actor, event: Event, demand_line_ids: Iterable, message: str | None = None, now: datetime | None = None
) -> Registration:
    """A buyer registers with the demand lines it brings to the event."""
    now = now or utcnow()
    organisation = _registrant_organisation(actor, "buyer")
    if not registration_is_open(event, "buyer", now):
        raise _not_open("buyer")
    existing = _existing(event, organisation.id, "buyer")
    if existing is not None and existing.status != "withdrawn":
        raise _already_registered("buyer")
    ids = _ids(demand_line_ids)
    if not ids:
        raise ServiceError(_l("Choose at least one demand line."), "demand_lines")
    lines = list(db.session.scalars(select(DemandLine).where(DemandLine.id.in_(ids))))
    if len(lines) != len(ids) or any(line.organisation_id != organisation.id for line in lines):
        raise ServiceError(_l("Choose only your organisation's own demand lines."), "demand_lines")
    lines.sort(key=lambda line: ids.index(line.id))
    return _register(actor, event, "buyer", organisation, demand_lines=lines, message=message, now=now)


# ---------------------------------------------------------------- deciding


def _log(actor, registration: Registration, action: str, changes: dict) -> None:
    """Tell the event log (signals.organiser_action) what an organiser decided."""
    signals.organiser_action.send(
        actor,
        event_id=registration.event_id,
        action=action,
        subject=registration.organisation.name,
        changes={"role": registration.role} | changes,
    )


def _ensure_decidable(event: Event) -> None:
    if event.state in UNDECIDABLE_EVENT_STATES:
        raise ServiceError(_l("Registrations of this event can't be changed in its current state."))


def _approve_locked(actor, registration: Registration, capacity: int, now: datetime) -> None:
    """Approve with the event row already locked by this transaction."""
    event, role = registration.event, registration.role
    db.session.refresh(registration)  # another transaction may have decided it meanwhile
    if registration.status not in DECIDABLE_STATUSES:
        raise ServiceError(_l("Only a pending or waitlisted registration can be approved."))
    approved = approved_count(event, role)
    if approved >= capacity:
        raise ServiceError(
            _l(
                "Capacity reached: %(approved)d approved of %(capacity)d.",
                approved=approved,
                capacity=capacity,
            )
        )
    before = registration.status
    registration.status = "approved"
    registration.reason = None
    registration.decided_at = now
    registration.decided_by_id = actor.id if actor is not None else None
    db.session.flush()
    signals.registration_approved.send(registration)
    _log(actor, registration, "registration_approved", {"status": [before, "approved"]})
    _notify(registration, "registration_approved")


def approve(actor, registration: Registration, now: datetime | None = None) -> Registration:
    """An organiser approves a pending or waitlisted registration, if a place is left."""
    now = now or utcnow()
    event = registration.event
    ensure_can_manage(actor, event)
    _ensure_decidable(event)
    capacity = _lock_event(event, registration.role)
    _approve_locked(actor, registration, capacity, now)
    return registration


def register_walk_in(
    actor,
    event: Event,
    organisation: Organisation,
    role: str,
    *,
    demand_lines: Sequence[DemandLine] = (),
    now: datetime | None = None,
) -> Registration:
    """An organiser registers an organisation that turned up at the desk and approves it at once
    (whatever the registration windows say), within the event's capacity. The approval goes the
    usual way: signals (booths, webhooks, matching) and the event log hear of it."""
    now = now or utcnow()
    ensure_can_manage(actor, event)
    _ensure_decidable(event)
    if role not in REGISTRANTS or organisation.role != REGISTRANTS[role][0]:
        raise ServiceError(_l("A buyer registers as a buyer, a producer as an exhibitor."), "role")
    capacity = _lock_event(event, role)
    approved = approved_count(event, role)
    if approved >= capacity:  # the desk approves at once or not at all: no waiting list here
        raise ServiceError(
            _l(
                "Capacity reached: %(approved)d approved of %(capacity)d.",
                approved=approved,
                capacity=capacity,
            )
        )
    registration = _register(
        actor, event, role, organisation, demand_lines=demand_lines, message=None, now=now
    )
    _approve_locked(actor, registration, capacity, now)
    _log(actor, registration, "walk_in_registered", {"status": [None, "approved"]})
    return registration


def fill_from_waitlist(event: Event, role: str, now: datetime | None = None) -> list[Registration]:
    """Move the oldest waitlisted registrations of `role` up to approved while places are free.

    Called after an approved registration leaves; an organiser's page may call it after
    raising the capacity too. Takes the event lock itself.
    """
    now = now or utcnow()
    if event.state in UNDECIDABLE_EVENT_STATES:
        return []
    capacity = _lock_event(event, role)
    promoted: list[Registration] = []
    free = capacity - approved_count(event, role)
    if free <= 0:
        return promoted
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.role == role,
            Registration.status == "waitlisted",
        )
        .order_by(Registration.waitlisted_at, Registration.id)
        .limit(free)
    )
    for registration in waiting:
        registration.status = "approved"
        registration.decided_at = now
        registration.decided_by_id = None  # moved up by the system, not by a person
        promoted.append(registration)
    db.session.flush()
    for registration in promoted:
        signals.registration_approved.send(registration)
        _notify(registration, "registration_promoted")
    db.session.flush()
    return promoted


def reject(actor, registration: Registration, reason: str, now: datetime | None = None) -> Registration:
    """An organiser rejects a registration with a reason the registrant will read.

    Rejecting an approved registration frees its place for the waiting list.
    """
    now = now or utcnow()
    event = registration.event
    ensure_can_manage(actor, event)
    _ensure_decidable(event)
    reason = _clean_text(reason)
    if reason is None:
        raise ServiceError(_l("Give the reason for the rejection."), "reason")
    # The event lock first, like approve(), so the two never wait on each other in turn.
    _lock_event(event, registration.role)
    db.session.refresh(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise ServiceError(_l("Only a pending, waitlisted or approved registration can be rejected."))
    before = registration.status
    was_approved = before == "approved"
    registration.status = "rejected"
    _log(actor, registration, "registration_rejected", {"status": [before, "rejected"], "reason": reason})
    registration.reason = reason
    registration.waitlisted_at = None
    registration.decided_at = now
    registration.decided_by_id = actor.id
    db.session.flush()
    signals.registration_rejected.send(registration)
    _notify(registration, "registration_rejected")
    if was_approved:
        fill_from_waitlist(event, registration.role, now)
    db.session.flush()
    return registration


def _ensure_can_manage_all(actor, registrations: Sequence[Registration]) -> None:
    for event in {registration.event for registration in registrations}:
        ensure_can_manage(actor, event)


def approve_many(actor, registrations: Iterable[Registration], now: datetime | None = None) -> BulkResult:
    """Approve in the given order until a rule stops one; every refusal is reported with its reason.

    Permission is checked for all first: an actor who may not manage one of the events
    changes nothing (PermissionDenied).
    """
    now = now or utcnow()
    registrations = list(registrations)
    _ensure_can_manage_all(actor, registrations)
    result = BulkResult()
    for registration in registrations:
        try:
            approve(actor, registration, now)
        except ServiceError as error:
            result.failed.append((registration, error.message))
        else:
            result.succeeded.append(registration)
    return result


def reject_many(
    actor, registrations: Iterable[Registration], reason: str, now: datetime | None = None
) -> BulkResult:
    """Reject each with the same reason; refusals are reported, not raised."""
    now = now or utcnow()
    registrations = list(registrations)
    _ensure_can_manage_all(actor, registrations)
    if _clean_text(reason) is None:
        raise ServiceError(_l("Give the reason for the rejection."), "reason")
    result = BulkResult()
    for registration in registrations:
        try:
            reject(actor, registration, reason, now)
        except ServiceError as error:
            result.failed.append((registration, error.message))
        else:
            result.succeeded.append(registration)
    return result


# ---------------------------------------------------------------- withdrawing


def can_act_for(actor, registration: Registration) -> bool:
    """The registrant organisation's own users act for its registration: its exhibitors or buyers
    (an account made organiser keeps its organisation but no longer speaks for it)."""
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.role in ("exhibitor", "buyer")
        and actor.organisation_id is not None
        and actor.organisation_id == registration.organisation_id
    )


def withdraw(actor, registration: Registration, now: datetime | None = None) -> Registration:
    """The registrant withdraws; a freed approved place goes to the oldest on the waiting list."""
    now = now or utcnow()
    if not can_act_for(actor, registration):
        raise PermissionDenied
    event = registration.event
    if event.state in ("finished", "cancelled"):
        raise ServiceError(_l("Registrations of this event can't be changed in its current state."))
    _lock_event(event, registration.role)
    db.session.refresh(registration)
    if registration.status not in ACTIVE_STATUSES:
        raise ServiceError(_l("This registration is not active, so it can't be withdrawn."))
    was_approved = registration.status == "approved"
    registration.status = "withdrawn"
    signals.registration_withdrawn.send(registration)
    registration.waitlisted_at = None
    registration.decided_at = now
    registration.decided_by_id = actor.id
    db.session.flush()
    if was_approved:
        fill_from_waitlist(event, registration.role, now)
    return registration


# ---------------------------------------------------------------- reading


def can_see(actor, registration: Registration) -> bool:
    """Organisers of the event see every registration; a registrant sees only its own."""
    return can_manage(actor, registration.event) or can_act_for(actor, registration)


def registrations_for(
    actor, event: Event, role: str | None = None, status: str | None = None
) -> list[Registration]:
    """All registrations of an event, for its organisers: by role, then in order of application."""
    ensure_can_manage(actor, event)
    query = (
        select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.organisation))
        .order_by(Registration.role, Registration.created_at, Registration.id)
    )
    if role is not None:
        query = query.where(Registration.role == role)
    if status is not None:
        query = query.where(Registration.status == status)
    return list(db.session.scalars(query))


# How the organisers' registrations list may be sorted (?sort=<key>, "-<key>" for descending).
REGISTRATION_SORTS = ("date", "name", "status", "role")
# The order of statuses when sorting by status: what needs a decision first.
STATUS_ORDER = ("pending", "waitlisted", "approved", "rejected", "withdrawn")


def registrations_page(
    actor,
    event: Event,
    *,
    role: str | None = None,
    status: str | None = None,
    sort: str = "date",
    page: int = 1,
    per_page: int = 25,
    province: str | None = None,
    buyer_type: str | None = None,
    group: str | None = None,
    stars: int | None = None,
):
    """One page of the event's registrations for its organisers, with the total, sorted by
    `sort` (one of REGISTRATION_SORTS, "-" before it for descending; ties in order of
    application). Organisations, products and demand lines are loaded with the page: the
    number of statements does not grow with the rows.

    `province`: organisations of that current province (earlier codes folded in);
    `buyer_type`: organisations of that buyer type; `group` and `stars`: registrations that
    brought a product of that OCOP group (with those stars; either alone works too), as the
    event dashboard counts its exhibitors by group and stars."""
    ensure_can_manage(actor, event)
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in REGISTRATION_SORTS else "date"
    status_rank = case(
        {code: rank for rank, code in enumerate(STATUS_ORDER)}, value=Registration.status, else_=99
    )
    columns = {
        "date": [Registration.created_at],
        "name": [func.lower(Organisation.name)],
        "status": [status_rank],
        "role": [Registration.role],
    }[key]
    ordering = [column.desc() if descending else column.asc() for column in columns]
    tiebreak = (
        [Registration.created_at.desc(), Registration.id.desc()]
        if descending
        else [Registration.created_at, Registration.id]
    )
    query = (
        select(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id)
        .options(
            contains_eager(Registration.organisation),
            selectinload(Registration.product_rows).selectinload(RegistrationProduct.product),
            selectinload(Registration.demand_rows).selectinload(RegistrationDemand.demand_line),
        )
        .order_by(*ordering, *tiebreak)
    )
    if role is not None:
        query = query.where(Registration.role == role)
    if status is not None:
        query = query.where(Registration.status == status)
    if province is not None:  # a current province: organisations recorded under any of its earlier codes
        query = query.where(Organisation.province_code.in_(equivalent_codes(province)))
    if buyer_type is not None:
        query = query.where(Organisation.buyer_type == buyer_type)
    if group is not None or stars is not None:
        brought = (
            select(RegistrationProduct.registration_id)
            .join(Product, Product.id == RegistrationProduct.product_id)
            .where(RegistrationProduct.registration_id == Registration.id)
        )
        if group is not None:
            brought = brought.where(Product.ocop_group == group)
        if stars is not None:
            brought = brought.where(Product.stars == stars)
        query = query.where(brought.exists())
    rows, total = rows_and_total(query, page=page, per_page=per_page)
    return counted_page([row[0] for row in rows], total, page=page, per_page=per_page)


def approved_registrations(event: Event, role: str) -> list[Registration]:
    """The approved registrations of `role`, by organisation name, with what they bring (public)."""
    return list(
        db.session.scalars(
            select(Registration)
            .join(Organisation, Organisation.id == Registration.organisation_id)
            .where(
                Registration.event_id == event.id,
                Registration.role == role,
                Registration.status == "approved",
            )
            .options(
                selectinload(Registration.organisation),
                selectinload(Registration.product_rows).selectinload(RegistrationProduct.product),
                selectinload(Registration.demand_rows).selectinload(RegistrationDemand.demand_line),
            )
            .order_by(Organisation.name)
        )
    )


def my_registrations(actor) -> list[Registration]:
    """The registrations of the actor's own organisation, latest event first."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.organisation_id is None:
        return []
    return list(
        db.session.scalars(
            select(Registration)
            .join(Registration.event)
            .where(Registration.organisation_id == actor.organisation_id)
            .options(selectinload(Registration.event))
            .order_by(Event.starts_at.desc(), Registration.role)
        )
    )


def own_registration(actor, event: Event, role: str) -> Registration | None:
    """The actor's organisation's registration for `event` in `role`, if any."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.organisation_id is None:
        return None
    return _existing(event, actor.organisation_id, role)


def counts(event: Event) -> dict[str, dict[str, int]]:
    """How many registrations each role has in each status, for the organiser's page."""
    rows = db.session.execute(
        select(Registration.role, Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.role, Registration.status)
    )
    result: dict[str, dict[str, int]] = {"exhibitor": {}, "buyer": {}}
    for role, status, number in rows:
        result[role][status] = number
    return result
