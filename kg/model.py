"""Typed results of painkg's answers (plain dataclasses, JSON-ready)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

VERDICT_RANK = {"aligned": 2, "indeterminate": 1, "misaligned": 0}


@dataclass
class PathStep:
    subject: str
    subject_label: str
    predicate: str
    predicate_label: str
    object: str
    object_label: str


@dataclass
class DiagnosisResult:
    code: str
    title: str
    billable: bool
    verdict: str
    mechanisms: list[str]
    possible_mechanisms: list[str]
    regions: list[str] = field(default_factory=list)


@dataclass
class CheckResult:
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
        return asdict(self)

    @property
    def exit_code(self) -> int:
        return 0 if self.verdict == "aligned" else 1
