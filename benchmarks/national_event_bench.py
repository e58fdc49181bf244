"""National event benchmark (issue 10): the whole app at national size, each figure beside a
baseline measured in the same run, and a PASS/FAIL summary.

    nice -n 10 .venv/bin/python benchmarks/national_event_bench.py                  # everything
    .venv/bin/python benchmarks/national_event_bench.py --size province             # quick check
    .venv/bin/python benchmarks/national_event_bench.py --only pages,load --size national
    .venv/bin/python benchmarks/national_event_bench.py --reseed --timeout 400

Options: --only matching,publish,pages,load,search,import,booths (default: all);
--size national|province|both (default: both); --reseed (drop and seed again);
--database-url URL (default postgresql+psycopg://postgres@127.0.0.1:5432/bench_n5: the
benchmark uses the databases <name>_national, <name>_province and <name>_catalog on that
server, creating them when missing); --timeout S (matching children, default 900);
--publish-timeout S; --pages-timeout S; --load-requests N; --load-seconds S; --concurrency N.

What it does, per size (national: 3,000 buyers × 8,000 producers, ~15,600 products, one
user per organisation, 20 slots × 1,200 tables, caps 12 per buyer and 10 per producer,
~169,000 candidate pairs out of ~2.4 million category-sharing pairs; province: 300 × 600,
16 slots × 40 tables):

1. Seed (benchmarks/national_seed.py, deterministic): schema by `flask db upgrade`, rows by
   SQLAlchemy Core executemany with explicit ids. A fingerprint table (bench_fingerprint)
   says what was seeded: a rerun reuses the database (meetings and mails of an earlier run
   are reset before matching) and `flask db upgrade` applies any new migration.
2. matching: in child processes (so ru_maxrss is that run's own peak): the app's
   build_instance (instance JSON), the pure solver alone on that JSON (the baseline, as
   benchmarks/matching_bench.py runs it), then the whole app: the "Run matching" job
   (app.matching.jobs.run_matching_job: load, score, solve, write, commit). Wall, CPU, peak
   memory; targets national ≤ 30 s, ≤ 1 GiB, whole app ÷ solver ≤ 5; province ≤ 2 s. A
   child past --timeout is stopped and reported as "did not finish in N s"; the meetings
   are then seeded directly (the solver's schedule when it ran, else a greedy one), so the
   later steps still have meetings.
3. publish: the "Publish" job in a child (meetings published + one agenda mail per person
   queued in the outbox), beside the floor of bulk-inserting as many outbox rows. Target:
   every mail queued ≤ 30 s. If it does not finish, meetings are published by SQL.
4. pages: SQL queries (a before_cursor_execute listener, Flask test client, logged in
   through /login as the right user; a warm-up request first) of a buyer's agenda page (the
   buyer with most meetings), its .ics, its token feed (targets ≤ 12), the public event
   page (≤ 15), the organiser's session grid (its count, and its size: < 200 KB), and the
   catalogue search. Baseline: the same page's count at province size (a count that does
   not grow with the event has no N+1).
5. load (the largest size run): gunicorn (2 sync workers, as the Procfile's web process)
   started on a free loopback port, 50 concurrent keep-alive connections (benchmarks/
   http_load.py), logged in with the session cookies of the test client's logins; p50/p95
   of each page and of /catalogue?q=..., each over the p95 of a static file served by the
   same gunicorn in the same run (target p95 ≤ 10×). A page whose single probe request
   takes over 3 s is not load-tested (it would hold the workers for minutes).
6. search, import: benchmarks/catalog_national_bench.py's measure_search / measure_import
   (search at 17,000 and 170,000 products; preview + confirmation of 20,000 rows), in
   their own database <name>_catalog; "not available" while that module is missing.
7. booths: benchmarks/booth_allocation_bench.py's generate/run, 1,000 requests, the
   allocator against the greedy baseline (target ≤ 2 s).

Times are wall-clock; CPU seconds are printed beside them (the figure to trust on a busy
machine). Seeding takes ~20 s (first run, or after --reseed). A full run of both sizes took
19 minutes on the code before issue 10 with `--timeout 300 --publish-timeout 120
--pages-timeout 240 --probe-timeout 60 --load-requests 300 --load-seconds 45`, most of it
waiting for those timeouts; with the defaults, code that meets the targets should take
about 10 minutes (plus what catalog_national_bench's measures take).
"""

from __future__ import annotations

import argparse
import inspect
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

STEPS = ("matching", "publish", "pages", "load", "search", "import", "booths")
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_n5"
SECRET = "national-event-bench-secret-key-0123456789abcdef"  # noqa: S105 - a local benchmark's key
STATIC = "/static/css/app.css"
SEARCH_WORDS = "mật ong"
TARGETS = {
    "national": {"matching_s": 30.0, "matching_mb": 1024.0, "ratio": 5.0},
    "province": {"matching_s": 2.0, "matching_mb": 1024.0, "ratio": 5.0},
}
PUBLISH_TARGET = 30.0
QUERY_TARGETS = {"agenda page": 12, "agenda .ics": 12, "token feed": 12, "public event page": 15}
GRID_KB_TARGET = 200
LOAD_RATIO_TARGET = 10.0
BOOTHS_TARGET = 2.0
SLOW_PROBE = 3.0

BENCH_ENV = {
    "SECRET_KEY": SECRET,
    "SCHEDULER_ENABLED": "0",
    "OCOPFAIR_CONFIG": "development",
    "LOGIN_ADDRESS_LIMIT": "100000 per minute",
    "SIGNUP_ADDRESS_LIMIT": "100000 per minute",
    "RATELIMIT_STORAGE_URI": "memory://",
    "CELERY_BROKER_URL": "memory://localhost/",
    "MAIL_SERVER": "",
    "SERVER_HOST": "127.0.0.1:5000",
    "LOGIN_DELAY_AFTER": "1000",
    "LOGIN_LOCK_AFTER": "1000",
}


