"""End to end over XMPP (pyjabber), every party signing for itself on the ledger: an order goes from the
customer's request to ``completed`` with one supplier on time and one late (its penalty claimed), and every
process is restarted mid-way; nothing is lost or done twice.

Processes: the matchmaker, the supplier proxy host (``python -m agents.supplier_proxy --ledger``, the
suppliers' tokens only), the manufacturer (``python -m agents.manufacturer --ledger``, its own token only) and
the ledger (static time) each in its own process; the customer's agent runs here with the customer's own
ledger session. The test moves ledger time with Daml's testing TimeService.

The story:

1. the customer orders a bike (frame and cover sourced); it is negotiated, quoted, accepted (the customer's
   ``CustomerOrder`` signed first) and contracted: the manufacturer accepts the order and each supplier signs
   its supply agreement. Frame suppliers ship at once; cover suppliers not before an hour (the first proxy
   host's ship delay);
2. the frame arrives on time (received at ledger time before the frame's delivery date);
3. every child process and the ledger stop while the order is ``contracted`` (frame received, cover not
   shipped); the ledger starts again on its data, ledger time moves two days past the cover's delivery date,
   and the other processes start again on their data (the proxy host now without the delay: the cover ships
   at once);
4. the cover arrives late: its penalty (the manufacturer policy's supplier penalty) is claimed; production,
   invoice (paid by the customer's claim, confirmed by the manufacturer), shipment, the customer's delivery
   confirmation (late too, as the dates come: the customer claims the order's penalty), the suppliers paid
   -> ``completed``.

Static ledger time is not kept across a ledger restart (it starts at the wall clock again), so the restart
comes before ledger time moves; the supply agreements' ``agreedAt`` (from before the restart) is what the
proxies' ship delays count from, against the wall clock.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from agents.customer.agent import CustomerAgent, OrderEvent
from agents.customer.decisions import PolicyDecisions
from agents.runtime.child_process import ChildProcess, spawn
from common.settings import Settings
from federation.dataset.loader import load_shipped
from federation.service.serve import RunningService
from ledger.identities.store_lookup import StoreIdentities
from ledger.lifecycle import (
    INVOICE,
    ORDER_AGREEMENT,
    PAYMENT_CLAIM,
    PAYMENT_RECEIPT,
    PENALTY_CLAIM,
    SUPPLY_AGREEMENT,
    Contract,
    OrderKey,
    PartyLedger,
    SupplyAgreement,
    SupplyKey,
    TokenSessions,
)
from ledger.testing import LedgerProcess
from ontology.console import OrderStatusNotice
from ontology.contract import PartyRole
from ontology.order import OrderStatus
from ontology.policy import CustomerPolicy
from simulation.samples import bike
from store.database import Database
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    LEDGER_SECRET,
    candidates,
    enrol_customer,
    enrol_manufacturer,
    ledger_env,
    ledger_now,
    ledger_users,
    manufacturer_command,
    manufacturer_policy,
    move_ledger_time,
    onboard_for_contracts,
    order_for,
    order_store,
    party_token_dir,
    reached,
    start_ledger_proxies,
    start_matchmaker,
    static_ledger,
    status_of,
    unique,
)
from tests.ledger.party_sessions import UserTokens, connector
from tests.order_statuses import TO_PAID

CUSTOMER = "customer-completed"
MANUFACTURER = "manufacturer-completed"
WAIT = 60.0
DEADLINE = 3.0
"""The manufacturer's negotiation deadline (seconds per round)."""
LATE_DAYS = 2
"""Days past the late part's delivery date at which ledger time stands when it arrives."""
TIMINGS = {**bike.TIMINGS, "payment": 30.0, "ledger_poll": 0.3}
SUPPLIERS_ENV = {"LSO_SUPPLIERS_SHIP_DELAY_SECONDS": "0", "LSO_SUPPLIERS_LEDGER_POLL_SECONDS": "0.3"}
ONCE = (
    *TO_PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
)
"""Every status of the story, each reached exactly once (in this order)."""


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    async with order_store(tmp_path, CUSTOMER, MANUFACTURER) as store:
        yield store


@pytest.fixture
async def ledger(tmp_path: Path) -> AsyncIterator[LedgerProcess]:
    process = static_ledger(tmp_path / "ledger")
    await process.astart()
    yield process
    await process.astop()


