"""Time-driven steps: registration opens and closes by itself, reminders go out once, and a
step missed while no scheduler ran runs once when one comes back.

The first tests call the step functions with a given `now`; the later ones run a real
APScheduler BackgroundScheduler on the test database with steps a second or two away.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from datetime import datetime, timedelta

import click
import pytest
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from sqlalchemy import select

from app import clock, create_app
from app.events import jobs
from app.events import services as events
from app.events.models import Event, Registration
from app.extensions import db as _db
from app.notifications.models import OutboxMessage
from app.scheduler import (
    _serves_requests,
    build_scheduler,
    job_scheduler,
    running_scheduler,
    stop_scheduler,
)
from app.tasks.queue import ENQUEUE_CALL, enqueue_call

_counter = itertools.count(1)


def make_event(organiser, *, now: datetime, opens_in: timedelta, closes_in: timedelta, **overrides) -> Event:
    n = next(_counter)
    starts = now + timedelta(days=10)
    fields = {
        "slug": f"tuan-hang-viet-{n}",
        "kind": "physical_fair",
        "name_vi": f"Tuần hàng Việt Hạ Long {n}",
        "name_en": f"Ha Long Vietnamese goods week {n}",
        "starts_at": starts,
        "ends_at": starts + timedelta(days=2),
        "venue_name": "Quảng trường 30/10",
        "venue_address": "Hạ Long, Quảng Ninh",
        "exhibitor_capacity": 5,
        "buyer_capacity": 5,
        "exhibitor_registration_opens_at": now + opens_in,
        "exhibitor_registration_closes_at": now + closes_in,
        "buyer_registration_opens_at": now + opens_in + timedelta(milliseconds=200),
        "buyer_registration_closes_at": now + closes_in - timedelta(milliseconds=200),
    } | overrides
    event = events.create_event(organiser, **fields)
    _db.session.commit()
    return event


def state_of(event_id: int) -> str | None:
    _db.session.rollback()  # a fresh snapshot, and no lock held while the scheduler writes
    return _db.session.scalar(select(Event.state).where(Event.id == event_id))


def wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# ---------------------------------------------------------------- the steps, without a clock


def test_each_step_calls_the_state_machine_at_its_time_and_only_then(db, organiser):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=timedelta(days=1), closes_in=timedelta(days=5))
    opens = event.exhibitor_registration_opens_at

    assert jobs.run_step(event.id, "open", now=opens - timedelta(minutes=1)).startswith("refused")
    assert state_of(event.id) == "draft"

    assert jobs.run_step(event.id, "open", now=opens) == "registration opened"
    assert state_of(event.id) == "registration_open"
    assert jobs.run_step(event.id, "open", now=opens).startswith("skipped")  # a second run: no-op

    assert (
        jobs.run_step(event.id, "close", now=event.exhibitor_registration_closes_at) == "registration closed"
    )
    assert state_of(event.id) == "registration_closed"

    # Not yet "scheduled" by the organiser: the start job leaves the event alone.
    assert jobs.run_step(event.id, "start", now=event.starts_at) == "skipped (registration_closed)"
    assert state_of(event.id) == "registration_closed"

    events.schedule_event(organiser, _db.session.get(Event, event.id), now=event.starts_at)
    _db.session.commit()
    assert jobs.run_step(event.id, "finish", now=event.ends_at) == "skipped (scheduled)"
    assert jobs.run_step(event.id, "start", now=event.starts_at) == "event running"
    assert jobs.run_step(event.id, "finish", now=event.ends_at - timedelta(hours=1)).startswith("refused")
    assert jobs.run_step(event.id, "finish", now=event.ends_at) == "event finished"
    assert state_of(event.id) == "finished"


def test_a_step_for_an_event_that_no_longer_exists_does_nothing(db):
    assert jobs.run_step(987654, "open") == "event gone"


def test_a_job_does_not_reopen_registration_the_organiser_closed_early(db, organiser):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=-timedelta(hours=1), closes_in=timedelta(days=2))
    events.open_registration(organiser, event, now=now)
    events.close_registration(organiser, event, now=now)
    _db.session.commit()

    assert jobs.run_step(event.id, "open", now=now).startswith("skipped")
    assert state_of(event.id) == "registration_closed"


def test_the_reminder_goes_once_to_each_user_of_each_approved_registration_in_their_language(
    db, organiser, make_producer, make_buyer, make_user
):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=-timedelta(days=1), closes_in=timedelta(days=2))
    approved, pending = make_producer(), make_producer()
    buyer = make_buyer()
    vi_user = make_user(role="exhibitor", organisation=approved, locale="vi")
    en_user = make_user(role="exhibitor", organisation=approved, locale="en")
    inactive = make_user(role="exhibitor", organisation=approved)
    inactive.is_active_account = False
    make_user(role="exhibitor", organisation=pending)
    buyer_user = make_user(role="buyer", organisation=buyer, locale="fr")
    _db.session.add_all(
        [
            Registration(event_id=event.id, organisation_id=approved.id, role="exhibitor", status="approved"),
            Registration(event_id=event.id, organisation_id=pending.id, role="exhibitor", status="pending"),
            Registration(event_id=event.id, organisation_id=buyer.id, role="buyer", status="approved"),
        ]
    )
    event.state = "registration_closed"
    _db.session.commit()
    reminder_time = event.starts_at - jobs.REMINDER_LEAD

    assert jobs.run_step(event.id, "remind", now=reminder_time) == "3 reminder(s) queued"
    assert jobs.run_step(event.id, "remind", now=reminder_time) == "0 reminder(s) queued"

    mails = {m.to_address: m for m in _db.session.scalars(select(OutboxMessage))}
    assert set(mails) == {vi_user.email, en_user.email, buyer_user.email}
    assert all(m.kind == "event_reminder" and m.status == "queued" for m in mails.values())
    assert event.name_vi in mails[vi_user.email].subject
    assert mails[en_user.email].subject.startswith(f"Reminder: {event.name_en}")
    assert "Quảng trường 30/10" in mails[en_user.email].body
    local_start = events.to_local(event, event.starts_at).strftime("%H:%M")
    assert f"at {local_start}, Vietnam time (UTC+7), at " in mails[en_user.email].body
    assert all("Asia/Ho_Chi_Minh" not in m.body for m in mails.values())


def test_no_reminder_once_the_event_has_started(db, organiser):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=-timedelta(days=1), closes_in=timedelta(days=2))
    event.state = "scheduled"
    _db.session.commit()
    assert jobs.run_step(event.id, "remind", now=event.starts_at).startswith("refused")


# ---------------------------------------------------------------- scheduling an event's jobs


def stored_jobs(app) -> dict[str, datetime]:
    return {job.id: job.next_run_time for job in job_scheduler(app).get_jobs()}


def test_an_event_gets_one_job_per_step_under_stable_ids_and_rescheduling_moves_them(app, db, organiser):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=timedelta(hours=1), closes_in=timedelta(days=2))

    jobs.schedule_event_jobs(event)
    jobs.schedule_event_jobs(event)  # idempotent

    prefix = f"event-{event.id}-"
    scheduled = {k: v for k, v in stored_jobs(app).items() if k.startswith(prefix)}
    assert set(scheduled) == {prefix + step for step in ("open", "close", "remind", "start", "finish")}
    assert scheduled[prefix + "open"] == event.exhibitor_registration_opens_at
    assert scheduled[prefix + "close"] == event.exhibitor_registration_closes_at
    assert scheduled[prefix + "remind"] == event.starts_at - timedelta(days=1)

    events.update_event(organiser, event, starts_at=event.starts_at + timedelta(days=1))
    _db.session.commit()
    jobs.schedule_event_jobs(event)
    assert stored_jobs(app)[prefix + "start"] == event.starts_at

    events.cancel_event(organiser, event)
    _db.session.commit()
    jobs.schedule_event_jobs(event)
    assert not [k for k in stored_jobs(app) if k.startswith(prefix)]


def test_a_step_whose_time_has_passed_runs_at_once_only_if_it_still_has_work_to_do(app, db, organiser):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=-timedelta(hours=1), closes_in=timedelta(days=2))

    planned = jobs.schedule_event_jobs(event, now=now)
    assert planned["open"] == now  # a draft whose window has opened: open it now

    events.open_registration(organiser, event, now=now)
    _db.session.commit()
    planned = jobs.schedule_event_jobs(event, now=now)
    assert "open" not in planned  # already open: nothing left for the open job
    assert f"event-{event.id}-open" not in stored_jobs(app)


# ---------------------------------------------------------------- a real scheduler


@pytest.fixture()
def schedulers(app, db):
    """Builds real BackgroundSchedulers on the test database; all shut down after the test."""
    built = []

    def build():
        scheduler = build_scheduler(app)
        built.append(scheduler)
        return scheduler

    yield build
    for scheduler in built:
        if scheduler.running:
            scheduler.shutdown(wait=True)


def record_runs(scheduler, job_id: str) -> list:
    runs = []
    scheduler.add_listener(
        lambda e: runs.append(e) if e.job_id == job_id else None,
        EVENT_JOB_EXECUTED | EVENT_JOB_ERROR | EVENT_JOB_MISSED,
    )
    return runs


# libfaketime (`faketime ... make test`) breaks Python 3.11's timed waits: Event.wait with a
# timeout never returns and time.sleep fails with EINVAL, so a real scheduler thread never
# wakes. These two tests need real waits; the hour itself is covered by TEST_NOW (.ci/run).
real_thread_waits = pytest.mark.skipif(
    "libfaketime" in os.environ.get("LD_PRELOAD", ""),
    reason="libfaketime breaks Python's timed waits; CI runs the suite at 16:30/23:30 UTC with TEST_NOW",
)


def step_message(event_id: int, step: str) -> tuple[str, str, list]:
    """What the clock puts on the queue for an event's step: the worker calls run_step."""
    return ("default", "ocopfair.call", [jobs.RUN_STEP, event_id, step])


