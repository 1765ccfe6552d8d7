"""Benchmark `painkg check`: cold whole-process time and peak RSS against `python -c "import click"`,
warm in-process latency, and a first run from an empty cache. Prints ratios against the baseline
measured in the same run. Usage: python benchmarks/bench_check.py [--skip-build]
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def median_of(cmd: list[str], n: int = 7, env: dict | None = None) -> tuple[float, float]:
    walls, rss = [], []
    for _ in range(n):
        w, r = run(cmd, env)
        walls.append(w)
        rss.append(r)
    return statistics.median(walls), max(rss)


def per_call(call, n: int) -> float:
    """Median seconds per call over five rounds of ``n`` calls."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for i in range(n):
            call(i)
        rounds.append((time.perf_counter() - start) / n)
    return statistics.median(rounds)


def distinct_pairs(kg, n: int) -> list[tuple[str, list[str]]]:
    """``n`` distinct (procedure, [billable code]) pairs: half of the codes have a pain mechanism
    or a contraindication trigger, half are drawn from all of ICD-10-CM."""
    import random
    import sqlite3

    from kg.answers import FILE_NAME
    from kg.checking import check
    from kg.errors import InputError

    db = sqlite3.connect(os.path.join(kg._store_dir, FILE_NAME))
    procedures = [k for (k,) in db.execute("SELECT key FROM answer WHERE query = 'procedure-chain'")]
    profiled = [c for (c,) in db.execute("SELECT code FROM profile")]
    every = [k for (k,) in db.execute("SELECT key FROM answer WHERE query = 'code-info'")]
    rng = random.Random(2026)
    found: dict[tuple[str, str], None] = {}
    while len(found) < n:
        code = rng.choice(profiled if len(found) % 2 else every)
        pair = (rng.choice(procedures), code)
        if pair in found:
            continue
        try:
            check(pair[0], [code], kg)
        except InputError:  # header codes, procedure codes
            continue
        found[pair] = None
    return [(p, [c]) for p, c in found]


def compile_bytecode() -> None:
    """`pip install` writes the package's bytecode; an editable checkout on a machine with
    PYTHONDONTWRITEBYTECODE=1 would recompile every module on every run instead."""
    import compileall

    import kg

    compileall.compile_dir(os.path.dirname(kg.__file__), quiet=1)


def main() -> None:
    compile_bytecode()
    painkg = [sys.executable, "-m", "kg.cli.__main__"]
    click_floor = [sys.executable, "-c", "import click"]
    check_cmd = painkg + ["check", "64628", "M54.51"]
    subprocess.run(check_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # warm cache

    base_wall, base_rss = median_of(click_floor)
    cold_wall, _ = median_of(check_cmd)
    # peak RSS of the check process alone (fresh child, ru_maxrss of that child)
    rss = subprocess.run(
        [sys.executable, "-c",
         "import resource,subprocess,sys;subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);"
         "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss/1024)"] + check_cmd,
        capture_output=True, text=True,
    ).stdout.strip()
    print(f"baseline `python -c 'import click'`: {base_wall*1000:.0f} ms")
    print(f"cold `painkg check 64628 M54.51`: {cold_wall*1000:.0f} ms = {cold_wall/base_wall:.2f}x baseline (target <= 2x)")
    print(f"peak RSS of the check process: {float(rss):.0f} MB (target <= 100 MB)")

    from kg.backends.oxigraph import OxigraphBackend
    from kg.checking import check
    from kg.graph import PainKG

    kg = PainKG()
    pairs = [("64628", ["M54.51"]), ("64493", ["M47.816"]), ("62323", ["M51.16"]), ("22514", ["M80.08XA"])]
    for p, d in pairs:
        check(p, d, kg)
    warm = per_call(lambda i: check(*pairs[i % len(pairs)], kg), 400)
    print(f"warm check, pairs already answered in this process (query cache): {warm*1000:.3f} ms (target < 1 ms)")

    # Distinct pairs never asked before, no query cache: every answer is read from the answer
    # index; the baseline is the same checks with every named query run on the store.
    unseen = distinct_pairs(kg, 1000)
    indexed = PainKG(cache_size=0)
    live = PainKG(OxigraphBackend(kg._store_dir), cache_size=0)
    for target in (indexed, live):
        check(*unseen[0], target)
    start = time.perf_counter()
    for p, d in unseen:
        check(p, d, indexed)
    from_index = (time.perf_counter() - start) / len(unseen)
    start = time.perf_counter()
    for p, d in unseen[:300]:
        check(p, d, live)
    from_store = (time.perf_counter() - start) / 300
    print(f"warm check of {len(unseen):,} distinct unseen pairs, no query cache, answer index: "
          f"{from_index*1000:.3f} ms (target < 1 ms)")
    print(f"  baseline, the same checks with all 8 named queries run on the store: "
          f"{from_store*1000:.2f} ms; index / store = {from_index/from_store:.3f}")
    align = per_call(lambda i: live.align(pairs[i % len(pairs)][0], pairs[i % len(pairs)][1][0]), 200)
    print(f"warm align.rq alone on the store: {align*1000:.2f} ms")

    if "--skip-build" not in sys.argv:
        with tempfile.TemporaryDirectory() as home:
            env = dict(os.environ, PAINKG_HOME=home)
            first, _ = run(check_cmd, env)
        print(f"first run from an empty cache (build included): {first:.1f} s = {first/base_wall:.0f}x baseline (target < 60 s)")


if __name__ == "__main__":
    main()
