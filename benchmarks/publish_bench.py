"""Publishing a national conference's schedule, and a participant's agenda, on PostgreSQL.

    createdb -h 127.0.0.1 -U postgres bench_h2
    nice .venv/bin/python benchmarks/publish_bench.py [--database-url URL] [--buyers 3000]
        [--producers 8000] [--with-meetings 5700] [--slots 20] [--tables 1200] [--sample 50]

Seeds (bulk inserts, deterministic) an event in the given database, which is emptied first:
N buyers and M producers, one account each (vi/en/fr), one product or demand line each,
all approved; a matchmaking session of one day (`--slots` slots of 25 + 5 minutes) with
`--tables` tables, full: slots x tables meetings (24,000 by default) among all buyers and
the first `--with-meetings` producers, solved and not yet published. One more producer
has 12 meetings: the participant whose agenda is measured. Then, in one run:

- baseline: the per-person path this change replaced (each person's mail read the whole
  session's meetings, its recipients and its dedupe key one query at a time, and added and
  flushed its outbox row alone; see `baseline_notify`) on `--sample` people spread over
  the registrations, timed and extrapolated to everyone (rolled back);
- now: `sessions.publish` as the publish job calls it (meetings published, every agenda
  mail queued in the outbox), its time, SQL statements and outbox rows, then the commit;
- the outbox sender: `send_outbox` draining every queued mail through a mailer that
  accepts at once (what the workers do, without the SMTP server's own time);
- the agenda page, its .ics download and its feed for the participant with 12 meetings:
  SQL statements and the median time of `--repeat` requests each (the app's test client,
  in process), against a static file served the same way.
`--pages-only` publishes by a plain UPDATE (no mails) and measures only the pages; it runs on
the code before this change too (copy this file beside an older checkout's app/).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCHEDULER_ENABLED", "0")

from sqlalchemy import event as sa_event  # noqa: E402
from sqlalchemy import func, insert, select, text  # noqa: E402

PASSWORD = "benchmark password 42"  # noqa: S105
LOCALES = ("vi", "vi", "en", "fr")
SLUG = "hoi-nghi-ket-noi-cung-cau-quoc-gia"
MEASURED_EMAIL = "nsx.12@bench.vn"


class Queries:
    """Counts the SQL statements sent while the block runs."""

    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _tick(self, *_args):
        self.count += 1

    def __enter__(self):
        sa_event.listen(self.engine, "before_cursor_execute", self._tick)
        return self

    def __exit__(self, *exc):
        sa_event.remove(self.engine, "before_cursor_execute", self._tick)


def _bulk(db, model, rows: list[dict], chunk: int = 5000) -> None:
    for start in range(0, len(rows), chunk):
        db.session.execute(insert(model), rows[start : start + chunk])


def seed(app, args) -> dict:
    """The event, people and meetings, by bulk inserts; returns the ids the measures need."""
    from app import clock
    from app.accounts.models import User
    from app.accounts.passwords import hash_password
    from app.catalog.models import DemandLine, Organisation, Product
    from app.events.models import Event, EventOrganiser, Registration, RegistrationDemand, RegistrationProduct
    from app.extensions import db
    from app.matching.models import MatchingSession, Meeting

    now = clock.now().replace(microsecond=0)
    password = hash_password(PASSWORD)
    buyers, producers = args.buyers, args.producers
    with app.app_context():
        organiser = User(
            email="organiser@bench.vn", password_hash=password, full_name="Ban tổ chức", role="organiser"
        )
        db.session.add(organiser)
        starts = datetime.combine((now + timedelta(days=60)).date(), clock_time(1, 0), UTC)  # 08:00 in Hanoi
        event = Event(
            slug=SLUG,
            kind="conference",
            state="scheduled",
            name_vi="Hội nghị kết nối cung cầu sản phẩm OCOP toàn quốc",
            name_en="National OCOP buyer-supplier conference",
            name_fr="Conférence nationale acheteurs-fournisseurs OCOP",
            timezone="Asia/Ho_Chi_Minh",
            starts_at=starts,
            ends_at=starts + timedelta(hours=12),
            venue_name="Trung tâm Hội nghị Quốc gia",
            exhibitor_capacity=producers + 10,
            buyer_capacity=buyers + 10,
        )
        db.session.add(event)
        db.session.flush()
        db.session.add(EventOrganiser(event_id=event.id, user_id=organiser.id))
        # Organisations: producers first (ids 1..M+1: the M producers and the measured one), then buyers.
        people = producers + 1 + buyers
        _bulk(
            db,
            Organisation,
            [
                {
                    "role": "producer" if n <= producers else "buyer",
                    "name": f"HTX Nông sản {n}" if n <= producers else f"Siêu thị {n - producers}",
                    "producer_kind": "cooperative" if n <= producers else None,
                    "buyer_type": None if n <= producers else "supermarket",
                    "province_code": ("22", "24", "20", "01")[n % 4],
                    "search_text": "",
                }
                for n in range(people)
            ],
        )
        org_ids = list(db.session.scalars(select(Organisation.id).order_by(Organisation.id)))
        producer_orgs, buyer_orgs = org_ids[: producers + 1], org_ids[producers + 1 :]
        _bulk(
            db,
            User,
            [
                {
                    "email": (MEASURED_EMAIL if n == producers else f"nguoi{n}@bench.vn"),
                    "password_hash": password,
                    "full_name": f"Người {n}",
                    "role": "exhibitor" if n <= producers else "buyer",
                    "locale": LOCALES[n % len(LOCALES)],
                    "organisation_id": org_id,
                    "is_active_account": True,
                }
                for n, org_id in enumerate(org_ids)
            ],
        )
        today = clock.today()
        _bulk(
            db,
            Product,
            [
                {
                    "organisation_id": org_id,
                    "name_vi": f"Chè xanh {n}",
                    "name_en": f"Green tea {n}",
                    "ocop_group": "beverages",
                    "category": "tea",
                    "stars": 3 + n % 3,
                    "certificate_date": today - timedelta(days=200),
                    "certificate_expiry": today + timedelta(days=800),
                    "search_text": "",
                }
                for n, org_id in enumerate(producer_orgs)
            ],
        )
        _bulk(
            db,
            DemandLine,
            [
                {
                    "organisation_id": org_id,
                    "category": "tea",
                    "monthly_volume": 500,
                    "unit": "kg",
                    "min_stars": 3,
                }
                for org_id in buyer_orgs
            ],
        )
        _bulk(
            db,
            Registration,
            [
                {
                    "event_id": event.id,
                    "organisation_id": org_id,
                    "role": "exhibitor" if n <= producers else "buyer",
                    "status": "approved",
                }
                for n, org_id in enumerate(org_ids)
            ],
        )
        registration_of = dict(
            db.session.execute(
                select(Registration.organisation_id, Registration.id).where(Registration.event_id == event.id)
            ).all()
        )
        product_of = dict(db.session.execute(select(Product.organisation_id, Product.id)).all())
        line_of = dict(db.session.execute(select(DemandLine.organisation_id, DemandLine.id)).all())
        _bulk(
            db,
            RegistrationProduct,
            [{"registration_id": registration_of[o], "product_id": product_of[o]} for o in producer_orgs],
        )
        _bulk(
            db,
            RegistrationDemand,
            [{"registration_id": registration_of[o], "demand_line_id": line_of[o]} for o in buyer_orgs],
        )
        day = (starts + timedelta(hours=7)).date()
        session = MatchingSession(
            event_id=event.id,
            name="Phiên kết nối B2B",
            first_day=day,
            last_day=day,
            day_start=clock_time(8, 0),
            day_end=_day_end(args.slots),
            meeting_minutes=25,
            gap_minutes=5,
            breaks="",
            tables=args.tables,
            table_names="",
            max_meetings_per_buyer=12,
            max_meetings_per_producer=12,
            state="solved",
            solved_at=now,
        )
        db.session.add(session)
        db.session.flush()
        # Meeting n (slot n // tables, table n % tables): buyer n % B, producer n % P. Within a
        # slot nobody meets twice (tables < B, P) and no pair repeats (lcm(B, P) > meetings).
        buyer_regs = [registration_of[o] for o in buyer_orgs]
        producer_regs = [registration_of[o] for o in producer_orgs[: args.with_meetings]]
        measured = registration_of[producer_orgs[producers]]
        rows = []
        for n in range(args.slots * args.tables):
            slot, table = divmod(n, args.tables)
            producer = producer_regs[n % len(producer_regs)]
            if table == slot and slot < 12:  # the measured producer's 12 meetings, one a slot
                producer = measured
            rows.append(
                {
                    "session_id": session.id,
                    "buyer_registration_id": buyer_regs[n % len(buyer_regs)],
                    "producer_registration_id": producer,
                    "slot": slot,
                    "table": table,
                    "score": 0.5 + (n % 50) / 100,
                    "why_json": None,
                    "status": "scheduled",
                    "published": False,
                    "fixed": False,
                    "sequence": 0,
                    "checkin_code": f"B{n:07d}",
                    "created_at": now,
                    "updated_at": now,
                }
            )
        _bulk(db, Meeting, rows)
        db.session.commit()
        return {
            "event_id": event.id,
            "session_id": session.id,
            "organiser_id": organiser.id,
            "measured": measured,
            "meetings": len(rows),
        }


def _day_end(slots: int) -> clock_time:
    minutes = 8 * 60 + slots * 30 - 5
    return clock_time(minutes // 60, minutes % 60)


# ---------------------------------------------------------------- the path this change replaced


def baseline_notify(session, registration_ids, kind: str) -> int:
    """The per-person path before this change (app/matching/agenda/mail.py at a8bf0c8), query
    for query: per person the registration, the whole session's published meetings (filtered
    in Python), the counterparts' names (lazy loads), its recipients, and per mail a dedupe
    lookup and an outbox row added and flushed alone. The text is made by today's `_mail`."""
    import hashlib

    from flask_babel import force_locale

    from app.accounts.models import User
    from app.events.models import Registration
    from app.extensions import db
    from app.matching.agenda import mail
    from app.matching.sessions import services as sessions
    from app.notifications.services import queue_mail

    slots = sessions.slots_of(session)
    snapshots = sessions.agenda_snapshot(session)
    queued = 0
    for registration_id in sorted(registration_ids):
        registration = db.session.get(Registration, registration_id)
        if registration is None:
            continue
        snapshot = sorted(snapshots.get(registration_id, set()))
        digest = hashlib.sha1(repr(snapshot).encode(), usedforsecurity=False).hexdigest()[:16]
        users = db.session.scalars(
            select(User)
            .where(User.organisation_id == registration.organisation_id, User.is_active_account.is_(True))
            .order_by(User.id)
        ).all()
        for user in users:
            locale = user.locale or "vi"
            with force_locale(locale):
                mine = [
                    m
                    for m in sessions.published_meetings(session)
                    if registration_id in (m.buyer_registration_id, m.producer_registration_id)
                ]
                lines = {"active": [], "cancelled": []}
                for m in mine:
                    other = m.producer if m.buyer_registration_id == registration_id else m.buyer
                    line = mail._line(session, slots, m, other.organisation.name)
                    lines["cancelled" if m.status == "cancelled" else "active"].append(line)
                agenda = mail.Agenda(
                    registration_id,
                    registration.organisation_id,
                    registration.organisation.name,
                    lines["active"],
                    lines["cancelled"],
                    digest,
                )
                subject, body = mail._mail(kind, session, agenda, locale)
            message = queue_mail(
                to_address=user.email,
                subject=subject,
                body=body,
                kind=kind,
                user_id=user.id,
                dedupe_key=f"{kind}:{session.id}:{registration_id}:{user.id}:{digest}",
            )
            queued += message is not None
    return queued


