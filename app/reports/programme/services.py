"""The programme across events: what a province's fairs, goods weeks, online weeks and
conferences achieved, per kind, per province and per quarter, and who took part most.

Entry points (plain values in, plain values out; read-only, nothing flushed):

- ``programme(actor, filters, *, page=1, per_page=25, locale="vi", now=None) -> Programme``:
  every figure of the page. A fixed number of SQL statements whatever the data (5: the years;
  the totals, the GROUP BYs per kind, province and quarter and the planned events per kind in
  one; a page of the events with
  their figures; the top-10 lists of those that took part most, and of those that signed
  most), each a GROUP BY aggregation; nothing loads participants or meetings.
- ``programme_table(actor, filters, key) -> Table`` and ``workbook_tables(actor, filters,
  made_by, made_at)``: the same tables for the CSV/XLSX exports and the province's yearly
  workbook (the events table there is the whole list, streamed, not a page).

Which events an actor sees (``scope``): an administrator every event; an organiser the events
he or she organises (EventOrganiser). Accounts carry no province, so the province is a
filter, not a right. Drafts and cancelled events are left out: they were never held.

Held or planned (``ProgrammeFilters.when``, "held" by default, so a province's yearly report
counts only what happened): an event is held once its first day has begun by the app's clock
(app/clock.py; ``now`` when given: the workbook passes the moment it was made), whatever its
state says (an organiser may leave a past fair "registration closed"); planned until then,
even while its registration is open. "planned" counts those only, "all" both. Whichever is
shown, the page also gets the planned events per kind under the same year, province and kind
(``Programme.planned``), so what is coming is shown apart, never added to what was held.

An event's year and quarter are those of its first day in Vietnam (UTC+7, no daylight
saving). Its province is the current province (Resolution 202/2025/QH15) of the province
code it was recorded with, so a fair recorded in Bắc Giang ("24") and one in Bắc Ninh ("27")
both count for today's Bắc Ninh.

Figures: exhibitors and buyers are approved registrations (an organisation at two fairs
counts twice: participations, as provinces report them); products are those approved
exhibitors brought; booths are booth assignments not cancelled; meetings held are meetings
checked in as held; a contract is a meeting either side recorded as one, its value the
larger of the two sides' figures (app/matching/outcomes/services.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from math import ceil

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    union_all,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from app import clock
from app.booths.models import BoothAssignment
from app.catalog.models import Organisation
from app.clock import VIETNAM
from app.data.provinces import CURRENT_OF, CURRENT_PROVINCES, current_province_choices
from app.events.forms import EVENT_KIND_LABELS
from app.events.models import EVENT_KINDS, Event, EventOrganiser, Registration, RegistrationProduct
from app.extensions import db
from app.matching.models import MatchingSession, Meeting, MeetingOutcome
from app.reports.tables import Column, Table

# States of an event that took place or is announced; drafts and cancelled ones never were.
# Among these, an event is held once it has started, planned before (see the module's docstring).
COUNTED_STATES = ("registration_open", "registration_closed", "scheduled", "running", "finished")
WHEN = ("held", "planned", "all")
WHEN_LABELS = {
    "held": _l("Held (started)"),
    "planned": _l("Planned (not yet started)"),
    "all": _l("Held and planned"),
}
YEAR_MIN, YEAR_MAX = 1900, 2999  # the years an event's dates may hold (app/forms.py within_years)
TOP = 10
NO_PROVINCE = ""  # an online week recorded without a province

# The figures each event contributes, in the order of the tables' columns.
MEASURES = ("exhibitors", "buyers", "products", "booths", "meetings_held", "contracts", "contract_vnd")
MEASURE_LABELS = {
    "events": _l("Events"),
    "exhibitors": _l("Exhibitors"),
    "buyers": _l("Buyers"),
    "products": _l("Products"),
    "booths": _l("Booths"),
    "meetings_held": _l("Meetings held"),
    "contracts": _l("Contracts"),
    "contract_vnd": _l("Contract value (VND)"),
}
TABLE_KEYS = (
    "by_kind",
    "by_province",
    "by_quarter",
    "events",
    "top_producers_attended",
    "top_producers_signed",
    "top_buyers_attended",
    "top_buyers_signed",
)


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the page is narrowed to: a year (Vietnam calendar), a current province's code, a
    kind, and whether the events held, planned or all."""

    year: int | None = None
    province: str | None = None
    kind: str | None = None
    when: str = "held"

    def __post_init__(self) -> None:
        if self.year is not None and not YEAR_MIN <= self.year <= YEAR_MAX:
            raise ValueError(f"year {self.year} out of range")
        if self.province is not None and self.province not in CURRENT_PROVINCES:
            raise ValueError(f"unknown current province {self.province!r}")
        if self.kind is not None and self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown kind {self.kind!r}")
        if self.when not in WHEN:
            raise ValueError(f"unknown when {self.when!r}")

    def args(self, **changes) -> dict:
        """The query string of these filters (with `changes`), for links and exports; "held",
        the default, is left out."""
        values = {"year": self.year, "province": self.province, "kind": self.kind, "when": self.when}
        values |= changes
        if values["when"] == "held":
            values["when"] = None
        return {name: value for name, value in values.items() if value not in (None, "")}


