"""Matching benchmark: the solver against a greedy baseline and networkx, on realistic instances.

    .venv/bin/python benchmarks/matching_bench.py [--quick] [--skip-networkx]

Generates the province (300 buyers x 600 producers, ~25k pairs, 16 slots,
40 tables) and national (3,000 x 8,000, ~150k pairs, 20 slots, 1,200 tables)
instances with the project's generator, writes them as JSON, and runs each
method in its own process (so peak memory is that run's own) reading the
JSON file as `flask matching solve` does. Prints one table of figures, then
the selection solvers measured for the choice of method.

Times are wall-clock and CPU seconds for read + validate + solve; the CPU
figure is the one to trust on a shared, busy machine.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

INSTANCES = {
    "province": {
        "n_buyers": 300,
        "n_producers": 600,
        "target_pairs": 25_000,
        "n_slots": 16,
        "tables": 40,
        "buyer_max": (6, 12),
        "producer_max": (3, 8),
        "seed": 1,
    },
    "national": {
        "n_buyers": 3_000,
        "n_producers": 8_000,
        "target_pairs": 150_000,
        "n_slots": 20,
        "tables": 1_200,
        "buyer_max": (8, 16),
        "producer_max": (4, 10),
        "seed": 2,
    },
}
TARGETS = {"province": 0.5, "national": 2.0}


def figures(instance: dict, schedule: dict, extra: dict, upper_bound: float) -> dict:
    """What the table shows, computed from the instance and the schedule alone."""
    from app.matching.engine.graph import candidate_graph
    from app.matching.engine.instance import read_instance
    from app.matching.engine.validate import check_schedule

    inst = read_instance(instance)
    graph = candidate_graph(inst)
    met_people = {m["buyer"] for m in schedule["meetings"]} | {m["producer"] for m in schedule["meetings"]}
    with_candidates = [v for v in graph.nodes if graph.degree(v) > 0]
    left_out = sum(1 for v in with_candidates if v not in met_people)
    stats = schedule["stats"]
    problems = check_schedule(instance, schedule)
    chosen = extra.get("first_selection") or stats["meetings"]
    placed = extra.get("first_selection_placed", stats["meetings"])
    return {
        "valid": "yes" if not problems else f"NO ({problems[0]})",
        "objective": stats["objective"],
        "ratio": stats["objective"] / upper_bound if upper_bound else 1.0,
        "placed_share": placed / chosen if chosen else 1.0,
        "meetings": stats["meetings"],
        "left_out": left_out,
        "with_candidates": len(with_candidates),
        "slots": f"{stats['slots_used']}/{stats['lower_bound_slots']}",
        "gaps_per_person": stats["idle_gaps"] / max(1, len(met_people)),
        "unmet_must": len(schedule["unscheduled"]),
        "unmet_feasible": sum(
            1
            for u in schedule["unscheduled"]
            if graph.has_edge(u["buyer"], u["producer"]) and graph.nodes[u["buyer"]]["capacity"] > 0
        ),
        "must_total": len(
            {(r["buyer"], r["producer"]) for r in instance.get("requests", []) if r["kind"] == "must"}
        ),
    }


def run_one(path: str, method: str) -> dict:
    """Runs in a child process: read the JSON file, solve with `method`, return figures."""
    from app.matching.engine import solve
    from app.matching.engine.baseline import greedy_schedule, networkx_rounds_selection
    from app.matching.engine.instance import read_instance

    wall, cpu = time.perf_counter(), time.process_time()
    inst = read_instance(Path(path).read_bytes())
    read = time.perf_counter() - wall
    extra: dict = {}
    if method == "solver":
        schedule = solve(inst, report=extra)
    elif method == "solver, no fairness bonus":
        schedule = solve(inst, report=extra, fairness_bonus=0.0)
    elif method == "greedy":
        schedule, extra = greedy_schedule(inst)
    elif method == "networkx rounds":
        schedule = solve(inst, report=extra, selection=networkx_rounds_selection, fairness_bonus=0.0)
    else:
        raise SystemExit(f"unknown method {method}")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "read": read,
        "solve": wall - read,
        "cpu": cpu,
        "peak_mb": peak_mb,
        "schedule": schedule,
        "extra": extra,
    }


def child_main(path: str, method: str, out: str) -> None:
    result = run_one(path, method)
    Path(out).write_text(json.dumps(result), encoding="utf-8")


def run_in_child(path: Path, method: str, folder: Path) -> dict:
    out = folder / f"result-{abs(hash((str(path), method)))}.json"
    subprocess.run(
        [sys.executable, __file__, "--child", str(path), method, str(out)],
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.read_text(encoding="utf-8"))


def selection_solvers(instance: dict) -> list[tuple[str, float, float, str]]:
    """The selection LP by different solvers on one instance: (name, seconds, objective, note)."""
    import networkx as nx
    import numpy as np
    import scipy.sparse as sp
    from scipy.optimize import linprog

    from app.matching.engine.instance import read_instance
    from app.matching.engine.selection import _highs, max_weight_bmatching
    from app.matching.engine.solver import _Run

    inst = read_instance(instance)
    run = _Run(inst, 0.0, None)
    idx = np.flatnonzero(run.usable & ~run.is_fixed)
    pb, pp, w = run.pb[idx], run.pp[idx], run.w[idx]
    cap = run.cap.copy()
    for e in np.flatnonzero(run.is_fixed):
        cap[run.pb[e]] -= 1
        cap[run.pp[e]] -= 1
    total = None if run.total is None else run.total - int(run.is_fixed.sum())
    n, m = cap.size, w.size
    rows = []

    started = time.perf_counter()
    result = max_weight_bmatching(pb, pp, w, cap, total)
    seconds = time.perf_counter() - started
    rows.append(
        (
            "HiGHS dual simplex + column generation (chosen)",
            seconds,
            float(w[result.chosen].sum()),
            f"{result.lp_solves} solves, {result.columns} of {m} columns",
        )
    )

    started = time.perf_counter()
    cols = np.arange(m)
    a = sp.csr_matrix(
        (
            np.ones(3 * m if total is not None else 2 * m),
            (
                np.concatenate([pb, pp] + ([np.full(m, n)] if total is not None else [])),
                np.concatenate([cols, cols] + ([cols] if total is not None else [])),
            ),
        ),
        shape=(n + (1 if total is not None else 0), m),
    )
    b = np.concatenate([cap, [total] if total is not None else []])
    res = linprog(-w, A_ub=a, b_ub=b, bounds=(0, 1), method="highs-ds")
    seconds = time.perf_counter() - started
    rows.append(("scipy linprog HiGHS dual simplex, all columns", seconds, -res.fun, ""))

    started = time.perf_counter()
    res = linprog(-w, A_ub=a, b_ub=b, bounds=(0, 1), method="highs-ipm")
    fractional = int(np.sum((res.x > 1e-6) & (res.x < 1 - 1e-6)))
    rows.append(
        (
            "scipy linprog HiGHS interior point + crossover",
            time.perf_counter() - started,
            -res.fun,
            f"{fractional} fractional",
        )
    )

    if m <= 40_000:
        started = time.perf_counter()
        graph = nx.DiGraph()
        flow = min(int(cap[: inst.n_buyers].sum()), int(cap[inst.n_buyers :].sum()))
        if total is not None:
            flow = min(flow, total)
        graph.add_node("s", demand=-flow)
        graph.add_node("t", demand=flow)
        graph.add_edge("s", "t", capacity=flow, weight=0)
        for v in range(n):
            if v < inst.n_buyers:
                graph.add_edge("s", v, capacity=int(cap[v]), weight=0)
            else:
                graph.add_edge(v, "t", capacity=int(cap[v]), weight=0)
        for e in range(m):
            graph.add_edge(int(pb[e]), int(pp[e]), capacity=1, weight=-round(float(w[e]) * 10_000))
        _, flows = nx.network_simplex(graph)
        objective = sum(float(w[e]) for e in range(m) if flows[int(pb[e])][int(pp[e])] > 0)
        rows.append(("networkx network_simplex (pure Python)", time.perf_counter() - started, objective, ""))
    if _highs is None:  # pragma: no cover
        rows.append(("(HiGHS low-level interface missing: linprog fallback in use)", 0, 0, ""))
    return rows


def print_table(rows: list[dict]) -> None:
    columns = [
        ("instance", "instance", "{}"),
        ("method", "method", "{}"),
        ("read s", "read", "{:.2f}"),
        ("solve s", "solve", "{:.2f}"),
        ("cpu s", "cpu", "{:.2f}"),
        ("peak MB", "peak_mb", "{:.0f}"),
        ("valid", "valid", "{}"),
        ("meetings", "meetings", "{}"),
        ("obj/UB", "ratio", "{:.4f}"),
        ("placed", "placed_share", "{:.2%}"),
        ("left out", "left_out_text", "{}"),
        ("slots/LB", "slots", "{}"),
        ("gaps/person", "gaps_per_person", "{:.2f}"),
        ("unmet must", "unmet_text", "{}"),
    ]
    cells = [[title for title, _, _ in columns]]
    for row in rows:
        row["left_out_text"] = f"{row['left_out']}/{row['with_candidates']}"
        row["unmet_text"] = f"{row['unmet_must']}/{row['must_total']} ({row['unmet_feasible']} feasible)"
        cells.append([fmt.format(row[key]) for _, key, fmt in columns])
    widths = [max(len(r[i]) for r in cells) for i in range(len(columns))]
    for i, r in enumerate(cells):
        print("  ".join(c.ljust(widths[j]) for j, c in enumerate(r)))
        if i == 0:
            print("  ".join("-" * wd for wd in widths))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-networkx", action="store_true", help="skip the slow networkx comparisons")
    parser.add_argument("--only", choices=list(INSTANCES), help="run one instance")
    args = parser.parse_args()

    from app.matching.engine.generator import generate_instance

    rows = []
    upper_bounds = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, params in INSTANCES.items():
            if args.only and name != args.only:
                continue
            instance = generate_instance(**params)
            path = folder / f"{name}.json"
            path.write_text(json.dumps(instance), encoding="utf-8")
            print(
                f"{name}: {len(instance['buyers'])} buyers x {len(instance['producers'])} producers, "
                f"{len(instance['pairs'])} pairs, {len(instance['session']['slots'])} slots, "
                f"{instance['session']['tables']} tables, {len(instance['fixed'])} fixed, "
                f"{sum(r['kind'] == 'must' for r in instance['requests'])} must / "
                f"{sum(r['kind'] == 'block' for r in instance['requests'])} block requests, "
                f"{sum('available_slots' in p for p in instance['buyers'] + instance['producers'])} "
                "people available part of the day",
                flush=True,
            )
            methods = ["solver", "solver, no fairness bonus", "greedy"]
            if name == "province" and not args.skip_networkx:
                methods.append("networkx rounds")
            for method in methods:
                result = run_in_child(path, method, folder)
                if method == "solver":
                    upper_bounds[name] = result["schedule"]["stats"]["upper_bound"]
                    print(f"  solver phases (s): {result['extra']['times']}", flush=True)
                row = figures(instance, result["schedule"], result["extra"], upper_bounds[name])
                row.update(instance=name, method=method, read=result["read"], solve=result["solve"])
                row["cpu"] = result["cpu"]
                row["peak_mb"] = result["peak_mb"]
                rows.append(row)
        print()
        print_table(rows)
        print()
        print("obj/UB: objective over the solver's proven upper bound (same bound for every method).")
        print("placed: share of the first selection that found a slot. left out: people with a candidate")
        print("but no meeting. slots/LB: slots used / max(max degree, ceil(meetings / tables)).")
        print(
            "unmet must: unmet / all must-meet requests (how many of the unmet were feasible on their own)."
        )
        print(
            f"targets (read + solve): province < {TARGETS['province']} s, "
            f"national < {TARGETS['national']} s and < 1024 MB peak."
        )
        print()
        print("Selection step, one LP (plain score, fixed meetings and their capacity taken out):")
        for name in INSTANCES:
            if args.only and name != args.only:
                continue
            instance = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
            for label, seconds, objective, note in selection_solvers(instance):
                print(f"  {name:9} {label:52} {seconds:7.2f} s  objective {objective:12.4f}  {note}")


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--child":
        child_main(*sys.argv[2:])
    else:
        main()
