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
    flags: Counter = field(default_factory=Counter)
    misaligned_pairs: Counter = field(default_factory=Counter)
    error_samples: list[dict[str, Any]] = field(default_factory=list)
    distinct_keys: int = 0
    seconds: float = 0.0

    def add(self, row_number: int, verdict: str, necessity: str, flags: list[str],
            error: str, procedure: str, diagnoses: tuple[str, ...]) -> None:
        self.rows += 1
        if error:
            self.rows_with_errors += 1
            if len(self.error_samples) < MAX_ERROR_SAMPLES:
                self.error_samples.append({"row": row_number, "error": error})
            self.verdicts["error"] += 1
            self.necessity["error"] += 1
        else:
            self.verdicts[verdict] += 1
            self.necessity[necessity] += 1
            if verdict == "misaligned":
                pairs = self.misaligned_pairs
                for dx in diagnoses:
                    key = f"{procedure} + {dx}"
                    if key in pairs or len(pairs) < MAX_PAIRS:
                        pairs[key] += 1
        for flag in flags:
            self.flags[flag.split(":", 1)[0]] += 1

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
        lines = [f"screened {d['rows']} rows in {d['seconds']:.1f} s: {d['rows_ok']} decided, "
                 f"{d['rows_with_errors']} with errors"]
        lines.append("verdicts: " + ", ".join(f"{k} {v}" for k, v in d["verdicts"].items()))
        lines.append("necessity: " + ", ".join(f"{k} {v}" for k, v in d["necessity"].items()))
        if d["flags"]:
            lines.append("flags: " + ", ".join(f"{k} {v}" for k, v in d["flags"].items()))
        if d["top_misaligned_pairs"]:
            lines.append("top misaligned pairs: " + ", ".join(
                f"{p['pair']} ({p['rows']})" for p in d["top_misaligned_pairs"][:5]))
        for sample in d["error_samples"][:3]:
            lines.append(f"row {sample['row']}: {sample['error']}")
        return "\n".join(lines)
