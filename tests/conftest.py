"""Shared fixtures: the full graph is built once per session (cached on disk by content)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def store_path():
    from kg.build.builder import ensure_store

    return ensure_store()


@pytest.fixture(scope="session")
def kg(store_path):
    """The embedded default, as `painkg check` uses it: the answer index, then the store."""
    from kg.graph import PainKG

    kg = PainKG()
    assert kg.answers is not None and str(store_path) == kg._store_dir
    return kg


@pytest.fixture(scope="session")
def live_kg(store_path):
    """The store alone: every named query runs on Oxigraph."""
    from kg.backends.oxigraph import OxigraphBackend
    from kg.graph import PainKG

    return PainKG(OxigraphBackend(store_path))


@pytest.fixture(scope="session")
def client(store_path):
    """The ASGI app in-process (Starlette's TestClient), shared by the REST and CDS Hooks tests."""
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from kg.server.app import create_app

    with TestClient(create_app(store_path)) as c:
        yield c
