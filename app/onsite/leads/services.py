"""Lead capture: an exhibitor's phone scans visitors' badges at the booth, offline too.

The phone keeps each lead (badge code, rating 1-5, note) in IndexedDB with a random nonce and
sends them later (`sync`); the server accepts a nonce once (`Lead.nonce` is unique), so a batch
sent again changes nothing and gets the same answers. The badge code is checked here
(app/onsite/badges: forged, another event's, a participant no longer approved: refused with a
plain message); the phone can only check its shape and event.

A buyer's agenda QR works too: it holds a meeting's check-in link (event, meeting code and its
signed check, app/urls.checkin_signature), not a person. It names a visitor only when the
exhibitor is one of the meeting's two participants: the visitor is then the other one. A meeting
between two other participants cannot tell which of them stands at the booth, so it is refused
(scan the badge instead). The signature must match and the meeting be published and not
cancelled; the visitor's consent is the same as for its badge.

What a lead shows of the visitor is what the visitor consented to (`Registration.lead_sharing`):
the name and organisation only, or also the contact's email and phone. An exhibitor's leads are
its own (its organisation's approved exhibitor registration); organisers see only how many
leads each exhibitor captured.

Functions flush; the caller commits.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.catalog.models import Organisation
from app.database import savepoint, utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration
from app.events.registrations.services import own_registration
from app.events.services import can_manage
from app.extensions import db
from app.inputs import unstorable
from app.onsite import services as onsite
from app.onsite.badges import services as badges
from app.onsite.leads.models import SHARING, Lead
from app.onsite.services import BadEntry, scan_time
from app.paging import rows_and_total
from app.urls import checkin_signature

MAX_BATCH = 500
PER_PAGE = 50
NOTE_LENGTH = 1000
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
ENTRY_FIELDS = {"nonce", "code", "sig", "rating", "note", "scanned_at"}
SIG = re.compile(r"[0-9a-fA-F]{12}")
SORTS = ("time", "rating")


def sharing_choices() -> list[tuple[str, str]]:
    return [
        ("basic", str(_l("My name and organisation only"))),
        ("contact", str(_l("Also my contact email and phone"))),
    ]


def exhibitor_registration(actor, event: Event) -> Registration | None:
    """The actor's organisation's approved exhibitor registration for `event`, if any: for its
    exhibitor accounts only (an account made organiser or admin keeps its organisation id)."""
    if getattr(actor, "role", None) != "exhibitor":
        return None
    registration = own_registration(actor, event, "exhibitor")
    if registration is None or registration.status != "approved":
        return None
    return registration


def can_capture(actor, event: Event) -> bool:
    """Users of an approved exhibitor registration of the event capture leads there."""
    return exhibitor_registration(actor, event) is not None


def _exhibitor(actor, event: Event) -> Registration:
    registration = exhibitor_registration(actor, event)
    if registration is None:
        raise PermissionDenied
    return registration


# ---------------------------------------------------------------- consent


def set_lead_sharing(actor, registration: Registration, choice: str) -> None:
    """The participant's own organisation chooses what exhibitors scanning its badge see."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or actor.organisation_id is None
        or actor.organisation_id != registration.organisation_id
    ):
        raise PermissionDenied
    if choice not in SHARING:
        raise ServiceError(_l("Choose what you share."), "lead_sharing")
    registration.lead_sharing = choice
    db.session.flush()


# ---------------------------------------------------------------- sync


@dataclass
class Entry:
    nonce: str
    code: str
    rating: int
    note: str | None
    at: datetime
    sig: str | None = None  # set: `code` is a meeting's check-in code read from an agenda QR


def _read_entry(entry, now: datetime) -> Entry:
    if not isinstance(entry, dict):
        raise BadEntry(_("Not a lead."))
    unknown = sorted(str(key)[:40] for key in entry if key not in ENTRY_FIELDS)
    if unknown:
        raise BadEntry(_("Unknown field: %(name)s.", name=unknown[0]))
    nonce = entry.get("nonce")
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        raise BadEntry(_("The lead has no valid nonce."))
    code = entry.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 100 or unstorable(code):
        raise BadEntry(_("The lead has no valid badge code."))
    rating = entry.get("rating")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise BadEntry(_("The rating must be a whole number from 1 to 5."))
    note = entry.get("note")
    if note is not None and (not isinstance(note, str) or len(note) > NOTE_LENGTH or unstorable(note)):
        raise BadEntry(_("The note must be text of at most %(count)d characters.", count=NOTE_LENGTH))
    sig = entry.get("sig")
    if sig is not None and (not isinstance(sig, str) or not SIG.fullmatch(sig)):
        raise BadEntry(_("The agenda QR's check is not valid."))
    at = scan_time(entry.get("scanned_at"), now, _("This lead is too old to be accepted."))
    return Entry(nonce, code, rating, (note or "").strip() or None, at, sig)


