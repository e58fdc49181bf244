"""The check-in app's server side: the day's data for the device, and the sync of its check-ins.

The device downloads one day of one event (`day_data`: only what check-in needs), decides each
check-in itself while offline and sends them later (`sync`). Each check-in carries a random
nonce; the server accepts a nonce once (`CheckinScan.nonce` is unique), so a batch sent again
gets the same answers and changes nothing. Two devices that checked in the same meeting give
one check-in: the first to sync wins and the other is told when and by whom. The rules are the
page's (app/onsite/services.check_in_meeting): the meeting must be this event's, published,
not cancelled, and not on a later day than the scan.

A badge (kind "gate", with the gate's name) is checked in at the gate the same way: the day's
data holds the approved participants with their badge codes, the device decides, and the sync
goes through the gate page's service (app/onsite/gate/services.check_in_at_gate).

Functions flush; the caller commits.
"""

from __future__ import annotations

import hmac
import re
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from app.accounts.models import User
from app.database import savepoint, utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration
from app.events.services import events_managed_by, to_local
from app.extensions import db
from app.inputs import unstorable
from app.matching.engine.slots import session_slots
from app.matching.models import MatchingSession, Meeting
from app.names import table_label
from app.onsite import services as onsite
from app.onsite.badges.services import badge_token, normalise_token
from app.onsite.gate import services as gate_services
from app.onsite.gate.models import GateCheckin
from app.onsite.models import CheckinScan
from app.onsite.services import BadEntry, scan_time
from app.onsite.staff import services as staff
from app.urls import checkin_signature

MAX_BATCH = 500
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
SIGNATURE = re.compile(r"[0-9A-Fa-f]{1,64}")  # a QR code's check: hexadecimal
ENTRY_FIELDS = {"nonce", "code", "scanned_at", "sig", "kind", "gate"}
KINDS = ("meeting", "gate")
# A device's clock may be wrong: a scan time in the future counts as now, one older than this
# is refused (a phone left offline for days holds nothing worth trusting).


def can_use(actor, event: Event) -> bool:
    """Whoever may check meetings in: the event's organisers, admins and its check-in staff."""
    return onsite.can_check_in(actor, event)


def signature(event_id: int, code: str) -> str:
    """The check printed in a meeting's QR code (`sig=`): a forged or altered code does not match.
    The device holds the day's checks, so it refuses a forged code offline."""
    return checkin_signature(event_id, code)


def event_days(event: Event) -> list[date]:
    """The days of the event's matchmaking sessions, in order."""
    days: set[date] = set()
    for session in db.session.scalars(select(MatchingSession).where(MatchingSession.event_id == event.id)):
        day = session.first_day
        while day <= session.last_day:
            days.add(day)
            day += timedelta(days=1)
    return sorted(days)


