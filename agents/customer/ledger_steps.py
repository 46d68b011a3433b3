"""The customer's own steps on the ledger (model v2), each taken with the customer's own session (a token of
its own ledger user, CanActAs + CanReadAs its party only):

* :meth:`CustomerLedger.place_order`: the customer's signed order (``CustomerOrder``) at the accepted
  quotation's terms (:func:`ontology.contract.customer_order_terms`), before the acceptance is sent;
* :meth:`CustomerLedger.claim_payment`: "I paid" (``ClaimPayment`` on the manufacturer's invoice), before
  the payment is told to the manufacturer;
* :meth:`CustomerLedger.confirm_delivery`: "it arrived" (``ConfirmDelivery`` on the order agreement) and, when
  late and a penalty was agreed, the penalty claimed (``ClaimPenalty``).

Every step is idempotent (the :class:`~ledger.lifecycle.PartyLedger` steps read the ledger first), so a retry
or a restart never does a step twice. A ledger that does not answer is retried with a bounded backoff until a
deadline; a refusal is not retried: it is raised as :class:`LedgerStepFailed` with the reason in words.
The manufacturer's party id comes from the identity store, never from its platform id.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TypeVar
from uuid import UUID

from ledger.commit import order_ledger_terms
from ledger.jsonapi_client import LedgerClientError, LedgerRejected, LedgerUnavailable
from ledger.lifecycle import (
    INVOICE,
    PAYMENT_CLAIM,
    PAYMENT_RECEIPT,
    AgreementConflict,
    Contract,
    InvoiceKey,
    OrderKey,
    OrderTerms,
    PartyIdentities,
    PartyLedger,
    PartySessions,
)
from ledger.lifecycle import Invoice as LedgerInvoice
from ontology.billing import Invoice, Payment
from ontology.contract import PartyRole
from ontology.events import day, money
from ontology.order import Order
from ontology.quotation import Quotation

log = logging.getLogger(__name__)

T = TypeVar("T")


class LedgerStepFailed(Exception):
    """A step of the customer's could not be taken on the ledger; ``str()`` says why, in words.
    ``unavailable``: the ledger did not answer (else it refused, or something it needs is missing)."""

    def __init__(self, message: str, *, unavailable: bool = False) -> None:
        super().__init__(message)
        self.unavailable = unavailable


@dataclass(frozen=True)
class Backoff:
    """How a step is retried while the ledger does not answer: ``first`` seconds, doubled up to ``most``."""

    first: float = 0.5
    most: float = 8.0


@dataclass(frozen=True)
class DeliveryConfirmed:
    """The customer's receipt of its order, as the ledger stamped it (``None``s without a ledger)."""

    received_at: datetime | None = None
    days_late: int | None = None
    penalty: Decimal | None = None
    """The penalty claimed for a late delivery (agreed in the order), if any."""
    currency: str | None = None

    @property
    def words(self) -> str:
        """What a person reads: "Delivered on 14 March 2027, 3 days late; a penalty of €25.00 is claimed"."""
        if self.received_at is None:
            return "Delivery confirmed"
        text = f"Delivered on {day(self.received_at)}"
        if self.days_late:
            text += f", {self.days_late} day{'s' if self.days_late != 1 else ''} late"
            if self.penalty is not None and self.currency:
                text += f"; a penalty of {money(self.penalty, self.currency)} is claimed"
        return text


@dataclass(frozen=True)
class DeliveryState:
    """Where an order's delivery is, as its agreement on the ledger says."""

    currency: str
    delivery_date: date
    """The agreed delivery date."""
    carrier: str | None = None
    reference: str | None = None
    shipped_at: datetime | None = None
    received_at: datetime | None = None
    days_late: int | None = None
    penalty_per_day: Decimal | None = None
    penalty_cap: Decimal | None = None
    penalty_claimed: Decimal | None = None


