"""Baselines the benchmark compares the solver with (not used by the app).

- `greedy_schedule`: best score first, each pair into the first slot where
  both people are free and a table is left.
- `networkx_rounds_selection`: repeated rounds of
  `networkx.max_weight_matching` (a maximum-weight 1-matching per round) until
  capacities are used up, as a `selection` for `solve`.
"""

from __future__ import annotations

import time

import networkx as nx
import numpy as np

from app.matching.engine.instance import Instance, read_instance
from app.matching.engine.solver import _Run


def greedy_schedule(instance: dict | Instance) -> tuple[dict, dict]:
    """Best score first, first free slot; returns (schedule, figures)."""
    started = time.perf_counter()
    inst = instance if isinstance(instance, Instance) else read_instance(instance)
    run = _Run(inst, 0.0, None)
    board = run.board
    left = [inst.capacity(v) for v in range(inst.n_people)]
    for e in board.fixed:
        left[inst.pair_buyer[e]] -= 1
        left[inst.pair_producer[e]] -= 1
    chosen = placed = 0
    total = run.total
    order = np.argsort(-run.w, kind="stable")
    for e in order[run.usable[order] & ~run.is_fixed[order]].tolist():
        if total is not None and len(board.slot_of) >= total:
            break
        b, p = inst.pair_buyer[e], inst.pair_producer[e]
        if left[b] <= 0 or left[p] <= 0:
            continue
        chosen += 1
        free = board.free_common(e) & board.open_slots()
        if not free:
            continue
        board.place(e, (free & -free).bit_length() - 1)
        left[b] -= 1
        left[p] -= 1
        placed += 1
    run.upper_bound = 0.0
    schedule = run.schedule(time.perf_counter() - started)
    return schedule, {"first_selection": chosen, "first_selection_placed": placed}


def networkx_rounds_selection(pb, pp, w, room, total, must) -> np.ndarray:
    """Rounds of networkx.max_weight_matching while capacities and tables last."""
    left = room.copy()
    taken = np.zeros(w.size, dtype=bool)
    limit = w.size if total is None else total
    while taken.sum() < limit:
        graph = nx.Graph()
        open_edges = np.flatnonzero(~taken & (left[pb] > 0) & (left[pp] > 0))
        if open_edges.size == 0:
            break
        for e in open_edges.tolist():
            graph.add_edge(("b", int(pb[e])), ("p", int(pp[e])), weight=float(w[e]), pair=e)
        matching = nx.max_weight_matching(graph)
        picked = sorted((graph.edges[u, v]["pair"] for u, v in matching), key=lambda e: -w[e])
        picked = picked[: limit - int(taken.sum())]
        if not picked:
            break
        for e in picked:
            taken[e] = True
            left[pb[e]] -= 1
            left[pp[e]] -= 1
    return np.flatnonzero(taken)
