"""Where the shipped data lives: ``ontology/`` and ``queries/``.

In a built wheel they are package data under ``kg/_data``; in a source checkout
(editable install, tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def _data_root() -> Path:
    packaged = _PACKAGE_DIR / "_data"
    if (packaged / "ontology").is_dir():
        return packaged
    return _PACKAGE_DIR.parent


def ontology_dir() -> Path:
    return _data_root() / "ontology"


def queries_dir() -> Path:
    return _data_root() / "queries"


# Curated graph files loaded into the knowledge graph (shapes are kept apart).
GRAPH_FILES = (
    "tbox.ttl",
    "regions.ttl",
    "mechanisms.ttl",
    "anatomy.ttl",
    "methods.ttl",
    "sources.ttl",
    "diagnoses.ttl",
    "procedures.ttl",
    "procedure-codes.ttl",
    "synonyms.ttl",
)
SHAPES_FILE = "shapes.ttl"
INFERRED_FILE = "inferred/owl-inferred.ttl"


def graph_files() -> list[Path]:
    return [ontology_dir() / name for name in GRAPH_FILES]
