"""Booking: exhibitors' booth requests, first-come picks, the one-click allocation, and hand edits.

No double booking, ever: the partial unique indexes on booth_assignments (one
active assignment per booth, one per registration) are the guarantee. A pick
checks first for a clear message, then inserts inside a SAVEPOINT; when a
concurrent transaction won the booth in between, the database refuses the
insert, only the savepoint rolls back, and the exhibitor reads "this booth was
just taken".

`allocate_all` takes the event row lock (the one registration decisions take),
so two organisers can't allocate the same event at once; the allocation itself
is `app.booths.allocation.engine` (pure), fed from the database here.

An exhibitor that withdraws or is rejected gives its booth back (`release_for`, on the
`registration_withdrawn` and `registration_rejected` signals).

Functions change objects, queue mails and flush; the caller commits once.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from flask import has_request_context
from flask_babel import force_locale, get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from app.accounts.models import User
from app.booths.allocation import engine
from app.booths.models import (
    Booth,
    BoothAssignment,
    BoothPreference,
    BoothProximity,
    BoothRequest,
    BoothType,
    ZoneRule,
    current_zone_tag,
)
from app.booths.plan.services import plan_settings
from app.catalog.models import Organisation, Product
from app.data.provinces import current_code, equivalent_codes
from app.database import savepoint, utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import FINAL_EVENT_STATES, Event, Hall, Registration
from app.events.services import can_manage, ensure_can_manage
from app.extensions import db
from app.inputs import parse_id
from app.names import name_in
from app.notifications.services import queue_mail
from app.signals import booth_assigned, organiser_action, registration_rejected, registration_withdrawn
from app.tasks import progress
from app.tasks import services as tasks

ACTIVE = ("allocated", "confirmed")
OPEN_REQUEST = ("pending", "unplaced")
MAX_PREFERENCES = 3
ASSIGNMENT_STATUS_LABELS = {
    "allocated": _l("Allocated"),
    "confirmed": _l("Confirmed"),
    "cancelled": _l("Cancelled"),
}
PAYMENT_LABELS = {"due": _l("Payment due"), "paid": _l("Paid"), "waived": _l("Waived")}
REQUEST_STATUS_LABELS = {
    "pending": _l("Waiting for allocation"),
    "allocated": _l("Booth allocated"),
    "unplaced": _l("Not placed"),
    "cancelled": _l("Cancelled"),
}


def taken_message():
    return _l("This booth was just taken by another exhibitor; please choose another.")


# ---------------------------------------------------------------- small helpers


def _locale() -> str:
    locale = get_locale() if has_request_context() else None
    return str(locale) if locale else "vi"


def type_name(booth_type: BoothType | None, locale: str | None = None) -> str:
    if booth_type is None:
        return ""
    return name_in(booth_type, locale or _locale())


def _lock_event(event: Event) -> None:
    """Serialise allocations of one event (FOR NO KEY UPDATE; SQLite serialises writers)."""
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update(key_share=True))


def _lock_registration(registration: Registration) -> None:
    db.session.execute(
        select(Registration.id).where(Registration.id == registration.id).with_for_update(key_share=True)
    )


def first_come_open(event: Event) -> bool:
    return bool(plan_settings(event).first_come_booking)


def weights_for(event: Event) -> engine.Weights:
    raw = plan_settings(event).weights_json
    try:
        values = json.loads(raw) if raw else None
    except ValueError:
        values = None
    return engine.Weights.from_mapping(values if isinstance(values, dict) else None)


def active_assignment_of(registration: Registration) -> BoothAssignment | None:
    return db.session.scalar(
        select(BoothAssignment).where(
            BoothAssignment.registration_id == registration.id, BoothAssignment.status.in_(ACTIVE)
        )
    )


def holder_of(booth: Booth) -> BoothAssignment | None:
    return db.session.scalar(
        select(BoothAssignment).where(
            BoothAssignment.booth_id == booth.id, BoothAssignment.status.in_(ACTIVE)
        )
    )


def open_request_of(registration: Registration) -> BoothRequest | None:
    """The registration's current request (not cancelled), latest first."""
    return db.session.scalar(
        select(BoothRequest)
        .where(BoothRequest.registration_id == registration.id, BoothRequest.status != "cancelled")
        .order_by(BoothRequest.id.desc())
        .limit(1)
    )


def _is_registrant(actor, registration: Registration) -> bool:
    return (
        actor is not None
        and getattr(actor, "is_authenticated", False)
        and actor.role == "exhibitor"
        and actor.organisation_id is not None
        and actor.organisation_id == registration.organisation_id
        and registration.role == "exhibitor"
    )


def _ensure_registrant(actor, registration: Registration) -> None:
    """Only the exhibitor organisation's own users act, and only for an approved registration."""
    if not _is_registrant(actor, registration):
        raise PermissionDenied
    if registration.status != "approved":
        raise ServiceError(_l("Only an approved exhibitor can book a booth."))
    if registration.event.state in FINAL_EVENT_STATES:
        raise ServiceError(_l("Booths of a finished or cancelled event can't be booked."))


def _log(actor, assignment: BoothAssignment, action: str, changes: dict) -> None:
    """Tell the event log (signals.organiser_action) what an organiser did to a booking."""
    organisation = assignment.registration.organisation.name
    booth = assignment.booth.code if assignment.booth is not None else ""
    organiser_action.send(
        actor,
        event_id=assignment.event_id,
        action=action,
        subject=f"{organisation} · {booth}" if booth else organisation,
        changes=changes,
    )