class World:
    """The child processes of the story (started, stopped and started again on the same data)."""

    def __init__(
        self, settings: Settings, efpf: RunningService, ledger: LedgerProcess, db: Database, directory: Path
    ) -> None:
        self.settings = settings
        self.efpf = efpf
        self.ledger = ledger
        self.db = db
        self.directory = directory
        self.matchmaker: ChildProcess | None = None
        self.proxies: ChildProcess | None = None
        self.manufacturer: ChildProcess | None = None
        self.proxy_name = unique("suppliers")
        self.manufacturer_name = unique("manufacturer")
        self.proxy_env: dict[str, str] = {}
        self.manufacturer_env: dict[str, str] = {}

    async def prepare(self) -> None:
        """Onboard every party (the operator's step) and give each process its own parties' tokens only."""
        tokens = await onboard_for_contracts(self.ledger, self.db, CUSTOMER, MANUFACTURER)
        suppliers = [(PartyRole.SUPPLIER, record.id) for record in load_shipped().suppliers]
        users = await ledger_users(self.db, suppliers)
        supplier_dir = party_token_dir(self.ledger, tokens, users, "suppliers")
        own = await ledger_users(self.db, [(PartyRole.MANUFACTURER, MANUFACTURER)])
        manufacturer_dir = party_token_dir(self.ledger, tokens, own, "manufacturer")
        self.proxy_env = ledger_env(self.ledger, supplier_dir)
        self.manufacturer_env = ledger_env(self.ledger, manufacturer_dir)
        await enrol_manufacturer(self.settings, self.db, self.manufacturer_name, MANUFACTURER)

    async def start(self, ship_delays: dict[str, float]) -> None:
        """The matchmaker, the proxy host (``ship_delays``: per supplier, seconds) and the manufacturer."""
        self.matchmaker = await start_matchmaker(self.settings, self.efpf)
        env = {**self.proxy_env, **SUPPLIERS_ENV}
        env["LSO_SUPPLIERS_SHIP_DELAY_OVERRIDES"] = json.dumps(ship_delays)
        self.proxies = await start_ledger_proxies(self.settings, self.db, env, name=self.proxy_name)
        args, env = manufacturer_command(
            self.directory,
            self.db,
            self.manufacturer_name,
            MANUFACTURER,
            self.matchmaker.ready_line,
            self.proxies.ready_line,
            deadline_seconds=DEADLINE,
            ledger=self.manufacturer_env,
            timings=TIMINGS,
        )
        self.manufacturer = await spawn("agents.manufacturer", args, self.settings, extra_env=env)

    async def stop(self) -> None:
        for child in (self.manufacturer, self.proxies, self.matchmaker):
            if child is not None:
                await child.stop()
        self.manufacturer = self.proxies = self.matchmaker = None


def customer_sessions(ledger: LedgerProcess, db: Database) -> TokenSessions:
    """The customer's own ledger sessions (the identity store, a token of the customer's user only)."""
    return TokenSessions(StoreIdentities(lambda: db), UserTokens(LEDGER_SECRET), connector(ledger, "json"))


async def wait_for(what: str, probe: Callable[[], Awaitable[bool]], wait: float = WAIT) -> None:
    """Poll ``probe`` until it answers True (``what`` names it when it does not within ``wait`` seconds)."""
    try:
        async with asyncio.timeout(wait):
            while not await probe():  # noqa: ASYNC110 (another process writes the ledger)
                await asyncio.sleep(0.2)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {wait:.0f} s") from None


async def transitions(db: Database, order_id: str) -> list[OrderStatus]:
    """The order's status changes (notes left out), in order."""
    async with db.transaction() as repos:
        history = await repos.orders.history(order_id)
    return [OrderStatus(c.to_status) for c in history if c.from_status != c.to_status]


async def signer_of(
    db: Database, supplier_ids: list[str], signed: dict[str, Contract[SupplyAgreement]]
) -> tuple[str, str]:
    """The ledger party and the name of the one supplier among ``supplier_ids`` that signed (``signed``: by
    party)."""
    identities = StoreIdentities(lambda: db)
    names = {record.id: record.name for record in load_shipped().suppliers}
    found = set()
    for supplier_id in supplier_ids:
        identity = await identities.identity(PartyRole.SUPPLIER, supplier_id)
        if identity is not None and identity.party in signed:
            found.add((identity.party, names[supplier_id]))
    assert len(found) == 1, found
    return found.pop()


async def active(session: PartyLedger, template: str, order_id: str) -> list[dict[str, Any]]:
    """The payloads of the order's active ``template`` contracts the session's party sees."""
    found = await session.client.query([template], {"orderId": order_id}, readers=[session.party])
    return [dict(c.payload) for c in found]


def owed(per_day: Decimal, cap: Decimal | None, days_late: int) -> Decimal:
    """A penalty's amount for ``days_late`` days (at most its cap), as the ledger computes it."""
    amount = per_day * days_late
    return amount if cap is None else min(amount, cap)


