"""The participants' side of matchmaking: availability, must/block, asks, browsing producers.

A participant is a user of an organisation whose registration for the session's event is
approved. Every function takes the acting user and checks it acts for its own registration
(PermissionDenied otherwise), changes objects and flushes; the caller commits once.

Requests live one per (session, buyer, producer) pair (a unique constraint), so whoever
wrote the row owns it:

- "must" / "block": either side marks a counterpart; "don't match me with" wins over
  everything, so a block replaces whatever the pair held and nothing but its author can
  lift it.
- "ask": a buyer asks a producer for a meeting (status open); the producer accepts (the row
  becomes a "must", status accepted) or declines (the row stays an ask, status declined,
  and the buyer sees the answer). A "must" marked directly keeps status open.
- Both sides wanting the pair is one row too, never an error: a "must" with status
  accepted. requested_by tells how it came about: "buyer" when the producer accepted the
  buyer's ask (or marked "must" a buyer who had asked), "producer" when both marked the
  pair "must", or the buyer asked a producer that had already marked it "must" (mutual
  interest). Either side removing its wish from a mutual pair leaves the other's "must".

The organiser's instance (services.py) reads "must" rows as must, "block" rows and
declined asks as blocks, and open asks as interest for the score; scoring reads an
accepted row as interest from both sides.

Each participant sees the state of every pair it is part of (pair_states): asked,
declined, accepted, mutual, must (by either side) and its own blocks; the other side's
block stays private.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app import i18n
from app.catalog.models import DemandLine, Product
from app.errors import PermissionDenied, ServiceError
from app.events.models import FINAL_EVENT_STATES, Event, Registration, RegistrationProduct
from app.events.registrations.services import can_act_for
from app.events.services import event_by_slug
from app.extensions import db
from app.matching.engine.slots import Slot, session_slots
from app.matching.models import Availability, MatchingSession, MatchRequest, Meeting

ROLE_SIDE = {"buyer": "buyer", "exhibitor": "producer"}


# ---------------------------------------------------------------- who and where


def side_of(registration: Registration) -> str:
    """ "buyer" or "producer": the side of a meeting a registration sits on."""
    return ROLE_SIDE[registration.role]


def event_for_slug(slug: str) -> Event | None:
    event = event_by_slug(slug)
    if event is None or event.state == "draft":
        return None
    return event


def session_for_event(event: Event) -> MatchingSession | None:
    """The event's matchmaking session (the latest one, if an organiser made several)."""
    return db.session.scalar(
        select(MatchingSession)
        .where(MatchingSession.event_id == event.id)
        .order_by(MatchingSession.id.desc())
        .limit(1)
    )


def participant_registration(actor, event: Event) -> Registration:
    """The actor's organisation's approved registration for `event`; PermissionDenied if none."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.organisation_id is None:
        raise PermissionDenied
    registration = db.session.scalar(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.organisation_id == actor.organisation_id,
            Registration.status == "approved",
        )
        .order_by(Registration.id)
        .limit(1)
        # Every participant's page names the organisation; its products or demand only some do
        # (loaded when read, rather than on every page).
        .options(
            joinedload(Registration.organisation),
            lazyload(Registration.product_rows),
            lazyload(Registration.demand_rows),
        )
    )
    if registration is None:
        raise PermissionDenied
    return registration


def participant_context(actor, slug: str) -> tuple[Event | None, MatchingSession | None, Registration | None]:
    """`event_for_slug`, `session_for_event` and `participant_registration` in one statement:
    (event or None when missing or a draft, its latest session or None, the actor's approved
    registration or None). Every participant's page opens with these three."""
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    organisation_id = actor.organisation_id if authenticated else None
    latest_session = (
        select(MatchingSession.id)
        .where(MatchingSession.event_id == Event.id)
        .order_by(MatchingSession.id.desc())
        .limit(1)
        .correlate(Event)
        .scalar_subquery()
    )
    first_registration = (
        select(Registration.id)
        .where(
            Registration.event_id == Event.id,
            Registration.organisation_id == organisation_id,
            Registration.status == "approved",
        )
        .order_by(Registration.id)
        .limit(1)
        .correlate(Event)
        .scalar_subquery()
    )
    row = db.session.execute(
        select(Event, MatchingSession, Registration)
        .outerjoin(MatchingSession, MatchingSession.id == latest_session)
        .outerjoin(Registration, Registration.id == first_registration)
        .where(Event.slug == slug)
        # As participant_registration: the organisation joined, its products or demand when read.
        .options(
            joinedload(Registration.organisation),
            lazyload(Registration.product_rows),
            lazyload(Registration.demand_rows),
        )
    ).first()
    if row is None or row[0].state == "draft":
        return None, None, None
    event, session, registration = row
    return event, session, registration if organisation_id is not None else None


