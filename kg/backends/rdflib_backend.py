"""An in-memory rdflib backend (for notebooks, small graphs and cross-backend tests).

Parameters are bound as data, never pasted into the query text: by default with the
shared VALUES binder (kg.backends.binding, escaped plain literals), optionally with
``initBindings`` (``binding="init"``). The default is VALUES because with rdflib 7.x
initBindings drop rows of an OPTIONAL whose FILTER reads an outer variable
(procedure-chain.rq loses its generator row), while the VALUES block gives the
Oxigraph answer on every named query (mind rdflib's VALUES + OPTIONAL bug when writing
one: explain-path.rq keeps each OPTIONAL a single pattern from a bound node). Plain literals,
because rdflib tells ``"x"`` from ``"x"^^xsd:string`` and the data's literals are plain.
"""

from __future__ import annotations

import warnings
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

        with warnings.catch_warnings():  # rdflib 7: Dataset.default_context deprecation noise
            warnings.simplefilter("ignore", DeprecationWarning)
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return [(_term(s), _term(p), _term(o)) for s, p, o in self.graph.query(query_text)]
