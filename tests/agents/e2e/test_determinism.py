"""End to end over XMPP (pyjabber): the same order negotiated twice, by the same manufacturer account
against the same supplier proxies (same seeds), on two fresh stores, gives the same supply network
(the same suppliers, prices, dates, quality and rounds) and the same quotation.

Processes: the matchmaker and the supplier proxies (seed 0) run on their own; the manufacturer and
the customer (who declines the quotation) run in this process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from agents.customer.decisions import PolicyDecisions
from agents.runtime.child_process import ChildProcess
from common.settings import Settings
from ontology.network import SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.policy import CustomerPolicy
from ontology.quotation import Quotation
from tests.agents.e2e.world import order_for, order_outcome, order_store, parties, unique

CUSTOMER = "customer-seeded"
MANUFACTURER = "manufacturer-seeded"
WAIT = 60.0


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
    async with (
        order_store(directory, CUSTOMER, MANUFACTURER) as db,
        parties(
            settings,
            db,
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            name=name,
            matchmaker=matchmaker,
            proxies=proxies,
            decisions=PolicyDecisions(CustomerPolicy(accept_at_most=1, max_counters=0)),
            contract_agent="nobody@localhost",
        ) as (manufacturer, customer),
    ):
        _, outcome = await order_outcome(manufacturer, customer, order, WAIT)
        assert outcome.status == "declined" and outcome.quotation is not None, outcome
        record = await manufacturer.journal.order_record(str(order.id))
        assert record is not None and record.status == OrderStatus.DECLINED
        assert record.supply_network is not None
        network = SupplyNetwork.model_validate(record.supply_network)
        return outcome_terms(network, outcome.quotation)


async def test_the_same_seed_gives_the_same_supply_network_and_prices(
    xmpp: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess
) -> None:
    order = order_for(CUSTOMER, MANUFACTURER)
    name = unique("manufacturer")
    first = await negotiate(xmpp, tmp_path / "first", name, matchmaker, proxies.ready_line, order)
    second = await negotiate(xmpp, tmp_path / "second", name, matchmaker, proxies.ready_line, order)
    assert {line["part"] for line in first["network"]} == {"frame", "cover"}
    assert any(line["round"] > 1 for line in first["network"]), "a negotiation took more than one round"
    assert second == first
