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


async def test_order_accepted_then_supply_proposed_and_accepted(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    order = samples.customer_order("order-op")
    async with (
        client(grpc_ledger, MANUFACTURER) as manufacturer,
        client(grpc_ledger, CUSTOMER) as customer,
        client(grpc_ledger, SUPPLIER) as supplier,
    ):
        placed = await customer.create(t("CustomerOrder"), order)
        assert placed.payload["penalty"] == {"perDayLate": "5", "cap": "50"}
        accepted = await manufacturer.exercise(t("CustomerOrder"), placed.contract_id, "AcceptOrder")
        [agreement] = accepted.created
        assert accepted.result == agreement.contract_id
        assert accepted.archived == [placed.contract_id]
        assert agreement.template == t("OrderAgreement")
        assert {k: agreement.payload[k] for k in order} == order
        assert agreement.payload["shipment"] is None and agreement.payload["penaltyClaimed"] is False
        proposed = await manufacturer.exercise(
            t("OrderAgreement"), agreement.contract_id, "ProposeSupply", samples.supply_argument()
        )
        [proposal] = proposed.created
        assert proposed.archived == []  # nonconsuming
        assert proposal.payload == samples.supply_terms("order-op")
        supplied = await supplier.exercise(t("SupplyProposal"), proposal.contract_id, "AcceptSupply")
        [supply] = supplied.created
        assert supply.template == t("SupplyAgreement")
        assert [c.contract_id for c in await customer.query(t("OrderAgreement"))] == [agreement.contract_id]
        assert await customer.query(t("SupplyAgreement")) == []  # not a stakeholder


async def test_supply_proposal_rejected_and_withdrawn(grpc_ledger: GrpcLedger, parties: list[str]) -> None:
    async with client(grpc_ledger, MANUFACTURER) as manufacturer, client(grpc_ledger, SUPPLIER) as supplier:
        first = await manufacturer.create(t("SupplyProposal"), samples.supply_terms("order-sp2"))
        assert first.payload["penalty"] is None
        rejected = await supplier.exercise(
            t("SupplyProposal"), first.contract_id, "RejectSupply", {"reason": "no capacity"}
        )
        assert (rejected.result, rejected.created, rejected.archived) == ({}, [], [first.contract_id])
        second = await manufacturer.create(t("SupplyProposal"), samples.supply_terms("order-sp3"))
        withdrawn = await manufacturer.exercise(t("SupplyProposal"), second.contract_id, "WithdrawSupply")
        assert withdrawn.archived == [second.contract_id]
        assert await supplier.query(t("SupplyProposal")) == []
    async with client(grpc_ledger, MANUFACTURER, SUPPLIER) as both:  # Archive: every signatory controls it
        agreement = await both.create(t("SupplyAgreement"), samples.supply_agreement("order-sp4"))
        archived = await both.exercise(t("SupplyAgreement"), agreement.contract_id, "Archive")
        assert archived.archived == [agreement.contract_id]


async def test_invoice_claimed_and_confirmed_gives_a_receipt(
    grpc_ledger: GrpcLedger, parties: list[str]
) -> None:
    invoice = samples.invoice("order-inv")
    async with (
        client(grpc_ledger, MANUFACTURER) as manufacturer,
        client(grpc_ledger, CUSTOMER) as customer,
        client(grpc_ledger, MANUFACTURER, CUSTOMER) as both,
    ):
        created = await both.create(t("Invoice"), invoice)
        assert [c.contract_id for c in await customer.query(t("Invoice"))] == [created.contract_id]
        claimed = await customer.exercise(
            t("Invoice"), created.contract_id, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT
        )
        [claim] = claimed.created
        paid = await manufacturer.exercise(t("PaymentClaim"), claim.contract_id, "ConfirmPayment")
        [receipt] = paid.created
        assert receipt.template == t("PaymentReceipt")
        assert {k: receipt.payload[k] for k in invoice} == invoice
        assert receipt.payload["paymentRef"] == "SEPA-0001"
        assert paid.result == receipt.contract_id
        assert [c.contract_id for c in await manufacturer.query(t("PaymentReceipt"))] == [receipt.contract_id]
        assert await manufacturer.query(t("Invoice")) == []
