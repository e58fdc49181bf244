"""Matchmaking sessions: settings, capacity check, running the solver, hand edits, publication, repair.

The organiser's pages and commands call these functions; they take the acting
user and plain values, change objects and flush; the caller commits once.
Only the event's organisers (events.services.can_manage) may call them.

Participants are the event's approved registrations: buyers "b<registration
id>", producers "p<registration id>" in the solver's instance
(specs/matching-format.md). Scores come from app.matching.engine.scoring; the
schedule from the pure solver. A published meeting never moves by itself:
re-solving (repair) keeps every published meeting fixed, and a removed one
stays as a cancelled row with a higher sequence so calendars drop it.

Publishing, moving a published meeting and cancelling one send app.signals
(meetings_published, meeting_moved, meeting_cancelled) once the change is flushed; the
participants' mails are queued by the agenda feature's receivers (app.matching.agenda.mail).
"""

from __future__ import annotations

import json
import math
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, time
from typing import TYPE_CHECKING

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, insert, or_, select, update

from app import i18n, signals
from app.catalog.models import (
    DemandLine,
    DemandProvince,
    DemandStandard,
    Organisation,
    Product,
    ProductStandard,
)
from app.data.provinces import current_code
from app.data.vocab import UNIT_BASE
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration, RegistrationDemand, RegistrationProduct
from app.events.registrations.services import can_act_for, event_last_day
from app.events.services import can_manage, to_local
from app.extensions import db
from app.matching.engine import scoring
from app.matching.engine.slots import BreakError, Slot, parse_breaks, session_slots
from app.matching.memory import services as memory
from app.matching.models import (
    SESSION_KINDS,
    Availability,
    ForumRequest,
    MatchingSession,
    MatchRequest,
    Meeting,
)
from app.names import LANGUAGES, table_label
from app.names import table_labels as named_table_labels
from app.tasks import progress

if TYPE_CHECKING:
    from app.matching.engine.candidates import Candidates

SESSION_FIELDS = (
    "name",
    "name_en",
    "name_fr",
    "first_day",
    "last_day",
    "day_start",
    "day_end",
    "meeting_minutes",
    "gap_minutes",
    "breaks",
    "tables",
    "table_names",
    "table_names_en",
    "table_names_fr",
    "max_meetings_per_buyer",
    "max_meetings_per_producer",
)
OPTIONAL_TEXTS = ("name_en", "name_fr", "breaks", "table_names", "table_names_en", "table_names_fr")
DEFAULTS = {
    "day_start": time(8, 30),
    "day_end": time(11, 30),
    "meeting_minutes": 20,
    "gap_minutes": 5,
    "breaks": "",
    "tables": 20,
    "table_names": "",
    "table_names_en": "",
    "table_names_fr": "",
    "max_meetings_per_buyer": 8,
    "max_meetings_per_producer": 8,
}
ACTIVE = ("scheduled", "held", "no_show")  # a meeting that is not cancelled
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to type from paper
CODE_LENGTH = 8
CODE_CHECK_CHUNK = 5000  # codes looked up in the database in one query
# A random byte to a code symbol: 256 is a multiple of the alphabet's 32 symbols, so each is as likely.
_CODE_SYMBOLS = bytes(ord(CODE_ALPHABET[b % len(CODE_ALPHABET)]) for b in range(256))
DEFAULT_TIME_LIMIT = 20.0  # seconds the solver may take in a web request


# ---------------------------------------------------------------- permissions


def ensure_can_manage_session(actor, session: MatchingSession) -> None:
    if not can_manage(actor, session.event):
        raise PermissionDenied


def ensure_can_manage_event(actor, event: Event) -> None:
    if not can_manage(actor, event):
        raise PermissionDenied


def can_see_meeting(actor, meeting: Meeting) -> bool:
    """The event's organisers (and admins) see any of its meetings; either side's users see it
    once it is published (their agenda shows it)."""
    if can_manage(actor, meeting.session.event):
        return True
    return meeting.published and (can_act_for(actor, meeting.buyer) or can_act_for(actor, meeting.producer))


# ---------------------------------------------------------------- settings


def sessions_of(event: Event) -> list[MatchingSession]:
    return list(
        db.session.scalars(
            select(MatchingSession)
            .where(MatchingSession.event_id == event.id)
            .order_by(MatchingSession.first_day, MatchingSession.id)
        )
    )


def event_days(event: Event) -> tuple[date, date]:
    """The event's first and last calendar day in its own time zone."""
    return to_local(event, event.starts_at).date(), event_last_day(event)


def default_values(event: Event) -> dict:
    """A new session's settings: on the days and hours of the programme's matchmaking items
    when it has some (the hours of the first), otherwise the event's first morning."""
    first, _ = event_days(event)
    default_name = {}
    for locale in LANGUAGES:  # the default name, in each language, for every reader
        with force_locale(locale):
            default_name[locale] = str(_l("B2B matchmaking"))
    values = DEFAULTS | {
        "name": default_name["vi"],
        "name_en": default_name["en"],
        "name_fr": default_name["fr"],
        "first_day": first,
        "last_day": first,
    }
    items = sorted(
        (item for item in event.programme if item.kind == "matchmaking" and not item.cancelled),
        key=lambda item: item.starts_at,
    )
    if items:
        starts, ends = to_local(event, items[0].starts_at), to_local(event, items[0].ends_at)
        values |= {"first_day": starts.date(), "last_day": to_local(event, items[-1].starts_at).date()}
        if ends.date() == starts.date() and ends.time() > starts.time():
            values |= {
                "day_start": starts.time().replace(tzinfo=None),
                "day_end": ends.time().replace(tzinfo=None),
            }
    return values


def slots_of(session: MatchingSession) -> list[Slot]:
    return session_slots(session, session.event.timezone)


def weights_of(session: MatchingSession) -> dict[str, float]:
    """The seven profile terms' weights (the history term's is history_weight_of)."""
    stored = json.loads(session.weights_json) if session.weights_json else {}
    return scoring.normalise_weights(stored)


def history_weight_of(session: MatchingSession) -> float:
    """The weight of memory across events (the "history" term, kept in weights_json): 0 is off."""
    stored = json.loads(session.weights_json) if session.weights_json else {}
    return scoring.history_weight(stored)


def table_labels(session: MatchingSession) -> list[tuple[str, str]]:
    """(label, lang) of each table, for the reader (app/names.py)."""
    return named_table_labels(session)


def break_error_message(error: BreakError) -> str:
    """What the organiser reads, in its language, for a break the parser refused."""
    if error.code == "order":
        return _l("“%(item)s”: a break must end after it starts.", **error.params)
    if error.code == "time":
        return _l("“%(item)s”: %(time)s is not a time of day.", **error.params)
    return _l(
        "“%(item)s”: write a break as HH:MM-HH:MM, e.g. 12:00-13:30 lunch; separate breaks with commas.",
        **error.params,
    )


