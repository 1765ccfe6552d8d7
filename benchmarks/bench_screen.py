"""Benchmark `painkg screen` on 1,000,000 generated claim lines.

Generates realistic lines (claims of 1-3 lines; procedures of every curated family with their
typical diagnoses, 15% with a commonly confused spine code instead, unspecified back pain and
comorbidities; about 5% bad rows:
malformed, unknown and header codes, unknown procedures, missing procedures, broken quotes,
short rows) into a temporary directory, then reports, in the same run:

- two baselines that only read and rewrite the same file: Python's csv module (what the row
  path and the fallback for quoted lines use) and pyarrow (whose compute kernels the CSV fast
  path uses; pyarrow's own CSV reader cannot read the file strictly because of the broken
  quotes, so it runs with newlines_in_values and skips the rows it cannot parse);
- `painkg screen in.csv -o out.csv` (every distinct procedure-diagnosis pair decided with
  `check`), with lines/s and its ratio to the baselines (target <= 3), in interleaved rounds
  (the median of the per-round ratios);
- peak RSS of the screen process (target < 500 MB).

With --before DIR, also times `painkg screen` from another checkout (e.g. an older commit:
`git archive COMMIT | tar -x -C DIR`) in the same run.

Usage: python benchmarks/bench_screen.py [--lines N] [--rounds R] [--keep] [--parquet] [--breakdown] [--before DIR]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's kg, also when run as a script

BASELINE = """
import csv, sys
with open(sys.argv[1], newline="", encoding="utf-8") as src, open(sys.argv[2], "w", newline="", encoding="utf-8") as dst:
    csv.writer(dst, lineterminator="\\n").writerows(csv.reader(src))
"""
BASELINE_PYARROW = """
import sys, pyarrow.csv as pc
reader = pc.open_csv(sys.argv[1], parse_options=pc.ParseOptions(
    newlines_in_values=True, invalid_row_handler=lambda row: "skip"),
    convert_options=pc.ConvertOptions(strings_can_be_null=False, column_types={}),
    read_options=pc.ReadOptions(block_size=1 << 21))
with pc.CSVWriter(sys.argv[2], reader.schema) as writer:
    for batch in reader:
        writer.write_batch(batch)
"""
BASELINE_PARQUET = """
import sys, pyarrow.parquet as pq
f = pq.ParquetFile(sys.argv[1])
with pq.ParquetWriter(sys.argv[2], f.schema_arrow) as w:
    for b in f.iter_batches(batch_size=10000):
        w.write_batch(b)
