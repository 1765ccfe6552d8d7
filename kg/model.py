"""Typed results of painkg's answers (named tuples: cheap to import, JSON-ready)."""

from __future__ import annotations

from typing import Any, NamedTuple

VERDICT_RANK = {"aligned": 2, "indeterminate": 1, "misaligned": 0}


class PathStep(NamedTuple):
    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str


class DiagnosisResult(NamedTuple):
    code: str
    title: str
    billable: bool
    verdict: str
    mechanisms: list[str]
    possible_mechanisms: list[str]
    regions: list[str] = []  # never mutated; a NamedTuple default


class CheckResult(NamedTuple):
    verdict: str
    necessity: str
    procedure: dict[str, str]
    diagnoses: list[DiagnosisResult]
    paths: list[list[PathStep]]
    path_kinds: list[dict[str, str]]
    reasons: list[str]
    criteria: list[dict[str, str]]
    contraindications: list[dict[str, str]]
    coverage: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    citations: list[dict[str, str]]
    warnings: list[str]

    def to_dict(self) -> dict[str, Any]:
        return _plain(self)

    @property
    def exit_code(self) -> int:
        return 0 if self.verdict == "aligned" else 1


def _plain(value: Any) -> Any:
    """Nested named tuples, lists and dicts as plain JSON-ready dicts and lists."""
    if isinstance(value, tuple) and hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value
