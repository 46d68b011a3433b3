"""What a manufacturer's console (the gateway's bridge) asks of its manufacturer agent, and the
status notices agents send about an order.

Each request below travels as the content of a FIPA ``request`` (protocol ``fipa-request``) from
the console's JID to the manufacturer agent, which answers ``agree``/``refuse`` and then
``inform`` :class:`~ontology.common.Done` or ``failure`` :class:`~ontology.common.Reason`.
:class:`OrderStatusNotice` travels as a plain ``inform`` (no protocol) to every party that
follows the order (its customer's agent, the console).
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from pydantic import Field

from ontology.codec import Content, register
from ontology.events import HistoryEvent
from ontology.lifecycle import ShipmentInfo
from ontology.order import OrderStatus
from ontology.values import Money, UtcDateTime, utc_now


@register
class OrderDecision(Content):
    """Manual acceptance: the manufacturer takes (``accept``) or rejects the order."""

    order_id: UUID
    accept: bool
    reason: str = Field(default="", max_length=2000)


@register
class StartSourcing(Content):
    """Start the supplier search and negotiation of an accepted order (manual sourcing)."""

    order_id: UUID


@register
class ProductionProgress(Content):
    """Production progress of a contracted order; 100 means produced."""

    order_id: UUID
    percent: int = Field(ge=0, le=100)
    note: str = Field(default="", max_length=2000)


@register
class RaiseInvoice(Content):
    """Invoice a produced order now (manual invoicing)."""

    order_id: UUID


@register
class ConfirmParts(Content):
    """The parts of a contracted order's shipped supply agreements arrived (policy ``auto_receive_parts``
    off): the manufacturer confirms their receipt on the ledger."""

    order_id: UUID


@register
class StartProduction(Content):
    """Start producing a contracted order before every part is received (an override: its reason is kept in
    the order's history)."""

    order_id: UUID
    reason: str = Field(min_length=1, max_length=2000)


@register
class ShipOrder(Content):
    """Ship a paid order with this carrier and the carrier's reference (instead of the policy's carrier)."""

    order_id: UUID
    carrier: str = Field(min_length=1, max_length=200)
    reference: str = Field(min_length=1, max_length=200)


@register
class PaymentReceived(Content):
    """The customer's announced payment (a bank transfer naming the order's reference) is on the
    manufacturer's account (policy ``payment.confirm_by_hand``): the manufacturer confirms it (on the
    ledger, when there is one)."""

    order_id: UUID


@register
class OrderStatusNotice(Content):
    """An order moved to ``status``; with the price when it was quoted or invoiced."""

    order_id: UUID
    status: OrderStatus
    note: str = Field(default="", max_length=2000)
    at: UtcDateTime = Field(default_factory=utc_now)
    price: Money | None = None
    currency: str | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
    shipment: ShipmentInfo | None = None
    """When shipped: the carrier and its reference, for the receiver to follow and confirm delivery."""
    delivery_date: date | None = None
    """When the planned delivery date moved (a late part): the new date."""
    event: HistoryEvent | None = None
    """What happened, as the order's history records it (``note`` is its sentence)."""
