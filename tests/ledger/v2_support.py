"""Shared by the model v2 tests: a real ``python -m ledger`` with Canton-style party ids and static
ledger time, each party its own ledger user (CanActAs + CanReadAs its party only) with a 2.x user token, and
Daml's testing TimeService over gRPC to move ledger time."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import grpc
import httpx
from dazl._gen.com.daml.ledger.api.v1.testing import time_service_pb2 as tpb
from dazl._gen.com.daml.ledger.api.v1.testing import time_service_pb2_grpc as tgrpc

from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess, hs256_token
from tests.ledger.users_support import SECRET, bearer, custom_token, user_token

ROLES = ("customer", "manufacturer", "supplier", "outsider")
#: The environment of a model v2 ledger: Canton-style party ids, static time.
V2_ENV = {"LSO_LEDGER_PARTY_IDS": "canton", "LSO_LEDGER_TIME_MODE": "static"}


def tid(entity: str) -> str:
    return f"{MODULE}:{entity}"


async def start_v2_ledger(data_dir: Any) -> LedgerProcess:
    process = LedgerProcess(data_dir, secret=SECRET, env=V2_ENV)
    await process.astart()
    return process


@dataclass(frozen=True)
class Party:
    """An allocated party (its id as the ledger gave it) and its own ledger user's token."""

    hint: str
    id: str
    user: str

    @property
    def headers(self) -> dict[str, str]:
        return bearer(user_token(self.user))


async def onboard(ledger: LedgerProcess, role: str) -> Party:
    """Allocate a party for ``role`` and create its user with CanActAs + CanReadAs that party only."""
    hint = f"{role}-{uuid.uuid4().hex[:8]}"
    admin = bearer(custom_token(admin=True))
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        allocated = await http.post("/v1/parties/allocate", json={"identifierHint": hint}, headers=admin)
        assert allocated.status_code == 200, allocated.text
        party = allocated.json()["result"]["identifier"]
        user = f"user-{hint}"
        rights = [{"type": "CanActAs", "party": party}, {"type": "CanReadAs", "party": party}]
        created = await http.post(
            "/v1/user/create", json={"userId": user, "primaryParty": party, "rights": rights}, headers=admin
        )
        assert created.status_code == 200, created.text
    return Party(hint, party, user)


async def parties(ledger: LedgerProcess) -> dict[str, Party]:
    return {role: await onboard(ledger, role) for role in ROLES}


def admin_metadata() -> tuple[tuple[str, str], ...]:
    return (("authorization", f"Bearer {hs256_token(SECRET, admin=True)}"),)


async def ledger_time(ledger: LedgerProcess) -> datetime:
    """The ledger time, the first answer of ``TimeService.GetTime``."""
    async with grpc.aio.insecure_channel(ledger.info.grpc or "") as channel:
        stream = tgrpc.TimeServiceStub(channel).GetTime(tpb.GetTimeRequest(), metadata=admin_metadata())
        async for response in stream:
            moment: datetime = response.current_time.ToDatetime(tzinfo=UTC)
            stream.cancel()
            return moment
    raise AssertionError("GetTime answered nothing")


async def set_time(ledger: LedgerProcess, current: datetime, new: datetime) -> None:
    """``TimeService.SetTime`` (raises ``grpc.aio.AioRpcError`` when refused)."""
    request = tpb.SetTimeRequest()
    request.current_time.FromDatetime(current)
    request.new_time.FromDatetime(new)
    async with grpc.aio.insecure_channel(ledger.info.grpc or "") as channel:
        await tgrpc.TimeServiceStub(channel).SetTime(request, metadata=admin_metadata())


async def advance_to(ledger: LedgerProcess, day: date, hour: int = 12) -> datetime:
    """Move ledger time to ``day`` at ``hour`` UTC."""
    current = await ledger_time(ledger)
    target = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    await set_time(ledger, current, target)
    return target


def later(moment: datetime, days: int) -> date:
    return (moment + timedelta(days=days)).date()


class Api:
    """JSON API calls with a party's own user token: the result, or the error envelope when refused."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(self, path: str, body: dict[str, Any], party: Party, status: int = 200) -> Any:
        response = await self.http.post(path, json=body, headers=party.headers)
        assert response.status_code == status, response.text
        envelope = response.json()
        return envelope["result"] if status == 200 else envelope

    async def create(self, entity: str, payload: dict[str, Any], party: Party, status: int = 200) -> Any:
        return await self.post("/v1/create", {"templateId": tid(entity), "payload": payload}, party, status)

    async def exercise(
        self,
        entity: str,
        cid: str,
        choice: str,
        party: Party,
        argument: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Any:
        body = {"templateId": tid(entity), "contractId": cid, "choice": choice, "argument": argument or {}}
        return await self.post("/v1/exercise", body, party, status)


async def api_of(ledger: LedgerProcess) -> AsyncIterator[Api]:
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=10) as http:
        yield Api(http)


def words(envelope: dict[str, Any]) -> str:
    return " ".join(envelope["errors"])
