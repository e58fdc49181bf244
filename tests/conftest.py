"""Fixtures: `app`, `db`, `client`, builders (`make_user`, `make_event`, ...), `live_server`, `pinned_clock`.

The suite runs on SQLite by default and on PostgreSQL when TEST_DATABASE_URL is set.
The schema is created once per run; after each test every table is emptied, so
tests that commit through real connections (concurrency, live server) stay isolated.

Each request a test makes runs in its own app context and so its own database session, as
in production: what the test built is committed first, and what the request changed is seen
afterwards only if the request committed it. A route that forgets to commit fails its test.

Time is pinned for every test (time-machine, ticking from a fixed instant), so no test
depends on the hour or the day it runs; `@pytest.mark.clock("2027-01-15T23:30:00+00:00")`
starts a test at another instant, and the `pinned_clock` fixture moves it.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from datetime import datetime, timedelta

import pytest
import time_machine
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from app import clock, create_app
from app.catalog.services import facets_cache
from app.extensions import db as _db
from app.extensions import limiter

pytest_plugins = ["tests.browser_support"]

_counter = itertools.count(1)

# 10:00 in Vietnam, a weekday; tests that care about the date boundary pin 16:30 or 23:30 UTC.
# TEST_NOW runs the whole suite from another instant (.ci/run does, at 16:30 and 23:30 UTC).
PINNED_NOW = os.environ.get("TEST_NOW") or "2027-01-15T03:00:00+00:00"
NOW = datetime.fromisoformat(PINNED_NOW)  # where the pinned clock starts: tests pass it as `now`


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """The pinned clock: `pinned_clock.move_to(datetime)` or `pinned_clock.shift(timedelta)` inside a test."""
    marker = request.node.get_closest_marker("clock")
    start = marker.args[0] if marker else PINNED_NOW
    with time_machine.travel(start, tick=True) as traveller:
        yield traveller


class IsolatedClient(FlaskClient):
    """A test client whose every request has its own app context and database session."""

    def open(self, *args, **kwargs):
        _db.session.commit()  # the test's own set-up, saved as another person would find it
        with self.application.app_context():
            response = super().open(*args, **kwargs)
        _db.session.expire_all()  # read afterwards what the request committed, and only that
        return response


# Under pytest-xdist (`make test PYTEST_ARGS="-n 2"`) each worker process (gw0, gw1, ...) has a
# database and a Redis database of its own, so the workers never empty each other's tables.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if XDIST_WORKER and "TEST_REDIS_DB" not in os.environ:
    os.environ["TEST_REDIS_DB"] = str(13 + int(XDIST_WORKER.removeprefix("gw") or 0) % 3)


def _worker_database(url: str) -> str:
    """TEST_DATABASE_URL's server, with a database for this xdist worker, created if missing."""
    base = make_url(url)
    name = f"{base.database}_{XDIST_WORKER}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return _worker_database(url) if XDIST_WORKER and url.startswith("postgresql") else url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    application = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=_database_url(tmp_path_factory),
        UPLOAD_FOLDER=str(tmp_path_factory.mktemp("uploads")),
        # Kombu's in-process transport: the `worker` fixture takes the messages pages put on it.
        CELERY_BROKER_URL="memory://localhost/",
        TASKS_FOLDER=str(tmp_path_factory.mktemp("tasks")),
    )
    application.test_client_class = IsolatedClient
    with application.app_context():
        _db.drop_all()
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.drop_all()
        _db.engine.dispose()


@pytest.fixture()
def db(app):
    """The database, emptied after the test whatever the test committed; the rate limits' counters
    (in memory, app/ratelimit.py) start empty too."""
    with app.app_context():
        limiter.reset()
        facets_cache.clear()  # emptied by SQL below, which no session's commit reports
        yield _db
        _db.session.rollback()
        _db.session.remove()
        tables = list(reversed(_db.metadata.sorted_tables))
        with _db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())


def queries_of(client, url: str) -> int:
    """How many SQL statements the page at `url` sent to the database (it must answer 200)."""
    count = 0

    def counted(*_args):
        nonlocal count
        count += 1

    engine = _db.engine
    event.listen(engine, "before_cursor_execute", counted)
    try:
        status = client.get(url).status_code
    finally:
        event.remove(engine, "before_cursor_execute", counted)
    assert status == 200, f"{url}: {status}"
    return count


