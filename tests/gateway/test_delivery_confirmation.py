"""``POST /orders/{id}/delivery-confirmation`` and ``GET /orders/{id}/delivery`` over real HTTP, against the
gateway's real bridge: its customer agent (on the embedded pyjabber) signs the app customer's order on a real
ledger with that customer's own session when the customer confirms the quotation, and confirms the delivery
as the customer when the customer presses "Confirm delivery". A probe plays the manufacturer's agent and takes
the manufacturer's ledger steps with the manufacturer's own session.

Only the order's customer may confirm its delivery (a manufacturer: 403; another customer: 404), only once
the order is shipped (409 naming the status), every refusal a problem+json in words. A gateway that started
after the manufacturer's invoice request (a restart) takes the customer's payment, like its confirmation of
the delivery, straight to the ledger.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import httpx
import pytest

from agents.manufacturer.notices import notice_message
from common.settings import Settings
from gateway.app import create_app
from gateway.bridge.xmpp import XmppAgentBridge
from gateway.demo.catalogue import demo_products
from gateway.demo.policy import demo_policy
from gateway.server import serving
from ledger.lifecycle import InvoiceKey, OrderKey, PartyLedger, PartyUser, TokenSessions
from ledger.testing import LedgerProcess
from ontology.codec import decode
from ontology.common import Ping
from ontology.console import OrderStatusNotice
from ontology.contract import ContractCommitted, PartyRole
from ontology.lifecycle import ShipmentInfo
from ontology.order import OrderStatus
from ontology.payment import transfer_reference
from ontology.penalty import Penalty
from ontology.quotation import AcceptQuotation, Quotation, QuotationLine
from protocols.performative import Performative, ProtocolName
from store.database import Database
from store.enums import AgentRole, PolicyKind
from store.migrate import upgrade
from tests.agents.probe import Probe
from tests.gateway.bridge_agents import bridge_agents
from tests.gateway.world import User, advance, bike_body, login, order_body
from tests.ledger.party_sessions import Identity, UserTokens, connector, onboard
from tests.ledger.users_support import SECRET
from tests.ledger.v2_support import V2_ENV
from tests.xmpp_accounts import started

WAIT = 15.0
PROBLEM = "application/problem+json"


class LiveIdentities:
    """``PartyIdentities`` over a dict the test fills once the app's users exist."""

    def __init__(self) -> None:
        self.known: dict[tuple[PartyRole, str], Identity] = {}

    async def identity(self, role: PartyRole, platform_id: str) -> PartyUser | None:
        return self.known.get((role, platform_id))


@dataclass
class App:
    http: httpx.AsyncClient
    db: Database
    bridge: XmppAgentBridge
    probe: Probe
    maker_ledger: PartyLedger
    alice: User
    bob: User
    maker: User
    identities: LiveIdentities


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def ledger(tmp_path: Path) -> Iterator[LedgerProcess]:
    process = LedgerProcess(tmp_path / "ledger", secret=SECRET, env=V2_ENV)
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def app(ledger: LedgerProcess, pyjabber_settings: Settings, tmp_path: Path) -> AsyncIterator[App]:
    settings = pyjabber_settings
    url = f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    await upgrade(url)
    db = await Database.open(url)
    identities = LiveIdentities()
    customer_sessions = TokenSessions(identities, UserTokens(SECRET), connector(ledger, "json"))
    maker_sessions = TokenSessions(identities, UserTokens(SECRET), connector(ledger, "dazl"))
    config = await bridge_agents(settings, db, answer_wait_seconds=WAIT)
    bridge = XmppAgentBridge(db, settings, config, ledger=customer_sessions, ledger_parties=identities)
    probe = Probe(unique("manufacturer"), settings)
    await bridge.start()
    try:
        gateway = create_app(url, data_dir=tmp_path, bridge=bridge)
        async with serving(gateway) as base, httpx.AsyncClient(base_url=base, timeout=30) as http:
            alice = await login(http, "alice@example.org", "customer")
            bob = await login(http, "bob@example.org", "customer")
            maker = await login(http, "maker@example.org", "manufacturer")
            created = await http.post("/products", json=bike_body(), headers=maker.headers)
            assert created.status_code == 201, created.text
            await started(probe, role=AgentRole.MANUFACTURER, party=maker.id, db=db)
            async with db.transaction() as repos:
                policy = demo_policy(demo_products(maker.id))
                await repos.policies.put(
                    probe.address, PolicyKind.MANUFACTURER, policy, owner_user_id=maker.id
                )
            for party_role, user in ((PartyRole.CUSTOMER, alice), (PartyRole.MANUFACTURER, maker)):
                identities.known[(party_role, user.id)] = await onboard(ledger, SECRET, party_role, user.id)
            maker_ledger = await maker_sessions.session(PartyRole.MANUFACTURER, maker.id)
            yield App(http, db, bridge, probe, maker_ledger, alice, bob, maker, identities)
    finally:
        await probe.stop()
        await bridge.stop()
        await customer_sessions.aclose()
        await maker_sessions.aclose()
        await db.close()


