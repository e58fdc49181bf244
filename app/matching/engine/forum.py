"""The any-to-any ("networking forum") scheduler (specs/matching-format.md, "Any-to-any sessions").

Pure: no Flask, no database. `solve_forum(inst)` takes a read `ForumInstance` and returns the
schedule dict of the spec (meetings and unscheduled entries name `a` and `b`).

What it schedules
-----------------
The requested meetings: every `must` request of a listed, unblocked pair, plus the `fixed`
(published) meetings, which stay exactly where they are. A listed pair nobody requested is a
candidate the participants may request, not a meeting: the forum schedules accepted requests.
Rules: a meeting takes one slot and one table; slots in both people's `available_slots` and in
the pair's `slots`; nobody twice in a slot, nobody over `max_meetings`, at most `tables`
meetings a slot.

Objective, lexicographic: (1) as many requested meetings placed as possible; then (2) fewest
`breaks` summed over everyone; then (3) fewest `idle_gaps`; then (4) the smallest spread
`max_breaks - min_breaks`.

Method (measured in benchmarks/forum_bench.py)
----------------------------------------------
n participants, r requested meetings, S slots, T tables, o ≤ S the allowed slots of a meeting.

1. Greedy with repair, always. Meetings in order of fewest allowed slots first, each into the
   slot that adds the fewest breaks, then idle slots, to its two people (bit-mask arithmetic,
   O(o) per meeting). A meeting that finds no slot tries an ejection chain: it takes a slot,
   the one or two meetings of its people that block it there are taken out and placed the same
   way, up to REPAIR_DEPTH levels and REPAIR_BUDGET tries, every move undone if the chain
   fails. O(r · o) plus O(REPAIR_BUDGET · o) per meeting left. (A repair of depth 1 left a
   meeting out of a feasible 5-person forum, found by the property test below: two
   people's only common slot held by a meeting that had to move twice.)
2. Simulated annealing with Kempe-chain moves: take a meeting in slot s1 (half the time, FOCUS,
   a meeting of someone with a break or an idle slot) and another allowed slot s2 of it, and
   swap between s1 and s2 every meeting linked to it through people busy in both slots (the
   agendas stay clash-free and every degree stays put; a chain of one meeting is a relocation);
   tables, availability and allowed slots are checked for the whole chain. The moves are
   judged on breaks · ANNEAL_WEIGHT (2) + idle slots, a smoother landscape than the objective's
   breaks · (S + 1) + idle slots (one break outweighs every idle slot), on which the best
   schedule seen is kept: measured, 12 runs of 3 s on six benchmark forums gave 38 breaks in
   all against 69 with the objective's weight. The loop is compiled (anneal.py, numba): 3.5–4.6
   million moves a second on the benchmark's forums, where the same loop in Python made about
   135,000, O(chain · S) a move; it runs in chunks of ANNEAL_CHUNK moves between two looks at the
   clock, at most max(MOVES_PER_MEETING, MOVES_GROWTH · r) · r moves or the time share, and
   stops at a schedule with no break and no idle slot. Then a descent (single relocations,
   same-person swaps) to a local optimum, and a second chance for meetings the greedy left out.
   The moves matter more than anything else tried: twice the moves of the Python loop lowered
   the mean breaks by 20–30 %, and thirty times took the benchmark's forums F5–F9 from 1–7
   breaks after 3.5 s to 0 in about 1 s. Its settings were measured again on the compiled loop
   (F3, eight seeds of 3.5 s each: ANNEAL_WEIGHT 1–5, the last temperature 0.02–0.15, FOCUS
   0.2–0.8): 22–27 breaks in all for every setting, so they stay as they were.
   On forums with more than REHEAT_VARS meeting×slot variables, a second annealing from the
   best schedule (start temperature REHEAT_TEMPERATURE breaks) takes REHEAT_SHARE of the time
   left after step 3: there the full model of step 4 seldom finds even a first solution in the
   seconds left (measured: 110 s of it, with the annealed schedule as hint, did not lower 3
   breaks on forum F4 or 6 on F7, where longer annealing reached 1 and 2). Its start
   temperature, measured over twelve seeds of the whole solver on F3 and F8, the two forums
   the first annealing most often leaves above the bound: 0.3 breaks gave the proven optimum in
   2 and 7 of the twelve, 1.0 in 4 and 8, 2.0 in 7 and 9, 3.0 in 7 and 10 (twelve seeds more:
   3 and 11), 6.0 in 3 and 8; so 3.0, hot enough to leave the first annealing's valley.
   Measured (benchmarks/forum_bench.py, a quiet 2-core machine, the whole solver, every meeting
   placed every time): the proven optimum on 9 of the ten forums F1–F10 in two runs (F3 at 3
   breaks, its bound 2), on 8 in two runs before the second annealing started hot (F3 and F8
   short by one break or two); at most 7.9 s wall with start-up. Over five seeds each, F1, F2,
   F5, F6, F7, F9 and F10 at the proven optimum every time, F4 three times in five. The large
   forum (1,000 people, 10,000 meetings): 169–181 breaks in four runs of 24.2–24.6 s, against
   3,102 for first-fit greedy (which leaves 292 meetings out) and 1,657 for step 1; the Python
   loop had 450–496.
   Tried and dropped, before the loop was compiled: a CP-SAT large neighbourhood search after
   the annealing (free the meetings of a person with a break and its partners' partners, or of
   a window of slots, 12–150 meetings; keep the rest; solve exactly on breaks · (S + 1) + idle
   slots, 0.2–0.3 s a sub-model on one worker): in 3 s (10–23 sub-models) it lowered no forum's
   breaks, where as long a second annealing did. A window model in CP-SAT (each person's
   meetings fill one unbroken window of exactly its number of meetings, or the person is let
   off; fewest people let off, the annealed schedule the hint): it took F5 and F6 from 1–2
   breaks to 0 in 1–3 s, but run for 2–3 s after the annealing or before the relaxation it gave
   the proven optimum on 3–6 of the ten forums over fourteen runs of seven settings, as without
   it; without the let-off it found nothing in 5 s on 2 workers beyond F2 and F10. A Benders
   loop (the relaxation re-solved with a cut on the people of each failed realisation's
   infeasible core) ran 40 rounds on F6 without converging.
3. A lower bound on breaks, when every requested meeting is placed and the breaks are above
   the per-person bound below (the "cpsat" method, after the heuristic, RELAX_SHARE of the time
   left, at most RELAX_CAP s): a relaxation solved by CP-SAT (_Relaxation). Per person v and slot s a Boolean
   y[v,s] "v is busy in s"; per person exactly d_v busy slots, among its published ones and the
   allowed slots of its requested meetings; each of v's requested meetings assigned to one of
   v's busy slots, one a slot, in a slot where its partner is busy (the meeting's two ends may
   pick different slots: that is what is relaxed); Hall's condition on the unions of v's
   half-day sets; an even number of busy people a slot, at most twice the tables; breaks = run
   starts − people, minimised as the per-person bound's sum (below) plus each person's run
   starts beyond its own bound (an integer ≥ 0 a person: CP-SAT's proven bound then starts at
   that floor instead of climbing to it from minus the people one core at a time; measured,
   proving 2 breaks on F3 fell from 2–4 s to 0.7–1 s, on F1 to 0.2 s). Any schedule placing
   every meeting is a solution with the same breaks, so the relaxation's optimum, or CP-SAT's
   proven bound on it (best_objective_bound), is a lower bound on the breaks. Size
   O(r · o + n · S) Booleans. Measured: it proves 2 breaks on F1 and F3, where the full model
   below proves nothing in 40 s; on the others its optimum is 0 (it can't tell which partner's
   slot is whose), which CP-SAT finds in 0.5–1.5 s on F4, F5, F9 and not within seconds on the
   others: the search stops at a solution with the per-person bound's breaks, as it can prove no
   more, or after min(RELAX_SHARE of the time left, RELAX_CAP) s. Checked sound against brute
   force on small forums (tests).
   Then the relaxation's solution, when its breaks are below the schedule's, is realised
   (_realise): a CP-SAT model puts every requested meeting in a slot busy for both its people in
   that solution (one variable per meeting and such slot, O(r · o) at most; nobody twice a slot;
   the tables), within REALISE_CAP s. Found, each person is busy exactly in its relaxed slots:
   a schedule with the relaxation's breaks, taken when it lowers (breaks, idle slots). Measured
   (a light load): solved in 0.1 s; it gave F1 its proven optimum of 2 breaks (the annealing
   had 3) and F4 a proven 0 (the annealing had 2–4); on F3, F6 and F9 the relaxed slots can't
   be realised (infeasible at once). It depends on the relaxation reaching a good solution
   within its cap, which a loaded machine often prevents.
4. Exact, when the model is small enough (at most CPSAT_MAX_VARS meeting×slot variables, e.g.
   300 requests × 22 slots = 6,600): CP-SAT (OR-tools) on a 0/1 model, one variable
   x[meeting, slot] per allowed slot; per person and slot y = Σ x (≤ 1); run starts
   r[v,s] ≥ y[v,s] − y[v,s−1], so the breaks are Σ r − #people with a meeting; idle slots from
   monotone "a meeting at or before / after s" indicators (built for stage 3 only). The bounds
   of step 3 and the per-person bounds are constraints. Solved stage by stage, each stage's
   optimum a constraint of the next and the annealed schedule the hint: placed (max), breaks
   (min, skipped when the bound already equals the breaks), idle slots (min), spread (min),
   within the time limit (default DEFAULT_TIME_LIMIT s; the heuristic takes HEURISTIC_SHARE of
   it first). Exponential in the worst case (the problem contains edge colouring, NP-hard; zero
   breaks is interval edge colouring, NP-complete). Measured: it proves "every meeting placed"
   at once and often lowers the idle slots and finds 0-break schedules (then proven optimal),
   but within seconds it seldom lowers the annealed breaks, and its own bound on breaks stays
   at 0 on the benchmark's forums (1 after 20 s with 8 workers on the smallest); tiny forums are
   solved to proven optimality (tests compare with brute force).

Proof: `stats.breaks_lower_bound` is a proven lower bound on the breaks of any valid schedule
that places at least as many requested meetings as this one: the largest of the relaxation's
bound (step 3), CP-SAT's proven objective bound (step 4) and a per-person bound (every
person's meetings lie in the runs of slots where that person can meet; the runs holding a
published meeting are used, and covering its meetings needs at least k runs, so k − 1 breaks);
the relaxation and per-person bounds hold when every requested meeting is placed (else only
published meetings count). `stats.optimal` is `breaks_lower_bound == breaks`: the breaks are
proven optimal. `stats.method` says which method gave the schedule ("cpsat", "heuristic" or
"greedy") and `stats.requested` counts the must requests. These three and
`breaks_lower_bound` are additions to the spec's stats for forums.

An unscheduled entry carries a `code` beside its `reason` in words: blocked, not_a_pair,
no_meetings, no_common_slot, outside_allowed_slots, no_tables, booked_by_published,
over_capacity, slots_taken, tables_full, no_room.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np

from app.matching.engine.anneal import AnnealArrays, anneal_chunk, seed_rng
from app.matching.engine.instance import INSTANCE_FORMAT, SCHEDULE_FORMAT, ForumInstance, read_instance
from app.matching.engine.scheduling import break_stats, breaks, idle_gaps

DEFAULT_TIME_LIMIT = 7.0
CPSAT_MAX_VARS = 30_000
CPSAT_WORKERS = 4
RELAX_WORKERS = 3  # CP-SAT on the relaxation (fewer than 3 seldom prove a bound in time)
PARTNER_CUTS = True
LOCAL_ASSIGN = True
RELAX_SHARE = 0.7  # of the time left after the heuristic, for the relaxation
RELAX_CAP = 2.0  # seconds at most for it
REALISE = True
REALISE_CAP = 1.0  # seconds at most to realise the busy slots of the relaxation
MOVES_PER_MEETING = 30_000  # annealing moves tried at most, per requested meeting, on small forums
MOVES_GROWTH = 1_500  # ... and MOVES_GROWTH · r per meeting on larger ones (r meetings)
REHEAT_SHARE = 0.8  # of the time left after the relaxation, for a second annealing
REHEAT_TEMPERATURE = 3.0  # its start temperature, in breaks
ANNEAL_WEIGHT = 2  # a break's weight against an idle slot in the annealing's moves
ANNEAL_END_TEMPERATURE = 0.05  # the annealing's last temperature (its first: one break's weight)
REHEAT_VARS = 600  # the second annealing when the full model has more meeting×slot variables
FOCUS = 0.5  # share of the annealing's moves that start from a meeting of someone with a gap
HEURISTIC_SHARE = 0.5  # of the time limit, before CP-SAT takes the rest
REPAIR_DEPTH = 4  # levels of an ejection chain placing a meeting the greedy could not
REPAIR_BUDGET = 400  # slots tried in all by one such chain
ANNEAL_CHUNK = 20_000  # compiled annealing moves between two looks at the clock


def _bits(mask: int):
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def _runs(mask: int) -> int:
    return (mask & ~(mask << 1)).bit_count()


def person_breaks_bound(possible: int, fixed: int, meetings: int) -> int:
    """Fewest breaks a person with `meetings` meetings, all in slots of `possible` (a mask) and
    including every slot of `fixed`, can have: runs of `possible` needed to hold them, less one."""
    if meetings <= 0:
        return 0
    runs: list[tuple[int, bool]] = []  # (length, holds a fixed meeting)
    mask = possible
    while mask:
        low = (mask & -mask).bit_length() - 1
        length = 0
        while mask >> (low + length) & 1:
            length += 1
        run = ((1 << length) - 1) << low
        runs.append((length, bool(run & fixed)))
        mask &= ~run
    forced = [length for length, has_fixed in runs if has_fixed]
    need, held = len(forced), sum(forced)
    for length in sorted((length for length, has_fixed in runs if not has_fixed), reverse=True):
        if held >= meetings:
            break
        need += 1
        held += length
    return max(need, 1) - 1


class _Plan:
    """A forum schedule in progress: who is busy when, which meeting is where."""

    def __init__(self, inst: ForumInstance):
        self.inst = inst
        n, S = inst.n_people, inst.n_slots
        self.weight = S + 1  # one break outweighs every idle slot of a person
        self.table_cap = [inst.tables if inst.tables is not None else n for _ in range(S)]
        self.busy = [0] * n
        self.deg = [0] * n
        self.count = [0] * S
        self.slot_of: dict[int, int] = {}  # movable (requested) meeting -> slot
        self.fixed_slot: dict[int, int] = {}
        self.fixed_table: dict[int, int] = {}
        self.at: list[list[int]] = [[-1] * S for _ in range(n)]  # person, slot -> meeting or -1
        for k, s, table in inst.fixed:
            self.fixed_slot[k] = s
            self.fixed_table[k] = table
            self._occupy(k, s)
        self.fixed_busy = list(self.busy)
        self.fixed_count = list(self.count)
        self.fixed_deg = list(self.deg)
        # Requested meetings to place, and why the others can't be.
        self.todo: list[int] = []
        self.rejected: list[tuple[tuple[int, int], str, str]] = []
        self.options: dict[int, int] = {}
        for key in inst.must:
            k = inst.pair_index.get(key)
            if k is not None and k in self.fixed_slot:
                continue  # met by a published meeting
            problem = self._static_problem(key, k)
            if problem:
                self.rejected.append((key, *problem))
                continue
            self.todo.append(k)
            a, b = inst.pair_a[k], inst.pair_b[k]
            self.options[k] = inst.pair_slots[k] & inst.available[a] & inst.available[b]

    # -- the board -------------------------------------------------------------------------
    def _occupy(self, k: int, s: int) -> None:
        inst = self.inst
        for v in (inst.pair_a[k], inst.pair_b[k]):
            self.busy[v] |= 1 << s
            self.deg[v] += 1
            self.at[v][s] = k
        self.count[s] += 1

    def _free(self, k: int, s: int) -> None:
        inst = self.inst
        for v in (inst.pair_a[k], inst.pair_b[k]):
            self.busy[v] &= ~(1 << s)
            self.deg[v] -= 1
            self.at[v][s] = -1
        self.count[s] -= 1

    def place(self, k: int, s: int) -> None:
        self.slot_of[k] = s
        self._occupy(k, s)

    def remove(self, k: int) -> int:
        s = self.slot_of.pop(k)
        self._free(k, s)
        return s

    def open_slots(self) -> int:
        mask = 0
        for s, c in enumerate(self.count):
            if c < self.table_cap[s]:
                mask |= 1 << s
        return mask

    def cost(self, mask: int) -> int:
        if not mask:
            return 0
        low = (mask & -mask).bit_length() - 1
        idle = mask.bit_length() - low - mask.bit_count()
        return (_runs(mask) - 1) * self.weight + idle

    def free_slots(self, k: int, open_slots: int | None = None) -> int:
        inst = self.inst
        a, b = inst.pair_a[k], inst.pair_b[k]
        if self.deg[a] >= inst.max_meetings[a] or self.deg[b] >= inst.max_meetings[b]:
            return 0
        if open_slots is None:
            open_slots = self.open_slots()
        return self.options[k] & ~self.busy[a] & ~self.busy[b] & open_slots

    def best_slot(self, k: int, free: int, rng: random.Random | None = None) -> tuple[int, int]:
        """(added cost, slot) of the cheapest slot in `free` for meeting k (random ties with rng)."""
        inst = self.inst
        ba, bb = self.busy[inst.pair_a[k]], self.busy[inst.pair_b[k]]
        base = self.cost(ba) + self.cost(bb)
        best, best_s, ties = None, -1, 0
        for s in _bits(free):
            bit = 1 << s
            delta = self.cost(ba | bit) + self.cost(bb | bit) - base
            if best is None or delta < best:
                best, best_s, ties = delta, s, 1
            elif delta == best and rng is not None:
                ties += 1
                if rng.randrange(ties) == 0:
                    best_s = s
        return (best if best is not None else 0), best_s

    def total(self) -> tuple[int, int]:
        b = sum(_runs(m) - 1 for m in self.busy if m)
        return b, sum(idle_gaps(m) for m in self.busy)

    # -- why a request can't be met ----------------------------------------------------------
    def _static_problem(self, key: tuple[int, int], k: int | None) -> tuple[str, str] | None:
        inst = self.inst
        ids = inst.person_ids
        if key in inst.blocked:
            return "blocked", "one of the two asked not to be matched with the other"
        if k is None:
            return "not_a_pair", "not a candidate pair: the two are not listed as a possible meeting"
        for v in key:
            if inst.max_meetings[v] == 0:
                return "no_meetings", f'"{ids[v]}" takes no meetings (max_meetings is 0)'
        a, b = key
        common = inst.available[a] & inst.available[b]
        if not common:
            return "no_common_slot", "no common free slot: the two are never available at the same time"
        if not common & inst.pair_slots[k]:
            return (
                "outside_allowed_slots",
                "the two are free together only outside the slots allowed for this meeting",
            )
        if inst.tables == 0:
            return "no_tables", "the session has no tables"
        for v in key:
            if self.fixed_deg[v] >= inst.max_meetings[v]:
                return "booked_by_published", f'"{ids[v]}" is fully booked by meetings already published'
        return None

    def reason(self, k: int) -> tuple[str, str]:
        inst = self.inst
        ids = inst.person_ids
        a, b = inst.pair_a[k], inst.pair_b[k]
        wanted = [0] * inst.n_people
        for e in self.todo:
            wanted[inst.pair_a[e]] += 1
            wanted[inst.pair_b[e]] += 1
        for v in (a, b):
            room = inst.capacity(v) - self.fixed_deg[v]
            if wanted[v] > room and self.deg[v] >= inst.max_meetings[v]:
                return (
                    "over_capacity",
                    f'"{ids[v]}" has more requested meetings than it can hold ({inst.capacity(v)} meetings)',
                )
        options = self.options[k]
        if options & ~self.busy[a] & ~self.busy[b] == 0:
            return (
                "slots_taken",
                "no common free slot: every slot both can attend is taken by their other meetings",
            )
        if options & ~self.busy[a] & ~self.busy[b] & self.open_slots() == 0:
            return "tables_full", "every table is taken in the slots both can attend"
        return "no_room", "it could not be fitted in beside the other requested and published meetings"

    # -- the greedy and its repair -----------------------------------------------------------
    def greedy(self, *, compact: bool = True) -> list[int]:
        """Place every requested meeting it can; return those left. `compact=False`: first fit in
        request order (the baseline the benchmark compares with)."""
        inst = self.inst
        order = list(self.todo)
        if compact:
            load = [0] * inst.n_people
            for k in order:
                load[inst.pair_a[k]] += 1
                load[inst.pair_b[k]] += 1
            order.sort(
                key=lambda k: (
                    self.options[k].bit_count(),
                    -(load[inst.pair_a[k]] + load[inst.pair_b[k]]),
                )
            )
        left = []
        for k in order:
            free = self.free_slots(k)
            if free:
                s = self.best_slot(k, free)[1] if compact else (free & -free).bit_length() - 1
                self.place(k, s)
            elif not (compact and self.repair(k)):
                left.append(k)
        return left

    def repair(self, k: int, depth: int = REPAIR_DEPTH, budget: int = REPAIR_BUDGET) -> bool:
        """Place k by an ejection chain: put it in one of its slots, taking out the (at most two)
        meetings that block it there, and place those the same way, up to `depth` levels and
        `budget` tries in all; every move is undone if the chain fails. O(budget · o)."""
        inst = self.inst
        a, b = inst.pair_a[k], inst.pair_b[k]
        if self.deg[a] >= inst.max_meetings[a] or self.deg[b] >= inst.max_meetings[b]:
            return False
        journal: list[tuple[int, int, int]] = []  # (+1 placed | -1 removed, meeting, slot)
        if self._insert(k, depth, {k}, [budget], journal):
            return True
        for sign, e, slot in reversed(journal):
            if sign > 0:
                self.remove(e)
            else:
                self.place(e, slot)
        return False

    def _insert(self, k: int, depth: int, chain: set[int], budget: list[int], journal: list) -> bool:
        free = self.free_slots(k)
        if free:
            s = self.best_slot(k, free)[1]
            self.place(k, s)
            journal.append((1, k, s))
            return True
        if depth <= 0:
            return False
        inst = self.inst
        a, b = inst.pair_a[k], inst.pair_b[k]
        for s in _bits(self.options[k] & ~self.fixed_busy[a] & ~self.fixed_busy[b]):
            blockers = {self.at[v][s] for v in (a, b) if self.at[v][s] >= 0}
            if not blockers or any(e in chain or e not in self.slot_of for e in blockers):
                continue  # a full table with nobody of theirs there: no blocker to move
            if budget[0] <= 0:
                return False
            budget[0] -= 1
            mark = len(journal)
            for e in blockers:
                journal.append((-1, e, self.remove(e)))
            self.place(k, s)
            journal.append((1, k, s))
            if all(self._insert(e, depth - 1, chain | blockers | {k}, budget, journal) for e in blockers):
                return True
            while len(journal) > mark:  # undo this try, deeper moves included
                sign, e, slot = journal.pop()
                if sign > 0:
                    self.remove(e)
                else:
                    self.place(e, slot)
        return False

    def improve(self, deadline: float, seed: int = 0) -> None:
        """Local search on (breaks, idle slots): relocations and same-person swaps, to a local
        optimum or the deadline."""
        inst = self.inst
        rng = random.Random(seed)
        moves = list(self.slot_of)
        by_person: dict[int, list[int]] = {}
        for k in moves:
            by_person.setdefault(inst.pair_a[k], []).append(k)
            by_person.setdefault(inst.pair_b[k], []).append(k)
        for _ in range(200):
            improved = False
            rng.shuffle(moves)
            for k in moves:
                s = self.remove(k)
                free = self.free_slots(k)
                delta_old = self._delta(k, s)
                delta, best = self.best_slot(k, free, rng)
                if best < 0 or delta >= delta_old:
                    best = s
                elif delta < delta_old:
                    improved = True
                self.place(k, best)
            if time.monotonic() > deadline:
                return
            for v, ks in by_person.items():
                improved |= self._swaps(v, ks)
            if time.monotonic() > deadline or not improved:
                return

    def anneal(self, deadline: float, seed: int = 0, start_temperature: float | None = None) -> int:
        """Simulated annealing on breaks · (S + 1) + idle slots with Kempe-chain moves; keeps the
        best schedule seen in the second half of the run (or the first with no break and no
        idle slot). A move takes a meeting k in slot s1 and another allowed slot s2 of k,
        and swaps between s1 and s2 every meeting connected to k through people busy in both
        (a Kempe chain: the agendas stay clash-free, degrees stay put); a chain of one meeting is
        a plain relocation. The loop is compiled (anneal.py); this method turns the schedule
        into its arrays, runs it in chunks until the deadline or the move budget, and reads the
        best schedule back. Returns the number of moves tried."""
        meetings = list(self.slot_of)
        if not meetings or time.monotonic() >= deadline:
            return 0
        # The moves are judged on breaks · ANNEAL_WEIGHT + idle slots (a smoother landscape than
        # the objective's weight, measured), the best schedule kept on the objective's.
        true_weight = self.weight
        weight = min(true_weight, ANNEAL_WEIGHT)
        board = self.board(meetings, weight)
        t0 = weight * (1.0 if start_temperature is None else start_temperature)
        t_end = ANNEAL_END_TEMPERATURE
        m_count = len(meetings)
        budget = m_count * max(MOVES_PER_MEETING, MOVES_GROWTH * m_count)
        refresh = 256 * max(1, m_count // 512)
        seed_rng(seed)
        began = time.monotonic()
        span = max(1e-3, deadline - began)
        tried, chunk = 0, ANNEAL_CHUNK
        while tried < budget and board.state[2] > 0:
            now = time.monotonic()
            if now >= deadline:
                break
            # The temperature follows the time (or the move budget, if it runs out first); a
            # chunk's share of it is guessed from the moves a second so far.
            elapsed = now - began
            progress = max(elapsed / span, tried / budget)
            rate = tried / elapsed if tried and elapsed > 0 else 0.0
            by_time = elapsed / span + (chunk / (rate * span) if rate else 0.0)
            ahead = min(1.0, max(by_time, (tried + chunk) / budget))
            tried += anneal_chunk(
                *board,
                min(chunk, budget - tried),
                weight,
                true_weight,
                t0 * (t_end / t0) ** progress,
                t0 * (t_end / t0) ** ahead,
                FOCUS,
                refresh,
                progress > 0.5,
            )
        if tried:
            state = board.state
            final = int(state[0]) + int(state[1]) * (true_weight - weight)
            chosen = board.slot if final <= state[2] else board.best
            for k in meetings:
                self.remove(k)
            for i, k in enumerate(meetings):
                self.place(k, int(chosen[i]))
        return tried

    def board(self, meetings: list[int], weight: int) -> AnnealArrays:
        """The compiled annealing's arrays (anneal.AnnealArrays) for these placed meetings, movable,
        the rest of the schedule fixed; moves judged with a break worth `weight` idle slots."""
        inst = self.inst
        n, S, m_count = inst.n_people, inst.n_slots, len(meetings)
        index = {k: i for i, k in enumerate(meetings)}
        opt = np.zeros((m_count, S), np.bool_)
        opt_list = np.zeros((m_count, S), np.int32)
        opt_n = np.zeros(m_count, np.int32)
        for i, k in enumerate(meetings):
            allowed = list(_bits(self.options[k]))
            opt[i, allowed] = True
            opt_list[i, : len(allowed)] = allowed
            opt_n[i] = len(allowed)
        at = np.full((n, S), -1, np.int32)
        for v in range(n):
            for s, k in enumerate(self.at[v]):
                if k >= 0:
                    at[v, s] = index.get(k, -2)  # not movable: a published meeting
        pbreaks = np.array([breaks(m) for m in self.busy], np.int32)
        pidle = np.array([idle_gaps(m) for m in self.busy], np.int32)
        n_breaks, n_idle = int(pbreaks.sum()), int(pidle.sum())
        slot = np.array([self.slot_of[k] for k in meetings], np.int32)
        return AnnealArrays(
            pa=np.array([inst.pair_a[k] for k in meetings], np.int32),
            pb=np.array([inst.pair_b[k] for k in meetings], np.int32),
            opt=opt,
            opt_list=opt_list,
            opt_n=opt_n,
            slot=slot,
            best=slot.copy(),
            at=at,
            count=np.array(self.count, np.int32),
            cap=np.array(self.table_cap, np.int32),
            pbreaks=pbreaks,
            pidle=pidle,
            hot=np.empty(m_count, np.int32),
            state=np.array(
                [n_breaks * weight + n_idle, n_breaks, n_breaks * self.weight + n_idle, 0, 0, 1 << 62],
                np.int64,
            ),
        )

    def _delta(self, k: int, s: int) -> int:
        inst = self.inst
        bit = 1 << s
        total = 0
        for v in (inst.pair_a[k], inst.pair_b[k]):
            total += self.cost(self.busy[v] | bit) - self.cost(self.busy[v])
        return total

    def _swaps(self, v: int, ks: list[int]) -> bool:
        """Swap the slots of two of v's meetings when it lowers the partners' cost."""
        inst = self.inst
        improved = False
        for i in range(len(ks)):
            k1 = ks[i]
            for j in range(i + 1, len(ks)):
                k2 = ks[j]
                s1, s2 = self.slot_of[k1], self.slot_of[k2]
                if s1 == s2:
                    continue
                if not (self.options[k1] >> s2 & 1 and self.options[k2] >> s1 & 1):
                    continue
                u1 = inst.pair_b[k1] if inst.pair_a[k1] == v else inst.pair_a[k1]
                u2 = inst.pair_b[k2] if inst.pair_a[k2] == v else inst.pair_a[k2]
                m1, m2 = self.busy[u1], self.busy[u2]
                if m1 >> s2 & 1 or m2 >> s1 & 1:
                    continue
                flip = 1 << s1 | 1 << s2
                delta = self.cost(m1 ^ flip) + self.cost(m2 ^ flip) - self.cost(m1) - self.cost(m2)
                if delta < 0:
                    self.remove(k1)
                    self.remove(k2)
                    self.place(k1, s2)
                    self.place(k2, s1)
                    improved = True
        return improved

    def options_union(self, v: int) -> int:
        """The slots outside v's published meetings where v's requested meetings may go."""
        inst = self.inst
        mask = 0
        for k in self.todo:
            if v in (inst.pair_a[k], inst.pair_b[k]):
                mask |= self.options[k]
        return mask & ~self.fixed_busy[v]

    # -- output ----------------------------------------------------------------------------
    def tables(self) -> dict[int, int]:
        taken: dict[int, set[int]] = {}
        out: dict[int, int] = {}
        for k, s in self.fixed_slot.items():
            taken.setdefault(s, set()).add(self.fixed_table[k])
            out[k] = self.fixed_table[k]
        nxt: dict[int, int] = {}
        for k in sorted(self.slot_of, key=lambda e: (self.slot_of[e], e)):
            s = self.slot_of[k]
            t = nxt.get(s, 0)
            used = taken.get(s, set())
            while t in used:
                t += 1
            out[k] = t
            nxt[s] = t + 1
        return out


def breaks_bound(plan: _Plan, all_placed: bool) -> int:
    """The per-person lower bound on breaks (see the module docstring)."""
    inst = plan.inst
    n = inst.n_people
    meetings = list(plan.fixed_deg)
    possible = list(plan.fixed_busy)
    if all_placed:
        for k in plan.todo:
            for v in (inst.pair_a[k], inst.pair_b[k]):
                meetings[v] += 1
                possible[v] |= plan.options[k] & ~plan.fixed_busy[v]
    return sum(person_breaks_bound(possible[v], plan.fixed_busy[v], meetings[v]) for v in range(n))


class _Relaxation:
    """A proven lower bound on the breaks of every schedule that places every requested meeting:
    the optimum (or CP-SAT's proven bound) of a relaxation that chooses each person's busy slots
    alone, forgetting which partner meets whom when.

    The relaxation keeps, per person v with d_v meetings (published and requested): exactly d_v
    busy slots, all in v's published slots or the allowed slots of v's requested meetings; Hall's
    condition for every union U of the allowed-slot sets of v's meetings (at most 2^6 unions): at
    least as many busy slots in U as v has meetings allowed only inside U; and per slot an even
    number of busy people, at most twice the tables; whoever is busy in a slot has a partner
    allowed there who is busy too; and each person's requested meetings assigned one to each of
    its busy slots, each in a slot where the partner is busy (the two ends of a meeting may pick
    different slots: the relaxed part). Every schedule placing every meeting gives
    such a choice with the same breaks, so the relaxation's optimum is a lower bound. It is small
    (people × slots Booleans) and CP-SAT often solves it to optimality in a second, where the full
    model proves nothing: the busy slots of popular people pile up in the middle of the day, more
    than the tables hold, and some have to break."""

    def __init__(self, plan: _Plan, hint: list[int] | None = None):
        from ortools.sat.python import cp_model

        self.bound = 0
        self.masks: list[int] | None = None
        self.model = None
        self.solver = None
        inst = plan.inst
        S, n = inst.n_slots, inst.n_people
        if not plan.todo:
            return
        masks: list[dict[int, int]] = [{} for _ in range(n)]
        allowed: dict[int, int] = {}  # requested meeting -> its slots outside published ones
        possible = list(plan.fixed_busy)
        degree = list(plan.fixed_deg)
        for k in plan.todo:
            a, b = inst.pair_a[k], inst.pair_b[k]
            options = plan.options[k] & ~plan.fixed_busy[a] & ~plan.fixed_busy[b]
            for s in range(S):
                if options >> s & 1 and plan.fixed_count[s] >= plan.table_cap[s]:
                    options &= ~(1 << s)
            if not options:
                return  # a meeting that can't be placed: the relaxation says nothing
            allowed[k] = options
            for v in (a, b):
                masks[v][options] = masks[v].get(options, 0) + 1
                possible[v] |= options
                degree[v] += 1
        model = cp_model.CpModel()
        y: dict[tuple[int, int], object] = {}
        starts = []
        floor = 0
        for v in range(n):
            if not degree[v]:
                continue
            fixed = plan.fixed_busy[v]
            for s in _bits(possible[v]):
                y[v, s] = model.new_constant(1) if fixed >> s & 1 else model.new_bool_var(f"y{v}_{s}")
            model.add(sum(y[v, s] for s in _bits(possible[v])) == degree[v])
            families = list(masks[v])
            if len(families) <= 6:
                unions = {_union(families, chosen) for chosen in range(1, 1 << len(families))}
            else:
                unions = set(families)
            for union in unions:
                inside = sum(count for mask, count in masks[v].items() if mask & ~union == 0)
                model.add(sum(y[v, s] for s in _bits(union)) >= inside)
            mine = []
            for s in _bits(possible[v]):
                start = model.new_bool_var(f"r{v}_{s}")  # a run of busy slots starts at s
                if (v, s - 1) in y:
                    model.add_bool_or([start, ~y[v, s], y[v, s - 1]])
                    model.add_implication(start, y[v, s])
                    model.add_implication(start, ~y[v, s - 1])
                else:
                    model.add(start == y[v, s])
                mine.append(start)
            least = person_breaks_bound(possible[v], fixed, degree[v]) + 1
            floor += least - 1
            # The objective counts each person's run starts beyond its own bound: with the bound
            # a variable's lower end, CP-SAT's proven bound starts at `floor` instead of climbing
            # there from minus the people one core at a time (measured: proving 2 breaks on F3
            # took 0.7 s instead of 2-4 s).
            excess = model.new_int_var(0, len(mine) - least, f"e{v}")
            model.add(excess == sum(mine) - least)
            starts.append(excess)
        for s in range(S):
            busy = [y[v, s] for v in range(n) if (v, s) in y]
            if busy:
                meetings = model.new_int_var(plan.fixed_count[s], plan.table_cap[s], f"m{s}")
                model.add(sum(busy) == 2 * meetings)
        if PARTNER_CUTS:
            # Whoever is busy in a slot meets someone there: a partner of a meeting allowed in that
            # slot, busy too (published meetings are constants on both sides).
            partners: dict[tuple[int, int], list[int]] = {}
            for k in plan.todo:
                a, b = inst.pair_a[k], inst.pair_b[k]
                for s in _bits(allowed[k]):
                    partners.setdefault((a, s), []).append(b)
                    partners.setdefault((b, s), []).append(a)
            for (v, s), var in y.items():
                if plan.fixed_busy[v] >> s & 1:
                    continue
                model.add(var <= sum(y[q, s] for q in partners.get((v, s), [])))
        if LOCAL_ASSIGN:
            # Each person's own meetings, one to each of its busy slots, each where its partner
            # is busy (the two ends of a meeting may disagree: still a relaxation).
            own: dict[int, list[int]] = {}
            for k in plan.todo:
                own.setdefault(inst.pair_a[k], []).append(k)
                own.setdefault(inst.pair_b[k], []).append(k)
            for v, mine in own.items():
                per_slot: dict[int, list] = {}
                for k in mine:
                    q = inst.pair_b[k] if inst.pair_a[k] == v else inst.pair_a[k]
                    row = []
                    for s in _bits(allowed[k]):
                        u = model.new_bool_var(f"u{v}_{k}_{s}")
                        model.add_implication(u, y[q, s])
                        row.append(u)
                        per_slot.setdefault(s, []).append(u)
                    model.add_exactly_one(row)
                for s, us in per_slot.items():
                    if not plan.fixed_busy[v] >> s & 1:
                        model.add(sum(us) == y[v, s])
        model.minimize(sum(starts) + floor)
        if hint is not None:
            for (v, s), var in y.items():
                if not plan.fixed_busy[v] >> s & 1:
                    model.add_hint(var, bool(hint[v] >> s & 1))
        self.model, self.y, self.n, self.floor = model, y, n, floor

    def solve(self, budget: float) -> None:
        """Solve within `budget` seconds; stop at a solution with the per-person bound's breaks
        (the relaxation can prove no more: on most forums it finds one fast and proves nothing)."""
        from ortools.sat.python import cp_model

        if self.model is None or budget <= 0.05:
            return
        floor = self.floor

        class AtFloor(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                if self.objective_value <= floor + 1e-6:
                    self.stop_search()

        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = budget
        solver.parameters.num_workers = RELAX_WORKERS
        solver.parameters.random_seed = 0
        self.solver = solver
        status = solver.solve(self.model, AtFloor())
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return
        masks = [0] * self.n
        for (v, s), var in self.y.items():
            if solver.value(var):
                masks[v] |= 1 << s
        self.masks = masks
        self.bound = max(0, math.ceil(solver.best_objective_bound - 1e-6))


def relaxed_breaks_bound(
    plan: _Plan, budget: float, hint: list[int] | None = None, masks_out: list[int] | None = None
) -> int:
    """The relaxation's proven bound (see _Relaxation) within `budget` seconds; `masks_out`
    receives its best busy slots, person by person."""
    relaxation = _Relaxation(plan, hint)
    relaxation.solve(budget)
    if masks_out is not None and relaxation.masks is not None:
        masks_out.extend(relaxation.masks)
    return relaxation.bound


def _realise(plan: _Plan, masks: list[int], budget: float) -> str:
    """Put every requested meeting inside the relaxation's busy slots (`masks`, person by person:
    a meeting only in a slot busy for both its people, nobody twice a slot, the tables), when
    CP-SAT finds a way within `budget` seconds: then each person is busy exactly in its mask and
    the schedule has the relaxation's breaks. Taken only when it lowers (breaks, idle slots).
    Returns what happened, for the report."""
    from ortools.sat.python import cp_model

    inst = plan.inst
    model = cp_model.CpModel()
    x: dict[tuple[int, int], object] = {}
    per_person_slot: dict[tuple[int, int], list] = {}
    per_slot: dict[int, list] = {}
    for k in plan.todo:
        a, b = inst.pair_a[k], inst.pair_b[k]
        row = []
        for s in _bits(plan.options[k] & masks[a] & masks[b] & ~plan.fixed_busy[a] & ~plan.fixed_busy[b]):
            var = model.new_bool_var(f"x{k}_{s}")
            x[k, s] = var
            row.append(var)
            per_person_slot.setdefault((a, s), []).append(var)
            per_person_slot.setdefault((b, s), []).append(var)
            per_slot.setdefault(s, []).append(var)
        if not row:
            return "no_slot"
        model.add_exactly_one(row)
    for vars_ in per_person_slot.values():
        if len(vars_) > 1:
            model.add_at_most_one(vars_)
    for s, vars_ in per_slot.items():
        if len(vars_) > plan.table_cap[s] - plan.fixed_count[s]:
            model.add(sum(vars_) <= plan.table_cap[s] - plan.fixed_count[s])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, budget)
    solver.parameters.num_workers = 2
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return solver.status_name(status).lower()
    before = plan.total()
    old = dict(plan.slot_of)
    for k in old:
        plan.remove(k)
    for (k, s), var in x.items():
        if solver.boolean_value(var):
            plan.place(k, s)
    if plan.total() < before:
        return "taken"
    for k in list(plan.slot_of):
        plan.remove(k)
    for k, s in old.items():
        plan.place(k, s)
    return "not_better"


def _union(families: list[int], chosen: int) -> int:
    mask = 0
    for i, family in enumerate(families):
        if chosen >> i & 1:
            mask |= family
    return mask


def _cpsat(plan: _Plan, deadline: float, report: dict, known: int = 0) -> int:
    """Improve `plan` with CP-SAT stage by stage; return the proven lower bound on breaks.
    `known`: a bound already proven for schedules that place every requested meeting."""
    from ortools.sat.python import cp_model

    inst = plan.inst
    S, n = inst.n_slots, inst.n_people
    todo = [k for k in plan.todo]
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    per_person_slot: dict[tuple[int, int], list] = {}
    per_slot: dict[int, list] = {}
    placed = []
    mine: dict[int, list] = {}
    for k in todo:
        a, b = inst.pair_a[k], inst.pair_b[k]
        slots = plan.options[k] & ~plan.fixed_busy[a] & ~plan.fixed_busy[b]
        row = []
        for s in _bits(slots):
            if plan.fixed_count[s] >= plan.table_cap[s]:
                continue
            var = model.new_bool_var(f"x{k}_{s}")
            x[(k, s)] = var
            row.append(var)
            per_person_slot.setdefault((a, s), []).append(var)
            per_person_slot.setdefault((b, s), []).append(var)
            per_slot.setdefault(s, []).append(var)
        if row:
            model.add(sum(row) <= 1)
            placed.append(sum(row))
            mine.setdefault(a, []).extend(row)
            mine.setdefault(b, []).extend(row)
    for vars_ in per_person_slot.values():
        if len(vars_) > 1:
            model.add(sum(vars_) <= 1)
    for s, vars_ in per_slot.items():
        if len(vars_) > plan.table_cap[s] - plan.fixed_count[s]:
            model.add(sum(vars_) <= plan.table_cap[s] - plan.fixed_count[s])
    for v, vars_ in mine.items():
        room = inst.max_meetings[v] - plan.fixed_deg[v]
        if len(vars_) > room:
            model.add(sum(vars_) <= room)

    # Breaks, idle slots and the spread, per person with a variable agenda.
    idle_terms, person_breaks, agendas = [], {}, []
    start_vars, has_terms, start_constants = [], [], 0
    constant_breaks = 0
    for v in range(n):
        fixed = plan.fixed_busy[v]
        if v not in mine:
            if fixed:
                constant_breaks += _runs(fixed) - 1
                idle_terms.append(idle_gaps(fixed))
                person_breaks[v] = (_runs(fixed) - 1, 1)
            continue
        y = []
        for s in range(S):
            if fixed >> s & 1:
                y.append(1)
            else:
                y.append(sum(per_person_slot.get((v, s), [])) if (v, s) in per_person_slot else 0)
        has = 1 if fixed else model.new_bool_var(f"has{v}")
        if not fixed:
            model.add(has <= sum(mine[v]))
        starts = []
        for s in range(S):
            if isinstance(y[s], int) and y[s] == 0:
                continue
            if isinstance(y[s], int):
                if s == 0 or (isinstance(y[s - 1], int) and y[s - 1] == 0):
                    start_constants += 1
                    starts.append(1)
                continue
            r = model.new_bool_var(f"r{v}_{s}")  # a run of meetings starts at s
            model.add(r >= ((y[s] - y[s - 1]) if s > 0 else y[s]))
            starts.append(r)
            start_vars.append(r)
            if not fixed:
                model.add(has >= y[s])
        if not fixed:
            model.add(sum(starts) >= has)  # one run at least when there is a meeting
        br = model.new_int_var(0, S, f"breaks{v}")
        model.add(br == sum(starts) - has)
        person_breaks[v] = (br, has)
        has_terms.append(has)
        agendas.append((v, y, has))

    def idle_expression():
        """Idle slots (built only for stage 3): monotone 'a meeting at or before / after s'."""
        terms = list(idle_terms)
        for v, y, has in agendas:
            before = [model.new_bool_var(f"bf{v}_{s}") for s in range(S)]
            after = [model.new_bool_var(f"af{v}_{s}") for s in range(S)]
            for s in range(S):
                if not (isinstance(y[s], int) and y[s] == 0):
                    model.add(before[s] >= y[s])
                    model.add(after[s] >= y[s])
                if s > 0:
                    model.add(before[s] >= before[s - 1])
                    model.add(after[s - 1] >= after[s])
            terms.append(sum(before) + sum(after) - S * has - sum(y))
        return sum(terms)

    # Breaks as a sum of Booleans (run starts) less the people with a meeting: CP-SAT's core-based
    # search proves lower bounds on such sums.
    total_breaks = sum(start_vars) + start_constants - sum(has_terms) + constant_breaks

    def hint() -> None:
        model.clear_hints()
        for (k, s), var in x.items():
            model.add_hint(var, plan.slot_of.get(k) == s)

    def run(budget: float):
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.05, budget)
        solver.parameters.num_workers = CPSAT_WORKERS
        solver.parameters.random_seed = 0
        status = solver.solve(model)
        return solver, status

    def adopt(solver) -> None:
        for k in list(plan.slot_of):
            plan.remove(k)
        for (k, s), var in x.items():
            if solver.boolean_value(var):
                plan.place(k, s)

    stages = report.setdefault("stages", {})
    good = (cp_model.OPTIMAL, cp_model.FEASIBLE)
    # 1. placed: proven at once when the greedy placed every candidate.
    n_placed = len(plan.slot_of)
    if n_placed < len(placed):
        hint()
        model.maximize(sum(placed))
        solver, status = run((deadline - time.monotonic()) * 0.3)
        stages["placed"] = solver.status_name(status)
        if status in good and solver.objective_value > n_placed:
            adopt(solver)
            n_placed = len(plan.slot_of)
    model.add(sum(placed) >= n_placed)
    all_placed = n_placed == len(plan.todo)
    simple = max(breaks_bound(plan, all_placed), known if all_placed else 0)
    if all_placed:  # every degree is known: the per-person bounds are valid constraints
        if known:
            model.add(total_breaks >= known)
        for v, (br, has) in person_breaks.items():
            if not isinstance(has, int):
                model.add(has == 1)
            if not isinstance(br, int):
                bound = person_breaks_bound(
                    plan.options_union(v) | plan.fixed_busy[v], plan.fixed_busy[v], plan.deg[v]
                )
                if bound:
                    model.add(br >= bound)
    # 2. breaks (not when the bound already meets them).
    current = plan.total()[0]
    if current > simple:
        hint()
        model.minimize(total_breaks)
        solver, status = run((deadline - time.monotonic()) * 0.75)
        stages["breaks"] = solver.status_name(status)
        if status not in good:
            return simple
        bound = max(simple, math.ceil(solver.best_objective_bound - 1e-6))
        if solver.objective_value < current:
            adopt(solver)
    else:
        bound = simple
    breaks_now = plan.total()[0]
    model.add(total_breaks <= breaks_now)
    # 3. idle slots.
    if time.monotonic() < deadline - 0.05:
        total_idle = idle_expression()
        hint()
        model.minimize(total_idle)
        solver, status = run((deadline - time.monotonic()) * 0.6)
        stages["idle_gaps"] = solver.status_name(status)
        if status in good and solver.objective_value < plan.total()[1]:
            adopt(solver)
        model.add(total_idle <= plan.total()[1])
    # 4. spread.
    if time.monotonic() < deadline - 0.05 and person_breaks:
        hint()
        high = model.new_int_var(0, S, "max_breaks")
        low = model.new_int_var(0, S, "min_breaks")
        for br, has in person_breaks.values():
            model.add(high >= br)
            model.add(low <= br + S * (1 - has))
        model.minimize(high - low)
        solver, status = run(deadline - time.monotonic())
        stages["spread"] = solver.status_name(status)
        now = break_stats(plan.busy)
        if status in good and solver.objective_value < now["max_breaks"] - now["min_breaks"]:
            adopt(solver)
    return min(bound, breaks_now)


def compile_annealing() -> float:
    """Compile the annealing loop (anneal.py) by running it on a three-person forum; return the
    seconds it took. numba keeps the machine code on disk beside the module, so this costs
    about 4 s once after an install or a change of anneal.py and a fraction of a second after;
    the worker calls it before it forks and `make install` after installing, so that no
    forum's time limit pays for the compiler."""
    began = time.perf_counter()
    ids = ("w1", "w2", "w3")
    slots = [
        {"id": s, "start": f"2026-01-05T{8 + s:02}:00:00+07:00", "end": f"2026-01-05T{8 + s:02}:20:00+07:00"}
        for s in range(3)
    ]
    pairs = [{"a": "w1", "b": other} for other in ids[1:]]
    plan = _Plan(
        read_instance(
            {
                "format": INSTANCE_FORMAT,
                "session": {"timezone": "Asia/Ho_Chi_Minh", "slots": slots},
                "participants": [{"id": v, "max_meetings": 2} for v in ids],
                "pairs": [{**pair, "score": 1.0} for pair in pairs],
                "requests": [{**pair, "kind": "must"} for pair in pairs],
            }
        )
    )
    first, second = plan.todo
    plan.place(first, 0)
    plan.place(second, 2)  # w1 has a break: the loop has something to do
    plan.anneal(time.monotonic() + 60.0, seed=0)
    return time.perf_counter() - began


