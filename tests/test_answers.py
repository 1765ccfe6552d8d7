"""The answer index (kg.answers) gives exactly the rows the live queries give on the store."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys

import pytest

from kg.answers import ENTITY_QUERIES, FILE_NAME, PROFILED_QUERIES, AnswerIndex
from kg.checking import check
from kg.errors import InputError

ORDERED = {"mechanisms-of", "procedure-chain", "evidence", "contraindications", "property-labels"}


def _same(name: str, indexed: list[dict], live: list[dict]) -> bool:
    if name in ORDERED:  # ORDER BY queries: the same rows in the same order
        return indexed == live
    return sorted(map(sorted, (r.items() for r in indexed))) == sorted(
        map(sorted, (r.items() for r in live)))


@pytest.fixture(scope="module")
def index_db(kg):
    db = sqlite3.connect(os.path.join(kg._store_dir, FILE_NAME))
    yield db
    db.close()


@pytest.fixture(scope="module")
def icd_codes(live_kg):
    rows = live_kg.backend.select(
        "PREFIX pk: <https://w3id.org/painkg/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?code WHERE { ?d a pk:ICD10CMCode ; skos:notation ?code }").values()
    return sorted(r["code"] for r in rows)


@pytest.fixture(scope="module")
def procedures(live_kg):
    return sorted(r["code"] for r in live_kg.rows("procedure-list"))


def _mismatches(kg, live_kg, name: str, keys: list[dict]) -> list[dict]:
    bad = []
    for params in keys:
        indexed = kg.answers.get(name, params)
        assert indexed is not None, (name, params)
        if not _same(name, indexed, live_kg.rows(name, **params)):
            bad.append(params)
    return bad


def test_the_index_covers_the_check_queries(kg):
    """Every query `check` asks is answered by the index, and nothing else is."""
    assert kg.answers.get("code-info", {"code": "M54.51"})[0]["label"] == "Vertebrogenic low back pain"
    assert kg.answers.get("align", {"procedureCode": "64628", "diagnosisCode": "M54.51"})[0][
        "verdict"] == "aligned"
    assert kg.answers.get("subcodes", {"code": "M54.5"}) is None  # not indexed: the store answers
    assert kg.answers.get("code-info", {"code": "NOT-A-CODE"}) == []


def test_per_code_queries_match_the_store(kg, live_kg, icd_codes, procedures):
    rng = random.Random(20261127)
    codes = rng.sample(icd_codes, 300) + ["M54.5", "M54.51", "M50.123", "M48.55XA", "I10"]
    with_mechanism = [r["code"] for r in live_kg.backend.select(
        "PREFIX pk: <https://w3id.org/painkg/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT DISTINCT ?code WHERE { ?d pk:mechanismAssignedAt ?h ; skos:notation ?code }").values()]
    assert len(with_mechanism) > 1000
    bad = _mismatches(kg, live_kg, "code-info", [{"code": c} for c in codes + procedures])
    bad += _mismatches(kg, live_kg, "mechanisms-of",
                       [{"diagnosisCode": c} for c in with_mechanism + codes[:50]])
    for name in ("procedure-chain", "evidence", "procedure-info"):
        bad += _mismatches(kg, live_kg, name, [{"procedureCode": p} for p in procedures])
    bad += _mismatches(kg, live_kg, "property-labels", [{}])
    assert not bad, bad[:10]
    assert set(ENTITY_QUERIES) == {"code-info", "mechanisms-of", "procedure-chain", "evidence",
                                   "procedure-info", "property-labels"}


@pytest.mark.parametrize("name", sorted(PROFILED_QUERIES))
def test_per_pair_queries_match_the_store_for_every_profile(kg, live_kg, index_db, icd_codes,
                                                           procedures, name):
    """Two codes of every profile (the representative and another) with rotating procedures,
    and codes of no profile, give the live query's rows."""
    column, _ = PROFILED_QUERIES[name]
    members: dict[int, list[str]] = {}
    for code, profile in index_db.execute(f"SELECT code, {column} FROM profile ORDER BY code"):
        members.setdefault(profile, []).append(code)
    members.pop(0, None)
    assert len(members) > 10
    rng = random.Random(7)
    profiled = {c for codes in members.values() for c in codes}
    plain = rng.sample([c for c in icd_codes if c not in profiled], 40)
    keys = []
    for number, (profile, codes) in enumerate(sorted(members.items())):
        for code in codes[:1] + rng.sample(codes[1:], min(1, len(codes) - 1)):
            for k in range(6):
                keys.append({"procedureCode": procedures[(number * 6 + k) % len(procedures)],
                             "diagnosisCode": code})
    keys += [{"procedureCode": rng.choice(procedures), "diagnosisCode": c} for c in plain]
    keys += [{"procedureCode": "64628", "diagnosisCode": "NOT-A-CODE"},
             {"procedureCode": "00000", "diagnosisCode": "M54.51"}]
    assert not _mismatches(kg, live_kg, name, keys)


def test_check_answers_the_same_from_the_index_and_from_the_store(kg, live_kg):
    pairs = [("64628", ["M54.51"]), ("64628", ["M51.16"]), ("64493", ["M47.816"]),
             ("22514", ["M80.08XA"]), ("62323", ["M54.16", "M54.50"]), ("64635", ["M54.50"]),
             ("27279", ["M53.3", "C79.51"]), ("G0276", ["M48.062"]), ("62287", ["M51.26"]), ("22869", ["M48.062", "M54.50"]), ("64628", ["I10"]),
             ("63650", ["M96.1", "G89.29"])]
    for procedure, diagnoses in pairs:
        assert check(procedure, diagnoses, kg=kg).to_dict() == check(
            procedure, diagnoses, kg=live_kg).to_dict(), (procedure, diagnoses)
    with pytest.raises(InputError, match="M54.50, M54.51 or M54.59"):
        check("64628", ["M54.5"], kg=kg)  # subcodes comes from the store


def test_an_index_from_another_format_is_not_used(tmp_path):
    db = sqlite3.connect(tmp_path / FILE_NAME)
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    db.execute("INSERT INTO meta VALUES ('format', '0:marshal0')")
    db.commit()
    db.close()
    assert AnswerIndex.open(str(tmp_path)) is None
    assert AnswerIndex.open(str(tmp_path / "missing")) is None
    (tmp_path / FILE_NAME).write_bytes(b"not a database" * 100)
    assert AnswerIndex.open(str(tmp_path)) is None


def test_the_default_graph_is_made_once(kg):
    from kg.graph import PainKG

    assert PainKG.default() is PainKG.default()
    assert check("64628", ["M54.51"]).verdict == "aligned"


def test_check_of_the_seed_case_does_not_open_the_store(store_path):
    """The cold `painkg check` answers from the index: pyoxigraph is never imported."""
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "kg", "check", "64628", "M54.51"],
        capture_output=True, text=True, check=True)
    assert "ALIGNED" in out.stdout
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()}
    assert "kg.checking" in imported and "pyoxigraph" not in imported
