"""Automatic booth allocation: pending requests in, booths out. Pure: no Flask, no database.

`allocate(booths, requests, rules, weights)` returns an `Allocation`: which booth
each request gets, which preference rank that was, and for every request left
unplaced a `Reason` saying why. `greedy_first_preference(...)` is the baseline
the benchmark compares against.

Hard rules (never broken, by construction)
------------------------------------------
* the booth is of the type the request asks for;
* zone rules: every rule matching the exhibitor (its OCOP group, its province,
  its product category) names a zone tag the booth must carry. Rules of the same
  kind are alternatives (an exhibitor with food *and* beverage products may go
  to either hall); rules of different kinds all apply (a Lạng Sơn food producer
  needs a booth tagged both "food" and "province:20" when both rules exist);
* one booth per request, one request per booth;
* booths already taken (allocated or confirmed earlier) and blocked booths are
  not in the free set, so they are never given out.

Objective
---------
For request r on booth b, with k the best preference rank b satisfies (a named
booth, or a booth carrying a named zone tag):

    P(r, b) = place + rank_weight[k]          (rank_weight[none] = 0)

`place` is the value of placing a request at all. By default (`place=None`) it
is lexicographic: first place as many requests as possible, then maximise the
preference score. Ties are broken by priority: higher OCOP stars, then the
earlier request (`tie_order="time"` swaps the two). With p(r) = n-1 - (r's
position in priority order), the tie-break term is

    T(r, b) = (level(r, b) + 1) * p(r),   level = 3, 2, 1, 0 for rank 1, 2, 3, none

so a more important request is placed first and gets the better rank first.
The linear objective is the lexicographic pair (Σ P, Σ T); `linear_value`
computes it for any assignment.

Method (exact for the linear part)
----------------------------------
Requests with the same type and the same zone requirements form a signature;
its compatible free booths are computed once. Signatures that share booths are
joined (union-find) into independent blocks, so matrices stay small (one block
per booth type and zone, typically). Each block is a rectangular assignment
problem solved exactly by `scipy.optimize.linear_sum_assignment` (shortest
augmenting paths, O(n² m) for n requests and m booths in the block) on the
integer cost -(P·M + T), where M exceeds any possible difference in Σ T, so the
two levels stay lexicographic. Each request also has a private "unplaced"
column of cost 0, and incompatible cells cost +1, so the problem is always
feasible and an incompatible cell is never chosen. Costs are integers well
below 2⁵³, so floating point is exact (for blocks beyond ~1,500 requests the
priorities are grouped into bands to keep it so; ties inside a band are then
broken arbitrarily).

Pairwise goals (not linear: handled by local improvement)
---------------------------------------------------------
Direct competitors (a common product category) on adjacent booths (same hall,
rectangles touching or within `adjacent_m`, 0.5 m) cost `competitor`; an "away"
wish within `near_m` costs `away`; a "near" wish fulfilled (the two booths
within `near_m` metres, edge to edge, same hall) earns `near`. These depend on
pairs of decisions, which makes the exact problem a quadratic assignment
problem (NP-hard). We start from the exact linear optimum and run a
first-improvement local search of moves (to a free compatible booth) and swaps
(two requests whose booths suit each other): a step is taken only when it
raises (Σ P + pairwise, Σ T) lexicographically. So every hard rule still holds,
the placed set never shrinks, and the linear score drops below its optimum
only by less than the pairwise gain bought with it. Only requests touched by a
pairwise term are examined, each scanning at most `max_evaluations` candidate
booths (near targets first), for at most `max_passes` passes: O(passes · U ·
E · d) where U is the number of such requests, E the candidates per request
and d the booths within `near_m` of one booth. Neighbour lists come from one
vectorised distance matrix per hall, in row chunks: O(h²) time, O(chunk · h)
memory for h booths in a hall. Wishes of exhibitors whose booth is already
taken are not pursued (they do not move), but they count as neighbours.

Overall: O(Σ blocks n_b² m_b) for the exact part plus the bounded search.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING

# numpy and scipy are imported by the functions that compute with them: the app imports this
# module for its rules (meets_zones, requirements) every time it starts, and they are slow to import.
if TYPE_CHECKING:
    import numpy as np

ZONE_RULE_KINDS = ("group", "province", "category")
MAX_EXACT = 2**52  # integers up to here are exact in float64, with headroom for sums


# ---------------------------------------------------------------- input


@dataclass(frozen=True)
class BoothSpec:
    """A booth of the plan. `taken`: allocated or confirmed already; `occupant_*` who is there."""

    id: int
    type_id: int
    hall: int | str = 0
    x: float = 0.0
    y: float = 0.0
    w: float = 3.0
    d: float = 3.0
    tags: frozenset[str] = frozenset()
    blocked: bool = False
    taken: bool = False
    code: str = ""
    occupant_org: int | None = None
    occupant_categories: frozenset[str] = frozenset()


@dataclass(frozen=True)
class RequestSpec:
    """A pending request. `order`: smaller is earlier. `preferences`: rank 1.. as booth id or zone tag."""

    id: int
    org: int
    type_id: int
    order: int = 0
    stars: int = 0
    categories: frozenset[str] = frozenset()
    groups: frozenset[str] = frozenset()
    province: str | None = None
    preferences: tuple[int | str, ...] = ()
    near: frozenset[int] = frozenset()
    away: frozenset[int] = frozenset()


@dataclass(frozen=True)
class ZoneRuleSpec:
    kind: str  # "group", "province" or "category"
    value: str
    zone: str


@dataclass(frozen=True)
class Weights:
    """The organiser's weights. `place=None`: placing one more request outweighs any preferences."""

    place: int | None = None
    rank: tuple[int, int, int] = (100, 60, 30)
    competitor: int = 20
    near: int = 15
    away: int = 20
    adjacent_m: float = 0.5
    near_m: float = 6.0
    tie_order: str = "stars"  # "stars": more stars, then earlier; "time": earlier, then more stars
    improve: bool = True
    max_passes: int = 4
    max_evaluations: int = 150

    @classmethod
    def from_mapping(cls, values: Mapping | None) -> Weights:
        """Weights from stored settings; unknown keys and bad values are ignored."""
        if not values:
            return cls()
        known = {f.name for f in fields(cls)}
        clean = {}
        for key, value in values.items():
            if key not in known:
                continue
            if key == "rank":
                try:
                    ranks = tuple(int(v) for v in value)
                except (TypeError, ValueError):
                    continue
                if len(ranks) == 3:
                    clean[key] = ranks
            elif key == "tie_order":
                if value in ("stars", "time"):
                    clean[key] = value
            elif key == "place":
                clean[key] = None if value is None else int(value)
            elif key == "improve":
                clean[key] = value in (True, 1, "1", "true", "yes", "on")
            else:
                clean[key] = type(getattr(cls(), key))(value)
        return cls(**clean)

    def rank_weight(self, rank: int | None) -> int:
        return self.rank[rank - 1] if rank else 0


