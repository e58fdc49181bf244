"""Figures kept for a short while, so that reading a dashboard again costs no aggregation.

At national size (11,000 participants, 24,000 meetings) an event dashboard's GROUP BY
statements take PostgreSQL about 0.2 s and the page 0.27 s in all on a quiet machine
(benchmarks/reports_bench.py), near the 0.3 s a page may cost, and more when the machine is
busy. The figures of a fair change by the minute, not by the second, so
each process keeps what it computed for `REPORTS_CACHE_SECONDS` (60 by default; 0 turns the
cache off, as the tests do) and the page says when its figures were computed, with a link to
compute them again now (`?fresh=1`).

- The key names everything the result depends on: the kind of report, the event (or the
  acting user, whose events the programme page counts), the filters, the page and the
  language. Permission is checked before the cache is read, never cached.
- An organiser's action on an event (app.signals.organiser_action: approvals, booth
  allocation, payments, matching runs, check-ins, imports...) drops that event's entries at
  once in this process; other processes see the change within the minute. Exports and
  downloads, which change no figure, keep them.
- At most `SIZE` entries are kept, the least recently used dropped first.

The cache is per process (the embedded server has one; gunicorn workers each keep their own):
it needs no server and holds only figures already shown to an organiser of the event.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app

from app import clock, signals

T = TypeVar("T")
SIZE = 256

_entries: OrderedDict[Hashable, tuple[float, datetime, Any]] = OrderedDict()
_lock = threading.Lock()


def cached(key: tuple, compute: Callable[[], T], *, fresh: bool = False) -> tuple[T, datetime]:
    """`compute()`'s result and the moment it was computed: from the cache when it holds one
    younger than REPORTS_CACHE_SECONDS (and `fresh` is false), else computed now and kept."""
    ttl = current_app.config.get("REPORTS_CACHE_SECONDS", 60)
    now = time.monotonic()
    if ttl > 0 and not fresh:
        with _lock:
            found = _entries.get(key)
            if found is not None and now - found[0] < ttl:
                _entries.move_to_end(key)
                return found[2], found[1]
    value = compute()
    computed_at = clock.now()
    if ttl > 0:
        with _lock:
            _entries[key] = (now, computed_at, value)
            _entries.move_to_end(key)
            while len(_entries) > SIZE:
                _entries.popitem(last=False)
    return value, computed_at


def forget_event(event_id: int | None) -> None:
    """Drop every entry about `event_id` (keys whose second item is the event's id)."""
    if event_id is None:
        return
    with _lock:
        for key in [key for key in _entries if len(key) > 1 and key[0] == "event" and key[1] == event_id]:
            del _entries[key]


def clear() -> None:
    with _lock:
        _entries.clear()


#: Organiser actions that only read (codes of app.eventlog.services.ACTIONS): the figures stay.
READ_ONLY_ACTIONS = frozenset({"export", "dashboard_downloaded", "programme_downloaded"})


@signals.organiser_action.connect
def _on_organiser_action(actor, **kw) -> None:
    if kw.get("action") not in READ_ONLY_ACTIONS:
        forget_event(kw.get("event_id"))
