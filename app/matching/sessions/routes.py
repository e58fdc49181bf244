"""Organisers' matchmaking pages: sessions, capacity check, running, the result, hand edits, publishing.

Thin: parse, authorise, call one service of app.matching.sessions.services. The request
boundary commits (app.transaction); a ServiceError rolls it back and is shown to the organiser.
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.attributes import set_committed_value

from app.accounts.permissions import roles_required
from app.errors import ServiceError
from app.events.services import managed_event as _managed_event
from app.extensions import db
from app.inputs import int_arg, page_arg, parse_id
from app.matching import jobs
from app.matching.blueprint import bp
from app.matching.engine import scoring
from app.matching.models import MatchingSession, Meeting
from app.matching.sessions import grid, services
from app.matching.sessions.forms import MoveForm, SessionForm
from app.tasks import services as tasks
from app.transaction import service_errors

MANAGE = "/manage/events/<int:event_id>/matching"
STATE_LABELS = {"draft": _l("Draft"), "solved": _l("Solved, not published"), "published": _l("Published")}


def _managed_session(event_id: int, session_id: int) -> MatchingSession:
    event = _managed_event(current_user, event_id)
    session = db.get_or_404(MatchingSession, session_id)
    if session.event_id != event.id:
        abort(404)
    # The event just read, kept: once let go, reading session.event would select it again.
    set_committed_value(session, "event", event)
    return session


def _session_meeting(session: MatchingSession, meeting_id: int) -> Meeting:
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.session_id != session.id:
        abort(404)
    return meeting


def _back(session: MatchingSession, anchor: str = "", filters: grid.GridFilters | None = None) -> str:
    args = filters.args() if filters else {}
    return url_for("matching.session", event_id=session.event_id, session_id=session.id, **args) + anchor


def _grid_filters(args) -> grid.GridFilters:
    """The grid's filters from a query string (the page's, or the one a move form carries back)."""

    def number(name: str, minimum: int = 0):
        return parse_id(args.get(name), minimum=minimum)

    return grid.GridFilters.of(
        day=args.get("day"),
        slot=number("slot"),
        table=number("table", 1),
        person=args.get("person"),
        page=number("page", 1),
        per_page=number("per_page", 1),
    )


def _filters_carried() -> grid.GridFilters:
    """The grid's filters a move form carries in `back` (a query string), to come back to them."""
    back = request.values.get("back", "")
    return _grid_filters({key: values[0] for key, values in parse_qs(back[:2000]).items() if values})


@bp.route(MANAGE, methods=["GET", "POST"])
@roles_required("organiser")
def sessions(event_id: int):
    """The event's organisers: its matchmaking sessions, and a form to create one."""
    event = _managed_event(current_user, event_id)
    form = SessionForm()
    if request.method == "GET":
        form.fill(
            services.default_values(event),
            scoring.DEFAULT_WEIGHTS | {"history": scoring.DEFAULT_HISTORY_WEIGHT},
        )
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
    form = SessionForm() if request.method == "POST" else None  # a GET loads it from session_settings
    if form is not None and form.validate_on_submit():
        with service_errors(form):
            services.update_session(current_user, session, **form.values())
            flash(_("Saved."), "success")
            return redirect(_back(session))
    filters = _grid_filters(request.args)
    view = grid.overview(session, count_people=False)  # the participants' page counts them
    meetings = grid.meetings_page(session, filters, view.slots, active_meetings=view.figures["meetings"])
    return render_template(
        "matching/session/show.html",
        event=session.event,
        session=session,
        form=form,
        view=view,
        filters=filters,
        meetings=meetings,
        page_grid=grid.page_grid(meetings, session.tables),
        days=sorted({slot.start.date() for slot in view.slots}),
        back=urlencode(filters.args()),
        max_per_page=grid.MAX_MEETINGS_PER_PAGE,
        session_state_labels=STATE_LABELS,
        slot_text=services.slot_label,
        why_lines=grid.why_lines,
        job=_job_view(session),
    )


