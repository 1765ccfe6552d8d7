"""PainKG: the named queries as typed Python calls, over any backend.

The same class runs on the embedded Oxigraph store, an in-memory rdflib graph
or a remote SPARQL endpoint; only the backend differs.

The stores are read-only, so a named query with the same parameters always
returns the same rows: ``rows()`` keeps the most recent answers in a bounded
LRU cache (``cache_size=0`` turns it off). Cached rows are shared: don't mutate them.

``PainKG()`` with no backend is the embedded default: the on-disk Oxigraph store and the answer
index compiled beside it at build time (:mod:`kg.answers`). ``rows()`` takes what the index
holds and asks the store for the rest; the store is opened on the first such question.
Pass a backend to ask it alone (give ``answers=`` too to put an index in front of it).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from typing import TYPE_CHECKING

from kg import queries
from kg.errors import UnknownCodeError

if TYPE_CHECKING:
    from kg.answers import AnswerIndex
    from kg.backends.base import Backend, Result


_DEFAULTS: dict[tuple[str | None, str | None], PainKG] = {}


class PainKG:
    def __init__(self, backend: Backend | None = None, cache_size: int = 4096,
                 answers: AnswerIndex | None = None) -> None:
        self._backend = backend
        self._store_dir: str | None = None
        if backend is None and answers is None:
            from kg.answers import AnswerIndex
            from kg.build.builder import ensure_store_dir

            self._store_dir = ensure_store_dir()
            answers = AnswerIndex.open(self._store_dir)
        self.answers = answers
        self._cached_rows = lru_cache(maxsize=cache_size)(self._rows)

    @classmethod
    def default(cls) -> PainKG:
        """The embedded default, made once per process (per cache location) and shared: the
        stores are read-only, and a new one would open the store and index again."""
        import os

        where = (os.environ.get("PAINKG_HOME"), os.environ.get("XDG_CACHE_HOME"))
        found = _DEFAULTS.get(where)
        if found is None:
            found = _DEFAULTS[where] = cls()
        return found

    @property
    def backend(self) -> Backend:
        """The store that answers what the index does not (opened on first use)."""
        if self._backend is None:
            from kg.backends.oxigraph import OxigraphBackend

            self._backend = OxigraphBackend(self._store_dir)
        return self._backend

    def run(self, name: str, **params: str) -> Result:
        """The named query's result, from the backend (never the index)."""
        return self.backend.select(self._query(name, params).text, params or None)

    @staticmethod
    def _query(name: str, params: dict[str, str]) -> queries.NamedQuery:
        query = queries.load(name)
        missing = [p.name for p in query.params if p.name not in params]
        if missing:
            raise UnknownCodeError(f"query {name!r} needs parameter(s): {', '.join(missing)}")
        return query

    def rows(self, name: str, **params: str) -> list[dict]:
        return list(self._cached_rows(name, tuple(sorted(params.items()))))

    def _rows(self, name: str, params: tuple[tuple[str, str], ...]) -> tuple[dict, ...]:
        bound = dict(params)
        query = self._query(name, bound)
        if self.answers is not None and len(bound) == len(query.params):  # exactly its parameters
            found = self.answers.get(name, bound)
            if found is not None:
                return tuple(found)
        return tuple(self.backend.select(query.text, bound or None).values())

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
