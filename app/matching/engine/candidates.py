"""The scored candidate pairs of a whole event, fast: hard filters as array operations, the score vectorised.

Pure, like the rest of the engine. `score_candidates(buyers, producers, ...)` gives what
`scoring.score_pair` would give for every buyer–producer pair (the same candidates, the same
exclusion counts, the same scores to the 4th decimal), without scoring pairs one by one:

1. Producers' products are indexed by category; for each category, the buyers' demand lines
   of that category against its products are one boolean matrix per hard filter (stars, standards
   as bit masks, certificate expiry), in chunks of at most CHUNK_CELLS cells. The (line, product)
   combinations that pass are kept as index arrays; the filters' failures are OR-ed into one byte
   per (buyer, producer) (in blocks of buyers, at most BLOCK_CELLS bytes), which gives the
   exclusion counts.
2. The passing combinations, sorted by pair and line, are reduced per pair (`ufunc.reduceat`) into
   the seven terms of `scoring`, in the same floating-point operations as `score_pair`.
3. Pairs someone asked for (kept despite the filters, scored with their mutual interest) and
   blocked pairs are few: `score_pair` decides them one by one. So does a pair whose score lies
   within ROUNDING_GUARD of a rounding tie when one of its sums has three terms or more (numpy may
   add them in another order than score_pair, which could round the 4th decimal the other way):
   the scores are score_pair's exactly.

Memory across events: `history` maps (buyer id, producer id) to the pair's PastMeeting; its
term is joined to the finished scores of those pairs only (scoring.with_history, in Python:
the same operations as score_pair's, so the scores stay score_pair's exactly), O(h log k) for
h pairs with history among k candidates.

Only the score of each pair is kept (`Candidates`); the explanation of one pair ("why this match")
is `Candidates.explain(buyer, producer)`: score_pair again, for the meetings written or a page
that shows one. `candidate_scores_reference` is the plain score_pair loop: the reference the tests
and benchmarks/scoring_bench.py compare the fast path with.

Complexity: O(Σ_c lines_c × products_c) cheap boolean cells for the filters (the pairs sharing a
category), O(n_buyers × n_producers) bytes of counters (in blocks), and O(k log k) for the k
passing combinations. numpy is imported inside the functions: the app imports the engine's
light modules on every start (see app/matching/engine/__init__.py).
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from app.matching.engine.scoring import (
    DEFAULT_HISTORY_WEIGHT,
    DEFAULT_UNIT_BASE,
    MIN_SCORE,
    OTHER_PROVINCE,
    UNKNOWN,
    BuyerProfile,
    Excluded,
    PairScore,
    PastMeeting,
    ProducerProfile,
    _price_in_base,
    interest_of,
    normalise_weights,
    score_pair,
    to_base,
    with_history,
)

if TYPE_CHECKING:
    import numpy as np

CHUNK_CELLS = 2_000_000  # (line, product) cells of one filter matrix
BLOCK_CELLS = 32_000_000  # (buyer, producer) bytes of failure flags at a time
ROUNDING_GUARD = 1e-7  # |fraction of score × 10⁴ − ½| below this: a tie to settle as score_pair does
# Python 3.12's sum() of floats compensates rounding errors: score_pair's 7-term sum then is not numpy's.
COMPENSATED_SUM = sys.version_info >= (3, 12)
MAX_CODES = 64  # standards and preferred provinces are bit masks of one uint64

# The failure flags of a (buyer, producer) pair, OR-ed over the combinations of a shared category.
STARS, STANDARDS, CERTIFICATE, PASSED = 1, 2, 4, 8


@dataclass
class Candidates:
    """The candidate pairs of an event: who with whom and the score, nothing more per pair.

    `pair_buyer[k]`, `pair_producer[k]` index `buyers` and `producers` (ids); `score[k]` is
    score_pair's score. Pairs are sorted by buyer, then producer (input order).
    `excluded` counts the pairs that are no candidate by their first reason
    (scoring.EXCLUSION_REASONS).
    """

    buyers: list[str]
    producers: list[str]
    pair_buyer: np.ndarray
    pair_producer: np.ndarray
    score: np.ndarray
    excluded: dict[str, int]
    # What score_pair needs to score one pair again, with its explanation.
    profiles: dict[str, Any] = field(default_factory=dict, repr=False)
    interest: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)
    blocked: set[tuple[str, str]] = field(default_factory=set, repr=False)
    on: date | None = None
    weights: dict[str, float] = field(default_factory=dict, repr=False)
    unit_base: Mapping | None = field(default=None, repr=False)
    history: Mapping[tuple[str, str], PastMeeting] = field(default_factory=dict, repr=False)
    history_weight: float = DEFAULT_HISTORY_WEIGHT

    def __len__(self) -> int:
        return int(self.score.size)

    def pairs(self) -> Iterable[tuple[str, str, float]]:
        """(buyer id, producer id, score) of every candidate pair."""
        buyers, producers = self.buyers, self.producers
        for b, p, s in zip(
            self.pair_buyer.tolist(), self.pair_producer.tolist(), self.score.tolist(), strict=True
        ):
            yield buyers[b], producers[p], s

    def scores(self) -> dict[tuple[str, str], float]:
        return {(b, p): s for b, p, s in self.pairs()}

    def degrees(self) -> dict[str, int]:
        """Per participant id, how many candidate pairs it is in."""
        import numpy as np

        per_buyer = np.bincount(self.pair_buyer, minlength=len(self.buyers)).tolist()
        per_producer = np.bincount(self.pair_producer, minlength=len(self.producers)).tolist()
        return dict(zip(self.buyers, per_buyer, strict=True)) | dict(
            zip(self.producers, per_producer, strict=True)
        )

    def explain(self, buyer: str, producer: str) -> PairScore | None:
        """The pair's score with every term and its notes (score_pair), or None if it is no candidate."""
        b, p = self.profiles.get(buyer), self.profiles.get(producer)
        if b is None or p is None:
            return None
        key = (buyer, producer)
        result = score_pair(
            b,
            p,
            on=self.on,
            weights=self.weights,
            interest=self.interest.get(key),
            blocked=key in self.blocked,
            enforce_filters=key not in self.interest,
            unit_base=self.unit_base,
            history=self.history.get(key),
            history_weight=self.history_weight,
        )
        return result if isinstance(result, PairScore) else None

    def _join_history(self) -> None:
        """The history term joined to the scores of the pairs that met before (scoring.with_history)."""
        import numpy as np

        if not self.history or self.history_weight <= 0 or not self.score.size:
            return
        buyer_index = {b: i for i, b in enumerate(self.buyers)}
        producer_index = {p: j for j, p in enumerate(self.producers)}
        n_producers = len(self.producers)
        keys = self.pair_buyer * n_producers + self.pair_producer  # ascending: pairs are sorted
        total = sum(self.weights.values())
        wanted, values = [], []
        for (buyer, producer), past in self.history.items():
            i, j = buyer_index.get(buyer), producer_index.get(producer)
            if i is not None and j is not None and past.value is not None:
                wanted.append(i * n_producers + j)
                values.append(past.value)
        if not wanted:
            return
        wanted_keys = np.array(wanted, dtype=np.int64)
        at = np.minimum(np.searchsorted(keys, wanted_keys), keys.size - 1)
        found = keys[at] == wanted_keys
        score = self.score
        for k, value, ok in zip(at.tolist(), values, found.tolist(), strict=True):
            if ok:
                score[k] = with_history(float(score[k]), total, self.history_weight, value)


