"""An event's records as files: registrations, exhibitors with their products, booths and
payments, the meetings' schedule, each participant's agenda, meeting check-ins, gate check-ins
and outcomes.

Each export is one SQL statement with its joins, streamed (`yield_per`), turned into rows of a
`Table` (app/reports/tables.py writes the CSV or XLSX: event time zone, VND integers, formula
cells neutralised). Slot times come from each session's settings, computed once per session.

A small export is written in the request; one of more rows than EXPORT_INLINE_MAX_ROWS runs as
a background job (`reports.export`, jobs.py) that writes the file under EXPORTS_FOLDER, where
the event's organisers download it (routes.download) until `remove_old_exports` deletes it a
day later. Every export is recorded in the event log (signals.organiser_action, "export").

Services flush, never commit.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import aliased

from app import signals
from app.accounts.models import User
from app.booths.models import Booth, BoothAssignment, BoothType
from app.catalog.models import Organisation, Product
from app.data.provinces import current_province_name, fold
from app.data.vocab import OCOP_GROUPS
from app.errors import ServiceError
from app.events.models import Event, Hall, Registration, RegistrationProduct
from app.events.services import ensure_can_manage
from app.extensions import db
from app.inputs import DB_INT_MAX
from app.matching.models import MatchingSession, Meeting, MeetingOutcome
from app.matching.outcomes.services import COLUMN_LABELS, OUTCOME_LABELS, column_naming
from app.matching.sessions.services import slots_of
from app.names import table_label
from app.onsite.gate.models import GateCheckin
from app.reports.tables import Column, Table, csv_chunks, write_xlsx
from app.tasks import progress
from app.tasks import services as tasks
from app.tasks.models import Task

FORMATS = ("csv", "xlsx")
MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
JOB_KIND = "reports.export"
KEEP_SECONDS = 24 * 3600  # an export's file is removed this long after it was written
FOUND_PARTICIPANTS = 20  # participants the agenda's search lists
STREAM_ROWS = 500  # rows fetched at a time from the database

STATUS_LABELS = {
    "pending": _l("Pending"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "waitlisted": _l("Waiting list"),
    "withdrawn": _l("Withdrawn"),
    "allocated": _l("Allocated"),
    "confirmed": _l("Confirmed"),
    "cancelled": _l("Cancelled"),
    "scheduled": _l("Scheduled"),
    "held": _l("Held"),
    "no_show": _l("No-show"),
}
ROLE_LABELS = {"exhibitor": _l("Exhibitor"), "buyer": _l("Buyer")}
# A participant's side in its meetings, by its registration's role (a forum pairs any roles).
SIDE_LABELS = {"buyer": _l("Buyer"), "exhibitor": _l("Producer")}
PAYMENT_LABELS = {"due": _l("Payment due"), "paid": _l("Paid"), "waived": _l("Waived")}
YES_NO = {"yes": _l("yes"), "no": _l("no")}
CERTIFICATE_LABELS = {
    "missing": _l("No certificate"),
    "pending": _l("Certificate to check"),
    "verified": _l("Certificate verified"),
    "rejected": _l("Certificate rejected"),
}


# ---------------------------------------------------------------- what each export holds


@dataclass(frozen=True)
class ExportKind:
    name: str
    title: object  # lazy text, in the reader's language
    description: object
    columns: Callable[[], list[Column]]
    query: Callable  # (event, participant_id) -> Select, one statement with its joins
    row: Callable  # (row, context) -> tuple of values in the columns' order
    per_participant: bool = False


class _Context:
    """What turning rows into values needs once per export: each session's slots and labels."""

    def __init__(self, event: Event):
        self.event = event
        self.sessions = {
            session.id: (session, slots_of(session))
            for session in db.session.scalars(
                select(MatchingSession).where(MatchingSession.event_id == event.id)
            )
        }

        # How the meeting exports name their two meeting columns (outcomes.COLUMN_LABELS).
        self.naming = column_naming(session.kind for session, _slots in self.sessions.values())
        self._labels: dict[int, dict[str, str]] = {}
        self._tables: dict[tuple[int, int], str] = {}
        self._when: dict[tuple[int, int], tuple] = {}

    def label(self, labels: dict, code: str | None) -> str:
        """A code's label in the reader's language, each translated once per export."""
        if code is None:
            return ""
        resolved = self._labels.get(id(labels))
        if resolved is None:
            resolved = self._labels[id(labels)] = {key: str(value) for key, value in labels.items()}
        return resolved.get(code, code)

    def yes_no(self, value: bool) -> str:
        return self.label(YES_NO, "yes" if value else "no")

    def column_label(self, session_id: int, column: str) -> str:
        """A meeting column's ("buyer", "producer") name for one meeting: participant A or B in a
        networking forum's, whatever the roles."""
        session = self.sessions.get(session_id)
        naming = "forum" if session and session[0].kind == "forum" else "pair"
        return self.label(COLUMN_LABELS[naming], column)

    def session_name(self, session_id: int) -> str:
        return self.sessions[session_id][0].name if session_id in self.sessions else ""

    def slot(self, session_id: int, index: int):
        slots = self.sessions.get(session_id, (None, []))[1]
        return slots[index] if 0 <= index < len(slots) else None

    def table(self, session_id: int, index: int) -> str:
        key = (session_id, index)
        if key not in self._tables:
            session = self.sessions.get(session_id)
            self._tables[key] = table_label(session[0], index)[0] if session else str(index + 1)
        return self._tables[key]

    def when(self, session_id: int, index: int) -> tuple:
        """(day, start, end) of a slot, in the event's zone; blanks for a slot the settings lost."""
        key = (session_id, index)
        if key not in self._when:
            slot = self.slot(session_id, index)
            self._when[key] = (slot.start.date(), slot.start, slot.end) if slot else (None, None, None)
        return self._when[key]


