"""What a manufacturer's console (the gateway's bridge) asks of its manufacturer agent, and the
status notices agents send about an order.

Each request below travels as the content of a FIPA ``request`` (protocol ``fipa-request``) from
the console's JID to the manufacturer agent, which answers ``agree``/``refuse`` and then
``inform`` :class:`~ontology.common.Done` or ``failure`` :class:`~ontology.common.Reason`.
:class:`OrderStatusNotice` travels as a plain ``inform`` (no protocol) to every party that
follows the order (its customer's agent, the console).
"""

from __future__ import annotations

from uuid import UUID

from pydantic import Field

from ontology.codec import Content, register
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
class OrderStatusNotice(Content):
    """An order moved to ``status``; with the price when it was quoted or invoiced."""

    order_id: UUID
    status: OrderStatus
    note: str = Field(default="", max_length=2000)
    at: UtcDateTime = Field(default_factory=utc_now)
    price: Money | None = None
    currency: str | None = None
    progress: int | None = Field(default=None, ge=0, le=100)