@real_thread_waits
def test_registration_opens_and_then_closes_by_itself(db, organiser, schedulers, worker):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=timedelta(seconds=0.8), closes_in=timedelta(seconds=1.8))
    scheduler = schedulers()
    scheduler.start()
    jobs.schedule_event_jobs(event, scheduler=scheduler)

    assert state_of(event.id) == "draft"
    # At its time the clock only enqueues the step; the worker opens registration.
    assert wait_for(lambda: worker.pending() == [step_message(event.id, "open")], timeout=5)
    assert clock.now() >= event.exhibitor_registration_opens_at
    assert state_of(event.id) == "draft"
    assert worker.drain() == ["registration opened"]
    assert state_of(event.id) == "registration_open"

    assert wait_for(lambda: worker.pending() == [step_message(event.id, "close")], timeout=5)
    assert clock.now() >= event.exhibitor_registration_closes_at - timedelta(milliseconds=200)
    assert worker.drain() == ["registration closed"]
    assert state_of(event.id) == "registration_closed"
    # The date jobs are done and gone from the store; the later steps wait for their dates.
    remaining = {job.id for job in scheduler.get_jobs()}
    assert f"event-{event.id}-open" not in remaining
    assert f"event-{event.id}-close" not in remaining
    assert f"event-{event.id}-start" in remaining


