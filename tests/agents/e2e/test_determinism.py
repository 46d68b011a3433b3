"""End to end over XMPP (pyjabber): the same order negotiated twice, by the same manufacturer account
against the same supplier proxies (same seeds), on two fresh stores, gives the same supply network
(the same suppliers, prices, dates, quality and rounds) and the same quotation.

Processes: the matchmaker and the supplier proxies (seed 0) run on their own; the manufacturer and
the customer (who declines the quotation) run in this process.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from agents.customer.agent import CustomerAgent
from agents.customer.decisions import PolicyDecisions
from agents.manufacturer.agent import ManufacturerAgent
from agents.runtime.child_process import ChildProcess
from core.settings import Settings
from federation.service.serve import RunningService
from ontology.network import SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.policy import CustomerPolicy
from ontology.quotation import Quotation
from tests.agents.e2e.world import (
    CUSTOMER_FAST,
    FAST,
    enrol_customer,
    enrol_manufacturer,
    manufacturer_policy,
    open_store,
    order_for,
    product,
    start_matchmaker,
    start_proxies,
    unique,
)

CUSTOMER = "customer-seeded"
MANUFACTURER = "manufacturer-seeded"
WAIT = 60.0


@pytest.fixture(scope="module")
async def matchmaker(pyjabber_settings: Settings, efpf: RunningService) -> AsyncIterator[str]:
    child = await start_matchmaker(pyjabber_settings, efpf)
    yield child.ready_line
    await child.stop()


@pytest.fixture(scope="module")
async def proxies(pyjabber_settings: Settings) -> AsyncIterator[ChildProcess]:
    child = await start_proxies(pyjabber_settings)
    yield child
    await child.stop()


def outcome_terms(network: SupplyNetwork, quotation: Quotation) -> dict[str, Any]:
    """What a negotiation decided, without the ids and times every run makes anew."""
    offers = [
        {
            "part": a.part_id,
            "supplier": a.offer.supplier_id,
            "price": a.offer.price,
            "delivery": a.offer.delivery_date,
            "quality": a.offer.quality,
            "material": a.offer.material,
            "round": a.offer.round,
        }
        for a in sorted(network.assignments, key=lambda a: a.part_id)
    ]
    lines = [(line.part_id, line.price) for line in quotation.lines]
    return {
        "network": offers,
        "lines": lines,
        "total": quotation.total_price,
        "delivery": quotation.delivery_date,
    }


async def negotiate(
    settings: Settings, directory: Path, name: str, matchmaker: str, proxies: str, order: Order
) -> dict[str, Any]:
    """One run on a fresh store: the order is quoted (and declined); what was decided."""
    db = await open_store(directory, CUSTOMER, MANUFACTURER)
    manufacturer = ManufacturerAgent(
        name,
        settings,
        db=db,
        catalogue={"bike": product(MANUFACTURER)},
        matchmaker=matchmaker,
        contract_agent="nobody@localhost",
        policy=manufacturer_policy(),
        manufacturer_id=MANUFACTURER,
        timings=FAST,
        supplier_agent=lambda supplier: f"{proxies}/{supplier.id}",
    )
    customer = CustomerAgent(
        unique("customer"),
        settings,
        decisions=PolicyDecisions(CustomerPolicy(accept_at_most=1, max_counters=0)),
        timings=CUSTOMER_FAST,
    )
    try:
        await enrol_manufacturer(settings, db, name, MANUFACTURER)
        await enrol_customer(settings, db, customer.address, CUSTOMER)
        await manufacturer.start()
        await customer.start()
        handle = customer.place_order(order, manufacturer.address)
        async with asyncio.timeout(WAIT):
            outcome = await handle.outcome
        task = manufacturer.order_task(str(order.id))
        if task is not None:
            async with asyncio.timeout(10):
                await task
        assert outcome.status == "declined" and outcome.quotation is not None, outcome
        record = await manufacturer.journal.order_record(str(order.id))
        assert record is not None and record.status == OrderStatus.DECLINED
        assert record.supply_network is not None
        network = SupplyNetwork.model_validate(record.supply_network)
        return outcome_terms(network, outcome.quotation)
    finally:
        await customer.stop()
        await manufacturer.stop()
        await db.close()


async def test_the_same_seed_gives_the_same_supply_network_and_prices(
    pyjabber_settings: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess
) -> None:
    order = order_for(CUSTOMER, MANUFACTURER)
    name = unique("manufacturer")
    first = await negotiate(
        pyjabber_settings, tmp_path / "first", name, matchmaker, proxies.ready_line, order
    )
    second = await negotiate(
        pyjabber_settings, tmp_path / "second", name, matchmaker, proxies.ready_line, order
    )
    assert {line["part"] for line in first["network"]} == {"frame", "cover"}
    assert any(line["round"] > 1 for line in first["network"]), "a negotiation took more than one round"
    assert second == first
