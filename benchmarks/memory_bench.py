"""Memory across events at national size (issue 16, item 5): what remembering earlier events
costs the whole app's matching run, beside the same run without history, in one process tree.

    .venv/bin/python benchmarks/memory_bench.py --size province          # quick check
    nice -n 10 .venv/bin/python benchmarks/memory_bench.py --size national

It reuses benchmarks/national_event_bench.py's seeded databases (<name>_national,
<name>_province; --database-url, default postgresql+psycopg://postgres@127.0.0.1:5432/bench_n5):

1. baseline: session 1's meetings removed, then the whole app's "Run matching" job
   (national_event_bench's child "app": load, score, solve, write, commit), with no earlier
   event in the database: the history statement finds nothing.
2. history: an earlier event of the same organiser (a year before) is written by SQL with
   one meeting for every meeting the baseline wrote (the same organisation pairs: the worst
   case, every remembered pair is a candidate again), published, their statuses and both
   sides' outcomes mixed deterministically (contract, sample order, follow-up, no interest,
   no-show, held with nothing recorded).
3. `memory.pair_history` alone (wall, statements, pairs), then the same "Run matching" job
   again, now scoring every remembered pair with its history term. Target: the whole app
   within the national matching target (≤ 30 s; province ≤ 2 s).
4. The earlier event is deleted (cascade) and session 1's meetings removed: the database is
   left as seeded.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import national_event_bench as bench  # noqa: E402

EARLIER_SLUG = "memory-bench-earlier-event"
# Per meeting id modulo 10: (status, buyer's outcome, producer's outcome).
MIX = [
    ("held", "follow_up", "follow_up"),
    ("held", "contract", None),
    ("held", "no_interest", None),
    ("held", None, "sample_order"),
    ("held", None, None),
    ("no_show", None, None),
    ("held", "no_interest", "follow_up"),
    ("held", "follow_up", None),
    ("scheduled", None, None),
    ("held", None, "no_interest"),
]


def verify_certificates(url: str) -> int:
    """Databases seeded before national_seed marked its certificates verified hold them all
    'missing' (no product is an offer and matching writes nothing): mark them verified, as an
    organiser would have, so the runs match as the benchmark intends."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        changed = connection.execute(
            text("UPDATE products SET certificate_status = 'verified' WHERE certificate_status = 'missing'")
        ).rowcount
    engine.dispose()
    return changed


def clear_session(url: str) -> None:
    """Session 1 unsolved again (only its meetings: the earlier event's stay)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM outbox_messages"))
        connection.execute(text("DELETE FROM agenda_tokens WHERE session_id = 1"))
        connection.execute(text("DELETE FROM meetings WHERE session_id = 1"))
        connection.execute(
            text(
                "UPDATE matching_sessions SET state = 'draft', last_run_json = NULL, solved_at = NULL, "
                "published_at = NULL WHERE id = 1"
            )
        )
    engine.dispose()


def drop_earlier(url: str) -> None:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM events WHERE slug = :s"), {"s": EARLIER_SLUG})
    engine.dispose()


def seed_history(url: str) -> int:
    """The earlier event, its registrations, session and a meeting per session-1 meeting."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as connection:
        event_id = connection.execute(
            text(
                "INSERT INTO events (slug, kind, state, name_vi, name_en, timezone, starts_at, ends_at, "
                "province_code, exhibitor_capacity, buyer_capacity, created_at, updated_at) "
                "SELECT :slug, kind, 'finished', 'Hội chợ OCOP Quảng Ninh 2026', "
                "'Quang Ninh OCOP fair 2026', "
                "timezone, starts_at - interval '365 days', ends_at - interval '365 days', province_code, "
                "exhibitor_capacity, buyer_capacity, now(), now() FROM events WHERE id = 1 RETURNING id"
            ),
            {"slug": EARLIER_SLUG},
        ).scalar_one()
        connection.execute(
            text(
                "INSERT INTO event_organisers (event_id, user_id, summary_mail) "
                "SELECT :e, user_id, false FROM event_organisers WHERE event_id = 1"
            ),
            {"e": event_id},
        )
        connection.execute(
            text(
                "INSERT INTO registrations (event_id, organisation_id, role, status, created_at, updated_at) "
                "SELECT :e, organisation_id, role, 'approved', now(), now() FROM registrations "
                "WHERE event_id = 1 AND id IN (SELECT buyer_registration_id FROM meetings "
                "WHERE session_id = 1 UNION SELECT producer_registration_id FROM meetings "
                "WHERE session_id = 1)"
            ),
            {"e": event_id},
        )
        session_id = connection.execute(
            text(
                "INSERT INTO matching_sessions (event_id, name, first_day, last_day, day_start, day_end, "
                "meeting_minutes, gap_minutes, breaks, tables, table_names, table_names_en, table_names_fr, "
                "max_meetings_per_buyer, max_meetings_per_producer, state, created_at, updated_at) "
                "SELECT :e, name, first_day - 365, last_day - 365, day_start, day_end, meeting_minutes, "
                "gap_minutes, breaks, tables, table_names, table_names_en, table_names_fr, "
                "max_meetings_per_buyer, max_meetings_per_producer, 'published', now(), now() "
                "FROM matching_sessions WHERE id = 1 RETURNING id"
            ),
            {"e": event_id},
        ).scalar_one()
        status_case = " ".join(f"WHEN {i} THEN '{status}'" for i, (status, _b, _p) in enumerate(MIX))
        connection.execute(
            text(
                "INSERT INTO meetings (session_id, buyer_registration_id, producer_registration_id, slot, "  # noqa: S608 - CASE from MIX
                '"table", score, status, published, fixed, sequence, checkin_code, created_at, updated_at) '
                "SELECT :s, rb.id, rp.id, m.slot, m.table, m.score, "
                f"CASE m.id % 10 {status_case} END, true, false, 0, 'MEM-' || m.id, now(), now() "
                "FROM meetings m "
                "JOIN registrations b ON b.id = m.buyer_registration_id "
                "JOIN registrations p ON p.id = m.producer_registration_id "
                "JOIN registrations rb ON rb.event_id = :e AND rb.role = 'buyer' "
                "AND rb.organisation_id = b.organisation_id "
                "JOIN registrations rp ON rp.event_id = :e AND rp.role = 'exhibitor' "
                "AND rp.organisation_id = p.organisation_id "
                "WHERE m.session_id = 1"
            ),
            {"s": session_id, "e": event_id},
        )
        for side, column in (("buyer", 1), ("producer", 2)):
            for i, row in enumerate(MIX):
                if row[column] is None:
                    continue
                connection.execute(
                    text(
                        "INSERT INTO meeting_outcomes (meeting_id, side, kind, recorded_at) "
                        "SELECT id, :side, :kind, now() FROM meetings "
                        "WHERE session_id = :s AND substr(checkin_code, 5)::bigint % 10 = :i"
                    ),
                    {"side": side, "kind": row[column], "s": session_id, "i": i},
                )
        count = connection.scalar(
            text("SELECT count(*) FROM meetings WHERE session_id = :s"), {"s": session_id}
        )
    engine.dispose()
    return count


