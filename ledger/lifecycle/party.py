"""``PartyLedger``: one party's session on the ledger (model v2), with a typed method for every step of the
agreement's life that this party may take, and the reads it needs, by contract key.

Every step is idempotent: its command id derives from the order id and the step (:func:`command_id`), and
it first reads, by key, whether the step was taken already: then the contract it made is handed back (when
the step was taken with the same arguments; otherwise :class:`StepRefused` or :class:`AgreementConflict`
says what is there). A step the ledger refuses (a duplicate command id within Daml's deduplication period,
a contract key taken, a contract consumed by a racing session) is resolved the same way: read again, and
handed back when it was taken meanwhile. A step that is another party's is refused before anything is sent.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any, TypeVar

from ledger.jsonapi_client import ActiveContract, LedgerRejected
from ledger.lifecycle.contracts import (
    CUSTOMER_ORDER,
    INVOICE,
    ORDER_AGREEMENT,
    PAYMENT_CLAIM,
    PAYMENT_RECEIPT,
    PENALTY_CLAIM,
    SUPPLY_AGREEMENT,
    SUPPLY_PROPOSAL,
    Agreement,
    AgreementKey,
    Contract,
    Invoice,
    InvoiceKey,
    LedgerRecord,
    OrderAgreement,
    OrderKey,
    OrderTerms,
    PaymentClaim,
    PaymentReceipt,
    PenaltyClaim,
    SupplyAgreement,
    SupplyKey,
    SupplyTerms,
)
from ledger.lifecycle.errors import AgreementConflict, StepRefused, is_duplicate
from ledger.lifecycle.session import LedgerCalls

R = TypeVar("R", bound=LedgerRecord)
WRITTEN_KEPT = 1024
AGREEMENT_RACE_RETRIES = 5
"""How often a step on an agreement is tried again on the state another party's racing step made."""
T = TypeVar("T")


def command_id(order_id: object, step: str, party: str = "") -> str:
    """Deterministic command id of one step of an order's life (``lso:<order>:<step>[:<party>]``)."""
    return f"lso:{order_id}:{step}" + (f":{party}" if party else "")


def _entity(template: str) -> str:
    return template.rsplit(":", 1)[-1]


def _key_text(key: AgreementKey) -> str:
    if isinstance(key, SupplyKey):
        return f"the supply agreement of order {key.order_id} with supplier {key.supplier}"
    return f"the order agreement of order {key.order_id}"


def _suffix(key: AgreementKey) -> str:
    return key.supplier if isinstance(key, SupplyKey) else ""


_ORDER_CHOICES = {
    "ship": "Ship",
    "receipt": "ConfirmDelivery",
    "penalty": "ClaimPenalty",
    "invoice": "RaiseInvoice",
}
_SUPPLY_CHOICES = {
    "ship": "ShipSupply",
    "receipt": "ConfirmReceipt",
    "penalty": "ClaimSupplyPenalty",
    "invoice": "RaiseSupplyInvoice",
}
"""The choice of each step on an order and on a supply agreement (Daml 2.x names a data type after every
choice, so two templates of one module cannot both have a ``Ship``)."""


def _choice(key: AgreementKey, step: str) -> str:
    return (_SUPPLY_CHOICES if isinstance(key, SupplyKey) else _ORDER_CHOICES)[step]


