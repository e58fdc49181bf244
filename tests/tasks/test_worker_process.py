"""A real worker process on Redis runs what a page enqueued; an unreachable queue starts nothing.

The worker is `celery -A app.tasks.worker worker`, started as a subprocess on the test
database (the same file SQLite, or TEST_DATABASE_URL's PostgreSQL) and on a Redis database
number of its own, flushed before and after. Skipped when no Redis answers on 127.0.0.1:6379.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import time as clock_time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import create_app
from app.catalog import services as catalog
from app.events.registrations import services as reg
from app.extensions import db as _db
from app.matching.models import Meeting
from app.matching.sessions import services as sessions
from app.tasks.models import Task
from tests.conftest import NOW, PINNED_NOW, IsolatedClient, text_of

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = int(os.environ.get("TEST_REDIS_DB", "13"))  # the tests' own: flushed before and after
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
UNREACHABLE = "redis://127.0.0.1:1/0"
TIMEOUT = 60.0
PASSWORD = "correct horse 42"


def _flush_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).flushdb()


@pytest.fixture(scope="module")
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379: the real worker process needs one")
    _flush_redis()
    yield REDIS_URL
    _flush_redis()


@pytest.fixture()
def make_app(app, tmp_path):
    """Another app on the test database (the `db` fixture empties it), with its own broker."""
    built = []

    def build(broker: str):
        other = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
            UPLOAD_FOLDER=str(tmp_path / "uploads"),
            TASKS_FOLDER=str(tmp_path / "tasks"),
            CELERY_BROKER_URL=broker,
        )
        other.test_client_class = IsolatedClient
        built.append(other)
        return other

    yield build
    for other in built:
        with other.app_context():
            _db.engine.dispose()


@pytest.fixture()
def start_worker(app, db, redis_url, tmp_path):
    """`start_worker(**env)`: `celery -A app.tasks.worker worker` on Redis and the test
    database, in a process group of its own; every one started is stopped after the test."""
    started = []

    def start(**extra_env):
        log = tmp_path / f"worker-{len(started) + 1}.log"
        env = (
            {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
            | {
                "OCOPFAIR_CONFIG": "testing",
                "TEST_DATABASE_URL": app.config[
                    "SQLALCHEMY_DATABASE_URI"
                ],  # testing reads the database from it
                "CELERY_BROKER_URL": redis_url,
                "TASKS_FOLDER": str(tmp_path / "tasks"),
                "UPLOAD_FOLDER": str(tmp_path / "uploads"),
                "PINNED_NOW": PINNED_NOW,
            }
            | extra_env
        )
        command = [sys.executable, "-m", "tests.tasks.pinned_worker", "-A", "app.tasks.worker", "worker"]
        command += ["--queues", "heavy,mail,default", "--concurrency", "1", "--loglevel", "INFO"]
        with open(log, "wb") as out:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )
        process.log = log
        started.append(process)
        deadline = time.monotonic() + TIMEOUT  # consuming (its queues bound) before a page enqueues
        while b" ready." not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"the worker did not start:\n{log.read_text()[-4000:]}")
            time.sleep(0.1)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()  # warm shutdown
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=30)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # nothing of its pool may outlive it
        process.wait()


@pytest.fixture()
def worker_process(start_worker):
    return start_worker()


@pytest.fixture()
def small_fair(db, organiser, make_producer, make_buyer, make_user, make_product, make_open_event):
    """An open event with two approved buyers and two approved producers, and a session."""
    event = make_open_event(organiser)
    for _ in range(2):
        organisation = make_producer()
        user = make_user(role="exhibitor", organisation=organisation)
        product = make_product(organisation, category="tea", ocop_group="beverages", capacity_per_month=500)
        reg.approve(organiser, reg.apply_as_exhibitor(user, event, [product.id], now=NOW), now=NOW)
    for _ in range(2):
        organisation = make_buyer()
        user = make_user(role="buyer", organisation=organisation)
        demand = catalog.save_demand_line(
            user, organisation, category="tea", monthly_volume=200, unit="kg", min_stars=3
        )
        reg.approve(organiser, reg.register_as_buyer(user, event, [demand.id], now=NOW), now=NOW)
    session = sessions.create_session(
        organiser, event, day_start=clock_time(8, 30), day_end=clock_time(10, 0), tables=4
    )
    _db.session.commit()
    return event, session


def _session_url(event, session) -> str:
    return f"/manage/events/{event.id}/matching/{session.id}"


def _as_organiser(web_app, organiser):
    client = web_app.test_client()
    response = client.post("/login", data={"email": organiser.email, "password": PASSWORD})
    assert response.status_code == 302
    client.get("/?lang=en")
    return client


def _count(model) -> int:
    _db.session.rollback()  # a fresh snapshot of what the other processes committed
    return _db.session.scalar(select(func.count()).select_from(model))


def test_a_real_worker_runs_the_matching_a_page_enqueued(
    organiser, small_fair, make_app, worker_process, redis_url, html
):
    event, session = small_fair
    client = _as_organiser(make_app(redis_url), organiser)
    url = _session_url(event, session)

    queued = html(client.post(url + "/run", follow_redirects=True))
    assert queued.select_one("#job")["data-state"] in ("queued", "running", "succeeded")

    deadline = time.monotonic() + TIMEOUT
    while True:
        _db.session.rollback()
        task = _db.session.scalar(select(Task).where(Task.event_id == event.id))
        if task is not None and task.state in ("succeeded", "failed"):
            break
        if time.monotonic() > deadline or worker_process.poll() is not None:
            pytest.fail(
                f"the job did not end within {TIMEOUT:.0f} s:\n{worker_process.log.read_text()[-4000:]}"
            )
        time.sleep(0.5)

    assert (task.kind, task.queue, task.state) == ("matching.run", "heavy", "succeeded"), task.error
    page = html(client.get(url))
    assert page.select_one("#job")["data-state"] == "succeeded"
    assert text_of(page.select_one("#job [data-field=message]")).startswith("Matching done: 4 meetings")
    assert text_of(page.select_one("#result [data-figure=meetings]")) == "4"
    assert _count(Meeting) == 4


def test_with_the_queue_unreachable_the_button_says_so_and_starts_nothing(
    organiser, small_fair, make_app, html
):
    event, session = small_fair
    client = _as_organiser(make_app(UNREACHABLE), organiser)

    page = html(client.post(_session_url(event, session) + "/run", follow_redirects=True))

    assert "The job queue can't be reached right now, so nothing was started. Try again in a minute." in [
        text_of(alert) for alert in page.select(".alert")
    ]
    assert _count(Task) == 0
    assert _count(Meeting) == 0


def _task_when(predicate, process, timeout: float = TIMEOUT, every: float = 0.5) -> Task:
    deadline = time.monotonic() + timeout
    while True:
        _db.session.rollback()
        task = _db.session.scalar(select(Task).order_by(Task.id.desc()).limit(1))
        if task is not None and predicate(task):
            return task
        if time.monotonic() > deadline or process.poll() is not None:
            pytest.fail(
                f"the job did not get there within {timeout:.0f} s:\n{process.log.read_text()[-4000:]}"
            )
        time.sleep(every)


def test_a_worker_killed_mid_job_keeps_nothing_and_the_job_runs_again_on_another(
    make_user, make_app, start_worker, redis_url, html
):
    """Late acknowledgement: the message of a job whose worker was killed goes back on the queue
    (after the visibility timeout, 4 s here), the next worker runs the job again from the
    start, and nothing of the killed run was kept (its work was one uncommitted transaction)."""
    from app.accounts.models import User
    from app.demo.services import DEMO_LOGINS

    def demo_logins() -> int:
        _db.session.rollback()
        emails = [login.email for login in DEMO_LOGINS]
        return _db.session.scalar(select(func.count()).select_from(User).where(User.email.in_(emails)))

    admin = make_user(role="admin")
    _db.session.commit()
    client = _as_organiser(make_app(redis_url), admin)
    first = start_worker(TASKS_VISIBILITY_TIMEOUT="4")
    assert client.post("/admin/demo/load").status_code == 302

    running = _task_when(lambda task: task.state == "running", first, every=0.02)
    os.killpg(first.pid, signal.SIGKILL)  # the whole worker, pool included, in the middle of the job
    first.wait()
    assert (running.kind, running.attempts) == ("demo.load", 1)
    time.sleep(0.5)
    _db.session.rollback()
    assert _db.session.get(Task, running.id).state == "running"  # nobody ended it
    assert demo_logins() == 0  # nothing of the killed run was kept

    second = start_worker(TASKS_VISIBILITY_TIMEOUT="4")
    done = _task_when(lambda task: task.state in ("succeeded", "failed"), second)
    assert (done.id, done.state, done.attempts) == (running.id, "succeeded", 2), done.error
    assert demo_logins() == len(DEMO_LOGINS)
    page = html(client.get(f"/jobs/{done.id}"))
    assert page.select_one("#job")["data-state"] == "succeeded"


def test_a_starting_worker_compiles_the_forum_scheduler_before_it_takes_a_job(start_worker, tmp_path):
    """With an empty numba cache (as after an install), the worker compiles the forum
    scheduler's annealing loop before it is ready, so no forum's time limit pays for it."""
    cache = tmp_path / "numba"
    start_worker(NUMBA_CACHE_DIR=str(cache))

    compiled = [path.name for path in cache.rglob("*.nbc")]
    assert any("anneal_chunk" in name for name in compiled), compiled
