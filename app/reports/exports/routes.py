"""The event's exports page, its downloads, and the files of exports run as jobs.

Only the event's own organisers and admins (events.services.managed_event, as the outcomes
page): other organisers get 403, exhibitors and buyers 403, visitors the login page.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.errors import ServiceError
from app.events.services import managed_event
from app.inputs import parse_id
from app.reports.exports import services as exports
from app.reports.tables import csv_chunks, xlsx_bytes
from app.tasks import services as tasks
from app.tasks.errors import AlreadyRunning

bp = Blueprint("reports_exports", __name__)

MANAGE = "/manage/events/<int:event_id>/exports"


@bp.route(MANAGE)
@roles_required("organiser")
def index(event_id: int):
    """The event's organisers: each export with its row count, CSV and XLSX buttons; a search
    for one participant's agenda; the recent export jobs."""
    event = managed_event(current_user, event_id)
    query = " ".join(request.args.get("participant", "").split())[:100]
    found = exports.find_participants(event, query) if query else []
    recent = [(task, tasks.view(task)) for task in exports.recent_export_tasks(event)]
    return render_template(
        "reports/exports/index.html",
        event=event,
        kinds=list(exports.kinds()),
        counts=exports.row_counts(event),
        limit=exports.inline_limit("csv"),
        xlsx_limit=exports.inline_limit("xlsx"),
        query=query,
        found=found,
        recent=recent,
    )


def _unknown(event):
    message = _("There is no such export. Choose one of the exports listed on this page.")
    return render_template("reports/exports/unknown.html", event=event, message=message), 404


@bp.route(MANAGE + "/<name>.<fmt>", methods=["POST"])
@roles_required("organiser")
def download_now(event_id: int, name: str, fmt: str):
    """The event's organisers: the export as a file in the response, or, when it has more rows
    than EXPORT_INLINE_MAX_ROWS, a background job whose page shows its progress and link."""
    event = managed_event(current_user, event_id)
    raw_participant = request.form.get("participant", "").strip()
    participant_id = parse_id(raw_participant) if raw_participant else None
    if raw_participant and participant_id is None:
        flash(_("Give a participant's registration number."), "danger")
        return redirect(url_for("reports_exports.index", event_id=event.id))
    try:
        prepared = exports.prepare_inline(current_user, event, name, fmt, participant_id)
    except exports.UnknownExport:
        return _unknown(event)
    except ServiceError as error:
        flash(str(error.message), "danger")
        return redirect(url_for("reports_exports.index", event_id=event.id))
    if prepared is None:
        return _start_job(event, name, fmt, participant_id)
    kind, participant, _rows = prepared
    table = exports.table_of(event, kind, participant)
    filename = exports.file_name(event, kind, fmt, participant)
    if fmt == "csv":
        response = Response(
            stream_with_context(csv_chunks(table, event.timezone)), mimetype=exports.MIMETYPES["csv"]
        )
    else:
        response = Response(xlsx_bytes([table], event.timezone), mimetype=exports.MIMETYPES["xlsx"])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_job(event, name: str, fmt: str, participant_id: int | None):
    try:
        task = exports.start_export(current_user, event, name, fmt, participant_id)
    except AlreadyRunning as running:
        flash(str(running.message), "info")
        return redirect(url_for("events.job", event_id=event.id, task_id=running.task.id))
    except ServiceError as error:  # the queue is out of reach: nothing was started
        flash(str(error.message), "danger")
        return redirect(url_for("reports_exports.index", event_id=event.id))
    flash(
        _(
            "This export is large, so it is being prepared in the background: "
            "its link appears here when it is ready."
        ),
        "info",
    )
    return redirect(url_for("events.job", event_id=event.id, task_id=task.id))


@bp.route(MANAGE + "/files/<int:task_id>")
@roles_required("organiser")
def download(event_id: int, task_id: int):
    """The event's organisers: the file an export job wrote, for a day after it was written."""
    event = managed_event(current_user, event_id)
    task = exports.export_task(event, task_id)
    if task is None or task.state != "succeeded":
        abort(404)
    path = exports.stored_file(task)
    if not path.is_file():
        message = _("This file was removed a day after it was written. Export it again.")
        return render_template("reports/exports/unknown.html", event=event, message=message), 404
    params = task.params or {}
    kind = exports.EXPORTS.get(params.get("name"))
    fmt = params.get("fmt", "csv")
    suffix = f"-{params['participant_id']}" if params.get("participant_id") else ""
    name = f"{event.slug}-{kind.name if kind else 'export'}{suffix}.{fmt}"
    response = send_file(path, mimetype=exports.MIMETYPES.get(fmt), as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response
