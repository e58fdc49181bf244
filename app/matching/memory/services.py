"""Memory across events: who met whom at earlier events of the programme, and what came of it.

*Earlier events of the programme* of an event E are the events that started before E (not
E itself, not cancelled) and that either share an organiser with E (the same trade-promotion
centre's staff runs its series of fairs and weeks) or are held in E's province (another
centre's fair in the same province belongs to the province's programme too). Pairs are
organisation pairs: two organisations that met at such an event are the same pair at E,
whatever their registrations' ids and whichever column each held, each in the role it met
in. A buyer and a producer at a buyer–producer session, but also any two participants at a
networking forum (two producers, two buyers, or a buyer and a producer stored in
registration-id order: Meeting's docstring) are remembered; a pair is keyed at E by its two
registrations there, the buyer first when one is a buyer and the other a producer, else the
lower id first (`pair_key`).

What came of a meeting (published, not cancelled): the stronger of the two sides' recorded
outcomes (outcomes.STRENGTH: no interest < follow-up < sample order < contract, as the
organisers' report counts it); without one, "no_show" when the meeting was marked a no-show,
"met" when it was held (checked in) with nothing recorded; a meeting still "scheduled" with
nothing recorded says nothing. A pair's memory is its latest such meeting (latest event
start, then the latest meeting).

`pair_history` reads it in one statement whatever the number of pairs or of earlier events:
the earlier meetings between organisations that are approved participants of E, joined to
E's registrations of the same organisations, with their outcomes (left join). The
buyer–producer engine gets its pairs (one buyer, one producer) as plain data
(scoring.PastMeeting by ("b<id>", "p<id>")); participants read their own lines, with any
counterpart, through `history_for` (only pairs their organisation is part of).
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

    # The pair's registrations at the current event, as pair_key orders them: the buyer and the
    # producer of a buyer–producer pair; the lower and the higher id of two of one role.
    buyer_registration_id: int
    producer_registration_id: int
    event_id: int
    past: PastMeeting
    buyer_and_producer: bool = True  # one buyer and one producer: a pair the bipartite engine scores

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


def pair_key(one: tuple[int, str], other: tuple[int, str]) -> tuple[tuple[int, int], bool]:
    """The key of a pair of (registration id, role) at an event, and whether it is a buyer and a
    producer: (buyer, producer) then, else (lower id, higher id)."""
    if one[1] != other[1]:
        buyer, producer = (one, other) if one[1] == "buyer" else (other, one)
        return (buyer[0], producer[0]), True
    return (min(one[0], other[0]), max(one[0], other[0])), False


def pair_history(event: Event, *, registration_id: int | None = None) -> dict[tuple[int, int], PairMemory]:
    """Per pair of registrations at `event` (keyed as pair_key orders them: (buyer, producer) for a
    buyer and a producer): the pair's latest earlier meeting and what came of it, whichever kind
    of session it was at. Narrowed to one registration's pairs when `registration_id` is given.

    One statement, whatever the number of pairs and earlier events.
    """
    # A past meeting's two columns (a buyer and a producer, or a forum's sides a and b), and the
    # registrations at `event` of the same two organisations in the same roles (an organisation
    # registered as buyer and as exhibitor is remembered in the role it met in).
    past_one, past_other = aliased(Registration), aliased(Registration)
    now_one, now_other = aliased(Registration), aliased(Registration)
    past_event = aliased(Event)
    conditions = [
        Meeting.published.is_(True),
        Meeting.status != "cancelled",
        past_one.event_id.in_(earlier_events(event)),
    ]
    if registration_id is not None:
        conditions.append(or_(now_one.id == registration_id, now_other.id == registration_id))
    # Plain rows on the session's connection (no ORM row processing: a national history is some
    # 30,000 rows); pending changes flushed first, as session.execute's autoflush would.
    db.session.flush()
    rows = (
        db.session.connection()
        .execute(
            select(
                now_one.id,
                now_one.role,
                now_other.id,
                now_other.role,
                past_event.id,
                past_event.name_vi,
                past_event.name_en,
                past_event.name_fr,
                Meeting.id,
                Meeting.status,
                MeetingOutcome.kind,
            )
            .select_from(Meeting)
            .join(past_one, past_one.id == Meeting.buyer_registration_id)
            .join(past_other, past_other.id == Meeting.producer_registration_id)
            .join(past_event, past_event.id == past_one.event_id)
            .join(
                now_one,
                and_(
                    now_one.organisation_id == past_one.organisation_id,
                    now_one.event_id == event.id,
                    now_one.role == past_one.role,
                    now_one.status == "approved",
                ),
            )
            .join(
                now_other,
                and_(
                    now_other.organisation_id == past_other.organisation_id,
                    now_other.event_id == event.id,
                    now_other.role == past_other.role,
                    now_other.status == "approved",
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
    latest: dict[tuple[int, int], tuple[int, str, bool]] = {}
    # [id, pair key, buyer and producer, event id, status, strongest outcome] of the meeting being read
    meeting = None
    keys: dict[tuple[int, str, int, str], tuple[tuple[int, int], bool]] = {}

    def settle() -> None:
        if meeting is not None:
            outcome = meeting[5] or STATUS_OUTCOMES.get(meeting[4])
            if outcome is not None:
                latest[meeting[1]] = (meeting[3], outcome, meeting[2])

    for one_id, one_role, other_id, other_role, event_id, vi, en, fr, meeting_id, status, kind in rows:
        if event_id not in names:
            names[event_id] = tuple((lang, n) for lang, n in zip(LANGUAGES, (vi, en, fr), strict=True) if n)
        if meeting is None or meeting[0] != meeting_id:
            settle()
            ends = (one_id, one_role, other_id, other_role)
            key = keys.get(ends)
            if key is None:
                key = keys[ends] = pair_key((one_id, one_role), (other_id, other_role))
            meeting = [meeting_id, key[0], key[1], event_id, status, kind]
        elif kind is not None and (meeting[5] is None or STRENGTH[kind] > STRENGTH[meeting[5]]):
            meeting[5] = kind  # the stronger of the two sides' records
    settle()
    pasts: dict[tuple[int, str], PastMeeting] = {}
    memories = {}
    for key, (event_id, outcome, buyer_and_producer) in latest.items():
        past = pasts.get((event_id, outcome))
        if past is None:
            past = pasts[(event_id, outcome)] = PastMeeting(names[event_id], outcome)
        memories[key] = PairMemory(key[0], key[1], event_id, past, buyer_and_producer)
    return memories


def engine_history(event: Event) -> dict[tuple[str, str], PastMeeting]:
    """`pair_history` of the whole event as the buyer–producer engine reads it: its buyer and
    producer pairs, ("b<id>", "p<id>") → PastMeeting (wherever they met: a forum's too)."""
    return {
        (f"b{b}", f"p{p}"): memory.past
        for (b, p), memory in pair_history(event).items()
        if memory.buyer_and_producer
    }


def history_for(actor, registration: Registration) -> dict[int, PairMemory]:
    """The actor's own history at `registration`'s event, by the counterpart's registration id:
    only pairs its organisation is part of. PermissionDenied for anyone not acting for it."""
    if registration.status != "approved" or not can_act_for(actor, registration):
        raise PermissionDenied
    return own_history(registration)


def own_history(registration: Registration) -> dict[int, PairMemory]:
    """`registration`'s pairs' memory by the counterpart's registration id, whatever the
    counterpart's role (the caller checked who reads it: its own agenda, or its feed's secret)."""
    found = pair_history(registration.event, registration_id=registration.id)
    return {(b if p == registration.id else p): memory for (b, p), memory in found.items()}
