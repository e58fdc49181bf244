"""Organisers' matchmaking pages: sessions, capacity check, running, the result, hand edits, publishing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.accounts.permissions import roles_required
from app.errors import PermissionDenied, ServiceError, attach_to_form
from app.events.services import managed_event as _managed_event
from app.extensions import db
from app.matching import scoring, services
from app.matching.models import MatchingSession, Meeting
from app.matching.routes import bp

MANAGE = "/manage/events/<int:event_id>/matching"
STATE_LABELS = {"draft": _l("Draft"), "solved": _l("Solved, not published"), "published": _l("Published")}
TERM_LABELS = {
    "category": _l("Category fit"),
    "capacity": _l("Supply capacity"),
    "standards": _l("Standards"),
    "stars": _l("OCOP stars"),
    "province": _l("Province"),
    "mutual": _l("Mutual interest"),
    "price": _l("Price"),
}


@bp.errorhandler(PermissionDenied)
def _forbidden(_error):
    abort(403)


class SessionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    first_day = DateField(_l("First day"), validators=[InputRequired()])
    last_day = DateField(_l("Last day"), validators=[InputRequired()])
    day_start = TimeField(_l("Meetings start at"), validators=[InputRequired()])
    day_end = TimeField(_l("Meetings end by"), validators=[InputRequired()])
    meeting_minutes = IntegerField(_l("Meeting length (minutes)"), validators=[InputRequired()])
    gap_minutes = IntegerField(_l("Gap between meetings (minutes)"), validators=[InputRequired()])
    breaks = TextAreaField(
        _l("Breaks"),
        validators=[Optional()],
        description=_l("One a line, e.g. 12:00-13:30 for lunch."),
        render_kw={"rows": 2},
    )
    tables = IntegerField(_l("Tables"), validators=[InputRequired()])
    table_names = TextAreaField(
        _l("Table names"),
        validators=[Optional()],
        description=_l("One a line, e.g. Hall B · table 12; tables without a name are numbered."),
        render_kw={"rows": 3},
    )
    max_meetings_per_buyer = IntegerField(_l("Most meetings per buyer"), validators=[InputRequired()])
    max_meetings_per_producer = IntegerField(_l("Most meetings per producer"), validators=[InputRequired()])
    weight_category = DecimalField(
        TERM_LABELS["category"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_capacity = DecimalField(
        TERM_LABELS["capacity"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_standards = DecimalField(
        TERM_LABELS["standards"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_stars = DecimalField(TERM_LABELS["stars"], places=2, validators=[Optional(), NumberRange(0, 1)])
    weight_province = DecimalField(
        TERM_LABELS["province"], places=2, validators=[Optional(), NumberRange(0, 1)]
    )
    weight_mutual = DecimalField(TERM_LABELS["mutual"], places=2, validators=[Optional(), NumberRange(0, 1)])
    weight_price = DecimalField(TERM_LABELS["price"], places=2, validators=[Optional(), NumberRange(0, 1)])

    WEIGHT_FIELDS = tuple(f"weight_{name}" for name in scoring.TERMS)

    def values(self) -> dict:
        values = {name: getattr(self, name).data for name in services.SESSION_FIELDS}
        values["breaks"] = values["breaks"] or ""
        values["table_names"] = values["table_names"] or ""
        values["weights"] = {
            name: float(getattr(self, f"weight_{name}").data)
            for name in scoring.TERMS
            if getattr(self, f"weight_{name}").data is not None
        }
        return values

    def fill(self, values: dict, weights: dict) -> None:
        for name in services.SESSION_FIELDS:
            getattr(self, name).data = values.get(name)
        for name, weight in weights.items():
            getattr(self, f"weight_{name}").data = weight


class MoveForm(FlaskForm):
    slot = SelectField(_l("Slot"), coerce=int)
    table = IntegerField(_l("Table"), validators=[InputRequired()])


def _managed_session(event_id: int, session_id: int) -> MatchingSession:
    event = _managed_event(event_id)
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
    event = _managed_event(event_id)
    form = SessionForm()
    if request.method == "GET":
        form.fill(services.default_values(event), scoring.DEFAULT_WEIGHTS)
    if form.validate_on_submit():
        try:
            session = services.create_session(current_user, event, **form.values())
        except ServiceError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
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
        try:
            services.update_session(current_user, session, **form.values())
        except ServiceError as error:
            db.session.rollback()
            attach_to_form(form, error)
        else:
            db.session.commit()
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
        explain=scoring.explain,
        loads=_loads,
    )


def _loads(text: str | None) -> dict:
    import json

    return json.loads(text) if text else {}


@bp.route(MANAGE + "/<int:session_id>/run", methods=["POST"])
@roles_required("organiser")
def run(event_id: int, session_id: int):
    """Run the matching: unpublished meetings are replaced, hand-placed ones stay."""
    session = _managed_session(event_id, session_id)
    try:
        result = services.run_matching(current_user, session)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(
            _(
                "Matching done: %(meetings)d meetings in %(seconds)s s.",
                meetings=result.stats["meetings"],
                seconds=result.stats["runtime_s"],
            ),
            "success",
        )
    return redirect(_back(session, "#result"))


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
    try:
        notified = services.publish(current_user, session)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("Published: %(count)d participants were notified.", count=notified), "success")
    return redirect(_back(session))


@bp.route(MANAGE + "/<int:session_id>/repair", methods=["POST"])
@roles_required("organiser")
def repair(event_id: int, session_id: int):
    """After publication: add late participants, drop meetings that can't happen; nothing published moves."""
    session = _managed_session(event_id, session_id)
    try:
        result = services.repair(current_user, session)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(
            _(
                "Repaired: %(added)d meetings added, %(cancelled)d cancelled, "
                "%(notified)d participants notified.",
                added=len(result.added),
                cancelled=len(result.cancelled),
                notified=len(result.notified),
            ),
            "success",
        )
    return redirect(_back(session, "#result"))


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
    try:
        services.move_meeting(current_user, meeting, form.slot.data, form.table.data - 1)
    except ServiceError as error:
        db.session.rollback()
        flash(_("The meeting was not moved: %(reason)s", reason=error.message), "danger")
    else:
        db.session.commit()
        flash(_("The meeting was moved; re-running keeps it there."), "success")
    return redirect(_back(session, f"#meeting-{meeting.id}"))


@bp.route(MANAGE + "/<int:session_id>/meetings/<int:meeting_id>/remove", methods=["POST"])
@roles_required("organiser")
def remove_meeting(event_id: int, session_id: int, meeting_id: int):
    """Remove a meeting; a published one is cancelled and both sides are told."""
    session = _managed_session(event_id, session_id)
    meeting = _session_meeting(session, meeting_id)
    try:
        services.remove_meeting(current_user, meeting)
    except ServiceError as error:
        db.session.rollback()
        flash(str(error.message), "danger")
    else:
        db.session.commit()
        flash(_("The meeting was removed."), "success")
    return redirect(_back(session, "#meetings"))
