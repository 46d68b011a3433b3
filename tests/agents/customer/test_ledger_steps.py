"""The customer's own steps on the ledger, taken by the customer agent with the customer's own session (a
token of the customer's ledger user, CanActAs + CanReadAs its party only): the signed ``CustomerOrder``
before the acceptance, the ``PaymentClaim`` before the payment is told, ``ConfirmDelivery`` (and
``ClaimPenalty`` when late) once the order is shipped; a ledger that does not answer fails the order in
words and nothing is accepted.

A real ``python -m ledger`` (Canton-style party ids, static ledger time moved with Daml's TimeService), the
customer agent and a probe playing the manufacturer on the embedded pyjabber; the manufacturer's ledger steps
are taken with the manufacturer's own session.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent, CustomerTimings, OrderEvent
from agents.customer.decisions import PolicyDecisions
from agents.customer.ledger_steps import Backoff, LedgerStepFailed, ledger_terms
from agents.manufacturer.notices import notice_message
from common.settings import Settings
from ledger.jsonapi_client import JsonApiClient, RetryPolicy, TokenProvider
from ledger.lifecycle import InvoiceKey, LedgerCalls, OrderKey, PartyLedger, StaticIdentities, TokenSessions
from ledger.testing import LedgerProcess, free_port
from ontology.billing import Invoice, InvoiceLine, Payment
from ontology.codec import decode
from ontology.common import Ping, Reason
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted, PartyRole
from ontology.lifecycle import ShipmentInfo
from ontology.order import Order, OrderStatus
from ontology.penalty import Penalty
from ontology.policy import CustomerPolicy
from ontology.quotation import AcceptQuotation, Quotation, QuotationLine
from protocols.acl import AclMessage
from protocols.performative import Performative, ProtocolName
from store.enums import AgentRole
from tests.agents.probe import Probe
from tests.ledger.party_sessions import Identity, UserTokens, connector, onboard_all, sessions
from tests.ledger.users_support import SECRET
from tests.ledger.v2_support import V2_ENV, advance_to, ledger_time
from tests.xmpp_accounts import started

WAIT = 15.0
PARTIES = {"c1": PartyRole.CUSTOMER, "m1": PartyRole.MANUFACTURER}
PENALTY = Penalty(per_day_late=Decimal(10), cap=Decimal(25))


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path / "ledger", secret=SECRET, env=V2_ENV)
    process.start()
    yield process
    process.stop()


@dataclass
class World:
    ledger: LedgerProcess
    customer: CustomerAgent
    manufacturer: Probe
    maker: PartyLedger
    """The manufacturer's own ledger session."""
    client: PartyLedger
    """The customer's own ledger session (to read what the customer agent wrote)."""
    events: list[OrderEvent] = field(default_factory=list)


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
async def world(ledger: LedgerProcess, pyjabber_settings: Settings) -> AsyncIterator[World]:
    identities = await onboard_all(ledger, SECRET, PARTIES)
    customer_sessions = sessions(ledger, SECRET, identities, "json")
    maker_sessions = sessions(ledger, SECRET, identities, "dazl")
    events: list[OrderEvent] = []
    customer = CustomerAgent(
        unique("customer"),
        pyjabber_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CustomerTimings(quotation=timedelta(seconds=WAIT), contract=timedelta(seconds=WAIT)),
        on_event=events.append,
        ledger=customer_sessions,
        ledger_parties=StaticIdentities(identities),
    )
    manufacturer = Probe(unique("manufacturer"), pyjabber_settings)
    try:
        await started(customer, role=AgentRole.CUSTOMER, party="*")
        await started(manufacturer, role=AgentRole.MANUFACTURER, party="m1")
        yield World(
            ledger,
            customer,
            manufacturer,
            await maker_sessions.session(PartyRole.MANUFACTURER, "m1"),
            await customer_sessions.session(PartyRole.CUSTOMER, "c1"),
            events,
        )
    finally:
        for agent in (customer, manufacturer):
            await agent.stop()
        await customer_sessions.aclose()
        await maker_sessions.aclose()


async def an_order(ledger: LedgerProcess, quantity: int = 2) -> Order:
    today = (await ledger_time(ledger)).date()
    return Order(
        customer_id="c1",
        manufacturer_id="m1",
        product_id="bike-frame",
        quantity=quantity,
        delivery_date=today + timedelta(days=9),
        created_at=datetime.now(UTC),
    )


def quotation_of(order: Order) -> Quotation:
    return Quotation(
        order_id=order.id,
        lines=(QuotationLine(part_id="all", price=Decimal("240.50")),),
        total_price=Decimal("240.50"),
        delivery_date=order.delivery_date,
        valid_until=datetime.now(UTC) + timedelta(seconds=WAIT),
        penalty=PENALTY,
    )


