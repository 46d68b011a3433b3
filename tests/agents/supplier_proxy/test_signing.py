"""The supplier's part of an agreement's life, driven offline through the proxy host (no XMPP) against the
real embedded ledger with per-party sessions (each party its own ledger user and token): who may ask a proxy
to sign, terms that differ from the offer rejected, sign -> ship -> invoice -> confirm the manufacturer's
payment claim, and a restart that resumes from the ledger without doing anything twice."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID, uuid4

import pytest

from agents.runtime.refusals import NOT_AUTHORISED
from agents.supplier_proxy import reasons
from agents.supplier_proxy.bookings import Booking, BookingState
from agents.supplier_proxy.fulfilment import invoice_id_of, shipment_reference
from agents.supplier_proxy.sessions import json_sessions
from agents.supplier_proxy.settings import SupplierProxySettings
from agents.supplier_proxy.supply_terms import match
from common.settings import Settings
from ledger.identities import (
    LedgerIdentities,
    LedgerOnboarding,
    MemoryIdentityBook,
    PartySessions,
    SignedUserTokens,
)
from ledger.jsonapi_client import JsonApiClient, static_token
from ledger.lifecycle import (
    SUPPLY_AGREEMENT,
    InvoiceKey,
    Item,
    OrderKey,
    OrderTerms,
    PartyLedger,
    StaticIdentities,
    SupplyKey,
    SupplyTerms,
    TokenSessions,
)
from ledger.settings import LedgerSettings
from ledger.testing import LedgerProcess, hs256_token
from ontology.codec import decode
from ontology.common import Reason
from ontology.contract import PartyRole
from ontology.lifecycle import SignSupply, SupplySigned
from ontology.negotiation import Offer
from protocols.acl import AclMessage, new_id
from protocols.performative import Performative, ProtocolName
from store.enums import AgentRole
from tests.agents.supplier_proxy.helpers import MAKER, OUTSIDER, SUPPLIER, Clock, RecordingHost, cfp
from tests.ledger.party_sessions import Identity, Transport, onboard, onboard_all, sessions

SECRET = "supplier-proxy-signing-secret-0123456789"
ORDER_DATE = date(2030, 3, 1)
SHIP_DELAY = timedelta(seconds=60)
SETTINGS = SupplierProxySettings(ship_delay_seconds=SHIP_DELAY.total_seconds(), invoice_due_days=14)
OTHER_MAKER = "other-maker@local"


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = LedgerProcess(
        tmp_path_factory.mktemp("proxy-ledger"), secret=SECRET, env={"LSO_LEDGER_PARTY_IDS": "canton"}
    )
    process.start()
    yield process
    process.stop()


@pytest.fixture(scope="module")
async def buyers(ledger: LedgerProcess) -> dict[tuple[PartyRole, str], Identity]:
    return await onboard_all(
        ledger,
        SECRET,
        {
            "c1": PartyRole.CUSTOMER,
            "c2": PartyRole.CUSTOMER,
            "maker-1": PartyRole.MANUFACTURER,
            "maker-2": PartyRole.MANUFACTURER,
        },
    )


@dataclass
class World:
    ledger: LedgerProcess
    identities: dict[tuple[PartyRole, str], Identity]
    parties: TokenSessions
    clock: Clock
    data_dir: Path
    hosts: list[RecordingHost]

    def host(self, *, ledger: bool = True, suppliers: SupplierProxySettings = SETTINGS) -> RecordingHost:
        """A new proxy host (a restart: nothing in memory) for :data:`SUPPLIER`."""
        host = RecordingHost(
            Settings(data_dir=self.data_dir),
            self.clock,
            suppliers=suppliers,
            ledger=self.parties if ledger else None,
            identities=StaticIdentities(self.identities) if ledger else None,
        )
        host.directory.bind(OTHER_MAKER, AgentRole.MANUFACTURER, "maker-2")
        host.host()
        self.hosts.append(host)
        return host

    async def session(self, role: PartyRole, platform_id: str) -> PartyLedger:
        return await self.parties.session(role, platform_id)


@pytest.fixture(params=["dazl", "json"])
async def world(
    request: pytest.FixtureRequest,
    ledger: LedgerProcess,
    buyers: dict[tuple[PartyRole, str], Identity],
    tmp_path: Path,
) -> AsyncIterator[World]:
    transport: Transport = request.param
    # a supplier party of its own per test: what a resume finds is this test's only
    identities = {
        **buyers,
        (PartyRole.SUPPLIER, SUPPLIER.id): await onboard(ledger, SECRET, PartyRole.SUPPLIER, SUPPLIER.id),
    }
    parties = sessions(ledger, SECRET, identities, transport)
    world = World(ledger, identities, parties, Clock(datetime.now(UTC)), tmp_path, [])
    yield world
    await parties.aclose()


async def booked_offer(host: RecordingHost, order: UUID, requester: str = MAKER) -> Offer:
    """The proxy's offer for a part of ``order``, accepted by ``requester`` (held as a booking)."""
    aid = host.address_for(SUPPLIER.id)
    proposal = await host.call(requester, aid, cfp(order=order, quantity=2))
    assert proposal.performative is Performative.PROPOSE, decode(proposal.content, Reason)
    [inform] = host.reply(proposal, Performative.ACCEPT_PROPOSAL)
    assert inform.performative is Performative.INFORM
    return decode(inform.content, Offer)


