"""A real ``python -m ledger`` (LedgerProcess) per storage backend, shared by the package, query,
create-and-exercise and limits tests: SQLite (its default file) or a fresh PostgreSQL database."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from sqlalchemy.engine import make_url

from ledger.testing import LedgerProcess, hs256_token

SECRET = "h5-ledger-test-secret-0123456789abcdef"
ADMIN_URL = os.environ.get("LSO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


async def _admin(sql: str) -> None:
    try:
        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
    except (OSError, asyncpg.PostgresError) as exc:
        pytest.fail(f"PostgreSQL at {ADMIN_URL} unreachable (set LSO_TEST_POSTGRES_URL): {exc}")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def ledger_on(backend: str, data_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[LedgerProcess]:
    """Start a ledger with HS256 auth on ``backend``; stop it (and drop its database) afterwards."""
    name = f"lso_h5_test_{uuid.uuid4().hex[:12]}"
    url = None
    if backend == "postgres":
        asyncio.run(_admin(f'CREATE DATABASE "{name}"'))
        url = (
            make_url(ADMIN_URL)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    process = LedgerProcess(data_dir, secret=SECRET, database_url=url, env=env)
    process.start()
    try:
        yield process
    finally:
        process.stop()
        if url is not None:
            asyncio.run(_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def token(process: LedgerProcess, *act_as: str, admin: bool = False) -> str:
    return hs256_token(SECRET, act_as=act_as, admin=admin, ledger_id=process.info.ledger_id)


def auth(process: LedgerProcess, *act_as: str, admin: bool = False) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(process, *act_as, admin=admin)}"}


async def allocate(process: LedgerProcess, *parties: str) -> None:
    async with httpx.AsyncClient(base_url=process.info.json_api, timeout=10) as http:
        for party in parties:
            response = await http.post(
                "/v1/parties/allocate", json={"identifierHint": party}, headers=auth(process, admin=True)
            )
            assert response.status_code == 200, response.text