def _context(buyers, producers, on, requests, weights, unit_base, history=None, history_weight=None) -> dict:
    interest, blocked = interest_of(requests)
    profiles: dict[str, Any] = {b.id: b for b in buyers} | {p.id: p for p in producers}
    return {
        "profiles": profiles,
        "interest": interest,
        "blocked": blocked,
        "on": on,
        "weights": normalise_weights(weights),
        "unit_base": DEFAULT_UNIT_BASE if unit_base is None else unit_base,
        "history": dict(history or {}),
        "history_weight": DEFAULT_HISTORY_WEIGHT if history_weight is None else max(0.0, history_weight),
    }


def _asked_pairs(
    interest, buyer_index: dict[str, int], producer_index: dict[str, int]
) -> list[tuple[int, int]]:
    return sorted(
        (buyer_index[b], producer_index[p]) for b, p in interest if b in buyer_index and p in producer_index
    )


# ---------------------------------------------------------------- the reference: score_pair one by one


def candidate_scores_reference(
    buyers: Iterable[BuyerProfile],
    producers: Iterable[ProducerProfile],
    *,
    on: date | None = None,
    requests: Iterable[Mapping] = (),
    weights: Mapping[str, float] | None = None,
    unit_base: Mapping | None = None,
    history: Mapping[tuple[str, str], PastMeeting] | None = None,
    history_weight: float | None = None,
) -> Candidates:
    """`score_candidates` by calling score_pair for every pair sharing a category (or asked for).

    What the app did before the fast path: the reference it is tested and measured against.
    """
    import numpy as np

    buyers, producers = list(buyers), list(producers)
    context = _context(buyers, producers, on, requests, weights, unit_base, history, history_weight)
    interest, blocked = context["interest"], context["blocked"]
    producer_index = {p.id: j for j, p in enumerate(producers)}
    by_category: dict[str, list[int]] = defaultdict(list)
    for j, producer in enumerate(producers):
        for category in sorted({offer.category for offer in producer.products}):
            by_category[category].append(j)
    asked_by: dict[str, list[int]] = defaultdict(list)
    for bid, pid in interest:
        if pid in producer_index:
            asked_by[bid].append(producer_index[pid])
    excluded: Counter = Counter()
    rows: list[tuple[int, int, float]] = []
    for i, buyer in enumerate(buyers):
        seen: set[int] = set()
        for category in sorted({line.category for line in buyer.demand}):
            seen.update(by_category.get(category, ()))
        seen.update(asked_by.get(buyer.id, ()))
        excluded["category"] += len(producers) - len(seen)
        for j in sorted(seen):
            producer = producers[j]
            key = (buyer.id, producer.id)
            result = score_pair(
                buyer,
                producer,
                on=on,
                weights=context["weights"],
                interest=interest.get(key),
                blocked=key in blocked,
                enforce_filters=key not in interest,
                unit_base=context["unit_base"],
            )
            if isinstance(result, Excluded):
                excluded[result.reasons[0]] += 1
            else:
                rows.append((i, j, result.score))
    candidates = Candidates(
        [b.id for b in buyers],
        [p.id for p in producers],
        np.array([r[0] for r in rows], dtype=np.int64),
        np.array([r[1] for r in rows], dtype=np.int64),
        np.array([r[2] for r in rows], dtype=np.float64),
        {reason: n for reason, n in excluded.items() if n},
        **context,
    )
    candidates._join_history()
    return candidates


