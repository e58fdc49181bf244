"""The organiser's session page at national size: the meetings a page at a time, filtered, and
figures from aggregations, so that the page's statements do not grow with the meetings or the
participants (a national conference: 11,000 participants, 24,000 meetings).

- `meetings_page()`: the session's meetings filtered by day, slot, table and person, sorted by
  slot, table, id, at most MAX_MEETINGS_PER_PAGE a page: a count (none unfiltered: the summary
  has it) and one select, whose names are joined to the page's rows only.
- `schedule_summary()`: the figures (meetings, score, slots used, idle gaps, unmet must requests,
  who has candidates but no meeting, cancelled), aggregated over the whole schedule; stored in
  last_run_json["summary"] whenever the schedule changes (services.refresh_summary: the run, a
  repair, a move, a removal), as every view aggregating 24,000 meetings cost hundreds of ms.
- `overview()`: the stored summary (computed on the spot for a schedule stored before summaries
  were), the names of the few listed (LIST_LIMIT, "and N more") and the approved count.
- `people_page()`: the participants, a page at a time, with their figures (from their own
  meetings' rows only); their own page (routes.session_people), which the session page loads
  into its card, as sorting 11,000 registrations by name cost the session page ~8 ms.
- `move_choices()`: for one meeting, the slots both sides can take and the free tables in one.
- `event_meetings_page()`: for the API, the meetings of all the event's sessions, filtered and
  sorted, the page and its total in one statement.

Only reads; the hand edits stay in services (move_meeting, remove_meeting).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale
from sqlalchemy import Select, and_, case, distinct, false, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from app.catalog.models import Organisation
from app.data.provinces import fold
from app.events.models import Event, Registration
from app.extensions import db
from app.inputs import DB_INT_MAX, bounded_page
from app.matching.engine.slots import Slot, session_slots
from app.matching.models import MEETING_STATUSES, Availability, ForumRequest, MatchingSession, Meeting
from app.matching.queries import with_session_and_sides
from app.matching.sessions.scoring import explain
from app.matching.sessions.services import (
    ACTIVE,
    ensure_can_manage_event,
    forum_pair_part_of_day,
    sessions_of,
    slots_of,
    unmet_reason,
)
from app.names import table_labels as named_table_labels
from app.paging import rows_and_total

MEETINGS_PER_PAGE = 25
MAX_MEETINGS_PER_PAGE = 100
PEOPLE_PER_PAGE = 50
LIST_LIMIT = 50  # names listed under a figure before "and N more"
MAX_PERSON_WORDS = 6
_REGISTRATION_NUMBER = re.compile(r"#?\s*([0-9]{1,10})")


# ---------------------------------------------------------------- filters


@dataclass(frozen=True)
class GridFilters:
    """What the organiser asked the grid for. `table` is 0-based (the page shows it 1-based)."""

    day: date | None = None
    slot: int | None = None
    table: int | None = None
    person: str = ""
    page: int = 1
    per_page: int = MEETINGS_PER_PAGE
    asked_per_page: int | None = None  # set when the asked number was above the maximum

    @classmethod
    def of(
        cls,
        *,
        day: str | None = None,
        slot: int | None = None,
        table: int | None = None,
        person: str | None = None,
        page: int | None = None,
        per_page: int | None = None,
    ) -> GridFilters:
        try:
            chosen_day = date.fromisoformat(day) if day else None
        except ValueError:
            chosen_day = None
        too_many = per_page if per_page is not None and per_page > MAX_MEETINGS_PER_PAGE else None
        if per_page is None or per_page < 1:
            per_page = MEETINGS_PER_PAGE
        return cls(
            day=chosen_day,
            slot=slot,
            table=table - 1 if table is not None and table >= 1 else None,
            person=" ".join((person or "").split())[:100],
            page=bounded_page(page),
            per_page=min(per_page, MAX_MEETINGS_PER_PAGE),
            asked_per_page=too_many,
        )

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.day, self.slot, self.table)) or bool(self.person)

    def args(self, **changes) -> dict:
        """The query string that shows these filters (for links and the way back after a move)."""
        values = {
            "day": self.day.isoformat() if self.day else None,
            "slot": self.slot,
            "table": self.table + 1 if self.table is not None else None,
            "person": self.person or None,
            "page": self.page if self.page != 1 else None,
            "per_page": self.per_page if self.per_page != MEETINGS_PER_PAGE else None,
        } | changes
        return {key: value for key, value in values.items() if value is not None}


def _person_condition(person: str, *organisations, registration_columns=()):
    """Every word of `person` in one of the organisations' folded names (Organisation.search_text),
    or `person` is a registration number ("123" or "#123") of one of the two sides."""
    conditions = []
    number = _REGISTRATION_NUMBER.fullmatch(person)
    if number and int(number.group(1)) <= DB_INT_MAX:
        conditions.append(or_(*(column == int(number.group(1)) for column in registration_columns)))
    words = fold(person).split()[:MAX_PERSON_WORDS]
    if words:
        conditions.append(
            or_(
                *(
                    and_(*(org.search_text.contains(word, autoescape=True) for word in words))
                    for org in organisations
                )
            )
        )
    return or_(*conditions) if conditions else literal(True)


# ---------------------------------------------------------------- the meetings, a page at a time


@dataclass(frozen=True)
class MeetingRow:
    id: int
    slot: int
    table: int
    score: float
    published: bool
    fixed: bool
    status: str
    why_json: str | None  # the reasons, as stored: why_lines() shows them
    buyer: str
    producer: str
    buyer_registration_id: int
    producer_registration_id: int


@dataclass
class MeetingsPage:
    rows: list[MeetingRow]
    total: int  # meetings matching the filters
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return min(self.page - 1, self.pages)

    @property
    def next_num(self) -> int:
        return self.page + 1

    def iter_pages(self, left_edge=1, right_edge=1, left_current=2, right_current=2):
        """Page numbers with None for a gap, as Flask-SQLAlchemy's Pagination gives them."""
        pages = self.pages  # only the shown numbers are visited: a national schedule has ~900 pages
        shown = sorted(
            {
                *range(1, min(left_edge, pages) + 1),
                *range(max(1, self.page - left_current), min(pages, self.page + right_current) + 1),
                *range(max(1, pages - right_edge + 1), pages + 1),
            }
        )
        last = 0
        for number in shown:
            if last + 1 != number:
                yield None
            yield number
            last = number


