"""Route guards shared by the participants' matchmaking pages (participation and agenda)."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.errors import PermissionDenied
from app.events.models import Event, Registration
from app.matching.models import MatchingSession
from app.matching.participation import services as participation


def participant(slug: str) -> tuple[Event, MatchingSession | None, Registration]:
    """(event, session, registration) of the current user's approved registration, or 403/404."""
    event = participation.event_for_slug(slug)
    if event is None:
        abort(404)
    try:
        registration = participation.participant_registration(current_user, event)
    except PermissionDenied:
        abort(403)
    return event, participation.session_for_event(event), registration


def participant_with_session(slug: str) -> tuple[Event, MatchingSession, Registration]:
    """As `participant`, and 404 when the event has no matchmaking session."""
    event, session, registration = participant(slug)
    if session is None:
        abort(404)
    return event, session, registration