def sync(actor, event: Event, entries, now: datetime | None = None) -> list[dict]:
    """Store a device's leads for the actor's exhibitor registration, each nonce once. One answer
    per entry, in order: status "saved" (with the visitor's organisation), "refused" (the badge
    is forged, another event's or not an approved participant's: `message` says why), "replayed"
    (this nonce was synced before: nothing changed) or "invalid" (the entry could not be read).
    Malformed entries do not stop the good ones."""
    exhibitor = _exhibitor(actor, event)
    if not isinstance(entries, list):
        raise ServiceError(_("The leads must be a list."))
    if len(entries) > MAX_BATCH:
        raise ServiceError(_("At most %(count)d leads at a time.", count=MAX_BATCH))
    now = now or utcnow()
    answers = []
    for index, raw in enumerate(entries):
        try:
            entry = _read_entry(raw, now)
        except BadEntry as problem:
            answers.append({"index": index, "status": "invalid", "message": str(problem)})
            continue
        answers.append({"index": index, **_apply(actor, event, exhibitor, entry)})
    return answers


def visitor_on_agenda(event: Event, exhibitor: Registration, code: str, sig: str) -> Registration:
    """The registration an agenda QR (meeting `code`, its check `sig`) names for this exhibitor:
    the meeting's other participant. ServiceError when the QR is forged or another event's, the
    meeting unpublished or cancelled, the exhibitor not in it, or the other side not approved."""
    meeting = onsite.meeting_by_code(event, code)
    if meeting is None:
        raise ServiceError(_l("No meeting of this event has this agenda QR."), "code")
    if not hmac.compare_digest(sig.lower(), checkin_signature(event.id, meeting.checkin_code)):
        raise ServiceError(_l("This QR code is forged or damaged: its check does not match."), "code")
    if not meeting.published or meeting.status == "cancelled":
        raise ServiceError(_l("This agenda's meeting is not on the schedule any more."), "code")
    if meeting.side_for(exhibitor.id) is None:
        raise ServiceError(
            _l(
                "This agenda's meeting is not one of yours, so it cannot tell who the visitor is: "
                "scan the badge."
            ),
            "code",
        )
    # The exhibitor's own agenda prints the same QR: only a meeting checked in (both came) says
    # the visitor was there.
    if meeting.checked_in_at is None or meeting.status != "held":
        raise ServiceError(
            _l("This agenda's meeting is not checked in yet: scan the visitor's badge."),
            "code",
        )
    other_id = (
        meeting.producer_registration_id
        if meeting.buyer_registration_id == exhibitor.id
        else (meeting.buyer_registration_id)
    )
    visitor = db.session.get(Registration, other_id)
    if visitor is None or visitor.event_id != event.id or visitor.status != "approved":
        raise ServiceError(
            _l("The participant of this meeting is not an approved participant any more."), "code"
        )
    return visitor


def _saved(lead: Lead, replayed: bool = False) -> dict:
    return {
        "nonce": lead.nonce,
        "status": "replayed" if replayed else "saved",
        "organisation": lead.visitor.organisation.name,
        "message": _("Lead saved: %(name)s.", name=lead.visitor.organisation.name),
    }


def _apply(actor, event: Event, exhibitor: Registration, entry: Entry) -> dict:
    seen = db.session.scalar(select(Lead).where(Lead.nonce == entry.nonce))
    if seen is not None:
        if seen.exhibitor_registration_id != exhibitor.id:
            return {"nonce": entry.nonce, "status": "invalid", "message": _("This nonce was used already.")}
        return _saved(seen, replayed=True)
    try:
        if entry.sig is None:
            visitor = badges.registration_for_token(event, entry.code)
        else:
            visitor = visitor_on_agenda(event, exhibitor, entry.code, entry.sig)
    except ServiceError as problem:
        return {"nonce": entry.nonce, "status": "refused", "message": str(problem.message)}
    if visitor.id == exhibitor.id:
        return {"nonce": entry.nonce, "status": "refused", "message": _("This is your own badge.")}
    lead = Lead(
        nonce=entry.nonce,
        event_id=event.id,
        exhibitor_registration_id=exhibitor.id,
        visitor_registration_id=visitor.id,
        user_id=actor.id,
        rating=entry.rating,
        note=entry.note,
        scanned_at=entry.at,
    )
    try:
        with savepoint(db.session):  # the same nonce sent at the same moment by a retry: once
            db.session.add(lead)
            db.session.flush()
    except IntegrityError:
        seen = db.session.scalar(select(Lead).where(Lead.nonce == entry.nonce))
        return _saved(seen, replayed=True) if seen else {"nonce": entry.nonce, "status": "replayed"}
    return _saved(lead)


