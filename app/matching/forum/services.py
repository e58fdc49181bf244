"""Networking forums, the requests side: who asks whom, who answers, what the organiser changes.

A forum session (MatchingSession.kind "forum") lets any approved participant of the event,
exhibitor or buyer, meet any other. A pair is one ForumRequest row (lower registration id as
`a`), whoever asked:

- a participant requests a meeting (status open, requested_by = itself, an optional note);
  the one asked accepts or declines it; the asker may cancel its own open request (the row
  goes). Asking someone who already asked you accepts theirs (mutual), never an error.
- either may block the other, whatever the pair held (status blocked, answered_by = the one
  who blocked); no request either way afterwards, until the one who blocked unblocks.
- refused: a request to oneself, to a registration that is not an approved participant of
  the same event, or for a pair already listed (either order; open, accepted or declined).
- the organiser adds pairs (accepted at once, requested_by None), removes them, sets their
  status, and keeps one to the morning or the afternoon (part_of_day); each change goes to
  the event log (signals.organiser_action).

Every function takes the acting user and plain values, changes objects and flushes; the
caller commits once. `accepted_pairs` and `part_of_day_slots` are what the forum's
scheduling reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload, lazyload

from app import signals
from app.catalog.models import DemandLine, Organisation, Product
from app.catalog.services import text_conditions
from app.data import vocab
from app.data.provinces import equivalent_codes, fold
from app.database import savepoint
from app.errors import PermissionDenied, ServiceError
from app.events.models import FINAL_EVENT_STATES, Event, Registration, RegistrationDemand, RegistrationProduct
from app.events.registrations.services import can_act_for
from app.events.services import can_manage
from app.extensions import db
from app.matching.engine.slots import Slot
from app.matching.models import PARTS_OF_DAY, MatchingSession, Meeting
from app.matching.models import ForumRequest as FR
from app.matching.sessions.services import slots_of
from app.paging import counted_page, rows_and_total

PER_PAGE = 24
ORGANISER_PER_PAGE = 50
PARTICIPANT_ROLES = ("exhibitor", "buyer")
SORTS = ("name", "province")
ORGANISER_SORTS = ("newest", "oldest", "status")
NOTE_MAX = 300
NOON = time(12, 0)

# What a participant reads on a card, by the pair's state seen from its side.
STATE_LABELS = {
    "none": _l("No request"),
    "asked": _l("You asked"),
    "asked_you": _l("They asked you"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "blocked": _l("Blocked"),
    # Blocked by the other (or by the organiser): told neutrally, never "you are blocked".
    "closed": _l("Not taking requests"),
}
STATUS_LABELS = {
    "open": _l("Open"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "blocked": _l("Blocked"),
}
PART_LABELS = {None: _l("Any time"), "morning": _l("Morning only"), "afternoon": _l("Afternoon only")}


# ---------------------------------------------------------------- sessions and who acts


def forum_session_of(event: Event) -> MatchingSession | None:
    """The event's networking forum (the latest, if an organiser made several), or None."""
    return db.session.scalar(
        select(MatchingSession)
        .where(MatchingSession.event_id == event.id, MatchingSession.kind == "forum")
        .order_by(MatchingSession.id.desc())
        .limit(1)
    )


def ensure_participant(actor, session: MatchingSession, registration: Registration) -> None:
    """The actor acts for `registration`, an approved participant of the forum's event."""
    if (
        session.kind != "forum"
        or registration.event_id != session.event_id
        or registration.status != "approved"
        or registration.role not in PARTICIPANT_ROLES
        or not can_act_for(actor, registration)
    ):
        raise PermissionDenied


def ensure_can_manage(actor, session: MatchingSession) -> None:
    """The event's organisers (and admins) manage its forum's requests."""
    if session.kind != "forum" or not can_manage(actor, session.event):
        raise PermissionDenied


def _ensure_open(session: MatchingSession) -> None:
    if session.event.state in FINAL_EVENT_STATES:
        raise ServiceError(_l("The event is over; matchmaking can no longer be changed."))


def _participant(session: MatchingSession, registration_id, field_name: str = "other") -> Registration:
    """An approved exhibitor or buyer of the session's event, or a ServiceError on `field_name`."""
    other = db.session.get(Registration, registration_id) if isinstance(registration_id, int) else None
    if (
        other is None
        or other.event_id != session.event_id
        or other.status != "approved"
        or other.role not in PARTICIPANT_ROLES
    ):
        raise ServiceError(_l("Choose an approved participant of this event."), field_name)
    return other