async def quote(world: World, order: Order, quotation: Quotation) -> AclMessage:
    """Play the manufacturer: take the order, quote it; the customer's answer."""
    manufacturer = world.manufacturer
    opening = await manufacturer.next_message(wait=WAIT)
    assert opening.performative is Performative.REQUEST and opening.protocol == ProtocolName.ORDER
    manufacturer.send_acl(opening.create_reply(Performative.AGREE, Ping()))
    manufacturer.send_acl(
        opening.create_reply(Performative.PROPOSE, quotation, reply_by=quotation.valid_until)
    )
    return await manufacturer.next_message(opening.conversation_id, wait=WAIT)


def notice(world: World, notice: OrderStatusNotice) -> None:
    message = notice_message(world.manufacturer.address, [world.customer.address], notice)
    assert message is not None
    world.manufacturer.send_acl(message)


async def bill(world: World, order: Order, contract_id: str | None, unit: str = "120.25") -> AclMessage:
    """The manufacturer's FIPA request with the invoice; the customer's answer after its agree."""
    invoice = Invoice(
        order_id=order.id,
        issuer="m1",
        payer="c1",
        lines=(InvoiceLine(description="bike frame", quantity=2, unit_price=Decimal(unit)),),
        total=Decimal(unit) * 2,
        due_date=datetime.now(UTC).date() + timedelta(days=30),
        contract_id=contract_id,
    )
    message = AclMessage.build(
        Performative.REQUEST,
        world.manufacturer.address,
        world.customer.address,
        invoice,
        protocol=ProtocolName.REQUEST,
        conversation_id=str(uuid.uuid4()),
        reply_by=datetime.now(UTC) + timedelta(seconds=WAIT),
    )
    world.manufacturer.send_acl(message)
    agreed = await world.manufacturer.next_message(message.conversation_id, wait=WAIT)
    assert agreed.performative is Performative.AGREE, agreed
    return await world.manufacturer.next_message(message.conversation_id, wait=WAIT)


async def test_the_customer_signs_pays_and_confirms_a_late_delivery_claiming_the_penalty(
    world: World,
) -> None:
    order = await an_order(world.ledger)
    quotation = quotation_of(order)
    handle = world.customer.place_order(order, world.manufacturer.address)
    accepted = await quote(world, order, quotation)

    # 1. the customer's signature is on the ledger before the acceptance, at the shared terms
    assert accepted.performative is Performative.ACCEPT_PROPOSAL, accepted
    accept = decode(accepted.content, AcceptQuotation)
    placed = await world.maker.customer_order(world.client.party, str(order.id))
    assert placed is not None and accept.customer_order_contract_id == placed.contract_id
    assert placed.data == ledger_terms(order, quotation, world.client.party, world.maker.party)
    assert placed.data.quantity == 2 and placed.data.penalty is not None
    assert placed.data.penalty.per_day_late == Decimal(10) and placed.data.price == Decimal("240.50")
    agreement = await world.maker.accept_order(placed.data)
    committed = ContractCommitted(order_id=order.id, order_contract_id=agreement.contract_id)
    world.manufacturer.send_acl(accepted.create_reply(Performative.INFORM, committed))
    assert (await handle.outcome).status == "contracted"

    # 7. the customer claims its payment on the ledger before it tells it
    key = OrderKey(world.maker.party, str(order.id))
    due = (await ledger_time(world.ledger)).date() + timedelta(days=30)
    raised = await world.maker.raise_invoice(key, f"INV-{order.id.hex[:8]}", due)
    paid = await bill(world, order, raised.contract_id)
    assert paid.performative is Performative.INFORM, paid
    payment = decode(paid.content, Payment)
    invoice_key = InvoiceKey(world.maker.party, raised.data.invoice_id)
    claim = await world.maker.payment_claim(invoice_key)
    assert claim is not None and payment.claim_contract_id == claim.contract_id
    assert claim.data.payer == world.client.party and claim.data.payment_ref == payment.reference
    await world.maker.confirm_payment(invoice_key)
    assert order.id in world.customer.orders, "a paid order waits for its delivery"

    # 9. shipped, arriving three days late: the delivery confirmed as the customer, the penalty claimed
    await world.maker.ship(key, "DHL", "1Z999AA10123456784")
    await advance_to(world.ledger, order.delivery_date + timedelta(days=3))
    shipment = ShipmentInfo(carrier="DHL", reference="1Z999AA10123456784", shipped_at=datetime.now(UTC))
    notice(world, OrderStatusNotice(order_id=order.id, status=OrderStatus.SHIPPED, shipment=shipment))
    async with asyncio.timeout(WAIT):
        confirmed = await handle.delivery
    assert confirmed.days_late == 3 and confirmed.penalty == Decimal(25) and confirmed.currency == "EUR"
    day = order.delivery_date + timedelta(days=3)
    assert confirmed.words == (
        f"Delivered on {day.day} {day.strftime('%B')} {day.year}, 3 days late; a penalty of €25.00 is claimed"
    )
    received = await world.maker.order_agreement(key)
    assert received is not None and received.data.receipt is not None
    assert received.data.receipt.days_late == 3 and received.data.penalty_claimed
    claims = await world.maker.penalty_claims(str(order.id))
    assert [(c.data.claimant, c.data.liable, c.data.amount) for c in claims] == [
        (world.client.party, world.maker.party, Decimal(25))
    ]
    assert [e.detail for e in world.events if e.kind == "delivered"] == [confirmed.words]

    # told again (a repeated notice, a restarted manufacturer): nothing is done twice
    again = await world.customer.take_delivery(order.id, "c1", "m1")
    assert again == confirmed
    assert len(await world.maker.penalty_claims(str(order.id))) == 1

    notice(world, OrderStatusNotice(order_id=order.id, status=OrderStatus.DELIVERED, note="Delivered"))
    for _ in range(int(WAIT / 0.05)):
        if order.id not in world.customer.orders:
            break
        await asyncio.sleep(0.05)
    assert order.id not in world.customer.orders, "a delivered order is settled"