# ---------------------------------------------------------------- the fast path


def score_candidates(
    buyers: Iterable[BuyerProfile],
    producers: Iterable[ProducerProfile],
    *,
    on: date | None = None,
    requests: Iterable[Mapping] = (),
    weights: Mapping[str, float] | None = None,
    unit_base: Mapping | None = None,
    history: Mapping[tuple[str, str], PastMeeting] | None = None,
    history_weight: float | None = None,
) -> Candidates:
    """Every candidate pair and its score (score_pair's), by array operations (see the module)."""
    import numpy as np

    buyers, producers = list(buyers), list(producers)
    context = _context(buyers, producers, on, requests, weights, unit_base, history, history_weight)
    table = _Tables.build(buyers, producers, on, context["unit_base"])
    if table is None:  # more than MAX_CODES standards or preferred provinces: no bit masks
        return candidate_scores_reference(
            buyers,
            producers,
            on=on,
            requests=requests,
            weights=weights,
            unit_base=unit_base,
            history=history,
            history_weight=history_weight,
        )
    n_buyers, n_producers = len(buyers), len(producers)
    buyer_index = {b.id: i for i, b in enumerate(buyers)}
    producer_index = {p.id: j for j, p in enumerate(producers)}
    interest, blocked = context["interest"], context["blocked"]
    asked = _asked_pairs(interest, buyer_index, producer_index)
    asked_set = set(asked)
    blocked_pairs = {
        (buyer_index[b], producer_index[p])
        for b, p in blocked
        if b in buyer_index and p in producer_index and (buyer_index[b], producer_index[p]) not in asked_set
    }
    special = np.array(sorted(i * n_producers + j for i, j in asked_set | blocked_pairs), dtype=np.int64)

    excluded: Counter = Counter()
    seen = 0  # pairs sharing a category
    asked_seen = 0
    lines_kept: list[np.ndarray] = []
    products_kept: list[np.ndarray] = []
    block = max(1, BLOCK_CELLS // max(n_producers, 1))
    for b0 in range(0, n_buyers, block):
        b1 = min(n_buyers, b0 + block)
        flags = np.zeros((b1 - b0, n_producers), dtype=np.uint8)
        for lines, products, product_starts in table.by_category(b0, b1):
            _filter_category(table, lines, products, product_starts, flags, b0, lines_kept, products_kept)
        seen += int(np.count_nonzero(flags))
        mine = special[(special >= b0 * n_producers) & (special < b1 * n_producers)]
        if mine.size:
            rows, cols = mine // n_producers - b0, mine % n_producers
            was_seen = flags[rows, cols] != 0
            for key, shared in zip(mine.tolist(), was_seen.tolist(), strict=True):
                pair = divmod(key, n_producers)
                if pair in asked_set:
                    asked_seen += shared
                elif shared:  # blocked, and would have been a candidate or an exclusion
                    excluded["blocked"] += 1
            flags[rows, cols] = 0
        failed = flags[(flags != 0) & ((flags & PASSED) == 0)]
        excluded["stars"] += int(np.count_nonzero(failed & STARS))
        excluded["standards"] += int(np.count_nonzero((failed & (STARS | STANDARDS)) == STANDARDS))
        excluded["certificate"] += int(
            np.count_nonzero((failed & (STARS | STANDARDS | CERTIFICATE)) == CERTIFICATE)
        )
        del flags, failed

    pair_b, pair_p, scores, reordered = _score_passing(
        table, lines_kept, products_kept, special, context["weights"]
    )

    # Rounding to 4 decimals: np.round agrees with round() except near a tie (x.xxxx5), where the
    # double itself decides; there round() decides, on score_pair's own double wherever a sum here
    # could have added in another order than score_pair's (ROUNDING_GUARD, reordered).
    with np.errstate(invalid="ignore"):
        scaled = scores * 1e4
        near = np.abs(scaled - np.floor(scaled) - 0.5) < ROUNDING_GUARD
    rounded = np.round(scores, 4)
    if COMPENSATED_SUM:
        reordered = np.ones_like(reordered)
    for k in np.flatnonzero(near).tolist():
        if not reordered[k]:
            rounded[k] = round(float(scores[k]), 4)
            continue
        result = score_pair(
            buyers[pair_b[k]],
            producers[pair_p[k]],
            on=on,
            weights=context["weights"],
            unit_base=context["unit_base"],
        )
        rounded[k] = result.score

    # Pairs someone asked for, or blocked and asked: score_pair, one by one.
    extra_b, extra_p, extra_s = [], [], []
    for i, j in asked:
        buyer, producer = buyers[i], producers[j]
        key = (buyer.id, producer.id)
        result = score_pair(
            buyer,
            producer,
            on=on,
            weights=context["weights"],
            interest=interest.get(key),
            blocked=key in blocked,
            enforce_filters=False,
            unit_base=context["unit_base"],
        )
        if isinstance(result, Excluded):
            excluded[result.reasons[0]] += 1
        else:
            extra_b.append(i)
            extra_p.append(j)
            extra_s.append(result.score)
    excluded["category"] += n_buyers * n_producers - seen - (len(asked) - asked_seen)

    all_b = np.concatenate([pair_b, np.array(extra_b, dtype=np.int64)])
    all_p = np.concatenate([pair_p, np.array(extra_p, dtype=np.int64)])
    all_s = np.concatenate([rounded, np.array(extra_s, dtype=np.float64)])
    order = np.lexsort((all_p, all_b))
    candidates = Candidates(
        [b.id for b in buyers],
        [p.id for p in producers],
        all_b[order],
        all_p[order],
        all_s[order],
        {reason: n for reason, n in excluded.items() if n},
        **context,
    )
    candidates._join_history()
    return candidates


@dataclass
class _Tables:
    """Demand lines (equal lines of a buyer merged, with their multiplicity) and products as arrays."""

    line_buyer: np.ndarray
    line_category: np.ndarray
    line_min_stars: np.ndarray
    line_required: np.ndarray  # uint64 bit mask of standards
    line_preferred: np.ndarray  # uint64 bit mask of provinces
    line_has_preference: np.ndarray
    line_multiplicity: np.ndarray
    need: np.ndarray  # monthly volume in its base unit; NaN when unknown or not positive
    need_unit: np.ndarray  # base unit code, -1 unknown
    line_has_ceiling: np.ndarray
    ceiling: np.ndarray  # price ceiling per base unit, NaN when its unit is unknown
    ceiling_unit: np.ndarray
    product_producer: np.ndarray
    product_category: np.ndarray
    stars: np.ndarray
    expired: np.ndarray  # the certificate expires before `on`
    held: np.ndarray  # uint64 bit mask of standards
    capacity: np.ndarray  # per month in its base unit, NaN unknown
    capacity_unit: np.ndarray
    price: np.ndarray  # cheapest price per base unit, NaN unknown (or 0)
    price_unit: np.ndarray
    producer_province: np.ndarray  # uint64 bit of the producer's province among the preferred ones
    wanted: np.ndarray  # per buyer: how many categories it looks for
    made: np.ndarray  # per producer: how many categories it makes
    categories: list[
        tuple[np.ndarray, np.ndarray, np.ndarray]
    ]  # per category: lines, products, producer starts

    @classmethod
    def build(cls, buyers, producers, on, unit_base) -> _Tables | None:
        import numpy as np

        standards = sorted(
            {s for b in buyers for line in b.demand for s in line.required_standards}
            | {s for p in producers for offer in p.products for s in offer.standards}
        )
        provinces = sorted({c for b in buyers for line in b.demand for c in line.preferred_provinces})
        if len(standards) > MAX_CODES or len(provinces) > MAX_CODES:
            return None
        standard_bit = {s: 1 << n for n, s in enumerate(standards)}
        province_bit = {c: 1 << n for n, c in enumerate(provinces)}
        category_code: dict[str, int] = {}
        unit_code: dict[str, int] = {}

        def unit(name: str | None) -> int:
            return -1 if name is None else unit_code.setdefault(name, len(unit_code))

        nan = float("nan")
        lines: list[tuple] = []
        for i, buyer in enumerate(buyers):
            # score_pair merges equal lines (a dict keyed by the line): each match counts once per copy.
            for line, copies in Counter(buyer.demand).items():
                need = to_base(line.monthly_volume, line.unit, unit_base)
                known = need is not None and need[0] > 0
                ceiling = (
                    _price_in_base(line.price_ceiling, line.unit, unit_base) if line.price_ceiling else None
                )
                lines.append(
                    (
                        i,
                        category_code.setdefault(line.category, len(category_code)),
                        line.min_stars,
                        sum(standard_bit[s] for s in line.required_standards),
                        sum(province_bit[c] for c in line.preferred_provinces),
                        bool(line.preferred_provinces),
                        copies,
                        need[0] if known else nan,
                        unit(need[1]) if known else -1,
                        bool(line.price_ceiling),
                        ceiling[0] if ceiling else nan,
                        unit(ceiling[1]) if ceiling else -1,
                    )
                )
        products: list[tuple] = []
        for j, producer in enumerate(producers):
            for offer in producer.products:
                code = category_code.get(offer.category)
                if code is None:  # no buyer looks for it
                    continue
                have = to_base(offer.capacity, offer.capacity_unit, unit_base)
                price = (
                    _price_in_base(offer.price_min, offer.price_unit, unit_base) if offer.price_min else None
                )
                products.append(
                    (
                        j,
                        code,
                        offer.stars,
                        on is not None
                        and offer.certificate_expiry is not None
                        and offer.certificate_expiry < on,
                        sum(standard_bit[s] for s in offer.standards),
                        have[0] if have else nan,
                        unit(have[1]) if have else -1,
                        price[0] if price else nan,
                        unit(price[1]) if price else -1,
                    )
                )

        def column(rows, n, dtype):
            return np.array([row[n] for row in rows], dtype=dtype)

        line_category = column(lines, 1, np.int64)
        product_category = column(products, 1, np.int64)
        product_producer = column(products, 0, np.int64)
        categories = []
        line_order = np.argsort(line_category, kind="stable")
        product_order = np.argsort(product_category, kind="stable")
        line_bounds = np.searchsorted(line_category[line_order], np.arange(len(category_code) + 1))
        product_bounds = np.searchsorted(product_category[product_order], np.arange(len(category_code) + 1))
        for c in range(len(category_code)):
            in_lines = line_order[line_bounds[c] : line_bounds[c + 1]]
            in_products = product_order[product_bounds[c] : product_bounds[c + 1]]
            if in_lines.size and in_products.size:
                owners = product_producer[in_products]
                starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
                categories.append((in_lines, in_products, starts))
        return cls(
            line_buyer=column(lines, 0, np.int64),
            line_category=line_category,
            line_min_stars=column(lines, 2, np.int64),
            line_required=column(lines, 3, np.uint64),
            line_preferred=column(lines, 4, np.uint64),
            line_has_preference=column(lines, 5, bool),
            line_multiplicity=column(lines, 6, np.float64),
            need=column(lines, 7, np.float64),
            need_unit=column(lines, 8, np.int64),
            line_has_ceiling=column(lines, 9, bool),
            ceiling=column(lines, 10, np.float64),
            ceiling_unit=column(lines, 11, np.int64),
            product_producer=product_producer,
            product_category=product_category,
            stars=column(products, 2, np.int64),
            expired=column(products, 3, bool),
            held=column(products, 4, np.uint64),
            capacity=column(products, 5, np.float64),
            capacity_unit=column(products, 6, np.int64),
            price=column(products, 7, np.float64),
            price_unit=column(products, 8, np.int64),
            producer_province=np.array(
                [province_bit.get(p.province, 0) if p.province is not None else 0 for p in producers],
                dtype=np.uint64,
            ),
            wanted=np.array([len({line.category for line in b.demand}) for b in buyers], dtype=np.float64),
            made=np.array(
                [len({offer.category for offer in p.products}) for p in producers], dtype=np.float64
            ),
            categories=categories,
        )

    def by_category(self, b0: int, b1: int):
        """Per category: its lines of buyers b0 ≤ i < b1, its products, where each producer starts."""
        import numpy as np

        for lines, products, starts in self.categories:
            owners = self.line_buyer[lines]  # lines are in buyer order within a category
            low, high = np.searchsorted(owners, [b0, b1])
            if high > low:
                yield lines[low:high], products, starts


def _filter_category(table: _Tables, lines, products, starts, flags, b0, lines_kept, products_kept) -> None:
    """The hard filters of one category's lines against its products; the flags of each pair OR-ed in."""
    import numpy as np

    stars = table.stars[products]
    held = table.held[products]
    expired = table.expired[products]
    producers = table.product_producer[products[starts]]
    chunk = max(1, CHUNK_CELLS // products.size)
    for c0 in range(0, lines.size, chunk):
        part = lines[c0 : c0 + chunk]
        fail = np.where(stars[None, :] < table.line_min_stars[part][:, None], STARS, 0).astype(np.uint8)
        fail |= np.where((table.line_required[part][:, None] & ~held[None, :]) != 0, STANDARDS, 0).astype(
            np.uint8
        )
        fail |= np.where(expired, CERTIFICATE, 0).astype(np.uint8)[None, :]
        passed = fail == 0
        li, pj = np.nonzero(passed)
        lines_kept.append(part[li])
        products_kept.append(products[pj])
        fail[passed] = PASSED
        # One row per buyer, one column per producer, then OR-ed into the block's flags.
        owners = table.line_buyer[part]
        line_starts = np.flatnonzero(np.r_[True, owners[1:] != owners[:-1]])
        per_pair = np.bitwise_or.reduceat(np.bitwise_or.reduceat(fail, starts, axis=1), line_starts, axis=0)
        rows = owners[line_starts] - b0
        flags[np.ix_(rows, producers)] |= per_pair


def _score_passing(table: _Tables, lines_kept, products_kept, special, weights):
    """The score of each pair with a passing (line, product) combination, before rounding."""
    import numpy as np

    empty = np.zeros(0, dtype=np.int64)
    lines = np.concatenate(lines_kept) if lines_kept else empty
    products = np.concatenate(products_kept) if products_kept else empty
    n_producers = table.made.size
    key = table.line_buyer[lines] * n_producers + table.product_producer[products]
    if special.size:
        keep = ~np.isin(key, special)
        lines, products, key = lines[keep], products[keep], key[keep]
    if key.size == 0:
        return empty, empty, np.zeros(0), np.zeros(0, dtype=bool)
    order = np.lexsort((products, lines, key))
    lines, products, key = lines[order], products[order], key[order]
    new_pair = np.r_[True, key[1:] != key[:-1]]
    new_line = new_pair | np.r_[True, lines[1:] != lines[:-1]]
    pair_starts = np.flatnonzero(new_pair)
    line_starts = np.flatnonzero(new_line)  # one group per (pair, line): score_pair's by_line
    line_pair = np.cumsum(new_pair)[line_starts] - 1
    pair_line_starts = np.flatnonzero(np.r_[True, line_pair[1:] != line_pair[:-1]])
    group_line = lines[line_starts]
    pair_b = key[pair_starts] // n_producers
    pair_p = key[pair_starts] % n_producers

    # category: the share of categories covered
    category_order = np.lexsort((table.line_category[group_line], line_pair))
    sorted_pair = line_pair[category_order]
    sorted_category = table.line_category[group_line][category_order]
    distinct = np.r_[
        True, (sorted_pair[1:] != sorted_pair[:-1]) | (sorted_category[1:] != sorted_category[:-1])
    ]
    matched = np.bincount(sorted_pair[distinct], minlength=pair_starts.size).astype(np.float64)
    category = np.minimum(1.0, matched / np.minimum(table.wanted[pair_b], table.made[pair_p]))

    with np.errstate(invalid="ignore", divide="ignore"):
        # capacity: per line, what the producer can deliver of the buyer's monthly volume
        comparable = (table.capacity_unit[products] == table.need_unit[lines]) & (table.need_unit[lines] >= 0)
        supply = np.add.reduceat(np.where(comparable, table.capacity[products], 0.0), line_starts)
        any_comparable = np.logical_or.reduceat(comparable, line_starts)
        ratio = np.minimum(1.0, table.line_multiplicity[group_line] * supply / table.need[group_line])
        per_line = np.where(any_comparable, ratio, UNKNOWN)
        capacity = np.add.reduceat(per_line, pair_line_starts) / np.diff(
            np.r_[pair_line_starts, line_starts.size]
        )

        # standards
        required = np.bitwise_or.reduceat(table.line_required[lines], pair_starts)
        held = np.bitwise_or.reduceat(table.held[products], pair_starts)
        n_required = np.bitwise_count(required).astype(np.float64)
        met = np.bitwise_count(required & held).astype(np.float64)
        standards = np.where(
            n_required > 0,
            met / n_required,
            np.minimum(1.0, 0.5 + 0.25 * np.bitwise_count(held).astype(np.float64)),
        )

        # stars of the best matching product
        best = np.maximum.reduceat(table.stars[products], pair_starts)
        stars = np.maximum(0.0, np.minimum(1.0, best / 5))

        # province
        any_preference = np.logical_or.reduceat(table.line_has_preference[lines], pair_starts)
        preferred = (
            table.line_preferred[lines] & table.producer_province[table.product_producer[products]]
        ) != 0
        from_preferred = np.logical_or.reduceat(preferred, pair_starts)
        province = np.where(~any_preference | from_preferred, 1.0, OTHER_PROVINCE)

        # price: per line with a ceiling, the cheapest comparable product against it
        priced = (table.price_unit[products] == table.ceiling_unit[lines]) & (table.ceiling_unit[lines] >= 0)
        cheapest = np.minimum.reduceat(np.where(priced, table.price[products], np.inf), line_starts)
        any_priced = np.logical_or.reduceat(priced, line_starts)
        ceiling = table.ceiling[group_line]
        per_line = np.where(any_priced, np.where(cheapest <= ceiling, 1.0, ceiling / cheapest), UNKNOWN)
        has_ceiling = table.line_has_ceiling[group_line]
        n_ceilings = np.add.reduceat(has_ceiling.astype(np.float64), pair_line_starts)
        price_sum = np.add.reduceat(np.where(has_ceiling, per_line, 0.0), pair_line_starts)
        price = np.where(n_ceilings > 0, price_sum / n_ceilings, 1.0)

    # score_pair's sum, term by term in the same order (mutual: nobody asked, 0)
    mutual = np.zeros(pair_starts.size)
    raw = category * weights["category"]
    for term, values in (
        ("capacity", capacity),
        ("standards", standards),
        ("stars", stars),
        ("province", province),
        ("mutual", mutual),
        ("price", price),
    ):
        raw = raw + values * weights[term]
    raw = raw / sum(weights.values())
    # Where a sum of three terms or more (or a line counted twice) could differ in its last bit from
    # score_pair's: sums of one or two terms are exact in any order (numpy adds short runs in order).
    rows = np.diff(np.r_[pair_starts, key.size])
    doubled = np.logical_or.reduceat(table.line_multiplicity[lines] > 1, pair_starts)
    reordered = (rows >= 3) | doubled
    return pair_b, pair_p, np.minimum(1.0, np.maximum(MIN_SCORE, raw)), reordered
