"""Memory across events: who met whom at earlier events of the programme, and what came of it.

*Earlier events of the programme* of an event E are the events that started before E (not
E itself, not cancelled) and that either share an organiser with E (the same trade-promotion
centre's staff runs its series of fairs and weeks) or are held in E's province (another
centre's fair in the same province belongs to the province's programme too). Pairs are
organisation pairs: a buyer organisation and a producer organisation that met at such an
event are the same pair at E, whatever their registrations' ids.

What came of a meeting (published, not cancelled): the stronger of the two sides' recorded
outcomes (outcomes.STRENGTH: no interest < follow-up < sample order < contract, as the
organisers' report counts it); without one, "no_show" when the meeting was marked a no-show,
"met" when it was held (checked in) with nothing recorded; a meeting still "scheduled" with
nothing recorded says nothing. A pair's memory is its latest such meeting (latest event
start, then the latest meeting).

`pair_history` reads it in one statement whatever the number of pairs or of earlier events:
the earlier meetings between organisations that are approved participants of E, joined to
E's registrations of the same organisations, with their outcomes (left join). The engine
gets it as plain data (scoring.PastMeeting by ("b<id>", "p<id>")); participants read their
own lines through `history_for` (only pairs their organisation is part of).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import aliased

from app.errors import PermissionDenied
from app.events.models import Event, EventOrganiser, Registration
from app.events.registrations.services import can_act_for
from app.extensions import db
from app.matching.engine.scoring import HISTORY_NOTE, PastMeeting
from app.matching.models import Meeting, MeetingOutcome
from app.matching.outcomes.services import STRENGTH

# What came of it, in the participants' words ("You met at X: talks ongoing.").
OUTCOME_WORDS = {
    "contract": _l("a contract was signed"),
    "sample_order": _l("a sample order followed"),
    "follow_up": _l("talks ongoing"),
    "no_interest": _l("no interest"),
    "no_show": _l("the meeting did not take place (no-show)"),
    "met": _l("nothing recorded since"),
}
LANGUAGES = ("vi", "en", "fr")
# A meeting with no outcome recorded: what its status says (a "scheduled" one says nothing).
STATUS_OUTCOMES = {"no_show": "no_show", "held": "met"}


@dataclass(frozen=True)
class PairMemory:
    """A pair's latest earlier meeting, as a participant reads it."""

    buyer_registration_id: int  # at the current event
    producer_registration_id: int
    event_id: int
    past: PastMeeting

    @property
    def outcome(self) -> str:
        return self.past.outcome

    def text(self, locale: str | None = None) -> str:
        """ "You met at Hội chợ OCOP Quảng Ninh 2026: talks ongoing." in the current language."""
        return history_text(dict(self.past.event), self.past.outcome, locale)


def history_text(names: dict, outcome: str, locale: str | None = None) -> str:
    """The history line of a pair from its event's names and outcome, in the current language."""
    from flask_babel import get_locale

    locale = locale or str(get_locale() or "vi")
    name = names.get(locale) or names.get("en") or names.get("vi") or ""
    return gettext(HISTORY_NOTE, event=name, outcome=str(OUTCOME_WORDS.get(outcome, outcome)))


def earlier_events(event: Event):
    """The ids of the earlier events of `event`'s programme, as a subquery (see the module)."""
    organisers_here = select(EventOrganiser.user_id).where(EventOrganiser.event_id == event.id)
    shared_organiser = select(EventOrganiser.event_id).where(EventOrganiser.user_id.in_(organisers_here))
    programme = Event.id.in_(shared_organiser)
    if event.province_code:
        programme = or_(programme, Event.province_code == event.province_code)
    return select(Event.id).where(
        Event.id != event.id,
        Event.starts_at < event.starts_at,
        Event.state != "cancelled",
        programme,
    )