def pair_row(session: MatchingSession, first_id: int, second_id: int) -> FR | None:
    """The pair's row, in either order."""
    a, b = sorted((first_id, second_id))
    return db.session.scalar(
        select(FR).where(FR.session_id == session.id, FR.a_registration_id == a, FR.b_registration_id == b)
    )


def other_of(row: FR, registration_id: int) -> int:
    return row.b_registration_id if row.a_registration_id == registration_id else row.a_registration_id


def _involves(row: FR, registration_id: int) -> bool:
    return registration_id in (row.a_registration_id, row.b_registration_id)


# ---------------------------------------------------------------- a participant's requests


@dataclass(frozen=True)
class Requested:
    """What `request_meeting` did: "asked" (a new open request) or "mutual" (the other had
    already asked: its request is now accepted)."""

    row: FR
    outcome: str


def request_meeting(
    actor, session: MatchingSession, registration: Registration, other_id, note: str | None = None
) -> Requested:
    """`registration` asks participant `other_id` for a meeting, with an optional short note."""
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    if other_id == registration.id:
        raise ServiceError(_l("You can't request a meeting with yourself."), "other")
    other = _participant(session, other_id)
    if other.organisation_id == registration.organisation_id:
        raise ServiceError(_l("You can't request a meeting with your own organisation."), "other")
    note = " ".join((note or "").split()) or None
    if note is not None and len(note) > NOTE_MAX:
        raise ServiceError(_l("Keep the note to %(n)d characters.", n=NOTE_MAX), "note")
    row = pair_row(session, registration.id, other.id)
    if row is None:
        a, b = sorted((registration.id, other.id))
        candidate = FR(
            session_id=session.id,
            a_registration_id=a,
            b_registration_id=b,
            requested_by_id=registration.id,
            status="open",
            note=note,
        )
        row = _insert(session, candidate)
        if row is candidate:
            return Requested(row, "asked")
    return _request_listed(row, registration, other, note)  # listed already, or meanwhile


def _insert(session: MatchingSession, row: FR) -> FR:
    """Insert a new pair's row; if the pair's row was written meanwhile (a double click, or the
    other side asking at the same moment: uq_forum_pair), the row as it is now instead."""
    try:
        with savepoint(db.session):
            db.session.add(row)
    except IntegrityError:
        existing = pair_row(session, row.a_registration_id, row.b_registration_id)
        if existing is None:
            raise
        return existing
    return row


def _request_listed(row: FR, registration: Registration, other: Registration, note: str | None) -> Requested:
    """`registration` asks `other` for a meeting whose pair is already listed (`row`)."""
    if row.status == "blocked":
        raise _blocked_error(row, registration.id)
    if row.status == "open" and row.requested_by_id == other.id:
        # They had asked us: asking them back is accepting.
        row.status, row.answered_by_id = "accepted", registration.id
        if note and not row.note:
            row.note = note
        db.session.flush()
        return Requested(row, "mutual")
    if row.status == "open":
        raise ServiceError(_l("You have already asked for this meeting; wait for the answer."), "other")
    if row.status == "accepted":
        raise ServiceError(_l("This meeting is already accepted."), "other")
    if row.answered_by_id == registration.id:
        raise ServiceError(
            _l("You declined this meeting; accept it from your requests page instead."), "other"
        )
    raise ServiceError(_l("This meeting was declined; it can't be requested again."), "other")


def _blocked_error(row: FR, registration_id: int) -> ServiceError:
    if row.answered_by_id == registration_id:
        return ServiceError(_l("You blocked this participant; unblock it first."), "other")
    # Blocked by the other or by the organiser: said neutrally (a block is private to who set it).
    return ServiceError(_l("This participant doesn't take meeting requests in this forum."), "other")


def _own_row(session: MatchingSession, registration: Registration, request_id) -> FR:
    row = db.session.get(FR, request_id) if isinstance(request_id, int) else None
    if row is None or row.session_id != session.id or not _involves(row, registration.id):
        raise PermissionDenied
    return row


def answer_request(
    actor, session: MatchingSession, registration: Registration, request_id, accept: bool
) -> FR:
    """The one asked accepts or declines an open request; one who declined may still accept later."""
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    row = _own_row(session, registration, request_id)
    asked_me = row.requested_by_id is not None and row.requested_by_id != registration.id
    changeable = row.status == "open" or (
        row.status == "declined" and accept and row.answered_by_id == registration.id
    )
    if not asked_me or not changeable:
        raise ServiceError(_l("This request is not waiting for your answer."))
    row.status = "accepted" if accept else "declined"
    row.answered_by_id = registration.id
    db.session.flush()
    return row


