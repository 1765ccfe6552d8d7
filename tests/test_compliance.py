"""One compliance suite, every backend: the embedded Oxigraph store, Virtuoso 7 loaded with
`painkg export`, and painkg's own /sparql, all through PainKG with the same assertions
(oaklib-style). Virtuoso tests skip with a reason when it is not installed, unless
PAINKG_REQUIRE_VIRTUOSO=1 (CI), where its absence fails."""

from __future__ import annotations

import os

import pytest
from serve_fixtures import uvicorn_server, virtuoso_endpoint, virtuoso_missing
from test_alignment_cases import CASES, MULTI

from kg.backends.endpoint import SPARQLEndpointBackend
from kg.checking import check
from kg.errors import NonBillableCodeError
from kg.graph import PainKG
from kg.lookup import lookup, procedures
from kg.suggest import suggest

BACKENDS = ["oxigraph", pytest.param("virtuoso", marks=pytest.mark.slow), "painkg-sparql"]


@pytest.fixture(scope="session")
def exported_nt(store_path, tmp_path_factory):
    import pyoxigraph as ox

    from kg.export import export

    target = tmp_path_factory.mktemp("export") / "painkg.nt"
    export(target, "nt", store=ox.Store.read_only(str(store_path)))
    return target


@pytest.fixture(scope="session")
def virtuoso_url(request, tmp_path_factory):
    reason = virtuoso_missing()
    if reason:
        if os.environ.get("PAINKG_REQUIRE_VIRTUOSO") == "1":
            pytest.fail(f"PAINKG_REQUIRE_VIRTUOSO=1 but {reason}")
        pytest.skip(reason)
    exported_nt = request.getfixturevalue("exported_nt")
    with virtuoso_endpoint(tmp_path_factory.mktemp("virtuoso"), exported_nt) as url:
        yield url


@pytest.fixture(scope="session")
def painkg_sparql_url(store_path):
    pytest.importorskip("fastapi")
    from kg.server.app import create_app

    with uvicorn_server(create_app(store_path)) as base:
        yield base + "/sparql"


@pytest.fixture(scope="module", params=BACKENDS)
def graph(request, kg) -> PainKG:
    if request.param == "oxigraph":
        return kg
    if request.param == "virtuoso":
        return PainKG(SPARQLEndpointBackend(request.getfixturevalue("virtuoso_url"), timeout=120))
    return PainKG(SPARQLEndpointBackend(request.getfixturevalue("painkg_sparql_url")))


def test_seed_case_aligned_with_its_path(graph):
    result = check("64628", ["M54.51"], graph)
    assert (result.verdict, result.necessity) == ("aligned", "criteria-apply")
    labels = {s.object_label for path in result.paths for s in path}
    assert {"basivertebral nerve", "vertebral endplate"} <= labels
    assert result.criteria and result.citations


def test_bvn_ablation_for_disc_radiculopathy_is_misaligned(graph):
    result = check("64628", ["M51.16"], graph)
    assert (result.verdict, result.necessity) == ("misaligned", "not-medically-necessary")


@pytest.mark.parametrize("procedure,diagnoses,verdict,necessity", CASES + MULTI)
def test_alignment_cases(graph, kg, procedure, diagnoses, verdict, necessity):
    result = check(procedure, diagnoses, graph)
    assert (result.verdict, result.necessity) == (verdict, necessity)
    assert result.to_dict() == check(procedure, diagnoses, kg).to_dict()  # the whole explained answer


def test_code_info_of_m54_51(graph):
    rows = graph.code_info("M54.51")
    info = next(r for r in rows if r["kind"] == "icd10cm")
    assert info["label"] == "Vertebrogenic low back pain"
    assert bool(info["billable"]) is True and info["parentCode"] == "M54.5"
    assert {r["regionLabel"] for r in rows if r.get("regionLabel")}


def test_subcodes_and_non_billable_message(graph, kg):
    assert [r["subcode"] for r in graph.subcodes("M54.5")] == ["M54.50", "M54.51", "M54.59"]
    with pytest.raises(NonBillableCodeError) as remote:
        check("64628", ["M54.5"], graph)
    with pytest.raises(NonBillableCodeError) as embedded:
        check("64628", ["M54.5"], kg)
    assert str(remote.value) == str(embedded.value)


@pytest.mark.parametrize("procedure", ["64628", "64493", "62323", "64635", "22514"])
def test_diagnoses_for_procedure_counts_equal(graph, kg, procedure):
    remote = graph.diagnoses_for_procedure(procedure)
    assert len(remote) == len(kg.diagnoses_for_procedure(procedure))
    assert {r["diagnosisCode"] for r in remote} == {r["diagnosisCode"] for r in kg.diagnoses_for_procedure(procedure)}


@pytest.mark.parametrize("code", ["M54.51", "64628", "M47.816", "G0260"])
def test_lookup_equal(graph, kg, code):
    assert lookup(code, graph) == lookup(code, kg)


@pytest.mark.parametrize("diagnosis", ["M54.51", "M51.16", "M47.816", "M54.50"])
def test_suggest_equal(graph, kg, diagnosis):
    assert suggest(diagnosis, graph) == suggest(diagnosis, kg)


def test_procedure_list_and_property_labels_equal(graph, kg):
    assert procedures(graph) == procedures(kg)
    assert graph.property_labels == kg.property_labels


@pytest.mark.slow  # explain-path.rq takes seconds on Oxigraph
def test_explain_path_equal(graph, kg):
    rows = graph.explain_path("64628", "M54.51")
    key = sorted(tuple(sorted(r.items())) for r in rows)
    assert key == sorted(tuple(sorted(r.items())) for r in kg.explain_path("64628", "M54.51"))
    assert {r["side"] for r in rows} == {"diagnosis", "procedure"}
    assert [r["assignedAt"] for r in rows if r["side"] == "diagnosis"] == [
        "http://purl.bioontology.org/ontology/ICD10CM/M54.51"]
