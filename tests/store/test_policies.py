"""Agent policies: versioned upserts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import BaseModel

from store import Database, NotFoundError, StaleStateError
from store.enums import PolicyKind
from tests.store.conftest import Parties


class _Policy(BaseModel):
    strategy: str
    reservation_price: Decimal


async def test_upsert_creates_then_bumps_the_version(db: Database, parties: Parties) -> None:
    async with db.transaction() as repos:
        first = await repos.policies.put(
            "bikes@localhost",
            PolicyKind.MANUFACTURER,
            _Policy(strategy="boulware", reservation_price=Decimal("10.5")),
            owner_user_id=parties.manufacturer.id,
        )
        second = await repos.policies.put(
            "bikes@localhost", PolicyKind.MANUFACTURER, {"strategy": "conceder", "reservation_price": "12"}
        )
    async with db.transaction() as repos:
        stored = await repos.policies.get("bikes@localhost")
        typed = await repos.policies.get_as("bikes@localhost", _Policy)
        assert await repos.policies.get_as("nobody@localhost", _Policy) is None
    assert first.version == 1 and second.version == 2
    assert first.policy == {"strategy": "boulware", "reservation_price": "10.5"}
    assert stored == second
    assert typed == _Policy(strategy="conceder", reservation_price=Decimal(12))


async def test_expected_version_guards_the_write(db: Database) -> None:
    async with db.transaction() as repos:
        created = await repos.policies.put("s@localhost", PolicyKind.SUPPLIER, {"v": 1}, expected_version=0)
        with pytest.raises(StaleStateError):
            await repos.policies.put("s@localhost", PolicyKind.SUPPLIER, {"v": 2}, expected_version=0)
        updated = await repos.policies.put("s@localhost", PolicyKind.SUPPLIER, {"v": 2}, expected_version=1)
        with pytest.raises(StaleStateError) as info:
            await repos.policies.put("s@localhost", PolicyKind.SUPPLIER, {"v": 3}, expected_version=1)
        with pytest.raises(StaleStateError):
            await repos.policies.put("new@localhost", PolicyKind.SUPPLIER, {"v": 1}, expected_version=4)
        with pytest.raises(NotFoundError):
            await repos.policies.put("x@localhost", PolicyKind.CUSTOMER, {}, owner_user_id="nobody")
    assert created.version == 1 and updated.version == 2
    assert info.value.actual == 2
    async with db.transaction() as repos:
        assert (await repos.policies.get("s@localhost")) == updated
        assert await repos.policies.get("new@localhost") is None


async def test_list_by_kind(db: Database) -> None:
    async with db.transaction() as repos:
        await repos.policies.put("b@localhost", PolicyKind.SUPPLIER, {})
        await repos.policies.put("a@localhost", PolicyKind.SUPPLIER, {})
        await repos.policies.put("m@localhost", PolicyKind.MANUFACTURER, {})
        suppliers = await repos.policies.list_all(PolicyKind.SUPPLIER)
    assert [policy.agent_jid for policy in suppliers] == ["a@localhost", "b@localhost"]
