"""Decide claim lines with `painkg check`'s own logic, cheaply.

The real ``kg.checking.check`` runs once per distinct (procedure, diagnosis) pair. A line with
several diagnoses is composed from its pairs exactly as ``check`` composes them (the verdict is
the best per-diagnosis verdict; necessity comes from ``check``'s own ``_necessity`` over the
pairs' contraindications and the procedure's coverage), so each line's verdict and necessity
equal ``check(procedure, sorted diagnoses)`` (tests/test_screen.py compares them). Its reason is a short
form of check's reasons for the diagnoses that decide the verdict, then what blocks necessity
(a contraindication, an investigational or non-covered primary policy). Flags: bad codes
(the InputError classes), red flags, contraindications, investigational / non-covered
procedure, region incompatibility, and Excludes1 conflicts among a claim's diagnoses.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations

from kg.checking import (
    BLOCKING_STATUS,
    _necessity,
    check,
    resolve_diagnosis,
    resolve_procedure,
)
from kg.errors import InputError
from kg.graph import PainKG
from kg.model import VERDICT_RANK, CheckResult
from kg.namespaces import PK
from kg.screening.cache import ScreenKG

MAX_DECISIONS = 100_000  # per cache; past it the cache starts afresh (bounded memory)
STATUS_FLAG = {
    PK + "NotCovered": "non-covered",
    PK + "NationallyNonCovered": "non-covered",
    PK + "Investigational": "investigational",
}
assert set(STATUS_FLAG) == set(BLOCKING_STATUS)


@dataclass(eq=False, slots=True)  # hashed by identity: the summary counts rows per decision
class Decision:
    """What screening says about one line's (procedure, diagnoses)."""

    verdict: str = ""
    necessity: str = ""
    mechanism: str = ""
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    error: str = ""
    diagnoses: tuple[str, ...] = ()  # normalised codes that resolved (for Excludes1)
    procedure: str = ""
    flags_text: str = field(init=False)  # the flags joined with ";"
    flag_kinds: tuple[str, ...] = field(init=False)  # e.g. ("red-flag", "investigational")

    def __post_init__(self) -> None:
        flags = _FLAGS.get(tuple(self.flags))
        if flags is None:
            if len(_FLAGS) >= MAX_DECISIONS:
                _FLAGS.clear()
            flags = _FLAGS[tuple(self.flags)] = (
                ";".join(self.flags), tuple(dict.fromkeys(f.split(":", 1)[0] for f in self.flags)))
        self.flags_text, self.flag_kinds = flags

    def for_codes(self, diagnoses: tuple[str, ...]) -> Decision:
        """The same decision for a line with more (irrelevant) diagnoses."""
        d = object.__new__(Decision)
        for name in _SLOTS:
            object.__setattr__(d, name, getattr(self, name))
        d.diagnoses = diagnoses
        return d

    @property
    def out(self) -> list[str]:
        """The values of the screening columns."""
        return [self.verdict, self.necessity, self.mechanism, self.reason, self.flags_text, self.error]


_FLAGS: dict[tuple[str, ...], tuple[str, tuple[str, ...]]] = {}  # flags -> (joined, kinds)
_SLOTS = tuple(Decision.__slots__)


@dataclass(eq=False, slots=True)  # compared by identity (`None in pairs` stays cheap)
class Pair:
    """What check(procedure, [diagnosis]) says, as needed to compose a line, and the flags."""

    verdict: str
    rank: int
    reason: str  # a short form of check's reason for this diagnosis
    contraindications: list[dict[str, str]]
    coverage: list[dict]
    mechanisms: frozenset[str]  # of the paths that support the verdict
    flags: list[str]
    blocking: list[str]  # short reasons: contraindications of this pair, then coverage
    mechanism: str = field(init=False)  # the mechanisms, sorted and joined
    keep: bool = field(init=False)  # it always counts in a line (see Decider._compose)

    def __post_init__(self) -> None:
        self.mechanism = "; ".join(sorted(self.mechanisms))
        self.keep = bool(self.flags or self.blocking or self.contraindications)


