"""API clients (client-credentials grant) and the one-query bearer-token check."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from store import Database
from store.enums import UserRole
from store.errors import ConflictError, NotFoundError
from store.records import NewUser
from store.records.clients import NewApiClient
from tests.store.conftest import Parties


def _client(
    owner: str, client_id: str = "cl_0123456789", role: UserRole = UserRole.MANUFACTURER
) -> NewApiClient:
    return NewApiClient(client_id=client_id, name="ERP", secret_hash="h", role=role, owner_user_id=owner)


async def test_add_get_list_remove(db: Database, parties: Parties) -> None:
    owner = parties.manufacturer.id
    async with db.transaction() as repos:
        added = await repos.api_clients.add(_client(owner))
        assert (await repos.api_clients.credentials(added.client_id)).secret_hash == "h"  # type: ignore[union-attr]
        assert await repos.api_clients.get(added.client_id) == added
        assert [c.client_id for c in await repos.api_clients.list_all()] == [added.client_id]
    with pytest.raises(ConflictError):
        async with db.transaction() as repos:
            await repos.api_clients.add(_client(owner))
    with pytest.raises(NotFoundError):
        async with db.transaction() as repos:
            await repos.api_clients.add(_client("no-such-user", "cl_other000"))
    async with db.transaction() as repos:
        await repos.api_clients.remove(added.client_id)
        assert await repos.api_clients.get(added.client_id) is None
    with pytest.raises(NotFoundError):
        async with db.transaction() as repos:
            await repos.api_clients.remove(added.client_id)


async def test_token_check_reads_revocation_and_roles_at_once(db: Database, parties: Parties) -> None:
    maker = parties.manufacturer.id
    async with db.transaction() as repos:
        await repos.api_clients.add(_client(maker, role=UserRole.RESEARCHER))
        await repos.revoked_tokens.revoke("gone", datetime.now(UTC) + timedelta(days=1))
        fresh = await repos.revoked_tokens.check("fresh", maker)
        assert (fresh.revoked, fresh.user_role, fresh.client_role) == (False, UserRole.MANUFACTURER, None)
        gone = await repos.revoked_tokens.check("gone", "no-such-user")
        assert (gone.revoked, gone.user_role) == (True, None)
        machine = await repos.revoked_tokens.check("fresh", maker, "cl_0123456789")
        assert machine.client_role == UserRole.RESEARCHER
        stranger = await repos.revoked_tokens.check("fresh", parties.customer.id, "cl_0123456789")
        assert stranger.client_role is None


async def test_clients_go_with_their_owner(db: Database) -> None:
    async with db.transaction() as repos:
        owner = await repos.users.add(
            NewUser(email="o@example.org", display_name="O", role=UserRole.ADMIN, password_hash="x")
        )
        await repos.api_clients.add(_client(owner.id))
    async with db.engine.begin() as connection:
        from sqlalchemy import delete

        from store.models import UserRow

        await connection.execute(delete(UserRow).where(UserRow.id == owner.id))
    async with db.transaction() as repos:
        assert await repos.api_clients.get("cl_0123456789") is None
