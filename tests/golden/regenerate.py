"""Regenerate the golden query outputs: ``python -m tests.golden.regenerate`` (from the repo root).

Runs every query with the cases of ``tests/golden/cases.json`` on the Oxigraph fixture,
checks that rdflib gives the same answers (a difference is reported, not written), and
writes ``tests/golden/<query>.json``.
"""

from __future__ import annotations

import sys


def main() -> int:
    import pyoxigraph as ox

    from kg import golden
    from kg.backends import fixture
    from kg.backends.oxigraph import OxigraphBackend
    from kg.backends.rdflib_backend import RdflibBackend
    from kg.build.builder import ensure_store

    quads = fixture.fixture_quads(ox.Store.read_only(str(ensure_store())))
    oxigraph = OxigraphBackend(store=fixture.oxigraph_store(quads))
    rdflib = RdflibBackend(fixture.rdflib_dataset(quads))
    differing = []
    for name in golden.query_names():
        answers = golden.run_query(oxigraph, name)
        if golden.run_query(rdflib, name) != answers:
            differing.append(name)
        path = golden.write_golden(name, answers)
        print(f"wrote {path.relative_to(golden.GOLDEN_DIR.parent.parent)}")
    if differing:
        print("rdflib and Oxigraph differ on: " + ", ".join(differing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