def _event_of(assignment: BoothAssignment) -> Event:
    return db.session.get(Event, assignment.event_id)


# ---------------------------------------------------------------- the exhibitor's profile and hard rules


@dataclass(frozen=True)
class Profile:
    """What the allocation needs to know about an exhibitor."""

    organisation_id: int
    province: str | None
    stars: int
    groups: frozenset[str]
    categories: frozenset[str]


def _products_of(registration: Registration) -> list[Product]:
    products = [row.product for row in registration.product_rows if row.product is not None]
    if not products:  # registered without product rows: its organisation's products stand in
        products = list(
            db.session.scalars(select(Product).where(Product.organisation_id == registration.organisation_id))
        )
    return products


def profile_of(registration: Registration) -> Profile:
    products = _products_of(registration)
    recorded_province = registration.organisation.province_code
    return Profile(
        organisation_id=registration.organisation_id,
        # Zone rules and pavilions name current provinces: Bắc Giang's producers are Bắc Ninh's.
        province=current_code(recorded_province) or recorded_province,
        stars=max((p.stars for p in products), default=0),
        groups=frozenset(p.ocop_group for p in products),
        categories=frozenset(p.category for p in products),
    )


def _rule_specs(event: Event) -> list[engine.ZoneRuleSpec]:
    rules = db.session.scalars(select(ZoneRule).where(ZoneRule.event_id == event.id))
    return [
        engine.ZoneRuleSpec(
            r.match_kind,
            (current_code(r.match_value) or r.match_value) if r.match_kind == "province" else r.match_value,
            current_zone_tag(r.zone),
        )
        for r in rules
    ]


def requirements_of(registration: Registration, event: Event | None = None) -> tuple[frozenset[str], ...]:
    """The zone tags the zone rules require of this exhibitor's booth (one clause per rule kind)."""
    event = event or registration.event
    profile = profile_of(registration)
    spec = engine.RequestSpec(
        id=0,
        org=profile.organisation_id,
        type_id=0,
        groups=profile.groups,
        categories=profile.categories,
        province=profile.province,
    )
    return engine.requirements(spec, _rule_specs(event))


def _zones_text(clauses: Sequence[frozenset[str]]) -> str:
    return " + ".join(" / ".join(f"“{z}”" for z in sorted(clause)) for clause in clauses)


def hard_rule_problem(
    registration: Registration, booth: Booth, wanted_type: BoothType | None, *, locale: str | None = None
):
    """Why `booth` can't go to this exhibitor (type, zone rules, blocked), as a message; None if it can."""
    if booth.blocked:
        return _l("Booth %(code)s is blocked.", code=booth.code)
    if booth.booth_type is not None and booth.booth_type.is_electronic:
        return _l("Booth %(code)s is electronic, not a place on the floor.", code=booth.code)
    if wanted_type is not None and booth.booth_type_id != wanted_type.id:
        return _l(
            "Booth %(code)s is a “%(type)s” booth; %(organisation)s asked for “%(wanted)s”.",
            code=booth.code,
            type=type_name(booth.booth_type, locale),
            organisation=registration.organisation.name,
            wanted=type_name(wanted_type, locale),
        )
    clauses = requirements_of(registration)
    if not engine.meets_zones(frozenset(booth.tags), clauses):
        return _l(
            "Booth %(code)s is not in zone %(zones)s, which the zone rules require for %(organisation)s.",
            code=booth.code,
            zones=_zones_text(clauses),
            organisation=registration.organisation.name,
        )
    return None


# ---------------------------------------------------------------- choices for forms


def physical_types(event: Event) -> list[BoothType]:
    return list(
        db.session.scalars(
            select(BoothType)
            .where(BoothType.event_id == event.id, BoothType.is_electronic.is_(False))
            .order_by(BoothType.price_vnd, BoothType.name)
        )
    )


def _has_free_booth(event_id: int, type_id):
    """SQL: a booth of type `type_id` (a column or a value) that isn't blocked and nobody holds."""
    held = select(BoothAssignment.booth_id).where(
        BoothAssignment.event_id == event_id, BoothAssignment.status.in_(ACTIVE)
    )
    return exists().where(
        Booth.event_id == event_id,
        Booth.booth_type_id == type_id,
        Booth.blocked.is_(False),
        Booth.id.not_in(held),
    )


def requestable_types(event: Event) -> list[BoothType]:
    """The event's floor booth types that have at least one free booth, in one query: a type whose
    booths are all taken or blocked, or that has none, is not offered."""
    return list(
        db.session.scalars(
            select(BoothType)
            .where(
                BoothType.event_id == event.id,
                BoothType.is_electronic.is_(False),
                _has_free_booth(event.id, BoothType.id),
            )
            .order_by(BoothType.price_vnd, BoothType.name)
        )
    )


def has_free_booth(booth_type: BoothType) -> bool:
    """Whether a booth of this type is free (not blocked, nobody holds it)."""
    return bool(db.session.scalar(select(_has_free_booth(booth_type.event_id, booth_type.id))))


@dataclass(frozen=True)
class PlanHall:
    """One hall of the request form's plan: its floor booths and what each is to an exhibitor."""

    hall: Hall
    booths: list[tuple[Booth, str]]  # (booth, "free" | "taken" | "blocked"), by code