def _int_between(values: dict, name: str, low: int, high: int, message) -> list[ServiceError]:
    value = values.get(name)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        return [ServiceError(message, name)]
    return []


def validate_session(event: Event, values: dict) -> list[ServiceError]:
    """Every problem of the settings `values` (all SESSION_FIELDS and `weights`), one per field."""
    errors: list[ServiceError] = []
    if values.get("kind", "bipartite") not in SESSION_KINDS:
        errors.append(ServiceError(_l("Choose the kind of session."), "kind"))
    if not (values.get("name") or "").strip():
        errors.append(ServiceError(_l("Give the session a name."), "name"))
    first, last = event_days(event)
    first_day, last_day = values.get("first_day"), values.get("last_day")

    def in_event(day) -> bool:
        return isinstance(day, date) and first <= day <= last

    for name, day in (("first_day", first_day), ("last_day", last_day)):
        if not in_event(day):
            message = _l(
                "Choose a day of the event (%(first)s – %(last)s).",
                first=first.isoformat(),
                last=last.isoformat(),
            )
            errors.append(ServiceError(message, name))
    if in_event(last_day) and isinstance(first_day, date) and last_day < first_day:
        errors.append(ServiceError(_l("The last day can't be before the first day."), "last_day"))
    start, end = values.get("day_start"), values.get("day_end")
    if not isinstance(start, time):
        errors.append(ServiceError(_l("Give the start time."), "day_start"))
    if not isinstance(end, time):
        errors.append(ServiceError(_l("Give the end time."), "day_end"))
    elif isinstance(start, time) and end <= start:
        errors.append(ServiceError(_l("The day must end after it starts."), "day_end"))
    errors += _int_between(values, "meeting_minutes", 5, 240, _l("A meeting lasts 5 to 240 minutes."))
    errors += _int_between(values, "gap_minutes", 0, 120, _l("The gap is 0 to 120 minutes."))
    errors += _int_between(values, "tables", 1, 5000, _l("Give 1 to 5,000 tables."))
    errors += _int_between(
        values, "max_meetings_per_buyer", 0, 200, _l("A cap is a whole number from 0 to 200.")
    )
    errors += _int_between(
        values, "max_meetings_per_producer", 0, 200, _l("A cap is a whole number from 0 to 200.")
    )
    try:
        parse_breaks(values.get("breaks") or "")
    except BreakError as error:
        errors.append(ServiceError(break_error_message(error), "breaks"))
    weights = values.get("weights") or {}
    bad = [name for name in weights if name not in scoring.DEFAULT_WEIGHTS and name != "history"]
    profile_terms = {k: v for k, v in weights.items() if k != "history"}  # history may be 0 alone
    if bad:
        errors.append(ServiceError(_l("Unknown score term: %(names)s.", names=", ".join(bad)), "weights"))
    elif any(value is None or not 0 <= float(value) <= 1 for value in weights.values()):
        errors.append(ServiceError(_l("Each weight is a number from 0 to 1."), "weights"))
    elif profile_terms and sum(float(v) for v in profile_terms.values()) <= 0:
        errors.append(ServiceError(_l("At least one weight must be above zero."), "weights"))
    if not errors:
        probe = MatchingSession(**{k: values[k] for k in SESSION_FIELDS if k != "name"})
        if not session_slots(probe, event.timezone):
            errors.append(
                ServiceError(
                    _l("These settings leave no meeting slot: lengthen the day or shorten the breaks."),
                    "day_end",
                )
            )
    return errors


def _raise_first(errors: list[ServiceError]) -> None:
    if errors:
        raise errors[0]


def _apply(session: MatchingSession, values: dict) -> None:
    if values.get("kind"):
        session.kind = values["kind"]
    for key in SESSION_FIELDS:
        if key in values:
            value = values[key].strip() if isinstance(values[key], str) else values[key]
            if key in ("name_en", "name_fr"):
                value = value or None
            setattr(session, key, value)
    if "weights" in values:
        weights = {k: round(float(v), 4) for k, v in (values["weights"] or {}).items()}
        stored = scoring.normalise_weights(weights)
        if "history" in weights:
            stored["history"] = scoring.history_weight(weights)
        elif session.weights_json and "history" in json.loads(session.weights_json):
            stored["history"] = history_weight_of(session)  # kept when only the other terms change
        session.weights_json = json.dumps(stored, sort_keys=True)


def create_session(actor, event: Event, **fields) -> MatchingSession:
    """A new matchmaking session of `event`; missing settings take the defaults."""
    ensure_can_manage_event(actor, event)
    values = default_values(event) | {k: v for k, v in fields.items() if v is not None}
    _raise_first(validate_session(event, values))
    session = MatchingSession(event=event, event_id=event.id, state="draft")
    _apply(session, values)
    if session.weights_json is None:
        session.weights_json = json.dumps(scoring.DEFAULT_WEIGHTS, sort_keys=True)
    db.session.add(session)
    db.session.flush()
    _log(actor, session, "matching_settings_changed", changes=_settings_changes({}, _settings(session)))
    return session


def _settings(session: MatchingSession) -> dict:
    """The session's settings as the event log shows them (plain values)."""
    values = {"kind": session.kind} | {key: getattr(session, key) for key in SESSION_FIELDS}
    values["weights"] = ", ".join(f"{k} {v:g}" for k, v in sorted(weights_of(session).items()))
    return {key: ("" if value is None else value) for key, value in values.items()}


def _settings_changes(before: dict, after: dict) -> dict:
    """{setting: [before, after]} for each setting that changed (every one, for a new session)."""
    return {
        key: [before[key], value] if key in before else value
        for key, value in after.items()
        if key not in before or before[key] != value
    }


def update_session(actor, session: MatchingSession, **fields) -> MatchingSession:
    """Change the settings; published meetings must keep their slot and table."""
    ensure_can_manage_session(actor, session)
    current = {key: getattr(session, key) for key in SESSION_FIELDS} | {"weights": weights_of(session)}
    values = current | {k: v for k, v in fields.items() if v is not None or k in OPTIONAL_TEXTS}
    for key in ("breaks", "table_names", "table_names_en", "table_names_fr"):
        values[key] = values.get(key) or ""
    _raise_first(validate_session(session.event, values))
    settings_before = _settings(session)
    if values.get("kind") and values["kind"] != session.kind:
        _ensure_kind_changeable(session)
        # The last run's figures are the other kind's (buyer/producer or a/b sides): a run with
        # no meeting left them; they go, and the session is a draft again.
        session.last_run_json = None
        session.solved_at = None
        session.state = "draft"
    before = {s.index: s.start for s in slots_of(session)}
    _apply(session, values)
    after = {s.index: s.start for s in slots_of(session)}
    for meeting in _meetings(session, published=True):
        if after.get(meeting.slot) != before.get(meeting.slot) or meeting.table >= session.tables:
            raise ServiceError(
                _l(
                    "These settings would move meetings already published; "
                    "remove those meetings first or keep the times and tables."
                ),
                "day_start",
            )
    db.session.flush()
    if changes := _settings_changes(settings_before, _settings(session)):
        _log(actor, session, "matching_settings_changed", changes=changes)
    return session


