"""Everything `ask` reads prose with, loaded from the graph once per process (per PainKG).

- procedure names: ``queries/ask-procedure-lexicon.rq`` (labels, altLabels, hiddenLabels and
  brand names of each code and its family) and ``ask-procedure-facts.rq`` (regions, add-ons);
- diagnosis titles: ``ask-diagnosis-index.rq`` (titles and inclusion terms of the billable
  codes painkg reasons about), with ``ask-title-search.rq`` as the slow fallback over all of
  ICD-10-CM;
- mechanism names: ``ask-mechanism-lexicon.rq``.

Procedure names are matched as contiguous word sequences; diagnosis titles as word sets.
"""

from __future__ import annotations

import re
import weakref
from collections import defaultdict
from dataclasses import dataclass, field

from kg.question.text import content_set, stem
from kg.graph import PainKG

# One-word capitalised names that are also English words: matched only in capitals.
CAPITALS_ONLY = frozenset({"mild", "tips"})
STRONG_KINDS = ("label", "altLabel", "brandName")
_PROSE_TOKEN = re.compile(r"[A-Za-z0-9]+®?")


@dataclass(frozen=True)
class Token:
    text: str  # as written
    norm: str  # stemmed, lower-case
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    out = []
    for m in _PROSE_TOKEN.finditer(text):
        raw = m.group(0)
        lower = raw.lower()
        norm = lower if lower.endswith("®") else stem(lower)
        out.append(Token(raw, norm, m.start(), m.end()))
    return out


@dataclass(frozen=True)
class Name:
    """One name of a procedure code or family, as a word sequence."""

    text: str
    kind: str  # label | altLabel | hiddenLabel | brandName
    holder: str  # the family or code-level procedure that carries the name
    norms: tuple[str, ...]
    capitals: bool  # match only when written in capitals

    @property
    def strong(self) -> bool:
        return self.kind in STRONG_KINDS


@dataclass
class ProcedureCode:
    code: str
    iri: str
    label: str
    family: str
    family_label: str
    regions: set[str] = field(default_factory=set)
    add_on: bool = False


@dataclass(frozen=True)
class NameMatch:
    name: Name
    start: int  # character span in the question
    end: int
    words: str


@dataclass(frozen=True)
class TitleTerm:
    code: str
    text: str
    kind: str  # title | inclusion
    words: frozenset[str]