"""
# mismatches on real claims are plausible confusions (a common spine code on the wrong
# procedure), not random codes: the mismatched diagnosis comes from this list
COMMON_SPINE = ["M54.50", "M54.16", "M47.816", "M51.16", "M48.062", "M54.2", "M47.812", "M50.120",
                "M54.41", "M46.1", "M43.16", "M80.08XA", "M51.360", "M47.26", "M54.12", "G89.29"]
COMORBIDITIES = ["E11.9", "I10", "E78.5", "Z79.891", "F41.9", "G89.29", "E66.9", "F32.A", "M81.0"]
UNSPECIFIED = ["M54.50", "M54.59", "M54.2", "M54.6", "M54.41", "M54.42", "M54.16", "M54.12"]
BAD_DIAGNOSES = ["M54.5", "M47.81", "M54.99", "M5", "5451", "M54.51.", "XYZ"]
BAD_PROCEDURES = ["99213", "6462", "J1234", "ABCDE"]
HEADER = (["claim_id", "line", "patient_id", "payer", "procedure", "units", "charge"]
          + [f"dx{i}" for i in range(1, 13)] + ["date_of_service"])


def families() -> dict[str, tuple[list[str], list[str]]]:
    """family -> (procedures, typical diagnoses), from the graph."""
    from kg.graph import PainKG

    kg, rng = PainKG(), random.Random(7)
    out: dict[str, tuple[list[str], list[str]]] = {}
    for row in kg.rows("procedure-list"):
        procs, dxs = out.setdefault(str(row["familyLabel"]), ([], []))
        procs.append(row["code"])
        codes = sorted({r["diagnosisCode"] for r in kg.diagnoses_for_procedure(row["code"])})
        for code in rng.sample(codes, min(8, len(codes))):
            if code not in dxs:
                dxs.append(code)
    return {k: v for k, v in out.items() if v[1]}


def generate(path: str, n: int, seed: int = 42) -> int:
    rng = random.Random(seed)
    fams = list(families().values())
    payers = ["MEDICARE", "BCBS", "AETNA", "UHC", "CIGNA", "MEDICAID"]
    bad = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out, lineterminator="\n")
        w.writerow(HEADER)
        written, claim = 0, 0
        while written < n:
            claim += 1
            procs, dxs = rng.choice(fams)
            claim_dx = [rng.choice(dxs)]
            if rng.random() < 0.15:  # a commonly confused spine code instead
                claim_dx = [rng.choice(COMMON_SPINE)]
            if rng.random() < 0.3:
                claim_dx.append(rng.choice(UNSPECIFIED))
            claim_dx += rng.sample(COMORBIDITIES, rng.choice([0, 0, 1, 2]))
            patient, payer = f"P{rng.randrange(200_000):06d}", rng.choice(payers)
            date = f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            for line in range(1, min(rng.choice([1, 1, 2, 2, 3]), n - written) + 1):
                proc = rng.choice(procs)
                dx = list(claim_dx)
                row = [f"C{claim:08d}", str(line), patient, payer, proc, "1", f"{rng.randrange(200, 9000)}.00"]
                kind = rng.random()
                if kind < 0.05:
                    bad += 1
                    which = rng.randrange(6)
                    if which == 0:
                        dx[0] = rng.choice(BAD_DIAGNOSES)
                    elif which == 1:
                        row[4] = rng.choice(BAD_PROCEDURES)
                    elif which == 2:
                        row[4] = ""
                    elif which == 3:
                        dx.append(rng.choice(BAD_DIAGNOSES))
                    elif which == 4:  # a broken quote: written raw below
                        row = row + dx + [""] * (12 - len(dx)) + [date]
                        row[4] = '"' + row[4]
                        out.write(",".join(row) + "\n")
                        written += 1
                        continue
                    else:  # a short row
                        out.write(",".join(row[:5]) + "\n")
                        written += 1
                        continue
                w.writerow(row + dx[:12] + [""] * (12 - len(dx[:12])) + [date])
                written += 1
    return bad


def measure(cmd: list[str], cwd: Path = ROOT, **env: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one command, in a fresh
    wrapper process. CPU time is reported too because the machine may be shared."""
    wrapper = ("import resource,subprocess,sys,time;t=time.perf_counter();"
               "r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL);w=time.perf_counter()-t;"
               "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
               "print(w, u.ru_utime+u.ru_stime, u.ru_maxrss/1024, r.returncode)")
    out = subprocess.run([sys.executable, "-c", wrapper] + cmd, capture_output=True, text=True,
                         check=True, cwd=cwd, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env})
    wall, cpu, rss, rc = out.stdout.split()
    if rc != "0":
        raise SystemExit(f"{cmd} exited {rc}")
    return float(wall), float(cpu), float(rss)


