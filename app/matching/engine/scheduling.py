"""Scheduling: chosen meetings into slots and tables.

A slot assignment is a proper edge colouring of the bipartite meeting graph
(colours = slots): each person one meeting a slot, each meeting in a slot
both people can attend, at most `tables` meetings a slot, fixed meetings
where they are.

1. Colouring. Meetings are inserted one at a time (must-meet requests first,
   then the ones with the fewest common free slots). A meeting goes to a
   slot where both people are free, preferring slots that keep each
   person's agenda compact, then the least loaded slot, then the earliest,
   inside a window of the first `lower_bound_slots` slots. When the two
   people have no common free slot, an alternating (Kempe) path is flipped:
   with alpha free at the buyer and beta free at the producer, the
   alpha/beta path from the producer is recoloured beta/alpha, which frees
   alpha at the producer (the path never reaches the buyer in a bipartite
   graph). Without availability limits this always succeeds (König's
   theorem), so max degree Δ colours suffice. Each insertion costs O(S) for
   the direct choice, O(S^2 · path length) in the worst case for the path.
2. Balancing tables. While a slot holds more meetings than tables, a
   meeting is moved to a slot with a free table, or an alpha/beta component
   with more meetings in the full slot is flipped (this is the classical
   proof that a bipartite graph has an equitable edge colouring with any
   k >= Δ colours, each class of size <= ceil(m / k)). So without
   availability limits every meeting is placed exactly when Δ <= slots and
   meetings <= slots × tables, in max(Δ, ceil(meetings / tables)) slots.
3. With availability limits (list edge colouring, NP-hard in general) a
   meeting that still has no place is handed back (`failed`), and the
   solver re-selects with what is left.
4. Compacting. Alpha/beta path flips (a single move is a path of length
   one) that lower the idle gaps of the two people at the path's ends (the
   only agendas a flip changes) are applied; when the tables are full, two
   paths moving opposite ways are flipped together. A fixed work budget
   (path steps per meeting) keeps the time bounded and the result
   deterministic.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

MAX_PATH = 10_000
MAX_KEMPE_TRIES = 12
MAX_COMPACT_PATH = 24
COMPACT_STEPS_PER_MEETING = 8
COMPENSATION_TRIES = 8


def bits(mask: int):
    """The set bit positions of `mask`, lowest first."""
    while mask:
        low = mask & -mask
        yield low.bit_length() - 1
        mask ^= low


def idle_gaps(busy: int) -> int:
    """Free slots between a person's first and last meeting."""
    if not busy:
        return 0
    low = (busy & -busy).bit_length() - 1
    return busy.bit_length() - low - busy.bit_count()


def breaks(busy: int) -> int:
    """Idle periods (maximal runs of free slots) between a person's first and last meeting."""
    if not busy:
        return 0
    return (busy & ~(busy << 1)).bit_count() - 1


def break_stats(masks) -> dict[str, int]:
    """`breaks` summed, and `max_breaks` / `min_breaks` over the people with a meeting."""
    counts = [breaks(m) for m in masks if m]
    return {
        "breaks": sum(counts),
        "max_breaks": max(counts, default=0),
        "min_breaks": min(counts, default=0),
    }


@dataclass
class Board:
    """Who meets whom in which slot; the scheduler's working state."""

    n_slots: int
    tables: int | None
    available: list[int]
    pair_buyer: list[int]
    pair_producer: list[int]
    busy: list[int] = field(init=False)
    at: list[list[int]] = field(init=False)
    slot_of: dict[int, int] = field(init=False, default_factory=dict)
    count: list[int] = field(init=False)
    fixed: set[int] = field(init=False, default_factory=set)
    fixed_table: dict[int, int] = field(init=False, default_factory=dict)

    def __post_init__(self):
        n = len(self.available)
        self.busy = [0] * n
        self.at = [[-1] * self.n_slots for _ in range(n)]
        self.count = [0] * self.n_slots
        self.in_slot: list[dict[int, None]] = [{} for _ in range(self.n_slots)]  # ordered sets
        self.all = (1 << self.n_slots) - 1
        self.capacity = self.tables if self.tables is not None else 1 << 60

    # -- primitive moves -------------------------------------------------
    def place(self, e: int, s: int) -> None:
        b, p = self.pair_buyer[e], self.pair_producer[e]
        bit = 1 << s
        self.busy[b] |= bit
        self.busy[p] |= bit
        self.at[b][s] = e
        self.at[p][s] = e
        self.slot_of[e] = s
        self.count[s] += 1
        self.in_slot[s][e] = None

    def remove(self, e: int) -> int:
        s = self.slot_of.pop(e)
        b, p = self.pair_buyer[e], self.pair_producer[e]
        mask = ~(1 << s)
        self.busy[b] &= mask
        self.busy[p] &= mask
        self.at[b][s] = -1
        self.at[p][s] = -1
        self.count[s] -= 1
        del self.in_slot[s][e]
        return s

    def place_fixed(self, e: int, s: int, table: int) -> None:
        self.place(e, s)
        self.fixed.add(e)
        self.fixed_table[e] = table

    # -- queries ----------------------------------------------------------
    def allowed(self, e: int) -> int:
        return self.available[self.pair_buyer[e]] & self.available[self.pair_producer[e]]

    def free_common(self, e: int) -> int:
        b, p = self.pair_buyer[e], self.pair_producer[e]
        return self.available[b] & self.available[p] & ~self.busy[b] & ~self.busy[p]

    def open_slots(self) -> int:
        mask = 0
        for s, c in enumerate(self.count):
            if c < self.capacity:
                mask |= 1 << s
        return mask

    def degree(self, v: int) -> int:
        return self.busy[v].bit_count()

    def total_idle_gaps(self) -> int:
        return sum(idle_gaps(b) for b in self.busy)


