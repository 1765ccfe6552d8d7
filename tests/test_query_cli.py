"""Named queries through the CLI; parameters are data, never query text."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg import queries
from kg.backends.binding import bind
from kg.cli import main


def test_every_named_query_has_a_header():
    for q in queries.catalogue():
        assert q.title and q.description and q.returns, q.name


def test_query_json_is_sparql_results_json():
    out = CliRunner().invoke(
        main, ["query", "align", "--param", "procedureCode=64628", "--param", "diagnosisCode=M54.51", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert "verdict" in data["head"]["vars"]
    assert data["results"]["bindings"][0]["verdict"]["value"] == "aligned"


@pytest.mark.parametrize("evil", ['M54.51"} #', "M54.51} UNION { ?s ?p ?o", 'x" . ?s ?p ?o . #', "M54.51\\"])
def test_injection_attempt_is_treated_as_data(kg, evil):
    text = bind(queries.load("code-info").text, {"code": evil})
    assert text.count("VALUES") == 1
    assert kg.code_info(evil) == []  # no code has that literal notation, and nothing else matched


def test_sparql_adhoc_and_csv():
    out = CliRunner().invoke(
        main,
        ["sparql", "SELECT ?t WHERE { <http://purl.bioontology.org/ontology/ICD10CM/M54.51> "
         "<http://www.w3.org/2000/01/rdf-schema#label> ?t }", "--format", "csv"],
    )
    assert out.exit_code == 0, out.output
    assert out.output.splitlines() == ["t", "Vertebrogenic low back pain"]