def _registrations_columns() -> list[Column]:
    return [
        Column("registration", _l("Registration number"), "int"),
        Column("organisation", _l("Organisation")),
        Column("role", _l("Role")),
        Column("status", _l("Status")),
        Column("province", _l("Province")),
        Column("contact", _l("Contact")),
        Column("phone", _l("Phone")),
        Column("email", _l("E-mail")),
        Column("registered_at", _l("Registered at"), "datetime"),
        Column("decided_at", _l("Decided at"), "datetime"),
    ]


def _registrations_query(event: Event, _participant=None):
    return (
        select(
            Registration.id,
            Organisation.name,
            Registration.role,
            Registration.status,
            Organisation.province_code,
            Organisation.contact_name,
            Organisation.phone,
            Organisation.email,
            Registration.created_at,
            Registration.decided_at,
        )
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id)
        .order_by(Registration.id)
    )


def _registrations_row(row, context) -> tuple:
    rid, name, role, status, province, contact, phone, email, created, decided = row
    return (
        rid,
        name,
        context.label(ROLE_LABELS, role),
        context.label(STATUS_LABELS, status),
        current_province_name(province),
        contact,
        phone,
        email,
        created,
        decided,
    )


def _exhibitors_columns() -> list[Column]:
    return [
        Column("registration", _l("Registration number"), "int"),
        Column("organisation", _l("Organisation")),
        Column("status", _l("Status")),
        Column("province", _l("Province")),
        Column("product", _l("Product")),
        Column("ocop_group", _l("OCOP group")),
        Column("stars", _l("Stars"), "int"),
        Column("certificate", _l("Certificate")),
        Column("certificate_expiry", _l("Certificate expires"), "date"),
        Column("gtin", _l("GTIN")),
    ]


def _exhibitors_query(event: Event, _participant=None):
    return (
        select(
            Registration.id,
            Organisation.name,
            Registration.status,
            Organisation.province_code,
            Product.name_vi,
            Product.ocop_group,
            Product.stars,
            Product.certificate_status,
            Product.certificate_expiry,
            Product.gtin,
        )
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(RegistrationProduct, RegistrationProduct.registration_id == Registration.id)
        .outerjoin(Product, Product.id == RegistrationProduct.product_id)
        .where(Registration.event_id == event.id, Registration.role == "exhibitor")
        .order_by(Registration.id, Product.id)
    )


def _exhibitors_row(row, context) -> tuple:
    rid, name, status, province, product, group, stars, certificate, expiry, gtin = row
    return (
        rid,
        name,
        context.label(STATUS_LABELS, status),
        current_province_name(province),
        product,
        context.label(OCOP_GROUPS, group),
        stars,
        context.label(CERTIFICATE_LABELS, certificate),
        expiry,
        gtin,
    )


