"""Request size limits: the JSON API answers 413 (its JSON error envelope) before reading a too-big body,
DAR uploads have their own larger limit, and the gRPC Ledger API refuses messages over Daml's 4 MiB default
with RESOURCE_EXHAUSTED; a refused create stores nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import dazl
import httpx
import pytest

from ledger import samples
from ledger.engine.templates import MODULE
from ledger.testing import LedgerProcess
from tests.ledger.backends import allocate, auth, ledger_fixture, token

MIB = 1024 * 1024
CUSTOMER_ORDER = f"{MODULE}:CustomerOrder"


ledger = ledger_fixture("limits")


def big_order(order_id: str, customer: str, manufacturer: str, size: int) -> dict[str, object]:
    return {**samples.customer_order(order_id, customer, manufacturer), "productId": "x" * size}


async def visible_orders(http: httpx.AsyncClient, ledger: LedgerProcess, party: str) -> list[str]:
    response = await http.post(
        "/v1/query", json={"templateIds": [CUSTOMER_ORDER]}, headers=auth(ledger, party)
    )
    assert response.status_code == 200, response.text
    return sorted(c["payload"]["orderId"] for c in response.json()["result"])


async def test_a_too_big_json_create_is_refused_with_413_and_stores_nothing(ledger: LedgerProcess) -> None:
    unique = uuid.uuid4().hex[:8]
    customer, manufacturer = f"LC-{unique}", f"LM-{unique}"
    await allocate(ledger, customer, manufacturer)
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=30) as http:
        body = {
            "templateId": CUSTOMER_ORDER,
            "payload": big_order("too-big", customer, manufacturer, 5 * MIB),
        }
        response = await http.post("/v1/create", json=body, headers=auth(ledger, customer))
        assert response.status_code == 413
        refused = response.json()
        assert refused["status"] == 413 and "4194304" in refused["errors"][0]

        async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
            for _ in range(5):
                yield b" " * MIB
            yield b"{}"

        chunked = await http.post("/v1/create", content=chunks(), headers=auth(ledger, customer))
        assert chunked.status_code == 413 and chunked.json()["status"] == 413

        fine = {"templateId": CUSTOMER_ORDER, "payload": big_order("fits", customer, manufacturer, 100_000)}
        response = await http.post("/v1/create", json=fine, headers=auth(ledger, customer))
        assert response.status_code == 200, response.text
        assert await visible_orders(http, ledger, customer) == ["fits"]


async def test_dar_uploads_have_their_own_larger_limit(ledger: LedgerProcess) -> None:
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=30) as http:
        headers = {**auth(ledger, admin=True), "Content-Type": "application/octet-stream"}
        response = await http.post("/v1/packages", content=b"\0" * (5 * MIB), headers=headers)
        # under the 16 MiB DAR limit: read, and refused as what it is (not a DAR), not for its size
        assert response.status_code == 400 and "DAR_PARSE_ERROR" in response.json()["errors"][0]
        response = await http.post("/v1/packages", content=b"\0" * (17 * MIB), headers=headers)
        assert response.status_code == 413


async def test_a_too_big_grpc_create_is_refused_and_stores_nothing(ledger: LedgerProcess) -> None:
    unique = uuid.uuid4().hex[:8]
    customer, manufacturer = f"GC-{unique}", f"GM-{unique}"
    await allocate(ledger, customer, manufacturer)
    url = f"http://{ledger.info.grpc}"
    async with dazl.connect(
        url=url, oauth_token=token(ledger, customer), act_as=[dazl.Party(customer)]
    ) as conn:
        with pytest.raises(Exception, match=r"RESOURCE_EXHAUSTED|Received message larger than max"):
            await conn.create(CUSTOMER_ORDER, big_order("grpc-too-big", customer, manufacturer, 5 * MIB))
        created = await conn.create(CUSTOMER_ORDER, big_order("grpc-fits", customer, manufacturer, 100_000))
        assert created.contract_id
    async with httpx.AsyncClient(base_url=ledger.info.json_api, timeout=30) as http:
        assert await visible_orders(http, ledger, customer) == ["grpc-fits"]
