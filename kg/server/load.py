"""Drive a running painkg server with concurrent clients and check every answer.

Used by the live-server load test and by ``benchmarks/bench_server.py``: each client is a thread
with its own ``httpx.Client`` taking the next request of a round-robin mix until ``total`` are
sent.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Sequence
from typing import NamedTuple

import httpx


class Request(NamedTuple):
    kind: str  # latencies are kept per kind
    send: Callable[[httpx.Client], httpx.Response]
    ok: Callable[[httpx.Response], bool]  # called only on a 200 answer


class LoadReport(NamedTuple):
    wall: float
    latencies: dict[str, list[float]]
    failures: list[str]  # one line per request that was not a 200 with the expected answer
    server_errors: int  # 5xx answers

    @property
    def all(self) -> list[float]:
        return sorted(x for values in self.latencies.values() for x in values)


def load(base: str, mix: Sequence[Request], total: int, clients: int) -> LoadReport:
    """Send ``total`` requests round-robin over ``mix`` from ``clients`` threads."""
    latencies: dict[str, list[float]] = {}
    failures: list[str] = []
    server_errors = 0
    counter = iter(range(total))
    lock = threading.Lock()

    def client_loop() -> None:
        nonlocal server_errors
        with httpx.Client(base_url=base, timeout=60) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                request = mix[i % len(mix)]
                started = time.perf_counter()
                response = request.send(client)
                elapsed = time.perf_counter() - started
                good = response.status_code == 200 and request.ok(response)
                with lock:
                    latencies.setdefault(request.kind, []).append(elapsed)
                    server_errors += response.status_code >= 500
                    if not good:
                        failures.append(f"{request.kind} {response.request.url}: "
                                        f"{response.status_code} {response.text[:120]}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return LoadReport(time.perf_counter() - started, latencies, failures, server_errors)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
