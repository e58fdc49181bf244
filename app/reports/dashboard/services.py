"""The event dashboard: what one event achieved, as figures, tables and charts.

`event_dashboard(actor, event, filters) -> Dashboard` is the one entry point (the page, its
exports, the printable report and the benchmark call it). Every figure comes from an SQL
GROUP BY: nine statements whatever the size of the event (registrations by day/role/status,
exhibitors by province, exhibitors by OCOP group and stars, booths by payment, e-booth visits
by day, gate check-ins by day with the people in all, asks by buyer type, meetings by (buyer
type, producer's province, star tier) and by OCOP group in one, and the matcher's candidate
pairs). Python only relabels and sums the grouped rows (at most a few thousand: days, provinces,
buyer types × provinces × tiers), never the registrations, check-ins or meetings themselves.

What the figures mean:
- a meeting is a published, not cancelled meeting of one of the event's sessions; "held" and
  "no-show" are its status; the no-show rate is no-shows / (held + no-shows);
- a contract is a meeting either side recorded as one; its value is the larger of the two
  sides' values (as the outcomes page counts it);
- asks are buyers' requests for a meeting (an open or declined ask, or one the producer
  accepted); acceptances are those both sides agreed to;
- candidates are the pairs the matcher scored in each session's last run (not filtered);
- a producer's OCOP group: a meeting counts under each group of the products its producer
  brought to the event (a producer with tea and honey counts in both); its star tier is the
  highest star rating among those products;
- a networking forum's meeting (session kind "forum") pairs any two participants, its two
  columns in registration order whatever the roles: it counts under the type of the buyer in
  it (side a's when both are buyers; "no buyer" when two producers meet, so the rows still add
  up to the total), and under the province, groups and tier of the producer in it (side b's
  when both are producers; none when two buyers meet);
- people checked in at the gate are the distinct registrations (one badge each) let in at a
  gate on any day (a participant coming on three days counts once); per day, those let in
  that day (the gate lets a badge in once a day, on the event's calendar);
- provinces are the 34 current ones: a record kept under an earlier province counts under
  the current province it is now part of.

Filters: `role` (registrations and their timeline), `buyer_type` (buyers' registrations,
meetings and asks), `province` (a current province code: the organisation's province for
registrations, exhibitors, booths and e-booths; the producer's for meetings and asks),
`date_from`/`date_to` (the timelines, in the event's time zone). Gate check-ins follow `role`,
`buyer_type` and `province` (the participant's organisation) and the dates.

Links: each table row (`links`) and headline figure (`figure_links`) leads to the list behind
it, narrowed to the rows it counted and to the dashboard's buyer type and province: meetings
to the outcomes page (matching.outcomes, whose filters use the definitions above; a row's held,
no-show and contract figures to those meetings only), registrations and exhibitors by group
and stars to the registrations list, booths to the bookings by payment. Rows keyed "not
given" (no province, no product, no buyer type) have no link, nor do asks. E-booth visits
lead to the public e-booth catalogue: there is no organisers' list of e-booths. The gate's
figures have no list behind them (the gate's page counts per gate and hour, unfiltered).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import case, distinct, func, literal, null, or_, select, union_all
from sqlalchemy.orm import aliased

from app.booths.booking.services import PAYMENT_LABELS
from app.booths.models import Booth, BoothAssignment, BoothType, BoothVisit, ElectronicBooth
from app.catalog.models import Organisation, Product
from app.data.provinces import CURRENT_PROVINCES, EARLIER_OF, current_code
from app.data.vocab import BUYER_TYPES, OCOP_GROUPS
from app.events.models import REGISTRATION_STATUSES, Event, Registration, RegistrationProduct
from app.events.registrations.forms import REGISTRATION_STATUS_LABELS
from app.events.services import ensure_can_manage
from app.extensions import db
from app.matching.models import MatchingSession, MatchRequest, Meeting, MeetingOutcome
from app.onsite.gate.models import GateCheckin
from app.reports.tables import Column, Table

ROLES = ("exhibitor", "buyer")
# The two sides of a meeting or an ask, made once (an alias's columns are costly to build anew).
buyer_reg = aliased(Registration, name="buyer_reg")
producer_reg = aliased(Registration, name="producer_reg")
buyer_org = aliased(Organisation, name="buyer_org")
producer_org = aliased(Organisation, name="producer_org")
MAX_TIMELINE_DAYS = 731  # a timeline longer than two years shows its last two years


@dataclass(frozen=True)
class Filters:
    """What the dashboard is narrowed to; every field None means the whole event."""

    role: str | None = None  # "exhibitor" | "buyer"
    buyer_type: str | None = None  # a key of app.data.vocab.BUYER_TYPES
    province: str | None = None  # a current province code (CURRENT_PROVINCES)
    date_from: date | None = None  # timelines, in the event's time zone, inclusive
    date_to: date | None = None

    @property
    def active(self) -> bool:
        return any(
            v is not None for v in (self.role, self.buyer_type, self.province, self.date_from, self.date_to)
        )

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links and exports)."""
        values = {
            "role": self.role,
            "buyer_type": self.buyer_type,
            "province": self.province,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
        }
        return {key: value for key, value in values.items() if value}


