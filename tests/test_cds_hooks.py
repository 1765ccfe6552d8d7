"""CDS Hooks 2.0: discovery, order-select and order-sign cards, 412 when prefetch is missing.

The requests follow the shape of HL7's order-sign / order-select examples (R4 ServiceRequest
in context.draftOrders, Conditions in prefetch), with our codes."""

from __future__ import annotations

import copy
import json

import pytest

pytest.importorskip("fastapi")

CPT = "http://www.ama-assn.org/go/cpt"
ICD = "http://hl7.org/fhir/sid/icd-10-cm"


def service_request(order_id: str, cpt: str, reason_codes=(), reason_refs=()) -> dict:
    order = {
        "resourceType": "ServiceRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "code": {"coding": [{"system": CPT, "code": cpt}]},
        "subject": {"reference": "Patient/example"},
    }
    if reason_codes:
        order["reasonCode"] = [{"coding": [{"system": ICD, "code": c}]} for c in reason_codes]
    if reason_refs:
        order["reasonReference"] = [{"reference": r} for r in reason_refs]
    return order


def hook_request(hook: str, orders: list[dict], prefetch: dict | None = None, selections=None) -> dict:
    request = {
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "fhirServer": "http://127.0.0.1:9/fhir",  # never contacted: painkg fetches nothing
        "hook": hook,
        "context": {
            "userId": "PractitionerRole/A2340113",
            "patientId": "1288992",
            "encounterId": "89284",
            "draftOrders": {"resourceType": "Bundle", "entry": [{"resource": o} for o in orders]},
        },
    }
    if selections is not None:
        request["context"]["selections"] = selections
    if prefetch is not None:
        request["prefetch"] = prefetch
    return request


def condition(cid: str, code: str) -> dict:
    return {"resourceType": "Condition", "id": cid, "subject": {"reference": "Patient/1288992"},
            "code": {"coding": [{"system": ICD, "code": code}]}}


def no_nulls(value) -> bool:
    if isinstance(value, dict):
        return all(v is not None and no_nulls(v) for v in value.values())
    if isinstance(value, list):
        return all(v is not None and no_nulls(v) for v in value)
    return True


def test_discovery(client):
    services = client.get("/cds-services").json()["services"]
    assert {s["hook"] for s in services} == {"order-select", "order-sign"}
    for s in services:
        assert s["id"] and s["description"] and s["prefetch"]["conditions"].startswith("Condition?patient=")


def test_order_sign_seed_case_is_an_info_card(client):
    request = hook_request("order-sign", [service_request("sr-1", "64628", ["M54.51"])])
    response = client.post("/cds-services/painkg-order-sign", json=request)
    assert response.status_code == 200
    cards = response.json()["cards"]
    assert len(cards) == 1
    card = cards[0]
    assert card["indicator"] == "info"
    assert len(card["summary"]) < 140 and card["summary"].startswith("Aligned: 64628")
    assert "Vertebrogenic low back pain" in card["summary"]
    assert "basivertebral nerve" in card["detail"] and "vertebral endplate" in card["detail"]
    assert "**Criteria to document**" in card["detail"] and "**Citations**" in card["detail"]
    assert card["source"]["label"]
    assert "suggestions" not in card and "selectionBehavior" not in card
    assert no_nulls(response.json())


def test_misaligned_order_is_critical_with_aligned_alternatives(client):
    request = hook_request("order-sign", [service_request("sr-2", "64628", ["M51.16"])])
    card = client.post("/cds-services/painkg-order-sign", json=request).json()["cards"][0]
    assert card["indicator"] == "critical" and card["summary"].startswith("Not aligned: 64628")
    assert card["selectionBehavior"] == "at-most-one"
    from kg.suggest import suggest

    assert card["suggestions"]
    for suggestion in card["suggestions"]:
        create = suggestion["actions"][0]
        code = create["resource"]["code"]["coding"][0]["code"]
        assert create["type"] == "create" and create["resource"]["status"] == "draft"
        assert code != "64628"
        assert suggestion["actions"][1] == {"type": "delete", "resourceId": ["ServiceRequest/sr-2"],
                                            "description": "Remove the draft order for 64628"}
    aligned = {r["code"] for r in suggest("M51.16") if r["verdict"] == "aligned"}
    assert {s["actions"][0]["resource"]["code"]["coding"][0]["code"] for s in card["suggestions"]} <= aligned


