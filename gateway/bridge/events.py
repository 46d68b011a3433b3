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
from ontology.billing import Invoice, Payment
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted
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
    note = event.detail
    content = event.content
    if isinstance(content, Quotation):
        price, currency = content.total_price, content.currency
        note = note or f"round {content.round}, delivery {content.delivery_date.isoformat()}"
    elif isinstance(content, Invoice):
        price, currency = content.total, content.currency
        note = note or f"invoice {content.id}, due {content.due_date.isoformat()}"
    elif isinstance(content, Payment):
        note = note or f"payment {content.id}"
    elif isinstance(content, ContractCommitted):
        note = note or f"order contract {content.order_contract_id}"
    return OrderEvent(
        order_id=event.order_id,
        customer_id=parties.customer_id,
        manufacturer_id=parties.manufacturer_id,
        kind=kind_of(status),
        status=status,
        at=datetime.now(UTC),
        note=note[:2000],
        price=price,
        currency=currency,
    )
