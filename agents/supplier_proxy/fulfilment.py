"""After a supplier signed: ship, invoice, and confirm the manufacturer's payment claim, each step on the
ledger with the supplier's own session, resumable from the ledger.

For every supply agreement it tracks, :class:`Fulfilment` takes the next due step when :meth:`advance` is
called (the proxy host calls it every ``ledger_poll_seconds``, sooner when a shipment falls due):

1. ``ship_delay`` after the agreement was signed (its ``agreedAt``, ledger time; per supplier,
   :meth:`~agents.supplier_proxy.settings.SupplierProxySettings.ship_delay`): ``Ship`` with the configured
   carrier and a reference made of the supplier and order ids (:func:`shipment_reference`);
2. right after: ``RaiseInvoice`` on the agreement (invoice id :func:`invoice_id_of`, due
   ``invoice_due_days`` after today; the ledger sets the amount: the agreed price);
3. then, at each call, whether the manufacturer claimed payment of that invoice (``PaymentClaim``): it is
   confirmed (``ConfirmPayment``, the receipt), and the agreement is done.

Every step is idempotent (:class:`~ledger.lifecycle.PartyLedger` reads by key first; the carrier, reference
and invoice id are the same every time), so doing a step again after a restart changes nothing. On start,
:meth:`resume` reads every supply agreement of the hosted suppliers from the ledger and tracks those not
shipped, not invoiced, or whose invoice is not paid (open, or with a payment claim to confirm).

Bounds: at most ``limit`` agreements are tracked (:data:`MAX_OPEN`; the host refuses to sign beyond it, and
a resume beyond it tracks the first ones: the rest are found at the next start). Each tracked agreement
finishes: when its payment is confirmed, when its invoice is unpaid :data:`PAYMENT_WATCH` after its due date
(logged; found again at the next start), or after :data:`MAX_REFUSALS` refusals of the ledger in a row
(logged with the ledger's words). A ledger that does not answer costs nothing but a retry at the next call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from agents.supplier_proxy.settings import SupplierProxySettings
from ledger.jsonapi_client import LedgerRejected, LedgerUnavailable
from ledger.lifecycle import (
    SUPPLY_AGREEMENT,
    Contract,
    InvoiceKey,
    PartyLedger,
    PartySessions,
    SupplyAgreement,
    SupplyKey,
)
from ontology.contract import PartyRole

log = logging.getLogger(__name__)

#: Supply agreements one host tracks at most.
MAX_OPEN = 10_000
#: How long after its due date an unpaid invoice is still watched for a payment claim.
PAYMENT_WATCH = timedelta(days=90)
#: Refusals of the ledger in a row after which an agreement is not tracked any more.
MAX_REFUSALS = 5


def shipment_reference(supplier_id: str, order_id: str) -> str:
    """The reference a supplier ships an order's parts under (the same at every attempt)."""
    return f"{supplier_id}-{order_id[:8]}".upper()


def invoice_id_of(supplier_id: str, order_id: str) -> str:
    """The id of the invoice of a supplier's supply agreement for an order (unique per issuer)."""
    return f"{supplier_id}-{order_id}"


@dataclass
class Tracked:
    """A supply agreement on its way from signed to paid."""

    supplier_id: str
    key: SupplyKey
    ship_at: datetime
    shipped: bool = False
    invoice_id: str | None = None
    due_date: date | None = None
    refusals: int = 0
    steps: list[str] = field(default_factory=list)
    """The steps this tracker took (for logs and tests)."""

    @property
    def order_id(self) -> str:
        return self.key.order_id


