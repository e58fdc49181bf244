"""A small closed-loop HTTP load generator for benchmarks (threads + http.client over loopback).

`load(host, port, path, ...)` keeps `concurrency` connections busy (HTTP/1.1 keep-alive; a
connection the server closes, as gunicorn's sync workers do after each response, is opened
again and the reconnect counts in that request's latency) until `requests` responses came
back or `seconds` passed, and returns the latencies with the status codes.
"""

from __future__ import annotations

import http.client
import itertools
import threading
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    path: str
    latencies: list[float] = field(default_factory=list)  # seconds, successful responses
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    wall: float = 0.0
    bytes: int = 0
    stopped_early: bool = False  # the time budget ran out before every request was made

    def quantile(self, q: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
        return ordered[index]

    @property
    def p50(self) -> float | None:
        return self.quantile(0.50)

    @property
    def p95(self) -> float | None:
        return self.quantile(0.95)

    @property
    def ok(self) -> int:
        return self.statuses.get(200, 0)


# The browser the load client claims to be; the bench logs in with the same one, as a browser
# does (Flask-Login's session protection ties a session to its address and user agent).
USER_AGENT = "ocopfair-bench/1"


def get_once(host: str, port: int, path: str, cookie: str | None = None, timeout: float = 60.0):
    """One GET on a fresh connection: (status, body bytes, seconds)."""
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    headers = {"Cookie": cookie} if cookie else {}
    headers["User-Agent"] = USER_AGENT
    started = time.perf_counter()
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        return response.status, body, time.perf_counter() - started
    finally:
        connection.close()


def load(
    host: str,
    port: int,
    path: str,
    *,
    cookie: str | None = None,
    concurrency: int = 50,
    requests: int = 500,
    seconds: float = 60.0,
    timeout: float = 120.0,
    grace: float = 15.0,
) -> LoadResult:
    result = LoadResult(path)
    counter = itertools.count()
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds
    headers = {"Cookie": cookie} if cookie else {}
    headers["Connection"] = "keep-alive"
    headers["User-Agent"] = USER_AGENT

    def worker() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        latencies, statuses, errors, size = [], {}, 0, 0
        try:
            while True:
                with lock:
                    n = next(counter)
                if n >= requests:
                    break
                if time.perf_counter() > deadline:
                    result.stopped_early = True
                    break
                started = time.perf_counter()
                # No request outlives the budget by more than `grace` (in flight ones included).
                remaining = max(1.0, min(timeout, deadline + grace - started))
                connection.timeout = remaining
                if connection.sock is not None:
                    connection.sock.settimeout(remaining)
                response = None
                for _attempt in (1, 2):
                    try:
                        connection.request("GET", path, headers=headers)
                        response = connection.getresponse()
                        body = response.read()
                        if response.will_close:
                            connection.close()  # opened again by the next request
                        break
                    except TimeoutError:  # past the budget: no second try
                        connection.close()
                        response = None
                        result.stopped_early = True
                        break
                    except (http.client.HTTPException, ConnectionError, OSError):
                        # a kept-alive connection the server had closed: one more try, reconnected
                        connection.close()
                        response = None
                if response is None:
                    errors += 1
                    continue
                elapsed = time.perf_counter() - started
                statuses[response.status] = statuses.get(response.status, 0) + 1
                if response.status == 200:
                    latencies.append(elapsed)
                    size += len(body)
        finally:
            connection.close()
            with lock:
                result.latencies.extend(latencies)
                for status, count in statuses.items():
                    result.statuses[status] = result.statuses.get(status, 0) + count
                result.errors += errors
                result.bytes += size

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.wall = time.perf_counter() - started
    return result
