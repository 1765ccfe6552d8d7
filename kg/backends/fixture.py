"""A small test graph exported from the built store, loadable into any backend.

The full graph (512k triples) takes ~25 s and 800 MB in rdflib, so cross-backend
tests and benchmarks use a fixture: every quad of the curated, derived and
OWL-inferred graphs whose subject is not an ICD-10-CM code outside the fixture, and
the ICD-10-CM triples of

- every code the curated graph names, with all its ancestors;
- every code in the blocks listed in ``SUBTREES`` (M40-M54, dorsopathies), with
  their ancestors.

Derived and OWL-inferred triples about ICD-10-CM codes outside the fixture are left out.

The same quads go into an in-memory pyoxigraph Store and an rdflib Dataset, so both
backends answer over identical data.
"""

from __future__ import annotations

from typing import Any

from kg.namespaces import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_ICD, GRAPH_OWL, ICD, SKOS, XSD

SUBTREES = ("M40-M43", "M45-M49", "M50-M54")  # the dorsopathies blocks of chapter 13
EXTRA_CODES = ("M80.08XA", "S33.6XXA", "I10", "C79.51", "G89.29")  # used by the golden cases


def _icd_codes(store: Any) -> set[str]:
    import pyoxigraph as ox

    curated = ox.NamedNode(GRAPH_CURATED)
    named = {
        term.value
        for quad in store.quads_for_pattern(None, None, None, curated)
        for term in (quad.subject, quad.object)
        if isinstance(term, ox.NamedNode) and term.value.startswith(ICD)
    }
    broader = ox.NamedNode(SKOS + "broader")
    icd = ox.NamedNode(GRAPH_ICD)
    codes: set[str] = set()
    frontier = [ICD + block for block in SUBTREES]
    while frontier:  # the blocks and everything below them
        code = frontier.pop()
        codes.add(code)
        frontier.extend(q.subject.value for q in store.quads_for_pattern(None, broader, ox.NamedNode(code), icd))
    frontier = sorted(codes | named | {ICD + code for code in EXTRA_CODES})
    while frontier:  # and every ancestor
        code = frontier.pop()
        codes.add(code)
        frontier.extend(q.object.value for q in store.quads_for_pattern(ox.NamedNode(code), broader, None, icd)
                        if q.object.value not in codes)
    return codes


def fixture_quads(store: Any) -> list[Any]:
    """The fixture's quads (pyoxigraph terms), read from the built store."""
    import pyoxigraph as ox

    codes = _icd_codes(store)
    quads = list(store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_CURATED)))
    for graph in (GRAPH_DERIVED, GRAPH_OWL):
        for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
            subject = quad.subject.value
            if not subject.startswith(ICD) or subject in codes:
                quads.append(quad)
    icd = ox.NamedNode(GRAPH_ICD)
    for code in sorted(codes):
        quads.extend(store.quads_for_pattern(ox.NamedNode(code), None, None, icd))
    return quads


def oxigraph_store(quads: list[Any]) -> Any:
    import pyoxigraph as ox

    store = ox.Store()
    store.extend(quads)
    return store


def _rdflib_term(term: Any) -> Any:
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":
        # rdflib tells "x" from "x"^^xsd:string; Turtle files and bound parameters are plain
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def rdflib_dataset(quads: list[Any]) -> Any:
    """An rdflib Dataset whose default graph is the union of the named graphs."""
    import warnings

    from rdflib import Dataset, URIRef

    dataset = Dataset(default_union=True)
    graphs: dict[str, Any] = {}
    with warnings.catch_warnings():  # rdflib 7 deprecation noise about default_context
        warnings.simplefilter("ignore", DeprecationWarning)
        for quad in quads:
            name = quad.graph_name.value
            if name not in graphs:
                graphs[name] = dataset.graph(URIRef(name))
        dataset.addN(
            (_rdflib_term(q.subject), _rdflib_term(q.predicate), _rdflib_term(q.object),
             graphs[q.graph_name.value])
            for q in quads
        )
    return dataset
