"""Shared by the contract-key tests over the APIs: one ``lso ledger serve`` (LedgerProcess) per storage for
the whole session, on SQLite and on PostgreSQL, with parties of its own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.storages import STORAGES, process_database_sync

SECRET = "keys-test-secret-0123456789abcdef0123"


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


@pytest.fixture(scope="session", params=STORAGES)
def keyed_ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[KeyedLedger]:
    storage: str = request.param
    data: Path = tmp_path_factory.mktemp(f"keys-{storage}")
    with process_database_sync(storage, "lso_keys_api") as database_url:
        process = LedgerProcess(data, secret=SECRET, database_url=database_url)
        process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
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
