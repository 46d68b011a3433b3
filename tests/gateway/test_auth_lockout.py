"""Failed logins lock an account for a while (429 with Retry-After, password not even checked), on
SQLite and on PostgreSQL; an unknown e-mail costs an argon2 verification too."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import update

from gateway.core import passwords
from store.models import UserRow
from tests.gateway.auth_support import PASSWORD, add_user, cheap_argon2, database, gateway, settings
from tests.gateway.backends import database_url, gateway_backend

__all__ = ["cheap_argon2", "database_url", "gateway_backend"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")


def _basic(email: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


async def _password_grant(client: httpx.AsyncClient, email: str, password: str) -> httpx.Response:
    form = {"grant_type": "password", "username": email, "password": password}
    return await client.post("/auth/token", data=form)


async def test_repeated_failures_lock_the_account(database_url: str, tmp_path: Path) -> None:
    config = settings(login_max_attempts=3, login_lock_seconds=120)
    async with gateway(database_url, tmp_path, config) as (app, client):
        await add_user(app, "dan@example.org")
        for _ in range(3):
            wrong = await _password_grant(client, "dan@example.org", "not it at all")
            assert wrong.status_code == 400
            assert wrong.json()["error"] == "invalid_grant"

        locked = await _password_grant(client, "dan@example.org", PASSWORD)
        assert locked.status_code == 429
        assert 1 <= int(locked.headers["Retry-After"]) <= 120
        assert locked.json()["error"] == "invalid_grant"

        basic = await client.post("/auth/login", headers=_basic("dan@example.org", PASSWORD))
        assert basic.status_code == 429
        assert basic.headers["content-type"] == "application/problem+json"
        assert basic.json()["type"] == "/problems/account-locked"
        assert "Retry-After" in basic.headers


async def test_a_locked_account_does_not_check_the_password(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with gateway(database_url, tmp_path, settings(login_max_attempts=2)) as (app, client):
        user = await add_user(app, "eli@example.org")
        for _ in range(2):
            await _password_grant(client, "eli@example.org", "wrong password")
        async with database(app).transaction() as repos:
            before = await repos.users.credentials("eli@example.org")
        assert before is not None and before.locked_until is not None

        checked: list[str] = []

        def recording(password_hash: str, password: str) -> bool:
            checked.append(password)
            return False

        monkeypatch.setattr(passwords, "verify_password", recording)
        assert (await _password_grant(client, "eli@example.org", "another guess")).status_code == 429
        assert checked == []
        async with database(app).transaction() as repos:
            after = await repos.users.credentials("eli@example.org")
        assert after == before  # the lock is not extended, nothing is counted
        assert after is not None and after.id == user.id


async def test_the_lock_ends_and_a_success_resets_the_count(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path, settings(login_max_attempts=3)) as (app, client):
        await add_user(app, "fay@example.org")
        for _ in range(3):
            await _password_grant(client, "fay@example.org", "wrong password")
        async with database(app).engine.begin() as connection:
            await connection.execute(
                update(UserRow)
                .where(UserRow.email == "fay@example.org")
                .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
            )
        await _password_grant(client, "fay@example.org", "wrong again")
        assert (await _password_grant(client, "fay@example.org", PASSWORD)).status_code == 200
        async with database(app).transaction() as repos:
            user = await repos.users.credentials("fay@example.org")
        assert user is not None
        assert user.failed_login_count == 0
        assert user.locked_until is None


async def test_an_unknown_e_mail_still_costs_a_hash_verification(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with gateway(database_url, tmp_path) as (_app, client):
        checked: list[str] = []
        original = passwords.verify_password

        def counting(password_hash: str, password: str) -> bool:
            checked.append(password)
            return original(password_hash, password)

        monkeypatch.setattr(passwords, "verify_password", counting)
        refused = await _password_grant(client, "nobody@example.org", "some password")
        assert refused.status_code == 400
        assert refused.json() == {"error": "invalid_grant", "error_description": "wrong e-mail or password"}
        assert checked == ["some password"]