# ---------------------------------------------------------------- small helpers


def database_url(base: str, suffix: str) -> str:
    prefix, _sep, name = base.rpartition("/")
    name = name.split("?", 1)[0]
    return f"{prefix}/{name}_{suffix}"


def make_app(url: str):
    import logging

    from app import create_app

    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url,
        WTF_CSRF_ENABLED=False,
        SCHEDULER_ENABLED=False,
        TASKS_FOLDER=str(Path(tempfile.gettempdir()) / "ocopfair-national-bench-tasks"),
    )
    logging.disable(logging.INFO)
    return app


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class NoProgress:
    """What a job handler gets as `progress` when the benchmark calls it directly."""

    def __getattr__(self, _name):
        return lambda *args, **kwargs: None


def fmt_s(value) -> str:
    return "—" if value is None else f"{value:.2f} s"


def fmt_ms(value) -> str:
    return "—" if value is None else f"{value * 1000:.0f} ms"


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


class Summary:
    def __init__(self):
        self.rows: list[tuple[str, str, str, str, str]] = []

    def add(self, figure: str, value: str, baseline: str, target: str, ok: bool | None) -> None:
        self.rows.append((figure, value, baseline, target, verdict(ok)))

    def print(self) -> None:
        header = ("figure", "value", "baseline (same run)", "target", "")
        rows = [header, *self.rows]
        widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
        print("\n" + "=" * (sum(widths) + 8))
        print("SUMMARY")
        for n, row in enumerate(rows):
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                print("  ".join("-" * w for w in widths))


def run_child(mode: str, url: str, timeout: float, *extra: str) -> tuple[dict | None, float, list[dict]]:
    """Run this file as a child in `mode`; (its result or None if it did not finish, wall seconds,
    the JSON lines it wrote so far)."""
    out = Path(tempfile.mkstemp(prefix=f"national-bench-{mode}-", suffix=".jsonl")[1])
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, __file__, "--child", mode, url, str(out), *extra], cwd=ROOT, start_new_session=True
    )
    try:
        code = child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)  # the child and anything it started
        child.wait()
        code = None
        end_connections(url)
    wall = time.perf_counter() - started
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    out.unlink(missing_ok=True)
    if code is None:
        return None, wall, lines
    if code != 0:
        return {"error": f"exit code {code}"}, wall, lines
    final = [line for line in lines if line.get("final")]
    return (final[-1] if final else {"error": "no result"}), wall, lines


def end_connections(url: str) -> None:
    """End the server side of a killed child's connections (this benchmark's own database only),
    so its locks go at once rather than when the server notices the client is gone."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    engine.dispose()


def emit(out: str, record: dict) -> None:
    with open(out, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, default=str) + "\n")


# ---------------------------------------------------------------- the databases


def ensure_database(url: str) -> None:
    from sqlalchemy import create_engine, text

    name = url.rpartition("/")[2].split("?", 1)[0]
    server = create_engine(url.rpartition("/")[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()


def upgrade(url: str) -> None:
    env = os.environ | BENCH_ENV | {"DATABASE_URL": url}
    result = subprocess.run(
        [str(ROOT / ".venv/bin/flask"), "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        print(result.stderr[-3000:])
        raise SystemExit(f"flask db upgrade failed on {url}")


def fingerprint_of(size: str) -> str:
    import national_seed

    params = {k: str(v) for k, v in national_seed.SIZES[size].items()}
    return json.dumps(
        {"version": national_seed.GENERATOR_VERSION, "size": size, "params": params}, sort_keys=True
    )


def read_fingerprint(url: str) -> dict | None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if not connection.scalar(text("SELECT to_regclass('public.bench_fingerprint') IS NOT NULL")):
                return None
            row = connection.execute(text("SELECT key, info FROM bench_fingerprint")).first()
            return {"key": row[0], "info": json.loads(row[1])} if row else None
    finally:
        engine.dispose()


def prepare_database(size: str, url: str, reseed: bool) -> dict:
    """Seed the size's database unless the fingerprint says it holds that data; returns its info."""
    from datetime import date

    import national_seed
    from sqlalchemy import create_engine, text

    ensure_database(url)
    key = fingerprint_of(size)
    found = read_fingerprint(url)
    if found and found["key"] == key and not reseed:
        upgrade(url)
        info = found["info"]
        print(f"[{size}] reusing the seeded database {url.rpartition('/')[2]} (seeded {info['day']})")
        return info
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    started = time.perf_counter()
    upgrade(url)
    migrated = time.perf_counter() - started
    today = date.today()
    data = national_seed.generate(size, today)
    generated = time.perf_counter() - started - migrated
    from app.accounts.passwords import hash_password

    password_hash = hash_password(national_seed.PASSWORD)
    engine = create_engine(url)
    with engine.begin() as connection:
        national_seed.write(connection, data, password_hash)
        info = {"day": today.isoformat(), "counts": data.counts()}
        connection.execute(text("CREATE TABLE bench_fingerprint (key text PRIMARY KEY, info text NOT NULL)"))
        connection.execute(
            text("INSERT INTO bench_fingerprint VALUES (:k, :i)"), {"k": key, "i": json.dumps(info)}
        )
    engine.dispose()
    print(
        f"[{size}] seeded {url.rpartition('/')[2]} in {time.perf_counter() - started:.1f} s "
        f"(migrations {migrated:.1f} s, generation {generated:.1f} s): {info['counts']}"
    )
    return info


def session_state(url: str) -> dict:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        state = connection.scalar(text("SELECT state FROM matching_sessions WHERE id = 1"))
        meetings = connection.scalar(
            text("SELECT count(*) FROM meetings WHERE session_id = 1 AND status <> 'cancelled'")
        )
        published = connection.scalar(
            text("SELECT count(*) FROM meetings WHERE session_id = 1 AND published AND status <> 'cancelled'")
        )
        mails = connection.scalar(text("SELECT count(*) FROM outbox_messages"))
    engine.dispose()
    return {"state": state, "meetings": meetings, "published": published, "mails": mails}


