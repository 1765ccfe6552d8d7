"""Counts of a screening run: verdicts, necessity, flags, errors, top misaligned pairs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

TOP = 10
MAX_ERROR_SAMPLES = 20
MAX_PAIRS = 100_000  # bounded memory: stop counting new pairs past this many


@dataclass
class Summary:
    rows: int = 0
    rows_with_errors: int = 0
    verdicts: Counter = field(default_factory=Counter)
    necessity: Counter = field(default_factory=Counter)
    flags: Counter = field(default_factory=Counter)  # rows per kind of flag
    misaligned_pairs: Counter = field(default_factory=Counter)
    error_samples: list[dict[str, Any]] = field(default_factory=list)
    distinct_keys: int = 0  # (procedure, diagnoses) decisions composed (a cache statistic)
    seconds: float = 0.0
    decisions: list[Any] = field(default_factory=list)  # one Decision per row, until fold()

    def note_error(self, row_number: int, error: str) -> None:
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append({"row": row_number, "error": error})

    def fold(self) -> None:
        """Add the rows noted in ``decisions`` into the totals."""
        for d, n in Counter(self.decisions).items():
            self.add(d, n)
        self.decisions.clear()

    def add(self, d: Any, n: int) -> None:
        """Count ``n`` rows screened as ``d`` (a Decision)."""
        self.rows += n
        if d.error:
            self.rows_with_errors += n
            self.verdicts["error"] += n
            self.necessity["error"] += n
        else:
            self.verdicts[d.verdict] += n
            self.necessity[d.necessity] += n
            if d.verdict == "misaligned":
                pairs = self.misaligned_pairs
                for dx in d.diagnoses:
                    key = f"{d.procedure} + {dx}"
                    if key in pairs or len(pairs) < MAX_PAIRS:
                        pairs[key] += n
        for kind in d.flag_kinds:
            self.flags[kind] += n

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rows_ok": self.rows - self.rows_with_errors,
            "rows_with_errors": self.rows_with_errors,
            "verdicts": dict(self.verdicts.most_common()),
            "necessity": dict(self.necessity.most_common()),
            "flags": dict(self.flags.most_common()),
            "top_misaligned_pairs": [
                {"pair": pair, "rows": n} for pair, n in self.misaligned_pairs.most_common(TOP)
            ],
            "error_samples": self.error_samples,
            "distinct_keys": self.distinct_keys,
            "seconds": round(self.seconds, 3),
        }

    def text(self) -> str:
        d = self.to_dict()
        lines = [(f"screened {d['rows']} rows in {d['seconds']:.1f} s: {d['rows_ok']} decided, "
                  f"{d['rows_with_errors']} with errors")]
        lines.append("verdicts: " + ", ".join(f"{k} {v}" for k, v in d["verdicts"].items()))
        lines.append("necessity: " + ", ".join(f"{k} {v}" for k, v in d["necessity"].items()))
        if d["flags"]:
            lines.append("flags (rows): " + ", ".join(f"{k} {v}" for k, v in d["flags"].items()))
        if d["top_misaligned_pairs"]:
            lines.append("top misaligned pairs: " + ", ".join(
                f"{p['pair']} ({p['rows']})" for p in d["top_misaligned_pairs"][:5]))
        for sample in d["error_samples"][:3]:
            lines.append(f"row {sample['row']}: {sample['error']}")
        return "\n".join(lines)