def _slot_indexes(slots: list[Slot], day: date) -> list[int]:
    return [s.index for s in slots if s.start.date() == day]


def _filtered(query: Select, session: MatchingSession, filters: GridFilters, slots: list[Slot], names):
    buyer_org, producer_org = names
    query = query.where(Meeting.session_id == session.id, Meeting.status.in_(ACTIVE))
    if filters.day is not None:
        query = query.where(Meeting.slot.in_(_slot_indexes(slots, filters.day)))
    if filters.slot is not None:
        query = query.where(Meeting.slot == filters.slot)
    if filters.table is not None:
        query = query.where(Meeting.table == filters.table)
    if filters.person:
        query = query.where(
            _person_condition(
                filters.person,
                buyer_org,
                producer_org,
                registration_columns=(Meeting.buyer_registration_id, Meeting.producer_registration_id),
            )
        )
    return query


# Made once: building aliases (and their columns) anew cost a few ms a page.
_BUYER, _PRODUCER = aliased(Registration, name="buyer"), aliased(Registration, name="producer")
_BUYER_ORG = aliased(Organisation, name="buyer_org")
_PRODUCER_ORG = aliased(Organisation, name="producer_org")


def _with_names(query: Select):
    buyer, producer, buyer_org, producer_org = _BUYER, _PRODUCER, _BUYER_ORG, _PRODUCER_ORG
    query = (
        query.join(buyer, buyer.id == Meeting.buyer_registration_id)
        .join(buyer_org, buyer_org.id == buyer.organisation_id)
        .join(producer, producer.id == Meeting.producer_registration_id)
        .join(producer_org, producer_org.id == producer.organisation_id)
    )
    return query, (buyer_org, producer_org)