def request_plan(event: Event) -> list[PlanHall]:
    """Each hall with floor booths, for the request form's plan, in two queries."""
    held = _held_booth_ids(event)
    halls: dict[int, PlanHall] = {}
    for booth in event_booths(event):
        if booth.booth_type.is_electronic:
            continue
        state = "blocked" if booth.blocked else ("taken" if booth.id in held else "free")
        halls.setdefault(booth.hall_id, PlanHall(booth.hall, [])).booths.append((booth, state))
    return list(halls.values())


def event_booths(event: Event) -> list[Booth]:
    return list(
        db.session.scalars(
            select(Booth)
            .join(Hall, Booth.hall_id == Hall.id)
            .where(Booth.event_id == event.id)
            .options(selectinload(Booth.booth_type), selectinload(Booth.hall))
            .order_by(Hall.name, Booth.code)
        )
    )


def _held_booth_ids(event: Event) -> set[int]:
    return set(
        db.session.scalars(
            select(BoothAssignment.booth_id).where(
                BoothAssignment.event_id == event.id, BoothAssignment.status.in_(ACTIVE)
            )
        )
    )


def bookable_booths(event: Event, booth_type: BoothType | None = None) -> list[Booth]:
    """Booths an exhibitor can be given: on the floor (not of an electronic type), nobody holds them,
    not blocked; with their type and hall loaded, for the booking pages' lists.

    (`plan.services.free_booths` is the plan's count of free places and doesn't look at the type.)
    """
    held = _held_booth_ids(event)
    return [
        b
        for b in event_booths(event)
        if not b.blocked
        and b.id not in held
        and not b.booth_type.is_electronic
        and (booth_type is None or b.booth_type_id == booth_type.id)
    ]


def pickable_booths(actor, registration: Registration) -> list[Booth]:
    """Free booths this exhibitor may pick itself (zone rules applied)."""
    _ensure_registrant(actor, registration)
    clauses = requirements_of(registration)
    return [b for b in bookable_booths(registration.event) if engine.meets_zones(frozenset(b.tags), clauses)]


def zone_tags(event: Event) -> list[str]:
    tags: set[str] = set()
    for booth in event_booths(event):
        tags.update(booth.tags)
    return sorted(tags)


def approved_exhibitors(event: Event, exclude_organisation_id: int | None = None) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .join(Registration, Registration.organisation_id == Organisation.id)
            .where(
                Registration.event_id == event.id,
                Registration.role == "exhibitor",
                Registration.status == "approved",
                Organisation.id != (exclude_organisation_id or 0),
            )
            .order_by(Organisation.name)
        )
    )


# ---------------------------------------------------------------- requesting


def _parse_preference(value) -> int | str | None:
    """A booth id (int, Booth, "booth:12") or a zone tag (str, "zone:food"); blanks are None."""
    if value is None:
        return None
    if isinstance(value, Booth):
        return value.id
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not text:
        return None
    if text.startswith("booth:"):
        booth_id = parse_id(text[6:])
        if booth_id is None:
            raise ServiceError(_l("Choose a booth from the list."), "preferences")
        return booth_id
    if text.startswith("zone:"):
        text = text[5:]
    return text.strip().lower() or None


def _org_ids(values: Iterable) -> list[int]:
    ids: list[int] = []
    for value in values or ():
        value = getattr(value, "id", value)
        number = parse_id(value)
        if number is None:
            raise ServiceError(_l("Choose exhibitors from the list."), "near")
        if number not in ids:
            ids.append(number)
    return ids


def request_booth(
    actor,
    registration: Registration,
    booth_type: BoothType | None,
    preferences: Sequence = (),
    near: Iterable = (),
    away: Iterable = (),
    note: str | None = None,
) -> BoothRequest:
    """An approved exhibitor asks for a booth type, with up to three ranked wishes; an edit replaces."""
    _ensure_registrant(actor, registration)
    event = registration.event
    if booth_type is None or booth_type.event_id != event.id or booth_type.is_electronic:
        raise ServiceError(_l("Choose a booth type of this event."), "booth_type")
    if not has_free_booth(booth_type):
        raise ServiceError(
            _l("Every “%(type)s” booth is taken; choose another type.", type=type_name(booth_type)),
            "booth_type",
        )
    wishes = [w for w in (_parse_preference(v) for v in preferences) if w is not None]
    if len(wishes) > MAX_PREFERENCES:
        raise ServiceError(_l("Rank at most three preferences."), "preferences")
    if len(set(wishes)) != len(wishes):
        raise ServiceError(_l("Each preference can be chosen only once."), "preferences")
    known_tags = set(zone_tags(event))
    for wish in wishes:
        if isinstance(wish, int):
            booth = db.session.get(Booth, wish)
            if booth is None:
                raise ServiceError(_l("Choose a booth from the list."), "preferences")
            if booth.event_id != event.id:
                raise ServiceError(
                    _l("Booth %(code)s belongs to another event.", code=booth.code), "preferences"
                )
            if booth.booth_type_id != booth_type.id:
                raise ServiceError(
                    _l(
                        "Booth %(code)s is not a “%(type)s” booth.",
                        code=booth.code,
                        type=type_name(booth_type),
                    ),
                    "preferences",
                )
            if booth.blocked:
                raise ServiceError(_l("Booth %(code)s is blocked.", code=booth.code), "preferences")
        elif wish not in known_tags:
            raise ServiceError(_l("No booth of this event is in zone “%(zone)s”.", zone=wish), "preferences")
    near_ids, away_ids = _org_ids(near), _org_ids(away)
    if set(near_ids) & set(away_ids):
        raise ServiceError(_l("An exhibitor can't be both near and away."), "away")
    allowed = {o.id for o in approved_exhibitors(event, registration.organisation_id)}
    for org_id in near_ids + away_ids:
        if org_id not in allowed:
            raise ServiceError(_l("Choose approved exhibitors of this event."), "near")

    _lock_registration(registration)  # two submissions of one exhibitor don't make two requests
    assignment = active_assignment_of(registration)
    if assignment is not None:
        raise ServiceError(
            _l(
                "You already have booth %(code)s; ask the organiser to move it.",
                code=assignment.booth.code,
            )
        )
    request = open_request_of(registration)
    if request is None:
        request = BoothRequest(event_id=event.id, registration_id=registration.id)
        db.session.add(request)
    else:
        # Clear first, so new rows with the same (request, rank) keys never meet the old ones in a flush.
        request.preferences = []
        request.proximities = []
        db.session.flush()
    request.booth_type_id = booth_type.id
    request.status = "pending"
    request.unplaced_reason = None
    request.got_preference = None
    request.note = (note or "").strip() or None
    request.preferences = [
        BoothPreference(
            rank=rank, booth_id=w if isinstance(w, int) else None, zone=w if isinstance(w, str) else None
        )
        for rank, w in enumerate(wishes, start=1)
    ]
    request.proximities = [BoothProximity(organisation_id=o, kind="near") for o in near_ids] + [
        BoothProximity(organisation_id=o, kind="away") for o in away_ids
    ]
    db.session.flush()
    return request


