"""Live progress of a running job: its phase, n of N, and a heartbeat.

The job's own work is one database transaction that commits at the end, so its progress
can't be written to the database as it goes (it would be invisible until then, and on
SQLite the worker holds the write lock). It goes to a small store beside the queue instead:
Redis when the queue is Redis (keys expire after a week), else one JSON file per job under
instance/tasks/progress/ (written whole and renamed, so a reader never sees half a file).

A heartbeat thread rewrites the entry every few seconds while the job runs, even inside a
long solver call; a running job whose heartbeat is older than `STALE_AFTER` seconds had its
worker stopped under it (nothing it did was committed) and may be run again.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from pathlib import Path

from flask import current_app

HEARTBEAT_SECONDS = 5.0
STALE_AFTER = 90.0
EXPIRE_SECONDS = 7 * 24 * 3600
WRITE_EVERY = 0.3  # seconds between two writes of the same phase

_current: ContextVar[Progress | None] = ContextVar("ocopfair_progress", default=None)


def phase(name: str, total: int | None = None) -> None:
    """Services report here; it reaches the running job's progress, or nothing in a request."""
    reporter = _current.get()
    if reporter is not None:
        reporter.phase(name, total)


def advance(by: int = 1) -> None:
    reporter = _current.get()
    if reporter is not None:
        reporter.advance(by)


@contextmanager
def reporting(reporter) -> Iterator[None]:
    """Send what services report to `reporter` (anything with `phase(name, total)` and
    `advance(by)`), e.g. a command's progress bar, for the block; None mutes them."""
    token = _current.set(reporter)
    try:
        yield
    finally:
        _current.reset(token)


def muted() -> AbstractContextManager[None]:
    """For the block, nothing reaches the job's progress: a job running another feature's
    long service as one of its own steps keeps its own phases on the page."""
    return reporting(None)


class FileStore:
    def __init__(self, folder: str | Path):
        self.folder = Path(folder)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.json"

    def write(self, key: str, value: dict) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(value, out)
        os.replace(temporary, self._path(key))

    def read(self, key: str) -> dict | None:
        try:
            return json.loads(self._path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class RedisStore:
    def __init__(self, url: str):
        self.client = redis_client(url)

    def write(self, key: str, value: dict) -> None:
        self.client.set(f"ocopfair:progress:{key}", json.dumps(value), ex=EXPIRE_SECONDS)

    def read(self, key: str) -> dict | None:
        raw = self.client.get(f"ocopfair:progress:{key}")
        return json.loads(raw) if raw else None

    def delete(self, key: str) -> None:
        self.client.delete(f"ocopfair:progress:{key}")


def redis_client(url: str):
    """A Redis client that fails at once when the server is out of reach (redis-py's default
    retries a refused connection for about 6 s, which a page would wait through)."""
    import redis
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5, retry=Retry(NoBackoff(), 0))


def store():
    app = current_app
    cached = app.extensions.get("ocopfair.progress")
    if cached is None:
        url = app.config.get("CELERY_BROKER_URL") or ""
        if url.startswith(("redis://", "rediss://")):
            cached = RedisStore(url)
        else:
            cached = FileStore(Path(app.config["TASKS_FOLDER"]) / "progress")
        app.extensions["ocopfair.progress"] = cached
    return cached


def read(key: str) -> dict | None:
    """The job's last reported progress, or None (not started, or the store is out of reach)."""
    try:
        return store().read(key)
    except Exception:  # a progress bar is not worth a failed page
        current_app.logger.warning("job progress could not be read", exc_info=True)
        return None


def is_stale(entry: dict | None, now: float | None = None) -> bool:
    if not entry or "alive" not in entry:
        return False
    return (now or time.time()) - float(entry["alive"]) > STALE_AFTER


class Progress:
    """What a job's handler reports through: `phase("scoring", total)`, then `advance()`.

    Phases are codes the pages translate (tasks/services.py:PHASES). Writes are throttled;
    a failure to write progress never fails the job.
    """

    def __init__(self, key: str, backend=None):
        self.key = key
        self.backend = backend if backend is not None else store()
        self.phase_name: str | None = None
        self.done = 0
        self.total: int | None = None
        self.passed: list[list] = []  # [phase, total] each time the phase changed: the job's path
        self._written = 0.0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def phase(self, name: str, total: int | None = None, done: int = 0) -> None:
        if [name, total] != (self.passed[-1] if self.passed else None):
            self.passed.append([name, total])
        self.phase_name, self.total, self.done = name, total, done
        self._write(force=True)

    def advance(self, by: int = 1) -> None:
        self.done += by
        self._write()

    def set(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        self._write()

    def snapshot(self) -> dict:
        return {
            "phase": self.phase_name,
            "done": self.done,
            "total": self.total,
            "passed": self.passed,
            "alive": time.time(),
        }

    def _write(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._written < WRITE_EVERY:
            return
        with self._lock:
            self._written = now
            try:
                self.backend.write(self.key, self.snapshot())
            except Exception:
                current_app.logger.warning("job progress could not be written", exc_info=True)

    # The heartbeat: the entry stays fresh while the worker is alive, whatever the phase.
    def __enter__(self) -> Progress:
        self._write(force=True)
        self._beat = threading.Thread(target=self._heartbeat, name=f"progress-{self.key}", daemon=True)
        self._app = current_app._get_current_object()
        self._beat.start()
        self._token = _current.set(self)
        return self

    def _heartbeat(self) -> None:
        with self._app.app_context():
            while not self._stop.wait(HEARTBEAT_SECONDS):
                self._write(force=True)

    def __exit__(self, *exc) -> None:
        _current.reset(self._token)
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=2)
        self._write(force=True)  # the last count, which the throttle may have held back
