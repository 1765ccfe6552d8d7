"""The screening pipeline: chunks of input rows in, chunks of screened rows out, in order.

Rows of one claim (consecutive rows with the same claim_id) are held together so that their
Excludes1 conflicts can be flagged; everything else streams in bounded memory.
"""

from __future__ import annotations

import gc
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kg.screening.columns import OUTPUT_COLUMNS, ColumnMap, text
from kg.screening.decide import Decider, Decision
from kg.screening.summary import Summary

MAX_CLAIM_LINES = 1_000  # a longer run of one claim_id is split (conflicts across the split are missed)
MAX_KEYS = 200_000  # (procedure, diagnoses) as written, remembered; past it the memory starts afresh
Chunk = tuple[list[list[Any]], dict[int, str]]


def output_columns(columns: list[str]) -> tuple[list[str], list[int]]:
    """Input columns then the screening columns; an input column of the same name is reused."""
    out = list(columns)
    slots = []
    for name in OUTPUT_COLUMNS:
        if name not in out:
            out.append(name)
        slots.append(out.index(name))
    return out, slots


class Screener:
    def __init__(self, columns: list[str], column_map: ColumnMap | None = None,
                 decider: Decider | None = None, summary: Summary | None = None,
                 chunk_size: int = 10_000, text_rows: bool = False) -> None:
        self.text_rows = text_rows  # rows are full lists of str (CSV, TSV): a faster path
        self.positions = (column_map or ColumnMap()).resolve(columns)
        self.out_columns, self.slots = output_columns(columns)
        self.width = len(columns)
        self.append_only = self.slots == list(range(self.width, self.width + len(OUTPUT_COLUMNS)))
        self.decider = decider or Decider()
        self.summary = summary or Summary()
        self.chunk_size = chunk_size
        self._raw: dict[tuple[Any, ...], Decision] = {}

    def decide(self, values: list[Any]) -> Decision:
        pos = self.positions
        if self.text_rows:
            proc, dx = values[pos.procedure], pos.text_diagnoses(values)
        else:
            proc = text(values[pos.procedure]) if pos.procedure < len(values) else ""
            dx = pos.diagnoses(values)
        key = (proc, dx)
        found = self._raw.get(key)
        if found is None:
            if len(self._raw) >= MAX_KEYS:
                self._raw.clear()
            found = self._raw[key] = self.decider.decide(proc, dx)
        return found

    def run(self, chunks: Iterable[Chunk],
            progress: Callable[[int], None] | None = None) -> Iterator[list[list[Any]]]:
        """Yield screened chunks, one output row per input row, in input order.

        The cyclic garbage collector is paused meanwhile: the loop creates no cycles, and
        collections triggered by millions of short-lived rows cost a third of the time."""
        paused = gc.isenabled()
        gc.disable()
        try:
            yield from self._run(chunks, progress)
        finally:
            if paused:
                gc.enable()

    def _run(self, chunks: Iterable[Chunk],
             progress: Callable[[int], None] | None) -> Iterator[list[list[Any]]]:
        start = time.perf_counter()
        claim_at = self.positions.claim_id or 0
        has_claim = self.positions.claim_id is not None
        summary = self.summary
        raw, decide, pos, text_rows = self._raw, self.decide, self.positions, self.text_rows
        group: list[list[Any]] = []  # the rows of the current claim ...
        decided: list[Decision] = []  # ... and their decisions
        group_claim: Any = None
        done = 0
        for rows, errors in chunks:
            out: list[list[Any]] = []
            for i, values in enumerate(rows):
                if errors and i in errors:
                    d = Decision(error=errors[i])
                elif text_rows:  # the hot path, inlined
                    d = raw.get((values[pos.procedure], pos.text_diagnoses(values))) or decide(values)
                else:
                    d = decide(values)
                if d.error:
                    summary.note_error(done + i + 1, d.error)
                claim = values[claim_at] if has_claim and claim_at < len(values) else None
                if group and (claim != group_claim or not claim or len(group) >= MAX_CLAIM_LINES):
                    self._flush(group, decided, out)
                    group, decided = [], []
                group_claim = claim
                group.append(values)
                decided.append(d)
            done += len(rows)
            if out:
                yield out
            if len(summary.decisions) >= 1_000_000:
                summary.fold()
            if progress:
                progress(done)
        if group:
            out = []
            self._flush(group, decided, out)
            yield out
        summary.fold()
        summary.distinct_keys = len(self.decider._decisions)
        summary.seconds = time.perf_counter() - start

    def _flush(self, group: list[list[Any]], decided: list[Decision], out: list[list[Any]]) -> None:
        if len(decided) == 1:
            codes = decided[0].diagnoses
        else:
            codes = tuple(sorted({c for d in decided for c in d.diagnoses}))
        conflicts = self.decider.excludes1(codes) if len(codes) > 1 else None
        width = self.width
        for values, d in zip(group, decided):
            if len(values) != width:
                values = (values + [None] * width)[:width]
            if conflicts:
                mine = d.diagnoses
                hits = [c for c in conflicts if c[0] in mine or c[1] in mine]
                if hits:
                    d = with_conflicts(d, hits)
            new = d.out
            self.summary.decisions.append(d)
            if self.append_only:
                values.extend(new)
            else:
                values = values + [None] * (len(self.out_columns) - width)
                for slot, value in zip(self.slots, new):
                    values[slot] = value
            out.append(values)


def with_conflicts(d: Decision, hits: list[tuple[str, str, str]]) -> Decision:
    """``d`` with the Excludes1 conflicts (code, other code, holder of the note) of its claim."""
    reason = " ".join(filter(None, [d.reason] + [
        f"Excludes1 note of {h}: {a} and {b} are never coded together." for a, b, h in hits]))
    return Decision(verdict=d.verdict, necessity=d.necessity, mechanism=d.mechanism, reason=reason,
                    flags=d.flags + [f"excludes1:{a}+{b}" for a, b, _ in hits], error=d.error,
                    diagnoses=d.diagnoses, procedure=d.procedure)


def tty_progress(total: int | None = None) -> Callable[[int], None] | None:
    """A one-line progress display on standard error, only when it is a terminal."""
    if not sys.stderr.isatty():
        return None
    start = time.perf_counter()

    def show(done: int) -> None:
        rate = done / max(time.perf_counter() - start, 1e-9)
        if total:
            filled = int(30 * done / total)
            bar = "#" * filled + "." * (30 - filled)
            sys.stderr.write(f"\r[{bar}] {done:,}/{total:,} rows, {rate:,.0f} rows/s")
        else:
            sys.stderr.write(f"\r{done:,} rows, {rate:,.0f} rows/s")
        sys.stderr.flush()

    return show