def meetings_page(
    session: MatchingSession,
    filters: GridFilters,
    slots: list[Slot] | None = None,
    *,
    active_meetings: int | None = None,
) -> MeetingsPage:
    """The session's active meetings matching `filters`, by slot, table and id: a count (none
    when there is no filter and `active_meetings` says how many) and one select. Without a
    person filter the meetings are counted and the page is cut without the names' joins, which
    then join the page's rows only."""
    slots = slots if slots is not None else slots_of(session)
    if filters.person:
        counted, names = _with_names(select(func.count(Meeting.id)).select_from(Meeting))
        total = db.session.scalar(_filtered(counted, session, filters, slots, names)) or 0
    elif not filters.active and active_meetings is not None:
        total = active_meetings
    else:
        counted = select(func.count(Meeting.id)).select_from(Meeting)
        total = db.session.scalar(_filtered(counted, session, filters, slots, (None, None))) or 0
    if total == 0 or (filters.page - 1) * filters.per_page >= total:
        return MeetingsPage([], total, filters.page, filters.per_page)
    order = (Meeting.slot, Meeting.table, Meeting.id)
    window = (filters.per_page, (filters.page - 1) * filters.per_page)
    if filters.person:
        listed, names = _with_names(select(Meeting).select_from(Meeting))
        listed = _filtered(listed, session, filters, slots, names)
    else:
        page_ids = (
            _filtered(select(Meeting.id), session, filters, slots, (None, None))
            .order_by(*order)
            .limit(window[0])
            .offset(window[1])
            .subquery()
        )
        listed, names = _with_names(
            select(Meeting).select_from(Meeting).join(page_ids, page_ids.c.id == Meeting.id)
        )
    buyer_org, producer_org = names
    listed = listed.with_only_columns(
        Meeting.id,
        Meeting.slot,
        Meeting.table,
        Meeting.score,
        Meeting.published,
        Meeting.fixed,
        Meeting.status,
        Meeting.why_json,
        buyer_org.name,
        producer_org.name,
        Meeting.buyer_registration_id,
        Meeting.producer_registration_id,
        maintain_column_froms=True,
    ).order_by(*order)
    if filters.person:
        listed = listed.limit(window[0]).offset(window[1])
    rows = [
        MeetingRow(
            id=row[0],
            slot=row[1],
            table=row[2],
            score=row[3],
            published=row[4],
            fixed=row[5],
            status=row[6],
            why_json=row[7],
            buyer=row[8],
            producer=row[9],
            buyer_registration_id=row[10],
            producer_registration_id=row[11],
        )
        for row in db.session.execute(listed)
    ]
    return MeetingsPage(rows, total, filters.page, filters.per_page)


# ---------------------------------------------------------------- the event's meetings (the API)

EVENT_MEETING_SORTS = ("time", "table", "status", "checked_in_at", "id")


def event_meetings_page(
    actor,
    event: Event,
    *,
    day: date | None = None,
    slot: int | None = None,
    registration_id: int | None = None,
    organisation_id: int | None = None,
    session_id: int | None = None,
    status: str | None = None,
    published: bool | None = None,
    sort: str = "time",
    page: int = 1,
    per_page: int = MEETINGS_PER_PAGE,
) -> tuple[list[Meeting], int]:
    """For the event's organisers: the meetings of all its sessions (drafts and cancelled ones
    too, unless filtered by `status` or `published`), and how many there are.

    `day`: a date in the event's time zone; `slot`: a slot index; `registration_id`,
    `organisation_id`: meetings where that one is either side. `sort` is one of
    EVENT_MEETING_SORTS, "-" before it for descending: time (sessions by first day, then slot
    and table), table (session, table, slot), status (scheduled, held, no-show, cancelled),
    checked_in_at (not checked in last) or id; ties by id. One statement for the page and its
    total, the sides' registrations and organisations and the session with it, plus one for
    the sessions' slots when filtering by day."""
    ensure_can_manage_event(actor, event)
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in EVENT_MEETING_SORTS else "time"
    time_order = [
        MatchingSession.first_day,
        MatchingSession.day_start,
        Meeting.session_id,
        Meeting.slot,
        Meeting.table,
    ]
    status_rank = case({code: rank for rank, code in enumerate(MEETING_STATUSES)}, value=Meeting.status)
    columns = {
        "time": time_order,
        "table": [Meeting.session_id, Meeting.table, Meeting.slot],
        "status": [status_rank, *time_order],
        "checked_in_at": [Meeting.checked_in_at],
        "id": [],
    }[key]
    ordering = [Meeting.checked_in_at.is_(None)] if key == "checked_in_at" else []
    ordering += [column.desc() if descending else column.asc() for column in columns]
    ordering.append(Meeting.id.desc() if descending else Meeting.id.asc())
    query = (
        select(Meeting)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(MatchingSession.event_id == event.id)
        .options(
            *with_session_and_sides(),
        )
        .order_by(*ordering)
    )
    if day is not None:
        on_day = [
            and_(Meeting.session_id == session.id, Meeting.slot.in_(indexes))
            for session in sessions_of(event)
            if (indexes := _slot_indexes(session_slots(session, event.timezone), day))
        ]
        query = query.where(or_(*on_day) if on_day else false())
    if slot is not None:
        query = query.where(Meeting.slot == slot)
    if registration_id is not None:
        query = query.where(
            or_(
                Meeting.buyer_registration_id == registration_id,
                Meeting.producer_registration_id == registration_id,
            )
        )
    if organisation_id is not None:
        theirs = select(Registration.id).where(
            Registration.event_id == event.id, Registration.organisation_id == organisation_id
        )
        query = query.where(
            or_(Meeting.buyer_registration_id.in_(theirs), Meeting.producer_registration_id.in_(theirs))
        )
    if session_id is not None:
        query = query.where(Meeting.session_id == session_id)
    if status is not None:
        query = query.where(Meeting.status == status)
    if published is not None:
        query = query.where(Meeting.published.is_(published))
    rows, total = rows_and_total(query, page=page, per_page=per_page)
    return [row[0] for row in rows], total