async def propose(
    world: World,
    offer: Offer,
    *,
    price: Decimal | None = None,
    customer_id: str = "c1",
    maker_id: str = "maker-1",
) -> tuple[str, SupplyKey]:
    """The order agreement on the ledger (customer places, manufacturer accepts) and the manufacturer's supply
    proposal for ``offer`` (at ``price`` instead of the offer's when given): its contract id and key."""
    customer = await world.session(PartyRole.CUSTOMER, customer_id)
    maker = await world.session(PartyRole.MANUFACTURER, maker_id)
    supplier = await world.session(PartyRole.SUPPLIER, SUPPLIER.id)
    order_id = str(offer.order_id)
    order = OrderTerms(
        order_id=order_id,
        customer=customer.party,
        manufacturer=maker.party,
        product_id="bike",
        quantity=1,
        items=(Item(item_id="bike", quantity=1, price=Decimal("900.00")),),
        price=Decimal("900.00"),
        currency="EUR",
        delivery_date=ORDER_DATE,
    )
    await customer.place_order(order)
    await maker.accept_order(order)
    amount = offer.price if price is None else price
    proposal = await maker.propose_supply(
        SupplyTerms(
            order_id=order_id,
            manufacturer=maker.party,
            supplier=supplier.party,
            items=(Item(item_id=offer.part_id, description="frame", quantity=2, price=amount),),
            price=amount,
            currency=offer.currency,
            delivery_date=offer.delivery_date,
        )
    )
    return proposal.contract_id, SupplyKey(maker.party, order_id, supplier.party)


async def ask_to_sign(
    host: RecordingHost, order: UUID, proposal_id: str, sender: str = MAKER, supplier_id: str = SUPPLIER.id
) -> AclMessage:
    """A FIPA request SignSupply to the proxy; its one answer."""
    message = AclMessage.build(
        Performative.REQUEST,
        sender,
        host.address_for(SUPPLIER.id),
        SignSupply(order_id=order, supplier_id=supplier_id, proposal_contract_id=proposal_id),
        protocol=ProtocolName.REQUEST,
        conversation_id=new_id(),
    )
    host.deliver_to_proxy(host.address_for(SUPPLIER.id), message)
    await host.drain()
    [answer] = host.replies(message.conversation_id or "")
    assert answer.receivers == (sender,) and answer.sender == host.address_for(SUPPLIER.id)
    return answer


def booking_of(host: RecordingHost, offer: Offer) -> Booking:
    proxy = host.proxy(host.address_for(SUPPLIER.id))
    assert proxy is not None
    booking = proxy.bookings.get(str(offer.id))
    assert booking is not None
    return booking


