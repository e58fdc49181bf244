"""A participant's agenda: its published meetings in time order, and the secret feed token.

The agenda shows, per meeting: the time in the event's zone, the table (and the hall when
the organiser named tables "Hall B · table 12"), the counterpart with what it brings
(products) or looks for (demand), the check-in code, and "why matched" in plain words
from the meeting's score breakdown. Functions flush; the caller commits.
"""

from __future__ import annotations

import functools
import json
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import format_decimal, get_locale, gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, lazyload

from app.catalog.models import DemandLine, Product
from app.data import vocab
from app.database import utcnow
from app.errors import PermissionDenied
from app.events.models import Event, Registration, RegistrationDemand, RegistrationProduct
from app.events.registrations.services import can_act_for
from app.extensions import db
from app.matching.engine.slots import Slot, session_slots
from app.matching.memory import services as memory
from app.matching.models import AgendaToken, MatchingSession, Meeting, MeetingOutcome
from app.matching.participation.services import side_of
from app.matching.sessions.scoring import explain
from app.names import table_label

# Plain words for the score terms of app.matching.engine.scoring, when a term carries no text.
TERM_WORDS = {
    "category": _l("What they make fits the categories you buy."),
    "category_fit": _l("What they make fits the categories you buy."),
    "capacity": _l("Their supply capacity matches the buyer's monthly volume."),
    "supply_capacity": _l("Their supply capacity matches the buyer's monthly volume."),
    "volume": _l("Their supply capacity matches the buyer's monthly volume."),
    "standards": _l("Their products hold the standards the buyer requires."),
    "stars": _l("Their products hold high OCOP star ratings."),
    "province": _l("They come from a province the buyer prefers."),
    "province_preference": _l("They come from a province the buyer prefers."),
    "mutual": _l("Both sides asked to meet."),
    "mutual_interest": _l("Both sides asked to meet."),
    "must": _l("One side asked for this meeting."),
    "request": _l("One side asked for this meeting."),
}
TEXT_KEYS = ("text", "explanation", "why", "reason", "label", "words")
VALUE_KEYS = ("contribution", "weighted", "points", "value", "score")


@dataclass
class AgendaItem:
    meeting: Meeting
    slot: Slot | None  # None when the session's settings no longer have that slot
    table: str
    hall: str | None
    table_lang: str  # the language of `table` and `hall` (app/names.py)
    counterpart: Registration
    side: str  # the owner's side: "buyer" or "producer"
    products: list[Product] = field(default_factory=list)
    demand: list[DemandLine] = field(default_factory=list)
    why: list[str] = field(default_factory=list)
    outcome: MeetingOutcome | None = None
    # "You met at <earlier event>: <what came of it>." (memory across events), its own pair only
    history: str | None = None

    @property
    def start(self) -> datetime | None:
        return self.slot.start if self.slot else None

    @property
    def end(self) -> datetime | None:
        return self.slot.end if self.slot else None

    @property
    def location(self) -> str:
        """ "Hall B · table 12" when the organiser named the table so, else "Table 12"."""
        return self.table if self.hall is None else f"{self.hall} · {self.table}"


# ---------------------------------------------------------------- why matched


def _as_number(value) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    return None


def _term_sentence(name, detail) -> tuple[str | None, float | None]:
    """(words, weight for ordering) of one score term, from whatever shape it has."""
    if isinstance(detail, str):
        return detail, None
    if isinstance(detail, dict):
        text = next((detail[k] for k in TEXT_KEYS if isinstance(detail.get(k), str) and detail[k]), None)
        value = next(
            (_as_number(detail.get(k)) for k in VALUE_KEYS if _as_number(detail.get(k)) is not None), None
        )
        name = detail.get("term") or detail.get("name") or name
        if value is not None and value <= 0 and text is None:
            return None, value
        if text is None and name in TERM_WORDS:
            text = str(TERM_WORDS[name])
        return text, value
    value = _as_number(detail)
    if value is not None:
        if value <= 0 or name not in TERM_WORDS:
            return None, value
        return str(TERM_WORDS[name]), value
    return None, None


