"""Selection: the exact maximum-weight b-matching, as a linear program.

For the candidate pairs e = (b, p) with weight w_e, capacities cap_v and at
most K meetings in all (slots x tables):

    maximise   sum_e w_e x_e + sum_v beta_v f_v
    subject to sum_{e at v} x_e = f_v + g_v      for every person v with a bonus beta_v > 0
               sum_{e at v} x_e <= cap_v         for every other person
               sum_e x_e <= K                    (when tables are limited)
               0 <= x_e <= 1 (x_e >= 1 when forced), 0 <= f_v <= 1, 0 <= g_v <= cap_v - 1

f_v is a person's first meeting (worth the fairness bonus), g_v the others.
This is a min-cost flow (source -> buyer -> producer -> sink, two parallel
arcs per person, a return arc of capacity K): the constraint matrix is a
network matrix, totally unimodular, so every vertex of the polytope is 0/1
and the simplex method returns an exact integral b-matching.

Solver, chosen by measurement (benchmarks/matching_bench.py): HiGHS's dual
simplex through the low-level interface scipy bundles, which keeps the basis
between solves, with column generation: start from the pairs a greedy
b-matching uses plus each person's two best, solve, add the pairs with a
positive reduced cost (at most 3,000 at a time), re-solve from the previous
basis, until none is left; by LP duality the result is then optimal over all
pairs. On the national instance (157k pairs) that is 4-5 solves over ~40k
columns, 0.7-1.1 s, against 4-5 s for scipy.optimize.linprog on all columns
(dual simplex or interior point) and a pure-Python networkx network simplex
that is far slower. `scipy.optimize.linprog` is the fallback if the bundled
interface is ever missing.

The duals give, almost for free, a proven upper bound on the plain score of
any valid schedule (`lagrangian_bound`).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HIGHS_MODULE = "scipy.optimize._highspy._core"


def _load_highs():
    """HiGHS's own Python interface, bundled with scipy (it keeps the basis between solves), or None.

    Loaded from its file rather than by `import scipy.optimize._highspy._core`: that import
    runs scipy.optimize's __init__, which loads most of scipy (linalg, sparse, special, ...)
    for 0.3 s, a fifth of what `flask matching solve` may take on a province instance; the
    extension itself needs only numpy. It is registered under its own name, so a later
    `import scipy.optimize` (linprog, the booth allocator) uses this same module.
    """
    if HIGHS_MODULE in sys.modules:
        return sys.modules[HIGHS_MODULE]
    try:
        import scipy  # the package alone: light
    except ImportError:  # pragma: no cover
        return None
    folder = Path(scipy.__file__).parent / "optimize" / "_highspy"
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        path = folder / f"_core{suffix}"
        if not path.is_file():
            continue
        spec = importlib.util.spec_from_file_location(HIGHS_MODULE, path)
        if spec is None or spec.loader is None:  # pragma: no cover
            break
        module = importlib.util.module_from_spec(spec)
        sys.modules[HIGHS_MODULE] = module
        try:
            spec.loader.exec_module(module)
        except ImportError:  # pragma: no cover - another scipy build: the ordinary import below
            del sys.modules[HIGHS_MODULE]
            break
        return module
    try:  # pragma: no cover - only when the file isn't where this scipy keeps it
        from scipy.optimize._highspy import _core
    except ImportError:  # pragma: no cover - exercised only with another scipy build
        return None
    return _core  # pragma: no cover


_highs = _load_highs()

PRICING_TOLERANCE = 1e-7
FULL_MODEL_PAIRS = 20_000  # up to this many pairs the whole LP is solved at once
PRICING_BATCH = 3_000
TOP_PER_PERSON = 2


@dataclass
class BMatching:
    """The chosen pairs (indices into the arrays given) and the LP duals."""

    chosen: np.ndarray
    alpha: np.ndarray  # dual of each person's capacity row (>= 0)
    z: float  # dual of the tables row (>= 0)
    objective: float  # LP optimum, including fairness bonuses
    lp_solves: int
    columns: int


def greedy_bmatching(pb, pp, w, cap, total: int | None, order=None) -> np.ndarray:
    """Best score first, while both people and the tables have room."""
    left = np.asarray(cap, dtype=np.int64).copy()
    chosen = []
    limit = len(w) if total is None else total
    if order is None:
        order = np.argsort(-np.asarray(w), kind="stable")
    pb_l, pp_l = pb.tolist(), pp.tolist()
    left_l = left.tolist()
    for e in order.tolist():
        if len(chosen) >= limit:
            break
        b, p = pb_l[e], pp_l[e]
        if left_l[b] > 0 and left_l[p] > 0:
            left_l[b] -= 1
            left_l[p] -= 1
            chosen.append(e)
    return np.asarray(chosen, dtype=np.int64)


def _top_per_person(owner: np.ndarray, w: np.ndarray, k: int) -> np.ndarray:
    order = np.lexsort((-w, owner))
    sorted_owner = owner[order]
    first = np.searchsorted(sorted_owner, sorted_owner, side="left")
    rank = np.arange(owner.size) - first
    return order[rank < k]


def max_weight_bmatching(
    pb: np.ndarray,
    pp: np.ndarray,
    w: np.ndarray,
    cap: np.ndarray,
    total: int | None,
    forced: np.ndarray | None = None,
    bonus: np.ndarray | None = None,
    time_limit: float | None = None,
) -> BMatching:
    """Exact max of sum(w x) + sum(bonus_v f_v) over b-matchings (see module docstring).

    pb, pp: person numbers of each pair's buyer and producer; w: weights;
    cap: capacity per person; total: most pairs overall (None: no limit);
    forced: pairs that must be chosen (they must fit together); bonus: per
    person, the gain of its first meeting (0: none).
    """
    n = cap.size
    m = w.size
    forced = np.zeros(m, dtype=bool) if forced is None else forced
    bonus = np.zeros(n) if bonus is None else bonus
    if m == 0:
        return BMatching(np.zeros(0, dtype=np.int64), np.zeros(n), 0.0, 0.0, 0, 0)
    if _highs is None:  # pragma: no cover
        return _solve_with_linprog(pb, pp, w, cap, total, forced, bonus, time_limit)
    return _ColumnGeneration(pb, pp, w, cap, total, forced, bonus, time_limit).run()


class _ColumnGeneration:
    """The LP in HiGHS, one row per person (+ one for tables), pairs priced in by reduced cost.

    A person v with a fairness bonus gets the equality row
    sum_e x_e - f_v - g_v = 0 with f_v in [0, 1] (gain beta: the first
    meeting) and g_v in [0, cap_v - 1] (the others): the flow form of the
    bonus, half the rows of writing f_v <= sum_e x_e as its own row.
    """

    def __init__(self, pb, pp, w, cap, total, forced, bonus, time_limit):
        self.pb, self.pp, self.w = pb, pp, w
        self.n = n = cap.size
        self.m = w.size
        self.forced = forced
        self.total = total
        self.cap = cap
        self.total_row = n if total is not None else -1
        self.n_rows = n + (1 if total is not None else 0)
        self.deadline = None if time_limit is None else time.monotonic() + time_limit

        h = _highs._Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        self.h = h
        inf = _highs.kHighsInf
        fair = np.flatnonzero((bonus > 0) & (cap > 0))
        k = fair.size
        row_lower = np.full(self.n_rows, -inf)
        row_upper = np.concatenate([cap.astype(np.float64), [float(total)] if total is not None else []])
        row_lower[fair] = 0.0
        row_upper[fair] = 0.0
        lp = _highs.HighsLp()
        lp.num_col_ = 2 * k
        lp.num_row_ = self.n_rows
        lp.a_matrix_.num_col_ = 2 * k
        lp.a_matrix_.num_row_ = self.n_rows
        lp.a_matrix_.format_ = _highs.MatrixFormat.kColwise
        lp.col_cost_ = np.concatenate([-bonus[fair], np.zeros(k)]).astype(np.float64)
        lp.col_lower_ = np.zeros(2 * k)
        lp.col_upper_ = np.concatenate([np.ones(k), cap[fair] - 1.0]).astype(np.float64)
        lp.row_lower_ = row_lower
        lp.row_upper_ = row_upper
        lp.a_matrix_.start_ = np.arange(2 * k + 1, dtype=np.int32)
        lp.a_matrix_.index_ = np.concatenate([fair, fair]).astype(np.int32)
        lp.a_matrix_.value_ = -np.ones(2 * k)
        h.passModel(lp)
        self.first_pair_col = 2 * k
        self.in_model = np.zeros(self.m, dtype=bool)
        self.col_pairs: list[np.ndarray] = []

    def add(self, pairs: np.ndarray) -> None:
        pairs = pairs[~self.in_model[pairs]]
        if pairs.size == 0:
            return
        per_column = 3 if self.total_row >= 0 else 2
        rows = [self.pb[pairs], self.pp[pairs]]
        if self.total_row >= 0:
            rows.append(np.full(pairs.size, self.total_row))
        index = np.stack(rows, axis=1).ravel().astype(np.int32)
        start = np.arange(0, per_column * pairs.size, per_column, dtype=np.int32)
        value = np.ones(index.size)
        lower = self.forced[pairs].astype(np.float64)
        self.h.addCols(
            pairs.size,
            -self.w[pairs].astype(np.float64),
            lower,
            np.ones(pairs.size),
            index.size,
            start,
            index,
            value,
        )
        self.in_model[pairs] = True
        self.col_pairs.append(pairs)

    def reduced_costs(self, row_dual: np.ndarray) -> np.ndarray:
        """c_e - a_e^T y for every pair (c = -w): negative means it would improve the LP."""
        d = -self.w - row_dual[self.pb] - row_dual[self.pp]
        if self.total_row >= 0:
            d -= row_dual[self.total_row]
        return d

    def run(self) -> BMatching:
        m = self.m
        if m <= FULL_MODEL_PAIRS:
            start = np.arange(m)
        else:
            greedy = greedy_bmatching(self.pb, self.pp, self.w, self.cap, self.total)
            start = np.unique(
                np.concatenate(
                    [
                        greedy,
                        _top_per_person(self.pb, self.w, TOP_PER_PERSON),
                        _top_per_person(self.pp, self.w, TOP_PER_PERSON),
                        np.flatnonzero(self.forced),
                    ]
                )
            )
        self.add(start)
        solves = 0
        while True:
            if self.deadline is not None:
                self.h.setOptionValue("time_limit", max(0.05, self.deadline - time.monotonic()))
            self.h.run()
            solves += 1
            status = self.h.getModelStatus()
            if status != _highs.HighsModelStatus.kOptimal:
                raise SelectionError(f"the LP solver stopped: {self.h.modelStatusToString(status)}")
            solution = self.h.getSolution()
            row_dual = np.asarray(solution.row_dual)
            if self.in_model.all():
                break
            d = self.reduced_costs(row_dual)
            d[self.in_model] = 0.0
            improving = np.flatnonzero(d < -PRICING_TOLERANCE)
            if improving.size == 0:
                break
            if improving.size > PRICING_BATCH:
                improving = improving[np.argpartition(d[improving], PRICING_BATCH)[:PRICING_BATCH]]
            self.add(improving)
        values = np.asarray(solution.col_value)[self.first_pair_col :]
        pairs = np.concatenate(self.col_pairs)
        chosen = np.sort(pairs[values > 0.5])
        if np.any((values > 1e-6) & (values < 1 - 1e-6)):  # pragma: no cover - TU makes this impossible
            raise SelectionError("the LP returned a fractional solution")
        alpha = np.maximum(0.0, -row_dual[: self.n])
        z = max(0.0, -row_dual[self.total_row]) if self.total_row >= 0 else 0.0
        objective = -self.h.getInfo().objective_function_value
        return BMatching(chosen, alpha, z, objective, solves, int(self.in_model.sum()))


class SelectionError(RuntimeError):
    """The LP solver could not finish (time limit)."""


def _solve_with_linprog(pb, pp, w, cap, total, forced, bonus, time_limit):  # pragma: no cover
    """Same LP through scipy's public `linprog` (no warm start, so no column generation)."""
    import scipy.sparse as sp
    from scipy.optimize import linprog

    n, m = cap.size, w.size
    fair = np.flatnonzero(bonus > 0)
    fair_row = np.full(n, -1)
    fair_row[fair] = n + np.arange(fair.size)
    n_rows = n + fair.size + (1 if total is not None else 0)
    cols = np.arange(m)
    rows, data, col_idx = [pb, pp], [np.ones(m), np.ones(m)], [cols, cols]
    for people in (pb, pp):
        has = fair_row[people] >= 0
        rows.append(fair_row[people][has])
        data.append(-np.ones(has.sum()))
        col_idx.append(cols[has])
    rows.append(fair_row[fair])
    data.append(np.ones(fair.size))
    col_idx.append(m + np.arange(fair.size))
    if total is not None:
        rows.append(np.full(m, n_rows - 1))
        data.append(np.ones(m))
        col_idx.append(cols)
    a = sp.csr_matrix(
        (np.concatenate(data), (np.concatenate(rows), np.concatenate(col_idx))), shape=(n_rows, m + fair.size)
    )
    b = np.concatenate([cap, np.zeros(fair.size), [total] if total is not None else []])
    bounds = np.column_stack([np.concatenate([forced, np.zeros(fair.size)]), np.ones(m + fair.size)])
    options = {} if time_limit is None else {"time_limit": time_limit}
    res = linprog(
        -np.concatenate([w, bonus[fair]]), A_ub=a, b_ub=b, bounds=bounds, method="highs-ds", options=options
    )
    if res.status != 0:
        raise SelectionError(f"the LP solver stopped: {res.message}")
    y = res.ineqlin.marginals
    chosen = np.flatnonzero(res.x[:m] > 0.5)
    alpha = np.maximum(0.0, -y[:n])
    z = max(0.0, -y[-1]) if total is not None else 0.0
    return BMatching(chosen, alpha, z, -res.fun, 1, m)


