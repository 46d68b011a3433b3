"""Push channels over real HTTP (uvicorn): SSE for all of the caller's orders and for one order, and
the WebSocket with its subprotocol authentication; fed by a bridge that only publishes events."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from gateway.app import create_app
from gateway.bridge.base import AgentBridge, EventKind, OrderEvent, QuotationAnswer
from gateway.bridge.hub import EventHub, Subscription
from gateway.bridge.settings import BridgeSettings
from gateway.server import serving
from ontology.order import Order, OrderStatus
from store.database import Database
from store.migrate import upgrade
from store.records import NewOrder, NewProduct
from tests.gateway.conftest import register_and_login

HEARTBEAT = 0.3


class PublishingBridge(AgentBridge):
    """A bridge without agents: the test publishes the events."""

    def __init__(self) -> None:
        self.hub = EventHub(capacity=64)

    def publish(self, event: OrderEvent) -> str:
        return self.hub.publish(event).id

    async def place_order(self, order: Order) -> None:
        pass

    async def answer_quotation(
        self,
        order_id: UUID,
        answer: QuotationAnswer,
        *,
        price: Decimal | None = None,
        delivery_date: date | None = None,
        reason: str = "",
    ) -> None:
        pass

    async def decide_order(self, order_id: UUID, accept: bool, reason: str = "") -> None:
        pass

    async def start_sourcing(self, order_id: UUID) -> None:
        pass

    async def report_production(self, order_id: UUID, percent: int, note: str = "") -> None:
        pass

    async def raise_invoice(self, order_id: UUID) -> None:
        pass

    async def confirm_parts(self, order_id: UUID) -> None:
        pass

    async def start_production(self, order_id: UUID, reason: str) -> None:
        pass

    async def ship_order(self, order_id: UUID, carrier: str, reference: str) -> None:
        pass

    async def pay(self, order_id: UUID, reference: str) -> None:
        pass

    async def confirm_payment(self, order_id: UUID) -> None:
        pass

    async def confirm_delivery(self, order_id: UUID) -> None:
        pass

    async def events(self) -> AsyncIterator[OrderEvent]:
        async with self.hub.subscribe() as subscription:
            while (item := await subscription.get()) is not None:
                yield item.event

    def subscribe(self, last_event_id: str | None = None) -> Subscription:
        return self.hub.subscribe(last_event_id)


@dataclass
class Gateway:
    url: str
    http: httpx.AsyncClient
    bridge: PublishingBridge
    db: Database


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await upgrade(url)
    bridge = PublishingBridge()
    app = create_app(url, data_dir=tmp_path, bridge=bridge)
    app.state.bridge_settings = BridgeSettings(heartbeat_seconds=HEARTBEAT)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        yield Gateway(base, http, bridge, app.state.db)


async def user_id(http: httpx.AsyncClient, auth: dict[str, str]) -> str:
    me = await http.get("/me", headers=auth)
    assert me.status_code == 200, me.text
    return str(me.json()["id"])


async def stored_order(db: Database, customer_id: str, manufacturer_id: str) -> UUID:
    async with db.transaction() as repos:
        product = await repos.products.get("push-test-product")
        if product is None:
            await repos.products.add(
                NewProduct(
                    id="push-test-product", manufacturer_id=manufacturer_id, name="P", base_price=Decimal(1)
                )
            )
        order = await repos.orders.add(
            NewOrder(
                customer_id=customer_id,
                manufacturer_id=manufacturer_id,
                product_id="push-test-product",
                delivery_date=date.today() + timedelta(days=30),
            )
        )
    return UUID(order.id)


def event(
    order_id: UUID, customer: str, manufacturer: str, status: OrderStatus, price: str = ""
) -> OrderEvent:
    kind = EventKind.QUOTATION if status is OrderStatus.QUOTED else EventKind.STATUS
    return OrderEvent(
        order_id=order_id,
        customer_id=customer,
        manufacturer_id=manufacturer,
        kind=kind,
        status=status,
        at=datetime.now(UTC),
        price=Decimal(price) if price else None,
        currency="EUR" if price else None,
    )


class SseReader:
    """Reads SSE blocks from a streaming response: events and comments."""

    def __init__(self, response: httpx.Response) -> None:
        self.lines = response.aiter_lines()

    async def block(self, wait: float = 5.0) -> dict[str, Any]:
        fields: dict[str, Any] = {"comments": []}
        async with asyncio.timeout(wait):
            async for line in self.lines:
                if not line:
                    if len(fields) > 1 or fields["comments"]:
                        return fields
                    continue
                if line.startswith(":"):
                    fields["comments"].append(line[1:].strip())
                    continue
                name, _, value = line.partition(":")
                fields[name] = value.strip()
        raise AssertionError("the stream ended")

    async def event(self, wait: float = 5.0) -> dict[str, Any]:
        while True:
            block = await self.block(wait)
            if "data" in block and block.get("event") != "end":
                return {**block, "data": json.loads(block["data"])}
            if block.get("event") == "end":
                return block


async def test_health_live_answers_without_the_database(gateway: Gateway) -> None:
    response = await gateway.http.get("/health/live")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


async def test_sse_delivers_the_callers_events_with_ids_prices_and_heartbeats(gateway: Gateway) -> None:
    http = gateway.http
    alice = await register_and_login(http, "alice@example.org")
    bob = await register_and_login(http, "bob@example.org")
    maker = await register_and_login(http, "maker@example.org", role="manufacturer")
    alice_id, bob_id, maker_id = [await user_id(http, a) for a in (alice, bob, maker)]
    alice_order, bob_order = uuid4(), uuid4()
    async with (
        http.stream("GET", "/notifications/stream", headers=alice) as alice_stream,
        http.stream("GET", "/notifications/stream", headers=maker) as maker_stream,
    ):
        assert alice_stream.status_code == 200
        assert alice_stream.headers["content-type"].startswith("text/event-stream")
        alice_sse, maker_sse = SseReader(alice_stream), SseReader(maker_stream)
        assert (await alice_sse.block())["retry"] == "3000"
        await maker_sse.block()
        gateway.bridge.publish(event(bob_order, bob_id, maker_id, OrderStatus.ACCEPTED))
        quoted_id = gateway.bridge.publish(
            event(alice_order, alice_id, maker_id, OrderStatus.QUOTED, "1234.50")
        )
        got = await alice_sse.event()
        assert got["id"] == quoted_id and got["event"] == "quotation"
        data = got["data"]
        assert data["order_id"] == str(alice_order) and data["status"] == "quoted"
        assert data["price"] == "1234.50" and data["currency"] == "EUR" and data["id"] == quoted_id
        # the manufacturer hears of both orders addressed to it
        first, second = await maker_sse.event(), await maker_sse.event()
        assert [first["data"]["order_id"], second["data"]["order_id"]] == [str(bob_order), str(alice_order)]
        # nothing for alice for a while: a heartbeat comment
        heartbeat = await alice_sse.block(wait=HEARTBEAT * 10)
        assert heartbeat["comments"] == ["heartbeat"]
    # reconnecting with Last-Event-ID replays what followed it
    gateway.bridge.publish(event(alice_order, alice_id, maker_id, OrderStatus.CONFIRMED))
    async with http.stream(
        "GET", "/notifications/stream", headers={**alice, "Last-Event-ID": quoted_id}
    ) as again:
        replayed = await SseReader(again).event()
        assert replayed["data"]["status"] == "confirmed"
    # streams the clients closed are unsubscribed (at the latest at their next heartbeat)
    for _ in range(100):
        if not gateway.bridge.hub.subscribers:
            break
        await asyncio.sleep(HEARTBEAT / 10)
    assert gateway.bridge.hub.subscribers == 0


async def test_sse_of_one_order_is_404_for_another_users_order(gateway: Gateway) -> None:
    http = gateway.http
    alice = await register_and_login(http, "alice@example.org")
    mallory = await register_and_login(http, "mallory@example.org")
    maker = await register_and_login(http, "maker@example.org", role="manufacturer")
    alice_id, maker_id = await user_id(http, alice), await user_id(http, maker)
    order_id = await stored_order(gateway.db, alice_id, maker_id)
    other = await stored_order(gateway.db, alice_id, maker_id)
    gateway.bridge.publish(event(order_id, alice_id, maker_id, OrderStatus.ACCEPTED))
    gateway.bridge.publish(event(other, alice_id, maker_id, OrderStatus.ACCEPTED))
    for who in (mallory,):
        response = await http.get(f"/orders/{order_id}/events", headers=who)
        assert response.status_code == 404
    assert (await http.get(f"/orders/{uuid4()}/events", headers=alice)).status_code == 404
    assert (await http.get(f"/orders/{order_id}/events")).status_code == 401
    for who in (alice, maker):
        async with http.stream("GET", f"/orders/{order_id}/events", headers=who) as stream:
            assert stream.status_code == 200
            reader = SseReader(stream)
            kept = await reader.event()  # the order's events so far, then the new ones
            assert kept["data"]["order_id"] == str(order_id) and kept["data"]["status"] == "accepted"
            gateway.bridge.publish(event(other, alice_id, maker_id, OrderStatus.SOURCING))
            gateway.bridge.publish(event(order_id, alice_id, maker_id, OrderStatus.SOURCING))
            new = await reader.event()
            assert new["data"]["order_id"] == str(order_id) and new["data"]["status"] == "sourcing"


async def test_sse_needs_a_token_and_a_role_with_orders(gateway: Gateway) -> None:
    http = gateway.http
    assert (await http.get("/notifications/stream")).status_code == 401
    bad = {"Authorization": "Bearer not-a-token"}
    assert (await http.get("/notifications/stream", headers=bad)).status_code == 401
    researcher = await register_and_login(http, "r@example.org", role="researcher")
    assert (await http.get("/notifications/stream", headers=researcher)).status_code == 403


def ws_url(gateway: Gateway) -> str:
    return gateway.url.replace("http://", "ws://") + "/ws"


async def closed_with(gateway: Gateway, subprotocols: list[str] | None) -> tuple[int, str]:
    async with websockets.connect(ws_url(gateway), subprotocols=subprotocols) as socket:  # type: ignore[arg-type]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(socket.recv(), 5)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, closed.value.rcvd.reason


async def test_websocket_authenticates_with_its_subprotocol_and_closes_1008_otherwise(
    gateway: Gateway,
) -> None:
    http = gateway.http
    alice = await register_and_login(http, "alice@example.org")
    maker = await register_and_login(http, "maker@example.org", role="manufacturer")
    alice_id, maker_id = await user_id(http, alice), await user_id(http, maker)
    token = alice["Authorization"].removeprefix("Bearer ")

    code, reason = await closed_with(gateway, None)
    assert code == 1008 and "token" in reason
    code, _ = await closed_with(gateway, ["lso.bearer", token[:-4] + "AAAA"])
    assert code == 1008

    order = uuid4()
    async with websockets.connect(ws_url(gateway), subprotocols=["lso.bearer", token]) as socket:  # type: ignore[list-item]
        assert socket.subprotocol == "lso.bearer"
        hello = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert hello == {"type": "hello", "user_id": alice_id, "role": "customer"}
        gateway.bridge.publish(event(uuid4(), "someone-else", maker_id, OrderStatus.ACCEPTED))
        published = gateway.bridge.publish(event(order, alice_id, maker_id, OrderStatus.QUOTED, "99.90"))
        message = json.loads(await asyncio.wait_for(socket.recv(), 5))
        assert message["type"] == "event"
        assert message["event"]["id"] == published and message["event"]["order_id"] == str(order)
        assert message["event"]["price"] == "99.90" and message["event"]["kind"] == "quotation"
        heartbeat = json.loads(await asyncio.wait_for(socket.recv(), HEARTBEAT * 10))
        assert heartbeat == {"type": "heartbeat"}
        # logging out revokes the token: the socket is closed at the next heartbeat
        assert (await http.post("/auth/logout", headers=alice)).status_code == 204
        with pytest.raises(ConnectionClosed) as closed:
            while True:
                await asyncio.wait_for(socket.recv(), HEARTBEAT * 10)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    code, reason = await closed_with(gateway, ["lso.bearer", token])
    assert code == 1008 and "revoked" in reason
