"""End to end over XMPP (pyjabber and Prosody): an order with several operations is quoted, confirmed,
committed to the ledger by the contract agent, produced, invoiced and paid; and (pyjabber) suppliers
failing after acceptance are replaced by the next best, or fail the order with the reason; the gateway's
bridge (bound to every customer) places only the orders the gateway stored.

Processes: the matchmaker (its own process; EFPF is the local federation service in this one), the
supplier proxies (one host process), the ledger and the contract agent (one process each, the contract
agent reading the order's store); the manufacturer and the customer run in this process.
"""

from __future__ import annotations

import asyncio
from decimal import Decimal
from pathlib import Path

import pytest

from agents.customer.agent import OrderOutcome
from agents.customer.decisions import Decision, DecisionSource, PolicyDecisions
from agents.manufacturer.assessment import Assessment
from agents.runtime.child_process import ChildProcess
from agents.runtime.refusals import NOT_AUTHORISED
from common.settings import Settings
from ledger.testing import LedgerProcess
from ontology.codec import decode
from ontology.negotiation import CallForProposals
from ontology.network import SupplyNetwork
from ontology.order import Order, OrderStatus
from ontology.policy import CustomerPolicy
from ontology.quotation import CounterOffer, Quotation
from store.enums import ANY_PARTY
from store.records import OrderRecord
from tests.agents.e2e.world import (
    candidates,
    contract_agent,
    manufacturer_policy,
    open_store,
    order_for,
    order_outcome,
    order_task_done,
    parties,
    start_proxies,
)
from tests.order_statuses import TO_PAID

CUSTOMER = "customer-e2e"
MANUFACTURER = "manufacturer-e2e"
WAIT = 60.0


BOTH = ["pyjabber", pytest.param("prosody", marks=pytest.mark.prosody)]


@pytest.mark.parametrize("xmpp", BOTH, indirect=True)
async def test_order_is_quoted_confirmed_committed_invoiced_and_paid(
    xmpp: Settings,
    tmp_path: Path,
    matchmaker: str,
    proxies: ChildProcess,
    ledger: LedgerProcess,
) -> None:
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    decisions = PolicyDecisions(CustomerPolicy(accept_at_most=100_000))
    try:
        async with (
            contract_agent(xmpp, ledger, db, CUSTOMER, MANUFACTURER) as contract,
            parties(
                xmpp,
                db,
                customer_id=CUSTOMER,
                manufacturer_id=MANUFACTURER,
                matchmaker=matchmaker,
                proxies=proxies.ready_line,
                decisions=decisions,
                contract_agent=contract,
            ) as (manufacturer, customer),
        ):
            order = order_for(CUSTOMER, MANUFACTURER)
            handle = customer.place_order(order, manufacturer.address)
            async with asyncio.timeout(WAIT):
                outcome = await handle.outcome
                assert outcome.status == "contracted", outcome
                payment = await handle.payment
            await order_task_done(manufacturer, str(order.id))
            await manufacturer.flush_log()
            assert outcome.quotation is not None and outcome.committed is not None
            [line] = outcome.quotation.lines  # the product, never the sourced parts or their suppliers
            total = outcome.quotation.total_price
            assert (line.part_id, line.quantity, line.unit_price) == ("bike", 1, total)
            assert outcome.committed.supply_contracts == ()  # the customer never hears of the suppliers
            assert payment.amount == outcome.quotation.total_price
        async with db.transaction() as repos:
            stored = await repos.orders.load_order(str(order.id))
            record = await repos.orders.require(str(order.id))
            log = await repos.acl.by_order(str(order.id))
            negotiations = await repos.negotiations.by_order(str(order.id))
            invoices = await repos.invoices.by_order(str(order.id))
        assert stored is not None and stored.status is OrderStatus.PAID
        assert [c.to_status for c in stored.history] == list(TO_PAID)
        assert record.contract_ids[0] == outcome.committed.order_contract_id
        assert len(record.contract_ids) >= 2, "the manufacturer keeps its supply agreements' ids"
        assert record.supply_network is not None and record.quotation is not None
        sourced = SupplyNetwork.model_validate(record.supply_network)
        assert {a.part_id for a in sourced.assignments} >= {"frame", "cover"}
        performatives = {(m.direction, m.performative) for m in log}
        customer_side = {("in", "request"), ("out", "agree"), ("out", "propose"), ("in", "accept-proposal")}
        assert customer_side | {("out", "inform")} <= {(str(d), p) for d, p in performatives}
        assert any(m.protocol == "lso-order" and m.performative == "agree" for m in log)
        assert len(negotiations) >= 4  # customer conversation, matchmaker, one per part, contract, invoice
        assert all(n.finished for n in negotiations), [(n.state_name, n.protocol) for n in negotiations]
        supplier_rounds = [
            n.state["rounds"]
            for n in negotiations
            if n.protocol == "fipa-iterated-contract-net" and n.role == "initiator"
        ]
        assert len(supplier_rounds) == 2  # frame and cover
        revised = [decode(r[-1]["content"], CallForProposals) for r in supplier_rounds if len(r) > 1]
        assert revised and all(c.round == 2 and c.target_price is not None for c in revised)
        assert [i.status for i in invoices] == ["paid"]
        [billed] = invoices[0].lines  # the quotation's line, with its quantity and unit price
        assert (billed["quantity"], Decimal(billed["unit_price"])) == (1, outcome.quotation.total_price)
    finally:
        await db.close()


