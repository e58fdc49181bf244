"""The selection LP: column generation gives the same optimum as the whole LP, and it is integral."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.matching.engine import selection
from app.matching.engine.selection import lagrangian_bound, max_weight_bmatching


def random_bmatching(seed: int, n_buyers: int, n_producers: int, density: float):
    rng = np.random.default_rng(seed)
    mask = rng.random((n_buyers, n_producers)) < density
    pb, pp = np.nonzero(mask)
    pp = pp + n_buyers
    w = np.round(rng.uniform(0.01, 1.0, size=pb.size), 3)
    cap = rng.integers(0, 5, size=n_buyers + n_producers)
    return pb.astype(np.int64), pp.astype(np.int64), w, cap


def objective(result, w, bonus, pb, pp):
    people = set(pb[result.chosen].tolist()) | set(pp[result.chosen].tolist())
    return float(w[result.chosen].sum()) + sum(float(bonus[v]) for v in people)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    st.integers(0, 10_000),
    st.integers(3, 25),
    st.integers(3, 40),
    st.floats(0.05, 0.6),
    st.sampled_from([None, 0, 5, 30]),
    st.sampled_from([0.0, 0.02, 0.3]),
)
def test_column_generation_reaches_the_optimum_of_the_whole_lp(
    monkeypatch, seed, n_buyers, n_producers, density, total, beta
):
    pb, pp, w, cap = random_bmatching(seed, n_buyers, n_producers, density)
    bonus = np.full(cap.size, beta)
    with monkeypatch.context() as m:
        m.setattr(selection, "FULL_MODEL_PAIRS", 10**9)
        whole = max_weight_bmatching(pb, pp, w, cap, total, bonus=bonus)
    with monkeypatch.context() as m:
        m.setattr(selection, "FULL_MODEL_PAIRS", 0)
        m.setattr(selection, "PRICING_BATCH", 3)
        priced = max_weight_bmatching(pb, pp, w, cap, total, bonus=bonus)
    assert math.isclose(objective(whole, w, bonus, pb, pp), objective(priced, w, bonus, pb, pp), abs_tol=1e-6)
    for result in (whole, priced):
        load = np.bincount(pb[result.chosen], minlength=cap.size) + np.bincount(
            pp[result.chosen], minlength=cap.size
        )
        assert (load <= cap).all()
        assert total is None or result.chosen.size <= total
        assert len(set(result.chosen.tolist())) == result.chosen.size
    # The duals bound the plain score of every b-matching, in particular the plain optimum.
    plain = max_weight_bmatching(pb, pp, w, cap, total)
    fixed = np.zeros(w.size, dtype=bool)
    bound = lagrangian_bound(pb, pp, w, fixed, cap, total, priced.alpha, priced.z, n_buyers)
    assert bound >= float(w[plain.chosen].sum()) - 1e-6


def test_forced_pairs_are_kept(monkeypatch):
    pb, pp, w, cap = random_bmatching(7, 10, 20, 0.4)
    cap[:] = 3
    forced = np.zeros(w.size, dtype=bool)
    forced[np.argsort(w)[:3]] = True  # the three worst pairs
    monkeypatch.setattr(selection, "FULL_MODEL_PAIRS", 0)
    result = max_weight_bmatching(pb, pp, w, cap, None, forced=forced)
    assert set(np.flatnonzero(forced)) <= set(result.chosen.tolist())


@pytest.mark.parametrize("total", [None, 4])
def test_the_bound_with_the_plain_lps_duals_equals_its_optimum(total):
    pb, pp, w, cap = random_bmatching(3, 8, 12, 0.5)
    result = max_weight_bmatching(pb, pp, w, cap, total)
    fixed = np.zeros(w.size, dtype=bool)
    bound = lagrangian_bound(pb, pp, w, fixed, cap, total, result.alpha, result.z, 8)
    assert bound == pytest.approx(float(w[result.chosen].sum()), abs=1e-6)


def test_highs_is_loaded_without_scipy_optimize_and_shared_with_it():
    """The solver's HiGHS module comes without scipy.optimize's 0.3 s import, and is the one it uses."""
    code = """
import sys
import numpy as np
from app.matching.engine import selection
assert selection._highs is not None
assert "scipy.optimize" not in sys.modules, "selection imported scipy.optimize"
result = selection.max_weight_bmatching(
    np.array([0, 0, 1]), np.array([2, 3, 3]), np.array([1.0, 2.0, 3.0]), np.array([1, 1, 1, 1]), None
)
assert result.chosen.tolist() == [0, 2], result.chosen
import scipy.optimize._highspy._core as core
from scipy.optimize import linear_sum_assignment, linprog
assert core is selection._highs
assert linprog([-1, -2], A_ub=[[1, 1]], b_ub=[1], bounds=(0, 1), method="highs").x.tolist() == [0, 1]
assert linear_sum_assignment(np.eye(2))[1].tolist() == [1, 0]
"""
    root = Path(__file__).resolve().parents[2]
    subprocess.run([sys.executable, "-c", code], cwd=root, check=True, timeout=60)
