"""Resolve the procedure and the diagnoses of a question against the graph.

Procedure: a CPT/HCPCS code wins; otherwise the names found in the question (lexicon) give a
family or a code, and the family's codes are narrowed by (1) leaving out add-on codes,
(2) the regions the question names, else the regions of the diagnoses, (3) words of a code's
label that only that code has ("paddle", "without"). Still several -> ask for a code.

Diagnosis: codes in the question; without any, the ICD-10-CM title or inclusion term whose
every word the question contains (the most specific one), else the same over all of ICD-10-CM.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.question.errors import AmbiguousQuestionError, UnrecognisedQuestionError
from kg.question.lexicon import Lexicon, NameMatch, ProcedureCode, TitleTerm
from kg.question.regions import RegionMention, bases
from kg.question.text import content_set, words


@dataclass
class ProcedureChoice:
    code: str
    label: str
    source: str  # "code" | "name"
    words: str  # the words of the question it was read from
    reasons: list[str] = field(default_factory=list)
    family: str = ""
    family_label: str = ""
    names: list[NameMatch] = field(default_factory=list)


def _listing(codes: list[ProcedureCode], limit: int = 6) -> str:
    shown = [f"{p.code} ({p.label})" for p in sorted(codes, key=lambda p: p.code)[:limit]]
    more = f" and {len(codes) - limit} more" if len(codes) > limit else ""
    return "; ".join(shown) + more


def strong_families(lex: Lexicon, matches: list[NameMatch]) -> dict[str, list[NameMatch]]:
    """Families named in the question; search-only names yield to specific ones."""
    by_family: dict[str, list[NameMatch]] = {}
    for m in matches:
        by_family.setdefault(lex.family_of(m.name.holder), []).append(m)
    strong = {f: ms for f, ms in by_family.items() if any(m.name.strong for m in ms)}
    return strong or by_family


def choose_procedure(
    lex: Lexicon,
    matches: list[NameMatch],
    question: str,
    regions: list[RegionMention],
    diagnosis_regions: dict[str, list[str]],
) -> ProcedureChoice:
    families = strong_families(lex, matches)
    if not families:
        raise UnrecognisedQuestionError(
            "no procedure recognised in the question; name it (e.g. 'basivertebral nerve ablation', "
            "'TFESI', 'kyphoplasty') or give its CPT/HCPCS code; `painkg lookup --procedures` lists them"
        )
    if len(families) > 1 and len({(m.start, m.end) for ms in families.values() for m in ms}) == 1:
        said = next(iter(families.values()))[0].words
        options = " or ".join(sorted(lex.holder_labels.get(f, f) for f in families))
        raise AmbiguousQuestionError(
            f"'{said}' can mean {options}; say which, or give the CPT/HCPCS code"
        )
    if len(families) > 1:
        named = "; ".join(
            f"'{ms[0].words}' = {lex.holder_labels.get(f, f)}" for f, ms in families.items()
        )
        raise AmbiguousQuestionError(
            f"the question names more than one procedure ({named}); ask about one, or give its CPT/HCPCS code"
        )
    family, found = next(iter(families.items()))
    code_level = [m for m in found if m.name.holder != family]
    holders = {m.name.holder for m in (code_level or found)}
    codes = sorted({c for h in holders for c in lex.holder_codes.get(h, set())})
    candidates = [lex.codes[c] for c in codes]
    said = found[0].words
    choice = ProcedureChoice("", "", "name", said, family=family,
                             family_label=lex.holder_labels.get(family, ""), names=found)
    candidates = _narrow(candidates, choice, question, regions, diagnosis_regions)
    if len(candidates) > 1:
        differ = len({frozenset(p.regions) for p in candidates}) > 1
        hint = "name the region or level (e.g. 'lumbar', 'C5-6')" if differ else "say which"
        raise AmbiguousQuestionError(
            f"'{said}' can be any of {_listing(candidates)}; {hint} or give the CPT code"
        )
    proc = candidates[0]
    choice.code, choice.label = proc.code, proc.label
    return choice


def _narrow(
    candidates: list[ProcedureCode],
    choice: ProcedureChoice,
    question: str,
    regions: list[RegionMention],
    diagnosis_regions: dict[str, list[str]],
) -> list[ProcedureCode]:
    primary = [p for p in candidates if not p.add_on]
    if primary and len(primary) < len(candidates):
        dropped = ", ".join(p.code for p in candidates if p.add_on)
        choice.reasons.append(f"add-on codes left out ({dropped}: reported with a primary code)")
        candidates = primary
    if regions:
        wanted = {r.region for r in regions}
        said = ", ".join(sorted({r.words for r in regions}))
        exact = [p for p in candidates if p.regions & wanted]
        near = exact or [p for p in candidates if bases(p.regions) & bases(wanted)]
        if not near:
            raise UnrecognisedQuestionError(
                f"the question names {said}, but '{choice.words}' in painkg is coded only as "
                f"{_listing(candidates)}; check the region or give a CPT code"
            )
        if len(near) < len(candidates):
            verb = "covers" if len(near) == 1 else "cover"
            how = "that region" if exact else "a region overlapping it (no code is for that region itself)"
            choice.reasons.append(
                f"the question names {said}: {', '.join(p.code for p in near)} {verb} {how}"
            )
        candidates = near
    elif len(candidates) > 1 and diagnosis_regions:
        wanted = {r for rs in diagnosis_regions.values() for r in rs}
        exact = [p for p in candidates if p.regions & wanted]
        near = exact or [p for p in candidates if bases(p.regions) & bases(wanted)]
        if near and len(near) < len(candidates):
            dx = ", ".join(sorted(diagnosis_regions))
            choice.reasons.append(
                f"no region in the question; the region of {dx} "
                f"points to {', '.join(p.code for p in near)}"
            )
            candidates = near
    if len(candidates) > 1:
        candidates = _by_label_words(candidates, choice, question)
    if len(candidates) == 1 and not choice.reasons:
        choice.reasons.append(f"'{choice.words}' names {candidates[0].code} only")
    return candidates


def _features(text: str) -> set[str]:
    """Content words of a label, plus "with X" pairs (so "with imaging" differs from "without")."""
    seq = words(text)
    feats = set(words(text, content=True))
    feats |= {f"with {b}" for a, b in zip(seq, seq[1:], strict=False) if a == "with"}
    return feats


def _by_label_words(
    candidates: list[ProcedureCode], choice: ProcedureChoice, question: str
) -> list[ProcedureCode]:
    """Keep the candidates whose label has the most words, beyond the name that was matched and
    the words every candidate's label has, that the question also uses."""
    name_words = set().union(*(_features(m.words) for m in choice.names)) if choice.names else set()
    asked = _features(question) - name_words
    label_words = {p.code: _features(p.label) for p in candidates}
    common = set.intersection(*label_words.values())
    scores = {c: len((w - common) & asked) for c, w in label_words.items()}
    best = max(scores.values())
    if best == 0:
        return candidates
    kept = [p for p in candidates if scores[p.code] == best]
    if len(kept) < len(candidates):
        hits = sorted(set.union(*((label_words[p.code] - common) & asked for p in kept)))
        choice.reasons.append(
            f"the question says {', '.join(repr(h.replace('no-', 'without ')) for h in hits)}, as the label of "
            f"{', '.join(p.code for p in kept)} does"
        )
    return kept