def _loads(text: str | None) -> dict:
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


_WHY: dict[tuple[str, str], tuple[str, ...]] = {}  # (locale, why_json) -> explain() lines
_WHY_KEPT = 4_096


def why_lines(why_json: str | None) -> tuple[str, ...]:
    """explain() of a meeting's stored reasons in the current language, once per text and
    language in this process (parsing and wording 50 meetings' reasons cost several ms a page;
    many meetings share their reasons' text). Keyed by the text itself, so never stale."""
    if not why_json:
        return ()
    key = (str(get_locale()), why_json)
    lines = _WHY.get(key)
    if lines is None:
        lines = tuple(explain(_loads(why_json)))
        if len(_WHY) >= _WHY_KEPT:
            _WHY.pop(next(iter(_WHY)))
        _WHY[key] = lines
    return lines


@dataclass
class PageGrid:
    """The page's meetings as a slots × tables grid (only the slots and tables they use)."""

    slots: list[int]
    tables: list[int]
    cells: dict[tuple[int, int], MeetingRow]


MAX_GRID_CELLS = 2_000  # beyond, the page says to filter by a slot or a day instead


SHOW_EVERY_TABLE_UP_TO = 30  # a small session's grid shows its empty tables too


def page_grid(page: MeetingsPage, tables_in_session: int) -> PageGrid | None:
    slots = sorted({row.slot for row in page.rows})
    tables = (
        list(range(tables_in_session))
        if tables_in_session <= SHOW_EVERY_TABLE_UP_TO
        else sorted({row.table for row in page.rows})
    )
    if not page.rows or len(slots) * len(tables) > MAX_GRID_CELLS:
        return None
    return PageGrid(slots, tables, {(row.slot, row.table): row for row in page.rows})


# ---------------------------------------------------------------- figures


@dataclass
class Overview:
    """What the session page says about the whole schedule."""

    slots: list[Slot]
    table_labels: tuple[tuple[str, str], ...]  # (label, lang)
    figures: dict
    unmet: list[dict]  # at most LIST_LIMIT
    unmet_total: int
    no_meeting: list[str]  # names, at most LIST_LIMIT
    cancelled: list[tuple[str, str]]  # (buyer, producer), at most LIST_LIMIT
    cancelled_total: int
    last_run: dict  # shared with other requests (parsed once per text): read, never change


def _per_person(session: MatchingSession) -> dict[int, tuple[int, int]]:
    """Per registration with meetings: how many, and its idle gaps (empty slots between its first
    and last meeting). One aggregation over both sides of the session's active meetings."""
    active = and_(Meeting.session_id == session.id, Meeting.status.in_(ACTIVE))
    buyers = select(Meeting.buyer_registration_id.label("person"), Meeting.slot.label("slot")).where(active)
    producers = select(Meeting.producer_registration_id.label("person"), Meeting.slot.label("slot")).where(
        active
    )
    sides = union_all(buyers, producers).subquery()
    rows = db.session.execute(
        select(
            sides.c.person,
            func.count(),
            func.min(sides.c.slot),
            func.max(sides.c.slot),
            func.count(distinct(sides.c.slot)),
        ).group_by(sides.c.person)
    )
    return {person: (n, high - low + 1 - different) for person, n, low, high, different in rows}


