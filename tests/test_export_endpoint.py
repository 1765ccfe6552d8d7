"""`painkg export` and the remote SPARQL backend (`painkg --endpoint URL ...`)."""

from __future__ import annotations

import io
import json

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from serve_fixtures import ConnectionRecorder, free_port, html_reply

from kg.backends.endpoint import SPARQLEndpointBackend, parse_results
from kg.cli import main
from kg.errors import BackendError
from kg.export import export
from kg.namespaces import GRAPH_CURATED, GRAPH_DERIVED, ICD, PK


def small_store() -> ox.Store:
    store = ox.Store()
    a, p = ox.NamedNode(PK + "A"), ox.NamedNode(PK + "p")
    store.add(ox.Quad(a, p, ox.Literal("x"), ox.NamedNode(GRAPH_CURATED)))
    store.add(ox.Quad(a, p, ox.Literal("x"), ox.NamedNode(GRAPH_DERIVED)))  # same triple, 2 graphs
    store.add(ox.Quad(a, p, ox.Literal("é", language="fr"), ox.NamedNode(GRAPH_DERIVED)))
    return store


@pytest.mark.parametrize("fmt,rdf_format", [("nt", ox.RdfFormat.N_TRIPLES), ("ttl", ox.RdfFormat.TURTLE),
                                            ("jsonld", ox.RdfFormat.JSON_LD)])
def test_export_merges_graphs_and_round_trips(fmt, rdf_format):
    out = io.BytesIO()
    assert export(out, fmt, store=small_store()) == 2  # the triple in two graphs is written once
    parsed = set(map(str, ox.parse(out.getvalue(), format=rdf_format)))
    assert parsed == {str(ox.Triple(q.subject, q.predicate, q.object)) for q in small_store()}


@pytest.mark.slow
def test_export_of_the_real_graph_holds_every_graph(store_path, tmp_path):
    target = tmp_path / "painkg.nt"
    result = CliRunner().invoke(main, ["export", "--format", "nt", "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = target.read_text(encoding="utf-8")
    store = ox.Store.read_only(str(store_path))
    distinct = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")))
    assert text.count("\n") == int(distinct["n"].value)
    assert f'<{ICD}M54.51> <http://www.w3.org/2000/01/rdf-schema#label> "Vertebrogenic low back pain"' in text  # ICD
    assert f"<{ICD}M54.51> <{PK}effectiveMechanism>" in text  # derived
    assert f"<{PK}cptCode> " in text  # curated


def test_parse_results_accepts_virtuoso_typed_literals():
    doc = {"head": {"vars": ["b", "x"]}, "results": {"bindings": [
        {"b": {"type": "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1"},
         "x": {"type": "literal", "xml:lang": "en", "value": "low back"}}]}}
    result = parse_results(doc)
    assert result.values() == [{"b": True, "x": "low back"}]
    with pytest.raises(BackendError):
        parse_results({"boolean": True})


def test_unreachable_endpoint_is_one_line_exit_2():
    url = f"http://127.0.0.1:{free_port()}/sparql"
    result = CliRunner().invoke(main, ["--endpoint", url, "check", "64628", "M54.51"])
    assert result.exit_code == 2
    assert result.output.strip().count("\n") == 0
    assert f"cannot reach SPARQL endpoint {url}" in result.output


def test_non_sparql_answer_and_timeout_are_backend_errors():
    html = ConnectionRecorder(reply=html_reply())
    silent = ConnectionRecorder(hold=3)
    try:
        with pytest.raises(BackendError, match="did not answer with SPARQL JSON"):
            SPARQLEndpointBackend(f"http://127.0.0.1:{html.port}/").select("SELECT * WHERE { ?s ?p ?o }")
        with pytest.raises(BackendError, match="did not answer within 0.5 s"):
            SPARQLEndpointBackend(f"http://127.0.0.1:{silent.port}/", timeout=0.5).select("SELECT * WHERE { ?s ?p ?o }")
        result = CliRunner().invoke(main, ["--endpoint", f"http://127.0.0.1:{html.port}/", "suggest", "M54.51"])
        assert result.exit_code == 2 and "did not answer with SPARQL JSON" in result.output
    finally:
        html.close()
        silent.close()


def test_endpoint_must_be_http():
    result = CliRunner().invoke(main, ["--endpoint", "file:///etc/passwd", "lookup", "M54.51"])
    assert result.exit_code == 2 and "must be an http:// or https:// URL" in result.output


@pytest.fixture(scope="module")
def painkg_endpoint(store_path):
    pytest.importorskip("fastapi")
    from serve_fixtures import uvicorn_server

    from kg.server.app import create_app

    with uvicorn_server(create_app(store_path)) as base:
        yield base + "/sparql"


@pytest.mark.parametrize("args", [
    ["check", "64628", "M54.51", "--format", "json"],
    ["check", "64628", "M51.16", "--format", "json"],
    ["lookup", "M54.51", "--format", "json"],
    ["lookup", "64628", "--format", "json"],
    ["suggest", "M47.816", "--format", "json"],
    ["query", "diagnoses-for-procedure", "--param", "procedureCode=64628", "--format", "json"],
])
def test_endpoint_answers_equal_embedded(painkg_endpoint, args):
    runner = CliRunner()
    embedded = runner.invoke(main, args)
    remote = runner.invoke(main, ["--endpoint", painkg_endpoint] + args)
    assert remote.exit_code == embedded.exit_code, remote.output
    assert json.loads(remote.output) == json.loads(embedded.output)
