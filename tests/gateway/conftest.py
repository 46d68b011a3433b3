"""A gateway over a fresh, migrated SQLite database per test, and an HTTP client on it (in process)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from gateway.app import create_app
from store.migrate import upgrade


@pytest.fixture
async def gateway_app(tmp_path: Path) -> AsyncIterator[FastAPI]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await upgrade(url)
    app = create_app(url, data_dir=tmp_path)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(gateway_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=gateway_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
        yield http


async def register_and_login(
    client: httpx.AsyncClient, email: str, role: str = "customer", password: str = "correct horse 1"
) -> dict[str, str]:
    """Register a user and log in; the Authorization header to send as that user."""
    registered = await client.post(
        "/auth/register", json={"email": email, "password": password, "display_name": email, "role": role}
    )
    assert registered.status_code == 201, registered.text
    login = await client.post(
        "/auth/token", data={"grant_type": "password", "username": email, "password": password}
    )
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}
