"""Booth allocation benchmark: the exact allocator against the greedy first-preference baseline.

    .venv/bin/python benchmarks/booth_allocation_bench.py [--seed N] [--requests N] [--booths N]

Generates (deterministically, from the seed) 1,200 booths in 3 halls of three
types, zone tags (a food hall, a drinks hall, a crafts hall, a Lạng Sơn
pavilion, premium rows) with zone rules, and 1,000 requests with three ranked
preferences (named booths, mostly near the entrances, and zones), product
categories and "near" wishes. Runs both methods on the same input and prints
one table: wall time, peak memory (tracemalloc, in a second run so tracing
does not slow the timed one), placed count, preference score and its ranks,
and the pairwise figures. Target: the allocator under 2 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.booths.allocation.engine import (  # noqa: E402
    BoothSpec,
    RequestSpec,
    Weights,
    ZoneRuleSpec,
    allocate,
    greedy_first_preference,
)

TYPES = {
    1: ("Standard 3×3", 3.0, 3.0, 0.7),
    2: ("Double 3×6", 6.0, 3.0, 0.2),
    3: ("Corner 3×3", 3.0, 3.0, 0.1),
}
HALLS = {1: "food", 2: "drinks", 3: "crafts"}
GROUP_ZONE = {
    "food": "food",
    "beverages": "drinks",
    "herbal": "drinks",
    "textiles": "crafts",
    "souvenirs": "crafts",
    "tourism": "crafts",
}
CATEGORIES = {
    "food": [
        "seafood",
        "fresh_fruit",
        "dried_fruit",
        "rice_noodles",
        "meat_products",
        "honey",
        "sauces_spices",
    ],
    "beverages": ["tea", "coffee", "wine_spirits", "juice"],
    "herbal": ["herbal_medicine", "essential_oils", "medicinal_wine"],
    "textiles": ["textiles", "garments"],
    "souvenirs": ["handicrafts", "furniture"],
    "tourism": ["tourism"],
}
GROUP_SHARE = {
    "food": 0.36,
    "beverages": 0.2,
    "herbal": 0.1,
    "textiles": 0.1,
    "souvenirs": 0.18,
    "tourism": 0.06,
}
PAVILION = "province:20"


def generate(seed: int, n_requests: int, n_booths: int):
    rng = random.Random(seed)
    booths: list[BoothSpec] = []
    per_hall = n_booths // len(HALLS)
    type_ids = list(TYPES)
    type_weights = [TYPES[t][3] for t in type_ids]
    booth_id = 0
    for hall, zone in HALLS.items():
        # Rows of 20 booths, 3 m aisles between double rows; width follows the type.
        x = y = 0.0
        in_row = 0
        row = 0
        for _ in range(per_hall):
            type_id = rng.choices(type_ids, type_weights)[0]
            _, width, depth, _ = TYPES[type_id]
            tags = {zone}
            if row < 2:
                tags.add(PAVILION)  # the Lạng Sơn pavilion: the first two rows of each hall
            if row in (4, 5):
                tags.add("premium")
            booth_id += 1
            booths.append(
                BoothSpec(
                    id=booth_id,
                    type_id=type_id,
                    hall=hall,
                    x=x,
                    y=y,
                    w=width,
                    d=depth,
                    tags=frozenset(tags),
                    blocked=rng.random() < 0.02,
                    taken=rng.random() < 0.03,
                    code=f"{'ABC'[hall - 1]}-{booth_id}",
                )
            )
            x += width
            in_row += 1
            if in_row == 20:
                in_row, x = 0, 0.0
                row += 1
                y += depth + (3.0 if row % 2 == 0 else 0.0)
    rules = [ZoneRuleSpec("group", group, zone) for group, zone in GROUP_ZONE.items()]
    rules.append(ZoneRuleSpec("province", "20", PAVILION))
    by_zone_type: dict[tuple[str, int], list[int]] = {}
    for booth in booths:
        for tag in booth.tags:
            by_zone_type.setdefault((tag, booth.type_id), []).append(booth.id)
    groups = list(GROUP_SHARE)
    requests: list[RequestSpec] = []
    for k in range(n_requests):
        group = rng.choices(groups, [GROUP_SHARE[g] for g in groups])[0]
        type_id = rng.choices(type_ids, type_weights)[0]
        province = "20" if rng.random() < 0.04 else rng.choice(["22", "24", "26", "01", "79", "92"])
        zone = GROUP_ZONE[group]
        pool = by_zone_type.get((zone, type_id), [])
        if province == "20":
            pool = [b for b in pool if b in set(by_zone_type.get((PAVILION, type_id), []))]
        prefs: list[int | str] = []
        while len(prefs) < 3 and pool:
            if rng.random() < 0.15:
                wish: int | str = "premium"
            else:
                # Popular booths: near the entrance (low ids in each hall) are asked for more.
                wish = pool[min(int(rng.expovariate(1 / 25)), len(pool) - 1)]
            if wish not in prefs:
                prefs.append(wish)
            elif len(set(pool)) <= len(prefs):
                break
        near = frozenset()
        if rng.random() < 0.1 and k:
            near = frozenset({10_000 + rng.randrange(k)})
        requests.append(
            RequestSpec(
                id=k + 1,
                org=10_000 + k,
                type_id=type_id,
                order=k,
                stars=rng.choice([3, 3, 4, 4, 5]),
                categories=frozenset({rng.choice(CATEGORIES[group])}),
                groups=frozenset({group}),
                province=province,
                preferences=tuple(prefs),
                near=near,
            )
        )
    return booths, requests, rules


def run(method, booths, requests, rules, weights):
    start = time.perf_counter()
    cpu = time.process_time()
    result = method(booths, requests, rules, weights)
    seconds = time.perf_counter() - start
    cpu_seconds = time.process_time() - cpu
    tracemalloc.start()
    method(booths, requests, rules, weights)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, cpu_seconds, peak


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--requests", type=int, default=1_000)
    parser.add_argument("--booths", type=int, default=1_200)
    args = parser.parse_args(argv)
    booths, requests, rules = generate(args.seed, args.requests, args.booths)
    weights = Weights()
    free = sum(1 for b in booths if not b.blocked and not b.taken)
    print(
        f"{len(requests)} requests, {len(booths)} booths in {len(HALLS)} halls "
        f"({free} free), {len(rules)} zone rules, seed {args.seed}\n"
    )
    rows = []
    for name, method in (("optimal", allocate), ("greedy", greedy_first_preference)):
        result, seconds, cpu_seconds, peak = run(method, booths, requests, rules, weights)
        s = result.stats
        rows.append(
            (
                name,
                f"{seconds:.3f}",
                f"{cpu_seconds:.3f}",
                f"{peak / 2**20:.1f}",
                str(s.placed),
                str(s.preference_score),
                f"{s.by_rank[1]}/{s.by_rank[2]}/{s.by_rank[3]}/{s.by_rank[None]}",
                str(s.competitor_pairs),
                f"{s.near_met}/{s.near_wished}",
                str(s.total),
            )
        )
        if name == "optimal":
            optimal_seconds = seconds
            steps = result.improvements
    header = (
        "method",
        "time s",
        "cpu s",
        "peak MiB",
        "placed",
        "pref score",
        "rank 1/2/3/none",
        "competitors adj.",
        "near met",
        "total score",
    )
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
    print("  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))
    print(f"\nimprovement steps (moves/swaps) taken by the pairwise pass: {steps}")
    verdict = "OK" if optimal_seconds < 2.0 else "SLOW"
    print(f"target: allocator under 2 s -> {optimal_seconds:.3f} s {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