class QueueWorker:
    """Runs what pages and the clock put on the queue, as the worker process does: each message
    through the real Celery task, in an app context (and so a database session) of its own."""

    def __init__(self, app):
        from app.tasks.queue import celery_app

        self.app = app
        self.celery = celery_app(app)

    def _messages(self, queues):
        from app.tasks.queue import QUEUES

        with self.celery.connection_for_read() as connection:
            for name in queues or QUEUES:
                queue = connection.SimpleQueue(name)
                try:
                    while True:
                        try:
                            message = queue.get(block=False)
                        except queue.Empty:
                            break
                        message.ack()
                        yield name, message
                finally:
                    queue.close()

    def pending(self, queues=None) -> list[tuple[str, str, list]]:
        """(queue, task name, args) of every waiting message; they stay waiting."""
        found = []
        for name, message in self._messages(queues):
            args, _kwargs, _embed = message.decode()
            found.append((name, message.headers["task"], list(args)))
        for name, task, args in found:  # put them back as they were
            self.celery.send_task(task, args=args, queue=name)
        return found

    def drain(self, queues=None) -> list:
        """Run every waiting message (and those they add) until the queues are empty."""
        _db.session.commit()  # what the test wrote is there for the worker, as for a request
        results = []
        while batch := list(self._messages(queues)):
            for _name, message in batch:
                results.append(self._run(message))
        _db.session.expire_all()
        return results

    def _run(self, message):
        """One message through its Celery task; the task opens its own app context (queue.FlaskTask)."""
        args, kwargs, _embed = message.decode()
        task = self.celery.tasks[message.headers["task"]]
        return task.apply(args=args, kwargs=kwargs, task_id=message.headers["id"], throw=True).get()

    def purge(self) -> None:
        for _ in self._messages(None):
            pass


@pytest.fixture()
def worker(app, db):
    queue_worker = QueueWorker(app)
    queue_worker.purge()
    yield queue_worker
    queue_worker.purge()


class BackgroundWorker(QueueWorker):
    """The worker process beside a live server, for browser tests: a thread that takes each
    message pages put on the queue and runs it through the real Celery task, each in an app
    context (and so a database session) of its own, never the test's.

    It waits `delay` seconds after a message appears before running it, so the person (and the
    test) sees the job queued, with its progress panel, before it runs. `started` and
    `finished` list the (task name, args) it has begun and ended, in order.
    """

    DELAY = 1.5  # seconds between a message appearing and its job running
    POLL = 0.05

    def __init__(self, app, delay: float = DELAY):
        super().__init__(app)
        self.delay = delay
        self.started: list[tuple[str, list]] = []
        self.finished: list[tuple[str, list]] = []
        self.errors: list[BaseException] = []
        self._waiting: list = []  # (due, message), first come first run
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="background-worker", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 60) -> None:
        """Let a running job end, drop the waiting messages, and join the thread."""
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise RuntimeError(f"the background worker did not stop within {timeout} s")
        self.purge()
        if self.errors:
            raise self.errors[0]

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                for _name, message in self._messages(None):
                    self._waiting.append((time.monotonic() + self.delay, message))
                while self._waiting and self._waiting[0][0] <= time.monotonic() and not self._stop.is_set():
                    _due, message = self._waiting[0]
                    args, _kwargs, _embed = message.decode()
                    job = (message.headers["task"], list(args))
                    self.started.append(job)
                    try:
                        self._run(message)
                    finally:
                        self._waiting.pop(0)
                        self.finished.append(job)
            except Exception as error:  # reported at teardown; the thread goes on
                self.errors.append(error)
            self._stop.wait(self.POLL)


@pytest.fixture()
def background_worker(app, db):
    """A `BackgroundWorker` running for the test: the jobs a browser test's pages start get run."""
    queue_worker = BackgroundWorker(app)
    queue_worker.purge()
    queue_worker.start()
    yield queue_worker
    queue_worker.stop()


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def make_producer(db):
    from app.catalog import services

    def build(**overrides):
        n = next(_counter)
        values = {
            "role": "producer",
            "name": f"HTX Chè Hải Hà {n}",
            "producer_kind": "cooperative",
            "province_code": "22",
            "commune": "Quảng Long",
        } | overrides
        return services.create_organisation(**values)

    return build


@pytest.fixture()
def make_buyer(db):
    from app.catalog import services

    def build(**overrides):
        n = next(_counter)
        values = {
            "role": "buyer",
            "name": f"Siêu thị Hạ Long {n}",
            "buyer_type": "supermarket",
            "province_code": "22",
        } | overrides
        return services.create_organisation(**values)

    return build


@pytest.fixture()
def make_user(db):
    from app.accounts import services

    def build(role="exhibitor", organisation=None, password="correct horse 42", **overrides):
        n = next(_counter)
        values = {"email": f"user{n}@example.vn", "full_name": f"Người dùng {n}"} | overrides
        return services.create_user(role=role, password=password, organisation=organisation, **values)

    return build


