"""Export the whole knowledge graph (curated, ICD-10-CM, derived and OWL-inferred graphs,
merged into one set of triples) for loading into any triplestore."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from kg.namespaces import PREFIXES

FORMATS = {
    "nt": ox.RdfFormat.N_TRIPLES,
    "ttl": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
}
SUFFIXES = {"nt": ".nt", "ttl": ".ttl", "jsonld": ".jsonld"}

# DISTINCT: a triple asserted in two graphs (say curated and OWL-inferred) is written once.
_ALL_TRIPLES = "SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"


def triples(store: ox.Store) -> Iterator[ox.Triple]:
    for solution in store.query(_ALL_TRIPLES):
        yield ox.Triple(solution["s"], solution["p"], solution["o"])


def export(output: BinaryIO | str | Path, fmt: str = "nt", store: ox.Store | None = None) -> int:
    """Write every triple of the store to ``output`` in ``fmt``; returns the triple count."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
    if store is None:
        from kg.build.builder import ensure_store

        store = ox.Store.read_only(str(ensure_store()))
    count = 0

    def counted() -> Iterator[ox.Triple]:
        nonlocal count
        for triple in triples(store):
            count += 1
            yield triple

    prefixes = None if fmt == "nt" else PREFIXES
    if isinstance(output, Path):
        output = str(output)
    ox.serialize(counted(), output, FORMATS[fmt], prefixes=prefixes)
    return count