def _per_person_of(session: MatchingSession, people: list[int]) -> dict[int, tuple[int, int]]:
    """What _per_person gives, for a page of people: their meetings' rows (a few hundred, by the
    registrations' indexes) counted here, not an aggregation that plans parallel workers."""
    if not people:
        return {}
    wanted = set(people)
    slots_of_person: dict[int, list[int]] = {}
    for buyer, producer, slot in db.session.execute(
        select(Meeting.buyer_registration_id, Meeting.producer_registration_id, Meeting.slot).where(
            Meeting.session_id == session.id,
            Meeting.status.in_(ACTIVE),
            or_(Meeting.buyer_registration_id.in_(people), Meeting.producer_registration_id.in_(people)),
        )
    ):
        for rid in (buyer, producer):
            if rid in wanted:
                slots_of_person.setdefault(rid, []).append(slot)
    return {
        rid: (len(taken), max(taken) - min(taken) + 1 - len(set(taken)))
        for rid, taken in slots_of_person.items()
    }


def _names_of(registration_ids) -> dict[int, str]:
    ids = sorted(set(registration_ids))
    if not ids:
        return {}
    return dict(
        db.session.execute(
            select(Registration.id, Organisation.name)
            .join(Organisation, Organisation.id == Registration.organisation_id)
            .where(Registration.id.in_(ids))
        ).all()
    )


def _registration_id(pid: str) -> int | None:
    try:
        return int(pid[1:])
    except (TypeError, ValueError):
        return None


_PARSED: dict[str, dict] = {}  # last_run_json text -> its parsed value, for the last few texts
_PARSED_KEPT = 8


def last_run_of(session: MatchingSession) -> dict:
    """The session's last_run_json parsed, once per text in this process (a national run's is
    ~160 KB: its candidates per participant). Keyed by the text itself, so never stale; the
    value is shared: read it, never change it."""
    text = session.last_run_json
    if not text:
        return {}
    parsed = _PARSED.get(text)
    if parsed is None:
        parsed = _loads(text)
        while len(_PARSED) >= _PARSED_KEPT:
            _PARSED.pop(next(iter(_PARSED)))
        _PARSED[text] = parsed
    return parsed


def schedule_summary(session: MatchingSession, last_run: dict) -> dict:
    """The whole schedule's figures, from aggregations over all the session's meetings (hundreds
    of milliseconds at national size): computed when the schedule changes (the run, a repair, a
    move, a removal: services.refresh_summary stores them in last_run_json["summary"]), not on
    every view. Figures per participant count the participants approved at that moment."""
    active = and_(Meeting.session_id == session.id, Meeting.status.in_(ACTIVE))
    count, objective, slots_used = db.session.execute(
        select(
            func.count(Meeting.id),
            func.coalesce(func.sum(Meeting.score), 0.0),
            func.count(distinct(Meeting.slot)),
        ).where(active)
    ).one()
    per_person = _per_person(session)
    approved = set(
        db.session.scalars(
            select(Registration.id).where(
                Registration.event_id == session.event_id, Registration.status == "approved"
            )
        )
    )
    candidates = last_run.get("candidates", {})
    no_meeting_ids = sorted(
        rid
        for pid, n in candidates.items()
        if n and (rid := _registration_id(pid)) in approved and rid not in per_person
    )
    unscheduled = last_run.get("unscheduled", [])
    if session.kind == "forum":
        forum_figures = _forum_summary(session, unscheduled, approved)
        unmet = forum_figures.pop("unmet")
    buyers = (
        []
        if session.kind == "forum"
        else sorted({rid for u in unscheduled if (rid := _registration_id(u.get("buyer"))) is not None})
    )
    met = set()
    if buyers:
        pairs = db.session.execute(
            select(Meeting.buyer_registration_id, Meeting.producer_registration_id).where(
                active, Meeting.buyer_registration_id.in_(buyers)
            )
        )
        met = {(f"b{b}", f"p{p}") for b, p in pairs}
    if session.kind != "forum":
        forum_figures = {}
        unmet = [
            {"buyer": u.get("buyer"), "producer": u.get("producer"), "reason": u.get("reason", "")}
            for u in unscheduled
            if (u.get("buyer"), u.get("producer")) not in met
        ]
    cancelled = (Meeting.session_id == session.id, Meeting.status == "cancelled", Meeting.published.is_(True))
    cancelled_ids = list(db.session.scalars(select(Meeting.id).where(*cancelled).order_by(Meeting.id)))
    return {
        "meetings": count,
        "objective": objective,
        "slots_used": slots_used,
        "max_degree": max((n for n, _idle in per_person.values()), default=0),
        "idle_gaps": sum(idle for rid, (_n, idle) in per_person.items() if rid in approved),
        "people_with_meetings": sum(1 for rid in per_person if rid in approved),
        "no_meeting": len(no_meeting_ids),
        "no_meeting_ids": no_meeting_ids[:LIST_LIMIT],
        "unmet_total": len(unmet),
        "unmet": unmet[:LIST_LIMIT],
        "cancelled_total": len(cancelled_ids),
        "cancelled_ids": cancelled_ids[:LIST_LIMIT],
        **forum_figures,
    }