def _booths_columns() -> list[Column]:
    return [
        Column("booth", _l("Booth")),
        Column("hall", _l("Hall")),
        Column("booth_type", _l("Booth type")),
        Column("price_vnd", _l("Price (VND)"), "vnd"),
        Column("registration", _l("Registration number"), "int"),
        Column("organisation", _l("Organisation")),
        Column("status", _l("Status")),
        Column("payment", _l("Payment")),
        Column("amount_vnd", _l("Amount (VND)"), "vnd"),
        Column("payment_at", _l("Payment recorded at"), "datetime"),
        Column("payment_by", _l("Payment recorded by")),
        Column("allocated_at", _l("Allocated at"), "datetime"),
    ]


PaymentRecorder = aliased(User, name="payment_recorder")


def _booths_query(event: Event, _participant=None):
    return (
        select(
            Booth.code,
            Hall.name,
            BoothType.name,
            BoothType.price_vnd,
            Registration.id,
            Organisation.name,
            BoothAssignment.status,
            BoothAssignment.payment,
            BoothAssignment.payment_at,
            PaymentRecorder.full_name,
            BoothAssignment.created_at,
        )
        .select_from(BoothAssignment)
        .join(Booth, Booth.id == BoothAssignment.booth_id)
        .join(Hall, Hall.id == Booth.hall_id)
        .join(BoothType, BoothType.id == Booth.booth_type_id)
        .join(Registration, Registration.id == BoothAssignment.registration_id)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(PaymentRecorder, PaymentRecorder.id == BoothAssignment.payment_by_id)
        .where(BoothAssignment.event_id == event.id)
        .order_by(Hall.name, Booth.code, BoothAssignment.id)
    )


def _booths_row(row, context) -> tuple:
    code, hall, booth_type, price, rid, name, status, payment, payment_at, payment_by, created = row
    return (
        code,
        hall,
        booth_type,
        price,
        rid,
        name,
        context.label(STATUS_LABELS, status),
        context.label(PAYMENT_LABELS, payment),
        # What is (or was) to pay: nothing when waived or cancelled.
        0 if payment == "waived" or status == "cancelled" else price,
        payment_at,
        payment_by or "",
        created,
    )


BuyerRegistration = aliased(Registration)
ProducerRegistration = aliased(Registration)
BuyerOrganisation = aliased(Organisation)
ProducerOrganisation = aliased(Organisation)


def _meeting_joins(query):
    return (
        query.join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(BuyerRegistration, BuyerRegistration.id == Meeting.buyer_registration_id)
        .join(BuyerOrganisation, BuyerOrganisation.id == BuyerRegistration.organisation_id)
        .join(ProducerRegistration, ProducerRegistration.id == Meeting.producer_registration_id)
        .join(ProducerOrganisation, ProducerOrganisation.id == ProducerRegistration.organisation_id)
    )


def _meetings_columns() -> list[Column]:
    return [
        Column("meeting", _l("Meeting number"), "int"),
        Column("session", _l("Session")),
        Column("day", _l("Day"), "date"),
        Column("start", _l("Starts at"), "datetime"),
        Column("end", _l("Ends at"), "datetime"),
        Column("table", _l("Table")),
        Column("buyer", _l("Buyer")),
        Column("producer", _l("Producer")),
        Column("status", _l("Status")),
        Column("published", _l("Published")),
        Column("checked_in_at", _l("Checked in"), "datetime"),
    ]


def _meetings_query(event: Event, _participant=None):
    return (
        _meeting_joins(
            select(
                Meeting.id,
                Meeting.session_id,
                Meeting.slot,
                Meeting.table,
                BuyerOrganisation.name,
                ProducerOrganisation.name,
                Meeting.status,
                Meeting.published,
                Meeting.checked_in_at,
            )
        )
        .where(MatchingSession.event_id == event.id)
        .order_by(Meeting.session_id, Meeting.slot, Meeting.table, Meeting.id)
    )


def _meetings_row(row, context: _Context) -> tuple:
    mid, session_id, slot, table, buyer, producer, status, published, checked_in = row
    return (
        mid,
        context.session_name(session_id),
        *context.when(session_id, slot),
        context.table(session_id, table),
        buyer,
        producer,
        context.label(STATUS_LABELS, status),
        context.yes_no(published),
        checked_in,
    )


