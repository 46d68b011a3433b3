"""The whole order story through HTTP and the push stream, against real agents over the session's
XMPP servers (pyjabber, then Prosody) and a real database: a customer logs in, orders (202), hears the
quotation with its price on SSE, confirms, the order is contracted on the ledger (contract ids in
GET /orders/{id}), produced, invoiced, paid. First with the automatic policy; then with manual
acceptance, production and invoicing, driven by the manufacturer through the console routes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import httpx
import pytest

from bench.order_world import unique
from common.settings import Settings
from ontology.payment import transfer_reference
from tests.gateway.e2e.world import (
    Agents,
    EventLog,
    Platform,
    gateway_platform,
    login,
    manufacturer_with_agent,
    order_agents,
    sse_listener,
    world_store,
)

WAIT = 90.0
PRODUCT = "demo-bicycle-frame"
CENT = Decimal("0.01")


@dataclass
class Story:
    platform: Platform
    customer: dict[str, str]
    customer_id: str
    manufacturer: dict[str, str]
    manufacturer_id: str

    @property
    def http(self) -> httpx.AsyncClient:
        return self.platform.http


@pytest.fixture(scope="module", params=["pyjabber", pytest.param("prosody", marks=pytest.mark.prosody)])
def server(request: pytest.FixtureRequest) -> Settings:
    """The session's XMPP server the module runs on: pyjabber, then Prosody."""
    settings: Settings = request.getfixturevalue(f"{request.param}_settings")
    return settings


