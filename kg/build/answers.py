"""Compile ``answers.sqlite`` (see :mod:`kg.answers`) from a finished store.

Every row comes from running a named query of ``queries/`` on the store; this module only
chooses the keys, groups the rows and writes them.
"""

from __future__ import annotations

import marshal
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

import pyoxigraph as ox

from kg import queries
from kg.answers import (
    DIAGNOSIS_PARAM,
    ENTITY_QUERIES,
    FORMAT,
    PROFILED_QUERIES,
    entity_key,
    profile_key,
)
from kg.backends.binding import literal

PK = "PREFIX pk: <https://w3id.org/painkg/>\nPREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
# What align.rq reads of a diagnosis: these three properties (and its type and notation).
ALIGN_PROFILE = PK + """SELECT ?code ?property ?value WHERE {
  VALUES ?property { pk:effectiveRegion pk:effectiveMechanism pk:effectivePossibleMechanism }
  ?diagnosis ?property ?value ; skos:notation ?code ; a pk:ICD10CMCode .
}"""
# What contraindications.rq reads of a diagnosis: the triggers it reaches (it is the trigger or
# below it, or it or a code above it carries the trigger as a red flag). Asked from the top down,
# one holder of a trigger at a time: Oxigraph walks skos:broader* fast only from a bound end.
TRIGGER_HOLDERS = PK + """SELECT DISTINCT ?holder ?value WHERE {
  { ?contraindication pk:contraindicatingCode|pk:contraindicatingRedFlag ?value . BIND(?value AS ?holder) }
  UNION
  { ?contraindication pk:contraindicatingRedFlag ?value . ?holder pk:redFlag ?value }
}"""
BELOW = PK + """SELECT DISTINCT ?code WHERE {
  ?diagnosis skos:broader* ?holder ; skos:notation ?code ; a pk:ICD10CMCode .
}"""
PROCEDURES = PK + "SELECT DISTINCT ?code WHERE { ?p pk:cptCode|pk:hcpcsCode ?code }"
BATCH = 400  # pairs per VALUES block


_XSD = "http://www.w3.org/2001/XMLSchema#"
_CONVERT = {_XSD + "boolean": lambda v: v in ("true", "1"), _XSD + "integer": int,
            _XSD + "int": int, _XSD + "long": int, _XSD + "decimal": float,
            _XSD + "double": float, _XSD + "float": float}


def _value(node: Any) -> Any:
    """As ``Term.py`` of the backends' rows (kg.backends.base), without building a Term."""
    if node is None or not isinstance(node, ox.Literal):
        return None if node is None else node.value
    convert = _CONVERT.get(node.datatype.value)
    return convert(node.value) if convert and not node.language else node.value


def _select(store: ox.Store, text: str) -> tuple[list[str], list[tuple]]:
    solutions = store.query(text, use_default_graph_as_union=True)
    names = [v.value for v in solutions.variables]
    return names, [tuple(map(_value, solution)) for solution in solutions]


def _pairs_block(text: str, pairs: Sequence[tuple[str, str]]) -> str:
    """``text`` with ``VALUES (?procedureCode ?diagnosisCode)`` bound to ``pairs``."""
    head, brace, tail = text.partition("WHERE {")
    body = " ".join(f"({literal(p)} {literal(d)})" for p, d in pairs)
    return f"{head}{brace}\n  VALUES (?procedureCode ?{DIAGNOSIS_PARAM}) {{ {body} }}{tail}"


def _profiles(rows: Iterable[tuple]) -> dict[str, tuple]:
    """code -> its profile (a sorted tuple of (property, value) or of values)."""
    found: dict[str, set] = defaultdict(set)
    for code, *rest in rows:
        found[code].add(tuple(rest) if len(rest) > 1 else rest[0])
    return {code: tuple(sorted(values)) for code, values in found.items()}


def _numbered(profiles: dict[str, tuple]) -> tuple[dict[str, int], dict[int, str]]:
    """Profile ids (0 = the empty profile) per code and a representative code per id."""
    ids: dict[tuple, int] = {}
    per_code: dict[str, int] = {}
    representative: dict[int, str] = {}
    for code in sorted(profiles):
        number = ids.setdefault(profiles[code], len(ids) + 1)
        per_code[code] = number
        representative.setdefault(number, code)
    return per_code, representative


