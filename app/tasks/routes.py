"""A job's own page and its progress, for jobs that belong to no event (imports, the demo).

An event's jobs are shown on the event's pages (app/events/routes.py), to its organisers.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from flask_login import current_user, login_required

from app.tasks import services

bp = Blueprint("tasks", __name__)


@bp.route("/jobs/<int:task_id>")
@login_required
def task(task_id: int):
    """The job's starter and administrators: its progress, then its outcome."""
    job = services.own_task(current_user, task_id)
    return render_template("tasks/task.html", task=job, view=services.view(job), event=None)


@bp.route("/jobs/<int:task_id>/progress.json")
@login_required
def progress(task_id: int):
    job = services.own_task(current_user, task_id)
    return _no_store(jsonify(services.view(job).as_json()))


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