async def test_a_delivery_on_time_claims_no_penalty(world: World) -> None:
    order = await an_order(world.ledger, quantity=1)
    quotation = quotation_of(order)
    handle = world.customer.place_order(order, world.manufacturer.address)
    accepted = await quote(world, order, quotation)
    placed = await world.maker.customer_order(world.client.party, str(order.id))
    assert placed is not None
    agreement = await world.maker.accept_order(placed.data)
    world.manufacturer.send_acl(
        accepted.create_reply(
            Performative.INFORM, ContractCommitted(order_id=order.id, order_contract_id=agreement.contract_id)
        )
    )
    assert (await handle.outcome).status == "contracted"
    await world.maker.ship(OrderKey(world.maker.party, str(order.id)), "UPS", "1Z1")
    notice(world, OrderStatusNotice(order_id=order.id, status=OrderStatus.SHIPPED))
    async with asyncio.timeout(WAIT):
        confirmed = await handle.delivery
    assert confirmed.days_late == 0 and confirmed.penalty is None
    assert confirmed.words.startswith("Delivered on ") and "late" not in confirmed.words
    assert await world.maker.penalty_claims(str(order.id)) == []


async def test_a_ledger_away_fails_the_order_in_words_and_nothing_is_accepted(
    ledger: LedgerProcess, pyjabber_settings: Settings
) -> None:
    identities: dict[tuple[PartyRole, str], Identity] = {
        (PartyRole.CUSTOMER, "c1"): Identity("c1::1220ab", "lso-c1"),
        (PartyRole.MANUFACTURER, "m1"): Identity("m1::1220ab", "lso-m1"),
    }
    away = f"http://127.0.0.1:{free_port()}"  # nothing listens there

    def connect(token: TokenProvider) -> LedgerCalls:
        return JsonApiClient(away, token, timeout=0.5, retry=RetryPolicy(attempts=1, backoff=0.01))

    opened = TokenSessions(StaticIdentities(identities), UserTokens(SECRET), connect)
    events: list[OrderEvent] = []
    customer = CustomerAgent(
        unique("customer"),
        pyjabber_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CustomerTimings(quotation=timedelta(seconds=WAIT), contract=timedelta(seconds=1.5)),
        on_event=events.append,
        ledger=opened,
        ledger_parties=StaticIdentities(identities),
        ledger_backoff=Backoff(first=0.1, most=0.4),
    )
    manufacturer = Probe(unique("manufacturer"), pyjabber_settings)
    try:
        await started(customer, role=AgentRole.CUSTOMER, party="*")
        await started(manufacturer, role=AgentRole.MANUFACTURER, party="m1")
        world = World(ledger, customer, manufacturer, None, None, events)  # type: ignore[arg-type]
        order = await an_order(ledger)
        handle = customer.place_order(order, manufacturer.address)
        answer = await quote(world, order, quotation_of(order))
        assert answer.performative is Performative.REJECT_PROPOSAL, answer
        why = decode(answer.content, Reason)
        assert why.reason == "not-signed" and "could not be signed on the ledger" in (why.detail or "")
        outcome = await handle.outcome
        assert outcome.status == "failed"
        assert "the ledger did not answer" in outcome.reason and "attempts" in outcome.reason
        assert order.id not in customer.orders
    finally:
        for agent in (customer, manufacturer):
            await agent.stop()
        await opened.aclose()


