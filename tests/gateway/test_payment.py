"""Paying an order by bank transfer: the terms (the manufacturer's account, the order's reference), the
customer's announcement checked against the reference, and the manufacturer's confirmation that the money
arrived, only once the customer announced it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import httpx

from ontology.order import OrderStatus
from ontology.payment import BankTransfer, transfer_reference
from ontology.policy import ManufacturerPolicy
from store.database import Database
from store.enums import PolicyKind
from store.records import NewInvoice, NewPayment
from tests.gateway.recording_bridge import Call, RecordingBridge
from tests.gateway.world import People, advance, place

pytest_plugins = ("tests.gateway.fixtures",)

ACCOUNT = BankTransfer(account_holder="Maker Works", iban="GB82 WEST 1234 5698 7654 32")


def _transfer(order_id: str, **changes: Any) -> dict[str, Any]:
    return {"method": "bank-transfer", "reference": transfer_reference(order_id), **changes}


async def _invoice(db: Database, order_id: str, *, announced: bool) -> str:
    """The order invoiced (status and invoice row); with a payment the customer announced."""
    await advance(db, order_id, OrderStatus.INVOICED)
    async with db.transaction() as repos:
        invoice = await repos.invoices.add(
            NewInvoice(
                order_id=order_id,
                lines=[],
                total=Decimal("480.00"),
                currency="EUR",
                due_date=date.today() + timedelta(days=14),
            )
        )
        if announced:
            await repos.payments.announce(
                NewPayment(
                    invoice_id=invoice.id,
                    amount=Decimal("480.00"),
                    currency="EUR",
                    method="bank-transfer",
                    reference=transfer_reference(order_id),
                )
            )
    return invoice.id


async def test_the_terms_name_the_makers_account_and_the_orders_reference(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    terms = await client.get(f"/orders/{order_id}/payment", headers=people.alice.headers)
    assert terms.status_code == 200, terms.text
    assert terms.json() == {
        "order_id": order_id,
        "method": "bank-transfer",
        "bank_account": None,
        "reference": transfer_reference(order_id),
        "confirmed_by_hand": False,
    }
    policy = ManufacturerPolicy(capacity_hours_per_week=40, margin=Decimal("0.2"), payment=ACCOUNT)
    async with db.transaction() as repos:
        await repos.policies.put("maker@test", PolicyKind.MANUFACTURER, policy, owner_user_id=people.maker.id)
    for user in (people.alice, people.maker):
        seen = (await client.get(f"/orders/{order_id}/payment", headers=user.headers)).json()
        assert seen["bank_account"] == {
            "account_holder": "Maker Works",
            "iban": "GB82WEST12345698765432",
            "bic": None,
        }
        assert seen["confirmed_by_hand"] is True and seen["reference"].startswith("RF")
    for outsider in (people.bob, people.rival):
        assert (await client.get(f"/orders/{order_id}/payment", headers=outsider.headers)).status_code == 404


async def test_the_transfer_is_announced_with_the_orders_reference(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await _invoice(db, order_id, announced=False)
    reference = transfer_reference(order_id)
    typed = f"{reference[:4].lower()} {reference[4:8]} {reference[8:]}"  # as a person types it
    bridge.calls.clear()
    paid = await client.post(
        f"/orders/{order_id}/payment", json=_transfer(order_id, reference=typed), headers=people.alice.headers
    )
    assert paid.status_code == 202, paid.text
    assert paid.json()["action"] == "pay" and paid.json()["status"] == "invoiced"
    assert bridge.calls == [Call("pay", (UUID(order_id), reference))]


async def test_a_wrong_reference_or_body_is_422_and_goes_nowhere(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    other = await place(client, people.alice)
    await _invoice(db, order_id, announced=False)
    bridge.calls.clear()
    url = f"/orders/{order_id}/payment"
    wrong = await client.post(url, json=_transfer(other), headers=people.alice.headers)
    assert wrong.status_code == 422, wrong.text
    (error,) = wrong.json()["errors"]
    assert error["field"] == "body.reference" and transfer_reference(order_id) in error["message"]
    for body in (None, {}, _transfer(order_id, method="card"), _transfer(order_id, reference="")):
        assert (await client.post(url, json=body, headers=people.alice.headers)).status_code == 422, body
    assert bridge.calls == []


async def test_paying_needs_the_customer_of_an_invoiced_order(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    bridge.calls.clear()
    url = f"/orders/{order_id}/payment"
    body = _transfer(order_id)
    early = await client.post(url, json=body, headers=people.alice.headers)
    assert early.status_code == 409 and "is 'received'" in early.json()["detail"]
    await _invoice(db, order_id, announced=False)
    assert (await client.post(url, json=body, headers=people.maker.headers)).status_code == 403
    assert (await client.post(url, json=body, headers=people.bob.headers)).status_code == 404
    assert bridge.calls == []


async def test_the_manufacturer_confirms_only_an_announced_payment_of_its_own_order(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    bridge.calls.clear()
    url = f"/orders/{order_id}/payment-confirmation"
    early = await client.post(url, headers=people.maker.headers)
    assert early.status_code == 409 and "is 'received'" in early.json()["detail"]
    invoice_id = await _invoice(db, order_id, announced=False)
    unannounced = await client.post(url, headers=people.maker.headers)
    assert unannounced.status_code == 409
    assert "has not announced a payment" in unannounced.json()["detail"]
    assert (await client.post(url, headers=people.alice.headers)).status_code == 403
    assert (await client.post(url, headers=people.rival.headers)).status_code == 404
    assert bridge.calls == []

    async with db.transaction() as repos:
        await repos.payments.announce(
            NewPayment(
                invoice_id=invoice_id, amount=Decimal("480.00"), currency="EUR", method="bank-transfer"
            )
        )
    confirmed = await client.post(url, headers=people.maker.headers)
    assert confirmed.status_code == 202, confirmed.text
    assert confirmed.json()["action"] == "confirm payment"
    assert bridge.calls == [Call("confirm_payment", (UUID(order_id),))]

    await advance(db, order_id, OrderStatus.PAID)
    assert (await client.post(url, headers=people.maker.headers)).status_code == 409


async def test_the_agent_not_waiting_for_the_confirmation_is_409_in_words(
    client: httpx.AsyncClient, people: People, bridge: RecordingBridge, db: Database
) -> None:
    order_id = await place(client, people.alice)
    await _invoice(db, order_id, announced=True)
    bridge.fail("not-awaited: the policy takes an announced payment as received", status_code=409)
    refused = await client.post(f"/orders/{order_id}/payment-confirmation", headers=people.maker.headers)
    assert refused.status_code == 409
    detail = refused.json()["detail"]
    assert detail.startswith(f"cannot confirm the payment of order {order_id}: your agent is not waiting")
    assert "Confirm received transfers yourself" in detail
