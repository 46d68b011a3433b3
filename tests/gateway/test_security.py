"""Refused requests: bad tokens of every kind, wrong roles, injection strings in the login fields;
each refused with the right status, and nothing changed in the database."""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from sqlalchemy import delete

from gateway.core.tokens import TokenService
from store.enums import UserRole
from store.models import UserRow
from tests.gateway.auth_support import (
    PASSWORD,
    SECRET,
    bearer,
    cheap_argon2,
    gateway,
    login_as,
    password_token,
    settings,
    snapshot,
)
from tests.gateway.backends import database_url, gateway_backend

__all__ = ["cheap_argon2", "database_url", "gateway_backend"]

Gateway = tuple[FastAPI, httpx.AsyncClient]

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Gateway]:
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path) as pair:
        yield pair


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(app: FastAPI, token: str) -> dict[str, Any]:
    claims: dict[str, Any] = jwt.decode(token, SECRET, algorithms=["HS256"], issuer="lso-gateway")
    return claims


async def _refused(client: httpx.AsyncClient, headers: dict[str, str], detail: str = "") -> None:
    for method, path in (("GET", "/me"), ("POST", "/auth/logout")):
        answer = await client.request(method, path, headers=headers)
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert detail in answer.json()["detail"]


async def test_no_token_and_other_schemes(gw: Gateway) -> None:
    app, client = gw
    await login_as(app, client, "ann@example.org", UserRole.CUSTOMER)
    before = await snapshot(app)
    await _refused(client, {}, "required")
    await _refused(client, {"Authorization": "Basic " + base64.b64encode(b"ann@example.org:x").decode()})
    await _refused(client, {"Authorization": "Bearer"})
    await _refused(client, bearer("not.a.token"), "not valid")
    await _refused(client, bearer("x" * 9000), "too long")
    assert await snapshot(app) == before


async def test_tampered_signature_alg_none_wrong_key(gw: Gateway) -> None:
    app, client = gw
    headers = await login_as(app, client, "ann@example.org", UserRole.CUSTOMER)
    token = headers["Authorization"].removeprefix("Bearer ")
    claims = _claims(app, token)
    before = await snapshot(app)

    head, payload, signature = token.split(".")
    flipped = signature[:-2] + ("AA" if signature[-2:] != "AA" else "BB")
    await _refused(client, bearer(f"{head}.{payload}.{flipped}"), "not valid")

    promoted = _b64({**claims, "role": "admin"})
    await _refused(client, bearer(f"{head}.{promoted}.{signature}"), "not valid")

    for alg in ("none", "None", "NONE"):
        unsigned = f"{_b64({'alg': alg, 'typ': 'JWT'})}.{payload}."
        await _refused(client, bearer(unsigned), "not valid")

    other_key = jwt.encode(claims, "another-secret-that-is-long-enough-0123456789", algorithm="HS256")
    await _refused(client, bearer(other_key), "not valid")

    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    await _refused(client, bearer(jwt.encode(claims, rsa_key, algorithm="RS256")), "not valid")

    foreign = jwt.encode({**claims, "iss": "someone-else"}, SECRET, algorithm="HS256")
    await _refused(client, bearer(foreign), "issuer")
    assert await snapshot(app) == before


async def test_expired_token(gw: Gateway) -> None:
    app, client = gw
    user_headers = await login_as(app, client, "ann@example.org", UserRole.CUSTOMER)
    user_id = (await client.get("/me", headers=user_headers)).json()["id"]
    tokens: TokenService = app.state.tokens
    old = tokens.issue(user_id, UserRole.CUSTOMER, now=datetime.now(UTC) - timedelta(days=8))
    before = await snapshot(app)
    await _refused(client, bearer(old.access_token), "expired")
    assert await snapshot(app) == before


async def test_revoked_token(gw: Gateway) -> None:
    app, client = gw
    headers = await login_as(app, client, "ann@example.org", UserRole.CUSTOMER)
    assert (await client.post("/auth/logout", headers=headers)).status_code == 204
    before = await snapshot(app)
    await _refused(client, headers, "revoked")
    assert await snapshot(app) == before


async def test_token_of_a_deleted_user(gw: Gateway) -> None:
    app, client = gw
    headers = await login_as(app, client, "ann@example.org", UserRole.MANUFACTURER)
    async with app.state.db.engine.begin() as connection:
        await connection.execute(delete(UserRow).where(UserRow.email == "ann@example.org"))
    before = await snapshot(app)
    await _refused(client, headers, "no longer exists")
    assert await snapshot(app) == before


