"""A PainKG for screening: the same named queries, answered from memory when already asked.

``contraindications(p, d)`` is empty without running the query when no node at or above ``d``
can trigger a contraindication (contraindication-triggers.rq, ancestors.rq); otherwise it is the
named query, as in `painkg check`. (align.rq is not prefetched per diagnosis with the procedure
left free: on pyoxigraph its OPTIONAL then yields rows the bound query does not, so every pair
asks the bound query.)
"""

from __future__ import annotations

from functools import cached_property

from kg.graph import PainKG

MAX_ENTRIES = 200_000  # bounded memory: forget everything past this many distinct questions


class ScreenKG(PainKG):
    def __init__(self, base: PainKG) -> None:
        super().__init__(base._backend, answers=base.answers)  # the store opens when first asked
        self._store_dir = base._store_dir
        self._memo: dict[tuple, list[dict]] = {}
        self._ancestors: dict[str, frozenset[str]] = {}

    def rows(self, name: str, **params: str) -> list[dict]:
        key = (name, *sorted(params.items()))
        rows = self._memo.get(key)
        if rows is None:
            if len(self._memo) >= MAX_ENTRIES:
                self._memo.clear()
            rows = self._memo[key] = super().rows(name, **params)
        return rows

    @cached_property
    def contraindication_triggers(self) -> frozenset[str]:
        return frozenset(r["trigger"] for r in self.rows("contraindication-triggers"))

    def ancestors(self, diagnosis_code: str) -> frozenset[str]:
        """IRIs of the code and every node above it."""
        found = self._ancestors.get(diagnosis_code)
        if found is None:
            if len(self._ancestors) >= MAX_ENTRIES:
                self._ancestors.clear()
            found = self._ancestors[diagnosis_code] = frozenset(
                r["ancestor"] for r in self.rows("ancestors", diagnosisCode=diagnosis_code))
        return found

    def contraindications(self, procedure_code: str, diagnosis_code: str) -> list[dict]:
        if self.ancestors(diagnosis_code).isdisjoint(self.contraindication_triggers):
            return []
        return super().contraindications(procedure_code, diagnosis_code)
