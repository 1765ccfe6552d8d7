"""Answers of the `check` path's named queries, compiled from the store at build time.

``kg.build.answers`` runs the same ``queries/*.rq`` files over every key once and keeps their
rows in ``answers.sqlite`` beside the store (same content key, same lifetime). ``PainKG.rows``
asks this index first and the store only for what it does not hold. Two kinds of entry:

- per-entity queries (code-info, mechanisms-of, procedure-chain, evidence, procedure-info,
  property-labels): run unbound, rows grouped by their parameter values. The index is complete
  for them: a key with no entry has no rows.
- per-pair queries (align, contraindications): they read the diagnosis only through a few
  properties (align: its effective regions, mechanisms and possible mechanisms;
  contraindications: the triggers at or above it), so codes with the same such *profile* have
  the same rows apart from the diagnosis columns. One representative code per profile is
  asked with every procedure; its rows are kept with the diagnosis columns blank and filled in
  on reading. tests/test_answers.py compares the index with the live queries.

Rows are ``marshal`` tuples (stdlib, no import cost), so the index is tied to the Python that
built it: another Python's marshal version makes ``open`` return None and the store answers.
"""

from __future__ import annotations

import marshal
import os
import sqlite3
import threading

FILE_NAME = "answers.sqlite"
FORMAT = f"1:marshal{marshal.version}"
SEPARATOR = "\x1f"
ENTITY_QUERIES = ("code-info", "mechanisms-of", "procedure-chain", "evidence", "procedure-info",
                  "property-labels")
# per-pair query -> (profile column, diagnosis columns left blank in the kept rows)
PROFILED_QUERIES = {
    "align": ("align_profile", ("diagnosisCode", "diagnosis")),
    "contraindications": ("contraindication_profile", ("diagnosisCode",)),
}
DIAGNOSIS_PARAM = "diagnosisCode"


def entity_key(params: dict[str, str]) -> str:
    return SEPARATOR.join(params[k] for k in sorted(params))


def profile_key(procedure_code: str, profile: int) -> str:
    return f"{procedure_code}{SEPARATOR}#{profile}"


class AnswerIndex:
    """Read-only access to ``answers.sqlite``; ``get`` returns None for what it does not hold."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self._lock = threading.Lock()  # one connection, shared by the server's threads

    def _one(self, sql: str, args: tuple) -> tuple | None:
        with self._lock:
            return self._db.execute(sql, args).fetchone()

    @classmethod
    def open(cls, store_dir: str) -> AnswerIndex | None:
        path = os.path.join(store_dir, FILE_NAME)
        if not os.path.exists(path):
            return None
        db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        try:
            found = db.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except sqlite3.Error:  # damaged or not an index: the store answers everything
            found = None
        if not found or found[0] != FORMAT:
            db.close()
            return None
        return cls(db)

    def close(self) -> None:
        self._db.close()

    def _answer(self, name: str, key: str) -> list[dict] | None:
        found = self._one("SELECT variables, rows FROM answer JOIN variables USING (query) "
                          "WHERE query = ? AND key = ?", (name, key))
        if found is None:
            return None
        names = marshal.loads(found[0])
        return [{k: v for k, v in zip(names, row) if v is not None} for row in marshal.loads(found[1])]

    def get(self, name: str, params: dict[str, str]) -> list[dict] | None:
        """The rows of named query ``name`` with ``params``, or None when not indexed."""
        if name in ENTITY_QUERIES:
            return self._answer(name, entity_key(params)) or []
        if name in PROFILED_QUERIES and set(params) == {"procedureCode", DIAGNOSIS_PARAM}:
            return self._profiled(name, params["procedureCode"], params[DIAGNOSIS_PARAM])
        return None

    def _profiled(self, name: str, procedure: str, code: str) -> list[dict]:
        info = [r for r in self.get("code-info", {"code": code}) or () if r.get("kind") == "icd10cm"]
        if not info:
            return []  # both queries need an ICD-10-CM code
        column, blanks = PROFILED_QUERIES[name]
        found = self._one(f"SELECT {column} FROM profile WHERE code = ?", (code,))
        rows = self._answer(name, profile_key(procedure, found[0] if found else 0)) or []
        fill = {"diagnosisCode": code, "diagnosis": info[0]["entity"]}
        for row in rows:
            for blank in blanks:
                row[blank] = fill[blank]
        return rows