def test_a_step_missed_while_the_scheduler_was_stopped_runs_once_after_a_restart(
    db, organiser, schedulers, worker
):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=timedelta(seconds=0.8), closes_in=timedelta(days=3))
    open_job = f"event-{event.id}-open"
    first = schedulers()
    first.start()
    jobs.schedule_event_jobs(event, scheduler=first)
    first.shutdown(wait=True)  # the app goes down before registration opens

    time.sleep(max(0.0, (event.exhibitor_registration_opens_at - clock.now()).total_seconds()) + 0.3)
    assert worker.pending() == []  # nobody enqueued it
    assert state_of(event.id) == "draft"

    second = schedulers()
    runs = record_runs(second, open_job)
    second.start()  # the app comes back: the step is enqueued once, and the worker runs it
    assert wait_for(lambda: worker.pending() == [step_message(event.id, "open")], timeout=5)
    time.sleep(0.3)
    assert [e.code for e in runs] == [EVENT_JOB_EXECUTED]
    assert second.get_job(open_job) is None
    second.shutdown(wait=True)
    assert worker.drain() == ["registration opened"]
    assert state_of(event.id) == "registration_open"

    third = schedulers()
    runs = record_runs(third, open_job)
    third.start()
    time.sleep(0.5)
    assert runs == []
    assert worker.pending() == []
    assert state_of(event.id) == "registration_open"


def test_a_step_the_queue_could_not_take_is_planned_again_by_the_clock(db, organiser, make_app, worker):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=-timedelta(minutes=5), closes_in=timedelta(days=3))
    unreachable = make_app(CELERY_BROKER_URL="redis://127.0.0.1:1/0")
    writer = job_scheduler(unreachable)

    with unreachable.app_context():  # the clock runs the step's job while the broker is down
        before = clock.now()
        assert enqueue_call(jobs.RUN_STEP, event.id, "open", **jobs.ENQUEUE_STEP) is False
        after = clock.now()

    # Nothing was put anywhere, but the clock plans the sync a minute later...
    assert worker.pending() == []
    retry = writer.get_job(f"retry:{jobs.SYNC_ALL}")
    assert retry is not None and retry.func_ref == jobs.SYNC_ALL
    assert before + timedelta(seconds=60) <= retry.next_run_time <= after + timedelta(seconds=60)
    # ...which plans the due step again, for now; the event is still a draft.
    with unreachable.app_context():
        jobs.sync_all_event_jobs(now=now, scheduler=writer)
    again = writer.get_job(f"event-{event.id}-open")
    assert again.func_ref == ENQUEUE_CALL
    assert again.args == (jobs.RUN_STEP, event.id, "open") and again.next_run_time == now
    assert state_of(event.id) == "draft"


