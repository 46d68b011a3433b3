"""The app's users as the customer agent's decision source: a shipped order's delivery waits for the
customer's word in the app (no network)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest

from gateway.bridge.decisions import AppDecisions, NothingOpen, Shipped
from ontology.lifecycle import ShipmentInfo

#: Seconds a step may take: the session's event loop is shared with other modules' servers on a pytest-xdist
#: worker, which stalled it for over a second in a CI run.
PATIENT = 10.0


async def test_a_delivery_waits_for_the_customer_and_is_answered_once() -> None:
    decisions = AppDecisions()
    order_id = uuid.uuid4()
    shipment = ShipmentInfo(carrier="DHL", reference="1Z9", shipped_at=datetime.now(UTC))
    asked = asyncio.create_task(decisions.confirm_delivery(order_id, shipment))
    await asyncio.sleep(0.05)
    assert not asked.done(), "the agent waits for the customer"
    assert decisions.waits_for_delivery(order_id)
    assert await decisions.delivered(order_id) == Shipped(shipment)
    async with asyncio.timeout(PATIENT):
        await asked
    assert not decisions.waits_for_delivery(order_id)
    with pytest.raises(NothingOpen, match="no delivery of order"):
        await decisions.delivered(order_id)


async def test_an_answer_that_comes_first_waits_a_little_for_the_question() -> None:
    decisions = AppDecisions()
    order_id = uuid.uuid4()
    answer = asyncio.create_task(decisions.delivered(order_id, patience=PATIENT))
    await asyncio.sleep(0.05)
    async with asyncio.timeout(PATIENT):
        await decisions.confirm_delivery(order_id, None)
    assert await answer == Shipped(None)


async def test_nobody_waiting_is_nothing_open() -> None:
    with pytest.raises(NothingOpen):
        await AppDecisions().delivered(uuid.uuid4(), patience=0.05)
