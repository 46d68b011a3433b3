"""The app's users as the customer agent's :class:`~agents.customer.decisions.DecisionSource`.

The customer agent asks for a decision when a quotation arrives and for a payment when an invoice
arrives, and waits. The gateway's routes answer later (``answer``/``pay``). Either side may come
first: the push event of a quotation can reach the app (through the console's status notice) before
the quotation itself reaches the customer agent, so an answer waits a little (``patience``) for the
question instead of failing at once.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from uuid import UUID

from agents.customer.decisions import Decision, DecisionSource
from ontology.billing import Invoice, Payment, PaymentMethod
from ontology.order import Order
from ontology.quotation import Quotation


class NothingOpen(LookupError):
    """No quotation (or invoice) of that order waits for the customer."""


@dataclass
class _Open:
    """A question the customer agent waits on, and the future that answers it."""

    question: asyncio.Future[Quotation | Invoice]
    answer: asyncio.Future[Decision | Payment | str] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )


class AppDecisions(DecisionSource):
    """Quotations and invoices wait here for the app's answers, one open question per order and kind."""

    def __init__(self) -> None:
        self._quotations: dict[UUID, _Open] = {}
        self._invoices: dict[UUID, _Open] = {}

    # ----------------------------------------------------------------- the customer agent's side

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        answer = await self._ask(self._quotations, order.id, quotation)
        assert isinstance(answer, Decision)
        return answer

    async def pay(self, order_id: UUID, invoice: Invoice) -> Payment | str:
        answer = await self._ask(self._invoices, order_id, invoice)
        assert isinstance(answer, Payment | str)
        return answer

    async def _ask(
        self, table: dict[UUID, _Open], order_id: UUID, question: Quotation | Invoice
    ) -> Decision | Payment | str:
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

    async def settle_invoice(self, order_id: UUID, patience: float = 0.0) -> Invoice:
        """Pay the order's open invoice in full (bank transfer); the invoice paid."""
        invoice = await self._question(self._invoices, order_id, "invoice", patience)
        assert isinstance(invoice, Invoice)
        payment = Payment(
            invoice_id=invoice.id,
            amount=invoice.total,
            currency=invoice.currency,
            method=PaymentMethod.BANK_TRANSFER,
            reference=f"order {order_id}",
        )
        self._settle(self._invoices, order_id, payment)
        return invoice

    async def _question(
        self, table: dict[UUID, _Open], order_id: UUID, what: str, patience: float
    ) -> Quotation | Invoice:
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
    def _settle(table: dict[UUID, _Open], order_id: UUID, answer: Decision | Payment) -> None:
        slot = table.get(order_id)
        if slot is None or slot.answer.done():
            raise NothingOpen(f"order {order_id} has no open question any more")
        slot.answer.set_result(answer)
