"""The IRIs painkg uses, as plain strings (no rdflib import on the hot path)."""

from __future__ import annotations

PK = "https://w3id.org/painkg/"
ICD = "http://purl.bioontology.org/ontology/ICD10CM/"
SRC = "https://w3id.org/painkg/source/"
STMT = "https://w3id.org/painkg/statement/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
OWL = "http://www.w3.org/2002/07/owl#"
DCTERMS = "http://purl.org/dc/terms/"
XSD = "http://www.w3.org/2001/XMLSchema#"

# Relations the Python code walks (the queries name them in SPARQL).
BROADER = SKOS + "broader"
HAS_MECHANISM = PK + "hasMechanism"
HAS_POSSIBLE_MECHANISM = PK + "hasPossibleMechanism"
HAS_PAIN_GENERATOR = PK + "hasPainGenerator"
HAS_DIRECT_SITE = PK + "hasDirectSite"
INNERVATES = PK + "innervates"

GRAPH_CURATED = PK + "graph/curated"
GRAPH_ICD = PK + "graph/icd10cm"
GRAPH_DERIVED = PK + "graph/derived"
GRAPH_OWL = PK + "graph/owl-inferred"

PREFIXES = {
    "pk": PK,
    "icd": ICD,
    "src": SRC,
    "stmt": STMT,
    "skos": SKOS,
    "rdfs": RDFS,
    "rdf": RDF,
    "owl": OWL,
    "dcterms": DCTERMS,
    "xsd": XSD,
}


def icd_iri(notation: str) -> str:
    return ICD + notation


def curie(iri: str) -> str:
    """Shorten an IRI with the painkg prefix map, or return it unchanged."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, prefix
    return f"{name}:{iri[len(best):]}" if best else iri