def pair_history(
    event: Event, *, buyer_registration_id: int | None = None, producer_registration_id: int | None = None
) -> dict[tuple[int, int], PairMemory]:
    """Per (buyer registration id, producer registration id) at `event`: the pair's latest earlier
    meeting and what came of it. Narrowed to one buyer's or one producer's pairs when given.

    One statement, whatever the number of pairs and earlier events.
    """
    past_buyer, past_producer = aliased(Registration), aliased(Registration)
    now_buyer, now_producer = aliased(Registration), aliased(Registration)
    past_event = aliased(Event)
    conditions = [
        Meeting.published.is_(True),
        Meeting.status != "cancelled",
        past_buyer.event_id.in_(earlier_events(event)),
    ]
    if buyer_registration_id is not None:
        conditions.append(now_buyer.id == buyer_registration_id)
    if producer_registration_id is not None:
        conditions.append(now_producer.id == producer_registration_id)
    # Plain rows on the session's connection (no ORM row processing: a national history is some
    # 30,000 rows); pending changes flushed first, as session.execute's autoflush would.
    db.session.flush()
    rows = (
        db.session.connection()
        .execute(
            select(
                now_buyer.id,
                now_producer.id,
                past_event.id,
                past_event.name_vi,
                past_event.name_en,
                past_event.name_fr,
                Meeting.id,
                Meeting.status,
                MeetingOutcome.kind,
            )
            .select_from(Meeting)
            .join(past_buyer, past_buyer.id == Meeting.buyer_registration_id)
            .join(past_producer, past_producer.id == Meeting.producer_registration_id)
            .join(past_event, past_event.id == past_buyer.event_id)
            .join(
                now_buyer,
                and_(
                    now_buyer.organisation_id == past_buyer.organisation_id,
                    now_buyer.event_id == event.id,
                    now_buyer.role == "buyer",
                    now_buyer.status == "approved",
                ),
            )
            .join(
                now_producer,
                and_(
                    now_producer.organisation_id == past_producer.organisation_id,
                    now_producer.event_id == event.id,
                    now_producer.role == "exhibitor",
                    now_producer.status == "approved",
                ),
            )
            .outerjoin(MeetingOutcome, MeetingOutcome.meeting_id == Meeting.id)
            .where(*conditions)
            # Oldest first, a meeting's rows together: the latest meeting of a pair is the last one read.
            .order_by(past_event.starts_at, past_event.id, Meeting.id)
        )
        .all()
    )
    names: dict[int, tuple[tuple[str, str], ...]] = {}
    latest: dict[tuple[int, int], tuple[int, str]] = {}
    meeting = None  # [id, pair, event id, status, strongest outcome] of the meeting being read

    def settle() -> None:
        if meeting is not None:
            outcome = meeting[4] or STATUS_OUTCOMES.get(meeting[3])
            if outcome is not None:
                latest[meeting[1]] = (meeting[2], outcome)

    for buyer_id, producer_id, event_id, vi, en, fr, meeting_id, status, kind in rows:
        if event_id not in names:
            names[event_id] = tuple((lang, n) for lang, n in zip(LANGUAGES, (vi, en, fr), strict=True) if n)
        if meeting is None or meeting[0] != meeting_id:
            settle()
            meeting = [meeting_id, (buyer_id, producer_id), event_id, status, kind]
        elif kind is not None and (meeting[4] is None or STRENGTH[kind] > STRENGTH[meeting[4]]):
            meeting[4] = kind  # the stronger of the two sides' records
    settle()
    pasts: dict[tuple[int, str], PastMeeting] = {}
    memories = {}
    for key, (event_id, outcome) in latest.items():
        past = pasts.get((event_id, outcome))
        if past is None:
            past = pasts[(event_id, outcome)] = PastMeeting(names[event_id], outcome)
        memories[key] = PairMemory(key[0], key[1], event_id, past)
    return memories


def engine_history(event: Event) -> dict[tuple[str, str], PastMeeting]:
    """`pair_history` of the whole event as the engine reads it: ("b<id>", "p<id>") → PastMeeting."""
    return {(f"b{b}", f"p{p}"): memory.past for (b, p), memory in pair_history(event).items()}


def history_for(actor, registration: Registration) -> dict[int, PairMemory]:
    """The actor's own history at `registration`'s event, by the counterpart's registration id:
    only pairs its organisation is part of. PermissionDenied for anyone not acting for it."""
    if registration.status != "approved" or not can_act_for(actor, registration):
        raise PermissionDenied
    return own_history(registration)


def own_history(registration: Registration) -> dict[int, PairMemory]:
    """`registration`'s pairs' memory by the counterpart's registration id (the caller checked
    who reads it: its own agenda, or its feed's secret)."""
    if registration.role == "buyer":
        found = pair_history(registration.event, buyer_registration_id=registration.id)
        return {p: memory for (_b, p), memory in found.items()}
    found = pair_history(registration.event, producer_registration_id=registration.id)
    return {b: memory for (b, _p), memory in found.items()}