class _MissingPairs(Exception):
    """A line needs pairs that are not decided yet (see Decider.decide_many)."""


def one_line(text: str) -> str:
    return " ".join(text.split())


class Decider:
    def __init__(self, kg: PainKG | None = None) -> None:
        base = kg or PainKG.default()
        self.kg = base if isinstance(base, ScreenKG) else ScreenKG(base)
        self._decisions: dict[tuple[str, tuple[str, ...]], Decision] = {}
        self._pairs: dict[tuple[str, str], Pair] = {}
        self._procedures: dict[str, tuple[str, str, str]] = {}  # raw -> (code, error, flag)
        self._diagnoses: dict[str, tuple[str, str, str]] = {}
        self._claims: dict[tuple[str, ...], list[tuple[str, str, str]]] = {}
        self._notes: dict[str, list[tuple[str, str]]] = {}  # code -> Excludes1 (excluded, holder)
        self._conflicts: dict[tuple[str, str], list[str]] = {}  # code pair -> note holders
        self._necessity: dict[tuple[str, str, bool], str] = {}
        self._red: set[str] = set()  # codes that are red flags
        self._missing: set[tuple[str, str]] | None = None  # pairs wanted, in decide_many
        self._sets: dict[tuple[str, ...], tuple[tuple[str, ...], list[str], list[str]]] = {}

    # -- codes ----------------------------------------------------------------------------
    def procedure(self, raw: str) -> tuple[str, str, str]:
        """(code, error, flag) of a procedure as written; code is '' when it is unusable."""
        found = self._procedures.get(raw)
        if found is None:
            if not raw.strip():
                found = ("", "missing procedure code", "")
            else:
                try:
                    found = (resolve_procedure(self.kg, raw)["code"], "", "")
                except InputError as exc:
                    found = ("", one_line(str(exc)), f"{exc.code}:{raw.strip()}")
            if len(self._procedures) >= MAX_DECISIONS:  # every bad value written is new
                self._procedures.clear()
            self._procedures[raw] = found
        return found

    def diagnosis(self, raw: str) -> tuple[str, str, str]:
        """(code, error, flag) of a diagnosis as written; flag is a red flag for a valid code."""
        found = self._diagnoses.get(raw)
        if found is None:
            try:
                code = resolve_diagnosis(self.kg, raw)["code"]
            except InputError as exc:
                found = ("", one_line(str(exc)), f"{exc.code}:{raw.strip()}")
            else:
                red = self.kg.rows("red-flags", diagnosisCode=code)
                found = (code, "", f"red-flag:{code}" if red else "")
                if red:
                    self._red.add(code)
            if len(self._diagnoses) >= MAX_DECISIONS:
                self._diagnoses.clear()
            self._diagnoses[raw] = found
        return found

    # -- one line -------------------------------------------------------------------------
    def decide(self, procedure: str, diagnoses: tuple[str, ...]) -> Decision:
        """Decide a line's procedure and diagnoses as written."""
        proc, proc_error, proc_flag = self.procedure(procedure)
        resolved, dx_errors, dx_flags = self.diagnosis_set(diagnoses)
        if proc_error or dx_errors:
            errors = ([proc_error] if proc_error else []) + dx_errors
            flags = ([proc_flag] if proc_flag else []) + dx_flags
            return Decision(flags=_unique(flags), error="; ".join(errors), diagnoses=resolved,
                            procedure=proc)
        return self.decide_resolved(proc, resolved)

    def decide_resolved(self, procedure: str, codes: tuple[str, ...]) -> Decision:
        """Decide a line whose procedure and diagnoses are valid codes (sorted and distinct).
        Its red flags are listed in code order, so the answer depends on the set of codes only."""
        key = (procedure, codes)
        found = self._decisions.get(key)
        if found is None:
            if len(self._decisions) >= MAX_DECISIONS:
                self._decisions.clear()
            red = self._red
            found = self._decisions[key] = self._compose(
                procedure, codes, [f"red-flag:{c}" for c in codes if c in red])
        return found

    def decide_many(self, lines: list[tuple[str, tuple[str, ...]]]) -> list[Decision]:
        """Decide lines (procedure and diagnoses as written): the pairs they need that are not
        known yet first, in sorted order, then the lines."""
        missing: set[tuple[str, str]] = set()
        self._missing = missing
        try:
            decided: list[Decision | None] = []
            for procedure, diagnoses in lines:
                try:
                    decided.append(self.decide(procedure, diagnoses))
                except _MissingPairs:
                    decided.append(None)
        finally:
            self._missing = None
        if missing:
            for pair in sorted(missing):
                self.pair(*pair)
            decided = [d or self.decide(*line) for d, line in zip(decided, lines)]
        return decided  # type: ignore[return-value]

    def diagnosis_set(self, diagnoses: tuple[str, ...]) -> tuple[tuple[str, ...], list[str], list[str]]:
        """The sorted distinct codes of a line's diagnoses as written, their errors and flags."""
        found = self._sets.get(diagnoses)
        if found is None:
            errors: list[str] = []
            flags: list[str] = []
            codes: list[str] = []
            written = tuple(d for d in diagnoses if not d.isspace())
            for raw in written:
                code, error, flag = self.diagnosis(raw)
                if error:
                    errors.append(error)
                if flag:
                    flags.append(flag)
                if code and code not in codes:
                    codes.append(code)
            if not written:
                errors.append("no diagnosis code on the line")
            if len(self._sets) >= MAX_DECISIONS:
                self._sets.clear()
            found = self._sets[diagnoses] = (tuple(sorted(codes)), errors, flags)
        return found

    def pair(self, procedure: str, code: str) -> Pair:
        key = (procedure, code)
        found = self._pairs.get(key)
        if found is None:
            result = check(procedure, [code], kg=self.kg)
            flags = []
            primary = next((c for c in result.coverage if c["primary"]), None)
            if primary and primary["status_iri"] in STATUS_FLAG:
                flags.append(STATUS_FLAG[primary["status_iri"]])
            if result.contraindications:
                flags.append(f"contraindicated:{code}")
            if not all(r["regionCompatible"] for r in self.kg.align(procedure, code)):
                flags.append(f"region-incompatible:{code}")
            if len(self._pairs) >= MAX_DECISIONS:
                self._pairs.clear()
            mechanisms = frozenset(k["mechanism"] for k in result.path_kinds
                                   if k["kind"] == result.verdict)
            region_ok = not any(f.startswith("region-incompatible") for f in flags)
            found = self._pairs[key] = Pair(
                result.verdict, VERDICT_RANK[result.verdict],
                one_line(short_reason(result, code, mechanisms, region_ok)),
                result.contraindications, result.coverage, mechanisms, flags,
                [one_line(r) for r in blocking_reasons(procedure, result.contraindications,
                                                       result.coverage)])
        return found

    def _compose(self, procedure: str, codes: tuple[str, ...] | list[str], flags: list[str]) -> Decision:
        """check(procedure, codes) from its single-diagnosis checks, as check composes them."""
        get = self._pairs.get
        pairs = [get((procedure, code)) for code in codes]
        if None in pairs:
            if self._missing is not None:  # decide_many decides them first
                self._missing.update((procedure, c) for p, c in zip(pairs, codes) if p is None)
                raise _MissingPairs
            pairs = [p or self.pair(procedure, c) for p, c in zip(pairs, codes)]
        if len(pairs) == 1:
            deciding = pairs
            contraindicated = bool(pairs[0].contraindications)
        else:
            top = max([p.rank for p in pairs])
            if top:  # a misaligned diagnosis that flags nothing changes nothing: decide without it
                red = self._red
                core = tuple([c for c, p in zip(codes, pairs) if p.keep or p.rank == top or c in red])
                if len(core) < len(codes):
                    key = (procedure, core)
                    base = self._decisions.get(key)
                    if base is None:
                        base = self._decisions[key] = self._compose(procedure, core, flags)
                    return base.for_codes(tuple(codes))
            deciding = [p for p in pairs if p.rank == top]
            contraindicated = any([p.contraindications for p in pairs])
        verdict = deciding[0].verdict
        key = (procedure, verdict, contraindicated)
        necessity = self._necessity.get(key)
        if necessity is None:  # check's own rule; it depends on nothing else
            contraindications = [c for p in pairs for c in p.contraindications]
            necessity = self._necessity[key] = _necessity(verdict, contraindications,
                                                          pairs[0].coverage)[0]
        # the reasons of the diagnoses that decide the verdict, then what blocks necessity
        reasons = [p.reason for p in deciding]
        blocking = [r for p in pairs if p.blocking for r in p.blocking]
        if blocking:
            reasons += dict.fromkeys(blocking)
        if len(deciding) == 1:
            mechanism = deciding[0].mechanism
        else:
            mechanism = "; ".join(sorted(frozenset().union(*(p.mechanisms for p in deciding))))
        for p in pairs:
            if p.flags:
                flags.extend(p.flags)
        return Decision(verdict, necessity, mechanism, "; ".join(reasons) + ".",
                        _unique(flags) if len(flags) > 1 else flags, "", tuple(codes), procedure)

    # -- one claim ------------------------------------------------------------------------
    def excludes1(self, codes: tuple[str, ...]) -> list[tuple[str, str, str]]:
        """Excludes1 conflicts among a claim's codes: (code, other code, holder of the note)."""
        if len(codes) < 2:
            return []
        found = self._claims.get(codes)
        if found is None:
            found = []
            known = self._conflicts
            for a, b in combinations(codes, 2):
                holders = known.get((a, b))
                if holders is None:
                    if len(known) >= MAX_DECISIONS:
                        known.clear()
                    holders = known[(a, b)] = sorted(self._excluding(a, b) | self._excluding(b, a))
                found.extend((a, b, h) for h in holders)
            if len(self._claims) >= MAX_DECISIONS:
                self._claims.clear()
            self._claims[codes] = found
        return found

    def _excluding(self, a: str, b: str) -> set[str]:
        """Holders of Excludes1 notes (at or above a) naming b or a node above b."""
        above_b = self.kg.ancestors(b)
        notes = self._notes.get(a)
        if notes is None:
            notes = self._notes[a] = [(r["excluded"], r["holderCode"])
                                      for r in self.kg.rows("excludes1", diagnosisCode=a)]
        return {holder for excluded, holder in notes if excluded in above_b}


