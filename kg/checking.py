"""Checking: is procedure P medically necessary for diagnosis D? Verdict, necessity, paths.

The module is named ``checking`` so that importing it never hides the function ``kg.check``.
The verdict comes from ``queries/align.rq``; the paths from ``mechanisms-of.rq`` and
``procedure-chain.rq``;
criteria, coverage and evidence from ``evidence.rq``; contraindications from
``contraindications.rq``. This module validates input and assembles the answer.
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.codes import normalise_icd, normalise_procedure
from kg.errors import NonBillableCodeError, UnknownCodeError, UnknownProcedureError
from kg.graph import PainKG
from kg.model import VERDICT_RANK, CheckResult, DiagnosisResult, PathStep
from kg.namespaces import (
    BROADER,
    HAS_DIRECT_SITE,
    HAS_MECHANISM,
    HAS_PAIN_GENERATOR,
    HAS_POSSIBLE_MECHANISM,
    INNERVATES,
    PK,
    curie,
)

BLOCKING_STATUS = {
    PK + "NotCovered": "not covered",
    PK + "NationallyNonCovered": "nationally non-covered",
    PK + "Investigational": "investigational / unproven",
}


def resolve_procedure(kg: PainKG, raw: str) -> dict:
    code = normalise_procedure(raw)
    rows = [r for r in kg.code_info(code) if r.get("kind") in ("cpt", "hcpcs")]
    if not rows:
        raise UnknownProcedureError(
            f"procedure code {code} is not in painkg, which covers interventional spine and pain "
            "procedures; run `painkg lookup --procedures` to list them"
        )
    return {"code": code, "label": str(rows[0]["label"]), "iri": str(rows[0]["entity"])}


def resolve_diagnosis(kg: PainKG, raw: str) -> dict:
    code = normalise_icd(raw)
    rows = [r for r in kg.code_info(code) if r.get("kind") == "icd10cm"]
    if not rows:
        raise UnknownCodeError(
            f"{code} is not an ICD-10-CM code in the April 2026 code set; check the code, or run "
            "`painkg lookup` on its category to see the valid codes"
        )
    info = rows[0]
    if not info["billable"]:
        subs = [r["subcode"] for r in kg.subcodes(code)]
        since = f" since {info['nonBillableSince']}" if info.get("nonBillableSince") else ""
        if len(subs) <= 3:
            choice = ", ".join(subs[:-1]) + (" or " if len(subs) > 1 else "") + subs[-1] if subs else ""
        else:
            choice = ", ".join(subs[:3]) + f" or one of its {len(subs)} billable codes"
        raise NonBillableCodeError(
            f"{code} ({info['label']}) is a header code, not billable{since}; use {choice}"
        )
    regions = sorted({str(r["regionLabel"]) for r in rows if r.get("regionLabel")})
    return {"code": code, "title": str(info["label"]), "billable": True, "iri": str(info["entity"]), "regions": regions}


class _Labels:
    def __init__(self, kg: PainKG) -> None:
        self.kg = kg
        self.known: dict[str, str] = {}

    def add(self, iri: str | None, label: object) -> None:
        if iri and label:
            self.known[iri] = str(label)

    def __call__(self, iri: str) -> str:
        return self.known.get(iri) or self.kg.property_labels.get(iri) or curie(iri)


def _edge(labels: _Labels, s: str, p: str, o: str) -> PathStep:
    return PathStep(s, labels(s), p, labels(p), o, labels(o))


def _diagnosis_chain(labels: _Labels, row: dict) -> list[PathStep]:
    dx, holder, mech = row["diagnosis"], row["assignedAt"], row["mechanism"]
    if row["certainty"] not in ("definite", "possible"):
        return []
    assign = HAS_MECHANISM if row["certainty"] == "definite" else HAS_POSSIBLE_MECHANISM
    steps = []
    if holder != dx:
        steps.append(_edge(labels, dx, BROADER, holder))
    steps.append(_edge(labels, holder if holder != dx else dx, assign, mech))
    if row.get("generator"):
        steps.append(_edge(labels, mech, HAS_PAIN_GENERATOR, row["generator"]))
    return steps


def _procedure_chain(labels: _Labels, row: dict) -> list[PathStep]:
    """Target side, written from the mechanism towards the procedure."""
    mech, target, relation = row["mechanism"], row["target"], row["siteRelation"]
    proc = row["procedure"]
    if relation == INNERVATES:
        return [
            _edge(labels, mech, HAS_PAIN_GENERATOR, row["generator"]),
            _edge(labels, target, INNERVATES, row["generator"]),
            _edge(labels, proc, HAS_DIRECT_SITE, target),
        ]
    return [_edge(labels, mech, relation, target), _edge(labels, proc, HAS_DIRECT_SITE, target)]


def _join(diag: list[PathStep], proc: list[PathStep]) -> list[PathStep]:
    """Diagnosis chain, then the procedure chain without a repeated generator edge."""
    seen = {(s.subject, s.predicate, s.object) for s in diag}
    return diag + [s for s in proc if (s.subject, s.predicate, s.object) not in seen]


def check(
    procedure: str, diagnoses: Sequence[str], kg: PainKG | None = None
) -> CheckResult:
    """Decide and explain; raises an InputError subclass for bad input."""
    kg = kg or PainKG.default()
    if not diagnoses:
        raise UnknownCodeError("give at least one ICD-10-CM diagnosis code, e.g. M54.51")
    proc = resolve_procedure(kg, procedure)
    dx_infos = [resolve_diagnosis(kg, d) for d in diagnoses]
    labels = _Labels(kg)
    labels.add(proc["iri"], f"{proc['code']} {proc['label']}")
    proc_chain = kg.procedure_chain(proc["code"])
    for r in proc_chain:
        for key in ("mechanism", "target", "generator"):
            labels.add(r.get(key), r.get(key + "Label"))

    results: list[DiagnosisResult] = []
    paths: list[list[PathStep]] = []
    kinds: list[dict[str, str]] = []
    reasons: list[str] = []
    warnings: list[str] = []
    contraindications: list[dict[str, str]] = []
    for info in dx_infos:
        code = info["code"]
        labels.add(info["iri"], f"{code} {info['title']}")
        align_rows = kg.align(proc["code"], code)
        verdict = max((r["verdict"] for r in align_rows), key=VERDICT_RANK.__getitem__)
        region_ok = all(r["regionCompatible"] for r in align_rows)
        dx_side = kg.mechanisms_of(code)
        proc_side = proc_chain
        for r in dx_side:
            for key in ("assignedAt", "mechanism", "generator", "nerve"):
                labels.add(r.get(key), r.get(key + "Label"))
        labels.add(info["iri"], f"{code} {info['title']}")
        definite = sorted({labels(r["mechanism"]) for r in dx_side if r["certainty"] == "definite"})
        possible = sorted({labels(r["mechanism"]) for r in dx_side if r["certainty"] == "possible"})
        treated = sorted({labels(r["mechanism"]) for r in proc_side})
        results.append(
            DiagnosisResult(code, info["title"], True, verdict, definite, possible, info["regions"])
        )
        if not info["regions"] and (definite or possible):
            warnings.append(
                f"{code} names no spinal region; region compatibility with {proc['code']} is assumed."
            )
        matched = {
            (r["mechanism"], r["target"]) for r in align_rows if r.get("mechanism") and r.get("target")
        }
        if verdict in ("aligned", "indeterminate"):
            want = "definite" if verdict == "aligned" else "possible"
            for mech, target in sorted(matched):
                diag_rows = [r for r in dx_side if r["mechanism"] == mech and r["certainty"] == want]
                pr_rows = [r for r in proc_side if r["mechanism"] == mech and r["target"] == target]
                gen = {r.get("generator") for r in pr_rows}
                diag_rows.sort(key=lambda r: r.get("generator") not in gen)
                for d in diag_rows[:1]:
                    for p in pr_rows[:1]:
                        paths.append(_join(_diagnosis_chain(labels, d), _procedure_chain(labels, p)))
                        kinds.append({"diagnosis": code, "kind": verdict, "mechanism": labels(mech)})
            mech_text = ", ".join(sorted({labels(m) for m, _ in matched}))
            if verdict == "aligned":
                reasons.append(
                    f"{code} ({info['title']}) expresses {mech_text}; {proc['code']} targets its "
                    "pain generator or the nerve that innervates it, in a compatible region."
                )
            else:
                reasons.append(
                    f"{code} ({info['title']}) names pain without a specified generator; {mech_text} "
                    f"is possible, and {proc['code']} treats it, so the documentation must establish "
                    "the generator."
                )
        else:
            for d in _one_per_mechanism(dx_side):
                paths.append(_diagnosis_chain(labels, d))
                kinds.append({"diagnosis": code, "kind": "diagnosis-chain", "mechanism": labels(d["mechanism"])})
            for p in proc_side:
                paths.append(_procedure_chain(labels, p)[::-1])
                kinds.append({"diagnosis": code, "kind": "procedure-chain", "mechanism": labels(p["mechanism"])})
            treated_text = ", ".join(treated) or "no modelled mechanism"
            if not definite and not possible:
                reasons.append(
                    f"{code} ({info['title']}) has no pain mechanism in painkg (it is not a spine "
                    f"pain diagnosis); {proc['code']} treats {treated_text}."
                )
            elif not region_ok:
                reasons.append(
                    f"{code} ({info['title']}) names a spinal region that does not overlap the "
                    f"regions where {proc['code']} is performed."
                )
            else:
                have = ", ".join(definite + [f"possibly {m}" for m in possible])
                reasons.append(
                    f"{code} ({info['title']}) expresses {have}; {proc['code']} treats "
                    f"{treated_text}: the mechanisms differ."
                )
        found: dict[str, dict[str, str]] = {}
        for r in kg.contraindications(proc["code"], code):
            item = found.setdefault(
                r["contraindication"],
                {"diagnosis": code, "text": str(r["text"]), "trigger": str(r["triggerLabel"]), "source": ""},
            )
            if r.get("source"):
                sid = curie(r["source"]).removeprefix("src:")
                item["source"] = "; ".join(filter(None, [item["source"], sid]))
        contraindications.extend(found.values())

    verdict = max((r.verdict for r in results), key=VERDICT_RANK.__getitem__)
    statements = kg.evidence(proc["code"])
    criteria, coverage, evidence, citations = _statements(statements)
    necessity, more_reasons, more_warnings = _necessity(verdict, contraindications, coverage)
    reasons += more_reasons
    warnings += more_warnings
    return CheckResult(
        verdict=verdict,
        necessity=necessity,
        procedure={"code": proc["code"], "label": proc["label"], "iri": proc["iri"]},
        diagnoses=results,
        paths=paths,
        path_kinds=kinds,
        reasons=reasons,
        criteria=criteria,
        contraindications=_dedupe(contraindications),
        coverage=coverage,
        evidence=evidence,
        citations=citations,
        warnings=warnings,
    )


def _one_per_mechanism(rows: list[dict]) -> list[dict]:
    seen, out = set(), []
    for r in rows:
        if r["mechanism"] not in seen:
            seen.add(r["mechanism"])
            out.append(r)
    return out


def _dedupe(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = tuple(sorted(item.items()))
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _statements(rows: list[dict]) -> tuple[list, list, list, list]:
    grouped: dict[str, dict] = {}
    citations: dict[str, dict[str, str]] = {}
    for r in rows:
        st = grouped.setdefault(
            r["statement"],
            {
                "kind": r["kind"],
                "text": str(r["text"]),
                "status": r.get("status"),
                "status_label": str(r.get("statusLabel", "")),
                "primary": bool(r.get("primary", False)),
                "scope": str(r.get("scope", "")),
                "order": int(r.get("order", 0)),
                "sources": [],
            },
        )
        if r.get("source"):
            sid = str(r.get("sourceId") or curie(r["source"]))
            if sid not in st["sources"]:
                st["sources"].append(sid)
            citations.setdefault(sid, {"id": sid, "label": str(r.get("sourceLabel", "")), "iri": r["source"]})
    items = list(grouped.values())
    criteria = [
        {"text": s["text"], "source": "; ".join(s["sources"])}
        for s in sorted((s for s in items if s["kind"] == "criterion"), key=lambda s: s["order"])
    ]
    coverage = [
        {"status": s["status_label"], "status_iri": s["status"], "primary": s["primary"],
         "scope": s["scope"], "text": s["text"], "source": "; ".join(s["sources"])}
        for s in sorted((s for s in items if s["kind"] == "coverage"), key=lambda s: not s["primary"])
    ]
    evidence = [
        {"recommendation": s["status_label"], "text": s["text"], "source": "; ".join(s["sources"])}
        for s in items if s["kind"] == "evidence"
    ]
    return criteria, coverage, evidence, sorted(citations.values(), key=lambda c: c["id"])


def _necessity(verdict: str, contraindications: list, coverage: list) -> tuple[str, list, list]:
    reasons, warnings = [], []
    primary = next((c for c in coverage if c["primary"]), None)
    blocked = False
    for ci in contraindications:
        reasons.append(f"Contraindicated: {ci['diagnosis']} ({ci['trigger']}): {ci['text']} [{ci['source']}]")
        blocked = True
    if primary and primary["status_iri"] in BLOCKING_STATUS:
        reasons.append(
            f"The procedure is {BLOCKING_STATUS[primary['status_iri']]} under its primary policy "
            f"({primary['scope']}): {primary['text']} [{primary['source']}]"
        )
        blocked = True
    if primary and primary["status_iri"] == PK + "CoveredOnlyInCED":
        warnings.append(f"Covered only under coverage with evidence development: {primary['text']}")
    if primary and primary["status_iri"] == PK + "PayerDiscretion":
        warnings.append(f"No policy decides coverage; reviewed case by case: {primary['text']}")
    if blocked or verdict == "misaligned":
        return "not-medically-necessary", reasons, warnings
    if verdict == "aligned":
        return "criteria-apply", reasons, warnings
    return "undetermined", reasons, warnings
