"""The catalogue's background jobs: the confirmed write of an imported file.

The organiser's click enqueues `imports.confirm` (imports/services.py:start_confirmation);
a worker runs it here, in one transaction, reporting "row n of N" as it writes.
"""

from __future__ import annotations

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from app.catalog.imports import services as imports
from app.catalog.imports.write import ApplyResult
from app.catalog.models import ImportBatch
from app.errors import ServiceError
from app.extensions import db
from app.tasks.errors import job_gone
from app.tasks.runner import Outcome, background_job
from app.urls import site_path

SHOWN_SKIPPED = 50


def import_outcome(result: ApplyResult) -> Outcome:
    """What a confirmed import tells the organiser: the counts, and the skipped rows if any."""
    message = gettext(
        "%(created)s products created, %(updated)s updated, %(unchanged)s unchanged.",
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    if result.skipped:
        rows = ", ".join(str(number) for number in result.skipped_rows[:SHOWN_SKIPPED])
        rows += "…" if result.skipped > SHOWN_SKIPPED else ""
        message += " " + gettext("Rows with errors were skipped: %(rows)s.", rows=rows)
    return Outcome(
        message,
        level="warning" if result.skipped else "success",
        url=site_path("catalog.organisations"),
    )


@background_job("imports.confirm", queue="heavy")
def confirm_import_job(actor, progress, *, batch_id: int) -> Outcome:
    """Write every valid row of the batch; a batch deleted or confirmed meanwhile writes nothing."""
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None:
        raise job_gone(_l("The uploaded file was deleted while the job waited."))
    if actor is None or not actor.is_active:
        raise ServiceError(_l("The account that started this job is no longer active; nothing was changed."))
    return import_outcome(imports.apply(batch, actor))