def _agenda_columns() -> list[Column]:
    return [
        Column("registration", _l("Registration number"), "int"),
        Column("participant", _l("Participant")),
        Column("side", _l("Role")),
        Column("session", _l("Session")),
        Column("day", _l("Day"), "date"),
        Column("start", _l("Starts at"), "datetime"),
        Column("end", _l("Ends at"), "datetime"),
        Column("table", _l("Table")),
        Column("counterpart", _l("Meets")),
        Column("status", _l("Status")),
        Column("checked_in_at", _l("Checked in"), "datetime"),
    ]


def _agenda_query(event: Event, participant: int | None = None):
    """Every participant's meetings (each meeting once per side), by participant then time;
    one participant's only when `participant` is given."""
    buyers = select(
        Meeting.id.label("meeting_id"),
        Meeting.buyer_registration_id.label("person"),
        Meeting.producer_registration_id.label("other"),
    )
    producers = select(
        Meeting.id.label("meeting_id"),
        Meeting.producer_registration_id.label("person"),
        Meeting.buyer_registration_id.label("other"),
    )
    if participant is not None:
        buyers = buyers.where(Meeting.buyer_registration_id == participant)
        producers = producers.where(Meeting.producer_registration_id == participant)
    sides = union_all(buyers, producers).subquery("sides")
    person, other = aliased(Registration), aliased(Registration)
    person_org, other_org = aliased(Organisation), aliased(Organisation)
    return (
        select(
            sides.c.person,
            person_org.name,
            person.role,  # its side: a forum's columns hold any role
            Meeting.session_id,
            Meeting.slot,
            Meeting.table,
            other_org.name,
            Meeting.status,
            Meeting.checked_in_at,
        )
        .select_from(sides)
        .join(Meeting, Meeting.id == sides.c.meeting_id)
        .join(MatchingSession, MatchingSession.id == Meeting.session_id)
        .join(person, person.id == sides.c.person)
        .join(person_org, person_org.id == person.organisation_id)
        .join(other, other.id == sides.c.other)
        .join(other_org, other_org.id == other.organisation_id)
        .where(MatchingSession.event_id == event.id)
        .order_by(person_org.name, sides.c.person, Meeting.session_id, Meeting.slot, Meeting.id)
    )


def _agenda_row(row, context: _Context) -> tuple:
    person, name, role, session_id, slot, table, counterpart, status, checked_in = row
    return (
        person,
        name,
        context.label(SIDE_LABELS, role),
        context.session_name(session_id),
        *context.when(session_id, slot),
        context.table(session_id, table),
        counterpart,
        context.label(STATUS_LABELS, status),
        checked_in,
    )


def _checkins_columns() -> list[Column]:
    return [
        Column("checked_in_at", _l("Checked in"), "datetime"),
        Column("code", _l("Check-in code")),
        Column("meeting", _l("Meeting number"), "int"),
        Column("session", _l("Session")),
        Column("day", _l("Day"), "date"),
        Column("start", _l("Starts at"), "datetime"),
        Column("table", _l("Table")),
        Column("buyer", _l("Buyer")),
        Column("producer", _l("Producer")),
        Column("by", _l("Checked in by")),
    ]


def _checkins_query(event: Event, _participant=None):
    return (
        _meeting_joins(
            select(
                Meeting.checked_in_at,
                Meeting.checkin_code,
                Meeting.id,
                Meeting.session_id,
                Meeting.slot,
                Meeting.table,
                BuyerOrganisation.name,
                ProducerOrganisation.name,
                User.full_name,
            )
        )
        .outerjoin(User, User.id == Meeting.checked_in_by_id)
        .where(MatchingSession.event_id == event.id, Meeting.checked_in_at.is_not(None))
        .order_by(Meeting.checked_in_at, Meeting.id)
    )


def _checkins_row(row, context: _Context) -> tuple:
    at, code, mid, session_id, slot, table, buyer, producer, by = row
    day, start, _end = context.when(session_id, slot)
    return (
        at,
        code,
        mid,
        context.session_name(session_id),
        day,
        start,
        context.table(session_id, table),
        buyer,
        producer,
        by,
    )


def _gate_checkins_columns() -> list[Column]:
    return [
        Column("checked_in_at", _l("Checked in"), "datetime"),
        Column("day", _l("Day"), "date"),
        Column("gate", _l("Gate")),
        Column("registration", _l("Registration number"), "int"),
        Column("organisation", _l("Organisation")),
        Column("role", _l("Role")),
        Column("province", _l("Province")),
        Column("by", _l("Checked in by")),
    ]