@dataclass
class Link:
    """Where a row's figures lead: an endpoint and its arguments (the template builds the URL).

    `columns`: a column's own arguments added to the row's (a meetings row's "held" figure
    leads to its held meetings), or None for a figure with no list behind it."""

    endpoint: str
    args: dict = field(default_factory=dict)
    columns: dict[str, dict | None] = field(default_factory=dict)

    def args_for(self, column: str) -> dict | None:
        """The arguments of the column's figure's link; None: that figure has no link."""
        if column not in self.columns:
            return self.args
        extra = self.columns[column]
        return None if extra is None else self.args | extra


@dataclass
class Dashboard:
    event: Event
    filters: Filters
    figures: dict[str, int | float] = field(default_factory=dict)
    tables: dict[str, Table] = field(default_factory=dict)  # key -> table, in page order
    links: dict[str, list[Link | None]] = field(default_factory=dict)  # key -> one link per row
    figure_links: dict[str, Link] = field(default_factory=dict)  # a headline figure -> its list
    province_bars: list[tuple[str, int]] = field(default_factory=list)  # (province, exhibitors)
    timeline_days: list[date] = field(default_factory=list)
    timeline: dict[str, list[int]] = field(default_factory=dict)  # role -> registrations per day
    funnel: list[tuple[str, int]] = field(default_factory=list)  # (stage, count)
    candidates_known: bool = False
    computed_at: datetime | None = None  # when the figures were computed (the page says so)

    @property
    def empty(self) -> bool:
        return not any(self.figures.get(k) for k in ("registrations", "booths", "visits", "meetings", "asks"))

    def table(self, key: str) -> Table:
        return self.tables[key]


# ---------------------------------------------------------------- helpers


