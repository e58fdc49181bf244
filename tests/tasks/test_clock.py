"""The clock (APScheduler) only enqueues; a worker does the work, each kind on its queue."""

from __future__ import annotations

import logging

from app.notifications import services as notifications
from app.notifications.models import OutboxMessage
from app.scheduler import add_standing_jobs, build_scheduler
from app.tasks.queue import ENQUEUE_CALL, enqueue_call


def standing_jobs(app) -> dict:
    scheduler = build_scheduler(app)  # not started: we run its jobs by hand, as it would
    add_standing_jobs(scheduler)
    return {job.id: job for job in scheduler.get_jobs()}


def run_as_the_clock(job):
    return job.func(*job.args, **job.kwargs)


def test_the_outbox_job_puts_the_send_on_the_mail_queue_and_the_worker_sends(app, db, worker):
    message = notifications.queue_mail(
        to_address="htx@example.vn", subject="Chào", body="Xin chào", kind="test"
    )
    db.session.commit()
    job = standing_jobs(app)["outbox-send"]

    assert run_as_the_clock(job) is True
    assert worker.pending() == [("mail", "ocopfair.call", ["app.notifications.services:send_outbox"])]
    db.session.refresh(message)
    assert message.status == "queued"  # the clock sent nothing itself

    [counts] = worker.drain()
    assert counts.sent == 1
    assert db.session.get(OutboxMessage, message.id).status == "sent"


def test_the_ticks_go_on_the_default_queue_and_the_worker_runs_them(app, db, worker):
    jobs = standing_jobs(app)

    run_as_the_clock(jobs["matching-tick"])
    run_as_the_clock(jobs["onsite-no-shows"])

    assert worker.pending() == [
        ("default", "ocopfair.call", ["app.matching.jobs:matching_tick"]),
        ("default", "ocopfair.call", ["app.onsite.jobs:mark_no_shows"]),
    ]
    assert worker.drain() == [{"reminders": 0}, 0]
    assert worker.pending() == []


def test_with_the_queue_unreachable_a_standing_job_logs_and_its_next_run_tries_again(
    app, db, tmp_path, caplog
):
    from app import create_app
    from app.extensions import db as _db

    unreachable = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        UPLOAD_FOLDER=str(tmp_path / "uploads"),
        TASKS_FOLDER=str(tmp_path / "tasks"),
        CELERY_BROKER_URL="redis://127.0.0.1:1/0",
    )
    try:
        with unreachable.app_context(), caplog.at_level(logging.ERROR, logger="ocopfair.tasks"):
            assert enqueue_call("app.notifications.services:send_outbox", queue="mail") is False
        assert "could not enqueue app.notifications.services:send_outbox" in caplog.text
        assert "its next run tries again" in caplog.text
    finally:
        with unreachable.app_context():
            _db.engine.dispose()


def test_the_standing_jobs_keep_their_ids_so_a_stored_job_is_replaced(app, db):
    jobs = standing_jobs(app)
    assert {"outbox-send", "matching-tick", "onsite-no-shows", "events-sync"} <= set(jobs)
    assert all(job.func_ref == ENQUEUE_CALL for key, job in jobs.items() if key != "events-sync")
