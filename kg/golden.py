"""Golden outputs of the query library, for checking every backend against the same answers.

Every ``queries/**/*.rq`` runs with the parameter sets of ``tests/golden/cases.json``
(parameterless queries once). A SELECT gives canonical rows, a CONSTRUCT (the rules)
canonical triples: each term written as in N-Triples (``xsd:string`` dropped, as RDF 1.1
makes ``"x"`` and ``"x"^^xsd:string`` the same term; blank nodes as ``_:``), rows sorted.
The goldens live in ``tests/golden/<query>.json``; regenerate them with
``python -m tests.golden.regenerate`` after changing a query or the data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kg import queries
from kg.backends.base import XSD, Term

GOLDEN_DIR = Path(__file__).resolve().parent.parent / "tests" / "golden"
CASES_FILE = GOLDEN_DIR / "cases.json"


def canonical_term(term: Term) -> str:
    if term.kind == "uri":
        return f"<{term.value}>"
    if term.kind == "bnode":
        return "_:"
    text = json.dumps(term.value, ensure_ascii=False)
    if term.lang:
        return f"{text}@{term.lang.lower()}"
    if term.datatype and term.datatype != XSD + "string":
        return f"{text}^^<{term.datatype}>"
    return text


def query_names() -> list[str]:
    """Every named, QC and rule query."""
    return [q.name for folder in ("", "qc", "rules") for q in queries.catalogue(folder)]


def is_construct(text: str) -> bool:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith(("#", "PREFIX")))
    return body.lstrip().upper().startswith("CONSTRUCT")


def cases() -> dict[str, list[dict[str, str]]]:
    return json.loads(CASES_FILE.read_text(encoding="utf-8"))


def run_case(backend: Any, name: str, params: dict[str, str]) -> dict[str, Any]:
    """One query on one backend: {"params", "variables", "rows"} or {"params", "triples"}."""
    text = queries.load(name).text
    if is_construct(text):
        triples = sorted({" ".join(canonical_term(t) for t in triple) for triple in backend.construct(text)})
        return {"params": params, "triples": triples}
    result = backend.select(text, params or None)
    rows = sorted(
        (
            {var: canonical_term(row[var]) for var in result.variables if var in row}
            for row in result.rows
        ),
        key=lambda r: json.dumps(r, sort_keys=True, ensure_ascii=False),
    )
    deduplicated = [r for i, r in enumerate(rows) if i == 0 or r != rows[i - 1]]
    if len(deduplicated) != len(rows) and "DISTINCT" in text.upper():
        rows = deduplicated
    return {"params": params, "variables": result.variables, "rows": rows}


def run_query(backend: Any, name: str) -> list[dict[str, Any]]:
    parameter_sets = cases().get(name) or [{}]
    return [run_case(backend, name, params) for params in parameter_sets]


def golden_path(name: str) -> Path:
    return GOLDEN_DIR / f"{name}.json"


def read_golden(name: str) -> list[dict[str, Any]]:
    return json.loads(golden_path(name).read_text(encoding="utf-8"))


def write_golden(name: str, answers: list[dict[str, Any]]) -> Path:
    path = golden_path(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(answers, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
