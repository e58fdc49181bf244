"""What came of the meetings: each side records its outcome; the organiser reads the totals.

Kinds, weakest to strongest: no interest, follow-up, sample order, contract. A contract
needs its value in VND (> 0); a sample order may carry one. Each side records once and may
correct its record. Per meeting the report counts the stronger of the two sides' records,
and a contract's value is the larger of the two values given (both sides often report the
same contract; adding them would count it twice). The organisers' report can be narrowed
(MeetingFilters: buyer type, producer's province, OCOP group, star tier, status, contracts) by
the event dashboard's definitions, so each of the dashboard's meeting figures links to exactly
the meetings it counts. Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, case, exists, func, literal, select
from sqlalchemy.orm import aliased

from app import signals
from app.catalog.models import Organisation, Product
from app.data.provinces import CURRENT_PROVINCES, EARLIER_OF
from app.data.vocab import BUYER_TYPES, OCOP_GROUPS
from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration, RegistrationProduct
from app.events.registrations.services import can_act_for
from app.events.services import ensure_can_manage
from app.extensions import db
from app.inputs import bounded_page
from app.matching.engine.slots import Slot, session_slots
from app.matching.models import OUTCOME_KINDS, MatchingSession, Meeting, MeetingOutcome
from app.matching.queries import with_session_and_sides
from app.names import table_label
from app.paging import counted_page, rows_and_total

OUTCOME_LABELS = {
    "no_interest": _l("No interest"),
    "follow_up": _l("Follow-up"),
    "sample_order": _l("Sample order"),
    "contract": _l("Contract"),
}
STRENGTH = {kind: rank for rank, kind in enumerate(OUTCOME_KINDS)}

# A meeting's two columns, as a report names them. A buyer–producer session's columns hold the
# buyer and the producer; a networking forum's the pair's two sides in registration order,
# whatever their roles (Meeting's docstring): participants A and B. A report over both kinds
# of session names each column by both.
COLUMN_LABELS = {
    "pair": {"buyer": _l("Buyer"), "producer": _l("Producer")},
    "forum": {"buyer": _l("Participant A"), "producer": _l("Participant B")},
    "mixed": {"buyer": _l("Buyer or participant A"), "producer": _l("Producer or participant B")},
}
SAYS_LABELS = {
    "pair": {"buyer": _l("Buyer says"), "producer": _l("Producer says")},
    "forum": {"buyer": _l("Participant A says"), "producer": _l("Participant B says")},
    "mixed": {"buyer": _l("Buyer or A says"), "producer": _l("Producer or B says")},
}


def column_naming(kinds) -> str:
    """Which COLUMN_LABELS name a report's meeting columns, from its sessions' kinds: "pair"
    (buyer–producer sessions only, or none), "forum" (forums only) or "mixed"."""
    kinds = set(kinds)
    if "forum" not in kinds:
        return "pair"
    return "forum" if kinds == {"forum"} else "mixed"


MAX_VALUE_VND = 10**15  # a sanity bound far above any fair's contract
RECORDABLE_STATUSES = ("scheduled", "held")


def _slot(meeting: Meeting) -> Slot | None:
    slots = session_slots(meeting.session, meeting.session.event.timezone)
    return slots[meeting.slot] if 0 <= meeting.slot < len(slots) else None


def meeting_side(actor, meeting: Meeting) -> str:
    """The actor's side of the meeting ("buyer" or "producer"); PermissionDenied if neither."""
    if can_act_for(actor, meeting.buyer):
        return "buyer"
    if can_act_for(actor, meeting.producer):
        return "producer"
    raise PermissionDenied


def can_record(meeting: Meeting, now: datetime | None = None, slot: Slot | None = None) -> bool:
    """Whether the meeting's outcome can be recorded yet: published, not cancelled, started.

    `slot`: the meeting's slot when the caller has it already (an agenda lists many meetings).
    """
    now = now or utcnow()
    slot = slot or _slot(meeting)
    return (
        meeting.published
        and meeting.status in RECORDABLE_STATUSES
        and slot is not None
        and slot.start_utc <= now
    )