class CustomerLedger:
    """The customers' side of the ledger: ``sessions`` gives the session of the customer an order is of
    (``PartySessions.session(PartyRole.CUSTOMER, order.customer_id)``), ``parties`` the manufacturer's
    ledger identity (the identity store)."""

    def __init__(
        self, sessions: PartySessions, parties: PartyIdentities, backoff: Backoff | None = None
    ) -> None:
        self.sessions = sessions
        self.parties = parties
        self.backoff = backoff or Backoff()

    # -- 1: the customer confirms --------------------------------------------------------------------------

    async def place_order(self, order: Order, quotation: Quotation, deadline: float) -> str:
        """The contract id of the customer's ``CustomerOrder`` (or of the order agreement, once the
        manufacturer accepted it) at the quotation's terms; retried until ``deadline`` (monotonic) while the
        ledger does not answer or refuses (a different order of the same id on the ledger is not retried)."""

        async def step() -> str:
            session, manufacturer = await self._sides(order.customer_id, order.manufacturer_id)
            terms = ledger_terms(order, quotation, session.party, manufacturer)
            placed = await session.place_order(terms)
            return placed.contract_id

        return await self._retried(f"sign order {order.id}", step, deadline, refusals=True)

    # -- 7: pay --------------------------------------------------------------------------------------------

    async def claim_payment(self, order: Order, invoice: Invoice, payment: Payment, deadline: float) -> str:
        """The contract id of the customer's ``PaymentClaim`` of ``invoice`` (its ledger contract
        ``invoice.contract_id``, else the manufacturer's open invoice of the order)."""
        reference = payment.reference or f"payment {payment.id}"

        async def step() -> str:
            session, manufacturer = await self._sides(order.customer_id, order.manufacturer_id)
            key = await _invoice_key(session, manufacturer, order, invoice)
            claim = await session.claim_payment(key, reference)
            return claim.contract_id

        return await self._retried(f"claim payment of invoice {invoice.id}", step, deadline)

    async def claim_open_invoice(
        self, order_id: UUID, customer_id: str, manufacturer_id: str, reference: str, deadline: float
    ) -> str:
        """The contract id of the customer's ``PaymentClaim`` of the invoice the manufacturer issued it for
        ``order_id``, found on the ledger (nobody asked: the customer's agent started after the invoice was
        sent); claimed again with the same ``reference``, it is the same claim."""

        async def step() -> str:
            session, manufacturer = await self._sides(customer_id, manufacturer_id)
            found = await _issued_to(session, manufacturer, str(order_id))
            if found is None:
                raise LedgerStepFailed(
                    f"the ledger holds no invoice of order {order_id} from its manufacturer"
                )
            claim = await session.claim_payment(InvoiceKey(found.issuer, found.invoice_id), reference)
            return claim.contract_id

        return await self._retried(f"claim payment of order {order_id}", step, deadline)

    # -- 9: the customer confirms delivery ----------------------------------------------------------------

    async def confirm_delivery(
        self, order_id: UUID, customer_id: str, manufacturer_id: str, deadline: float
    ) -> DeliveryConfirmed:
        """``ConfirmDelivery`` on the order agreement as the customer; if late and a penalty was agreed,
        ``ClaimPenalty``."""

        async def step() -> DeliveryConfirmed:
            session, manufacturer = await self._sides(customer_id, manufacturer_id)
            key = OrderKey(manufacturer, str(order_id))
            received = await session.confirm_receipt(key)
            agreement = received.data
            receipt = agreement.receipt
            if receipt is None:  # pragma: no cover - ConfirmDelivery always records a receipt
                raise LedgerStepFailed(f"the ledger recorded no receipt of order {order_id}")
            penalty: Decimal | None = None
            if receipt.days_late > 0 and agreement.penalty is not None:
                claim = await session.claim_penalty(key)
                penalty = claim.data.amount
            return DeliveryConfirmed(receipt.received_at, receipt.days_late, penalty, agreement.currency)

        return await self._retried(f"confirm delivery of order {order_id}", step, deadline)

    # -- reads -------------------------------------------------------------------------------------------

    async def delivery(self, order_id: UUID, customer_id: str, manufacturer_id: str) -> DeliveryState | None:
        """The order agreement's shipment, receipt and penalty as the customer's session reads it (``None``
        when the ledger holds no order agreement of the order)."""
        session, manufacturer = await self._sides(customer_id, manufacturer_id)
        try:
            found = await session.order_agreement(OrderKey(manufacturer, str(order_id)))
            if found is None:
                return None
            agreement = found.data
            claimed: Decimal | None = None
            if agreement.penalty_claimed:
                claims = await session.penalty_claims(str(order_id))
                claimed = next((c.data.amount for c in claims if c.data.claimant == session.party), None)
        except LedgerRejected as exc:
            raise LedgerStepFailed(f"the ledger refused to read order {order_id}: {_words(exc)}") from exc
        except (LedgerUnavailable, OSError, TimeoutError) as exc:
            raise LedgerStepFailed(f"the ledger did not answer: {_words(exc)}", unavailable=True) from exc
        return DeliveryState(
            currency=agreement.currency,
            delivery_date=agreement.delivery_date,
            carrier=agreement.shipment.carrier if agreement.shipment else None,
            reference=agreement.shipment.reference if agreement.shipment else None,
            shipped_at=agreement.shipment.shipped_at if agreement.shipment else None,
            received_at=agreement.receipt.received_at if agreement.receipt else None,
            days_late=agreement.receipt.days_late if agreement.receipt else None,
            penalty_per_day=agreement.penalty.per_day_late if agreement.penalty else None,
            penalty_cap=agreement.penalty.cap if agreement.penalty else None,
            penalty_claimed=claimed,
        )

    # -- helpers -------------------------------------------------------------------------------------------

    async def _sides(self, customer_id: str, manufacturer_id: str) -> tuple[PartyLedger, str]:
        """The customer's session and the manufacturer's party id (from the identity store)."""
        identity = await self.parties.identity(PartyRole.MANUFACTURER, manufacturer_id)
        if identity is None:
            raise LedgerStepFailed(
                f"manufacturer {manufacturer_id} has no ledger party (it is not onboarded)"
            )
        session = await self.sessions.session(PartyRole.CUSTOMER, customer_id)
        return session, identity.party

    async def _retried(
        self, what: str, step: Callable[[], Awaitable[T]], deadline: float, *, refusals: bool = False
    ) -> T:
        """``step``, again with a backoff until ``deadline`` while the ledger does not answer (and, with
        ``refusals``, while it refuses, but for a different agreement of the order, which stays)."""
        wait = self.backoff.first
        attempt = 0
        while True:
            attempt += 1
            try:
                return await step()
            except LedgerStepFailed:
                raise
            except LedgerRejected as exc:
                left = deadline - time.monotonic()
                if not refusals or isinstance(exc, AgreementConflict) or left <= 0:
                    tried = f" ({attempt} attempts)" if attempt > 1 else ""
                    raise LedgerStepFailed(f"the ledger refused to {what}{tried}: {_words(exc)}") from exc
                log.warning("%s: the ledger refused (%s); again in %.1f s", what, _words(exc), wait)
                await asyncio.sleep(min(wait, left))
                wait = min(wait * 2, self.backoff.most)
            except (LedgerUnavailable, OSError, TimeoutError) as exc:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise LedgerStepFailed(
                        f"could not {what}: the ledger did not answer ({attempt} attempts; {_words(exc)})",
                        unavailable=True,
                    ) from exc
                log.warning("%s: the ledger did not answer (%s); again in %.1f s", what, _words(exc), wait)
                await asyncio.sleep(min(wait, left))
                wait = min(wait * 2, self.backoff.most)