def withdraw_request(actor, request: BoothRequest) -> BoothRequest:
    registration = request.registration
    if not _is_registrant(actor, registration):
        raise PermissionDenied
    if request.status not in OPEN_REQUEST:
        raise ServiceError(_l("Only a request that is still open can be withdrawn."))
    request.status = "cancelled"
    db.session.flush()
    return request


# ---------------------------------------------------------------- first-come picking


def _payment_for(booth: Booth) -> str:
    return "waived" if not booth.booth_type.price_vnd else "due"


def _rank_in(request: BoothRequest | None, booth: Booth) -> int | None:
    if request is None:
        return None
    for pref in request.preferences:
        if (pref.booth_id is not None and pref.booth_id == booth.id) or (
            pref.zone and pref.zone in booth.tags
        ):
            return pref.rank
    return None


def pick_booth(actor, registration: Registration, booth: Booth) -> BoothAssignment:
    """First-come booking of a free booth, when the organiser allows it. Never two on one booth."""
    _ensure_registrant(actor, registration)
    event = registration.event
    if not first_come_open(event):
        raise ServiceError(_l("The organiser has not opened first-come booking for this event."))
    if booth.event_id != event.id:
        raise ServiceError(_l("Booth %(code)s belongs to another event.", code=booth.code), "booth")
    problem = hard_rule_problem(registration, booth, None)
    if problem is not None:
        raise ServiceError(problem, "booth")
    mine = active_assignment_of(registration)
    if mine is not None:
        raise ServiceError(_l("You already have booth %(code)s.", code=mine.booth.code))
    if holder_of(booth) is not None:
        raise ServiceError(taken_message(), "booth")
    request = open_request_of(registration)
    assignment = BoothAssignment(
        event_id=event.id,
        booth_id=booth.id,
        registration_id=registration.id,
        request_id=request.id if request is not None else None,
        status="allocated",
        payment=_payment_for(booth),
    )
    try:
        # Only the savepoint is rolled back when a concurrent pick won the booth meanwhile.
        with savepoint(db.session):
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError:
        raise _lost_race(registration) from None
    if request is not None:
        request.status = "allocated"
        request.got_preference = _rank_in(request, booth)
        request.unplaced_reason = None
    db.session.flush()
    booth_assigned.send(assignment, how="picked")
    return assignment


def _lost_race(registration: Registration) -> ServiceError:
    """The insert was refused by a unique index: which one tells the exhibitor what happened."""
    mine = active_assignment_of(registration)
    if mine is not None:
        return ServiceError(_l("You already have booth %(code)s.", code=mine.booth.code))
    return ServiceError(taken_message(), "booth")


# ---------------------------------------------------------------- automatic allocation


@dataclass
class AllocationReport:
    """What one run did, for the organiser's result page and the command line."""

    placed: list[tuple[BoothRequest, Booth, int | None]] = field(default_factory=list)
    unplaced: list[tuple[BoothRequest, object]] = field(default_factory=list)
    stats: engine.Stats | None = None
    seconds: float = 0.0


def _reason_json(reason: engine.Reason, booth_type: BoothType | None) -> str:
    data = reason.as_dict() | {"type": booth_type.name if booth_type else None}
    return json.dumps(data, ensure_ascii=False)


