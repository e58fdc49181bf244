"""Forum benchmark: the any-to-any scheduler (app/matching/engine/forum.py) on B2B-forum sizes.

    .venv/bin/python benchmarks/forum_bench.py [--quick] [--skip-large] [--time-limit SECONDS]

Generates forums with the project's generator (`generate_forum`: a hidden feasible schedule,
popular and less popular participants, a fifth of them arriving late or leaving early, 15% of
the meetings restricted to a half-day, every pair a must request), writes each as JSON and runs
`flask matching solve`'s command (the click command, without the web app) on it in its own
process, so the wall time includes Python's start-up and the imports. Each schedule is checked
against every rule of the spec (validate.check_schedule) in this process.

Prints, one row a forum: requested meetings placed, breaks, the proven lower bound
(breaks_lower_bound), the gap, whether the optimum is proven (gap 0, every meeting placed), idle
slots, the spread of breaks, the method, the wall time, and on the same row the breaks of the
greedy baseline (first fit in request order: solve_forum(method="greedy")) and of the solver's
first step alone (method="constructive"), measured in the same run; then a summary line
("proven optimum on X of N, max gap G"); then a forum of 1,000 participants and 10,000
requested meetings, solved and compared the same way. The forums are the generator's as they
come (a fifth of the people late or leaving early, 15% half-day meetings): not made easier.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# name: (participants, requested meetings, slots, tables, seed)
FORUMS = {
    "F1": (40, 120, 8, 16, 1),
    "F2": (45, 150, 10, 18, 2),
    "F3": (50, 170, 12, 15, 3),
    "F4": (60, 200, 12, 20, 4),
    "F5": (60, 220, 14, 22, 5),
    "F6": (70, 250, 16, 24, 6),
    "F7": (75, 280, 18, 25, 7),
    "F8": (80, 300, 22, 27, 8),
    "F9": (80, 300, 14, 27, 9),
    "F10": (40, 160, 10, 20, 10),
}
QUICK = ("F1", "F4", "F8")
LARGE = (1_000, 10_000, 30, 400, 11)
SMALL_TARGET_S = 10.0
LARGE_TARGET_S = 30.0
CLI = "from app.matching.sessions.cli import matching_cli; matching_cli()"
COMPILE = "from app.matching.engine.forum import compile_annealing; print(compile_annealing())"
BASELINE = (
    "import json, sys; from app.matching.engine.forum import solve_forum; "
    "json.dump(solve_forum(json.load(open(sys.argv[1])), method=sys.argv[3]), open(sys.argv[2], 'w'))"
)


def run(code: str, args: list[str]) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, check=False
    )
    return time.perf_counter() - started, done


def compile_seconds(env: dict[str, str]) -> float:
    """compile_annealing() in a new process with these environment variables: its seconds."""
    done = subprocess.run(
        [sys.executable, "-c", COMPILE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **env},
    )
    return float(done.stdout.strip().splitlines()[-1])


def solve_file(instance: dict, folder: Path, name: str, time_limit: float | None, baseline: str = ""):
    from app.matching.engine.validate import check_schedule

    source = folder / f"{name}.json"
    target = folder / f"{name}.schedule.json"
    source.write_text(json.dumps(instance), encoding="utf-8")
    if baseline:
        wall, done = run(BASELINE, [str(source), str(target), baseline])
    else:
        args = ["solve", str(source), "-o", str(target)]
        if time_limit is not None:
            args += ["--time-limit", str(time_limit)]
        wall, done = run(CLI, args)
    if done.returncode != 0:
        raise SystemExit(f"{name}: exit {done.returncode}: {done.stderr.strip()}")
    schedule = json.loads(target.read_text(encoding="utf-8"))
    problems = check_schedule(instance, schedule)
    return wall, schedule, problems


def row(name: str, size: str, instance: dict, wall: float, schedule: dict, problems: list[str]) -> list[str]:
    stats = schedule["stats"]
    requested = len(instance["requests"])
    placed = requested - len(schedule["unscheduled"])
    gap = stats["breaks"] - stats["breaks_lower_bound"]
    return [
        name,
        size,
        f"{placed}/{requested}",
        str(stats["breaks"]),
        str(stats["breaks_lower_bound"]),
        str(gap),
        "yes" if stats.get("optimal") and placed == requested else "no",
        str(stats["idle_gaps"]),
        f"{stats['max_breaks']}-{stats['min_breaks']}",
        stats.get("method", "?"),
        f"{wall:.1f}",
        "ok" if not problems else problems[0][:40],
    ]


def baseline_cell(instance: dict, schedule: dict) -> str:
    """A baseline's breaks, and its placed meetings when it leaves some out."""
    requested = len(instance["requests"])
    placed = requested - len(schedule["unscheduled"])
    breaks = str(schedule["stats"]["breaks"])
    return breaks if placed == requested else f"{breaks} ({placed}/{requested})"