def ledger_terms(order: Order, quotation: Quotation, customer: str, manufacturer: str) -> OrderTerms:
    """The ``CustomerOrder`` between these two ledger parties at the terms the manufacturer checks
    (:func:`ledger.commit.order_ledger_terms`)."""
    return order_ledger_terms(order, quotation, customer, manufacturer)


async def _invoice_key(session: PartyLedger, manufacturer: str, order: Order, invoice: Invoice) -> InvoiceKey:
    """The ledger key of ``invoice``: from its contract (still open), else from the order's invoices,
    payment claims and receipts the manufacturer issued to this customer."""
    order_id = str(order.id)
    found: LedgerInvoice | None = None
    if invoice.contract_id:
        contract = await session.client.fetch(
            invoice.contract_id, template_id=INVOICE, readers=[session.party]
        )
        if contract is not None:
            found = LedgerInvoice.model_validate(contract.payload)
    if found is None:
        found = await _issued_to(session, manufacturer, order_id)
    if found is None:
        raise _no_invoice(order_id)
    if found.payer != session.party or found.issuer != manufacturer or found.order_id != order_id:
        raise LedgerStepFailed(
            f"invoice {invoice.contract_id} on the ledger is not this order's invoice to you"
        )
    if (found.amount, found.currency) != (invoice.total, invoice.currency):
        raise LedgerStepFailed(
            f"the invoice asks {money(invoice.total, invoice.currency)}, the ledger's invoice "
            f"{money(found.amount, found.currency)}"
        )
    return InvoiceKey(found.issuer, found.invoice_id)


def _no_invoice(order_id: str) -> LedgerStepFailed:
    return LedgerStepFailed(f"the ledger holds no invoice of order {order_id} from its manufacturer")


async def _issued_to(session: PartyLedger, manufacturer: str, order_id: str) -> LedgerInvoice | None:
    contracts: list[Contract[LedgerInvoice]] = list(await session.invoices(order_id))
    for template in (PAYMENT_CLAIM, PAYMENT_RECEIPT):
        for active in await session.client.query([template], {"orderId": order_id}, readers=[session.party]):
            contracts.append(
                Contract(active.contract_id, template, LedgerInvoice.model_validate(active.payload))
            )
    mine = [c.data for c in contracts if c.data.issuer == manufacturer and c.data.payer == session.party]
    return mine[0] if mine else None


def _words(exc: BaseException) -> str:
    if isinstance(exc, LedgerClientError):
        return "; ".join(exc.errors) or str(exc)
    return str(exc) or type(exc).__name__


__all__ = [
    "Backoff",
    "CustomerLedger",
    "DeliveryConfirmed",
    "DeliveryState",
    "LedgerStepFailed",
    "ledger_terms",
]
