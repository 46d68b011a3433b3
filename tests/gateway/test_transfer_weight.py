"""Transfer weight: gzip-compressed responses (never the SSE stream), negotiation messages as push events
(each message once, a customer only its own conversation), and the ``after`` cursor of the transcript."""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
import websockets

from gateway.app import create_app
from gateway.bridge.history_tail import AclTail
from gateway.bridge.hub import EventHub
from gateway.bridge.settings import BridgeSettings
from gateway.server import serving
from gateway.webapp import CONTENT_SECURITY_POLICY
from ontology.codec import encode
from ontology.common import Reason
from ontology.order import Order, OrderStatus
from store.database import Database
from store.enums import Direction
from store.migrate import upgrade
from store.records import NewAclMessage
from tests.gateway.conftest import register_and_login
from tests.gateway.test_push import (
    HEARTBEAT,
    Gateway,
    PublishingBridge,
    SseReader,
    event,
    stored_order,
    user_id,
)

CUSTOMER_AGENT = "customers@localhost"
MAKER_AGENT = "manufacturer@localhost"
SUPPLIER = "suppliers@localhost/SUP-0001"
GZIP = {"Accept-Encoding": "gzip"}


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await upgrade(url)
    bridge = PublishingBridge()
    app = create_app(url, data_dir=tmp_path, bridge=bridge)
    app.state.bridge_settings = BridgeSettings(heartbeat_seconds=HEARTBEAT)
    async with serving(app) as base, httpx.AsyncClient(base_url=base, timeout=10) as http:
        yield Gateway(base, http, bridge, app.state.db)


def acl(performative: str, sender: str, receiver: str, conversation: str, content: str) -> dict[str, Any]:
    return {
        "performative": performative,
        "sender": sender,
        "receiver": [receiver],
        "conversation-id": conversation,
        "protocol": "lso-order" if conversation.startswith("order-") else "fipa-iterated-contract-net",
        "ontology": "lot-size-one",
        "language": "application/json",
        "content": content,
    }


async def log(db: Database, order_id: UUID, raw: dict[str, Any], *agents: tuple[str, Direction]) -> None:
    """Log ``raw`` as each of ``agents`` did (the sender's out copy, the receivers' in copies)."""
    async with db.transaction() as repos:
        for agent, direction in agents:
            await repos.acl.log(
                NewAclMessage.from_message(raw, agent_jid=agent, direction=direction, order_id=str(order_id))
            )


def order_message(order: UUID) -> dict[str, Any]:
    """The customer agent's call carrying the order: it names the two agents of the customer's side."""
    content = Order(
        id=order,
        customer_id="alice",
        manufacturer_id="maker",
        product_id="push-test-product",
        delivery_date=date.today() + timedelta(days=30),
    )
    return acl("cfp", CUSTOMER_AGENT, MAKER_AGENT, f"order-{order}", encode(content))


async def parties(gateway: Gateway) -> tuple[dict[str, str], dict[str, str], UUID]:
    """A customer's and a manufacturer's headers, and an order of theirs."""
    http = gateway.http
    customer = await register_and_login(http, "alice@example.org")
    maker = await register_and_login(http, "maker@example.org", role="manufacturer")
    order = await stored_order(gateway.db, await user_id(http, customer), await user_id(http, maker))
    return customer, maker, order