@pytest.fixture(scope="module")
async def xmpp(server: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """The settings of the module's agents and gateway: the server, and the world's store."""
    return await world_store(server, tmp_path_factory.mktemp("gateway-e2e-store"))


@pytest.fixture(scope="module")
async def agents(xmpp: Settings, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Agents]:
    async with order_agents(xmpp, tmp_path_factory.mktemp("gateway-e2e-agents")) as running:
        yield running


@pytest.fixture(scope="module")
async def story(
    xmpp: Settings, agents: Agents, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Story]:
    directory = tmp_path_factory.mktemp("gateway-e2e")
    async with AsyncExitStack() as stack:
        platform = await stack.enter_async_context(gateway_platform(xmpp, directory))
        maker, maker_id = await manufacturer_with_agent(platform, xmpp, agents, stack, directory)
        customer, customer_id = await login(platform.http, f"{unique('customer')}@example.org", "customer")
        yield Story(platform, customer, customer_id, maker, maker_id)


async def place_order(story: Story) -> str:
    body = {"product_id": PRODUCT, "delivery_date": str(date.today() + timedelta(days=120))}
    placed = await story.http.post("/orders", headers=story.customer, json=body)
    assert placed.status_code == 202, placed.text
    return str(placed.json()["id"])


async def act(story: Story, who: dict[str, str], order_id: str, action: str, **body: object) -> None:
    response = await story.http.post(f"/orders/{order_id}/{action}", headers=who, json=body or None)
    assert response.status_code == 202, f"{action}: {response.status_code} {response.text}"


async def check_quotation(events: EventLog, order_id: str, nth: int = 1) -> Decimal:
    quotation = await events.until(order_id, "quoted", WAIT, nth)
    assert quotation["kind"] == "quotation" and quotation["currency"] == "EUR"
    price = Decimal(quotation["price"])
    assert price > 0
    return price


async def check_paid_order(story: Story, events: EventLog, order_id: str, price: Decimal) -> None:
    invoice = await events.until(order_id, "invoiced", WAIT)
    assert invoice["kind"] == "invoice" and Decimal(invoice["price"]) == price
    reference = transfer_reference(order_id)
    await act(story, story.customer, order_id, "payment", method="bank-transfer", reference=reference)
    await events.until(order_id, "paid", WAIT)
    order = (await story.http.get(f"/orders/{order_id}", headers=story.customer)).json()
    assert order["status"] == "paid"
    assert (
        len(order["contract_ids"]) == 1
    )  # its order agreement; the supply agreements are the manufacturer's
    assert order["quotation"] is not None and Decimal(str(order["quotation"]["total_price"])) == price
    assert order["supply_network"] is not None
    statuses = events.statuses(order_id)
    history = [
        change["to_status"] for change in order["history"] if change["from_status"] != change["to_status"]
    ]
    assert [s for s in statuses if s != "received"] == history
    assert len(events.ids) == len(set(events.ids))


async def test_an_order_is_quoted_confirmed_contracted_produced_invoiced_and_paid(story: Story) -> None:
    async with (
        sse_listener(story.http, "/notifications/stream", story.customer) as customer_events,
        sse_listener(story.http, "/notifications/stream", story.manufacturer) as manufacturer_events,
    ):
        order_id = await place_order(story)
        price = await check_quotation(customer_events, order_id)
        await act(story, story.customer, order_id, "confirm")
        await customer_events.until(order_id, "contracted", WAIT)
        order = (await story.http.get(f"/orders/{order_id}", headers=story.customer)).json()
        assert order["contract_ids"], order
        await customer_events.until(order_id, "produced", WAIT)
        await check_paid_order(story, customer_events, order_id, price)
        await manufacturer_events.until(order_id, "paid", 10)
        assert manufacturer_events.statuses(order_id) == customer_events.statuses(order_id)
    async with sse_listener(story.http, f"/orders/{order_id}/events", story.customer) as replayed:
        await replayed.until(order_id, "paid", 10)


async def test_a_manufacturer_accepts_produces_and_invoices_by_hand(story: Story) -> None:
    policy = (await story.http.get("/manufacturer/policy", headers=story.manufacturer)).json()
    manual = {**policy["policy"], "auto_accept": False, "auto_produce": False, "auto_invoice": False}
    updated = await story.http.put("/manufacturer/policy", headers=story.manufacturer, json=manual)
    assert updated.status_code == 200, updated.text
    try:
        await _order_by_hand(story)
    finally:  # the module's other tests expect the automatic policy
        restored = await story.http.put(
            "/manufacturer/policy", headers=story.manufacturer, json=policy["policy"]
        )
        assert restored.status_code == 200, restored.text


async def _order_by_hand(story: Story) -> None:
    async with sse_listener(story.http, "/notifications/stream", story.customer) as events:
        order_id = await place_order(story)
        # the manufacturer hears of the order on its own stream and accepts it
        async with sse_listener(story.http, f"/orders/{order_id}/events", story.manufacturer) as console:
            await console.until(order_id, "received", WAIT)
            too_early = await story.http.post(
                f"/orders/{order_id}/production", headers=story.manufacturer, json={"percent": 100}
            )
            assert too_early.status_code == 409, too_early.text
            await act(story, story.manufacturer, order_id, "accept")
            price = await check_quotation(events, order_id)
            await act(story, story.customer, order_id, "confirm")
            await console.until(order_id, "in_production", WAIT)
            await act(story, story.manufacturer, order_id, "production", percent=40, note="frame welded")
            await act(story, story.manufacturer, order_id, "production", percent=100)
            await console.until(order_id, "produced", WAIT)
            await act(story, story.manufacturer, order_id, "invoice")
            await check_paid_order(story, events, order_id, price)
            progress = [
                e.get("progress") for e in console.by_order[order_id] if e.get("progress") is not None
            ]
            assert 40 in progress, console.by_order[order_id]
    # a customer may not drive the manufacturer's steps
    refused = await story.http.post(f"/orders/{order_id}/invoice", headers=story.customer)
    assert refused.status_code == 403


async def test_a_countered_order_is_requoted_and_billed_at_the_agreed_price(story: Story) -> None:
    async with sse_listener(story.http, "/notifications/stream", story.customer) as events:
        order_id = await place_order(story)
        first = await check_quotation(events, order_id)
        offer = (first * Decimal("0.9")).quantize(CENT)
        await act(story, story.customer, order_id, "counter", price=str(offer))
        await events.until(order_id, "countered", WAIT)
        price = await check_quotation(events, order_id, nth=2)  # the revised quotation: a second event
        assert price <= first
        await act(story, story.customer, order_id, "confirm")
        await check_paid_order(story, events, order_id, price)