def _forum_summary(session: MatchingSession, unscheduled: list[dict], approved: set[int]) -> dict:
    """A forum's own figures, from its meetings and requests as they are now (hand moves and
    removals included): the breaks summed, the most and fewest a person has; the accepted
    requests between approved participants (requested) and those an active meeting meets
    (placed); and the others, unmet (sides a and b, a code): the run's reason when the run left
    it out, "removed" when the organiser removed its meeting by hand, "not_placed" otherwise
    (accepted or cancelled since the run: the next run or repair places it)."""
    from app.matching.engine.scheduling import break_stats
    from app.matching.forum.scheduling import REMOVED_CODE, UNPLACED_CODE, removed_pairs

    busy: dict[int, int] = {}
    met = set()
    for a, b, slot in db.session.execute(
        select(Meeting.buyer_registration_id, Meeting.producer_registration_id, Meeting.slot).where(
            Meeting.session_id == session.id, Meeting.status.in_(ACTIVE)
        )
    ):
        met.add((a, b))
        for rid in (a, b):
            busy[rid] = busy.get(rid, 0) | (1 << slot)
    accepted = [
        (a, b)
        for a, b in db.session.execute(
            select(ForumRequest.a_registration_id, ForumRequest.b_registration_id)
            .where(ForumRequest.session_id == session.id, ForumRequest.status == "accepted")
            .order_by(ForumRequest.a_registration_id, ForumRequest.b_registration_id)
        )
        if a in approved and b in approved
    ]
    by_run = {}
    for u in unscheduled:
        ids = sorted(rid for key in ("a", "b") if (rid := _registration_id(u.get(key))) is not None)
        if len(ids) == 2:
            by_run[tuple(ids)] = u
    removed = removed_pairs(session) if any(pair not in met for pair in accepted) else set()
    unmet = []
    for pair in accepted:
        if pair in met:
            continue
        a, b = (f"r{rid}" for rid in pair)
        run = by_run.get(pair)
        if run is not None:
            unmet.append({"a": a, "b": b, "code": run.get("code"), "reason": run.get("reason", "")})
        else:
            code = REMOVED_CODE if pair in removed else UNPLACED_CODE
            unmet.append({"a": a, "b": b, "code": code, "reason": code})  # read as words by its code
    since_run = sum(1 for u in unmet if u["code"] in (REMOVED_CODE, UNPLACED_CODE))
    return {
        "unmet": unmet,
        "requested": len(accepted),
        "placed": len(accepted) - len(unmet),
        "unmet_since_run": since_run,
        **break_stats(busy.values()),
    }


