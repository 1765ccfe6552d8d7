"""Validation of the shipped data: SHACL shapes, OWL reasoning with HermiT, QC queries.

Each check runs on the shipped data (must pass) and on a deliberately broken copy (must fail
for the reason we broke it). The Oxigraph store is built once per session; HermiT runs once
for the shipped data and once per broken copy.
"""

from __future__ import annotations

import re
import shutil

import pytest

from kg import resources
from kg.namespaces import DCTERMS, GRAPH_CURATED, GRAPH_DERIVED, ICD, PK, RDF, RDFS, SKOS, STMT

needs_java = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


# ---------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def store_path():
    from kg.build.builder import ensure_store

    return ensure_store(progress=None)


@pytest.fixture(scope="session")
def curated():
    from kg.validate import curated_graph

    return curated_graph()


def _copy(graph):
    import rdflib

    copy = rdflib.Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def _u(iri: str):
    from rdflib import URIRef

    return URIRef(iri)


# ---------------------------------------------------------------------------
# SHACL
# ---------------------------------------------------------------------------


def test_shapes_file_is_shipped_apart_from_the_graph():
    assert resources.SHAPES_FILE not in resources.GRAPH_FILES
    assert (resources.ontology_dir() / resources.SHAPES_FILE).is_file()


def test_shacl_conforms_on_shipped_data():
    from kg.validate import shacl_report

    report = shacl_report()
    assert report.conforms, "\n".join(f"{r['focus']} {r['path']}: {r['message']}" for r in report.violations())
    assert report.violations() == []
    assert all(r["severity"] in ("Warning", "Info") for r in report.results)


def test_shacl_fails_on_missing_direct_site_and_unsourced_statement(curated):
    from kg.validate import shacl_report

    broken = _copy(curated)
    procedure = _u(PK + "BasivertebralNerveAblationInitial")
    statement = _u(STMT + "bvna-evidence-rct")
    broken.remove((procedure, _u(PK + "hasDirectSite"), None))
    broken.remove((statement, _u(DCTERMS + "source"), None))

    report = shacl_report(broken)

    assert not report.conforms
    found = {(r["focus"], r["path"]) for r in report.violations()}
    assert found == {
        (str(procedure), PK + "hasDirectSite"),
        (str(statement), DCTERMS + "source"),
    }
    messages = {r["focus"]: r["message"] for r in report.violations()}
    assert "no pk:hasDirectSite" in messages[str(procedure)]
    assert "Statement has no dcterms:source" in messages[str(statement)]


def test_shacl_fails_on_bad_statements_sources_and_sites(curated):
    from rdflib import Literal

    from kg.validate import shacl_report

    broken = _copy(curated)
    # a contraindication with two triggers
    broken.add((_u(STMT + "bvna-ci-fracture"), _u(PK + "contraindicatingCode"), _u(ICD + "M80.08")))
    # a coverage statement with two statuses
    broken.add((_u(STMT + "bvna-coverage-aetna"), _u(PK + "coverageStatus"), _u(PK + "NotCovered")))
    # a region used as a direct site
    broken.add((_u(PK + "LumbarDiscography"), _u(PK + "hasDirectSite"), _u(PK + "LumbarRegion")))
    # an undeclared source, and a curated ICD assignment without any source
    broken.add((_u(PK + "FacetogenicPain"), _u(DCTERMS + "source"), _u(PK + "source/NoSuchSource")))
    broken.add((_u(ICD + "M99.03"), _u(PK + "hasRegion"), _u(PK + "LumbarRegion")))
    # a mechanism without definition
    broken.remove((_u(PK + "CoccygealPain"), _u(SKOS + "definition"), None))
    # a malformed CPT code
    broken.add((_u(PK + "LumbarDiscography"), _u(PK + "cptCode"), Literal("6229")))

    report = shacl_report(broken)
    assert not report.conforms
    by_focus: dict[str, list[str]] = {}
    for r in report.violations():
        by_focus.setdefault(r["focus"], []).append(r["message"])

    def has(focus: str, fragment: str) -> bool:
        return any(fragment in message for message in by_focus.get(focus, []))

    assert has(STMT + "bvna-ci-fracture", "exactly one of pk:contraindicatingCode / pk:contraindicatingRedFlag")
    assert has(STMT + "bvna-coverage-aetna", "exactly one pk:coverageStatus")
    assert has(PK + "LumbarDiscography", "Direct site of the procedure is not an anatomy class")
    assert has(PK + "LumbarDiscography", "not a five-character CPT code")
    assert has(PK + "source/NoSuchSource", "not declared as a pk:Source")
    assert has(ICD + "M99.03", "no dcterms:source")
    assert has(PK + "CoccygealPain", "Mechanism has no skos:definition")
    assert len(by_focus) == 6, sorted(by_focus)


