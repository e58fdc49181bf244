"""Start-up benchmark: how long commands take to start, against Python and Flask alone.

    .venv/bin/python benchmarks/startup_bench.py [--runs N] [--as-is]

Each command runs N times (5) in a fresh process; the table shows the median wall time
and the peak memory (max RSS) of the median run. On Linux a child's max RSS starts from
its parent's at fork, so this script imports nothing heavy itself (about 10 MB).
Baselines measured in the same run: `python -c pass` and `python -c "import flask"` for
`flask --help`, and the pure solver timed inside one process on the same instance for
`flask matching solve`.

The solve instance is the matching benchmark's province instance (300 buyers x 600
producers, ~25k pairs, 16 slots, 40 tables; benchmarks/matching_bench.py), generated
deterministically by app.matching.engine.generator and written as JSON.

Bytecode: by default the commands run with their bytecode cached, as an installed app
runs (a temporary PYTHONPYCACHEPREFIX, filled by one unmeasured warm-up run of each
command), so PYTHONDONTWRITEBYTECODE in the caller's environment doesn't turn the figures
into compile times. `--as-is` runs them in the caller's environment unchanged.

Targets: `flask --help` under 1 s; `flask matching solve` on the province instance
under 1.5 s, start-up included.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

ROOT = Path(__file__).resolve().parents[1]

TARGETS = {"flask --help": 1.0, "flask matching solve": 1.5}

# Runs in a child, so this process stays small (a child's max RSS starts from its parent's at fork).
GENERATE = """
import json, sys
from app.matching.engine.generator import generate_instance
from benchmarks.matching_bench import INSTANCES
instance = generate_instance(**INSTANCES["province"])
with open(sys.argv[1], "w", encoding="utf-8") as file:
    json.dump(instance, file)
print(
    f"province: {len(instance['buyers'])} buyers x {len(instance['producers'])} producers, "
    f"{len(instance['pairs'])} pairs, {len(instance['session']['slots'])} slots, "
    f"{instance['session']['tables']} tables"
)
"""

# Runs in a child: the pure solver on the instance file, timed inside the process.
PURE_SOLVER = """
import json, resource, sys, time
started = time.perf_counter()
from app.matching.engine.instance import read_instance_file
from app.matching.engine.solver import solve
imported = time.perf_counter()
schedule = solve(read_instance_file(sys.argv[1]))
solved = time.perf_counter()
print(json.dumps({
    "import": imported - started,
    "solve": solved - imported,
    "meetings": len(schedule["meetings"]),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
}))
"""


def run(command: list[str], env: dict) -> tuple[float, float, str]:
    """One run in a fresh process: (wall seconds, peak MB of that process, stdout)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = perf_counter()
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own max RSS, not all children's
        wall = perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            raise SystemExit(f"{command[0]} ... failed ({process.returncode}):\n{err.read().decode()}")
        out.seek(0)
        return wall, usage.ru_maxrss / 1024, out.read().decode()


def measure(command: list[str], env: dict, runs: int) -> dict:
    results = sorted(run(command, env)[:2] for _ in range(runs))
    wall, peak_mb = results[len(results) // 2]
    return {"wall": wall, "peak_mb": peak_mb, "min": results[0][0], "max": results[-1][0]}


def environment(as_is: bool, cache_folder: str) -> dict:
    env = dict(os.environ, FLASK_APP="wsgi")
    if not as_is:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = cache_folder
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (median shown)")
    parser.add_argument("--as-is", action="store_true", help="run in this environment, bytecode as it is")
    args = parser.parse_args()

    python = sys.executable
    script = Path(python).parent / "flask"  # the console script, as people run it
    flask_command = [str(script)] if script.exists() else [python, "-m", "flask"]

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cache = folder / "pycache"
        env = environment(args.as_is, str(cache))
        instance_path = folder / "province.json"
        print(run([python, "-c", GENERATE, str(instance_path)], env)[2].strip())
        schedule_path = folder / "schedule.json"
        if args.as_is:
            print("bytecode: as this environment has it", end="")
            print(" (PYTHONDONTWRITEBYTECODE is set)" if os.environ.get("PYTHONDONTWRITEBYTECODE") else "")
        else:
            print("bytecode: cached (a temporary PYTHONPYCACHEPREFIX, after one warm-up run of each command)")
        print(f"median of {args.runs} runs, each in a fresh process", flush=True)

        commands = [
            ("python -c pass", [python, "-c", "pass"]),
            ('python -c "import flask"', [python, "-c", "import flask"]),
            ("flask --help", [*flask_command, "--help"]),
            (
                "flask matching solve",
                [*flask_command, "matching", "solve", str(instance_path), "-o", str(schedule_path)],
            ),
        ]
        pure = [python, "-c", PURE_SOLVER, str(instance_path)]
        if not args.as_is:
            for _, command in [*commands, ("pure solver", pure)]:
                run(command, env)  # warm-up: fills the bytecode cache

        rows = [(name, measure(command, env, args.runs)) for name, command in commands]
        pure_runs = []
        for _ in range(args.runs):
            wall, peak_mb, out = run(pure, env)
            pure_runs.append({**json.loads(out), "wall": wall, "peak_mb": peak_mb})
        pure_runs.sort(key=lambda r: r["solve"])
        solver = pure_runs[len(pure_runs) // 2]
        schedule = json.loads(schedule_path.read_text(encoding="utf-8"))

    width = max(len(name) for name, _ in rows) + 2
    print()
    print(f"{'command':{width}}{'wall s':>8}{'min s':>8}{'max s':>8}{'peak MB':>9}  target")
    print("-" * (width + 41))
    for name, row in rows:
        target = TARGETS.get(name)
        verdict = "" if target is None else f"< {target} s: {'yes' if row['wall'] < target else 'NO'}"
        times = f"{row['wall']:8.3f}{row['min']:8.3f}{row['max']:8.3f}"
        print(f"{name:{width}}{times}{row['peak_mb']:9.0f}  {verdict}")
    print()
    walls = [row["wall"] for _, row in rows]
    print(
        f"flask --help: {walls[2] - walls[0]:.3f} s over `python -c pass`, "
        f"{walls[2] - walls[1]:.3f} s over `import flask` (the app's own start-up)."
    )
    print(
        f"pure solver, in one process: read + solve {solver['solve']:.3f} s "
        f"(imports before it: the app package, the engine, numpy, HiGHS: {solver['import']:.3f} s; "
        f"process {solver['wall']:.3f} s, peak {solver['peak_mb']:.0f} MB), {solver['meetings']} meetings."
    )
    solve_wall = walls[3]
    print(
        f"flask matching solve: {solve_wall:.3f} s wall, {solve_wall - solver['solve']:.3f} s of it not "
        f"solving (start-up, imports, writing the schedule); {len(schedule['meetings'])} meetings written."
    )


if __name__ == "__main__":
    main()
