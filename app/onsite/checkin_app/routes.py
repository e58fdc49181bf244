"""The check-in app's pages and JSON (added to the onsite blueprint).

/onsite/app/ is the app's single page; its service worker (/onsite/app/sw.js, scope
/onsite/app/) and web manifest make it installable and let it open with no network. The
device downloads one day's data (`.../days/<day>.json`) and posts its check-ins to `.../sync`
with the CSRF token it fetches from `/onsite/app/token` just before (a page kept open for
hours offline would hold an expired one). Thin: parse, authorise, call the services.
"""

from __future__ import annotations

from datetime import date

from flask import abort, g, jsonify, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app.errors import PermissionDenied, ServiceError
from app.events.models import Event
from app.extensions import db
from app.onsite import offline  # also adds the QR decoder's route to the onsite blueprint
from app.onsite.checkin_app import services as app_services
from app.onsite.routes import bp
from app.onsite.staff import routes as _staff_routes  # noqa: F401 - adds the staff pages to the onsite blueprint
from app.onsite.staff import services as staff


def _problem(status: int, message: str):
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    return response


def _staff_event(event_id: int):
    """(event, None) when the signed-in user is this event's check-in staff, else (None, error)."""
    if not current_user.is_authenticated:
        return None, _problem(401, _("Sign in to use the check-in app."))
    event = db.session.get(Event, event_id)
    if event is None:
        return None, _problem(404, _("There is no such event."))
    if not app_services.can_use(current_user, event):
        return None, _problem(403, _("Only this event's check-in staff and organisers can do this."))
    return event, None


@bp.route("/onsite/app/", endpoint="checkin_app")
@login_required
def checkin_app():
    """Organisers and admins, and the accounts that are check-in staff of an event: the offline
    check-in app, with the events each may check in at. Anonymous: login; anyone else 403."""
    events = app_services.events_for(current_user)
    if current_user.role not in ("organiser", "admin") and not staff.staff_events(current_user):
        abort(403)
    return render_template("onsite/checkin_app.html", events=events)


@bp.route("/onsite/app/sw.js", endpoint="checkin_app_worker")
def checkin_app_worker():
    """Anyone (a static file): the app's service worker, served under the app's path for its scope."""
    return offline.worker_response("ocopfair-checkin-v1")


@bp.route("/onsite/app/manifest.webmanifest", endpoint="checkin_app_manifest")
def checkin_app_manifest():
    """Anyone (a static file): the web app manifest that makes the app installable."""
    return offline.manifest_response(_("ocopfair check-in"), _("Check-in"), url_for("onsite.checkin_app"))


@bp.route("/onsite/app/token", endpoint="checkin_app_token")
def checkin_app_token():
    """Signed-in users: a fresh CSRF token for the next sync (401 for anonymous)."""
    if not current_user.is_authenticated:
        return _problem(401, _("Sign in to use the check-in app."))
    response = jsonify({"csrf_token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/onsite/app/events/<int:event_id>/days/<day>.json", endpoint="checkin_app_data")
def checkin_app_data(event_id: int, day: str):
    """The event's check-in staff (its organisers, admins): one day's meetings, for offline use.
    Anonymous 401, any other account 403, an unknown event 404, a malformed day 400."""
    event, error = _staff_event(event_id)
    if error is not None:
        return error
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        return _problem(400, _("The day must be written YYYY-MM-DD."))
    try:
        data = app_services.day_data(current_user, event, wanted, g.get("locale") or "vi")
    except PermissionDenied:
        return _problem(403, _("Only this event's check-in staff and organisers can do this."))
    response = jsonify(data)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/onsite/app/events/<int:event_id>/sync", methods=["POST"], endpoint="checkin_app_sync")
def checkin_app_sync(event_id: int):
    """The event's check-in staff (its organisers, admins), with the CSRF token: the device's
    check-ins, each nonce applied once; one answer per entry. Anonymous 401, others 403."""
    event, error = _staff_event(event_id)
    if error is not None:
        return error
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"checkins"}:
        return _problem(400, _('Send a JSON object {"checkins": [...]}.'))
    try:
        answers = app_services.sync(current_user, event, body["checkins"])
    except PermissionDenied:
        return _problem(403, _("Only this event's check-in staff and organisers can do this."))
    except ServiceError as problem:
        return _problem(400, str(problem.message))
    response = jsonify({"results": answers})
    response.headers["Cache-Control"] = "no-store"
    return response
