"""Decide one claim line: the real `kg.check.check` once per distinct (procedure, diagnosis set),
plus the screening flags (bad codes, red flags, non-covered procedure, region mismatch) and the
claim-level Excludes1 conflicts."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from kg.check import BLOCKING_STATUS, check, resolve_diagnosis, resolve_procedure
from kg.codes import normalise_icd, normalise_procedure
from kg.errors import InputError
from kg.graph import PainKG
from kg.screen.cache import CachedKG

MAX_DECISIONS = 200_000
STATUS_FLAG = {
    "https://w3id.org/painkg/NotCovered": "non-covered",
    "https://w3id.org/painkg/NationallyNonCovered": "non-covered",
    "https://w3id.org/painkg/Investigational": "investigational",
}
assert set(STATUS_FLAG) == set(BLOCKING_STATUS)


@dataclass
class Decision:
    """What screening says about one (procedure, diagnoses) key."""

    verdict: str = ""
    necessity: str = ""
    mechanism: str = ""
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    error: str = ""
    diagnoses: tuple[str, ...] = ()  # normalised codes that resolved (for Excludes1)
    procedure: str = ""


def one_line(text: str) -> str:
    return " ".join(text.split())


class Decider:
    def __init__(self, kg: PainKG | None = None) -> None:
        base = kg or PainKG()
        self.kg = base if isinstance(base, CachedKG) else CachedKG(base)
        self._decisions: dict[tuple[str, tuple[str, ...]], Decision] = {}
        self._conflicts: dict[tuple[str, str], list[str]] = {}
        self._claim_conflicts: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}

    # -- one line -------------------------------------------------------------------------
    def decide(self, procedure: str, diagnoses: tuple[str, ...]) -> Decision:
        key = (procedure, diagnoses)
        found = self._decisions.get(key)
        if found is None:
            if len(self._decisions) >= MAX_DECISIONS:
                self._decisions.clear()
            found = self._decisions[key] = self._decide(procedure, diagnoses)
        return found

    def _decide(self, raw_procedure: str, raw_diagnoses: tuple[str, ...]) -> Decision:
        errors: list[str] = []
        flags: list[str] = []
        procedure = ""
        if not raw_procedure.strip():
            errors.append("missing procedure code")
        else:
            try:
                procedure = resolve_procedure(self.kg, raw_procedure)["code"]
            except InputError as exc:
                errors.append(one_line(str(exc)))
                flags.append(f"{exc.code}:{raw_procedure.strip()}")
        codes: list[str] = []
        for raw in raw_diagnoses:
            try:
                code = resolve_diagnosis(self.kg, raw)["code"]
            except InputError as exc:
                errors.append(one_line(str(exc)))
                flags.append(f"{exc.code}:{raw.strip()}")
                continue
            if code not in codes:
                codes.append(code)
        if not raw_diagnoses:
            errors.append("no diagnosis code on the line")
        codes.sort()
        for code in codes:
            for row in self.kg.rows("red-flags", diagnosisCode=code):
                flags.append(f"red-flag:{code}")
                break
        if errors:
            return Decision(flags=_unique(flags), error="; ".join(errors), diagnoses=tuple(codes),
                            procedure=procedure)
        result = check(procedure, codes, kg=self.kg)
        primary = next((c for c in result.coverage if c["primary"]), None)
        if primary and primary["status_iri"] in STATUS_FLAG:
            flags.append(STATUS_FLAG[primary["status_iri"]])
        for ci in result.contraindications:
            flags.append(f"contraindicated:{ci['diagnosis']}")
        for code in codes:
            if not all(r["regionCompatible"] for r in self.kg.align(procedure, code)):
                flags.append(f"region-incompatible:{code}")
        mechanisms = sorted({k["mechanism"] for k in result.path_kinds if k["kind"] == result.verdict})
        return Decision(
            verdict=result.verdict,
            necessity=result.necessity,
            mechanism="; ".join(mechanisms),
            reason=_reason(result),
            flags=_unique(flags),
            diagnoses=tuple(codes),
            procedure=procedure,
        )

    # -- one claim ------------------------------------------------------------------------
    def excludes1(self, codes: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """Excludes1 conflicts among a claim's diagnosis codes: (code, other code, note holder)."""
        if len(codes) < 2:
            return []
        found = self._claim_conflicts.get(codes)
        if found is None:
            found = []
            for a, b in combinations(codes, 2):
                for holder in self._pair(a, b):
                    found.append((a, b, holder))
            if len(self._claim_conflicts) >= MAX_DECISIONS:
                self._claim_conflicts.clear()
            self._claim_conflicts[codes] = found
        return found

    def _pair(self, a: str, b: str) -> list[str]:
        key = (a, b)
        holders = self._conflicts.get(key)
        if holders is None:
            holders = sorted(
                {r["holderCode"] for r in self.kg.rows("excludes1-conflicts", codeA=a, codeB=b)}
                | {r["holderCode"] for r in self.kg.rows("excludes1-conflicts", codeA=b, codeB=a)}
            )
            self._conflicts[key] = holders
        return holders


def _reason(result) -> str:  # type: ignore[no-untyped-def]
    """One line: the reasons of the deciding diagnoses, then the necessity reasons."""
    return one_line(" ".join(result.reasons))


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def normalise_key(procedure: str, diagnoses: list[str]) -> tuple[str, tuple[str, ...]]:
    """Cheap key normalisation so 'm5451' and 'M54.51' share one decision."""
    try:
        proc = normalise_procedure(procedure)
    except InputError:
        proc = procedure
    dx = []
    for raw in diagnoses:
        try:
            dx.append(normalise_icd(raw))
        except InputError:
            dx.append(raw)
    return proc, tuple(sorted(set(dx)))
