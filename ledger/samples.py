"""Sample template arguments of model v2 (tests, the bench, documentation).

Dates are relative to today (UTC), so that ``AcceptOrder`` (delivery after today) and ``ProposeSupply``/
``AcceptSupply`` (supply delivery not in the past, not after the order's) accept them on any day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

CUSTOMER = "Customer"
MANUFACTURER = "Manufacturer"
SUPPLIER = "Supplier"
OUTSIDER = "Outsider"
PARTIES = (CUSTOMER, MANUFACTURER, SUPPLIER, OUTSIDER)

ITEM = {"itemId": "bike-frame", "description": "custom frame", "quantity": 1, "price": "120.5"}
SUPPLY_ITEM = {"itemId": "bike-frame", "description": "custom frame", "quantity": 1, "price": "80"}


def today() -> date:
    return datetime.now(UTC).date()


def in_days(days: int) -> str:
    """The date ``days`` after today (UTC), as a Date value."""
    return (today() + timedelta(days=days)).isoformat()


def customer_order(
    order_id: str = "order-1",
    customer: str = CUSTOMER,
    manufacturer: str = MANUFACTURER,
    delivery_in_days: int = 90,
    penalty: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A CustomerOrder the customer creates (the confirmed quotation's terms)."""
    return {
        "orderId": order_id,
        "customer": customer,
        "manufacturer": manufacturer,
        "productId": "bike-42",
        "quantity": 1,
        "items": [ITEM],
        "price": "120.5",
        "currency": "EUR",
        "deliveryDate": in_days(delivery_in_days),
        "penalty": {"perDayLate": "5", "cap": "50"} if penalty is None else penalty,
    }


def order_terms(
    order_id: str = "order-1", customer: str = CUSTOMER, manufacturer: str = MANUFACTURER
) -> dict[str, Any]:
    """The same as :func:`customer_order` (kept for callers of v1's name)."""
    return customer_order(order_id, customer, manufacturer)


def supply_argument(supplier: str = SUPPLIER, delivery_in_days: int = 60) -> dict[str, Any]:
    """The argument of ``OrderAgreement.ProposeSupply``."""
    return {
        "supplier": supplier,
        "items": [SUPPLY_ITEM],
        "price": "80",
        "currency": "EUR",
        "deliveryDate": in_days(delivery_in_days),
        "penalty": None,
    }


def supply_terms(
    order_id: str = "order-1", manufacturer: str = MANUFACTURER, supplier: str = SUPPLIER
) -> dict[str, Any]:
    """A SupplyProposal's payload (what ProposeSupply creates)."""
    argument = supply_argument(supplier)
    return {"orderId": order_id, "manufacturer": manufacturer, **argument}


def lifecycle(agreed_at: str = "2026-11-25T10:00:00Z") -> dict[str, Any]:
    """The lifecycle fields of a fresh agreement."""
    return {
        "agreedAt": agreed_at,
        "shipment": None,
        "receipt": None,
        "penaltyClaimed": False,
        "invoiceId": None,
    }


def order_agreement(
    order_id: str = "order-1", customer: str = CUSTOMER, manufacturer: str = MANUFACTURER
) -> dict[str, Any]:
    """An OrderAgreement's payload (only a create with both parties' authority may make one directly)."""
    return {**customer_order(order_id, customer, manufacturer), **lifecycle()}


def supply_agreement(
    order_id: str = "order-1", manufacturer: str = MANUFACTURER, supplier: str = SUPPLIER
) -> dict[str, Any]:
    return {**supply_terms(order_id, manufacturer, supplier), **lifecycle()}


def invoice(order_id: str = "order-1", issuer: str = MANUFACTURER, payer: str = CUSTOMER) -> dict[str, Any]:
    """An Invoice's payload (issuer and payer both sign: it comes from RaiseInvoice)."""
    return {
        "invoiceId": f"inv-{order_id}",
        "orderId": order_id,
        "issuer": issuer,
        "payer": payer,
        "amount": "120.5",
        "currency": "EUR",
        "issuedAt": f"{today().isoformat()}T12:00:00Z",
        "dueDate": in_days(30),
    }


def penalty_claim(
    order_id: str = "order-1", claimant: str = CUSTOMER, liable: str = MANUFACTURER
) -> dict[str, Any]:
    return {
        "orderId": order_id,
        "claimant": claimant,
        "liable": liable,
        "daysLate": 3,
        "amount": "15",
        "currency": "EUR",
        "claimedAt": "2026-11-25T10:00:00Z",
    }


SHIP_ARGUMENT = {"carrier": "DHL", "reference": "JD0001"}
CLAIM_PAYMENT_ARGUMENT = {"paymentRef": "SEPA-0001"}


def raise_invoice_argument(invoice_id: str = "inv-1", due_in_days: int = 30) -> dict[str, Any]:
    return {"invoiceId": invoice_id, "dueDate": in_days(due_in_days)}
