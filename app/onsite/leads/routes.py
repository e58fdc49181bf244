"""Lead capture pages: the exhibitor's phone app, its leads and exports, the participants'
consent, the organisers' counts.

/onsite/leads/<event>/ is the app's single page; its service worker (`.../sw.js`, scope
/onsite/leads/<event>/) and manifest make it installable and let it open with no network. The
phone posts its leads to `.../sync` with a CSRF token fetched from /onsite/app/token just before.
Thin: parse, authorise, call app.onsite.leads.services.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import PermissionDenied, ServiceError
from app.events.models import Event
from app.events.registrations.services import own_registration
from app.events.services import managed_event
from app.extensions import db
from app.inputs import page_arg
from app.onsite import offline
from app.onsite.leads import services as leads
from app.onsite.leads.forms import LeadSharingForm
from app.paging import counted_page

bp = Blueprint("leads", __name__)

BASE = "/onsite/leads/<int:event_id>"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _problem(status: int, message: str):
    response = jsonify({"status": status, "message": message})
    response.status_code = status
    return response


def _exhibitor_event(event_id: int) -> Event:
    """The event when the signed-in user is one of its approved exhibitors; 404 otherwise (an
    exhibitor's leads are its own: nobody else learns they exist)."""
    event = db.session.get(Event, event_id)
    if event is None or not leads.can_capture(current_user, event):
        abort(404)
    return event


def _sort() -> str:
    sort = request.args.get("sort", "time")
    return sort if sort in leads.SORTS else "time"


@bp.route(BASE + "/", endpoint="app")
@roles_required("exhibitor")
def lead_app(event_id: int):
    """Users of an approved exhibitor registration of the event: the offline lead capture app.
    Anonymous: login; other roles 403; anyone else (another event's exhibitor, an admin) 404."""
    event = _exhibitor_event(event_id)
    return render_template("onsite/leads_app.html", event=event)


@bp.route(BASE + "/sw.js", endpoint="worker")
def lead_worker(event_id: int):
    """Anyone (a static file): the app's service worker, served under the app's path for its scope."""
    return offline.worker_response("ocopfair-leads-v1")


@bp.route(BASE + "/manifest.webmanifest", endpoint="manifest")
def lead_manifest(event_id: int):
    """Anyone (a static file): the web app manifest that makes the app installable."""
    return offline.manifest_response(_("ocopfair leads"), _("Leads"), url_for("leads.app", event_id=event_id))


@bp.route(BASE + "/sync", methods=["POST"], endpoint="sync")
def lead_sync(event_id: int):
    """Users of an approved exhibitor registration of the event, with the CSRF token: the phone's
    leads, each nonce stored once; one answer per entry. Anonymous 401, anyone else 404."""
    if not current_user.is_authenticated:
        return _problem(401, _("Sign in to capture leads."))
    event = db.session.get(Event, event_id)
    if event is None or not leads.can_capture(current_user, event):
        return _problem(404, _("You capture no leads at this event."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"leads"}:
        return _problem(400, _('Send a JSON object {"leads": [...]}.'))
    try:
        answers = leads.sync(current_user, event, body["leads"])
    except PermissionDenied:
        return _problem(404, _("You capture no leads at this event."))
    except ServiceError as problem:
        return _problem(400, str(problem.message))
    response = jsonify({"results": answers})
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route(BASE + "/list", endpoint="index")
@roles_required("exhibitor")
def lead_list(event_id: int):
    """Users of an approved exhibitor registration of the event: its leads, a page at a time,
    newest or best rated first. Anonymous: login; other roles 403; anyone else 404."""
    event = _exhibitor_event(event_id)
    sort, page = _sort(), page_arg()
    rows, total = leads.leads_page(current_user, event, sort=sort, page=page)
    return render_template(
        "onsite/leads_list.html",
        event=event,
        rows=rows,
        total=total,
        sort=sort,
        page=counted_page(rows, total, page=page, per_page=leads.PER_PAGE),
    )


@bp.route(BASE + "/leads.<any(csv, xlsx):kind>", endpoint="export")
@roles_required("exhibitor")
def lead_export(event_id: int, kind: str):
    """Users of an approved exhibitor registration of the event: its leads as CSV or XLSX."""
    from app.reports.tables import csv_bytes, xlsx_bytes

    event = _exhibitor_event(event_id)
    table = leads.leads_table(current_user, event, sort=_sort())
    if kind == "csv":
        data, mimetype = csv_bytes(table, event.timezone), "text/csv; charset=utf-8"
    else:
        data, mimetype = xlsx_bytes([table], event.timezone), XLSX
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{event.slug}-leads.{kind}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/onsite/leads/<int:event_id>/sharing", methods=["GET", "POST"], endpoint="sharing")
@roles_required("exhibitor", "buyer")
def lead_sharing(event_id: int):
    """A participant (buyer or exhibitor) of the event, for its own registration: what exhibitors
    who scan its badge may see. Anonymous: login; organisers 403; no registration 404."""
    event = db.get_or_404(Event, event_id)
    role = current_user.role if current_user.role in ("buyer", "exhibitor") else None
    registration = own_registration(current_user, event, role) if role else None
    if registration is None:
        abort(404)
    form = LeadSharingForm(data={"lead_sharing": registration.lead_sharing})
    if form.validate_on_submit():
        leads.set_lead_sharing(current_user, registration, form.lead_sharing.data)
        flash(_("Your choice is saved."), "success")
        return redirect(url_for("leads.sharing", event_id=event.id))
    return render_template("onsite/leads_sharing.html", event=event, registration=registration, form=form)


@bp.route("/manage/events/<int:event_id>/leads", endpoint="counts")
@roles_required("organiser")
def lead_counts(event_id: int):
    """The event's organisers (and admins): how many leads each exhibitor captured, never the leads."""
    event = managed_event(current_user, event_id)
    return render_template(
        "onsite/leads_counts.html", event=event, counts=leads.lead_counts(current_user, event)
    )
