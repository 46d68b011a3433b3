"""What the agents and the store report, as the gateway's :class:`~gateway.bridge.base.OrderEvent`.

A change to ``quoted`` is a quotation event, a change to ``invoiced`` an invoice event (both with the
price and currency when known); every other change is a status event.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from agents.customer.agent import OrderEvent as CustomerEvent
from gateway.bridge.base import EventKind, OrderEvent
from gateway.bridge.directory import Parties
from ontology.billing import Invoice
from ontology.console import OrderStatusNotice
from ontology.events import EventCode, HistoryEvent
from ontology.order import OrderStatus
from ontology.quotation import Quotation


def kind_of(status: OrderStatus) -> EventKind:
    if status is OrderStatus.QUOTED:
        return EventKind.QUOTATION
    if status is OrderStatus.INVOICED:
        return EventKind.INVOICE
    return EventKind.STATUS


def from_notice(notice: OrderStatusNotice, parties: Parties) -> OrderEvent:
    return OrderEvent(
        order_id=notice.order_id,
        customer_id=parties.customer_id,
        manufacturer_id=parties.manufacturer_id,
        kind=kind_of(notice.status),
        status=notice.status,
        at=notice.at,
        note=notice.note,
        event=None if notice.event is None else str(notice.event.event),
        params=None if notice.event is None else dict(notice.event.params),
        price=notice.price,
        currency=notice.currency,
        progress=notice.progress,
        carrier=notice.shipment.carrier if notice.shipment else None,
        reference=notice.shipment.reference if notice.shipment else None,
        delivery_date=notice.delivery_date,
    )


#: The customer agent's events that follow a status the manufacturer has stored already (it stores the
#: status, then sends the quotation, the contract confirmation, the invoice). Its ``declined`` and
#: ``paid`` come before the manufacturer stores them, and its ``refused`` and ``failed`` do not say
#: which status follows (rejected? failed? none?): the notice or the history reports those.
_CUSTOMER_STATUS = {
    "quotation": OrderStatus.QUOTED,
    "contracted": OrderStatus.CONTRACTED,
    "invoice": OrderStatus.INVOICED,
}


def from_customer_agent(event: CustomerEvent, parties: Parties) -> OrderEvent | None:
    status = _CUSTOMER_STATUS.get(event.kind)
    if status is None:
        return None
    price: Decimal | None = None
    currency: str | None = None
    content = event.content
    told = HistoryEvent.of(EventCode.CONTRACTS_COMMITTED)
    if isinstance(content, Quotation):
        price, currency = content.total_price, content.currency
        code = EventCode.QUOTATION_SENT if content.round <= 1 else EventCode.QUOTATION_REVISED
        told = HistoryEvent.of(code, total=price, currency=currency, delivery_date=content.delivery_date)
    elif isinstance(content, Invoice):
        price, currency = content.total, content.currency
        told = HistoryEvent.of(
            EventCode.INVOICE_RAISED, total=price, currency=currency, due_date=content.due_date
        )
    return OrderEvent(
        order_id=event.order_id,
        customer_id=parties.customer_id,
        manufacturer_id=parties.manufacturer_id,
        kind=kind_of(status),
        status=status,
        at=datetime.now(UTC),
        note=told.sentence(),
        event=str(told.event),
        params=dict(told.params),
        price=price,
        currency=currency,
    )