def reason_text(stored: str | None, locale: str | None = None):
    """An unplaced request's reason in the reader's language (stored as JSON by `allocate_all`)."""
    if not stored:
        return None
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    if not isinstance(data, dict):
        return stored
    booth_type = db.session.get(BoothType, data.get("type_id")) if data.get("type_id") else None
    kind = type_name(booth_type, locale) if booth_type else (data.get("type") or "?")
    zones = [frozenset(z.split("|")) for z in data.get("zones") or []]
    where = _zones_text(zones)
    count = int(data.get("count") or 0)
    code = data.get("code")
    if code == "not_approved":
        return _l("The registration is no longer approved.")
    if code == "no_type":
        return _l("The event has no booth of type “%(type)s”.", type=kind)
    if code == "no_zone":
        return _l(
            "No booth of type “%(type)s” is in zone %(zones)s, which the zone rules require.",
            type=kind,
            zones=where,
        )
    if code == "blocked":
        if where:
            return _l("Every booth of type “%(type)s” in zone %(zones)s is blocked.", type=kind, zones=where)
        return _l("Every booth of type “%(type)s” is blocked.", type=kind)
    if code == "taken":
        if where:
            return _l(
                "No free booth of type “%(type)s” in zone %(zones)s: all %(n)d are taken.",
                type=kind,
                zones=where,
                n=count,
            )
        return _l("No free booth of type “%(type)s”: all %(n)d are taken.", type=kind, n=count)
    if where:
        return _l(
            "No free booth of type “%(type)s” in zone %(zones)s: the %(n)d free ones went to exhibitors "
            "ranked before you (more OCOP stars or an earlier request) or who had no other option.",
            type=kind,
            zones=where,
            n=count,
        )
    return _l(
        "No free booth of type “%(type)s”: the %(n)d free ones went to exhibitors ranked before you "
        "(more OCOP stars or an earlier request) or who had no other option.",
        type=kind,
        n=count,
    )


def _booth_spec(
    booth: Booth, holder: BoothAssignment | None, profiles: dict[int, Profile]
) -> engine.BoothSpec:
    occupant = profiles.get(holder.registration_id) if holder is not None else None
    return engine.BoothSpec(
        id=booth.id,
        type_id=booth.booth_type_id,
        hall=booth.hall_id,
        x=float(booth.x_m),
        y=float(booth.y_m),
        w=float(booth.width_m),
        d=float(booth.depth_m),
        tags=frozenset(booth.tags),
        blocked=bool(booth.blocked),
        taken=holder is not None,
        code=booth.code,
        occupant_org=occupant.organisation_id if occupant else None,
        occupant_categories=occupant.categories if occupant else frozenset(),
    )


def _request_spec(request: BoothRequest, profile: Profile, order: int) -> engine.RequestSpec:
    return engine.RequestSpec(
        id=request.id,
        org=profile.organisation_id,
        type_id=request.booth_type_id,
        order=order,
        stars=profile.stars,
        categories=profile.categories,
        groups=profile.groups,
        province=profile.province,
        preferences=tuple(p.booth_id if p.booth_id is not None else p.zone for p in request.preferences),
        near=frozenset(p.organisation_id for p in request.proximities if p.kind == "near"),
        away=frozenset(p.organisation_id for p in request.proximities if p.kind == "away"),
    )


def _event_state(event: Event, statuses: Sequence[str]):
    """Booths, their holders, the requests in `statuses`, and profiles, loaded once."""
    booths = [b for b in event_booths(event) if not b.booth_type.is_electronic]
    holders = {
        a.booth_id: a
        for a in db.session.scalars(
            select(BoothAssignment).where(
                BoothAssignment.event_id == event.id, BoothAssignment.status.in_(ACTIVE)
            )
        )
    }
    requests = list(
        db.session.scalars(
            select(BoothRequest)
            .where(BoothRequest.event_id == event.id, BoothRequest.status.in_(statuses))
            .options(selectinload(BoothRequest.registration).selectinload(Registration.organisation))
            .order_by(BoothRequest.created_at, BoothRequest.id)
        )
    )
    registration_ids = {a.registration_id for a in holders.values()} | {r.registration_id for r in requests}
    registrations = (
        db.session.scalars(
            select(Registration)
            .where(Registration.id.in_(registration_ids))
            .options(selectinload(Registration.organisation))
        )
        if registration_ids
        else []
    )
    profiles = {r.id: profile_of(r) for r in registrations}
    return booths, holders, requests, profiles


