"""`flask matching ...`: the matching solver from the command line.

    flask matching solve INSTANCE.json -o SCHEDULE.json [--time-limit SECONDS]

Exit 0 when a schedule was written (even one that leaves meetings
unscheduled), 2 with one line on stderr naming the problem when the
instance is invalid. The schedule is written to a temporary file in the
same folder and renamed at the end, so SCHEDULE.json is never partial.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext


def schedule_json(schedule: dict) -> str:
    """The schedule as JSON text, one meeting per line (readable, and fast to write)."""

    def items(rows: list) -> str:
        if not rows:
            return "[]"
        return "[\n    " + ",\n    ".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n  ]"

    return (
        "{\n"
        f'  "format": {json.dumps(schedule["format"])},\n'
        f'  "meetings": {items(schedule["meetings"])},\n'
        f'  "unscheduled": {items(schedule["unscheduled"])},\n'
        f'  "stats": {json.dumps(schedule["stats"])}\n'
        "}\n"
    )


@click.group("matching")
def matching_cli():
    """Match buyers with producers (or anyone with anyone) and schedule their meetings."""


def _fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@matching_cli.command("solve")
@click.argument("instance_path", metavar="INSTANCE.json", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "-o",
    "--output",
    "output_path",
    metavar="SCHEDULE.json",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Where to write the schedule.",
)
@click.option(
    "--time-limit",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    metavar="SECONDS",
    help="Stop improving after this long and write the best schedule found.",
)
def solve_command(instance_path: Path, output_path: Path, time_limit: float | None):
    """Solve INSTANCE.json (specs/matching-format.md) and write SCHEDULE.json.

    Both forms: buyers and producers (the bipartite matcher), or participants (the any-to-any
    forum scheduler, app/matching/engine/forum.py); an instance mixing them exits 2."""
    # Imported here: every `flask` command loads this module, and the solver brings numpy and scipy.
    from app.matching.engine.instance import InstanceError, read_instance_file
    from app.matching.engine.solver import solve

    try:
        instance = read_instance_file(instance_path)
    except InstanceError as error:
        _fail(str(error).splitlines()[0])
    schedule = solve(instance, time_limit=time_limit)
    folder = output_path.resolve().parent
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{output_path.name}.", suffix=".tmp", dir=folder)
    except OSError as error:
        _fail(f"{output_path}: can't write there ({error.strerror})")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(schedule_json(schedule))
        os.replace(temporary, output_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    stats = schedule["stats"]
    if "breaks_lower_bound" in stats:  # an any-to-any forum
        click.echo(
            f"{stats['meetings']} meetings in {stats['slots_used']} slots "
            f"(at least {stats['lower_bound_slots']}), {len(schedule['unscheduled'])} requested meetings "
            f"unmet, {stats['breaks']} breaks (at least {stats['breaks_lower_bound']}), "
            f"{stats['idle_gaps']} idle slots; wrote {output_path}"
        )
        return
    share = stats["objective"] / stats["upper_bound"] if stats["upper_bound"] else 1.0
    click.echo(
        f"{stats['meetings']} meetings in {stats['slots_used']} slots "
        f"(at least {stats['lower_bound_slots']}), {share:.1%} of the best possible score, "
        f"{len(schedule['unscheduled'])} must-meet requests unmet; wrote {output_path}"
    )


@matching_cli.command("summaries")
@with_appcontext
def summaries_command():
    """Store each solved session's schedule figures (last_run_json["summary"]), which the session
    page reads: for schedules written before the figures were stored there (the run, a repair, a
    move and a removal store them from then on)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.matching.models import MatchingSession
    from app.matching.sessions.services import refresh_summary
    from app.transaction import transaction

    with transaction():
        sessions = db.session.scalars(
            select(MatchingSession).where(MatchingSession.state != "draft").order_by(MatchingSession.id)
        ).all()
        for session in sessions:
            refresh_summary(session)
    click.echo(f"stored the figures of {len(sessions)} session(s)")