def cancel_request(actor, session: MatchingSession, registration: Registration, request_id) -> None:
    """The asker withdraws its own request while it is still open."""
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    row = _own_row(session, registration, request_id)
    if row.requested_by_id != registration.id or row.status != "open":
        raise ServiceError(_l("Only your own open requests can be cancelled."))
    db.session.delete(row)
    db.session.flush()


def block(actor, session: MatchingSession, registration: Registration, other_id) -> FR:
    """No meeting with `other_id`, either way: whatever the pair held becomes blocked."""
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    if other_id == registration.id:
        raise ServiceError(_l("You can't block yourself."), "other")
    other = _participant(session, other_id)
    row = pair_row(session, registration.id, other.id)
    if row is None:
        a, b = sorted((registration.id, other.id))
        row = _insert(
            session,
            FR(
                session_id=session.id,
                a_registration_id=a,
                b_registration_id=b,
                requested_by_id=registration.id,
                status="blocked",
                answered_by_id=registration.id,
            ),
        )
    if row.status == "blocked":
        return row  # already blocked, by either
    row.status, row.answered_by_id = "blocked", registration.id
    db.session.flush()
    return row


def unblock(actor, session: MatchingSession, registration: Registration, other_id) -> None:
    """Lift one's own block (the pair has no request afterwards)."""
    ensure_participant(actor, session, registration)
    _ensure_open(session)
    row = pair_row(session, registration.id, other_id) if isinstance(other_id, int) else None
    if row is None or row.status != "blocked" or row.answered_by_id != registration.id:
        raise ServiceError(_l("You have not blocked this participant."), "other")
    db.session.delete(row)
    db.session.flush()


def state_of(row: FR | None, registration_id: int) -> str:
    """The pair seen from `registration_id`: none, asked, asked_you, accepted, declined, blocked
    (by this participant), closed (blocked by the other, or by the organiser)."""
    if row is None:
        return "none"
    if row.status == "open":
        return "asked" if row.requested_by_id == registration_id else "asked_you"
    if row.status == "blocked" and row.answered_by_id != registration_id:
        return "closed"
    return row.status


# ---------------------------------------------------------------- browsing the participants


@dataclass
class Filters:
    role: str | None = None
    province: str | None = None  # a current province's code
    group: str | None = None  # an OCOP group
    text: str | None = None
    sort: str = "name"

    def args(self) -> dict:
        values = {"role": self.role, "province": self.province, "group": self.group, "q": self.text}
        values["sort"] = self.sort if self.sort != "name" else None
        return {k: v for k, v in values.items() if v}


@dataclass
class Card:
    """Another participant as a card shows it, with the pair's state seen from the viewer."""

    registration: Registration
    organisation: Organisation
    products: list[Product] = field(default_factory=list)
    demand: list[DemandLine] = field(default_factory=list)
    row: FR | None = None
    state: str = "none"


def _categories_matching(text: str) -> list[str]:
    """The category codes whose code or label (in the reader's language) holds `text`."""
    words = fold(text).split()
    found = []
    for code, (_group, label) in vocab.CATEGORIES.items():
        haystack = fold(f"{code.replace('_', ' ')} {label}")
        if all(word in haystack for word in words):
            found.append(code)
    return found