def allocate_all(actor, event: Event) -> AllocationReport:
    """The organiser's one click: every open request gets the best booth the weights allow, or a reason.

    Open requests are the pending ones and those left unplaced by an earlier run (new booths may
    have appeared). Booths held already (allocated or confirmed) stay where they are.
    """
    ensure_can_manage(actor, event)
    if event.state in FINAL_EVENT_STATES:
        raise ServiceError(_l("Booths of a finished or cancelled event can't be allocated."))
    _lock_event(event)
    started = time.perf_counter()
    progress.phase("loading")
    booths, holders, requests, profiles = _event_state(event, OPEN_REQUEST)
    report = AllocationReport()
    held_registrations = {a.registration_id: a for a in holders.values()}
    candidates: list[BoothRequest] = []
    for request in requests:
        registration = request.registration
        if registration.status != "approved":
            request.status = "unplaced"
            request.unplaced_reason = json.dumps({"code": "not_approved"})
            report.unplaced.append((request, reason_text(request.unplaced_reason)))
        elif registration.id in held_registrations:  # picked a booth directly meanwhile
            request.status = "allocated"
            request.got_preference = _rank_in(request, held_registrations[registration.id].booth)
        else:
            candidates.append(request)
    booth_specs = [_booth_spec(b, holders.get(b.id), profiles) for b in booths]
    request_specs = [
        _request_spec(r, profiles[r.registration_id], order) for order, r in enumerate(candidates)
    ]
    progress.phase("allocating")
    result = engine.allocate(booth_specs, request_specs, _rule_specs(event), weights_for(event))
    booth_by_id = {b.id: b for b in booths}
    new_rows = []
    for request in candidates:
        booth_id = result.assignment.get(request.id)
        if booth_id is None:
            reason = result.unplaced[request.id]
            request.status = "unplaced"
            request.got_preference = None
            request.unplaced_reason = _reason_json(reason, request.booth_type)
            report.unplaced.append((request, reason_text(request.unplaced_reason)))
            continue
        booth = booth_by_id[booth_id]
        new_rows.append(
            BoothAssignment(
                event_id=event.id,
                booth_id=booth.id,
                registration_id=request.registration_id,
                request_id=request.id,
                status="allocated",
                payment=_payment_for(booth),
            )
        )
        request.status = "allocated"
        request.got_preference = result.got_rank.get(request.id)
        request.unplaced_reason = None
        report.placed.append((request, booth, request.got_preference))
    progress.phase("writing", len(report.placed) + len(report.unplaced))
    try:
        with savepoint(db.session):
            db.session.add_all(new_rows)
            db.session.flush()
    except IntegrityError:
        # A first-come pick won a booth between our read and our write: nothing of this run is kept.
        raise ServiceError(
            _l("A booth was booked while the allocation ran; nothing was changed. Please run it again.")
        ) from None
    for assignment in new_rows:
        booth_assigned.send(assignment, how="allocated")
    report.stats = result.stats
    report.seconds = time.perf_counter() - started
    organiser_action.send(
        actor,
        event_id=event.id,
        action="booths_allocated",
        changes={"placed": len(report.placed), "unplaced": len(report.unplaced)},
    )
    for request, booth, _rank in report.placed:
        _notify(request, "booth_allocated", booth=booth)
        progress.advance()
    for request, _why in report.unplaced:
        if request.registration.status == "approved":
            _notify(request, "booth_unplaced")
        progress.advance()
    db.session.flush()
    return report


def allocation_lock_key(event: Event) -> str:
    """One allocation job per event at a time."""
    return f"booth-allocation:{event.id}"


def start_allocation(actor, event: Event):
    """Enqueue `allocate_all` for the event (the job `booths.allocate`, app/booths/jobs.py).

    Refused at once when the actor doesn't manage the event or the event is over, and with
    `AlreadyRunning` while an allocation of the event waits or runs. Returns the job's row,
    which the caller's transaction commits.
    """
    ensure_can_manage(actor, event)
    if event.state in FINAL_EVENT_STATES:
        raise ServiceError(_l("Booths of a finished or cancelled event can't be allocated."))
    return tasks.start(
        actor,
        "booths.allocate",
        lock_key=allocation_lock_key(event),
        params={"event_id": event.id},
        event_id=event.id,
    )


def latest_allocation(event: Event):
    """The event's allocation job, running or ended, or None."""
    return tasks.latest_task(allocation_lock_key(event))


# ---------------------------------------------------------------- mail


def _mail_text(kind: str, request: BoothRequest, locale: str, booth: Booth | None) -> tuple[str, str]:
    event = request.registration.event
    name = event.name_in(locale)
    organisation = request.registration.organisation.name
    if kind == "booth_allocated" and booth is not None:
        subject = gettext("Your booth at %(event)s: %(code)s", event=name, code=booth.code)
        body = gettext(
            "%(organisation)s has booth %(code)s (%(type)s, hall %(hall)s) at %(event)s.",
            organisation=organisation,
            code=booth.code,
            type=type_name(booth.booth_type, locale),
            hall=name_in(booth.hall, locale),
            event=name,
        )
        price = booth.booth_type.price_vnd or 0
        if price:
            body += " " + gettext(
                "The booth costs %(price)s VND; the organiser confirms it once it is paid.",
                price=f"{price:,}".replace(",", "."),
            )
        else:
            body += " " + gettext("The booth is free of charge.")
    else:
        subject = gettext("No booth yet at %(event)s", event=name)
        body = gettext(
            "The booth allocation for %(event)s could not place %(organisation)s: %(reason)s "
            "The organiser can still place you by hand, or you can change your request.",
            event=name,
            organisation=organisation,
            reason=str(reason_text(request.unplaced_reason, locale) or ""),
        )
    return subject, body


def _notify(request: BoothRequest, kind: str, booth: Booth | None = None) -> None:
    users = db.session.scalars(
        select(User)
        .where(User.organisation_id == request.registration.organisation_id, User.is_active_account.is_(True))
        .order_by(User.id)
    )
    for user in users:
        locale = user.locale or "vi"
        with force_locale(locale):
            subject, body = _mail_text(kind, request, locale, booth)
        queue_mail(to_address=user.email, subject=subject, body=body, kind=kind, user_id=user.id)


# ---------------------------------------------------------------- organiser's hand edits


def _ensure_active(assignment: BoothAssignment) -> None:
    if assignment.status not in ACTIVE:
        raise ServiceError(_l("This booking is cancelled."))


def _wanted_type(assignment: BoothAssignment) -> BoothType | None:
    if assignment.request_id is not None:
        request = db.session.get(BoothRequest, assignment.request_id)
        if request is not None:
            return request.booth_type
    return assignment.booth.booth_type


