"""Candidate pairs from profiles: hard filters, then a score in (0, 1] with its reasons.

Pure: takes plain profiles (dataclasses below) and returns plain data and a
networkx graph; it imports neither Flask nor the database. The services build
the profiles from registrations, products and demand lines.

For a buyer and a producer, a *match line* is a buyer's demand line and a
producer's product of the same category that passes the line's hard filters:
the product has at least the line's minimum stars, holds every standard the
line requires, and its certificate is valid on the session's last day. A pair
with no match line, or blocked by either side, is no candidate (`Excluded`
says why). Otherwise the score is the weighted mean of these terms, each in
[0, 1]:

- category: the share of categories covered, |matched| / min(|wanted|, |made|);
- capacity: per matched line, the producer's monthly capacity over the
  buyer's monthly volume (capped at 1), in a common unit (kg and tonnes
  compare; other units only with themselves); unknown counts as 0.5. A 200 kg
  household against a supermarket's 5 tonnes gets 0.04;
- standards: 1 when the buyer requires standards (all met, by the filter);
  otherwise 0.5 + 0.25 per standard the producer holds (at most 1);
- stars: the best matched product's stars / 5;
- province: 1 from a preferred province, 0.2 from another, 1 with no preference;
- mutual: 1 when both sides want the meeting (an accepted ask), 0.5 when one
  side asked, 0 otherwise;
- price: 1 when the cheapest matched product is within the buyer's ceiling,
  ceiling / price above it, 0.5 when the units don't compare, 1 without ceiling.

Memory across events: a pair that met at an earlier event of the programme (the services
decide which events those are and give each pair's latest `PastMeeting` as plain data) gets
an eighth term, "history", only then: 1 when the talks went on (follow-up, sample order,
contract), 0 after "no interest" or a no-show. It joins the weighted mean of the pair's
(rounded) score with its own weight (`history_weight`, DEFAULT_HISTORY_WEIGHT):
score' = (score × Σ weights + w × value) / (Σ weights + w), so a pair without history, or
any pair with w = 0, keeps exactly the score it had (`with_history`). An ongoing pair can
only rise, a pair that showed no interest only fall, and the note says at which event.

Each term keeps notes: an English msgid (marked with `N_` so Babel extracts
it) and its parameters, so `explain` can say "why this match" in the reader's
language (app.matching.sessions.scoring.explain). The score is floored at MIN_SCORE so it stays in (0, 1].

score_pair scores one pair, with its explanation: O(lines × products) in pure Python. A
whole event's candidates come from app.matching.engine.candidates (`score_candidates`):
the same filters and scores as array operations, and score_pair only for the few pairs
someone asked for and for the explanation of the meetings written.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx  # imported by candidate_graph: the app reads this module's names on every start


def N_(message: str) -> str:
    """Mark a msgid for extraction (Babel's default keywords include N_); translated in `explain`."""
    return message


DEFAULT_WEIGHTS: dict[str, float] = {
    "category": 0.25,
    "capacity": 0.25,
    "standards": 0.10,
    "stars": 0.10,
    "province": 0.10,
    "mutual": 0.10,
    "price": 0.10,
}
TERMS = tuple(DEFAULT_WEIGHTS)
# The weight of the history term (memory across events): 0 turns it off.
DEFAULT_HISTORY_WEIGHT = 0.25
# What came of a pair's latest earlier meeting → the history term's value. "met" (held, nothing
# recorded) is no evidence either way: shown to the participants, never scored.
HISTORY_VALUES = {
    "contract": 1.0,
    "sample_order": 1.0,
    "follow_up": 1.0,
    "no_interest": 0.0,
    "no_show": 0.0,
}
TERM_NAMES = {
    "category": N_("Category fit"),
    "capacity": N_("Supply capacity"),
    "standards": N_("Standards"),
    "stars": N_("OCOP stars"),
    "province": N_("Province"),
    "mutual": N_("Mutual interest"),
    "price": N_("Price"),
    "history": N_("Earlier meetings"),
}
HISTORY_NOTE = N_("You met at %(event)s: %(outcome)s.")
# Why a pair is no candidate.
EXCLUSION_REASONS = {
    "category": N_("no product in a category the buyer is looking for"),
    "stars": N_("fewer OCOP stars than the buyer's minimum"),
    "standards": N_("lacks a standard the buyer requires"),
    "certificate": N_("the OCOP certificate expires before the session"),
    "blocked": N_("one side asked not to be matched with the other"),
}
MIN_SCORE = 0.01
UNKNOWN = 0.5  # the value of a term whose data is missing: neither helps nor hurts much
OTHER_PROVINCE = 0.2
# Units that convert to a common base (app.data.vocab.UNIT_BASE; the services pass theirs).
DEFAULT_UNIT_BASE: dict[str, tuple[str, float]] = {"kg": ("kg", 1.0), "tonne": ("kg", 1000.0)}


@dataclass(frozen=True)
class Demand:
    """One demand line of a buyer."""

    category: str
    monthly_volume: float | None = None
    unit: str | None = None
    required_standards: frozenset[str] = frozenset()
    min_stars: int = 1
    preferred_provinces: frozenset[str] = frozenset()
    price_ceiling: float | None = None


@dataclass(frozen=True)
class Offer:
    """One product of a producer."""

    category: str
    stars: int
    certificate_expiry: date | None = None
    standards: frozenset[str] = frozenset()
    capacity: float | None = None
    capacity_unit: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    price_unit: str | None = None


@dataclass(frozen=True)
class BuyerProfile:
    id: str
    demand: tuple[Demand, ...]
    province: str | None = None


@dataclass(frozen=True)
class ProducerProfile:
    id: str
    products: tuple[Offer, ...]
    province: str | None = None


@dataclass(frozen=True)
class PastMeeting:
    """What came of a buyer–producer pair's latest meeting at an earlier event (plain data).

    `event`: that event's names as (language, name) pairs, e.g. (("vi", "Hội chợ OCOP Quảng
    Ninh 2026"), ("en", ...)); the note's params hold them as a dict. `outcome`: a key of
    HISTORY_VALUES, or "met" (held, nothing recorded: not scored).
    """

    event: tuple[tuple[str, str], ...]  # (language, name) pairs: hashable, dict() gives the names
    outcome: str

    @property
    def value(self) -> float | None:
        return HISTORY_VALUES.get(self.outcome)


def history_weight(weights: Mapping[str, float] | None) -> float:
    """The history term's weight from a session's stored weights: in [0, 1], default if absent."""
    value = (weights or {}).get("history")
    if value is None:
        return DEFAULT_HISTORY_WEIGHT
    return min(1.0, max(0.0, float(value)))


def with_history(score: float, total_weight: float, weight: float, value: float) -> float:
    """A rounded score with the history term joined to its weighted mean (see the module)."""
    if weight <= 0:
        return score
    blended = (score * total_weight + weight * value) / (total_weight + weight)
    return round(min(1.0, max(MIN_SCORE, blended)), 4)


@dataclass
class Term:
    """One score term: its value in [0, 1], its weight, and notes (msgid, params) saying why."""

    value: float
    weight: float = 0.0
    notes: list[tuple[str, dict]] = field(default_factory=list)

    @property
    def contribution(self) -> float:
        return self.value * self.weight


@dataclass
class PairScore:
    buyer: str
    producer: str
    score: float
    terms: dict[str, Term]
    categories: list[str]  # the matched categories
    outside_filters: list[str] = field(default_factory=list)  # kept because requested, despite these

    def breakdown(self) -> dict:
        """A JSON-ready record of the score and its reasons (what Meeting.why_json stores)."""
        return {
            "score": self.score,
            "categories": self.categories,
            "terms": [
                {
                    "term": name,
                    "weight": round(term.weight, 4),
                    "value": round(term.value, 4),
                    "notes": [{"msgid": msgid, "params": params} for msgid, params in term.notes],
                }
                for name, term in self.terms.items()
            ],
            "outside_filters": self.outside_filters,
        }


@dataclass
class Excluded:
    buyer: str
    producer: str
    reasons: list[str]  # keys of EXCLUSION_REASONS


# ---------------------------------------------------------------- helpers


def normalise_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """DEFAULT_WEIGHTS overridden by `weights`; unknown names are ignored, negatives count as 0."""
    merged = dict(DEFAULT_WEIGHTS)
    for name, value in (weights or {}).items():
        if name in merged and value is not None:
            merged[name] = max(0.0, float(value))
    if sum(merged.values()) <= 0:
        return dict(DEFAULT_WEIGHTS)
    return merged


def to_base(quantity: float | None, unit: str | None, unit_base: Mapping) -> tuple[float, str] | None:
    """A quantity in its unit's common base (tonnes → kg); other units stay as they are."""
    if quantity is None or unit is None:
        return None
    base, factor = unit_base.get(unit, (unit, 1.0))
    return float(quantity) * factor, base


def _line_passes(line: Demand, offer: Offer, on: date | None) -> list[str]:
    """The hard filters `offer` fails for `line` (empty: it is a match line)."""
    failed = []
    if offer.stars < line.min_stars:
        failed.append("stars")
    if not line.required_standards <= offer.standards:
        failed.append("standards")
    if on is not None and offer.certificate_expiry is not None and offer.certificate_expiry < on:
        failed.append("certificate")
    return failed


def interest_of(requests: Iterable[Mapping]) -> tuple[dict[tuple[str, str], str], set[tuple[str, str]]]:
    """From request records (buyer, producer, kind, status, requested_by): who wants which pair, and blocks.

    Interest is "both" (an accepted ask, or asks from both sides), "buyer" or "producer".
    A block (or a declined ask) is returned in the blocked set.
    """
    sides: dict[tuple[str, str], set[str]] = defaultdict(set)
    blocked: set[tuple[str, str]] = set()
    for request in requests:
        key = (request["buyer"], request["producer"])
        kind, status = request.get("kind"), request.get("status", "open")
        if kind == "block" or (kind == "ask" and status == "declined"):
            blocked.add(key)
        elif kind in ("ask", "must") and status == "accepted":  # an accepted ask is stored as must
            sides[key] |= {"buyer", "producer"}
        elif kind in ("must", "ask"):
            sides[key].add(request.get("requested_by") or "buyer")
    interest = {key: ("both" if len(s) >= 2 else next(iter(s))) for key, s in sides.items() if s}
    return interest, blocked


# ---------------------------------------------------------------- scoring one pair


def score_pair(
    buyer: BuyerProfile,
    producer: ProducerProfile,
    *,
    on: date | None = None,
    weights: Mapping[str, float] | None = None,
    interest: str | None = None,
    blocked: bool = False,
    enforce_filters: bool = True,
    unit_base: Mapping | None = None,
    history: PastMeeting | None = None,
    history_weight: float = DEFAULT_HISTORY_WEIGHT,
) -> PairScore | Excluded:
    """Hard filters, then the weighted score of one buyer–producer pair.

    `on`: the session's last day (a certificate must be valid then). `interest`:
    "both", "buyer", "producer" or None. `enforce_filters=False` scores a pair
    someone asked for even when it fails the filters (never a blocked one).
    `history`: the pair's latest earlier meeting, if any (the "history" term, see the module).
    """
    unit_base = DEFAULT_UNIT_BASE if unit_base is None else unit_base
    weights = normalise_weights(weights)
    if blocked:
        return Excluded(buyer.id, producer.id, ["blocked"])
    same_category = [
        (line, offer)
        for line in buyer.demand
        for offer in producer.products
        if line.category == offer.category
    ]
    failures: list[str] = []
    matches = []
    for line, offer in same_category:
        failed = _line_passes(line, offer, on)
        if failed:
            failures.extend(failed)
        else:
            matches.append((line, offer))
    outside: list[str] = []
    if not matches:
        reasons = sorted(set(failures), key=list(EXCLUSION_REASONS).index) or ["category"]
        if enforce_filters:
            return Excluded(buyer.id, producer.id, reasons)
        outside = reasons
        matches = same_category

    terms = {
        "category": _category_term(buyer, producer, matches),
        "capacity": _capacity_term(matches, unit_base),
        "standards": _standards_term(buyer, matches),
        "stars": _stars_term(matches),
        "province": _province_term(matches, producer),
        "mutual": _mutual_term(interest),
        "price": _price_term(matches, unit_base),
    }
    for name, term in terms.items():
        term.weight = weights[name]
    total_weight = sum(weights.values())
    raw = sum(term.contribution for term in terms.values()) / total_weight
    score = round(min(1.0, max(MIN_SCORE, raw)), 4)
    if history is not None and history.value is not None and history_weight > 0:
        terms["history"] = Term(
            history.value,
            weight=history_weight,
            notes=[(HISTORY_NOTE, {"event": dict(history.event), "outcome": history.outcome})],
        )
        score = with_history(score, total_weight, history_weight, history.value)
    categories = sorted({line.category for line, _ in matches})
    return PairScore(buyer.id, producer.id, score, terms, categories, outside)


def _category_term(buyer: BuyerProfile, producer: ProducerProfile, matches) -> Term:
    wanted = {line.category for line in buyer.demand}
    made = {offer.category for offer in producer.products}
    matched = sorted({line.category for line, _ in matches})
    if not matched or not wanted or not made:
        return Term(0.0, notes=[(N_("No product in a category the buyer is looking for."), {})])
    value = min(1.0, len(matched) / min(len(wanted), len(made)))
    return Term(
        value,
        notes=[
            (
                N_("Offers %(count)d of the %(wanted)d categories the buyer is looking for: %(categories)s."),
                {"count": len(matched), "wanted": len(wanted), "categories": matched},
            )
        ],
    )


def _capacity_term(matches, unit_base: Mapping) -> Term:
    by_line: dict[Demand, list[Offer]] = defaultdict(list)
    for line, offer in matches:
        by_line[line].append(offer)
    values, notes = [], []
    for line, offers in by_line.items():
        need = to_base(line.monthly_volume, line.unit, unit_base)
        supply_total, comparable = 0.0, False
        if need is not None and need[0] > 0:
            for offer in offers:
                have = to_base(offer.capacity, offer.capacity_unit, unit_base)
                if have is not None and have[1] == need[1]:
                    supply_total += have[0]
                    comparable = True
        if not comparable:
            values.append(UNKNOWN)
            notes.append(
                (
                    N_("Capacity for %(category)s unknown or in another unit: counted as average."),
                    {"category": line.category},
                )
            )
            continue
        ratio = min(1.0, supply_total / need[0])
        values.append(ratio)
        params = {
            "category": line.category,
            "supply": _round(supply_total),
            "volume": _round(need[0]),
            "unit": need[1],
            "percent": round(ratio * 100),
        }
        if ratio >= 1:
            msgid = N_(
                "Can deliver the buyer's whole monthly volume of %(category)s "
                "(%(supply)s %(unit)s a month for %(volume)s %(unit)s)."
            )
        else:
            msgid = N_(
                "Can deliver %(percent)s%% of the buyer's monthly volume of %(category)s "
                "(%(supply)s %(unit)s a month for %(volume)s %(unit)s)."
            )
        notes.append((msgid, params))
    value = sum(values) / len(values) if values else UNKNOWN
    return Term(value, notes=notes)


def _standards_term(buyer: BuyerProfile, matches) -> Term:
    required = sorted({s for line, _ in matches for s in line.required_standards})
    held = sorted({s for _, offer in matches for s in offer.standards})
    if required:
        met = [s for s in required if s in held]
        value = len(met) / len(required)
        return Term(
            value, notes=[(N_("Holds the standards the buyer requires: %(standards)s."), {"standards": met})]
        )
    value = min(1.0, 0.5 + 0.25 * len(held))
    if held:
        return Term(
            value,
            notes=[(N_("Holds %(standards)s (the buyer requires no standard)."), {"standards": held})],
        )
    return Term(value, notes=[(N_("Holds no listed standard; the buyer requires none."), {})])


def _stars_term(matches) -> Term:
    best = max((offer.stars for _, offer in matches), default=0)
    minimum = max((line.min_stars for line, _ in matches), default=1)
    return Term(
        max(0.0, min(1.0, best / 5)),
        notes=[
            (
                N_(
                    "Best matching product: %(stars)d OCOP stars (the buyer asks for at least %(min_stars)d)."
                ),
                {"stars": best, "min_stars": minimum},
            )
        ],
    )


def _province_term(matches, producer: ProducerProfile) -> Term:
    preferred = sorted({p for line, _ in matches for p in line.preferred_provinces})
    if not preferred:
        return Term(1.0, notes=[(N_("The buyer has no province preference."), {})])
    if producer.province in preferred:
        return Term(
            1.0,
            notes=[
                (
                    N_("Comes from %(province)s, a province the buyer prefers."),
                    {"province": producer.province},
                )
            ],
        )
    return Term(
        OTHER_PROVINCE,
        notes=[
            (
                N_("Comes from %(province)s, not one of the provinces the buyer prefers."),
                {"province": producer.province or ""},
            )
        ],
    )


def _mutual_term(interest: str | None) -> Term:
    if interest == "both":
        return Term(1.0, notes=[(N_("Both sides want this meeting."), {})])
    if interest == "buyer":
        return Term(0.5, notes=[(N_("The buyer asked to meet this producer."), {})])
    if interest == "producer":
        return Term(0.5, notes=[(N_("The producer asked to meet this buyer."), {})])
    return Term(0.0, notes=[(N_("Neither side has asked for this meeting yet."), {})])


def _price_term(matches, unit_base: Mapping) -> Term:
    ceilings = [line for line, _ in matches if line.price_ceiling]
    if not ceilings:
        return Term(1.0, notes=[(N_("The buyer set no price ceiling."), {})])
    values, notes = [], []
    for line in dict.fromkeys(ceilings):
        # A price per unit converts the other way round: 1 tonne at X is X / 1000 per kg.
        ceiling = _price_in_base(line.price_ceiling, line.unit, unit_base)
        prices = [
            _price_in_base(offer.price_min, offer.price_unit, unit_base)
            for l2, offer in matches
            if l2 is line and offer.price_min
        ]
        prices = [p for p in prices if p is not None and ceiling is not None and p[1] == ceiling[1]]
        if not prices:
            values.append(UNKNOWN)
            notes.append(
                (
                    N_("Price for %(category)s not comparable with the buyer's ceiling."),
                    {"category": line.category},
                )
            )
            continue
        cheapest = min(p[0] for p in prices)
        params = {
            "category": line.category,
            "price": _round(cheapest),
            "ceiling": _round(ceiling[0]),
            "unit": ceiling[1],
        }
        if cheapest <= ceiling[0]:
            values.append(1.0)
            notes.append(
                (
                    N_(
                        "Price of %(category)s from %(price)s per %(unit)s, "
                        "within the buyer's ceiling of %(ceiling)s."
                    ),
                    params,
                )
            )
        else:
            values.append(ceiling[0] / cheapest)
            notes.append(
                (
                    N_(
                        "Price of %(category)s from %(price)s per %(unit)s, "
                        "above the buyer's ceiling of %(ceiling)s."
                    ),
                    params,
                )
            )
    return Term(sum(values) / len(values), notes=notes)


def _price_in_base(price: float | None, unit: str | None, unit_base: Mapping) -> tuple[float, str] | None:
    if price is None or unit is None:
        return None
    base, factor = unit_base.get(unit, (unit, 1.0))
    return float(price) / factor, base


def _round(value: float) -> float | int:
    return round(value) if abs(value - round(value)) < 1e-9 or value >= 100 else round(value, 2)


# ---------------------------------------------------------------- the candidate graph


def candidate_graph(
    buyers: Iterable[BuyerProfile],
    producers: Iterable[ProducerProfile],
    *,
    on: date | None = None,
    requests: Iterable[Mapping] = (),
    weights: Mapping[str, float] | None = None,
    unit_base: Mapping | None = None,
) -> nx.Graph:
    """The scored candidate pairs as a bipartite graph (buyers `bipartite=0`, producers 1).

    Each edge holds only its `score` (app.matching.engine.candidates finds and scores the pairs
    with array operations, the same scores as score_pair); the explanation of one pair is
    score_pair again (`graph.graph["candidates"].explain(buyer, producer)`). Pairs someone asked
    for (must / ask) that fail the filters are kept and scored; blocked pairs never are. The
    graph's `excluded` attribute counts the excluded pairs by reason.
    """
    import networkx as nx

    from app.matching.engine.candidates import score_candidates

    candidates = score_candidates(
        buyers, producers, on=on, requests=requests, weights=weights, unit_base=unit_base
    )
    graph = nx.Graph(weights=candidates.weights, excluded=candidates.excluded, candidates=candidates)
    graph.add_nodes_from(candidates.buyers, bipartite=0)
    graph.add_nodes_from(candidates.producers, bipartite=1)
    graph.add_weighted_edges_from(candidates.pairs(), weight="score")
    return graph
