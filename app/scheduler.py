"""APScheduler set-up: time-driven steps as jobs in the app's own database.

Jobs live in the table `apscheduler_jobs` of the application database (the same
DATABASE_URL), so a restart loses none. The scheduler is the clock only: a job puts a
message on the task queue (`app.tasks.queue:enqueue_call`, "call module:function with these
arguments" on the `mail` or `default` queue) and a worker runs the function, which calls the
same services a person's button calls and commits once. (The exception is "events-sync",
which only re-plans jobs in this store and so runs here.) Jobs still run inside an app
context, in the executor's threads.

Two ways to run it (DESIGN.md, "Running"):

- embedded (default in development): `init_scheduler(app)`, called from `create_app` when
  SCHEDULER_ENABLED is true, starts a BackgroundScheduler inside the web process. Only the
  processes that serve requests start one (`flask run`, gunicorn/WSGI), never `flask db
  upgrade` and other commands, nor the reloader's watching parent.
- production: `flask scheduler run` runs a BlockingScheduler as its own process;
  the web workers keep SCHEDULER_ENABLED off and only write jobs to the shared store.

However many processes try, one scheduler runs per database: a scheduler starts only after
taking a lock held for the life of its process — a PostgreSQL session-level advisory lock
on a dedicated connection, or on SQLite an exclusive `flock` on a file beside the database
(instance/ocopfair.sqlite.scheduler.lock by default).
A process that finds the lock taken doesn't start one (and says so in the log); in the
embedded mode it stands by and tries again every minute, so when the worker that runs
the scheduler ends (or loses its lock's connection) another one takes over.

Processes that don't run the scheduler still add, move and remove jobs (e.g. after an
organiser edits an event): `job_scheduler(app)` gives them a scheduler that only writes to
the job store. The running scheduler reads the store at least once a minute (the
"outbox-send" job wakes it), so such changes take effect within a minute.

Settings: SCHEDULER_ENABLED (config.py); optional SCHEDULER_STANDBY_SECONDS (60) and
SCHEDULER_LOCK_FILE (the lock file's path
when the database isn't PostgreSQL; default beside the SQLite file, else
<instance>/scheduler.lock).
"""

from __future__ import annotations

import atexit
import importlib
import importlib.util
import logging
import os
import signal
import threading
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import click
from apscheduler.events import EVENT_SCHEDULER_START
from apscheduler.executors.base import run_job
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import BaseJobStore, JobLookupError
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import STATE_STOPPED, BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext
from flask.helpers import get_debug_flag
from flask_babel import force_locale
from sqlalchemy import Column, Float, LargeBinary, Table, Unicode, create_engine, inspect, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from app.extensions import db

log = logging.getLogger("ocopfair.scheduler")
# The write-only scheduler's "started"/"added" lines would read as if jobs ran here.
_writer_log = logging.getLogger("ocopfair.scheduler.writer")
_writer_log.setLevel(logging.WARNING)

EXTENSION_KEY = "ocopfair.scheduler"
WRITER_KEY = "ocopfair.scheduler.writer"
STANDBY_KEY = "ocopfair.scheduler.standby"
ATEXIT_KEY = "ocopfair.scheduler.atexit"
# A constant 64-bit key for pg_try_advisory_lock: b"ocopschd" read as a signed integer.
ADVISORY_LOCK_KEY = int.from_bytes(b"ocopschd", "big", signed=True)
LOCK_CHECK_SECONDS = 60

JOB_DEFAULTS = {
    # A step missed while no scheduler ran is run once when one comes back, not once per
    # missed time, unless it is more than a week late.
    "coalesce": True,
    "misfire_grace_time": 7 * 24 * 3600,
    "max_instances": 1,
}

