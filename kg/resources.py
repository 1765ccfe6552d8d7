"""Where the shipped data lives: ``ontology/`` and ``queries/``.

In a built wheel they are package data under ``kg/_data``; in a source checkout
(editable install, tests) they are the top-level folders of the repository.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pathlib import Path

# Plain os.path on the `check` start-up path: importing pathlib costs about 3 ms there.
_PACKAGE_DIR = os.path.dirname(os.path.realpath(__file__))


def _data_root() -> str:
    packaged = os.path.join(_PACKAGE_DIR, "_data")
    if os.path.isdir(os.path.join(packaged, "ontology")):
        return packaged
    return os.path.dirname(_PACKAGE_DIR)


def ontology_file(*parts: str) -> str:
    return os.path.join(_data_root(), "ontology", *parts)


def query_file(*parts: str) -> str:
    return os.path.join(_data_root(), "queries", *parts)


def ontology_dir() -> Path:
    from pathlib import Path

    return Path(ontology_file())


def queries_dir() -> Path:
    from pathlib import Path

    return Path(query_file())


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