# ----------------------------------------------------------------- who may ask


async def test_only_the_manufacturer_holding_a_booking_gets_a_proposal_signed(world: World) -> None:
    host = world.host()
    order = uuid4()
    offer = await booked_offer(host, order)
    proposal_id, key = await propose(world, offer)
    supplier = await world.session(PartyRole.SUPPLIER, SUPPLIER.id)

    refusal = await ask_to_sign(host, order, proposal_id, sender=OUTSIDER)
    reason = decode(refusal.content, Reason)
    assert refusal.performative is Performative.REFUSE and reason.reason == NOT_AUTHORISED

    # bound as a manufacturer, but the offer was made to (and booked for) another agent
    refusal = await ask_to_sign(host, order, proposal_id, sender=OTHER_MAKER)
    reason = decode(refusal.content, Reason)
    assert refusal.performative is Performative.REFUSE and reason.reason == reasons.NO_BOOKING
    assert str(order) in (reason.detail or "")

    # the right manufacturer, an order the proxy booked nothing for
    refusal = await ask_to_sign(host, uuid4(), proposal_id)
    assert decode(refusal.content, Reason).reason == reasons.NO_BOOKING

    # the right manufacturer agent, pointing at another manufacturer's proposal of that order (same terms)
    foreign_id, foreign_key = await propose(world, offer, customer_id="c2", maker_id="maker-2")
    failure = await ask_to_sign(host, order, foreign_id)
    assert failure.performative is Performative.FAILURE
    assert decode(failure.content, Reason).reason == reasons.NO_PROPOSAL

    # nothing was signed, and the booking is still only held
    for pending in (key, foreign_key):
        assert await supplier.supply_proposal(pending) is not None
        assert await supplier.supply_agreement(pending) is None
    assert booking_of(host, offer).state is BookingState.HELD
    assert host.sizes()["agreements"] == 0 and host.sizes()["signing"] == 0


async def test_without_a_ledger_nothing_is_signed(world: World) -> None:
    host = world.host(ledger=False)
    order = uuid4()
    offer = await booked_offer(host, order)
    failure = await ask_to_sign(host, order, "00abc")
    assert failure.performative is Performative.FAILURE
    reason = decode(failure.content, Reason)
    assert reason.reason == reasons.NO_LEDGER and "no ledger" in (reason.detail or "")
    assert booking_of(host, offer).state is BookingState.HELD
    assert await host.resume_supplies() == 0
    await host.advance_supplies()
    assert host.sizes()["agreements"] == 0


# ----------------------------------------------------------------- the terms


async def test_a_proposal_whose_terms_differ_from_the_offer_is_rejected_on_the_ledger(world: World) -> None:
    host = world.host()
    order = uuid4()
    offer = await booked_offer(host, order)
    proposal_id, key = await propose(world, offer, price=offer.price - Decimal("10.00"))
    supplier = await world.session(PartyRole.SUPPLIER, SUPPLIER.id)

    failure = await ask_to_sign(host, order, proposal_id)
    assert failure.performative is Performative.FAILURE
    reason = decode(failure.content, Reason)
    assert reason.reason == reasons.TERMS_DIFFER
    assert f"offered at {offer.price} EUR" in (reason.detail or "")
    # RejectSupply archived the proposal; nothing is agreed, nothing tracked, the booking not confirmed
    assert await supplier.supply_proposal(key) is None
    assert await supplier.supply_agreement(key) is None
    assert booking_of(host, offer).state is BookingState.HELD
    assert host.sizes()["agreements"] == 0

    # asked again: the proposal is gone, so there is nothing to sign
    again = await ask_to_sign(host, order, proposal_id)
    assert decode(again.content, Reason).reason == reasons.NO_PROPOSAL