def test_shacl_uses_a_fresh_shapes_graph_per_call(curated):
    from kg.validate import shacl_report

    first = shacl_report(curated)
    second = shacl_report(curated)
    assert first == second


# ---------------------------------------------------------------------------
# OWL reasoning (HermiT via owlready2)
# ---------------------------------------------------------------------------


@pytest.fixture(scope="session")
def reasoned(store_path):
    from kg.reasoning import reason

    return reason(store=store_path)


@pytest.fixture(scope="session")
def reasoner_input(store_path):
    from kg.reasoning import reasoning_input

    return reasoning_input(store=store_path)


@needs_java
def test_owl_consistent_and_coherent(reasoned):
    assert reasoned.consistent, reasoned.message
    assert reasoned.unsatisfiable == []
    assert reasoned.explanation == []
    print(f"HermiT: {reasoned.seconds:.1f} s in all, {reasoned.hermit_seconds:.1f} s in Java")


@needs_java
def test_inferred_alignment(reasoned):
    bvna = _u(PK + "BasivertebralNerveAblationInitial")
    aligned = _u(PK + "alignedWith")
    assert (bvna, aligned, _u(ICD + "M54.51")) in reasoned.inferred
    assert (bvna, aligned, _u(ICD + "M51.1")) not in reasoned.inferred
    assert (bvna, _u(PK + "treatsMechanism"), _u(PK + "VertebrogenicPain")) in reasoned.inferred
    assert (bvna, _u(PK + "possiblyAlignedWith"), _u(ICD + "M54.5")) in reasoned.inferred
    assert (bvna, _u(PK + "regionCompatibleWith"), _u(ICD + "M54.51")) in reasoned.inferred
    # the self-links restrict pk:regionCompatibleWith to procedure -> diagnosis
    assert not any(str(o).startswith(PK) for o in reasoned.inferred.objects(None, _u(PK + "regionCompatibleWith")))
    predicates = {str(p) for p in reasoned.inferred.predicates()}
    assert predicates == {
        PK + "alignedWith",
        PK + "possiblyAlignedWith",
        PK + "regionCompatibleWith",
        PK + "treatsMechanism",
        PK + "excludesMechanism",
    }
    # Excludes1 of M54.5 names M54.4- (lumbago with sciatica): radicular pain is excluded
    assert (_u(ICD + "M54.5"), _u(PK + "excludesMechanism"), _u(PK + "RadicularPain")) in reasoned.inferred


@needs_java
def test_committed_owl_inferred_equals_a_fresh_run(reasoned):
    from kg.reasoning import inferred_path, inferred_turtle

    committed = inferred_path().read_text(encoding="utf-8")
    assert committed == inferred_turtle(reasoned.inferred), (
        "ontology/inferred/owl-inferred.ttl is stale: run `painkg reason` (kg.reasoning.write_inferred())"
    )