# ---------------------------------------------------------------- SQL pieces


class vietnam_quarter(FunctionElement):
    """year * 10 + quarter of a UTC timestamp on Vietnam's calendar (UTC+7): 20263 is 2026 Q3."""

    type = Integer()
    inherit_cache = True


@compiles(vietnam_quarter)
def _quarter_default(element, compiler, **kw):  # SQLite: timestamps are stored as UTC text
    moment = compiler.process(element.clauses, **kw)
    year = f"CAST(strftime('%Y', {moment}, '+7 hours') AS INTEGER)"
    month = f"CAST(strftime('%m', {moment}, '+7 hours') AS INTEGER)"
    return f"({year} * 10 + ({month} + 2) / 3)"


@compiles(vietnam_quarter, "postgresql")
def _quarter_postgresql(element, compiler, **kw):  # timestamptz
    moment = compiler.process(element.clauses, **kw)
    local = f"({moment} AT TIME ZONE 'Asia/Ho_Chi_Minh')"
    return (
        f"(CAST(EXTRACT(YEAR FROM {local}) AS INTEGER) * 10 + CAST(EXTRACT(QUARTER FROM {local}) AS INTEGER))"
    )


def _current_province(column):
    """The current province's code of an earlier or current code, in SQL ('' when none)."""
    return case(CURRENT_OF, value=column, else_=literal(NO_PROVINCE))


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The first instant of `year` and of the next, in Vietnam, as UTC."""
    start = datetime(year, 1, 1, tzinfo=VIETNAM).astimezone(UTC)
    return start, datetime(year + 1, 1, 1, tzinfo=VIETNAM).astimezone(UTC)


def scope(actor):
    """The condition on Event for the events `actor` may count (see the module's docstring)."""
    counted = Event.state.in_(COUNTED_STATES)
    if getattr(actor, "role", None) == "admin":
        return counted
    if getattr(actor, "role", None) != "organiser":
        return literal(False)
    organised = select(EventOrganiser.event_id).where(EventOrganiser.user_id == actor.id)
    return and_(counted, Event.id.in_(organised))


def _conditions(actor, filters: ProgrammeFilters, now: datetime) -> list:
    conditions = [scope(actor)]
    if filters.when == "held":
        conditions.append(Event.starts_at <= now)
    elif filters.when == "planned":
        conditions.append(Event.starts_at > now)
    if filters.year is not None:
        start, end = year_bounds(filters.year)
        conditions += [Event.starts_at >= start, Event.starts_at < end]
    if filters.province is not None:
        earlier = [code for code, current in CURRENT_OF.items() if current == filters.province]
        conditions.append(Event.province_code.in_(earlier))
    if filters.kind is not None:
        conditions.append(Event.kind == filters.kind)
    return conditions


def _event_rows(actor, filters: ProgrammeFilters, now: datetime, chosen=None):
    """A select of one row per event in scope (or among `chosen`, a subquery of event ids), with
    its kind, current province, quarter and figures; each figure a GROUP BY event over those
    events only."""
    conditions = _conditions(actor, filters, now)
    if chosen is None:
        chosen = select(Event.id).where(*conditions).scalar_subquery()
    approved = and_(Registration.status == "approved", Registration.event_id.in_(chosen))
    registrations = (
        select(
            Registration.event_id.label("event_id"),
            func.sum(case((Registration.role == "exhibitor", 1), else_=0)).label("exhibitors"),
            func.sum(case((Registration.role == "buyer", 1), else_=0)).label("buyers"),
        )
        .where(approved)
        .group_by(Registration.event_id)
        .subquery()
    )
    products = (
        select(Registration.event_id.label("event_id"), func.count().label("products"))
        .join(RegistrationProduct, RegistrationProduct.registration_id == Registration.id)
        .where(approved, Registration.role == "exhibitor")
        .group_by(Registration.event_id)
        .subquery()
    )
    booths = (
        select(BoothAssignment.event_id.label("event_id"), func.count().label("booths"))
        .where(BoothAssignment.status != "cancelled", BoothAssignment.event_id.in_(chosen))
        .group_by(BoothAssignment.event_id)
        .subquery()
    )
    held = (
        select(MatchingSession.event_id.label("event_id"), func.count().label("meetings_held"))
        .join(Meeting, Meeting.session_id == MatchingSession.id)
        .where(Meeting.status == "held", MatchingSession.event_id.in_(chosen))
        .group_by(MatchingSession.event_id)
        .subquery()
    )
    deals = contract_meetings(chosen).subquery()
    contracts = (
        select(
            deals.c.event_id.label("event_id"),
            func.count().label("contracts"),
            func.sum(deals.c.value).label("contract_vnd"),
        )
        .group_by(deals.c.event_id)
        .subquery()
    )
    parts = {
        "exhibitors": registrations,
        "buyers": registrations,
        "products": products,
        "booths": booths,
        "meetings_held": held,
        "contracts": contracts,
        "contract_vnd": contracts,
    }
    query = select(
        Event.id.label("id"),
        Event.kind.label("kind"),
        Event.starts_at.label("starts_at"),
        _current_province(Event.province_code).label("province"),
        vietnam_quarter(Event.starts_at).label("quarter"),
        *(func.coalesce(getattr(part.c, name), 0).label(name) for name, part in parts.items()),
    ).where(*conditions, Event.id.in_(chosen))
    for part in (registrations, products, booths, held, contracts):
        query = query.outerjoin(part, part.c.event_id == Event.id)
    return query


def contract_meetings(chosen_events):
    """A select of one row per meeting of the chosen events that either side recorded as a
    contract, with its event, both registrations and its value (the larger side's figure)."""
    return (
        select(
            Meeting.id.label("meeting_id"),
            MatchingSession.event_id.label("event_id"),
            Meeting.buyer_registration_id.label("buyer_registration_id"),
            Meeting.producer_registration_id.label("producer_registration_id"),
            func.coalesce(func.max(MeetingOutcome.value_vnd), 0).label("value"),
        )
        .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(
            MeetingOutcome.kind == "contract",
            Meeting.status != "cancelled",
            MatchingSession.event_id.in_(chosen_events),
        )
        .group_by(
            Meeting.id,
            MatchingSession.event_id,
            Meeting.buyer_registration_id,
            Meeting.producer_registration_id,
        )
    )


def _sums(rows) -> list:
    return [func.coalesce(func.sum(getattr(rows.c, name)), 0).label(name) for name in MEASURES]


def _kind_counts(rows) -> list:
    return [func.sum(case((rows.c.kind == kind, 1), else_=0)).label(f"kind_{kind}") for kind in EVENT_KINDS]


# ---------------------------------------------------------------- the figures


@dataclass
class Line:
    """One row of a breakdown: its key (a kind, a province code, a quarter), label, figures."""

    key: str | int
    label: str
    events: int
    figures: dict[str, int]
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass
class EventLine:
    id: int
    name: str
    kind: str
    state: str
    starts_at: datetime
    timezone: str
    province: str
    figures: dict[str, int]


@dataclass
class OrgLine:
    id: int
    name: str
    province: str
    events: int = 0
    contracts: int = 0
    contract_vnd: int = 0


@dataclass
class Programme:
    filters: ProgrammeFilters
    years: list[int]  # the years that hold events the actor sees, newest first
    events: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    by_kind: list[Line] = field(default_factory=list)
    by_province: list[Line] = field(default_factory=list)
    by_quarter: list[Line] = field(default_factory=list)
    event_page: list[EventLine] = field(default_factory=list)
    page: int = 1
    pages: int = 1
    page_past_end: bool = False
    top_producers_attended: list[OrgLine] = field(default_factory=list)
    top_producers_signed: list[OrgLine] = field(default_factory=list)
    top_buyers_attended: list[OrgLine] = field(default_factory=list)
    top_buyers_signed: list[OrgLine] = field(default_factory=list)
    planned: dict[str, int] = field(default_factory=dict)  # kind -> events not yet started

    @property
    def planned_events(self) -> int:
        return sum(self.planned.values())


def province_title(code: str) -> str:
    return CURRENT_PROVINCES.get(code) or str(_l("No province"))


def quarter_title(quarter: int) -> str:
    return f"{quarter // 10} Q{quarter % 10}"


def _figures(row) -> dict[str, int]:
    return {name: int(getattr(row, name) or 0) for name in MEASURES}


def years_with_events(actor) -> list[int]:
    """The Vietnam-calendar years holding events `actor` sees, newest first (one statement)."""
    first, last = db.session.execute(
        select(func.min(Event.starts_at), func.max(Event.starts_at)).where(scope(actor))
    ).one()
    if first is None:
        return []
    low, high = (moment.astimezone(VIETNAM).year for moment in (first, last))
    return list(range(high, low - 1, -1))


def _dimension(rows, name: str, key) -> Select:
    """One arm of the breakdowns: the events and their figures summed per `key`."""
    arm = select(
        literal_column(f"'{name}'").label("dimension"),
        (cast(key, String) if key is not None else literal_column("''")).label("key"),
        func.count().label("events"),
        *_kind_counts(rows),
        *_sums(rows),
    ).select_from(rows)
    return arm.group_by(key) if key is not None else arm


def _planned_arm(actor, filters: ProgrammeFilters, now: datetime) -> Select:
    """The planned events per kind (the filters' year, province and kind), shaped as an arm of
    the breakdowns: their figures are zeros (nothing has happened yet)."""
    zeros = [literal_column("0") for _name in (*EVENT_KINDS, *MEASURES)]
    planned = ProgrammeFilters(filters.year, filters.province, filters.kind, when="planned")
    return (
        select(literal_column("'planned'"), cast(Event.kind, String), func.count(), *zeros)
        .where(*_conditions(actor, planned, now))
        .group_by(Event.kind)
    )


def breakdowns(actor, filters: ProgrammeFilters, now: datetime | None = None) -> dict[str, list]:
    """The totals and the figures per kind, per current province and per quarter, and the
    planned events per kind: one statement, the events' figures computed once (a CTE) and
    summed four ways, the planned events counted beside them (UNION ALL)."""
    now = now or clock.now()
    rows = _event_rows(actor, filters, now).cte("event_figures")
    query = union_all(
        _dimension(rows, "total", None),
        _dimension(rows, "kind", rows.c.kind),
        _dimension(rows, "province", rows.c.province),
        _dimension(rows, "quarter", rows.c.quarter),
        _planned_arm(actor, filters, now),
    )
    found: dict[str, list] = {"total": [], "kind": [], "province": [], "quarter": [], "planned": []}
    for row in db.session.execute(query):
        found[row.dimension].append(row)
    return found


def _line(row, label: str, key) -> Line:
    return Line(
        key=key,
        label=label,
        events=row.events,
        figures=_figures(row),
        kinds={kind: int(getattr(row, f"kind_{kind}") or 0) for kind in EVENT_KINDS},
    )


SIDES = {0: "exhibitor", 1: "buyer"}  # a role as a number: the window sorts integers, not text


def _ranked(grouped, role_column, order) -> Select:
    """The first TOP rows per role of a query grouped by role (0 exhibitor, 1 buyer) and
    organisation id (ranked by `order`, a window function), with the organisation's name and
    province joined only to those rows."""
    ranked = grouped.add_columns(
        func.row_number().over(partition_by=role_column, order_by=order).label("rank")
    ).subquery()
    return (
        select(ranked, Organisation.name, Organisation.province_code)
        .join(Organisation, Organisation.id == ranked.c.organisation_id)
        .where(ranked.c.rank <= TOP)
        .order_by(ranked.c.role, ranked.c.rank)
    )


def top_attended(chosen) -> dict[str, list[OrgLine]]:
    """Per role, the 10 organisations approved at the most of the chosen events (one statement;
    among equals, the one in the directory first)."""
    events = func.count()
    side = case((Registration.role == "exhibitor", 0), else_=1)
    grouped = (
        select(
            side.label("role"),
            Registration.organisation_id.label("organisation_id"),
            events.label("events"),
        )
        .where(Registration.status == "approved", Registration.event_id.in_(chosen))
        .group_by(side, Registration.organisation_id)
    )
    found: dict[str, list[OrgLine]] = {"exhibitor": [], "buyer": []}
    order = (events.desc(), Registration.organisation_id)
    for r in db.session.execute(_ranked(grouped, side, order)):
        found[SIDES[r.role]].append(OrgLine(r.organisation_id, r.name, r.province_code, events=r.events))
    return found


def top_signed(chosen) -> dict[str, list[OrgLine]]:
    """Per role, the 10 organisations with the most contracts (then value) at the chosen events:
    one statement, each contract meeting counted for each of its two sides under that side's
    role (a networking forum's meeting may pair two producers or two buyers, whatever its columns)."""
    deals = contract_meetings(chosen).cte("deals")
    sides = union_all(
        select(deals.c.meeting_id, deals.c.value, deals.c.producer_registration_id.label("registration_id")),
        select(deals.c.meeting_id, deals.c.value, deals.c.buyer_registration_id.label("registration_id")),
    ).subquery()
    count = func.count(sides.c.meeting_id)
    value = func.coalesce(func.sum(sides.c.value), 0)
    side = case((Registration.role == "exhibitor", 0), else_=1)
    grouped = (
        select(
            side.label("role"),
            Registration.organisation_id.label("organisation_id"),
            count.label("contracts"),
            value.label("contract_vnd"),
        )
        .select_from(sides)
        .join(Registration, Registration.id == sides.c.registration_id)
        .group_by(side, Registration.organisation_id)
    )
    found: dict[str, list[OrgLine]] = {"exhibitor": [], "buyer": []}
    order = (count.desc(), value.desc(), Registration.organisation_id)
    for r in db.session.execute(_ranked(grouped, side, order)):
        found[SIDES[r.role]].append(
            OrgLine(
                r.organisation_id,
                r.name,
                r.province_code,
                contracts=r.contracts,
                contract_vnd=int(r.contract_vnd),
            )
        )
    return found


def _events_query(rows):
    return (
        select(rows, Event.name_vi, Event.name_en, Event.name_fr, Event.state, Event.timezone)
        .join(Event, Event.id == rows.c.id)
        .order_by(rows.c.starts_at.desc(), rows.c.id.desc())
    )


def _event_line(row, locale: str) -> EventLine:
    name = getattr(row, f"name_{locale}", None) or row.name_vi
    return EventLine(
        id=row.id,
        name=name,
        kind=row.kind,
        state=row.state,
        starts_at=row.starts_at if row.starts_at.tzinfo else row.starts_at.replace(tzinfo=UTC),
        timezone=row.timezone,
        province=row.province,
        figures=_figures(row),
    )


def programme(
    actor,
    filters: ProgrammeFilters,
    *,
    page: int = 1,
    per_page: int = 25,
    locale: str = "vi",
    years: list[int] | None = None,
    now: datetime | None = None,
) -> Programme:
    """Every figure of the programme page for `actor` (an organiser or admin) under `filters`.

    Always 5 SQL statements, whatever the number of events, participants or meetings: the
    years; the totals with the breakdowns per kind, province and quarter; one page of the
    events with their figures (`page`, `per_page`; a page past the end shows the last one,
    `page_past_end` set); the producers and buyers that took part most; those that signed
    most (top 10 each). `locale` picks the events' names; `years`, when the caller has them
    already (years_with_events), saves the first statement; `now` (the app's clock by default)
    decides which events were held."""
    now = now or clock.now()
    result = Programme(filters=filters, years=years_with_events(actor) if years is None else years)
    found = breakdowns(actor, filters, now)
    totals = found["total"][0]
    result.events = totals.events
    result.totals = _figures(totals)
    kinds = {row.key: row for row in found["kind"]}
    result.by_kind = [
        _line(kinds[kind], str(EVENT_KIND_LABELS[kind]), kind) for kind in EVENT_KINDS if kind in kinds
    ]
    result.by_province = sorted(
        (_line(row, province_title(row.key), row.key) for row in found["province"]),
        key=lambda line: (line.key == NO_PROVINCE, -line.events, line.label),
    )
    result.by_quarter = sorted(
        (_line(row, quarter_title(int(row.key)), int(row.key)) for row in found["quarter"]),
        key=lambda line: line.key,
    )
    result.planned = {row.key: row.events for row in found["planned"]}

    result.pages = max(1, ceil(result.events / per_page))
    result.page_past_end = page > result.pages
    result.page = min(max(page, 1), result.pages)
    conditions = _conditions(actor, filters, now)
    # Only the page's events get their figures computed.
    on_page = (
        select(Event.id)
        .where(*conditions)
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(per_page)
        .offset((result.page - 1) * per_page)
        .scalar_subquery()
    )
    rows = _event_rows(actor, filters, now, on_page).subquery()
    result.event_page = [_event_line(row, locale) for row in db.session.execute(_events_query(rows))]

    chosen = select(Event.id).where(*conditions).scalar_subquery()
    attended, signed = top_attended(chosen), top_signed(chosen)
    result.top_producers_attended, result.top_buyers_attended = attended["exhibitor"], attended["buyer"]
    result.top_producers_signed, result.top_buyers_signed = signed["exhibitor"], signed["buyer"]
    return result


# ---------------------------------------------------------------- tables for the files


def _measure_columns() -> list[Column]:
    return [
        Column(name, str(MEASURE_LABELS[name]), "vnd" if name == "contract_vnd" else "int")
        for name in MEASURES
    ]


def _breakdown_table(key: str, title, first: Column, lines: list[Line], *, with_kinds: bool) -> Table:
    kind_columns = (
        [Column(f"kind_{kind}", str(EVENT_KIND_LABELS[kind]), "int") for kind in EVENT_KINDS]
        if with_kinds
        else []
    )
    columns = [
        first,
        Column("events", str(MEASURE_LABELS["events"]), "int"),
        *kind_columns,
        *_measure_columns(),
    ]
    rows = [
        (
            line.label,
            line.events,
            *([line.kinds[kind] for kind in EVENT_KINDS] if with_kinds else []),
            *(line.figures[name] for name in MEASURES),
        )
        for line in lines
    ]
    return Table(key=key, title=str(title), columns=columns, rows=rows)


def _org_table(key: str, title, lines: list[OrgLine], *, signed: bool) -> Table:
    columns = [Column("name", str(_l("Organisation"))), Column("province", str(_l("Province")))]
    if signed:
        columns += [
            Column("contracts", str(MEASURE_LABELS["contracts"]), "int"),
            Column("contract_vnd", str(MEASURE_LABELS["contract_vnd"]), "vnd"),
        ]
        rows = [
            (o.name, province_title(CURRENT_OF.get(o.province, "")), o.contracts, o.contract_vnd)
            for o in lines
        ]
    else:
        columns.append(Column("events", str(_l("Events attended")), "int"))
        rows = [(o.name, province_title(CURRENT_OF.get(o.province, "")), o.events) for o in lines]
    return Table(key=key, title=str(title), columns=columns, rows=rows)


TABLE_TITLES = {
    "by_kind": _l("Per kind of event"),
    "by_province": _l("Per province"),
    "by_quarter": _l("Per quarter"),
    "events": _l("Events"),
    "top_producers_attended": _l("Producers that took part most"),
    "top_producers_signed": _l("Producers that signed most"),
    "top_buyers_attended": _l("Buyers that took part most"),
    "top_buyers_signed": _l("Buyers that signed most"),
}


def tables_of(result: Programme, events: Table) -> list[Table]:
    """The page's figures as tables, in the order of TABLE_KEYS (`events`: the events table)."""
    return [
        _breakdown_table(
            "by_kind",
            TABLE_TITLES["by_kind"],
            Column("kind", str(_l("Kind of event"))),
            result.by_kind,
            with_kinds=False,
        ),
        _breakdown_table(
            "by_province",
            TABLE_TITLES["by_province"],
            Column("province", str(_l("Province"))),
            result.by_province,
            with_kinds=True,
        ),
        _breakdown_table(
            "by_quarter",
            TABLE_TITLES["by_quarter"],
            Column("quarter", str(_l("Quarter"))),
            result.by_quarter,
            with_kinds=True,
        ),
        events,
        _org_table(
            "top_producers_attended",
            TABLE_TITLES["top_producers_attended"],
            result.top_producers_attended,
            signed=False,
        ),
        _org_table(
            "top_producers_signed",
            TABLE_TITLES["top_producers_signed"],
            result.top_producers_signed,
            signed=True,
        ),
        _org_table(
            "top_buyers_attended",
            TABLE_TITLES["top_buyers_attended"],
            result.top_buyers_attended,
            signed=False,
        ),
        _org_table(
            "top_buyers_signed", TABLE_TITLES["top_buyers_signed"], result.top_buyers_signed, signed=True
        ),
    ]


def events_table(actor, filters: ProgrammeFilters, locale: str = "vi", now: datetime | None = None) -> Table:
    """Every event in scope with its figures (the whole list, rows streamed from one query)."""
    query = _events_query(_event_rows(actor, filters, now or clock.now()).subquery())

    def generate():
        for row in db.session.execute(query.execution_options(yield_per=500)):
            line = _event_line(row, locale)
            yield (
                line.id,
                line.name,
                str(EVENT_KIND_LABELS[line.kind]),
                line.starts_at,
                province_title(line.province),
                *(line.figures[name] for name in MEASURES),
            )

    columns = [
        Column("id", "ID", "int"),
        Column("name", str(_l("Event"))),
        Column("kind", str(_l("Kind of event"))),
        Column("starts_at", str(_l("First day")), "date"),
        Column("province", str(_l("Province"))),
        *_measure_columns(),
    ]
    return Table(key="events", title=str(TABLE_TITLES["events"]), columns=columns, rows=generate())


def programme_tables(
    actor, filters: ProgrammeFilters, locale: str = "vi", now: datetime | None = None
) -> list[Table]:
    """Every table of the programme (the events in full), in the order of TABLE_KEYS."""
    now = now or clock.now()
    result = programme(actor, filters, per_page=1, locale=locale, now=now)
    return tables_of(result, events_table(actor, filters, locale, now))


def programme_table(
    actor, filters: ProgrammeFilters, key: str, locale: str = "vi", now: datetime | None = None
) -> Table:
    """One table of the programme by its key (TABLE_KEYS); KeyError for another key."""
    if key not in TABLE_KEYS:
        raise KeyError(key)
    if key == "events":
        return events_table(actor, filters, locale, now)
    return {table.key: table for table in programme_tables(actor, filters, locale, now)}[key]


def cover_table(filters: ProgrammeFilters, made_by: str, made_at: datetime) -> Table:
    """The workbook's first sheet: which province and year, who made it and when (Vietnam time)."""
    local = made_at.astimezone(VIETNAM)
    kind = str(EVENT_KIND_LABELS[filters.kind]) if filters.kind else str(_l("All kinds"))
    rows = [
        (str(_l("Report")), str(_l("OCOP trade promotion programme"))),
        (
            str(_l("Province")),
            CURRENT_PROVINCES[filters.province] if filters.province else str(_l("All provinces")),
        ),
        (str(_l("Year")), str(filters.year) if filters.year else str(_l("All years"))),
        (str(_l("Kind of event")), kind),
        (str(_l("Events counted")), str(WHEN_LABELS[filters.when])),
        (str(_l("Made by")), made_by),
        (str(_l("Made at (Vietnam time)")), local.strftime("%Y-%m-%d %H:%M")),
    ]
    columns = [Column("item", str(_l("Item"))), Column("value", str(_l("Value")))]
    return Table(key="cover", title=str(_l("Report")), columns=columns, rows=rows)


def workbook_tables(actor, filters: ProgrammeFilters, made_by: str, made_at: datetime, locale: str = "vi"):
    """The province's yearly report: a cover sheet, then one sheet per table; the events held
    are those started at `made_at`."""
    return [cover_table(filters, made_by, made_at), *programme_tables(actor, filters, locale, made_at)]


def province_options() -> list[tuple[str, str]]:
    return current_province_choices()