def measure_history_query(url: str) -> dict:
    """`memory.pair_history` of event 1 alone: wall, statements, pairs found."""
    from sqlalchemy import event as sa_event

    app = bench.make_app(url)
    from app.events.models import Event
    from app.extensions import db
    from app.matching.memory import services as memory

    with app.app_context():
        target = db.session.get(Event, 1)
        statements = []

        def count(*_args):
            statements.append(1)

        sa_event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        found = memory.pair_history(target)
        wall = time.perf_counter() - started
        sa_event.remove(db.engine, "before_cursor_execute", count)
        outcomes: dict[str, int] = {}
        for item in found.values():
            outcomes[item.outcome] = outcomes.get(item.outcome, 0) + 1
    return {"wall": wall, "statements": len(statements), "pairs": len(found), "outcomes": outcomes}


def run_app(url: str, timeout: float) -> dict | None:
    result, _wall, _lines = bench.run_child("app", url, timeout)
    return None if result is None or "error" in result else result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", choices=("national", "province"), default="province")
    parser.add_argument("--database-url", default=bench.DEFAULT_URL)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()
    import os

    os.environ.update(bench.BENCH_ENV)
    url = bench.database_url(args.database_url, args.size)
    bench.prepare_database(args.size, url, args.reseed)
    if verified := verify_certificates(url):
        print(f"[{args.size}] {verified} seeded certificates marked verified (see verify_certificates)")
    drop_earlier(url)
    clear_session(url)
    target = bench.TARGETS[args.size]["matching_s"]

    print(f"[{args.size}] whole app without history (run_matching_job), after a warm-up run ...")
    run_app(url, args.timeout)  # the database's caches warm, as for the run with history
    clear_session(url)
    base = run_app(url, args.timeout)
    if base is None:
        raise SystemExit("the baseline run did not finish")
    print(
        f"  {base['wall']:.2f} s wall, {base['cpu']:.2f} s CPU, {base['peak_mb']:.0f} MB; "
        f"{base['meetings']} meetings ({base['message']})"
    )

    seeded = seed_history(url)
    clear_session(url)
    print(f"[{args.size}] earlier event written: {seeded} meetings between the same organisation pairs")
    query = measure_history_query(url)
    print(
        f"  memory.pair_history: {query['wall'] * 1000:.0f} ms, {query['statements']} statement(s), "
        f"{query['pairs']} remembered pairs {query['outcomes']}"
    )
    print(f"[{args.size}] whole app with history ...")
    remembered = run_app(url, args.timeout)
    drop_earlier(url)
    clear_session(url)
    if remembered is None:
        raise SystemExit("the run with history did not finish")
    print(
        f"  {remembered['wall']:.2f} s wall, {remembered['cpu']:.2f} s CPU, {remembered['peak_mb']:.0f} MB; "
        f"{remembered['meetings']} meetings"
    )
    ok = remembered["wall"] <= target and query["statements"] == 1
    print(
        f"\nSUMMARY {args.size}: whole app with history {remembered['wall']:.2f} s "
        f"(without {base['wall']:.2f} s, +{remembered['wall'] - base['wall']:.2f} s); history "
        f"{query['wall'] * 1000:.0f} ms in {query['statements']} statement for {query['pairs']} pairs; "
        f"target ≤ {target:g} s: {'PASS' if ok else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
