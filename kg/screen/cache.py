"""A PainKG whose named-query answers are memoised: screening asks the same few questions
(a code's info, a procedure's chain, a procedure-diagnosis alignment) millions of times."""

from __future__ import annotations

from kg.graph import PainKG

MAX_ENTRIES = 200_000  # bounded memory: forget everything past this many distinct questions


class CachedKG(PainKG):
    def __init__(self, base: PainKG) -> None:
        super().__init__(base.backend)
        self._memo: dict[tuple, list[dict]] = {}

    def rows(self, name: str, **params: str) -> list[dict]:
        key = (name, *sorted(params.items()))
        rows = self._memo.get(key)
        if rows is None:
            if len(self._memo) >= MAX_ENTRIES:
                self._memo.clear()
            rows = self._memo[key] = super().rows(name, **params)
        return rows
