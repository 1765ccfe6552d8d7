"""The screening pipeline: chunks of input rows in, chunks of screened rows out, in order.

Rows of one claim (consecutive rows with the same claim_id) are held together so that their
Excludes1 conflicts can be flagged; everything else streams in bounded memory.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from kg.screen.columns import OUTPUT_COLUMNS, ColumnMap, text
from kg.screen.decide import Decider, Decision, normalise_key
from kg.screen.summary import Summary

MAX_CLAIM_LINES = 1_000  # a longer run of one claim_id is split (conflicts across the split are missed)
NO_DECISION = Decision()


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
                 chunk_size: int = 10_000) -> None:
        self.positions = (column_map or ColumnMap()).resolve(columns)
        self.out_columns, self.slots = output_columns(columns)
        self.width = len(columns)
        self.append_only = self.slots == list(range(self.width, self.width + len(OUTPUT_COLUMNS)))
        self.decider = decider or Decider()
        self.summary = summary or Summary()
        self.chunk_size = chunk_size
        self._raw: dict[tuple[Any, ...], Decision] = {}
        self.row_number = 0

    def decide(self, values: list[Any]) -> Decision:
        pos = self.positions
        proc = text(values[pos.procedure]) if pos.procedure < len(values) else ""
        dx = pos.diagnoses(values)
        key = (proc, dx)
        found = self._raw.get(key)
        if found is None:
            if len(self._raw) >= 200_000:
                self._raw.clear()
            found = self._raw[key] = self.decider.decide(*normalise_key(proc, list(dx)))
        return found

    def run(self, chunks: Iterable[list[tuple[list[Any], str]]],
            progress: Callable[[int], None] | None = None) -> Iterator[list[list[Any]]]:
        """Yield screened chunks, one output row per input row, in input order."""
        start = time.perf_counter()
        claim_at = self.positions.claim_id
        out: list[list[Any]] = []
        group: list[tuple[list[Any], str, Decision]] = []
        group_claim: Any = None
        for chunk in chunks:
            for values, error in chunk:
                decision = NO_DECISION if error else self.decide(values)
                claim = values[claim_at] if claim_at is not None and claim_at < len(values) else None
                if group and (claim != group_claim or claim in (None, "") or len(group) >= MAX_CLAIM_LINES):
                    self._finish(group, out)
                    group = []
                group_claim = claim
                group.append((values, error, decision))
            if len(out) >= self.chunk_size:
                yield out
                out = []
                if progress:
                    progress(self.summary.rows)
        if group:
            self._finish(group, out)
        self.summary.distinct_keys = len(self.decider._decisions)
        self.summary.seconds = time.perf_counter() - start
        if out:
            yield out
        if progress:
            progress(self.summary.rows)

    def _finish(self, group: list[tuple[list[Any], str, Decision]], out: list[list[Any]]) -> None:
        conflicts: list[tuple[str, str, str]] = []
        if len(group) > 1 or len(group[0][2].diagnoses) > 1:
            codes = sorted({c for _, _, d in group for c in d.diagnoses})
            conflicts = self.decider.excludes1(tuple(codes))
        width, slots, add = self.width, self.slots, self.summary.add
        for values, error, d in group:
            self.row_number += 1
            flags, reason = d.flags, d.reason
            if conflicts:
                mine = set(d.diagnoses)
                hits = [c for c in conflicts if c[0] in mine or c[1] in mine]
                if hits:
                    flags = flags + [f"excludes1:{a}+{b}" for a, b, _ in hits]
                    reason = " ".join(filter(None, [reason] + [
                        f"Excludes1: {a} and {b} are never coded together on one claim "
                        f"(Excludes1 note of {h})." for a, b, h in hits]))
            error = error or d.error
            row = values if len(values) == width else (values + [None] * width)[:width]
            new = [d.verdict, d.necessity, d.mechanism, reason, ";".join(flags), error]
            if self.append_only:
                row.extend(new)
            else:
                row = row + [None] * (len(self.out_columns) - width)
                for slot, value in zip(slots, new):
                    row[slot] = value
            out.append(row)
            add(self.row_number, d.verdict, d.necessity, flags, error, d.procedure, d.diagnoses)


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
            sys.stderr.write(f"\r[{bar}] {done}/{total} rows, {rate:,.0f} rows/s")
        else:
            sys.stderr.write(f"\r{done:,} rows, {rate:,.0f} rows/s")
        sys.stderr.flush()

    return show
