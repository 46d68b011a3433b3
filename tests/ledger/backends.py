"""A real ``python -m ledger`` (LedgerProcess) per storage backend, shared by the package, query,
create-and-exercise and limits tests: SQLite (its default file) or a fresh PostgreSQL database."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import httpx
import pytest

from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.storages import STORAGES, process_database_sync

SECRET = "h5-ledger-test-secret-0123456789abcdef"


def ledger_on(backend: str, data_dir: Path, env: Mapping[str, str] | None = None) -> Iterator[LedgerProcess]:
    """Start a ledger with HS256 auth on ``backend``; stop it (and drop its database) afterwards."""
    with process_database_sync(backend, "lso_h5_test") as url:
        process = LedgerProcess(data_dir, secret=SECRET, database_url=url, env=env)
        process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
        process.start()
        try:
            yield process
        finally:
            process.stop()


def ledger_fixture(directory: str) -> Any:
    """The module's ``ledger`` fixture: :func:`ledger_on` each storage, its data under ``directory``."""

    @pytest.fixture(scope="module", params=STORAGES)
    def ledger(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
    ) -> Iterator[LedgerProcess]:
        yield from ledger_on(request.param, tmp_path_factory.mktemp(directory))

    return ledger


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
