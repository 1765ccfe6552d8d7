"""`lookup`: everything the graph knows about a code."""

from __future__ import annotations

from typing import Any

from kg.checking import resolve_procedure
from kg.codes import looks_like_procedure, normalise_icd
from kg.errors import UnknownCodeError
from kg.graph import PainKG
from kg.namespaces import curie


def lookup(code: str, kg: PainKG | None = None) -> dict[str, Any]:
    kg = kg or PainKG.default()
    if looks_like_procedure(code):
        proc = resolve_procedure(kg, code)
        facts: dict[str, list[str]] = {}
        for r in kg.procedure_info(proc["code"]):
            key = curie(r["property"])
            facts.setdefault(key, []).append(str(r.get("valueLabel") or r["value"]))
        evidence = kg.evidence(proc["code"])
        return {
            "kind": "procedure",
            "code": proc["code"],
            "label": proc["label"],
            "iri": proc["iri"],
            "facts": facts,
            "statements": [
                {"kind": r["kind"], "text": str(r["text"]), "source": str(r.get("sourceId", ""))}
                for r in evidence
            ],
        }
    norm = normalise_icd(code)
    rows = [r for r in kg.code_info(norm) if r.get("kind") == "icd10cm"]
    if not rows:
        raise UnknownCodeError(f"{norm} is not an ICD-10-CM code in the April 2026 code set")
    info = rows[0]
    mechs = kg.mechanisms_of(norm)
    out: dict[str, Any] = {
        "kind": "icd10cm",
        "code": norm,
        "title": str(info["label"]),
        "billable": bool(info["billable"]),
        "parent": info.get("parentCode"),
        "regions": sorted({str(r["regionLabel"]) for r in rows if r.get("regionLabel")}),
        "mechanisms": sorted(
            {f"{r['mechanismLabel']} ({r['certainty']}, assigned at {r['assignedAtLabel']})" for r in mechs}
        ),
    }
    if not info["billable"]:
        out["billable_subcodes"] = [r["subcode"] for r in kg.subcodes(norm)]
    if info.get("nonBillableSince"):
        out["non_billable_since"] = info["nonBillableSince"]
    return out


def procedures(kg: PainKG | None = None) -> list[dict[str, str]]:
    kg = kg or PainKG.default()
    return kg.rows("procedure-list")