def solve_forum(
    instance: dict | str | bytes | ForumInstance,
    *,
    time_limit: float | None = None,
    method: str = "auto",
    report: dict | None = None,
    started: float | None = None,
    seed: int = 0,
) -> dict:
    """Schedule a forum; return the schedule dict of the spec.

    `method`: "auto" (CP-SAT when the model has at most CPSAT_MAX_VARS meeting×slot variables,
    else the heuristic), "cpsat", "heuristic", "constructive" (step 1 alone) or "greedy" (first
    fit in request order, no repair: the baseline). `time_limit` (seconds, default
    DEFAULT_TIME_LIMIT) bounds the whole run; `report`, when given, receives figures on the run.
    """
    started = time.perf_counter() if started is None else started
    inst = instance if isinstance(instance, ForumInstance) else read_instance(instance)
    if not isinstance(inst, ForumInstance):
        raise TypeError("solve_forum takes an any-to-any instance (participants)")
    limit = DEFAULT_TIME_LIMIT if time_limit is None else time_limit
    deadline = time.monotonic() + max(0.0, limit - (time.perf_counter() - started))
    report = {} if report is None else report
    plan = _Plan(inst)
    size = sum(plan.options[k].bit_count() for k in plan.todo)
    if method == "auto":
        method = "cpsat" if size <= CPSAT_MAX_VARS else "heuristic"
    report["model_vars"] = size
    if method == "greedy":
        plan.greedy(compact=False)
    elif method == "constructive":  # step 1 alone: the break-aware greedy with repair
        plan.greedy()
    else:
        left = plan.greedy()
        report["greedy_breaks"] = plan.total()[0]
        share = HEURISTIC_SHARE if method == "cpsat" else 0.97
        until = time.monotonic() + share * (deadline - time.monotonic())
        report["moves"] = plan.anneal(until, seed)
        plan.improve(until, seed)
        for k in left:  # a second chance after the moves
            free = plan.free_slots(k)
            if free:
                plan.place(k, plan.best_slot(k, free)[1])
            else:
                plan.repair(k)
        report["heuristic_breaks"] = plan.total()[0]
    all_placed = len(plan.slot_of) == len(plan.todo)
    bound = breaks_bound(plan, all_placed)
    if method == "cpsat" and all_placed and plan.total()[0] > bound:
        # Run after the annealing, not beside it: on two cores a thread of CP-SAT halves the
        # annealing's moves and costs more breaks than the bound proves.
        relaxation = _Relaxation(plan, hint=list(plan.busy))  # its time counted, then its budget
        relaxation.solve(min(RELAX_CAP, RELAX_SHARE * (deadline - time.monotonic())))
        report["relaxed_bound"] = relaxation.bound
        bound = max(bound, relaxation.bound)
        masks = relaxation.masks
        if REALISE and masks is not None and sum(_runs(m) - 1 for m in masks if m) < plan.total()[0]:
            report["realised"] = _realise(plan, masks, min(REALISE_CAP, deadline - time.monotonic()))
    if method == "cpsat" and all_placed and plan.total()[0] > bound and size > REHEAT_VARS:
        # Beyond tiny forums the full model seldom lowers the annealed breaks within seconds
        # (it often finds no solution at all): a second annealing from the best schedule,
        # started hot enough to leave the first one's valley, does better with most of that time.
        until = time.monotonic() + REHEAT_SHARE * (deadline - time.monotonic())
        report["moves_again"] = plan.anneal(until, seed + 1, REHEAT_TEMPERATURE)
        plan.improve(until, seed + 1)
        report["reheat_breaks"] = plan.total()[0]
    done = all_placed and plan.total() == (bound, 0)  # nothing left to improve or to prove
    if method == "cpsat" and plan.todo and not done and deadline - time.monotonic() > 0.3:
        bound = _cpsat(plan, deadline, report, bound if all_placed else 0)
    report["method"] = method
    return _schedule(plan, bound, method, time.perf_counter() - started)