def parse_value(text: str | None) -> int | None:
    """'150.000.000', '150,000,000' or '150000000 đ' → 150000000; '' → None; ValueError otherwise."""
    cleaned = "".join(ch for ch in (text or "") if ch not in " .,_\u00a0đ₫VNDvnd")
    if not cleaned:
        return None
    if not cleaned.isdigit():
        raise ValueError(text)
    return int(cleaned)


def record_outcome(
    actor,
    meeting: Meeting,
    kind: str,
    value_vnd: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
) -> MeetingOutcome:
    """The actor's side records (or corrects) what came of the meeting."""
    side = meeting_side(actor, meeting)
    now = now or utcnow()
    if meeting.status == "no_show":
        raise ServiceError(
            _l("This meeting was marked as a no-show; ask the organiser if it did take place.")
        )
    if not can_record(meeting, now):
        raise ServiceError(_l("You can record the outcome once the meeting has taken place."))
    if kind not in OUTCOME_KINDS:
        raise ServiceError(_l("Choose what came of the meeting."), "kind")
    if value_vnd is not None and (value_vnd < 0 or value_vnd > MAX_VALUE_VND):
        raise ServiceError(_l("Give the value in VND as a whole number."), "value_vnd")
    if kind == "contract" and not value_vnd:
        raise ServiceError(_l("A contract needs its value in VND (more than 0)."), "value_vnd")
    if kind in ("no_interest", "follow_up"):
        value_vnd = None
    outcome = db.session.get(MeetingOutcome, (meeting.id, side))
    if outcome is None:
        outcome = MeetingOutcome(meeting_id=meeting.id, side=side)
        db.session.add(outcome)
    outcome.kind = kind
    outcome.value_vnd = value_vnd or None
    outcome.note = (note or "").strip() or None
    outcome.recorded_at = now
    db.session.flush()
    signals.outcome_recorded.send(outcome, meeting=meeting)
    return outcome


def outcome_of(meeting: Meeting, side: str) -> MeetingOutcome | None:
    return db.session.get(MeetingOutcome, (meeting.id, side))


# ---------------------------------------------------------------- the organiser's report


@dataclass
class OutcomeRow:
    meeting: Meeting
    slot: Slot | None
    table: tuple[str, str]  # (label, lang) for the reader
    buyer: Registration
    producer: Registration
    buyer_outcome: MeetingOutcome | None
    producer_outcome: MeetingOutcome | None
    forum: bool = False  # the two columns hold a forum pair's sides a and b, not a buyer and a producer


def stronger_kind(records: list[tuple[str, int | None]]) -> str:
    """A meeting's outcome from its sides' records (kind, value): the stronger of the two."""
    return max((kind for kind, _value in records), key=STRENGTH.__getitem__)


def contract_value(records: list[tuple[str, int | None]]) -> int:
    """A meeting's contract value from its sides' records: the larger side's contract."""
    return max((value or 0 for kind, value in records if kind == "contract"), default=0)


@dataclass
class Bar:
    kind: str
    label: str
    count: int
    width: float  # share of the longest bar, 0..100


@dataclass
class OutcomeReport:
    rows: list[OutcomeRow] = field(default_factory=list)
    meetings: int = 0  # published, not cancelled
    held: int = 0
    no_shows: int = 0
    scheduled: int = 0  # not yet held nor marked no-show
    contracts: int = 0
    contract_vnd: int = 0
    sample_orders: int = 0
    follow_ups: int = 0
    no_interest: int = 0
    reported: int = 0  # meetings with at least one side's record
    bars: list[Bar] = field(default_factory=list)
    naming: str = "pair"  # a key of COLUMN_LABELS: how the table's two meeting columns are named
    page: Pagination | None = None  # over the meetings; rows holds the current page's

    @property
    def column_labels(self) -> dict:
        return COLUMN_LABELS[self.naming]

    @property
    def says_labels(self) -> dict:
        return SAYS_LABELS[self.naming]


NO_BUYER = "-"  # the buyer type of a networking forum's meeting between two producers
MEETING_STATUS_FILTERS = ("held", "no_show", "scheduled")


