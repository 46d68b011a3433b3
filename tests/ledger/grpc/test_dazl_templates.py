"""Every template's happy path through the real dazl client, over the gRPC Ledger API and the engine."""

from __future__ import annotations

from ledger import samples
from ledger.dazl_client import DazlLedgerClient
from ledger.engine.templates import MODULE
from ledger.lf import package_id
from ledger.samples import CUSTOMER, MANUFACTURER, OUTSIDER, SUPPLIER
from tests.ledger.grpc.conftest import GrpcLedger, client, make_token


def t(entity: str) -> str:
    return f"{MODULE}:{entity}"


async def test_parties_allocated_and_dar_uploaded(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    assert parties == [CUSTOMER, MANUFACTURER, SUPPLIER, OUTSIDER]
    async with DazlLedgerClient(grpc_ledger.url, admin=True, token=make_token(admin=True)) as admin:
        assert set(parties) <= set(await admin.list_parties())
        assert package_id() in await admin.package_ids()


async def test_customer_order_is_seen_by_its_stakeholders_only(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    order = samples.customer_order("order-co")
    async with client(grpc_ledger, CUSTOMER) as customer:
        created = await customer.create(t("CustomerOrder"), order)
    assert created.template == t("CustomerOrder")
    assert created.payload == order
    async with client(grpc_ledger, MANUFACTURER) as manufacturer:
        seen = await manufacturer.query(t("CustomerOrder"))
    assert [c.contract_id for c in seen] == [created.contract_id]
    async with client(grpc_ledger, OUTSIDER) as outsider:
        assert await outsider.query(t("CustomerOrder")) == []


async def test_order_proposal_accepted_then_delivery_committed(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    terms = samples.order_terms("order-op")
    async with client(grpc_ledger, MANUFACTURER) as manufacturer, client(grpc_ledger, CUSTOMER) as customer:
        proposal = await manufacturer.create(t("OrderProposal"), terms)
        assert proposal.payload["items"][0]["price"] == "120.5"
        assert proposal.payload["penalty"] == {"perDayLate": "5", "cap": "50"}
        accepted = await customer.exercise(t("OrderProposal"), proposal.contract_id, "AcceptOrder")
        [agreement] = accepted.created
        assert accepted.result == agreement.contract_id
        assert accepted.archived == [proposal.contract_id]
        assert agreement.template == t("OrderAgreement")
        assert agreement.payload == proposal.payload
        assert await customer.query(t("OrderProposal")) == []
        committed = await manufacturer.exercise(t("OrderAgreement"), agreement.contract_id, "CommitDelivery")
        [commitment] = committed.created
        assert committed.archived == []  # nonconsuming
        assert commitment.payload["deliveryDate"] == terms["deliveryDate"]
        commitments = await customer.query(t("DeliveryCommitment"))
        assert [c.contract_id for c in commitments] == [commitment.contract_id]
        assert [c.contract_id for c in await customer.query(t("OrderAgreement"))] == [agreement.contract_id]


async def test_supply_proposal_accepted_rejected_and_withdrawn(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    async with client(grpc_ledger, MANUFACTURER) as manufacturer, client(grpc_ledger, SUPPLIER) as supplier:
        first = await manufacturer.create(t("SupplyProposal"), samples.supply_terms("order-sp1"))
        assert first.payload["penalty"] is None
        accepted = await supplier.exercise(t("SupplyProposal"), first.contract_id, "AcceptSupply")
        [agreement] = accepted.created
        assert agreement.template == t("SupplyAgreement")
        second = await manufacturer.create(t("SupplyProposal"), samples.supply_terms("order-sp2"))
        rejected = await supplier.exercise(t("SupplyProposal"), second.contract_id, "RejectSupply")
        assert (rejected.result, rejected.created, rejected.archived) == ({}, [], [second.contract_id])
        third = await manufacturer.create(t("SupplyProposal"), samples.supply_terms("order-sp3"))
        withdrawn = await manufacturer.exercise(t("SupplyProposal"), third.contract_id, "WithdrawSupply")
        assert withdrawn.archived == [third.contract_id]
        assert await supplier.query(t("SupplyProposal")) == []
    async with client(grpc_ledger, MANUFACTURER, SUPPLIER) as both:  # Archive: every signatory controls it
        archived = await both.exercise(t("SupplyAgreement"), agreement.contract_id, "Archive")
        assert archived.archived == [agreement.contract_id]


async def test_invoice_paid_gives_a_receipt(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    invoice = samples.invoice("order-inv")
    async with client(grpc_ledger, MANUFACTURER) as manufacturer, client(grpc_ledger, CUSTOMER) as customer:
        created = await manufacturer.create(t("Invoice"), invoice)
        assert [c.contract_id for c in await customer.query(t("Invoice"))] == [created.contract_id]
        paid = await customer.exercise(t("Invoice"), created.contract_id, "Pay", samples.PAY_ARGUMENT)
        [receipt] = paid.created
        assert receipt.template == t("PaymentReceipt")
        assert receipt.payload == {**invoice, "amount": "120.5", **samples.PAY_ARGUMENT}
        assert paid.result == receipt.contract_id
        assert [c.contract_id for c in await manufacturer.query(t("PaymentReceipt"))] == [receipt.contract_id]
        assert await manufacturer.query(t("Invoice")) == []