def waiting_registration(actor, event: Event) -> Registration | None:
    """The actor's organisation's registration for `event` that is still waiting for a decision
    (pending, or on the waiting list), or None: why the matchmaking pages are not open to it yet."""
    if actor is None or not getattr(actor, "is_authenticated", False) or actor.organisation_id is None:
        return None
    return db.session.scalar(
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.organisation_id == actor.organisation_id,
            Registration.status.in_(("pending", "waitlisted")),
        )
        .order_by(Registration.id)
        .limit(1)
    )


def ensure_participant(actor, session: MatchingSession, registration: Registration) -> None:
    """The actor acts for `registration`, which is approved in the session's event."""
    if (
        registration.event_id != session.event_id
        or registration.status != "approved"
        or not can_act_for(actor, registration)
    ):
        raise PermissionDenied


def _ensure_open(session: MatchingSession) -> None:
    if session.event.state in FINAL_EVENT_STATES:
        raise ServiceError(_l("The event is over; matchmaking can no longer be changed."))


def _approved(registration_id: int, event_id: int, role: str) -> Registration:
    other = db.session.get(Registration, registration_id)
    if other is None or other.event_id != event_id or other.status != "approved" or other.role != role:
        raise ServiceError(_l("Choose a participant of this event."), "counterpart")
    return other


def _pair(registration: Registration, counterpart: Registration) -> tuple[int, int]:
    """(buyer registration id, producer registration id)."""
    if side_of(registration) == "buyer":
        return registration.id, counterpart.id
    return counterpart.id, registration.id


def _other_role(registration: Registration) -> str:
    return "exhibitor" if registration.role == "buyer" else "buyer"


# ---------------------------------------------------------------- availability


def available_slots(session: MatchingSession, registration: Registration) -> set[int] | None:
    """The slot indexes a participant said it can attend; None when it said nothing (every slot)."""
    row = db.session.get(Availability, (session.id, registration.id))
    if row is None:
        return None
    try:
        return {int(index) for index in json.loads(row.slots_json or "[]")}
    except (TypeError, ValueError):
        return None


def slots_of(session: MatchingSession) -> list[Slot]:
    return session_slots(session, session.event.timezone)


def set_availability(
    actor, session: MatchingSession, registration: Registration, slot_indexes: Iterable
) -> set[int]:
    """Keep the chosen slots (a subset of the session's); choosing every slot removes the row.

    A slot that holds one of the participant's published meetings can't be dropped here:
    the organiser cancels the meeting first, so agendas and calendars stay true.
    """
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    slots = slots_of(session)
    known = {slot.index for slot in slots}
    chosen: set[int] = set()
    for value in slot_indexes or ():
        try:
            index = int(value)
        except (TypeError, ValueError):
            raise ServiceError(_l("Choose slots of this session."), "slots") from None
        if index not in known:
            raise ServiceError(_l("Choose slots of this session."), "slots")
        chosen.add(index)
    booked = db.session.scalars(
        select(Meeting.slot).where(
            Meeting.session_id == session.id,
            Meeting.published.is_(True),
            Meeting.status != "cancelled",
            or_(
                Meeting.buyer_registration_id == registration.id,
                Meeting.producer_registration_id == registration.id,
            ),
        )
    ).all()
    starts = {slot.index: slot.start for slot in slots}
    for index in sorted(set(booked) - chosen):
        moment = starts.get(index)
        raise ServiceError(
            _l(
                "You have a meeting at %(time)s; ask the organiser to cancel it before you drop that slot.",
                time=i18n.when(moment, moment.tzinfo, year=False) if moment else "?",
            ),
            "slots",
        )
    row = db.session.get(Availability, (session.id, registration.id))
    if chosen == known:
        if row is not None:
            db.session.delete(row)
    else:
        text = json.dumps(sorted(chosen))
        if row is None:
            db.session.add(
                Availability(session_id=session.id, registration_id=registration.id, slots_json=text)
            )
        else:
            row.slots_json = text
    db.session.flush()
    return chosen