@dataclass(frozen=True)
class MeetingFilters:
    """What the organisers' list of meetings is narrowed to (the event dashboard links here with
    one of its cells' filters); every field None means every meeting.

    The definitions are the event dashboard's (app/reports/dashboard/services.py), so a cell's
    link lists exactly the meetings it counted: a meeting's buyer and producer by role, not by
    column (a forum's two columns hold any two participants: its buyer type is side a's when
    both are buyers and NO_BUYER when two producers meet; its producer side b's when both are
    producers, none when two buyers meet); the producer's province folds earlier codes into
    the current province; its OCOP groups are those of the products it brought (any of them
    matches) and its star tier the highest stars among them; a contract is a meeting either
    side recorded as one."""

    buyer_type: str | None = None  # a key of BUYER_TYPES, or NO_BUYER
    province: str | None = None  # a current province code (CURRENT_PROVINCES)
    group: str | None = None  # a key of OCOP_GROUPS
    stars: int | None = None  # 1..5: the producer's star tier
    status: str | None = None  # one of MEETING_STATUS_FILTERS
    contract: bool = False

    KEYS = ("buyer_type", "province", "group", "stars", "status", "contract")

    @property
    def active(self) -> bool:
        return any(getattr(self, key) for key in self.KEYS)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links)."""
        values = {key: getattr(self, key) for key in self.KEYS}
        values["contract"] = "1" if self.contract else None
        return {key: str(value) for key, value in values.items() if value}


def meeting_filters(args: Mapping[str, str]) -> MeetingFilters:
    """The filters of a query string; ServiceError (its field the argument) for a value that is
    not one of the known ones. Empty values count as absent."""
    values = {key: (args.get(key) or "").strip() or None for key in MeetingFilters.KEYS}
    buyer_type = values["buyer_type"]
    if buyer_type is not None and buyer_type != NO_BUYER and buyer_type not in BUYER_TYPES:
        raise ServiceError(_("Unknown buyer type “%(value)s”.", value=buyer_type), "buyer_type")
    if values["province"] is not None and values["province"] not in CURRENT_PROVINCES:
        raise ServiceError(
            _(
                "Unknown province “%(value)s”: give one of the 34 current provinces.",
                value=values["province"],
            ),
            "province",
        )
    if values["group"] is not None and values["group"] not in OCOP_GROUPS:
        raise ServiceError(_("Unknown OCOP group “%(value)s”.", value=values["group"]), "group")
    stars = values["stars"]
    if stars is not None and stars not in ("1", "2", "3", "4", "5"):
        raise ServiceError(_("Stars are a whole number from 1 to 5."), "stars")
    if values["status"] is not None and values["status"] not in MEETING_STATUS_FILTERS:
        raise ServiceError(_("Unknown meeting status “%(value)s”.", value=values["status"]), "status")
    if values["contract"] not in (None, "1"):
        raise ServiceError(_("“contract” takes the value 1 (meetings with a contract)."), "contract")
    return MeetingFilters(
        buyer_type=buyer_type,
        province=values["province"],
        group=values["group"],
        stars=int(stars) if stars else None,
        status=values["status"],
        contract=values["contract"] == "1",
    )


def describe_filters(filters: MeetingFilters) -> list[tuple[str, str, str]]:
    """The active filters as a page shows them: (key, what, value), in the reader's language."""
    statuses = {"held": _("Held"), "no_show": _("No-show"), "scheduled": _("Scheduled")}
    shown = []
    if filters.buyer_type:
        label = (
            _("No buyer (producers meeting in a forum)")
            if filters.buyer_type == NO_BUYER
            else str(BUYER_TYPES[filters.buyer_type])
        )
        shown.append(("buyer_type", _("Buyer type"), label))
    if filters.province:
        shown.append(("province", _("Producer's province"), CURRENT_PROVINCES[filters.province]))
    if filters.group:
        shown.append(("group", _("OCOP group"), str(OCOP_GROUPS[filters.group])))
    if filters.stars:
        shown.append(("stars", _("Star tier"), _("%(n)d stars", n=filters.stars)))
    if filters.status:
        shown.append(("status", _("Status"), statuses[filters.status]))
    if filters.contract:
        shown.append(("contract", _("Outcome"), _("Contract")))
    return shown