def table(rows: list[list[str]], header: list[str]) -> None:
    widths = [max(len(r[j]) for r in [header, *rows]) for j in range(len(header))]
    for i, r in enumerate([header, *rows]):
        print("  ".join(c.ljust(widths[j]) for j, c in enumerate(r)), flush=True)
        if i == 0:
            print("  ".join("-" * w for w in widths), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="three forums only")
    parser.add_argument("--skip-large", action="store_true", help="not the 1,000 × 10,000 forum")
    parser.add_argument(
        "--time-limit", type=float, default=None, help="passed to the solver (default its own)"
    )
    options = parser.parse_args()

    from app.matching.engine.generator import generate_forum

    header = [
        "forum",
        "people/req/slots/tables",
        "placed",
        "breaks",
        "LB",
        "gap",
        "optimal proven",
        "idle",
        "max-min",
        "method",
        "wall s",
        "spec",
        "greedy breaks",
        "step-1 breaks",
    ]
    rows = []
    names = QUICK if options.quick else tuple(FORUMS)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        cold = compile_seconds({"NUMBA_CACHE_DIR": str(folder / "numba")})
        warm = compile_seconds({"NUMBA_CACHE_DIR": str(folder / "numba")})
        compile_seconds({})  # the project's own cache, as `make install` leaves it, for the forums
        print(
            f"The compiled annealing loop (numba): {cold:.1f} s to compile with an empty cache (once\n"
            f"after an install: `make install` does it), {warm:.2f} s to load from the cache in a new\n"
            "process (the worker does it before it forks); the forums below start with it on disk.\n",
            flush=True,
        )
        print(f"Forums (target: every meeting placed, each under {SMALL_TARGET_S:.0f} s wall):", flush=True)
        for name in names:
            n, r, s, t, seed = FORUMS[name]
            instance = generate_forum(n, r, s, t, seed=seed)
            wall, schedule, problems = solve_file(instance, folder, name, options.time_limit)
            cells = row(name, f"{n}/{len(instance['requests'])}/{s}/{t}", instance, wall, schedule, problems)
            for baseline in ("greedy", "constructive"):
                _wall, other, problems_b = solve_file(instance, folder, f"{name}-{baseline}", None, baseline)
                cells.append(baseline_cell(instance, other) + ("" if not problems_b else " INVALID"))
            rows.append(cells)
        table(rows, header)
        proven = sum(1 for r in rows if r[6] == "yes")
        complete = sum(1 for r in rows if r[2].split("/")[0] == r[2].split("/")[1])
        print()
        print(
            f"Summary: every meeting placed on {complete} of {len(rows)}; proven optimum on {proven} of "
            f"{len(rows)}, max gap {max(int(r[5]) for r in rows)}, total gap {sum(int(r[5]) for r in rows)}; "
            f"max wall {max(float(r[10]) for r in rows):.1f} s (target {SMALL_TARGET_S:.0f} s)."
        )
        print()
        print("LB: breaks_lower_bound, proven: the largest of the per-person bound, the relaxation's (each")
        print("person's busy slots and own meetings chosen alone, a meeting's two ends free to disagree;")
        print("CP-SAT's proven bound of it) and the full CP-SAT model's proven bound. gap: breaks - LB.")
        print("optimal proven: gap 0 with every meeting placed.")
        print("wall s: the `flask matching solve` command in its own process, start-up and imports included.")
        print("greedy: first fit in request order (the baseline), breaks (placed/requested when some are")
        print("left out). step-1: the solver's break-aware greedy with repair alone.")
        if options.skip_large:
            return
        n, r, s, t, seed = LARGE
        print()
        print(f"Large forum (target: under {LARGE_TARGET_S:.0f} s wall):", flush=True)
        instance = generate_forum(n, r, s, t, seed=seed)
        limit = options.time_limit if options.time_limit is not None else 24.0
        wall, schedule, problems = solve_file(instance, folder, "large", limit)
        size = f"{n}/{len(instance['requests'])}/{s}/{t}"
        cells = row("large", size, instance, wall, schedule, problems)
        for baseline in ("greedy", "constructive"):
            _wall, other, problems_b = solve_file(instance, folder, f"large-{baseline}", None, baseline)
            cells.append(baseline_cell(instance, other) + ("" if not problems_b else " INVALID"))
        table([cells], header)


if __name__ == "__main__":
    main()
