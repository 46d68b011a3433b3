"""The bridge between the REST gateway and the agents: what the routes may ask, what they hear back.

The routes store what the user asked for (an order row, a policy) and hand the agent-facing part to
an :class:`AgentBridge`; they never decide anything a negotiation decides. Events come back as
:class:`OrderEvent` values, which the push channels (SSE, WebSocket) forward to the app.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, model_validator

from agents.customer.ledger_steps import DeliveryState
from gateway.privacy import public_event
from gateway.schemas.negotiation import AclMessagePublic
from ontology.order import Order, OrderStatus

if TYPE_CHECKING:
    from gateway.bridge.hub import Subscription


class EventKind(StrEnum):
    STATUS = "status"
    QUOTATION = "quotation"
    INVOICE = "invoice"
    NEGOTIATION_MESSAGE = "negotiation-message"


class OrderEvent(BaseModel):
    """Something the app must hear about at once: a status change, a quotation, an invoice, a negotiation
    message."""

    model_config = ConfigDict(frozen=True)

    order_id: UUID
    customer_id: str
    manufacturer_id: str
    kind: EventKind
    status: OrderStatus
    at: datetime
    note: str = ""
    price: Decimal | None = None
    currency: str | None = None
    progress: int | None = None
    """Production progress in percent, when the event reports it."""
    carrier: str | None = None
    """A shipped order: who carries it."""
    reference: str | None = None
    """A shipped order: the carrier's reference (to follow the parcel)."""
    delivery_date: date | None = None
    """When the planned delivery date moved (a late part): the new date."""
    event: str | None = None
    """What happened: a code of :data:`ontology.events.EVENTS` (``note`` is its sentence)."""
    params: dict[str, str | int] | None = None
    """The event's parameters."""
    message: AclMessagePublic | None = None
    """A negotiation message: the one ACL message logged about the order, as the transcript shows it."""
    manufacturer_only: bool = False
    """Heard by the order's manufacturer (and admins) only: a message the customer did not send or receive."""

    @model_validator(mode="before")
    @classmethod
    def _public(cls, data: Any) -> Any:
        """Whoever hears it, an event carries nothing the customer may not read (:mod:`gateway.privacy`)."""
        return public_event(data)


class QuotationAnswer(StrEnum):
    CONFIRM = "confirm"
    DECLINE = "decline"
    COUNTER = "counter"


class BridgeError(RuntimeError):
    """The agents could not be reached or refused the request; ``reason`` says why, in words."""

    def __init__(self, reason: str, *, status_code: int = 503) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code


class AgentBridge(ABC):
    """What the gateway asks of the agents. Every method returns once the agents took the request."""

    @abstractmethod
    async def place_order(self, order: Order) -> None:
        """The customer's agent sends the (already stored, status received) order to its manufacturer."""

    @abstractmethod
    async def answer_quotation(
        self,
        order_id: UUID,
        answer: QuotationAnswer,
        *,
        price: Decimal | None = None,
        delivery_date: date | None = None,
        reason: str = "",
    ) -> None:
        """The customer's answer to the open quotation of the order (counter: price and/or date)."""

    @abstractmethod
    async def decide_order(self, order_id: UUID, accept: bool, reason: str = "") -> None:
        """The manufacturer's manual acceptance or rejection of a received order."""

    @abstractmethod
    async def start_sourcing(self, order_id: UUID) -> None:
        """The manufacturer starts the supplier search of an accepted order."""

    @abstractmethod
    async def report_production(self, order_id: UUID, percent: int, note: str = "") -> None:
        """The manufacturer reports production progress (100: produced)."""

    @abstractmethod
    async def raise_invoice(self, order_id: UUID) -> None:
        """The manufacturer invoices a produced order."""

    @abstractmethod
    async def confirm_parts(self, order_id: UUID) -> None:
        """The manufacturer confirms that the shipped parts of a contracted order arrived (policy
        ``auto_receive_parts`` off)."""

    @abstractmethod
    async def start_production(self, order_id: UUID, reason: str) -> None:
        """The manufacturer starts producing a contracted order before every part is in, for ``reason``."""

    @abstractmethod
    async def ship_order(self, order_id: UUID, carrier: str, reference: str) -> None:
        """The manufacturer ships a paid order with ``carrier`` under the carrier's ``reference`` (policy
        ``auto_ship`` off)."""

    @abstractmethod
    async def pay(self, order_id: UUID, reference: str) -> None:
        """The customer announces the payment of the order's open invoice, made with this transfer
        ``reference``."""

    @abstractmethod
    async def confirm_payment(self, order_id: UUID) -> None:
        """The manufacturer confirms that the customer's announced payment arrived (policy
        ``payment.confirm_by_hand``)."""

    @abstractmethod
    async def confirm_delivery(self, order_id: UUID) -> None:
        """The customer has the shipped order: its delivery is confirmed (on the ledger, as the customer)."""

    async def delivery(self, order_id: UUID) -> DeliveryState | None:
        """The order's delivery as its agreement on the ledger says (read as the customer); ``None`` when
        this bridge reads no ledger or the ledger holds no agreement of the order."""
        del order_id
        return None

    @abstractmethod
    def events(self) -> AsyncIterator[OrderEvent]:
        """Every event from now on, for one subscriber (a push connection); ends when the bridge stops."""

    def subscribe(self, last_event_id: str | None = None) -> Subscription:
        """A push connection's feed of numbered events (see :mod:`gateway.bridge.hub`).

        This default numbers the events of :meth:`events` for this subscriber alone (no replay);
        a bridge with an :class:`~gateway.bridge.hub.EventHub` numbers them once for everyone and
        replays what followed ``last_event_id`` (the SSE ``Last-Event-ID``)."""
        from gateway.bridge.hub import pumped

        del last_event_id
        return pumped(self.events())
