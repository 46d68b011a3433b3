"""Model v2 through the real dazl client over the gRPC Ledger API of a running ``python -m ledger``
(Canton-style party ids, static time moved by Daml's testing TimeService), each party with its own ledger
user's token."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import grpc
import pytest

from ledger import samples
from ledger.dazl_client import (
    DazlLedgerClient,
    LedgerClientError,
    LedgerDuplicateCommand,
    LedgerInvalidArgument,
    LedgerNotFound,
    LedgerPermissionDenied,
)
from ledger.testing import LedgerProcess
from tests.ledger.users_support import user_token
from tests.ledger.v2_support import (
    Party,
    advance_to,
    later,
    ledger_time,
    parties,
    set_time,
    start_v2_ledger,
    tid,
)


@pytest.fixture(scope="module")
async def ledger(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LedgerProcess]:
    process = await start_v2_ledger(tmp_path_factory.mktemp("v2-dazl"))
    try:
        yield process
    finally:
        await process.astop()


@pytest.fixture
async def p(ledger: LedgerProcess) -> dict[str, Party]:
    return await parties(ledger)


def session(ledger: LedgerProcess, party: Party) -> DazlLedgerClient:
    """dazl acting with the party's own user token (its rights: that party only)."""
    return DazlLedgerClient(
        f"http://{ledger.info.grpc}", token=user_token(party.user), application_id=party.user, timeout=5.0
    )


async def agree(ledger: LedgerProcess, p: dict[str, Party], order_id: str, **changes: Any) -> str:
    order = {**samples.customer_order(order_id, p["customer"].id, p["manufacturer"].id), **changes}
    async with session(ledger, p["customer"]) as customer, session(ledger, p["manufacturer"]) as maker:
        placed = await customer.create(tid("CustomerOrder"), order)
        accepted = await maker.exercise(tid("CustomerOrder"), placed.contract_id, "AcceptOrder")
    return str(accepted.result)


async def test_a_party_cannot_sign_for_another(ledger: LedgerProcess, p: dict[str, Party]) -> None:
    c, m, s = p["customer"], p["manufacturer"], p["supplier"]
    async with session(ledger, m) as maker:
        with pytest.raises(LedgerPermissionDenied):
            await maker.create(
                tid("CustomerOrder"), samples.customer_order("d-sign", c.id, m.id), act_as=[c.id]
            )
        for entity, payload in (
            ("Invoice", samples.invoice("d-sign", m.id, c.id)),
            ("SupplyAgreement", samples.supply_agreement("d-sign", m.id, s.id)),
            ("PenaltyClaim", samples.penalty_claim("d-sign", m.id, s.id)),
        ):
            with pytest.raises(LedgerInvalidArgument, match="DAML_AUTHORIZATION_ERROR"):
                await maker.create(tid(entity), payload)


async def test_no_supply_agreement_without_its_order_agreement(
    ledger: LedgerProcess, p: dict[str, Party]
) -> None:
    m, s = p["manufacturer"], p["supplier"]
    async with session(ledger, m) as maker, session(ledger, s) as supplier:
        proposal = await maker.create(tid("SupplyProposal"), samples.supply_terms("d-lonely", m.id, s.id))
        with pytest.raises(LedgerNotFound, match="no order agreement for order d-lonely"):
            await supplier.exercise(tid("SupplyProposal"), proposal.contract_id, "AcceptSupply")
        agreement = await agree(ledger, p, "d-supplied")
        proposed = await maker.exercise(
            tid("OrderAgreement"), agreement, "ProposeSupply", samples.supply_argument(s.id)
        )
        accepted = await supplier.exercise(tid("SupplyProposal"), str(proposed.result), "AcceptSupply")
        [supply] = accepted.created
        assert supply.payload["orderId"] == "d-supplied" and supply.payload["supplier"] == s.id


async def test_one_order_agreement_per_order(ledger: LedgerProcess, p: dict[str, Party]) -> None:
    await agree(ledger, p, "d-once")
    async with session(ledger, p["customer"]) as customer, session(ledger, p["manufacturer"]) as maker:
        again = await customer.create(
            tid("CustomerOrder"), samples.customer_order("d-once", p["customer"].id, p["manufacturer"].id)
        )
        with pytest.raises(LedgerDuplicateCommand, match="DUPLICATE_CONTRACT_KEY"):
            await maker.exercise(tid("CustomerOrder"), again.contract_id, "AcceptOrder")