async def contracted_order(app: App) -> tuple[str, OrderKey]:
    """An order of Alice's, quoted and confirmed in the app: signed by Alice on the ledger (the customer
    agent, with her session), accepted by the manufacturer (the probe, with its own)."""
    placed = await app.http.post("/orders", json=order_body(), headers=app.alice.headers)
    assert placed.status_code == 202, placed.text
    order_id = placed.json()["id"]
    opening = await app.probe.next_message(wait=WAIT)
    assert opening.performative is Performative.REQUEST and opening.protocol == ProtocolName.ORDER
    quotation = Quotation(
        order_id=UUID(order_id),
        lines=(QuotationLine(part_id="all", price=Decimal("512.00")),),
        total_price=Decimal("512.00"),
        delivery_date=datetime.now(UTC).date() + timedelta(days=30),
        valid_until=datetime.now(UTC) + timedelta(seconds=WAIT),
        penalty=Penalty(per_day_late=Decimal(10), cap=Decimal(25)),
    )
    app.probe.send_acl(opening.create_reply(Performative.AGREE, Ping()))
    app.probe.send_acl(opening.create_reply(Performative.PROPOSE, quotation, reply_by=quotation.valid_until))
    await advance(app.db, order_id, OrderStatus.QUOTED)
    confirmed = await app.http.post(f"/orders/{order_id}/confirm", headers=app.alice.headers)
    assert confirmed.status_code == 202, confirmed.text
    accepted = await app.probe.next_message(opening.conversation_id, wait=WAIT)
    assert accepted.performative is Performative.ACCEPT_PROPOSAL, accepted
    signed = decode(accepted.content, AcceptQuotation).customer_order_contract_id
    alice = await app.identities.identity(PartyRole.CUSTOMER, app.alice.id)
    assert alice is not None
    alice_party = alice.party
    placed_order = await app.maker_ledger.customer_order(alice_party, order_id)
    assert placed_order is not None and placed_order.contract_id == signed, "signed before it was accepted"
    agreement = await app.maker_ledger.accept_order(placed_order.data)
    committed = ContractCommitted(order_id=UUID(order_id), order_contract_id=agreement.contract_id)
    app.probe.send_acl(accepted.create_reply(Performative.INFORM, committed))
    return order_id, OrderKey(app.maker_ledger.party, order_id)


def tell(app: App, order_id: str, status: OrderStatus, shipment: ShipmentInfo | None = None) -> None:
    notice = OrderStatusNotice(order_id=UUID(order_id), status=status, shipment=shipment)
    message = notice_message(app.probe.address, [app.bridge.customer_jid], notice)
    assert message is not None
    app.probe.send_acl(message)


async def wait_for(app: App, order_id: str, check: str) -> None:
    handle = app.bridge.customer.orders.get(UUID(order_id))
    for _ in range(int(WAIT / 0.05)):
        handle = app.bridge.customer.orders.get(UUID(order_id))
        if handle is not None and getattr(handle, check):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"order {order_id}: {check} never came ({handle})")


async def test_the_customer_confirms_the_delivery_of_a_shipped_order_over_http(app: App) -> None:
    order_id, key = await contracted_order(app)
    path = f"/orders/{order_id}/delivery-confirmation"

    early = await app.http.post(path, headers=app.alice.headers)
    assert early.status_code == 409 and early.headers["content-type"].startswith(PROBLEM)
    assert "needs it 'shipped'" in early.json()["detail"], early.text

    await advance(app.db, order_id, OrderStatus.SHIPPED)
    await app.maker_ledger.ship(key, "DHL", "1Z999AA10123456784")
    shipment = ShipmentInfo(carrier="DHL", reference="1Z999AA10123456784", shipped_at=datetime.now(UTC))
    tell(app, order_id, OrderStatus.SHIPPED, shipment)
    await wait_for(app, order_id, "delivering")

    shipped = await app.http.get(f"/orders/{order_id}/delivery", headers=app.alice.headers)
    assert shipped.status_code == 200, shipped.text
    view = shipped.json()
    assert (view["carrier"], view["reference"], view["received_at"]) == ("DHL", "1Z999AA10123456784", None)
    assert Decimal(view["penalty_per_day"]) == 10 and Decimal(view["penalty_cap"]) == 25

    maker = await app.http.post(path, headers=app.maker.headers)
    assert maker.status_code == 403 and maker.headers["content-type"].startswith(PROBLEM)
    stranger = await app.http.post(path, headers=app.bob.headers)
    assert stranger.status_code == 404 and stranger.headers["content-type"].startswith(PROBLEM)
    assert (await app.http.get(f"/orders/{order_id}/delivery", headers=app.bob.headers)).status_code == 404
    agreement = await app.maker_ledger.order_agreement(key)
    assert agreement is not None and agreement.data.receipt is None, "nobody but the customer confirmed"

    answer = await app.http.post(path, headers=app.alice.headers)
    assert answer.status_code == 202, answer.text
    assert answer.json()["action"] == "confirm delivery" and answer.json()["status"] == "shipped"
    agreement = await app.maker_ledger.order_agreement(key)
    assert agreement is not None and agreement.data.receipt is not None
    assert agreement.data.receipt.days_late == 0 and not agreement.data.penalty_claimed
    delivered = (await app.http.get(f"/orders/{order_id}/delivery", headers=app.alice.headers)).json()
    assert delivered["received_at"] is not None and delivered["days_late"] == 0
    assert delivered["penalty_claimed"] is None

    again = await app.http.post(path, headers=app.alice.headers)
    assert again.status_code == 202, "confirming twice does nothing twice"
    after = await app.maker_ledger.order_agreement(key)
    assert after is not None and after.contract_id == agreement.contract_id