@pytest.fixture()
def make_product(db, make_producer, make_user):
    from app.catalog import services

    def build(organisation=None, certificate_status="verified", **overrides):
        """A product whose certificate an organiser has verified, unless `certificate_status` says
        otherwise ("missing": self-declared, "pending", "rejected")."""
        organisation = organisation or make_producer()
        n = next(_counter)
        values = {
            "name_vi": f"Chè xanh Hải Hà {n}",
            "name_en": f"Hai Ha green tea {n}",
            "ocop_group": "beverages",
            "category": "tea",
            "stars": 4,
            "certificate_date": clock.today() - timedelta(days=200),
            "standards": ["vietgap"],
            "capacity_per_month": 500,
            "capacity_unit": "kg",
            "price_min": 250_000,
            "price_max": 400_000,
            "price_unit": "kg",
        } | overrides
        owner = _SystemActor(organisation.id)
        product = services.create_product(owner, organisation, **values)
        if certificate_status != "missing":
            product.certificate_number = product.certificate_number or f"{n}/QĐ-UBND"
            product.certificate_level = product.certificate_level or "province"
            product.certificate_status = certificate_status
            product.certificate_submitted_at = clock.now()
            if certificate_status in ("verified", "rejected"):
                product.certificate_reviewed_at = clock.now()
            if certificate_status == "rejected":
                product.certificate_rejection_reason = "Số giấy chứng nhận không khớp"
            services.db.session.flush()
        return product

    return build


class _SystemActor:
    """An actor allowed to edit one organisation, for building test data."""

    is_authenticated = True
    role = "exhibitor"

    def __init__(self, organisation_id):
        self.organisation_id = organisation_id


@pytest.fixture()
def html():
    """Parse a response's HTML: `html(response).select_one("#id")`, `.get_text()`."""
    from bs4 import BeautifulSoup

    def parse(response):
        return BeautifulSoup(response.get_data(as_text=True), "html.parser")

    return parse


def text_of(element) -> str:
    """An element's visible text with its white space collapsed."""
    return " ".join(element.get_text(" ").split()) if element is not None else ""


@pytest.fixture()
def login(client):
    def do(user, password="correct horse 42"):
        response = client.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return response

    return do


@pytest.fixture()
def exhibitor(db, make_producer, make_user):
    """A producer organisation and its logged-out exhibitor account."""
    return make_user(role="exhibitor", organisation=make_producer())


@pytest.fixture()
def buyer_user(db, make_buyer, make_user):
    return make_user(role="buyer", organisation=make_buyer())


@pytest.fixture()
def organiser(db, make_user):
    return make_user(role="organiser")


@pytest.fixture()
def live_server(app, db):
    """The app served over HTTP on a loopback port, in a thread, for browser tests."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    # Links written outside a request (a job's "Open the result", mail) point at this server.
    host = app.config["SERVER_HOST"]
    app.config["SERVER_HOST"] = f"127.0.0.1:{server.server_port}"
    yield f"http://127.0.0.1:{server.server_port}"
    app.config["SERVER_HOST"] = host
    server.shutdown()
    thread.join(timeout=5)


def _event_values(n: int, now: datetime, starts: datetime) -> dict:
    """A physical fair in Quảng Ninh starting at `starts`, both registration windows open at `now`."""
    return {
        "slug": f"hoi-cho-ocop-{n}",
        "kind": "physical_fair",
        "name_vi": f"Hội chợ OCOP Quảng Ninh {n}",
        "name_en": f"Quang Ninh OCOP fair {n}",
        "timezone": "Asia/Ho_Chi_Minh",
        "starts_at": starts,
        "ends_at": starts + timedelta(days=3),
        "venue_name": "Cung Quy hoạch, Hội chợ và Triển lãm Quảng Ninh",
        "exhibitor_capacity": 10,
        "buyer_capacity": 10,
        "exhibitor_registration_opens_at": now - timedelta(days=1),
        "exhibitor_registration_closes_at": starts - timedelta(days=10),
        "buyer_registration_opens_at": now - timedelta(days=1),
        "buyer_registration_closes_at": starts - timedelta(days=5),
    }


@pytest.fixture()
def make_event(db, make_user):
    """A draft event through the service, e.g. make_event(organiser=user, exhibitor_capacity=2):
    it starts in 30 days and its registration windows are open by their dates."""
    from app.events import services

    def build(organiser=None, **overrides):
        organiser = organiser or make_user(role="organiser")
        now = clock.now().replace(microsecond=0)
        values = _event_values(next(_counter), now, now + timedelta(days=30)) | overrides
        return services.create_event(organiser, **values)

    return build


@pytest.fixture()
def make_open_event(db, make_user):
    """An event open for registration at NOW (unless open_now=False), taking place two months
    later: `make_open_event(organiser, exhibitor_capacity=2)`."""
    from app.events import services

    def build(organiser=None, *, open_now: bool = True, **overrides):
        organiser = organiser or make_user(role="organiser")
        closes = NOW + timedelta(days=30)
        values = (
            _event_values(next(_counter), NOW, NOW + timedelta(days=60))
            | {"exhibitor_registration_closes_at": closes, "buyer_registration_closes_at": closes}
            | overrides
        )
        event = services.create_event(organiser, **values)
        if open_now:
            services.open_registration(organiser, event, now=NOW)
        return event

    return build
