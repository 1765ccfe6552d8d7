"""`suggest`: procedures aligned with a diagnosis, ranked."""

from __future__ import annotations

from kg.checking import resolve_diagnosis
from kg.graph import PainKG
from kg.namespaces import PK

STATUS_RANK = {
    PK + "CoveredWithCriteria": 0,
    PK + "CoveredOnlyInCED": 1,
    PK + "PayerDiscretion": 2,
    PK + "Investigational": 3,
    PK + "NotCovered": 4,
    PK + "NationallyNonCovered": 4,
}


def suggest(diagnosis: str, kg: PainKG | None = None) -> list[dict[str, str]]:
    """Aligned procedures first, then indeterminate; within each, covered before not covered."""
    kg = kg or PainKG.default()
    info = resolve_diagnosis(kg, diagnosis)
    rows = kg.procedures_for_diagnosis(info["code"])
    best: dict[str, dict] = {}
    for r in rows:
        current = best.get(r["procedureCode"])
        if current is None or (r["verdict"] == "aligned" and current["verdict"] != "aligned"):
            best[r["procedureCode"]] = r
    ranked = sorted(
        best.values(),
        key=lambda r: (r["verdict"] != "aligned", STATUS_RANK.get(r.get("coverageStatus", ""), 5), r["procedureCode"]),
    )
    out = []
    for r in ranked:
        status = str(r.get("coverageStatus", "")).removeprefix(PK)
        mech = str(r["mechanism"]).removeprefix(PK)
        out.append(
            {
                "code": r["procedureCode"],
                "label": str(r["procedureLabel"]),
                "verdict": r["verdict"],
                "coverage": status,
                "reason": f"treats {mech}, {'a definite' if r['verdict'] == 'aligned' else 'a possible'} mechanism of {info['code']}; primary coverage: {status or 'unknown'}",
            }
        )
    return out
