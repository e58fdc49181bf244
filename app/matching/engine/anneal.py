"""The forum scheduler's annealing loop, compiled (numba): step 2 of forum.py.

Pure: numpy arrays in, the same arrays changed in place, no Flask, no database. `forum._Plan.anneal`
turns its schedule into the arrays below (an `AnnealArrays`), calls `anneal_chunk` for ANNEAL_CHUNK
(20,000) moves at a time (it watches the clock between calls: compiled code has none) and reads
the best schedule back. The move is forum.py's: a Kempe chain between two slots s1 and s2 of a
meeting, judged on breaks · weight + idle slots, accepted by the Metropolis rule. Compiled, it
tries about 30 times as many moves a second as the same loop in Python did (3.5–4.6 million
against about 135,000 on the benchmark's forums).

Arrays, for M movable (requested, placed) meetings, n people and S slots:
  pa, pb      the two people of each meeting (int32[M])
  opt         opt[m, s] is true when meeting m may go to slot s (bool[M, S])
  opt_list    the allowed slots of each meeting, opt_n of them (int32[M, S], int32[M])
  slot        each meeting's slot (int32[M]), best: the best schedule seen
  at          at[v, s]: v's meeting in slot s, -1 none, -2 a published meeting (int32[n, S])
  count, cap  meetings in each slot and the tables (int32[S])
  pbreaks, pidle  each person's breaks and idle slots (int32[n])
  hot         the meetings of people with a break or an idle slot, rebuilt every `refresh` moves
  state       the loop's figures, carried from one call to the next (int64[6], see anneal_chunk)
The cost of a person with busy slots first..last in r runs: (r - 1) · weight + idle slots.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

MAX_CHAIN = 40  # meetings in a Kempe chain at most (a longer one is not tried)


class AnnealArrays(NamedTuple):
    """The arrays above, in anneal_chunk's order (`anneal_chunk(*board, moves, ...)`)."""

    pa: np.ndarray
    pb: np.ndarray
    opt: np.ndarray
    opt_list: np.ndarray
    opt_n: np.ndarray
    slot: np.ndarray
    best: np.ndarray
    at: np.ndarray
    count: np.ndarray
    cap: np.ndarray
    pbreaks: np.ndarray
    pidle: np.ndarray
    hot: np.ndarray
    state: np.ndarray


@njit(cache=True)
def seed_rng(seed):
    np.random.seed(seed)


@njit(cache=True)
def person_figures(at, v, s1, s2):
    """(breaks, idle slots) of person v, with its slots s1 and s2 flipped when s1 >= 0."""
    runs = 0
    first = -1
    last = -1
    busy = 0
    before = False
    for s in range(at.shape[1]):
        here = at[v, s] != -1
        if s in (s1, s2):
            here = not here
        if here:
            if not before:
                runs += 1
            if first < 0:
                first = s
            last = s
            busy += 1
        before = here
    if busy == 0:
        return 0, 0
    return runs - 1, last - first + 1 - busy