def supplier_penalty(price: Decimal) -> Decimal:
    """What the late supplier owes: the manufacturer policy's supplier penalty on its supply's price."""
    terms = manufacturer_policy().supplier_penalty
    assert terms is not None
    penalty = terms.penalty_for(price)
    assert penalty is not None
    return owed(penalty.per_day_late, penalty.cap, LATE_DAYS)


async def check_ledger(
    maker: PartyLedger,
    client: PartyLedger,
    order_id: str,
    suppliers: tuple[str, str],
    penalties: tuple[Decimal, Decimal | None],
) -> None:
    """What the ledger holds at the end, read with the manufacturer's and the customer's own tokens:
    ``suppliers`` (late, on time) by ledger party; ``penalties``: the late supplier's and the customer's
    (None: the order was delivered on time)."""
    late, on_time = suppliers
    agreements = await active(maker, ORDER_AGREEMENT, order_id)
    assert len(agreements) == 1, agreements
    assert agreements == await active(client, ORDER_AGREEMENT, order_id)
    agreement = agreements[0]
    assert agreement["shipment"] and agreement["receipt"] and agreement["invoiceId"]
    assert agreement["penaltyClaimed"] is (penalties[1] is not None)
    supplies = {s["supplier"]: s for s in await active(maker, SUPPLY_AGREEMENT, order_id)}
    assert set(supplies) == {late, on_time}
    assert all(s["receipt"] and s["invoiceId"] for s in supplies.values()), supplies
    assert int(supplies[on_time]["receipt"]["daysLate"]) == 0
    assert int(supplies[late]["receipt"]["daysLate"]) == LATE_DAYS
    assert supplies[late]["penaltyClaimed"] is True and supplies[on_time]["penaltyClaimed"] is False

    claims = await active(maker, PENALTY_CLAIM, order_id)
    by_claimant = {(c["claimant"], c["liable"]): Decimal(str(c["amount"])) for c in claims}
    wanted = {(maker.party, late): penalties[0]}
    if penalties[1] is not None:
        wanted[(client.party, maker.party)] = penalties[1]
    assert len(claims) == len(wanted) and by_claimant == wanted, claims

    assert await active(maker, INVOICE, order_id) == []
    assert await active(maker, PAYMENT_CLAIM, order_id) == []
    receipts = await active(maker, PAYMENT_RECEIPT, order_id)
    issuers = Counter(r["issuer"] for r in receipts)
    assert issuers == Counter({maker.party: 1, late: 1, on_time: 1}), receipts
    own = [r for r in receipts if r["issuer"] == maker.party]
    assert own == await active(client, PAYMENT_RECEIPT, order_id)


async def check_store(
    db: Database, order_id: str, price: Decimal, penalty: Decimal, names: tuple[str, str]
) -> None:
    """The store mirrors the ledger: one invoice, paid once; every status reached once; in words (the
    suppliers' ``names``, late and on time, also after the restart), the on-time part's arrival noted once,
    the late part's penalty (``penalty``) claimed once, each supplier's payment confirmed once."""
    async with db.transaction() as repos:
        invoices = await repos.invoices.by_order(order_id)
        assert len(invoices) == 1, invoices
        invoice = invoices[0]
        payment = await repos.payments.for_invoice(invoice.id)
        record = await repos.orders.require(order_id)
    assert invoice.status == "paid" and invoice.ledger_contract_id and invoice.total == price
    assert payment is not None and payment.amount == price
    assert payment.ledger_contract_id and payment.ledger_claim_contract_id
    assert record.status == OrderStatus.COMPLETED and len(record.contract_ids) == 3
    moves = await transitions(db, order_id)
    assert [m for m in moves if m is not OrderStatus.RECEIVED] == list(ONCE), moves
    async with db.transaction() as repos:
        notes = [c.note for c in await repos.orders.history(order_id)]
    late, on_time = names
    claimed = [n for n in notes if "penalty is claimed" in n]
    words = f"A part arrived {LATE_DAYS} days late; the supplier's agreed late-delivery penalty is claimed."
    assert claimed == [words], notes
    assert any(n.startswith("A part arrived on ") for n in notes), notes
    assert "Suppliers paid: 2 of 2." in notes, notes
    # the customer reads the history too: no supplier, nor what a supplier is paid or owes, in it
    assert not [n for n in notes if late in n or on_time in n or f"{penalty:,.2f}" in n], notes