# The job store's table, declared on the app's metadata so Alembic migrates it and the
# tests' create_all and clean-up include it. Same columns as APScheduler's own definition.
jobs_table = Table(
    "apscheduler_jobs",
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class AppJobStore(SQLAlchemyJobStore):
    """APScheduler's SQLAlchemy job store on the app's engine and its declared table."""

    def __init__(self, engine: Engine):
        super().__init__(engine=engine, tablename=jobs_table.name)
        self.jobs_t = jobs_table

    def start(self, scheduler, alias):
        # Skip SQLAlchemyJobStore's CREATE TABLE: the migrations own the schema, and a table
        # made here first would make the migration that creates it fail.
        BaseJobStore.start(self, scheduler, alias)


def job_store_ready(app: Flask) -> bool:
    with app.app_context():
        return inspect(db.engine).has_table(jobs_table.name)


class AppContextExecutor(ThreadPoolExecutor):
    """A thread pool that runs each job inside an app context (fresh session, torn down after)."""

    def __init__(self, app: Flask, max_workers: int = 4):
        super().__init__(max_workers)
        self.app = app

    def _do_submit_job(self, job, run_times):
        def callback(future):
            error = future.exception()
            if error is not None:
                self._run_job_error(job.id, error, error.__traceback__)
            else:
                self._run_job_success(job.id, future.result())

        future = self._pool.submit(
            _run_in_app_context, self.app, job, job._jobstore_alias, run_times, self._logger.name
        )
        future.add_done_callback(callback)


def _run_in_app_context(app: Flask, job, jobstore_alias, run_times, logger_name):
    # A job has no request, so the app's locale selector can't ask one: use the default.
    with app.app_context(), force_locale(app.config.get("BABEL_DEFAULT_LOCALE", "vi")):
        return run_job(job, jobstore_alias, run_times, logger_name)


class _StoreWriter(BaseScheduler):
    """A scheduler that is never running: it only writes jobs to the shared store."""

    def wakeup(self):
        pass

    def shutdown(self, wait=True):
        super().shutdown(wait)


# ---------------------------------------------------------------- the single-scheduler lock


class SchedulerLock:
    def acquire(self) -> bool:
        raise NotImplementedError

    def release(self) -> None:
        raise NotImplementedError


class PostgresAdvisoryLock(SchedulerLock):
    """A session-level advisory lock on a connection of its own, held until release or exit.

    If that connection breaks, PostgreSQL has released the lock and another process may
    take over, so `on_lost` is called (it stops this process's scheduler).
    """

    def __init__(self, url, key: int = ADVISORY_LOCK_KEY, check_every: float = LOCK_CHECK_SECONDS):
        self.engine = create_engine(url, poolclass=NullPool)
        self.key, self.check_every = key, check_every
        self.connection: Connection | None = None
        self.on_lost = None
        self._stop = threading.Event()

    def acquire(self) -> bool:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}).scalar()
        if not got:
            connection.close()
            return False
        self.connection = connection
        threading.Thread(target=self._watch, name="scheduler-lock-watch", daemon=True).start()
        return True

    def _watch(self) -> None:
        while not self._stop.wait(self.check_every):
            try:
                self.connection.execute(text("SELECT 1"))
            except Exception:
                log.exception("lost the scheduler lock's database connection; stopping this scheduler")
                if self.on_lost is not None:
                    self.on_lost()
                return

    def release(self) -> None:
        self._stop.set()
        if self.connection is not None:
            try:
                self.connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                self.connection.close()
            except Exception:  # the lock goes with the connection anyway
                log.debug("releasing the advisory lock failed", exc_info=True)
            self.connection = None
        self.engine.dispose()


