"""Spinal regions named in words or levels: a small rule table onto regions.ttl's individuals.

``find_regions(text)`` returns the regions a text names ("cervical", "low back", "C5-6",
"L4-L5", "L5-S1", "T12") with the words that named each. Regions compare by their
*base* regions (cervical, thoracic, lumbar, sacral): a junction region such as lumbosacral
overlaps both of its neighbours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.namespaces import PK

OAA = PK + "OccipitoAtlantoAxialRegion"
CERVICAL = PK + "CervicalRegion"
CERVICOTHORACIC = PK + "CervicothoracicRegion"
THORACIC = PK + "ThoracicRegion"
THORACOLUMBAR = PK + "ThoracolumbarRegion"
LUMBAR = PK + "LumbarRegion"
LUMBOSACRAL = PK + "LumbosacralRegion"
SACRAL = PK + "SacrococcygealRegion"

BASES: dict[str, frozenset[str]] = {
    OAA: frozenset({"cervical"}),
    CERVICAL: frozenset({"cervical"}),
    CERVICOTHORACIC: frozenset({"cervical", "thoracic"}),
    THORACIC: frozenset({"thoracic"}),
    THORACOLUMBAR: frozenset({"thoracic", "lumbar"}),
    LUMBAR: frozenset({"lumbar"}),
    LUMBOSACRAL: frozenset({"lumbar", "sacral"}),
    SACRAL: frozenset({"sacral"}),
}

# Region words (lower-case regular expressions) -> region.
WORDS: tuple[tuple[str, str], ...] = (
    (r"\bcervicothoracic\b", CERVICOTHORACIC),
    (r"\bthoracolumbar\b", THORACOLUMBAR),
    (r"\blumbosacral\b", LUMBOSACRAL),
    (r"\b(?:cervical|neck)\b", CERVICAL),
    (r"\b(?:thoracic|mid[- ]back|upper back)\b", THORACIC),
    (r"\b(?:lumbar|low(?:er)?[- ]back)\b", LUMBAR),
    (r"\b(?:sacral|sacrum|sacrococcygeal|coccyx|coccygeal)\b", SACRAL),
)

# Spinal levels: C1-C8, T1-T12, L1-L5, S1-S5, alone or as a pair ("L4-5", "L5-S1", "C5/6").
LEVEL = re.compile(r"\b([CTLS])(\d{1,2})(?:\s*[-–/]\s*([CTLS])?(\d{1,2}))?\b", re.IGNORECASE)
LEVEL_COUNT = {"C": 8, "T": 12, "L": 5, "S": 5}
LEVEL_BASE = {"C": CERVICAL, "T": THORACIC, "L": LUMBAR, "S": SACRAL}
JUNCTION = {("C", "T"): CERVICOTHORACIC, ("T", "L"): THORACOLUMBAR, ("L", "S"): LUMBOSACRAL}


@dataclass(frozen=True)
class RegionMention:
    region: str
    words: str
    start: int
    end: int


def _level_region(first: str, n1: int, second: str | None, n2: int | None) -> str | None:
    if not 1 <= n1 <= LEVEL_COUNT[first]:
        return None
    if second is None or second == first:
        if n2 is not None and not 1 <= n2 <= LEVEL_COUNT[first]:
            return None
        if first == "C" and max(n1, n2 or n1) <= 2:
            return OAA
        return LEVEL_BASE[first]
    if n2 is None or not 1 <= n2 <= LEVEL_COUNT[second]:
        return None
    return JUNCTION.get((first, second))


def find_levels(text: str) -> list[RegionMention]:
    found = []
    for m in LEVEL.finditer(text):
        first = m.group(1).upper()
        second = m.group(3).upper() if m.group(3) else None
        n2 = int(m.group(4)) if m.group(4) else None
        region = _level_region(first, int(m.group(2)), second, n2)
        if region:
            found.append(RegionMention(region, m.group(0), m.start(), m.end()))
    return found


def find_regions(text: str, skip: list[tuple[int, int]] = ()) -> list[RegionMention]:
    """Regions named in ``text``, outside the character spans in ``skip``."""
    lower = text.lower()
    found = []
    for pattern, region in WORDS:
        for m in re.finditer(pattern, lower):
            found.append(RegionMention(region, text[m.start():m.end()], m.start(), m.end()))
    found += find_levels(text)
    return [f for f in found if not any(a <= f.start < b for a, b in skip)]


def bases(regions: set[str] | frozenset[str] | list[str]) -> frozenset[str]:
    out: set[str] = set()
    for r in regions:
        out |= BASES.get(r, frozenset())
    return frozenset(out)


def overlap(a: set[str] | list[str], b: set[str] | list[str]) -> bool:
    return bool(bases(a) & bases(b))