def _escaped(text: str) -> str:
    """`text` for a LIKE pattern, its wildcards taken literally (escape character "/")."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def _browse_query(session: MatchingSession, registration: Registration, filters: Filters):
    query = (
        select(Registration, Organisation)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.event_id == session.event_id,
            Registration.status == "approved",
            Registration.role.in_(PARTICIPANT_ROLES),
            Registration.id != registration.id,
            Registration.organisation_id != registration.organisation_id,  # nobody meets itself
        )
    )
    if filters.role in PARTICIPANT_ROLES:
        query = query.where(Registration.role == filters.role)
    if filters.province:
        query = query.where(Organisation.province_code.in_(equivalent_codes(filters.province)))
    if filters.group in vocab.OCOP_GROUPS:
        group_categories = [
            code for code, (group, _label) in vocab.CATEGORIES.items() if group == filters.group
        ]
        query = query.where(
            or_(
                Organisation.id.in_(
                    select(Product.organisation_id).where(Product.ocop_group == filters.group)
                ),
                Organisation.id.in_(
                    select(DemandLine.organisation_id).where(DemandLine.category.in_(group_categories))
                ),
            )
        )
    if filters.text:
        categories = _categories_matching(filters.text)
        offers = select(Product.organisation_id).where(
            or_(and_(*text_conditions(Product.search_text, filters.text)), Product.category.in_(categories))
        )
        # A demand line's category only: its note is the buyer's own (private) words.
        seeks = select(DemandLine.organisation_id).where(DemandLine.category.in_(categories))
        query = query.where(
            or_(
                and_(*text_conditions(Organisation.search_text, filters.text)),
                Organisation.id.in_(offers),
                Organisation.id.in_(seeks),
            )
        )
    if filters.sort == "province":
        return query.order_by(Organisation.province_code, Organisation.name, Registration.id)
    return query.order_by(Organisation.name, Registration.id)


def browse(session: MatchingSession, registration: Registration, filters: Filters, page: int = 1):
    """A page (PER_PAGE) of the other approved participants, filtered and sorted, each with what
    it offers or seeks and the pair's state. Five statements whatever the page holds."""
    rows, total = rows_and_total(_browse_query(session, registration, filters), page=page, per_page=PER_PAGE)
    cards = [Card(reg, org) for reg, org in rows]
    by_id = {card.registration.id: card for card in cards}
    ids = list(by_id)
    # What each offers: the products it brings (its whole range when it chose none).
    chosen = db.session.execute(
        select(RegistrationProduct.registration_id, Product)
        .join(Product, Product.id == RegistrationProduct.product_id)
        .where(RegistrationProduct.registration_id.in_(ids))
        .order_by(Product.name_vi, Product.id)
        .options(lazyload(Product.standard_rows))
    ).all()
    for registration_id, product in chosen:
        by_id[registration_id].products.append(product)
    whole = {
        card.organisation.id: card
        for card in cards
        if card.registration.role == "exhibitor" and not card.products
    }
    for product in db.session.scalars(
        select(Product)
        .where(Product.organisation_id.in_(whole))
        .order_by(Product.name_vi, Product.id)
        .options(lazyload(Product.standard_rows))
    ):
        _same_org_cards(cards, product.organisation_id, "products", product, "exhibitor")
    # What each seeks: the demand lines it registered with (all of them when it chose none).
    lines = db.session.execute(
        select(RegistrationDemand.registration_id, DemandLine)
        .join(DemandLine, DemandLine.id == RegistrationDemand.demand_line_id)
        .where(RegistrationDemand.registration_id.in_(ids))
        .order_by(DemandLine.id)
        .options(lazyload(DemandLine.standard_rows), lazyload(DemandLine.province_rows))
    ).all()
    for registration_id, line in lines:
        by_id[registration_id].demand.append(line)
    wanting = [
        card.organisation.id for card in cards if card.registration.role == "buyer" and not card.demand
    ]
    for line in db.session.scalars(
        select(DemandLine)
        .where(DemandLine.organisation_id.in_(wanting))
        .order_by(DemandLine.id)
        .options(lazyload(DemandLine.standard_rows), lazyload(DemandLine.province_rows))
    ):
        _same_org_cards(cards, line.organisation_id, "demand", line, "buyer")
    # The pair's state, seen from the viewer.
    for row in db.session.scalars(
        select(FR).where(
            FR.session_id == session.id,
            or_(
                and_(FR.a_registration_id == registration.id, FR.b_registration_id.in_(ids)),
                and_(FR.b_registration_id == registration.id, FR.a_registration_id.in_(ids)),
            ),
        )
    ):
        card = by_id[other_of(row, registration.id)]
        card.row, card.state = row, state_of(row, registration.id)
    return counted_page(cards, total, page=page, per_page=PER_PAGE)


def _same_org_cards(cards: list[Card], organisation_id: int, attribute: str, item, role: str) -> None:
    for card in cards:
        if card.organisation.id == organisation_id and card.registration.role == role:
            items = getattr(card, attribute)
            if len(items) < 50:
                items.append(item)


# ---------------------------------------------------------------- a participant's own requests


@dataclass
class MyRequests:
    incoming: list[tuple[FR, Registration]] = field(default_factory=list)  # they asked, still open
    outgoing: list[tuple[FR, Registration]] = field(default_factory=list)  # we asked, still open
    accepted: list[tuple[FR, Registration]] = field(default_factory=list)
    declined: list[tuple[FR, Registration]] = field(default_factory=list)
    blocked: list[tuple[FR, Registration]] = field(default_factory=list)  # our own blocks only