class Scheduler:
    """Places meetings on a `Board`; see the module docstring."""

    def __init__(self, board: Board, window: int | None = None, deadline: float | None = None):
        self.board = board
        self.window = board.all if window is None else window
        self.deadline = deadline

    def _time_left(self) -> bool:
        return self.deadline is None or time.monotonic() < self.deadline

    def choose_slot(self, candidates: int, b: int, p: int) -> int:
        """Best slot among `candidates`: a free table, fewest new idle gaps, least loaded, earliest."""
        board = self.board
        busy_b, busy_p = board.busy[b], board.busy[p]
        capacity = board.capacity
        count = board.count
        if busy_b:
            lo_b, hi_b = (busy_b & -busy_b).bit_length() - 1, busy_b.bit_length() - 1
        if busy_p:
            lo_p, hi_p = (busy_p & -busy_p).bit_length() - 1, busy_p.bit_length() - 1
        best_key = -1
        best = -1
        while candidates:
            low = candidates & -candidates
            candidates ^= low
            s = low.bit_length() - 1
            cost = 64
            if busy_b:
                cost += lo_b - s - 1 if s < lo_b else (s - hi_b - 1 if s > hi_b else -1)
            if busy_p:
                cost += lo_p - s - 1 if s < lo_p else (s - hi_p - 1 if s > hi_p else -1)
            c = count[s]
            key = ((cost << 1 | (c >= capacity)) << 40) | (c << 8) | s
            if best < 0 or key < best_key:
                best_key, best = key, s
        return best

    def insert(self, e: int) -> bool:
        """Place meeting e, recolouring an alternating path if needed; False when it can't.

        Inside the window first (directly, then by a path), and only then
        elsewhere: that keeps the colouring to the window's slots whenever
        König's theorem says it fits.
        """
        board = self.board
        b, p = board.pair_buyer[e], board.pair_producer[e]
        common = board.free_common(e)
        allowed = board.allowed(e)
        regions = (self.window, board.all) if self.window != board.all else (board.all,)
        for region in regions:
            candidates = common & region
            if candidates:
                board.place(e, self.choose_slot(candidates, b, p))
                return True
            free_b = allowed & ~board.busy[b] & region
            free_p = allowed & ~board.busy[p] & region
            tries = 0
            for alpha in bits(free_b):
                for beta in bits(free_p):
                    if self._flip_and_place(e, alpha, beta):
                        return True
                    tries += 1
                    if tries >= MAX_KEMPE_TRIES:
                        break
                if tries >= MAX_KEMPE_TRIES:
                    break
        return False

    def _flip_and_place(self, e: int, alpha: int, beta: int) -> bool:
        """Recolour the alpha/beta path from e's producer, then put e in alpha."""
        board = self.board
        b, p = board.pair_buyer[e], board.pair_producer[e]
        path = []
        v, colour, other = p, alpha, beta
        while True:
            f = board.at[v][colour]
            if f < 0:
                break
            if f in board.fixed or len(path) >= MAX_PATH:
                return False
            path.append(f)
            fb, fp = board.pair_buyer[f], board.pair_producer[f]
            v = fb if v == fp else fp
            colour, other = other, colour
        if v == b:  # pragma: no cover - impossible in a bipartite graph
            return False
        new_colour = {}
        for f in path:
            s = board.slot_of[f]
            t = beta if s == alpha else alpha
            if not board.allowed(f) >> t & 1:
                return False
            new_colour[f] = t
        for f in path:
            board.remove(f)
        for f in path:
            board.place(f, new_colour[f])
        board.place(e, alpha)
        return True

    # -- tables ---------------------------------------------------------------
    def component(self, e: int, alpha: int, beta: int) -> list[int]:
        """The alpha/beta alternating path or cycle through meeting e (in alpha or beta)."""
        return self.chain(e, alpha, beta, MAX_PATH)[0]

    def _try_flip(self, members: list[int], alpha: int, beta: int) -> bool:
        board = self.board
        moves = {}
        for f in members:
            if f in board.fixed:
                return False
            t = beta if board.slot_of[f] == alpha else alpha
            if not board.allowed(f) >> t & 1:
                return False
            moves[f] = t
        for f in members:
            board.remove(f)
        for f, t in moves.items():
            board.place(f, t)
        return True

    def move_out(self, e: int, avoid: int) -> bool:
        """Move meeting e out of its slot into one with a free table (directly or by a flip)."""
        board = self.board
        alpha = board.slot_of[e]
        b, p = board.pair_buyer[e], board.pair_producer[e]
        regions = (self.window, board.all) if self.window != board.all else (board.all,)
        for region in regions:
            open_mask = board.open_slots() & ~(1 << alpha) & ~avoid & region
            direct = board.free_common(e) & open_mask
            if direct:
                board.remove(e)
                board.place(e, self.choose_slot(direct, b, p))
                return True
            for beta in bits(open_mask & board.allowed(e)):
                members = self.component(e, alpha, beta)
                if not members:
                    continue
                in_alpha = sum(1 for f in members if board.slot_of[f] == alpha)
                if 2 * in_alpha - len(members) <= 0:
                    continue  # flipping would not lower alpha's count
                if board.count[beta] + 2 * in_alpha - len(members) > board.capacity:
                    continue
                if self._try_flip(members, alpha, beta):
                    return True
        return False

    def balance_tables(self, protected: set[int], score: list[float]) -> list[int]:
        """Bring every slot down to `tables` meetings; return the meetings that had to go."""
        board = self.board
        dropped: list[int] = []
        if board.tables is None:
            return dropped
        for alpha in range(board.n_slots):
            if board.count[alpha] <= board.capacity:
                continue
            progress = True
            while progress and board.count[alpha] > board.capacity:
                progress = False
                meetings = sorted(
                    (f for f in self.meetings_in(alpha) if f not in board.fixed), key=score.__getitem__
                )
                for f in meetings:
                    if board.count[alpha] <= board.capacity:
                        break
                    if board.slot_of.get(f) == alpha and self.move_out(f, 0):
                        progress = True
            if board.count[alpha] > board.capacity:
                # Last resort: drop the lowest-score meetings that nobody asked for.
                meetings = sorted(
                    (f for f in self.meetings_in(alpha) if f not in board.fixed),
                    key=lambda f: (f in protected, score[f]),
                )
                for f in meetings:
                    if board.count[alpha] <= board.capacity:
                        break
                    board.remove(f)
                    dropped.append(f)
        return dropped

    def meetings_in(self, s: int) -> list[int]:
        return list(self.board.in_slot[s])

    # -- compactness --------------------------------------------------------------
    def chain(
        self, e: int, alpha: int, beta: int, limit: int = MAX_COMPACT_PATH
    ) -> tuple[list[int], list[int]]:
        """The alpha/beta path or cycle through meeting e, and its end people (none for a cycle)."""
        board = self.board
        members = [e]
        inside = {e}
        ends = []
        for start in (board.pair_buyer[e], board.pair_producer[e]):
            v = start
            colour = beta if board.slot_of[e] == alpha else alpha
            while True:
                f = board.at[v][colour]
                if f < 0:
                    ends.append(v)
                    break
                if f in inside:
                    break
                inside.add(f)
                members.append(f)
                fb, fp = board.pair_buyer[f], board.pair_producer[f]
                v = fb if v == fp else fp
                colour = beta if colour == alpha else alpha
                if len(members) > limit:
                    return [], []
        return members, ends

    def compact(self, rounds: int = 3, budget: int | None = None) -> None:
        """Close idle gaps: recolour alpha/beta paths whose end people gain compactness.

        Flipping an alpha/beta path changes the agendas of its two end people
        only (everyone inside keeps one meeting in alpha and one in beta), so
        a flip is taken when it lowers their idle gaps, keeps every meeting
        inside both people's availability, leaves fixed meetings alone and
        fits the tables. A single move is the path of length one. When the
        tables are full, a second path moving the other way is flipped with
        it. `budget` caps the path steps walked (deterministic work limit).
        """
        board = self.board
        busy = board.busy
        self.steps_left = (
            budget if budget is not None else COMPACT_STEPS_PER_MEETING * len(board.slot_of) + 50_000
        )
        # Plain flips first (cheap), then flips paired across full tables.
        for compensate in (False, True):
            self.compensate = compensate
            for _ in range(rounds):
                improved = 0
                for v in [v for v in range(len(busy)) if idle_gaps(busy[v])]:
                    if not self._time_left() or self.steps_left <= 0:
                        return
                    for _attempt in range(4):
                        if not idle_gaps(busy[v]) or not self._close_one_gap(v):
                            break
                        improved += 1
                if not improved:
                    break

    def _gain(self, ends: list[int], flip: int) -> int:
        busy = self.board.busy
        x, y = busy[ends[0]], busy[ends[1]]
        return idle_gaps(x ^ flip) + idle_gaps(y ^ flip) - idle_gaps(x) - idle_gaps(y)

    def _movable(self, members: list[int], s: int, g: int) -> bool:
        board = self.board
        for f in members:
            if f in board.fixed:
                return False
            t = g if board.slot_of[f] == s else s
            if not board.allowed(f) >> t & 1:
                return False
        return True

    def _close_one_gap(self, v: int) -> bool:
        board = self.board
        busy = board.busy
        mask = busy[v]
        lo, hi = (mask & -mask).bit_length() - 1, mask.bit_length() - 1
        span = ((1 << (hi + 1)) - 1) ^ ((1 << lo) - 1)
        holes = span & ~mask & board.available[v]
        for s in (lo, hi):
            f = board.at[v][s]
            if f in board.fixed:
                continue
            for g in sorted(bits(holes), key=lambda g: abs(g - s)):
                members, ends = self.chain(f, s, g)
                self.steps_left -= len(members) + 1
                if not members or len(ends) != 2:
                    continue
                flip = (1 << s) | (1 << g)
                delta = self._gain(ends, flip)
                if delta >= 0 or not self._movable(members, s, g):
                    continue
                in_s = sum(1 for m in members if board.slot_of[m] == s)
                shift = 2 * in_s - len(members)  # meetings moving from s to g, net
                if board.count[g] + shift <= board.capacity and board.count[s] - shift <= board.capacity:
                    self._try_flip(members, s, g)
                    return True
                partner = self._compensating_chain(members, s, g, shift, delta) if self.compensate else []
                if partner:
                    self._try_flip(members, s, g)
                    self._try_flip(partner, s, g)
                    return True
        return False

    def _compensating_chain(self, members: list[int], s: int, g: int, shift: int, delta: int) -> list[int]:
        """Another s/g path moving `shift` meetings back, that keeps the total gain positive."""
        board = self.board
        source = g if shift > 0 else s
        taken = set(members)
        flip = (1 << s) | (1 << g)
        tried = 0
        for f in board.in_slot[source]:
            if tried >= COMPENSATION_TRIES:
                break
            if f in taken or f in board.fixed:
                continue
            tried += 1
            other, ends = self.chain(f, s, g)
            self.steps_left -= len(other) + 1
            if not other or len(ends) != 2 or taken.intersection(other):
                continue
            in_s = sum(1 for m in other if board.slot_of[m] == s)
            if 2 * in_s - len(other) != -shift:
                continue
            if delta + self._gain(ends, flip) < 0 and self._movable(other, s, g):
                return other
        return []


def assign_tables(board: Board) -> dict[int, int]:
    """Table per meeting: fixed meetings keep theirs, the others take the lowest free numbers."""
    by_slot: dict[int, list[int]] = {}
    for e, s in board.slot_of.items():
        by_slot.setdefault(s, []).append(e)
    table_of: dict[int, int] = {}
    for _s, meetings in by_slot.items():
        taken = {board.fixed_table[e] for e in meetings if e in board.fixed}
        next_table = 0
        for e in sorted(meetings):
            if e in board.fixed:
                table_of[e] = board.fixed_table[e]
                continue
            while next_table in taken:
                next_table += 1
            table_of[e] = next_table
            next_table += 1
    return table_of
