"""Outcome pages: either side of a meeting records what came of it; organisers read them all.

Thin: parse, authorise, call app.matching.outcomes.services. The request boundary commits
(app.transaction); a refused outcome re-renders the form with status 422, which rolls back.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import PermissionDenied, ServiceError
from app.events.services import managed_event
from app.extensions import db
from app.inputs import page_arg
from app.matching.blueprint import bp
from app.matching.models import Meeting
from app.matching.outcomes import services as outcomes
from app.names import table_label

PARTICIPANTS = ("exhibitor", "buyer")


@bp.app_context_processor
def _matching_helpers():
    return {"outcome_labels": outcomes.OUTCOME_LABELS}


@bp.route("/my/meetings/<int:meeting_id>/outcome", methods=["GET", "POST"], endpoint="outcome")
@roles_required(*PARTICIPANTS)
def outcome(meeting_id: int):
    """Either side of a meeting: record what came of it."""
    meeting = db.get_or_404(Meeting, meeting_id)
    if not meeting.published:
        abort(404)
    try:
        side = outcomes.meeting_side(current_user, meeting)
    except PermissionDenied:
        abort(403)
    event = meeting.session.event
    existing = outcomes.outcome_of(meeting, side)
    values = {
        "kind": existing.kind if existing else "",
        "value_vnd": str(existing.value_vnd or "") if existing else "",
        "note": (existing.note or "") if existing else "",
    }
    error = error_field = None
    if request.method == "POST":
        values = {key: request.form.get(key, "") for key in values}
        try:
            try:
                value = outcomes.parse_value(values["value_vnd"])
            except ValueError:
                raise ServiceError(_("Give the value in VND as a whole number."), "value_vnd") from None
            outcomes.record_outcome(current_user, meeting, values["kind"], value, values["note"])
        except ServiceError as problem:
            error, error_field = problem.message, problem.field  # the 422 below rolls the request back
        else:
            flash(_("Thank you: the outcome was recorded."), "success")
            return redirect(url_for("matching.agenda", slug=event.slug))
    counterpart = meeting.producer if side == "buyer" else meeting.buyer
    return render_template(
        "matching/agenda/outcome_form.html",
        event=event,
        meeting=meeting,
        counterpart=counterpart,
        table=table_label(meeting.session, meeting.table),
        values=values,
        error=error,
        error_field=error_field,
        open_for_record=outcomes.can_record(meeting) and meeting.status != "no_show",
    ), (422 if error else 200)


@bp.route("/manage/events/<int:event_id>/outcomes", endpoint="outcomes")
@roles_required("organiser")
def outcomes_page(event_id: int):
    """Organisers: every meeting's outcome as both sides recorded it, with the event's totals.

    Query parameters narrow the meetings (the event dashboard's cells link here with theirs):
    `buyer_type` (a buyer type, or "-" for a forum's meetings between two producers),
    `province` (the producer's current province), `group` (an OCOP group of the producer's
    products), `stars` (the producer's star tier, 1-5), `status` (held, no_show, scheduled),
    `contract=1` (meetings with a contract); `page` (50 meetings a page, in time order; the totals
    count them all). An unknown value: its message, status 400."""
    event = managed_event(current_user, event_id)
    try:
        filters = outcomes.meeting_filters(request.args)
    except ServiceError as problem:
        return render_template(
            "matching/agenda/outcomes.html", event=event, report=None, active_filters=[], error=problem
        ), 400
    report = outcomes.event_outcomes(current_user, event, filters, page=page_arg())
    return render_template(
        "matching/agenda/outcomes.html",
        event=event,
        report=report,
        filters=filters,
        active_filters=outcomes.describe_filters(filters),
        error=None,
    )