def test_terms_are_compared_item_by_item_in_words() -> None:
    order = str(uuid4())
    held = Booking(
        requester=MAKER,
        order_id=order,
        offer_id="o1",
        part_id="frame",
        hours=1.0,
        delivery_date=date(2030, 1, 15),
        state=BookingState.HELD,
        held_until=datetime(2030, 1, 2, tzinfo=UTC),
        price=Decimal("120.00"),
        currency="EUR",
        quantity=2,
    )

    def terms(**changes: object) -> SupplyTerms:
        item = {"item_id": "frame", "quantity": 2, "price": Decimal("120.00")}
        item.update({k: v for k, v in changes.items() if k in ("item_id", "quantity", "price")})
        fields: dict[str, object] = {
            "order_id": order,
            "manufacturer": "m::1",
            "supplier": "s::1",
            "items": (Item.model_validate(item),),
            "price": item["price"],
            "currency": "EUR",
            "delivery_date": date(2030, 1, 15),
        }
        fields.update({k: v for k, v in changes.items() if k in ("currency", "delivery_date")})
        return SupplyTerms.model_validate(fields)

    same = match(terms(), [held])
    assert same.agreed and same.bookings == (held,)
    assert match(terms(delivery_date=date(2030, 2, 1)), [held]).agreed  # later: more time for the supplier
    assert match(terms(delivery_date=date(2030, 1, 14)), [held]).reason() == (
        "delivery is proposed by 2030-01-14, offered by 2030-01-15"
    )
    assert match(terms(quantity=3), [held]).reason() == "part frame is proposed 3 times, offered 2 times"
    assert match(terms(currency="USD"), [held]).reason() == "part frame is proposed in USD, offered in EUR"
    assert match(terms(item_id="wheel"), [held]).reason() == (
        f"part wheel was not offered by this supplier for order {order}"
    )


# ----------------------------------------------------------------- the agreement's life


async def test_signs_ships_invoices_and_confirms_the_payment_claim(world: World) -> None:
    host = world.host()
    order = uuid4()
    offer = await booked_offer(host, order)
    proposal_id, key = await propose(world, offer)
    supplier = await world.session(PartyRole.SUPPLIER, SUPPLIER.id)
    maker = await world.session(PartyRole.MANUFACTURER, "maker-1")

    answer = await ask_to_sign(host, order, proposal_id)
    assert answer.performative is Performative.INFORM, answer.content
    signed = decode(answer.content, SupplySigned)
    agreement = await maker.supply_agreement(key)
    assert agreement is not None and signed.agreement_contract_id == agreement.contract_id
    assert (signed.order_id, signed.supplier_id) == (order, SUPPLIER.id)
    assert agreement.data.price == offer.price and agreement.data.supplier == supplier.party
    assert booking_of(host, offer).state is BookingState.CONFIRMED
    assert host.sizes()["agreements"] == 1

    # asked again (the manufacturer retried): the same agreement, nothing new on the ledger
    again = await ask_to_sign(host, order, proposal_id)
    assert decode(again.content, SupplySigned).agreement_contract_id == agreement.contract_id

    # before the ship delay nothing happens
    await host.advance_supplies()
    current = await supplier.supply_agreement(key)
    assert current is not None and current.contract_id == agreement.contract_id
    assert current.data.shipment is None

    world.clock.advance(seconds=SHIP_DELAY.total_seconds() + 30)
    await host.advance_supplies()
    shipped = await maker.supply_agreement(key)
    assert shipped is not None and shipped.data.shipment is not None
    proxy = host.proxy(host.address_for(SUPPLIER.id))
    assert proxy is not None and proxy.bookings.get(str(offer.id)) is None, "shipped: its hours are free"
    assert proxy.bookings.hours() == 0.0
    assert (shipped.data.shipment.carrier, shipped.data.shipment.reference) == (
        SETTINGS.carrier,
        shipment_reference(SUPPLIER.id, str(order)),
    )
    invoice_id = invoice_id_of(SUPPLIER.id, str(order))
    assert shipped.data.invoice_id == invoice_id
    invoice_key = InvoiceKey(supplier.party, invoice_id)
    invoice = await maker.invoice(invoice_key)
    assert invoice is not None and invoice.data.amount == offer.price and invoice.data.payer == maker.party
    assert invoice.data.due_date == world.clock.now.date() + timedelta(days=SETTINGS.invoice_due_days)

    # no claim yet: the invoice stays open and watched
    await host.advance_supplies()
    assert host.sizes()["agreements"] == 1 and await maker.payment_receipt(invoice_key) is None

    claim = await maker.claim_payment(invoice_key, "SEPA-4711")
    await host.advance_supplies()
    receipt = await maker.payment_receipt(invoice_key)
    assert receipt is not None and receipt.data.payment_ref == "SEPA-4711"
    assert receipt.data.paid_at >= claim.data.claimed_at
    assert host.sizes()["agreements"] == 0
    tracked = [h.fulfilment for h in world.hosts if h.fulfilment is not None]
    assert tracked[0].done == 1


