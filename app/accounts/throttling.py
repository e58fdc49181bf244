"""Failed logins per e-mail address: growing delays, then a temporary lock.

Counted for the e-mail typed, whether or not an account has it, so the answers never tell
which addresses have accounts. From the `LOGIN_DELAY_AFTER`-th failure on, the next attempt
must wait `LOGIN_DELAY_SECONDS`, doubled at each further failure; the `LOGIN_LOCK_AFTER`-th
failure locks the address out for `LOGIN_LOCK_SECONDS`, whoever tries and from wherever.
Failures are forgotten `LOGIN_FAILURE_WINDOW` seconds after the first, and at a successful
login. The counters live in the rate limiter's storage (Redis in production, shared by every
web process), under a digest of the address; the storage's clock is `time.time()`.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from flask import current_app

from app.extensions import limiter


@dataclass(frozen=True)
class Refusal:
    """An attempt refused before the password is looked at: `locked` (else a delay), for `seconds` more."""

    locked: bool
    seconds: float


def _keys(email: str) -> tuple[str, str, str]:
    digest = hashlib.sha256(email.encode()).hexdigest()
    return f"login-failures/{digest}", f"login-wait/{digest}", f"login-lock/{digest}"


def _left(key: str) -> float:
    storage = limiter.storage
    if not storage.get(key):
        return 0.0
    return max(0.0, storage.get_expiry(key) - time.time())


def refusal(email: str) -> Refusal | None:
    """Why an attempt for `email` (normalised) is refused now, or None when it may be tried."""
    _failures, wait, lock = _keys(email)
    if seconds := _left(lock):
        return Refusal(locked=True, seconds=seconds)
    if seconds := _left(wait):
        return Refusal(locked=False, seconds=seconds)
    return None


def record_failure(email: str) -> Refusal | None:
    """Count a failed attempt; the lock or delay it starts, if any."""
    config = current_app.config
    failures_key, wait, lock = _keys(email)
    storage = limiter.storage
    failures = storage.incr(failures_key, config["LOGIN_FAILURE_WINDOW"])
    if failures >= config["LOGIN_LOCK_AFTER"]:
        storage.clear(failures_key)
        storage.clear(wait)
        storage.incr(lock, config["LOGIN_LOCK_SECONDS"])
        return Refusal(locked=True, seconds=config["LOGIN_LOCK_SECONDS"])
    if failures >= config["LOGIN_DELAY_AFTER"]:
        seconds = config["LOGIN_DELAY_SECONDS"] * 2 ** (failures - config["LOGIN_DELAY_AFTER"])
        storage.clear(wait)
        storage.incr(wait, seconds)
        return Refusal(locked=False, seconds=seconds)
    return None


def record_success(email: str) -> None:
    failures, wait, _lock = _keys(email)
    limiter.storage.clear(failures)
    limiter.storage.clear(wait)
