"""An in-memory rdflib backend (for notebooks, small graphs and cross-backend tests).

Parameters are bound with ``initBindings`` as plain literals, never pasted into the
query text. Not the VALUES binder: rdflib evaluates a VALUES block joined with an
OPTIONAL group incorrectly in some versions (the "VALUES + OPTIONAL" bug), while
initBindings are visible to every part of the query. Plain literals, because rdflib
tells ``"x"`` from ``"x"^^xsd:string`` and the data's code literals are plain.
"""

from __future__ import annotations

from typing import Any

from kg.backends.base import XSD, Result, Term
from kg.backends.binding import bind


def _term(node: Any) -> Term:
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return Term("uri", str(node))
    if isinstance(node, Literal):
        if node.language:
            return Term("literal", str(node), None, node.language)
        datatype = str(node.datatype) if node.datatype else XSD + "string"
        return Term("literal", str(node), datatype)
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    raise TypeError(f"unsupported term {node!r}")


class RdflibBackend:
    name = "rdflib"

    def __init__(self, graph: Any, binding: str = "values") -> None:
        self.graph = graph  # an rdflib Graph or Dataset (default_union=True for named graphs)
        self.binding = binding  # "values" (VALUES block) or "init" (initBindings)

    def select(self, query_text: str, params: dict[str, str] | None = None) -> Result:
        from rdflib import Literal, Variable

        if self.binding == "init":
            bindings = {Variable(k): Literal(str(v)) for k, v in (params or {}).items()}
            result = self.graph.query(query_text, initBindings=bindings)
        else:
            result = self.graph.query(bind(query_text, params))
        variables = [str(v) for v in result.vars or []]
        rows = []
        for solution in result:
            row = {}
            for name, value in zip(variables, solution):
                if value is not None:
                    row[name] = _term(value)
            rows.append(row)
        return Result(variables, rows)

    def construct(self, query_text: str) -> list[tuple[Term, Term, Term]]:
        return [(_term(s), _term(p), _term(o)) for s, p, o in self.graph.query(query_text)]
