"""Shared fixtures of the ledger tests: the embedded ledger in a subprocess, with HS256 tokens."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from ledger.testing import LedgerProcess, hs256_token

SECRET = "ledger-test-secret-0123456789abcdef"


@pytest.fixture(scope="session")
def ledger_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    """One embedded ledger (JSON API + gRPC) with HS256 auth for the session; tests use unique parties."""
    process = LedgerProcess(tmp_path_factory.mktemp("ledger"), secret=SECRET)
    process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
    process.start()
    yield process
    process.stop()


def token(process: LedgerProcess, *act_as: str, admin: bool = False, read_as: tuple[str, ...] = ()) -> str:
    return hs256_token(SECRET, act_as=act_as, read_as=read_as, admin=admin, ledger_id=process.info.ledger_id)


@pytest.fixture
def unique() -> str:
    return uuid.uuid4().hex[:8]


@pytest.fixture
async def http(ledger_process: LedgerProcess) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=ledger_process.info.json_api, timeout=10) as client:
        yield client


def party_names(unique: str) -> dict[str, str]:
    return {role: f"{role}-{unique}" for role in ("Customer", "Manufacturer", "Supplier", "Outsider")}


async def allocate(http: httpx.AsyncClient, process: LedgerProcess, *parties: str) -> None:
    admin = {"Authorization": f"Bearer {token(process, admin=True)}"}
    for party in parties:
        response = await http.post("/v1/parties/allocate", json={"identifierHint": party}, headers=admin)
        assert response.status_code == 200, response.text


def data_dir(process: LedgerProcess) -> Path:
    return process.data_dir