def my_requests(actor, session: MatchingSession, registration: Registration) -> MyRequests:
    """Every pair of the participant in the forum, grouped; one statement. Someone else's block of
    us shows as nothing (a block is private to the one who set it)."""
    ensure_participant(actor, session, registration)
    other = aliased(Registration)
    rows = db.session.execute(
        select(FR, other)
        .join(
            other,
            other.id
            == func.coalesce(
                func.nullif(FR.a_registration_id, registration.id),
                func.nullif(FR.b_registration_id, registration.id),
            ),
        )
        .where(
            FR.session_id == session.id,
            or_(FR.a_registration_id == registration.id, FR.b_registration_id == registration.id),
        )
        .order_by(FR.created_at.desc(), FR.id.desc())
        .options(joinedload(other.organisation), lazyload(other.product_rows), lazyload(other.demand_rows))
    ).all()
    result = MyRequests()
    for row, them in rows:
        state = state_of(row, registration.id)
        if state == "asked_you":
            result.incoming.append((row, them))
        elif state == "asked":
            result.outgoing.append((row, them))
        elif state == "accepted":
            result.accepted.append((row, them))
        elif state == "declined":
            result.declined.append((row, them))
        elif state == "blocked":
            result.blocked.append((row, them))
    return result


# ---------------------------------------------------------------- the organiser's list


def participants(session: MatchingSession) -> list[tuple[int, str]]:
    """(registration id, organisation name) of the event's approved participants, by name."""
    rows = db.session.execute(
        select(Registration.id, Organisation.name)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.event_id == session.event_id,
            Registration.status == "approved",
            Registration.role.in_(PARTICIPANT_ROLES),
        )
        .order_by(Organisation.name, Registration.id)
    ).all()
    return [(registration_id, name) for registration_id, name in rows]


def requests_page(
    session: MatchingSession,
    *,
    status: str | None = None,
    participant: int | None = None,
    sort: str = "newest",
    page: int = 1,
):
    """A page of the forum's requests (ORGANISER_PER_PAGE), with both sides; one statement."""
    side_a, side_b = aliased(Registration), aliased(Registration)
    org_a, org_b = aliased(Organisation), aliased(Organisation)
    query = (
        select(FR, side_a, org_a, side_b, org_b)
        .join(side_a, side_a.id == FR.a_registration_id)
        .join(org_a, org_a.id == side_a.organisation_id)
        .join(side_b, side_b.id == FR.b_registration_id)
        .join(org_b, org_b.id == side_b.organisation_id)
        .where(FR.session_id == session.id)
    )
    if status in STATUS_LABELS:
        query = query.where(FR.status == status)
    if participant is not None:
        query = query.where(or_(FR.a_registration_id == participant, FR.b_registration_id == participant))
    if sort == "oldest":
        query = query.order_by(FR.created_at, FR.id)
    elif sort == "status":
        query = query.order_by(FR.status, FR.created_at.desc(), FR.id.desc())
    else:
        query = query.order_by(FR.created_at.desc(), FR.id.desc())
    rows, total = rows_and_total(query, page=page, per_page=ORGANISER_PER_PAGE)
    return counted_page([tuple(row) for row in rows], total, page=page, per_page=ORGANISER_PER_PAGE)


def status_counts(session: MatchingSession) -> dict[str, int]:
    rows = db.session.execute(
        select(FR.status, func.count()).where(FR.session_id == session.id).group_by(FR.status)
    ).all()
    return {status: count for status, count in rows}


def request_of(session: MatchingSession, request_id: int) -> FR | None:
    row = db.session.get(FR, request_id)
    return row if row is not None and row.session_id == session.id else None


def _subject(session: MatchingSession, row: FR) -> str:
    a = db.session.get(Registration, row.a_registration_id)
    b = db.session.get(Registration, row.b_registration_id)
    return f"{session.name}: {a.organisation.name} ↔ {b.organisation.name}"


def _log(actor, session: MatchingSession, action: str, row: FR, changes: dict) -> None:
    signals.organiser_action.send(
        actor, event_id=session.event_id, action=action, subject=_subject(session, row), changes=changes
    )


