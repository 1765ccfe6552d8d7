"""Find the codes in a question and the descriptions (glosses) the user attached to them.

A gloss is the text in parentheses right after a code ("M54.51 (low back pain)"), the text
after a dash or colon ("M54.51 - low back pain"), or, when the code itself stands alone in
parentheses, the phrase just before it ("lumbar radiculopathy (M54.16)").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.question.regions import LEVEL, LEVEL_COUNT
from kg.codes import ICD_SHAPE, PROCEDURE_SHAPE

# Code-shaped words: ICD-10-CM with or without the dot, CPT (5 digits), HCPCS (letter + 4 digits).
CODE = re.compile(
    r"(?<![A-Za-z0-9.])"
    r"([A-Za-z][0-9][0-9A-Za-z](?:\.[0-9A-Za-z]{1,4}|[0-9A-Za-z]{1,4})?|[0-9]{4}[0-9FTUftu])"
    r"(?![A-Za-z0-9]|\.[0-9A-Za-z])"
)
DASH_GLOSS = re.compile(r"\s*(?:[-–—:]|=)\s+")
GLOSS_END = re.compile(r"[?;\n]|\s[-–—]\s")
LEAD_IN = re.compile(
    r"\b(?:for|with|of|diagnosis|diagnosed|dx|treating|treat|patient has|has)\b[\s:]*", re.IGNORECASE
)


@dataclass
class CodeMention:
    raw: str
    code: str  # upper case, dotted for ICD; as written for CPT/HCPCS
    kind: str  # "icd" | "procedure"
    start: int
    end: int
    gloss: str = ""
    gloss_span: tuple[int, int] | None = None


def _is_level(word: str) -> bool:
    m = LEVEL.fullmatch(word)
    return bool(m) and 1 <= int(m.group(2)) <= LEVEL_COUNT[m.group(1).upper()] and not m.group(4)


def _icd(word: str) -> str | None:
    code = word.upper()
    if "." not in code and len(code) > 3:
        code = code[:3] + "." + code[3:]
    return code if ICD_SHAPE.match(code) else None


def find_codes(text: str, procedure_codes: set[str] | frozenset[str]) -> list[CodeMention]:
    """Code-shaped words, typed as procedure (if painkg knows the code or it is CPT-shaped) or ICD."""
    found = []
    for m in CODE.finditer(text):
        word = m.group(1)
        upper = word.upper()
        if _is_level(word):
            continue
        if upper in procedure_codes or (upper.isdigit() and PROCEDURE_SHAPE.match(upper)):
            found.append(CodeMention(word, upper, "procedure", m.start(1), m.end(1)))
            continue
        icd = _icd(word)
        if icd and (word[0].isupper() or any(c.isdigit() for c in word[1:])):
            found.append(CodeMention(word, icd, "icd", m.start(1), m.end(1)))
    _attach_glosses(text, found)
    return found


def _attach_glosses(text: str, mentions: list[CodeMention]) -> None:
    for i, mention in enumerate(mentions):
        limit = mentions[i + 1].start if i + 1 < len(mentions) else len(text)
        after = text[mention.end : limit]
        before_start = mentions[i - 1].end if i > 0 else 0
        if after.lstrip().startswith("("):
            open_at = mention.end + after.index("(")
            close_at = text.find(")", open_at)
            close_at = close_at if close_at != -1 else limit
            _set(mention, text, open_at + 1, close_at)
        elif m := DASH_GLOSS.match(after):
            start = mention.end + m.end()
            end_m = GLOSS_END.search(text, start, limit)
            _set(mention, text, start, end_m.start() if end_m else limit)
        elif _alone_in_parentheses(text, mention) and before_start < mention.start:
            # "... for lumbar radiculopathy (M54.16)": the phrase before the parenthesis.
            open_at = text.rfind("(", before_start, mention.start)
            segment = text[before_start:open_at]
            leads = list(LEAD_IN.finditer(segment))
            start = before_start + (leads[-1].end() if leads else 0)
            _set(mention, text, start, open_at)


def _alone_in_parentheses(text: str, mention: CodeMention) -> bool:
    before = text[: mention.start].rstrip()
    after = text[mention.end :].lstrip()
    return before.endswith("(") and after.startswith(")")


def _set(mention: CodeMention, text: str, start: int, end: int) -> None:
    gloss = text[start:end]
    stripped = gloss.strip(" \t,.;:-–—\"'")
    if not stripped:
        return
    offset = gloss.index(stripped)
    mention.gloss = stripped
    mention.gloss_span = (start + offset, start + offset + len(stripped))
