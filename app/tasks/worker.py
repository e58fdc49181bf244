"""The worker process: `celery -A app.tasks.worker worker` (README, "Background jobs").

    .venv/bin/celery -A app.tasks.worker worker --queues heavy,mail,default --concurrency 2 --loglevel INFO

It builds the whole app (`create_app()`, with the same environment as the web server: the
database, OCOPFAIR_CONFIG, CELERY_BROKER_URL or the embedded folder) and runs what the pages
and the clock put on the queue: `ocopfair.run` (a job a person started) and `ocopfair.call`
(a clock step). It never runs the scheduler itself: that is the web process (embedded) or
`flask scheduler run` (production), so the embedded scheduler is switched off here whatever
SCHEDULER_ENABLED says.

Celery's prefork pool forks its child processes after this module is imported; each child
drops the database connections inherited from the parent (`worker_process_init`), as two
processes must never share one. Before the fork (`worker_init`: a worker starting, not
`celery inspect` or `purge`) it sends `signals.worker_starting`, on which
matchmaking loads (or, once after an install, compiles) the forum scheduler's annealing loop,
so that no forum's time limit pays for it.
"""

from __future__ import annotations

from celery.signals import worker_init, worker_process_init

from app import create_app
from app.extensions import db
from app.signals import worker_starting
from app.tasks.queue import celery_app

flask_app = create_app(SCHEDULER_ENABLED=False)
celery = celery_app(flask_app)


@worker_init.connect
def _before_the_pool_forks(**_kwargs) -> None:
    worker_starting.send(flask_app)  # what each job process needs once (signals.py)


@worker_process_init.connect
def _fresh_connections_after_fork(**_kwargs) -> None:
    with flask_app.app_context():
        db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
