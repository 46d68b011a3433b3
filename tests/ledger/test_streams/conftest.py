"""A running ledger per storage (SQLite, PostgreSQL) for the stream tests, with short heartbeat and send
timeout, and small clients: httpx for commands, ``websockets`` for streams."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.storages import process_database

SECRET = "stream-test-secret-0123456789abcdef"
HEARTBEAT = 0.4
SEND_TIMEOUT = 1.0
ORDER = f"{MODULE}:CustomerOrder"


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
async def stream_ledger(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[LedgerProcess]:
    """One ledger per storage for every stream test (tests use their own parties)."""
    env = {
        "LSO_LEDGER_WS_HEARTBEAT_SECONDS": str(HEARTBEAT),
        "LSO_LEDGER_WS_SEND_TIMEOUT_SECONDS": str(SEND_TIMEOUT),
    }
    data = tmp_path_factory.mktemp(f"streams-{request.param}")
    async with process_database(request.param, "lso_streams_test") as url:
        process = LedgerProcess(data, secret=SECRET, env=env, grpc=False, database_url=url)
        process.env["LSO_LEDGER_PARTY_IDS"] = "hint"  # these tests name parties by their hints
        await process.astart()
        yield process
        await process.astop()


def token(process: LedgerProcess, *act_as: str, read_as: tuple[str, ...] = (), admin: bool = False) -> str:
    return hs256_token(SECRET, act_as=act_as, read_as=read_as, admin=admin, ledger_id=process.info.ledger_id)


@dataclass
class Ledger:
    """Commands over HTTP and streams over WebSockets against one running ledger."""

    process: LedgerProcess
    http: httpx.AsyncClient

    @property
    def ws_base(self) -> str:
        return self.process.info.json_api.replace("http://", "ws://", 1)

    @property
    def order_template(self) -> str:
        return f"{self.process.info.package_id}:{ORDER}"

    async def allocate(self, *parties: str) -> None:
        headers = {"Authorization": f"Bearer {token(self.process, admin=True)}"}
        for party in parties:
            response = await self.http.post(
                "/v1/parties/allocate", json={"identifierHint": party}, headers=headers
            )
            assert response.status_code == 200, response.text

    async def create_order(
        self, order_id: str, customer: str, manufacturer: str, **fields: Any
    ) -> dict[str, Any]:
        body = {
            "templateId": ORDER,
            "payload": {**samples.customer_order(order_id, customer, manufacturer), **fields},
        }
        response = await self.http.post(
            "/v1/create", json=body, headers={"Authorization": f"Bearer {token(self.process, customer)}"}
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()["result"]
        return result

    async def archive(self, contract_id: str, party: str) -> None:
        body = {"templateId": ORDER, "contractId": contract_id, "choice": "Archive", "argument": {}}
        response = await self.http.post(
            "/v1/exercise", json=body, headers={"Authorization": f"Bearer {token(self.process, party)}"}
        )
        assert response.status_code == 200, response.text

    def connect(self, path: str, bearer: str | None, *, auth_protocol: bool = True) -> Any:
        protocols = [f"jwt.token.{bearer}"] if bearer is not None else []
        if auth_protocol:
            protocols.append("daml.ws.auth")
        return websockets.connect(f"{self.ws_base}{path}", subprotocols=protocols)  # type: ignore[arg-type]


@pytest.fixture
async def ledger(stream_ledger: LedgerProcess) -> AsyncIterator[Ledger]:
    async with httpx.AsyncClient(base_url=stream_ledger.info.json_api, timeout=10) as http:
        yield Ledger(stream_ledger, http)


@pytest.fixture
def parties() -> dict[str, str]:
    unique = uuid.uuid4().hex[:8]
    return {role: f"{role}-{unique}" for role in ("Customer", "Manufacturer", "Outsider")}


async def receive(ws: ClientConnection, timeout: float = 5.0) -> dict[str, Any]:  # noqa: ASYNC109
    """The next message as JSON (fails the test after ``timeout`` seconds)."""
    message = await asyncio.wait_for(ws.recv(), timeout)
    value: dict[str, Any] = json.loads(message)
    return value


async def receive_until(
    ws: ClientConnection,
    accept: Any,
    timeout: float = 5.0,  # noqa: ASYNC109
) -> list[dict[str, Any]]:
    """Messages up to and including the first that ``accept`` holds for."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            seen.append(await receive(ws, timeout))
            if accept(seen[-1]):
                return seen


def has_offset(frame: dict[str, object]) -> bool:
    return "offset" in frame


def created_ids(frame: dict[str, Any]) -> list[str]:
    return [e["created"]["contractId"] for e in frame.get("events", []) if "created" in e]


def archived_ids(frame: dict[str, Any]) -> list[str]:
    return [e["archived"]["contractId"] for e in frame.get("events", []) if "archived" in e]
