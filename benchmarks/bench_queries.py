"""Warm latency of every named query on three backends, and diagnoses-for-procedure over all of ICD-10-CM.

Backends: Oxigraph on the full on-disk store, Oxigraph in memory on the fixture graph
(kg.backends.fixture), rdflib in memory on the same fixture. Parameters are the first case of
each query in tests/golden/cases.json. The baseline is Oxigraph on the fixture, measured in the
same run; the table shows the rdflib/Oxigraph ratio per query (same data, same parameters).

Usage: python benchmarks/bench_queries.py [--repeat N] [--rdflib-budget SECONDS]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's kg, not an installed one

from kg import golden, queries  # noqa: E402
from kg.backends import fixture  # noqa: E402
from kg.backends.oxigraph import OxigraphBackend  # noqa: E402
from kg.backends.rdflib_backend import RdflibBackend  # noqa: E402
from kg.build.builder import ensure_store  # noqa: E402


def warm_ms(backend: Any, text: str, params: dict[str, str], repeat: int, budget: float) -> float:
    """Median wall time in ms after one warm-up run; fewer runs when one run exceeds the budget."""
    start = time.perf_counter()
    backend.select(text, params or None)
    first = time.perf_counter() - start
    runs = 1 if first > budget else repeat
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        backend.select(text, params or None)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rdflib-budget", type=float, default=1.0,
                        help="a query slower than this (s) on rdflib is timed once")
    args = parser.parse_args()

    full_store = ox.Store.read_only(str(ensure_store()))
    quads = fixture.fixture_quads(full_store)
    backends = {
        "oxigraph-full": OxigraphBackend(store=full_store),
        "oxigraph-fixture": OxigraphBackend(store=fixture.oxigraph_store(quads)),
        "rdflib-fixture": RdflibBackend(fixture.rdflib_dataset(quads)),
    }
    cases = golden.cases()
    header = f"{'query':28} {'ox full ms':>11} {'ox fixture ms':>14} {'rdflib ms':>11} {'rdflib/ox':>10}"
    print(f"fixture: {len(quads):,} quads; median of {args.repeat} warm runs")
    print(header)
    print("-" * len(header))
    for named in queries.catalogue():
        params = (cases.get(named.name) or [{}])[0]
        row = {}
        for label, backend in backends.items():
            budget = args.rdflib_budget if label.startswith("rdflib") else 10.0
            row[label] = warm_ms(backend, named.text, params, args.repeat, budget)
        ratio = row["rdflib-fixture"] / row["oxigraph-fixture"]
        print(f"{named.name:28} {row['oxigraph-full']:11.2f} {row['oxigraph-fixture']:14.2f} "
              f"{row['rdflib-fixture']:11.1f} {ratio:9.0f}x")

    text = queries.load("diagnoses-for-procedure").text
    print("\ndiagnoses-for-procedure over the full ICD-10-CM (Oxigraph, full store):")
    for code in ("64628", "64493", "62323", "22551"):
        ms = warm_ms(backends["oxigraph-full"], text, {"procedureCode": code}, 5, 10.0)
        rows = len(backends["oxigraph-full"].select(text, {"procedureCode": code}).rows)
        print(f"  {code}: {ms:8.1f} ms, {rows:,} rows (target < 1000 ms)")


if __name__ == "__main__":
    main()