# ---------------------------------------------------------------- must / block / ask


def _request_row(session: MatchingSession, buyer_id: int, producer_id: int) -> MatchRequest | None:
    return db.session.scalar(
        select(MatchRequest).where(
            MatchRequest.session_id == session.id,
            MatchRequest.buyer_registration_id == buyer_id,
            MatchRequest.producer_registration_id == producer_id,
        )
    )


def set_preference(
    actor, session: MatchingSession, registration: Registration, counterpart_id: int, kind: str | None
) -> MatchRequest | None:
    """Mark a counterpart "must" or "block", or clear one's own mark (kind None).

    A block always takes the pair; a "must" can't override the other side's block; a "must"
    on what the other side already wants joins it (mutual interest; a producer's "must" on
    a buyer's ask accepts it). One can only clear a mark one wrote, or one's own wish in a
    pair both want (an ask one received is answered instead).
    """
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    if kind not in ("must", "block", None):
        raise ServiceError(_l("Choose must meet or don't match."), "kind")
    counterpart = _approved(counterpart_id, session.event_id, _other_role(registration))
    buyer_id, producer_id = _pair(registration, counterpart)
    me = side_of(registration)
    row = _request_row(session, buyer_id, producer_id)
    if kind is None:
        _withdraw(row, me)
        db.session.flush()
        return None
    if row is not None and row.kind == "block" and row.requested_by != me:
        raise ServiceError(_l("This meeting can't be requested."), "counterpart")
    if row is not None and kind == "must" and row.kind == "ask" and row.status == "declined":
        if me == "buyer":
            raise ServiceError(_l("The producer has declined this request."), "counterpart")
        row.kind, row.status = "must", "accepted"  # the producer changed its mind
        db.session.flush()
        return row
    if row is None:
        row = MatchRequest(
            session_id=session.id,
            buyer_registration_id=buyer_id,
            producer_registration_id=producer_id,
        )
        db.session.add(row)
    elif kind == "must" and (row.kind == "must" or row.kind == "ask") and row.requested_by != me:
        # The other side already wants this pair: the two wishes become one.
        if row.kind == "ask":  # a producer marking "must" a buyer who asked accepts the ask
            row.kind, row.status = "must", "accepted"
        elif row.status == "open":
            row.status, row.requested_by = "accepted", "producer"
        db.session.flush()
        return row
    elif kind == "must" and row.kind == "must":
        return row  # already wanted, by us or by both
    # "accepted" is kept for pairs both sides want; a mark of one's own is "open".
    row.kind, row.status, row.requested_by = kind, "open", me
    db.session.flush()
    return row


def _withdraw(row: MatchRequest | None, me: str) -> None:
    """Remove one's own mark or ask; from a pair both sides want, remove one's own wish only."""
    if row is None:
        return
    if row.kind == "must" and row.status == "accepted" and row.requested_by == "producer":
        # Mutual interest: the other side's "must" stays.
        row.status, row.requested_by = "open", "buyer" if me == "producer" else "producer"
    elif row.requested_by == me:
        db.session.delete(row)


