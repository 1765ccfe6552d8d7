"""painkg under a real uvicorn on loopback: SPARQLWrapper and httpx clients, a malicious
SERVICE query that must make no outbound connection, clean shutdown with JSON access logs,
and a bounded load test (2,000 mixed requests from 8 concurrent clients)."""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
import httpx
from serve_fixtures import ConnectionRecorder, free_port, uvicorn_server

from kg.backends.binding import bind
from kg.server.app import create_app
from kg.server.load import Request, load, percentile

SEED = ('PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT ?label WHERE { '
        '<http://purl.bioontology.org/ontology/ICD10CM/M54.51> rdfs:label ?label }')
ALIGN = Path("queries/align.rq").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def base(store_path):
    with uvicorn_server(create_app(store_path)) as url:
        yield url


@pytest.mark.parametrize("fmt", ["json", "xml", "csv"])
def test_sparqlwrapper(base, fmt):
    from SPARQLWrapper import CSV, JSON, XML, SPARQLWrapper

    client = SPARQLWrapper(base + "/sparql")
    client.setQuery(SEED)
    client.setReturnFormat({"json": JSON, "xml": XML, "csv": CSV}[fmt])
    result = client.query().convert()
    if fmt == "json":
        assert result["results"]["bindings"][0]["label"]["value"] == "Vertebrogenic low back pain"
    elif fmt == "xml":
        literals = [n.firstChild.data for n in result.getElementsByTagName("literal")]
        assert literals == ["Vertebrogenic low back pain"]
    else:
        assert result.decode().splitlines() == ["label", "Vertebrogenic low back pain"]


def test_sparqlwrapper_post_and_construct(base):
    from SPARQLWrapper import POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(base + "/sparql")
    client.setMethod(POST)
    client.setQuery("CONSTRUCT WHERE { <http://purl.bioontology.org/ontology/ICD10CM/M54.51> "
                    "<http://www.w3.org/2000/01/rdf-schema#label> ?l }")
    client.setReturnFormat(TURTLE)
    assert b"Vertebrogenic low back pain" in client.query().convert()


def test_httpx_rest_and_cds_hooks_over_the_wire(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.get("/check", params={"procedure": "64628", "diagnosis": "M54.51"}).json()["verdict"] == "aligned"
        assert client.get("/cds-services").json()["services"]
        request = {
            "hook": "order-sign", "hookInstance": "5a3e9b5c-8f5e-4b8a-9c3e-1f2d3c4b5a69",
            "context": {"userId": "Practitioner/example", "patientId": "example", "draftOrders": {
                "resourceType": "Bundle", "entry": [{"resource": {
                    "resourceType": "ServiceRequest", "id": "bvn", "status": "draft", "intent": "order",
                    "code": {"coding": [{"system": "http://www.ama-assn.org/go/cpt", "code": "64628"}]},
                    "reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "M51.16"}]}],
                }}]}},
        }
        card = client.post("/cds-services/painkg-order-sign", json=request).json()["cards"][0]
        assert card["indicator"] == "critical"


def test_malicious_service_makes_no_outbound_request(base, store_path):
    import pyoxigraph as ox

    listener = ConnectionRecorder()
    target = f"http://127.0.0.1:{listener.port}/sparql"
    try:
        # control: unguarded, pyoxigraph itself does call out, so the listener would see it
        with pytest.raises(OSError):
            list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}"))
        deadline = time.monotonic() + 5
        while listener.connections == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert listener.connections == 1
        attacks = [
            f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"select * where {{ service silent <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ BIND(<{target}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ \\u0053ERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?s ?p ?o FILTER(?o<3)SERVICE<{target}>{{ ?a ?b ?c }} }}",
            f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"ASK {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
            f"LOAD <{target}>",
        ]
        with httpx.Client(base_url=base, timeout=30) as client:
            for attack in attacks:
                for response in (
                    client.get("/sparql", params={"query": attack}),
                    client.post("/sparql", data={"query": attack}),
                    client.post("/sparql", content=attack, headers={"Content-Type": "application/sparql-query"}),
                ):
                    assert response.status_code == 403, (attack, response.text)
        time.sleep(0.5)
        assert listener.connections == 1  # only the control
    finally:
        listener.close()