def _local_day(column, event: Event):
    """The SQL date of a UTC timestamp in the event's time zone.

    PostgreSQL converts with the zone's rules; SQLite (tests, small installs) shifts by the
    zone's offset at the event's start (exact for Vietnam, which keeps no summer time)."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(event.timezone, column))
    offset = ZoneInfo(event.timezone).utcoffset(event.starts_at.replace(tzinfo=None)) or timedelta()
    return func.date(column, f"{int(offset.total_seconds() // 60):+d} minutes")


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _in_province(column, filters: Filters):
    return column.in_(EARLIER_OF[filters.province]) if filters.province else literal(True)


def _rate(part: int, whole: int) -> float:
    return round(100.0 * part / whole, 1) if whole else 0.0


def _province_name(code: str | None) -> str:
    return CURRENT_PROVINCES.get(code or "", _("Not given"))


NO_BUYER = "-"  # the buyer type key of a forum's meeting between two producers


def _buyer_type_label(code: str | None) -> str:
    if code == NO_BUYER:
        return _("No buyer (producers meeting in a forum)")
    return str(BUYER_TYPES[code]) if code in BUYER_TYPES else _("Not given")


def _group_label(code: str | None) -> str:
    return str(OCOP_GROUPS[code]) if code in OCOP_GROUPS else _("No product")


def role_label(role: str) -> str:
    return _("Exhibitors") if role == "exhibitor" else _("Buyers")


def status_labels() -> dict[str, str]:
    return {code: str(label) for code, label in REGISTRATION_STATUS_LABELS.items()}


# ---------------------------------------------------------------- the dashboard


def event_dashboard(actor, event: Event, filters: Filters | None = None) -> Dashboard:
    """The event's dashboard for one of its organisers (or an admin): PermissionDenied otherwise.

    A fixed number of SQL statements (nine) whatever the event's size; tables come as
    app.reports.tables.Table objects, so the page, the CSV/XLSX exports and the printed
    report show the same figures. Call inside a request or with force_locale (labels are
    translated)."""
    ensure_can_manage(actor, event)
    filters = filters or Filters()
    board = Dashboard(event=event, filters=filters)
    _registrations(board)
    _exhibitors_by_province(board)
    _exhibitors_by_group(board)
    _booths(board)
    _visits(board)
    _gate(board)
    asks = _asks(board)
    _meetings(board, asks)
    _funnel(board)
    return board


def _registrations_link(filters: Filters, role: str, status: str | None = None, **more) -> Link:
    """The organisers' registrations list of one role (and status), with the dashboard's
    province and, for buyers, its buyer type (the filters the dashboard counted them under)."""
    args = {"role": role, "status": status, "province": filters.province}
    if role == "buyer":
        args["buyer_type"] = filters.buyer_type
    args |= more
    return Link("events.registrations", {key: value for key, value in args.items() if value is not None})


def _registrations(board: Dashboard) -> None:
    event, filters = board.event, board.filters
    day = _local_day(Registration.created_at, event).label("day")
    query = (
        select(day, Registration.role, Registration.status, func.count())
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id, _in_province(Organisation.province_code, filters))
        .group_by(day, Registration.role, Registration.status)
    )
    if filters.role:
        query = query.where(Registration.role == filters.role)
    if filters.buyer_type:
        query = query.where(or_(Registration.role != "buyer", Organisation.buyer_type == filters.buyer_type))
    by_status: dict[tuple[str, str], int] = defaultdict(int)
    per_day: dict[date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(ROLES, 0))
    for raw_day, role, status, count in db.session.execute(query):
        by_status[(role, status)] += count
        per_day[_as_date(raw_day)][role] += count
    labels = status_labels()
    roles = [filters.role] if filters.role else list(ROLES)
    rows, links = [], []
    for role in roles:
        for status in REGISTRATION_STATUSES:
            rows.append((role_label(role), labels[status], by_status.get((role, status), 0)))
            links.append(_registrations_link(filters, role, status))
        rows.append(
            (role_label(role), _("All"), sum(by_status.get((role, s), 0) for s in REGISTRATION_STATUSES))
        )
        links.append(_registrations_link(filters, role))
    board.tables["registrations"] = Table(
        "registrations",
        _("Registrations by status"),
        [
            Column("role", _("Role")),
            Column("status", _("Status")),
            Column("count", _("Registrations"), "int"),
        ],
        rows,
    )
    board.links["registrations"] = links
    board.figures["registrations"] = sum(by_status.values())
    for role in ROLES:
        board.figures[f"approved_{role}s"] = by_status.get((role, "approved"), 0)
        board.figures[f"pending_{role}s"] = by_status.get((role, "pending"), 0)
        board.figure_links[f"approved_{role}s"] = _registrations_link(filters, role, "approved")
        board.figure_links[f"pending_{role}s"] = _registrations_link(filters, role, "pending")

    # The timeline: every day between the first and last (or the chosen range), zeros included.
    days = sorted(per_day)
    start = filters.date_from or (days[0] if days else None)
    end = filters.date_to or (days[-1] if days else None)
    timeline_rows = []
    if start and end and start <= end:
        start = max(start, end - timedelta(days=MAX_TIMELINE_DAYS - 1))
        board.timeline_days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
        board.timeline = {
            role: [per_day[d][role] if d in per_day else 0 for d in board.timeline_days] for role in roles
        }
        for index, d in enumerate(board.timeline_days):
            timeline_rows.append((d, *(board.timeline[role][index] for role in roles)))
        if not any(sum(values) for values in board.timeline.values()):
            board.timeline_days, board.timeline, timeline_rows = [], {}, []
    board.tables["registrations_per_day"] = Table(
        "registrations_per_day",
        _("Registrations per day"),
        [Column("day", _("Day"), "date"), *(Column(role, role_label(role), "int") for role in roles)],
        timeline_rows,
    )
    board.links["registrations_per_day"] = [None] * len(timeline_rows)


def _exhibitors_by_province(board: Dashboard) -> None:
    event, filters = board.event, board.filters
    rows = db.session.execute(
        select(Organisation.province_code, func.count())
        .select_from(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.event_id == event.id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
            _in_province(Organisation.province_code, filters),
        )
        .group_by(Organisation.province_code)
    ).all()
    current: dict[str | None, int] = defaultdict(int)
    for code, count in rows:  # at most the 63 earlier provinces
        current[current_code(code)] += count
    ordered = sorted(current.items(), key=lambda item: (-item[1], _province_name(item[0])))
    board.province_bars = [(_province_name(code), count) for code, count in ordered]
    board.tables["exhibitors_by_province"] = Table(
        "exhibitors_by_province",
        _("Exhibitors by province"),
        [Column("province", _("Province")), Column("exhibitors", _("Exhibitors"), "int")],
        [(_province_name(code), count) for code, count in ordered],
    )
    board.links["exhibitors_by_province"] = [
        Link("events.registrations", {"role": "exhibitor", "status": "approved", "province": code})
        if code
        else None
        for code, _count in ordered
    ]
    board.figures["exhibitor_provinces"] = len([code for code in current if code])


def _exhibitors_by_group(board: Dashboard) -> None:
    event, filters = board.event, board.filters
    rows = db.session.execute(
        select(
            Product.ocop_group,
            Product.stars,
            func.count(distinct(Registration.id)),
            func.count(distinct(Product.id)),
        )
        .select_from(RegistrationProduct)
        .join(Registration, Registration.id == RegistrationProduct.registration_id)
        .join(Product, Product.id == RegistrationProduct.product_id)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            Registration.event_id == event.id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
            _in_province(Organisation.province_code, filters),
        )
        .group_by(Product.ocop_group, Product.stars)
        .order_by(Product.ocop_group, Product.stars.desc())
    ).all()
    board.tables["exhibitors_by_group"] = Table(
        "exhibitors_by_group",
        _("Exhibitors by group and stars"),
        [
            Column("group", _("OCOP group")),
            Column("stars", _("Stars"), "int"),
            Column("exhibitors", _("Exhibitors"), "int"),
            Column("products", _("Products"), "int"),
        ],
        [(_group_label(group), stars, exhibitors, products) for group, stars, exhibitors, products in rows],
    )
    board.links["exhibitors_by_group"] = [
        _registrations_link(filters, "exhibitor", "approved", group=group, stars=stars) if group else None
        for group, stars, _exhibitors, _products in rows
    ]


def _booths(board: Dashboard) -> None:
    event, filters = board.event, board.filters
    rows = db.session.execute(
        select(BoothAssignment.payment, func.count(), func.coalesce(func.sum(BoothType.price_vnd), 0))
        .join(Booth, Booth.id == BoothAssignment.booth_id)
        .join(BoothType, BoothType.id == Booth.booth_type_id)
        .join(Registration, Registration.id == BoothAssignment.registration_id)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(
            BoothAssignment.event_id == event.id,
            BoothAssignment.status != "cancelled",
            _in_province(Organisation.province_code, filters),
        )
        .group_by(BoothAssignment.payment)
    ).all()
    found = {payment: (count, int(amount)) for payment, count, amount in rows}
    labels = {code: str(label) for code, label in PAYMENT_LABELS.items()}
    table_rows = [(labels[p], *found.get(p, (0, 0))) for p in ("paid", "due", "waived")]
    total = (sum(r[1] for r in table_rows), sum(r[2] for r in table_rows))
    table_rows.append((_("Allocated"), *total))
    board.tables["booths"] = Table(
        "booths",
        _("Booths and booth revenue"),
        [
            Column("payment", _("Payment")),
            Column("booths", _("Booths"), "int"),
            Column("amount", _("Amount (VND)"), "vnd"),
        ],
        table_rows,
    )
    where = {"province": filters.province} if filters.province else {}
    board.links["booths"] = [
        *(
            Link("booths.requests", where | {"payment": p, "_anchor": "bookings"})
            for p in ("paid", "due", "waived")
        ),
        Link("booths.requests", where | {"_anchor": "bookings"}),
    ]
    board.figure_links["booths"] = board.links["booths"][-1]
    board.figure_links["booth_revenue_paid"] = board.links["booths"][0]
    board.figures["booths"] = total[0]
    board.figures["booths_paid"] = found.get("paid", (0, 0))[0]
    board.figures["booths_waived"] = found.get("waived", (0, 0))[0]
    board.figures["booth_revenue_paid"] = found.get("paid", (0, 0))[1]
    board.figures["booth_revenue_due"] = found.get("due", (0, 0))[1]
    board.figures["booth_revenue_waived"] = found.get("waived", (0, 0))[1]


def _visits(board: Dashboard) -> None:
    event, filters = board.event, board.filters
    query = (
        select(BoothVisit.day, func.sum(BoothVisit.count))
        .join(ElectronicBooth, ElectronicBooth.id == BoothVisit.electronic_booth_id)
        .join(Registration, Registration.id == ElectronicBooth.registration_id)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(ElectronicBooth.event_id == event.id, _in_province(Organisation.province_code, filters))
        .group_by(BoothVisit.day)
        .order_by(BoothVisit.day)
    )
    if filters.date_from:
        query = query.where(BoothVisit.day >= filters.date_from)
    if filters.date_to:
        query = query.where(BoothVisit.day <= filters.date_to)
    rows = [(_as_date(day), int(count or 0)) for day, count in db.session.execute(query)]
    board.tables["visits_per_day"] = Table(
        "visits_per_day",
        _("E-booth visits per day"),
        [Column("day", _("Day"), "date"), Column("visits", _("Visits"), "int")],
        rows,
    )
    # No organisers' list of e-booths exists: the figures lead to the public catalogue.
    catalogue = Link("booths.ebooth_catalogue", {"slug": event.slug})
    board.links["visits_per_day"] = [catalogue] * len(rows)
    board.figure_links["visits"] = catalogue
    board.figures["visits"] = sum(count for _day, count in rows)


def _gate(board: Dashboard) -> None:
    """People let in at the gate per day (the gate's day, on the event's calendar) and in all
    (distinct registrations over the days): one statement, the check-ins read once (a common
    table) then grouped by day and counted whole in a UNION ALL. Registrations and organisations
    are joined only for a filter that needs them. A badge is let in once a day, so a day's
    check-ins are its people."""
    event, filters = board.event, board.filters
    seen = select(GateCheckin.day.label("day"), GateCheckin.registration_id.label("registration_id")).where(
        GateCheckin.event_id == event.id
    )
    if filters.role or filters.buyer_type or filters.province:
        seen = (
            seen.join(Registration, Registration.id == GateCheckin.registration_id)
            .join(Organisation, Organisation.id == Registration.organisation_id)
            .where(_in_province(Organisation.province_code, filters))
        )
        if filters.role:
            seen = seen.where(Registration.role == filters.role)
        if filters.buyer_type:
            buyer_type = Organisation.buyer_type == filters.buyer_type
            seen = seen.where(or_(Registration.role != "buyer", buyer_type))
    if filters.date_from:
        seen = seen.where(GateCheckin.day >= filters.date_from)
    if filters.date_to:
        seen = seen.where(GateCheckin.day <= filters.date_to)
    seen = seen.cte("gate_seen")
    per_day = select(literal(0).label("part"), seen.c.day, func.count().label("count")).group_by(seen.c.day)
    whole = select(literal(1), null(), func.count(distinct(seen.c.registration_id)))
    rows, people = [], 0
    for part, day, count in db.session.execute(union_all(per_day, whole)):
        if part:
            people = int(count or 0)
        else:
            rows.append((_as_date(day), int(count or 0)))
    rows.sort()
    board.tables["gate_per_day"] = Table(
        "gate_per_day",
        _("Gate check-ins per day"),
        [Column("day", _("Day"), "date"), Column("people", _("People checked in"), "int")],
        rows,
    )
    # No link: the gate's own page counts per gate and hour for the whole event, not these rows.
    board.links["gate_per_day"] = [None] * len(rows)
    board.figures["gate_people"] = people
    board.figures["gate_checkins"] = sum(count for _day, count in rows)


def _asks(board: Dashboard) -> dict[str | None, tuple[int, int]]:
    """Asks and acceptances per buyer type (one statement)."""
    event, filters = board.event, board.filters
    is_ask = or_(MatchRequest.kind == "ask", MatchRequest.status == "accepted")
    query = (
        select(
            buyer_org.buyer_type,
            func.count(),
            func.sum(case((MatchRequest.status == "accepted", 1), else_=0)),
        )
        .join(MatchingSession, MatchingSession.id == MatchRequest.session_id)
        .join(buyer_reg, buyer_reg.id == MatchRequest.buyer_registration_id)
        .join(buyer_org, buyer_org.id == buyer_reg.organisation_id)
        .where(MatchingSession.event_id == event.id, is_ask)
        .group_by(buyer_org.buyer_type)
    )
    if filters.province:  # the producer's province
        query = query.join(producer_reg, producer_reg.id == MatchRequest.producer_registration_id).join(
            producer_org, producer_org.id == producer_reg.organisation_id
        )
        query = query.where(_in_province(producer_org.province_code, filters))
    if filters.buyer_type:
        query = query.where(buyer_org.buyer_type == filters.buyer_type)
    found = {kind: (int(asks or 0), int(accepted or 0)) for kind, asks, accepted in db.session.execute(query)}
    board.figures["asks"] = sum(a for a, _b in found.values())
    board.figures["accepted"] = sum(b for _a, b in found.values())
    return found


# A meetings row's figures: held, no-shows and contracts lead to those meetings only; asks
# have no list behind them.
MEETING_COLUMN_ARGS: dict[str, dict | None] = {
    "held": {"status": "held"},
    "no_shows": {"status": "no_show"},
    "contracts": {"contract": "1"},
    "contract_vnd": {"contract": "1"},
    "asks": None,
    "accepted": None,
}


def _meetings_link(filters: Filters, **row) -> Link:
    """The organisers' list of meetings (matching.outcomes) narrowed to a row: its own filter
    (`row`) and the dashboard's buyer type and province."""
    args = {"buyer_type": filters.buyer_type, "province": filters.province} | row
    return Link(
        "matching.outcomes",
        {key: str(value) for key, value in args.items() if value is not None},
        MEETING_COLUMN_ARGS,
    )