@njit(cache=True)
def anneal_chunk(
    pa,
    pb,
    opt,
    opt_list,
    opt_n,
    slot,
    best,
    at,
    count,
    cap,
    pbreaks,
    pidle,
    hot,
    state,
    moves,
    weight,
    true_weight,
    temp_from,
    temp_to,
    focus,
    refresh,
    late,
):
    """Try `moves` moves, the temperature going geometrically from temp_from to temp_to.

    state (int64[6]): current cost on `weight`, breaks, best true cost, hot meetings,
    move stamp, moves since the hot list was built (start it at `refresh` or more: the list is
    built first); updated in place. When `late` (the second half of the run: early on, the
    schedule changes too often to be worth a copy), or at a schedule with no break and no idle
    slot, a schedule better on the true weight than `best` is copied there.
    Returns the moves tried."""
    m_count = pa.shape[0]
    n = at.shape[0]
    current = state[0]
    n_breaks = state[1]
    best_true = state[2]
    n_hot = state[3]
    stamp = state[4]
    since = state[5]
    chain = np.empty(MAX_CHAIN, np.int32)
    touched = np.empty(2 * MAX_CHAIN, np.int32)
    new_b = np.empty(2 * MAX_CHAIN, np.int32)
    new_i = np.empty(2 * MAX_CHAIN, np.int32)
    seen = np.zeros(m_count, np.int64)
    tstamp = np.zeros(n, np.int64)
    tcount = np.zeros(n, np.int32)
    ratio = temp_to / temp_from
    temperature = temp_from
    tried = 0
    while tried < moves and best_true > 0:
        if tried % 256 == 0:
            temperature = temp_from * ratio ** (tried / moves)
        if since >= refresh:
            n_hot = 0
            for e in range(m_count):
                if pbreaks[pa[e]] or pidle[pa[e]] or pbreaks[pb[e]] or pidle[pb[e]]:
                    hot[n_hot] = e
                    n_hot += 1
            since = 0
        since += 1
        tried += 1
        stamp += 1
        if n_hot > 0 and np.random.random() < focus:
            k = hot[np.random.randint(n_hot)]
        else:
            k = np.random.randint(m_count)
        s1 = slot[k]
        n_opt = opt_n[k]
        if n_opt < 2:
            continue
        pick = np.random.randint(n_opt - 1)
        s2 = opt_list[k, pick]
        if s2 == s1:
            s2 = opt_list[k, n_opt - 1]
        # The chain.
        chain[0] = k
        seen[k] = stamp
        length = 1
        i = 0
        ok = True
        while i < length and ok:
            e = chain[i]
            i += 1
            other = s2 if slot[e] == s1 else s1
            if not opt[e, other]:
                ok = False
                break
            for side in range(2):
                v = pa[e] if side == 0 else pb[e]
                f = at[v, other]
                if f == -1 or (f >= 0 and seen[f] == stamp):
                    continue
                if f == -2 or length >= MAX_CHAIN:  # a published meeting, or too long
                    ok = False
                    break
                seen[f] = stamp
                chain[length] = f
                length += 1
        if not ok:
            continue
        moving_out = 0
        for j in range(length):
            if slot[chain[j]] == s1:
                moving_out += 1
        moving_in = length - moving_out
        if count[s2] + moving_out - moving_in > cap[s2] or count[s1] + moving_in - moving_out > cap[s1]:
            continue
        n_touched = 0
        for j in range(length):
            e = chain[j]
            for side in range(2):
                v = pa[e] if side == 0 else pb[e]
                if tstamp[v] != stamp:
                    tstamp[v] = stamp
                    tcount[v] = 0
                    touched[n_touched] = v
                    n_touched += 1
                tcount[v] += 1
        delta = 0
        for j in range(n_touched):
            v = touched[j]
            if tcount[v] == 1:  # busy in both slots after the move as before: unchanged
                b, idle = person_figures(at, v, s1, s2)
                new_b[j] = b
                new_i[j] = idle
                delta += (b - pbreaks[v]) * weight + idle - pidle[v]
        if delta > 0 and np.random.random() >= np.exp(-delta / temperature):
            continue
        for j in range(length):
            e = chain[j]
            at[pa[e], slot[e]] = -1
            at[pb[e], slot[e]] = -1
        for j in range(length):
            e = chain[j]
            s = s2 if slot[e] == s1 else s1
            slot[e] = s
            at[pa[e], s] = e
            at[pb[e], s] = e
        count[s1] += moving_in - moving_out
        count[s2] += moving_out - moving_in
        for j in range(n_touched):
            v = touched[j]
            if tcount[v] == 1:
                n_breaks += new_b[j] - pbreaks[v]
                pbreaks[v] = new_b[j]
                pidle[v] = new_i[j]
        current += delta
        true = current + n_breaks * (true_weight - weight)
        if true < best_true and (late or true == 0):
            best_true = true
            best[:] = slot
    state[0] = current
    state[1] = n_breaks
    state[2] = best_true
    state[3] = n_hot
    state[4] = stamp
    state[5] = since
    return tried
