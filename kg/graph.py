"""PainKG: the named queries as typed Python calls, over any backend.

The same class runs on the embedded Oxigraph store, an in-memory rdflib graph
or a remote SPARQL endpoint; only the backend differs.

The stores are read-only, so a named query with the same parameters always
returns the same rows: ``rows()`` keeps the most recent answers in a bounded
LRU cache (``cache_size=0`` turns it off). Cached rows are shared: don't mutate them.
"""

from __future__ import annotations

from functools import cached_property, lru_cache

from kg import queries
from kg.backends.base import Backend, Result
from kg.errors import UnknownCodeError


class PainKG:
    def __init__(self, backend: Backend | None = None, cache_size: int = 4096) -> None:
        if backend is None:
            from kg.backends.oxigraph import OxigraphBackend

            backend = OxigraphBackend()
        self.backend = backend
        self._cached_rows = lru_cache(maxsize=cache_size)(self._rows)

    def run(self, name: str, **params: str) -> Result:
        query = queries.load(name)
        missing = [p.name for p in query.params if p.name not in params]
        if missing:
            raise UnknownCodeError(f"query {name!r} needs parameter(s): {', '.join(missing)}")
        return self.backend.select(query.text, params or None)

    def rows(self, name: str, **params: str) -> list[dict]:
        return list(self._cached_rows(name, tuple(sorted(params.items()))))

    def _rows(self, name: str, params: tuple[tuple[str, str], ...]) -> tuple[dict, ...]:
        return tuple(self.run(name, **dict(params)).values())

    @cached_property
    def property_labels(self) -> dict[str, str]:
        return {r["property"]: str(r["label"]) for r in self.rows("property-labels")}

    def code_info(self, code: str) -> list[dict]:
        return self.rows("code-info", code=code)

    def subcodes(self, code: str) -> list[dict]:
        return self.rows("subcodes", code=code)

    def align(self, procedure_code: str, diagnosis_code: str) -> list[dict]:
        return self.rows("align", procedureCode=procedure_code, diagnosisCode=diagnosis_code)

    def explain_path(self, procedure_code: str, diagnosis_code: str) -> list[dict]:
        return self.rows("explain-path", procedureCode=procedure_code, diagnosisCode=diagnosis_code)

    def procedure_chain(self, procedure_code: str) -> list[dict]:
        return self.rows("procedure-chain", procedureCode=procedure_code)

    def mechanisms_of(self, diagnosis_code: str) -> list[dict]:
        return self.rows("mechanisms-of", diagnosisCode=diagnosis_code)

    def contraindications(self, procedure_code: str, diagnosis_code: str) -> list[dict]:
        return self.rows(
            "contraindications", procedureCode=procedure_code, diagnosisCode=diagnosis_code
        )

    def evidence(self, procedure_code: str) -> list[dict]:
        return self.rows("evidence", procedureCode=procedure_code)

    def procedure_info(self, procedure_code: str) -> list[dict]:
        return self.rows("procedure-info", procedureCode=procedure_code)

    def procedures_for_diagnosis(self, diagnosis_code: str) -> list[dict]:
        return self.rows("procedures-for-diagnosis", diagnosisCode=diagnosis_code)

    def diagnoses_for_procedure(self, procedure_code: str) -> list[dict]:
        return self.rows("diagnoses-for-procedure", procedureCode=procedure_code)
