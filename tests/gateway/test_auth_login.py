"""HTTP Basic login and the OAuth 2.0 token endpoint (RFC 6749): grants, client authentication,
error bodies and statuses."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI

from gateway.core import passwords
from store.enums import UserRole
from tests.gateway.auth_support import PASSWORD, SECRET, add_user, bearer, cheap_argon2, gateway

Gateway = tuple[FastAPI, httpx.AsyncClient]

__all__ = ["cheap_argon2"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Gateway]:
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path) as pair:
        await add_user(pair[0], "ann@example.org", UserRole.MANUFACTURER)
        yield pair


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


async def test_basic_login_answers_a_seven_day_token_with_a_unique_id(gw: Gateway) -> None:
    _app, client = gw
    first = await client.post("/auth/login", headers=basic("ann@example.org", PASSWORD))
    second = await client.post("/auth/login", headers=basic("ANN@example.org", PASSWORD))
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    body = first.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 7 * 24 * 3600
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"], issuer="lso-gateway")
    assert claims["exp"] - claims["iat"] == 7 * 24 * 3600
    assert claims["role"] == "manufacturer"
    other = jwt.decode(second.json()["access_token"], SECRET, algorithms=["HS256"], issuer="lso-gateway")
    assert claims["jti"] != other["jti"]
    me = await client.get("/me", headers=bearer(body["access_token"]))
    assert me.json()["email"] == "ann@example.org"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer abc"},
        {"Authorization": "Basic !!!not-base64"},
        {"Authorization": "Basic " + base64.b64encode(b"no-colon").decode()},
        basic("ann@example.org", "wrong password"),
        basic("nobody@example.org", PASSWORD),
    ],
)
async def test_basic_login_refusals(gw: Gateway, headers: dict[str, str]) -> None:
    _app, client = gw
    refused = await client.post("/auth/login", headers=headers)
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Basic realm=")
    assert refused.headers["content-type"] == "application/problem+json"
    assert "access_token" not in refused.json()


async def test_password_grant(gw: Gateway) -> None:
    _app, client = gw
    form = {"grant_type": "password", "username": "ann@example.org", "password": PASSWORD, "scope": "x"}
    granted = await client.post("/auth/token", data=form)
    assert granted.status_code == 200
    assert granted.headers["cache-control"] == "no-store"
    assert granted.headers["pragma"] == "no-cache"
    assert set(granted.json()) == {"access_token", "token_type", "expires_in"}


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ("", 400, "invalid_request"),
        ("username=ann%40example.org&password=x", 400, "invalid_request"),
        ("grant_type=password", 400, "invalid_request"),
        ("grant_type=password&username=ann%40example.org", 400, "invalid_request"),
        ("grant_type=password&grant_type=password&username=a&password=b", 400, "invalid_request"),
        ("grant_type=authorization_code&code=abc", 400, "unsupported_grant_type"),
        ("grant_type=refresh_token&refresh_token=abc", 400, "unsupported_grant_type"),
        ("grant_type=password&username=ann%40example.org&password=wrong", 400, "invalid_grant"),
        ("grant_type=password&username=nobody%40example.org&password=x", 400, "invalid_grant"),
        ("grant_type=client_credentials", 401, "invalid_client"),
        ("grant_type=client_credentials&client_id=cl_nope0000&client_secret=x", 401, "invalid_client"),
        ("grant_type=password&username=" + "a" * 400 + "&password=x", 400, "invalid_request"),
    ],
)
async def test_token_endpoint_errors_follow_rfc_6749(gw: Gateway, body: str, status: int, error: str) -> None:
    _app, client = gw
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    answer = await client.post("/auth/token", content=body, headers=headers)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.json()["error"] == error
    assert isinstance(answer.json()["error_description"], str)
    if status == 401:
        assert answer.headers["www-authenticate"].startswith("Basic")


async def test_token_endpoint_wants_a_form(gw: Gateway) -> None:
    _app, client = gw
    answer = await client.post(
        "/auth/token", json={"grant_type": "password", "username": "ann@example.org", "password": PASSWORD}
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_request"


async def test_a_hash_with_old_parameters_is_upgraded_at_login(gw: Gateway) -> None:
    app, client = gw
    weak = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    async with app.state.db.transaction() as repos:
        user = await add_user(app, "old@example.org")
        await repos.users.set_password_hash(user.id, weak)
    assert (await client.post("/auth/login", headers=basic("old@example.org", PASSWORD))).status_code == 200
    async with app.state.db.transaction() as repos:
        upgraded = await repos.users.credentials("old@example.org")
    assert upgraded is not None and upgraded.password_hash != weak
    assert not passwords.needs_rehash(upgraded.password_hash)
    assert (await client.post("/auth/login", headers=basic("old@example.org", PASSWORD))).status_code == 200