async def run_declined_order(
    settings: Settings, tmp_path: Path, matchmaker: str, failing: tuple[str, ...]
) -> tuple[OrderOutcome, OrderRecord, list[list[str]]]:
    """One order (declined at once by the customer) with frame suppliers ``failing`` after acceptance;
    the outcome, the stored order and the winners of each frame negotiation in order."""
    proxies = await start_proxies(settings, failing=failing)
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    decisions = PolicyDecisions(CustomerPolicy(accept_at_most=1, max_counters=0))
    try:
        async with parties(
            settings,
            db,
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            matchmaker=matchmaker,
            proxies=proxies.ready_line,
            decisions=decisions,
            contract_agent="nobody@localhost",
        ) as (manufacturer, customer):
            order = order_for(CUSTOMER, MANUFACTURER)
            _, outcome = await order_outcome(manufacturer, customer, order, WAIT)
        async with db.transaction() as repos:
            record = await repos.orders.require(str(order.id))
            negotiations = await repos.negotiations.by_order(str(order.id))
    finally:
        await proxies.stop()
        await db.close()
    winners = [
        [peer.rsplit("/", 1)[-1] for peer in n.state["accepted"]]
        for n in negotiations
        if n.protocol == "fipa-iterated-contract-net"
        and n.role == "initiator"
        and '"part_id":"frame"' in n.state["rounds"][0]["content"]
    ]
    return outcome, record, winners


@pytest.mark.parametrize("xmpp", ["pyjabber"], indirect=True)
async def test_winners_failing_after_acceptance_are_replaced_by_the_next_best_or_fail_the_order(
    xmpp: Settings, tmp_path: Path, matchmaker: str
) -> None:
    frame = await candidates(xmpp, matchmaker)
    assert len(frame) >= 2, "the data set must offer two frame suppliers"
    # Every frame supplier fails after acceptance: each winner is dropped in turn, then the order fails.
    outcome, record, winners = await run_declined_order(xmpp, tmp_path / "all", matchmaker, tuple(frame))
    assert outcome.status == "refused" and "part-not-covered" in outcome.reason, outcome
    assert "failed after acceptance" in outcome.reason and "no other supplier left" in outcome.reason
    assert record.status == OrderStatus.FAILED
    assert len(winners) == len(frame) and len({w[0] for w in winners}) == len(frame)
    best = winners[0][0]
    # Only the best fails: the next negotiation, without it, awards another supplier; the order is quoted.
    outcome, record, winners = await run_declined_order(xmpp, tmp_path / "best", matchmaker, (best,))
    assert outcome.status == "declined", outcome
    assert len(winners) == 2 and winners[0][0] == best
    assert record.supply_network is not None
    assignment = SupplyNetwork.model_validate(record.supply_network).assignment("frame")
    assert assignment is not None and assignment.supplier_id == winners[1][0] != best
    assert record.status == OrderStatus.DECLINED


@pytest.mark.parametrize("xmpp", ["pyjabber"], indirect=True)
async def test_infeasible_dates_and_manual_rejections_are_refused_with_the_reason(
    xmpp: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess
) -> None:
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    seen: list[str] = []

    async def approver(order: Order, assessment: Assessment) -> bool:
        seen.append(f"{order.id} {assessment.production.total_days}")
        return False

    try:
        async with parties(
            xmpp,
            db,
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            matchmaker=matchmaker,
            proxies=proxies.ready_line,
            decisions=PolicyDecisions(CustomerPolicy(accept_at_most=100_000)),
            contract_agent="nobody@localhost",
            policy=manufacturer_policy().model_copy(update={"auto_accept": False}),
            approver=approver,
        ) as (manufacturer, customer):
            too_soon = order_for(CUSTOMER, MANUFACTURER, days=0)
            fine = order_for(CUSTOMER, MANUFACTURER)
            soon_handle = customer.place_order(too_soon, manufacturer.address)
            fine_handle = customer.place_order(fine, manufacturer.address)
            async with asyncio.timeout(WAIT):
                soon, declined = await soon_handle.outcome, await fine_handle.outcome
            for order in (too_soon, fine):
                await order_task_done(manufacturer, str(order.id))
        assert soon.status == "refused" and "infeasible-delivery-date" in soon.reason, soon
        assert declined.status == "refused" and "rejected-by-manufacturer" in declined.reason, declined
        assert len(seen) == 1 and seen[0].startswith(str(fine.id))
        async with db.transaction() as repos:
            statuses = [(await repos.orders.require(str(o.id))).status for o in (too_soon, fine)]
        assert statuses == [OrderStatus.REJECTED, OrderStatus.REJECTED]
    finally:
        await db.close()


