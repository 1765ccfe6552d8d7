"""`ask`: read a question, resolve its entities, warn about mislabels, then run `check`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.checking import check
from kg.graph import PainKG
from kg.model import CheckResult
from kg.question.errors import AmbiguousQuestionError, UnrecognisedQuestionError
from kg.question.lexicon import Lexicon, NameMatch, lexicon_for
from kg.question.mislabel import (
    Mislabel,
    as_dicts,
    check_diagnosis_gloss,
    check_procedure_gloss,
    code_facts,
)
from kg.question.parse import CodeMention, find_codes
from kg.question.regions import RegionMention, find_regions
from kg.question.resolve import (
    ProcedureChoice,
    choose_procedure,
    diagnosis_by_name,
    diagnosis_phrase,
    strong_families,
)
from kg.render import check_text


@dataclass
class AskResult:
    question: str
    procedure: dict[str, Any]
    diagnoses: list[dict[str, Any]]
    mislabels: list[Mislabel]
    check: CheckResult
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return self.check.exit_code

    def to_dict(self) -> dict[str, Any]:
        result = self.check.to_dict()
        result["procedure"].pop("iri", None)
        return {
            "question": self.question,
            "mislabels": as_dicts(self.mislabels),
            "resolution": {"procedure": self.procedure, "diagnoses": self.diagnoses, "notes": self.notes},
            "check": result,
        }

    def text(self) -> str:
        lines = []
        for m in self.mislabels:
            lines.append(f"WARNING: {m.message}")
        if lines:
            lines.append("")
        lines.append("Understood")
        p = self.procedure
        lines.append(f"  procedure  {p['code']}  {p['label']}  <- {p['how']} '{p['words']}'")
        for reason in p["reasons"]:
            lines.append(f"             ({reason})")
        for d in self.diagnoses:
            lines.append(f"  diagnosis  {d['code']}  {d['title']}  <- {d['how']} '{d['words']}'")
            if d.get("gloss"):
                lines.append(f"             (your description: '{d['gloss']}')")
        for note in self.notes:
            lines.append(f"  note       {note}")
        lines.append("")
        lines.append(check_text(self.check))
        return "\n".join(lines)


def ask(question: str, kg: PainKG | None = None) -> AskResult:
    """Answer a question written in prose; raises an InputError subclass when it cannot."""
    kg = kg or PainKG.default()
    lex = lexicon_for(kg)
    text = " ".join(question.split())
    if not text:
        raise UnrecognisedQuestionError(
            'the question is empty; e.g. painkg ask "Is BVNA medically necessary for M54.51?"'
        )
    mentions = find_codes(text, frozenset(lex.codes))
    proc_codes = _unique([m for m in mentions if m.kind == "procedure"])
    dx_codes = _unique([m for m in mentions if m.kind == "icd"])

    # Procedure names, regions and qualifiers are read outside the codes and their glosses.
    glossed = [m.gloss_span for m in dx_codes if m.gloss_span]
    outside = _blank(text, glossed + [(m.start, m.end) for m in mentions])
    names = lex.match_names(outside)
    regions = find_regions(outside)

    diagnoses = _diagnoses(lex, dx_codes, outside, names, regions)
    dx_regions: dict[str, list[str]] = {}
    for d in diagnoses:
        facts = code_facts(kg, d["code"])
        d["title"] = facts.title or d["title"]
        if facts.regions:
            dx_regions[d["code"]] = sorted(facts.regions)

    mislabels: list[Mislabel] = []
    procedure = _procedure(lex, outside, proc_codes, names, regions, dx_regions, mislabels)
    for m in dx_codes:
        found = check_diagnosis_gloss(kg, lex, m.code, m.gloss) if m.gloss else None
        if found:
            mislabels.append(found)
    notes = []
    if len(diagnoses) > 1:
        notes.append(f"{len(diagnoses)} diagnoses: the verdict is the best of them, as in `check`")

    result = check(procedure.code, [d["code"] for d in diagnoses], kg=kg)
    proc_dict = {
        "code": procedure.code,
        "label": procedure.label,
        "how": "code" if procedure.source == "code" else "name",
        "words": procedure.words,
        "reasons": procedure.reasons,
    }
    return AskResult(text, proc_dict, diagnoses, mislabels, result, notes)


def _diagnoses(
    lex: Lexicon, dx_codes: list[CodeMention], outside: str, names: list[NameMatch],
    regions: list[RegionMention],
) -> list[dict[str, Any]]:
    """The codes written, else a title match on the diagnosis phrase (levels and the words that
    named the procedure left out)."""
    if dx_codes:
        return [{"code": m.code, "title": "", "how": "code", "words": m.raw, "gloss": m.gloss} for m in dx_codes]
    names = [m for found in strong_families(lex, names).values() for m in found]
    after = max((n.end for n in names), default=0)
    levels = [(r.start, r.end) for r in regions if r.words[:1].isalpha() and r.words[1:2].isdigit()]
    phrase = diagnosis_phrase(_blank(outside, levels + [(n.start, n.end) for n in names]), after)
    found = diagnosis_by_name(lex, phrase)
    said = " ".join(phrase.split()).strip(" ?.!,;:")
    return [{"code": found.code, "title": found.term, "how": f"{found.kind} match on", "words": said, "gloss": ""}]


def _procedure(
    lex: Lexicon, text: str, proc_codes: list[CodeMention], names: list[NameMatch],
    regions: list[RegionMention], dx_regions: dict[str, list[str]], mislabels: list[Mislabel],
) -> ProcedureChoice:
    """The code written (names of another family are flagged), else the one the names give."""
    if len(proc_codes) > 1:
        raise AmbiguousQuestionError(
            f"the question names {len(proc_codes)} procedure codes "
            f"({', '.join(m.code for m in proc_codes)}); ask about one"
        )
    if not proc_codes:
        return choose_procedure(lex, names, text, regions, dx_regions)
    mention = proc_codes[0]
    known = lex.codes.get(mention.code)
    label = known.label if known else ""
    choice = ProcedureChoice(mention.code, label, "code", mention.raw, ["written as a code"])
    for family, found in strong_families(lex, names).items():
        bad = check_procedure_gloss(lex, mention.code, family, found[0].words)
        if bad:
            mislabels.append(bad)
    return choice


def _unique(mentions: list[CodeMention]) -> list[CodeMention]:
    seen, out = set(), []
    for m in mentions:
        if m.code not in seen:
            seen.add(m.code)
            out.append(m)
    return out


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, min(b, len(chars))):
            chars[i] = " "
    return "".join(chars)