@needs_java
def test_inconsistency_is_reported_with_an_explanation(reasoner_input):
    from kg.reasoning import reason

    broken = _copy(reasoner_input)
    mechanism = _u(PK + "VertebrogenicPain")  # already a nociceptive mechanism
    broken.add((mechanism, _u(RDF + "type"), _u(PK + "NeuropathicPain")))

    result = reason(broken)

    assert result.consistent is False
    assert len(result.inferred) == 0
    assert "inconsistent" in result.message
    clash = [row for row in result.explanation if row["property"] == "inconsistency"]
    assert clash == [
        {
            "entity": str(mechanism),
            "property": "inconsistency",
            "value": "pk:VertebrogenicPain is an instance of disjoint classes "
            "pk:NeuropathicPain and pk:NociceptivePain",
        }
    ]
    reasons = [row["value"] for row in result.explanation if row["property"] == "rdf:type"]
    assert any("pk:VertebrogenicPain rdf:type pk:NeuropathicPain (asserted)" in r for r in reasons)


@needs_java
def test_region_as_pain_generator_is_inconsistent(reasoner_input):
    from kg.reasoning import reason

    broken = _copy(reasoner_input)
    broken.add((_u(PK + "FacetogenicPain"), _u(PK + "hasPainGenerator"), _u(PK + "LumbarRegion")))

    result = reason(broken)

    assert not result.consistent
    clash = [row for row in result.explanation if row["property"] == "inconsistency"]
    assert [row["entity"] for row in clash] == [PK + "LumbarRegion"]
    assert "pk:AnatomicalStructure and pk:SpinalRegion" in clash[0]["value"]
    assert any("range of pk:hasPainGenerator" in row["value"] for row in result.explanation)


@needs_java
def test_unsatisfiable_class_is_listed_with_its_axioms(reasoner_input):
    from kg.reasoning import reason

    broken = _copy(reasoner_input)
    bad = _u(PK + "MixedUpPain")
    broken.add((bad, _u(RDF + "type"), _u("http://www.w3.org/2002/07/owl#Class")))
    broken.add((bad, _u(RDFS + "subClassOf"), _u(PK + "NociceptivePain")))
    broken.add((bad, _u(RDFS + "subClassOf"), _u(PK + "NeuropathicPain")))

    result = reason(broken)

    assert result.consistent  # a class with no members can be empty
    assert {"entity": str(bad), "property": "owl:equivalentClass", "value": "owl:Nothing"} in result.unsatisfiable
    assert {"entity": str(bad), "property": "rdfs:subClassOf", "value": "pk:NeuropathicPain"} in result.unsatisfiable
    assert {row["entity"] for row in result.unsatisfiable} == {str(bad)}


# ---------------------------------------------------------------------------
# QC queries
# ---------------------------------------------------------------------------


