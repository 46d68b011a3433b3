"""Contract keys on the HTTP JSON API v1 of a running ``lso ledger serve`` (SQLite and PostgreSQL), via httpx:
``key`` in created contracts and query results, ``/v1/fetch`` and ``/v1/exercise`` by key, 409 for a
duplicate key, one "not found" for unused keys and hidden contracts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from ledger import samples
from tests.ledger.keys_support import KeyedLedger, keyed_ledger, template

__all__ = ["keyed_ledger"]


@pytest.fixture
async def http(keyed_ledger: KeyedLedger) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=keyed_ledger.json_api, timeout=10) as client:
        yield client


def terms(ledger: KeyedLedger, order_id: str) -> dict[str, Any]:
    return samples.order_agreement(order_id, customer=ledger.customer, manufacturer=ledger.manufacturer)


def order_key(ledger: KeyedLedger, order_id: str) -> dict[str, str]:
    return {"manufacturer": ledger.manufacturer, "orderId": order_id}


def by_key(ledger: KeyedLedger, entity: str, order_id: str, **extra: Any) -> dict[str, Any]:
    """A request body naming the contract of ``entity`` by its key (the order's)."""
    return {"templateId": template(entity), "key": order_key(ledger, order_id), **extra}


async def post(
    http: httpx.AsyncClient, path: str, body: dict[str, Any], headers: dict[str, str]
) -> httpx.Response:
    return await http.post(path, json=body, headers=headers)


async def propose(http: httpx.AsyncClient, ledger: KeyedLedger, order_id: str) -> dict[str, Any]:
    """An OrderAgreement for ``order_id``, created with both parties' authority: the created contract."""
    created = await post(
        http,
        "/v1/create",
        {"templateId": template("OrderAgreement"), "payload": terms(ledger, order_id)},
        ledger.headers(ledger.customer, ledger.manufacturer),
    )
    assert created.status_code == 200, created.text
    result: dict[str, Any] = created.json()["result"]
    return result


async def test_keys_in_results_fetch_and_exercise_by_key(
    keyed_ledger: KeyedLedger, http: httpx.AsyncClient
) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    maker, customer = ledger.headers(ledger.manufacturer), ledger.headers(ledger.customer)
    order = {
        "templateId": template("CustomerOrder"),
        "payload": samples.customer_order(order_id, ledger.customer, ledger.manufacturer),
    }
    created = (await post(http, "/v1/create", order, customer)).json()["result"]
    assert created["key"] == {"customer": ledger.customer, "orderId": order_id}

    accept = {
        "templateId": template("CustomerOrder"),
        "key": created["key"],
        "choice": "AcceptOrder",
        "argument": {},
    }
    accepted = await post(http, "/v1/exercise", accept, maker)
    assert accepted.status_code == 200, accepted.text
    agreement_id = accepted.json()["result"]["exerciseResult"]

    fetched = await post(http, "/v1/fetch", by_key(ledger, "OrderAgreement", order_id), customer)
    assert fetched.status_code == 200, fetched.text
    result = fetched.json()["result"]
    assert result["contractId"] == agreement_id
    assert result["key"] == order_key(ledger, order_id)
    assert result["payload"]["orderId"] == order_id

    queried = await post(http, "/v1/query", {"templateIds": [template("OrderAgreement")]}, customer)
    mine = [c for c in queried.json()["result"] if c["contractId"] == agreement_id]
    assert [c["key"] for c in mine] == [order_key(ledger, order_id)]

    # Ship by key re-creates the agreement, found by the same key
    ship = by_key(ledger, "OrderAgreement", order_id, choice="Ship", argument=dict(samples.SHIP_ARGUMENT))
    shipped = await post(http, "/v1/exercise", ship, maker)
    assert shipped.status_code == 200, shipped.text
    again = await post(http, "/v1/fetch", by_key(ledger, "OrderAgreement", order_id), customer)
    assert again.json()["result"]["contractId"] == shipped.json()["result"]["exerciseResult"]
    assert again.json()["result"]["payload"]["shipment"]["reference"] == "JD0001"


async def test_duplicate_key_is_a_conflict(keyed_ledger: KeyedLedger, http: httpx.AsyncClient) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    both = ledger.headers(ledger.customer, ledger.manufacturer)
    body = {"templateId": template("OrderAgreement"), "payload": terms(ledger, order_id)}
    first = await post(http, "/v1/create", body, both)
    assert first.status_code == 200, first.text
    second = await post(http, "/v1/create", body, both)
    assert second.status_code == 409, second.text
    assert second.json()["status"] == 409
    assert any("DUPLICATE_CONTRACT_KEY" in e for e in second.json()["errors"])
    queried = await post(
        http, "/v1/query", {"templateIds": [template("OrderAgreement")], "query": {"orderId": order_id}}, both
    )
    assert [c["contractId"] for c in queried.json()["result"]] == [first.json()["result"]["contractId"]]


async def test_by_key_needs_a_stakeholder(keyed_ledger: KeyedLedger, http: httpx.AsyncClient) -> None:
    ledger, order_id = keyed_ledger, f"o-{uuid.uuid4().hex[:8]}"
    maker, outsider = ledger.headers(ledger.manufacturer), ledger.headers(ledger.outsider)
    created = await propose(http, ledger, order_id)
    hidden = by_key(ledger, "OrderAgreement", order_id)
    unused = by_key(ledger, "OrderAgreement", order_id + "-none")
    # fetch: null for a hidden contract exactly as for an unused key
    for body in (hidden, unused):
        response = await post(http, "/v1/fetch", body, outsider)
        assert response.status_code == 200 and response.json()["result"] is None
    # exercise: 404 CONTRACT_KEY_NOT_FOUND for both, with the same text apart from the key
    answers = []
    for body in (hidden, unused):
        response = await post(http, "/v1/exercise", {**body, "choice": "Archive"}, outsider)
        assert response.status_code == 404, response.text
        assert any("CONTRACT_KEY_NOT_FOUND" in e for e in response.json()["errors"])
        answers.append(response)
    # the proposal is still there for its stakeholders
    still = await post(http, "/v1/fetch", hidden, maker)
    assert still.json()["result"]["contractId"] == created["contractId"]


async def test_malformed_by_key_requests(keyed_ledger: KeyedLedger, http: httpx.AsyncClient) -> None:
    ledger = keyed_ledger
    maker = ledger.headers(ledger.manufacturer)
    for body in (
        {"templateId": template("OrderAgreement"), "key": {"manufacturer": ledger.manufacturer}},
        {"templateId": template("OrderAgreement"), "key": "o-1"},
    ):
        response = await post(http, "/v1/fetch", body, maker)
        assert response.status_code == 400, response.text
    response = await post(
        http,
        "/v1/exercise",
        {"templateId": template("OrderAgreement"), "key": order_key(ledger, "o-x")},  # no choice
        maker,
    )
    assert response.status_code == 400, response.text