def reset_matching(url: str) -> None:
    """Back to an unsolved session: no meetings, no mails, no feed tokens (an earlier run's)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox_messages"))
        connection.execute(text("DELETE FROM agenda_tokens"))
        connection.execute(text("DELETE FROM meeting_outcomes"))
        connection.execute(text("DELETE FROM meetings"))
        connection.execute(
            text(
                "UPDATE matching_sessions SET state = 'draft', last_run_json = NULL, solved_at = NULL, "
                "published_at = NULL WHERE id = 1"
            )
        )
    engine.dispose()


def unpublish(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox_messages"))
        connection.execute(text("UPDATE meetings SET published = false WHERE session_id = 1"))
        connection.execute(
            text("UPDATE matching_sessions SET state = 'solved', published_at = NULL WHERE id = 1")
        )
    engine.dispose()


def seed_meetings(size: str, url: str, info: dict, schedule_file: Path | None) -> str:
    """Meetings written directly (matching skipped or not finished): the solver's schedule if it
    ran, else a greedy one. Returns where they came from."""
    from datetime import date

    import national_seed
    from sqlalchemy import create_engine, text

    from app.matching.models import Meeting

    if schedule_file is not None and schedule_file.exists():
        rows = national_seed.schedule_meetings(json.loads(schedule_file.read_text(encoding="utf-8")))
        source = "the pure solver's schedule"
    else:
        data = national_seed.generate(size, date.fromisoformat(info["day"]))
        rows = national_seed.greedy_meetings(data)
        source = "a greedy schedule (bench-side)"
    engine = create_engine(url)
    with engine.begin() as connection:
        for start in range(0, len(rows), 5_000):
            connection.execute(Meeting.__table__.insert(), rows[start : start + 5_000])
        connection.execute(text("UPDATE matching_sessions SET state = 'solved' WHERE id = 1"))
        connection.execute(text("ANALYZE meetings"))
    engine.dispose()
    return f"{len(rows)} meetings seeded directly from {source}"


def publish_by_sql(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE meetings SET published = true WHERE session_id = 1"))
        connection.execute(
            text("UPDATE matching_sessions SET state = 'published', published_at = now() WHERE id = 1")
        )
    engine.dispose()


# ---------------------------------------------------------------- children


def child_instance(url: str, out: str) -> None:
    app = make_app(url)
    from app.extensions import db
    from app.matching.models import MatchingSession
    from app.matching.sessions.services import build_instance

    with app.app_context(), app.test_request_context("/"):
        session = db.session.get(MatchingSession, 1)
        wall, cpu = time.perf_counter(), time.process_time()
        instance = build_instance(session)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        path = Path(out).with_suffix(".instance.json")
        path.write_text(json.dumps(instance), encoding="utf-8")
        db.session.rollback()
    emit(
        out,
        {
            "final": True,
            "wall": wall,
            "cpu": cpu,
            "peak_mb": peak_mb(),
            "pairs": len(instance["pairs"]),
            "path": str(path),
        },
    )


def child_solver(_url: str, out: str, path: str, time_limit: str) -> None:
    from app.matching.engine.solver import solve

    wall, cpu = time.perf_counter(), time.process_time()
    instance = json.loads(Path(path).read_bytes())
    schedule = solve(instance, time_limit=float(time_limit) if time_limit != "none" else None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    schedule_path = Path(path).with_suffix(".schedule.json")
    schedule_path.write_text(json.dumps(schedule), encoding="utf-8")
    emit(
        out,
        {
            "final": True,
            "wall": wall,
            "cpu": cpu,
            "peak_mb": peak_mb(),
            "meetings": len(schedule["meetings"]),
            "schedule": str(schedule_path),
        },
    )


def _organiser(db):
    from sqlalchemy import select

    from app.accounts.models import User

    return db.session.scalar(select(User).where(User.email == "organiser@bench.vn"))


def child_app(url: str, out: str) -> None:
    app = make_app(url)
    from flask_babel import force_locale
    from sqlalchemy import func, select

    from app.extensions import db
    from app.matching import jobs
    from app.matching.models import Meeting
    from app.transaction import transaction

    with app.app_context():
        organiser = _organiser(db)
        wall, cpu = time.perf_counter(), time.process_time()
        with force_locale("vi"), transaction():
            outcome = jobs.run_matching_job(organiser, NoProgress(), event_id=1, session_id=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        meetings = db.session.scalar(select(func.count()).select_from(Meeting).where(Meeting.session_id == 1))
    emit(
        out,
        {
            "final": True,
            "wall": wall,
            "cpu": cpu,
            "peak_mb": peak_mb(),
            "meetings": meetings,
            "message": str(getattr(outcome, "message", outcome)),
        },
    )


def child_publish(url: str, out: str) -> None:
    app = make_app(url)
    from flask_babel import force_locale
    from sqlalchemy import func, select

    from app.extensions import db
    from app.matching import jobs
    from app.notifications.models import OutboxMessage
    from app.transaction import transaction

    with app.app_context():
        organiser = _organiser(db)
        wall, cpu = time.perf_counter(), time.process_time()
        with force_locale("vi"), transaction():
            outcome = jobs.publish_job(organiser, NoProgress(), event_id=1, session_id=1)
        followups = drain(app)  # jobs the publication enqueued (mails in batches, if it does so)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        mails = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        body = db.session.scalar(select(func.avg(func.length(OutboxMessage.body))))
    emit(
        out,
        {
            "final": True,
            "wall": wall,
            "cpu": cpu,
            "peak_mb": peak_mb(),
            "mails": mails,
            "body_chars": float(body or 0),
            "message": str(getattr(outcome, "message", outcome)),
            "followups": followups,
        },
    )


def drain(app) -> int:
    """Run every message waiting in the (in-memory) task queue as the worker does; how many ran."""
    from app.tasks.queue import QUEUES, celery_app

    celery = celery_app(app)
    ran = 0
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
                task.apply(args=args, kwargs=kwargs, task_id=message.headers["id"], throw=True).get()
                ran += 1
            queue.close()
    return ran


def busiest_buyer(db) -> tuple[str, int, int]:
    """(e-mail of its user, registration id, meetings) of the buyer with most published meetings."""
    from sqlalchemy import func, select

    from app.accounts.models import User
    from app.events.models import Registration
    from app.matching.models import Meeting

    row = db.session.execute(
        select(Meeting.buyer_registration_id, func.count())
        .where(Meeting.published.is_(True), Meeting.status != "cancelled")
        .group_by(Meeting.buyer_registration_id)
        .order_by(func.count().desc(), Meeting.buyer_registration_id)
        .limit(1)
    ).first()
    if row is None:
        raise SystemExit("no published meeting: nothing to show on an agenda")
    registration = db.session.get(Registration, row[0])
    email = db.session.scalar(
        select(User.email).where(User.organisation_id == registration.organisation_id).order_by(User.id)
    )
    return email, registration.id, row[1]


def logged_in_client(app, email: str):
    import national_seed
    from http_load import USER_AGENT

    client = app.test_client()
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT  # the load client's, as one browser
    response = client.post("/login", data={"email": email, "password": national_seed.PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"logging in as {email} failed: {response.status_code}")
    return client


def page_urls(app, db, slug: str) -> list[tuple[str, str, str]]:
    """(name, who, path) of the measured pages, built from the app's url_map."""
    from flask import url_for

    with app.test_request_context("/"):
        return [
            ("agenda page", "buyer", url_for("matching.agenda", slug=slug)),
            ("agenda .ics", "buyer", url_for("matching.agenda_ics", slug=slug)),
            ("token feed", "anonymous", "TOKEN"),
            ("public event page", "anonymous", url_for("events_public.event_page", slug=slug)),
            ("catalogue search", "anonymous", url_for("catalog.catalogue", q=SEARCH_WORDS)),
            ("session grid", "organiser", url_for("matching.session", event_id=1, session_id=1)),
        ]


