"""Model v2 over the HTTP JSON API of a real ``python -m ledger`` (Canton-style party ids, static time), each
party submitting with its own ledger user's token: nobody signs for another, the supply network needs its
order agreement, one agreement per order, the invoice is the agreed price, only the payee confirms a payment,
lateness and penalty come from ledger time, every ``ensure`` rule refuses, shipment is consumed once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from ledger import samples
from ledger.engine.party_ids import participant_fingerprint
from ledger.testing import LedgerProcess
from tests.ledger.v2_support import (
    Api,
    Party,
    advance_to,
    api_of,
    later,
    ledger_time,
    parties,
    start_v2_ledger,
    words,
)


@pytest.fixture(scope="module")
async def ledger(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[LedgerProcess]:
    process = await start_v2_ledger(tmp_path_factory.mktemp("v2-jsonapi"))
    try:
        yield process
    finally:
        await process.astop()


@pytest.fixture
async def api(ledger: LedgerProcess) -> AsyncIterator[Api]:
    async for client in api_of(ledger):
        yield client


@pytest.fixture
async def p(ledger: LedgerProcess) -> dict[str, Party]:
    return await parties(ledger)


def order_of(p: dict[str, Party], order_id: str, **changes: Any) -> dict[str, Any]:
    return {**samples.customer_order(order_id, p["customer"].id, p["manufacturer"].id), **changes}


async def agree(api: Api, p: dict[str, Party], order_id: str, **changes: Any) -> str:
    """The customer orders, the manufacturer accepts: the order agreement's id."""
    order = await api.create("CustomerOrder", order_of(p, order_id, **changes), p["customer"])
    accepted = await api.exercise("CustomerOrder", order["contractId"], "AcceptOrder", p["manufacturer"])
    return str(accepted["exerciseResult"])


async def test_party_ids_are_canton_style(ledger: LedgerProcess, p: dict[str, Party]) -> None:
    for party in p.values():
        assert party.id != party.hint
        assert party.id == f"{party.hint}::{participant_fingerprint(ledger.info.ledger_id)}"


async def test_a_party_cannot_sign_for_another(api: Api, p: dict[str, Party]) -> None:
    c, m, s = p["customer"], p["manufacturer"], p["supplier"]
    # the customer's user acting as the manufacturer: its token does not carry that party
    body = {"templateId": "LotSizeOne.Contract:CustomerOrder", "payload": order_of(p, "sign-1")}
    refused = await api.post("/v1/create", {**body, "meta": {"actAs": [m.id]}}, c, status=403)
    assert refused["status"] == 403
    # contracts both parties sign cannot be created with one party's authority
    for entity, payload, party in (
        ("Invoice", samples.invoice("sign-2", m.id, c.id), m),
        ("PenaltyClaim", samples.penalty_claim("sign-3", c.id, m.id), c),
        ("SupplyAgreement", samples.supply_agreement("sign-4", m.id, s.id), m),
        ("OrderAgreement", samples.order_agreement("sign-5", c.id, m.id), c),
    ):
        envelope = await api.create(entity, payload, party, status=400)
        assert "DAML_AUTHORIZATION_ERROR" in words(envelope), entity
    # nor can the manufacturer accept for the supplier
    agreement = await agree(api, p, "sign-6")
    proposed = await api.exercise(
        "OrderAgreement", agreement, "ProposeSupply", m, samples.supply_argument(s.id)
    )
    envelope = await api.exercise("SupplyProposal", proposed["exerciseResult"], "AcceptSupply", m, status=400)
    assert "DAML_AUTHORIZATION_ERROR" in words(envelope)


async def test_no_supply_agreement_without_its_order_agreement(api: Api, p: dict[str, Party]) -> None:
    m, s = p["manufacturer"], p["supplier"]
    proposal = await api.create("SupplyProposal", samples.supply_terms("lonely", m.id, s.id), m)
    envelope = await api.exercise("SupplyProposal", proposal["contractId"], "AcceptSupply", s, status=404)
    assert "CONTRACT_KEY_NOT_FOUND" in words(envelope)
    assert "no order agreement for order lonely" in words(envelope)
    assert await api.post("/v1/query", {"templateIds": ["LotSizeOne.Contract:SupplyAgreement"]}, s) == []