class PartyLedger:
    """The ledger as ``party`` sees it and acts on it, through ``client`` (whose token is that party's user's:
    CanActAs and CanReadAs this party only). Ledger errors are the client's (``LedgerUnavailable``: retry;
    ``LedgerRejected``: do not), refusals of a step are :class:`StepRefused` with the reason in words."""

    def __init__(self, client: LedgerCalls, party: str) -> None:
        self.client = client
        self.party = party
        self.written: deque[str] = deque(maxlen=WRITTEN_KEPT)
        """The contracts this session's own commands created, latest last (a duplicate's are not)."""

    # -- reads, by key ---------------------------------------------------------------------------------------

    async def _query(self, template: str, record: type[R], **where: str) -> list[Contract[R]]:
        found = await self.client.query([template], dict(where), readers=[self.party])
        return [
            self._contract(c, template, record) for c in found if _entity(c.template_id) == _entity(template)
        ]

    async def _one(self, template: str, record: type[R], **where: str) -> Contract[R] | None:
        found = await self._query(template, record, **where)
        return found[0] if found else None

    @staticmethod
    def _contract(contract: ActiveContract, template: str, record: type[R]) -> Contract[R]:
        return Contract(contract.contract_id, template, record.model_validate(contract.payload))

    async def customer_order(self, customer: str, order_id: str) -> Contract[OrderTerms] | None:
        """The ``CustomerOrder`` with key (customer, order id), if active."""
        return await self._one(CUSTOMER_ORDER, OrderTerms, customer=customer, orderId=order_id)

    async def order_agreement(self, key: OrderKey) -> Contract[OrderAgreement] | None:
        return await self._one(
            ORDER_AGREEMENT, OrderAgreement, manufacturer=key.manufacturer, orderId=key.order_id
        )

    async def supply_proposal(self, key: SupplyKey) -> Contract[SupplyTerms] | None:
        return await self._one(
            SUPPLY_PROPOSAL,
            SupplyTerms,
            manufacturer=key.manufacturer,
            orderId=key.order_id,
            supplier=key.supplier,
        )

    async def supply_agreement(self, key: SupplyKey) -> Contract[SupplyAgreement] | None:
        return await self._one(
            SUPPLY_AGREEMENT,
            SupplyAgreement,
            manufacturer=key.manufacturer,
            orderId=key.order_id,
            supplier=key.supplier,
        )

    async def supply_agreements(self, key: OrderKey) -> list[Contract[SupplyAgreement]]:
        """The order's supply agreements this party sees (the manufacturer: all of them)."""
        return await self._query(
            SUPPLY_AGREEMENT, SupplyAgreement, manufacturer=key.manufacturer, orderId=key.order_id
        )

    async def agreement(self, key: AgreementKey) -> Contract[Agreement] | None:
        """The order or supply agreement of ``key``, in its current state."""
        if isinstance(key, SupplyKey):
            return await self.supply_agreement(key)
        return await self.order_agreement(key)

    async def invoice(self, key: InvoiceKey) -> Contract[Invoice] | None:
        """The open (unpaid, unclaimed) invoice of ``key``."""
        return await self._one(INVOICE, Invoice, issuer=key.issuer, invoiceId=key.invoice_id)

    async def payment_claim(self, key: InvoiceKey) -> Contract[PaymentClaim] | None:
        return await self._one(PAYMENT_CLAIM, PaymentClaim, issuer=key.issuer, invoiceId=key.invoice_id)

    async def payment_receipt(self, key: InvoiceKey) -> Contract[PaymentReceipt] | None:
        return await self._one(PAYMENT_RECEIPT, PaymentReceipt, issuer=key.issuer, invoiceId=key.invoice_id)

    async def invoices(self, order_id: str) -> list[Contract[Invoice]]:
        """The order's open invoices this party issued or is to pay."""
        return await self._query(INVOICE, Invoice, orderId=order_id)

    async def penalty_claims(self, order_id: str) -> list[Contract[PenaltyClaim]]:
        return await self._query(PENALTY_CLAIM, PenaltyClaim, orderId=order_id)

    # -- helpers ---------------------------------------------------------------------------------------------

    def _must_be(self, party: str, step: str) -> None:
        if party != self.party:
            raise StepRefused(f"party {self.party} may not {step}: that is {party}'s step")

    async def _exercise(
        self,
        contract: Contract[Any],
        choice: str,
        argument: dict[str, Any],
        command: str,
        creates: str,
        record: type[R],
    ) -> Contract[R]:
        """Exercise ``choice`` on ``contract`` as this party; the contract of ``creates`` it returns."""
        outcome = await self.client.exercise(
            contract.template, contract.contract_id, choice, argument, act_as=[self.party], command_id=command
        )
        created_id = str(outcome.exercise_result)
        created = next((c for c in outcome.created if c.contract_id == created_id), None)
        if created is None:
            created = await self.client.fetch(created_id, template_id=creates, readers=[self.party])
        if created is None:
            raise StepRefused(f"{choice} created {created_id}, which is not active any more")
        self.written.append(created_id)
        return self._contract(created, creates, record)

    @staticmethod
    async def _once(
        command: str,
        taken: Callable[[], Awaitable[T | None]],
        take: Callable[[], Awaitable[T]],
        order_id: str | None = None,
    ) -> T:
        """What ``taken`` finds (the step was taken before), else what ``take`` makes; when ``take`` is
        refused (by the ledger, or for want of the contract it needs), what ``taken`` finds then (taken
        meanwhile by a racing session), else the refusal. A duplicate command whose result is not on the
        ledger is an :class:`AgreementConflict` of ``order_id`` (:class:`StepRefused` without one)."""
        found = await taken()
        if found is not None:
            return found
        try:
            return await take()
        except LedgerRejected as exc:
            if isinstance(exc, AgreementConflict):
                raise
            found = await taken()
            if found is not None:
                return found
            if not isinstance(exc, StepRefused) and is_duplicate(exc):
                detail = "; ".join(exc.errors) or str(exc)
                what = (
                    f"command {command} was refused as a duplicate ({detail}) and what it wrote is not active"
                )
                if order_id is not None:
                    raise AgreementConflict(order_id, what) from exc
                raise StepRefused(what) from exc
            raise

    async def _require_agreement(self, key: AgreementKey) -> Contract[Agreement]:
        found = await self.agreement(key)
        if found is None:
            raise StepRefused(f"party {self.party} sees no {_key_text(key).removeprefix('the ')}")
        return found

    async def _on_agreement(self, key: AgreementKey, act: Callable[[Contract[Agreement]], Awaitable[T]]) -> T:
        """``act`` on the agreement of ``key`` as it is now. Buyer and seller both take consuming steps on one
        agreement, so the state read may be archived by the other's step before this command reaches the
        ledger (Daml's CONTRACT_NOT_FOUND, 404): then act again on the state that step made."""
        current = await self._require_agreement(key)
        for _ in range(AGREEMENT_RACE_RETRIES):
            try:
                return await act(current)
            except LedgerRejected as exc:
                if exc.status != 404:
                    raise
                moved = await self._require_agreement(key)
                if moved.contract_id == current.contract_id:
                    raise
                current = moved
        return await act(current)

    @staticmethod
    def _sides(agreement: Agreement) -> tuple[str, str]:
        """(buyer, seller) of an agreement."""
        if isinstance(agreement, SupplyAgreement):
            return agreement.manufacturer, agreement.supplier
        return agreement.customer, agreement.manufacturer

    # -- the order: customer and manufacturer ----------------------------------------------------------------

    async def place_order(self, terms: OrderTerms) -> Contract[OrderTerms]:
        """The customer's order (``CustomerOrder``), or the order agreement once the manufacturer accepted it.
        An order or agreement of the same key with other terms raises :class:`AgreementConflict`."""
        self._must_be(terms.customer, f"place order {terms.order_id}")
        key = OrderKey(terms.manufacturer, terms.order_id)

        async def taken() -> Contract[OrderTerms] | None:
            # the earlier stage first: an acceptance between the two reads archives the order and creates the
            # agreement in one transaction, so the second read sees the agreement
            placed = await self.customer_order(terms.customer, terms.order_id)
            agreed = await self.order_agreement(key)
            if agreed is not None:
                _same(terms, agreed, "the order agreement")
                return agreed
            if placed is not None:
                _same(terms, placed, "the customer order")
            return placed

        async def take() -> Contract[OrderTerms]:
            command = command_id(terms.order_id, "order")
            created = await self.client.create(
                CUSTOMER_ORDER, terms.payload(), act_as=[self.party], command_id=command
            )
            self.written.append(created.contract_id)
            return self._contract(created, CUSTOMER_ORDER, OrderTerms)

        return await self._once(command_id(terms.order_id, "order"), taken, take, terms.order_id)

    async def withdraw_order(self, order_id: str) -> None:
        """The customer withdraws its order before the manufacturer accepts it (nothing to do when it is not
        on the ledger; refused once it is accepted)."""
        placed = await self.customer_order(self.party, order_id)
        if placed is None:
            await self._not_accepted(order_id)
            return
        key = OrderKey(placed.data.manufacturer, order_id)
        try:
            await self.client.exercise(
                CUSTOMER_ORDER,
                placed.contract_id,
                "WithdrawOrder",
                {},
                act_as=[self.party],
                command_id=command_id(order_id, "order-withdraw"),
            )
        except LedgerRejected:
            if await self.order_agreement(key) is not None:
                raise StepRefused(f"order {order_id} was accepted already; it cannot be withdrawn") from None
            if await self.customer_order(self.party, order_id) is not None:
                raise

    async def _not_accepted(self, order_id: str) -> None:
        """Refuse when this customer's order ``order_id`` has an order agreement."""
        if await self._one(ORDER_AGREEMENT, OrderAgreement, orderId=order_id, customer=self.party):
            raise StepRefused(f"order {order_id} was accepted already; it cannot be withdrawn")

    async def accept_order(self, terms: OrderTerms) -> Contract[OrderAgreement]:
        """The manufacturer accepts the customer's order of these terms: the order agreement (found, or made
        by ``AcceptOrder``). Other terms on the ledger raise :class:`AgreementConflict`."""
        self._must_be(terms.manufacturer, f"accept order {terms.order_id}")
        key = OrderKey(terms.manufacturer, terms.order_id)
        command = command_id(terms.order_id, "order-accept")

        async def taken() -> Contract[OrderAgreement] | None:
            agreed = await self.order_agreement(key)
            if agreed is not None:
                _same(terms, agreed, "the order agreement")
            return agreed

        async def take() -> Contract[OrderAgreement]:
            placed = await self.customer_order(terms.customer, terms.order_id)
            if placed is None:
                raise StepRefused(f"customer {terms.customer} has no order {terms.order_id} on the ledger")
            _same(terms, placed, "the customer order")
            return await self._exercise(placed, "AcceptOrder", {}, command, ORDER_AGREEMENT, OrderAgreement)

        return await self._once(command, taken, take, terms.order_id)

    async def reject_order(self, customer: str, order_id: str, reason: str) -> None:
        """The manufacturer rejects the customer's order (nothing to do when it is not on the ledger)."""
        placed = await self.customer_order(customer, order_id)
        if placed is None:
            return
        self._must_be(placed.data.manufacturer, f"reject order {order_id}")
        try:
            await self.client.exercise(
                CUSTOMER_ORDER,
                placed.contract_id,
                "RejectOrder",
                {"reason": reason},
                act_as=[self.party],
                command_id=command_id(order_id, "order-reject"),
            )
        except LedgerRejected:
            if await self.customer_order(customer, order_id) is not None:
                raise

    # -- the supply network: manufacturer and supplier -------------------------------------------------------

    async def propose_supply(self, terms: SupplyTerms) -> Contract[SupplyTerms]:
        """The manufacturer proposes these supply terms to the supplier (``ProposeSupply`` on the order
        agreement): the pending proposal, or the supply agreement once the supplier accepted it. Other terms
        on the ledger raise :class:`AgreementConflict`."""
        self._must_be(terms.manufacturer, f"propose supply for order {terms.order_id}")
        key = SupplyKey(terms.manufacturer, terms.order_id, terms.supplier)
        command = command_id(terms.order_id, "supply-proposal", terms.supplier)

        async def taken() -> Contract[SupplyTerms] | None:
            # the earlier stage first (see place_order): an acceptance in between is seen by the second read
            proposed = await self.supply_proposal(key)
            agreed = await self.supply_agreement(key)
            if agreed is not None:
                _same(terms, agreed, "the supply agreement")
                return agreed
            if proposed is not None:
                _same(terms, proposed, "a supply proposal")
            return proposed

        async def take() -> Contract[SupplyTerms]:
            order = await self._require_agreement(OrderKey(terms.manufacturer, terms.order_id))
            argument = {k: v for k, v in terms.payload().items() if k not in ("orderId", "manufacturer")}
            return await self._exercise(
                order, "ProposeSupply", argument, command, SUPPLY_PROPOSAL, SupplyTerms
            )

        return await self._once(command, taken, take, terms.order_id)

    async def withdraw_supply(self, key: SupplyKey) -> None:
        """The manufacturer withdraws its pending supply proposal (nothing to do when none is pending)."""
        self._must_be(key.manufacturer, f"withdraw the supply proposal of order {key.order_id}")
        await self._end_proposal(key, "WithdrawSupply", {}, "supply-withdraw")

    async def accept_supply(self, terms: SupplyTerms) -> Contract[SupplyAgreement]:
        """The supplier accepts the manufacturer's proposal of these terms (``AcceptSupply``; the ledger
        refuses it without the order agreement): the supply agreement. Other terms raise
        :class:`AgreementConflict`."""
        self._must_be(terms.supplier, f"accept supply for order {terms.order_id}")
        key = SupplyKey(terms.manufacturer, terms.order_id, terms.supplier)
        command = command_id(terms.order_id, "supply-accept", terms.supplier)

        async def taken() -> Contract[SupplyAgreement] | None:
            agreed = await self.supply_agreement(key)
            if agreed is not None:
                _same(terms, agreed, "the supply agreement")
            return agreed

        async def take() -> Contract[SupplyAgreement]:
            proposed = await self.supply_proposal(key)
            if proposed is None:
                raise StepRefused(
                    f"manufacturer {terms.manufacturer} has proposed no supply of order {terms.order_id} to "
                    f"{terms.supplier}"
                )
            _same(terms, proposed, "a supply proposal")
            return await self._exercise(
                proposed, "AcceptSupply", {}, command, SUPPLY_AGREEMENT, SupplyAgreement
            )

        return await self._once(command, taken, take, terms.order_id)

    async def reject_supply(self, key: SupplyKey, reason: str) -> None:
        """The supplier rejects the pending supply proposal (nothing to do when none is pending)."""
        self._must_be(key.supplier, f"reject the supply proposal of order {key.order_id}")
        await self._end_proposal(key, "RejectSupply", {"reason": reason}, "supply-reject")

    async def _end_proposal(self, key: SupplyKey, choice: str, argument: dict[str, Any], step: str) -> None:
        proposed = await self.supply_proposal(key)
        if proposed is None:
            if await self.supply_agreement(key) is not None:
                raise StepRefused(f"the supply of order {key.order_id} by {key.supplier} is agreed already")
            return
        try:
            await self.client.exercise(
                SUPPLY_PROPOSAL,
                proposed.contract_id,
                choice,
                argument,
                act_as=[self.party],
                command_id=command_id(key.order_id, step, key.supplier),
            )
        except LedgerRejected:
            if await self.supply_proposal(key) is not None:
                raise

    # -- the agreement's life: shipment, receipt, penalty, invoice -------------------------------------------

    async def _agreement_step(
        self,
        key: AgreementKey,
        choice: str,
        argument: dict[str, Any],
        step: str,
        done: Callable[[Agreement], bool],
    ) -> Contract[Agreement]:
        """A consuming step on the agreement of ``key``: the agreement re-created in its new state (found
        when ``done`` says the step was taken)."""
        record: type[Agreement] = SupplyAgreement if isinstance(key, SupplyKey) else OrderAgreement
        template = SUPPLY_AGREEMENT if isinstance(key, SupplyKey) else ORDER_AGREEMENT
        command = command_id(key.order_id, step, _suffix(key))

        async def taken() -> Contract[Agreement] | None:
            found = await self.agreement(key)
            return found if found is not None and done(found.data) else None

        async def take() -> Contract[Agreement]:
            return await self._on_agreement(
                key, lambda current: self._exercise(current, choice, argument, command, template, record)
            )

        return await self._once(command, taken, take)

    async def ship(self, key: AgreementKey, carrier: str, reference: str) -> Contract[Agreement]:
        """The seller (manufacturer of an order, supplier of a supply) ships (``Ship``): the agreement with
        its shipment, stamped with ledger time."""
        current = await self._require_agreement(key)
        self._must_be(self._sides(current.data)[1], f"ship {_key_text(key).removeprefix('the ')}")

        def done(agreement: Agreement) -> bool:
            shipment = agreement.shipment
            if shipment is None:
                return False
            if (shipment.carrier, shipment.reference) != (carrier, reference):
                raise StepRefused(
                    f"{_key_text(key)} was shipped already, with {shipment.carrier} {shipment.reference}"
                )
            return True

        return await self._agreement_step(
            key, _choice(key, "ship"), {"carrier": carrier, "reference": reference}, "ship", done
        )

    async def confirm_receipt(self, key: AgreementKey) -> Contract[Agreement]:
        """The buyer confirms that the shipment arrived (``ConfirmDelivery`` by the customer on an order,
        ``ConfirmReceipt`` by the manufacturer on a supply): the agreement with its receipt (ledger time, days
        late against the agreed date)."""
        current = await self._require_agreement(key)
        self._must_be(
            self._sides(current.data)[0], f"confirm receipt of {_key_text(key).removeprefix('the ')}"
        )
        choice = _choice(key, "receipt")
        return await self._agreement_step(key, choice, {}, "receipt", lambda a: a.receipt is not None)

    async def claim_penalty(self, key: AgreementKey) -> Contract[PenaltyClaim]:
        """The buyer claims the late-delivery penalty (``ClaimPenalty``): the penalty claim, its amount from
        the days late in ledger time (the ledger refuses it for a delivery on time)."""
        current = await self._require_agreement(key)
        buyer, seller = self._sides(current.data)
        self._must_be(buyer, f"claim the penalty of {_key_text(key).removeprefix('the ')}")
        command = command_id(key.order_id, "penalty", _suffix(key))

        async def taken() -> Contract[PenaltyClaim] | None:
            agreement = await self._require_agreement(key)
            if not agreement.data.penalty_claimed:
                return None
            for claim in await self.penalty_claims(key.order_id):
                if (claim.data.claimant, claim.data.liable) == (buyer, seller):
                    return claim
            raise StepRefused(f"the penalty of {_key_text(key)} was claimed already")

        async def take() -> Contract[PenaltyClaim]:
            choice = _choice(key, "penalty")
            return await self._on_agreement(
                key,
                lambda agreement: self._exercise(agreement, choice, {}, command, PENALTY_CLAIM, PenaltyClaim),
            )

        return await self._once(command, taken, take)

    async def raise_invoice(self, key: AgreementKey, invoice_id: str, due_date: date) -> Contract[Invoice]:
        """The seller invoices the agreed price (``RaiseInvoice``): the invoice (or, once its payment is
        claimed or confirmed, the contract that carries it on)."""
        current = await self._require_agreement(key)
        seller = self._sides(current.data)[1]
        self._must_be(seller, f"invoice {_key_text(key).removeprefix('the ')}")
        command = command_id(key.order_id, "invoice", _suffix(key))
        invoice_key = InvoiceKey(seller, invoice_id)

        async def taken() -> Contract[Invoice] | None:
            agreement = await self._require_agreement(key)
            raised = agreement.data.invoice_id
            if raised is None:
                return None
            if raised != invoice_id:
                raise StepRefused(f"{_key_text(key)} was invoiced already, as {raised}")
            found: Contract[Invoice] | None = (
                await self.invoice(invoice_key)
                or await self.payment_claim(invoice_key)
                or await self.payment_receipt(invoice_key)
            )
            if found is None:
                raise StepRefused(f"invoice {invoice_id} of {_key_text(key)} is not active any more")
            return found

        async def take() -> Contract[Invoice]:
            argument = {"invoiceId": invoice_id, "dueDate": due_date.isoformat()}
            choice = _choice(key, "invoice")
            return await self._on_agreement(
                key, lambda agreement: self._exercise(agreement, choice, argument, command, INVOICE, Invoice)
            )

        return await self._once(command, taken, take)

    # -- payment: payer claims, issuer confirms or rejects ---------------------------------------------------

    async def _require_invoice(self, key: InvoiceKey) -> Contract[Invoice]:
        found = await self.invoice(key)
        if found is None:
            raise StepRefused(f"party {self.party} sees no open invoice {key.invoice_id} of {key.issuer}")
        return found

    async def claim_payment(self, key: InvoiceKey, payment_ref: str) -> Contract[PaymentClaim]:
        """The payer says it paid (``ClaimPayment``): the payment claim (or, once the issuer confirmed it, the
        receipt)."""
        command = command_id(key.invoice_id, "claim-payment", f"{key.issuer}:{payment_ref}")

        async def taken() -> Contract[PaymentClaim] | None:
            found: Contract[PaymentClaim] | None = await self.payment_claim(
                key
            ) or await self.payment_receipt(key)
            if found is None:
                return None
            if found.data.payment_ref != payment_ref:
                raise StepRefused(
                    f"payment of invoice {key.invoice_id} was claimed already, as {found.data.payment_ref}"
                )
            return found

        async def take() -> Contract[PaymentClaim]:
            invoice = await self._require_invoice(key)
            self._must_be(invoice.data.payer, f"claim payment of invoice {key.invoice_id}")
            argument = {"paymentRef": payment_ref}
            return await self._exercise(
                invoice, "ClaimPayment", argument, command, PAYMENT_CLAIM, PaymentClaim
            )

        return await self._once(command, taken, take)

    async def confirm_payment(self, key: InvoiceKey) -> Contract[PaymentReceipt]:
        """The issuer confirms the claimed payment (``ConfirmPayment``): the receipt, paid at ledger time."""
        self._must_be(key.issuer, f"confirm payment of invoice {key.invoice_id}")

        async def taken() -> Contract[PaymentReceipt] | None:
            return await self.payment_receipt(key)

        claim = await self.payment_claim(key)
        command = command_id(
            key.invoice_id, "confirm-payment", f"{key.issuer}:{claim.data.payment_ref if claim else ''}"
        )

        async def take() -> Contract[PaymentReceipt]:
            claimed = await self.payment_claim(key)
            if claimed is None:
                raise StepRefused(f"no payment of invoice {key.invoice_id} is claimed")
            return await self._exercise(
                claimed, "ConfirmPayment", {}, command, PAYMENT_RECEIPT, PaymentReceipt
            )

        return await self._once(command, taken, take)

    async def reject_payment(self, key: InvoiceKey, reason: str) -> Contract[Invoice]:
        """The issuer says the claimed payment did not arrive (``RejectPayment``): the invoice, open again."""
        self._must_be(key.issuer, f"reject payment of invoice {key.invoice_id}")
        claimed = await self.payment_claim(key)
        if claimed is None:
            raise StepRefused(f"no payment of invoice {key.invoice_id} is claimed")
        command = command_id(key.invoice_id, "reject-payment", f"{key.issuer}:{claimed.data.payment_ref}")
        try:
            return await self._exercise(
                claimed, "RejectPayment", {"reason": reason}, command, INVOICE, Invoice
            )
        except LedgerRejected:
            reopened = await self.invoice(key)
            if reopened is None:
                raise
            return reopened


def _same(wanted: OrderTerms | SupplyTerms, found: Contract[Any], what: str) -> None:
    """Raise :class:`AgreementConflict` unless ``found`` has the terms ``wanted``."""
    differing = wanted.differing(found.data)
    if differing:
        raise AgreementConflict(wanted.order_id, f"{what} {found.contract_id}", differing)
