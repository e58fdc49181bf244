"""The task queue: Celery, on Redis in production or a folder under instance/ when embedded.

Queues keep heavy work from holding up mail: `heavy` (matching, imports, booth allocation,
the demo), `mail` (the outbox) and `default` (the clock's other steps). Messages are
acknowledged only after the job ends (`task_acks_late`), so a worker killed in the middle
leaves the message to be taken again on Redis; the job's work is one transaction, so
nothing of the killed run was kept.

Why a folder and not a server when embedded: `make run` must work on a machine with only
Python. Kombu's filesystem transport needs nothing installed, survives a restart of either
process, and is enough for one worker beside one web server. No Celery result backend is
used at all: a job's state and outcome are a row of our own database (models.Task), which
the organisers' pages list and filter by event, and its live progress is in progress.py.

The Celery app is made on first use (commands that never enqueue don't import Celery).
"""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask, current_app

log = logging.getLogger("ocopfair.tasks")

EXTENSION_KEY = "ocopfair.celery"
QUEUES = ("heavy", "mail", "default")
RUN_TASK = "ocopfair.run"  # runs one models.Task by id (runner.execute)
CALL_TASK = "ocopfair.call"  # runs a clock step, "module:function" (runner.call)


def broker_url(app: Flask) -> str:
    return app.config.get("CELERY_BROKER_URL") or "filesystem://"


def celery_app(app: Flask | None = None):
    """The app's Celery instance, made once per Flask app."""
    app = app or current_app._get_current_object()
    celery = app.extensions.get(EXTENSION_KEY)
    if celery is None:
        celery = _make_celery(app)
        app.extensions[EXTENSION_KEY] = celery
    return celery


def _make_celery(app: Flask):
    from celery import Celery
    from celery import Task as CeleryTask
    from kombu import Exchange, Queue

    class FlaskTask(CeleryTask):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    url = broker_url(app)
    celery = Celery(app.import_name, task_cls=FlaskTask, set_as_current=False)
    conf = {
        "broker_url": url,
        "task_ignore_result": True,
        "result_backend": None,
        "task_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_default_queue": "default",
        # Each queue on an exchange and routing key of its own: with Queue(name) alone all three
        # are bound to the "default" exchange under the key "default", and on Redis (where
        # bindings are shared) a message for one queue would be delivered to all three.
        "task_queues": [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
        "broker_connection_retry_on_startup": True,
        "broker_connection_timeout": 3,
        "worker_hijack_root_logger": False,
        "timezone": "UTC",
    }
    if url.startswith("filesystem://"):
        folder = Path(app.config["TASKS_FOLDER"])
        messages, processed = folder / "queue", folder / "processed"
        control = folder / "control"  # the exchanges' bindings (kombu's default: ./control)
        for path in (messages, processed, control):
            path.mkdir(parents=True, exist_ok=True)
        conf["broker_transport_options"] = {
            "data_folder_in": str(messages),
            "data_folder_out": str(messages),
            "processed_folder": str(processed),
            "control_folder": str(control),
            "store_processed": False,
        }
        conf["worker_enable_remote_control"] = False  # no broadcast on this transport
    elif url.startswith(("redis://", "rediss://")):
        # Longer than the longest job (a national matching), so a running job isn't handed
        # to a second worker; a worker that dies leaves its message to come back after it.
        visibility = int(app.config.get("TASKS_VISIBILITY_TIMEOUT", 4 * 3600))
        conf["broker_transport_options"] = {
            "visibility_timeout": visibility,
            # Look for abandoned messages at the pace of the timeout (Kombu's default sweep is
            # every 100 s, which only suits timeouts of an hour or more).
            "unacked_restore_interval": max(1, min(10, visibility // 4)),
            "unacked_restore_throttle": 1 if visibility < 600 else 10,
            "socket_connect_timeout": 3,
        }
    conf.update(app.config.get("CELERY_OPTIONS") or {})
    celery.conf.update(conf)

    from app.tasks import runner

    @celery.task(name=RUN_TASK, bind=True, max_retries=30)
    def run_task(self, task_id: int):
        outcome = runner.execute(task_id)
        if outcome == runner.NOT_YET:  # the page that enqueued it has not committed yet
            raise self.retry(countdown=1)
        return outcome

    @celery.task(name=CALL_TASK)
    def call(path: str, *args):
        return runner.call(path, *args)

    return celery


def publish(
    name: str, args: list, *, queue: str, message_id: str | None = None, expires: float | None = None
) -> None:
    """Put a message on the queue now; raises QueueUnavailable if the broker can't be reached.

    `expires` (seconds): a worker that takes the message later than that drops it.
    """
    from kombu.exceptions import OperationalError

    from app.tasks.errors import QueueUnavailable

    celery = celery_app()
    try:
        _check_reachable()
        celery.send_task(name, args=args, queue=queue, task_id=message_id, retry=False, expires=expires)
    except (OperationalError, OSError) as error:
        current_app.logger.error("the task queue could not be reached: %s", error)
        raise QueueUnavailable() from error


def _check_reachable() -> None:
    """On Redis, one quick PING first: Kombu's client would retry a refused connection for
    seconds while the person waits for the page. Raises OSError-like errors when it is down."""
    url = broker_url(current_app)
    if not url.startswith(("redis://", "rediss://")):
        return
    from redis.exceptions import RedisError

    from app.tasks.progress import store

    backend = store()
    try:
        backend.client.ping()
    except RedisError as error:
        raise OSError(str(error)) from error


# ---------------------------------------------------------------- the clock's jobs

ENQUEUE_CALL = "app.tasks.queue:enqueue_call"  # what the clock's jobs in APScheduler run
RETRY_SECONDS = 60


def enqueue_call(
    path: str,
    *args,
    queue: str = "default",
    expires: float | None = None,
    retry_with: str | None = None,
) -> bool:
    """A clock job (APScheduler, in the clock process): put "call `path`(*args)" on `queue`.

    The clock only enqueues; a worker runs the function (runner.call), which keeps its own
    transaction. Returns whether the message was put on the queue.

    If the broker can't be reached, this is logged and nothing is raised: a standing job
    (the outbox, the ticks) is idempotent and its next run tries again. A one-shot job is
    gone from the job store once it has run, so it names `retry_with`, a "module:function"
    the clock itself runs RETRY_SECONDS later to plan it again (for an event's steps,
    app.events.jobs:sync_all_event_jobs, which re-plans every step that is due and still has
    work to do). Repeated failures keep one such retry job (a stable id), not one per failure.

    `expires`, in seconds, for a standing job: a message a stopped worker didn't take in time
    is dropped when it comes back, as the next run's message does the same work.
    """
    from app.tasks.errors import QueueUnavailable

    try:
        publish(CALL_TASK, [path, *args], queue=queue, expires=expires)
    except QueueUnavailable:
        log.error("could not enqueue %s%r; %s", path, tuple(args), _next_try(retry_with))
        return False
    log.debug("enqueued %s%r on %s", path, tuple(args), queue)
    return True


def _next_try(retry_with: str | None) -> str:
    if retry_with is None:
        return "its next run tries again"
    from datetime import timedelta

    from app.clock import now
    from app.scheduler import job_scheduler

    job_scheduler().add_job(
        retry_with,
        trigger="date",
        run_date=now() + timedelta(seconds=RETRY_SECONDS),
        id=f"retry:{retry_with}",
        name=f"plan again after the queue was unreachable ({retry_with})",
        replace_existing=True,
    )
    return f"{retry_with} plans it again in {RETRY_SECONDS} s"