async def test_supply_dates_are_checked_against_the_order_agreement(api: Api, p: dict[str, Party]) -> None:
    m, s = p["manufacturer"], p["supplier"]
    agreement = await agree(api, p, "dates-1")
    too_late = samples.supply_argument(s.id, delivery_in_days=120)
    envelope = await api.exercise("OrderAgreement", agreement, "ProposeSupply", m, too_late, status=400)
    assert "UNHANDLED_EXCEPTION" in words(envelope)
    assert "must not be after the order's delivery date" in words(envelope)
    for who in (p["customer"], m):
        envelope = await api.exercise(
            "OrderAgreement", agreement, "ProposeSupply", m, samples.supply_argument(who.id), status=400
        )
        assert "neither the customer nor the manufacturer" in words(envelope)


async def test_one_order_agreement_per_order(api: Api, p: dict[str, Party]) -> None:
    first = await agree(api, p, "once-1")
    again = await api.create("CustomerOrder", order_of(p, "once-1"), p["customer"])
    envelope = await api.exercise(
        "CustomerOrder", again["contractId"], "AcceptOrder", p["manufacturer"], status=409
    )
    assert "DUPLICATE_CONTRACT_KEY" in words(envelope)
    found = await api.post(
        "/v1/query",
        {"templateIds": ["LotSizeOne.Contract:OrderAgreement"], "query": {"orderId": "once-1"}},
        p["customer"],
    )
    assert [c["contractId"] for c in found] == [first]


async def test_the_invoice_is_the_agreed_price_once(api: Api, p: dict[str, Party]) -> None:
    c, m = p["customer"], p["manufacturer"]
    agreement = await agree(api, p, "inv-1")
    argument = samples.raise_invoice_argument("INV-1")
    forged = await api.exercise(
        "OrderAgreement", agreement, "RaiseInvoice", m, {**argument, "amount": "999999"}, status=400
    )
    assert "amount" in words(forged)
    raised = await api.exercise("OrderAgreement", agreement, "RaiseInvoice", m, argument)
    invoice = await api.post("/v1/fetch", {"contractId": raised["exerciseResult"]}, c)
    assert invoice["payload"]["amount"] == "120.5" and invoice["payload"]["currency"] == "EUR"
    assert sorted(invoice["signatories"]) == sorted([c.id, m.id])
    recreated = [e["created"] for e in raised["events"] if "created" in e][-1]
    assert recreated["payload"]["invoiceId"] == "INV-1"
    envelope = await api.exercise(
        "OrderAgreement",
        recreated["contractId"],
        "RaiseInvoice",
        m,
        samples.raise_invoice_argument("INV-2"),
        status=400,
    )
    assert "an invoice is already raised for this agreement" in words(envelope)


async def test_payment_is_confirmed_by_the_payee_only(
    ledger: LedgerProcess, api: Api, p: dict[str, Party]
) -> None:
    c, m = p["customer"], p["manufacturer"]
    agreement = await agree(api, p, "pay-1")
    raised = await api.exercise(
        "OrderAgreement", agreement, "RaiseInvoice", m, samples.raise_invoice_argument("PAY-1")
    )
    claimed = await api.exercise(
        "Invoice", raised["exerciseResult"], "ClaimPayment", c, samples.CLAIM_PAYMENT_ARGUMENT
    )
    claim = claimed["exerciseResult"]
    envelope = await api.exercise("PaymentClaim", claim, "ConfirmPayment", c, status=400)
    assert "DAML_AUTHORIZATION_ERROR" in words(envelope)
    empty = await api.exercise(
        "Invoice", raised["exerciseResult"], "ClaimPayment", c, {"paymentRef": ""}, status=404
    )  # the invoice is consumed by the claim
    assert "CONTRACT_NOT_FOUND" in words(empty)
    now = await ledger_time(ledger)
    paid = await api.exercise("PaymentClaim", claim, "ConfirmPayment", m)
    receipt = await api.post("/v1/fetch", {"contractId": paid["exerciseResult"]}, c)
    assert receipt["payload"]["paidAt"].startswith(now.strftime("%Y-%m-%dT%H:%M:%S"))
    assert receipt["payload"]["paymentRef"] == "SEPA-0001"


