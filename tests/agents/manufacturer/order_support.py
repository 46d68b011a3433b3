"""Orders of the flow, console and recovery tests: the customer, the bike it orders, the request opening the
order conversation, an order stored at a status."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ontology.codec import Content
from ontology.order import ORDER_TRANSITIONS, Order, OrderStatus
from ontology.policy import ManufacturerPolicy
from ontology.product import Product
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from tests.agents.manufacturer.fake_host import MAKER, MANUFACTURER, FakeHost

CUSTOMER = "c1"
CUSTOMER_AGENT = "c1-agent@test"
BIKE = Product(id="bike", manufacturer_id=MANUFACTURER, name="Bike", base_cost=Decimal(100))
POLICY = ManufacturerPolicy(capacity_hours_per_week=40, margin=Decimal("0.2"))


def an_order(**changes: object) -> Order:
    order = Order(
        customer_id=CUSTOMER,
        manufacturer_id=MANUFACTURER,
        product_id=BIKE.id,
        delivery_date=date.today() + timedelta(days=30),
    )
    return order.model_copy(update=changes)


def opening(sender: str, content: Content, protocol: ProtocolName, **params: object) -> AclMessage:
    """A request to the manufacturer opening a new conversation of ``protocol``."""
    cid = str(uuid.uuid4())
    return AclMessage.build(
        Performative.REQUEST, sender, MAKER, content, protocol=protocol, conversation_id=cid, **params
    )


def request_of(order: Order) -> AclMessage:
    """The customer's agent's request opening the order conversation."""
    return opening(
        CUSTOMER_AGENT, order, ProtocolName.ORDER, reply_by=datetime.now(UTC) + timedelta(seconds=60)
    )


async def stored_at(host: FakeHost, status: OrderStatus) -> Order:
    """A new order of the bike, stored and moved to ``status`` the way orders go."""
    order = an_order()
    await host.journal.add_order(order)
    path = ORDER_TRANSITIONS.path(OrderStatus.RECEIVED, status)
    assert path is not None
    for step in path[1:]:
        await host.journal.status(str(order.id), step)
    return order