class FileLock(SchedulerLock):
    """An exclusive flock on a file; the kernel drops it when the process ends."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._file = None

    def acquire(self) -> bool:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True

    def release(self) -> None:
        if self._file is not None:
            import fcntl

            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None


def make_lock(app: Flask) -> SchedulerLock:
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":
        return PostgresAdvisoryLock(url)
    path = app.config.get("SCHEDULER_LOCK_FILE")
    if not path and url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        path = f"{url.database}.scheduler.lock"  # one scheduler per database file
    return FileLock(path or os.path.join(app.instance_path, "scheduler.lock"))


# ---------------------------------------------------------------- building and starting


@dataclass
class SchedulerState:
    scheduler: BaseScheduler
    lock: SchedulerLock


def build_scheduler(app: Flask, *, blocking: bool = False) -> BaseScheduler:
    """A scheduler on the app's job store and executor; not started, holding no lock.

    Tests use it directly; the app uses `start_scheduler`, which takes the lock first.
    """
    with app.app_context():
        engine = db.engine
    cls = BlockingScheduler if blocking else BackgroundScheduler
    return cls(
        jobstores={"default": AppJobStore(engine)},
        executors={"default": AppContextExecutor(app)},
        job_defaults=JOB_DEFAULTS,
        timezone=UTC,
    )


def job_modules() -> list:
    """Every feature's `jobs` module (app/<feature>/jobs.py), in the app's feature order."""
    from app import FEATURES

    return [
        importlib.import_module(f"app.{name}.jobs")
        for name in FEATURES
        if importlib.util.find_spec(f"app.{name}.jobs") is not None
    ]


def add_standing_jobs(scheduler: BaseScheduler) -> None:
    """Jobs every running scheduler has: each module adds its own (`register_jobs`), under
    stable ids, so re-adding replaces."""
    for module in job_modules():
        register = getattr(module, "register_jobs", None)
        if register is not None:
            register(scheduler)


def _announce_start(app: Flask) -> None:
    """Tell the modules the scheduler started (events re-derive their jobs, say)."""
    from app.signals import scheduler_started

    job_modules()  # their receivers connect when imported
    with app.app_context():
        scheduler_started.send(app)


def prepare_scheduler(app: Flask, *, blocking: bool = False, quiet: bool = False) -> BaseScheduler | None:
    """Take the lock and build this process's scheduler, or None if another one runs."""
    state: SchedulerState | None = app.extensions.get(EXTENSION_KEY)
    if state is not None:
        return state.scheduler
    if not job_store_ready(app):
        log.error("the job store table %s is missing: run `flask db upgrade`", jobs_table.name)
        return None
    lock = make_lock(app)
    if not lock.acquire():
        log.log(
            logging.DEBUG if quiet else logging.INFO,
            "another process runs the scheduler for this database; not starting one here",
        )
        return None
    scheduler = build_scheduler(app, blocking=blocking)
    add_standing_jobs(scheduler)
    if isinstance(lock, PostgresAdvisoryLock):
        lock.on_lost = lambda: _drop_scheduler(app)
    app.extensions[EXTENSION_KEY] = SchedulerState(scheduler, lock)
    return scheduler


def start_scheduler(app: Flask, *, announce: bool = True, quiet: bool = False) -> BackgroundScheduler | None:
    """Start the background scheduler in this process if no other process runs one."""
    scheduler = prepare_scheduler(app, quiet=quiet)
    if scheduler is None or scheduler.running:
        return scheduler
    scheduler.start()
    if not app.extensions.get(ATEXIT_KEY):
        atexit.register(stop_scheduler, app)
        app.extensions[ATEXIT_KEY] = True
    if announce:
        _announce_start(app)
    return scheduler


def stop_scheduler(app: Flask, wait: bool = True) -> None:
    """Stop this process's scheduler and its standby (the process is going away)."""
    standby: threading.Event | None = app.extensions.pop(STANDBY_KEY, None)
    if standby is not None:
        standby.set()
    _drop_scheduler(app, wait=wait)


def _drop_scheduler(app: Flask, wait: bool = False) -> None:
    """Stop this process's scheduler, if it runs one, and release the lock."""
    state: SchedulerState | None = app.extensions.pop(EXTENSION_KEY, None)
    if state is None:
        return
    _shutdown_quietly(state.scheduler, wait=wait)
    state.lock.release()


def start_standby(app: Flask) -> None:
    """Try to take over every SCHEDULER_STANDBY_SECONDS while no process here runs it.

    So when the worker that runs the scheduler ends, or loses its lock, another takes over.
    """
    if app.extensions.get(STANDBY_KEY) is not None:
        return
    stop = threading.Event()
    interval = float(app.config.get("SCHEDULER_STANDBY_SECONDS", 60))

    def keep_trying():
        while not stop.wait(interval):
            if running_scheduler(app) is not None:
                continue
            try:
                if start_scheduler(app, quiet=True) is not None:
                    log.info("this process took over the scheduler")
            except Exception:
                log.exception("could not start the scheduler; trying again later")

    app.extensions[STANDBY_KEY] = stop
    threading.Thread(target=keep_trying, name="scheduler-standby", daemon=True).start()


def _shutdown_quietly(scheduler: BaseScheduler, wait: bool = False) -> None:
    if scheduler.state != STATE_STOPPED:
        scheduler.shutdown(wait=wait)


