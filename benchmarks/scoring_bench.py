"""Candidate scoring benchmark: score_pair one pair at a time (the baseline, what "Run matching" did)
against the array path (app/matching/engine/candidates.py), on profiles shaped like a national
conference and a province one.

    .venv/bin/python benchmarks/scoring_bench.py [--quick] [--sample-buyers 150]

Profiles (deterministic, seed 3): 22 OCOP categories; buyers with 1–3 demand lines (kg or tonnes,
some in boxes or litres, some without a volume; required standards, minimum stars, preferred
provinces, price ceilings), producers with 1–3 products (stars, standards, capacity in kg, tonnes
or other units or unknown, prices, certificates of which some expire before the session), a few
asks and blocks. National: 3,000 buyers × 8,000 producers (~16,000 products); province: 300 × 600.

The baseline at national size is measured on the first `--sample-buyers` buyers against every
producer and extrapolated by the number of category-sharing pairs (its cost is per pair
scored); the array path runs whole. Both are checked to give the same scores on the sample.
Times are wall and CPU seconds (the best of 3 runs at province size, after a warm-up call); peak
memory is tracemalloc's, in a separate run. Also: what
the candidate structure weighs against a networkx graph of the same edges, and what writing
"why this match" costs for the meetings of a national run (score_pair again, per meeting).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.data.vocab import CATEGORIES, STANDARDS, UNIT_BASE  # noqa: E402
from app.matching.engine import candidates as fast  # noqa: E402
from app.matching.engine.scoring import BuyerProfile, Demand, Offer, ProducerProfile  # noqa: E402

ON = date(2027, 3, 16)  # the session's last day
PROVINCES = [f"{n:02d}" for n in range(1, 35)]
SIZES = {"province": (300, 600), "national": (3_000, 8_000)}


def profiles(n_buyers: int, n_producers: int, seed: int = 3):
    rng = random.Random(seed)
    categories, standards = list(CATEGORIES), list(STANDARDS)

    def maybe(p: float, value):
        return value if rng.random() < p else None

    producers = []
    for j in range(n_producers):
        offers = []
        for _ in range(rng.choice([1, 2, 2, 3])):
            unit = rng.choices(["kg", "tonne", "litre", "box", None], [0.55, 0.2, 0.1, 0.1, 0.05])[0]
            offers.append(
                Offer(
                    category=rng.choice(categories),
                    stars=rng.choices([3, 4, 5], [0.55, 0.33, 0.12])[0],
                    certificate_expiry=ON + timedelta(days=rng.randint(-60, 900)),
                    standards=frozenset(s for s in standards if rng.random() < 0.08),
                    capacity=maybe(0.9, float(rng.choice([50, 200, 500, 1000, 3000, 12.5]))),
                    capacity_unit=unit,
                    price_min=maybe(0.85, float(rng.randrange(20_000, 900_000, 5_000))),
                    price_max=None,
                    price_unit=unit if unit != "tonne" else "kg",
                )
            )
        producers.append(ProducerProfile(f"p{j}", tuple(offers), rng.choice(PROVINCES)))
    buyers = []
    for i in range(n_buyers):
        lines = []
        for _ in range(rng.choice([1, 2, 2, 3])):
            unit = rng.choices(["kg", "tonne", "litre", "box"], [0.6, 0.25, 0.1, 0.05])[0]
            required = rng.sample(standards, rng.choices([0, 1, 2], [0.05, 0.35, 0.6])[0])
            lines.append(
                Demand(
                    category=rng.choice(categories),
                    monthly_volume=maybe(0.95, float(rng.choice([100, 300, 800, 2, 5]))),
                    unit=unit,
                    required_standards=frozenset(required),
                    min_stars=rng.choices([3, 4, 5], [0.4, 0.4, 0.2])[0],
                    preferred_provinces=frozenset(rng.sample(PROVINCES, rng.choice([0, 0, 1, 3]))),
                    price_ceiling=maybe(0.5, float(rng.randrange(50_000, 700_000, 10_000))),
                )
            )
        buyers.append(BuyerProfile(f"b{i}", tuple(lines), rng.choice(PROVINCES)))
    requests = []
    for _ in range(n_buyers // 10):
        requests.append(
            {
                "buyer": f"b{rng.randrange(n_buyers)}",
                "producer": f"p{rng.randrange(n_producers)}",
                "kind": rng.choice(["ask", "must", "block"]),
                "status": rng.choice(["open", "accepted", "declined"]),
                "requested_by": rng.choice(["buyer", "producer"]),
            }
        )
    return buyers, producers, requests


def sharing_pairs(buyers, producers) -> int:
    """Pairs sharing a category: what score_pair had to score."""
    by_category: dict[str, set[int]] = {}
    for j, producer in enumerate(producers):
        for offer in producer.products:
            by_category.setdefault(offer.category, set()).add(j)
    total = 0
    for buyer in buyers:
        seen: set[int] = set()
        for category in {line.category for line in buyer.demand}:
            seen |= by_category.get(category, set())
        total += len(seen)
    return total


def timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def best_of(repeat: int, function):
    """The result, and the lowest wall and CPU seconds of `repeat` runs (a busy machine only adds)."""
    runs = [timed(function) for _ in range(repeat)]
    return runs[-1][0], min(r[1] for r in runs), min(r[2] for r in runs)


def peak_mb(function) -> float:
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def measure(name: str, n_buyers: int, n_producers: int, sample_buyers: int | None) -> None:
    buyers, producers, requests = profiles(n_buyers, n_producers)
    arguments = {"on": ON, "requests": requests, "unit_base": UNIT_BASE}
    shared = sharing_pairs(buyers, producers)
    n_products = sum(len(p.products) for p in producers)
    # Warm-up: numpy's first calls load its modules (in the app the solver has loaded them already).
    fast.score_candidates(buyers[:5], producers[:5], **arguments)
    repeat = 1 if sample_buyers is not None and sample_buyers < n_buyers else 3
    found, fast_wall, fast_cpu = best_of(
        repeat, lambda: fast.score_candidates(buyers, producers, **arguments)
    )
    fast_peak = peak_mb(lambda: fast.score_candidates(buyers, producers, **arguments))

    sample = buyers if sample_buyers is None or sample_buyers >= n_buyers else buyers[:sample_buyers]
    reference, ref_wall, ref_cpu = best_of(
        repeat, lambda: fast.candidate_scores_reference(sample, producers, **arguments)
    )
    scale = shared / max(1, sharing_pairs(sample, producers))
    ref_peak = peak_mb(lambda: fast.candidate_scores_reference(sample, producers, **arguments))
    sample_ids = {b.id for b in sample}
    same = reference.scores() == {k: s for k, s in found.scores().items() if k[0] in sample_ids}
    assert same, "the array path and score_pair disagree"
    if sample is not buyers:
        on_sample = fast.score_candidates(sample, producers, **arguments)
        assert on_sample.excluded == reference.excluded

    print(f"\n== {name}: {n_buyers:,} buyers x {n_producers:,} producers ({n_products:,} products)")
    print(
        f"pairs sharing a category (scored by score_pair before): {shared:,}; candidate pairs: {len(found):,}"
    )
    print(f"excluded: {found.excluded}")
    label = "score_pair loop (baseline)"
    if sample is not buyers:
        label += f", {len(sample)} buyers measured, x{scale:.1f}"
    print(f"{'method':<58}{'wall s':>9}{'CPU s':>9}{'peak MB':>10}")
    print(f"{label:<58}{ref_wall * scale:>9.2f}{ref_cpu * scale:>9.2f}{ref_peak * scale:>10.0f}")
    print(f"{'array path (score_candidates)':<58}{fast_wall:>9.2f}{fast_cpu:>9.2f}{fast_peak:>10.0f}")
    speed_up = ref_cpu * scale / max(fast_cpu, 1e-9)
    print(f"speed-up (CPU): {speed_up:.0f}x; same scores on the measured buyers: {same}")
    if sample is not buyers:
        print(
            "(baseline peak memory: scores only, no PairScore kept; the old graph kept one per edge, below)"
        )

    # What the candidates weigh: arrays, against networkx graphs of the same edges.
    import networkx as nx

    arrays_mb = (found.pair_buyer.nbytes + found.pair_producer.nbytes + found.score.nbytes) / 2**20

    def scores_graph():
        graph = nx.Graph()
        graph.add_weighted_edges_from(found.pairs(), weight="score")
        return graph

    _graph, graph_wall, _cpu = timed(scores_graph)
    graph_mb = peak_mb(scores_graph)
    first = list(found.pairs())[:2_000]
    per_result = peak_mb(lambda: [found.explain(b, p) for b, p, _s in first]) / len(first)
    print(
        f"candidate arrays: {arrays_mb:.1f} MB; a networkx graph of the scores: {graph_mb:.0f} MB "
        f"({graph_wall:.2f} s); one PairScore per edge as before: about {per_result * len(found):.0f} MB more"
    )

    # Writing "why this match" for the meetings only: score_pair again, per meeting.
    meetings = min(len(found), 24_000 if name == "national" else 2_400)
    pairs = list(found.pairs())[:: max(1, len(found) // meetings)][:meetings]
    _why, why_wall, why_cpu = timed(
        lambda: [json.dumps(found.explain(b, p).breakdown(), ensure_ascii=False) for b, p, _s in pairs]
    )
    print(f"why_json of {len(pairs):,} meetings: {why_wall:.2f} s wall, {why_cpu:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the province size only")
    parser.add_argument(
        "--sample-buyers", type=int, default=150, help="baseline buyers measured at national size"
    )
    args = parser.parse_args()
    measure("province", *SIZES["province"], sample_buyers=None)
    if not args.quick:
        measure("national", *SIZES["national"], sample_buyers=args.sample_buyers)
    print("\ntarget: the array path at least 10x faster than the score_pair loop, with the same scores")


if __name__ == "__main__":
    main()