@pytest.mark.slow
@pytest.mark.parametrize("processes", ["1", "2"])
def test_serve_command_logs_json_and_shuts_down_cleanly(store_path, processes):
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--port", str(port), "--processes", processes],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None and time.monotonic() < deadline, "painkg serve did not start"
            time.sleep(0.2)
        assert httpx.get(f"http://127.0.0.1:{port}/check?procedure=64628&diagnosis=M54.51").status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/lookup/Z99.999").status_code == 404
        sparql = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": SEED}, timeout=30)
        assert sparql.json()["results"]["bindings"][0]["label"]["value"] == "Vertebrogenic low back pain"
        process.send_signal(signal.SIGTERM)
        # uvicorn finishes in-flight requests and the lifespan shutdown, then re-raises SIGTERM
        assert process.wait(timeout=20) in (0, -signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
    logs = process.stderr.read()
    access = [json.loads(line.split(" INFO ", 1)[1]) for line in logs.splitlines() if "painkg.access" in line]
    assert {(a["path"], a["status"]) for a in access} >= {("/check", 200), ("/lookup/Z99.999", 404), ("/sparql", 200)}
    assert all({"method", "path", "status", "ms", "client"} <= set(a) for a in access)
    assert "painkg server stopped" in logs


# --- bounded load test ------------------------------------------------------------------------

PAIRS = [("64628", "M54.51"), ("64628", "M51.16"), ("64493", "M47.816"), ("62323", "M51.16"),
         ("64628", "M54.50"), ("22514", "M80.08XA")]


def _requests(kg) -> list[Request]:
    """The mix, each request with its check; expected answers come from the embedded API."""
    from kg.checking import check

    def get(url: str):
        return lambda client: client.get(url)

    mix = []
    for procedure, diagnosis in PAIRS:
        expected = check(procedure, [diagnosis], kg).verdict
        mix.append(Request("check", get(f"/check?procedure={procedure}&diagnosis={diagnosis}"),
                           lambda r, v=expected: r.json()["verdict"] == v))
        query = bind(ALIGN, {"procedureCode": procedure, "diagnosisCode": diagnosis})
        mix.append(Request("sparql-align", lambda client, q=query: client.post("/sparql", data={"query": q}),
                           lambda r, v=expected: {b["verdict"]["value"]
                                                  for b in r.json()["results"]["bindings"]} == {v}))
    mix.append(Request("lookup", get("/lookup/M54.51"),
                       lambda r: r.json()["title"] == "Vertebrogenic low back pain"))
    mix.append(Request("suggest", get("/suggest/M47.816"),
                       lambda r: bool(r.json()) and r.json()[0]["verdict"] == "aligned"))
    mix.append(Request("health", get("/health"), lambda r: r.json()["status"] == "ok"))
    return mix


@pytest.mark.slow
def test_load_2000_mixed_requests_8_clients(base, kg):
    total = int(os.environ.get("PAINKG_LOAD_REQUESTS", "2000"))
    report = load(base, _requests(kg), total, clients=8)
    assert report.server_errors == 0
    assert report.failures == []
    assert sum(map(len, report.latencies.values())) == total
    lines = [(f"load: {total} mixed requests, 8 clients, {report.wall:.1f} s, "
              f"{total / report.wall:.0f} req/s; p50 {percentile(report.all, .5)*1000:.1f} ms, "
              f"p95 {percentile(report.all, .95)*1000:.1f} ms")]
    for kind, values in sorted(report.latencies.items()):
        lines.append(f"  {kind:13} n={len(values):4}  p50 {statistics.median(values)*1000:6.1f} ms  "
                     f"p95 {percentile(values, .95)*1000:6.1f} ms")
    print("\n" + "\n".join(lines))


def test_sparql_requests_queue_for_a_free_worker(store_path):
    """More concurrent queries than query workers wait for a slot instead of answering 503."""
    from kg.server.limits import Limits

    query = bind(ALIGN, {"procedureCode": "64628", "diagnosisCode": "M54.51"})
    statuses: list[int] = []
    with uvicorn_server(create_app(store_path, Limits(workers=1))) as url:
        def client() -> None:
            with httpx.Client(base_url=url, timeout=30) as c:
                for _ in range(5):
                    statuses.append(c.post("/sparql", data={"query": query}).status_code)

        threads = [threading.Thread(target=client) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert statuses == [200] * 40