# -- diagnoses by name ------------------------------------------------------------------------


@dataclass
class DiagnosisByName:
    code: str
    term: str
    kind: str
    words: list[str]


# Words that introduce the diagnosis in a question.
LEAD_IN = re.compile(
    r"\b(?:for|diagnosis of|diagnosed with|dx of|dx|in a patient with|patient with)\b", re.IGNORECASE
)
COVERAGE_MIN = 0.6  # share of the diagnosis phrase's words a title must account for


def diagnosis_phrase(text: str, after: int = 0) -> str:
    """The words after the first lead-in ("for ...") that follows the procedure, else all."""
    m = LEAD_IN.search(text, after)
    phrase = text[m.end():] if m else text
    return phrase if content_set(phrase) else text


def diagnosis_by_name(lex: Lexicon, text: str) -> DiagnosisByName:
    """The code whose title/inclusion term is fully contained in ``text`` (most specific wins)
    and accounts for most of its words."""
    asked = content_set(text)
    if not asked:
        raise UnrecognisedQuestionError(
            "the question names no diagnosis; add its ICD-10-CM code (e.g. M54.51) or its name"
        )
    hits = lex.search_titles(asked)
    if not hits or len(hits[0].words) / len(asked) < COVERAGE_MIN:
        hits = lex.search_titles(asked, lex.fallback_titles(asked))
    if not hits or len(hits[0].words) / len(asked) < COVERAGE_MIN:
        near = f" (nearest: {hits[0].code} {hits[0].text})" if hits else ""
        raise UnrecognisedQuestionError(
            f"no diagnosis code in the question and no ICD-10-CM title matches "
            f"'{' '.join(text.split()).strip(' ?.!,;:')}'"
            f"{near}; give the ICD-10-CM code (e.g. M54.51)"
        )
    best = len(hits[0].words)
    top = [h for h in hits if len(h.words) == best]
    codes = sorted({h.code for h in top})
    if len(codes) > 1:
        shown = "; ".join(f"{c} ({lex.code_titles.get(c) or _title(top, c)})" for c in codes[:6])
        more = f" and {len(codes) - 6} more" if len(codes) > 6 else ""
        raise AmbiguousQuestionError(
            f"the diagnosis words match several ICD-10-CM codes: {shown}{more}; give the code"
        )
    hit: TitleTerm = top[0]
    return DiagnosisByName(hit.code, hit.text, hit.kind, sorted(hit.words))


def _title(terms: list[TitleTerm], code: str) -> str:
    return next((t.text for t in terms if t.code == code), "")
