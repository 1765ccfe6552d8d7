"""A PainKG for screening: the same named queries, with a query cache sized for a run.

Without an answer index (another backend, e.g. a remote endpoint), ``contraindications(p, d)``
is empty without running the query when no node at or above ``d`` can trigger a
contraindication (contraindication-triggers.rq, ancestors.rq); otherwise it is the named query,
as in `painkg check`. The index answers that query for any pair in one lookup.
"""

from __future__ import annotations

from functools import cached_property

from kg.graph import PainKG

MAX_ENTRIES = 100_000  # bounded memory: the query cache keeps at most this many answers


class ScreenKG(PainKG):
    def __init__(self, base: PainKG) -> None:
        # the store opens when first asked
        super().__init__(base._backend, cache_size=MAX_ENTRIES, answers=base.answers)
        self._store_dir = base._store_dir
        self._ancestors: dict[str, frozenset[str]] = {}

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
        if self.answers is None and self.ancestors(diagnosis_code).isdisjoint(
                self.contraindication_triggers):
            return []
        return super().contraindications(procedure_code, diagnosis_code)