def events_for(actor) -> list[tuple[Event, list[date]]]:
    """The events `actor` may check in at that have matchmaking days, each with its days."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    managed = events_managed_by(actor) if actor.role in ("organiser", "admin") else []
    seen = {event.id for event in managed}
    listed = []
    for event in managed + [e for e in staff.staff_events(actor) if e.id not in seen]:
        if can_use(actor, event):
            days = event_days(event)
            if days:
                listed.append((event, days))
    return listed


def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(user_ids))).all())


def day_data(actor, event: Event, day: date, locale: str = "vi") -> dict:
    """What the device needs to check in the meetings of `day` offline: per published meeting its
    code, the QR check, table, time and the two organisations, and whether it is checked in."""
    if not can_use(actor, event):
        raise PermissionDenied
    meetings = list(
        db.session.scalars(
            select(Meeting)
            .join(MatchingSession, MatchingSession.id == Meeting.session_id)
            .where(
                MatchingSession.event_id == event.id,
                MatchingSession.first_day <= day,
                MatchingSession.last_day >= day,
                Meeting.published.is_(True),
                Meeting.status != "cancelled",
            )
            .options(
                joinedload(Meeting.session),
                *(
                    joinedload(side).joinedload(Registration.organisation)
                    for side in (Meeting.buyer, Meeting.producer)
                ),
            )
            .order_by(Meeting.slot, Meeting.table, Meeting.id)
        ).unique()
    )
    slots_of: dict[int, list] = {}
    names = _names({m.checked_in_by_id for m in meetings if m.checked_in_by_id})
    rows = []
    for meeting in meetings:
        if meeting.session_id not in slots_of:
            slots_of[meeting.session_id] = session_slots(meeting.session, event.timezone)
        slots = slots_of[meeting.session_id]
        if not 0 <= meeting.slot < len(slots) or slots[meeting.slot].start.date() != day:
            continue
        slot = slots[meeting.slot]
        checked = to_local(event, meeting.checked_in_at)
        rows.append(
            {
                "code": onsite.normalise_code(meeting.checkin_code),
                "check": signature(event.id, meeting.checkin_code),
                "table": table_label(meeting.session, meeting.table)[0],
                "time": slot.start.strftime("%H:%M"),
                "end": slot.end.strftime("%H:%M"),
                "buyer": meeting.buyer.organisation.name,
                "producer": meeting.producer.organisation.name,
                "checked_in_at": checked.strftime("%H:%M") if checked else None,
                "checked_in_by": names.get(meeting.checked_in_by_id) if checked else None,
            }
        )
    return {
        "event": {"id": event.id, "name": event.name_in(locale)},
        "day": day.isoformat(),
        "timezone": event.timezone,
        "downloaded_at": utcnow().isoformat(),
        "meetings": rows,
        "participants": _participants(event, day),
    }


def _participants(event: Event, day: date) -> list[dict]:
    """The event's approved participants as the gate needs them: badge code, name, organisation,
    role, and when and where they came in on `day` (None: not yet)."""
    registrations = db.session.scalars(
        select(Registration)
        .where(Registration.event_id == event.id, Registration.status == "approved")
        .options(joinedload(Registration.organisation))
        .order_by(Registration.id)
    ).all()
    passed = {
        row.registration_id: row
        for row in db.session.scalars(
            select(GateCheckin).where(GateCheckin.event_id == event.id, GateCheckin.day == day)
        )
    }
    participants = []
    for registration in registrations:
        organisation = registration.organisation
        came = passed.get(registration.id)
        participants.append(
            {
                "badge": badge_token(registration),
                "name": organisation.contact_name or organisation.name,
                "organisation": organisation.name,
                "role": registration.role,
                "gate_at": to_local(event, came.checked_in_at).strftime("%H:%M") if came else None,
                "gate": came.gate if came else None,
            }
        )
    return participants


def _read_entry(entry, now: datetime) -> tuple[str, str, str | None, datetime, str, str | None]:
    if not isinstance(entry, dict):
        raise BadEntry(_("Not a check-in."))
    unknown = sorted(str(key)[:40] for key in entry if key not in ENTRY_FIELDS)
    if unknown:
        raise BadEntry(_("Unknown field: %(name)s.", name=unknown[0]))
    nonce = entry.get("nonce")
    if not isinstance(nonce, str) or not NONCE.fullmatch(nonce):
        raise BadEntry(_("The check-in has no valid nonce."))
    code = entry.get("code")
    if not isinstance(code, str) or not code.strip() or len(code) > 300:
        raise BadEntry(_("The check-in has no valid code."))
    kind = entry.get("kind", "meeting")
    if kind not in KINDS:
        raise BadEntry(_("The check-in's kind is not valid."))
    gate = entry.get("gate")
    if kind == "gate":
        if not isinstance(gate, str) or len(gate) > 300:
            raise BadEntry(_("The gate check-in names no valid gate."))
        code = normalise_token(code)
        if len(code) > 64:
            raise BadEntry(_("The check-in has no valid code."))
    elif gate is not None:
        raise BadEntry(_("Unknown field: %(name)s.", name="gate"))
    if unstorable(code) or (isinstance(gate, str) and unstorable(gate)):
        raise BadEntry(_("The check-in has no valid code."))
    sig = entry.get("sig")
    if sig is not None and (not isinstance(sig, str) or not SIGNATURE.fullmatch(sig)):
        raise BadEntry(_("The check-in's QR check is not valid."))
    at = scan_time(entry.get("scanned_at"), now, _("This check-in is too old to be accepted."))
    return nonce, code, sig, at, kind, gate


def _answer(scan: CheckinScan, event: Event, meeting: Meeting | None, replayed: bool = False) -> dict:
    answer = {
        "nonce": scan.nonce,
        "status": "replayed" if replayed else scan.outcome,
        "outcome": scan.outcome,
    }
    answer["message"] = scan.message or ""
    if meeting is not None and meeting.checked_in_at is not None and scan.outcome != "refused":
        answer["time"] = to_local(event, meeting.checked_in_at).strftime("%H:%M")
        answer["by"] = (
            _names({meeting.checked_in_by_id}).get(meeting.checked_in_by_id)
            if meeting.checked_in_by_id
            else None
        )
    return answer


def sync(actor, event: Event, entries, now: datetime | None = None) -> list[dict]:
    """Apply a device's check-ins to `event`, each nonce once. One answer per entry, in order:
    status "held" (checked in now), "already" (it was: `time` and `by` say when and by whom),
    "refused" (not a meeting this event may check in now: `message` says why), "replayed" (this
    nonce was synced before: nothing changed, `outcome` is the first answer) or "invalid" (the
    entry could not be read). Malformed entries do not stop the good ones."""
    if not can_use(actor, event):
        raise PermissionDenied
    if not isinstance(entries, list):
        raise ServiceError(_("The check-ins must be a list."))
    if len(entries) > MAX_BATCH:
        raise ServiceError(_("At most %(count)d check-ins at a time.", count=MAX_BATCH))
    now = now or utcnow()
    answers = []
    for index, entry in enumerate(entries):
        try:
            nonce, code, sig, at, kind, gate = _read_entry(entry, now)
        except BadEntry as problem:
            answers.append({"index": index, "status": "invalid", "message": str(problem)})
            continue
        if kind == "gate":
            answers.append({"index": index, **_apply_gate(actor, event, nonce, code, gate, at)})
        else:
            answers.append({"index": index, **_apply(actor, event, nonce, code, sig, at)})
    return answers


def _apply(actor, event: Event, nonce: str, code: str, sig: str | None, at: datetime) -> dict:
    seen = db.session.scalar(select(CheckinScan).where(CheckinScan.nonce == nonce))
    if seen is not None and seen.event_id != event.id:
        return {"nonce": nonce, "status": "replayed"}  # another event's scan: nothing of it told
    if seen is not None:
        meeting = db.session.get(Meeting, seen.meeting_id) if seen.meeting_id else None
        return _answer(seen, event, meeting, replayed=True)
    wanted = onsite.normalise_code(code)
    scan = CheckinScan(
        nonce=nonce, event_id=event.id, user_id=actor.id, code=wanted[:32], outcome="refused", scanned_at=at
    )
    try:
        with savepoint(db.session):  # a nonce sent at the same moment by a retry: once
            db.session.add(scan)
            db.session.flush()
    except IntegrityError:
        seen = db.session.scalar(select(CheckinScan).where(CheckinScan.nonce == nonce))
        meeting = db.session.get(Meeting, seen.meeting_id) if seen and seen.meeting_id else None
        return (
            _answer(seen, event, meeting, replayed=True) if seen else {"nonce": nonce, "status": "replayed"}
        )
    meeting = onsite.meeting_by_code(event, wanted) if wanted else None
    if meeting is None:
        scan.message = _("No meeting of this event has the code %(code)s.", code=wanted[:32])
    elif sig is not None and not hmac.compare_digest(sig.lower(), signature(event.id, meeting.checkin_code)):
        scan.message = _("This QR code is forged or damaged: its check does not match.")
    else:
        scan.meeting_id = meeting.id
        try:
            result = onsite.check_in_meeting(actor, meeting, at)
        except ServiceError as problem:
            scan.message = str(problem.message)[:300]
        else:
            scan.outcome = "already" if result.already else "held"
            if result.already:
                by = (
                    _names({meeting.checked_in_by_id}).get(meeting.checked_in_by_id)
                    if meeting.checked_in_by_id
                    else None
                )
                scan.message = (
                    _("Already checked in at %(time)s by %(name)s.", time=result.time_text, name=by)
                    if by
                    else _("Already checked in at %(time)s.", time=result.time_text)
                )
            else:
                scan.message = _("Checked in at %(time)s.", time=result.time_text)
    db.session.flush()
    return _answer(scan, event, meeting)


def _apply_gate(actor, event: Event, nonce: str, token: str, gate: str, at: datetime) -> dict:
    """A badge checked in at `gate` on a device: through the gate page's service, its nonce once."""
    seen = db.session.scalar(select(CheckinScan).where(CheckinScan.nonce == nonce))
    if seen is not None and seen.event_id != event.id:
        return {"nonce": nonce, "status": "replayed"}  # another event's scan: nothing of it told
    if seen is not None:
        return _answer(seen, event, None, replayed=True)
    scan = CheckinScan(
        nonce=nonce, event_id=event.id, user_id=actor.id, code=token[:64], outcome="refused", scanned_at=at
    )
    try:
        with savepoint(db.session):
            db.session.add(scan)
            db.session.flush()
    except IntegrityError:
        seen = db.session.scalar(select(CheckinScan).where(CheckinScan.nonce == nonce))
        return _answer(seen, event, None, replayed=True) if seen else {"nonce": nonce, "status": "replayed"}
    extra = {}
    try:
        result = gate_services.check_in_at_gate(actor, event, token, gate, now=at)
    except ServiceError as problem:
        scan.message = str(problem.message)[:300]
    except PermissionDenied:
        scan.message = _("Only this event's check-in staff and organisers can do this.")
    else:
        scan.outcome = "already" if result.already else "held"
        where = result.checkin.gate
        scan.message = (
            _("Already in at %(time)s at %(gate)s.", time=result.time_text, gate=where)
            if result.already
            else _("Checked in at %(gate)s at %(time)s.", gate=where, time=result.time_text)
        )
        extra = {"time": result.time_text, "gate": where}
    db.session.flush()
    return {**_answer(scan, event, None), **extra}