def ask_for_meeting(
    actor, session: MatchingSession, registration: Registration, producer_id: int
) -> MatchRequest:
    """A buyer asks a producer for a meeting; the producer answers it.

    Asking a producer that already marked the buyer "must meet" is no error: the pair
    becomes mutual interest. Asking again what is already asked or wanted changes nothing.
    """
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    if side_of(registration) != "buyer":
        raise PermissionDenied
    producer = _approved(producer_id, session.event_id, "exhibitor")
    row = _request_row(session, registration.id, producer.id)
    if row is not None:
        if row.kind == "block":
            if row.requested_by == "buyer":
                raise ServiceError(_l("You marked this producer as don't match; remove that first."))
            raise ServiceError(_l("This meeting can't be requested."))
        if row.kind == "must" and row.status == "open" and row.requested_by == "producer":
            # The producer had already marked this buyer "must meet": both want it.
            row.status, row.requested_by = "accepted", "producer"
            db.session.flush()
        if row.kind == "ask" and row.status == "declined":
            raise ServiceError(_l("The producer has declined this request."))
        return row  # already asked or wanted: asking again changes nothing
    row = MatchRequest(
        session_id=session.id,
        buyer_registration_id=registration.id,
        producer_registration_id=producer.id,
        kind="ask",
        status="open",
        requested_by="buyer",
    )
    db.session.add(row)
    db.session.flush()
    return row


def answer_ask(actor, request_row: MatchRequest, accept: bool) -> MatchRequest:
    """The producer accepts (the ask becomes a "must") or declines an open ask."""
    session = db.session.get(MatchingSession, request_row.session_id)
    producer = db.session.get(Registration, request_row.producer_registration_id)
    ensure_participant(actor, session, producer)
    _ensure_open(session)
    if request_row.kind != "ask" or request_row.status != "open":
        raise ServiceError(_l("This request has already been answered."))
    if accept:
        request_row.kind, request_row.status = "must", "accepted"
    else:
        request_row.status = "declined"
    db.session.flush()
    return request_row


def request_for(actor, request_id: int) -> MatchRequest:
    """A request the actor's organisation is a party to; PermissionDenied otherwise."""
    row = db.session.get(MatchRequest, request_id)
    if row is None:
        raise LookupError(request_id)
    for registration_id in (row.buyer_registration_id, row.producer_registration_id):
        registration = db.session.get(Registration, registration_id)
        if registration is not None and can_act_for(actor, registration):
            return row
    raise PermissionDenied


@dataclass(frozen=True)
class PairState:
    """A pair as one of its two sides sees it.

    code: "asked" (an open ask), "declined" (a declined ask), "accepted" (the producer
    accepted the buyer's ask), "mutual" (both marked it must meet), "must" (one side's
    must meet), "block" (one's own don't-match; the other side's is never shown).
    mine: the viewer wrote it (the ask, the mark); for "accepted" and "mutual", the viewer
    is the buyer. removable: the viewer can withdraw it.
    """

    code: str
    mine: bool
    row: MatchRequest
    other: Registration

    @property
    def removable(self) -> bool:
        return self.code == "mutual" or (self.mine and self.code != "declined")

    @property
    def wanted(self) -> bool:
        """The meeting is wanted by the viewer, by the other side or both (asked counts)."""
        return self.code in ("asked", "accepted", "mutual", "must")


def pair_state(row: MatchRequest, me: str, other: Registration) -> PairState | None:
    """The state of `row` seen from side `me` ("buyer" or "producer"); None when hidden."""
    mine = row.requested_by == me
    if row.kind == "block":
        return PairState("block", True, row, other) if mine else None
    if row.kind == "ask":
        return PairState("declined" if row.status == "declined" else "asked", mine, row, other)
    if row.status == "accepted":
        code = "mutual" if row.requested_by == "producer" else "accepted"
        return PairState(code, me == "buyer", row, other)
    return PairState("must", mine, row, other)


def pair_states(session: MatchingSession, registration: Registration) -> dict[int, PairState]:
    """Every pair of a participant in the session, by the other side's registration id.

    One statement, however many pairs: the rows come with the other registration and its
    organisation, so a page of cards reads states without a query per card.
    """
    me = side_of(registration)
    if me == "buyer":
        mine, theirs = MatchRequest.buyer_registration_id, MatchRequest.producer_registration_id
    else:
        mine, theirs = MatchRequest.producer_registration_id, MatchRequest.buyer_registration_id
    rows = db.session.execute(
        select(MatchRequest, Registration)
        .join(Registration, Registration.id == theirs)
        .where(MatchRequest.session_id == session.id, mine == registration.id)
        .order_by(MatchRequest.created_at, MatchRequest.id)
        .options(
            joinedload(Registration.organisation),
            lazyload(Registration.product_rows),
            lazyload(Registration.demand_rows),
        )
    ).all()
    states = {}
    for row, other in rows:
        state = pair_state(row, me, other)
        if state is not None:
            states[other.id] = state
    return states