def short_reason(result: CheckResult, code: str, mechanisms: frozenset[str], region_ok: bool) -> str:
    """check's reason for one diagnosis, in a few words (`painkg check` gives the full text)."""
    proc = result.procedure["code"]
    mech = ", ".join(sorted(mechanisms))
    if result.verdict == "aligned":
        return f"{code}: {mech}, which {proc} treats"
    if result.verdict == "indeterminate":
        return f"{code} names no generator: {mech} possible for {proc}, to be documented"
    dx = result.diagnoses[0]
    if not dx.mechanisms and not dx.possible_mechanisms:
        return f"{code}: no spine pain mechanism in painkg"
    if not region_ok:
        return f"{code}: a region where {proc} is not performed"
    has = ", ".join(dx.mechanisms + [f"possibly {m}" for m in dx.possible_mechanisms])
    return f"{code}: {has}, which {proc} does not treat"


def blocking_reasons(procedure: str, contraindications: list[dict[str, str]],
                     coverage: list[dict]) -> list[str]:
    """What makes a line not medically necessary besides its verdict, in a few words."""
    out = list(dict.fromkeys(
        f"contraindicated by {c['diagnosis']} ({c['trigger']})" for c in contraindications))
    primary = next((c for c in coverage if c["primary"]), None)
    if primary and primary["status_iri"] in BLOCKING_STATUS:
        out.append(f"{procedure} is {BLOCKING_STATUS[primary['status_iri']]} under its primary "
                   f"policy ({primary['source'] or primary['scope']})")
    return out


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