class Fulfilment:
    """The supply agreements a proxy host's suppliers signed, on their way to payment."""

    def __init__(
        self,
        ledger: PartySessions,
        settings: SupplierProxySettings,
        *,
        limit: int = MAX_OPEN,
        today: Callable[[datetime], date] | None = None,
        on_shipped: Callable[[str, str], None] | None = None,
    ) -> None:
        """``on_shipped(supplier_id, order_id)``: told when a supplier shipped its parts of an order."""
        self.ledger = ledger
        self._on_shipped = on_shipped
        self.settings = settings
        self.limit = limit
        self._today = today or (lambda now: now.date())
        self._open: dict[tuple[str, str], Tracked] = {}
        """By (supplier id, order id)."""
        self.done: int = 0
        """Agreements seen to the end (paid) by this tracker."""

    def __len__(self) -> int:
        return len(self._open)

    def __iter__(self) -> Iterator[Tracked]:
        return iter(list(self._open.values()))

    @property
    def full(self) -> bool:
        return len(self._open) >= self.limit

    def get(self, supplier_id: str, order_id: str) -> Tracked | None:
        return self._open.get((supplier_id, order_id))

    def track(self, supplier_id: str, agreement: Contract[SupplyAgreement]) -> Tracked | None:
        """Track ``agreement`` (signed by ``supplier_id``) from where the ledger says it is; the entry, or
        None when it is paid already or :attr:`full`."""
        data = agreement.data
        key = SupplyKey(data.manufacturer, data.order_id, data.supplier)
        existing = self._open.get((supplier_id, data.order_id))
        if existing is not None:
            return existing
        if self.full:
            log.warning(
                "%s: %d supply agreements are tracked already; order %s is picked up at the next start",
                supplier_id,
                len(self._open),
                data.order_id,
            )
            return None
        entry = Tracked(
            supplier_id=supplier_id,
            key=key,
            ship_at=data.agreed_at + self.settings.ship_delay(supplier_id),
            shipped=data.shipment is not None,
            invoice_id=data.invoice_id,
        )
        self._open[(supplier_id, data.order_id)] = entry
        return entry

    def next_due(self) -> datetime | None:
        """When the earliest shipment of a tracked agreement falls due (None: none waits to ship)."""
        due = [t.ship_at for t in self._open.values() if not t.shipped]
        return min(due) if due else None

    # ----------------------------------------------------------------- resume

    async def resume(self, supplier_ids: Iterable[str]) -> int:
        """Track every supply agreement of ``supplier_ids`` on the ledger that is not shipped, not invoiced
        or not paid; how many are tracked now. A supplier without a ledger identity is skipped (logged);
        :class:`LedgerUnavailable` propagates (the caller tries again later)."""
        for supplier_id in supplier_ids:
            try:
                await self._resume(supplier_id)
            except LedgerUnavailable:
                raise
            except (LedgerRejected, LookupError) as exc:
                log.info("%s: no supply agreements resumed: %s", supplier_id, exc)
        return len(self._open)

    async def _resume(self, supplier_id: str) -> None:
        session = await self.ledger.session(PartyRole.SUPPLIER, supplier_id)
        found = await session.client.query(
            [SUPPLY_AGREEMENT], {"supplier": session.party}, readers=[session.party]
        )
        for contract in found:
            if contract.template_id.rsplit(":", 1)[-1] != SUPPLY_AGREEMENT.rsplit(":", 1)[-1]:
                continue
            agreement = Contract(
                contract.contract_id, SUPPLY_AGREEMENT, SupplyAgreement.model_validate(contract.payload)
            )
            data = agreement.data
            if data.supplier != session.party:
                continue
            if data.invoice_id is not None:
                receipt = await session.payment_receipt(InvoiceKey(session.party, data.invoice_id))
                if receipt is not None:
                    continue
            if self.track(supplier_id, agreement) is not None:
                state = (
                    "to ship" if data.shipment is None else "to invoice" if not data.invoice_id else "unpaid"
                )
                log.info(
                    "%s: resumed the supply agreement of order %s (%s)", supplier_id, data.order_id, state
                )

    # ----------------------------------------------------------------- steps

    async def advance(self, now: datetime) -> None:
        """Take the due step of every tracked agreement (see the module docstring)."""
        for entry in list(self._open.values()):
            try:
                await self._step(entry, now)
                entry.refusals = 0
            except LedgerUnavailable as exc:
                log.info("%s: order %s waits for the ledger: %s", entry.supplier_id, entry.order_id, exc)
            except (LedgerRejected, LookupError) as exc:
                entry.refusals += 1
                log.warning(
                    "%s: a step of the supply agreement of order %s was refused (%d in a row): %s",
                    entry.supplier_id,
                    entry.order_id,
                    entry.refusals,
                    exc,
                )
                if entry.refusals >= MAX_REFUSALS:
                    self._finish(entry, f"given up after {entry.refusals} refusals of the ledger")

    async def _step(self, entry: Tracked, now: datetime) -> None:
        if not entry.shipped and now < entry.ship_at:
            return
        session = await self.ledger.session(PartyRole.SUPPLIER, entry.supplier_id)
        if not entry.shipped:
            await self._ship(entry, session)
        if entry.invoice_id is None:
            await self._invoice(entry, session, now)
        await self._settle(entry, session, now)

    async def _ship(self, entry: Tracked, session: PartyLedger) -> None:
        carrier = self.settings.carrier
        reference = shipment_reference(entry.supplier_id, entry.order_id)
        shipped = await session.ship(entry.key, carrier, reference)
        entry.shipped = True
        entry.steps.append("ship")
        if self._on_shipped is not None:
            self._on_shipped(entry.supplier_id, entry.order_id)
        shipment = shipped.data.shipment
        log.info(
            "%s: parts of order %s shipped with %s, reference %s",
            entry.supplier_id,
            entry.order_id,
            shipment.carrier if shipment else carrier,
            shipment.reference if shipment else reference,
        )

    async def _invoice(self, entry: Tracked, session: PartyLedger, now: datetime) -> None:
        invoice_id = invoice_id_of(entry.supplier_id, entry.order_id)
        due = self._today(now) + timedelta(days=self.settings.invoice_due_days)
        invoice = await session.raise_invoice(entry.key, invoice_id, due)
        entry.invoice_id = invoice.data.invoice_id
        entry.due_date = invoice.data.due_date
        entry.steps.append("invoice")
        log.info(
            "%s: invoice %s of order %s raised: %s %s, due %s",
            entry.supplier_id,
            invoice.data.invoice_id,
            entry.order_id,
            invoice.data.amount,
            invoice.data.currency,
            invoice.data.due_date.isoformat(),
        )

    async def _settle(self, entry: Tracked, session: PartyLedger, now: datetime) -> None:
        assert entry.invoice_id is not None
        key = InvoiceKey(session.party, entry.invoice_id)
        claim = await session.payment_claim(key)
        if claim is not None:
            receipt = await session.confirm_payment(key)
            entry.steps.append("confirm-payment")
            log.info(
                "%s: payment %s of invoice %s (order %s, %s %s) confirmed",
                entry.supplier_id,
                receipt.data.payment_ref,
                entry.invoice_id,
                entry.order_id,
                receipt.data.amount,
                receipt.data.currency,
            )
            self.done += 1
            self._finish(entry, "paid")
            return
        if entry.due_date is None:
            invoice = await session.invoice(key)
            if invoice is None:
                if await session.payment_receipt(key) is not None:
                    self.done += 1
                    self._finish(entry, "paid")
                    return
                raise LookupError(
                    f"invoice {entry.invoice_id} of order {entry.order_id} is not on the ledger"
                )
            entry.due_date = invoice.data.due_date
        if self._today(now) > entry.due_date + PAYMENT_WATCH:
            self._finish(entry, f"invoice {entry.invoice_id} unpaid since {entry.due_date.isoformat()}")

    def _finish(self, entry: Tracked, why: str) -> None:
        self._open.pop((entry.supplier_id, entry.order_id), None)
        log.info(
            "%s: supply agreement of order %s no longer tracked: %s", entry.supplier_id, entry.order_id, why
        )
