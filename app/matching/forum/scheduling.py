"""Running a networking forum: the any-to-any instance from the database, the schedule back into it.

A forum session (MatchingSession.kind "forum") schedules the accepted ForumRequest pairs between
any two approved participants (specs/matching-format.md, "Any-to-any sessions"); the pure engine
is app.matching.engine.forum. The run, the publication and the repair are the bipartite path's
(app.matching.sessions.services: run_matching, publish, repair, and their background jobs): they
call `prepare` and `solve_into` here when the session is a forum, and share the rest (check-in
codes, deleting the unplaced meetings, cancelling the published ones that can no longer happen).

Participants are "r<registration id>". Each may have at most `max_meetings_of(session)` meetings:
the larger of the session's two per-role caps (a forum has no roles; the organiser's larger cap
is the one meant for a participant). A pair kept to the morning or the afternoon may only use
that part of the day's slots. Published (and hand-placed) meetings are `fixed`. A meeting is
written with side a (the lower registration id) in the buyer column and side b in the producer
column (app.matching.models.Meeting).

After the run, `hints` re-solves cheaply (the engine's constructive step, no annealing) with one
change at a time (one more slot, two more tables, no part-of-day limit, two more meetings a
participant) and says which requests left out each change would place.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import insert, select

from app.database import utcnow
from app.events.models import Registration
from app.extensions import db
from app.matching.engine.slots import Slot
from app.matching.forum.services import accepted_pairs, part_of_day_slots
from app.matching.models import ForumRequest, MatchingSession, Meeting
from app.matching.sessions.services import availability_of, kept_meetings, sort_kept
from app.tasks import progress

REMOVED_CODE = "removed"  # an accepted request whose meeting the organiser removed by hand
UNPLACED_CODE = "not_placed"  # an accepted request no meeting meets, for no reason the run gave
NOON = 12  # a slot starting before noon (local) is in the morning
HINT_TIME_LIMIT = 2.0  # seconds for each cheap re-solve of a hint
HINT_CHANGES = ("slot", "tables", "part_of_day", "caps")
# Unplaced for a reason a change of the session's settings can lift (not blocked, not a pair...).
FIXABLE = {
    "no_common_slot",
    "outside_allowed_slots",
    "over_capacity",
    "slots_taken",
    "tables_full",
    "no_room",
}


def pid(registration_id: int) -> str:
    return f"r{registration_id}"


def registration_number(person: str) -> int:
    return int(person[1:])


def max_meetings_of(session: MatchingSession) -> int:
    """A forum participant's cap: the larger of the session's buyer and producer caps."""
    return max(session.max_meetings_per_buyer, session.max_meetings_per_producer)


def _blocked_pairs(session: MatchingSession) -> set[tuple[int, int]]:
    return set(
        db.session.execute(
            select(ForumRequest.a_registration_id, ForumRequest.b_registration_id).where(
                ForumRequest.session_id == session.id, ForumRequest.status.in_(("blocked", "declined"))
            )
        ).all()
    )


def removed_pairs(session: MatchingSession) -> set[tuple[int, int]]:
    """The pairs whose published meeting the organiser removed by hand (a cancelled meeting marked
    `fixed`, sessions.services.remove_meeting): not placed again in this session. A meeting a
    repair cancelled (a participant no longer available then...) leaves its pair to be placed
    again, as long as its request is accepted."""
    return set(
        db.session.execute(
            select(Meeting.buyer_registration_id, Meeting.producer_registration_id).where(
                Meeting.session_id == session.id,
                Meeting.published.is_(True),
                Meeting.status == "cancelled",
                Meeting.fixed.is_(True),
            )
        ).all()
    )


@dataclass
class ForumPrepared:
    """What the forum engine gets, and what the app needs to read its answer (as sessions.Prepared)."""

    instance: dict
    slots: list[Slot]
    registrations: dict[str, int]  # participant id -> registration id
    fixed: list[Meeting]
    infeasible: list[tuple[Meeting, str]] = field(default_factory=list)
    requested: int = 0  # accepted pairs the run tries to place
    candidates: int = 0  # the same, as the bipartite RunResult counts candidate pairs


def prepare(session: MatchingSession) -> ForumPrepared:
    """The any-to-any instance of `session`: a fixed number of queries whatever its size."""
    from app.matching.sessions.services import slots_of

    slots = slots_of(session)
    n_slots = len(slots)
    progress.phase("loading")
    approved = set(
        db.session.scalars(
            select(Registration.id).where(
                Registration.event_id == session.event_id, Registration.status == "approved"
            )
        )
    )
    availability = availability_of(session, n_slots)

    def available(rid: int) -> set[int]:
        return set(availability[rid]) if rid in availability else set(range(n_slots))

    blocked = _blocked_pairs(session)
    removed = removed_pairs(session)
    kept = kept_meetings(session)
    fixed, infeasible, fixed_count = sort_kept(
        kept,
        sides=lambda m: m.sides,
        present=approved.__contains__,
        free=lambda person, slot: slot in available(person),
        blocked=blocked,
        n_slots=n_slots,
        tables=session.tables,
    )

    fixed_pairs = {m.sides for m in fixed}
    wanted = [
        r
        for r in accepted_pairs(session)
        if r.a_registration_id in approved
        and r.b_registration_id in approved
        and (r.a_registration_id, r.b_registration_id) not in removed
    ]
    part_slots = {part: part_of_day_slots(session, part, slots) for part in ("morning", "afternoon")}
    pairs, must = [], []
    for request in wanted:
        key = (request.a_registration_id, request.b_registration_id)
        pair = {"a": pid(key[0]), "b": pid(key[1]), "score": 1.0}
        if request.part_of_day in part_slots and key not in fixed_pairs:  # a placed meeting stays
            pair["slots"] = part_slots[request.part_of_day]
            pair["part_of_day"] = request.part_of_day  # for the hints (the engine reads "slots")
        pairs.append(pair)
        must.append({"a": pair["a"], "b": pair["b"], "kind": "must"})
    listed = {(r.a_registration_id, r.b_registration_id) for r in wanted}
    for a, b in sorted(fixed_pairs - listed):  # published before its request was withdrawn: it stays
        pairs.append({"a": pid(a), "b": pid(b), "score": 1.0})
    people = sorted(
        {rid for pair in pairs for rid in (registration_number(pair["a"]), registration_number(pair["b"]))}
    )
    cap = max_meetings_of(session)

    def participant(rid: int) -> dict:
        entry = {"id": pid(rid), "max_meetings": max(cap, fixed_count[rid])}
        if rid in availability:
            entry["available_slots"] = availability[rid]
        return entry

    instance = {
        "format": "ocopfair.matching/1",
        "session": {
            "timezone": session.event.timezone,
            "slots": [{"id": s.index, "start": s.start.isoformat(), "end": s.end.isoformat()} for s in slots],
            "tables": session.tables,
        },
        "participants": [participant(rid) for rid in people],
        "pairs": pairs,
        "requests": must,
        "fixed": [
            {"a": pid(m.sides[0]), "b": pid(m.sides[1]), "slot": m.slot, "table": m.table} for m in fixed
        ],
    }
    return ForumPrepared(
        instance,
        slots,
        {pid(rid): rid for rid in people},
        fixed,
        infeasible,
        requested=len(must),
        candidates=len(must),
    )


# ---------------------------------------------------------------- words for the organiser

# The engine's codes for a request left out (app.matching.engine.forum), in plain words.
REASONS = {
    "blocked": _l("one of the two blocked the other or declined"),
    "not_a_pair": _l("the two are not a possible pair"),
    "no_meetings": _l("one of the two takes no meetings"),
    "no_common_slot": _l("the two are never available at the same time"),
    "outside_allowed_slots": _l(
        "the two are free together only outside the part of the day set for this meeting"
    ),
    "no_tables": _l("the session has no tables"),
    "booked_by_published": _l("one of the two is fully booked by meetings already published"),
    "over_capacity": _l("one of the two has more accepted requests than the cap on meetings allows"),
    "slots_taken": _l("every slot both can attend is taken by their other meetings"),
    "tables_full": _l("every table is taken in the slots both can attend"),
    "no_room": _l("it could not be fitted in beside the other meetings"),
    # Not the engine's: an accepted request no active meeting meets now (sessions.grid).
    "removed": _l("the organiser removed its meeting by hand"),
    "not_placed": _l("accepted, or its meeting cancelled, since the last run: run or repair to place it"),
}
CHANGES = {
    "slot": _l("one more slot (lengthen the day by one meeting)"),
    "tables": _l("two more tables"),
    "part_of_day": _l("no morning or afternoon limit on the requests"),
    "caps": _l("two more meetings allowed per participant"),
}


def reason_words(code: str | None, reason: str):
    """Why a request was left out, in the reader's language (the engine's English when unknown)."""
    return REASONS.get(code or "", reason)


def change_words(change: str):
    return CHANGES.get(change, change)


# ---------------------------------------------------------------- hints


def _variant(instance: dict, change: str) -> dict | None:
    """The instance with one change of the session's settings, or None when it changes nothing."""
    inst = json.loads(json.dumps(instance))
    if change == "slot":
        slots = inst["session"]["slots"]
        if not slots:
            return None
        last = slots[-1]
        from datetime import datetime

        start, end = datetime.fromisoformat(last["start"]), datetime.fromisoformat(last["end"])
        length = end - start
        new = {"id": last["id"] + 1, "start": end.isoformat(), "end": (end + length).isoformat()}
        slots.append(new)
        for person in inst["participants"]:
            if "available_slots" in person:
                person["available_slots"].append(new["id"])
        part = "morning" if end.hour < NOON else "afternoon"  # of the new slot, by its local start
        for pair in inst["pairs"]:
            if "slots" in pair and pair.get("part_of_day") == part:
                pair["slots"].append(new["id"])
    elif change == "tables":
        inst["session"]["tables"] = inst["session"]["tables"] + 2
    elif change == "part_of_day":
        if not any("slots" in pair for pair in inst["pairs"]):
            return None
        for pair in inst["pairs"]:
            pair.pop("slots", None)
    elif change == "caps":
        for person in inst["participants"]:
            person["max_meetings"] += 2
    return inst