def build_answers(store: ox.Store, path: str) -> dict[str, int]:
    """Write the index for ``store`` to ``path``; returns counts for the build's progress line."""
    from concurrent.futures import ThreadPoolExecutor

    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
        "CREATE TABLE variables (query TEXT PRIMARY KEY, variables BLOB);"
        "CREATE TABLE answer (query TEXT, key TEXT, rows BLOB, PRIMARY KEY (query, key)) WITHOUT ROWID;"
        "CREATE TABLE profile (code TEXT PRIMARY KEY, align_profile INTEGER,"
        " contraindication_profile INTEGER) WITHOUT ROWID;")
    counts: dict[str, int] = {}

    def keep(name: str, names: list[str], grouped: dict[str, list[tuple]]) -> None:
        db.execute("INSERT INTO variables VALUES (?, ?)", (name, marshal.dumps(names)))
        db.executemany("INSERT INTO answer VALUES (?, ?, ?)",
                       ((name, key, marshal.dumps(rows)) for key, rows in grouped.items()))
        counts[name] = len(grouped)

    # the store evaluates a query without holding the GIL: the slow code-info runs beside the rest
    with ThreadPoolExecutor(max_workers=2) as pool:
        entities = {name: pool.submit(_entity_rows, store, name) for name in ENTITY_QUERIES}
        procedures = [r[0] for r in _select(store, PROCEDURES)[1]]
        align_ids, align_reps = _numbered(_profiles(_select(store, ALIGN_PROFILE)[1]))
        contra_ids, contra_reps = _numbered(_trigger_profiles(store))
        for name in ENTITY_QUERIES:
            keep(name, *entities[name].result())
    icd_codes = (key for key, rows in _grouped_rows(entities["code-info"].result()) if rows)
    empty = next(c for c in icd_codes if c not in align_ids and c not in contra_ids)
    for name, reps in (("align", align_reps), ("contraindications", contra_reps)):
        keep(name, *_profiled(store, name, procedures, {0: empty, **reps}))
    codes = sorted(set(align_ids) | set(contra_ids))
    db.executemany("INSERT INTO profile VALUES (?, ?, ?)",
                   ((c, align_ids.get(c, 0), contra_ids.get(c, 0)) for c in codes))
    counts["profiles"] = len(align_reps) + len(contra_reps) + 2
    db.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
    db.commit()
    db.close()
    return counts


def _entity_rows(store: ox.Store, name: str) -> tuple[list[str], dict[str, list[tuple]]]:
    """All rows of a per-entity query, run unbound, grouped by its parameter values."""
    query = queries.load(name)
    names, rows = _select(store, query.text)
    at = [names.index(p.name) for p in sorted(query.params, key=lambda p: p.name)]
    grouped: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[entity_key({names[i]: row[i] for i in at}) if at else ""].append(row)
    return names, grouped


def _grouped_rows(found: tuple[list[str], dict[str, list[tuple]]]) -> Iterable[tuple[str, list]]:
    """(code, its ICD-10-CM rows) of code-info's grouped rows, in code order."""
    names, grouped = found
    kind = names.index("kind")
    for code in sorted(grouped):
        yield code, [r for r in grouped[code] if r[kind] == "icd10cm"]


def _trigger_profiles(store: ox.Store) -> dict[str, tuple]:
    """code -> the contraindication triggers it reaches (for codes reaching any)."""
    holders: dict[str, set[str]] = defaultdict(set)
    for holder, value in _select(store, TRIGGER_HOLDERS)[1]:
        holders[holder].add(value)
    found: dict[str, set[str]] = defaultdict(set)
    for holder, values in holders.items():
        text = BELOW.replace("WHERE {", f"WHERE {{\n  VALUES ?holder {{ {ox.NamedNode(holder)} }}", 1)
        for (code,) in _select(store, text)[1]:
            found[code] |= values
    return {code: tuple(sorted(values)) for code, values in found.items()}


def _profiled(store: ox.Store, name: str, procedures: list[str],
              reps: dict[int, str]) -> tuple[list[str], dict[str, list[tuple]]]:
    """Rows of ``name`` for every procedure x representative, keyed by (procedure, profile)."""
    _, blanks = PROFILED_QUERIES[name]
    text = queries.load(name).text
    profile_of = {code: number for number, code in reps.items()}
    pairs = [(p, code) for p in procedures for code in reps.values()]
    names: list[str] = []
    grouped: dict[str, list[tuple]] = {profile_key(p, n): [] for p in procedures for n in reps}
    for start in range(0, len(pairs), BATCH):
        names, rows = _select(store, _pairs_block(text, pairs[start : start + BATCH]))
        proc_at, code_at = names.index("procedureCode"), names.index(DIAGNOSIS_PARAM)
        blank_at = [names.index(b) for b in blanks]
        for row in rows:
            key = profile_key(row[proc_at], profile_of[row[code_at]])
            kept = list(row)
            for i in blank_at:
                kept[i] = None
            grouped[key].append(tuple(kept))
    return names or list(queries.load(name).returns), {k: v for k, v in grouped.items() if v}

