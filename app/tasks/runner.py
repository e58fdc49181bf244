"""Running a job in the worker: one transaction for its work and its outcome.

Each feature declares its jobs in its own `jobs.py` with `@background_job(kind, queue=...)`.
A handler takes the acting user, a `Progress` and the job's parameters, does its work
through the feature's services (which flush, never commit), and returns what to tell the
person: `Outcome(message, level, url)`. Here, the work and the row saying "succeeded" commit
together; a ServiceError (the input changed while the job waited: session deleted, event
cancelled...) or any other error rolls the work back and the row says why.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app.database import utcnow
from app.errors import PermissionDenied, ServiceError
from app.extensions import db
from app.tasks.models import ACTIVE_STATES, Task
from app.tasks.progress import Progress
from app.transaction import rollback, transaction

log = logging.getLogger("ocopfair.tasks")

NOT_YET = "not-yet"  # the row isn't visible yet: the enqueuing transaction hasn't committed


@dataclass(frozen=True)
class Outcome:
    message: str
    level: str = "success"  # success | warning | info
    url: str | None = None


@dataclass(frozen=True)
class JobKind:
    kind: str
    handler: Callable
    queue: str


_KINDS: dict[str, JobKind] = {}


def background_job(kind: str, *, queue: str = "default"):
    """Declare `handler(actor, progress, **params) -> Outcome` as the job `kind`."""

    def register(handler):
        _KINDS[kind] = JobKind(kind, handler, queue)
        return handler

    return register


def job_kind(kind: str) -> JobKind:
    if kind not in _KINDS:
        _discover()
    return _KINDS[kind]


def _discover() -> None:
    from app import FEATURES

    for feature in FEATURES:
        name = f"app.{feature}.jobs"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def execute(task_id: int) -> str:
    """Run the job `task_id` once; returns its final state (or NOT_YET)."""
    task = db.session.get(Task, task_id)
    if task is None:
        rollback()
        return NOT_YET
    if task.state not in ACTIVE_STATES:  # a duplicate delivery of a finished job
        log.info("job %s (%s) already %s; skipped", task.id, task.kind, task.state)
        rollback()
        return task.state
    with transaction():
        task.state, task.started_at, task.finished_at = "running", utcnow(), None
        task.attempts += 1
    definition = job_kind(task.kind)
    from app.accounts.models import User

    with force_locale(task.locale), Progress(task.message_id) as progress:
        try:
            with transaction():
                actor = db.session.get(User, task.started_by_id) if task.started_by_id else None
                outcome = definition.handler(actor, progress, **(task.params or {}))
                task = db.session.get(Task, task_id)
                task.state, task.finished_at = "succeeded", utcnow()
                task.result, task.error = asdict(outcome), None
            log.info("job %s (%s) succeeded: %s", task_id, task.kind, outcome.message)
        except (ServiceError, PermissionDenied) as error:
            message = (
                str(error.message)
                if isinstance(error, ServiceError)
                else _("You are no longer allowed to do this, so nothing was changed.")
            )
            _fail(task_id, message)
            log.info("job %s refused: %s", task_id, message)
        except Exception:
            log.exception("job %s failed", task_id)
            _fail(task_id, _("The job stopped on an unexpected error; nothing was changed. Try again."))
    return db.session.get(Task, task_id).state


def _fail(task_id: int, message: str) -> None:
    with transaction():
        task = db.session.get(Task, task_id, populate_existing=True)
        task.state, task.finished_at, task.error, task.result = "failed", utcnow(), message, None


def call(path: str, *args):
    """A clock step run by the worker: "module:function" called with `args`, in the default
    language, inside an app context (the function commits through `transaction()`)."""
    module_name, _sep, function_name = path.partition(":")
    function = getattr(importlib.import_module(module_name), function_name)
    with force_locale(current_app.config.get("NON_REQUEST_LOCALE", "vi")):
        return function(*args)
