"""Customer orders, their status machine and status history."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Self
from uuid import UUID, uuid4

from pydantic import ConfigDict, Field, model_validator

from ontology.codec import Content, register
from ontology.customisation import Customisation, required_parts
from ontology.product import Product, RequiredPart
from ontology.status import StatusChange, TransitionTable
from ontology.values import Identifier, UtcDateTime, require_utc, utc_now


class OrderStatus(StrEnum):
    RECEIVED = "received"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    SOURCING = "sourcing"
    NEGOTIATING = "negotiating"
    QUOTED = "quoted"
    COUNTERED = "countered"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CONTRACTING = "contracting"
    CONTRACTED = "contracted"
    IN_PRODUCTION = "in_production"
    PRODUCED = "produced"
    INVOICED = "invoiced"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    FAILED = "failed"


_S = OrderStatus

ORDER_TRANSITIONS: TransitionTable[OrderStatus] = TransitionTable(
    "order",
    _S.RECEIVED,
    {
        _S.RECEIVED: (_S.ACCEPTED, _S.REJECTED, _S.CANCELLED, _S.FAILED),
        _S.ACCEPTED: (_S.SOURCING, _S.CANCELLED, _S.FAILED),
        _S.SOURCING: (_S.NEGOTIATING, _S.CANCELLED, _S.FAILED),
        _S.NEGOTIATING: (_S.QUOTED, _S.CANCELLED, _S.FAILED),
        _S.QUOTED: (_S.CONFIRMED, _S.DECLINED, _S.COUNTERED, _S.CANCELLED, _S.FAILED),
        _S.COUNTERED: (_S.NEGOTIATING, _S.QUOTED, _S.DECLINED, _S.CANCELLED, _S.FAILED),
        _S.CONFIRMED: (_S.CONTRACTING, _S.CANCELLED, _S.FAILED),
        _S.CONTRACTING: (_S.CONTRACTED, _S.FAILED),
        _S.CONTRACTED: (_S.IN_PRODUCTION, _S.FAILED),
        _S.IN_PRODUCTION: (_S.PRODUCED, _S.FAILED),
        _S.PRODUCED: (_S.INVOICED,),
        _S.INVOICED: (_S.PAID,),
        _S.PAID: (_S.SHIPPED,),
        _S.SHIPPED: (_S.DELIVERED,),
        _S.DELIVERED: (_S.COMPLETED,),
        _S.COMPLETED: (),
        _S.REJECTED: (),
        _S.DECLINED: (),
        _S.CANCELLED: (),
        _S.FAILED: (),
    },
)


def allowed_transitions(status: OrderStatus) -> tuple[OrderStatus, ...]:
    return ORDER_TRANSITIONS.allowed(status)


def is_terminal(status: OrderStatus) -> bool:
    return ORDER_TRANSITIONS.is_terminal(status)


class OrderStatusChange(StatusChange[OrderStatus]):
    """One step of an order's status history."""


def check_delivery_date(delivery_date: date, created_at: datetime) -> None:
    """Raise ``ValueError`` if ``delivery_date`` lies before the (UTC) day the order was created."""
    ordered_on = require_utc(created_at).date()
    if delivery_date < ordered_on:
        raise ValueError(
            f"requested delivery date {delivery_date.isoformat()} is in the past: "
            f"the order was created on {ordered_on.isoformat()} (UTC)"
        )


@register
class Order(Content):
    """A customer's order of one customised product; immutable, changed by :meth:`transition`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: UUID = Field(default_factory=uuid4)
    customer_id: Identifier
    manufacturer_id: Identifier
    product_id: Identifier
    customisation: Customisation = Field(default_factory=Customisation)
    quantity: int = Field(default=1, ge=1, le=10_000)
    delivery_date: date
    created_at: UtcDateTime = Field(default_factory=utc_now)
    status: OrderStatus = OrderStatus.RECEIVED
    history: tuple[OrderStatusChange, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        check_delivery_date(self.delivery_date, self.created_at)
        ORDER_TRANSITIONS.check_history(self.status, self.history)
        return self

    @property
    def is_terminal(self) -> bool:
        return is_terminal(self.status)

    def allowed_transitions(self) -> tuple[OrderStatus, ...]:
        return allowed_transitions(self.status)

    def transition(self, to: OrderStatus, actor: str, note: str = "", at: datetime | None = None) -> Order:
        """A copy of this order in status ``to``, the change appended to its history.

        Raises :class:`~ontology.status.InvalidTransition` if the table does not allow the step.
        """
        ORDER_TRANSITIONS.check(self.status, to)
        change = OrderStatusChange(
            from_status=self.status, to_status=to, at=utc_now() if at is None else at, actor=actor, note=note
        )
        return self.model_copy(update={"status": to, "history": (*self.history, change)})

    def check_against(self, product: Product) -> None:
        """Raise ``ValueError`` unless the order is for ``product`` and its customisation fits it."""
        if product.id != self.product_id:
            raise ValueError(f"order {self.id} is for product {self.product_id!r}, not {product.id!r}")
        if product.manufacturer_id != self.manufacturer_id:
            raise ValueError(
                f"order {self.id} is addressed to manufacturer {self.manufacturer_id!r}, "
                f"but product {product.id!r} is made by {product.manufacturer_id!r}"
            )
        self.customisation.check_against(product)

    def required_parts(self, product: Product) -> tuple[RequiredPart, ...]:
        """The parts/operations this order needs (quantities multiplied by the order quantity)."""
        self.check_against(product)
        return required_parts(product, self.customisation, self.quantity)


@register
class OrderStatusChanged(Content):
    """Notice that an order moved on (FIPA ``inform`` to everyone who follows the order)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    order_id: UUID
    change: OrderStatusChange
