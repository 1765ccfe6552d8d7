"""SHACL validation of the curated graph (``ontology/shapes.ttl``).

pySHACL and rdflib are imported inside the functions: they cost ~0.5 s to import and
must not load on the ``painkg check`` path. pySHACL mutates the shapes graph it is
given, so every call parses a fresh copy of ``shapes.ttl``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg import resources

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

SH = "http://www.w3.org/ns/shacl#"
SEVERITIES = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ShaclResult:
    """Outcome of a SHACL run.

    ``conforms`` is False only when there is at least one ``Violation``; warnings and
    infos are listed in ``results`` but do not break conformance. Each result is a dict
    with ``focus``, ``path``, ``value``, ``message``, ``severity`` (``Violation``,
    ``Warning`` or ``Info``) and ``shape``; nodes are given as full IRIs (blank nodes
    as ``_:id``, property paths in SHACL-like text).
    """

    conforms: bool
    results: list[dict[str, Any]] = field(default_factory=list)

    def violations(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["severity"] == "Violation"]

    def warnings(self) -> list[dict[str, Any]]:
        return [r for r in self.results if r["severity"] == "Warning"]


def shapes_path() -> Path:
    return resources.ontology_dir() / resources.SHAPES_FILE


def curated_graph(files: Iterable[Path] | None = None) -> rdflib.Graph:
    """The curated files (``resources.GRAPH_FILES``) as one rdflib graph."""
    import rdflib

    graph = rdflib.Graph()
    for path in files if files is not None else resources.graph_files():
        graph.parse(str(path), format="turtle")
    return graph


def _shapes_graph() -> rdflib.Graph:
    import rdflib

    shapes = rdflib.Graph()
    shapes.parse(str(shapes_path()), format="turtle")
    return shapes


def _render(node: Any, graph: rdflib.Graph) -> str | None:
    """A node of the results graph as text: IRI, literal value, or a SHACL path."""
    from rdflib import RDF, BNode, Literal, Namespace, URIRef
    from rdflib.collection import Collection

    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, Literal):
        return str(node)
    if isinstance(node, BNode):
        sh = Namespace(SH)
        for kind, fmt in (
            (sh.inversePath, "^{}"),
            (sh.oneOrMorePath, "{}+"),
            (sh.zeroOrMorePath, "{}*"),
            (sh.zeroOrOnePath, "{}?"),
        ):
            inner = graph.value(node, kind)
            if inner is not None:
                return fmt.format(_render(inner, graph))
        alternatives = graph.value(node, sh.alternativePath)
        if alternatives is not None:
            return "(" + " | ".join(_render(n, graph) or "" for n in Collection(graph, alternatives)) + ")"
        if graph.value(node, RDF.first) is not None:  # a sequence path
            return "/".join(_render(n, graph) or "" for n in Collection(graph, node))
        return f"_:{node}"
    return str(node)


def _shape_name(node: Any, shapes: rdflib.Graph) -> str | None:
    """The IRI of the named shape a (possibly blank) source shape belongs to."""
    from rdflib import BNode, URIRef

    seen = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parents = sorted(shapes.subjects(None, node), key=str)
        if not parents:
            return None
        node = parents[0]  # through sh:property, sh:node, or the rdf:first/rdf:rest of a list
    return str(node) if isinstance(node, URIRef) else None


def shacl_report(data_graph: rdflib.Graph | None = None) -> ShaclResult:
    """Validate ``data_graph`` (default: the curated files) against ``shapes.ttl``."""
    import pyshacl
    from rdflib import RDF, Namespace

    data = data_graph if data_graph is not None else curated_graph()
    shapes = _shapes_graph()  # fresh copy per call: pySHACL mutates the shapes graph
    _conforms, results_graph, _text = pyshacl.validate(
        data,
        shacl_graph=shapes,
        inference="none",
        allow_warnings=True,
        allow_infos=True,
        advanced=False,
        abort_on_first=False,
    )
    sh = Namespace(SH)
    results: list[dict[str, Any]] = []
    # Only the report's own results: nested sh:detail results (from sh:node) are not repeated.
    top_level = {
        result
        for report in results_graph.subjects(RDF.type, sh.ValidationReport)
        for result in results_graph.objects(report, sh.result)
    }
    for result in top_level:
        severity = results_graph.value(result, sh.resultSeverity)
        severity_name = str(severity).removeprefix(SH) if severity is not None else "Violation"
        messages = sorted(str(m) for m in results_graph.objects(result, sh.resultMessage))
        results.append(
            {
                "focus": _render(results_graph.value(result, sh.focusNode), results_graph),
                "path": _render(results_graph.value(result, sh.resultPath), results_graph),
                "value": _render(results_graph.value(result, sh.value), results_graph),
                "message": " ".join(messages),
                "severity": severity_name,
                "shape": _shape_name(results_graph.value(result, sh.sourceShape), shapes),
            }
        )
    order = {name: i for i, name in enumerate(SEVERITIES)}
    results.sort(
        key=lambda r: (order.get(r["severity"], 9), r["focus"] or "", r["path"] or "", r["message"], r["value"] or "")
    )
    conforms = not any(r["severity"] == "Violation" for r in results)
    return ShaclResult(conforms=conforms, results=results)