class AcceptingMailer:
    """Takes every mail at once: the sender's own cost, without an SMTP server's."""

    sent = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def send(self, message):
        AcceptingMailer.sent += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_h2")
    parser.add_argument("--buyers", type=int, default=3000)
    parser.add_argument("--producers", type=int, default=8000)
    parser.add_argument("--with-meetings", type=int, default=5700, help="producers that get meetings")
    parser.add_argument("--slots", type=int, default=20)
    parser.add_argument("--tables", type=int, default=1200)
    parser.add_argument("--sample", type=int, default=50, help="people timed on the baseline path")
    parser.add_argument("--repeat", type=int, default=30, help="requests per page for the median")
    parser.add_argument("--pages-only", action="store_true")
    args = parser.parse_args()

    import logging

    logging.disable(logging.INFO)
    from app import create_app
    from app.extensions import db
    from app.matching.models import MatchingSession, Meeting
    from app.matching.sessions import services as sessions
    from app.notifications import services as outbox
    from app.notifications.models import OutboxMessage

    app = create_app(
        "development",
        SQLALCHEMY_DATABASE_URI=args.database_url,
        CELERY_BROKER_URL="memory://localhost/",
        WTF_CSRF_ENABLED=False,
        SCHEDULER_ENABLED=False,
        LOGIN_ADDRESS_LIMIT="1000 per minute",
    )
    with app.app_context():
        db.drop_all()
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.create_all()
    started = time.perf_counter()
    ids = seed(app, args)
    print(
        f"seeded {args.buyers:,} buyers, {args.producers + 1:,} producers ({args.with_meetings:,} + 1 with "
        f"meetings), {ids['meetings']:,} meetings over {args.slots} slots and {args.tables:,} tables "
        f"on {args.database_url.split('://')[0]} in {time.perf_counter() - started:.1f} s\n"
    )

    from app.accounts.models import User

    def context():
        return app.test_request_context("/?lang=en")

    with app.app_context():
        people = sorted(
            {r for (r,) in db.session.execute(select(Meeting.buyer_registration_id))}
            | {r for (r,) in db.session.execute(select(Meeting.producer_registration_id))}
        )

    if args.pages_only:  # published as publish() leaves it, without the mails
        with app.app_context():
            db.session.execute(
                Meeting.__table__.update()
                .where(Meeting.session_id == ids["session_id"])
                .values(published=True)
            )
            db.session.execute(
                MatchingSession.__table__.update()
                .where(MatchingSession.id == ids["session_id"])
                .values(state="published")
            )
            db.session.commit()
    else:
        # Baseline: the old per-person path on a sample, inside the publication's transaction.
        sample = people[:: max(1, len(people) // args.sample)][: args.sample]
        with app.app_context(), context():
            session = db.session.get(MatchingSession, ids["session_id"])
            db.session.execute(
                Meeting.__table__.update().where(Meeting.session_id == session.id).values(published=True)
            )
            t0 = time.perf_counter()
            with Queries(db.engine) as base_queries:
                queued = baseline_notify(session, sample, "matching_published")
            base_time = time.perf_counter() - t0
            db.session.rollback()
        per_person = base_time / len(sample)
        print(
            f"baseline (the per-person path, {len(sample)} people sampled): {per_person:.3f} s and "
            f"{base_queries.count / len(sample):.0f} SQL statements a person, {queued} mails; extrapolated "
            f"to {len(people):,} people: {per_person * len(people):,.0f} s "
            f"({per_person * len(people) / 3600:.2f} h)"
        )

        with app.app_context(), context():
            session = db.session.get(MatchingSession, ids["session_id"])
            organiser = db.session.get(User, ids["organiser_id"])
            t0 = time.perf_counter()
            with Queries(db.engine) as publish_queries:
                notified = sessions.publish(organiser, session)
            publish_time = time.perf_counter() - t0
            t1 = time.perf_counter()
            db.session.commit()
            commit_time = time.perf_counter() - t1
            rows = db.session.scalar(select(func.count()).select_from(OutboxMessage))
        print(
            f"now: publish() {publish_time:.1f} s + commit {commit_time:.1f} s, {notified:,} participants: "
            f"{rows:,} outbox rows, {publish_queries.count} SQL statements "
            f"(target: all mails queued in at most 30 s)"
        )

        with app.app_context():
            t0 = time.perf_counter()
            AcceptingMailer.sent = 0
            runs = 0
            while True:
                counts = outbox.send_due(AcceptingMailer(), batch=outbox.JOB_BATCH)
                runs += 1
                if counts.claimed < outbox.JOB_BATCH:
                    break
            send_time = time.perf_counter() - t0
            left = db.session.scalar(
                select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "queued")
            )
        print(
            f"sender: {AcceptingMailer.sent:,} mails out of the outbox in {send_time:.1f} s "
            f"({AcceptingMailer.sent / send_time:,.0f} a second, batches of {outbox.JOB_BATCH}; "
            f"{left} left queued); the minute job sends for up to {outbox.SEND_BUDGET_SECONDS:.0f} s\n"
        )

    # The measured participant's pages.
    client = app.test_client()
    response = client.post("/login", data={"email": MEASURED_EMAIL, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    page = client.get(f"/my/events/{SLUG}/agenda?lang=en")
    assert page.status_code == 200, page.status_code
    shown = page.get_data(as_text=True).count("data-meeting=")
    feed = re.search(r"(/feeds/agenda/[A-Za-z0-9_\-]+\.ics)", page.get_data(as_text=True)).group(1)
    static = next(p for p in (ROOT / "app" / "static").rglob("*.css"))
    urls = [
        ("agenda page", f"/my/events/{SLUG}/agenda"),
        (".ics download", f"/my/events/{SLUG}/agenda.ics"),
        ("feed", feed),
        ("a static file", "/static/" + static.relative_to(ROOT / "app" / "static").as_posix()),
    ]
    print(f"participant with {shown} meetings (requests in process, median of {args.repeat}):")
    for name, url in urls:
        with app.app_context(), Queries(db.engine) as page_queries:
            assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - t0)
            assert response.status_code == 200
        print(
            f"  {name:<14} {page_queries.count:>4} SQL statements {statistics.median(times) * 1000:>8.1f} ms"
        )


if __name__ == "__main__":
    main()
