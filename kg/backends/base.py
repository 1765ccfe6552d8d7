"""One interface for every store: run a named query with bound parameters, get rows."""

from __future__ import annotations

from typing import NamedTuple, Protocol

XSD = "http://www.w3.org/2001/XMLSchema#"


class Term(NamedTuple):
    """An RDF term in a result row, as in SPARQL 1.1 Query Results JSON."""

    kind: str  # "uri" | "literal" | "bnode"
    value: str
    datatype: str | None = None
    lang: str | None = None

    @property
    def py(self) -> str | int | float | bool:
        """The value as a Python object (booleans and numbers converted)."""
        if self.kind != "literal" or not self.datatype:
            return self.value
        if self.datatype == XSD + "boolean":
            return self.value in ("true", "1")
        if self.datatype in (XSD + "integer", XSD + "int", XSD + "long"):
            return int(self.value)
        if self.datatype in (XSD + "decimal", XSD + "double", XSD + "float"):
            return float(self.value)
        return self.value

    def to_json(self) -> dict[str, str]:
        out = {"type": self.kind, "value": self.value}
        if self.lang:
            out["xml:lang"] = self.lang
        elif self.datatype and self.datatype != XSD + "string":
            out["datatype"] = self.datatype
        return out


Row = dict[str, Term]


class Result(NamedTuple):
    variables: list[str]
    rows: list[Row]

    def values(self) -> list[dict[str, str | int | float | bool]]:
        return [{k: t.py for k, t in row.items()} for row in self.rows]


class Backend(Protocol):
    name: str

    def select(self, query_text: str, params: dict[str, str] | None = None) -> Result:
        """Run a SELECT with ``params`` bound as plain literals (never pasted as text)."""
        ...