def hints(
    instance: dict, unscheduled: list[dict], placed: int, *, time_limit: float = HINT_TIME_LIMIT
) -> list[dict]:
    """Which change of the settings would place the requests left out (cheap re-solves).

    One entry per change whose re-solve places more meetings than the run did (`placed`):
    {"change", "gain": how many more, "places": [[a, b], ...] the requests left out that it
    places}. Heuristic: the re-solve is the engine's constructive step (no annealing, no
    CP-SAT), so a change not listed may still help a full run; one listed does help.
    """
    from app.matching.engine.forum import solve_forum

    left = {(u["a"], u["b"]) for u in unscheduled if u.get("code") in FIXABLE}
    if not left:
        return []
    out = []
    for change in HINT_CHANGES:
        if change == "caps" and not any(u.get("code") == "over_capacity" for u in unscheduled):
            continue
        variant = _variant(instance, change)
        if variant is None:
            continue
        schedule = solve_forum(variant, time_limit=time_limit, method="constructive")
        if len(schedule["meetings"]) <= placed:
            continue
        met = {(m["a"], m["b"]) for m in schedule["meetings"]} | {
            (m["b"], m["a"]) for m in schedule["meetings"]
        }
        out.append(
            {
                "change": change,
                "gain": len(schedule["meetings"]) - placed,
                "places": [list(pair) for pair in sorted(pair for pair in left if pair in met)],
            }
        )
    return out