@pytest.mark.parametrize("xmpp", ["pyjabber"], indirect=True)
async def test_the_gateways_bridge_places_only_orders_the_gateway_stored(
    xmpp: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess
) -> None:
    """The customer's agent is bound as customer ``*`` (the gateway's bridge, acting for every app customer):
    an order the gateway stored (``received``) is taken; one it did not store is refused ``not-authorised``
    and nothing of it is stored."""
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    try:
        async with parties(
            xmpp,
            db,
            customer_id=CUSTOMER,
            manufacturer_id=MANUFACTURER,
            matchmaker=matchmaker,
            proxies=proxies.ready_line,
            decisions=PolicyDecisions(CustomerPolicy(accept_at_most=1, max_counters=0)),
            contract_agent="nobody@localhost",
            customer_party=ANY_PARTY,
        ) as (manufacturer, customer):
            stored, unstored = order_for(CUSTOMER, MANUFACTURER), order_for(CUSTOMER, MANUFACTURER)
            async with db.transaction() as repos:
                await repos.orders.add_order(stored)
            refused = customer.place_order(unstored, manufacturer.address)
            taken = customer.place_order(stored, manufacturer.address)
            async with asyncio.timeout(WAIT):
                refusal, declined = await refused.outcome, await taken.outcome
            await order_task_done(manufacturer, str(stored.id))
        assert refusal.status == "refused" and NOT_AUTHORISED in refusal.reason, refusal
        assert declined.status == "declined", declined
        async with db.transaction() as repos:
            assert await repos.orders.get(str(unstored.id)) is None
            assert await repos.acl.by_order(str(unstored.id)) == []
            record = await repos.orders.require(str(stored.id))
        assert record.status == OrderStatus.DECLINED
    finally:
        await db.close()


class CounterThenAccept(DecisionSource):
    """Counters the first quotation at 98 % of its price, accepts the next one."""

    async def decide(self, order: Order, quotation: Quotation, counters_made: int) -> Decision:
        if counters_made:
            return Decision.accept()
        price = (quotation.total_price * Decimal("0.98")).quantize(Decimal("0.01"))
        return Decision.counter_with(
            CounterOffer(
                order_id=order.id, quotation_id=quotation.id, price=price, currency=quotation.currency
            )
        )


@pytest.mark.parametrize("xmpp", ["pyjabber"], indirect=True)
async def test_a_countered_quotation_is_contracted_and_invoiced_at_the_price_accepted(
    xmpp: Settings, tmp_path: Path, matchmaker: str, proxies: ChildProcess, ledger: LedgerProcess
) -> None:
    db = await open_store(tmp_path, CUSTOMER, MANUFACTURER)
    try:
        async with (
            contract_agent(xmpp, ledger, db, CUSTOMER, MANUFACTURER) as contract,
            parties(
                xmpp,
                db,
                customer_id=CUSTOMER,
                manufacturer_id=MANUFACTURER,
                matchmaker=matchmaker,
                proxies=proxies.ready_line,
                decisions=CounterThenAccept(),
                contract_agent=contract,
            ) as (manufacturer, customer),
        ):
            order = order_for(CUSTOMER, MANUFACTURER)
            handle = customer.place_order(order, manufacturer.address)
            async with asyncio.timeout(WAIT):
                outcome = await handle.outcome
                assert outcome.status == "contracted", outcome
                payment = await handle.payment
            await order_task_done(manufacturer, str(order.id))
        first, revised = handle.quotations
        assert revised.round == 2 and revised.total_price < first.total_price
        assert outcome.quotation == revised
        assert payment.amount == revised.total_price
        async with db.transaction() as repos:
            invoices = await repos.invoices.by_order(str(order.id))
            record = await repos.orders.require(str(order.id))
        assert [i.total for i in invoices] == [revised.total_price]
        assert record.quotation is not None and Quotation.model_validate(record.quotation) == revised
    finally:
        await db.close()
