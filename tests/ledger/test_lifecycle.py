"""An agreement's life after the commit, each step through the session of the party who takes it (a token of
its own ledger user), through dazl and through the JSON API: ship -> confirm receipt -> invoice -> claim
payment -> confirm payment, for the order and for a supply agreement; every step idempotent; a step that is
another party's refused, by the session and by the ledger; lateness and its penalty in ledger time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from ledger.commit import AgreementCommitter, plan
from ledger.jsonapi_client import LedgerRejected
from ledger.lifecycle import (
    CUSTOMER_ORDER,
    INVOICE,
    PAYMENT_CLAIM,
    SUPPLY_PROPOSAL,
    AgreementConflict,
    InvoiceKey,
    OrderAgreement,
    OrderKey,
    PartyLedger,
    StepRefused,
    SupplyAgreement,
    SupplyKey,
    TokenSessions,
    command_id,
)
from ledger.testing import LedgerProcess
from ontology.contract import PartyRole
from tests.ledger.examples import commit_request
from tests.ledger.party_sessions import Identity, Transport, onboard_all, sessions
from tests.ledger.users_support import SECRET as TIME_SECRET
from tests.ledger.v2_support import V2_ENV, advance_to

SECRET = "lifecycle-test-secret-0123456789abcdef"
PARTIES = {
    "c1": PartyRole.CUSTOMER,
    "m1": PartyRole.MANUFACTURER,
    "s1": PartyRole.SUPPLIER,
    "s2": PartyRole.SUPPLIER,
}
DUE = date(2030, 9, 1)


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path_factory.mktemp("lifecycle"), secret=SECRET)
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
async def identities(ledger: LedgerProcess) -> dict[tuple[PartyRole, str], Identity]:
    return await onboard_all(ledger, SECRET, PARTIES)


@pytest.fixture(params=["dazl", "json"])
async def parties(
    request: pytest.FixtureRequest, ledger: LedgerProcess, identities: dict[tuple[PartyRole, str], Identity]
) -> AsyncIterator[TokenSessions]:
    transport: Transport = request.param
    opened = sessions(ledger, SECRET, identities, transport)
    yield opened
    await opened.aclose()


async def test_order_and_supply_from_shipment_to_payment(parties: TokenSessions) -> None:
    request = commit_request()
    committed = await AgreementCommitter(parties).commit(request)
    order_id = str(request.order.id)
    customer = await parties.session(PartyRole.CUSTOMER, "c1")
    maker = await parties.session(PartyRole.MANUFACTURER, "m1")
    s1 = await parties.session(PartyRole.SUPPLIER, "s1")
    order_key = OrderKey(maker.party, order_id)
    supply_key = SupplyKey(maker.party, order_id, s1.party)

    # the supplier ships its parts, the manufacturer confirms their receipt, the supplier invoices them
    shipped = await s1.ship(supply_key, "DHL", "JD0001")
    assert isinstance(shipped.data, SupplyAgreement) and shipped.data.shipment is not None
    assert shipped.contract_id not in committed.contract_ids  # consuming: re-created in its new state
    assert (await s1.ship(supply_key, "DHL", "JD0001")).contract_id == shipped.contract_id  # idempotent
    received = await maker.confirm_receipt(supply_key)
    assert received.data.receipt is not None and received.data.receipt.days_late == 0
    assert received.data.receipt.received_at >= shipped.data.shipment.shipped_at
    invoice = await s1.raise_invoice(supply_key, f"S-{order_id[:8]}", DUE)
    supply_price = sum(
        (a.offer.price for a in request.network.assignments if a.supplier_id == "s1"), Decimal(0)
    )
    assert invoice.data.amount == supply_price and (invoice.data.issuer, invoice.data.payer) == (
        s1.party,
        maker.party,
    )
    assert (await s1.raise_invoice(supply_key, f"S-{order_id[:8]}", DUE)).contract_id == invoice.contract_id
    await _pay(maker, s1, InvoiceKey(s1.party, invoice.data.invoice_id), invoice.data.amount)

    # the manufacturer ships the product, the customer confirms delivery, the manufacturer invoices it
    sent = await maker.ship(order_key, "UPS", "1Z999")
    assert isinstance(sent.data, OrderAgreement) and sent.data.shipment is not None
    delivered = await customer.confirm_receipt(order_key)
    assert delivered.data.receipt is not None and delivered.data.receipt.days_late == 0
    assert (await customer.confirm_receipt(order_key)).contract_id == delivered.contract_id
    billed = await maker.raise_invoice(order_key, f"O-{order_id[:8]}", DUE)
    assert billed.data.amount == request.quotation.total_price and billed.data.payer == customer.party
    await _pay(customer, maker, InvoiceKey(maker.party, billed.data.invoice_id), billed.data.amount)

    agreement = await maker.order_agreement(order_key)
    assert agreement is not None and agreement.data.invoice_id == billed.data.invoice_id
    assert [a.data.supplier for a in await maker.supply_agreements(order_key)].count(s1.party) == 1
    assert await customer.invoices(order_id) == []  # paid: no invoice is open


class _InterleavedCalls:
    """``calls``, but ``before`` runs once between the session's read and its first command (another party's
    step landing in that gap)."""

    def __init__(self, calls: Any, before: Callable[[], Awaitable[object]]) -> None:
        self._calls = calls
        self._before: Callable[[], Awaitable[object]] | None = before

    def __getattr__(self, name: str) -> Any:
        return getattr(self._calls, name)

    async def exercise(self, *args: Any, **kwargs: Any) -> Any:
        before, self._before = self._before, None
        if before is not None:
            await before()
        return await self._calls.exercise(*args, **kwargs)


async def test_a_step_taken_while_the_other_party_changes_the_agreement_lands_on_its_new_state(
    parties: TokenSessions,
) -> None:
    """The supplier invoices between the manufacturer's read of the shipped agreement and its ConfirmReceipt:
    the state read is archived, and the receipt is taken on the state the invoice made (the customer's
    delivery races the manufacturer's invoice the same way)."""
    request = commit_request()
    await AgreementCommitter(parties).commit(request)
    order_id = str(request.order.id)
    customer = await parties.session(PartyRole.CUSTOMER, "c1")
    maker = await parties.session(PartyRole.MANUFACTURER, "m1")
    s1 = await parties.session(PartyRole.SUPPLIER, "s1")
    supply_key = SupplyKey(maker.party, order_id, s1.party)
    shipped = await s1.ship(supply_key, "DHL", "JD0002")

    calls = maker.client
    maker.client = _InterleavedCalls(calls, lambda: s1.raise_invoice(supply_key, f"S-{order_id[:8]}", DUE))
    try:
        received = await maker.confirm_receipt(supply_key)
    finally:
        maker.client = calls
    assert received.data.receipt is not None and received.data.invoice_id == f"S-{order_id[:8]}"
    assert received.contract_id != shipped.contract_id

    order_key = OrderKey(maker.party, order_id)
    await maker.ship(order_key, "UPS", "1Z998")
    own = customer.client
    customer.client = _InterleavedCalls(own, lambda: maker.raise_invoice(order_key, f"O-{order_id[:8]}", DUE))
    try:
        delivered = await customer.confirm_receipt(order_key)
    finally:
        customer.client = own
    assert delivered.data.receipt is not None and delivered.data.invoice_id == f"O-{order_id[:8]}"


async def _pay(payer: PartyLedger, issuer: PartyLedger, key: InvoiceKey, amount: Decimal) -> None:
    claim = await payer.claim_payment(key, "SEPA-42")
    assert claim.data.payment_ref == "SEPA-42" and claim.data.amount == amount
    assert (await payer.claim_payment(key, "SEPA-42")).contract_id == claim.contract_id
    with pytest.raises(StepRefused, match="claimed already, as SEPA-42"):
        await payer.claim_payment(key, "other")
    with pytest.raises(StepRefused, match="may not confirm payment"):
        await payer.confirm_payment(key)
    # the ledger itself refuses the payer's confirmation (the payee's choice), whatever the session says
    with pytest.raises(LedgerRejected):
        await payer.client.exercise(
            PAYMENT_CLAIM, claim.contract_id, "ConfirmPayment", {}, act_as=[payer.party], command_id=None
        )
    receipt = await issuer.confirm_payment(key)
    assert receipt.data.paid_at >= claim.data.claimed_at and receipt.data.amount == amount
    assert (await issuer.confirm_payment(key)).contract_id == receipt.contract_id
    assert (await payer.payment_receipt(key)) == receipt


async def test_steps_of_another_party_are_refused(parties: TokenSessions) -> None:
    request = commit_request()
    await AgreementCommitter(parties).commit(request)
    order_id = str(request.order.id)
    customer = await parties.session(PartyRole.CUSTOMER, "c1")
    maker = await parties.session(PartyRole.MANUFACTURER, "m1")
    s2 = await parties.session(PartyRole.SUPPLIER, "s2")
    order_key = OrderKey(maker.party, order_id)
    with pytest.raises(StepRefused, match=f"party {customer.party} may not ship"):
        await customer.ship(order_key, "UPS", "x")
    with pytest.raises(StepRefused, match="may not invoice"):
        await customer.raise_invoice(order_key, "I-1", DUE)
    with pytest.raises(StepRefused, match=f"sees no supply agreement of order {order_id}"):
        await s2.ship(SupplyKey(maker.party, order_id, "nobody"), "DHL", "x")
    agreement = await maker.order_agreement(order_key)
    assert agreement is not None
    # the customer's own token cannot take the manufacturer's step on the ledger either
    with pytest.raises(LedgerRejected):
        await customer.client.exercise(
            agreement.template,
            agreement.contract_id,
            "Ship",
            {"carrier": "UPS", "reference": "x"},
            act_as=[maker.party],
            command_id=command_id(order_id, "forged-ship"),
        )
    # nor create an invoice with one party's authority
    with pytest.raises(LedgerRejected):
        await maker.client.create(
            INVOICE,
            {
                "invoiceId": "I-forged",
                "orderId": order_id,
                "issuer": maker.party,
                "payer": customer.party,
                "amount": "999999",
                "currency": "EUR",
                "issuedAt": "2030-01-01T00:00:00Z",
                "dueDate": "2030-09-01",
            },
            act_as=[maker.party],
        )
    assert await maker.invoices(order_id) == []
    # a step taken once with other arguments is refused in words
    await maker.ship(order_key, "UPS", "1Z1")
    with pytest.raises(StepRefused, match="shipped already, with UPS 1Z1"):
        await maker.ship(order_key, "DHL", "other")
    # no penalty for a delivery on time: the ledger refuses the claim
    await customer.confirm_receipt(order_key)
    with pytest.raises(LedgerRejected):
        await customer.claim_penalty(order_key)
    assert await customer.penalty_claims(order_id) == []


@pytest.fixture(scope="module")
def static_ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    """A ledger whose time moves only when the TimeService says (``LSO_LEDGER_TIME_MODE=static``)."""
    process = LedgerProcess(tmp_path_factory.mktemp("lifecycle-static"), secret=TIME_SECRET, env=V2_ENV)
    process.start()
    yield process
    process.stop()


async def test_lateness_in_ledger_time_gives_the_buyer_its_penalty(static_ledger: LedgerProcess) -> None:
    """Shipped and received 3 days after the agreed date (ledger time moved by the TimeService): the customer
    claims 3 x 5 from the manufacturer, the manufacturer its penalty from a late supplier; once only."""
    identities = await onboard_all(static_ledger, TIME_SECRET, PARTIES)
    opened = {t: sessions(static_ledger, TIME_SECRET, identities, t) for t in ("dazl", "json")}
    try:
        requests = {t: commit_request() for t in opened}
        for transport, request in requests.items():  # agreed while the dates are ahead
            await AgreementCommitter(opened[transport]).commit(request)
        order_date = requests["dazl"].quotation.delivery_date
        await advance_to(static_ledger, order_date + timedelta(days=3))
        for transport, request in requests.items():
            parties = opened[transport]
            order_id = str(request.order.id)
            customer = await parties.session(PartyRole.CUSTOMER, "c1")
            maker = await parties.session(PartyRole.MANUFACTURER, "m1")
            s1 = await parties.session(PartyRole.SUPPLIER, "s1")
            supply_key = SupplyKey(maker.party, order_id, s1.party)
            supply_date = request.terms()[1].delivery_date
            await s1.ship(supply_key, "DHL", "late")
            received = await maker.confirm_receipt(supply_key)
            assert received.data.receipt is not None
            assert received.data.receipt.days_late == (order_date + timedelta(days=3) - supply_date).days
            supply_claim = await maker.claim_penalty(supply_key)
            assert (supply_claim.data.claimant, supply_claim.data.liable) == (maker.party, s1.party)
            assert supply_claim.data.amount == 5 * received.data.receipt.days_late

            order_key = OrderKey(maker.party, order_id)
            await maker.ship(order_key, "UPS", "late")
            delivered = await customer.confirm_receipt(order_key)
            assert delivered.data.receipt is not None and delivered.data.receipt.days_late == 3
            claim = await customer.claim_penalty(order_key)
            assert (claim.data.claimant, claim.data.liable, claim.data.amount) == (
                customer.party,
                maker.party,
                Decimal(15),
            )
            assert (await customer.claim_penalty(order_key)).contract_id == claim.contract_id  # once only
            assert len(await customer.penalty_claims(order_id)) == 1
            agreement = await customer.order_agreement(order_key)
            assert agreement is not None and agreement.data.penalty_claimed
    finally:
        for parties in opened.values():
            await parties.aclose()


async def test_proposals_end_by_withdrawal_or_rejection_and_a_rejected_payment_reopens_the_invoice(
    parties: TokenSessions, identities: dict[tuple[PartyRole, str], Identity]
) -> None:
    customer = await parties.session(PartyRole.CUSTOMER, "c1")
    maker = await parties.session(PartyRole.MANUFACTURER, "m1")
    s1 = await parties.session(PartyRole.SUPPLIER, "s1")
    suppliers = {"s1": s1.party, "s2": identities[(PartyRole.SUPPLIER, "s2")].party}

    # the customer withdraws one order; the manufacturer rejects another; both steps idempotent
    withdrawn, rejected = commit_request(), commit_request()
    for request in (withdrawn, rejected):
        placed = await customer.place_order(plan(request, customer.party, maker.party, suppliers).order)
        assert placed.template == CUSTOMER_ORDER
    await customer.withdraw_order(str(withdrawn.order.id))
    await customer.withdraw_order(str(withdrawn.order.id))
    await maker.reject_order(customer.party, str(rejected.order.id), "no capacity")
    await maker.reject_order(customer.party, str(rejected.order.id), "no capacity")
    for request in (withdrawn, rejected):
        assert await maker.customer_order(customer.party, str(request.order.id)) is None
        with pytest.raises(StepRefused, match=f"customer {customer.party} has no order"):
            await maker.accept_order(plan(request, customer.party, maker.party, suppliers).order)

    # no supply is proposed without the order agreement
    request = commit_request()
    p = plan(request, customer.party, maker.party, suppliers)
    supply = p.supplies[0][1]
    with pytest.raises(StepRefused, match=f"sees no order agreement of order {p.order_id}"):
        await maker.propose_supply(supply)
    await customer.place_order(p.order)
    await maker.accept_order(p.order)
    with pytest.raises(StepRefused, match="was accepted already; it cannot be withdrawn"):
        await customer.withdraw_order(p.order_id)

    # a proposal the supplier rejects, then one the manufacturer withdraws: neither leaves an agreement
    key = SupplyKey(maker.party, p.order_id, s1.party)
    assert (await maker.propose_supply(supply)).template == SUPPLY_PROPOSAL
    await s1.reject_supply(key, "booked out")
    assert await s1.supply_proposal(key) is None
    with pytest.raises(StepRefused, match="has proposed no supply"):
        await s1.accept_supply(supply)
    with pytest.raises(AgreementConflict, match="supply-proposal"):  # its command id is deduplicated
        await maker.propose_supply(supply)
    other = p.supplies[1][1]
    other_key = SupplyKey(maker.party, p.order_id, other.supplier)
    await maker.propose_supply(other)
    await maker.withdraw_supply(other_key)
    await maker.withdraw_supply(other_key)
    assert await maker.supply_proposal(other_key) is None
    with pytest.raises(StepRefused, match="may not withdraw"):
        await s1.withdraw_supply(key)
    assert await maker.supply_agreements(OrderKey(maker.party, p.order_id)) == []

    # the order's invoice: the payment claimed, rejected by the issuer, claimed again and confirmed
    order_key = OrderKey(maker.party, p.order_id)
    invoice = await maker.raise_invoice(order_key, f"R-{p.order_id[:8]}", DUE)
    invoice_key = InvoiceKey(maker.party, invoice.data.invoice_id)
    await customer.claim_payment(invoice_key, "first")
    reopened = await maker.reject_payment(invoice_key, "nothing arrived")
    assert reopened.template == INVOICE and reopened.data == invoice.data
    assert (await customer.claim_payment(invoice_key, "second")).data.payment_ref == "second"
    receipt = await maker.confirm_payment(invoice_key)
    assert receipt.data.payment_ref == "second" and receipt.data.amount == p.order.price
