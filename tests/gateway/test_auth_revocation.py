"""Logout revokes the presented token, persistently, on SQLite and on PostgreSQL; expired
revocations are pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from gateway.core.principal import Principal
from gateway.core.revocation import revoke
from store.enums import UserRole
from tests.gateway.auth_support import add_user, bearer, cheap_argon2, database, gateway, password_token
from tests.gateway.backends import database_url, gateway_backend

__all__ = ["cheap_argon2", "database_url", "gateway_backend"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")


async def test_logout_revokes_only_the_presented_token(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path) as (app, client):
        await add_user(app, "ada@example.org")
        first = bearer(await password_token(client, "ada@example.org"))
        second = bearer(await password_token(client, "ada@example.org"))

        assert (await client.post("/auth/logout", headers=first)).status_code == 204

        refused = await client.get("/me", headers=first)
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
        assert "revoked" in refused.json()["detail"]
        assert (await client.post("/auth/logout", headers=first)).status_code == 401
        assert (await client.get("/me", headers=second)).status_code == 200


async def test_a_revocation_survives_a_restart(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path) as (app, client):
        await add_user(app, "bea@example.org")
        token = bearer(await password_token(client, "bea@example.org"))
        assert (await client.post("/auth/logout", headers=token)).status_code == 204
    async with gateway(database_url, tmp_path, migrate=False) as (_app, client):
        assert (await client.get("/me", headers=token)).status_code == 401


async def test_expired_revocations_are_pruned_on_logout(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path) as (app, client):
        user = await add_user(app, "cid@example.org", UserRole.MANUFACTURER)
        long_gone = Principal(user.id, user.role, "old-jti", datetime.now(UTC) - timedelta(days=1))
        still_valid = Principal(user.id, user.role, "live-jti", datetime.now(UTC) + timedelta(days=1))
        await revoke(database(app), long_gone)
        await revoke(database(app), still_valid)

        token = bearer(await password_token(client, "cid@example.org"))
        assert (await client.post("/auth/logout", headers=token)).status_code == 204

        async with database(app).transaction() as repos:
            assert not await repos.revoked_tokens.is_revoked("old-jti")
            assert await repos.revoked_tokens.is_revoked("live-jti")
