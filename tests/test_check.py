"""The seed case, the JSON contract, exit codes and input errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.checking import check
from kg.cli import main
from kg.errors import MalformedCodeError, NonBillableCodeError, UnknownCodeError, UnknownProcedureError
from kg.namespaces import PK


def test_seed_case_aligned_through_basivertebral_nerve(kg):
    result = check("64628", ["M54.51"], kg)
    assert result.verdict == "aligned"
    assert result.diagnoses[0].title == "Vertebrogenic low back pain"
    nodes = {step.subject for path in result.paths for step in path} | {
        step.object for path in result.paths for step in path
    }
    assert PK + "BasivertebralNerve" in nodes
    assert PK + "VertebralEndplate" in nodes
    innervation = [s for p in result.paths for s in p if s.predicate == PK + "innervates"]
    assert innervation and innervation[0].subject == PK + "BasivertebralNerve"


def test_seed_mislabel_misaligned_names_both_mechanisms(kg):
    result = check("64628", ["M51.16"], kg)
    assert result.verdict == "misaligned"
    text = " ".join(result.reasons)
    assert "radicular" in text and "vertebrogenic" in text


def test_m5450_radicular_not_possible_by_excludes1(kg):
    mechs = {r["mechanism"] for r in kg.mechanisms_of("M54.50")}
    assert PK + "RadicularPain" not in mechs
    assert PK + "VertebrogenicPain" in mechs


def test_input_normalisation(kg):
    assert check("  64628 ", [" m5451 "], kg).diagnoses[0].code == "M54.51"


@pytest.mark.parametrize(
    ("procedure", "diagnosis", "error", "fragment"),
    [
        ("64628", "M54.5", NonBillableCodeError, "not billable since FY2022; use M54.50, M54.51 or M54.59"),
        ("64628", "M54.99", UnknownCodeError, "not an ICD-10-CM code"),
        ("64628", "M5.4", MalformedCodeError, "not a well-formed ICD-10-CM code"),
        ("6462", "M54.51", MalformedCodeError, "not a well-formed CPT/HCPCS code"),
        ("99213", "M54.51", UnknownProcedureError, "not in painkg"),
    ],
)
def test_input_errors(kg, procedure, diagnosis, error, fragment):
    with pytest.raises(error, match=None) as info:
        check(procedure, [diagnosis], kg)
    assert fragment in str(info.value)


CONTRACT_KEYS = {
    "verdict", "necessity", "procedure", "diagnoses", "paths", "reasons",
    "criteria", "contraindications", "citations", "warnings",
}


def test_cli_json_contract_and_exit_codes():
    runner = CliRunner()
    ok = runner.invoke(main, ["check", "64628", "M54.51", "--format", "json"])
    assert ok.exit_code == 0, ok.output
    data = json.loads(ok.output)
    assert CONTRACT_KEYS <= set(data)
    assert data["verdict"] == "aligned" and data["necessity"] == "criteria-apply"
    assert data["procedure"]["code"] == "64628"
    dx = data["diagnoses"][0]
    assert dx["code"] == "M54.51" and dx["title"] == "Vertebrogenic low back pain" and dx["billable"] is True
    assert dx["mechanisms"]
    step = data["paths"][0][0]
    assert set(step) == {"subject", "subject_label", "predicate", "predicate_label", "object", "object_label"}
    assert all({"text", "source"} <= set(c) for c in data["criteria"]) and data["criteria"]

    bad = runner.invoke(main, ["check", "64628", "M51.16"])
    assert bad.exit_code == 1
    assert "MISALIGNED" in bad.output

    err = runner.invoke(main, ["check", "64628", "M54.5", "--format", "json"])
    assert err.exit_code == 2
    assert json.loads(err.output)["error"]["code"] == "non-billable-code"


def test_cli_error_is_one_line_without_traceback():
    result = CliRunner(mix_stderr=False).invoke(main, ["check", "64628", "M54.5"]) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner().invoke(main, ["check", "64628", "M54.5"])
    assert result.exit_code == 2
    output = (result.stderr if hasattr(result, "stderr") else result.output).strip()
    assert output.count("\n") == 0 and "Traceback" not in output
    assert "use M54.50, M54.51 or M54.59" in output


def test_cli_lookup_and_suggest():
    runner = CliRunner()
    looked = runner.invoke(main, ["lookup", "M54.51", "--format", "json"])
    assert looked.exit_code == 0
    assert json.loads(looked.output)["title"] == "Vertebrogenic low back pain"
    suggested = runner.invoke(main, ["suggest", "M54.51", "--format", "json"])
    codes = [r["code"] for r in json.loads(suggested.output)]
    assert codes[:2] == ["64628", "64629"]
    assert "64493" not in codes
    version = runner.invoke(main, ["--version"])
    assert version.exit_code == 0 and "painkg" in version.output


def test_top_level_api_answers_twice(kg):
    import kg as package

    first = package.check("64628", "M54.51", kg=kg)
    second = package.check("64628", ["M51.16"], kg=kg)  # importing kg.checking must not hide kg.check
    assert (first.verdict, second.verdict) == ("aligned", "misaligned")