def feed_path(app, db, registration_id: int) -> str:
    from flask import url_for
    from sqlalchemy import select

    from app.matching.models import AgendaToken

    token = db.session.scalar(select(AgendaToken.token).where(AgendaToken.registration_id == registration_id))
    with app.test_request_context("/"):
        return url_for("matching.agenda_feed", token=token)


def child_pages(url: str, out: str) -> None:
    """Each request runs outside any app context of ours, as in production (its own app
    context, its own database session): an outer context would share `g` and the session's
    identity map between requests and hide queries."""
    from sqlalchemy import event as sa_event
    from sqlalchemy import select

    from app.events.models import Event
    from app.extensions import db

    app = make_app(url)
    with app.app_context():
        slug = db.session.scalar(select(Event.slug).where(Event.id == 1))
        email, registration_id, meetings = busiest_buyer(db)
        engine = db.engine
        urls = page_urls(app, db, slug)
    clients = {
        "buyer": logged_in_client(app, email),
        "organiser": logged_in_client(app, "organiser@bench.vn"),
        "anonymous": app.test_client(),
    }
    emit(out, {"buyer": email, "registration": registration_id, "meetings": meetings})
    count = [0]

    def tick(*_args):
        count[0] += 1

    for name, who, path in urls:
        if path == "TOKEN":
            with app.app_context():
                path = feed_path(app, db, registration_id)
        client = clients[who]
        first = client.get(path)  # warm-up (templates, the feed token made on a first visit)
        count[0] = 0
        sa_event.listen(engine, "before_cursor_execute", tick)
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        sa_event.remove(engine, "before_cursor_execute", tick)
        emit(
            out,
            {
                "page": name,
                "path": path,
                "status": response.status_code,
                "first_status": first.status_code,
                "queries": count[0],
                "kb": len(response.data) / 1024,
                "seconds": elapsed,
            },
        )
    emit(out, {"final": True})


# ---------------------------------------------------------------- steps


