"""Shared fixtures: the full graph is built once per session (cached on disk by content)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def store_path():
    from kg.build.builder import ensure_store

    return ensure_store()


@pytest.fixture(scope="session")
def kg(store_path):
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
