"""The embedded default: an on-disk Oxigraph store opened read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox

from kg.backends.base import Result, Term
from kg.backends.binding import bind

if TYPE_CHECKING:
    from pathlib import Path


def _term(node: object) -> Term:
    if isinstance(node, ox.NamedNode):
        return Term("uri", node.value)
    if isinstance(node, ox.Literal):
        lang = node.language
        return Term("literal", node.value, None if lang else node.datatype.value, lang)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    raise TypeError(f"unsupported term {node!r}")


class OxigraphBackend:
    name = "oxigraph"

    def __init__(self, path: str | Path | None = None, store: ox.Store | None = None) -> None:
        if store is None:
            if path is None:
                from kg.build.builder import ensure_store_dir

                path = ensure_store_dir()
            store = ox.Store.read_only(str(path))
        self.store = store

    def select(self, query_text: str, params: dict[str, str] | None = None) -> Result:
        solutions = self.store.query(bind(query_text, params), use_default_graph_as_union=True)
        variables = [v.value for v in solutions.variables]
        rows = []
        for solution in solutions:
            row = {}
            for name in variables:
                node = solution[name]
                if node is not None:
                    row[name] = _term(node)
            rows.append(row)
        return Result(variables, rows)

    def construct(self, query_text: str) -> list[tuple[Term, Term, Term]]:
        return [
            (_term(t.subject), _term(t.predicate), _term(t.object))
            for t in self.store.query(query_text, use_default_graph_as_union=True)
        ]
