"""The stand-in agent of the flow, console and recovery tests, on a store of its own."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from store.enums import UserRole
from tests.agents.manufacturer.fake_host import MANUFACTURER, FakeHost
from tests.agents.manufacturer.order_support import BIKE, CUSTOMER, POLICY
from tests.stores import store_with_users


@pytest.fixture
async def host(tmp_path: Path) -> AsyncIterator[FakeHost]:
    """A manufacturer selling the bike, auto policy, one console; its store holds the bike and the parties."""
    db = await store_with_users(
        tmp_path / "maker", ((CUSTOMER, UserRole.CUSTOMER), (MANUFACTURER, UserRole.MANUFACTURER))
    )
    maker = FakeHost(db, POLICY, {BIKE.id: BIKE}, consoles=("console@test",))
    await maker.journal.publish([BIKE])
    yield maker
    await maker.close()
    await db.close()