def _refresh_rank(assignment: BoothAssignment, booth: Booth) -> None:
    if assignment.request_id is not None:
        request = db.session.get(BoothRequest, assignment.request_id)
        if request is not None:
            request.got_preference = _rank_in(request, booth)


def move_assignment(actor, assignment: BoothAssignment, booth: Booth) -> BoothAssignment:
    """Move an exhibitor to another booth; refused with the reason when a hard rule would break."""
    event = _event_of(assignment)
    ensure_can_manage(actor, event)
    _ensure_active(assignment)
    if booth.event_id != event.id:
        raise ServiceError(_l("Booth %(code)s belongs to another event.", code=booth.code), "booth")
    if booth.id == assignment.booth_id:
        return assignment
    problem = hard_rule_problem(assignment.registration, booth, _wanted_type(assignment))
    if problem is not None:
        raise ServiceError(problem, "booth")
    holder = holder_of(booth)
    if holder is not None:
        raise ServiceError(
            _l(
                "Booth %(code)s is already taken by %(organisation)s.",
                code=booth.code,
                organisation=holder.registration.organisation.name,
            ),
            "booth",
        )
    before = assignment.booth.code if assignment.booth is not None else None
    assignment.booth_id = booth.id
    assignment.booth = booth
    try:
        with savepoint(db.session):
            db.session.flush()
    except IntegrityError:
        raise ServiceError(taken_message(), "booth") from None
    _refresh_rank(assignment, booth)
    db.session.flush()
    _log(actor, assignment, "booth_moved", {"booth": [before, booth.code]})
    booth_assigned.send(assignment, how="moved")
    return assignment


def swap(actor, a: BoothAssignment, b: BoothAssignment) -> tuple[BoothAssignment, BoothAssignment]:
    """Exchange two exhibitors' booths; refused with the reason when either would break a hard rule."""
    event = _event_of(a)
    ensure_can_manage(actor, event)
    if b.event_id != a.event_id:
        raise ServiceError(_l("Both bookings must be of the same event."), "other")
    if a.id == b.id:
        raise ServiceError(_l("Choose another exhibitor's booking to swap with."), "other")
    _ensure_active(a)
    _ensure_active(b)
    booth_a, booth_b = a.booth, b.booth
    for assignment, target in ((a, booth_b), (b, booth_a)):
        problem = hard_rule_problem(assignment.registration, target, _wanted_type(assignment))
        if problem is not None:
            raise ServiceError(problem, "other")
    # One active row per booth at every moment: park `a` as cancelled while `b` moves into its booth.
    status_a = a.status
    a.status = "cancelled"
    db.session.flush()
    b.booth_id, b.booth = booth_a.id, booth_a
    db.session.flush()
    a.booth_id, a.booth, a.status = booth_b.id, booth_b, status_a
    db.session.flush()
    _refresh_rank(a, booth_b)
    _refresh_rank(b, booth_a)
    db.session.flush()
    organiser_action.send(
        actor,
        event_id=a.event_id,
        action="booths_swapped",
        subject=f"{a.registration.organisation.name} ↔ {b.registration.organisation.name}",
        changes={
            a.registration.organisation.name: [booth_a.code, booth_b.code],
            b.registration.organisation.name: [booth_b.code, booth_a.code],
        },
    )
    booth_assigned.send(a, how="swapped")
    booth_assigned.send(b, how="swapped")
    return a, b


def confirm_payment(actor, assignment: BoothAssignment) -> BoothAssignment:
    ensure_can_manage(actor, _event_of(assignment))
    _ensure_active(assignment)
    before = {"payment": assignment.payment, "status": assignment.status}
    assignment.payment = "paid"
    assignment.status = "confirmed"
    assignment.payment_at, assignment.payment_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    _log(
        actor,
        assignment,
        "payment_confirmed",
        {"payment": [before["payment"], "paid"], "status": [before["status"], "confirmed"]},
    )
    return assignment


def waive_payment(actor, assignment: BoothAssignment) -> BoothAssignment:
    ensure_can_manage(actor, _event_of(assignment))
    _ensure_active(assignment)
    before = {"payment": assignment.payment, "status": assignment.status}
    assignment.payment = "waived"
    assignment.status = "confirmed"
    assignment.payment_at, assignment.payment_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    _log(
        actor,
        assignment,
        "payment_waived",
        {"payment": [before["payment"], "waived"], "status": [before["status"], "confirmed"]},
    )
    return assignment


def cancel_assignment(actor, assignment: BoothAssignment) -> BoothAssignment:
    """The organiser cancels any booking; the exhibitor its own while not yet confirmed. The booth is free."""
    event = _event_of(assignment)
    by_organiser = can_manage(actor, event)
    if not by_organiser:
        if not _is_registrant(actor, assignment.registration):
            raise PermissionDenied
        if assignment.status == "confirmed":
            raise ServiceError(_l("A confirmed booking can only be cancelled by the organiser."))
    _ensure_active(assignment)
    before = assignment.status
    assignment.status = "cancelled"
    if assignment.request_id is not None:
        request = db.session.get(BoothRequest, assignment.request_id)
        if request is not None:
            request.status = "cancelled"
    db.session.flush()
    if by_organiser:  # the exhibitor's own cancellation is not an organiser action
        _log(
            actor,
            assignment,
            "booking_cancelled",
            {"status": [before, "cancelled"], "payment": assignment.payment},
        )
    return assignment


