"""Route guards shared by every module's organiser pages."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.events.models import Event
from app.events.services import can_manage
from app.extensions import db


def managed_event(event_id: int) -> Event:
    """The event if the logged-in user is one of its organisers (or an admin); 404 or 403 otherwise."""
    event = db.get_or_404(Event, event_id)
    if not can_manage(current_user, event):
        abort(403)
    return event