# ---------------------------------------------------------------- capacity


def capacity_check(session: MatchingSession):
    """The capacity check of a forum (sessions.services.CapacityReport): the accepted requests are
    the demand, within each participant's cap; the slots needed are at least the busiest
    participant's meetings (an any-to-any schedule may need one more), the tables at least the
    meetings over the slots."""
    import math

    from app.matching.sessions.services import CapacityReport

    prepared = prepare(session)
    inst = prepared.instance
    n_slots = len(prepared.slots)
    people = {p["id"]: p for p in inst["participants"]}
    allowed_of = {(pair["a"], pair["b"]): set(pair.get("slots", range(n_slots))) for pair in inst["pairs"]}

    def available(person: str) -> set[int]:
        return set(people[person].get("available_slots", range(n_slots)))

    wanted: dict[str, int] = defaultdict(int)
    free_of: dict[str, set[int]] = defaultdict(set)  # the slots a person's placeable requests may use
    outside_part = 0  # requests with no slot both can attend in the part of the day set for them
    placeable = 0
    for request in inst["requests"]:
        a, b = request["a"], request["b"]
        common = available(a) & available(b)
        allowed = allowed_of.get((a, b), set(range(n_slots))) & common
        if not allowed:
            if common and (a, b) in allowed_of and len(allowed_of[(a, b)]) < n_slots:
                outside_part += 1
            continue
        placeable += 1
        wanted[a] += 1
        wanted[b] += 1
        free_of[a] |= allowed
        free_of[b] |= allowed
    demand = len(inst["requests"])
    over = sum(max(0, n - people[p]["max_meetings"]) for p, n in wanted.items())
    demand_in_caps = max(0, placeable - over) + (demand - placeable)
    free = {p: len(free_of[p]) for p in people}
    over_free = sum(max(0, n - min(free[p], people[p]["max_meetings"])) for p, n in wanted.items())
    busiest = max((min(n, people[p]["max_meetings"]) for p, n in wanted.items()), default=0)
    tables_needed = math.ceil(demand_in_caps / n_slots) if n_slots else 0
    advice = []
    if busiest > n_slots:
        advice.append(
            _l(
                "The busiest participant has %(needed)d accepted requests but the session has "
                "%(slots)d slots: add %(extra)d slots.",
                needed=busiest,
                slots=n_slots,
                extra=busiest - n_slots,
            )
        )
    if tables_needed > session.tables:
        advice.append(
            _l(
                "%(demand)d meetings in %(slots)d slots need at least %(needed)d tables: "
                "add %(extra)d tables or lengthen the day.",
                demand=demand_in_caps,
                slots=n_slots,
                needed=tables_needed,
                extra=tables_needed - session.tables,
            )
        )
    if outside_part:
        advice.append(
            _l(
                "%(count)d accepted requests have no slot both can attend in the part of the day "
                "set for them: lift the morning or afternoon limit, or add slots then.",
                count=outside_part,
            )
        )
    return CapacityReport(
        participants=len(people),
        pairs=demand,
        slots=n_slots,
        tables=session.tables,
        demand=demand_in_caps,
        with_availability=max(0, placeable - over_free),
        slots_needed=busiest,
        tables_needed=tables_needed,
        capacity=n_slots * session.tables,
        fits=busiest <= n_slots and tables_needed <= session.tables and not outside_part,
        advice=advice,
    )