def test_qc_queries_have_robot_report_headers():
    from kg.qc import load_queries, qc_dir

    queries = load_queries()
    assert len(queries) >= 9
    names = {q.name for q in queries}
    assert {
        "missing-label",
        "missing-source",
        "procedure-without-target",
        "procedure-without-region",
        "code-with-disjoint-mechanisms",
        "orphan-anatomy",
        "indication-not-derived",
        "region-conflict-in-hierarchy",
        "non-billable-curated-contraindication",
    } <= names
    for path in sorted(qc_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        header = [line for line in text.splitlines() if line.startswith("#")]
        assert header[0].startswith("# title: "), path.name
        assert header[1].startswith("# description: "), path.name
        assert re.search(r"^# severity: (ERROR|WARN|INFO)$", text, re.M), path.name
        assert "# returns: ?entity ?property ?value" in text, path.name
        assert re.search(r"SELECT (DISTINCT )?\?entity \?property (\?value|\(.* AS \?value\))", text), path.name


@pytest.fixture(scope="session")
def qc_rows(store_path):
    from kg.qc import run_qc

    return run_qc(store_path)


def test_qc_has_no_errors_on_shipped_data(qc_rows):
    from kg.qc import severity_at_least

    errors = severity_at_least(qc_rows, "ERROR")
    assert errors == [], "\n".join(f"{r.query}: {r.entity} {r.property} {r.value}" for r in errors)


def test_owl_and_sparql_derivations_agree(qc_rows):
    assert [r for r in qc_rows if r.query == "owl-sparql-mismatch"] == []


def test_severity_at_least():
    from kg.qc import QcRow, severity_at_least

    rows = [
        QcRow("a", "ERROR", "x", None, None),
        QcRow("b", "WARN", "y", None, None),
        QcRow("c", "INFO", "z", None, None),
    ]
    assert [r.query for r in severity_at_least(rows, "ERROR")] == ["a"]
    assert [r.query for r in severity_at_least(rows, "warn")] == ["a", "b"]
    assert [r.query for r in severity_at_least(rows, "INFO")] == ["a", "b", "c"]
    assert severity_at_least(rows, "none") == []
    with pytest.raises(ValueError):
        severity_at_least(rows, "FATAL")


ICD_FRAGMENT = f"""
    @prefix icd: <{ICD}> .
    @prefix pk: <{PK}> .
    @prefix skos: <{SKOS}> .
    icd:M54.5 a pk:ICD10CMCode ; skos:notation "M54.5" ; pk:billable false .
    icd:M54.51 a pk:ICD10CMCode ; skos:notation "M54.51" ; pk:billable true ; skos:broader icd:M54.5 .
    icd:M81 a pk:ICD10CMCode ; skos:notation "M81" ; pk:billable false .
    icd:M81.0 a pk:ICD10CMCode ; skos:notation "M81.0" ; pk:billable true ; skos:broader icd:M81 .
"""

SEEDS = f"""
    @prefix icd: <{ICD}> .
    @prefix owl: <http://www.w3.org/2002/07/owl#> .
    @prefix pk: <{PK}> .
    @prefix rdfs: <{RDFS}> .
    @prefix dcterms: <{DCTERMS}> .
    @prefix src: <{PK}source/> .
    pk:SeededProcedure a pk:Procedure ;
        rdfs:label "seeded procedure"@en ;
        pk:hasRegion pk:LumbarRegion ;
        pk:indicatedFor pk:FacetogenicPain ;
        pk:hasDirectSiteTypo pk:FacetJoint .
    pk:SeededRegionless a pk:Procedure ;
        rdfs:label "seeded procedure without region"@en ;
        pk:hasDirectSite pk:FacetJoint ;
        pk:indicatedFor pk:FacetogenicPain ;
        dcterms:source src:R30 .
    pk:OrphanBone a owl:Class, owl:NamedIndividual, pk:SkeletalStructure ;
        rdfs:subClassOf pk:SkeletalStructure ;
        rdfs:label "Facet (zygapophyseal) joint"@en ;
        dcterms:source src:R107 .
    icd:M54.51 pk:hasRegion pk:CervicalRegion .
    icd:M99.99 pk:hasMechanism pk:VertebrogenicPain, pk:RadicularPain ;
        dcterms:source src:R1 .
"""


def _seeded_store(extra_turtle: str = "", remove=(), owl_extra: str = ""):
    """An in-memory store: the curated files (+ seeds), a tiny ICD-10-CM fragment, the
    committed OWL inferences (+ seeds) and the SPARQL rules applied.

    Only four ICD-10-CM codes are loaded, so ``curated-code-not-in-icd`` fires for most
    curated codes here; the test only looks at the rows the seeds add.
    """
    import pyoxigraph as ox

    from kg.build.builder import rule_files
    from kg.namespaces import GRAPH_ICD, GRAPH_OWL
    from kg.reasoning import inferred_path

    store = ox.Store()
    curated = ox.NamedNode(GRAPH_CURATED)
    for path in resources.graph_files():
        store.load(path=str(path), format=ox.RdfFormat.TURTLE, to_graph=curated)
    if extra_turtle:
        store.load(input=extra_turtle, format=ox.RdfFormat.TURTLE, to_graph=curated)
    for subject, predicate in remove:
        for quad in list(store.quads_for_pattern(ox.NamedNode(subject), ox.NamedNode(predicate), None, curated)):
            store.remove(quad)
    store.load(input=ICD_FRAGMENT, format=ox.RdfFormat.TURTLE, to_graph=ox.NamedNode(GRAPH_ICD))
    owl = ox.NamedNode(GRAPH_OWL)
    store.load(path=str(inferred_path()), format=ox.RdfFormat.TURTLE, to_graph=owl)
    if owl_extra:
        store.load(input=owl_extra, format=ox.RdfFormat.TURTLE, to_graph=owl)
    derived = ox.NamedNode(GRAPH_DERIVED)
    for rule in rule_files():
        produced = store.query(rule.read_text(encoding="utf-8"), use_default_graph_as_union=True)
        store.extend([ox.Quad(t.subject, t.predicate, t.object, derived) for t in produced])
    return store


def test_qc_flags_seeded_errors():
    """Every QC query fires on a seeded problem, and not on the unseeded baseline."""
    from kg.qc import load_queries, run_qc

    owl_seed = f"<{PK}SeededRegionless> <{PK}treatsMechanism> <{PK}SacroiliacJointPain> ."
    baseline = {(r.query, r.entity, r.property, r.value) for r in run_qc(_seeded_store())}
    rows = run_qc(_seeded_store(SEEDS, remove=[(PK + "SpinalCord", RDFS + "label")], owl_extra=owl_seed))
    found = {(r.query, r.entity, r.property, r.value): r.severity for r in rows}

    seeded = PK + "SeededProcedure"
    expected = {
        ("procedure-without-target", seeded, PK + "hasDirectSite", None): "ERROR",
        ("indication-not-derived", seeded, PK + "indicatedFor", PK + "FacetogenicPain"): "ERROR",
        ("missing-source", seeded, DCTERMS + "source", RDF + "type"): "ERROR",
        ("procedure-without-region", PK + "SeededRegionless", PK + "hasRegion", None): "ERROR",
        ("missing-label", PK + "SpinalCord", RDFS + "label", PK + "NeuralStructure"): "ERROR",
        ("undeclared-vocabulary", PK + "hasDirectSiteTypo", RDF + "type", RDF + "Property"): "ERROR",
        ("curated-code-not-in-icd", ICD + "M99.99", PK + "hasMechanism", PK + "RadicularPain"): "ERROR",
        (
            "code-with-disjoint-mechanisms",
            ICD + "M99.99",
            PK + "hasMechanism",
            "pk:RadicularPain (pk:NeuropathicPain) is disjoint with pk:VertebrogenicPain (pk:NociceptivePain)",
        ): "WARN",
        ("orphan-anatomy", PK + "OrphanBone", RDF + "type", PK + "SkeletalStructure"): "WARN",
        ("duplicate-label", PK + "FacetJoint", RDFS + "label", PK + "OrphanBone"): "WARN",
        (
            "region-conflict-in-hierarchy",
            ICD + "M54.51",
            PK + "hasRegion",
            "pk:CervicalRegion does not overlap pk:LumbarRegion of ancestor M54.5",
        ): "WARN",
        (
            "owl-sparql-mismatch",
            PK + "SeededRegionless",
            PK + "treatsMechanism",
            PK + "SacroiliacJointPain (OWL only)",
        ): "WARN",
    }
    for key, severity in expected.items():
        assert found.get(key) == severity, key
        assert key not in baseline, key

    # checks that fire on the shipped data (INFO) fire here too
    info = {query for (query, *_rest), severity in found.items() if severity == "INFO"}
    assert {"non-billable-curated-contraindication", "unused-source", "mechanism-not-treatable"} <= info
    assert (
        "non-billable-curated-contraindication",
        STMT + "bvna-ci-osteoporosis",
        PK + "contraindicatingCode",
        "M81 is a header covering 1 billable codes",
    ) in found
    assert {q.name for q in load_queries()} <= {query for query, *_rest in found}
