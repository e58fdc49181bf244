"""Route guards shared by the participants' matchmaking pages (participation and agenda)."""

from __future__ import annotations

from flask import abort, make_response, render_template
from flask_login import current_user

from app.events.models import Event, Registration
from app.matching.models import MatchingSession
from app.matching.participation import services as participation


def participant(slug: str) -> tuple[Event, MatchingSession | None, Registration]:
    """(event, session, registration) of the current user's approved registration, or 403/404.
    A registration still waiting for its decision gets a 403 page that says so."""
    event, session, registration = participation.participant_context(current_user, slug)  # one statement
    if event is None:
        abort(404)
    if registration is None:
        waiting = participation.waiting_registration(current_user, event)
        if waiting is not None:
            page = render_template("matching/waiting.html", event=event, registration=waiting)
            abort(make_response(page, 403))
        abort(403)
    return event, session, registration


def participant_with_session(slug: str) -> tuple[Event, MatchingSession, Registration]:
    """As `participant`, and 404 when the event has no matchmaking session."""
    event, session, registration = participant(slug)
    if session is None:
        abort(404)
    return event, session, registration
