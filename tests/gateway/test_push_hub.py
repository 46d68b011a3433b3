"""The event hub (numbering, replay, bounded subscribers) and the deduplication of reports."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID, uuid4

import pytest

from gateway.bridge.base import AgentBridge, EventKind, OrderEvent
from gateway.bridge.dedupe import Deduplicator, Source
from gateway.bridge.hub import REPLAY_ALL, EventHub, SubscriptionClosed
from ontology.order import OrderStatus


def event(order_id: UUID, status: OrderStatus, price: str | None = None) -> OrderEvent:
    kind = EventKind.QUOTATION if status is OrderStatus.QUOTED else EventKind.STATUS
    return OrderEvent(
        order_id=order_id,
        customer_id="c",
        manufacturer_id="m",
        kind=kind,
        status=status,
        at=datetime.now(UTC),
        price=Decimal(price) if price else None,
        currency="EUR" if price else None,
    )


async def test_events_are_numbered_fanned_out_and_replayed_after_an_id() -> None:
    hub = EventHub(capacity=10, replay=3)
    order = uuid4()
    first, second = hub.subscribe(), hub.subscribe()
    published = [hub.publish(event(order, status)) for status in (OrderStatus.ACCEPTED, OrderStatus.SOURCING)]
    for subscription in (first, second):
        got = [await subscription.get(1), await subscription.get(1)]
        assert [item.id for item in got if item] == [item.id for item in published]
    assert await first.get(0.01) is None  # nothing more: a heartbeat is due
    later = [hub.publish(event(order, s)) for s in (OrderStatus.NEGOTIATING, OrderStatus.QUOTED)]
    resumed = hub.subscribe(published[0].id)
    assert [(await resumed.get(1)) for _ in range(3)] == [published[1], *later]
    assert hub.after("another-run-7") == []
    assert len(hub.after(REPLAY_ALL)) == 3  # the ring keeps the newest three
    hub.close()
    with pytest.raises(SubscriptionClosed):
        while True:
            await first.get(1)


async def test_a_slow_subscriber_is_dropped_and_the_others_go_on() -> None:
    hub = EventHub(capacity=2)
    slow, fast = hub.subscribe(), hub.subscribe()
    order = uuid4()
    received = []
    for status in (OrderStatus.ACCEPTED, OrderStatus.SOURCING, OrderStatus.NEGOTIATING):
        hub.publish(event(order, status))
        received.append(await fast.get(1))
    assert slow.overflowed and slow.closed and hub.dropped == 1
    with pytest.raises(SubscriptionClosed):
        await slow.get(1)
    assert all(item is not None for item in received)
    assert hub.subscribers == 1


async def test_the_same_change_reported_by_several_sources_is_published_once() -> None:
    dedupe = Deduplicator()
    order = uuid4()
    quoted = event(order, OrderStatus.QUOTED, "100.00")
    countered = event(order, OrderStatus.COUNTERED)
    requoted = event(order, OrderStatus.QUOTED, "90.00")
    published = []
    for source, reported in [
        (Source.CONSOLE_NOTICE, quoted),
        (Source.CUSTOMER, quoted),
        (Source.HISTORY, quoted),
        (Source.CONSOLE_NOTICE, countered),
        (Source.CONSOLE_NOTICE, requoted),
        (Source.HISTORY, countered),
        (Source.CUSTOMER, requoted),  # its second quotation: the re-quote, seen already
        (Source.HISTORY, requoted),
        (Source.CUSTOMER_NOTICE, quoted),
        (Source.CUSTOMER_NOTICE, countered),
        (Source.CUSTOMER_NOTICE, requoted),
    ]:
        if dedupe.first(source, reported):
            published.append(reported)
    assert published == [quoted, countered, requoted]
    produced = event(order, OrderStatus.PRODUCED).model_copy(update={"progress": 100})
    halfway = event(order, OrderStatus.IN_PRODUCTION).model_copy(update={"progress": 50})
    assert dedupe.first(Source.CONSOLE_NOTICE, halfway)
    assert dedupe.first(Source.CONSOLE_NOTICE, produced)
    assert not dedupe.first(Source.HISTORY, produced.model_copy(update={"progress": None}))


async def test_a_subscription_does_not_block_the_event_loop_while_waiting() -> None:
    hub = EventHub()
    subscription = hub.subscribe()
    waiting = asyncio.create_task(subscription.get(5))
    await asyncio.sleep(0)
    hub.publish(event(uuid4(), OrderStatus.ACCEPTED))
    assert (await waiting) is not None


async def test_a_bridge_without_a_hub_feeds_subscribers_from_its_event_iterator() -> None:
    from tests.gateway.test_push import PublishingBridge

    class IteratorOnly(PublishingBridge):
        """Only ``events()``: the base class numbers them per subscriber."""

        subscribe = AgentBridge.subscribe

    bridge = IteratorOnly()
    subscription = bridge.subscribe()
    await asyncio.sleep(0.05)  # the pump subscribes
    order = uuid4()
    bridge.publish(event(order, OrderStatus.ACCEPTED))
    first = await subscription.get(2)
    assert first is not None and first.id == "local-1" and first.event.order_id == order
    subscription.close()