def _explain_breakdown(breakdown: dict, limit: int) -> list[str]:
    """The strongest terms of app.matching.engine.scoring's breakdown, in its own words (current language)."""
    # The history term is left to the agenda's own line (AgendaItem.history, read when shown).
    terms = [
        t
        for t in breakdown["terms"]
        if float(t.get("value") or 0) > 0 and t.get("notes") and t.get("term") != "history"
    ]
    terms.sort(key=lambda t: -float(t.get("value") or 0) * float(t.get("weight") or 0))
    return explain({"terms": terms[:limit], "outside_filters": breakdown.get("outside_filters") or []})


def why_words(why_json: str | None, limit: int = 3) -> list[str]:
    """`_why_words` in the current language, worked out once per process for each breakdown
    and language (an agenda, its .ics and its feed explain the same meetings again and again)."""
    return list(_why_words_in(why_json, limit, str(get_locale())))


@functools.lru_cache(maxsize=4096)  # a breakdown is well under 2 KB: at most a few MB per process
def _why_words_in(why_json: str | None, limit: int, _locale: str) -> tuple[str, ...]:
    # _locale is only the cache key: gettext and format_decimal read the current language.
    return tuple(_why_words(why_json, limit))


def _why_words(why_json: str | None, limit: int = 3) -> list[str]:
    """ "Why this match" as a few plain sentences, strongest reason first; never raises.

    The breakdown app.matching.engine.scoring stores ({"terms": [{"term", "weight", "value",
    "notes"}], ...}) is explained by app.matching.sessions.scoring.explain, strongest weighted terms first.
    Other shapes are read too: a sentence, a list of sentences or terms, or a mapping of
    term → number / {"text": ..., "contribution": ...}.
    """
    if not why_json:
        return []
    try:
        data = json.loads(why_json)
    except (TypeError, ValueError):
        return [why_json.strip()] if why_json.strip() else []
    if isinstance(data, dict) and isinstance(data.get("terms"), list):
        try:
            return _explain_breakdown(data, limit)
        except (KeyError, TypeError, ValueError):
            pass  # not scoring's shape after all: read it generically below
    if isinstance(data, dict):
        for key in ("summary", "text", "explanation"):
            if (
                isinstance(data.get(key), str)
                and data[key]
                and not isinstance(data.get("terms"), dict | list)
            ):
                return [data[key]]
        for key in ("terms", "features", "breakdown", "explanations"):
            if isinstance(data.get(key), dict | list):
                data = data[key]
                break
    if isinstance(data, str):
        return [data] if data else []
    pairs = data.items() if isinstance(data, dict) else ((None, item) for item in data if item is not None)
    sentences: list[tuple[float, int, str]] = []
    for position, (name, detail) in enumerate(pairs):
        text, value = _term_sentence(name, detail)
        if text and all(text != s for _v, _p, s in sentences):
            sentences.append((-(value if value is not None else 0.0), position, text))
    sentences.sort()
    return [text for _value, _position, text in sentences[:limit]]


# ---------------------------------------------------------------- the agenda


def split_table(label: str) -> tuple[str | None, str]:
    """ "Hall B · table 12" → ("Hall B", "table 12"); "Table 3" → (None, "Table 3")."""
    if " · " in label:
        hall, _sep, table = label.rpartition(" · ")
        return hall.strip() or None, table.strip()
    return None, label


def meetings_of(registration: Registration, *, include_cancelled: bool = False) -> list[Meeting]:
    """The registration's published meetings (cancelled ones too when asked), any order."""
    query = select(Meeting).where(
        Meeting.published.is_(True),
        or_(
            Meeting.buyer_registration_id == registration.id,
            Meeting.producer_registration_id == registration.id,
        ),
    )
    if not include_cancelled:
        query = query.where(Meeting.status != "cancelled")
    return list(db.session.scalars(query))


def _counterparts(ids: set[int]) -> dict[int, Registration]:
    """The counterparts' registrations with their organisations, in one query."""
    if not ids:
        return {}
    rows = db.session.scalars(
        select(Registration)
        .where(Registration.id.in_(ids))
        .options(
            joinedload(Registration.organisation),
            # What they bring or look for is loaded below, for all of them at once.
            lazyload(Registration.product_rows),
            lazyload(Registration.demand_rows),
        )
    )
    return {r.id: r for r in rows}