def overview(session: MatchingSession, *, count_people: bool = True) -> Overview:
    """The whole schedule's figures: the summary stored when the schedule last changed (or, for a
    schedule written before summaries were stored, computed now), the names of the few listed,
    and how many are approved (unless not `count_people`: figures["people"] is then None; counting
    11,000 registrations cost the session page ~2 ms, so its participants' page says it): a fixed
    number of statements that read a few rows."""
    slots = slots_of(session)
    labels = tuple(named_table_labels(session))
    last_run = last_run_of(session)
    summary = last_run.get("summary") or schedule_summary(session, last_run)
    people = None
    if count_people:
        people = (
            db.session.scalar(
                select(func.count(Registration.id)).where(
                    Registration.event_id == session.event_id, Registration.status == "approved"
                )
            )
            or 0
        )
    count = summary["meetings"]
    stats = last_run.get("stats") or {}
    upper = stats.get("upper_bound")
    lower = max(summary["max_degree"], math.ceil(count / session.tables)) if count else 0
    no_meeting_ids = summary["no_meeting_ids"]
    cancelled = _cancelled_names(summary["cancelled_ids"])
    forum = session.kind == "forum"
    keys = ("a", "b") if forum else ("buyer", "producer")
    hint_ids = [
        rid
        for h in last_run.get("hints", [])
        for pair in h["places"]
        for p in pair
        if (rid := _registration_id(p))
    ]
    names = _names_of(
        [rid for u in summary["unmet"] for key in keys if (rid := _registration_id(u.get(key)))]
        + no_meeting_ids
        + (hint_ids if forum else [])
    )

    def name(pid: str) -> str:
        return names.get(_registration_id(pid), pid)

    if forum:
        unmet = forum_unmet(summary["unmet"], last_run.get("hints", []), name)
    else:
        unmet = [
            {"buyer": name(u["buyer"]), "producer": name(u["producer"]), "reason": unmet_reason(u["reason"])}
            for u in summary["unmet"]
        ]
    objective = summary["objective"]
    figures = {
        "meetings": count,
        "objective": round(objective, 4),
        "upper_bound": upper,
        "quality": (objective / upper * 100) if upper else None,
        "slots_used": summary["slots_used"],
        "slots": len(slots),
        "lower_bound_slots": lower,
        "idle_gaps": summary["idle_gaps"],
        "no_meeting": summary["no_meeting"],
        "people": people,
        "people_with_meetings": summary["people_with_meetings"],
        "runtime_s": stats.get("runtime_s"),
    }
    if forum:
        from app.matching.forum.scheduling import change_words

        figures |= forum_figures(summary, stats, last_run)
        figures["hints"] = [
            (change_words(h["change"]), h.get("gain", len(h["places"]))) for h in last_run.get("hints", [])
        ]
    return Overview(
        slots=slots,
        table_labels=labels,
        figures=figures,
        unmet=unmet,
        unmet_total=summary["unmet_total"],
        no_meeting=[names.get(rid, f"#{rid}") for rid in no_meeting_ids],
        cancelled=cancelled,
        cancelled_total=summary["cancelled_total"],
        last_run=last_run,
    )


def _cancelled_names(meeting_ids: list[int]) -> list[tuple[str, str]]:
    """The (buyer, producer) names of these meetings, in their order: one select by primary key."""
    if not meeting_ids:
        return []
    query, (buyer_org, producer_org) = _with_names(select(Meeting.id).select_from(Meeting))
    rows = db.session.execute(
        query.with_only_columns(
            Meeting.id, buyer_org.name, producer_org.name, maintain_column_froms=True
        ).where(Meeting.id.in_(meeting_ids))
    ).all()
    by_id = {row[0]: (row[1], row[2]) for row in rows}
    return [by_id[mid] for mid in meeting_ids if mid in by_id]


# ---------------------------------------------------------------- a networking forum's quality


def forum_figures(summary: dict, stats: dict, last_run: dict) -> dict:
    """A forum's quality against proof: placed of requested, breaks against the engine's proven
    lower bound (the bound holds for the run's schedule; a hand move may add breaks)."""
    if "placed" in summary:  # counted from the meetings and requests as they are now
        requested, placed = summary["requested"], summary["placed"]
    else:  # a summary stored before these figures were
        requested = last_run.get("requested", stats.get("requested", 0)) or 0
        placed = max(0, requested - summary["unmet_total"])
    return {
        "forum": True,
        "requested": requested,
        "placed": placed,
        "breaks": summary.get("breaks", stats.get("breaks", 0)),
        "breaks_lower_bound": stats.get("breaks_lower_bound"),
        "max_breaks": summary.get("max_breaks", stats.get("max_breaks", 0)),
        "min_breaks": summary.get("min_breaks", stats.get("min_breaks", 0)),
        # Proven best: every accepted request placed as the run placed it (none unmet since) and
        # the breaks at the engine's proven bound.
        "optimal": stats.get("breaks_lower_bound") is not None
        and "placed" in summary
        and summary.get("unmet_since_run", 0) == 0
        and summary.get("breaks", stats.get("breaks")) == stats.get("breaks_lower_bound"),
        "method": stats.get("method"),
    }


def forum_unmet(unmet: list[dict], hints: list[dict], name) -> list[dict]:
    """Each unplaced request: who, why in plain words, and the changes that would place it."""
    from app.matching.forum.scheduling import change_words, reason_words

    changes: dict[tuple[str, str], list[str]] = {}
    for hint in hints:
        for a, b in hint["places"]:
            changes.setdefault((a, b), []).append(hint["change"])
    return [
        {
            "a": name(u["a"]),
            "b": name(u["b"]),
            "code": u.get("code"),
            "reason": reason_words(u.get("code"), u.get("reason", "")),
            "hints": [change_words(change) for change in changes.get((u["a"], u["b"]), [])],
        }
        for u in unmet
    ]