def _kth_largest_per_owner(owner: np.ndarray, values: np.ndarray, k: np.ndarray, n: int) -> np.ndarray:
    """For each owner o, the k[o]-th largest of its values (0 when it has fewer, or k[o] <= 0 -> max)."""
    result = np.zeros(n)
    if owner.size == 0:
        return result
    order = np.lexsort((-values, owner))
    so = owner[order]
    sv = values[order]
    first = np.searchsorted(so, np.arange(n), side="left")
    degree = np.bincount(owner, minlength=n)
    want = k.copy()
    take = (want >= 1) & (want <= degree)
    result[take] = sv[first[take] + want[take] - 1]
    top = (want <= 0) & (degree > 0)
    result[top] = sv[first[top]]
    return np.maximum(result, 0.0)


def lagrangian_bound(
    pb: np.ndarray,
    pp: np.ndarray,
    w: np.ndarray,
    fixed: np.ndarray,
    cap: np.ndarray,
    total: int | None,
    alpha: np.ndarray,
    z: float,
    n_buyers: int,
    rounds: int = 1,
) -> float:
    """A proven upper bound on sum(w x) over all b-matchings containing the fixed pairs.

    For any alpha >= 0 (per person) and z >= 0 (per meeting), weak LP duality gives

        OPT <= sum_v cap_v alpha_v + K z + sum_{e free} max(0, r_e) + sum_{e fixed} r_e,
        r_e = w_e - alpha_b - alpha_p - z.

    Starting from the selection LP's duals, a few rounds of exact block
    coordinate descent (buyers, producers, z: each a k-th-largest choice)
    tighten it; the smallest value seen is returned. With the plain-score LP's
    own duals the bound equals the optimum.
    """
    n = cap.size
    free = ~fixed
    fixed_count = np.bincount(pb[fixed], minlength=n) + np.bincount(pp[fixed], minlength=n)
    room = cap - fixed_count
    k_total = None if total is None else total - int(fixed.sum())
    if k_total is not None and k_total <= 0:
        return float(w[fixed].sum())  # no table left for anything but the fixed meetings

    def value(alpha, z):
        r = w - alpha[pb] - alpha[pp] - z
        bound = float(cap @ alpha) + float(np.maximum(r[free], 0).sum()) + float(r[fixed].sum())
        if total is not None:
            bound += total * z
        return bound

    alpha = alpha.copy()
    best = value(alpha, z)
    fb, fpp, fw = pb[free], pp[free], w[free]
    for _ in range(rounds):
        r = fw - alpha[fpp] - z
        alpha[:n_buyers] = _kth_largest_per_owner(fb, r, room, n)[:n_buyers]
        r = fw - alpha[fb] - z
        alpha[n_buyers:] = _kth_largest_per_owner(fpp, r, room, n)[n_buyers:]
        if total is not None:
            r = fw - alpha[fb] - alpha[fpp]
            if k_total is not None and 0 < k_total <= r.size:
                z = max(0.0, float(np.partition(r, r.size - k_total)[r.size - k_total]))
            elif k_total is not None and k_total <= 0:
                z = max(0.0, float(r.max(initial=0.0)))
            else:
                z = 0.0
        current = value(alpha, z)
        gain = best - current
        best = min(best, current)
        if gain <= 1e-7 * max(1.0, abs(best)):
            break
    return best