async def test_rejected_payment_gives_the_invoice_back(api: Api, p: dict[str, Party]) -> None:
    c, m = p["customer"], p["manufacturer"]
    agreement = await agree(api, p, "rej-1")
    raised = await api.exercise(
        "OrderAgreement", agreement, "RaiseInvoice", m, samples.raise_invoice_argument("REJ-1")
    )
    claimed = await api.exercise(
        "Invoice", raised["exerciseResult"], "ClaimPayment", c, samples.CLAIM_PAYMENT_ARGUMENT
    )
    rejected = await api.exercise(
        "PaymentClaim", claimed["exerciseResult"], "RejectPayment", m, {"reason": "not received"}
    )
    invoice = await api.post("/v1/fetch", {"contractId": rejected["exerciseResult"]}, c)
    assert invoice["payload"]["invoiceId"] == "REJ-1" and invoice["payload"]["amount"] == "120.5"


async def test_shipment_and_receipt_are_consumed_once(api: Api, p: dict[str, Party]) -> None:
    c, m = p["customer"], p["manufacturer"]
    agreement = await agree(api, p, "ship-1")
    early = await api.exercise("OrderAgreement", agreement, "ConfirmDelivery", c, status=400)
    assert "nothing has been shipped yet" in words(early)
    shipped = await api.exercise("OrderAgreement", agreement, "Ship", m, samples.SHIP_ARGUMENT)
    again = await api.exercise(
        "OrderAgreement", shipped["exerciseResult"], "Ship", m, samples.SHIP_ARGUMENT, status=400
    )
    assert "the agreement is already shipped" in words(again)
    stale = await api.exercise("OrderAgreement", agreement, "Ship", m, samples.SHIP_ARGUMENT, status=404)
    assert "CONTRACT_NOT_FOUND" in words(stale)
    received = await api.exercise("OrderAgreement", shipped["exerciseResult"], "ConfirmDelivery", c)
    twice = await api.exercise("OrderAgreement", received["exerciseResult"], "ConfirmDelivery", c, status=400)
    assert "the receipt is already confirmed" in words(twice)
    on_time = await api.exercise("OrderAgreement", received["exerciseResult"], "ClaimPenalty", c, status=400)
    assert "the delivery was not late" in words(on_time)


ENSURE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("empty order id", {"orderId": ""}, "the order id is empty"),
    ("no items", {"items": []}, "there are no items"),
    ("item quantity 0", {"items": [{**samples.ITEM, "quantity": 0}]}, "every item needs a quantity"),
    ("item price 0", {"items": [{**samples.ITEM, "price": "0"}], "price": "0"}, "every item needs"),
    ("price not the sum", {"price": "99"}, "the price is not the sum of the items' prices"),
    ("currency of 2 letters", {"currency": "EU"}, "the currency is not a 3-letter code"),
    ("penalty per day 0", {"penalty": {"perDayLate": "0", "cap": None}}, "a penalty needs a perDayLate"),
    ("penalty cap 0", {"penalty": {"perDayLate": "5", "cap": "0"}}, "a penalty needs a perDayLate"),
    ("quantity 0", {"quantity": 0}, "the quantity is not above 0"),
]


@pytest.mark.parametrize(("what", "changes", "why"), ENSURE_CASES, ids=[c[0] for c in ENSURE_CASES])
async def test_every_ensure_rule_refuses(
    api: Api, p: dict[str, Party], what: str, changes: dict[str, Any], why: str
) -> None:
    envelope = await api.create("CustomerOrder", order_of(p, "ensure", **changes), p["customer"], status=400)
    assert "TEMPLATE_PRECONDITION_VIOLATED" in words(envelope), what
    assert why in words(envelope), what


async def test_the_parties_must_differ(api: Api, p: dict[str, Party]) -> None:
    c = p["customer"]
    envelope = await api.create("CustomerOrder", order_of(p, "same", manufacturer=c.id), c, status=400)
    assert "the customer and the manufacturer are the same party" in words(envelope)