def test_indeterminate_order_is_a_warning(client):
    # M54.50 names low back pain without its generator: 64628 is indeterminate
    request = hook_request("order-sign", [service_request("sr-3", "64628", ["M54.50"])])
    card = client.post("/cds-services/painkg-order-sign", json=request).json()["cards"][0]
    assert card["indicator"] == "warning" and card["summary"].startswith("Indeterminate: 64628")
    assert "**Criteria to document**" in card["detail"]


def test_reason_reference_read_from_prefetch(client):
    order = service_request("sr-4", "64628", reason_refs=["Condition/c1"])
    prefetch = {"conditions": {"resourceType": "Bundle", "entry": [{"resource": condition("c1", "M54.51")}]}}
    response = client.post("/cds-services/painkg-order-sign", json=hook_request("order-sign", [order], prefetch))
    assert response.status_code == 200
    assert response.json()["cards"][0]["indicator"] == "info"


def test_missing_prefetch_is_412(client):
    order = service_request("sr-5", "64628", reason_refs=["Condition/c9"])
    response = client.post("/cds-services/painkg-order-sign", json=hook_request("order-sign", [order]))
    assert response.status_code == 412
    assert response.json()["error"]["code"] == "prefetch-missing"


def test_order_select_judges_only_the_selection(client):
    orders = [service_request("sr-6", "64628", ["M54.51"]), service_request("sr-7", "64628", ["M51.16"])]
    request = hook_request("order-select", orders, selections=["ServiceRequest/sr-7"])
    cards = client.post("/cds-services/painkg-order-select", json=request).json()["cards"]
    assert [c["indicator"] for c in cards] == ["critical"]


@pytest.mark.parametrize("order", [
    service_request("sr-8", "64628"),  # no reason: nothing to judge
    {**service_request("sr-9", "64628", ["M54.51"]), "code": {"coding": [{"system": "http://loinc.org", "code": "24627-2"}]}},
    service_request("sr-10", "99213", ["M54.51"]),  # a CPT code outside painkg
])
def test_orders_painkg_cannot_judge_give_no_card(client, order):
    response = client.post("/cds-services/painkg-order-sign", json=hook_request("order-sign", [order]))
    assert response.status_code == 200 and response.json() == {"cards": []}


def test_non_billable_reason_gives_a_warning_card(client):
    request = hook_request("order-sign", [service_request("sr-11", "64628", ["M54.5"])])
    card = client.post("/cds-services/painkg-order-sign", json=request).json()["cards"][0]
    assert card["indicator"] == "warning" and "M54.51" in card["summary"] and len(card["summary"]) < 140


@pytest.mark.parametrize("mutate,status", [
    (lambda r: r.pop("context"), 400),
    (lambda r: r.pop("hookInstance"), 400),
    (lambda r: r.update(hook="patient-view"), 400),
])
def test_malformed_hook_requests(client, mutate, status):
    request = hook_request("order-sign", [service_request("sr-12", "64628", ["M54.51"])])
    mutate(request)
    assert client.post("/cds-services/painkg-order-sign", json=request).status_code == status
    assert client.post("/cds-services/painkg-order-sign", content=b"{not json").status_code == 400
    assert client.post("/cds-services/nope", json=copy.deepcopy(request)).status_code in (400, 404)


def test_summaries_stay_under_140_characters(client):
    orders = [service_request(f"sr-{i}", "64493", ["M47.816", "M54.51", "M51.16"]) for i in range(2)]
    cards = client.post("/cds-services/painkg-order-sign", json=hook_request("order-sign", orders)).json()["cards"]
    assert len(cards) == 2 and all(len(c["summary"]) < 140 for c in cards)
    json.dumps(cards)


def test_hcpcs_code_and_r5_reason(client):
    order = service_request("sr-13", "G0260")
    order["code"] = {"coding": [{"system": "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets", "code": "G0260"}]}
    order["reason"] = [{"concept": {"coding": [{"system": ICD, "code": "M46.1"}]}}]  # FHIR R5 CodeableReference
    card = client.post("/cds-services/painkg-order-sign", json=hook_request("order-sign", [order])).json()["cards"][0]
    assert card["indicator"] == "info" and card["summary"].startswith("Aligned: G0260")