def _offers(counterparts: list[Registration]) -> tuple[dict[int, list[Product]], dict[int, list[DemandLine]]]:
    """Per counterpart registration: the products it brings or the demand it looks for, as
    counterpart_products / counterpart_demand say (what it registered with, else its whole
    range), in a constant number of queries whatever the number of counterparts."""
    producers = [r.id for r in counterparts if r.role == "exhibitor"]
    buyers = [r.id for r in counterparts if r.role != "exhibitor"]
    products: dict[int, list[Product]] = defaultdict(list)
    demand: dict[int, list[DemandLine]] = defaultdict(list)
    if producers:
        for registration_id, product in db.session.execute(
            select(RegistrationProduct.registration_id, Product)
            .join(Product, Product.id == RegistrationProduct.product_id)
            .where(RegistrationProduct.registration_id.in_(producers))
            .options(lazyload(Product.standard_rows))
            .order_by(RegistrationProduct.registration_id, Product.id)
        ):
            products[registration_id].append(product)
    if buyers:
        for registration_id, line in db.session.execute(
            select(RegistrationDemand.registration_id, DemandLine)
            .join(DemandLine, DemandLine.id == RegistrationDemand.demand_line_id)
            .where(RegistrationDemand.registration_id.in_(buyers))
            .options(lazyload(DemandLine.standard_rows), lazyload(DemandLine.province_rows))
            .order_by(RegistrationDemand.registration_id, DemandLine.id)
        ):
            demand[registration_id].append(line)
    by_organisation = {r.organisation_id: r.id for r in counterparts}
    bare_producers = {r.organisation_id for r in counterparts if r.role == "exhibitor" and not products[r.id]}
    bare_buyers = {r.organisation_id for r in counterparts if r.role != "exhibitor" and not demand[r.id]}
    if bare_producers:
        for product in db.session.scalars(
            select(Product)
            .where(Product.organisation_id.in_(bare_producers))
            .options(lazyload(Product.standard_rows))
            .order_by(Product.id)
        ):
            products[by_organisation[product.organisation_id]].append(product)
    if bare_buyers:
        for line in db.session.scalars(
            select(DemandLine)
            .where(DemandLine.organisation_id.in_(bare_buyers))
            .options(lazyload(DemandLine.standard_rows), lazyload(DemandLine.province_rows))
            .order_by(DemandLine.id)
        ):
            demand[by_organisation[line.organisation_id]].append(line)
    return products, demand


def agenda_items(
    registration: Registration,
    meetings: list[Meeting] | None = None,
    *,
    with_outcomes: bool = False,
    with_history: bool = False,
) -> list[AgendaItem]:
    """The agenda of a registration in time order (published, non-cancelled meetings by default).

    Whatever the number of meetings, a constant number of queries: the counterparts, their
    organisations, products or demand, the outcomes and (with_history) the pairs' meetings at
    earlier events of the programme are each loaded for all meetings at once.
    """
    if meetings is None:
        meetings = meetings_of(registration)
    zone_name = registration.event.timezone
    # The registration's side of each meeting is its column (a forum meets a producer with a
    # producer: the role does not tell it), its counterpart the other column's.
    # An event's sessions (usually one, already loaded by the page): db.session.get asks only once.
    sessions = {i: db.session.get(MatchingSession, i) for i in {m.session_id for m in meetings}}
    counterparts = _counterparts({m.counterpart_id(registration.id) for m in meetings})
    products, demand = _offers(list(counterparts.values()))
    outcomes: dict[int, MeetingOutcome] = {}
    if with_outcomes and meetings:
        mine = {m.id: m.side_for(registration.id) for m in meetings}
        outcomes = {
            o.meeting_id: o
            for o in db.session.scalars(
                select(MeetingOutcome).where(MeetingOutcome.meeting_id.in_(list(mine)))
            )
            if mine[o.meeting_id] == o.side
        }
    history = memory.own_history(registration) if with_history and meetings else {}
    slots_by_session: dict[int, dict[int, Slot]] = {}
    items: list[AgendaItem] = []
    for meeting in meetings:
        session = sessions[meeting.session_id]
        if session.id not in slots_by_session:
            slots_by_session[session.id] = {slot.index: slot for slot in session_slots(session, zone_name)}
        counterpart = counterparts[meeting.counterpart_id(registration.id)]
        label, table_lang = table_label(session, meeting.table)
        hall, table = split_table(label)
        item = AgendaItem(
            meeting=meeting,
            slot=slots_by_session[session.id].get(meeting.slot),
            table=table,
            hall=hall,
            table_lang=table_lang,
            counterpart=counterpart,
            side=meeting.side_for(registration.id) or side_of(registration),
            why=why_words(meeting.why_json),
        )
        if counterpart.role == "exhibitor":
            item.products = products[counterpart.id]
        else:
            item.demand = demand[counterpart.id]
        item.outcome = outcomes.get(meeting.id)
        if counterpart.id in history:
            item.history = history[counterpart.id].text()
        items.append(item)
    items.sort(
        key=lambda i: (i.slot is None, i.slot.start_utc if i.slot else 0, i.meeting.table, i.meeting.id)
    )
    return items


