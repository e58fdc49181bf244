"""Organisers' matchmaking pages: sessions, capacity check, running, the result, hand edits, publishing.

Thin: parse, authorise, call one service of app.matching.sessions.services. The request
boundary commits (app.transaction); a ServiceError rolls it back and is shown to the organiser.
"""

from __future__ import annotations

import json

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import ServiceError
from app.events.services import managed_event as _managed_event
from app.extensions import db
from app.matching import jobs
from app.matching.blueprint import bp
from app.matching.engine import scoring
from app.matching.models import MatchingSession, Meeting
from app.matching.sessions import services
from app.matching.sessions.forms import MoveForm, SessionForm
from app.matching.sessions.scoring import explain
from app.tasks import services as tasks
from app.transaction import service_errors

MANAGE = "/manage/events/<int:event_id>/matching"
STATE_LABELS = {"draft": _l("Draft"), "solved": _l("Solved, not published"), "published": _l("Published")}


def _managed_session(event_id: int, session_id: int) -> MatchingSession:
    event = _managed_event(current_user, event_id)
    session = db.get_or_404(MatchingSession, session_id)
    if session.event_id != event.id:
        abort(404)
    return session


def _session_meeting(session: MatchingSession, meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.session_id != session.id:
        abort(404)
    return meeting


def _back(session: MatchingSession, anchor: str = "") -> str:
    return url_for("matching.session", event_id=session.event_id, session_id=session.id) + anchor


@bp.route(MANAGE, methods=["GET", "POST"])
@roles_required("organiser")
def sessions(event_id: int):
    """The event's organisers: its matchmaking sessions, and a form to create one."""
    event = _managed_event(current_user, event_id)
    form = SessionForm()
    if request.method == "GET":
        form.fill(services.default_values(event), scoring.DEFAULT_WEIGHTS)
    if form.validate_on_submit():
        with service_errors(form):
            session = services.create_session(current_user, event, **form.values())
            flash(_("The session was created. Check its capacity, then run the matching."), "success")
            return redirect(_back(session))
    return render_template(
        "matching/session/index.html",
        event=event,
        sessions=services.sessions_of(event),
        form=form,
        session_state_labels=STATE_LABELS,
    )


@bp.route(MANAGE + "/<int:session_id>", methods=["GET", "POST"])
@roles_required("organiser")
def session(event_id: int, session_id: int):
    """The session: settings, capacity check, run, result grid, figures, hand edits, publish."""
    session = _managed_session(event_id, session_id)
    form = SessionForm()
    if request.method == "GET":
        form.fill({k: getattr(session, k) for k in services.SESSION_FIELDS}, services.weights_of(session))
    if form.validate_on_submit():
        with service_errors(form):
            services.update_session(current_user, session, **form.values())
            flash(_("Saved."), "success")
            return redirect(_back(session))
    view = services.overview(session)
    slot_choices = [(s.index, services.slot_text(s)) for s in view.slots]
    return render_template(
        "matching/session/show.html",
        event=session.event,
        session=session,
        form=form,
        view=view,
        capacity=services.capacity_check(session),
        slot_choices=slot_choices,
        session_state_labels=STATE_LABELS,
        slot_text=services.slot_text,
        explain=explain,
        loads=_loads,
        job=_job_view(session),
    )


def _job_view(session: MatchingSession):
    """The session's running job, or its last one (to show how it ended)."""
    task = tasks.latest_task(jobs.session_lock_key(session.id))
    return (task, tasks.view(task)) if task is not None else (None, None)


def _loads(text: str | None) -> dict:
    return json.loads(text) if text else {}


def _start_job(session: MatchingSession, kind: str):
    """Enqueue a matching job and go back to the session, where its progress shows.

    A second click while one runs (or queues) says so and shows that one; an unreachable
    queue says so and writes nothing.
    """
    with service_errors():
        tasks.start(
            current_user,
            kind,
            lock_key=jobs.session_lock_key(session.id),
            params={"event_id": session.event_id, "session_id": session.id},
            event_id=session.event_id,
        )
    return redirect(_back(session, "#job"))


@bp.route(MANAGE + "/<int:session_id>/run", methods=["POST"])
@roles_required("organiser")
def run(event_id: int, session_id: int):
    """Run the matching in the background: unpublished meetings are replaced, hand-placed ones stay."""
    session = _managed_session(event_id, session_id)
    with service_errors():
        services.ensure_can_run(session)  # said at once, not by a job that fails later
        return _start_job(session, "matching.run")
    return redirect(_back(session))


@bp.route(MANAGE + "/<int:session_id>/publish", methods=["GET", "POST"])
@roles_required("organiser")
def publish(event_id: int, session_id: int):
    """Publish the schedule after confirming; every participant with meetings is told."""
    session = _managed_session(event_id, session_id)
    if request.method == "GET":
        return render_template(
            "matching/session/confirm_publish.html",
            event=session.event,
            session=session,
            view=services.overview(session),
        )
    return _start_job(session, "matching.publish")


@bp.route(MANAGE + "/<int:session_id>/repair", methods=["POST"])
@roles_required("organiser")
def repair(event_id: int, session_id: int):
    """After publication: add late participants, drop meetings that can't happen; nothing published moves."""
    session = _managed_session(event_id, session_id)
    return _start_job(session, "matching.repair")


@bp.route(MANAGE + "/<int:session_id>/meetings/<int:meeting_id>/move", methods=["POST"])
@roles_required("organiser")
def move_meeting(event_id: int, session_id: int, meeting_id: int):
    """Move a meeting by hand; refused with the reason when it double-books or leaves availability."""
    session = _managed_session(event_id, session_id)
    meeting = _session_meeting(session, meeting_id)
    form = MoveForm()
    form.slot.choices = [(s.index, services.slot_text(s)) for s in services.slots_of(session)]
    if not form.validate_on_submit():
        flash(_("Choose a slot and a table number."), "danger")
        return redirect(_back(session, f"#meeting-{meeting.id}"))
    with service_errors():
        try:
            services.move_meeting(current_user, meeting, form.slot.data, form.table.data - 1)
        except ServiceError as error:
            raise ServiceError(_("The meeting was not moved: %(reason)s", reason=error.message)) from None
        flash(_("The meeting was moved; re-running keeps it there."), "success")
    return redirect(_back(session, f"#meeting-{meeting.id}"))


@bp.route(MANAGE + "/<int:session_id>/meetings/<int:meeting_id>/remove", methods=["POST"])
@roles_required("organiser")
def remove_meeting(event_id: int, session_id: int, meeting_id: int):
    """Remove a meeting; a published one is cancelled and both sides are told."""
    session = _managed_session(event_id, session_id)
    meeting = _session_meeting(session, meeting_id)
    with service_errors():
        services.remove_meeting(current_user, meeting)
        flash(_("The meeting was removed."), "success")
    return redirect(_back(session, "#meetings"))
