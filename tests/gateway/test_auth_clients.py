"""Roles and machine clients: no self-made admins, admins create users and API clients, clients get
tokens with the client-credentials grant (HTTP Basic or form), removed clients lose them."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote_plus

import httpx
import pytest
from fastapi import FastAPI

from store.enums import UserRole
from tests.gateway.auth_support import bearer, cheap_argon2, gateway, login_as, snapshot

Gateway = tuple[FastAPI, httpx.AsyncClient]

__all__ = ["cheap_argon2"]

pytestmark = pytest.mark.usefixtures("cheap_argon2")


@pytest.fixture
async def gw(tmp_path: Path) -> AsyncIterator[Gateway]:
    async with gateway(f"sqlite+aiosqlite:///{tmp_path / 'g.db'}", tmp_path) as pair:
        yield pair


async def _new_client(client: httpx.AsyncClient, admin: dict[str, str], **body: str) -> dict[str, str]:
    created = await client.post(
        "/auth/clients", json={"name": "ERP", "role": "manufacturer", **body}, headers=admin
    )
    assert created.status_code == 201, created.text
    data: dict[str, str] = created.json()
    return data


async def test_self_registration_cannot_make_an_admin(gw: Gateway) -> None:
    app, client = gw
    before = await snapshot(app)
    body = {"email": "mallory@example.org", "password": "long enough", "display_name": "M", "role": "admin"}
    refused = await client.post("/auth/register", json=body)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body.role"
    assert await snapshot(app) == before


async def test_an_admin_creates_users_of_any_role(gw: Gateway) -> None:
    app, client = gw
    admin = await login_as(app, client, "root@example.org", UserRole.ADMIN)
    customer = await login_as(app, client, "cy@example.org", UserRole.CUSTOMER)
    body = {"email": "root2@example.org", "password": "oak tugboat", "display_name": "R2", "role": "admin"}
    assert (await client.post("/auth/users", json=body, headers=customer)).status_code == 403
    created = await client.post("/auth/users", json=body, headers=admin)
    assert created.status_code == 201
    assert created.json()["role"] == "admin"
    assert (await client.post("/auth/users", json=body, headers=admin)).status_code == 409


async def test_client_credentials_grant_by_basic_and_by_form(gw: Gateway) -> None:
    app, client = gw
    admin = await login_as(app, client, "root@example.org", UserRole.ADMIN)
    maker = await login_as(app, client, "maker@example.org", UserRole.MANUFACTURER)
    maker_id = (await client.get("/me", headers=maker)).json()["id"]
    registered = await _new_client(client, admin, owner_user_id=maker_id)
    assert registered["role"] == "manufacturer"
    client_id, secret = registered["client_id"], registered["client_secret"]

    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}".encode()
    by_basic = await client.post(
        "/auth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": "Basic " + base64.b64encode(pair).decode()},
    )
    assert by_basic.status_code == 200, by_basic.text
    by_form = await client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )
    assert by_form.status_code == 200
    me = await client.get("/me", headers=bearer(by_form.json()["access_token"]))
    assert me.json()["id"] == maker_id

    listed = await client.get("/auth/clients", headers=admin)
    assert [entry["client_id"] for entry in listed.json()] == [client_id]
    assert "client_secret" not in listed.json()[0]

    wrong = await client.post(
        "/auth/token",
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret + "x"},
    )
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "invalid_client"


async def test_a_removed_client_loses_its_tokens(gw: Gateway) -> None:
    app, client = gw
    admin = await login_as(app, client, "root@example.org", UserRole.ADMIN)
    registered = await _new_client(client, admin)
    form = {
        "grant_type": "client_credentials",
        "client_id": registered["client_id"],
        "client_secret": registered["client_secret"],
    }
    token = bearer((await client.post("/auth/token", data=form)).json()["access_token"])
    assert (await client.get("/me", headers=token)).status_code == 200
    assert (await client.delete(f"/auth/clients/{registered['client_id']}", headers=admin)).status_code == 204
    assert (await client.get("/me", headers=token)).status_code == 401
    assert (await client.post("/auth/token", data=form)).status_code == 401
    assert (await client.delete(f"/auth/clients/{registered['client_id']}", headers=admin)).status_code == 404


async def test_only_admins_manage_clients(gw: Gateway) -> None:
    app, client = gw
    before_users = await login_as(app, client, "maker@example.org", UserRole.MANUFACTURER)
    before = await snapshot(app)
    for call in (
        client.get("/auth/clients", headers=before_users),
        client.post("/auth/clients", json={"name": "x", "role": "customer"}, headers=before_users),
        client.delete("/auth/clients/cl_0123456789", headers=before_users),
    ):
        answer = await call
        assert answer.status_code == 403
        assert answer.json()["title"] == "Forbidden"
    assert (await client.get("/auth/clients")).status_code == 401
    assert await snapshot(app) == before


async def test_machine_clients_are_never_admins(gw: Gateway) -> None:
    app, client = gw
    admin = await login_as(app, client, "root@example.org", UserRole.ADMIN)
    refused = await client.post("/auth/clients", json={"name": "x", "role": "admin"}, headers=admin)
    assert refused.status_code == 422
    missing_owner = await client.post(
        "/auth/clients", json={"name": "x", "role": "customer", "owner_user_id": "nobody"}, headers=admin
    )
    assert missing_owner.status_code == 404
