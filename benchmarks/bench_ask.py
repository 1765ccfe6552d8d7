"""Benchmark `painkg ask` against `painkg check` on the same pairs, measured in the same run.

- cold: whole-process time of `painkg ask "..."` vs `painkg check P D` (median of 5);
- warm: in-process latency of ask() vs check() with one PainKG (lexicon already loaded);
- lexicon: the one-off cost of loading the lexicon queries (once per process);
- code-free fallback: a diagnosis name outside the curated index (full ICD-10-CM title scan).
Usage: python benchmarks/bench_ask.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's kg, not an install

QUESTIONS = [
    ("Is the Intracept System medically necessary for M54.51 (Lumbar Vertebra Intervertebral Disc "
     "Disorders with Radiculopathy)?", "64628", ["M54.51"]),
    ("Is a TFESI at L4-5 medically necessary for M54.16?", "64483", ["M54.16"]),
    ("Is kyphoplasty at L1 medically necessary for M80.08XA?", "22514", ["M80.08XA"]),
    ("Is a lumbar medial branch block medically necessary for M47.816?", "64493", ["M47.816"]),
]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def median(fn, n: int = 5) -> float:
    return statistics.median(fn() for _ in range(n))


def main() -> None:
    cli = [sys.executable, "-m", "kg"]
    question, proc, dx = QUESTIONS[0]
    wall(cli + ["check", proc, *dx])  # warm the disk cache
    base = median(lambda: wall(cli + ["check", proc, *dx]))
    cold = median(lambda: wall(cli + ["ask", question]))
    print(f"baseline cold `painkg check {proc} {dx[0]}`: {base*1000:.0f} ms")
    print(f"cold `painkg ask` (published example): {cold*1000:.0f} ms = {cold/base:.2f}x check")

    from kg.question import ask
    from kg.question.lexicon import Lexicon
    from kg.checking import check
    from kg.graph import PainKG

    kg = PainKG()
    start = time.perf_counter()
    Lexicon(kg)
    print(f"lexicon load (once per process): {(time.perf_counter() - start)*1000:.0f} ms")
    ask(question, kg=kg)
    for q, p, d in QUESTIONS:
        c = median(lambda p=p, d=d: _timed(lambda: check(p, d, kg=kg)))
        a = median(lambda q=q: _timed(lambda: ask(q, kg=kg)))
        print(f"warm {p} {d[0]}: check {c*1000:.1f} ms, ask {a*1000:.1f} ms = {a/c:.2f}x check")
    free = median(lambda: _timed(lambda: ask("Is BVNA medically necessary for vertebrogenic low back pain?", kg=kg)))
    print(f"warm code-free (curated index): {free*1000:.1f} ms")
    fallback = _timed(lambda: _try(lambda: ask("Is a lumbar medial branch block necessary for facet arthropathy?", kg=kg)))
    print(f"code-free fallback over all ICD-10-CM titles: {fallback*1000:.0f} ms")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _try(fn) -> None:
    try:
        fn()
    except Exception:  # the fallback ends in a one-line input error; only its time matters here
        pass


if __name__ == "__main__":
    main()
