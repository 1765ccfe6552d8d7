"""CDS Hooks 2.0 services for `order-select` and `order-sign`.

Each draft ServiceRequest with a CPT/HCPCS code painkg models is checked against its
ICD-10-CM reasons (``reasonCode``, or Conditions given in ``prefetch`` through
``reasonReference``) and answered with one advisory card. painkg never fetches FHIR data
itself: a reason it cannot read from the request answers 412, as the specification asks.
Optional card fields are omitted, never null.
"""

from __future__ import annotations

import uuid
from typing import Any

from kg.errors import InputError, UnknownProcedureError
from kg.graph import PainKG
from kg.model import CheckResult
from kg.render import chain
from kg.server.limits import ProtocolError

CPT = "http://www.ama-assn.org/go/cpt"
HCPCS = {
    "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "http://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets",
    "urn:oid:2.16.840.1.113883.6.285",
}
ICD10CM = {"http://hl7.org/fhir/sid/icd-10-cm", "urn:oid:2.16.840.1.113883.6.90"}
SOURCE = {"label": "painkg knowledge graph (advisory)"}
PREFETCH = {"conditions": "Condition?patient={{context.patientId}}"}
SERVICES = {
    "painkg-order-select": {
        "hook": "order-select",
        "id": "painkg-order-select",
        "title": "painkg: procedure-diagnosis alignment",
        "description": "When a spine or pain procedure (CPT/HCPCS) is selected, says whether its ICD-10-CM "
                       "reasons support it, with the reasoning path, documentation criteria and citations.",
        "prefetch": PREFETCH,
    },
    "painkg-order-sign": {
        "hook": "order-sign",
        "id": "painkg-order-sign",
        "title": "painkg: procedure-diagnosis alignment at signing",
        "description": "Before a spine or pain procedure order is signed, says whether its ICD-10-CM "
                       "reasons support it, and suggests aligned alternatives when they do not.",
        "prefetch": PREFETCH,
    },
}
VERDICT_TEXT = {"aligned": "Aligned", "indeterminate": "Indeterminate", "misaligned": "Not aligned"}


def discovery() -> dict[str, Any]:
    return {"services": list(SERVICES.values())}


def _codings(concept: Any) -> list[dict]:
    if not isinstance(concept, dict):
        return []
    return [c for c in concept.get("coding") or [] if isinstance(c, dict) and c.get("code")]


def _resources(value: Any) -> list[dict]:
    """FHIR resources in a Bundle (its entries) or a single resource."""
    if not isinstance(value, dict):
        return []
    if value.get("resourceType") == "Bundle":
        return [e["resource"] for e in value.get("entry") or [] if isinstance(e, dict) and isinstance(e.get("resource"), dict)]
    return [value]


def _conditions(prefetch: Any) -> dict[str, dict]:
    found = {}
    for value in (prefetch or {}).values() if isinstance(prefetch, dict) else []:
        for res in _resources(value):
            if res.get("resourceType") == "Condition" and res.get("id"):
                found[f"Condition/{res['id']}"] = res
    return found


def procedure_codes(order: dict) -> list[str]:
    return [c["code"] for c in _codings(order.get("code"))
            if c.get("system") == CPT or c.get("system") in HCPCS]


def diagnosis_codes(order: dict, conditions: dict[str, dict]) -> list[str]:
    """ICD-10-CM codes of the order's reasons; 412 when a referenced Condition is not given."""
    concepts = list(order.get("reasonCode") or [])
    references = [r.get("reference") for r in order.get("reasonReference") or [] if isinstance(r, dict)]
    for reason in order.get("reason") or []:  # FHIR R5 CodeableReference
        if isinstance(reason, dict):
            concepts.append(reason.get("concept"))
            references.append((reason.get("reference") or {}).get("reference"))
    for ref in filter(None, references):
        key = ref.split("/_history")[0]
        key = "/".join(key.split("/")[-2:])
        if key not in conditions:
            raise ProtocolError(
                412, "prefetch-missing",
                f"reason {ref} is not in prefetch; send the Condition (prefetch 'conditions')",
            )
        concepts.append(conditions[key].get("code"))
    codes = []
    for concept in concepts:
        for coding in _codings(concept):
            if coding.get("system") in ICD10CM and coding["code"] not in codes:
                codes.append(coding["code"])
    return codes


def _truncate(text: str, limit: int = 139) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def indicator(result: CheckResult) -> str:
    if result.verdict == "misaligned" or result.necessity == "not-medically-necessary":
        return "critical"
    return "info" if result.verdict == "aligned" else "warning"


def summary(result: CheckResult) -> str:
    verdict = VERDICT_TEXT[result.verdict]
    if result.verdict == "aligned" and result.necessity == "not-medically-necessary":
        verdict = "Aligned but not medically necessary"
    dx = ", ".join(f"{d.code} {d.title}" for d in result.diagnoses)
    return _truncate(f"{verdict}: {result.procedure['code']} {result.procedure['label']} for {dx}")