def _filtered_meetings(query, filters: MeetingFilters):
    """`query` (of meetings) narrowed to `filters`, by the dashboard's definitions (MeetingFilters)."""
    if filters.status:
        query = query.where(Meeting.status == filters.status)
    if filters.contract:
        query = query.where(
            exists().where(MeetingOutcome.meeting_id == Meeting.id, MeetingOutcome.kind == "contract")
        )
    if not (filters.buyer_type or filters.province or filters.group or filters.stars):
        return query
    side_a, side_b = aliased(Registration, name="side_a"), aliased(Registration, name="side_b")
    org_a, org_b = aliased(Organisation, name="org_a"), aliased(Organisation, name="org_b")
    query = (
        query.join(side_a, side_a.id == Meeting.buyer_registration_id)
        .join(org_a, org_a.id == side_a.organisation_id)
        .join(side_b, side_b.id == Meeting.producer_registration_id)
        .join(org_b, org_b.id == side_b.organisation_id)
    )

    def producer(a_column, b_column):
        return case(
            (side_b.role == "exhibitor", b_column), (side_a.role == "exhibitor", a_column), else_=None
        )

    if filters.buyer_type:
        buyer_type = case(
            (side_a.role == "buyer", org_a.buyer_type),
            (side_b.role == "buyer", org_b.buyer_type),
            else_=literal(NO_BUYER),
        )
        query = query.where(buyer_type == filters.buyer_type)
    if filters.province:
        query = query.where(
            producer(org_a.province_code, org_b.province_code).in_(EARLIER_OF[filters.province])
        )
    producer_id = producer(side_a.id, side_b.id)
    if filters.group:
        query = query.where(
            exists()
            .where(
                RegistrationProduct.registration_id == producer_id,
                Product.id == RegistrationProduct.product_id,
                Product.ocop_group == filters.group,
            )
            .correlate_except(RegistrationProduct, Product)
        )
    if filters.stars:
        tier = (
            select(func.max(Product.stars))
            .join(RegistrationProduct, RegistrationProduct.product_id == Product.id)
            .where(RegistrationProduct.registration_id == producer_id)
            .correlate_except(RegistrationProduct, Product)
            .scalar_subquery()
        )
        query = query.where(and_(tier.is_not(None), tier == filters.stars))
    return query


OUTCOMES_PER_PAGE = 50


