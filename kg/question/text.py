"""Word normalisation for reading questions: one small, documented table, no language model.

``words(text)`` turns text into comparable tokens: lower case, light stemming (plural endings),
a few phrase rewrites (``low back`` -> ``lumbar``), synonym groups mapped onto one canonical
word (``sciatica``/``radicular`` -> ``radiculopathy``) and, with ``content=True``, stop words
dropped and negated words marked (``without radiculopathy`` -> ``no-radiculopathy``).
Word order never matters to the comparisons built on it (they use sets).
"""

from __future__ import annotations

import re
from functools import lru_cache

# Phrases rewritten before tokenising (lower-case text). Order matters: longer first.
PHRASES: tuple[tuple[str, str], ...] = (
    (r"\bdegenerative dis[ck] disease\b", "disc degeneration"),
    (r"\bddd\b", "disc degeneration"),
    (r"\blow(?:er)?[- ]back\b", "lumbar"),
    (r"\bend[- ]plates?\b", "endplate"),
    (r"\bcervicalgia\b", "cervical pain"),
    (r"\blumbago\b", "lumbar pain"),
    (r"\bnerve roots?\b", "radiculopathy"),
    (r"\bnot elsewhere classified\b", " "),
    (r"\bsi joint\b", "sacroiliac joint"),
    (r"\bpost[- ]laminectomy\b", "postlaminectomy"),
)

# Synonym groups: every variant maps onto the canonical first word.
SYNONYM_GROUPS: dict[str, tuple[str, ...]] = {
    "radiculopathy": ("radicular", "radiculitis", "sciatica", "sciatic", "radiculopathic"),
    "disc": ("disk",),
    "vertebra": ("vertebral", "vertebrae"),
    "spine": ("spinal",),
    "displacement": ("herniation", "herniated", "hernia", "prolapse", "prolapsed", "protrusion",
                     "bulge", "bulging", "extrusion", "displaced"),
    "degeneration": ("degenerative", "degenerated"),
    "stenosis": ("stenotic",),
    "facet": ("zygapophyseal", "zygapophysial", "facetogenic"),
    "sacroiliac": ("sij",),
    "fracture": ("fractured",),
    "pain": ("painful", "ache", "aching"),
    "cervical": ("neck",),
    "myelopathy": ("myelopathic",),
    "vertebrogenic": ("vertebrogen",),
}
CANONICAL: dict[str, str] = {v: k for k, vs in SYNONYM_GROUPS.items() for v in vs}

# Words that carry no diagnostic meaning in a question or a code title.
STOP_WORDS = frozenset(
    """a an the of and or with for in on at to by from into as is are be been was were can could
    does do did this that these those it its my our your their his her i we you he she they me
    patient patients pt diagnosis diagnoses diagnosed dx code codes icd icd10 icd10cm cpt hcpcs
    medically necessary necessity aligned align alignment appropriate indicated covered coverage
    procedure procedures region regions unspecified side site other nec nos level levels due what
    which should would will whether if please given case when how about than also
    treat treating treatment bill billing billed claim
    year old month week day male female man woman history since""".split()
)

_TOKEN = re.compile(r"[a-z0-9]+|[,;()]")
# A negation word marks the content words after it, up to a comma, semicolon or parenthesis,
# as negated ("without radiculopathy" -> "no-radiculopathy"), so it cannot match "radiculopathy".
NEGATIONS = frozenset({"without", "no", "not", "non"})


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """Light stemming: plural endings only, then the synonym table."""
    w = CANONICAL.get(word, word)
    if w in SYNONYM_GROUPS:
        return w
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("ches", "shes", "xes", "sses")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    return CANONICAL.get(w, w)


_PHRASES = tuple((re.compile(p), r) for p, r in PHRASES)
_PHRASE_HINT = re.compile(
    r"dis[ck] disease|ddd|back|end|cervicalgia|lumbago|nerve root|elsewhere|si joint|laminectomy"
)


def rewrite(text: str) -> str:
    text = text.lower()
    if _PHRASE_HINT.search(text):
        for pattern, replacement in _PHRASES:
            text = pattern.sub(replacement, text)
    return text


def words(text: str, content: bool = False) -> list[str]:
    """Normalised tokens of ``text``; with ``content`` only the meaningful ones, negation marked."""
    out: list[str] = []
    negated = False
    for token in _TOKEN.findall(rewrite(text)):
        if token in ",;()":
            negated = False
            continue
        if content and token in NEGATIONS:
            negated = True
            continue
        word = stem(token)
        if content:
            if word in STOP_WORDS or word.isdigit():
                continue
            if negated:
                word = "no-" + word
        out.append(word)
    return out


@lru_cache(maxsize=8192)
def content_set(text: str) -> frozenset[str]:
    return frozenset(words(text, content=True))