# ---------------------------------------------------------------- output


@dataclass(frozen=True)
class Reason:
    """Why a request was not placed; `text()` in English, services translate by `code`.

    codes: "no_type" (the event has no booth of that type), "no_zone" (none of that
    type in the zone the rules require), "blocked" (all such booths are blocked),
    "taken" (all are taken already), "outcompeted" (the free ones went to other requests).
    """

    code: str
    type_id: int
    zones: tuple[str, ...] = ()  # each requirement as "a" or "a|b" (either zone)
    count: int = 0

    def zone_text(self) -> str:
        return " + ".join(f"'{z}'" for z in self.zones)

    def text(self, type_name: str | None = None) -> str:
        kind = type_name or f"#{self.type_id}"
        where = f" in zone {self.zone_text()}" if self.zones else ""
        if self.code == "no_type":
            return f"no booth of type {kind} exists"
        if self.code == "no_zone":
            return f"no booth of type {kind}{where}"
        if self.code == "blocked":
            return f"every booth of type {kind}{where} is blocked"
        if self.code == "taken":
            return f"no free booth of type {kind}{where}: all {self.count} are taken"
        return f"no free booth of type {kind}{where}: the {self.count} free ones went to other requests"

    def as_dict(self) -> dict:
        return {"code": self.code, "type_id": self.type_id, "zones": list(self.zones), "count": self.count}


@dataclass
class Stats:
    placed: int = 0
    unplaced: int = 0
    by_rank: dict = field(default_factory=dict)  # 1, 2, 3, None -> count
    preference_score: int = 0  # Σ rank weights
    linear: tuple = ()  # the linear objective (see `linear_value`)
    competitor_pairs: int = 0
    near_wished: int = 0
    near_met: int = 0
    away_broken: int = 0
    pairwise: int = 0  # Σ pairwise terms, in weight units
    total: int = 0  # Σ P + pairwise


