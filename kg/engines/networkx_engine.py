"""The alignment verdict by graph traversal, independently of the SPARQL rules.

Only *asserted* edges are read from the store (curated + ICD-10-CM graphs): the
hierarchy, mechanism assignments, Excludes1 links, regions, region phrases and
labels, procedure sites, mechanism treatment sites and innervation. Nothing the
build derives (``pk:effective*``, ``pk:titleRegion``, ``pk:treatsMechanism``) is
read: this module recomputes all of it, so that agreement with ``align.rq`` is
evidence that both are right. The semantics follow ``queries/rules/*.rq``:

- title regions: a code whose lower-cased title contains a region's ICD title
  phrase, at a word start, names that region;
- effective region / mechanisms: those of the nearest ancestor-or-self that has
  any (a nearer assignment overrides everything above it);
- possible mechanisms: the candidates of that assignment, minus the definite ones,
  minus every mechanism that is the effective definite mechanism of a code named
  in an Excludes1 note of the code or of any ancestor;
- treats: the procedure's direct site is a treatment site of the mechanism
  (any sub-property of ``pk:hasTreatmentSite``) or innervates its pain generator;
- verdict: aligned (region compatible and a definite mechanism treated),
  indeterminate (region compatible and a possible one treated), else misaligned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import networkx as nx

from kg.namespaces import (
    BROADER,
    GRAPH_CURATED,
    GRAPH_ICD,
    HAS_DIRECT_SITE,
    HAS_MECHANISM,
    HAS_PAIN_GENERATOR,
    HAS_POSSIBLE_MECHANISM,
    INNERVATES,
    PK,
    RDF,
    RDFS,
    SKOS,
)

EXCLUDES1 = PK + "excludes1"
HAS_REGION = PK + "hasRegion"
TITLE_REGION = PK + "titleRegion"  # recomputed here, never read
OVERLAPS = PK + "overlapsRegion"
TREATMENT_SITE = PK + "hasTreatmentSite"
ICD_CODE = PK + "ICD10CMCode"

ALIGNED, INDETERMINATE, MISALIGNED = "aligned", "indeterminate", "misaligned"


@dataclass(frozen=True)
class Verdict:
    verdict: str
    region_compatible: bool
    mechanisms: frozenset[str]  # the mechanisms that decide the verdict (empty if misaligned)


class NetworkxEngine:
    """A typed DiGraph of the asserted edges; each edge carries the set of its relations."""

    def __init__(self, graph: nx.DiGraph, notations: dict[str, str],
                 procedure_codes: dict[str, str], billable: set[str]) -> None:
        self.graph = graph
        self.by_notation = notations  # "M54.51" -> code IRI
        self.procedure_by_code = procedure_codes  # "64628" -> procedure IRI
        self.billable = billable  # code IRIs
        self._region_holder = lru_cache(maxsize=None)(self._nearest_holder_regions)
        self._assignment = lru_cache(maxsize=None)(self._nearest_assignment)
        self._treats = lru_cache(maxsize=None)(self._treated_mechanisms)
        self._possible = lru_cache(maxsize=None)(self._possible_mechanisms)

    # ----------------------------------------------------------------- loading
    @classmethod
    def from_store(cls, store: Any) -> NetworkxEngine:
        """Read the asserted edges from a pyoxigraph Store (curated and ICD graphs only)."""
        import pyoxigraph as ox

        graphs = [ox.NamedNode(GRAPH_CURATED), ox.NamedNode(GRAPH_ICD)]

        def triples(predicate: str) -> Iterable[tuple[Any, Any]]:
            p = ox.NamedNode(predicate)
            for g in graphs:
                for quad in store.quads_for_pattern(None, p, None, g):
                    yield quad.subject, quad.object

        g = nx.DiGraph()

        def edge(s: str, rel: str, o: str) -> None:
            if g.has_edge(s, o):
                g[s][o]["rels"].add(rel)
            else:
                g.add_edge(s, o, rels={rel})

        codes = {s.value for s, o in triples(RDF + "type") if o.value == ICD_CODE}
        for node in codes:
            g.add_node(node, kind="code")
        for rel in (BROADER, HAS_MECHANISM, HAS_POSSIBLE_MECHANISM, EXCLUDES1, HAS_REGION, OVERLAPS,
                    HAS_DIRECT_SITE, INNERVATES):
            for s, o in triples(rel):
                if isinstance(o, ox.NamedNode):
                    edge(s.value, rel, o.value)
        site_props = cls._sub_properties(list(triples(RDFS + "subPropertyOf")), TREATMENT_SITE)
        for rel in site_props:
            for s, o in triples(rel):
                edge(s.value, rel, o.value)
        g.graph["treatment_site_properties"] = frozenset(site_props)

        # title regions (rule 10), recomputed from the labels and the region phrases
        phrases = [(s.value, o.value) for s, o in triples(PK + "icdTitlePhrase")]
        patterns = [(region, phrase, re.compile("(^|[^a-z])" + phrase)) for region, phrase in phrases]
        for s, o in triples(RDFS + "label"):
            if s.value not in codes:
                continue
            title = o.value.lower()
            for region, phrase, pattern in patterns:
                if phrase in title and pattern.search(title):
                    edge(s.value, TITLE_REGION, region)

        notations = {o.value: s.value for s, o in triples(SKOS + "notation") if s.value in codes}
        procedures = {o.value: s.value
                      for rel in (PK + "cptCode", PK + "hcpcsCode") for s, o in triples(rel)}
        for iri in procedures.values():
            g.add_node(iri, kind="procedure")
        billable = {s.value for s, o in triples(PK + "billable") if o.value in ("true", "1")}
        return cls(g, notations, procedures, billable)

    @staticmethod
    def _sub_properties(pairs: list[tuple[Any, Any]], top: str) -> set[str]:
        """``?p rdfs:subPropertyOf* top``."""
        found, frontier = {top}, [top]
        while frontier:
            parent = frontier.pop()
            for s, o in pairs:
                if o.value == parent and s.value not in found:
                    found.add(s.value)
                    frontier.append(s.value)
        return found

    # --------------------------------------------------------------- traversal
    def _out(self, node: str, *rels: str) -> set[str]:
        if node not in self.graph:
            return set()
        return {o for o, data in self.graph[node].items() if data["rels"].intersection(rels)}

    def _in(self, node: str, *rels: str) -> set[str]:
        if node not in self.graph:
            return set()
        return {s for s, _, data in self.graph.in_edges(node, data=True)
                if data["rels"].intersection(rels)}

    def ancestors_or_self(self, code: str) -> list[str]:
        """The code and its ancestors, nearest first (ICD-10-CM is a tree)."""
        chain, seen = [code], {code}
        frontier = [code]
        while frontier:
            parents = sorted(self._out(frontier.pop(), BROADER) - seen)
            seen.update(parents)
            chain.extend(parents)
            frontier.extend(parents)
        return chain

    def _nearest_holder_regions(self, code: str) -> frozenset[str]:
        for node in self.ancestors_or_self(code):
            regions = self._out(node, HAS_REGION, TITLE_REGION)
            if regions:
                return frozenset(regions)
        return frozenset()

    def effective_regions(self, code: str) -> frozenset[str]:
        return self._region_holder(code)

    def _nearest_assignment(self, code: str) -> tuple[frozenset[str], frozenset[str]]:
        for node in self.ancestors_or_self(code):
            definite = self._out(node, HAS_MECHANISM)
            candidates = self._out(node, HAS_POSSIBLE_MECHANISM)
            if definite or candidates:
                return frozenset(definite), frozenset(candidates)
        return frozenset(), frozenset()

    def definite_mechanisms(self, code: str) -> frozenset[str]:
        return self._assignment(code)[0]

    def possible_mechanisms(self, code: str) -> frozenset[str]:
        return self._possible(code)

    def _possible_mechanisms(self, code: str) -> frozenset[str]:
        definite, candidates = self._assignment(code)
        excluded: set[str] = set()
        for node in self.ancestors_or_self(code):
            for target in self._out(node, EXCLUDES1):
                excluded |= self.definite_mechanisms(target)
        return frozenset(candidates - definite - excluded)

    def _treated_mechanisms(self, procedure: str) -> frozenset[str]:
        site_props = self.graph.graph["treatment_site_properties"]
        treated: set[str] = set()
        for site in self._out(procedure, HAS_DIRECT_SITE):
            treated |= self._in(site, *site_props)
            for generator in self._out(site, INNERVATES):
                treated |= self._in(generator, HAS_PAIN_GENERATOR)
        return frozenset(treated)

    def treats(self, procedure: str) -> frozenset[str]:
        return self._treats(procedure)

    def region_compatible(self, procedure: str, code: str) -> bool:
        code_regions = self.effective_regions(code)
        if not code_regions:
            return True
        return any(self._out(region, OVERLAPS) & code_regions
                   for region in self._out(procedure, HAS_REGION))

    # ----------------------------------------------------------------- verdict
    def verdict_iri(self, procedure: str, code: str) -> Verdict:
        compatible = self.region_compatible(procedure, code)
        treated = self.treats(procedure)
        definite = self.definite_mechanisms(code) & treated
        if compatible and definite:
            return Verdict(ALIGNED, True, definite)
        possible = self.possible_mechanisms(code) & treated
        if compatible and possible:
            return Verdict(INDETERMINATE, True, possible)
        return Verdict(MISALIGNED, compatible, frozenset())

    def verdicts(self, diagnosis_codes: Iterable[str]) -> dict[tuple[str, str], Verdict]:
        """Every procedure x each known diagnosis code, keyed by (procedure code, diagnosis code)."""
        out: dict[tuple[str, str], Verdict] = {}
        for diagnosis_code in diagnosis_codes:
            code = self.by_notation.get(diagnosis_code)
            if code is None:
                continue
            for procedure_code, procedure in self.procedure_by_code.items():
                out[procedure_code, diagnosis_code] = self.verdict_iri(procedure, code)
        return out

    def verdict(self, procedure_code: str, diagnosis_code: str) -> Verdict | None:
        """The verdict for two codes, or None when either is unknown (align.rq: no row)."""
        procedure = self.procedure_by_code.get(procedure_code)
        code = self.by_notation.get(diagnosis_code)
        if procedure is None or code is None:
            return None
        return self.verdict_iri(procedure, code)
