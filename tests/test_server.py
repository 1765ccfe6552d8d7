"""The ASGI app in-process (httpx through Starlette's TestClient): REST, /sparql protocol and
hardening, health, OpenAPI."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path
from xml.etree import ElementTree

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from kg.cli import main
from kg.server.app import create_app
from kg.server.limits import Limits

ALIGN = Path("queries/align.rq").read_text(encoding="utf-8")
PROCS = 'PREFIX pk: <https://w3id.org/painkg/>\nSELECT ?code WHERE { ?p pk:cptCode ?code } ORDER BY ?code'
SEED = 'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?label WHERE { <http://purl.bioontology.org/ontology/ICD10CM/M54.51> rdfs:label ?label }'


def bound_align(procedure: str, diagnosis: str) -> str:
    from kg.backends.binding import bind

    return bind(ALIGN, {"procedureCode": procedure, "diagnosisCode": diagnosis})


# --- REST -----------------------------------------------------------------------------------


@pytest.mark.parametrize("procedure,diagnoses", [("64628", ["M54.51"]), ("64628", ["M51.16"]),
                                                 ("64493", ["M47.816", "M54.51"])])
def test_check_is_exactly_the_cli_json(client, procedure, diagnoses):
    cli = CliRunner().invoke(main, ["check", procedure, *diagnoses, "--format", "json"])
    response = client.get("/check", params={"procedure": procedure, "diagnosis": diagnoses})
    assert response.status_code == 200
    assert response.json() == json.loads(cli.output)


def test_seed_case_over_rest(client):
    data = client.get("/check?procedure=64628&diagnosis=M54.51").json()
    assert data["verdict"] == "aligned"
    labels = {step["object_label"] for path in data["paths"] for step in path}
    assert {"basivertebral nerve", "vertebral endplate"} <= labels
    assert client.get("/check?procedure=64628&diagnosis=M51.16").json()["verdict"] == "misaligned"


@pytest.mark.parametrize("url,status,code", [
    ("/check?procedure=64628&diagnosis=banana", 400, "malformed-code"),
    ("/check?procedure=64628&diagnosis=Z99.999", 404, "unknown-code"),
    ("/check?procedure=99213&diagnosis=M54.51", 404, "unknown-procedure"),
    ("/check?procedure=64628&diagnosis=M54.5", 422, "non-billable-code"),
    ("/check?procedure=64628", 400, "missing-parameter"),
    ("/check?diagnosis=M54.51", 400, "invalid-request"),
    ("/lookup/banana", 400, "malformed-code"),
    ("/lookup/Q99.999X", 404, "unknown-code"),
    ("/no/such/page", 404, "not-found"),
])
def test_rest_errors_are_json_4xx(client, url, status, code):
    response = client.get(url)
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["message"]


def test_lookup_and_suggest_match_the_api(client, kg):
    from kg.lookup import lookup
    from kg.suggest import suggest

    assert client.get("/lookup/M54.51").json() == json.loads(json.dumps(lookup("M54.51", kg)))
    assert client.get("/lookup/64628").json()["code"] == "64628"
    suggested = client.get("/suggest/M54.51").json()
    assert suggested == suggest("M54.51", kg)
    assert suggested[0]["verdict"] == "aligned"


def test_health_and_openapi(client):
    health = client.get("/health").json()
    assert health["status"] == "ok" and health["triples"] > 500_000
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/check", "/lookup/{code}", "/suggest/{diagnosis}", "/sparql", "/cds-services", "/health"} <= set(paths)


# --- SPARQL 1.1 Protocol ----------------------------------------------------------------------


def test_query_by_get_form_post_and_direct_post_agree(client):
    get = client.get("/sparql", params={"query": PROCS})
    form = client.post("/sparql", data={"query": PROCS})
    direct = client.post("/sparql", content=PROCS, headers={"Content-Type": "application/sparql-query"})
    assert get.status_code == form.status_code == direct.status_code == 200
    assert get.headers["content-type"] == "application/sparql-results+json"
    assert get.json() == form.json() == direct.json()
    codes = [b["code"]["value"] for b in get.json()["results"]["bindings"]]
    assert "64628" in codes and codes == sorted(codes)


def test_select_serialisations(client):
    def ask(accept):
        response = client.get("/sparql", params={"query": SEED}, headers={"Accept": accept})
        assert response.status_code == 200, response.text
        return response

    assert ask("application/sparql-results+json").json()["results"]["bindings"][0]["label"]["value"] == \
        "Vertebrogenic low back pain"
    xml = ElementTree.fromstring(ask("application/sparql-results+xml").content)
    ns = "{http://www.w3.org/2005/sparql-results#}"
    assert xml.find(f"{ns}results/{ns}result/{ns}binding/{ns}literal").text == "Vertebrogenic low back pain"
    rows = list(csv.reader(io.StringIO(ask("text/csv").text)))
    assert rows == [["label"], ["Vertebrogenic low back pain"]]
    assert ask("text/tab-separated-values").text.splitlines() == ["?label", '"Vertebrogenic low back pain"']
    assert ask("text/csv;q=0.5, application/sparql-results+xml").headers["content-type"].startswith(
        "application/sparql-results+xml")


@pytest.mark.parametrize("accept,fmt", [("text/turtle", ox.RdfFormat.TURTLE),
                                        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
                                        ("application/ld+json", ox.RdfFormat.JSON_LD)])
def test_construct_serialisations(client, accept, fmt):
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nCONSTRUCT { ?d rdfs:label ?l } WHERE { "
             "VALUES ?d { <http://purl.bioontology.org/ontology/ICD10CM/M54.51> } ?d rdfs:label ?l }")
    response = client.post("/sparql", data={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    triples = list(ox.parse(response.content, format=fmt))
    assert [t.object.value for t in triples] == ["Vertebrogenic low back pain"]


def test_ask_and_describe(client):
    ask = client.get("/sparql", params={"query": "ASK { ?s <https://w3id.org/painkg/cptCode> \"64628\" }"})
    assert ask.json() == {"head": {}, "boolean": True}
    describe = client.get("/sparql", params={"query": "DESCRIBE <https://w3id.org/painkg/source/R29>"})
    assert describe.status_code == 200 and describe.headers["content-type"].startswith("text/turtle")


def test_service_description_and_html_page(client):
    sd = client.get("/sparql")
    assert sd.status_code == 200 and sd.headers["content-type"].startswith("text/turtle")
    graph = list(ox.parse(sd.content, format=ox.RdfFormat.TURTLE))
    assert any(t.object == ox.NamedNode("http://www.w3.org/ns/sparql-service-description#Service") for t in graph)
    page = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.headers["content-type"].startswith("text/html") and "<form" in page.text


# --- hardening --------------------------------------------------------------------------------


@pytest.mark.parametrize("request_kwargs,code", [
    ({"data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, "update-refused"),
    ({"data": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}}, "update-refused"),
    ({"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}, "update-refused"),
    ({"data": {"query": "DELETE WHERE { ?s ?p ?o }"}}, "update-refused"),
    ({"data": {"query": "LOAD <http://127.0.0.1:9/x.ttl>"}}, "load-refused"),
    ({"data": {"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"}}, "service-refused"),
    ({"data": {"query": "SELECT * WHERE { \\u0053ERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"}}, "service-refused"),
    ({"data": {"query": "select * where { service silent ?endpoint { ?s ?p ?o } }"}}, "service-refused"),
])
def test_update_load_and_service_are_403(client, request_kwargs, code):
    response = client.post("/sparql", **request_kwargs)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == code


def test_words_in_strings_iris_and_variables_are_not_keywords(client):
    query = ('PREFIX service: <https://w3id.org/painkg/>\nSELECT ?service ?load WHERE { '
             'BIND("SERVICE LOAD INSERT" AS ?service) BIND(<http://x/SERVICE> AS ?load) } # SERVICE')
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("request_kwargs,status,code", [
    ({"data": {"query": "SELECT WHERE"}}, 400, "malformed-query"),
    ({"data": {"query": "SELECT ?s WHERE { ?s ?p }"}}, 400, "malformed-query"),
    ({"data": {"query": SEED}, "headers": {"Accept": "image/png"}}, 406, "not-acceptable"),
    ({"content": SEED, "headers": {"Content-Type": "text/plain"}}, 415, "unsupported-media-type"),
    ({"content": "SELECT * WHERE { ?s ?p ?o } #" + "x" * 300_000,
      "headers": {"Content-Type": "application/sparql-query"}}, 413, "body-too-large"),
])
def test_protocol_errors_are_json_4xx(client, request_kwargs, status, code):
    response = client.post("/sparql", **request_kwargs)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"]["code"] == code


def test_row_limit_and_time_limit(store_path):
    with TestClient(create_app(store_path, Limits(max_rows=5))) as small:
        response = small.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
        assert response.status_code == 200 and response.headers["x-sparql-maxrows"] == "5"
        assert len(response.json()["results"]["bindings"]) == 5
    # a cross product that streams rows: answered 503 at the deadline, and the abandoned
    # query stops at its next row check instead of running on
    with TestClient(create_app(store_path, Limits(timeout=0.3, max_rows=50_000_000))) as slow:
        response = slow.get("/sparql", params={"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "query-timeout"
        assert slow.get("/health").status_code == 200


def test_runaway_query_is_killed_at_the_time_limit(store_path):
    """An aggregate over a cross product yields no row for hours: its worker process is killed."""
    import time

    app = create_app(store_path, Limits(timeout=1.0, workers=1))
    with TestClient(app) as client:
        assert client.get("/sparql", params={"query": SEED}).status_code == 200  # workers up
        pool = app.state.service.pool
        (worker,) = pool._all
        started = time.monotonic()
        response = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }"})
        assert response.status_code == 503 and response.json()["error"]["code"] == "query-timeout"
        assert time.monotonic() - started < 5
        assert not worker.process.is_alive()  # killed, not abandoned
        assert client.get("/sparql", params={"query": SEED}).json()["results"]["bindings"]  # a fresh worker answers
        assert len(pool._all) == 1
    assert not any(w.process.is_alive() for w in pool._all)  # shutdown stops the workers


def test_in_memory_store_runs_queries_in_threads():
    store = ox.Store()
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:p"), ox.Literal("x")))
    with TestClient(create_app(store=store)) as client:
        response = client.get("/sparql", params={"query": "SELECT ?o WHERE { ?s ?p ?o }"})
        assert response.json()["results"]["bindings"] == [{"o": {"type": "literal", "value": "x"}}]


def test_concurrent_queries_on_the_shared_store(store_path):
    """pyoxigraph on one read-only store from many threads gives the serial answers."""
    from kg.server import sparql_protocol as sp

    store = ox.Store.read_only(str(store_path))
    pairs = [("64628", "M54.51"), ("64628", "M51.16"), ("64493", "M47.816"), ("62323", "M51.16")]
    serial = {p: sp.serialise(sp.execute(store, bound_align(*p), Limits(), float("inf")), "json") for p in pairs}
    errors: list[str] = []

    def worker(offset: int) -> None:
        for i in range(40):
            pair = pairs[(i + offset) % len(pairs)]
            got = sp.serialise(sp.execute(store, bound_align(*pair), Limits(), float("inf")), "json")
            if got != serial[pair]:
                errors.append(f"{pair}: {got[:80]!r}")

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    verdicts = {p: {b["verdict"]["value"] for b in json.loads(v)["results"]["bindings"]} for p, v in serial.items()}
    assert verdicts[("64628", "M54.51")] == {"aligned"} and verdicts[("64628", "M51.16")] == {"misaligned"}
