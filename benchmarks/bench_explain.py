"""Benchmark `painkg explain`: warm in-process time of each picture format against the `check`
that feeds it (the baseline, measured in the same run), and the cold whole-process time of
`painkg explain --format svg` against cold `painkg check`. Usage: python benchmarks/bench_explain.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time


def timed(fn, n: int = 15) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def cold(cmd: list[str], n: int = 5) -> float:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    from kg.checking import check
    from kg.explain import build_diagram, entity_kinds, render
    from kg.graph import PainKG

    kg = PainKG()
    for procedure, diagnosis in [("64628", "M54.51"), ("64628", "M51.16")]:
        result = check(procedure, [diagnosis], kg=kg)
        base = timed(lambda: check(procedure, [diagnosis], kg=kg))
        diagram = build_diagram(result, entity_kinds(kg))
        model = timed(lambda: build_diagram(check(procedure, [diagnosis], kg=kg), entity_kinds(kg)))
        print(f"{procedure} {diagnosis}: check {base * 1000:.1f} ms (baseline); "
              f"check + picture model {model * 1000:.1f} ms = {model / base:.2f}x")
        for fmt in ("dot", "svg", "html", "png"):
            t = timed(lambda: render(diagram, fmt), n=5 if fmt == "png" else 15)
            print(f"  render {fmt:4s} {t * 1000:7.1f} ms = {t / base:6.2f}x check")

    painkg = [sys.executable, "-m", "kg.cli.__main__"]
    subprocess.run(painkg + ["check", "64628", "M54.51"], stdout=subprocess.DEVNULL, check=False)  # warm cache
    base = cold(painkg + ["check", "64628", "M54.51"])
    svg = cold(painkg + ["explain", "64628", "M54.51", "--format", "svg"])
    print(f"cold `painkg check 64628 M54.51`: {base * 1000:.0f} ms (baseline)")
    print(f"cold `painkg explain 64628 M54.51 --format svg`: {svg * 1000:.0f} ms = {svg / base:.2f}x")


if __name__ == "__main__":
    main()
