"""Gate check-in: a participant is let in at a gate by the code on its badge, once a day.

A second scan the same day says when and at which gate it came in. The event may require the
gate first: then meeting check-in (app/onsite/services.check_in_meeting) refuses a meeting whose
buyer or producer was not checked in at the gate that day (`ensure_gate_passed`).

Functions flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import signals
from app.database import savepoint, utcnow
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration
from app.events.services import can_manage, to_local
from app.extensions import db
from app.onsite.badges.services import registration_for_token
from app.onsite.gate.models import GateCheckin, GateSettings

GATE_NAME_MAX = 60


def can_run_gate(actor, event: Event) -> bool:
    """Who checks people in at the gate and reads the counts: the event's organisers (and admins)."""
    return can_manage(actor, event)


@dataclass
class GateResult:
    checkin: GateCheckin
    already: bool  # the participant had come in earlier that day
    checked_in_at: datetime  # in the event's zone

    @property
    def time_text(self) -> str:
        return self.checked_in_at.strftime("%H:%M")


def clean_gate(gate: str | None) -> str:
    name = " ".join((gate or "").split())
    if not name:
        raise ServiceError(_l("Name the gate (for example: Main gate)."), "gate")
    if len(name) > GATE_NAME_MAX:
        raise ServiceError(_l("A gate's name has at most %(count)d characters.", count=GATE_NAME_MAX), "gate")
    return name


def can_let_in(actor, event: Event) -> bool:
    """Who checks badges in at the gate: the event's organisers (and admins) and its check-in
    staff (through the check-in app; the gate page and the counts stay the organisers')."""
    from app.onsite.staff.services import is_staff

    return can_run_gate(actor, event) or is_staff(actor, event)


def check_in_at_gate(actor, event: Event, token: str, gate: str, now: datetime | None = None) -> GateResult:
    """Let the badge's participant in at `gate` today, once; ServiceError with a plain message for
    a forged, foreign or withdrawn badge."""
    if not can_let_in(actor, event):
        raise PermissionDenied
    now = now or utcnow()
    gate = clean_gate(gate)
    registration = registration_for_token(event, token)
    day = to_local(event, now).date()
    existing = _checkin_on(registration, day)
    if existing is None:
        checkin = GateCheckin(
            event_id=event.id,
            registration_id=registration.id,
            gate=gate,
            day=day,
            checked_in_at=now,
            checked_in_by_id=getattr(actor, "id", None),
        )
        try:  # two gates scanning the same badge at once: the unique key keeps one
            with savepoint(db.session):
                db.session.add(checkin)
                db.session.flush()
        except IntegrityError:
            existing = _checkin_on(registration, day)
        else:
            signals.organiser_action.send(
                actor,
                event_id=event.id,
                action="gate_checked_in",
                subject=registration.organisation.name,
                changes={"role": registration.role, "gate": gate},
            )
            return GateResult(checkin, already=False, checked_in_at=to_local(event, now))
    return GateResult(existing, already=True, checked_in_at=to_local(event, existing.checked_in_at))


def _checkin_on(registration: Registration, day) -> GateCheckin | None:
    return db.session.scalar(
        select(GateCheckin).where(GateCheckin.registration_id == registration.id, GateCheckin.day == day)
    )


def recent_gate_checkins(actor, event: Event, limit: int = 10) -> list[GateCheckin]:
    if not can_run_gate(actor, event):
        raise PermissionDenied
    return list(
        db.session.scalars(
            select(GateCheckin)
            .where(GateCheckin.event_id == event.id)
            .order_by(GateCheckin.checked_in_at.desc(), GateCheckin.id.desc())
            .limit(limit)
        )
    )


@dataclass
class GateCounts:
    by_gate: list[tuple[str, int]]  # gate, check-ins; most first
    by_hour: list[tuple[str, int]]  # "2027-01-15 08:00" in the event's zone, check-ins; in order
    total: int


def gate_counts(actor, event: Event) -> GateCounts:
    """How many came in per gate and per hour (the event's clock). Two GROUP BY statements for
    the gates and one read of the times (hours are taken in the event's zone, which SQL can't
    do on both databases alike)."""
    if not can_run_gate(actor, event):
        raise PermissionDenied
    by_gate = [
        (gate, count)
        for gate, count in db.session.execute(
            select(GateCheckin.gate, func.count())
            .where(GateCheckin.event_id == event.id)
            .group_by(GateCheckin.gate)
            .order_by(func.count().desc(), GateCheckin.gate)
        )
    ]
    hours: dict[str, int] = {}
    for (moment,) in db.session.execute(
        select(GateCheckin.checked_in_at)
        .where(GateCheckin.event_id == event.id)
        .order_by(GateCheckin.checked_in_at)
    ):
        hour = to_local(event, moment).strftime("%Y-%m-%d %H:00")
        hours[hour] = hours.get(hour, 0) + 1
    return GateCounts(by_gate=by_gate, by_hour=list(hours.items()), total=sum(c for _g, c in by_gate))


# ---------------------------------------------------------------- the rule for meetings


def meetings_need_gate(event: Event) -> bool:
    settings = db.session.get(GateSettings, event.id)
    return bool(settings and settings.meetings_need_gate)


def set_meetings_need_gate(actor, event: Event, value: bool) -> GateSettings:
    """The organisers' switch: only participants checked in at the gate can be marked present at meetings."""
    if not can_run_gate(actor, event):
        raise PermissionDenied
    settings = db.session.get(GateSettings, event.id)
    if settings is None:
        settings = GateSettings(event_id=event.id)
        db.session.add(settings)
    settings.meetings_need_gate = bool(value)
    db.session.flush()
    return settings


def ensure_gate_passed(event: Event, registrations: list[Registration], now: datetime) -> None:
    """When the event requires it, every one of `registrations` has come in at the gate on `now`'s
    day (the event's zone); otherwise a ServiceError naming who has not."""
    if not meetings_need_gate(event):
        return
    day = to_local(event, now).date()
    ids = [registration.id for registration in registrations]
    passed = set(
        db.session.scalars(
            select(GateCheckin.registration_id).where(
                GateCheckin.registration_id.in_(ids), GateCheckin.day == day
            )
        )
    )
    missing = [
        registration.organisation.name for registration in registrations if registration.id not in passed
    ]
    if missing:
        raise ServiceError(
            _l(
                "Not checked in at the gate today: %(names)s. This event marks only participants "
                "who came in at the gate present at meetings; check their badges in at the gate first.",
                names=", ".join(missing),
            )
        )