def _schedule(plan: _Plan, bound: int, method: str, elapsed: float) -> dict:
    inst = plan.inst
    ids = inst.person_ids
    tables = plan.tables()
    slot = {**plan.fixed_slot, **plan.slot_of}
    raw_pairs = inst.raw.get("pairs", [])
    published = {k: inst.raw["fixed"][i] for i, (k, _s, _t) in enumerate(inst.fixed)}
    meetings = []
    for k in sorted(slot, key=lambda e: (slot[e], tables[e])):
        raw = published.get(k) or raw_pairs[k]  # as the organiser wrote it
        meetings.append(
            {
                "a": raw["a"],
                "b": raw["b"],
                "slot": inst.slot_ids[slot[k]],
                "table": tables[k],
                "score": inst.pair_score[k],
            }
        )
    unscheduled = [
        {"a": ids[key[0]], "b": ids[key[1]], "code": code, "reason": reason}
        for key, code, reason in plan.rejected
    ]
    for k in plan.todo:
        if k not in plan.slot_of:
            code, reason = plan.reason(k)
            unscheduled.append(
                {"a": ids[inst.pair_a[k]], "b": ids[inst.pair_b[k]], "code": code, "reason": reason}
            )
    objective = math.fsum(inst.pair_score[k] for k in slot)
    upper = math.fsum(inst.pair_score[k] for k in [*plan.fixed_slot, *plan.todo])
    degrees = [m.bit_count() for m in plan.busy]
    max_degree = max(degrees, default=0)
    n = len(meetings)
    lower = max(max_degree, math.ceil(n / inst.tables)) if inst.tables else max_degree
    figures = break_stats(plan.busy)
    stats = {
        "objective": round(objective, 6),
        "upper_bound": round(max(upper, objective), 6),
        "meetings": n,
        "slots_used": sum(1 for c in plan.count if c),
        "max_degree": max_degree,
        "lower_bound_slots": lower,
        "idle_gaps": sum(idle_gaps(m) for m in plan.busy),
        **figures,
        "breaks_lower_bound": min(bound, figures["breaks"]),
        "requested": len(inst.must),
        "method": method,
        "optimal": bound >= figures["breaks"],
        "runtime_s": round(elapsed, 3),
    }
    return {"format": SCHEDULE_FORMAT, "meetings": meetings, "unscheduled": unscheduled, "stats": stats}