# ---------------------------------------------------------------- the exhibitor's leads


@dataclass
class LeadRow:
    """A lead as the exhibitor may see it: contact details only when the visitor consented."""

    lead: Lead
    organisation: str
    person: str | None
    role: str
    email: str | None
    phone: str | None

    @property
    def shares_contact(self) -> bool:
        return self.lead.visitor.lead_sharing == "contact"


def _row(lead: Lead) -> LeadRow:
    visitor = lead.visitor
    organisation = visitor.organisation
    contact = visitor.lead_sharing == "contact"
    return LeadRow(
        lead=lead,
        organisation=organisation.name,
        person=organisation.contact_name,
        role=visitor.role,
        email=organisation.email if contact else None,
        phone=organisation.phone if contact else None,
    )


def _leads_query(exhibitor: Registration, sort: str):
    query = (
        select(Lead)
        .options(joinedload(Lead.visitor).joinedload(Registration.organisation))
        .where(Lead.exhibitor_registration_id == exhibitor.id)
    )
    if sort == "rating":
        return query.order_by(Lead.rating.desc(), Lead.scanned_at.desc(), Lead.id.desc())
    return query.order_by(Lead.scanned_at.desc(), Lead.id.desc())


def leads_page(actor, event: Event, *, sort: str = "time", page: int = 1) -> tuple[list[LeadRow], int]:
    """A page of the actor's exhibitor's leads at `event`, newest first or best rated first."""
    exhibitor = _exhibitor(actor, event)
    rows, total = rows_and_total(
        _leads_query(exhibitor, sort if sort in SORTS else "time"), page=page, per_page=PER_PAGE
    )
    return [_row(lead) for (lead,) in rows], total


def leads_table(actor, event: Event, *, sort: str = "time"):
    """The actor's exhibitor's leads as a table for CSV/XLSX (consent respected, cells neutralised
    by the writers)."""
    from app.reports.tables import Column, Table

    exhibitor = _exhibitor(actor, event)
    leads = db.session.scalars(_leads_query(exhibitor, sort if sort in SORTS else "time")).unique()
    roles = {"buyer": str(_l("Buyer")), "exhibitor": str(_l("Exhibitor"))}
    rows = (
        (
            row.lead.scanned_at,
            row.organisation,
            row.person or "",
            roles.get(row.role, row.role),
            row.email or "",
            row.phone or "",
            row.lead.rating,
            row.lead.note or "",
        )
        for row in map(_row, leads)
    )
    return Table(
        key="leads",
        title=str(_l("Leads")),
        columns=[
            Column("scanned_at", str(_l("Scanned at")), "datetime"),
            Column("organisation", str(_l("Organisation"))),
            Column("person", str(_l("Contact person"))),
            Column("role", str(_l("Role"))),
            Column("email", str(_l("Email"))),
            Column("phone", str(_l("Phone"))),
            Column("rating", str(_l("Rating")), "int"),
            Column("note", str(_l("Note"))),
        ],
        rows=rows,
    )


# ---------------------------------------------------------------- the organisers' counts


def lead_counts(actor, event: Event) -> list[tuple[str, int]]:
    """The event's organisers (and admins): how many leads each approved exhibitor captured
    (organisation name, count), most first. Never the leads themselves."""
    if not can_manage(actor, event):
        raise PermissionDenied
    counted = func.count(Lead.id)
    rows = db.session.execute(
        select(Organisation.name, counted)
        .select_from(Registration)
        .join(Organisation, Organisation.id == Registration.organisation_id)
        .outerjoin(Lead, Lead.exhibitor_registration_id == Registration.id)
        .where(
            Registration.event_id == event.id,
            Registration.role == "exhibitor",
            Registration.status == "approved",
        )
        .group_by(Registration.id, Organisation.name)
        .order_by(counted.desc(), func.lower(Organisation.name))
    )
    return [(name, number) for name, number in rows]
