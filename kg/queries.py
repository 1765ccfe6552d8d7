"""The named query library: one ``queries/NAME.rq`` file per question.

Each file starts with a comment header::

    # title: ...
    # description: ... (continued on lines indented by two spaces)
    # param: name  literal  what it is
    # returns: ?a ?b
    # severity: ERROR        (QC queries only)
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from kg import resources
from kg.errors import UnknownQueryError

if TYPE_CHECKING:
    from pathlib import Path


class Param(NamedTuple):
    name: str
    kind: str
    doc: str


class NamedQuery(NamedTuple):
    name: str
    path: str
    text: str
    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    returns: tuple[str, ...] = ()
    severity: str | None = None
    extra: dict[str, str] = {}  # never mutated; a NamedTuple default


def parse_header(name: str, path: str, text: str) -> NamedQuery:
    fields: dict[str, str] = {}
    params: list[Param] = []
    last = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        body = line[1:].rstrip()
        if body.startswith("   ") and last:  # continuation line
            fields[last] += " " + body.strip()
            continue
        key, sep, value = body.strip().partition(":")
        if not sep:
            continue
        key, value = key.strip().lower(), value.strip()
        if key == "param":
            pname, _, rest = value.partition(" ")
            kind, _, doc = rest.strip().partition(" ")
            params.append(Param(pname.lstrip("?"), kind, doc.strip()))
            last = None
        else:
            fields[key] = value
            last = key
    returns = tuple(v.lstrip("?") for v in fields.pop("returns", "").split())
    return NamedQuery(
        name=name,
        path=path,
        text=text,
        title=fields.pop("title", ""),
        description=fields.pop("description", ""),
        params=tuple(params),
        returns=returns,
        severity=fields.pop("severity", None),
        extra=fields,
    )


def _name_of(path: Path, root: Path) -> str:
    return path.relative_to(root).with_suffix("").as_posix()


@lru_cache(maxsize=None)
def load(name: str) -> NamedQuery:
    """Load ``queries/NAME.rq`` (``qc/NAME`` and ``rules/NAME`` for the subfolders)."""
    path = resources.query_file(f"{name}.rq")
    if not os.path.isfile(path):
        known = ", ".join(q.name for q in catalogue())
        raise UnknownQueryError(f"no query named {name!r}; known queries: {known}")
    with open(path, encoding="utf-8") as handle:
        return parse_header(name, path, handle.read())


def catalogue(folder: str = "") -> list[NamedQuery]:
    root = resources.queries_dir()
    base = root / folder if folder else root
    return [
        parse_header(_name_of(p, root), str(p), p.read_text(encoding="utf-8"))
        for p in sorted(base.glob("*.rq"))
    ]
