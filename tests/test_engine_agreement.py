"""Three engines decide the same verdicts: SPARQL (align.rq), networkx traversal, OWL inferences.

- curated procedure x curated diagnosis (codes that assert a mechanism): all three agree;
- a seeded random sample of 5,000 billable ICD-10-CM codes x every procedure: SPARQL and
  networkx agree (the networkx engine recomputes inheritance, Excludes1 pruning, title
  regions and treated mechanisms from the asserted edges only).

A verdict is compared with its region compatibility and the mechanisms that decide it.
Every disagreement is listed in the failure message.
"""

from __future__ import annotations

import random

import pytest

from kg.engines.networkx_engine import Verdict

SAMPLE_SIZE = 5000
SEED = 20261127


@pytest.fixture(scope="module")
def store(store_path):
    import pyoxigraph as ox

    return ox.Store.read_only(str(store_path))


@pytest.fixture(scope="module")
def nx_engine(store):
    from kg.engines.networkx_engine import NetworkxEngine

    return NetworkxEngine.from_store(store)


@pytest.fixture(scope="module")
def owl_engine(store):
    from kg.engines.owl_engine import OwlEngine

    return OwlEngine.from_store(store)


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def _show(v: Verdict | None) -> str:
    if v is None:
        return "no answer"
    mechanisms = ",".join(sorted(_short(m) for m in v.mechanisms))
    return f"{v.verdict}[region={'ok' if v.region_compatible else 'no'}]{{{mechanisms}}}"


def _disagreements(**engines: dict[tuple[str, str], Verdict]) -> list[str]:
    names = list(engines)
    keys = set().union(*(set(e) for e in engines.values()))
    lines = []
    for key in sorted(keys):
        answers = [engines[n].get(key) for n in names]
        if any(a != answers[0] for a in answers[1:]):
            shown = "  ".join(f"{n}={_show(a)}" for n, a in zip(names, answers))
            lines.append(f"{key[0]} x {key[1]}: {shown}")
    return lines


def _fail_message(lines: list[str], what: str) -> str:
    return f"{len(lines)} disagreement(s) on {what}:\n" + "\n".join(lines[:200])


def test_three_engines_agree_on_curated_pairs(store, nx_engine, owl_engine):
    from kg.engines.sparql_engine import sparql_verdicts

    diagnoses = owl_engine.curated_diagnoses
    assert len(diagnoses) >= 50 and len(owl_engine.procedure_by_code) >= 50
    owl = owl_engine.verdicts()
    sparql = sparql_verdicts(store, diagnoses)
    networkx = nx_engine.verdicts(diagnoses)
    assert len(owl) == len(sparql) == len(networkx) == len(diagnoses) * len(owl_engine.procedure_by_code)
    lines = _disagreements(sparql=sparql, networkx=networkx, owl=owl)
    assert not lines, _fail_message(lines, "curated procedure x curated diagnosis")
    # the comparison is not vacuous: all three verdicts occur
    assert {v.verdict for v in owl.values()} == {"aligned", "indeterminate", "misaligned"}
    assert sparql["64628", "M54.51"].verdict == "aligned"
    assert sparql["62323", "M54.5"].verdict == "misaligned"  # radicular excluded by Excludes1


def _billable_codes(store) -> list[str]:
    query = """PREFIX pk: <https://w3id.org/painkg/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?n WHERE { GRAPH <https://w3id.org/painkg/graph/icd10cm> {
  ?c pk:billable true ; skos:notation ?n } }"""
    return sorted(row["n"].value for row in store.query(query))


@pytest.mark.slow
def test_sparql_and_networkx_agree_on_a_random_sample(store, nx_engine):
    from kg.engines.sparql_engine import sparql_verdicts

    billable = _billable_codes(store)
    assert len(billable) > 70_000
    sample = sorted(random.Random(SEED).sample(billable, SAMPLE_SIZE))
    sparql = sparql_verdicts(store, sample)
    networkx = nx_engine.verdicts(sample)
    assert len(sparql) == len(networkx) == SAMPLE_SIZE * len(nx_engine.procedure_by_code)
    lines = _disagreements(sparql=sparql, networkx=networkx)
    assert not lines, _fail_message(lines, f"{SAMPLE_SIZE} billable codes (seed {SEED}) x all procedures")
    verdicts = {v.verdict for v in sparql.values()}
    assert verdicts == {"aligned", "indeterminate", "misaligned"}
