"""Attacks on the agent wire from accounts that are not the platform's, as an outsider would try them.

Each runs against a whole platform (`lso run`) on pyjabber and on Prosody, with a bare XMPP client
(tests/raw_xmpp.py). Each attack is refused in words (a FIPA ``refuse`` with a reason) and leaves nothing
stored, booked or committed; after it, a real order still goes from the app's API to paid.
"""

from __future__ import annotations

import json
import stat
import uuid
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
from sqlalchemy import func, select

from federation.dataset.loader import load_shipped
from ledger.commit import ORDER_AGREEMENT
from ledger.jsonapi_client import JsonApiClient, static_token
from ontology.codec import decode, encode
from ontology.common import Reason
from ontology.console import OrderDecision
from ontology.contract import PartyRole
from ontology.customisation import Customisation
from ontology.lifecycle import SignSupply
from ontology.negotiation import CallForProposals
from ontology.network import SupplyNetwork
from ontology.order import Order
from ontology.process import ProcessKind
from ontology.product import RequiredPart
from store.database import Database
from store.models import AclMessageRow, OrderRow
from tests.attacks import app
from tests.attacks.attacker import Answer, Attacker
from tests.attacks.platform import Platform
from tests.ledger.party_sessions import user_token
from tests.raw_xmpp import RawXmpp, can_log_in, offers_registration

OLD_DEFAULT_PASSWORD = "lso-agent-secret"
PLATFORM_ACCOUNTS = ("ping", "matchmaker", "suppliers", "customers", "console", "manufacturer")
ROOT = Path(__file__).resolve().parents[2]


def refused(answer: Answer, reason: str) -> None:
    assert answer.performative == "refuse", answer
    assert decode(answer.body, Reason).reason == reason, answer.body


async def users(store: Database) -> tuple[str, str]:
    """The demo customer's and the demo manufacturer's user ids (what an attacker would aim at)."""
    async with store.transaction() as repos:
        customer = await repos.users.get_by_email("customer@demo.lso.example")
        manufacturer = await repos.users.get_by_email("manufacturer@demo.lso.example")
    assert customer is not None and manufacturer is not None
    return customer.id, manufacturer.id


async def count(store: Database, table: type[OrderRow] | type[AclMessageRow]) -> int:
    async with store.reader() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


def new_user(platform: Platform, role: str) -> str:
    """A user of ``role`` made by the admin (``lso gateway add-user``); its id."""
    email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
    created = platform.lso("gateway", "add-user", email, "--role", role, "--password", "a-long-password")
    user_id: str = json.loads(created.strip().splitlines()[-1])["id"]
    return user_id


def attacker(platform: Platform, jid: str, password: str) -> Attacker:
    host, port, domain = platform.xmpp
    return Attacker(host, port, domain, jid.split("@", 1)[0], password)


async def test_nobody_registers_and_no_default_password_opens_an_account(platform: Platform) -> None:
    host, port, domain = platform.xmpp
    intruder = f"intruder-{uuid.uuid4().hex[:8]}"
    async with RawXmpp(host, port, domain) as client:
        assert not offers_registration(client.received)
        answer = await client.register(intruder, "let-me-in")
    assert "result" not in answer.split("reg-1")[-1][:40]
    assert not await can_log_in(host, port, domain, intruder, "let-me-in")
    for node in PLATFORM_ACCOUNTS:
        assert not await can_log_in(host, port, domain, node, OLD_DEFAULT_PASSWORD), node
        assert not await can_log_in(host, port, domain, node, node), node
    book = platform.data / "xmpp-accounts.json"
    assert stat.S_IMODE(book.stat().st_mode) == 0o600
    passwords = [line for line in book.read_text().splitlines() if '"password"' in line]
    assert len(set(passwords)) == len(passwords) >= len(PLATFORM_ACCOUNTS)
    assert OLD_DEFAULT_PASSWORD not in (ROOT / "README.md").read_text()
    await app.to_paid(platform.gateway)


async def test_a_forged_signature_request_is_refused_and_the_ledger_holds_the_real_price(
    platform: Platform, store: Database
) -> None:
    """Each party signs for itself: an outsider, a customer or another manufacturer asking a supplier's proxy
    to sign a supply agreement of someone else's order is refused, and nothing is signed."""
    customer_id, manufacturer_id = await users(store)
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as http:
        auth = await app.login(http)
        order_id = await app.place(http, auth, "demo-bicycle-frame")
        quoted = await app.until(http, auth, order_id, "quoted")
    async with store.transaction() as repos:
        record = await repos.orders.get(order_id)
    assert record is not None and record.supply_network is not None
    network = SupplyNetwork.model_validate(record.supply_network)
    supplier = network.assignments[0].offer.supplier_id
    forged = SignSupply(
        order_id=uuid.UUID(order_id), supplier_id=supplier, proposal_contract_id="00" + "ab" * 32
    )
    proxy = f"suppliers@{platform.domain}/{supplier}"
    other_maker = new_user(platform, "manufacturer")
    expected = {None: "not-authorised", "customer": "not-authorised", "manufacturer": "no-booking"}
    for role, party in ((None, None), ("customer", customer_id), ("manufacturer", other_maker)):
        jid, password = platform.outsider(role=role, party=party)
        async with attacker(platform, jid, password) as outsider:
            cid = await outsider.send(proxy, "request", encode(forged), protocol="fipa-request")
            refused(await outsider.answer(cid), expected[role])
    paid = await app.to_paid(platform.gateway, order_id=order_id)
    assert Decimal(paid["invoices"][0]["total"]) == Decimal(quoted["quotation"]["total_price"])
    async with store.transaction() as repos:
        identity = await repos.ledger_identities.get(PartyRole.CUSTOMER, customer_id)
    assert identity is not None
    async with ledger(platform, identity.ledger_user) as client:
        agreements = await client.query([ORDER_AGREEMENT], {"orderId": order_id})
    assert [Decimal(a.payload["price"]) for a in agreements] == [Decimal(quoted["quotation"]["total_price"])]
    assert manufacturer_id


