"""Brute force for tiny instances: the answers the solver must match."""

from __future__ import annotations

from itertools import combinations

from app.matching.engine.instance import Instance


def usable_pairs(inst: Instance) -> list[int]:
    ids = inst.person_ids
    return [
        k
        for k in range(inst.n_pairs)
        if (ids[inst.pair_buyer[k]], ids[inst.pair_producer[k]]) not in inst.blocked
        and inst.available[inst.pair_buyer[k]] & inst.available[inst.pair_producer[k]]
        and inst.capacity(inst.pair_buyer[k]) > 0
        and inst.capacity(inst.pair_producer[k]) > 0
    ]


def is_bmatching(inst: Instance, pairs, total: int | None) -> bool:
    if total is not None and len(pairs) > total:
        return False
    load = [0] * inst.n_people
    for k in pairs:
        for v in (inst.pair_buyer[k], inst.pair_producer[k]):
            load[v] += 1
            if load[v] > inst.capacity(v):
                return False
    return True


def best_bmatching(inst: Instance, value, candidates=None) -> float:
    """max value(subset) over subsets of the candidate pairs that are b-matchings (caps, slots x tables)."""
    candidates = usable_pairs(inst) if candidates is None else candidates
    total = None if inst.tables is None else inst.n_slots * inst.tables
    best = 0.0
    for size in range(len(candidates) + 1):
        for subset in combinations(candidates, size):
            if is_bmatching(inst, subset, total):
                best = max(best, value(subset))
    return best


def schedulable(inst: Instance, pairs) -> bool:
    """Can these meetings all be put in slots (people, availability, tables, fixed)?"""
    fixed = {k: s for k, s, _ in inst.fixed}
    if not set(fixed) <= set(pairs):
        return False
    busy = [0] * inst.n_people
    count = [0] * inst.n_slots
    limit = inst.tables if inst.tables is not None else len(pairs) + 1
    for k, s in fixed.items():
        busy[inst.pair_buyer[k]] |= 1 << s
        busy[inst.pair_producer[k]] |= 1 << s
        count[s] += 1
    rest = [k for k in pairs if k not in fixed]

    def place(i: int) -> bool:
        if i == len(rest):
            return True
        k = rest[i]
        b, p = inst.pair_buyer[k], inst.pair_producer[k]
        free = inst.available[b] & inst.available[p] & ~busy[b] & ~busy[p]
        for s in range(inst.n_slots):
            if free >> s & 1 and count[s] < limit:
                busy[b] |= 1 << s
                busy[p] |= 1 << s
                count[s] += 1
                if place(i + 1):
                    return True
                busy[b] &= ~(1 << s)
                busy[p] &= ~(1 << s)
                count[s] -= 1
        return False

    return place(0)


def best_schedule_score(inst: Instance) -> float:
    """The best objective of any valid schedule (tiny instances only)."""
    candidates = usable_pairs(inst)
    fixed = {k for k, _, _ in inst.fixed}
    best = 0.0
    for size in range(len(candidates) + 1):
        for subset in combinations(candidates, size):
            if fixed <= set(subset) and is_bmatching(inst, subset, None) and schedulable(inst, subset):
                best = max(best, sum(inst.pair_score[k] for k in subset))
    return best
