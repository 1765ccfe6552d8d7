"""Bind query parameters as a VALUES block of escaped literal terms.

Parameters are always data: a value is serialised as an RDF literal with every
special character escaped, so text such as ``"} #`` cannot change the query.
"""

from __future__ import annotations

import re

_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def literal(value: str) -> str:
    return '"' + "".join(_ESCAPES.get(ch, ch) for ch in value) + '"'


def values_block(params: dict[str, str]) -> str:
    names = list(params)
    for name in names:
        if not _NAME.match(name):
            raise ValueError(f"invalid parameter name {name!r}")
    head = " ".join(f"?{n}" for n in names)
    body = " ".join(literal(str(params[n])) for n in names)
    return f"VALUES ({head}) {{ ({body}) }}"


def bind(query_text: str, params: dict[str, str] | None) -> str:
    """Insert the VALUES block at the start of the outermost WHERE clause."""
    if not params:
        return query_text
    match = _WHERE.search(query_text)
    if not match:
        raise ValueError("query has no WHERE clause to bind parameters into")
    return query_text[: match.end()] + "\n  " + values_block(params) + query_text[match.end() :]
