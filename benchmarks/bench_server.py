"""Throughput of `painkg serve` on loopback: /check and /sparql running align.rq, against
/health (the app's floor: routing, JSON, logging) measured in the same run.

Starts `python -m kg serve` in a subprocess on a free port, sends N requests per endpoint
from C concurrent clients (httpx, one thread each), checks every answer, and prints
requests/s, p50/p95 and the ratio to the /health baseline.
Usage: python benchmarks/bench_server.py [--requests 1000] [--clients 8] [--processes 1]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, ".")
from kg.backends.binding import bind
from kg.server.load import Request, free_port, load, percentile

PAIRS = [("64628", "M54.51", "aligned"), ("64628", "M51.16", "misaligned"), ("64493", "M47.816", "aligned"),
         ("62323", "M51.16", "aligned"), ("64628", "M54.50", "indeterminate")]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--processes", type=int, default=1, help="painkg serve --processes")
    args = parser.parse_args()
    align = Path("queries/align.rq").read_text(encoding="utf-8")

    health = [Request("health", lambda c: c.get("/health"), lambda r: r.json()["status"] == "ok")]
    check = [Request("check", lambda c, p=p, d=d: c.get("/check", params={"procedure": p, "diagnosis": d}),
                     lambda r, v=v: r.json()["verdict"] == v) for p, d, v in PAIRS]
    sparql = [Request("sparql", lambda c, q=bind(align, {"procedureCode": p, "diagnosisCode": d}):
                      c.post("/sparql", data={"query": q}),
                      lambda r, v=v: {b["verdict"]["value"] for b in r.json()["results"]["bindings"]} == {v})
              for p, d, v in PAIRS]

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
        for name, mix in [("/health (baseline)", health), ("/check", check), ("/sparql align.rq", sparql)]:
            load(base, mix, 50, args.clients)  # warm up
            results[name] = load(base, mix, args.requests, args.clients)
    finally:
        server.terminate()
        server.wait(timeout=30)
    base_rate = args.requests / results["/health (baseline)"].wall
    print(f"{args.requests} requests per endpoint, {args.clients} concurrent clients, "
          f"server in a subprocess ({args.processes} process{'es' if args.processes > 1 else ''})")
    for name, report in results.items():
        rate = args.requests / report.wall
        lat = report.all
        print(f"{name:20} {rate:7.0f} req/s = {rate / base_rate:.2f}x baseline  p50 {statistics.median(lat)*1000:6.1f} ms"
              f"  p95 {percentile(lat, .95)*1000:6.1f} ms  errors {len(report.failures)}")


if __name__ == "__main__":
    main()
