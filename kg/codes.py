"""Normalise and check the shape of user-entered codes (no graph access)."""

from __future__ import annotations

import re

from kg.errors import MalformedCodeError

ICD_SHAPE = re.compile(r"^[A-TV-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
PROCEDURE_SHAPE = re.compile(r"^([0-9]{4}[0-9FTU]|[A-V][0-9]{4})$")


def normalise_icd(raw: str) -> str:
    """'  m5451 ' -> 'M54.51'; raises MalformedCodeError for text that is no ICD-10-CM code."""
    code = raw.strip().upper().replace(" ", "")
    if "." not in code and len(code) > 3:
        code = code[:3] + "." + code[3:]
    if not ICD_SHAPE.match(code):
        shown = raw.strip() or raw
        raise MalformedCodeError(
            f"{shown!r} is not a well-formed ICD-10-CM code: expected a letter, a digit, a "
            "character, then optionally a dot and 1-4 characters (e.g. M54.51)"
        )
    return code


def normalise_procedure(raw: str) -> str:
    """' 64628 ' -> '64628', 'g0276' -> 'G0276'; raises MalformedCodeError otherwise."""
    code = raw.strip().upper().replace(" ", "")
    if code.startswith(("CPT:", "HCPCS:")):
        code = code.split(":", 1)[1]
    if not PROCEDURE_SHAPE.match(code):
        raise MalformedCodeError(
            f"{raw.strip()!r} is not a well-formed CPT/HCPCS code: expected 5 digits (e.g. 64628) "
            "or a letter and 4 digits (e.g. G0276)"
        )
    return code


def looks_like_procedure(raw: str) -> bool:
    code = raw.strip().upper()
    return bool(PROCEDURE_SHAPE.match(code.split(":", 1)[-1]))