def event_outcomes(
    actor,
    event: Event,
    filters: MeetingFilters | None = None,
    *,
    page: int = 1,
    per_page: int = OUTCOMES_PER_PAGE,
) -> OutcomeReport:
    """For the event's organisers: the published, not cancelled meetings `filters` keeps (see
    MeetingFilters), in time order, a page of `per_page` rows at a time with both sides' outcomes,
    and the totals of all of them. A page past the end shows the last one. Besides the
    permission check, five statements whatever the number of meetings: every kept meeting's
    slot, table and status; their outcomes' kinds and values; the event's sessions; then the
    page's meetings with both sides and their organisations, and the page's outcomes."""
    ensure_can_manage(actor, event)
    filters = filters or MeetingFilters()
    kept = _filtered_meetings(
        select(Meeting.id, Meeting.session_id, Meeting.slot, Meeting.table, Meeting.status)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(
            MatchingSession.event_id == event.id,
            Meeting.published.is_(True),
            Meeting.status != "cancelled",
        ),
        filters,
    )
    rows = db.session.execute(kept).all()
    records: dict[int, list[tuple[str, int | None]]] = {}
    kept_ids = kept.with_only_columns(Meeting.id).scalar_subquery()
    for meeting_id, kind, value in db.session.execute(
        select(MeetingOutcome.meeting_id, MeetingOutcome.kind, MeetingOutcome.value_vnd).where(
            MeetingOutcome.meeting_id.in_(kept_ids)
        )
    ):
        records.setdefault(meeting_id, []).append((kind, value))
    sessions = {
        session.id: session
        for session in db.session.scalars(select(MatchingSession).where(MatchingSession.event_id == event.id))
    }
    slots = {
        sid: {s.index: s for s in session_slots(session, event.timezone)} for sid, session in sessions.items()
    }

    report = OutcomeReport()
    counts = dict.fromkeys(OUTCOME_KINDS, 0)
    for meeting_id, _session_id, _slot, _table, status in rows:
        report.meetings += 1
        report.held += status == "held"
        report.no_shows += status == "no_show"
        report.scheduled += status == "scheduled"
        sides = records.get(meeting_id)
        if sides:
            kind = stronger_kind(sides)
            report.reported += 1
            counts[kind] += 1
            if kind == "contract":
                report.contract_vnd += contract_value(sides)
    report.contracts = counts["contract"]
    report.sample_orders = counts["sample_order"]
    report.follow_ups = counts["follow_up"]
    report.no_interest = counts["no_interest"]
    longest = max(counts.values(), default=0) or 1
    report.bars = [
        Bar(kind, str(OUTCOME_LABELS[kind]), counts[kind], round(100 * counts[kind] / longest, 1))
        for kind in reversed(OUTCOME_KINDS)
    ]
    report.naming = column_naming(sessions[session_id].kind for _id, session_id, *_rest in rows)

    def when(row) -> tuple:
        slot = slots[row.session_id].get(row.slot)
        return (slot is None, slot.start_utc if slot else 0, row.table is None, row.table or 0, row.id)

    rows.sort(key=when)
    page = min(bounded_page(page), max(1, -(-len(rows) // per_page)))  # past the end: the last
    shown = [row.id for row in rows[(page - 1) * per_page : page * per_page]]
    report.page = counted_page(shown, len(rows), page=page, per_page=per_page)
    if not shown:
        return report
    meetings = {
        meeting.id: meeting
        for meeting in db.session.scalars(
            select(Meeting)
            .join(MatchingSession, MatchingSession.id == Meeting.session_id)
            .where(Meeting.id.in_(shown))
            .options(*with_session_and_sides())
        ).unique()
    }
    outcomes = {
        (o.meeting_id, o.side): o
        for o in db.session.scalars(select(MeetingOutcome).where(MeetingOutcome.meeting_id.in_(shown)))
    }
    for meeting_id in shown:
        meeting = meetings.get(meeting_id)
        if meeting is None:  # deleted with its session since the first statement
            continue
        session = meeting.session
        report.rows.append(
            OutcomeRow(
                meeting=meeting,
                slot=slots[session.id].get(meeting.slot),
                table=table_label(session, meeting.table),
                buyer=meeting.buyer,
                producer=meeting.producer,
                buyer_outcome=outcomes.get((meeting.id, "buyer")),
                producer_outcome=outcomes.get((meeting.id, "producer")),
                forum=session.kind == "forum",
            )
        )
    return report


# ---------------------------------------------------------------- the records, a page at a time

OUTCOME_SORTS = ("recorded_at", "value_vnd", "kind")


def outcomes_page(
    actor,
    event: Event,
    *,
    kind: str | None = None,
    side: str | None = None,
    session_id: int | None = None,
    min_value_vnd: int | None = None,
    sort: str = "-recorded_at",
    page: int = 1,
    per_page: int = 25,
) -> tuple[list[tuple[MeetingOutcome, Meeting]], int]:
    """For the event's organisers: the sides' records of its published, not cancelled meetings
    (those event_outcomes() reports), filtered, sorted by `sort` (one of OUTCOME_SORTS, "-"
    before it for descending; ties by meeting and side), each with its meeting; and how many
    there are. One statement whatever the page's size."""
    ensure_can_manage(actor, event)
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort.lstrip("-") in OUTCOME_SORTS else "recorded_at"
    column = {
        "recorded_at": MeetingOutcome.recorded_at,
        "value_vnd": MeetingOutcome.value_vnd,
        "kind": case(STRENGTH, value=MeetingOutcome.kind, else_=-1),
    }[key]
    ordering = [MeetingOutcome.value_vnd.is_(None)] if key == "value_vnd" else []  # no value: last
    ordering.append(column.desc() if descending else column.asc())
    tiebreak = [MeetingOutcome.meeting_id, MeetingOutcome.side]
    query = (
        select(MeetingOutcome, Meeting)
        .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(
            MatchingSession.event_id == event.id,
            Meeting.published.is_(True),
            Meeting.status != "cancelled",
        )
        .options(
            *with_session_and_sides(),
        )
        .order_by(*ordering, *tiebreak)
    )
    if kind is not None:
        query = query.where(MeetingOutcome.kind == kind)
    if side is not None:
        query = query.where(MeetingOutcome.side == side)
    if session_id is not None:
        query = query.where(Meeting.session_id == session_id)
    if min_value_vnd is not None:
        query = query.where(MeetingOutcome.value_vnd >= min_value_vnd)
    rows, total = rows_and_total(query, page=page, per_page=per_page)
    return [(outcome, meeting) for outcome, meeting in rows], total