def breakdown(src: str, work: str) -> None:
    """CPU seconds of the parts of the row path (other formats), in this process."""
    from kg.screening.decide import Decider
    from kg.screening.readers import open_reader
    from kg.screening.run import Screener
    from kg.screening.writers import atomic_output, make_writer

    def io_only() -> None:
        reader = open_reader(src, "csv")
        with atomic_output(os.path.join(work, "io.csv")) as stream:
            writer = make_writer("csv", stream, reader.columns + ["a", "b", "c", "d", "e", "f"])
            empty = [""] * 6
            for rows, _ in reader.chunks():
                writer.write([r + empty for r in rows])
            writer.finish()

    def screen(decider: Decider) -> None:
        reader = open_reader(src, "csv")
        screener = Screener(reader.columns, decider=decider, text_rows=True)
        with atomic_output(os.path.join(work, "s.csv")) as stream:
            writer = make_writer("csv", stream, screener.out_columns)
            for rows in screener.run(reader.chunks()):
                writer.write(rows)
            writer.finish()

    decider = Decider()
    for name, job in [("painkg reader + writer, no decisions", io_only),
                      ("row path screen (pairs decided with check)", lambda: screen(decider)),
                      ("row path screen again (pairs and lines already decided)", lambda: screen(decider))]:
        start = time.process_time()
        job()
        print(f"  {name}: {time.process_time() - start:.2f} s CPU")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved measurement rounds")
    parser.add_argument("--parquet", action="store_true", help="also time Parquet in and out")
    parser.add_argument("--before", type=Path, help="another checkout to time in the same run")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time, in one process: painkg's reader and writer alone, the row path "
                             "screen and the same again (every pair already decided)")
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="painkg-bench-screen-", dir="/tmp")
    src, out, base_out = (os.path.join(work, f) for f in ("claims.csv", "screened.csv", "copy.csv"))
    start = time.perf_counter()
    bad = generate(src, args.lines)
    print(f"generated {args.lines:,} lines ({bad:,} bad, {bad / args.lines:.1%}) in "
          f"{time.perf_counter() - start:.1f} s: {src} ({os.path.getsize(src) / 1e6:.0f} MB)")

    screen = [sys.executable, "-m", "kg", "screen", src, "-o", out, "-q", "--summary",
              os.path.join(work, "summary.json")]
    # interleaved rounds on a shared machine: each ratio is taken within one round
    rounds = []
    for _ in range(args.rounds):
        rounds.append((measure([sys.executable, "-c", BASELINE, src, base_out]),
                       measure([sys.executable, "-c", BASELINE_PYARROW, src, base_out]),
                       measure(screen)))
    (base_wall, base_cpu, base_rss), (pa_wall, pa_cpu, _), (wall, cpu, rss) = (
        tuple(statistics.median(r[k][i] for r in rounds) for i in range(3)) for k in range(3))
    ratio = statistics.median(r[2][0] / r[0][0] for r in rounds)
    cpu_ratio = statistics.median(r[2][1] / r[0][1] for r in rounds)
    print(f"{args.rounds} rounds; medians:")
    print(f"baseline csv module read + rewrite: {base_wall:.2f} s wall, {base_cpu:.2f} s CPU "
          f"({args.lines / base_wall:,.0f} lines/s), {base_rss:.0f} MB")
    print(f"baseline pyarrow read + rewrite: {pa_wall:.2f} s wall, {pa_cpu:.2f} s CPU")
    print(f"painkg screen: {wall:.2f} s wall, {cpu:.2f} s CPU = {args.lines / wall:,.0f} lines/s; "
          f"ratio {ratio:.2f}x wall, {cpu_ratio:.2f}x CPU to the csv module "
          f"(per round: {', '.join(f'{r[2][0] / r[0][0]:.2f}x' for r in rounds)}), "
          f"{wall / pa_wall:.2f}x wall to pyarrow (target <= 3); peak RSS {max(r[2][2] for r in rounds):.0f} MB "
          f"(target < 500 MB)")
    if args.before:
        b_wall, b_cpu, b_rss = measure(screen, cwd=args.before.resolve())
        print(f"painkg screen from {args.before}: {b_wall:.2f} s wall, {b_cpu:.2f} s CPU; ratio "
              f"{b_wall / base_wall:.2f}x wall to the csv module; peak RSS {b_rss:.0f} MB")
    with open(out, encoding="utf-8") as f:
        rows = sum(1 for _ in csv.reader(f)) - 1
    print(f"output rows: {rows:,} (input {args.lines:,})")
    import json

    with open(os.path.join(work, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    print(f"distinct decisions composed: {summary['distinct_keys']:,}; rows with errors: "
          f"{summary['rows_with_errors']:,}; verdicts: {summary['verdicts']}")

    if args.breakdown:
        breakdown(src, work)
    if args.parquet:
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        psrc, pout, pcopy = (os.path.join(work, f) for f in ("claims.parquet", "screened.parquet", "copy.parquet"))
        pq.write_table(pacsv.read_csv(out, read_options=pacsv.ReadOptions(column_names=None),
                                      convert_options=pacsv.ConvertOptions(
                                          column_types={c: "string" for c in HEADER},
                                          include_columns=HEADER)), psrc, row_group_size=100_000)
        pb_wall, _, _ = measure([sys.executable, "-c", BASELINE_PARQUET, psrc, pcopy])
        pw, _, prss = measure([sys.executable, "-m", "kg", "screen", psrc, "-o", pout, "-q"])
        print(f"parquet: baseline pyarrow read + rewrite {pb_wall:.2f} s; screen {pw:.2f} s "
              f"({args.lines / pw:,.0f} lines/s) = {pw / pb_wall:.1f}x; peak RSS {prss:.0f} MB")
    if not args.keep:
        import shutil

        shutil.rmtree(work)


if __name__ == "__main__":
    main()