@dataclass
class Allocation:
    assignment: dict[int, int]  # request id -> booth id
    got_rank: dict[int, int | None]  # request id -> 1..3, or None when placed elsewhere
    unplaced: dict[int, Reason]  # request id -> why
    stats: Stats
    linear_optimum: tuple = ()  # the linear objective before the pairwise improvement pass
    improvements: int = 0


# ---------------------------------------------------------------- rules


def requirements(request: RequestSpec, rules: Iterable[ZoneRuleSpec]) -> tuple[frozenset[str], ...]:
    """The zone requirements of a request: one clause per rule kind, any zone of a clause will do."""
    by_kind: dict[str, set[str]] = defaultdict(set)
    for rule in rules:
        value = (rule.value or "").strip().lower()
        if rule.kind == "group":
            hit = value in {g.lower() for g in request.groups}
        elif rule.kind == "province":
            hit = request.province is not None and value == request.province.lower()
        elif rule.kind == "category":
            hit = value in {c.lower() for c in request.categories}
        else:
            hit = False
        if hit:
            by_kind[rule.kind].add(rule.zone.strip().lower())
    return tuple(frozenset(by_kind[k]) for k in ZONE_RULE_KINDS if k in by_kind)


def meets_zones(tags: frozenset[str], clauses: Sequence[frozenset[str]]) -> bool:
    return all(clause & tags for clause in clauses)


def fits(request: RequestSpec, booth: BoothSpec, clauses: Sequence[frozenset[str]]) -> bool:
    """The hard rules of one booth for one request, ignoring whether it is free."""
    return booth.type_id == request.type_id and meets_zones(booth.tags, clauses)


def rank_of(request: RequestSpec, booth: BoothSpec) -> int | None:
    """The best preference rank `booth` satisfies for `request` (1..3), or None."""
    for rank, wish in enumerate(request.preferences[:3], start=1):
        if isinstance(wish, str):
            if wish in booth.tags:
                return rank
        elif wish == booth.id:
            return rank
    return None


def _clause_text(clauses: Sequence[frozenset[str]]) -> tuple[str, ...]:
    return tuple("|".join(sorted(c)) for c in clauses)


def why_unplaced(
    request: RequestSpec,
    booths: Sequence[BoothSpec],
    clauses: Sequence[frozenset[str]],
    given: frozenset[int] | set[int] = frozenset(),
) -> Reason:
    """The most specific reason a request found no booth; `given`: booth ids this run gave to others."""
    zones = _clause_text(clauses)
    of_type = [b for b in booths if b.type_id == request.type_id]
    if not of_type:
        return Reason("no_type", request.type_id)
    in_zone = [b for b in of_type if meets_zones(b.tags, clauses)]
    if not in_zone:
        return Reason("no_zone", request.type_id, zones)
    usable = [b for b in in_zone if not b.blocked]
    if not usable:
        return Reason("blocked", request.type_id, zones, len(in_zone))
    free = [b for b in usable if not b.taken]
    if not free:
        return Reason("taken", request.type_id, zones, len(usable))
    return Reason("outcompeted", request.type_id, zones, sum(1 for b in free if b.id in given))


# ---------------------------------------------------------------- objective


def priorities(requests: Sequence[RequestSpec], weights: Weights) -> dict[int, int]:
    """p(r): n-1 for the most important request down to 0."""
    if weights.tie_order == "time":
        ordered = sorted(requests, key=lambda r: (r.order, -r.stars, r.id))
    else:
        ordered = sorted(requests, key=lambda r: (-r.stars, r.order, r.id))
    n = len(ordered)
    return {r.id: n - 1 - i for i, r in enumerate(ordered)}


def _level(rank: int | None) -> int:
    return 4 - rank if rank else 0


def linear_value(
    booths: Sequence[BoothSpec],
    requests: Sequence[RequestSpec],
    weights: Weights,
    assignment: Mapping[int, int],
) -> tuple:
    """The linear objective of an assignment, to compare lexicographically.

    (placed, Σ rank weights, Σ T) with place=None; (Σ P, Σ T) with a numeric place weight.
    """
    by_id = {b.id: b for b in booths}
    prio = priorities(requests, weights)
    placed = preference = tie = 0
    for request in requests:
        booth_id = assignment.get(request.id)
        if booth_id is None:
            continue
        rank = rank_of(request, by_id[booth_id])
        placed += 1
        preference += weights.rank_weight(rank)
        tie += (_level(rank) + 1) * prio[request.id]
    if weights.place is None:
        return (placed, preference, tie)
    return (placed * weights.place + preference, tie)