def _meeting_columns(with_asks: bool) -> list[Column]:
    columns = [
        Column("meetings", _("Meetings"), "int"),
        Column("held", _("Held"), "int"),
        Column("no_shows", _("No-shows"), "int"),
        Column("no_show_rate", _("No-show rate (per cent)"), "percent"),
    ]
    if with_asks:
        columns += [Column("asks", _("Asks"), "int"), Column("accepted", _("Accepted"), "int")]
    return [
        *columns,
        Column("contracts", _("Contracts"), "int"),
        Column("contract_vnd", _("Contract value (VND)"), "vnd"),
    ]


def _meetings(board: Dashboard, asks: dict[str | None, tuple[int, int]]) -> None:
    """Meetings, no-shows and contracts by buyer type, producer's province, OCOP group and
    star tier: one statement for all four.

    Its common table `people` is the event's registrations with what a breakdown needs
    (role, buyer type, province, star tier), `met` each of the event's meetings with its buyer's
    type, its producer's province, tier and registration, and whether it made a contract. Then
    two GROUP BYs of `met`, one by (buyer type, earlier province, tier), at most 11 × 63 × 5 rows
    summed here by each, and one by the producer's OCOP groups, in one UNION ALL. (Two statements
    joining meetings to every registration and organisation cost PostgreSQL 160 ms at national
    size; this one about half.)"""
    event, filters = board.event, board.filters
    contract = (
        select(
            MeetingOutcome.meeting_id.label("meeting_id"), func.max(MeetingOutcome.value_vnd).label("value")
        )
        .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .where(MatchingSession.event_id == event.id, MeetingOutcome.kind == "contract")
        .group_by(MeetingOutcome.meeting_id)
        .subquery()
    )
    # A producer's OCOP groups (one row per group, with its best stars) among the products it
    # brought; its star tier is the highest of them.
    groups = (
        select(
            RegistrationProduct.registration_id.label("registration_id"),
            Product.ocop_group.label("ocop_group"),
            func.max(Product.stars).label("stars"),
        )
        .join(Product, Product.id == RegistrationProduct.product_id)
        .join(Registration, Registration.id == RegistrationProduct.registration_id)
        .where(Registration.event_id == event.id, Registration.role == "exhibitor")
        .group_by(RegistrationProduct.registration_id, Product.ocop_group)
        .cte("brought")
    )
    tiers = (
        select(groups.c.registration_id, func.max(groups.c.stars).label("tier"))
        .group_by(groups.c.registration_id)
        .subquery()
    )
    people = (
        select(
            Registration.id.label("id"),
            Registration.role.label("role"),
            Organisation.buyer_type.label("buyer_type"),
            Organisation.province_code.label("province"),
            tiers.c.tier.label("tier"),
        )
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(tiers, tiers.c.registration_id == Registration.id)
        .where(Registration.event_id == event.id)
        .cte("people")
    )
    # The meeting's buyer and producer by role, not by column: a forum's columns hold any two
    # participants (see the module's docstring); a buyer–producer meeting's are its buyer and producer.
    side_a, side_b = people.alias("side_a"), people.alias("side_b")

    def producer(column: str):
        return case(
            (side_b.c.role == "exhibitor", side_b.c[column]),
            (side_a.c.role == "exhibitor", side_a.c[column]),
            else_=None,
        )

    buyer_type = case(
        (side_a.c.role == "buyer", side_a.c.buyer_type),
        (side_b.c.role == "buyer", side_b.c.buyer_type),
        else_=literal(NO_BUYER),
    )
    met = (
        select(
            buyer_type.label("buyer_type"),
            producer("province").label("province"),
            producer("tier").label("tier"),
            producer("id").label("producer_id"),
            Meeting.status.label("status"),
            contract.c.meeting_id.label("contract"),
            contract.c.value.label("value"),
        )
        .select_from(Meeting)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(side_a, side_a.c.id == Meeting.buyer_registration_id)
        .join(side_b, side_b.c.id == Meeting.producer_registration_id)
        .outerjoin(contract, contract.c.meeting_id == Meeting.id)
        .where(
            MatchingSession.event_id == event.id,
            Meeting.published.is_(True),
            Meeting.status != "cancelled",
            _in_province(producer("province"), filters),
        )
    )
    if filters.buyer_type:
        met = met.where(buyer_type == filters.buyer_type)
    met = met.cte("met")
    figures = (
        func.count(),
        func.sum(case((met.c.status == "held", 1), else_=0)),
        func.sum(case((met.c.status == "no_show", 1), else_=0)),
        func.count(met.c.contract),
        func.coalesce(func.sum(met.c.value), 0),
    )
    by_sides = select(
        literal(0).label("part"),
        met.c.buyer_type,
        met.c.province,
        met.c.tier,
        null().label("ocop_group"),
        *figures,
    ).group_by(met.c.buyer_type, met.c.province, met.c.tier)
    by_group = (
        select(literal(1), null(), null(), null(), groups.c.ocop_group, *figures)
        .select_from(met)
        .outerjoin(groups, groups.c.registration_id == met.c.producer_id)
        .group_by(groups.c.ocop_group)
    )
    by_type: dict[str | None, list[int]] = defaultdict(lambda: [0] * 5)
    by_province: dict[str | None, list[int]] = defaultdict(lambda: [0] * 5)
    by_tier: dict[int | None, list[int]] = defaultdict(lambda: [0] * 5)
    group_rows = []
    for part, kind, province, tier, group, *raw in db.session.execute(union_all(by_sides, by_group)):
        values = [int(value or 0) for value in raw]
        if part:
            group_rows.append((group, *values))
            continue
        for target in (by_type[kind], by_province[current_code(province)], by_tier[tier]):
            for i, value in enumerate(values):
                target[i] += value

    def row_figures(n, held, no_shows, contracts, value, extra=()):
        return (n, held, no_shows, _rate(no_shows, held + no_shows), *extra, contracts, value)

    # By buyer type (with asks); its rows add up to the event's totals.
    keys = sorted(set(by_type) | set(asks), key=lambda k: _buyer_type_label(k))
    rows = []
    for key in keys:
        n, held, no_shows, contracts, value = by_type.get(key, (0, 0, 0, 0, 0))
        rows.append(
            (_buyer_type_label(key), *row_figures(n, held, no_shows, contracts, value, asks.get(key, (0, 0))))
        )
    totals = [sum(by_type[k][i] for k in by_type) for i in range(5)]
    board.figures.update(
        meetings=totals[0],
        held=totals[1],
        no_shows=totals[2],
        no_show_rate=_rate(totals[2], totals[1] + totals[2]),
        pending_meetings=totals[0] - totals[1] - totals[2],
        contracts=totals[3],
        contract_vnd=totals[4],
    )
    if rows:
        rows.append((_("All"), *row_figures(*totals, (board.figures["asks"], board.figures["accepted"]))))
    board.tables["meetings_by_buyer_type"] = Table(
        "meetings_by_buyer_type",
        _("Meetings by buyer type"),
        [Column("buyer_type", _("Buyer type")), *_meeting_columns(True)],
        rows,
    )
    board.links["meetings_by_buyer_type"] = [
        _meetings_link(filters, buyer_type=key) if key else None for key in keys
    ] + ([_meetings_link(filters)] if rows else [])

    # By the producer's current province (earlier codes folded in with their current one).
    ordered = sorted(by_province.items(), key=lambda item: (-item[1][0], _province_name(item[0])))
    board.tables["meetings_by_province"] = Table(
        "meetings_by_province",
        _("Meetings by producer's province"),
        [Column("province", _("Producer's province")), *_meeting_columns(False)],
        [(_province_name(code), *row_figures(*values)) for code, values in ordered],
    )
    board.links["meetings_by_province"] = [
        _meetings_link(filters, province=code) if code else None for code, _values in ordered
    ]

    group_rows.sort(key=lambda r: (r[0] is None, _group_label(r[0])))
    board.tables["meetings_by_group"] = Table(
        "meetings_by_group",
        _("Meetings by OCOP group"),
        [Column("group", _("OCOP group")), *_meeting_columns(False)],
        [(_group_label(key), *row_figures(*rest)) for key, *rest in group_rows],
    )
    board.links["meetings_by_group"] = [
        _meetings_link(filters, group=key) if key else None for key, *_rest in group_rows
    ]

    tier_rows = sorted(((key, *values) for key, values in by_tier.items()), key=lambda r: -(r[0] or 0))
    board.tables["meetings_by_stars"] = Table(
        "meetings_by_stars",
        _("Meetings by star tier"),
        [Column("stars", _("Star tier")), *_meeting_columns(False)],
        [
            (_("%(n)d stars", n=key) if key else _("No product"), *row_figures(*rest))
            for key, *rest in tier_rows
        ],
    )
    board.links["meetings_by_stars"] = [
        _meetings_link(filters, stars=key) if key else None for key, *_rest in tier_rows
    ]