def running_scheduler(app: Flask) -> BaseScheduler | None:
    state: SchedulerState | None = app.extensions.get(EXTENSION_KEY)
    return state.scheduler if state is not None and state.scheduler.running else None


def job_scheduler(app: Flask | None = None) -> BaseScheduler:
    """Where to add, move and remove jobs from this process.

    The running scheduler if this process has it (it wakes at once), otherwise a writer
    on the same job store that never runs jobs itself.
    """
    app = app or current_app._get_current_object()
    scheduler = running_scheduler(app)
    if scheduler is not None:
        return scheduler
    writer = app.extensions.get(WRITER_KEY)
    if writer is None:
        with app.app_context():
            engine = db.engine
        writer = _StoreWriter(
            logger=_writer_log,
            jobstores={"default": AppJobStore(engine)},
            executors={"default": AppContextExecutor(app, max_workers=1)},
            job_defaults=JOB_DEFAULTS,
            timezone=UTC,
        )
        writer.start(paused=True)
        app.extensions[WRITER_KEY] = writer
    return writer


def remove_job_if_present(scheduler: BaseScheduler, job_id: str) -> bool:
    try:
        scheduler.remove_job(job_id)
    except JobLookupError:
        return False
    return True


# ---------------------------------------------------------------- embedded mode


def _serves_requests() -> bool:
    """Whether this process will serve the app (so the embedded scheduler belongs here)."""
    ctx = click.get_current_context(silent=True)
    if ctx is None:
        return True  # a WSGI server (gunicorn), `python wsgi.py`, a test
    is_flask_run = ctx.info_name == "run" and ctx.parent is not None and ctx.parent.parent is None
    if not is_flask_run:
        return False  # flask db upgrade, flask shell, flask scheduler run, ...
    reload = ctx.params.get("reload")
    if reload is None:
        reload = get_debug_flag()
    # With the reloader, the parent only watches files; the child (WERKZEUG_RUN_MAIN) serves.
    return not reload or os.environ.get("WERKZEUG_RUN_MAIN") == "true"


def init_scheduler(app: Flask) -> BackgroundScheduler | None:
    """The embedded mode: run the scheduler inside this web process, if it is the one."""
    if not app.config.get("SCHEDULER_ENABLED"):
        return None
    if not _serves_requests():
        log.debug("not a serving process; the embedded scheduler is not started here")
        return None
    scheduler = start_scheduler(app)
    start_standby(app)
    return scheduler


# ---------------------------------------------------------------- `flask scheduler ...`


@click.group("scheduler")
def scheduler_cli():
    """Run and inspect the job scheduler."""


@scheduler_cli.command("run")
@click.option(
    "--wait/--no-wait",
    default=False,
    help="If another process runs the scheduler, wait to take over instead of exiting.",
)
@with_appcontext
def run_command(wait: bool):
    """Run the scheduler in the foreground, as its own process (production)."""
    import time

    app = current_app._get_current_object()
    scheduler = prepare_scheduler(app, blocking=True)
    while scheduler is None and wait:
        time.sleep(30)
        scheduler = prepare_scheduler(app, blocking=True)
    if scheduler is None:
        raise click.ClickException(
            "not started: another process runs the scheduler for this database, "
            "or the job store table is missing (see the log)"
        )

    def on_term(signum, frame):
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, on_term)
    scheduler.add_listener(lambda event: _announce_start(app), mask=EVENT_SCHEDULER_START)
    click.echo("scheduler running; Ctrl-C to stop")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        stop_scheduler(app, wait=True)
    click.echo("scheduler stopped")


@scheduler_cli.command("jobs")
@with_appcontext
def jobs_command():
    """List the stored jobs and when each runs next (UTC)."""
    scheduler = job_scheduler()
    for job in sorted(scheduler.get_jobs(), key=lambda j: (j.next_run_time is None, j.next_run_time)):
        when = job.next_run_time.isoformat() if job.next_run_time else "paused"
        click.echo(f"{when}  {job.id}  {job.name}")


@scheduler_cli.command("sync")
@with_appcontext
def sync_command():
    """Recompute every open event's jobs from its dates and state."""
    from app.events.jobs import sync_all_event_jobs

    count = sync_all_event_jobs()
    click.echo(f"jobs checked for {count} event(s)")
