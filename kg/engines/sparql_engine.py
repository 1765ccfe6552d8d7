"""The alignment verdict from ``queries/align.rq``, for many pairs at once.

The diagnosis codes are bound as one multi-row VALUES block (escaped literals, as in
:mod:`kg.backends.binding`); the procedure is left unbound, so one query answers
every procedure for a batch of diagnoses.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from kg import queries
from kg.backends.binding import literal
from kg.engines.networkx_engine import ALIGNED, INDETERMINATE, Verdict

_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_CERTAINTY = {ALIGNED: "definite", INDETERMINATE: "possible"}


def with_values(query_text: str, variable: str, values: Iterable[str]) -> str:
    """Insert ``VALUES ?variable { ... }`` (escaped literals) at the start of the WHERE clause."""
    match = _WHERE.search(query_text)
    if not match:
        raise ValueError("query has no WHERE clause")
    block = f"VALUES ?{variable} {{ " + " ".join(literal(v) for v in values) + " }"
    return query_text[: match.end()] + "\n  " + block + query_text[match.end() :]


def sparql_verdicts(store: Any, diagnosis_codes: Sequence[str],
                    batch: int = 1000) -> dict[tuple[str, str], Verdict]:
    """``align.rq`` verdicts for every procedure x each diagnosis code, on a pyoxigraph Store."""
    text = queries.load("align").text
    verdicts: dict[tuple[str, str], str] = {}
    compatible: dict[tuple[str, str], bool] = {}
    mechanisms: dict[tuple[str, str], set[str]] = defaultdict(set)
    for start in range(0, len(diagnosis_codes), batch):
        chunk = diagnosis_codes[start : start + batch]
        for row in store.query(with_values(text, "diagnosisCode", chunk),
                               use_default_graph_as_union=True):
            key = (row["procedureCode"].value, row["diagnosisCode"].value)
            verdict = row["verdict"].value
            verdicts[key] = verdict
            compatible[key] = row["regionCompatible"].value == "true"
            certainty = row["certainty"]
            if certainty is not None and certainty.value == _CERTAINTY.get(verdict):
                mechanisms[key].add(row["mechanism"].value)
    return {
        key: Verdict(verdict, compatible[key], frozenset(mechanisms.get(key, ())))
        for key, verdict in verdicts.items()
    }
