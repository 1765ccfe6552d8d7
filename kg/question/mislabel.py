"""Does the user's description of a code (its gloss) agree with what the code is?

For a diagnosis code the gloss is compared, as sets of normalised words (kg.question.text), with the
code's official title, inclusion terms, mechanisms and regions (queries/ask-code-terms.rq):

- mechanism: the gloss names pain mechanisms (mechanism names in the graph) and none of them
  is a mechanism of the code ("radiculopathy" for a vertebrogenic code);
- region: the gloss names spinal regions that do not overlap the code's regions;
- words: fewer than half of the gloss's words are found in the code's title, inclusion terms,
  mechanism names or region names.

Any of these is a mislabel. The code whose title explains the gloss best (and better than the
code given) is named: "did you mean M51.16?". Synonyms and word order do not matter.
For a procedure code, a gloss that names another procedure family is a mislabel.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from kg.question.lexicon import Lexicon
from kg.question.regions import LEVEL, find_regions, overlap
from kg.question.text import content_set
from kg.graph import PainKG

EXPLAINED_MIN = 0.5  # share of the gloss's words the code must explain
SUGGEST_MIN = 0.6  # share a suggested code must explain


@dataclass
class Mislabel:
    code: str
    gloss: str
    official: str
    problems: list[str]
    suggestion: str | None = None
    suggestion_title: str | None = None
    kind: str = "diagnosis"  # diagnosis | procedure
    details: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        what = "whose official title is" if self.kind == "diagnosis" else "which painkg describes as"
        text = (
            f"the description '{self.gloss}' does not match {self.code}, {what} "
            f"'{self.official}': {'; '.join(self.problems)}."
        )
        if self.suggestion:
            text += f" It matches {self.suggestion} ({self.suggestion_title}): did you mean {self.suggestion}?"
        return text + f" The answer below is for {self.code} as written."

    def to_dict(self) -> dict:
        data = asdict(self)
        data["message"] = self.message
        return data


@dataclass
class CodeFacts:
    title: str
    terms: list[str]
    mechanisms: dict[str, str]  # iri -> label (definite)
    possible: dict[str, str]
    regions: dict[str, str]


def code_facts(kg: PainKG, code: str) -> CodeFacts:
    facts = CodeFacts("", [], {}, {}, {})
    for r in kg.rows("ask-code-terms", code=code):
        kind, term = r["kind"], str(r.get("term", ""))
        if kind == "title":
            facts.title = term
            facts.terms.append(term)
        elif kind == "inclusion":
            facts.terms.append(term)
        elif kind == "mechanism":
            facts.mechanisms[r["ref"]] = term
        elif kind == "possibleMechanism":
            facts.possible[r["ref"]] = term
        elif kind == "region":
            facts.regions[r["ref"]] = term
    return facts


def check_diagnosis_gloss(kg: PainKG, lex: Lexicon, code: str, gloss: str) -> Mislabel | None:
    said = content_set(gloss)
    if not said:
        return None
    facts = code_facts(kg, code)
    if not facts.title:
        return None
    mechanisms = {**facts.mechanisms, **facts.possible}
    known = set().union(*(content_set(t) for t in facts.terms))
    for iri in mechanisms:
        known |= set().union(*lex.mechanism_names.get(iri, [frozenset()]))
    for label in list(mechanisms.values()) + list(facts.regions.values()):
        known |= content_set(label)
    explained = len(said & known) / len(said)
    problems = []

    named = lex.mechanisms_named(said)
    # A suggested code must have the words of the mechanisms the gloss names.
    need = {w for m in named for n in lex.mechanism_names[m] if n and n <= said for w in n}
    mechanism_conflict = bool(named) and (not mechanisms or not named & set(mechanisms))
    if named and mechanisms and not named & set(mechanisms):
        says = ", ".join(sorted(lex.mechanism_labels.get(m, m) for m in named))
        is_ = ", ".join(
            sorted(facts.mechanisms.values()) or sorted(f"possibly {v}" for v in facts.possible.values())
        )
        problems.append(f"it says {says}, but the mechanism of {code} is {is_}")
    elif named and not mechanisms:
        says = ", ".join(sorted(lex.mechanism_labels.get(m, m) for m in named))
        problems.append(f"it says {says}, but {code} has no pain mechanism in painkg")

    gloss_regions = {r.region: r.words for r in find_regions(gloss)}
    if gloss_regions and facts.regions and not overlap(set(gloss_regions), set(facts.regions)):
        problems.append(
            f"it names the {', '.join(sorted(set(gloss_regions.values())))} region, but {code} is coded for the "
            f"{', '.join(sorted(facts.regions.values()))}"
        )
    gloss_levels, code_levels = levels(gloss), levels(facts.title)
    if gloss_levels and code_levels and not gloss_levels & code_levels:
        problems.append(
            f"it names {', '.join(sorted(gloss_levels))}, but {code} is at {', '.join(sorted(code_levels))}"
        )
    if explained < EXPLAINED_MIN and not problems:
        problems.append(
            f"only {len(said & known)} of its {len(said)} words appear in the title, inclusion terms "
            f"or mechanisms of {code}"
        )
    if not problems:
        return None
    mislabel = Mislabel(code, gloss, facts.title, problems,
                        details={"explained": round(explained, 2), "gloss_words": sorted(said)})
    wrong_levels = gloss_levels - code_levels if gloss_levels and not gloss_levels & code_levels else set()
    contradicted = mechanism_conflict or bool(wrong_levels)  # then any code that fits is better
    best = _best_other(lex, code, said, 0.0 if contradicted else explained, need, wrong_levels)
    if best:
        mislabel.suggestion, mislabel.suggestion_title = best, lex.code_titles.get(best, "")
    return mislabel


def levels(text: str) -> set[str]:
    """Spinal levels named in a text, as 'C4-C5' or 'L4'."""
    out = set()
    for m in LEVEL.finditer(text):
        first = m.group(1).upper()
        if not m.group(4):
            out.add(f"{first}{int(m.group(2))}")
        else:
            out.add(f"{first}{int(m.group(2))}-{(m.group(3) or first).upper()}{int(m.group(4))}")
    return out


def _best_other(
    lex: Lexicon, code: str, said: frozenset[str], explained: float,
    need: set[str] = frozenset(), need_levels: set[str] = frozenset(),
) -> str | None:
    """The code whose title and inclusion terms explain the gloss best (then fit it closest);
    it must have the ``need`` words and name the ``need_levels``."""
    best, best_key = None, (0.0, 0.0, "")
    for other, known in lex.code_words.items():
        if other == code or not need <= known:
            continue
        if need_levels and not need_levels <= levels(lex.code_titles.get(other, "")):
            continue
        share = len(said & known) / len(said)
        if share < SUGGEST_MIN or share <= explained:
            continue
        title = content_set(lex.code_titles.get(other, ""))
        fit = len(said & title) / len(said | title) if title else 0.0
        key = (share, fit, "")
        if key[:2] > best_key[:2] or (key[:2] == best_key[:2] and best is not None and other < best):
            best, best_key = other, key
    return best


def check_procedure_gloss(lex: Lexicon, code: str, family_named: str, words: str) -> Mislabel | None:
    """A procedure name in the question that belongs to another family than ``code``."""
    proc = lex.codes.get(code)
    if proc is None or family_named == proc.family:
        return None
    named = lex.holder_labels.get(family_named, family_named)
    return Mislabel(
        code, words, proc.label,
        [f"'{words}' names {named}, but {code} is {proc.family_label or proc.label}"],
        kind="procedure",
    )


def as_dicts(items: list[Mislabel]) -> list[dict]:
    return [m.to_dict() for m in items]
