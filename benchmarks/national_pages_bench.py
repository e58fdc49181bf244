"""The public event page and the organiser's session page: bytes, SQL statements and seconds,
on the demo fair and on a national conference written in bulk (3,000 buyers, 8,000 exhibitors
with 15,939 products, 24,000 meetings; issue 10).

    .venv/bin/python benchmarks/national_pages_bench.py                 # demo, then national
    .venv/bin/python benchmarks/national_pages_bench.py --buyers 300 --exhibitors 600 --meetings 2400
    .venv/bin/python benchmarks/national_pages_bench.py --database-url postgresql+psycopg://...

The same script runs against an older checkout (PYTHONPATH) for the "before" figures: it only
reads pages through the test client and writes rows with SQLAlchemy Core.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(os.environ.get("OCOPFAIR_ROOT", Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCHEDULER_ENABLED", "0")

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import insert, select, text  # noqa: E402


def measure(engine, client, url: str, runs: int = 2) -> tuple[int, int, float, int]:
    """(bytes, statements, best seconds, status) of GET url (requests outside any app context,
    each in its own database session, as in production)."""
    best = None
    for _ in range(runs):
        count = 0

        def counted(*_args):
            nonlocal count
            count += 1

        sa_event.listen(engine, "before_cursor_execute", counted)
        started = time.perf_counter()
        try:
            response = client.get(url)
        finally:
            sa_event.remove(engine, "before_cursor_execute", counted)
        elapsed = time.perf_counter() - started
        result = (len(response.data), count, elapsed, response.status_code)
        if best is None or elapsed < best[2]:
            best = result
    return best


def report(label: str, figures: tuple[int, int, float, int]) -> None:
    size, count, seconds, status = figures
    print(f"  {label:<44} {size / 1024:>10,.0f} KB {count:>7,} statements {seconds:>8.2f} s  (HTTP {status})")


def log_in(client, email: str, password: str) -> None:
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.status_code


def seed_national(app, organiser_id: int, buyers: int, exhibitors: int, products: int, meetings: int):
    """A national conference in bulk: approved registrations, products, a session and meetings."""
    from app.accounts.models import User
    from app.catalog.models import Organisation, Product
    from app.data.provinces import PROVINCES, fold
    from app.events import services as events
    from app.events.models import Registration, RegistrationProduct
    from app.extensions import db
    from app.matching.models import Meeting
    from app.matching.sessions import services as sessions
    from app.transaction import transaction

    provinces = sorted(PROVINCES)
    with app.test_request_context(), transaction():
        organiser = db.session.get(User, organiser_id)
        now = datetime.now(UTC).replace(microsecond=0)
        starts = now + timedelta(days=40)
        event = events.create_event(
            organiser,
            slug="hoi-nghi-ket-noi-cung-cau-toan-quoc",
            kind="physical_fair",
            name_vi="Hội nghị kết nối cung cầu sản phẩm OCOP toàn quốc",
            name_en="National OCOP supply and demand conference",
            timezone="Asia/Ho_Chi_Minh",
            starts_at=starts,
            ends_at=starts + timedelta(days=3),
            venue_name="Trung tâm Hội nghị Quốc gia",
            exhibitor_capacity=10_000,
            buyer_capacity=5_000,
            exhibitor_registration_opens_at=now - timedelta(days=1),
            exhibitor_registration_closes_at=starts - timedelta(days=10),
            buyer_registration_opens_at=now - timedelta(days=1),
            buyer_registration_closes_at=starts - timedelta(days=5),
        )
        events.open_registration(organiser, event)
        event_id = event.id

        def organisations(role: str, n: int, word: str) -> list[int]:
            rows = []
            for i in range(n):
                province = provinces[i % len(provinces)]
                name = f"{word} {PROVINCES[province]} số {i + 1}"
                kind = {"buyer_type": "supermarket"} if role == "buyer" else {"producer_kind": "cooperative"}
                rows.append(
                    {
                        "role": role,
                        "name": name,
                        "province_code": province,
                        "commune": "Xã Nam Sơn",
                        "search_text": fold(f"{name} Xã Nam Sơn {PROVINCES[province]}"),
                    }
                    | kind
                )
            ids = []
            for start in range(0, len(rows), 2000):
                ids += db.session.scalars(
                    insert(Organisation).returning(Organisation.id), rows[start : start + 2000]
                ).all()
            return ids

        def registrations(role: str, organisation_ids: list[int]) -> list[int]:
            rows = [
                {"event_id": event_id, "organisation_id": oid, "role": role, "status": "approved"}
                for oid in organisation_ids
            ]
            ids = []
            for start in range(0, len(rows), 2000):
                ids += db.session.scalars(
                    insert(Registration).returning(Registration.id), rows[start : start + 2000]
                ).all()
            return ids

        producer_orgs = organisations("producer", exhibitors, "HTX Nông sản")
        buyer_orgs = organisations("buyer", buyers, "Siêu thị")
        today = datetime.now(UTC).date()
        product_rows = []
        owners = []
        for i in range(products):
            org = producer_orgs[i % exhibitors]
            name = f"Chè xanh đặc sản số {i + 1}"
            product_rows.append(
                {
                    "organisation_id": org,
                    "name_vi": name,
                    "name_en": f"Green tea no. {i + 1}",
                    "ocop_group": "beverages",
                    "category": "tea",
                    "stars": 3 + i % 3,
                    "certificate_date": today - timedelta(days=100),
                    "certificate_status": "verified",  # checked by an organiser: in the catalogue
                    "certificate_expiry": today + timedelta(days=900),
                    "search_text": fold(f"{name} Green tea no. {i + 1}"),
                }
            )
            owners.append(org)
        product_ids = []
        for start in range(0, len(product_rows), 2000):
            product_ids += db.session.scalars(
                insert(Product).returning(Product.id), product_rows[start : start + 2000]
            ).all()
        producer_regs = registrations("exhibitor", producer_orgs)
        buyer_regs = registrations("buyer", buyer_orgs)
        registration_of = dict(zip(producer_orgs, producer_regs, strict=True))
        links = [
            {"registration_id": registration_of[org], "product_id": pid}
            for org, pid in zip(owners, product_ids, strict=True)
        ]
        for start in range(0, len(links), 5000):
            db.session.execute(insert(RegistrationProduct), links[start : start + 5000])

        first = sessions.event_days(event)[0]
        tables = 600
        session = sessions.create_session(
            organiser,
            event,
            name="Kết nối giao thương",
            first_day=first,
            last_day=first + timedelta(days=1),
            tables=tables,
            day_start=datetime.strptime("08:00", "%H:%M").time(),
            day_end=datetime.strptime("17:00", "%H:%M").time(),
        )
        n_slots = len(sessions.slots_of(session))
        why = json.dumps(
            {
                "score": 0.72,
                "terms": [
                    {"term": "category", "value": 1.0, "weight": 0.3, "detail": {"category": "tea"}},
                    {"term": "capacity", "value": 0.5, "weight": 0.2, "detail": {"ratio": 0.5}},
                    {"term": "stars", "value": 0.75, "weight": 0.1, "detail": {"stars": 4}},
                ],
            }
        )
        each = max(1, meetings // buyers)
        group = tables  # buyers per group of `each` slots: one table each
        rows = []
        for i in range(buyers):
            for k in range(each):
                slot = (i // group) * each + k
                if slot >= n_slots or len(rows) >= meetings:
                    continue
                rows.append(
                    {
                        "session_id": session.id,
                        "buyer_registration_id": buyer_regs[i],
                        "producer_registration_id": producer_regs[(i * each + k) % exhibitors],
                        "slot": slot,
                        "table": i % group,
                        "score": 0.72,
                        "why_json": why,
                        "status": "scheduled",
                        "published": False,
                        "fixed": False,
                        "sequence": 0,
                        "checkin_code": f"N{len(rows):09d}",
                    }
                )
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(Meeting), rows[start : start + 5000])
        everyone = [f"b{r}" for r in buyer_regs] + [f"p{r}" for r in producer_regs]
        session.state = "solved"
        session.last_run_json = json.dumps(
            {
                "candidates": dict.fromkeys(everyone, 5),
                "unscheduled": [],
                "stats": {"upper_bound": len(rows) * 0.8, "runtime_s": 40.0},
            }
        )
        return event.slug, event_id, session.id, len(rows), n_slots


def fresh_app(database_url: str | None, prefix: str):
    """An app on `database_url` (or a new SQLite file) with an empty schema made from the models,
    its queue in memory, no clock, no CSRF: (app, url). Shared by the benchmarks that write a
    national event in bulk."""
    from app import create_app
    from app.extensions import db

    logging.disable(logging.WARNING)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    url = database_url or f"sqlite:///{folder / 'bench.sqlite'}"
    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=url,
        CELERY_BROKER_URL="memory://localhost/",
        TASKS_FOLDER=str(folder / "tasks"),
        WTF_CSRF_ENABLED=False,
        SCHEDULER_ENABLED=False,
        RATELIMIT_STORAGE_URI="memory://",
    )
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    return app, url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--buyers", type=int, default=3_000)
    parser.add_argument("--exhibitors", type=int, default=8_000)
    parser.add_argument("--products", type=int, default=15_939)
    parser.add_argument("--meetings", type=int, default=24_000)
    parser.add_argument("--database-url")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-session", action="store_true", help="only the public page at national size")
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    from app.accounts.models import User
    from app.demo.services import DEMO_LOGINS, DEMO_PASSWORD, load_demo
    from app.events.models import Event
    from app.extensions import db
    from app.matching.models import MatchingSession
    from app.transaction import transaction

    app, url = fresh_app(args.database_url, "ocopfair-pages-bench-")
    print(f"code: {ROOT}  database: {url.split('@')[-1]}")
    with app.app_context():
        started = time.perf_counter()
        with app.test_request_context(), transaction():
            load_demo(2025)
        print(f"demo loaded in {time.perf_counter() - started:.1f} s")
        organiser_email = next(login.email for login in DEMO_LOGINS if login.role == "organiser")
        organiser_id = db.session.scalar(select(User.id).where(User.email == organiser_email))
        session = db.session.scalar(select(MatchingSession).order_by(MatchingSession.id))
        demo = db.session.get(Event, session.event_id)
        demo_urls = (f"/events/{demo.slug}", f"/manage/events/{demo.id}/matching/{session.id}")
        engine = db.engine
    client = app.test_client()
    log_in(client, organiser_email, DEMO_PASSWORD)
    client.get("/?lang=en")
    if not args.skip_demo:
        print("demo fair:")
        report("public event page", measure(engine, client, demo_urls[0], args.runs))
        report("session page", measure(engine, client, demo_urls[1], args.runs))
    started = time.perf_counter()
    with app.app_context():
        slug, event_id, session_id, written, n_slots = seed_national(
            app, organiser_id, args.buyers, args.exhibitors, args.products, args.meetings
        )
    print(
        f"national: {args.buyers:,} buyers, {args.exhibitors:,} exhibitors, {args.products:,} products, "
        f"{written:,} meetings in {n_slots} slots, written in {time.perf_counter() - started:.1f} s"
    )
    report("public event page", measure(engine, client, f"/events/{slug}", args.runs))
    report(
        "public event page, search 'ha noi'", measure(engine, client, f"/events/{slug}?q=ha+noi", args.runs)
    )
    report("public event page, page 100", measure(engine, client, f"/events/{slug}?page=100", args.runs))
    if not args.skip_session:
        base = f"/manage/events/{event_id}/matching/{session_id}"
        report("session page", measure(engine, client, base, args.runs))
        report("session page, 100 a page", measure(engine, client, base + "?per_page=100", args.runs))
        report(
            "session page, person 'sieu thi ha noi'",
            measure(engine, client, base + "?person=sieu+thi+ha+noi", args.runs),
        )
        report("session page, slot 3, page 5", measure(engine, client, base + "?slot=3&page=5", args.runs))


if __name__ == "__main__":
    main()