async def test_invoice_payment_and_receipt(ledger: LedgerProcess, p: dict[str, Party]) -> None:
    c, m = p["customer"], p["manufacturer"]
    agreement = await agree(ledger, p, "d-inv")
    async with session(ledger, c) as customer, session(ledger, m) as maker:
        raised = await maker.exercise(
            tid("OrderAgreement"), agreement, "RaiseInvoice", samples.raise_invoice_argument("D-INV")
        )
        invoice = next(x for x in raised.created if x.template.endswith(":Invoice"))
        assert invoice.payload["amount"] == "120.5"
        renewed = next(x for x in raised.created if x.template.endswith(":OrderAgreement"))
        with pytest.raises(LedgerClientError, match="an invoice is already raised") as twice:
            await maker.exercise(
                tid("OrderAgreement"),
                renewed.contract_id,
                "RaiseInvoice",
                samples.raise_invoice_argument("X"),
            )
        assert twice.value.code == "FAILED_PRECONDITION"
        claimed = await customer.exercise(
            tid("Invoice"), invoice.contract_id, "ClaimPayment", samples.CLAIM_PAYMENT_ARGUMENT
        )
        with pytest.raises(LedgerInvalidArgument, match="DAML_AUTHORIZATION_ERROR"):
            await customer.exercise(tid("PaymentClaim"), str(claimed.result), "ConfirmPayment")
        now = await ledger_time(ledger)
        paid = await maker.exercise(tid("PaymentClaim"), str(claimed.result), "ConfirmPayment")
        [receipt] = paid.created
        assert receipt.payload["paidAt"].startswith(now.strftime("%Y-%m-%dT%H:%M:%S"))


async def test_ensure_rules_refuse_through_dazl(ledger: LedgerProcess, p: dict[str, Party]) -> None:
    c, m = p["customer"], p["manufacturer"]
    async with session(ledger, c) as customer:
        for changes, why in (
            ({"price": "1"}, "the price is not the sum"),
            ({"currency": "EURO"}, "3-letter code"),
            ({"quantity": -1}, "the quantity is not above 0"),
        ):
            with pytest.raises(LedgerInvalidArgument, match="TEMPLATE_PRECONDITION_VIOLATED") as refused:
                await customer.create(
                    tid("CustomerOrder"), {**samples.customer_order("d-e", c.id, m.id), **changes}
                )
            assert why in str(refused.value)


async def test_time_service_and_penalty(ledger: LedgerProcess, p: dict[str, Party]) -> None:
    c, m = p["customer"], p["manufacturer"]
    now = await ledger_time(ledger)
    with pytest.raises(grpc.aio.AioRpcError) as wrong_current:
        await set_time(ledger, now - timedelta(seconds=1), now + timedelta(days=1))
    assert wrong_current.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    with pytest.raises(grpc.aio.AioRpcError) as backwards:
        await set_time(ledger, now, now - timedelta(days=1))
    assert backwards.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert await ledger_time(ledger) == now

    due = later(now, 1)
    terms = {"deliveryDate": due.isoformat(), "penalty": {"perDayLate": "10", "cap": "25"}}
    on_time = await agree(ledger, p, "d-on-time", **terms)
    late = await agree(ledger, p, "d-late", **terms)
    async with session(ledger, c) as customer, session(ledger, m) as maker:
        on_time = str(
            (await maker.exercise(tid("OrderAgreement"), on_time, "Ship", samples.SHIP_ARGUMENT)).result
        )
        late = str((await maker.exercise(tid("OrderAgreement"), late, "Ship", samples.SHIP_ARGUMENT)).result)
        with pytest.raises(LedgerClientError, match="already shipped"):
            await maker.exercise(tid("OrderAgreement"), late, "Ship", samples.SHIP_ARGUMENT)
        on_time = str((await customer.exercise(tid("OrderAgreement"), on_time, "ConfirmDelivery")).result)
        with pytest.raises(LedgerClientError, match="the delivery was not late"):
            await customer.exercise(tid("OrderAgreement"), on_time, "ClaimPenalty")
        await advance_to(ledger, later(now, 4))  # 3 days after the agreed date
        received = await customer.exercise(tid("OrderAgreement"), late, "ConfirmDelivery")
        assert received.created[0].payload["receipt"]["daysLate"] == 3
        claimed = await customer.exercise(tid("OrderAgreement"), str(received.result), "ClaimPenalty")
        claim = next(x for x in claimed.created if x.template.endswith(":PenaltyClaim"))
        assert claim.payload["amount"] == "25" and claim.payload["daysLate"] == 3
        assert claim.payload["claimant"] == c.id and claim.payload["liable"] == m.id