def test_a_ledger_needs_the_identity_store_too(pyjabber_settings: Settings) -> None:
    with pytest.raises(ValueError, match="both its sessions and the identity store"):
        CustomerAgent(
            "half",
            pyjabber_settings,
            decisions=PolicyDecisions(CustomerPolicy(accept_at_most=1)),
            ledger=TokenSessions(StaticIdentities({}), UserTokens(SECRET), lambda t: None),  # type: ignore[arg-type,return-value]
        )


async def test_an_invoice_that_differs_from_the_ledgers_is_not_paid_and_says_why(world: World) -> None:
    order = await an_order(world.ledger)
    handle = world.customer.place_order(order, world.manufacturer.address)
    accepted = await quote(world, order, quotation_of(order))
    placed = await world.maker.customer_order(world.client.party, str(order.id))
    assert placed is not None
    agreement = await world.maker.accept_order(placed.data)
    committed = ContractCommitted(order_id=order.id, order_contract_id=agreement.contract_id)
    world.manufacturer.send_acl(accepted.create_reply(Performative.INFORM, committed))
    assert (await handle.outcome).status == "contracted"
    key = OrderKey(world.maker.party, str(order.id))
    due = (await ledger_time(world.ledger)).date() + timedelta(days=30)
    raised = await world.maker.raise_invoice(key, f"INV-{order.id.hex[:8]}", due)

    answer = await bill(world, order, raised.contract_id, unit="499.50")  # €999.00 asked, €240.50 agreed
    assert answer.performative is Performative.FAILURE, answer
    why = decode(answer.content, Reason)
    assert why.reason == "not-paid"
    assert "the invoice asks €999.00, the ledger's invoice €240.50" in (why.detail or ""), why
    with pytest.raises(LedgerStepFailed, match="could not be claimed on the ledger"):
        await handle.payment
    assert await world.maker.payment_claim(InvoiceKey(world.maker.party, raised.data.invoice_id)) is None
    assert order.id not in world.customer.orders, "the manufacturer asks once: the order is settled"


class Book:
    """``PartyIdentities`` over a dict that a test may fill later (a customer onboarded meanwhile)."""

    def __init__(self, known: dict[tuple[PartyRole, str], Identity]) -> None:
        self.known = known

    async def identity(self, role: PartyRole, platform_id: str) -> Identity | None:
        return self.known.get((role, platform_id))


async def test_a_refused_signature_is_retried_within_the_contract_timing(
    ledger: LedgerProcess, pyjabber_settings: Settings
) -> None:
    """The customer has no ledger user yet when it confirms (refused: not onboarded); it is onboarded a
    moment later, and the signature goes through on a later attempt."""
    identities = await onboard_all(ledger, SECRET, PARTIES)
    customer_identity = identities.pop((PartyRole.CUSTOMER, "c1"))
    book = Book(identities)
    opened = TokenSessions(book, UserTokens(SECRET), connector(ledger, "json"))
    maker_sessions = sessions(ledger, SECRET, {**identities, (PartyRole.CUSTOMER, "c1"): customer_identity})
    customer = CustomerAgent(
        unique("customer"),
        pyjabber_settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CustomerTimings(quotation=timedelta(seconds=WAIT), contract=timedelta(seconds=WAIT)),
        ledger=opened,
        ledger_parties=book,
        ledger_backoff=Backoff(first=0.1, most=0.3),
    )
    manufacturer = Probe(unique("manufacturer"), pyjabber_settings)
    try:
        await started(customer, role=AgentRole.CUSTOMER, party="*")
        await started(manufacturer, role=AgentRole.MANUFACTURER, party="m1")
        maker = await maker_sessions.session(PartyRole.MANUFACTURER, "m1")
        world = World(ledger, customer, manufacturer, maker, maker)
        order = await an_order(ledger)
        customer.place_order(order, manufacturer.address)

        async def onboarded_later() -> None:
            await asyncio.sleep(0.5)
            book.known[(PartyRole.CUSTOMER, "c1")] = customer_identity

        later = asyncio.create_task(onboarded_later())
        answer = await quote(world, order, quotation_of(order))
        await later
        assert answer.performative is Performative.ACCEPT_PROPOSAL, answer
        placed = await maker.customer_order(customer_identity.party, str(order.id))
        assert placed is not None
        assert decode(answer.content, AcceptQuotation).customer_order_contract_id == placed.contract_id
    finally:
        for agent in (customer, manufacturer):
            await agent.stop()
        await opened.aclose()
        await maker_sessions.aclose()
