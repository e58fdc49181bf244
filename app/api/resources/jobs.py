"""Jobs: the background work an operation started (a matching run, a publication...), followed
as the pages follow it: its status, its progress, then its outcome and a link to the result.

A job is the task queue's own row (app/tasks: models.Task, its live progress, services.view),
so the page and the API show the same job. An event's jobs are its organisers' (and the
administrators'); a job of no event, its starter's and the administrators'. Others hear 404.
"""

from __future__ import annotations

from collections.abc import Callable

import marshmallow as ma
from flask import url_for
from flask.views import MethodView

from app.api import rest
from app.events import services as events
from app.extensions import db
from app.tasks import services as tasks
from app.tasks.models import Task

blp = rest.Blueprint(
    "api_jobs",
    __name__,
    description="Jobs: the status, progress and outcome of background work an operation started.",
)

# The row's states as the API names them (a job that succeeded is "done").
STATUSES = {"queued": "queued", "running": "running", "succeeded": "done", "failed": "failed"}

# The API resource a kind of job produced, from its task: resources register theirs.
RESULT_LINKS: dict[str, Callable[[Task], str | None]] = {}


class ProgressSchema(ma.Schema):
    phase = ma.fields.String(allow_none=True, metadata={"description": "A code, e.g. scoring"})
    phase_label = ma.fields.String(metadata={"description": "The phase in the reader's language"})
    done = ma.fields.Integer()
    total = ma.fields.Integer(allow_none=True)
    percent = ma.fields.Integer(allow_none=True, metadata={"description": "None while unknown"})


class JobLinksSchema(ma.Schema):
    self_ = ma.fields.String(data_key="self")
    result = ma.fields.String(
        allow_none=True, metadata={"description": "The API resource the job changed, once it ended"}
    )
    page = ma.fields.String(allow_none=True, metadata={"description": "The page showing its outcome"})


class JobSchema(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String(metadata={"description": "e.g. matching.run, matching.publish"})
    label = ma.fields.String()
    status = ma.fields.String(
        metadata={
            "description": "queued, running, done or failed (a job whose worker stopped is failed)",
            "enum": sorted(set(STATUSES.values())),
        }
    )
    status_label = ma.fields.String()
    final = ma.fields.Boolean(metadata={"description": "True once it will not change any more"})
    interrupted = ma.fields.Boolean()
    event_id = ma.fields.Integer(allow_none=True)
    progress = ma.fields.Nested(ProgressSchema)
    message = ma.fields.String(allow_none=True, metadata={"description": "How it ended, or why it failed"})
    level = ma.fields.String(metadata={"description": "success, warning, info or danger"})
    created_at = ma.fields.AwareDateTime()
    started_at = ma.fields.AwareDateTime(allow_none=True)
    finished_at = ma.fields.AwareDateTime(allow_none=True)
    links = ma.fields.Nested(JobLinksSchema)


def job_url(task: Task) -> str:
    return url_for(f"{blp.name}.JobDetail", task_id=task.id, _external=True)


def job_status(task: Task, view: tasks.TaskView | None = None) -> str:
    """queued, running, done or failed: a running job whose worker stopped under it is failed."""
    view = view or tasks.view(task)
    return "failed" if view.interrupted else STATUSES[task.state]


def job_dict(task: Task) -> dict:
    view = tasks.view(task)
    status = job_status(task, view)
    final = status in ("done", "failed")
    link = RESULT_LINKS.get(task.kind)
    return {
        "id": task.id,
        "kind": task.kind,
        "label": view.label,
        "status": status,
        "status_label": view.state_label if not view.interrupted else str(tasks.STATE_LABELS["failed"]),
        "final": final,
        "interrupted": view.interrupted,
        "event_id": task.event_id,
        "progress": {
            "phase": view.phase,
            "phase_label": view.phase_label,
            "done": view.done,
            "total": view.total,
            "percent": view.percent,
        },
        "message": view.message,
        "level": view.level,
        "created_at": task.created_at,
        "started_at": task.started_at,
        "finished_at": task.finished_at,
        "links": {
            "self_": job_url(task),
            "result": link(task) if link is not None and status == "done" else None,
            "page": view.url,
        },
    }


def accepted(task: Task) -> tuple[dict, int, dict]:
    """A job just started: 202 Accepted, its resource in Location."""
    return job_dict(task), 202, {"Location": job_url(task)}


@blp.route("/jobs/<int:task_id>")
class JobDetail(MethodView):
    @blp.etag
    @blp.response(200, JobSchema)
    def get(self, task_id: int):
        """An event's organisers (and administrators) follow the event's jobs; a job of no event,
        its starter and administrators. Poll it until `final`: status, progress, then the outcome."""
        user = rest.require_user()
        task = db.session.get(Task, task_id)
        if task is None or not events.can_follow_task(user, task):
            rest.abort(404)  # another event's job is not told to exist
        if task.event_id is not None:
            rest.require_event_scope(task.event_id)
        return job_dict(task)
