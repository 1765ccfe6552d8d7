"""Plain-JSON answers: the same documents as `painkg check|lookup|suggest --format json`."""

from __future__ import annotations

from typing import Any

from kg.errors import (
    BackendError,
    KGError,
    MalformedCodeError,
    NonBillableCodeError,
    UnknownCodeError,
    UnknownProcedureError,
)
from kg.graph import PainKG
from kg.server.limits import ProtocolError

STATUS = {
    MalformedCodeError: 400,
    UnknownCodeError: 404,
    UnknownProcedureError: 404,
    NonBillableCodeError: 422,
    BackendError: 502,
}


def as_protocol_error(exc: KGError) -> ProtocolError:
    status = next((s for cls, s in STATUS.items() if isinstance(exc, cls)), 400)
    return ProtocolError(status, exc.code, str(exc))


def check_document(kg: PainKG, procedure: str, diagnoses: list[str]) -> dict[str, Any]:
    """Exactly the `painkg check --format json` document."""
    from kg.checking import check

    if not diagnoses:
        raise ProtocolError(400, "missing-parameter", "give at least one diagnosis, e.g. ?diagnosis=M54.51")
    data = check(procedure, diagnoses, kg=kg).to_dict()
    data["procedure"].pop("iri", None)
    return data


def lookup_document(kg: PainKG, code: str) -> dict[str, Any]:
    from kg.lookup import lookup

    return lookup(code, kg)


def suggest_document(kg: PainKG, diagnosis: str) -> list[dict[str, str]]:
    from kg.suggest import suggest

    return suggest(diagnosis, kg)