def _ensure_kind_changeable(session: MatchingSession) -> None:
    """A session's kind is fixed once it has meetings or forum requests (the other kind can't read them)."""
    meeting = db.session.scalar(select(Meeting.id).where(Meeting.session_id == session.id).limit(1))
    asked = db.session.scalar(select(ForumRequest.id).where(ForumRequest.session_id == session.id).limit(1))
    if meeting is not None or asked is not None:
        raise ServiceError(
            _l("The kind can't be changed: this session already has meetings or forum requests."), "kind"
        )


# ---------------------------------------------------------------- participants and profiles


def approved_registrations(event: Event) -> tuple[list[Registration], list[Registration]]:
    """The event's approved buyers and exhibitors (producers), by registration id."""
    rows = list(
        db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event.id, Registration.status == "approved")
            .order_by(Registration.id)
        )
    )
    return [r for r in rows if r.role == "buyer"], [r for r in rows if r.role == "exhibitor"]


def approved_counts(event: Event) -> tuple[int, int]:
    """How many buyers and exhibitors (producers) of `event` are approved (one query)."""
    rows = db.session.execute(
        select(Registration.role, func.count())
        .where(Registration.event_id == event.id, Registration.status == "approved")
        .group_by(Registration.role)
    ).all()
    counts = dict(rows)
    return counts.get("buyer", 0), counts.get("exhibitor", 0)


@dataclass(frozen=True)
class Participant:
    """An approved registration as the matching reads it (no ORM object: a national event has 11,000)."""

    id: int  # the registration's id
    role: str  # "buyer" or "exhibitor"
    province: str | None


def person_id(registration: Registration | Participant) -> str:
    return ("b" if registration.role == "buyer" else "p") + str(registration.id)


def _approved(role: str) -> tuple:
    return Registration.status == "approved", Registration.role == role


def _current(province: str | None) -> str | None:
    """The current province of a recorded one: the engine compares provinces by current code,
    so a buyer preferring Bắc Ninh finds the producers recorded in Bắc Giang."""
    return current_code(province) or province


def load_participants(
    event: Event,
) -> tuple[list[Participant], list[Participant], list[scoring.BuyerProfile], list[scoring.ProducerProfile]]:
    """The approved buyers and producers of `event` with their profiles, by registration id.

    Six queries whatever the event's size (registrations, products, their standards, demand lines,
    their standards and their provinces), read as plain rows: no lazy load per registration.
    """
    in_event = Registration.event_id == event.id
    rows = db.session.execute(
        select(Registration.id, Registration.role, Organisation.province_code)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(in_event, Registration.status == "approved")
        .order_by(Registration.id)
    ).all()
    people = [Participant(rid, role, province) for rid, role, province in rows]
    buyers = [p for p in people if p.role == "buyer"]
    producers = [p for p in people if p.role == "exhibitor"]

    product_standards: dict[int, set[str]] = defaultdict(set)
    for product_id, standard in db.session.execute(
        select(ProductStandard.product_id, ProductStandard.standard)
        .join(RegistrationProduct, RegistrationProduct.product_id == ProductStandard.product_id)
        .join(Registration, Registration.id == RegistrationProduct.registration_id)
        .where(in_event, *_approved("exhibitor"))
    ):
        product_standards[product_id].add(standard)
    offers: dict[int, list[scoring.Offer]] = defaultdict(list)
    for (
        registration_id,
        product_id,
        category,
        stars,
        expiry,
        capacity,
        capacity_unit,
        low,
        high,
        unit,
    ) in db.session.execute(
        select(
            RegistrationProduct.registration_id,
            Product.id,
            Product.category,
            Product.stars,
            Product.certificate_expiry,
            Product.capacity_per_month,
            Product.capacity_unit,
            Product.price_min,
            Product.price_max,
            Product.price_unit,
        )
        .join(Product, Product.id == RegistrationProduct.product_id)
        .join(Registration, Registration.id == RegistrationProduct.registration_id)
        # Only a certificate an organiser verified makes an offer; one revoked or rejected after
        # the application is no offer (its expiry is the engine's to weigh, on the event's day).
        .where(in_event, *_approved("exhibitor"), Product.certificate_status == "verified")
        .order_by(RegistrationProduct.registration_id, Product.id)
    ):
        offers[registration_id].append(
            scoring.Offer(
                category=category,
                stars=stars,
                certificate_expiry=expiry,
                standards=frozenset(product_standards.get(product_id, ())),
                capacity=float(capacity) if capacity is not None else None,
                capacity_unit=capacity_unit,
                price_min=float(low) if low else None,
                price_max=float(high) if high else None,
                price_unit=unit,
            )
        )

    line_standards: dict[int, set[str]] = defaultdict(set)
    for line_id, standard in db.session.execute(
        select(DemandStandard.demand_line_id, DemandStandard.standard)
        .join(RegistrationDemand, RegistrationDemand.demand_line_id == DemandStandard.demand_line_id)
        .join(Registration, Registration.id == RegistrationDemand.registration_id)
        .where(in_event, *_approved("buyer"))
    ):
        line_standards[line_id].add(standard)
    line_provinces: dict[int, set[str]] = defaultdict(set)
    for line_id, province in db.session.execute(
        select(DemandProvince.demand_line_id, DemandProvince.province_code)
        .join(RegistrationDemand, RegistrationDemand.demand_line_id == DemandProvince.demand_line_id)
        .join(Registration, Registration.id == RegistrationDemand.registration_id)
        .where(in_event, *_approved("buyer"))
    ):
        line_provinces[line_id].add(_current(province))
    lines: dict[int, list[scoring.Demand]] = defaultdict(list)
    for registration_id, line_id, category, volume, unit, min_stars, ceiling in db.session.execute(
        select(
            RegistrationDemand.registration_id,
            DemandLine.id,
            DemandLine.category,
            DemandLine.monthly_volume,
            DemandLine.unit,
            DemandLine.min_stars,
            DemandLine.price_ceiling,
        )
        .join(DemandLine, DemandLine.id == RegistrationDemand.demand_line_id)
        .join(Registration, Registration.id == RegistrationDemand.registration_id)
        .where(in_event, *_approved("buyer"))
        .order_by(RegistrationDemand.registration_id, DemandLine.id)
    ):
        lines[registration_id].append(
            scoring.Demand(
                category=category,
                monthly_volume=float(volume) if volume is not None else None,
                unit=unit,
                required_standards=frozenset(line_standards.get(line_id, ())),
                min_stars=min_stars or 1,
                preferred_provinces=frozenset(line_provinces.get(line_id, ())),
                price_ceiling=float(ceiling) if ceiling else None,
            )
        )
    buyer_profiles = [
        scoring.BuyerProfile(person_id(b), tuple(lines.get(b.id, ())), _current(b.province)) for b in buyers
    ]
    producer_profiles = [
        scoring.ProducerProfile(person_id(p), tuple(offers.get(p.id, ())), _current(p.province))
        for p in producers
    ]
    return buyers, producers, buyer_profiles, producer_profiles