# ---------------------------------------------------------------- geometry


def _edge_gaps(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Edge-to-edge distances between rectangles (rows x, y, w, d) of a and b."""
    import numpy as np

    ax, ay, aw, ad = (a[:, i][:, None] for i in range(4))
    bx, by, bw, bd = (b[:, i][None, :] for i in range(4))
    gx = np.maximum(0.0, np.maximum(bx - (ax + aw), ax - (bx + bw)))
    gy = np.maximum(0.0, np.maximum(by - (ay + ad), ay - (by + bd)))
    return np.hypot(gx, gy)


def neighbours(
    booths: Sequence[BoothSpec], near_m: float, adjacent_m: float, chunk: int = 512
) -> list[list[tuple[int, bool]]]:
    """For each booth (by index), the other booths of its hall within near_m: (index, adjacent?)."""
    import numpy as np

    result: list[list[tuple[int, bool]]] = [[] for _ in booths]
    halls: dict = defaultdict(list)
    for i, booth in enumerate(booths):
        halls[booth.hall].append(i)
    reach = max(near_m, adjacent_m)
    for members in halls.values():
        index = np.array(members)
        rects = np.array([[booths[i].x, booths[i].y, booths[i].w, booths[i].d] for i in members], dtype=float)
        for start in range(0, len(members), chunk):
            gaps = _edge_gaps(rects[start : start + chunk], rects)
            rows, cols = np.nonzero(gaps <= reach + 1e-9)
            for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
                i, j = int(index[start + row]), int(index[col])
                if i != j:
                    result[i].append((j, bool(gaps[row, col] <= adjacent_m + 1e-9)))
    return result


def adjacent(a: BoothSpec, b: BoothSpec, adjacent_m: float = 0.5) -> bool:
    """Whether two booths are side by side: same hall, rectangles touching or within adjacent_m."""
    import numpy as np

    if a.hall != b.hall or a.id == b.id:
        return False
    gap = _edge_gaps(np.array([[a.x, a.y, a.w, a.d]]), np.array([[b.x, b.y, b.w, b.d]]))[0, 0]
    return bool(gap <= adjacent_m + 1e-9)


# ---------------------------------------------------------------- pairwise terms


@dataclass
class _Who:
    """Someone on a booth, as far as pairwise terms go."""

    org: int | None
    categories: frozenset[str]
    near: frozenset[int] = frozenset()
    away: frozenset[int] = frozenset()


def _pair_value(a: _Who, b: _Who, is_adjacent: bool, weights: Weights) -> int:
    if a.org is not None and a.org == b.org:
        return 0
    value = 0
    if is_adjacent and a.categories & b.categories:
        value -= weights.competitor
    if b.org is not None:
        if b.org in a.near:
            value += weights.near
        if b.org in a.away:
            value -= weights.away
    if a.org is not None:
        if a.org in b.near:
            value += weights.near
        if a.org in b.away:
            value -= weights.away
    return value


def _who_of_request(request: RequestSpec) -> _Who:
    return _Who(request.org, frozenset(request.categories), request.near, request.away)


def _who_of_booth(booth: BoothSpec) -> _Who | None:
    if not booth.taken or booth.occupant_org is None:
        return None
    return _Who(booth.occupant_org, frozenset(booth.occupant_categories))


def _pairwise_stats(
    booths: Sequence[BoothSpec],
    requests: Sequence[RequestSpec],
    assignment: Mapping[int, int],
    weights: Weights,
    nbrs: list[list[tuple[int, bool]]] | None = None,
) -> tuple[int, int, int, int, int]:
    """(competitor pairs, near wished, near met, away broken, pairwise value) of a whole assignment."""
    if nbrs is None:
        nbrs = neighbours(booths, weights.near_m, weights.adjacent_m)
    index = {b.id: i for i, b in enumerate(booths)}
    occupant: dict[int, _Who] = {}
    for i, booth in enumerate(booths):
        who = _who_of_booth(booth)
        if who is not None:
            occupant[i] = who
    for request in requests:
        if request.id in assignment:
            occupant[index[assignment[request.id]]] = _who_of_request(request)
    competitor = near_met = away_broken = value = 0
    near_wished = sum(len(r.near) for r in requests if r.id in assignment)
    for i, who in occupant.items():
        for j, is_adjacent in nbrs[i]:
            other = occupant.get(j)
            if other is None:
                continue
            if j > i:  # each unordered pair once
                value += _pair_value(who, other, is_adjacent, weights)
                if is_adjacent and who.categories & other.categories and who.org != other.org:
                    competitor += 1
            if other.org in who.near:
                near_met += 1
            if other.org in who.away:
                away_broken += 1
    return competitor, near_wished, near_met, away_broken, value


def evaluate(
    booths: Sequence[BoothSpec],
    requests: Sequence[RequestSpec],
    weights: Weights,
    assignment: Mapping[int, int],
    nbrs: list[list[tuple[int, bool]]] | None = None,
) -> Stats:
    """Every figure of an assignment: placed, ranks, preference score, pairwise terms."""
    by_id = {b.id: b for b in booths}
    stats = Stats(by_rank={1: 0, 2: 0, 3: 0, None: 0})
    place_sum = 0
    for request in requests:
        booth_id = assignment.get(request.id)
        if booth_id is None:
            stats.unplaced += 1
            continue
        rank = rank_of(request, by_id[booth_id])
        stats.placed += 1
        stats.by_rank[rank] += 1
        stats.preference_score += weights.rank_weight(rank)
        place_sum += weights.place or 0
    stats.linear = linear_value(booths, requests, weights, assignment)
    pairwise_on = weights.competitor or weights.near or weights.away
    if pairwise_on and assignment:
        (
            stats.competitor_pairs,
            stats.near_wished,
            stats.near_met,
            stats.away_broken,
            stats.pairwise,
        ) = _pairwise_stats(booths, requests, assignment, weights, nbrs)
    stats.total = place_sum + stats.preference_score + stats.pairwise
    return stats


# ---------------------------------------------------------------- the exact linear part


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


@dataclass
class _Problem:
    booths: list[BoothSpec]
    requests: list[RequestSpec]
    weights: Weights
    clauses: dict[int, tuple[frozenset[str], ...]]  # request id -> requirements
    compatible: dict[int, list[int]]  # request id -> free compatible booth indices
    priority: dict[int, int]


def _prepare(
    booths: Sequence[BoothSpec],
    requests: Sequence[RequestSpec],
    rules: Sequence[ZoneRuleSpec],
    weights: Weights,
) -> _Problem:
    booths = list(booths)
    requests = list(requests)
    clauses = {r.id: requirements(r, rules) for r in requests}
    free_by_type: dict[int, list[int]] = defaultdict(list)
    for i, booth in enumerate(booths):
        if not booth.blocked and not booth.taken:
            free_by_type[booth.type_id].append(i)
    by_signature: dict[tuple, list[int]] = {}
    compatible: dict[int, list[int]] = {}
    for request in requests:
        signature = (request.type_id, clauses[request.id])
        if signature not in by_signature:
            by_signature[signature] = [
                i for i in free_by_type.get(request.type_id, ()) if meets_zones(booths[i].tags, signature[1])
            ]
        compatible[request.id] = by_signature[signature]
    return _Problem(booths, requests, weights, clauses, compatible, priorities(requests, weights))


def _blocks(problem: _Problem) -> list[tuple[list[RequestSpec], list[int]]]:
    """Independent sub-problems: requests joined when they can use a common booth."""
    requests = [r for r in problem.requests if problem.compatible[r.id]]
    n_booths = len(problem.booths)
    uf = _UnionFind(n_booths + len(requests))
    # Requests of one signature share their list of booths (_prepare): its booths are joined
    # once, and each such request to the first of them.
    joined: dict[int, int] = {}
    for k, request in enumerate(requests):
        booths = problem.compatible[request.id]
        if id(booths) in joined:
            uf.union(joined[id(booths)], n_booths + k)
            continue
        joined[id(booths)] = n_booths + k
        for i in booths:
            uf.union(n_booths + k, i)
    groups: dict[int, list[RequestSpec]] = defaultdict(list)
    for k, request in enumerate(requests):
        groups[uf.find(n_booths + k)].append(request)
    blocks = []
    for members in groups.values():
        cols = sorted({i for r in members for i in problem.compatible[r.id]})
        blocks.append((members, cols))
    return blocks


def _solve_block(problem: _Problem, members: list[RequestSpec], cols: list[int]) -> dict[int, int]:
    """Exact lexicographic (P, T) optimum of one block; returns request id -> booth index."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    weights = problem.weights
    n, m = len(members), len(cols)
    n_all = len(problem.requests)
    best_rank = max(weights.rank)
    place = weights.place if weights.place is not None else best_rank * n + 1
    priority = {r.id: problem.priority[r.id] for r in members}
    bands = n_all
    # M must exceed any difference of Σ T inside the block: Σ 4·p over n requests.
    while True:
        scale = 4 * n * max(bands - 1, 0) + 1
        biggest = (place + best_rank) * scale + 4 * bands
        if biggest * 2 * (n + 1) < MAX_EXACT or bands <= 1:
            break
        bands = max(1, bands // 2)
    if bands < n_all:
        priority = {rid: p * bands // n_all for rid, p in priority.items()}
    column = {booth_index: c for c, booth_index in enumerate(cols)}
    cost = np.ones((n, m + n), dtype=np.float64)
    tags_of = [problem.booths[i].tags for i in cols]
    ids_of = [problem.booths[i].id for i in cols]
    for row, request in enumerate(members):
        p = priority[request.id]
        compatible = np.fromiter((column[i] for i in problem.compatible[request.id]), dtype=np.int64)
        cost[row, compatible] = -float(place * scale + p)
        # Ranks from worst to best, so the best rank a booth satisfies is the one kept.
        for rank in range(min(3, len(request.preferences)), 0, -1):
            wish = request.preferences[rank - 1]
            value = -float((place + weights.rank_weight(rank)) * scale + (_level(rank) + 1) * p)
            if isinstance(wish, str):
                hits = [c for c in compatible.tolist() if wish in tags_of[c]]
            else:
                hits = [c for c in compatible.tolist() if ids_of[c] == wish]
            if hits:
                cost[row, hits] = value
        cost[row, m + row] = 0.0
    rows, chosen = linear_sum_assignment(cost)
    result = {}
    for row, col in zip(rows.tolist(), chosen.tolist(), strict=True):
        if col < m and cost[row, col] < 0:
            result[members[row].id] = cols[col]
    return result


# ---------------------------------------------------------------- pairwise improvement


def _improve(problem: _Problem, placed: dict[int, int]) -> int:
    """Moves and swaps that raise (Σ P + pairwise, Σ T); changes `placed` in place, returns steps taken."""
    weights = problem.weights
    booths = problem.booths
    by_request = {r.id: r for r in problem.requests}
    nbrs = neighbours(booths, weights.near_m, weights.adjacent_m)
    who_at: dict[int, _Who] = {}
    for i, booth in enumerate(booths):
        who = _who_of_booth(booth)
        if who is not None:
            who_at[i] = who
    holder: dict[int, int] = {}  # booth index -> request id
    request_who = {rid: _who_of_request(r) for rid, r in by_request.items()}
    for rid, i in placed.items():
        holder[i] = rid
        who_at[i] = request_who[rid]
    booth_of_org: dict[int, int] = {}
    for i, who in who_at.items():
        if who.org is not None:
            booth_of_org[who.org] = i
    compatible_set = {rid: set(problem.compatible[rid]) for rid in placed}
    adjacent_of = [[j for j, is_adjacent in row if is_adjacent] for row in nbrs]
    close_to = [{j for j, _ in row} for row in nbrs]
    # relation[r][org]: the value of r being within near_m of org, both directions summed.
    request_of_org = {request_who[rid].org: rid for rid in placed}
    relation: dict[int, dict[int, int]] = {rid: defaultdict(int) for rid in placed}
    for rid in placed:
        me = request_who[rid]
        for org, value in [(o, weights.near) for o in me.near] + [(o, -weights.away) for o in me.away]:
            if org == me.org:
                continue
            relation[rid][org] += value
            if org in request_of_org:
                relation[request_of_org[org]][me.org] += value

    # score(rid, i) is asked hundreds of thousands of times: each request's wishes, and the
    # (P, T) of each rank, are laid out once (rank_of and the objective, unrolled).
    wishes_of: dict[int, list[tuple[int, bool, object]]] = {}
    scores_of: dict[int, list[tuple[int, int]]] = {}
    for rid in placed:
        request, p = by_request[rid], problem.priority[rid]
        wishes_of[rid] = [
            (rank, isinstance(wish, str), wish) for rank, wish in enumerate(request.preferences[:3], start=1)
        ]
        scores_of[rid] = [
            (weights.rank_weight(rank or None), (_level(rank or None) + 1) * p) for rank in range(4)
        ]

    def score(rid: int, i: int) -> tuple[int, int]:
        booth = booths[i]
        for rank, is_zone, wish in wishes_of[rid]:
            if (wish in booth.tags) if is_zone else (wish == booth.id):
                return scores_of[rid][rank]
        return scores_of[rid][0]

    competitor = weights.competitor

    def contribution(rid: int, i: int, skip: int | None) -> int:
        """Pairwise value of rid on booth i with everyone else where they are (but booth `skip`)."""
        me = request_who[rid]
        total = 0
        mine = me.categories
        if competitor and mine:
            my_org = me.org
            for j in adjacent_of[i]:
                if j == skip:
                    continue
                other = who_at.get(j)
                if other is not None and other.org != my_org and other.categories & mine:
                    total -= competitor
        wishes = relation[rid]
        if wishes:
            close = close_to[i]
            for org, value in wishes.items():
                j = booth_of_org.get(org)
                if j is not None and j != skip and j in close:
                    total += value
        return total

    adjacent_set = [set(row) for row in adjacent_of]

    def pair_with(rid: int, i: int, j: int) -> int:
        """The part of contribution(rid, i, None) owed to whoever is on booth j: what skipping
        j removes, so contribution(rid, i, j) == contribution(rid, i, None) - pair_with(rid, i, j)."""
        me = request_who[rid]
        total = 0
        if competitor and me.categories and j in adjacent_set[i]:
            other = who_at.get(j)
            if other is not None and other.org != me.org and other.categories & me.categories:
                total -= competitor
        wishes = relation[rid]
        if wishes and j in close_to[i]:
            for org, value in wishes.items():
                if booth_of_org.get(org) == j:
                    total += value
        return total

    # The most a request's pairwise terms can bring anywhere: its positive wishes all met (a
    # competitor beside it only costs). A move that can't gain even then is not evaluated.
    best_pairs = {
        rid: sum(value for value in wishes.values() if value > 0) for rid, wishes in relation.items()
    }
    bounded = competitor >= 0

    def unhappy(rid: int) -> bool:
        """Whether a pairwise term involving this request could still improve."""
        i = placed[rid]
        for org, value in relation[rid].items():
            j = booth_of_org.get(org)
            near = j is not None and j in close_to[i]
            if (value > 0) != near:
                return True
        me = request_who[rid]
        if weights.competitor and me.categories:
            for j in adjacent_of[i]:
                other = who_at.get(j)
                if other is not None and other.org != me.org and other.categories & me.categories:
                    return True
        return False

    order = sorted(placed, key=lambda rid: -problem.priority[rid])
    steps = 0
    for _ in range(weights.max_passes):
        changed = False
        for rid in order:
            if not unhappy(rid):
                continue
            here = placed[rid]
            here_p, here_t = score(rid, here)
            here_pair = contribution(rid, here, None)
            request = by_request[rid]
            # Near targets first, then the rest of the compatible booths.
            candidates: list[int] = []
            seen = {here}
            for org in request.near:
                target = booth_of_org.get(org)
                if target is not None:
                    for j, _ in nbrs[target]:
                        if j in compatible_set[rid] and j not in seen:
                            seen.add(j)
                            candidates.append(j)
            limit = weights.max_evaluations
            if len(candidates) < limit:
                for j in problem.compatible[rid]:
                    if j not in seen:
                        seen.add(j)
                        candidates.append(j)
                        if len(candidates) == limit:
                            break  # only the first `max_evaluations` are examined
            for j in candidates[:limit]:
                other = holder.get(j)
                if other is None:
                    p, t = score(rid, j)
                    if bounded and p + best_pairs[rid] < here_p + here_pair:
                        continue  # the gain is below 0 whatever the pairs: (gain, tie) > (0, 0) fails
                    gain = (p + contribution(rid, j, here)) - (here_p + here_pair)
                    tie = t - here_t
                else:
                    if here not in compatible_set[other]:
                        continue
                    p, t = score(rid, j)
                    op, ot = score(other, here)
                    old_p, old_t = score(other, j)
                    # The pair between the two is the same after the swap: each side skips the other.
                    before = here_pair - pair_with(rid, here, j) + contribution(other, j, here)
                    if bounded and p + op + best_pairs[rid] + best_pairs[other] < here_p + old_p + before:
                        continue
                    after = contribution(rid, j, here) + contribution(other, here, j)
                    gain = (p + op + after) - (here_p + old_p + before)
                    tie = t + ot - here_t - old_t
                if (gain, tie) > (0, 0):
                    _apply(rid, here, j, other, placed, holder, who_at, booth_of_org, request_who)
                    steps += 1
                    changed = True
                    break
        if not changed:
            break
    return steps


def _apply(rid, here, there, other, placed, holder, who_at, booth_of_org, request_who) -> None:
    me = request_who[rid]
    placed[rid] = there
    holder[there] = rid
    who_at[there] = me
    booth_of_org[me.org] = there
    if other is None:
        del holder[here]
        del who_at[here]
    else:
        placed[other] = here
        holder[here] = other
        who_at[here] = request_who[other]
        booth_of_org[request_who[other].org] = here


# ---------------------------------------------------------------- entry points


def _result(problem: _Problem, placed: dict[int, int], linear_optimum: tuple, steps: int) -> Allocation:
    booths = problem.booths
    assignment = {rid: booths[i].id for rid, i in placed.items()}
    got_rank = {rid: rank_of(r, booths[placed[r.id]]) for r in problem.requests if (rid := r.id) in placed}
    given = set(assignment.values())
    unplaced = {
        r.id: why_unplaced(r, booths, problem.clauses[r.id], given)
        for r in problem.requests
        if r.id not in placed
    }
    stats = evaluate(booths, problem.requests, problem.weights, assignment)
    return Allocation(assignment, got_rank, unplaced, stats, linear_optimum or stats.linear, steps)


def allocate(
    booths: Sequence[BoothSpec],
    requests: Sequence[RequestSpec],
    rules: Sequence[ZoneRuleSpec] = (),
    weights: Weights | None = None,
) -> Allocation:
    """The exact linear optimum, then the pairwise improvement pass (see the module docstring)."""
    weights = weights or Weights()
    _check_unique(booths, requests)
    problem = _prepare(booths, requests, rules, weights)
    placed: dict[int, int] = {}
    for members, cols in _blocks(problem):
        placed.update(_solve_block(problem, members, cols))
    linear_optimum = linear_value(
        problem.booths, problem.requests, weights, {rid: problem.booths[i].id for rid, i in placed.items()}
    )
    steps = 0
    pairwise_on = weights.competitor or weights.near or weights.away
    if weights.improve and pairwise_on and len(placed) > 1:
        steps = _improve(problem, placed)
    return _result(problem, placed, linear_optimum, steps)


def greedy_first_preference(
    booths: Sequence[BoothSpec],
    requests: Sequence[RequestSpec],
    rules: Sequence[ZoneRuleSpec] = (),
    weights: Weights | None = None,
) -> Allocation:
    """Baseline: in request order, each takes its best-ranked free compatible booth, else the first one."""
    weights = weights or Weights()
    _check_unique(booths, requests)
    problem = _prepare(booths, requests, rules, weights)
    used: set[int] = set()
    placed: dict[int, int] = {}
    for request in sorted(problem.requests, key=lambda r: (r.order, r.id)):
        free = [i for i in problem.compatible[request.id] if i not in used]
        if not free:
            continue
        best = min(free, key=lambda i: (rank_of(request, problem.booths[i]) or 4, i))
        placed[request.id] = best
        used.add(best)
    return _result(problem, placed, (), 0)


def _check_unique(booths: Sequence[BoothSpec], requests: Sequence[RequestSpec]) -> None:
    if len({b.id for b in booths}) != len(booths):
        raise ValueError("booth ids must be unique")
    if len({r.id for r in requests}) != len(requests):
        raise ValueError("request ids must be unique")


def describe(allocation: Allocation, type_names: Mapping[int, str] | None = None) -> list[str]:
    """One English line per unplaced request, for the command line and benchmarks."""
    names = type_names or {}
    return [
        f"request {rid}: {reason.text(names.get(reason.type_id))}"
        for rid, reason in sorted(allocation.unplaced.items())
    ]


__all__ = [
    "Allocation",
    "BoothSpec",
    "Reason",
    "RequestSpec",
    "Stats",
    "Weights",
    "ZoneRuleSpec",
    "adjacent",
    "allocate",
    "describe",
    "evaluate",
    "fits",
    "greedy_first_preference",
    "linear_value",
    "meets_zones",
    "rank_of",
    "requirements",
    "why_unplaced",
]
