"""The log pages: an event's (its organisers and admins) and the one of actions outside any
event (catalogue imports, programme downloads: organisers and admins, each seeing what
services.outside_events_scope allows). Both filter by action, person and day; a refused
filter answers 400 with its message beside it, a page past the end 404 with a link to the last."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.eventlog import services
from app.eventlog.forms import LogFilterForm
from app.events.services import managed_event
from app.inputs import page_arg

bp = Blueprint("eventlog", __name__)


def _log_page(scope, actions: dict, template: str, **context):
    actors = services.actors_of(scope)
    form = LogFilterForm(request.args, actions=actions, actors=actors)
    valid = form.validate()
    chosen = form.filters()
    page = services.entries_page(scope, page=page_arg(), **chosen)
    past_end = bool(page.total) and page.page > page.pages
    status = 400 if not valid else 404 if past_end else 200
    return render_template(
        template,
        form=form,
        page=page,
        past_end=past_end,
        actions=services.ACTIONS,
        details_lines=services.details_lines,
        filtered=any(value is not None for value in chosen.values()) or bool(form.errors),
        **context,
    ), status


@bp.route("/manage/events/<int:event_id>/log")
@roles_required("organiser")
def event_log(event_id: int):
    """The event's organisers and admins: every organiser action, newest first, filtered."""
    event = managed_event(current_user, event_id)
    return _log_page(event, services.ACTIONS, "eventlog/event_log.html", event=event)


@bp.route("/manage/log")
@roles_required("organiser")
def outside_events():
    """Organisers and admins: the actions outside any event (catalogue imports for every
    organiser; programme downloads for their author and admins), newest first, filtered."""
    scope = services.outside_events_scope(current_user)
    actions = {code: services.ACTIONS[code] for code in services.OUTSIDE_EVENT_ACTIONS}
    return _log_page(scope, actions, "eventlog/outside_events.html")
