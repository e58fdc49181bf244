"""Organisers import producers and products from the spreadsheets provinces keep.

Upload → preview (row-by-row report, nothing written) → confirm (a background job, one
transaction, whose progress the preview shows).
"""

from __future__ import annotations

import io

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts.permissions import roles_required
from app.catalog.imports import services as imports
from app.catalog.imports.forms import ImportUploadForm
from app.catalog.models import ImportBatch
from app.tasks import services as tasks
from app.transaction import service_errors

bp = Blueprint("imports", __name__, url_prefix="/import")

# Long files: the page lists this many errors and rows; the counts cover all of them.
SHOWN_ROWS = 500
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _batch_or_404(token: str) -> ImportBatch:
    batch = imports.batch_by_token(token)
    if batch is None:
        abort(404)
    return batch


def _recent_batches() -> list[dict]:
    batches = imports.recent_batches()
    names = imports.uploader_names(batches)
    return [
        {
            "batch": batch,
            "when": format_datetime(batch.created_at, "short"),
            "by": names.get(batch.uploaded_by_id, ""),
        }
        for batch in batches
    ]


@bp.route("/", methods=["GET", "POST"])
@roles_required("organiser")
def upload():
    """Organisers: upload a CSV or XLSX of producers and products to check it."""
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            form.file.errors = [*form.file.errors, _("Choose a CSV or XLSX file to upload.")]
        else:
            max_bytes = current_app.config["MAX_IMPORT_BYTES"]
            content = upload.read(max_bytes + 1)
            report = imports.parse(upload.filename, content, max_bytes=max_bytes)
            if report.file_errors:
                form.file.errors = [*form.file.errors, *report.file_errors]
            else:
                batch = imports.create_batch(current_user, upload.filename, content, report)
                return redirect(url_for("imports.preview", token=batch.token))
    return render_template("imports/upload.html", form=form, recent=_recent_batches())


@bp.route("/template.csv")
@roles_required("organiser")
def template_csv():
    """Organisers: the CSV template with the Vietnamese headers and two example rows."""
    return send_file(
        io.BytesIO(imports.template_csv()),
        mimetype="text/csv",
        as_attachment=True,
        download_name="mau-nhap-san-pham-ocop.csv",
    )


@bp.route("/template.xlsx")
@roles_required("organiser")
def template_xlsx():
    """Organisers: the XLSX template, with a 'Hướng dẫn' sheet listing the allowed values."""
    return send_file(
        io.BytesIO(imports.template_xlsx()),
        mimetype=XLSX_MIMETYPE,
        as_attachment=True,
        download_name="mau-nhap-san-pham-ocop.xlsx",
    )


@bp.route("/<token>")
@roles_required("organiser")
def preview(token: str):
    """Organisers: what is wrong in the file, row by row, and what confirming would write;
    once confirmed, the confirmation's progress and then its outcome."""
    batch = _batch_or_404(token)
    report = imports.preview(batch)
    task = imports.latest_confirmation(batch)
    visible = task is not None and tasks.may_see(current_user, task)
    return render_template(
        "imports/preview.html",
        batch=batch,
        report=report,
        shown=SHOWN_ROWS,
        job=(task, tasks.view(task)) if visible else (None, None),
        importing_elsewhere=task is not None and task.active and not visible,
    )


@bp.route("/<token>/confirm", methods=["POST"])
@roles_required("organiser")
def confirm(token: str):
    """Organisers: write every valid row of a checked file, in the background (one transaction).

    The page comes back at once to the preview, which shows the job's progress, then its
    outcome with a link to the directory.
    """
    batch = _batch_or_404(token)
    with service_errors():
        imports.start_confirmation(current_user, batch)
    return redirect(url_for("imports.preview", token=token, _anchor="job"))
