"""The gateway tests that must also hold on PostgreSQL: a fresh database per test on each backend.

Reuses the store tests' :class:`~tests.store.conftest.Backend` (fresh databases, dropped at the end).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.store.conftest import BACKENDS, Backend, backend_of


@pytest.fixture(scope="module", params=BACKENDS)
async def gateway_backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    async with backend_of(request, "gateway") as server:
        yield server


@pytest.fixture
async def database_url(gateway_backend: Backend) -> str:
    """A fresh, empty database on the backend (migrated by the gateway helper)."""
    return await gateway_backend.create_empty()
