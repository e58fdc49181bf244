"""The matching solver: an instance in, a schedule out (specs/matching-format.md).

Pure: no Flask, no database. `solve(instance)` takes the instance dict (or
JSON text, or a read `Instance`) and returns the schedule dict.

Method
------
n people, m candidate pairs, S slots, T tables, Δ the most meetings anyone gets.

1. Candidates. A listed pair can meet when nobody blocked it and the two
   share an available slot; a person's capacity is min(max_meetings,
   available slots). Fixed meetings are placed first, exactly where they
   are, and count against capacities and tables.
2. Must-meet requests first. The largest set of feasible `must` pairs that
   fit together (capacities, tables; ties broken by score) is found by an
   exact b-matching on the must pairs alone and then forced into the
   selection: a must-meet request outranks any score.
3. Selection (selection.py): the exact maximum-weight b-matching with
   capacities on both sides and at most S·T meetings, as a min-cost-flow
   linear program (totally unimodular, so the simplex vertex is 0/1),
   solved by HiGHS's dual simplex with column generation.
   Fairness rule: a person's first meeting is worth a bonus of
   `fairness_bonus` (default 0.02, i.e. 2% of a perfect score) on top of
   the pair's score, and the selection is the exact optimum of
   score + bonuses. So nobody with a feasible candidate is left without a
   meeting when giving them one costs less than 0.02 of score per person
   brought in; larger losses are not taken.
4. Scheduling (scheduling.py): bipartite edge colouring by alternating
   (Kempe) paths inside the first max(Δ, ceil(meetings / T)) slots, then
   equitable balancing into the tables. Without availability limits every
   chosen meeting is placed in exactly that many slots (König's theorem).
   With availability limits (list edge colouring, NP-hard) the meetings
   that find no slot go back to selection, which re-selects among the pairs
   that still have a common free slot and a free table (at most
   `max_rounds` rounds).
5. Compacting: alternating-path flips that lower the idle gaps of the
   people they touch, within a fixed work budget.
6. upper_bound: a Lagrangian (LP-dual) bound on the plain score of any
   valid schedule (capacities capped at available slots, S·T tables, fixed
   meetings included, slot clashes ignored), from the selection LP's duals
   plus a round of exact block coordinate descent (selection.lagrangian_bound).
   With no fairness bonus and no must-meet request to force, it equals the
   optimum of the b-matching, so objective / upper_bound = 1 whenever every
   chosen meeting was placed.

Complexity: reading and validation O(n + m). Selection: a min-cost flow,
polynomial (e.g. O(m log n · (m + n log n)) by capacity scaling); the dual
simplex used here is not polynomial in the worst case but takes ~15k pivots
on the national instance (150k pairs: ~1 s). Colouring: O(m · S) for direct
placements, O(S² · L) per alternating path of length L (rare). Balancing
and compacting: O(m · S) per pass, compacting capped at 8 path steps per
meeting. Memory: O(n · S + m).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from app.matching.engine.instance import SCHEDULE_FORMAT, ForumInstance, Instance, read_instance
from app.matching.engine.scheduling import Board, Scheduler, assign_tables, break_stats, idle_gaps
from app.matching.engine.selection import (
    SelectionError,
    greedy_bmatching,
    lagrangian_bound,
    max_weight_bmatching,
)

FAIRNESS_BONUS = 0.02
MAX_ROUNDS = 6


def solve(
    instance: dict | str | bytes | Instance | ForumInstance,
    *,
    time_limit: float | None = None,
    fairness_bonus: float = FAIRNESS_BONUS,
    max_rounds: int = MAX_ROUNDS,
    selection: Callable | None = None,
    report: dict | None = None,
    on_phase: Callable[[str], None] | None = None,
) -> dict:
    """Select and schedule meetings; return the schedule dict of the spec.

    Raises `InstanceError` (one line naming the field) for an invalid instance. An
    any-to-any instance (participants) goes to the forum scheduler, `forum.solve_forum`.
    `selection(pb, pp, w, room, total, must) -> chosen` replaces the exact
    selection (the benchmark compares other methods this way); `report`, when
    given, receives figures on the run (phase times, rounds, LP solves). `on_phase`, when
    given, is called with "selecting" and "scheduling" as each round enters them.
    """
    started = time.perf_counter()
    inst = instance if isinstance(instance, (Instance, ForumInstance)) else read_instance(instance)
    if isinstance(inst, ForumInstance):  # any-to-any: the forum scheduler (forum.py)
        from app.matching.engine.forum import solve_forum

        return solve_forum(inst, time_limit=time_limit, report=report, started=started)
    deadline = None if time_limit is None else time.monotonic() + time_limit
    run = _Run(inst, fairness_bonus, deadline)
    run.selection = selection
    run.on_phase = on_phase or (lambda _phase: None)
    run.times["read"] = time.perf_counter() - started
    run.select_and_schedule(max_rounds)
    mark = time.perf_counter()
    schedule = run.schedule(time.perf_counter() - started)
    run.times["output"] = time.perf_counter() - mark
    if report is not None:
        report.update(
            rounds=run.rounds,
            lp_solves=run.lp_solves,
            lp_columns=run.lp_columns,
            first_selection=run.first_selection,
            first_selection_placed=len(run.first_chosen & set(run.board.slot_of)),
            times={k: round(v, 4) for k, v in run.times.items()},
        )
    return schedule


def _masks(masks: list[int], n_slots: int) -> np.ndarray:
    """Slot bit masks as a numpy array (int64 up to 62 slots, Python ints beyond)."""
    return np.array(masks, dtype=np.int64 if n_slots <= 62 else object)


class _Run:
    def __init__(self, inst: Instance, fairness_bonus: float, deadline: float | None):
        self.inst = inst
        self.bonus = fairness_bonus
        self.deadline = deadline
        n = inst.n_people
        self.pb = np.asarray(inst.pair_buyer, dtype=np.int64)
        self.pp = np.asarray(inst.pair_producer, dtype=np.int64)
        self.w = np.asarray(inst.pair_score, dtype=np.float64)
        self.cap = np.array([inst.capacity(v) for v in range(n)], dtype=np.int64)
        self.total = None if inst.tables is None else inst.n_slots * inst.tables
        ids = inst.person_ids
        self.number = number = {pid: v for v, pid in enumerate(ids)}
        blocked = np.zeros(inst.n_pairs, dtype=bool)
        for b, p in inst.blocked:
            k = inst.pair_index.get((number[b], number[p]))
            if k is not None:
                blocked[k] = True
        avail = inst.available
        masks = _masks(avail, inst.n_slots)
        common = (masks[self.pb] & masks[self.pp]) != 0
        self.usable = ~blocked & common & (self.cap[self.pb] > 0) & (self.cap[self.pp] > 0)
        self.is_fixed = np.zeros(inst.n_pairs, dtype=bool)
        self.board = Board(inst.n_slots, inst.tables, list(avail), inst.pair_buyer, inst.pair_producer)
        for k, s, table in inst.fixed:
            self.board.place_fixed(k, s, table)
            self.is_fixed[k] = True
        self.usable |= self.is_fixed
        self.must_pairs = np.zeros(inst.n_pairs, dtype=bool)
        for b, p in inst.must:
            k = inst.pair_index.get((number[b], number[p]))
            if k is not None and self.usable[k]:
                self.must_pairs[k] = True
        self.excluded = np.zeros(inst.n_pairs, dtype=bool)
        self.upper_bound = 0.0
        self.rounds = 0
        self.lp_solves = 0
        self.lp_columns = 0
        self.selection: Callable | None = None
        self.times: dict[str, float] = {"select": 0.0, "bound": 0.0, "schedule": 0.0, "compact": 0.0}
        self.first_selection = 0
        self.first_chosen: set[int] = set()

    def _time_left(self) -> bool:
        return self.deadline is None or time.monotonic() < self.deadline

    def _remaining(self) -> float | None:
        return None if self.deadline is None else max(0.05, self.deadline - time.monotonic())

    def select_and_schedule(self, max_rounds: int) -> None:
        inst, board = self.inst, self.board
        n = inst.n_people
        score = inst.pair_score
        for round_number in range(max_rounds):
            busy = board.busy
            degree = np.array([b.bit_count() for b in busy], dtype=np.int64)
            free_slots = np.array(
                [(a & ~b).bit_count() for a, b in zip(inst.available, busy, strict=True)], dtype=np.int64
            )
            room = np.minimum(np.array(inst.max_meetings, dtype=np.int64) - degree, free_slots)
            room = np.maximum(room, 0)
            placed = np.zeros(inst.n_pairs, dtype=bool)
            placed[list(board.slot_of)] = True
            open_slots = board.open_slots()
            free_mask = _masks(
                [a & ~b & open_slots for a, b in zip(inst.available, busy, strict=True)], inst.n_slots
            )
            cand = self.usable & ~placed & ~self.excluded & (room[self.pb] > 0) & (room[self.pp] > 0)
            idx = np.flatnonzero(cand)
            idx = idx[(free_mask[self.pb[idx]] & free_mask[self.pp[idx]]) != 0]
            total = None if self.total is None else self.total - len(board.slot_of)
            if idx.size == 0 or (total is not None and total <= 0):
                if round_number == 0:
                    self._bound(np.zeros(n), 0.0)
                break
            mark = time.perf_counter()
            self.on_phase("selecting")
            if self.selection is not None:
                chosen = idx[
                    self.selection(self.pb[idx], self.pp[idx], self.w[idx], room, total, self.must_pairs[idx])
                ]
                alpha, z = np.zeros(n), 0.0
            else:
                chosen, alpha, z = self._select(idx, room, degree, total)
            self.times["select"] += time.perf_counter() - mark
            if round_number == 0:
                mark = time.perf_counter()
                self._bound(alpha, z)
                self.times["bound"] += time.perf_counter() - mark
                self.first_selection = int(chosen.size)
                self.first_chosen = set(chosen.tolist())
            if chosen.size == 0:
                break
            mark = time.perf_counter()
            self.on_phase("scheduling")
            self.rounds += 1
            chosen_list = chosen.tolist()
            new_degree = (
                degree + np.bincount(self.pb[chosen], minlength=n) + np.bincount(self.pp[chosen], minlength=n)
            )
            max_degree = int(new_degree.max(initial=0))
            meetings = len(board.slot_of) + len(chosen_list)
            lower = max(max_degree, math.ceil(meetings / inst.tables) if inst.tables else 0)
            window = (1 << min(max(lower, 1), inst.n_slots)) - 1 if round_number == 0 else board.all
            scheduler = Scheduler(board, window, self.deadline)
            allowed = [board.free_common(e).bit_count() for e in chosen_list]
            deg_l = new_degree.tolist()
            must = self.must_pairs
            pb_l, pp_l = inst.pair_buyer, inst.pair_producer
            order = sorted(
                range(len(chosen_list)),
                key=lambda i: (
                    not must[chosen_list[i]],
                    allowed[i],
                    -(deg_l[pb_l[chosen_list[i]]] + deg_l[pp_l[chosen_list[i]]]),
                    -score[chosen_list[i]],
                ),
            )
            ordered = [chosen_list[i] for i in order]
            must_first = [e for e in ordered if must[e]]
            failed = [e for e in must_first if not scheduler.insert(e)]
            failed += [e for e in ordered if not must[e] and not scheduler.insert(e)]
            protected = set(np.flatnonzero(self.must_pairs).tolist())
            dropped = scheduler.balance_tables(protected, score)
            self.excluded[failed] = True
            self.times["schedule"] += time.perf_counter() - mark
            if not failed and not dropped:
                break
            if not self._time_left():
                break
        mark = time.perf_counter()
        Scheduler(board, board.all, self.deadline).compact()
        self.times["compact"] += time.perf_counter() - mark

    def _select(self, idx: np.ndarray, room: np.ndarray, degree: np.ndarray, total: int | None):
        """Exact selection on the candidate pairs idx: musts first, then score + fairness bonus."""
        pb, pp, w = self.pb[idx], self.pp[idx], self.w[idx]
        n = room.size
        forced = np.zeros(idx.size, dtype=bool)
        must_local = np.flatnonzero(self.must_pairs[idx])
        try:
            if must_local.size:
                must_w = 1.0 + w[must_local] / (must_local.size + 1)
                first = max_weight_bmatching(
                    pb[must_local], pp[must_local], must_w, room, total, time_limit=self._remaining()
                )
                forced[must_local[first.chosen]] = True
            bonus = np.where((degree == 0) & (room > 0), self.bonus, 0.0) if self.bonus > 0 else None
            result = max_weight_bmatching(pb, pp, w, room, total, forced, bonus, time_limit=self._remaining())
        except SelectionError:
            # Out of time: fall back to the greedy choice (musts first) rather than nothing.
            order = np.lexsort((-w, ~forced))
            chosen = greedy_bmatching(pb, pp, w, room, total, order=order)
            return idx[chosen], np.zeros(n), 0.0
        self.lp_solves += result.lp_solves
        self.lp_columns += result.columns
        return idx[result.chosen], result.alpha, result.z

    def _bound(self, alpha: np.ndarray, z: float) -> None:
        usable = np.flatnonzero(self.usable)
        self.upper_bound = lagrangian_bound(
            self.pb[usable],
            self.pp[usable],
            self.w[usable],
            self.is_fixed[usable],
            self.cap,
            self.total,
            alpha,
            z,
            self.inst.n_buyers,
        )

    def schedule(self, elapsed: float) -> dict:
        inst, board = self.inst, self.board
        ids = inst.person_ids
        tables = assign_tables(board)
        meetings = sorted(board.slot_of.items(), key=lambda item: (item[1], tables[item[0]]))
        out = [
            {
                "buyer": ids[inst.pair_buyer[e]],
                "producer": ids[inst.pair_producer[e]],
                "slot": inst.slot_ids[s],
                "table": tables[e],
                "score": inst.pair_score[e],
            }
            for e, s in meetings
        ]
        objective = math.fsum(inst.pair_score[e] for e in board.slot_of)
        degrees = [b.bit_count() for b in board.busy]
        max_degree = max(degrees, default=0)
        n_meetings = len(out)
        lower = max(max_degree, math.ceil(n_meetings / inst.tables)) if inst.tables else max_degree
        stats = {
            "objective": round(objective, 6),
            "upper_bound": round(float(max(self.upper_bound, objective)), 6),
            "meetings": n_meetings,
            "slots_used": sum(1 for c in board.count if c),
            "max_degree": max_degree,
            "lower_bound_slots": lower,
            "idle_gaps": sum(idle_gaps(b) for b in board.busy),
            **break_stats(board.busy),
            "runtime_s": round(elapsed, 3),
        }
        return {
            "format": SCHEDULE_FORMAT,
            "meetings": out,
            "unscheduled": self.unmet_requests(),
            "stats": stats,
        }

    def unmet_requests(self) -> list[dict]:
        inst, board = self.inst, self.board
        ids = inst.person_ids
        number = {pid: v for v, pid in enumerate(ids)}
        met = {(ids[inst.pair_buyer[e]], ids[inst.pair_producer[e]]) for e in board.slot_of}
        return [
            {"buyer": b, "producer": p, "reason": self.reason(number[b], number[p])}
            for b, p in inst.must
            if (b, p) not in met
        ]

    def reason(self, b: int, p: int) -> str:
        """Why the must-meet request b–p is not in the schedule, in words."""
        inst, board = self.inst, self.board
        ids = inst.person_ids
        bid, pid = ids[b], ids[p]
        k = inst.pair_index.get((b, p))
        if (bid, pid) in inst.blocked:
            return "one of the two asked not to be matched with the other"
        if k is None:
            return "not a candidate pair: the producer's products don't match what the buyer is looking for"
        for v in (b, p):
            if inst.max_meetings[v] == 0:
                return f'"{ids[v]}" takes no meetings (max_meetings is 0)'
        if inst.available[b] & inst.available[p] == 0:
            return "no common free slot: the two are never available at the same time"
        if inst.tables == 0:
            return "the session has no tables"
        fixed_degree = [0] * inst.n_people
        for e in board.fixed:
            fixed_degree[inst.pair_buyer[e]] += 1
            fixed_degree[inst.pair_producer[e]] += 1
        for v in (b, p):
            if fixed_degree[v] >= inst.capacity(v):
                return f'"{ids[v]}" is fully booked by meetings already published'
        for v in (b, p):
            if board.degree(v) >= inst.capacity(v):
                must_met = sum(
                    1
                    for e, _ in board.slot_of.items()
                    if self.must_pairs[e] and v in (inst.pair_buyer[e], inst.pair_producer[e])
                )
                if must_met + fixed_degree[v] >= inst.capacity(v):
                    return (
                        f'"{ids[v]}" has more must-meet requests and published meetings than it can hold '
                        f"({inst.capacity(v)} meetings)"
                    )
                return f'"{ids[v]}" is fully booked ({inst.capacity(v)} meetings)'
        common = inst.available[b] & inst.available[p]
        if common & ~board.busy[b] & ~board.busy[p] == 0:
            return "no common free slot: every slot both can attend is taken by their other meetings"
        if common & ~board.busy[b] & ~board.busy[p] & board.open_slots() == 0:
            return "every table is taken in the slots both can attend"
        if self.total is not None and len(board.slot_of) >= self.total:
            return "every table in every slot is taken"
        return "it could not be fitted in beside the other must-meet requests and published meetings"
