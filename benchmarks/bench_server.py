"""Throughput of `painkg serve` on loopback: /check and /sparql running align.rq, against
/health (the app's floor: routing, JSON, logging) measured in the same run.

Starts `python -m kg serve` in a subprocess on a free port, sends N requests per endpoint
from C concurrent clients (httpx, one thread each), checks every answer, and prints
requests/s, p50/p95 and the ratio to the /health baseline.
Usage: python benchmarks/bench_server.py [--requests 1000] [--clients 8] [--processes 1]
"""

from __future__ import annotations

import argparse
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

sys.path.insert(0, ".")
from kg.backends.binding import bind

PAIRS = [("64628", "M54.51", "aligned"), ("64628", "M51.16", "misaligned"), ("64493", "M47.816", "aligned"),
         ("62323", "M51.16", "aligned"), ("64628", "M54.50", "indeterminate")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(base: str, make, n: int, clients: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    bad = 0
    counter = iter(range(n))
    lock = threading.Lock()

    def loop() -> None:
        nonlocal bad
        with httpx.Client(base_url=base, timeout=60) as client:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                send, ok = make(i)
                t = time.perf_counter()
                response = send(client)
                elapsed = time.perf_counter() - t
                with lock:
                    latencies.append(elapsed)
                    bad += response.status_code != 200 or not ok(response)

    start = time.perf_counter()
    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies, bad


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--processes", type=int, default=1, help="painkg serve --processes")
    args = parser.parse_args()
    align = Path("queries/align.rq").read_text(encoding="utf-8")

    def health(i):
        return (lambda c: c.get("/health")), (lambda r: r.json()["status"] == "ok")

    def check(i):
        p, d, v = PAIRS[i % len(PAIRS)]
        return (lambda c: c.get("/check", params={"procedure": p, "diagnosis": d})), (lambda r: r.json()["verdict"] == v)

    def sparql(i):
        p, d, v = PAIRS[i % len(PAIRS)]
        q = bind(align, {"procedureCode": p, "diagnosisCode": d})
        return (lambda c: c.post("/sparql", data={"query": q})), \
            (lambda r: {b["verdict"]["value"] for b in r.json()["results"]["bindings"]} == {v})

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port), "--log-level", "warning",
                               "--processes", str(args.processes)],
                              stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/health", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        results = {}
        for name, make in [("/health (baseline)", health), ("/check", check), ("/sparql align.rq", sparql)]:
            run(base, make, 50, args.clients)  # warm up
            results[name] = run(base, make, args.requests, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    base_rate = args.requests / results["/health (baseline)"][0]
    print(f"{args.requests} requests per endpoint, {args.clients} concurrent clients, "
          f"server in a subprocess ({args.processes} process{'es' if args.processes > 1 else ''})")
    for name, (wall, lat, bad) in results.items():
        rate = args.requests / wall
        lat.sort()
        print(f"{name:20} {rate:7.0f} req/s = {rate / base_rate:.2f}x baseline  p50 {statistics.median(lat)*1000:6.1f} ms"
              f"  p95 {lat[int(0.95 * (len(lat) - 1))]*1000:6.1f} ms  errors {bad}")


if __name__ == "__main__":
    main()
