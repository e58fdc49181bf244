"""Realistic random matching instances, for tests and benchmarks.

The shape follows an OCOP buyer–supplier conference: product categories in
the six OCOP groups; buyers want 2–5 categories, producers make 1–2; hard
filters (category, minimum stars, a required standard) keep the candidate
pairs, and a score in (0, 1] comes from weighted terms (category fit, supply
capacity against the buyer's monthly volume, standards, stars, province
preference, mutual interest). A share of people is available only part of
the day; a few ask to meet (`must`) or not to meet (`block`) someone; a few
meetings are already published (`fixed`).

`generate_instance(...)` returns an instance dict of specs/matching-format.md.
The number of product categories is chosen so the candidate pairs come out
near `target_pairs`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np

OCOP_GROUPS = ("food", "beverages", "herbal", "textiles", "souvenirs", "tourism")
WEIGHTS = {
    "category": 0.30,
    "capacity": 0.25,
    "standards": 0.15,
    "stars": 0.10,
    "province": 0.10,
    "mutual": 0.10,
}
N_PROVINCES = 34
N_STANDARDS = 6


def generate_instance(
    n_buyers: int = 300,
    n_producers: int = 600,
    target_pairs: int = 25_000,
    n_slots: int = 16,
    tables: int | None = 40,
    seed: int = 0,
    partial_share: float = 0.25,
    buyer_max: tuple[int, int] = (6, 12),
    producer_max: tuple[int, int] = (3, 8),
    must_share: float = 0.03,
    block_share: float = 0.01,
    fixed_share: float = 0.01,
    start: str = "2025-10-15T08:00:00+07:00",
    slot_minutes: int = 20,
    break_minutes: int = 5,
) -> dict:
    """A random instance shaped like a real session; same seed, same instance."""
    rng = np.random.default_rng(seed)
    buyers_want = rng.integers(2, 6, size=n_buyers)
    producers_make = rng.integers(1, 3, size=n_producers)
    # Expected overlap of a buyer's and a producer's categories is about
    # mean(want) * mean(make) / C; a star filter passes about 70% of pairs.
    expected_per_category = n_buyers * n_producers * 3.5 * 1.5 * 0.7
    n_categories = int(max(12, round(expected_per_category / max(target_pairs, 1))))

    buyer_cats = [rng.choice(n_categories, size=k, replace=False) for k in buyers_want]
    producer_cats = [rng.choice(n_categories, size=k, replace=False) for k in producers_make]
    by_category: list[list[int]] = [[] for _ in range(n_categories)]
    for p, cats in enumerate(producer_cats):
        for c in cats:
            by_category[c].append(p)
    by_category_arr = [np.asarray(ps, dtype=np.int64) for ps in by_category]

    stars = rng.choice([3, 4, 5], size=n_producers, p=[0.55, 0.33, 0.12])
    min_stars = rng.choice([1, 3, 4], size=n_buyers, p=[0.45, 0.40, 0.15])
    producer_standards = rng.random((n_producers, N_STANDARDS)) < 0.3
    buyer_requires = rng.random((n_buyers, N_STANDARDS)) < 0.12
    producer_province = rng.integers(0, N_PROVINCES, size=n_producers)
    buyer_provinces = rng.random((n_buyers, N_PROVINCES)) < 0.15
    volume = rng.lognormal(mean=6.0, sigma=1.0, size=n_buyers)  # kg a month
    capacity = rng.lognormal(mean=6.0, sigma=1.2, size=n_producers)

    rows_b: list[np.ndarray] = []
    rows_p: list[np.ndarray] = []
    rows_fit: list[np.ndarray] = []
    for b in range(n_buyers):
        candidates = np.concatenate([by_category_arr[c] for c in buyer_cats[b]])
        if candidates.size == 0:
            continue
        producers, overlap = np.unique(candidates, return_counts=True)
        keep = stars[producers] >= min_stars[b]
        # A buyer's required standard is a hard filter for half of the buyers.
        if b % 2 == 0 and buyer_requires[b].any():
            keep &= (producer_standards[producers] & buyer_requires[b]).any(axis=1)
        producers, overlap = producers[keep], overlap[keep]
        rows_b.append(np.full(producers.size, b, dtype=np.int64))
        rows_p.append(producers)
        rows_fit.append(np.minimum(1.0, overlap / np.minimum(buyers_want[b], producers_make[producers])))
    pb = np.concatenate(rows_b) if rows_b else np.zeros(0, dtype=np.int64)
    pp = np.concatenate(rows_p) if rows_p else np.zeros(0, dtype=np.int64)
    fit = np.concatenate(rows_fit) if rows_fit else np.zeros(0)
    if pb.size > target_pairs * 1.1:
        chosen = np.sort(rng.choice(pb.size, size=target_pairs, replace=False))
        pb, pp, fit = pb[chosen], pp[chosen], fit[chosen]

    cap_term = np.minimum(1.0, capacity[pp] / volume[pb])
    required = buyer_requires[pb]
    n_required = required.sum(axis=1)
    met = (required & producer_standards[pp]).sum(axis=1)
    std_term = np.where(n_required > 0, met / np.maximum(n_required, 1), producer_standards[pp].mean(axis=1))
    star_term = (stars[pp] - 2) / 3.0
    province_term = np.where(buyer_provinces[pb, producer_province[pp]], 1.0, 0.3)
    mutual = rng.random(pb.size) < 0.04
    score = (
        WEIGHTS["category"] * fit
        + WEIGHTS["capacity"] * cap_term
        + WEIGHTS["standards"] * std_term
        + WEIGHTS["stars"] * star_term
        + WEIGHTS["province"] * province_term
        + WEIGHTS["mutual"] * mutual
    )
    score = np.clip(np.round(score, 4), 0.01, 1.0)

    # Session: slots of `slot_minutes` with a break, a lunch break half-way.
    first = datetime.fromisoformat(start)
    slots = []
    moment = first
    for s in range(n_slots):
        if s == n_slots // 2 and n_slots >= 8:
            moment += timedelta(minutes=60)
        end = moment + timedelta(minutes=slot_minutes)
        slots.append({"id": s, "start": moment.isoformat(), "end": end.isoformat()})
        moment = end + timedelta(minutes=break_minutes)

    def availability() -> list[int] | None:
        if rng.random() >= partial_share:
            return None
        kind = rng.random()
        if kind < 0.35:
            return list(range(n_slots // 2))  # morning only
        if kind < 0.7:
            return list(range(n_slots // 2, n_slots))  # afternoon only
        length = int(rng.integers(max(1, n_slots * 2 // 5), max(2, n_slots * 7 // 10) + 1))
        begin = int(rng.integers(0, n_slots - length + 1))
        return list(range(begin, begin + length))

    buyers = []
    for b in range(n_buyers):
        person = {"id": f"b{b + 1}", "max_meetings": int(rng.integers(buyer_max[0], buyer_max[1] + 1))}
        window = availability()
        if window is not None:
            person["available_slots"] = window
        buyers.append(person)
    producers = []
    for p in range(n_producers):
        person = {"id": f"p{p + 1}", "max_meetings": int(rng.integers(producer_max[0], producer_max[1] + 1))}
        window = availability()
        if window is not None:
            person["available_slots"] = window
        producers.append(person)

    pairs = [
        {"buyer": f"b{b + 1}", "producer": f"p{p + 1}", "score": float(s)}
        for b, p, s in zip(pb.tolist(), pp.tolist(), score.tolist(), strict=True)
    ]

    requests: list[dict] = []
    n_pairs = len(pairs)
    if n_pairs:
        # Mutual interest often becomes a must-meet request.
        mutual_idx = np.flatnonzero(mutual)
        n_must = min(mutual_idx.size, int(must_share * n_buyers) + 1)
        for k in rng.choice(mutual_idx, size=n_must, replace=False) if n_must else []:
            requests.append({"buyer": pairs[k]["buyer"], "producer": pairs[k]["producer"], "kind": "must"})
        n_block = int(block_share * n_pairs)
        for k in rng.choice(n_pairs, size=n_block, replace=False) if n_block else []:
            requests.append({"buyer": pairs[k]["buyer"], "producer": pairs[k]["producer"], "kind": "block"})
    if n_buyers and n_producers:
        # A must-meet request for a pair the filters removed: it can't be met.
        requests.append({"buyer": "b1", "producer": f"p{n_producers}", "kind": "must"})

    fixed = _fixed_meetings(rng, pairs, requests, buyers, producers, n_slots, tables, fixed_share)
    instance = {
        "format": "ocopfair.matching/1",
        "session": {"timezone": "Asia/Ho_Chi_Minh", "slots": slots},
        "buyers": buyers,
        "producers": producers,
        "pairs": pairs,
        "requests": requests,
        "fixed": fixed,
    }
    if tables is not None:
        instance["session"]["tables"] = tables
    return instance


def _fixed_meetings(rng, pairs, requests, buyers, producers, n_slots, tables, share) -> list[dict]:
    """A few published meetings, placed feasibly (people free, table free)."""
    people = {p["id"]: p for p in buyers + producers}
    blocked = {(r["buyer"], r["producer"]) for r in requests if r["kind"] == "block"}
    busy: set[tuple[str, int]] = set()
    count: dict[str, int] = {}
    tables_used: dict[int, int] = {}
    fixed = []
    n_wanted = int(share * (len(buyers) + len(producers)))
    for k in rng.permutation(len(pairs))[: n_wanted * 3]:
        if len(fixed) >= n_wanted:
            break
        pair = pairs[int(k)]
        b, p = pair["buyer"], pair["producer"]
        if (b, p) in blocked or any(f["buyer"] == b and f["producer"] == p for f in fixed):
            continue
        if any(count.get(x, 0) >= people[x]["max_meetings"] for x in (b, p)):
            continue
        common = set(people[b].get("available_slots", range(n_slots))) & set(
            people[p].get("available_slots", range(n_slots))
        )
        free = sorted(s for s in common if (b, s) not in busy and (p, s) not in busy)
        free = [s for s in free if tables is None or tables_used.get(s, 0) < tables]
        if not free:
            continue
        s = int(free[int(rng.integers(0, len(free)))])
        table = tables_used.get(s, 0)
        tables_used[s] = table + 1
        busy.update({(b, s), (p, s)})
        count[b] = count.get(b, 0) + 1
        count[p] = count.get(p, 0) + 1
        fixed.append({"buyer": b, "producer": p, "slot": s, "table": table})
    return fixed


def generate_forum(
    n_people: int = 60,
    n_requests: int = 200,
    n_slots: int = 16,
    tables: int = 20,
    *,
    seed: int = 0,
    unavailable_share: float = 0.2,
    half_day_share: float = 0.15,
    published_share: float = 0.0,
) -> dict:
    """An any-to-any forum (the spec's "Any-to-any sessions") shaped like a B2B forum, generated
    from a hidden schedule so that every requested meeting can be placed.

    Participants differ in popularity (a few are asked by many); the hidden schedule puts each
    requested meeting in a random slot where both are free and a table is left. Then a share of
    participants arrive late or leave early (unavailable in slots where they have no hidden
    meeting), and a share of meetings are restricted to the half of the day their hidden slot is
    in. Every pair is a `must` request. `published_share` of the meetings are published (fixed) at
    their hidden slot. Fewer than `n_requests` come out when the slots and tables run out.
    """
    rng = np.random.default_rng(seed)
    popularity = rng.pareto(2.0, n_people) + 1.0
    popularity /= popularity.sum()
    busy = [0] * n_people
    per_slot = [0] * n_slots
    hidden: dict[tuple[int, int], int] = {}
    attempts = 0
    while len(hidden) < n_requests and attempts < 40 * n_requests:
        attempts += 1
        a, b = (int(x) for x in rng.choice(n_people, size=2, replace=False, p=popularity))
        key = (min(a, b), max(a, b))
        if key in hidden:
            continue
        free = [s for s in range(n_slots) if per_slot[s] < tables and not (busy[a] | busy[b]) >> s & 1]
        if not free:
            continue
        s = int(free[rng.integers(len(free))])
        hidden[key] = s
        busy[a] |= 1 << s
        busy[b] |= 1 << s
        per_slot[s] += 1
    half = max(1, n_slots // 2)
    people = []
    for v in range(n_people):
        person: dict = {"id": f"c{v:04d}", "max_meetings": busy[v].bit_count() + int(rng.integers(0, 3))}
        if rng.random() < unavailable_share and busy[v]:
            first = (busy[v] & -busy[v]).bit_length() - 1
            last = busy[v].bit_length() - 1
            start = int(rng.integers(0, first + 1)) if rng.random() < 0.5 else 0
            end = int(rng.integers(last, n_slots)) if start == 0 else n_slots - 1
            person["available_slots"] = list(range(start, end + 1))
        people.append(person)
    pairs, requests, fixed = [], [], []
    keys = list(hidden)
    rng.shuffle(keys)
    used_tables: dict[int, int] = {}
    for a, b in keys:
        s = hidden[(a, b)]
        if rng.random() < 0.5:
            a, b = b, a
        pair: dict = {"a": f"c{a:04d}", "b": f"c{b:04d}", "score": 1.0}
        if rng.random() < half_day_share:
            pair["slots"] = list(range(half)) if s < half else list(range(half, n_slots))
        pairs.append(pair)
        requests.append({"a": pair["a"], "b": pair["b"], "kind": "must"})
        if rng.random() < published_share:
            table = used_tables.get(s, 0)
            used_tables[s] = table + 1
            fixed.append({"a": pair["a"], "b": pair["b"], "slot": s, "table": table})
    return {
        "format": "ocopfair.matching/1",
        "session": {
            "timezone": "Asia/Ho_Chi_Minh",
            "slots": [{"id": s} for s in range(n_slots)],
            "tables": tables,
        },
        "participants": people,
        "pairs": pairs,
        "requests": requests,
        "fixed": fixed,
    }
