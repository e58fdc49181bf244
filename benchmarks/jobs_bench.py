"""Background jobs benchmark: what an organiser's click costs now, against the same work
done inside the request as before (the baseline), on a province event.

    .venv/bin/python benchmarks/jobs_bench.py [--buyers 300] [--producers 600] [--database-url URL]

Seeds an event (through the services, deterministically) with N approved buyers and M
approved producers in a fresh SQLite file (or the PostgreSQL database given, which is
emptied first), then measures, in one run:

- baseline: `run_matching` called inside a request context, as the "Run matching" button
  did before jobs (the request held the whole time; rolled back afterwards);
- the button now: POST .../run through the app (enqueue a job and redirect), wall time and
  SQL queries of that request;
- the job: the worker running that message (the real Celery task on kombu's in-process
  transport, in its own app context), wall time and peak memory (tracemalloc, in a second
  run so tracing does not slow the timed one);
- the session page with the job's panel: SQL queries while a job is queued.
Also the same for "Publish" (the baseline publishes in a request; now: enqueue + the job).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCHEDULER_ENABLED", "0")

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import text  # noqa: E402

CATEGORIES = [("tea", "beverages"), ("honey", "food"), ("seafood", "food"), ("coffee", "beverages")]
PASSWORD = "benchmark password 42"  # noqa: S105


class Actor:
    """An exhibitor or buyer acting for its organisation (no password to hash: faster seeding)."""

    is_authenticated = True
    is_active = True

    def __init__(self, role: str, organisation_id: int):
        self.role, self.organisation_id, self.id = role, organisation_id, None


def seed(app, buyers: int, producers: int, seed_value: int = 7):
    from app import clock
    from app.accounts.services import create_user
    from app.catalog import services as catalog
    from app.events import services as events
    from app.events.registrations import services as reg
    from app.extensions import db
    from app.matching.sessions import services as sessions
    from app.transaction import transaction

    rng = random.Random(seed_value)
    now = clock.now().replace(microsecond=0)
    with app.app_context(), app.test_request_context("/?lang=en"), transaction():
        organiser = create_user(
            email="organiser@bench.vn", password=PASSWORD, full_name="Ban tổ chức", role="organiser"
        )
        starts = now + timedelta(days=60)
        event = events.create_event(
            organiser,
            slug="hoi-nghi-ket-noi-cung-cau",
            kind="conference",
            name_vi="Hội nghị kết nối cung cầu tỉnh",
            name_en="Province buyer-supplier conference",
            timezone="Asia/Ho_Chi_Minh",
            starts_at=starts,
            ends_at=starts + timedelta(days=2),
            venue_name="Trung tâm Hội nghị tỉnh",
            exhibitor_capacity=producers + 10,
            buyer_capacity=buyers + 10,
            exhibitor_registration_opens_at=now - timedelta(days=1),
            exhibitor_registration_closes_at=now + timedelta(days=30),
            buyer_registration_opens_at=now - timedelta(days=1),
            buyer_registration_closes_at=now + timedelta(days=30),
        )
        events.open_registration(organiser, event, now=now)
        for n in range(producers):
            category, group = rng.choice(CATEGORIES)
            organisation = catalog.create_organisation(
                role="producer",
                name=f"HTX {category} {n}",
                producer_kind="cooperative",
                province_code=rng.choice(["22", "24", "20"]),
                commune="Quảng Long",
            )
            actor = Actor("exhibitor", organisation.id)
            product = catalog.create_product(
                actor,
                organisation,
                name_vi=f"Sản phẩm {category} {n}",
                ocop_group=group,
                category=category,
                stars=rng.choice([3, 4, 5]),
                certificate_date=clock.today() - timedelta(days=200),
                standards=["vietgap"],
                capacity_per_month=rng.choice([200, 500, 1000, 3000]),
                capacity_unit="kg",
                price_min=100_000,
                price_max=400_000,
                price_unit="kg",
            )
            registration = reg.apply_as_exhibitor(actor, event, [product.id], now=now)
            reg.approve(organiser, registration, now=now)
        for n in range(buyers):
            category, _group = rng.choice(CATEGORIES)
            organisation = catalog.create_organisation(
                role="buyer", name=f"Siêu thị {n}", buyer_type="supermarket", province_code="22"
            )
            actor = Actor("buyer", organisation.id)
            line = catalog.save_demand_line(
                actor,
                organisation,
                category=category,
                monthly_volume=rng.choice([100, 300, 800]),
                unit="kg",
                min_stars=3,
            )
            registration = reg.register_as_buyer(actor, event, [line.id], now=now)
            reg.approve(organiser, registration, now=now)
        first, _last = sessions.event_days(event)
        from datetime import time as clock_time

        session = sessions.create_session(
            organiser,
            event,
            name="Phiên kết nối",
            first_day=first,
            last_day=first,
            day_start=clock_time(8, 0),
            day_end=clock_time(17, 0),
            meeting_minutes=25,
            gap_minutes=5,
            tables=40,
        )
        db.session.flush()
        return event.id, session.id, organiser.id


class Queries:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _tick(self, *_args):
        self.count += 1

    def __enter__(self):
        sa_event.listen(self.engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._tick)


def drain(app) -> list:
    """Run every waiting message as the worker does (the real Celery task, own app context)."""
    from app.tasks.queue import QUEUES, celery_app

    celery = celery_app(app)
    results = []
    with celery.connection_for_read() as connection:
        for name in QUEUES:
            queue = connection.SimpleQueue(name)
            while True:
                try:
                    message = queue.get(block=False)
                except queue.Empty:
                    break
                message.ack()
                args, kwargs, _embed = message.decode()
                task = celery.tasks[message.headers["task"]]
                results.append(
                    task.apply(args=args, kwargs=kwargs, task_id=message.headers["id"], throw=True).get()
                )
            queue.close()
    return results


def peak_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--buyers", type=int, default=300)
    parser.add_argument("--producers", type=int, default=600)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    import logging

    from app import create_app

    logging.disable(logging.INFO)  # the worker's own log lines would interleave with the table
    from app.extensions import db
    from app.matching.models import MatchingSession, Meeting
    from app.matching.sessions import services as sessions
    from app.tasks.models import Task

    folder = Path(tempfile.mkdtemp(prefix="ocopfair-jobs-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url,
        CELERY_BROKER_URL="memory://localhost/",
        TASKS_FOLDER=str(folder / "tasks"),
        WTF_CSRF_ENABLED=False,
        SCHEDULER_ENABLED=False,
    )
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    started = time.perf_counter()
    event_id, session_id, _organiser_id = seed(app, args.buyers, args.producers)
    print(
        f"seeded {args.buyers} buyers x {args.producers} producers on {db_name(url)} "
        f"in {time.perf_counter() - started:.1f} s"
    )

    def baseline(action):
        """The work inside a request, as before jobs; rolled back so the next measure starts equal."""
        with app.app_context(), app.test_request_context("/?lang=en"):
            session = db.session.get(MatchingSession, session_id)
            from app.accounts.models import User

            organiser = db.session.scalar(db.select(User).where(User.role == "organiser"))
            t0 = time.perf_counter()
            if action == "publish":
                sessions.run_matching(organiser, session)
                t0 = time.perf_counter()
                sessions.publish(organiser, session)
            else:
                sessions.run_matching(organiser, session)
            elapsed = time.perf_counter() - t0
            db.session.rollback()
            return elapsed

    client = app.test_client()
    response = client.post("/login", data={"email": "organiser@bench.vn", "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    client.get("/?lang=en")
    base = f"/manage/events/{event_id}/matching/{session_id}"

    def click(path: str) -> tuple[float, int]:
        with app.app_context(), Queries(db.engine) as queries:
            t0 = time.perf_counter()
            response = client.post(base + path)
            elapsed = time.perf_counter() - t0
        assert response.status_code == 302, response.status_code
        return elapsed, queries.count

    def job() -> float:
        t0 = time.perf_counter()
        drain(app)
        return time.perf_counter() - t0

    rows = []
    run_baseline = statistics.median(baseline("run") for _ in range(2))
    request_run, queries_run = click("/run")
    with app.app_context(), Queries(db.engine) as page_queries:
        assert client.get(base).status_code == 200
    job_run = job()
    with app.app_context():
        meetings = db.session.scalar(
            db.select(db.func.count()).select_from(Meeting).where(Meeting.session_id == session_id)
        )
        states = [t.state for t in db.session.scalars(db.select(Task))]
    assert states == ["succeeded"], states
    rows.append(("Run matching", run_baseline, request_run, queries_run, job_run))

    publish_baseline = baseline("publish")
    request_publish, queries_publish = click("/publish")
    job_publish = job()
    rows.append(("Publish", publish_baseline, request_publish, queries_publish, job_publish))

    # Peak memory of a matching job, traced in a separate run (tracing slows it).
    with app.app_context():
        db.session.execute(
            db.update(MatchingSession).where(MatchingSession.id == session_id).values(state="solved")
        )
        db.session.execute(db.delete(Meeting).where(Meeting.session_id == session_id))
        db.session.commit()
    click("/run")
    memory = peak_mb(lambda: drain(app))

    print(
        f"\n{meetings} meetings scheduled; session page with a queued job: {page_queries.count} SQL queries\n"
    )
    print(
        f"{'action':<14}{'in the request (baseline)':>28}{'click now':>12}"
        f"{'its queries':>13}{'job in the worker':>20}"
    )
    for name, before, request, queries, job_time in rows:
        print(f"{name:<14}{before:>26.2f} s{request * 1000:>9.0f} ms{queries:>13}{job_time:>18.2f} s")
    print(f"\npeak memory of the matching job (tracemalloc): {memory:.0f} MB")
    print("target: the click returns at once (no request does long work); the job's time is unchanged work")


def db_name(url: str) -> str:
    return url.split("://", 1)[0]


if __name__ == "__main__":
    main()
