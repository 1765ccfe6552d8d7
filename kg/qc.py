"""ROBOT-report-style quality control: ``queries/qc/*.rq`` over the built store.

Each query projects ``?entity ?property ?value`` and declares its level in its header
(``# severity: ERROR|WARN|INFO``). ``run_qc()`` runs them all on the Oxigraph store
(union default graph) and returns one :class:`QcRow` per result row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg import resources
from kg.queries import parse_header

LEVELS = ("INFO", "WARN", "ERROR")
_RANK = {level: i for i, level in enumerate(LEVELS)}


@dataclass(frozen=True, order=True)
class QcRow:
    """One finding: which check, how bad, and the ``?entity ?property ?value`` it returned.

    IRIs are full strings, literals their lexical form, unbound values ``None``.
    """

    query: str
    severity: str
    entity: str | None
    property: str | None
    value: str | None


@dataclass(frozen=True)
class QcQuery:
    name: str
    path: Path
    title: str
    description: str
    severity: str
    text: str


def qc_dir() -> Path:
    return resources.queries_dir() / "qc"


def load_queries(directory: Path | None = None) -> list[QcQuery]:
    """The QC queries with their header fields, sorted by name."""
    queries = []
    for path in sorted((directory or qc_dir()).glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = parse_header(path.stem, path, text)
        severity = (header.severity or "").upper()
        if severity not in _RANK:
            raise ValueError(f"{path.name}: header '# severity:' must be one of {', '.join(LEVELS)}")
        queries.append(
            QcQuery(
                name=path.stem,
                path=path,
                title=header.title or path.stem,
                description=header.description,
                severity=severity,
                text=text,
            )
        )
    return queries


def _open(store_or_backend: Any) -> Any:
    import pyoxigraph as ox

    if store_or_backend is None:
        from kg.build.builder import ensure_store

        return ox.Store.read_only(str(ensure_store()))
    if isinstance(store_or_backend, (str, Path)):
        return ox.Store.read_only(str(store_or_backend))
    return store_or_backend  # an open pyoxigraph.Store, or anything with the same query()


def _text(term: Any) -> str | None:
    if term is None:
        return None
    value = getattr(term, "value", None)
    return str(value) if value is not None else str(term)


def run_query(query: QcQuery, store: Any) -> list[QcRow]:
    solutions = store.query(query.text, use_default_graph_as_union=True)
    rows = []
    for solution in solutions:
        rows.append(
            QcRow(
                query=query.name,
                severity=query.severity,
                entity=_text(solution["entity"]),
                property=_text(solution["property"]),
                value=_text(solution["value"]),
            )
        )
    return rows


def run_qc(store_or_backend: Any = None, queries: list[QcQuery] | None = None) -> list[QcRow]:
    """Run every QC query (default: ``queries/qc/*.rq``) on the store.

    ``store_or_backend`` is None (the built store, built first if needed), the path of an
    Oxigraph store, or an open ``pyoxigraph.Store``. Rows are sorted by severity (ERROR
    first), then query, entity, property and value.
    """
    store = _open(store_or_backend)
    rows: list[QcRow] = []
    for query in queries if queries is not None else load_queries():
        rows.extend(run_query(query, store))
    rows.sort(key=lambda r: (-_RANK[r.severity], r.query, r.entity or "", r.property or "", r.value or ""))
    return rows


def severity_at_least(rows: list[QcRow], level: str) -> list[QcRow]:
    """The rows at ``level`` or worse (``INFO`` < ``WARN`` < ``ERROR``); ``none`` gives []."""
    level = level.upper()
    if level == "NONE":
        return []
    if level == "WARNING":
        level = "WARN"
    if level not in _RANK:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVELS)} or none")
    return [row for row in rows if _RANK[row.severity] >= _RANK[level]]