async def test_a_gateway_that_never_heard_the_shipment_confirms_from_the_ledger(app: App) -> None:
    """The gateway started again after the order shipped: its customer agent holds no handle of the order;
    the customer's confirmation is still taken, as the customer, straight on the ledger."""
    order_id, key = await contracted_order(app)
    await app.maker_ledger.ship(key, "UPS", "1Z1")
    await advance(app.db, order_id, OrderStatus.SHIPPED)
    app.bridge.customer.orders.pop(UUID(order_id), None)  # what a restart forgets
    answer = await app.http.post(f"/orders/{order_id}/delivery-confirmation", headers=app.alice.headers)
    assert answer.status_code == 202, answer.text
    agreement = await app.maker_ledger.order_agreement(key)
    assert agreement is not None and agreement.data.receipt is not None


async def test_a_refused_confirmation_is_409_in_words(app: App) -> None:
    """The store says shipped, the ledger does not (the manufacturer has not shipped there): the ledger
    refuses the customer's confirmation, and the app is told why."""
    order_id, _ = await contracted_order(app)
    await advance(app.db, order_id, OrderStatus.SHIPPED)
    answer = await app.http.post(f"/orders/{order_id}/delivery-confirmation", headers=app.alice.headers)
    assert answer.status_code == 409 and answer.headers["content-type"].startswith(PROBLEM)
    assert "could not be confirmed" in answer.json()["detail"], answer.text


async def test_a_gateway_that_never_heard_the_invoice_takes_the_payment_to_the_ledger(app: App) -> None:
    """The platform restarted after the manufacturer invoiced: its resumed flow does not ask again, and this
    gateway's customer agent holds no handle of the order. The customer's payment is still taken: claimed on
    the ledger as the customer, where the manufacturer's flow looks for it."""
    order_id, key = await contracted_order(app)
    invoice_id = str(uuid.uuid4())
    await app.maker_ledger.raise_invoice(key, invoice_id, datetime.now(UTC).date() + timedelta(days=14))
    await advance(app.db, order_id, OrderStatus.INVOICED)
    app.bridge.customer.orders.pop(UUID(order_id), None)  # what a restart forgets
    reference = transfer_reference(order_id)
    body = {"method": "bank-transfer", "reference": reference}
    answer = await app.http.post(f"/orders/{order_id}/payment", json=body, headers=app.alice.headers)
    assert answer.status_code == 202, answer.text
    claim = await app.maker_ledger.payment_claim(InvoiceKey(app.maker_ledger.party, invoice_id))
    assert claim is not None and claim.data.payment_ref == reference
    again = await app.http.post(f"/orders/{order_id}/payment", json=body, headers=app.alice.headers)
    assert again.status_code == 202, "paying twice claims once"
    same = await app.maker_ledger.payment_claim(InvoiceKey(app.maker_ledger.party, invoice_id))
    assert same is not None and same.contract_id == claim.contract_id


async def test_a_payment_with_nothing_invoiced_on_the_ledger_is_409_in_words(app: App) -> None:
    order_id, _ = await contracted_order(app)
    await advance(app.db, order_id, OrderStatus.INVOICED)  # the store says invoiced, the ledger holds none
    app.bridge.customer.orders.pop(UUID(order_id), None)
    body = {"method": "bank-transfer", "reference": transfer_reference(order_id)}
    answer = await app.http.post(f"/orders/{order_id}/payment", json=body, headers=app.alice.headers)
    assert answer.status_code == 409 and answer.headers["content-type"].startswith(PROBLEM)
    assert "holds no invoice of order" in answer.json()["detail"], answer.text
