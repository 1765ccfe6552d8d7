"""Render SELECT results as a table, CSV, TSV or SPARQL 1.1 Query Results JSON."""

from __future__ import annotations

import csv
import io
import json

from kg.backends.base import Result
from kg.namespaces import curie


def render(result: Result, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(
            {
                "head": {"vars": result.variables},
                "results": {
                    "bindings": [{k: t.to_json() for k, t in row.items()} for row in result.rows]
                },
            },
            indent=2,
            ensure_ascii=False,
        )
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(result.variables)
        for row in result.rows:
            writer.writerow([row[v].value if v in row else "" for v in result.variables])
        return out.getvalue().rstrip("\n")
    cells = [[curie(row[v].value) if v in row else "" for v in result.variables] for row in result.rows]
    widths = [max([len(v)] + [len(c[i]) for c in cells]) for i, v in enumerate(result.variables)]
    lines = ["  ".join(v.ljust(w) for v, w in zip(result.variables, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(cells_row, widths)) for cells_row in cells]
    lines.append(f"({len(cells)} rows)")
    return "\n".join(lines)
