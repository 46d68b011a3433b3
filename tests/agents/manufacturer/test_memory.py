"""A manufacturer agent and a customer agent forget every order once it ended: a long run does not grow.

Both agents log in to the embedded pyjabber and run in this process (their messages are handed over in
process); the customer's agent is bound to exactly its customer in the manufacturer's store. Orders end in
every way a run ends them: refused (infeasible), declined by the customer, and contracted, produced,
invoiced and paid (a stand-in contract step commits them; without the ledger the manufacturer's flow ends
there, while the customer keeps a paid order until its delivery).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from agents.customer.agent import CustomerAgent, CustomerTimings
from agents.customer.decisions import Decision, DecisionSource
from agents.manufacturer.agent import ManufacturerAgent
from agents.manufacturer.requests import Opened
from agents.manufacturer.settings import Timings
from common.settings import Settings
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted
from ontology.order import Order
from ontology.policy import ManufacturerPolicy
from ontology.process import ProcessKind
from ontology.product import Product, RequiredPart
from ontology.quotation import Quotation
from store.enums import AgentRole, UserRole
from tests.stores import store_with_users
from tests.xmpp_accounts import started

CUSTOMER, MANUFACTURER = "customer-memory", "manufacturer-memory"
CHAIR = Product(
    id="chair-memory",
    manufacturer_id=MANUFACTURER,
    name="Chair",
    base_cost=Decimal(50),
    base_parts=(RequiredPart(part_id="assembly", process=ProcessKind.ASSEMBLY, machine_minutes=10),),
)
POLICY = ManufacturerPolicy(
    capacity_hours_per_week=1000,
    own_processes=frozenset({ProcessKind.ASSEMBLY}),
    margin=Decimal("0.2"),
    production_days=1,
)
TIMINGS = Timings(
    quotation_validity=timedelta(seconds=30),
    contract=timedelta(seconds=10),
    production=timedelta(seconds=0),
    payment=timedelta(seconds=20),
)
WAIT = 60.0
ROUNDS = 3
"""Orders of each kind (accepted and paid, declined, refused)."""


def unique(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


class Ledger:
    """Commits every agreement at once."""

    async def commit(
        self, request: CommitAgreement, opened: Opened | None = None
    ) -> ContractCommitted | Reason:
        del opened
        return ContractCommitted(order_id=request.order.id, order_contract_id=f"#{request.order.id}:0")


class ByQuantity(DecisionSource):
    """Accepts a quotation of one piece, declines any other."""

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        return Decision.accept() if order.quantity == 1 else Decision.decline("one piece only")


@dataclass
class Pair:
    manufacturer: ManufacturerAgent
    customer: CustomerAgent


@pytest.fixture
async def pair(pyjabber_settings: Settings, tmp_path: Path) -> AsyncIterator[Pair]:
    db = await store_with_users(
        tmp_path, ((CUSTOMER, UserRole.CUSTOMER), (MANUFACTURER, UserRole.MANUFACTURER))
    )
    manufacturer = ManufacturerAgent(
        unique("manufacturer"),
        pyjabber_settings,
        db=db,
        catalogue={CHAIR.id: CHAIR},
        matchmaker=f"nobody@{pyjabber_settings.xmpp_domain}",
        contract_step=Ledger(),
        policy=POLICY,
        manufacturer_id=MANUFACTURER,
        timings=TIMINGS,
    )
    customer = CustomerAgent(
        unique("customer"),
        pyjabber_settings,
        decisions=ByQuantity(),
        timings=CustomerTimings(
            quotation=timedelta(seconds=30), decision=timedelta(seconds=10), contract=timedelta(seconds=20)
        ),
    )
    try:
        await started(manufacturer, role=AgentRole.MANUFACTURER, party=MANUFACTURER, db=db)
        await started(customer, role=AgentRole.CUSTOMER, party=CUSTOMER, db=db)
        yield Pair(manufacturer, customer)
    finally:
        await customer.stop()
        await manufacturer.stop()
        await db.close()


def an_order(quantity: int = 1, days: int = 30) -> Order:
    return Order(
        customer_id=CUSTOMER,
        manufacturer_id=MANUFACTURER,
        product_id=CHAIR.id,
        quantity=quantity,
        delivery_date=datetime.now(UTC).date() + timedelta(days=days),
    )


async def test_after_orders_end_neither_agent_keeps_anything_about_them(pair: Pair) -> None:
    manufacturer, customer = pair.manufacturer, pair.customer
    paid = [an_order() for _ in range(ROUNDS)]
    declined = [an_order(quantity=2) for _ in range(ROUNDS)]
    refused = [an_order(days=0) for _ in range(ROUNDS)]
    handles = [customer.place_order(order, manufacturer.address) for order in (*paid, *declined, *refused)]
    async with asyncio.timeout(WAIT):
        outcomes = [await handle.outcome for handle in handles]
        payments = [await handle.payment for handle in handles[:ROUNDS]]
    expected = ["contracted"] * ROUNDS + ["declined"] * ROUNDS + ["refused"] * ROUNDS
    assert [o.status for o in outcomes] == expected
    assert all(payment.amount > 0 for payment in payments)

    empty = dict.fromkeys(manufacturer.orders_in_memory, 0)
    awaiting_delivery = {order.id for order in paid}  # a paid order goes on to its shipment, on the ledger
    async with asyncio.timeout(WAIT):
        while manufacturer.orders_in_memory != empty or set(customer.orders) - awaiting_delivery:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
    assert not manufacturer.followers.orders() and not manufacturer.orders.sizes()["conversations"]
    await manufacturer.flush_log()
    async with manufacturer.db.transaction() as repos:
        for order in paid:
            record = await repos.orders.get(str(order.id))
            assert record is not None and record.status == "paid"
            assert await repos.acl.by_order(str(order.id)), "what it forgot was logged under the order first"
