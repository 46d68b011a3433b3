"""Shared by the user management and not-found tests: a real ``python -m ledger`` (LedgerProcess) on SQLite or
on a fresh PostgreSQL database, HS256 tokens of both shapes, and small HTTP helpers."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import AsyncIterator, Mapping
from pathlib import Path
from typing import Any

import asyncpg  # type: ignore[import-untyped]
import httpx
import jwt
import pytest
from sqlalchemy.engine import make_url

from ledger.grpc.auth import V2_SCOPE
from ledger.testing import LedgerProcess, hs256_token

SECRET = "users-test-secret-0123456789abcdef-0123"
ADMIN_URL = os.environ.get("LSO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
#: One configured user (``LSO_LEDGER_AUTH_USERS``): the platform's operator, as ``lso run`` configures it.
OPERATOR = "lso-operator"
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def user_token(user: str, *, audience: bool = False, expires_in: float = 600) -> str:
    """A 2.x user token: ``sub`` + ``scope: daml_ledger_api`` (or the audience-based form)."""
    payload: dict[str, Any] = {"sub": user, "exp": int(time.time() + expires_in)}
    if audience:
        payload["aud"] = "https://daml.com/jwt/aud/participant/lso-embedded-participant"
    else:
        payload["scope"] = V2_SCOPE
    return jwt.encode(payload, SECRET, algorithm="HS256")


def custom_token(*act_as: str, admin: bool = False, read_as: tuple[str, ...] = ()) -> str:
    """A 1.x custom-claims token (what the platform's tests and older clients use)."""
    return hs256_token(SECRET, act_as=act_as, read_as=read_as, admin=admin)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def database_url(backend: str, tmp_path: Path) -> AsyncIterator[str | None]:
    """None for SQLite (the ledger's default file under its data dir), else a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield None
        return
    name = f"lso_users_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {ADMIN_URL} unreachable (set LSO_TEST_POSTGRES_URL): {exc}")
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield (
        make_url(ADMIN_URL)
        .set(drivername="postgresql+asyncpg", database=name)
        .render_as_string(hide_password=False)
    )
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def running_ledger(
    backend: str, tmp_path: Path, env: Mapping[str, str] | None = None
) -> AsyncIterator[LedgerProcess]:
    """A ledger with HS256 auth and the operator configured, on ``backend``; stopped afterwards."""
    async for url in database_url(backend, tmp_path):
        settings = {"LSO_LEDGER_AUTH_USERS": json.dumps({OPERATOR: {"admin": True, "actAsAnyParty": True}})}
        process = LedgerProcess(
            tmp_path / "ledger", secret=SECRET, database_url=url, env={**settings, **(env or {})}
        )
        await process.astart()
        try:
            yield process
        finally:
            await process.astop()


async def allocate(ledger: LedgerProcess, *parties: str) -> None:
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        for party in parties:
            response = await http.post(
                "/v1/parties/allocate",
                json={"identifierHint": party},
                headers=bearer(custom_token(admin=True)),
            )
            assert response.status_code == 200, response.text