def agenda_for(actor, registration: Registration) -> list[AgendaItem]:
    """The actor's own agenda; PermissionDenied for anyone not acting for the registration."""
    if registration.status != "approved" or not can_act_for(actor, registration):
        raise PermissionDenied
    return agenda_items(registration, with_outcomes=True, with_history=True)


def products_text(item: AgendaItem, locale: str) -> str:
    """What the counterpart brings or looks for, in one line."""
    if item.products:
        return ", ".join(p.name_in(locale) for p in item.products[:6])
    parts = []
    for line in item.demand[:6]:
        category = vocab.label(vocab.CATEGORIES, line.category)
        if line.monthly_volume is None:
            parts.append(category)
            continue
        parts.append(
            gettext(
                "%(category)s (%(volume)s %(unit)s a month)",
                category=category,
                volume=format_decimal(line.monthly_volume),
                unit=vocab.label(vocab.UNITS, line.unit),
            )
        )
    return "; ".join(parts)


# ---------------------------------------------------------------- the feed token


def feed_token(
    session: MatchingSession, registration: Registration, *, create: bool = True
) -> AgendaToken | None:
    """The registration's feed token, made on first use."""
    token = db.session.scalar(
        select(AgendaToken).where(
            AgendaToken.session_id == session.id, AgendaToken.registration_id == registration.id
        )
    )
    if token is not None or not create:
        return token
    token = AgendaToken(
        session_id=session.id, registration_id=registration.id, token=secrets.token_urlsafe(32)
    )
    if db.session.get_bind().dialect.name != "postgresql":
        # SQLite serialises writers (and a SAVEPOINT outside a transaction would commit).
        db.session.add(token)
        db.session.flush()
        return token
    try:
        with db.session.begin_nested():
            db.session.add(token)
    except IntegrityError:  # made meanwhile by another request of the same participant
        return db.session.scalar(
            select(AgendaToken).where(
                AgendaToken.session_id == session.id, AgendaToken.registration_id == registration.id
            )
        )
    return token


def reset_feed_token(actor, session: MatchingSession, registration: Registration) -> AgendaToken:
    """A new secret for the owner's feed; the old URL stops working (404)."""
    if registration.event_id != session.event_id or not can_act_for(actor, registration):
        raise PermissionDenied
    token = feed_token(session, registration, create=False)
    if token is None:
        return feed_token(session, registration)
    token.token = secrets.token_urlsafe(32)
    token.created_at = utcnow()
    db.session.flush()
    return token


def registration_for_token(secret: str) -> tuple[AgendaToken, Registration, Event, MatchingSession] | None:
    """The owner of a feed token and the token's session, or None for an unknown (or reset) one.

    The caller keeps the session while it reads the agenda: the identity map only holds
    objects something references, and agenda_items then finds it without asking again."""
    if not secret or len(secret) > 64:
        return None
    # One statement: the token, its registration (with organisation and event) and its session.
    row = db.session.execute(
        select(AgendaToken, Registration, MatchingSession)
        .join(Registration, Registration.id == AgendaToken.registration_id)
        .join(MatchingSession, MatchingSession.id == AgendaToken.session_id)
        .where(AgendaToken.token == secret)
        .options(
            joinedload(Registration.organisation),
            joinedload(Registration.event),
            lazyload(Registration.product_rows),
            lazyload(Registration.demand_rows),
        )
    ).first()
    if row is None:
        return None
    token, registration, session = row
    if registration.status != "approved":
        return None
    return token, registration, registration.event, session