async def test_a_restart_resumes_from_the_ledger_and_does_nothing_twice(world: World) -> None:
    first = world.host()
    supplier = await world.session(PartyRole.SUPPLIER, SUPPLIER.id)
    maker = await world.session(PartyRole.MANUFACTURER, "maker-1")

    # two agreements signed by the first host: A not shipped yet, B shipped just before a crash
    orders = [uuid4(), uuid4()]
    keys: list[SupplyKey] = []
    for order in orders:
        offer = await booked_offer(first, order)
        proposal_id, key = await propose(world, offer)
        assert (await ask_to_sign(first, order, proposal_id)).performative is Performative.INFORM
        keys.append(key)
    key_a, key_b = keys
    reference_b = shipment_reference(SUPPLIER.id, key_b.order_id)
    shipped_b = await supplier.ship(key_b, SETTINGS.carrier, reference_b)
    assert shipped_b.data.shipment is not None

    # restart: nothing in memory; the ledger says what is left
    second = world.host()
    assert second.sizes()["agreements"] == 0
    assert await second.resume_supplies() == 2
    assert await second.resume_supplies() == 2  # resuming again tracks nothing twice
    assert second.fulfilment is not None
    entry_b = second.fulfilment.get(SUPPLIER.id, key_b.order_id)
    assert entry_b is not None and entry_b.shipped and entry_b.invoice_id is None

    await second.advance_supplies()  # A's ship delay has not passed; B is invoiced, not shipped again
    assert entry_b.steps == ["invoice"]
    after_b = await maker.supply_agreement(key_b)
    assert after_b is not None and after_b.data.shipment == shipped_b.data.shipment
    entry_a = second.fulfilment.get(SUPPLIER.id, key_a.order_id)
    assert entry_a is not None and entry_a.steps == []

    world.clock.advance(seconds=SHIP_DELAY.total_seconds() + 30)
    await second.advance_supplies()
    assert entry_a.steps == ["ship", "invoice"] and entry_b.steps == ["invoice"]
    shipped_a = await maker.supply_agreement(key_a)
    assert shipped_a is not None and shipped_a.data.shipment is not None

    # another restart before any payment: both invoices are watched, nothing shipped or invoiced again
    third = world.host()
    assert await third.resume_supplies() == 2
    await third.advance_supplies()
    assert third.fulfilment is not None
    assert all(t.steps == [] for t in third.fulfilment)
    again_a = await maker.supply_agreement(key_a)
    assert again_a is not None and again_a.contract_id == shipped_a.contract_id

    # the manufacturer claims payment of B: confirmed once; A's invoice stays open
    invoice_b = InvoiceKey(supplier.party, invoice_id_of(SUPPLIER.id, key_b.order_id))
    invoice_a = InvoiceKey(supplier.party, invoice_id_of(SUPPLIER.id, key_a.order_id))
    await maker.claim_payment(invoice_b, "SEPA-B")
    await third.advance_supplies()
    receipt_b = await maker.payment_receipt(invoice_b)
    assert receipt_b is not None and await maker.invoice(invoice_a) is not None
    assert third.sizes()["agreements"] == 1

    # a last restart: B is done (not resumed), A only waits for its payment
    fourth = world.host()
    assert await fourth.resume_supplies() == 1
    await fourth.advance_supplies()
    assert await maker.payment_receipt(invoice_b) == receipt_b
    assert await maker.order_agreement(OrderKey(maker.party, key_a.order_id)) is not None