def step_matching(size: str, url: str, args, summary: Summary, work: Path) -> Path | None:
    """Returns the solver's schedule file when the solver ran (for seeding meetings)."""
    from app.matching.sessions import services

    time_limit = getattr(services, "DEFAULT_TIME_LIMIT", None)
    reset_matching(url)
    print(f"\n[{size}] matching (children; timeout {args.timeout:.0f} s each)")
    built, _built_wall, _ = run_child("instance", url, args.timeout)
    solver = None
    if built is None:
        print(f"  app build_instance: did not finish in {args.timeout:.0f} s")
    elif "error" in built:
        print(f"  app build_instance: failed ({built['error']})")
    else:
        print(
            f"  app build_instance (load + score): {built['wall']:.2f} s wall, {built['cpu']:.2f} s CPU, "
            f"{built['peak_mb']:.0f} MB peak; {built['pairs']} pairs"
        )
        summary.add(
            f"{size}: app build_instance (load + score)",
            f"{built['wall']:.2f} s, {built['peak_mb']:.0f} MB",
            f"{built['pairs']} pairs",
            "(report)",
            None,
        )
        solver, _wall, _ = run_child(
            "solver", url, args.timeout, built["path"], "none" if time_limit is None else str(time_limit)
        )
        if solver is None or "error" in solver:
            print(f"  pure solver: {'did not finish' if solver is None else solver['error']}")
            solver = None
        else:
            print(
                f"  pure solver alone (read JSON + solve): {solver['wall']:.2f} s wall, "
                f"{solver['cpu']:.2f} s CPU, {solver['peak_mb']:.0f} MB peak; {solver['meetings']} meetings"
            )
    whole, _whole_wall, _ = run_child("app", url, args.timeout)
    targets = TARGETS[size]
    base_s = fmt_s(solver["wall"]) if solver else "not available"
    base_mb = f"{solver['peak_mb']:.0f} MB" if solver else "not available"
    if whole is None or "error" in whole:
        reason = f"did not finish in {args.timeout:.0f} s" if whole is None else whole["error"]
        print(f"  whole app (run_matching_job): {reason}")
        summary.add(
            f"{size}: matching, whole app (wall)", reason, base_s, f"≤ {targets['matching_s']:g} s", False
        )
        summary.add(f"{size}: matching, whole app ÷ solver", "—", "", f"≤ {targets['ratio']:g}", None)
    else:
        print(
            f"  whole app (run_matching_job: load, score, solve, write, commit): {whole['wall']:.2f} s wall, "
            f"{whole['cpu']:.2f} s CPU, {whole['peak_mb']:.0f} MB peak; {whole['meetings']} meetings "
            f"({whole['message']})"
        )
        summary.add(
            f"{size}: matching, whole app (wall)",
            f"{whole['wall']:.2f} s (CPU {whole['cpu']:.1f} s)",
            f"solver {base_s}",
            f"≤ {targets['matching_s']:g} s",
            whole["wall"] <= targets["matching_s"],
        )
        summary.add(
            f"{size}: matching, whole app peak memory",
            f"{whole['peak_mb']:.0f} MB",
            f"solver {base_mb}",
            "≤ 1024 MB",
            whole["peak_mb"] <= targets["matching_mb"],
        )
        if solver:
            ratio = whole["wall"] / max(solver["wall"], 1e-9)
            summary.add(
                f"{size}: matching, whole app ÷ solver",
                f"{ratio:.1f}×",
                f"solver {base_s}",
                f"≤ {targets['ratio']:g}×",
                ratio <= targets["ratio"],
            )
        summary.add(
            f"{size}: meetings written",
            str(whole["meetings"]),
            f"solver {solver['meetings']}" if solver else "",
            "(report)",
            None,
        )
    if built and "path" in built:
        Path(built["path"]).unlink(missing_ok=True)
    if solver and "schedule" in solver:
        kept = work / f"{size}-schedule.json"
        Path(solver["schedule"]).replace(kept)
        return kept
    return None


