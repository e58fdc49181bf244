"""On-site pages: meeting check-in at the tables (phone-friendly).

Thin: parse, authorise, call app.onsite.services. The request boundary commits
(app.transaction); a refused code re-renders the page with status 422, which rolls back.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import ServiceError
from app.events import services as events
from app.events.services import managed_event
from app.onsite import services as checkin

bp = Blueprint("onsite", __name__)


@bp.route("/manage/events/<int:event_id>/checkin", methods=["GET", "POST"], endpoint="checkin")
@roles_required("organiser")
def checkin_page(event_id: int):
    """Organisers (phone-friendly): type or scan a meeting's code to mark it held."""
    event = managed_event(current_user, event_id)
    result = error = error_field = None
    code = request.args.get("code", "")
    if request.method == "POST":
        code = request.form.get("code", "")
        try:
            result = checkin.check_in(current_user, event, code)
        except ServiceError as problem:
            error, error_field = problem.message, problem.field  # the 422 below rolls the request back
        else:
            code = ""
    return render_template(
        "onsite/checkin.html",
        event=event,
        code=checkin.normalise_code(code) if code else "",
        result=result,
        error=error,
        error_field=error_field,
        recent=checkin.recent_checkins(current_user, event),
        to_local=lambda moment: events.to_local(event, moment),
    ), (422 if error else 200)