def _requests(session: MatchingSession, ids: set[str]) -> list[dict]:
    rows = db.session.scalars(select(MatchRequest).where(MatchRequest.session_id == session.id))
    out = []
    for row in rows:
        buyer, producer = f"b{row.buyer_registration_id}", f"p{row.producer_registration_id}"
        if buyer in ids and producer in ids:
            out.append(
                {
                    "buyer": buyer,
                    "producer": producer,
                    "kind": row.kind,
                    "status": row.status,
                    "requested_by": row.requested_by,
                }
            )
    return out


def availability_of(session: MatchingSession, n_slots: int) -> dict[int, list[int]]:
    """Per registration with an availability row: the slot indexes it chose, in range, sorted."""
    rows = db.session.scalars(select(Availability).where(Availability.session_id == session.id))
    out = {}
    for row in rows:
        try:
            chosen = json.loads(row.slots_json or "[]")
        except ValueError:
            chosen = []
        out[row.registration_id] = sorted({int(s) for s in chosen if isinstance(s, int) and 0 <= s < n_slots})
    return out


def kept_meetings(session: MatchingSession) -> list[Meeting]:
    """The meetings a run keeps in place: active ones that are published or placed by hand, in
    slot and table order (both kinds of session)."""
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.session_id == session.id,
                Meeting.status.in_(ACTIVE),
                or_(Meeting.published.is_(True), Meeting.fixed.is_(True)),
            )
            .order_by(Meeting.slot, Meeting.table, Meeting.id)
        )
    )


def sort_kept(kept: list[Meeting], *, sides, present, free, blocked, n_slots: int, tables: int):
    """The kept meetings a run can hold (fixed) and the others with why (infeasible), and how many
    fixed meetings each person has: for both kinds of session, whose people have other keys.

    sides(meeting) gives the meeting's two people's keys; present(key) whether that person still
    takes part; free(key, slot) whether that person is available in the slot; blocked the pairs
    of keys no longer to meet. A meeting is refused when a person withdrew, its slot or table is
    out of range, a side is unavailable, the pair is blocked, or its slot or table is taken by an
    earlier kept meeting (slot and table order).
    """
    fixed: list[Meeting] = []
    infeasible: list[tuple[Meeting, str]] = []
    person_busy: set[tuple] = set()
    table_busy: set[tuple[int, int]] = set()
    fixed_count: dict = defaultdict(int)
    for meeting in kept:
        x, y = sides(meeting)
        problem = None
        if not present(x) or not present(y):
            problem = "withdrawn"
        elif meeting.slot >= n_slots or meeting.table >= tables:
            problem = "slot"
        elif not free(x, meeting.slot) or not free(y, meeting.slot):
            problem = "unavailable"
        elif (x, y) in blocked:
            problem = "blocked"
        elif (x, meeting.slot) in person_busy or (y, meeting.slot) in person_busy:
            problem = "double_booked"
        elif (meeting.slot, meeting.table) in table_busy:
            problem = "table"
        if problem:
            infeasible.append((meeting, problem))
            continue
        person_busy |= {(x, meeting.slot), (y, meeting.slot)}
        table_busy.add((meeting.slot, meeting.table))
        fixed_count[x] += 1
        fixed_count[y] += 1
        fixed.append(meeting)
    return fixed, infeasible, fixed_count


def _meetings(
    session: MatchingSession, *, published: bool | None = None, active: bool = True
) -> list[Meeting]:
    query = select(Meeting).where(Meeting.session_id == session.id)
    if active:
        query = query.where(Meeting.status.in_(ACTIVE))
    if published is not None:
        query = query.where(Meeting.published.is_(published))
    return list(db.session.scalars(query.order_by(Meeting.slot, Meeting.table, Meeting.id)))


# ---------------------------------------------------------------- the instance


@dataclass
class Prepared:
    """What the solver gets, and what the app needs to read its answer."""

    instance: dict
    candidates: Candidates  # the scored candidate pairs (only their scores; explain() for the reasons)
    slots: list[Slot]
    registrations: dict[str, Participant]
    fixed: list[Meeting]  # kept where they are
    infeasible: list[tuple[Meeting, str]] = field(default_factory=list)  # kept meetings that can't stay

    def breakdown(self, buyer: str, producer: str) -> dict | None:
        """ "Why this match" of one pair (score_pair, computed now), or None if it is no candidate."""
        result = self.candidates.explain(buyer, producer)
        return result.breakdown() if result else None