def _gate_checkins_query(event: Event, _participant=None):
    return (
        select(
            GateCheckin.checked_in_at,
            GateCheckin.day,
            GateCheckin.gate,
            Registration.id,
            Organisation.name,
            Registration.role,
            Organisation.province_code,
            User.full_name,
        )
        .join(Registration, Registration.id == GateCheckin.registration_id)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(User, User.id == GateCheckin.checked_in_by_id)
        .where(GateCheckin.event_id == event.id)
        .order_by(GateCheckin.checked_in_at, GateCheckin.id)
    )


def _gate_checkins_row(row, context: _Context) -> tuple:
    at, day, gate, rid, name, role, province, by = row
    return (
        at,
        day,  # the day of the event's zone the participant came in (kept as such by the gate)
        gate,
        rid,
        name,
        context.label(ROLE_LABELS, role),
        current_province_name(province),
        by,
    )


def _outcomes_columns() -> list[Column]:
    return [
        Column("meeting", _l("Meeting number"), "int"),
        Column("session", _l("Session")),
        Column("day", _l("Day"), "date"),
        Column("buyer", _l("Buyer")),
        Column("producer", _l("Producer")),
        Column("side", _l("Recorded by")),
        Column("kind", _l("Outcome")),
        Column("value_vnd", _l("Value (VND)"), "vnd"),
        Column("note", _l("Note")),
        Column("recorded_at", _l("Recorded at"), "datetime"),
    ]


def _outcomes_query(event: Event, _participant=None):
    return (
        _meeting_joins(
            select(
                Meeting.id,
                Meeting.session_id,
                Meeting.slot,
                BuyerOrganisation.name,
                ProducerOrganisation.name,
                MeetingOutcome.side,
                MeetingOutcome.kind,
                MeetingOutcome.value_vnd,
                MeetingOutcome.note,
                MeetingOutcome.recorded_at,
            )
            .select_from(MeetingOutcome)
            .join(Meeting, Meeting.id == MeetingOutcome.meeting_id)
        )
        .where(MatchingSession.event_id == event.id)
        .order_by(Meeting.session_id, Meeting.slot, Meeting.id, MeetingOutcome.side)
    )


def _outcomes_row(row, context: _Context) -> tuple:
    mid, session_id, slot, buyer, producer, side, kind, value, note, recorded = row
    return (
        mid,
        context.session_name(session_id),
        context.when(session_id, slot)[0],
        buyer,
        producer,
        context.column_label(session_id, side),
        context.label(OUTCOME_LABELS, kind),
        value,
        note,
        recorded,
    )


EXPORTS: dict[str, ExportKind] = {
    kind.name: kind
    for kind in (
        ExportKind(
            "registrations",
            _l("Registrations"),
            _l("Every registration: organisation, role, status, province, contact and dates."),
            _registrations_columns,
            _registrations_query,
            _registrations_row,
        ),
        ExportKind(
            "exhibitors",
            _l("Exhibitors and their products"),
            _l("One row per product an exhibitor brings: OCOP group, stars, certificate and GTIN."),
            _exhibitors_columns,
            _exhibitors_query,
            _exhibitors_row,
        ),
        ExportKind(
            "booths",
            _l("Booths and payments"),
            _l(
                "Each booth assignment: booth, hall, type, price in VND, status, payment, the amount "
                "due (nothing if waived), and when and by whom the payment was recorded."
            ),
            _booths_columns,
            _booths_query,
            _booths_row,
        ),
        ExportKind(
            "meetings",
            _l("Meetings schedule"),
            _l(
                "The whole schedule: day, start and end in the event's time zone, table, "
                "both sides, status, check-in."
            ),
            _meetings_columns,
            _meetings_query,
            _meetings_row,
        ),
        ExportKind(
            "agendas",
            _l("Participants' agendas"),
            _l(
                "Each participant's meetings, one participant after another "
                "(search below for one participant's)."
            ),
            _agenda_columns,
            _agenda_query,
            _agenda_row,
            per_participant=True,
        ),
        ExportKind(
            "checkins",
            _l("Check-ins"),
            _l("Every meeting checked in: when, its code and who checked it in."),
            _checkins_columns,
            _checkins_query,
            _checkins_row,
        ),
        ExportKind(
            "gate_checkins",
            _l("Gate check-ins"),
            _l("Every participant let in at a gate, once a day: when, which gate, who and who let them in."),
            _gate_checkins_columns,
            _gate_checkins_query,
            _gate_checkins_row,
        ),
        ExportKind(
            "outcomes",
            _l("Outcomes"),
            _l("What each side recorded of its meetings: outcome, value in VND, note."),
            _outcomes_columns,
            _outcomes_query,
            _outcomes_row,
        ),
    )
}