@dataclass
class Preferences:
    """A participant's view of its requests, grouped for its page."""

    must: list[tuple[MatchRequest, Registration]] = field(default_factory=list)
    block: list[tuple[MatchRequest, Registration]] = field(default_factory=list)
    # The other side's "must meet" about us (its blocks are never shown: a block is private).
    wanted_by_them: list[tuple[MatchRequest, Registration]] = field(default_factory=list)
    asks_sent: list[tuple[MatchRequest, Registration]] = field(default_factory=list)
    asks_received: list[tuple[MatchRequest, Registration]] = field(default_factory=list)
    states: dict[int, PairState] = field(default_factory=dict)


def preferences(
    session: MatchingSession, registration: Registration, states: dict[int, PairState] | None = None
) -> Preferences:
    """The requests of a participant: its own marks, the pairs both sides want, the other
    side's marks about it, and the asks it sent or received."""
    me = side_of(registration)
    states = pair_states(session, registration) if states is None else states
    result = Preferences(states=states)
    for state in states.values():
        pair = (state.row, state.other)
        if state.code in ("asked", "declined", "accepted"):
            (result.asks_sent if me == "buyer" else result.asks_received).append(pair)
        if state.code in ("accepted", "mutual") or (state.code == "must" and state.mine):
            result.must.append(pair)
        elif state.code == "must":
            result.wanted_by_them.append(pair)
        elif state.code == "block":
            result.block.append(pair)
    return result


# ---------------------------------------------------------------- counterparts


@dataclass
class Counterpart:
    registration: Registration
    products: list[Product] = field(default_factory=list)
    demand: list[DemandLine] = field(default_factory=list)

    @property
    def organisation(self):
        return self.registration.organisation

    @property
    def categories(self) -> set[str]:
        return {p.category for p in self.products} | {d.category for d in self.demand}


def counterpart_products(registration: Registration) -> list[Product]:
    """The products a producer brings to the event (its whole range if it chose none)."""
    products = [row.product for row in registration.product_rows]
    return products or list(registration.organisation.products)


def counterpart_demand(registration: Registration) -> list[DemandLine]:
    """What a buyer looks for at the event (all its demand lines if it chose none)."""
    lines = [row.demand_line for row in registration.demand_rows]
    return lines or list(registration.organisation.demand_lines)


def counterparts(
    actor, event: Event, registration: Registration, category: str | None = None
) -> list[Counterpart]:
    """The approved participants on the other side, with what they bring; filtered by category."""
    if registration.event_id != event.id or not can_act_for(actor, registration):
        raise PermissionDenied
    query = (
        select(Registration)
        .where(
            Registration.event_id == event.id,
            Registration.role == _other_role(registration),
            Registration.status == "approved",
        )
        .options(selectinload(Registration.organisation))
    )
    if category and registration.role == "buyer":
        query = query.where(
            Registration.id.in_(
                select(RegistrationProduct.registration_id)
                .join(Product, Product.id == RegistrationProduct.product_id)
                .where(Product.category == category)
            )
            | Registration.organisation_id.in_(
                select(Product.organisation_id).where(Product.category == category)
            )
        )
    result = []
    for other in db.session.scalars(query):
        if other.role == "exhibitor":
            item = Counterpart(other, products=counterpart_products(other))
        else:
            item = Counterpart(other, demand=counterpart_demand(other))
        if category and category not in item.categories:
            continue
        result.append(item)
    result.sort(key=lambda item: item.organisation.name.casefold())
    return result


def producers_of_event(actor, event: Event, category: str | None = None) -> list[Counterpart]:
    """For a participating buyer: the event's approved producers and their products."""
    registration = participant_registration(actor, event)
    if registration.role != "buyer":
        raise PermissionDenied
    return counterparts(actor, event, registration, category)