# ---------------------------------------------------------------- the run


def solve_into(session: MatchingSession, prepared: ForumPrepared, time_limit: float | None, *, publish: bool):
    """Solve the forum, store the new meetings (kept ones stay) and the run's figures; as
    sessions.services._solve, whose NewMeeting rows it returns."""
    from app.matching.engine.forum import solve_forum
    from app.matching.sessions.services import NewMeeting, _new_codes, refresh_summary

    progress.phase("scheduling")
    schedule = solve_forum(prepared.instance, time_limit=time_limit)
    progress.phase("writing")
    kept = {(pid(m.sides[0]), pid(m.sides[1]), m.slot, m.table) for m in prepared.fixed}
    new = []
    for item in schedule["meetings"]:
        a, b = sorted((registration_number(item["a"]), registration_number(item["b"])))
        if (pid(a), pid(b), item["slot"], item["table"]) not in kept:
            new.append((a, b, item))
    codes = _new_codes(len(new))
    rows = [
        {
            "session_id": session.id,
            "buyer_registration_id": a,  # side a: the lower registration id
            "producer_registration_id": b,
            "slot": item["slot"],
            "table": item["table"],
            "score": item["score"],
            "why_json": None,
            "status": "scheduled",
            "published": publish,
            "fixed": False,
            "sequence": 0,
            "checkin_code": code,
        }
        for (a, b, item), code in zip(new, codes, strict=True)
    ]
    if rows:
        db.session.execute(insert(Meeting.__table__), rows)
    added = [
        NewMeeting(
            r["buyer_registration_id"],
            r["producer_registration_id"],
            r["slot"],
            r["table"],
            r["score"],
            r["checkin_code"],
        )
        for r in rows
    ]
    progress.phase("checking")
    suggestions = (
        hints(prepared.instance, schedule["unscheduled"], len(schedule["meetings"]))
        if schedule["unscheduled"]
        else []
    )
    met = {m["a"] for m in schedule["meetings"]} | {m["b"] for m in schedule["meetings"]}
    requested_by = defaultdict(int)
    for request in prepared.instance["requests"]:
        requested_by[request["a"]] += 1
        requested_by[request["b"]] += 1
    session.last_run_json = json.dumps(
        {
            "kind": "forum",
            "stats": schedule["stats"],
            "unscheduled": schedule["unscheduled"],
            "hints": suggestions,
            "pairs": len(prepared.instance["pairs"]),
            "requested": prepared.requested,
            "candidates": dict(requested_by),
            "no_meeting": sorted(p for p in requested_by if p not in met),
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