async def eventually(read: Callable[[], Awaitable[object | None]], seconds: float = 20.0) -> object:
    """What ``read`` finds, once it finds something (within ``seconds``)."""
    for _ in range(int(seconds / 0.05)):
        found = await read()
        if found is not None:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing found within {seconds} s")


async def test_a_started_host_resumes_and_takes_the_steps_on_its_own(world: World) -> None:
    first = world.host()
    order = uuid4()
    offer = await booked_offer(first, order)
    proposal_id, key = await propose(world, offer)
    assert (await ask_to_sign(first, order, proposal_id)).performative is Performative.INFORM
    maker = await world.session(PartyRole.MANUFACTURER, "maker-1")
    supplier = await world.session(PartyRole.SUPPLIER, SUPPLIER.id)
    invoice_key = InvoiceKey(supplier.party, invoice_id_of(SUPPLIER.id, str(order)))

    # a restart with its own loop (what ``setup`` starts when the host connects), polling often
    world.clock.advance(seconds=5)
    fast = SupplierProxySettings(ship_delay_seconds=0, ledger_poll_seconds=0.05)
    second = world.host(suppliers=fast)
    await second.setup()
    try:
        await eventually(lambda: maker.invoice(invoice_key))
        await maker.claim_payment(invoice_key, "SEPA-LOOP")
        await eventually(lambda: maker.payment_receipt(invoice_key))
    finally:
        for task in (second._ticker, second._checker, second._fulfiller):
            assert task is not None
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    agreement = await maker.supply_agreement(key)
    assert agreement is not None and agreement.data.shipment is not None
    assert second.sizes()["agreements"] == 0


def test_the_ship_delay_can_be_set_per_supplier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LSO_SUPPLIERS_SHIP_DELAY_SECONDS", "120")
    monkeypatch.setenv("LSO_SUPPLIERS_SHIP_DELAY_OVERRIDES", '{"SUP-1": 5}')
    settings = SupplierProxySettings()
    assert settings.ship_delay("SUP-1") == timedelta(seconds=5)
    assert settings.ship_delay("SUP-2") == timedelta(seconds=120)
    with pytest.raises(ValueError, match="cannot be negative"):
        SupplierProxySettings(ship_delay_overrides={"SUP-1": -1})


async def test_the_sessions_for_lso_run_are_each_suppliers_own(ledger: LedgerProcess, tmp_path: Path) -> None:
    """:func:`json_sessions` over the identity service ``lso run`` has: a supplier onboarded on its first
    session (its party as the ledger allocated it), its own user's token; the host resumes with it."""
    operator = JsonApiClient(ledger.info.json_api, static_token(hs256_token(SECRET, admin=True)))
    service = PartySessions(
        LedgerIdentities(MemoryIdentityBook(), LedgerOnboarding(operator)), SignedUserTokens(SECRET)
    )
    supplier_id = f"SUP-{uuid4().hex[:6]}"
    parties = json_sessions(service, LedgerSettings(json_api_url=ledger.info.json_api))
    try:
        session = await parties.session(PartyRole.SUPPLIER, supplier_id)
        identity = await service.identities.find(PartyRole.SUPPLIER, supplier_id)
        assert identity is not None and session.party == identity.party and "::" in session.party
        assert await session.client.query([SUPPLY_AGREEMENT], readers=[session.party]) == []
        host = RecordingHost(
            Settings(data_dir=tmp_path),
            Clock(),
            suppliers=SETTINGS,
            ledger=parties,
            identities=StaticIdentities({}),
        )
        host.host(SUPPLIER.model_copy(update={"id": supplier_id}))
        assert await host.resume_supplies() == 0
    finally:
        await parties.aclose()
        await operator.aclose()