async def test_an_order_is_completed_with_a_late_supplier_across_a_restart_of_every_process(
    pyjabber_settings: Settings,
    efpf: RunningService,
    ledger: LedgerProcess,
    db: Database,
    tmp_path: Path,
) -> None:
    settings = pyjabber_settings
    world = World(settings, efpf, ledger, db, tmp_path)
    sessions = customer_sessions(ledger, db)
    events: list[OrderEvent] = []
    customer = CustomerAgent(
        unique("customer"),
        settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
        timings=CUSTOMER_FAST,
        on_event=events.append,
        ledger=sessions,
        ledger_parties=StoreIdentities(lambda: db),
    )
    maker_sessions = customer_sessions(ledger, db)  # the manufacturer's session, for the test's reads
    try:
        async with asyncio.timeout(170):
            await world.prepare()
            await enrol_customer(settings, db, customer.address, CUSTOMER)
            await customer.start()
            maker: PartyLedger = await maker_sessions.session(PartyRole.MANUFACTURER, MANUFACTURER)
            client: PartyLedger = await sessions.session(PartyRole.CUSTOMER, CUSTOMER)

            # 1. Frame suppliers ship at once, cover suppliers not within this run.
            world.matchmaker = await start_matchmaker(settings, efpf)
            frames = await candidates(settings, world.matchmaker.ready_line, "frame")
            covers = await candidates(settings, world.matchmaker.ready_line, "cover")
            await world.matchmaker.stop()
            assert frames and covers and not set(frames) & set(covers), (frames, covers)
            await world.start({supplier: 3600.0 for supplier in covers})
            assert world.manufacturer is not None
            order = order_for(CUSTOMER, MANUFACTURER, days=10)
            oid = str(order.id)
            handle = customer.place_order(order, world.manufacturer.ready_line)
            async with asyncio.timeout(WAIT):
                outcome = await handle.outcome
            assert outcome.status == "contracted", outcome
            assert outcome.committed is not None and outcome.quotation is not None
            key = OrderKey(maker.party, oid)
            supplies = await maker.supply_agreements(key)
            assert len(supplies) == 2, supplies
            suppliers = {s.data.supplier: s for s in supplies}
            late_party, late_name = await signer_of(db, covers, suppliers)
            on_time_party, on_time_name = await signer_of(db, frames, suppliers)

            # 2. The frame arrives on time; the cover is not shipped.
            async def frame_received() -> bool:
                found = await maker.supply_agreements(key)
                return any(s.data.supplier == on_time_party and s.data.receipt is not None for s in found)

            await wait_for("the frame received", frame_received)
            assert await status_of(db, oid) == OrderStatus.CONTRACTED
            late_terms = suppliers[late_party].data
            assert late_terms.penalty is not None
            cover = await maker.supply_agreement(SupplyKey(maker.party, oid, late_party))
            assert cover is not None and cover.data.shipment is None

            # 3. Every process stops and starts again on its data; ledger time moves past the cover's date.
            await world.stop()
            await ledger.astop()
            await ledger.astart()
            arrival = late_terms.delivery_date + timedelta(days=LATE_DAYS)
            assert arrival - (await ledger_now(ledger)).date() < timedelta(days=28)  # invoices stay due
            await move_ledger_time(ledger, arrival)
            await world.start({})

            # 4. To completed.
            async with asyncio.timeout(WAIT):
                payment = await handle.payment
                delivery = await handle.delivery
            await reached(db, oid, OrderStatus.COMPLETED, wait=WAIT)
            await asyncio.sleep(1.0)  # anything a process would (wrongly) do again after completing
            quotation = outcome.quotation
            order_late = max((arrival - quotation.delivery_date).days, 0)  # the bike ships the day it arrives
            assert quotation.penalty is not None
            to_customer = None
            if order_late:  # as the dates come (supplies due a production day before the bike): 1 day
                to_customer = owed(quotation.penalty.per_day_late, quotation.penalty.cap, order_late)
            assert delivery.days_late == order_late and delivery.penalty == to_customer, delivery
            assert payment.amount == quotation.total_price and payment.claim_contract_id
            to_manufacturer = supplier_penalty(late_terms.price)
            parties = (late_party, on_time_party)
            await check_ledger(maker, client, oid, parties, (to_manufacturer, to_customer))
            await check_store(db, oid, quotation.total_price, to_manufacturer, (late_name, on_time_name))
            notices = [e.content for e in events if isinstance(e.content, OrderStatusNotice)]
            planned = arrival + timedelta(days=manufacturer_policy().production_days)
            moved = [planned] if planned > quotation.delivery_date else []  # the customer told the new date
            assert [n.delivery_date for n in notices if n.delivery_date is not None] == moved, notices
            shipped = [n.shipment for n in notices if n.status is OrderStatus.SHIPPED]
            assert len(shipped) == 1 and shipped[0] is not None and shipped[0].reference, shipped
    finally:
        await customer.stop()
        await world.stop()
        await sessions.aclose()
        await maker_sessions.aclose()