def prepare(session: MatchingSession) -> Prepared:
    """Build the solver's instance from the database (see build_instance).

    A bounded number of queries whatever the event's size (load_participants, then the requests,
    the pairs' history at earlier events, the availability and the kept meetings); the
    candidates are scored by array operations (app.matching.engine.candidates) and hold only
    their scores.
    """
    from app.matching.engine.candidates import score_candidates

    event = session.event
    slots = slots_of(session)
    n_slots = len(slots)
    progress.phase("loading")
    buyers, producers, buyer_profiles, producer_profiles = load_participants(event)
    registrations = {person_id(r): r for r in (*buyers, *producers)}
    requests = _requests(session, set(registrations))
    history_weight = history_weight_of(session)
    # Memory across events: one statement, whatever the number of pairs (app.matching.memory).
    history = memory.engine_history(event) if history_weight > 0 else {}
    progress.phase("scoring")
    candidates = score_candidates(
        buyer_profiles,
        producer_profiles,
        on=session.last_day,
        requests=requests,
        weights=weights_of(session),
        unit_base=UNIT_BASE,
        history=history,
        history_weight=history_weight,
    )
    availability = availability_of(session, n_slots)

    def available(registration: Participant) -> set[int]:
        chosen = availability.get(registration.id)
        return set(range(n_slots)) if chosen is None else set(chosen)

    _interest, blocked = scoring.interest_of(requests)
    # A pair whose published meeting was cancelled is not proposed again in this session.
    cancelled = db.session.execute(
        select(Meeting.buyer_registration_id, Meeting.producer_registration_id).where(
            Meeting.session_id == session.id, Meeting.published.is_(True), Meeting.status == "cancelled"
        )
    )
    for buyer_id, producer_id in cancelled:
        key = (f"b{buyer_id}", f"p{producer_id}")
        if key[0] in registrations and key[1] in registrations:
            blocked.add(key)
    must = [key for key, who in _must_pairs(requests).items() if who]

    kept = kept_meetings(session)
    fixed, infeasible, fixed_count = sort_kept(
        kept,
        sides=lambda m: (f"b{m.buyer_registration_id}", f"p{m.producer_registration_id}"),
        present=registrations.__contains__,
        free=lambda person, slot: slot in available(registrations[person]),
        blocked=blocked,
        n_slots=n_slots,
        tables=session.tables,
    )

    pairs = [{"buyer": b, "producer": p, "score": score} for b, p, score in candidates.pairs()]
    listed = {(pair["buyer"], pair["producer"]) for pair in pairs}
    for meeting in fixed:
        key = (f"b{meeting.buyer_registration_id}", f"p{meeting.producer_registration_id}")
        if key not in listed:  # the profiles changed since; the meeting keeps its score
            pairs.append({"buyer": key[0], "producer": key[1], "score": min(1.0, max(0.01, meeting.score))})
            listed.add(key)

    def person(registration: Participant, cap: int) -> dict:
        pid = person_id(registration)
        entry = {"id": pid, "max_meetings": max(cap, fixed_count[pid])}
        if registration.id in availability:
            entry["available_slots"] = availability[registration.id]
        return entry

    instance = {
        "format": "ocopfair.matching/1",
        "session": {
            "timezone": event.timezone,
            "slots": [{"id": s.index, "start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots],
            "tables": session.tables,
        },
        "buyers": [person(r, session.max_meetings_per_buyer) for r in buyers],
        "producers": [person(r, session.max_meetings_per_producer) for r in producers],
        "pairs": pairs,
        "requests": [{"buyer": b, "producer": p, "kind": "must"} for b, p in must if (b, p) not in blocked]
        + [{"buyer": b, "producer": p, "kind": "block"} for b, p in sorted(blocked)],
        "fixed": [
            {
                "buyer": f"b{m.buyer_registration_id}",
                "producer": f"p{m.producer_registration_id}",
                "slot": m.slot,
                "table": m.table,
            }
            for m in fixed
        ],
    }
    return Prepared(instance, candidates, slots, registrations, fixed, infeasible)


def _must_pairs(requests: list[dict]) -> dict[tuple[str, str], bool]:
    """must requests, and asks the producer accepted (they become must)."""
    out: dict[tuple[str, str], bool] = {}
    for request in requests:
        key = (request["buyer"], request["producer"])
        kind, status = request["kind"], request.get("status")
        if (kind == "must" and status != "declined") or (kind == "ask" and status == "accepted"):
            out[key] = True
    return out


def build_instance(session: MatchingSession) -> dict:
    """The instance of specs/matching-format.md for `session`.

    Buyers and producers are the approved registrations ("b<id>", "p<id>");
    pairs are the scored candidates; requests are must / block rows, accepted
    asks (must) and declined asks (block); fixed are the published and
    hand-placed meetings that can still take place.
    """
    return prepare(session).instance


# ---------------------------------------------------------------- capacity check


@dataclass
class CapacityReport:
    participants: int
    pairs: int
    slots: int
    tables: int
    demand: int  # meetings the candidates allow under the caps (exact b-matching, no slot limits)
    with_availability: int  # ... with each person's capacity capped at their free slots
    slots_needed: int  # fewest slots that hold `demand` meetings (unlimited tables)
    tables_needed: int  # fewest tables that hold `demand` meetings in the configured slots
    capacity: int  # slots × tables
    fits: bool
    advice: list = field(default_factory=list)  # lazy strings


def _max_meetings(pb, pp, cap, forced=None) -> tuple[int, int]:
    """The size and the largest degree of a maximum b-matching (exact, via the LP)."""
    import numpy as np

    from app.matching.engine.selection import max_weight_bmatching

    if pb.size == 0:
        return 0, 0
    result = max_weight_bmatching(pb, pp, np.ones(pb.size), cap, None, forced)
    chosen = result.chosen
    degree = np.bincount(np.concatenate([pb[chosen], pp[chosen]]), minlength=cap.size)
    return int(chosen.size), int(degree.max(initial=0))


def capacity_check(session: MatchingSession) -> CapacityReport:
    """Can the configuration hold what the candidates allow? If not, what to change."""
    if session.kind == "forum":
        from app.matching.forum import scheduling as forum

        return forum.capacity_check(session)
    import numpy as np  # here and in the solver's modules, not at the top: it is slow to import

    prepared = prepare(session)
    inst = prepared.instance
    people = [*inst["buyers"], *inst["producers"]]
    number = {p["id"]: v for v, p in enumerate(people)}
    n_slots = len(prepared.slots)
    blocked = {(r["buyer"], r["producer"]) for r in inst["requests"] if r["kind"] == "block"}
    pairs = [p for p in inst["pairs"] if (p["buyer"], p["producer"]) not in blocked]
    pb = np.array([number[p["buyer"]] for p in pairs], dtype=np.int64)
    pp = np.array([number[p["producer"]] for p in pairs], dtype=np.int64)
    caps = np.array([p["max_meetings"] for p in people], dtype=np.int64)
    free = np.array([len(p.get("available_slots", range(n_slots))) for p in people], dtype=np.int64)
    fixed_keys = {(f["buyer"], f["producer"]) for f in inst["fixed"]}
    forced = np.array([(p["buyer"], p["producer"]) in fixed_keys for p in pairs], dtype=bool)

    demand, max_degree = _max_meetings(pb, pp, caps, forced)
    with_availability, _ = _max_meetings(pb, pp, np.minimum(caps, free), forced)
    # Fewest slots: the smallest S whose caps min(cap, S) still allow `demand` meetings (König:
    # without availability limits S slots then suffice).
    low, high = (1 if demand else 0), max_degree
    while low < high:
        middle = (low + high) // 2
        if _max_meetings(pb, pp, np.minimum(caps, middle))[0] >= demand:
            high = middle
        else:
            low = middle + 1
    slots_needed = low
    tables_needed = math.ceil(demand / n_slots) if n_slots else 0
    capacity = n_slots * session.tables
    advice = []
    step = session.meeting_minutes + session.gap_minutes
    if slots_needed > n_slots:
        extra = slots_needed - n_slots
        advice.append(
            _l(
                "The busiest participants could hold %(needed)d meetings but the session has "
                "%(slots)d slots: add %(extra)d slots (about %(minutes)d more minutes, "
                "another day, or shorter meetings).",
                needed=slots_needed,
                slots=n_slots,
                extra=extra,
                minutes=extra * step,
            )
        )
    if tables_needed > session.tables:
        advice.append(
            _l(
                "%(demand)d meetings in %(slots)d slots need at least %(needed)d tables: "
                "add %(extra)d tables or lengthen the day.",
                demand=demand,
                slots=n_slots,
                needed=tables_needed,
                extra=tables_needed - session.tables,
            )
        )
    if with_availability < demand:
        advice.append(
            _l(
                "Participants' availability limits the meetings to at most %(count)d of %(demand)d; "
                "ask them to open more slots.",
                count=with_availability,
                demand=demand,
            )
        )
    return CapacityReport(
        participants=len(people),
        pairs=len(pairs),
        slots=n_slots,
        tables=session.tables,
        demand=demand,
        with_availability=with_availability,
        slots_needed=slots_needed,
        tables_needed=tables_needed,
        capacity=capacity,
        fits=slots_needed <= n_slots and tables_needed <= session.tables,
        advice=advice,
    )


# ---------------------------------------------------------------- running the solver


@dataclass(frozen=True)
class NewMeeting:
    """A meeting a run placed, as written by the bulk insert (no ORM object: a national run writes 24,000)."""

    buyer_registration_id: int
    producer_registration_id: int
    slot: int
    table: int
    score: float
    checkin_code: str


@dataclass
class RunResult:
    added: list[NewMeeting]
    kept: int
    dropped: list[tuple[Meeting, str]]
    stats: dict
    unscheduled: list[dict]
    candidates: int = 0  # candidate pairs the solver could choose from


def _new_codes(count: int) -> list[str]:
    """`count` fresh check-in codes, unique among themselves and in the database.

    Drawn together (one random byte a symbol: the alphabet has 32) and checked against the
    database CODE_CHECK_CHUNK at a time: one query for a province, a few for a national event.
    """
    codes: set[str] = set()
    while len(codes) < count:
        wanted = count - len(codes)
        symbols = secrets.token_bytes(wanted * CODE_LENGTH).translate(_CODE_SYMBOLS).decode("ascii")
        batch = {symbols[k : k + CODE_LENGTH] for k in range(0, len(symbols), CODE_LENGTH)} - codes
        listed = sorted(batch)
        for start in range(0, len(listed), CODE_CHECK_CHUNK):
            chunk = listed[start : start + CODE_CHECK_CHUNK]
            batch -= set(
                db.session.scalars(select(Meeting.checkin_code).where(Meeting.checkin_code.in_(chunk)))
            )
        codes |= batch
    return list(codes)


def _registration_number(pid: str) -> int:
    return int(pid[1:])


def _delete_unplaced(session: MatchingSession) -> None:
    """Delete the unpublished meetings the solver placed (not those placed by hand), in one statement."""
    db.session.execute(
        delete(Meeting).where(
            Meeting.session_id == session.id,
            Meeting.status.in_(ACTIVE),
            Meeting.published.is_(False),
            Meeting.fixed.is_(False),
        )
    )


def _drop_infeasible(prepared: Prepared) -> None:
    """Kept meetings that can no longer take place: published ones are cancelled, others released."""
    for meeting, _problem in prepared.infeasible:
        if meeting.published:
            meeting.status = "cancelled"
            meeting.sequence += 1
            meeting.fixed = False  # cancelled by the run, not by hand: a forum places the pair again
        else:
            db.session.delete(meeting)
    db.session.flush()


def _prepare_any(session: MatchingSession):
    """The solver's instance of either kind of session: buyers and producers (prepare) or a
    networking forum's participants (app.matching.forum.scheduling.prepare)."""
    if session.kind == "forum":
        from app.matching.forum import scheduling as forum

        return forum.prepare(session)
    return prepare(session)


def _solve(session: MatchingSession, prepared: Prepared, time_limit: float | None, *, publish: bool):
    """Solve, store the new meetings (the kept ones stay untouched) and the run's figures."""
    if session.kind == "forum":
        from app.matching.forum import scheduling as forum

        return forum.solve_into(session, prepared, time_limit, publish=publish)
    from app.matching.engine.solver import solve  # numpy and scipy come with it

    schedule = solve(prepared.instance, time_limit=time_limit, on_phase=progress.phase)
    progress.phase("writing")
    kept = {
        (f"b{m.buyer_registration_id}", f"p{m.producer_registration_id}", m.slot, m.table)
        for m in prepared.fixed
    }
    new = [m for m in schedule["meetings"] if (m["buyer"], m["producer"], m["slot"], m["table"]) not in kept]
    codes = _new_codes(len(new))
    # "Why this match" for the meetings written only (score_pair again), then one bulk insert.
    rows = [
        {
            "session_id": session.id,
            "buyer_registration_id": _registration_number(item["buyer"]),
            "producer_registration_id": _registration_number(item["producer"]),
            "slot": item["slot"],
            "table": item["table"],
            "score": item["score"],
            "why_json": json.dumps(prepared.breakdown(item["buyer"], item["producer"]), ensure_ascii=False),
            "status": "scheduled",
            "published": publish,
            "fixed": False,
            "sequence": 0,
            "checkin_code": code,
        }
        for item, code in zip(new, codes, strict=True)
    ]
    if rows:  # one executemany of a plain INSERT: no ORM object, nor ORM bookkeeping, per row
        db.session.execute(insert(Meeting.__table__), rows)
    added = [
        NewMeeting(
            row["buyer_registration_id"],
            row["producer_registration_id"],
            row["slot"],
            row["table"],
            row["score"],
            row["checkin_code"],
        )
        for row in rows
    ]
    met = {m["buyer"] for m in schedule["meetings"]} | {m["producer"] for m in schedule["meetings"]}
    candidates = prepared.candidates.degrees()
    session.last_run_json = json.dumps(
        {
            "stats": schedule["stats"],
            "unscheduled": schedule["unscheduled"],
            "pairs": len(prepared.instance["pairs"]),
            "excluded": prepared.candidates.excluded,
            "candidates": candidates,
            "no_meeting": sorted(pid for pid, n in candidates.items() if n and pid not in met),
            "dropped": [
                {"meeting": m.id, "problem": problem, "published": m.published}
                for m, problem in prepared.infeasible
            ],
            "ran_at": utcnow().isoformat(),
        },
        ensure_ascii=False,
    )
    session.solved_at = utcnow()
    db.session.flush()
    refresh_summary(session)
    return schedule, added


def refresh_summary(session: MatchingSession) -> None:
    """Store the schedule's figures in last_run_json["summary"] (the session page reads them
    there instead of aggregating the whole schedule on every view): called by whatever changes
    the session's meetings (the run, a repair, a move, a removal)."""
    from app.matching.sessions import grid  # grid reads this module's helpers

    db.session.flush()
    try:
        last_run = json.loads(session.last_run_json) if session.last_run_json else {}
    except ValueError:
        last_run = {}
    if not isinstance(last_run, dict):
        last_run = {}
    last_run.pop("summary", None)
    last_run["summary"] = grid.schedule_summary(session, last_run)
    session.last_run_json = json.dumps(last_run, ensure_ascii=False)
    db.session.flush()


def ensure_can_run(session: MatchingSession) -> None:
    """A published session is repaired, not run again (a run would replace published meetings)."""
    if session.state == "published":
        raise ServiceError(_l("The session is published: use Repair to absorb changes."))


def run_matching(
    actor, session: MatchingSession, *, time_limit: float | None = DEFAULT_TIME_LIMIT
) -> RunResult:
    """Solve the session; unpublished meetings are replaced, published and hand-placed ones stay."""
    ensure_can_manage_session(actor, session)
    ensure_can_run(session)
    prepared = _prepare_any(session)
    _drop_infeasible(prepared)
    _delete_unplaced(session)  # the old rows go before new ones for the same pairs arrive
    schedule, added = _solve(session, prepared, time_limit, publish=False)
    session.state = "solved"
    db.session.flush()
    _log(
        actor,
        session,
        "matching_run",
        changes={"meetings added": len(added), "infeasible": len(prepared.infeasible)},
    )
    return RunResult(
        added,
        len(prepared.fixed),
        prepared.infeasible,
        schedule["stats"],
        schedule["unscheduled"],
        candidates=prepared.candidates if session.kind == "forum" else len(prepared.candidates),
    )


# ---------------------------------------------------------------- hand edits


def slot_text(session: MatchingSession, slots: list[Slot], index: int) -> str:
    """A slot as plain text for the event log ("#3"), with its times when it exists."""
    if 0 <= index < len(slots):
        return f"#{index + 1} {slots[index].start:%Y-%m-%d %H:%M}"
    return f"#{index + 1}"


def _log(
    actor, session: MatchingSession, action: str, *, meeting: Meeting | None = None, changes: dict
) -> None:
    """Tell the event log (signals.organiser_action) what an organiser did to a session."""
    subject = session.name
    if meeting is not None:
        subject = f"{session.name}: {meeting.buyer.organisation.name} ↔ {meeting.producer.organisation.name}"
    signals.organiser_action.send(
        actor, event_id=session.event_id, action=action, subject=subject, changes=changes
    )


def _ensure_editable(meeting: Meeting) -> None:
    if meeting.status != "scheduled":
        raise ServiceError(_l("Only a scheduled meeting can be changed."))


def move_meeting(actor, meeting: Meeting, slot: int, table: int) -> Meeting:
    """Put a meeting in another slot and table by hand; it stays there when re-solving.

    Refused when it would double-book the buyer, the producer or the table, put someone in a
    slot they are not available, or (in a networking forum) take a pair the organiser kept to
    the morning or the afternoon out of that part of the day.
    """
    session = meeting.session
    ensure_can_manage_session(actor, session)
    # Two organisers moving meetings at once must not both take one table: serialise on the session.
    db.session.execute(
        select(MatchingSession.id).where(MatchingSession.id == session.id).with_for_update(key_share=True)
    )
    _ensure_editable(meeting)
    slots = slots_of(session)
    if not 0 <= slot < len(slots):
        raise ServiceError(_l("This slot does not exist."), "slot")
    if not 0 <= table < session.tables:
        raise ServiceError(_l("This table does not exist (1 to %(tables)d).", tables=session.tables), "table")
    if (slot, table) == (meeting.slot, meeting.table):
        return meeting
    before = (slot_text(session, slots, meeting.slot), table_label(session, meeting.table)[0])
    availability = availability_of(session, len(slots))
    for registration_id, registration in (
        (meeting.buyer_registration_id, meeting.buyer),
        (meeting.producer_registration_id, meeting.producer),
    ):
        if registration_id in availability and slot not in availability[registration_id]:
            raise ServiceError(
                _l("%(name)s is not available in this slot.", name=registration.organisation.name), "slot"
            )
    _ensure_part_of_day(session, meeting, slots, slot)
    others = [m for m in _meetings(session) if m.id != meeting.id and m.slot == slot]
    for registration_id, registration in (
        (meeting.buyer_registration_id, meeting.buyer),
        (meeting.producer_registration_id, meeting.producer),
    ):
        if any(registration_id in (o.buyer_registration_id, o.producer_registration_id) for o in others):
            raise ServiceError(
                _l("%(name)s already has a meeting in this slot.", name=registration.organisation.name),
                "slot",
            )
    for other in others:
        if other.table == table:
            raise ServiceError(
                _l(
                    "%(table)s is taken in this slot (%(buyer)s ↔ %(producer)s).",
                    table=table_label(session, table)[0],
                    buyer=other.buyer.organisation.name,
                    producer=other.producer.organisation.name,
                ),
                "table",
            )
    meeting.slot, meeting.table = slot, table
    meeting.fixed = True
    if meeting.published:
        meeting.sequence += 1
        db.session.flush()
        signals.meeting_moved.send(meeting)
    db.session.flush()
    refresh_summary(session)
    _log(
        actor,
        session,
        "meeting_moved",
        meeting=meeting,
        changes={
            "slot": [before[0], slot_text(session, slots, slot)],
            "table": [before[1], table_label(session, table)[0]],
        },
    )
    return meeting


def forum_pair_part_of_day(session: MatchingSession, meeting: Meeting) -> str | None:
    """The part of the day ("morning", "afternoon") the organiser kept a forum meeting's pair to;
    None for any time, or for a buyer–producer session's meeting. One statement for a forum."""
    if session.kind != "forum":
        return None
    return db.session.scalar(
        select(ForumRequest.part_of_day).where(
            ForumRequest.session_id == session.id,
            ForumRequest.a_registration_id == meeting.buyer_registration_id,
            ForumRequest.b_registration_id == meeting.producer_registration_id,
        )
    )


def _ensure_part_of_day(session: MatchingSession, meeting: Meeting, slots: list[Slot], slot: int) -> None:
    """A forum meeting whose pair the organiser kept to the morning or the afternoon stays in it."""
    from app.matching.forum.services import part_of_day_slots

    part = forum_pair_part_of_day(session, meeting)
    if part is None or slot in part_of_day_slots(session, part, slots):
        return
    if part == "morning":
        message = _l("This meeting is kept to the morning: choose a slot starting before 12:00.")
    else:
        message = _l("This meeting is kept to the afternoon: choose a slot starting at 12:00 or later.")
    raise ServiceError(message, "slot")


def remove_meeting(actor, meeting: Meeting) -> None:
    """Remove a meeting. A published one stays as cancelled (sequence + 1) so calendars drop it,
    and both sides are told; an unpublished one is deleted."""
    session = meeting.session
    ensure_can_manage_session(actor, session)
    _ensure_editable(meeting)
    _log(actor, session, "meeting_removed", meeting=meeting, changes={"published": meeting.published})
    if meeting.published:
        meeting.status = "cancelled"
        meeting.sequence += 1
        meeting.fixed = True  # on a cancelled meeting: removed by hand (a forum won't place the pair again)
        db.session.flush()
        signals.meeting_cancelled.send(meeting)
    else:
        db.session.delete(meeting)
    db.session.flush()
    refresh_summary(session)


# ---------------------------------------------------------------- publication and repair


def publish(actor, session: MatchingSession) -> int:
    """Publish the schedule: every participant with meetings gets one mail with its agenda.

    Returns the number of participants notified.
    """
    ensure_can_manage_session(actor, session)
    if session.state == "published":
        raise ServiceError(_l("The session is already published."))
    active = (Meeting.session_id == session.id, Meeting.status.in_(ACTIVE))
    pairs = db.session.execute(
        select(Meeting.buyer_registration_id, Meeting.producer_registration_id).where(*active)
    ).all()
    if session.state != "solved" or not pairs:
        raise ServiceError(_l("Run the matching first: there is no meeting to publish."))
    # One UPDATE for the whole schedule (24,000 meetings at a national conference).
    db.session.execute(
        update(Meeting).where(*active).values(published=True, updated_at=utcnow()),
        execution_options={"synchronize_session": "evaluate"},
    )
    session.state = "published"
    session.published_at = utcnow()
    db.session.flush()
    people = {buyer for buyer, _producer in pairs} | {producer for _buyer, producer in pairs}
    signals.meetings_published.send(session, people=people)
    _log(actor, session, "matching_published", changes={"meetings": len(pairs), "participants": len(people)})
    return len(people)


@dataclass
class RepairResult:
    added: list[NewMeeting]
    cancelled: list[tuple[Meeting, str]]
    notified: set[int]  # registration ids
    stats: dict
    unscheduled: list[dict]


def published_meetings(session: MatchingSession) -> list[Meeting]:
    """Every published meeting of the session, cancelled ones included (what calendars have seen)."""
    return _meetings(session, published=True, active=False)


def agenda_snapshot(session: MatchingSession) -> dict[int, set[tuple]]:
    """Per registration: its published meetings as they appear in its calendar."""
    snapshot: dict[int, set[tuple]] = defaultdict(set)
    for m in published_meetings(session):
        row = (m.id, m.slot, m.table, m.status, m.sequence)
        snapshot[m.buyer_registration_id].add(row)
        snapshot[m.producer_registration_id].add(row)
    return snapshot


def repair(actor, session: MatchingSession, *, time_limit: float | None = DEFAULT_TIME_LIMIT) -> RepairResult:
    """After publication: absorb late registrations, withdrawals and changed availability.

    Every published meeting that can still take place stays exactly where it is;
    those that can't (a participant withdrew or is no longer available then)
    are cancelled. New meetings are added and published at once. Only the
    participants whose agenda changed are notified: meeting_cancelled for each cancelled
    meeting, then meetings_published (update=True) for those with new meetings.
    """
    ensure_can_manage_session(actor, session)
    if session.state != "published":
        raise ServiceError(_l("Repair is for a published session; run the matching instead."))
    before = agenda_snapshot(session)
    prepared = _prepare_any(session)
    cancelled = list(prepared.infeasible)
    if cancelled:
        _drop_infeasible(prepared)
        prepared = _prepare_any(session)  # the cancelled pairs are now blocked, the rest stays fixed
    _delete_unplaced(session)
    schedule, added = _solve(session, prepared, time_limit, publish=True)
    published_now: list[Meeting | NewMeeting] = list(added)
    for meeting in _meetings(session, published=False):  # hand-placed before a repair: publish them too
        meeting.published = True
        published_now.append(meeting)
    db.session.flush()
    after = agenda_snapshot(session)
    changed = {rid for rid in set(before) | set(after) if before.get(rid, set()) != after.get(rid, set())}
    for meeting, _problem in cancelled:
        if meeting.published:
            signals.meeting_cancelled.send(meeting)
    people = {m.buyer_registration_id for m in published_now} | {
        m.producer_registration_id for m in published_now
    }
    if people:
        signals.meetings_published.send(session, people=people, update=True)
    _log(
        actor,
        session,
        "matching_repaired",
        changes={"meetings added": len(published_now), "meetings cancelled": len(cancelled)},
    )
    return RepairResult(added, cancelled, changed, schedule["stats"], schedule["unscheduled"])


# ---------------------------------------------------------------- text


def slot_label(slot: Slot) -> str:
    """A slot on a page, in the reader's language: "Dec 23, 2026, 8:30 AM–8:50 AM"."""
    return i18n.time_range(slot.start, slot.end, slot.start.tzinfo)


# ---------------------------------------------------------------- the session page


UNMET_REASONS = {
    "one of the two asked not to be matched with the other": _l(
        "one of the two asked not to be matched with the other"
    ),
    "not a candidate pair": _l("not a candidate: the products don't match what the buyer is looking for"),
    "takes no meetings": _l("one of the two takes no meetings"),
    "no common free slot: the two are never available at the same time": _l(
        "the two are never available at the same time"
    ),
    "is fully booked by meetings already published": _l(
        "one of the two is fully booked by published meetings"
    ),
    "has more must-meet requests": _l("one of the two has more must-meet requests than it can hold"),
    "is fully booked": _l("one of the two is fully booked"),
    "no common free slot: every slot both can attend": _l(
        "every slot both can attend is taken by other meetings"
    ),
    "every table is taken in the slots": _l("every table is taken in the slots both can attend"),
    "every table in every slot is taken": _l("every table in every slot is taken"),
}


def unmet_reason(reason: str):
    """The solver's English reason for an unmet must request, in the reader's language when known."""
    for key, text in UNMET_REASONS.items():
        if key in reason:
            return text
    return reason


def overview(session: MatchingSession):
    """The session page's figures, from aggregations whatever the session's size
    (app.matching.sessions.grid, which also pages and filters the meetings)."""
    from app.matching.sessions import grid  # grid reads this module's helpers

    return grid.overview(session)


# ---------------------------------------------------------------- next year's event

# A clone keeps every setting but its days (moved to the new dates), and the weights too.
SESSION_COPIED = (*(f for f in SESSION_FIELDS if f not in ("first_day", "last_day")), "weights_json")


@signals.event_cloned.connect
def _copy_session_settings(event: Event, *, source: Event, days, **_extra) -> None:
    """A cloned event gets the source's sessions' settings on days moved like the event's, as
    drafts: no availability, request, meeting or run comes along."""
    sessions = db.session.scalars(
        select(MatchingSession).where(MatchingSession.event_id == source.id).order_by(MatchingSession.id)
    ).all()
    db.session.add_all(
        MatchingSession(
            event_id=event.id,
            state="draft",
            first_day=session.first_day + days,
            last_day=session.last_day + days,
            **{k: getattr(session, k) for k in SESSION_COPIED},
        )
        for session in sessions
    )
