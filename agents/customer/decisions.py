"""Where the customer's answers to a quotation come from: a simulation policy, or someone outside
(the gateway's user) through a callback or a queue.

A :class:`DecisionSource` is asked once per quotation with the order, the quotation and how many
counter-offers were made already; it answers a :class:`Decision`. It is asked to pay an invoice
(:meth:`DecisionSource.pay`) and, once the order is shipped, to confirm its delivery
(:meth:`DecisionSource.confirm_delivery`: a simulated customer at once, an app customer when the customer
says it arrived).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from uuid import UUID

from ontology.billing import Invoice, Payment, PaymentMethod
from ontology.lifecycle import ShipmentInfo
from ontology.order import Order
from ontology.policy import CustomerDecision, CustomerPolicy
from ontology.quotation import CounterOffer, Quotation


@dataclass(frozen=True)
class Decision:
    kind: CustomerDecision
    counter: CounterOffer | None = None
    reason: str = ""

    def __post_init__(self) -> None:
        if (self.kind is CustomerDecision.COUNTER) != (self.counter is not None):
            raise ValueError("a counter decision carries a counter-offer, and only it")

    @classmethod
    def accept(cls) -> Decision:
        return cls(CustomerDecision.ACCEPT)

    @classmethod
    def decline(cls, reason: str = "declined by the customer") -> Decision:
        return cls(CustomerDecision.DECLINE, reason=reason)

    @classmethod
    def counter_with(cls, counter: CounterOffer) -> Decision:
        return cls(CustomerDecision.COUNTER, counter=counter)


class DecisionSource(ABC):
    """Base: answer quotations; pay invoices in full by bank transfer."""

    @abstractmethod
    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        """Accept, decline or counter ``quotation``."""

    async def pay(self, order_id: UUID, invoice: Invoice) -> Payment | str:
        """A payment of ``invoice``, or why not."""
        return Payment(
            invoice_id=invoice.id,
            amount=invoice.total,
            currency=invoice.currency,
            method=PaymentMethod.BANK_TRANSFER,
            reference=f"order {order_id}",
        )

    async def confirm_delivery(self, order_id: UUID, shipment: ShipmentInfo | None) -> None:
        """Return once the customer has the shipped order (``shipment``: carrier and reference, when told).
        This default confirms at once (a simulated customer)."""
        del order_id, shipment


class PolicyDecisions(DecisionSource):
    """The simulated customer of :class:`~ontology.policy.CustomerPolicy`."""

    def __init__(self, policy: CustomerPolicy) -> None:
        self.policy = policy

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        choice = self.policy.decide(quotation, order.delivery_date, counters_made)
        if choice is CustomerDecision.COUNTER:
            return Decision.counter_with(self.policy.counter(quotation, order.delivery_date))
        if choice is CustomerDecision.DECLINE:
            return Decision.decline(
                f"{quotation.total_price} {quotation.currency} is more than this customer pays"
            )
        return Decision.accept()


Callback = Callable[[Order, Quotation, int], Awaitable[Decision]]


class CallbackDecisions(DecisionSource):
    """Asks a coroutine function (e.g. the gateway waiting for its user)."""

    def __init__(self, callback: Callback) -> None:
        self.callback = callback

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        return await self.callback(order, quotation, counters_made)


class QueueDecisions(DecisionSource):
    """Puts each quotation on ``quotations`` and waits for a decision from :meth:`answer`."""

    def __init__(self) -> None:
        self.quotations: asyncio.Queue[tuple[Order, Quotation, int]] = asyncio.Queue()
        self._waiting: dict[UUID, asyncio.Future[Decision]] = {}

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        future: asyncio.Future[Decision] = asyncio.get_running_loop().create_future()
        self._waiting[quotation.id] = future
        await self.quotations.put((order, quotation, counters_made))
        try:
            return await future
        finally:
            self._waiting.pop(quotation.id, None)

    def answer(self, quotation_id: UUID, decision: Decision) -> None:
        """Decide the quotation ``quotation_id``; ``KeyError`` if nobody waits for it."""
        future = self._waiting[quotation_id]
        if not future.done():
            future.set_result(decision)
