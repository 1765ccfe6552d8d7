"""Regenerate the golden query outputs: ``python -m tests.golden.regenerate`` (from the repo root).

Runs every query with the cases of ``tests/golden/cases.json`` on the Oxigraph fixture and
writes ``tests/golden/<query>.json``. tests/test_golden_queries.py then checks both Oxigraph
and rdflib against them (rdflib is slow on some queries, so it is not run here).
"""

from __future__ import annotations

import sys


def main() -> int:
    import pyoxigraph as ox

    from kg import golden
    from kg.backends import fixture
    from kg.backends.oxigraph import OxigraphBackend
    from kg.build.builder import ensure_store

    quads = fixture.fixture_quads(ox.Store.read_only(str(ensure_store())))
    oxigraph = OxigraphBackend(store=fixture.oxigraph_store(quads))
    for name in golden.query_names():
        path = golden.write_golden(name, golden.run_query(oxigraph, name))
        print(f"wrote {path.relative_to(golden.GOLDEN_DIR.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