class UnknownExport(LookupError):
    """An export name or a format this page doesn't offer."""


def export_kind(name: str, fmt: str) -> ExportKind:
    if name not in EXPORTS or fmt not in FORMATS:
        raise UnknownExport(name)
    return EXPORTS[name]


def participant_of(event: Event, participant_id: int | None) -> Registration | None:
    """The event's registration `participant_id`; ServiceError when it is not one of the event's."""
    if participant_id is None:
        return None
    registration = db.session.get(Registration, participant_id) if 0 < participant_id <= DB_INT_MAX else None
    if registration is None or registration.event_id != event.id:
        raise ServiceError(
            _l("Registration %(number)s is not a participant of this event.", number=participant_id)
        )
    return registration


def row_counts(event: Event) -> dict[str, int]:
    """How many rows each export has, in one statement."""
    counts = [
        select(func.count()).select_from(kind.query(event, None).order_by(None).subquery()).scalar_subquery()
        for kind in EXPORTS.values()
    ]
    values = db.session.execute(select(*counts)).one()
    return dict(zip(EXPORTS, (int(v or 0) for v in values), strict=True))


def row_count(event: Event, kind: ExportKind, participant: Registration | None = None) -> int:
    query = kind.query(event, participant.id if participant else None).order_by(None)
    return int(db.session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def find_participants(event: Event, text: str) -> list[tuple[int, str, str]]:
    """Up to FOUND_PARTICIPANTS of the event's registrations whose organisation's name holds
    every word of `text` (with or without accents), or whose number it is: (id, name, role)."""
    text = " ".join((text or "").split())[:100]
    if not text:
        return []
    conditions = []
    digits = text.lstrip("#")
    if digits.isascii() and digits.isdigit() and int(digits) <= DB_INT_MAX:
        conditions.append(Registration.id == int(digits))
    words = fold(text).split()[:6]
    if words:
        conditions.append(and_(*(Organisation.search_text.contains(word, autoescape=True) for word in words)))
    rows = db.session.execute(
        select(Registration.id, Organisation.name, Registration.role)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .where(Registration.event_id == event.id, or_(*conditions))
        .order_by(Organisation.name, Registration.id)
        .limit(FOUND_PARTICIPANTS)
    ).all()
    return [(rid, name, role) for rid, name, role in rows]


# ---------------------------------------------------------------- the table and its file


def table_of(
    event: Event, kind: ExportKind, participant: Registration | None = None, *, on_row=None
) -> Table:
    """The export as a Table whose rows stream from one statement (`yield_per`)."""
    query = kind.query(event, participant.id if participant else None)
    context = _Context(event)

    def rows() -> Iterator[tuple]:
        result = db.session.execute(query.execution_options(yield_per=STREAM_ROWS))
        try:
            for row in result:
                yield kind.row(row, context)
                if on_row is not None:
                    on_row()
        finally:
            result.close()

    # A meeting export's two meeting columns are named for the event's sessions: buyer and
    # producer, a forum's participants A and B, or both.
    pair = COLUMN_LABELS[context.naming]
    columns = [Column(c.key, str(pair.get(c.key, c.label)), c.kind) for c in kind.columns()]
    return Table(kind.name, str(kind.title), columns, rows())


def file_name(event: Event, kind: ExportKind, fmt: str, participant: Registration | None = None) -> str:
    suffix = f"-{participant.id}" if participant else ""
    return f"{event.slug}-{kind.name}{suffix}.{fmt}"


def record_export(actor, event: Event, kind: ExportKind, fmt: str, rows: int, participant=None) -> None:
    """The event log's entry: who exported what, in which format, how many rows."""
    changes = {"export": kind.name, "format": fmt.upper(), "rows": rows}
    subject = str(kind.title)
    if participant is not None:
        changes["participant"] = participant.id
        subject += f" · {participant.organisation.name}"
    signals.organiser_action.send(actor, event_id=event.id, action="export", subject=subject, changes=changes)


def inline_limit(fmt: str = "csv") -> int:
    """The most rows an export written in the request may have: an XLSX takes about ten times
    as long as a CSV to write (benchmarks/exports_bench.py), so it has its own, lower limit."""
    if fmt == "xlsx":
        return int(current_app.config.get("EXPORT_INLINE_MAX_XLSX_ROWS", 1000))
    return int(current_app.config.get("EXPORT_INLINE_MAX_ROWS", 5000))


def prepare_inline(actor, event: Event, name: str, fmt: str, participant_id: int | None = None):
    """For an export small enough for the request: (kind, participant, rows), recorded in the
    log; None when it is too large and must run as a job. UnknownExport or ServiceError for bad input."""
    ensure_can_manage(actor, event)
    kind = export_kind(name, fmt)
    participant = participant_of(event, participant_id) if kind.per_participant else None
    rows = row_count(event, kind, participant)
    if rows > inline_limit(fmt):
        return None
    record_export(actor, event, kind, fmt, rows, participant)
    return kind, participant, rows


def lock_key(event: Event, name: str, fmt: str, participant_id: int | None) -> str:
    return f"export:{event.id}:{name}:{fmt}:{participant_id or ''}"


def start_export(actor, event: Event, name: str, fmt: str, participant_id: int | None = None) -> Task:
    """Enqueue the export as a background job (AlreadyRunning while the same one waits or runs)."""
    ensure_can_manage(actor, event)
    kind = export_kind(name, fmt)
    participant = participant_of(event, participant_id) if kind.per_participant else None
    participant_id = participant.id if participant else None
    params = {"event_id": event.id, "name": name, "fmt": fmt, "participant_id": participant_id}
    return tasks.start(
        actor, JOB_KIND, lock_key=lock_key(event, name, fmt, participant_id), params=params, event_id=event.id
    )


def exports_folder() -> Path:
    folder = current_app.config.get("EXPORTS_FOLDER") or os.path.join(current_app.instance_path, "exports")
    return Path(folder)


def stored_file(task: Task) -> Path:
    """Where a finished export job's file is kept."""
    fmt = (task.params or {}).get("fmt", "csv")
    return exports_folder() / f"{task.message_id}.{fmt if fmt in FORMATS else 'csv'}"


def write_file(table: Table, fmt: str, path: Path, tz: str) -> None:
    """Write the table to `path` whole or not at all (a temporary file renamed at the end)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".part")
    try:
        with os.fdopen(handle, "wb") as out:
            if fmt == "xlsx":
                write_xlsx([table], out, tz)
            else:
                for chunk in csv_chunks(table, tz):
                    out.write(chunk.encode("utf-8"))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def run_export(actor, task: Task, event: Event, name: str, fmt: str, participant_id: int | None) -> int:
    """The job's work: write the file of the task, report rows as they go, log it; returns rows."""
    ensure_can_manage(actor, event)
    kind = export_kind(name, fmt)
    participant = participant_of(event, participant_id) if kind.per_participant else None
    total = row_count(event, kind, participant)
    progress.phase("rows", total)
    table = table_of(event, kind, participant, on_row=progress.advance)
    write_file(table, fmt, stored_file(task), event.timezone)
    record_export(actor, event, kind, fmt, total, participant)
    return total


def export_task(event: Event, task_id: int) -> Task | None:
    """The event's finished export job `task_id`, or None."""
    task = db.session.get(Task, task_id)
    if task is None or task.event_id != event.id or task.kind != JOB_KIND:
        return None
    return task


def recent_export_tasks(event: Event, limit: int = 10) -> list[Task]:
    return list(
        db.session.scalars(
            select(Task)
            .where(Task.event_id == event.id, Task.kind == JOB_KIND)
            .order_by(Task.created_at.desc(), Task.id.desc())
            .limit(limit)
        )
    )


def remove_old_exports(now: float | None = None, keep_seconds: int = KEEP_SECONDS) -> int:
    """Delete the export files (and leftovers of interrupted writes) older than `keep_seconds`;
    returns how many were removed."""
    folder = exports_folder()
    if not folder.is_dir():
        return 0
    limit = (now if now is not None else time.time()) - keep_seconds
    removed = 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
                removed += 1
        except FileNotFoundError:  # another cleanup got there first
            continue
    return removed


def kinds() -> Iterable[ExportKind]:
    return EXPORTS.values()