async def test_the_role_comes_from_the_database(gw: Gateway) -> None:
    """A token minted while the user was a manufacturer stops opening manufacturer routes once the
    stored role changes (and a forged role claim opens nothing)."""
    app, client = gw
    headers = await login_as(app, client, "ann@example.org", UserRole.CUSTOMER)
    user_id = (await client.get("/me", headers=headers)).json()["id"]
    tokens: TokenService = app.state.tokens
    claims_admin = tokens.issue(user_id, UserRole.ADMIN).access_token
    assert (await client.get("/auth/clients", headers=bearer(claims_admin))).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/manufacturer/policy", None),
        ("PUT", "/manufacturer/policy", {}),
        ("POST", "/products", {}),
        ("GET", "/auth/clients", None),
        ("POST", "/auth/users", {}),
    ],
)
async def test_a_customer_cannot_call_manufacturer_or_admin_routes(
    gw: Gateway, method: str, path: str, body: dict[str, Any] | None
) -> None:
    app, client = gw
    headers = await login_as(app, client, "ann@example.org", UserRole.CUSTOMER)
    before = await snapshot(app)
    answer = await client.request(method, path, headers=headers, json=body)
    # the role check runs before the body is validated: 403, never 422
    assert answer.status_code == 403, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["status"] == 403
    assert await snapshot(app) == before


INJECTIONS = [
    "' OR '1'='1",
    "admin@example.org'--",
    "ann@example.org' OR 1=1; DROP TABLE users; --",
    '"; SELECT * FROM users; --',
    "*)(uid=*))(|(uid=*",
    "${jndi:ldap://127.0.0.1/x}",
    "<script>alert(1)</script>@example.org",
    "ann@example.org\x00",
    "ann@example.org\r\nX-Injected: 1",
    "%00%27%22",
    "ann@example.org%",
    "ann@example.org' AND SLEEP(5)--",
    "\u202eann@example.org",
    "😀@😀.org",
    "a" * 320,
]


async def test_injection_strings_in_login_fields(database_url: str, tmp_path: Path) -> None:
    unthrottled = settings(login_failures_before_delay=1000)  # every string gets its answer, not a wait
    async with gateway(database_url, tmp_path, unthrottled) as (app, client):
        await login_as(app, client, "ann@example.org", UserRole.CUSTOMER)
        before = await snapshot(app)
        for text in INJECTIONS:
            form = {"grant_type": "password", "username": text, "password": PASSWORD}
            answer = await client.post("/auth/token", data=form)
            assert answer.status_code == 400, (text, answer.text)
            assert answer.json()["error"] in ("invalid_grant", "invalid_request")

            form = {"grant_type": "password", "username": "nobody@example.org", "password": text}
            assert (await client.post("/auth/token", data=form)).status_code == 400

            form = {"grant_type": "client_credentials", "client_id": text, "client_secret": text}
            refused = await client.post("/auth/token", data=form)
            assert (refused.status_code, refused.json()["error"]) in (
                (401, "invalid_client"),
                (400, "invalid_request"),
            )

            pair = base64.b64encode(f"{text}:{PASSWORD}".encode()).decode()
            basic = await client.post("/auth/login", headers={"Authorization": f"Basic {pair}"})
            assert basic.status_code == 401, (text, basic.text)

            body = {"email": text, "password": PASSWORD, "display_name": "x", "role": "customer"}
            registered = await client.post("/auth/register", json=body)
            assert registered.status_code == 422, (text, registered.text)
            assert registered.json()["errors"][0]["field"] == "body.email"
        assert await snapshot(app) == before


async def test_injection_strings_are_stored_as_plain_text(database_url: str, tmp_path: Path) -> None:
    async with gateway(database_url, tmp_path) as (app, client):
        for index, text in enumerate(INJECTIONS):
            body = {"email": f"u{index}@example.org", "password": PASSWORD, "display_name": text}
            registered = await client.post("/auth/register", json=body)
            if any(ord(char) < 32 for char in text) or len(text) > 200:
                assert registered.status_code == 422, (text, registered.text)
                continue
            assert registered.status_code == 201, (text, registered.text)
            headers = bearer(await password_token(client, f"u{index}@example.org"))
            assert (await client.get("/me", headers=headers)).json()["display_name"] == text
        async with app.state.db.transaction() as repos:
            assert len(await repos.users.list_all()) == sum(
                1 for text in INJECTIONS if len(text) <= 200 and all(ord(char) >= 32 for char in text)
            )