def step_publish(size: str, url: str, args, summary: Summary) -> None:
    from sqlalchemy import create_engine

    from app.notifications.models import OutboxMessage

    state = session_state(url)
    if state["state"] == "published":
        unpublish(url)
    print(f"\n[{size}] publish (child; timeout {args.publish_timeout:.0f} s)")
    result, _wall, _ = run_child("publish", url, args.publish_timeout)
    participants = state_people(url)
    mails = result.get("mails") if result and "error" not in result else None
    # Baseline: the floor of the same mails, bulk-inserted in one executemany (rolled back).
    count = mails or participants
    body = "x" * int((result or {}).get("body_chars") or 600)
    from datetime import UTC, datetime

    now = datetime.now(UTC)
    rows = [
        {
            "to_address": f"person{n}@bench.vn",
            "subject": "Lịch gặp B2B của bạn",
            "body": body,
            "kind": "matching_published",
            "dedupe_key": f"bench:{n}",
            "status": "queued",
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for n in range(count)
    ]
    engine = create_engine(url)
    with engine.connect() as connection:
        transaction = connection.begin()
        started = time.perf_counter()
        for start in range(0, len(rows), 5_000):
            connection.execute(OutboxMessage.__table__.insert(), rows[start : start + 5_000])
        floor = time.perf_counter() - started
        transaction.rollback()
    engine.dispose()
    baseline = f"{count} outbox rows bulk-inserted {floor:.2f} s"
    if result is None or "error" in result:
        reason = f"did not finish in {args.publish_timeout:.0f} s" if result is None else result["error"]
        print(f"  publish job: {reason}; meetings published by SQL for the next steps")
        publish_by_sql(url)
        summary.add(f"{size}: publish (mails queued)", reason, baseline, f"≤ {PUBLISH_TARGET:g} s", False)
        return
    print(
        f"  publish job: {result['wall']:.2f} s wall, {result['cpu']:.2f} s CPU, "
        f"{result['peak_mb']:.0f} MB peak; "
        f"{result['mails']} mails queued for {participants} participants with meetings "
        f"({result['message']}; {result.get('followups', 0)} follow-up jobs run)"
    )
    print(f"  baseline: {baseline}")
    summary.add(
        f"{size}: publish, {result['mails']} mails queued",
        f"{result['wall']:.2f} s (CPU {result['cpu']:.1f} s)",
        baseline,
        f"≤ {PUBLISH_TARGET:g} s",
        result["wall"] <= PUBLISH_TARGET,
    )


def state_people(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        people = connection.scalar(
            text(
                "SELECT count(*) FROM (SELECT buyer_registration_id FROM meetings WHERE session_id = 1 "
                "AND status <> 'cancelled' UNION SELECT producer_registration_id FROM meetings "
                "WHERE session_id = 1 AND status <> 'cancelled') AS people"
            )
        )
    engine.dispose()
    return int(people or 0)


def vacuum_analyze(url: str) -> None:
    """What autovacuum does on a production server after a run rewrote the meetings: dead rows
    reclaimed and the planner's statistics refreshed. This test server runs with autovacuum off,
    and a run or publish leaves tens of thousands of dead rows and stale statistics behind."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            autovacuum = connection.execute(text("SHOW autovacuum")).scalar()
            connection.execute(text("VACUUM ANALYZE"))
    finally:
        engine.dispose()
    print(f"  VACUUM ANALYZE before the pages (this server's autovacuum: {autovacuum})")


def step_pages(size: str, url: str, args) -> dict:
    print(f"\n[{size}] pages: SQL queries and size (test client; child, timeout {args.pages_timeout:.0f} s)")
    result, wall, lines = run_child("pages", url, args.pages_timeout)
    pages = {}
    for line in lines:
        if "buyer" in line:
            print(
                f"  participant: {line['buyer']} (registration {line['registration']}, "
                f"{line['meetings']} meetings)"
            )
        if "page" in line:
            pages[line["page"]] = line
            print(
                f"  {line['page']:<18} {line['queries']:>5} queries {line['kb']:>8.1f} KB "
                f"{line['seconds'] * 1000:>8.0f} ms  HTTP {line['status']}  {line['path']}"
            )
    if result is None:
        print(
            f"  (the pages child did not finish in {args.pages_timeout:.0f} s; "
            "pages after the last above missing)"
        )
    elif "error" in result:
        print(f"  (the pages child failed: {result['error']})")
    print(f"  ({wall:.0f} s)")
    return pages


def add_page_rows(
    size: str, pages: dict, baseline_pages: dict | None, summary: Summary, timeout: float
) -> None:
    def base(name: str) -> str:
        if baseline_pages and name in baseline_pages:
            return f"province {baseline_pages[name]['queries']} queries"
        return ""

    for name, target in QUERY_TARGETS.items():
        page = pages.get(name)
        if page is None or page["status"] != 200:
            value = "missing" if page is None else f"HTTP {page['status']}"
            summary.add(f"{size}: {name}, SQL queries", value, base(name), f"≤ {target}", False)
            continue
        summary.add(
            f"{size}: {name}, SQL queries",
            str(page["queries"]),
            base(name),
            f"≤ {target}",
            page["queries"] <= target,
        )
    grid = pages.get("session grid")
    if grid is None or grid["status"] != 200:
        value = f"did not finish in {timeout:.0f} s" if grid is None else f"HTTP {grid['status']}"
        summary.add(f"{size}: session grid, size", value, "", f"< {GRID_KB_TARGET} KB", False)
        summary.add(f"{size}: session grid, SQL queries", value, base("session grid"), "(report)", None)
    else:
        summary.add(
            f"{size}: session grid, size",
            f"{grid['kb']:.0f} KB",
            "",
            f"< {GRID_KB_TARGET} KB",
            grid["kb"] < GRID_KB_TARGET,
        )
        summary.add(
            f"{size}: session grid, SQL queries",
            f"{grid['queries']} ({grid['seconds']:.1f} s)",
            base("session grid"),
            "(report)",
            None,
        )
    search = pages.get("catalogue search")
    if search is not None:
        summary.add(
            f"{size}: catalogue search, SQL queries",
            str(search["queries"]),
            base("catalogue search"),
            "(report)",
            None,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    def __init__(self, url: str, workers: int = 2):
        self.url, self.workers, self.process, self.port = url, workers, None, None

    def start(self) -> None:
        self.port = free_port()
        env = os.environ | BENCH_ENV | {"DATABASE_URL": self.url}
        self.process = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "--workers",
                str(self.workers),
                "--bind",
                f"127.0.0.1:{self.port}",
                "--timeout",
                "600",
                "--backlog",
                "512",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        from http_load import get_once

        deadline = time.perf_counter() + 90
        while time.perf_counter() < deadline:
            try:
                status, _body, _s = get_once("127.0.0.1", self.port, STATIC, timeout=5)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def step_load(size: str, url: str, args, summary: Summary) -> None:
    from http_load import get_once, load

    app = make_app(url)
    from sqlalchemy import select

    from app.events.models import Event
    from app.extensions import db

    with app.app_context():
        slug = db.session.scalar(select(Event.slug).where(Event.id == 1))
        email, registration_id, _meetings = busiest_buyer(db)
        urls = page_urls(app, db, slug)
    cookies = {}
    for who, address in (("buyer", email), ("organiser", "organiser@bench.vn")):
        client = logged_in_client(app, address)
        # A page after the login, as a browser shows one: the welcome flash is read, so the
        # cookie the load client sends carries none (else every request would rewrite it).
        # The buyer's is the agenda page, which makes the feed token.
        client.get(urls[0][2] if who == "buyer" else "/")
        cookies[who] = f"session={client.get_cookie('session').value}"
    with app.app_context():
        feed = feed_path(app, db, registration_id)
    pages = [(name, who, feed if path == "TOKEN" else path) for name, who, path in urls]
    print(
        f"\n[{size}] load: gunicorn, {args.concurrency} concurrent keep-alive connections, up to "
        f"{args.load_requests} requests or {args.load_seconds:.0f} s per page"
    )
    server = Gunicorn(url)
    server.start()
    results = {}
    try:
        targets = [("static file", "anonymous", STATIC), *pages]
        for name, who, path in targets:
            cookie = cookies.get(who)
            try:
                status, body, probe = get_once(
                    "127.0.0.1", server.port, path, cookie, timeout=args.probe_timeout
                )
            except OSError:
                print(
                    f"  {name:<18} one request did not answer in {args.probe_timeout:.0f} s: not load-tested"
                )
                results[name] = ("timeout", None)
                server.restart()
                continue
            if status != 200:
                print(f"  {name:<18} HTTP {status}: not load-tested")
                results[name] = (f"HTTP {status}", None)
                continue
            if probe > SLOW_PROBE:
                print(f"  {name:<18} one request took {probe:.1f} s: not load-tested")
                results[name] = (f"one request {probe:.1f} s", None)
                continue
            result = load(
                "127.0.0.1",
                server.port,
                path,
                cookie=cookie,
                concurrency=args.concurrency,
                requests=args.load_requests,
                seconds=args.load_seconds,
            )
            results[name] = ("ok", result)
            others = {k: v for k, v in result.statuses.items() if k != 200}
            print(
                f"  {name:<18} p50 {fmt_ms(result.p50):>8}  p95 {fmt_ms(result.p95):>8}  "
                f"{result.ok} OK in {result.wall:.1f} s ({result.ok / max(result.wall, 1e-9):.0f}/s), "
                f"{len(body) / 1024:.1f} KB"
                + (f", other statuses {others}" if others else "")
                + (f", {result.errors} errors" if result.errors else "")
                + (" (time budget ran out)" if result.stopped_early else "")
            )
            if result.stopped_early:
                server.restart()  # drop the requests still queued in the workers
    finally:
        server.stop()
    static = results.get("static file", (None, None))[1]
    base = static.p95 if static else None
    base_text = f"static p95 {fmt_ms(base)}" if base else "static file not measured"
    for name, _who, _path in pages:
        state, result = results.get(name, ("missing", None))
        if result is None or result.p95 is None:
            summary.add(
                f"{size}: load {name}, p95", state, base_text, f"≤ {LOAD_RATIO_TARGET:g}× static", False
            )
            continue
        ratio = result.p95 / base if base else None
        summary.add(
            f"{size}: load {name}, p50 / p95",
            f"{fmt_ms(result.p50)} / {fmt_ms(result.p95)}"
            + (f" = {ratio:.1f}× static" if ratio is not None else "")
            + (" (budget ran out)" if result.stopped_early else ""),
            base_text + (f" (p50 {fmt_ms(static.p50)})" if static else ""),
            f"p95 ≤ {LOAD_RATIO_TARGET:g}× static",
            None if ratio is None else ratio <= LOAD_RATIO_TARGET,
        )


def _call_flexibly(function, known: dict):
    """Call H4's measure_* with the arguments it names among `known` (it may take none)."""
    parameters = inspect.signature(function).parameters
    kwargs = {}
    for name, parameter in parameters.items():
        if name in known:
            kwargs[name] = known[name]
        elif parameter.default is inspect.Parameter.empty and parameter.kind in (
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            inspect.Parameter.KEYWORD_ONLY,
        ):
            raise TypeError(f"{function.__name__} needs {name!r}, which this benchmark does not know")
    return function(**kwargs)


def _print_result(label: str, result) -> list[str]:
    """Print what measure_* returned (dict, list of dicts, or anything) and return lines."""
    lines = []
    if isinstance(result, dict):
        lines = [f"{key}: {value}" for key, value in result.items()]
    elif isinstance(result, (list, tuple)):
        for item in result:
            lines.append(
                ", ".join(f"{k}: {v}" for k, v in item.items()) if isinstance(item, dict) else str(item)
            )
    elif result is not None:
        lines = [str(result)]
    for line in lines:
        print(f"  {label}: {line}")
    return lines


def step_catalog(which: str, base_url: str, summary: Summary) -> None:
    print(f"\n{which}: benchmarks/catalog_national_bench.py")
    try:
        import catalog_national_bench
    except ImportError as error:
        print(f"  not available ({error})")
        summary.add(f"catalogue {which}", "not available", "", "", None)
        return
    function = getattr(catalog_national_bench, f"measure_{which}", None)
    if function is None:
        print(f"  not available (no measure_{which})")
        summary.add(f"catalogue {which}", "not available", "", "", None)
        return
    url = database_url(base_url, "catalog")
    ensure_database(url)
    upgrade(url)
    known = {
        "database_url": url,
        "url": url,
        "db_url": url,
        "sizes": (17_000, 170_000),
        "counts": (17_000, 170_000),
        "rows": 20_000,
        "n_rows": 20_000,
        "seed": 1,
        "quiet": False,
        "verbose": True,
    }
    per_size = ("products", "n_products", "size", "count", "n")
    parameters = inspect.signature(function).parameters
    if "app" in parameters:
        known["app"] = make_app(url)
    started = time.perf_counter()
    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url  # for a module that builds its app from the environment
    try:
        wanted = [n for n in per_size if n in parameters]
        if which == "search" and wanted and "sizes" not in parameters:
            result = [
                {"products": n} | _as_dict(_call_flexibly(function, known | {wanted[0]: n}))
                for n in (17_000, 170_000)
            ]
        else:
            result = _call_flexibly(function, known)
    except Exception as error:  # their module may change under us: report, go on
        print(f"  failed: {type(error).__name__}: {error}")
        summary.add(
            f"catalogue {which}", f"failed ({type(error).__name__}: {str(error)[:40]})", "", "", False
        )
        return
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved
    print(f"  ({time.perf_counter() - started:.0f} s)")
    lines = _print_result(which, result)
    if _summarise_catalog(which, result, summary):
        return
    if not lines:
        summary.add(f"catalogue {which}", "ran (its own output above)", "", "", None)
    for line in lines[:8]:
        summary.add(f"catalogue {which}", line[:90], "(see above)", "", _verdict_in(line))


def _summarise_catalog(which: str, result, summary: Summary) -> bool:
    """The search and import figures as summary rows with their targets (False: unknown shape)."""
    try:
        if which == "search":
            for size, figures in sorted(result.items()):
                target = int(size) >= 170_000
                summary.add(
                    f"catalogue search at {int(size):,} products",
                    f"median {figures['indexed_ms']:.1f} ms, slowest word {figures['max_indexed_ms']:.1f} ms"
                    f" (index used: {figures['index_used']})",
                    f"sequential scan {figures['sequential_ms']:.1f} ms",
                    "≤ 20 ms" if target else "(report)",
                    figures["indexed_ms"] <= 20 and figures["index_used"] if target else None,
                )
                summary.add(
                    f"catalogue facets at {int(size):,} products",
                    f"{figures['facets_ms']:.0f} ms (one grouped query)",
                    f"two scans {figures['facets_two_scans_ms']:.0f} ms",
                    "(report)",
                    None,
                )
            return True
        if which == "import":
            rows = f"{result['rows']:,} rows"
            summary.add(
                f"import preview, {rows}",
                f"{result['preview_s']:.1f} s, {result['preview_queries']} queries, "
                f"{result['preview_peak_mb']:.0f} MB",
                f"reading the file {result['read_s']:.1f} s",
                "≤ 10 s",
                result["preview_s"] <= 10,
            )
            summary.add(
                f"import confirmation (job), {rows}",
                f"{result['confirm_s']:.1f} s, {result['confirm_queries']} statements, "
                f"{result['progress_updates']} progress steps",
                f"reading the file {result['read_s']:.1f} s",
                "≤ 30 s",
                result["confirm_s"] <= 30 and result["created"] == result["rows"],
            )
            return True
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return False


def _as_dict(value) -> dict:
    return value if isinstance(value, dict) else {"result": value}


def _verdict_in(line: str) -> bool | None:
    """PASS/FAIL when the module's own figures say so."""
    upper = line.upper()
    if "FAIL" in upper:
        return False
    if "PASS" in upper or "'OK'" in upper:
        return True
    return None


def step_booths(summary: Summary) -> None:
    import booth_allocation_bench as booths

    print("\nbooths: benchmarks/booth_allocation_bench.py (1,000 requests, 1,200 booths)")
    stalls, requests, rules = booths.generate(2025, 1_000, 1_200)
    weights = booths.Weights()
    result, seconds, cpu, _peak = booths.run(booths.allocate, stalls, requests, rules, weights)
    greedy, greedy_seconds, _gcpu, _gpeak = booths.run(
        booths.greedy_first_preference, stalls, requests, rules, weights
    )
    print(
        f"  allocator {seconds:.3f} s (CPU {cpu:.3f} s), placed {result.stats.placed}, "
        f"score {result.stats.total}; "
        f"greedy {greedy_seconds:.3f} s, placed {greedy.stats.placed}, "
        f"score {greedy.stats.total}"
    )
    summary.add(
        "booth allocation, 1,000 requests",
        f"{seconds:.2f} s (score {result.stats.total})",
        f"greedy {greedy_seconds:.2f} s (score {greedy.stats.total})",
        f"≤ {BOOTHS_TARGET:g} s",
        seconds <= BOOTHS_TARGET,
    )


# ---------------------------------------------------------------- main


def guarded(summary: Summary, name: str, step, *args):
    """Run one step; an error (the app changed under the benchmark) is reported, the run goes on."""
    import traceback

    try:
        return step(*args)
    except (Exception, SystemExit) as error:
        traceback.print_exc()
        summary.add(name, f"error: {type(error).__name__}: {str(error)[:60]}", "", "", False)
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(STEPS), help="comma-separated: " + ",".join(STEPS))
    parser.add_argument("--size", choices=("national", "province", "both"), default="both")
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per matching child")
    parser.add_argument("--publish-timeout", type=float, default=600.0)
    parser.add_argument("--pages-timeout", type=float, default=600.0)
    parser.add_argument("--probe-timeout", type=float, default=120.0)
    parser.add_argument("--load-requests", type=int, default=500)
    parser.add_argument("--load-seconds", type=float, default=60.0)
    parser.add_argument("--concurrency", type=int, default=50)
    args = parser.parse_args()
    only = {s.strip() for s in args.only.split(",") if s.strip()}
    unknown = only - set(STEPS)
    if unknown:
        parser.error(f"unknown steps: {', '.join(sorted(unknown))}")
    os.environ.update(BENCH_ENV)
    sizes = ["province", "national"] if args.size == "both" else [args.size]
    started = time.perf_counter()
    summary = Summary()
    work = Path(tempfile.mkdtemp(prefix="national-bench-"))
    page_results: dict[str, dict] = {}
    needs_db = only & {"matching", "publish", "pages", "load"}
    for size in sizes if needs_db else []:
        url = database_url(args.database_url, size)
        info = prepare_database(size, url, args.reseed)
        counts = info["counts"]
        print(
            f"[{size}] {counts['buyers']} buyers × {counts['producers']} producers, "
            f"{counts['products']} products, "
            f"{counts['demand_lines']} demand lines, "
            f"{counts['category_sharing_pairs']} category-sharing pairs, "
            f"{counts['candidate_pairs']} candidate pairs (hard filters as the scoring's)"
        )
        schedule = None
        if "matching" in only:
            schedule = guarded(summary, f"{size}: matching", step_matching, size, url, args, summary, work)
        state = session_state(url)
        if not state["meetings"] and only & {"publish", "pages", "load"}:
            print(f"  {seed_meetings(size, url, info, schedule)}")
        if "publish" in only:
            guarded(summary, f"{size}: publish", step_publish, size, url, args, summary)
        state = session_state(url)
        if state["state"] != "published" and only & {"pages", "load"}:
            publish_by_sql(url)
            print(f"  [{size}] meetings published by SQL for the page measurements (publish step skipped)")
        if only & {"pages", "load"}:
            vacuum_analyze(url)
        if "pages" in only:
            page_results[size] = guarded(summary, f"{size}: pages", step_pages, size, url, args) or {}
            add_page_rows(
                size,
                page_results[size],
                page_results.get("province") if size == "national" else None,
                summary,
                args.pages_timeout,
            )
    if "load" in only:
        size = sizes[-1]
        guarded(
            summary, f"{size}: load", step_load, size, database_url(args.database_url, size), args, summary
        )
    if "search" in only:
        guarded(summary, "catalogue search", step_catalog, "search", args.database_url, summary)
    if "import" in only:
        guarded(summary, "catalogue import", step_catalog, "import", args.database_url, summary)
    if "booths" in only:
        guarded(summary, "booth allocation", step_booths, summary)
    summary.print()
    print(f"\n(whole run: {time.perf_counter() - started:.0f} s)")


def child_main(mode: str, url: str, out: str, *extra: str) -> None:
    os.environ.update(BENCH_ENV)
    {
        "instance": child_instance,
        "solver": child_solver,
        "app": child_app,
        "publish": child_publish,
        "pages": child_pages,
    }[mode](url, out, *extra)


if __name__ == "__main__":
    if len(sys.argv) >= 5 and sys.argv[1] == "--child":
        child_main(*sys.argv[2:])
    else:
        main()