# ---------------------------------------------------------------- participants, a page at a time


@dataclass
class PeoplePage(MeetingsPage):
    pass


def people_page(session: MatchingSession, view: Overview, person: str, page: int) -> PeoplePage:
    """The approved participants (buyers first, by name) matching `person`, with their figures."""
    query = (
        select(Registration.id, Registration.role, Organisation.name)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == session.event_id, Registration.status == "approved")
    )
    if person:
        query = query.where(_person_condition(person, Organisation, registration_columns=(Registration.id,)))
    if person:
        total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    else:  # every approved participant: the overview counted them
        total = view.figures["people"]
    page = bounded_page(page)
    if not total or (page - 1) * PEOPLE_PER_PAGE >= total:
        return PeoplePage([], total, page, PEOPLE_PER_PAGE)
    candidates = view.last_run.get("candidates", {})
    listed = db.session.execute(
        query.order_by(Registration.role, Organisation.name, Registration.id)
        .limit(PEOPLE_PER_PAGE)
        .offset((page - 1) * PEOPLE_PER_PAGE)
    ).all()
    per_person = _per_person_of(session, [rid for rid, _role, _name in listed])
    rows = []
    for rid, role, name in listed:
        meetings, idle = per_person.get(rid, (0, 0))
        pid = f"r{rid}" if session.kind == "forum" else ("b" if role == "buyer" else "p") + str(rid)
        rows.append(
            {
                "id": rid,
                "name": name,
                "role": role,
                "meetings": meetings,
                "idle": idle,
                "candidates": candidates.get(pid),
            }
        )
    return PeoplePage(rows, total, page, PEOPLE_PER_PAGE)


# ---------------------------------------------------------------- moving one meeting


@dataclass
class MoveChoices:
    """Where one meeting can go: slots both sides can take (its own included), and the free
    tables in the chosen slot."""

    slots: list[tuple[Slot, int]]  # (slot, free tables in it)
    slot: int  # the chosen slot
    tables: list[int]  # free tables in the chosen slot (the meeting's own table included)
    current: Slot | None  # the meeting's slot (None when the settings no longer have it)


def move_choices(session: MatchingSession, meeting: Meeting, wanted_slot: int | None) -> MoveChoices:
    """Four statements whatever the session's size: the two sides' availability, their other
    meetings' slots, the meetings per slot, and the tables taken in the chosen slot; in a
    networking forum a fifth, the part of the day the pair is kept to."""
    slots = slots_of(session)
    people = (meeting.buyer_registration_id, meeting.producer_registration_id)
    allowed = set(range(len(slots)))
    part = forum_pair_part_of_day(session, meeting)
    if part is not None:
        from app.matching.forum.services import part_of_day_slots

        allowed &= set(part_of_day_slots(session, part, slots))
    for (slots_json,) in db.session.execute(
        select(Availability.slots_json).where(
            Availability.session_id == session.id, Availability.registration_id.in_(people)
        )
    ):
        chosen = _loads_list(slots_json)
        allowed &= {s for s in chosen if isinstance(s, int)}
    others = and_(Meeting.session_id == session.id, Meeting.status.in_(ACTIVE), Meeting.id != meeting.id)
    busy = set(
        db.session.scalars(
            select(Meeting.slot)
            .where(
                others,
                or_(Meeting.buyer_registration_id.in_(people), Meeting.producer_registration_id.in_(people)),
            )
            .distinct()
        )
    )
    taken_per_slot = dict(
        db.session.execute(select(Meeting.slot, func.count()).where(others).group_by(Meeting.slot)).all()
    )
    open_slots = [
        (slot, session.tables - taken_per_slot.get(slot.index, 0))
        for slot in slots
        if slot.index == meeting.slot
        or (
            slot.index in allowed
            and slot.index not in busy
            and taken_per_slot.get(slot.index, 0) < session.tables
        )
    ]
    indexes = [slot.index for slot, _free in open_slots]
    if wanted_slot in indexes:
        chosen = wanted_slot
    elif meeting.slot in indexes:
        chosen = meeting.slot
    else:
        chosen = indexes[0] if indexes else meeting.slot
    taken = set(db.session.scalars(select(Meeting.table).where(others, Meeting.slot == chosen)))
    tables = [t for t in range(session.tables) if t not in taken]
    current = slots[meeting.slot] if 0 <= meeting.slot < len(slots) else None
    return MoveChoices(open_slots, chosen, tables, current)


def _loads_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []
