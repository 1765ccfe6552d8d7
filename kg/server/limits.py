"""Limits that keep the read-only endpoint safe to expose."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    timeout: float = 10.0  # seconds a /sparql query may run before the answer is 503
    max_rows: int = 10_000  # SELECT rows / CONSTRUCT triples returned (X-SPARQL-MaxRows when cut)
    max_body: int = 256 * 1024  # bytes of a request body
    workers: int = 4  # /sparql queries running at once; more wait, and answer 503 at the time limit


class ProtocolError(Exception):
    """An HTTP error with a JSON body: {"error": {"code": ..., "message": ...}}."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def body(self) -> dict:
        return {"error": {"code": self.code, "message": self.message}}
