"""The manufacturer's contract step on a real embedded ledger, as the manufacturer itself (its own ledger
user): the customer's signed order is found by key and accepted only at the quotation's terms; each supplier
is proposed its supply with the penalty the policy demands and asked to sign; the result lists the order
agreement and the supply agreements. Idempotent (a second commit writes nothing and returns the same ids),
resumable (a proposal made before a restart is not made again and keeps its penalty), and refusals in words.
It fails only when nothing more can land (a silent supplier's proposal is withdrawn first); with the ledger
away it answers ``commit-pending``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from agents.manufacturer.contracting import COMMIT_PENDING
from agents.manufacturer.ledger_contract import Backoff, LedgerContractStep
from ledger.lifecycle import Item, OrderKey, Penalty, SupplyKey
from ledger.testing import LedgerProcess
from ontology.common import Reason
from ontology.contract import CommitAgreement, ContractCommitted, PartyRole
from ontology.lifecycle import SignSupply, SupplySigned
from ontology.policy import LatePenaltyTerms, to_cents
from tests.agents.manufacturer.ledger_support import (
    SUPPLIER_TERMS,
    World,
    a_request,
    static_ledger,
    supplier_jid,
)
from tests.ledger.examples import priced


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LedgerProcess]:
    process = static_ledger(tmp_path_factory.mktemp("manufacturer-contract"))
    process.start()
    yield process
    process.stop()


@pytest.fixture
async def world(ledger: LedgerProcess) -> AsyncIterator[World]:
    opened = await World.open(ledger)
    yield opened
    await opened.sessions.aclose()


async def step(world: World, terms: LatePenaltyTerms | None = SUPPLIER_TERMS) -> LedgerContractStep:
    maker = await world.sessions.session(PartyRole.MANUFACTURER, "m1")
    return LedgerContractStep(
        None,  # type: ignore[arg-type]  # only the default way of asking a supplier needs the agent
        maker,
        world.lookup,
        timedelta(seconds=20),
        supplier_jid=supplier_jid,
        supplier_penalty=lambda: terms,
        sign=world.sign,
    )


async def test_the_manufacturer_accepts_the_signed_order_and_each_supplier_signs_its_supply(
    world: World,
) -> None:
    request = a_request()
    await world.place(request)
    contract = await step(world)
    committed = await contract.commit(request)
    assert isinstance(committed, ContractCommitted), committed
    maker = await world.sessions.session(PartyRole.MANUFACTURER, "m1")
    order_id = str(request.order.id)
    agreement = await maker.order_agreement(OrderKey(maker.party, order_id))
    assert agreement is not None and committed.order_contract_id == agreement.contract_id
    assert agreement.data.price == request.quotation.total_price
    assert agreement.data.penalty == Penalty(per_day_late=Decimal(5))  # the quotation's
    assert [ref.supplier_id for ref in committed.supply_contracts] == ["s1", "s2"]
    for ref in committed.supply_contracts:
        supply = await maker.supply_agreement(
            SupplyKey(maker.party, order_id, world.party(PartyRole.SUPPLIER, ref.supplier_id))
        )
        assert supply is not None and supply.contract_id == ref.contract_id
        # the policy's penalty: 1 % of this supply's price a day, at most 2 %
        assert supply.data.penalty == Penalty(
            per_day_late=to_cents(supply.data.price / 100), cap=to_cents(supply.data.price * 2 / 100)
        )
    assert [s.supplier_id for s in world.signed] == ["s1", "s2"]

    # idempotent: asked again (a restart, a retry), the same contracts and nothing new signed or written
    written = len(maker.written)
    again = await contract.commit(request)
    assert isinstance(again, ContractCommitted)
    assert again.contract_ids == committed.contract_ids
    assert len(world.signed) == 2 and len(maker.written) == written


async def test_a_customer_order_at_other_terms_than_the_quotation_is_refused_in_words(world: World) -> None:
    request = a_request()
    cheaper = (Item(item_id=request.order.product_id, quantity=request.order.quantity, price=Decimal(400)),)
    await world.place(request, price=Decimal(400), items=cheaper)  # signed at 400, quoted at 420
    result = await (await step(world)).commit(request)
    assert isinstance(result, Reason) and result.reason == "contract-failed"
    assert result.detail is not None
    assert "differs from the accepted quotation in: items, price" in result.detail
    maker = await world.sessions.session(PartyRole.MANUFACTURER, "m1")
    assert await maker.order_agreement(OrderKey(maker.party, str(request.order.id))) is None
    assert world.signed == []


async def test_no_signed_customer_order_no_contract(world: World) -> None:
    request = a_request()
    result = await (await step(world)).commit(request)
    assert isinstance(result, Reason) and result.reason == "contract-failed"
    assert (
        result.detail
        == f"the customer has not signed order {request.order.id} on the ledger (no customer order)"
    )


async def test_a_supplier_that_refuses_fails_the_contract_with_its_words(world: World) -> None:
    request = a_request()
    await world.place(request)
    world.refuse["s2"] = "the machine broke down"
    result = await (await step(world)).commit(request)
    assert isinstance(result, Reason) and result.reason == "contract-failed"
    assert result.detail == "supplier s2 did not sign its supply: the machine broke down"
    maker = await world.sessions.session(PartyRole.MANUFACTURER, "m1")
    order_id = str(request.order.id)
    s2 = SupplyKey(maker.party, order_id, world.party(PartyRole.SUPPLIER, "s2"))
    assert await maker.supply_proposal(s2) is None and await maker.supply_agreement(s2) is None


async def test_a_resumed_contract_keeps_the_proposal_made_before_the_restart(world: World) -> None:
    """A restart after the proposal to s1 (with the penalty the policy demanded then): the resumed step does
    not propose again (the policy changed meanwhile: the penalty proposed stays), asks s1 to sign it, and
    goes on with s2."""
    request = a_request()
    await world.place(request)
    before = await step(world)
    maker = before.ledger
    order_id = str(request.order.id)
    # the first run: the order accepted and the supply proposed to s1, then the process stopped
    terms = await _plan(world, request)
    await maker.accept_order(terms[0])
    first = terms[1].model_copy(
        update={"penalty": Penalty(per_day_late=Decimal("1.10"), cap=Decimal("2.20"))}
    )
    proposed = await maker.propose_supply(first)
    later = await step(world, LatePenaltyTerms(percent_per_day=Decimal(3)))
    committed = await later.commit(request)
    assert isinstance(committed, ContractCommitted), committed
    s1 = await maker.supply_agreement(SupplyKey(maker.party, order_id, world.party(PartyRole.SUPPLIER, "s1")))
    assert s1 is not None and s1.data.penalty == first.penalty
    assert world.signed[0].proposal_contract_id == proposed.contract_id
    s2 = await maker.supply_agreement(SupplyKey(maker.party, order_id, world.party(PartyRole.SUPPLIER, "s2")))
    assert s2 is not None and s2.data.penalty == Penalty(per_day_late=Decimal("1.21"))  # 3 % of 40.25


async def test_an_order_agreement_at_other_terms_is_never_reused(world: World) -> None:
    request = a_request()
    await world.place(request)
    committed = await (await step(world)).commit(request)
    assert isinstance(committed, ContractCommitted)
    other = priced(request, "500")  # the same order with another quotation
    result = await (await step(world)).commit(other)
    assert isinstance(result, Reason) and result.reason == "contract-failed"
    assert result.detail is not None and "a different agreement for order" in result.detail
    assert "(items, price differ)" in result.detail


async def _plan(world: World, request: CommitAgreement) -> tuple:  # type: ignore[type-arg]
    from ledger.commit import plan

    p = plan(
        request,
        world.party(PartyRole.CUSTOMER, "c1"),
        world.party(PartyRole.MANUFACTURER, "m1"),
        {"s1": world.party(PartyRole.SUPPLIER, "s1"), "s2": world.party(PartyRole.SUPPLIER, "s2")},
    )
    return (p.order, p.supplies[0][1], p.supplies[1][1])


async def test_a_supplier_whose_answer_was_lost_keeps_its_signed_supply(world: World) -> None:
    """The supplier signed, but its answer never came: the signed supply agreement is what counts."""
    request = a_request()
    await world.place(request)

    async def signs_but_answer_lost(
        jid: str, ask: SignSupply, within: timedelta, opened: object
    ) -> SupplySigned | Reason:
        await world.sign(jid, ask, within, opened)
        return Reason(reason="timed-out", detail="agreed, but no result before result-by")

    contract = await step(world)
    contract.sign = signs_but_answer_lost
    committed = await contract.commit(request)
    assert isinstance(committed, ContractCommitted), committed
    assert [ref.supplier_id for ref in committed.supply_contracts] == ["s1", "s2"]


async def test_a_supplier_that_does_not_answer_cannot_sign_after_the_contract_failed(world: World) -> None:
    """The proposal of a supplier that did not answer is withdrawn before the step fails: signing it later
    is refused by the ledger, so the store's failed order and the ledger agree."""
    request = a_request()
    await world.place(request)

    async def silent(jid: str, ask: SignSupply, within: timedelta, opened: object) -> SupplySigned | Reason:
        if ask.supplier_id == "s2":
            return Reason(reason="no-answer", detail=f"{jid} did not answer in time")
        return await world.sign(jid, ask, within, opened)

    contract = await step(world)
    contract.sign = silent
    result = await contract.commit(request)
    assert isinstance(result, Reason) and result.reason == "contract-failed", result
    assert result.detail == "supplier s2 did not sign its supply: s2@suppliers.test did not answer in time"
    maker = await world.sessions.session(PartyRole.MANUFACTURER, "m1")
    s2 = SupplyKey(maker.party, str(request.order.id), world.party(PartyRole.SUPPLIER, "s2"))
    assert await maker.supply_proposal(s2) is None, "a proposal left behind could still be signed"
    assert await maker.supply_agreement(s2) is None


async def test_with_the_ledger_away_the_commit_is_pending_and_lands_when_it_is_back(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """A ledger that does not answer makes the step answer ``commit-pending`` (not a failure: the commit may
    still land); asked again once the ledger is back, the same step commits."""
    ledger = static_ledger(tmp_path_factory.mktemp("ledger-away"))
    ledger.start()
    world = await World.open(ledger)
    try:
        request = a_request()
        await world.place(request)
        contract = await step(world)
        contract.timeout = timedelta(seconds=2)
        contract.backoff = Backoff(first=0.1, most=0.3)
        ledger.kill()
        result = await contract.commit(request)
        assert isinstance(result, Reason) and result.reason == COMMIT_PENDING, result
        assert "the ledger was unreachable while accepting order" in (result.detail or "")
        ledger.start()
        contract.timeout = timedelta(seconds=20)
        committed = await contract.commit(request)
        assert isinstance(committed, ContractCommitted), committed
    finally:
        await world.sessions.aclose()
        ledger.stop()