@bp.route(MANAGE + "/<int:session_id>/settings")
@roles_required("organiser")
def session_settings(event_id: int, session_id: int):
    """The event's organisers: the session's settings form (its own page, which the session page
    loads into its card); it posts to the session page."""
    session = _managed_session(event_id, session_id)
    form = SessionForm()
    form.fill(
        {k: getattr(session, k) for k in services.SESSION_FIELDS} | {"kind": session.kind},
        services.weights_of(session) | {"history": services.history_weight_of(session)},
    )
    return render_template("matching/session/settings.html", event=session.event, session=session, form=form)


@bp.route(MANAGE + "/<int:session_id>/people")
@roles_required("organiser")
def session_people(event_id: int, session_id: int):
    """The event's organisers: the session's participants with their figures, a page at a time,
    matching `person` (its own page, which the session page loads into its card)."""
    session = _managed_session(event_id, session_id)
    person = " ".join(request.args.get("person", "").split())[:100]
    view = grid.overview(session)
    return render_template(
        "matching/session/people.html",
        event=session.event,
        session=session,
        person=person,
        people=grid.people_page(session, view, person, page_arg("page")),
        people_count=view.figures["people"],
    )


@bp.route(MANAGE + "/<int:session_id>/capacity")
@roles_required("organiser")
def capacity(event_id: int, session_id: int):
    """The event's organisers: can the configuration hold the demand (scores every candidate pair,
    so it has its own page, which the session page loads into its card)."""
    session = _managed_session(event_id, session_id)
    return render_template(
        "matching/session/capacity.html",
        event=session.event,
        session=session,
        capacity=services.capacity_check(session),
    )


def _job_view(session: MatchingSession):
    """The session's running job, or its last one (to show how it ended)."""
    task = tasks.latest_task(jobs.session_lock_key(session.id))
    return (task, tasks.view(task)) if task is not None else (None, None)


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


@bp.route(MANAGE + "/<int:session_id>/meetings/<int:meeting_id>/move", methods=["GET", "POST"])
@roles_required("organiser")
def move_meeting(event_id: int, session_id: int, meeting_id: int):
    """The event's organisers: where this one meeting can go (GET: the slots both sides can take
    and the free tables in one; the session page opens it in a dialog), and moving it (POST),
    refused with the reason when it double-books or leaves availability."""
    session = _managed_session(event_id, session_id)
    meeting = _session_meeting(session, meeting_id)
    back = _filters_carried()
    form = MoveForm()
    if request.method == "GET":
        choices = grid.move_choices(session, meeting, int_arg("slot"))
        return render_template(
            "matching/session/move.html",
            event=session.event,
            session=session,
            meeting=meeting,
            choices=choices,
            table_labels=services.table_labels(session),
            slot_text=services.slot_label,
            back=urlencode(back.args()),
            form=form,
        )
    form.slot.choices = [(s.index, services.slot_label(s)) for s in services.slots_of(session)]
    if not form.validate_on_submit():
        flash(_("Choose a slot and a table number."), "danger")
        return redirect(_back(session, f"#meeting-{meeting.id}", back))
    with service_errors():
        try:
            services.move_meeting(current_user, meeting, form.slot.data, form.table.data - 1)
        except ServiceError as error:
            raise ServiceError(_("The meeting was not moved: %(reason)s", reason=error.message)) from None
        flash(_("The meeting was moved; re-running keeps it there."), "success")
    return redirect(_back(session, f"#meeting-{meeting.id}", back))


@bp.route(MANAGE + "/<int:session_id>/meetings/<int:meeting_id>/remove", methods=["POST"])
@roles_required("organiser")
def remove_meeting(event_id: int, session_id: int, meeting_id: int):
    """Remove a meeting; a published one is cancelled and both sides are told."""
    session = _managed_session(event_id, session_id)
    meeting = _session_meeting(session, meeting_id)
    with service_errors():
        services.remove_meeting(current_user, meeting)
        flash(_("The meeting was removed."), "success")
    return redirect(_back(session, "#meetings", _filters_carried()))
