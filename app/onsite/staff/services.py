"""Check-in staff of an event: accounts its organisers add so that they download the event's
check-in data and check meetings and badges in (the check-in app, app/onsite/checkin_app), for
that event only and nothing else of the organisers'.

Functions flush; the caller commits.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager

from app.accounts.models import User
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event, Registration
from app.events.services import can_manage
from app.extensions import db
from app.onsite.models import CheckinStaff
from app.paging import rows_and_total

PER_PAGE = 50


def takes_part(user, event: Event) -> bool:
    """Whether the account's organisation is registered at the event (exhibitor or buyer).

    Such an account can't be check-in staff: the day's data carries every participant's badge
    code, which is what lead capture reads, so a participant could take everyone as a lead."""
    organisation_id = getattr(user, "organisation_id", None)
    if organisation_id is None:
        return False
    return (
        db.session.scalar(
            select(Registration.id)
            .where(Registration.event_id == event.id, Registration.organisation_id == organisation_id)
            .limit(1)
        )
        is not None
    )


def is_staff(actor, event: Event) -> bool:
    """Whether the signed-in `actor` is check-in staff of `event` (an active account whose
    organisation does not take part in the event)."""
    if (
        actor is None
        or not getattr(actor, "is_authenticated", False)
        or not getattr(actor, "is_active", True)
    ):
        return False
    staff = (
        db.session.scalar(
            select(CheckinStaff.id).where(CheckinStaff.event_id == event.id, CheckinStaff.user_id == actor.id)
        )
        is not None
    )
    return staff and not takes_part(actor, event)


def staff_events(actor) -> list[Event]:
    """The events `actor` is check-in staff of, latest first."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return []
    return list(
        db.session.scalars(
            select(Event)
            .join(CheckinStaff, CheckinStaff.event_id == Event.id)
            .where(CheckinStaff.user_id == actor.id)
            .order_by(Event.starts_at.desc(), Event.id.desc())
        )
    )


def _managed(actor, event: Event) -> None:
    if not can_manage(actor, event):
        raise PermissionDenied


def staff_page(actor, event: Event, *, page: int = 1) -> tuple[list[CheckinStaff], int]:
    """The event's organisers: a page of its check-in staff, by name."""
    _managed(actor, event)
    query = (
        select(CheckinStaff)
        .join(User, User.id == CheckinStaff.user_id)
        .options(contains_eager(CheckinStaff.user))  # the page's accounts in the same statement
        .where(CheckinStaff.event_id == event.id)
        .order_by(func.lower(User.full_name), User.id)
    )
    rows, total = rows_and_total(query, page=page, per_page=PER_PAGE)
    return [row for (row,) in rows], total


def add_staff(actor, event: Event, email: str) -> CheckinStaff:
    """The event's organisers: make the account with this email check-in staff of the event."""
    _managed(actor, event)
    wanted = (email or "").strip().lower()
    if not wanted:
        raise ServiceError(_l("Type the email of an account."), "email")
    user = db.session.scalar(select(User).where(func.lower(User.email) == wanted))
    if user is None:
        raise ServiceError(_l("No account has this email: the person must sign up first."), "email")
    if not user.is_active:
        raise ServiceError(_l("This account is disabled."), "email")
    if can_manage(user, event):
        raise ServiceError(_l("This account organises the event: it can check in already."), "email")
    if takes_part(user, event):
        raise ServiceError(
            _l("This account's organisation takes part in the event: it can't be check-in staff."), "email"
        )
    existing = db.session.scalar(
        select(CheckinStaff).where(CheckinStaff.event_id == event.id, CheckinStaff.user_id == user.id)
    )
    if existing is not None:
        raise ServiceError(_l("This account is check-in staff of the event already."), "email")
    member = CheckinStaff(event_id=event.id, user_id=user.id, added_by_id=actor.id)
    db.session.add(member)
    db.session.flush()
    return member


def staff_member(actor, event: Event, member_id: int) -> CheckinStaff | None:
    """The event's organisers: one of its check-in staff rows (None if not this event's)."""
    _managed(actor, event)
    member = db.session.get(CheckinStaff, member_id)
    return member if member is not None and member.event_id == event.id else None


def remove_staff(actor, event: Event, member: CheckinStaff) -> None:
    """The event's organisers: the account is no longer check-in staff of the event."""
    _managed(actor, event)
    if member.event_id != event.id:
        raise PermissionDenied
    db.session.delete(member)
    db.session.flush()
