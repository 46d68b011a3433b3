"""Shared by the contract-key tests over the APIs: one ``lso ledger serve`` (LedgerProcess) per storage for
the whole session, on SQLite and on PostgreSQL, with parties of its own."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]
import httpx
import pytest
from sqlalchemy.engine import make_url

from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess, hs256_token

SECRET = "keys-test-secret-0123456789abcdef0123"
ADMIN_URL = os.environ.get("LSO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
STORAGES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@dataclass(frozen=True)
class KeyedLedger:
    process: LedgerProcess
    storage: str
    customer: str
    manufacturer: str
    supplier: str
    outsider: str

    @property
    def json_api(self) -> str:
        return self.process.info.json_api

    @property
    def grpc(self) -> str:
        return f"http://{self.process.info.grpc}"

    def token(self, *act_as: str, admin: bool = False) -> str:
        return hs256_token(SECRET, act_as=act_as, admin=admin, ledger_id=self.process.info.ledger_id)

    def headers(self, *act_as: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(*act_as)}"}


def template(entity: str) -> str:
    return f"{MODULE}:{entity}"


async def _database(name: str, create: bool) -> None:
    admin = await asyncpg.connect(ADMIN_URL, timeout=5)
    try:
        if create:
            await admin.execute(f'CREATE DATABASE "{name}"')
        else:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session", params=STORAGES)
def keyed_ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KeyedLedger]:
    storage: str = request.param
    data: Path = tmp_path_factory.mktemp(f"keys-{storage}")
    database_url = None
    name = f"lso_keys_api_{uuid.uuid4().hex[:12]}"
    if storage == "postgres":
        asyncio.run(_database(name, create=True))
        database_url = (
            make_url(ADMIN_URL)
            .set(drivername="postgresql+asyncpg", database=name)
            .render_as_string(hide_password=False)
        )
    process = LedgerProcess(data, secret=SECRET, database_url=database_url)
    process.start()
    try:
        unique = uuid.uuid4().hex[:6]
        ledger = KeyedLedger(
            process,
            storage,
            *(f"{role}-{unique}" for role in ("Customer", "Manufacturer", "Supplier", "Outsider")),
        )
        admin = {"Authorization": f"Bearer {ledger.token(admin=True)}"}
        for party in (ledger.customer, ledger.manufacturer, ledger.supplier, ledger.outsider):
            response = httpx.post(
                f"{ledger.json_api}/v1/parties/allocate",
                json={"identifierHint": party},
                headers=admin,
                timeout=10,
            )
            assert response.status_code == 200, response.text
        yield ledger
    finally:
        process.stop()
        if storage == "postgres":
            asyncio.run(_database(name, create=False))
