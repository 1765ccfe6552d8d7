"""The alignment verdict from the HermiT inferences (graph pk:graph/owl-inferred).

HermiT infers, by the property chains of ontology/tbox.ttl, ``pk:alignedWith``
(the procedure treats a mechanism the code asserts as definite),
``pk:possiblyAlignedWith`` (... as possible), ``pk:regionCompatibleWith`` (a
procedure region overlaps a region the code or an ancestor names),
``pk:treatsMechanism`` and ``pk:excludesMechanism`` (an Excludes1 note of the code
or of an ancestor names a code with that mechanism).

OWL is open-world and monotonic, so two steps of the verdict are closed-world and
made here, over the inferred closure and the asserted facts the reasoner read:

- a possible mechanism counts only if it is not also definite for the code and not
  ``pk:excludesMechanism`` of it (negation as failure);
- a code that names no region at all (no ``pk:hasRegion``/``pk:titleRegion`` on it or
  an ancestor: the sub-properties of ``pk:hasEffectiveRegion``) is compatible with
  every procedure.

The engine answers for the *curated diagnoses*: the codes that assert a mechanism
themselves, where the nearest assignment is the code's own, so that the monotonic
OWL chains and the override semantics of the SPARQL rules must coincide.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from kg.engines.networkx_engine import ALIGNED, INDETERMINATE, MISALIGNED, Verdict
from kg.namespaces import GRAPH_CURATED, GRAPH_DERIVED, GRAPH_ICD, GRAPH_OWL, PK, SKOS

_INFERRED = ("alignedWith", "possiblyAlignedWith", "regionCompatibleWith", "treatsMechanism",
             "excludesMechanism")


class OwlEngine:
    def __init__(self, facts: dict[str, dict[str, set[str]]], region_namers: set[str],
                 notation_of: dict[str, str], procedure_codes: dict[str, str]) -> None:
        self.facts = facts  # property local name -> subject -> objects
        self.region_namers = region_namers  # code IRIs that name a region (self or ancestor)
        self.notation_of = notation_of  # curated code IRI -> notation
        self.procedure_by_code = procedure_codes

    @classmethod
    def from_store(cls, store: Any) -> OwlEngine:
        import pyoxigraph as ox

        def pairs(predicate: str, graph: str) -> Iterable[tuple[str, str]]:
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None,
                                                ox.NamedNode(graph)):
                yield quad.subject.value, quad.object.value

        facts: dict[str, dict[str, set[str]]] = {}
        for name in _INFERRED:
            facts[name] = defaultdict(set)
            for s, o in pairs(PK + name, GRAPH_OWL):
                facts[name][s].add(o)
        for name in ("hasMechanism", "hasPossibleMechanism"):
            facts[name] = defaultdict(set)
            for s, o in pairs(PK + name, GRAPH_CURATED):
                facts[name][s].add(o)
        curated = set(facts["hasMechanism"]) | set(facts["hasPossibleMechanism"])

        parent = dict(pairs(SKOS + "broader", GRAPH_ICD))
        naming = {s for g in (GRAPH_CURATED, GRAPH_DERIVED)
                  for p in (PK + "hasRegion", PK + "titleRegion") for s, _ in pairs(p, g)}
        region_namers = set()
        for code in curated:
            node: str | None = code
            while node is not None:
                if node in naming:
                    region_namers.add(code)
                    break
                node = parent.get(node)
        notation_of = {s: o for s, o in pairs(SKOS + "notation", GRAPH_ICD) if s in curated}
        procedures = {o: s for p in (PK + "cptCode", PK + "hcpcsCode")
                      for s, o in pairs(p, GRAPH_CURATED)}
        return cls(facts, region_namers, notation_of, procedures)

    @property
    def curated_diagnoses(self) -> list[str]:
        """Notations of the codes that assert a mechanism themselves."""
        return sorted(self.notation_of.values())

    def verdict_iri(self, procedure: str, code: str) -> Verdict:
        f = self.facts
        compatible = code in f["regionCompatibleWith"][procedure] or code not in self.region_namers
        treated = f["treatsMechanism"][procedure]
        if compatible and code in f["alignedWith"][procedure]:
            return Verdict(ALIGNED, True, frozenset(treated & f["hasMechanism"][code]))
        if compatible and code in f["possiblyAlignedWith"][procedure]:
            possible = (treated & f["hasPossibleMechanism"][code]) - f["hasMechanism"][code] \
                - f["excludesMechanism"][code]
            if possible:
                return Verdict(INDETERMINATE, True, frozenset(possible))
        return Verdict(MISALIGNED, compatible, frozenset())

    def verdicts(self) -> dict[tuple[str, str], Verdict]:
        """Every procedure x every curated diagnosis, keyed by (procedure code, diagnosis code)."""
        return {
            (procedure_code, notation): self.verdict_iri(procedure, code)
            for code, notation in self.notation_of.items()
            for procedure_code, procedure in self.procedure_by_code.items()
        }
