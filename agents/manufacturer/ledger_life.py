"""An order's life on the ledger after its contract, the manufacturer's steps (each with its own session):

* **parts** (status stays ``contracted``, a history note per part): the supply agreements are polled; a
  shipped one is received (``ConfirmReceipt``; policy ``auto_receive_parts``, else the console's
  :class:`~ontology.console.ConfirmParts`); a late one (``daysLate > 0``) with a penalty gets it claimed
  (``ClaimPenalty``); when the production plan (the last receipt plus the policy's production days) moves
  past the quoted date, the customer is told the new date (a notice with ``delivery_date``). When every part
  is received, or on the console's :class:`~ontology.console.StartProduction` (its reason kept in the
  order's history), production starts;
* **invoice**: ``RaiseInvoice`` on the order agreement (the agreed price; the store's invoice row mirrors it
  with its contract id) -> ``invoiced``; the FIPA ``request`` :class:`~ontology.billing.Invoice` to the
  customer carries the contract id;
* **payment**: the customer's ``PaymentClaim`` (named in its ``inform`` :class:`~ontology.billing.Payment`,
  and looked for on the ledger meanwhile: a restart or an app customer paying later) is confirmed
  (``ConfirmPayment``) -> ``paid`` (the store's payment row mirrors the claim and the receipt): at once, or,
  when the policy's bank transfer is confirmed by hand (``payment.confirm_by_hand``), the claim is stored as
  an announced payment (a note tells both sides) and confirmed on the console's
  :class:`~ontology.console.PaymentReceived`;
* **ship**: ``Ship`` with the policy's carrier (``auto_ship``) or the console's
  :class:`~ontology.console.ShipOrder` -> ``shipped`` (the notice carries the shipment);
* **delivery**: the order agreement is polled until the customer's receipt shows -> ``delivered``;
* **settle**: each supplier's invoice is paid (``ClaimPayment``); once every supplier confirmed its payment
  -> ``completed``.

Every step first reads the ledger, so a restarted agent resumes where it stopped and nothing is done twice.
While the ledger is unreachable a poll is simply tried again. Notes and notices are in words.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from agents.manufacturer.console import Gate, Pending
from agents.manufacturer.requests import ask
from agents.runtime.conversation_behaviour import utc_now
from ledger.jsonapi_client import LedgerUnavailable
from ledger.lifecycle import (
    Contract,
    InvoiceKey,
    OrderAgreement,
    OrderKey,
    PartyLedger,
    PaymentClaim,
    PaymentReceipt,
    SupplyAgreement,
    SupplyKey,
)
from ontology.billing import Invoice, Payment, PaymentMethod, invoice_lines
from ontology.common import Reason
from ontology.console import ConfirmParts, OrderStatusNotice, PaymentReceived, ShipOrder, StartProduction
from ontology.contract import PartyRole
from ontology.events import EventCode, HistoryEvent, days, money
from ontology.lifecycle import ShipmentInfo
from ontology.order import OrderStatus
from ontology.quotation import Quotation

if TYPE_CHECKING:
    from agents.manufacturer.flow import OrderFlow

log = logging.getLogger(__name__)

_S = OrderStatus
T = TypeVar("T")
NOTHING_SHIPPED = "nothing-shipped"
NOTHING_ANNOUNCED = "nothing-announced"


class LedgerLife:
    """The ledger steps of one order's flow after its contract (see the module)."""

    def __init__(self, flow: OrderFlow, ledger: PartyLedger, quotation: Quotation) -> None:
        self.flow = flow
        self.agent = flow.agent
        self.ledger = ledger
        self.quotation = quotation
        self.order_id = flow.order_id
        self.key = OrderKey(ledger.party, self.order_id)
        self.poll = max(self.agent.timings.ledger_poll.total_seconds(), 0.05)
        self._names: dict[str, str] = {}
        """Supplier party -> the name a reader knows it by."""
        self._suppliers: dict[str, str] = {}
        """Supplier party -> platform supplier id."""
        self._announced: date | None = None
        """The latest delivery date the customer was told of (after a late part)."""

    # ----------------------------------------------------------------- helpers

    async def _read(self, probe: Callable[[], Awaitable[T]]) -> T:
        """``probe``, again every poll while the ledger is unreachable."""
        while True:
            try:
                return await probe()
            except LedgerUnavailable as exc:
                log.info("%s: ledger unreachable for order %s: %s", self.agent.address, self.order_id, exc)
                await asyncio.sleep(self.poll)

    async def _until(self, probe: Callable[[], Awaitable[T | None]]) -> T:
        """Poll ``probe`` until it finds something."""
        while True:
            found = await self._read(probe)
            if found is not None:
                return found
            await asyncio.sleep(self.poll)

    async def _agreement(self) -> Contract[OrderAgreement]:
        found = await self._read(lambda: self.ledger.order_agreement(self.key))
        if found is None:
            from agents.manufacturer.flow import OrderFailed

            raise OrderFailed(
                "agreement-missing", f"the ledger holds no order agreement of order {self.order_id}"
            )
        return found

    async def _know_suppliers(self) -> None:
        """The order's suppliers by ledger party: their platform ids (identity store) and names."""
        if self._suppliers:
            return
        record = await self.flow.journal.order_record(self.order_id)
        network = (record.supply_network or {}) if record is not None else {}
        supplier_ids = {a["offer"]["supplier_id"] for a in network.get("assignments", ())}
        logged: dict[str, str] = {}
        if any(self.agent.supplier_name(s) == s for s in supplier_ids):  # not heard of in this run
            logged = await self.flow.journal.supplier_names(self.order_id)
        identities = self.agent.identities
        for supplier_id in sorted(supplier_ids):
            identity = (
                None if identities is None else await identities.identity(PartyRole.SUPPLIER, supplier_id)
            )
            if identity is not None:
                self._suppliers[identity.party] = supplier_id
                name = self.agent.supplier_name(supplier_id)
                self._names[identity.party] = logged.get(supplier_id, name) if name == supplier_id else name

    def _name(self, party: str) -> str:
        return self._names.get(party) or self._suppliers.get(party) or party

    async def _note(self, event: HistoryEvent, *, delivery_date: date | None = None) -> None:
        """A line in the order's history and a notice to its followers (status unchanged)."""
        await self.flow.journal.note(self.order_id, event)
        status = await self.flow.journal.current_status(self.order_id) or _S.CONTRACTED
        self.agent.notify(
            OrderStatusNotice(
                order_id=self.flow.order.id,
                status=status,
                note=event.sentence(),
                delivery_date=delivery_date,
                event=event,
            )
        )

    # ----------------------------------------------------------------- parts

    async def receive_parts(self) -> HistoryEvent:
        """Receive every part (or the console's override); the event production starts with."""
        await self._know_suppliers()
        expected = len(self._suppliers)
        policy = self.flow.policy
        await self._note_missed_receipts()
        with contextlib.ExitStack() as stack:
            override: Gate[StartProduction] = stack.enter_context(
                self.agent.desk.gate(self.order_id, StartProduction)
            )
            confirm: Gate[ConfirmParts] | None = None
            if not policy.auto_receive_parts:
                confirm = stack.enter_context(self.agent.desk.gate(self.order_id, ConfirmParts))
            started = asyncio.ensure_future(override.next())
            confirming: asyncio.Future[Pending[ConfirmParts]] | None = None
            try:
                while True:
                    agreements = await self._read(lambda: self.ledger.supply_agreements(self.key))
                    if policy.auto_receive_parts:
                        agreements = await self._receive(agreements)
                    agreements = await self._claim_late(agreements)
                    received = [a for a in agreements if a.data.receipt is not None]
                    if len(received) >= expected and len(received) == len(agreements):
                        return HistoryEvent.of(EventCode.PRODUCTION_STARTED)
                    if confirm is not None and confirming is None:
                        confirming = asyncio.ensure_future(confirm.next())
                    waiting: set[asyncio.Future[Any]] = {started}
                    if confirming is not None:
                        waiting.add(confirming)
                    done, _ = await asyncio.wait(
                        waiting, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED
                    )
                    if started in done:
                        pending = started.result()
                        reason = pending.request.reason
                        missing = len(agreements) - len(received) + max(expected - len(agreements), 0)
                        pending.done()
                        return HistoryEvent.of(EventCode.PRODUCTION_STARTED_EARLY, parts=missing, note=reason)
                    if confirming is not None and confirming in done:
                        asked = confirming.result()
                        confirming = None
                        current = await self._read(lambda: self.ledger.supply_agreements(self.key))
                        if not any(a.data.shipment is not None and a.data.receipt is None for a in current):
                            asked.fail(
                                Reason(
                                    reason=NOTHING_SHIPPED,
                                    detail=f"no part of order {self.order_id} is shipped and not received",
                                )
                            )
                            continue
                        await self._receive(current)
                        asked.done()
            finally:
                for future in (started, confirming):
                    if future is not None and not future.done():
                        future.cancel()

    async def _receive(self, agreements: list[Contract[SupplyAgreement]]) -> list[Contract[SupplyAgreement]]:
        """Confirm the receipt of every shipped part not received yet; the agreements as they are now."""
        now: list[Contract[SupplyAgreement]] = []
        for agreement in agreements:
            data = agreement.data
            if data.shipment is None or data.receipt is not None:
                now.append(agreement)
                continue
            key = SupplyKey(self.ledger.party, self.order_id, data.supplier)
            received = await self._read(lambda key=key: self.ledger.confirm_receipt(key))  # type: ignore[misc]
            assert isinstance(received.data, SupplyAgreement)
            receipt = received.data.receipt
            assert receipt is not None
            name = self._name(data.supplier)
            late = receipt.days_late
            log.info("order %s: parts from %s received, %s late", self.order_id, name, days(late))
            if late > 0 and data.penalty is None:
                await self._note(HistoryEvent.of(EventCode.PART_LATE, days=late))
            elif late == 0:
                await self._note(HistoryEvent.of(EventCode.PART_RECEIVED, date=receipt.received_at))
            if late > 0:  # the penalty claimed with its own note (:meth:`_claim_late`)
                await self._replan(receipt.received_at.date(), late)
            now.append(Contract(received.contract_id, received.template, received.data))
        return now

    async def _note_missed_receipts(self) -> None:
        """Note the receipts confirmed on the ledger whose note a restart between the two kept out of the
        history (each receipt is noted once: on time, or late without an agreed penalty)."""
        agreements = await self._read(lambda: self.ledger.supply_agreements(self.key))
        on_time: list[HistoryEvent] = []
        late: list[HistoryEvent] = []
        for agreement in agreements:
            receipt = agreement.data.receipt
            if receipt is None:
                continue
            if receipt.days_late == 0:
                on_time.append(HistoryEvent.of(EventCode.PART_RECEIVED, date=receipt.received_at))
            elif agreement.data.penalty is None:
                late.append(HistoryEvent.of(EventCode.PART_LATE, days=receipt.days_late))
        noted = await self.flow.journal.events_noted(self.order_id)
        for event in on_time[noted[EventCode.PART_RECEIVED] :] + late[noted[EventCode.PART_LATE] :]:
            await self._note(event)

    async def _claim_late(
        self, agreements: list[Contract[SupplyAgreement]]
    ) -> list[Contract[SupplyAgreement]]:
        """Claim the penalty of every part received late whose penalty is agreed and not claimed yet."""
        now: list[Contract[SupplyAgreement]] = []
        for agreement in agreements:
            data = agreement.data
            late = data.receipt is not None and data.receipt.days_late > 0
            if not late or data.penalty is None or data.penalty_claimed:
                now.append(agreement)
                continue
            key = SupplyKey(self.ledger.party, self.order_id, data.supplier)
            claim = await self._read(lambda key=key: self.ledger.claim_penalty(key))  # type: ignore[misc]
            assert data.receipt is not None
            log.info(
                "order %s: a penalty of %s claimed from %s (parts %s late)",
                self.order_id,
                money(claim.data.amount, claim.data.currency),
                self._name(data.supplier),
                days(data.receipt.days_late),
            )
            await self._note(HistoryEvent.of(EventCode.PART_LATE_PENALTY, days=data.receipt.days_late))
            again = await self._read(lambda key=key: self.ledger.supply_agreement(key))  # type: ignore[misc]
            now.append(again if again is not None else agreement)
        return now

    async def _replan(self, received: date, late: int) -> None:
        """Tell the customer the new delivery date when the late part moves the plan past the quoted date."""
        planned = received + timedelta(days=self.flow.policy.production_days)
        quoted = self.quotation.delivery_date
        if planned <= quoted or (self._announced is not None and planned <= self._announced):
            return
        self._announced = planned
        await self._note(
            HistoryEvent.of(EventCode.DELIVERY_MOVED, days=late, from_date=quoted, to_date=planned),
            delivery_date=planned,
        )

    # ----------------------------------------------------------------- invoice and payment

    async def bill(self) -> None:
        """Invoice the agreed price on the ledger (once), mirror it in the store, ask the customer to pay;
        confirm the payment claimed on the ledger -> paid."""
        agreement = await self._agreement()
        invoice_id = agreement.data.invoice_id or str(uuid.uuid4())
        timings = self.agent.timings
        due = await self._today() + timedelta(days=timings.invoice_due_days)
        raised = await self._read(lambda: self.ledger.raise_invoice(self.key, invoice_id, due))
        invoice = Invoice(
            id=uuid.UUID(invoice_id),
            order_id=self.flow.order.id,
            issuer=self.flow.order.manufacturer_id,
            payer=self.flow.order.customer_id,
            lines=invoice_lines(self.quotation),
            total=raised.data.amount,
            currency=raised.data.currency,
            issued_at=raised.data.issued_at,
            due_date=raised.data.due_date,
            contract_id=raised.contract_id,
        )
        await self.flow.journal.mirror_invoice(invoice)
        invoiced = await self.flow.journal.current_status(self.order_id) is _S.INVOICED
        if not invoiced:
            await self.flow.status(
                _S.INVOICED,
                HistoryEvent.of(
                    EventCode.INVOICE_RAISED,
                    total=invoice.total,
                    currency=invoice.currency,
                    due_date=invoice.due_date,
                ),
                price=invoice.total,
                currency=invoice.currency,
            )
        answer: asyncio.Task[Payment | Reason] | None = None
        if not invoiced:  # resumed: the customer was asked before; its claim is looked for on the ledger
            answer = asyncio.ensure_future(self.request_payment(invoice))
        try:
            receipt, payment, claim_id, confirming = await self._collect(
                invoice, InvoiceKey(self.ledger.party, invoice_id), answer
            )
        finally:
            if answer is not None and not answer.done():
                with contextlib.suppress(TimeoutError, asyncio.CancelledError):
                    await asyncio.wait_for(asyncio.shield(answer), 5.0)
                answer.cancel()
        try:
            await self.flow.journal.mirror_payment(invoice, receipt, payment, claim_id)
            await self.flow.status(
                _S.PAID,
                HistoryEvent.of(
                    EventCode.PAYMENT_RECEIVED,
                    total=receipt.data.amount,
                    currency=receipt.data.currency,
                    date=receipt.data.paid_at,
                ),
            )
        except Exception as exc:
            if confirming is not None:
                confirming.fail(Reason(reason="not-recorded", detail=str(exc)[:2000]))
            raise
        if confirming is not None:
            confirming.done()

    async def _today(self) -> date:
        """Today as far as this agent can tell: the wall clock's, or the latest ledger time the order's
        contracts carry when it is later (a ledger with static time)."""
        agreement = await self._agreement()
        stamps = [agreement.data.agreed_at]
        for supply in await self._read(lambda: self.ledger.supply_agreements(self.key)):
            stamps += [supply.data.agreed_at]
            stamps += [s.shipped_at for s in (supply.data.shipment,) if s is not None]
            stamps += [r.received_at for r in (supply.data.receipt,) if r is not None]
        return max(utc_now().date(), *(stamp.date() for stamp in stamps))

    async def request_payment(self, invoice: Invoice) -> Payment | Reason:
        """The FIPA ``request`` of ``invoice`` to the customer's agent: its ``inform`` Payment, or why not."""
        return await ask(
            self.agent,
            self.flow.customer,
            invoice,
            Payment,
            timeout=self.agent.timings.payment,
            opened=self.flow._track_request,
        )

    def _confirms_by_hand(self) -> bool:
        """The manufacturer confirms each announced transfer itself (policy ``payment.confirm_by_hand``)."""
        terms = self.flow.policy.payment
        return terms is not None and terms.confirm_by_hand

    async def _collect(
        self, invoice: Invoice, key: InvoiceKey, answer: asyncio.Task[Payment | Reason] | None
    ) -> tuple[Contract[PaymentReceipt], Payment | None, str | None, Pending[PaymentReceived] | None]:
        """The receipt of the invoice's payment: the claim on the ledger confirmed as soon as it shows or,
        when the manufacturer confirms transfers by hand, announced (the store's payment row, a note) and
        confirmed on the console's :class:`PaymentReceived` (returned, to be told the outcome). The
        customer's answer only wakes the poll up; a claim it names that the ledger does not hold is
        ignored."""
        payment: Payment | None = None
        with contextlib.ExitStack() as stack:
            gate: Gate[PaymentReceived] | None = None
            if self._confirms_by_hand():
                gate = stack.enter_context(self.agent.desk.gate(self.order_id, PaymentReceived))
            asked: asyncio.Future[Pending[PaymentReceived]] | None = None
            try:
                while True:
                    receipt = await self._read(lambda: self.ledger.payment_receipt(key))
                    if receipt is not None:
                        return receipt, payment, None, None
                    claim = await self._read(lambda: self.ledger.payment_claim(key))
                    if claim is not None:
                        if payment is not None and payment.claim_contract_id not in (None, claim.contract_id):
                            log.warning(
                                "%s: the customer names payment claim %s of invoice %s, the ledger holds %s",
                                self.agent.address,
                                payment.claim_contract_id,
                                key.invoice_id,
                                claim.contract_id,
                            )
                        if gate is None:
                            confirmed = await self._read(lambda: self.ledger.confirm_payment(key))
                            return confirmed, payment, claim.contract_id, None
                        await self._announce(invoice, claim, payment)
                    if gate is not None and asked is None:
                        asked = asyncio.ensure_future(gate.next())
                    waiting: set[asyncio.Future[Any]] = set()
                    if answer is not None and not answer.done():
                        waiting.add(answer)
                    if asked is not None:
                        waiting.add(asked)
                    if not waiting:
                        await asyncio.sleep(self.poll)
                        continue
                    await asyncio.wait(waiting, timeout=self.poll, return_when=asyncio.FIRST_COMPLETED)
                    if asked is not None and asked.done():
                        pending = asked.result()
                        asked = None
                        claim = await self._read(lambda: self.ledger.payment_claim(key))
                        if claim is None:
                            pending.fail(
                                Reason(
                                    reason=NOTHING_ANNOUNCED,
                                    detail=f"no payment of order {self.order_id} is announced",
                                )
                            )
                            continue
                        try:
                            confirmed = await self._read(lambda: self.ledger.confirm_payment(key))
                        except Exception as exc:
                            pending.fail(Reason(reason="not-confirmed", detail=str(exc)[:2000]))
                            raise
                        return confirmed, payment, claim.contract_id, pending
                    if answer is not None and answer.done():
                        result = answer.result()
                        answer = None
                        if isinstance(result, Payment):
                            payment = result
                        else:
                            log.info(
                                "%s: invoice %s not answered: %s", self.agent.address, key.invoice_id, result
                            )
            finally:
                if asked is not None and not asked.done():
                    asked.cancel()

    async def _announce(
        self, invoice: Invoice, claim: Contract[PaymentClaim], payment: Payment | None
    ) -> None:
        """The customer's claim kept in the store as an announced payment (once), and said in the history."""
        data = claim.data
        announced = Payment(
            id=payment.id if payment is not None else uuid.uuid4(),
            invoice_id=invoice.id,
            amount=data.amount,
            currency=data.currency,
            method=payment.method if payment is not None else PaymentMethod.BANK_TRANSFER,
            paid_at=data.claimed_at,
            reference=data.payment_ref,
            claim_contract_id=claim.contract_id,
        )
        if await self.flow.journal.announce_payment(announced):
            await self._note(
                HistoryEvent.of(EventCode.PAYMENT_ANNOUNCED, total=data.amount, currency=data.currency)
            )

    # ----------------------------------------------------------------- shipping and delivery

    async def ship(self, gate: Gate[ShipOrder] | None) -> None:
        """Ship the paid order (the policy's carrier, or the console's :class:`ShipOrder`) -> shipped."""
        agreement = await self._agreement()
        shipment = agreement.data.shipment
        pending: Pending[ShipOrder] | None = None
        if shipment is None:
            if gate is None:
                carrier = self.flow.policy.carrier
                record = await self.flow.journal.order_record(self.order_id)
                reference = f"LSO-{self.order_id[:8].upper() if record is None else record.number}"
            else:
                pending = await gate.next()
                carrier, reference = pending.request.carrier, pending.request.reference
            try:
                shipped = await self._read(lambda: self.ledger.ship(self.key, carrier, reference))
            except Exception as exc:
                if pending is not None:
                    pending.fail(Reason(reason="not-shipped", detail=str(exc)[:2000]))
                raise
            shipment = shipped.data.shipment
        assert shipment is not None
        info = ShipmentInfo(
            carrier=shipment.carrier, reference=shipment.reference, shipped_at=shipment.shipped_at
        )
        await self.agent.change_status(
            self.order_id,
            _S.SHIPPED,
            HistoryEvent.of(EventCode.SHIPPED, carrier=shipment.carrier, reference=shipment.reference),
            shipment=info,
        )
        if pending is not None:
            pending.done()

    async def delivered(self) -> None:
        """Wait for the customer's confirmation of delivery on the ledger -> delivered."""

        async def received() -> Contract[OrderAgreement] | None:
            found = await self.ledger.order_agreement(self.key)
            return found if found is not None and found.data.receipt is not None else None

        agreement = await self._until(received)
        receipt = agreement.data.receipt
        assert receipt is not None
        when, late, penalty = receipt.received_at, receipt.days_late, agreement.data.penalty
        if late <= 0:
            event = HistoryEvent.of(EventCode.DELIVERED, date=when)
        elif penalty is None:
            event = HistoryEvent.of(EventCode.DELIVERED_LATE, date=when, days=late)
        else:
            owed = penalty.per_day_late * late
            if penalty.cap is not None:
                owed = min(owed, penalty.cap)
            currency = agreement.data.currency
            event = HistoryEvent.of(
                EventCode.DELIVERED_LATE_PENALTY, date=when, days=late, penalty=owed, currency=currency
            )
        await self.flow.status(_S.DELIVERED, event)

    # ----------------------------------------------------------------- suppliers

    async def settle(self) -> None:
        """Pay every supplier's invoice (claims on the ledger); once all are confirmed -> completed."""
        await self._know_suppliers()
        agreements = await self._read(lambda: self.ledger.supply_agreements(self.key))
        paid: set[str] = set()
        while len(paid) < len(agreements):
            for agreement in agreements:
                data = agreement.data
                if data.supplier in paid:
                    continue
                if data.invoice_id is None:
                    continue
                key = InvoiceKey(data.supplier, data.invoice_id)
                receipt = await self._read(lambda key=key: self.ledger.payment_receipt(key))  # type: ignore[misc]
                if receipt is not None:
                    paid.add(data.supplier)
                    log.info(
                        "order %s: %s confirmed the payment of %s",
                        self.order_id,
                        self._name(data.supplier),
                        money(receipt.data.amount, receipt.data.currency),
                    )
                    await self._note(
                        HistoryEvent.of(EventCode.SUPPLIERS_PAID, paid=len(paid), of=len(agreements))
                    )
                    continue
                if await self._read(lambda key=key: self.ledger.payment_claim(key)) is None:  # type: ignore[misc]
                    reference = f"LSO-{self.order_id[:8]}-{data.invoice_id}"[:200]
                    claim = await self._read(
                        lambda key=key, reference=reference: self.ledger.claim_payment(key, reference)  # type: ignore[misc]
                    )
                    log.info(
                        "order %s: paid %s %s (reference %s)",
                        self.order_id,
                        self._name(data.supplier),
                        money(claim.data.amount, claim.data.currency),
                        reference,
                    )
            if len(paid) < len(agreements):
                await asyncio.sleep(self.poll)
                agreements = await self._read(lambda: self.ledger.supply_agreements(self.key))
        await self.flow.status(_S.COMPLETED, HistoryEvent.of(EventCode.COMPLETED))