def detail(result: CheckResult) -> str:
    lines = [f"**Verdict:** {result.verdict}; **necessity:** {result.necessity}.", ""]
    lines += [f"- {reason}" for reason in result.reasons]
    if result.paths:
        lines += ["", "**Reasoning path**", ""]
        lines += [f"- [{k['kind']}] {chain(p)}" for k, p in zip(result.path_kinds, result.paths)]
    if result.criteria and result.verdict != "misaligned":
        lines += ["", "**Criteria to document**", ""]
        lines += [f"- {c['text']} [{c['source']}]" for c in result.criteria]
    if result.contraindications:
        lines += ["", "**Contraindications**", ""]
        lines += [f"- {c['diagnosis']} ({c['trigger']}): {c['text']} [{c['source']}]" for c in result.contraindications]
    if result.warnings:
        lines += ["", "**Warnings**", ""] + [f"- {w}" for w in result.warnings]
    if result.citations:
        lines += ["", "**Citations**", ""]
        lines += [f"- {c['id']}: {c['label']}" for c in result.citations]
    lines += ["", "_Advisory only: painkg does not decide coverage; the clinician does._"]
    return "\n".join(lines)


def _suggestions(kg: PainKG, result: CheckResult, order: dict) -> list[dict]:
    from kg.suggest import suggest

    if result.verdict == "aligned" and result.necessity != "not-medically-necessary":
        return []
    seen, out = {result.procedure["code"]}, []
    for dx in result.diagnoses:
        for alt in suggest(dx.code, kg):
            if alt["verdict"] != "aligned" or alt["code"] in seen or len(out) >= 3:
                continue
            seen.add(alt["code"])
            system = CPT if alt["code"][:1].isdigit() else "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"
            resource = {
                "resourceType": "ServiceRequest",
                "status": "draft",
                "intent": "order",
                "code": {"coding": [{"system": system, "code": alt["code"], "display": alt["label"]}]},
                "reasonCode": [{"coding": [{"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": dx.code,
                                            "display": dx.title}]}],
            }
            if isinstance(order.get("subject"), dict):
                resource["subject"] = order["subject"]
            actions = [{"type": "create", "description": f"Order {alt['code']} {alt['label']}", "resource": resource}]
            if order.get("id"):
                actions.append({"type": "delete", "description": f"Remove the draft order for {result.procedure['code']}",
                                "resourceId": [f"ServiceRequest/{order['id']}"]})
            out.append({
                "label": _truncate(f"{alt['code']} {alt['label']}: aligned with {dx.code}", 80),
                "uuid": str(uuid.uuid4()),
                "actions": actions,
            })
    return out


def card_for(kg: PainKG, result: CheckResult, order: dict) -> dict[str, Any]:
    card: dict[str, Any] = {
        "uuid": str(uuid.uuid4()),
        "summary": summary(result),
        "indicator": indicator(result),
        "detail": detail(result),
        "source": SOURCE,
    }
    suggestions = _suggestions(kg, result, order)
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = "at-most-one"
    return card


def _input_card(procedure: str, exc: InputError) -> dict[str, Any]:
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _truncate(f"Cannot check {procedure}: {exc}"),
        "indicator": "warning",
        "detail": f"{exc}\n\n_Advisory only: painkg does not decide coverage; the clinician does._",
        "source": SOURCE,
    }


def respond(kg: PainKG, service_id: str, request: Any) -> dict[str, Any]:
    """The CDS Hooks response (``{"cards": [...]}``) to one hook request."""
    from kg.checking import check

    service = SERVICES.get(service_id)
    if service is None:
        raise ProtocolError(404, "unknown-service", f"no CDS service {service_id!r}; GET /cds-services lists them")
    if not isinstance(request, dict) or not isinstance(request.get("context"), dict):
        raise ProtocolError(400, "invalid-request", "a CDS Hooks request is a JSON object with hook, hookInstance and context")
    if request.get("hook") != service["hook"]:
        raise ProtocolError(400, "wrong-hook", f"service {service_id} answers the {service['hook']} hook, not {request.get('hook')!r}")
    if not request.get("hookInstance"):
        raise ProtocolError(400, "invalid-request", "hookInstance is required")
    context = request["context"]
    orders = [r for r in _resources(context.get("draftOrders")) if r.get("resourceType") == "ServiceRequest"]
    selections = context.get("selections")
    if service["hook"] == "order-select" and isinstance(selections, list) and selections:
        orders = [o for o in orders if f"ServiceRequest/{o.get('id')}" in selections]
    conditions = _conditions(request.get("prefetch"))
    cards = []
    for order in orders:
        procedures = procedure_codes(order)
        if not procedures:
            continue
        diagnoses = diagnosis_codes(order, conditions)
        if not diagnoses:
            continue  # nothing to judge: no card (the specification allows an empty list)
        for procedure in procedures:
            try:
                result = check(procedure, diagnoses, kg=kg)
            except UnknownProcedureError:
                continue  # outside painkg's scope: stay silent
            except InputError as exc:
                cards.append(_input_card(procedure, exc))
                continue
            cards.append(card_for(kg, result, order))
    return {"cards": cards}
