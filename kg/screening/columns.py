"""Which input columns hold the claim id, the procedure and the diagnoses (names can be mapped)."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kg.errors import InputError

MAX_POINTERS = 12
OUTPUT_COLUMNS = ("verdict", "necessity", "mechanism", "reason", "flags", "error")


class MissingColumnsError(InputError):
    code = "missing-columns"


@dataclass(frozen=True)
class ColumnMap:
    claim_id: str = "claim_id"
    line: str = "line"
    procedure: str = "procedure"
    dx_prefix: str = "dx"
    diagnoses: str = "diagnoses"
    date_of_service: str = "date_of_service"
    separator: str = ";"

    def resolve(self, columns: list[str]) -> Positions:
        index = {name: i for i, name in enumerate(columns)}
        missing = [] if self.procedure in index else [self.procedure]
        pointers = [index[f"{self.dx_prefix}{n}"] for n in range(1, MAX_POINTERS + 1)
                    if f"{self.dx_prefix}{n}" in index]
        joined = index.get(self.diagnoses)
        if not pointers and joined is None:
            missing.append(f"{self.dx_prefix}1..{self.dx_prefix}{MAX_POINTERS} or {self.diagnoses}")
        if missing:
            found = ", ".join(columns[:20]) or "none"
            raise MissingColumnsError(
                f"the input has no column {' and no column '.join(missing)} (found: {found}); map "
                "names with --procedure-col, --dx-prefix or --diagnoses-col"
            )
        return Positions(index.get(self.claim_id), index[self.procedure], tuple(pointers), joined,
                         self.separator)


@dataclass
class Positions:
    claim_id: int | None
    procedure: int
    pointers: tuple[int, ...]
    joined: int | None
    separator: str

    def diagnoses(self, values: list[Any]) -> tuple[str, ...]:
        """The non-empty diagnosis values of a row (pointers, then the joined column)."""
        width = len(values)
        out = [text(values[i]) for i in self.pointers if i < width and values[i]]
        if self.joined is not None and self.joined < width:
            out.extend(text(values[self.joined]).split(self.separator))
        return tuple(d for d in out if d and not d.isspace())

    def text_diagnoses(self, values: list[str]) -> tuple[str, ...]:
        """Faster ``diagnoses`` for a full-width row of strings (CSV, TSV); blank-but-not-empty
        values are kept here and skipped when the line is decided."""
        if self.joined is None:
            return tuple(filter(None, self._pick(values)))
        out = [v for i in self.pointers if (v := values[i])]
        out.extend(filter(None, values[self.joined].split(self.separator)))
        return tuple(out)

    @cached_property
    def _pick(self) -> Callable[[list[str]], tuple[str, ...]]:
        if not self.pointers:
            return lambda values: ()
        if len(self.pointers) == 1:
            i = self.pointers[0]
            return lambda values: (values[i],)
        return operator.itemgetter(*self.pointers)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):  # a missing value from pandas
        return ""
    return value if isinstance(value, str) else str(value)