def add_pair(actor, session: MatchingSession, first_id, second_id, part_of_day: str | None = None) -> FR:
    """The organiser adds a pair: accepted at once (requested_by None)."""
    ensure_can_manage(actor, session)
    _ensure_open(session)
    if part_of_day not in (None, *PARTS_OF_DAY):
        raise ServiceError(_l("Choose morning, afternoon or any time."), "part_of_day")
    first = _participant(session, first_id, "first")
    second = _participant(session, second_id, "second")
    if first.id == second.id:
        raise ServiceError(_l("Choose two different participants."), "second")
    if first.organisation_id == second.organisation_id:
        raise ServiceError(_l("These two registrations are of the same organisation."), "second")
    a, b = sorted((first.id, second.id))
    row = pair_row(session, first.id, second.id)
    if row is None:
        candidate = FR(
            session_id=session.id,
            a_registration_id=a,
            b_registration_id=b,
            requested_by_id=None,
            status="accepted",
            part_of_day=part_of_day,
        )
        row = _insert(session, candidate)
        if row is not candidate:  # written meanwhile
            _raise_listed(row)
    else:
        _raise_listed(row)
    _log(actor, session, "forum_pair_added", row, {"status": "accepted", "part of day": part_of_day or "any"})
    return row


def _raise_listed(row: FR) -> None:
    if row.status == "blocked" and row.answered_by_id is not None:
        raise ServiceError(_l("One of the two blocked the other; the pair can't be added."), "second")
    raise ServiceError(_l("This pair is already listed; change its status instead."), "second")


def remove_pair(actor, session: MatchingSession, row: FR) -> None:
    ensure_can_manage(actor, session)
    _ensure_open(session)
    if row.session_id != session.id:
        raise PermissionDenied
    _log(actor, session, "forum_pair_removed", row, {"status": row.status})
    db.session.delete(row)
    db.session.flush()


def set_status(actor, session: MatchingSession, row: FR, status: str) -> FR:
    ensure_can_manage(actor, session)
    _ensure_open(session)
    if row.session_id != session.id:
        raise PermissionDenied
    if status not in STATUS_LABELS:
        raise ServiceError(_l("Choose a status."), "status")
    if status != row.status and row.status == "blocked" and row.answered_by_id is not None:
        raise ServiceError(
            _l("A participant blocked this pair; only that participant can lift the block."), "status"
        )
    if status == "open" and row.requested_by_id is None and row.status != "open":
        raise ServiceError(
            _l("Nobody asked for this pair, so nobody could answer it: accept, decline or block it."),
            "status",
        )
    if status != row.status:
        _log(actor, session, "forum_pair_changed", row, {"status": [row.status, status]})
        row.status = status
        row.answered_by_id = None  # the organiser's answer
        db.session.flush()
    return row


def set_part_of_day(actor, session: MatchingSession, row: FR, part: str | None) -> FR:
    ensure_can_manage(actor, session)
    _ensure_open(session)
    if row.session_id != session.id:
        raise PermissionDenied
    if part not in (None, *PARTS_OF_DAY):
        raise ServiceError(_l("Choose morning, afternoon or any time."), "part_of_day")
    if part != row.part_of_day:
        _log(
            actor,
            session,
            "forum_pair_changed",
            row,
            {"part of day": [row.part_of_day or "any", part or "any"]},
        )
        row.part_of_day = part
        db.session.flush()
    return row


def has_requests(session: MatchingSession) -> bool:
    return db.session.scalar(select(FR.id).where(FR.session_id == session.id).limit(1)) is not None


def has_meetings(session: MatchingSession) -> bool:
    return db.session.scalar(select(Meeting.id).where(Meeting.session_id == session.id).limit(1)) is not None


# ---------------------------------------------------------------- what scheduling reads


def part_of_day_slots(
    session: MatchingSession, part: str | None, slots: list[Slot] | None = None
) -> list[int]:
    """The slot indexes a pair kept to `part` may use: "morning", those whose local start is before
    12:00; "afternoon", at or after 12:00; None, every slot. `slots`: the session's, when the
    caller has them already."""
    if slots is None:
        slots = slots_of(session)
    if part is None:
        return [slot.index for slot in slots]
    if part not in PARTS_OF_DAY:
        raise ValueError(part)
    morning = part == "morning"
    return [slot.index for slot in slots if (slot.start.time().replace(tzinfo=None) < NOON) == morning]


def accepted_pairs(session: MatchingSession) -> list[FR]:
    """The forum's accepted requests (what must be scheduled), in pair order; one query."""
    return list(
        db.session.scalars(
            select(FR)
            .where(FR.session_id == session.id, FR.status == "accepted")
            .order_by(FR.a_registration_id, FR.b_registration_id)
        )
    )