async def test_large_json_is_gzipped_with_vary_and_decodes(gateway: Gateway) -> None:
    _, maker, order = await parties(gateway)
    for n in range(40):
        text = encode(Reason(reason="no capacity", detail=f"round {n}: " + "the machines are booked " * 4))
        refusal = acl("refuse", MAKER_AGENT, CUSTOMER_AGENT, f"order-{order}", text)
        await log(gateway.db, order, refusal, (MAKER_AGENT, Direction.OUT))
    path = f"/orders/{order}/negotiation"
    async with gateway.http.stream("GET", path, headers={**maker, **GZIP}) as response:
        raw = b"".join([chunk async for chunk in response.aiter_raw()])
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert "accept-encoding" in response.headers["vary"].lower()
    body = json.loads(gzip.decompress(raw))
    assert len(body["conversations"][0]["messages"]) == 40
    assert len(raw) * 5 < len(gzip.decompress(raw))  # a transcript compresses well

    plain = await gateway.http.get(path, headers={**maker, "Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.json() == body
    small = await gateway.http.get("/health/live", headers=GZIP)
    assert "content-encoding" not in small.headers  # below the minimum size


async def test_app_files_are_gzipped_and_keep_their_security_headers(gateway: Gateway) -> None:
    response = await gateway.http.get("/app/js/components/transcript.js", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "export function mergeTranscript" in response.text


async def test_the_body_size_limit_still_answers_413(gateway: Gateway) -> None:
    too_big = "x" * (2 * 1024 * 1024)
    response = await gateway.http.post("/auth/register", content=too_big, headers=GZIP)
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("application/problem+json")


async def test_sse_is_not_compressed_and_streams_each_event_at_once(gateway: Gateway) -> None:
    customer, _, order = await parties(gateway)
    async with gateway.http.stream(
        "GET", f"/orders/{order}/events", headers={**customer, **GZIP}
    ) as response:
        assert response.status_code == 200
        assert "content-encoding" not in response.headers
        reader = SseReader(response)
        assert (await reader.block())["retry"] == "3000"
        await log(gateway.db, order, order_message(order), (CUSTOMER_AGENT, Direction.OUT))
        tail = AclTail(gateway.db, gateway.bridge.hub.publish)
        await tail.start()
        assert await tail.poll() == 1
        assert (await reader.event(wait=HEARTBEAT * 2))["data"]["message"]["performative"] == "cfp"
        for n in range(2):  # each event arrives by itself, not when a compressor's buffer fills
            text = encode(Reason(reason=f"reason {n}"))
            inform = acl("inform", MAKER_AGENT, CUSTOMER_AGENT, f"order-{order}", text)
            await log(gateway.db, order, inform, (MAKER_AGENT, Direction.OUT))
            assert await tail.poll() == 1
            arrived = await reader.event(wait=HEARTBEAT * 2)
            assert arrived["event"] == "negotiation-message"
            assert arrived["data"]["message"]["decoded"]["data"]["reason"] == f"reason {n}"


async def test_negotiation_messages_reach_the_manufacturer_on_sse_and_websocket_and_the_customer_its_own(
    gateway: Gateway,
) -> None:
    customer, maker, order = await parties(gateway)
    await log(gateway.db, order, order_message(order), (CUSTOMER_AGENT, Direction.OUT))
    tail = AclTail(gateway.db, gateway.bridge.hub.publish)
    await tail.start()
    assert await tail.poll() == 1  # the last rows before the start are read again (late commits)
    token = maker["Authorization"].removeprefix("Bearer ")
    url = gateway.url.replace("http://", "ws://") + "/ws"
    async with (
        gateway.http.stream("GET", "/notifications/stream", headers=maker) as maker_stream,
        gateway.http.stream("GET", "/notifications/stream", headers=customer) as customer_stream,
        websockets.connect(url, subprotocols=["lso.bearer", token]) as socket,  # type: ignore[list-item]
    ):
        assert json.loads(await asyncio.wait_for(socket.recv(), 5))["type"] == "hello"
        maker_sse, customer_sse = SseReader(maker_stream), SseReader(customer_stream)
        for reader in (maker_sse, customer_sse):
            await reader.block()  # retry
        bid = acl("propose", SUPPLIER, MAKER_AGENT, f"sourcing-{order}", '{"price": "41.17"}')
        target = acl("cfp", MAKER_AGENT, SUPPLIER, f"sourcing-{order}", '{"target_price": "38.00"}')
        refusal = acl("refuse", MAKER_AGENT, CUSTOMER_AGENT, f"order-{order}", encode(Reason(reason="busy")))
        await log(gateway.db, order, target, (MAKER_AGENT, Direction.OUT))
        await log(gateway.db, order, bid, (SUPPLIER, Direction.OUT), (MAKER_AGENT, Direction.IN))
        await log(gateway.db, order, refusal, (MAKER_AGENT, Direction.OUT), (CUSTOMER_AGENT, Direction.IN))
        assert await tail.poll() == 3  # each message once, although logged by both its ends

        heard = [(await maker_sse.event())["data"] for _ in range(3)]
        assert [e["message"]["performative"] for e in heard] == ["cfp", "propose", "refuse"]
        assert all(e["kind"] == "negotiation-message" and e["order_id"] == str(order) for e in heard)
        assert "manufacturer_only" not in heard[0]
        socket_heard = [json.loads(await asyncio.wait_for(socket.recv(), 5)) for _ in range(3)]
        assert [m["event"] for m in socket_heard] == heard

        only = await customer_sse.event()
        assert only["event"] == "negotiation-message"
        assert only["data"]["message"]["decoded"]["data"]["reason"] == "busy"
        # nothing else: the next block is a heartbeat, and no supplier's price or target ever came
        assert (await customer_sse.block(wait=HEARTBEAT * 10))["comments"] == ["heartbeat"]
        assert "41.17" not in json.dumps(only) and "38.00" not in json.dumps(only)

        transcript = await gateway.http.get(f"/orders/{order}/negotiation", headers=maker)
        shown = [m for c in transcript.json()["conversations"] for m in c["messages"]]
        assert sorted(shown, key=lambda m: m["position"])[1:] == [e["message"] for e in heard]


async def test_after_gives_only_the_messages_logged_since(gateway: Gateway) -> None:
    customer, maker, order = await parties(gateway)
    conversation = f"order-{order}"
    first = acl("cfp", CUSTOMER_AGENT, MAKER_AGENT, conversation, '{"n": 1}')
    await log(gateway.db, order, first, (CUSTOMER_AGENT, Direction.OUT))
    path = f"/orders/{order}/negotiation"
    whole = (await gateway.http.get(path, headers=maker)).json()
    [held] = whole["conversations"][0]["messages"]
    # the receiver's copy of the held message comes later: it is not new
    await log(gateway.db, order, first, (MAKER_AGENT, Direction.IN))
    second = acl("propose", MAKER_AGENT, CUSTOMER_AGENT, conversation, '{"n": 2}')
    await log(gateway.db, order, second, (MAKER_AGENT, Direction.OUT))
    await log(
        gateway.db,
        order,
        acl("cfp", MAKER_AGENT, SUPPLIER, f"sourcing-{order}", "{}"),
        (MAKER_AGENT, Direction.OUT),
    )

    newer = (await gateway.http.get(path, params={"after": held["position"]}, headers=maker)).json()
    assert [c["conversation_id"] for c in newer["conversations"]] == [conversation, f"sourcing-{order}"]
    [reply] = newer["conversations"][0]["messages"]
    assert reply["performative"] == "propose" and reply["position"] > held["position"]
    assert newer["conversations"][0]["participants"] == [CUSTOMER_AGENT, MAKER_AGENT]
    newest = max(m["position"] for c in newer["conversations"] for m in c["messages"])
    assert (await gateway.http.get(path, params={"after": newest}, headers=maker)).json()[
        "conversations"
    ] == []
    assert (await gateway.http.get(path, params={"after": -1}, headers=customer)).status_code == 422


async def test_a_subscriber_queues_only_the_events_it_hears() -> None:
    hub = EventHub(capacity=2)
    subscription = hub.subscribe()
    mine, others = uuid4(), uuid4()
    subscription.only(lambda heard: heard.order_id == mine)
    for _ in range(5):  # another order's burst of messages would have overflowed the queue of 2
        hub.publish(event(others, "bob", "maker", OrderStatus.NEGOTIATING))
    published = hub.publish(event(mine, "alice", "maker", OrderStatus.QUOTED, "12.00"))
    assert not subscription.overflowed
    assert await subscription.get(1) == published