def _funnel(board: Dashboard) -> None:
    """Candidates (the matcher's scored pairs in each session's last run) → asks → scheduled →
    held → contracts."""
    candidates = 0
    for text in db.session.scalars(
        select(MatchingSession.last_run_json).where(
            MatchingSession.event_id == board.event.id, MatchingSession.last_run_json.is_not(None)
        )
    ):
        try:
            pairs = json.loads(text).get("pairs")
        except (ValueError, AttributeError):
            pairs = None
        if isinstance(pairs, int):
            candidates += pairs
            board.candidates_known = True
    board.figures["candidates"] = candidates
    stages = [
        ("candidates", _("Candidate pairs"), candidates),
        ("asks", _("Asks"), board.figures["asks"]),
        ("meetings", _("Meetings scheduled"), board.figures["meetings"]),
        ("held", _("Meetings held"), board.figures["held"]),
        ("contracts", _("Contracts"), board.figures["contracts"]),
    ]
    board.funnel = [(label, value) for _key, label, value in stages]
    board.tables["funnel"] = Table(
        "funnel",
        _("From candidates to contracts"),
        [Column("stage", _("Stage")), Column("count", _("Count"), "int")],
        board.funnel,
    )
    # Candidates and asks have no organisers' list of their own: the sessions page shows each
    # session's run and asks.
    meetings = _meetings_link(board.filters)
    board.links["funnel"] = [
        Link("matching.sessions", {}),
        Link("matching.sessions", {}),
        Link(meetings.endpoint, meetings.args),
        Link(meetings.endpoint, meetings.args | {"status": "held"}),
        Link(meetings.endpoint, meetings.args | {"contract": "1"}),
    ]
    board.figure_links.update(
        meetings=Link(meetings.endpoint, meetings.args),
        held=Link(meetings.endpoint, meetings.args | {"status": "held"}),
        no_show_rate=Link(meetings.endpoint, meetings.args | {"status": "no_show"}),
        contracts=Link(meetings.endpoint, meetings.args | {"contract": "1"}),
        contract_vnd=Link(meetings.endpoint, meetings.args | {"contract": "1"}),
    )


TABLE_KEYS = (
    "registrations",
    "registrations_per_day",
    "exhibitors_by_province",
    "exhibitors_by_group",
    "booths",
    "visits_per_day",
    "gate_per_day",
    "meetings_by_buyer_type",
    "meetings_by_province",
    "meetings_by_group",
    "meetings_by_stars",
    "funnel",
)