async def test_lateness_and_penalty_from_ledger_time(
    ledger: LedgerProcess, api: Api, p: dict[str, Party]
) -> None:
    """Static time, moved by the TimeService: on time no claim; 3 days late, 10 a day capped at 25 -> 25."""
    c, m = p["customer"], p["manufacturer"]
    now = await ledger_time(ledger)
    due = later(now, 2)
    penalty = {"perDayLate": "10", "cap": "25"}
    terms = {"deliveryDate": due.isoformat(), "penalty": penalty}
    late = await agree(api, p, "late-1", **terms)
    shipped = await api.exercise("OrderAgreement", late, "Ship", m, samples.SHIP_ARGUMENT)
    await advance_to(ledger, later(now, 5))  # 3 days after the agreed date
    received = await api.exercise("OrderAgreement", shipped["exerciseResult"], "ConfirmDelivery", c)
    agreement = await api.post("/v1/fetch", {"contractId": received["exerciseResult"]}, c)
    assert agreement["payload"]["receipt"]["daysLate"] == "3"
    claimed = await api.exercise("OrderAgreement", received["exerciseResult"], "ClaimPenalty", c)
    claim = await api.post("/v1/fetch", {"contractId": claimed["exerciseResult"]}, m)
    assert claim["payload"]["amount"] == "25" and claim["payload"]["daysLate"] == "3"
    assert sorted(claim["signatories"]) == sorted([c.id, m.id])
    again = [e["created"] for e in claimed["events"] if "created" in e][-1]
    assert again["payload"]["penaltyClaimed"] is True
    twice = await api.exercise("OrderAgreement", again["contractId"], "ClaimPenalty", c, status=400)
    assert "the penalty is already claimed" in words(twice)


async def test_the_supply_agreement_lifecycle_with_a_late_supplier(
    ledger: LedgerProcess, api: Api, p: dict[str, Party]
) -> None:
    """The supplier ships and invoices, the manufacturer confirms receipt and claims the penalty, the supplier
    (the payee) alone confirms the manufacturer's payment."""
    m, s = p["manufacturer"], p["supplier"]
    now = await ledger_time(ledger)
    order = await agree(api, p, "supply-late", deliveryDate=later(now, 30).isoformat())
    argument = {
        **samples.supply_argument(s.id),
        "deliveryDate": later(now, 1).isoformat(),
        "penalty": {"perDayLate": "4", "cap": None},
    }
    proposed = await api.exercise("OrderAgreement", order, "ProposeSupply", m, argument)
    accepted = await api.exercise("SupplyProposal", proposed["exerciseResult"], "AcceptSupply", s)
    supply = accepted["exerciseResult"]
    wrong_side = await api.exercise(
        "SupplyAgreement", supply, "ShipSupply", m, samples.SHIP_ARGUMENT, status=400
    )
    assert "DAML_AUTHORIZATION_ERROR" in words(wrong_side)
    shipped = await api.exercise("SupplyAgreement", supply, "ShipSupply", s, samples.SHIP_ARGUMENT)
    await advance_to(ledger, later(now, 3))  # 2 days after the supply's date
    received = await api.exercise("SupplyAgreement", shipped["exerciseResult"], "ConfirmReceipt", m)
    claimed = await api.exercise("SupplyAgreement", received["exerciseResult"], "ClaimSupplyPenalty", m)
    claim = await api.post("/v1/fetch", {"contractId": claimed["exerciseResult"]}, s)
    assert claim["payload"]["claimant"] == m.id and claim["payload"]["liable"] == s.id
    assert claim["payload"]["daysLate"] == "2" and claim["payload"]["amount"] == "8"
    renewed = [e["created"] for e in claimed["events"] if "created" in e][-1]["contractId"]
    raised = await api.exercise(
        "SupplyAgreement", renewed, "RaiseSupplyInvoice", s, samples.raise_invoice_argument("SUP-1")
    )
    invoice = await api.post("/v1/fetch", {"contractId": raised["exerciseResult"]}, m)
    assert invoice["payload"]["issuer"] == s.id and invoice["payload"]["payer"] == m.id
    assert invoice["payload"]["amount"] == "80"
    paid = await api.exercise(
        "Invoice", raised["exerciseResult"], "ClaimPayment", m, samples.CLAIM_PAYMENT_ARGUMENT
    )
    refused = await api.exercise("PaymentClaim", paid["exerciseResult"], "ConfirmPayment", m, status=400)
    assert "DAML_AUTHORIZATION_ERROR" in words(refused)
    await api.exercise("PaymentClaim", paid["exerciseResult"], "ConfirmPayment", s)
