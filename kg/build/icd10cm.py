"""Turn the full ICD-10-CM tabular (simple-icd-10-cm) into N-Triples.

Build time only: importing simple_icd_10_cm parses its XML (~2.7 s, ~190 MB).
Every one of the 98,505 items becomes a node. Single-category blocks such as
block "B10" (which holds category "B10") get the range IRI ``icd:B10-B10`` so
blocks and categories never collide and the hierarchy has no self-loops.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.backends.binding import literal
from kg.namespaces import ICD, PK, RDF, RDFS, SKOS, XSD

CODE_IN_NOTE = re.compile(r"\b([A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?:\.?-)?")




def _iri(iri: str) -> str:
    return f"<{iri}>"


class Tabular:
    """The tabular as a tree of item IDs, unique per item."""

    def __init__(self) -> None:
        import simple_icd_10_cm as icd  # heavy import, build time only

        self.icd = icd
        raw = icd.get_all_codes(True)
        self.duplicated = _dups(raw)
        seen: set[str] = set()
        self.items: list[str] = []
        for code in raw:
            if code in self.duplicated and code not in seen:
                self.items.append(f"{code}-{code}")  # first occurrence: the one-category block
            else:
                self.items.append(code)
            seen.add(code)
        self._enclosing_map: dict[str, str] | None = None

    def kind(self, item: str) -> str:
        if self.icd.is_chapter(item):
            return "chapter"
        if "-" in item:
            return "block"
        if item in self.duplicated:
            return "code"
        return "block" if self.icd.is_block(item) else "code"

    def code_of(self, item: str) -> str:
        """The string simple_icd_10_cm knows the item by."""
        head, sep, tail = item.partition("-")
        return head if sep and head == tail and head in self.duplicated else item

    def parent(self, item: str) -> str | None:
        code = self.code_of(item)
        if code in self.duplicated:
            if item == code:  # the category sits under its own block
                return f"{code}-{code}"
            return self._enclosing().get(code)  # the block sits under a block or chapter
        parent = self.icd.get_parent(code)
        return parent or None

    def _enclosing(self) -> dict[str, str]:
        if self._enclosing_map is None:
            mapping: dict[str, str] = {}
            for item in self.items:
                if self.kind(item) in ("chapter", "block") and self.code_of(item) not in self.duplicated:
                    for child in self.icd.get_children(item):
                        mapping.setdefault(child, item)
            self._enclosing_map = mapping
        return self._enclosing_map


def _dups(raw: list[str]) -> frozenset[str]:
    seen: set[str] = set()
    dups: set[str] = set()
    for code in raw:
        (dups if code in seen else seen).add(code)
    return frozenset(dups)


def item_iri(item: str, tab: Tabular) -> str:
    if tab.kind(item) == "chapter":
        return f"{ICD}chapter-{item}"
    return ICD + item


def note_codes(note: str, tab: Tabular) -> Iterator[str]:
    """Codes named in an Excludes1 note, e.g. '(M54.4-)' -> 'M54.4'."""
    for match in CODE_IN_NOTE.finditer(note):
        code = match.group(1)
        if tab.icd.is_valid_item(code):
            yield code


def triples(tab: Tabular | None = None) -> Iterator[str]:
    """Yield N-Triples lines for every tabular item."""
    tab = tab or Tabular()
    icd = tab.icd
    kinds = {"chapter": "ICD10CMChapter", "block": "ICD10CMBlock", "code": "ICD10CMCode"}
    true = f'"true"^^<{XSD}boolean>'
    false = f'"false"^^<{XSD}boolean>'
    for item in tab.items:
        kind = tab.kind(item)
        code = tab.code_of(item)
        s = _iri(item_iri(item, tab))
        yield f"{s} <{RDF}type> <{PK}{kinds.get(kind, 'ICD10CMCode')}> ."
        yield f"{s} <{SKOS}notation> {literal(item)} ."
        yield f"{s} <{RDFS}label> {literal(icd.get_description(code))} ."
        billable = kind == "code" and icd.is_leaf(code)
        yield f"{s} <{PK}billable> {true if billable else false} ."
        parent = tab.parent(item)
        if parent:
            yield f"{s} <{SKOS}broader> {_iri(item_iri(parent, tab))} ."
        if kind != "code":
            continue
        for term in icd.get_inclusion_term(code):
            yield f"{s} <{PK}inclusionTerm> {literal(term)} ."
        for note in icd.get_excludes1(code):
            yield f"{s} <{PK}excludes1Note> {literal(note)} ."
            for target in note_codes(note, tab):
                if target != code:
                    yield f"{s} <{PK}excludes1> {_iri(ICD + target)} ."


def write_ntriples(path: str) -> int:
    """Write the tabular as N-Triples; return the number of items."""
    tab = Tabular()
    with open(path, "w", encoding="utf-8") as out:
        for line in triples(tab):
            out.write(line)
            out.write("\n")
    return len(tab.items)
