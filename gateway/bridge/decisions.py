"""The app's users as the customer agent's :class:`~agents.customer.decisions.DecisionSource`.

The customer agent asks for a decision when a quotation arrives, for a payment when an invoice
arrives and for the customer's word that a shipped order arrived, and waits. The gateway's routes answer
later (``answer``/``settle_invoice``/``confirm_delivery``). Either side may come
first: the push event of a quotation can reach the app (through the console's status notice) before
the quotation itself reaches the customer agent, so an answer waits a little (``patience``) for the
question instead of failing at once.

The questions live in memory only; what survives a restart of the gateway is the customer agent's side of the
conversation (in the store). A quotation it takes up again after a restart is asked here again, like a new
one: the app answers it the same way (:meth:`AppDecisions.open_quotation` waits for that question too).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import UUID

from agents.customer.decisions import Decision, DecisionSource
from ontology.billing import Invoice, Payment, PaymentMethod
from ontology.lifecycle import ShipmentInfo
from ontology.order import Order
from ontology.quotation import Quotation


class NothingOpen(LookupError):
    """No quotation (or invoice) of that order waits for the customer."""


@dataclass(frozen=True)
class Shipped:
    """The question "has the shipped order arrived?" (its shipment, when the manufacturer told it)."""

    shipment: ShipmentInfo | None


DELIVERED = True
"""The app's answer to :class:`Shipped`: the customer has the order."""

Question = Quotation | Invoice | Shipped
Answer = Decision | Payment | str | bool


@dataclass
class _Open:
    """A question the customer agent waits on, and the future that answers it."""

    question: asyncio.Future[Question]
    answer: asyncio.Future[Answer] = field(default_factory=lambda: asyncio.get_running_loop().create_future())


class AppDecisions(DecisionSource):
    """Quotations and invoices wait here for the app's answers, one open question per order and kind."""

    def __init__(self) -> None:
        self._quotations: dict[UUID, _Open] = {}
        self._invoices: dict[UUID, _Open] = {}
        self._deliveries: dict[UUID, _Open] = {}

    # ----------------------------------------------------------------- the customer agent's side

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        answer = await self._ask(self._quotations, order.id, quotation)
        assert isinstance(answer, Decision)
        return answer

    async def pay(self, order_id: UUID, invoice: Invoice) -> Payment | str:
        answer = await self._ask(self._invoices, order_id, invoice)
        assert isinstance(answer, Payment | str)
        return answer

    async def confirm_delivery(self, order_id: UUID, shipment: ShipmentInfo | None) -> None:
        """Waits until the customer says in the app that the order arrived (:meth:`delivered`)."""
        await self._ask(self._deliveries, order_id, Shipped(shipment))

    async def _ask(self, table: dict[UUID, _Open], order_id: UUID, question: Question) -> Answer:
        slot = table.get(order_id)
        if slot is None or slot.question.done():
            slot = table[order_id] = _Open(asyncio.get_running_loop().create_future())
        slot.question.set_result(question)
        try:
            return await slot.answer
        finally:
            if table.get(order_id) is slot:
                del table[order_id]

    # ----------------------------------------------------------------- the app's side

    async def open_quotation(self, order_id: UUID, patience: float = 0.0) -> Quotation:
        """The quotation of the order awaiting the customer's answer, waiting up to ``patience`` s for it."""
        question = await self._question(self._quotations, order_id, "quotation", patience)
        assert isinstance(question, Quotation)
        return question

    async def answer(self, order_id: UUID, decision: Decision, patience: float = 0.0) -> None:
        await self.open_quotation(order_id, patience)
        self._settle(self._quotations, order_id, decision)

    async def settle_invoice(self, order_id: UUID, reference: str, patience: float = 0.0) -> Invoice:
        """Pay the order's open invoice in full (a bank transfer with ``reference``); the invoice paid."""
        invoice = await self._question(self._invoices, order_id, "invoice", patience)
        assert isinstance(invoice, Invoice)
        payment = Payment(
            invoice_id=invoice.id,
            amount=invoice.total,
            currency=invoice.currency,
            method=PaymentMethod.BANK_TRANSFER,
            reference=reference,
        )
        self._settle(self._invoices, order_id, payment)
        return invoice

    async def delivered(self, order_id: UUID, patience: float = 0.0) -> Shipped:
        """The customer has the shipped order: the customer agent's question answered (the shipment asked
        about). :class:`NothingOpen` when the agent does not wait for it (within ``patience`` s)."""
        question = await self._question(self._deliveries, order_id, "delivery", patience)
        assert isinstance(question, Shipped)
        self._settle(self._deliveries, order_id, DELIVERED)
        return question

    def waits_for_delivery(self, order_id: UUID) -> bool:
        """The customer agent waits for the customer's word that the order arrived."""
        slot = self._deliveries.get(order_id)
        return slot is not None and slot.question.done() and not slot.answer.done()

    async def _question(
        self, table: dict[UUID, _Open], order_id: UUID, what: str, patience: float
    ) -> Question:
        slot = table.get(order_id)
        if slot is None:
            slot = table[order_id] = _Open(asyncio.get_running_loop().create_future())
        if slot.answer.done():
            raise NothingOpen(f"the {what} of order {order_id} is answered already")
        try:
            async with asyncio.timeout(patience):
                return await asyncio.shield(slot.question)
        except TimeoutError:
            if table.get(order_id) is slot and not slot.question.done():
                del table[order_id]
            raise NothingOpen(f"no {what} of order {order_id} waits for an answer") from None

    @staticmethod
    def _settle(table: dict[UUID, _Open], order_id: UUID, answer: Answer) -> None:
        slot = table.get(order_id)
        if slot is None or slot.answer.done():
            raise NothingOpen(f"order {order_id} has no open question any more")
        slot.answer.set_result(answer)