class Lexicon:
    def __init__(self, kg: PainKG) -> None:
        self.kg = kg
        self.codes: dict[str, ProcedureCode] = {}
        self.holder_codes: dict[str, set[str]] = defaultdict(set)
        self.holder_labels: dict[str, str] = {}
        self.names: list[Name] = []
        self._load_procedures()
        self._titles: list[TitleTerm] | None = None
        self._code_words: dict[str, set[str]] = defaultdict(set)
        self._code_titles: dict[str, str] = {}
        self._mechanisms: dict[str, list[frozenset[str]]] | None = None
        self._mechanism_labels: dict[str, str] = {}

    # -- loading ---------------------------------------------------------------------------

    def _load_procedures(self) -> None:
        rows = self.kg.rows("ask-procedure-lexicon")
        for r in rows:
            code, holder = str(r["code"]), r["holder"]
            proc = self.codes.setdefault(
                code, ProcedureCode(code, r["procedure"], "", r["family"], "")
            )
            self.holder_codes[holder].add(code)
            if r["termKind"] == "label":
                self.holder_labels[holder] = str(r["term"])
            if holder == r["procedure"] and r["termKind"] == "label":
                proc.label = str(r["term"])
        for proc in self.codes.values():
            proc.family_label = self.holder_labels.get(proc.family, "")
        seen: set[tuple[str, str]] = set()
        for r in rows:
            key = (str(r["term"]), r["holder"])
            if key in seen:
                continue
            seen.add(key)
            text = str(r["term"])
            norms = tuple(t.norm for t in tokens(text))
            if not norms:
                continue
            capitals = len(norms) == 1 and text.lower() in CAPITALS_ONLY
            kind = str(r["termKind"])
            self.names.append(Name(text, kind, r["holder"], norms, capitals))
        for r in self.kg.rows("ask-procedure-facts"):
            proc = self.codes.get(str(r["code"]))
            if proc:
                proc.regions.add(r["region"])
                proc.add_on = r["addOnTo"] == "yes"

    # The diagnosis index and mechanism names are loaded on first use (code-free questions,
    # glosses), so a question with codes only pays for the procedure names.

    @property
    def titles(self) -> list[TitleTerm]:
        if self._titles is None:
            self._titles = []
            for r in self.kg.rows("ask-diagnosis-index"):
                self._add_title(str(r["code"]), str(r["term"]), str(r["termKind"]))
        return self._titles

    @property
    def code_words(self) -> dict[str, set[str]]:
        self.titles  # noqa: B018 (loads the index)
        return self._code_words

    @property
    def code_titles(self) -> dict[str, str]:
        self.titles  # noqa: B018
        return self._code_titles

    @property
    def mechanism_names(self) -> dict[str, list[frozenset[str]]]:
        if self._mechanisms is None:
            self._mechanisms = defaultdict(list)
            for r in self.kg.rows("ask-mechanism-lexicon"):
                self._mechanism_labels[r["mechanism"]] = str(r["mechanismLabel"])
                self._mechanisms[r["mechanism"]].append(content_set(str(r["term"])))
        return self._mechanisms

    @property
    def mechanism_labels(self) -> dict[str, str]:
        self.mechanism_names  # noqa: B018
        return self._mechanism_labels

    def _add_title(self, code: str, text: str, kind: str) -> None:
        words = content_set(text)
        if not words:
            return
        assert self._titles is not None
        self._titles.append(TitleTerm(code, text, kind, words))
        self._code_words[code] |= words
        if kind == "title":
            self._code_titles[code] = text

    # -- procedures ------------------------------------------------------------------------

    def is_procedure_code(self, code: str) -> bool:
        return code in self.codes

    def match_names(self, text: str, skip: list[tuple[int, int]] = ()) -> list[NameMatch]:
        """Non-overlapping procedure names in ``text``, longest first, outside ``skip`` spans."""
        toks = [t for t in tokens(text) if not any(a <= t.start < b for a, b in skip)]
        found: list[tuple[int, int, Name]] = []
        for name in self.names:
            n = len(name.norms)
            for i in range(len(toks) - n + 1):
                window = toks[i : i + n]
                if tuple(t.norm for t in window) != name.norms:
                    continue
                if any(window[k + 1].start - window[k].end > 3 for k in range(n - 1)):
                    continue
                if name.capitals and not (window[0].text.isupper() or window[0].text == name.text):
                    continue
                found.append((i, i + n, name))
        found.sort(key=lambda f: (-(f[1] - f[0]), not f[2].strong, f[0]))
        taken: set[int] = set()
        chosen: list[NameMatch] = []
        spans: dict[tuple[int, int], int] = {}
        for i, j, name in found:
            positions = set(range(i, j))
            if (i, j) in spans:  # the same words name several holders: keep them all
                chosen.append(NameMatch(name, toks[i].start, toks[j - 1].end, chosen[spans[(i, j)]].words))
                continue
            if positions & taken:
                continue
            taken |= positions
            spans[(i, j)] = len(chosen)
            chosen.append(NameMatch(name, toks[i].start, toks[j - 1].end, text[toks[i].start : toks[j - 1].end]))
        return sorted(chosen, key=lambda m: m.start)

    def family_of(self, holder: str) -> str:
        codes = self.holder_codes.get(holder, set())
        return self.codes[next(iter(codes))].family if codes else holder

    # -- diagnoses -------------------------------------------------------------------------

    def search_titles(self, words: frozenset[str], extra: list[TitleTerm] = ()) -> list[TitleTerm]:
        """Terms whose every word is in ``words``, the most specific (most words) first."""
        covered = [t for t in list(self.titles) + list(extra) if t.words <= words]
        return sorted(covered, key=lambda t: (-len(t.words), t.code, t.text))

    def fallback_titles(self, words: frozenset[str]) -> list[TitleTerm]:
        """Slow path over all ICD-10-CM titles: substring query on the longest content word."""
        if not words:
            return []
        key = max(sorted(words), key=len)
        if len(key) < 4:
            return []
        out = []
        for r in self.kg.rows("ask-title-search", word=key[:8]):
            w = content_set(str(r["term"]))
            if w:
                out.append(TitleTerm(str(r["code"]), str(r["term"]), str(r["termKind"]), w))
        return out

    def mechanisms_named(self, words: frozenset[str]) -> set[str]:
        return {m for m, names in self.mechanism_names.items() if any(n and n <= words for n in names)}


_CACHE: "weakref.WeakKeyDictionary[PainKG, Lexicon]" = weakref.WeakKeyDictionary()


def lexicon_for(kg: PainKG) -> Lexicon:
    """The lexicon of ``kg``, built on first use and kept for the life of ``kg``."""
    lex = _CACHE.get(kg)
    if lex is None:
        lex = _CACHE[kg] = Lexicon(kg)
    return lex
