"""The gateway tests that must also hold on PostgreSQL: a fresh database per test on each backend.

Reuses the store tests' :class:`~tests.store.conftest.Backend` (fresh databases, dropped at the end).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.store.conftest import Backend, _postgres_reachable


@pytest.fixture(
    scope="module",
    params=[pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)],
)
async def gateway_backend(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Backend]:
    name: str = request.param
    if name == "postgres":
        problem = await _postgres_reachable()
        if problem:
            pytest.fail(f"{problem} (set LSO_TEST_POSTGRES_URL)")
    server = Backend(name, tmp_path_factory.mktemp(f"gateway-{name}"))
    try:
        yield server
    finally:
        await server.drop_all()


@pytest.fixture
async def database_url(gateway_backend: Backend) -> str:
    """A fresh, empty database on the backend (migrated by the gateway helper)."""
    return await gateway_backend.create_empty()