async def test_an_order_in_another_customers_name_is_refused_and_nothing_is_stored(
    platform: Platform, store: Database
) -> None:
    customer_id, manufacturer_id = await users(store)
    other_customer = new_user(platform, "customer")
    orders_before, log_before = await count(store, OrderRow), await count(store, AclMessageRow)
    manufacturer = f"manufacturer@{platform.domain}"
    for role, party in ((None, None), ("customer", other_customer)):
        jid, password = platform.outsider(role=role, party=party)
        order = Order(
            customer_id=customer_id,
            manufacturer_id=manufacturer_id,
            product_id="demo-custom-shoes",
            customisation=Customisation(),
            delivery_date=date.today() + timedelta(days=90),
        )
        async with attacker(platform, jid, password) as outsider:
            cid = await outsider.send(manufacturer, "request", encode(order), protocol="lso-order")
            refused(await outsider.answer(cid), "not-authorised")
        async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as http:
            auth = await app.login(http)
            assert (await http.get(f"/orders/{order.id}", headers=auth)).status_code == 404
    assert await count(store, OrderRow) == orders_before
    assert await count(store, AclMessageRow) == log_before
    await app.to_paid(platform.gateway)


async def test_an_outsider_books_no_supplier_capacity(platform: Platform) -> None:
    welders = [
        s.id
        for s in load_shipped().suppliers
        if any(c.process == ProcessKind.WELDING for c in s.capabilities)
    ]
    assert len(welders) >= 5
    jid, password = platform.outsider()
    part = RequiredPart(
        part_id="frame-welding", process=ProcessKind.WELDING, machine_minutes=100_000, material="steel"
    )
    async with attacker(platform, jid, password) as outsider:
        conversations = []
        for supplier in welders:
            cfp = CallForProposals(
                order_id=uuid.uuid4(),
                part=part,
                delivery_date=date.today() + timedelta(days=60),
                reply_by=datetime.now(UTC) + timedelta(seconds=30),
            )
            proxy = f"suppliers@{platform.domain}/{supplier}"
            cid = await outsider.send(proxy, "cfp", encode(cfp), protocol="fipa-contract-net")
            conversations.append((proxy, cid))
        for proxy, cid in conversations:
            answer = await outsider.answer(cid)
            assert answer.sender.startswith(proxy), answer
            refused(answer, "not-authorised")
        for proxy, cid in conversations:
            await outsider.send(
                proxy,
                "accept-proposal",
                encode(Reason(reason="I accept")),
                protocol="fipa-contract-net",
                conversation_id=cid,
            )
        for _, cid in conversations:
            reply = await outsider.answer(cid)
            assert reply.performative in ("not-understood", "refuse"), reply
    paid = await app.to_paid(platform.gateway, product="demo-bicycle-frame")
    assert paid["supply_network"]


async def test_console_and_supplier_impersonation_are_refused(platform: Platform, store: Database) -> None:
    host, port, domain = platform.xmpp
    for node in ("console", "suppliers", "manufacturer", "customers"):
        assert not await can_log_in(host, port, domain, node, OLD_DEFAULT_PASSWORD)
    async with httpx.AsyncClient(base_url=platform.gateway, timeout=30) as http:
        auth = await app.login(http)
        order_id = await app.place(http, auth)
        await app.until(http, auth, order_id, "quoted")
    jid, password = platform.outsider(role="supplier", party=load_shipped().suppliers[0].id)
    async with attacker(platform, jid, password) as outsider:
        decision = OrderDecision(order_id=uuid.UUID(order_id), accept=False, reason="the console says no")
        cid = await outsider.send(
            f"manufacturer@{domain}", "request", encode(decision), protocol="fipa-request"
        )
        refused(await outsider.answer(cid), "not-a-console")
    await app.to_paid(platform.gateway, order_id=order_id)


async def test_oversize_and_floods_are_bounded_and_the_platform_carries_on(
    platform: Platform, store: Database
) -> None:
    log_before = await count(store, AclMessageRow)
    jid, password = platform.outsider()
    async with attacker(platform, jid, password) as outsider:
        cid = await outsider.send(
            f"ping@{platform.domain}", "request", "x" * 200_000, protocol="fipa-request"
        )
        if platform.server == "pyjabber":  # Prosody closes a stream whose stanza is over its own limit
            refused(await outsider.answer(cid), "message-too-large")
    async with attacker(platform, jid, password) as outsider:
        for _ in range(2000):
            await outsider.send(
                f"manufacturer@{platform.domain}", "cfp", '{"flood": true}', protocol="fipa-contract-net"
            )
        cid = await outsider.send(
            f"ping@{platform.domain}", "request", '{"after": "flood"}', protocol="fipa-request"
        )
        assert await outsider.silence(cid, 3.0) or True
    assert await count(store, AclMessageRow) == log_before
    assert "over its rate limit" in platform.log_text()
    await app.to_paid(platform.gateway)


def ledger(platform: Platform, user: str) -> JsonApiClient:
    """The embedded ledger's JSON API as ``user`` (a party's own ledger user): a user token signed with the
    platform's ledger secret (``<data>/ledger-token.secret``), as ``lso run`` mints them."""
    secret = (platform.data / "ledger-token.secret").read_text().strip()
    url = f"http://127.0.0.1:{platform.env['LSO_LEDGER_JSON_API_PORT']}"
    return JsonApiClient(url, static_token(user_token(secret, user)))
