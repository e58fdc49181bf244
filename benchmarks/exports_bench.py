"""The meetings export of a national conference (24,000 meetings): time, peak memory and SQL
statements of the CSV and the XLSX beside the baseline of the raw SELECT alone (the same
statement's rows fetched, nothing written), in the same run.

    .venv/bin/python benchmarks/exports_bench.py
    .venv/bin/python benchmarks/exports_bench.py --size province --database-url postgresql+psycopg://...

The data is benchmarks/national_seed.py's, seeded and reused exactly as national_event_bench.py
does it (its prepare_database and seed_meetings: schema by `flask db upgrade`, a fingerprint
table, a greedy schedule of meetings when the database has none). PostgreSQL only. Peak memory
is Python's allocations during the step (tracemalloc, measured in a second run of the step, so
the timings are not slowed by it); the process's maximum resident size is printed at the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ.setdefault("SCHEDULER_ENABLED", "0")

import national_event_bench as bench  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/exports_bench"


def meetings_of(url: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.scalar(text("SELECT count(*) FROM meetings"))
    engine.dispose()
    return count


def measure(engine, step) -> tuple[float, float, int, int]:
    """(best seconds of two runs, peak MiB of Python allocations, statements, bytes) of `step()`."""
    from sqlalchemy import event

    statements = 0

    def counted(*_args):
        nonlocal statements
        statements += 1

    best, size = None, 0
    for _ in range(2):
        statements = 0
        event.listen(engine, "before_cursor_execute", counted)
        started = time.perf_counter()
        try:
            size = step()
        finally:
            event.remove(engine, "before_cursor_execute", counted)
        elapsed = time.perf_counter() - started
        best = elapsed if best is None else min(best, elapsed)
    tracemalloc.start()
    step()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak / 2**20, statements, size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--size", default="national", choices=("national", "province"))
    parser.add_argument("--reseed", action="store_true")
    args = parser.parse_args()

    os.environ.update(bench.BENCH_ENV)
    url = bench.database_url(args.database_url, args.size)
    info = bench.prepare_database(args.size, url, args.reseed)
    if meetings_of(url) == 0:
        print(f"[{args.size}] {bench.seed_meetings(args.size, url, info, None)}")

    app = bench.make_app(url)
    from app.events.models import Event
    from app.extensions import db
    from app.reports.exports import services as exports
    from app.reports.tables import csv_chunks, write_xlsx

    kind = exports.EXPORTS["meetings"]
    with app.test_request_context("/?lang=vi"):
        event = db.session.get(Event, 1)
        rows = exports.row_count(event, kind)
        engine = db.engine

        def raw_select() -> int:
            result = db.session.execute(kind.query(event).execution_options(yield_per=exports.STREAM_ROWS))
            n = sum(1 for _row in result)
            result.close()
            return n

        def as_csv() -> int:
            size = 0
            for chunk in csv_chunks(exports.table_of(event, kind), event.timezone):
                size += len(chunk.encode("utf-8"))
            return size

        def as_xlsx() -> int:
            out = HERE / ".exports_bench.xlsx"
            try:
                with out.open("wb") as handle:
                    write_xlsx([exports.table_of(event, kind)], handle, event.timezone)
                return out.stat().st_size
            finally:
                out.unlink(missing_ok=True)

        print(f"[{args.size}] meetings export of event 1: {rows:,} rows ({db.engine.dialect.name})")
        print(f"  {'step':<34} {'seconds':>9} {'peak MiB':>9} {'statements':>11} {'bytes':>12}")
        baseline = None
        for label, step in (
            ("raw SELECT alone (baseline)", raw_select),
            ("CSV (csv_chunks, streamed)", as_csv),
            ("XLSX (write_xlsx, write-only)", as_xlsx),
        ):
            seconds, peak, statements, size = measure(engine, step)
            baseline = baseline or seconds
            ratio = f"  ×{seconds / baseline:.1f}" if baseline else ""
            shown = f"{size:>12,}" if label.startswith(("CSV", "XLSX")) else f"{size:>7,} rows"
            print(f"  {label:<34} {seconds:>9.2f} {peak:>9.1f} {statements:>11} {shown}{ratio}")
    print(f"  process max resident size: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
