"""The manufacturer's ledger-era console steps: confirm the shipped parts
(``POST /orders/{id}/parts-confirmation``), start production before every part is in (``/production-start``,
with a reason) and ship a paid order (``/shipment``, carrier and tracking reference). Each checks the caller
(the order's manufacturer only) and the order's status (409 naming it), hands the step to the agents through
the bridge (202), and turns the agent's refusal into a problem in words (409; ``not-awaited`` explained)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import httpx

from gateway.core.problems import MEDIA_TYPE
from ontology.order import OrderStatus
from store.database import Database
from tests.gateway.recording_bridge import Call, RecordingBridge
from tests.gateway.world import People, User, advance, place

pytest_plugins = ("tests.gateway.fixtures",)


@dataclass(frozen=True)
class Step:
    path: str
    ready: OrderStatus
    body: dict[str, Any] | None
    method: str
    args: tuple[Any, ...] = ()


PARTS = Step("parts-confirmation", OrderStatus.CONTRACTED, None, "confirm_parts")
EARLY = Step(
    "production-start",
    OrderStatus.CONTRACTED,
    {"reason": "the tubes are in stock"},
    "start_production",
    ("the tubes are in stock",),
)
SHIP = Step(
    "shipment",
    OrderStatus.PAID,
    {"carrier": "DHL", "reference": "1Z999AA10123456784"},
    "ship_order",
    ("DHL", "1Z999AA10123456784"),
)
STEPS = [PARTS, EARLY, SHIP]


async def _post(client: httpx.AsyncClient, order_id: str, step: Step, user: User | None) -> httpx.Response:
    headers = user.headers if user is not None else {}
    return await client.post(f"/orders/{order_id}/{step.path}", json=step.body, headers=headers)


def _problem(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == MEDIA_TYPE
    detail: str = response.json()["detail"]
    return detail


async def _status(client: httpx.AsyncClient, people: People, order_id: str) -> str:
    status: str = (await client.get(f"/orders/{order_id}", headers=people.maker.headers)).json()["status"]
    return status


async def test_each_step_goes_to_the_agents_when_the_order_waits_for_it(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    for step in STEPS:
        order_id = await place(client, people.alice)
        await advance(db, order_id, step.ready)
        bridge.calls.clear()
        response = await _post(client, order_id, step, people.maker)
        assert response.status_code == 202, (step, response.text)
        assert response.json()["order_id"] == order_id
        assert response.json()["status"] == str(step.ready)
        assert response.json()["location"] == f"/orders/{order_id}"
        assert bridge.calls == [Call(step.method, (UUID(order_id), *step.args))], step
        assert await _status(client, people, order_id) == str(step.ready), "the gateway changes no status"


async def test_a_status_that_does_not_fit_is_409_naming_it(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    for current in (OrderStatus.ACCEPTED, OrderStatus.IN_PRODUCTION, OrderStatus.SHIPPED):
        await advance(db, order_id, current)
        bridge.calls.clear()
        for step in STEPS:
            detail = _problem(await _post(client, order_id, step, people.maker), 409)
            assert f"order {order_id} is '{current}'" in detail, detail
            assert f"needs it '{step.ready}'" in detail, detail
        assert bridge.calls == []
    # shipping a contracted order, confirming the parts of a paid one
    contracted = await place(client, people.alice)
    await advance(db, contracted, OrderStatus.CONTRACTED)
    bridge.calls.clear()
    assert "needs it 'paid'" in _problem(await _post(client, contracted, SHIP, people.maker), 409)
    assert bridge.calls == []


async def test_only_the_orders_manufacturer_takes_these_steps(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    for step in STEPS:
        order_id = await place(client, people.alice)
        await advance(db, order_id, step.ready)
        bridge.calls.clear()
        _problem(await _post(client, order_id, step, people.alice), 403)  # the customer
        _problem(await _post(client, order_id, step, people.rival), 404)  # another manufacturer
        _problem(await _post(client, order_id, step, None), 401)
        _problem(await _post(client, "no-such-order", step, people.maker), 404)
        assert bridge.calls == []


async def test_the_agent_not_waiting_is_409_in_words(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    words = {
        PARTS.path: "Confirm arriving parts automatically",
        EARLY.path: "not waiting for parts any more",
        SHIP.path: "Ship automatically",
    }
    for step in STEPS:
        bridge.failure = None
        order_id = await place(client, people.alice)
        await advance(db, order_id, step.ready)
        bridge.fail(
            f"not-awaited: order {order_id} does not wait for it (the policy does it, or its flow is gone)",
            status_code=409,
        )
        detail = _problem(await _post(client, order_id, step, people.maker), 409)
        assert f"order {order_id}: your agent is not waiting for this: " in detail, detail
        assert words[step.path] in detail, detail
        assert "not-awaited" not in detail
    # any other refusal keeps the agent's own words
    bridge.failure = None
    order_id = await place(client, people.alice)
    await advance(db, order_id, OrderStatus.CONTRACTED)
    bridge.fail(f"nothing-shipped: no part of order {order_id} is shipped and not received", status_code=409)
    detail = _problem(await _post(client, order_id, PARTS, people.maker), 409)
    assert detail.startswith(f"cannot confirm the parts of order {order_id}: "), detail
    assert "is shipped and not received" in detail


async def test_when_the_agents_are_away_the_step_is_503_and_the_order_unchanged(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await advance(db, order_id, OrderStatus.PAID)
    bridge.fail("manufacturer maker has no agent on this platform")
    detail = _problem(await _post(client, order_id, SHIP, people.maker), 503)
    assert detail == f"cannot ship order {order_id}: manufacturer maker has no agent on this platform"
    assert await _status(client, people, order_id) == "paid"


async def test_bad_bodies_are_422(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    contracted = await place(client, people.alice)
    await advance(db, contracted, OrderStatus.CONTRACTED)
    paid = await place(client, people.alice)
    await advance(db, paid, OrderStatus.PAID)
    bridge.calls.clear()
    reasons: list[Any] = [None, {}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 2001}]
    reasons += [{"reason": "fine", "extra": 1}, {"reason": "nul \x00"}]
    for body in reasons:
        response = await client.post(
            f"/orders/{contracted}/production-start", json=body, headers=people.maker.headers
        )
        _problem(response, 422)
    shipments: list[Any] = [
        None,
        {},
        {"carrier": "DHL"},
        {"reference": "1Z"},
        {"carrier": " ", "reference": "1Z"},
    ]
    shipments += [
        {"carrier": "DHL", "reference": "r" * 201},
        {"carrier": "DHL", "reference": "1Z", "at": "now"},
    ]
    for body in shipments:
        response = await client.post(f"/orders/{paid}/shipment", json=body, headers=people.maker.headers)
        _problem(response, 422)
    assert bridge.calls == []


async def test_the_reason_and_the_shipment_are_trimmed(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    contracted = await place(client, people.alice)
    await advance(db, contracted, OrderStatus.CONTRACTED)
    paid = await place(client, people.alice)
    await advance(db, paid, OrderStatus.PAID)
    bridge.calls.clear()
    started = await client.post(
        f"/orders/{contracted}/production-start",
        json={"reason": "  rush order \n"},
        headers=people.maker.headers,
    )
    assert started.status_code == 202, started.text
    shipped = await client.post(
        f"/orders/{paid}/shipment",
        json={"carrier": " UPS ", "reference": " 1Z12 "},
        headers=people.maker.headers,
    )
    assert shipped.status_code == 202, shipped.text
    assert bridge.calls == [
        Call("start_production", (UUID(contracted), "rush order")),
        Call("ship_order", (UUID(paid), "UPS", "1Z12")),
    ]


async def test_the_steps_are_documented_with_their_own_request_bodies(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path, schema in (
        ("/orders/{order_id}/parts-confirmation", None),
        ("/orders/{order_id}/production-start", "ProductionStart"),
        ("/orders/{order_id}/shipment", "ShipmentCreate"),
    ):
        operation = paths[path]["post"]
        assert {"202", "404", "409", "503"} <= set(operation["responses"]), path
        body = operation.get("requestBody")
        if schema is None:
            assert body is None, path
        else:
            assert body["content"]["application/json"]["schema"]["$ref"].endswith(f"/{schema}"), path
