"""The event log page: the event's organisers (and admins) read and filter what was done."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.eventlog import services
from app.events.services import managed_event
from app.inputs import int_arg, page_arg

bp = Blueprint("eventlog", __name__)


def _day_arg() -> date | None:
    try:
        return date.fromisoformat((request.args.get("day") or "").strip()[:10])
    except ValueError:
        return None


@bp.route("/manage/events/<int:event_id>/log")
@roles_required("organiser")
def event_log(event_id: int):
    """The event's organisers and admins: every organiser action, newest first, filtered."""
    event = managed_event(current_user, event_id)
    action = request.args.get("action") or None
    if action not in services.ACTIONS:
        action = None
    actor_id = int_arg("actor")
    day = _day_arg()
    page = services.entries_page(event, action=action, actor_id=actor_id, day=day, page=page_arg())
    return render_template(
        "eventlog/event_log.html",
        event=event,
        page=page,
        actions=services.ACTIONS,
        actors=services.actors_of(event),
        chosen={"action": action, "actor": actor_id, "day": day},
        details_lines=services.details_lines,
        filtered=bool(action or actor_id or day),
    )