def release_for(registration: Registration) -> int:
    """A registration that is no longer approved gives back its booth and drops its open request.

    Runs when an exhibitor withdraws or is rejected; returns how many bookings were cancelled
    (the booths are free for the next allocation). Idempotent: a second call finds nothing
    left to cancel and returns 0.
    """
    released = 0
    for assignment in db.session.scalars(
        select(BoothAssignment).where(
            BoothAssignment.registration_id == registration.id, BoothAssignment.status != "cancelled"
        )
    ):
        assignment.status = "cancelled"
        released += 1
    for request in db.session.scalars(
        select(BoothRequest).where(
            BoothRequest.registration_id == registration.id, BoothRequest.status != "cancelled"
        )
    ):
        request.status = "cancelled"
    db.session.flush()
    return released


@registration_withdrawn.connect
@registration_rejected.connect
def _release_booth(registration: Registration, **_extra) -> None:
    """An exhibitor that leaves the event gives its booth back."""
    if registration.role == "exhibitor":
        release_for(registration)


# ---------------------------------------------------------------- reading


@dataclass
class MyBooth:
    registration: Registration
    request: BoothRequest | None
    assignment: BoothAssignment | None
    first_come: bool


def my_requests(actor) -> list[MyBooth]:
    """The actor's own organisation's approved exhibitor registrations with their request and booth."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or actor.role != "exhibitor"
        or actor.organisation_id is None
    ):
        return []
    registrations = db.session.scalars(
        select(Registration)
        .join(Registration.event)
        .where(
            Registration.organisation_id == actor.organisation_id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
            Event.kind != "online_week",
        )
        .options(selectinload(Registration.event))
        .order_by(Event.starts_at.desc())
    )
    return [
        MyBooth(r, open_request_of(r), active_assignment_of(r), first_come_open(r.event))
        for r in registrations
    ]


@dataclass
class RequestRow:
    request: BoothRequest
    registration: Registration
    assignment: BoothAssignment | None
    reason: object = None


def requests_for(actor, event: Event, statuses: Sequence[str] | None = None) -> list[RequestRow]:
    """The organiser's list: every request of the event (not cancelled), in time order."""
    ensure_can_manage(actor, event)
    query = (
        select(BoothRequest)
        .where(BoothRequest.event_id == event.id)
        .options(
            selectinload(BoothRequest.registration).selectinload(Registration.organisation),
            selectinload(BoothRequest.preferences).selectinload(BoothPreference.booth),
        )
        .order_by(BoothRequest.created_at, BoothRequest.id)
    )
    query = query.where(BoothRequest.status.in_(statuses or ("pending", "allocated", "unplaced")))
    # Their booths loaded with them: the page names each row's booth and each preferred booth
    # (the bookings table, filtered, no longer loads every booth before this list is drawn).
    assignments = {
        a.registration_id: a
        for a in db.session.scalars(
            select(BoothAssignment)
            .where(BoothAssignment.event_id == event.id, BoothAssignment.status.in_(ACTIVE))
            .options(selectinload(BoothAssignment.booth))
        )
    }
    return [
        RequestRow(r, r.registration, assignments.get(r.registration_id), reason_text(r.unplaced_reason))
        for r in db.session.scalars(query)
    ]


def assignments_for(
    actor, event: Event, *, payment: str | None = None, province: str | None = None
) -> list[BoothAssignment]:
    """The event's bookings (allocated or confirmed), by booth code; `payment` (a key of
    PAYMENT_LABELS) and `province` (a current province: the exhibitor's organisation, earlier
    codes folded in) narrow them as the event dashboard counts its booths."""
    ensure_can_manage(actor, event)
    query = (
        select(BoothAssignment)
        .join(Booth, BoothAssignment.booth_id == Booth.id)
        .where(BoothAssignment.event_id == event.id, BoothAssignment.status.in_(ACTIVE))
        .options(
            selectinload(BoothAssignment.registration).selectinload(Registration.organisation),
            selectinload(BoothAssignment.booth),
        )
        .order_by(Booth.code)
    )
    if payment is not None:
        query = query.where(BoothAssignment.payment == payment)
    if province is not None:
        holders = (
            select(Registration.id)
            .join(Organisation, Organisation.id == Registration.organisation_id)
            .where(Organisation.province_code.in_(equivalent_codes(province)))
        )
        query = query.where(BoothAssignment.registration_id.in_(holders))
    return list(db.session.scalars(query))


@dataclass
class Overview:
    rows: list[RequestRow]
    stats: engine.Stats
    free_left: int
    pending: int


def allocation_overview(actor, event: Event) -> Overview:
    """The result page's figures, from the database as it is (so a reload shows the same)."""
    rows = requests_for(actor, event)
    booths, holders, requests, profiles = _event_state(event, ("allocated", "unplaced", "pending"))
    booth_specs = [_booth_spec(b, None, profiles) for b in booths]
    request_specs = [_request_spec(r, profiles[r.registration_id], k) for k, r in enumerate(requests)]
    by_registration = {a.registration_id: a.booth_id for a in holders.values()}
    assignment = {
        r.id: by_registration[r.registration_id]
        for r in requests
        if r.status == "allocated" and r.registration_id in by_registration
    }
    stats = engine.evaluate(booth_specs, request_specs, weights_for(event), assignment)
    free_left = sum(1 for b in booths if not b.blocked and b.id not in holders)
    pending = sum(1 for r in requests if r.status == "pending")
    return Overview(rows, stats, free_left, pending)