TICKS: list[datetime] = []


def tick():
    """A job that only counts its runs (module-level so the job store can name it)."""
    TICKS.append(clock.now())


def test_a_repeating_job_that_missed_several_runs_runs_once_not_once_per_miss(db, schedulers):
    TICKS.clear()
    now = clock.now()
    first = schedulers()
    first.start()
    first.add_job(
        "tests.events.test_jobs:tick",
        trigger="interval",
        seconds=0.2,
        next_run_time=now + timedelta(seconds=0.3),
        end_date=now + timedelta(seconds=0.95),
        id="tick",
    )
    first.shutdown(wait=True)
    time.sleep(max(0.0, (now + timedelta(seconds=1.1) - clock.now()).total_seconds()))  # 4 runs missed

    second = schedulers()
    second.start()
    assert wait_for(lambda: len(TICKS) >= 1, timeout=5)
    time.sleep(0.3)
    assert len(TICKS) == 1
    assert second.get_job("tick") is None  # past its end date: done


# ---------------------------------------------------------------- one scheduler per database


@pytest.fixture()
def make_app(app, tmp_path):
    """Another app on the same database, as another web worker or host would be."""
    built = []

    def build(**overrides):
        other = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            UPLOAD_FOLDER=str(tmp_path / "uploads"),
            TASKS_FOLDER=str(tmp_path / "tasks"),
            **overrides,
        )
        built.append(other)
        return other

    yield build
    for other in built:
        stop_scheduler(other)
        with other.app_context():
            _db.engine.dispose()


@real_thread_waits
def test_with_several_workers_only_one_runs_the_scheduler_and_another_takes_over_when_it_ends(db, make_app):
    first = make_app(SCHEDULER_ENABLED=True, SCHEDULER_STANDBY_SECONDS=0.1)  # create_app starts it
    second = make_app(SCHEDULER_ENABLED=True, SCHEDULER_STANDBY_SECONDS=0.1)
    third = make_app(SCHEDULER_ENABLED=True, SCHEDULER_STANDBY_SECONDS=0.1)

    assert running_scheduler(first) is not None
    assert running_scheduler(second) is None  # the lock is taken: it doesn't start one
    assert running_scheduler(third) is None
    assert {"outbox-send", "events-sync"} <= {job.id for job in running_scheduler(first).get_jobs()}
    time.sleep(0.3)  # the others keep trying, and keep failing while the first runs
    assert running_scheduler(second) is None and running_scheduler(third) is None

    stop_scheduler(first)  # that worker goes away: one of the others takes over by itself
    assert wait_for(lambda: running_scheduler(second) or running_scheduler(third), timeout=3)
    time.sleep(0.3)
    assert (running_scheduler(second) is None) != (running_scheduler(third) is None)


def test_the_scheduler_stays_off_when_disabled_and_under_other_flask_commands(make_app):
    assert running_scheduler(make_app()) is None  # TestingConfig: SCHEDULER_ENABLED off

    flask_group = click.Context(click.Group("flask"), info_name="flask")
    with click.Context(click.Command("upgrade"), parent=flask_group, info_name="upgrade"):
        assert not _serves_requests()
    scheduler_group = click.Context(click.Group("scheduler"), parent=flask_group, info_name="scheduler")
    with click.Context(click.Command("run"), parent=scheduler_group, info_name="run"):
        assert not _serves_requests()  # `flask scheduler run` runs its own, blocking one
    run = click.Context(click.Command("run"), parent=flask_group, info_name="run")
    run.params = {"reload": False}
    with run:
        assert _serves_requests()  # `flask run`


def test_the_scheduler_command_lists_an_events_jobs(app, db, organiser, runner):
    now = clock.now()
    event = make_event(organiser, now=now, opens_in=timedelta(hours=1), closes_in=timedelta(days=2))
    jobs.schedule_event_jobs(event)

    result = runner.invoke(args=["scheduler", "jobs"])

    assert result.exit_code == 0, result.output
    assert f"event-{event.id}-open" in result.output
    assert f"event-{event.id}-finish" in result.output


def test_jobs_run_inside_an_app_context_in_the_schedulers_threads(db, schedulers):
    NOTES.clear()
    scheduler = schedulers()
    done = threading.Event()
    scheduler.add_listener(lambda e: done.set(), EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    scheduler.start()
    scheduler.add_job("tests.events.test_jobs:note_app", id="note", next_run_time=clock.now())
    assert done.wait(5)
    assert NOTES == ["testing-secret"]


NOTES: list[str] = []


def note_app():
    """A job that notes which app it runs in (module-level so the job store can name it)."""
    from flask import current_app

    NOTES.append(current_app.config["SECRET_KEY"])
